//! The mail outbox (`mail_outbox`) and the notification kinds people switched off
//! (`mail_opt_outs`). The rules live in `crate::mail`; these are its queries.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{mail_opt_outs, mail_outbox};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct MailRow {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// Unix ms; also the lease of an attempt in flight.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MailRow {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(mail_outbox::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// Takes up to `limit` due mails for one attempt each, as deliveries are taken
    /// (see `claim_due_rows!`).
    pub fn claim_due(
        conn: &mut DbConn,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        claim_due_rows!(conn, mail_outbox, Self, now_ms, lease_ms, limit)
    }

    /// Sent: the body and link are blanked (the row keeps who, what and when).
    pub fn mark_sent(conn: &mut DbConn, id: &str, attempts: i32, now: i64) -> QueryResult<()> {
        diesel::update(mail_outbox::table.find(id))
            .set((
                mail_outbox::status.eq("sent"),
                mail_outbox::attempts.eq(attempts),
                mail_outbox::body.eq(""),
                mail_outbox::link.eq(None::<String>),
                mail_outbox::last_error.eq(None::<String>),
                mail_outbox::sent_at.eq(Some(now)),
            ))
            .execute(conn)
            .map(drop)
    }

    /// A failed attempt: due again at `retry_at_ms`, or given up (`None`; the body and
    /// link are blanked then too).
    pub fn mark_failed(
        conn: &mut DbConn,
        id: &str,
        attempts: i32,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> QueryResult<()> {
        let target = mail_outbox::table.find(id);
        match retry_at_ms {
            Some(at) => diesel::update(target)
                .set((
                    mail_outbox::attempts.eq(attempts),
                    mail_outbox::last_error.eq(error),
                    mail_outbox::next_attempt_at.eq(at),
                ))
                .execute(conn),
            None => diesel::update(target)
                .set((
                    mail_outbox::status.eq("failed"),
                    mail_outbox::attempts.eq(attempts),
                    mail_outbox::last_error.eq(error),
                    mail_outbox::body.eq(""),
                    mail_outbox::link.eq(None::<String>),
                ))
                .execute(conn),
        }
        .map(drop)
    }

    /// Rows sent or given up before `cutoff` (Unix seconds) are deleted.
    pub fn purge_done_before(conn: &mut DbConn, cutoff: i64) -> QueryResult<usize> {
        diesel::delete(
            mail_outbox::table
                .filter(mail_outbox::status.ne("pending"))
                .filter(mail_outbox::created_at.lt(cutoff)),
        )
        .execute(conn)
    }
}

/// The kinds this person switched off.
pub fn opted_out(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    mail_opt_outs::table
        .filter(mail_opt_outs::user_id.eq(user_id))
        .select(mail_opt_outs::kind)
        .load(conn)
}

/// Of these people, those who switched `kind` off.
pub fn opted_out_of(conn: &mut DbConn, kind: &str, user_ids: &[&str]) -> QueryResult<Vec<String>> {
    mail_opt_outs::table
        .filter(mail_opt_outs::kind.eq(kind))
        .filter(mail_opt_outs::user_id.eq_any(user_ids))
        .select(mail_opt_outs::user_id)
        .load(conn)
}

/// Replaces this person's switched-off kinds with `kinds`.
pub fn set_opted_out(conn: &mut DbConn, user_id: &str, kinds: &[&str]) -> QueryResult<()> {
    crate::db::transaction(conn, |conn| {
        diesel::delete(mail_opt_outs::table.filter(mail_opt_outs::user_id.eq(user_id)))
            .execute(conn)?;
        for kind in kinds {
            diesel::insert_into(mail_opt_outs::table)
                .values((
                    mail_opt_outs::user_id.eq(user_id),
                    mail_opt_outs::kind.eq(*kind),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
