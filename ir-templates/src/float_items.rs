//! Templates of the unboxing pass's list-item and mixed-arithmetic uops
//! (see `src/vm/tier2/unbox.rs`): a float list item read straight into an
//! unboxed `f64` word (no reference taken, no box released), alone or
//! fused with the loads of its list and index, and `+ - * / **` of an
//! unboxed float and a small int, and the read and the store of `lst[c]
//! op= x` with the list in a local. Each failure leaves through
//! `_JIT_JUMP_TARGET` with the stack the replaced uops would have had.

use cpjit_abi::layout::{kind, ListObj};
use cpjit_abi::uop::Uop;
use inkwell::IntPredicate;

use crate::builder::{Exit, StencilBuilder};
use crate::uops::{
    bits, float_op_by_oparg, float_value, guard_kind_or, list_item_slot_or, local_list_subscript,
    store_unboxed_float_item, unboxed,
};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// Builds `uop`, one of this module's.
pub(crate) fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    match uop {
        Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT => subscr_unboxed(s),
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT => {
            subscr_local_unboxed(s, Loads::ListConst)
        }
        Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT => subscr_local_unboxed(s, Loads::Locals),
        Uop::BINARY_OP_FLOAT_INT_UNBOXED => float_int_unboxed(s),
        Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST => subscr_local_unboxed(s, Loads::ListConstTwice),
        Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST => inplace_store_item(s),
        Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT => load_fast_guard_unboxed(s),
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

/// The loads a fused item read stands for: what its failure path pushes.
#[derive(Clone, Copy, PartialEq)]
enum Loads {
    /// `_LOAD_FAST list; _LOAD_CONST index`.
    ListConst,
    /// `_LOAD_FAST list; _LOAD_FAST index`.
    Locals,
    /// `_LOAD_FAST list; _LOAD_CONST index; _COPY 2; _COPY 2` (the read
    /// of `list[index] op= x`).
    ListConstTwice,
}

/// The list in `localsplus[oparg]`, the index the constant `operand` or
/// `localsplus[operand]`: pushes the float item's bits. A failed guard
/// pushes what the loads would have (new references) and leaves for the
/// subscript's exit.
fn subscr_local_unboxed(s: &mut B, loads: Loads) -> R {
    let pushes = if loads == Loads::ListConstTwice { 2 } else { 1 };
    let (list, index, fail) = local_list_subscript(s, loads != Loads::Locals, pushes)?;
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

/// `localsplus[oparg][operand] = v` for the unboxed `v` on top, the list
/// and the float item checked by the `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST`
/// before it (nothing between can change them): into the item's box when
/// the list holds the only reference, else a new box.
fn inplace_store_item(s: &mut B) -> R {
    let value = s.pop()?;
    let list = s.load_oparg_local("list")?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let len = crate::uops::list_len_i64(s, obj)?;
    let i = s.decode_int(s.operand()?)?;
    let b = s.llvm();
    let neg = b.build_int_compare(IntPredicate::SLT, i, s.const_i64(0), "neg")?;
    let wrapped = b.build_int_add(i, len, "wrapped")?;
    let i = b.build_select(neg, wrapped, i, "i")?.into_int_value();
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, i)?;
    store_unboxed_float_item(s, slot, value)
}

/// `localsplus[oparg]` pushed as `f64` bits when it is a float; anything
/// else is pushed as it is (a new reference), leaving for the guard's exit.
fn load_fast_guard_unboxed(s: &mut B) -> R {
    let value = s.load_oparg_local("value")?;
    let fail = s.push_and_exit_block(|s| {
        s.incref(value)?;
        s.push(value)
    })?;
    guard_kind_or(s, value, kind::FLOAT, Some(fail))?;
    let f = float_value(s, value)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}
