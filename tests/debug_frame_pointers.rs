//! Frame pointers stay intact through JIT code: from a helper called by a
//! stencil, the chain of frame records (stencil → trampoline) reaches the
//! Rust function that entered the trace. Runs `cpjit-debug-probe fp`,
//! whose stencil passes its frame pointer to the helper.

use std::process::Command;

#[test]
fn frame_pointer_chain_from_jit_code_reaches_the_rust_caller() {
    if !cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        eprintln!("SKIPPED: the probe's machine code is x86-64 Linux only");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cpjit-debug-probe"))
        .arg("fp")
        .env("CPJIT_GDB", "0")
        .output()
        .expect("probe runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Record 0 is the stencil's frame (returns into the trampoline),
    // record 1 the trampoline's (returns into cpjit_probe_run_jit).
    assert!(
        stdout.contains("frame-pointer chain reaches cpjit_probe_run_jit at record 1"),
        "{stdout}"
    );
    // The first record's return address lies in the trampoline, the first
    // range the probe printed.
    let trampoline = stdout
        .lines()
        .next()
        .and_then(cpjit::jit::debug::perf_map::parse_line);
    let first_ra = stdout
        .lines()
        .find_map(|l| l.split_once("return address 0x"))
        .and_then(|(_, a)| u64::from_str_radix(a, 16).ok());
    match (trampoline, first_ra) {
        (Some((start, size, name)), Some(ra)) => {
            assert_eq!(name, "cpjit:trampoline:probe");
            assert!((start..start + size as u64).contains(&ra), "{stdout}");
        }
        _ => panic!("unexpected probe output:\n{stdout}"),
    }
}
