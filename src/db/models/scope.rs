//! The scope every payments object lives in (a merchant and a mode), and the queries
//! each of their tables shares: `find`, `insert`, a keyset-paged `list`, `find_many`.

/// The merchant and mode a request acts in, and the API key acting (if any): the events
/// it causes reach webhook endpoints bound to that key.
#[derive(Debug, Clone)]
pub struct Scope {
    pub merchant_id: String,
    pub livemode: bool,
    pub acting_key: Option<String>,
    /// The acting key's spend limits (SPEC §17), from the verified key: counted in the
    /// transaction of each payment or refund it makes.
    pub spend_limits: Vec<super::spend::SpendLimit>,
}

impl Scope {
    pub fn new(merchant_id: impl Into<String>, livemode: bool) -> Self {
        Self {
            merchant_id: merchant_id.into(),
            livemode,
            acting_key: None,
            spend_limits: Vec::new(),
        }
    }
}

/// `find`, `insert` and a paginated `list` (newest first, `id < cursor`) for one table.
macro_rules! scoped_table {
    ($row:ident, $table:ident) => {
        impl $row {
            pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
                diesel::insert_into($table::table)
                    .values(self)
                    .execute(conn)
                    .map(drop)
            }

            pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Self> {
                crate::db::one(crate::on_backend!(conn, |c| $table::table
                    .filter($table::id.eq(id))
                    .filter($table::merchant_id.eq(&scope.merchant_id))
                    .filter($table::livemode.eq(scope.livemode))
                    .select(Self::as_select())
                    .load(c)))
            }

            /// The base of every list: this scope, newest first, older than the cursor.
            pub fn scoped<'a>(
                scope: &Scope,
                before: Option<&str>,
            ) -> $table::BoxedQuery<'a, crate::db::DbConnBackend> {
                let mut query = $table::table
                    .filter($table::merchant_id.eq(scope.merchant_id.clone()))
                    .filter($table::livemode.eq(scope.livemode))
                    .order($table::id.desc())
                    .into_boxed();
                if let Some(before) = before {
                    query = query.filter($table::id.lt(before.to_owned()));
                }
                query
            }

            pub fn list(
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

            /// The rows of these ids in this scope, in one query (a page's names);
            /// ids not found are left out.
            pub fn find_many(
                conn: &mut DbConn,
                scope: &Scope,
                ids: &[String],
            ) -> QueryResult<Vec<Self>> {
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                Self::scoped(scope, None)
                    .filter($table::id.eq_any(ids.to_vec()))
                    .select(Self::as_select())
                    .load(conn)
            }
        }
    };
}
pub(crate) use scoped_table;

/// `text` with LIKE's own characters escaped by `\` (for `ESCAPE '\'`).
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
