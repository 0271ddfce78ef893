//! mdsc-forum: one discussion forum per course (seed §4).

pub mod settings;

pub use settings::ForumSettings;
