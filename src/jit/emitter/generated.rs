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

use crate::jit::patch;
use crate::jit::trace::UopInstruction;
use cpjit_abi::stencil::{EmitSink, HoleKind, HoleValue, StencilSet};
use cpjit_abi::uop::Uop;

/// Number of uops: tables indexed by `Uop as usize` have this length, so
/// indexing them needs no bounds check.
pub(crate) const UOP_COUNT: usize = Uop::ALL.len();

/// Emits every uop of a trace (see [`Sink::uops`]).
pub(crate) type UopsFn = for<'a> fn(&mut Sink<'a>, &'a [UopInstruction]) -> Option<()>;
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

/// What generated functions write one trace through. The fields the loop
/// over uops changes stay few (they live in registers); everything fixed
/// for the trace is behind [`TraceConsts`].
pub(crate) struct Sink<'a> {
    buf: &'a mut [u8],
    /// Where the next group's code goes.
    c: usize,
    /// Layout slot of the current group (0 trampoline, `i + 1` uop `i`).
    k: usize,
    ins: &'a UopInstruction,
    t: &'a TraceConsts<'a>,
}

/// What is fixed for one trace.
pub(crate) struct TraceConsts<'a> {
    /// Address `buf[0]` runs at.
    pub base: u64,
    /// Start of the data area.
    pub data_base: usize,
    /// `(code offset, data offset from data_base)` per group.
    pub slots: &'a [(u32, u32)],
    /// The executor's address.
    pub executor: u64,
    /// Address of the first uop's code.
    pub top: u64,
    /// Bits of the operand `Operand` holes receive.
    pub operand_mask: u64,
    /// Addresses of the set's symbols, indexed like `emit::SYMBOLS`.
    pub symbols: &'a [u64],
    /// Whether each opcode may be emitted (`Uop as usize`).
    pub usable: &'a [bool; UOP_COUNT],
}

impl<'a> Sink<'a> {
    /// A sink for one trace's block (`buf`, checked against the layout by
    /// the caller), positioned at the trampoline.
    pub fn new(buf: &'a mut [u8], t: &'a TraceConsts<'a>) -> Self {
        Sink {
            buf,
            c: t.slots.first().map_or(0, |x| x.0 as usize),
            k: 0,
            ins: &NO_INSTRUCTION,
            t,
        }
    }

    /// Where the next group's code goes.
    pub fn code_offset(&self) -> usize {
        self.c
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

    #[inline(always)]
    fn uops_here(
        &mut self,
        trace: &'a [UopInstruction],
        emit: impl Fn(usize, &mut Self) -> Option<()>,
    ) -> Option<()> {
        let usable = self.t.usable;
        // Checked once at the end, without branches in the loop: the
        // layout has checked the same, so this only catches a layout made
        // for another trace (the block is then not used).
        let mut ok = true;
        let mut worst_target = 0u32;
        for ins in trace {
            let op = ins.opcode as usize;
            ok &= usable[op];
            worst_target = worst_target.max(ins.jump_target.max(ins.error_target));
            self.k += 1;
            self.ins = ins;
            emit(op, self)?;
        }
        (ok && (worst_target as usize) < trace.len()).then_some(())
    }

    /// Emits the guard after the last uop with `emit`.
    pub fn fatal_error(&mut self, emit: impl Fn(&mut Self) -> Option<()>) -> Option<()> {
        self.k += 1;
        self.ins = &NO_INSTRUCTION;
        emit(self)
    }

    #[inline(always)]
    fn code_at(&self, slot: usize) -> u64 {
        let c = self.t.slots.get(slot).map_or(0, |s| s.0);
        self.t.base.wrapping_add(c as u64)
    }

    #[inline(always)]
    fn data_offset(&self) -> usize {
        self.t.data_base + self.t.slots.get(self.k).map_or(0, |s| s.1 as usize)
    }
}

impl EmitSink for Sink<'_> {
    #[inline(always)]
    fn value(&self, v: HoleValue) -> u64 {
        let ins = self.ins;
        match v {
            // Generated code adds the code size to `Code` for `Continue`.
            HoleValue::Code | HoleValue::Continue => self.t.base.wrapping_add(self.c as u64),
            HoleValue::Data => self.t.base.wrapping_add(self.data_offset() as u64),
            HoleValue::Executor => self.t.executor,
            HoleValue::Top => self.t.top,
            HoleValue::Zero => 0,
            HoleValue::Oparg => ins.oparg as u64,
            HoleValue::Operand => ins.operand & self.t.operand_mask,
            HoleValue::Target => ins.target as u64,
            HoleValue::JumpTarget => self.code_at(ins.jump_target as usize + 1),
            HoleValue::ErrorTarget => self.code_at(ins.error_target as usize + 1),
            HoleValue::ExitIndex => ins.exit_index as u64,
            HoleValue::OperandHi => ins.operand >> 32,
        }
    }

    #[inline(always)]
    fn symbol(&self, index: usize) -> u64 {
        self.t.symbols.get(index).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn data<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        let d = self.data_offset();
        let place: &mut [u8; N] = self.buf.get_mut(d..d.checked_add(N)?)?.try_into().ok()?;
        *place = *body;
        Some(place)
    }

    #[inline(always)]
    fn code<const N: usize>(&mut self, body: &[u8; N]) -> Option<&mut [u8; N]> {
        // Only the block's bounds are checked here: that code stays below
        // the data is checked once at the end (`Sink::code_offset`), as
        // offsets only grow.
        let c = self.c;
        let place: &mut [u8; N] = self.buf.get_mut(c..)?.first_chunk_mut()?;
        self.c = c + N;
        *place = *body;
        Some(place)
    }

    #[inline(always)]
    fn patch(
        kind: HoleKind,
        place: &mut [u8],
        offset: usize,
        address: u64,
        value: u64,
    ) -> Option<()> {
        patch::apply(kind, place, offset, address, value)
    }

    #[inline(always)]
    fn patch_in_block(&mut self, kind: HoleKind, address: u64, value: u64) -> Option<()> {
        let offset = usize::try_from(address.wrapping_sub(self.t.base)).ok()?;
        patch::apply(kind, self.buf, offset, self.t.base, value)
    }
}
