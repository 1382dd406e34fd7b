//! Notices sent once each (a key's expiry warnings): the primary key (subject, kind)
//! decides, so two instances sending the same notice cannot both win.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::DbConn;
use crate::db::schema::lifecycle_notices;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = lifecycle_notices)]
pub struct Notice {
    pub subject_id: String,
    pub kind: String,
    pub created_at: i64,
}

impl Notice {
    /// Whether this notice was sent already.
    pub fn sent(conn: &mut DbConn, subject_id: &str, kind: &str) -> QueryResult<bool> {
        let n: i64 = lifecycle_notices::table
            .filter(lifecycle_notices::subject_id.eq(subject_id))
            .filter(lifecycle_notices::kind.eq(kind))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    }

    /// Records the notice; false when it was recorded before. Runs in a savepoint, so a
    /// lost race leaves the caller's transaction usable (PostgreSQL aborts it otherwise).
    pub fn claim(conn: &mut DbConn, subject_id: &str, kind: &str, now: i64) -> QueryResult<bool> {
        let row = Notice {
            subject_id: subject_id.to_owned(),
            kind: kind.to_owned(),
            created_at: now,
        };
        let inserted = crate::db::transaction(conn, |c| {
            diesel::insert_into(lifecycle_notices::table)
                .values(&row)
                .execute(c)
        });
        match inserted {
            Ok(_) => Ok(true),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
