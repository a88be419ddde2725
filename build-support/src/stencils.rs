//! Harvesting: an object file becomes an owned stencil group (code, data,
//! holes), using the per-target tables in [`crate::relocs`].
//!
//! * Code is every text section, entry symbol at offset 0 (checked).
//! * Data is every other allocated section, then the synthesized GOT: one
//!   pointer-sized slot per distinct (value, symbol) reached through a GOT
//!   relocation or a COFF `__imp_` symbol.
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
use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionKind};

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
        "OPERAND" => HoleValue::Operand,
        "OPERAND_HI" => HoleValue::OperandHi,
        "TARGET" => HoleValue::Target,
        "JUMP_TARGET" => HoleValue::JumpTarget,
        "ERROR_TARGET" => HoleValue::ErrorTarget,
        "EXIT_INDEX" => HoleValue::ExitIndex,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
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

/// Harvests `object` (compiled from `template` for `spec`).
pub fn harvest(
    spec: &TargetSpec,
    template: &'static str,
    entry: &'static str,
    object: &[u8],
) -> Result<HarvestedGroup, HarvestError> {
    let target = spec.triple;
    let bad = |message: String| HarvestError::BadObject {
        target,
        template,
        message,
    };
    let file = object::File::parse(object).map_err(|e| bad(e.to_string()))?;

    // Lay out sections: text into code, other allocated sections into data.
    let mut code = OwnedStencil::default();
    let mut data = OwnedStencil::default();
    let mut data_align = 1u32;
    let mut placed: BTreeMap<usize, (Part, u64)> = BTreeMap::new();
    for section in file.sections() {
        let part = match section.kind() {
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
                .map_err(|e| bad(e.to_string()))?
                .into_owned(),
        };
        let align = section.align().max(1);
        let out = if part == Part::Code {
            &mut code
        } else {
            &mut data
        };
        if part == Part::Data {
            data_align = data_align.max(align as u32);
        }
        let pad = (align - out.body.len() as u64 % align) % align;
        out.body.extend(std::iter::repeat_n(0, pad as usize));
        placed.insert(section.index().0, (part, out.body.len() as u64));
        out.body.extend_from_slice(&bytes);
    }

    // Defined symbols, and the entry check.
    let prefix = spec.symbol_prefix();
    let mut symbols = BTreeMap::new();
    let mut entry_at = None;
    for sym in file.symbols() {
        let (Ok(name), Some(sec)) = (sym.name(), sym.section_index()) else {
            continue;
        };
        let Some(&(part, base)) = placed.get(&sec.0) else {
            continue;
        };
        let section = file.section_by_index(sec).map_err(|e| bad(e.to_string()))?;
        let off = base + sym.address() - section.address();
        let plain = name.strip_prefix(prefix).unwrap_or(name);
        if part == Part::Code && !name.is_empty() && sym.kind() != object::SymbolKind::Section {
            symbols.insert(plain.to_owned(), off as u32);
        }
        if plain == entry {
            entry_at = Some((part, off));
        }
    }
    match entry_at {
        Some((Part::Code, 0)) => {}
        Some((Part::Code, off)) => {
            return Err(HarvestError::EntryNotAtZero {
                target,
                template,
                symbol: entry,
                found: format!("offset {off}"),
            })
        }
        Some((Part::Data, _)) => {
            return Err(HarvestError::EntryNotAtZero {
                target,
                template,
                symbol: entry,
                found: "in data".into(),
            })
        }
        None => {
            return Err(HarvestError::EntryNotAtZero {
                target,
                template,
                symbol: entry,
                found: "missing".into(),
            })
        }
    }

    // Relocations.
    let mut relocations = Vec::new();
    let mut got: Vec<(HoleValue, Option<String>, i64)> = Vec::new();
    let mut got_refs: Vec<(Part, OwnedHole, usize)> = Vec::new();
    for section in file.sections() {
        let Some(&(part, base)) = placed.get(&section.index().0) else {
            continue;
        };
        let section_name = section.name().unwrap_or("?").to_owned();
        for (offset, reloc) in section.relocations() {
            let (r_type, length) = match reloc.flags() {
                RelocationFlags::Elf { r_type } => (r_type, 0),
                RelocationFlags::MachO {
                    r_type, r_length, ..
                } => (u32::from(r_type), r_length),
                RelocationFlags::Coff { typ } => (u32::from(typ), 0),
                other => {
                    return Err(HarvestError::Unsupported {
                        target,
                        template,
                        message: format!("relocation flags {other:?}"),
                    })
                }
            };
            let raw_symbol = match reloc.target() {
                RelocationTarget::Symbol(i) => {
                    let sym = file.symbol_by_index(i).map_err(|e| bad(e.to_string()))?;
                    let name = sym.name().unwrap_or("");
                    if name.is_empty() {
                        match sym.section_index() {
                            Some(s) => file
                                .section_by_index(s)
                                .and_then(|s| s.name().map(str::to_owned))
                                .unwrap_or_default(),
                            None => String::new(),
                        }
                    } else {
                        name.to_owned()
                    }
                }
                RelocationTarget::Section(s) => file
                    .section_by_index(s)
                    .and_then(|s| s.name().map(str::to_owned))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let at = (base + offset) as usize;
            let out = if part == Part::Code {
                &mut code
            } else {
                &mut data
            };
            let instruction = out
                .body
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .unwrap_or(0);
            let Some(ty) = relocs::classify(spec.format, spec.arch, r_type, length, instruction)
            else {
                return Err(HarvestError::UnknownRelocation {
                    target,
                    template,
                    relocation: format!("{:?}", reloc.flags()),
                    section: section_name,
                    offset,
                    symbol: raw_symbol,
                });
            };
            relocations.push(RawRelocation {
                section: section_name.clone(),
                offset,
                type_name: ty.name.to_owned(),
                symbol: raw_symbol.clone(),
            });
            let kind = match ty.class {
                RelocClass::Direct(k) | RelocClass::Got(k) => k,
            };
            let size = reloc.size();
            let mut addend = reloc.addend();
            if reloc.has_implicit_addend() {
                let place = out.body.get(at..).unwrap_or(&[]);
                let implicit = relocs::implicit_addend(kind, size, place).ok_or_else(|| {
                    bad(format!(
                        "relocation at {section_name}+{offset:#x} runs past the section"
                    ))
                })?;
                addend = addend.wrapping_add(implicit);
                if let Some(place) = out.body.get_mut(at..) {
                    relocs::clear_field(kind, size, place);
                }
            }
            let resolved = resolve(&file, spec, template, &placed, &reloc.target(), &raw_symbol)?;
            let hole_offset =
                u32::try_from(base + offset).map_err(|_| bad("stencil over 4 GiB".into()))?;
            let via_got = matches!(ty.class, RelocClass::Got(_)) || resolved.through_imp;
            if via_got {
                let key = (resolved.value, resolved.symbol.clone(), resolved.addend);
                let slot = match got.iter().position(|g| *g == key) {
                    Some(i) => i,
                    None => {
                        got.push(key);
                        got.len() - 1
                    }
                };
                let hole = OwnedHole {
                    offset: hole_offset,
                    kind,
                    value: HoleValue::Data,
                    symbol: None,
                    addend,
                };
                got_refs.push((part, hole, slot));
            } else {
                let hole = OwnedHole {
                    offset: hole_offset,
                    kind,
                    value: resolved.value,
                    symbol: resolved.symbol,
                    addend: addend.wrapping_add(resolved.addend),
                };
                out.holes.push(hole);
            }
        }
    }

    // The GOT, after the data sections.
    if !got.is_empty() {
        let ptr = spec.pointer_size();
        data_align = data_align.max(ptr);
        let pad = (ptr as usize - data.body.len() % ptr as usize) % ptr as usize;
        data.body.extend(std::iter::repeat_n(0, pad));
        let got_base = data.body.len() as i64;
        let slot_kind = if ptr == 8 {
            HoleKind::Abs64
        } else {
            HoleKind::Abs32
        };
        for (i, (value, symbol, addend)) in got.iter().enumerate() {
            data.holes.push(OwnedHole {
                offset: data.body.len() as u32,
                kind: slot_kind,
                value: *value,
                symbol: symbol.clone(),
                addend: *addend,
            });
            debug_assert_eq!(data.body.len() as i64, got_base + i as i64 * i64::from(ptr));
            data.body.extend(std::iter::repeat_n(0, ptr as usize));
        }
        for (part, mut hole, slot) in got_refs {
            hole.addend = hole
                .addend
                .wrapping_add(got_base + slot as i64 * i64::from(ptr));
            if part == Part::Code {
                code.holes.push(hole)
            } else {
                data.holes.push(hole)
            }
        }
    }

    code.holes.sort();
    data.holes.sort();
    let bytes_saved = drop_final_jump(spec, &mut code);
    Ok(HarvestedGroup {
        template,
        code,
        data,
        data_align,
        symbols,
        relocations,
        bytes_saved,
    })
}

/// Resolves a relocation's target to a hole value, external symbol or
/// place in our own code or data.
fn resolve(
    file: &object::File<'_>,
    spec: &TargetSpec,
    template: &'static str,
    placed: &BTreeMap<usize, (Part, u64)>,
    target: &RelocationTarget,
    raw: &str,
) -> Result<Resolved, HarvestError> {
    let triple = spec.triple;
    let bad = |message: String| HarvestError::BadObject {
        target: triple,
        template,
        message,
    };
    let local = |section: object::SectionIndex, offset: u64| -> Result<Resolved, HarvestError> {
        let Some(&(part, base)) = placed.get(&section.0) else {
            return Err(HarvestError::Unsupported {
                target: triple,
                template,
                message: format!(
                    "relocation against {raw}, which is in a section that is not kept"
                ),
            });
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
