//! Templates of the unboxing pass's list-item and mixed-arithmetic uops
//! (see `src/vm/tier2/unbox.rs`): a float list item read straight into an
//! unboxed `f64` word (no reference taken, no box released), alone or
//! fused with the loads of its list and index, and `+ - * / **` of an
//! unboxed float and a small int. Each failure leaves through
//! `_JIT_JUMP_TARGET` with the stack the replaced uops would have had.

use cpjit_abi::layout::kind;
use cpjit_abi::uop::Uop;
use inkwell::IntPredicate;

use crate::builder::{Exit, StencilBuilder};
use crate::uops::{
    bits, float_op_by_oparg, float_value, guard_kind_or, list_item_slot_or, unboxed,
};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// Builds `uop`, one of this module's.
pub(crate) fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    match uop {
        Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT => subscr_unboxed(s),
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT => subscr_local_unboxed(s, true),
        Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT => subscr_local_unboxed(s, false),
        Uop::BINARY_OP_FLOAT_INT_UNBOXED => float_int_unboxed(s),
        _ => Err(TemplateError::Signature),
    }
}

/// `[list, int]` → the item's `f64` bits; exits, stack unchanged, unless
/// the list, the index and the item are what it takes.
fn subscr_unboxed(s: &mut B) -> R {
    let index = s.peek(1)?;
    let list = s.peek(2)?;
    let (_, slot) = list_item_slot_or(s, list, index, None)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_kind_or(s, item, kind::FLOAT, None)?;
    let f = float_value(s, item)?;
    s.drop_values(2)?;
    s.push(bits(s, f)?)?;
    s.decref_obj(list)?;
    s.continue_at(Exit::Continue)
}

/// The list in `localsplus[oparg]`, the index the constant `operand`
/// (`const_index`) or `localsplus[operand]`: pushes the float item's bits.
/// A failed guard pushes the list and the index (new references), as the
/// loads would have, and leaves for the subscript's exit.
fn subscr_local_unboxed(s: &mut B, const_index: bool) -> R {
    let list_slot = s.local_slot(s.oparg()?)?;
    let list = s
        .llvm()
        .build_load(s.i64(), list_slot, "list")?
        .into_int_value();
    let index = if const_index {
        s.operand()?
    } else {
        let slot = s.local_slot(s.operand()?)?;
        s.llvm()
            .build_load(s.i64(), slot, "index")?
            .into_int_value()
    };
    let fail = s.new_block("push_and_exit");
    let here = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    let sp = s.sp;
    s.llvm().position_at_end(fail);
    s.incref(list)?;
    s.push(list)?;
    if !const_index {
        s.incref(index)?;
    }
    s.push(index)?;
    s.continue_at(Exit::JumpTarget)?;
    s.sp = sp;
    s.llvm().position_at_end(here);
    let (_, slot) = list_item_slot_or(s, list, index, Some(fail))?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_kind_or(s, item, kind::FLOAT, Some(fail))?;
    let f = float_value(s, item)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}

/// `x <op> y` with one operand an unboxed float and the other a small int
/// (`oparg & 8`: the int is the left one), `op = oparg & 7`.
fn float_int_unboxed(s: &mut B) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let oparg = s.oparg()?;
    let b = s.llvm();
    let flag = b.build_and(oparg, s.const_i64(8), "int_left_bit")?;
    let int_left = b.build_int_compare(IntPredicate::NE, flag, s.const_i64(0), "int_left")?;
    let op = b.build_and(oparg, s.const_i64(7), "op")?;
    let f64t = s.ctx().f64_type();
    let li = b.build_signed_int_to_float(s.decode_int(left)?, f64t, "left_int")?;
    let ri = b.build_signed_int_to_float(s.decode_int(right)?, f64t, "right_int")?;
    let lf = unboxed(s, left)?;
    let rf = unboxed(s, right)?;
    let b = s.llvm();
    let x = b.build_select(int_left, li, lf, "x")?.into_float_value();
    let y = b.build_select(int_left, rf, ri, "y")?.into_float_value();
    let r = float_op_by_oparg(s, op, x, y)?;
    s.drop_values(2)?;
    s.push(r)?;
    s.continue_at(Exit::Continue)
}
