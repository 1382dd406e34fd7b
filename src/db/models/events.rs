//! Events: the record of every change, with the lists the API and the dashboard show
//! (by type, by type prefix, the public ones, the ones about an object).

use diesel::prelude::*;

use super::scope::{Scope, like_escape, scoped_table};
use crate::db::DbConn;
use crate::db::schema::events;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub event_type: String,
    /// The object as it was, as JSON.
    pub data: String,
    pub created_at: i64,
    /// The id of that object (a payment's page lists the events about it).
    pub object_id: Option<String>,
}
scoped_table!(EventRow, events);

impl EventRow {
    /// The events about these objects (a payment and its refunds), newest first.
    pub fn about(
        conn: &mut DbConn,
        scope: &Scope,
        object_ids: &[String],
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        Self::scoped(scope, None)
            .filter(events::object_id.eq_any(object_ids.to_vec()))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Every event of the scope, lifecycle ones included (the Hub's people see them).
    pub fn list_all(
        conn: &mut DbConn,
        scope: &Scope,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        Self::scoped(scope, before)
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Events the API shows: never a key's or a webhook endpoint's lifecycle event
    /// (SPEC §9: no API key learns about other keys, canaries included).
    pub fn list_public(
        conn: &mut DbConn,
        scope: &Scope,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        Self::scoped(scope, before)
            .filter(events::event_type.not_like("api\\_key.%").escape('\\'))
            .filter(
                events::event_type
                    .not_like("webhook\\_endpoint.%")
                    .escape('\\'),
            )
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    pub fn list_of_type(
        conn: &mut DbConn,
        scope: &Scope,
        event_type: &str,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        Self::scoped(scope, before)
            .filter(events::event_type.eq(event_type.to_owned()))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// The dashboard's filter: events of type `prefix` or of a type under it by whole
    /// segments (`payment` finds `payment.succeeded`, not `payments.x`); `public_only`
    /// leaves out keys' and endpoints' lifecycle events, as `list_public` does.
    pub fn list_by_prefix(
        conn: &mut DbConn,
        scope: &Scope,
        prefix: &str,
        public_only: bool,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let under = format!("{}.%", like_escape(prefix));
        let mut query = Self::scoped(scope, before).filter(
            events::event_type
                .eq(prefix.to_owned())
                .or(events::event_type.like(under).escape('\\')),
        );
        if public_only {
            query = query
                .filter(events::event_type.not_like("api\\_key.%").escape('\\'))
                .filter(
                    events::event_type
                        .not_like("webhook\\_endpoint.%")
                        .escape('\\'),
                );
        }
        query.limit(limit).select(Self::as_select()).load(conn)
    }
}
