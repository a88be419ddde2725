//! One template per uop, with the semantics of `jit-contract.md`. They read
//! like CPython's `bytecodes.c` cases: the builder layer does the plumbing.

use cpjit_abi::layout::{
    kind, status, CellObj, Executor, ExitData, FloatObj, Frame, ListObj, ObjHeader, ThreadState,
};
use cpjit_abi::uop::Uop;
use inkwell::values::{FloatValue, IntValue, PointerValue};
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
        Uop::PUSH_FRAME => push_frame(s),
        Uop::POP_FRAME => pop_frame(s),
        Uop::LOAD_DEREF => load_deref(s),
        Uop::STORE_DEREF => store_deref(s),
    }
}

/// `cpjit_push_frame(frame, sp, tstate, nargs, code, target) -> new frame`
/// (NULL: guard failed, nothing changed); the trace goes on in the new
/// frame, at its empty stack.
fn push_frame(s: &mut B) -> R {
    let args = [
        s.frame.into(),
        s.sp.into(),
        s.tstate.into(),
        s.oparg()?.into(),
        s.operand()?.into(),
        s.hole("TARGET")?.into(),
    ];
    let new_frame = s
        .call_helper("cpjit_push_frame", Some(s.ptr().into()), &args)?
        .ok_or(TemplateError::Signature)?
        .into_pointer_value();
    let bits = s
        .llvm()
        .build_ptr_to_int(new_frame, s.i64(), "new_frame_bits")?;
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, bits, s.const_i64(0), "pushed")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.frame = new_frame;
    s.sp = s
        .load_field(new_frame, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    s.continue_at(Exit::Continue)
}

/// `cpjit_pop_frame(frame, sp, tstate) -> caller`: the trace goes on in the
/// caller, with the return value pushed on its stack.
fn pop_frame(s: &mut B) -> R {
    let args = [s.frame.into(), s.sp.into(), s.tstate.into()];
    let caller = s
        .call_helper("cpjit_pop_frame", Some(s.ptr().into()), &args)?
        .ok_or(TemplateError::Signature)?
        .into_pointer_value();
    s.frame = caller;
    s.sp = s
        .load_field(caller, &Frame::DESC, "stack_pointer")?
        .into_pointer_value();
    s.continue_at(Exit::Continue)
}

/// The cell in `localsplus[oparg]`, as a pointer.
fn cell<'ctx>(s: &B<'ctx, '_>) -> Result<PointerValue<'ctx>, TemplateError> {
    let slot = s.local_slot(s.oparg()?)?;
    let cell = s.llvm().build_load(s.ptr(), slot, "cell")?;
    Ok(cell.into_pointer_value())
}

/// Push the cell's value (incref); an empty cell continues at the jump target.
fn load_deref(s: &mut B) -> R {
    let cell = cell(s)?;
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

/// Pop a value into the cell, releasing the old one.
fn store_deref(s: &mut B) -> R {
    let value = s.pop()?;
    let cell = cell(s)?;
    let old = s
        .load_field(cell, &CellObj::DESC, "value")?
        .into_int_value();
    s.store_field(cell, &CellObj::DESC, "value", value)?;
    s.xdecref(old)?;
    s.continue_at(Exit::Continue)
}

fn nop(s: &mut B) -> R {
    s.continue_at(Exit::Continue)
}

fn load_fast(s: &mut B) -> R {
    let slot = s.local_slot(s.oparg()?)?;
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
    let slot = s.local_slot(s.oparg()?)?;
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
fn binary_op_int(s: &mut B, op: &str) -> R {
    let left = s.decode_int(s.peek(2)?)?;
    let right = s.decode_int(s.peek(1)?)?;
    let (result, overflow) = s.with_overflow(op, left, right)?;
    let no_overflow = s.llvm().build_not(overflow, "no_overflow")?;
    let fits = s.fits_small_int(result)?;
    let ok = s.llvm().build_and(no_overflow, fits, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.drop_values(2)?;
    s.push(s.encode_int(result)?)?;
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
                .load_field(linked, &Executor::DESC, "jit_side_entry")?
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
    let slot = s.local_slot(s.oparg()?)?;
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
fn is_kind<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
    k: u32,
) -> Result<IntValue<'ctx>, TemplateError> {
    let b = s.llvm();
    let tag = b.build_and(v, s.const_i64(1), "tag")?;
    let is_obj = b.build_int_compare(IntPredicate::EQ, tag, s.const_i64(0), "is_obj")?;
    // Small ints are odd: clear the tag so the load below always reads an
    // aligned header; its result only matters for objects.
    let clean = b.build_and(v, s.const_i64(-2), "clean")?;
    let not_null = b.build_int_compare(IntPredicate::NE, clean, s.const_i64(0), "not_null")?;
    let safe = b.build_and(is_obj, not_null, "safe")?;
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
    Ok(b.build_int_compare(
        IntPredicate::EQ,
        result,
        s.i32().const_int(k as u64, false),
        "is_kind",
    )?)
}

fn float_value<'ctx>(
    s: &B<'ctx, '_>,
    v: IntValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    let obj = s.llvm().build_int_to_ptr(v, s.ptr(), "float")?;
    Ok(s.load_field(obj, &FloatObj::DESC, "value")?
        .into_float_value())
}

fn guard_both_float(s: &mut B) -> R {
    let (left, right) = (s.peek(2)?, s.peek(1)?);
    let a = is_kind(s, left, kind::FLOAT)?;
    let b = is_kind(s, right, kind::FLOAT)?;
    let both = s.llvm().build_and(a, b, "both")?;
    s.guard(both, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

#[derive(Clone, Copy)]
enum FloatOp {
    Add,
    Sub,
    Mul,
}

fn binary_op_float(s: &mut B, fop: FloatOp) -> R {
    let left = s.peek(2)?;
    let right = s.peek(1)?;
    let x = float_value(s, left)?;
    let y = float_value(s, right)?;
    let b = s.llvm();
    let r = match fop {
        FloatOp::Add => b.build_float_add(x, y, "r")?,
        FloatOp::Sub => b.build_float_sub(x, y, "r")?,
        FloatOp::Mul => b.build_float_mul(x, y, "r")?,
    };
    let obj = b.build_int_to_ptr(left, s.ptr(), "left")?;
    let rc = s
        .load_field(obj, &ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let unique = s.llvm().build_int_compare(
        IntPredicate::EQ,
        rc,
        rc.get_type().const_int(1, false),
        "unique",
    )?;
    s.if_else(
        unique,
        |s| {
            // Reuse the left operand's box (tier 1 does the same).
            s.store_field(obj, &FloatObj::DESC, "value", r)?;
            s.drop_values(1)?;
            s.decref(right)?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            let bits = s
                .llvm()
                .build_bit_cast(r, s.i64(), "bits")?
                .into_int_value();
            let boxed = s
                .call_helper("cpjit_box_float", Some(s.i64().into()), &[bits.into()])?
                .ok_or(TemplateError::Signature)?
                .into_int_value();
            s.drop_values(2)?;
            s.push(boxed)?;
            s.decref(left)?;
            s.decref(right)?;
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
    s.decref(left)?;
    s.decref(right)?;
    s.continue_at(Exit::Continue)
}

/// The bool singleton for `x <op> y`, `op` being the oparg (as `_COMPARE_OP_INT`).
fn float_compare<'ctx>(
    s: &B<'ctx, '_>,
    x: FloatValue<'ctx>,
    y: FloatValue<'ctx>,
) -> Result<IntValue<'ctx>, TemplateError> {
    let b = s.llvm();
    // Each comparison: the ordered predicate, except `!=` (true on NaN).
    let preds = [
        FloatPredicate::OLT,
        FloatPredicate::OLE,
        FloatPredicate::OEQ,
        FloatPredicate::UNE,
        FloatPredicate::OGT,
        FloatPredicate::OGE,
    ];
    let oparg = s.oparg()?;
    let t = s.runtime_data("cpjit_true")?;
    let f = s.runtime_data("cpjit_false")?;
    let mut result = f;
    for (k, p) in preds.iter().enumerate() {
        let c = b.build_float_compare(*p, x, y, "c")?;
        let is_k = b.build_int_compare(IntPredicate::EQ, oparg, s.const_i64(k as i64), "is_k")?;
        let v = b.build_select(c, t, f, "v")?.into_int_value();
        result = b.build_select(is_k, v, result, "result")?.into_int_value();
    }
    Ok(result)
}

// ----- unboxed floats: stack words holding f64 bits -----

fn guard_float_at(s: &mut B, depth: u64) -> R {
    let v = s.peek(depth)?;
    let ok = is_kind(s, v, kind::FLOAT)?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// The f64 whose bits are the word `v`.
fn unboxed<'ctx>(s: &B<'ctx, '_>, v: IntValue<'ctx>) -> Result<FloatValue<'ctx>, TemplateError> {
    Ok(s.llvm()
        .build_bit_cast(v, s.ctx().f64_type(), "unboxed")?
        .into_float_value())
}

/// The word holding the bits of `f`.
fn bits<'ctx>(s: &B<'ctx, '_>, f: FloatValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
    Ok(s.llvm()
        .build_bit_cast(f, s.i64(), "bits")?
        .into_int_value())
}

fn load_fast_unboxed_float(s: &mut B) -> R {
    let slot = s.local_slot(s.oparg()?)?;
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
    let right = s.pop()?;
    let left = s.pop()?;
    let x = unboxed(s, left)?;
    let y = unboxed(s, right)?;
    let b = s.llvm();
    let r = match fop {
        FloatOp::Add => b.build_float_add(x, y, "r")?,
        FloatOp::Sub => b.build_float_sub(x, y, "r")?,
        FloatOp::Mul => b.build_float_mul(x, y, "r")?,
    };
    s.push(bits(s, r)?)?;
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
    let slot = s.local_slot(s.oparg()?)?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    let is_float = is_kind(s, old, kind::FLOAT)?;
    s.if_then(is_float, |s| {
        let obj = s.llvm().build_int_to_ptr(old, s.ptr(), "old_obj")?;
        let rc = s
            .load_field(obj, &ObjHeader::DESC, "refcnt")?
            .into_int_value();
        let unique = s.llvm().build_int_compare(
            IntPredicate::EQ,
            rc,
            rc.get_type().const_int(1, false),
            "unique",
        )?;
        s.if_then(unique, |s| {
            // Only the local holds the old float: write into its box.
            let f = unboxed(s, value)?;
            s.store_field(obj, &FloatObj::DESC, "value", f)?;
            s.continue_at(Exit::Continue)
        })
    })?;
    let boxed = s
        .call_helper("cpjit_box_float", Some(s.i64().into()), &[value.into()])?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
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
    let boxed = s
        .call_helper("cpjit_box_float", Some(s.i64().into()), &[v.into()])?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    s.llvm().build_store(p, boxed)?;
    s.continue_at(Exit::Continue)
}

fn unbox_float_at(s: &mut B) -> R {
    let p = slot_at_oparg(s)?;
    let v = s.llvm().build_load(s.i64(), p, "boxed")?.into_int_value();
    let f = float_value(s, v)?;
    s.llvm().build_store(p, bits(s, f)?)?;
    s.decref(v)?;
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

/// Guards `[list, int]` with the int in bounds (negative indices count
/// from the end); returns the list object and the item's address.
fn list_item_slot<'ctx>(
    s: &mut B<'ctx, '_>,
    list: IntValue<'ctx>,
    index: IntValue<'ctx>,
) -> Result<
    (
        inkwell::values::PointerValue<'ctx>,
        inkwell::values::PointerValue<'ctx>,
    ),
    TemplateError,
> {
    let is_list = is_kind(s, list, kind::LIST)?;
    let is_int = s.is_small_int(index)?;
    let ok = s.llvm().build_and(is_list, is_int, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list")?;
    let len = s.load_field(obj, &ListObj::DESC, "len")?.into_int_value();
    let len = if len.get_type().get_bit_width() == 64 {
        len
    } else {
        s.llvm().build_int_s_extend(len, s.i64(), "len64")?
    };
    let i = s.decode_int(index)?;
    let b = s.llvm();
    let neg = b.build_int_compare(IntPredicate::SLT, i, s.const_i64(0), "neg")?;
    let wrapped = b.build_int_add(i, len, "wrapped")?;
    let i = b.build_select(neg, wrapped, i, "i")?.into_int_value();
    // Unsigned compare: also rejects a still-negative index.
    let in_bounds = b.build_int_compare(IntPredicate::ULT, i, len, "in_bounds")?;
    s.guard(in_bounds, Exit::JumpTarget)?;
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
    s.decref(list)?;
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
    s.decref(list)?;
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
    let slow = s.llvm().build_not(fast, "slow")?;
    s.if_then(slow, |s| {
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
    })?;
    let b = s.llvm();
    // Small int 0 is the word 1.
    let nonzero = b.build_int_compare(IntPredicate::NE, v, s.const_i64(1), "nonzero")?;
    let int_truth = b.build_select(nonzero, t, f, "int_truth")?.into_int_value();
    let r = b.build_select(is_int, int_truth, v, "r")?.into_int_value();
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
