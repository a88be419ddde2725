//! Character classes with CPython 3.11's exact Unicode semantics
//! (`str.isspace`, `str.isprintable`, decimal digit values).

use super::unicode_tables::{DECIMAL_ZEROS, NON_PRINTABLE, SPACES};

/// `ch.isspace()` as CPython 3.11 answers it.
pub fn is_space(ch: char) -> bool {
    let c = ch as u32;
    if c < 0x80 {
        return matches!(c, 0x09..=0x0d | 0x1c..=0x20);
    }
    SPACES.binary_search(&c).is_ok()
}

/// `ch.isprintable()` as CPython 3.11 answers it (decides what `repr`
/// escapes).
pub fn is_printable(ch: char) -> bool {
    let c = ch as u32;
    if c < 0x80 {
        return (0x20..0x7f).contains(&c);
    }
    let idx = NON_PRINTABLE.partition_point(|&(start, _)| start <= c);
    if idx == 0 {
        return true;
    }
    let (start, end) = NON_PRINTABLE[idx - 1];
    !(start <= c && c <= end)
}

/// The value of a Unicode decimal digit (`unicodedata.decimal`), e.g.
/// `'7'` and `'\u{0667}'` both give 7.
pub fn decimal_value(ch: char) -> Option<u32> {
    let c = ch as u32;
    if c < 0x80 {
        return ch.to_digit(10);
    }
    let idx = DECIMAL_ZEROS.partition_point(|&zero| zero <= c);
    if idx == 0 {
        return None;
    }
    let zero = DECIMAL_ZEROS[idx - 1];
    (c - zero < 10).then_some(c - zero)
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: decimal digits
/// become ASCII digits, white space becomes `' '`, any other non-ASCII
/// character becomes `'?'` (so it can never be part of a number).
pub(crate) fn to_ascii_number_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mapped = s
        .chars()
        .map(|ch| {
            if ch.is_ascii() {
                ch
            } else if is_space(ch) {
                ' '
            } else if let Some(d) = decimal_value(ch) {
                char::from(b'0' + d as u8)
            } else {
                '?'
            }
        })
        .collect();
    std::borrow::Cow::Owned(mapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_python_samples() {
        assert!(is_space(' ') && is_space('\u{3000}') && is_space('\x1f'));
        assert!(!is_space('a') && !is_space('\u{200b}'));
        assert!(is_printable('a') && is_printable('é') && is_printable('\u{4e2d}'));
        assert!(!is_printable('\n') && !is_printable('\u{a0}') && !is_printable('\u{ad}'));
        assert_eq!(decimal_value('\u{0661}'), Some(1));
        assert_eq!(decimal_value('\u{ff19}'), Some(9));
        assert_eq!(decimal_value('x'), None);
        assert_eq!(decimal_value('\u{00b2}'), None);
    }
}
