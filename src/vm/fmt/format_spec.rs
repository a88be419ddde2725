//! `format(value, spec)` / `f"{value:spec}"` for ints, floats and strings,
//! ports of CPython 3.11's `format_long_internal`,
//! `format_float_internal` and `format_string_internal`.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::float_text::{double_to_string, float_repr, FloatCode, FloatFlags};
use super::number_layout::{layout_number, GroupStyle, NumberParts};
use super::spec::{parse_spec, unknown_code, FormatSpec, Grouping, MAX_FIELD_WIDTH};
use crate::vm::num::{int_to_decimal, int_to_f64, OpError, OpResult};

/// An int argument, small or big, without copying.
#[derive(Debug, Clone, Copy)]
pub enum IntRef<'a> {
    /// Fits in an `i64`.
    Small(i64),
    /// Any size.
    Big(&'a BigInt),
}

impl IntRef<'_> {
    fn is_negative(&self) -> bool {
        match self {
            IntRef::Small(v) => *v < 0,
            IntRef::Big(b) => b.is_negative(),
        }
    }

    /// Magnitude digits in `radix` (lower case), with the decimal limit.
    fn magnitude_digits(&self, radix: u32) -> OpResult<String> {
        match self {
            IntRef::Small(v) => {
                let m = v.unsigned_abs();
                Ok(match radix {
                    2 => format!("{m:b}"),
                    8 => format!("{m:o}"),
                    16 => format!("{m:x}"),
                    _ => m.to_string(),
                })
            }
            IntRef::Big(b) if radix == 10 => {
                let s = int_to_decimal(b)?;
                Ok(s.trim_start_matches('-').to_string())
            }
            IntRef::Big(b) => Ok(b.magnitude().to_str_radix(radix)),
        }
    }

    fn to_f64(self) -> OpResult<f64> {
        match self {
            IntRef::Small(v) => Ok(v as f64),
            IntRef::Big(b) => int_to_f64(b),
        }
    }

    fn to_string_checked(self) -> OpResult<String> {
        match self {
            IntRef::Small(v) => Ok(v.to_string()),
            IntRef::Big(b) => int_to_decimal(b),
        }
    }
}

/// `format(n, spec)` for an `int`.
pub fn format_int(value: IntRef<'_>, spec: &str) -> OpResult<String> {
    format_int_as(value, spec, "int")
}

/// `format(b, spec)` for a `bool`: `True`/`False` for an empty spec, else
/// formatted as the int 1 or 0 (`format(True, '>5') == '    1'`).
pub fn format_bool(value: bool, spec: &str) -> OpResult<String> {
    if spec.is_empty() {
        return Ok(if value { "True" } else { "False" }.to_string());
    }
    format_int_as(IntRef::Small(i64::from(value)), spec, "bool")
}

/// `format(n, spec)` for an int-like object whose type is named
/// `type_name` in error messages (e.g. `bool`: `format(True, 'd')`; an
/// empty spec must be handled by the caller as `str(obj)` for bools).
pub fn format_int_as(value: IntRef<'_>, spec: &str, type_name: &str) -> OpResult<String> {
    if spec.is_empty() {
        return value.to_string_checked();
    }
    let spec = parse_spec(spec, type_name, Some('d'), '>')?;
    match spec.ty {
        Some('b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n') => format_int_spec(value, &spec),
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => format_float_spec(value.to_f64()?, &spec),
        other => Err(unknown_code(other.unwrap_or('\0'), type_name)),
    }
}

fn group_style(spec: &FormatSpec, ty: char) -> GroupStyle {
    if ty == 'n' {
        return None;
    }
    match (spec.grouping, ty) {
        (Some(Grouping::Underscore), 'b' | 'o' | 'x' | 'X') => Some(('_', 4)),
        (Some(g), _) => Some((g.separator(), 3)),
        (None, _) => None,
    }
}

fn format_int_spec(value: IntRef<'_>, spec: &FormatSpec) -> OpResult<String> {
    if spec.precision.is_some() {
        return Err(OpError::value(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(OpError::value(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    let ty = spec.ty.unwrap_or('d');
    if ty == 'c' {
        if spec.sign.is_some() {
            return Err(OpError::value(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(OpError::value(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let code = match value {
            IntRef::Small(v) => v,
            IntRef::Big(b) => b
                .to_i64()
                .ok_or_else(|| OpError::overflow("Python int too large to convert to C long"))?,
        };
        let ch = u32::try_from(code)
            .ok()
            .filter(|&c| c <= 0x10ffff)
            .ok_or_else(|| OpError::overflow("%c arg not in range(0x110000)"))?;
        let text = char_from_code(ch).to_string();
        let parts = NumberParts {
            negative: false,
            prefix: "",
            digits: "",
            has_decimal: false,
            remainder: &text,
        };
        return Ok(layout_number(&parts, spec, None));
    }
    let (radix, prefix) = match ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = value.magnitude_digits(radix)?;
    if ty == 'X' {
        digits.make_ascii_uppercase();
    }
    let parts = NumberParts {
        negative: value.is_negative(),
        prefix: if spec.alternate { prefix } else { "" },
        digits: &digits,
        has_decimal: false,
        remainder: "",
    };
    Ok(layout_number(&parts, spec, group_style(spec, ty)))
}

/// A `char` for a code point in `0..=0x10ffff`; lone surrogates (which
/// Rust strings cannot hold) become U+FFFD.
pub(crate) fn char_from_code(code: u32) -> char {
    char::from_u32(code).unwrap_or('\u{fffd}')
}

/// `format(x, spec)` for a `float`.
pub fn format_float(value: f64, spec: &str) -> OpResult<String> {
    if spec.is_empty() {
        return Ok(float_repr(value));
    }
    let spec = parse_spec(spec, "float", None, '>')?;
    match spec.ty {
        None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {
            format_float_spec(value, &spec)
        }
        Some(other) => Err(unknown_code(other, "float")),
    }
}

fn format_float_spec(value: f64, spec: &FormatSpec) -> OpResult<String> {
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(OpError::value("precision too big"));
    }
    if spec.precision.is_some_and(|p| p > MAX_FIELD_WIDTH) {
        return Err(OpError::memory());
    }
    let mut flags = FloatFlags {
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
        ..FloatFlags::default()
    };
    let mut default_precision = 6;
    let mut ty = spec.ty.unwrap_or('r');
    if spec.ty.is_none() {
        flags.add_dot_0 = true;
        default_precision = 0;
    }
    if ty == 'n' {
        ty = 'g';
    }
    let mut val = value;
    let mut add_pct = false;
    if ty == '%' {
        ty = 'f';
        val *= 100.0;
        add_pct = true;
    }
    let precision = match spec.precision {
        None => default_precision,
        Some(p) => {
            if ty == 'r' {
                ty = 'g';
            }
            p
        }
    };
    let code = match ty {
        'e' | 'E' => FloatCode::Exp,
        'f' | 'F' => FloatCode::Fixed,
        'g' | 'G' => FloatCode::General,
        _ => FloatCode::Repr,
    };
    flags.upper = matches!(ty, 'E' | 'F' | 'G');
    let mut text = double_to_string(val, code, precision, flags);
    if add_pct {
        text.push('%');
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let n_int = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = body.split_at(n_int);
    let (has_decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let parts = NumberParts {
        negative,
        prefix: "",
        digits,
        has_decimal,
        remainder,
    };
    let group = if spec.ty == Some('n') {
        None
    } else {
        spec.grouping.map(|g| (g.separator(), 3))
    };
    Ok(layout_number(&parts, spec, group))
}

/// `format(s, spec)` for a `str`.
pub fn format_str(value: &str, spec: &str) -> OpResult<String> {
    if spec.is_empty() {
        return Ok(value.to_string());
    }
    let spec = parse_spec(spec, "str", Some('s'), '<')?;
    if spec.ty != Some('s') {
        return Err(unknown_code(spec.ty.unwrap_or('\0'), "str"));
    }
    if let Some(sign) = spec.sign {
        return Err(OpError::value(if sign == ' ' {
            "Space not allowed in string format specifier"
        } else {
            "Sign not allowed in string format specifier"
        }));
    }
    if spec.no_neg_0 {
        return Err(OpError::value(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(OpError::value(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == '=' {
        return Err(OpError::value(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    Ok(pad_str(value, &spec))
}

/// Truncate to the precision and pad to the width (`calc_padding`).
fn pad_str(value: &str, spec: &FormatSpec) -> String {
    let mut len = value.chars().count();
    let text = match spec.precision {
        Some(p) if p < len => {
            len = p;
            super::spec::truncate(value, p)
        }
        _ => value,
    };
    let total = spec.width.map_or(len, |w| w.max(len));
    let lpad = match spec.align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let rpad = total - len - lpad;
    let mut out = String::with_capacity(text.len() + total - len);
    out.extend(std::iter::repeat_n(spec.fill, lpad));
    out.push_str(text);
    out.extend(std::iter::repeat_n(spec.fill, rpad));
    out
}
