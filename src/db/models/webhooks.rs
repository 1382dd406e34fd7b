//! Webhook endpoints and their deliveries (the outbox).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub url: String,
    pub description: String,
    /// `*` or space-separated event types.
    pub enabled_events: String,
    pub api_key_id: Option<String>,
    pub api_version: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    pub secret_sealed: String,
    pub old_secret_sealed: Option<String>,
    pub old_secret_until: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
    /// Unix seconds: when the current run of failed attempts began (none since a delivery).
    pub failing_since: Option<i64>,
    /// Why Paydesk disabled it (shown as a banner), if it did.
    pub disabled_reason: Option<String>,
}

/// What choosing an event's endpoints reads of each enabled one.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EventTarget {
    pub id: String,
    /// `*` or space-separated event types.
    pub enabled_events: String,
    pub api_key_id: Option<String>,
}

impl EndpointRow {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(webhook_endpoints::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, merchant_id: &str, id: &str) -> QueryResult<Self> {
        crate::db::one(
            webhook_endpoints::table
                .filter(webhook_endpoints::id.eq(id))
                .filter(webhook_endpoints::merchant_id.eq(merchant_id))
                .select(Self::as_select())
                .load(conn),
        )
    }

    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Self> {
        crate::db::one(
            webhook_endpoints::table
                .filter(webhook_endpoints::id.eq(id))
                .select(Self::as_select())
                .load(conn),
        )
    }

    /// A merchant's endpoints, newest first (created_at, id).
    pub fn list(conn: &mut DbConn, merchant_id: &str) -> QueryResult<Vec<Self>> {
        webhook_endpoints::table
            .filter(webhook_endpoints::merchant_id.eq(merchant_id))
            .order((
                webhook_endpoints::created_at.desc(),
                webhook_endpoints::id.desc(),
            ))
            .select(Self::as_select())
            .load(conn)
    }

    /// One page of a merchant's endpoints, newest first, after the endpoint `after` (its
    /// creation time and id).
    pub fn page(
        conn: &mut DbConn,
        merchant_id: &str,
        after: Option<(i64, &str)>,
        fetch: i64,
    ) -> QueryResult<Vec<Self>> {
        use webhook_endpoints as we;
        let mut query = we::table
            .filter(we::merchant_id.eq(merchant_id))
            .order((we::created_at.desc(), we::id.desc()))
            .limit(fetch)
            .select(Self::as_select())
            .into_boxed();
        if let Some((created_at, id)) = after {
            query = query.filter(
                we::created_at
                    .lt(created_at)
                    .or(we::created_at.eq(created_at).and(we::id.lt(id.to_owned()))),
            );
        }
        query.load(conn)
    }

    /// The enabled endpoints of a merchant and mode (the outbox's recipients).
    pub fn enabled_in(
        conn: &mut DbConn,
        merchant_id: &str,
        livemode: bool,
    ) -> QueryResult<Vec<EventTarget>> {
        // On every event: on the concrete connection, so the prepared statement is cached;
        // only what choosing the endpoints needs (a whole row cost twice as much to read).
        crate::on_backend!(conn, |c| webhook_endpoints::table
            .filter(webhook_endpoints::merchant_id.eq(merchant_id))
            .filter(webhook_endpoints::livemode.eq(livemode))
            .filter(webhook_endpoints::status.eq("enabled"))
            .select(EventTarget::as_select())
            .load(c))
    }

    /// A new status, with Paydesk's reason when it disabled the endpoint itself; the
    /// run of failures starts afresh.
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        status: &str,
        reason: Option<&str>,
    ) -> QueryResult<()> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::status.eq(status),
                webhook_endpoints::disabled_reason.eq(reason),
                webhook_endpoints::failing_since.eq(None::<i64>),
            ))
            .execute(conn)
            .map(drop)
    }

    pub fn set_secret(
        conn: &mut DbConn,
        id: &str,
        sealed: &str,
        old: Option<&str>,
        old_until: Option<i64>,
    ) -> QueryResult<()> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::secret_sealed.eq(sealed),
                webhook_endpoints::old_secret_sealed.eq(old),
                webhook_endpoints::old_secret_until.eq(old_until),
            ))
            .execute(conn)
            .map(drop)
    }

    /// A revoked key's endpoints stop (SPEC §9).
    pub fn disable_bound_to(conn: &mut DbConn, key_id: &str) -> QueryResult<()> {
        diesel::update(webhook_endpoints::table.filter(webhook_endpoints::api_key_id.eq(key_id)))
            .set((
                webhook_endpoints::status.eq("disabled"),
                webhook_endpoints::disabled_reason.eq("Its API key was revoked."),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Rolling a key moves its endpoints to the new key.
    pub fn move_binding(conn: &mut DbConn, from: &str, to: &str) -> QueryResult<()> {
        diesel::update(webhook_endpoints::table.filter(webhook_endpoints::api_key_id.eq(from)))
            .set(webhook_endpoints::api_key_id.eq(to))
            .execute(conn)
            .map(drop)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
// NULL, not DEFAULT, for None: one INSERT text whatever a row holds, so its query id is
// static and the cached statement is found by type, without writing its SQL each time.
#[diesel(treat_none_as_default_value = false)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// Unix ms: when the next attempt is due (or the lease of one in flight ends).
    pub next_attempt_at: i64,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i32>,
    pub response_body: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DeliveryRow {
    /// Runs inside the request that made the event: on the concrete connection, so the
    /// prepared statement is cached.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        crate::on_backend!(conn, |c| diesel::insert_into(webhook_deliveries::table)
            .values(self)
            .execute(c)
            .map(drop))
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Self> {
        crate::db::one(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq(id))
                .select(Self::as_select())
                .load(conn),
        )
    }

    /// An endpoint's deliveries, newest first, older than the delivery `after` (ids are
    /// time-ordered), `limit` at most.
    pub fn for_endpoint(
        conn: &mut DbConn,
        endpoint_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .order(webhook_deliveries::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .into_boxed();
        if let Some(after) = after {
            query = query.filter(webhook_deliveries::id.lt(after.to_owned()));
        }
        query.load(conn)
    }

    /// Takes up to `limit` due deliveries for one attempt each (see `claim_due_rows!`).
    pub fn claim_due(
        conn: &mut DbConn,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        claim_due_rows!(conn, webhook_deliveries, Self, now_ms, lease_ms, limit)
    }

    /// Records an attempt's outcome.
    #[allow(clippy::too_many_arguments)]
    pub fn record_attempt(
        conn: &mut DbConn,
        id: &str,
        status: &str,
        attempts: i32,
        next_attempt_at: i64,
        http_status: Option<i32>,
        error: Option<&str>,
        latency_ms: i32,
        body: Option<&str>,
        now: i64,
    ) -> QueryResult<()> {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::attempts.eq(attempts),
                webhook_deliveries::next_attempt_at.eq(next_attempt_at),
                webhook_deliveries::last_status.eq(http_status),
                webhook_deliveries::last_error.eq(error),
                webhook_deliveries::last_latency_ms.eq(Some(latency_ms)),
                webhook_deliveries::response_body.eq(body),
                webhook_deliveries::updated_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }
}
