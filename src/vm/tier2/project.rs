//! Trace projection: from a loop head (or a side exit's target), walk the
//! bytecode in its current, specialized form along the path tier 1 recorded
//! and translate each instruction into uops.
//!
//! Instructions with a dedicated uop get guards plus the fast operation;
//! every other instruction becomes one `_CALL_HELPER` of [`helpers::cpjit_step`],
//! which runs exactly that instruction in tier 1 (same code, same
//! semantics). Every guard and branch leaves through a stub at the end of the
//! trace (`_EXIT_TRACE` to the exact bytecode instruction, `_ERROR_POP_N`
//! for errors), so tier 1 resumes with the frame as it left it.
//!
//! A global or builtin that `LOAD_GLOBAL_*` reads is baked in as a constant
//! when the context allows it; the trace then depends on the dict entry
//! ([`crate::vm::tier2::deps`]) and checks its validity after every helper
//! that can run arbitrary code (`_CHECK_VALIDITY`, leaving to the next
//! instruction), because such a helper may rebind the global.
//!
//! Calls of small loop-free Python functions are inlined: `_PUSH_FRAME`
//! (guarding the code object tier 1 recorded in the call's cache) pushes a
//! real frame, the callee's body follows, `_POP_FRAME` returns into the
//! caller. Every stub names its frame context ([`FrameContext`]: the code of
//! the frame it leaves in and the inlined callers under it) by index in its
//! `operand`, so tier 1 resumes in the right frame. The trace depends on the
//! code of each callee it inlined ([`Dep::Code`]); the callee's identity is
//! guarded by `_PUSH_FRAME` itself, or covered by the [`Dep::Global`] of the
//! global it was loaded from when that load was baked in.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{encode, op, oparg, opcode, Cache, Code, EntrySlot};
use crate::vm::dict::{dict_mut, Dict};
use crate::vm::obj::Obj;
use crate::vm::tier2::container_helpers::{self, NativeMethod};
use crate::vm::tier2::deps::Dep;
use crate::vm::tier2::trace::{Caller, FrameContext};
use crate::vm::tier2::{base_case, fast_helpers, helpers, iter_helpers};
use crate::vm::types::{CodeObj, KIND_CODE};

/// What a projection may read and assume besides the code.
pub struct Context<'a> {
    /// The globals dict object the frame runs with.
    pub globals: u64,
    /// The builtins dict object.
    pub builtins: u64,
    /// Whether a fact may be baked in (see [`crate::vm::tier2::deps::Registry::may_bake`]).
    pub may_bake: &'a dyn Fn(&Dep) -> bool,
    /// End at the entry frame's `RETURN_VALUE` with `_RETURN` rather than an
    /// exit: set for function-entry traces and for traces of a function
    /// that has one, whose frames may run under a `_CALL_EXECUTOR`, which
    /// then pops the frame and goes on natively.
    pub returns: bool,
}

/// A projected trace and what it assumed.
pub struct Projection {
    /// The uops: body, then stubs.
    pub uops: Vec<UopInstruction>,
    /// Frame contexts, by index (0: the frame the trace is entered in); the
    /// stubs name theirs in their `operand`.
    pub contexts: Vec<FrameContext>,
    /// Facts the uops assume ([`crate::vm::tier2::deps`]).
    pub deps: Vec<Dep>,
    /// Objects the uops embed that the trace must keep alive.
    pub consts: Vec<Obj>,
}

/// Where a projection starts and what closes it.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    /// First bytecode instruction of the trace.
    pub at: u32,
    /// For a loop's root trace: the `JUMP_BACKWARD` that closes the loop
    /// (the trace ends with `_JUMP_TO_TOP` there). `None` for side traces,
    /// which end with an exit at the first back edge.
    pub backedge: Option<u32>,
    /// Whether the first instruction takes its specialized (guarded) form
    /// too. A side trace starting where its parent's guard failed runs
    /// the generic form there; a copy of a loop's trace from its head
    /// (`hot_exit`) speculates like the loop's trace.
    pub speculate_start: bool,
}

/// A stub at the end of the trace that guards and helpers continue at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Stub {
    /// `_EXIT_TRACE` resuming tier 1 at this instruction, in this frame
    /// context (the first field).
    Exit(u32, u32),
    /// `_ERROR_POP_N 0` reporting an error raised by the instruction before
    /// this index, in this frame context.
    Error(u32, u32),
    /// `_DEOPT` resuming tier 1 at this instruction in this frame context,
    /// uncounted (the trace was invalidated; its exits are not worth warming up).
    Deopt(u32, u32),
}

struct Builder {
    /// The frame context uops are emitted in now (an index into the contexts).
    ctx: u32,
    body: Vec<UopInstruction>,
    /// Stub each body uop's jump target (and error target) refers to.
    stubs: Vec<(Option<Stub>, Option<Stub>)>,
    deps: Vec<Dep>,
    consts: Vec<Obj>,
}

impl Builder {
    fn emit(&mut self, ins: UopInstruction, jump: Option<Stub>, error: Option<Stub>) {
        self.body.push(ins);
        self.stubs.push((jump, error));
    }

    /// Drops the uops emitted after the first `len` (and their stubs).
    fn truncate(&mut self, len: usize) {
        self.body.truncate(len);
        self.stubs.truncate(len);
    }

    /// Lays out the stubs after the body and resolves the targets. A trace
    /// that assumed nothing drops its `_CHECK_VALIDITY` uops (nothing can
    /// invalidate it while it runs).
    fn finish(mut self, contexts: Vec<FrameContext>) -> Projection {
        if self.deps.is_empty() {
            let (body, stubs) = self
                .body
                .drain(..)
                .zip(self.stubs.drain(..))
                .filter(|(u, _)| u.opcode != Uop::CHECK_VALIDITY)
                .unzip();
            self.body = body;
            self.stubs = stubs;
        }
        let mut order: Vec<Stub> = Vec::new();
        for (j, e) in &self.stubs {
            for s in [j, e].into_iter().flatten() {
                if !order.contains(s) {
                    order.push(*s);
                }
            }
        }
        let base = self.body.len() as u32;
        let index = |s: Stub| base + order.iter().position(|&o| o == s).unwrap_or(0) as u32;
        for (ins, (j, e)) in self.body.iter_mut().zip(&self.stubs) {
            if let Some(j) = j {
                ins.jump_target = index(*j);
            }
            if let Some(e) = e {
                ins.error_target = index(*e);
            }
        }
        let mut exit_index = 0;
        for ins in self.body.iter_mut().filter(|u| u.opcode == Uop::EXIT_TRACE) {
            ins.exit_index = exit_index;
            exit_index += 1;
        }
        for s in order {
            let stub = match s {
                Stub::Exit(ctx, t) => {
                    exit_index += 1;
                    UopInstruction::new(Uop::EXIT_TRACE)
                        .target(t)
                        .operand(ctx as u64)
                        .exit_index(exit_index - 1)
                }
                Stub::Error(ctx, t) => UopInstruction::new(Uop::ERROR_POP_N)
                    .target(t)
                    .operand(ctx as u64),
                Stub::Deopt(ctx, t) => UopInstruction::new(Uop::DEOPT)
                    .target(t)
                    .operand(ctx as u64),
            };
            self.body.push(stub);
        }
        Projection {
            uops: self.body,
            contexts,
            deps: self.deps,
            consts: self.consts,
        }
    }
}

/// Whether tier 1 mostly took the conditional jump at `i` lately (the
/// branch history tier 1 keeps in the jump's cache `index`, newest in bit 0).
fn jump_mostly_taken(caches: &[Cache], i: usize) -> bool {
    let bits = caches.get(i).map_or(0, |c| c.index) & 0xff;
    bits.count_ones() >= 4
}

/// Destinations of the branch instruction at `i`: (fall-through, jump), or
/// `None` if it is not a conditional branch. Fused compare-and-jump pairs
/// fall through past the jump.
pub fn branch_destinations(instrs: &[u32], i: usize) -> Option<(u32, u32)> {
    let w = *instrs.get(i)?;
    let i32_ = i as u32;
    match opcode(w) {
        op::POP_JUMP_IF_FALSE
        | op::POP_JUMP_IF_TRUE
        | op::JUMP_IF_FALSE_OR_POP
        | op::JUMP_IF_TRUE_OR_POP
        | op::FOR_ITER
        | op::FOR_ITER_RANGE
        | op::FOR_ITER_LIST => Some((i32_ + 1, oparg(w))),
        op::COMPARE_OP_INT_JUMP | op::COMPARE_OP_FLOAT_JUMP => {
            let j = *instrs.get(i + 1)?;
            Some((i32_ + 2, oparg(j)))
        }
        _ => None,
    }
}

/// The value a `LOAD_GLOBAL` (generic or specialized) of name number `arg`
/// loads now and the facts that keep it so, if the name is bound and the
/// context lets those facts be baked in. Looks the name up itself, so a
/// stale or missing tier-1 cache does not matter.
fn bake_global(code: &Code, arg: u32, ctx: &Context) -> Option<(u64, Vec<Dep>)> {
    let name = code.names.get(arg as usize)?.raw();
    // SAFETY: the context's globals and builtins are live dicts; tier 1 is
    // between instructions, so nobody else borrows their tables.
    let (gd, bd): (&Dict, &Dict) = unsafe { (dict_mut(ctx.globals), dict_mut(ctx.builtins)) };
    let gid = gd as *const Dict as usize;
    let (value, deps) = match gd.lookup_pos(name).ok()? {
        Some(pos) => {
            let e = gd.entries().get(pos)?;
            (
                e.value,
                vec![Dep::Global {
                    dict: gid,
                    hash: e.hash,
                }],
            )
        }
        None => {
            let e = bd.entries().get(bd.lookup_pos(name).ok()??)?;
            let bid = bd as *const Dict as usize;
            // Shadowing it with a global breaks the trace too.
            let deps = vec![
                Dep::Global {
                    dict: gid,
                    hash: e.hash,
                },
                Dep::Global {
                    dict: bid,
                    hash: e.hash,
                },
            ];
            (e.value, deps)
        }
    };
    if value == 0 || !deps.iter().all(|d| (ctx.may_bake)(d)) {
        return None;
    }
    Some((value, deps))
}

/// Turns the watchers on for the dicts of `deps`.
fn watch(deps: &[Dep], ctx: &Context) {
    for d in deps {
        if let Dep::Global { dict, .. } = d {
            for obj in [ctx.globals, ctx.builtins] {
                // SAFETY: as in bake_global.
                let t = unsafe { dict_mut(obj) };
                if t as *const Dict as usize == *dict {
                    t.watch();
                }
            }
        }
    }
}

/// Deepest stack of frames a projection keeps track of (the entry frame,
/// the callers it inherited and the calls it inlined).
const MAX_FRAMES: usize = 6;

/// One frame the projection is in (the top) or returns to (the others).
struct Level {
    /// The frame's code object.
    code: Obj,
    /// Where the frame resumes when the frame above it returns.
    resume: u32,
    /// Its frame context (index into the projection's contexts).
    ctx: u32,
    /// Instructions of this frame already projected.
    visited: Vec<bool>,
}

impl Level {
    fn new(code: Obj, resume: u32, ctx: u32) -> Level {
        let n = code_of(&code).words().len();
        Level {
            code,
            resume,
            ctx,
            visited: vec![false; n],
        }
    }
}

/// The `Code` inside a code object value.
fn code_of(o: &Obj) -> &Code {
    // SAFETY: frame contexts only ever hold CODE objects.
    unsafe { &crate::vm::obj::cast::<CodeObj>(o.raw()).code }
}

/// The code a `CALL_PY_EXACT_ARGS` at `i` can be inlined with: the code
/// tier 1 last called there, when it takes exactly the `n` arguments, has no
/// loop (a loop inside would end the trace) and is not already on `levels`.
fn inlinable(code: &Code, caches: &[Cache], i: usize, n: u32, levels: &[Level]) -> Option<Obj> {
    if levels.len() >= MAX_FRAMES
        || (i > 0 && code.words().get(i - 1).map(|&w| opcode(w)) == Some(op::KW_NAMES))
    {
        return None;
    }
    let raw = caches.get(i)?.version;
    if raw == 0 || raw & 1 != 0 || crate::vm::obj::kind_of(raw) != KIND_CODE {
        return None;
    }
    // Tier 1 records the code object of a function it called; code objects
    // live as long as the module code that holds them as constants.
    let callee = Obj::new_ref(raw);
    let c = code_of(&callee);
    let loops = c
        .words()
        .iter()
        .any(|&w| matches!(opcode(w), op::JUMP_BACKWARD | op::ENTER_EXECUTOR));
    let recursive = levels.iter().any(|l| l.code.raw() == raw);
    (c.exact_argcount == n && !loops && !recursive).then_some(callee)
}

/// Whether `f` (a value the trace bakes in as a call's callable) is a
/// function of the code object `callee` whose frames need no cell
/// variables set up (free variables take its closure's cells inline): what
/// `_CALL_EXECUTOR_KNOWN` and `_PUSH_FRAME_KNOWN` assume without checking.
/// A function's code and closure never change, so this holds for as long
/// as the trace pushes `f` there.
fn plain_function_of(f: u64, callee: &Obj) -> bool {
    use crate::vm::types::FuncObj;
    if f == 0 || f & 1 != 0 || crate::vm::obj::kind_of(f) != crate::abi::layout::kind::FUNCTION {
        return false;
    }
    // SAFETY: `f` is a live function object (a constant the trace holds).
    let fo = unsafe { crate::vm::obj::cast::<FuncObj>(f) };
    fo.code.raw() == callee.raw() && code_of(callee).entry.call.cellvars == 0
}

/// The globals dict of `f`, a function ([`plain_function_of`] held).
fn function_globals(f: u64) -> u64 {
    // SAFETY: the caller's contract: `f` is a live function object.
    unsafe { crate::vm::obj::cast::<crate::vm::types::FuncObj>(f) }
        .globals
        .raw()
}

/// How a trace makes a `CALL_PY_EXACT_ARGS` it does not inline.
enum CallKind {
    /// Natively (`_CALL_EXECUTOR`) with this callee.
    Native(Obj),
    /// Through the generic helper for now: the callee could be called
    /// natively but has no function-entry trace yet. The trace depends on
    /// that ([`Dep::NoEntry`]), so it is re-projected once it has one.
    Later(Dep),
    /// Through the generic helper.
    Generic,
}

/// How the trace makes the `CALL_PY_EXACT_ARGS` at `i` (with `n`
/// arguments): natively (`_CALL_EXECUTOR`) if the code tier 1 last called
/// there takes exactly `n` positional arguments and has a function-entry
/// trace, or is the code of the trace's own frame (a recursive call: the
/// function is hot, its entry trace is this one or comes soon).
/// `_CALL_EXECUTOR` reads the executor when it runs. A callee that could
/// get an entry trace but has none yet is [`CallKind::Later`].
fn native_callee(
    code: &Code,
    caches: &[Cache],
    i: usize,
    n: u32,
    entry: &FrameContext,
) -> CallKind {
    if i > 0 && code.words().get(i - 1).map(|&w| opcode(w)) == Some(op::KW_NAMES) {
        return CallKind::Generic;
    }
    let Some(raw) = caches.get(i).map(|c| c.version) else {
        return CallKind::Generic;
    };
    if raw == 0 || raw & 1 != 0 || crate::vm::obj::kind_of(raw) != KIND_CODE {
        return CallKind::Generic;
    }
    let callee = Obj::new_ref(raw);
    let c = code_of(&callee);
    if c.exact_argcount != n {
        return CallKind::Generic;
    }
    let recursive = entry.callers.is_empty() && entry.code.raw() == raw;
    if recursive || !c.entry.trace.get().is_null() {
        CallKind::Native(callee)
    } else if super::worth_function_entry(c) {
        CallKind::Later(Dep::NoEntry(c as *const Code as usize))
    } else {
        CallKind::Generic
    }
}

/// Projects a trace from `start` in the frame context `entry` (the code of
/// the frame the trace is entered in, and the callers it may return into);
/// `None` if nothing worth running as a trace comes out (the first
/// instruction already has to exit). Every frame of the trace runs with the
/// context's globals (`_PUSH_FRAME` checks the callee's).
pub fn project(
    entry: &FrameContext,
    ctx: &Context,
    start: Start,
    max_len: usize,
) -> Option<Projection> {
    let mut contexts = vec![entry.clone()];
    let mut levels: Vec<Level> = Vec::new();
    for (k, c) in entry.callers.iter().enumerate() {
        contexts.push(FrameContext {
            code: c.code.clone(),
            callers: entry.callers[..k].to_vec(),
        });
        levels.push(Level::new(
            c.code.clone(),
            c.return_to,
            contexts.len() as u32 - 1,
        ));
    }
    levels.push(Level::new(entry.code.clone(), 0, 0));
    let entry_depth = levels.len();
    let mut b = Builder {
        ctx: 0,
        body: Vec::new(),
        stubs: Vec::new(),
        deps: Vec::new(),
        consts: Vec::new(),
    };
    let mut i = start.at as usize;
    let mut pushed_bool = false;
    // The last instruction translated (its frame context, index) and the
    // body's length before it.
    let mut last: Option<(u32, u32, usize)> = None;
    // Which value each pending call's callable is, where the projection
    // knows it (a global baked just before the call's `PUSH_NULL`): one
    // entry per `PUSH_NULL`/`LOAD_METHOD`, taken by the call.
    let mut callables: Vec<Option<u64>> = Vec::new();
    // The last baked global: (level, instruction, value).
    let mut last_global: Option<(usize, usize, u64)> = None;
    loop {
        let lv = levels.len() - 1;
        let fctx = levels[lv].ctx;
        b.ctx = fctx;
        // SAFETY: the level's code object (held in `levels` or `contexts`
        // until the projection ends) outlives this view.
        let code: &Code = unsafe { &*(code_of(&levels[lv].code) as *const Code) };
        let instrs = code.words();
        // SAFETY: read-only view of the caches; tier 1 is not running this
        // code's dispatch right now (we are called from it, between instructions).
        let caches: &[Cache] = unsafe { &*code.caches.get() };
        let at_entry = lv + 1 == entry_depth;
        let in_loop = |t: u32| match start.backedge {
            Some(b) if at_entry => t >= start.at && t <= b,
            _ => true,
        };
        let prev_bool = std::mem::replace(&mut pushed_bool, false);
        // One instruction's uops must not take the body past the limit:
        // drop them and leave to that instruction instead.
        if let Some((c, at, mark)) = last.filter(|_| b.body.len() > max_len) {
            b.truncate(mark);
            b.emit(exit_to(c, at), None, None);
            break;
        }
        if b.body.len() >= max_len || i >= instrs.len() || levels[lv].visited[i] {
            b.emit(exit_to(fctx, i as u32), None, None);
            break;
        }
        levels[lv].visited[i] = true;
        let w = instrs[i];
        // A super-instruction `A__B` runs A with its own argument, then the
        // intact instruction B that follows: project it as A.
        let w = match opcode(w) {
            op::LOAD_FAST__LOAD_FAST | op::LOAD_FAST__LOAD_CONST => encode(op::LOAD_FAST, oparg(w)),
            op::LOAD_CONST__LOAD_FAST => encode(op::LOAD_CONST, oparg(w)),
            op::STORE_FAST__LOAD_FAST | op::STORE_FAST__STORE_FAST => {
                encode(op::STORE_FAST, oparg(w))
            }
            _ => w,
        };
        let arg = oparg(w);
        let here = i as u32;
        last = Some((fctx, here, b.body.len()));
        let ins = |u: Uop| UopInstruction::new(u).target(here);
        let exit_here = Some(Stub::Exit(fctx, here));
        // A side trace starting here left its parent because the fast form
        // missed: it runs the generic form instead.
        let speculate =
            start.backedge.is_some() || start.speculate_start || !at_entry || here != start.at;
        let callable = match opcode(w) {
            op::PUSH_NULL => {
                let known = last_global.filter(|&(l, j, _)| l == lv && j + 1 == i);
                callables.push(known.map(|(_, _, v)| v));
                None
            }
            op::LOAD_METHOD => {
                // A list or dict method tier 1 cached here: the call after
                // it can be native (`_LOAD_METHOD_*` guards the receiver).
                callables.push(native_method_cached(caches, i).filter(|_| speculate));
                None
            }
            // A user method: not a callable the projection knows.
            op::LOAD_METHOD_INSTANCE => {
                callables.push(None);
                None
            }
            op::CALL | op::CALL_BUILTIN | op::CALL_PY_EXACT_ARGS => callables.pop().flatten(),
            _ => None,
        };
        match opcode(w) {
            op::CALL | op::CALL_BUILTIN
                if speculate
                    && (1..=3).contains(&arg)
                    && callable.is_some_and(iter_helpers::is_range_type)
                    && instrs
                        .get(i + 1)
                        .is_some_and(|&n| opcode(n) == op::GET_ITER)
                    && (i == 0 || opcode(instrs[i - 1]) != op::KW_NAMES) =>
            {
                // `for x in range(...)`: the iterator without the range
                // (else tier 1 makes the call; the range is a baked global,
                // so `callable` is what the call finds).
                let range = callable.unwrap_or(0);
                b.emit(
                    ins(Uop::CALL_RANGE_ITER).oparg(arg).operand(range),
                    exit_here,
                    None,
                );
                levels[lv].visited[i + 1] = true;
                i += 2;
            }
            op::NOP | op::LOAD_FAST_CHECK | op::SETUP_EXCEPT | op::POP_EXCEPT_BLOCK => i += 1,
            op::LOAD_FAST => {
                b.emit(ins(Uop::LOAD_FAST_CHECK).oparg(arg), exit_here, None);
                i += 1;
            }
            op::STORE_FAST => {
                b.emit(ins(Uop::STORE_FAST).oparg(arg), None, None);
                i += 1;
            }
            op::LOAD_CONST => {
                let v = code.consts.get(arg as usize)?.raw();
                b.emit(ins(Uop::LOAD_CONST).operand(v), None, None);
                i += 1;
            }
            op::POP_TOP => {
                b.emit(ins(Uop::POP_TOP), None, None);
                i += 1;
            }
            op::BINARY_OP_ADD_INT | op::BINARY_OP_SUBTRACT_INT | op::BINARY_OP_MULTIPLY_INT => {
                let u = match opcode(w) {
                    op::BINARY_OP_ADD_INT => Uop::BINARY_OP_ADD_INT,
                    op::BINARY_OP_SUBTRACT_INT => Uop::BINARY_OP_SUBTRACT_INT,
                    _ => Uop::BINARY_OP_MULTIPLY_INT,
                };
                b.emit(ins(Uop::GUARD_BOTH_INT), exit_here, None);
                b.emit(ins(u), exit_here, None);
                i += 1;
            }
            op::BINARY_OP_ADD_FLOAT
            | op::BINARY_OP_SUBTRACT_FLOAT
            | op::BINARY_OP_MULTIPLY_FLOAT => {
                let u = match opcode(w) {
                    op::BINARY_OP_ADD_FLOAT => Uop::BINARY_OP_ADD_FLOAT,
                    op::BINARY_OP_SUBTRACT_FLOAT => Uop::BINARY_OP_SUBTRACT_FLOAT,
                    _ => Uop::BINARY_OP_MULTIPLY_FLOAT,
                };
                b.emit(ins(Uop::GUARD_BOTH_FLOAT), exit_here, None);
                b.emit(ins(u), None, None);
                i += 1;
            }
            op::BINARY_OP_RSHIFT_INT
            | op::BINARY_OP_MOD_INT
            | op::BINARY_OP_FLOOR_DIVIDE_INT
            | op::BINARY_OP_POWER_INT => {
                let u = match opcode(w) {
                    op::BINARY_OP_RSHIFT_INT => Uop::BINARY_OP_RSHIFT_INT,
                    op::BINARY_OP_MOD_INT => Uop::BINARY_OP_MOD_INT,
                    op::BINARY_OP_POWER_INT => Uop::BINARY_OP_POWER_INT,
                    _ => Uop::BINARY_OP_FLOOR_DIVIDE_INT,
                };
                b.emit(ins(Uop::GUARD_BOTH_INT), exit_here, None);
                b.emit(ins(u), exit_here, None);
                i += 1;
            }
            op::BUILD_TUPLE => {
                match constant_items_iterated(&b, instrs, i, arg) {
                    // Only its iterator will see the tuple: build it once.
                    Some(items) => {
                        let t = crate::vm::obj::new_tuple_raw(&items);
                        let at = b.body.len() - items.len();
                        b.truncate(at);
                        b.emit(ins(Uop::LOAD_CONST).operand(t.raw()), None, None);
                        b.consts.push(t);
                    }
                    None => b.emit(ins(Uop::BUILD_TUPLE).oparg(arg), None, None),
                }
                i += 1;
            }
            op::BUILD_LIST => {
                b.emit(ins(Uop::BUILD_LIST).oparg(arg), None, None);
                i += 1;
            }
            // `len(x)` of the baked builtin: natively for the sized kinds.
            op::CALL | op::CALL_BUILTIN
                if speculate
                    && arg == 1
                    && callable.is_some_and(container_helpers::is_len_builtin)
                    && (i == 0 || opcode(instrs[i - 1]) != op::KW_NAMES) =>
            {
                let len = callable.unwrap_or(0);
                b.emit(ins(Uop::CALL_LEN).operand(len), exit_here, None);
                i += 1;
            }
            // A tuple or list of the right length unpacks inline; anything
            // else leaves to tier 1, which redoes (or raises).
            op::UNPACK_SEQUENCE | op::UNPACK_SEQUENCE_TWO_TUPLE if speculate => {
                b.emit(ins(Uop::UNPACK_SEQUENCE).oparg(arg), exit_here, None);
                i += 1;
            }
            // `c[a:b]`: the pair in one uop, without the slice object.
            op::BUILD_SLICE
                if speculate
                    && arg == 2
                    && instrs.get(i + 1).map(|&n| opcode(n)) == Some(op::BINARY_SUBSCR) =>
            {
                b.emit(ins(Uop::BINARY_SLICE), exit_here, None);
                levels[lv].visited[i + 1] = true;
                i += 2;
            }
            op::UNARY_NEGATIVE if speculate => {
                b.emit(ins(Uop::UNARY_NEGATIVE), exit_here, None);
                i += 1;
            }
            op::UNARY_NOT if speculate => {
                b.emit(ins(Uop::UNARY_NOT), exit_here, None);
                pushed_bool = true;
                i += 1;
                continue;
            }
            op::IS_OP => {
                b.emit(ins(Uop::IS_OP).oparg(arg), None, None);
                pushed_bool = true;
                i += 1;
                continue;
            }
            op::SWAP => {
                b.emit(ins(Uop::SWAP).oparg(arg), None, None);
                i += 1;
            }
            op::COPY => {
                b.emit(ins(Uop::COPY).oparg(arg), None, None);
                i += 1;
            }
            op::PUSH_NULL => {
                b.emit(ins(Uop::PUSH_NULL), None, None);
                i += 1;
            }
            op::LOAD_GLOBAL | op::LOAD_GLOBAL_MODULE | op::LOAD_GLOBAL_BUILTIN => {
                match bake_global(code, arg, ctx) {
                    Some((v, deps)) => {
                        watch(&deps, ctx);
                        last_global = Some((lv, i, v));
                        b.emit(ins(Uop::LOAD_CONST).operand(v), None, None);
                        b.consts.push(Obj::new_ref(v));
                        for d in deps {
                            if !b.deps.contains(&d) {
                                b.deps.push(d);
                            }
                        }
                    }
                    None => {
                        // Specialized: the fast helper; generic: tier 1.
                        let f = if opcode(w) == op::LOAD_GLOBAL {
                            helpers::cpjit_step as *const () as usize as u64
                        } else {
                            helpers::cpjit_load_global as *const () as usize as u64
                        };
                        let call = ins(Uop::CALL_HELPER).oparg(here + 1).operand(f);
                        b.emit(call, None, Some(Stub::Error(fctx, here + 1)));
                    }
                }
                i += 1;
            }
            op::BINARY_OP | op::BINARY_OP_TRUE_DIVIDE_FLOAT => {
                match float_binary_uops(opcode(w), arg).filter(|_| speculate) {
                    Some(uops) => {
                        for (u, a) in uops {
                            b.emit(ins(u).oparg(a), exit_here, None);
                        }
                    }
                    None => {
                        let f = helpers::cpjit_binary_op as *const () as usize as u64;
                        let call = ins(Uop::CALL_HELPER).oparg(here + 1).operand(f);
                        b.emit(call, None, Some(Stub::Error(fctx, here + 1)));
                    }
                }
                i += 1;
            }
            op::LOAD_DEREF => {
                // An empty cell exits: tier 1 raises.
                b.emit(ins(Uop::LOAD_DEREF).oparg(arg), exit_here, None);
                i += 1;
            }
            op::STORE_DEREF => {
                b.emit(ins(Uop::STORE_DEREF).oparg(arg), None, None);
                i += 1;
            }
            op::BINARY_OP_AND_INT => {
                b.emit(ins(Uop::GUARD_BOTH_INT), exit_here, None);
                b.emit(ins(Uop::BINARY_OP_AND_INT), None, None);
                i += 1;
            }
            op::BINARY_SUBSCR_LIST_INT => {
                b.emit(ins(Uop::BINARY_SUBSCR_LIST_INT), exit_here, None);
                i += 1;
            }
            op::STORE_SUBSCR_LIST_INT => {
                b.emit(ins(Uop::STORE_SUBSCR_LIST_INT), exit_here, None);
                i += 1;
            }
            op::COMPARE_OP_INT | op::COMPARE_OP_FLOAT => {
                let (g, c) = if opcode(w) == op::COMPARE_OP_INT {
                    (Uop::GUARD_BOTH_INT, Uop::COMPARE_OP_INT)
                } else {
                    (Uop::GUARD_BOTH_FLOAT, Uop::COMPARE_OP_FLOAT)
                };
                b.emit(ins(g), exit_here, None);
                b.emit(ins(c).oparg(arg), None, None);
                pushed_bool = true;
                i += 1;
                continue;
            }
            op::COMPARE_OP_INT_JUMP | op::COMPARE_OP_FLOAT_JUMP => {
                let (fall, jump) = branch_destinations(instrs, i)?;
                let if_true = opcode(instrs[i + 1]) == op::POP_JUMP_IF_TRUE;
                let follow_jump = choose_jump(fall, jump, here, &in_loop, || {
                    jump_mostly_taken(caches, i + 1)
                });
                let (g, c) = if opcode(w) == op::COMPARE_OP_INT_JUMP {
                    (Uop::GUARD_BOTH_INT, Uop::COMPARE_OP_INT)
                } else {
                    (Uop::GUARD_BOTH_FLOAT, Uop::COMPARE_OP_FLOAT)
                };
                b.emit(ins(g), exit_here, None);
                b.emit(ins(c).oparg(arg), None, None);
                i = bool_branch(&mut b, here, if_true, follow_jump, fall, jump) as usize;
            }
            op::POP_JUMP_IF_FALSE | op::POP_JUMP_IF_TRUE => {
                if !prev_bool {
                    // Small ints and bools test inline; anything else exits.
                    b.emit(ins(Uop::TO_BOOL), exit_here, None);
                }
                let (fall, jump) = (here + 1, arg);
                let if_true = opcode(w) == op::POP_JUMP_IF_TRUE;
                let follow_jump =
                    choose_jump(fall, jump, here, &in_loop, || jump_mostly_taken(caches, i));
                i = bool_branch(&mut b, here, if_true, follow_jump, fall, jump) as usize;
            }
            // ----- dicts, lists and tuples (s6-dict) -----
            // A generic subscript in a trace is mostly a dict's (tier 1
            // specializes lists and tuples): the lookup without tier 1's
            // dispatch; another container or a missing key leaves to tier 1.
            op::BINARY_SUBSCR if speculate => {
                b.emit(ins(Uop::BINARY_SUBSCR_DICT), exit_here, None);
                i += 1;
            }
            op::STORE_SUBSCR if speculate => {
                b.emit(ins(Uop::STORE_SUBSCR_DICT), exit_here, None);
                // A watched dict's rebinding may invalidate this trace.
                b.emit(
                    ins(Uop::CHECK_VALIDITY).target(here + 1),
                    Some(Stub::Deopt(fctx, here + 1)),
                    None,
                );
                i += 1;
            }
            op::LOAD_METHOD if speculate && native_method_cached(caches, i).is_some() => {
                let m = native_method_cached(caches, i).unwrap_or(0);
                let u = match container_helpers::native_method(m).map(|n| n.receiver_kind()) {
                    Some(crate::abi::layout::kind::DICT) => Uop::LOAD_METHOD_DICT,
                    _ => Uop::LOAD_METHOD_LIST,
                };
                b.emit(ins(u).operand(m), exit_here, None);
                i += 1;
            }
            op::CALL | op::CALL_BUILTIN
                if speculate
                    && (i == 0 || opcode(instrs[i - 1]) != op::KW_NAMES)
                    && native_call(callable, arg).is_some() =>
            {
                let u = native_call(callable, arg).unwrap_or(Uop::CALL_LIST_POP);
                b.emit(ins(u).oparg(arg), exit_here, None);
                i += 1;
            }
            op::GET_ITER
                if speculate
                    && instrs
                        .get(i + 1)
                        .is_some_and(|&n| opcode(n) == op::FOR_ITER_LIST) =>
            {
                // Tier 1 iterated a list right after: make its iterator
                // inline (anything else leaves to tier 1 here).
                let kind = crate::vm::types::KIND_ITER as u64;
                b.emit(ins(Uop::GET_ITER_LIST).operand(kind), exit_here, None);
                i += 1;
            }
            op::FOR_ITER if speculate && iterates_new_tuple(code, instrs, i) => {
                let kind = crate::vm::types::KIND_ITER as u64;
                b.emit(ins(Uop::GUARD_ITER_TUPLE).operand(kind), exit_here, None);
                b.emit(ins(Uop::FOR_ITER_TUPLE), Some(Stub::Exit(fctx, arg)), None);
                i += 1;
            }
            op::FOR_ITER_RANGE | op::FOR_ITER_LIST if speculate => {
                // Tier 1 saw a range (list) iterator here: guard it (a miss
                // leaves to tier 1 at this instruction) and iterate natively.
                let (g, f) = if opcode(w) == op::FOR_ITER_RANGE {
                    (Uop::GUARD_ITER_RANGE, Uop::FOR_ITER_RANGE)
                } else {
                    (Uop::GUARD_ITER_LIST, Uop::FOR_ITER_LIST)
                };
                let kind = crate::vm::types::KIND_ITER as u64;
                b.emit(ins(g).operand(kind), exit_here, None);
                b.emit(ins(f), Some(Stub::Exit(fctx, arg)), None);
                i += 1;
            }
            op::FOR_ITER | op::FOR_ITER_RANGE | op::FOR_ITER_LIST => {
                let call = ins(Uop::CALL_HELPER)
                    .oparg(here + 1)
                    .operand(fast_helpers::cpjit_for_iter_any as *const () as usize as u64);
                b.emit(
                    call,
                    Some(Stub::Exit(fctx, arg)),
                    Some(Stub::Error(fctx, here + 1)),
                );
                i += 1;
            }
            op::JUMP_FORWARD => i = arg as usize,
            op::CALL_PY_EXACT_ARGS => {
                // The inlined body is the callee's code as it is now: the
                // trace depends on it (if it may assume anything at all).
                let callee = inlinable(code, caches, i, arg, &levels).map(|c| {
                    let dep = Dep::Code(code_of(&c) as *const Code as usize);
                    (c, dep)
                });
                let Some((callee, dep)) = callee.filter(|(_, d)| (ctx.may_bake)(d)) else {
                    match native_callee(code, caches, i, arg, entry) {
                        CallKind::Native(callee) => {
                            // A native call of the callee's function-entry
                            // executor; without one (yet, or any more), or
                            // if the frame cannot be pushed, tier 1 makes
                            // the call.
                            let slot = &code_of(&callee).entry as *const EntrySlot as u64;
                            // A baked global of exactly that code needs
                            // none of the callable's checks.
                            let known = callable.is_some_and(|f| plain_function_of(f, &callee))
                                && code_of(&callee).entry.call.freevars == 0;
                            // A frame of exactly its arguments: the
                            // push copies them without a loop.
                            let only_args = code_of(&callee).entry.call.nlocalsplus == arg;
                            // A base case the call can answer itself
                            // (`a < c: return a`: the cheapest test).
                            let target = &code_of(&callee).entry.call;
                            let leaf = (target.leaf_lo != 0).then_some(
                                target.leaf_lo == base_case::NO_LOWER_BOUND && target.leaf_ret == 0,
                            );
                            let call = match (known, Uop::call_executor_args(arg), leaf) {
                                (true, Some(Uop::CALL_EXECUTOR_ARGS_1), Some(true))
                                    if only_args =>
                                {
                                    Uop::CALL_EXECUTOR_LEAF_1
                                }
                                (true, Some(Uop::CALL_EXECUTOR_ARGS_1), Some(_)) if only_args => {
                                    Uop::CALL_EXECUTOR_LEAF_ANY_1
                                }
                                (true, Some(Uop::CALL_EXECUTOR_ARGS_2), Some(_)) if only_args => {
                                    Uop::CALL_EXECUTOR_LEAF_ANY_2
                                }
                                (true, Some(fixed), _) if only_args => fixed,
                                (true, _, _) => Uop::CALL_EXECUTOR_KNOWN,
                                (false, _, _) => Uop::CALL_EXECUTOR,
                            };
                            b.emit(ins(call).oparg(arg).operand(slot), exit_here, None);
                            // The callee ran arbitrary code.
                            b.emit(
                                ins(Uop::CHECK_VALIDITY).target(here + 1),
                                Some(Stub::Deopt(fctx, here + 1)),
                                None,
                            );
                            b.consts.push(callee);
                        }
                        CallKind::Later(dep) => {
                            // Churn is bounded like a global's: a slot
                            // filled too often is not waited for any more.
                            if (ctx.may_bake)(&dep) && !b.deps.contains(&dep) {
                                b.deps.push(dep);
                            }
                            generic(&mut b, here, here + 1, None, w);
                        }
                        CallKind::Generic => generic(&mut b, here, here + 1, None, w),
                    }
                    i += 1;
                    continue;
                };
                let slot = &code_of(&callee).entry as *const EntrySlot as u64;
                // The inlined body runs with the trace's globals: a baked
                // function of other globals keeps the checked push.
                let known = callable.is_some_and(|f| {
                    plain_function_of(f, &callee) && function_globals(f) == ctx.globals
                });
                // A frame of exactly its arguments: the push moves them
                // without a loop and empties no local.
                let only_args = code_of(&callee).entry.call.nlocalsplus == arg;
                let push_uop = match (known, Uop::push_frame_args(arg)) {
                    (true, Some(fixed)) if only_args => fixed,
                    (true, _) => Uop::PUSH_FRAME_KNOWN,
                    (false, _) => Uop::PUSH_FRAME,
                };
                let push = ins(push_uop).oparg(arg).operand(slot);
                b.emit(push, exit_here, None);
                if !b.deps.contains(&dep) {
                    b.deps.push(dep);
                }
                levels[lv].resume = here + 1;
                contexts.push(FrameContext {
                    code: callee.clone(),
                    callers: levels
                        .iter()
                        .map(|l| Caller {
                            code: l.code.clone(),
                            return_to: l.resume,
                        })
                        .collect(),
                });
                levels.push(Level::new(callee, 0, contexts.len() as u32 - 1));
                i = 0;
            }
            op::RETURN_VALUE if levels.len() > 1 => {
                b.emit(ins(Uop::POP_FRAME), None, None);
                levels.pop();
                i = levels.last().map_or(0, |l| l.resume) as usize;
            }
            op::JUMP_BACKWARD | op::ENTER_EXECUTOR => {
                if start.backedge == Some(here) && at_entry {
                    b.emit(ins(Uop::JUMP_TO_TOP), None, None);
                } else {
                    b.emit(exit_to(fctx, here), None, None);
                }
                break;
            }
            op::RETURN_VALUE if ctx.returns => {
                // The frame the trace was entered in returns: tier 1 (or the
                // `_CALL_EXECUTOR` that called the trace) finishes the return.
                b.emit(ins(Uop::RETURN), None, None);
                break;
            }
            // A loop whose own path suspends its generator would leave its
            // trace at every iteration (and come back through tier 1): not
            // worth one; tier 1 runs it.
            op::YIELD_VALUE | op::SEND if start.backedge.is_some() && levels.len() == 1 => {
                return None;
            }
            // A generator's suspension and `yield from`'s send run in tier
            // 1 only (a trace never spans a yield).
            op::RETURN_VALUE
            | op::RAISE
            | op::RERAISE
            | op::RAISE_ASSERT
            | op::YIELD_VALUE
            | op::SEND
            // A `with` statement's enter and exception path: tier 1.
            | op::BEFORE_WITH
            | op::WITH_EXCEPT_START => {
                b.emit(exit_to(fctx, here), None, None);
                break;
            }
            _ => {
                // Generic: run the instruction in tier 1.
                let (expected, other) = match branch_destinations(instrs, i) {
                    Some((fall, jump)) => {
                        let is_for = matches!(
                            opcode(w),
                            op::FOR_ITER | op::FOR_ITER_RANGE | op::FOR_ITER_LIST
                        );
                        let follow_jump = !is_for
                            && choose_jump(fall, jump, here, &in_loop, || {
                                let at = if matches!(opcode(w), op::COMPARE_OP_FLOAT_JUMP) {
                                    i + 1
                                } else {
                                    i
                                };
                                jump_mostly_taken(caches, at)
                            });
                        if follow_jump {
                            (jump, Some(fall))
                        } else {
                            (fall, Some(jump))
                        }
                    }
                    None => (here + 1, None),
                };
                // A specialized helper where one exists (never for branches).
                if other.is_some() || !fast_step(&mut b, instrs, i, expected) {
                    generic(&mut b, here, expected, other, w);
                }
                i = expected as usize;
            }
        }
    }
    // A trace that leaves at once, or never does anything faster than tier 1
    // and never closes a loop, is not worth installing.
    let closes = b.body.iter().any(|u| u.opcode == Uop::JUMP_TO_TOP);
    if b.body.len() <= 1 && !closes {
        return None;
    }
    Some(b.finish(contexts))
}

/// Emits a `_CALL_HELPER` running the instruction `w` at `here` as tier 1
/// does ([`helpers::cpjit_step`], or the faster [`helpers::cpjit_simple_step`]
/// for the instructions it covers); the trace goes on at `expected`, or
/// exits to `other` if the instruction branched there. The instruction may
/// have run any code, which may have broken what the trace assumed: a
/// `_CHECK_VALIDITY` follows, leaving before the trace uses it.
/// Emits the specialized helper of [`fast_helpers::step_helper_for`] for
/// the (non-branching) instruction at `i`, if it has one (and the validity
/// check after it if it can run code); false if it has none.
fn fast_step(b: &mut Builder, instrs: &[u32], i: usize, expected: u32) -> bool {
    let Some((f, runs_code)) = fast_helpers::step_helper_for(instrs, i) else {
        return false;
    };
    let here = i as u32;
    let call = UopInstruction::new(Uop::CALL_HELPER)
        .target(here)
        .oparg(expected)
        .operand(f);
    let ctx = b.ctx;
    b.emit(call, None, Some(Stub::Error(ctx, here + 1)));
    if runs_code {
        b.emit(
            UopInstruction::new(Uop::CHECK_VALIDITY).target(expected),
            Some(Stub::Deopt(ctx, expected)),
            None,
        );
    }
    true
}

// ----- dicts, lists and tuples (s6-dict) -----

/// The native method (`list.append`, `list.pop`, `dict.get`) tier 1
/// cached at the `LOAD_METHOD` at `i` for its receiver's kind, if that is
/// what its cache holds.
fn native_method_cached(caches: &[Cache], i: usize) -> Option<u64> {
    let c = caches.get(i)?;
    let m = container_helpers::native_method(c.version)?;
    (c.index == m.receiver_kind()).then_some(c.version)
}

/// The native uop of a call of `callable` (a method a `_LOAD_METHOD_*` of
/// this trace pushed) with `nargs` arguments.
fn native_call(callable: Option<u64>, nargs: u32) -> Option<Uop> {
    match (container_helpers::native_method(callable?)?, nargs) {
        (NativeMethod::Append, 1) => Some(Uop::CALL_LIST_APPEND),
        (NativeMethod::Pop, 0 | 1) => Some(Uop::CALL_LIST_POP),
        (NativeMethod::DictGet, 1 | 2) => Some(Uop::CALL_DICT_GET),
        _ => None,
    }
}

/// The items (new references) of the `BUILD_TUPLE n` at `i` when the tuple
/// is only iterated (`GET_ITER` next, so nothing but its iterator ever
/// holds it, and no `is` can tell a fresh tuple from a reused one) and
/// each item is a constant or a baked global just pushed: the last `n`
/// bytecode instructions are such loads and the last `n` uops emitted their
/// `_LOAD_CONST`s. The trace then pushes one tuple made at projection.
fn constant_items_iterated(b: &Builder, instrs: &[u32], i: usize, n: u32) -> Option<Vec<u64>> {
    let n = n as usize;
    let iterated = instrs
        .get(i + 1)
        .is_some_and(|&w| opcode(w) == op::GET_ITER);
    if n == 0 || i < n || b.body.len() < n || !iterated {
        return None;
    }
    let loads = instrs[i - n..i].iter().all(|&w| {
        matches!(
            opcode(w),
            op::LOAD_CONST | op::LOAD_GLOBAL | op::LOAD_GLOBAL_MODULE | op::LOAD_GLOBAL_BUILTIN
        )
    });
    let pushes = &b.body[b.body.len() - n..];
    if !loads || pushes.iter().any(|u| u.opcode != Uop::LOAD_CONST) {
        return None;
    }
    let items: Vec<u64> = pushes.iter().map(|u| u.operand).collect();
    for &v in &items {
        crate::vm::obj::incref(v);
    }
    Some(items)
}

/// Whether the `FOR_ITER` at `i` iterates a tuple made just before the
/// loop (`BUILD_TUPLE` or a tuple constant, then `GET_ITER`): nothing else
/// reaches it, so its iterator is a tuple's (still guarded).
fn iterates_new_tuple(code: &Code, instrs: &[u32], i: usize) -> bool {
    if i < 2 || opcode(instrs[i - 1]) != op::GET_ITER {
        return false;
    }
    let w = instrs[i - 2];
    match opcode(w) {
        op::BUILD_TUPLE => true,
        op::LOAD_CONST => code.consts.get(oparg(w) as usize).is_some_and(|c| {
            let v = c.raw();
            v & 1 == 0 && crate::vm::obj::kind_of(v) == crate::abi::layout::kind::TUPLE
        }),
        _ => false,
    }
}

fn generic(b: &mut Builder, here: u32, expected: u32, other: Option<u32>, w: u32) {
    let f = if helpers::has_simple_step(opcode(w)) {
        helpers::cpjit_simple_step as *const () as usize as u64
    } else {
        helpers::cpjit_step as *const () as usize as u64
    };
    let call = UopInstruction::new(Uop::CALL_HELPER)
        .target(here)
        .oparg(expected)
        .operand(f);
    let ctx = b.ctx;
    b.emit(
        call,
        other.map(|t| Stub::Exit(ctx, t)),
        Some(Stub::Error(ctx, here + 1)),
    );
    b.emit(
        UopInstruction::new(Uop::CHECK_VALIDITY).target(expected),
        Some(Stub::Deopt(ctx, expected)),
        None,
    );
}

/// The uops (with their opargs) for a float `BINARY_OP` form: tier 1's
/// float `/` (both operands guarded floats), or a generic `+ - * / **`,
/// which tier 1 leaves generic for mixed float and int operands and for
/// `**` (one uop that checks its operands itself). `None` for other operators.
fn float_binary_uops(opcode_: u8, arg: u32) -> Option<Vec<(Uop, u32)>> {
    use crate::vm::bytecode::binop;
    if opcode_ == op::BINARY_OP_TRUE_DIVIDE_FLOAT {
        return Some(vec![
            (Uop::GUARD_BOTH_FLOAT, 0),
            (Uop::BINARY_OP_TRUE_DIVIDE_FLOAT, 0),
        ]);
    }
    let mixed = match arg & 15 {
        binop::ADD => 0,
        binop::SUB => 1,
        binop::MUL => 2,
        binop::TRUEDIV => 3,
        binop::POW => 4,
        _ => return None,
    };
    Some(vec![(Uop::BINARY_OP_FLOAT_MIXED, mixed)])
}

/// Emits the guard for a conditional jump on a bool at the top of the
/// stack (`if_true`: the jump is taken on `True`), following the chosen
/// side; returns the instruction the trace continues at.
fn bool_branch(
    b: &mut Builder,
    here: u32,
    if_true: bool,
    follow_jump: bool,
    fall: u32,
    jump: u32,
) -> u32 {
    // The jump is taken iff the value == if_true.
    let (want_true, other, next) = if follow_jump {
        (if_true, fall, jump)
    } else {
        (!if_true, jump, fall)
    };
    let g = if want_true {
        Uop::GUARD_IS_TRUE_POP
    } else {
        Uop::GUARD_IS_FALSE_POP
    };
    b.emit(
        UopInstruction::new(g).target(here),
        Some(Stub::Exit(b.ctx, other)),
        None,
    );
    next
}

/// An exit stub placed in the body: leave to `target` in frame context
/// `ctx` (used where the projection stops).
fn exit_to(ctx: u32, target: u32) -> UopInstruction {
    // Resolved as a normal exit: Builder::finish gives it an exit index.
    UopInstruction::new(Uop::EXIT_TRACE)
        .target(target)
        .operand(ctx as u64)
        .exit_index(u32::MAX)
}

/// Which way to follow a two-way branch at `here`: stay inside the loop if
/// only one side does, never follow a backward jump, else what tier 1 did.
fn choose_jump(
    fall: u32,
    jump: u32,
    here: u32,
    in_loop: &dyn Fn(u32) -> bool,
    history: impl Fn() -> bool,
) -> bool {
    if jump <= here {
        return false;
    }
    match (in_loop(fall), in_loop(jump)) {
        (true, false) => false,
        (false, true) => true,
        _ => history(),
    }
}
