//! Sessions: one row per issued JWT (`jti`). Deleting the row ends the session, so a
//! copied cookie or token stops working everywhere at once.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::sessions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub jti: String,
    pub user_id: String,
    /// `web` (dashboard cookie) or `api` (bearer token for the key-management API).
    pub kind: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// The client address it signed in from.
    pub ip: String,
    /// When the password was last entered for it (sign-in, or sudo's re-entry).
    pub sudo_at: Option<i64>,
}

impl Session {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(sessions::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, jti: &str) -> QueryResult<Option<Self>> {
        crate::db::one(crate::on_backend!(conn, |c| sessions::table
            .find(jti)
            .select(Self::as_select())
            .load(c)))
        .optional()
    }

    pub fn touch(conn: &mut DbConn, jti: &str, now: i64) -> QueryResult<()> {
        diesel::update(sessions::table.find(jti))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)
            .map(drop)
    }

    pub fn delete(conn: &mut DbConn, jti: &str) -> QueryResult<()> {
        diesel::delete(sessions::table.find(jti))
            .execute(conn)
            .map(drop)
    }

    /// A user's live sessions, newest first (for the account page).
    pub fn list_for_user(conn: &mut DbConn, user_id: &str, now: i64) -> QueryResult<Vec<Self>> {
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::expires_at.gt(now))
            .order(sessions::created_at.desc())
            .select(Self::as_select())
            .load(conn)
    }

    /// The password was entered again for this session (sudo mode).
    pub fn reauthenticated(conn: &mut DbConn, jti: &str, now: i64) -> QueryResult<()> {
        diesel::update(sessions::table.find(jti))
            .set(sessions::sudo_at.eq(Some(now)))
            .execute(conn)
            .map(drop)
    }

    /// Ends a user's sessions but one (a password change keeps the one that made it).
    pub fn delete_others(conn: &mut DbConn, user_id: &str, keep: &str) -> QueryResult<usize> {
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::jti.ne(keep)),
        )
        .execute(conn)
    }

    /// Ends every session of a user (deactivation).
    /// Ends every session of a user; how many there were.
    pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
    }

    /// Drops sessions past their absolute expiry.
    pub fn purge_expired(conn: &mut DbConn, now: i64) -> QueryResult<usize> {
        diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
    }
}
