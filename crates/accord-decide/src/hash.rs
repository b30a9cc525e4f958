//! The state hash `accord replay` prints: equal for equal logs under equal
//! agreements, whatever batches they arrived in.

use crate::score;
use crate::Engine;

/// The digest [`Engine::state_hash`] feeds: each value as its length (4
/// bytes) then its bytes, mixed 8 bytes at a time as they come. At 1M leads
/// the values are over 100 MB: gathered into one buffer first, as they
/// were, they were fresh memory for the kernel to clear, a second of a
/// replay.
#[derive(Default)]
struct Feed {
    h: u64,
    /// Bytes not yet mixed, low byte first.
    word: u64,
    filled: u32,
    len: u64,
}

impl Feed {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn put(&mut self, b: &[u8]) {
        self.bytes(&(b.len() as u32).to_le_bytes());
        self.bytes(b);
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.word |= u64::from(x) << (8 * self.filled);
            self.filled += 1;
            if self.filled == 8 {
                self.mix();
            }
        }
        self.len += b.len() as u64;
    }

    fn mix(&mut self) {
        let h = (self.h ^ self.word).wrapping_mul(Self::K);
        self.h = h ^ (h >> 29);
        self.word = 0;
        self.filled = 0;
    }

    fn finish(mut self) -> u64 {
        if self.filled > 0 {
            self.mix();
        }
        let h = (self.h ^ self.len ^ Self::K).wrapping_mul(0xD6E8_FEB8_6659_FD93);
        h ^ (h >> 32)
    }
}

/// A digest of the engine's state, shown as 16 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateHash(pub u64);

impl std::fmt::Display for StateHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Engine {
    /// Hashes every lead's stage, owner, account and score (at the clock),
    /// the routing cursors and loads, the agreement version in force, the
    /// model in use (its adoption's number and artifact digest), and
    /// the SLA: every clock's deadline, stop and breach, the months'
    /// tallies and misses, the escalations fired.
    pub fn state_hash(&self) -> StateHash {
        let st = &self.state;
        let mut feed = Feed::default();
        let mut put = |b: &[u8]| feed.put(b);
        put(&st.clock.to_le_bytes());
        put(&st.events.to_le_bytes());
        put(&self.agreement().map_or(0, |(v, _)| v).to_le_bytes());
        // A rule may read `lead.predicted`: the model in use is part of the
        // state. Nothing is added without one.
        if let Some(m) = &st.model {
            put(b"model");
            put(&m.adoption.number.to_le_bytes());
            put(m.adoption.digest.as_str().as_bytes());
        }
        let scores = self.scores_now();
        for (i, row) in st.leads.iter().enumerate() {
            put(row.lead.id.as_str().as_bytes());
            put(row.stage.as_str().as_bytes());
            put(st.rep_id(row.owner).map_or("", |r| r.as_str()).as_bytes());
            put(st
                .account(row.account)
                .map_or("", |a| a.id.as_str())
                .as_bytes());
            put(&[u8::from(row.waiting)]);
            put(&(st.touches[i].len() as u64).to_le_bytes());
            if let Some(s) = scores.get(i) {
                put(&s.to_le_bytes());
            }
        }
        let mut cursors: Vec<(&str, &str)> = st
            .cursors
            .iter()
            .map(|(k, &r)| (&**k, st.rep_id(r).map_or("", |r| r.as_str())))
            .collect();
        cursors.sort_unstable();
        for (rule, rep) in cursors {
            put(rule.as_bytes());
            put(rep.as_bytes());
        }
        let mut loads: Vec<(&str, i64, u32)> = st
            .loads
            .iter()
            .map(|(&(r, day), &n)| (st.rep_id(r).map_or("", |r| r.as_str()), day, n))
            .collect();
        loads.sort_unstable();
        for (rep, day, n) in loads {
            put(rep.as_bytes());
            put(&day.to_le_bytes());
            put(&n.to_le_bytes());
        }
        let sla = &st.sla;
        for e in &sla.entries {
            put(st.keys.id(e.id).as_bytes());
            put(&e.attempts.to_le_bytes());
            for c in [&e.follow_up, &e.decide] {
                put(&c.due.to_le_bytes());
                put(&c.stopped.unwrap_or(i64::MIN).to_le_bytes());
                let breach = if c.breached() {
                    st.keys.id(c.breach)
                } else {
                    String::new()
                };
                put(breach.as_bytes());
            }
        }
        let mut months: Vec<_> = sla
            .tallies
            .iter()
            .map(|(&(r, m), t)| {
                let missed = sla.missed.get(&(r, m)).copied().unwrap_or_default();
                (m, r.code(), t.mqls, t.accepted, t.rejected, missed)
            })
            .collect();
        months.sort_unstable_by_key(|k| (k.0, k.1));
        for (m, r, mqls, accepted, rejected, (target, acceptance)) in months {
            put(m.to_string().as_bytes());
            put(&[r, u8::from(target), u8::from(acceptance)]);
            put(&[mqls, accepted, rejected].map(u32::to_le_bytes).concat());
        }
        for e in &sla.fired {
            put(st.keys.id(e.id).as_bytes());
            put(st.keys.id(e.cause).as_bytes());
            put(&e.at.to_le_bytes());
        }
        StateHash(feed.finish())
    }

    /// Every lead's score at the clock, by row; empty with no agreement in
    /// force. Worked out on every core (a score reads every touch of its
    /// lead: at 1M leads, most of the hash's time).
    fn scores_now(&self) -> Vec<i64> {
        let Some(f) = &self.in_force else {
            return Vec::new();
        };
        let st = &self.state;
        let n = st.leads.len();
        let parts = std::thread::available_parallelism().map_or(1, |p| p.get().min(8));
        let per = n.div_ceil(parts).max(1);
        let mut scores = vec![0i64; n];
        std::thread::scope(|scope| {
            for (k, part) in scores.chunks_mut(per).enumerate() {
                let agreement = &f.agreement;
                scope.spawn(move || {
                    for (j, s) in part.iter_mut().enumerate() {
                        *s = score::score(st, agreement, (k * per + j) as u32, st.clock);
                    }
                });
            }
        });
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::Feed;

    fn of(values: &[&[u8]]) -> u64 {
        let mut f = Feed::default();
        for v in values {
            f.put(v);
        }
        f.finish()
    }

    #[test]
    fn the_feed_tells_values_apart_by_their_bounds_and_every_byte() {
        // Each value is framed by its length: the same bytes cut elsewhere
        // hash differently.
        assert_ne!(of(&[b"ab", b"c"]), of(&[b"a", b"bc"]));
        assert_ne!(of(&[b""]), of(&[]));
        // Any byte, in any of a word's eight places, counts.
        let base = of(&[b"0123456789abcdef0"]);
        for i in 0..17 {
            let mut v = b"0123456789abcdef0".to_vec();
            v[i] ^= 1;
            assert_ne!(of(&[&v]), base, "byte {i}");
        }
        // And it is a function of the values alone.
        assert_eq!(of(&[b"ab", b"c"]), of(&[b"ab", b"c"]));
    }
}
