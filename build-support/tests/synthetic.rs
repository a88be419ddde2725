//! Synthetic objects (written with the `object` crate) exercising every
//! relocation type in every target's table, the `__imp_` GOT path, implicit
//! addends, and the harvester's errors.

use cpjit_abi::stencil::{HoleKind, HoleValue};
use cpjit_build_support::relocs::{classify, RelocClass};
use cpjit_build_support::stencils::{harvest, HarvestError};
use cpjit_build_support::targets::{Arch, Format, TargetSpec, TARGETS};
use object::write::{Object, Relocation, StandardSection, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, RelocationFlags, SymbolFlags, SymbolKind, SymbolScope,
};

const RELOC_AT: u64 = 16;
const ADD_X8: u32 = 0x9100_0108; // add x8, x8, #0
const LDR_X8: u32 = 0xf940_0108; // ldr x8, [x8]

fn architecture(spec: &TargetSpec) -> Architecture {
    match spec.arch {
        Arch::X86_64 => Architecture::X86_64,
        Arch::Aarch64 => Architecture::Aarch64,
        Arch::I686 => Architecture::I386,
    }
}

fn binary_format(spec: &TargetSpec) -> BinaryFormat {
    match spec.format {
        Format::Elf => BinaryFormat::Elf,
        Format::MachO => BinaryFormat::MachO,
        Format::Coff => BinaryFormat::Coff,
    }
}

/// An object whose text is 32 bytes with `_JIT_ENTRY` at `entry_at` and one
/// relocation at offset 16 against `target` (an undefined symbol).
fn object_with(
    spec: &TargetSpec,
    flags: RelocationFlags,
    target: &str,
    instruction: u32,
    addend: i64,
    entry_at: u64,
) -> Vec<u8> {
    let mut obj = Object::new(binary_format(spec), architecture(spec), Endianness::Little);
    let text = obj.section_id(StandardSection::Text);
    let mut body = Vec::new();
    for _ in 0..8 {
        let word = if spec.arch == Arch::Aarch64 {
            0xd503_201f_u32
        } else {
            0x9090_9090
        };
        body.extend_from_slice(&word.to_le_bytes());
    }
    if spec.arch == Arch::Aarch64 {
        body[RELOC_AT as usize..RELOC_AT as usize + 4].copy_from_slice(&instruction.to_le_bytes());
    } else {
        body[RELOC_AT as usize..RELOC_AT as usize + 8].fill(0);
    }
    obj.append_section_data(text, &body, 16);
    obj.add_symbol(Symbol {
        name: b"_JIT_ENTRY".to_vec(),
        value: entry_at,
        size: 32 - entry_at,
        kind: SymbolKind::Text,
        scope: SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Section(text),
        flags: SymbolFlags::None,
    });
    let sym = obj.add_symbol(Symbol {
        name: target.as_bytes().to_vec(),
        value: 0,
        size: 0,
        kind: SymbolKind::Data,
        scope: SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Undefined,
        flags: SymbolFlags::None,
    });
    obj.add_relocation(
        text,
        Relocation {
            offset: RELOC_AT,
            symbol: sym,
            addend,
            flags,
        },
    )
    .expect("relocation accepted");
    obj.write().expect("object written")
}

/// Every (flags, instruction) combination the target's table knows.
fn known_relocations(spec: &TargetSpec) -> Vec<(RelocationFlags, u32, HoleKind, RelocClass)> {
    let mut out = Vec::new();
    for r_type in 0..1024u32 {
        for (length, instruction) in [(2u8, ADD_X8), (3, ADD_X8), (2, LDR_X8)] {
            let Some(ty) = classify(spec.format, spec.arch, r_type, length, instruction) else {
                continue;
            };
            let kind = match ty.class {
                RelocClass::Direct(k) | RelocClass::Got(k) => k,
            };
            let flags = match spec.format {
                Format::Elf => RelocationFlags::Elf { r_type },
                Format::Coff => RelocationFlags::Coff { typ: r_type as u16 },
                Format::MachO => RelocationFlags::MachO {
                    r_type: r_type as u8,
                    r_pcrel: is_pc_relative(kind),
                    r_length: length,
                },
            };
            if out.iter().any(|(f, i, _, _)| {
                *f == flags && (*i == instruction || spec.arch != Arch::Aarch64)
            }) {
                continue;
            }
            out.push((flags, instruction, kind, ty.class));
        }
    }
    out
}

fn is_pc_relative(kind: HoleKind) -> bool {
    !matches!(
        kind,
        HoleKind::Abs64 | HoleKind::Abs32 | HoleKind::Aarch64MovW(_)
    )
}

#[test]
fn every_relocation_type_of_every_target_becomes_the_right_hole() {
    let mut covered = 0;
    for spec in TARGETS {
        let relocations = known_relocations(spec);
        assert!(!relocations.is_empty(), "{}: empty table", spec.triple);
        for (flags, instruction, kind, class) in relocations {
            let bytes = object_with(spec, flags, "_JIT_OPARG", instruction, 0, 0);
            let g = harvest(spec, "synthetic", "_JIT_ENTRY", &bytes)
                .unwrap_or_else(|e| panic!("{}: {flags:?}: {e}", spec.triple));
            let hole = g
                .code
                .holes
                .iter()
                .find(|h| u64::from(h.offset) == RELOC_AT)
                .unwrap_or_else(|| panic!("{}: {flags:?}: no hole at {RELOC_AT}", spec.triple));
            assert_eq!(hole.kind, kind, "{}: {flags:?}", spec.triple);
            match class {
                RelocClass::Direct(_) => {
                    assert_eq!(hole.value, HoleValue::Oparg, "{}: {flags:?}", spec.triple)
                }
                RelocClass::Got(_) => {
                    assert_eq!(hole.value, HoleValue::Data, "{}: {flags:?}", spec.triple);
                    let slot = g
                        .data
                        .holes
                        .iter()
                        .find(|d| d.value == HoleValue::Oparg)
                        .expect("GOT slot");
                    assert_eq!(
                        slot.kind,
                        if spec.pointer_size() == 8 {
                            HoleKind::Abs64
                        } else {
                            HoleKind::Abs32
                        }
                    );
                    assert_eq!(g.data.body.len() % spec.pointer_size() as usize, 0);
                }
            }
            assert_eq!(g.relocations.len(), 1);
            assert_eq!(g.relocations[0].offset, RELOC_AT);
            covered += 1;
        }
    }
    assert!(covered >= 60, "only {covered} relocation types covered");
}

#[test]
fn x86_addends_round_trip_through_explicit_and_implicit_formats() {
    // Each x86 target's plain PC-relative type, with an ELF-style addend.
    let cases = [
        (
            "x86_64-unknown-linux-gnu",
            RelocationFlags::Elf { r_type: 4 },
        ),
        (
            "x86_64-apple-darwin",
            RelocationFlags::MachO {
                r_type: 2,
                r_pcrel: true,
                r_length: 2,
            },
        ),
        ("x86_64-pc-windows-msvc", RelocationFlags::Coff { typ: 4 }),
        ("i686-pc-windows-msvc", RelocationFlags::Coff { typ: 0x14 }),
    ];
    for (triple, flags) in cases {
        let spec = TargetSpec::lookup(triple).expect("known target");
        for addend in [-4i64, -8, 12] {
            let bytes = object_with(spec, flags, "_JIT_JUMP_TARGET", 0, addend, 0);
            let g = harvest(spec, "synthetic", "_JIT_ENTRY", &bytes).expect("harvested");
            let hole = &g.code.holes[0];
            assert_eq!(
                (hole.kind, hole.value, hole.addend),
                (HoleKind::Rel32, HoleValue::JumpTarget, addend),
                "{triple}"
            );
            // The field is zeroed in the body.
            assert_eq!(
                &g.code.body[RELOC_AT as usize..RELOC_AT as usize + 4],
                &[0, 0, 0, 0],
                "{triple}"
            );
        }
    }
}

#[test]
fn coff_imp_symbols_go_through_a_synthesized_got_slot() {
    for triple in ["x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc"] {
        let spec = TargetSpec::lookup(triple).expect("known target");
        let (flags, insn) = if spec.arch == Arch::X86_64 {
            (RelocationFlags::Coff { typ: 4 }, 0)
        } else {
            (RelocationFlags::Coff { typ: 7 }, LDR_X8)
        };
        let bytes = object_with(spec, flags, "__imp_cpjit_true", insn, 0, 0);
        let g = harvest(spec, "synthetic", "_JIT_ENTRY", &bytes).expect("harvested");
        assert_eq!(g.code.holes[0].value, HoleValue::Data, "{triple}");
        let slot = &g.data.holes[0];
        assert_eq!(
            (slot.value, slot.symbol.as_deref()),
            (HoleValue::Zero, Some("cpjit_true")),
            "{triple}"
        );
        assert_eq!(slot.kind, HoleKind::Abs64);
    }
}

#[test]
fn unknown_relocation_is_an_error_naming_target_template_relocation_and_symbol() {
    let spec = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known target");
    // R_X86_64_TLSGD (19): never produced by our templates.
    let bytes = object_with(
        spec,
        RelocationFlags::Elf { r_type: 19 },
        "cpjit_tls",
        0,
        0,
        0,
    );
    let err = harvest(spec, "_SOME_UOP", "_JIT_ENTRY", &bytes).expect_err("unknown relocation");
    assert!(matches!(err, HarvestError::UnknownRelocation { .. }));
    let msg = err.to_string();
    for needle in ["x86_64-unknown-linux-gnu", "_SOME_UOP", "19", "cpjit_tls"] {
        assert!(msg.contains(needle), "{msg:?} lacks {needle}");
    }
}

#[test]
fn unknown_hole_symbol_is_an_error() {
    let spec = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known target");
    let bytes = object_with(
        spec,
        RelocationFlags::Elf { r_type: 1 },
        "_JIT_NO_SUCH_HOLE",
        0,
        0,
        0,
    );
    let err = harvest(spec, "t", "_JIT_ENTRY", &bytes).expect_err("unknown hole");
    assert!(err.to_string().contains("_JIT_NO_SUCH_HOLE"), "{err}");
}

#[test]
fn bad_object_is_an_error_not_a_panic() {
    for spec in TARGETS {
        for junk in [
            &b""[..],
            b"\x7fELF garbage",
            b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
            &[0u8; 64],
        ] {
            let err = harvest(spec, "t", "_JIT_ENTRY", junk).expect_err("junk is not an object");
            assert!(err.to_string().contains(spec.triple), "{err}");
        }
    }
}

#[test]
fn entry_must_be_at_offset_zero() {
    let spec = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known target");
    let bytes = object_with(
        spec,
        RelocationFlags::Elf { r_type: 1 },
        "_JIT_OPARG",
        0,
        0,
        4,
    );
    let err = harvest(spec, "t", "_JIT_ENTRY", &bytes).expect_err("entry at 4");
    assert!(matches!(err, HarvestError::EntryNotAtZero { .. }), "{err}");
    let err = harvest(spec, "t", "_ENTRY", &bytes).expect_err("no such entry");
    assert!(err.to_string().contains("missing"), "{err}");
}

/// A real object cut short anywhere gives an error naming the target, or
/// (when the cut only loses bytes the harvest never reads) exactly the
/// stencil of the whole object: never a different stencil, never a panic.
#[test]
fn truncated_object_is_an_error_or_the_same_stencil() {
    for spec in TARGETS {
        let (flags, instruction, _, _) = known_relocations(spec)[0];
        let bytes = object_with(spec, flags, "_JIT_OPARG", instruction, 0, 0);
        let whole = harvest(spec, "t", "_JIT_ENTRY", &bytes)
            .unwrap_or_else(|e| panic!("{}: whole object: {e}", spec.triple));
        let mut errors = 0;
        for cut in 0..bytes.len() {
            match harvest(spec, "t", "_JIT_ENTRY", &bytes[..cut]) {
                Err(e) => {
                    errors += 1;
                    assert!(e.to_string().contains(spec.triple), "{}: {e}", spec.triple);
                }
                Ok(g) => assert!(
                    g == whole,
                    "{}: cut at {cut} of {} gave a different stencil",
                    spec.triple,
                    bytes.len()
                ),
            }
        }
        assert!(
            errors > bytes.len() / 2,
            "{}: only {errors} cuts rejected",
            spec.triple
        );
    }
}
