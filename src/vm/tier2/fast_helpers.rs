//! Small C-ABI helpers that specialized uops call directly (no frame save,
//! no tier-1 dispatch), and their symbols for the JIT.
//!
//! Each computes exactly what tier 1 computes for its fast case and reports
//! every other case to the uop, which then exits to tier 1 (which redoes the
//! instruction, raising where it must).

use crate::abi::layout::{kind, Frame, ThreadState};
use crate::jit::SymbolTable;
use crate::vm::bytecode::{op, oparg, opcode, Cache, Code};
use crate::vm::interp::Vm;
use crate::vm::obj::{decref, incref, kind_of, tuple_items, Obj};
use crate::vm::tier2::dict_helpers;
use crate::vm::tier2::helpers::{code_and_word, cpjit_for_iter, cpjit_step, raise, StepHelper};
use crate::vm::types::{BuiltinObj, IterObj, IterState, KIND_ITER};

/// A specialized `_CALL_HELPER` helper for the (non-branching) instruction
/// at `i` of `instrs`, faster than [`cpjit_step`] on its common cases and
/// falling back to it for the others, and whether it can run arbitrary code
/// (then the trace checks its validity after it). `None`: use `cpjit_step`.
pub fn step_helper_for(instrs: &[u32], i: usize) -> Option<(u64, bool)> {
    let w = *instrs.get(i)?;
    let (f, runs_code): (StepHelper, bool) = match opcode(w) {
        op::LOAD_METHOD => (cpjit_load_method, false),
        op::LOAD_ATTR_INSTANCE => (cpjit_load_attr_instance, false),
        op::LOAD_METHOD_INSTANCE => (cpjit_load_method_instance, false),
        // A store may free the old value: the trace checks its validity after.
        op::STORE_ATTR_INSTANCE => (cpjit_store_attr_instance, true),
        op::GET_ITER => (cpjit_get_iter, false),
        op::STORE_GLOBAL => (cpjit_store_global, true),
        op::BINARY_SUBSCR => (dict_helpers::cpjit_binary_subscr, false),
        op::STORE_SUBSCR => (dict_helpers::cpjit_store_subscr, true),
        // Keyword arguments (`KW_NAMES` just before) take tier 1's path.
        op::CALL | op::CALL_BUILTIN if i == 0 || opcode(instrs[i - 1]) != op::KW_NAMES => {
            (cpjit_call_builtin, true)
        }
        _ => return None,
    };
    Some((f as *const () as usize as u64, runs_code))
}

/// `LOAD_METHOD` whose cache (filled by tier 1) holds the method for the
/// receiver's kind: push the method and the receiver, as tier 1 does; else
/// [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the receiver.
pub unsafe extern "C" fn cpjit_load_method(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: live frame whose code has this
    // instruction and its cache; one value on the stack.
    unsafe {
        let code = &*((*frame).code as *const Code);
        let caches: &[Cache] = &*code.caches.get();
        let recv = *sp.sub(1);
        if let Some(c) = caches.get(instr as usize) {
            if c.version != 0 && c.index == kind_of(recv) {
                incref(c.version);
                *sp.sub(1) = c.version;
                *sp = recv;
                return sp.add(1);
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// The cache and the name (`code.names[oparg]`) of the attribute
/// instruction `instr` of `frame`'s code.
///
/// # Safety
/// `frame` is live; tier 1 is not running its code's dispatch (a trace
/// runs), so the cache is not aliased.
unsafe fn attr_site<'a>(frame: *mut Frame, instr: u64) -> Option<(&'a mut Cache, u64)> {
    // SAFETY: the caller's contract.
    unsafe {
        let code = &*((*frame).code as *const Code);
        let w = *code.words().get(instr as usize)?;
        let name = code.names.get(oparg(w) as usize)?.raw();
        let c = (&mut *code.caches.get()).get_mut(instr as usize)?;
        Some((c, name))
    }
}

/// `LOAD_ATTR_INSTANCE`: tier 1's fast path
/// ([`crate::vm::class::cached_instance_attr`]), else [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the receiver.
pub unsafe extern "C" fn cpjit_load_attr_instance(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: one value on the stack.
    unsafe {
        let recv = *sp.sub(1);
        if let Some((c, name)) = attr_site(frame, instr) {
            if let Some(v) =
                crate::vm::class::cached_instance_attr(recv, name, c.index, c.version as usize)
            {
                incref(v);
                *sp.sub(1) = v;
                decref(recv);
                return sp;
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// `LOAD_METHOD_INSTANCE`: the cached function and the receiver when
/// [`crate::vm::class::cached_method_applies`], else [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the receiver.
pub unsafe extern "C" fn cpjit_load_method_instance(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: one value on the stack, room for one more.
    unsafe {
        let recv = *sp.sub(1);
        if let Some((c, name)) = attr_site(frame, instr) {
            if c.version != 0 && crate::vm::class::cached_method_applies(recv, name, c.index) {
                incref(c.version);
                *sp.sub(1) = c.version;
                *sp = recv;
                return sp.add(1);
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// `STORE_ATTR_INSTANCE`: tier 1's store when its guard holds (a new key
/// in a str-keyed dict cannot fail), else [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the receiver on top, the value under it.
pub unsafe extern "C" fn cpjit_store_attr_instance(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: two values on the stack.
    unsafe {
        let recv = *sp.sub(1);
        if let Some((c, name)) = attr_site(frame, instr) {
            if crate::vm::class::instance_has_tag(recv, c.index) {
                let v = *sp.sub(2);
                let r = crate::vm::class::store_instance_attr(
                    recv,
                    name,
                    Obj::from_raw(v),
                    &mut c.version,
                );
                decref(recv);
                if let Err(e) = r {
                    return raise(frame, instr, sp.sub(2), e);
                }
                return sp.sub(2);
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// `GET_ITER`: an iterator stays; a list, tuple, range, str or dict gets
/// its iterator as tier 1 makes it ([`crate::vm::iter::get_iter`], which
/// runs no code); anything else (or an error) through [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the iterable.
pub unsafe extern "C" fn cpjit_get_iter(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: one value on the stack.
    unsafe {
        let v = *sp.sub(1);
        let k = kind_of(v);
        if k == KIND_ITER {
            return sp;
        }
        // The common sequences directly (the iterator takes the stack's
        // reference), without the general dispatch.
        if k == kind::TUPLE || k == kind::LIST {
            let seq = Obj::from_raw(v);
            let state = if k == kind::TUPLE {
                IterState::Tuple { seq, idx: 0 }
            } else {
                IterState::List { seq, idx: 0 }
            };
            *sp.sub(1) = crate::vm::obj::new_iter_obj(state);
            return sp;
        }
        if let Ok(it) = crate::vm::iter::get_iter(v) {
            decref(v);
            *sp.sub(1) = it.into_raw();
            return sp;
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// `STORE_GLOBAL`: pops the value into the globals, exactly as tier 1
/// (watched dicts notify their dependents, which may invalidate traces).
/// The instruction's cache (which tier 1 leaves unused) remembers the
/// name's entry position and the keys version it holds for: a module-level
/// loop rebinding its variables then skips the hash and the probe.
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the value.
pub unsafe extern "C" fn cpjit_store_global(
    frame: *mut Frame,
    sp: *mut u64,
    _tstate: *mut ThreadState,
    _expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: live frame whose globals are a dict
    // and whose code has this instruction and its name.
    unsafe {
        (*frame).instr = instr as u32;
        (*frame).stack_pointer = sp;
        let (code, w) = code_and_word(frame, instr);
        let Some(name) = code.names.get(oparg(w) as usize) else {
            return cpjit_step(frame, sp, _tstate, _expected, instr);
        };
        let v = *sp.sub(1);
        let gd = crate::vm::dict::dict_mut((*frame).globals as u64);
        let caches: &mut [Cache] = &mut *code.caches.get();
        let Some(c) = caches.get_mut(instr as usize) else {
            return cpjit_step(frame, sp, _tstate, _expected, instr);
        };
        let i = c.index as usize;
        if c.version == gd.keys_version && gd.entries().get(i).is_some_and(|e| e.key == name.raw())
        {
            gd.set_at(i, Obj::from_raw(v));
            return sp.sub(1);
        }
        match gd.set(name.clone(), Obj::from_raw(v)) {
            Ok(()) => {
                if let Ok(Some(pos)) = gd.lookup_pos(name.raw()) {
                    c.version = gd.keys_version;
                    c.index = pos as u32;
                }
                sp.sub(1)
            }
            Err(e) => raise(frame, instr, sp.sub(1), e),
        }
    }
}

/// `CALL`/`CALL_BUILTIN` of a builtin function or method without keyword
/// arguments: calls it directly, as tier 1 does (frame saved first, since
/// a builtin may call back into Python code); other callables through
/// [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`]; the stack holds `[callable, self or NULL, args...]`.
pub unsafe extern "C" fn cpjit_call_builtin(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: the call's operands are on the stack;
    // vm_data is the VM running this thread.
    unsafe {
        let (_, w) = code_and_word(frame, instr);
        let mut n = oparg(w) as usize;
        let base = sp.sub(n + 2);
        let callable = *base;
        if kind_of(callable) != kind::BUILTIN {
            return cpjit_step(frame, sp, tstate, expected, instr);
        }
        let args_ptr = if *base.add(1) != 0 {
            n += 1;
            base.add(1)
        } else {
            base.add(2)
        };
        (*frame).instr = instr as u32 + 1;
        (*frame).stack_pointer = sp;
        let vm = &mut *((*tstate).vm_data as *mut Vm);
        let f = (*(callable as *const BuiltinObj)).f;
        let args = std::slice::from_raw_parts(args_ptr, n);
        let r = f(vm, args, None);
        for &a in args {
            decref(a);
        }
        decref(callable);
        match r {
            Ok(v) => {
                *base = v.into_raw();
                base.add(1)
            }
            Err(e) => raise(frame, instr, base, e),
        }
    }
}

/// `FOR_ITER` over a tuple iterator without re-entering tier 1 (exactly
/// tier 1's `iter_next` for tuples); others through [`cpjit_for_iter`].
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the loop's iterator.
pub unsafe extern "C" fn cpjit_for_iter_any(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract; the top is the iterator.
    unsafe {
        let it = *sp.sub(1);
        if kind_of(it) == KIND_ITER && expected == instr + 1 {
            if let IterState::Tuple { seq, idx } = &mut (*(it as *mut IterObj)).state {
                let items = tuple_items(seq.raw());
                if *idx < items.len() {
                    let v = items[*idx];
                    *idx += 1;
                    incref(v);
                    *sp = v;
                    return sp.add(1);
                }
                decref(it);
                return (sp.sub(1) as usize | 1) as *mut u64;
            }
        }
        cpjit_for_iter(frame, sp, tstate, expected, instr)
    }
}

/// `x ** y` for two doubles (given as their bits), as tier 1's float `**`
/// computes it ([`crate::vm::num::float_pow`]); NaN bits where tier 1 would
/// raise (`0.0 ** -1`, a complex result, an overflow) or returns NaN, so
/// the uop exits and tier 1 redoes the operation.
pub extern "C" fn cpjit_float_pow(x: u64, y: u64) -> u64 {
    // The common case (`d2 ** 0.5`): a positive finite base and a finite
    // exponent, where `float_pow` ends in this same `powf` (libm `pow`,
    // which also gives 1.0 for `x ** 0` and `1.0 ** y`) after its special
    // cases; only an overflow to infinity raises. Tested on the bits: a
    // positive finite non-zero double is `1..INF` as an integer.
    const INF: u64 = 0x7ff0_0000_0000_0000;
    const ABS: u64 = !(1 << 63);
    if x.wrapping_sub(1) < INF - 1 && y & ABS < INF {
        let r = f64::from_bits(x).powf(f64::from_bits(y)).to_bits();
        return if r & ABS == INF {
            f64::NAN.to_bits()
        } else {
            r
        };
    }
    match crate::vm::num::float_pow(f64::from_bits(x), f64::from_bits(y)) {
        Ok(r) => r.to_bits(),
        Err(_) => f64::NAN.to_bits(),
    }
}

/// A new tuple of the `n` values at `items` (it takes their references),
/// for `_BUILD_TUPLE`: exactly tier 1's `BUILD_TUPLE`.
///
/// # Safety
/// `items` points at `n` owned values (the trace's stack).
pub unsafe extern "C" fn cpjit_build_tuple(items: *const u64, n: u64) -> u64 {
    // SAFETY: the caller's contract.
    let items = unsafe { std::slice::from_raw_parts(items, n as usize) };
    crate::vm::obj::new_tuple_raw(items).into_raw()
}

/// `c[start:stop]` for `_BINARY_SLICE`: a list or tuple sliced by small
/// ints or None exactly as tier 1's `BUILD_SLICE 2` + `BINARY_SUBSCR`
/// (which reads the same [`crate::vm::ops::slice_items`]), releasing the
/// three operands; 0 for anything else, with nothing released (the uop
/// exits and tier 1 runs the pair).
pub extern "C" fn cpjit_binary_slice(c: u64, start: u64, stop: u64) -> u64 {
    use crate::vm::obj::{list_items, new_tuple, none_raw};
    let bound = |v: u64| v & 1 == 1 || v == none_raw();
    if c & 1 == 1 || !bound(start) || !bound(stop) {
        return 0;
    }
    let k = kind_of(c);
    if k == kind::LIST {
        let r = list_slice_copy(list_items(c), start, stop);
        decref(c);
        decref(start);
        decref(stop);
        return r.into_raw();
    }
    if k != kind::TUPLE {
        return 0;
    }
    let Ok(picked) = crate::vm::ops::slice_items(tuple_items(c), start, stop, none_raw()) else {
        return 0;
    };
    let r = new_tuple(picked);
    decref(c);
    decref(start);
    decref(stop);
    r.into_raw()
}

/// `items[start:stop]` as a new list, for bounds that are small ints or
/// None (step 1): the bounds clamp as CPython's `PySlice_AdjustIndices`
/// does (the same as [`crate::vm::ops::slice_bounds`] for step 1), and the
/// items are copied straight into the new list's storage.
fn list_slice_copy(items: &[u64], start: u64, stop: u64) -> Obj {
    let len = items.len() as i64;
    let clamp = |v: u64, dflt: i64| -> i64 {
        if v & 1 == 0 {
            return dflt; // None
        }
        let x = (v as i64) >> 1;
        if x < 0 {
            (x + len).max(0)
        } else {
            x.min(len)
        }
    };
    let lo = clamp(start, 0) as usize;
    let hi = (clamp(stop, len) as usize).max(lo);
    let picked = &items[lo..hi];
    let mut raw = Vec::with_capacity(picked.len());
    for &v in picked {
        incref(v);
        raw.push(v);
    }
    crate::vm::obj::new_list_raw(raw)
}

/// `(name, address)` of each C-ABI function named, for the symbol table.
macro_rules! symbols {
    ($($f:ident),* $(,)?) => {
        [$((stringify!($f), $f as *const () as usize as u64)),*]
    };
}
pub(super) use symbols;

/// Adds the helpers of this module to `table`.
pub fn register(table: SymbolTable) -> SymbolTable {
    use dict_helpers::{cpjit_binary_subscr, cpjit_store_subscr};
    symbols![
        cpjit_binary_subscr,
        cpjit_store_subscr,
        cpjit_float_pow,
        cpjit_load_method,
        cpjit_load_attr_instance,
        cpjit_load_method_instance,
        cpjit_store_attr_instance,
        cpjit_get_iter,
        cpjit_store_global,
        cpjit_call_builtin,
        cpjit_for_iter_any,
        cpjit_build_tuple,
        cpjit_binary_slice,
    ]
    .into_iter()
    .fold(table, |t, (name, addr)| t.with(name, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow(x: f64, y: f64) -> f64 {
        f64::from_bits(cpjit_float_pow(x.to_bits(), y.to_bits()))
    }

    #[test]
    fn float_pow_matches_tier_one_and_declines_errors() {
        assert_eq!(pow(4.0, 0.5), 2.0);
        assert_eq!(pow(-2.0, 3.0), -8.0);
        assert_eq!(pow(10.0, -2.0), 10f64.powf(-2.0));
        // Errors in tier 1: declined (NaN).
        assert!(pow(-8.0, 1.0 / 3.0).is_nan());
        assert!(pow(0.0, -1.0).is_nan());
        assert!(pow(10.0, 400.0).is_nan());
    }

    #[test]
    fn float_pow_fast_path_is_bit_identical_to_tier_one() {
        let xs = [
            1e-310,
            1e-5,
            0.3,
            1.0,
            1.5,
            2.0,
            7.25,
            1e10,
            1e300,
            f64::MAX,
        ];
        let ys = [
            -400.0,
            -2.5,
            -1.0,
            -0.5,
            0.0,
            0.5,
            1.0,
            1.0 / 3.0,
            2.0,
            3.7,
            400.0,
        ];
        for x in xs {
            for y in ys {
                let want = crate::vm::num::float_pow(x, y).unwrap_or(f64::NAN);
                let got = pow(x, y);
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{x} ** {y}: {got} != {want}"
                );
            }
        }
    }

    /// The list fast path of `cpjit_binary_slice` picks exactly the items
    /// tier 1's `slice_items` picks, for every bound in and out of range,
    /// negative and None, and keeps the reference counts right.
    #[test]
    fn list_slice_copy_matches_tier_one_bounds() {
        use crate::vm::obj::{list_items, new_list, none_raw};
        let words = [10i64, 11, 12, 13, 14];
        let l = new_list(words.iter().map(|&i| Obj::int(i)).collect());
        let boxed = Obj::int(1 << 62);
        let l2 = new_list(vec![boxed.clone(), Obj::int(3)]);
        let bounds: Vec<u64> = (-8i64..=8)
            .map(|i| Obj::int(i).into_raw())
            .chain([none_raw()])
            .collect();
        for &a in &bounds {
            for &b in &bounds {
                let want: Vec<u64> =
                    crate::vm::ops::slice_items(list_items(l.raw()), a, b, none_raw())
                        .map(|v| v.into_iter().map(Obj::into_raw).collect())
                        .unwrap_or_default();
                let got = list_slice_copy(list_items(l.raw()), a, b);
                assert_eq!(list_items(got.raw()), &want[..], "[{a}:{b}]");
            }
        }
        // SAFETY: `boxed` is a live heap object (a big int) for the whole test.
        let refcnt = || unsafe { (*(boxed.raw() as *const crate::abi::layout::ObjHeader)).refcnt };
        assert_eq!(boxed.raw() & 1, 0);
        let before = refcnt();
        let copy = list_slice_copy(list_items(l2.raw()), none_raw(), none_raw());
        assert_eq!(list_items(copy.raw()), list_items(l2.raw()));
        assert_eq!(refcnt(), before + 1);
        drop(copy);
        assert_eq!(refcnt(), before);
    }

    /// The templates read range and list iterators through the shared
    /// layouts: they must see the runtime's values.
    #[test]
    fn runtime_iterators_have_the_shared_layouts() {
        use crate::abi::layout::{iter_tag, ListIterObj, RangeIterObj};
        use crate::vm::obj::new_list;
        let range = crate::vm::range::small_range(5, -7, -3);
        let r = crate::vm::iter::get_iter(range.raw());
        let r = r.ok().map(Obj::into_raw).unwrap_or(0);
        assert_ne!(r, 0);
        // SAFETY: r is a live range iterator.
        let st = unsafe { &(*(r as *const RangeIterObj)).state };
        assert_eq!(
            (st.tag, st.next, st.stop, st.step),
            (iter_tag::RANGE, 5, -7, -3)
        );
        decref(r);
        let l = new_list(vec![Obj::int(1), Obj::int(2)]);
        let it = crate::vm::iter::get_iter(l.raw())
            .ok()
            .map(Obj::into_raw)
            .unwrap_or(0);
        assert_ne!(it, 0);
        // SAFETY: it is a live list iterator.
        let st = unsafe { &(*(it as *const ListIterObj)).state };
        assert_eq!((st.tag, st.seq, st.idx), (iter_tag::LIST, l.raw(), 0));
        decref(it);
    }

    #[test]
    fn the_runtime_function_starts_with_the_shared_head() {
        use crate::abi::layout::FunctionHead;
        use crate::vm::types::FuncObj;
        use std::mem::offset_of;
        assert_eq!(offset_of!(FuncObj, ob), offset_of!(FunctionHead, ob));
        assert_eq!(offset_of!(FuncObj, code), offset_of!(FunctionHead, code));
        assert_eq!(
            offset_of!(FuncObj, globals),
            offset_of!(FunctionHead, globals)
        );
        assert_eq!(
            offset_of!(FuncObj, closure),
            offset_of!(FunctionHead, closure)
        );
        assert_eq!(std::mem::size_of::<Obj>(), 8);
    }

    #[test]
    fn the_entry_slot_starts_with_its_call_target() {
        use crate::vm::bytecode::EntrySlot;
        assert_eq!(std::mem::offset_of!(EntrySlot, call), 0);
        let module = crate::vm::compile::compile_module("x = 1\n", "t.py");
        let module = module.expect("compiles");
        let code = module.raw();
        // SAFETY: code is a live code object.
        let slot = unsafe {
            &crate::vm::obj::cast::<crate::vm::types::CodeObj>(code)
                .code
                .entry
        };
        assert_eq!(slot.call.code_obj.get(), code);
        // SAFETY: as above.
        let back = unsafe { slot.code() } as *const crate::vm::bytecode::Code;
        assert_eq!(
            slot.call.code.get() as *const crate::vm::bytecode::Code,
            back
        );
    }

    #[test]
    fn the_runtime_cell_has_the_shared_layout() {
        use crate::abi::layout::CellObj as Shared;
        use crate::vm::types::CellObj;
        assert_eq!(
            std::mem::offset_of!(CellObj, value),
            std::mem::offset_of!(Shared, value)
        );
        assert_eq!(
            std::mem::size_of::<CellObj>(),
            std::mem::size_of::<Shared>()
        );
    }
}
