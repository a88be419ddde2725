//! `functools` (`reduce`, `lru_cache`, `cache`) and `operator`. The
//! callables they make (`lru_cache(...)(f)`, `itemgetter(i)`) are bound
//! builtins whose receiver holds their state.

use super::functions_module;
use crate::abi::layout::kind;
use crate::vm::builtins::builtin;
use crate::vm::bytecode::{binop, cmp};
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{type_error, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, str_of, type_name};
use crate::vm::types::*;

/// A callable: the builtin `f` bound to `state` (its `args[0]`).
fn bound(name: &'static str, f: BuiltinFn, state: Obj) -> Obj {
    Obj::from_raw(box_obj(BoundObj {
        ob: hdr(KIND_BOUND),
        func: builtin(name, f, 0),
        self_: state,
    }))
}

fn f_reduce(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() < 2 || args.len() > 3 {
        return Err(type_error(
            format!(
                "reduce expected at {} 2 arguments, got {}",
                if args.len() < 2 { "least" } else { "most" },
                args.len()
            )
            .replace("at most 2", "at most 3"),
        ));
    }
    let it = crate::vm::iter::get_iter(args[1])
        .map_err(|_| type_error("reduce() arg 2 must support iteration"))?;
    let mut acc = args.get(2).map(|&v| Obj::new_ref(v));
    while let Some(v) = crate::vm::iter::iter_next(vm, it.raw())? {
        acc = Some(match acc {
            None => v,
            Some(a) => vm.call_object(args[0], &[a.raw(), v.raw()], None)?,
        });
    }
    acc.ok_or_else(|| type_error("reduce() of empty iterable with no initial value"))
}

/// The wrapper `lru_cache(maxsize)(f)` makes: its state is the tuple
/// `(f, cache dict, maxsize or None)`.
fn lru_wrapper(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let state = tuple_items(args[0]);
    let (f, cache, maxsize) = (state[0], state[1], as_i64(state[2]));
    let mut key: Vec<Obj> = args[1..].iter().map(|&a| Obj::new_ref(a)).collect();
    if let Some(k) = kw.filter(|k| !k.names.is_empty()) {
        // Keyword arguments after a marker, as functools._make_key.
        key.push(new_str("<kwd_mark>"));
        for (i, &n) in k.names.iter().enumerate() {
            key.push(Obj::new_ref(n));
            key.push(Obj::new_ref(k.vals[i]));
        }
    }
    let key = if key.len() == 1
        && matches!(
            kind_of(key[0].raw()),
            crate::vm::types::KIND_SMALLINT | kind::STR
        ) {
        key.pop().unwrap_or_else(Obj::none)
    } else {
        new_tuple(key)
    };
    // SAFETY: the state's cache is a dict.
    if let Some(v) = unsafe { dict_mut(cache) }.get(key.raw())? {
        let v = Obj::new_ref(v);
        if maxsize.is_some() {
            // Most recently used last.
            // SAFETY: as above.
            let d = unsafe { dict_mut(cache) };
            d.remove(key.raw())?;
            d.set(key, v.clone())?;
        }
        return Ok(v);
    }
    let r = vm.call_object(f, &args[1..], kw)?;
    if maxsize == Some(0) {
        return Ok(r);
    }
    // SAFETY: as above.
    let d = unsafe { dict_mut(cache) };
    if d.get(key.raw())?.is_none() {
        if let Some(m) = maxsize {
            if d.len() as i64 >= m {
                let oldest = d.live().next().map(|e| Obj::new_ref(e.key));
                if let Some(o) = oldest {
                    d.remove(o.raw())?;
                }
            }
        }
    }
    d.set(key, r.clone())?;
    Ok(r)
}

fn make_wrapper(f: u64, maxsize: Obj) -> Obj {
    let state = new_tuple(vec![Obj::new_ref(f), new_dict(), maxsize]);
    bound("lru_cache_wrapper", lru_wrapper, state)
}

/// `lru_cache(maxsize)`'s decorator: its state is `(maxsize,)`.
fn lru_decorator(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "decorating_function() takes 1 positional argument but {} were given",
            args.len() - 1
        )));
    }
    let maxsize = Obj::new_ref(tuple_items(args[0])[0]);
    Ok(make_wrapper(args[1], maxsize))
}

fn callable(v: u64) -> bool {
    matches!(
        kind_of(v),
        kind::FUNCTION | kind::BUILTIN | KIND_BOUND | KIND_TYPE
    )
}

fn f_lru_cache(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut maxsize = args.first().copied();
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "maxsize" => maxsize = Some(k.vals[i]),
                "typed" => {}
                other => {
                    return Err(type_error(format!(
                        "lru_cache() got an unexpected keyword argument '{other}'"
                    )))
                }
            }
        }
    }
    let m = maxsize.unwrap_or_else(|| Obj::int(128).into_raw());
    if maxsize.is_some() && callable(m) {
        // `@lru_cache` without arguments.
        return Ok(make_wrapper(m, Obj::int(128)));
    }
    let m = if maxsize.is_none() {
        Obj::int(128)
    } else {
        Obj::new_ref(m)
    };
    let m = match as_i64(m.raw()) {
        Some(n) => Obj::int(n.max(0)),
        None if m.raw() == none_raw() => m,
        None => {
            return Err(type_error(
                "Expected first argument to be an integer, a callable, or None",
            ))
        }
    };
    Ok(bound(
        "decorating_function",
        lru_decorator,
        new_tuple(vec![m]),
    ))
}

fn f_cache(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 1 {
        return Err(type_error(format!(
            "cache() takes 1 positional argument but {} were given",
            args.len()
        )));
    }
    Ok(make_wrapper(args[0], Obj::none()))
}

/// The `functools` module.
pub(super) fn functools_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("reduce", f_reduce),
        ("lru_cache", f_lru_cache),
        ("cache", f_cache),
    ];
    functions_module("functools", fs)
}

// ---- operator ----

fn two(args: &[u64], name: &str) -> PyResult<(u64, u64)> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "{name} expected 2 arguments, got {}",
            args.len()
        )));
    }
    Ok((args[0], args[1]))
}

fn one(args: &[u64], name: &str) -> PyResult<u64> {
    if args.len() != 1 {
        return Err(type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(args[0])
}

macro_rules! binops {
    ($($fname:ident, $py:literal, $op:expr;)*) => {
        $(
            fn $fname(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
                let (a, b) = two(args, $py)?;
                ops::binary_op(a, b, $op)
            }
        )*
    };
}

binops! {
    op_add, "add", binop::ADD;
    op_sub, "sub", binop::SUB;
    op_mul, "mul", binop::MUL;
    op_truediv, "truediv", binop::TRUEDIV;
    op_floordiv, "floordiv", binop::FLOORDIV;
    op_mod, "mod", binop::MOD;
    op_pow, "pow", binop::POW;
    op_and, "and_", binop::AND;
    op_or, "or_", binop::OR;
    op_xor, "xor", binop::XOR;
    op_lshift, "lshift", binop::LSHIFT;
    op_rshift, "rshift", binop::RSHIFT;
}

macro_rules! cmpops {
    ($($fname:ident, $py:literal, $op:expr;)*) => {
        $(
            fn $fname(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
                let (a, b) = two(args, $py)?;
                ops::compare_op(a, b, $op)
            }
        )*
    };
}

cmpops! {
    op_lt, "lt", cmp::LT;
    op_le, "le", cmp::LE;
    op_eq, "eq", cmp::EQ;
    op_ne, "ne", cmp::NE;
    op_gt, "gt", cmp::GT;
    op_ge, "ge", cmp::GE;
}

fn op_neg(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    ops::unary_neg(one(args, "neg")?)
}

fn op_not(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(Obj::bool(!ops::truthy(one(args, "not_")?)?))
}

fn op_truth(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(Obj::bool(ops::truthy(one(args, "truth")?)?))
}

fn op_getitem(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let (a, b) = two(args, "getitem")?;
    ops::getitem(a, b)
}

fn op_contains(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let (a, b) = two(args, "contains")?;
    Ok(Obj::bool(ops::contains(a, b)?))
}

/// `itemgetter(*items)(obj)`: state is the tuple of items.
fn itemgetter_call(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "itemgetter expected 1 argument, got {}",
            args.len() - 1
        )));
    }
    let items = tuple_items(args[0]);
    if items.len() == 1 {
        return ops::getitem(args[1], items[0]);
    }
    let mut out = Vec::with_capacity(items.len());
    for &i in items {
        out.push(ops::getitem(args[1], i)?);
    }
    Ok(new_tuple(out))
}

fn op_itemgetter(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.is_empty() {
        return Err(type_error("itemgetter expected 1 argument, got 0"));
    }
    let state = new_tuple(args.iter().map(|&a| Obj::new_ref(a)).collect());
    Ok(bound("itemgetter", itemgetter_call, state))
}

fn op_index(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let v = one(args, "index")?;
    match ops::as_bigint(v).filter(|_| kind_of(v) != kind::FLOAT) {
        Some(b) => Ok(new_bigint(b)),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}

/// The `operator` module.
pub(super) fn operator_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("add", op_add),
        ("sub", op_sub),
        ("mul", op_mul),
        ("truediv", op_truediv),
        ("floordiv", op_floordiv),
        ("mod", op_mod),
        ("pow", op_pow),
        ("and_", op_and),
        ("or_", op_or),
        ("xor", op_xor),
        ("lshift", op_lshift),
        ("rshift", op_rshift),
        ("lt", op_lt),
        ("le", op_le),
        ("eq", op_eq),
        ("ne", op_ne),
        ("gt", op_gt),
        ("ge", op_ge),
        ("neg", op_neg),
        ("not_", op_not),
        ("truth", op_truth),
        ("getitem", op_getitem),
        ("contains", op_contains),
        ("itemgetter", op_itemgetter),
        ("index", op_index),
    ];
    functions_module("operator", fs)
}
