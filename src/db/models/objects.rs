//! The payments API's stored objects: customers, plans, payments, refunds,
//! subscriptions and client sessions (events live in `events.rs`, re-exported here).
//! Every query is scoped to one merchant and one mode, so another merchant's or mode's
//! row is simply not found.

use diesel::prelude::*;

pub use super::events::EventRow;
pub use super::scope::Scope;
use super::scope::{like_escape, scoped_table};

use crate::db::DbConn;
use crate::db::schema::{client_sessions, customers, payments, plans, refunds, subscriptions};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub email: Option<String>,
    pub name: Option<String>,
    pub metadata: String,
    pub created_at: i64,
}
scoped_table!(CustomerRow, customers);

impl CustomerRow {
    /// The dashboard's customer list: names or emails containing `text`, ignoring case
    /// (SQLite's LIKE ignores ASCII case, PostgreSQL's does not, so both sides are
    /// lower-cased).
    pub fn search(
        conn: &mut DbConn,
        scope: &Scope,
        text: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        use diesel::dsl::sql;
        use diesel::sql_types::{Bool, Text};
        let mut query = Self::scoped(scope, before);
        if let Some(t) = text {
            let pattern = format!("%{}%", like_escape(&t.to_lowercase()));
            query = query.filter(
                sql::<Bool>("(lower(email) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR lower(name) LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\')"),
            );
        }
        query.limit(limit).select(Self::as_select()).load(conn)
    }

    /// Changes a customer, and tells the read caches of every instance to forget it
    /// once the transaction commits (`db::read_cache`): the only way a customer changes.
    pub fn update(
        conn: &mut DbConn,
        id: &str,
        email: Option<String>,
        name: Option<String>,
        metadata: String,
    ) -> Result<(), crate::error::Error> {
        diesel::update(customers::table.find(id))
            .set((
                customers::email.eq(email),
                customers::name.eq(name),
                customers::metadata.eq(metadata),
            ))
            .execute(conn)?;
        crate::db::changes::announce(conn, crate::db::changes::object(id))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub name: String,
    pub amount: i64,
    pub currency: String,
    pub billing_interval: String,
    pub created_at: i64,
}
scoped_table!(PlanRow, plans);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub customer_id: Option<String>,
    pub payment_method: String,
    pub status: String,
    pub failure_code: Option<String>,
    pub amount_refunded: i64,
    pub metadata: String,
    pub created_at: i64,
}
scoped_table!(PaymentRow, payments);

/// (currency, status, how many, their total amount).
pub type Totals = (String, String, i64, Option<i64>);

impl PaymentRow {
    /// The dashboard's payment list: by status, customer and creation time. Ids are
    /// time-ordered, so a time window is an id window and every filter walks the
    /// (merchant, mode, id) index.
    #[allow(clippy::too_many_arguments)]
    pub fn search(
        conn: &mut DbConn,
        scope: &Scope,
        status: Option<&str>,
        customer: Option<&str>,
        from_id: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = Self::scoped(scope, before);
        if let Some(s) = status {
            query = query.filter(payments::status.eq(s.to_owned()));
        }
        if let Some(c) = customer {
            query = query.filter(payments::customer_id.eq(c.to_owned()));
        }
        if let Some(from) = from_id {
            query = query.filter(payments::id.ge(from.to_owned()));
        }
        query.limit(limit).select(Self::as_select()).load(conn)
    }

    /// Per (currency, status): how many payments and their total amount, among those made
    /// in `[from_id, to_id)` (a day of the overview; the id range walks the index).
    pub fn totals_between(
        conn: &mut DbConn,
        scope: &Scope,
        from_id: &str,
        to_id: &str,
    ) -> QueryResult<Vec<Totals>> {
        use diesel::dsl::{count_star, sql};
        use diesel::sql_types::{BigInt, Nullable};
        crate::on_backend!(conn, |c| payments::table
            .filter(payments::merchant_id.eq(&scope.merchant_id))
            .filter(payments::livemode.eq(scope.livemode))
            .filter(payments::id.ge(from_id))
            .filter(payments::id.lt(to_id))
            .group_by((payments::currency, payments::status))
            .select((
                payments::currency,
                payments::status,
                count_star(),
                // SUM of a BIGINT is NUMERIC on PostgreSQL; amounts fit in 64 bits.
                sql::<Nullable<BigInt>>("CAST(SUM(amount) AS BIGINT)"),
            ))
            .load(c))
    }

    /// Adds `amount` to what was refunded, only if it still fits: one statement, so two
    /// concurrent refunds (on any instance) can never together exceed the payment.
    pub fn add_refund(conn: &mut DbConn, id: &str, amount: i64) -> QueryResult<bool> {
        let n = diesel::update(
            payments::table
                .filter(payments::id.eq(id))
                .filter(payments::status.eq("succeeded"))
                .filter((payments::amount_refunded + amount).le(payments::amount)),
        )
        .set(payments::amount_refunded.eq(payments::amount_refunded + amount))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// (currency, amount, amount_refunded) of every succeeded payment in scope.
    pub fn succeeded_totals(
        conn: &mut DbConn,
        scope: &Scope,
    ) -> QueryResult<Vec<(String, i64, i64)>> {
        payments::table
            .filter(payments::merchant_id.eq(&scope.merchant_id))
            .filter(payments::livemode.eq(scope.livemode))
            .filter(payments::status.eq("succeeded"))
            .select((
                payments::currency,
                payments::amount,
                payments::amount_refunded,
            ))
            .load(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds)]
pub struct RefundRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub payment_id: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub created_at: i64,
}
scoped_table!(RefundRow, refunds);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub customer_id: String,
    pub plan_id: String,
    pub status: String,
    pub current_period_end: i64,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub created_at: i64,
}
scoped_table!(SubscriptionRow, subscriptions);

#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = subscriptions, treat_none_as_null = true)]
pub struct SubscriptionChanges {
    pub plan_id: String,
    pub status: String,
    pub current_period_end: i64,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
}

impl SubscriptionRow {
    pub fn search(
        conn: &mut DbConn,
        scope: &Scope,
        customer: Option<&str>,
        status: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut query = Self::scoped(scope, before);
        if let Some(c) = customer {
            query = query.filter(subscriptions::customer_id.eq(c.to_owned()));
        }
        if let Some(s) = status {
            query = query.filter(subscriptions::status.eq(s.to_owned()));
        }
        query.limit(limit).select(Self::as_select()).load(conn)
    }

    pub fn update(conn: &mut DbConn, id: &str, changes: &SubscriptionChanges) -> QueryResult<()> {
        diesel::update(subscriptions::table.find(id))
            .set(changes)
            .execute(conn)
            .map(drop)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = client_sessions, treat_none_as_null = true)]
pub struct ClientSessionRow {
    pub id: String,
    pub merchant_id: String,
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub customer_id: Option<String>,
    pub client_token: String,
    pub status: String,
    pub expires_at: i64,
    pub created_at: i64,
}
scoped_table!(ClientSessionRow, client_sessions);

impl ClientSessionRow {
    pub fn save(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::update(client_sessions::table.find(&self.id))
            .set(self)
            .execute(conn)
            .map(drop)
    }
}

impl RefundRow {
    /// A payment's refunds, newest first.
    pub fn for_payment(
        conn: &mut DbConn,
        scope: &Scope,
        payment_id: &str,
    ) -> QueryResult<Vec<Self>> {
        Self::scoped(scope, None)
            .filter(refunds::payment_id.eq(payment_id.to_owned()))
            .limit(100)
            .select(Self::as_select())
            .load(conn)
    }
}
