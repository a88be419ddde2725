//! The builder layer templates are written in: state registers, the value
//! stack, holes, guards, calls to runtime helpers and reference counting.
//!
//! A [`StencilBuilder`] owns the `_JIT_ENTRY` function being built. Its state
//! registers are `frame`, `stack_pointer` (one past the top value) and
//! `tstate`; [`StencilBuilder::push`]/[`StencilBuilder::pop`] move the stack
//! pointer, and every way out ([`StencilBuilder::continue_at`],
//! [`StencilBuilder::guard`], [`StencilBuilder::return_status`]) passes the
//! current registers on. See `jit-contract.md` for the conventions.

use cpjit_abi::layout::{
    kind, FloatFreeList, FloatObj, ObjHeader, StructDesc, FLOAT_FREE_LIST_CAPACITY,
};
use cpjit_abi::stencil::CallConv;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetData;
use inkwell::types::{
    BasicMetadataTypeEnum, BasicTypeEnum, FunctionType, IntType, PointerType, StructType,
};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, GlobalValue, IntValue, PointerValue,
};
use inkwell::{AddressSpace, DLLStorageClass, GlobalVisibility, IntPredicate};

use crate::{TemplateError, TemplateOptions, ValueAccess};

/// LLVM's numeric ID of a calling convention (`CallingConv.h`, LLVM 19).
pub fn call_conv_id(cc: CallConv) -> u32 {
    match cc {
        CallConv::PreserveNone => 21,
        CallConv::Ghc => 10,
        CallConv::C => 0,
    }
}

/// Where a stencil continues: the hole naming the code to tail-call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The next uop (`_JIT_CONTINUE`).
    Continue,
    /// The instruction's jump target (`_JIT_JUMP_TARGET`).
    JumpTarget,
    /// The instruction's error target (`_JIT_ERROR_TARGET`).
    ErrorTarget,
    /// The start of the trace (`_JIT_TOP`).
    Top,
}

impl Exit {
    /// The hole symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Exit::Continue => "_JIT_CONTINUE",
            Exit::JumpTarget => "_JIT_JUMP_TARGET",
            Exit::ErrorTarget => "_JIT_ERROR_TARGET",
            Exit::Top => "_JIT_TOP",
        }
    }
}

/// Builds one stencil function. See the module documentation.
pub struct StencilBuilder<'ctx, 'a> {
    ctx: &'ctx Context,
    module: &'a Module<'ctx>,
    b: Builder<'ctx>,
    td: &'a TargetData,
    opts: &'a TemplateOptions,
    func: FunctionValue<'ctx>,
    /// `frame` state register.
    pub frame: PointerValue<'ctx>,
    /// `stack_pointer` state register (one past the top value).
    pub sp: PointerValue<'ctx>,
    /// `tstate` state register.
    pub tstate: PointerValue<'ctx>,
}

impl<'ctx, 'a> StencilBuilder<'ctx, 'a> {
    /// Starts `_JIT_ENTRY(frame, stack_pointer, tstate) -> i64` in the JIT's
    /// calling convention.
    pub fn new(
        ctx: &'ctx Context,
        module: &'a Module<'ctx>,
        td: &'a TargetData,
        opts: &'a TemplateOptions,
    ) -> Result<Self, TemplateError> {
        let func = module.add_function("_JIT_ENTRY", jit_fn_type(ctx), None);
        func.set_call_conventions(call_conv_id(opts.cc));
        Self::with_function(ctx, module, td, opts, func, 0)
    }

    /// Starts building `func`, whose parameters from `first_state` on are the
    /// three state registers.
    pub(crate) fn with_function(
        ctx: &'ctx Context,
        module: &'a Module<'ctx>,
        td: &'a TargetData,
        opts: &'a TemplateOptions,
        func: FunctionValue<'ctx>,
        first_state: u32,
    ) -> Result<Self, TemplateError> {
        add_stencil_attributes(ctx, func, opts);
        if opts.split_cold {
            crate::profile::add(ctx, module, func);
        }
        let entry = ctx.append_basic_block(func, "entry");
        let b = ctx.create_builder();
        b.position_at_end(entry);
        let param = |i: u32| -> Result<PointerValue<'ctx>, TemplateError> {
            func.get_nth_param(first_state + i)
                .map(|p| p.into_pointer_value())
                .ok_or(TemplateError::Signature)
        };
        let (frame, sp, tstate) = (param(0)?, param(1)?, param(2)?);
        Ok(StencilBuilder {
            ctx,
            module,
            b,
            td,
            opts,
            func,
            frame,
            sp,
            tstate,
        })
    }

    /// The LLVM context.
    pub fn ctx(&self) -> &'ctx Context {
        self.ctx
    }

    /// The LLVM builder, for templates that need an instruction the layer
    /// does not wrap.
    pub fn llvm(&self) -> &Builder<'ctx> {
        &self.b
    }

    /// The function being built.
    pub fn function(&self) -> FunctionValue<'ctx> {
        self.func
    }

    /// The module being built (for intrinsic declarations).
    pub fn module(&self) -> &'a Module<'ctx> {
        self.module
    }

    /// `i64`.
    pub fn i64(&self) -> IntType<'ctx> {
        self.ctx.i64_type()
    }

    /// `i32`.
    pub fn i32(&self) -> IntType<'ctx> {
        self.ctx.i32_type()
    }

    /// The opaque pointer type.
    pub fn ptr(&self) -> PointerType<'ctx> {
        self.ctx.ptr_type(AddressSpace::default())
    }

    /// The pointer-sized integer type of the target.
    pub fn intptr(&self) -> IntType<'ctx> {
        self.ctx.ptr_sized_int_type(self.td, None)
    }

    /// An `i64` constant.
    pub fn const_i64(&self, v: i64) -> IntValue<'ctx> {
        self.i64().const_int(v as u64, true)
    }

    // ----- holes and runtime data -----

    /// Declares (once) an external global whose address is a value, reached
    /// as the target's [`ValueAccess`] says.
    fn value_global(&self, name: &str) -> GlobalValue<'ctx> {
        if let Some(g) = self.module.get_global(name) {
            return g;
        }
        let g = self.module.add_global(self.ctx.i8_type(), None, name);
        g.set_linkage(Linkage::External);
        match self.opts.value_access {
            ValueAccess::Hidden => g.set_visibility(GlobalVisibility::Hidden),
            ValueAccess::Default => {}
            ValueAccess::DllImport => g.set_dll_storage_class(DLLStorageClass::Import),
        }
        if self.opts.narrow_holes && crate::NARROW_HOLES.contains(&name) {
            self.mark_u32_range(g);
        }
        g
    }

    /// Declares that `g`'s address lies in `[0, 2^32)` (`!absolute_symbol`):
    /// LLVM then reaches it with a 32-bit immediate. The range includes zero,
    /// so LLVM no longer takes the address to be non-null either.
    fn mark_u32_range(&self, g: GlobalValue<'ctx>) {
        let kind = self.ctx.get_kind_id("absolute_symbol");
        let range = self.ctx.metadata_node(&[
            self.i64().const_zero().into(),
            self.i64().const_int(1 << 32, false).into(),
        ]);
        g.set_metadata(range, kind);
    }

    /// The address of the external symbol `name` as an `i64` (zero-extended
    /// on 32-bit targets).
    fn symbol_address(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        let g = self.value_global(name);
        let addr = self
            .b
            .build_ptr_to_int(g.as_pointer_value(), self.intptr(), name)?;
        self.widen(addr)
    }

    fn widen(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        if v.get_type().get_bit_width() == 64 {
            Ok(v)
        } else {
            Ok(self.b.build_int_z_extend(v, self.i64(), "zext")?)
        }
    }

    /// The value of hole `_JIT_<name>` (e.g. `"OPARG"`) as an `i64`.
    ///
    /// Laundered: LLVM takes the address of an external global to be
    /// non-null, so `oparg == 0` (or a zero target, exit index or operand
    /// half) would fold to false.
    pub fn hole(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        let g = self.value_global(&format!("_JIT_{name}"));
        let addr = self
            .b
            .build_ptr_to_int(g.as_pointer_value(), self.intptr(), name)?;
        let v = self.launder(addr)?;
        self.widen(v)
    }

    /// `v` through an empty inline-asm identity: the same value at run
    /// time, about which LLVM can assume nothing.
    fn launder(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let t = v.get_type();
        let launder_ty = t.fn_type(&[t.into()], false);
        let launder = self.ctx.create_inline_asm(
            launder_ty,
            String::new(),
            "=r,0".to_string(),
            false,
            false,
            None,
            false,
        );
        Ok(self
            .b
            .build_indirect_call(launder_ty, launder, &[v.into()], "opaque")?
            .try_as_basic_value()
            .basic()
            .ok_or(TemplateError::Signature)?
            .into_int_value())
    }

    /// The instruction's `oparg`.
    pub fn oparg(&self) -> Result<IntValue<'ctx>, TemplateError> {
        self.hole("OPARG")
    }

    /// The instruction's 64-bit `operand`. On 32-bit targets an address holds
    /// only 32 bits, so the high half comes from `_JIT_OPERAND_HI`.
    pub fn operand(&self) -> Result<IntValue<'ctx>, TemplateError> {
        let lo = self.hole("OPERAND")?;
        if self.intptr().get_bit_width() == 64 {
            return Ok(lo);
        }
        let hi = self.hole("OPERAND_HI")?;
        let hi = self.b.build_left_shift(hi, self.const_i64(32), "hi")?;
        Ok(self.b.build_or(hi, lo, "operand")?)
    }

    /// A hole as an `i32` (`_JIT_TARGET`, `_JIT_EXIT_INDEX`, `_JIT_OPARG`).
    pub fn hole_u32(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        let v = self.hole(name)?;
        Ok(self.b.build_int_truncate(v, self.i32(), "u32")?)
    }

    /// The executor this code belongs to (`_JIT_EXECUTOR`).
    pub fn executor(&self) -> Result<PointerValue<'ctx>, TemplateError> {
        Ok(self.value_global("_JIT_EXECUTOR").as_pointer_value())
    }

    /// The address of runtime data symbol `name` (e.g. `cpjit_true`) as a
    /// tagged value.
    pub fn runtime_data(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        self.symbol_address(name)
    }

    // ----- calls -----

    /// Calls C-convention runtime helper `name` through a pointer slot in the
    /// data stencil (a GOT entry the template makes itself), so the call
    /// reaches the helper wherever the JIT memory lands.
    pub fn call_helper(
        &self,
        name: &str,
        ret: Option<BasicTypeEnum<'ctx>>,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Result<Option<BasicValueEnum<'ctx>>, TemplateError> {
        let params = args
            .iter()
            .map(|a| match a {
                BasicMetadataValueEnum::IntValue(v) => Ok(v.get_type().into()),
                BasicMetadataValueEnum::PointerValue(v) => Ok(v.get_type().into()),
                _ => Err(TemplateError::Signature),
            })
            .collect::<Result<Vec<BasicMetadataTypeEnum<'ctx>>, TemplateError>>()?;
        let fn_ty = match ret {
            Some(t) => inkwell::types::BasicType::fn_type(&t, &params, false),
            None => self.ctx.void_type().fn_type(&params, false),
        };
        let helper = match self.module.get_function(name) {
            Some(f) => f,
            None => {
                let f = self
                    .module
                    .add_function(name, fn_ty, Some(Linkage::External));
                let nounwind = Attribute::get_named_enum_kind_id("nounwind");
                f.add_attribute(
                    AttributeLoc::Function,
                    self.ctx.create_enum_attribute(nounwind, 0),
                );
                f
            }
        };
        let slot_name = format!("{name}.slot");
        let slot = match self.module.get_global(&slot_name) {
            Some(g) => g,
            None => {
                let g = self.module.add_global(self.ptr(), None, &slot_name);
                g.set_linkage(Linkage::Private);
                g.set_initializer(&helper.as_global_value().as_pointer_value());
                g.set_constant(true);
                // Keeps LLVM from folding the load into a direct call, which
                // would need the helper within ±2 GiB (x86-64) or ±128 MiB (AArch64).
                g.set_externally_initialized(true);
                g
            }
        };
        let target = self
            .b
            .build_load(self.ptr(), slot.as_pointer_value(), name)?
            .into_pointer_value();
        let call = self.b.build_indirect_call(fn_ty, target, args, "")?;
        Ok(call.try_as_basic_value().basic())
    }

    /// Calls the C-convention function at absolute address `address` (e.g.
    /// an instruction's operand), so the call works wherever the JIT memory
    /// lands. Arguments are integers or pointers.
    pub fn call_address(
        &self,
        address: IntValue<'ctx>,
        ret: Option<BasicTypeEnum<'ctx>>,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Result<Option<BasicValueEnum<'ctx>>, TemplateError> {
        let params = args
            .iter()
            .map(|a| match a {
                BasicMetadataValueEnum::IntValue(v) => Ok(v.get_type().into()),
                BasicMetadataValueEnum::PointerValue(v) => Ok(v.get_type().into()),
                _ => Err(TemplateError::Signature),
            })
            .collect::<Result<Vec<BasicMetadataTypeEnum<'ctx>>, TemplateError>>()?;
        let fn_ty = match ret {
            Some(t) => inkwell::types::BasicType::fn_type(&t, &params, false),
            None => self.ctx.void_type().fn_type(&params, false),
        };
        // An empty inline-asm identity hides the address from LLVM, which
        // would otherwise fold `inttoptr(hole)` into a direct call whose
        // 32-bit displacement only reaches helpers near the JIT memory.
        let opaque = self.launder(address)?;
        let target = self.b.build_int_to_ptr(opaque, self.ptr(), "callee")?;
        let call = self.b.build_indirect_call(fn_ty, target, args, "")?;
        Ok(call.try_as_basic_value().basic())
    }

    /// Ends the current block with a `musttail` call to `exit` passing the
    /// state registers, and returns its result.
    pub fn continue_at(&self, exit: Exit) -> Result<(), TemplateError> {
        let f = self.jump_symbol(exit.symbol());
        self.tail_call(f.as_global_value().as_pointer_value())
    }

    fn jump_symbol(&self, name: &str) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let f = self
            .module
            .add_function(name, jit_fn_type(self.ctx), Some(Linkage::External));
        f.set_call_conventions(call_conv_id(self.opts.cc));
        f.as_global_value().set_visibility(GlobalVisibility::Hidden);
        f
    }

    /// Ends the current block with a `musttail` call through `target`, code
    /// in the JIT's convention (e.g. a linked executor's side entry).
    pub fn tail_call(&self, target: PointerValue<'ctx>) -> Result<(), TemplateError> {
        let args = [self.frame.into(), self.sp.into(), self.tstate.into()];
        let call = self
            .b
            .build_indirect_call(jit_fn_type(self.ctx), target, &args, "next")?;
        call.set_call_convention(call_conv_id(self.opts.cc));
        call.set_tail_call_kind(inkwell::values::LLVMTailCallKind::LLVMTailCallKindMustTail);
        let ret = call
            .try_as_basic_value()
            .basic()
            .ok_or(TemplateError::Signature)?;
        self.b.build_return(Some(&ret))?;
        Ok(())
    }

    /// A normal (non-tail) call of JIT code at `target` (in the JIT's
    /// convention, e.g. an executor's side entry) with explicit registers;
    /// returns the status it returns.
    pub fn call_jit(
        &self,
        target: PointerValue<'ctx>,
        frame: PointerValue<'ctx>,
        sp: PointerValue<'ctx>,
        tstate: PointerValue<'ctx>,
    ) -> Result<IntValue<'ctx>, TemplateError> {
        let call = self.b.build_indirect_call(
            jit_fn_type(self.ctx),
            target,
            &[frame.into(), sp.into(), tstate.into()],
            "status",
        )?;
        call.set_call_convention(call_conv_id(self.opts.cc));
        call.try_as_basic_value()
            .basic()
            .map(|v| v.into_int_value())
            .ok_or(TemplateError::Signature)
    }

    /// A normal (non-tail) call to `_JIT_CONTINUE` with explicit registers;
    /// used by the trampoline. Returns the status.
    pub(crate) fn call_continue(
        &self,
        frame: PointerValue<'ctx>,
        sp: PointerValue<'ctx>,
        tstate: PointerValue<'ctx>,
    ) -> Result<IntValue<'ctx>, TemplateError> {
        let f = self.jump_symbol(Exit::Continue.symbol());
        let call = self
            .b
            .build_call(f, &[frame.into(), sp.into(), tstate.into()], "status")?;
        call.set_call_convention(call_conv_id(self.opts.cc));
        call.try_as_basic_value()
            .basic()
            .map(|v| v.into_int_value())
            .ok_or(TemplateError::Signature)
    }

    /// Ends the current block returning `status` to the trampoline.
    pub fn return_status(&self, status: i64) -> Result<(), TemplateError> {
        self.b.build_return(Some(&self.const_i64(status)))?;
        Ok(())
    }

    /// Ends the current block returning a computed status.
    pub fn return_value(&self, status: IntValue<'ctx>) -> Result<(), TemplateError> {
        self.b.build_return(Some(&status))?;
        Ok(())
    }

    // ----- control flow -----

    /// Continues at `exit` unless `ok` holds; building goes on in the `ok` branch.
    /// The exit branch is marked unlikely.
    pub fn guard(&self, ok: IntValue<'ctx>, exit: Exit) -> Result<(), TemplateError> {
        let cont = self.ctx.append_basic_block(self.func, "guard_ok");
        let leave = self.ctx.append_basic_block(self.func, "guard_exit");
        let br = self.b.build_conditional_branch(ok, cont, leave)?;
        self.mark_likely(br)?;
        self.b.position_at_end(leave);
        self.continue_at(exit)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Like [`StencilBuilder::guard`] to `_JIT_JUMP_TARGET` when `fail` is
    /// `None`; else branches to the block `fail` (a path that repairs the
    /// stack before leaving) unless `ok` holds.
    pub fn guard_or_branch(
        &self,
        ok: IntValue<'ctx>,
        fail: Option<BasicBlock<'ctx>>,
    ) -> Result<(), TemplateError> {
        let Some(fail) = fail else {
            return self.guard(ok, Exit::JumpTarget);
        };
        let cont = self.ctx.append_basic_block(self.func, "guard_ok");
        let br = self.b.build_conditional_branch(ok, cont, fail)?;
        self.mark_likely(br)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// A new, empty block in the function being built.
    pub fn new_block(&self, name: &str) -> BasicBlock<'ctx> {
        self.ctx.append_basic_block(self.func, name)
    }

    /// A new block where `fill` pushes what the uops a fused uop replaces
    /// would have left on the stack, then leaves through `_JIT_JUMP_TARGET`;
    /// building goes on where it was, with the stack pointer it had.
    pub fn push_and_exit_block(
        &mut self,
        fill: impl FnOnce(&mut Self) -> Result<(), TemplateError>,
    ) -> Result<BasicBlock<'ctx>, TemplateError> {
        let fail = self.new_block("push_and_exit");
        let here = self.b.get_insert_block().ok_or(TemplateError::Signature)?;
        let sp = self.sp;
        self.b.position_at_end(fail);
        fill(self)?;
        self.continue_at(Exit::JumpTarget)?;
        self.sp = sp;
        self.b.position_at_end(here);
        Ok(fail)
    }

    fn mark_likely(
        &self,
        br: inkwell::values::InstructionValue<'ctx>,
    ) -> Result<(), TemplateError> {
        let kind = self.ctx.get_kind_id("prof");
        let weights = self.ctx.metadata_node(&[
            self.ctx.metadata_string("branch_weights").into(),
            self.i32().const_int(2000, false).into(),
            self.i32().const_int(1, false).into(),
        ]);
        br.set_metadata(weights, kind)
            .map_err(|_| TemplateError::Signature)
    }

    /// Runs `then` when `cond` holds, then continues after it.
    pub fn if_then(
        &mut self,
        cond: IntValue<'ctx>,
        then: impl FnOnce(&mut Self) -> Result<(), TemplateError>,
    ) -> Result<(), TemplateError> {
        let then_bb = self.ctx.append_basic_block(self.func, "then");
        let join = self.ctx.append_basic_block(self.func, "join");
        self.b.build_conditional_branch(cond, then_bb, join)?;
        self.b.position_at_end(then_bb);
        then(self)?;
        self.branch_if_open(join)?;
        self.b.position_at_end(join);
        Ok(())
    }

    /// Splits on `cond`: each closure must end its block (continue, return).
    pub fn if_else(
        &mut self,
        cond: IntValue<'ctx>,
        then: impl FnOnce(&mut Self) -> Result<(), TemplateError>,
        otherwise: impl FnOnce(&mut Self) -> Result<(), TemplateError>,
    ) -> Result<(), TemplateError> {
        let then_bb = self.ctx.append_basic_block(self.func, "then");
        let else_bb = self.ctx.append_basic_block(self.func, "else");
        self.b.build_conditional_branch(cond, then_bb, else_bb)?;
        let sp = self.sp;
        self.b.position_at_end(then_bb);
        then(self)?;
        self.sp = sp;
        self.b.position_at_end(else_bb);
        otherwise(self)
    }

    /// A loop over `i` in `0..n` (i64, signed) carrying the i64 `acc` from
    /// `init`: `body(self, i, acc)` returns the next `acc` (it may leave
    /// through guards). Building goes on after the loop; returns the final
    /// `acc`. The stack pointer must be the same after `body` as before it.
    pub fn counted_loop(
        &mut self,
        n: IntValue<'ctx>,
        init: IntValue<'ctx>,
        body: impl FnOnce(
            &mut Self,
            IntValue<'ctx>,
            IntValue<'ctx>,
        ) -> Result<IntValue<'ctx>, TemplateError>,
    ) -> Result<IntValue<'ctx>, TemplateError> {
        let pre = self.b.get_insert_block().ok_or(TemplateError::Signature)?;
        let head = self.ctx.append_basic_block(self.func, "loop_head");
        let body_bb = self.ctx.append_basic_block(self.func, "loop_body");
        let done = self.ctx.append_basic_block(self.func, "loop_done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i_phi = self.b.build_phi(self.i64(), "i")?;
        let acc_phi = self.b.build_phi(self.i64(), "acc")?;
        let i = i_phi.as_basic_value().into_int_value();
        let acc = acc_phi.as_basic_value().into_int_value();
        let more = self.b.build_int_compare(IntPredicate::SLT, i, n, "more")?;
        self.b.build_conditional_branch(more, body_bb, done)?;
        self.b.position_at_end(body_bb);
        let next_acc = body(self, i, acc)?;
        let next_i = self.b.build_int_add(i, self.const_i64(1), "next_i")?;
        let end = self.b.get_insert_block().ok_or(TemplateError::Signature)?;
        self.b.build_unconditional_branch(head)?;
        i_phi.add_incoming(&[(&self.const_i64(0), pre), (&next_i, end)]);
        acc_phi.add_incoming(&[(&init, pre), (&next_acc, end)]);
        self.b.position_at_end(done);
        Ok(acc)
    }

    fn branch_if_open(&self, to: BasicBlock<'ctx>) -> Result<(), TemplateError> {
        let open = self
            .b
            .get_insert_block()
            .is_some_and(|bb| bb.get_terminator().is_none());
        if open {
            self.b.build_unconditional_branch(to)?;
        }
        Ok(())
    }

    // ----- shared structs -----

    /// The LLVM type of a shared struct on this target.
    pub fn struct_ty(&self, desc: &StructDesc) -> StructType<'ctx> {
        crate::layout::struct_type(self.ctx, self.td, desc)
    }

    /// Pointer to field `field` of the `desc` struct at `base`.
    pub fn field_ptr(
        &self,
        base: PointerValue<'ctx>,
        desc: &StructDesc,
        field: &str,
    ) -> Result<PointerValue<'ctx>, TemplateError> {
        let index = desc
            .field_index(field)
            .ok_or_else(|| TemplateError::UnknownField {
                strukt: desc.name,
                field: field.to_owned(),
            })?;
        Ok(self
            .b
            .build_struct_gep(self.struct_ty(desc), base, index as u32, field)?)
    }

    /// Loads `desc.field` from the struct at `base`.
    pub fn load_field(
        &self,
        base: PointerValue<'ctx>,
        desc: &StructDesc,
        field: &str,
    ) -> Result<BasicValueEnum<'ctx>, TemplateError> {
        let ptr = self.field_ptr(base, desc, field)?;
        let index = desc.field_index(field).unwrap_or(0);
        let ty = crate::layout::field_type(self.ctx, self.td, desc.fields[index].ty);
        Ok(self.b.build_load(ty, ptr, field)?)
    }

    /// Stores `value` into `desc.field` of the struct at `base`.
    pub fn store_field(
        &self,
        base: PointerValue<'ctx>,
        desc: &StructDesc,
        field: &str,
        value: impl inkwell::values::BasicValue<'ctx>,
    ) -> Result<(), TemplateError> {
        let ptr = self.field_ptr(base, desc, field)?;
        self.b.build_store(ptr, value)?;
        Ok(())
    }

    /// Pointer to `frame.localsplus[index]`.
    pub fn local_slot(&self, index: IntValue<'ctx>) -> Result<PointerValue<'ctx>, TemplateError> {
        use cpjit_abi::layout::Frame;
        let base = self.field_ptr(self.frame, &Frame::DESC, "localsplus")?;
        self.word_at(base, index)
    }

    /// Pointer to `frame.localsplus[oparg]`, addressed through the hole
    /// `_JIT_OPARG_BYTES` (`8 * oparg`, [`cpjit_abi::stencil::HoleValue::OpargBytes`])
    /// as a byte offset. Not laundered (an address offset has no null test
    /// to fold), so on x86-64 ELF the offset becomes the displacement of
    /// the instruction that uses the local (`Abs32S`): no index register
    /// and no `mov` of the oparg.
    pub fn oparg_local_slot(&self) -> Result<PointerValue<'ctx>, TemplateError> {
        self.local_at_hole(crate::LOCAL_OFFSET_HOLES[0])
    }

    /// Pointer to `frame.localsplus[operand]` (`_JIT_OPERAND_BYTES`, as
    /// [`Self::oparg_local_slot`]), for uops whose operand names a local.
    pub fn operand_local_slot(&self) -> Result<PointerValue<'ctx>, TemplateError> {
        self.local_at_hole(crate::LOCAL_OFFSET_HOLES[1])
    }

    /// The word in `frame.localsplus[operand]` (through
    /// [`Self::operand_local_slot`]), loaded as `name`.
    pub fn load_operand_local(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        let slot = self.operand_local_slot()?;
        Ok(self.b.build_load(self.i64(), slot, name)?.into_int_value())
    }

    /// The operand of a fused int uop whose constant the optimizer makes
    /// only when `cpjit_abi::stencil::fits_operand_i32` holds: where
    /// [`TemplateOptions::narrow_holes`](crate::TemplateOptions) holds, the
    /// hole `_JIT_OPERAND_I32` (declared in `[-2^31, 2^31)`, small code
    /// model), which LLVM puts into the instruction as a sign-extended
    /// immediate; elsewhere the operand's own hole ([`Self::operand`]).
    pub fn operand_i32(&self) -> Result<IntValue<'ctx>, TemplateError> {
        if !self.opts.narrow_holes {
            return self.operand();
        }
        let g = self.value_global(crate::OPERAND_I32_HOLE);
        Ok(self
            .b
            .build_ptr_to_int(g.as_pointer_value(), self.i64(), "operand_i32")?)
    }

    /// `localsplus` plus the byte offset hole `name`.
    fn local_at_hole(&self, name: &str) -> Result<PointerValue<'ctx>, TemplateError> {
        use cpjit_abi::layout::Frame;
        let base = self.field_ptr(self.frame, &Frame::DESC, "localsplus")?;
        let g = self.value_global(name);
        let offset =
            self.b
                .build_ptr_to_int(g.as_pointer_value(), self.intptr(), "local_offset")?;
        // SAFETY: building a GEP instruction is not a memory access (see
        // `word_at`); the offset is a local's, within `localsplus`.
        let p = unsafe {
            self.b
                .build_in_bounds_gep(self.ctx.i8_type(), base, &[offset], "local")?
        };
        Ok(p)
    }

    /// The word in `frame.localsplus[oparg]` (through
    /// [`Self::oparg_local_slot`]), loaded as `name`.
    pub fn load_oparg_local(&self, name: &str) -> Result<IntValue<'ctx>, TemplateError> {
        let slot = self.oparg_local_slot()?;
        Ok(self.b.build_load(self.i64(), slot, name)?.into_int_value())
    }

    /// The word in `frame.localsplus[index]`, loaded as `name`.
    pub fn load_local(
        &self,
        index: IntValue<'ctx>,
        name: &str,
    ) -> Result<IntValue<'ctx>, TemplateError> {
        let slot = self.local_slot(index)?;
        Ok(self.b.build_load(self.i64(), slot, name)?.into_int_value())
    }

    /// Pointer to the `index`th 64-bit word from `base`.
    pub fn word_at(
        &self,
        base: PointerValue<'ctx>,
        index: IntValue<'ctx>,
    ) -> Result<PointerValue<'ctx>, TemplateError> {
        // SAFETY: building a GEP instruction is not a memory access; inkwell
        // marks it unsafe because an out-of-bounds `inbounds` GEP is poison in
        // the IR. Indices come from the VM's instruction, which the VM keeps
        // within `localsplus` and the stack (jit-contract.md).
        let p = unsafe {
            self.b
                .build_in_bounds_gep(self.i64(), base, &[index], "word")?
        };
        Ok(p)
    }

    // ----- the value stack -----

    /// The value `depth` slots below the top (`peek(1)` is the top).
    pub fn peek(&self, depth: u64) -> Result<IntValue<'ctx>, TemplateError> {
        let p = self.word_at(self.sp, self.const_i64(-(depth as i64)))?;
        Ok(self.b.build_load(self.i64(), p, "peek")?.into_int_value())
    }

    /// Pops the top value.
    pub fn pop(&mut self) -> Result<IntValue<'ctx>, TemplateError> {
        let v = self.peek(1)?;
        self.drop_values(1)?;
        Ok(v)
    }

    /// Moves the stack pointer down by `n` words.
    pub fn drop_values(&mut self, n: u64) -> Result<(), TemplateError> {
        self.sp = self.word_at(self.sp, self.const_i64(-(n as i64)))?;
        Ok(())
    }

    /// Pushes `v` (store, then advance).
    pub fn push(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        self.b.build_store(self.sp, v)?;
        self.sp = self.word_at(self.sp, self.const_i64(1))?;
        Ok(())
    }

    // ----- tagged values and reference counting -----

    /// `v & 1 != 0`: a small int.
    pub fn is_small_int(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let tag = self.b.build_and(v, self.const_i64(1), "tag")?;
        Ok(self
            .b
            .build_int_compare(IntPredicate::NE, tag, self.const_i64(0), "is_int")?)
    }

    /// Decodes a small int (arithmetic shift right by one).
    pub fn decode_int(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        Ok(self
            .b
            .build_right_shift(v, self.const_i64(1), true, "int")?)
    }

    /// Encodes an i64 known to fit 63 bits as a small int.
    pub fn encode_int(&self, i: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let shifted = self.b.build_left_shift(i, self.const_i64(1), "shl")?;
        Ok(self.b.build_or(shifted, self.const_i64(1), "tagged")?)
    }

    /// `i` fits a small int: `(i << 1) >> 1 == i`.
    pub fn fits_small_int(&self, i: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let shl = self.b.build_left_shift(i, self.const_i64(1), "shl")?;
        let back = self
            .b
            .build_right_shift(shl, self.const_i64(1), true, "back")?;
        Ok(self
            .b
            .build_int_compare(IntPredicate::EQ, back, i, "fits")?)
    }

    /// Calls `llvm.<op>.with.overflow.i64` (`op` like `"sadd"`), returning
    /// `(result, overflowed)`.
    pub fn with_overflow(
        &self,
        op: &str,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> Result<(IntValue<'ctx>, IntValue<'ctx>), TemplateError> {
        let name = format!("llvm.{op}.with.overflow");
        let intrinsic =
            Intrinsic::find(&name).ok_or(TemplateError::MissingIntrinsic(name.clone()))?;
        let decl = intrinsic
            .get_declaration(self.module, &[self.i64().into()])
            .ok_or(TemplateError::MissingIntrinsic(name))?;
        let pair = self.b.build_call(decl, &[a.into(), b.into()], op)?;
        let pair = pair
            .try_as_basic_value()
            .basic()
            .ok_or(TemplateError::Signature)?
            .into_struct_value();
        let result = self
            .b
            .build_extract_value(pair, 0, "result")?
            .into_int_value();
        let overflow = self
            .b
            .build_extract_value(pair, 1, "overflow")?
            .into_int_value();
        Ok((result, overflow))
    }

    /// Pointer to the object header a (heap) value points at.
    pub fn object(&self, v: IntValue<'ctx>) -> Result<PointerValue<'ctx>, TemplateError> {
        Ok(self.b.build_int_to_ptr(v, self.ptr(), "obj")?)
    }

    /// `incref(v)`: `if v & 1 == 0 { v.refcnt += 1 }`.
    pub fn incref(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let is_int = self.is_small_int(v)?;
        let is_obj = self.b.build_not(is_int, "is_obj")?;
        self.if_then(is_obj, |s| s.incref_obj(v))
    }

    /// `incref(v)` for a value known to be a heap object: no tag test.
    pub fn incref_obj(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let obj = self.object(v)?;
        let rc = self
            .load_field(obj, &ObjHeader::DESC, "refcnt")?
            .into_int_value();
        let one = rc.get_type().const_int(1, false);
        let rc = self.b.build_int_add(rc, one, "rc")?;
        self.store_field(obj, &ObjHeader::DESC, "refcnt", rc)
    }

    /// `decref(v)` for a non-NULL value: `if v & 1 == 0 { if --v.refcnt == 0 { cpjit_dealloc(v) } }`.
    pub fn decref(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let is_int = self.is_small_int(v)?;
        let is_obj = self.b.build_not(is_int, "is_obj")?;
        self.decref_if(is_obj, v)
    }

    /// `decref(v)` for a value that may be NULL.
    pub fn xdecref(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let is_obj = self.is_heap_object(v)?;
        self.decref_if(is_obj, v)
    }

    /// [`Self::xdecref`] that frees a dead float inline: its box goes on
    /// the float free list when there is room (as the runtime's
    /// `cpjit_dealloc` would put it), anything else dead goes to
    /// `cpjit_dealloc`. For frame pops, whose float arguments and locals
    /// often die there.
    pub fn xdecref_freeing_floats(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let is_obj = self.is_heap_object(v)?;
        self.if_then(is_obj, |s| {
            let alive = s.refcnt_decrement(v)?;
            let dead = s.b.build_not(alive, "dead")?;
            s.if_then(dead, |s| {
                let obj = s.object(v)?;
                let k = s
                    .load_field(obj, &ObjHeader::DESC, "kind")?
                    .into_int_value();
                let is_float = s.b.build_int_compare(
                    IntPredicate::EQ,
                    k,
                    s.i32().const_int(u64::from(kind::FLOAT), false),
                    "is_float",
                )?;
                let (fl, len_ptr) = s.float_free_list()?;
                let len = s.b.build_load(s.i64(), len_ptr, "len")?.into_int_value();
                let room = s.b.build_int_compare(
                    IntPredicate::ULT,
                    len,
                    s.const_i64(FLOAT_FREE_LIST_CAPACITY as i64),
                    "room",
                )?;
                let push = s.b.build_and(is_float, room, "push")?;
                let push_bb = s.ctx.append_basic_block(s.func, "push_box");
                let call_bb = s.ctx.append_basic_block(s.func, "dealloc");
                let join = s.ctx.append_basic_block(s.func, "freed");
                s.b.build_conditional_branch(push, push_bb, call_bb)?;
                s.b.position_at_end(push_bb);
                let items = s.field_ptr(fl, &FloatFreeList::DESC, "items")?;
                s.b.build_store(s.word_at(items, len)?, v)?;
                let len1 = s.b.build_int_add(len, s.const_i64(1), "len1")?;
                s.b.build_store(len_ptr, len1)?;
                s.b.build_unconditional_branch(join)?;
                s.b.position_at_end(call_bb);
                s.call_helper("cpjit_dealloc", None, &[v.into()])?;
                s.b.build_unconditional_branch(join)?;
                s.b.position_at_end(join);
                Ok(())
            })
        })
    }

    /// `v` is a heap object: neither a small int (tag bit set) nor NULL.
    /// One test: rotated right by one, a small int has the sign bit set and
    /// NULL stays zero, so exactly the heap objects are positive.
    pub fn is_heap_object(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let rotated = self.rotate_right_1(v)?;
        Ok(self
            .b
            .build_int_compare(IntPredicate::SGT, rotated, self.const_i64(0), "is_obj")?)
    }

    /// `v` rotated right by one bit (`llvm.fshr(v, v, 1)`, one `ror`): the
    /// tag bit becomes the sign bit.
    pub fn rotate_right_1(&self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let name = "llvm.fshr";
        let intrinsic =
            Intrinsic::find(name).ok_or(TemplateError::MissingIntrinsic(name.to_string()))?;
        let decl = intrinsic
            .get_declaration(self.module, &[self.i64().into()])
            .ok_or(TemplateError::MissingIntrinsic(name.to_string()))?;
        let rotated = self
            .b
            .build_call(decl, &[v.into(), v.into(), self.const_i64(1).into()], "rot")?
            .try_as_basic_value()
            .basic()
            .ok_or(TemplateError::Signature)?
            .into_int_value();
        Ok(rotated)
    }

    /// `decref(v)` for a value known to be a heap object (a guard or the
    /// uop's contract proved it is not a small int and not NULL): no tag test.
    pub fn decref_obj(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        self.decref_known_obj(v)
    }

    fn decref_if(
        &mut self,
        is_obj: IntValue<'ctx>,
        v: IntValue<'ctx>,
    ) -> Result<(), TemplateError> {
        self.if_then(is_obj, |s| s.decref_known_obj(v))
    }

    // ----- float boxes and the float free list -----

    /// The float free list (`cpjit_float_free_list`) and a pointer to its
    /// `len` field.
    fn float_free_list(&self) -> Result<(PointerValue<'ctx>, PointerValue<'ctx>), TemplateError> {
        let addr = self.runtime_data("cpjit_float_free_list")?;
        let fl = self.b.build_int_to_ptr(addr, self.ptr(), "free_list")?;
        let len = self.field_ptr(fl, &FloatFreeList::DESC, "len")?;
        Ok((fl, len))
    }

    /// A new float box holding the `f64` bits `bits` (a tagged value with
    /// one reference): popped from the float free list inline, or from
    /// `cpjit_box_float` when the list is empty.
    pub fn box_float(&mut self, bits: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let (fl, len_ptr) = self.float_free_list()?;
        let len = self
            .b
            .build_load(self.i64(), len_ptr, "len")?
            .into_int_value();
        let has = self
            .b
            .build_int_compare(IntPredicate::NE, len, self.const_i64(0), "has")?;
        let pop_bb = self.ctx.append_basic_block(self.func, "pop_box");
        let call_bb = self.ctx.append_basic_block(self.func, "call_box");
        let join = self.ctx.append_basic_block(self.func, "boxed");
        let br = self.b.build_conditional_branch(has, pop_bb, call_bb)?;
        self.mark_likely(br)?;

        self.b.position_at_end(pop_bb);
        let top = self.b.build_int_sub(len, self.const_i64(1), "top")?;
        self.b.build_store(len_ptr, top)?;
        let items = self.field_ptr(fl, &FloatFreeList::DESC, "items")?;
        let slot = self.word_at(items, top)?;
        let popped = self
            .b
            .build_load(self.i64(), slot, "popped")?
            .into_int_value();
        let obj = self.object(popped)?;
        let rc_ty = self.intptr();
        self.store_field(obj, &ObjHeader::DESC, "refcnt", rc_ty.const_int(1, false))?;
        self.store_field(
            obj,
            &ObjHeader::DESC,
            "kind",
            self.i32().const_int(u64::from(kind::FLOAT), false),
        )?;
        self.store_field(obj, &ObjHeader::DESC, "flags", self.i32().const_zero())?;
        let f = self
            .b
            .build_bit_cast(bits, self.ctx.f64_type(), "value")?
            .into_float_value();
        self.store_field(obj, &FloatObj::DESC, "value", f)?;
        let pop_end = self.b.get_insert_block().ok_or(TemplateError::Signature)?;
        self.b.build_unconditional_branch(join)?;

        self.b.position_at_end(call_bb);
        let called = self
            .call_helper("cpjit_box_float", Some(self.i64().into()), &[bits.into()])?
            .ok_or(TemplateError::Signature)?
            .into_int_value();
        let call_end = self.b.get_insert_block().ok_or(TemplateError::Signature)?;
        self.b.build_unconditional_branch(join)?;

        self.b.position_at_end(join);
        let phi = self.b.build_phi(self.i64(), "box")?;
        phi.add_incoming(&[(&popped, pop_end), (&called, call_end)]);
        Ok(phi.as_basic_value().into_int_value())
    }

    /// `--v.refcnt` for a value known to be an object; returns whether
    /// the object is still alive (the new count is not zero).
    fn refcnt_decrement(&mut self, v: IntValue<'ctx>) -> Result<IntValue<'ctx>, TemplateError> {
        let obj = self.object(v)?;
        let rc = self
            .load_field(obj, &ObjHeader::DESC, "refcnt")?
            .into_int_value();
        let one = rc.get_type().const_int(1, false);
        let rc = self.b.build_int_sub(rc, one, "rc")?;
        self.store_field(obj, &ObjHeader::DESC, "refcnt", rc)?;
        let alive =
            self.b
                .build_int_compare(IntPredicate::NE, rc, rc.get_type().const_zero(), "alive")?;
        Ok(alive)
    }

    /// `decref(v)` for a value known to be a float box: when the count
    /// reaches zero the box goes onto the float free list inline
    /// (`cpjit_dealloc` when the list is full).
    pub fn decref_float(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let alive = self.refcnt_decrement(v)?;
        let dead_bb = self.ctx.append_basic_block(self.func, "dead");
        let push_bb = self.ctx.append_basic_block(self.func, "push_box");
        let full_bb = self.ctx.append_basic_block(self.func, "list_full");
        let join = self.ctx.append_basic_block(self.func, "alive");
        let br = self.b.build_conditional_branch(alive, join, dead_bb)?;
        self.mark_likely(br)?;

        self.b.position_at_end(dead_bb);
        let (fl, len_ptr) = self.float_free_list()?;
        let len = self
            .b
            .build_load(self.i64(), len_ptr, "len")?
            .into_int_value();
        let room = self.b.build_int_compare(
            IntPredicate::ULT,
            len,
            self.const_i64(FLOAT_FREE_LIST_CAPACITY as i64),
            "room",
        )?;
        self.b.build_conditional_branch(room, push_bb, full_bb)?;

        self.b.position_at_end(push_bb);
        let items = self.field_ptr(fl, &FloatFreeList::DESC, "items")?;
        let slot = self.word_at(items, len)?;
        self.b.build_store(slot, v)?;
        let len1 = self.b.build_int_add(len, self.const_i64(1), "len1")?;
        self.b.build_store(len_ptr, len1)?;
        self.b.build_unconditional_branch(join)?;

        self.b.position_at_end(full_bb);
        self.call_helper("cpjit_dealloc", None, &[v.into()])?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        Ok(())
    }

    /// `if --v.refcnt == 0 { cpjit_dealloc(v) }`, the call marked cold so
    /// the surviving path is laid out first.
    fn decref_known_obj(&mut self, v: IntValue<'ctx>) -> Result<(), TemplateError> {
        let alive = self.refcnt_decrement(v)?;
        let dead_bb = self.ctx.append_basic_block(self.func, "dead");
        let join = self.ctx.append_basic_block(self.func, "alive");
        let br = self.b.build_conditional_branch(alive, join, dead_bb)?;
        self.mark_likely(br)?;
        self.b.position_at_end(dead_bb);
        self.call_helper("cpjit_dealloc", None, &[v.into()])?;
        self.b.build_unconditional_branch(join)?;
        self.b.position_at_end(join);
        Ok(())
    }
}

/// `i64 (ptr frame, ptr stack_pointer, ptr tstate)`: every stencil's type.
pub fn jit_fn_type(ctx: &Context) -> FunctionType<'_> {
    let p = ctx.ptr_type(AddressSpace::default());
    ctx.i64_type()
        .fn_type(&[p.into(), p.into(), p.into()], false)
}

/// `nounwind` (no unwind tables), frame pointers as the options say, and no
/// jump tables (they would need relocations from data back into code).
pub(crate) fn add_stencil_attributes(
    ctx: &Context,
    func: FunctionValue<'_>,
    opts: &TemplateOptions,
) {
    let nounwind = Attribute::get_named_enum_kind_id("nounwind");
    func.add_attribute(
        AttributeLoc::Function,
        ctx.create_enum_attribute(nounwind, 0),
    );
    let fp = if opts.frame_pointers { "all" } else { "none" };
    func.add_attribute(
        AttributeLoc::Function,
        ctx.create_string_attribute("frame-pointer", fp),
    );
    func.add_attribute(
        AttributeLoc::Function,
        ctx.create_string_attribute("no-jump-tables", "true"),
    );
}
