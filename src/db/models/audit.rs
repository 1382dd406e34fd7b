//! The audit log: who did what to which target, from where, when (UTC).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::audit_log;

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
        let entry = AuditEntry {
            // Time-ordered so entries in the same second still list newest first.
            id: crate::ids::time_ordered_id("aud"),
            merchant_id: merchant_id.map(str::to_owned),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            ip: ip.to_owned(),
            detail: detail.to_owned(),
            created_at: crate::clock::now(),
        };
        diesel::insert_into(audit_log::table)
            .values(&entry)
            .execute(conn)
            .map(drop)
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
