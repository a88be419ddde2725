//! Float fusion (session 7), run at the end of the fusion pass on the
//! unboxed trace:
//!
//! * Operands read in place: `_LOAD_FAST_UNBOXED_FLOAT a;
//!   _LOAD_FAST_UNBOXED_FLOAT b; <op>` becomes `_FLOAT_<OP>_LOCALS a, b`,
//!   and `_LOAD_FAST_UNBOXED_FLOAT b` or `_LOAD_CONST_UNBOXED c` right
//!   before an `<op>` (`+ - *`, unboxed) `_FLOAT_<OP>_TOS_LOCAL b` /
//!   `_TOS_CONST c`, which combine the top with it. None of these uops
//!   can exit, so no exit changes.
//! * Compare and branch: `_COMPARE_OP_FLOAT_UNBOXED` and the branch guard
//!   after it become `_GUARD_FLOAT_UNBOXED` (no bool made), with a
//!   constant right operand `_GUARD_FLOAT_CONST_UNBOXED`; the oparg is
//!   the set of outcomes (`<`, `==`, `>`, unordered) the branch continues
//!   on, so NaN compares exactly as tier 1 compares it. It pops its
//!   operands where the guard would have popped the bool, and leaves
//!   through the guard's exit.
//! * `x ** 0.5` (`_LOAD_CONST_UNBOXED 0.5; _BINARY_OP_POWER_FLOAT_UNBOXED`)
//!   becomes `_FLOAT_SQRT_UNBOXED`: a square root where
//!   [`sqrt_if_exact`] proves it is the value `pow` returns (about 3 in 4
//!   random doubles), else `cpjit_float_pow` as before. Only on glibc
//!   targets, whose `pow` documents the error bound the proof needs.
//! * Float list items by a constant index: a non-negative constant index
//!   goes into the uop untagged (`_LIST_ITEM_FLOAT_LOCAL_IDX`,
//!   `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX`,
//!   `_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX`: no tag test or negative-index
//!   wrap), and a read from a local that an earlier list read of the trace
//!   proved a list, with no store to it (or helper, or frame change)
//!   since, skips the list checks (`_KNOWN_IDX` forms). At the head of a
//!   peeled loop what holds is what holds both on entry and at its
//!   `_JUMP_TO_LOOP` (a fixpoint); at any other uop something jumps to,
//!   nothing is known.

use crate::abi::layout::{kind, FloatObj, ListObj, ObjHeader};
use crate::abi::uop::Uop;
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::jit::UopInstruction;
use crate::vm::obj::{decref, float_val, incref, kind_of, new_float};
use crate::vm::tier2::local_facts;

/// Whether `x ** 0.5` may be computed by [`sqrt_if_exact`] on this target:
/// glibc's `pow` (2.28 and later) has an error below 0.52 ulp (0.54 without
/// FMA), i.e. at most 0.04 ulp before its final rounding, well inside the
/// 1/8 ulp margin [`sqrt_if_exact`] keeps.
pub const SQRT_FROM_POW: bool = cfg!(all(target_os = "linux", target_env = "gnu"));

const MIN_NORMAL: u64 = 0x0010_0000_0000_0000;
const NORMAL_SPAN: u64 = 0x7FE0_0000_0000_0000;
const FRACTION: u64 = 0x000F_FFFF_FFFF_FFFF;
const HIDDEN: u64 = 0x0010_0000_0000_0000;
const HALF_BITS: u64 = 0x3FE0_0000_0000_0000;

/// `sqrt(x)` when it is provably the double `pow(x, 0.5)` returns: `x` a
/// positive normal double whose exact square root lies more than 1/8 ulp
/// from the midpoints between `sqrt(x)` (correctly rounded) and its
/// neighbours; `None` otherwise (take `pow`). Not a power of two root (its
/// lower neighbour is closer). The template `_FLOAT_SQRT_UNBOXED` computes
/// exactly this.
///
/// With `s = ms * 2^e` (`ms` the 53-bit significand) and the midpoint
/// above it `(2ms + 1) * 2^(e-1)`, `d = (2ms + 1)^2 - x / 2^(2e-2)` is an
/// integer in `(0, 8ms)` (so 64-bit wrapping arithmetic computes it
/// exactly), and the exact root lies `d / 8ms` ulp below that midpoint and
/// `1 - d / 8ms` ulp above the one under `s`.
pub fn sqrt_if_exact(x: f64) -> Option<f64> {
    let xb = x.to_bits();
    if xb.wrapping_sub(MIN_NORMAL) >= NORMAL_SPAN {
        return None;
    }
    let s = x.sqrt();
    let sb = s.to_bits();
    let frac = sb & FRACTION;
    if frac == 0 {
        return None;
    }
    let ms = frac | HIDDEN;
    let mx = (xb & FRACTION) | HIDDEN;
    let k = (xb >> 52).wrapping_sub((sb >> 52) << 1).wrapping_add(1077);
    if k >= 64 {
        return None;
    }
    let m = (ms << 1) | 1;
    let d = m.wrapping_mul(m).wrapping_sub(mx << k);
    (d > ms && d < 7 * ms).then_some(s)
}

/// The unboxed `+ - *` uops and the three fused forms of each.
fn float_op_forms(u: Uop) -> Option<[Uop; 3]> {
    match u {
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED => Some([
            Uop::FLOAT_ADD_LOCALS,
            Uop::FLOAT_ADD_TOS_LOCAL,
            Uop::FLOAT_ADD_TOS_CONST,
        ]),
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => Some([
            Uop::FLOAT_SUBTRACT_LOCALS,
            Uop::FLOAT_SUBTRACT_TOS_LOCAL,
            Uop::FLOAT_SUBTRACT_TOS_CONST,
        ]),
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => Some([
            Uop::FLOAT_MULTIPLY_LOCALS,
            Uop::FLOAT_MULTIPLY_TOS_LOCAL,
            Uop::FLOAT_MULTIPLY_TOS_CONST,
        ]),
        _ => None,
    }
}

/// The outcomes (1 `<`, 2 `==`, 4 `>`, 8 unordered) on which
/// `_COMPARE_OP_FLOAT_UNBOXED oparg` pushes `True`.
fn true_outcomes(oparg: u32) -> Option<u32> {
    Some(match oparg {
        0 => 1,
        1 => 3,
        2 => 2,
        3 => 0xd,
        4 => 4,
        5 => 6,
        _ => return None,
    })
}

/// The outcome bit of comparing `x` with `y`.
fn outcome(x: f64, y: f64) -> u32 {
    if x < y {
        1
    } else if x == y {
        2
    } else if x > y {
        4
    } else {
        8
    }
}

/// `u` with opcode `op` (its targets and exit kept).
fn with(u: UopInstruction, op: Uop) -> UopInstruction {
    let mut f = u;
    f.opcode = op;
    f
}

/// The index of the next uop after `k` that is not a `_NOP`.
fn next(uops: &[UopInstruction], k: usize) -> Option<usize> {
    (k + 1..uops.len()).find(|&j| uops[j].opcode != Uop::NOP)
}

/// One fusion at `k`: the new last uop and the indices the group covers
/// (all but the last become `_NOP`s).
fn fuse_at(uops: &[UopInstruction], k: usize) -> Option<(UopInstruction, Vec<usize>)> {
    let a = uops[k];
    let k2 = next(uops, k)?;
    let b = uops[k2];
    let k3 = next(uops, k2);
    let c = k3.map(|j| uops[j]);
    // `a; b; op` with both loads of float locals.
    if let (Some(c), Some(k3)) = (c, k3) {
        if let Some(forms) = float_op_forms(c.opcode) {
            if a.opcode == Uop::LOAD_FAST_UNBOXED_FLOAT && b.opcode == Uop::LOAD_FAST_UNBOXED_FLOAT
            {
                let f = with(c, forms[0]).oparg(a.oparg).operand(u64::from(b.oparg));
                return Some((f, vec![k, k2, k3]));
            }
        }
        // `c; compare; guard` with a constant right operand.
        if a.opcode == Uop::LOAD_CONST_UNBOXED && b.opcode == Uop::COMPARE_OP_FLOAT_UNBOXED {
            if let Some(mask) = branch_mask(&b, &c) {
                let f = with(c, Uop::GUARD_FLOAT_CONST_UNBOXED)
                    .oparg(mask)
                    .operand(a.operand);
                return Some((f, vec![k, k2, k3]));
            }
        }
    }
    if let Some(forms) = float_op_forms(b.opcode) {
        return match a.opcode {
            Uop::LOAD_FAST_UNBOXED_FLOAT => {
                Some((with(b, forms[1]).oparg(a.oparg).operand(0), vec![k, k2]))
            }
            Uop::LOAD_CONST_UNBOXED => {
                Some((with(b, forms[2]).oparg(0).operand(a.operand), vec![k, k2]))
            }
            _ => None,
        };
    }
    if a.opcode == Uop::COMPARE_OP_FLOAT_UNBOXED {
        let mask = branch_mask(&a, &b)?;
        return Some((
            with(b, Uop::GUARD_FLOAT_UNBOXED).oparg(mask).operand(0),
            vec![k, k2],
        ));
    }
    if SQRT_FROM_POW
        && a.opcode == Uop::LOAD_CONST_UNBOXED
        && a.operand == HALF_BITS
        && b.opcode == Uop::BINARY_OP_POWER_FLOAT_UNBOXED
    {
        return Some((
            with(b, Uop::FLOAT_SQRT_UNBOXED).oparg(0).operand(HALF_BITS),
            vec![k, k2],
        ));
    }
    None
}

/// The outcome mask a branch guard after `compare` continues on.
fn branch_mask(compare: &UopInstruction, guard: &UopInstruction) -> Option<u32> {
    let t = true_outcomes(compare.oparg)?;
    match guard.opcode {
        Uop::GUARD_IS_TRUE_POP => Some(t),
        Uop::GUARD_IS_FALSE_POP => Some(t ^ 0xf),
        _ => None,
    }
}

/// Fuses the float groups of `uops` (see the module docs); `entered[k]`
/// tells whether some uop jumps to uop `k` (a group is fused only if none
/// jumps into it past its first uop).
///
/// Returns what it assumed at the head of a peeled loop: (lists, floats).
pub fn fuse_floats(uops: &mut [UopInstruction], entered: &[bool]) -> (u64, u64) {
    fuse_floats_from(uops, entered, (0, 0))
}

/// [`fuse_floats`] in a trace entered knowing `start` (lists, floats).
pub fn fuse_floats_from(
    uops: &mut [UopInstruction],
    entered: &[bool],
    start: (u64, u64),
) -> (u64, u64) {
    let start = Known {
        lists: start.0,
        floats: start.1,
    };
    let mut k = 0;
    while k < uops.len() {
        if uops[k].opcode != Uop::NOP {
            if let Some((f, group)) = fuse_at(uops, k) {
                let last = group[group.len() - 1];
                if !(k + 1..=last).any(|j| entered.get(j).copied().unwrap_or(true)) {
                    for &j in &group[..group.len() - 1] {
                        uops[j] = UopInstruction::new(Uop::NOP).target(uops[j].target);
                    }
                    uops[last] = f;
                    k = last + 1;
                    continue;
                }
            }
        }
        k += 1;
    }
    let head = index_list_items(uops, entered, start);
    for u in uops.iter_mut() {
        if u.opcode != Uop::BINARY_OP_FLOAT_INT_UNBOXED {
            continue;
        }
        let to = match u.oparg {
            FLOAT_DIV_INT => Uop::FLOAT_INT_TRUE_DIVIDE_UNBOXED,
            FLOAT_MUL_INT => Uop::FLOAT_INT_MULTIPLY_UNBOXED,
            INT_MUL_FLOAT => Uop::INT_FLOAT_MULTIPLY_UNBOXED,
            _ => continue,
        };
        u.opcode = to;
        u.oparg = 0;
    }
    fuse_item_updates(uops, entered);
    fuse_updates_reading_items(uops, entered);
    fuse_nos_stores(uops, entered);
    (head.lists, head.floats)
}

/// `_UNBOX_FLOAT_AT 2; <+ or -, unboxed>; _STORE_FAST_UNBOXED_FLOAT[_KNOWN]
/// l` (`s += f(...)` with `s` loaded boxed before a call) becomes one
/// `_FLOAT_<OP>_NOS_STORE_LOCAL l`. None of them can exit. With the top
/// boxed too (`s += f(x)` of a native call, s9), `_UNBOX_FLOAT_AT 2;
/// _UNBOX_FLOAT_AT 1` first trade places (two slots, neither can exit or
/// run code), so the top is unboxed alone and the rest fuses.
fn fuse_nos_stores(uops: &mut [UopInstruction], entered: &[bool]) {
    let unbox_at =
        |u: &UopInstruction, depth: u32| u.opcode == Uop::UNBOX_FLOAT_AT && u.oparg == depth;
    for k0 in 0..uops.len() {
        if !unbox_at(&uops[k0], 2) {
            continue;
        }
        let mut k = k0;
        if let Some(j) = next(uops, k0).filter(|&j| unbox_at(&uops[j], 1)) {
            if !(k0 + 1..=j).any(|i| entered.get(i).copied().unwrap_or(true)) {
                uops.swap(k0, j);
                k = j;
            }
        }
        let Some(op_at) = next(uops, k) else {
            continue;
        };
        let fused = match uops[op_at].opcode {
            Uop::BINARY_OP_ADD_FLOAT_UNBOXED => Uop::FLOAT_ADD_NOS_STORE_LOCAL,
            Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => Uop::FLOAT_SUBTRACT_NOS_STORE_LOCAL,
            _ => continue,
        };
        let Some(st) = next(uops, op_at) else {
            continue;
        };
        let store = uops[st];
        if !matches!(
            store.opcode,
            Uop::STORE_FAST_UNBOXED_FLOAT | Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN
        ) || (k + 1..=st).any(|j| entered.get(j).copied().unwrap_or(true))
        {
            continue;
        }
        for j in [k, op_at] {
            uops[j] = UopInstruction::new(Uop::NOP).target(uops[j].target);
        }
        uops[st] = with(store, fused);
    }
}

/// `_BINARY_OP_FLOAT_INT_UNBOXED`'s oparg for `float / int` (operation 3,
/// the int on the right).
const FLOAT_DIV_INT: u32 = 3;
/// `_BINARY_OP_FLOAT_INT_UNBOXED`'s oparg for `float * int` (operation 2).
const FLOAT_MUL_INT: u32 = 2;
/// `_BINARY_OP_FLOAT_INT_UNBOXED`'s oparg for `int * float` (operation 2,
/// the int on the left: bit 8).
const INT_MUL_FLOAT: u32 = 2 | 8;

/// The fused `lst[c] op= x` uops for the unboxed `op` (the list known, the
/// list checked).
fn item_update_forms(op: Uop) -> Option<[Uop; 2]> {
    match op {
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED => Some([
            Uop::INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX,
            Uop::INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX,
        ]),
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => Some([
            Uop::INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX,
            Uop::INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX,
        ]),
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => Some([
            Uop::INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX,
            Uop::INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX,
        ]),
        _ => None,
    }
}

/// The unboxed operation a fused `lst[c] op= x` uop applies.
fn item_update_op(u: Uop) -> Option<Uop> {
    [
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED,
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
    ]
    .into_iter()
    .find(|&op| item_update_forms(op).is_some_and(|f| f.contains(&u)))
}

/// How a uop that cannot leave and reads nothing below its operands moves
/// the stack of unboxed floats: `(needs, pushes)` (operands it pops, values
/// it pushes); `None` for any other uop.
fn pure_float_effect(u: Uop) -> Option<(u32, u32)> {
    match u {
        Uop::LOAD_FAST_UNBOXED_FLOAT
        | Uop::LOAD_CONST_UNBOXED
        | Uop::FLOAT_ADD_LOCALS
        | Uop::FLOAT_SUBTRACT_LOCALS
        | Uop::FLOAT_MULTIPLY_LOCALS => Some((0, 1)),
        Uop::FLOAT_ADD_TOS_LOCAL
        | Uop::FLOAT_SUBTRACT_TOS_LOCAL
        | Uop::FLOAT_MULTIPLY_TOS_LOCAL
        | Uop::FLOAT_ADD_TOS_CONST
        | Uop::FLOAT_SUBTRACT_TOS_CONST
        | Uop::FLOAT_MULTIPLY_TOS_CONST => Some((1, 1)),
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED
        | Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED
        | Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => Some((2, 1)),
        _ => None,
    }
}

/// The unboxed operation and the operand load of a fused
/// `_FLOAT_<OP>_TOS_LOCAL` / `_TOS_CONST` (the top combined with a local
/// or a constant).
fn split_tos_form(u: &UopInstruction) -> Option<(Uop, UopInstruction)> {
    [
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED,
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
    ]
    .into_iter()
    .find_map(|op| {
        let forms = float_op_forms(op)?;
        let load = if u.opcode == forms[1] {
            UopInstruction::new(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(u.oparg)
        } else if u.opcode == forms[2] {
            UopInstruction::new(Uop::LOAD_CONST_UNBOXED).operand(u.operand)
        } else {
            return None;
        };
        Some((op, load.target(u.target)))
    })
}

/// A fusion of `lst[c] op= x` found from the item read.
struct ItemUpdate {
    /// The uop combining the item with `x`.
    op_at: usize,
    /// The unboxed operation it applies.
    op: Uop,
    /// The item's store.
    store_at: usize,
    /// What replaces the read: `x`'s load when the combining uop read it
    /// in place (`_FLOAT_<OP>_TOS_LOCAL`, `_TOS_CONST`), else a `_NOP`.
    at_read: Option<UopInstruction>,
}

/// The fusion of `lst[c] op= x` starting at the item read `k`, when only
/// pure unboxed float uops (which cannot leave) compute `x` between the
/// read and the store, so the read's checks can move after them.
fn item_update_at(uops: &[UopInstruction], k: usize) -> Option<ItemUpdate> {
    let read = uops[k];
    let mut depth = 0u32;
    let mut j = k;
    let (op_at, op, at_read) = loop {
        j = next(uops, j)?;
        let u = uops[j];
        if depth == 1 && item_update_forms(u.opcode).is_some() {
            break (j, u.opcode, None);
        }
        if depth == 0 {
            if let Some((op, load)) = split_tos_form(&u) {
                break (j, op, Some(load));
            }
        }
        let (needs, pushes) = pure_float_effect(u.opcode)?;
        if depth < needs {
            return None;
        }
        depth = depth - needs + pushes;
    };
    let store_at = next(uops, op_at)?;
    let store = uops[store_at];
    (store.opcode == Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX
        && store.oparg == read.oparg
        && store.operand == read.operand)
        .then_some(ItemUpdate {
            op_at,
            op,
            store_at,
            at_read,
        })
}

/// `_INPLACE_LOAD_ITEM_FLOAT_*_IDX`, the pure float uops computing `x`,
/// the unboxed `op` and `_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX` of the same
/// item become the pure uops and one `_INPLACE_ITEM_FLOAT_<OP>_*_IDX` at
/// the store, leaving through the read's exit (with `x` dropped). An `op`
/// that read `x` in place becomes its load again, at the read.
fn fuse_item_updates(uops: &mut [UopInstruction], entered: &[bool]) {
    for k in 0..uops.len() {
        let known = match uops[k].opcode {
            Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX => 0,
            Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX => 1,
            _ => continue,
        };
        let Some(f) = item_update_at(uops, k) else {
            continue;
        };
        if (k + 1..=f.store_at).any(|j| entered.get(j).copied().unwrap_or(true)) {
            continue;
        }
        let Some(forms) = item_update_forms(f.op) else {
            continue;
        };
        let fused = with(uops[k], forms[known]);
        let nop = |u: &UopInstruction| UopInstruction::new(Uop::NOP).target(u.target);
        uops[k] = f.at_read.unwrap_or_else(|| nop(&uops[k]));
        uops[f.op_at] = nop(&uops[f.op_at]);
        uops[f.store_at] = fused;
    }
}

/// The local a uop proves to hold a list when it continues.
fn proves_list(u: &UopInstruction) -> Option<u32> {
    (matches!(
        u.opcode,
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
            | Uop::STORE_SUBSCR_LIST_INT_LOCALS
            | Uop::LIST_ITEM_FLOAT_LOCAL_IDX
            | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX
            | Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS
    ) || item_update_op(u.opcode).is_some())
    .then_some(u.oparg)
}

/// The locals a uop proves to hold floats when it continues (`None` for
/// no local): its float local operands.
fn proves_floats(u: &UopInstruction) -> [Option<u32>; 2] {
    let local = u32::try_from(u.operand).ok();
    match u.opcode {
        Uop::LOAD_FAST_UNBOXED_FLOAT | Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT => [Some(u.oparg), None],
        Uop::FLOAT_ADD_LOCALS | Uop::FLOAT_SUBTRACT_LOCALS | Uop::FLOAT_MULTIPLY_LOCALS => {
            [Some(u.oparg), local]
        }
        Uop::FLOAT_ADD_TOS_LOCAL
        | Uop::FLOAT_SUBTRACT_TOS_LOCAL
        | Uop::FLOAT_MULTIPLY_TOS_LOCAL => [Some(u.oparg), None],
        _ => [None, None],
    }
}

/// What is known of the frame's locals before a uop: bit sets over locals
/// 0..64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Known {
    /// Locals known to hold lists.
    lists: u64,
    /// Locals known to hold floats.
    floats: u64,
}

impl Known {
    /// Everything (the optimistic start of a loop head's fixpoint).
    const ALL: Known = Known {
        lists: !0,
        floats: !0,
    };

    fn meet(self, o: Known) -> Known {
        Known {
            lists: self.lists & o.lists,
            floats: self.floats & o.floats,
        }
    }

    fn has_list(&self, l: u32) -> bool {
        l < 64 && self.lists & (1 << l) != 0
    }

    fn has_float(&self, l: u32) -> bool {
        l < 64 && self.floats & (1 << l) != 0
    }
}

/// What `u` leaves known of `known` (before it): its own proofs added, a
/// local it stores forgotten (a float stored unboxed is a float). Only uops
/// known not to write a local of the frame keep the rest; any other uop (a
/// helper, a call, a jump away, a uop this pass does not know) forgets
/// everything. An inlined call's push saves what is known of the caller on
/// `frames` and its pop brings it back: nothing but the caller's own code
/// writes the caller's locals, and that does not run in between.
fn transfer(u: &UopInstruction, known: Known, frames: &mut Vec<Known>) -> Known {
    use crate::vm::tier2::int_uops::{arith_parts, guard_parts};
    let bit = |l: u32| if l < 64 { 1u64 << l } else { 0 };
    let forget = |l: u32| Known {
        lists: known.lists & !bit(l),
        floats: known.floats & !bit(l),
    };
    match u.opcode {
        Uop::STORE_FAST | Uop::STORE_FAST_INT => forget(u.oparg),
        Uop::STORE_FAST_UNBOXED_FLOAT | Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN => {
            let k = forget(u.oparg);
            Known {
                floats: k.floats | bit(u.oparg),
                ..k
            }
        }
        op if op.is_frame_push() => {
            frames.push(known);
            Known::default()
        }
        op if op.is_frame_pop() => frames.pop().unwrap_or_default(),
        op if arith_parts(op).is_some_and(|a| a.inplace) => forget(u.oparg),
        op if keeps_locals(op) || guard_parts(op).is_some() || arith_parts(op).is_some() => {
            let floats = proves_floats(u)
                .into_iter()
                .flatten()
                .fold(known.floats, |f, l| f | bit(l));
            Known {
                lists: known.lists | proves_list(u).map_or(0, bit),
                floats,
            }
        }
        _ => Known::default(),
    }
}

/// Uops that write no local of the frame and stay in it (loads, constants,
/// guards, int and float arithmetic, list items, iteration).
pub(crate) fn keeps_locals(u: Uop) -> bool {
    matches!(
        u,
        Uop::NOP
            | Uop::LOAD_FAST
            | Uop::LOAD_FAST_CHECK
            | Uop::LOAD_FAST_INT
            | Uop::LOAD_CONST
            | Uop::LOAD_CONST_IMMORTAL
            | Uop::LOAD_CONST_UNBOXED
            | Uop::LOAD_FAST_UNBOXED_FLOAT
            | Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT
            | Uop::POP_TOP
            | Uop::SET_IP
            | Uop::CHECK_VALIDITY
            | Uop::COPY
            | Uop::SWAP
            | Uop::PUSH_NULL
            | Uop::GUARD_BOTH_INT
            | Uop::GUARD_LOCAL_INT
            | Uop::GUARD_BOTH_FLOAT
            | Uop::GUARD_TOS_FLOAT
            | Uop::GUARD_NOS_FLOAT
            | Uop::GUARD_IS_TRUE_POP
            | Uop::GUARD_IS_FALSE_POP
            | Uop::COMPARE_OP_INT
            | Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
            | Uop::BINARY_OP_POWER_FLOAT
            | Uop::BINARY_OP_FLOAT_MIXED
            | Uop::COMPARE_OP_FLOAT
            | Uop::BINARY_OP_ADD_FLOAT_UNBOXED
            | Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED
            | Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED
            | Uop::BINARY_OP_POWER_FLOAT_UNBOXED
            | Uop::BINARY_OP_FLOAT_INT_UNBOXED
            | Uop::COMPARE_OP_FLOAT_UNBOXED
            | Uop::UNARY_NEGATIVE
            | Uop::UNARY_NEGATIVE_FLOAT
            | Uop::UNARY_NEGATIVE_FLOAT_UNBOXED
            | Uop::BOX_FLOAT_AT
            | Uop::UNBOX_FLOAT_AT
            | Uop::BINARY_SUBSCR_LIST_INT
            | Uop::STORE_SUBSCR_LIST_INT
            | Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            | Uop::STORE_SUBSCR_LIST_INT_LOCALS
            | Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
            | Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST
            | Uop::GUARD_ITER_RANGE
            | Uop::FOR_ITER_RANGE
            | Uop::GUARD_ITER_LIST
            | Uop::FOR_ITER_LIST
            | Uop::CALL_RANGE_ITER
    ) || u.is_float_expr()
        || crate::vm::tier2::optimize::is_small_int_binary_op(u)
}

/// The analysis of this pass for [`local_facts::forward`].
struct ListsFloats;

impl local_facts::Forward for ListsFloats {
    type Facts = Known;
    const NONE: Known = Known {
        lists: 0,
        floats: 0,
    };
    const ALL: Known = Known::ALL;
    fn meet(a: Known, b: Known) -> Known {
        a.meet(b)
    }
    fn transfer(u: &UopInstruction, known: Known, frames: &mut Vec<Known>) -> Known {
        transfer(u, known, frames)
    }
}

/// What is known of the locals before each uop.
fn known_locals(uops: &[UopInstruction], entered: &[bool], start: Known) -> Vec<Known> {
    local_facts::forward::<ListsFloats>(uops, entered, start)
}

/// What is known at each exit of `uops` (by exit index): (lists, floats).
pub fn exits(uops: &[UopInstruction], entered: &[bool]) -> Vec<(u64, u64)> {
    let before = known_locals(uops, entered, Known::default());
    local_facts::at_exits::<ListsFloats>(uops, &before)
        .into_iter()
        .map(|k| (k.lists, k.floats))
        .collect()
}

/// Constant-index float item uops take their index untagged, and skip the
/// list checks where the local is known to hold a list.
fn index_list_items(uops: &mut [UopInstruction], entered: &[bool], start: Known) -> Known {
    let known = known_locals(uops, entered, start);
    let head = local_facts::loop_head(uops)
        .and_then(|h| known.get(h).copied())
        .unwrap_or_default();
    for (k, u) in uops.iter_mut().enumerate() {
        let is_known = known[k].has_list(u.oparg);
        match u.opcode {
            Uop::STORE_FAST_UNBOXED_FLOAT if known[k].has_float(u.oparg) => {
                u.opcode = Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN;
                continue;
            }
            Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT if is_known => {
                u.opcode = Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS;
                continue;
            }
            _ => {}
        }
        let (local, known_form) = match u.opcode {
            Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT => (
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
            ),
            Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST => (
                Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX,
                Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX,
            ),
            Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST => (
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
            ),
            _ => continue,
        };
        if u.operand & 1 != 1 || decode_small_int(u.operand) < 0 {
            continue;
        }
        u.operand = decode_small_int(u.operand) as u64;
        u.opcode = if is_known { known_form } else { local };
    }
    head
}

/// The parts of `lst[c] op= x` in tier 1's shape (`_LOAD_FAST lst;
/// _LOAD_CONST c; _COPY 2; _COPY 2; <read>; <x>; <op>; _SWAP 3; _SWAP 2;
/// <store>`) where `x` also reads one other item of `lst`.
struct UpdateReadingItems {
    /// The list's local and the update's index.
    list: u32,
    index: u64,
    /// The index of the item `x` reads.
    read_index: u64,
    /// The item read's uop (its exit is the group's).
    read_at: usize,
    /// `x`'s reads of `lst[read_index]`.
    x_reads: Vec<usize>,
    /// The other uops that become `_NOP`s.
    dropped: Vec<usize>,
    op: Uop,
    store_at: usize,
}

/// The `lst[c] op= x` group starting at `k` whose `x` is pure unboxed float
/// code and reads of one item of `lst` (by a constant index), see
/// [`fuse_updates_reading_items`].
fn update_reading_items_at(uops: &[UopInstruction], k: usize) -> Option<UpdateReadingItems> {
    let load = uops[k];
    if load.opcode != Uop::LOAD_FAST {
        return None;
    }
    let k2 = next(uops, k)?;
    let c = uops[k2];
    let is_const = matches!(c.opcode, Uop::LOAD_CONST | Uop::LOAD_CONST_IMMORTAL);
    let index = decode_small_int(c.operand);
    if !is_const || c.operand & 1 != 1 || !(0..=i64::from(u32::MAX >> 1)).contains(&index) {
        return None;
    }
    let k3 = next(uops, k2)?;
    let k4 = next(uops, k3)?;
    if [k3, k4]
        .iter()
        .any(|&j| uops[j].opcode != Uop::COPY || uops[j].oparg != 2)
    {
        return None;
    }
    let read_at = next(uops, k4)?;
    if uops[read_at].opcode != Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT {
        return None;
    }
    let mut depth = 0u32;
    let mut j = read_at;
    let mut x_reads = Vec::new();
    let mut read_index = None;
    let (op_at, op) = loop {
        j = next(uops, j)?;
        let u = uops[j];
        if depth == 1 && item_update_forms(u.opcode).is_some() {
            break (j, u.opcode);
        }
        if matches!(
            u.opcode,
            Uop::LIST_ITEM_FLOAT_LOCAL_IDX | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
        ) && u.oparg == load.oparg
            && u.operand <= u64::from(u32::MAX)
            && read_index.is_none_or(|d| d == u.operand)
        {
            read_index = Some(u.operand);
            x_reads.push(j);
            depth += 1;
            continue;
        }
        let (needs, pushes) = pure_float_effect(u.opcode)?;
        if depth < needs {
            return None;
        }
        depth = depth - needs + pushes;
    };
    let s3 = next(uops, op_at)?;
    let s2 = next(uops, s3)?;
    let store_at = next(uops, s2)?;
    let tail = uops[s3].opcode == Uop::SWAP
        && uops[s3].oparg == 3
        && uops[s2].opcode == Uop::SWAP
        && uops[s2].oparg == 2
        && uops[store_at].opcode == Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT;
    (tail && !x_reads.is_empty()).then(|| UpdateReadingItems {
        list: load.oparg,
        index: index as u64,
        read_index: read_index.unwrap_or(index as u64),
        read_at,
        x_reads,
        dropped: vec![k2, k3, k4, read_at, op_at, s3, s2],
        op,
        store_at,
    })
}

/// `lst[c] op= x` where `x` is pure unboxed float code that also reads
/// `lst[d]` (`b[0] += dt * b[3]`): all checks move to the group's start
/// (`_CHECK_FLOAT_ITEMS_IDX`, leaving through the read of `lst[c]`'s exit,
/// where tier 1 redoes the statement: nothing before the store has an
/// effect), `x`'s reads take the item unchecked
/// (`_LIST_ITEM_FLOAT_UNCHECKED_IDX`) and the update is one
/// `_INPLACE_ITEM_FLOAT_<OP>_KNOWN_IDX` at the store (whose own checks
/// then always pass).
fn fuse_updates_reading_items(uops: &mut [UopInstruction], entered: &[bool]) {
    for k in 0..uops.len() {
        let Some(g) = update_reading_items_at(uops, k) else {
            continue;
        };
        if (k + 1..=g.store_at).any(|j| entered.get(j).copied().unwrap_or(true)) {
            continue;
        }
        let Some(forms) = item_update_forms(g.op) else {
            continue;
        };
        let read = uops[g.read_at];
        uops[k] = with(read, Uop::CHECK_FLOAT_ITEMS_IDX)
            .oparg(g.list)
            .operand(g.index | g.read_index << 32);
        for &j in &g.x_reads {
            uops[j] = UopInstruction::new(Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX)
                .oparg(g.list)
                .operand(g.read_index)
                .target(uops[j].target);
        }
        for &j in &g.dropped {
            uops[j] = UopInstruction::new(Uop::NOP).target(uops[j].target);
        }
        uops[g.store_at] = with(read, forms[0]).oparg(g.list).operand(g.index);
    }
}

/// The uop interpreter's semantics of this module's uops (the reference
/// for their templates, `ir-templates/src/float_exprs.rs`). Returns
/// whether the uop leaves through its jump target.
///
/// # Safety
/// `lp` is the frame's `localsplus` and `*sp` its stack pointer, holding
/// what the optimizer proved for `ins` (unboxed floats on top, float
/// locals where it reads them, a list in a `_KNOWN_IDX` uop's local).
pub unsafe fn interpret(ins: &UopInstruction, lp: *mut u64, sp: &mut *mut u64) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let local = |i: u64| *lp.add(i as usize);
        let top = sp.sub(1);
        let arith = |x: f64, y: f64| match ins.opcode {
            Uop::FLOAT_ADD_LOCALS | Uop::FLOAT_ADD_TOS_LOCAL | Uop::FLOAT_ADD_TOS_CONST => x + y,
            Uop::FLOAT_SUBTRACT_LOCALS
            | Uop::FLOAT_SUBTRACT_TOS_LOCAL
            | Uop::FLOAT_SUBTRACT_TOS_CONST => x - y,
            _ => x * y,
        };
        match ins.opcode {
            Uop::FLOAT_ADD_LOCALS | Uop::FLOAT_SUBTRACT_LOCALS | Uop::FLOAT_MULTIPLY_LOCALS => {
                let x = float_val(local(u64::from(ins.oparg)));
                let y = float_val(local(ins.operand));
                **sp = arith(x, y).to_bits();
                *sp = sp.add(1);
            }
            Uop::FLOAT_ADD_TOS_LOCAL
            | Uop::FLOAT_SUBTRACT_TOS_LOCAL
            | Uop::FLOAT_MULTIPLY_TOS_LOCAL => {
                let y = float_val(local(u64::from(ins.oparg)));
                *top = arith(f64::from_bits(*top), y).to_bits();
            }
            Uop::FLOAT_ADD_TOS_CONST
            | Uop::FLOAT_SUBTRACT_TOS_CONST
            | Uop::FLOAT_MULTIPLY_TOS_CONST => {
                *top = arith(f64::from_bits(*top), f64::from_bits(ins.operand)).to_bits();
            }
            Uop::GUARD_FLOAT_UNBOXED => {
                let y = f64::from_bits(*top);
                let x = f64::from_bits(*sp.sub(2));
                *sp = sp.sub(2);
                return outcome(x, y) & ins.oparg == 0;
            }
            Uop::GUARD_FLOAT_CONST_UNBOXED => {
                let x = f64::from_bits(*top);
                *sp = sp.sub(1);
                return outcome(x, f64::from_bits(ins.operand)) & ins.oparg == 0;
            }
            Uop::LIST_ITEM_FLOAT_LOCAL_IDX
            | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX => {
                let c = local(u64::from(ins.oparg));
                let item = (kind_of(c) == kind::LIST)
                    .then(|| &*(c as *const ListObj))
                    .filter(|l| ins.operand < l.len as u64)
                    .map(|l| *l.items.add(ins.operand as usize))
                    .filter(|&v| v & 1 == 0 && kind_of(v) == kind::FLOAT);
                match item {
                    Some(v) => {
                        **sp = float_val(v).to_bits();
                        *sp = sp.add(1);
                    }
                    None => {
                        let times = if matches!(
                            ins.opcode,
                            Uop::LIST_ITEM_FLOAT_LOCAL_IDX | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
                        ) {
                            1
                        } else {
                            2
                        };
                        let index = encode_small_int(ins.operand as i64).unwrap_or(1);
                        for _ in 0..times {
                            incref(c);
                            **sp = c;
                            *sp.add(1) = index;
                            *sp = sp.add(2);
                        }
                        return true;
                    }
                }
            }
            Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX => {
                let f = f64::from_bits(*top);
                *sp = top;
                // The read before it checked the list, the index and the
                // item, and nothing between can change them.
                let l = &*(local(u64::from(ins.oparg)) as *const ListObj);
                let slot = l.items.add(ins.operand as usize);
                let old = *slot;
                if kind_of(old) == kind::FLOAT && (*(old as *const ObjHeader)).refcnt == 1 {
                    (*(old as *mut FloatObj)).value = f;
                } else {
                    *slot = new_float(f);
                    decref(old);
                }
            }
            // ----- s8-float -----
            Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN => {
                let f = f64::from_bits(*top);
                *sp = top;
                store_into_float(lp.add(ins.oparg as usize), f);
            }
            op if item_update_op(op).is_some() => {
                let x = f64::from_bits(*top);
                *sp = top;
                let c = local(u64::from(ins.oparg));
                let slot = (kind_of(c) == kind::LIST)
                    .then(|| &*(c as *const ListObj))
                    .filter(|l| ins.operand < l.len as u64)
                    .map(|l| l.items.add(ins.operand as usize))
                    .filter(|&p| *p & 1 == 0 && kind_of(*p) == kind::FLOAT);
                let Some(slot) = slot else {
                    let index = encode_small_int(ins.operand as i64).unwrap_or(1);
                    for _ in 0..2 {
                        incref(c);
                        **sp = c;
                        *sp.add(1) = index;
                        *sp = sp.add(2);
                    }
                    return true;
                };
                let v = float_val(*slot);
                let r = match item_update_op(op) {
                    Some(Uop::BINARY_OP_ADD_FLOAT_UNBOXED) => v + x,
                    Some(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED) => v - x,
                    _ => v * x,
                };
                store_into_float(slot, r);
            }
            Uop::FLOAT_INT_MULTIPLY_UNBOXED | Uop::INT_FLOAT_MULTIPLY_UNBOXED => {
                let (x, n) = if ins.opcode == Uop::FLOAT_INT_MULTIPLY_UNBOXED {
                    (*sp.sub(2), *top)
                } else {
                    (*top, *sp.sub(2))
                };
                let y = decode_small_int(n) as f64;
                *sp.sub(2) = (f64::from_bits(x) * y).to_bits();
                *sp = top;
            }
            Uop::FLOAT_INT_TRUE_DIVIDE_UNBOXED => {
                let n = *top;
                if n == encode_small_int(0).unwrap_or(1) {
                    return true;
                }
                let x = f64::from_bits(*sp.sub(2));
                *sp.sub(2) = (x / decode_small_int(n) as f64).to_bits();
                *sp = top;
            }
            Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS => {
                let c = local(u64::from(ins.oparg));
                let index = local(ins.operand);
                let l = &*(c as *const ListObj);
                let len = l.len as i64;
                let item = (index & 1 == 1)
                    .then(|| decode_small_int(index))
                    .map(|i| if i < 0 { i + len } else { i })
                    .filter(|&i| (0..len).contains(&i))
                    .map(|i| *l.items.add(i as usize))
                    .filter(|&v| v & 1 == 0 && kind_of(v) == kind::FLOAT);
                match item {
                    Some(v) => {
                        **sp = float_val(v).to_bits();
                        *sp = sp.add(1);
                    }
                    None => {
                        incref(c);
                        incref(index);
                        **sp = c;
                        *sp.add(1) = index;
                        *sp = sp.add(2);
                        return true;
                    }
                }
            }
            Uop::CHECK_FLOAT_ITEMS_IDX => {
                let c = local(u64::from(ins.oparg));
                let (i, j) = (ins.operand & 0xffff_ffff, ins.operand >> 32);
                let is_float = |l: &ListObj, i: u64| {
                    i < l.len as u64 && {
                        let v = *l.items.add(i as usize);
                        v & 1 == 0 && kind_of(v) == kind::FLOAT
                    }
                };
                let ok = kind_of(c) == kind::LIST && {
                    let l = &*(c as *const ListObj);
                    is_float(l, i) && is_float(l, j)
                };
                if !ok {
                    let index = encode_small_int(i as i64).unwrap_or(1);
                    for _ in 0..2 {
                        incref(c);
                        **sp = c;
                        *sp.add(1) = index;
                        *sp = sp.add(2);
                    }
                    return true;
                }
            }
            Uop::FLOAT_ADD_NOS_STORE_LOCAL | Uop::FLOAT_SUBTRACT_NOS_STORE_LOCAL => {
                let x = f64::from_bits(*top);
                let b = *sp.sub(2);
                *sp = sp.sub(2);
                let r = if ins.opcode == Uop::FLOAT_ADD_NOS_STORE_LOCAL {
                    float_val(b) + x
                } else {
                    float_val(b) - x
                };
                let slot = lp.add(ins.oparg as usize);
                let old = *slot;
                let header = b as *mut ObjHeader;
                if old == b && (*header).refcnt == 2 {
                    (*(b as *mut FloatObj)).value = r;
                    (*header).refcnt = 1;
                } else {
                    decref(b);
                    if old != 0
                        && kind_of(old) == kind::FLOAT
                        && (*(old as *const ObjHeader)).refcnt == 1
                    {
                        (*(old as *mut FloatObj)).value = r;
                    } else {
                        *slot = new_float(r);
                        if old != 0 {
                            decref(old);
                        }
                    }
                }
            }
            Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX => {
                let l = &*(local(u64::from(ins.oparg)) as *const ListObj);
                **sp = float_val(*l.items.add(ins.operand as usize)).to_bits();
                *sp = sp.add(1);
            }
            Uop::FLOAT_SQRT_UNBOXED => {
                let x = f64::from_bits(*top);
                let r = sqrt_if_exact(x).map(f64::to_bits).unwrap_or_else(|| {
                    crate::vm::tier2::fast_helpers::cpjit_float_pow(x.to_bits(), ins.operand)
                });
                if f64::from_bits(r).is_nan() {
                    **sp = ins.operand;
                    *sp = sp.add(1);
                    return true;
                }
                *top = r;
            }
            _ => {}
        }
    }
    false
}

/// Stores `f` into the float box in `*slot`: in place when nothing else
/// references it, else as a new box, releasing the old one.
///
/// # Safety
/// `*slot` holds a float box.
unsafe fn store_into_float(slot: *mut u64, f: f64) {
    // SAFETY: the caller's contract.
    unsafe {
        let old = *slot;
        if (*(old as *const ObjHeader)).refcnt == 1 {
            (*(old as *mut FloatObj)).value = f;
        } else {
            *slot = new_float(f);
            decref(old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// A deterministic stream of 64-bit words (xorshift).
    fn words(mut seed: u64) -> impl Iterator<Item = u64> {
        std::iter::from_fn(move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Some(seed)
        })
    }

    /// `pow(x, 0.5)` from libm (an exponent the compiler cannot see, so it
    /// does not turn the call into a square root itself).
    fn pow_half(x: f64) -> f64 {
        x.powf(std::hint::black_box(0.5))
    }

    /// Wherever the square root is taken, it is the double `pow` returns;
    /// and most positive doubles take it.
    #[test]
    fn sqrt_if_exact_agrees_with_pow() {
        let mut fast = 0;
        let n = 400_000;
        for w in words(0x9e37_79b9_7f4a_7c15).take(n) {
            let x = f64::from_bits(w >> 1);
            if let Some(s) = sqrt_if_exact(x) {
                assert_eq!(s.to_bits(), pow_half(x).to_bits(), "x = {x:e}");
                fast += 1;
            }
        }
        assert!(fast > n / 2, "{fast} of {n}");
    }

    /// Roots next to a rounding midpoint, where `pow` and `sqrt` may round
    /// apart, are left to `pow`; so are the values where they differ in
    /// sign or kind (negative, -0.0, infinities, NaN, subnormals).
    #[test]
    fn sqrt_if_exact_declines_near_midpoints_and_special_values() {
        let mut differing = 0;
        for w in words(12345).take(400_000) {
            let x = f64::from_bits(w >> 1);
            if x.sqrt().to_bits() != pow_half(x).to_bits() {
                differing += 1;
                assert_eq!(sqrt_if_exact(x), None, "x = {x:e}");
            }
        }
        // glibc's pow and sqrt do round apart now and then.
        assert!(differing > 0);
        for x in [
            -0.0,
            0.0,
            -1.0,
            -4.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE / 2.0,
            4.0,
        ] {
            assert_eq!(sqrt_if_exact(x), None, "x = {x:e}");
        }
        // An exact root is as far from both midpoints as it gets.
        assert_eq!(sqrt_if_exact(9.0), Some(3.0));
    }

    #[test]
    fn loads_and_constants_fuse_into_float_operations() {
        let mut uops = vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(3),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(4),
            ins(Uop::NOP),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(5),
            ins(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED),
            ins(Uop::LOAD_CONST_UNBOXED).operand(2f64.to_bits()),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::LOAD_CONST_UNBOXED).operand(4f64.to_bits()),
            ins(Uop::COMPARE_OP_FLOAT_UNBOXED).oparg(1),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(12).target(7),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let entered = vec![false; uops.len() + 1];
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops[..11]),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::FLOAT_MULTIPLY_LOCALS,
                Uop::NOP,
                Uop::FLOAT_SUBTRACT_TOS_LOCAL,
                Uop::NOP,
                Uop::FLOAT_ADD_TOS_CONST,
                Uop::NOP,
                Uop::NOP,
                Uop::GUARD_FLOAT_CONST_UNBOXED,
            ]
        );
        assert_eq!((uops[3].oparg, uops[3].operand), (3, 4));
        assert_eq!(uops[5].oparg, 5);
        assert_eq!(uops[7].operand, 2f64.to_bits());
        // `<=`: continue on `<` or `==`, through the guard's exit.
        assert_eq!(
            (uops[10].oparg, uops[10].operand, uops[10].jump_target),
            (3, 4f64.to_bits(), 12)
        );
    }

    /// A false branch continues on the complement, NaN included.
    #[test]
    fn a_false_branch_guard_takes_the_complement() {
        let mut uops = vec![
            ins(Uop::COMPARE_OP_FLOAT_UNBOXED).oparg(0),
            ins(Uop::GUARD_IS_FALSE_POP).jump_target(3),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        fuse_floats(&mut uops, &[false; 5]);
        assert_eq!(uops[1].opcode, Uop::GUARD_FLOAT_UNBOXED);
        // not `<`: `==`, `>` or unordered.
        assert_eq!(uops[1].oparg, 0xe);
    }

    /// A group something jumps into is left alone.
    #[test]
    fn entered_groups_are_not_fused() {
        let mut uops = vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(3),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::JUMP_TO_LOOP).jump_target(1),
        ];
        let mut entered = vec![false; 4];
        entered[1] = true;
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::JUMP_TO_LOOP
            ]
        );
    }

    /// The second read of a list local skips the list checks; a store to
    /// the local, or a helper, forgets it; a negative index stays tagged.
    #[test]
    fn list_reads_after_a_proof_skip_the_list_checks() {
        let c = |i: i64| encode_small_int(i).unwrap_or(1);
        let item = Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT;
        let mut uops = vec![
            ins(item).oparg(2).operand(c(0)),
            ins(item).oparg(2).operand(c(1)),
            ins(Uop::STORE_FAST).oparg(2),
            ins(item).oparg(2).operand(c(2)),
            ins(Uop::CALL_HELPER),
            ins(item).oparg(2).operand(c(3)),
            ins(item).oparg(2).operand(c(-1)),
            ins(Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST)
                .oparg(2)
                .operand(c(4)),
            ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST)
                .oparg(2)
                .operand(c(4)),
            ins(Uop::JUMP_TO_TOP),
        ];
        fuse_floats(&mut uops, &[false; 11]);
        assert_eq!(
            opcodes(&uops[..9]),
            vec![
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
                Uop::STORE_FAST,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::CALL_HELPER,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                item,
                Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX,
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
            ]
        );
        assert_eq!(uops[1].operand, 1);
        assert_eq!(uops[6].operand, c(-1));
        assert_eq!(uops[8].operand, 4);
    }

    /// At a peeled loop's head, a list proven before the loop stays known
    /// only if the loop body never stores the local.
    #[test]
    fn loop_heads_keep_only_what_every_back_edge_keeps() {
        let c = |i: i64| encode_small_int(i).unwrap_or(1);
        let item = Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT;
        let mut uops = vec![
            ins(item).oparg(1).operand(c(0)),
            ins(item).oparg(2).operand(c(0)),
            // loop head (2)
            ins(item).oparg(1).operand(c(0)),
            ins(item).oparg(2).operand(c(0)),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::JUMP_TO_LOOP).jump_target(2),
        ];
        let mut entered = vec![false; 7];
        entered[2] = true;
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops[..4]),
            vec![
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
            ]
        );
    }

    // ----- s8-float -----

    /// A list and a float proven in the caller stay known across an
    /// inlined call (its push and pop), but not inside the callee, whose
    /// locals are other slots; a store after the pop forgets the list.
    #[test]
    fn caller_facts_survive_an_inlined_call_but_do_not_enter_it() {
        let item = Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT;
        let mut uops = vec![
            ins(item).oparg(0).operand(5),
            ins(Uop::STORE_FAST_UNBOXED_FLOAT).oparg(4),
            ins(Uop::PUSH_FRAME_KNOWN),
            // In the callee: local 0 is not the caller's list, 4 not its float.
            ins(item).oparg(0).operand(1),
            ins(Uop::STORE_FAST_UNBOXED_FLOAT).oparg(4),
            ins(Uop::POP_FRAME),
            ins(item).oparg(0).operand(5),
            ins(Uop::STORE_FAST_UNBOXED_FLOAT).oparg(4),
            ins(Uop::STORE_FAST).oparg(0),
            ins(item).oparg(0).operand(5),
            ins(Uop::JUMP_TO_TOP),
        ];
        fuse_floats(&mut uops, &[false; 12]);
        assert_eq!(
            opcodes(&uops[..10]),
            vec![
                item,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::PUSH_FRAME_KNOWN,
                item,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::POP_FRAME,
                Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS,
                Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN,
                Uop::STORE_FAST,
                item,
            ]
        );
    }

    /// A helper or an uop jumped to forgets the floats, as the lists.
    #[test]
    fn float_locals_are_forgotten_after_a_helper_or_a_jump_in() {
        let store = |l: u32| ins(Uop::STORE_FAST_UNBOXED_FLOAT).oparg(l);
        let mut uops = vec![
            store(3),
            // (its error path jumps to uop 4)
            ins(Uop::CALL_HELPER).jump_target(4),
            store(3),
            store(3),
            store(3),
            ins(Uop::JUMP_TO_TOP),
        ];
        let mut entered = vec![false; 7];
        entered[4] = true;
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops[..5]),
            vec![
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::CALL_HELPER,
                Uop::STORE_FAST_UNBOXED_FLOAT,
                Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN,
                Uop::STORE_FAST_UNBOXED_FLOAT,
            ]
        );
    }

    /// `b[3] -= dx * cm` (the read, a pure expression, the op, the store)
    /// is one uop at the store keeping the read's exit; `c[4] *= k` (the op
    /// reading `k` in place) becomes `k`'s load and one uop.
    #[test]
    fn item_updates_by_pure_expressions_are_one_uop() {
        let mut uops = vec![
            ins(Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX)
                .oparg(6)
                .operand(3)
                .jump_target(40),
            ins(Uop::FLOAT_MULTIPLY_LOCALS).oparg(9).operand(15),
            ins(Uop::NOP),
            ins(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED),
            ins(Uop::NOP),
            ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX)
                .oparg(6)
                .operand(3),
            ins(Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX)
                .oparg(8)
                .operand(4)
                .jump_target(41),
            ins(Uop::FLOAT_MULTIPLY_TOS_LOCAL).oparg(11),
            ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX)
                .oparg(8)
                .operand(4),
            ins(Uop::JUMP_TO_TOP),
        ];
        fuse_item_updates(&mut uops, &[false; 11]);
        assert_eq!(
            opcodes(&uops[..9]),
            vec![
                Uop::NOP,
                Uop::FLOAT_MULTIPLY_LOCALS,
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::NOP,
                Uop::INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX,
            ]
        );
        assert_eq!(
            (uops[5].oparg, uops[5].operand, uops[5].jump_target),
            (6, 3, 40)
        );
        assert_eq!(uops[6].oparg, 11);
        assert_eq!(
            (uops[8].oparg, uops[8].operand, uops[8].jump_target),
            (8, 4, 41)
        );
    }

    /// Not fused: an expression that can leave (a division), another
    /// item's store, a group something jumps into.
    #[test]
    fn item_updates_that_could_leave_midway_are_left_alone() {
        let group = |mid: UopInstruction, store_local: u32| {
            vec![
                ins(Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX)
                    .oparg(6)
                    .operand(3),
                ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9),
                mid,
                ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
                ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX)
                    .oparg(store_local)
                    .operand(3),
            ]
        };
        let load = ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(10);
        let div = vec![
            ins(Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX)
                .oparg(6)
                .operand(3),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(10),
            ins(Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED).jump_target(30),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX)
                .oparg(6)
                .operand(3),
        ];
        for (mut uops, entered_at) in [
            (div, None),
            (group(ins(Uop::FLOAT_MULTIPLY_TOS_LOCAL).oparg(10), 7), None),
            (group(load, 6), Some(3)),
        ] {
            let before = opcodes(&uops);
            let mut entered = vec![false; uops.len() + 1];
            if let Some(e) = entered_at {
                entered[e] = true;
            }
            fuse_item_updates(&mut uops, &entered);
            assert_eq!(opcodes(&uops), before);
        }
        // The same group with nothing in the way is fused.
        let mut uops = group(ins(Uop::FLOAT_MULTIPLY_TOS_LOCAL).oparg(10), 6);
        fuse_item_updates(&mut uops, &[false; 6]);
        assert_eq!(uops[4].opcode, Uop::INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX);
    }

    /// `float / int` (operation 3, the int on the right) and `*` with the
    /// int on either side (operation 2, bit 8: the int on the left) get
    /// their own uops; the other mixed operations keep the generic one.
    #[test]
    fn float_divided_by_int_has_its_own_uop() {
        let mixed = |oparg: u32| {
            ins(Uop::BINARY_OP_FLOAT_INT_UNBOXED)
                .oparg(oparg)
                .jump_target(9)
        };
        let mut uops = vec![mixed(3), mixed(3 | 8), mixed(2), mixed(2 | 8), mixed(1 | 8)];
        fuse_floats(&mut uops, &[false; 6]);
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::FLOAT_INT_TRUE_DIVIDE_UNBOXED,
                Uop::BINARY_OP_FLOAT_INT_UNBOXED,
                Uop::FLOAT_INT_MULTIPLY_UNBOXED,
                Uop::INT_FLOAT_MULTIPLY_UNBOXED,
                Uop::BINARY_OP_FLOAT_INT_UNBOXED,
            ]
        );
        assert_eq!(uops[0].jump_target, 9);
        assert_eq!((uops[2].oparg, uops[3].oparg, uops[4].oparg), (0, 0, 1 | 8));
    }

    /// `b[0] += dt * b[3]` in tier 1's shape: the checks of both items
    /// first (through the read's exit), `b[3]` unchecked, one update at the
    /// store; a read of a third item, or of another list, is left alone.
    #[test]
    fn updates_reading_another_item_check_both_first() {
        let c = |i: i64| encode_small_int(i).unwrap_or(1);
        let group = |second_read: UopInstruction| {
            vec![
                ins(Uop::LOAD_FAST).oparg(6),
                ins(Uop::LOAD_CONST_IMMORTAL).operand(c(0)),
                ins(Uop::COPY).oparg(2),
                ins(Uop::COPY).oparg(2),
                ins(Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(40),
                ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(1),
                ins(Uop::LIST_ITEM_FLOAT_KNOWN_IDX)
                    .oparg(6)
                    .operand(3)
                    .jump_target(41),
                ins(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED),
                second_read,
                ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
                ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
                ins(Uop::SWAP).oparg(3),
                ins(Uop::SWAP).oparg(2),
                ins(Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(42),
            ]
        };
        let same = ins(Uop::LIST_ITEM_FLOAT_LOCAL_IDX)
            .oparg(6)
            .operand(3)
            .jump_target(43);
        let mut uops = group(same);
        fuse_updates_reading_items(&mut uops, &[false; 15]);
        let n = Uop::NOP;
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::CHECK_FLOAT_ITEMS_IDX,
                n,
                n,
                n,
                n,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                n,
                n,
                n,
                Uop::INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX,
            ]
        );
        assert_eq!(
            (uops[0].oparg, uops[0].operand, uops[0].jump_target),
            (6, 3 << 32, 40)
        );
        assert_eq!((uops[13].oparg, uops[13].operand), (6, 0));
        for other in [
            ins(Uop::LIST_ITEM_FLOAT_KNOWN_IDX).oparg(6).operand(4),
            ins(Uop::LIST_ITEM_FLOAT_KNOWN_IDX).oparg(7).operand(3),
        ] {
            let mut uops = group(other);
            let before = opcodes(&uops);
            fuse_updates_reading_items(&mut uops, &[false; 15]);
            assert_eq!(opcodes(&uops), before);
        }
    }

    /// `s += x` and `s -= x` with `s` loaded boxed earlier: the unbox, the
    /// operation and the store are one uop; `*` is left alone.
    #[test]
    fn boxed_accumulators_are_one_uop() {
        let group = |op: Uop| {
            vec![
                ins(Uop::UNBOX_FLOAT_AT).oparg(2),
                ins(Uop::NOP),
                ins(op),
                ins(Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN).oparg(4),
            ]
        };
        let mut uops = group(Uop::BINARY_OP_ADD_FLOAT_UNBOXED);
        uops.extend(group(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED));
        uops.extend(group(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED));
        fuse_nos_stores(&mut uops, &[false; 13]);
        let n = Uop::NOP;
        assert_eq!(
            opcodes(&uops[..8]),
            vec![
                n,
                n,
                n,
                Uop::FLOAT_ADD_NOS_STORE_LOCAL,
                n,
                n,
                n,
                Uop::FLOAT_SUBTRACT_NOS_STORE_LOCAL,
            ]
        );
        assert_eq!(uops[3].oparg, 4);
        assert_eq!(
            opcodes(&uops[8..]),
            opcodes(&group(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED))
        );
    }

    /// `s += f(x)` with both operands boxed: the top is unboxed alone
    /// first and the rest is one uop; not when a jump lands between the
    /// two unboxes.
    #[test]
    fn boxed_accumulators_plus_a_boxed_top_are_one_uop_after_the_tops_unbox() {
        let group = vec![
            ins(Uop::UNBOX_FLOAT_AT).oparg(2),
            ins(Uop::UNBOX_FLOAT_AT).oparg(1),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::STORE_FAST_UNBOXED_FLOAT).oparg(4),
        ];
        let mut uops = group.clone();
        fuse_nos_stores(&mut uops, &[false; 5]);
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::UNBOX_FLOAT_AT,
                Uop::NOP,
                Uop::NOP,
                Uop::FLOAT_ADD_NOS_STORE_LOCAL
            ]
        );
        assert_eq!((uops[0].oparg, uops[3].oparg), (1, 4));
        let mut uops = group.clone();
        fuse_nos_stores(&mut uops, &[false, true, false, false, false]);
        assert_eq!(opcodes(&uops), opcodes(&group));
    }
}
