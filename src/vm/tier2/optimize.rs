//! The optimizer: a pass over a projected trace before it is installed.
//!
//! Abstract interpretation of value types over the trace body, in order
//! (the body is straight-line code; guards and branches only leave it):
//! the types of the stack's top entries and of the fast locals, and which
//! locals are known bound. With them it:
//!
//! * removes type guards (`_GUARD_BOTH_INT`, `_GUARD_BOTH_FLOAT`, `_TO_BOOL`)
//!   already proven by an earlier guard or operation,
//! * turns `_LOAD_FAST_CHECK` of a local known bound into `_LOAD_FAST`,
//!   and loads of a local proven a small int into `_LOAD_FAST_INT` (no
//!   reference count), stores over one into `_STORE_FAST_INT`,
//! * folds away `_LOAD_CONST` + `_POP_TOP` pairs;
//!
//! then it compacts the trace, renumbering jump and error targets, and
//! hands it to [`unbox`] (floats kept unboxed between the uops that use them).
//!
//! Nothing is assumed across the loop's back edge (`_JUMP_TO_TOP`): the top
//! is also entered from tier 1, so the pass starts knowing nothing. A
//! helper that runs a tier-1 instruction forgets the stack (its effect is
//! not modelled); only `DELETE_FAST` can change the frame's locals, so a
//! helper running one forgets them too.
//!
//! An inlined call (`_PUSH_FRAME`) starts a new frame whose locals are the
//! arguments (their types known where the caller's were); the caller's
//! state is set aside and comes back at `_POP_FRAME`, with the returned
//! value's type on top. Returning into a caller the trace did not push (a
//! side trace entered in an inlined callee) knows nothing.

use crate::abi::layout::kind;
use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{op, opcode, Code};
use crate::vm::obj::{false_raw, kind_of, true_raw};
use crate::vm::tier2::removals::RemovalLog;
use crate::vm::tier2::{local_guards, peel, trace, unbox};
use std::collections::HashMap;

/// What the pass knows about a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Unknown,
    Int,
    Float,
    Bool,
}

/// One modelled stack entry: its type, and the local it was loaded from
/// while that local still holds the same object (so a guard proving the
/// entry's type proves the local's too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    ty: Ty,
    local: Option<u32>,
}

impl Entry {
    const UNKNOWN: Entry = Entry {
        ty: Ty::Unknown,
        local: None,
    };
    fn of(ty: Ty) -> Entry {
        Entry { ty, local: None }
    }
}

/// The abstract state: the known top of the stack (last = top; entries
/// below are unknown) and the locals.
#[derive(Clone, Debug, Default, PartialEq)]
struct State {
    stack: Vec<Entry>,
    locals: HashMap<u32, Ty>,
    bound: std::collections::HashSet<u32>,
}

impl State {
    /// The state at a loop head: what is known of the locals (the stack is
    /// as at the trace's start, unknown).
    fn at_loop_head(&self) -> State {
        State {
            stack: Vec::new(),
            locals: self.locals.clone(),
            bound: self.bound.clone(),
        }
    }
    /// What holds in both `self` and `other` at a loop head.
    fn meet(&self, other: &State) -> State {
        State {
            stack: Vec::new(),
            locals: self
                .locals
                .iter()
                .filter(|(l, t)| other.locals.get(l) == Some(t))
                .map(|(l, t)| (*l, *t))
                .collect(),
            bound: self.bound.intersection(&other.bound).copied().collect(),
        }
    }
    fn push(&mut self, t: Ty) {
        self.stack.push(Entry::of(t));
    }
    fn push_entry(&mut self, e: Entry) {
        self.stack.push(e);
    }
    fn pop(&mut self) -> Ty {
        self.pop_entry().ty
    }
    fn pop_entry(&mut self) -> Entry {
        self.stack.pop().unwrap_or(Entry::UNKNOWN)
    }
    fn peek_entry(&self, depth: usize) -> Entry {
        if depth == 0 || depth > self.stack.len() {
            Entry::UNKNOWN
        } else {
            self.stack[self.stack.len() - depth]
        }
    }
    fn peek(&self, depth: usize) -> Ty {
        self.peek_entry(depth).ty
    }
    /// Sets the entry `depth` below the top, when modelled.
    fn set_entry(&mut self, depth: usize, e: Entry) {
        if depth >= 1 && depth <= self.stack.len() {
            let n = self.stack.len();
            self.stack[n - depth] = e;
        }
    }
    /// Records that the entry `depth` below the top has type `t` (proven
    /// by a guard or an operation); so has the local it came from.
    fn prove(&mut self, depth: usize, t: Ty) {
        let mut e = self.peek_entry(depth);
        if let Some(l) = e.local {
            self.locals.insert(l, t);
        }
        e.ty = t;
        self.set_entry(depth, e);
    }
    /// The local `l` now holds another object: entries loaded from it
    /// earlier no longer speak for it.
    fn store_local(&mut self, l: u32, t: Ty) {
        for e in &mut self.stack {
            if e.local == Some(l) {
                e.local = None;
            }
        }
        self.locals.insert(l, t);
        self.bound.insert(l);
    }
}

/// The type of the constant value `v`.
pub(crate) fn const_ty(v: u64) -> Ty {
    if v & 1 == 1 {
        Ty::Int
    } else if v == true_raw() || v == false_raw() {
        Ty::Bool
    } else if v != 0 && kind_of(v) == kind::FLOAT {
        Ty::Float
    } else {
        Ty::Unknown
    }
}

/// What the type pass knows of the frame's locals where a trace is entered
/// or left: their types (small int, float, bool) and which are bound. A
/// side trace is entered only through the exit it grew from, so it starts
/// knowing what its parent knew there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntryFacts {
    locals: Vec<(u32, Ty)>,
    bound: Vec<u32>,
}

impl EntryFacts {
    /// Facts of these local types and bound locals (for tests).
    #[cfg(test)]
    pub(crate) fn known(locals: &[(u32, Ty)], bound: &[u32]) -> EntryFacts {
        EntryFacts {
            locals: locals.to_vec(),
            bound: bound.to_vec(),
        }
    }
    fn of(s: &State) -> EntryFacts {
        let mut locals: Vec<(u32, Ty)> = s
            .locals
            .iter()
            .filter(|(_, t)| **t != Ty::Unknown)
            .map(|(l, t)| (*l, *t))
            .collect();
        locals.sort_unstable_by_key(|(l, _)| *l);
        let mut bound: Vec<u32> = s.bound.iter().copied().collect();
        bound.sort_unstable();
        EntryFacts { locals, bound }
    }
    fn state(&self) -> State {
        State {
            stack: Vec::new(),
            locals: self.locals.iter().copied().collect(),
            bound: self.bound.iter().copied().collect(),
        }
    }
    /// What holds in both.
    fn meet(&self, other: &EntryFacts) -> EntryFacts {
        EntryFacts::of(&self.state().meet(&other.state()))
    }
    /// Whether local `l` is known bound (or known to hold a small int).
    pub fn is_bound(&self, l: u32) -> bool {
        self.bound.contains(&l) || self.locals.iter().any(|&(x, t)| x == l && t == Ty::Int)
    }
    /// Whether everything `need` knows is known here too, where `ints`,
    /// `floats` and `held` (local `l` at bit `l`, locals below 64) are the
    /// locals other analyses proved to hold small ints, floats, and some
    /// object (so bound).
    pub fn implies_with(&self, need: &EntryFacts, ints: u64, floats: u64, held: u64) -> bool {
        let bit = |l: u32| if l < 64 { 1u64 << l } else { 0 };
        need.locals.iter().all(|&(l, t)| {
            self.locals.contains(&(l, t))
                || match t {
                    Ty::Int => ints & bit(l) != 0,
                    Ty::Float => floats & bit(l) != 0,
                    _ => false,
                }
        }) && need
            .bound
            .iter()
            .all(|&l| self.is_bound(l) || held & bit(l) != 0)
    }
    /// The locals below 64 known to hold small ints (local `l` at bit `l`).
    pub fn int_bits(&self) -> u64 {
        self.bits(Ty::Int)
    }
    /// The locals below 64 known to hold floats (local `l` at bit `l`).
    pub fn float_bits(&self) -> u64 {
        self.bits(Ty::Float)
    }
    fn bits(&self, ty: Ty) -> u64 {
        self.locals
            .iter()
            .filter(|&&(l, t)| t == ty && l < 64)
            .fold(0, |b, &(l, _)| b | 1 << l)
    }
    /// The locals known to hold small ints.
    pub fn int_locals(&self) -> impl Iterator<Item = u32> + '_ {
        self.locals
            .iter()
            .filter(|(_, t)| *t == Ty::Int)
            .map(|(l, _)| *l)
    }
}

/// What the type pass knew at each exit (`_EXIT_TRACE`) of a trace, by
/// exit index, as it records it (`on` only in the runs that rewrite).
struct ExitFacts {
    on: bool,
    /// For each uop: the exit index of the `_EXIT_TRACE` stub it is.
    stub_exit: Vec<Option<u32>>,
    facts: Vec<Option<EntryFacts>>,
    /// A peeled loop's: what its loop copy assumes at its head.
    head: Option<EntryFacts>,
    /// What holds where the body falls into its last uop, an `_EXIT_TRACE`
    /// (its exit index); kept apart from `facts`, which the return stubs
    /// read.
    fall_into: Option<(u32, EntryFacts)>,
}

impl ExitFacts {
    fn off() -> ExitFacts {
        ExitFacts {
            on: false,
            stub_exit: Vec::new(),
            facts: Vec::new(),
            head: None,
            fall_into: None,
        }
    }
    /// The body falls into its last uop, an `_EXIT_TRACE` (a trace that
    /// ends at another loop's back edge, or at its length limit), with
    /// state `s`.
    fn record_fall_into(&mut self, u: &UopInstruction, s: &State) {
        if self.on && u.opcode == Uop::EXIT_TRACE {
            self.fall_into = Some((u.exit_index, EntryFacts::of(s)));
        }
    }
    /// Uop `u` may leave through its jump target with state `s` (nothing
    /// known: `None`).
    fn record(&mut self, u: &UopInstruction, s: Option<&State>) {
        if !self.on {
            return;
        }
        let Some(Some(e)) = self.stub_exit.get(u.jump_target as usize) else {
            return;
        };
        self.record_exit(*e, s);
    }
    /// Exit `e` may be taken with state `s` (nothing known: `None`).
    fn record_exit(&mut self, e: u32, s: Option<&State>) {
        if !self.on {
            return;
        }
        let f = s.map(EntryFacts::of).unwrap_or_default();
        if let Some(slot) = self.facts.get_mut(e as usize) {
            *slot = Some(match slot.take() {
                Some(old) => old.meet(&f),
                None => f,
            });
        }
    }
}

/// A trace after the optimizer.
pub struct Optimized {
    /// The trace (the stubs keep their order).
    pub uops: Vec<UopInstruction>,
    /// What is known at each exit, by exit index: what a side trace grown
    /// from it starts knowing, and what an exit linked into another
    /// trace's loop head must imply.
    pub exit_facts: Vec<super::local_facts::LocalFacts>,
    /// A peeled loop's head: where its loop copy starts and what it
    /// assumes there.
    pub loop_head: Option<super::local_facts::LoopHead>,
}

/// Optimizes a trace projected from `code`, keeping tier 1's semantics
/// exactly. Returns the new trace (the stubs keep their order).
pub fn optimize(code: &Code, uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    optimize_logged(code, uops, &mut RemovalLog::off())
}

/// [`optimize`], recording each removal and rewrite of the type pass in
/// `log` (by index in the projected trace), for `--dump-traces`.
pub fn optimize_logged(
    code: &Code,
    uops: Vec<UopInstruction>,
    log: &mut RemovalLog,
) -> Vec<UopInstruction> {
    optimize_entered(code, uops, &Default::default(), log).uops
}

/// [`optimize_logged`] for a trace entered with `entry` known (a side
/// trace: what its parent knew at the exit), also returning what is known
/// at each of its exits.
pub fn optimize_entered(
    code: &Code,
    uops: Vec<UopInstruction>,
    entered_with: &super::local_facts::LocalFacts,
    log: &mut RemovalLog,
) -> Optimized {
    let entry = &entered_with.types;
    let deletes_local = |code: Option<&Code>, target: u32| match code {
        Some(code) => {
            let w = code.words().get(target as usize).copied().unwrap_or(0);
            opcode(w) == op::DELETE_FAST
        }
        // A frame whose code the pass does not know: assume the worst.
        None => true,
    };
    let entry_code: *const Code = code;
    let body_end = trace::body_end(&uops).unwrap_or(uops.len());
    let peel_closed = uops
        .get(body_end)
        .is_some_and(|u| u.opcode == Uop::JUMP_TO_TOP);
    let uops = peel::peel(local_guards::guard_locals(uops, body_end));
    let n_exits = trace::exit_count(&uops);
    let mut exits = ExitFacts {
        on: true,
        stub_exit: uops
            .iter()
            .map(|u| (u.opcode == Uop::EXIT_TRACE).then_some(u.exit_index))
            .collect(),
        facts: vec![None; n_exits],
        head: None,
        fall_into: None,
    };
    let (mut uops, float_load) =
        optimize_types(uops, entry_code, entry, &deletes_local, &mut exits, log);
    super::return_stubs::returns_in_stubs(&mut uops, code, &exits.facts);
    if let Some((e, f)) = exits.fall_into.take() {
        if let Some(slot) = exits.facts.get_mut(e as usize) {
            *slot = Some(match slot.take() {
                Some(old) => old.meet(&f),
                None => f,
            });
        }
    }
    // A trace closed at its top (after peeling, a `_JUMP_TO_LOOP`) is also
    // entered from tier 1, knowing nothing.
    let start = if peel_closed {
        super::local_facts::PassFacts::default()
    } else {
        entered_with.passes()
    };
    let (uops, head) = super::fuse::fuse_noting_head(unbox::unbox(uops, &float_load), start);
    let types: Vec<EntryFacts> = exits
        .facts
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    let (exit_facts, loop_head) =
        super::local_facts::of_trace(&uops, types, exits.head, Some(head));
    Optimized {
        uops,
        exit_facts,
        loop_head,
    }
}

/// The int binary operations that pop two small ints and, when they
/// continue, push a small int (their overflow or big results exit first).
pub(crate) fn is_small_int_binary_op(u: Uop) -> bool {
    matches!(
        u,
        Uop::BINARY_OP_ADD_INT
            | Uop::BINARY_OP_SUBTRACT_INT
            | Uop::BINARY_OP_MULTIPLY_INT
            | Uop::BINARY_OP_AND_INT
            | Uop::BINARY_OP_RSHIFT_INT
            | Uop::BINARY_OP_MOD_INT
            | Uop::BINARY_OP_FLOOR_DIVIDE_INT
            | Uop::BINARY_OP_POWER_INT
    )
}

/// The small-int binary operations that can leave through their jump target
/// (an overflow, a big or float result, a zero divisor): all of
/// [`is_small_int_binary_op`] but `&`, whose result is always a small int.
pub(crate) fn small_int_binary_op_may_exit(u: Uop) -> bool {
    is_small_int_binary_op(u) && u != Uop::BINARY_OP_AND_INT
}

/// The type pass, for a trace entered in a frame of `entry_code`;
/// `deletes_local(code, target)` tells whether the tier-1 instruction a
/// `_CALL_HELPER` runs (at `target` of `code`, `None` if unknown) can unbind
/// a local. Returns the
/// compacted trace and, for each of its uops, whether it loads a local
/// known to hold a float.
fn optimize_types(
    mut uops: Vec<UopInstruction>,
    entry_code: *const Code,
    entry: &EntryFacts,
    deletes_local: &Deletes,
    exits: &mut ExitFacts,
    log: &mut RemovalLog,
) -> (Vec<UopInstruction>, Vec<bool>) {
    let body_end = trace::body_end(&uops).unwrap_or(uops.len());
    let mut remove = vec![false; uops.len()];
    let mut float_load = vec![false; uops.len()];
    // A trace that jumps back to its top is also entered there from its
    // own end: it may assume only what it proves for both (nothing, here).
    let mut s = if uops.get(body_end).map(|u| u.opcode) == Some(Uop::JUMP_TO_TOP) {
        State::default()
    } else {
        entry.state()
    };
    let peeled = uops
        .get(body_end)
        .is_some_and(|u| u.opcode == Uop::JUMP_TO_LOOP && u.jump_target as usize * 2 == body_end);
    if !peeled {
        // A function's `_RETURN` ends the body: the pass sees it too
        // (`_RETURN_CLEAN` when every local is a proven small int).
        let returns = uops.get(body_end).is_some_and(|u| u.opcode == Uop::RETURN);
        let whole = run(
            &mut s,
            &mut uops,
            0..body_end + usize::from(returns),
            &mut remove,
            &mut float_load,
            entry_code,
            deletes_local,
            exits,
            log,
        );
        if let Some(end) = uops.get(body_end).filter(|_| whole && !returns) {
            exits.record_fall_into(end, &s);
        }
    } else {
        // Loop peeling: the trace is [preamble][loop][_JUMP_TO_UOP loop]
        // (see `peel`). The preamble starts knowing nothing; the loop starts
        // with what holds both after the preamble and after the loop itself.
        let n = body_end / 2;
        let mut off = RemovalLog::off();
        if run(
            &mut s,
            &mut uops,
            0..n,
            &mut remove,
            &mut float_load,
            entry_code,
            deletes_local,
            exits,
            log,
        ) {
            let mut entry = s.at_loop_head();
            let entry_from_preamble = entry.clone();
            for _ in 0..8 {
                let mut t = entry.clone();
                let (mut u2, mut r2, mut f2) = (uops.clone(), remove.clone(), float_load.clone());
                let whole = run(
                    &mut t,
                    &mut u2,
                    n..2 * n,
                    &mut r2,
                    &mut f2,
                    entry_code,
                    deletes_local,
                    &mut ExitFacts::off(),
                    &mut off,
                );
                let next = if whole {
                    entry.meet(&t)
                } else {
                    State::default()
                };
                if next == entry {
                    break;
                }
                entry = next;
            }
            let mut t = entry.clone();
            // One more dry run from the fixpoint proves it is one.
            let (mut u2, mut r2, mut f2) = (uops.clone(), remove.clone(), float_load.clone());
            let whole = run(
                &mut t,
                &mut u2,
                n..2 * n,
                &mut r2,
                &mut f2,
                entry_code,
                deletes_local,
                &mut ExitFacts::off(),
                &mut off,
            );
            if !whole || entry.meet(&t) != entry || entry.meet(&entry_from_preamble) != entry {
                entry = State::default();
            }
            exits.head = Some(EntryFacts::of(&entry));
            s = entry;
        } else {
            s = State::default();
        }
        run(
            &mut s,
            &mut uops,
            n..2 * n,
            &mut remove,
            &mut float_load,
            entry_code,
            deletes_local,
            exits,
            &mut off,
        );
    }
    let float_load: Vec<bool> = float_load
        .into_iter()
        .zip(&remove)
        .filter(|(_, &r)| !r)
        .map(|(f, _)| f)
        .collect();
    (compact(uops, &remove), float_load)
}

/// Runs the type pass over `range` of the body from state `s`, rewriting
/// `uops` and marking `remove`/`float_load`; false if it stopped early at a
/// uop it does not model.
#[allow(clippy::too_many_arguments)]
fn run(
    s: &mut State,
    uops: &mut [UopInstruction],
    range: std::ops::Range<usize>,
    remove: &mut [bool],
    float_load: &mut [bool],
    entry_code: *const Code,
    deletes_local: &Deletes,
    exits: &mut ExitFacts,
    log: &mut RemovalLog,
) -> bool {
    let body_end = range.end;
    // The code of the frame the uops run in (null: unknown), and the
    // callers' states and codes set aside by inlined calls.
    let mut code: *const Code = entry_code;
    let mut callers: Vec<(State, *const Code)> = Vec::new();
    for k in range {
        let u = uops[k];
        // What an exit taken here leaves (a uop that runs other code or
        // changes frames: nothing known).
        let opaque = matches!(
            u.opcode,
            Uop::CALL_HELPER
                | Uop::CALL_EXECUTOR
                | Uop::CALL_EXECUTOR_KNOWN
                | Uop::CALL_EXECUTOR_ARGS_1
                | Uop::CALL_EXECUTOR_LEAF_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_2
                | Uop::CALL_EXECUTOR_ARGS_2
                | Uop::CALL_EXECUTOR_ARGS_3
                | Uop::PUSH_FRAME
                | Uop::PUSH_FRAME_KNOWN
                | Uop::PUSH_FRAME_ARGS_1
                | Uop::PUSH_FRAME_ARGS_2
                | Uop::PUSH_FRAME_ARGS_3
                | Uop::POP_FRAME
        );
        exits.record(&u, (!opaque).then_some(&*s));
        match u.opcode {
            Uop::NOP => {
                remove[k] = true;
                log.removed(k, u.opcode, "does nothing");
            }
            Uop::LOAD_FAST_CHECK | Uop::LOAD_FAST | Uop::LOAD_FAST_INT => {
                let int = s.locals.get(&u.oparg) == Some(&Ty::Int);
                if s.bound.contains(&u.oparg) && int {
                    // A small int: no tag test, no reference to take.
                    if u.opcode != Uop::LOAD_FAST_INT {
                        log.rewritten(k, u.opcode, Uop::LOAD_FAST_INT, "local proven small int");
                    }
                    uops[k].opcode = Uop::LOAD_FAST_INT;
                } else if s.bound.contains(&u.oparg) {
                    if u.opcode != Uop::LOAD_FAST {
                        log.rewritten(k, u.opcode, Uop::LOAD_FAST, "local known bound");
                    }
                    uops[k].opcode = Uop::LOAD_FAST;
                }
                float_load[k] = s.locals.get(&u.oparg) == Some(&Ty::Float);
                s.bound.insert(u.oparg);
                s.push_entry(Entry {
                    ty: s.locals.get(&u.oparg).copied().unwrap_or(Ty::Unknown),
                    local: Some(u.oparg),
                });
            }
            Uop::GUARD_LOCAL_INT => {
                if s.bound.contains(&u.oparg) && s.locals.get(&u.oparg) == Some(&Ty::Int) {
                    remove[k] = true;
                    log.removed(k, u.opcode, "local's type already proven");
                }
                s.locals.insert(u.oparg, Ty::Int);
                s.bound.insert(u.oparg);
            }
            Uop::GUARD_LOCAL_BOUND => {
                if s.bound.contains(&u.oparg) {
                    remove[k] = true;
                    log.removed(k, u.opcode, "local known bound");
                }
                s.bound.insert(u.oparg);
            }
            Uop::STORE_FAST | Uop::STORE_FAST_INT => {
                if s.locals.get(&u.oparg) == Some(&Ty::Int) {
                    // The old value is a small int: nothing to release.
                    if u.opcode != Uop::STORE_FAST_INT {
                        log.rewritten(k, u.opcode, Uop::STORE_FAST_INT, "old value a small int");
                    }
                    uops[k].opcode = Uop::STORE_FAST_INT;
                }
                let t = s.pop();
                s.store_local(u.oparg, t);
            }
            Uop::LOAD_CONST => {
                // A constant pushed and popped at once does nothing.
                if k + 1 < body_end && uops[k + 1].opcode == Uop::POP_TOP {
                    remove[k] = true;
                    remove[k + 1] = true;
                    log.removed(k, u.opcode, "constant popped at once");
                    log.removed(k + 1, Uop::POP_TOP, "pops a constant pushed at once");
                }
                s.push(const_ty(u.operand));
            }
            Uop::POP_TOP => {
                s.pop();
            }
            Uop::GUARD_BOTH_INT | Uop::GUARD_BOTH_FLOAT => {
                let want = if u.opcode == Uop::GUARD_BOTH_INT {
                    Ty::Int
                } else {
                    Ty::Float
                };
                match (s.peek(2) == want, s.peek(1) == want) {
                    (true, true) => {
                        remove[k] = true;
                        log.removed(k, u.opcode, "both operands' types already proven");
                    }
                    // One side proven: check only the other.
                    (true, false) if want == Ty::Float => {
                        uops[k].opcode = Uop::GUARD_TOS_FLOAT;
                        log.rewritten(k, u.opcode, uops[k].opcode, "second operand proven float");
                    }
                    (false, true) if want == Ty::Float => {
                        uops[k].opcode = Uop::GUARD_NOS_FLOAT;
                        log.rewritten(k, u.opcode, uops[k].opcode, "top operand proven float");
                    }
                    _ => {}
                }
                s.prove(1, want);
                s.prove(2, want);
            }
            Uop::GUARD_TOS_FLOAT | Uop::GUARD_NOS_FLOAT => {
                let depth = if u.opcode == Uop::GUARD_TOS_FLOAT {
                    1
                } else {
                    2
                };
                if s.peek(depth) == Ty::Float {
                    remove[k] = true;
                    log.removed(k, u.opcode, "operand's type already proven");
                }
                s.prove(depth, Ty::Float);
            }
            op if is_small_int_binary_op(op) => {
                s.pop();
                s.pop();
                s.push(Ty::Int);
            }
            Uop::UNARY_NEGATIVE => {
                // Its result is a new object of the operand's type.
                let t = match s.peek(1) {
                    Ty::Float => {
                        uops[k].opcode = Uop::UNARY_NEGATIVE_FLOAT;
                        log.rewritten(
                            k,
                            u.opcode,
                            Uop::UNARY_NEGATIVE_FLOAT,
                            "operand proven float",
                        );
                        Ty::Float
                    }
                    Ty::Int => Ty::Int,
                    _ => Ty::Unknown,
                };
                s.set_entry(1, Entry::of(t));
            }
            Uop::UNARY_NEGATIVE_FLOAT => s.set_entry(1, Entry::of(Ty::Float)),
            Uop::UNARY_NOT => s.set_entry(1, Entry::of(Ty::Bool)),
            Uop::IS_OP => {
                s.pop();
                s.pop();
                s.push(Ty::Bool);
            }
            Uop::BUILD_TUPLE => {
                // A tuple unpacked at once into as many values is only a
                // reordering of the stack: the top `n` reversed.
                let n = u.oparg;
                if remove[k] {
                    // Folded by an earlier run over these uops: the next
                    // uop is already the reordering.
                    continue;
                }
                let next = uops.get(k + 1).copied();
                let unpacked = k + 1 < body_end
                    && next.is_some_and(|x| x.opcode == Uop::UNPACK_SEQUENCE && x.oparg == n);
                if unpacked && (1..=3).contains(&n) {
                    remove[k] = true;
                    log.removed(k, u.opcode, "tuple unpacked at once");
                    if n == 1 {
                        remove[k + 1] = true;
                        log.removed(
                            k + 1,
                            Uop::UNPACK_SEQUENCE,
                            "unpacks a 1-tuple built at once",
                        );
                    } else {
                        uops[k + 1] = UopInstruction::new(Uop::SWAP)
                            .oparg(n)
                            .target(uops[k + 1].target);
                        log.rewritten(
                            k + 1,
                            Uop::UNPACK_SEQUENCE,
                            Uop::SWAP,
                            "unpacks a tuple built at once",
                        );
                    }
                    continue;
                }
                for _ in 0..n {
                    s.pop();
                }
                s.push(Ty::Unknown);
            }
            Uop::UNPACK_SEQUENCE => {
                s.pop();
                for _ in 0..u.oparg {
                    s.push(Ty::Unknown);
                }
            }
            Uop::BINARY_SLICE => {
                s.pop();
                s.pop();
                s.pop();
                s.push(Ty::Unknown);
            }
            Uop::CALL_RANGE_ITER => {
                for _ in 0..u.oparg + 2 {
                    s.pop();
                }
                s.push(Ty::Unknown);
            }
            // ----- containers and strings (s7-containers) -----
            Uop::BUILD_LIST => {
                for _ in 0..u.oparg {
                    s.pop();
                }
                s.push(Ty::Unknown);
            }
            Uop::CALL_LEN => {
                for _ in 0..3 {
                    s.pop();
                }
                s.push(Ty::Int);
            }
            Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT => {
                s.pop();
                s.pop();
                s.push(Ty::Float);
            }
            Uop::BINARY_OP_TRUE_DIVIDE_FLOAT | Uop::BINARY_OP_POWER_FLOAT => {
                s.pop();
                s.pop();
                s.push(Ty::Float);
            }
            Uop::BINARY_OP_FLOAT_MIXED => {
                // Both operands proven floats: the float uop, which the
                // unboxing pass can take further.
                if s.peek(1) == Ty::Float && s.peek(2) == Ty::Float {
                    if let Some(f) = float_form(u.oparg) {
                        uops[k] = u.oparg(0);
                        uops[k].opcode = f;
                        log.rewritten(k, u.opcode, f, "both operands proven float");
                    }
                }
                s.pop();
                s.pop();
                s.push(Ty::Float);
            }
            Uop::LOAD_DEREF | Uop::FOR_ITER_LIST | Uop::FOR_ITER_TUPLE => s.push(Ty::Unknown),
            Uop::FOR_ITER_RANGE => s.push(Ty::Int),
            Uop::GUARD_ITER_RANGE | Uop::GUARD_ITER_LIST | Uop::GUARD_ITER_TUPLE => {}
            Uop::GET_ITER_LIST => {
                s.pop();
                s.push(Ty::Unknown);
            }
            // ----- dicts, lists and tuples (s6-dict) -----
            Uop::BINARY_SUBSCR_DICT => {
                s.pop();
                s.pop();
                s.push(Ty::Unknown);
            }
            Uop::STORE_SUBSCR_DICT => {
                s.pop();
                s.pop();
                s.pop();
            }
            Uop::LOAD_METHOD_LIST | Uop::LOAD_METHOD_DICT => {
                s.pop();
                s.push(Ty::Unknown);
                s.push(Ty::Unknown);
            }
            Uop::CALL_LIST_APPEND => {
                s.pop();
                s.pop();
                s.pop();
                s.push(Ty::Unknown);
            }
            Uop::CALL_LIST_POP | Uop::CALL_DICT_GET => {
                for _ in 0..u.oparg + 2 {
                    s.pop();
                }
                s.push(Ty::Unknown);
            }
            Uop::STORE_DEREF => {
                s.pop();
            }
            Uop::COMPARE_OP_INT | Uop::COMPARE_OP_FLOAT => {
                s.pop();
                s.pop();
                s.push(Ty::Bool);
            }
            Uop::TO_BOOL => {
                if s.peek(1) == Ty::Bool {
                    remove[k] = true;
                    log.removed(k, u.opcode, "value already a bool");
                }
                // The entry is replaced by its truth: no longer the local's object.
                s.set_entry(1, Entry::of(Ty::Bool));
            }
            Uop::GUARD_IS_TRUE_POP | Uop::GUARD_IS_FALSE_POP => {
                s.pop();
            }
            Uop::SWAP => {
                let n = u.oparg as usize;
                let (a, b) = (s.peek_entry(1), s.peek_entry(n));
                if n <= s.stack.len() {
                    s.set_entry(1, b);
                    s.set_entry(n, a);
                } else {
                    s.set_entry(1, Entry::UNKNOWN);
                }
            }
            Uop::COPY => s.push_entry(s.peek_entry(u.oparg as usize)),
            Uop::PUSH_NULL => s.push(Ty::Unknown),
            Uop::BINARY_SUBSCR_LIST_INT => {
                s.pop();
                s.pop();
                s.push(Ty::Unknown);
            }
            Uop::STORE_SUBSCR_LIST_INT => {
                s.pop();
                s.pop();
                s.pop();
            }
            Uop::CALL_HELPER => {
                s.stack.clear();
                // SAFETY: `code` is null or a code the trace holds (its
                // entry code or an inlined callee's).
                if deletes_local(unsafe { code.as_ref() }, u.target) {
                    s.locals.clear();
                    s.bound.clear();
                }
            }
            op if op.is_frame_push() => {
                let mut args: Vec<Entry> = (0..u.oparg).map(|_| s.pop_entry()).collect();
                args.reverse();
                s.pop();
                s.pop();
                let mut callee = State::default();
                for (l, a) in args.iter().enumerate() {
                    callee.bound.insert(l as u32);
                    if a.ty != Ty::Unknown {
                        callee.locals.insert(l as u32, a.ty);
                    }
                }
                callers.push((std::mem::replace(s, callee), code));
                code = if u.operand == 0 {
                    std::ptr::null()
                } else {
                    // SAFETY: a _PUSH_FRAME's operand is the entry slot of a
                    // code object the trace holds (its frame context).
                    unsafe { crate::vm::bytecode::EntrySlot::at(u.operand).code() }
                };
            }
            Uop::POP_FRAME | Uop::POP_FRAME_CLEAN => {
                if !code.is_null() {
                    // SAFETY: the trace holds the codes of its frames.
                    let (n, depth) =
                        unsafe { ((*code).nlocalsplus() as u32, (*code).depth_at(u.target)) };
                    // Every local a small int and the return value alone on
                    // the stack (the code's depth at its `RETURN_VALUE`):
                    // nothing in the frame to release.
                    if depth == Some(1) && (0..n).all(|i| s.locals.get(&i) == Some(&Ty::Int)) {
                        log.rewritten(
                            k,
                            u.opcode,
                            Uop::POP_FRAME_CLEAN,
                            "every local proven small int",
                        );
                        uops[k].opcode = Uop::POP_FRAME_CLEAN;
                    }
                }
                let rv = s.pop();
                match callers.pop() {
                    Some((st, c)) => {
                        *s = st;
                        code = c;
                    }
                    None => {
                        *s = State::default();
                        code = std::ptr::null();
                    }
                }
                s.push(rv);
            }
            op if op.is_native_call() => {
                // A native call: the callable, NULL and the arguments go,
                // an unknown result comes (the caller's locals are its own).
                for _ in 0..u.oparg + 2 {
                    s.pop();
                }
                s.push(Ty::Unknown);
            }
            Uop::SET_IP | Uop::CHECK_VALIDITY => {}
            Uop::RETURN if !code.is_null() => {
                // SAFETY: the trace holds the codes of its frames.
                let n = unsafe { (*code).nlocalsplus() } as u32;
                if (0..n).all(|i| s.locals.get(&i) == Some(&Ty::Int)) {
                    // Every local a small int: nothing to release at the pop;
                    // with the value alone on the stack (the code's depth at
                    // its `RETURN_VALUE`), no test of the depth either.
                    // SAFETY: as above.
                    let alone = unsafe { (*code).depth_at(u.target) } == Some(1);
                    let to = if alone {
                        Uop::RETURN_CLEAN_ALONE
                    } else {
                        Uop::RETURN_CLEAN
                    };
                    log.rewritten(k, u.opcode, to, "every local proven small int");
                    uops[k].opcode = to;
                    uops[k].oparg = n;
                }
            }
            // Anything else: stop analysing (keep the rest as it is); the
            // exits of the uops not analysed know nothing.
            _ => {
                for x in uops.get(k + 1..body_end).unwrap_or(&[]) {
                    exits.record(x, None);
                }
                return false;
            }
        }
    }
    // A range that ends inside an inlined call leaves a callee's state.
    callers.is_empty()
}

/// The float uop for `_BINARY_OP_FLOAT_MIXED`'s operator `oparg`.
fn float_form(oparg: u32) -> Option<Uop> {
    Some(match oparg {
        0 => Uop::BINARY_OP_ADD_FLOAT,
        1 => Uop::BINARY_OP_SUBTRACT_FLOAT,
        2 => Uop::BINARY_OP_MULTIPLY_FLOAT,
        3 => Uop::BINARY_OP_TRUE_DIVIDE_FLOAT,
        4 => Uop::BINARY_OP_POWER_FLOAT,
        _ => return None,
    })
}

/// Whether the tier-1 instruction at a target of a code (`None`: unknown)
/// can unbind a local.
type Deletes = dyn Fn(Option<&Code>, u32) -> bool;

/// Drops the removed uops and renumbers jump and error targets.
fn compact(uops: Vec<UopInstruction>, remove: &[bool]) -> Vec<UopInstruction> {
    let mut map = Vec::with_capacity(uops.len());
    let mut n = 0u32;
    for &r in remove {
        map.push(n);
        if !r {
            n += 1;
        }
    }
    let remap = |t: u32| map.get(t as usize).copied().unwrap_or(t);
    uops.into_iter()
        .zip(remove)
        .filter(|(_, &r)| !r)
        .map(|(mut u, _)| {
            u.jump_target = remap(u.jump_target);
            u.error_target = remap(u.error_target);
            u
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// The type pass alone, entered with nothing known: the trace it returns.
    fn types_only(uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
        optimize_types(
            uops,
            std::ptr::null(),
            &EntryFacts::default(),
            &no_deletes,
            &mut ExitFacts::off(),
            &mut RemovalLog::off(),
        )
        .0
    }

    #[test]
    fn compact_renumbers_targets_past_removed_uops() {
        let uops = vec![
            ins(Uop::NOP),
            ins(Uop::GUARD_BOTH_INT).jump_target(3),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = compact(uops, &[true, false, false, false]);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].jump_target, 2);
        assert_eq!(out[2].opcode, Uop::EXIT_TRACE);
    }

    fn no_deletes(_: Option<&Code>, _: u32) -> bool {
        false
    }

    /// `x * x` twice, with exit stubs: the second float guard is proven by
    /// the first (through the local the operands were loaded from), and the
    /// second check that `x` is bound is too.
    #[test]
    fn a_guard_on_loaded_values_proves_the_local() {
        let uops = vec![
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(10),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(10),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(10),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(10),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = types_only(uops);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST_CHECK,
                Uop::LOAD_FAST,
                Uop::GUARD_BOTH_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT,
                Uop::STORE_FAST,
                Uop::LOAD_FAST,
                Uop::LOAD_FAST,
                Uop::BINARY_OP_MULTIPLY_FLOAT,
                Uop::JUMP_TO_TOP,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!(out[0].jump_target, 9);
    }

    /// A store to the local between the loads and the guard: the guard
    /// proves the stack entries, not the local's new value.
    #[test]
    fn a_store_breaks_the_link_to_the_local() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(2),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(9),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(9),
            ins(Uop::EXIT_TRACE),
        ];
        let out = types_only(uops);
        let guards = out
            .iter()
            .filter(|u| u.opcode == Uop::GUARD_BOTH_FLOAT)
            .count();
        assert_eq!(guards, 2);
    }

    /// A helper that may delete a local forgets what was proven about it.
    #[test]
    fn a_deleting_helper_forgets_the_locals() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_INT).jump_target(7),
            ins(Uop::CALL_HELPER).target(99),
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(7),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_INT).jump_target(7),
            ins(Uop::EXIT_TRACE),
        ];
        let out = optimize_types(
            uops,
            std::ptr::null(),
            &EntryFacts::default(),
            &|_, t| t == 99,
            &mut ExitFacts::off(),
            &mut RemovalLog::off(),
        )
        .0;
        assert_eq!(out[4].opcode, Uop::LOAD_FAST_CHECK);
        assert_eq!(out[6].opcode, Uop::GUARD_BOTH_INT);
    }

    /// `x = x * y` in a closed loop, peeled: the preamble guards `x` and
    /// `y`, the loop copy needs no guard and no bound checks.
    #[test]
    fn the_peeled_loop_assumes_what_the_preamble_proved() {
        let uops = vec![
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(6),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(6),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(6),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = optimize_types(
            peel::peel(uops),
            std::ptr::null(),
            &EntryFacts::default(),
            &no_deletes,
            &mut ExitFacts::off(),
            &mut RemovalLog::off(),
        )
        .0;
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST_CHECK,
                Uop::LOAD_FAST_CHECK,
                Uop::GUARD_BOTH_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT,
                Uop::STORE_FAST,
                Uop::LOAD_FAST,
                Uop::LOAD_FAST,
                Uop::BINARY_OP_MULTIPLY_FLOAT,
                Uop::STORE_FAST,
                Uop::JUMP_TO_LOOP,
                Uop::EXIT_TRACE,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!(out[9].jump_target, 5);
    }

    /// The loop stores into `x` a value of unknown type: the loop copy must
    /// keep the guard the preamble needed (the back edge does not prove it).
    #[test]
    fn the_peeled_loop_forgets_what_the_loop_breaks() {
        let uops = vec![
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(8),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(8),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(8),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::CALL_HELPER).jump_target(8).error_target(8),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = optimize_types(
            peel::peel(uops),
            std::ptr::null(),
            &EntryFacts::default(),
            &no_deletes,
            &mut ExitFacts::off(),
            &mut RemovalLog::off(),
        )
        .0;
        let guards: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.opcode, Uop::GUARD_NOS_FLOAT | Uop::GUARD_BOTH_FLOAT))
            .map(|(k, _)| k)
            .collect();
        // The preamble's guard, and in the loop a guard on `x` only (`y` is
        // loop-invariant and proven).
        assert_eq!(guards.len(), 2);
        assert_eq!(out[guards[1]].opcode, Uop::GUARD_NOS_FLOAT);
    }

    /// An inlined call: the float argument's type becomes the callee's
    /// local's (its guard goes), the callee knows nothing else, and after
    /// `_POP_FRAME` the caller's locals are known again.
    #[test]
    fn inlined_calls_pass_argument_types_and_restore_the_caller() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(20),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::LOAD_CONST).operand(0),
            ins(Uop::PUSH_NULL),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::PUSH_FRAME).oparg(1).jump_target(20),
            // callee: x * x with x = the caller's local 1 (a float)
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(20),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(20),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(20),
            ins(Uop::POP_TOP),
            ins(Uop::POP_TOP),
            ins(Uop::POP_FRAME),
            ins(Uop::POP_TOP),
            // caller again: local 0 is still a proven float
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::GUARD_BOTH_FLOAT).jump_target(20),
            ins(Uop::EXIT_TRACE),
        ];
        let out = types_only(uops);
        let ops = opcodes(&out);
        // The first guard stays; the callee's is proven (x: float argument,
        // its second operand is local 1, unknown); the last one is proven.
        assert_eq!(
            ops.iter().filter(|&&u| u == Uop::GUARD_BOTH_FLOAT).count(),
            1
        );
        assert_eq!(
            ops.iter().filter(|&&u| u == Uop::GUARD_NOS_FLOAT).count(),
            1
        );
        // The argument is bound in the callee, its local 1 is not known bound.
        assert_eq!(
            ops.iter().filter(|&&u| u == Uop::LOAD_FAST_CHECK).count(),
            1
        );
    }

    /// A tuple unpacked as soon as it is built is a stack reordering, and
    /// the negation of a value proven float is the float form (which the
    /// unboxing pass can take further).
    #[test]
    fn tuples_unpacked_at_once_fold_and_float_negation_is_typed() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BUILD_TUPLE).oparg(2),
            ins(Uop::UNPACK_SEQUENCE).oparg(2).target(7).jump_target(11),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(2),
            ins(Uop::GUARD_TOS_FLOAT).jump_target(11),
            ins(Uop::UNARY_NEGATIVE).jump_target(11),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::STORE_FAST).oparg(1),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = types_only(uops);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::LOAD_FAST,
                Uop::LOAD_FAST,
                Uop::SWAP,
                Uop::STORE_FAST,
                Uop::LOAD_FAST,
                Uop::GUARD_TOS_FLOAT,
                Uop::UNARY_NEGATIVE_FLOAT,
                Uop::STORE_FAST,
                Uop::STORE_FAST,
                Uop::JUMP_TO_TOP,
                Uop::EXIT_TRACE,
            ]
        );
        assert_eq!((out[2].oparg, out[2].target), (2, 7));
        // A tuple that is kept, or unpacked into another count, stays.
        let kept = vec![
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BUILD_TUPLE).oparg(2),
            ins(Uop::UNPACK_SEQUENCE).oparg(3).jump_target(5),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let out = types_only(kept);
        assert_eq!(out[2].opcode, Uop::BUILD_TUPLE);
        assert_eq!(out[3].opcode, Uop::UNPACK_SEQUENCE);
    }
}
