//! Unboxed floats: the optimizer's second pass.
//!
//! Every float `+`, `-`, `*` and comparison of the body becomes its
//! `_UNBOXED` form, which works on stack words holding `f64` bits instead of
//! float objects, so no box is allocated or released for a temporary. A value
//! is kept unboxed from the uop that makes it (a float operation, a load of a
//! local known to hold a float, a float constant) to the uop that consumes it
//! (a float operation, a comparison, a store to a local) when no uop between
//! them inspects it as an object; otherwise it is boxed right after it is made
//! (`_BOX_FLOAT_AT 1`) or unboxed right before it is used (`_UNBOX_FLOAT_AT`).
//!
//! Exits stay exact: an exit taken while unboxed values are on the stack goes
//! through a new stub that boxes them (`_BOX_FLOAT_AT`) before the original
//! exit, so tier 1 (or a linked side trace) sees the frame it expects. A
//! `_CALL_HELPER` sees only boxed values: it pins everything on the stack;
//! so do `_PUSH_FRAME` and `_POP_FRAME` (inside an inlined callee, values
//! are modelled on the callee's stack, and its exits box them the same way),
//! except the return value, which `_POP_FRAME` moves as it is.
//!
//! A list item (`_BINARY_SUBSCR_LIST_INT`) that a float guard checks and a
//! float operation consumes is read unboxed
//! (`_BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT`, which checks the item itself,
//! so the guard drops it), and so is a local loaded right before a float
//! guard checks it (`_LOAD_FAST_GUARD_UNBOXED_FLOAT`, which leaves through
//! the guard's exit); a `_BINARY_OP_FLOAT_MIXED` of a known float and
//! a known small int becomes `_BINARY_OP_FLOAT_INT_UNBOXED`.

use crate::abi::layout::kind;
use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::obj::{float_val, kind_of};
use crate::vm::tier2::optimize::{is_small_int_binary_op, small_int_binary_op_may_exit};
use std::collections::HashMap;

/// One value made in the trace body.
struct Val {
    /// Its maker can make it unboxed.
    unboxable: bool,
    /// A uop that can take it unboxed consumes it.
    consumed: bool,
    /// Some uop inspects it as an object (or its consumer is not known).
    pinned: bool,
    /// A list item: unboxable only once a float guard checked it.
    needs_guard: bool,
    /// A float guard checked it (for a `needs_guard` value).
    guarded: bool,
    /// Known to be a small int (a small int load or constant, or the
    /// result of a small int operation, which exits rather than overflow).
    small_int: bool,
    /// A fresh float result (of a float operation): may be stored unboxed.
    fresh: bool,
}

/// What scan 1 records about one body uop.
#[derive(Default)]
struct Step {
    /// Values it consumes, deepest first (left operand, then right).
    uses: Vec<usize>,
    /// The value it makes.
    makes: Option<usize>,
    /// For a uop that can exit: the modelled values on the stack when it
    /// exits, with their depth (1 = top).
    at_exit: Vec<(u32, usize)>,
    /// For a float guard: the depths it checks and the values there.
    guards: Vec<(u32, Option<usize>)>,
    /// For a `_BINARY_OP_FLOAT_MIXED` of a known float and a known small
    /// int: whether the int is the left operand (the uop then becomes
    /// `_BINARY_OP_FLOAT_INT_UNBOXED`; `uses` holds the float).
    mixed: Option<bool>,
}

fn is_float_arith(u: Uop) -> bool {
    matches!(
        u,
        Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
            | Uop::BINARY_OP_POWER_FLOAT
            | Uop::UNARY_NEGATIVE_FLOAT
    )
}

/// Float operations that can exit (stack unchanged) after the unboxing
/// pass converted them: their operands are unboxed when they exit.
fn exits_with_unboxed_operands(u: Uop) -> bool {
    matches!(
        u,
        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT | Uop::BINARY_OP_POWER_FLOAT
    )
}

fn unboxed_form(u: Uop) -> Uop {
    match u {
        Uop::BINARY_OP_ADD_FLOAT => Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
        Uop::BINARY_OP_SUBTRACT_FLOAT => Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED,
        Uop::BINARY_OP_MULTIPLY_FLOAT => Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
        Uop::COMPARE_OP_FLOAT => Uop::COMPARE_OP_FLOAT_UNBOXED,
        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT => Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED,
        Uop::BINARY_OP_POWER_FLOAT => Uop::BINARY_OP_POWER_FLOAT_UNBOXED,
        Uop::UNARY_NEGATIVE_FLOAT => Uop::UNARY_NEGATIVE_FLOAT_UNBOXED,
        other => other,
    }
}

/// Uops that leave through `jump_target` with the stack as it was before them.
fn exits_before(u: Uop) -> bool {
    small_int_binary_op_may_exit(u)
        || matches!(
            u,
            Uop::GUARD_BOTH_INT
                | Uop::GUARD_LOCAL_INT
                | Uop::GUARD_LOCAL_BOUND
                | Uop::GUARD_BOTH_FLOAT
                | Uop::GUARD_TOS_FLOAT
                | Uop::GUARD_NOS_FLOAT
                | Uop::LOAD_FAST_CHECK
                | Uop::TO_BOOL
                | Uop::BINARY_SUBSCR_LIST_INT
                | Uop::STORE_SUBSCR_LIST_INT
                | Uop::CHECK_VALIDITY
                | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
                | Uop::BINARY_OP_POWER_FLOAT
                | Uop::BINARY_OP_FLOAT_MIXED
                | Uop::LOAD_DEREF
                | Uop::GUARD_ITER_RANGE
                | Uop::GUARD_ITER_LIST
                | Uop::PUSH_FRAME
                | Uop::PUSH_FRAME_KNOWN
                | Uop::PUSH_FRAME_ARGS_1
                | Uop::PUSH_FRAME_ARGS_2
                | Uop::PUSH_FRAME_ARGS_3
                | Uop::UNPACK_SEQUENCE
                | Uop::BINARY_SLICE
                | Uop::CALL_RANGE_ITER
                | Uop::CALL_LEN
                | Uop::UNARY_NEGATIVE
                | Uop::UNARY_NOT
                | Uop::BINARY_SUBSCR_DICT
                | Uop::STORE_SUBSCR_DICT
                | Uop::LOAD_METHOD_LIST
                | Uop::LOAD_METHOD_DICT
                | Uop::CALL_LIST_POP
                | Uop::CALL_DICT_GET
                | Uop::GUARD_ITER_TUPLE
                | Uop::GET_ITER_LIST
        )
}

/// Whether `u` (the uop after a `_LOAD_FAST`) is a `_BINARY_OP_FLOAT_MIXED`
/// of `+ - * / **` whose left operand, `left` (under the loaded value), is
/// a known small int.
fn mixed_with_small_int(u: Option<&UopInstruction>, left: Option<usize>, m: &Model) -> bool {
    u.is_some_and(|u| u.opcode == Uop::BINARY_OP_FLOAT_MIXED && u.oparg <= 4)
        && left.is_some_and(|v| m.vals[v].small_int)
}

/// Whether `u` is a float guard that checks the top of the stack.
fn guards_top_float(u: Option<&UopInstruction>) -> bool {
    u.is_some_and(|u| matches!(u.opcode, Uop::GUARD_BOTH_FLOAT | Uop::GUARD_TOS_FLOAT))
}

fn is_float_const(v: u64) -> bool {
    v != 0 && v & 1 == 0 && kind_of(v) == kind::FLOAT
}

/// The abstract stack of scan 1: value ids (None: not modelled).
struct Model {
    vals: Vec<Val>,
    stack: Vec<Option<usize>>,
}

impl Model {
    fn make(&mut self, unboxable: bool) -> usize {
        self.vals.push(Val {
            unboxable,
            consumed: false,
            pinned: false,
            needs_guard: false,
            guarded: false,
            small_int: false,
            fresh: false,
        });
        let id = self.vals.len() - 1;
        self.stack.push(Some(id));
        id
    }
    fn pop(&mut self) -> Option<usize> {
        self.stack.pop().flatten()
    }
    fn peek(&self, depth: usize) -> Option<usize> {
        if depth == 0 || depth > self.stack.len() {
            None
        } else {
            self.stack[self.stack.len() - depth]
        }
    }
    fn pin(&mut self, v: Option<usize>) {
        if let Some(v) = v {
            self.vals[v].pinned = true;
        }
    }
    fn pin_depth(&mut self, depth: usize) {
        self.pin(self.peek(depth));
    }
    fn pin_all(&mut self) {
        for k in 0..self.stack.len() {
            self.pin(self.stack[k]);
        }
    }
    fn pop_pinned(&mut self, n: usize) {
        for _ in 0..n {
            let v = self.pop();
            self.pin(v);
        }
    }
    /// Makes a value known to be a small int.
    fn make_small_int(&mut self) -> usize {
        let id = self.make(false);
        self.vals[id].small_int = true;
        id
    }
    /// Makes a fresh float result.
    fn make_fresh(&mut self) -> usize {
        let id = self.make(true);
        self.vals[id].fresh = true;
        id
    }
    /// A float guard at `depths`: list items it checks may be unboxed,
    /// anything else it sees stays an object.
    fn guard_floats(&mut self, depths: &[u32]) -> Vec<(u32, Option<usize>)> {
        let mut out = Vec::new();
        for &d in depths {
            let v = self.peek(d as usize);
            match v {
                Some(id) if self.vals[id].needs_guard => self.vals[id].guarded = true,
                _ => self.pin(v),
            }
            out.push((d, v));
        }
        out
    }
    /// `v` can be consumed unboxed without a guard: made unboxable (a
    /// known float) and not pinned (a value is pinned only while it is on
    /// the stack, so at its consumer this is final).
    fn direct_float(&self, v: Option<usize>) -> Option<usize> {
        v.filter(|&v| {
            let x = &self.vals[v];
            x.unboxable && !x.pinned && (!x.needs_guard || x.guarded)
        })
    }
    fn snapshot(&self) -> Vec<(u32, usize)> {
        let n = self.stack.len();
        self.stack
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| ((n - i) as u32, v)))
            .collect()
    }
}

/// Scan 1: the values of the body, who makes and consumes them, and which
/// are on the stack at each exit. Returns the steps and the body's end.
fn scan(uops: &[UopInstruction], float_load: &[bool], m: &mut Model) -> (Vec<Step>, usize) {
    let mut steps: Vec<Step> = Vec::new();
    let mut end = uops.len();
    for (k, u) in uops.iter().enumerate() {
        let mut st = Step::default();
        if exits_before(u.opcode) {
            st.at_exit = m.snapshot();
        }
        match u.opcode {
            Uop::LOAD_FAST => {
                let f = float_load.get(k).copied().unwrap_or(false);
                let id = m.make(f);
                if !f && guards_top_float(uops.get(k + 1)) {
                    // Checked by the float guard right after it: may be
                    // loaded unboxed by a load that checks it itself,
                    // leaving (the value pushed boxed) through the
                    // guard's exit; the values under it are boxed there.
                    m.vals[id].unboxable = true;
                    m.vals[id].needs_guard = true;
                    st.at_exit = m.snapshot().into_iter().filter(|&(_, v)| v != id).collect();
                } else if !f && mixed_with_small_int(uops.get(k + 1), m.peek(2), m) {
                    // The float operand of a mixed operation whose other
                    // operand is a known small int (`i * h`): loaded
                    // unboxed by a load that checks it is a float itself,
                    // leaving (the value pushed boxed) through the mixed
                    // operation's exit, which tier 1 then redoes.
                    m.vals[id].unboxable = true;
                    m.vals[id].needs_guard = true;
                    m.vals[id].guarded = true;
                    st.at_exit = m.snapshot().into_iter().filter(|&(_, v)| v != id).collect();
                }
                st.makes = Some(id);
            }
            Uop::LOAD_CONST if u.operand & 1 == 1 => st.makes = Some(m.make_small_int()),
            Uop::LOAD_CONST => st.makes = Some(m.make(is_float_const(u.operand))),
            Uop::LOAD_FAST_INT => st.makes = Some(m.make_small_int()),
            Uop::LOAD_FAST_CHECK | Uop::PUSH_NULL => st.makes = Some(m.make(false)),
            Uop::STORE_FAST_INT => m.pop_pinned(1),
            Uop::STORE_FAST => {
                // Only a fresh result may be stored unboxed: storing a
                // loaded value or a constant must keep the object's identity.
                if let Some(v) = m.pop() {
                    if m.vals[v].fresh {
                        m.vals[v].consumed = true;
                    } else {
                        m.vals[v].pinned = true;
                    }
                    st.uses.push(v);
                }
            }
            Uop::POP_TOP | Uop::GUARD_IS_TRUE_POP | Uop::GUARD_IS_FALSE_POP => {
                m.pop_pinned(1);
                if u.opcode != Uop::POP_TOP {
                    st.at_exit = m.snapshot();
                }
            }
            Uop::GUARD_BOTH_INT => {
                m.pin_depth(1);
                m.pin_depth(2);
            }
            Uop::GUARD_BOTH_FLOAT => st.guards = m.guard_floats(&[2, 1]),
            Uop::GUARD_TOS_FLOAT => st.guards = m.guard_floats(&[1]),
            Uop::GUARD_NOS_FLOAT => st.guards = m.guard_floats(&[2]),
            Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
            | Uop::BINARY_OP_POWER_FLOAT
            | Uop::COMPARE_OP_FLOAT => {
                let right = m.pop();
                let left = m.pop();
                for v in [left, right] {
                    match v {
                        Some(v) => {
                            m.vals[v].consumed = true;
                            st.uses.push(v);
                        }
                        // Not modelled: cannot convert this uop.
                        None => st.uses.push(usize::MAX),
                    }
                }
                st.makes = Some(if is_float_arith(u.opcode) {
                    m.make_fresh()
                } else {
                    m.make(false)
                });
            }
            op if is_small_int_binary_op(op) => {
                // Small int operations exit rather than overflow.
                m.pop_pinned(2);
                st.makes = Some(m.make_small_int());
            }
            Uop::BINARY_SUBSCR_LIST_INT => {
                // Unboxed (read straight from the list) if a float guard
                // checks it and a float operation consumes it.
                m.pop_pinned(2);
                let id = m.make(true);
                m.vals[id].needs_guard = true;
                st.makes = Some(id);
            }
            Uop::COMPARE_OP_INT | Uop::IS_OP => {
                m.pop_pinned(2);
                st.makes = Some(m.make(false));
            }
            Uop::UNARY_NEGATIVE_FLOAT => {
                match m.pop() {
                    Some(v) => {
                        m.vals[v].consumed = true;
                        st.uses.push(v);
                    }
                    None => st.uses.push(usize::MAX),
                }
                st.makes = Some(m.make_fresh());
            }
            Uop::UNARY_NEGATIVE | Uop::UNARY_NOT => {
                m.pop_pinned(1);
                st.makes = Some(m.make(false));
            }
            Uop::BINARY_SLICE => {
                m.pop_pinned(3);
                st.makes = Some(m.make(false));
            }
            Uop::CALL_RANGE_ITER => {
                m.pop_pinned(u.oparg as usize + 2);
                st.makes = Some(m.make(false));
            }
            Uop::BUILD_TUPLE | Uop::BUILD_LIST => {
                m.pop_pinned(u.oparg as usize);
                st.makes = Some(m.make(false));
            }
            Uop::CALL_LEN => {
                m.pop_pinned(3);
                st.makes = Some(m.make(false));
            }
            Uop::GET_ITER_LIST => {
                m.pop_pinned(1);
                st.makes = Some(m.make(false));
            }
            Uop::UNPACK_SEQUENCE => {
                m.pop_pinned(1);
                for _ in 0..u.oparg {
                    m.make(false);
                }
            }
            Uop::BINARY_OP_FLOAT_MIXED => {
                let right = m.pop();
                let left = m.pop();
                let int = |v: Option<usize>| v.is_some_and(|v| m.vals[v].small_int);
                let conv = if u.oparg > 4 {
                    None
                } else if int(left) {
                    m.direct_float(right).map(|f| (true, f))
                } else if int(right) {
                    m.direct_float(left).map(|f| (false, f))
                } else {
                    None
                };
                match conv {
                    Some((int_left, f)) => {
                        m.vals[f].consumed = true;
                        m.pin(if int_left { left } else { right });
                        st.uses.push(f);
                        st.mixed = Some(int_left);
                        st.makes = Some(m.make_fresh());
                    }
                    None => {
                        m.pin(left);
                        m.pin(right);
                        st.makes = Some(m.make(false));
                    }
                }
            }
            Uop::LOAD_DEREF => st.makes = Some(m.make(false)),
            Uop::GUARD_ITER_RANGE | Uop::GUARD_ITER_LIST => m.pin_depth(1),
            Uop::FOR_ITER_RANGE | Uop::FOR_ITER_LIST => {
                // Exhausted: exits with the iterator popped.
                m.pop_pinned(1);
                st.at_exit = m.snapshot();
                m.stack.push(None);
                st.makes = Some(m.make(false));
            }
            Uop::STORE_DEREF => m.pop_pinned(1),
            // ----- dicts, lists and tuples (s6-dict) -----
            Uop::BINARY_SUBSCR_DICT => {
                m.pop_pinned(2);
                st.makes = Some(m.make(false));
            }
            Uop::STORE_SUBSCR_DICT => m.pop_pinned(3),
            Uop::LOAD_METHOD_LIST | Uop::LOAD_METHOD_DICT => {
                m.pop_pinned(1);
                m.make(false);
                st.makes = Some(m.make(false));
            }
            Uop::CALL_LIST_APPEND => {
                m.pop_pinned(3);
                st.makes = Some(m.make(false));
            }
            Uop::CALL_LIST_POP | Uop::CALL_DICT_GET => {
                m.pop_pinned(u.oparg as usize + 2);
                st.makes = Some(m.make(false));
            }
            Uop::GUARD_ITER_TUPLE => m.pin_depth(1),
            Uop::FOR_ITER_TUPLE => {
                // Exhausted: exits with the iterator popped.
                m.pop_pinned(1);
                st.at_exit = m.snapshot();
                m.stack.push(None);
                st.makes = Some(m.make(false));
            }
            Uop::TO_BOOL => {
                m.pop_pinned(1);
                st.makes = Some(m.make(false));
            }
            Uop::STORE_SUBSCR_LIST_INT => {
                // As for `_STORE_FAST`: only a fresh result may be stored
                // unboxed (the store writes it into the old item's box).
                m.pop_pinned(2);
                if let Some(v) = m.pop() {
                    if m.vals[v].fresh {
                        m.vals[v].consumed = true;
                    } else {
                        m.vals[v].pinned = true;
                    }
                    st.uses.push(v);
                }
            }
            Uop::SWAP => {
                let n = u.oparg as usize;
                let len = m.stack.len();
                if n >= 1 && n <= len {
                    m.stack.swap(len - 1, len - n);
                } else {
                    m.pin_depth(1);
                    if let Some(top) = m.stack.last_mut() {
                        *top = None;
                    }
                }
            }
            Uop::COPY => {
                m.pin_depth(u.oparg as usize);
                st.makes = Some(m.make(false));
            }
            // A helper, or another frame (an inlined call or its return):
            // values left on a caller's stack stay boxed while a callee
            // runs (an exit there resumes tier 1 in the callee, which
            // returns into that stack), and arguments move into the callee's
            // locals as objects.
            Uop::CALL_HELPER
            | Uop::PUSH_FRAME
            | Uop::PUSH_FRAME_KNOWN
            | Uop::PUSH_FRAME_ARGS_1
            | Uop::PUSH_FRAME_ARGS_2
            | Uop::PUSH_FRAME_ARGS_3
            | Uop::CALL_EXECUTOR
            | Uop::CALL_EXECUTOR_KNOWN
            | Uop::CALL_EXECUTOR_ARGS_1
            | Uop::CALL_EXECUTOR_LEAF_1
            | Uop::CALL_EXECUTOR_LEAF_ANY_1
            | Uop::CALL_EXECUTOR_LEAF_ANY_2
            | Uop::CALL_EXECUTOR_ARGS_2
            | Uop::CALL_EXECUTOR_ARGS_3 => {
                m.pin_all();
                m.stack.clear();
            }
            // A return moves the return value to the caller's stack as it
            // is (the pop never inspects it), so it may stay unboxed; the
            // caller's values under it are not modelled.
            Uop::POP_FRAME | Uop::POP_FRAME_CLEAN => {
                let rv = m.pop();
                m.pin_all();
                m.stack.clear();
                m.stack.push(rv);
            }
            Uop::SET_IP
            | Uop::NOP
            | Uop::CHECK_VALIDITY
            | Uop::GUARD_LOCAL_INT
            | Uop::GUARD_LOCAL_BOUND => {}
            _ => {
                end = k;
                break;
            }
        }
        steps.push(st);
    }
    m.pin_all();
    (steps, end)
}

/// Rewrites the body of `uops` to keep floats unboxed where that is exact;
/// `float_load[k]` tells whether uop `k` loads a local known to be a float.
pub fn unbox(uops: Vec<UopInstruction>, float_load: &[bool]) -> Vec<UopInstruction> {
    let mut m = Model {
        vals: Vec::new(),
        stack: Vec::new(),
    };
    let (steps, end) = scan(&uops, float_load, &mut m);
    let raw = |v: usize| {
        m.vals.get(v).is_some_and(|x| {
            x.unboxable && x.consumed && !x.pinned && (!x.needs_guard || x.guarded)
        })
    };
    // Every float operation converts; an operand it cannot take unboxed
    // (made boxed, or not modelled: `usize::MAX`) is unboxed just before it.
    let converts = |k: usize| {
        matches!(
            uops[k].opcode,
            Uop::BINARY_OP_ADD_FLOAT
                | Uop::BINARY_OP_SUBTRACT_FLOAT
                | Uop::BINARY_OP_MULTIPLY_FLOAT
                | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
                | Uop::BINARY_OP_POWER_FLOAT
                | Uop::COMPARE_OP_FLOAT
                | Uop::UNARY_NEGATIVE_FLOAT
        )
    };
    let unboxed: Vec<bool> = (0..m.vals.len()).map(raw).collect();
    let is_unboxed = |v: usize| unboxed.get(v).copied().unwrap_or(false);
    // A converted mixed operation makes a fresh float like a float operation.
    let makes_float = |k: usize| is_float_arith(uops[k].opcode) || steps[k].mixed.is_some();
    if !(0..end).any(|k| converts(k) || steps[k].mixed.is_some()) {
        return uops;
    }

    // Scan 2: the new trace. `map[old]` is the new index of old uop `old`
    // (of its first inserted uop, for the body).
    let mut out: Vec<UopInstruction> = Vec::with_capacity(uops.len() + 16);
    let mut map = vec![0u32; uops.len()];
    let mut fixups: Vec<(usize, Vec<u32>)> = Vec::new(); // (out index, depths to box)
    for (k, u) in uops.iter().enumerate().take(end) {
        map[k] = out.len() as u32;
        let st = &steps[k];
        let mut u = *u;
        if converts(k) {
            // Operands made boxed are unboxed here (deepest first: a
            // binary operation's left operand is 2 deep).
            let arity = st.uses.len();
            for (i, &v) in st.uses.iter().enumerate() {
                if !is_unboxed(v) {
                    out.push(
                        UopInstruction::new(Uop::UNBOX_FLOAT_AT)
                            .oparg((arity - i) as u32)
                            .target(u.target),
                    );
                }
            }
            u.opcode = unboxed_form(u.opcode);
        }
        if let Some(int_left) = st.mixed {
            // The float operand: made unboxed (`direct_float`), so already
            // a raw word; unbox it here if it is not.
            if let Some(&f) = st.uses.first() {
                if !is_unboxed(f) {
                    let depth = if int_left { 1 } else { 2 };
                    out.push(
                        UopInstruction::new(Uop::UNBOX_FLOAT_AT)
                            .oparg(depth)
                            .target(u.target),
                    );
                }
            }
            u.opcode = Uop::BINARY_OP_FLOAT_INT_UNBOXED;
            u.oparg |= if int_left { 8 } else { 0 };
        }
        if !st.guards.is_empty() {
            // A float guard checks only what is still boxed.
            let left: Vec<u32> = st
                .guards
                .iter()
                .filter(|(_, v)| !v.is_some_and(is_unboxed))
                .map(|(d, _)| *d)
                .collect();
            u.opcode = match left.as_slice() {
                [] => Uop::NOP,
                [1] => Uop::GUARD_TOS_FLOAT,
                [2] => Uop::GUARD_NOS_FLOAT,
                _ => u.opcode,
            };
        }
        match u.opcode {
            Uop::BINARY_SUBSCR_LIST_INT if st.makes.is_some_and(is_unboxed) => {
                u.opcode = Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT;
            }
            Uop::LOAD_FAST if st.makes.is_some_and(is_unboxed) => {
                if float_load.get(k).copied().unwrap_or(false) {
                    u.opcode = Uop::LOAD_FAST_UNBOXED_FLOAT;
                } else {
                    u.opcode = Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT;
                    u.jump_target = uops[k + 1].jump_target;
                }
            }
            Uop::LOAD_CONST if st.makes.is_some_and(is_unboxed) => {
                u.opcode = Uop::LOAD_CONST_UNBOXED;
                u.operand = float_val(u.operand).to_bits();
            }
            Uop::STORE_FAST if st.uses.first().is_some_and(|&v| is_unboxed(v)) => {
                u.opcode = Uop::STORE_FAST_UNBOXED_FLOAT;
            }
            Uop::STORE_SUBSCR_LIST_INT if st.uses.first().is_some_and(|&v| is_unboxed(v)) => {
                u.opcode = Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT;
            }
            _ => {}
        }
        let mut depths: Vec<u32> = st
            .at_exit
            .iter()
            .filter(|(_, v)| is_unboxed(*v))
            .map(|(d, _)| *d)
            .collect();
        if converts(k) && exits_with_unboxed_operands(uops[k].opcode) {
            // Its operands are unboxed here even if they were made boxed.
            for d in [1, 2] {
                if !depths.contains(&d) {
                    depths.push(d);
                }
            }
        }
        // (A guard made a `_NOP`, or a plain load, has no exit.)
        if !depths.is_empty() && !matches!(u.opcode, Uop::NOP | Uop::LOAD_FAST) {
            fixups.push((out.len(), depths));
        }
        out.push(u);
        if makes_float(k) && !st.makes.is_some_and(is_unboxed) {
            out.push(
                UopInstruction::new(Uop::BOX_FLOAT_AT)
                    .oparg(1)
                    .target(u.target),
            );
        }
    }
    for (k, u) in uops.iter().enumerate().skip(end) {
        map[k] = out.len() as u32;
        out.push(*u);
    }
    let remap = |t: u32| map.get(t as usize).copied().unwrap_or(t);
    for u in out.iter_mut() {
        u.jump_target = remap(u.jump_target);
        u.error_target = remap(u.error_target);
    }
    // Exit stubs that box the unboxed values first.
    let mut made: HashMap<(u32, Vec<u32>), u32> = HashMap::new();
    for (at, depths) in fixups {
        let stub = out[at].jump_target;
        let key = (stub, depths.clone());
        let start = match made.get(&key) {
            Some(&s) => s,
            None => {
                let s = out.len() as u32;
                let target = out.get(stub as usize).map_or(0, |x| x.target);
                for d in depths {
                    out.push(
                        UopInstruction::new(Uop::BOX_FLOAT_AT)
                            .oparg(d)
                            .target(target),
                    );
                }
                let orig = out[stub as usize];
                out.push(orig);
                made.insert(key, s);
                s
            }
        };
        out[at].jump_target = start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// `x*x + y*y` with `x`, `y` known floats, stored back into `x`:
    /// everything unboxed, nothing boxed.
    #[test]
    fn a_float_expression_of_known_locals_is_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::JUMP_TO_TOP),
        ];
        let fl = [true, true, false, true, true, false, false, false, false];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::JUMP_TO_TOP,
            ]
        );
    }

    /// A guard between the making and the use of an unboxed value exits
    /// through a new stub that boxes it first; a guarded operand from a
    /// checked load stays boxed until the operation unboxes it.
    #[test]
    fn exits_box_the_unboxed_values_first() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(7),
            ins(Uop::GUARD_TOS_FLOAT).jump_target(7),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::EXIT_TRACE).target(40).exit_index(0),
        ];
        let fl = [true, true, false, false, false, false, false, false];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::LOAD_FAST_CHECK,
                Uop::GUARD_TOS_FLOAT,
                Uop::UNBOX_FLOAT_AT,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::EXIT_TRACE,
                Uop::BOX_FLOAT_AT,
                Uop::EXIT_TRACE,
                Uop::BOX_FLOAT_AT,
                Uop::EXIT_TRACE,
            ]
        );
        // The checked load and the guard exit through boxing stubs: the
        // product is 1 deep, then 2 deep.
        assert_eq!((out[3].jump_target, out[9].oparg), (9, 1));
        assert_eq!((out[4].jump_target, out[11].oparg), (11, 2));
        assert_eq!(out[12].target, 40);
        assert_eq!(out[5].oparg, 1);
    }

    /// Values a helper can see, or that a `_POP_TOP` or `_COPY` inspects,
    /// stay boxed; a result used boxed is boxed right after it is made.
    #[test]
    fn values_seen_as_objects_stay_boxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::CALL_HELPER).jump_target(7).error_target(7),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::COPY).oparg(1),
            ins(Uop::POP_TOP),
            ins(Uop::POP_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let fl = [true, true, false, false, false, false, false, false];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST,
                Uop::LOAD_FAST,
                Uop::CALL_HELPER,
                Uop::UNBOX_FLOAT_AT,
                Uop::UNBOX_FLOAT_AT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::BOX_FLOAT_AT,
                Uop::COPY,
                Uop::POP_TOP,
                Uop::POP_TOP,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!(out[2].jump_target, 10);
    }

    /// `lst[0] += x` with `x` a known float: the sum is stored into the
    /// list unboxed (no box made), and the store's exit boxes it first
    /// (it is 3 deep there).
    #[test]
    fn a_fresh_float_stored_into_a_list_stays_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::COPY).oparg(2),
            ins(Uop::COPY).oparg(2),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(11),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::SWAP).oparg(3),
            ins(Uop::SWAP).oparg(2),
            ins(Uop::STORE_SUBSCR_LIST_INT).jump_target(11),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(7).exit_index(0),
        ];
        let mut fl = vec![false; uops.len()];
        fl[5] = true;
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST,
                Uop::LOAD_CONST,
                Uop::COPY,
                Uop::COPY,
                Uop::BINARY_SUBSCR_LIST_INT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::UNBOX_FLOAT_AT,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::SWAP,
                Uop::SWAP,
                Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT,
                Uop::JUMP_TO_TOP,
                Uop::EXIT_TRACE,
                Uop::BOX_FLOAT_AT,
                Uop::EXIT_TRACE,
            ]
        );
        // The subscript exits straight to the stub; the store boxes first.
        assert_eq!(out[4].jump_target, 12);
        assert_eq!(out[10].jump_target, 13);
        assert_eq!(out[13].oparg, 3);
        assert_eq!(out[14].target, 7);
    }

    /// A loaded float (not a fresh result) stored into a list keeps its
    /// identity: the store stays the boxed one.
    #[test]
    fn a_loaded_float_stored_into_a_list_stays_boxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::STORE_SUBSCR_LIST_INT).jump_target(9),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(7).exit_index(0),
        ];
        let fl = [
            true, true, false, false, true, false, false, false, false, false,
        ];
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        assert_eq!(ops[2], Uop::BINARY_OP_ADD_FLOAT_UNBOXED);
        assert_eq!(ops[4], Uop::LOAD_FAST);
        assert_eq!(ops[7], Uop::STORE_SUBSCR_LIST_INT);
        assert_eq!(out[7].jump_target, 9);
    }

    /// A float made before an inlined call and used after it stays boxed
    /// across the call (the callee's exits resume tier 1 over that stack);
    /// inside the callee, floats are unboxed as anywhere.
    #[test]
    fn values_under_an_inlined_call_stay_boxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_CONST).operand(0),
            ins(Uop::PUSH_NULL),
            ins(Uop::PUSH_FRAME).oparg(0).jump_target(13),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::POP_FRAME),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let fl = [
            true, true, false, false, false, false, true, true, false, false, false, false, false,
            false,
        ];
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        // Caller's product: boxed right after it is made.
        assert_eq!(ops[2], Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED);
        assert_eq!(ops[3], Uop::BOX_FLOAT_AT);
        // Callee: loads, product and store all unboxed.
        let callee: Vec<Uop> = ops
            .iter()
            .skip_while(|&&u| u != Uop::PUSH_FRAME)
            .skip(1)
            .take(4)
            .copied()
            .collect();
        assert_eq!(
            callee,
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
            ]
        );
    }

    /// `x = -x * y` with `x`, `y` known floats: the negation works on the
    /// unboxed word like the arithmetic around it.
    #[test]
    fn float_negation_stays_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::UNARY_NEGATIVE_FLOAT),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::LOAD_FAST_CHECK).oparg(3).jump_target(10),
            ins(Uop::GUARD_TOS_FLOAT).jump_target(10),
            ins(Uop::UNARY_NEGATIVE_FLOAT),
            ins(Uop::POP_TOP),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let fl = [
            true, false, true, false, false, false, false, false, false, false, false,
        ];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::UNARY_NEGATIVE_FLOAT_UNBOXED,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                // Made boxed (guarded) and used as an object (popped):
                // unboxed before, boxed after.
                Uop::LOAD_FAST_CHECK,
                Uop::GUARD_TOS_FLOAT,
                Uop::UNBOX_FLOAT_AT,
                Uop::UNARY_NEGATIVE_FLOAT_UNBOXED,
                Uop::BOX_FLOAT_AT,
                Uop::POP_TOP,
                Uop::JUMP_TO_TOP,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!((out[7].oparg, out[9].oparg), (1, 1));
    }
    /// `dx = b[0] - c[0]`: both items are read unboxed (the subscripts
    /// check they are floats), the float guard goes, and the second
    /// subscript's exit boxes the first item (3 deep there) first.
    #[test]
    fn float_list_items_consumed_by_float_ops_are_read_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(10),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(11),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(12),
            ins(Uop::BINARY_OP_SUBTRACT_FLOAT),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(3).exit_index(0),
            ins(Uop::EXIT_TRACE).target(5).exit_index(1),
            ins(Uop::EXIT_TRACE).target(7).exit_index(2),
        ];
        let fl = vec![false; uops.len()];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out[..10]),
            vec![
                Uop::LOAD_FAST,
                Uop::LOAD_CONST,
                Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT,
                Uop::LOAD_FAST,
                Uop::LOAD_CONST,
                Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT,
                Uop::NOP,
                Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::JUMP_TO_TOP,
            ]
        );
        assert_eq!(out[2].jump_target, 10);
        let stub = out[5].jump_target as usize;
        assert_eq!((out[stub].opcode, out[stub].oparg), (Uop::BOX_FLOAT_AT, 3));
        assert_eq!(
            (out[stub + 1].opcode, out[stub + 1].exit_index),
            (Uop::EXIT_TRACE, 1)
        );
    }

    /// An item a float guard checks and a float operation consumes is read
    /// unboxed; an item that is stored (`x = lst[0]`, its identity kept)
    /// stays boxed.
    #[test]
    fn list_items_not_guarded_or_not_consumed_stay_boxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(12),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(12),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::POP_TOP),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(12),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(3).exit_index(0),
        ];
        let fl = vec![false; uops.len()];
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        // The first item is read unboxed, the local by a load that checks
        // it: the guard goes.
        assert_eq!(ops[2], Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT);
        assert_eq!(ops[3], Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT);
        assert_eq!(ops[4], Uop::NOP);
        // The stored item keeps its box.
        assert!(ops[7..].contains(&Uop::BINARY_SUBSCR_LIST_INT));
        assert!(ops.contains(&Uop::STORE_FAST));
    }

    /// `1.0 / (i + 1)` with `i` a known small int: the constant stays
    /// unboxed, the division takes the int as it is, and the exits box the
    /// constant only (the int stays an int).
    #[test]
    fn a_float_and_a_known_small_int_make_an_unboxed_mixed_op() {
        let one = crate::vm::obj::new_float(1.0);
        let uops = vec![
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(3),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(8),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(3).jump_target(9),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::NOP),
            ins(Uop::EXIT_TRACE).target(3).exit_index(0),
            ins(Uop::EXIT_TRACE).target(4).exit_index(1),
        ];
        let fl = vec![false; uops.len()];
        let out = unbox(uops, &fl);
        crate::vm::obj::decref(one);
        assert_eq!(
            opcodes(&out[..7]),
            vec![
                Uop::LOAD_CONST_UNBOXED,
                Uop::LOAD_FAST_INT,
                Uop::LOAD_CONST,
                Uop::BINARY_OP_ADD_INT,
                Uop::BINARY_OP_FLOAT_INT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::JUMP_TO_TOP,
            ]
        );
        assert_eq!(out[0].operand, 1.0f64.to_bits());
        // `/` with the int on the right.
        assert_eq!(out[4].oparg, 3);
        for (at, depth) in [(3, 3), (4, 2)] {
            let stub = out[at].jump_target as usize;
            assert_eq!(
                (out[stub].opcode, out[stub].oparg),
                (Uop::BOX_FLOAT_AT, depth),
                "exit of uop {at}"
            );
            assert_eq!(out[stub + 1].opcode, Uop::EXIT_TRACE);
        }
    }

    /// `n * x` with the int on the left; a mixed op whose float operand is
    /// not known to be one (a checked load) stays the generic one.
    #[test]
    fn mixed_ops_need_a_known_float_and_a_known_int() {
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(2).jump_target(8),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_CHECK).oparg(3).jump_target(8),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(2).jump_target(8),
            ins(Uop::STORE_FAST).oparg(4),
            ins(Uop::EXIT_TRACE).target(3).exit_index(0),
        ];
        let mut fl = vec![false; uops.len()];
        fl[1] = true;
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        assert_eq!(ops[1], Uop::LOAD_FAST_UNBOXED_FLOAT);
        assert_eq!(ops[2], Uop::BINARY_OP_FLOAT_INT_UNBOXED);
        assert_eq!(out[2].oparg, 2 | 8);
        assert_eq!(ops[3], Uop::STORE_FAST_UNBOXED_FLOAT);
        assert_eq!(ops[6], Uop::BINARY_OP_FLOAT_MIXED);
        assert_eq!(ops[7], Uop::STORE_FAST);
    }

    /// `i * h` with `h` a bound local not known to hold a float (float_poly's
    /// `lo + i * h`): the load checks and unboxes `h` itself, leaving
    /// through the mixed operation's exit; a checked load (maybe unbound)
    /// or an operand under it that is not a known small int keeps the
    /// generic operation.
    #[test]
    fn a_local_under_a_mixed_op_with_a_known_int_is_loaded_checked_and_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(2).jump_target(10),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(10),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(2).jump_target(10),
            ins(Uop::STORE_FAST).oparg(3),
            ins(Uop::LOAD_FAST).oparg(4),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_FLOAT_MIXED).oparg(2).jump_target(10),
            ins(Uop::STORE_FAST).oparg(5),
            ins(Uop::EXIT_TRACE).target(3).exit_index(0),
        ];
        let uops: Vec<UopInstruction> = uops
            .into_iter()
            .map(|u| {
                if u.jump_target == 10 {
                    u.jump_target(12)
                } else {
                    u
                }
            })
            .collect();
        let fl = vec![false; uops.len()];
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        assert_eq!(ops[1], Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT);
        // It leaves through the mixed operation's exit (tier 1 redoes it),
        // the value pushed boxed: the original stub, not one that boxes.
        let stub = &out[out[1].jump_target as usize];
        assert_eq!((stub.opcode, stub.target), (Uop::EXIT_TRACE, 3));
        assert_eq!(ops[2], Uop::BINARY_OP_FLOAT_INT_UNBOXED);
        assert_eq!(out[2].oparg, 2 | 8);
        assert_eq!(ops[3], Uop::STORE_FAST_UNBOXED_FLOAT);
        assert_eq!(
            ops[5..8],
            [
                Uop::LOAD_FAST_CHECK,
                Uop::BINARY_OP_FLOAT_MIXED,
                Uop::STORE_FAST
            ]
        );
        assert_eq!(
            ops[8..12],
            [
                Uop::LOAD_FAST,
                Uop::LOAD_FAST,
                Uop::BINARY_OP_FLOAT_MIXED,
                Uop::STORE_FAST
            ]
        );
    }

    /// An inlined callee's float result reaches the caller unboxed through
    /// `_POP_FRAME`: no box is made for it.
    #[test]
    fn a_returned_float_crosses_pop_frame_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_CONST).operand(0),
            ins(Uop::PUSH_NULL),
            ins(Uop::PUSH_FRAME).oparg(0).jump_target(11),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::POP_FRAME),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let mut fl = vec![false; uops.len()];
        fl[3] = true;
        fl[4] = true;
        fl[7] = true;
        let out = unbox(uops, &fl);
        let ops = opcodes(&out);
        assert!(!ops.contains(&Uop::BOX_FLOAT_AT), "{ops:?}");
        assert!(!ops.contains(&Uop::UNBOX_FLOAT_AT), "{ops:?}");
        assert_eq!(ops[5], Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED);
        assert_eq!(ops[8], Uop::BINARY_OP_ADD_FLOAT_UNBOXED);
        assert_eq!(ops[9], Uop::STORE_FAST_UNBOXED_FLOAT);
    }
    /// `acc + c` with `c` a local not known to be a float: the load checks
    /// it and pushes it unboxed (the guard after it goes); its failure
    /// leaves through the guard's exit, boxing the value under it first.
    #[test]
    fn a_local_checked_by_the_next_float_guard_is_loaded_unboxed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_FAST).oparg(2),
            ins(Uop::GUARD_TOS_FLOAT).jump_target(8),
            ins(Uop::BINARY_OP_ADD_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(9).exit_index(0),
        ];
        let fl = [true, true, false, false, false, false, false, false, false];
        let out = unbox(uops, &fl);
        assert_eq!(
            opcodes(&out[..8]),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT,
                Uop::NOP,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::JUMP_TO_TOP,
            ]
        );
        // The product (2 deep once the load pushed its value) is boxed
        // before the guard's exit.
        let stub = out[3].jump_target as usize;
        assert_eq!((out[stub].opcode, out[stub].oparg), (Uop::BOX_FLOAT_AT, 2));
        assert_eq!(
            (out[stub + 1].opcode, out[stub + 1].target),
            (Uop::EXIT_TRACE, 9)
        );
    }
}
