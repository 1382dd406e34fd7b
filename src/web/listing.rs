//! One page of a dashboard list: its rows and the links to older rows and back to the
//! newest (the `before` cursor itself is read by `page::cursor`).

use actix_web::HttpRequest;

use super::page::{query_pairs, with_query};

/// One page of a dashboard list, newest first, fetched with one row more than shown:
/// the rows, and the links to older rows and back to the newest.
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub older: Option<String>,
    pub newest: Option<String>,
}

/// Rows per dashboard list page.
pub const PAGE_ROWS: i64 = 25;

impl<T> Listing<T> {
    /// A page of `PAGE_ROWS` from rows fetched with `PAGE_ROWS + 1`.
    pub fn of(req: &HttpRequest, rows: Vec<T>, id: impl Fn(&T) -> &str) -> Self {
        Self::sized(req, rows, id, PAGE_ROWS)
    }

    /// A page of `size` rows from rows fetched with `size + 1`; `id` is the cursor the
    /// next page's `before` takes.
    pub fn sized(req: &HttpRequest, mut rows: Vec<T>, id: impl Fn(&T) -> &str, size: i64) -> Self {
        let more = rows.len() as i64 > size;
        rows.truncate(size as usize);
        let older = more
            .then(|| {
                rows.last()
                    .map(|r| with_query(req, &[("before", Some(id(r)))]))
            })
            .flatten();
        let paged = query_pairs(req)
            .iter()
            .any(|(k, v)| k == "before" && !v.is_empty());
        Self {
            rows,
            older,
            newest: paged.then(|| with_query(req, &[("before", None)])),
        }
    }
}

impl<T> Listing<T> {
    /// The same page with its rows turned into what the template shows.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            rows: self.rows.into_iter().map(f).collect(),
            older: self.older,
            newest: self.newest,
        }
    }
}
