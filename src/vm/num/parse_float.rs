//! `float(text)`: CPython 3.11's rules: surrounding white space, sign,
//! `inf`/`infinity`/`nan` in any case, decimal digits with an optional
//! fraction and exponent, single underscores between digits, Unicode
//! decimal digits. Out-of-range values become `±inf` (no error).

use super::error::{OpError, OpResult};
use super::unicode::to_ascii_number_text;

/// `float(text)`; `ValueError` `could not convert string to float: 'text'`.
pub fn parse_float(text: &str) -> OpResult<f64> {
    let ascii = to_ascii_number_text(text);
    parse_ascii(ascii.as_bytes()).ok_or_else(|| {
        OpError::value(format!(
            "could not convert string to float: {}",
            crate::vm::fmt::str_repr(text)
        ))
    })
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn parse_ascii(s: &[u8]) -> Option<f64> {
    if s.contains(&0) {
        return None;
    }
    // Underscores: only between two digits; removed before parsing.
    let cleaned: Vec<u8>;
    let s = if s.contains(&b'_') {
        let mut out = Vec::with_capacity(s.len());
        let mut prev = 0u8;
        for &b in s {
            if b == b'_' {
                if !prev.is_ascii_digit() {
                    return None;
                }
            } else {
                if prev == b'_' && !b.is_ascii_digit() {
                    return None;
                }
                out.push(b);
            }
            prev = b;
        }
        if prev == b'_' {
            return None;
        }
        cleaned = out;
        &cleaned[..]
    } else {
        s
    };
    let mut start = 0;
    let mut end = s.len();
    while start < end && is_ascii_space(s[start]) {
        start += 1;
    }
    while end > start && is_ascii_space(s[end - 1]) {
        end -= 1;
    }
    let s = &s[start..end];
    let (negative, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let value = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case(b"nan") {
        f64::NAN
    } else {
        if !is_decimal_float(body) {
            return None;
        }
        std::str::from_utf8(body).ok()?.parse::<f64>().ok()?
    };
    Some(if negative { -value } else { value })
}

/// `digits [. digits] [(e|E) [sign] digits]` with at least one mantissa
/// digit (either side of the point).
fn is_decimal_float(s: &[u8]) -> bool {
    let mut i = 0;
    let count_digits = |i: &mut usize| {
        let from = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - from
    };
    let mut mantissa = count_digits(&mut i);
    if i < s.len() && s[i] == b'.' {
        i += 1;
        mantissa += count_digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        i += 1;
        if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
            i += 1;
        }
        if count_digits(&mut i) == 0 {
            return false;
        }
    }
    i == s.len()
}
