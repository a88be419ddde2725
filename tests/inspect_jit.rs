//! An installed executor seen from outside: its code rendered per uop by
//! `jit::disasm`, and its perf-map lines matching the emitted code exactly.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use cpjit::abi::layout::IntObj;
use cpjit::abi::stencil::{Hole, HoleValue};
use cpjit::abi::uop::Uop;
use cpjit::abi::value::encode_small_int;
use cpjit::jit::debug::perf_map::parse_line;
use cpjit::jit::debug::DebugConfig;
use cpjit::jit::disasm::{
    decode_x86_64, render_executor, render_executor_annotated, Annotations, DisasmError,
};
use cpjit::jit::stencils::HOST;
use cpjit::jit::{JitConfig, JitContext, SymbolTable, UopInstruction};

static TRUE: IntObj = IntObj::immortal_bool(1);
static FALSE: IntObj = IntObj::immortal_bool(0);

extern "C" fn dealloc(_v: u64) {}

fn jit(debug: Option<DebugConfig>) -> JitContext {
    let symbols = SymbolTable::new()
        .with("cpjit_dealloc", dealloc as *const () as u64)
        .with("cpjit_true", &raw const TRUE as u64)
        .with("cpjit_false", &raw const FALSE as u64);
    let config = JitConfig {
        debug,
        ..JitConfig::default()
    };
    JitContext::for_host(config, &symbols).expect("host stencils load")
}

/// `while i < n: i += 1` with `i`, `n` in locals 0, 1.
fn count_loop() -> Vec<UopInstruction> {
    let one = encode_small_int(1).expect("small int");
    vec![
        UopInstruction::new(Uop::SET_IP).oparg(4),
        UopInstruction::new(Uop::LOAD_FAST).oparg(0),
        UopInstruction::new(Uop::LOAD_FAST).oparg(1),
        UopInstruction::new(Uop::GUARD_BOTH_INT).jump_target(11),
        UopInstruction::new(Uop::COMPARE_OP_INT).oparg(0),
        UopInstruction::new(Uop::GUARD_IS_TRUE_POP).jump_target(12),
        UopInstruction::new(Uop::LOAD_FAST).oparg(0),
        UopInstruction::new(Uop::LOAD_CONST).operand(one),
        UopInstruction::new(Uop::BINARY_OP_ADD_INT).jump_target(11),
        UopInstruction::new(Uop::STORE_FAST).oparg(0),
        UopInstruction::new(Uop::JUMP_TO_TOP),
        UopInstruction::new(Uop::DEOPT).target(4),
        UopInstruction::new(Uop::EXIT_TRACE)
            .target(20)
            .exit_index(0),
    ]
}

#[test]
fn rendered_executor_names_every_uop_and_decodes_cleanly() {
    let trace = count_loop();
    let exe = jit(None).compile(&trace).expect("compiles");
    let names: Vec<&str> = trace.iter().map(|i| i.opcode.name()).collect();
    let text = render_executor(&exe, &names).expect("renders");
    for (i, name) in names.iter().enumerate() {
        assert!(
            text.contains(&format!("; {i} {name}:")),
            "{name} missing:\n{text}"
        );
    }
    assert!(text.contains("; _ENTRY (trampoline)"), "{text}");
    assert!(text.contains("; _FATAL_ERROR"), "{text}");
    assert!(!text.contains("(bad)"), "{text}");
    // Every piece decodes into whole valid instructions, at the run address.
    let base = exe.jit_code() as u64;
    let code = exe.code_bytes();
    for &(off, size) in exe.code_pieces() {
        let ins = decode_x86_64(&code[off..off + size], base + off as u64);
        assert!(ins.iter().all(|i| !i.invalid), "piece at {off:#x}: {ins:?}");
        let decoded: usize = ins.iter().map(|i| i.bytes.len()).sum();
        assert_eq!(decoded, size);
        assert!(text.contains(&format!("{:#014x}:", base + off as u64)));
    }
    // The rendered bytes are the patched ones: the trampoline calls the
    // first uop where it runs.
    let side_entry = exe.jit_side_entry() as u64;
    assert!(text.contains(&format!("call 0x{side_entry:x}")), "{text}");
    assert_eq!(
        render_executor(&exe, &names[1..]),
        Err(DisasmError::NameCount {
            expected: names.len(),
            got: names.len() - 1
        })
    );
}

/// The lines of piece `; {index} {name}:` in a rendered executor.
fn piece_lines<'t>(text: &'t str, index: usize, name: &str) -> Vec<&'t str> {
    let header = format!("; {index} {name}:");
    text.lines()
        .skip_while(|l| !l.starts_with(&header))
        .skip(1)
        .take_while(|l| !l.starts_with(';'))
        .collect()
}

/// Holes are named where the stencil puts them, whatever their width: on
/// x86-64 ELF a bytecode target and an exit index are 32-bit immediates
/// (`mov $imm32`), which naming by 64-bit immediate value missed, and a
/// local's offset is a displacement.
#[test]
fn rendered_executor_names_holes_by_their_place_in_the_stencil() {
    let trace = count_loop();
    let exe = jit(None).compile(&trace).expect("compiles");
    let names: Vec<&str> = trace.iter().map(|i| i.opcode.name()).collect();
    let last = trace.len() + 1;
    let holes = |k: usize| -> &'static [Hole] {
        match k {
            0 => HOST.trampoline.code.holes,
            k if k == last => HOST.fatal_error.code.holes,
            k => HOST.uops[trace[k - 1].opcode as usize].code.holes,
        }
    };
    let hole = |uop: Option<usize>, h: &Hole| {
        let u = &trace[uop?];
        match h.value {
            HoleValue::Oparg => Some(format!("oparg={}", u.oparg)),
            HoleValue::Operand => Some(format!("operand={:#x}", u.operand)),
            HoleValue::Target => Some(format!("target={}", u.target)),
            HoleValue::ExitIndex => Some(format!("exit={}", u.exit_index)),
            HoleValue::OpargBytes => Some(format!("local={}", u.oparg)),
            _ => None,
        }
    };
    let annotations = Annotations {
        holes: &holes,
        hole: &hole,
        value: &|_, _| None,
    };
    let text = render_executor_annotated(&exe, &names, &annotations).expect("renders");
    // A local's byte offset is the displacement of the instruction that
    // reads or writes it (`HoleValue::OpargBytes`, s10-jit).
    let local = |index: usize, oparg: u64| {
        let label = format!("local={oparg}");
        let lines = piece_lines(&text, index, names[index]);
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("# {label}")))
            .unwrap_or_else(|| panic!("{index} {}: no {label}:\n{text}", names[index]));
        let disp = std::mem::offset_of!(cpjit::abi::layout::Frame, localsplus) as u64 + 8 * oparg;
        assert!(
            line.contains(&format!("{disp:#x}(%r13)")),
            "{label} on {line}"
        );
    };
    // The instruction that holds the hole carries its value, as the
    // label claims.
    let named = |index: usize, label: String, value: u64| {
        let lines = piece_lines(&text, index, names[index]);
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("# {label}")) || l.contains(&format!("; {label}")))
            .unwrap_or_else(|| panic!("{index} {}: no {label}:\n{text}", names[index]));
        let imm = if value < 10 {
            format!("${value},")
        } else {
            format!("${value:#x},")
        };
        assert!(line.contains(&imm), "{label} on {line}");
    };
    // `_LOAD_FAST 1` and `_STORE_FAST 0`: locals; the constant's operand.
    local(2, 1);
    local(9, 0);
    let one = encode_small_int(1).expect("small int");
    named(7, format!("operand={one:#x}"), one);
    // `_EXIT_TRACE target=20 exit_index=0`.
    named(12, "target=20".into(), 20);
    named(12, "exit=0".into(), 0);
    // Without hole lists nothing is named as a hole.
    let plain = render_executor(&exe, &names).expect("renders");
    assert!(!plain.contains("oparg="), "{plain}");
}

#[test]
fn perf_map_lines_match_the_emitted_code_ranges() {
    let config = DebugConfig {
        perf_map: true,
        jitdump: false,
        gdb: false,
    };
    let jit = jit(Some(config));
    let trace = count_loop();
    let lines: Vec<u32> = (0..trace.len() as u32).map(|i| 100 + i / 3).collect();
    let labelled = jit
        .compile_with_lines(&trace, "count", Some(&lines))
        .expect("compiles");
    let plain = jit.compile(&trace).expect("compiles");
    let path = format!("/tmp/perf-{}.map", std::process::id());
    let map = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let entries: Vec<(u64, usize, String)> = map
        .lines()
        .map(|l| {
            let (a, s, n) = parse_line(l).unwrap_or_else(|| panic!("malformed {l:?}"));
            (a, s, n.to_string())
        })
        .collect();
    let indices: Vec<u32> = (0..trace.len() as u32).collect();
    for (exe, function, line_of) in [(&labelled, "count", &lines), (&plain, "trace0", &indices)] {
        let base = exe.jit_code() as u64;
        let pieces = exe.code_pieces();
        let mut expected = vec![(
            base + pieces[0].0 as u64,
            pieces[0].1,
            format!("cpjit:trampoline:{function}"),
        )];
        for (i, ins) in trace.iter().enumerate() {
            let (off, size) = pieces[i + 1];
            if size > 0 {
                expected.push((
                    base + off as u64,
                    size,
                    format!("cpjit:{function}:{}:{}", line_of[i], ins.opcode.name()),
                ));
            }
        }
        let (off, size) = pieces[pieces.len() - 1];
        expected.push((
            base + off as u64,
            size,
            format!("cpjit:{function}:_FATAL_ERROR"),
        ));
        let end = base + exe.code_bytes().len() as u64;
        let got: Vec<_> = entries
            .iter()
            .filter(|(a, _, _)| (base..end).contains(a))
            .cloned()
            .collect();
        assert_eq!(got, expected);
        // The ranges tile the code exactly.
        let covered: usize = got.iter().map(|(_, s, _)| s).sum();
        assert_eq!(covered, exe.code_bytes().len());
    }
    std::fs::remove_file(&path).ok();
}
