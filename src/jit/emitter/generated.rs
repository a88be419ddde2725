//! Emission through the stencil files' generated `emit` modules.
//!
//! The stencil writer generates, per group, a straight-line function that
//! copies the group's bodies and patches each hole at its constant offset
//! with its constant kind and addend, plus `emit::uop`, a `match` on the
//! opcode (a jump table). They write through [`Sink`], this module's
//! [`EmitSink`]: it holds what one trace needs (block, addresses, layout,
//! resolved symbols, the current instruction), computes a hole's value only
//! when a function asks for it, and patches through [`patch::apply`], so
//! each relocation kind's arithmetic stays in [`crate::jit::patch`].
//!
//! A [`GeneratedSet`] ties a stencil set to its generated functions; the
//! emitter finds it by the set's address ([`lookup`]). Sets without one
//! (the hand-written synthetic stencils) use the table-driven path in
//! [`super::program`], which also reports every error precisely: a
//! generated function returns `None` on anything unusual and the emitter
//! then redoes the trace through that path.

use crate::jit::emitter::Slot;
use crate::jit::patch;
use crate::jit::trace::UopInstruction;
use cpjit_abi::stencil::{EmitSink, HoleKind, HoleValue, StencilSet};
use cpjit_abi::uop::Uop;

/// Number of uops: tables indexed by `Uop as usize` have this length, so
/// indexing them needs no bounds check.
pub(crate) const UOP_COUNT: usize = Uop::ALL.len();

/// Most symbols a set's generated functions may name: sets naming more
/// use the table-driven path.
pub(crate) const SYMBOL_SLOTS: usize = 64;

/// Emits every uop of a trace (see [`Sink::uops`]).
pub(crate) type UopsFn = for<'a> fn(&mut Sink<'a>, &'a [UopInstruction]) -> Option<()>;
/// Emits a whole trace (trampoline, every uop, guard) without bounds
/// checks (see [`Sink::trace_unchecked`], whose contract the caller keeps).
pub(crate) type UncheckedTraceFn =
    for<'a> unsafe fn(&mut Sink<'a>, &'a [UopInstruction]) -> Option<()>;
/// Runs the generated function of one uop on a [`Measure`].
pub(crate) type MeasureFn = fn(usize, &mut Measure) -> Option<()>;
/// Runs the trampoline's or the guard's generated function on a [`Measure`].
pub(crate) type MeasureGroupFn = fn(&mut Measure) -> Option<()>;
/// Emits one group without an instruction (trampoline, fatal-error guard).
pub(crate) type GroupFn = for<'a> fn(&mut Sink<'a>) -> Option<()>;

/// A stencil set and the functions generated for it.
#[derive(Clone, Copy)]
pub(crate) struct GeneratedSet {
    /// The set the functions belong to.
    pub set: &'static StencilSet,
    /// The symbols [`EmitSink::symbol`] indexes.
    pub symbols: &'static [&'static str],
    /// Every uop of a trace, in order.
    pub uops: UopsFn,
    /// The whole trace (trampoline, uops, guard) without bounds checks.
    pub trace_unchecked: UncheckedTraceFn,
    /// One uop's function, measured.
    pub measure: MeasureFn,
    /// The trampoline's and the guard's functions, measured.
    pub measure_frame: [MeasureGroupFn; 2],
    /// `_ENTRY`.
    pub trampoline: GroupFn,
    /// `_FATAL_ERROR`.
    pub fatal_error: GroupFn,
}

impl std::fmt::Debug for GeneratedSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedSet")
            .field("target", &self.set.target)
            .field("symbols", &self.symbols)
            .finish_non_exhaustive()
    }
}

/// A [`GeneratedSet`] for the module `$m`, which `include!`s a stencil
/// file (its `STENCILS` and `emit`).
macro_rules! generated_set {
    ($m:ident) => {{
        use $crate::jit::emitter::generated::{GeneratedSet, Sink};
        use $crate::jit::trace::UopInstruction;
        fn uops<'a>(s: &mut Sink<'a>, trace: &'a [UopInstruction]) -> Option<()> {
            s.uops(trace, $m::emit::uop)
        }
        /// # Safety
        /// The contract of [`Sink::trace_unchecked`].
        unsafe fn trace_unchecked<'a>(s: &mut Sink<'a>, trace: &'a [UopInstruction]) -> Option<()> {
            // SAFETY: the caller keeps `trace_unchecked`'s contract.
            unsafe {
                s.trace_unchecked(
                    trace,
                    $m::emit::trampoline,
                    $m::emit::uop,
                    $m::emit::fatal_error,
                )
            }
        }
        fn trampoline(s: &mut Sink<'_>) -> Option<()> {
            $m::emit::trampoline(s)
        }
        fn fatal_error(s: &mut Sink<'_>) -> Option<()> {
            s.fatal_error($m::emit::fatal_error)
        }
        GeneratedSet {
            set: &$m::STENCILS,
            symbols: &$m::emit::SYMBOLS,
            uops,
            trace_unchecked,
            measure: $m::emit::uop,
            measure_frame: [$m::emit::trampoline, $m::emit::fatal_error],
            trampoline,
            fatal_error,
        }
    }};
}
pub(crate) use generated_set;

/// The generated functions of `set`, if this binary has them: the host's
/// set always; in tests, every committed target's too.
pub(crate) fn lookup(set: &StencilSet) -> Option<&'static GeneratedSet> {
    let host = &crate::jit::stencils::HOST_EMIT;
    if std::ptr::eq(host.set, set) {
        return Some(host);
    }
    #[cfg(test)]
    if let Some(g) = crate::jit::stencil_sets::GENERATED
        .iter()
        .find(|g| std::ptr::eq(g.set, set))
    {
        return Some(g);
    }
    None
}

/// The instruction of the trampoline and the guard (they read none).
static NO_INSTRUCTION: UopInstruction = UopInstruction::new(Uop::NOP);

/// What generated functions write one trace through. Everything the loop
/// over uops reads is a field of its own (a local copy of the sink keeps
/// them in registers: see [`Sink::uops`]); what only some groups need is
/// behind [`TraceConsts`].
pub(crate) struct Sink<'a, const CHECKED: bool = true> {
    /// The block.
    buf: &'a mut [u8],
    /// Where the next group's code goes.
    c: usize,
    /// Where the next group's data goes (before alignment).
    d: usize,
    /// Address `buf[0]` runs at.
    base: u64,
    /// Code offset of each uop of the trace (jump and error targets).
    targets: &'a [Slot],
    /// The current instruction.
    ins: &'a UopInstruction,
    t: &'a TraceConsts<'a>,
}

/// What is fixed for one trace and read by few groups.
pub(crate) struct TraceConsts<'a> {
    /// The executor's address.
    pub executor: u64,
    /// Address of the first uop's code.
    pub top: u64,
    /// Addresses of the set's symbols, indexed like `emit::SYMBOLS` (a
    /// fixed size, so that a constant index needs no bounds check).
    pub symbols: &'a [u64; SYMBOL_SLOTS],
    /// Whether each opcode may be emitted (`Uop as usize`).
    pub usable: &'a [bool; UOP_COUNT],
}

impl<'a> Sink<'a> {
    /// A sink for one trace's block (`buf`, checked against the layout by
    /// the caller), positioned at the trampoline (`code` and `data`, the
    /// offsets of its code and of the data area). `targets` are the code
    /// offsets of the trace's uops.
    pub fn new(
        buf: &'a mut [u8],
        (code, data): (usize, usize),
        base: u64,
        targets: &'a [Slot],
        t: &'a TraceConsts<'a>,
    ) -> Self {
        let len = buf.len();
        Sink {
            buf,
            c: code.min(len),
            d: data.min(len),
            base,
            targets,
            ins: &NO_INSTRUCTION,
            t,
        }
    }

    /// Emits every uop of `trace` after the trampoline with `emit` (a
    /// generated `emit::uop`). `None` at an instruction the layout did
    /// not check (an unusable opcode, a target outside the trace).
    #[inline(always)]
    pub fn uops(
        &mut self,
        trace: &'a [UopInstruction],
        emit: impl Fn(usize, &mut Self) -> Option<()>,
    ) -> Option<()> {
        // The loop works on a copy in locals: through `self`, every store
        // into the block could alias the sink's fields, so they would be
        // reloaded and stored back after every hole.
        let buf = std::mem::take(&mut self.buf);
        let mut local = Sink { buf, ..*self };
        let done = local.uops_here(trace, emit);
        *self = local;
        done
    }

    /// Emits a whole trace, the trampoline (`trampoline`), every uop
    /// (`emit`, a generated `emit::uop`) and the guard (`fatal_error`),
    /// without bounds checks on the block or the targets, nor the check of
    /// usable opcodes.
    ///
    /// # Safety
    ///
    /// The sink is at the start of the block's code and data area. Every
    /// opcode of `trace` is usable, and each function called here (on the
    /// unchecked sink) copies exactly the code and data sizes the block's
    /// layout gives its group, asking for no data alignment beyond the one
    /// every data offset has (see `Emitter::verify_sizes`); the layout
    /// places the groups back to back, code from the sink's code offset
    /// and data from its data offset, all inside the block. (Targets are
    /// checked where they are read: see [`Sink::target`].)
    #[inline(always)]
    pub unsafe fn trace_unchecked(
        &mut self,
        trace: &'a [UopInstruction],
        trampoline: impl Fn(&mut Sink<'a, false>) -> Option<()>,
        emit: impl Fn(usize, &mut Sink<'a, false>) -> Option<()>,
        fatal_error: impl Fn(&mut Sink<'a, false>) -> Option<()>,
    ) -> Option<()> {
        // As in `uops`: a local copy keeps the fields in registers.
        let buf = std::mem::take(&mut self.buf);
        let mut local = Sink::<'a, false> {
            buf,
            c: self.c,
            d: self.d,
            base: self.base,
            targets: self.targets,
            ins: &NO_INSTRUCTION,
            t: self.t,
        };
        // SAFETY: the caller keeps this function's contract, which is
        // `trace_here`'s.
        let done = unsafe { local.trace_here(trace, trampoline, emit, fatal_error) };
        *self = Sink {
            buf: local.buf,
            c: local.c,
            d: local.d,
            ins: &NO_INSTRUCTION,
            ..*self
        };
        done
    }

    #[inline(always)]
    // The index is read only by the debug-build check below.
    #[cfg_attr(not(debug_assertions), allow(clippy::unused_enumerate_index))]
    fn uops_here(
        &mut self,
        trace: &'a [UopInstruction],
        emit: impl Fn(usize, &mut Self) -> Option<()>,
    ) -> Option<()> {
        let usable = self.t.usable;
        // Checked once at the end, without a branch in the loop: the layout
        // has checked the same, so this only catches a layout made for
        // another trace (the block is then not used). Jump targets are
        // checked where they are read.
        let mut ok = true;
        for (_i, ins) in trace.iter().enumerate() {
            // Debug builds check every uop's place against the layout; a
            // layout made for another trace is an error (the full first
            // pass then says so), not a panic.
            #[cfg(debug_assertions)]
            if Some(self.c) != self.targets.get(_i).map(|s| s.code as usize) {
                return None;
            }
            let op = ins.opcode as usize;
            ok &= usable[op];
            self.ins = ins;
            emit(op, self)?;
        }
        ok.then_some(())
    }

    /// Emits the guard after the last uop with `emit`.
    pub fn fatal_error(&mut self, emit: impl Fn(&mut Self) -> Option<()>) -> Option<()> {
        self.ins = &NO_INSTRUCTION;
        emit(self)
    }
}

impl<'a> Sink<'a, false> {
    /// An unchecked sink for a planned block (`buf`), positioned at its
    /// start (the trampoline's code) and at its data area (`data`), for
    /// [`Sink::trace_here`]. `targets` are the code offsets of the
    /// trace's uops.
    ///
    /// # Safety
    ///
    /// What [`Sink::trace_unchecked`] requires of its sink and trace holds
    /// for the trace this sink then emits: the block's layout places the
    /// trampoline's code at 0 and its data at `data`.
    #[inline(always)]
    pub(crate) unsafe fn planned(
        buf: &'a mut [u8],
        data: usize,
        base: u64,
        targets: &'a [Slot],
        t: &'a TraceConsts<'a>,
    ) -> Self {
        Sink {
            buf,
            c: 0,
            d: data,
            base,
            targets,
            ins: &NO_INSTRUCTION,
            t,
        }
    }

    /// Makes `ins` the instruction the next group reads.
    ///
    /// # Safety
    ///
    /// As [`Sink::trace_unchecked`]'s for each instruction of its trace:
    /// `ins`'s opcode is usable.
    #[inline(always)]
    pub(crate) unsafe fn set_instruction(&mut self, ins: &'a UopInstruction) {
        self.ins = ins;
    }

    /// Makes the block's address opaque to the optimizer for the next
    /// group, at no cost (an empty `asm!`): called once per uop, it keeps
    /// LLVM from hoisting each `base + constant` the groups compute out of
    /// the loop over uops (it did: about 17 additions and stack spills per
    /// trace, and a reload and an add instead of one `lea` per use).
    #[inline(always)]
    pub(crate) fn hide_base(&mut self) {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        // SAFETY: an empty asm block that reads and writes one register
        // (the same value): it touches no memory, stack or flags.
        unsafe {
            std::arch::asm!("/* {0} */", inout(reg) self.base, options(nomem, nostack, preserves_flags));
        }
    }

    /// No instruction: for the guard after the last uop.
    #[inline(always)]
    pub(crate) fn clear_instruction(&mut self) {
        self.ins = &NO_INSTRUCTION;
    }

    /// The body of [`Sink::trace_unchecked`] (same contract), on a sink
    /// made unchecked by its caller.
    ///
    /// # Safety
    ///
    /// The contract of [`Sink::trace_unchecked`].
    #[inline(always)]
    unsafe fn trace_here(
        &mut self,
        trace: &'a [UopInstruction],
        trampoline: impl Fn(&mut Self) -> Option<()>,
        emit: impl Fn(usize, &mut Self) -> Option<()>,
        fatal_error: impl Fn(&mut Self) -> Option<()>,
    ) -> Option<()> {
        trampoline(self)?;
        for ins in trace {
            self.ins = ins;
            emit(ins.opcode as usize, self)?;
        }
        self.ins = &NO_INSTRUCTION;
        fatal_error(self)
    }
}

impl<const CHECKED: bool> Sink<'_, CHECKED> {
    /// Where the next group's code goes.
    #[inline(always)]
    pub fn code_offset(&self) -> usize {
        self.c
    }

    /// Where the next group's data goes.
    #[inline(always)]
    pub fn data_offset(&self) -> usize {
        self.d
    }

    /// Address of the code of uop `index` of the trace.
    #[inline(always)]
    /// Checked on every sink (one comparison where a group reads a
    /// target): the host's planned path checks the trace's targets only
    /// as it emits, so an unchecked sink may meet a bad one (it then gives
    /// up, and the full first pass names it).
    fn target(&self, index: u32) -> Option<u64> {
        let s = self.targets.get(index as usize)?;
        Some(self.base.wrapping_add(s.code as u64))
    }

    /// The `N` bytes of the block at `at`: checked on a checked sink; on
    /// an unchecked one the caller of `Sink::trace_unchecked` guarantees
    /// that they lie in the block.
    #[inline(always)]
    fn place<const N: usize>(&mut self, at: usize) -> Option<&mut [u8; N]> {
        if CHECKED {
            place(self.buf, at)
        } else {
            debug_assert!(at + N <= self.buf.len());
            // SAFETY: an unchecked sink exists only inside
            // `Sink::trace_unchecked`, whose caller guarantees that every
            // generated function writes only within the sizes laid out for
            // it and that the code and data of the whole trace lie in the
            // block: `at..at + N` is in `buf`, borrowed mutably; `[u8; N]`
            // has alignment 1.
            Some(unsafe { &mut *self.buf.as_mut_ptr().add(at).cast::<[u8; N]>() })
        }
    }
}

impl<const CHECKED: bool> EmitSink for Sink<'_, CHECKED> {
    #[inline(always)]
    fn value(&self, v: HoleValue) -> Option<u64> {
        let ins = self.ins;
        Some(match v {
            // Generated code adds the code size to `Code` for `Continue`.
            HoleValue::Code | HoleValue::Continue => self.base.wrapping_add(self.c as u64),
            // Generated code uses the address `data_at` returns.
            HoleValue::Data => self.base.wrapping_add(self.d as u64),
            HoleValue::Executor => self.t.executor,
            HoleValue::Top => self.t.top,
            HoleValue::Zero => 0,
            HoleValue::Oparg => ins.oparg as u64,
            // Generated code for 32-bit targets keeps the low half.
            HoleValue::Operand => ins.operand,
            HoleValue::Target => ins.target as u64,
            HoleValue::JumpTarget => self.target(ins.jump_target)?,
            HoleValue::ErrorTarget => self.target(ins.error_target)?,
            HoleValue::ExitIndex => ins.exit_index as u64,
            HoleValue::OperandHi => ins.operand >> 32,
            HoleValue::OpargBytes => (ins.oparg as u64) << 3,
            HoleValue::OperandBytes => ins.operand << 3,
            // Only x86-64 ELF stencils have `OperandI32` holes.
            HoleValue::OperandI32 => ins.operand,
        })
    }

    #[inline(always)]
    fn symbol(&self, index: usize) -> u64 {
        self.t.symbols.get(index).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn data_at(&mut self, align: usize) -> u64 {
        // `align` is a power of two (checked when the set is prepared);
        // with a constant `align` of 1 this folds away. An offset past the
        // block is caught by `data`. On an unchecked sink every data
        // offset is aligned already (`Sink::trace_unchecked`'s contract).
        if CHECKED {
            self.d = self.d.wrapping_add(align - 1) & !(align - 1);
        }
        self.base.wrapping_add(self.d as u64)
    }

    #[inline(always)]
    fn data<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        let d = self.d;
        self.d = d + N;
        let place = self.place::<N>(d)?;
        *place = *body;
        Some(place)
    }

    #[inline(always)]
    fn code<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        // Only the block's bounds are checked here: that code stays below
        // the data is checked once at the end (`Sink::code_offset`), as
        // offsets only grow.
        let c = self.c;
        self.c = c + N;
        let place = self.place::<N>(c)?;
        *place = *body;
        Some(place)
    }

    #[inline(always)]
    fn patch<const NEAR: bool>(
        kind: HoleKind,
        place: &mut [u8],
        offset: usize,
        address: u64,
        value: u64,
    ) -> Option<()> {
        if NEAR {
            patch::apply_near(kind, place, offset, address, value)
        } else {
            patch::apply(kind, place, offset, address, value)
        }
    }

    #[inline(always)]
    fn patch_in_block(&mut self, kind: HoleKind, address: u64, value: u64) -> Option<()> {
        let offset = usize::try_from(address.wrapping_sub(self.base)).ok()?;
        patch::apply(kind, self.buf, offset, self.base, value)
    }
}

/// The `N` bytes of `buf` at `at`, with one bounds check: the only check
/// a group's copy pays (its holes lie at constant offsets inside those
/// bytes, so patching them needs none once inlined).
#[inline(always)]
fn place<const N: usize>(buf: &mut [u8], at: usize) -> Option<&mut [u8; N]> {
    // `at` is at most `buf.len() + MAX_DATA_ALIGN` (code offsets only grow
    // past a successful check, data offsets are aligned up from one) and a
    // slice is at most `isize::MAX` bytes, so the sum cannot overflow.
    if at + N > buf.len() {
        return None;
    }
    // SAFETY: `at + N <= buf.len()` (checked just above), so the `N` bytes
    // from `at` lie in `buf`, which this borrows mutably; `[u8; N]` has
    // alignment 1, so any address is suitably aligned.
    Some(unsafe { &mut *buf.as_mut_ptr().add(at).cast::<[u8; N]>() })
}

/// A sink that places nothing: it runs a generated function with every
/// value zero and counts the bytes of code and data the function copies,
/// and the largest data alignment it asks for. The generated functions
/// are straight-line (their only branches give up), so what one run
/// copies is the most any run copies: the emitter checks it against the
/// sizes it plans with before it emits without bounds checks.
#[derive(Debug, Default)]
pub(crate) struct Measure {
    /// Bytes of code copied.
    pub code: usize,
    /// Bytes of data copied.
    pub data: usize,
    /// Largest alignment asked of `data_at` (1 if none).
    pub align: usize,
    /// Where the copies go.
    scratch: Vec<u8>,
}

impl Measure {
    /// `N` bytes of scratch space.
    fn scratch<const N: usize>(&mut self) -> Option<&mut [u8; N]> {
        if self.scratch.len() < N {
            self.scratch.resize(N, 0);
        }
        self.scratch.get_mut(..N)?.try_into().ok()
    }
}

impl EmitSink for Measure {
    fn value(&self, _: HoleValue) -> Option<u64> {
        Some(0)
    }

    fn symbol(&self, _: usize) -> u64 {
        0
    }

    fn data_at(&mut self, align: usize) -> u64 {
        self.align = self.align.max(align);
        0
    }

    fn data<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        self.data += N;
        let place = self.scratch::<N>()?;
        *place = *body;
        Some(place)
    }

    fn code<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        self.code += N;
        let place = self.scratch::<N>()?;
        *place = *body;
        Some(place)
    }

    fn patch<const NEAR: bool>(_: HoleKind, _: &mut [u8], _: usize, _: u64, _: u64) -> Option<()> {
        Some(())
    }

    fn patch_in_block(&mut self, _: HoleKind, _: u64, _: u64) -> Option<()> {
        Some(())
    }
}
