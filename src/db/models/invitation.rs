//! Invitations to join a merchant's team (SPEC §14). The token is kept only as its
//! SHA-256; a row ends once accepted or revoked, or when it expires.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::invitations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: String,
    pub merchant_id: String,
    /// Lower-cased, as users' emails are.
    pub email: String,
    pub role: String,
    pub token_hash: String,
    /// The inviting Admin's email.
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Invitation {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(invitations::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Self>> {
        invitations::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn find_by_token_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<Self>> {
        invitations::table
            .filter(invitations::token_hash.eq(hash))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The merchant's invitations neither accepted nor revoked (expired ones included:
    /// the Admin may resend them), newest first.
    pub fn open_for_merchant(conn: &mut DbConn, merchant_id: &str) -> QueryResult<Vec<Self>> {
        invitations::table
            .filter(invitations::merchant_id.eq(merchant_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .order((invitations::created_at.desc(), invitations::id.desc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// A new token and 72 hours more, for a resend: the old link stops working.
    pub fn renew(
        conn: &mut DbConn,
        id: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> QueryResult<()> {
        diesel::update(invitations::table.find(id))
            .set((
                invitations::token_hash.eq(token_hash),
                invitations::expires_at.eq(expires_at),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Ends an open invitation; false when it was not open any more.
    pub fn revoke(conn: &mut DbConn, id: &str, now: i64) -> QueryResult<bool> {
        let n = diesel::update(
            invitations::table
                .find(id)
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null()),
        )
        .set(invitations::revoked_at.eq(Some(now)))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Takes the invitation once: true for the one caller that marked it accepted while
    /// it was open and unexpired (on any instance).
    pub fn take(conn: &mut DbConn, id: &str, now: i64) -> QueryResult<bool> {
        let n = diesel::update(
            invitations::table
                .find(id)
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(now)),
        )
        .set(invitations::accepted_at.eq(Some(now)))
        .execute(conn)?;
        Ok(n == 1)
    }
}
