//! Each attempt of a webhook delivery, oldest first: when, the answer (status, headers,
//! first 4 KiB of body) or why there was none, and the payload sent.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::webhook_attempts;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    /// Unix ms.
    pub attempted_at: i64,
    pub status_code: Option<i32>,
    pub latency_us: i64,
    pub error: Option<String>,
    /// A JSON list of `[name, value]` pairs, as received.
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub request_body: Option<String>,
}

impl AttemptRow {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(webhook_attempts::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// The attempts of these deliveries, each delivery's oldest first.
    pub fn for_deliveries(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<Self>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        webhook_attempts::table
            .filter(webhook_attempts::delivery_id.eq_any(ids))
            .order((
                webhook_attempts::delivery_id.asc(),
                webhook_attempts::attempted_at.asc(),
                webhook_attempts::id.asc(),
            ))
            .select(Self::as_select())
            .load(conn)
    }

    /// The response headers as pairs (none when nothing answered).
    pub fn headers(&self) -> Vec<(String, String)> {
        self.response_headers
            .as_deref()
            .and_then(|h| serde_json::from_str(h).ok())
            .unwrap_or_default()
    }

    /// Drops the attempts of an endpoint's pending deliveries (deleted with it).
    pub fn delete_for_pending_of(conn: &mut DbConn, endpoint_id: &str) -> QueryResult<()> {
        use crate::db::schema::webhook_deliveries as wd;
        diesel::delete(
            webhook_attempts::table.filter(
                webhook_attempts::delivery_id.eq_any(
                    wd::table
                        .filter(wd::endpoint_id.eq(endpoint_id))
                        .filter(wd::status.eq("pending"))
                        .select(wd::id),
                ),
            ),
        )
        .execute(conn)
        .map(drop)
    }
}
