//! `create-admin`: the first administrator, or promote an existing account.

use mdsc_auth::RegisterInput;
use mdsc_core::{Error, SystemClock};

use crate::commands::open_database;
use crate::config::Config;

pub fn create_admin(config: &Config, input: RegisterInput) -> Result<(), Error> {
    let pool = open_database(config)?;
    let (user, created) = mdsc_auth::service::create_admin(&mut *pool.get()?, &SystemClock, input)?;
    if created {
        println!("Created administrator {} (id {}).", user.email, user.id);
    } else {
        println!(
            "{} (id {}) already existed: promoted to administrator, password unchanged.",
            user.email, user.id
        );
    }
    Ok(())
}
