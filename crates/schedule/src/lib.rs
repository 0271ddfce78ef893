//! mdsc-schedule: a student's study schedule (seed §2). `plan` turns a
//! course outline, the enrollment date and the student's preferences into
//! dated items (lessons, quizzes, milestones, live sessions), the same way
//! every time; `ical` writes them as RFC 5545 calendars; `links` builds the
//! subscribe and add-to-calendar links of Google Calendar and Outlook.

pub mod ical;
pub mod item;
pub mod links;
pub mod plan;
