//! Helpers of the iteration uops: `iter(range(...))` made in one step
//! (`_CALL_RANGE_ITER`), without the range object, and the list iterator
//! `_GET_ITER_LIST` makes when the iterator free list is empty.

use crate::jit::SymbolTable;
use crate::vm::obj::{cast, decref, kind_of, new_iter_obj, Obj};
use crate::vm::tier2::fast_helpers::symbols;
use crate::vm::types::{IterState, TypeId, TypeObj, KIND_TYPE};

/// Whether `v` is the builtin type `range` (the callable `_CALL_RANGE_ITER`
/// replaces).
pub fn is_range_type(v: u64) -> bool {
    // SAFETY: kind checked before the cast.
    v & 1 == 0 && kind_of(v) == KIND_TYPE && unsafe { cast::<TypeObj>(v) }.id == TypeId::Range
}

/// `CALL n; GET_ITER` of `range` for `_CALL_RANGE_ITER`: with `n` (1 to 3)
/// small-int arguments and a non-zero step, the stack `[range_type, NULL,
/// args...]` at `base` becomes the iterator tier 1's `GET_ITER` makes of
/// `range(args...)` (same state, from the iterator free list; no range
/// object), which is returned; its slots are then the caller's to rewrite.
/// Anything else (another callable, a bound self, big ints, bools, a zero
/// step) returns 0 with nothing changed: the uop exits and tier 1 makes the
/// call, raising where it must.
///
/// # Safety
/// `base` points at the `n + 2` owned values of the call (the trace's stack).
pub unsafe extern "C" fn cpjit_range_iter(base: *mut u64, n: u64, range_type: u64) -> u64 {
    if !(1..=3).contains(&n) {
        return 0;
    }
    // SAFETY: the caller's contract: n + 2 readable words at base.
    let words = unsafe { std::slice::from_raw_parts(base, n as usize + 2) };
    let (callable, null, args) = (words[0], words[1], &words[2..]);
    if callable != range_type || null != 0 || args.iter().any(|&a| a & 1 == 0) {
        return 0;
    }
    let int = |v: u64| (v as i64) >> 1;
    let (next, stop, step) = match *args {
        [stop] => (0, int(stop), 1),
        [start, stop] => (int(start), int(stop), 1),
        [start, stop, step] => (int(start), int(stop), int(step)),
        _ => return 0,
    };
    if step == 0 {
        return 0;
    }
    // The small-int arguments own nothing; the callable's reference goes.
    decref(callable);
    new_iter_obj(IterState::Range { next, stop, step })
}

/// `_GET_ITER_LIST` with an empty iterator free list: a new list iterator
/// at index 0 that takes the caller's reference to `list` (exactly tier
/// 1's `GET_ITER` of a list).
///
/// # Safety
/// `list` is a list object whose reference the caller gives away.
pub unsafe extern "C" fn cpjit_new_list_iter(list: u64) -> u64 {
    new_iter_obj(IterState::List {
        seq: Obj::from_raw(list),
        idx: 0,
    })
}

/// Adds the helpers of this module to `table`.
pub fn register(table: SymbolTable) -> SymbolTable {
    symbols![cpjit_range_iter, cpjit_new_list_iter]
        .into_iter()
        .fold(table, |t, (name, addr)| t.with(name, addr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::iter::next_simple;
    use crate::vm::obj::{box_obj, hdr, Obj};
    use crate::vm::types::IterObj;

    fn range_type() -> Obj {
        Obj::from_raw(box_obj(TypeObj {
            ob: hdr(KIND_TYPE),
            id: TypeId::Range,
        }))
    }

    /// Runs the helper on `[callable, null, args...]`; the iterator's
    /// values, or None when it declined.
    fn run(callable: &Obj, null: u64, args: &[Obj]) -> Option<Vec<i64>> {
        let mut words = vec![callable.clone().into_raw(), null];
        words.extend(args.iter().map(|a| a.clone().into_raw()));
        let n = args.len() as u64;
        // SAFETY: n + 2 owned values.
        let it = unsafe { cpjit_range_iter(words.as_mut_ptr(), n, callable.raw()) };
        if it == 0 {
            for w in words {
                if w != 0 {
                    decref(w);
                }
            }
            return None;
        }
        let it = Obj::from_raw(it);
        assert_eq!(kind_of(it.raw()), crate::vm::types::KIND_ITER);
        let mut out = Vec::new();
        while let Some(Ok(Some(v))) = next_simple(it.raw()) {
            out.push((v.raw() as i64) >> 1);
        }
        // SAFETY: kind checked above.
        assert!(matches!(
            unsafe { cast::<IterObj>(it.raw()) }.state,
            IterState::Range { .. }
        ));
        Some(out)
    }

    #[test]
    fn makes_the_iterator_of_range() {
        let r = range_type();
        assert_eq!(run(&r, 0, &[Obj::int(3)]), Some(vec![0, 1, 2]));
        assert_eq!(run(&r, 0, &[Obj::int(2), Obj::int(5)]), Some(vec![2, 3, 4]));
        assert_eq!(
            run(&r, 0, &[Obj::int(5), Obj::int(-1), Obj::int(-2)]),
            Some(vec![5, 3, 1])
        );
        assert_eq!(run(&r, 0, &[Obj::int(5), Obj::int(1)]), Some(vec![]));
    }

    #[test]
    fn declines_what_tier_one_must_do() {
        let r = range_type();
        // A zero step raises in tier 1.
        assert_eq!(run(&r, 0, &[Obj::int(0), Obj::int(3), Obj::int(0)]), None);
        // Another callable, a bound self, a non-small-int argument.
        let other = range_type();
        let mut words = vec![other.clone().into_raw(), 0, Obj::int(3).into_raw()];
        // SAFETY: three owned values.
        assert_eq!(
            unsafe { cpjit_range_iter(words.as_mut_ptr(), 1, r.raw()) },
            0
        );
        decref(words[0]);
        assert_eq!(run(&r, Obj::int(1).raw(), &[Obj::int(3)]), None);
        assert_eq!(
            run(&r, 0, &[Obj::from_raw(crate::vm::obj::new_float(1.0))]),
            None
        );
        assert_eq!(run(&r, 0, &[]), None);
        assert!(is_range_type(r.raw()));
        assert!(!is_range_type(Obj::int(1).raw()));
    }
}
