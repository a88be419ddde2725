//! Seeing inside a real run: `cpjit run --dump-traces`, `--perf-map` names
//! and `--stats`, on a program with a hot loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

const CPJIT: &str = env!("CARGO_BIN_EXE_cpjit");

/// A hot loop whose body takes both sides of a branch (so a side trace
/// grows) and pushes and pops a constant (which the optimizer removes).
const PROGRAM: &str = "\
def total(n):
    s = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            s = s + i * 2
        else:
            s = s - 1
        7
        i = i + 1
    return s

print(total(3000))
";
const OUTPUT: &str = "2995000\n";

/// The line of `PROGRAM` that contains `text` (1-based).
fn line_of(text: &str) -> u32 {
    let k = PROGRAM
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not in the program"));
    k as u32 + 1
}

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cpjit-observe-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn program_file(dir: &std::path::Path) -> PathBuf {
    let p = dir.join("loop.py");
    std::fs::write(&p, PROGRAM).expect("write program");
    p
}

/// Runs cpjit with `args` then the program; returns the output and the pid.
fn run(cmd: &mut Command) -> (Output, u32) {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cpjit starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("cpjit runs");
    (out, pid)
}

/// One trace of the dump.
#[derive(Debug, Default)]
struct DumpedTrace {
    header: String,
    /// (uop index, uop name, source line of its group).
    uops: Vec<(usize, String, u32)>,
    projected: usize,
    installed: usize,
    removed: usize,
    removal_lines: Vec<String>,
    code_range: Option<(u64, u64)>,
    /// Addresses of the disassembled instructions.
    instructions: Vec<u64>,
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("hex {s:?}"))
}

/// Parses the dump into traces (and the other `===` lines).
fn parse_dump(text: &str) -> (Vec<DumpedTrace>, Vec<String>) {
    let mut traces: Vec<DumpedTrace> = Vec::new();
    let mut events = Vec::new();
    let mut line = 0u32;
    let mut in_code = false;
    for l in text.lines() {
        if l.starts_with("=== trace ") {
            traces.push(DumpedTrace {
                header: l.to_string(),
                ..DumpedTrace::default()
            });
            in_code = false;
            continue;
        }
        if l.starts_with("===") {
            events.push(l.to_string());
            in_code = false;
            continue;
        }
        let Some(t) = traces.last_mut() else { continue };
        let w: Vec<&str> = l.split_whitespace().collect();
        if let Some(r) = l.strip_prefix("executor code ") {
            let (a, b) = r
                .split_once(' ')
                .expect("range")
                .0
                .split_once("..")
                .expect("..");
            t.code_range = Some((hex(a), hex(b)));
        } else if l.starts_with("  line ") {
            line = w[1].trim_end_matches(':').parse().expect("line number");
        } else if l == "  stubs:" {
            line = 0;
        } else if l.starts_with("optimizer: ") {
            // optimizer: N uops projected, M installed; R removed, W rewritten
            t.projected = w[1].parse().expect("projected");
            t.installed = w[4].parse().expect("installed");
            t.removed = w[6].parse().expect("removed");
        } else if l.starts_with("  projected uop ") {
            t.removal_lines.push(l.to_string());
        } else if l == "machine code:" {
            in_code = true;
        } else if in_code && l.starts_with("  0x") {
            t.instructions.push(hex(w[0].trim_end_matches(':')));
        } else if !in_code && w.len() >= 2 && w[1].starts_with('_') {
            if let Ok(k) = w[0].parse::<usize>() {
                t.uops.push((k, w[1].to_string(), line));
            }
        }
    }
    (traces, events)
}

#[test]
fn dump_traces_shows_lines_uops_removals_and_code_where_it_runs() {
    let dir = scratch("dump");
    let prog = program_file(&dir);
    let dump = dir.join("dump.txt");
    let (out, pid) = run(Command::new(CPJIT)
        .args(["run", "--tier", "jit", "--perf-map", "--dump-traces"])
        .arg(&dump)
        .arg(&prog)
        .env("CPJIT_GDB", "0"));
    let map_path = PathBuf::from(format!("/tmp/perf-{pid}.map"));
    let map = std::fs::read_to_string(&map_path).unwrap_or_default();
    let _ = std::fs::remove_file(&map_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), OUTPUT);
    let text = std::fs::read_to_string(&dump).expect("dump written");
    let (traces, events) = parse_dump(&text);
    assert!(traces.len() >= 2, "a root and a side trace:\n{text}");

    let root = &traces[0];
    assert!(
        root.header.contains("root trace") && root.header.contains(" in total at line "),
        "{}",
        root.header
    );
    // The loop's source lines, each with the uops that came from it.
    let lines: BTreeSet<u32> = root.uops.iter().map(|u| u.2).filter(|&l| l != 0).collect();
    for stmt in ["while i < n:", "if i % 3 == 0:", "i = i + 1"] {
        assert!(
            lines.contains(&line_of(stmt)),
            "line of {stmt:?} missing: {lines:?}"
        );
    }
    assert!(
        text.contains(&format!("  line {}: while i < n:", line_of("while i < n:"))),
        "source text quoted"
    );
    let names: BTreeSet<&str> = root.uops.iter().map(|u| u.1.as_str()).collect();
    for u in ["_BINARY_OP_MOD_INT", "_EXIT_TRACE"] {
        assert!(names.contains(u), "{u} missing: {names:?}");
    }
    // `i = i + 1`: the plain add, or a fused form of it (fuse.rs).
    assert!(
        names.iter().any(|n| n.contains("ADD_INT")),
        "no int add: {names:?}"
    );
    // The loop closes: back to the top, or to the loop copy of a peeled trace.
    assert!(
        names.contains("_JUMP_TO_TOP") || names.contains("_JUMP_TO_LOOP"),
        "no loop-closing uop: {names:?}"
    );
    let indices: Vec<usize> = root.uops.iter().map(|u| u.0).collect();
    assert_eq!(indices, (0..root.installed).collect::<Vec<_>>());
    assert!(
        text.lines()
            .any(|l| l.contains("_LOAD_CONST") && l.trim_end().ends_with(" const 3")),
        "constants by repr"
    );
    assert!(text.contains("i (local "), "locals by name");
    // Holes are named by their place in the stencil, 32-bit immediates too
    // (x86-64 ELF exit indices are `mov $imm32`, a local's offset a
    // displacement).
    #[cfg(target_arch = "x86_64")]
    for label in [
        "# local i (oparg)",
        "# exit index 0",
        "# target: instruction ",
    ] {
        assert!(text.contains(label), "{label:?} missing:\n{text}");
    }

    // Optimizer removals: the constant statement `7` is pushed and popped.
    assert!(root.removed >= 1, "{}", root.header);
    // Every uop the optimizer drops is logged (peeling and unboxing only add).
    assert!(
        root.installed + root.removed >= root.projected,
        "{}",
        root.header
    );
    let line7 = line_of("        7");
    assert!(
        root.removal_lines
            .iter()
            .any(|l| l.contains(&format!("(line {line7},")) && l.contains("removed _LOAD_CONST")),
        "{:?}",
        root.removal_lines
    );

    // Side traces are linked to exits, and say so.
    let link = events
        .iter()
        .find_map(|e| e.strip_prefix("=== link: trace 1 exit "))
        .unwrap_or_else(|| panic!("no link from trace 1: {events:?}"));
    // `N -> trace M (instruction I)`: still linked at exit.
    let (exit, rest) = link.split_once(" -> ").expect("link");
    let to = rest.split(' ').nth(1).expect("target trace");
    let at_exit = events
        .iter()
        .find_map(|e| e.strip_prefix("=== at exit, trace 1: "))
        .expect("trace 1's links at exit");
    assert!(
        at_exit.contains(&format!("exit {exit} -> trace {to}")),
        "{at_exit}"
    );

    // Machine code at the address where it runs: inside the executor's
    // range, and starting where perf was told each range starts.
    let starts: BTreeMap<String, Vec<u64>> = map.lines().fold(BTreeMap::new(), |mut m, l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        m.entry(w[2].to_string()).or_default().push(hex(w[0]));
        m
    });
    for t in &traces {
        let (lo, hi) = t.code_range.expect("executor code range");
        assert!(!t.instructions.is_empty(), "{}", t.header);
        assert_eq!(t.instructions[0], lo, "first instruction at the trampoline");
        assert!(t.instructions.iter().all(|&a| a >= lo && a < hi));
        assert!(
            starts["cpjit:trampoline:total"].contains(&lo),
            "the perf map's trampoline is at {lo:#x}"
        );
        for (name, addrs) in &starts {
            for &a in addrs.iter().filter(|&&a| a >= lo && a < hi) {
                assert!(
                    t.instructions.contains(&a),
                    "{name} at {a:#x} is an instruction"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cpjit_dump_traces_env_writes_to_stderr_in_every_tier2_mode() {
    for mode in ["uops", "jit"] {
        let (out, _) = run(Command::new(CPJIT)
            .args(["run", "--tier", mode, "-c", PROGRAM])
            .env("CPJIT_DUMP_TRACES", "1"));
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), OUTPUT);
        let err = String::from_utf8_lossy(&out.stderr);
        let (traces, events) = parse_dump(&err);
        assert!(!traces.is_empty(), "--tier {mode}: {err}");
        assert!(events.iter().any(|e| e.starts_with("=== end of run")));
        assert_eq!(
            mode == "jit",
            err.contains("machine code:"),
            "--tier {mode}"
        );
    }
}

#[test]
fn an_unwritable_dump_file_is_a_clear_error() {
    let (out, _) = run(Command::new(CPJIT).args([
        "run",
        "--dump-traces",
        "/nonexistent-dir/x/dump.txt",
        "-c",
        "print(1)",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the trace dump"));
    assert!(out.stdout.is_empty());
}

#[test]
fn perf_map_names_carry_function_names_and_source_lines() {
    let dir = scratch("perf");
    let prog = program_file(&dir);
    let (out, pid) = run(Command::new(CPJIT)
        .args(["run", "--tier", "jit", "--perf-map", "--stats"])
        .arg(&prog)
        .env("CPJIT_GDB", "0"));
    let map_path = PathBuf::from(format!("/tmp/perf-{pid}.map"));
    let map = std::fs::read_to_string(&map_path).expect("perf map written");
    let _ = std::fs::remove_file(&map_path);
    assert!(out.status.success());
    let loop_lines: BTreeSet<u32> = (line_of("while i < n:")..=line_of("return s")).collect();
    let mut trampolines = 0;
    let mut uops = 0;
    let mut cold = 0;
    for l in map.lines() {
        let name = l.split_whitespace().nth(2).expect("name");
        let parts: Vec<&str> = name.split(':').collect();
        match parts.as_slice() {
            ["cpjit", "trampoline", "total"] => trampolines += 1,
            ["cpjit", "total", "_FATAL_ERROR"] => {}
            ["cpjit", "total", line, uop] => {
                let line: u32 = line.parse().expect("a line number");
                // A split stencil's cold code, run from the data area.
                let uop = match uop.strip_suffix(".cold") {
                    Some(hot) => {
                        cold += 1;
                        hot
                    }
                    None => uop,
                };
                assert!(
                    loop_lines.contains(&line),
                    "{name}: line {line} is not in the loop"
                );
                assert!(
                    cpjit::abi::uop::Uop::from_name(uop).is_some(),
                    "{name}: {uop} is a uop"
                );
                uops += 1;
            }
            _ => panic!("unexpected perf map name {name}"),
        }
    }
    let stats = String::from_utf8_lossy(&out.stderr);
    let created: usize = stats
        .lines()
        .find_map(|l| l.trim().strip_prefix("executors: "))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("executors created");
    assert_eq!(trampolines, created, "one trampoline line per executor");
    assert!(uops > created, "uop lines");
    let split = cpjit::jit::stencils::HOST
        .uops
        .iter()
        .any(|g| g.cold.is_some());
    assert_eq!(cold > 0, split, "cold code lines where stencils are split");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The value of `key: VALUE ...` in `--stats` output.
fn stat(stats: &str, key: &str) -> f64 {
    stats
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.trim_end_matches(['%', ';', ',']).parse().ok())
        .unwrap_or_else(|| panic!("no {key:?} in\n{stats}"))
}

#[test]
fn stats_report_executors_exits_memory_and_compile_time() {
    let (out, _) =
        run(Command::new(CPJIT).args(["run", "--tier", "jit", "--stats", "-c", PROGRAM]));
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stderr);
    let created = stat(&s, "executors");
    assert!(created >= 2.0, "{s}");
    assert!(s.contains("invalidated") && s.contains("freed"), "{s}");
    assert!(stat(&s, "exits taken to tier 1") >= 1.0);
    assert!(s.contains("side traces linked: "), "{s}");
    let emitted = stat(&s, "jit code emitted");
    let allocated = stat(&s, "jit memory allocated");
    let used = stat(&s, "jit memory used by their code and data");
    let ratio = stat(&s, "jit memory use ratio (used / allocated)");
    assert!(emitted > 0.0 && used > 0.0 && used <= allocated, "{s}");
    // Nothing was freed, so the live executors hold everything emitted.
    assert_eq!(used, emitted);
    assert!((ratio - used * 100.0 / allocated).abs() < 0.1, "{s}");
    let total = stat(&s, "jit compile time");
    let phases = stat(&s, "projection") + stat(&s, "optimization") + stat(&s, "emission");
    assert!(total > 0.0, "{s}");
    assert!((total - phases).abs() < 0.01, "phases add up: {s}");
    assert!(stat(&s, "time to first executor") > 0.0);
    assert!(s.contains("top exits:"), "{s}");
    assert!(s.contains("_BINARY_OP_MOD_INT "), "uops by name: {s}");

    let (out, _) =
        run(Command::new(CPJIT).args(["run", "--tier", "uops", "--stats", "-c", PROGRAM]));
    let s = String::from_utf8_lossy(&out.stderr);
    assert!(stat(&s, "uops executed (uop interpreter)") > 1000.0, "{s}");
    assert!(s.contains("jit: not used"), "{s}");
    assert!(
        stat(&s, "jit compile time") > 0.0,
        "projection and optimization count"
    );
}

/// A float division in a hot loop: the trace calls `cpjit_binary_op` for it.
const DIVIDES: &str = "\
def f(n):
    t = 0
    i = 0
    while i < n:
        t = t + i / 2
        i = i + 1
    return t
print(f(100))
";

#[test]
fn gdb_backtrace_from_a_helper_names_the_uop_line_and_reaches_the_vm() {
    let gdb = "/usr/bin/gdb";
    if !std::path::Path::new(gdb).exists() {
        eprintln!("SKIPPED: {gdb} is not installed");
        return;
    }
    let dir = scratch("gdb");
    let prog = dir.join("divides.py");
    std::fs::write(&prog, DIVIDES).expect("write program");
    let out = Command::new(gdb)
        .args([
            "-q",
            "-batch",
            "-ex",
            "break cpjit::vm::tier2::helpers::cpjit_binary_op",
            "-ex",
            "run",
            "-ex",
            "bt 30",
            "--args",
            CPJIT,
            "run",
            "--tier",
            "jit",
        ])
        .arg(&prog)
        .output()
        .expect("gdb runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let frames: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    let line = DIVIDES
        .lines()
        .position(|l| l.contains("i / 2"))
        .expect("the division")
        + 1;
    assert!(frames.len() >= 4, "{text}");
    assert!(frames[0].contains("cpjit_binary_op"), "{text}");
    assert!(
        frames[1].contains(&format!("in cpjit:f:{line}:_CALL_HELPER ")),
        "the uop that called the helper, with its line: {text}"
    );
    assert!(frames[2].contains("in cpjit:trampoline:f "), "{text}");
    assert!(
        frames.iter().any(|f| f.contains("cpjit::vm::run_source")),
        "the unwinder gets through JIT code to the VM: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A float loop whose result escapes into a list: storing each sum boxes it,
/// and once the float free list is empty the box comes from
/// `cpjit_box_float`, called from a split stencil's cold code.
const BOXES: &str = "\
def f(n):
    out = []
    a = 0.5
    i = 0
    while i < n:
        b = a + 1.25
        out.append(b)
        a = b
        i = i + 1
    return len(out)
print(f(300))
";

#[test]
fn gdb_backtrace_from_cold_code_names_the_split_uop_and_reaches_the_vm() {
    let gdb = "/usr/bin/gdb";
    if !std::path::Path::new(gdb).exists() {
        eprintln!("SKIPPED: {gdb} is not installed");
        return;
    }
    let split = cpjit::jit::stencils::HOST
        .uops
        .iter()
        .any(|g| g.cold.is_some());
    if !split {
        eprintln!("SKIPPED: this target's stencils have no cold code");
        return;
    }
    let dir = scratch("gdb-cold");
    let prog = dir.join("boxes.py");
    std::fs::write(&prog, BOXES).expect("write program");
    let script = dir.join("bt.gdb");
    // A backtrace at every call of the helper, from wherever it comes.
    std::fs::write(
        &script,
        "set pagination off\n\
         break cpjit::vm::tier2::helpers::cpjit_box_float\n\
         commands\nbt 16\ncontinue\nend\nrun\n",
    )
    .expect("write gdb script");
    let out = Command::new(gdb)
        .args([
            "-q",
            "-batch",
            "-nx",
            "-iex",
            "set debuginfod enabled off",
            "-x",
        ])
        .arg(&script)
        .args(["--args", CPJIT, "run", "--tier", "jit"])
        .arg(&prog)
        .output()
        .expect("gdb runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = BOXES
        .lines()
        .position(|l| l.contains("a + 1.25"))
        .expect("the addition")
        + 1;
    // Split the output into backtraces at each `#0`.
    let mut bts: Vec<Vec<&str>> = Vec::new();
    for l in text.lines().filter(|l| l.starts_with('#')) {
        if l.starts_with("#0 ") {
            bts.push(Vec::new());
        }
        if let Some(bt) = bts.last_mut() {
            bt.push(l);
        }
    }
    let from_cold: Vec<&Vec<&str>> = bts
        .iter()
        .filter(|bt| {
            bt.get(1).is_some_and(|f| {
                f.contains(&format!(" in cpjit:f:{line}:")) && f.contains(".cold ()")
            })
        })
        .collect();
    assert!(
        !from_cold.is_empty(),
        "no call of cpjit_box_float from a uop's cold code on line {line}: {text}"
    );
    for bt in from_cold {
        assert!(bt[0].contains("cpjit_box_float"), "{bt:#?}");
        // The cold code runs in its hot stencil's frame: the next frame out
        // is the trace's caller, and unwinding goes on into the VM.
        assert!(bt[2].contains("in cpjit:trampoline:f "), "{bt:#?}");
        assert!(
            bt.iter().any(|f| f.contains("cpjit::vm::run_source")),
            "the unwinder gets through cold code to the VM: {bt:#?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
