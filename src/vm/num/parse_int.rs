//! `int(text, base)`: CPython 3.11's `PyLong_FromString` rules: white
//! space around, sign, base prefixes (`0x`/`0o`/`0b`, required for base 0),
//! single underscores between digits, Unicode decimal digits, and the
//! 4300-digit limit for non-power-of-two bases.

use num_bigint::BigInt;
use num_traits::Num;

use super::error::{OpError, OpResult};
use super::int_str::MAX_STR_DIGITS;
use super::unicode::to_ascii_number_text;
use super::Int;

/// Message of an out-of-range `base` argument.
pub const BAD_BASE: &str = "int() base must be >= 2 and <= 36, or 0";

/// `int(text, base)` where `base` is 0 or 2..=36 (else `ValueError`).
pub fn parse_int(text: &str, base: i64) -> OpResult<Int> {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(OpError::value(BAD_BASE));
    }
    let base = base as u32;
    let ascii = to_ascii_number_text(text);
    parse_ascii(ascii.as_bytes(), base).map_err(|e| match e {
        ParseFailure::Invalid => invalid_literal(text, base),
        ParseFailure::TooManyDigits(n) => OpError::value(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
             value has {n} digits; use sys.set_int_max_str_digits() to increase the limit"
        )),
    })
}

/// CPython's `invalid literal for int() with base N: 'text'` (the repr is
/// cut at 200 characters, as `%.200R` does).
fn invalid_literal(text: &str, base: u32) -> OpError {
    let repr: String = crate::vm::fmt::str_repr(text).chars().take(200).collect();
    OpError::value(format!(
        "invalid literal for int() with base {base}: {repr}"
    ))
}

enum ParseFailure {
    Invalid,
    TooManyDigits(usize),
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn parse_ascii(s: &[u8], base: u32) -> Result<Int, ParseFailure> {
    let mut i = 0;
    while i < s.len() && is_ascii_space(s[i]) {
        i += 1;
    }
    let mut end = s.len();
    while end > i && is_ascii_space(s[end - 1]) {
        end -= 1;
    }
    let s = &s[i..end];
    let mut pos = 0;
    let negative = match s.first() {
        Some(b'-') => {
            pos = 1;
            true
        }
        Some(b'+') => {
            pos = 1;
            false
        }
        _ => false,
    };
    let at = |k: usize| s.get(k).copied().unwrap_or(0).to_ascii_lowercase();
    let mut base = base;
    let mut error_if_nonzero = false;
    if base == 0 {
        base = if at(pos) != b'0' {
            10
        } else {
            match at(pos + 1) {
                b'x' => 16,
                b'o' => 8,
                b'b' => 2,
                _ => {
                    error_if_nonzero = true;
                    10
                }
            }
        };
    }
    let prefix = match base {
        16 => b'x',
        8 => b'o',
        2 => b'b',
        _ => 0,
    };
    if prefix != 0 && at(pos) == b'0' && at(pos + 1) == prefix {
        pos += 2;
        if at(pos) == b'_' {
            pos += 1;
        }
    }
    let body = &s[pos.min(s.len())..];
    // The run of digits, with single underscores strictly between them.
    let mut digits = Vec::with_capacity(body.len());
    let mut prev_underscore = true; // a leading '_' is an error
    let mut consumed = 0;
    for &b in body {
        let d = match b {
            b'_' => {
                if prev_underscore {
                    return Err(ParseFailure::Invalid);
                }
                prev_underscore = true;
                consumed += 1;
                continue;
            }
            b'0'..=b'9' => u32::from(b - b'0'),
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => break,
        };
        if d >= base {
            break;
        }
        digits.push(b);
        prev_underscore = false;
        consumed += 1;
    }
    if digits.is_empty() || prev_underscore {
        return Err(ParseFailure::Invalid);
    }
    if !base.is_power_of_two() && digits.len() > MAX_STR_DIGITS {
        return Err(ParseFailure::TooManyDigits(digits.len()));
    }
    if consumed != body.len() {
        return Err(ParseFailure::Invalid);
    }
    if error_if_nonzero && digits.iter().any(|&d| d != b'0') {
        return Err(ParseFailure::Invalid);
    }
    // The digits are ASCII alphanumerics, so this cannot fail.
    let text = std::str::from_utf8(&digits).map_err(|_| ParseFailure::Invalid)?;
    if let Ok(v) = u64::from_str_radix(text, base) {
        if negative {
            if v <= 1u64 << 63 {
                return Ok(Int::Small((v as i64).wrapping_neg()));
            }
        } else if let Ok(small) = i64::try_from(v) {
            return Ok(Int::Small(small));
        }
    }
    let mag = BigInt::from_str_radix(text, base).map_err(|_| ParseFailure::Invalid)?;
    Ok(Int::from(if negative { -mag } else { mag }))
}
