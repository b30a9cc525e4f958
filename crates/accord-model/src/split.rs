//! Train/test splits: temporal (the first rows train) or random (seeded).

use crate::ModelError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Split {
    /// The first ⌊fraction · n⌋ rows train, the rest test.
    Temporal { fraction: f64 },
    /// A seeded shuffle, then as temporal.
    Random { fraction: f64, seed: u64 },
}

impl std::str::FromStr for Split {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Split, ModelError> {
        let err = |message: &str| ModelError::Split {
            text: text.to_owned(),
            message: message.to_owned(),
        };
        let parts: Vec<&str> = text.split(':').collect();
        let fraction = |s: &str| -> Result<f64, ModelError> {
            match s.parse::<f64>() {
                Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
                _ => Err(err(
                    "the fraction must be a number strictly between 0 and 1",
                )),
            }
        };
        match parts.as_slice() {
            ["temporal", f] => Ok(Split::Temporal {
                fraction: fraction(f)?,
            }),
            ["random", f, seed] => Ok(Split::Random {
                fraction: fraction(f)?,
                seed: seed
                    .parse()
                    .map_err(|_| err("the seed must be a whole number"))?,
            }),
            _ => Err(err("unknown form")),
        }
    }
}

/// splitmix64: a small, well-mixed generator for the shuffle.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Split {
    /// The training and test rows of `n` rows, each in ascending order for
    /// a temporal split.
    pub fn rows(&self, n: usize) -> (Vec<usize>, Vec<usize>) {
        let (fraction, order) = match *self {
            Split::Temporal { fraction } => (fraction, (0..n).collect::<Vec<_>>()),
            Split::Random { fraction, seed } => {
                let mut o: Vec<usize> = (0..n).collect();
                let mut s = seed;
                for i in (1..n).rev() {
                    let j = (splitmix(&mut s) % (i as u64 + 1)) as usize;
                    o.swap(i, j);
                }
                (fraction, o)
            }
        };
        let cut = (fraction * n as f64).floor() as usize;
        (order[..cut].to_vec(), order[cut..].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_marketing_protocol_cut() {
        // The README: floor(0.8 × 45,211) = 36,168 training rows.
        let (tr, te) = "temporal:0.8".parse::<Split>().unwrap().rows(45_211);
        assert_eq!((tr.len(), te.len()), (36_168, 9_043));
        assert_eq!((tr[36_167], te[0]), (36_167, 36_168));
    }

    #[test]
    fn random_is_a_seeded_permutation() {
        let s: Split = "random:0.5:42".parse().unwrap();
        let (a, b) = s.rows(10);
        let mut all: Vec<usize> = a.iter().chain(&b).copied().collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(s.rows(10), (a, b));
        assert_ne!(
            "random:0.5:43".parse::<Split>().unwrap().rows(10).0,
            s.rows(10).0
        );
    }

    #[test]
    fn bad_splits_are_named() {
        for bad in [
            "temporal",
            "temporal:1.5",
            "random:0.8",
            "random:0.8:x",
            "k:0.8",
        ] {
            assert!(bad.parse::<Split>().is_err(), "{bad}");
        }
    }
}
