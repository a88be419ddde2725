//! Loop peeling: a trace that closes its loop becomes
//! `[preamble][loop][_JUMP_TO_LOOP → loop]` followed by the stubs, where the
//! preamble and the loop are both copies of the body, each with its own
//! copy of the stubs.
//!
//! The preamble runs once per entry and proves what the loop can then assume
//! on every iteration (the types of loop-invariant locals, which locals are
//! bound), so the type pass removes those guards from the loop copy and the
//! unboxing pass can load those locals unboxed. The loop's stubs are copies
//! of the preamble's (the same bytecode instructions, stacks and frame
//! contexts) under exit indices of their own, so what is known at an exit
//! of the loop copy is not met with what the preamble knows there.
//!
//! A loop over a list or tuple iterator starts with the iterator's guard
//! (`_GUARD_ITER_LIST`, `_GUARD_ITER_TUPLE`) on the top of the stack at
//! the trace's start. The body never writes that slot (it is under the
//! loop's own stack, and every path back to the head leaves the stack as
//! it found it), and an iterator object's kind and state tag never change
//! while the stack holds it, so the loop copy drops its guard: the
//! preamble's covers every iteration. (`_GUARD_ITER_RANGE` stays: it also
//! checks that the next value fits a small int.) Such a loop copy is not
//! entered from other traces (`trace::loop_copy_enterable`).

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// Longest body peeled (the trace doubles).
pub const MAX_PEELED_BODY: usize = 240;

/// Peels `uops` when its body ends with `_JUMP_TO_TOP` and is short enough;
/// otherwise returns it unchanged.
pub fn peel(uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    let Some(end) = crate::vm::tier2::trace::body_end(&uops) else {
        return uops;
    };
    if uops[end].opcode != Uop::JUMP_TO_TOP || end == 0 || end > MAX_PEELED_BODY {
        return uops;
    }
    // The loop copy gets stubs of its own (exit indices after the
    // preamble's), so that what is known at an exit taken from the loop
    // (the loop head's facts on) is not met with what the preamble knows,
    // and a side trace or a link grown from it starts knowing that.
    // Old stub index i (> end) moves to i + end (the preamble's copy) or
    // i + end + stubs (the loop's).
    let stubs = uops.len() - (end + 1);
    let exits = crate::vm::tier2::trace::exit_count(&uops[end + 1..]) as u32;
    // Exception: an inlined call's push keeps the preamble's stub. It
    // leaves when the callee is another function (a polymorphic call),
    // where nothing is known anyway, and a side trace grown from it
    // inlines the callee tier 1 saw last: one shared exit warms up (and
    // picks its callee) as before.
    let copy = |extra: usize| {
        move |u: &UopInstruction| {
            let extra = if u.opcode.is_frame_push() { 0 } else { extra };
            let shift = |t: u32| -> u32 {
                if t as usize > end {
                    t + (end + extra) as u32
                } else {
                    t
                }
            };
            let mut u = *u;
            u.jump_target = shift(u.jump_target);
            u.error_target = shift(u.error_target);
            u
        }
    };
    let mut out = Vec::with_capacity(2 * uops.len());
    out.extend(uops[..end].iter().map(copy(0)));
    out.extend(uops[..end].iter().map(copy(stubs)));
    if matches!(uops[0].opcode, Uop::GUARD_ITER_LIST | Uop::GUARD_ITER_TUPLE) {
        out[end] = UopInstruction::new(Uop::NOP).target(uops[0].target);
    }
    out.push(
        UopInstruction::new(Uop::JUMP_TO_LOOP)
            .target(uops[end].target)
            .jump_target(end as u32),
    );
    out.extend_from_slice(&uops[end + 1..]);
    out.extend(uops[end + 1..].iter().map(|u| {
        let mut u = *u;
        if u.opcode == Uop::EXIT_TRACE {
            u.exit_index += exits;
        }
        u
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::ins;

    #[test]
    fn a_closed_loop_is_peeled_with_stubs_of_its_own() {
        let uops = vec![
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(3),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).target(9),
        ];
        let out = peel(uops);
        let ops: Vec<Uop> = out.iter().map(|u| u.opcode).collect();
        assert_eq!(
            ops,
            vec![
                Uop::LOAD_FAST_CHECK,
                Uop::STORE_FAST,
                Uop::LOAD_FAST_CHECK,
                Uop::STORE_FAST,
                Uop::JUMP_TO_LOOP,
                Uop::EXIT_TRACE,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!(out[0].jump_target, 5);
        assert_eq!(out[2].jump_target, 6);
        assert_eq!(out[4].jump_target, 2);
        assert_eq!((out[5].target, out[5].exit_index), (9, 0));
        assert_eq!((out[6].target, out[6].exit_index), (9, 1));
    }

    /// The loop copy of a list loop does not guard its iterator again; a
    /// range loop's does (its guard also checks the next value's range).
    #[test]
    fn a_list_loop_copy_keeps_the_preambles_iterator_guard() {
        for (guard, again) in [
            (Uop::GUARD_ITER_LIST, Uop::NOP),
            (Uop::GUARD_ITER_TUPLE, Uop::NOP),
            (Uop::GUARD_ITER_RANGE, Uop::GUARD_ITER_RANGE),
        ] {
            let uops = vec![
                ins(guard).jump_target(4),
                ins(Uop::FOR_ITER_LIST).jump_target(4),
                ins(Uop::STORE_FAST).oparg(1),
                ins(Uop::JUMP_TO_TOP),
                ins(Uop::EXIT_TRACE).target(9),
            ];
            let out = peel(uops);
            let ops: Vec<Uop> = out.iter().map(|u| u.opcode).collect();
            assert_eq!(
                ops[..7],
                [
                    guard,
                    Uop::FOR_ITER_LIST,
                    Uop::STORE_FAST,
                    again,
                    Uop::FOR_ITER_LIST,
                    Uop::STORE_FAST,
                    Uop::JUMP_TO_LOOP
                ]
            );
            assert_eq!(out[6].jump_target, 3);
        }
    }

    #[test]
    fn a_trace_that_does_not_close_a_loop_is_kept() {
        let uops = vec![ins(Uop::LOAD_FAST).oparg(0), ins(Uop::EXIT_TRACE).target(9)];
        assert_eq!(peel(uops.clone()).len(), uops.len());
    }
}
