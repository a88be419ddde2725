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
    /// Whether `generated` is the host set's own ([`stencils::HOST_EMIT`]):
    /// planned traces then take [`Emitter::emit_host_planned`], a direct
    /// call the compiler inlines whole.
    ///
    /// [`stencils::HOST_EMIT`]: crate::jit::stencils::HOST_EMIT
    host: bool,
    /// Whether [`Emitter::emit_host_planned`] may copy with the CPU's
    /// widest vector stores (x86-64 with AVX2, detected at
    /// [`Emitter::new`]; see [`Emitter::with_wide_copies`]).
    wide: bool,
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

/// A trace's [`Layout`], made by [`Emitter::plan`] with every instruction
/// checked, keeping the trace and the layout borrowed until it emits: the
/// layout is then known to be this trace's, by this emitter.
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
    /// where the plan allows it: every opcode and target was checked, the
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
            // usable and every target below `t.len()`, the number of
            // `targets` (`slots[1..=n]`). The plan places the trampoline,
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

/// Checks both targets of an instruction against a trace's length at once,
/// as two 32-bit lanes of one word, without a branch: OR-ing
/// [`TargetCheck::flags`] over a trace and testing the result with
/// [`TargetCheck::any`] finds whether any target is out of range.
///
/// A lane `x` is out of range if `x >= n`. Adding `2^31 - n` to a lane
/// below `2^31` sets its bit 31 exactly when `x >= n`, and cannot carry out
/// of the lane; a lane at or above `2^31` (out of range, as `n <= 2^31`)
/// has bit 31 set already, so its carry into the other lane (or out of the
/// word) does not matter: the word is flagged either way.
#[derive(Clone, Copy)]
struct TargetCheck {
    /// `2^31 - n` in each lane.
    add: u64,
}

impl TargetCheck {
    /// Bit 31 of each lane.
    const HIGH: u64 = 0x8000_0000_8000_0000;

    /// For traces of `n` uops, `1 <= n <= 2^31`.
    fn new(n: usize) -> Self {
        debug_assert!((1..=1 << 31).contains(&n));
        TargetCheck {
            add: ((1u64 << 31) - n as u64) * 0x1_0000_0001,
        }
    }

    /// Bits that [`TargetCheck::any`] finds if a target of `ins` is out
    /// of range.
    #[inline(always)]
    fn flags(self, ins: &UopInstruction) -> u64 {
        let v = ins.jump_target as u64 | (ins.error_target as u64) << 32;
        v | v.wrapping_add(self.add)
    }

    /// Whether OR-ed [`TargetCheck::flags`] flag a target out of range.
    fn any(flags: u64) -> bool {
        flags & Self::HIGH != 0
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

/// Whether this CPU has the vector stores [`Emitter::with_wide_copies`]
/// uses (AVX2 on x86-64; none elsewhere).
fn wide_copies_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn align_up(n: u64, a: u64) -> u64 {
    (n + a - 1) & !(a - 1)
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
        let host = generated.is_some_and(|g| std::ptr::eq(g, &crate::jit::stencils::HOST_EMIT));
        Ok(Emitter {
            unchecked,
            host,
            wide: host && wide_copies_available(),
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
        })
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
    /// (AVX2 on x86-64) only if `wide` and the CPU has them; on by default
    /// where it has. The emitted bytes are the same either way (for
    /// comparisons and tests).
    pub fn with_wide_copies(mut self, wide: bool) -> Self {
        self.wide = wide && self.host && wide_copies_available();
        self
    }

    /// Whether planned traces are copied with the CPU's widest vector
    /// stores ([`Emitter::with_wide_copies`]).
    pub fn has_wide_copies(&self) -> bool {
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
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is set only where the CPU has AVX2
            // (`wide_copies_available`); the caller keeps the rest.
            return unsafe { self.emit_host_planned_avx2(trace, layout, buf, base, executor) };
        }
        // SAFETY: the caller keeps the contract.
        unsafe { self.emit_host_planned_baseline(trace, layout, buf, base, executor) }
    }

    /// [`Emitter::emit_host_planned`] for any CPU of the target.
    ///
    /// # Safety
    ///
    /// The contract of [`Emitter::emit_host_planned`].
    #[inline(never)]
    unsafe fn emit_host_planned_baseline(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Option<()> {
        // SAFETY: the caller keeps the contract.
        unsafe { self.emit_host_planned_body(trace, layout, buf, base, executor) }
    }

    /// [`Emitter::emit_host_planned`] compiled for AVX2: the stencils'
    /// fixed-size copies become 32-byte stores.
    ///
    /// # Safety
    ///
    /// The CPU has AVX2, and the contract of [`Emitter::emit_host_planned`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn emit_host_planned_avx2(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Option<()> {
        // SAFETY: the caller keeps the contract.
        unsafe { self.emit_host_planned_body(trace, layout, buf, base, executor) }
    }

    /// The body of [`Emitter::emit_host_planned`] (same contract).
    #[inline(always)]
    unsafe fn emit_host_planned_body(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Option<()> {
        debug_assert!(self.host && self.unchecked && buf.len() == layout.total_size);
        Self::zero_padding(buf, layout.code_size, layout.data_base)?;
        let targets = layout.slots.get(1..trace.len() + 1)?;
        let consts = TraceConsts {
            executor,
            top: base.wrapping_add(targets.first()?.code as u64),
            symbols: &self.symbol_values,
            usable: &self.usable,
        };
        // SAFETY: the plan's layout puts the trampoline's code at 0 and
        // its data at the data area's start, and the caller keeps the
        // rest of `trace_unchecked`'s contract (see `Plan::emit`).
        let mut sink = unsafe { Sink::planned(buf, layout.data_base, base, targets, &consts) };
        // SAFETY: as just above.
        unsafe { crate::jit::stencils::host_trace_planned(&mut sink, trace)? };
        // Code and data end where the plan says (they do by construction:
        // a cheap check of it).
        (sink.code_offset() == layout.code_size && sink.data_offset() == layout.total_size)
            .then_some(())
    }

    /// [`Emitter::new`] without the set's generated emit functions: every
    /// trace goes through the table-driven path (for comparisons).
    pub fn table_driven(set: &StencilSet, symbols: &SymbolTable) -> Result<Self, JitError> {
        let mut e = Self::new(set, symbols)?;
        e.generated = None;
        e.unchecked = false;
        e.host = false;
        e.wide = false;
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
    /// block's size and where each uop goes, with every instruction
    /// checked (usable opcode, targets inside the trace). For sets with
    /// generated functions and uniform data (every committed set) that is
    /// one running sum of packed code and data sizes, one store per uop,
    /// and the checks OR-ed into one word tested at the end. For other
    /// sets it is the full first pass ([`Emitter::layout_into`]). Errors:
    /// an empty trace, a bad instruction, a trampoline or guard that
    /// cannot be emitted, a block over [`MAX_BLOCK`].
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
        let Some((first, spare)) = out
            .slots
            .spare_capacity_mut()
            .get_mut(..n + 2)
            .and_then(|s| s.split_first_mut())
        else {
            return Err(JitError::BadStencil("plan: no room for the layout".into()));
        };
        first.write(Slot::default());
        let (body, guard_slot) = spare.split_at_mut(n);
        // `n <= fast_limit`: no sum carries, and the data sum reaches
        // `unusable_data` exactly when an opcode is unusable
        // (`unusable_flag`; the sums are then not used). Every target is
        // checked, also those of uops that do not read them.
        let targets = TargetCheck::new(n);
        let mut bad = 0u64;
        let mut step = |slot: &mut std::mem::MaybeUninit<Slot>, ins: &UopInstruction| {
            slot.write(Slot {
                code: pos as u32,
                data: (pos >> 32) as u32,
            });
            let p = packed[ins.opcode as usize];
            pos = pos.wrapping_add(p);
            bad |= targets.flags(ins);
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
        if TargetCheck::any(bad) || data >= self.unusable_data {
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
