//! What forms leave behind: sign-in attempts that have not succeeded (yet), the counters
//! of SPEC §2's throttling; and create forms already carried out (single-use tokens).

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{form_submissions, sign_in_failures};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sign_in_failures)]
pub struct SignInFailure {
    pub id: String,
    pub email: String,
    pub ip: String,
    pub at: i64,
}

impl SignInFailure {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(sign_in_failures::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
        diesel::delete(sign_in_failures::table.find(id))
            .execute(conn)
            .map(drop)
    }

    /// The times of this pair's attempts since `since`, newest first.
    pub fn pair_times(
        conn: &mut DbConn,
        email: &str,
        ip: &str,
        since: i64,
    ) -> QueryResult<Vec<i64>> {
        sign_in_failures::table
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::ip.eq(ip))
            .filter(sign_in_failures::at.gt(since))
            .order(sign_in_failures::at.desc())
            .select(sign_in_failures::at)
            .load(conn)
    }

    /// The times of this email's attempts since `since`, newest first.
    pub fn email_times(conn: &mut DbConn, email: &str, since: i64) -> QueryResult<Vec<i64>> {
        sign_in_failures::table
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::at.gt(since))
            .order(sign_in_failures::at.desc())
            .select(sign_in_failures::at)
            .load(conn)
    }

    /// How many attempts came from `ip` since `since`, and the oldest of them.
    pub fn from_ip(conn: &mut DbConn, ip: &str, since: i64) -> QueryResult<(i64, Option<i64>)> {
        sign_in_failures::table
            .filter(sign_in_failures::ip.eq(ip))
            .filter(sign_in_failures::at.gt(since))
            .select((count_star(), diesel::dsl::min(sign_in_failures::at)))
            .get_result(conn)
    }

    /// A successful sign-in clears its pair; an Admin's unlock clears the email.
    pub fn clear_pair(conn: &mut DbConn, email: &str, ip: &str) -> QueryResult<()> {
        diesel::delete(
            sign_in_failures::table
                .filter(sign_in_failures::email.eq(email))
                .filter(sign_in_failures::ip.eq(ip)),
        )
        .execute(conn)
        .map(drop)
    }

    pub fn clear_email(conn: &mut DbConn, email: &str) -> QueryResult<()> {
        diesel::delete(sign_in_failures::table.filter(sign_in_failures::email.eq(email)))
            .execute(conn)
            .map(drop)
    }

    /// Forgets attempts older than `before` (the longest window is an hour).
    pub fn expire(conn: &mut DbConn, before: i64) -> QueryResult<()> {
        diesel::delete(sign_in_failures::table.filter(sign_in_failures::at.lt(before)))
            .execute(conn)
            .map(drop)
    }
}

/// A create form already carried out: its token and what it made.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = form_submissions)]
pub struct FormSubmission {
    pub token: String,
    pub user_id: String,
    pub result_id: String,
    pub created_at: i64,
}

impl FormSubmission {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(form_submissions::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// What this person's form with this token made, if it was sent before.
    pub fn find(conn: &mut DbConn, token: &str, user_id: &str) -> QueryResult<Option<String>> {
        form_submissions::table
            .filter(form_submissions::token.eq(token))
            .filter(form_submissions::user_id.eq(user_id))
            .select(form_submissions::result_id)
            .load(conn)
            .map(|rows: Vec<String>| rows.into_iter().next())
    }
}

/// What a create form sent with a single-use token did.
pub enum Submitted<T> {
    /// What it made now.
    Created(T),
    /// The same form was sent before: the id of what it made then.
    Already(String),
}

/// Runs `make` (which returns what it made and its id) for a form carrying a single-use
/// token (SPEC §12): the token is recorded in the same transaction, so the same form sent
/// twice (concurrently, on any instance) makes one thing; the second answer names it.
pub fn submit_once<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    token: &str,
    user_id: &str,
    make: impl FnOnce(&mut DbConn) -> Result<(T, String), E>,
) -> Result<Submitted<T>, E> {
    if let Some(id) = FormSubmission::find(conn, token, user_id)? {
        return Ok(Submitted::Already(id));
    }
    let made = crate::db::transaction(conn, |conn| {
        let (made, id) = make(conn)?;
        FormSubmission {
            token: token.to_owned(),
            user_id: user_id.to_owned(),
            result_id: id,
            created_at: crate::clock::now(),
        }
        .insert(conn)?;
        Ok::<_, E>(made)
    });
    match made {
        Ok(made) => Ok(Submitted::Created(made)),
        // A concurrent send of the same form got there first (unique token).
        Err(e) => match FormSubmission::find(conn, token, user_id)? {
            Some(id) => Ok(Submitted::Already(id)),
            None => Err(e),
        },
    }
}
