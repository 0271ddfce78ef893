//! Schedule settings an operator chooses (`PUBLIC_URL`, `APP_URL`,
//! `SCHEDULE_DEFAULT_TIMEZONE`).

use chrono_tz::Tz;

/// The zone new schedules use until the student picks theirs: the seed's
/// platform is French-speaking.
pub const DEFAULT_TIMEZONE: Tz = Tz::Europe__Paris;

/// Reminder alarms of study blocks and deadlines, in minutes before.
pub const STUDY_REMINDERS: [u32; 1] = [15];
/// Reminder alarms of live sessions: the day before and a quarter of an hour before.
pub const LIVE_REMINDERS: [u32; 2] = [24 * 60, 15];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSettings {
    /// The API's public base URL (no trailing slash): feed and download
    /// links, and the host part of event UIDs.
    pub public_url: String,
    /// The web app's base URL (no trailing slash): each event's link back.
    pub app_url: String,
    pub default_timezone: Tz,
}

impl ScheduleSettings {
    pub fn new(public_url: &str, app_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            app_url: app_url.trim_end_matches('/').to_owned(),
            default_timezone: DEFAULT_TIMEZONE,
        }
    }

    /// The host of the public URL, for UIDs (`mdsc.example`).
    pub fn uid_host(&self) -> &str {
        let without_scheme = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, rest)| rest);
        let host_port = without_scheme.split('/').next().unwrap_or(without_scheme);
        let host = host_port.split(':').next().unwrap_or(host_port);
        if host.is_empty() { "mdsc.local" } else { host }
    }

    pub fn feed_url(&self, token: &str) -> String {
        format!("{}/api/calendar/feed/{token}.ics", self.public_url)
    }

    pub fn download_url(&self, enrollment_id: i32) -> String {
        format!(
            "{}/api/enrollments/{enrollment_id}/schedule.ics",
            self.public_url
        )
    }
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        Self::new("http://localhost:8080", "http://localhost:3000")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_host_is_the_bare_host_of_the_public_url() {
        let settings = ScheduleSettings::new("https://api.mdsc.example:8443/base/", "https://x");
        assert_eq!(settings.uid_host(), "api.mdsc.example");
        assert_eq!(
            settings.feed_url("abc"),
            "https://api.mdsc.example:8443/base/api/calendar/feed/abc.ics"
        );
    }
}
