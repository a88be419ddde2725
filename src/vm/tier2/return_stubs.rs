//! Returns as exit stubs: a trace whose guard leaves for a branch that is
//! just `return x` (fib's `if n < 2: return n`, a loop's exhausted
//! `for` before `return acc`) would exit to tier 1, or through a linked
//! side trace of two uops, every time it takes it. Instead the exit stub
//! returns right there, as tier 1 would from that instruction:
//!
//! * `_RETURN_LOCAL_INT x` when the type pass proved every local of the
//!   frame a small int at that exit: the value goes to the frame's first
//!   slot, so the native caller's pop releases nothing
//!   (`_RETURN_LOCAL_INT_ALONE` when the code's stack is empty there, so
//!   the stub need not test it);
//! * `_RETURN_LOCAL x` when it proved `x` bound: a new reference pushed;
//! * else `_RETURN_LOCAL_CHECKED x`, which tests `x` itself and leaves for
//!   the exit (moved to the end of the trace) when it is unbound (a loop's
//!   `return acc` after `for`, whose first exit comes before any store).
//!
//! Only exits of the trace's entry frame (context 0) are rewritten: the
//! status (`RETURNED`, the frame current, `instr` at its `RETURN_VALUE`) is
//! what every caller of a trace already handles (tier 1 runs the return, a
//! native call pops the frame).

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{base_opcode, op, oparg, opcode, Code};

use super::optimize::EntryFacts;

/// The local `x` if the instructions at `target` of `code` are
/// `LOAD_FAST x; RETURN_VALUE` (in any specialized form).
fn returned_local(code: &Code, target: u32) -> Option<u32> {
    let words = code.words();
    let at = |i: usize| words.get(i).map(|&w| (base_opcode(opcode(w)), oparg(w)));
    let (load, x) = at(target as usize)?;
    let (ret, _) = at(target as usize + 1)?;
    (matches!(load, op::LOAD_FAST | op::LOAD_FAST_CHECK) && ret == op::RETURN_VALUE).then_some(x)
}

/// The return stub for `return x` with `facts` known (`None`: keep the
/// exit); `empty`: the code's stack is empty at the `LOAD_FAST x`.
fn return_stub(x: u32, nlocals: u32, facts: &EntryFacts, empty: bool) -> Option<Uop> {
    let ints = facts.int_locals().filter(|&l| l < nlocals).count() as u32;
    if ints == nlocals && empty {
        Some(Uop::RETURN_LOCAL_INT_ALONE)
    } else if ints == nlocals {
        Some(Uop::RETURN_LOCAL_INT)
    } else if facts.is_bound(x) {
        Some(Uop::RETURN_LOCAL)
    } else {
        None
    }
}

/// Rewrites, in `uops` (a trace entered in a frame of `code`), each
/// `_EXIT_TRACE` of the entry frame to a `return x` into a return stub, as
/// the facts at the exit (by exit index) allow.
///
/// Where nothing proves `x` bound, the stub checks it
/// (`_RETURN_LOCAL_CHECKED`) and the exit moves to the end of the trace,
/// where the check leaves for it (tier 1 raises `UnboundLocalError`).
pub fn returns_in_stubs(uops: &mut Vec<UopInstruction>, code: &Code, facts: &[Option<EntryFacts>]) {
    let nlocals = code.nlocalsplus() as u32;
    for k in 0..uops.len() {
        let u = uops[k];
        if u.opcode != Uop::EXIT_TRACE || u.operand != 0 {
            continue;
        }
        let Some(x) = returned_local(code, u.target) else {
            continue;
        };
        let empty = code.depth_at(u.target) == Some(0);
        let stub = match facts.get(u.exit_index as usize) {
            Some(Some(f)) => return_stub(x, nlocals, f, empty),
            _ => None,
        };
        let ret = UopInstruction::new(stub.unwrap_or(Uop::RETURN_LOCAL_CHECKED))
            .oparg(x)
            .target(u.target + 1)
            .operand(0);
        uops[k] = match stub {
            Some(_) => ret,
            None => {
                uops.push(u);
                ret.jump_target(uops.len() as u32 - 1)
            }
        };
    }
}
