//! `round()` for floats and ints, matching CPython 3.11 exactly: ties go to
//! even, and `round(x, n)` rounds the float's exact binary value (so
//! `round(2.675, 2) == 2.67`), like CPython's dtoa-based `double_round`.

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{Pow, Signed, ToPrimitive, Zero};

use super::error::{OpError, OpResult};
use super::int_float::{f64_to_int, int_to_f64};
use super::Int;

/// `round(x)` with one argument, as a float: half to even.
#[inline]
pub fn float_round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// `round(x)` with one argument: the nearest int, ties to even.
/// `OverflowError`/`ValueError` for infinities and NaN.
pub fn float_round(x: f64) -> OpResult<Int> {
    f64_to_int(x.round_ties_even())
}

/// `round(x, ndigits)` for a float. Pass `ndigits` saturated to `i64`
/// (CPython clamps huge values the same way).
pub fn float_round_ndigits(x: f64, ndigits: i64) -> OpResult<f64> {
    // CPython's NDIGITS_MAX and NDIGITS_MIN.
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if !x.is_finite() || x == 0.0 {
        return Ok(x);
    }
    if ndigits > NDIGITS_MAX {
        return Ok(x);
    }
    if ndigits < NDIGITS_MIN {
        return Ok(0.0 * x);
    }
    let rounded = if ndigits >= 0 {
        // Rust's fixed-precision formatting is exact and rounds half to
        // even on the exact value, as dtoa's mode 3 does.
        let text = format!("{:.*}", ndigits as usize, x.abs());
        text.parse::<f64>().unwrap_or(f64::INFINITY)
    } else {
        round_to_power_of_ten(x.abs(), (-ndigits) as u32)?
    };
    if rounded.is_infinite() {
        return Err(OpError::overflow("rounded value too large to represent"));
    }
    Ok(rounded.copysign(x))
}

/// `|x|` (finite, non-zero) rounded half-even to a multiple of `10^k`.
fn round_to_power_of_ten(x: f64, k: u32) -> OpResult<f64> {
    let bits = x.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), raw_exp - 1075)
    };
    let pow10: BigUint = Pow::pow(BigUint::from(10u32), k);
    let (num, den) = if exp >= 0 {
        (BigUint::from(mant) << (exp as u64), pow10.clone())
    } else {
        (BigUint::from(mant), &pow10 << ((-exp) as u64))
    };
    let q = div_round_half_even(&num, &den);
    let result = BigInt::from(q * pow10);
    int_to_f64(&result).map_err(|_| OpError::overflow("rounded value too large to represent"))
}

/// `round(num / den)` with ties to even, for unsigned values.
fn div_round_half_even(num: &BigUint, den: &BigUint) -> BigUint {
    let (q, r) = num.div_rem(den);
    let twice = &r << 1u32;
    if twice > *den || (twice == *den && q.is_odd()) {
        q + 1u32
    } else {
        q
    }
}

/// `round(x, ndigits)` for an int: unchanged for `ndigits >= 0`, else
/// rounded half-even to a multiple of `10^-ndigits`.
pub fn int_round(x: &BigInt, ndigits: i64) -> BigInt {
    if ndigits >= 0 || x.is_zero() {
        return x.clone();
    }
    let k = ndigits.unsigned_abs();
    // |x| < 2^bits <= 10^(bits*0.302 + 1); if that is below 10^k / 2 the
    // result is 0, without building a huge power of ten.
    let digits_upper = x.bits() * 30103 / 100000 + 1;
    if k > digits_upper + 1 {
        return BigInt::zero();
    }
    let pow10: BigUint = Pow::pow(BigUint::from(10u32), k as u32);
    let q = div_round_half_even(x.magnitude(), &pow10);
    let mag = BigInt::from(q * pow10);
    if x.is_negative() {
        -mag
    } else {
        mag
    }
}

/// `round(x, ndigits)` for a small int; `None` if the result overflows.
pub fn i64_round(x: i64, ndigits: i64) -> Option<i64> {
    if ndigits >= 0 {
        return Some(x);
    }
    if ndigits < -19 {
        return Some(0);
    }
    let pow10 = 10u64.pow(ndigits.unsigned_abs() as u32);
    let mag = x.unsigned_abs();
    let (q, r) = (mag / pow10, mag % pow10);
    let twice = u128::from(r) * 2;
    let up = twice > u128::from(pow10) || (twice == u128::from(pow10) && q % 2 == 1);
    let q = q + u64::from(up);
    let rounded = i128::from(q) * i128::from(pow10);
    let signed = if x < 0 { -rounded } else { rounded };
    signed.to_i64()
}
