//! The kinds of notification, as stored and as the API names them.

use std::fmt;
use std::str::FromStr;

use crate::locale::Texts;

// The document names the kinds as `as_str` does: a test below holds the
// two together.
/// A kind of notification, as `Notification.type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A new reply in a topic one wrote or replied to.
    ForumReply,
    /// A new topic in a course forum one follows.
    ForumTopic,
    LiveSessionScheduled,
    LiveSessionRescheduled,
    LiveSessionCancelled,
    LiveSessionStarted,
    /// 24 hours and 15 minutes before a session.
    LiveSessionReminder,
    /// A quiz one has not passed is due within 24 hours.
    QuizDeadline,
    /// A moderator approved or rejected one's rating.
    RatingModerated,
}

impl NotificationKind {
    pub const ALL: [Self; 9] = [
        Self::ForumReply,
        Self::ForumTopic,
        Self::LiveSessionScheduled,
        Self::LiveSessionRescheduled,
        Self::LiveSessionCancelled,
        Self::LiveSessionStarted,
        Self::LiveSessionReminder,
        Self::QuizDeadline,
        Self::RatingModerated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ForumReply => "forum_reply",
            Self::ForumTopic => "forum_topic",
            Self::LiveSessionScheduled => "live_session_scheduled",
            Self::LiveSessionRescheduled => "live_session_rescheduled",
            Self::LiveSessionCancelled => "live_session_cancelled",
            Self::LiveSessionStarted => "live_session_started",
            Self::LiveSessionReminder => "live_session_reminder",
            Self::QuizDeadline => "quiz_deadline",
            Self::RatingModerated => "rating_moderated",
        }
    }
}

impl NotificationKind {
    /// What this type is about, for a person choosing whether to receive
    /// it (the unsubscribe page says what it turns off).
    pub fn describe(self) -> Texts {
        let (fr, en) = match self {
            Self::ForumReply => (
                "les nouvelles réponses dans les sujets du forum auxquels vous participez",
                "new replies in the forum topics you take part in",
            ),
            Self::ForumTopic => (
                "les nouveaux sujets des forums de cours que vous suivez",
                "new topics in the course forums you follow",
            ),
            Self::LiveSessionScheduled => (
                "les sessions en direct programmées dans vos cours",
                "live sessions scheduled in your courses",
            ),
            Self::LiveSessionRescheduled => (
                "les sessions en direct déplacées",
                "live sessions moved to another time",
            ),
            Self::LiveSessionCancelled => {
                ("les sessions en direct annulées", "live sessions cancelled")
            }
            Self::LiveSessionStarted => {
                ("le début des sessions en direct", "live sessions starting")
            }
            Self::LiveSessionReminder => (
                "les rappels avant une session en direct",
                "reminders before a live session",
            ),
            Self::QuizDeadline => ("les rappels d'échéance des quiz", "quiz deadline reminders"),
            Self::RatingModerated => (
                "la modération de vos avis sur les cours",
                "the moderation of your course ratings",
            ),
        };
        Texts::new(fr, en)
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| format!("unknown notification type {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_the_kinds_as_the_api_does() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(NotificationKind::schema()).unwrap();
        let names: Vec<&str> = NotificationKind::ALL.map(NotificationKind::as_str).to_vec();
        assert_eq!(schema["enum"], serde_json::json!(names));
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in NotificationKind::ALL {
            assert_eq!(kind.as_str().parse::<NotificationKind>(), Ok(kind));
        }
        assert!("forum".parse::<NotificationKind>().is_err());
    }
}
