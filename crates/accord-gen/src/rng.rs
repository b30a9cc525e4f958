//! A small seeded random number generator (xoshiro256**, seeded by SplitMix64)
//! and the few distributions the simulation needs.
//!
//! Written here rather than taken from a crate so that the generated data stays
//! byte-identical for a seed across dependency upgrades.

/// SplitMix64: used to expand a seed into generator state and to derive streams.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** with a cached second Box-Muller normal.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    /// An independent stream for (`seed`, `stream`).
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut x = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        // Mix the stream in twice so nearby (seed, stream) pairs do not overlap.
        let _ = splitmix64(&mut x);
        let s = [
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
        ];
        Rng { s, spare: None }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform integer in [0, n); n must be > 0.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// An element of a non-empty slice, uniformly.
    #[inline]
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Standard normal (Box-Muller, both values used).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }

    /// Log-normal with the given median and log-sigma.
    #[inline]
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -(1.0 - self.f64()).ln() * mean
    }

    /// Poisson with mean `lambda` (Knuth below 30, a rounded normal above).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda >= 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut k = 0u32;
        let mut p = self.f64();
        while p > limit {
            k += 1;
            p *= self.f64();
        }
        k
    }
}

/// A categorical distribution over indices 0..n with fixed weights.
#[derive(Clone, Debug)]
pub struct Categorical {
    cum: Vec<f64>,
}

impl Categorical {
    /// Weights need not be normalised; at least one must be positive.
    pub fn new(weights: &[f64]) -> Categorical {
        let mut total = 0.0;
        let cum = weights
            .iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Categorical { cum }
    }

    pub fn total(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let r = rng.f64() * self.total();
        self.cum
            .partition_point(|&c| c <= r)
            .min(self.cum.len() - 1)
    }
}

#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(8, 1).next_u64());
    }

    #[test]
    fn distributions_have_plausible_moments() {
        let mut r = Rng::new(1, 0);
        let n = 200_000;
        let mean_u = (0..n).map(|_| r.f64()).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.01);
        let zs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = zs.iter().sum::<f64>() / n as f64;
        let v = zs.iter().map(|z| (z - m) * (z - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
        let p = (0..n).map(|_| r.poisson(2.5) as f64).sum::<f64>() / n as f64;
        assert!((p - 2.5).abs() < 0.03);
        let c = Categorical::new(&[1.0, 0.0, 3.0]);
        let hits = (0..n).filter(|_| c.sample(&mut r) == 2).count() as f64 / n as f64;
        assert!((hits - 0.75).abs() < 0.01);
        assert!((0..n).all(|_| c.sample(&mut r) != 1));
        assert!((0..1000).all(|_| r.below(3) < 3));
    }
}
