//! The uop interpreter: runs a trace's uops in Rust with exactly the
//! semantics of the templates (`jit-contract.md`). `--tier uops` uses it;
//! it is the reference the JIT is checked against.

use crate::abi::layout::{
    iter_tag, kind, status, CellObj, FloatObj, Frame, ListIterObj, ListObj, ObjHeader,
    RangeIterObj, ThreadState, TupleObj,
};
use crate::abi::uop::Uop;
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::vm::obj::{decref, false_raw, float_val, incref, kind_of, new_float, true_raw, xdecref};
use crate::vm::tier2::container_helpers;
use crate::vm::tier2::helpers::StepHelper;
use crate::vm::tier2::trace::Trace;
use std::cell::Cell;
use std::rc::Rc;

thread_local! {
    /// `_CALL_HELPER`s run by the uop interpreter, by the opcode of the
    /// bytecode instruction they stand for (as the code holds it now).
    static HELPER_CALLS: [Cell<u64>; 256] = const { [const { Cell::new(0) }; 256] };
}

/// `_CALL_HELPER`s the uop interpreter ran on this thread, by bytecode
/// opcode, most frequent first (for `--stats`).
pub fn helper_calls() -> Vec<(u8, u64)> {
    let mut v: Vec<(u8, u64)> = HELPER_CALLS.with(|h| {
        (0..=255u8)
            .map(|op| (op, h[op as usize].get()))
            .filter(|&(_, n)| n > 0)
            .collect()
    });
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The item slot `c[k]` of a list `c` subscripted by a small int `k`
/// (negative counts from the end), as the list-subscript templates find
/// it; `None` (the template's deopt) when `c` is not a list, `k` is not a
/// small int, or the index is out of range.
///
/// # Safety
/// `c` and `k` are live values.
pub(crate) unsafe fn list_int_slot(c: u64, k: u64) -> Option<*mut u64> {
    if k & 1 == 0 || kind_of(c) != kind::LIST {
        return None;
    }
    // SAFETY: `c` is a live list.
    let l = unsafe { &*(c as *const ListObj) };
    let mut i = decode_small_int(k);
    if i < 0 {
        i += l.len as i64;
    }
    if i < 0 || i >= l.len as i64 {
        return None;
    }
    // SAFETY: `i` is within the list's items.
    Some(unsafe { l.items.add(i as usize) })
}

/// The next item of a list iterator `it` over a list (`tuple` false) or a
/// tuple (`tuple` true), as a new reference, advancing the iterator; `None`
/// when it is exhausted (the `_FOR_ITER_LIST`/`_FOR_ITER_TUPLE` exit).
///
/// # Safety
/// `it` is a live [`ListIterObj`] whose sequence is a list, or a tuple when
/// `tuple` is true.
unsafe fn seq_iter_next(it: u64, tuple: bool) -> Option<u64> {
    // SAFETY: `it` is a live list iterator.
    let st = unsafe { &mut (*(it as *mut ListIterObj)).state };
    // SAFETY: its sequence is live and of the kind `tuple` says.
    let (items, len) = unsafe {
        if tuple {
            let t = &*(st.seq as *const TupleObj);
            (t.items.as_ptr(), t.len)
        } else {
            let l = &*(st.seq as *const ListObj);
            (l.items as *const u64, l.len)
        }
    };
    if (st.idx as isize) >= len {
        return None;
    }
    // SAFETY: `idx` is within the sequence's items.
    let v = unsafe { *items.add(st.idx) };
    st.idx += 1;
    incref(v);
    Some(v)
}

/// The answer of `_CALL_EXECUTOR_LEAF_1` / `_CALL_EXECUTOR_LEAF_ANY_n`
/// without the call: when argument `leaf_arg` of `[callable, NULL, args]`
/// (`n` arguments) at `sp` is a small int in the slot's base-case range
/// and the callee's frame could be pushed (recursion limit, data-stack
/// room), releases the callable and the arguments the result (`leaf_ret`)
/// is not, puts the result where the callable was and returns true (the
/// caller drops `n + 1` words); else false, nothing changed.
///
/// # Safety
/// `sp` is the trace's stack with the call's `n + 2` values on top;
/// `tstate` is the VM's thread state.
unsafe fn leaf_answer(
    slot: &crate::vm::bytecode::EntrySlot,
    sp: *mut u64,
    n: usize,
    tstate: *mut ThreadState,
) -> bool {
    let c = &slot.call;
    // SAFETY: the caller's contract.
    unsafe {
        let args = sp.sub(n);
        let a = *args.add(c.leaf_arg as usize);
        let room = ((*tstate).data_limit as usize - (*tstate).data_top as usize) / 8;
        let words = crate::abi::layout::FRAME_HEADER_WORDS + c.frame_words as usize;
        if c.leaf_lo == 0
            || c.leaf_arg as usize >= n
            || a & 1 == 0
            || (a as i64) < (c.leaf_lo as i64)
            || (a as i64) > (c.leaf_hi as i64)
            || (*tstate).recursion_remaining <= 0
            || words > room
        {
            return false;
        }
        let ret_arg = (c.leaf_ret & 1 == 0).then_some((c.leaf_ret >> 1) as usize);
        let rv = match ret_arg {
            Some(j) => *args.add(j),
            None => c.leaf_ret,
        };
        for i in (0..n).filter(|&i| ret_arg != Some(i)) {
            xdecref(*args.add(i));
        }
        decref(*sp.sub(n + 2));
        *sp.sub(n + 2) = rv;
    }
    true
}

/// Counts one `_CALL_HELPER` for the instruction at `target` of `frame`'s code.
///
/// # Safety
/// `frame` is live and its code is a [`crate::vm::bytecode::Code`].
unsafe fn count_helper(frame: *mut Frame, target: u32) {
    // SAFETY: the caller's contract.
    let code = unsafe { &*((*frame).code as *const crate::vm::bytecode::Code) };
    if let Some(&w) = code.words().get(target as usize) {
        let op = crate::vm::bytecode::opcode(w);
        HELPER_CALLS.with(|h| h[op as usize].set(h[op as usize].get() + 1));
    }
}

/// How a run ended.
pub struct Outcome {
    /// `status::EXIT`, `ERROR`, `HOT_EXIT` or `RETURNED`.
    pub status: i64,
    /// The trace and exit index of the `_EXIT_TRACE` taken, if one was.
    pub exit: Option<(Rc<Trace>, u32)>,
    /// Uops executed.
    pub uops: u64,
}

/// Runs `trace` from its first uop on `frame` with stack pointer `sp`.
///
/// # Safety
/// `frame`, `sp` and `tstate` are the live frame the trace was projected
/// for (its code), its stack pointer and the VM's thread state.
pub unsafe fn run(
    trace: Rc<Trace>,
    mut frame: *mut Frame,
    mut sp: *mut u64,
    tstate: *mut ThreadState,
) -> Outcome {
    let mut cur = trace;
    let mut pc = 0usize;
    let mut count = 0u64;
    // SAFETY: the caller's contract; every uop keeps sp within the frame's
    // stack as the projection built it.
    unsafe {
        let mut lp = (*frame).localsplus.as_mut_ptr();
        macro_rules! push {
            ($v:expr) => {{
                *sp = $v;
                sp = sp.add(1);
            }};
        }
        macro_rules! pop {
            () => {{
                sp = sp.sub(1);
                *sp
            }};
        }
        // Leaves the run as the templates' exits leave the trace: tier 1
        // resumes at bytecode instruction `$target` with the stack spilled
        // up to `$sp`; `$exit` is the `_EXIT_TRACE` taken, if any.
        macro_rules! leave {
            ($status:expr, $target:expr, $sp:expr) => {
                leave!($status, $target, $sp, None)
            };
            ($status:expr, $target:expr, $sp:expr, $exit:expr) => {{
                (*frame).instr = $target;
                (*frame).stack_pointer = $sp;
                return Outcome {
                    status: $status,
                    exit: $exit,
                    uops: count,
                };
            }};
        }
        loop {
            let ins = cur.uops[pc];
            count += 1;
            pc += 1;
            match ins.opcode {
                Uop::NOP => {}
                Uop::LOAD_FAST => {
                    let v = *lp.add(ins.oparg as usize);
                    incref(v);
                    push!(v);
                }
                Uop::LOAD_FAST_CHECK => {
                    let v = *lp.add(ins.oparg as usize);
                    if v == 0 {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    incref(v);
                    push!(v);
                }
                Uop::GUARD_LOCAL_INT => {
                    if *lp.add(ins.oparg as usize) & 1 == 0 {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::GUARD_LOCAL_BOUND => {
                    if *lp.add(ins.oparg as usize) == 0 {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::STORE_FAST => {
                    let v = pop!();
                    let old = std::mem::replace(&mut *lp.add(ins.oparg as usize), v);
                    xdecref(old);
                }
                Uop::LOAD_CONST => {
                    incref(ins.operand);
                    push!(ins.operand);
                }
                Uop::LOAD_CONST_OBJ_PUSH_NULL => {
                    incref(ins.operand);
                    push!(ins.operand);
                    push!(0);
                }
                Uop::POP_TOP => {
                    let v = pop!();
                    decref(v);
                }
                Uop::GUARD_BOTH_INT => {
                    if *sp.sub(1) & *sp.sub(2) & 1 == 0 {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::BINARY_OP_ADD_INT
                | Uop::BINARY_OP_SUBTRACT_INT
                | Uop::BINARY_OP_MULTIPLY_INT
                | Uop::BINARY_OP_RSHIFT_INT
                | Uop::BINARY_OP_MOD_INT
                | Uop::BINARY_OP_FLOOR_DIVIDE_INT
                | Uop::BINARY_OP_POWER_INT => {
                    let (x, y) = (decode_small_int(*sp.sub(2)), decode_small_int(*sp.sub(1)));
                    let r = crate::vm::ops::small_int_binop(int_binop(ins.opcode), x, y);
                    match r.and_then(encode_small_int) {
                        Some(v) => {
                            sp = sp.sub(1);
                            *sp.sub(1) = v;
                        }
                        None => pc = ins.jump_target as usize,
                    }
                }
                Uop::COMPARE_OP_INT => {
                    let b = pop!() as i64;
                    let a = pop!() as i64;
                    let r = match ins.oparg {
                        0 => a < b,
                        1 => a <= b,
                        2 => a == b,
                        3 => a != b,
                        4 => a > b,
                        _ => a >= b,
                    };
                    push!(if r { true_raw() } else { false_raw() });
                }
                Uop::GUARD_IS_TRUE_POP => {
                    if pop!() != true_raw() {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::GUARD_IS_FALSE_POP => {
                    if pop!() == true_raw() {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::GUARD_BOTH_FLOAT => {
                    if kind_of(*sp.sub(1)) != kind::FLOAT || kind_of(*sp.sub(2)) != kind::FLOAT {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::BINARY_OP_ADD_FLOAT
                | Uop::BINARY_OP_SUBTRACT_FLOAT
                | Uop::BINARY_OP_MULTIPLY_FLOAT => {
                    let (a, b) = (*sp.sub(2), *sp.sub(1));
                    let (x, y) = (float_val(a), float_val(b));
                    let r = match ins.opcode {
                        Uop::BINARY_OP_ADD_FLOAT => x + y,
                        Uop::BINARY_OP_SUBTRACT_FLOAT => x - y,
                        _ => x * y,
                    };
                    if (*(a as *const ObjHeader)).refcnt == 1 {
                        (*(a as *mut FloatObj)).value = r;
                        sp = sp.sub(1);
                        decref(b);
                    } else {
                        sp = sp.sub(2);
                        push!(new_float(r));
                        decref(a);
                        decref(b);
                    }
                }
                Uop::COMPARE_OP_FLOAT => {
                    let b = pop!();
                    let a = pop!();
                    let r = float_compare(ins.oparg, float_val(a), float_val(b));
                    push!(if r { true_raw() } else { false_raw() });
                    decref(a);
                    decref(b);
                }
                Uop::BINARY_OP_AND_INT => {
                    let b = pop!();
                    let a = pop!();
                    push!(a & b);
                }
                Uop::BINARY_SUBSCR_LIST_INT
                | Uop::STORE_SUBSCR_LIST_INT
                | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
                | Uop::BINARY_SUBSCR_LIST_INT_LOCALS => {
                    if matches!(
                        ins.opcode,
                        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
                            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
                    ) {
                        // The fused loads: the list and the index, as
                        // `_LOAD_FAST`/`_LOAD_CONST` would push them.
                        let c = *lp.add(ins.oparg as usize);
                        let k = if ins.opcode == Uop::BINARY_SUBSCR_LIST_INT_LOCALS {
                            *lp.add(ins.operand as usize)
                        } else {
                            ins.operand
                        };
                        incref(c);
                        incref(k);
                        push!(c);
                        push!(k);
                    }
                    let c = *sp.sub(2);
                    let Some(slot) = list_int_slot(c, *sp.sub(1)) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    if ins.opcode != Uop::STORE_SUBSCR_LIST_INT {
                        let v = *slot;
                        incref(v);
                        sp = sp.sub(2);
                        push!(v);
                    } else {
                        let v = *sp.sub(3);
                        let old = std::mem::replace(&mut *slot, v);
                        sp = sp.sub(3);
                        decref(old);
                    }
                    decref(c);
                }
                Uop::SWAP => std::ptr::swap(sp.sub(1), sp.sub(ins.oparg as usize)),
                Uop::COPY => {
                    let v = *sp.sub(ins.oparg as usize);
                    incref(v);
                    push!(v);
                }
                Uop::PUSH_NULL => push!(0),
                Uop::TO_BOOL => {
                    let v = *sp.sub(1);
                    if v & 1 == 1 {
                        *sp.sub(1) = if v != 1 { true_raw() } else { false_raw() };
                    } else if v != true_raw() && v != false_raw() {
                        let r = crate::vm::tier2::helpers::cpjit_to_bool(v);
                        if r == 0 {
                            pc = ins.jump_target as usize;
                        } else {
                            *sp.sub(1) = r;
                        }
                    }
                }
                Uop::GUARD_TOS_FLOAT | Uop::GUARD_NOS_FLOAT => {
                    let d = if ins.opcode == Uop::GUARD_TOS_FLOAT {
                        1
                    } else {
                        2
                    };
                    if kind_of(*sp.sub(d)) != kind::FLOAT {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::LOAD_FAST_UNBOXED_FLOAT => {
                    push!(float_val(*lp.add(ins.oparg as usize)).to_bits());
                }
                Uop::LOAD_CONST_UNBOXED => push!(ins.operand),
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED
                | Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED
                | Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => {
                    let y = f64::from_bits(pop!());
                    let x = f64::from_bits(pop!());
                    let r = match ins.opcode {
                        Uop::BINARY_OP_ADD_FLOAT_UNBOXED => x + y,
                        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => x - y,
                        _ => x * y,
                    };
                    push!(r.to_bits());
                }
                Uop::COMPARE_OP_FLOAT_UNBOXED => {
                    let y = f64::from_bits(pop!());
                    let x = f64::from_bits(pop!());
                    push!(if float_compare(ins.oparg, x, y) {
                        true_raw()
                    } else {
                        false_raw()
                    });
                }
                Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT => {
                    let c = *sp.sub(2);
                    let Some(slot) = list_int_slot(c, *sp.sub(1)) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    let f = f64::from_bits(*sp.sub(3));
                    let old = *slot;
                    sp = sp.sub(3);
                    if old & 1 == 0
                        && kind_of(old) == kind::FLOAT
                        && (*(old as *const ObjHeader)).refcnt == 1
                    {
                        (*(old as *mut FloatObj)).value = f;
                    } else {
                        *slot = new_float(f);
                        decref(old);
                    }
                    decref(c);
                }
                Uop::STORE_FAST_UNBOXED_FLOAT => {
                    let f = f64::from_bits(pop!());
                    let slot = lp.add(ins.oparg as usize);
                    let old = *slot;
                    if old != 0
                        && kind_of(old) == kind::FLOAT
                        && (*(old as *const ObjHeader)).refcnt == 1
                    {
                        (*(old as *mut FloatObj)).value = f;
                    } else {
                        *slot = new_float(f);
                        xdecref(old);
                    }
                }
                Uop::BOX_FLOAT_AT => {
                    let p = sp.sub(ins.oparg as usize);
                    *p = new_float(f64::from_bits(*p));
                }
                Uop::UNBOX_FLOAT_AT => {
                    let p = sp.sub(ins.oparg as usize);
                    let v = *p;
                    *p = float_val(v).to_bits();
                    decref(v);
                }
                Uop::BINARY_OP_TRUE_DIVIDE_FLOAT | Uop::BINARY_OP_POWER_FLOAT => {
                    let (a, b) = (*sp.sub(2), *sp.sub(1));
                    let Some(r) = float_arith(ins.opcode, float_val(a), float_val(b)) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    if (*(a as *const ObjHeader)).refcnt == 1 {
                        (*(a as *mut FloatObj)).value = r;
                        sp = sp.sub(1);
                        decref(b);
                    } else {
                        sp = sp.sub(2);
                        push!(new_float(r));
                        decref(a);
                        decref(b);
                    }
                }
                Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED | Uop::BINARY_OP_POWER_FLOAT_UNBOXED => {
                    let (x, y) = (f64::from_bits(*sp.sub(2)), f64::from_bits(*sp.sub(1)));
                    let op = if ins.opcode == Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED {
                        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
                    } else {
                        Uop::BINARY_OP_POWER_FLOAT
                    };
                    let Some(r) = float_arith(op, x, y) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    sp = sp.sub(2);
                    push!(r.to_bits());
                }
                Uop::BINARY_OP_FLOAT_MIXED => {
                    let (a, b) = (*sp.sub(2), *sp.sub(1));
                    let r = match (number(a), number(b)) {
                        (Some((x, fx)), Some((y, fy))) if fx || fy => {
                            float_arith(mixed_float_uop(ins.oparg), x, y)
                        }
                        _ => None,
                    };
                    let Some(r) = r else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    sp = sp.sub(2);
                    push!(new_float(r));
                    decref(a);
                    decref(b);
                }
                // ----- s6-float: unboxed list items, mixed int/float -----
                Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT => {
                    let c = *sp.sub(2);
                    let item = list_int_slot(c, *sp.sub(1)).map(|slot| *slot);
                    let Some(item) = item.filter(|&v| kind_of(v) == kind::FLOAT) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    sp = sp.sub(2);
                    push!(float_val(item).to_bits());
                    decref(c);
                }
                Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
                | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
                | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST => {
                    let c = *lp.add(ins.oparg as usize);
                    let k = if ins.opcode == Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT {
                        *lp.add(ins.operand as usize)
                    } else {
                        ins.operand
                    };
                    let item = list_int_slot(c, k).map(|slot| *slot);
                    let Some(item) = item.filter(|&v| kind_of(v) == kind::FLOAT) else {
                        // The fused loads' values, as they would have pushed them.
                        let times = if ins.opcode == Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST {
                            2
                        } else {
                            1
                        };
                        for _ in 0..times {
                            incref(c);
                            incref(k);
                            push!(c);
                            push!(k);
                        }
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    push!(float_val(item).to_bits());
                }
                Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT => {
                    let v = *lp.add(ins.oparg as usize);
                    if kind_of(v) == kind::FLOAT {
                        push!(float_val(v).to_bits());
                    } else {
                        incref(v);
                        push!(v);
                        pc = ins.jump_target as usize;
                        continue;
                    }
                }
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST => {
                    let f = f64::from_bits(pop!());
                    // The read before it checked the list, the index and
                    // the item, and nothing between can change them.
                    if let Some(slot) = list_int_slot(*lp.add(ins.oparg as usize), ins.operand) {
                        let old = *slot;
                        if kind_of(old) == kind::FLOAT && (*(old as *const ObjHeader)).refcnt == 1 {
                            (*(old as *mut FloatObj)).value = f;
                        } else {
                            *slot = new_float(f);
                            decref(old);
                        }
                    }
                }
                Uop::BINARY_OP_FLOAT_INT_UNBOXED => {
                    let (a, b) = (*sp.sub(2), *sp.sub(1));
                    let int_left = ins.oparg & 8 != 0;
                    let (x, y) = if int_left {
                        (decode_small_int(a) as f64, f64::from_bits(b))
                    } else {
                        (f64::from_bits(a), decode_small_int(b) as f64)
                    };
                    let Some(r) = float_arith(mixed_float_uop(ins.oparg & 7), x, y) else {
                        pc = ins.jump_target as usize;
                        continue;
                    };
                    sp = sp.sub(2);
                    push!(r.to_bits());
                }
                Uop::LOAD_DEREF => {
                    let cell = *lp.add(ins.oparg as usize) as *const CellObj;
                    let v = (*cell).value;
                    if v == 0 {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    incref(v);
                    push!(v);
                }
                Uop::STORE_DEREF => {
                    let v = pop!();
                    let cell = *lp.add(ins.oparg as usize) as *mut CellObj;
                    let old = std::mem::replace(&mut (*cell).value, v);
                    xdecref(old);
                }
                Uop::GUARD_ITER_RANGE | Uop::GUARD_ITER_LIST => {
                    let it = *sp.sub(1);
                    let want = if ins.opcode == Uop::GUARD_ITER_RANGE {
                        iter_tag::RANGE
                    } else {
                        iter_tag::LIST
                    };
                    let ok = it & 1 == 0
                        && kind_of(it) == ins.operand as u32
                        && (*(it as *const RangeIterObj)).state.tag == want
                        && (want != iter_tag::RANGE
                            || encode_small_int((*(it as *const RangeIterObj)).state.next)
                                .is_some());
                    if !ok {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::FOR_ITER_RANGE => {
                    let it = *sp.sub(1);
                    let st = &mut (*(it as *mut RangeIterObj)).state;
                    if (st.step > 0 && st.next < st.stop) || (st.step < 0 && st.next > st.stop) {
                        let v = st.next;
                        st.next = v.wrapping_add(st.step);
                        push!(encode_small_int(v).unwrap_or(1));
                    } else {
                        sp = sp.sub(1);
                        decref(it);
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::FOR_ITER_LIST | Uop::FOR_ITER_TUPLE => {
                    let it = *sp.sub(1);
                    match seq_iter_next(it, ins.opcode == Uop::FOR_ITER_TUPLE) {
                        Some(v) => push!(v),
                        None => {
                            sp = sp.sub(1);
                            decref(it);
                            pc = ins.jump_target as usize;
                        }
                    }
                }
                Uop::PUSH_FRAME
                | Uop::PUSH_FRAME_KNOWN
                | Uop::PUSH_FRAME_ARGS_1
                | Uop::PUSH_FRAME_ARGS_2
                | Uop::PUSH_FRAME_ARGS_3 => {
                    let f = crate::vm::tier2::helpers::cpjit_push_frame(
                        frame,
                        sp,
                        tstate,
                        ins.oparg as u64,
                        ins.operand,
                        ins.target as u64,
                    );
                    if f.is_null() {
                        pc = ins.jump_target as usize;
                    } else {
                        frame = f;
                        sp = (*frame).stack_pointer;
                        lp = (*frame).localsplus.as_mut_ptr();
                    }
                }
                Uop::POP_FRAME | Uop::POP_FRAME_CLEAN => {
                    frame = crate::vm::tier2::helpers::cpjit_pop_frame(frame, sp, tstate);
                    sp = (*frame).stack_pointer;
                    lp = (*frame).localsplus.as_mut_ptr();
                }
                Uop::CALL_EXECUTOR
                | Uop::CALL_EXECUTOR_KNOWN
                | Uop::CALL_EXECUTOR_ARGS_1
                | Uop::CALL_EXECUTOR_ARGS_2
                | Uop::CALL_EXECUTOR_ARGS_3
                | Uop::CALL_EXECUTOR_LEAF_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_2 => {
                    // SAFETY: a _CALL_EXECUTOR's operand is the entry slot of
                    // a code object the trace holds; a non-null trace there
                    // is registered (invalidation clears the slot first).
                    let slot = crate::vm::bytecode::EntrySlot::at(ins.operand);
                    let n = ins.oparg as usize;
                    if ins.opcode.is_leaf_call() && leaf_answer(slot, sp, n, tstate) {
                        sp = sp.sub(n + 1);
                        continue;
                    }
                    let callee = slot.trace.get() as *const Trace;
                    if callee.is_null() {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    let f = crate::vm::tier2::helpers::cpjit_push_frame(
                        frame,
                        sp,
                        tstate,
                        ins.oparg as u64,
                        ins.operand,
                        ins.target as u64,
                    );
                    if f.is_null() {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    Rc::increment_strong_count(callee);
                    let o = run(Rc::from_raw(callee), f, (*f).stack_pointer, tstate);
                    count += o.uops;
                    if o.status != status::RETURNED || (*tstate).current_frame != f {
                        return Outcome {
                            status: o.status,
                            exit: o.exit,
                            uops: count,
                        };
                    }
                    frame =
                        crate::vm::tier2::helpers::cpjit_pop_frame(f, (*f).stack_pointer, tstate);
                    sp = (*frame).stack_pointer;
                    lp = (*frame).localsplus.as_mut_ptr();
                }
                Uop::RETURN_CLEAN => {
                    let top = sp.sub(1);
                    if top == lp.add(ins.oparg as usize) {
                        *lp = *top;
                        sp = lp.add(1);
                    }
                    leave!(status::RETURNED, ins.target, sp)
                }
                Uop::RETURN => leave!(status::RETURNED, ins.target, sp),
                Uop::RETURN_LOCAL => {
                    let rv = *lp.add(ins.oparg as usize);
                    incref(rv);
                    push!(rv);
                    leave!(status::RETURNED, ins.target, sp)
                }
                Uop::RETURN_LOCAL_INT => {
                    let rv = *lp.add(ins.oparg as usize);
                    let at = if sp == lp.add((*frame).nlocalsplus as usize) {
                        lp
                    } else {
                        sp
                    };
                    *at = rv;
                    leave!(status::RETURNED, ins.target, at.add(1))
                }
                Uop::UNPACK_SEQUENCE => {
                    let v = *sp.sub(1);
                    let n = ins.oparg as usize;
                    let items: &[u64] = match kind_of(v) {
                        kind::TUPLE => crate::vm::obj::tuple_items(v),
                        kind::LIST => crate::vm::obj::list_items(v),
                        _ => &[],
                    };
                    if v & 1 == 1
                        || !matches!(kind_of(v), kind::TUPLE | kind::LIST)
                        || items.len() != n
                    {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    sp = sp.sub(1);
                    for &it in items.iter().rev() {
                        incref(it);
                        push!(it);
                    }
                    decref(v);
                }
                Uop::BUILD_TUPLE => {
                    let n = ins.oparg as usize;
                    sp = sp.sub(n);
                    let t = crate::vm::tier2::fast_helpers::cpjit_build_tuple(sp, n as u64);
                    push!(t);
                }
                // ----- dicts, lists and tuples (s6-dict) -----
                Uop::BINARY_SUBSCR_DICT => {
                    let (c, k) = (*sp.sub(2), *sp.sub(1));
                    match container_helpers::cpjit_dict_subscr(c, k) {
                        0 => pc = ins.jump_target as usize,
                        v => {
                            sp = sp.sub(2);
                            push!(v);
                        }
                    }
                }
                // ----- s8-containers -----
                Uop::GUARD_CELL_BOUND => {
                    let cell = *lp.add(ins.oparg as usize) as *const CellObj;
                    if (*cell).value == 0 {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::BINARY_SUBSCR_DICT_CELL_LOCAL => {
                    let cell = *lp.add(ins.oparg as usize) as *const CellObj;
                    let (c, k) = ((*cell).value, *lp.add(ins.operand as usize));
                    match container_helpers::cpjit_dict_lookup(c, k) {
                        0 => {
                            incref(c);
                            incref(k);
                            push!(c);
                            push!(k);
                            pc = ins.jump_target as usize;
                        }
                        v => push!(v),
                    }
                }
                Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST => {
                    let cell = *lp.add((ins.oparg & 0xffff) as usize) as *const CellObj;
                    let (c, k) = ((*cell).value, ins.operand);
                    let delta = i64::from((ins.oparg >> 16) as u16 as i16);
                    if !container_helpers::dict_item_add_in_place(c, k, delta) {
                        for v in [c, k, c, k] {
                            incref(v);
                            push!(v);
                        }
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::STORE_SUBSCR_DICT => {
                    let (v, c, k) = (*sp.sub(3), *sp.sub(2), *sp.sub(1));
                    match container_helpers::cpjit_dict_store(v, c, k) {
                        0 => pc = ins.jump_target as usize,
                        _ => sp = sp.sub(3),
                    }
                }
                Uop::LOAD_METHOD_LIST | Uop::LOAD_METHOD_DICT => {
                    let recv = *sp.sub(1);
                    let want = if ins.opcode == Uop::LOAD_METHOD_LIST {
                        kind::LIST
                    } else {
                        kind::DICT
                    };
                    if recv & 1 == 1 || kind_of(recv) != want {
                        pc = ins.jump_target as usize;
                    } else {
                        incref(ins.operand);
                        *sp.sub(1) = ins.operand;
                        push!(recv);
                    }
                }
                Uop::CALL_LIST_APPEND => {
                    let (m, list, x) = (*sp.sub(3), *sp.sub(2), *sp.sub(1));
                    let l = list as *mut ListObj;
                    if (*l).len < (*l).cap {
                        *(*l).items.add((*l).len as usize) = x;
                        (*l).len += 1;
                    } else {
                        container_helpers::cpjit_list_append(list, x);
                    }
                    sp = sp.sub(3);
                    decref(list);
                    decref(m);
                    push!(crate::vm::obj::none_raw());
                }
                Uop::CALL_LIST_POP => {
                    let n = ins.oparg as usize;
                    let base = sp.sub(n + 2);
                    let i = if n == 0 { 0 } else { *sp.sub(1) };
                    let (m, list) = (*base, *base.add(1));
                    match container_helpers::cpjit_list_pop(list, i) {
                        0 => pc = ins.jump_target as usize,
                        item => {
                            *base = item;
                            sp = base.add(1);
                            decref(list);
                            decref(m);
                        }
                    }
                }
                Uop::CALL_DICT_GET => {
                    let base = sp.sub(ins.oparg as usize + 2);
                    match container_helpers::cpjit_dict_get(base, ins.oparg as u64) {
                        0 => pc = ins.jump_target as usize,
                        v => {
                            *base = v;
                            sp = base.add(1);
                        }
                    }
                }
                Uop::GUARD_ITER_TUPLE => {
                    let it = *sp.sub(1);
                    let ok = it & 1 == 0
                        && kind_of(it) == ins.operand as u32
                        && (*(it as *const ListIterObj)).state.tag == iter_tag::TUPLE;
                    if !ok {
                        pc = ins.jump_target as usize;
                    }
                }
                // ----- containers and strings (s7-containers) -----
                Uop::BUILD_LIST => {
                    let n = ins.oparg as usize;
                    sp = sp.sub(n);
                    let l = container_helpers::cpjit_build_list(sp, n as u64);
                    push!(l);
                }
                Uop::CALL_LEN => {
                    let (callable, null, x) = (*sp.sub(3), *sp.sub(2), *sp.sub(1));
                    let r = if callable == ins.operand && null == 0 {
                        container_helpers::cpjit_len(x)
                    } else {
                        0
                    };
                    if r == 0 {
                        pc = ins.jump_target as usize;
                    } else {
                        sp = sp.sub(3);
                        push!(r);
                        decref(x);
                        decref(callable);
                    }
                }
                // ----- s8-calls -----
                Uop::GET_ITER_LIST => {
                    let v = *sp.sub(1);
                    if v & 1 == 0 && v != 0 && kind_of(v) == kind::LIST {
                        // The iterator takes the stack's reference.
                        *sp.sub(1) = crate::vm::tier2::iter_helpers::cpjit_new_list_iter(v);
                    } else {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::RETURN_LOCAL_CHECKED => {
                    let rv = *lp.add(ins.oparg as usize);
                    if rv == 0 {
                        pc = ins.jump_target as usize;
                        continue;
                    }
                    incref(rv);
                    push!(rv);
                    leave!(status::RETURNED, ins.target, sp)
                }
                Uop::RETURN_CLEAN_ALONE => {
                    *lp = *sp.sub(1);
                    leave!(status::RETURNED, ins.target, lp.add(1))
                }
                Uop::RETURN_LOCAL_INT_ALONE => {
                    *lp = *lp.add(ins.oparg as usize);
                    leave!(status::RETURNED, ins.target, lp.add(1))
                }
                Uop::CALL_RANGE_ITER => {
                    let base = sp.sub(ins.oparg as usize + 2);
                    match crate::vm::tier2::iter_helpers::cpjit_range_iter(
                        base,
                        ins.oparg as u64,
                        ins.operand,
                    ) {
                        0 => pc = ins.jump_target as usize,
                        it => {
                            *base = it;
                            sp = base.add(1);
                        }
                    }
                }
                Uop::BINARY_SLICE => {
                    let (c, a, b) = (*sp.sub(3), *sp.sub(2), *sp.sub(1));
                    match crate::vm::tier2::fast_helpers::cpjit_binary_slice(c, a, b) {
                        0 => pc = ins.jump_target as usize,
                        r => {
                            sp = sp.sub(3);
                            push!(r);
                        }
                    }
                }
                Uop::UNARY_NEGATIVE | Uop::UNARY_NEGATIVE_FLOAT => {
                    let v = *sp.sub(1);
                    if v & 1 == 1 {
                        match decode_small_int(v).checked_neg().and_then(encode_small_int) {
                            Some(r) => *sp.sub(1) = r,
                            None => pc = ins.jump_target as usize,
                        }
                    } else if kind_of(v) == kind::FLOAT {
                        negate_top_float(sp);
                    } else {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::UNARY_NEGATIVE_FLOAT_UNBOXED => *sp.sub(1) ^= 1 << 63,
                Uop::UNARY_NOT => {
                    let v = *sp.sub(1);
                    if v & 1 == 1 || v == true_raw() || v == false_raw() {
                        let falsy = v == 1 || v == false_raw();
                        *sp.sub(1) = if falsy { true_raw() } else { false_raw() };
                    } else {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::IS_OP => {
                    let b = pop!();
                    let a = pop!();
                    let r = (a == b) != (ins.oparg != 0);
                    push!(if r { true_raw() } else { false_raw() });
                    decref(a);
                    decref(b);
                }
                Uop::LOAD_FAST_INT
                | Uop::STORE_FAST_INT
                | Uop::LOAD_CONST_IMMORTAL
                | Uop::GUARD_INT_LT
                | Uop::GUARD_INT_LE
                | Uop::GUARD_INT_EQ
                | Uop::GUARD_INT_NE
                | Uop::GUARD_INT_GT
                | Uop::GUARD_INT_GE
                | Uop::GUARD_INT_LT_LOCALS
                | Uop::GUARD_INT_LE_LOCALS
                | Uop::GUARD_INT_EQ_LOCALS
                | Uop::GUARD_INT_NE_LOCALS
                | Uop::GUARD_INT_GT_LOCALS
                | Uop::GUARD_INT_GE_LOCALS
                | Uop::GUARD_INT_LT_LOCAL_CONST
                | Uop::GUARD_INT_LE_LOCAL_CONST
                | Uop::GUARD_INT_EQ_LOCAL_CONST
                | Uop::GUARD_INT_NE_LOCAL_CONST
                | Uop::GUARD_INT_GT_LOCAL_CONST
                | Uop::GUARD_INT_GE_LOCAL_CONST
                | Uop::BINARY_OP_ADD_INT_LOCAL_CONST
                | Uop::BINARY_OP_SUBTRACT_INT_LOCAL_CONST
                | Uop::BINARY_OP_ADD_INT_LOCALS
                | Uop::BINARY_OP_SUBTRACT_INT_LOCALS
                | Uop::INPLACE_ADD_INT_LOCAL_CONST
                | Uop::INPLACE_SUBTRACT_INT_LOCAL_CONST
                | Uop::INPLACE_ADD_INT_LOCALS
                | Uop::INPLACE_SUBTRACT_INT_LOCALS
                | Uop::STORE_SUBSCR_LIST_INT_LOCALS
                | Uop::GUARD_AND_INT_ZERO_LOCAL_CONST
                | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST
                | Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
                | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
                | Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST
                | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL
                | Uop::BINARY_OP_ADD_INT_TOP_CONST
                | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST
                | Uop::SWAP_LIST_ITEMS_LOCALS
                | Uop::STORE_SUBSCR_LIST_INT_KNOWN
                | Uop::BINARY_SUBSCR_LIST_INT_KNOWN
                | Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST
                | Uop::SWAP_LIST_ITEMS_KNOWN
                | Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL
                | Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => {
                    // SAFETY: the optimizer made these uops for the locals
                    // and stack values it proved.
                    if crate::vm::tier2::int_uops::interpret(&ins, lp, &mut sp) == Some(true) {
                        pc = ins.jump_target as usize;
                    }
                }
                // ----- s7-float -----
                cpjit_abi::float_expr_uops!() => {
                    // SAFETY: the optimizer made these uops for the locals
                    // and stack values it proved.
                    if crate::vm::tier2::float_fuse::interpret(&ins, lp, &mut sp) {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::SET_IP => (*frame).instr = ins.oparg,
                Uop::JUMP_TO_TOP => pc = 0,
                Uop::JUMP_TO_LOOP => pc = ins.jump_target as usize,
                Uop::CHECK_VALIDITY => {
                    if !cur.valid.get() {
                        pc = ins.jump_target as usize;
                    }
                }
                Uop::CALL_HELPER => {
                    count_helper(frame, ins.target);
                    // SAFETY: projection puts only helper addresses with this
                    // signature in a _CALL_HELPER's operand.
                    let f: StepHelper =
                        std::mem::transmute::<usize, StepHelper>(ins.operand as usize);
                    let r = f(frame, sp, tstate, ins.oparg as u64, ins.target as u64);
                    if r.is_null() {
                        sp = (*frame).stack_pointer;
                        pc = ins.error_target as usize;
                    } else if r as usize & 1 != 0 {
                        sp = (r as usize & !1) as *mut u64;
                        pc = ins.jump_target as usize;
                    } else {
                        sp = r;
                    }
                }
                Uop::EXIT_TRACE => {
                    let slot = &cur.exits[ins.exit_index as usize];
                    let next = slot
                        .linked
                        .borrow()
                        .as_ref()
                        .filter(|t| t.valid.get())
                        .cloned();
                    if let Some(next) = next {
                        pc = slot.linked_at.get();
                        cur = next;
                        continue;
                    }
                    let t = slot.temperature.get().saturating_add(1);
                    slot.temperature.set(t);
                    let st = if t >= (*tstate).side_exit_threshold {
                        status::HOT_EXIT
                    } else {
                        status::EXIT
                    };
                    leave!(st, ins.target, sp, Some((cur.clone(), ins.exit_index)))
                }
                Uop::DEOPT => leave!(status::EXIT, ins.target, sp),
                Uop::ERROR_POP_N => {
                    leave!(status::ERROR, ins.target, sp.sub(ins.oparg as usize))
                }
            }
        }
    }
}

/// `x <op> y` for a float operation uop (`+ - *`, or `/` and `**`, which
/// are `None` where the templates exit: a zero divisor, a NaN from
/// `cpjit_float_pow`).
fn float_arith(op: Uop, x: f64, y: f64) -> Option<f64> {
    match op {
        Uop::BINARY_OP_ADD_FLOAT => Some(x + y),
        Uop::BINARY_OP_SUBTRACT_FLOAT => Some(x - y),
        Uop::BINARY_OP_MULTIPLY_FLOAT => Some(x * y),
        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT => (y != 0.0).then(|| x / y),
        _ => {
            let r = f64::from_bits(crate::vm::tier2::fast_helpers::cpjit_float_pow(
                x.to_bits(),
                y.to_bits(),
            ));
            (!r.is_nan()).then_some(r)
        }
    }
}

/// The float operation uop for `_BINARY_OP_FLOAT_MIXED`'s operator
/// `oparg` (0..4: `+ - * / **`).
fn mixed_float_uop(oparg: u32) -> Uop {
    match oparg {
        0 => Uop::BINARY_OP_ADD_FLOAT,
        1 => Uop::BINARY_OP_SUBTRACT_FLOAT,
        2 => Uop::BINARY_OP_MULTIPLY_FLOAT,
        3 => Uop::BINARY_OP_TRUE_DIVIDE_FLOAT,
        _ => Uop::BINARY_OP_POWER_FLOAT,
    }
}

/// A float or small int as a double, and whether it was a float.
fn number(v: u64) -> Option<(f64, bool)> {
    if v & 1 == 1 {
        Some((decode_small_int(v) as f64, false))
    } else if kind_of(v) == kind::FLOAT {
        Some((float_val(v), true))
    } else {
        None
    }
}

/// `x <op> y` for a comparison oparg (0 `<`, 1 `<=`, 2 `==`, 3 `!=`, 4 `>`, 5 `>=`).
fn float_compare(op: u32, x: f64, y: f64) -> bool {
    match op {
        0 => x < y,
        1 => x <= y,
        2 => x == y,
        3 => x != y,
        4 => x > y,
        _ => x >= y,
    }
}

/// Replaces the float at the top of the stack `sp` by its negation, in its
/// own box when the stack holds the only reference (as `_UNARY_NEGATIVE_FLOAT`).
///
/// # Safety
/// The top of the stack is a live float.
unsafe fn negate_top_float(sp: *mut u64) {
    // SAFETY: the caller's contract.
    unsafe {
        let v = *sp.sub(1);
        let r = -float_val(v);
        if (*(v as *const ObjHeader)).refcnt == 1 {
            (*(v as *mut FloatObj)).value = r;
        } else {
            *sp.sub(1) = new_float(r);
            decref(v);
        }
    }
}

/// The `binop` number of a small-int arithmetic uop.
fn int_binop(u: Uop) -> u32 {
    use crate::vm::bytecode::binop;
    match u {
        Uop::BINARY_OP_ADD_INT => binop::ADD,
        Uop::BINARY_OP_SUBTRACT_INT => binop::SUB,
        Uop::BINARY_OP_MULTIPLY_INT => binop::MUL,
        Uop::BINARY_OP_RSHIFT_INT => binop::RSHIFT,
        Uop::BINARY_OP_MOD_INT => binop::MOD,
        Uop::BINARY_OP_FLOOR_DIVIDE_INT => binop::FLOORDIV,
        _ => binop::POW,
    }
}
