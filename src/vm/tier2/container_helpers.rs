//! Narrow C-ABI helpers of the dict, list and tuple uops
//! (`_BINARY_SUBSCR_DICT`, `_STORE_SUBSCR_DICT`, `_CALL_LIST_APPEND`,
//! `_CALL_LIST_POP`, `_UNPACK_SEQUENCE`'s freeing of a unique tuple),
//! and what the projection asks about list methods.
//!
//! Each takes its operands as values (no frame, no stack pointer, no
//! tier-1 dispatch), computes exactly what tier 1 computes for its fast
//! case, and answers 0 for every other case, having changed nothing: the
//! uop then exits to tier 1, which redoes the instruction and raises
//! where it must (`KeyError`, `IndexError`, `TypeError` for an unhashable
//! key), so the messages are tier 1's.

use crate::abi::layout::kind;
use crate::jit::SymbolTable;
use crate::vm::dict::{dict_mut, hash_value};
use crate::vm::obj::{decref, incref, kind_of, list_items, list_push, none_raw, Obj};
use crate::vm::types::BuiltinObj;

/// A builtin method the trace calls natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeMethod {
    /// `list.append`.
    Append,
    /// `list.pop`.
    Pop,
    /// `dict.get`.
    DictGet,
}

impl NativeMethod {
    /// The kind of receiver the method is for.
    pub fn receiver_kind(self) -> u32 {
        match self {
            NativeMethod::Append | NativeMethod::Pop => kind::LIST,
            NativeMethod::DictGet => kind::DICT,
        }
    }
}

/// Which native method the builtin `m` (a `LOAD_METHOD` cache's method)
/// is, if any.
pub fn native_method(m: u64) -> Option<NativeMethod> {
    if m == 0 || m & 1 == 1 || kind_of(m) != kind::BUILTIN {
        return None;
    }
    // SAFETY: kind checked: a live builtin object (the cache's method is
    // owned by the VM's method table).
    let b = unsafe { &*(m as *const BuiltinObj) };
    match (b.self_kind, b.name) {
        (kind::LIST, "append") => Some(NativeMethod::Append),
        (kind::LIST, "pop") => Some(NativeMethod::Pop),
        (kind::DICT, "get") => Some(NativeMethod::DictGet),
        _ => None,
    }
}

/// `c[k]` for `_BINARY_SUBSCR_DICT`: the value of key `k` in the dict `c`
/// (a new reference; both operands released), or 0 with nothing released
/// if `c` is not a dict, `k` is unhashable or missing.
pub extern "C" fn cpjit_dict_subscr(c: u64, k: u64) -> u64 {
    if c & 1 == 1 || kind_of(c) != kind::DICT {
        return 0;
    }
    // SAFETY: kind checked; the table is not borrowed elsewhere while a
    // trace runs (no Python code runs here).
    match unsafe { dict_mut(c) }.get(k) {
        Ok(Some(v)) => {
            incref(v);
            decref(k);
            decref(c);
            v
        }
        _ => 0,
    }
}

/// `c[k]` for `_BINARY_SUBSCR_DICT_CELL_LOCAL`: the value of key `k` in
/// the dict `c` (a new reference), or 0 if `c` is not a dict, `k` is
/// unhashable or missing. Borrows both operands (releases nothing).
pub extern "C" fn cpjit_dict_lookup(c: u64, k: u64) -> u64 {
    if c & 1 == 1 || kind_of(c) != kind::DICT {
        return 0;
    }
    // SAFETY: kind checked; the table is not borrowed elsewhere while a
    // trace runs (no Python code runs here).
    match unsafe { dict_mut(c) }.get(k) {
        Ok(Some(v)) => {
            incref(v);
            v
        }
        _ => 0,
    }
}

/// `c[k] += delta` for the uop interpreter's
/// `_INPLACE_ADD_DICT_ITEM_CELL_CONST`: when `c` is an unwatched dict
/// holding `k` with a small int value whose sum with `delta` is a small
/// int, stores the sum there and answers true; else changes nothing.
pub fn dict_item_add_in_place(c: u64, k: u64, delta: i64) -> bool {
    use crate::abi::value::{decode_small_int, encode_small_int};
    if c & 1 == 1 || kind_of(c) != kind::DICT {
        return false;
    }
    // SAFETY: kind checked; no Python code runs while the table is used.
    let d = unsafe { dict_mut(c) };
    let Ok(Some(i)) = d.lookup_pos(k) else {
        return false;
    };
    let Some(slot) = d.unwatched_value_slot(i) else {
        return false;
    };
    if *slot & 1 == 0 {
        return false;
    }
    let sum = decode_small_int(*slot)
        .checked_add(delta)
        .and_then(encode_small_int);
    match sum {
        Some(v) => {
            *slot = v;
            true
        }
        None => false,
    }
}

/// `c[k] = v` for `_STORE_SUBSCR_DICT`: binds `k` in the dict `c` (taking
/// `v`'s reference, releasing `c` and `k`) exactly as tier 1's
/// `STORE_SUBSCR` (same table operation, so the same insertion order,
/// keys-version bump and watcher notification) and returns 1; 0 with
/// nothing changed if `c` is not a dict or `k` is unhashable.
pub extern "C" fn cpjit_dict_store(v: u64, c: u64, k: u64) -> u64 {
    if c & 1 == 1 || kind_of(c) != kind::DICT {
        return 0;
    }
    // Small ints and strs always hash; anything else is tried first, so
    // a failing `set` (which would release what it was given) never runs.
    if k & 1 == 0 && kind_of(k) != kind::STR && hash_value(k).is_err() {
        return 0;
    }
    // SAFETY: as in cpjit_dict_subscr.
    let r = unsafe { dict_mut(c) }.set(Obj::new_ref(k), Obj::from_raw(v));
    decref(c);
    decref(k);
    u64::from(r.is_ok())
}

/// `d.get(k)` / `d.get(k, default)` for `_CALL_DICT_GET`, stack
/// `[method, dict, k, default?]` at `base` (`n` arguments): the value of
/// `k` or the default (`None` without one), a new reference, with the
/// `n + 2` values released, exactly as tier 1's `dict.get`; 0 with nothing
/// released if the receiver is not a dict or `k` is unhashable.
///
/// # Safety
/// `base` points at `n + 2` owned values (the trace's stack), `n` 1 or 2.
pub unsafe extern "C" fn cpjit_dict_get(base: *mut u64, n: u64) -> u64 {
    // SAFETY: the caller's contract.
    let vals = unsafe { std::slice::from_raw_parts(base, n as usize + 2) };
    let (d, k) = (vals[1], vals[2]);
    if !(1..=2).contains(&n) || d & 1 == 1 || kind_of(d) != kind::DICT {
        return 0;
    }
    // SAFETY: kind checked; no other borrow of the table while this runs.
    let r = match unsafe { dict_mut(d) }.get(k) {
        Ok(Some(v)) => v,
        Ok(None) if n == 2 => vals[3],
        Ok(None) => none_raw(),
        Err(_) => return 0,
    };
    incref(r);
    for &v in vals {
        decref(v);
    }
    r
}

/// `list.append(x)` when the list has no room left: grows it and stores
/// `x` (taking its reference). Returns `None` (immortal).
pub extern "C" fn cpjit_list_append(list: u64, x: u64) -> u64 {
    if list & 1 == 0 && kind_of(list) == kind::LIST {
        list_push(list, x);
    }
    none_raw()
}

/// `list.pop(i)` (`i` a tagged small int, or 0 for `pop()`): the removed
/// item (owned), later items shifted down in place as tier 1 does; 0 with
/// nothing changed for an empty list, an index out of range or not a small
/// int.
pub extern "C" fn cpjit_list_pop(list: u64, i: u64) -> u64 {
    if list & 1 == 1 || kind_of(list) != kind::LIST {
        return 0;
    }
    let n = list_items(list).len();
    let i = match i {
        0 => -1,
        i if i & 1 == 1 => crate::abi::value::decode_small_int(i),
        _ => return 0,
    };
    match crate::vm::ops::norm_index(i, n) {
        Some(j) => crate::vm::methods::list_remove(list, j),
        None => 0,
    }
}

/// `BUILD_LIST n` for `_BUILD_LIST`: a new list of the `n` values at
/// `items` (taking their references), exactly tier 1's.
///
/// # Safety
/// `items` points at `n` owned values (the trace's stack).
pub unsafe extern "C" fn cpjit_build_list(items: *const u64, n: u64) -> u64 {
    // SAFETY: the caller's contract.
    let items = unsafe { std::slice::from_raw_parts(items, n as usize) };
    crate::vm::obj::new_list(items.iter().map(|&v| Obj::from_raw(v)).collect()).into_raw()
}

/// `len(x)` for `_CALL_LEN` when `x` is not a list or tuple (which the
/// template measures inline): the tagged length of a str, dict, range or
/// dict view, exactly as the builtin computes it; 0 for anything else
/// (tier 1 then makes the call and raises), with nothing released.
pub extern "C" fn cpjit_len(x: u64) -> u64 {
    if !crate::abi::value::is_object(x) {
        return 0;
    }
    match crate::vm::builtins::len_of(x) {
        Ok(n) => i64::try_from(n)
            .ok()
            .and_then(crate::abi::value::encode_small_int)
            .unwrap_or(0),
        Err(_) => 0,
    }
}

/// Whether `f` (a callable the projection baked) is the builtin `len`.
pub fn is_len_builtin(f: u64) -> bool {
    if !crate::abi::value::is_object(f) || kind_of(f) != kind::BUILTIN {
        return false;
    }
    // SAFETY: kind checked: a live builtin object (the trace keeps it).
    let b = unsafe { &*(f as *const BuiltinObj) };
    b.self_kind == 0 && b.name == "len"
}

/// Frees a tuple that `_UNPACK_SEQUENCE` emptied: the trace held its only
/// reference and moved its items onto the stack (their references with
/// them), so only the block goes, without releasing the items.
///
/// # Safety
/// `t` is a tuple with refcount 1, held by the caller, whose items' references
/// the caller took over.
pub unsafe extern "C" fn cpjit_tuple_free_shell(t: u64) {
    // SAFETY: the caller's contract.
    unsafe { crate::vm::obj::free_tuple_shell(t) }
}

/// Adds the helpers of this module (and `cpjit_none`, which
/// `_CALL_LIST_APPEND` pushes) to `table`.
pub fn register(table: SymbolTable) -> SymbolTable {
    use crate::vm::tier2::fast_helpers::symbols;
    symbols![
        cpjit_dict_subscr,
        cpjit_dict_lookup,
        cpjit_dict_store,
        cpjit_list_append,
        cpjit_list_pop,
        cpjit_dict_get,
        cpjit_tuple_free_shell,
        cpjit_build_list,
        cpjit_len,
    ]
    .into_iter()
    .fold(table, |t, (name, addr)| t.with(name, addr))
    .with("cpjit_none", none_raw())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::obj::{new_list, new_str};

    fn dict_with(pairs: &[(Obj, Obj)]) -> Obj {
        let d = crate::vm::dict::new_dict();
        for (k, v) in pairs {
            // SAFETY: d is a fresh dict.
            let r = unsafe { dict_mut(d.raw()) }.set(k.clone(), v.clone());
            assert!(r.is_ok());
        }
        d
    }

    #[test]
    fn dict_subscr_finds_int_and_str_keys_and_declines_the_rest() {
        let d = dict_with(&[(Obj::int(3), Obj::int(30)), (new_str("sent"), Obj::int(7))]);
        // The helper releases container and key: give it references.
        incref(d.raw());
        assert_eq!(
            cpjit_dict_subscr(d.raw(), Obj::int(3).into_raw()),
            Obj::int(30).raw()
        );
        let key = new_str("sent");
        incref(d.raw());
        let got = cpjit_dict_subscr(d.raw(), key.into_raw());
        assert_eq!(got, Obj::int(7).raw());
        // Missing key, unhashable key, not a dict: 0, nothing released.
        let missing = Obj::int(4);
        assert_eq!(cpjit_dict_subscr(d.raw(), missing.raw()), 0);
        let l = new_list(vec![]);
        assert_eq!(cpjit_dict_subscr(d.raw(), l.raw()), 0);
        assert_eq!(cpjit_dict_subscr(l.raw(), Obj::int(3).raw()), 0);
    }

    #[test]
    fn dict_store_binds_and_declines_unhashable_keys() {
        let d = dict_with(&[]);
        incref(d.raw());
        assert_eq!(
            cpjit_dict_store(Obj::int(5).raw(), d.raw(), Obj::int(1).raw()),
            1
        );
        // SAFETY: d is a live dict.
        assert_eq!(
            unsafe { dict_mut(d.raw()) }
                .get(Obj::int(1).raw())
                .ok()
                .flatten(),
            Some(Obj::int(5).raw())
        );
        let l = new_list(vec![]);
        assert_eq!(cpjit_dict_store(Obj::int(6).raw(), d.raw(), l.raw()), 0);
        // SAFETY: as above.
        assert_eq!(unsafe { dict_mut(d.raw()) }.len(), 1);
    }

    #[test]
    fn dict_lookup_borrows_its_operands_and_declines_the_rest() {
        let val = new_str("v");
        let d = dict_with(&[(Obj::int(3), Obj::int(30)), (new_str("sent"), val.clone())]);
        let key = new_str("sent");
        let count = |v: u64| {
            // SAFETY: v is a live object held by this test.
            unsafe { (*(v as *const crate::abi::layout::ObjHeader)).refcnt }
        };
        let (d0, k0, v0) = (count(d.raw()), count(key.raw()), count(val.raw()));
        let v = cpjit_dict_lookup(d.raw(), key.raw());
        assert_eq!(v, val.raw());
        // A new reference to the stored value; the operands stay held here.
        assert_eq!(count(v), v0 + 1);
        drop(Obj::from_raw(v));
        assert_eq!((count(d.raw()), count(key.raw())), (d0, k0));
        assert_eq!(
            cpjit_dict_lookup(d.raw(), Obj::int(3).raw()),
            Obj::int(30).raw()
        );
        assert_eq!(cpjit_dict_lookup(d.raw(), Obj::int(4).raw()), 0);
        let l = new_list(vec![]);
        assert_eq!(cpjit_dict_lookup(d.raw(), l.raw()), 0);
        assert_eq!(cpjit_dict_lookup(l.raw(), Obj::int(3).raw()), 0);
        assert_eq!(cpjit_dict_lookup(Obj::int(1).raw(), Obj::int(3).raw()), 0);
    }

    /// `_BINARY_SUBSCR_DICT` reads a str key's cached hash through
    /// `abi::layout::StrHead`.
    #[test]
    fn the_runtime_str_starts_with_the_shared_head() {
        use crate::abi::layout::StrHead;
        use crate::vm::types::StrObj;
        use std::mem::offset_of;
        assert_eq!(offset_of!(StrObj, ob), offset_of!(StrHead, ob));
        assert_eq!(offset_of!(StrObj, hash), offset_of!(StrHead, hash));
        let k = new_str("sent");
        assert!(hash_value(k.raw()).is_ok());
        // SAFETY: k is a live str; the head is its prefix (checked above).
        let h = unsafe { (*(k.raw() as *const StrHead)).hash };
        assert_eq!(Some(h), hash_value(k.raw()).ok());
    }

    #[test]
    fn list_pop_takes_ends_and_declines_out_of_range() {
        let l = new_list(vec![Obj::int(1), Obj::int(2), Obj::int(3)]);
        assert_eq!(
            cpjit_list_pop(l.raw(), Obj::int(0).raw()),
            Obj::int(1).raw()
        );
        assert_eq!(cpjit_list_pop(l.raw(), 0), Obj::int(3).raw());
        assert_eq!(cpjit_list_pop(l.raw(), Obj::int(5).raw()), 0);
        assert_eq!(
            cpjit_list_pop(l.raw(), Obj::int(-1).raw()),
            Obj::int(2).raw()
        );
        assert_eq!(cpjit_list_pop(l.raw(), 0), 0);
        assert_eq!(cpjit_list_append(l.raw(), Obj::int(9).raw()), none_raw());
        assert_eq!(list_items(l.raw()), &[Obj::int(9).raw()]);
    }
}
