//! cpjit's stencil templates, built as LLVM IR with inkwell.
//!
//! Each [`Template`] builds one LLVM module holding one function: `_JIT_ENTRY`
//! for uops and `_FATAL_ERROR` (the JIT's calling convention, three state
//! registers), or `_ENTRY` for the trampoline (C convention). Holes are
//! external symbols named `_JIT_*` whose address is the value; runtime
//! helpers are C functions named `cpjit_*`, called through a pointer slot in
//! the data section so they are reachable from anywhere.
//!
//! * [`builder`]: the layer templates are written in (stack, guards, holes,
//!   helper calls, reference counting).
//! * [`layout`]: LLVM types of the shared structs in [`cpjit_abi::layout`].
//! * `uops`: one template per [`Uop`], matched exhaustively.
//! * `fused`: the uops the optimizer makes by fusing and by type.
//! * `special`: the trampoline and `_FATAL_ERROR`.

#![warn(missing_docs)]

pub mod builder;
mod containers;
mod float_exprs;
mod float_items;
mod fused;
pub mod layout;
mod list_iters;
pub mod profile;
mod special;
mod uops;

use cpjit_abi::stencil::CallConv;
use cpjit_abi::uop::Uop;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::targets::TargetData;

pub use builder::{call_conv_id, StencilBuilder};

/// Something went wrong building a template's IR.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// inkwell refused an instruction (builder not positioned, bad GEP, ...).
    #[error("IR builder: {0}")]
    Builder(#[from] inkwell::builder::BuilderError),
    /// A template named a field the shared struct does not have.
    #[error("struct {strukt} has no field {field}")]
    UnknownField {
        /// The struct.
        strukt: &'static str,
        /// The missing field.
        field: String,
    },
    /// An LLVM intrinsic is missing.
    #[error("LLVM has no intrinsic {0}")]
    MissingIntrinsic(String),
    /// A function or call did not have the expected signature.
    #[error("unexpected function signature while building a template")]
    Signature,
    /// A template module was asked for a uop it does not build.
    #[error("no template for {0} in this module")]
    NoTemplate(&'static str),
    /// LLVM refused the IR a module starts with.
    #[error("LLVM IR: {0}")]
    Parse(String),
}

/// How the templates reach hole values and runtime data symbols on a target
/// (chosen per target in build-support's target table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueAccess {
    /// Hidden visibility: the address is an immediate in the code
    /// (`movabs`, `movz`/`movk`, 32-bit absolute).
    Hidden,
    /// Default visibility: loaded from a GOT slot (Mach-O).
    Default,
    /// `dllimport`: loaded from an `__imp_` slot, which harvesting turns into
    /// a GOT slot (COFF, 64-bit).
    DllImport,
}

/// Per-target, per-convention choices that shape the IR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TemplateOptions {
    /// The convention between stencils.
    pub cc: CallConv,
    /// Keep frame pointers (`"frame-pointer"="all"`).
    pub frame_pointers: bool,
    /// How hole values and runtime data are reached.
    pub value_access: ValueAccess,
    /// Declare the holes whose values are 32-bit numbers (`_JIT_OPARG`,
    /// `_JIT_TARGET`, `_JIT_EXIT_INDEX`: `u32` in the trace format) with
    /// `!absolute_symbol` range `[0, 2^32)`, so LLVM materializes them as a
    /// 32-bit immediate (`mov $imm32, %r32`, `R_X86_64_32`) instead of a
    /// 64-bit one. Only where that is an immediate (see build-support's
    /// target table); pointers and operands stay 64-bit.
    pub narrow_holes: bool,
    /// Give every stencil function profile data (a module `ProfileSummary`
    /// and a function entry count, [`profile`]) on top of the guards'
    /// branch weights, so that LLVM's MachineFunctionSplitter moves the
    /// blocks the weights make cold (guard failures, exits, slow paths)
    /// into a section of their own (`.text.split.*`), which harvesting
    /// appends to the data stencil. Only where build-support's target
    /// table says the split is harvested (ELF).
    pub split_cold: bool,
}

/// The holes whose values are `u32` in the trace format (`UopInstruction`'s
/// `oparg`, `target` and `exit_index`), which [`TemplateOptions::narrow_holes`]
/// declares as 32-bit absolute symbols.
pub const NARROW_HOLES: &[&str] = &["_JIT_OPARG", "_JIT_TARGET", "_JIT_EXIT_INDEX"];

/// The holes whose values are the byte offsets of a local in
/// `frame.localsplus`: `8 * oparg` and `8 * operand`
/// ([`cpjit_abi::stencil::HoleValue::OpargBytes`], `OperandBytes`; the
/// latter only in uops whose operand names a local). Where
/// [`TemplateOptions::narrow_holes`] holds, every template module starts
/// with their declarations in `[0, 2^31)` (local indices are below 2^24)
/// and the `small` code model (the stencils' is `medium`, which never folds
/// a symbol into an address), so x86-64 ELF folds them into the
/// displacement of the instruction that reads or writes the local
/// (`Abs32S`).
pub const LOCAL_OFFSET_HOLES: [&str; 2] = ["_JIT_OPARG_BYTES", "_JIT_OPERAND_BYTES"];

/// The hole of a fused int uop's constant as a signed 32-bit immediate
/// ([`cpjit_abi::stencil::HoleValue::OperandI32`]): declared, where
/// [`TemplateOptions::narrow_holes`] holds, in `[-2^31, 2^31)` with the
/// `small` code model, as the [`LOCAL_OFFSET_HOLES`] are.
pub const OPERAND_I32_HOLE: &str = "_JIT_OPERAND_I32";

/// A new module named `name`; where [`TemplateOptions::narrow_holes`]
/// holds, parsed from IR that declares [`LOCAL_OFFSET_HOLES`] and
/// [`OPERAND_I32_HOLE`] (inkwell's
/// API sets no per-global code model).
fn new_module<'ctx>(
    ctx: &'ctx Context,
    name: &str,
    opts: &TemplateOptions,
) -> Result<Module<'ctx>, TemplateError> {
    if !opts.narrow_holes {
        return Ok(ctx.create_module(name));
    }
    let visibility = match opts.value_access {
        ValueAccess::Hidden => "hidden ",
        ValueAccess::Default | ValueAccess::DllImport => "",
    };
    let declare = |h: &str, range: &str| {
        format!(
            "@{h} = external {visibility}global i8, code_model \"small\", \
             !absolute_symbol !{range}\n"
        )
    };
    let mut ir: String = LOCAL_OFFSET_HOLES.iter().map(|h| declare(h, "0")).collect();
    ir.push_str(&declare(OPERAND_I32_HOLE, "1"));
    ir.push_str("!0 = !{i64 0, i64 2147483648}\n");
    ir.push_str("!1 = !{i64 -2147483648, i64 2147483648}\n");
    let buf =
        inkwell::memory_buffer::MemoryBuffer::create_from_memory_range_copy(ir.as_bytes(), name);
    let module = ctx
        .create_module_from_ir(buf)
        .map_err(|e| TemplateError::Parse(e.to_string()))?;
    module.set_name(name);
    Ok(module)
}

/// Something to compile into one stencil group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Template {
    /// The C-convention entry trampoline (`_ENTRY`).
    Trampoline,
    /// The guard after every trace (`_FATAL_ERROR`).
    FatalError,
    /// A uop.
    Uop(Uop),
}

impl Template {
    /// Every template: trampoline, fatal error, then the uops in index order.
    pub fn all() -> Vec<Template> {
        let mut all = vec![Template::Trampoline, Template::FatalError];
        all.extend(Uop::ALL.iter().map(|u| Template::Uop(*u)));
        all
    }

    /// The template's name: `_ENTRY`, `_FATAL_ERROR` or the uop's name.
    pub fn name(self) -> &'static str {
        match self {
            Template::Trampoline => "_ENTRY",
            Template::FatalError => "_FATAL_ERROR",
            Template::Uop(u) => u.name(),
        }
    }

    /// The name of the function at offset 0 of the stencil.
    pub fn entry_symbol(self) -> &'static str {
        match self {
            Template::Trampoline => "_ENTRY",
            _ => "_JIT_ENTRY",
        }
    }

    /// Builds the template's module in `ctx`. The caller sets the triple and
    /// data layout (from `td`'s target machine), verifies and optimizes it.
    pub fn build<'ctx>(
        self,
        ctx: &'ctx Context,
        td: &TargetData,
        opts: &TemplateOptions,
    ) -> Result<Module<'ctx>, TemplateError> {
        let module = new_module(ctx, self.name(), opts)?;
        match self {
            Template::Trampoline => special::trampoline(ctx, &module, td, opts)?,
            Template::FatalError => {
                let mut s = StencilBuilder::new(ctx, &module, td, opts)?;
                special::fatal_error(&mut s)?;
            }
            Template::Uop(uop) => {
                let mut s = StencilBuilder::new(ctx, &module, td, opts)?;
                uops::build(uop, &mut s)?;
            }
        }
        Ok(module)
    }
}
