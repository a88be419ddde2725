//! Generates the host's stencils into `OUT_DIR/host_stencils.rs` with
//! build-support (LLVM is a build dependency only: the `cpjit` binary does
//! not link it). Skips the work when the file there already records the same
//! input hash. `CPJIT_STENCIL_CC=preserve-none|ghc|c` picks the convention.

use std::path::PathBuf;

use cpjit_build_support::targets::{parse_cc, TargetSpec};
use cpjit_build_support::{generate, hash, Request};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CPJIT_STENCIL_CC");
    if let Err(e) = run() {
        eprintln!("error: cannot generate the host's stencils: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let triple = std::env::var("TARGET").map_err(|_| "TARGET is not set")?;
    let spec = TargetSpec::lookup(&triple).map_err(|e| e.to_string())?;
    let cc = match std::env::var("CPJIT_STENCIL_CC") {
        Ok(s) if !s.is_empty() => parse_cc(&s)
            .ok_or_else(|| format!("CPJIT_STENCIL_CC={s:?}: use preserve-none, ghc or c"))?,
        _ => spec.default_cc,
    };
    let path = out.join("host_stencils.rs");
    let want = hash::input_hash(spec, cc).map_err(|e| e.to_string())?;
    let have = std::fs::read_to_string(&path).ok();
    if have.as_deref().and_then(hash::hash_in_header) == Some(want.as_str()) {
        return Ok(());
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let generated =
        generate(&[Request { spec, cc }], workers, &|_| {}).map_err(|e| e.to_string())?;
    let text = generated.first().ok_or("nothing generated")?.render();
    let tmp = path.with_extension("rs.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
