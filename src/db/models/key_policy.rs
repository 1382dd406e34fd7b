//! A merchant's key policy as stored (SPEC §17): one row, absent until an Admin sets it.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::key_policies;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = key_policies, treat_none_as_null = true)]
pub struct KeyPolicyRow {
    pub merchant_id: String,
    /// Live keys must expire within this many days of being made; None = no maximum.
    pub live_max_lifetime_days: Option<i32>,
    pub live_require_allowed_ips: bool,
    pub live_require_signature: bool,
    pub updated_at: i64,
    pub updated_by: String,
}

impl KeyPolicyRow {
    pub fn find(conn: &mut DbConn, merchant_id: &str) -> QueryResult<Option<Self>> {
        let rows = key_policies::table
            .filter(key_policies::merchant_id.eq(merchant_id))
            .select(Self::as_select())
            .load(conn)?;
        Ok(rows.into_iter().next())
    }

    /// Writes the row, made or replaced.
    pub fn save(&self, conn: &mut DbConn) -> QueryResult<()> {
        crate::on_backend!(conn, |c| diesel::insert_into(key_policies::table)
            .values(self)
            .on_conflict(key_policies::merchant_id)
            .do_update()
            .set(self)
            .execute(c))?;
        Ok(())
    }
}
