//! mdsc-notify: in-app notifications (seed §6.1). Feature crates call
//! [`deliver::notify`] inside the transaction of the change that causes a
//! notification, so none is lost and none outlives a rolled-back change;
//! users list and read theirs, choose per type what they receive (in-app,
//! by e-mail) and in which language, and follow or leave course forums.
//! A forum post hidden or deleted withdraws its notifications and unsent
//! e-mails ([`withdraw::forum_post_withdrawn`]).

pub mod batch;
pub mod counters;
pub mod deadlines;
pub mod deliver;
pub mod email;
pub mod events;
pub mod follow;
pub mod jobs;
pub mod kind;
pub mod language;
pub mod locale;
pub mod model;
pub mod personal_data;
pub mod preferences;
pub mod reminders;
pub mod service;
pub mod stream;
pub mod subject;
#[cfg(feature = "testing")]
pub mod testing;
pub mod withdraw;

pub use deliver::{Delivery, notify};
pub use kind::NotificationKind;
pub use locale::{Locale, Texts};
pub use model::Notification;
pub use subject::Subject;
pub use withdraw::{Withdrawn, forum_post_withdrawn};
