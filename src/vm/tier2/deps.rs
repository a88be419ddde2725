//! Dependencies: what an installed trace assumed, and who to invalidate
//! when it changes.
//!
//! A trace may bake in a fact that tier 1 re-checks on every execution —
//! today the value of a global or builtin (`LOAD_GLOBAL_MODULE` /
//! `LOAD_GLOBAL_BUILTIN` become `_LOAD_CONST`), tomorrow the identity and
//! code of an inlined callee. Every such fact is a [`Dep`] the trace lists
//! in [`crate::vm::tier2::trace::Trace::deps`]; installing the trace
//! registers it here and turns on the watcher of the dict involved
//! ([`crate::vm::dict::Dict::watch`]).
//!
//! When the fact changes, [`dict_changed`] (from the watched dict) or
//! [`code_changed`] invalidates every dependent trace: it can no longer be
//! entered or linked to, and its loop's `ENTER_EXECUTOR` goes back to
//! `JUMP_BACKWARD`. A trace can be running while that happens (the change
//! is made by a helper it called, or by a function that helper ran): such a
//! trace checks its validity (`_CHECK_VALIDITY`) right after every helper
//! that can run arbitrary code and leaves to tier 1 at the next instruction,
//! so the rest of the iteration sees the new value.
//!
//! ## Adding a dependency (for projection code)
//!
//! 1. Bake the fact in and push a [`Dep`] naming it onto the projection's
//!    `deps` ([`crate::vm::tier2::project::Projection`]); keep any object
//!    the trace embeds alive by pushing it onto `consts`.
//! 2. Ask [`Registry::may_bake`] (through the projection context) first:
//!    a fact that keeps changing is better guarded than baked.
//! 3. Make sure whatever can change the fact reports it: dict entries are
//!    covered by the dict watcher; code objects by calling [`code_changed`].
//!
//! 4. Any new uop or helper that can run arbitrary code (a call, anything
//!    that may store a global) must be followed by `_CHECK_VALIDITY`
//!    jumping to a `_DEOPT` at the next instruction, as projection does after
//!    every `cpjit_step`; `project::Builder::finish` drops those checks
//!    from traces without dependencies, so emitting them always is free.
//!
//! For an inlined call of a global function: the function's identity is the
//! value of the global it was loaded from, so the [`Dep::Global`] of that
//! load covers it; a function's code and defaults cannot change in the
//! subset (`f.__code__ = ...` and `f.__defaults__ = ...` are
//! `AttributeError`s). Projection depends on [`Dep::Code`] of every callee
//! it inlined anyway (the inlined body is that code as it is specialized
//! now), so whatever changes a code object in the future only has to call
//! [`code_changed`]. A callee not loaded from a baked global (a closure, a
//! dict entry, an attribute) is guarded by `_PUSH_FRAME`, which checks the
//! callable's code at every call.
//!
//! For a call of a function that could have a function-entry trace but has
//! none yet (projection calls it through the generic helper): the trace
//! depends on [`Dep::NoEntry`] of the callee's code, which
//! [`entry_installed`] breaks when the entry trace is installed, so the
//! caller is re-projected with a native `_CALL_EXECUTOR`. A trace projected
//! after that calls natively and needs no such fact; a slot filled over and
//! over is bounded by [`Registry::may_bake`] like a rebound global.

use crate::vm::tier2::trace::Trace;
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::{Rc, Weak};

/// A cheap multiplicative hasher for [`Dep`] keys (addresses and hashes
/// that are already well mixed): every store into a watched dict looks its
/// key up here, so SipHash would be wasted work.
#[derive(Default)]
struct DepHasher(u64);

impl Hasher for DepHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
}

type DepMap<V> = HashMap<Dep, V, BuildHasherDefault<DepHasher>>;

/// One fact a trace assumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dep {
    /// The entry of the dict table at address `dict` (a
    /// `*const crate::vm::dict::Dict`) whose key hashes to `hash` keeps its
    /// value, and stays present (or absent). Any rebinding, insertion or
    /// deletion of a key with that hash (a collision only costs a spurious
    /// invalidation) breaks it.
    Global {
        /// The table's address.
        dict: usize,
        /// The key's hash, as the table computes it.
        hash: i64,
    },
    /// The code object at address `code` (a `*const crate::vm::bytecode::Code`)
    /// keeps its instructions and constants, e.g. an inlined callee's.
    /// Broken by [`code_changed`].
    Code(usize),
    /// The code object at address `code` still has no function-entry
    /// executor: the trace calls it through the generic helper (a nested
    /// tier-1 run) rather than natively. Broken by [`entry_installed`], so
    /// the caller is re-projected with a native `_CALL_EXECUTOR`.
    NoEntry(usize),
}

/// Which live traces depend on which facts, and how often each fact broke.
#[derive(Default)]
pub struct Registry {
    /// Dependents of each fact (weak: invalidation unregisters them, and a
    /// dropped trace is skipped).
    dependents: DepMap<Vec<Weak<Trace>>>,
    /// Times each fact broke while a trace depended on it.
    breaks: DepMap<u32>,
    /// Facts registered so far (for `--stats`).
    pub registered: u64,
}

impl Registry {
    /// Whether a trace may bake `dep` in: it broke fewer than `limit`
    /// times under a trace so far (a global rebound in a hot loop is
    /// guarded instead of invalidating traces over and over).
    pub fn may_bake(&self, dep: &Dep, limit: u32) -> bool {
        self.breaks.get(dep).copied().unwrap_or(0) < limit
    }

    /// Registers every fact of `t`.
    pub fn register(&mut self, t: &Rc<Trace>) {
        for d in &t.deps {
            if let Dep::Global { dict, hash } = *d {
                MAY_DEPEND.with(|f| f.set(f.get() | filter_bit(dict, hash)));
            }
            self.dependents
                .entry(*d)
                .or_default()
                .push(Rc::downgrade(t));
            self.registered += 1;
        }
    }

    /// Forgets `t` (it was invalidated or is being freed), and any dropped
    /// trace met on the way.
    pub fn unregister(&mut self, t: &Trace) {
        let mut removed = false;
        for d in &t.deps {
            if let Some(v) = self.dependents.get_mut(d) {
                v.retain(|w| w.strong_count() > 0 && !std::ptr::eq(w.as_ptr(), t));
                if v.is_empty() {
                    self.dependents.remove(d);
                    removed = true;
                }
            }
        }
        if removed {
            self.refilter();
        }
    }

    /// Rebuilds the store filter from the facts that still have dependents
    /// (after some lost theirs: a global rebound too often under traces is
    /// guarded, not baked, from then on, and its stores should be cheap).
    fn refilter(&self) {
        let bits = self.dependents.keys().fold(0, |acc, d| match *d {
            Dep::Global { dict, hash } => acc | filter_bit(dict, hash),
            Dep::Code(_) | Dep::NoEntry(_) => acc,
        });
        MAY_DEPEND.with(|f| f.set(bits));
    }

    /// Takes the live dependents of every fact `broken` accepts, counting
    /// the break of each fact that had one.
    pub fn take_dependents(&mut self, broken: impl Fn(&Dep) -> bool) -> Vec<Rc<Trace>> {
        let keys: Vec<Dep> = self
            .dependents
            .keys()
            .filter(|d| broken(d))
            .copied()
            .collect();
        let mut out = Vec::new();
        for k in keys {
            let Some(v) = self.dependents.remove(&k) else {
                continue;
            };
            let live: Vec<Rc<Trace>> = v.iter().filter_map(Weak::upgrade).collect();
            if !live.is_empty() {
                *self.breaks.entry(k).or_insert(0) += 1;
            }
            out.extend(live);
        }
        self.refilter();
        out
    }

    /// Takes the live dependents of exactly `dep` (the common, cheap case).
    pub fn take_dependents_of(&mut self, dep: &Dep) -> Vec<Rc<Trace>> {
        if self.dependents.is_empty() {
            return Vec::new();
        }
        let Some(v) = self.dependents.remove(dep) else {
            return Vec::new();
        };
        self.refilter();
        let live: Vec<Rc<Trace>> = v.iter().filter_map(Weak::upgrade).collect();
        if !live.is_empty() {
            *self.breaks.entry(*dep).or_insert(0) += 1;
        }
        live
    }

    /// Number of facts with at least one registered dependent.
    pub fn watched(&self) -> usize {
        self.dependents.len()
    }
}

thread_local! {
    /// A one-word Bloom filter over the [`Dep::Global`] facts registered
    /// since [`reset_filter`]: a store into a watched dict whose bit is clear
    /// changes nothing any trace depends on and returns at once, without
    /// borrowing the tier-2 state or probing the registry (a module-level
    /// loop stores globals of the watched module dict on every iteration).
    static MAY_DEPEND: Cell<u64> = const { Cell::new(0) };
}

/// The filter bit of the fact "entry `hash` of the dict at `dict`".
fn filter_bit(dict: usize, hash: i64) -> u64 {
    let mixed = (hash as u64 ^ (dict as u64).rotate_right(4)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    1 << (mixed >> 58)
}

/// Whether a trace may depend on entry `hash` of the dict at `dict` (no
/// false negatives: every registered fact passes).
#[inline]
fn may_depend(dict: usize, hash: i64) -> bool {
    MAY_DEPEND.with(Cell::get) & filter_bit(dict, hash) != 0
}

/// Forgets every fact in the filter (a new registry starts).
pub(super) fn reset_filter() {
    MAY_DEPEND.with(|f| f.set(0));
}

/// Called by a watched dict table (at address `dict`) before the entry of
/// `hash` changes (`None`: every entry, e.g. `clear`). Invalidates the
/// traces that depend on it.
/// (Inlined into the dict's stores whatever codegen unit they land in: the
/// filter test is the common, cheap case.)
#[inline]
pub fn dict_changed(dict: usize, hash: Option<i64>) {
    if hash.is_some_and(|h| !may_depend(dict, h)) {
        return;
    }
    invalidate_global_dependents(dict, hash);
}

/// [`dict_changed`]'s invalidation, past the filter.
#[inline(never)]
fn invalidate_global_dependents(dict: usize, hash: Option<i64>) {
    super::invalidate_dependents(|reg| match hash {
        Some(hash) => reg.take_dependents_of(&Dep::Global { dict, hash }),
        None => reg.take_dependents(|d| matches!(d, Dep::Global { dict: t, .. } if *t == dict)),
    });
}

/// Invalidates the traces that depend on the code object at `code` (its
/// instructions or constants are about to change), and the traces projected
/// from it.
pub fn code_changed(code: &crate::vm::bytecode::Code) {
    let at = code as *const crate::vm::bytecode::Code as usize;
    super::invalidate_dependents(|reg| reg.take_dependents_of(&Dep::Code(at)));
    super::invalidate_code(code);
}

/// The fact [`Dep::NoEntry`] of `code` broke (a function-entry executor
/// was just installed in its slot): takes the traces that call it through
/// the generic helper, to be invalidated and re-projected with native calls.
pub(super) fn entry_installed(
    reg: &mut Registry,
    code: &crate::vm::bytecode::Code,
) -> Vec<Rc<Trace>> {
    reg.take_dependents_of(&Dep::NoEntry(
        code as *const crate::vm::bytecode::Code as usize,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::obj::Obj;
    use std::cell::Cell;

    fn trace(deps: Vec<Dep>) -> Rc<Trace> {
        Rc::new(Trace {
            id: 0,
            uops: Vec::new(),
            code: Obj::int(0),
            start: 0,
            root_at: None,
            function_entry: false,
            depth: 0,
            valid: Cell::new(true),
            jit: None,
            exits: Vec::new(),
            exit_targets: Vec::new(),
            contexts: Vec::new(),
            exit_contexts: Vec::new(),
            exit_facts: Vec::new(),
            loop_head: None,
            deps,
            consts: Vec::new(),
        })
    }

    const A: Dep = Dep::Global { dict: 16, hash: 1 };
    const B: Dep = Dep::Global { dict: 16, hash: 2 };
    const C: Dep = Dep::Global { dict: 32, hash: 1 };

    #[test]
    fn a_broken_fact_hands_over_its_live_dependents_once() {
        let mut r = Registry::default();
        let (t1, t2, t3) = (trace(vec![A, B]), trace(vec![A]), trace(vec![C]));
        for t in [&t1, &t2, &t3] {
            r.register(t);
        }
        assert_eq!(r.registered, 4);
        let got = r.take_dependents_of(&A);
        assert_eq!(got.len(), 2);
        assert!(got.iter().any(|t| Rc::ptr_eq(t, &t1)) && got.iter().any(|t| Rc::ptr_eq(t, &t2)));
        assert!(r.take_dependents_of(&A).is_empty());
        // Breaks are counted only while someone depended on the fact.
        assert!(!r.may_bake(&A, 1) && r.may_bake(&A, 2));
        assert!(r.may_bake(&B, 1));
        assert!(!r.may_bake(&B, 0));
    }

    #[test]
    fn the_store_filter_lets_every_registered_fact_through() {
        reset_filter();
        assert!(!may_depend(16, 1), "nothing registered yet");
        let mut r = Registry::default();
        let t = trace(vec![A, B, C, Dep::Code(64)]);
        r.register(&t);
        for d in [A, B, C] {
            if let Dep::Global { dict, hash } = d {
                assert!(may_depend(dict, hash), "{d:?}");
            }
        }
        r.take_dependents_of(&A);
        assert!(may_depend(16, 2), "B still has a dependent");
        r.unregister(&t);
        assert!(
            !may_depend(16, 2) && !may_depend(32, 1),
            "no fact has dependents"
        );
        reset_filter();
        assert!(!may_depend(16, 1));
    }

    #[test]
    fn unregistered_and_dropped_traces_are_not_handed_over() {
        let mut r = Registry::default();
        let (t1, t2) = (trace(vec![A]), trace(vec![A, B]));
        r.register(&t1);
        r.register(&t2);
        r.unregister(&t1);
        drop(t2);
        assert!(r.take_dependents_of(&A).is_empty());
        assert!(r.may_bake(&A, 1), "nobody depended on it when it broke");
    }

    #[test]
    fn clearing_a_dict_breaks_every_fact_about_it_and_no_other() {
        let mut r = Registry::default();
        let (t1, t2, t3) = (trace(vec![A]), trace(vec![B]), trace(vec![C]));
        for t in [&t1, &t2, &t3] {
            r.register(t);
        }
        let got = r.take_dependents(|d| matches!(d, Dep::Global { dict: 16, .. }));
        assert_eq!(got.len(), 2);
        assert_eq!(r.watched(), 1);
        assert_eq!(r.take_dependents_of(&C).len(), 1);
    }
}
