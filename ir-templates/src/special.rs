//! The two templates that are not uops: the trampoline `_ENTRY` and the
//! `_FATAL_ERROR` guard after every trace.

use cpjit_abi::layout::{Executor, ThreadState};
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::targets::TargetData;
use inkwell::{AddressSpace, IntPredicate};

use crate::builder::StencilBuilder;
use crate::{TemplateError, TemplateOptions};

/// `_ENTRY(executor, frame, stack_pointer, tstate) -> i64`, C convention:
/// takes a reference to the executor, calls the trace (a normal call), then
/// moves that reference into `tstate.previous_executor`, releasing the old
/// one, and returns the trace's status.
///
/// Unlike the seed's, this trampoline is never empty: even where stencils
/// keep the C convention it owns the executor reference hand-off, and its
/// signature (executor first) differs from a stencil's.
pub fn trampoline<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    td: &TargetData,
    opts: &TemplateOptions,
) -> Result<(), TemplateError> {
    let p = ctx.ptr_type(AddressSpace::default());
    let ty = ctx
        .i64_type()
        .fn_type(&[p.into(), p.into(), p.into(), p.into()], false);
    let func = module.add_function("_ENTRY", ty, None);
    let mut s = StencilBuilder::with_function(ctx, module, td, opts, func, 1)?;
    let executor = func
        .get_nth_param(0)
        .ok_or(TemplateError::Signature)?
        .into_pointer_value();

    let rc = s
        .load_field(executor, &Executor::DESC, "refcnt")?
        .into_int_value();
    let one = rc.get_type().const_int(1, false);
    let rc = s.llvm().build_int_add(rc, one, "rc")?;
    s.store_field(executor, &Executor::DESC, "refcnt", rc)?;

    let status = s.call_continue(s.frame, s.sp, s.tstate)?;

    let old = s
        .load_field(s.tstate, &ThreadState::DESC, "previous_executor")?
        .into_pointer_value();
    s.store_field(s.tstate, &ThreadState::DESC, "previous_executor", executor)?;
    let has_old = s.llvm().build_is_not_null(old, "has_old")?;
    s.if_then(has_old, |s| {
        let rc = s
            .load_field(old, &Executor::DESC, "refcnt")?
            .into_int_value();
        let rc = s
            .llvm()
            .build_int_sub(rc, rc.get_type().const_int(1, false), "rc")?;
        s.store_field(old, &Executor::DESC, "refcnt", rc)?;
        let dead =
            s.llvm()
                .build_int_compare(IntPredicate::EQ, rc, rc.get_type().const_zero(), "dead")?;
        s.if_then(dead, |s| {
            s.call_helper("cpjit_executor_dealloc", None, &[old.into()])?;
            Ok(())
        })
    })?;
    s.return_value(status)
}

/// `_FATAL_ERROR`: running off the end of a trace calls
/// `cpjit_fatal_error()`, which never returns.
pub fn fatal_error(s: &mut StencilBuilder<'_, '_>) -> Result<(), TemplateError> {
    s.call_helper("cpjit_fatal_error", None, &[])?;
    s.llvm().build_unreachable()?;
    Ok(())
}
