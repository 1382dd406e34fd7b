//! The audit log: who did what to which target, from where, when (UTC). Tamper-evident:
//! the rows form one hash chain keyed by PAYDESK_SECRET (SPEC §12, §13; see [`chain`]).
//! Each row gets the next `seq` under a lock (a transaction-scoped advisory lock on
//! PostgreSQL, the write lock on SQLite).

pub mod chain;

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::audit_log;

pub use chain::{ChainCheck, ChainKey, Checkpoint, GENESIS, start, verify};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    pub merchant_id: Option<String>,
    /// The acting user's email (or `cli`).
    pub actor: String,
    /// Dotted verb such as `sign_in.failed`, `team.role_changed`, `api_key.revoked`.
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
    pub created_at: i64,
    /// Its place in the chain (1, 2, …); None only on a row written outside the chain
    /// (or before there was one), which `verify` reports.
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

impl AuditEntry {
    pub fn record(
        conn: &mut DbConn,
        merchant_id: Option<&str>,
        actor: &str,
        action: &str,
        target: &str,
        ip: &str,
        detail: &str,
    ) -> QueryResult<()> {
        let mut entry = Self::new(merchant_id, actor, action, target, ip, detail);
        chain::append(conn, &mut entry)
    }

    /// A row not yet in the chain (no seq or hash), stamped now.
    fn new(
        merchant_id: Option<&str>,
        actor: &str,
        action: &str,
        target: &str,
        ip: &str,
        detail: &str,
    ) -> Self {
        AuditEntry {
            // Time-ordered so entries in the same second still list newest first.
            id: crate::ids::time_ordered_id("aud"),
            merchant_id: merchant_id.map(str::to_owned),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            ip: ip.to_owned(),
            detail: detail.to_owned(),
            created_at: crate::clock::now(),
            seq: None,
            hash: None,
        }
    }

    /// Newest first.
    pub fn list_for_merchant(
        conn: &mut DbConn,
        merchant_id: &str,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        audit_log::table
            .filter(audit_log::merchant_id.eq(merchant_id))
            .order(audit_log::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// One page of the audit log page, newest first, after `filter`: entries older than
    /// `filter.before` (an entry id; ids are time-ordered, so the id is the keyset).
    pub fn page_for_merchant(
        conn: &mut DbConn,
        merchant_id: &str,
        filter: &AuditFilter,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = audit_log::table
            .filter(audit_log::merchant_id.eq(merchant_id))
            .into_boxed();
        if !filter.action_prefix.is_empty() {
            query = query.filter(
                audit_log::action
                    .like(format!("{}%", escape_like(&filter.action_prefix)))
                    .escape('\\'),
            );
        }
        if !filter.actor.is_empty() {
            query = query.filter(audit_log::actor.eq(&filter.actor));
        }
        if !filter.target.is_empty() {
            query = query.filter(audit_log::target.eq(&filter.target));
        }
        if let Some(before) = &filter.before {
            query = query.filter(audit_log::id.lt(before));
        }
        query
            .order(audit_log::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Newest first, entries about one target (a key id, say).
    pub fn list_for_target(
        conn: &mut DbConn,
        merchant_id: &str,
        target: &str,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        audit_log::table
            .filter(audit_log::merchant_id.eq(merchant_id))
            .filter(audit_log::target.eq(target))
            .order(audit_log::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }
}

/// What the audit page filters on; empty strings filter nothing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `api_key.` matches every key action.
    pub action_prefix: String,
    pub actor: String,
    pub target: String,
    pub before: Option<String>,
}

/// `%`, `_` and the escape itself match only themselves.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl AuditEntry {
    /// Which of these targets still exist in the merchant: key ids, webhook endpoint ids,
    /// and members (by email or user id), so the page links only to what opens.
    pub fn existing_targets(
        conn: &mut DbConn,
        merchant_id: &str,
        targets: &[String],
    ) -> QueryResult<std::collections::HashSet<String>> {
        use crate::db::schema::{api_keys, users, webhook_endpoints};
        let mut found = std::collections::HashSet::new();
        let of = |prefix: &str| -> Vec<&String> {
            targets.iter().filter(|t| t.starts_with(prefix)).collect()
        };
        let keys = of("key_");
        if !keys.is_empty() {
            found.extend(
                api_keys::table
                    .filter(api_keys::merchant_id.eq(merchant_id))
                    .filter(api_keys::id.eq_any(keys))
                    .select(api_keys::id)
                    .load::<String>(conn)?,
            );
        }
        let endpoints = of("we_");
        if !endpoints.is_empty() {
            found.extend(
                webhook_endpoints::table
                    .filter(webhook_endpoints::merchant_id.eq(merchant_id))
                    .filter(webhook_endpoints::id.eq_any(endpoints))
                    .select(webhook_endpoints::id)
                    .load::<String>(conn)?,
            );
        }
        let people: Vec<&String> = targets
            .iter()
            .filter(|t| t.starts_with("usr_") || t.contains('@'))
            .collect();
        if !people.is_empty() {
            for (id, email) in users::table
                .filter(users::merchant_id.eq(merchant_id))
                .filter(users::id.eq_any(&people).or(users::email.eq_any(&people)))
                .select((users::id, users::email))
                .load::<(String, String)>(conn)?
            {
                found.insert(id);
                found.insert(email);
            }
        }
        Ok(found)
    }
}
