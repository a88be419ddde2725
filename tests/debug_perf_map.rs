//! The perf map holds exactly the registered ranges: checked on the probe
//! (a separate process writing `/tmp/perf-PID.map` because
//! `CPJIT_PERF_MAP=1`) and in-process with many threads writing one map.

use cpjit::jit::debug::perf_map::{parse_line, PerfMap};
use cpjit::jit::debug::{register_with, CodeRange, CodeRegion, DebugConfig};
use std::collections::BTreeSet;
use std::process::Command;

const PROBE: &str = env!("CARGO_BIN_EXE_cpjit-debug-probe");

/// Parses perf-map lines, failing on any malformed line.
fn parse(text: &str) -> Vec<(u64, usize, String)> {
    text.lines()
        .map(|l| {
            let (a, s, n) = parse_line(l).unwrap_or_else(|| panic!("malformed line {l:?}"));
            (a, s, n.to_string())
        })
        .collect()
}

#[test]
fn probe_writes_its_ranges_to_tmp_perf_pid_map() {
    let child = Command::new(PROBE)
        .arg("gdb")
        .env("CPJIT_PERF_MAP", "1")
        .env("CPJIT_GDB", "0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("probe starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("probe runs");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The probe prints its ranges (from its own code layout) first.
    let expected = parse(&stdout.lines().take(3).collect::<Vec<_>>().join("\n"));
    let path = format!("/tmp/perf-{pid}.map");
    let map = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::fs::remove_file(&path).ok();
    let got = parse(&map);
    assert_eq!(got, expected);
    let names: Vec<_> = got.iter().map(|(_, _, n)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "cpjit:trampoline:probe",
            "cpjit:probe:1:_LOAD_FAST",
            "cpjit:probe:1:_BINARY_OP_ADD_INT"
        ]
    );
    // Ranges do not overlap and lie in one page of code.
    for w in got.windows(2) {
        assert!(w[0].0 + w[0].1 as u64 <= w[1].0, "{got:?}");
    }
}

#[test]
fn threads_writing_one_map_keep_every_range_exact() {
    let path = std::env::temp_dir().join(format!("cpjit-perf-map-test-{}.map", std::process::id()));
    let map = PerfMap::create(&path).unwrap();
    let codes: Vec<Vec<u8>> = (0..8).map(|i| vec![0x90; 64 + i]).collect();
    let mut expected = BTreeSet::new();
    std::thread::scope(|s| {
        for (t, code) in codes.iter().enumerate() {
            let map = &map;
            s.spawn(move || {
                for e in 0..20 {
                    let ranges = [
                        CodeRange::trampoline(0, 16, &format!("t{t}e{e}")),
                        CodeRange::uop(16, 0, "f", 1, "_NOP"),
                        CodeRange::uop(16, 40 + t, "f", e, "_LOAD_FAST"),
                    ];
                    map.write_region(&CodeRegion::new("r", code, &ranges))
                        .unwrap();
                }
            });
        }
    });
    for (t, code) in codes.iter().enumerate() {
        let base = code.as_ptr() as u64;
        for e in 0..20 {
            expected.insert((base, 16, format!("cpjit:trampoline:t{t}e{e}")));
            expected.insert((base + 16, 40 + t, format!("cpjit:f:{e}:_LOAD_FAST")));
        }
    }
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let got = parse(&text);
    assert_eq!(got.len(), expected.len(), "zero-size ranges get no line");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn register_rejects_ranges_outside_the_code() {
    let code = [0u8; 8];
    let ranges = [CodeRange::new(4, 8, "too long")];
    let config = DebugConfig {
        perf_map: true,
        jitdump: false,
        gdb: true,
    };
    let err = register_with(&CodeRegion::new("r", &code, &ranges), config).unwrap_err();
    assert!(err.to_string().contains("too long"), "{err}");
}
