//! The input hash recorded in every generated file's header: SHA-256 of the
//! templates' IR (as built for the target, before optimization), the target,
//! the calling convention, the LLVM version and the generator's own sources.
//! Equal hash, equal output: `build.rs` and `--check` skip work on it.

use cpjit_abi::stencil::CallConv;
use cpjit_ir_templates::Template;
use inkwell::context::Context;
use sha2::{Digest, Sha256};

use crate::compile::{build_module, llvm_version, target_machine, CompileError};
use crate::targets::{cc_name, TargetSpec};

/// The generator's sources: a change to harvesting or writing changes the hash.
const GENERATOR_SOURCES: &[&str] = &[
    include_str!("stencils.rs"),
    include_str!("relocs.rs"),
    include_str!("got.rs"),
    include_str!("writer.rs"),
    include_str!("emit_fns.rs"),
    include_str!("disasm.rs"),
    include_str!("compile.rs"),
    include_str!("targets.rs"),
    include_str!("cold.rs"),
];

/// Computes the input hash for `spec` and `cc`, as `sha256:<hex>`.
pub fn input_hash(spec: &TargetSpec, cc: CallConv) -> Result<String, CompileError> {
    let tm = target_machine(spec)?;
    let ctx = Context::create();
    let mut h = Sha256::new();
    let (major, minor, patch) = llvm_version();
    let mut field = |label: &str, value: &[u8]| {
        h.update(label.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    field("target", spec.triple.as_bytes());
    field("cc", cc_name(cc).as_bytes());
    field("llvm", format!("{major}.{minor}.{patch}").as_bytes());
    field(
        "code-model",
        format!("{:?}/{:?}", spec.code_model, spec.reloc_mode).as_bytes(),
    );
    for src in GENERATOR_SOURCES {
        field("source", src.as_bytes());
    }
    for template in Template::all() {
        let module = build_module(&ctx, &tm, spec, cc, template)?;
        field(template.name(), module.print_to_string().to_bytes());
    }
    Ok(format!("sha256:{:x}", h.finalize()))
}

/// Reads the input hash from a generated file's header, if it has one.
pub fn hash_in_header(source: &str) -> Option<&str> {
    source
        .lines()
        .take(20)
        .find_map(|l| l.strip_prefix("// input hash: "))
        .map(str::trim)
}
