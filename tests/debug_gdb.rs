//! Drives real gdb on `cpjit-debug-probe`: JIT code registered through
//! the GDB JIT interface must show up in `bt` by uop name, unwind to `main`
//! from every kind of stop (inside a helper, at a frameless stencil's
//! entry, mid-prologue, at the epilogue), and vanish when unregistered.
//! The probe's layout: trampoline at +0, `_LOAD_FAST` at +16 (frameless),
//! `_BINARY_OP_ADD_INT` at +32 (`push rbp` +32, `mov rbp, rsp` +33,
//! `pop rbp` +51, `ret` +52).

use std::process::Command;

const PROBE: &str = env!("CARGO_BIN_EXE_cpjit-debug-probe");

/// Runs the probe under `gdb -batch` with `commands`; `None` (with a
/// message) if gdb is not installed.
fn gdb(commands: &[&str], env: &[(&str, &str)]) -> Option<String> {
    if Command::new("gdb").arg("--version").output().is_err() {
        eprintln!("SKIPPED: gdb is not installed (ci/setup.sh installs it)");
        return None;
    }
    let mut cmd = Command::new("gdb");
    cmd.args(["-nx", "-batch", "-iex", "set debuginfod enabled off"]);
    cmd.args(["-iex", "set auto-load safe-path /"]);
    for c in commands {
        cmd.args(["-ex", c]);
    }
    cmd.args(["--args", PROBE, "gdb"]);
    cmd.env_remove("CPJIT_PERF_MAP").env_remove("CPJIT_JITDUMP");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("gdb runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ptrace: Operation not permitted"),
        "gdb cannot trace processes here:\n{text}"
    );
    Some(text)
}

/// The backtraces in gdb's output: one list of function names per `bt`,
/// split where frame numbers restart at #0.
fn backtraces(text: &str) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('#')) {
        let (num, rest) = line[1..].split_once(' ').unwrap_or(("", ""));
        let rest = rest.trim_start();
        let rest = match rest.split_once(" in ") {
            Some((addr, f)) if addr.starts_with("0x") => f,
            _ => rest,
        };
        let name = rest.split(" (").next().unwrap_or("").to_string();
        if num == "0" {
            all.push(Vec::new());
        }
        if let Some(bt) = all.last_mut() {
            bt.push(name);
        }
    }
    all
}

/// Asserts that `bt` has the frames `top` in a row, starting with the first
/// frame named like `top[0]` (optimised builds may show inlined frames
/// above it), and reaches `main` with every frame named.
fn assert_unwinds(bt: &[String], top: &[&str], text: &str) {
    let start = bt.iter().position(|f| f.ends_with(top[0])).unwrap_or(0);
    let bt_top = &bt[start..];
    assert!(
        bt_top.len() >= top.len() && bt_top.iter().zip(top).all(|(f, t)| f.ends_with(t)),
        "backtrace should have {top:?} in a row, got {bt:?}\n{text}"
    );
    let main = bt.iter().position(|f| f == "main");
    assert!(
        main.is_some(),
        "backtrace does not reach main: {bt:?}\n{text}"
    );
    assert!(
        !bt[..main.unwrap_or(0)].iter().any(|f| f == "??"),
        "unnamed frame before main: {bt:?}\n{text}"
    );
}

/// The value of the `n`th `print/x` (`$n = 0x...`) in gdb's output.
fn printed(text: &str, n: u32) -> Option<u64> {
    let prefix = format!("${n} = 0x");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
}

#[test]
fn bt_inside_a_helper_names_the_uop_and_reaches_main() {
    // Breakpoints at function entries (`*f`), where `$rdi` is the first
    // argument: the trampoline's address for both run_jit and unregistered.
    let Some(text) = gdb(
        &[
            "set language c",
            "break *cpjit_probe_run_jit",
            "break *cpjit_probe_helper",
            "break *cpjit_probe_unregistered",
            "run",
            "info symbol $rdi",
            "print/x $rdi",
            "continue",
            "bt",
            "continue",
            "info symbol $rdi",
            "print/x $rdi",
        ],
        &[],
    ) else {
        return;
    };
    let bts = backtraces(&text);
    assert_eq!(bts.len(), 1, "{text}");
    assert_unwinds(
        &bts[0],
        &[
            "cpjit_probe_helper",
            "cpjit:probe:1:_BINARY_OP_ADD_INT",
            "cpjit:trampoline:probe",
            "cpjit_probe_run_jit",
        ],
        &text,
    );
    // While registered, the code has symbols in an in-memory object file.
    assert!(
        text.contains("cpjit:trampoline:probe in section .text of <in-memory@"),
        "{text}"
    );
    // After the registration is dropped, the same address has none.
    assert!(text.contains("No symbol matches $rdi."), "{text}");
    assert!(printed(&text, 1).is_some(), "{text}");
    assert_eq!(printed(&text, 1), printed(&text, 2), "{text}");
}

#[test]
fn bt_unwinds_from_stencil_entries_prologues_and_epilogues() {
    let Some(text) = gdb(
        &[
            "break cpjit_probe_run_jit",
            "run",
            "set language c",
            "break *((long)$rdi+16)",
            "break *((long)$rdi+32)",
            "break *((long)$rdi+33)",
            "break *((long)$rdi+51)",
            "break *((long)$rdi+52)",
            "continue",
            "bt",
            "continue",
            "bt",
            "continue",
            "bt",
            "continue",
            "bt",
            "continue",
            "bt",
        ],
        &[],
    ) else {
        return;
    };
    let bts = backtraces(&text);
    assert_eq!(bts.len(), 5, "{text}");
    let tops = [
        "cpjit:probe:1:_LOAD_FAST",
        "cpjit:probe:1:_BINARY_OP_ADD_INT",
        "cpjit:probe:1:_BINARY_OP_ADD_INT",
        "cpjit:probe:1:_BINARY_OP_ADD_INT",
        "cpjit:probe:1:_BINARY_OP_ADD_INT",
    ];
    for (bt, top) in bts.iter().zip(tops) {
        assert_unwinds(
            bt,
            &[top, "cpjit:trampoline:probe", "cpjit_probe_run_jit"],
            &text,
        );
    }
}

#[test]
fn without_registration_gdb_cannot_name_jit_frames() {
    // The control: the same stop with CPJIT_GDB=0 shows `??`, so the test
    // above passes because of the registration.
    let Some(text) = gdb(
        &["set language c", "break *cpjit_probe_helper", "run", "bt 8"],
        &[("CPJIT_GDB", "0")],
    ) else {
        return;
    };
    let bts = backtraces(&text);
    assert_eq!(bts.len(), 1, "{text}");
    assert!(
        !text.contains("cpjit:probe:1:_BINARY_OP_ADD_INT ("),
        "{text}"
    );
    let helper = bts[0]
        .iter()
        .position(|f| f.ends_with("cpjit_probe_helper"));
    let caller = helper.and_then(|h| bts[0].get(h + 1));
    assert_eq!(caller.map(String::as_str), Some("??"), "{text}");
}
