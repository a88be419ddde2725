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
//! * folds away `_LOAD_CONST` + `_POP_TOP` pairs;
//!
//! then it compacts the trace, renumbering jump and error targets.
//!
//! Nothing is assumed across the loop's back edge (`_JUMP_TO_TOP`): the top
//! is also entered from tier 1, so the pass starts knowing nothing. A
//! helper that runs a tier-1 instruction forgets the stack (its effect is
//! not modelled); only `DELETE_FAST` can change the frame's locals, so a
//! helper running one forgets them too.

use crate::abi::layout::kind;
use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{op, opcode, Code};
use crate::vm::obj::{false_raw, kind_of, true_raw};
use std::collections::HashMap;

/// What the pass knows about a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Unknown,
    Int,
    Float,
    Bool,
}

/// The abstract state: the known top of the stack (last = top; entries
/// below are unknown) and the locals.
#[derive(Default)]
struct State {
    stack: Vec<Ty>,
    locals: HashMap<u32, Ty>,
    bound: std::collections::HashSet<u32>,
}

impl State {
    fn push(&mut self, t: Ty) {
        self.stack.push(t);
    }
    fn pop(&mut self) -> Ty {
        self.stack.pop().unwrap_or(Ty::Unknown)
    }
    fn peek(&self, depth: usize) -> Ty {
        if depth == 0 || depth > self.stack.len() {
            Ty::Unknown
        } else {
            self.stack[self.stack.len() - depth]
        }
    }
    /// Sets the entry `depth` below the top, when modelled.
    fn set(&mut self, depth: usize, t: Ty) {
        if depth >= 1 && depth <= self.stack.len() {
            let n = self.stack.len();
            self.stack[n - depth] = t;
        }
    }
}

fn const_ty(v: u64) -> Ty {
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

/// Optimizes a trace projected from `code`, keeping tier 1's semantics
/// exactly. Returns the new trace (the stubs keep their order).
pub fn optimize(code: &Code, mut uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    let body_end = uops
        .iter()
        .position(|u| {
            matches!(
                u.opcode,
                Uop::JUMP_TO_TOP | Uop::EXIT_TRACE | Uop::DEOPT | Uop::ERROR_POP_N
            )
        })
        .unwrap_or(uops.len());
    let mut remove = vec![false; uops.len()];
    let mut s = State::default();
    // Code of each frame the trace is in (`None`: a caller the trace
    // returned into, whose code the pass does not know).
    let mut frames: Vec<Option<&Code>> = vec![Some(code)];
    for k in 0..body_end {
        let u = uops[k];
        match u.opcode {
            Uop::NOP => remove[k] = true,
            Uop::LOAD_FAST_CHECK | Uop::LOAD_FAST => {
                if s.bound.contains(&u.oparg) {
                    uops[k].opcode = Uop::LOAD_FAST;
                }
                s.bound.insert(u.oparg);
                s.push(s.locals.get(&u.oparg).copied().unwrap_or(Ty::Unknown));
            }
            Uop::STORE_FAST => {
                let t = s.pop();
                s.locals.insert(u.oparg, t);
                s.bound.insert(u.oparg);
            }
            Uop::LOAD_CONST => {
                // A constant pushed and popped at once does nothing.
                if k + 1 < body_end && uops[k + 1].opcode == Uop::POP_TOP {
                    remove[k] = true;
                    remove[k + 1] = true;
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
                if s.peek(1) == want && s.peek(2) == want {
                    remove[k] = true;
                }
                s.set(1, want);
                s.set(2, want);
            }
            Uop::BINARY_OP_ADD_INT
            | Uop::BINARY_OP_SUBTRACT_INT
            | Uop::BINARY_OP_MULTIPLY_INT
            | Uop::BINARY_OP_AND_INT
            | Uop::BINARY_OP_RSHIFT_INT
            | Uop::BINARY_OP_MOD_INT
            | Uop::BINARY_OP_FLOOR_DIVIDE_INT => {
                s.pop();
                s.pop();
                s.push(Ty::Int);
            }
            Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT => {
                s.pop();
                s.pop();
                s.push(Ty::Float);
            }
            Uop::COMPARE_OP_INT | Uop::COMPARE_OP_FLOAT => {
                s.pop();
                s.pop();
                s.push(Ty::Bool);
            }
            Uop::TO_BOOL => {
                if s.peek(1) == Ty::Bool {
                    remove[k] = true;
                }
                s.set(1, Ty::Bool);
            }
            Uop::GUARD_IS_TRUE_POP | Uop::GUARD_IS_FALSE_POP => {
                s.pop();
            }
            Uop::SWAP => {
                let n = u.oparg as usize;
                let (a, b) = (s.peek(1), s.peek(n));
                if n <= s.stack.len() {
                    s.set(1, b);
                    s.set(n, a);
                } else {
                    s.set(1, Ty::Unknown);
                }
            }
            Uop::COPY => s.push(s.peek(u.oparg as usize)),
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
                let w = match frames.last().copied().flatten() {
                    Some(c) => c.words().get(u.target as usize).copied().unwrap_or(0),
                    None => crate::vm::bytecode::encode(op::DELETE_FAST, 0),
                };
                if opcode(w) == op::DELETE_FAST {
                    s.locals.clear();
                    s.bound.clear();
                }
            }
            // Another frame: nothing known about its stack or locals.
            Uop::PUSH_FRAME | Uop::POP_FRAME => {
                s = State::default();
                if u.opcode == Uop::PUSH_FRAME {
                    // SAFETY: a _PUSH_FRAME's operand is a code object the
                    // trace holds.
                    frames.push(Some(unsafe {
                        &crate::vm::obj::cast::<crate::vm::types::CodeObj>(u.operand).code
                    }));
                } else {
                    frames.pop();
                    if frames.is_empty() {
                        frames.push(None);
                    }
                }
            }
            Uop::SET_IP | Uop::CHECK_VALIDITY => {}
            // Anything else: stop analysing (keep the rest as it is).
            _ => break,
        }
    }
    compact(uops, &remove)
}

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

    fn ins(u: Uop) -> UopInstruction {
        UopInstruction::new(u)
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
}
