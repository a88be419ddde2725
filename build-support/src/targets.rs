//! The seven targets of the seed and how stencils are compiled for each.
//!
//! [`TARGETS`] is the one table of per-target choices. Why these:
//!
//! | triple | format | default cc | code model | reloc mode | hole values reached by |
//! |---|---|---|---|---|---|
//! | `x86_64-unknown-linux-gnu` | ELF | `ghc` | medium | static | `movabs` immediate (`R_X86_64_64`), `u32` holes as `mov $imm32` (`R_X86_64_32`); jumps `jmp rel32` (`PLT32`) |
//! | `aarch64-unknown-linux-gnu` | ELF | `preserve_none` | large | static | `movz`/`movk` (`MOVW_UABS_G0..G3`); jumps `b` (`JUMP26`) |
//! | `x86_64-apple-darwin` | Mach-O | `ghc` | small | PIC | GOT load (`GOT_LOAD`), GOT synthesized in data; jumps `BRANCH` |
//! | `aarch64-apple-darwin` | Mach-O | `preserve_none` | small | PIC | GOT load (`GOT_LOAD_PAGE21`/`PAGEOFF12`); jumps `BRANCH26` |
//! | `x86_64-pc-windows-msvc` | COFF | `ghc` | small | PIC | `dllimport` slot (`REL32` to `__imp_*`), GOT synthesized; jumps `REL32` |
//! | `aarch64-pc-windows-msvc` | COFF | `preserve_none` | small | PIC | `dllimport` slot (`PAGEBASE_REL21`/`PAGEOFFSET_12L`); jumps `BRANCH26` |
//! | `i686-pc-windows-msvc` | COFF | `ghc` | small | static | 32-bit immediate (`DIR32`); jumps `REL32` (wraps: reaches everything) |
//!
//! * Hole values (`_JIT_OPARG`, ...) are arbitrary numbers, so they must
//!   never be reached PC-relatively: either an absolute immediate in the code
//!   (smallest and fastest where the format allows it: ELF and i686) or a
//!   load from a GOT slot in the data stencil (Mach-O forces PIC; COFF x86-64
//!   has no 64-bit immediate in the medium model and AArch64 COFF no large
//!   model). The harvester synthesizes the GOT.
//! * Narrowed holes (`narrow_holes`): the holes whose values are `u32` in
//!   the trace format (`_JIT_OPARG`, `_JIT_TARGET`, `_JIT_EXIT_INDEX`) carry
//!   `!absolute_symbol [0, 2^32)`, so x86-64 ELF reaches them with a 5-byte
//!   `mov $imm32, %r32` (`R_X86_64_32`, zero-extending) instead of a 10-byte
//!   `movabs`: 78,323 -> 75,201 B of stencil code. Only there: AArch64 ELF
//!   keeps its `movz`/`movk` pieces (LLVM 19 still emits `G0..G2` for the
//!   range, no gain), Mach-O and COFF x86-64/AArch64 reach values through
//!   GOT slots (a hidden absolute symbol becomes PC-relative `adrp` on
//!   AArch64 Mach-O/COFF), and i686 is 32-bit already. Operands and
//!   pointers stay 64-bit everywhere. The runtime's `Abs32` patch refuses a
//!   value above `u32::MAX` with a typed error.
//! * Jumps between stencils are always direct (`jmp rel32`/`b`), so the last
//!   one can be dropped when it falls through to `_JIT_CONTINUE`.
//! * Cold blocks (`split_cold`): on x86-64 ELF only, a stencil's cold
//!   blocks (guard failures, exits) are split off into its data stencil, so
//!   its hot path falls through to the next stencil; elsewhere they stay
//!   after the hot path. The table and the reasons: [`crate::cold`].
//! * Runtime helpers are called through a pointer slot the templates put in
//!   the data stencil, on every target, so they work wherever JIT memory is.
//! * Calling conventions: `ghc` on x86-64, because it measured fastest:
//!   12% less `--tier jit` time than `preserve_none` (geometric mean over
//!   the eleven benchmarks, 0.880x; BENCHMARKS.md "Calling conventions",
//!   run on 0381215) and 14% less code (2,915 against 3,403 bytes for the
//!   host's 49 stencils). Its state registers (R13, RBP, R12) are the ones
//!   C helpers preserve, so a stencil calling a helper saves nothing, and
//!   no frame pointer is set up around a stencil's few instructions. The
//!   trade-off: GHC passes an argument in RBP, so JIT code keeps no
//!   frame-pointer chain (`--call-graph fp` profiles stop in JIT code);
//!   gdb still unwinds exactly through the CFI the JIT registers, and
//!   `--cc preserve-none` (`CPJIT_STENCIL_CC=preserve-none`) gives frame
//!   pointers back. i686 uses `ghc` too (EBX, EBP, ESI...), as the seed
//!   did: LLVM 19 has no register-based `preserve_none` there (it falls
//!   back to stack arguments, measured: every stencil reloads and stores
//!   its three arguments). AArch64 uses `preserve_none` (X20...: callee-
//!   clobbered registers, frame pointers kept): `ghc` with `musttail`
//!   aborts LLVM on AArch64, so it is refused there before LLVM sees it.
//!   Frame pointers are kept except under `ghc` on x86, which passes
//!   arguments in RBP/EBP. Code size per target and convention, measured
//!   by `bench/stencils.py`, is in `bench/results/stencils.md`.

use cpjit_abi::stencil::CallConv;
use cpjit_ir_templates::{TemplateOptions, ValueAccess};
use inkwell::targets::{CodeModel, RelocMode};

/// Object file format of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// ELF (Linux).
    Elf,
    /// Mach-O (macOS).
    MachO,
    /// COFF (Windows).
    Coff,
}

/// Instruction set of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64.
    X86_64,
    /// AArch64.
    Aarch64,
    /// 32-bit x86.
    I686,
}

/// One target's compilation choices (see the module table).
#[derive(Clone, Copy, Debug)]
pub struct TargetSpec {
    /// LLVM target triple.
    pub triple: &'static str,
    /// Object format.
    pub format: Format,
    /// Instruction set.
    pub arch: Arch,
    /// Calling convention used when none is asked for.
    pub default_cc: CallConv,
    /// LLVM code model.
    pub code_model: CodeModel,
    /// LLVM relocation model.
    pub reloc_mode: RelocMode,
    /// How templates reach hole values and runtime data.
    pub value_access: ValueAccess,
    /// Whether the `u32` holes (`_JIT_OPARG`, `_JIT_TARGET`,
    /// `_JIT_EXIT_INDEX`) are declared 32-bit ([`TemplateOptions::narrow_holes`]).
    pub narrow_holes: bool,
    /// Whether stencils' cold blocks are split off and harvested into the
    /// data stencil ([`TemplateOptions::split_cold`], [`crate::cold`]).
    pub split_cold: bool,
}

/// The seed's seven targets. The one table of per-target choices.
pub const TARGETS: &[TargetSpec] = &[
    TargetSpec {
        triple: "x86_64-unknown-linux-gnu",
        format: Format::Elf,
        arch: Arch::X86_64,
        default_cc: CallConv::Ghc,
        code_model: CodeModel::Medium,
        reloc_mode: RelocMode::Static,
        value_access: ValueAccess::Hidden,
        split_cold: true,
        narrow_holes: true,
    },
    TargetSpec {
        triple: "aarch64-unknown-linux-gnu",
        format: Format::Elf,
        arch: Arch::Aarch64,
        default_cc: CallConv::PreserveNone,
        code_model: CodeModel::Large,
        reloc_mode: RelocMode::Static,
        value_access: ValueAccess::Hidden,
        split_cold: false,
        narrow_holes: false,
    },
    TargetSpec {
        triple: "x86_64-apple-darwin",
        format: Format::MachO,
        arch: Arch::X86_64,
        default_cc: CallConv::Ghc,
        code_model: CodeModel::Small,
        reloc_mode: RelocMode::PIC,
        value_access: ValueAccess::Default,
        split_cold: false,
        narrow_holes: false,
    },
    TargetSpec {
        triple: "aarch64-apple-darwin",
        format: Format::MachO,
        arch: Arch::Aarch64,
        default_cc: CallConv::PreserveNone,
        code_model: CodeModel::Small,
        reloc_mode: RelocMode::PIC,
        value_access: ValueAccess::Default,
        split_cold: false,
        narrow_holes: false,
    },
    TargetSpec {
        triple: "x86_64-pc-windows-msvc",
        format: Format::Coff,
        arch: Arch::X86_64,
        default_cc: CallConv::Ghc,
        code_model: CodeModel::Small,
        reloc_mode: RelocMode::PIC,
        value_access: ValueAccess::DllImport,
        split_cold: false,
        narrow_holes: false,
    },
    TargetSpec {
        triple: "aarch64-pc-windows-msvc",
        format: Format::Coff,
        arch: Arch::Aarch64,
        default_cc: CallConv::PreserveNone,
        code_model: CodeModel::Small,
        reloc_mode: RelocMode::PIC,
        value_access: ValueAccess::DllImport,
        split_cold: false,
        narrow_holes: false,
    },
    TargetSpec {
        triple: "i686-pc-windows-msvc",
        format: Format::Coff,
        arch: Arch::I686,
        default_cc: CallConv::Ghc,
        code_model: CodeModel::Small,
        reloc_mode: RelocMode::Static,
        value_access: ValueAccess::Hidden,
        split_cold: false,
        narrow_holes: false,
    },
];

/// A target or convention that cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Not one of the seven.
    #[error("unknown target {0:?}; known targets: {known}", known = known_triples())]
    Unknown(String),
    /// `ghc` with `musttail` makes LLVM abort the process on AArch64.
    #[error(
        "the ghc calling convention is not supported on {0}: LLVM 19 aborts on ghccc musttail calls \
         on AArch64; use preserve-none or c"
    )]
    GhcOnAarch64(&'static str),
    /// No host target in the table.
    #[error("the host {0:?} is not one of the supported targets")]
    UnsupportedHost(String),
}

fn known_triples() -> String {
    TARGETS
        .iter()
        .map(|t| t.triple)
        .collect::<Vec<_>>()
        .join(", ")
}

impl TargetSpec {
    /// Looks a target up by triple.
    pub fn lookup(triple: &str) -> Result<&'static TargetSpec, TargetError> {
        TARGETS
            .iter()
            .find(|t| t.triple == triple)
            .ok_or_else(|| TargetError::Unknown(triple.to_owned()))
    }

    /// The template options for convention `cc`, or an error when the
    /// combination cannot be compiled. Checked before LLVM is touched.
    pub fn options(&self, cc: CallConv) -> Result<TemplateOptions, TargetError> {
        if cc == CallConv::Ghc && self.arch == Arch::Aarch64 {
            return Err(TargetError::GhcOnAarch64(self.triple));
        }
        let ghc_on_x86 = cc == CallConv::Ghc && matches!(self.arch, Arch::X86_64 | Arch::I686);
        Ok(TemplateOptions {
            cc,
            frame_pointers: !ghc_on_x86,
            value_access: self.value_access,
            narrow_holes: self.narrow_holes,
            split_cold: self.split_cold,
        })
    }

    /// Size of a pointer (and of a GOT slot) in bytes.
    pub fn pointer_size(&self) -> u32 {
        match self.arch {
            Arch::I686 => 4,
            Arch::X86_64 | Arch::Aarch64 => 8,
        }
    }

    /// Prefix the object format adds to C symbol names.
    pub fn symbol_prefix(&self) -> &'static str {
        match (self.format, self.arch) {
            (Format::MachO, _) | (Format::Coff, Arch::I686) => "_",
            _ => "",
        }
    }

    /// The file name the writer uses for this target.
    pub fn file_name(&self) -> String {
        format!("{}.rs", self.triple)
    }
}

/// Parses a convention as the command line spells it.
pub fn parse_cc(s: &str) -> Option<CallConv> {
    match s {
        "preserve-none" | "preserve_none" => Some(CallConv::PreserveNone),
        "ghc" => Some(CallConv::Ghc),
        "c" => Some(CallConv::C),
        _ => None,
    }
}

/// A convention as the command line spells it.
pub fn cc_name(cc: CallConv) -> &'static str {
    match cc {
        CallConv::PreserveNone => "preserve-none",
        CallConv::Ghc => "ghc",
        CallConv::C => "c",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ghc_on_aarch64_is_refused_and_elsewhere_accepted() {
        for t in TARGETS {
            let r = t.options(CallConv::Ghc);
            match t.arch {
                Arch::Aarch64 => assert!(matches!(r, Err(TargetError::GhcOnAarch64(_)))),
                _ => assert!(!r.expect("ghc on x86").frame_pointers),
            }
            assert!(
                t.options(CallConv::PreserveNone)
                    .expect("preserve_none")
                    .frame_pointers
            );
        }
    }

    #[test]
    fn every_default_convention_is_accepted_and_aarch64_never_defaults_to_ghc() {
        for t in TARGETS {
            let opts = t
                .options(t.default_cc)
                .expect("a target's default compiles");
            match t.arch {
                Arch::Aarch64 => assert_eq!(t.default_cc, CallConv::PreserveNone, "{}", t.triple),
                // Measured faster and smaller on x86-64 (BENCHMARKS.md); no
                // register-based preserve_none on i686.
                Arch::X86_64 | Arch::I686 => {
                    assert_eq!(t.default_cc, CallConv::Ghc, "{}", t.triple);
                    assert!(!opts.frame_pointers, "ghc passes arguments in rbp/ebp");
                }
            }
        }
    }

    #[test]
    fn lookup_knows_the_seven_and_rejects_others() {
        assert_eq!(TARGETS.len(), 7);
        for t in TARGETS {
            assert_eq!(
                TargetSpec::lookup(t.triple).map(|s| s.triple).ok(),
                Some(t.triple)
            );
        }
        let err = TargetSpec::lookup("riscv64-unknown-linux-gnu")
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().contains("riscv64"));
    }

    #[test]
    fn narrowed_holes_only_where_they_are_32_bit_immediates() {
        for t in TARGETS {
            let immediate = t.arch == Arch::X86_64
                && t.format == Format::Elf
                && t.value_access == ValueAccess::Hidden;
            assert!(!t.narrow_holes || immediate, "{}", t.triple);
            let opts = t.options(t.default_cc).expect("default compiles");
            assert_eq!(opts.narrow_holes, t.narrow_holes, "{}", t.triple);
        }
    }

    #[test]
    fn cc_names_round_trip() {
        for cc in [CallConv::PreserveNone, CallConv::Ghc, CallConv::C] {
            assert_eq!(parse_cc(cc_name(cc)), Some(cc));
        }
        assert_eq!(parse_cc("fastcc"), None);
    }
}
