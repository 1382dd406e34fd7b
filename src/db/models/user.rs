//! Users: people who sign in to the dashboard, each in one merchant with one role.

use std::fmt;
use std::str::FromStr;

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::users;

/// What a user may do. Admin ⊃ Developer ⊃ Viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Developer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Developer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Developer => "Developer",
            Role::Viewer => "Viewer",
        }
    }

    /// Admins and Developers use the Developer Hub; Viewers only look at the overview.
    pub fn can_use_hub(self) -> bool {
        self >= Role::Developer
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(Role::Admin),
            "developer" => Ok(Role::Developer),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!(
                "unknown role {other:?}: use admin, developer or viewer"
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub merchant_id: String,
    /// Stored lower-cased; unique across Paydesk.
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    /// The TOTP secret, sealed (`crypto::Sealer`); None while two-factor is off.
    pub totp_secret: Option<String>,
    /// The last time step whose code was accepted: a code works once.
    pub totp_last_step: Option<i64>,
}

impl User {
    pub fn role(&self) -> Role {
        // Rows are only written through `Role::as_str`; an unknown value grants least.
        self.role.parse().unwrap_or(Role::Viewer)
    }

    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(users::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Self> {
        crate::db::one(crate::on_backend!(conn, |c| users::table
            .find(id)
            .select(Self::as_select())
            .load(c)))
    }

    pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Self>> {
        crate::db::one(crate::on_backend!(conn, |c| users::table
            .filter(users::email.eq(email))
            .select(Self::as_select())
            .load(c)))
        .optional()
    }

    pub fn any_exists(conn: &mut DbConn) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
    }

    pub fn list_for_merchant(conn: &mut DbConn, merchant_id: &str) -> QueryResult<Vec<Self>> {
        users::table
            .filter(users::merchant_id.eq(merchant_id))
            .order(users::email)
            .select(Self::as_select())
            .load(conn)
    }

    pub fn set_role(conn: &mut DbConn, id: &str, role: Role) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set(users::role.eq(role.as_str()))
            .execute(conn)
            .map(drop)
    }

    pub fn set_password(conn: &mut DbConn, id: &str, password_hash: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set(users::password_hash.eq(password_hash))
            .execute(conn)
            .map(drop)
    }

    pub fn set_active(conn: &mut DbConn, id: &str, active: bool) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set(users::active.eq(active))
            .execute(conn)
            .map(drop)
    }

    /// Takes one sign-in attempt: true, and the count raised, unless the account is locked
    /// or already has `max` attempts under way or failed. One statement, so concurrent
    /// sign-ins on any instance share the same five.
    pub fn reserve_attempt(conn: &mut DbConn, id: &str, max: i32, now: i64) -> QueryResult<bool> {
        let n = diesel::update(
            users::table
                .filter(users::id.eq(id))
                .filter(users::failed_logins.lt(max))
                .filter(
                    users::locked_until
                        .is_null()
                        .or(users::locked_until.le(now)),
                ),
        )
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .execute(conn)?;
        Ok(n == 1)
    }

    pub fn lock_until(conn: &mut DbConn, id: &str, until: i64) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::locked_until.eq(Some(until)),
                users::failed_logins.eq(0),
            ))
            .execute(conn)
            .map(drop)
    }

    pub fn clear_failures(conn: &mut DbConn, id: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<i64>),
            ))
            .execute(conn)
            .map(drop)
    }
}
