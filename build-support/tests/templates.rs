//! The real templates, compiled for every target: harvested relocations
//! equal what `llvm-objdump-19 -r` reports for the same bytes (an independent
//! oracle), and each target produces the relocation families its row of the
//! target table promises.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use cpjit_abi::stencil::{HoleKind, HoleValue};
use cpjit_build_support::compile::{compile_all, Job};
use cpjit_build_support::stencils::{harvest, HarvestedGroup};
use cpjit_build_support::targets::{Arch, Format, TargetSpec, TARGETS};
use cpjit_build_support::{generate, jobs, Request};

fn objdump() -> Option<PathBuf> {
    ["llvm-objdump-19", "/usr/lib/llvm-19/bin/llvm-objdump"]
        .iter()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// A relocation row: section, offset, type, symbol, and the addend where
/// the format makes it explicit (ELF: `llvm-objdump` prints it as `sym-0x4`).
type Row = (String, u64, String, String, Option<i64>);

/// The rows of `llvm-objdump -r`.
fn objdump_relocations(tool: &PathBuf, object: &[u8], name: &str, elf: bool) -> BTreeSet<Row> {
    let dir = std::env::temp_dir().join(format!("cpjit-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.o"));
    std::fs::write(&path, object).expect("object written");
    let out = Command::new(tool)
        .arg("-r")
        .arg(&path)
        .output()
        .expect("objdump runs");
    assert!(
        out.status.success(),
        "objdump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut section = String::new();
    let mut rows = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("RELOCATION RECORDS FOR [") {
            section = rest.trim_end_matches("]:").to_owned();
            continue;
        }
        let mut cols = line.split_whitespace();
        let (Some(off), Some(ty), Some(sym)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let Ok(off) = u64::from_str_radix(off, 16) else {
            continue;
        };
        // objdump appends the addend (`sym-0x4`) or a GOT marker
        // (`sym@GOTPCREL`); COFF constant-pool symbols (`__real@<hex bits>`)
        // have an `@` of their own.
        let sym = match sym.rsplit_once('@') {
            Some((name, marker)) if marker.starts_with(|c: char| c.is_ascii_uppercase()) => name,
            _ => sym,
        };
        let (sym, addend) = match sym.rfind(['+', '-']) {
            Some(i) if i > 0 && sym[i + 1..].starts_with("0x") => {
                let magnitude = i64::from_str_radix(&sym[i + 3..], 16).expect("hex addend");
                let sign = if sym.as_bytes()[i] == b'-' { -1 } else { 1 };
                (&sym[..i], sign * magnitude)
            }
            _ => (sym, 0),
        };
        let addend = elf.then_some(addend);
        rows.insert((section.clone(), off, ty.to_owned(), sym.to_owned(), addend));
    }
    rows
}

fn compile_target(spec: &'static TargetSpec) -> Vec<(Job, Vec<u8>)> {
    let jobs = jobs(&[Request {
        spec,
        cc: spec.default_cc,
    }]);
    let objects = compile_all(&jobs, 2, &|_| {}).expect("templates compile");
    jobs.into_iter()
        .zip(objects.into_iter().map(|c| c.object))
        .collect()
}

#[test]
fn harvested_relocations_equal_llvm_objdump_on_every_target() {
    let Some(tool) = objdump() else {
        panic!("llvm-objdump-19 not found: install the llvm-19 package (make setup)");
    };
    for spec in TARGETS {
        for (job, object) in compile_target(spec) {
            let g = harvest(
                spec,
                job.template.name(),
                job.template.entry_symbol(),
                &object,
            )
            .expect("harvest");
            let elf = spec.format == Format::Elf;
            let ours: BTreeSet<Row> = g
                .relocations
                .iter()
                .map(|r| {
                    let addend = elf.then_some(r.addend);
                    (
                        r.section.clone(),
                        r.offset,
                        r.type_name.clone(),
                        r.symbol.clone(),
                        addend,
                    )
                })
                .collect();
            let kept: BTreeSet<&String> = ours.iter().map(|r| &r.0).collect();
            let theirs: BTreeSet<_> = objdump_relocations(&tool, &object, job.template.name(), elf)
                .into_iter()
                .filter(|r| kept.contains(&r.0) || !is_unwind_or_metadata(&r.0))
                .collect();
            assert_eq!(ours, theirs, "{} {}", spec.triple, job.template.name());
            assert_eq!(ours.len(), g.relocations.len(), "duplicate relocations");
        }
    }
}

/// Sections the harvester deliberately ignores (none are expected for
/// `nounwind` templates, but unwind tables would be legitimate to skip).
fn is_unwind_or_metadata(section: &str) -> bool {
    matches!(
        section,
        ".pdata"
            | ".xdata"
            | ".eh_frame"
            | "__compact_unwind"
            | ".llvm_addrsig"
            // Profile data's call graph (functions with an entry count that
            // call others: the trampoline), not allocated.
            | ".llvm.call-graph-profile"
    )
}

fn groups(spec: &'static TargetSpec) -> Vec<HarvestedGroup> {
    let mut g = generate(
        &[Request {
            spec,
            cc: spec.default_cc,
        }],
        2,
        &|_| {},
    )
    .expect("generate");
    g.remove(0).groups
}

fn code_kinds(groups: &[HarvestedGroup], value: HoleValue) -> BTreeSet<HoleKind> {
    groups
        .iter()
        .flat_map(|g| g.code.holes.iter())
        .filter(|h| h.value == value)
        .map(|h| h.kind)
        .collect()
}

#[test]
fn every_target_produces_the_relocation_families_of_its_table_row() {
    use HoleKind::*;
    for spec in TARGETS {
        let groups = groups(spec);
        let jumps = code_kinds(&groups, HoleValue::JumpTarget);
        let opargs = code_kinds(&groups, HoleValue::Oparg);
        let via_data = code_kinds(&groups, HoleValue::Data);
        let data_values: BTreeSet<HoleValue> = groups
            .iter()
            .flat_map(|g| g.data.holes.iter())
            .map(|h| h.value)
            .collect();
        let expect_jump = match spec.arch {
            Arch::Aarch64 => Aarch64Branch26,
            Arch::X86_64 | Arch::I686 => Rel32,
        };
        assert_eq!(
            jumps,
            BTreeSet::from([expect_jump]),
            "{}: jumps",
            spec.triple
        );
        match (spec.format, spec.arch) {
            (Format::Elf, Arch::X86_64) => {
                // u32 holes as `mov $imm32` where the table narrows them;
                // operands (64-bit values) always keep `movabs`.
                let oparg = if spec.narrow_holes { Abs32 } else { Abs64 };
                assert_eq!(opargs, BTreeSet::from([oparg]), "{}", spec.triple);
                let operands = code_kinds(&groups, HoleValue::Operand);
                assert_eq!(operands, BTreeSet::from([Abs64]), "{}", spec.triple)
            }
            (Format::Elf, Arch::Aarch64) => {
                assert_eq!(
                    opargs,
                    BTreeSet::from([
                        Aarch64MovW(0),
                        Aarch64MovW(1),
                        Aarch64MovW(2),
                        Aarch64MovW(3)
                    ])
                )
            }
            (Format::Coff, Arch::I686) => {
                assert_eq!(opargs, BTreeSet::from([Abs32]), "{}", spec.triple)
            }
            _ => {
                // Hole values come from GOT slots in data.
                assert!(opargs.is_empty(), "{}: {opargs:?}", spec.triple);
                assert!(data_values.contains(&HoleValue::Oparg), "{}", spec.triple);
                let expected: BTreeSet<HoleKind> = match (spec.format, spec.arch) {
                    (Format::MachO, Arch::X86_64) => [X86GotPcRelX].into(),
                    (Format::MachO, Arch::Aarch64) => [Aarch64GotPage21, Aarch64GotLo12].into(),
                    (Format::Coff, Arch::X86_64) => [Rel32].into(),
                    _ => [Aarch64AdrPage21, Aarch64LdstLo12].into(),
                };
                assert!(
                    expected.is_subset(&via_data),
                    "{}: {via_data:?}",
                    spec.triple
                );
            }
        }
        // Runtime helpers are always called through a data slot.
        let helpers: Vec<_> = groups
            .iter()
            .flat_map(|g| g.data.holes.iter())
            .filter_map(|h| h.symbol.as_deref())
            .filter(|s| s.ends_with("dealloc") || *s == "cpjit_fatal_error")
            .collect();
        assert!(
            helpers.contains(&"cpjit_dealloc"),
            "{}: {helpers:?}",
            spec.triple
        );
        assert!(
            !groups
                .iter()
                .flat_map(|g| g.code.holes.iter())
                .any(|h| h.symbol.as_deref() == Some("cpjit_dealloc")),
            "{}: a direct call to a helper",
            spec.triple
        );
        // The final jump to _JIT_CONTINUE is dropped where it ends a stencil.
        let nop = &groups[2];
        assert_eq!(nop.template, "_NOP");
        assert!(nop.bytes_saved > 0, "{}", spec.triple);
        assert!(
            nop.code
                .holes
                .iter()
                .all(|h| h.value != HoleValue::Continue),
            "{}",
            spec.triple
        );
    }
}

#[test]
fn output_is_identical_across_job_counts() {
    let spec = TargetSpec::lookup("aarch64-apple-darwin").expect("known");
    let one = generate(
        &[Request {
            spec,
            cc: spec.default_cc,
        }],
        1,
        &|_| {},
    )
    .expect("jobs 1");
    let two = generate(
        &[Request {
            spec,
            cc: spec.default_cc,
        }],
        2,
        &|_| {},
    )
    .expect("jobs 2");
    assert_eq!(one[0].render(), two[0].render());
}

/// Templates whose only cold blocks are guard failures (a fused uop's
/// failure path pushes its operands, then leaves): where the target splits,
/// their hot path ends the code (it falls through to the next stencil, no
/// jump over cold code) and jumps into the cold code in the data.
const GUARD_ONLY_COLD: &[&str] = &[
    "_INPLACE_ADD_INT_LOCAL_CONST",
    "_BINARY_OP_ADD_INT_LOCALS",
    "_BINARY_SUBSCR_LIST_INT_LOCALS",
    "_SWAP_LIST_ITEMS_LOCALS",
];

#[test]
fn where_a_target_splits_hot_paths_fall_through_and_cold_code_is_in_the_data() {
    let host = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known");
    assert!(host.split_cold, "x86-64 ELF splits");
    for spec in TARGETS {
        let groups = groups(spec);
        for g in &groups {
            let Some((start, end)) = g.cold else { continue };
            assert!(spec.split_cold, "{} {}: cold code", spec.triple, g.template);
            // The emitter's fast path keeps data areas aligned by sizes.
            assert_eq!(
                g.data.body.len() % spec.pointer_size() as usize,
                0,
                "{} {}: data size",
                spec.triple,
                g.template
            );
            assert!(
                start < end && end as usize <= g.data.body.len(),
                "{} {}: cold {start}..{end} in {} bytes of data",
                spec.triple,
                g.template,
                g.data.body.len()
            );
        }
        for name in GUARD_ONLY_COLD {
            let g = groups
                .iter()
                .find(|g| g.template == *name)
                .unwrap_or_else(|| panic!("{name} missing"));
            let continues: Vec<_> = g
                .code
                .holes
                .iter()
                .filter(|h| h.value == HoleValue::Continue)
                .collect();
            let into_data: Vec<_> = g
                .code
                .holes
                .iter()
                .filter(|h| h.value == HoleValue::Data && h.kind == HoleKind::Rel32)
                .collect();
            let exits_in_data = g
                .data
                .holes
                .iter()
                .any(|h| h.value == HoleValue::JumpTarget);
            if spec.split_cold {
                let (start, end) = g.cold.unwrap_or_else(|| panic!("{name}: no cold code"));
                assert!(continues.is_empty(), "{name}: {continues:?}");
                assert!(exits_in_data, "{name}: no exit in the cold code");
                // `jcc rel32` into the cold code: addend = offset - 4.
                assert!(
                    into_data
                        .iter()
                        .any(|h| (start as i64..end as i64).contains(&(h.addend + 4))),
                    "{name}: no jump into the cold code: {into_data:?}"
                );
            } else {
                assert_eq!(g.cold, None, "{} {name}", spec.triple);
                assert!(!exits_in_data, "{} {name}", spec.triple);
            }
        }
    }
}
