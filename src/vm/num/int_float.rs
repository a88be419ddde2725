//! Conversions between ints and floats, and int true division (`int / int`),
//! all correctly rounded (round-half-even) like CPython.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{ToPrimitive, Zero};

use super::error::{OpError, OpResult};
use super::Int;

/// Message of `float(n)` for an int beyond the float range.
pub const INT_TOO_LARGE_FOR_FLOAT: &str = "int too large to convert to float";

/// `float(a)` for a small int (exact or correctly rounded).
#[inline]
pub fn i64_to_f64(a: i64) -> f64 {
    a as f64
}

/// `float(a)` for an int; `OverflowError` beyond `±1.7976931348623157e308`.
pub fn int_to_f64(a: &BigInt) -> OpResult<f64> {
    if let Some(small) = a.to_i64() {
        return Ok(small as f64);
    }
    let (q, k, sticky) = top_bits(a.magnitude(), 0, false);
    let x =
        scaled_to_f64(q, k, sticky).ok_or_else(|| OpError::overflow(INT_TOO_LARGE_FOR_FLOAT))?;
    Ok(if a.sign() == Sign::Minus { -x } else { x })
}

/// `a / b` for small ints, correctly rounded; `ZeroDivisionError` when
/// `b == 0`. Never allocates.
pub fn i64_truediv(a: i64, b: i64) -> OpResult<f64> {
    if b == 0 {
        return Err(OpError::zero_division("division by zero"));
    }
    const EXACT: u64 = 1 << 53;
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    if ua <= EXACT && ub <= EXACT {
        return Ok(a as f64 / b as f64);
    }
    let negative = (a < 0) != (b < 0);
    let x = div_u128(u128::from(ua), u128::from(ub));
    Ok(if negative { -x } else { x })
}

/// `a / b` for ints, correctly rounded even when both are huge.
/// `ZeroDivisionError` for `b == 0`; `OverflowError` (`integer division
/// result too large for a float`) when the quotient is beyond the float range.
pub fn int_truediv(a: &BigInt, b: &BigInt) -> OpResult<f64> {
    if b.is_zero() {
        return Err(OpError::zero_division("division by zero"));
    }
    if let (Some(sa), Some(sb)) = (a.to_i64(), b.to_i64()) {
        return i64_truediv(sa, sb);
    }
    let negative = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let sign = |x: f64| if negative { -x } else { x };
    if a.is_zero() {
        return Ok(sign(0.0));
    }
    let (ma, mb) = (a.magnitude(), b.magnitude());
    // Scale so the integer quotient has 55 or 56 bits: then rounding to
    // 53 bits only needs the quotient plus a sticky bit for the remainder.
    let n = ma.bits() as i64 - mb.bits() as i64;
    let k = 55 - n;
    let (q, r) = if k >= 0 {
        let num: BigUint = ma << (k as u64);
        (&num / mb, &num % mb)
    } else {
        let den: BigUint = mb << ((-k) as u64);
        (ma / &den, ma % &den)
    };
    let (q, k, sticky) = top_bits(&q, k, !r.is_zero());
    scaled_to_f64(q, k, sticky)
        .map(sign)
        .ok_or_else(|| OpError::overflow("integer division result too large for a float"))
}

/// Correctly rounded `a / b` for `a, b < 2^64`, `b != 0`.
fn div_u128(a: u128, b: u128) -> f64 {
    if a == 0 {
        return 0.0;
    }
    let bits = |x: u128| 128 - i64::from(x.leading_zeros());
    let k = 55 - (bits(a) - bits(b));
    let (q, r) = if k >= 0 {
        let num = a << k;
        (num / b, num % b)
    } else {
        let den = b << (-k);
        (a / den, a % den)
    };
    // Quotients of 64-bit values are far from the float range limits.
    scaled_to_f64(q, k, r != 0).unwrap_or(f64::INFINITY)
}

/// Reduce `m * 2^-k` to at most 120 significant bits, folding the
/// dropped bits into `sticky`.
fn top_bits(m: &BigUint, k: i64, sticky: bool) -> (u128, i64, bool) {
    let bits = m.bits();
    if bits <= 120 {
        return (m.to_u128().unwrap_or(0), k, sticky);
    }
    let s = bits - 120;
    let lost = m.trailing_zeros().is_some_and(|tz| tz < s);
    let top: BigUint = m >> s;
    (top.to_u128().unwrap_or(0), k - s as i64, sticky || lost)
}

/// The float nearest to `(q + ε) * 2^-k` where `ε` is in (0, 1) when
/// `sticky` and 0 otherwise, rounding half to even; `None` on overflow.
/// When `sticky` is set, `q` must have at least 55 bits or be subject to
/// subnormal rounding, so the sticky bit sits below the rounding bit.
fn scaled_to_f64(q: u128, k: i64, sticky: bool) -> Option<f64> {
    if q == 0 {
        return Some(0.0);
    }
    let bits = 128 - i64::from(q.leading_zeros());
    let drop = (bits - 53).max(k - 1074);
    let (m, e) = if drop <= 0 {
        (q, -k)
    } else if drop >= 128 {
        (0, drop - k)
    } else {
        let m = q >> drop;
        let rem = q & ((1u128 << drop) - 1);
        let half = 1u128 << (drop - 1);
        let up = rem > half || (rem == half && (sticky || m & 1 == 1));
        (m + u128::from(up), drop - k)
    };
    if m == 0 {
        return Some(0.0);
    }
    let mbits = 128 - i64::from(m.leading_zeros());
    if mbits + e > 1024 {
        return None;
    }
    Some(ldexp_exact(m as f64, e))
}

/// `x * 2^e` when the result is known to be exactly representable.
fn ldexp_exact(mut x: f64, mut e: i64) -> f64 {
    let pow2 = |p: i64| f64::from_bits(((p + 1023) as u64) << 52);
    while e > 1023 {
        x *= pow2(1023);
        e -= 1023;
    }
    while e < -1022 {
        x *= pow2(-1022);
        e += 1022;
    }
    x * pow2(e)
}

/// `int(x)` for a float: truncation toward zero, exact for huge floats.
/// `OverflowError` for infinities, `ValueError` for NaN.
pub fn f64_to_int(x: f64) -> OpResult<Int> {
    if let Some(small) = f64_trunc_i64(x) {
        return Ok(Int::Small(small));
    }
    if x.is_nan() {
        return Err(OpError::value("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(OpError::overflow(
            "cannot convert float infinity to integer",
        ));
    }
    // |x| >= 2^63: x is an integer m * 2^e with e > 0.
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
    let mag = BigInt::from(mant) << (exp as u64);
    Ok(Int::Big(if x < 0.0 { -mag } else { mag }))
}

/// `int(x)` when it fits in an `i64`; `None` for NaN, infinities and
/// values outside the range (use [`f64_to_int`] then).
#[inline]
pub fn f64_trunc_i64(x: f64) -> Option<i64> {
    // 2^63 is exactly representable; every float in [-2^63, 2^63)
    // truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (-LIMIT..LIMIT).contains(&x).then_some(x as i64)
}

/// `float.is_integer()`.
pub fn f64_is_integer(x: f64) -> bool {
    x.is_finite() && x.trunc() == x
}
