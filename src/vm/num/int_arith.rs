//! Integer arithmetic with Python's semantics: floor division and modulo
//! (sign of the divisor), `divmod`, `**` (including three-argument `pow`),
//! shifts and `~`.
//!
//! Every operation has an allocation-free `i64_*` fast path that returns
//! `Ok(None)` when the exact result does not fit in an `i64` (the caller
//! then retries with the `int_*` [`BigInt`] version), and a `BigInt`
//! version that always succeeds unless Python raises.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::error::{OpError, OpResult};
use super::float_arith::float_pow;
use super::int_float::int_to_f64;

/// Message of `x // 0` and `divmod(x, 0)` for ints.
pub const INT_DIV_BY_ZERO: &str = "integer division or modulo by zero";
/// Message of `x % 0` for ints (3.11 words it differently from `//`).
pub const INT_MOD_BY_ZERO: &str = "integer modulo by zero";

/// Largest result, in bits, that a shift or power may build before we
/// raise `MemoryError` instead of trying (2 GiB of digits).
pub const MAX_RESULT_BITS: u64 = 1 << 34;

/// Result of `int ** int`: an int, or a float for a negative exponent.
#[derive(Debug, Clone, PartialEq)]
pub enum IntPow {
    /// Non-negative exponent: an exact int.
    Int(BigInt),
    /// Negative exponent: Python computes `float(a) ** float(b)`.
    Float(f64),
}

/// `a // b` for small ints; `Ok(None)` on overflow (`i64::MIN // -1`).
#[inline]
pub fn i64_floordiv(a: i64, b: i64) -> OpResult<Option<i64>> {
    if b == 0 {
        return Err(OpError::zero_division(INT_DIV_BY_ZERO));
    }
    Ok(a.checked_div(b).map(|q| {
        if (a % b != 0) && ((a < 0) != (b < 0)) {
            q - 1
        } else {
            q
        }
    }))
}

/// `a % b` for small ints (result has the sign of `b`); never overflows.
#[inline]
pub fn i64_mod(a: i64, b: i64) -> OpResult<i64> {
    if b == 0 {
        return Err(OpError::zero_division(INT_MOD_BY_ZERO));
    }
    let r = a.wrapping_rem(b);
    Ok(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

/// `divmod(a, b)` for small ints; `Ok(None)` on overflow.
#[inline]
pub fn i64_divmod(a: i64, b: i64) -> OpResult<Option<(i64, i64)>> {
    if b == 0 {
        return Err(OpError::zero_division(INT_DIV_BY_ZERO));
    }
    let Some(q) = i64_floordiv(a, b)? else {
        return Ok(None);
    };
    Ok(Some((q, i64_mod(a, b)?)))
}

/// `a ** b` for small ints with `b >= 0`; `None` when `b < 0` (the result
/// is a float: use [`int_pow`] or [`float_pow`]) or on overflow.
#[inline]
pub fn i64_pow(base: i64, exp: i64) -> Option<i64> {
    if exp < 0 {
        return None;
    }
    match base {
        0 => return Some(if exp == 0 { 1 } else { 0 }),
        1 => return Some(1),
        -1 => return Some(if exp % 2 == 0 { 1 } else { -1 }),
        _ => {}
    }
    let exp = u32::try_from(exp).ok()?;
    base.checked_pow(exp)
}

/// `a << n` for small ints; `Ok(None)` when the result needs a big int.
#[inline]
pub fn i64_lshift(a: i64, n: i64) -> OpResult<Option<i64>> {
    if n < 0 {
        return Err(OpError::value("negative shift count"));
    }
    if a == 0 {
        return Ok(Some(0));
    }
    if n >= 64 {
        return Ok(None);
    }
    let r = a << n;
    Ok(((r >> n) == a).then_some(r))
}

/// `a >> n` for small ints (floor semantics); never overflows.
#[inline]
pub fn i64_rshift(a: i64, n: i64) -> OpResult<i64> {
    if n < 0 {
        return Err(OpError::value("negative shift count"));
    }
    Ok(if n >= 64 { a >> 63 } else { a >> n })
}

/// `a // b` for ints.
pub fn int_floordiv(a: &BigInt, b: &BigInt) -> OpResult<BigInt> {
    if b.is_zero() {
        return Err(OpError::zero_division(INT_DIV_BY_ZERO));
    }
    Ok(a.div_floor(b))
}

/// `a % b` for ints (result has the sign of `b`).
pub fn int_mod(a: &BigInt, b: &BigInt) -> OpResult<BigInt> {
    if b.is_zero() {
        return Err(OpError::zero_division(INT_MOD_BY_ZERO));
    }
    Ok(a.mod_floor(b))
}

/// `divmod(a, b)` for ints.
pub fn int_divmod(a: &BigInt, b: &BigInt) -> OpResult<(BigInt, BigInt)> {
    if b.is_zero() {
        return Err(OpError::zero_division(INT_DIV_BY_ZERO));
    }
    Ok(a.div_mod_floor(b))
}

/// `~a` for ints: `-(a + 1)`.
pub fn int_invert(a: &BigInt) -> BigInt {
    -(a + BigInt::one())
}

/// `base ** exp` for ints. A negative exponent gives a float computed as
/// `float(base) ** float(exp)`, with CPython's errors (`int too large to
/// convert to float`, `0.0 cannot be raised to a negative power`).
pub fn int_pow(base: &BigInt, exp: &BigInt) -> OpResult<IntPow> {
    if exp.is_negative() {
        let b = int_to_f64(base)?;
        let e = int_to_f64(exp)?;
        return float_pow(b, e).map(IntPow::Float);
    }
    if base.is_zero() {
        return Ok(IntPow::Int(if exp.is_zero() {
            BigInt::one()
        } else {
            BigInt::zero()
        }));
    }
    if base.is_one() {
        return Ok(IntPow::Int(BigInt::one()));
    }
    if *base == BigInt::from(-1) {
        let odd = exp.is_odd();
        return Ok(IntPow::Int(BigInt::from(if odd { -1 } else { 1 })));
    }
    let e = exp.to_u64().ok_or_else(OpError::memory)?;
    let bits = base.bits().saturating_sub(1).max(1).saturating_mul(e);
    if bits > MAX_RESULT_BITS {
        return Err(OpError::memory());
    }
    let e = u32::try_from(e).map_err(|_| OpError::memory())?;
    Ok(IntPow::Int(num_traits::Pow::pow(base, e)))
}

/// Three-argument `pow(base, exp, modulus)`, including negative exponents
/// (modular inverse). The result has the sign of `modulus`.
pub fn int_pow_mod(base: &BigInt, exp: &BigInt, modulus: &BigInt) -> OpResult<BigInt> {
    if modulus.is_zero() {
        return Err(OpError::value("pow() 3rd argument cannot be 0"));
    }
    let negative_output = modulus.is_negative();
    let m = modulus.abs();
    if m.is_one() {
        return Ok(BigInt::zero());
    }
    let mut b = base.mod_floor(&m);
    let e = if exp.is_negative() {
        b = mod_inverse(&b, &m)
            .ok_or_else(|| OpError::value("base is not invertible for the given modulus"))?;
        -exp
    } else {
        exp.clone()
    };
    let r = b.modpow(&e, &m);
    Ok(if negative_output && !r.is_zero() {
        r - m
    } else {
        r
    })
}

/// Inverse of `a` modulo `m` (`m > 1`, `0 <= a < m`), if it exists.
fn mod_inverse(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    let (mut old_r, mut r) = (a.clone(), m.clone());
    let (mut old_s, mut s) = (BigInt::one(), BigInt::zero());
    while !r.is_zero() {
        let q = &old_r / &r;
        let next_r = &old_r - &q * &r;
        old_r = std::mem::replace(&mut r, next_r);
        let next_s = &old_s - &q * &s;
        old_s = std::mem::replace(&mut s, next_s);
    }
    old_r.is_one().then(|| old_s.mod_floor(m))
}

/// `a << n` for ints. Raises `ValueError` for a negative count and
/// `MemoryError` when the result would exceed [`MAX_RESULT_BITS`].
pub fn int_lshift(a: &BigInt, n: &BigInt) -> OpResult<BigInt> {
    if n.is_negative() {
        return Err(OpError::value("negative shift count"));
    }
    if a.is_zero() {
        return Ok(BigInt::zero());
    }
    let n = n.to_u64().ok_or_else(OpError::memory)?;
    if a.bits().saturating_add(n) > MAX_RESULT_BITS {
        return Err(OpError::memory());
    }
    Ok(a << n)
}

/// `a >> n` for ints (rounds toward negative infinity).
pub fn int_rshift(a: &BigInt, n: &BigInt) -> OpResult<BigInt> {
    if n.is_negative() {
        return Err(OpError::value("negative shift count"));
    }
    match n.to_u64() {
        Some(n) if n < a.bits() => Ok(a >> n),
        _ => Ok(if a.sign() == Sign::Minus {
            BigInt::from(-1)
        } else {
            BigInt::zero()
        }),
    }
}
