//! Ints to text: `str(n)` (with CPython 3.11's 4300-digit limit), and
//! `bin`/`oct`/`hex` style strings with prefixes.

use num_bigint::BigInt;
use num_traits::Signed;

use super::error::{OpError, OpResult};

/// CPython 3.11's default `sys.get_int_max_str_digits()`.
pub const MAX_STR_DIGITS: usize = 4300;

/// Below this many bits an int always has at most [`MAX_STR_DIGITS`]
/// decimal digits (4300 / log10(2) = 14284.4).
const SAFE_BITS: u64 = 14284;

/// `str(n)` for an int. `ValueError` beyond 4300 decimal digits, as
/// CPython 3.11 raises by default.
pub fn int_to_decimal(n: &BigInt) -> OpResult<String> {
    let too_long = || {
        OpError::value(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion; \
             use sys.set_int_max_str_digits() to increase the limit"
        ))
    };
    // Cheap rejection of hopeless sizes before the quadratic conversion.
    if n.bits() > SAFE_BITS + 8 {
        return Err(too_long());
    }
    let s = n.to_str_radix(10);
    let digits = s.len() - usize::from(n.is_negative());
    if digits > MAX_STR_DIGITS {
        return Err(too_long());
    }
    Ok(s)
}

/// The prefix Python uses for `radix` (`0b`, `0o`, `0x`), or `""`.
pub fn radix_prefix(radix: u32) -> &'static str {
    match radix {
        2 => "0b",
        8 => "0o",
        16 => "0x",
        _ => "",
    }
}

/// `bin(n)`, `oct(n)`, `hex(n)` (radix 2, 8, 16): sign, prefix, lower-case
/// digits, e.g. `-0xff`. Radix 10 gives plain `str(n)` without a limit.
pub fn int_to_radix_prefixed(n: &BigInt, radix: u32) -> String {
    let digits = n.magnitude().to_str_radix(radix);
    let sign = if n.is_negative() { "-" } else { "" };
    format!("{sign}{}{digits}", radix_prefix(radix))
}

/// [`int_to_radix_prefixed`] for a small int.
pub fn i64_to_radix_prefixed(n: i64, radix: u32) -> String {
    let mag = n.unsigned_abs();
    let sign = if n < 0 { "-" } else { "" };
    let prefix = radix_prefix(radix);
    match radix {
        2 => format!("{sign}{prefix}{mag:b}"),
        8 => format!("{sign}{prefix}{mag:o}"),
        16 => format!("{sign}{prefix}{mag:x}"),
        _ => format!("{sign}{mag}"),
    }
}
