//! Run-time disassembly of JIT code, without LLVM.
//!
//! x86-64 is decoded with the pure-Rust `iced-x86` decoder and printed in
//! AT&T syntax, like LLVM's disassembly in the generated stencil files.
//! [`render_executor`] shows an installed executor's final machine code
//! (after patching, at the addresses where it runs) split per uop; it is
//! what `--dump-traces` prints; [`render_executor_with`] also names the
//! values the code uses (branch targets, patched data, helper addresses).
//! Other architectures are reported as [`DisasmError::UnsupportedArch`].

use crate::jit::executor::Executor;
use cpjit_abi::stencil::Hole;
use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, OpKind};
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
    /// Addresses and values the instruction uses, in operand order.
    pub references: Vec<Reference>,
}

/// A value an instruction uses that may name something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// A 64-bit immediate operand: on x86-64 that is a patched hole
    /// (`movabs` of a helper's address, an oparg, an operand).
    Immediate64(u64),
    /// A smaller immediate operand.
    Immediate(u64),
    /// The target of a direct jump or call.
    Branch(u64),
    /// The address of a RIP-relative memory operand.
    Memory(u64),
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
        let mut references = Vec::new();
        if !invalid {
            for k in 0..ins.op_count() {
                let r = match ins.op_kind(k) {
                    OpKind::Immediate64 => Reference::Immediate64(ins.immediate(k)),
                    OpKind::Immediate8to64
                    | OpKind::Immediate32to64
                    | OpKind::Immediate32
                    | OpKind::Immediate16
                    | OpKind::Immediate8 => Reference::Immediate(ins.immediate(k)),
                    OpKind::NearBranch64 => Reference::Branch(ins.near_branch_target()),
                    OpKind::Memory if ins.is_ip_rel_memory_operand() => {
                        Reference::Memory(ins.ip_rel_memory_address())
                    }
                    _ => continue,
                };
                references.push(r);
            }
        }
        out.push(DecodedInstruction {
            address: ins.ip(),
            bytes: code[start..end].to_vec(),
            text,
            invalid,
            references,
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
    render_annotated(instructions, &|_| Vec::new())
}

/// [`render_instructions`], with a `# note; note` comment after each
/// instruction `notes` has something to say about.
fn render_annotated(
    instructions: &[DecodedInstruction],
    notes: &dyn Fn(&DecodedInstruction) -> Vec<String>,
) -> String {
    let mut out = String::new();
    for i in instructions {
        let bytes: Vec<String> = i.bytes.iter().map(|b| format!("{b:02x}")).collect();
        let line = format!("  {:#014x}: {:<30} {}", i.address, bytes.join(" "), i.text);
        let n = notes(i);
        if n.is_empty() {
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "{line:<80} # {}", n.join("; "));
        }
    }
    out
}

/// Renders an installed executor's final machine code, split per piece:
/// the trampoline, then each uop under `; <index> <name>` with `names[i]`
/// naming uop `i` of the trace (e.g. `Uop::name`, or a richer label), then
/// `_FATAL_ERROR`.
pub fn render_executor(executor: &Executor, names: &[&str]) -> Result<String, DisasmError> {
    render_executor_with(executor, names, &|_, _| None)
}

/// [`render_executor`], with a comment naming what each instruction uses:
/// a branch into the executor names the piece (`-> 3 _GUARD_BOTH_INT`), an
/// address in the executor's data shows the patched value there
/// (`[+0xa98] = 0x...`, at that offset of the block), and any value (64-bit
/// immediate, branch target or data) `name(piece, value)` recognizes gets
/// its name, e.g. a helper. The
/// piece passed is `None` for the trampoline and the fatal-error guard, else
/// the uop's index.
pub fn render_executor_with(
    executor: &Executor,
    names: &[&str],
    name: &dyn Fn(Option<usize>, u64) -> Option<String>,
) -> Result<String, DisasmError> {
    render_executor_annotated(
        executor,
        names,
        &Annotations {
            holes: &|_| &[],
            hole: &|_, _| None,
            value: name,
        },
    )
}

/// What [`render_executor_annotated`] says about an executor's code beyond
/// its bytes. A piece is numbered as in `Executor::code_pieces`: 0 the
/// trampoline, `1 + i` uop `i`, the last the fatal-error guard; the uop
/// index passed to the namers is `None` for the trampoline and the guard.
pub struct Annotations<'a> {
    /// The code holes of the stencil piece `k` was copied from: where the
    /// emitter patched it (offsets from the piece's start) and with what.
    pub holes: &'a dyn Fn(usize) -> &'static [Hole],
    /// Names a hole of a uop by what it was patched with (e.g. its oparg's
    /// local); `None` leaves it unnamed.
    pub hole: &'a dyn Fn(Option<usize>, &Hole) -> Option<String>,
    /// Names a value an instruction uses, as `name` in
    /// [`render_executor_with`].
    pub value: &'a dyn Fn(Option<usize>, u64) -> Option<String>,
}

/// [`render_executor_with`], also naming each patched hole by its place in
/// the stencil: an instruction whose bytes hold a hole gets
/// `annotations.hole`'s name for it, whatever the hole's width (a 64-bit
/// `movabs`, a 32-bit immediate, a displacement), so a narrowed oparg is
/// named as well as a wide one.
pub fn render_executor_annotated(
    executor: &Executor,
    names: &[&str],
    annotations: &Annotations<'_>,
) -> Result<String, DisasmError> {
    let name = annotations.value;
    let pieces = executor.code_pieces();
    let uops = pieces.len().saturating_sub(2);
    if names.len() != uops {
        return Err(DisasmError::NameCount {
            expected: uops,
            got: names.len(),
        });
    }
    let code = executor.code_bytes();
    let block = executor.block_bytes();
    let base = executor.jit_code() as u64;
    let piece_at = |addr: u64| -> Option<(usize, u64)> {
        let off = addr.checked_sub(base)? as usize;
        pieces
            .iter()
            .position(|&(o, s)| off >= o && off < o + s)
            .map(|k| (k, (off - pieces[k].0) as u64))
    };
    let piece_label = |k: usize| match k {
        0 => "_ENTRY".to_string(),
        k if k == pieces.len() - 1 => "_FATAL_ERROR".to_string(),
        k => format!("{} {}", k - 1, names[k - 1]),
    };
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
        let uop = (i > 0 && i < pieces.len() - 1).then(|| i - 1);
        let piece_start = base + offset as u64;
        let holes = (annotations.holes)(i);
        let notes = |ins: &DecodedInstruction| {
            let mut n = Vec::new();
            let start = ins.address - piece_start;
            let end = start + ins.bytes.len() as u64;
            for h in holes {
                if (start..end).contains(&u64::from(h.offset)) {
                    if let Some(s) = (annotations.hole)(uop, h) {
                        n.push(s);
                    }
                }
            }
            for r in &ins.references {
                let value = match *r {
                    Reference::Branch(t) => {
                        match piece_at(t) {
                            Some((k, 0)) if k != i => n.push(format!("-> {}", piece_label(k))),
                            Some((k, d)) if k != i => n.push(format!("-> {}+{d}", piece_label(k))),
                            _ => {}
                        }
                        t
                    }
                    Reference::Memory(a) | Reference::Immediate64(a)
                        if a >= base + code.len() as u64 && a < base + block.len() as u64 =>
                    {
                        let off = (a - base) as usize;
                        match block.get(off..off + 8) {
                            Some(b) => {
                                let mut w = [0u8; 8];
                                w.copy_from_slice(b);
                                let v = u64::from_le_bytes(w);
                                n.push(format!("[+{off:#x}] = {v:#x}"));
                                v
                            }
                            None => continue,
                        }
                    }
                    Reference::Immediate64(v) => v,
                    Reference::Memory(_) | Reference::Immediate(_) => continue,
                };
                if let Some(s) = name(uop, value) {
                    n.push(s);
                }
            }
            n
        };
        out.push_str(&render_annotated(&decode_host(bytes, piece_start)?, &notes));
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
