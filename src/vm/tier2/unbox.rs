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
//! are modelled on the callee's stack, and its exits box them the same way).

use crate::abi::layout::kind;
use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::obj::{float_val, kind_of};
use crate::vm::tier2::optimize::{is_small_int_binary_op, small_int_binary_op_may_exit};
use std::collections::HashMap;

/// One value made in the trace body.
struct Val {
    /// The uop that makes it.
    maker: usize,
    /// Its maker can make it unboxed.
    unboxable: bool,
    /// A uop that can take it unboxed consumes it.
    consumed: bool,
    /// Some uop inspects it as an object (or its consumer is not known).
    pinned: bool,
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
                | Uop::UNPACK_SEQUENCE
                | Uop::BINARY_SLICE
                | Uop::CALL_RANGE_ITER
                | Uop::UNARY_NEGATIVE
                | Uop::UNARY_NOT
        )
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
    fn make(&mut self, maker: usize, unboxable: bool) -> usize {
        self.vals.push(Val {
            maker,
            unboxable,
            consumed: false,
            pinned: false,
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
                st.makes = Some(m.make(k, f));
            }
            Uop::LOAD_CONST => st.makes = Some(m.make(k, is_float_const(u.operand))),
            Uop::LOAD_FAST_CHECK | Uop::PUSH_NULL | Uop::LOAD_FAST_INT => {
                st.makes = Some(m.make(k, false))
            }
            Uop::STORE_FAST_INT => m.pop_pinned(1),
            Uop::STORE_FAST => {
                // Only a fresh result may be stored unboxed: storing a
                // loaded value or a constant must keep the object's identity.
                if let Some(v) = m.pop() {
                    let fresh = uops[m.vals[v].maker].opcode;
                    if is_float_arith(fresh) {
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
            Uop::GUARD_BOTH_INT | Uop::GUARD_BOTH_FLOAT => {
                m.pin_depth(1);
                m.pin_depth(2);
            }
            Uop::GUARD_TOS_FLOAT => m.pin_depth(1),
            Uop::GUARD_NOS_FLOAT => m.pin_depth(2),
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
                st.makes = Some(m.make(k, is_float_arith(u.opcode)));
            }
            op if is_small_int_binary_op(op)
                || matches!(
                    op,
                    Uop::COMPARE_OP_INT | Uop::BINARY_SUBSCR_LIST_INT | Uop::IS_OP
                ) =>
            {
                m.pop_pinned(2);
                st.makes = Some(m.make(k, false));
            }
            Uop::UNARY_NEGATIVE_FLOAT => {
                match m.pop() {
                    Some(v) => {
                        m.vals[v].consumed = true;
                        st.uses.push(v);
                    }
                    None => st.uses.push(usize::MAX),
                }
                st.makes = Some(m.make(k, true));
            }
            Uop::UNARY_NEGATIVE | Uop::UNARY_NOT => {
                m.pop_pinned(1);
                st.makes = Some(m.make(k, false));
            }
            Uop::BINARY_SLICE => {
                m.pop_pinned(3);
                st.makes = Some(m.make(k, false));
            }
            Uop::CALL_RANGE_ITER => {
                m.pop_pinned(u.oparg as usize + 2);
                st.makes = Some(m.make(k, false));
            }
            Uop::BUILD_TUPLE => {
                m.pop_pinned(u.oparg as usize);
                st.makes = Some(m.make(k, false));
            }
            Uop::UNPACK_SEQUENCE => {
                m.pop_pinned(1);
                for _ in 0..u.oparg {
                    m.make(k, false);
                }
            }
            Uop::BINARY_OP_FLOAT_MIXED => {
                m.pop_pinned(2);
                st.makes = Some(m.make(k, false));
            }
            Uop::LOAD_DEREF => st.makes = Some(m.make(k, false)),
            Uop::GUARD_ITER_RANGE | Uop::GUARD_ITER_LIST => m.pin_depth(1),
            Uop::FOR_ITER_RANGE | Uop::FOR_ITER_LIST => {
                // Exhausted: exits with the iterator popped.
                m.pop_pinned(1);
                st.at_exit = m.snapshot();
                m.stack.push(None);
                st.makes = Some(m.make(k, false));
            }
            Uop::STORE_DEREF => m.pop_pinned(1),
            Uop::TO_BOOL => {
                m.pop_pinned(1);
                st.makes = Some(m.make(k, false));
            }
            Uop::STORE_SUBSCR_LIST_INT => {
                // As for `_STORE_FAST`: only a fresh result may be stored
                // unboxed (the store writes it into the old item's box).
                m.pop_pinned(2);
                if let Some(v) = m.pop() {
                    if is_float_arith(uops[m.vals[v].maker].opcode) {
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
                st.makes = Some(m.make(k, false));
            }
            // A helper, or another frame (an inlined call or its return):
            // values left on a caller's stack stay boxed while a callee
            // runs (an exit there resumes tier 1 in the callee, which
            // returns into that stack), and arguments move into the callee's
            // locals as objects.
            Uop::CALL_HELPER
            | Uop::PUSH_FRAME
            | Uop::PUSH_FRAME_KNOWN
            | Uop::POP_FRAME
            | Uop::CALL_EXECUTOR
            | Uop::CALL_EXECUTOR_KNOWN => {
                m.pin_all();
                m.stack.clear();
            }
            Uop::SET_IP | Uop::NOP | Uop::CHECK_VALIDITY | Uop::GUARD_LOCAL_INT => {}
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
        m.vals
            .get(v)
            .is_some_and(|x| x.unboxable && x.consumed && !x.pinned)
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
    if !(0..end).any(converts) {
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
        match u.opcode {
            Uop::LOAD_FAST if st.makes.is_some_and(is_unboxed) => {
                u.opcode = Uop::LOAD_FAST_UNBOXED_FLOAT;
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
        if !depths.is_empty() {
            fixups.push((out.len(), depths));
        }
        out.push(u);
        if is_float_arith(uops[k].opcode) && !st.makes.is_some_and(is_unboxed) {
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
    /// through a new stub that boxes it first; a guarded operand stays
    /// boxed until the operation unboxes it.
    #[test]
    fn exits_box_the_unboxed_values_first() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_FAST).oparg(1),
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
                Uop::LOAD_FAST,
                Uop::GUARD_TOS_FLOAT,
                Uop::UNBOX_FLOAT_AT,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::EXIT_TRACE,
                Uop::BOX_FLOAT_AT,
                Uop::EXIT_TRACE,
            ]
        );
        // The guard exits through the boxing stub: the product is 2 deep.
        assert_eq!(out[4].jump_target, 9);
        assert_eq!(out[9].oparg, 2);
        assert_eq!(out[10].target, 40);
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
            ins(Uop::LOAD_FAST).oparg(3),
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
                Uop::LOAD_FAST,
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
}
