//! `heapq` and `bisect`: CPython's sift and bisection loops, so a heap's
//! list holds its items in CPython's order and the same comparisons run.

use super::{functions_module, module};
use crate::abi::layout::kind;
use crate::vm::builtins::{builtin, len_of};
use crate::vm::bytecode::cmp;
use crate::vm::error::{index_error, type_error, value_error, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, str_of, type_name};
use crate::vm::types::*;

fn lt(a: u64, b: u64) -> PyResult<bool> {
    ops::compare_bool(a, b, cmp::LT)
}

fn item(heap: u64, i: usize) -> u64 {
    list_items(heap)[i]
}

fn swap(heap: u64, i: usize, j: usize) {
    list_with(heap, |v| v.swap(i, j));
}

/// `_siftdown(heap, startpos, pos)`.
fn siftdown(heap: u64, start: usize, mut pos: usize) -> PyResult<()> {
    while pos > start {
        let parent = (pos - 1) >> 1;
        if pos >= list_items(heap).len() {
            return Err(crate::vm::error::err(
                crate::vm::error::ExcKind::RuntimeError,
                "list changed size during iteration",
            ));
        }
        if !lt(item(heap, pos), item(heap, parent))? {
            break;
        }
        swap(heap, parent, pos);
        pos = parent;
    }
    Ok(())
}

/// `_siftup(heap, pos)`.
fn siftup(heap: u64, mut pos: usize) -> PyResult<()> {
    let end = list_items(heap).len();
    let start = pos;
    let limit = end >> 1;
    while pos < limit {
        let mut child = 2 * pos + 1;
        if child + 1 < end && !lt(item(heap, child), item(heap, child + 1))? {
            child += 1;
        }
        if list_items(heap).len() != end {
            return Err(crate::vm::error::err(
                crate::vm::error::ExcKind::RuntimeError,
                "list changed size during iteration",
            ));
        }
        swap(heap, child, pos);
        pos = child;
    }
    siftdown(heap, start, pos)
}

/// The heap argument of `name` (a list), with CPython's argument-clinic
/// error (`argument 1` when the function takes more than one).
fn heap_arg(args: &[u64], name: &str) -> PyResult<u64> {
    let v = args[0];
    if kind_of(v) != kind::LIST {
        let which = if args.len() > 1 {
            "argument 1"
        } else {
            "argument"
        };
        let got = if v == none_raw() {
            "None"
        } else {
            type_name(v)
        };
        return Err(type_error(format!(
            "{name}() {which} must be list, not {got}"
        )));
    }
    Ok(v)
}

fn exact(args: &[u64], name: &str, n: usize) -> PyResult<()> {
    if args.len() != n {
        return Err(type_error(if n == 1 {
            format!("{name}() takes exactly one argument ({} given)", args.len())
        } else {
            format!("{name} expected {n} arguments, got {}", args.len())
        }));
    }
    Ok(())
}

fn h_heappush(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    exact(args, "heappush", 2)?;
    let h = heap_arg(args, "heappush")?;
    incref(args[1]);
    list_push(h, args[1]);
    siftdown(h, 0, list_items(h).len() - 1)?;
    Ok(Obj::none())
}

fn h_heappop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    exact(args, "heappop", 1)?;
    let h = heap_arg(args, "heappop")?;
    let Some(last) = list_with(h, |v| v.pop()) else {
        return Err(index_error("index out of range"));
    };
    let last = Obj::from_raw(last);
    if list_items(h).is_empty() {
        return Ok(last);
    }
    let top = list_with(h, |v| std::mem::replace(&mut v[0], last.into_raw()));
    siftup(h, 0)?;
    Ok(Obj::from_raw(top))
}

fn h_heapify(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    exact(args, "heapify", 1)?;
    let h = heap_arg(args, "heapify")?;
    let n = list_items(h).len();
    for i in (0..n / 2).rev() {
        siftup(h, i)?;
    }
    Ok(Obj::none())
}

fn h_heapreplace(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    exact(args, "heapreplace", 2)?;
    let h = heap_arg(args, "heapreplace")?;
    if list_items(h).is_empty() {
        return Err(index_error("index out of range"));
    }
    incref(args[1]);
    let top = list_with(h, |v| std::mem::replace(&mut v[0], args[1]));
    siftup(h, 0)?;
    Ok(Obj::from_raw(top))
}

fn h_heappushpop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    exact(args, "heappushpop", 2)?;
    let h = heap_arg(args, "heappushpop")?;
    if list_items(h).is_empty() || !lt(item(h, 0), args[1])? {
        return Ok(Obj::new_ref(args[1]));
    }
    if list_items(h).is_empty() {
        return Err(index_error("index out of range"));
    }
    incref(args[1]);
    let top = list_with(h, |v| std::mem::replace(&mut v[0], args[1]));
    siftup(h, 0)?;
    Ok(Obj::from_raw(top))
}

/// `nlargest`/`nsmallest(n, iterable, key=None)`: what `Lib/heapq.py`
/// guarantees, `sorted(iterable, key=key, reverse=...)[:n]` (stable).
fn n_best(
    vm: &mut Vm,
    args: &[u64],
    kw: Option<Kw<'_>>,
    name: &str,
    largest: bool,
) -> PyResult<Obj> {
    let mut key = None;
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            if str_of(n) != "key" {
                return Err(type_error(format!(
                    "{name}() got an unexpected keyword argument '{}'",
                    str_of(n)
                )));
            }
            key = Some(k.vals[i]).filter(|&v| v != none_raw());
        }
    }
    if args.len() != 2 {
        return Err(type_error(format!(
            "{name}() missing {} required positional argument{}",
            2usize.saturating_sub(args.len()),
            if args.len() == 1 { "" } else { "s" }
        )));
    }
    let n = as_i64(args[0]).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(args[0])
        ))
    })?;
    let items = crate::vm::iter::collect_vm(vm, args[1])?;
    let mut sorted = crate::vm::sort::sort_values(vm, items, key, largest)?;
    sorted.truncate(n.max(0) as usize);
    Ok(new_list(sorted))
}

fn h_nlargest(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    n_best(vm, args, kw, "nlargest", true)
}

fn h_nsmallest(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    n_best(vm, args, kw, "nsmallest", false)
}

/// The `heapq` module.
pub(super) fn heapq_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("heappush", h_heappush),
        ("heappop", h_heappop),
        ("heapify", h_heapify),
        ("heapreplace", h_heapreplace),
        ("heappushpop", h_heappushpop),
        ("nlargest", h_nlargest),
        ("nsmallest", h_nsmallest),
    ];
    functions_module("heapq", fs)
}

// ---- bisect ----

/// The arguments of the bisection functions: `(a, x, lo=0, hi=None, *, key=None)`.
struct Bisect {
    a: u64,
    x: u64,
    lo: usize,
    hi: usize,
    key: Option<u64>,
}

fn bisect_args(args: &[u64], kw: Option<Kw<'_>>, name: &str) -> PyResult<Bisect> {
    let mut slots: [Option<u64>; 5] = [None; 5];
    const NAMES: [&str; 5] = ["a", "x", "lo", "hi", "key"];
    if args.len() > 4 {
        return Err(type_error(format!(
            "{name}() takes at most 4 positional arguments ({} given)",
            args.len()
        )));
    }
    for (i, &a) in args.iter().enumerate() {
        slots[i] = Some(a);
    }
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            let Some(p) = NAMES.iter().position(|&x| x == str_of(n)) else {
                return Err(type_error(format!(
                    "{name}() got an unexpected keyword argument '{}'",
                    str_of(n)
                )));
            };
            if slots[p].is_some() {
                return Err(type_error(format!(
                    "argument for {name}() given by name ('{}') and position ({})",
                    NAMES[p],
                    p + 1
                )));
            }
            slots[p] = Some(k.vals[i]);
        }
    }
    let (Some(a), Some(x)) = (slots[0], slots[1]) else {
        let missing = if slots[0].is_none() { "a" } else { "x" };
        let pos = if slots[0].is_none() { 1 } else { 2 };
        return Err(type_error(format!(
            "{name}() missing required argument '{missing}' (pos {pos})"
        )));
    };
    let int = |v: u64| {
        as_i64(v)
            .filter(|_| kind_of(v) != kind::FLOAT)
            .ok_or_else(|| {
                type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(v)
                ))
            })
    };
    let lo = match slots[2] {
        None => 0,
        Some(v) => int(v)?,
    };
    if lo < 0 {
        return Err(value_error("lo must be non-negative"));
    }
    let hi = match slots[3].filter(|&v| v != none_raw()) {
        None => len_of(a)? as i64,
        Some(v) => int(v)?,
    };
    Ok(Bisect {
        a,
        x,
        lo: lo as usize,
        hi: hi.max(0) as usize,
        key: slots[4].filter(|&k| k != none_raw()),
    })
}

/// The insertion point of `x` (already keyed) in `a[lo:hi]`: left of
/// equal items (`right` false) or right of them.
fn bisect(vm: &mut Vm, b: &Bisect, x: u64, right: bool) -> PyResult<usize> {
    let (mut lo, mut hi) = (b.lo, b.hi);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let m = ops::getitem(b.a, Obj::int(mid as i64).raw())?;
        let m = match b.key {
            Some(k) => vm.call_object(k, &[m.raw()], None)?,
            None => m,
        };
        let go_left = if right {
            lt(x, m.raw())?
        } else {
            !lt(m.raw(), x)?
        };
        if go_left {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

fn b_bisect_left(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let b = bisect_args(args, kw, "bisect_left")?;
    Ok(Obj::int(bisect(vm, &b, b.x, false)? as i64))
}

fn b_bisect_right(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let b = bisect_args(args, kw, "bisect_right")?;
    Ok(Obj::int(bisect(vm, &b, b.x, true)? as i64))
}

fn insort(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>, name: &str, right: bool) -> PyResult<Obj> {
    let b = bisect_args(args, kw, name)?;
    let keyed = match b.key {
        Some(k) => vm.call_object(k, &[b.x], None)?,
        None => Obj::new_ref(b.x),
    };
    let i = bisect(vm, &b, keyed.raw(), right)?;
    if kind_of(b.a) != kind::LIST {
        return Err(crate::vm::error::err(
            crate::vm::error::ExcKind::AttributeError,
            format!("'{}' object has no attribute 'insert'", type_name(b.a)),
        ));
    }
    incref(b.x);
    list_with(b.a, |v| v.insert(i.min(v.len()), b.x));
    Ok(Obj::none())
}

fn b_insort_left(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    insort(vm, args, kw, "insort_left", false)
}

fn b_insort_right(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    insort(vm, args, kw, "insort_right", true)
}

/// The `bisect` module.
pub(super) fn bisect_module() -> Obj {
    let fs: &[(&'static str, &'static str, BuiltinFn)] = &[
        ("bisect_left", "bisect_left", b_bisect_left),
        ("bisect_right", "bisect_right", b_bisect_right),
        ("bisect", "bisect_right", b_bisect_right),
        ("insort_left", "insort_left", b_insort_left),
        ("insort_right", "insort_right", b_insort_right),
        ("insort", "insort_right", b_insort_right),
    ];
    module(
        "bisect",
        fs.iter()
            .map(|(n, real, f)| (*n, builtin(real, *f, 0)))
            .collect(),
    )
}
