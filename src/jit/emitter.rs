//! The emitter: copies stencils for a trace into a block and patches their
//! holes. Two passes, as in CPython's `_PyJIT_Compile`:
//!
//! 1. [`Emitter::layout`] checks the trace, sums code and data sizes and
//!    records where each uop's code and data go.
//! 2. [`Emitter::emit`] copies, in the seed's layout — trampoline, each uop's
//!    code in trace order, the `_FATAL_ERROR` guard, then every group's data
//!    (each aligned) after all code — and patches each hole from the
//!    per-instruction value table.
//!
//! Everything that does not depend on the trace is done once per context by
//! [`program`]: symbols resolved, position-independent holes pre-patched,
//! the remaining holes sorted into compact patch lists by kind. Emitting one
//! uop is then a chunked copy of its code (and data, if any) and a loop of
//! unchecked stores, with one range check per PC-relative hole.
//!
//! The emitter writes into any byte buffer with the address it will run at,
//! so it can be measured apart from page protection.

pub(crate) mod generated;
mod program;
#[cfg(test)]
mod tests;

use crate::jit::error::JitError;
use crate::jit::patch::MAX_BLOCK;
use crate::jit::symbols::SymbolTable;
use crate::jit::trace::UopInstruction;
use cpjit_abi::stencil::{HoleValue, StencilSet};
use cpjit_abi::uop::Uop;
use generated::{GeneratedSet, Measure, Sink, TraceConsts, SYMBOL_SLOTS, UOP_COUNT};
use program::{value_index, ContinueAt, Program, Programs, Values, VALUE_SLOTS};

/// Largest data alignment a stencil may ask for (blocks are aligned to it).
pub const MAX_DATA_ALIGN: usize = crate::jit::memory::BLOCK_ALIGN;

/// A stencil set with symbols resolved, ready to emit traces.
#[derive(Debug)]
pub struct Emitter {
    programs: Programs,
    trampoline: Program,
    fatal_error: Program,
    /// Indexed by `Uop as usize`; [`Program::UNKNOWN`] when the set has no
    /// code for the uop.
    uops: Vec<Program>,
    /// Compact sizes for the first pass, indexed like `uops`.
    sizes: Box<[GroupSize; UOP_COUNT]>,
    /// The same sizes packed for the first pass's fast loop: code bytes in
    /// the low 32 bits, data bytes in the high 32; for unusable uops no
    /// code and `unusable_data` data bytes.
    packed: Box<[u64; UOP_COUNT]>,
    /// The data size `packed` gives unusable uops: a power of two above
    /// any data sum of at most `fast_limit` usable uops, small enough that
    /// `fast_limit` of them cannot carry out of the data half. A trace's
    /// packed data sum reaches it exactly when the trace has an unusable
    /// uop ([`unusable_flag`]).
    unusable_data: u64,
    /// Whether the set's data never needs aligning inside the data area
    /// (see [`uniform_data`]), so the fast loop may skip alignment.
    uniform_data: bool,
    /// Longest trace the fast loop may lay out: its packed sums cannot carry
    /// from code into data or out of 64 bits.
    fast_limit: usize,
    /// Longest trace [`Emitter::plan`] lays out with its fast loop:
    /// `fast_limit` (at most `2^31`) when the set has generated functions
    /// and uniform data and the trampoline and guard can be emitted, else
    /// 0 (every trace then takes the full first pass, which also says what
    /// is wrong). One comparison per trace decides it.
    fast_plan_limit: usize,
    /// What the fast plan adds after the last uop, from the guard's sizes
    /// and the set's largest data alignment ([`FrameTail`]).
    tail: FrameTail,
    /// The largest data alignment of the set, minus one.
    max_align_mask: u32,
    /// Bits of the operand `Operand` holes receive: all 64 on 64-bit
    /// targets; the low 32 on 32-bit ones, where `OperandHi` holes get the
    /// high half.
    operand_mask: u64,
    /// The set's generated emit functions, if this binary has them.
    generated: Option<&'static GeneratedSet>,
    /// Addresses of the generated functions' symbols (0 where unresolved:
    /// groups naming those are not usable).
    symbol_values: Box<[u64; SYMBOL_SLOTS]>,
    /// Whether each uop can be emitted, indexed like `uops`.
    usable: Box<[bool; UOP_COUNT]>,
    /// Whether a trace this emitter planned may be emitted without bounds
    /// checks: the set has generated functions and uniform data, and each
    /// usable uop's function was measured to write exactly its planned
    /// sizes ([`Emitter::verify_sizes`]).
    unchecked: bool,
    /// Whether `generated` is the host set's own ([`stencils::HOST_EMIT`])
    /// and its trampoline and guard have at least [`MAX_DATA_ALIGN`] bytes
    /// of code (as every real trampoline has): planned traces then take
    /// [`Emitter::emit_host_planned`], one function the compiler inlines
    /// whole.
    ///
    /// [`stencils::HOST_EMIT`]: crate::jit::stencils::HOST_EMIT
    host: bool,
    /// The vector stores [`Emitter::emit_host_planned`] copies with: the
    /// CPU's widest (x86-64 with AVX-512 or AVX2, detected at
    /// [`Emitter::new`]; see [`Emitter::with_wide_copies`]).
    wide: CopyWidth,
    /// [`Emitter::emit_host_planned`]'s function for `wide`
    /// ([`planned_fn`]): one indirect call, no branch on the width.
    planned: PlannedFn,
}

/// The data size that flags unusable uops in packed sums, and the longest
/// trace the fast loops may lay out with it, for a frame whose trampoline
/// has `first` code and data bytes and uops of at most `max` code and data
/// bytes (each at least 1). With `flag` a power of two and `n <= limit`:
/// usable uops' data sums stay below `flag` (`first.1 + n * max.1 <
/// flag`), and no sum carries out of its half, even when every uop is
/// unusable (`first.1 + n * flag` and `first.0 + n * max.0` below
/// `2^32`). So a trace's data sum is at least `flag` exactly when one of
/// its uops is unusable. Picks the flag that allows the longest traces.
fn unusable_flag(first: (u32, u32), max: (u64, u64)) -> (u64, u64) {
    let room = |first: u32, each: u64| (u32::MAX as u64 - first as u64) / each;
    let code_limit = room(first.0, max.0);
    (1..32)
        .map(|k| {
            let flag = 1u64 << k;
            let below = (flag - 1).saturating_sub(first.1 as u64) / max.1;
            let unusable = room(first.1, flag);
            (flag, below.min(unusable).min(code_limit))
        })
        .max_by_key(|&(_, limit)| limit)
        .unwrap_or((1 << 31, 0))
}

/// Whether a uop's stencil may legitimately have no code: only `_NOP`, whose
/// stencil is just the final jump to the next uop, which the toolchain drops
/// (execution falls through). Any other uop without code is unknown to the
/// stencil set.
fn may_be_empty(u: Uop) -> bool {
    u == Uop::NOP
}

/// Whether a target triple names a 32-bit architecture.
fn is_32_bit(triple: &str) -> bool {
    let arch = triple.split('-').next().unwrap_or("");
    matches!(arch, "i386" | "i486" | "i586" | "i686" | "x86")
        || (arch.starts_with("arm") && arch != "arm64")
        || arch.starts_with("thumb")
}

/// What the first pass needs of a group, kept small for the cache.
#[derive(Clone, Copy, Debug)]
struct GroupSize {
    code: u32,
    data: u32,
    /// Data alignment minus one.
    align_mask: u32,
    /// Whether the group can be emitted (known, symbols resolved).
    ok: bool,
}

impl GroupSize {
    const UNUSABLE: GroupSize = GroupSize {
        code: 0,
        data: 0,
        align_mask: 0,
        ok: false,
    };
}

/// The end of a planned block, fixed per emitter: the guard's code and
/// data sizes, and the data area's alignment mask. With uniform data the
/// guard's data needs no aligning (every data sum is a multiple of the
/// largest alignment), so placing the guard and the data area is three
/// additions and a mask ([`Emitter::plan`]).
#[derive(Clone, Copy, Debug, Default)]
struct FrameTail {
    /// Bytes of the guard's code.
    code: u64,
    /// Bytes of the guard's data.
    data: u64,
    /// The data area's alignment (the set's largest), minus one.
    align_mask: u64,
}

/// Where one group goes: its code offset in the block and its data offset
/// from the data area's start.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Offset of the code in the block.
    pub code: u32,
    /// Offset of the data from [`Layout::data_base`].
    pub data: u32,
}

/// Where everything of one trace goes, relative to the block start.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Where each group goes: trampoline, each uop, fatal-error guard.
    slots: Vec<Slot>,
    /// Bytes of code (trampoline through guard).
    pub code_size: usize,
    /// Start of the data area: past all code, aligned for every group's data.
    pub data_base: usize,
    /// Bytes of the whole block: code, padding, data.
    pub total_size: usize,
}

impl Layout {
    /// Offset of the side entry (the first uop), just past the trampoline.
    pub fn side_entry(&self) -> usize {
        self.slots.get(1).map_or(0, |s| s.code as usize)
    }

    /// `(offset, size)` of each piece of code in order: the trampoline, each
    /// uop of the trace, the fatal-error guard.
    pub fn code_pieces(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let ends = self
            .slots
            .iter()
            .skip(1)
            .map(|s| s.code as usize)
            .chain(std::iter::once(self.code_size));
        self.slots
            .iter()
            .zip(ends)
            .map(|(s, end)| (s.code as usize, end - s.code as usize))
    }

    /// The block offset of each piece's data, in [`Layout::code_pieces`]
    /// order (a split stencil's cold code lies in its data: see
    /// `StencilGroup::cold`).
    pub fn data_offsets(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots.iter().map(|s| self.data_base + s.data as usize)
    }
}

/// A trace's [`Layout`], made by [`Emitter::plan`] with every opcode
/// checked (targets are checked when it emits), keeping the trace and the
/// layout borrowed until it emits: the layout is then known to be this
/// trace's, by this emitter.
#[derive(Debug)]
pub struct Plan<'a> {
    emitter: &'a Emitter,
    trace: &'a [UopInstruction],
    layout: &'a mut Layout,
    /// Whether the plan's fast loop checked the trace and the emitter's
    /// generated functions write exactly the sizes it summed
    /// ([`Emitter::verify_sizes`]): emission may skip bounds checks.
    unchecked: bool,
}

impl Plan<'_> {
    /// The layout: the block's size and where each part goes.
    pub fn layout(&self) -> &Layout {
        self.layout
    }

    /// Bytes of the block to allocate for the trace.
    pub fn total_size(&self) -> usize {
        self.layout.total_size
    }

    /// Fills `buf` (exactly [`Plan::total_size`] bytes, to run at address
    /// `base`) with the planned trace, whose executor header lives at
    /// `executor`. As [`Emitter::emit_into`], with no bounds check per uop
    /// where the plan allows it: every opcode was checked (targets are
    /// checked here, each also where it is read), the
    /// sizes were summed over this very trace, and the generated functions
    /// were measured to write exactly those sizes; the block's size is
    /// checked once here.
    #[inline]
    pub fn emit(&mut self, buf: &mut [u8], base: u64, executor: u64) -> Result<(), JitError> {
        let e = self.emitter;
        if self.unchecked && e.host && buf.len() == self.layout.total_size {
            // SAFETY: `emit_host_planned`'s contract: the plan's fast loop
            // made `layout` for `trace` (both borrowed by the plan since),
            // with the host set's verified sizes (`unchecked`), and `buf`
            // is the block of the planned size (just checked).
            let done = unsafe { e.emit_host_planned(self.trace, self.layout, buf, base, executor) };
            if done.is_some() {
                return Ok(());
            }
        }
        // The plan's fields are passed by value (not `&mut self`), so that
        // the fast path above keeps them in registers.
        let (done, unchecked) = Self::emit_other(
            e,
            self.trace,
            self.layout,
            self.unchecked,
            (buf, base, executor),
        );
        self.unchecked = unchecked;
        done
    }

    /// [`Plan::emit`] for other sets than the host's, unverified sizes,
    /// a block of another size, and a trace the host's path gave up on.
    /// Also returns whether the plan may still be emitted unchecked (not
    /// once a path gave up on it).
    #[inline(never)]
    fn emit_other(
        e: &Emitter,
        trace: &[UopInstruction],
        layout: &mut Layout,
        unchecked: bool,
        (buf, base, executor): (&mut [u8], u64, u64),
    ) -> (Result<(), JitError>, bool) {
        // The plan's fast loop does not check targets (the host's path
        // does, while emitting): every other path checks them here first.
        // A plan that took the fast loop has only usable opcodes, so the
        // first bad instruction is the first with a bad target.
        let mut targets = ScalarTargets::new();
        trace.iter().for_each(|ins| targets.add(ins));
        if targets.any_outside(trace.len()) {
            return (Err(e.first_error(trace)), false);
        }
        if unchecked && e.host && buf.len() == layout.total_size {
            // The host's path gave up: a value out of range (as below).
            return (e.emit_explained(trace, layout, buf, base, executor), false);
        }
        let Some(g) = e.generated.filter(|_| unchecked) else {
            return (e.emit_into(trace, layout, buf, base, executor), unchecked);
        };
        // The unchecked functions fill the data area in full (below), so
        // only the padding before it is zeroed.
        let emitted = e.emit_generated(trace, layout, buf, base, executor, false, |s, t| {
            // SAFETY: `trace_unchecked`'s contract holds. `emit_generated`
            // checked that the block is `layout.total_size` bytes and put
            // the sink at code offset 0 and the data area's start.
            // `layout` is the plan's fast loop over `t` (the plan borrows
            // both, so neither changed since): every opcode of `t` is
            // usable (its targets were checked above, and are again where
            // they are read). The plan places the trampoline,
            // the uops and the guard back to back with the sizes of
            // `packed` and the frame's, which `verify_sizes` found equal
            // to what each function copies (asking for no data alignment
            // beyond the set's largest, which every data offset has, as
            // every group's data size is a multiple of it and the data
            // area starts aligned to it: `uniform_data`), and the sums
            // end inside the block (`plan`'s size check). So the data
            // pieces lie back to back from the data area's start to the
            // block's end, each written in full (`EmitSink::data` copies
            // the whole body): no byte of the data area keeps a stale
            // value.
            unsafe {
                if std::ptr::eq(g, &crate::jit::stencils::HOST_EMIT) {
                    // The host's set: a direct call, inlined.
                    crate::jit::stencils::host_trace_unchecked(s, t)
                } else {
                    (g.trace_unchecked)(s, t)
                }
            }
        });
        match emitted {
            Some(()) => (Ok(()), true),
            // A value out of range (e.g. a symbol too far for a 32-bit
            // displacement): the table-driven path says which. It may redo
            // the layout, which is then no longer the plan's own.
            None => (e.emit_explained(trace, layout, buf, base, executor), false),
        }
    }
}

/// Accumulates the largest jump and error targets of a trace, one
/// instruction at a time, to check them against its length at the end.
pub(crate) trait TargetMax {
    /// Nothing seen yet.
    fn new() -> Self;
    /// Takes `ins`'s targets in.
    fn add(&mut self, ins: &UopInstruction);
    /// Whether a target seen is outside a trace of `n` uops (`1 <= n <=
    /// 2^31`).
    fn any_outside(self, n: usize) -> bool;
}

/// [`TargetMax`] in general-purpose registers: a maximum of each target.
pub(crate) struct ScalarTargets(u64, u64);

impl TargetMax for ScalarTargets {
    #[inline(always)]
    fn new() -> Self {
        ScalarTargets(0, 0)
    }

    #[inline(always)]
    fn add(&mut self, ins: &UopInstruction) {
        // The raw targets here, checked against the length at the end:
        // the flags need the length, not known to every caller up front.
        let v = ins.jump_target as u64 | (ins.error_target as u64) << 32;
        self.0 = self.0.max(v & u32::MAX as u64);
        self.1 = self.1.max(v >> 32);
    }

    #[inline(always)]
    fn any_outside(self, n: usize) -> bool {
        self.0.max(self.1) >= n as u64
    }
}

/// [`TargetMax`] in a vector register: one unsigned 32-bit maximum per
/// uop over its `target..=exit_index` (16 bytes, no padding: the
/// instruction is `#[repr(C)]`), whose jump and error lanes are checked at
/// the end. Only for functions compiled with SSE4.1 (x86-64 with AVX2 and
/// up), which inline it; elsewhere it is [`ScalarTargets`].
#[cfg(target_arch = "x86_64")]
pub(crate) struct VectorTargets(std::arch::x86_64::__m128i);
#[cfg(not(target_arch = "x86_64"))]
pub(crate) type VectorTargets = ScalarTargets;

#[cfg(target_arch = "x86_64")]
const _: () = {
    use std::mem::offset_of;
    // `target`, `jump_target`, `error_target`, `exit_index`: four
    // consecutive `u32` lanes, jump and error in lanes 1 and 2.
    const T: usize = offset_of!(UopInstruction, target);
    assert!(offset_of!(UopInstruction, jump_target) == T + 4);
    assert!(offset_of!(UopInstruction, error_target) == T + 8);
    assert!(offset_of!(UopInstruction, exit_index) == T + 12);
    assert!(T + 16 <= std::mem::size_of::<UopInstruction>());
};

#[cfg(target_arch = "x86_64")]
impl TargetMax for VectorTargets {
    #[inline(always)]
    fn new() -> Self {
        use std::arch::x86_64::*;
        // SAFETY: SSE2, which every x86-64 CPU has.
        VectorTargets(unsafe { _mm_setzero_si128() })
    }

    #[inline(always)]
    fn add(&mut self, ins: &UopInstruction) {
        const LANES: usize = std::mem::offset_of!(UopInstruction, target);
        // One `vpmaxud` with a memory operand, in `asm!`: written as
        // intrinsics, LLVM also loaded the instruction's scalar fields
        // ahead of the dispatch on the opcode, two loads per uop that
        // most uops do not use.
        // SAFETY: `target` and the three `u32` fields after it are 16
        // initialised bytes of `ins` (the layout is checked above), which
        // the instruction only reads (no alignment needed with VEX). It
        // needs AVX: this is inlined only into functions compiled for
        // AVX2 or more (`Emitter::emit_host_planned_avx2` and `_avx512`).
        unsafe {
            std::arch::asm!(
                "vpmaxud {acc}, {acc}, xmmword ptr [{ins} + {lanes}]",
                acc = inout(xmm_reg) self.0,
                ins = in(reg) std::ptr::from_ref(ins),
                lanes = const LANES,
                options(pure, readonly, nostack, preserves_flags),
            );
        }
    }

    #[inline(always)]
    fn any_outside(self, n: usize) -> bool {
        use std::arch::x86_64::*;
        let mut lanes = [0u32; 4];
        // SAFETY: a 16-byte unaligned store into a local of 16 bytes.
        unsafe { _mm_storeu_si128(lanes.as_mut_ptr().cast(), self.0) };
        lanes[1].max(lanes[2]) as usize >= n
    }
}

/// A group's code and data sizes in one word, for running sums of both:
/// code in the low 32 bits, data in the high 32.
fn pack(code: u32, data: u32) -> u64 {
    code as u64 | ((data as u64) << 32)
}

/// Whether no group's data ever needs aligning inside the data area, and
/// the set's largest data alignment minus one. True when every emittable
/// group's data size is a multiple of the largest alignment (the running
/// data offset then always is), and the trampoline or the guard has that
/// alignment (so every trace's data area is aligned to it, as the general
/// layout aligns it to the largest alignment of the trace's groups).
fn uniform_data(trampoline: &Program, fatal_error: &Program, uops: &[Program]) -> (bool, u32) {
    let groups = || {
        [trampoline, fatal_error]
            .into_iter()
            .chain(uops.iter().filter(|p| p.usable))
    };
    let align = groups().map(|p| p.data_align).max().unwrap_or(1);
    let uniform = groups().all(|p| p.data_len % align == 0)
        && (trampoline.data_align == align || fatal_error.data_align == align);
    (uniform, align - 1)
}

/// The vector stores the host's planned path copies stencils with
/// ([`Emitter::with_wide_copies`]). Ordered: a wider one implies the CPU
/// has the narrower ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CopyWidth {
    /// The target's baseline (16-byte SSE2 stores on x86-64).
    Baseline,
    /// 32-byte AVX2 stores (x86-64).
    Avx2,
    /// 64-byte AVX-512 stores (x86-64 with AVX-512 F, BW and VL): a
    /// stencil of 65 to 128 bytes is two overlapping copies.
    Avx512,
}

/// [`Emitter::emit_host_planned`] compiled for one [`CopyWidth`].
type PlannedFn = unsafe fn(&Emitter, &[UopInstruction], &Layout, &mut [u8], u64, u64) -> Option<()>;

/// The host's planned path compiled for `width`, which the CPU must have.
fn planned_fn(width: CopyWidth) -> PlannedFn {
    #[cfg(target_arch = "x86_64")]
    match width {
        CopyWidth::Avx512 => return Emitter::emit_host_planned_avx512,
        CopyWidth::Avx2 => return Emitter::emit_host_planned_avx2,
        CopyWidth::Baseline => {}
    }
    let _ = width;
    Emitter::emit_host_planned_baseline
}

/// The widest vector stores this CPU has for [`Emitter::with_wide_copies`]
/// (AVX-512 or AVX2 on x86-64; none elsewhere).
fn wide_copies_available() -> CopyWidth {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            return CopyWidth::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return CopyWidth::Avx2;
        }
    }
    CopyWidth::Baseline
}

fn align_up(n: u64, a: u64) -> u64 {
    (n + a - 1) & !(a - 1)
}

/// Defines `Emitter::$name`, [`Emitter::emit_host_planned`]'s body
/// compiled as one function of its own (with the attributes given: the
/// target features of one [`CopyWidth`]), checking targets with
/// `$targets`.
macro_rules! planned_at_width {
    ($(#[$attr:meta])* $name:ident, $targets:ty) => {
        $(#[$attr])*
        unsafe fn $name(
            &self,
            trace: &[UopInstruction],
            layout: &Layout,
            buf: &mut [u8],
            base: u64,
            executor: u64,
        ) -> Option<()> {
            // SAFETY: the caller keeps the contract.
            unsafe { self.emit_host_planned_body::<$targets>(trace, layout, buf, base, executor) }
        }
    };
}

impl Emitter {
    /// Prepares `set` for this host: checks its shape, resolves every symbol
    /// hole against `symbols`, and turns each group into a patch program. A
    /// symbol missing here is reported only when a trace uses a stencil that
    /// needs it.
    pub fn new(set: &StencilSet, symbols: &SymbolTable) -> Result<Self, JitError> {
        let mut programs = Programs::new();
        let trampoline = programs.prepare("_ENTRY", &set.trampoline, symbols, ContinueAt::Next)?;
        let fatal_error = programs.prepare(
            "_FATAL_ERROR",
            &set.fatal_error,
            symbols,
            ContinueAt::Itself,
        )?;
        let uops = Uop::ALL
            .iter()
            .map(|&u| match set.uops.get(u as usize) {
                Some(g) if !g.code.body.is_empty() || may_be_empty(u) => {
                    programs.prepare(u.name(), g, symbols, ContinueAt::Next)
                }
                _ => Ok(Program::UNKNOWN),
            })
            .collect::<Result<Vec<_>, _>>()?;
        programs.finish();
        let mut sizes = Box::new([GroupSize::UNUSABLE; UOP_COUNT]);
        let mut usable = Box::new([false; UOP_COUNT]);
        for ((size, ok), p) in sizes.iter_mut().zip(usable.iter_mut()).zip(&uops) {
            *ok = p.usable;
            if p.usable {
                *size = GroupSize {
                    code: p.code_len,
                    data: p.data_len,
                    align_mask: p.data_align - 1,
                    ok: true,
                };
            }
        }
        let (uniform_data, max_align_mask) = uniform_data(&trampoline, &fatal_error, &uops);
        let (mut max_code, mut max_data) = (1u64, 1u64);
        for p in uops.iter().filter(|p| p.usable) {
            max_code = max_code.max(p.code_len as u64);
            max_data = max_data.max(p.data_len as u64);
        }
        let first = (trampoline.code_len, trampoline.data_len);
        let (unusable_data, fast_limit) = unusable_flag(first, (max_code, max_data));
        let mut packed = Box::new([unusable_data << 32; UOP_COUNT]);
        for (w, p) in packed.iter_mut().zip(&uops).filter(|(_, p)| p.usable) {
            *w = pack(p.code_len, p.data_len);
        }
        // Sets naming more symbols than the sink's table holds use the
        // table-driven path.
        let generated = generated::lookup(set).filter(|g| g.symbols.len() <= SYMBOL_SLOTS);
        let mut symbol_values = Box::new([0u64; SYMBOL_SLOTS]);
        for (v, s) in symbol_values
            .iter_mut()
            .zip(generated.map_or(&[][..], |g| g.symbols))
        {
            *v = symbols.get(s).unwrap_or(0);
        }
        let frame = [&trampoline, &fatal_error].map(|p| pack(p.code_len, p.data_len));
        let unchecked = generated.is_some_and(|g| {
            uniform_data && Self::verify_sizes(g, &packed, &usable, frame, max_align_mask)
        });
        let fast_limit = usize::try_from(fast_limit).unwrap_or(usize::MAX);
        let frame_usable = trampoline.unresolved.is_none() && fatal_error.unresolved.is_none();
        let fast_plan_limit = if generated.is_some() && uniform_data && frame_usable {
            fast_limit.min(1 << 31)
        } else {
            0
        };
        let tail = FrameTail {
            code: fatal_error.code_len as u64,
            data: fatal_error.data_len as u64,
            align_mask: max_align_mask as u64,
        };
        // The host's planned path zeroes the padding before the data area
        // with one store of `MAX_DATA_ALIGN` bytes ending there: the frame's
        // code alone must be that long.
        let host = generated.is_some_and(|g| std::ptr::eq(g, &crate::jit::stencils::HOST_EMIT))
            && (trampoline.code_len as usize + fatal_error.code_len as usize) >= MAX_DATA_ALIGN;
        let e = Emitter {
            unchecked,
            host,
            wide: CopyWidth::Baseline,
            planned: planned_fn(CopyWidth::Baseline),
            programs,
            trampoline,
            fatal_error,
            uops,
            sizes,
            packed,
            unusable_data,
            uniform_data,
            fast_limit,
            fast_plan_limit,
            tail,
            max_align_mask,
            operand_mask: if is_32_bit(set.target) {
                u32::MAX as u64
            } else {
                u64::MAX
            },
            generated,
            symbol_values,
            usable,
        };
        Ok(e.with_wide_copies(true))
    }

    /// Whether every usable uop's generated function copies exactly the
    /// code and data sizes the plan counts for it (`packed`), the
    /// trampoline's and the guard's exactly theirs (`frame`, packed the
    /// same way), and none asks for a data alignment above the set's
    /// largest (`max_align_mask + 1`, to which every data offset is then
    /// aligned already). What makes emitting a planned trace without
    /// bounds checks sound: the plan's sums are then exactly what the
    /// functions write.
    fn verify_sizes(
        g: &GeneratedSet,
        packed: &[u64; UOP_COUNT],
        usable: &[bool; UOP_COUNT],
        frame: [u64; 2],
        max_align_mask: u32,
    ) -> bool {
        let fits = |run: &dyn Fn(&mut Measure) -> Option<()>, want: u64| {
            let mut m = Measure::default();
            run(&mut m).is_some()
                && m.code <= u32::MAX as usize
                && m.data <= u32::MAX as usize
                && pack(m.code as u32, m.data as u32) == want
                && m.align <= max_align_mask as usize + 1
        };
        let frame_fits = g
            .measure_frame
            .iter()
            .zip(frame)
            .all(|(f, want)| fits(f, want));
        frame_fits
            && (0..UOP_COUNT)
                .filter(|&op| usable[op])
                .all(|op| fits(&|m| (g.measure)(op, m), packed[op]))
    }

    /// This emitter, copying stencils with the CPU's widest vector stores
    /// (AVX-512 or AVX2 on x86-64) only if `wide` and the CPU has them; on
    /// by default where it has. The emitted bytes are the same either way
    /// (for comparisons and tests).
    pub fn with_wide_copies(self, wide: bool) -> Self {
        let width = if wide {
            CopyWidth::Avx512
        } else {
            CopyWidth::Baseline
        };
        self.with_copies_at_most(width)
    }

    /// This emitter, copying stencils with the widest vector stores the
    /// CPU has up to `width` (for comparisons and tests: the bytes are the
    /// same at every width).
    pub fn with_copies_at_most(mut self, width: CopyWidth) -> Self {
        self.wide = if self.host {
            width.min(wide_copies_available())
        } else {
            CopyWidth::Baseline
        };
        self.planned = planned_fn(self.wide);
        self
    }

    /// Whether planned traces are copied with wider vector stores than
    /// the target's baseline ([`Emitter::with_wide_copies`]).
    pub fn has_wide_copies(&self) -> bool {
        self.wide > CopyWidth::Baseline
    }

    /// The vector stores planned traces are copied with.
    pub fn copy_width(&self) -> CopyWidth {
        self.wide
    }

    /// Emits a planned trace through the host set's generated functions on
    /// an unchecked sink: [`Plan::emit`]'s path for the host set (every
    /// trace a VM compiles), one inlined function from the trampoline to
    /// the guard. Zeroes only the padding before the data area (as
    /// `Plan::emit`'s general path: the data pieces fill the area). `None`
    /// if a value does not fit its hole (the block is then incomplete).
    ///
    /// # Safety
    ///
    /// `layout` was made by this emitter's [`Emitter::plan`] fast loop for
    /// `trace` (unchanged since), this emitter's `host` and `unchecked`
    /// are set, and `buf` is `layout.total_size` bytes: what
    /// [`Sink::trace_unchecked`] requires then holds (see
    /// [`Plan::emit`]'s general path).
    #[inline(always)]
    unsafe fn emit_host_planned(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Option<()> {
        // SAFETY: `planned` is `planned_fn(self.wide)`, whose stores this
        // CPU has (`wide` is at most `wide_copies_available()`); the caller
        // keeps the rest of the contract.
        unsafe { (self.planned)(self, trace, layout, buf, base, executor) }
    }

    planned_at_width! {
        /// [`Emitter::emit_host_planned`] for any CPU of the target.
        ///
        /// # Safety
        ///
        /// The contract of [`Emitter::emit_host_planned`].
        #[inline(never)]
        emit_host_planned_baseline, ScalarTargets
    }

    planned_at_width! {
        /// [`Emitter::emit_host_planned`] compiled for AVX2: the stencils'
        /// fixed-size copies become 32-byte stores.
        ///
        /// # Safety
        ///
        /// The CPU has AVX2, and the contract of
        /// [`Emitter::emit_host_planned`].
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        emit_host_planned_avx2, VectorTargets
    }

    planned_at_width! {
        /// [`Emitter::emit_host_planned`] compiled for AVX-512: the
        /// stencils' fixed-size copies become 64-byte stores (one stencil
        /// of up to 128 bytes, the most common sizes, two overlapping
        /// ones).
        ///
        /// # Safety
        ///
        /// The CPU has AVX-512 F, BW and VL, and the contract of
        /// [`Emitter::emit_host_planned`].
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
        emit_host_planned_avx512, VectorTargets
    }

    /// The body of [`Emitter::emit_host_planned`] (same contract), checking
    /// the trace's targets with `T`.
    #[inline(always)]
    unsafe fn emit_host_planned_body<T: TargetMax>(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Option<()> {
        debug_assert!(self.host && self.unchecked && buf.len() == layout.total_size);
        let data_base = layout.data_base;
        debug_assert!(
            (MAX_DATA_ALIGN..=buf.len()).contains(&data_base)
                && (data_base - MAX_DATA_ALIGN..=data_base).contains(&layout.code_size)
        );
        // Zeroes the padding between code and data (shorter than the
        // largest alignment) with one store of `MAX_DATA_ALIGN` bytes ending
        // at the data area: what it zeroes before the padding is code,
        // which emission writes afterwards.
        // SAFETY: the plan's fast loop placed the data area at the end of
        // all code aligned up to the set's largest alignment (at most
        // `MAX_DATA_ALIGN`), and inside the block (`buf`, of the planned
        // size); the code, the frame's at least, is `MAX_DATA_ALIGN` bytes
        // or more (`host`). So `data_base - MAX_DATA_ALIGN..data_base` lies
        // in `buf` and covers the padding; `[u8; N]` has alignment 1.
        unsafe {
            buf.as_mut_ptr()
                .add(data_base - MAX_DATA_ALIGN)
                .cast::<[u8; MAX_DATA_ALIGN]>()
                .write([0; MAX_DATA_ALIGN]);
        }
        debug_assert!(!trace.is_empty() && layout.slots.len() == trace.len() + 2);
        // SAFETY: the plan's fast loop made `trace.len() + 2` slots (the
        // trampoline's, one per uop, the guard's) for this non-empty trace.
        let targets = unsafe { layout.slots.get_unchecked(1..trace.len() + 1) };
        let consts = TraceConsts {
            executor,
            // SAFETY: `targets` holds one slot per uop, and the trace has
            // at least one.
            top: base.wrapping_add(unsafe { targets.get_unchecked(0) }.code as u64),
            symbols: &self.symbol_values,
            usable: &self.usable,
        };
        // SAFETY: the plan's layout puts the trampoline's code at 0 and
        // its data at the data area's start, and the caller keeps the
        // rest of `trace_unchecked`'s contract (see `Plan::emit`).
        let mut sink = unsafe { Sink::planned(buf, data_base, base, targets, &consts) };
        // Every target of the trace is checked, also those of uops that do
        // not read them, with one maximum per uop; those that are read are
        // checked where they are read too (`Sink::target`), before the end.
        let mut targets = T::new();
        // SAFETY: as just above.
        unsafe {
            crate::jit::stencils::host_trace_planned(&mut sink, trace, |ins| targets.add(ins))?
        };
        if targets.any_outside(trace.len()) {
            return None;
        }
        // Code and data end where the plan says: they do by construction
        // (the plan summed the sizes `verify_sizes` measured each function
        // to write), so only debug builds check it, as the issue asks.
        if cfg!(debug_assertions)
            && (sink.code_offset() != layout.code_size || sink.data_offset() != layout.total_size)
        {
            return None;
        }
        Some(())
    }

    /// [`Emitter::new`] without the set's generated emit functions: every
    /// trace goes through the table-driven path (for comparisons).
    pub fn table_driven(set: &StencilSet, symbols: &SymbolTable) -> Result<Self, JitError> {
        let mut e = Self::new(set, symbols)?;
        e.generated = None;
        e.unchecked = false;
        e.host = false;
        e.wide = CopyWidth::Baseline;
        e.planned = planned_fn(CopyWidth::Baseline);
        e.fast_plan_limit = 0;
        Ok(e)
    }

    /// Whether traces are emitted by the set's generated functions.
    pub fn is_generated(&self) -> bool {
        self.generated.is_some()
    }

    /// The program of a uop, or why it cannot be emitted.
    fn group(&self, u: Uop) -> Result<&Program, JitError> {
        match self.uops.get(u as usize) {
            Some(p) if p.usable => Ok(p),
            Some(Program {
                unresolved: Some(sym),
                ..
            }) => Err(JitError::UnresolvedSymbol(sym)),
            _ => Err(JitError::UnknownOpcode(u.name())),
        }
    }

    /// Bytes of the trampoline's code (the side entry's offset).
    pub fn trampoline_size(&self) -> usize {
        self.trampoline.code_len as usize
    }

    /// First pass: checks every instruction and computes the layout.
    pub fn layout(&self, trace: &[UopInstruction]) -> Result<Layout, JitError> {
        let mut layout = Layout::default();
        self.layout_into(trace, &mut layout)?;
        Ok(layout)
    }

    /// [`Emitter::layout`] into an existing [`Layout`], reusing its memory.
    pub fn layout_into(&self, trace: &[UopInstruction], out: &mut Layout) -> Result<(), JitError> {
        if self.uniform_data && trace.len() <= self.fast_limit {
            self.layout_packed(trace, out)
        } else {
            self.layout_general(trace, out)
        }
    }

    /// Checks what every layout needs: a non-empty trace, and the
    /// trampoline and guard emittable.
    fn check_frame(&self, trace: &[UopInstruction]) -> Result<(), JitError> {
        if trace.is_empty() {
            return Err(JitError::EmptyTrace);
        }
        for p in [&self.trampoline, &self.fatal_error] {
            if let Some(sym) = p.unresolved {
                return Err(JitError::UnresolvedSymbol(sym));
            }
        }
        Ok(())
    }

    /// The first pass for sets whose data never needs aligning (the
    /// committed ones): one running sum of packed code and data sizes, one
    /// store per uop. Only for traces of at most `fast_limit` uops, so
    /// that the sums cannot carry.
    fn layout_packed(&self, trace: &[UopInstruction], out: &mut Layout) -> Result<(), JitError> {
        self.check_frame(trace)?;
        let n = trace.len();
        let t = &self.trampoline;
        let packed = &*self.packed;
        let usable = &*self.usable;
        let mut pos = pack(t.code_len, t.data_len);
        let mut ok = true;
        let (mut worst_jump, mut worst_error) = (0u32, 0u32);
        out.slots.clear();
        out.slots.reserve(n + 2);
        out.slots.push(Slot::default());
        // The slots are written in place, in the reserved capacity (a plain
        // loop keeps the running sum in a register).
        let spare = out.slots.spare_capacity_mut();
        for (slot, ins) in spare.iter_mut().zip(trace) {
            let op = ins.opcode as usize;
            ok &= usable[op];
            worst_jump = worst_jump.max(ins.jump_target);
            worst_error = worst_error.max(ins.error_target);
            slot.write(Slot {
                code: pos as u32,
                data: (pos >> 32) as u32,
            });
            pos = pos.wrapping_add(packed[op]);
        }
        // SAFETY: `n + 2` slots are reserved; the first was pushed and the
        // next `n` were just written, one per instruction of `trace` (the
        // spare capacity holds at least `n + 1`). The last is pushed below.
        unsafe { out.slots.set_len(n + 1) };
        if !ok || worst_jump.max(worst_error) as usize >= n {
            return Err(self.first_error(trace));
        }
        // Every data size is a multiple of the set's largest alignment
        // (`uniform_data`), so the guard's data is aligned already, and the
        // trampoline or the guard has that alignment: the data area is
        // aligned to it.
        let (code, data) = (pos & u32::MAX as u64, pos >> 32);
        let guard = self.finish_layout(out, code, data, self.max_align_mask)?;
        out.slots.push(guard);
        Ok(())
    }

    /// The first pass for any set: aligns each group's data.
    fn layout_general(&self, trace: &[UopInstruction], out: &mut Layout) -> Result<(), JitError> {
        self.check_frame(trace)?;
        let n = trace.len();
        let (t, f) = (&self.trampoline, &self.fatal_error);
        // Code offsets are absolute; data offsets are relative to the data
        // area, which starts after all code, aligned for all data. Alignments
        // are powers of two, so OR-ing their masks gives the largest. Only
        // groups with an alignment above 1 (those with data) align.
        let mut code = t.code_len as u64;
        let mut data = t.data_len as u64;
        let mut max_mask = (t.data_align - 1) | (f.data_align - 1);
        let mut ok = true;
        let mut worst_target = 0u32;
        let sizes = &*self.sizes;
        out.slots.clear();
        out.slots.reserve(n + 2);
        out.slots.push(Slot::default());
        for ins in trace {
            let s = sizes[ins.opcode as usize];
            ok &= s.ok;
            worst_target = worst_target.max(ins.jump_target.max(ins.error_target));
            if s.align_mask != 0 {
                let mask = s.align_mask as u64;
                data = (data + mask) & !mask;
                max_mask |= s.align_mask;
            }
            // Offsets past `MAX_BLOCK` are cut, and rejected below.
            out.slots.push(Slot {
                code: code as u32,
                data: data as u32,
            });
            code += s.code as u64;
            data += s.data as u64;
        }
        if !ok || worst_target as usize >= n {
            return Err(self.first_error(trace));
        }
        let guard = self.finish_layout(out, code, data, max_mask)?;
        out.slots.push(guard);
        Ok(())
    }

    /// Places the guard after the uops, then the data after all code
    /// (aligned with `max_mask`), and checks the block's size. Returns the
    /// guard's slot.
    fn finish_layout(
        &self,
        out: &mut Layout,
        mut code: u64,
        mut data: u64,
        max_mask: u32,
    ) -> Result<Slot, JitError> {
        let f = &self.fatal_error;
        data = align_up(data, f.data_align as u64);
        // Offsets past `MAX_BLOCK` are cut, and rejected below.
        let guard = Slot {
            code: code as u32,
            data: data as u32,
        };
        code += f.code_len as u64;
        data += f.data_len as u64;
        let data_base = align_up(code, max_mask as u64 + 1);
        let total = data_base + data;
        if total > MAX_BLOCK as u64 {
            return Err(JitError::TraceTooLarge {
                needed: usize::try_from(total).unwrap_or(usize::MAX),
                limit: MAX_BLOCK,
            });
        }
        out.code_size = code as usize;
        out.data_base = data_base as usize;
        out.total_size = total as usize;
        Ok(guard)
    }

    /// The error of the first bad instruction of a trace the first pass
    /// rejected.
    #[cold]
    fn first_error(&self, trace: &[UopInstruction]) -> JitError {
        let n = trace.len();
        for (index, ins) in trace.iter().enumerate() {
            if ins.jump_target as usize >= n || ins.error_target as usize >= n {
                let target = ins.jump_target.max(ins.error_target);
                return JitError::BadTarget {
                    index,
                    target,
                    len: n,
                };
            }
            if let Err(e) = self.group(ins.opcode) {
                return e;
            }
        }
        JitError::BadStencil("layout: no bad instruction found".into())
    }

    /// Whether [`Emitter::plan`] may take its fast loop for a trace of `n`
    /// uops: `1 <= n <= fast_plan_limit` (0 unless the set has generated
    /// functions, uniform data and an emittable frame), one comparison.
    #[inline(always)]
    fn fast_plan(&self, n: usize) -> bool {
        n.wrapping_sub(1) < self.fast_plan_limit
    }

    /// What emission needs, computed before the block is allocated: the
    /// block's size and where each uop goes, with every opcode checked.
    /// For sets with generated functions and uniform data (every
    /// committed set) that is one running sum of packed code and data
    /// sizes, one store per uop, an unusable opcode flagged in the sum;
    /// the trace's targets are then checked by [`Plan::emit`] (the host's
    /// path keeps one vector maximum of them per uop as it emits: a bad
    /// target is the same [`JitError::BadTarget`], after the block is
    /// allocated). For other sets it is the full first pass
    /// ([`Emitter::layout_into`]). Errors: an empty trace, a bad
    /// instruction, a trampoline or guard that cannot be emitted, a block
    /// over [`MAX_BLOCK`].
    ///
    /// The returned [`Plan`] keeps `trace` and `out` borrowed until it
    /// emits ([`Plan::emit`]): the layout is then known to be this
    /// trace's, so the emitting pass needs no bounds checks.
    #[inline(always)]
    pub fn plan<'a>(
        &'a self,
        trace: &'a [UopInstruction],
        out: &'a mut Layout,
    ) -> Result<Plan<'a>, JitError> {
        let n = trace.len();
        if !self.fast_plan(n) {
            self.layout_into(trace, out)?;
            return Ok(Plan {
                emitter: self,
                trace,
                layout: out,
                unchecked: false,
            });
        }
        // `fast_plan`: the trace is not empty, the frame can be emitted.
        let t = &self.trampoline;
        let packed = &*self.packed;
        let mut pos = pack(t.code_len, t.data_len);
        out.slots.clear();
        out.slots.reserve(n + 2);
        // The slots are written in place, in the reserved capacity (a plain
        // loop keeps the running sum in a register), and the length set
        // once at the end.
        // SAFETY: `reserve` left room for `n + 2` slots past the length, 0.
        let spare = unsafe { out.slots.spare_capacity_mut().get_unchecked_mut(..n + 2) };
        let [first, spare @ ..] = spare else {
            return Err(JitError::BadStencil("plan: no room for the layout".into()));
        };
        first.write(Slot::default());
        let (body, guard_slot) = spare.split_at_mut(n);
        // `n <= fast_limit`: no sum carries, and the data sum reaches
        // `unusable_data` exactly when an opcode is unusable
        // (`unusable_flag`; the sums are then not used). Targets are
        // checked by `Plan::emit`, every one, also those of uops that do
        // not read them (in the host's path, one vector maximum per uop).
        let mut step = |slot: &mut std::mem::MaybeUninit<Slot>, ins: &UopInstruction| {
            slot.write(Slot {
                code: pos as u32,
                data: (pos >> 32) as u32,
            });
            let p = packed[ins.opcode as usize];
            pos = pos.wrapping_add(p);
        };
        // Four instructions per round (the loop's own cost, shared).
        let (slots4, slots_rest) = body.as_chunks_mut::<4>();
        let (trace4, trace_rest) = trace.as_chunks::<4>();
        for (s, t) in slots4.iter_mut().zip(trace4) {
            for (slot, ins) in s.iter_mut().zip(t) {
                step(slot, ins);
            }
        }
        for (slot, ins) in slots_rest.iter_mut().zip(trace_rest) {
            step(slot, ins);
        }
        let (code, data) = (pos & u32::MAX as u64, pos >> 32);
        if data >= self.unusable_data {
            return Err(self.first_error(trace));
        }
        // The guard, then the data area after all code. Every data size is
        // a multiple of the set's largest alignment (`uniform_data`), so
        // the guard's data is aligned already, and the trampoline or the
        // guard has that alignment: the data area is aligned to it. `code`
        // and `data` are below `2^32`: no sum here overflows.
        let tail = self.tail;
        let data_base = (code + tail.code + tail.align_mask) & !tail.align_mask;
        let total = data_base + data + tail.data;
        if total > MAX_BLOCK as u64 {
            return Err(JitError::TraceTooLarge {
                needed: usize::try_from(total).unwrap_or(usize::MAX),
                limit: MAX_BLOCK,
            });
        }
        if let Some(g) = guard_slot.first_mut() {
            g.write(Slot {
                code: code as u32,
                data: data as u32,
            });
        }
        // SAFETY: `n + 2` slots are reserved, and each was just written:
        // the first, one per instruction of `trace` (`body` holds exactly
        // `n`: chunks and rest cover it, as they do `trace`), the guard's
        // (`guard_slot` holds exactly one).
        unsafe { out.slots.set_len(n + 2) };
        out.code_size = (code + tail.code) as usize;
        out.data_base = data_base as usize;
        out.total_size = total as usize;
        Ok(Plan {
            emitter: self,
            trace,
            layout: out,
            unchecked: self.unchecked,
        })
    }

    /// Fills `buf` (exactly `layout.total_size` bytes, to run at address
    /// `base`) with `trace`, whose executor header lives at `executor`.
    /// `layout` should come from [`Emitter::plan`] or [`Emitter::layout`]
    /// for the same trace; one that does not match is an error (it is
    /// checked here, as nothing ties it to the trace: [`Plan::emit`]
    /// needs fewer checks). On an error, `layout` may have been redone by
    /// the full first pass.
    ///
    /// Uses the set's generated emit functions when it has them; a trace
    /// they do not handle (a bad instruction, a value out of range) is
    /// redone through the full first pass and the table-driven path, which
    /// say precisely what is wrong.
    pub fn emit_into(
        &self,
        trace: &[UopInstruction],
        layout: &mut Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Result<(), JitError> {
        if let Some(g) = self.generated {
            let emitted = self.emit_generated(trace, layout, buf, base, executor, true, |s, t| {
                Self::checked_trace(g, layout, s, t)
            });
            if emitted.is_some() {
                return Ok(());
            }
        }
        self.emit_explained(trace, layout, buf, base, executor)
    }

    /// Where emission through generated functions gave up (or the set has
    /// none): the full first pass finds a bad instruction, or a layout made
    /// for another trace, and the table-driven path says precisely what
    /// else is wrong (e.g. a value out of range).
    #[cold]
    fn emit_explained(
        &self,
        trace: &[UopInstruction],
        layout: &mut Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Result<(), JitError> {
        if self.generated.is_some() {
            let total = layout.total_size;
            self.layout_into(trace, layout)?;
            if layout.total_size != total {
                return Err(JitError::BadStencil(
                    "emit: buffer or layout does not match the trace".into(),
                ));
            }
        }
        self.emit_tables(trace, layout, buf, base, executor)
    }

    /// The whole trace through the set's checked functions, checking that
    /// each part starts where `layout` says (it may have been made for
    /// another trace).
    #[inline(always)]
    fn checked_trace<'s>(
        g: &GeneratedSet,
        layout: &Layout,
        sink: &mut Sink<'s>,
        trace: &'s [UopInstruction],
    ) -> Option<()> {
        let slots = &layout.slots;
        (g.trampoline)(sink)?;
        // The first uop's code and data go where the layout says.
        let first = slots.get(1)?;
        if sink.code_offset() != first.code as usize
            || sink.data_offset() != layout.data_base + first.data as usize
        {
            return None;
        }
        (g.uops)(sink, trace)?;
        // Its code ends where ours does (emitted sizes equal computed
        // sizes).
        let guard = slots.get(trace.len() + 1)?;
        if sink.code_offset() != guard.code as usize {
            return None;
        }
        (g.fatal_error)(sink)
    }

    /// Emission through generated functions, the whole trace through
    /// `body` (the set's checked or unchecked functions); `None` if they
    /// cannot (the block is then incomplete). Checks the frame of the
    /// layout: the block's size, the slots' count, that code and data end
    /// where the layout says. Zeroes the padding between code and data,
    /// and the whole data area too if `zero_data` (when `body` may leave
    /// gaps in it: data aligned inside it).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn emit_generated(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
        zero_data: bool,
        body: impl for<'s> FnOnce(&mut Sink<'s>, &'s [UopInstruction]) -> Option<()>,
    ) -> Option<()> {
        let n = trace.len();
        let slots = layout.slots.as_slice();
        if buf.len() != layout.total_size
            || slots.len() != n + 2
            || layout.code_size > layout.data_base
            || layout.data_base > buf.len()
        {
            return None;
        }
        // Padding between code and data (and between data pieces, if the
        // body may leave any) is zeroed so that no stale bytes of an
        // earlier executor remain.
        if zero_data {
            buf.get_mut(layout.code_size..)?.fill(0);
        } else {
            Self::zero_padding(buf, layout.code_size, layout.data_base)?;
        }
        let targets = slots.get(1..n + 1)?;
        let consts = TraceConsts {
            executor,
            top: base.wrapping_add(targets.first()?.code as u64),
            symbols: &self.symbol_values,
            usable: &self.usable,
        };
        let start = (slots.first()?.code as usize, layout.data_base);
        let mut sink = Sink::new(buf, start, base, targets, &consts);
        body(&mut sink, trace)?;
        // The layout must be this trace's: code and data end where it says.
        (sink.code_offset() == layout.code_size && sink.data_offset() == layout.total_size)
            .then_some(())
    }

    /// Zeroes `buf[code_end..data_base]`, the padding before the data
    /// area (shorter than [`MAX_DATA_ALIGN`], the largest alignment).
    /// Where the block allows it, that is one store of a fixed
    /// [`MAX_DATA_ALIGN`] bytes ending at `data_base` (no `memset` call
    /// for a few bytes): what it zeroes before `code_end` is code, which
    /// emission writes afterwards (or the table-driven path rewrites in
    /// full). `None` if the offsets do not lie in `buf` in that order.
    #[inline(always)]
    fn zero_padding(buf: &mut [u8], code_end: usize, data_base: usize) -> Option<()> {
        const W: usize = MAX_DATA_ALIGN;
        if code_end > data_base {
            return None;
        }
        let window = data_base
            .checked_sub(W)
            .and_then(|start| buf.get_mut(start..data_base))
            .and_then(|w| <&mut [u8; W]>::try_from(w).ok());
        match window {
            Some(w) if data_base - code_end <= W => *w = [0; W],
            _ => buf.get_mut(code_end..data_base)?.fill(0),
        }
        Some(())
    }

    /// [`Emitter::emit_into`] through the patch programs.
    fn emit_tables(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Result<(), JitError> {
        let n = trace.len();
        let slots = layout.slots.as_slice();
        let mismatch =
            || JitError::BadStencil("emit: buffer or layout does not match the trace".into());
        if buf.len() != layout.total_size
            || slots.len() != n + 2
            || layout.code_size > layout.data_base
            || layout.data_base > buf.len()
        {
            return Err(mismatch());
        }
        let code_end = layout.code_size;
        let db = layout.data_base;
        let at = |s: Slot| (s.code as usize, db + s.data as usize);
        let code_at = |i: usize| base + slots[i].code as u64;
        // Padding between code and data, and between data pieces, is zeroed
        // so that no stale bytes of an earlier executor remain.
        buf[code_end..].fill(0);
        let top = code_at(1);
        let mut values: Values = [0; VALUE_SLOTS];
        values[value_index(HoleValue::Executor)] = executor;
        values[value_index(HoleValue::Top)] = top;
        let frame_values = values;
        let (c, d) = at(slots[0]);
        values[value_index(HoleValue::Code)] = base + c as u64;
        values[value_index(HoleValue::Continue)] = top;
        values[value_index(HoleValue::Data)] = base + d as u64;
        self.put(&self.trampoline, buf, (c, d), code_end, base, &values)?;
        // Code is laid out back to back: each uop's goes where the previous
        // one's ends. Only uops with data (rare) look their data up.
        let mut c = c + self.trampoline.code_len as usize;
        for (i, ins) in trace.iter().enumerate() {
            let p = match self.uops.get(ins.opcode as usize) {
                Some(p) if p.usable => p,
                _ => return Err(self.group(ins.opcode).err().unwrap_or_else(mismatch)),
            };
            let (jump, error) = (ins.jump_target as usize, ins.error_target as usize);
            if jump >= n || error >= n {
                return Err(mismatch());
            }
            let next = c + p.code_len as usize;
            values[0] = base + c as u64;
            values[1] = base + next as u64;
            values[6] = ins.oparg as u64;
            values[7] = ins.operand & self.operand_mask;
            values[8] = ins.target as u64;
            values[9] = code_at(jump + 1);
            values[10] = code_at(error + 1);
            values[11] = ins.exit_index as u64;
            values[12] = ins.operand >> 32;
            values[13] = (ins.oparg as u64) << 3;
            values[14] = ins.operand << 3;
            values[15] = ins.operand;
            if p.cold {
                let d = at(slots[i + 1]).1;
                values[2] = base + d as u64;
                self.programs.put_small_data(p, buf, d, base, &values)?;
            }
            self.programs.put_code(p, buf, c, code_end, base, &values)?;
            if p.slow_code {
                self.programs.put_slow_code(p, buf, c, base, &values)?;
            }
            c = next;
        }
        // The layout must be this trace's: its code ends where ours does.
        let (fc, d) = at(slots[n + 1]);
        if fc != c
            || c + self.fatal_error.code_len as usize != code_end
            || d + self.fatal_error.data_len as usize != buf.len()
        {
            return Err(mismatch());
        }
        values = frame_values;
        values[value_index(HoleValue::Code)] = base + c as u64;
        values[value_index(HoleValue::Continue)] = base + c as u64;
        values[value_index(HoleValue::Data)] = base + d as u64;
        self.put(&self.fatal_error, buf, (c, d), code_end, base, &values)
    }

    /// Emits one whole group (the trampoline or the guard).
    fn put(
        &self,
        p: &Program,
        buf: &mut [u8],
        (c, d): (usize, usize),
        code_end: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        self.programs.put_data(p, buf, d, base, values)?;
        self.programs.put_code(p, buf, c, code_end, base, values)?;
        self.programs.put_slow_code(p, buf, c, base, values)
    }
}

const _: () = {
    // The table indices `emit` writes by number.
    assert!(value_index(HoleValue::Code) == 0);
    assert!(value_index(HoleValue::Continue) == 1);
    assert!(value_index(HoleValue::Data) == 2);
    assert!(value_index(HoleValue::Oparg) == 6);
    assert!(value_index(HoleValue::Operand) == 7);
    assert!(value_index(HoleValue::Target) == 8);
    assert!(value_index(HoleValue::JumpTarget) == 9);
    assert!(value_index(HoleValue::ErrorTarget) == 10);
    assert!(value_index(HoleValue::ExitIndex) == 11);
    assert!(value_index(HoleValue::OperandHi) == 12);
    assert!(value_index(HoleValue::OpargBytes) == 13);
    assert!(value_index(HoleValue::OperandBytes) == 14);
    assert!(value_index(HoleValue::OperandI32) == 15);
};
