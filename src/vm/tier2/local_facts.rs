//! What is known of a frame's locals along a trace (session 9, s9-loops).
//!
//! * [`forward`]: the one forward analysis over a trace's uops that the
//!   known-locals passes share (`list_facts`: lists and small ints,
//!   `float_fuse`: lists and floats). Straight-line code; at a stub or
//!   any other uop something jumps to, nothing is known; at the head of a
//!   peeled loop (entered only by `_JUMP_TO_LOOP`s) what holds is the meet
//!   of the way in and every back edge, found by iterating from an
//!   optimistic start.
//! * [`LocalFacts`]: everything the optimizer knows of the locals at a
//!   point, from the type pass and both known-locals passes: what a trace
//!   knows at each of its exits, and what a peeled loop's copy assumes at
//!   its head ([`LoopHead`]).
//!
//! An exit to another loop's back edge (an outer loop's trace running into
//! an inner loop, or an inner loop's exit into its outer loop's back edge)
//! is linked to that loop's trace. When what the exit knows implies what
//! the loop copy assumes at its head, the link enters the loop copy
//! directly (`Executor::link_exit_at`: a patched jump, or the exit's
//! `entry` for a stub that cannot be patched; the uop interpreter starts at
//! the head), skipping the preamble, which would re-prove what the exit
//! already knows: the loop's first iteration runs optimised.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::tier2::optimize::EntryFacts;
use crate::vm::tier2::trace;

/// A forward analysis of what is known of the frame's locals.
pub trait Forward {
    /// What is known before a uop (a meet semilattice).
    type Facts: Copy + PartialEq;
    /// Nothing known.
    const NONE: Self::Facts;
    /// Everything (the optimistic start at a loop head).
    const ALL: Self::Facts;
    /// What holds in both.
    fn meet(a: Self::Facts, b: Self::Facts) -> Self::Facts;
    /// What `u` leaves known of `known` (before it). An inlined call's push
    /// may save the caller's facts on `frames` and its pop restore them.
    fn transfer(
        u: &UopInstruction,
        known: Self::Facts,
        frames: &mut Vec<Self::Facts>,
    ) -> Self::Facts;
}

/// What analysis `A` knows before each uop of `uops`; `entered[k]` tells
/// whether some uop jumps to `k`; `start` is what holds where the trace is
/// entered (uop 0, which nothing in the trace jumps back to: a side
/// trace's, or a peeled loop's preamble).
pub fn forward<A: Forward>(
    uops: &[UopInstruction],
    entered: &[bool],
    start: A::Facts,
) -> Vec<A::Facts> {
    // Loop heads entered only by `_JUMP_TO_LOOP`s: what holds there is the
    // meet of the way in and every back edge (found by iterating).
    let mut other_entry = vec![false; uops.len() + 1];
    for u in uops {
        if u.opcode == Uop::JUMP_TO_LOOP {
            continue;
        }
        for t in [u.jump_target, u.error_target] {
            // A zero target is the trace's start, where nothing is known anyway.
            if let Some(e) = other_entry.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    let mut back: Vec<Option<A::Facts>> = vec![None; uops.len() + 1];
    let mut before = vec![A::NONE; uops.len()];
    for _round in 0..8 {
        let mut changed = false;
        let mut known = A::NONE;
        let mut frames: Vec<A::Facts> = Vec::new();
        for (k, u) in uops.iter().enumerate() {
            if entered.get(k).copied().unwrap_or(true) {
                // Whatever jumps here may come from another frame depth:
                // the callers' saved facts are dropped.
                frames.clear();
                known = if k == 0 {
                    start
                } else if other_entry[k] {
                    A::NONE
                } else {
                    // Only back edges jump here: meet with them (an edge not
                    // seen yet assumes everything, the optimistic start).
                    A::meet(known, back[k].unwrap_or(A::ALL))
                };
            }
            before[k] = known;
            if u.opcode == Uop::JUMP_TO_LOOP {
                let t = u.jump_target as usize;
                if t < back.len() {
                    // A back edge from inside an inlined call brings nothing.
                    let from = if frames.is_empty() { known } else { A::NONE };
                    let meet = back[t].map_or(from, |b| A::meet(b, from));
                    if back[t] != Some(meet) {
                        back[t] = Some(meet);
                        changed = true;
                    }
                }
            }
            known = A::transfer(u, known, &mut frames);
        }
        if !changed {
            return before;
        }
    }
    // No fixpoint (cannot happen: the sets only shrink): assume nothing.
    vec![A::NONE; uops.len()]
}

/// Marks every uop some uop jumps to (index 0 always: a zero target).
pub fn entered(uops: &[UopInstruction]) -> Vec<bool> {
    let mut entered = vec![false; uops.len() + 1];
    for u in uops {
        for t in [u.jump_target, u.error_target] {
            if let Some(e) = entered.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    entered
}

/// The head of `uops`' peeled loop (where its `_JUMP_TO_LOOP` goes), if
/// it has one.
pub fn loop_head(uops: &[UopInstruction]) -> Option<usize> {
    let end = trace::body_end(uops)?;
    (uops[end].opcode == Uop::JUMP_TO_LOOP).then_some(uops[end].jump_target as usize)
}

/// What analysis `A` knows at each exit of `uops` (by exit index), given
/// what it knows before each uop (`before`): the meet over every way into
/// every copy of the exit's `_EXIT_TRACE` (a uop leaving through its jump
/// target, with the locals as before it unless it may change them; the
/// body falling into its last uop; boxing stubs falling through).
pub fn at_exits<A: Forward>(uops: &[UopInstruction], before: &[A::Facts]) -> Vec<A::Facts> {
    let n_exits = trace::exit_count(uops);
    let nothing = vec![A::NONE; n_exits];
    let end = trace::body_end(uops).unwrap_or(uops.len());
    if before.len() != uops.len() {
        return nothing;
    }
    let mut at: Vec<Option<A::Facts>> = vec![None; uops.len() + 1];
    let add = |at: &mut Vec<Option<A::Facts>>, p: usize, f: A::Facts| {
        if let Some(slot) = at.get_mut(p) {
            *slot = Some(slot.map_or(f, |o| A::meet(o, f)));
        }
    };
    for (k, u) in uops.iter().enumerate().take(end) {
        let t = u.jump_target as usize;
        if t > end {
            // A uop that may change locals on its way out (a helper, a
            // frame change) leaves nothing known.
            let keeps = A::transfer(u, A::ALL, &mut Vec::new()) != A::NONE;
            add(&mut at, t, if keeps { before[k] } else { A::NONE });
        }
    }
    if uops.get(end).is_some_and(|u| u.opcode == Uop::EXIT_TRACE) {
        add(&mut at, end, before[end]);
    }
    for p in end + 1..uops.len() {
        let u = uops[p];
        let t = u.jump_target as usize;
        if t > end && t <= p && u.opcode != Uop::EXIT_TRACE {
            // A stub jumping back among the stubs: not modelled.
            return nothing;
        }
        let Some(f) = at[p] else { continue };
        if !trace::ends_path(u.opcode) {
            add(&mut at, p + 1, f);
        }
        if t > p && u.opcode != Uop::EXIT_TRACE {
            add(&mut at, t, f);
        }
    }
    let mut out: Vec<Option<A::Facts>> = vec![None; n_exits];
    for (p, u) in uops.iter().enumerate() {
        if u.opcode != Uop::EXIT_TRACE {
            continue;
        }
        if let (Some(slot), Some(f)) = (out.get_mut(u.exit_index as usize), at[p]) {
            *slot = Some(slot.map_or(f, |o| A::meet(o, f)));
        }
    }
    out.into_iter().map(|f| f.unwrap_or(A::NONE)).collect()
}

/// Everything the optimizer knows of the locals at one point of a trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalFacts {
    /// The type pass's: types (small int, float, bool) and boundness.
    pub types: EntryFacts,
    /// `list_facts`': lists (low 64 bits) and small ints (high 64 bits).
    pub lists_ints: u128,
    /// `float_fuse`'s lists.
    pub float_lists: u64,
    /// `float_fuse`'s floats.
    pub floats: u64,
}

impl LocalFacts {
    /// The known-locals passes' part.
    pub fn passes(&self) -> PassFacts {
        PassFacts {
            lists_ints: self.lists_ints,
            float_lists: self.float_lists,
            floats: self.floats,
        }
    }

    /// Locals (below 64, local `l` at bit `l`) known to hold lists.
    fn lists(&self) -> u64 {
        self.lists_ints as u64 | self.float_lists
    }
    /// Locals known to hold small ints.
    fn ints(&self) -> u64 {
        (self.lists_ints >> 64) as u64 | self.types.int_bits()
    }
    /// Locals known to hold floats.
    fn float_bits(&self) -> u64 {
        self.floats | self.types.float_bits()
    }

    /// Whether everything `need` knows is known here too. The analyses
    /// share their facts' meanings (a local holds a list, a small int, a
    /// float; any of them means it is bound), so one analysis's proof
    /// stands for another's.
    pub fn implies(&self, need: &LocalFacts) -> bool {
        let (lists, ints, floats) = (self.lists(), self.ints(), self.float_bits());
        need.lists() & !lists == 0
            && need.ints() & !ints == 0
            && need.float_bits() & !floats == 0
            && self
                .types
                .implies_with(&need.types, ints, floats, lists | ints | floats)
    }
}

/// The head of a peeled loop: the first uop of its loop copy and what the
/// loop copy assumes there.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopHead {
    /// The uop index (in the installed trace).
    pub at: usize,
    /// What holds on every way in (the meet the optimizer assumed).
    pub facts: LocalFacts,
}

/// What the known-locals passes know at one point (the type pass's comes
/// apart): what they assumed at a peeled loop's head while rewriting, or
/// what they start knowing in a side trace.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PassFacts {
    /// `list_facts`' lists and small ints.
    pub lists_ints: u128,
    /// `float_fuse`'s lists and floats.
    pub float_lists: u64,
    /// `float_fuse`'s floats.
    pub floats: u64,
}

/// The facts of an optimized trace: at each exit (by index; `types` the
/// type pass's, by exit index) and, for a peeled loop, at its head
/// (`head_types` the type pass's assumption there, `head` the other
/// passes').
pub fn of_trace(
    uops: &[UopInstruction],
    types: Vec<EntryFacts>,
    head_types: Option<EntryFacts>,
    head: Option<PassFacts>,
) -> (Vec<LocalFacts>, Option<LoopHead>) {
    let entered = entered(uops);
    let lists = super::list_facts::exits(uops, &entered);
    let floats = super::float_fuse::exits(uops, &entered);
    let n = types.len().max(lists.len()).max(floats.len());
    let exits = (0..n)
        .map(|e| {
            let (float_lists, floats) = floats.get(e).copied().unwrap_or((0, 0));
            LocalFacts {
                types: types.get(e).cloned().unwrap_or_default(),
                lists_ints: lists.get(e).copied().unwrap_or(0),
                float_lists,
                floats,
            }
        })
        .collect();
    let head = match (loop_head(uops), head_types, head) {
        (Some(at), Some(types), Some(h)) => Some(LoopHead {
            at,
            facts: LocalFacts {
                types,
                lists_ints: h.lists_ints,
                float_lists: h.float_lists,
                floats: h.floats,
            },
        }),
        _ => None,
    };
    (exits, head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::optimize::Ty;
    use crate::vm::tier2::test_uops::ins;

    /// A toy analysis: bit `l` is "local `l` proven"; `_GUARD_LOCAL_INT l`
    /// proves it, `_STORE_FAST l` forgets it, `_CALL_HELPER` forgets all.
    struct Bits;

    impl Forward for Bits {
        type Facts = u64;
        const NONE: u64 = 0;
        const ALL: u64 = !0;
        fn meet(a: u64, b: u64) -> u64 {
            a & b
        }
        fn transfer(u: &UopInstruction, known: u64, _frames: &mut Vec<u64>) -> u64 {
            match u.opcode {
                Uop::GUARD_LOCAL_INT => known | 1 << u.oparg,
                Uop::STORE_FAST => known & !(1 << u.oparg),
                Uop::CALL_HELPER => 0,
                _ => known,
            }
        }
    }

    fn facts(uops: &[UopInstruction]) -> Vec<u64> {
        let before = forward::<Bits>(uops, &entered(uops), 0);
        at_exits::<Bits>(uops, &before)
    }

    /// An exit knows the meet over every way into it: direct jumps, a
    /// boxing stub falling into a copy of it, and the body falling into
    /// its last uop; a uop that may change locals on its way out brings
    /// nothing.
    #[test]
    fn exits_meet_every_way_in() {
        let uops = vec![
            ins(Uop::GUARD_LOCAL_INT).oparg(0).jump_target(7), // -> exit 0: {}
            ins(Uop::GUARD_LOCAL_INT).oparg(1).jump_target(7), // -> exit 0: {0}
            ins(Uop::GUARD_LOCAL_INT).oparg(2).jump_target(9), // via the box stub: {0, 1}
            ins(Uop::GUARD_LOCAL_INT).oparg(3).jump_target(9), // the same: {0, 1, 2}
            ins(Uop::CALL_HELPER).jump_target(8),              // -> exit 1: nothing
            ins(Uop::GUARD_LOCAL_INT).oparg(4),
            ins(Uop::EXIT_TRACE).exit_index(3), // the body falls in: {4}
            ins(Uop::EXIT_TRACE).exit_index(0),
            ins(Uop::EXIT_TRACE).exit_index(1),
            ins(Uop::BOX_FLOAT_AT).oparg(1),
            ins(Uop::EXIT_TRACE).exit_index(2),
        ];
        assert_eq!(facts(&uops), vec![0, 0, 0b011, 0b10000]);
    }

    /// At a peeled loop's head what holds is the meet of the way in and
    /// the back edge; `loop_head` finds the head.
    #[test]
    fn loop_heads_meet_the_way_in_and_the_back_edge() {
        let uops = vec![
            ins(Uop::GUARD_LOCAL_INT).oparg(0),
            ins(Uop::GUARD_LOCAL_INT).oparg(1),
            ins(Uop::STORE_FAST).oparg(1), // the loop's head (2)
            ins(Uop::GUARD_LOCAL_INT).oparg(2),
            ins(Uop::JUMP_TO_LOOP).jump_target(2),
            ins(Uop::EXIT_TRACE),
        ];
        let before = forward::<Bits>(&uops, &entered(&uops), 0);
        assert_eq!(loop_head(&uops), Some(2));
        assert_eq!(before[2], 0b001);
    }

    /// One analysis's proof stands for another's: a list the list pass
    /// proved for the float pass's need, a float or small int of the type
    /// pass for the others', any of them for boundness; a missing fact
    /// fails.
    #[test]
    fn facts_imply_across_analyses() {
        let need = LocalFacts {
            types: EntryFacts::known(&[(3, Ty::Float), (4, Ty::Int)], &[5]),
            lists_ints: 1 << 64 | 1 << 1,
            float_lists: 1 << 5,
            floats: 1 << 6,
        };
        let knows = LocalFacts {
            types: EntryFacts::known(&[(0, Ty::Int), (6, Ty::Float)], &[]),
            lists_ints: 1 << 1 | 1 << 5 | 1 << (64 + 4),
            float_lists: 0,
            floats: 1 << 3,
        };
        assert!(knows.implies(&need));
        for missing in [
            LocalFacts {
                floats: 0,
                ..knows.clone()
            },
            LocalFacts {
                lists_ints: knows.lists_ints & !(1 << 5),
                ..knows.clone()
            },
            LocalFacts {
                types: EntryFacts::known(&[(6, Ty::Float)], &[]),
                ..knows.clone()
            },
        ] {
            assert!(!missing.implies(&need), "{missing:?}");
        }
    }
}
