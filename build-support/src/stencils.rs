//! Harvesting: an object file becomes an owned stencil group (code, data,
//! holes), using the per-target tables in [`crate::relocs`].
//!
//! * Code is every text section, entry symbol at offset 0 (checked).
//! * Data is every other allocated section, then the synthesized GOT: one
//!   pointer-sized slot per distinct (value, symbol) reached through a GOT
//!   relocation or a COFF `__imp_` symbol.
//! * Cold code (a text section [`crate::cold::is_cold_section`] names: the
//!   blocks LLVM's MachineFunctionSplitter split off) is data too, placed
//!   like a data section: it runs from the data area, after all hot code.
//! * Addends are explicit (ELF RELA) or read from the instruction or data
//!   field (Mach-O, COFF); fields are then zeroed so every hole reads 0.
//! * A final jump to `_JIT_CONTINUE` is dropped: execution falls through.
//!
//! # What the holes mean to the emitter
//!
//! Every hole is patched with `value + symbol address + addend` (ELF
//! conventions: a PC-relative addend already includes the `-4` of x86 and the
//! `-5` of an instruction with a trailing 1-byte immediate), and the field in
//! the body is zero, so AArch64 immediates can be OR-ed in.
//!
//! * A GOT reference (`X86GotPcRelX`, `Aarch64GotPage21`, `Aarch64GotLo12`, or
//!   `Rel32`/`Aarch64AdrPage21`/`Aarch64LdstLo12` through a COFF `__imp_`
//!   symbol) has value `Data` and an addend pointing at its slot, so it is
//!   patched like the plain PC-relative kind of the same instruction. The
//!   slot itself is a data hole (`Abs64`, `Abs32` on i686) holding the real
//!   value. `X86GotPcRelX` may sit on any instruction that reads the slot
//!   (`mov`, `cmp`, `test`, `call *`); relax only a `mov` (opcode `8b`) into
//!   `lea`/`mov $imm`.
//! * On i686 an address holds 32 bits, so a 64-bit operand comes in two holes:
//!   `Operand` (patched with its low 32 bits) and `OperandHi` (high 32 bits).
//! * Runtime helpers (`cpjit_*` functions) are always reached through a slot
//!   in the group's own data (an `Abs64` data hole with `value: Zero` and the
//!   helper's name), referenced from code PC-relatively or absolutely.

use std::collections::BTreeMap;

use cpjit_abi::stencil::{HoleKind, HoleValue};
use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionKind, SymbolKind,
};

use crate::got::Got;

use crate::relocs::{self, RelocClass};
use crate::targets::{Arch, TargetSpec};

/// A hole in an owned stencil.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OwnedHole {
    /// Byte offset in the body.
    pub offset: u32,
    /// How to patch.
    pub kind: HoleKind,
    /// Base value.
    pub value: HoleValue,
    /// External symbol whose address is added.
    pub symbol: Option<String>,
    /// Constant addend.
    pub addend: i64,
}

/// Owned code or data with holes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedStencil {
    /// The bytes, every hole field zero.
    pub body: Vec<u8>,
    /// Holes, sorted by offset.
    pub holes: Vec<OwnedHole>,
}

/// A relocation exactly as the object file has it (for the oracle test and
/// the disassembly comments).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RawRelocation {
    /// Section name.
    pub section: String,
    /// Offset in that section.
    pub offset: u64,
    /// Type name, as `llvm-objdump -r` prints it.
    pub type_name: String,
    /// Target symbol (or section) name, as in the object.
    pub symbol: String,
    /// Addend: explicit (ELF), or read from the place (Mach-O, COFF), in ELF
    /// terms (a PC-relative one includes the distance from the place to the PC).
    pub addend: i64,
}

/// One template harvested for one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarvestedGroup {
    /// Template name.
    pub template: &'static str,
    /// Code, entry at 0.
    pub code: OwnedStencil,
    /// Data: sections, then GOT slots.
    pub data: OwnedStencil,
    /// Alignment the data needs.
    pub data_align: u32,
    /// Defined symbols and their code offsets.
    pub symbols: BTreeMap<String, u32>,
    /// Relocations as found in the object.
    pub relocations: Vec<RawRelocation>,
    /// Bytes saved by dropping the final jump to `_JIT_CONTINUE`.
    pub bytes_saved: u32,
    /// Where the data holds cold code (`start..end` in the data body), if
    /// anywhere ([`crate::cold`]).
    pub cold: Option<(u32, u32)>,
}

impl HarvestedGroup {
    /// A group with no code and no data.
    pub fn empty(template: &'static str) -> Self {
        HarvestedGroup {
            template,
            code: OwnedStencil::default(),
            data: OwnedStencil::default(),
            data_align: 1,
            symbols: BTreeMap::new(),
            relocations: Vec::new(),
            bytes_saved: 0,
            cold: None,
        }
    }
}

/// Harvesting failed.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// Not a readable object file.
    #[error("{target}: template {template}: bad object file: {message}")]
    BadObject {
        /// The target.
        target: &'static str,
        /// The template.
        template: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A relocation type this target's table does not know.
    #[error(
        "{target}: template {template}: unknown relocation {relocation} at {section}+{offset:#x} \
         against symbol {symbol}"
    )]
    UnknownRelocation {
        /// The target.
        target: &'static str,
        /// The template.
        template: &'static str,
        /// The relocation (raw flags).
        relocation: String,
        /// Its section.
        section: String,
        /// Its offset.
        offset: u64,
        /// Its symbol.
        symbol: String,
    },
    /// A `_JIT_*` symbol that is not a hole.
    #[error("{target}: template {template}: unknown hole symbol {symbol}")]
    UnknownHole {
        /// The target.
        target: &'static str,
        /// The template.
        template: &'static str,
        /// The symbol.
        symbol: String,
    },
    /// The entry symbol is missing or not at code offset 0.
    #[error("{target}: template {template}: entry {symbol} is not at code offset 0 ({found})")]
    EntryNotAtZero {
        /// The target.
        target: &'static str,
        /// The template.
        template: &'static str,
        /// The entry symbol.
        symbol: &'static str,
        /// Where it was instead.
        found: String,
    },
    /// Something the harvester does not handle (named).
    #[error("{target}: template {template}: {message}")]
    Unsupported {
        /// The target.
        target: &'static str,
        /// The template.
        template: &'static str,
        /// What.
        message: String,
    },
}

/// The hole value a `_JIT_*` name stands for (without the format's prefix).
pub fn hole_value(name: &str) -> Option<HoleValue> {
    Some(match name.strip_prefix("_JIT_")? {
        "CONTINUE" => HoleValue::Continue,
        "CODE" => HoleValue::Code,
        "DATA" => HoleValue::Data,
        "EXECUTOR" => HoleValue::Executor,
        "TOP" => HoleValue::Top,
        "ZERO" => HoleValue::Zero,
        "OPARG" => HoleValue::Oparg,
        "OPARG_BYTES" => HoleValue::OpargBytes,
        "OPERAND_BYTES" => HoleValue::OperandBytes,
        "OPERAND_I32" => HoleValue::OperandI32,
        "OPERAND" => HoleValue::Operand,
        "OPERAND_HI" => HoleValue::OperandHi,
        "TARGET" => HoleValue::Target,
        "JUMP_TARGET" => HoleValue::JumpTarget,
        "ERROR_TARGET" => HoleValue::ErrorTarget,
        "EXIT_INDEX" => HoleValue::ExitIndex,
        _ => return None,
    })
}

/// Which stencil a section went into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Code,
    Data,
}

/// Where a relocation's target resolves to.
struct Resolved {
    value: HoleValue,
    symbol: Option<String>,
    addend: i64,
    through_imp: bool,
}

/// The stencils being built from one object, and where each kept section went.
struct Layout {
    code: OwnedStencil,
    data: OwnedStencil,
    data_align: u32,
    /// Section index → (stencil, offset of the section in it).
    placed: BTreeMap<usize, (Part, u64)>,
    /// The range of cold code in the data, if any.
    cold: Option<(u32, u32)>,
}

impl Layout {
    fn part_mut(&mut self, part: Part) -> &mut OwnedStencil {
        match part {
            Part::Code => &mut self.code,
            Part::Data => &mut self.data,
        }
    }
}

/// What harvesting one object needs to know, for error messages too.
struct Harvest<'a, 'data> {
    spec: &'a TargetSpec,
    template: &'static str,
    file: &'a object::File<'data>,
}

/// Harvests `object` (compiled from `template` for `spec`).
pub fn harvest(
    spec: &TargetSpec,
    template: &'static str,
    entry: &'static str,
    object: &[u8],
) -> Result<HarvestedGroup, HarvestError> {
    let file = object::File::parse(object).map_err(|e| HarvestError::BadObject {
        target: spec.triple,
        template,
        message: e.to_string(),
    })?;
    let h = Harvest {
        spec,
        template,
        file: &file,
    };
    let mut layout = h.lay_out_sections()?;
    let symbols = h.check_entry_and_collect_symbols(&layout, entry)?;
    let mut got = Got::default();
    let relocations = h.harvest_relocations(&mut layout, &mut got)?;
    for (part, hole) in got.place(
        &mut layout.data,
        &mut layout.data_align,
        spec.pointer_size(),
    ) {
        layout.part_mut(part).holes.push(hole);
    }
    if layout.cold.is_some() {
        pad_cold_data(&mut layout.data, layout.data_align, spec.pointer_size());
    }
    layout.code.holes.sort();
    layout.data.holes.sort();
    let bytes_saved = drop_final_jump(spec, &mut layout.code);
    Ok(HarvestedGroup {
        template,
        code: layout.code,
        data: layout.data,
        data_align: layout.data_align,
        symbols,
        relocations,
        bytes_saved,
        cold: layout.cold,
    })
}

impl Harvest<'_, '_> {
    fn bad(&self, message: String) -> HarvestError {
        HarvestError::BadObject {
            target: self.spec.triple,
            template: self.template,
            message,
        }
    }

    fn unsupported(&self, message: String) -> HarvestError {
        HarvestError::Unsupported {
            target: self.spec.triple,
            template: self.template,
            message,
        }
    }

    /// Text sections into code (cold ones into data), other allocated
    /// sections into data, each at its alignment.
    fn lay_out_sections(&self) -> Result<Layout, HarvestError> {
        let mut layout = Layout {
            code: OwnedStencil::default(),
            data: OwnedStencil::default(),
            data_align: 1,
            placed: BTreeMap::new(),
            cold: None,
        };
        for section in self.file.sections() {
            let cold = section.kind() == SectionKind::Text
                && crate::cold::is_cold_section(self.spec, section.name().unwrap_or(""));
            let part = match section.kind() {
                SectionKind::Text if cold => Part::Data,
                SectionKind::Text => Part::Code,
                SectionKind::Data
                | SectionKind::ReadOnlyData
                | SectionKind::ReadOnlyDataWithRel
                | SectionKind::ReadOnlyString
                | SectionKind::UninitializedData => Part::Data,
                _ => continue,
            };
            if section.size() == 0 {
                continue;
            }
            let bytes = match section.kind() {
                SectionKind::UninitializedData => vec![0; section.size() as usize],
                _ => section
                    .uncompressed_data()
                    .map_err(|e| self.bad(e.to_string()))?
                    .into_owned(),
            };
            let align = section.align().max(1);
            if part == Part::Data {
                layout.data_align = layout.data_align.max(align as u32);
            }
            let out = layout.part_mut(part);
            let pad = (align - out.body.len() as u64 % align) % align;
            out.body.extend(std::iter::repeat_n(0, pad as usize));
            let base = out.body.len() as u64;
            out.body.extend_from_slice(&bytes);
            let end = out.body.len() as u32;
            layout.placed.insert(section.index().0, (part, base));
            if cold {
                let start = layout.cold.map_or(base as u32, |(s, _)| s);
                layout.cold = Some((start, end));
            }
        }
        Ok(layout)
    }

    /// The code symbols and their offsets; fails unless `entry` is at code
    /// offset 0.
    fn check_entry_and_collect_symbols(
        &self,
        layout: &Layout,
        entry: &'static str,
    ) -> Result<BTreeMap<String, u32>, HarvestError> {
        let prefix = self.spec.symbol_prefix();
        let mut symbols = BTreeMap::new();
        let mut entry_at = None;
        for sym in self.file.symbols() {
            let (Ok(name), Some(sec)) = (sym.name(), sym.section_index()) else {
                continue;
            };
            let Some(&(part, base)) = layout.placed.get(&sec.0) else {
                continue;
            };
            let section = self
                .file
                .section_by_index(sec)
                .map_err(|e| self.bad(e.to_string()))?;
            let off = base + sym.address() - section.address();
            let plain = name.strip_prefix(prefix).unwrap_or(name);
            if part == Part::Code && !name.is_empty() && sym.kind() != SymbolKind::Section {
                symbols.insert(plain.to_owned(), off as u32);
            }
            if plain == entry {
                entry_at = Some((part, off));
            }
        }
        let found = match entry_at {
            Some((Part::Code, 0)) => return Ok(symbols),
            Some((Part::Code, off)) => format!("offset {off}"),
            Some((Part::Data, _)) => "in data".to_owned(),
            None => "missing".to_owned(),
        };
        Err(HarvestError::EntryNotAtZero {
            target: self.spec.triple,
            template: self.template,
            symbol: entry,
            found,
        })
    }

    /// Turns every relocation of a kept section into a hole (or a GOT
    /// reference), reading and clearing implicit addends.
    fn harvest_relocations(
        &self,
        layout: &mut Layout,
        got: &mut Got,
    ) -> Result<Vec<RawRelocation>, HarvestError> {
        let mut relocations = Vec::new();
        for section in self.file.sections() {
            let Some(&(part, base)) = layout.placed.get(&section.index().0) else {
                continue;
            };
            let section_name = section.name().unwrap_or("?").to_owned();
            for (offset, reloc) in section.relocations() {
                let raw_symbol = self.target_name(&reloc.target());
                let at = (base + offset) as usize;
                let out = layout.part_mut(part);
                let instruction = out
                    .body
                    .get(at..at + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0);
                let (r_type, length) = self.relocation_type(reloc.flags())?;
                let Some(ty) = relocs::classify(
                    self.spec.format,
                    self.spec.arch,
                    r_type,
                    length,
                    instruction,
                ) else {
                    return Err(HarvestError::UnknownRelocation {
                        target: self.spec.triple,
                        template: self.template,
                        relocation: format!("{:?}", reloc.flags()),
                        section: section_name,
                        offset,
                        symbol: raw_symbol,
                    });
                };
                let kind = match ty.class {
                    RelocClass::Direct(k) | RelocClass::Got(k) => k,
                };
                let mut addend = reloc.addend();
                if reloc.has_implicit_addend() {
                    let place = out.body.get(at..).unwrap_or(&[]);
                    let implicit =
                        relocs::implicit_addend(kind, reloc.size(), place).ok_or_else(|| {
                            self.bad(format!(
                                "relocation at {section_name}+{offset:#x} runs past the section"
                            ))
                        })?;
                    addend = addend.wrapping_add(implicit);
                    if let Some(place) = out.body.get_mut(at..) {
                        relocs::clear_field(kind, reloc.size(), place);
                    }
                }
                relocations.push(RawRelocation {
                    section: section_name.clone(),
                    offset,
                    type_name: ty.name.to_owned(),
                    symbol: raw_symbol.clone(),
                    addend,
                });
                let resolved = self.resolve(&layout.placed, &reloc.target(), &raw_symbol)?;
                let offset = u32::try_from(base + offset)
                    .map_err(|_| self.bad("stencil over 4 GiB".into()))?;
                if matches!(ty.class, RelocClass::Got(_)) || resolved.through_imp {
                    let slot = got.slot(resolved.value, resolved.symbol, resolved.addend);
                    let hole = OwnedHole {
                        offset,
                        kind,
                        value: HoleValue::Data,
                        symbol: None,
                        addend,
                    };
                    got.refs.push((part, hole, slot));
                } else {
                    layout.part_mut(part).holes.push(OwnedHole {
                        offset,
                        kind,
                        value: resolved.value,
                        symbol: resolved.symbol,
                        addend: addend.wrapping_add(resolved.addend),
                    });
                }
            }
        }
        Ok(relocations)
    }

    /// `(r_type, r_length)` of a relocation (`r_length` is Mach-O's only).
    fn relocation_type(&self, flags: RelocationFlags) -> Result<(u32, u8), HarvestError> {
        match flags {
            RelocationFlags::Elf { r_type } => Ok((r_type, 0)),
            RelocationFlags::MachO {
                r_type, r_length, ..
            } => Ok((u32::from(r_type), r_length)),
            RelocationFlags::Coff { typ } => Ok((u32::from(typ), 0)),
            other => Err(self.unsupported(format!("relocation flags {other:?}"))),
        }
    }

    /// A relocation target's name as `llvm-objdump` shows it: the symbol's,
    /// or its section's for section symbols.
    fn target_name(&self, target: &RelocationTarget) -> String {
        let section_name = |s| {
            self.file
                .section_by_index(s)
                .and_then(|s| s.name().map(str::to_owned))
                .unwrap_or_default()
        };
        match target {
            RelocationTarget::Symbol(i) => match self.file.symbol_by_index(*i) {
                Ok(sym) => match sym.name() {
                    Ok(name) if !name.is_empty() => name.to_owned(),
                    _ => sym.section_index().map(section_name).unwrap_or_default(),
                },
                Err(_) => String::new(),
            },
            RelocationTarget::Section(s) => section_name(*s),
            _ => String::new(),
        }
    }

    /// Resolves a relocation's target to a hole value, external symbol or
    /// place in our own code or data.
    fn resolve(
        &self,
        placed: &BTreeMap<usize, (Part, u64)>,
        target: &RelocationTarget,
        raw: &str,
    ) -> Result<Resolved, HarvestError> {
        let (spec, file, template) = (self.spec, self.file, self.template);
        let triple = spec.triple;
        let bad = |message: String| HarvestError::BadObject {
            target: triple,
            template,
            message,
        };
        let local =
            |section: object::SectionIndex, offset: u64| -> Result<Resolved, HarvestError> {
                let Some(&(part, base)) = placed.get(&section.0) else {
                    return Err(self.unsupported(format!(
                        "relocation against {raw}, which is in a section that is not kept"
                    )));
                };
                let value = if part == Part::Code {
                    HoleValue::Code
                } else {
                    HoleValue::Data
                };
                Ok(Resolved {
                    value,
                    symbol: None,
                    addend: (base + offset) as i64,
                    through_imp: false,
                })
            };
        match target {
            RelocationTarget::Symbol(i) => {
                let sym = file.symbol_by_index(*i).map_err(|e| bad(e.to_string()))?;
                if let Some(sec) = sym.section_index() {
                    let section = file.section_by_index(sec).map_err(|e| bad(e.to_string()))?;
                    return local(sec, sym.address() - section.address());
                }
                let name = sym.name().map_err(|e| bad(e.to_string()))?;
                let (name, through_imp) = match name.strip_prefix("__imp_") {
                    Some(rest) => (rest, true),
                    None => (name, false),
                };
                let plain = name.strip_prefix(spec.symbol_prefix()).unwrap_or(name);
                if plain.starts_with("_JIT_") {
                    let value = hole_value(plain).ok_or_else(|| HarvestError::UnknownHole {
                        target: triple,
                        template,
                        symbol: plain.to_owned(),
                    })?;
                    Ok(Resolved {
                        value,
                        symbol: None,
                        addend: 0,
                        through_imp,
                    })
                } else {
                    Ok(Resolved {
                        value: HoleValue::Zero,
                        symbol: Some(plain.to_owned()),
                        addend: 0,
                        through_imp,
                    })
                }
            }
            RelocationTarget::Section(sec) => {
                // Mach-O non-extern relocations encode the target address in the
                // field; we do not produce them (LLVM uses symbols), so refuse.
                Err(HarvestError::Unsupported {
                    target: triple,
                    template,
                    message: format!(
                        "section-relative relocation against {raw} (index {})",
                        sec.0
                    ),
                })
            }
            other => Err(HarvestError::Unsupported {
                target: triple,
                template,
                message: format!("relocation target {other:?}"),
            }),
        }
    }
}

/// Pads data that holds cold code to a multiple of its alignment and of
/// the pointer size, as data without cold code always is (its sections
/// and GOT slots are pointer-sized): the emitter's fast path needs every
/// group's data to keep the data area's running offset aligned.
fn pad_cold_data(data: &mut OwnedStencil, align: u32, pointer_size: u32) {
    let unit = align.max(pointer_size).max(1) as usize;
    let len = data.body.len().next_multiple_of(unit);
    data.body.resize(len, 0);
}

/// Drops a final direct jump to `_JIT_CONTINUE` (`jmp rel32` on x86, `b` on
/// AArch64): the next stencil starts right there. Returns the bytes saved.
fn drop_final_jump(spec: &TargetSpec, code: &mut OwnedStencil) -> u32 {
    let len = code.body.len();
    let Some(last) = code.holes.last() else {
        return 0;
    };
    if last.value != HoleValue::Continue || last.symbol.is_some() || last.offset as usize + 4 != len
    {
        return 0;
    }
    let saved = match (spec.arch, last.kind) {
        (Arch::X86_64 | Arch::I686, HoleKind::Rel32)
            if len >= 5 && code.body[len - 5] == 0xe9 && last.addend == -4 =>
        {
            5
        }
        (Arch::Aarch64, HoleKind::Aarch64Branch26)
            if code.body[len - 4..] == [0, 0, 0, 0x14] && last.addend == 0 =>
        {
            4
        }
        _ => return 0,
    };
    code.body.truncate(len - saved);
    code.holes.pop();
    saved as u32
}
