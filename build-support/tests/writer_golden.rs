//! Golden test for the writer: a hand-made set renders to exactly the text
//! in `golden/writer.rs.txt`. Set `CPJIT_BLESS=1` to rewrite the golden file
//! after an intended change (and review the diff).

use std::collections::BTreeMap;
use std::path::Path;

use cpjit_abi::stencil::{CallConv, HoleKind, HoleValue};
use cpjit_build_support::stencils::{HarvestedGroup, OwnedHole, OwnedStencil};
use cpjit_build_support::targets::TargetSpec;
use cpjit_build_support::writer::{render, SetSource};

fn group(
    template: &'static str,
    code: Vec<u8>,
    holes: Vec<OwnedHole>,
    data: OwnedStencil,
    saved: u32,
) -> HarvestedGroup {
    HarvestedGroup {
        template,
        code: OwnedStencil { body: code, holes },
        data,
        data_align: 8,
        symbols: BTreeMap::new(),
        relocations: Vec::new(),
        bytes_saved: saved,
        cold: None,
    }
}

fn hole(
    offset: u32,
    kind: HoleKind,
    value: HoleValue,
    symbol: Option<&str>,
    addend: i64,
) -> OwnedHole {
    OwnedHole {
        offset,
        kind,
        value,
        symbol: symbol.map(str::to_owned),
        addend,
    }
}

fn sample() -> String {
    let spec = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known");
    // movabs $OPARG, %rax; jmp JUMP_TARGET
    let load = group(
        "_LOAD_FAST",
        vec![0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xe9, 0, 0, 0, 0],
        vec![
            hole(2, HoleKind::Abs64, HoleValue::Oparg, None, 0),
            hole(11, HoleKind::Rel32, HoleValue::JumpTarget, None, -4),
        ],
        OwnedStencil::default(),
        5,
    );
    // call *slot(%rip) with the slot in data
    let fatal = group(
        "_FATAL_ERROR",
        vec![0xff, 0x15, 0, 0, 0, 0],
        vec![hole(2, HoleKind::Rel32, HoleValue::Data, None, -4)],
        OwnedStencil {
            body: vec![0; 8],
            holes: vec![hole(
                0,
                HoleKind::Abs64,
                HoleValue::Zero,
                Some("cpjit_fatal_error"),
                0,
            )],
        },
        0,
    );
    // jne <cold code>, the cold code (jmp JUMP_TARGET) in the data
    let mut guard = group(
        "_GUARD_NOT_ZERO",
        vec![0x0f, 0x85, 0, 0, 0, 0],
        vec![hole(2, HoleKind::Rel32, HoleValue::Data, None, -4)],
        OwnedStencil {
            body: vec![0xe9, 0, 0, 0, 0],
            holes: vec![hole(1, HoleKind::Rel32, HoleValue::JumpTarget, None, -4)],
        },
        5,
    );
    guard.data_align = 1;
    guard.cold = Some((0, 5));
    let trampoline = group("_ENTRY", vec![0xc3], vec![], OwnedStencil::default(), 0);
    let uops = [load, guard];
    render(&SetSource {
        spec,
        cc: CallConv::PreserveNone,
        input_hash: "sha256:0123",
        command: "cpjit-stencils --target x86_64-unknown-linux-gnu --cc preserve-none",
        llvm_version: "19.1.7",
        trampoline: &trampoline,
        fatal_error: &fatal,
        uops: &uops,
    })
}

#[test]
fn writer_output_matches_the_golden_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/writer.rs.txt");
    let got = sample();
    if std::env::var_os("CPJIT_BLESS").is_some() {
        std::fs::write(&path, &got).expect("golden written");
    }
    let want =
        std::fs::read_to_string(&path).expect("golden file (run with CPJIT_BLESS=1 to create it)");
    assert_eq!(
        got, want,
        "writer output changed; if intended, rerun with CPJIT_BLESS=1 and review the diff"
    );
}

#[test]
fn writer_is_deterministic_and_header_carries_hash_and_command() {
    let a = sample();
    assert_eq!(a, sample());
    let header: Vec<&str> = a.lines().take(7).collect();
    assert!(header.contains(&"// input hash: sha256:0123"));
    assert!(header
        .iter()
        .any(|l| l.starts_with("// command: cpjit-stencils --target x86_64-unknown-linux-gnu")));
    assert_eq!(
        cpjit_build_support::hash::hash_in_header(&a),
        Some("sha256:0123")
    );
}
