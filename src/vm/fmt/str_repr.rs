//! `repr(str)` and `ascii()` escaping, as CPython 3.11's `unicode_repr`.

use crate::vm::num::unicode::is_printable;

/// `repr(s)`: single quotes unless the text has `'` and no `"`; escapes
/// `\\`, the quote, `\t`, `\n`, `\r`, other non-printable characters as
/// `\xhh`, `\uhhhh` or `\Uhhhhhhhh`; printable non-ASCII is kept.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        push_escaped(&mut out, ch, quote, false);
    }
    out.push(quote);
    out
}

/// `ascii(s)` for a string: like [`str_repr`] but every non-ASCII
/// character is escaped.
pub fn str_ascii(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        push_escaped(&mut out, ch, quote, true);
    }
    out.push(quote);
    out
}

/// What `ascii(obj)` does to `repr(obj)`: escape every non-ASCII
/// character (`\xhh`, `\uhhhh`, `\Uhhhhhhhh`), keep the rest.
pub fn ascii_escape(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for ch in repr.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            push_hex_escape(&mut out, ch);
        }
    }
    out
}

/// `repr(b)` for `bytes`: `b'...'` (double quotes when the data has `'`
/// and no `"`), escaping `\\`, the quote, `\t`, `\n`, `\r`, and bytes
/// outside `0x20..0x7f` as `\xhh`.
pub fn bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(char::from(quote));
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(char::from(c));
            }
            c if !(0x20..0x7f).contains(&c) => push_hex_escape(&mut out, char::from(c)),
            c => out.push(char::from(c)),
        }
    }
    out.push(char::from(quote));
    out
}

fn push_escaped(out: &mut String, ch: char, quote: char, ascii_only: bool) {
    match ch {
        '\\' => out.push_str("\\\\"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c as u32 == 0x7f => push_hex_escape(out, c),
        c if c.is_ascii() => out.push(c),
        c if !ascii_only && is_printable(c) => out.push(c),
        c => push_hex_escape(out, c),
    }
}

fn push_hex_escape(out: &mut String, ch: char) {
    use std::fmt::Write;
    let c = ch as u32;
    // Writing to a String cannot fail.
    let _ = if c <= 0xff {
        write!(out, "\\x{c:02x}")
    } else if c <= 0xffff {
        write!(out, "\\u{c:04x}")
    } else {
        write!(out, "\\U{c:08x}")
    };
}
