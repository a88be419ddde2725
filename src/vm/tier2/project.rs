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

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{encode, op, oparg, opcode, Cache, Code};
use crate::vm::obj::Obj;
use crate::vm::tier2::helpers;
use crate::vm::tier2::trace::{Caller, FrameContext};
use crate::vm::types::{CodeObj, KIND_CODE};

/// Where a projection starts and what closes it.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    /// First bytecode instruction of the trace.
    pub at: u32,
    /// For a loop's root trace: the `JUMP_BACKWARD` that closes the loop
    /// (the trace ends with `_JUMP_TO_TOP` there). `None` for side traces,
    /// which end with an exit at the first back edge.
    pub backedge: Option<u32>,
}

/// A stub at the end of the trace that guards and helpers continue at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Stub {
    /// `_EXIT_TRACE` resuming tier 1 at this instruction, in this frame context.
    Exit(u32, u32),
    /// `_ERROR_POP_N 0` reporting an error raised by the instruction before
    /// this index, in this frame context.
    Error(u32, u32),
}

struct Builder {
    /// The frame context uops are emitted in now (an index into the contexts).
    ctx: u32,
    body: Vec<UopInstruction>,
    /// Stub each body uop's jump target (and error target) refers to.
    stubs: Vec<(Option<Stub>, Option<Stub>)>,
}

impl Builder {
    fn emit(&mut self, ins: UopInstruction, jump: Option<Stub>, error: Option<Stub>) {
        self.body.push(ins);
        self.stubs.push((jump, error));
    }

    /// Lays out the stubs after the body and resolves the targets.
    fn finish(mut self) -> Vec<UopInstruction> {
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
            };
            self.body.push(stub);
        }
        self.body
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

/// A trace as projected: the uops, and the frame contexts its `_EXIT_TRACE`
/// stubs name by index in their `operand` (0 is the entry context).
pub struct Projection {
    /// Body, then stubs.
    pub uops: Vec<UopInstruction>,
    /// Frame contexts, by index.
    pub contexts: Vec<FrameContext>,
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
    (c.argcount == n && c.varargs.is_none() && !loops && !recursive).then_some(callee)
}

/// Projects a trace from `start` in the frame context `entry` (the code of
/// the frame the trace is entered in, and the callers it may return into);
/// `None` if nothing worth running as a trace comes out (the first
/// instruction already has to exit). Calls of small Python functions are
/// inlined (`_PUSH_FRAME` ... `_POP_FRAME`).
pub fn project(entry: &FrameContext, start: Start, max_len: usize) -> Option<Projection> {
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
    };
    let mut i = start.at as usize;
    let mut pushed_bool = false;
    loop {
        let lv = levels.len() - 1;
        let ctx = levels[lv].ctx;
        b.ctx = ctx;
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
        if b.body.len() >= max_len || i >= instrs.len() || levels[lv].visited[i] {
            b.emit(exit_to(ctx, i as u32), None, None);
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
        let ins = |u: Uop| UopInstruction::new(u).target(here);
        match opcode(w) {
            op::NOP | op::LOAD_FAST_CHECK | op::SETUP_EXCEPT | op::POP_EXCEPT_BLOCK => i += 1,
            op::LOAD_FAST => {
                b.emit(
                    ins(Uop::LOAD_FAST_CHECK).oparg(arg),
                    Some(Stub::Exit(ctx, here)),
                    None,
                );
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
                b.emit(ins(Uop::GUARD_BOTH_INT), Some(Stub::Exit(ctx, here)), None);
                b.emit(ins(u), Some(Stub::Exit(ctx, here)), None);
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
                b.emit(
                    ins(Uop::GUARD_BOTH_FLOAT),
                    Some(Stub::Exit(ctx, here)),
                    None,
                );
                b.emit(ins(u), None, None);
                i += 1;
            }
            op::BINARY_OP_RSHIFT_INT | op::BINARY_OP_MOD_INT | op::BINARY_OP_FLOOR_DIVIDE_INT => {
                let u = match opcode(w) {
                    op::BINARY_OP_RSHIFT_INT => Uop::BINARY_OP_RSHIFT_INT,
                    op::BINARY_OP_MOD_INT => Uop::BINARY_OP_MOD_INT,
                    _ => Uop::BINARY_OP_FLOOR_DIVIDE_INT,
                };
                b.emit(ins(Uop::GUARD_BOTH_INT), Some(Stub::Exit(ctx, here)), None);
                b.emit(ins(u), Some(Stub::Exit(ctx, here)), None);
                i += 1;
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
            op::LOAD_GLOBAL_MODULE
            | op::LOAD_GLOBAL_BUILTIN
            | op::BINARY_OP
            | op::BINARY_OP_TRUE_DIVIDE_FLOAT => {
                let f = if matches!(opcode(w), op::LOAD_GLOBAL_MODULE | op::LOAD_GLOBAL_BUILTIN) {
                    helpers::cpjit_load_global as *const () as usize as u64
                } else {
                    helpers::cpjit_binary_op as *const () as usize as u64
                };
                let call = ins(Uop::CALL_HELPER).oparg(here + 1).operand(f);
                b.emit(call, None, Some(Stub::Error(ctx, here + 1)));
                i += 1;
            }
            op::BINARY_OP_AND_INT => {
                b.emit(ins(Uop::GUARD_BOTH_INT), Some(Stub::Exit(ctx, here)), None);
                b.emit(ins(Uop::BINARY_OP_AND_INT), None, None);
                i += 1;
            }
            op::BINARY_SUBSCR_LIST_INT => {
                b.emit(
                    ins(Uop::BINARY_SUBSCR_LIST_INT),
                    Some(Stub::Exit(ctx, here)),
                    None,
                );
                i += 1;
            }
            op::STORE_SUBSCR_LIST_INT => {
                b.emit(
                    ins(Uop::STORE_SUBSCR_LIST_INT),
                    Some(Stub::Exit(ctx, here)),
                    None,
                );
                i += 1;
            }
            op::COMPARE_OP_INT | op::COMPARE_OP_FLOAT => {
                let (g, c) = if opcode(w) == op::COMPARE_OP_INT {
                    (Uop::GUARD_BOTH_INT, Uop::COMPARE_OP_INT)
                } else {
                    (Uop::GUARD_BOTH_FLOAT, Uop::COMPARE_OP_FLOAT)
                };
                b.emit(ins(g), Some(Stub::Exit(ctx, here)), None);
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
                b.emit(ins(g), Some(Stub::Exit(ctx, here)), None);
                b.emit(ins(c).oparg(arg), None, None);
                i = bool_branch(&mut b, here, if_true, follow_jump, fall, jump) as usize;
            }
            op::POP_JUMP_IF_FALSE | op::POP_JUMP_IF_TRUE => {
                if !prev_bool {
                    // Small ints and bools test inline; anything else exits.
                    b.emit(ins(Uop::TO_BOOL), Some(Stub::Exit(ctx, here)), None);
                }
                let (fall, jump) = (here + 1, arg);
                let if_true = opcode(w) == op::POP_JUMP_IF_TRUE;
                let follow_jump =
                    choose_jump(fall, jump, here, &in_loop, || jump_mostly_taken(caches, i));
                i = bool_branch(&mut b, here, if_true, follow_jump, fall, jump) as usize;
            }
            op::FOR_ITER | op::FOR_ITER_RANGE | op::FOR_ITER_LIST => {
                let call = ins(Uop::CALL_HELPER)
                    .oparg(here + 1)
                    .operand(helpers::cpjit_for_iter as *const () as usize as u64);
                b.emit(
                    call,
                    Some(Stub::Exit(ctx, arg)),
                    Some(Stub::Error(ctx, here + 1)),
                );
                i += 1;
            }
            op::JUMP_FORWARD => i = arg as usize,
            op::CALL_PY_EXACT_ARGS => {
                let Some(callee) = inlinable(code, caches, i, arg, &levels) else {
                    b.emit(
                        generic_step(here, here + 1, w),
                        None,
                        Some(Stub::Error(ctx, here + 1)),
                    );
                    i += 1;
                    continue;
                };
                let push = ins(Uop::PUSH_FRAME).oparg(arg).operand(callee.raw());
                b.emit(push, Some(Stub::Exit(ctx, here)), None);
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
                    b.emit(exit_to(ctx, here), None, None);
                }
                break;
            }
            op::RETURN_VALUE | op::RAISE | op::RERAISE | op::RAISE_ASSERT => {
                b.emit(exit_to(ctx, here), None, None);
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
                b.emit(
                    generic_step(here, expected, w),
                    other.map(|t| Stub::Exit(ctx, t)),
                    Some(Stub::Error(ctx, here + 1)),
                );
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
    Some(Projection {
        uops: b.finish(),
        contexts,
    })
}

/// `_CALL_HELPER` of [`helpers::cpjit_step`] (or of the faster
/// [`helpers::cpjit_simple_step`] for the instruction word `w` it covers):
/// runs the instruction at `here` as tier 1 does; the trace goes on at `expected`.
fn generic_step(here: u32, expected: u32, w: u32) -> UopInstruction {
    let f = if helpers::has_simple_step(opcode(w)) {
        helpers::cpjit_simple_step as *const () as usize as u64
    } else {
        helpers::cpjit_step as *const () as usize as u64
    };
    UopInstruction::new(Uop::CALL_HELPER)
        .target(here)
        .oparg(expected)
        .operand(f)
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

/// An exit stub placed in the body: leave to `target` (used where the
/// projection stops).
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
