//! Run-time disassembly of JIT code, without LLVM.
//!
//! x86-64 is decoded with the pure-Rust `iced-x86` decoder and printed in
//! AT&T syntax, like LLVM's disassembly in the generated stencil files.
//! [`render_executor`] shows an installed executor's final machine code
//! (after patching, at the addresses where it runs) split per uop; it is
//! what `--dump-traces` prints. Other architectures are reported as
//! [`DisasmError::UnsupportedArch`].

use crate::jit::executor::Executor;
use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter};
use std::fmt::Write as _;

/// Why code cannot be disassembled or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisasmError {
    /// No decoder for this architecture.
    #[error("no disassembler for {0} in this build (only x86_64)")]
    UnsupportedArch(&'static str),
    /// The names given do not match the executor's uops.
    #[error("the executor has {expected} uops but {got} names were given")]
    NameCount {
        /// Uops in the executor.
        expected: usize,
        /// Names given.
        got: usize,
    },
}

/// One decoded instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedInstruction {
    /// Its address.
    pub address: u64,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its text in AT&T syntax (`(bad)` if invalid).
    pub text: String,
    /// Whether the bytes are not a valid instruction.
    pub invalid: bool,
}

/// Decodes x86-64 `code` as if it started at `address`.
pub fn decode_x86_64(code: &[u8], address: u64) -> Vec<DecodedInstruction> {
    let mut decoder = Decoder::with_ip(64, code, address, DecoderOptions::NONE);
    let mut formatter = GasFormatter::new();
    formatter.options_mut().set_uppercase_hex(false);
    formatter.options_mut().set_branch_leading_zeros(false);
    let mut out = Vec::new();
    while decoder.can_decode() {
        let ins = decoder.decode();
        let start = (ins.ip() - address) as usize;
        let end = (start + ins.len()).min(code.len());
        let invalid = ins.is_invalid();
        let mut text = String::new();
        if invalid {
            text.push_str("(bad)");
        } else {
            formatter.format(&ins, &mut text);
        }
        out.push(DecodedInstruction {
            address: ins.ip(),
            bytes: code[start..end].to_vec(),
            text,
            invalid,
        });
    }
    out
}

/// Decodes host machine code at `address`.
pub fn decode_host(code: &[u8], address: u64) -> Result<Vec<DecodedInstruction>, DisasmError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(decode_x86_64(code, address)),
        other => Err(DisasmError::UnsupportedArch(other)),
    }
}

/// Renders decoded instructions, one a line: address, bytes, text.
pub fn render_instructions(instructions: &[DecodedInstruction]) -> String {
    let mut out = String::new();
    for i in instructions {
        let bytes: Vec<String> = i.bytes.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(
            out,
            "  {:#014x}: {:<30} {}",
            i.address,
            bytes.join(" "),
            i.text
        );
    }
    out
}

/// Renders an installed executor's final machine code, split per piece:
/// the trampoline, then each uop under `; <index> <name>` with `names[i]`
/// naming uop `i` of the trace (e.g. `Uop::name`, or a richer label), then
/// `_FATAL_ERROR`.
pub fn render_executor(executor: &Executor, names: &[&str]) -> Result<String, DisasmError> {
    let pieces = executor.code_pieces();
    let uops = pieces.len().saturating_sub(2);
    if names.len() != uops {
        return Err(DisasmError::NameCount {
            expected: uops,
            got: names.len(),
        });
    }
    let code = executor.code_bytes();
    let base = executor.jit_code() as u64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "executor at {base:#x}: {uops} uops, {} bytes of code",
        code.len()
    );
    for (i, &(offset, size)) in pieces.iter().enumerate() {
        let label = match i {
            0 => "_ENTRY (trampoline)".to_string(),
            i if i == pieces.len() - 1 => "_FATAL_ERROR".to_string(),
            i => format!("{} {}", i - 1, names[i - 1]),
        };
        let _ = writeln!(out, "; {label}: {size} bytes at +{offset:#x}");
        let bytes = code.get(offset..offset + size).unwrap_or(&[]);
        out.push_str(&render_instructions(&decode_host(
            bytes,
            base + offset as u64,
        )?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_bytes_and_flags_garbage() {
        // push %rbp; mov %rsp,%rbp; ret
        let d = decode_x86_64(&[0x55, 0x48, 0x89, 0xe5, 0xc3], 0x1000);
        let texts: Vec<&str> = d.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["push %rbp", "mov %rsp,%rbp", "ret"]);
        assert_eq!(d[1].address, 0x1001);
        assert!(d.iter().all(|i| !i.invalid));
        let bad = decode_x86_64(&[0x06], 0);
        assert!(bad[0].invalid, "{bad:?}");
    }
}
