//! Placeholder until h-mail (the mail outbox, SMTP worker) is merged: the same `Mail` and
//! `queue` signature, queueing nothing. Replaced wholesale by that branch.
use crate::db::DbConn;
use crate::error::Error;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub link: Option<String>,
    pub kind: &'static str,
}
pub fn queue(_conn: &mut DbConn, _mail: &Mail) -> Result<(), Error> {
    Ok(())
}
