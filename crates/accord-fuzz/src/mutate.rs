//! A small mutator for the stable runner: bit flips, interesting bytes and
//! varints, insertions, deletions, duplications, splices between seeds,
//! dictionary tokens of the target's syntax, and now and then a very long
//! run (length limits: a line past 65,535 columns, a count near u64::MAX).

use crate::Target;

/// xorshift64*: deterministic per seed, so a run can be repeated.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const BYTES: &[u8] = &[
    0, 1, 0x7F, 0x80, 0xFF, 0xC3, 0xE2, b'"', b'\'', b'\\', b'\n', b'\r', b',', b'=', b'[', b']',
    b'{', b'}', b'(', b')', b'.', b'#', b' ', b'\t', b'0', b'9', b'-', b'Z', b'T', b':',
];

const VARINTS: &[u64] = &[
    0,
    1,
    127,
    128,
    255,
    65_535,
    65_536,
    u32::MAX as u64,
    1 << 32,
    i64::MAX as u64,
    u64::MAX - 1,
    u64::MAX,
];

fn dictionary(target: Target) -> &'static [&'static str] {
    match target {
        Target::Agreement => &[
            "[stages.",
            "[[scoring.fit]]",
            "[[routing.rules]]",
            "[sla.sales]",
            "when = \"",
            "from = [",
            "\"\"\"",
            "'''",
            " = ",
            "version = 1\n",
            "\\u0000",
            "\\U0010FFFF",
            "lead.score >= mql_threshold",
            "lead.unknown_field",
            "1e309",
            "9223372036854775808",
            "-9223372036854775808",
            "1979-05-27T07:32:00Z",
            "inf",
            "nan",
            "a.b.c = 1\n",
            "\u{FEFF}",
            "é",
        ],
        Target::Expr => &[
            "lead.",
            "account.",
            "touch.",
            "rep.",
            "event.",
            "now",
            "mql_threshold",
            "duration('",
            "timestamp('",
            "h')",
            " && ",
            " || ",
            " ? ",
            " : ",
            "!",
            "==",
            "!=",
            ">=",
            " in ",
            "[",
            "]",
            "{",
            "}",
            "size(",
            "int(",
            "double(",
            "string(",
            ".contains(",
            ".startsWith(",
            ".matches('",
            ".all(x, ",
            ".exists(x, ",
            ".map(x, ",
            ".filter(x, ",
            "has(",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551615u",
            "1e308",
            "0x",
            "b'",
            "r'",
            "'''",
            "\\u",
            "\\x",
            "null",
            "true",
            "false",
            "lead.score",
            "lead.region",
            "touch.occurred_at",
        ],
        Target::CsvRow | Target::Import => &[
            ",",
            "\"",
            "\"\"",
            "\r\n",
            "\n",
            ",,",
            "2025-02-29T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "1000-01-01T00:00:00Z",
            "24:00:00",
            "-1",
            "4294967296",
            "18446744073709551616",
            "92233720368547758.07",
            "1e9",
            "0.001",
            "NaN",
            "inf",
            "R0001",
            "A000001",
            "L0000001",
            "C0001",
            "K0001",
            "EMEA",
            "NA",
            "webinar",
            "won",
            "lost",
            "mql",
            "sal",
            "a@b.c",
            "@",
            ".com",
            "xn--",
            "é",
            "\u{0}",
            "\u{FEFF}",
        ],
        Target::Event | Target::Table => &["ACRT", "\u{0}", "\u{1}", "\u{7}"],
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Mutates `data` in place by 1 to 4 random edits; `others` are the seeds
/// to splice from.
pub fn mutate(rng: &mut Rng, target: Target, data: &mut Vec<u8>, others: &[&[u8]]) {
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        edit(rng, target, data, others);
    }
}

fn edit(rng: &mut Rng, target: Target, data: &mut Vec<u8>, others: &[&[u8]]) {
    let len = data.len();
    let at = if len == 0 { 0 } else { rng.below(len + 1) };
    match rng.below(12) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = BYTES[rng.below(BYTES.len())];
        }
        2 => {
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let end = (at + 1 + rng.below(16.max(len / 8))).min(len);
            data.drain(at.min(len - 1)..end);
        }
        4 if len > 0 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(64)).min(len);
            let chunk = data[start..end].to_vec();
            data.splice(at..at, chunk);
        }
        5 if !others.is_empty() => {
            let other = others[rng.below(others.len())];
            if !other.is_empty() {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(256)).min(other.len());
                if rng.chance(2) {
                    data.splice(at..at, other[start..end].iter().copied());
                } else {
                    let stop = (at + (end - start)).min(len);
                    data.splice(at..stop, other[start..end].iter().copied());
                }
            }
        }
        6 | 7 => {
            let words = dictionary(target);
            let word = words[rng.below(words.len())].as_bytes();
            data.splice(at..at, word.iter().copied());
        }
        8 => {
            let mut v = Vec::new();
            let n = VARINTS[rng.below(VARINTS.len())];
            let n = if rng.chance(2) {
                n
            } else {
                n.wrapping_add(rng.below(3) as u64).wrapping_sub(1)
            };
            put_varint(&mut v, n);
            let stop = if rng.chance(2) {
                (at + v.len()).min(len)
            } else {
                at
            };
            data.splice(at..stop, v);
        }
        9 if len > 0 && rng.chance(8) => {
            // A very long run: lines and strings past 16-bit limits.
            let n = 1_000 + rng.below(80_000);
            let byte = if rng.chance(2) {
                data[rng.below(len)]
            } else {
                b'a'
            };
            data.splice(at..at, std::iter::repeat_n(byte, n));
        }
        10 if len > 0 => {
            data.truncate(rng.below(len));
        }
        _ if len > 1 => {
            let (i, j) = (rng.below(len), rng.below(len));
            data.swap(i, j);
        }
        _ => data.push(rng.next_u64() as u8),
    }
    if data.len() > crate::targets::MAX_INPUT {
        data.truncate(crate::targets::MAX_INPUT);
    }
}

/// Arbitrary bytes, for the part of the run that starts from nothing.
pub fn random(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(256);
    (0..n).map(|_| rng.next_u64() as u8).collect()
}
