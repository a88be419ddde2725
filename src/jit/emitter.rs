//! The emitter: copies stencils for a trace into a block and patches their
//! holes. Two passes, as in CPython's `_PyJIT_Compile`:
//!
//! 1. [`Emitter::layout`] sums code and data sizes and records where each
//!    uop's code and data go.
//! 2. [`Emitter::emit`] copies, in the seed's layout — trampoline, each uop's
//!    code in trace order, the `_FATAL_ERROR` guard, then every group's data
//!    (each aligned) after all code — and patches each hole from the
//!    per-instruction value table. Data is patched before code, because
//!    relaxing a GOT load reads the (patched) GOT slot.
//!
//! The emitter writes into any byte buffer with the address it will run at,
//! so it can be measured apart from page protection.

use crate::jit::error::JitError;
use crate::jit::patch;
use crate::jit::symbols::SymbolTable;
use crate::jit::trace::UopInstruction;
use cpjit_abi::stencil::{HoleKind, HoleValue, Stencil, StencilGroup, StencilSet};
use cpjit_abi::uop::Uop;

/// Largest data alignment a stencil may ask for (blocks are aligned to it).
pub const MAX_DATA_ALIGN: usize = crate::jit::memory::BLOCK_ALIGN;

/// A hole with its symbol already resolved into the addend.
#[derive(Clone, Copy, Debug)]
struct PreparedHole {
    offset: u32,
    kind: HoleKind,
    /// Index of the hole's [`HoleValue`] in the per-instruction value table.
    value: u8,
    /// Symbol address plus addend (wrapping).
    addend: u64,
}

/// Position of each [`HoleValue`] in the per-instruction value table that
/// [`Emitter::emit`] builds.
fn value_index(v: HoleValue) -> u8 {
    match v {
        HoleValue::Code => 0,
        HoleValue::Continue => 1,
        HoleValue::Data => 2,
        HoleValue::Executor => 3,
        HoleValue::Top => 4,
        HoleValue::Zero => 5,
        HoleValue::Oparg => 6,
        HoleValue::Operand => 7,
        HoleValue::Target => 8,
        HoleValue::JumpTarget => 9,
        HoleValue::ErrorTarget => 10,
        HoleValue::ExitIndex => 11,
        HoleValue::OperandHi => 12,
    }
}

/// A stencil group ready to emit.
///
/// Holes whose value does not depend on where the group lands are patched
/// once, here, into owned copies of the bodies: runtime symbols without a
/// table value (`Zero + symbol`, absolute), and PC-relative references to
/// the group's own code or to the code right after it (`Continue`: uops are
/// laid out back to back, so that distance is the group's code size). Only
/// position-dependent holes are left for each emission.
#[derive(Clone, Debug)]
struct PreparedGroup {
    code: Box<[u8]>,
    data: Box<[u8]>,
    data_align: usize,
    code_holes: Box<[PreparedHole]>,
    data_holes: Box<[PreparedHole]>,
    /// A symbol the embedder did not provide: emitting this group fails.
    unresolved: Option<&'static str>,
}

/// A stencil body with its fixed holes patched, and the holes left.
type PreparedStencil = (Box<[u8]>, Box<[PreparedHole]>);

/// Where a group's `Continue` points, relative to the start of its code.
#[derive(Clone, Copy, Debug)]
enum ContinueAt {
    /// Just past the group's code: the next uop, or the guard after the last.
    Next,
    /// The group's own start (the fatal-error guard, which never continues).
    Itself,
}

impl PreparedGroup {
    fn new(
        name: &str,
        g: &StencilGroup,
        symbols: &SymbolTable,
        cont: ContinueAt,
    ) -> Result<Self, JitError> {
        let align = g.data_align.max(1) as usize;
        if !align.is_power_of_two() || align > MAX_DATA_ALIGN {
            return Err(JitError::BadStencil(format!(
                "{name}: data alignment {align} is not a power of two up to {MAX_DATA_ALIGN}"
            )));
        }
        let continue_offset = match cont {
            ContinueAt::Next => g.code.body.len() as u64,
            ContinueAt::Itself => 0,
        };
        let mut unresolved = None;
        let mut prepare = |s: &Stencil, is_code: bool| -> Result<PreparedStencil, JitError> {
            let mut body = s.body.to_vec();
            let mut holes = Vec::with_capacity(s.holes.len());
            for h in s.holes {
                let end = h.offset as usize + patch::width(h.kind);
                if end > body.len() {
                    return Err(JitError::BadStencil(format!(
                        "{name}: {} hole at {} runs past the body ({} bytes)",
                        if is_code { "code" } else { "data" },
                        h.offset,
                        body.len()
                    )));
                }
                let sym = match h.symbol {
                    None => Some(0),
                    Some(sym) => symbols.get(sym).or_else(|| {
                        unresolved.get_or_insert(sym);
                        None
                    }),
                };
                let addend = sym.unwrap_or(0).wrapping_add(h.addend as u64);
                // Position-independent holes, patched relative to address 0.
                let fixed = match (h.kind, h.value, sym.is_some()) {
                    (HoleKind::Abs64 | HoleKind::Abs32, HoleValue::Zero, true) => Some(addend),
                    (HoleKind::Rel32, HoleValue::Code, true) if is_code => Some(addend),
                    (HoleKind::Rel32, HoleValue::Continue, true) if is_code => {
                        Some(continue_offset.wrapping_add(addend))
                    }
                    _ => None,
                };
                let offset = h.offset as usize;
                if let Some(v) = fixed {
                    if patch::apply(h.kind, &mut body, offset, 0, v).is_some() {
                        continue;
                    }
                }
                holes.push(PreparedHole {
                    offset: h.offset,
                    kind: h.kind,
                    value: value_index(h.value),
                    addend,
                });
            }
            Ok((body.into_boxed_slice(), holes.into_boxed_slice()))
        };
        let (data, data_holes) = prepare(&g.data, false)?;
        let (code, code_holes) = prepare(&g.code, true)?;
        Ok(PreparedGroup {
            code,
            data,
            data_align: align,
            code_holes,
            data_holes,
            unresolved,
        })
    }
}

/// A stencil set with symbols resolved, ready to emit traces.
#[derive(Debug)]
pub struct Emitter {
    trampoline: PreparedGroup,
    fatal_error: PreparedGroup,
    /// Indexed by `Uop as usize`; `None` when the set has no code for the uop.
    uops: Vec<Option<PreparedGroup>>,
    /// Compact sizes for the first pass, indexed like `uops`; `None` when
    /// the uop cannot be emitted.
    sizes: Vec<Option<GroupSize>>,
    /// Bits of the operand `Operand` holes receive: all 64 on 64-bit
    /// targets; the low 32 on 32-bit ones, where `OperandHi` holes get the
    /// high half.
    operand_mask: u64,
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
    align: u32,
}

/// Where everything of one trace goes, relative to the block start.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// `(code offset, data offset from data_base)` of each group:
    /// trampoline, each uop, fatal-error guard.
    slots: Vec<(u32, u32)>,
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
        self.slots.get(1).map_or(0, |s| s.0 as usize)
    }

    /// `(offset, size)` of each piece of code in order: the trampoline, each
    /// uop of the trace, the fatal-error guard.
    pub fn code_pieces(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let ends = self
            .slots
            .iter()
            .skip(1)
            .map(|s| s.0 as usize)
            .chain(std::iter::once(self.code_size));
        self.slots
            .iter()
            .zip(ends)
            .map(|(s, end)| (s.0 as usize, end - s.0 as usize))
    }
}

fn align_up(n: usize, a: usize) -> usize {
    (n + a - 1) & !(a - 1)
}

impl Emitter {
    /// Prepares `set` for this host: checks its shape, resolves every symbol
    /// hole against `symbols`. A symbol missing here is reported only when a
    /// trace uses a stencil that needs it.
    pub fn new(set: &StencilSet, symbols: &SymbolTable) -> Result<Self, JitError> {
        let uops = Uop::ALL
            .iter()
            .map(|&u| match set.uops.get(u as usize) {
                Some(g) if !g.code.body.is_empty() || may_be_empty(u) => {
                    PreparedGroup::new(u.name(), g, symbols, ContinueAt::Next).map(Some)
                }
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sizes = uops
            .iter()
            .map(|g| {
                let g = g.as_ref().filter(|g| g.unresolved.is_none())?;
                Some(GroupSize {
                    code: u32::try_from(g.code.len()).ok()?,
                    data: u32::try_from(g.data.len()).ok()?,
                    align: g.data_align as u32,
                })
            })
            .collect();
        Ok(Emitter {
            trampoline: PreparedGroup::new("_ENTRY", &set.trampoline, symbols, ContinueAt::Next)?,
            fatal_error: PreparedGroup::new(
                "_FATAL_ERROR",
                &set.fatal_error,
                symbols,
                ContinueAt::Itself,
            )?,
            uops,
            sizes,
            operand_mask: if is_32_bit(set.target) {
                u32::MAX as u64
            } else {
                u64::MAX
            },
        })
    }

    fn group(&self, u: Uop) -> Result<&PreparedGroup, JitError> {
        match self.uops.get(u as usize) {
            Some(Some(g)) => match g.unresolved {
                Some(sym) => Err(JitError::UnresolvedSymbol(sym)),
                None => Ok(g),
            },
            _ => Err(JitError::UnknownOpcode(u.name())),
        }
    }

    /// Bytes of the trampoline's code (the side entry's offset).
    pub fn trampoline_size(&self) -> usize {
        self.trampoline.code.len()
    }

    /// First pass: checks every instruction and computes the layout.
    pub fn layout(&self, trace: &[UopInstruction]) -> Result<Layout, JitError> {
        if trace.is_empty() {
            return Err(JitError::EmptyTrace);
        }
        for g in [&self.trampoline, &self.fatal_error] {
            if let Some(sym) = g.unresolved {
                return Err(JitError::UnresolvedSymbol(sym));
            }
        }
        let n = trace.len();
        // One pass: code offsets are absolute; data offsets are relative to
        // the data area, which starts after all code, aligned for all data.
        let mut slots = Vec::with_capacity(n + 2);
        let (t, f) = (&self.trampoline, &self.fatal_error);
        let mut code = t.code.len();
        let mut data = t.data.len();
        let mut max_align = t.data_align.max(f.data_align);
        slots.push((0u32, 0u32));
        for (index, ins) in trace.iter().enumerate() {
            if ins.jump_target as usize >= n || ins.error_target as usize >= n {
                let target = ins.jump_target.max(ins.error_target);
                return Err(JitError::BadTarget {
                    index,
                    target,
                    len: n,
                });
            }
            let Some(Some(size)) = self.sizes.get(ins.opcode as usize) else {
                return Err(self
                    .group(ins.opcode)
                    .err()
                    .unwrap_or(JitError::UnknownOpcode(ins.opcode.name())));
            };
            let mask = size.align as usize - 1;
            data = (data + mask) & !mask;
            max_align = max_align.max(size.align as usize);
            slots.push((code as u32, data as u32));
            code += size.code as usize;
            data += size.data as usize;
        }
        data = align_up(data, f.data_align);
        slots.push((code as u32, data as u32));
        code += f.code.len();
        data += f.data.len();
        let data_base = align_up(code, max_align);
        let total_size = data_base + data;
        if total_size > u32::MAX as usize {
            return Err(JitError::TraceTooLarge {
                needed: total_size,
                limit: u32::MAX as usize,
            });
        }
        Ok(Layout {
            slots,
            code_size: code,
            data_base,
            total_size,
        })
    }

    /// Copies one group to its slot and patches its holes with `values`
    /// (indexed by [`value_index`]): data first, then code.
    #[inline(always)]
    fn put(
        buf: &mut [u8],
        g: &PreparedGroup,
        (c, d): (u32, u32),
        base: u64,
        values: &[u64; 13],
    ) -> Result<(), JitError> {
        let (c, d) = (c as usize, d as usize);
        let misfit = || JitError::BadStencil("emit: layout does not fit the buffer".into());
        buf.get_mut(c..c + g.code.len())
            .ok_or_else(misfit)?
            .copy_from_slice(&g.code);
        if !g.data.is_empty() {
            buf.get_mut(d..d + g.data.len())
                .ok_or_else(misfit)?
                .copy_from_slice(&g.data);
        }
        for (holes, at) in [(&g.data_holes, d), (&g.code_holes, c)] {
            for h in holes.iter() {
                let value = values[h.value as usize].wrapping_add(h.addend);
                let offset = at + h.offset as usize;
                if patch::apply(h.kind, buf, offset, base, value).is_none() {
                    return patch::patch(h.kind, buf, offset, base, value);
                }
            }
        }
        Ok(())
    }

    /// Second pass: fills `buf` (exactly `layout.total_size` bytes, to run at
    /// address `base`) for `trace`, whose executor header lives at `executor`.
    pub fn emit(
        &self,
        trace: &[UopInstruction],
        layout: &Layout,
        buf: &mut [u8],
        base: u64,
        executor: u64,
    ) -> Result<(), JitError> {
        let n = trace.len();
        let slots = &layout.slots;
        if buf.len() != layout.total_size || slots.len() != n + 2 {
            return Err(JitError::BadStencil(
                "emit: buffer or layout does not match the trace".into(),
            ));
        }
        let top = base + layout.side_entry() as u64;
        let db = layout.data_base as u32;
        let abs = |(c, d): (u32, u32)| (c, db + d);
        let code_at = |i: usize| slots.get(i).map_or(0, |s| base + s.0 as u64);
        // Padding between code and data, and between data pieces, is zeroed
        // so that no stale bytes of an earlier executor remain.
        buf[layout.code_size..].fill(0);
        let mut values = [0u64; 13];
        values[3] = executor;
        values[4] = top;
        values[0] = base;
        values[1] = top;
        values[2] = base + (db + slots[0].1) as u64;
        Self::put(buf, &self.trampoline, abs(slots[0]), base, &values)?;
        let mut emitted = self.trampoline.code.len();
        for (i, ins) in trace.iter().enumerate() {
            let Some(Some(g)) = self.uops.get(ins.opcode as usize) else {
                return Err(JitError::UnknownOpcode(ins.opcode.name()));
            };
            let slot = abs(slots[i + 1]);
            values[0] = base + slot.0 as u64;
            values[1] = code_at(i + 2);
            values[2] = base + slot.1 as u64;
            values[6] = ins.oparg as u64;
            values[7] = ins.operand & self.operand_mask;
            values[8] = ins.target as u64;
            values[9] = code_at(ins.jump_target as usize + 1);
            values[10] = code_at(ins.error_target as usize + 1);
            values[11] = ins.exit_index as u64;
            values[12] = ins.operand >> 32;
            Self::put(buf, g, slot, base, &values)?;
            emitted += g.code.len();
        }
        let f = abs(slots[n + 1]);
        values = [0; 13];
        values[3] = executor;
        values[4] = top;
        values[0] = base + f.0 as u64;
        values[1] = values[0];
        values[2] = base + f.1 as u64;
        Self::put(buf, &self.fatal_error, f, base, &values)?;
        emitted += self.fatal_error.code.len();
        debug_assert_eq!(emitted, layout.code_size, "emitted code size");
        debug_assert_eq!(
            f.1 as usize + self.fatal_error.data.len(),
            layout.total_size,
            "emitted data size"
        );
        Ok(())
    }
}
