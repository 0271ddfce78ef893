//! mdsc-schedule: a student's study schedule (seed §2). `plan` turns a
//! course outline, the enrollment date and the student's preferences into
//! dated items (lessons, quizzes, milestones, live sessions), the same way
//! every time; `service`, `update` and `store` keep them in the database;
//! `propagate` and `hooks` carry course changes into every schedule
//! (`replan_jobs` re-plans them all in the job worker);
//! `ical`, `feed` and `links` put them in students' calendars.

pub mod enroll;
pub mod events;
pub mod feed;
pub mod hooks;
pub mod ical;
pub mod item;
pub mod links;
pub mod model;
pub mod outline;
pub mod personal_data;
pub mod plan;
pub mod propagate;
pub mod render;
pub mod replan_jobs;
pub mod service;
pub mod settings;
pub mod store;
pub mod update;

pub use model::{CalendarEvent, CalendarSync, CourseSchedule, FeedToken, ScheduleItem};
pub use settings::ScheduleSettings;
