//! `str()` and `repr()` of every value, `format()` with a spec, and `%`
//! formatting. Number formatting goes through [`tmpfmt`] until the `vmlib`
//! branch's `num`/`fmt` modules land (then only that module changes).

use crate::abi::layout::kind;
use crate::vm::dict::dict_mut;
use crate::vm::error::{type_error, PyResult};
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
    if matches!(kind_of(v), KIND_INSTANCE | KIND_EXC) {
        if let Some(r) = crate::vm::class::to_str(v) {
            return r;
        }
    }
    if kind_of(v) == KIND_EXC {
        // SAFETY: kind checked.
        let e = unsafe { cast::<ExcObj>(v) };
        return match e.args.len() {
            0 => Ok(String::new()),
            1 if e.kind == crate::vm::error::ExcKind::KeyError => repr(e.args[0].raw()),
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
    crate::vm::fmt::str_repr(s)
}

/// The `{k: v, ...}` repr of the table of a dict kind.
fn write_dict(out: &mut String, v: u64, depth: usize) -> PyResult<()> {
    out.push('{');
    // SAFETY: callers pass a dict kind.
    let entries: Vec<(Obj, Obj)> = unsafe { dict_mut(v) }
        .live()
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
    Ok(())
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
            out.push_str(&crate::vm::num::int_to_decimal(
                &unsafe { cast::<BigIntObj>(v) }.value,
            )?)
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
        KIND_DEQUE => {
            let s = crate::vm::modules::collections::deque_repr(v, &mut |o, x| {
                write_repr(o, x, depth + 1)
            })?;
            out.push_str(&s);
        }
        KIND_DEFAULTDICT | KIND_COUNTER => {
            let s = crate::vm::modules::collections::dict_kind_repr(
                v,
                &mut |o, d| write_dict(o, d, depth),
                &mut |o, x| write_repr(o, x, depth + 1),
            )?;
            out.push_str(&s);
        }
        kind::DICT => write_dict(out, v, depth)?,
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(v) };
            out.push_str(&crate::vm::range::repr(r));
        }
        kind::FUNCTION => {
            // SAFETY: kind checked.
            let f = unsafe { cast::<FuncObj>(v) };
            let code = unsafe { &cast::<CodeObj>(f.code.raw()).code };
            out.push_str(&format!("<function {} at {:#x}>", code.qualname, v));
        }
        KIND_GEN => {
            // SAFETY: kind checked; a generator owns its code object.
            let g = unsafe { cast::<GenObj>(v) };
            let code = unsafe { &cast::<CodeObj>(g.code.raw()).code };
            out.push_str(&format!("<generator object {} at {:#x}>", code.qualname, v));
        }
        kind::BUILTIN => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BuiltinObj>(v) };
            out.push_str(&format!("<built-in function {}>", b.name));
        }
        // SAFETY (guard): kind checked.
        KIND_BOUND if kind_of(unsafe { cast::<BoundObj>(v) }.func.raw()) == kind::FUNCTION => {
            // SAFETY: kind checked; a function's code is a code object.
            let b = unsafe { cast::<BoundObj>(v) };
            let q = unsafe {
                &cast::<CodeObj>(cast::<FuncObj>(b.func.raw()).code.raw())
                    .code
                    .qualname
            };
            out.push_str(&format!("<bound method {} of ", q));
            write_repr(out, b.self_.raw(), depth + 1)?;
            out.push('>');
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
            if let Some(r) = crate::vm::class::repr(v) {
                out.push_str(&r?);
                return Ok(());
            }
            // SAFETY: kind checked.
            let e = unsafe { cast::<ExcObj>(v) };
            out.push_str(type_name(v));
            let args: Vec<u64> = e.args.iter().map(|a| a.raw()).collect();
            if args.len() == 1 {
                out.push('(');
                write_repr(out, args[0], depth + 1)?;
                out.push(')');
            } else {
                out.push_str(&repr_tuple(&args)?);
            }
        }
        KIND_MODULE => out.push_str(&crate::vm::modules::repr(v)),
        KIND_SET | KIND_FROZENSET => {
            let s = crate::vm::set::repr(v, &mut |o, k| write_repr(o, k, depth + 1))?;
            out.push_str(&s);
        }
        KIND_TYPE => {
            // SAFETY: kind checked.
            let t = unsafe { cast::<TypeObj>(v) };
            out.push_str(&format!(
                "<class '{}'>",
                crate::vm::builtins::type_id_name(t.id)
            ));
        }
        KIND_INSTANCE => match crate::vm::class::repr(v) {
            Some(r) => out.push_str(&r?),
            None => out.push_str(&crate::vm::class::default_repr(v)),
        },
        KIND_CLASS => out.push_str(&format!(
            "<class '__main__.{}'>",
            // SAFETY: kind checked.
            unsafe { crate::vm::class::class(v) }.qualname
        )),
        KIND_WRAPPER => out.push_str(&crate::vm::class::wrapper_repr(v)),
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
        Some(n) => tmpfmt::format_number(&n, spec, v),
        None if kind_of(v) == kind::STR => tmpfmt::format_str(str_of(v), spec),
        None => Err(type_error(format!(
            "unsupported format string passed to {}.__format__",
            type_name(v)
        ))),
    }
}

/// `fmt % args`.
pub fn percent_format(fmt: u64, args: u64) -> PyResult<Obj> {
    Ok(new_str(tmpfmt::percent(str_of(fmt), args)?))
}

/// Number and text formatting: the `vmlib` library (`crate::vm::fmt`,
/// `crate::vm::num`) adapted to the object model.
mod tmpfmt {
    use super::*;
    use crate::vm::fmt::{self, IntRef, NumArg, PercentArg, PercentArgs};

    /// Python's float repr.
    pub fn float_repr(f: f64) -> String {
        fmt::float_repr(f)
    }

    /// `format(n, spec)` for ints, bools and floats.
    pub fn format_number(n: &Num, spec: &str, v: u64) -> PyResult<String> {
        Ok(match n {
            Num::I(i) => fmt::format_int_as(IntRef::Small(*i), spec, type_name(v))?,
            Num::B(b) => fmt::format_int_as(IntRef::Big(b), spec, "int")?,
            Num::F(f) => fmt::format_float(*f, spec)?,
        })
    }

    /// `format(s, spec)` for str.
    pub fn format_str(s: &str, spec: &str) -> PyResult<String> {
        Ok(fmt::format_str(s, spec)?)
    }

    struct Arg(u64);

    impl PercentArg for Arg {
        type Error = Box<crate::vm::error::PyErr>;
        fn number(&self) -> NumArg<'_> {
            match as_num(self.0) {
                Some(Num::I(i)) => NumArg::Small(i),
                Some(Num::B(b)) => NumArg::Big(b),
                Some(Num::F(f)) => NumArg::Float(f),
                None => NumArg::NotNumber,
            }
        }
        fn as_str(&self) -> Option<&str> {
            crate::vm::ops::as_str(self.0)
        }
        fn str(&self) -> Result<String, Self::Error> {
            to_str(self.0)
        }
        fn repr(&self) -> Result<String, Self::Error> {
            repr(self.0)
        }
        fn type_name(&self) -> String {
            type_name(self.0).to_string()
        }
    }

    /// `fmt % args`.
    pub fn percent(fmt_s: &str, args: u64) -> PyResult<String> {
        match kind_of(args) {
            kind::TUPLE => {
                let items: Vec<Arg> = tuple_items(args).iter().map(|&v| Arg(v)).collect();
                fmt::percent_format(fmt_s, PercentArgs::Tuple(&items))
            }
            kind::DICT => {
                let m = Arg(args);
                let get = |k: &str| -> PyResult<Arg> {
                    let key = new_str(k);
                    // SAFETY: args is a dict.
                    match unsafe { dict_mut(args) }.get(key.raw())? {
                        // The dict keeps the value alive for the whole call.
                        Some(v) => Ok(Arg(v)),
                        None => Err(crate::vm::builtins::key_error(key.raw())),
                    }
                };
                fmt::percent_format(
                    fmt_s,
                    PercentArgs::Mapping {
                        mapping: &m,
                        get: &get,
                    },
                )
            }
            _ => fmt::percent_format(fmt_s, PercentArgs::Single(&Arg(args))),
        }
    }
}
