//! CPython 3.11's numeric hashes (`hash(n)`, `hash(x)`): ints and floats
//! that compare equal hash equal, reduced modulo the prime 2^61 - 1. Set
//! iteration order in CPython follows these values.

use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

/// `_PyHASH_MODULUS`: 2^61 - 1.
pub const HASH_MODULUS: u64 = (1 << 61) - 1;
const HASH_BITS: u32 = 61;
/// `hash(float('inf'))`.
pub const HASH_INF: i64 = 314_159;

/// `hash(n)` for a small int.
#[inline]
pub fn hash_i64(n: i64) -> i64 {
    // Most ints are below the modulus: no division.
    if n.unsigned_abs() < HASH_MODULUS {
        return if n == -1 { -2 } else { n };
    }
    let h = (n.unsigned_abs() % HASH_MODULUS) as i64;
    let h = if n < 0 { -h } else { h };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(n)` for an int.
pub fn hash_int(n: &BigInt) -> i64 {
    if let Some(small) = n.to_i64() {
        return hash_i64(small);
    }
    let r = (n.magnitude() % HASH_MODULUS).to_u64().unwrap_or_default() as i64;
    let h = if n.sign() == Sign::Minus { -r } else { r };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(x)` for a float; `None` for NaN (CPython 3.10+ hashes NaN by
/// object identity, which only the VM knows).
pub fn hash_f64(v: f64) -> Option<i64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { HASH_INF } else { -HASH_INF });
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let e = if e >= 0 {
        e % HASH_BITS as i32
    } else {
        HASH_BITS as i32 - 1 - ((-1 - e) % HASH_BITS as i32)
    } as u32;
    x = ((x << e) & HASH_MODULUS) | (x >> (HASH_BITS - e));
    let h = (x as i64).wrapping_mul(sign);
    Some(if h == -1 { -2 } else { h })
}

/// C's `frexp`: `v = m * 2^e` with `0.5 <= |m| < 1` (or `m == 0`).
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    if raw_exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * f64::from_bits(0x4350_0000_0000_0000)); // 2^54
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, raw_exp - 1022)
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

/// `hash(t)` for a tuple of `len` items whose hashes are `items` (CPython
/// 3.11's xxHash-based `tuplehash`).
pub fn hash_tuple(len: usize, items: impl Iterator<Item = i64>) -> i64 {
    let len = len as u64;
    let mut acc = XXPRIME_5;
    for lane in items {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(XXPRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(XXPRIME_1);
    }
    acc = acc.wrapping_add(len ^ (XXPRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        1_546_275_796
    } else {
        acc as i64
    }
}

/// `hash(fs)` for a frozenset whose items hash to `items` (CPython 3.11's
/// `frozenset_hash`: independent of the table's layout and order).
pub fn hash_frozenset(items: impl ExactSizeIterator<Item = i64>) -> i64 {
    let shuffle = |h: u64| ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167);
    let n = items.len() as u64;
    let mut hash = items.fold(0u64, |acc, h| acc ^ shuffle(h as u64));
    hash ^= (n + 1).wrapping_mul(1_927_868_237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69_069).wrapping_add(907_133_923);
    if hash == u64::MAX {
        590_923_713
    } else {
        hash as i64
    }
}
