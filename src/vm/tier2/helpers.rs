//! C-ABI runtime helpers that traces call (`_CALL_HELPER`), and the symbol
//! table the JIT is built with.

use crate::abi::layout::{Frame, ThreadState};
use crate::jit::SymbolTable;
use crate::vm::bytecode::{op, opcode, Code};
use crate::vm::interp::Vm;
use crate::vm::obj::Obj;
use crate::vm::tier2::{project, set_pending, Pending};

/// The signature of every `_CALL_HELPER` helper: `(frame, sp, tstate,
/// expected, instr) -> new sp` (see [`cpjit_step`] for the result).
pub type StepHelper =
    unsafe extern "C" fn(*mut Frame, *mut u64, *mut ThreadState, u64, u64) -> *mut u64;

/// Records `e` raised by the instruction `instr` with the frame's stack at
/// `at` (tier 1 unwinds from there and resumes one past the instruction)
/// and returns NULL: how every helper reports an error as tier 1 raises it.
///
/// # Safety
/// `frame` is live.
pub(super) unsafe fn raise(
    frame: *mut Frame,
    instr: u64,
    at: *mut u64,
    e: Box<crate::vm::error::PyErr>,
) -> *mut u64 {
    // SAFETY: the caller's contract.
    unsafe {
        (*frame).stack_pointer = at;
    }
    set_pending(Pending {
        error: Some(e),
        instr: instr as u32 + 1,
        sp: at,
    });
    std::ptr::null_mut()
}

/// The generic helper: runs the bytecode instruction at index `instr` of
/// `frame` in tier 1 (exactly tier 1's code), with the trace's stack at
/// `sp`, and returns the new stack pointer.
///
/// The trace expects control to continue at `expected`: if tier 1 went to
/// the branch's other destination instead, the result is the stack pointer
/// with bit 0 set (the trace exits there). NULL means the trace must stop:
/// an error is pending, or control went somewhere the trace cannot exit to
/// statically; either way the VM finds where to resume in the pending record.
///
/// # Safety
/// Called only by traces, with the live frame, its stack pointer and the
/// VM's thread state (whose `vm_data` is the [`Vm`]).
pub unsafe extern "C" fn cpjit_step(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    // SAFETY: the caller's contract: live frame and thread state; vm_data
    // is the VM running this thread.
    unsafe {
        (*frame).instr = instr as u32;
        (*frame).stack_pointer = sp;
        let vm = &mut *((*tstate).vm_data as *mut Vm);
        let code = &*((*frame).code as *const Code);
        let before = code.words().get(instr as usize).copied().unwrap_or(0);
        // The trace's shape of this instruction is what it expects, not
        // what the code holds now (tier 1 may have re-specialized it since
        // the projection): a branch exit exists only if `expected` is one
        // of the instruction's destinations.
        let other =
            project::branch_destinations(code.words(), instr as usize).and_then(|(fall, jump)| {
                if fall as u64 == expected {
                    Some(jump)
                } else if jump as u64 == expected {
                    Some(fall)
                } else {
                    None
                }
            });
        let mut result = vm.step(frame);
        // A fused compare-and-jump that deoptimized ran only its compare:
        // if the trace expects one of the pair's destinations, run the jump
        // too. (A trace that expects the instruction after the compare was
        // projected from the unfused pair and has its own branch guard.)
        if result.is_ok()
            && matches!(
                opcode(before),
                op::COMPARE_OP_INT_JUMP | op::COMPARE_OP_FLOAT_JUMP
            )
            && (*frame).instr as u64 == instr + 1
            && expected != instr + 1
        {
            result = vm.step(frame);
        }
        let at = (*frame).instr;
        let new_sp = (*frame).stack_pointer;
        match result {
            Err(e) => {
                set_pending(Pending {
                    error: Some(e),
                    instr: at,
                    sp: new_sp,
                });
                std::ptr::null_mut()
            }
            Ok(()) if at as u64 == expected => new_sp,
            Ok(()) => {
                if other == Some(at) {
                    (new_sp as usize | 1) as *mut u64
                } else {
                    set_pending(Pending {
                        error: None,
                        instr: at,
                        sp: new_sp,
                    });
                    std::ptr::null_mut()
                }
            }
        }
    }
}

/// The code `frame` runs and its instruction word at `instr` (0 past the
/// end): what every helper reads first.
///
/// # Safety
/// `frame` is live and its code outlives the returned reference's use.
pub(super) unsafe fn code_and_word<'a>(frame: *const Frame, instr: u64) -> (&'a Code, u32) {
    // SAFETY: the caller's contract: a live frame's code pointer is a Code.
    let code = unsafe { &*((*frame).code as *const Code) };
    (code, code.words().get(instr as usize).copied().unwrap_or(0))
}

/// The runtime symbols traces use: deallocation, the bool singletons, and
/// every helper `_CALL_HELPER` may call.
pub fn symbol_table() -> SymbolTable {
    use crate::vm::obj::cpjit_dealloc;
    use crate::vm::tier2::fast_helpers::symbols;
    symbols![
        cpjit_dealloc,
        cpjit_step,
        cpjit_for_iter,
        cpjit_box_float,
        cpjit_to_bool,
        cpjit_load_global,
        cpjit_binary_op,
        cpjit_simple_step,
        cpjit_push_frame,
        cpjit_pop_frame,
    ]
    .into_iter()
    .fold(
        crate::vm::tier2::container_helpers::register(crate::vm::tier2::iter_helpers::register(
            crate::vm::tier2::fast_helpers::register(SymbolTable::new()),
        )),
        |t, (name, addr)| t.with(name, addr),
    )
    .with("cpjit_true", crate::vm::obj::true_raw())
    .with("cpjit_false", crate::vm::obj::false_raw())
    .with(
        "cpjit_float_free_list",
        crate::vm::obj::float_free_list_raw(),
    )
    .with("cpjit_iter_free_list", crate::vm::obj::iter_free_list_raw())
}

/// Whether [`cpjit_simple_step`] has a fast path for instructions with opcode `o`.
pub fn has_simple_step(o: u8) -> bool {
    matches!(
        o,
        op::LOAD_DEREF
            | op::STORE_DEREF
            | op::BINARY_SUBSCR
            | op::BINARY_SUBSCR_TUPLE_INT
            | op::STORE_SUBSCR
            | op::UNPACK_SEQUENCE_TWO_TUPLE
    )
}

/// Simple instructions without re-entering tier 1's dispatch loop: exactly
/// tier 1's semantics for `LOAD_DEREF` of a bound cell, `STORE_DEREF`,
/// `BINARY_SUBSCR` (and its tuple form in range), `STORE_SUBSCR` and
/// `UNPACK_SEQUENCE_TWO_TUPLE` of a 2-tuple (in a side trace that starts
/// there; elsewhere `_UNPACK_SEQUENCE` is native); anything else
/// (or a case that would raise, except the subscripts' own errors, raised as
/// tier 1 raises them) goes through [`cpjit_step`]. None of them branches.
///
/// # Safety
/// As [`cpjit_step`].
pub unsafe extern "C" fn cpjit_simple_step(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    use crate::abi::layout::kind;
    use crate::abi::value::decode_small_int;
    use crate::vm::bytecode::oparg;
    use crate::vm::obj::{cast, cast_mut, decref, incref, kind_of, tuple_items, xdecref};
    use crate::vm::types::CellObj;
    // SAFETY: the caller's contract: live frame whose code has this
    // instruction; the compiler's stack discipline gives its operands; cell
    // slots hold cells.
    unsafe {
        let (_, w) = code_and_word(frame, instr);
        let arg = oparg(w) as usize;
        let lp = (*frame).localsplus.as_mut_ptr();
        match opcode(w) {
            op::LOAD_DEREF => {
                let v = cast::<CellObj>(*lp.add(arg)).value;
                if v != 0 {
                    incref(v);
                    *sp = v;
                    return sp.add(1);
                }
            }
            op::STORE_DEREF => {
                let cell = cast_mut::<CellObj>(*lp.add(arg));
                let old = std::mem::replace(&mut cell.value, *sp.sub(1));
                xdecref(old);
                return sp.sub(1);
            }
            op::BINARY_SUBSCR_TUPLE_INT => {
                let (k, c) = (*sp.sub(1), *sp.sub(2));
                if k & 1 == 1 && kind_of(c) == kind::TUPLE {
                    let items = tuple_items(c);
                    if let Some(i) = crate::vm::ops::norm_index(decode_small_int(k), items.len()) {
                        let v = items[i];
                        incref(v);
                        decref(c);
                        *sp.sub(2) = v;
                        return sp.sub(1);
                    }
                }
            }
            // A defaultdict's missing key runs its factory: tier 1's path.
            op::BINARY_SUBSCR if kind_of(*sp.sub(2)) != crate::vm::types::KIND_DEFAULTDICT => {
                let (k, c) = (*sp.sub(1), *sp.sub(2));
                return match crate::vm::ops::getitem(c, k) {
                    Ok(r) => {
                        decref(c);
                        decref(k);
                        *sp.sub(2) = r.into_raw();
                        sp.sub(1)
                    }
                    Err(e) => raise(frame, instr, sp, e),
                };
            }
            op::STORE_SUBSCR => {
                let (k, c, v) = (*sp.sub(1), *sp.sub(2), *sp.sub(3));
                let base = sp.sub(3);
                let r = crate::vm::ops::setitem(c, k, Obj::from_raw(v));
                decref(c);
                decref(k);
                return match r {
                    Ok(()) => base,
                    Err(e) => raise(frame, instr, base, e),
                };
            }
            op::UNPACK_SEQUENCE_TWO_TUPLE => {
                let v = *sp.sub(1);
                if kind_of(v) == kind::TUPLE && tuple_items(v).len() == 2 {
                    let items = tuple_items(v);
                    let (a, b) = (items[0], items[1]);
                    incref(a);
                    incref(b);
                    *sp.sub(1) = b;
                    *sp = a;
                    decref(v);
                    return sp.add(1);
                }
            }
            _ => {}
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// The frame push of `_PUSH_FRAME` and `_CALL_EXECUTOR` where their
/// templates' inline push does not apply (a callee that needs cells, a
/// full data stack, the recursion limit, a callable of other code): the
/// call at `target` of `frame`, stack `[callable, NULL, args...]` with
/// `nargs` arguments at `sp`, of the code whose
/// [`crate::abi::layout::CallTarget`] is at `slot`. If the callable is a
/// function of that code (so it takes exactly `nargs` positional
/// parameters, as the projection checked) and of `frame`'s globals, moves
/// it and its arguments into a new frame, saves the caller (resuming at
/// `target + 1`, its stack without the call) and returns the new frame.
/// NULL, with nothing changed, when the callable differs or the frame
/// cannot be pushed (tier 1 redoes the call and raises).
///
/// # Safety
/// As [`cpjit_step`]; the stack holds the call's `nargs + 2` values;
/// `slot` is the entry slot of a live code object.
pub unsafe extern "C" fn cpjit_push_frame(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    nargs: u64,
    slot: u64,
    target: u64,
) -> *mut Frame {
    use crate::abi::layout::kind;
    use crate::vm::bytecode::EntrySlot;
    use crate::vm::obj::{cast, kind_of};
    use crate::vm::types::FuncObj;
    let n = nargs as usize;
    // SAFETY: the caller's contract: the call's values are on the stack;
    // vm_data is the VM running this thread.
    unsafe {
        let code = EntrySlot::at(slot).call.code_obj.get();
        let base = sp.sub(n + 2);
        let (callable, self_) = (*base, *base.add(1));
        if self_ != 0 || kind_of(callable) != kind::FUNCTION {
            return std::ptr::null_mut();
        }
        // The trace baked the caller's globals in for every frame, so a
        // function of other globals is not pushed.
        let fo = cast::<FuncObj>(callable);
        if fo.code.raw() != code || fo.globals.raw() != (*frame).globals as u64 {
            return std::ptr::null_mut();
        }
        let vm = &mut *((*tstate).vm_data as *mut Vm);
        match vm.push_exact_frame(frame, callable, base.add(2), n) {
            Some(f) => {
                (*frame).instr = target as u32 + 1;
                (*frame).stack_pointer = base;
                f
            }
            None => std::ptr::null_mut(),
        }
    }
}

/// The return of `_POP_FRAME` and `_CALL_EXECUTOR` where their templates'
/// inline pop does not apply (a value to release might be freed):
/// `frame` (pushed by [`cpjit_push_frame`] or a template) returns the value
/// at the top of its stack `sp`; releases it, pushes the value on the
/// caller's stack and returns the caller.
///
/// # Safety
/// As [`cpjit_step`]; `frame` is the top frame and has a caller.
pub unsafe extern "C" fn cpjit_pop_frame(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
) -> *mut Frame {
    // SAFETY: the caller's contract.
    unsafe {
        let vm = &mut *((*tstate).vm_data as *mut Vm);
        vm.return_to_caller(frame, sp)
    }
}

/// Boxes a float result (`cpjit_box_float(bits) -> value`) for the float templates.
pub extern "C" fn cpjit_box_float(bits: u64) -> u64 {
    crate::vm::obj::new_float(f64::from_bits(bits))
}

/// `FOR_ITER` over a range or list iterator, without re-entering tier 1
/// (exactly `FOR_ITER_RANGE`/`FOR_ITER_LIST`); other iterators go through
/// [`cpjit_step`]. The trace follows the loop body (`expected` = `instr + 1`);
/// exhaustion pops the iterator and exits to the loop's end.
///
/// # Safety
/// As [`cpjit_step`]; the top of the stack is the loop's iterator.
pub unsafe extern "C" fn cpjit_for_iter(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    use crate::abi::layout::ListObj;
    use crate::vm::obj::{decref, incref, kind_of};
    use crate::vm::types::{IterObj, IterState, KIND_ITER};
    // SAFETY: the caller's contract; the top is the iterator.
    unsafe {
        let it = *sp.sub(1);
        if kind_of(it) == KIND_ITER && expected == instr + 1 {
            let state = &mut (*(it as *mut IterObj)).state;
            let next = match state {
                IterState::Range { next, stop, step } => Some(
                    if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                        let v = *next;
                        *next += *step;
                        Some(Obj::int(v).into_raw())
                    } else {
                        None
                    },
                ),
                IterState::List { seq, idx } => {
                    let l = &*(seq.raw() as *const ListObj);
                    Some(if (*idx as isize) < l.len {
                        let v = *l.items.add(*idx);
                        *idx += 1;
                        incref(v);
                        Some(v)
                    } else {
                        None
                    })
                }
                _ => None,
            };
            match next {
                Some(Some(v)) => {
                    *sp = v;
                    return sp.add(1);
                }
                Some(None) => {
                    decref(it);
                    return (sp.sub(1) as usize | 1) as *mut u64;
                }
                None => {}
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// `LOAD_GLOBAL_MODULE` / `LOAD_GLOBAL_BUILTIN` without re-entering tier 1:
/// exactly tier 1's specialized instruction when the globals' keys version
/// still matches the cache; otherwise [`cpjit_step`] (tier 1 deoptimizes).
///
/// # Safety
/// As [`cpjit_step`].
pub unsafe extern "C" fn cpjit_load_global(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    use crate::vm::dict::dict_mut;
    // SAFETY: the caller's contract: live frame whose code has this
    // instruction and cache; globals and builtins are dicts.
    unsafe {
        let (code, w) = code_and_word(frame, instr);
        let caches: &[crate::vm::bytecode::Cache] = &*code.caches.get();
        let c = caches.get(instr as usize).copied().unwrap_or_default();
        let gd = dict_mut((*frame).globals as u64);
        if gd.keys_version == c.version {
            let v = match opcode(w) {
                op::LOAD_GLOBAL_MODULE => gd.entries().get(c.index as usize).map(|e| e.value),
                op::LOAD_GLOBAL_BUILTIN => {
                    let vm = &*((*tstate).vm_data as *const Vm);
                    dict_mut(vm.builtins.raw())
                        .entries()
                        .get(c.index as usize)
                        .map(|e| e.value)
                }
                _ => None,
            };
            if let Some(v) = v {
                crate::vm::obj::incref(v);
                *sp = v;
                return sp.add(1);
            }
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// Generic `BINARY_OP` (and `BINARY_OP_TRUE_DIVIDE_FLOAT` on floats)
/// without re-entering tier 1, exactly as tier 1 computes it; anything
/// else goes through [`cpjit_step`].
///
/// # Safety
/// As [`cpjit_step`].
pub unsafe extern "C" fn cpjit_binary_op(
    frame: *mut Frame,
    sp: *mut u64,
    tstate: *mut ThreadState,
    expected: u64,
    instr: u64,
) -> *mut u64 {
    use crate::abi::layout::{kind, FloatObj, ObjHeader};
    use crate::vm::obj::{decref, float_val, kind_of, new_float};
    // SAFETY: the caller's contract: two operands on the stack.
    unsafe {
        let (_, w) = code_and_word(frame, instr);
        let (a, b) = (*sp.sub(2), *sp.sub(1));
        match opcode(w) {
            op::BINARY_OP => match crate::vm::ops::binary_op(a, b, crate::vm::bytecode::oparg(w)) {
                Ok(r) => {
                    decref(a);
                    decref(b);
                    *sp.sub(2) = r.into_raw();
                    return sp.sub(1);
                }
                Err(e) => return raise(frame, instr, sp, e),
            },
            op::BINARY_OP_TRUE_DIVIDE_FLOAT
                if kind_of(a) == kind::FLOAT
                    && kind_of(b) == kind::FLOAT
                    && float_val(b) != 0.0 =>
            {
                let r = float_val(a) / float_val(b);
                if (*(a as *const ObjHeader)).refcnt == 1 {
                    (*(a as *mut FloatObj)).value = r;
                    decref(b);
                } else {
                    decref(a);
                    decref(b);
                    *sp.sub(2) = new_float(r);
                }
                return sp.sub(1);
            }
            _ => {}
        }
        cpjit_step(frame, sp, tstate, expected, instr)
    }
}

/// The truth of a heap object as the bool singleton, releasing the object
/// (as tier 1's conditional jumps do); 0 if the test raised (the object is
/// kept and the trace exits, so tier 1 redoes the jump and raises).
pub extern "C" fn cpjit_to_bool(v: u64) -> u64 {
    match crate::vm::ops::truthy(v) {
        Ok(t) => {
            crate::vm::obj::decref(v);
            crate::vm::obj::bool_raw(t)
        }
        Err(_) => 0,
    }
}
