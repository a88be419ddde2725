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
    value: HoleValue,
    /// Symbol address plus addend (wrapping).
    addend: u64,
}

/// A stencil group ready to emit.
#[derive(Clone, Debug)]
struct PreparedGroup {
    code: &'static [u8],
    data: &'static [u8],
    data_align: usize,
    code_holes: Box<[PreparedHole]>,
    data_holes: Box<[PreparedHole]>,
    /// A symbol the embedder did not provide: emitting this group fails.
    unresolved: Option<&'static str>,
}

impl PreparedGroup {
    fn new(name: &str, g: &StencilGroup, symbols: &SymbolTable) -> Result<Self, JitError> {
        let align = g.data_align.max(1) as usize;
        if !align.is_power_of_two() || align > MAX_DATA_ALIGN {
            return Err(JitError::BadStencil(format!(
                "{name}: data alignment {align} is not a power of two up to {MAX_DATA_ALIGN}"
            )));
        }
        let mut unresolved = None;
        let mut prepare = |s: &Stencil, what: &str| -> Result<Box<[PreparedHole]>, JitError> {
            s.holes
                .iter()
                .map(|h| {
                    let end = h.offset as usize + patch::width(h.kind);
                    if end > s.body.len() {
                        return Err(JitError::BadStencil(format!(
                            "{name}: {what} hole at {} runs past the body ({} bytes)",
                            h.offset,
                            s.body.len()
                        )));
                    }
                    let sym = match h.symbol {
                        None => 0,
                        Some(sym) => symbols.get(sym).unwrap_or_else(|| {
                            unresolved.get_or_insert(sym);
                            0
                        }),
                    };
                    Ok(PreparedHole {
                        offset: h.offset,
                        kind: h.kind,
                        value: h.value,
                        addend: sym.wrapping_add(h.addend as u64),
                    })
                })
                .collect()
        };
        let data_holes = prepare(&g.data, "data")?;
        let code_holes = prepare(&g.code, "code")?;
        Ok(PreparedGroup {
            code: g.code.body,
            data: g.data.body,
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
}

/// Where everything of one trace goes, relative to the block start.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Code offset of each group: trampoline, each uop, fatal-error guard.
    code: Vec<u32>,
    /// Data offset of each group, same order.
    data: Vec<u32>,
    /// Bytes of code (trampoline through guard).
    pub code_size: usize,
    /// Bytes of the whole block: code, padding, data.
    pub total_size: usize,
}

impl Layout {
    /// Offset of the side entry (the first uop), just past the trampoline.
    pub fn side_entry(&self) -> usize {
        self.code.get(1).map_or(0, |&c| c as usize)
    }
}

/// Fixed values for one group while patching.
struct Values {
    code: u64,
    cont: u64,
    data: u64,
    ins: UopInstruction,
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
                Some(g) if !g.code.body.is_empty() => {
                    PreparedGroup::new(u.name(), g, symbols).map(Some)
                }
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Emitter {
            trampoline: PreparedGroup::new("_ENTRY", &set.trampoline, symbols)?,
            fatal_error: PreparedGroup::new("_FATAL_ERROR", &set.fatal_error, symbols)?,
            uops,
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
        let mut code = Vec::with_capacity(n + 2);
        let mut data_sizes = Vec::with_capacity(n + 2);
        let mut at = 0usize;
        let mut push = |g: &PreparedGroup, code: &mut Vec<u32>| {
            code.push(at as u32);
            at += g.code.len();
            data_sizes.push((g.data.len(), g.data_align));
        };
        push(&self.trampoline, &mut code);
        for (index, ins) in trace.iter().enumerate() {
            for t in [ins.jump_target, ins.error_target] {
                if t as usize >= n {
                    return Err(JitError::BadTarget {
                        index,
                        target: t,
                        len: n,
                    });
                }
            }
            push(self.group(ins.opcode)?, &mut code);
        }
        push(&self.fatal_error, &mut code);
        let code_size = at;
        let mut data = Vec::with_capacity(n + 2);
        for (len, align) in data_sizes {
            at = align_up(at, align);
            data.push(at as u32);
            at += len;
        }
        if at > u32::MAX as usize {
            return Err(JitError::TraceTooLarge {
                needed: at,
                limit: u32::MAX as usize,
            });
        }
        Ok(Layout {
            code,
            data,
            code_size,
            total_size: at,
        })
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
        if buf.len() != layout.total_size || layout.code.len() != n + 2 {
            return Err(JitError::BadStencil(
                "emit: buffer or layout does not match the trace".into(),
            ));
        }
        let top = base + layout.side_entry() as u64;
        let code_at = |i: usize| base + layout.code[i] as u64;
        let data_at = |i: usize| base + layout.data[i] as u64;
        let jump = |t: u32| base + layout.code[t as usize + 1] as u64;
        let patch_group = |buf: &mut [u8], g: &PreparedGroup, slot: usize, v: &Values| {
            let (c, d) = (layout.code[slot] as usize, layout.data[slot] as usize);
            buf[c..c + g.code.len()].copy_from_slice(g.code);
            buf[d..d + g.data.len()].copy_from_slice(g.data);
            for (holes, at) in [(&g.data_holes, d), (&g.code_holes, c)] {
                for h in holes.iter() {
                    let x = match h.value {
                        HoleValue::Code => v.code,
                        HoleValue::Continue => v.cont,
                        HoleValue::Data => v.data,
                        HoleValue::Executor => executor,
                        HoleValue::Top => top,
                        HoleValue::Zero => 0,
                        HoleValue::Oparg => v.ins.oparg as u64,
                        HoleValue::Operand => v.ins.operand,
                        HoleValue::Target => v.ins.target as u64,
                        HoleValue::JumpTarget => jump(v.ins.jump_target),
                        HoleValue::ErrorTarget => jump(v.ins.error_target),
                        HoleValue::ExitIndex => v.ins.exit_index as u64,
                    };
                    patch::patch(
                        h.kind,
                        buf,
                        at + h.offset as usize,
                        base,
                        x.wrapping_add(h.addend),
                    )?;
                }
            }
            Ok::<(), JitError>(())
        };
        // Padding between code and data, and between data pieces, is zeroed
        // so that no stale bytes of an earlier executor remain.
        buf[layout.code_size..].fill(0);
        let blank = UopInstruction::new(Uop::NOP);
        patch_group(
            buf,
            &self.trampoline,
            0,
            &Values {
                code: base,
                cont: top,
                data: data_at(0),
                ins: blank,
            },
        )?;
        let mut emitted = self.trampoline.code.len();
        for (i, ins) in trace.iter().enumerate() {
            let g = self.group(ins.opcode)?;
            patch_group(
                buf,
                g,
                i + 1,
                &Values {
                    code: code_at(i + 1),
                    cont: code_at(i + 2),
                    data: data_at(i + 1),
                    ins: *ins,
                },
            )?;
            emitted += g.code.len();
        }
        let f = n + 1;
        patch_group(
            buf,
            &self.fatal_error,
            f,
            &Values {
                code: code_at(f),
                cont: code_at(f),
                data: data_at(f),
                ins: blank,
            },
        )?;
        emitted += self.fatal_error.code.len();
        debug_assert_eq!(emitted, layout.code_size, "emitted code size");
        debug_assert_eq!(
            layout.data[f] as usize + self.fatal_error.data.len(),
            layout.total_size,
            "emitted data size"
        );
        Ok(())
    }
}
