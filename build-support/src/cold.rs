//! The hot/cold split of stencils: a stencil's hot path falls through to the
//! next stencil, and its cold blocks (guard failures, exits, and what only
//! they reach) run from the data area, after all of a trace's code.
//!
//! Without it LLVM places a stencil's cold blocks after its hot path, so the
//! hot path ends with a jump over them to `_JIT_CONTINUE` (one taken branch
//! per uop and iteration, and cold bytes between hot ones).
//!
//! How, per target (the `split_cold` column of [`crate::targets::TARGETS`]):
//!
//! | target | split | why |
//! |---|---|---|
//! | x86-64 ELF | yes | LLVM's MachineFunctionSplitter ([`LLVM_OPTIONS`]) moves cold blocks to `.text.split.<fn>`; the templates give it profile data (`cpjit_ir_templates::profile`); hot code reaches them with `jcc rel32` (±2 GiB: anywhere in a block) |
//! | AArch64 ELF | no | LLVM 19 branches from the hot path straight into the split section with `tbz`/`tbnz` (`R_AARCH64_TSTBR14`, ±32 KiB) and `b.cond` (±1 MiB), too short for a data area placed after a whole trace's code |
//! | Mach-O, COFF | no | the splitter is ELF only |
//!
//! Where there is no split, the layout is as before: cold blocks follow
//! the hot path in the code.
//!
//! What harvesting does with the cold section ([`is_cold_section`]): it is
//! appended to the group's *data* body at its own alignment, like a data
//! section, so the runtime copies it after all code (the data area is in
//! the same block, read+execute once written: W^X holds). Relocations
//! then need nothing new: a jump from the hot path to cold code is a code
//! hole of value `Data` (plus the offset), a relocation inside the cold
//! code is a data hole (PC-relative ones patched relative to their place
//! in the data area, as every data hole), and cold code that jumps back
//! into the hot path has a `Code` hole. The stencil format and the
//! emitter are unchanged.
//!
//! Measured (host set, x86-64 ELF): `bench/results/s8-layout.md`.

use crate::targets::{Format, TargetSpec};

/// The LLVM command-line options the split needs, set once per process
/// before any compilation ([`crate::compile::initialize_llvm`]). They change
/// nothing for a function without profile data, so targets that do not
/// split (no profile data in their IR) compile as before:
///
/// * `-enable-split-machine-functions`: run the MachineFunctionSplitter
///   (it splits only functions with an entry count, by block counts).
/// * `-profile-guided-section-prefix=false`: keep the hot code in
///   `.text*` (not `.text.hot.*`), so naming is as without profile data.
pub const LLVM_OPTIONS: &[&str] = &[
    "-enable-split-machine-functions",
    "-profile-guided-section-prefix=false",
];

/// The prefix of the sections the splitter puts cold blocks in (ELF).
pub const ELF_COLD_PREFIX: &str = ".text.split.";

/// Whether the text section `name` of an object compiled for `spec` holds
/// cold blocks that go into the data stencil.
pub fn is_cold_section(spec: &TargetSpec, name: &str) -> bool {
    spec.split_cold && spec.format == Format::Elf && name.starts_with(ELF_COLD_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::{Arch, TARGETS};

    #[test]
    fn only_elf_targets_split_and_only_split_sections_are_cold() {
        for t in TARGETS {
            let split = t.format == Format::Elf && t.arch == Arch::X86_64;
            assert_eq!(t.split_cold, split, "{}", t.triple);
            assert_eq!(
                is_cold_section(t, ".text.split._JIT_ENTRY"),
                split,
                "{}",
                t.triple
            );
            for name in [".text", ".text._JIT_ENTRY", ".rodata", ".text.unlikely."] {
                assert!(!is_cold_section(t, name), "{} {name}", t.triple);
            }
        }
    }
}
