//! `CPJIT_JITDUMP=1` makes the probe write `/tmp/jit-PID.dump` with one
//! code-load record per registered range: its name, its run-time address
//! and its machine code.

use cpjit::jit::debug::perf_map::parse_line;
use std::process::Command;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[test]
fn probe_writes_a_record_per_range_with_its_code() {
    let child = Command::new(env!("CARGO_BIN_EXE_cpjit-debug-probe"))
        .arg("gdb")
        .env("CPJIT_JITDUMP", "1")
        .env("CPJIT_GDB", "0")
        .env_remove("CPJIT_PERF_MAP")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("probe starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("probe runs");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected: Vec<(u64, usize, String)> = stdout
        .lines()
        .take(3)
        .map(|l| {
            let (a, s, n) = parse_line(l).expect("perf-map line");
            (a, s, n.to_string())
        })
        .collect();
    let path = format!("/tmp/jit-{pid}.dump");
    let b = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::fs::remove_file(&path).ok();
    assert_eq!(u32_at(&b, 0), 0x4A69_5444, "magic");
    assert_eq!(u32_at(&b, 20), pid, "pid in header");
    let mut at = u32_at(&b, 8) as usize;
    let mut got = Vec::new();
    while at < b.len() {
        assert_eq!(u32_at(&b, at), 0, "JIT_CODE_LOAD");
        let total = u32_at(&b, at + 4) as usize;
        let (vma, code_addr, size) = (
            u64_at(&b, at + 24),
            u64_at(&b, at + 32),
            u64_at(&b, at + 40),
        );
        assert_eq!(vma, code_addr);
        let name_at = at + 56;
        let nul = b[name_at..].iter().position(|&c| c == 0).unwrap();
        let name = String::from_utf8(b[name_at..name_at + nul].to_vec()).unwrap();
        let code = &b[name_at + nul + 1..at + total];
        assert_eq!(code.len() as u64, size);
        got.push((code_addr, code.to_vec(), name));
        at += total;
    }
    assert_eq!(at, b.len());
    let summary: Vec<_> = got
        .iter()
        .map(|(a, c, n)| (*a, c.len(), n.clone()))
        .collect();
    assert_eq!(summary, expected);
    // The trampoline's code is the probe's: push rbp; mov rbp, rsp; call.
    assert_eq!(&got[0].1[..5], &[0x55, 0x48, 0x89, 0xe5, 0xe8]);
}
