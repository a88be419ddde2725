//! Exact comparison between ints and floats (`10**20 == 1e20`,
//! `2**53 + 1 > 2.0**53`), as CPython's `float_richcompare` does: never by
//! converting the int to a float.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::int_float::f64_to_int;
use super::Int;

/// Compare a small int with a float exactly; `None` when `b` is NaN.
#[inline]
pub fn i64_f64_cmp(a: i64, b: f64) -> Option<Ordering> {
    if b.is_nan() {
        return None;
    }
    const EXACT: u64 = 1 << 53;
    if a.unsigned_abs() <= EXACT {
        return (a as f64).partial_cmp(&b);
    }
    // 2^63 as a float: every float in [-2^63, 2^63) truncates into i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if b >= LIMIT {
        return Some(Ordering::Less);
    }
    if b < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = b.trunc();
    match a.cmp(&(whole as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(b - whole)),
        other => Some(other),
    }
}

/// Compare an int with a float exactly; `None` when `b` is NaN.
pub fn int_f64_cmp(a: &BigInt, b: f64) -> Option<Ordering> {
    if let Some(small) = a.to_i64() {
        return i64_f64_cmp(small, b);
    }
    if b.is_nan() {
        return None;
    }
    if b.is_infinite() {
        return Some(if b > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    // |a| >= 2^63. A float below that magnitude is decided by a's sign;
    // otherwise the float is an integer and converts exactly.
    match f64_to_int(b) {
        Ok(Int::Big(fb)) => Some(a.cmp(&fb)),
        _ => Some(if a.is_negative() {
            Ordering::Less
        } else {
            Ordering::Greater
        }),
    }
}
