//! Laying out a formatted number in its field: sign, prefix, padding,
//! thousands grouping (with zero padding inside the groups) and the
//! remainder, a port of CPython's `calc_number_widths`, `fill_number` and
//! `_PyUnicode_InsertThousandsGrouping`.

use super::spec::FormatSpec;

/// The pieces of a number before layout.
pub(crate) struct NumberParts<'a> {
    /// Whether the number is negative (its `-` was removed from `digits`).
    pub negative: bool,
    /// Base prefix such as `0x` (already in the right case), or `""`.
    pub prefix: &'a str,
    /// Integer-part digits, to be grouped; empty for `c` and `inf`/`nan`.
    pub digits: &'a str,
    /// Whether a decimal point follows the digits.
    pub has_decimal: bool,
    /// Everything after the point (or after the digits): fraction,
    /// exponent, `%`, or the character of `c`.
    pub remainder: &'a str,
}

/// Separator and group size, when grouping is on.
pub(crate) type GroupStyle = Option<(char, usize)>;

/// Write `parts` padded and grouped according to `spec`.
pub(crate) fn layout_number(
    parts: &NumberParts<'_>,
    spec: &FormatSpec,
    group: GroupStyle,
) -> String {
    let sign = match spec.sign {
        Some('+') => Some(if parts.negative { '-' } else { '+' }),
        Some(' ') => Some(if parts.negative { '-' } else { ' ' }),
        _ => parts.negative.then_some('-'),
    };
    let n_sign = i64::from(sign.is_some());
    let n_prefix = parts.prefix.chars().count() as i64;
    let n_decimal = i64::from(parts.has_decimal);
    let n_remainder = parts.remainder.chars().count() as i64;
    let non_digit = n_sign + n_prefix + n_decimal + n_remainder;
    let width = spec.width.map_or(-1, |w| w as i64);
    let min_width = if spec.fill == '0' && spec.align == '=' {
        width - non_digit
    } else {
        0
    };
    let grouped = if parts.digits.is_empty() {
        String::new()
    } else {
        group_digits(parts.digits, min_width, group)
    };
    let n_grouped = grouped.chars().count() as i64;
    let padding = width - (non_digit + n_grouped);
    let (mut lpad, mut spad, mut rpad) = (0, 0, 0);
    if padding > 0 {
        match spec.align {
            '<' => rpad = padding,
            '^' => {
                lpad = padding / 2;
                rpad = padding - lpad;
            }
            '=' => spad = padding,
            _ => lpad = padding,
        }
    }
    let mut out = String::with_capacity((non_digit + n_grouped + padding.max(0)) as usize);
    let fill = |out: &mut String, n: i64| {
        for _ in 0..n {
            out.push(spec.fill);
        }
    };
    fill(&mut out, lpad);
    if let Some(s) = sign {
        out.push(s);
    }
    out.push_str(parts.prefix);
    fill(&mut out, spad);
    out.push_str(&grouped);
    if parts.has_decimal {
        out.push('.');
    }
    out.push_str(parts.remainder);
    fill(&mut out, rpad);
    out
}

/// `_PyUnicode_InsertThousandsGrouping`: group `digits` from the right,
/// padding with zeros up to `min_width` characters (separators included).
fn group_digits(digits: &str, min_width: i64, group: GroupStyle) -> String {
    let digits = digits.as_bytes();
    let mut min_width = min_width.max(0);
    let mut remaining = digits.len() as i64;
    // Built back to front, then reversed.
    let mut rev: Vec<u8> = Vec::with_capacity(digits.len() + min_width as usize + 8);
    let mut digit_end = digits.len();
    let mut emit = |rev: &mut Vec<u8>, n_chars: i64, n_zeros: i64, sep: Option<char>| {
        if let Some(sep) = sep {
            rev.push(sep as u8);
        }
        for i in 0..n_chars as usize {
            rev.push(digits[digit_end - 1 - i]);
        }
        digit_end -= n_chars as usize;
        rev.extend(std::iter::repeat_n(b'0', n_zeros as usize));
    };
    let mut use_separator = false;
    let mut broken = false;
    if let Some((sep, size)) = group {
        let size = size as i64;
        loop {
            let len = size.min(remaining.max(min_width).max(1));
            let n_zeros = (len - remaining).max(0);
            let n_chars = remaining.min(len).max(0);
            emit(&mut rev, n_chars, n_zeros, use_separator.then_some(sep));
            use_separator = true;
            remaining -= n_chars;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                broken = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !broken {
        let len = remaining.max(min_width).max(1);
        let n_zeros = (len - remaining).max(0);
        let n_chars = remaining.min(len).max(0);
        let sep = group.map(|(sep, _)| sep).filter(|_| use_separator);
        emit(&mut rev, n_chars, n_zeros, sep);
    }
    rev.reverse();
    // Only ASCII digits, zeros and ASCII separators were pushed.
    String::from_utf8(rev).unwrap_or_default()
}
