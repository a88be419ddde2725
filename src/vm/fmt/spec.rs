//! Parsing the format-spec mini-language
//! `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`,
//! a port of CPython 3.11's `parse_internal_render_format_spec`.

use crate::vm::num::{OpError, OpResult};

/// Thousands separators requested by the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// `,`: groups of three.
    Comma,
    /// `_`: groups of three (decimal) or four (`b`, `o`, `x`, `X`).
    Underscore,
}

impl Grouping {
    /// The separator character.
    pub fn separator(self) -> char {
        match self {
            Grouping::Comma => ',',
            Grouping::Underscore => '_',
        }
    }
}

/// A parsed format spec, resolved for one kind of object (the defaults
/// of alignment and type depend on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    /// Padding character (default `' '`).
    pub fill: char,
    /// `<`, `>`, `^` or `=`.
    pub align: char,
    /// `+`, `-`, `' '`, or `None` when not given.
    pub sign: Option<char>,
    /// `z`: coerce negative zero to zero.
    pub no_neg_0: bool,
    /// `#`: alternate form.
    pub alternate: bool,
    /// Minimum width.
    pub width: Option<usize>,
    /// Thousands separators.
    pub grouping: Option<Grouping>,
    /// Precision.
    pub precision: Option<usize>,
    /// Presentation type, `None` when omitted and the object has no default.
    pub ty: Option<char>,
}

/// Widths and float precisions beyond this many characters raise
/// `MemoryError` instead of trying to build the text (CPython would try,
/// and fail or exhaust memory).
pub const MAX_FIELD_WIDTH: usize = 1 << 28;

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

/// Parse `spec` for an object of Python type `type_name`, whose default
/// presentation type is `default_type` (`'d'` for int, `None` for float,
/// `'s'` for str) and default alignment `default_align` (`'>'` for
/// numbers, `'<'` for strings).
pub fn parse_spec(
    spec: &str,
    type_name: &str,
    default_type: Option<char>,
    default_align: char,
) -> OpResult<FormatSpec> {
    let chars: Vec<char> = spec.chars().collect();
    let end = chars.len();
    let mut pos = 0;
    let mut out = FormatSpec {
        fill: ' ',
        align: default_align,
        sign: None,
        no_neg_0: false,
        alternate: false,
        width: None,
        grouping: None,
        precision: None,
        ty: default_type,
    };
    let mut align_specified = false;
    let mut fill_specified = false;
    if end >= 2 && is_align(chars[1]) {
        out.align = chars[1];
        out.fill = chars[0];
        fill_specified = true;
        align_specified = true;
        pos = 2;
    } else if end >= 1 && is_align(chars[0]) {
        out.align = chars[0];
        align_specified = true;
        pos = 1;
    }
    if pos < end && matches!(chars[pos], '+' | '-' | ' ') {
        out.sign = Some(chars[pos]);
        pos += 1;
    }
    if pos < end && chars[pos] == 'z' {
        out.no_neg_0 = true;
        pos += 1;
    }
    if pos < end && chars[pos] == '#' {
        out.alternate = true;
        pos += 1;
    }
    if !fill_specified && pos < end && chars[pos] == '0' {
        out.fill = '0';
        if !align_specified && default_align == '>' {
            out.align = '=';
        }
        pos += 1;
    }
    out.width = get_integer(&chars, &mut pos)?;
    if out.width.is_some_and(|w| w > MAX_FIELD_WIDTH) {
        return Err(OpError::memory());
    }
    if pos < end && chars[pos] == ',' {
        out.grouping = Some(Grouping::Comma);
        pos += 1;
    }
    if pos < end && chars[pos] == '_' {
        if out.grouping.is_some() {
            return Err(OpError::value("Cannot specify both ',' and '_'."));
        }
        out.grouping = Some(Grouping::Underscore);
        pos += 1;
    }
    if pos < end && chars[pos] == ',' && out.grouping == Some(Grouping::Underscore) {
        return Err(OpError::value("Cannot specify both ',' and '_'."));
    }
    if pos < end && chars[pos] == '.' {
        pos += 1;
        out.precision = get_integer(&chars, &mut pos)?;
        if out.precision.is_none() {
            return Err(OpError::value("Format specifier missing precision"));
        }
    }
    if end - pos > 1 {
        return Err(OpError::value(format!(
            "Invalid format specifier '{spec}' for object of type '{}'",
            truncate(type_name, 200)
        )));
    }
    if end - pos == 1 {
        out.ty = Some(chars[pos]);
    }
    if let Some(grouping) = out.grouping {
        let ty = out.ty;
        let allowed = match ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => true,
            Some('b' | 'o' | 'x' | 'X') => grouping == Grouping::Underscore,
            _ => false,
        };
        if !allowed {
            return Err(OpError::value(format!(
                "Cannot specify '{}' with {}.",
                grouping.separator(),
                quote_code(ty.unwrap_or('\0'))
            )));
        }
    }
    Ok(out)
}

/// `'c'` for printable ASCII codes, else `'\xNN'`, as CPython quotes a
/// presentation type in messages.
pub(crate) fn quote_code(c: char) -> String {
    let v = c as u32;
    if v > 32 && v < 128 {
        format!("'{c}'")
    } else {
        format!("'\\x{v:x}'")
    }
}

/// First `n` characters of `s` (CPython's `%.200s`).
pub(crate) fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Decimal digits (any Unicode decimal digit, as CPython) at `pos`;
/// `None` when there are none.
fn get_integer(chars: &[char], pos: &mut usize) -> OpResult<Option<usize>> {
    let mut value: Option<usize> = None;
    while let Some(d) = chars
        .get(*pos)
        .and_then(|&c| crate::vm::num::unicode::decimal_value(c))
    {
        let v = value
            .unwrap_or(0)
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize))
            .filter(|&v| v <= isize::MAX as usize)
            .ok_or_else(|| OpError::value("Too many decimal digits in format string"))?;
        value = Some(v);
        *pos += 1;
    }
    Ok(value)
}

/// CPython's `Unknown format code 'x' for object of type 'T'`.
pub(crate) fn unknown_code(ty: char, type_name: &str) -> OpError {
    OpError::value(format!(
        "Unknown format code {} for object of type '{}'",
        quote_code(ty),
        truncate(type_name, 200)
    ))
}
