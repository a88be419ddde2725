//! `collections`: `deque` (its own kind), `defaultdict` and `Counter`
//! (dict objects of their own kinds: their layout starts with
//! [`DictObj`]'s, so every dict operation reads their table with
//! `dict::dict_mut`; only a missing key, the repr and the extra methods
//! differ).

use super::module;
use crate::abi::layout::{kind, ObjHeader};
use crate::vm::dict::{dict_mut, Dict};
use crate::vm::error::{err, index_error, type_error, value_error, ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, str_of, type_name};
use crate::vm::types::*;
use std::collections::VecDeque;

/// A `collections.deque`.
#[repr(C)]
pub struct DequeObj {
    /// Header, kind [`KIND_DEQUE`].
    pub ob: ObjHeader,
    /// The items.
    pub items: VecDeque<Obj>,
    /// `maxlen` (None: unbounded).
    pub maxlen: Option<usize>,
    /// Bumped by every change of the items' sequence (iterators check it).
    pub state: u64,
}

/// A `collections.defaultdict`: a dict ([`DictObj`]'s layout first) and
/// its `default_factory`.
#[repr(C)]
pub struct DefaultDictObj {
    /// Header, kind [`KIND_DEFAULTDICT`].
    pub ob: ObjHeader,
    /// The table (as [`DictObj::d`]).
    pub d: Dict,
    /// The factory (`None` for none).
    pub factory: Obj,
}

/// Whether `k` is a dict kind (`dict`, `defaultdict`, `Counter`).
pub fn is_dict_kind(k: u32) -> bool {
    matches!(k, kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER)
}

fn deque_of<'a>(v: u64) -> &'a mut DequeObj {
    // SAFETY: callers check the kind; the VM is single-threaded and no
    // borrow of a deque's items lives across Python code.
    unsafe { cast_mut::<DequeObj>(v) }
}

fn new_deque(items: VecDeque<Obj>, maxlen: Option<usize>) -> Obj {
    Obj::from_raw(box_obj(DequeObj {
        ob: hdr(KIND_DEQUE),
        items,
        maxlen,
        state: 0,
    }))
}

/// The items of a deque (new references).
pub fn deque_items(v: u64) -> Vec<Obj> {
    deque_of(v).items.iter().cloned().collect()
}

/// The number of items of a deque.
pub fn deque_len(v: u64) -> usize {
    deque_of(v).items.len()
}

/// `dq[i]` for an int `i`.
pub fn deque_getitem(v: u64, key: u64) -> PyResult<Obj> {
    let d = deque_of(v);
    let i = deque_index(key, d.items.len())?;
    Ok(d.items[i].clone())
}

/// `dq[i] = value`.
pub fn deque_setitem(v: u64, key: u64, value: Obj) -> PyResult<()> {
    let d = deque_of(v);
    let i = deque_index(key, d.items.len())?;
    d.items[i] = value;
    Ok(())
}

/// `del dq[i]`.
pub fn deque_delitem(v: u64, key: u64) -> PyResult<()> {
    let d = deque_of(v);
    let i = deque_index(key, d.items.len())?;
    d.items.remove(i);
    d.state += 1;
    Ok(())
}

fn deque_index(key: u64, len: usize) -> PyResult<usize> {
    let Some(i) = as_i64(key).filter(|_| kind_of(key) != kind::FLOAT) else {
        return Err(type_error(format!(
            "sequence index must be integer, not '{}'",
            type_name(key)
        )));
    };
    ops::norm_index(i, len).ok_or_else(|| index_error("deque index out of range"))
}

/// `x in dq`.
pub fn deque_contains(v: u64, item: u64) -> PyResult<bool> {
    for x in deque_items(v) {
        if ops::eq(x.raw(), item)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `repr(dq)`, with `item` writing an item's repr.
pub fn deque_repr(
    v: u64,
    item: &mut dyn FnMut(&mut String, u64) -> PyResult<()>,
) -> PyResult<String> {
    let mut out = String::from("deque([");
    for (i, x) in deque_items(v).iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(&mut out, x.raw())?;
    }
    out.push(']');
    if let Some(m) = deque_of(v).maxlen {
        out.push_str(&format!(", maxlen={m}"));
    }
    out.push(')');
    Ok(out)
}

/// The iterator over a deque.
struct DequeIter {
    deque: Obj,
    idx: usize,
    state: u64,
}

impl NativeIter for DequeIter {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Obj>> {
        let d = deque_of(self.deque.raw());
        if d.state != self.state {
            return Err(err(ExcKind::RuntimeError, "deque mutated during iteration"));
        }
        let r = d.items.get(self.idx).cloned();
        self.idx += 1;
        Ok(r)
    }
    fn type_name(&self) -> &'static str {
        "_collections._deque_iterator"
    }
}

/// `iter(dq)`'s state.
pub fn deque_iter(v: u64) -> IterState {
    IterState::Native(Box::new(DequeIter {
        deque: Obj::new_ref(v),
        idx: 0,
        state: deque_of(v).state,
    }))
}

/// `deque(iterable=(), maxlen=None)`.
pub fn new_deque_call(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut iterable = args.first().copied();
    let mut maxlen = args.get(1).copied();
    if args.len() > 2 {
        return Err(type_error(format!(
            "deque() takes at most 2 arguments ({} given)",
            args.len()
        )));
    }
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "iterable" => iterable = Some(k.vals[i]),
                "maxlen" => maxlen = Some(k.vals[i]),
                other => {
                    return Err(type_error(format!(
                        "deque() got an unexpected keyword argument '{other}'"
                    )))
                }
            }
        }
    }
    let maxlen = match maxlen.filter(|&m| m != none_raw()) {
        None => None,
        Some(m) => match as_i64(m).filter(|_| kind_of(m) != kind::FLOAT) {
            Some(m) if m >= 0 => Some(m as usize),
            Some(_) => return Err(value_error("maxlen must be non-negative")),
            None => return Err(type_error("an integer is required")),
        },
    };
    let d = new_deque(VecDeque::new(), maxlen);
    if let Some(it) = iterable {
        for x in crate::vm::iter::collect_vm(vm, it)? {
            push_back(d.raw(), x);
        }
    }
    Ok(d)
}

fn push_back(v: u64, x: Obj) {
    let d = deque_of(v);
    if d.maxlen == Some(0) {
        return;
    }
    if d.maxlen == Some(d.items.len()) {
        d.items.pop_front();
    }
    d.items.push_back(x);
    d.state += 1;
}

fn push_front(v: u64, x: Obj) {
    let d = deque_of(v);
    if d.maxlen == Some(0) {
        return;
    }
    if d.maxlen == Some(d.items.len()) {
        d.items.pop_back();
    }
    d.items.push_front(x);
    d.state += 1;
}

fn method_args(args: &[u64], name: &str, n: usize) -> PyResult<()> {
    let given = args.len() - 1;
    if given != n {
        return Err(type_error(match n {
            0 => format!("deque.{name}() takes no arguments ({given} given)"),
            1 => format!("deque.{name}() takes exactly one argument ({given} given)"),
            _ => format!("{name} expected {n} arguments, got {given}"),
        }));
    }
    Ok(())
}

fn dq_append(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "append", 1)?;
    push_back(args[0], Obj::new_ref(args[1]));
    Ok(Obj::none())
}

fn dq_appendleft(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "appendleft", 1)?;
    push_front(args[0], Obj::new_ref(args[1]));
    Ok(Obj::none())
}

fn dq_pop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "pop", 0)?;
    let d = deque_of(args[0]);
    d.state += 1;
    d.items
        .pop_back()
        .ok_or_else(|| index_error("pop from an empty deque"))
}

fn dq_popleft(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "popleft", 0)?;
    let d = deque_of(args[0]);
    d.state += 1;
    d.items
        .pop_front()
        .ok_or_else(|| index_error("pop from an empty deque"))
}

fn dq_extend(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "extend", 1)?;
    for x in crate::vm::iter::collect_vm(vm, args[1])? {
        push_back(args[0], x);
    }
    Ok(Obj::none())
}

fn dq_extendleft(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "extendleft", 1)?;
    for x in crate::vm::iter::collect_vm(vm, args[1])? {
        push_front(args[0], x);
    }
    Ok(Obj::none())
}

fn dq_rotate(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() > 2 {
        return Err(type_error(format!(
            "rotate expected at most 1 argument, got {}",
            args.len() - 1
        )));
    }
    let n = match args.get(1) {
        None => 1,
        Some(&v) => as_i64(v)
            .filter(|_| kind_of(v) != kind::FLOAT)
            .ok_or_else(|| {
                type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(v)
                ))
            })?,
    };
    let d = deque_of(args[0]);
    let len = d.items.len() as i64;
    if len > 1 {
        let k = n.rem_euclid(len) as usize;
        d.items.rotate_right(k);
    }
    d.state += 1;
    Ok(Obj::none())
}

fn dq_clear(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "clear", 0)?;
    let d = deque_of(args[0]);
    let old = std::mem::take(&mut d.items);
    d.state += 1;
    drop(old);
    Ok(Obj::none())
}

fn dq_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "copy", 0)?;
    let d = deque_of(args[0]);
    Ok(new_deque(d.items.clone(), d.maxlen))
}

fn dq_reverse(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "reverse", 0)?;
    let d = deque_of(args[0]);
    d.items.make_contiguous().reverse();
    d.state += 1;
    Ok(Obj::none())
}

fn dq_count(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "count", 1)?;
    let mut n = 0;
    for x in deque_items(args[0]) {
        if ops::eq(x.raw(), args[1])? {
            n += 1;
        }
    }
    Ok(Obj::int(n))
}

fn dq_index(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() < 2 || args.len() > 4 {
        return Err(type_error(format!(
            "index expected at least 1 argument, got {}",
            args.len() - 1
        )));
    }
    let items = deque_items(args[0]);
    let len = items.len() as i64;
    let bound = |i: Option<&u64>, dflt: i64| -> PyResult<usize> {
        let Some(&v) = i else {
            return Ok(dflt as usize);
        };
        let i = as_i64(v).ok_or_else(|| {
            type_error("slice indices must be integers or have an __index__ method")
        })?;
        let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
        Ok(i as usize)
    };
    let (start, stop) = (bound(args.get(2), 0)?, bound(args.get(3), len)?);
    for (i, x) in items.iter().enumerate().take(stop).skip(start) {
        if ops::eq(x.raw(), args[1])? {
            return Ok(Obj::int(i as i64));
        }
    }
    Err(value_error(format!(
        "{} is not in deque",
        crate::vm::text::repr(args[1])?
    )))
}

fn dq_remove(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "remove", 1)?;
    for (i, x) in deque_items(args[0]).iter().enumerate() {
        if ops::eq(x.raw(), args[1])? {
            let d = deque_of(args[0]);
            d.items.remove(i);
            d.state += 1;
            return Ok(Obj::none());
        }
    }
    Err(value_error(format!(
        "{} is not in deque",
        crate::vm::text::repr(args[1])?
    )))
}

fn dq_insert(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    method_args(args, "insert", 2)?;
    let d = deque_of(args[0]);
    let len = d.items.len() as i64;
    let i = as_i64(args[1]).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(args[1])
        ))
    })?;
    if d.maxlen == Some(d.items.len()) {
        return Err(index_error("deque already at its maximum size"));
    }
    let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
    d.items.insert(i as usize, Obj::new_ref(args[2]));
    d.state += 1;
    Ok(Obj::none())
}

/// `dq.maxlen` (the one data attribute of the kinds here).
pub fn attr(v: u64, name: &str) -> Option<Obj> {
    match (kind_of(v), name) {
        (KIND_DEQUE, "maxlen") => Some(match deque_of(v).maxlen {
            Some(m) => Obj::int(m as i64),
            None => Obj::none(),
        }),
        (KIND_DEFAULTDICT, "default_factory") => {
            // SAFETY: kind checked.
            Some(unsafe { cast::<DefaultDictObj>(v) }.factory.clone())
        }
        _ => None,
    }
}

// ---- defaultdict and Counter ----

fn new_defaultdict(factory: Obj) -> Obj {
    Obj::from_raw(box_obj(DefaultDictObj {
        ob: hdr(KIND_DEFAULTDICT),
        d: Dict::new(),
        factory,
    }))
}

fn new_counter() -> Obj {
    Obj::from_raw(box_obj(DictObj {
        ob: hdr(KIND_COUNTER),
        d: Dict::new(),
    }))
}

/// `defaultdict(default_factory=None, *args)`.
pub fn new_defaultdict_call(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let factory = match args.first() {
        Some(&f) => {
            if f != none_raw() && !callable(f) {
                return Err(type_error("first argument must be callable or None"));
            }
            Obj::new_ref(f)
        }
        None => Obj::none(),
    };
    let d = new_defaultdict(factory);
    if args.len() > 2 {
        return Err(type_error(format!(
            "dict expected at most 1 argument, got {}",
            args.len() - 1
        )));
    }
    update_dict(vm, d.raw(), args.get(1).copied(), kw)?;
    Ok(d)
}

fn callable(v: u64) -> bool {
    matches!(
        kind_of(v),
        kind::FUNCTION | kind::BUILTIN | KIND_BOUND | KIND_TYPE
    )
}

/// `dict.update(src, **kw)` into the table of `d` (any dict kind).
fn update_dict(vm: &mut Vm, d: u64, src: Option<u64>, kw: Option<Kw<'_>>) -> PyResult<()> {
    if let Some(s) = src {
        crate::vm::methods::dict_update_from(vm, d, s)?;
    }
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            // SAFETY: d is a dict kind.
            unsafe { dict_mut(d) }.set(Obj::new_ref(n), Obj::new_ref(k.vals[i]))?;
        }
    }
    Ok(())
}

/// The (key, value) pairs of a dict kind's table, as new references (a
/// snapshot: the table may change while they are used).
fn entries(d: u64) -> Vec<(Obj, Obj)> {
    // SAFETY: callers pass a dict kind.
    unsafe { dict_mut(d) }
        .live()
        .map(|e| (Obj::new_ref(e.key), Obj::new_ref(e.value)))
        .collect()
}

/// `d[key]` of a `defaultdict` or `Counter` (tier 1's subscript of these
/// kinds): the value, or for a missing key the factory's new value (stored)
/// or a `Counter`'s 0; a `defaultdict` without a factory raises `KeyError`.
pub fn missing_getitem(vm: &mut Vm, d: u64, key: u64) -> PyResult<Obj> {
    // SAFETY: callers check the kind (a dict kind).
    if let Some(v) = unsafe { dict_mut(d) }.get(key)? {
        return Ok(Obj::new_ref(v));
    }
    if kind_of(d) == KIND_COUNTER {
        return Ok(Obj::int(0));
    }
    // SAFETY: kind checked by the caller: a defaultdict.
    let f = unsafe { cast::<DefaultDictObj>(d) }.factory.clone();
    if f.raw() == none_raw() {
        return Err(crate::vm::builtins::key_error(key));
    }
    let v = vm.call_object(f.raw(), &[], None)?;
    // SAFETY: d is a dict kind.
    unsafe { dict_mut(d) }.set(Obj::new_ref(key), v.clone())?;
    Ok(v)
}

/// The repr of a `defaultdict` or `Counter` (`dict_repr` writes the plain
/// dict's repr of its table).
pub fn dict_kind_repr(
    v: u64,
    dict_repr: &mut dyn FnMut(&mut String, u64) -> PyResult<()>,
    item: &mut dyn FnMut(&mut String, u64) -> PyResult<()>,
) -> PyResult<String> {
    let mut out = String::new();
    if kind_of(v) == KIND_DEFAULTDICT {
        out.push_str("defaultdict(");
        // SAFETY: kind checked.
        item(&mut out, unsafe { cast::<DefaultDictObj>(v) }.factory.raw())?;
        out.push_str(", ");
        dict_repr(&mut out, v)?;
        out.push(')');
        return Ok(out);
    }
    // SAFETY: a Counter is a dict kind.
    if unsafe { dict_mut(v) }.is_empty() {
        return Ok("Counter()".to_string());
    }
    out.push_str("Counter({");
    for (i, (k, c)) in most_common(v)?.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(&mut out, k.raw())?;
        out.push_str(": ");
        item(&mut out, c.raw())?;
    }
    out.push_str("})");
    Ok(out)
}

/// The items of a counter by count, largest first, ties in insertion
/// order (`sorted(items, key=itemgetter(1), reverse=True)`).
fn most_common(v: u64) -> PyResult<Vec<(Obj, Obj)>> {
    let mut items = entries(v);
    let mut error = None;
    items.sort_by(|a, b| {
        if error.is_some() {
            return std::cmp::Ordering::Equal;
        }
        match ops::compare_bool(a.1.raw(), b.1.raw(), crate::vm::bytecode::cmp::GT) {
            Ok(true) => std::cmp::Ordering::Less,
            Ok(false) => {
                match ops::compare_bool(b.1.raw(), a.1.raw(), crate::vm::bytecode::cmp::GT) {
                    Ok(true) => std::cmp::Ordering::Greater,
                    Ok(false) => std::cmp::Ordering::Equal,
                    Err(e) => {
                        error = Some(e);
                        std::cmp::Ordering::Equal
                    }
                }
            }
            Err(e) => {
                error = Some(e);
                std::cmp::Ordering::Equal
            }
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(items),
    }
}

/// `Counter.update(iterable_or_mapping)`: adds counts.
fn counter_add(vm: &mut Vm, c: u64, src: u64, sign: i64) -> PyResult<()> {
    if is_dict_kind(kind_of(src)) {
        for (k, n) in entries(src) {
            add_count(c, k, n.raw(), sign)?;
        }
        return Ok(());
    }
    let one = Obj::int(1);
    for k in crate::vm::iter::collect_vm(vm, src)? {
        add_count(c, k, one.raw(), sign)?;
    }
    Ok(())
}

fn add_count(c: u64, k: Obj, n: u64, sign: i64) -> PyResult<()> {
    use crate::vm::bytecode::binop;
    // SAFETY: c is a Counter.
    let old = unsafe { dict_mut(c) }.get(k.raw())?;
    let op = if sign > 0 { binop::ADD } else { binop::SUB };
    let new = match old {
        Some(o) => ops::binary_op(o, n, op)?,
        None if sign > 0 => Obj::new_ref(n),
        None => ops::binary_op(Obj::int(0).raw(), n, op)?,
    };
    // SAFETY: c is a Counter.
    unsafe { dict_mut(c) }.set(k, new)
}

/// `Counter(iterable_or_mapping=None, **kwds)`.
pub fn new_counter_call(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() > 1 {
        return Err(type_error(format!(
            "expected at most 1 arguments, got {}",
            args.len()
        )));
    }
    let c = new_counter();
    counter_update_from(vm, c.raw(), args.first().copied(), kw, 1)?;
    Ok(c)
}

fn counter_update_from(
    vm: &mut Vm,
    c: u64,
    src: Option<u64>,
    kw: Option<Kw<'_>>,
    sign: i64,
) -> PyResult<()> {
    if let Some(s) = src.filter(|&s| s != none_raw()) {
        counter_add(vm, c, s, sign)?;
    }
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            add_count(c, Obj::new_ref(n), k.vals[i], sign)?;
        }
    }
    Ok(())
}

fn c_update(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    counter_update_from(vm, args[0], args.get(1).copied(), kw, 1)?;
    Ok(Obj::none())
}

fn c_subtract(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    counter_update_from(vm, args[0], args.get(1).copied(), kw, -1)?;
    Ok(Obj::none())
}

fn c_most_common(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut items = most_common(args[0])?;
    if let Some(&n) = args.get(1).filter(|&&n| n != none_raw()) {
        let n = as_i64(n).ok_or_else(|| {
            type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(n)
            ))
        })?;
        items.truncate(n.max(0) as usize);
    }
    Ok(new_list(
        items
            .into_iter()
            .map(|(k, c)| new_tuple(vec![k, c]))
            .collect(),
    ))
}

fn c_total(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut t = Obj::int(0);
    for (_, v) in entries(args[0]) {
        t = ops::binary_op(t.raw(), v.raw(), crate::vm::bytecode::binop::ADD)?;
    }
    Ok(t)
}

fn c_elements(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut out = Vec::new();
    for (k, n) in entries(args[0]) {
        let n = as_i64(n.raw()).ok_or_else(|| {
            type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(n.raw())
            ))
        })?;
        for _ in 0..n.max(0) {
            out.push(k.clone());
        }
    }
    crate::vm::iter::get_iter(new_list(out).raw())
}

fn c_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let c = new_counter();
    copy_table(args[0], c.raw())?;
    Ok(c)
}

fn dd_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    // SAFETY: args[0] is a defaultdict.
    let f = unsafe { cast::<DefaultDictObj>(args[0]) }.factory.clone();
    let d = new_defaultdict(f);
    copy_table(args[0], d.raw())?;
    Ok(d)
}

fn copy_table(from: u64, to: u64) -> PyResult<()> {
    // SAFETY: both are dict kinds.
    unsafe { *dict_mut(to) = dict_mut(from).copy() };
    Ok(())
}

/// `Counter + Counter` and `Counter - Counter` (positive counts kept), or
/// None when `a` and `b` are not both counters.
pub fn counter_binop(a: u64, b: u64, o: u32) -> Option<PyResult<Obj>> {
    use crate::vm::bytecode::binop;
    if kind_of(a) != KIND_COUNTER || kind_of(b) != KIND_COUNTER {
        return None;
    }
    let sign = match o {
        binop::ADD => 1,
        binop::SUB => -1,
        _ => return None,
    };
    Some((|| {
        let c = new_counter();
        let zero = Obj::int(0);
        for (k, n) in &entries(a) {
            // SAFETY: kinds checked.
            let other = unsafe { dict_mut(b) }.get(k.raw())?.unwrap_or(zero.raw());
            let r = ops::binary_op(n.raw(), other, o)?;
            if ops::compare_bool(r.raw(), zero.raw(), crate::vm::bytecode::cmp::GT)? {
                // SAFETY: c is a Counter.
                unsafe { dict_mut(c.raw()) }.set(k.clone(), r)?;
            }
        }
        if sign > 0 {
            for (k, n) in entries(b) {
                // SAFETY: kinds checked.
                let in_a = unsafe { dict_mut(a) }.get(k.raw())?.is_some();
                if !in_a && ops::compare_bool(n.raw(), zero.raw(), crate::vm::bytecode::cmp::GT)? {
                    // SAFETY: c is a Counter.
                    unsafe { dict_mut(c.raw()) }.set(k, n)?;
                }
            }
        }
        Ok(c)
    })())
}

/// The methods of the kinds here (the dict methods are installed for
/// `defaultdict` and `Counter` too, by `methods::install`).
pub const METHODS: &[(u32, &str, BuiltinFn)] = &[
    (KIND_DEQUE, "append", dq_append),
    (KIND_DEQUE, "appendleft", dq_appendleft),
    (KIND_DEQUE, "pop", dq_pop),
    (KIND_DEQUE, "popleft", dq_popleft),
    (KIND_DEQUE, "extend", dq_extend),
    (KIND_DEQUE, "extendleft", dq_extendleft),
    (KIND_DEQUE, "rotate", dq_rotate),
    (KIND_DEQUE, "clear", dq_clear),
    (KIND_DEQUE, "copy", dq_copy),
    (KIND_DEQUE, "reverse", dq_reverse),
    (KIND_DEQUE, "count", dq_count),
    (KIND_DEQUE, "index", dq_index),
    (KIND_DEQUE, "remove", dq_remove),
    (KIND_DEQUE, "insert", dq_insert),
    (KIND_COUNTER, "update", c_update),
    (KIND_COUNTER, "subtract", c_subtract),
    (KIND_COUNTER, "most_common", c_most_common),
    (KIND_COUNTER, "total", c_total),
    (KIND_COUNTER, "elements", c_elements),
    (KIND_COUNTER, "copy", c_copy),
    (KIND_DEFAULTDICT, "copy", dd_copy),
];

/// The `collections` module.
pub(super) fn collections_module() -> Obj {
    module(
        "collections",
        vec![
            ("deque", crate::vm::builtins::type_object(TypeId::Deque)),
            (
                "defaultdict",
                crate::vm::builtins::type_object(TypeId::DefaultDict),
            ),
            ("Counter", crate::vm::builtins::type_object(TypeId::Counter)),
        ],
    )
}
