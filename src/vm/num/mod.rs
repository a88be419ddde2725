//! Number semantics of CPython 3.11 as pure functions.
//!
//! Nothing here knows the VM's object model: inputs and outputs are `i64`,
//! `f64`, [`BigInt`], `&str`/`String` and the small [`Int`] enum. Every
//! fallible function returns [`OpResult`], whose [`OpError`] carries a
//! [`PyErrorKind`] (the exception class) and CPython's exact message.
//!
//! # Fast paths and big ints
//!
//! Integer operations come in pairs. `i64_*` functions never allocate and
//! return `Ok(None)` (or `None`) when the exact result does not fit in an
//! `i64`; the caller then calls the `int_*` version on [`BigInt`]s. The VM's
//! small ints are 63-bit, so it checks the range of `i64` results itself.
//!
//! | Python                 | small ints                | big ints / general            |
//! |------------------------|---------------------------|-------------------------------|
//! | `a // b`               | [`i64_floordiv`]          | [`int_floordiv`]              |
//! | `a % b`                | [`i64_mod`]               | [`int_mod`]                   |
//! | `divmod(a, b)`         | [`i64_divmod`]            | [`int_divmod`]                |
//! | `a ** b`               | [`i64_pow`]               | [`int_pow`] → [`IntPow`]      |
//! | `pow(a, b, m)`         |                           | [`int_pow_mod`]               |
//! | `a << n`, `a >> n`     | [`i64_lshift`], [`i64_rshift`] | [`int_lshift`], [`int_rshift`] |
//! | `~a`                   | `!a`                      | [`int_invert`]                |
//! | `a & b`, `a \| b`, `a ^ b` | Rust operators        | `BigInt` operators (two's complement, as Python) |
//! | `a / b`                | [`i64_truediv`]           | [`int_truediv`]               |
//! | `float(a)`             | [`i64_to_f64`]            | [`int_to_f64`]                |
//! | `int(x)` (float)       | [`f64_trunc_i64`]         | [`f64_to_int`]                |
//! | `round(x)`, `round(x, n)` | [`float_round`], [`float_round_ndigits`] | |
//! | `round(a, n)` (int)    | [`i64_round`]             | [`int_round`]                 |
//! | `int(s, base)`         |                           | [`parse_int`]                 |
//! | `float(s)`             |                           | [`parse_float`]               |
//! | `str(a)`               | `i64::to_string`          | [`int_to_decimal`] (4300-digit limit) |
//! | `bin`/`oct`/`hex`      | [`i64_to_radix_prefixed`] | [`int_to_radix_prefixed`]     |
//!
//! Mixed comparisons `int <op> float` are exact: [`i64_f64_cmp`],
//! [`int_f64_cmp`] (`None` for NaN).
//!
//! `math` integer functions: [`float_floor`], [`float_ceil`], [`factorial`],
//! [`isqrt`], [`gcd`], [`comb`], [`perm`].
//!
//! Hashes as CPython computes them (set order follows them): [`hash_i64`],
//! [`hash_int`], [`hash_f64`].
//!
//! Floats: [`float_truediv`], [`float_floordiv`], [`float_mod`],
//! [`float_divmod`], [`float_pow`] (a result that would be complex in
//! CPython raises `ValueError` [`COMPLEX_RESULT`]), [`f64_is_integer`].
//!
//! Limits: results of `<<` and `**` beyond [`MAX_RESULT_BITS`] raise
//! `MemoryError` up front instead of exhausting memory.

//!
//! # Example
//!
//! ```
//! use cpjit::vm::num::{i64_floordiv, int_floordiv, PyErrorKind};
//! use num_bigint::BigInt;
//!
//! assert_eq!(i64_floordiv(-7, 2).unwrap(), Some(-4));
//! // i64::MIN // -1 does not fit: retry on big ints.
//! assert_eq!(i64_floordiv(i64::MIN, -1).unwrap(), None);
//! let q = int_floordiv(&BigInt::from(i64::MIN), &BigInt::from(-1)).unwrap();
//! assert_eq!(q, -BigInt::from(i64::MIN));
//! let err = i64_floordiv(1, 0).unwrap_err();
//! assert_eq!(err.kind, PyErrorKind::ZeroDivisionError);
//! assert_eq!(err.message, "integer division or modulo by zero");
//! ```

mod compare;
mod error;
mod float_arith;
mod hash;
mod int_arith;
mod int_float;
mod int_str;
mod math_int;
mod parse_float;
mod parse_int;
mod round;
pub mod unicode;
mod unicode_tables;

#[cfg(test)]
pub(crate) mod golden;
#[cfg(test)]
mod tests;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

pub use compare::{i64_f64_cmp, int_f64_cmp};
pub use error::{OpError, OpResult, PyErrorKind};
pub use float_arith::{
    float_divmod, float_floordiv, float_mod, float_pow, float_truediv, COMPLEX_RESULT,
};
pub use hash::{hash_f64, hash_frozenset, hash_i64, hash_int, hash_tuple, HASH_INF, HASH_MODULUS};
pub use int_arith::{
    i64_divmod, i64_floordiv, i64_lshift, i64_mod, i64_pow, i64_rshift, int_divmod, int_floordiv,
    int_invert, int_lshift, int_mod, int_pow, int_pow_mod, int_rshift, IntPow, INT_DIV_BY_ZERO,
    INT_MOD_BY_ZERO, MAX_RESULT_BITS,
};
pub use int_float::{
    f64_is_integer, f64_to_int, f64_trunc_i64, i64_to_f64, i64_truediv, int_to_f64, int_truediv,
    INT_TOO_LARGE_FOR_FLOAT,
};
pub use int_str::{
    i64_to_radix_prefixed, int_to_decimal, int_to_radix_prefixed, radix_prefix, MAX_STR_DIGITS,
};
pub use math_int::{comb, factorial, float_ceil, float_floor, gcd, isqrt, perm};
pub use parse_float::parse_float;
pub use parse_int::{parse_int, BAD_BASE};
pub use round::{float_round, float_round_half_even, float_round_ndigits, i64_round, int_round};

/// An int result that is small when it fits in an `i64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Int {
    /// Fits in an `i64`.
    Small(i64),
    /// Does not fit in an `i64` (constructors keep this invariant).
    Big(BigInt),
}

impl Int {
    /// The value as a `BigInt`.
    pub fn to_bigint(&self) -> BigInt {
        match self {
            Int::Small(v) => BigInt::from(*v),
            Int::Big(b) => b.clone(),
        }
    }
}

impl From<BigInt> for Int {
    fn from(b: BigInt) -> Self {
        match b.to_i64() {
            Some(v) => Int::Small(v),
            None => Int::Big(b),
        }
    }
}

impl From<i64> for Int {
    fn from(v: i64) -> Self {
        Int::Small(v)
    }
}
