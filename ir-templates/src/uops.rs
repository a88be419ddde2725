//! One template per uop, with the semantics of `jit-contract.md`. They read
//! like CPython's `bytecodes.c` cases: the builder layer does the plumbing.

use cpjit_abi::layout::{status, Executor, ExitData, Frame, ThreadState};
use cpjit_abi::uop::Uop;
use inkwell::IntPredicate;

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
    }
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
