//! Password reset links (SPEC §14) and the requests for them, counted for the throttles.

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{password_reset_requests, password_resets};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordReset {
    /// SHA-256 of the link's token; the token itself is only in the mail.
    pub token_hash: String,
    pub user_id: String,
    /// SHA-256 of the user's password hash when the link was made: another password
    /// since then ends the link.
    pub password_fingerprint: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl PasswordReset {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(password_resets::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<Self>> {
        password_resets::table
            .find(token_hash)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Uses the link once: true for the one caller that marked it used while unused and
    /// unexpired (on any instance).
    pub fn take(conn: &mut DbConn, token_hash: &str, now: i64) -> QueryResult<bool> {
        let n = diesel::update(
            password_resets::table
                .find(token_hash)
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now)),
        )
        .set(password_resets::used_at.eq(Some(now)))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// The person's other links stop working once one was used.
    pub fn end_others(conn: &mut DbConn, user_id: &str, now: i64) -> QueryResult<()> {
        diesel::update(
            password_resets::table
                .filter(password_resets::user_id.eq(user_id))
                .filter(password_resets::used_at.is_null()),
        )
        .set(password_resets::used_at.eq(Some(now)))
        .execute(conn)
        .map(drop)
    }

    /// Links that ended more than a day ago are of no more use.
    pub fn purge(conn: &mut DbConn, before: i64) -> QueryResult<usize> {
        diesel::delete(password_resets::table.filter(password_resets::expires_at.lt(before)))
            .execute(conn)
    }
}

/// One "Forgot password" request (known address or not).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_reset_requests)]
pub struct ResetRequest {
    pub id: String,
    pub email: String,
    pub ip: String,
    pub at: i64,
}

impl ResetRequest {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(password_reset_requests::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn expire(conn: &mut DbConn, before: i64) -> QueryResult<usize> {
        diesel::delete(
            password_reset_requests::table.filter(password_reset_requests::at.le(before)),
        )
        .execute(conn)
    }

    /// Requests from `ip` since `since`, and the oldest of them.
    pub fn from_ip(conn: &mut DbConn, ip: &str, since: i64) -> QueryResult<(i64, Option<i64>)> {
        password_reset_requests::table
            .filter(password_reset_requests::ip.eq(ip))
            .filter(password_reset_requests::at.gt(since))
            .select((count_star(), diesel::dsl::min(password_reset_requests::at)))
            .get_result(conn)
    }

    /// Requests for `email` since `since`.
    pub fn for_email(conn: &mut DbConn, email: &str, since: i64) -> QueryResult<i64> {
        password_reset_requests::table
            .filter(password_reset_requests::email.eq(email))
            .filter(password_reset_requests::at.gt(since))
            .count()
            .get_result(conn)
    }
}
