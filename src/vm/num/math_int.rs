//! Integer functions of the `math` module with CPython 3.11's errors:
//! `floor`/`ceil` of a float, `factorial`, `isqrt`, `gcd`, `comb`, `perm`.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::error::{OpError, OpResult};
use super::int_arith::MAX_RESULT_BITS;
use super::int_float::f64_to_int;
use super::Int;

/// `math.floor(x)` for a float.
pub fn float_floor(x: f64) -> OpResult<Int> {
    f64_to_int(x.floor())
}

/// `math.ceil(x)` for a float.
pub fn float_ceil(x: f64) -> OpResult<Int> {
    f64_to_int(x.ceil())
}

/// `math.factorial(n)`.
pub fn factorial(n: &BigInt) -> OpResult<BigInt> {
    if n.is_negative() {
        return Err(OpError::value(
            "factorial() not defined for negative values",
        ));
    }
    let n = n.to_u64().ok_or_else(|| {
        OpError::overflow("factorial() argument should not exceed 9223372036854775807")
    })?;
    // log2(n!) < n * log2(n); refuse results beyond the size limit.
    let bits_estimate = n.saturating_mul(64 - u64::from(n.leading_zeros()));
    if bits_estimate > MAX_RESULT_BITS {
        return Err(OpError::memory());
    }
    Ok(product(1, n))
}

/// Product of `lo..=hi` by splitting, so big multiplications balance.
fn product(lo: u64, hi: u64) -> BigInt {
    if lo > hi {
        return BigInt::one();
    }
    if hi - lo < 16 {
        return (lo..=hi).fold(BigInt::one(), |acc, k| acc * k);
    }
    let mid = lo + (hi - lo) / 2;
    product(lo, mid) * product(mid + 1, hi)
}

/// `math.isqrt(n)`.
pub fn isqrt(n: &BigInt) -> OpResult<BigInt> {
    if n.is_negative() {
        return Err(OpError::value("isqrt() argument must be nonnegative"));
    }
    Ok(n.sqrt())
}

/// `math.gcd(a, b)` (non-negative).
pub fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    a.gcd(b)
}

/// `math.comb(n, k)`.
pub fn comb(n: &BigInt, k: &BigInt) -> OpResult<BigInt> {
    check_nk(n, k)?;
    if k > n {
        return Ok(BigInt::zero());
    }
    let k = std::cmp::min(k.clone(), n - k);
    let k = small_k(&k)?;
    let mut result = BigInt::one();
    for i in 0..k {
        result = result * (n - i) / (i + 1);
    }
    Ok(result)
}

/// `math.perm(n, k)`.
pub fn perm(n: &BigInt, k: &BigInt) -> OpResult<BigInt> {
    check_nk(n, k)?;
    if k > n {
        return Ok(BigInt::zero());
    }
    let k = small_k(k)?;
    let mut result = BigInt::one();
    for i in 0..k {
        result *= n - i;
    }
    Ok(result)
}

fn check_nk(n: &BigInt, k: &BigInt) -> OpResult<()> {
    if n.is_negative() {
        return Err(OpError::value("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(OpError::value("k must be a non-negative integer"));
    }
    Ok(())
}

fn small_k(k: &BigInt) -> OpResult<u64> {
    k.to_u64()
        .filter(|&k| k <= MAX_RESULT_BITS)
        .ok_or_else(|| OpError::overflow(format!("min(n - k, k) must not exceed {}", i64::MAX)))
}
