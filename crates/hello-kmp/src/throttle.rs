//! Slows down whoever keeps typing wrong receipts, and nobody else.
//!
//! The key is a keyed hash of the client's address under a key made at start-up and never
//! written anywhere, held only in memory and forgotten an hour after the last wrong receipt. No
//! address is stored or logged. After [`FREE_MISSES`] wrong receipts, every further one locks the
//! key out for twice as long as the last time, up to an hour.
//!
//! Limitation: phones behind the same carrier-grade NAT share an address, so a guesser there also
//! slows the few honest citizens who mistype on that same address during the lock-out. The state
//! lives in one process; behind a load balancer each `serve` process counts on its own.
//! Governor's rate limiter was considered, but it cannot look without spending and has no
//! growing lock-outs, which is what slows a guesser without punishing a typo.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

/// Wrong receipts allowed before the first lock-out.
pub const FREE_MISSES: u32 = 5;
const FIRST_LOCK: Duration = Duration::from_secs(30);
const LONGEST_LOCK: Duration = Duration::from_secs(3600);
const FORGET_AFTER: Duration = Duration::from_secs(3600);
const MAX_ENTRIES: usize = 100_000;
const SWEEP_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Entry {
    misses: u32,
    locked_until: Option<Instant>,
    last_miss: Instant,
}

/// In-memory counts of wrong receipts per client.
///
/// Limitation: the check (`wait`) and the count (`miss`) are two steps, so guesses sent at the
/// same moment from one address all pass the check: the lock-out comes that many guesses late.
pub struct GuessThrottle {
    key: [u8; 32],
    free_misses: u32,
    entries: Mutex<Entries>,
}

struct Entries {
    by_client: HashMap<[u8; 16], Entry>,
    last_sweep: Instant,
}

impl Entries {
    /// Forgets clients whose last miss is over an hour old; once a minute at most.
    fn sweep(&mut self, now: Instant) {
        if now.duration_since(self.last_sweep) < SWEEP_EVERY && self.by_client.len() < MAX_ENTRIES {
            return;
        }
        self.last_sweep = now;
        self.by_client
            .retain(|_, e| now.duration_since(e.last_miss) < FORGET_AFTER);
        if self.by_client.len() >= MAX_ENTRIES {
            // Flooded with fresh addresses: keep only those locked out right now.
            self.by_client
                .retain(|_, e| e.locked_until.is_some_and(|until| until > now));
        }
    }
}

impl std::fmt::Debug for GuessThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GuessThrottle")
    }
}

impl Default for GuessThrottle {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let entries = Entries {
            by_client: HashMap::new(),
            last_sweep: Instant::now(),
        };
        GuessThrottle {
            key,
            free_misses: FREE_MISSES,
            entries: Mutex::new(entries),
        }
    }
}

/// Failed officer log-ins allowed from one address before it waits. Officers of a whole thana
/// may share one address, and each name is counted on its own in the database, so this only
/// stops one address from trying many names.
pub const LOGIN_FREE_MISSES: u32 = 30;

impl GuessThrottle {
    /// A throttle that starts locking after `free_misses` misses instead of [`FREE_MISSES`].
    pub fn with_free_misses(free_misses: u32) -> GuessThrottle {
        GuessThrottle {
            free_misses,
            ..GuessThrottle::default()
        }
    }
}

/// The hashed client key; the address itself goes no further than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey([u8; 16]);

impl GuessThrottle {
    pub fn key_for(&self, addr: Option<IpAddr>) -> ClientKey {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        match addr {
            Some(IpAddr::V4(v4)) => hasher.update(&v4.octets()),
            // A phone usually holds a whole /64, so IPv6 clients are counted per /64.
            Some(IpAddr::V6(v6)) => hasher.update(&v6.octets()[..8]),
            None => hasher.update(b"unknown"),
        };
        let mut out = [0u8; 16];
        out.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
        ClientKey(out)
    }

    /// How long the client must still wait, if it is locked out.
    pub fn wait(&self, client: ClientKey) -> Option<Duration> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let until = entries.by_client.get(&client.0)?.locked_until?;
        (until > now).then(|| until - now)
    }

    /// Counts one wrong receipt.
    pub fn miss(&self, client: ClientKey) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.sweep(now);
        if entries.by_client.len() >= MAX_ENTRIES && !entries.by_client.contains_key(&client.0) {
            return;
        }
        let entry = entries.by_client.entry(client.0).or_insert(Entry {
            misses: 0,
            locked_until: None,
            last_miss: now,
        });
        if now.duration_since(entry.last_miss) >= FORGET_AFTER {
            *entry = Entry {
                misses: 0,
                locked_until: None,
                last_miss: now,
            };
        }
        entry.misses += 1;
        entry.last_miss = now;
        if entry.misses > self.free_misses {
            let doublings = (entry.misses - self.free_misses - 1).min(10);
            let lock = (FIRST_LOCK * 2u32.pow(doublings)).min(LONGEST_LOCK);
            entry.locked_until = Some(now + lock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_only_the_guesser_after_the_free_misses() {
        let throttle = GuessThrottle::default();
        let guesser = throttle.key_for(Some("10.0.0.1".parse().expect("ip")));
        let other = throttle.key_for(Some("10.0.0.2".parse().expect("ip")));
        for _ in 0..FREE_MISSES {
            throttle.miss(guesser);
            assert!(throttle.wait(guesser).is_none());
        }
        throttle.miss(guesser);
        assert!(throttle.wait(guesser).is_some_and(|d| d <= FIRST_LOCK));
        assert!(throttle.wait(other).is_none());
    }

    #[test]
    fn old_misses_are_forgotten_by_the_sweep() {
        let throttle = GuessThrottle::default();
        let client = throttle.key_for(Some("10.0.0.3".parse().expect("ip")));
        throttle.miss(client);
        let later = Instant::now() + FORGET_AFTER + SWEEP_EVERY;
        let mut entries = throttle.entries.lock().expect("lock");
        entries.sweep(later);
        assert!(
            entries.by_client.is_empty(),
            "nothing is kept past the hour"
        );
    }

    #[test]
    fn lock_outs_grow() {
        let throttle = GuessThrottle::default();
        let guesser = throttle.key_for(None);
        for _ in 0..FREE_MISSES + 3 {
            throttle.miss(guesser);
        }
        assert!(throttle.wait(guesser).is_some_and(|d| d > FIRST_LOCK * 3));
    }
}
