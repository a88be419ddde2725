//! The fused int uops (made by `fuse.rs`): which comparison, operands and
//! operation each one stands for, the map back from those to the uop, and
//! their semantics for the uop interpreter (the templates are in
//! `ir-templates/src/fused.rs`).

use crate::abi::uop::Uop;
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::jit::UopInstruction;
use crate::vm::obj::{decref, incref};

/// A comparison, as `_COMPARE_OP_INT`'s oparg names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    const ALL: [Cmp; 6] = [Cmp::Lt, Cmp::Le, Cmp::Eq, Cmp::Ne, Cmp::Gt, Cmp::Ge];

    /// The comparison of a `_COMPARE_OP_INT` oparg (0 `<` ... 5 `>=`).
    pub fn from_oparg(oparg: u32) -> Option<Cmp> {
        Cmp::ALL.get(oparg as usize).copied()
    }

    /// The comparison that holds exactly when `self` does not.
    pub fn negate(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Ge,
            Cmp::Le => Cmp::Gt,
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::Gt => Cmp::Le,
            Cmp::Ge => Cmp::Lt,
        }
    }

    /// Whether `a self b`.
    pub fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// Where a fused int uop's operands come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operands {
    /// The top two stack values, popped.
    Stack,
    /// `localsplus[oparg]` and `localsplus[operand]`.
    Locals,
    /// `localsplus[oparg]` and the tagged small int constant `operand`.
    LocalConst,
}

const GUARDS: [[Uop; 6]; 3] = [
    [
        Uop::GUARD_INT_LT,
        Uop::GUARD_INT_LE,
        Uop::GUARD_INT_EQ,
        Uop::GUARD_INT_NE,
        Uop::GUARD_INT_GT,
        Uop::GUARD_INT_GE,
    ],
    [
        Uop::GUARD_INT_LT_LOCALS,
        Uop::GUARD_INT_LE_LOCALS,
        Uop::GUARD_INT_EQ_LOCALS,
        Uop::GUARD_INT_NE_LOCALS,
        Uop::GUARD_INT_GT_LOCALS,
        Uop::GUARD_INT_GE_LOCALS,
    ],
    [
        Uop::GUARD_INT_LT_LOCAL_CONST,
        Uop::GUARD_INT_LE_LOCAL_CONST,
        Uop::GUARD_INT_EQ_LOCAL_CONST,
        Uop::GUARD_INT_NE_LOCAL_CONST,
        Uop::GUARD_INT_GT_LOCAL_CONST,
        Uop::GUARD_INT_GE_LOCAL_CONST,
    ],
];

fn form_index(o: Operands) -> usize {
    match o {
        Operands::Stack => 0,
        Operands::Locals => 1,
        Operands::LocalConst => 2,
    }
}

/// The `_GUARD_INT_*` uop that continues when `left c right` holds.
pub fn guard_uop(c: Cmp, o: Operands) -> Uop {
    GUARDS[form_index(o)][c as usize]
}

/// The comparison and operands of a `_GUARD_INT_*` uop.
pub fn guard_parts(u: Uop) -> Option<(Cmp, Operands)> {
    for (f, row) in GUARDS.iter().enumerate() {
        if let Some(c) = row.iter().position(|&x| x == u) {
            let o = [Operands::Stack, Operands::Locals, Operands::LocalConst][f];
            return Some((Cmp::ALL[c], o));
        }
    }
    None
}

/// A fused local `+`/`-` (`_BINARY_OP_{ADD,SUBTRACT}_INT_LOCAL{S,_CONST}`
/// and its `_INPLACE_` forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arith {
    /// `-` rather than `+`.
    pub sub: bool,
    /// The right operand is a constant (else a local).
    pub constant: bool,
    /// The result goes back into `localsplus[oparg]` (else it is pushed).
    pub inplace: bool,
}

const ARITH: [(Uop, Arith); 8] = {
    const fn a(sub: bool, constant: bool, inplace: bool) -> Arith {
        Arith {
            sub,
            constant,
            inplace,
        }
    }
    [
        (Uop::BINARY_OP_ADD_INT_LOCAL_CONST, a(false, true, false)),
        (
            Uop::BINARY_OP_SUBTRACT_INT_LOCAL_CONST,
            a(true, true, false),
        ),
        (Uop::BINARY_OP_ADD_INT_LOCALS, a(false, false, false)),
        (Uop::BINARY_OP_SUBTRACT_INT_LOCALS, a(true, false, false)),
        (Uop::INPLACE_ADD_INT_LOCAL_CONST, a(false, true, true)),
        (Uop::INPLACE_SUBTRACT_INT_LOCAL_CONST, a(true, true, true)),
        (Uop::INPLACE_ADD_INT_LOCALS, a(false, false, true)),
        (Uop::INPLACE_SUBTRACT_INT_LOCALS, a(true, false, true)),
    ]
};

/// The uop of a fused local `+`/`-`.
pub fn arith_uop(a: Arith) -> Uop {
    ARITH
        .iter()
        .find(|(_, x)| *x == a)
        .map_or(Uop::NOP, |(u, _)| *u)
}

/// What a fused local `+`/`-` uop does.
pub fn arith_parts(u: Uop) -> Option<Arith> {
    ARITH.iter().find(|(x, _)| *x == u).map(|(_, a)| *a)
}

/// The operand of `_INPLACE_MUL_ADD_INT_*` for `n = c1 * n + c2`: `c1`
/// in the low 32 bits, `2 c2` (the template adds it to the untagged
/// product) in the high 32, both signed.
pub fn mul_add_operand(c1: i64, c2: i64) -> Option<u64> {
    let c1 = i32::try_from(c1).ok()?;
    let twice_c2 = i32::try_from(c2.checked_mul(2)?).ok()?;
    Some(u64::from(c1 as u32) | (u64::from(twice_c2 as u32) << 32))
}

/// `(c1, c2)` of a [`mul_add_operand`].
pub fn mul_add_constants(operand: u64) -> (i64, i64) {
    (
        i64::from(operand as u32 as i32),
        i64::from((operand >> 32) as u32 as i32) >> 1,
    )
}

/// What a `_KNOWN` list uop relies on: `c` is a list and `k` a small int
/// (the optimizer proved both).
fn known_list(c: u64, k: u64) -> bool {
    k & 1 == 1
        && c & 1 == 0
        && c != 0
        && crate::vm::obj::kind_of(c) == crate::abi::layout::kind::LIST
}

/// Runs one of this module's uops (or returns `None` for any other uop)
/// in the uop interpreter: `Some(true)` continues at its `jump_target`.
///
/// # Safety
/// `lp` is the frame's `localsplus` and `*sp` its stack pointer, with the
/// locals and stack values the optimizer proved for the uop.
pub unsafe fn interpret(ins: &UopInstruction, lp: *mut u64, sp: &mut *mut u64) -> Option<bool> {
    // SAFETY: the caller's contract (indices and depths as projected).
    unsafe {
        let local = |k: u64| lp.add(k as usize);
        if matches!(
            ins.opcode,
            Uop::BINARY_OP_ADD_INT_TOP_CONST | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST
        ) {
            let top = *sp.sub(1);
            let (x, y) = (decode_small_int(top), decode_small_int(ins.operand | 1));
            let r = if ins.opcode == Uop::BINARY_OP_ADD_INT_TOP_CONST {
                x.checked_add(y)
            } else {
                x.checked_sub(y)
            };
            return match r.and_then(encode_small_int) {
                Some(v) => {
                    *sp.sub(1) = v;
                    Some(false)
                }
                None => {
                    // Overflow: the constant pushed, as its load would have.
                    **sp = ins.operand | 1;
                    *sp = sp.add(1);
                    Some(true)
                }
            };
        }
        let mut push = |v: u64| {
            **sp = v;
            *sp = sp.add(1);
        };
        match ins.opcode {
            Uop::LOAD_FAST_INT => push(*local(ins.oparg.into())),
            Uop::LOAD_CONST_IMMORTAL => push(ins.operand),
            Uop::STORE_FAST_INT => {
                *sp = sp.sub(1);
                *local(ins.oparg.into()) = **sp;
            }
            Uop::STORE_SUBSCR_LIST_INT_LOCALS | Uop::STORE_SUBSCR_LIST_INT_KNOWN => {
                let c = *local(ins.oparg.into());
                let k = *local(ins.operand);
                debug_assert!(ins.opcode != Uop::STORE_SUBSCR_LIST_INT_KNOWN || known_list(c, k));
                let Some(slot) = crate::vm::tier2::uop_interp::list_int_slot(c, k) else {
                    incref(c);
                    incref(k);
                    push(c);
                    push(k);
                    return Some(true);
                };
                *sp = sp.sub(1);
                let old = std::mem::replace(&mut *slot, **sp);
                decref(old);
            }
            Uop::BINARY_SUBSCR_LIST_INT_KNOWN | Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST => {
                let c = *local(ins.oparg.into());
                let k = if ins.opcode == Uop::BINARY_SUBSCR_LIST_INT_KNOWN {
                    *local(ins.operand)
                } else {
                    ins.operand
                };
                debug_assert!(known_list(c, k));
                let Some(slot) = crate::vm::tier2::uop_interp::list_int_slot(c, k) else {
                    // Out of range: the fused loads' values, as they would
                    // have pushed them (a constant needs no reference).
                    incref(c);
                    incref(k);
                    push(c);
                    push(k);
                    return Some(true);
                };
                incref(*slot);
                push(*slot);
            }
            Uop::SWAP_LIST_ITEMS_LOCALS | Uop::SWAP_LIST_ITEMS_KNOWN => {
                let c = *local(ins.oparg.into());
                let a = *local(ins.operand & 0xffff_ffff);
                let b = *local(ins.operand >> 32);
                debug_assert!(
                    ins.opcode != Uop::SWAP_LIST_ITEMS_KNOWN
                        || (known_list(c, a) && known_list(c, b))
                );
                let slots = crate::vm::tier2::uop_interp::list_int_slot(c, a)
                    .zip(crate::vm::tier2::uop_interp::list_int_slot(c, b));
                let Some((sa, sb)) = slots else {
                    incref(c);
                    incref(a);
                    push(c);
                    push(a);
                    return Some(true);
                };
                std::ptr::swap(sa, sb);
            }
            Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL | Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => {
                let n = *local(ins.oparg.into());
                let (c1, c2) = mul_add_constants(ins.operand);
                match decode_small_int(n)
                    .checked_mul(c1)
                    .and_then(|p| p.checked_add(c2))
                    .and_then(encode_small_int)
                {
                    Some(v) => *local(ins.oparg.into()) = v,
                    None => {
                        // The multiply's operands, as its loads pushed them.
                        let tc = ((c1 << 1) | 1) as u64;
                        if ins.opcode == Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL {
                            push(tc);
                            push(n);
                        } else {
                            push(n);
                            push(tc);
                        }
                        return Some(true);
                    }
                }
            }
            Uop::GUARD_AND_INT_ZERO_LOCAL_CONST | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST => {
                let clear = *local(ins.oparg.into()) & ins.operand == 0;
                return Some(clear != (ins.opcode == Uop::GUARD_AND_INT_ZERO_LOCAL_CONST));
            }
            Uop::INPLACE_RSHIFT_INT_LOCAL_CONST | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST => {
                // `(2n+1) >> c` keeps `n >> c` above its lowest bit.
                let r = ((*local(ins.oparg.into()) as i64) >> ins.operand.min(63)) as u64 | 1;
                if ins.opcode == Uop::INPLACE_RSHIFT_INT_LOCAL_CONST {
                    *local(ins.oparg.into()) = r;
                } else {
                    push(r);
                }
            }
            Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL => {
                let a = *local(ins.oparg.into());
                let c = ins.operand as i64;
                match decode_small_int(a)
                    .checked_mul(c)
                    .and_then(encode_small_int)
                {
                    Some(v) => push(v),
                    None => {
                        // A small int constant: its tagged word fits.
                        let tc = ((c << 1) | 1) as u64;
                        if ins.opcode == Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL {
                            push(tc);
                            push(a);
                        } else {
                            push(a);
                            push(tc);
                        }
                        return Some(true);
                    }
                }
            }
            u => {
                if let Some((c, o)) = guard_parts(u) {
                    let (a, b) = match o {
                        Operands::Stack => {
                            *sp = sp.sub(2);
                            (**sp, *sp.add(1))
                        }
                        Operands::Locals => (*local(ins.oparg.into()), *local(ins.operand)),
                        Operands::LocalConst => (*local(ins.oparg.into()), ins.operand),
                    };
                    return Some(!c.holds(a as i64, b as i64));
                }
                let ar = arith_parts(u)?;
                let a = *local(ins.oparg.into());
                // A constant operand is held untagged (`2c`).
                let b = if ar.constant {
                    ins.operand | 1
                } else {
                    *local(ins.operand)
                };
                let (x, y) = (decode_small_int(a), decode_small_int(b));
                let r = if ar.sub {
                    x.checked_sub(y)
                } else {
                    x.checked_add(y)
                };
                match r.and_then(encode_small_int) {
                    None => {
                        push(a);
                        push(b);
                        return Some(true);
                    }
                    Some(v) if ar.inplace => *local(ins.oparg.into()) = v,
                    Some(v) => push(v),
                }
            }
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_and_arith_round_trip() {
        for c in Cmp::ALL {
            assert_eq!(c.negate().negate(), c);
            for (a, b) in [(1, 2), (2, 2), (3, 2), (-5, 4)] {
                assert_ne!(c.holds(a, b), c.negate().holds(a, b));
            }
            for o in [Operands::Stack, Operands::Locals, Operands::LocalConst] {
                assert_eq!(guard_parts(guard_uop(c, o)), Some((c, o)));
            }
        }
        for (u, a) in ARITH {
            assert_eq!(arith_uop(a), u);
            assert_eq!(arith_parts(u), Some(a));
        }
        assert_eq!(guard_parts(Uop::COMPARE_OP_INT), None);
        assert_eq!(arith_parts(Uop::BINARY_OP_ADD_INT), None);
    }

    /// The two constants of a multiply-add round-trip through its operand
    /// when they fit, and the operand is refused when they do not.
    #[test]
    fn mul_add_operands_round_trip_within_32_bits() {
        for (c1, c2) in [
            (3, 1),
            (-7, -1),
            (1103515245, 12345),
            (i32::MIN as i64, -(1 << 30)),
        ] {
            let op = mul_add_operand(c1, c2);
            assert_eq!(op.map(mul_add_constants), Some((c1, c2)));
        }
        assert_eq!(mul_add_operand(1 << 31, 1), None);
        assert_eq!(mul_add_operand(3, 1 << 30), None);
    }

    /// The interpreter's overflow path leaves the operands pushed and the
    /// local unchanged; the in-place form stores otherwise.
    #[test]
    fn inplace_add_overflows_with_the_operands_pushed() {
        let max = encode_small_int(crate::abi::value::SMALL_INT_MAX).unwrap_or(0);
        let one = encode_small_int(1).unwrap_or(0);
        let mut locals = [max, 0];
        let mut stack = [0u64; 4];
        let mut sp = stack.as_mut_ptr();
        let ins = UopInstruction::new(Uop::INPLACE_ADD_INT_LOCAL_CONST)
            .oparg(0)
            .operand(one ^ 1);
        // SAFETY: two locals and a four-word stack, as the uop needs.
        let r = unsafe { interpret(&ins, locals.as_mut_ptr(), &mut sp) };
        assert_eq!(r, Some(true));
        assert_eq!((stack[0], stack[1], locals[0]), (max, one, max));
        let mut locals = [encode_small_int(41).unwrap_or(0), 0];
        let mut sp = stack.as_mut_ptr();
        // SAFETY: as above.
        let r = unsafe { interpret(&ins, locals.as_mut_ptr(), &mut sp) };
        assert_eq!(r, Some(false));
        assert_eq!(locals[0], encode_small_int(42).unwrap_or(0));
        assert_eq!(sp, stack.as_mut_ptr());
    }
}
