//! One patch function per [`HoleKind`]: each relocation family is patched
//! here and nowhere else.
//!
//! A patch function receives the whole block being emitted (`buf`, whose first
//! byte will live at address `base`), the hole's offset in it, and the hole's
//! value `S + A` (symbol or table value plus addend). PC-relative kinds
//! subtract the hole's own address `P = base + offset`. Values that do not fit
//! are errors, never silent truncation.

use crate::jit::error::JitError;
use cpjit_abi::stencil::HoleKind;

/// Patches one hole, or says why it cannot.
pub fn patch(
    kind: HoleKind,
    buf: &mut [u8],
    offset: usize,
    base: u64,
    value: u64,
) -> Result<(), JitError> {
    apply(kind, buf, offset, base, value).ok_or(JitError::PatchOutOfRange {
        kind,
        location: base.wrapping_add(offset as u64),
        value,
    })
}

/// Patches one hole; `None` if the value does not fit or the hole lies
/// outside `buf`. The emitter's hot path (errors are built by [`patch`]).
#[inline(always)]
pub fn apply(kind: HoleKind, buf: &mut [u8], offset: usize, base: u64, value: u64) -> Option<()> {
    let location = base.wrapping_add(offset as u64);
    match kind {
        HoleKind::Abs64 => write_u64(buf, offset, value),
        HoleKind::Abs32 => abs32(buf, offset, value),
        HoleKind::Abs32S => abs32s(buf, offset, value),
        HoleKind::Rel32 => rel32(buf, offset, location, value),
        HoleKind::X86GotPcRelX => x86_got_pcrelx(buf, offset, base, value),
        HoleKind::Aarch64Branch26 => aarch64_branch26(buf, offset, location, value),
        HoleKind::Aarch64CondBr19 => aarch64_condbr19(buf, offset, location, value),
        HoleKind::Aarch64AdrPage21 | HoleKind::Aarch64GotPage21 => {
            aarch64_adr_page21(buf, offset, location, value)
        }
        HoleKind::Aarch64AddLo12 => aarch64_add_lo12(buf, offset, value),
        HoleKind::Aarch64LdstLo12 | HoleKind::Aarch64GotLo12 => {
            aarch64_ldst_lo12(buf, offset, value)
        }
        HoleKind::Aarch64MovW(n) => aarch64_movw(buf, offset, n, value),
    }
}

/// The largest block the emitter lays out: any two places in one block are
/// closer than this, so a 32-bit PC-relative displacement between them (plus
/// a small addend) always fits and [`apply_near`] need not check it.
pub const MAX_BLOCK: usize = 1 << 30;

/// [`apply`] for a hole whose value lies in the block being emitted (its
/// code, its data or a jump target of the same trace; see
/// [`MAX_BLOCK`]): a PC-relative displacement is then in range by
/// construction and is written without a range check. Other kinds are
/// patched as by [`apply`]. The arithmetic is the same ([`displacement`]).
#[inline(always)]
pub fn apply_near(
    kind: HoleKind,
    buf: &mut [u8],
    offset: usize,
    base: u64,
    value: u64,
) -> Option<()> {
    match kind {
        HoleKind::Rel32 => {
            let rel = displacement(base.wrapping_add(offset as u64), value);
            debug_assert!(
                i32::try_from(rel).is_ok(),
                "a near Rel32 hole is out of range"
            );
            write_u32(buf, offset, rel as u32)
        }
        _ => apply(kind, buf, offset, base, value),
    }
}

/// Bytes a hole of this kind covers, starting at its offset.
pub fn width(kind: HoleKind) -> usize {
    match kind {
        HoleKind::Abs64 => 8,
        _ => 4,
    }
}

fn read_u32(buf: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        buf.get(offset..offset + 4)?.try_into().ok()?,
    ))
}

#[inline(always)]
fn write_u32(buf: &mut [u8], offset: usize, v: u32) -> Option<()> {
    buf.get_mut(offset..offset + 4)?
        .copy_from_slice(&v.to_le_bytes());
    Some(())
}

#[inline(always)]
fn write_u64(buf: &mut [u8], offset: usize, v: u64) -> Option<()> {
    buf.get_mut(offset..offset + 8)?
        .copy_from_slice(&v.to_le_bytes());
    Some(())
}

/// `R_X86_64_32`-style: the value must fit an unsigned 32-bit field.
#[inline(always)]
fn abs32(buf: &mut [u8], offset: usize, value: u64) -> Option<()> {
    write_u32(buf, offset, u32::try_from(value).ok()?)
}

/// `R_X86_64_32S`-style: the instruction sign-extends the field, so the
/// value must fit a signed 32-bit field (`0x8000_0000` would become
/// `0xffff_ffff_8000_0000` at run time).
#[inline(always)]
fn abs32s(buf: &mut [u8], offset: usize, value: u64) -> Option<()> {
    write_u32(buf, offset, i32::try_from(value as i64).ok()? as u32)
}

/// `S + A - P`: how far `value` lies from the hole at `location`.
#[inline(always)]
const fn displacement(location: u64, value: u64) -> i64 {
    value.wrapping_sub(location) as i64
}

#[inline(always)]
fn rel32_value(location: u64, value: u64) -> Option<u32> {
    Some(cpjit_abi::stencil::rel32_field(location, value)? as u32)
}

/// `S + A - P` in a signed 32-bit field.
#[inline(always)]
fn rel32(buf: &mut [u8], offset: usize, location: u64, value: u64) -> Option<()> {
    write_u32(buf, offset, rel32_value(location, value)?)
}

/// A PC-relative load of a GOT slot. `value` is `slot + A` with `A = -4`
/// (the displacement ends the instruction). When the slot's content (already
/// patched: data is patched before code) is reachable with a 32-bit
/// displacement, the load is relaxed to a direct reference:
/// `mov r, [rip+slot]` becomes `lea r, [rip+sym]`, `call [rip+slot]` becomes
/// `nop; call sym`, `jmp [rip+slot]` becomes `nop; jmp sym`.
/// Otherwise the GOT load stays, pointing at the slot.
fn x86_got_pcrelx(buf: &mut [u8], offset: usize, base: u64, value: u64) -> Option<()> {
    let location = base.wrapping_add(offset as u64);
    let slot = value.wrapping_add(4);
    let in_block = slot.wrapping_sub(base);
    let target = if offset >= 2 && in_block.checked_add(8)? <= buf.len() as u64 {
        let s = in_block as usize;
        Some(u64::from_le_bytes(buf[s..s + 8].try_into().ok()?))
    } else {
        None
    };
    if let Some(target) = target {
        let relaxed = target.wrapping_sub(4);
        if let Some(disp) = rel32_value(location, relaxed) {
            let op = [buf[offset - 2], buf[offset - 1]];
            let new_op = match op {
                [0x8B, modrm] => Some([0x8D, modrm]),
                [0xFF, 0x15] => Some([0x90, 0xE8]),
                [0xFF, 0x25] => Some([0x90, 0xE9]),
                _ => None,
            };
            if let Some(new_op) = new_op {
                buf[offset - 2..offset].copy_from_slice(&new_op);
                return write_u32(buf, offset, disp);
            }
        }
    }
    rel32(buf, offset, location, value)
}

fn aarch64_branch26(buf: &mut [u8], offset: usize, location: u64, value: u64) -> Option<()> {
    let rel = displacement(location, value);
    if rel & 3 != 0 || !(-(1i64 << 27)..(1i64 << 27)).contains(&rel) {
        return None;
    }
    let insn = read_u32(buf, offset)?;
    write_u32(
        buf,
        offset,
        (insn & 0xFC00_0000) | ((rel >> 2) as u32 & 0x03FF_FFFF),
    )
}

fn aarch64_condbr19(buf: &mut [u8], offset: usize, location: u64, value: u64) -> Option<()> {
    let rel = displacement(location, value);
    if rel & 3 != 0 || !(-(1i64 << 20)..(1i64 << 20)).contains(&rel) {
        return None;
    }
    let insn = read_u32(buf, offset)?;
    write_u32(
        buf,
        offset,
        (insn & 0xFF00_001F) | (((rel >> 2) as u32 & 0x7FFFF) << 5),
    )
}

fn aarch64_adr_page21(buf: &mut [u8], offset: usize, location: u64, value: u64) -> Option<()> {
    let rel = ((value & !0xFFF).wrapping_sub(location & !0xFFF)) as i64;
    if !(-(1i64 << 32)..(1i64 << 32)).contains(&rel) {
        return None;
    }
    let imm = (rel >> 12) as u32;
    let insn = read_u32(buf, offset)?;
    write_u32(
        buf,
        offset,
        (insn & 0x9F00_001F) | ((imm & 3) << 29) | (((imm >> 2) & 0x7FFFF) << 5),
    )
}

fn aarch64_add_lo12(buf: &mut [u8], offset: usize, value: u64) -> Option<()> {
    let insn = read_u32(buf, offset)?;
    write_u32(
        buf,
        offset,
        (insn & 0xFFC0_03FF) | (((value & 0xFFF) as u32) << 10),
    )
}

/// Load/store unsigned-offset forms scale the 12-bit immediate by the access
/// size: bits 30-31, or 16 bytes for 128-bit SIMD (`opc` bit 23 with `V`).
fn aarch64_ldst_lo12(buf: &mut [u8], offset: usize, value: u64) -> Option<()> {
    let insn = read_u32(buf, offset)?;
    let mut shift = insn >> 30;
    if shift == 0 && insn & 0x0480_0000 == 0x0480_0000 {
        shift = 4;
    }
    let lo = (value & 0xFFF) as u32;
    if lo & ((1 << shift) - 1) != 0 {
        return None;
    }
    write_u32(buf, offset, (insn & 0xFFC0_03FF) | ((lo >> shift) << 10))
}

fn aarch64_movw(buf: &mut [u8], offset: usize, n: u8, value: u64) -> Option<()> {
    if n > 3 {
        return None;
    }
    let piece = ((value >> (16 * n as u32)) & 0xFFFF) as u32;
    let insn = read_u32(buf, offset)?;
    write_u32(buf, offset, (insn & 0xFFE0_001F) | (piece << 5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use HoleKind::*;

    const BASE: u64 = 0x7f00_0000_1000;

    fn patched(kind: HoleKind, mut buf: Vec<u8>, offset: usize, value: u64) -> Vec<u8> {
        patch(kind, &mut buf, offset, BASE, value).unwrap();
        buf
    }

    fn word(insn: u32) -> Vec<u8> {
        insn.to_le_bytes().to_vec()
    }

    #[test]
    fn abs64_writes_little_endian() {
        // movabs rax, imm64: 48 b8 <8 bytes>
        let b = patched(
            Abs64,
            vec![0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0],
            2,
            0x1122_3344_5566_7788,
        );
        assert_eq!(
            b,
            [0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        );
    }

    #[test]
    fn abs32s_is_signed_not_unsigned() {
        // mov rax, imm32 (sign-extended): 48 c7 c0 <4 bytes>
        let code = vec![0x48, 0xC7, 0xC0, 0, 0, 0, 0];
        let b = patched(Abs32S, code.clone(), 3, (-2i64) as u64);
        assert_eq!(b, [0x48, 0xC7, 0xC0, 0xFE, 0xFF, 0xFF, 0xFF]);
        let b = patched(Abs32S, code.clone(), 3, 0x7FFF_FFFF);
        assert_eq!(b, [0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0x7F]);
        // 0x8000_0000 fits u32 but would be sign-extended to
        // 0xffff_ffff_8000_0000 by the CPU: an error, not a wrong value.
        for v in [0x8000_0000u64, 0xFFFF_FFFF, 1 << 32] {
            let mut buf = code.clone();
            assert!(matches!(
                patch(Abs32S, &mut buf, 3, BASE, v),
                Err(JitError::PatchOutOfRange { kind: Abs32S, .. })
            ));
        }
    }

    #[test]
    fn abs32_fits_or_fails() {
        // mov eax, imm32: b8 <4 bytes>
        let b = patched(Abs32, vec![0xB8, 0, 0, 0, 0], 1, 0xDEAD_BEEF);
        assert_eq!(b, [0xB8, 0xEF, 0xBE, 0xAD, 0xDE]);
        let mut buf = vec![0xB8, 0, 0, 0, 0];
        assert!(matches!(
            patch(Abs32, &mut buf, 1, BASE, 1 << 32),
            Err(JitError::PatchOutOfRange { kind: Abs32, .. })
        ));
    }

    #[test]
    fn rel32_is_value_minus_location() {
        // jmp rel32 at BASE: e9 <disp>; target BASE+0x105, addend -4:
        // disp = BASE+0x105-4 - (BASE+1) = 0x100.
        let b = patched(Rel32, vec![0xE9, 0, 0, 0, 0], 1, BASE + 0x105 - 4);
        assert_eq!(b, [0xE9, 0x00, 0x01, 0x00, 0x00]);
        // Backwards: target BASE, disp = BASE-4-(BASE+1) = -5.
        let b = patched(Rel32, vec![0xE9, 0, 0, 0, 0], 1, BASE - 4);
        assert_eq!(b, [0xE9, 0xFB, 0xFF, 0xFF, 0xFF]);
        let mut buf = vec![0xE9, 0, 0, 0, 0];
        assert!(patch(Rel32, &mut buf, 1, BASE, BASE + (1 << 31) + 1).is_err());
    }

    /// `mov rax, [rip+slot]` at offset 0 (48 8b 05 disp32), the GOT slot at
    /// offset 16 holding `target`.
    fn got_block(op: [u8; 3], target: u64) -> Vec<u8> {
        let mut b = vec![0u8; 24];
        b[..3].copy_from_slice(&op);
        b[16..24].copy_from_slice(&target.to_le_bytes());
        b
    }

    #[test]
    fn got_load_is_relaxed_to_lea_when_near() {
        let target = BASE + 0x2000;
        let b = patched(
            X86GotPcRelX,
            got_block([0x48, 0x8B, 0x05], target),
            3,
            BASE + 16 - 4,
        );
        // lea rax, [rip+disp]; disp = target - (BASE + 7) = 0x1ff9.
        assert_eq!(&b[..7], &[0x48, 0x8D, 0x05, 0xF9, 0x1F, 0x00, 0x00]);
    }

    #[test]
    fn got_call_and_jmp_are_relaxed_to_direct_branches() {
        let target = BASE - 0x100;
        let b = patched(
            X86GotPcRelX,
            got_block([0x00, 0xFF, 0x15], target),
            3,
            BASE + 16 - 4,
        );
        // nop; call rel32: disp = target - (BASE + 7) = -0x107.
        assert_eq!(&b[1..7], &[0x90, 0xE8, 0xF9, 0xFE, 0xFF, 0xFF]);
        let b = patched(
            X86GotPcRelX,
            got_block([0x00, 0xFF, 0x25], target),
            3,
            BASE + 16 - 4,
        );
        assert_eq!(&b[1..7], &[0x90, 0xE9, 0xF9, 0xFE, 0xFF, 0xFF]);
    }

    #[test]
    fn got_load_stays_when_target_is_far() {
        let target = BASE + (1 << 40);
        let b = patched(
            X86GotPcRelX,
            got_block([0x48, 0x8B, 0x05], target),
            3,
            BASE + 16 - 4,
        );
        // Still a load, displacement to the slot: BASE+12 - (BASE+3) = 9.
        assert_eq!(&b[..7], &[0x48, 0x8B, 0x05, 0x09, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn got_load_of_other_instructions_is_not_relaxed() {
        // cmp rax, [rip+slot] (48 3b 05): not relaxable to lea.
        let b = patched(
            X86GotPcRelX,
            got_block([0x48, 0x3B, 0x05], BASE),
            3,
            BASE + 16 - 4,
        );
        assert_eq!(&b[..7], &[0x48, 0x3B, 0x05, 0x09, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn aarch64_branch26() {
        // bl #+0x1000 = 0x94000400; b #-4 = 0x17ffffff.
        assert_eq!(
            patched(Aarch64Branch26, word(0x9400_0000), 0, BASE + 0x1000),
            word(0x9400_0400)
        );
        assert_eq!(
            patched(Aarch64Branch26, word(0x1400_0000), 0, BASE - 4),
            word(0x17FF_FFFF)
        );
        assert!(patch(
            Aarch64Branch26,
            &mut word(0x1400_0000),
            0,
            BASE,
            BASE + (1 << 27)
        )
        .is_err());
        assert!(patch(Aarch64Branch26, &mut word(0x1400_0000), 0, BASE, BASE + 2).is_err());
    }

    #[test]
    fn aarch64_condbr19() {
        // b.eq #+8 = 0x54000040.
        assert_eq!(
            patched(Aarch64CondBr19, word(0x5400_0000), 0, BASE + 8),
            word(0x5400_0040)
        );
        assert!(patch(
            Aarch64CondBr19,
            &mut word(0x5400_0000),
            0,
            BASE,
            BASE + (1 << 20)
        )
        .is_err());
    }

    #[test]
    fn aarch64_adrp() {
        // adrp x0, +0x3000 pages from BASE (page aligned): imm = 3:
        // immlo = 3 -> bits 29-30; immhi = 0.
        assert_eq!(
            patched(Aarch64AdrPage21, word(0x9000_0000), 0, BASE + 0x3123),
            word(0xF000_0000)
        );
        // imm = 5: immlo 1, immhi 1 -> 0x90000000 | 1<<29 | 1<<5.
        assert_eq!(
            patched(Aarch64GotPage21, word(0x9000_0000), 0, BASE + 0x5000),
            word(0xB000_0020)
        );
        // adrp x0, -1 page: imm = 0x1fffff.
        assert_eq!(
            patched(Aarch64AdrPage21, word(0x9000_0000), 0, BASE - 0x1000),
            word(0xF0FF_FFE0)
        );
    }

    #[test]
    fn aarch64_lo12() {
        // add x0, x0, #0x123 = 0x91048c00.
        assert_eq!(
            patched(Aarch64AddLo12, word(0x9100_0000), 0, 0xABC_D123),
            word(0x9104_8C00)
        );
        // ldr x0, [x0, #0x120] (scaled by 8: imm12 = 0x24) = 0xf9409000.
        assert_eq!(
            patched(Aarch64LdstLo12, word(0xF940_0000), 0, 0x5120),
            word(0xF940_9000)
        );
        assert_eq!(
            patched(Aarch64GotLo12, word(0xF940_0000), 0, 0x5120),
            word(0xF940_9000)
        );
        // ldrb w0, [x0, #0x123] (unscaled) = 0x39448c00.
        assert_eq!(
            patched(Aarch64LdstLo12, word(0x3940_0000), 0, 0x123),
            word(0x3944_8C00)
        );
        // ldr q0, [x0, #0x20] (scaled by 16: imm12 = 2) = 0x3dc00800.
        assert_eq!(
            patched(Aarch64LdstLo12, word(0x3DC0_0000), 0, 0x20),
            word(0x3DC0_0800)
        );
        // A misaligned low part for an 8-byte load cannot be encoded.
        assert!(patch(Aarch64LdstLo12, &mut word(0xF940_0000), 0, BASE, 0x5124).is_err());
    }

    #[test]
    fn aarch64_movw() {
        // movz x0, #0x5678 = 0xd28acf00; movk x0, #0x1234, lsl #16 = 0xf2a24680.
        let v = 0x1111_2222_1234_5678;
        assert_eq!(
            patched(Aarch64MovW(0), word(0xD280_0000), 0, v),
            word(0xD28A_CF00)
        );
        assert_eq!(
            patched(Aarch64MovW(1), word(0xF2A0_0000), 0, v),
            word(0xF2A2_4680)
        );
        assert!(patch(Aarch64MovW(4), &mut word(0xF2A0_0000), 0, BASE, v).is_err());
    }

    #[test]
    fn holes_outside_the_buffer_are_errors() {
        assert!(patch(Abs64, &mut [0u8; 7], 0, BASE, 1).is_err());
        assert!(patch(Rel32, &mut [0u8; 4], 1, BASE, BASE).is_err());
    }
}
