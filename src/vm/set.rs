//! `set`: CPython 3.11's set table (`Objects/setobject.c`): open addressing
//! with runs of linear probes, then perturbed jumps; the same fill limits,
//! growth sizes, merge shortcuts and `pop` finger. With the same hashes
//! (int, float, tuple and frozenset hashes are CPython's, see `num::hash`)
//! a set of them iterates in exactly CPython's order. Str hashes differ
//! from CPython's (which are randomized per process anyway), so only
//! order-independent uses of str sets can match CPython's output.
//! `frozenset` is the same object with kind `KIND_FROZENSET`: never changed
//! once built, its operators and methods give frozensets.

use crate::abi::layout::ObjHeader;
use crate::vm::builtins::key_error;
use crate::vm::dict::{dict_mut, hash_value, key_eq};
use crate::vm::error::{err, type_error, ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::types::*;

const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
const MINSIZE: usize = 8;

/// One slot: empty (key 0, hash 0), dummy (key 0, hash -1; a deleted
/// entry, probes go on past it) or active (owned key and its hash).
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    hash: i64,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.key == 0 && self.hash == 0
    }
    fn is_dummy(&self) -> bool {
        self.key == 0 && self.hash == -1
    }
}

/// A set's hash table (owns its keys).
pub struct SetTable {
    slots: Vec<Slot>,
    /// Active plus dummy slots.
    fill: usize,
    /// Active slots.
    used: usize,
    /// Where `pop` starts looking.
    finger: usize,
}

impl Default for SetTable {
    fn default() -> SetTable {
        SetTable::new()
    }
}

impl Drop for SetTable {
    fn drop(&mut self) {
        for s in &self.slots {
            if s.key != 0 {
                decref(s.key);
            }
        }
    }
}

/// The slots CPython's set table probes for `hash`, in order (endless):
/// a run of up to `LINEAR_PROBES + 1` adjacent slots (a shorter one at
/// the end of the table), then a jump perturbed by the hash's high bits.
fn probes(mask: usize, hash: i64) -> impl Iterator<Item = usize> {
    let mut perturb = hash as u64;
    let mut i = (hash as u64 as usize) & mask;
    let mut j = 0;
    std::iter::from_fn(move || {
        let run = if i + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        if j > run {
            perturb >>= PERTURB_SHIFT;
            i = (i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize))
                & mask;
            j = 0;
        }
        j += 1;
        Some(i + j - 1)
    })
}

/// Inserts into a table known to hold neither `key` nor dummies
/// (`set_insert_clean`).
fn insert_clean(slots: &mut [Slot], key: u64, hash: i64) {
    if let Some(at) = probes(slots.len() - 1, hash).find(|&k| slots[k].key == 0) {
        slots[at] = Slot { key, hash };
    }
}

impl SetTable {
    /// An empty table of the minimum size.
    pub fn new() -> SetTable {
        SetTable {
            slots: vec![Slot::default(); MINSIZE],
            fill: 0,
            used: 0,
            finger: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// The keys in slot order (borrowed).
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots.iter().filter(|s| s.key != 0).map(|s| s.key)
    }

    fn entries(&self) -> Vec<(u64, i64)> {
        self.slots
            .iter()
            .filter(|s| s.key != 0)
            .map(|s| (s.key, s.hash))
            .collect()
    }

    /// The key at slot position `pos` or later, and the position after it.
    pub fn next_at(&self, pos: usize) -> Option<(u64, usize)> {
        (pos..self.slots.len())
            .find(|&i| self.slots[i].key != 0)
            .map(|i| (self.slots[i].key, i + 1))
    }

    /// The slot holding `key` (`set_lookkey`).
    fn find(&self, key: u64, hash: i64) -> Option<usize> {
        for j in probes(self.mask(), hash) {
            let s = self.slots[j];
            if s.is_empty() {
                return None;
            }
            if s.hash == hash && s.key != 0 && key_eq(s.key, key) {
                return Some(j);
            }
        }
        None
    }

    /// Whether the set holds `key` (with its hash).
    fn contains_hashed(&self, key: u64, hash: i64) -> bool {
        self.find(key, hash).is_some()
    }

    /// `key in set`.
    pub fn contains(&self, key: u64) -> PyResult<bool> {
        Ok(self.contains_hashed(key, hash_value(key)?))
    }

    /// Adds `key` (a new reference) with its hash (`set_add_entry`).
    fn add_hashed(&mut self, key: u64, hash: i64) {
        let mask = self.mask();
        let mut freeslot = None;
        let mut empty_at = 0;
        for j in probes(mask, hash) {
            let s = self.slots[j];
            if s.is_empty() {
                empty_at = j;
                break;
            }
            if s.hash == hash && s.key != 0 && key_eq(s.key, key) {
                return;
            }
            if s.is_dummy() {
                freeslot = Some(j);
            }
        }
        incref(key);
        self.used += 1;
        if let Some(f) = freeslot {
            self.slots[f] = Slot { key, hash };
            return;
        }
        self.fill += 1;
        self.slots[empty_at] = Slot { key, hash };
        if self.fill * 5 < mask * 3 {
            return;
        }
        let minused = if self.used > 50000 {
            self.used * 2
        } else {
            self.used * 4
        };
        self.resize(minused);
    }

    /// Adds `key` (borrowed); `TypeError` if it is unhashable.
    pub fn add(&mut self, key: u64) -> PyResult<()> {
        let h = hash_value(key)?;
        self.add_hashed(key, h);
        Ok(())
    }

    /// `set_table_resize`.
    fn resize(&mut self, minused: usize) {
        let mut newsize = MINSIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); newsize]);
        self.fill = self.used;
        for s in old.iter().filter(|s| s.key != 0) {
            insert_clean(&mut self.slots, s.key, s.hash);
        }
    }

    /// Removes `key` (hash known); the key object if it was there.
    fn discard_hashed(&mut self, key: u64, hash: i64) -> Option<Obj> {
        let j = self.find(key, hash)?;
        let k = self.slots[j].key;
        self.slots[j] = Slot { key: 0, hash: -1 };
        self.used -= 1;
        Some(Obj::from_raw(k))
    }

    /// Removes `key`; whether it was there.
    pub fn discard(&mut self, key: u64) -> PyResult<bool> {
        let h = hash_value(key)?;
        Ok(self.discard_hashed(key, h).is_some())
    }

    /// `set.pop()`.
    pub fn pop(&mut self) -> PyResult<Obj> {
        if self.used == 0 {
            return Err(key_error(new_str("pop from an empty set").raw()));
        }
        let mask = self.mask();
        let mut j = self.finger & mask;
        while self.slots[j].key == 0 {
            j += 1;
            if j > mask {
                j = 0;
            }
        }
        let k = self.slots[j].key;
        self.slots[j] = Slot { key: 0, hash: -1 };
        self.used -= 1;
        self.finger = j + 1;
        Ok(Obj::from_raw(k))
    }

    /// Empties the set (`set_clear_internal`).
    pub fn clear(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); MINSIZE]);
        self.fill = 0;
        self.used = 0;
        for s in old {
            if s.key != 0 {
                decref(s.key);
            }
        }
    }

    /// Adds every key of `other` (`set_merge`).
    fn merge(&mut self, other: &SetTable) {
        if std::ptr::eq(self, other) || other.used == 0 {
            return;
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            for (d, s) in self.slots.iter_mut().zip(&other.slots) {
                if s.key != 0 {
                    incref(s.key);
                }
                *d = *s;
            }
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for s in other.slots.iter().filter(|s| s.key != 0) {
                incref(s.key);
                insert_clean(&mut self.slots, s.key, s.hash);
            }
            return;
        }
        for (k, h) in other.entries() {
            self.add_hashed(k, h);
        }
    }
}

/// A `set` object.
#[repr(C)]
pub struct SetObj {
    /// Header, kind [`KIND_SET`].
    pub ob: ObjHeader,
    /// The table.
    pub t: SetTable,
}

/// A new empty set.
pub fn new_set() -> Obj {
    Obj::from_raw(box_obj(SetObj {
        ob: hdr(KIND_SET),
        t: SetTable::new(),
    }))
}

/// `BUILD_SET`: a set of `items` (owned references, consumed).
#[inline(never)]
pub fn build(items: &[u64]) -> PyResult<Obj> {
    let items: Vec<Obj> = items.iter().map(|&x| Obj::from_raw(x)).collect();
    let s = new_set();
    for it in &items {
        tab(s.raw()).add(it.raw())?;
    }
    Ok(s)
}

/// `SET_ADD`: adds `v` (an owned reference, consumed) to the set `s`.
#[inline(never)]
pub fn add_owned(s: u64, v: u64) -> PyResult<()> {
    let v = Obj::from_raw(v);
    tab(s).add(v.raw())
}

/// The table of a set object.
///
/// # Safety
/// `v` is a live set object, and no other reference to its table is in use.
pub unsafe fn set_mut<'a>(v: u64) -> &'a mut SetTable {
    // SAFETY: the caller's contract.
    unsafe { &mut cast_mut::<SetObj>(v).t }
}

/// Whether `v` is a set or a frozenset.
fn is_set(v: u64) -> bool {
    let k = kind_of(v);
    k == KIND_SET || k == KIND_FROZENSET
}

/// `frozenset()` / `frozenset(iterable)` (a frozenset itself is returned
/// as is, as CPython does).
pub fn frozenset(vm: &mut Vm, arg: Option<u64>) -> PyResult<Obj> {
    let r = match arg {
        Some(v) if kind_of(v) == KIND_FROZENSET => return Ok(Obj::new_ref(v)),
        Some(v) => from_iterable(Some(vm), v)?,
        None => new_set(),
    };
    Ok(frozen(r))
}

/// `r`, a new set no one else holds yet, made a frozenset.
fn frozen(r: Obj) -> Obj {
    // SAFETY: r is a live set object that only the caller refers to.
    unsafe { cast_mut::<SetObj>(r.raw()) }.ob.kind = KIND_FROZENSET;
    r
}

/// `hash(fs)` for a frozenset (CPython's `frozenset_hash`).
pub fn frozenset_hash(v: u64) -> PyResult<i64> {
    let hashes: Vec<i64> = tab(v).entries().into_iter().map(|(_, h)| h).collect();
    Ok(crate::vm::num::hash_frozenset(hashes.into_iter()))
}

/// The table of `v`, which the caller checked is a set.
fn tab<'a>(v: u64) -> &'a mut SetTable {
    // SAFETY: callers check the kind; the VM is single-threaded and no
    // set operation calls Python code while it holds a table.
    unsafe { set_mut(v) }
}

/// The items of any iterable (through the VM when there is one, so
/// iterators that call Python code work).
fn items(vm: Option<&mut Vm>, v: u64) -> PyResult<Vec<Obj>> {
    match vm {
        Some(vm) => crate::vm::iter::collect_vm(vm, v),
        None => crate::vm::iter::collect(v),
    }
}

/// `set_update_internal`: adds every item of `other` to the set `s`.
#[inline(never)]
pub fn update(vm: Option<&mut Vm>, s: u64, other: u64) -> PyResult<()> {
    if is_set(other) {
        if s != other {
            let o = Obj::new_ref(other);
            tab(s).merge(tab(o.raw()));
        }
        return Ok(());
    }
    if kind_of(other) == crate::abi::layout::kind::DICT {
        // SAFETY: kind checked.
        let keys: Vec<Obj> = unsafe { dict_mut(other) }
            .live()
            .map(|e| Obj::new_ref(e.key))
            .collect();
        let t = tab(s);
        if (t.fill + keys.len()) * 5 >= t.mask() * 3 {
            t.resize((t.used + keys.len()) * 2);
        }
        for k in keys {
            tab(s).add(k.raw())?;
        }
        return Ok(());
    }
    for x in items(vm, other)? {
        tab(s).add(x.raw())?;
    }
    Ok(())
}

/// `set(iterable)` (a new set with `other`'s items).
pub fn from_iterable(vm: Option<&mut Vm>, other: u64) -> PyResult<Obj> {
    let s = new_set();
    update(vm, s.raw(), other)?;
    Ok(s)
}

/// A set of the items of `v` (`v` itself when it is a set).
fn as_set(vm: Option<&mut Vm>, v: u64) -> PyResult<Obj> {
    if is_set(v) {
        Ok(Obj::new_ref(v))
    } else {
        from_iterable(vm, v)
    }
}

/// `set_intersection`.
fn intersection(mut vm: Option<&mut Vm>, a: u64, b: u64) -> PyResult<Obj> {
    if a == b {
        return from_iterable(vm.as_deref_mut(), a);
    }
    let result = new_set();
    if is_set(b) {
        let (small, big) = if tab(b).len() > tab(a).len() {
            (a, b)
        } else {
            (b, a)
        };
        for (k, h) in tab(small).entries() {
            if tab(big).contains_hashed(k, h) {
                tab(result.raw()).add_hashed(k, h);
            }
        }
        return Ok(result);
    }
    for x in items(vm, b)? {
        let h = hash_value(x.raw())?;
        if tab(a).contains_hashed(x.raw(), h) {
            tab(result.raw()).add_hashed(x.raw(), h);
        }
    }
    Ok(result)
}

/// `set_difference_update_internal`: removes `other`'s items from `s`.
fn difference_update(vm: Option<&mut Vm>, s: u64, other: u64) -> PyResult<()> {
    if s == other {
        tab(s).clear();
        return Ok(());
    }
    let items: Vec<(Obj, i64)> = if is_set(other) {
        tab(other)
            .entries()
            .into_iter()
            .map(|(k, h)| (Obj::new_ref(k), h))
            .collect()
    } else {
        let mut v = Vec::new();
        for x in items(vm, other)? {
            let h = hash_value(x.raw())?;
            v.push((x, h));
        }
        v
    };
    for (k, h) in items {
        tab(s).discard_hashed(k.raw(), h);
    }
    Ok(())
}

/// `set_difference`.
fn difference(mut vm: Option<&mut Vm>, a: u64, b: u64) -> PyResult<Obj> {
    let other_size = if is_set(b) {
        tab(b).len()
    } else if kind_of(b) == crate::abi::layout::kind::DICT {
        // SAFETY: kind checked.
        unsafe { dict_mut(b) }.len()
    } else {
        usize::MAX
    };
    if other_size == usize::MAX || (tab(a).len() >> 2) > other_size {
        let r = from_iterable(vm.as_deref_mut(), a)?;
        difference_update(vm, r.raw(), b)?;
        return Ok(r);
    }
    let result = new_set();
    for (k, h) in tab(a).entries() {
        let inb = if is_set(b) {
            tab(b).contains_hashed(k, h)
        } else {
            // SAFETY: b is a dict here.
            unsafe { dict_mut(b) }.get(k)?.is_some()
        };
        if !inb {
            tab(result.raw()).add_hashed(k, h);
        }
    }
    Ok(result)
}

/// `set_symmetric_difference_update`.
fn symmetric_difference_update(vm: Option<&mut Vm>, s: u64, other: u64) -> PyResult<()> {
    if s == other {
        tab(s).clear();
        return Ok(());
    }
    let o = as_set(vm, other)?;
    for (k, h) in tab(o.raw()).entries() {
        let key = Obj::new_ref(k);
        if tab(s).discard_hashed(key.raw(), h).is_none() {
            tab(s).add_hashed(key.raw(), h);
        }
    }
    Ok(())
}

/// `set_symmetric_difference`.
fn symmetric_difference(mut vm: Option<&mut Vm>, a: u64, b: u64) -> PyResult<Obj> {
    let r = from_iterable(vm.as_deref_mut(), b)?;
    symmetric_difference_update(vm, r.raw(), a)?;
    Ok(r)
}

/// Whether every item of set `a` is in set `b`.
fn is_subset(a: u64, b: u64) -> bool {
    if tab(a).len() > tab(b).len() {
        return false;
    }
    tab(a)
        .entries()
        .into_iter()
        .all(|(k, h)| tab(b).contains_hashed(k, h))
}

/// `a == b` for two sets.
pub fn set_eq(a: u64, b: u64) -> bool {
    tab(a).len() == tab(b).len() && is_subset(a, b)
}

/// `a <o> b` for two sets (`o` from `bytecode::cmp`).
pub fn set_compare(a: u64, b: u64, o: u32) -> bool {
    use crate::vm::bytecode::cmp;
    let (la, lb) = (tab(a).len(), tab(b).len());
    match o {
        cmp::EQ => set_eq(a, b),
        cmp::NE => !set_eq(a, b),
        cmp::LE => is_subset(a, b),
        cmp::GE => is_subset(b, a),
        cmp::LT => la < lb && is_subset(a, b),
        _ => la > lb && is_subset(b, a),
    }
}

/// `a <op> b` for the set operators `|`, `&`, `-`, `^` (and their in-place
/// forms, which change `a`); `None` when `a` and `b` are not both sets or
/// the operator is not one of these.
pub fn binary_op(a: u64, b: u64, o: u32) -> Option<PyResult<Obj>> {
    use crate::vm::bytecode::binop;
    if !is_set(a) || !is_set(b) {
        return None;
    }
    // A frozenset has no in-place operators: `fs |= x` is `fs = fs | x`.
    let frozen_a = kind_of(a) == KIND_FROZENSET;
    let inplace = o & binop::INPLACE != 0 && !frozen_a;
    let r = match (o & 15, inplace) {
        (binop::OR, false) => (|| {
            let r = from_iterable(None, a)?;
            update(None, r.raw(), b)?;
            Ok(r)
        })(),
        (binop::OR, true) => update(None, a, b).map(|_| Obj::new_ref(a)),
        (binop::AND, false) => intersection(None, a, b),
        (binop::AND, true) => intersection(None, a, b).map(|r| {
            std::mem::swap(tab(a), tab(r.raw()));
            Obj::new_ref(a)
        }),
        (binop::SUB, false) => difference(None, a, b),
        (binop::SUB, true) => difference_update(None, a, b).map(|_| Obj::new_ref(a)),
        (binop::XOR, false) => symmetric_difference(None, a, b),
        (binop::XOR, true) => symmetric_difference_update(None, a, b).map(|_| Obj::new_ref(a)),
        _ => return None,
    };
    Some(if frozen_a { r.map(frozen) } else { r })
}

/// `repr(set)`: `{1, 2}`, or `set()` when empty; `frozenset({1, 2})`,
/// `frozenset()`.
pub fn repr(v: u64, item: &mut dyn FnMut(&mut String, u64) -> PyResult<()>) -> PyResult<String> {
    let keys: Vec<Obj> = tab(v).keys().map(Obj::new_ref).collect();
    let frozen = kind_of(v) == KIND_FROZENSET;
    if keys.is_empty() {
        return Ok(if frozen { "frozenset()" } else { "set()" }.to_string());
    }
    if frozen {
        let inner = repr_items(&keys, item)?;
        return Ok(format!("frozenset({inner})"));
    }
    repr_items(&keys, item)
}

/// `{k1, k2, ...}` for `keys`.
fn repr_items(
    keys: &[Obj],
    item: &mut dyn FnMut(&mut String, u64) -> PyResult<()>,
) -> PyResult<String> {
    let mut out = String::from("{");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(&mut out, k.raw())?;
    }
    out.push('}');
    Ok(out)
}

/// The next item of a set iterator over `set` at slot `pos` that started
/// when the set had `used` items (`usize::MAX` once a change of size was
/// reported).
pub fn iter_next(set: u64, pos: &mut usize, used: &mut usize) -> PyResult<Option<Obj>> {
    if *used == usize::MAX {
        return Ok(None);
    }
    let t = tab(set);
    if t.len() != *used {
        *used = usize::MAX;
        return Err(err(
            ExcKind::RuntimeError,
            "Set changed size during iteration",
        ));
    }
    match t.next_at(*pos) {
        Some((k, next)) => {
            *pos = next;
            Ok(Some(Obj::new_ref(k)))
        }
        None => {
            *pos = usize::MAX;
            Ok(None)
        }
    }
}

// ---- methods ----

fn argc(args: &[u64], name: &str, n: usize) -> PyResult<()> {
    let given = args.len() - 1;
    if given != n {
        return Err(type_error(if n == 0 {
            format!("set.{name}() takes no arguments ({given} given)")
        } else {
            format!("set.{name}() takes exactly one argument ({given} given)")
        }));
    }
    Ok(())
}

fn m_add(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "add", 1)?;
    tab(args[0]).add(args[1])?;
    Ok(Obj::none())
}

fn m_discard(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "discard", 1)?;
    tab(args[0]).discard(args[1])?;
    Ok(Obj::none())
}

fn m_remove(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "remove", 1)?;
    if !tab(args[0]).discard(args[1])? {
        return Err(key_error(args[1]));
    }
    Ok(Obj::none())
}

fn m_pop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "pop", 0)?;
    tab(args[0]).pop()
}

fn m_clear(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "clear", 0)?;
    tab(args[0]).clear();
    Ok(Obj::none())
}

fn m_copy(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "copy", 0)?;
    from_iterable(Some(&mut *vm), args[0])
}

fn m_update(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    for &o in &args[1..] {
        update(Some(&mut *vm), args[0], o)?;
    }
    Ok(Obj::none())
}

fn m_union(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let r = from_iterable(Some(&mut *vm), args[0])?;
    for &o in &args[1..] {
        if o != args[0] {
            update(Some(&mut *vm), r.raw(), o)?;
        }
    }
    Ok(r)
}

fn m_intersection(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut r = Obj::new_ref(args[0]);
    if args.len() == 1 {
        return from_iterable(Some(&mut *vm), args[0]);
    }
    for &o in &args[1..] {
        r = intersection(Some(&mut *vm), r.raw(), o)?;
    }
    Ok(r)
}

fn m_intersection_update(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let r = m_intersection(vm, args, kw)?;
    std::mem::swap(tab(args[0]), tab(r.raw()));
    Ok(Obj::none())
}

fn m_difference(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    match args.len() {
        1 => from_iterable(Some(&mut *vm), args[0]),
        2 => difference(Some(&mut *vm), args[0], args[1]),
        _ => {
            let r = from_iterable(Some(&mut *vm), args[0])?;
            for &o in &args[1..] {
                difference_update(Some(&mut *vm), r.raw(), o)?;
            }
            Ok(r)
        }
    }
}

fn m_difference_update(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    for &o in &args[1..] {
        difference_update(Some(&mut *vm), args[0], o)?;
    }
    Ok(Obj::none())
}

fn m_symmetric_difference(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "symmetric_difference", 1)?;
    let o = as_set(Some(&mut *vm), args[1])?;
    symmetric_difference(Some(&mut *vm), args[0], o.raw())
}

fn m_symmetric_difference_update(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "symmetric_difference_update", 1)?;
    symmetric_difference_update(Some(&mut *vm), args[0], args[1])?;
    Ok(Obj::none())
}

fn m_issubset(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "issubset", 1)?;
    let o = as_set(Some(&mut *vm), args[1])?;
    Ok(Obj::bool(is_subset(args[0], o.raw())))
}

fn m_issuperset(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "issuperset", 1)?;
    let o = as_set(Some(&mut *vm), args[1])?;
    Ok(Obj::bool(is_subset(o.raw(), args[0])))
}

fn m_isdisjoint(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "isdisjoint", 1)?;
    let i = intersection(Some(&mut *vm), args[0], args[1])?;
    Ok(Obj::bool(tab(i.raw()).is_empty()))
}

/// The methods of `set`, for `methods::install`.
pub const METHODS: &[(&str, BuiltinFn)] = &[
    ("add", m_add),
    ("discard", m_discard),
    ("remove", m_remove),
    ("pop", m_pop),
    ("clear", m_clear),
    ("copy", m_copy),
    ("update", m_update),
    ("union", m_union),
    ("intersection", m_intersection),
    ("intersection_update", m_intersection_update),
    ("difference", m_difference),
    ("difference_update", m_difference_update),
    ("symmetric_difference", m_symmetric_difference),
    ("symmetric_difference_update", m_symmetric_difference_update),
    ("issubset", m_issubset),
    ("issuperset", m_issuperset),
    ("isdisjoint", m_isdisjoint),
];

fn fm_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argc(args, "copy", 0)?;
    Ok(Obj::new_ref(args[0]))
}

/// A frozenset method: the set method `f`, its new set made a frozenset.
macro_rules! frozen_method {
    ($name:ident, $f:ident) => {
        fn $name(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
            $f(vm, args, kw).map(frozen)
        }
    };
}
frozen_method!(fm_union, m_union);
frozen_method!(fm_intersection, m_intersection);
frozen_method!(fm_difference, m_difference);
frozen_method!(fm_symmetric_difference, m_symmetric_difference);

/// The methods of `frozenset` (the non-mutating ones of `set`), for
/// `methods::install`.
pub const FROZENSET_METHODS: &[(&str, BuiltinFn)] = &[
    ("copy", fm_copy),
    ("union", fm_union),
    ("intersection", fm_intersection),
    ("difference", fm_difference),
    ("symmetric_difference", fm_symmetric_difference),
    ("issubset", m_issubset),
    ("issuperset", m_issuperset),
    ("isdisjoint", m_isdisjoint),
];
