//! Leases: an instance's share of a key's window, taken from Redis a few tokens at a
//! time and spent in memory (SPEC §15).
//!
//! Redis keeps one hash per key and window (`paydesk:ratelease:<key id>`, expiring when
//! the window ends, set only when the window starts): the tokens granted so far (`g`),
//! the window's identity (`w`), and one field per instance that asked in it (`i:<id>`).
//! [`SCRIPT`] grants atomically `min(asked, limit − granted)` and never more, so the
//! instances together admit at most the limit in a window. The size asked for shrinks
//! as the window's tokens run out — half of what is left, shared among the instances
//! that asked — so the tokens an instance holds unspent when the window ends (they
//! lapse with it; none is given back) are few when clients ask for more than the limit.
//!
//! [`Lease`] is one key's state on this instance, without I/O: the gate spends a token
//! when it holds one, asks for more ahead of running out (off the request path), and
//! when it has none left waits for a grant rather than admitting the request.

use super::Quota;

/// Grants `n` of a key's window tokens. KEYS[1]: the window's hash. ARGV: the limit,
/// the window's length in ms, this instance's id, the most to grant at once, and the
/// identity to give the window if this call starts it. Returns the tokens granted, the
/// tokens left in the window after the grant, the window's remaining ms and its identity.
pub(super) const SCRIPT: &str = r"
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local ttl = redis.call('PTTL', key)
if ttl < 0 then
  redis.call('DEL', key)
  redis.call('HSET', key, 'g', 0, 'w', ARGV[5])
  redis.call('PEXPIRE', key, ARGV[2])
  ttl = tonumber(ARGV[2])
end
redis.call('HSETNX', key, 'i:' .. ARGV[3], 1)
local granted = tonumber(redis.call('HGET', key, 'g')) or 0
local instances = redis.call('HLEN', key) - 2
if instances < 1 then instances = 1 end
local left = limit - granted
local n = 0
if left > 0 then
  n = math.floor(left / (2 * instances))
  if n < 1 then n = 1 end
  local most = tonumber(ARGV[4])
  if n > most then n = most end
  redis.call('HINCRBY', key, 'g', n)
  left = left - n
else
  left = 0
end
return {n, left, ttl, redis.call('HGET', key, 'w') or ''}
";

/// At most this many tokens in one grant, whatever the limit: what one instance can
/// strand when its clients stop.
pub(super) const MOST_AT_ONCE: u32 = 1_000;

/// What [`SCRIPT`] answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Grant {
    pub tokens: u32,
    /// The window's tokens not granted to anyone yet.
    pub left: u32,
    pub ttl_ms: i64,
    pub window: String,
}

/// What spending one token came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Spend {
    /// Admitted; `refill` = time to ask for more, ahead of running out.
    Admitted { quota: Quota, refill: bool },
    /// The window's tokens are all granted and this instance has none left.
    Refused(Quota),
    /// No token here: ask Redis, then spend again.
    NeedGrant,
}

/// One key's lease on this instance.
#[derive(Debug, Default)]
pub(super) struct Lease {
    /// The window the tokens belong to ("" = none yet).
    window: String,
    /// When it ends here: the time the grant was asked for plus the window's remaining
    /// ms, never later than the end Redis sees.
    ends_at_ms: i64,
    tokens: u32,
    /// The window's tokens nobody had taken yet, at the last grant.
    left: u32,
    /// The size of the last grant (the refill mark is half of it).
    last_grant: u32,
    /// The limit the last grant was asked with (a changed limit asks Redis again).
    limit: u32,
    /// A refill is on its way.
    refilling: bool,
}

impl Lease {
    /// Spends one token of a key limited to `limit`, at `now_ms`.
    pub fn spend(&mut self, limit: u32, now_ms: i64) -> Spend {
        if now_ms >= self.ends_at_ms {
            // The window ended here: what is left of it lapses.
            self.tokens = 0;
            self.left = 0;
            self.window.clear();
            self.ends_at_ms = 0;
            return Spend::NeedGrant;
        }
        let reset_ms = self.ends_at_ms - now_ms;
        if self.tokens > 0 {
            self.tokens -= 1;
            let refill = !self.refilling
                && self.left > 0
                && self.limit == limit
                && self.tokens <= self.last_grant / 2;
            if refill {
                self.refilling = true;
            }
            let remaining = self.left.saturating_add(self.tokens);
            let quota = Quota::new(limit, remaining, reset_ms, true);
            return Spend::Admitted { quota, refill };
        }
        if self.left == 0 && self.limit == limit {
            return Spend::Refused(Quota::new(limit, 0, reset_ms, false));
        }
        Spend::NeedGrant
    }

    /// Whether spending now would need a grant first (no token, and not known refused).
    pub fn needs_grant(&self, limit: u32, now_ms: i64) -> bool {
        now_ms >= self.ends_at_ms || self.tokens == 0 && (self.left > 0 || self.limit != limit)
    }

    /// Whether a refill asked for earlier is still worth making.
    pub fn wants_refill(&self, limit: u32, now_ms: i64) -> bool {
        now_ms < self.ends_at_ms && self.left > 0 && self.tokens <= self.last_grant / 2
            || self.limit != limit
    }

    /// Adds a grant asked for at `asked_at_ms` with `limit`.
    pub fn granted(&mut self, grant: Grant, limit: u32, asked_at_ms: i64) {
        let ends_at_ms = asked_at_ms + grant.ttl_ms;
        if grant.window != self.window {
            // A new window: tokens held from the old one are not spent in it.
            self.tokens = 0;
            self.window = grant.window;
            self.ends_at_ms = ends_at_ms;
        } else {
            self.ends_at_ms = self.ends_at_ms.max(ends_at_ms);
        }
        self.tokens = self.tokens.saturating_add(grant.tokens);
        self.left = grant.left;
        self.last_grant = grant.tokens;
        self.limit = limit;
    }

    /// The refill is over (granted or failed).
    pub fn refilled(&mut self) {
        self.refilling = false;
    }

    /// Whether the lease's window is over (the entry may be forgotten).
    pub fn ended(&self, now_ms: i64) -> bool {
        now_ms >= self.ends_at_ms && !self.refilling
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(tokens: u32, left: u32, ttl_ms: i64, window: &str) -> Grant {
        Grant {
            tokens,
            left,
            ttl_ms,
            window: window.into(),
        }
    }

    #[test]
    fn tokens_are_spent_then_more_asked_for_ahead_then_refused_when_all_are_granted() {
        let mut l = Lease::default();
        assert_eq!(l.spend(10, 0), Spend::NeedGrant);
        l.granted(grant(4, 6, 1_000, "w1"), 10, 0);
        let Spend::Admitted { quota, refill } = l.spend(10, 1) else {
            panic!()
        };
        assert_eq!((quota.remaining, quota.reset_secs, refill), (9, 1, false));
        let Spend::Admitted { refill, .. } = l.spend(10, 2) else {
            panic!()
        };
        assert!(refill, "at half the grant, ask ahead");
        let Spend::Admitted { refill, .. } = l.spend(10, 3) else {
            panic!()
        };
        assert!(!refill, "one refill at a time");
        l.granted(grant(6, 0, 990, "w1"), 10, 10);
        l.refilled();
        for _ in 0..7 {
            assert!(matches!(l.spend(10, 20), Spend::Admitted { .. }));
        }
        let Spend::Refused(q) = l.spend(10, 30) else {
            panic!()
        };
        assert_eq!((q.allowed, q.remaining), (false, 0));
        assert_eq!(l.spend(10, 1_000), Spend::NeedGrant, "the window is over");
    }

    #[test]
    fn tokens_of_an_old_window_are_never_spent_in_a_new_one() {
        let mut l = Lease::default();
        l.granted(grant(5, 0, 1_000, "w1"), 10, 0);
        l.granted(grant(1, 8, 1_000, "w2"), 10, 500);
        assert!(matches!(l.spend(10, 600), Spend::Admitted { .. }));
        assert_eq!(l.spend(10, 600), Spend::NeedGrant);
    }

    #[test]
    fn a_changed_limit_asks_again() {
        let mut l = Lease::default();
        l.granted(grant(0, 0, 1_000, "w1"), 10, 0);
        assert!(matches!(l.spend(10, 1), Spend::Refused(_)));
        assert_eq!(l.spend(20, 1), Spend::NeedGrant);
    }
}
