//! `str()` and `repr()` of every value, `format()` with a spec, and `%`
//! formatting. Number formatting goes through [`tmpfmt`] until the `vmlib`
//! branch's `num`/`fmt` modules land (then only that module changes).

use crate::abi::layout::kind;
use crate::vm::dict::dict_mut;
use crate::vm::error::{type_error, value_error, PyResult};
use crate::vm::obj::*;
use crate::vm::ops::{as_num, str_of, type_name, Num};
use crate::vm::types::*;

/// `repr(v)`.
pub fn repr(v: u64) -> PyResult<String> {
    let mut s = String::new();
    write_repr(&mut s, v, 0)?;
    Ok(s)
}

/// `str(v)`.
pub fn to_str(v: u64) -> PyResult<String> {
    if kind_of(v) == kind::STR {
        return Ok(str_of(v).to_string());
    }
    if kind_of(v) == KIND_EXC {
        // SAFETY: kind checked.
        let e = unsafe { cast::<ExcObj>(v) };
        return match e.args.len() {
            0 => Ok(String::new()),
            1 => to_str(e.args[0].raw()),
            _ => repr_tuple(&e.args.iter().map(|a| a.raw()).collect::<Vec<_>>()),
        };
    }
    repr(v)
}

fn repr_tuple(items: &[u64]) -> PyResult<String> {
    let mut s = String::from("(");
    for (i, &it) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        write_repr(&mut s, it, 1)?;
    }
    if items.len() == 1 {
        s.push(',');
    }
    s.push(')');
    Ok(s)
}

/// Python's repr of a str, with its quote choice and escapes.
pub fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c)
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (0x80..0xa0).contains(&(c as u32)) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

fn write_repr(out: &mut String, v: u64, depth: usize) -> PyResult<()> {
    if depth > 200 {
        return Err(crate::vm::error::err(
            crate::vm::error::ExcKind::RecursionError,
            "maximum recursion depth exceeded while getting the repr of an object",
        ));
    }
    match kind_of(v) {
        KIND_SMALLINT => out.push_str(&crate::abi::value::decode_small_int(v).to_string()),
        kind::BIGINT => {
            // SAFETY: kind checked.
            out.push_str(&unsafe { cast::<BigIntObj>(v) }.value.to_string())
        }
        kind::BOOL => out.push_str(if v == true_raw() { "True" } else { "False" }),
        kind::NONE => out.push_str("None"),
        kind::FLOAT => out.push_str(&tmpfmt::float_repr(float_val(v))),
        kind::STR => out.push_str(&str_repr(str_of(v))),
        kind::LIST => {
            out.push('[');
            let items: Vec<Obj> = list_items(v).iter().map(|&x| Obj::new_ref(x)).collect();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, it.raw(), depth + 1)?;
            }
            out.push(']');
        }
        kind::TUPLE => {
            out.push('(');
            let items = tuple_items(v);
            for (i, &it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, it, depth + 1)?;
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        kind::DICT => {
            out.push('{');
            // SAFETY: kind checked.
            let entries: Vec<(Obj, Obj)> = unsafe { dict_mut(v) }
                .entries()
                .iter()
                .map(|e| (Obj::new_ref(e.key), Obj::new_ref(e.value)))
                .collect();
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, k.raw(), depth + 1)?;
                out.push_str(": ");
                write_repr(out, val.raw(), depth + 1)?;
            }
            out.push('}');
        }
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(v) };
            if r.step == 1 {
                out.push_str(&format!("range({}, {})", r.start, r.stop));
            } else {
                out.push_str(&format!("range({}, {}, {})", r.start, r.stop, r.step));
            }
        }
        kind::FUNCTION => {
            // SAFETY: kind checked.
            let f = unsafe { cast::<FuncObj>(v) };
            let code = unsafe { &cast::<CodeObj>(f.code.raw()).code };
            out.push_str(&format!("<function {} at {:#x}>", code.qualname, v));
        }
        kind::BUILTIN => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BuiltinObj>(v) };
            out.push_str(&format!("<built-in function {}>", b.name));
        }
        KIND_BOUND => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BoundObj>(v) };
            let name = unsafe { cast::<BuiltinObj>(b.func.raw()).name };
            out.push_str(&format!(
                "<built-in method {} of {} object at {:#x}>",
                name,
                type_name(b.self_.raw()),
                b.self_.raw()
            ));
        }
        KIND_DICTVIEW => {
            let items = crate::vm::iter::collect(v)?;
            out.push_str(type_name(v));
            out.push_str("([");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, it.raw(), depth + 1)?;
            }
            out.push_str("])");
        }
        KIND_SLICE => {
            // SAFETY: kind checked.
            let s = unsafe { cast::<SliceObj>(v) };
            out.push_str("slice(");
            write_repr(out, s.start.raw(), depth + 1)?;
            out.push_str(", ");
            write_repr(out, s.stop.raw(), depth + 1)?;
            out.push_str(", ");
            write_repr(out, s.step.raw(), depth + 1)?;
            out.push(')');
        }
        KIND_EXC => {
            // SAFETY: kind checked.
            let e = unsafe { cast::<ExcObj>(v) };
            out.push_str(e.kind.name());
            let args: Vec<u64> = e.args.iter().map(|a| a.raw()).collect();
            if args.len() == 1 {
                out.push('(');
                write_repr(out, args[0], depth + 1)?;
                out.push(')');
            } else {
                out.push_str(&repr_tuple(&args)?);
            }
        }
        KIND_TYPE => {
            // SAFETY: kind checked.
            let t = unsafe { cast::<TypeObj>(v) };
            out.push_str(&format!("<class '{}'>", crate::vm::builtins::type_id_name(t.id)));
        }
        _ => out.push_str(&format!("<{} object at {:#x}>", type_name(v), v)),
    }
    Ok(())
}

/// `format(v, spec)`.
pub fn format_value(v: u64, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return to_str(v);
    }
    match as_num(v) {
        Some(n) if kind_of(v) != kind::BOOL || spec_has_type(spec) => tmpfmt::format_number(&n, spec, v),
        _ => {
            if kind_of(v) == kind::STR || kind_of(v) == kind::BOOL {
                let s = to_str(v)?;
                tmpfmt::format_str(&s, spec)
            } else if kind_of(v) == kind::NONE || kind_of(v) == kind::LIST || kind_of(v) == kind::TUPLE {
                Err(type_error(format!("unsupported format string passed to {}.__format__", type_name(v))))
            } else {
                Err(type_error(format!("unsupported format string passed to {}.__format__", type_name(v))))
            }
        }
    }
}

fn spec_has_type(spec: &str) -> bool {
    spec.chars().last().map(|c| c.is_ascii_alphabetic() || c == '%').unwrap_or(false)
}

/// `fmt % args`.
pub fn percent_format(fmt: u64, args: u64) -> PyResult<Obj> {
    let items: Vec<u64> = if kind_of(args) == kind::TUPLE { tuple_items(args).to_vec() } else { vec![args] };
    Ok(new_str(tmpfmt::percent(str_of(fmt), &items, kind_of(args) == kind::DICT)?))
}

/// Temporary number and spec formatting (replaced by the `vmlib` branch's `fmt`).
mod tmpfmt {
    use super::*;

    /// Python's float repr: shortest round-trip digits, scientific outside [1e-4, 1e16).
    pub fn float_repr(f: f64) -> String {
        if f.is_nan() {
            return "nan".into();
        }
        if f.is_infinite() {
            return if f > 0.0 { "inf".into() } else { "-inf".into() };
        }
        if f == 0.0 {
            return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
        }
        let e = format!("{:e}", f);
        let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        if (-4..16).contains(&exp) {
            if exp < 0 {
                out.push_str("0.");
                for _ in 0..(-exp - 1) {
                    out.push('0');
                }
                out.push_str(&digits);
            } else {
                let ip = (exp + 1) as usize;
                if digits.len() <= ip {
                    out.push_str(&digits);
                    for _ in 0..(ip - digits.len()) {
                        out.push('0');
                    }
                    out.push_str(".0");
                } else {
                    out.push_str(&digits[..ip]);
                    out.push('.');
                    out.push_str(&digits[ip..]);
                }
            }
        } else {
            out.push_str(&digits[..1]);
            if digits.len() > 1 {
                out.push('.');
                out.push_str(&digits[1..]);
            }
            out.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
        }
        out
    }

    struct Spec {
        fill: char,
        align: Option<char>,
        sign: char,
        alt: bool,
        zero: bool,
        width: usize,
        comma: Option<char>,
        prec: Option<usize>,
        ty: Option<char>,
    }

    fn parse_spec(spec: &str) -> PyResult<Spec> {
        let cs: Vec<char> = spec.chars().collect();
        let mut i = 0;
        let mut sp = Spec { fill: ' ', align: None, sign: '-', alt: false, zero: false, width: 0, comma: None, prec: None, ty: None };
        if cs.len() >= 2 && matches!(cs[1], '<' | '>' | '^' | '=') {
            sp.fill = cs[0];
            sp.align = Some(cs[1]);
            i = 2;
        } else if !cs.is_empty() && matches!(cs[0], '<' | '>' | '^' | '=') {
            sp.align = Some(cs[0]);
            i = 1;
        }
        if i < cs.len() && matches!(cs[i], '+' | '-' | ' ') {
            sp.sign = cs[i];
            i += 1;
        }
        if i < cs.len() && cs[i] == '#' {
            sp.alt = true;
            i += 1;
        }
        if i < cs.len() && cs[i] == '0' {
            sp.zero = true;
            i += 1;
        }
        let mut w = String::new();
        while i < cs.len() && cs[i].is_ascii_digit() {
            w.push(cs[i]);
            i += 1;
        }
        sp.width = w.parse().unwrap_or(0);
        if i < cs.len() && (cs[i] == ',' || cs[i] == '_') {
            sp.comma = Some(cs[i]);
            i += 1;
        }
        if i < cs.len() && cs[i] == '.' {
            i += 1;
            let mut p = String::new();
            while i < cs.len() && cs[i].is_ascii_digit() {
                p.push(cs[i]);
                i += 1;
            }
            if p.is_empty() {
                return Err(value_error("Format specifier missing precision"));
            }
            sp.prec = p.parse().ok();
        }
        if i < cs.len() {
            sp.ty = Some(cs[i]);
            i += 1;
        }
        if i < cs.len() {
            return Err(value_error("Invalid format specifier"));
        }
        Ok(sp)
    }

    fn group(digits: &str, sep: char) -> String {
        let n = digits.len();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (n - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    fn pad(body: String, sign: &str, sp: &Spec, default_right: bool) -> String {
        let len = body.chars().count() + sign.chars().count();
        if len >= sp.width {
            return format!("{sign}{body}");
        }
        let n = sp.width - len;
        let (fill, align) = if sp.zero && sp.align.is_none() { ('0', '=') } else { (sp.fill, sp.align.unwrap_or(if default_right { '>' } else { '<' })) };
        let f = |k: usize| std::iter::repeat(fill).take(k).collect::<String>();
        match align {
            '<' => format!("{sign}{body}{}", f(n)),
            '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
            '=' => format!("{sign}{}{body}", f(n)),
            _ => format!("{}{sign}{body}", f(n)),
        }
    }

    fn exp_fix(s: String) -> String {
        // Rust "1.5e3" -> Python "1.5e+03"
        match s.split_once('e') {
            Some((m, e)) => {
                let (sg, d) = if let Some(d) = e.strip_prefix('-') { ('-', d) } else { ('+', e) };
                format!("{m}e{sg}{:0>2}", d)
            }
            None => s,
        }
    }

    fn fmt_g(f: f64, prec: usize, alt: bool) -> String {
        let p = if prec == 0 { 1 } else { prec };
        if f == 0.0 {
            return if alt { format!("{:.*}", p - 1, 0.0) } else { "0".into() };
        }
        let e = format!("{:.*e}", p - 1, f);
        let exp: i32 = e.split_once('e').and_then(|(_, x)| x.parse().ok()).unwrap_or(0);
        let s = if exp < -4 || exp >= p as i32 {
            exp_fix(e)
        } else {
            format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f)
        };
        if alt {
            return s;
        }
        // strip trailing zeros in the mantissa
        match s.split_once('e') {
            Some((m, x)) => {
                let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                format!("{m}e{x}")
            }
            None => {
                if s.contains('.') {
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    s
                }
            }
        }
    }

    pub fn format_number(n: &Num, spec: &str, v: u64) -> PyResult<String> {
        let sp = parse_spec(spec)?;
        let is_int = !matches!(n, Num::F(_));
        let ty = sp.ty;
        if is_int && matches!(ty, None | Some('d') | Some('x') | Some('X') | Some('o') | Some('b') | Some('n') | Some('c')) {
            let big = crate::vm::ops::as_bigint(v).unwrap_or_default();
            let neg = big < num_bigint::BigInt::from(0);
            let mag = if neg { -big } else { big };
            let (mut body, prefix) = match ty {
                Some('x') => (mag.to_str_radix(16), "0x"),
                Some('X') => (mag.to_str_radix(16).to_uppercase(), "0X"),
                Some('o') => (mag.to_str_radix(8), "0o"),
                Some('b') => (mag.to_str_radix(2), "0b"),
                Some('c') => (char::from_u32(num_traits::ToPrimitive::to_u32(&mag).unwrap_or(0)).unwrap_or('?').to_string(), ""),
                _ => (mag.to_string(), ""),
            };
            if let Some(c) = sp.comma {
                body = group(&body, c);
            }
            let mut sign = if neg { "-".to_string() } else if sp.sign == '+' { "+".into() } else if sp.sign == ' ' { " ".into() } else { String::new() };
            if sp.alt {
                sign.push_str(prefix);
            }
            return Ok(pad(body, &sign, &sp, true));
        }
        if is_int && ty == Some('s') {
            return Err(value_error("Unknown format code 's' for object of type 'int'"));
        }
        let f = crate::vm::ops::num_to_f64(n)?;
        let neg = f.is_sign_negative() && !(f == 0.0 && ty.is_none() && false);
        let a = f.abs();
        let mut body = match ty {
            Some('f') | Some('F') => {
                if a.is_finite() {
                    format!("{:.*}", sp.prec.unwrap_or(6), a)
                } else {
                    special(a, ty == Some('F'))
                }
            }
            Some('e') | Some('E') => {
                let s = if a.is_finite() { exp_fix(format!("{:.*e}", sp.prec.unwrap_or(6), a)) } else { special(a, false) };
                if ty == Some('E') {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            Some('%') => format!("{:.*}%", sp.prec.unwrap_or(6), a * 100.0),
            Some('g') | Some('G') => {
                if a.is_finite() {
                    fmt_g(a, sp.prec.unwrap_or(6), sp.alt)
                } else {
                    special(a, false)
                }
            }
            None => match sp.prec {
                Some(p) => {
                    if a.is_finite() {
                        let s = fmt_g(a, p, false);
                        if s.contains('.') || s.contains('e') || s.contains("inf") {
                            s
                        } else {
                            format!("{s}.0")
                        }
                    } else {
                        special(a, false)
                    }
                }
                None => float_repr(a),
            },
            Some(c) => {
                return Err(value_error(format!(
                    "Unknown format code '{}' for object of type '{}'",
                    c,
                    type_name(v)
                )))
            }
        };
        if let Some(c) = sp.comma {
            let (ip, rest) = match body.find(|ch: char| !ch.is_ascii_digit()) {
                Some(i) => (body[..i].to_string(), body[i..].to_string()),
                None => (body.clone(), String::new()),
            };
            body = format!("{}{}", group(&ip, c), rest);
        }
        let sign = if neg && !(f.is_nan()) { "-" } else if sp.sign == '+' { "+" } else if sp.sign == ' ' { " " } else { "" };
        Ok(pad(body, sign, &sp, true))
    }

    fn special(a: f64, upper: bool) -> String {
        let s = if a.is_nan() { "nan" } else { "inf" };
        if upper {
            s.to_uppercase()
        } else {
            s.to_string()
        }
    }

    pub fn format_str(s: &str, spec: &str) -> PyResult<String> {
        let sp = parse_spec(spec)?;
        if let Some(t) = sp.ty {
            if t != 's' {
                return Err(value_error(format!("Unknown format code '{}' for object of type 'str'", t)));
            }
        }
        if sp.sign != '-' {
            return Err(value_error("Sign not allowed in string format specifier"));
        }
        let body: String = match sp.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        };
        Ok(pad(body, "", &sp, false))
    }

    pub fn percent(fmt: &str, args: &[u64], _is_mapping: bool) -> PyResult<String> {
        let mut out = String::new();
        let cs: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        let mut ai = 0;
        while i < cs.len() {
            let c = cs[i];
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            i += 1;
            let mut flags = String::new();
            while i < cs.len() && matches!(cs[i], '-' | '+' | ' ' | '#' | '0') {
                flags.push(cs[i]);
                i += 1;
            }
            let mut width = String::new();
            while i < cs.len() && cs[i].is_ascii_digit() {
                width.push(cs[i]);
                i += 1;
            }
            let mut prec = None;
            if i < cs.len() && cs[i] == '.' {
                i += 1;
                let mut p = String::new();
                while i < cs.len() && cs[i].is_ascii_digit() {
                    p.push(cs[i]);
                    i += 1;
                }
                prec = Some(p.parse::<usize>().unwrap_or(0));
            }
            if i >= cs.len() {
                return Err(value_error("incomplete format"));
            }
            let conv = cs[i];
            i += 1;
            if conv == '%' {
                out.push('%');
                continue;
            }
            let Some(&arg) = args.get(ai) else {
                return Err(type_error("not enough arguments for format string"));
            };
            ai += 1;
            let left = flags.contains('-');
            let mut spec = String::new();
            if left {
                spec.push('<');
            }
            if flags.contains('+') {
                spec.push('+');
            } else if flags.contains(' ') {
                spec.push(' ');
            }
            if flags.contains('#') {
                spec.push('#');
            }
            if flags.contains('0') && !left {
                spec.push('0');
            }
            spec.push_str(&width);
            let piece = match conv {
                's' => {
                    let s = to_str(arg)?;
                    let s = match prec {
                        Some(p) => s.chars().take(p).collect(),
                        None => s,
                    };
                    pad_plain(s, &width, left)
                }
                'r' | 'a' => pad_plain(repr(arg)?, &width, left),
                'd' | 'i' | 'u' => {
                    let n = as_num(arg).ok_or_else(|| {
                        type_error(format!("%{} format: a real number is required, not {}", conv, type_name(arg)))
                    })?;
                    let iv = match n {
                        Num::F(f) => Obj::int(f.trunc() as i64),
                        _ => Obj::new_ref(arg),
                    };
                    let n2 = as_num(iv.raw()).unwrap_or(Num::I(0));
                    spec.push('d');
                    format_number(&n2, &spec, iv.raw())?
                }
                'x' | 'X' | 'o' => {
                    let n = as_num(arg).ok_or_else(|| {
                        type_error(format!("%{} format: an integer is required, not {}", conv, type_name(arg)))
                    })?;
                    spec.push(conv);
                    format_number(&n, &spec, arg)?
                }
                'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                    let n = as_num(arg).ok_or_else(|| {
                        type_error(format!("must be real number, not {}", type_name(arg)))
                    })?;
                    spec.push('.');
                    spec.push_str(&prec.unwrap_or(6).to_string());
                    spec.push(conv);
                    let f = Num::F(crate::vm::ops::num_to_f64(&n)?);
                    format_number(&f, &spec, arg)?
                }
                'c' => pad_plain(to_str(arg)?, &width, left),
                other => {
                    return Err(value_error(format!(
                        "unsupported format character '{}' ({:#x}) at index {}",
                        other,
                        other as u32,
                        i - 1
                    )))
                }
            };
            out.push_str(&piece);
        }
        if ai < args.len() {
            return Err(type_error("not all arguments converted during string formatting"));
        }
        Ok(out)
    }

    fn pad_plain(s: String, width: &str, left: bool) -> String {
        let w: usize = width.parse().unwrap_or(0);
        let n = s.chars().count();
        if n >= w {
            return s;
        }
        let p = " ".repeat(w - n);
        if left {
            s + &p
        } else {
            p + &s
        }
    }
}
