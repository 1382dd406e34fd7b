//! Stored idempotency keys and the responses they replay.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::DbConn;
use crate::db::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub api_key_id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub response_version: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl IdempotencyRow {
    /// Inserts the claim; false when a row with the same scope and key already exists
    /// (the unique index decides, so concurrent duplicates cannot both win).
    pub fn try_claim(&self, conn: &mut DbConn) -> QueryResult<bool> {
        match diesel::insert_into(idempotency_keys::table)
            .values(self)
            .execute(conn)
        {
            Ok(_) => Ok(true),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn find_same(conn: &mut DbConn, claim: &IdempotencyRow) -> QueryResult<Option<Self>> {
        crate::db::one(
            idempotency_keys::table
                .filter(idempotency_keys::merchant_id.eq(&claim.merchant_id))
                .filter(idempotency_keys::livemode.eq(claim.livemode))
                .filter(idempotency_keys::api_key_id.eq(&claim.api_key_id))
                .filter(idempotency_keys::idempotency_key.eq(&claim.idempotency_key))
                .select(Self::as_select())
                .load(conn),
        )
        .optional()
    }

    pub fn complete(
        conn: &mut DbConn,
        id: &str,
        status: i32,
        body: &str,
        version: &str,
    ) -> QueryResult<()> {
        diesel::update(idempotency_keys::table.find(id))
            .set((
                idempotency_keys::response_status.eq(Some(status)),
                idempotency_keys::response_body.eq(Some(body)),
                idempotency_keys::response_version.eq(Some(version)),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Gives the key back (the request was refused, or failed on our side).
    pub fn release(conn: &mut DbConn, id: &str) -> QueryResult<()> {
        diesel::delete(idempotency_keys::table.find(id))
            .execute(conn)
            .map(drop)
    }

    pub fn purge_expired(conn: &mut DbConn, now: i64) -> QueryResult<usize> {
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now)))
            .execute(conn)
    }
}
