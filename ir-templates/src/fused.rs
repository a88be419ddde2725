//! Templates of the uops the optimizer makes by fusing and by type (see
//! `src/vm/tier2/fuse.rs`): loads and stores of locals known to hold small
//! ints, compare-and-branch guards, local int updates and list stores by
//! locals. Each failure path rebuilds the stack the uops it replaces would
//! have left at their exit, then leaves through `_JIT_JUMP_TARGET`.

use cpjit_abi::uop::Uop;
use inkwell::basic_block::BasicBlock;
use inkwell::values::IntValue;
use inkwell::IntPredicate;

use crate::builder::{Exit, StencilBuilder};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// Where the operands of a fused int uop come from.
#[derive(Clone, Copy)]
enum Operands {
    /// The top two stack values (popped).
    Stack,
    /// `localsplus[oparg]` and `localsplus[operand]`.
    Locals,
    /// `localsplus[oparg]` and the tagged constant `operand`.
    LocalConst,
}

/// Builds `uop`, one of this module's.
pub(crate) fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    use IntPredicate::{EQ, NE, SGE, SGT, SLE, SLT};
    use Operands::{LocalConst, Locals, Stack};
    match uop {
        Uop::LOAD_FAST_INT => load_fast_int(s),
        Uop::STORE_FAST_INT => store_fast_int(s),
        Uop::LOAD_CONST_IMMORTAL => load_const_immortal(s),
        Uop::GUARD_INT_LT => guard_int(s, SLT, Stack),
        Uop::GUARD_INT_LE => guard_int(s, SLE, Stack),
        Uop::GUARD_INT_EQ => guard_int(s, EQ, Stack),
        Uop::GUARD_INT_NE => guard_int(s, NE, Stack),
        Uop::GUARD_INT_GT => guard_int(s, SGT, Stack),
        Uop::GUARD_INT_GE => guard_int(s, SGE, Stack),
        Uop::GUARD_INT_LT_LOCALS => guard_int(s, SLT, Locals),
        Uop::GUARD_INT_LE_LOCALS => guard_int(s, SLE, Locals),
        Uop::GUARD_INT_EQ_LOCALS => guard_int(s, EQ, Locals),
        Uop::GUARD_INT_NE_LOCALS => guard_int(s, NE, Locals),
        Uop::GUARD_INT_GT_LOCALS => guard_int(s, SGT, Locals),
        Uop::GUARD_INT_GE_LOCALS => guard_int(s, SGE, Locals),
        Uop::GUARD_INT_LT_LOCAL_CONST => guard_int(s, SLT, LocalConst),
        Uop::GUARD_INT_LE_LOCAL_CONST => guard_int(s, SLE, LocalConst),
        Uop::GUARD_INT_EQ_LOCAL_CONST => guard_int(s, EQ, LocalConst),
        Uop::GUARD_INT_NE_LOCAL_CONST => guard_int(s, NE, LocalConst),
        Uop::GUARD_INT_GT_LOCAL_CONST => guard_int(s, SGT, LocalConst),
        Uop::GUARD_INT_GE_LOCAL_CONST => guard_int(s, SGE, LocalConst),
        Uop::BINARY_OP_ADD_INT_LOCAL_CONST => int_local(s, "sadd", LocalConst, false),
        Uop::BINARY_OP_SUBTRACT_INT_LOCAL_CONST => int_local(s, "ssub", LocalConst, false),
        Uop::BINARY_OP_ADD_INT_LOCALS => int_local(s, "sadd", Locals, false),
        Uop::BINARY_OP_SUBTRACT_INT_LOCALS => int_local(s, "ssub", Locals, false),
        Uop::INPLACE_ADD_INT_LOCAL_CONST => int_local(s, "sadd", LocalConst, true),
        Uop::INPLACE_SUBTRACT_INT_LOCAL_CONST => int_local(s, "ssub", LocalConst, true),
        Uop::INPLACE_ADD_INT_LOCALS => int_local(s, "sadd", Locals, true),
        Uop::INPLACE_SUBTRACT_INT_LOCALS => int_local(s, "ssub", Locals, true),
        Uop::STORE_SUBSCR_LIST_INT_LOCALS => store_subscr_list_locals(s, false),
        Uop::STORE_SUBSCR_LIST_INT_KNOWN => store_subscr_list_locals(s, true),
        Uop::BINARY_SUBSCR_LIST_INT_KNOWN => binary_subscr_list_known(s, false),
        Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST => binary_subscr_list_known(s, true),
        Uop::SWAP_LIST_ITEMS_KNOWN => swap_list_items_locals(s, true),
        Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL => mul_add_local(s, true),
        Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => mul_add_local(s, false),
        Uop::GUARD_AND_INT_ZERO_LOCAL_CONST => guard_and_local_const(s, EQ),
        Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST => guard_and_local_const(s, NE),
        Uop::INPLACE_RSHIFT_INT_LOCAL_CONST => rshift_local_const(s, true),
        Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST => rshift_local_const(s, false),
        Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST => multiply_local_const(s, false),
        Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL => multiply_local_const(s, true),
        Uop::BINARY_OP_ADD_INT_TOP_CONST => int_top_const(s, "sadd"),
        Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST => int_top_const(s, "ssub"),
        Uop::GUARD_LOCAL_BOUND => guard_local_bound(s),
        Uop::SWAP_LIST_ITEMS_LOCALS => swap_list_items_locals(s, false),
        other => Err(TemplateError::NoTemplate(other.name())),
    }
}

fn load_fast_int(s: &mut B) -> R {
    let value = s.load_oparg_local("value")?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

fn store_fast_int(s: &mut B) -> R {
    let value = s.pop()?;
    let slot = s.oparg_local_slot()?;
    s.llvm().build_store(slot, value)?;
    s.continue_at(Exit::Continue)
}

fn load_const_immortal(s: &mut B) -> R {
    let value = s.operand()?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

/// The left and right operands of a fused int uop (popped for `Stack`).
fn operands<'ctx>(
    s: &mut B<'ctx, '_>,
    from: Operands,
) -> Result<(IntValue<'ctx>, IntValue<'ctx>), TemplateError> {
    Ok(match from {
        Operands::Stack => {
            let right = s.pop()?;
            (s.pop()?, right)
        }
        Operands::Locals => (s.load_oparg_local("left")?, s.load_operand_local("right")?),
        Operands::LocalConst => (s.load_oparg_local("left")?, s.operand_i32()?),
    })
}

/// Continues when `left pred right` holds, else leaves: tagged small ints
/// (`2a+1`) compare as the ints do.
fn guard_int(s: &mut B, pred: IntPredicate, from: Operands) -> R {
    let (left, right) = operands(s, from)?;
    let ok = s.llvm().build_int_compare(pred, left, right, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// A block that pushes `values` (taking a reference when `incref`) and
/// leaves through `_JIT_JUMP_TARGET`; building goes on where it was.
fn push_and_exit<'ctx>(
    s: &mut B<'ctx, '_>,
    values: &[IntValue<'ctx>],
    incref: bool,
) -> Result<BasicBlock<'ctx>, TemplateError> {
    s.push_and_exit_block(|s| {
        for &v in values {
            if incref {
                s.incref(v)?;
            }
            s.push(v)?;
        }
        Ok(())
    })
}

/// `left op right` on known small ints, `left` from `localsplus[oparg]`,
/// `right` from a local or an untagged constant (`op`: `sadd` or `ssub`, on
/// the tagged words as `_BINARY_OP_ADD_INT`): pushed,
/// or stored back into `localsplus[oparg]` (`inplace`). On overflow both
/// operands are pushed, as the loads would have, before leaving.
fn int_local(s: &mut B, op: &str, from: Operands, inplace: bool) -> R {
    let slot = s.oparg_local_slot()?;
    let left = s.llvm().build_load(s.i64(), slot, "left")?.into_int_value();
    // The right operand without its tag bit, and tagged (for the exit). A
    // constant is held untagged (`2c`).
    let (untagged, right) = match from {
        Operands::LocalConst => {
            let raw = s.operand_i32()?;
            (raw, s.llvm().build_or(raw, s.const_i64(1), "tagged")?)
        }
        _ => {
            let right = s.load_operand_local("right")?;
            (
                s.llvm().build_xor(right, s.const_i64(1), "untagged")?,
                right,
            )
        }
    };
    let (result, overflow) = s.with_overflow(op, left, untagged)?;
    let fail = push_and_exit(s, &[left, right], false)?;
    let ok = s.llvm().build_not(overflow, "ok")?;
    s.guard_or_branch(ok, Some(fail))?;
    if inplace {
        s.llvm().build_store(slot, result)?;
    } else {
        s.push(result)?;
    }
    s.continue_at(Exit::Continue)
}

/// `list[i] = v`: the list in `localsplus[oparg]`, the index in
/// `localsplus[operand]`, the value on the stack.
fn store_subscr_list_locals(s: &mut B, known: bool) -> R {
    let list = s.load_oparg_local("list")?;
    let index = s.load_operand_local("index")?;
    let fail = push_and_exit(s, &[list, index], true)?;
    let (_, slot) = item_slot(s, known, list, index, fail)?;
    let value = s.pop()?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    s.llvm().build_store(slot, value)?;
    s.decref(old)?;
    s.continue_at(Exit::Continue)
}

// ----- integer loops (s7-int) -----

/// `if n & c:` in one: continue when `localsplus[oparg] & operand` (the
/// mask `2c`: the tag bit of the local drops out) compares to 0 as `pred`
/// (`EQ`: the bits are clear), else leave with the stack as it was.
fn guard_and_local_const(s: &mut B, pred: IntPredicate) -> R {
    let value = s.load_oparg_local("value")?;
    let masked = s.llvm().build_and(value, s.operand_i32()?, "masked")?;
    let ok = s
        .llvm()
        .build_int_compare(pred, masked, s.const_i64(0), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// `n >> c` for a small int `n` in `localsplus[oparg]` and `c = operand`
/// in `0..=62`: `(2n+1) >> c` has `n >> c` above its lowest bit (for
/// `c >= 1`, and is the word itself for `c = 0`), so setting that bit
/// tags it. Stored back (`inplace`) or pushed.
fn rshift_local_const(s: &mut B, inplace: bool) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    let shifted = s
        .llvm()
        .build_right_shift(value, s.operand()?, true, "shifted")?;
    let result = s.llvm().build_or(shifted, s.const_i64(1), "result")?;
    if inplace {
        s.llvm().build_store(slot, result)?;
    } else {
        s.push(result)?;
    }
    s.continue_at(Exit::Continue)
}

/// `n * c` (or `c * n`, `const_first`) for a small int `n` in
/// `localsplus[oparg]` and the decoded constant `c = operand`:
/// `(2n) * c` is the product's tagged word without its tag. On overflow
/// the operands are pushed in the loads' order before leaving.
fn multiply_local_const(s: &mut B, const_first: bool) -> R {
    let value = s.load_oparg_local("value")?;
    let c = s.operand()?;
    let untagged = s.llvm().build_xor(value, s.const_i64(1), "untagged")?;
    let (product, overflow) = s.with_overflow("smul", untagged, c)?;
    let tagged_c = s.encode_int(c)?;
    let pushed = if const_first {
        [tagged_c, value]
    } else {
        [value, tagged_c]
    };
    let fail = push_and_exit(s, &pushed, false)?;
    let ok = s.llvm().build_not(overflow, "ok")?;
    s.guard_or_branch(ok, Some(fail))?;
    let result = s.llvm().build_or(product, s.const_i64(1), "result")?;
    s.push(result)?;
    s.continue_at(Exit::Continue)
}

/// `top op c` for a small int on top of the stack and the constant `c`
/// held untagged (`operand = 2c`; `op`: `sadd` or `ssub` on the tagged
/// words): the top is replaced by the result. On overflow the tagged
/// constant is pushed, as its load would have, before leaving.
fn int_top_const(s: &mut B, op: &str) -> R {
    let top = s.pop()?;
    let c = s.operand()?;
    let (result, overflow) = s.with_overflow(op, top, c)?;
    let tagged_c = s.llvm().build_or(c, s.const_i64(1), "tagged_c")?;
    let fail = push_and_exit(s, &[top, tagged_c], false)?;
    let ok = s.llvm().build_not(overflow, "ok")?;
    s.guard_or_branch(ok, Some(fail))?;
    s.push(result)?;
    s.continue_at(Exit::Continue)
}

/// Leaves (stack unchanged) when `localsplus[oparg]` is NULL.
fn guard_local_bound(s: &mut B) -> R {
    let value = s.load_oparg_local("value")?;
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, value, s.const_i64(0), "bound")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// The slot of item `index` of `list`, leaving through `fail` unless it is
/// one; with `known` (the optimizer proved `list` a list and `index` a small
/// int) only the bound is checked.
fn item_slot<'ctx>(
    s: &mut B<'ctx, '_>,
    known: bool,
    list: IntValue<'ctx>,
    index: IntValue<'ctx>,
    fail: BasicBlock<'ctx>,
) -> Result<crate::uops::ListItemSlot<'ctx>, TemplateError> {
    if known {
        crate::uops::known_list_item_slot_or(s, list, index, Some(fail))
    } else {
        crate::uops::list_item_slot_or(s, list, index, Some(fail))
    }
}

/// `_BINARY_SUBSCR_LIST_INT_KNOWN` / `_KNOWN_CONST` (`const_index`): as
/// `_BINARY_SUBSCR_LIST_INT_LOCALS` / `_LOCAL_CONST` for a list and index
/// the optimizer proved, so only the bound is checked.
fn binary_subscr_list_known(s: &mut B, const_index: bool) -> R {
    let (list, index, fail) = crate::uops::local_list_subscript(s, const_index, 1)?;
    let (_, slot) = item_slot(s, true, list, index, fail)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    s.incref(item)?;
    s.push(item)?;
    s.continue_at(Exit::Continue)
}

/// `lst[b], lst[a] = lst[a], lst[b]`: both slots found (list kind, index
/// tags and bounds checked, negative indices wrapped) before either is
/// written; any failure pushes `lst, a` and leaves through the first
/// subscript's exit, with nothing changed. With `known`
/// (`_SWAP_LIST_ITEMS_KNOWN`) only the bounds are checked.
fn swap_list_items_locals(s: &mut B, known: bool) -> R {
    let list = s.load_oparg_local("list")?;
    let operand = s.operand()?;
    let low = s
        .llvm()
        .build_and(operand, s.const_i64(0xffff_ffff), "a_local")?;
    let high = s
        .llvm()
        .build_right_shift(operand, s.const_i64(32), false, "b_local")?;
    let a = s.load_local(low, "a")?;
    let b = s.load_local(high, "b")?;
    let fail = push_and_exit(s, &[list, a], true)?;
    let (_, slot_a) = item_slot(s, known, list, a, fail)?;
    let (_, slot_b) = item_slot(s, known, list, b, fail)?;
    let va = s.llvm().build_load(s.i64(), slot_a, "va")?.into_int_value();
    let vb = s.llvm().build_load(s.i64(), slot_b, "vb")?.into_int_value();
    s.llvm().build_store(slot_a, vb)?;
    s.llvm().build_store(slot_b, va)?;
    s.continue_at(Exit::Continue)
}

// ----- s8-int -----

/// `n = c1 * n + c2` in place (`const_first`; else `n * c1 + c2`) for a
/// small int `n` in `localsplus[oparg]`, `operand` holding `c1` (low 32
/// bits) and `2 c2` (high 32 bits), signed: `(2n) * c1 + 2 c2` is the
/// result's tagged word without its tag. If either step overflows, the
/// multiply's operands are pushed in its loads' order before leaving.
fn mul_add_local(s: &mut B, const_first: bool) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    let operand = s.operand()?;
    let b = s.llvm();
    let low = b.build_left_shift(operand, s.const_i64(32), "low")?;
    let c1 = b.build_right_shift(low, s.const_i64(32), true, "c1")?;
    let twice_c2 = b.build_right_shift(operand, s.const_i64(32), true, "twice_c2")?;
    let untagged = b.build_xor(value, s.const_i64(1), "untagged")?;
    let tagged_c1 = s.encode_int(c1)?;
    let pushed = if const_first {
        [tagged_c1, value]
    } else {
        [value, tagged_c1]
    };
    let fail = push_and_exit(s, &pushed, false)?;
    let (product, product_overflow) = s.with_overflow("smul", untagged, c1)?;
    let ok = s.llvm().build_not(product_overflow, "product_ok")?;
    s.guard_or_branch(ok, Some(fail))?;
    let (sum, sum_overflow) = s.with_overflow("sadd", product, twice_c2)?;
    let ok = s.llvm().build_not(sum_overflow, "sum_ok")?;
    s.guard_or_branch(ok, Some(fail))?;
    let result = s.llvm().build_or(sum, s.const_i64(1), "result")?;
    s.llvm().build_store(slot, result)?;
    s.continue_at(Exit::Continue)
}
