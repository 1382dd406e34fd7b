//! Management keys as stored (SPEC §17): SHA-256 of the secret, the scopes, the live
//! grant, the allowlist, the expiry, and their use. The table is declared here, beside
//! its only queries, so that it stays out of the shared `schema.rs`.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::merchant::Merchant;
use crate::db::schema::merchants;

diesel::table! {
    management_keys (id) {
        id -> Text,
        merchant_id -> Text,
        name -> Text,
        secret_hash -> Text,
        secret_hint -> Text,
        scopes -> Text,
        live -> Bool,
        allowed_ips -> Text,
        expires_at -> BigInt,
        status -> Text,
        created_at -> BigInt,
        created_by -> Text,
        updated_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        last_used_ip -> Nullable<Text>,
        request_count -> BigInt,
    }
}

diesel::joinable!(management_keys -> merchants (merchant_id));
diesel::allow_tables_to_appear_in_same_query!(management_keys, merchants);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = management_keys)]
pub struct ManagementKeyRow {
    pub id: String,
    pub merchant_id: String,
    pub name: String,
    pub secret_hash: String,
    pub secret_hint: String,
    /// Space-separated scopes (`api_keys:write webhook_endpoints:read`).
    pub scopes: String,
    pub live: bool,
    /// Space-separated CIDR blocks; empty = any address.
    pub allowed_ips: String,
    pub expires_at: i64,
    /// `active`, `suspended` or `revoked`; `expired` is derived from `expires_at`.
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    pub request_count: i64,
}

impl ManagementKeyRow {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(management_keys::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// A key of this merchant; another merchant's id is NotFound.
    pub fn find(conn: &mut DbConn, merchant_id: &str, id: &str) -> QueryResult<Self> {
        crate::db::one(
            management_keys::table
                .filter(management_keys::id.eq(id))
                .filter(management_keys::merchant_id.eq(merchant_id))
                .select(Self::as_select())
                .load(conn),
        )
    }

    /// One page of a merchant's management keys, newest first, after the key `after`
    /// (its creation time and id), `fetch` rows at most.
    pub fn page(
        conn: &mut DbConn,
        merchant_id: &str,
        after: Option<(i64, &str)>,
        fetch: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = management_keys::table
            .filter(management_keys::merchant_id.eq(merchant_id))
            .order((
                management_keys::created_at.desc(),
                management_keys::id.desc(),
            ))
            .limit(fetch)
            .select(Self::as_select())
            .into_boxed();
        if let Some((created_at, id)) = after {
            query = query.filter(
                management_keys::created_at
                    .lt(created_at)
                    .or(management_keys::created_at
                        .eq(created_at)
                        .and(management_keys::id.lt(id.to_owned()))),
            );
        }
        query.load(conn)
    }

    /// Moves `from` → `to`; false when the key was not in `from` (a race lost, or a
    /// revoked key, which stays revoked).
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        from: &[&str],
        to: &str,
        now: i64,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            management_keys::table
                .filter(management_keys::id.eq(id))
                .filter(management_keys::status.eq_any(from)),
        )
        .set((
            management_keys::status.eq(to),
            management_keys::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// The key whose secret hashes to `secret_hash`, with its merchant: one indexed query.
    pub fn find_for_request(
        conn: &mut DbConn,
        secret_hash: &str,
    ) -> QueryResult<Option<(Self, Merchant)>> {
        crate::db::one(
            management_keys::table
                .inner_join(merchants::table)
                .filter(management_keys::secret_hash.eq(secret_hash))
                .select((Self::as_select(), Merchant::as_select()))
                .load(conn),
        )
        .optional()
    }

    /// Adds `requests` uses and records the latest, never moving it backwards (several
    /// instances may flush).
    pub fn mark_used(
        conn: &mut DbConn,
        id: &str,
        at: i64,
        ip: &str,
        requests: i64,
    ) -> QueryResult<()> {
        diesel::update(management_keys::table.filter(management_keys::id.eq(id)))
            .set(management_keys::request_count.eq(management_keys::request_count + requests))
            .execute(conn)?;
        diesel::update(
            management_keys::table
                .filter(management_keys::id.eq(id))
                .filter(
                    management_keys::last_used_at
                        .is_null()
                        .or(management_keys::last_used_at.le(at)),
                ),
        )
        .set((
            management_keys::last_used_at.eq(Some(at)),
            management_keys::last_used_ip.eq(Some(ip)),
        ))
        .execute(conn)
        .map(drop)
    }
}
