//! The chunks' round trip, their limits, the merge of overlapping ones, a failed batch
//! and the migration to and from a row per line.

use std::sync::{Arc, Mutex};

use diesel::connection::InstrumentationEvent;

use super::*;

const T0: i64 = 1_800_000_000_000;

/// A request id made at `at_ms`, as `ids::request_id` makes them.
fn id_at(at_ms: i64, n: i64) -> String {
    format!("req_{at_ms:012x}{n:012}")
}

/// `count` request times `step` ms apart from `T0`, each with its id (numbered from
/// `first`).
fn timed(count: i64, step: i64, first: i64) -> Vec<(i64, String)> {
    (0..count)
        .map(|n| (T0 + n * step, id_at(T0 + n * step, first + n)))
        .collect()
}

/// A line for each of `ids`, line `n` of the key `key_of(n)`.
fn lines_of<'a>(ids: &'a [(i64, String)], key_of: impl Fn(usize) -> &'a str) -> Vec<Line<'a>> {
    ids.iter()
        .enumerate()
        .map(|(n, (at, id))| line(id, key_of(n), *at, n as i64))
        .collect()
}

fn db() -> DbConn {
    let mut conn = crate::db::connect_one("sqlite://:memory:").unwrap();
    crate::db::migrate_conn(&mut conn).unwrap();
    conn
}

/// Line `n` of key `key` at `at_ms`, with and without its optional fields.
fn line<'a>(id: &'a str, key: &'a str, at_ms: i64, n: i64) -> Line<'a> {
    Line {
        request_id: id,
        merchant_id: "mer_1",
        livemode: key.ends_with("live"),
        key_id: key,
        at_ms,
        method: if n % 2 == 0 { "GET" } else { "POST" },
        path: Cow::Owned(format!("/api/v1/customers/cus_{n}é\"\\%_")),
        status: if n % 4 == 0 { 404 } else { 200 },
        error_code: (n % 4 == 0).then_some("resource_missing"),
        latency_us: 1234,
        client_ip: (n % 3 == 0).then_some("2001:db8::1"),
        api_version: "2026-11-01",
        replayed: n % 5 == 0,
    }
}

fn row_of(l: &Line<'_>) -> RequestLogRow {
    RequestLogRow {
        request_id: l.request_id.to_owned(),
        merchant_id: l.merchant_id.to_owned(),
        livemode: l.livemode,
        key_id: l.key_id.to_owned(),
        at_ms: l.at_ms,
        method: l.method.to_owned(),
        path: l.path.to_string(),
        status: l.status,
        error_code: l.error_code.map(str::to_owned),
        latency_us: l.latency_us,
        client_ip: l.client_ip.map(str::to_owned),
        api_version: l.api_version.to_owned(),
        replayed: l.replayed,
    }
}

fn all_of(conn: &mut DbConn, key: &str) -> Vec<RequestLogRow> {
    scan(conn, &Among::Key(key), None, &|_| true, usize::MAX).unwrap()
}

#[test]
fn lines_read_back_whole_newest_first_and_each_is_found_by_its_id() {
    let mut conn = db();
    let ids = timed(75, 7, 0);
    let lines = lines_of(&ids, |n| if n % 3 == 0 { "key_live" } else { "key_a" });
    assert_eq!(write_lines(&mut conn, &lines).unwrap(), 75);
    let mut expected: Vec<RequestLogRow> = lines
        .iter()
        .filter(|l| l.key_id == "key_a")
        .map(row_of)
        .collect();
    expected.reverse();
    assert_eq!(
        all_of(&mut conn, "key_a"),
        expected,
        "every field, newest first"
    );
    for l in &lines {
        let found = find(&mut conn, Some("mer_1"), l.request_id).unwrap();
        assert_eq!(found, Some(row_of(l)));
    }
    assert_eq!(
        find(&mut conn, Some("mer_2"), lines[0].request_id).unwrap(),
        None
    );
    assert_eq!(find(&mut conn, None, "req_nottimed").unwrap(), None);
    // A mode holds only its own lines.
    let live = Among::Merchant {
        merchant_id: "mer_1",
        livemode: true,
        key_id: None,
    };
    let live = scan(&mut conn, &live, None, &|_| true, 100).unwrap();
    assert_eq!(live.len(), 25);
    assert!(live.iter().all(|r| r.livemode && r.key_id == "key_live"));
}

#[test]
fn a_flush_writes_a_chunk_per_key_split_by_size_and_span() {
    let many = timed(1200, 1, 0);
    let mut conn = db();
    let lines = lines_of(&many, |_| "key_a");
    write_lines(&mut conn, &lines).unwrap();
    let counts: Vec<i32> = chunks::table
        .order(chunks::first_at_ms.asc())
        .select(chunks::line_count)
        .load(&mut conn)
        .unwrap();
    assert_eq!(counts, [500, 500, 200], "at most MAX_LINES a chunk");
    assert_eq!(all_of(&mut conn, "key_a").len(), 1200);
    // Two minutes of lines: no chunk spans more than one.
    let slow = timed(5, 30_000, 5000);
    let lines = lines_of(&slow, |_| "key_b");
    write_lines(&mut conn, &lines).unwrap();
    let spans: Vec<(i64, i64)> = chunks::table
        .filter(chunks::key_id.eq("key_b"))
        .order(chunks::first_at_ms.asc())
        .select((chunks::first_at_ms, chunks::last_at_ms))
        .load(&mut conn)
        .unwrap();
    assert!(spans.iter().all(|(a, b)| b - a <= MAX_SPAN_MS), "{spans:?}");
    assert_eq!(spans.len(), 2, "0 s to 60 s, then 90 s to 120 s: {spans:?}");
}

#[test]
fn overlapping_chunks_merge_in_order_and_pages_give_each_line_once() {
    let mut conn = db();
    // Two instances' flushes of one key, interleaved in time, and a third later one.
    let ids = timed(120, 3, 0);
    let lines = lines_of(&ids, |_| "key_a");
    let (even, odd): (Vec<Line>, Vec<Line>) =
        lines.iter().cloned().partition(|l| (l.at_ms / 3) % 2 == 0);
    for part in [&even[..60], &odd[..60], &even[60..], &odd[60..]] {
        write_lines(&mut conn, part).unwrap();
    }
    let all = all_of(&mut conn, "key_a");
    let mut expected: Vec<RequestLogRow> = lines.iter().map(row_of).collect();
    expected.reverse();
    assert_eq!(all, expected);
    // Pages of 7, each after the last line of the one before.
    let among = Among::Merchant {
        merchant_id: "mer_1",
        livemode: false,
        key_id: Some("key_a"),
    };
    let mut paged = Vec::new();
    let mut below: Option<Place> = None;
    loop {
        let page = scan(&mut conn, &among, below.as_ref(), &|_| true, 7).unwrap();
        let Some(last) = page.last() else { break };
        below = Some((last.at_ms, last.request_id.clone()));
        paged.extend(page);
    }
    assert_eq!(paged, expected);
    // A filter keeps its order.
    let not_found = scan(&mut conn, &among, None, &|r| r.status == 404, 1000).unwrap();
    assert_eq!(not_found.len(), 30);
    assert!(not_found.windows(2).all(|w| w[0].at_ms > w[1].at_ms));
}

#[test]
fn a_failed_batch_writes_nothing_and_the_insert_is_prepared_once() {
    let mut conn = db();
    let (prepared, run) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    let (p, r) = (prepared.clone(), run.clone());
    let DbConn::Sqlite(c) = &mut conn else {
        unreachable!()
    };
    c.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
        InstrumentationEvent::CacheQuery { sql, .. } if sql.contains("INSERT") => {
            *p.lock().unwrap() += 1;
        }
        InstrumentationEvent::StartQuery { query, .. } if query.to_string().contains("INSERT") => {
            *r.lock().unwrap() += 1;
        }
        _ => {}
    });
    let ids = timed(6, 1, 0);
    let lines = lines_of(&ids, |n| ["key_a", "key_b"][n % 2]);
    write_lines(&mut conn, &lines[..4]).unwrap();
    assert_eq!(*run.lock().unwrap(), 2, "one INSERT per key");
    // The second batch holds a chunk already written (its first line's id): refused.
    assert!(write_lines(&mut conn, &[lines[4].clone(), lines[1].clone()]).is_err());
    assert_eq!(all_of(&mut conn, "key_a").len(), 2, "all or none");
    write_lines(&mut conn, &lines[4..]).unwrap();
    assert_eq!(all_of(&mut conn, "key_a").len(), 3);
    assert_eq!(all_of(&mut conn, "key_b").len(), 3);
    assert_eq!(*prepared.lock().unwrap(), 1, "one text, prepared once");
}

#[test]
fn lines_of_the_row_per_line_table_move_into_chunks_and_back() {
    let mut conn = db();
    let ids = timed(9, 20_000, 0);
    let lines = lines_of(&ids, |_| "key_a");
    write_lines(&mut conn, &lines).unwrap();
    let mut expected: Vec<RequestLogRow> = lines.iter().map(row_of).collect();
    expected.reverse();
    // Down: a row per line; up again: chunks of a minute.
    crate::db::revert_last_migration(&mut conn);
    crate::db::migrate_conn(&mut conn).unwrap();
    assert_eq!(all_of(&mut conn, "key_a"), expected);
    let n: i64 = chunks::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 3, "three minutes");
    for l in &lines {
        assert_eq!(
            find(&mut conn, Some("mer_1"), l.request_id).unwrap(),
            Some(row_of(l))
        );
    }
}
