//! `fmt % args`: a port of CPython 3.11's `PyUnicode_Format`
//! (`unicode_format_arg_parse`, `unicode_format_arg_format`,
//! `_PyUnicode_FormatLong`, `unicode_format_arg_output`).
//!
//! Arguments are reached through [`PercentArg`], which the VM implements
//! for its values; whether the right operand is a tuple, a mapping or a
//! single value is the VM's call, expressed with [`PercentArgs`].

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::float_text::{double_to_string, FloatCode, FloatFlags};
use super::format_spec::char_from_code;
use super::spec::{truncate, MAX_FIELD_WIDTH};
use super::str_repr::ascii_escape;
use crate::vm::num::{f64_to_int, int_to_decimal, int_to_f64, Int, OpError};

/// What a `%` argument is, numerically.
#[derive(Debug, Clone, Copy)]
pub enum NumArg<'a> {
    /// An int (or bool) that fits in an `i64`.
    Small(i64),
    /// Any other int.
    Big(&'a BigInt),
    /// A float.
    Float(f64),
    /// Not a number (`str`, `list`, `None`, ...).
    NotNumber,
}

/// A value on the right of `%`, as the VM sees it.
pub trait PercentArg {
    /// The VM's error type; library errors convert into it.
    type Error: From<OpError>;
    /// The value as a number, for `%d`, `%x`, `%f`, `%c`, `*`, ...
    fn number(&self) -> NumArg<'_>;
    /// The text when the value is a `str`.
    fn as_str(&self) -> Option<&str>;
    /// `str(value)`.
    fn str(&self) -> Result<String, Self::Error>;
    /// `repr(value)`.
    fn repr(&self) -> Result<String, Self::Error>;
    /// The Python type name for messages (`str`, `list`, ...).
    fn type_name(&self) -> String;
}

/// `mapping[key]` for `%(key)s`.
pub type KeyLookup<'a, A> = dyn Fn(&str) -> Result<A, <A as PercentArg>::Error> + 'a;

/// The right operand of `%`.
pub enum PercentArgs<'a, A: PercentArg> {
    /// A tuple: its items are the arguments.
    Tuple(&'a [A]),
    /// Any other non-mapping value: one argument.
    Single(&'a A),
    /// A mapping (not a tuple, not a str): `%(key)s` looks keys up with
    /// `get`; a plain `%s` uses the mapping itself.
    Mapping {
        /// The mapping object itself.
        mapping: &'a A,
        /// `mapping[key]`.
        get: &'a KeyLookup<'a, A>,
    },
}

/// The argument currently being consumed.
enum Source<'a, A> {
    Tuple(&'a [A]),
    Single(&'a A),
    Owned(A),
}

struct Formatter<'a, A: PercentArg> {
    chars: Vec<char>,
    pos: usize,
    cnt: isize,
    source: Source<'a, A>,
    arglen: isize,
    argidx: isize,
    get: Option<&'a KeyLookup<'a, A>>,
    out: String,
}

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

struct Spec {
    flags: u8,
    width: isize,
    prec: isize,
    ch: char,
    sign: bool,
}

/// `fmt % args`.
pub fn percent_format<A: PercentArg>(
    fmt: &str,
    args: PercentArgs<'_, A>,
) -> Result<String, A::Error> {
    let chars: Vec<char> = fmt.chars().collect();
    let cnt = chars.len() as isize;
    let (source, arglen, argidx, get) = match args {
        PercentArgs::Tuple(items) => (Source::Tuple(items), items.len() as isize, 0, None),
        PercentArgs::Single(a) => (Source::Single(a), -1, -2, None),
        PercentArgs::Mapping { mapping, get } => (Source::Single(mapping), -1, -2, Some(get)),
    };
    let mut f = Formatter {
        out: String::with_capacity(fmt.len() + 16),
        chars,
        pos: 0,
        cnt,
        source,
        arglen,
        argidx,
        get,
    };
    f.run()?;
    Ok(f.out)
}

fn type_error(msg: impl Into<String>) -> OpError {
    OpError::type_error(msg)
}

impl<'a, A: PercentArg> Formatter<'a, A> {
    fn read(&self, pos: usize) -> char {
        self.chars.get(pos).copied().unwrap_or('\0')
    }

    fn run(&mut self) -> Result<(), A::Error> {
        loop {
            self.cnt -= 1;
            if self.cnt < 0 {
                break;
            }
            if self.read(self.pos) != '%' {
                let start = self.pos;
                while self.pos < self.chars.len() && self.chars[self.pos] != '%' {
                    self.pos += 1;
                }
                self.cnt -= (self.pos - start - 1) as isize;
                self.out.extend(&self.chars[start..self.pos]);
            } else {
                self.pos += 1;
                self.format_one()?;
            }
        }
        if self.argidx < self.arglen && self.get.is_none() {
            return Err(type_error("not all arguments converted during string formatting").into());
        }
        Ok(())
    }

    fn next_arg(&mut self) -> Result<&A, OpError> {
        if self.argidx >= self.arglen {
            return Err(type_error("not enough arguments for format string"));
        }
        let idx = self.argidx;
        self.argidx += 1;
        Ok(match &self.source {
            Source::Tuple(items) => &items[idx as usize],
            Source::Single(a) => a,
            Source::Owned(a) => a,
        })
    }

    fn format_one(&mut self) -> Result<(), A::Error> {
        if self.read(self.pos) == '%' {
            self.pos += 1;
            self.cnt -= 1;
            self.out.push('%');
            return Ok(());
        }
        let mut spec = Spec {
            flags: 0,
            width: -1,
            prec: -1,
            ch: '\0',
            sign: false,
        };
        self.parse(&mut spec)?;
        if let Some(text) = self.convert(&mut spec)? {
            self.output(&mut spec, &text);
        }
        if self.get.is_some() && self.argidx < self.arglen {
            return Err(type_error("not all arguments converted during string formatting").into());
        }
        Ok(())
    }

    /// Read the next format character into `spec.ch` (C's
    /// `if (--fmtcnt >= 0) { ch = READ(fmtpos); fmtpos++; }`).
    fn advance(&mut self, spec: &mut Spec) -> bool {
        self.cnt -= 1;
        if self.cnt >= 0 {
            spec.ch = self.read(self.pos);
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn star_arg(&mut self, is_precision: bool) -> Result<isize, OpError> {
        let v = match self.next_arg()?.number() {
            NumArg::Small(v) => Some(v),
            NumArg::Big(_) => None,
            _ => return Err(type_error("* wants int")),
        };
        let limit = if is_precision {
            i64::from(i32::MAX)
        } else {
            isize::MAX as i64
        };
        match v {
            Some(v) if v.unsigned_abs() <= limit as u64 + u64::from(v < 0) => Ok(v as isize),
            _ => Err(OpError::overflow(if is_precision {
                "Python int too large to convert to C int"
            } else {
                "Python int too large to convert to C ssize_t"
            })),
        }
    }

    fn parse(&mut self, spec: &mut Spec) -> Result<(), A::Error> {
        if self.read(self.pos) == '(' {
            let Some(get) = self.get else {
                return Err(type_error("format requires a mapping").into());
            };
            self.pos += 1;
            self.cnt -= 1;
            let keystart = self.pos;
            let mut pcount = 1;
            while pcount > 0 {
                self.cnt -= 1;
                if self.cnt < 0 {
                    break;
                }
                spec.ch = self.read(self.pos);
                if spec.ch == ')' {
                    pcount -= 1;
                } else if spec.ch == '(' {
                    pcount += 1;
                }
                self.pos += 1;
            }
            if self.cnt < 0 || pcount > 0 {
                return Err(OpError::value("incomplete format key").into());
            }
            let key: String = self.chars[keystart..self.pos - 1].iter().collect();
            self.source = Source::Owned(get(&key)?);
            self.arglen = -1;
            self.argidx = -2;
        }
        while self.advance(spec) {
            match spec.ch {
                '-' => spec.flags |= F_LJUST,
                '+' => spec.flags |= F_SIGN,
                ' ' => spec.flags |= F_BLANK,
                '#' => spec.flags |= F_ALT,
                '0' => spec.flags |= F_ZERO,
                _ => break,
            }
        }
        if spec.ch == '*' {
            spec.width = self.star_arg(false)?;
            if spec.width < 0 {
                spec.flags |= F_LJUST;
                spec.width = spec.width.checked_neg().unwrap_or(isize::MAX);
            }
            self.advance(spec);
        } else if spec.ch.is_ascii_digit() {
            spec.width = spec.ch as isize - '0' as isize;
            while self.advance(spec) {
                if !spec.ch.is_ascii_digit() {
                    break;
                }
                let d = spec.ch as isize - '0' as isize;
                if spec.width > (isize::MAX - d) / 10 {
                    return Err(OpError::value("width too big").into());
                }
                spec.width = spec.width * 10 + d;
            }
        }
        if spec.width > MAX_FIELD_WIDTH as isize {
            return Err(OpError::memory().into());
        }
        if spec.ch == '.' {
            spec.prec = 0;
            self.advance(spec);
            if spec.ch == '*' {
                spec.prec = self.star_arg(true)?.max(0);
                self.advance(spec);
            } else if spec.ch.is_ascii_digit() {
                spec.prec = spec.ch as isize - '0' as isize;
                while self.advance(spec) {
                    if !spec.ch.is_ascii_digit() {
                        break;
                    }
                    let d = spec.ch as isize - '0' as isize;
                    if spec.prec > (i32::MAX as isize - d) / 10 {
                        return Err(OpError::value("precision too big").into());
                    }
                    spec.prec = spec.prec * 10 + d;
                }
            }
        }
        if self.cnt >= 0 && matches!(spec.ch, 'h' | 'l' | 'L') {
            self.advance(spec);
        }
        if self.cnt < 0 {
            return Err(OpError::value("incomplete format").into());
        }
        if spec.prec > MAX_FIELD_WIDTH as isize && !matches!(spec.ch, 's' | 'r' | 'a') {
            return Err(OpError::memory().into());
        }
        Ok(())
    }

    /// The text of one conversion, before padding; `None` when nothing
    /// is left to lay out.
    fn convert(&mut self, spec: &mut Spec) -> Result<Option<String>, A::Error> {
        let ch = spec.ch;
        let index = self.pos - 1;
        let arg = self.next_arg()?;
        let text = match ch {
            's' => match arg.as_str() {
                Some(s) => s.to_string(),
                None => arg.str()?,
            },
            'r' => arg.repr()?,
            'a' => ascii_escape(&arg.repr()?),
            'i' | 'd' | 'u' | 'o' | 'x' | 'X' => {
                spec.sign = true;
                format_long(arg, spec)?
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                spec.sign = true;
                let x = match arg.number() {
                    NumArg::Float(x) => x,
                    NumArg::Small(v) => v as f64,
                    NumArg::Big(b) => int_to_f64(b)?,
                    NumArg::NotNumber => {
                        return Err(type_error(format!(
                            "must be real number, not {}",
                            truncate(&arg.type_name(), 200)
                        ))
                        .into())
                    }
                };
                format_float(x, spec)
            }
            'c' => format_char(arg)?.to_string(),
            _ => {
                let shown = if (31..=126).contains(&(ch as u32)) {
                    ch
                } else {
                    '?'
                };
                return Err(OpError::value(format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {index}",
                    ch as u32
                ))
                .into());
            }
        };
        Ok(Some(text))
    }

    /// `unicode_format_arg_output`: sign, alternate prefix, padding.
    fn output(&mut self, spec: &mut Spec, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        let mut len = chars.len() as isize;
        let fill = if spec.sign && spec.flags & F_ZERO != 0 {
            '0'
        } else {
            ' '
        };
        if (spec.width == -1 || spec.width <= len)
            && (spec.prec == -1 || spec.prec >= len)
            && spec.flags & (F_SIGN | F_BLANK) == 0
        {
            self.out.push_str(text);
            return;
        }
        if matches!(spec.ch, 's' | 'r' | 'a') && spec.prec >= 0 && len > spec.prec {
            len = spec.prec;
        }
        let mut pindex = 0usize;
        let mut signchar = '\0';
        if spec.sign {
            let c = chars.first().copied().unwrap_or('\0');
            if c == '-' || c == '+' {
                signchar = c;
                len -= 1;
                pindex += 1;
            } else if spec.flags & F_SIGN != 0 {
                signchar = '+';
            } else if spec.flags & F_BLANK != 0 {
                signchar = ' ';
            } else {
                spec.sign = false;
            }
        }
        if spec.width < len {
            spec.width = len;
        }
        let alt_prefix = spec.flags & F_ALT != 0 && matches!(spec.ch, 'x' | 'X' | 'o');
        if spec.sign {
            if fill != ' ' {
                self.out.push(signchar);
            }
            if spec.width > len {
                spec.width -= 1;
            }
        }
        if alt_prefix {
            if fill != ' ' {
                self.out.push('0');
                self.out.push(spec.ch);
                pindex += 2;
            }
            spec.width = (spec.width - 2).max(0);
            len -= 2;
        }
        if spec.width > len && spec.flags & F_LJUST == 0 {
            for _ in 0..spec.width - len {
                self.out.push(fill);
            }
            spec.width = len;
        }
        if fill == ' ' {
            if spec.sign {
                self.out.push(signchar);
            }
            if alt_prefix {
                self.out.push('0');
                self.out.push(spec.ch);
                pindex += 2;
            }
        }
        if len > 0 {
            self.out.extend(&chars[pindex..pindex + len as usize]);
        }
        if spec.width > len {
            for _ in 0..spec.width - len {
                self.out.push(' ');
            }
        }
    }
}

/// `mainformatlong` + `_PyUnicode_FormatLong` for `%d %i %u %o %x %X`.
fn format_long<A: PercentArg>(arg: &A, spec: &Spec) -> Result<String, OpError> {
    let ch = spec.ch;
    let wrong_type = || {
        let what = if matches!(ch, 'o' | 'x' | 'X') {
            "an integer is required"
        } else {
            "a real number is required"
        };
        type_error(format!(
            "%{ch} format: {what}, not {}",
            truncate(&arg.type_name(), 200)
        ))
    };
    let owned;
    let (negative, magnitude): (bool, MagRef<'_>) = match arg.number() {
        NumArg::Small(v) => (v < 0, MagRef::Small(v.unsigned_abs())),
        NumArg::Big(b) => (b.is_negative(), MagRef::Big(b)),
        NumArg::Float(x) => {
            if matches!(ch, 'o' | 'x' | 'X') {
                return Err(wrong_type());
            }
            match f64_to_int(x)? {
                Int::Small(v) => (v < 0, MagRef::Small(v.unsigned_abs())),
                Int::Big(b) => {
                    owned = b;
                    (owned.is_negative(), MagRef::Big(&owned))
                }
            }
        }
        NumArg::NotNumber => return Err(wrong_type()),
    };
    if spec.prec > i32::MAX as isize - 3 {
        return Err(OpError::overflow("precision too large"));
    }
    let (radix, prefix) = match ch {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = magnitude.digits(radix)?;
    if ch == 'X' {
        digits.make_ascii_uppercase();
    }
    let mut out = String::with_capacity(digits.len() + 4);
    if negative {
        out.push('-');
    }
    if spec.flags & F_ALT != 0 {
        out.push_str(prefix);
    }
    let prec = spec.prec.max(0) as usize;
    if prec > digits.len() {
        out.extend(std::iter::repeat_n('0', prec - digits.len()));
    }
    out.push_str(&digits);
    Ok(out)
}

enum MagRef<'a> {
    Small(u64),
    Big(&'a BigInt),
}

impl MagRef<'_> {
    fn digits(&self, radix: u32) -> Result<String, OpError> {
        Ok(match (self, radix) {
            (MagRef::Small(m), 8) => format!("{m:o}"),
            (MagRef::Small(m), 16) => format!("{m:x}"),
            (MagRef::Small(m), _) => m.to_string(),
            (MagRef::Big(b), 10) => int_to_decimal(&b.abs())?,
            (MagRef::Big(b), r) => b.magnitude().to_str_radix(r),
        })
    }
}

/// `formatfloat` for `%e %E %f %F %g %G`.
fn format_float(x: f64, spec: &Spec) -> String {
    let prec = if spec.prec < 0 { 6 } else { spec.prec as usize };
    let code = match spec.ch {
        'e' | 'E' => FloatCode::Exp,
        'f' | 'F' => FloatCode::Fixed,
        _ => FloatCode::General,
    };
    let flags = FloatFlags {
        alt: spec.flags & F_ALT != 0,
        upper: matches!(spec.ch, 'E' | 'F' | 'G'),
        ..FloatFlags::default()
    };
    double_to_string(x, code, prec, flags)
}

/// `formatchar` for `%c`.
fn format_char<A: PercentArg>(arg: &A) -> Result<char, OpError> {
    let requires = || type_error("%c requires int or char");
    if let Some(s) = arg.as_str() {
        let mut it = s.chars();
        return match (it.next(), it.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(requires()),
        };
    }
    let code = match arg.number() {
        NumArg::Small(v) => v,
        NumArg::Big(b) => b.to_i64().unwrap_or(-1),
        _ => return Err(requires()),
    };
    u32::try_from(code)
        .ok()
        .filter(|&c| c <= 0x10ffff)
        .map(char_from_code)
        .ok_or_else(|| OpError::overflow("%c arg not in range(0x110000)"))
}
