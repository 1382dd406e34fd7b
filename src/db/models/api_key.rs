//! API keys as stored: the publishable key, SHA-256 of the secret, and the configuration.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::merchant::Merchant;
use crate::db::schema::{api_keys, merchants};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: String,
    pub merchant_id: String,
    pub mode: String,
    pub name: String,
    pub publishable_key: String,
    pub secret_hash: String,
    pub secret_hint: String,
    pub secret_revealed: bool,
    /// `*` or space-separated `resource:level` scopes.
    pub permissions: String,
    /// Space-separated CIDR blocks; empty = any address.
    pub allowed_ips: String,
    pub rate_limit: i32,
    pub expires_at: Option<i64>,
    pub api_version: Option<String>,
    pub require_signature: bool,
    /// `active`, `suspended` or `revoked`; `expired` is derived from `expires_at`.
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub rolled_to: Option<String>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
    /// A canary: no permissions, every use answered like an unknown key, and noticed.
    pub canary: bool,
    /// Why it was revoked: `user`, or `exposed` (reported leaked, found at `exposed_url`).
    pub revoked_reason: Option<String>,
    pub exposed_url: Option<String>,
    /// Spend limits (SPEC §17) as a JSON array; empty = none.
    pub spend_limits: String,
}

/// The columns a key edit may change. `None` clears the version pin (not "leave as is").
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = api_keys, treat_none_as_null = true)]
pub struct KeyChanges {
    pub name: String,
    pub permissions: String,
    pub allowed_ips: String,
    pub rate_limit: i32,
    pub api_version: Option<String>,
    pub require_signature: bool,
    pub spend_limits: String,
    pub updated_at: i64,
}

impl ApiKeyRow {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(api_keys::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// A key of this merchant; another merchant's id is NotFound.
    pub fn find(conn: &mut DbConn, merchant_id: &str, id: &str) -> QueryResult<Self> {
        crate::db::one(
            api_keys::table
                .filter(api_keys::id.eq(id))
                .filter(api_keys::merchant_id.eq(merchant_id))
                .select(Self::as_select())
                .load(conn),
        )
    }

    /// Newest first, optionally one mode only.
    pub fn list(
        conn: &mut DbConn,
        merchant_id: &str,
        mode: Option<&str>,
    ) -> QueryResult<Vec<Self>> {
        let mut query = api_keys::table
            .filter(api_keys::merchant_id.eq(merchant_id))
            .order((api_keys::created_at.desc(), api_keys::id.desc()))
            .select(Self::as_select())
            .into_boxed();
        if let Some(mode) = mode {
            query = query.filter(api_keys::mode.eq(mode.to_owned()));
        }
        query.load(conn)
    }

    /// One page of a merchant's keys, newest first, filtered in the database: `status` as
    /// shown (`expired` is decided from `expires_at` at `now`), after the key `after`
    /// (its creation time and id), `fetch` rows at most.
    #[allow(clippy::too_many_arguments)]
    pub fn page(
        conn: &mut DbConn,
        merchant_id: &str,
        mode: Option<&str>,
        status: Option<&str>,
        now: i64,
        after: Option<(i64, &str)>,
        fetch: i64,
    ) -> QueryResult<Vec<Self>> {
        let live = api_keys::expires_at
            .is_null()
            .or(api_keys::expires_at.gt(now));
        let mut query = api_keys::table
            .filter(api_keys::merchant_id.eq(merchant_id))
            .order((api_keys::created_at.desc(), api_keys::id.desc()))
            .limit(fetch)
            .select(Self::as_select())
            .into_boxed();
        if let Some(mode) = mode {
            query = query.filter(api_keys::mode.eq(mode.to_owned()));
        }
        query = match status {
            None => query,
            Some("revoked") => query.filter(api_keys::status.eq("revoked")),
            Some("expired") => query
                .filter(api_keys::status.ne("revoked"))
                .filter(api_keys::expires_at.le(now)),
            Some(other) => query
                .filter(api_keys::status.eq(other.to_owned()))
                .filter(live),
        };
        if let Some((created_at, id)) = after {
            query = query.filter(
                api_keys::created_at.lt(created_at).or(api_keys::created_at
                    .eq(created_at)
                    .and(api_keys::id.lt(id.to_owned()))),
            );
        }
        query.load(conn)
    }

    pub fn update(conn: &mut DbConn, id: &str, changes: &KeyChanges) -> QueryResult<()> {
        diesel::update(api_keys::table.find(id))
            .set(changes)
            .execute(conn)
            .map(drop)
    }

    /// Moves `from` → `to`; returns false when the key was not in `from` (a race lost, or
    /// a revoked key that must stay revoked).
    pub fn set_status(
        conn: &mut DbConn,
        id: &str,
        from: &[&str],
        to: &str,
        now: i64,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id))
                .filter(api_keys::status.eq_any(from)),
        )
        .set((api_keys::status.eq(to), api_keys::updated_at.eq(now)))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// After a roll: the old key stops at `expires_at` and points at its successor. False
    /// when it was rolled already (the guard that makes concurrent rolls exclusive).
    pub fn retire(
        conn: &mut DbConn,
        id: &str,
        expires_at: i64,
        rolled_to: &str,
        now: i64,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id))
                .filter(api_keys::rolled_to.is_null()),
        )
        .set((
            api_keys::expires_at.eq(Some(expires_at)),
            api_keys::rolled_to.eq(Some(rolled_to)),
            api_keys::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Marks the secret as shown. True only for the one call that flips it, so the
    /// show-once page shows it once even across instances and replayed cookies.
    pub fn claim_reveal(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
        let n = diesel::update(
            api_keys::table
                .filter(api_keys::id.eq(id))
                .filter(api_keys::secret_revealed.eq(false)),
        )
        .set(api_keys::secret_revealed.eq(true))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// The key whose secret hashes to `secret_hash`, or the newest whose publishable key
    /// is `publishable`, with its merchant: one indexed query, on every API request.
    pub fn find_for_request(
        conn: &mut DbConn,
        secret_hash: Option<&str>,
        publishable: Option<&str>,
    ) -> QueryResult<Option<(Self, Merchant)>> {
        let mut query = api_keys::table
            .inner_join(merchants::table)
            .select((Self::as_select(), Merchant::as_select()))
            .into_boxed();
        query = match (secret_hash, publishable) {
            (Some(hash), _) => query.filter(api_keys::secret_hash.eq(hash.to_owned())),
            // A kept publishable key is shared along a chain of rolls: the key not
            // rolled (the newest) answers for it.
            (None, Some(pk)) => query
                .filter(api_keys::publishable_key.eq(pk.to_owned()))
                .order((
                    api_keys::rolled_to.is_null().desc(),
                    api_keys::created_at.desc(),
                    api_keys::id.desc(),
                ))
                .limit(1),
            (None, None) => return Ok(None),
        };
        crate::db::one(query.load(conn)).optional()
    }

    /// Why a key was revoked: `user`, or `exposed` with where it was found.
    pub fn set_revoked_reason(
        conn: &mut DbConn,
        id: &str,
        reason: &str,
        url: Option<&str>,
    ) -> QueryResult<()> {
        diesel::update(api_keys::table.find(id))
            .set((
                api_keys::revoked_reason.eq(reason),
                api_keys::exposed_url.eq(url),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Records the latest use, never moving it backwards (several instances may flush).
    pub fn mark_used(conn: &mut DbConn, id: &str, at: i64, ip: &str) -> QueryResult<()> {
        diesel::update(
            api_keys::table.filter(api_keys::id.eq(id)).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.le(at)),
            ),
        )
        .set((
            api_keys::last_used_at.eq(Some(at)),
            api_keys::last_used_ip.eq(Some(ip)),
        ))
        .execute(conn)
        .map(drop)
    }
}
