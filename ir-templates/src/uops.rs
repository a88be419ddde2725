//! One template per uop, with the semantics of `jit-contract.md`. They read
//! like CPython's `bytecodes.c` cases: the builder layer does the plumbing.

use cpjit_abi::layout::{
    iter_tag, kind, status, CallTarget, CellObj, DictEntry, DictHead, Executor, ExitData, FloatObj,
    Frame, FunctionHead, ListIterObj, ListIterState, ListObj, ObjHeader, RangeIterObj,
    RangeIterState, StrHead, ThreadState, TupleObj, FRAME_HEADER_WORDS,
};
use cpjit_abi::uop::Uop;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{FloatValue, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

use crate::builder::{Exit, StencilBuilder};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// Builds the body of `uop`'s `_JIT_ENTRY`. The match is exhaustive: a uop
/// without a template does not compile.
pub fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    match uop {
        Uop::NOP => nop(s),
        Uop::LOAD_FAST => load_fast(s),
        Uop::STORE_FAST => store_fast(s),
        Uop::LOAD_CONST => load_const(s),
        Uop::POP_TOP => pop_top(s),
        Uop::GUARD_BOTH_INT => guard_both_int(s),
        Uop::BINARY_OP_ADD_INT => binary_op_int(s, "sadd"),
        Uop::BINARY_OP_SUBTRACT_INT => binary_op_int(s, "ssub"),
        Uop::BINARY_OP_MULTIPLY_INT => binary_op_int(s, "smul"),
        Uop::COMPARE_OP_INT => compare_op_int(s),
        Uop::GUARD_IS_TRUE_POP => guard_is_bool_pop(s, true),
        Uop::GUARD_IS_FALSE_POP => guard_is_bool_pop(s, false),
        Uop::SET_IP => set_ip(s),
        Uop::JUMP_TO_TOP => s.continue_at(Exit::Top),
        Uop::EXIT_TRACE => exit_trace(s),
        Uop::DEOPT => deopt(s),
        Uop::ERROR_POP_N => error_pop_n(s),
        Uop::LOAD_FAST_CHECK => load_fast_check(s),
        Uop::GUARD_LOCAL_INT => guard_local_int(s),
        Uop::CALL_HELPER => call_helper(s),
        Uop::CHECK_VALIDITY => check_validity(s),
        Uop::GUARD_BOTH_FLOAT => guard_both_float(s),
        Uop::BINARY_OP_ADD_FLOAT => binary_op_float(s, FloatOp::Add),
        Uop::BINARY_OP_SUBTRACT_FLOAT => binary_op_float(s, FloatOp::Sub),
        Uop::BINARY_OP_MULTIPLY_FLOAT => binary_op_float(s, FloatOp::Mul),
        Uop::COMPARE_OP_FLOAT => compare_op_float(s),
        Uop::BINARY_OP_AND_INT => binary_op_and_int(s),
        Uop::BINARY_SUBSCR_LIST_INT => binary_subscr_list_int(s),
        Uop::STORE_SUBSCR_LIST_INT => store_subscr_list_int(s),
        Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT => store_subscr_list_int_unboxed_float(s),
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST => binary_subscr_list_local(s, true),
        Uop::BINARY_SUBSCR_LIST_INT_LOCALS => binary_subscr_list_local(s, false),
        Uop::SWAP => swap(s),
        Uop::COPY => copy(s),
        Uop::PUSH_NULL => push_null(s),
        Uop::TO_BOOL => to_bool(s),
        Uop::BINARY_OP_RSHIFT_INT => binary_op_rshift_int(s),
        Uop::BINARY_OP_MOD_INT => binary_op_divmod_int(s, false),
        Uop::BINARY_OP_FLOOR_DIVIDE_INT => binary_op_divmod_int(s, true),
        Uop::GUARD_TOS_FLOAT => guard_float_at(s, 1),
        Uop::GUARD_NOS_FLOAT => guard_float_at(s, 2),
        Uop::LOAD_FAST_UNBOXED_FLOAT => load_fast_unboxed_float(s),
        Uop::LOAD_CONST_UNBOXED => load_const_unboxed(s),
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED => binary_op_float_unboxed(s, FloatOp::Add),
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => binary_op_float_unboxed(s, FloatOp::Sub),
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => binary_op_float_unboxed(s, FloatOp::Mul),
        Uop::COMPARE_OP_FLOAT_UNBOXED => compare_op_float_unboxed(s),
        Uop::STORE_FAST_UNBOXED_FLOAT => store_fast_unboxed_float(s),
        Uop::BOX_FLOAT_AT => box_float_at(s),
        Uop::UNBOX_FLOAT_AT => unbox_float_at(s),
        Uop::JUMP_TO_LOOP => s.continue_at(Exit::JumpTarget),
        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT => binary_op_float(s, FloatOp::Div),
        Uop::BINARY_OP_POWER_FLOAT => binary_op_float(s, FloatOp::Pow),
        Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED => binary_op_float_unboxed(s, FloatOp::Div),
        Uop::BINARY_OP_POWER_FLOAT_UNBOXED => binary_op_float_unboxed(s, FloatOp::Pow),
        Uop::BINARY_OP_FLOAT_MIXED => binary_op_float_mixed(s),
        Uop::LOAD_DEREF => load_deref(s),
        Uop::STORE_DEREF => store_deref(s),
        Uop::GUARD_ITER_RANGE => guard_iter(s, iter_tag::RANGE),
        Uop::FOR_ITER_RANGE => for_iter_range(s),
        Uop::GUARD_ITER_LIST => guard_iter(s, iter_tag::LIST),
        Uop::FOR_ITER_LIST => for_iter_list(s),
        Uop::PUSH_FRAME => push_frame(s, false, None),
        Uop::PUSH_FRAME_KNOWN => push_frame(s, true, None),
        Uop::POP_FRAME => pop_frame(s),
        Uop::RETURN => return_(s),
        Uop::CALL_EXECUTOR => call_executor(s, false),
        Uop::CALL_EXECUTOR_KNOWN => call_executor(s, true),
        Uop::RETURN_CLEAN => return_clean(s),
        // ----- s7-float -----
        cpjit_abi::float_expr_uops!() => crate::float_exprs::build(uop, s),
        Uop::RETURN_LOCAL_INT => return_local_int(s),
        Uop::RETURN_LOCAL => return_local(s),
        Uop::CALL_EXECUTOR_ARGS_1 | Uop::CALL_EXECUTOR_ARGS_2 | Uop::CALL_EXECUTOR_ARGS_3 => {
            call_executor_args(s, uop.fixed_call_args().unwrap_or(1))
        }
        Uop::UNPACK_SEQUENCE => unpack_sequence(s),
        Uop::BUILD_TUPLE => build_tuple(s),
        Uop::BINARY_SLICE => binary_slice(s),
        Uop::UNARY_NEGATIVE => unary_negative(s),
        Uop::UNARY_NEGATIVE_FLOAT => unary_negative_float(s),
        Uop::UNARY_NEGATIVE_FLOAT_UNBOXED => unary_negative_float_unboxed(s),
        Uop::UNARY_NOT => unary_not(s),
        Uop::IS_OP => is_op(s),
        Uop::BINARY_OP_POWER_INT => binary_op_power_int(s),
        Uop::LOAD_FAST_INT
        | Uop::STORE_FAST_INT
        | Uop::LOAD_CONST_IMMORTAL
        | Uop::GUARD_INT_LT
        | Uop::GUARD_INT_LE
        | Uop::GUARD_INT_EQ
        | Uop::GUARD_INT_NE
        | Uop::GUARD_INT_GT
        | Uop::GUARD_INT_GE
        | Uop::GUARD_INT_LT_LOCALS
        | Uop::GUARD_INT_LE_LOCALS
        | Uop::GUARD_INT_EQ_LOCALS
        | Uop::GUARD_INT_NE_LOCALS
        | Uop::GUARD_INT_GT_LOCALS
        | Uop::GUARD_INT_GE_LOCALS
        | Uop::GUARD_INT_LT_LOCAL_CONST
        | Uop::GUARD_INT_LE_LOCAL_CONST
        | Uop::GUARD_INT_EQ_LOCAL_CONST
        | Uop::GUARD_INT_NE_LOCAL_CONST
        | Uop::GUARD_INT_GT_LOCAL_CONST
        | Uop::GUARD_INT_GE_LOCAL_CONST
        | Uop::BINARY_OP_ADD_INT_LOCAL_CONST
        | Uop::BINARY_OP_SUBTRACT_INT_LOCAL_CONST
        | Uop::BINARY_OP_ADD_INT_LOCALS
        | Uop::BINARY_OP_SUBTRACT_INT_LOCALS
        | Uop::INPLACE_ADD_INT_LOCAL_CONST
        | Uop::INPLACE_SUBTRACT_INT_LOCAL_CONST
        | Uop::INPLACE_ADD_INT_LOCALS
        | Uop::INPLACE_SUBTRACT_INT_LOCALS
        | Uop::STORE_SUBSCR_LIST_INT_LOCALS
        | Uop::GUARD_AND_INT_ZERO_LOCAL_CONST
        | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST
        | Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
        | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL
        | Uop::BINARY_OP_ADD_INT_TOP_CONST
        | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST
        | Uop::GUARD_LOCAL_BOUND
        | Uop::SWAP_LIST_ITEMS_LOCALS
        | Uop::STORE_SUBSCR_LIST_INT_KNOWN
        | Uop::BINARY_SUBSCR_LIST_INT_KNOWN
        | Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST
        | Uop::SWAP_LIST_ITEMS_KNOWN
        | Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL
        | Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => crate::fused::build(uop, s),
        Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT
        | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
        | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
        | Uop::BINARY_OP_FLOAT_INT_UNBOXED
        | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
        | Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST
        | Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT => crate::float_items::build(uop, s),
        Uop::CALL_RANGE_ITER => call_range_iter(s),
        Uop::BINARY_SUBSCR_DICT => binary_subscr_dict(s),
        Uop::STORE_SUBSCR_DICT => store_subscr_dict(s),
        Uop::LOAD_METHOD_LIST => load_method_of(s, kind::LIST),
        Uop::LOAD_METHOD_DICT => load_method_of(s, kind::DICT),
        Uop::CALL_DICT_GET => call_dict_get(s),
        Uop::CALL_LIST_APPEND => call_list_append(s),
        Uop::CALL_LIST_POP => call_list_pop(s),
        Uop::GUARD_ITER_TUPLE => guard_iter(s, iter_tag::TUPLE),
        Uop::FOR_ITER_TUPLE => for_iter_tuple(s),
        Uop::BUILD_LIST | Uop::CALL_LEN => crate::containers::build(uop, s),
        // ----- s8-calls -----
        Uop::RETURN_CLEAN_ALONE => return_clean_alone(s),
        Uop::RETURN_LOCAL_INT_ALONE => return_local_int_alone(s),
        Uop::GET_ITER_LIST => crate::list_iters::get_iter_list(s),
        Uop::CALL_EXECUTOR_LEAF_1 => call_executor_leaf(s, 1, false),
        Uop::RETURN_LOCAL_CHECKED => return_local_checked(s),
        // s8-containers
        Uop::GUARD_CELL_BOUND
        | Uop::BINARY_SUBSCR_DICT_CELL_LOCAL
        | Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST => crate::containers::build(uop, s),
        // s9-fib
        Uop::CALL_EXECUTOR_LEAF_ANY_1 | Uop::CALL_EXECUTOR_LEAF_ANY_2 => {
            call_executor_leaf(s, uop.fixed_call_args().unwrap_or(1), true)
        }
        Uop::LOAD_CONST_OBJ_PUSH_NULL => load_const_obj_push_null(s),
        // ----- s9-float -----
        Uop::PUSH_FRAME_ARGS_1 | Uop::PUSH_FRAME_ARGS_2 | Uop::PUSH_FRAME_ARGS_3 => {
            push_frame(s, true, uop.fixed_push_args())
        }
        Uop::POP_FRAME_CLEAN => pop_frame_clean(s),
    }
}

/// Saves the frame (`instr = TARGET`, the return value on its stack) and
/// returns `status::RETURNED`.
fn return_(s: &mut B) -> R {
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// `_RETURN` of a frame whose `oparg` locals are proven small ints: with
/// only the return value on the stack, it moves to `localsplus[0]` and the
/// stack ends there, so the frame's pop releases nothing.
fn return_clean(s: &mut B) -> R {
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    let rv = s.llvm().build_load(s.i64(), top, "rv")?.into_int_value();
    let lp = s.field_ptr(s.frame, &Frame::DESC, "localsplus")?;
    let end = s.word_at(lp, s.oparg()?)?;
    let b = s.llvm();
    let top_bits = b.build_ptr_to_int(top, s.i64(), "top")?;
    let end_bits = b.build_ptr_to_int(end, s.i64(), "end")?;
    let only_rv = b.build_int_compare(IntPredicate::EQ, top_bits, end_bits, "only_rv")?;
    let sp = s.sp;
    let one_past = s.word_at(lp, s.const_i64(1))?;
    // Else (values under the return value) a plain `_RETURN`.
    s.if_else(
        only_rv,
        |s| {
            s.llvm().build_store(lp, rv)?;
            s.sp = one_past;
            save_frame(s)?;
            s.return_status(status::RETURNED)
        },
        |s| {
            s.sp = sp;
            save_frame(s)?;
            s.return_status(status::RETURNED)
        },
    )
}

/// `_RETURN_CLEAN_ALONE`: `_RETURN_CLEAN` whose return value is alone on
/// the stack (the code's depth there is 1): it moves to `localsplus[0]`
/// without a test.
fn return_clean_alone(s: &mut B) -> R {
    let rv = s.peek(1)?;
    let lp = s.field_ptr(s.frame, &Frame::DESC, "localsplus")?;
    s.llvm().build_store(lp, rv)?;
    s.sp = s.word_at(lp, s.const_i64(1))?;
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// `_RETURN_LOCAL_INT_ALONE`: `_RETURN_LOCAL_INT` on an empty stack (the
/// code's depth there is 0): `localsplus[0] = localsplus[oparg]`, without
/// a test.
fn return_local_int_alone(s: &mut B) -> R {
    let lp = s.field_ptr(s.frame, &Frame::DESC, "localsplus")?;
    let rv_at = s.word_at(lp, s.oparg()?)?;
    let rv = s.llvm().build_load(s.i64(), rv_at, "rv")?.into_int_value();
    s.llvm().build_store(lp, rv)?;
    s.sp = s.word_at(lp, s.const_i64(1))?;
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// `_RETURN_LOCAL_INT`: returns the small int `localsplus[oparg]` of a
/// frame whose locals are all small ints; into `localsplus[0]` when the
/// stack is empty (nothing to release at the pop), else on top of it.
fn return_local_int(s: &mut B) -> R {
    let lp = s.field_ptr(s.frame, &Frame::DESC, "localsplus")?;
    let rv_at = s.word_at(lp, s.oparg()?)?;
    let rv = s.llvm().build_load(s.i64(), rv_at, "rv")?.into_int_value();
    let nlp = s
        .load_field(s.frame, &Frame::DESC, "nlocalsplus")?
        .into_int_value();
    let nlp = s.llvm().build_int_z_extend(nlp, s.i64(), "nlp")?;
    let empty_at = s.word_at(lp, nlp)?;
    let b = s.llvm();
    let sp_bits = b.build_ptr_to_int(s.sp, s.i64(), "sp")?;
    let empty_bits = b.build_ptr_to_int(empty_at, s.i64(), "empty_at")?;
    let empty = b.build_int_compare(IntPredicate::EQ, sp_bits, empty_bits, "empty")?;
    let at = b.build_select(empty, lp, s.sp, "at")?.into_pointer_value();
    b.build_store(at, rv)?;
    s.sp = s.word_at(at, s.const_i64(1))?;
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// `_RETURN_LOCAL`: pushes `localsplus[oparg]` (bound; new reference) and
/// returns it as `_RETURN` does.
fn return_local(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let rv = s.llvm().build_load(s.i64(), slot, "rv")?.into_int_value();
    s.incref(rv)?;
    s.push(rv)?;
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// `_RETURN_LOCAL_CHECKED`: `_RETURN_LOCAL` of a local that may be
/// unbound (NULL: continue at the jump target, the exit it replaced).
fn return_local_checked(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let rv = s.llvm().build_load(s.i64(), slot, "rv")?.into_int_value();
    let bound = s
        .llvm()
        .build_int_compare(IntPredicate::NE, rv, s.const_i64(0), "bound")?;
    s.guard(bound, Exit::JumpTarget)?;
    s.incref(rv)?;
    s.push(rv)?;
    save_frame(s)?;
    s.return_status(status::RETURNED)
}

/// A native call of the function-entry executor of the code whose
/// `CallTarget` is at `operand` (no executor, or no frame pushed: continue
/// at `_JIT_JUMP_TARGET`, nothing changed); `RETURNED` in the new frame pops
/// it, any other status is returned unchanged. `known`: the callable is a
/// function of that code without cells or free variables
/// (`_CALL_EXECUTOR_KNOWN`), so its checks go.
fn call_executor(s: &mut B, known: bool) -> R {
    call_executor_shaped(s, known, None)
}

/// `_CALL_EXECUTOR_ARGS_n`: `_CALL_EXECUTOR_KNOWN` of a callee whose frame
/// holds exactly its `n` arguments, copied without a loop.
fn call_executor_args(s: &mut B, n: u32) -> R {
    call_executor_shaped(s, true, Some(n))
}

/// `_CALL_EXECUTOR_LEAF_1` (`any` false: the base case is `a < c` or
/// `a <= c` and returns the argument) and `_CALL_EXECUTOR_LEAF_ANY_n` (any
/// base case: it returns the slot's `leaf_ret`, a small int constant or
/// argument `leaf_ret / 2`): the callee's base case answered without the
/// call when argument `leaf_arg` (of `n`) is a small int from `leaf_lo` to
/// `leaf_hi` and the push would succeed (the recursion limit and the data
/// stack's room, as the push checks them): the callable (a baked function,
/// a heap object) and the arguments that are not the result are released
/// and the result replaces the call's `n + 2` values. Else
/// `_CALL_EXECUTOR_ARGS_n`.
///
/// `_CALL_EXECUTOR_LEAF_1` tests `a <= leaf_hi` and the tag (no lower
/// bound); the other range tests are one unsigned comparison: `a -
/// leaf_lo` rotated right by one is `a`'s distance above `leaf_lo` for a
/// small int `a` at or above it; 2^63 less its distance below, for a small
/// int below it, which is more than the range's width (the distance from
/// `a` up to `leaf_hi` is below 2^63: both are 63-bit ints); and at least
/// 2^63 for any other word (an odd difference: the sign bit set), while the
/// width is below 2^63.
fn call_executor_leaf(s: &mut B, n: u32, any: bool) -> R {
    let slot = s.llvm().build_int_to_ptr(s.operand()?, s.ptr(), "slot")?;
    let hi = s
        .load_field(slot, &CallTarget::DESC, "leaf_hi")?
        .into_int_value();
    let sp = s.sp;
    let args = s.word_at(sp, s.const_i64(-i64::from(n)))?;
    let arg = if n == 1 {
        s.peek(1)?
    } else {
        let i = s
            .load_field(slot, &CallTarget::DESC, "leaf_arg")?
            .into_int_value();
        let i = s.llvm().build_int_z_extend(i, s.i64(), "leaf_arg")?;
        let at = s.word_at(args, i)?;
        s.llvm().build_load(s.i64(), at, "arg")?.into_int_value()
    };
    let in_range = if any {
        let lo = s
            .load_field(slot, &CallTarget::DESC, "leaf_lo")?
            .into_int_value();
        let b = s.llvm();
        let width = b.build_int_sub(hi, lo, "width2")?;
        let width = b.build_right_shift(width, s.const_i64(1), false, "width")?;
        let above = b.build_int_sub(arg, lo, "above")?;
        let distance = s.rotate_right_1(above)?;
        s.llvm()
            .build_int_compare(IntPredicate::ULE, distance, width, "in_range")?
    } else {
        // The comparison first: most calls that are not the base case
        // leave after it.
        s.llvm()
            .build_int_compare(IntPredicate::SLE, arg, hi, "below")?
    };
    s.if_then(in_range, |s| {
        // (`_CALL_EXECUTOR_LEAF_ANY_n`'s range test covered the tag.)
        let is_int = if any { in_range } else { s.is_small_int(arg)? };
        s.if_then(is_int, |s| {
            // A push that would fail fails the same way in tier 1's call.
            let limits = frame_limits(s, slot)?;
            s.guard(limits.ok, Exit::JumpTarget)?;
            let rv = if any {
                leaf_result(s, slot, args, n)?
            } else {
                arg
            };
            let base = s.word_at(sp, s.const_i64(-i64::from(n + 2)))?;
            let callable = s
                .llvm()
                .build_load(s.i64(), base, "callable")?
                .into_int_value();
            s.decref_obj(callable)?;
            s.llvm().build_store(base, rv)?;
            s.sp = s.word_at(sp, s.const_i64(-i64::from(n + 1)))?;
            s.continue_at(Exit::Continue)
        })
    })?;
    s.sp = sp;
    call_executor_args(s, n)
}

/// The result of a base case answered by `_CALL_EXECUTOR_LEAF_ANY_n`: the
/// slot's `leaf_ret` when it is a small int, else argument `leaf_ret / 2`
/// of the `n` at `args` (its reference moves to the result). Releases the
/// other arguments (with one argument, the compared small int: nothing).
fn leaf_result<'ctx>(
    s: &mut B<'ctx, '_>,
    slot: inkwell::values::PointerValue<'ctx>,
    args: inkwell::values::PointerValue<'ctx>,
    n: u32,
) -> Result<IntValue<'ctx>, TemplateError> {
    let ret = s
        .load_field(slot, &CallTarget::DESC, "leaf_ret")?
        .into_int_value();
    let is_const = s.is_small_int(ret)?;
    let b = s.llvm();
    let j = b.build_right_shift(ret, s.const_i64(1), false, "j")?;
    // A constant's bits are no index: read argument 0 instead (unused).
    let j = b
        .build_select(is_const, s.const_i64(0), j, "j")?
        .into_int_value();
    let at = s.word_at(args, j)?;
    let b = s.llvm();
    let moved = b.build_load(s.i64(), at, "moved")?.into_int_value();
    let rv = b.build_select(is_const, ret, moved, "rv")?.into_int_value();
    if n > 1 {
        let not_const = s.llvm().build_not(is_const, "not_const")?;
        for i in 0..n {
            let at = s.word_at(args, s.const_i64(i64::from(i)))?;
            let b = s.llvm();
            let v = b.build_load(s.i64(), at, "arg")?.into_int_value();
            let is_j =
                b.build_int_compare(IntPredicate::EQ, j, s.const_i64(i64::from(i)), "is_j")?;
            let kept = b.build_and(not_const, is_j, "kept")?;
            // The kept argument is the result: release a small int instead.
            let v = b
                .build_select(kept, s.const_i64(1), v, "dropped")?
                .into_int_value();
            s.xdecref(v)?;
        }
    }
    Ok(rv)
}

/// The body of [`call_executor`] and [`call_executor_args`]: `fixed` is the
/// number of arguments when the callee's frame holds nothing else.
fn call_executor_shaped(s: &mut B, known: bool, fixed: Option<u32>) -> R {
    let slot = s.llvm().build_int_to_ptr(s.operand()?, s.ptr(), "slot")?;
    let callee = s
        .load_field(slot, &CallTarget::DESC, "executor")?
        .into_pointer_value();
    let has = s.llvm().build_is_not_null(callee, "has_executor")?;
    s.guard(has, Exit::JumpTarget)?;
    let new_frame = push_callee_frame(s, known, !known, fixed)?;
    let pushed = s.llvm().build_is_not_null(new_frame, "pushed")?;
    s.guard(pushed, Exit::JumpTarget)?;
    let entry = s
        .load_field(callee, &Executor::DESC, "jit_side_entry")?
        .into_pointer_value();
    let new_sp = s
        .load_field(new_frame, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    let st = s.call_jit(entry, new_frame, new_sp, s.tstate)?;
    let current = s
        .load_field(s.tstate, &ThreadState::DESC, "current_frame")?
        .into_pointer_value();
    let returned = s.llvm().build_int_compare(
        IntPredicate::EQ,
        st,
        s.const_i64(status::RETURNED),
        "returned",
    )?;
    let cur_bits = s.llvm().build_ptr_to_int(current, s.i64(), "current")?;
    let new_bits = s.llvm().build_ptr_to_int(new_frame, s.i64(), "new_frame")?;
    let here = s
        .llvm()
        .build_int_compare(IntPredicate::EQ, cur_bits, new_bits, "here")?;
    let ok = s.llvm().build_and(returned, here, "ok")?;
    let unwind = s.llvm().build_not(ok, "unwind")?;
    s.if_then(unwind, |s| s.return_value(st))?;
    // The callee's `_RETURN` saved its stack, the return value on top.
    let callee_sp = s
        .load_field(new_frame, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    pop_callee_frame(s, new_frame, callee_sp, known)?;
    s.continue_at(Exit::Continue)
}

/// What a frame push of the code whose `CallTarget` is at `slot` needs
/// from the thread state (as `Vm::take_frame` checks it): the recursion
/// budget left, the data stack's top and the top after the frame, and
/// whether the push may happen (`ok`: the limit is not reached and the
/// frame fits below `data_limit`).
struct FrameLimits<'ctx> {
    remaining: IntValue<'ctx>,
    top: inkwell::values::PointerValue<'ctx>,
    new_top: inkwell::values::PointerValue<'ctx>,
    ok: IntValue<'ctx>,
}

/// Loads and tests the [`FrameLimits`] of a push of `slot`'s code.
fn frame_limits<'ctx>(
    s: &mut B<'ctx, '_>,
    slot: inkwell::values::PointerValue<'ctx>,
) -> Result<FrameLimits<'ctx>, TemplateError> {
    let frame_words = s
        .load_field(slot, &CallTarget::DESC, "frame_words")?
        .into_int_value();
    let remaining = s
        .load_field(s.tstate, &ThreadState::DESC, "recursion_remaining")?
        .into_int_value();
    let top = s
        .load_field(s.tstate, &ThreadState::DESC, "data_top")?
        .into_pointer_value();
    let limit = s
        .load_field(s.tstate, &ThreadState::DESC, "data_limit")?
        .into_pointer_value();
    let b = s.llvm();
    let below_limit = b.build_int_compare(
        IntPredicate::SGT,
        remaining,
        s.i32().const_zero(),
        "below_limit",
    )?;
    let words = b.build_int_z_extend(frame_words, s.i64(), "words")?;
    let words = b.build_int_add(words, s.const_i64(FRAME_HEADER_WORDS as i64), "frame_size")?;
    // The new top against the limit (both inside the data stack's block).
    let new_top = s.word_at(top, words)?;
    let b = s.llvm();
    let new_top_bits = b.build_ptr_to_int(new_top, s.i64(), "new_top")?;
    let limit_bits = b.build_ptr_to_int(limit, s.i64(), "limit")?;
    let fits = b.build_int_compare(IntPredicate::ULE, new_top_bits, limit_bits, "fits")?;
    let ok = s.llvm().build_and(below_limit, fits, "ok")?;
    Ok(FrameLimits {
        remaining,
        top,
        new_top,
        ok,
    })
}

/// The frame push of `_PUSH_FRAME` and `_CALL_EXECUTOR`: the call at
/// `TARGET`, stack `[callable, NULL, args...]` with `oparg` arguments, of
/// the code whose `CallTarget` is at `operand`. Returns the new frame, or
/// NULL (nothing changed) when the callable is not a function of that code
/// and the frame's globals or the frame cannot be pushed.
///
/// Inline when the callable is such a function, the code has no cell
/// variables (free variables take the closure's cells), the data stack has
/// room and the recursion limit is not reached: the frame goes at
/// `tstate.data_top` exactly as the runtime's `Vm::push_exact_frame` lays
/// it out. Anything else calls
/// `cpjit_push_frame`, which decides (and raises nothing: tier 1 redoes a
/// call it declines).
///
/// `known` (`_CALL_EXECUTOR_KNOWN`, `_PUSH_FRAME_KNOWN`): the projection
/// proved the callable is a function of that code without cell variables
/// (free variables take its closure's cells) and, for an inlined call,
/// with the trace's globals; only the recursion limit and the data stack's
/// room are checked, and the frame's globals are the function's.
///
/// `frees`: the code may have free variables (else, `_CALL_EXECUTOR_KNOWN`,
/// it has none and their setup goes).
///
/// `fixed` (`_CALL_EXECUTOR_ARGS_n`, with `known` and not `frees`): the
/// call has exactly this many arguments and the callee's frame no other
/// slot, so the arguments are copied one by one and no local is emptied.
fn push_callee_frame<'ctx>(
    s: &mut B<'ctx, '_>,
    known: bool,
    frees: bool,
    fixed: Option<u32>,
) -> Result<inkwell::values::PointerValue<'ctx>, TemplateError> {
    // No unrolling of its loops (a few words each; see store_word_in_loop).
    let optsize = inkwell::attributes::Attribute::get_named_enum_kind_id("optsize");
    let optsize = s.ctx().create_enum_attribute(optsize, 0);
    s.function()
        .add_attribute(inkwell::attributes::AttributeLoc::Function, optsize);
    let slot_bits = s.operand()?;
    let slot = s.llvm().build_int_to_ptr(slot_bits, s.ptr(), "slot")?;
    let n = match fixed {
        Some(k) => s.const_i64(i64::from(k)),
        None => s.oparg()?,
    };
    let neg = s.llvm().build_int_neg(n, "neg")?;
    let below_null = s.word_at(s.sp, s.const_i64(-2))?;
    let base = s.word_at(below_null, neg)?;
    let callable = s
        .llvm()
        .build_load(s.i64(), base, "callable")?
        .into_int_value();
    let slow = s.new_block("push_slow");
    let join = s.new_block("push_join");
    let func = if known {
        s.object(callable)?
    } else {
        let self_slot = s.word_at(base, s.const_i64(1))?;
        let self_ = s
            .llvm()
            .build_load(s.i64(), self_slot, "self")?
            .into_int_value();
        // A heap object and no `self`: the callable's header can be read.
        let tag = s.llvm().build_and(callable, s.const_i64(1), "tag")?;
        let any = s.llvm().build_or(tag, self_, "tag_or_self")?;
        let plain = s
            .llvm()
            .build_int_compare(IntPredicate::EQ, any, s.const_i64(0), "plain")?;
        s.guard_or_branch(plain, Some(slow))?;
        s.object(callable)?
    };
    let nlp32 = match fixed {
        Some(k) => s.i32().const_int(u64::from(k), false),
        None => s
            .load_field(slot, &CallTarget::DESC, "nlocalsplus")?
            .into_int_value(),
    };
    let FrameLimits {
        remaining,
        top,
        new_top,
        mut ok,
    } = frame_limits(s, slot)?;
    let globals = if known {
        s.load_field(func, &FunctionHead::DESC, "globals")?
            .into_int_value()
    } else {
        let kind_of = s
            .load_field(func, &ObjHeader::DESC, "kind")?
            .into_int_value();
        let code = s
            .load_field(func, &FunctionHead::DESC, "code")?
            .into_int_value();
        let globals = s
            .load_field(func, &FunctionHead::DESC, "globals")?
            .into_int_value();
        let want_code = s
            .load_field(slot, &CallTarget::DESC, "code_obj")?
            .into_int_value();
        let cellvars = s
            .load_field(slot, &CallTarget::DESC, "cellvars")?
            .into_int_value();
        let frame_globals = s
            .load_field(s.frame, &Frame::DESC, "globals")?
            .into_pointer_value();
        let b = s.llvm();
        let frame_globals_bits = b.build_ptr_to_int(frame_globals, s.i64(), "frame_globals")?;
        let is_func = b.build_int_compare(
            IntPredicate::EQ,
            kind_of,
            s.i32().const_int(kind::FUNCTION as u64, false),
            "is_func",
        )?;
        let same_code = b.build_int_compare(IntPredicate::EQ, code, want_code, "same_code")?;
        let same_globals = b.build_int_compare(
            IntPredicate::EQ,
            globals,
            frame_globals_bits,
            "same_globals",
        )?;
        let no_cells =
            b.build_int_compare(IntPredicate::EQ, cellvars, s.i32().const_zero(), "no_cells")?;
        for c in [is_func, same_code, same_globals, no_cells] {
            ok = s.llvm().build_and(ok, c, "ok")?;
        }
        globals
    };
    s.guard_or_branch(ok, Some(slow))?;
    // The fast path: Vm::push_exact_frame, inline.
    let f = top;
    s.store_field(s.tstate, &ThreadState::DESC, "data_top", new_top)?;
    let left = s
        .llvm()
        .build_int_sub(remaining, s.i32().const_int(1, false), "left")?;
    s.store_field(s.tstate, &ThreadState::DESC, "recursion_remaining", left)?;
    let code_ptr = s.load_field(slot, &CallTarget::DESC, "code")?;
    let globals_ptr = s.llvm().build_int_to_ptr(globals, s.ptr(), "globals")?;
    s.store_field(f, &Frame::DESC, "code", code_ptr)?;
    s.store_field(f, &Frame::DESC, "func", callable)?;
    s.store_field(f, &Frame::DESC, "globals", globals_ptr)?;
    s.store_field(f, &Frame::DESC, "previous", s.frame)?;
    s.store_field(f, &Frame::DESC, "instr", s.i32().const_zero())?;
    s.store_field(f, &Frame::DESC, "nlocalsplus", nlp32)?;
    let lp = s.field_ptr(f, &Frame::DESC, "localsplus")?;
    let args = s.word_at(base, s.const_i64(2))?;
    if let Some(k) = fixed {
        // Exactly `k` slots, all arguments.
        for i in 0..i64::from(k) {
            let a = s
                .llvm()
                .build_load(s.i64(), s.word_at(args, s.const_i64(i))?, "arg")?
                .into_int_value();
            s.llvm().build_store(s.word_at(lp, s.const_i64(i))?, a)?;
        }
        let nlp = s.const_i64(i64::from(k));
        return finish_push(s, f, lp, nlp, base, slow, join, slot_bits, n);
    }
    s.counted_loop(n, s.const_i64(0), |s, i, acc| {
        let a = s
            .llvm()
            .build_load(s.i64(), s.word_at(args, i)?, "arg")?
            .into_int_value();
        store_word_in_loop(s, s.word_at(lp, i)?, a)?;
        Ok(acc)
    })?;
    // The other locals are empty; the free variables' slots (the last
    // ones) take the closure's cells.
    let nlp = s.llvm().build_int_z_extend(nlp32, s.i64(), "nlp")?;
    let locals = s.word_at(lp, n)?;
    if !frees {
        let end = s.word_at(lp, nlp)?;
        words_loop(s, locals, end, |s, at| {
            store_word_in_loop(s, at, s.const_i64(0))
        })?;
        return finish_push(s, f, lp, nlp, base, slow, join, slot_bits, n);
    }
    let nfree = s
        .load_field(slot, &CallTarget::DESC, "freevars")?
        .into_int_value();
    let nfree = s.llvm().build_int_z_extend(nfree, s.i64(), "nfree")?;
    let first_free = s.llvm().build_int_sub(nlp, nfree, "first_free")?;
    let end = s.word_at(lp, first_free)?;
    words_loop(s, locals, end, |s, at| {
        store_word_in_loop(s, at, s.const_i64(0))
    })?;
    let has_frees =
        s.llvm()
            .build_int_compare(IntPredicate::NE, nfree, s.const_i64(0), "has_frees")?;
    s.if_then(has_frees, |s| {
        let closure = s
            .load_field(func, &FunctionHead::DESC, "closure")?
            .into_int_value();
        let closure = s.object(closure)?;
        let cells = s.field_ptr(closure, &TupleObj::DESC, "items")?;
        let frees = s.word_at(lp, first_free)?;
        s.counted_loop(nfree, s.const_i64(0), |s, i, acc| {
            let cell = s
                .llvm()
                .build_load(s.i64(), s.word_at(cells, i)?, "cell")?
                .into_int_value();
            s.incref(cell)?;
            store_word_in_loop(s, s.word_at(frees, i)?, cell)?;
            Ok(acc)
        })?;
        Ok(())
    })?;
    finish_push(s, f, lp, nlp, base, slow, join, slot_bits, n)
}

/// The end of [`push_callee_frame`]: the new frame's empty stack, the
/// thread's current frame, the caller's resume point and stack; the slow
/// path (`cpjit_push_frame`) and the join of both.
#[allow(clippy::too_many_arguments)]
fn finish_push<'ctx>(
    s: &mut B<'ctx, '_>,
    f: inkwell::values::PointerValue<'ctx>,
    lp: inkwell::values::PointerValue<'ctx>,
    nlp: IntValue<'ctx>,
    base: inkwell::values::PointerValue<'ctx>,
    slow: inkwell::basic_block::BasicBlock<'ctx>,
    join: inkwell::basic_block::BasicBlock<'ctx>,
    slot_bits: IntValue<'ctx>,
    n: IntValue<'ctx>,
) -> Result<inkwell::values::PointerValue<'ctx>, TemplateError> {
    let empty = s.word_at(lp, nlp)?;
    s.store_field(f, &Frame::DESC, "stack_pointer", empty)?;
    s.store_field(s.tstate, &ThreadState::DESC, "current_frame", f)?;
    let target = s.hole_u32("TARGET")?;
    let resume = s
        .llvm()
        .build_int_add(target, s.i32().const_int(1, false), "resume")?;
    s.store_field(s.frame, &Frame::DESC, "instr", resume)?;
    s.store_field(s.frame, &Frame::DESC, "stack_pointer", base)?;
    let fast_end = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    s.llvm().build_unconditional_branch(join)?;
    s.llvm().position_at_end(slow);
    let args = [
        s.frame.into(),
        s.sp.into(),
        s.tstate.into(),
        n.into(),
        slot_bits.into(),
        s.hole("TARGET")?.into(),
    ];
    let helper = s
        .call_helper("cpjit_push_frame", Some(s.ptr().into()), &args)?
        .ok_or(TemplateError::Signature)?
        .into_pointer_value();
    let slow_end = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    s.llvm().build_unconditional_branch(join)?;
    s.llvm().position_at_end(join);
    let phi = s.llvm().build_phi(s.ptr(), "new_frame")?;
    phi.add_incoming(&[(&f, fast_end), (&helper, slow_end)]);
    Ok(phi.as_basic_value().into_pointer_value())
}

/// Runs `body` on each word address from `from` up to (not including) `to`
/// (a few words of one frame): the loop tests the pointer against the end,
/// without an element count.
fn words_loop<'ctx>(
    s: &mut B<'ctx, '_>,
    from: inkwell::values::PointerValue<'ctx>,
    to: inkwell::values::PointerValue<'ctx>,
    body: impl FnOnce(&mut B<'ctx, '_>, inkwell::values::PointerValue<'ctx>) -> R,
) -> R {
    let pre = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    let head = s.new_block("words_head");
    let body_bb = s.new_block("words_body");
    let done = s.new_block("words_done");
    s.llvm().build_unconditional_branch(head)?;
    s.llvm().position_at_end(head);
    let phi = s.llvm().build_phi(s.ptr(), "at")?;
    let at = phi.as_basic_value().into_pointer_value();
    let b = s.llvm();
    let at_bits = b.build_ptr_to_int(at, s.i64(), "at_bits")?;
    let to_bits = b.build_ptr_to_int(to, s.i64(), "to_bits")?;
    let more = b.build_int_compare(IntPredicate::ULT, at_bits, to_bits, "more")?;
    s.llvm().build_conditional_branch(more, body_bb, done)?;
    s.llvm().position_at_end(body_bb);
    body(s, at)?;
    let next = s.word_at(at, s.const_i64(1))?;
    let end = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    s.llvm().build_unconditional_branch(head)?;
    phi.add_incoming(&[(&from, pre), (&next, end)]);
    s.llvm().position_at_end(done);
    Ok(())
}

/// A store in a loop over a frame's few words, kept a plain store: LLVM
/// would otherwise turn the loop into a `memset`/`memcpy` call (stencils
/// call no C library) or vectorize it, a loss for the handful of words of
/// one call's arguments and locals.
fn store_word_in_loop<'ctx>(
    s: &B<'ctx, '_>,
    at: inkwell::values::PointerValue<'ctx>,
    v: IntValue<'ctx>,
) -> R {
    s.llvm()
        .build_store(at, v)?
        .set_volatile(true)
        .map_err(|_| TemplateError::Signature)
}

/// The return of `_POP_FRAME` and `_CALL_EXECUTOR`, inline (as the
/// runtime's `Vm::return_to_caller`): the top frame `f` returns the value
/// on top of its stack `sp`; releases its slots and function, pops it off
/// the data stack and the recursion count, pushes the value on the
/// caller's stack; the trace goes on in the caller.
///
/// `known_func`: the frame's function is known to be a heap object (the
/// callable `_CALL_EXECUTOR_KNOWN` proved), released without a tag test.
/// Else (`_POP_FRAME`, `_CALL_EXECUTOR`) dead float boxes among the frame's
/// slots go back to the float free list inline (a float argument often
/// dies at the pop); the known callees' pops keep the plain release, whose
/// loop keeps fewer registers busy around their native call.
fn pop_callee_frame<'ctx>(
    s: &mut B<'ctx, '_>,
    f: inkwell::values::PointerValue<'ctx>,
    sp: inkwell::values::PointerValue<'ctx>,
    known_func: bool,
) -> R {
    let top = s.word_at(sp, s.const_i64(-1))?;
    let rv = s.llvm().build_load(s.i64(), top, "rv")?.into_int_value();
    let lp = s.field_ptr(f, &Frame::DESC, "localsplus")?;
    words_loop(s, lp, top, |s, at| {
        let v = s.llvm().build_load(s.i64(), at, "slot")?.into_int_value();
        if known_func {
            s.xdecref(v)
        } else {
            s.xdecref_freeing_floats(v)
        }
    })?;
    leave_frame(s, f, rv, known_func)
}

/// The end of a frame's pop once its slots are released (or need none):
/// releases its function (`known_func`: a heap object, no tag test), pops
/// it off the data stack and the recursion count, pushes `rv` on the
/// caller's stack; the trace goes on in the caller.
fn leave_frame<'ctx>(
    s: &mut B<'ctx, '_>,
    f: inkwell::values::PointerValue<'ctx>,
    rv: IntValue<'ctx>,
    known_func: bool,
) -> R {
    let func = s.load_field(f, &Frame::DESC, "func")?.into_int_value();
    if known_func {
        s.decref_obj(func)?;
    } else {
        s.xdecref(func)?;
    }
    let caller = s
        .load_field(f, &Frame::DESC, "previous")?
        .into_pointer_value();
    s.store_field(s.tstate, &ThreadState::DESC, "current_frame", caller)?;
    let remaining = s
        .load_field(s.tstate, &ThreadState::DESC, "recursion_remaining")?
        .into_int_value();
    let remaining = s
        .llvm()
        .build_int_add(remaining, s.i32().const_int(1, false), "remaining")?;
    s.store_field(
        s.tstate,
        &ThreadState::DESC,
        "recursion_remaining",
        remaining,
    )?;
    s.store_field(s.tstate, &ThreadState::DESC, "data_top", f)?;
    s.frame = caller;
    s.sp = s
        .load_field(caller, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    s.push(rv)?;
    Ok(())
}

/// `_PUSH_FRAME`: pushes the callee's frame ([`push_callee_frame`]; NULL:
/// guard failed, nothing changed); the trace goes on in the new frame, at
/// its empty stack. `known`: `_PUSH_FRAME_KNOWN`; `fixed`: the `n` of
/// `_PUSH_FRAME_ARGS_n` (a known callee whose frame is its arguments).
fn push_frame(s: &mut B, known: bool, fixed: Option<u32>) -> R {
    let new_frame = push_callee_frame(s, known, fixed.is_none(), fixed)?;
    let ok = s.llvm().build_is_not_null(new_frame, "pushed")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.frame = new_frame;
    s.sp = s
        .load_field(new_frame, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    s.continue_at(Exit::Continue)
}

/// `_POP_FRAME`: the trace goes on in the caller, with the return value
/// pushed on its stack ([`pop_callee_frame`]).
fn pop_frame(s: &mut B) -> R {
    pop_callee_frame(s, s.frame, s.sp, false)?;
    s.continue_at(Exit::Continue)
}

/// `_POP_FRAME_CLEAN`: `_POP_FRAME` of a frame whose slots are all small
/// ints under the return value alone: no slot to release; its function
/// (the callable a `_PUSH_FRAME*` checked or proved a function) is.
fn pop_frame_clean(s: &mut B) -> R {
    let rv = s.peek(1)?;
    leave_frame(s, s.frame, rv, true)?;
    s.continue_at(Exit::Continue)
}

fn nop(s: &mut B) -> R {
    s.continue_at(Exit::Continue)
}

fn load_fast(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    s.incref(value)?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

fn store_fast(s: &mut B) -> R {
    let value = s.pop()?;
    let slot = s.oparg_local_slot()?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    s.llvm().build_store(slot, value)?;
    s.xdecref(old)?;
    s.continue_at(Exit::Continue)
}

fn load_const(s: &mut B) -> R {
    let value = s.operand()?;
    s.incref(value)?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

/// `_LOAD_CONST_OBJ_PUSH_NULL`: the heap constant (new reference) and NULL.
fn load_const_obj_push_null(s: &mut B) -> R {
    let value = s.operand()?;
    s.incref_obj(value)?;
    s.push(value)?;
    s.push(s.const_i64(0))?;
    s.continue_at(Exit::Continue)
}

fn pop_top(s: &mut B) -> R {
    let value = s.pop()?;
    s.decref(value)?;
    s.continue_at(Exit::Continue)
}

fn guard_both_int(s: &mut B) -> R {
    let (left, right) = (s.peek(2)?, s.peek(1)?);
    let both = s.llvm().build_and(left, right, "both")?;
    s.guard(s.is_small_int(both)?, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// `op` is the overflow intrinsic: `sadd`, `ssub` or `smul`.
///
/// Computes on the tagged words (`2a+1`, `2b+1`), so one overflow check
/// says whether the result fits a small int: `2a+1 + 2b` is `2(a+b)+1`,
/// `2a+1 - 2b` is `2(a-b)+1`, and `2a * b` is `2ab` (then tagged), each in
/// `i64` exactly when the untagged result fits 63 bits.
fn binary_op_int(s: &mut B, op: &str) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let b = s.llvm();
    let untag = |v| b.build_xor(v, s.const_i64(1), "untagged");
    let (a, c) = match op {
        "smul" => (untag(left)?, s.decode_int(right)?),
        _ => (left, untag(right)?),
    };
    let (result, overflow) = s.with_overflow(op, a, c)?;
    let ok = s.llvm().build_not(overflow, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let tagged = match op {
        "smul" => s.llvm().build_or(result, s.const_i64(1), "tagged")?,
        _ => result,
    };
    s.drop_values(2)?;
    s.push(tagged)?;
    s.continue_at(Exit::Continue)
}

fn compare_op_int(s: &mut B) -> R {
    let right = s.pop()?;
    let left = s.pop()?;
    let b = s.llvm();
    // Outcome bit: 1 for <, 2 for ==, 4 for >. Each oparg's accepted
    // outcomes are one nibble of ACCEPT: < 1, <= 3, == 2, != 5, > 4, >= 6.
    const ACCEPT: i64 = 0x64_5231;
    let lt = b.build_int_compare(IntPredicate::SLT, left, right, "lt")?;
    let eq = b.build_int_compare(IntPredicate::EQ, left, right, "eq")?;
    let gt_or_eq = b
        .build_select(eq, s.const_i64(2), s.const_i64(4), "ge")?
        .into_int_value();
    let outcome = b
        .build_select(lt, s.const_i64(1), gt_or_eq, "outcome")?
        .into_int_value();
    let shift = b.build_left_shift(s.oparg()?, s.const_i64(2), "shift")?;
    let accept = b.build_right_shift(s.const_i64(ACCEPT), shift, false, "accept")?;
    let hit = b.build_and(accept, outcome, "hit")?;
    let truth = b.build_int_compare(IntPredicate::NE, hit, s.const_i64(0), "truth")?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    let result = b.build_select(truth, t, f, "result")?.into_int_value();
    s.push(result)?;
    s.continue_at(Exit::Continue)
}

fn guard_is_bool_pop(s: &mut B, want_true: bool) -> R {
    let value = s.pop()?;
    let t = s.runtime_data("cpjit_true")?;
    let pred = if want_true {
        IntPredicate::EQ
    } else {
        IntPredicate::NE
    };
    let ok = s.llvm().build_int_compare(pred, value, t, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

fn set_ip(s: &mut B) -> R {
    s.store_field(s.frame, &Frame::DESC, "instr", s.hole_u32("OPARG")?)?;
    s.continue_at(Exit::Continue)
}

/// Writes `frame.instr = TARGET` and spills the stack pointer.
fn save_frame(s: &mut B) -> R {
    s.store_field(s.frame, &Frame::DESC, "instr", s.hole_u32("TARGET")?)?;
    s.store_field(s.frame, &Frame::DESC, "stack_pointer", s.sp)
}

fn exit_trace(s: &mut B) -> R {
    let executor = s.executor()?;
    let exits = s
        .load_field(executor, &Executor::DESC, "exits")?
        .into_pointer_value();
    let index = s.hole("EXIT_INDEX")?;
    // SAFETY: GEP construction only (see `StencilBuilder::word_at`); the VM
    // gives each exit instruction an index below `exit_count`.
    let exit = unsafe {
        s.llvm()
            .build_in_bounds_gep(s.struct_ty(&ExitData::DESC), exits, &[index], "exit")?
    };
    let linked = s
        .load_field(exit, &ExitData::DESC, "executor")?
        .into_pointer_value();
    let has_link = s.llvm().build_is_not_null(linked, "has_link")?;
    s.if_then(has_link, |s| {
        let valid = s
            .load_field(linked, &Executor::DESC, "valid")?
            .into_int_value();
        let is_valid =
            s.llvm()
                .build_int_compare(IntPredicate::NE, valid, s.i32().const_zero(), "valid")?;
        s.if_then(is_valid, |s| {
            let entry = s
                .load_field(exit, &ExitData::DESC, "entry")?
                .into_pointer_value();
            s.tail_call(entry)
        })
    })?;
    save_frame(s)?;
    let temperature = s
        .load_field(exit, &ExitData::DESC, "temperature")?
        .into_int_value();
    let temperature =
        s.llvm()
            .build_int_add(temperature, s.i32().const_int(1, false), "temperature")?;
    s.store_field(exit, &ExitData::DESC, "temperature", temperature)?;
    s.store_field(s.tstate, &ThreadState::DESC, "exit_executor", executor)?;
    s.store_field(
        s.tstate,
        &ThreadState::DESC,
        "exit_index",
        s.hole_u32("EXIT_INDEX")?,
    )?;
    let threshold = s
        .load_field(s.tstate, &ThreadState::DESC, "side_exit_threshold")?
        .into_int_value();
    let hot = s
        .llvm()
        .build_int_compare(IntPredicate::UGE, temperature, threshold, "hot")?;
    let status = s.llvm().build_select(
        hot,
        s.const_i64(status::HOT_EXIT),
        s.const_i64(status::EXIT),
        "status",
    )?;
    s.return_value(status.into_int_value())
}

fn deopt(s: &mut B) -> R {
    save_frame(s)?;
    s.return_status(status::EXIT)
}

fn error_pop_n(s: &mut B) -> R {
    let n = s.oparg()?;
    let neg = s.llvm().build_int_neg(n, "neg")?;
    s.sp = s.word_at(s.sp, neg)?;
    save_frame(s)?;
    s.return_status(status::ERROR)
}

fn load_fast_check(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    let bound = s
        .llvm()
        .build_int_compare(IntPredicate::NE, value, s.const_i64(0), "bound")?;
    s.guard(bound, Exit::JumpTarget)?;
    s.incref(value)?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

fn guard_local_int(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    s.guard(s.is_small_int(value)?, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// `sp = operand(frame, sp, tstate, oparg, target)`: NULL is an error, an
/// odd pointer an exit (see `Uop::CALL_HELPER`).
fn call_helper(s: &mut B) -> R {
    let args = [
        s.frame.into(),
        s.sp.into(),
        s.tstate.into(),
        s.oparg()?.into(),
        s.hole("TARGET")?.into(),
    ];
    let result = s
        .call_address(s.operand()?, Some(s.ptr().into()), &args)?
        .ok_or(TemplateError::Signature)?
        .into_pointer_value();
    let bits = s.llvm().build_ptr_to_int(result, s.i64(), "bits")?;
    let is_null = s
        .llvm()
        .build_int_compare(IntPredicate::EQ, bits, s.const_i64(0), "is_null")?;
    s.if_then(is_null, |s| {
        s.sp = s
            .load_field(s.frame, &Frame::DESC, "stack_pointer")?
            .into_pointer_value();
        s.continue_at(Exit::ErrorTarget)
    })?;
    let odd = s.is_small_int(bits)?;
    s.if_then(odd, |s| {
        let clean = s.llvm().build_and(bits, s.const_i64(-2), "clean")?;
        s.sp = s.llvm().build_int_to_ptr(clean, s.ptr(), "exit_sp")?;
        s.continue_at(Exit::JumpTarget)
    })?;
    s.sp = result;
    s.continue_at(Exit::Continue)
}

fn check_validity(s: &mut B) -> R {
    let executor = s.executor()?;
    let valid = s
        .load_field(executor, &Executor::DESC, "valid")?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, valid, s.i32().const_zero(), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// `v` is a heap object of kind `k` (false for small ints).
pub(crate) fn is_kind<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: u32,
) -> Result<IntValue<'ctx>, TemplateError> {
    is_kind_dyn(s, v, s.i32().const_int(k as u64, false))
}

/// `v` is a heap object of kind `k` (an i32 value; false for small ints).
fn is_kind_dyn<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: IntValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    kind_test(s, v, k, true)
}

/// [`is_kind`] of a value that is never NULL (a stack value, a bound
/// local or cell, a constant): no NULL test.
fn is_value_kind<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: u32,
) -> Result<IntValue<'ctx>, TemplateError> {
    kind_test(s, v, s.i32().const_int(k as u64, false), false)
}

/// `v` is a heap object of kind `k`; `maybe_null`: `v` may be NULL (then
/// false).
fn kind_test<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: IntValue<'ctx>,
    maybe_null: bool,
) -> Result<IntValue<'ctx>, TemplateError> {
    let b = s.llvm();
    let tag = b.build_and(v, s.const_i64(1), "tag")?;
    let is_obj = b.build_int_compare(IntPredicate::EQ, tag, s.const_i64(0), "is_obj")?;
    // Small ints are odd: clear the tag so the load below always reads an
    // aligned header; its result only matters for objects.
    let clean = b.build_and(v, s.const_i64(-2), "clean")?;
    let safe = if maybe_null {
        let not_null = b.build_int_compare(IntPredicate::NE, clean, s.const_i64(0), "not_null")?;
        b.build_and(is_obj, not_null, "safe")?
    } else {
        is_obj
    };
    let mut result = s.i32().const_zero();
    let obj = b.build_int_to_ptr(clean, s.ptr(), "obj")?;
    let cur = b.get_insert_block().ok_or(TemplateError::Signature)?;
    let func = s.function();
    let load_bb = s.ctx().append_basic_block(func, "load_kind");
    let join = s.ctx().append_basic_block(func, "kind_join");
    b.build_conditional_branch(safe, load_bb, join)?;
    b.position_at_end(load_bb);
    let kv = s
        .load_field(obj, &ObjHeader::DESC, "kind")?
        .into_int_value();
    b.build_unconditional_branch(join)?;
    b.position_at_end(join);
    let phi = b.build_phi(s.i32(), "kind")?;
    phi.add_incoming(&[(&kv, load_bb), (&result, cur)]);
    result = phi.as_basic_value().into_int_value();
    Ok(b.build_int_compare(IntPredicate::EQ, result, k, "is_kind")?)
}

/// Continues at `_JIT_JUMP_TARGET` unless `v` is a heap object of kind `k`:
/// three predictable branches (tag, NULL, kind) instead of computing
/// [`is_kind`]'s flag.
fn guard_kind<'ctx>(s: &mut B<'ctx, '_>, v: IntValue<'ctx>, k: u32) -> R {
    guard_kind_or(s, v, k, None)
}

/// [`guard_kind`], leaving through the block `fail` when one is given.
pub(crate) fn guard_kind_or<'ctx>(
    s: &mut B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: u32,
    fail: Option<BasicBlock<'ctx>>,
) -> R {
    let is_obj = s.llvm().build_not(s.is_small_int(v)?, "is_obj")?;
    s.guard_or_branch(is_obj, fail)?;
    let not_null = s
        .llvm()
        .build_int_compare(IntPredicate::NE, v, s.const_i64(0), "not_null")?;
    s.guard_or_branch(not_null, fail)?;
    let obj = s.llvm().build_int_to_ptr(v, s.ptr(), "obj")?;
    let kv = s
        .load_field(obj, &ObjHeader::DESC, "kind")?
        .into_int_value();
    let ok = s.llvm().build_int_compare(
        IntPredicate::EQ,
        kv,
        s.i32().const_int(u64::from(k), false),
        "is_kind",
    )?;
    s.guard_or_branch(ok, fail)
}

pub(crate) fn float_value<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    let obj = s.llvm().build_int_to_ptr(v, s.ptr(), "float")?;
    Ok(s.load_field(obj, &FloatObj::DESC, "value")?
        .into_float_value())
}

fn guard_both_float(s: &mut B) -> R {
    let (left, right) = (s.peek(2)?, s.peek(1)?);
    guard_kind(s, left, kind::FLOAT)?;
    guard_kind(s, right, kind::FLOAT)?;
    s.continue_at(Exit::Continue)
}

#[derive(Clone, Copy)]
enum FloatOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// `x <fop> y`; for `/` and `**` first exits (to `jump_target`, stack as
/// it is) where tier 1 would raise or take a special case: a zero divisor,
/// or a NaN from `cpjit_float_pow`.
fn float_arith<'ctx>(
    s: &mut B<'ctx, '_>,
    fop: FloatOp,
    x: FloatValue<'ctx>,
    y: FloatValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    let b = s.llvm();
    Ok(match fop {
        FloatOp::Add => b.build_float_add(x, y, "r")?,
        FloatOp::Sub => b.build_float_sub(x, y, "r")?,
        FloatOp::Mul => b.build_float_mul(x, y, "r")?,
        FloatOp::Div => {
            let zero = s.ctx().f64_type().const_zero();
            let ok = b.build_float_compare(FloatPredicate::UNE, y, zero, "nonzero")?;
            s.guard(ok, Exit::JumpTarget)?;
            s.llvm().build_float_div(x, y, "r")?
        }
        FloatOp::Pow => {
            let r = float_pow(s, bits(s, x)?, bits(s, y)?)?;
            let ok = s
                .llvm()
                .build_float_compare(FloatPredicate::ORD, r, r, "not_nan")?;
            s.guard(ok, Exit::JumpTarget)?;
            r
        }
    })
}

/// `cpjit_float_pow(x_bits, y_bits)` as a double (NaN: not computed here).
fn float_pow<'ctx>(
    s: &B<'ctx, '_>,
    x: IntValue<'ctx>,
    y: IntValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    let r = s
        .call_helper(
            "cpjit_float_pow",
            Some(s.i64().into()),
            &[x.into(), y.into()],
        )?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    unboxed(s, r)
}

/// The object at `obj` has reference count 1: the stack holds the only
/// reference, so its box may be rewritten in place (as tier 1 does).
fn is_unique<'ctx>(
    s: &B<'ctx, '_>,
    obj: inkwell::values::PointerValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    let rc = s
        .load_field(obj, &ObjHeader::DESC, "refcnt")?
        .into_int_value();
    Ok(s.llvm().build_int_compare(
        IntPredicate::EQ,
        rc,
        rc.get_type().const_int(1, false),
        "unique",
    )?)
}

/// Runs `then` (given the box's address) when `v` is a float box that
/// only its holder references, so the box may be rewritten in place.
pub(crate) fn if_unique_float<'ctx, 'a>(
    s: &mut B<'ctx, 'a>,
    v: IntValue<'ctx>,
    then: impl FnOnce(&mut B<'ctx, 'a>, inkwell::values::PointerValue<'ctx>) -> R,
) -> R {
    let is_float = is_kind(s, v, kind::FLOAT)?;
    s.if_then(is_float, |s| {
        let obj = s.llvm().build_int_to_ptr(v, s.ptr(), "old_obj")?;
        let unique = is_unique(s, obj)?;
        s.if_then(unique, |s| then(s, obj))
    })
}

/// Stores the unboxed float `value` into the list item at `slot` and
/// continues: into the old item's box when it is a float only the list
/// holds, else as a new box, releasing the old item.
pub(crate) fn store_unboxed_float_item<'ctx>(
    s: &mut B<'ctx, '_>,
    slot: inkwell::values::PointerValue<'ctx>,
    value: IntValue<'ctx>,
) -> R {
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    let sp = s.sp;
    if_unique_float(s, old, |s, box_obj| {
        // Only the list holds the old float: write into its box.
        let f = unboxed(s, value)?;
        s.store_field(box_obj, &FloatObj::DESC, "value", f)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    let boxed = s.box_float(value)?;
    s.llvm().build_store(slot, boxed)?;
    s.decref(old)?;
    s.continue_at(Exit::Continue)
}

fn binary_op_float(s: &mut B, fop: FloatOp) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let x = float_value(s, left)?;
    let y = float_value(s, right)?;
    let r = float_arith(s, fop, x, y)?;
    let b = s.llvm();
    let obj = b.build_int_to_ptr(left, s.ptr(), "left")?;
    let unique = is_unique(s, obj)?;
    s.if_else(
        unique,
        |s| {
            // Reuse the left operand's box (tier 1 does the same).
            s.store_field(obj, &FloatObj::DESC, "value", r)?;
            s.drop_values(1)?;
            s.decref_float(right)?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            let bits = s
                .llvm()
                .build_bit_cast(r, s.i64(), "bits")?
                .into_int_value();
            let boxed = s.box_float(bits)?;
            s.drop_values(2)?;
            s.push(boxed)?;
            s.decref_float(left)?;
            s.decref_float(right)?;
            s.continue_at(Exit::Continue)
        },
    )
}

fn compare_op_float(s: &mut B) -> R {
    let right = s.pop()?;
    let left = s.pop()?;
    let x = float_value(s, left)?;
    let y = float_value(s, right)?;
    let result = float_compare(s, x, y)?;
    s.push(result)?;
    s.decref_float(left)?;
    s.decref_float(right)?;
    s.continue_at(Exit::Continue)
}

/// The bool singleton for `x <op> y`, `op` being the oparg (as `_COMPARE_OP_INT`).
///
/// Branch-free like `_COMPARE_OP_INT`: the outcome is one bit (1 `<`,
/// 2 `==`, 4 `>`, 8 unordered, i.e. a NaN), and each oparg accepts one
/// nibble of outcomes: `<` 1, `<=` 3, `==` 2, `!=` 0xd (true on NaN),
/// `>` 4, `>=` 6.
fn float_compare<'ctx>(
    s: &B<'ctx, '_>,
    x: FloatValue<'ctx>,
    y: FloatValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    const ACCEPT: i64 = 0x64_d231;
    let b = s.llvm();
    let lt = b.build_float_compare(FloatPredicate::OLT, x, y, "lt")?;
    let eq = b.build_float_compare(FloatPredicate::OEQ, x, y, "eq")?;
    let gt = b.build_float_compare(FloatPredicate::OGT, x, y, "gt")?;
    let gt_or_nan = b
        .build_select(gt, s.const_i64(4), s.const_i64(8), "gt_or_nan")?
        .into_int_value();
    let not_lt = b
        .build_select(eq, s.const_i64(2), gt_or_nan, "not_lt")?
        .into_int_value();
    let outcome = b
        .build_select(lt, s.const_i64(1), not_lt, "outcome")?
        .into_int_value();
    let shift = b.build_left_shift(s.oparg()?, s.const_i64(2), "shift")?;
    let accept = b.build_right_shift(s.const_i64(ACCEPT), shift, false, "accept")?;
    let hit = b.build_and(accept, outcome, "hit")?;
    let truth = b.build_int_compare(IntPredicate::NE, hit, s.const_i64(0), "truth")?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    Ok(b.build_select(truth, t, f, "result")?.into_int_value())
}

// ----- unboxed floats: stack words holding f64 bits -----

fn guard_float_at(s: &mut B, depth: u64) -> R {
    let v = s.peek(depth)?;
    guard_kind(s, v, kind::FLOAT)?;
    s.continue_at(Exit::Continue)
}

/// The f64 whose bits are the word `v`.
pub(crate) fn unboxed<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    Ok(s.llvm()
        .build_bit_cast(v, s.ctx().f64_type(), "unboxed")?
        .into_float_value())
}

/// The word holding the bits of `f`.
pub(crate) fn bits<'ctx>(
    s: &B<'ctx, '_>,
    f: FloatValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    Ok(s.llvm()
        .build_bit_cast(f, s.i64(), "bits")?
        .into_int_value())
}

fn load_fast_unboxed_float(s: &mut B) -> R {
    let slot = s.oparg_local_slot()?;
    let value = s
        .llvm()
        .build_load(s.i64(), slot, "value")?
        .into_int_value();
    let f = float_value(s, value)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}

fn load_const_unboxed(s: &mut B) -> R {
    let v = s.operand()?;
    s.push(v)?;
    s.continue_at(Exit::Continue)
}

fn binary_op_float_unboxed(s: &mut B, fop: FloatOp) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let x = unboxed(s, left)?;
    let y = unboxed(s, right)?;
    let r = float_arith(s, fop, x, y)?;
    s.drop_values(2)?;
    s.push(bits(s, r)?)?;
    s.continue_at(Exit::Continue)
}

/// `v` as a double: `(is_number, is_float, value)`, a number being a float
/// or a small int (converted as tier 1 converts it, `i as f64`).
fn number_value<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
) -> Result<(IntValue<'ctx>, IntValue<'ctx>, FloatValue<'ctx>), TemplateError> {
    let is_int = s.is_small_int(v)?;
    let is_float = is_kind(s, v, kind::FLOAT)?;
    let b = s.llvm();
    let as_int = b.build_signed_int_to_float(s.decode_int(v)?, s.ctx().f64_type(), "as_int")?;
    let cur = b.get_insert_block().ok_or(TemplateError::Signature)?;
    let load_bb = s.ctx().append_basic_block(s.function(), "load_float");
    let join = s.ctx().append_basic_block(s.function(), "number_join");
    b.build_conditional_branch(is_float, load_bb, join)?;
    b.position_at_end(load_bb);
    let f = float_value(s, v)?;
    let load_end = b.get_insert_block().ok_or(TemplateError::Signature)?;
    b.build_unconditional_branch(join)?;
    b.position_at_end(join);
    let phi = b.build_phi(s.ctx().f64_type(), "number")?;
    phi.add_incoming(&[(&f, load_end), (&as_int, cur)]);
    let is_number = b.build_or(is_int, is_float, "is_number")?;
    Ok((is_number, is_float, phi.as_basic_value().into_float_value()))
}

/// `+ - * / **` (oparg 0..4) of a float and a float or small int.
fn binary_op_float_mixed(s: &mut B) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let (num_x, float_x, x) = number_value(s, left)?;
    let (num_y, float_y, y) = number_value(s, right)?;
    let b = s.llvm();
    let nums = b.build_and(num_x, num_y, "numbers")?;
    let one_float = b.build_or(float_x, float_y, "one_float")?;
    let ok = b.build_and(nums, one_float, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let op = s.oparg()?;
    let result = float_op_by_oparg(s, op, x, y)?;
    let boxed = s.box_float(result)?;
    s.drop_values(2)?;
    s.push(boxed)?;
    s.decref(left)?;
    s.decref(right)?;
    s.continue_at(Exit::Continue)
}

/// The bits of `x <op> y`, `op` (0..4) being `+ - * / **` as
/// `_BINARY_OP_FLOAT_MIXED`'s oparg; a zero divisor or a NaN power first
/// continues at `_JIT_JUMP_TARGET` (stack as it is).
pub(crate) fn float_op_by_oparg<'ctx>(
    s: &mut B<'ctx, '_>,
    op: IntValue<'ctx>,
    x: FloatValue<'ctx>,
    y: FloatValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    let b = s.llvm();
    let is_div = b.build_int_compare(IntPredicate::EQ, op, s.const_i64(3), "div")?;
    let zero = s.ctx().f64_type().const_zero();
    let y_zero = b.build_float_compare(FloatPredicate::OEQ, y, zero, "y_zero")?;
    let div_by_zero = b.build_and(is_div, y_zero, "div_by_zero")?;
    let div_ok = b.build_not(div_by_zero, "div_ok")?;
    s.guard(div_ok, Exit::JumpTarget)?;
    // One block per operator (a switch, not selects: computing all of them
    // lets the vectorizer make blends with a constant pool, which some
    // targets' stencils cannot hold).
    let func = s.function();
    let names = ["add", "sub", "mul", "div", "pow"];
    let blocks: Vec<_> = names
        .iter()
        .map(|n| s.ctx().append_basic_block(func, n))
        .collect();
    let join = s.ctx().append_basic_block(func, "op_join");
    let cases: Vec<_> = blocks
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, bb)| (s.const_i64(k as i64), *bb))
        .collect();
    s.llvm().build_switch(op, blocks[0], &cases)?;
    let mut incoming = Vec::new();
    for (k, bb) in blocks.iter().enumerate() {
        s.llvm().position_at_end(*bb);
        let b = s.llvm();
        let r = match k {
            0 => b.build_float_add(x, y, "add")?,
            1 => b.build_float_sub(x, y, "sub")?,
            2 => b.build_float_mul(x, y, "mul")?,
            3 => b.build_float_div(x, y, "div")?,
            _ => {
                let p = float_pow(s, bits(s, x)?, bits(s, y)?)?;
                let ok = s
                    .llvm()
                    .build_float_compare(FloatPredicate::ORD, p, p, "not_nan")?;
                s.guard(ok, Exit::JumpTarget)?;
                p
            }
        };
        let r = bits(s, r)?;
        let end = s
            .llvm()
            .get_insert_block()
            .ok_or(TemplateError::Signature)?;
        s.llvm().build_unconditional_branch(join)?;
        incoming.push((r, end));
    }
    s.llvm().position_at_end(join);
    let phi = s.llvm().build_phi(s.i64(), "result")?;
    for (v, bb) in &incoming {
        phi.add_incoming(&[(v, *bb)]);
    }
    Ok(phi.as_basic_value().into_int_value())
}

// ----- closure cells -----

/// The cell in `localsplus[oparg]`.
pub(crate) fn cell_at_oparg<'ctx>(
    s: &B<'ctx, '_>,
) -> Result<inkwell::values::PointerValue<'ctx>, TemplateError> {
    let slot = s.oparg_local_slot()?;
    let cell = s.llvm().build_load(s.i64(), slot, "cell")?.into_int_value();
    Ok(s.llvm().build_int_to_ptr(cell, s.ptr(), "cell_obj")?)
}

fn load_deref(s: &mut B) -> R {
    let cell = cell_at_oparg(s)?;
    let value = s
        .load_field(cell, &CellObj::DESC, "value")?
        .into_int_value();
    let bound = s
        .llvm()
        .build_int_compare(IntPredicate::NE, value, s.const_i64(0), "bound")?;
    s.guard(bound, Exit::JumpTarget)?;
    s.incref(value)?;
    s.push(value)?;
    s.continue_at(Exit::Continue)
}

fn store_deref(s: &mut B) -> R {
    let value = s.pop()?;
    let cell = cell_at_oparg(s)?;
    let old = s
        .load_field(cell, &CellObj::DESC, "value")?
        .into_int_value();
    s.store_field(cell, &CellObj::DESC, "value", value)?;
    s.xdecref(old)?;
    s.continue_at(Exit::Continue)
}

fn compare_op_float_unboxed(s: &mut B) -> R {
    let right = s.pop()?;
    let left = s.pop()?;
    let x = unboxed(s, left)?;
    let y = unboxed(s, right)?;
    let result = float_compare(s, x, y)?;
    s.push(result)?;
    s.continue_at(Exit::Continue)
}

fn store_fast_unboxed_float(s: &mut B) -> R {
    let value = s.pop()?;
    let slot = s.oparg_local_slot()?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    if_unique_float(s, old, |s, obj| {
        // Only the local holds the old float: write into its box.
        let f = unboxed(s, value)?;
        s.store_field(obj, &FloatObj::DESC, "value", f)?;
        s.continue_at(Exit::Continue)
    })?;
    let boxed = s.box_float(value)?;
    s.llvm().build_store(slot, boxed)?;
    s.xdecref(old)?;
    s.continue_at(Exit::Continue)
}

/// Pointer to the stack word `oparg` slots below the top.
fn slot_at_oparg<'ctx>(
    s: &B<'ctx, '_>,
) -> Result<inkwell::values::PointerValue<'ctx>, TemplateError> {
    let depth = s.oparg()?;
    let neg = s.llvm().build_int_neg(depth, "neg")?;
    s.word_at(s.sp, neg)
}

fn box_float_at(s: &mut B) -> R {
    let p = slot_at_oparg(s)?;
    let v = s.llvm().build_load(s.i64(), p, "raw")?.into_int_value();
    let boxed = s.box_float(v)?;
    s.llvm().build_store(p, boxed)?;
    s.continue_at(Exit::Continue)
}

fn unbox_float_at(s: &mut B) -> R {
    let p = slot_at_oparg(s)?;
    let v = s.llvm().build_load(s.i64(), p, "boxed")?.into_int_value();
    let f = float_value(s, v)?;
    s.llvm().build_store(p, bits(s, f)?)?;
    s.decref_float(v)?;
    s.continue_at(Exit::Continue)
}

fn binary_op_and_int(s: &mut B) -> R {
    let right = s.pop()?;
    let left = s.pop()?;
    // Both tagged: the tag bit survives the and, the payloads are anded.
    let r = s.llvm().build_and(left, right, "and")?;
    s.push(r)?;
    s.continue_at(Exit::Continue)
}

/// A list item's place: the list object and the item's address.
pub(crate) type ListItemSlot<'ctx> = (
    inkwell::values::PointerValue<'ctx>,
    inkwell::values::PointerValue<'ctx>,
);

/// Guards `[list, int]` with the int in bounds (negative indices count
/// from the end); returns the list object and the item's address.
fn list_item_slot<'ctx>(
    s: &mut B<'ctx, '_>,
    list: IntValue<'ctx>,
    index: IntValue<'ctx>,
) -> Result<ListItemSlot<'ctx>, TemplateError> {
    list_item_slot_or(s, list, index, None)
}

/// [`list_item_slot`], leaving through the block `fail` when one is given.
pub(crate) fn list_item_slot_or<'ctx>(
    s: &mut B<'ctx, '_>,
    list: IntValue<'ctx>,
    index: IntValue<'ctx>,
    fail: Option<BasicBlock<'ctx>>,
) -> Result<ListItemSlot<'ctx>, TemplateError> {
    let is_int = s.is_small_int(index)?;
    s.guard_or_branch(is_int, fail)?;
    guard_kind_or(s, list, kind::LIST, fail)?;
    known_list_item_slot_or(s, list, index, fail)
}

/// [`list_item_slot_or`] for a `list` known to be a list and an `index`
/// known to be a small int: only the bound is checked.
pub(crate) fn known_list_item_slot_or<'ctx>(
    s: &mut B<'ctx, '_>,
    list: IntValue<'ctx>,
    index: IntValue<'ctx>,
    fail: Option<BasicBlock<'ctx>>,
) -> Result<ListItemSlot<'ctx>, TemplateError> {
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list")?;
    let len = list_len_i64(s, obj)?;
    let i = s.decode_int(index)?;
    let b = s.llvm();
    let neg = b.build_int_compare(IntPredicate::SLT, i, s.const_i64(0), "neg")?;
    let wrapped = b.build_int_add(i, len, "wrapped")?;
    let i = b.build_select(neg, wrapped, i, "i")?.into_int_value();
    // Unsigned compare: also rejects a still-negative index.
    let in_bounds = b.build_int_compare(IntPredicate::ULT, i, len, "in_bounds")?;
    s.guard_or_branch(in_bounds, fail)?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, i)?;
    Ok((obj, slot))
}

fn binary_subscr_list_int(s: &mut B) -> R {
    let index = s.peek(1)?;
    let list = s.peek(2)?;
    let (_, slot) = list_item_slot(s, list, index)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    s.incref(item)?;
    s.drop_values(2)?;
    s.push(item)?;
    s.decref_obj(list)?;
    s.continue_at(Exit::Continue)
}

/// The operands of a fused list subscript: the list `localsplus[oparg]`,
/// the index the constant `operand` (`const_index`) or `localsplus[operand]`,
/// and the block a failed guard leaves by. That block pushes `list, index`
/// `pushes` times (new references; a constant index takes none), as the
/// loads the fused uop replaces would have.
pub(crate) fn local_list_subscript<'ctx>(
    s: &mut B<'ctx, '_>,
    const_index: bool,
    pushes: usize,
) -> Result<(IntValue<'ctx>, IntValue<'ctx>, BasicBlock<'ctx>), TemplateError> {
    let list_slot = s.oparg_local_slot()?;
    let list = s
        .llvm()
        .build_load(s.i64(), list_slot, "list")?
        .into_int_value();
    let index = if const_index {
        s.operand()?
    } else {
        let slot = s.operand_local_slot()?;
        s.llvm()
            .build_load(s.i64(), slot, "index")?
            .into_int_value()
    };
    let fail = s.push_and_exit_block(|s| {
        for _ in 0..pushes {
            s.incref(list)?;
            s.push(list)?;
            if !const_index {
                s.incref(index)?;
            }
            s.push(index)?;
        }
        Ok(())
    })?;
    Ok((list, index, fail))
}

/// `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST` (`const_index`) and
/// `_BINARY_SUBSCR_LIST_INT_LOCALS`: the list is `localsplus[oparg]`, the
/// index the constant `operand` or `localsplus[operand]`. A failed guard
/// pushes both (new references), as the loads they replace would have,
/// and leaves for the subscript's exit.
fn binary_subscr_list_local(s: &mut B, const_index: bool) -> R {
    let (list, index, fail) = local_list_subscript(s, const_index, 1)?;
    let (_, slot) = list_item_slot_or(s, list, index, Some(fail))?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    s.incref(item)?;
    s.push(item)?;
    s.continue_at(Exit::Continue)
}

fn store_subscr_list_int(s: &mut B) -> R {
    let index = s.peek(1)?;
    let list = s.peek(2)?;
    let value = s.peek(3)?;
    let (_, slot) = list_item_slot(s, list, index)?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    s.llvm().build_store(slot, value)?;
    s.drop_values(3)?;
    s.decref(old)?;
    s.decref_obj(list)?;
    s.continue_at(Exit::Continue)
}

fn store_subscr_list_int_unboxed_float(s: &mut B) -> R {
    let index = s.peek(1)?;
    let list = s.peek(2)?;
    let value = s.peek(3)?;
    let (_, slot) = list_item_slot(s, list, index)?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    let sp = s.sp;
    if_unique_float(s, old, |s, obj| {
        // Only the list holds the old float: write into its box.
        let f = unboxed(s, value)?;
        s.store_field(obj, &FloatObj::DESC, "value", f)?;
        s.drop_values(3)?;
        s.decref_obj(list)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    let boxed = s.box_float(value)?;
    s.llvm().build_store(slot, boxed)?;
    s.drop_values(3)?;
    s.decref(old)?;
    s.decref_obj(list)?;
    s.continue_at(Exit::Continue)
}

fn swap(s: &mut B) -> R {
    let neg = s.llvm().build_int_neg(s.oparg()?, "neg")?;
    let deep = s.word_at(s.sp, neg)?;
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    let a = s.llvm().build_load(s.i64(), deep, "a")?;
    let b = s.llvm().build_load(s.i64(), top, "b")?;
    s.llvm().build_store(deep, b)?;
    s.llvm().build_store(top, a)?;
    s.continue_at(Exit::Continue)
}

fn copy(s: &mut B) -> R {
    let neg = s.llvm().build_int_neg(s.oparg()?, "neg")?;
    let slot = s.word_at(s.sp, neg)?;
    let v = s.llvm().build_load(s.i64(), slot, "v")?.into_int_value();
    s.incref(v)?;
    s.push(v)?;
    s.continue_at(Exit::Continue)
}

fn push_null(s: &mut B) -> R {
    s.push(s.const_i64(0))?;
    s.continue_at(Exit::Continue)
}

fn to_bool(s: &mut B) -> R {
    let v = s.peek(1)?;
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    let b = s.llvm();
    let is_t = b.build_int_compare(IntPredicate::EQ, v, t, "is_t")?;
    let is_f = b.build_int_compare(IntPredicate::EQ, v, f, "is_f")?;
    let is_bool = b.build_or(is_t, is_f, "is_bool")?;
    let is_int = s.is_small_int(v)?;
    let fast = s.llvm().build_or(is_bool, is_int, "fast")?;
    // A bool or a small int (the common case) first, on the straight path.
    s.if_then(fast, |s| {
        let b = s.llvm();
        // Small int 0 is the word 1.
        let nonzero = b.build_int_compare(IntPredicate::NE, v, s.const_i64(1), "nonzero")?;
        let int_truth = b.build_select(nonzero, t, f, "int_truth")?.into_int_value();
        let r = b.build_select(is_int, int_truth, v, "r")?.into_int_value();
        s.llvm().build_store(top, r)?;
        s.continue_at(Exit::Continue)
    })?;
    // A list or tuple (`if queue:`): its length, inline. `v` is an
    // object here (not a small int; a stack value is never NULL).
    let obj = s.object(v)?;
    let k = s
        .load_field(obj, &ObjHeader::DESC, "kind")?
        .into_int_value();
    let k_ty = k.get_type();
    let is_list = s.llvm().build_int_compare(
        IntPredicate::EQ,
        k,
        k_ty.const_int(kind::LIST as u64, false),
        "is_list",
    )?;
    let is_tuple = s.llvm().build_int_compare(
        IntPredicate::EQ,
        k,
        k_ty.const_int(kind::TUPLE as u64, false),
        "is_tuple",
    )?;
    let sized = s.llvm().build_or(is_list, is_tuple, "sized")?;
    // Only while another reference stays (the common `if queue:`): the
    // release is then a decrement, with no call on this path (so the
    // bool path above needs no stack frame either); a last reference goes
    // through the helper, which frees.
    let rc = s
        .load_field(obj, &ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let one = rc.get_type().const_int(1, false);
    let shared = s
        .llvm()
        .build_int_compare(IntPredicate::SGT, rc, one, "shared")?;
    let inline = s.llvm().build_and(sized, shared, "inline")?;
    s.if_then(inline, |s| {
        let tuple_len = s.field_ptr(obj, &TupleObj::DESC, "len")?;
        let list_len = s.field_ptr(obj, &ListObj::DESC, "len")?;
        let len_ptr = s
            .llvm()
            .build_select(is_tuple, tuple_len, list_len, "len_ptr")?
            .into_pointer_value();
        let len = s
            .llvm()
            .build_load(s.intptr(), len_ptr, "len")?
            .into_int_value();
        let full = s.llvm().build_int_compare(
            IntPredicate::NE,
            len,
            len.get_type().const_zero(),
            "full",
        )?;
        let r = s.llvm().build_select(full, t, f, "r")?.into_int_value();
        s.llvm().build_store(top, r)?;
        let rc1 = s.llvm().build_int_sub(rc, one, "rc1")?;
        s.store_field(obj, &ObjHeader::DESC, "refcnt", rc1)?;
        s.continue_at(Exit::Continue)
    })?;
    // Any other object: its truth from the runtime (which releases it),
    // or 0 if that failed: exit with the stack unchanged.
    let r = s
        .call_helper("cpjit_to_bool", Some(s.i64().into()), &[v.into()])?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, r, s.const_i64(0), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.llvm().build_store(top, r)?;
    s.continue_at(Exit::Continue)
}

fn binary_op_rshift_int(s: &mut B) -> R {
    let x = s.decode_int(s.peek(2)?)?;
    let y = s.decode_int(s.peek(1)?)?;
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::ULT, y, s.const_i64(63), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let r = s.llvm().build_right_shift(x, y, true, "r")?;
    s.drop_values(2)?;
    s.push(s.encode_int(r)?)?;
    s.continue_at(Exit::Continue)
}

/// Python's `//` (`floor`) or `%` for a positive divisor.
fn binary_op_divmod_int(s: &mut B, floor: bool) -> R {
    let x = s.decode_int(s.peek(2)?)?;
    let y = s.decode_int(s.peek(1)?)?;
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::SGT, y, s.const_i64(0), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let b = s.llvm();
    let q = b.build_int_signed_div(x, y, "q")?;
    let r = b.build_int_signed_rem(x, y, "r")?;
    let neg = b.build_int_compare(IntPredicate::SLT, r, s.const_i64(0), "neg")?;
    let result = if floor {
        let q1 = b.build_int_sub(q, s.const_i64(1), "q1")?;
        b.build_select(neg, q1, q, "floor")?.into_int_value()
    } else {
        let r1 = b.build_int_add(r, y, "r1")?;
        b.build_select(neg, r1, r, "mod")?.into_int_value()
    };
    s.drop_values(2)?;
    s.push(s.encode_int(result)?)?;
    s.continue_at(Exit::Continue)
}

// ----- iteration over ranges and lists -----

/// A pointer-sized integer field widened to i64.
fn to_i64<'ctx>(s: &B<'ctx, '_>, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
    Ok(if v.get_type().get_bit_width() == 64 {
        v
    } else {
        s.llvm().build_int_z_extend(v, s.i64(), "wide")?
    })
}

/// The iterator's state, a pointer into the object.
fn iter_state<'ctx>(
    s: &B<'ctx, '_>,
    it: IntValue<'ctx>,
    obj_desc: &'static cpjit_abi::layout::StructDesc,
) -> Result<inkwell::values::PointerValue<'ctx>, TemplateError> {
    let obj = s.llvm().build_int_to_ptr(it, s.ptr(), "iter")?;
    s.field_ptr(obj, obj_desc, "state")
}

fn guard_iter(s: &mut B, tag: u32) -> R {
    let it = s.peek(1)?;
    // The iterator kind is a runtime kind: the projection passes it.
    let k = s
        .llvm()
        .build_int_truncate(s.operand()?, s.i32(), "iter_kind")?;
    // A `FOR_ITER`'s operand is always an object (what `GET_ITER` made,
    // which is an iterator or raised), so its header is read without a
    // tag or NULL test; only its kind and state are checked.
    let obj = s.object(it)?;
    let kind_of = s
        .load_field(obj, &ObjHeader::DESC, "kind")?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::EQ, kind_of, k, "is_iter")?;
    s.guard(ok, Exit::JumpTarget)?;
    // A tuple iterator's state has the list iterator's layout.
    let (obj_desc, state_desc) = if tag == iter_tag::RANGE {
        (&RangeIterObj::DESC, &RangeIterState::DESC)
    } else {
        (&ListIterObj::DESC, &ListIterState::DESC)
    };
    let state = iter_state(s, it, obj_desc)?;
    let t = s.load_field(state, state_desc, "tag")?.into_int_value();
    let ok = s.llvm().build_int_compare(
        IntPredicate::EQ,
        t,
        s.i32().const_int(tag as u64, false),
        "tag_ok",
    )?;
    s.guard(ok, Exit::JumpTarget)?;
    if tag == iter_tag::RANGE {
        let next = s
            .load_field(state, &RangeIterState::DESC, "next")?
            .into_int_value();
        s.guard(s.fits_small_int(next)?, Exit::JumpTarget)?;
    }
    s.continue_at(Exit::Continue)
}

/// When `more` is false: pop and release the iterator `it`, continue at
/// `jump_target`.
fn exhausted<'ctx>(
    s: &mut B<'ctx, '_>,
    more: IntValue<'ctx>,
    it: IntValue<'ctx>,
    seq: Option<IntValue<'ctx>>,
) -> R {
    let done = s.llvm().build_not(more, "done")?;
    let sp = s.sp;
    s.if_then(done, |s| {
        s.drop_values(1)?;
        crate::list_iters::free_exhausted(s, it, seq)?;
        s.continue_at(Exit::JumpTarget)
    })?;
    s.sp = sp;
    Ok(())
}

fn for_iter_range(s: &mut B) -> R {
    let it = s.peek(1)?;
    let state = iter_state(s, it, &RangeIterObj::DESC)?;
    let mut fields = Vec::new();
    for f in ["next", "stop", "step"] {
        fields.push(
            s.load_field(state, &RangeIterState::DESC, f)?
                .into_int_value(),
        );
    }
    let (next, stop, step) = (fields[0], fields[1], fields[2]);
    let b = s.llvm();
    let zero = s.const_i64(0);
    let up = b.build_int_compare(IntPredicate::SGT, step, zero, "up")?;
    let below = b.build_int_compare(IntPredicate::SLT, next, stop, "below")?;
    let down = b.build_int_compare(IntPredicate::SLT, step, zero, "down")?;
    let above = b.build_int_compare(IntPredicate::SGT, next, stop, "above")?;
    let more_up = b.build_and(up, below, "more_up")?;
    let more_down = b.build_and(down, above, "more_down")?;
    let more = b.build_or(more_up, more_down, "more")?;
    exhausted(s, more, it, None)?;
    // Wrapping, as tier 1's release build adds.
    let advanced = s.llvm().build_int_add(next, step, "advanced")?;
    s.store_field(state, &RangeIterState::DESC, "next", advanced)?;
    s.push(s.encode_int(next)?)?;
    s.continue_at(Exit::Continue)
}

/// The sequence a `_FOR_ITER_LIST`/`_FOR_ITER_TUPLE` iterator walks.
#[derive(Clone, Copy, PartialEq)]
enum Seq {
    /// A list: its items behind a pointer.
    List,
    /// A tuple: its items inline after its length.
    Tuple,
}

fn for_iter_list(s: &mut B) -> R {
    for_iter_seq(s, Seq::List)
}

fn for_iter_tuple(s: &mut B) -> R {
    for_iter_seq(s, Seq::Tuple)
}

/// Pushes the next item of the list or tuple iterator on top (a new
/// reference), or drops the exhausted iterator and leaves for the jump target.
fn for_iter_seq(s: &mut B, seq_kind: Seq) -> R {
    let it = s.peek(1)?;
    // The `Tuple` state has the `List` state's layout.
    let state = iter_state(s, it, &ListIterObj::DESC)?;
    let seq = s
        .load_field(state, &ListIterState::DESC, "seq")?
        .into_int_value();
    let idx_raw = s
        .load_field(state, &ListIterState::DESC, "idx")?
        .into_int_value();
    let idx = to_i64(s, idx_raw)?;
    let (name, desc) = match seq_kind {
        Seq::List => ("list", &ListObj::DESC),
        Seq::Tuple => ("tuple", &TupleObj::DESC),
    };
    let obj = s.llvm().build_int_to_ptr(seq, s.ptr(), name)?;
    let len = s.load_field(obj, desc, "len")?.into_int_value();
    let len = sext_i64(s, len)?;
    // Signed, as tier 1 compares `idx as isize < len`.
    let more = s
        .llvm()
        .build_int_compare(IntPredicate::SLT, idx, len, "more")?;
    exhausted(s, more, it, Some(seq))?;
    let items = match seq_kind {
        Seq::List => s
            .load_field(obj, &ListObj::DESC, "items")?
            .into_pointer_value(),
        Seq::Tuple => s.field_ptr(obj, &TupleObj::DESC, "items")?,
    };
    let slot = s.word_at(items, idx)?;
    let v = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    let one = idx_raw.get_type().const_int(1, false);
    let idx1 = s.llvm().build_int_add(idx_raw, one, "idx1")?;
    s.store_field(state, &ListIterState::DESC, "idx", idx1)?;
    s.incref(v)?;
    s.push(v)?;
    s.continue_at(Exit::Continue)
}

// ----- sequences, unary operators, identity, int powers -----

/// The length of the list object at `obj`, widened to i64.
pub(crate) fn list_len_i64<'ctx>(
    s: &mut B<'ctx, '_>,
    obj: inkwell::values::PointerValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    let len = s.load_field(obj, &ListObj::DESC, "len")?.into_int_value();
    Ok(if len.get_type().get_bit_width() == 64 {
        len
    } else {
        s.llvm().build_int_s_extend(len, s.i64(), "len64")?
    })
}

/// A pointer-sized signed integer field widened to i64.
fn sext_i64<'ctx>(s: &B<'ctx, '_>, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
    Ok(if v.get_type().get_bit_width() == 64 {
        v
    } else {
        s.llvm().build_int_s_extend(v, s.i64(), "wide")?
    })
}

fn unpack_sequence(s: &mut B) -> R {
    let seq = s.peek(1)?;
    let n = s.oparg()?;
    let is_tuple = is_kind(s, seq, kind::TUPLE)?;
    let is_list = is_kind(s, seq, kind::LIST)?;
    let ok = s.llvm().build_or(is_tuple, is_list, "tuple_or_list")?;
    s.guard(ok, Exit::JumpTarget)?;
    let obj = s.llvm().build_int_to_ptr(seq, s.ptr(), "seq")?;
    // One load of the length through the right field.
    let tuple_len = s.field_ptr(obj, &TupleObj::DESC, "len")?;
    let list_len = s.field_ptr(obj, &ListObj::DESC, "len")?;
    let len_ptr = s
        .llvm()
        .build_select(is_tuple, tuple_len, list_len, "len_ptr")?
        .into_pointer_value();
    let len = s
        .llvm()
        .build_load(s.intptr(), len_ptr, "len")?
        .into_int_value();
    let len = sext_i64(s, len)?;
    let same = s
        .llvm()
        .build_int_compare(IntPredicate::EQ, len, n, "same_len")?;
    s.guard(same, Exit::JumpTarget)?;
    // A list's item pointer is the word after its header; in a tuple that
    // word is the length, so the load stays inside the object either way.
    let tuple_items = s.field_ptr(obj, &TupleObj::DESC, "items")?;
    let list_items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let items = s
        .llvm()
        .build_select(is_tuple, tuple_items, list_items, "items")?
        .into_pointer_value();
    // A tuple nothing else references (a packet just popped off a queue)
    // gives its items' references to the stack and only its block is
    // freed: no increment of each item here and decrement in its dealloc.
    let rc = s
        .load_field(obj, &ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let alone = s.llvm().build_int_compare(
        IntPredicate::EQ,
        rc,
        rc.get_type().const_int(1, false),
        "alone",
    )?;
    let steal = s.llvm().build_and(is_tuple, alone, "steal")?;
    let share = s.llvm().build_not(steal, "share")?;
    // The sequence's slot is the bottom of the items: item i goes n-1-i up.
    s.drop_values(1)?;
    let base = s.sp;
    // Pairs (the common case) with the count known, so the copy unrolls;
    // the other lengths through the same code with the count patched in.
    let pair = s
        .llvm()
        .build_int_compare(IntPredicate::EQ, n, s.const_i64(2), "pair")?;
    let parts = UnpackParts {
        seq,
        items,
        base,
        steal,
        share,
    };
    s.if_else(
        pair,
        |s| move_items(s, &parts, s.const_i64(2)),
        |s| move_items(s, &parts, n),
    )
}

/// What `_UNPACK_SEQUENCE` found: the sequence, its items, the stack slot
/// they go to, and whether its items' references move (a unique tuple).
struct UnpackParts<'ctx> {
    seq: IntValue<'ctx>,
    items: inkwell::values::PointerValue<'ctx>,
    base: inkwell::values::PointerValue<'ctx>,
    steal: IntValue<'ctx>,
    share: IntValue<'ctx>,
}

/// Puts the `n` items on the stack (item i goes n-1-i up from the base),
/// then releases the sequence (or frees a unique tuple's block) and
/// continues.
fn move_items<'ctx>(s: &mut B<'ctx, '_>, p: &UnpackParts<'ctx>, n: IntValue<'ctx>) -> R {
    let last = s.llvm().build_int_sub(n, s.const_i64(1), "last")?;
    s.counted_loop(n, s.const_i64(0), |s, i, acc| {
        let item = s
            .llvm()
            .build_load(s.i64(), s.word_at(p.items, i)?, "item")?
            .into_int_value();
        s.if_then(p.share, |s| s.incref(item))?;
        let up = s.llvm().build_int_sub(last, i, "up")?;
        s.llvm().build_store(s.word_at(p.base, up)?, item)?;
        Ok(acc)
    })?;
    s.sp = s.word_at(p.base, n)?;
    let seq = p.seq;
    s.if_else(
        p.steal,
        |s| {
            s.call_helper("cpjit_tuple_free_shell", None, &[seq.into()])?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            s.decref_obj(seq)?;
            s.continue_at(Exit::Continue)
        },
    )
}

/// `BUILD_TUPLE n`: the top `n` values become a tuple (the helper takes
/// their references).
fn build_tuple(s: &mut B) -> R {
    crate::containers::build_from_stack(s, "cpjit_build_tuple")
}

/// `iter(range(args))`: `[callable, NULL, args...]` becomes the iterator
/// `cpjit_range_iter` makes (0: continue at `_JIT_JUMP_TARGET`, unchanged).
fn call_range_iter(s: &mut B) -> R {
    let n = s.oparg()?;
    let two = s.const_i64(2);
    let words = s.llvm().build_int_add(n, two, "words")?;
    let neg = s.llvm().build_int_neg(words, "neg")?;
    let base = s.word_at(s.sp, neg)?;
    let it = s
        .call_helper(
            "cpjit_range_iter",
            Some(s.i64().into()),
            &[base.into(), n.into(), s.operand()?.into()],
        )?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, it, s.const_i64(0), "made")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.llvm().build_store(base, it)?;
    s.sp = s.word_at(base, s.const_i64(1))?;
    s.continue_at(Exit::Continue)
}

fn binary_slice(s: &mut B) -> R {
    let (c, start, stop) = (s.peek(3)?, s.peek(2)?, s.peek(1)?);
    let r = s
        .call_helper(
            "cpjit_binary_slice",
            Some(s.i64().into()),
            &[c.into(), start.into(), stop.into()],
        )?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, r, s.const_i64(0), "sliced")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.drop_values(3)?;
    s.push(r)?;
    s.continue_at(Exit::Continue)
}

/// Replaces the float `v` at the top by `-v`: in its own box when the
/// stack holds the only reference (as tier 1's float arithmetic reuses
/// boxes), else in a new one.
///
/// Works on the bits (sign flip by integer xor, also for `-0.0` and NaN):
/// a float `fneg` would need a constant-pool mask, which some targets
/// relocate in ways the harvester refuses.
fn negate_top_float<'ctx>(s: &mut B<'ctx, '_>, v: IntValue<'ctx>) -> R {
    let obj = s.llvm().build_int_to_ptr(v, s.ptr(), "float")?;
    let value = s.field_ptr(obj, &FloatObj::DESC, "value")?;
    let x = s
        .llvm()
        .build_load(s.i64(), value, "bits")?
        .into_int_value();
    let r = s.llvm().build_xor(x, s.const_i64(i64::MIN), "neg")?;
    let unique = is_unique(s, obj)?;
    s.if_else(
        unique,
        |s| {
            s.llvm().build_store(value, r)?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            let boxed = s
                .call_helper("cpjit_box_float", Some(s.i64().into()), &[r.into()])?
                .ok_or(TemplateError::Signature)?
                .into_int_value();
            s.drop_values(1)?;
            s.push(boxed)?;
            s.decref_obj(v)?;
            s.continue_at(Exit::Continue)
        },
    )
}

fn unary_negative(s: &mut B) -> R {
    let v = s.peek(1)?;
    let sp = s.sp;
    s.if_then(s.is_small_int(v)?, |s| {
        // On the tagged word: -(2a+1) + 2 is 2(-a)+1; it overflows exactly
        // when -a does not fit 63 bits.
        let (r, overflow) = s.with_overflow("ssub", s.const_i64(2), v)?;
        let ok = s.llvm().build_not(overflow, "ok")?;
        s.guard(ok, Exit::JumpTarget)?;
        s.drop_values(1)?;
        s.push(r)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    guard_kind(s, v, kind::FLOAT)?;
    negate_top_float(s, v)
}

fn unary_negative_float(s: &mut B) -> R {
    let v = s.peek(1)?;
    negate_top_float(s, v)
}

fn unary_negative_float_unboxed(s: &mut B) -> R {
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    let v = s.llvm().build_load(s.i64(), top, "bits")?.into_int_value();
    let r = s.llvm().build_xor(v, s.const_i64(i64::MIN), "neg")?;
    s.llvm().build_store(top, r)?;
    s.continue_at(Exit::Continue)
}

fn unary_not(s: &mut B) -> R {
    let v = s.peek(1)?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    let b = s.llvm();
    let is_t = b.build_int_compare(IntPredicate::EQ, v, t, "is_t")?;
    let is_f = b.build_int_compare(IntPredicate::EQ, v, f, "is_f")?;
    let is_bool = b.build_or(is_t, is_f, "is_bool")?;
    let is_int = s.is_small_int(v)?;
    let ok = s.llvm().build_or(is_bool, is_int, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let b = s.llvm();
    // Small int 0 is the word 1. Bools and small ints own no reference.
    let is_zero = b.build_int_compare(IntPredicate::EQ, v, s.const_i64(1), "is_zero")?;
    let falsy = b.build_or(is_zero, is_f, "falsy")?;
    let r = b.build_select(falsy, t, f, "not")?.into_int_value();
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    s.llvm().build_store(top, r)?;
    s.continue_at(Exit::Continue)
}

fn is_op(s: &mut B) -> R {
    let right = s.pop()?;
    let left = s.pop()?;
    let b = s.llvm();
    let same = b.build_int_compare(IntPredicate::EQ, left, right, "same")?;
    let invert = b.build_int_compare(IntPredicate::NE, s.oparg()?, s.const_i64(0), "invert")?;
    let r = b.build_xor(same, invert, "is")?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    let result = s.llvm().build_select(r, t, f, "result")?.into_int_value();
    s.push(result)?;
    s.decref(left)?;
    s.decref(right)?;
    s.continue_at(Exit::Continue)
}

/// `x ** y` by repeated multiplication (`0 <= y < 64`), each step checked:
/// any overflow exits before the stack changes.
fn binary_op_power_int(s: &mut B) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let x = s.decode_int(left)?;
    let y = s.decode_int(right)?;
    let small = s
        .llvm()
        .build_int_compare(IntPredicate::ULT, y, s.const_i64(64), "small_exp")?;
    s.guard(small, Exit::JumpTarget)?;
    let r = s.counted_loop(y, s.const_i64(1), |s, _, acc| {
        let (p, overflow) = s.with_overflow("smul", acc, x)?;
        let ok = s.llvm().build_not(overflow, "ok")?;
        s.guard(ok, Exit::JumpTarget)?;
        Ok(p)
    })?;
    s.guard(s.fits_small_int(r)?, Exit::JumpTarget)?;
    s.drop_values(2)?;
    s.push(s.encode_int(r)?)?;
    s.continue_at(Exit::Continue)
}

// ----- dicts, lists and tuples (s6-dict) -----

/// Calls `helper(args)` (an i64 result) and continues at
/// `_JIT_JUMP_TARGET`, stack unchanged, when it answers 0.
fn call_or_exit<'ctx>(
    s: &mut B<'ctx, '_>,
    helper: &str,
    args: &[IntValue<'ctx>],
) -> Result<IntValue<'ctx>, TemplateError> {
    let args: Vec<_> = args.iter().map(|&a| a.into()).collect();
    let r = s
        .call_helper(helper, Some(s.i64().into()), &args)?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, r, s.const_i64(0), "done")?;
    s.guard(ok, Exit::JumpTarget)?;
    Ok(r)
}

/// `hash(n)` is `n` itself for `0 <= n < 2**61 - 1` (CPython's modulus).
const INT_HASH_MODULUS: i64 = (1 << 61) - 1;

/// The hash of the key `k` when it needs no code: a small int that is its
/// own hash, or a str whose hash is cached. Returns `(known, hash)`.
fn quick_hash<'ctx>(
    s: &mut B<'ctx, '_>,
    k: IntValue<'ctx>,
) -> Result<(IntValue<'ctx>, IntValue<'ctx>), TemplateError> {
    let int_bb = s.new_block("int_key");
    let other_bb = s.new_block("other_key");
    let str_bb = s.new_block("str_key");
    let join = s.new_block("hash_join");
    let is_int = s.is_small_int(k)?;
    s.llvm()
        .build_conditional_branch(is_int, int_bb, other_bb)?;
    s.llvm().position_at_end(int_bb);
    let n = s.decode_int(k)?;
    let own = s.llvm().build_int_compare(
        IntPredicate::ULT,
        n,
        s.const_i64(INT_HASH_MODULUS),
        "own_hash",
    )?;
    s.llvm().build_unconditional_branch(join)?;
    s.llvm().position_at_end(other_bb);
    let is_str = is_value_kind(s, k, kind::STR)?;
    let other_end = s
        .llvm()
        .get_insert_block()
        .ok_or(TemplateError::Signature)?;
    s.llvm().build_conditional_branch(is_str, str_bb, join)?;
    s.llvm().position_at_end(str_bb);
    let obj = s.llvm().build_int_to_ptr(k, s.ptr(), "str")?;
    let h = s.load_field(obj, &StrHead::DESC, "hash")?.into_int_value();
    let cached = s
        .llvm()
        .build_int_compare(IntPredicate::NE, h, s.const_i64(-1), "cached")?;
    s.llvm().build_unconditional_branch(join)?;
    s.llvm().position_at_end(join);
    let hash = s.llvm().build_phi(s.i64(), "hash")?;
    hash.add_incoming(&[(&n, int_bb), (&h, str_bb), (&s.const_i64(0), other_end)]);
    let known = s.llvm().build_phi(s.ctx().bool_type(), "known")?;
    let no = s.ctx().bool_type().const_zero();
    known.add_incoming(&[(&own, int_bb), (&cached, str_bb), (&no, other_end)]);
    Ok((
        known.as_basic_value().into_int_value(),
        hash.as_basic_value().into_int_value(),
    ))
}

/// Runs `then(entry)` when the dict `c` holds the key `k` (a small int or
/// a str, see [`quick_hash`]) as that very object (small ints are one
/// word; the runtime interns the strs of the program's constants), found
/// by the table's own probe (linear from `hash & mask`, past dummies);
/// building goes on after it for every other case (a miss, an equal hash
/// of another object, another key kind), which the caller hands to its
/// helper. `c` and `k` are values, never NULL.
pub(crate) fn with_probe_hit<'ctx>(
    s: &mut B<'ctx, '_>,
    c: IntValue<'ctx>,
    k: IntValue<'ctx>,
    then: impl FnOnce(&mut B<'ctx, '_>, inkwell::values::PointerValue<'ctx>) -> R,
) -> R {
    let is_dict = is_value_kind(s, c, kind::DICT)?;
    let sp = s.sp;
    s.if_then(is_dict, |s| {
        let (known, h) = quick_hash(s, k)?;
        s.if_then(known, |s| {
            let d = s.llvm().build_int_to_ptr(c, s.ptr(), "dict")?;
            let index = s
                .load_field(d, &DictHead::DESC, "index")?
                .into_pointer_value();
            let mask = s.load_field(d, &DictHead::DESC, "mask")?.into_int_value();
            let mask = to_i64(s, mask)?;
            let entries = s
                .load_field(d, &DictHead::DESC, "entries")?
                .into_pointer_value();
            let first = s.llvm().build_and(h, mask, "first")?;
            let pre = s
                .llvm()
                .get_insert_block()
                .ok_or(TemplateError::Signature)?;
            let head = s.new_block("probe");
            let used_bb = s.new_block("probe_used");
            let other_bb = s.new_block("probe_other");
            let next_bb = s.new_block("probe_next");
            let hit_bb = s.new_block("probe_hit");
            let out = s.new_block("probe_out");
            s.llvm().build_unconditional_branch(head)?;
            s.llvm().position_at_end(head);
            let slot = s.llvm().build_phi(s.i64(), "slot")?;
            let i = slot.as_basic_value().into_int_value();
            // SAFETY: building a GEP is not a memory access; `i <= mask`
            // keeps it inside the index (DictHead's contract).
            let slot_ptr = unsafe {
                s.llvm()
                    .build_in_bounds_gep(s.i32(), index, &[i], "slot_ptr")?
            };
            let e = s
                .llvm()
                .build_load(s.i32(), slot_ptr, "e")?
                .into_int_value();
            let e = s.llvm().build_int_s_extend(e, s.i64(), "e64")?;
            let used = s
                .llvm()
                .build_int_compare(IntPredicate::SGE, e, s.const_i64(0), "used")?;
            s.llvm().build_conditional_branch(used, used_bb, other_bb)?;
            // An empty slot ends the probe (a miss); a dummy goes on.
            s.llvm().position_at_end(other_bb);
            let empty =
                s.llvm()
                    .build_int_compare(IntPredicate::EQ, e, s.const_i64(-1), "empty")?;
            s.llvm().build_conditional_branch(empty, out, next_bb)?;
            s.llvm().position_at_end(used_bb);
            let ty = s.struct_ty(&DictEntry::DESC);
            // SAFETY: as above; a used slot holds a live entry's position.
            let entry = unsafe { s.llvm().build_in_bounds_gep(ty, entries, &[e], "entry")? };
            let key = s
                .load_field(entry, &DictEntry::DESC, "key")?
                .into_int_value();
            let same = s
                .llvm()
                .build_int_compare(IntPredicate::EQ, key, k, "same")?;
            let check_hash = s.new_block("probe_hash");
            s.llvm()
                .build_conditional_branch(same, hit_bb, check_hash)?;
            // Another object of the same hash may be an equal key: the
            // helper's general equality decides.
            s.llvm().position_at_end(check_hash);
            let eh = s
                .load_field(entry, &DictEntry::DESC, "hash")?
                .into_int_value();
            let collide = s
                .llvm()
                .build_int_compare(IntPredicate::EQ, eh, h, "collide")?;
            s.llvm().build_conditional_branch(collide, out, next_bb)?;
            s.llvm().position_at_end(next_bb);
            let inc = s.llvm().build_int_add(i, s.const_i64(1), "inc")?;
            let wrapped = s.llvm().build_and(inc, mask, "wrapped")?;
            s.llvm().build_unconditional_branch(head)?;
            slot.add_incoming(&[(&first, pre), (&wrapped, next_bb)]);
            s.llvm().position_at_end(hit_bb);
            then(s, entry)?;
            // What `then` leaves open falls back to the helper too.
            let open = s
                .llvm()
                .get_insert_block()
                .is_some_and(|bb| bb.get_terminator().is_none());
            if open {
                s.llvm().build_unconditional_branch(out)?;
            }
            s.llvm().position_at_end(out);
            Ok(())
        })
    })?;
    s.sp = sp;
    Ok(())
}

fn binary_subscr_dict(s: &mut B) -> R {
    let (c, k) = (s.peek(2)?, s.peek(1)?);
    with_probe_hit(s, c, k, |s, entry| {
        let v = s
            .load_field(entry, &DictEntry::DESC, "value")?
            .into_int_value();
        s.incref(v)?;
        s.drop_values(2)?;
        s.push(v)?;
        s.decref(k)?;
        s.decref_obj(c)?;
        s.continue_at(Exit::Continue)
    })?;
    let v = call_or_exit(s, "cpjit_dict_subscr", &[c, k])?;
    s.drop_values(2)?;
    s.push(v)?;
    s.continue_at(Exit::Continue)
}

fn store_subscr_dict(s: &mut B) -> R {
    let (v, c, k) = (s.peek(3)?, s.peek(2)?, s.peek(1)?);
    with_probe_hit(s, c, k, |s, entry| {
        // Rebinding an existing key of an unwatched table inline (a
        // watched one notifies tier 2: the helper's path).
        let d = s.llvm().build_int_to_ptr(c, s.ptr(), "dict")?;
        let watched = s
            .load_field(d, &DictHead::DESC, "watched")?
            .into_int_value();
        let quiet =
            s.llvm()
                .build_int_compare(IntPredicate::EQ, watched, s.const_i64(0), "quiet")?;
        s.if_then(quiet, |s| {
            let slot = s.field_ptr(entry, &DictEntry::DESC, "value")?;
            let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
            s.llvm().build_store(slot, v)?;
            s.drop_values(3)?;
            s.decref(old)?;
            s.decref_obj(c)?;
            s.decref(k)?;
            s.continue_at(Exit::Continue)
        })
    })?;
    call_or_exit(s, "cpjit_dict_store", &[v, c, k])?;
    s.drop_values(3)?;
    s.continue_at(Exit::Continue)
}

fn load_method_of(s: &mut B, k: u32) -> R {
    let recv = s.peek(1)?;
    let ok = is_kind(s, recv, k)?;
    s.guard(ok, Exit::JumpTarget)?;
    let m = s.operand()?;
    s.incref(m)?;
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    s.llvm().build_store(top, m)?;
    s.push(recv)?;
    s.continue_at(Exit::Continue)
}

fn call_list_append(s: &mut B) -> R {
    let (m, list, x) = (s.peek(3)?, s.peek(2)?, s.peek(1)?);
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list")?;
    let len = s.load_field(obj, &ListObj::DESC, "len")?.into_int_value();
    let cap = s.load_field(obj, &ListObj::DESC, "cap")?.into_int_value();
    let room = s
        .llvm()
        .build_int_compare(IntPredicate::SLT, len, cap, "room")?;
    let full = s.llvm().build_not(room, "full")?;
    s.if_then(full, |s| {
        s.call_helper(
            "cpjit_list_append",
            Some(s.i64().into()),
            &[list.into(), x.into()],
        )?;
        Ok(())
    })?;
    s.if_then(room, |s| {
        let items = s
            .load_field(obj, &ListObj::DESC, "items")?
            .into_pointer_value();
        let slot = s.word_at(items, sext_i64(s, len)?)?;
        s.llvm().build_store(slot, x)?;
        let one = len.get_type().const_int(1, false);
        let len1 = s.llvm().build_int_add(len, one, "len1")?;
        s.store_field(obj, &ListObj::DESC, "len", len1)
    })?;
    s.drop_values(3)?;
    s.decref_obj(list)?;
    s.decref_obj(m)?;
    s.push(s.runtime_data("cpjit_none")?)?;
    s.continue_at(Exit::Continue)
}

fn call_list_pop(s: &mut B) -> R {
    // `oparg` is 0 or 1 (the projection's promise): the index, if any, is
    // on top, the list under it, the method under that.
    let n = s.oparg()?;
    let has_index = s
        .llvm()
        .build_int_compare(IntPredicate::NE, n, s.const_i64(0), "has_index")?;
    let top = s.peek(1)?;
    let i = s
        .llvm()
        .build_select(has_index, top, s.const_i64(0), "index")?
        .into_int_value();
    let two = s.const_i64(2);
    let words = s.llvm().build_int_add(n, two, "words")?;
    let neg = s.llvm().build_int_neg(words, "neg")?;
    let base = s.word_at(s.sp, neg)?;
    let list_slot = s.word_at(base, s.const_i64(1))?;
    let list = s
        .llvm()
        .build_load(s.i64(), list_slot, "list")?
        .into_int_value();
    let m = s
        .llvm()
        .build_load(s.i64(), base, "method")?
        .into_int_value();
    // Inline when the index is absent or a small int in range and at most
    // a few items move down (a short queue's `pop(0)`, any `pop()`): the
    // receiver is a list (`_LOAD_METHOD_LIST` guarded it just before).
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let len = s.load_field(obj, &ListObj::DESC, "len")?.into_int_value();
    let len = sext_i64(s, len)?;
    let is_int = s.is_small_int(i)?;
    let no_index = s.llvm().build_not(has_index, "no_index")?;
    let usable = s.llvm().build_or(no_index, is_int, "usable")?;
    let raw = s.decode_int(i)?;
    let last = s.llvm().build_int_sub(len, s.const_i64(1), "last")?;
    let neg_i = s
        .llvm()
        .build_int_compare(IntPredicate::SLT, raw, s.const_i64(0), "neg_i")?;
    let wrapped = s.llvm().build_int_add(raw, len, "wrapped")?;
    let from_end = s
        .llvm()
        .build_select(neg_i, wrapped, raw, "from_end")?
        .into_int_value();
    let j = s
        .llvm()
        .build_select(has_index, from_end, last, "j")?
        .into_int_value();
    // `j < len` unsigned: also false for a negative `j` (an empty list's
    // `pop()` included).
    let in_range = s
        .llvm()
        .build_int_compare(IntPredicate::ULT, j, len, "in_range")?;
    let moved = s.llvm().build_int_sub(last, j, "moved")?;
    let short = s
        .llvm()
        .build_int_compare(IntPredicate::ULE, moved, s.const_i64(8), "short")?;
    let fast = s.llvm().build_and(usable, in_range, "fast")?;
    let fast = s.llvm().build_and(fast, short, "fast_short")?;
    let sp = s.sp;
    s.if_then(fast, |s| {
        let items = s
            .load_field(obj, &ListObj::DESC, "items")?
            .into_pointer_value();
        let slot = s.word_at(items, j)?;
        let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
        s.counted_loop(moved, s.const_i64(0), |s, k, acc| {
            let at = s.llvm().build_int_add(j, k, "at")?;
            let from = s.llvm().build_int_add(at, s.const_i64(1), "from")?;
            let v = s
                .llvm()
                .build_load(s.i64(), s.word_at(items, from)?, "next_item")?;
            s.llvm().build_store(s.word_at(items, at)?, v)?;
            Ok(acc)
        })?;
        let new_len = s
            .llvm()
            .build_int_truncate_or_bit_cast(last, s.intptr(), "new_len")?;
        s.store_field(obj, &ListObj::DESC, "len", new_len)?;
        s.llvm().build_store(base, item)?;
        s.sp = list_slot;
        s.decref_obj(list)?;
        s.decref_obj(m)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    let item = call_or_exit(s, "cpjit_list_pop", &[list, i])?;
    // A small int index (the helper declined anything else) needs no release.
    s.llvm().build_store(base, item)?;
    s.sp = list_slot;
    s.decref_obj(list)?;
    s.decref_obj(m)?;
    s.continue_at(Exit::Continue)
}

fn call_dict_get(s: &mut B) -> R {
    let n = s.oparg()?;
    let two = s.const_i64(2);
    let words = s.llvm().build_int_add(n, two, "words")?;
    let neg = s.llvm().build_int_neg(words, "neg")?;
    let base = s.word_at(s.sp, neg)?;
    let v = s
        .call_helper(
            "cpjit_dict_get",
            Some(s.i64().into()),
            &[base.into(), n.into()],
        )?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, v, s.const_i64(0), "got")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.llvm().build_store(base, v)?;
    s.sp = s.word_at(base, s.const_i64(1))?;
    s.continue_at(Exit::Continue)
}
