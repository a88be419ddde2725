//! Per-target relocation tables: every relocation type our templates can
//! produce on each of the seven targets, with its name (as `llvm-objdump`
//! prints it) and how it becomes a hole. One exhaustive match per object
//! format and instruction set; anything else is an error.

use cpjit_abi::stencil::HoleKind;

use crate::targets::{Arch, Format};

/// What a relocation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocClass {
    /// Patch the place with the symbol's value in this way.
    Direct(HoleKind),
    /// The place refers to a GOT slot holding the symbol's value; the hole
    /// (of this kind) is patched with the slot's address.
    Got(HoleKind),
}

/// A known relocation type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelocType {
    /// Name as `llvm-objdump -r` prints it.
    pub name: &'static str,
    /// What it does.
    pub class: RelocClass,
}

const fn direct(name: &'static str, kind: HoleKind) -> Option<RelocType> {
    Some(RelocType {
        name,
        class: RelocClass::Direct(kind),
    })
}

const fn got(name: &'static str, kind: HoleKind) -> Option<RelocType> {
    Some(RelocType {
        name,
        class: RelocClass::Got(kind),
    })
}

/// Looks up relocation type `r_type` of a target. `length` is Mach-O's
/// `r_length` (log2 of the size); `instruction` is the 32-bit word at the
/// place (AArch64 Mach-O's `PAGEOFF12` is an `add` or a load/store).
pub fn classify(
    format: Format,
    arch: Arch,
    r_type: u32,
    length: u8,
    instruction: u32,
) -> Option<RelocType> {
    use HoleKind::*;
    match (format, arch) {
        (Format::Elf, Arch::X86_64) => match r_type {
            1 => direct("R_X86_64_64", Abs64),
            2 => direct("R_X86_64_PC32", Rel32),
            4 => direct("R_X86_64_PLT32", Rel32),
            9 => got("R_X86_64_GOTPCREL", X86GotPcRelX),
            10 => direct("R_X86_64_32", Abs32),
            11 => direct("R_X86_64_32S", Abs32S),
            41 => got("R_X86_64_GOTPCRELX", X86GotPcRelX),
            42 => got("R_X86_64_REX_GOTPCRELX", X86GotPcRelX),
            _ => None,
        },
        (Format::Elf, Arch::Aarch64) => match r_type {
            257 => direct("R_AARCH64_ABS64", Abs64),
            263 => direct("R_AARCH64_MOVW_UABS_G0", Aarch64MovW(0)),
            264 => direct("R_AARCH64_MOVW_UABS_G0_NC", Aarch64MovW(0)),
            265 => direct("R_AARCH64_MOVW_UABS_G1", Aarch64MovW(1)),
            266 => direct("R_AARCH64_MOVW_UABS_G1_NC", Aarch64MovW(1)),
            267 => direct("R_AARCH64_MOVW_UABS_G2", Aarch64MovW(2)),
            268 => direct("R_AARCH64_MOVW_UABS_G2_NC", Aarch64MovW(2)),
            269 => direct("R_AARCH64_MOVW_UABS_G3", Aarch64MovW(3)),
            275 => direct("R_AARCH64_ADR_PREL_PG_HI21", Aarch64AdrPage21),
            277 => direct("R_AARCH64_ADD_ABS_LO12_NC", Aarch64AddLo12),
            278 => direct("R_AARCH64_LDST8_ABS_LO12_NC", Aarch64LdstLo12),
            280 => direct("R_AARCH64_CONDBR19", Aarch64CondBr19),
            282 => direct("R_AARCH64_JUMP26", Aarch64Branch26),
            283 => direct("R_AARCH64_CALL26", Aarch64Branch26),
            284 => direct("R_AARCH64_LDST16_ABS_LO12_NC", Aarch64LdstLo12),
            285 => direct("R_AARCH64_LDST32_ABS_LO12_NC", Aarch64LdstLo12),
            286 => direct("R_AARCH64_LDST64_ABS_LO12_NC", Aarch64LdstLo12),
            299 => direct("R_AARCH64_LDST128_ABS_LO12_NC", Aarch64LdstLo12),
            311 => got("R_AARCH64_ADR_GOT_PAGE", Aarch64GotPage21),
            312 => got("R_AARCH64_LD64_GOT_LO12_NC", Aarch64GotLo12),
            _ => None,
        },
        (Format::MachO, Arch::X86_64) => match r_type {
            0 if length == 3 => direct("X86_64_RELOC_UNSIGNED", Abs64),
            0 if length == 2 => direct("X86_64_RELOC_UNSIGNED", Abs32),
            1 => direct("X86_64_RELOC_SIGNED", Rel32),
            2 => direct("X86_64_RELOC_BRANCH", Rel32),
            3 => got("X86_64_RELOC_GOT_LOAD", X86GotPcRelX),
            4 => got("X86_64_RELOC_GOT", X86GotPcRelX),
            6 => direct("X86_64_RELOC_SIGNED_1", Rel32),
            7 => direct("X86_64_RELOC_SIGNED_2", Rel32),
            8 => direct("X86_64_RELOC_SIGNED_4", Rel32),
            _ => None,
        },
        (Format::MachO, Arch::Aarch64) => match r_type {
            0 if length == 3 => direct("ARM64_RELOC_UNSIGNED", Abs64),
            2 => direct("ARM64_RELOC_BRANCH26", Aarch64Branch26),
            3 => direct("ARM64_RELOC_PAGE21", Aarch64AdrPage21),
            4 if is_aarch64_add_imm(instruction) => direct("ARM64_RELOC_PAGEOFF12", Aarch64AddLo12),
            4 => direct("ARM64_RELOC_PAGEOFF12", Aarch64LdstLo12),
            5 => got("ARM64_RELOC_GOT_LOAD_PAGE21", Aarch64GotPage21),
            6 => got("ARM64_RELOC_GOT_LOAD_PAGEOFF12", Aarch64GotLo12),
            _ => None,
        },
        (Format::Coff, Arch::X86_64) => match r_type {
            1 => direct("IMAGE_REL_AMD64_ADDR64", Abs64),
            2 => direct("IMAGE_REL_AMD64_ADDR32", Abs32),
            4 => direct("IMAGE_REL_AMD64_REL32", Rel32),
            5 => direct("IMAGE_REL_AMD64_REL32_1", Rel32),
            6 => direct("IMAGE_REL_AMD64_REL32_2", Rel32),
            7 => direct("IMAGE_REL_AMD64_REL32_3", Rel32),
            8 => direct("IMAGE_REL_AMD64_REL32_4", Rel32),
            9 => direct("IMAGE_REL_AMD64_REL32_5", Rel32),
            _ => None,
        },
        (Format::Coff, Arch::Aarch64) => match r_type {
            3 => direct("IMAGE_REL_ARM64_BRANCH26", Aarch64Branch26),
            4 => direct("IMAGE_REL_ARM64_PAGEBASE_REL21", Aarch64AdrPage21),
            6 => direct("IMAGE_REL_ARM64_PAGEOFFSET_12A", Aarch64AddLo12),
            7 => direct("IMAGE_REL_ARM64_PAGEOFFSET_12L", Aarch64LdstLo12),
            0xE => direct("IMAGE_REL_ARM64_ADDR64", Abs64),
            0xF => direct("IMAGE_REL_ARM64_BRANCH19", Aarch64CondBr19),
            _ => None,
        },
        (Format::Coff, Arch::I686) => match r_type {
            6 => direct("IMAGE_REL_I386_DIR32", Abs32),
            0x14 => direct("IMAGE_REL_I386_REL32", Rel32),
            _ => None,
        },
        // Not among the seven targets: nothing is known.
        (Format::Elf | Format::MachO, Arch::I686) => None,
    }
}

/// Whether `insn` is an AArch64 `add` (immediate), 32- or 64-bit.
pub fn is_aarch64_add_imm(insn: u32) -> bool {
    insn & 0x7f80_0000 == 0x1100_0000
}

/// Reads the addend a Mach-O or COFF relocation keeps in the instruction or
/// data at `place`, for a hole of `kind` (`size` bits for plain data fields).
/// Returns `None` when `place` is too short.
pub fn implicit_addend(kind: HoleKind, size: u8, place: &[u8]) -> Option<i64> {
    use HoleKind::*;
    let word = |n: usize| place.get(..n);
    let insn = || -> Option<u32> { Some(u32::from_le_bytes(word(4)?.try_into().ok()?)) };
    let sext = |v: u64, bits: u32| ((v << (64 - bits)) as i64) >> (64 - bits);
    Some(match kind {
        Abs64 if size == 64 => i64::from_le_bytes(word(8)?.try_into().ok()?),
        Abs64 | Abs32 | Abs32S | Rel32 | X86GotPcRelX => {
            i64::from(i32::from_le_bytes(word(4)?.try_into().ok()?))
        }
        Aarch64Branch26 => sext(u64::from(insn()? & 0x03ff_ffff), 26) << 2,
        Aarch64CondBr19 => sext(u64::from((insn()? >> 5) & 0x7_ffff), 19) << 2,
        Aarch64AdrPage21 | Aarch64GotPage21 => {
            let i = insn()?;
            let imm = (u64::from((i >> 5) & 0x7_ffff) << 2) | u64::from((i >> 29) & 3);
            sext(imm, 21) << 12
        }
        Aarch64AddLo12 => i64::from((insn()? >> 10) & 0xfff),
        Aarch64LdstLo12 | Aarch64GotLo12 => {
            let i = insn()?;
            i64::from((i >> 10) & 0xfff) << ldst_scale(i)
        }
        Aarch64MovW(_) => i64::from((insn()? >> 5) & 0xffff),
    })
}

/// Access-size scale (log2 bytes) of an AArch64 load/store (unsigned
/// immediate) instruction; 128-bit SIMD accesses scale by 4.
pub fn ldst_scale(insn: u32) -> u32 {
    let size = insn >> 30;
    let is_simd = insn & 0x0400_0000 != 0;
    let opc_hi = (insn >> 23) & 1;
    if is_simd && size == 0 && opc_hi == 1 {
        4
    } else {
        size
    }
}

/// Clears the field of `kind` at `place` (so bodies hold zero in every
/// hole and patching can OR bits in).
pub fn clear_field(kind: HoleKind, size: u8, place: &mut [u8]) {
    use HoleKind::*;
    let mask: u32 = match kind {
        Abs64 if size == 64 => {
            place.iter_mut().take(8).for_each(|b| *b = 0);
            return;
        }
        Abs64 | Abs32 | Abs32S | Rel32 | X86GotPcRelX => {
            place.iter_mut().take(4).for_each(|b| *b = 0);
            return;
        }
        Aarch64Branch26 => 0x03ff_ffff,
        Aarch64CondBr19 => 0x7_ffff << 5,
        Aarch64AdrPage21 | Aarch64GotPage21 => (0x7_ffff << 5) | (3 << 29),
        Aarch64AddLo12 | Aarch64LdstLo12 | Aarch64GotLo12 => 0xfff << 10,
        Aarch64MovW(_) => 0xffff << 5,
    };
    if let Some(bytes) = place.get_mut(..4) {
        let mut w = [0u8; 4];
        w.copy_from_slice(bytes);
        let v = u32::from_le_bytes(w) & !mask;
        bytes.copy_from_slice(&v.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_are_none_on_every_target() {
        for t in crate::targets::TARGETS {
            assert_eq!(
                classify(t.format, t.arch, 0xdead, 2, 0),
                None,
                "{}",
                t.triple
            );
        }
    }

    #[test]
    fn x86_64_32_and_32s_are_told_apart() {
        // R_X86_64_32 zero-extends, R_X86_64_32S sign-extends: patching one
        // as the other would accept values the CPU reads differently.
        let kind = |r| classify(Format::Elf, Arch::X86_64, r, 2, 0).map(|t| t.class);
        assert_eq!(kind(10), Some(RelocClass::Direct(HoleKind::Abs32)));
        assert_eq!(kind(11), Some(RelocClass::Direct(HoleKind::Abs32S)));
    }

    #[test]
    fn implicit_addends_decode_and_clear() {
        // b #8  (imm26 = 2)
        let mut b = 0x1400_0002u32.to_le_bytes();
        assert_eq!(implicit_addend(HoleKind::Aarch64Branch26, 26, &b), Some(8));
        clear_field(HoleKind::Aarch64Branch26, 26, &mut b);
        assert_eq!(u32::from_le_bytes(b), 0x1400_0000);
        // adrp x0, #0x3000 (immlo = 3, immhi = 0)
        let adrp = 0x9000_0000u32 | (3 << 29);
        assert_eq!(
            implicit_addend(HoleKind::Aarch64AdrPage21, 21, &adrp.to_le_bytes()),
            Some(0x3000)
        );
        // ldr x8, [x8, #16]: imm12 = 2, scaled by 8
        let ldr = 0xf940_0108u32 | (2 << 10);
        assert_eq!(
            implicit_addend(HoleKind::Aarch64LdstLo12, 12, &ldr.to_le_bytes()),
            Some(16)
        );
        // add x8, x8, #5
        let add = 0x9100_0108u32 | (5 << 10);
        assert!(is_aarch64_add_imm(add));
        assert!(!is_aarch64_add_imm(ldr));
        assert_eq!(
            implicit_addend(HoleKind::Aarch64AddLo12, 12, &add.to_le_bytes()),
            Some(5)
        );
        // rel32 of -4
        assert_eq!(
            implicit_addend(HoleKind::Rel32, 32, &(-4i32).to_le_bytes()),
            Some(-4)
        );
        let mut abs = 0x1122_3344_5566_7788u64.to_le_bytes();
        assert_eq!(
            implicit_addend(HoleKind::Abs64, 64, &abs),
            Some(0x1122_3344_5566_7788)
        );
        clear_field(HoleKind::Abs64, 64, &mut abs);
        assert_eq!(abs, [0; 8]);
        assert_eq!(implicit_addend(HoleKind::Rel32, 32, &[1, 2]), None);
    }
}
