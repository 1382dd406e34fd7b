//! The audit log's keyed hash chain (SPEC §12, §13): how a row is hashed and appended,
//! the one-time re-chain of older rows under the key, `verify`, and checkpoints.

use std::sync::OnceLock;

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AuditEntry;
use crate::db::DbConn;
use crate::db::schema::audit_log;

diesel::table! {
    /// One row: `keyed_at` is NULL until the rows from before the keyed chain are re-chained
    /// under the key (migration 2026-12-02-051500_audit_keyed).
    audit_chain (id) {
        id -> Integer,
        keyed_at -> Nullable<BigInt>,
    }
}

/// The advisory lock that orders appends on PostgreSQL ("paydesk" + 1).
const CHAIN_LOCK: i64 = 0x7061_7964_6573_6b01;
/// The hash the first row chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Rows read at a time while walking the chain.
const PAGE: i64 = 1000;

/// K: HKDF-SHA256 of PAYDESK_SECRET, info `paydesk audit v1`.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self(crate::crypto::hkdf_sha256(secret, "paydesk audit v1"))
    }
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(…)")
    }
}

/// The key appends use. A process serves one PAYDESK_SECRET, and the many places that
/// write audit rows then need not carry it.
static KEY: OnceLock<ChainKey> = OnceLock::new();

/// Sets the key appends use (again with the same secret is fine; another one is refused).
pub fn use_secret(secret: &[u8]) -> Result<(), String> {
    let key = ChainKey::from_secret(secret);
    if *KEY.get_or_init(|| key.clone()) != key {
        return Err(
            "this process already chains the audit log under another PAYDESK_SECRET".into(),
        );
    }
    Ok(())
}

/// At start, before serving: the key appends use, then the one-time re-chain.
pub fn start(conn: &mut DbConn, secret: &[u8]) -> Result<(), String> {
    use_secret(secret)?;
    let report = rechain_once(conn, &ChainKey::from_secret(secret))
        .map_err(|e| format!("re-chaining the audit log under its key: {e}"))?;
    match report {
        Some(r) if r.already_keyed => tracing::warn!(
            "the audit log was marked for re-chaining but its first row already holds under \
             the key: left as it is (someone reset the audit_chain table?)"
        ),
        Some(r) => match &r.broke {
            None => tracing::info!(rows = r.rekeyed, "audit log re-chained under its key"),
            Some(why) => tracing::warn!(
                rows = r.rekeyed,
                "audit log re-chained under its key up to a break in the old chain, {why}; \
                 `paydesk audit verify` reports it"
            ),
        },
        None => {}
    }
    Ok(())
}

fn appending_key() -> QueryResult<&'static ChainKey> {
    KEY.get().ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(
            "the audit chain's key is not set (audit::start has not run)".into(),
        )
    })
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

fn row_json(e: &AuditEntry, seq: i64) -> Vec<u8> {
    serde_json::to_vec(&Chained {
        seq,
        id: &e.id,
        merchant_id: e.merchant_id.as_deref(),
        actor: &e.actor,
        action: &e.action,
        target: &e.target,
        ip: &e.ip,
        detail: &e.detail,
        created_at: e.created_at,
    })
    .unwrap_or_default()
}

/// `HMAC-SHA256(K, previous hash ‖ row JSON)`, lower-case hex.
pub fn chain_hash(key: &ChainKey, previous: &str, e: &AuditEntry, seq: i64) -> String {
    let mac = crate::crypto::hmac_sha256(&key.0, &[previous.as_bytes(), &row_json(e, seq)]);
    crate::crypto::hex(&mac)
}

/// The chain before it was keyed, `SHA-256(previous hash ‖ row JSON)`: checked once, by
/// the re-chain, so that re-keying does not bless rows edited before it.
fn legacy_hash(previous: &str, e: &AuditEntry, seq: i64) -> String {
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(row_json(e, seq));
    crate::crypto::hex(&h.finalize().into())
}

fn same(stored: Option<&str>, expected: &str) -> bool {
    stored.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())))
}

fn lock(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CHAIN_LOCK)
            .execute(pg)?;
    }
    Ok(())
}

/// The last chained row's seq and hash, taking the chain's lock first.
fn chain_head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    lock(conn)?;
    let last: Vec<(Option<i64>, Option<String>)> = audit_log::table
        .filter(audit_log::seq.is_not_null())
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .limit(1)
        .load(conn)?;
    Ok(match last.into_iter().next() {
        Some((Some(seq), Some(hash))) => (seq, hash),
        Some((Some(seq), None)) => (seq, GENESIS.to_owned()),
        _ => (0, GENESIS.to_owned()),
    })
}

/// Appends `entry` as the next row under the process's key.
pub(super) fn append(conn: &mut DbConn, entry: &mut AuditEntry) -> QueryResult<()> {
    let key = appending_key()?;
    crate::db::transaction(conn, |conn| append_with(conn, key, entry))
}

fn append_with(conn: &mut DbConn, key: &ChainKey, entry: &mut AuditEntry) -> QueryResult<()> {
    let (seq, previous) = chain_head(conn)?;
    entry.hash = Some(chain_hash(key, &previous, entry, seq + 1));
    entry.seq = Some(seq + 1);
    diesel::insert_into(audit_log::table)
        .values(&*entry)
        .execute(conn)
        .map(drop)
}

/// What the one-time re-chain did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rechained {
    /// Rows now hashed under the key.
    pub rekeyed: i64,
    /// Where the old chain broke (rows from there on were left as they were).
    pub broke: Option<String>,
    /// Row 1 already held under the key: nothing was touched.
    pub already_keyed: bool,
}

/// Re-chains, once, the rows written before the chain was keyed: None when that is done
/// (or was never asked for). The old SHA-256 chain is walked first and only the part that
/// holds is re-keyed; rows without `seq` join only on a database from before any chain.
/// So a start never chains a row that was slipped in, and never blesses an edit.
pub fn rechain_once(conn: &mut DbConn, key: &ChainKey) -> QueryResult<Option<Rechained>> {
    crate::db::transaction(conn, |conn| {
        lock(conn)?;
        let marker: Vec<Option<i64>> = audit_chain::table
            .filter(audit_chain::id.eq(1))
            .select(audit_chain::keyed_at)
            .load(conn)?;
        // Only the migration asks for a re-chain; a missing row asks for nothing.
        if marker != [None] {
            return Ok(None);
        }
        let report = rechain(conn, key)?;
        diesel::update(audit_chain::table.filter(audit_chain::id.eq(1)))
            .set(audit_chain::keyed_at.eq(crate::clock::now()))
            .execute(conn)?;
        Ok(Some(report))
    })
}

fn rechain(conn: &mut DbConn, key: &ChainKey) -> QueryResult<Rechained> {
    let mut report = Rechained::default();
    let (mut old_previous, mut previous) = (GENESIS.to_owned(), GENESIS.to_owned());
    let mut expected = 1;
    'walk: loop {
        let rows = chained_page(conn, expected - 1)?;
        if rows.is_empty() {
            break;
        }
        for e in rows {
            let seq = e.seq.unwrap_or(0);
            if expected == 1 && same(e.hash.as_deref(), &chain_hash(key, GENESIS, &e, 1)) {
                report.already_keyed = true;
                return Ok(report);
            }
            let why = if seq != expected {
                Some(format!("row {expected} is missing"))
            } else if !same(e.hash.as_deref(), &legacy_hash(&old_previous, &e, seq)) {
                Some(format!(
                    "at row {seq} ({}): its SHA-256 hash did not match",
                    e.id
                ))
            } else {
                None
            };
            if let Some(why) = why {
                report.broke = Some(why);
                break 'walk;
            }
            old_previous = e.hash.clone().unwrap_or_default();
            previous = chain_hash(key, &previous, &e, seq);
            diesel::update(audit_log::table.find(&e.id))
                .set(audit_log::hash.eq(&previous))
                .execute(conn)?;
            report.rekeyed += 1;
            expected += 1;
        }
    }
    if expected == 1 && report.broke.is_none() {
        // Rows from before there was any chain, in the order they were written.
        let legacy: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.is_null())
            .order((audit_log::created_at.asc(), audit_log::id.asc()))
            .select(AuditEntry::as_select())
            .load(conn)?;
        for e in legacy {
            previous = chain_hash(key, &previous, &e, expected);
            diesel::update(audit_log::table.find(&e.id))
                .set((audit_log::seq.eq(expected), audit_log::hash.eq(&previous)))
                .execute(conn)?;
            report.rekeyed += 1;
            expected += 1;
        }
    }
    if report.rekeyed > 0 || report.broke.is_some() {
        let mut detail = format!(
            "{} row(s) re-chained from SHA-256 to HMAC-SHA256",
            report.rekeyed
        );
        if let Some(why) = &report.broke {
            detail.push_str(&format!(
                "; the old chain broke {why}, and rows from there on were left as they were"
            ));
        }
        let mut entry =
            AuditEntry::new(None, "paydesk", "audit.rechained", "audit_log", "", &detail);
        append_with(conn, key, &mut entry)?;
    }
    Ok(report)
}

/// Up to [`PAGE`] chained rows after `after`, in chain order.
fn chained_page(conn: &mut DbConn, after: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::seq.gt(after))
        .order(audit_log::seq.asc())
        .limit(PAGE)
        .select(AuditEntry::as_select())
        .load(conn)
}

/// A row of the chain as `paydesk audit checkpoint` prints it: `SEQ HASH`. Row 0 with
/// [`GENESIS`] stands for the empty log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Checkpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let shape = "expected \"SEQ HASH\" as `paydesk audit checkpoint` prints it";
        let [seq, hash] = s.split_whitespace().collect::<Vec<_>>()[..] else {
            return Err(format!("{shape}: two words, a row number and a hash"));
        };
        let seq: i64 = seq
            .parse()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| format!("{shape}: {seq:?} is not a row number"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "{shape}: the hash must be 64 hexadecimal characters"
            ));
        }
        let hash = hash.to_ascii_lowercase();
        if seq == 0 && hash != GENESIS {
            return Err(format!(
                "{shape}: row 0 (the empty log) has the hash {GENESIS}"
            ));
        }
        Ok(Self { seq, hash })
    }
}

/// What `paydesk audit verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row holds: how many, and the last one.
    Intact { rows: i64, last: Checkpoint },
    /// The first row that breaks the chain (its seq, when it has one), and why.
    Broken {
        seq: Option<i64>,
        id: String,
        why: String,
    },
}

fn broken(seq: Option<i64>, id: &str, why: impl Into<String>) -> QueryResult<ChainCheck> {
    Ok(ChainCheck::Broken {
        seq,
        id: id.to_owned(),
        why: why.into(),
    })
}

/// Walks the chain from the first row, recomputing every hash under `key`; only reads.
/// A row without `seq` or `hash` is a break, and so is a `checkpoint` row that is gone
/// or differs.
pub fn verify(
    conn: &mut DbConn,
    key: &ChainKey,
    checkpoint: Option<&Checkpoint>,
) -> QueryResult<ChainCheck> {
    let mut last = Checkpoint {
        seq: 0,
        hash: GENESIS.to_owned(),
    };
    let mut at_checkpoint = None;
    loop {
        let rows = chained_page(conn, last.seq)?;
        if rows.is_empty() {
            break;
        }
        for e in rows {
            let expected = last.seq + 1;
            let seq = e.seq.unwrap_or(0);
            if seq != expected {
                let why = format!("row {expected} is missing (the next row is {seq})");
                return broken(Some(expected), &e.id, why);
            }
            let hash = chain_hash(key, &last.hash, &e, seq);
            if e.hash.is_none() {
                return broken(Some(seq), &e.id, "it has no hash");
            }
            if !same(e.hash.as_deref(), &hash) {
                let mut why =
                    String::from("its hash does not match its contents and the row before it");
                if seq == 1 {
                    why.push_str(" (or PAYDESK_SECRET is not the one the log was written with)");
                }
                return broken(Some(seq), &e.id, why);
            }
            if checkpoint.is_some_and(|c| c.seq == seq) {
                at_checkpoint = Some(hash.clone());
            }
            last = Checkpoint { seq, hash };
        }
    }
    let outside: Vec<String> = audit_log::table
        .filter(audit_log::seq.is_null())
        .order((audit_log::created_at.asc(), audit_log::id.asc()))
        .select(audit_log::id)
        .limit(1)
        .load(conn)?;
    if let Some(id) = outside.first() {
        return broken(None, id, "it has no seq: it was written outside the chain");
    }
    if let Some(c) = checkpoint.filter(|c| c.seq > 0) {
        if c.seq > last.seq {
            let why = format!(
                "the checkpoint's row {} is gone: the log ends at row {} (its tail was cut off)",
                c.seq, last.seq
            );
            return broken(Some(c.seq), "", why);
        }
        if !same(at_checkpoint.as_deref(), &c.hash) {
            let why = "it differs from the checkpoint (the log was rewritten from there or before)";
            return broken(Some(c.seq), "", why);
        }
    }
    Ok(ChainCheck::Intact {
        rows: last.seq,
        last,
    })
}

/// Whether the rows from before the keyed chain still wait for their re-chain (a start
/// with PAYDESK_SECRET does it); also when the migration that keys the chain has not run.
pub fn rechain_pending(conn: &mut DbConn) -> bool {
    audit_chain::table
        .filter(audit_chain::id.eq(1))
        .select(audit_chain::keyed_at)
        .load::<Option<i64>>(conn)
        .map_or(true, |m| m == [None])
}
