//! Merchants: the accounts that own users, keys and payments.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::merchants;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = merchants)]
pub struct Merchant {
    pub id: String,
    pub name: String,
    /// Verified merchants may use live mode.
    pub verified: bool,
    pub created_at: i64,
    /// Every member must use two-factor sign-in (an Admin's switch on Team).
    pub require_2fa: bool,
}

impl Merchant {
    pub fn set_require_2fa(conn: &mut DbConn, id: &str, required: bool) -> QueryResult<()> {
        diesel::update(merchants::table.find(id))
            .set(merchants::require_2fa.eq(required))
            .execute(conn)
            .map(drop)
    }

    pub fn new(name: &str) -> Self {
        Self {
            id: crate::ids::new_id("mer"),
            name: name.to_owned(),
            verified: false,
            created_at: crate::clock::now(),
            require_2fa: false,
        }
    }

    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(merchants::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Self> {
        crate::db::one(crate::on_backend!(conn, |c| merchants::table
            .find(id)
            .select(Self::as_select())
            .load(c)))
    }

    pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<Self>> {
        crate::db::one(
            merchants::table
                .filter(merchants::name.eq(name))
                .select(Self::as_select())
                .load(conn),
        )
        .optional()
    }

    pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Self>> {
        merchants::table
            .order(merchants::name)
            .select(Self::as_select())
            .load(conn)
    }

    pub fn set_verified(conn: &mut DbConn, id: &str, verified: bool) -> QueryResult<()> {
        diesel::update(merchants::table.find(id))
            .set(merchants::verified.eq(verified))
            .execute(conn)
            .map(drop)
    }
}
