//! The audit log: who did what to which target, from where, when (UTC). Tamper-evident:
//! the rows form one hash chain (SPEC §12). Each row gets the next `seq` under a lock (a
//! transaction-scoped advisory lock on PostgreSQL, the write lock on SQLite) and stores
//! `hash = SHA-256(previous hash ‖ the row as JSON, fields in a fixed order)`; `verify`
//! walks the chain.

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::schema::audit_log;

/// The advisory lock that orders appends on PostgreSQL ("paydesk" + 1).
const CHAIN_LOCK: i64 = 0x7061_7964_6573_6b01;
/// The hash the first row chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    /// Its place in the chain (1, 2, …); None only before `chain_existing` has run.
    pub seq: Option<i64>,
    pub hash: Option<String>,
}

/// The row as it is hashed: these fields, in this order.
#[derive(Serialize)]
struct Chained<'a> {
    seq: i64,
    id: &'a str,
    merchant_id: Option<&'a str>,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    ip: &'a str,
    detail: &'a str,
    created_at: i64,
}

/// `SHA-256(previous hash ‖ row JSON)`, lower-case hex.
pub fn chain_hash(previous: &str, e: &AuditEntry, seq: i64) -> String {
    let row = Chained {
        seq,
        id: &e.id,
        merchant_id: e.merchant_id.as_deref(),
        actor: &e.actor,
        action: &e.action,
        target: &e.target,
        ip: &e.ip,
        detail: &e.detail,
        created_at: e.created_at,
    };
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(serde_json::to_vec(&row).unwrap_or_default());
    crate::crypto::hex(&h.finalize().into())
}

/// The last chained row's seq and hash, taking the chain's lock first.
fn chain_head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CHAIN_LOCK)
            .execute(pg)?;
    }
    let last: Vec<(Option<i64>, Option<String>)> = audit_log::table
        .filter(audit_log::seq.is_not_null())
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .limit(1)
        .load(conn)?;
    Ok(match last.into_iter().next() {
        Some((Some(seq), Some(hash))) => (seq, hash),
        _ => (0, GENESIS.to_owned()),
    })
}

/// Chains rows written before the chain existed (the migration that added it), oldest
/// first. Runs after migrating; a no-op once every row is chained.
pub fn chain_existing(conn: &mut DbConn) -> QueryResult<usize> {
    crate::db::transaction(conn, |conn| {
        let unchained: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.is_null())
            .order((audit_log::created_at.asc(), audit_log::id.asc()))
            .select(AuditEntry::as_select())
            .load(conn)?;
        if unchained.is_empty() {
            return Ok(0);
        }
        let (mut seq, mut previous) = chain_head(conn)?;
        for e in &unchained {
            seq += 1;
            previous = chain_hash(&previous, e, seq);
            diesel::update(audit_log::table.find(&e.id))
                .set((audit_log::seq.eq(seq), audit_log::hash.eq(&previous)))
                .execute(conn)?;
        }
        Ok(unchained.len())
    })
}

/// What `paydesk audit verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row holds: how many.
    Intact(usize),
    /// The first row that breaks the chain, and why.
    Broken { seq: i64, id: String, why: String },
}

/// Walks the chain from the first row, recomputing every hash.
pub fn verify(conn: &mut DbConn) -> QueryResult<ChainCheck> {
    let mut previous = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut count = 0;
    let mut after: i64 = 0;
    loop {
        let rows: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(1000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        for e in rows {
            let seq = e.seq.unwrap_or(0);
            if seq != expected_seq {
                return Ok(ChainCheck::Broken {
                    seq: expected_seq,
                    id: e.id,
                    why: format!("row {expected_seq} is missing (the next row is {seq})"),
                });
            }
            let hash = chain_hash(&previous, &e, seq);
            if e.hash.as_deref() != Some(hash.as_str()) {
                return Ok(ChainCheck::Broken {
                    seq,
                    id: e.id,
                    why: "its hash does not match its contents and the row before it".into(),
                });
            }
            previous = hash;
            expected_seq += 1;
            after = seq;
            count += 1;
        }
    }
    let unchained: i64 = audit_log::table
        .filter(audit_log::seq.is_null())
        .count()
        .get_result(conn)?;
    if unchained > 0 {
        return Ok(ChainCheck::Broken {
            seq: expected_seq,
            id: String::new(),
            why: format!("{unchained} rows are not in the chain"),
        });
    }
    Ok(ChainCheck::Intact(count))
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
        let mut entry = AuditEntry {
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
        };
        crate::db::transaction(conn, |conn| {
            let (seq, previous) = chain_head(conn)?;
            entry.hash = Some(chain_hash(&previous, &entry, seq + 1));
            entry.seq = Some(seq + 1);
            diesel::insert_into(audit_log::table)
                .values(&entry)
                .execute(conn)
                .map(drop)
        })
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
