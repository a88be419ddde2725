//! `str.format` / `str.format_map`: a port of CPython 3.11's
//! `MarkupIterator`, `parse_field`, `field_name_split` and
//! `FieldNameIterator` (Objects/stringlib/unicode_format.h).
//!
//! The VM supplies argument lookup, attribute/item access, conversions
//! and `format(value, spec)` through [`FormatFields`].

use super::str_repr::str_repr;
use crate::vm::num::unicode::decimal_value;
use crate::vm::num::{OpError, PyErrorKind};

/// A `!r`, `!s` or `!a` conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// `!s`: `str(value)`.
    Str,
    /// `!r`: `repr(value)`.
    Repr,
    /// `!a`: `ascii(value)`.
    Ascii,
}

/// How [`format_string`] reaches the VM's values.
pub trait FormatFields {
    /// A VM value.
    type Value;
    /// The VM's error type; library errors convert into it.
    type Error: From<OpError>;
    /// Positional argument `index`, `None` when out of range. (For
    /// `format_map`, return the error `ValueError: Format string contains
    /// positional fields` instead.)
    fn positional(&mut self, index: usize) -> Result<Option<Self::Value>, Self::Error>;
    /// Keyword argument `name`, `None` when missing (a `KeyError` follows).
    fn keyword(&mut self, name: &str) -> Result<Option<Self::Value>, Self::Error>;
    /// `value.name`.
    fn attribute(&mut self, value: &Self::Value, name: &str) -> Result<Self::Value, Self::Error>;
    /// `value[index]` for a numeric index in brackets.
    fn item_index(&mut self, value: &Self::Value, index: usize)
        -> Result<Self::Value, Self::Error>;
    /// `value["key"]` for a non-numeric key in brackets (a str key).
    fn item_key(&mut self, value: &Self::Value, key: &str) -> Result<Self::Value, Self::Error>;
    /// `str(value)`, `repr(value)` or `ascii(value)`, as a str value.
    fn convert(
        &mut self,
        value: Self::Value,
        conversion: Conversion,
    ) -> Result<Self::Value, Self::Error>;
    /// `format(value, spec)`.
    fn format(&mut self, value: &Self::Value, spec: &str) -> Result<String, Self::Error>;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AutoState {
    Init,
    Auto,
    Manual,
}

struct AutoNumber {
    state: AutoState,
    next: usize,
}

/// `fmt.format(*args, **kwargs)`.
pub fn format_string<F: FormatFields>(fmt: &str, fields: &mut F) -> Result<String, F::Error> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut auto = AutoNumber {
        state: AutoState::Init,
        next: 0,
    };
    let mut out = String::with_capacity(fmt.len());
    build_string(&chars, fields, 2, &mut auto, &mut out)?;
    Ok(out)
}

fn value_error(msg: &str) -> OpError {
    OpError::value(msg)
}

fn build_string<F: FormatFields>(
    s: &[char],
    fields: &mut F,
    depth: u32,
    auto: &mut AutoNumber,
    out: &mut String,
) -> Result<(), F::Error> {
    if depth == 0 {
        return Err(value_error("Max string recursion exceeded").into());
    }
    let mut pos = 0;
    while pos < s.len() {
        // Literal text up to the first '{' or '}'.
        let start = pos;
        let mut c = '\0';
        let mut markup = false;
        while pos < s.len() {
            c = s[pos];
            pos += 1;
            if c == '{' || c == '}' {
                markup = true;
                break;
            }
        }
        let at_end = pos >= s.len();
        let mut len = pos - start;
        if c == '}' && markup && (at_end || s[pos] != '}') {
            return Err(value_error("Single '}' encountered in format string").into());
        }
        if at_end && c == '{' && markup {
            return Err(value_error("Single '{' encountered in format string").into());
        }
        if !at_end && markup {
            if s[pos] == c {
                pos += 1;
                markup = false;
            } else {
                len -= 1;
            }
        }
        out.extend(&s[start..start + len]);
        if !markup {
            continue;
        }
        let field = parse_field(s, &mut pos)?;
        output_markup(s, &field, fields, depth, auto, out)?;
    }
    Ok(())
}

struct Field {
    name: (usize, usize),
    spec: (usize, usize),
    needs_expanding: bool,
    conversion: Option<char>,
}

fn parse_field(s: &[char], pos: &mut usize) -> Result<Field, OpError> {
    let name_start = *pos;
    let mut c = '\0';
    while *pos < s.len() {
        c = s[*pos];
        *pos += 1;
        match c {
            '{' => return Err(value_error("unexpected '{' in field name")),
            '[' => {
                while *pos < s.len() && s[*pos] != ']' {
                    *pos += 1;
                }
                continue;
            }
            '}' | ':' | '!' => break,
            _ => continue,
        }
    }
    let mut field = Field {
        name: (name_start, (*pos).saturating_sub(1).max(name_start)),
        spec: (0, 0),
        needs_expanding: false,
        conversion: None,
    };
    if c == '!' || c == ':' {
        if c == '!' {
            if *pos >= s.len() {
                return Err(value_error(
                    "end of string while looking for conversion specifier",
                ));
            }
            field.conversion = Some(s[*pos]);
            *pos += 1;
            if *pos < s.len() {
                let next = s[*pos];
                *pos += 1;
                if next == '}' {
                    return Ok(field);
                }
                if next != ':' {
                    return Err(value_error("expected ':' after conversion specifier"));
                }
            }
        }
        let spec_start = *pos;
        let mut count = 1;
        while *pos < s.len() {
            let ch = s[*pos];
            *pos += 1;
            match ch {
                '{' => {
                    field.needs_expanding = true;
                    count += 1;
                }
                '}' => {
                    count -= 1;
                    if count == 0 {
                        field.spec = (spec_start, *pos - 1);
                        return Ok(field);
                    }
                }
                _ => {}
            }
        }
        return Err(value_error("unmatched '{' in format spec"));
    }
    if c != '}' {
        return Err(value_error("expected '}' before end of string"));
    }
    Ok(field)
}

/// `get_integer`: the value of an all-decimal-digit name, `None` otherwise.
fn get_integer(name: &[char]) -> Result<Option<usize>, OpError> {
    if name.is_empty() {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for &ch in name {
        let Some(d) = decimal_value(ch) else {
            return Ok(None);
        };
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d as usize))
            .filter(|&a| a <= isize::MAX as usize)
            .ok_or_else(|| value_error("Too many decimal digits in format string"))?;
    }
    Ok(Some(acc))
}

fn output_markup<F: FormatFields>(
    s: &[char],
    field: &Field,
    fields: &mut F,
    depth: u32,
    auto: &mut AutoNumber,
    out: &mut String,
) -> Result<(), F::Error> {
    let name = &s[field.name.0..field.name.1];
    let mut value = get_field_object(name, fields, auto)?;
    if let Some(conv) = field.conversion {
        let conversion = match conv {
            'r' => Conversion::Repr,
            's' => Conversion::Str,
            'a' => Conversion::Ascii,
            other => {
                let v = other as u32;
                let msg = if v > 32 && v < 127 {
                    format!("Unknown conversion specifier {other}")
                } else {
                    format!("Unknown conversion specifier \\x{v:x}")
                };
                return Err(OpError::value(msg).into());
            }
        };
        value = fields.convert(value, conversion)?;
    }
    let spec_chars = &s[field.spec.0..field.spec.1];
    let spec: String = if field.needs_expanding {
        let mut expanded = String::new();
        build_string(spec_chars, fields, depth - 1, auto, &mut expanded)?;
        expanded
    } else {
        spec_chars.iter().collect()
    };
    out.push_str(&fields.format(&value, &spec)?);
    Ok(())
}

fn get_field_object<F: FormatFields>(
    name: &[char],
    fields: &mut F,
    auto: &mut AutoNumber,
) -> Result<F::Value, F::Error> {
    let first_end = name
        .iter()
        .position(|&c| c == '.' || c == '[')
        .unwrap_or(name.len());
    let first = &name[..first_end];
    let mut index = get_integer(first)?;
    let empty = first.is_empty();
    if empty || index.is_some() {
        if auto.state == AutoState::Init {
            auto.state = if empty {
                AutoState::Auto
            } else {
                AutoState::Manual
            };
        }
        if auto.state == AutoState::Manual && empty {
            return Err(value_error(
                "cannot switch from manual field specification to automatic field numbering",
            )
            .into());
        }
        if auto.state == AutoState::Auto && !empty {
            return Err(value_error(
                "cannot switch from automatic field numbering to manual field specification",
            )
            .into());
        }
        if empty {
            index = Some(auto.next);
            auto.next += 1;
        }
    }
    let mut obj = match index {
        Some(i) => fields.positional(i)?.ok_or_else(|| {
            OpError::new(
                PyErrorKind::IndexError,
                format!("Replacement index {i} out of range for positional args tuple"),
            )
        })?,
        None => {
            let key: String = first.iter().collect();
            match fields.keyword(&key)? {
                Some(v) => v,
                None => return Err(OpError::new(PyErrorKind::KeyError, str_repr(&key)).into()),
            }
        }
    };
    // The rest: `.attr` and `[item]` accessors.
    let rest = &name[first_end..];
    let mut pos = 0;
    while pos < rest.len() {
        let c = rest[pos];
        pos += 1;
        let (is_attr, start, end) = match c {
            '.' => {
                let start = pos;
                while pos < rest.len() && rest[pos] != '.' && rest[pos] != '[' {
                    pos += 1;
                }
                (true, start, pos)
            }
            '[' => {
                let start = pos;
                while pos < rest.len() && rest[pos] != ']' {
                    pos += 1;
                }
                if pos >= rest.len() {
                    return Err(value_error("Missing ']' in format string").into());
                }
                pos += 1;
                (false, start, pos - 1)
            }
            _ => {
                return Err(
                    value_error("Only '.' or '[' may follow ']' in format field specifier").into(),
                )
            }
        };
        let part = &rest[start..end];
        let idx = if is_attr { None } else { get_integer(part)? };
        if part.is_empty() {
            return Err(value_error("Empty attribute in format string").into());
        }
        let text: String = part.iter().collect();
        obj = if is_attr {
            fields.attribute(&obj, &text)?
        } else if let Some(i) = idx {
            fields.item_index(&obj, i)?
        } else {
            fields.item_key(&obj, &text)?
        };
    }
    Ok(obj)
}
