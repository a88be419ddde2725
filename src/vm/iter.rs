//! Iteration: `iter()` over the builtin iterables and `next()` on iterators.

use crate::abi::layout::kind;
use crate::vm::dict::dict_mut;
use crate::vm::error::{type_error, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{str_of, type_name};
use crate::vm::types::*;

fn new_iter(state: IterState) -> Obj {
    Obj::from_raw(new_iter_obj(state))
}

/// `iter(v)`.
pub fn get_iter(v: u64) -> PyResult<Obj> {
    let state = match kind_of(v) {
        kind::LIST => IterState::List {
            seq: Obj::new_ref(v),
            idx: 0,
        },
        kind::TUPLE => IterState::Tuple {
            seq: Obj::new_ref(v),
            idx: 0,
        },
        kind::STR => IterState::Str {
            seq: Obj::new_ref(v),
            pos: 0,
        },
        kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER => IterState::Dict {
            dict: Obj::new_ref(v),
            idx: 0,
            // SAFETY: kind checked.
            len: unsafe { dict_mut(v) }.len(),
            which: 0,
        },
        KIND_DICTVIEW => {
            // SAFETY: kind checked.
            let dv = unsafe { cast::<DictViewObj>(v) };
            IterState::Dict {
                dict: dv.dict.clone(),
                idx: 0,
                // SAFETY: a view's dict is a dict.
                len: unsafe { dict_mut(dv.dict.raw()) }.len(),
                which: dv.which,
            }
        }
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(v) };
            crate::vm::range::iter_state(r)
        }
        KIND_SET | KIND_FROZENSET => IterState::Set {
            set: Obj::new_ref(v),
            pos: 0,
            // SAFETY: kind checked.
            used: unsafe { crate::vm::set::set_mut(v) }.len(),
        },
        KIND_ITER | KIND_GEN => return Ok(Obj::new_ref(v)),
        KIND_INSTANCE => return crate::vm::class::get_iter(v),
        KIND_DEQUE => crate::vm::modules::collections::deque_iter(v),
        _ => {
            return Err(type_error(format!(
                "'{}' object is not iterable",
                type_name(v)
            )))
        }
    };
    Ok(new_iter(state))
}

/// A `reversed()` iterator.
pub fn reversed(v: u64) -> PyResult<Obj> {
    match kind_of(v) {
        kind::LIST => Ok(new_iter(IterState::Reversed {
            seq: Obj::new_ref(v),
            idx: list_items(v).len(),
        })),
        kind::TUPLE => Ok(new_iter(IterState::Reversed {
            seq: Obj::new_ref(v),
            idx: tuple_items(v).len(),
        })),
        kind::STR => {
            let chars: Vec<Obj> = str_of(v)
                .chars()
                .rev()
                .map(|c| new_str(c.to_string()))
                .collect();
            let l = new_list(chars);
            get_iter(l.raw())
        }
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(v) };
            Ok(new_iter(crate::vm::range::reversed_state(r)))
        }
        kind::DICT | KIND_DICTVIEW | KIND_DEQUE => {
            let items = collect_vm_free(v)?;
            let l = new_list(items.into_iter().rev().collect());
            get_iter(l.raw())
        }
        _ => Err(type_error(format!(
            "'{}' object is not reversible",
            type_name(v)
        ))),
    }
}

/// `enumerate(v, start)`.
pub fn enumerate(v: u64, start: i64) -> PyResult<Obj> {
    let inner = get_iter(v)?;
    Ok(new_iter(IterState::Enumerate { inner, n: start }))
}

/// `zip(*vs)`.
pub fn zip(vs: &[u64]) -> PyResult<Obj> {
    let iters = vs
        .iter()
        .map(|&v| get_iter(v))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(new_iter(IterState::Zip { iters }))
}

/// `map(f, *vs)`.
pub fn map(f: u64, vs: &[u64]) -> PyResult<Obj> {
    let iters = vs
        .iter()
        .map(|&v| get_iter(v))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(new_iter(IterState::Map {
        func: Obj::new_ref(f),
        iters,
    }))
}

/// Advances an iterator that does not need to call Python code.
/// Returns `Err(())`-like `None` in the outer option when the iterator needs the VM.
pub fn next_simple(it: u64) -> Option<PyResult<Option<Obj>>> {
    // SAFETY: caller checked kind ITER; the state is only borrowed here.
    let st = unsafe { &mut cast_mut::<IterObj>(it).state };
    let r = match st {
        IterState::Range { next, stop, step } => {
            if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                let v = *next;
                *next += *step;
                Some(Obj::int(v))
            } else {
                None
            }
        }
        IterState::List { seq, idx } => {
            let items = list_items(seq.raw());
            if *idx < items.len() {
                *idx += 1;
                Some(Obj::new_ref(items[*idx - 1]))
            } else {
                None
            }
        }
        IterState::Tuple { seq, idx } => {
            let items = tuple_items(seq.raw());
            if *idx < items.len() {
                *idx += 1;
                Some(Obj::new_ref(items[*idx - 1]))
            } else {
                None
            }
        }
        IterState::Str { seq, pos } => {
            let s = str_of(seq.raw());
            match s[*pos..].chars().next() {
                Some(c) => {
                    *pos += c.len_utf8();
                    Some(new_str(c.to_string()))
                }
                None => None,
            }
        }
        IterState::Dict {
            dict,
            idx,
            len,
            which,
        } => {
            // SAFETY: dict is a live dict.
            let d = unsafe { dict_mut(dict.raw()) };
            // Exhausted iterators stay exhausted, whatever the dict does.
            if *idx == usize::MAX {
                return Some(Ok(None));
            }
            if d.len() != *len {
                *len = usize::MAX;
                return Some(Err(crate::vm::error::err(
                    crate::vm::error::ExcKind::RuntimeError,
                    "dictionary changed size during iteration",
                )));
            }
            // Positions, skipping the holes deleted entries left.
            while let Some(&e) = d.entries().get(*idx) {
                *idx += 1;
                if e.key == 0 {
                    continue;
                }
                return Some(Ok(Some(match which {
                    0 => Obj::new_ref(e.key),
                    1 => Obj::new_ref(e.value),
                    _ => new_tuple(vec![Obj::new_ref(e.key), Obj::new_ref(e.value)]),
                })));
            }
            *idx = usize::MAX;
            None
        }
        IterState::Reversed { seq, idx } => {
            let items = if kind_of(seq.raw()) == kind::LIST {
                list_items(seq.raw())
            } else {
                tuple_items(seq.raw())
            };
            if *idx > 0 && *idx <= items.len() {
                *idx -= 1;
                Some(Obj::new_ref(items[*idx]))
            } else {
                None
            }
        }
        IterState::Enumerate { inner, n } => {
            let inner = inner.clone();
            if kind_of(inner.raw()) != KIND_ITER {
                // A generator: the VM's path.
                return None;
            }
            let r = match next_simple(inner.raw())? {
                Ok(Some(v)) => {
                    let i = *n;
                    *n += 1;
                    Some(new_tuple(vec![Obj::int(i), v]))
                }
                Ok(None) => None,
                Err(e) => return Some(Err(e)),
            };
            return Some(Ok(r));
        }
        IterState::Zip { iters } => {
            let iters = iters.clone();
            // Decide before taking anything: one that needs the VM (a
            // generator, a map) sends the whole step down the VM's path.
            if iters.iter().any(|i| needs_vm(i.raw())) {
                return None;
            }
            let mut out = Vec::with_capacity(iters.len());
            for i in &iters {
                match next_simple(i.raw())? {
                    Ok(Some(v)) => out.push(v),
                    Ok(None) => return Some(Ok(None)),
                    Err(e) => return Some(Err(e)),
                }
            }
            if out.is_empty() {
                return Some(Ok(None));
            }
            Some(new_tuple(out))
        }
        IterState::Map { .. } | IterState::Native(_) => return None,
        IterState::Done => None,
        IterState::Set { set, pos, used } => {
            return Some(crate::vm::set::iter_next(set.raw(), pos, used));
        }
        IterState::BigRange(b) => crate::vm::range::big_next(b),
        IterState::Instance { .. } | IterState::SeqIndex { .. } => return None,
    };
    Some(Ok(r))
}

/// `next(it)`: `Ok(None)` when exhausted.
pub fn iter_next(vm: &mut Vm, it: u64) -> PyResult<Option<Obj>> {
    if kind_of(it) == KIND_INSTANCE {
        return crate::vm::class::next(vm, it);
    }
    if kind_of(it) != KIND_ITER {
        if kind_of(it) == KIND_GEN {
            return vm.gen_next(it);
        }
        return Err(type_error(format!(
            "'{}' object is not an iterator",
            type_name(it)
        )));
    }
    if let Some(r) = next_simple(it) {
        return r;
    }
    // SAFETY: kind checked.
    let st = unsafe { &mut cast_mut::<IterObj>(it).state };
    match st {
        IterState::Map { func, iters } => {
            let func = func.clone();
            let iters = iters.clone();
            let mut args = Vec::with_capacity(iters.len());
            for i in &iters {
                match iter_next(vm, i.raw())? {
                    Some(v) => args.push(v),
                    None => return Ok(None),
                }
            }
            let raw: Vec<u64> = args.iter().map(|a| a.raw()).collect();
            Ok(Some(vm.call_object(func.raw(), &raw, None)?))
        }
        IterState::Enumerate { inner, n } => {
            let inner = inner.clone();
            match iter_next(vm, inner.raw())? {
                Some(v) => {
                    // SAFETY: re-borrow after the call.
                    let st = unsafe { &mut cast_mut::<IterObj>(it).state };
                    let i = if let IterState::Enumerate { n, .. } = st {
                        *n += 1;
                        *n - 1
                    } else {
                        let _ = n;
                        0
                    };
                    Ok(Some(new_tuple(vec![Obj::int(i), v])))
                }
                None => Ok(None),
            }
        }
        IterState::Zip { iters } => {
            let iters = iters.clone();
            let mut out = Vec::with_capacity(iters.len());
            for i in &iters {
                match iter_next(vm, i.raw())? {
                    Some(v) => out.push(v),
                    None => return Ok(None),
                }
            }
            Ok(Some(new_tuple(out)))
        }
        IterState::Instance { obj } => {
            let obj = obj.clone();
            let r = crate::vm::class::next(vm, obj.raw())?;
            if r.is_none() {
                // SAFETY: re-borrow after the call; exhausted for good.
                unsafe { cast_mut::<IterObj>(it).state = IterState::Done };
            }
            Ok(r)
        }
        IterState::SeqIndex { seq, idx } => {
            let seq = seq.clone();
            let mut i = *idx;
            let r = crate::vm::class::seq_next(seq.raw(), &mut i)?;
            // SAFETY: re-borrow after the call.
            match unsafe { &mut cast_mut::<IterObj>(it).state } {
                IterState::SeqIndex { idx, .. } if r.is_some() => *idx = i,
                st => *st = IterState::Done,
            }
            Ok(r)
        }
        IterState::Native(_) => {
            // Out of the object while it runs (its `next` may call Python
            // code that reaches this iterator: that sees it exhausted).
            let IterState::Native(mut n) = std::mem::replace(st, IterState::Done) else {
                return Ok(None);
            };
            let r = n.next(vm);
            if let Ok(Some(_)) | Err(_) = r {
                // SAFETY: re-borrow after the call; `it` is still alive
                // (the caller holds it).
                let st = unsafe { &mut cast_mut::<IterObj>(it).state };
                if matches!(st, IterState::Done) {
                    *st = IterState::Native(n);
                }
            }
            r
        }
        _ => Ok(None),
    }
}

/// Whether a step of the iterator `it` may call Python code (so
/// [`next_simple`] cannot take it).
fn needs_vm(it: u64) -> bool {
    if kind_of(it) != KIND_ITER {
        return true;
    }
    // SAFETY: kind checked.
    match unsafe { &cast::<IterObj>(it).state } {
        IterState::Map { .. } => true,
        IterState::Enumerate { inner, .. } => needs_vm(inner.raw()),
        IterState::Zip { iters } => iters.iter().any(|i| needs_vm(i.raw())),
        _ => false,
    }
}

/// All items of a builtin iterable that needs no Python calls (or of a
/// generator, run by the thread's VM).
pub fn collect(v: u64) -> PyResult<Vec<Obj>> {
    match kind_of(v) {
        KIND_GEN => return crate::vm::generator::with_vm(|vm| collect_vm(vm, v)),
        kind::LIST => return Ok(list_items(v).iter().map(|&x| Obj::new_ref(x)).collect()),
        kind::TUPLE => return Ok(tuple_items(v).iter().map(|&x| Obj::new_ref(x)).collect()),
        _ => {}
    }
    let it = get_iter(v)?;
    let mut out = Vec::new();
    loop {
        match next_simple(it.raw()) {
            Some(Ok(Some(x))) => out.push(x),
            Some(Ok(None)) => return Ok(out),
            Some(Err(e)) => return Err(e),
            None => return Err(type_error("map() here needs the interpreter")),
        }
    }
}

/// All items of a dict, view or deque (whose iterators need no VM).
fn collect_vm_free(v: u64) -> PyResult<Vec<Obj>> {
    if kind_of(v) == KIND_DEQUE {
        return Ok(crate::vm::modules::collections::deque_items(v));
    }
    collect(v)
}

/// All items of any iterable.
pub fn collect_vm(vm: &mut Vm, v: u64) -> PyResult<Vec<Obj>> {
    match kind_of(v) {
        kind::LIST => return Ok(list_items(v).iter().map(|&x| Obj::new_ref(x)).collect()),
        kind::TUPLE => return Ok(tuple_items(v).iter().map(|&x| Obj::new_ref(x)).collect()),
        _ => {}
    }
    let it = get_iter(v)?;
    let mut out = Vec::new();
    while let Some(x) = iter_next(vm, it.raw())? {
        out.push(x);
    }
    Ok(out)
}
