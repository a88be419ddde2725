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
