//! Retry back-off shared by the outboxes (webhook deliveries, mails): attempt n+1 waits
//! `base × 2^(n−1)`, capped, with ±10 % jitter so rows that failed together do not all
//! come due in the same instant. And how long their idle workers sleep ([`idle_for`]).

/// The wait in milliseconds before attempt `n + 1`, after `failed` = n failed attempts
/// (n ≥ 1), never above `cap_ms` by more than the jitter.
pub fn backoff_ms(base_ms: i64, failed: i32, cap_ms: i64) -> i64 {
    let exp = (failed - 1).clamp(0, 40) as u32;
    let raw = base_ms
        .saturating_mul(1_i64.checked_shl(exp).unwrap_or(i64::MAX))
        .min(cap_ms);
    let jitter = (raw as f64 * 0.1 * (rand::random::<f64>() * 2.0 - 1.0)) as i64;
    (raw + jitter).max(1)
}

/// How long an outbox's idle worker sleeps: until the next pending row is due (at
/// least 20 ms, so a row another instance is claiming is not read in a tight loop), and
/// never longer than `safety`, the poll that catches a missed wake-up.
pub fn idle_for(
    next_due_ms: Option<i64>,
    now_ms: i64,
    safety: std::time::Duration,
) -> std::time::Duration {
    let most = i64::try_from(safety.as_millis())
        .unwrap_or(i64::MAX)
        .max(20);
    let ms = next_due_ms.map_or(most, |at| (at - now_ms).clamp(20, most));
    std::time::Duration::from_millis(ms as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_worker_sleeps_until_the_next_row_is_due_within_the_safety_poll() {
        let safety = std::time::Duration::from_secs(30);
        let ms = |next, now| idle_for(next, now, safety).as_millis();
        assert_eq!(ms(None, 0), 30_000);
        assert_eq!(ms(Some(1_500), 1_000), 500);
        assert_eq!(ms(Some(900), 1_000), 20, "overdue: a moment, not a spin");
        assert_eq!(ms(Some(100_000), 0), 30_000);
    }

    const DAY_MS: i64 = 24 * 60 * 60 * 1000;

    #[test]
    fn retries_wait_twice_as_long_each_time_within_ten_percent_and_the_cap() {
        for (failed, want) in [(1, 1000), (2, 2000), (3, 4000), (11, 1_024_000)] {
            let wait = backoff_ms(1000, failed, DAY_MS);
            assert!(
                (want * 9 / 10..=want * 11 / 10).contains(&wait),
                "{failed}: {wait}"
            );
        }
        let wait = backoff_ms(60_000, 12, DAY_MS);
        assert!(
            (DAY_MS * 9 / 10..=DAY_MS * 11 / 10).contains(&wait),
            "{wait}"
        );
    }
}
