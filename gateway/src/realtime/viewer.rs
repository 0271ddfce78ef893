//! What a stream knows of its reader's access, from the check made when it
//! opened (and again at each access change that concerns it): enough to
//! filter the channel's shared items without a read per item.

use super::channel::Audience;
use super::signal::AccessChange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i32,
    /// The course whose staff or enrollment grants the access, if any.
    pub course_id: Option<i32>,
    /// The course's staff see hidden replies.
    pub staff: bool,
}

impl Viewer {
    pub fn sees(&self, audience: Audience) -> bool {
        match audience {
            Audience::Everyone => true,
            Audience::StaffAndAuthor(author) => self.staff || author == self.user_id,
        }
    }

    /// Whether the change may take this reader's access away (or give them
    /// the staff's view): then the stream checks again.
    pub fn concerned_by(&self, change: AccessChange) -> bool {
        match change {
            AccessChange::User(user_id) => user_id == self.user_id,
            AccessChange::Course(course_id) => self.course_id == Some(course_id),
            // Sent only to the topic's or session's own channel.
            AccessChange::Topic(_) | AccessChange::Session(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDENT: Viewer = Viewer {
        user_id: 7,
        course_id: Some(3),
        staff: false,
    };

    #[test]
    fn hidden_items_are_for_staff_and_their_author() {
        let staff = Viewer {
            staff: true,
            ..STUDENT
        };
        assert!(STUDENT.sees(Audience::Everyone));
        assert!(!STUDENT.sees(Audience::StaffAndAuthor(8)));
        assert!(STUDENT.sees(Audience::StaffAndAuthor(7)));
        assert!(staff.sees(Audience::StaffAndAuthor(8)));
    }

    #[test]
    fn only_changes_of_the_reader_or_their_course_concern_them() {
        assert!(STUDENT.concerned_by(AccessChange::User(7)));
        assert!(!STUDENT.concerned_by(AccessChange::User(8)));
        assert!(STUDENT.concerned_by(AccessChange::Course(3)));
        assert!(!STUDENT.concerned_by(AccessChange::Course(4)));
        assert!(STUDENT.concerned_by(AccessChange::Topic(1)));
    }
}
