//! `_CALL_HELPER` helpers for dict-heavy code: subscripts of dicts (get
//! and set) without tier 1's dispatch or the generic subscript's kind
//! switch.
//!
//! Each checks the container's kind itself (a list, tuple, str or anything
//! else takes [`cpjit_simple_step`]'s path, which is tier 1's) and computes
//! exactly what tier 1 computes for a dict: the same table operations
//! ([`crate::vm::dict::Dict::get`] and [`crate::vm::dict::Dict::set`]),
//! hence the same key equality (`1`, `1.0` and `True` are one key), the same
//! `TypeError` for unhashable keys, the same `KeyError`, the same insertion
//! order and the same keys-version bumps that dict iterators check.

use crate::abi::layout::{kind, Frame, ThreadState};
use crate::vm::builtins::key_error;
use crate::vm::dict::dict_mut;
use crate::vm::obj::{decref, incref, kind_of, Obj};
use crate::vm::tier2::helpers::{cpjit_simple_step, raise};

/// `BINARY_SUBSCR` (stack `[container, key]`): for a dict, pushes the
/// key's value (new reference) or raises `KeyError` (or the key's hash
/// error); other containers through [`cpjit_simple_step`].
///
/// Runs no Python code and changes no table, so the trace needs no
/// validity check after it.
///
/// # Safety
/// As [`crate::vm::tier2::helpers::cpjit_step`]; the top two values are the
/// subscript's operands.
pub unsafe extern "C" fn cpjit_binary_subscr(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: two live values on the stack; the
    // dict's table is not borrowed elsewhere while a trace runs.
    unsafe {
        let (k, c) = (*sp.sub(1), *sp.sub(2));
        if kind_of(c) != kind::DICT {
            return cpjit_simple_step(frame, sp, tstate, expected, instr);
        }
        match dict_mut(c).get(k) {
            Ok(Some(v)) => {
                incref(v);
                decref(k);
                decref(c);
                *sp.sub(2) = v;
                sp.sub(1)
            }
            Ok(None) => raise(frame, instr, sp, key_error(k)),
            Err(e) => raise(frame, instr, sp, e),
        }
    }
}

/// `STORE_SUBSCR` (stack `[value, container, key]`): for a dict, binds
/// the key (inserting it at the end if new) or raises the key's hash
/// error; other containers through [`cpjit_simple_step`].
///
/// A store into a watched dict (module globals) can invalidate traces, the
/// running one included: the trace checks its validity after this helper.
///
/// # Safety
/// As [`cpjit_binary_subscr`], with three values on the stack.
pub unsafe extern "C" fn cpjit_store_subscr(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: as in cpjit_binary_subscr.
    unsafe {
        let (k, c, v) = (*sp.sub(1), *sp.sub(2), *sp.sub(3));
        if kind_of(c) != kind::DICT {
            return cpjit_simple_step(frame, sp, tstate, expected, instr);
        }
        let base = sp.sub(3);
        let r = dict_mut(c).set(Obj::new_ref(k), Obj::from_raw(v));
        decref(c);
        decref(k);
        match r {
            Ok(()) => base,
            Err(e) => raise(frame, instr, base, e),
        }
    }
}
