//! Cursor pagination: `?limit=` 1..=100 (default 10) and `?starting_after=<id>`, newest
//! first. Ids are time-ordered, so "older than the cursor" is `id < cursor`.

use serde::Serialize;

use super::envelope::ApiError;
use crate::error::Error;

#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    pub starting_after: Option<String>,
}

impl Page {
    /// Reads `limit` and `starting_after` from the query pairs.
    pub fn from_query(query: &[(String, String)]) -> Result<Self, ApiError> {
        let get = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let limit = match get("limit") {
            None => 10,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return Err(
                        Error::field("limit", "must be a whole number from 1 to 100").into(),
                    );
                }
            },
        };
        let starting_after = get("starting_after")
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(Self {
            limit,
            starting_after,
        })
    }

    /// How many rows to ask for: one more than shown, to learn `has_more`.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// The list object of SPEC §4: `{"object":"list","data":[…],"has_more":…}`.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
}

/// The list object from rows fetched with `Page::fetch`.
pub fn list<T>(mut rows: Vec<T>, page: &Page) -> List<T> {
    let has_more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    List {
        object: "list",
        data: rows,
        has_more,
    }
}
