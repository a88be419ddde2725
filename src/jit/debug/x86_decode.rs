//! Just enough x86-64 decoding to follow a stencil's stack use: the length
//! of each instruction, where control goes next, and the few instructions
//! that move `rsp` or `rbp`. Covers the general-purpose and SSE encodings
//! LLVM emits for stencils; anything else (VEX/EVEX, 3DNow!, far
//! transfers) is reported as unknown so callers fall back.

/// What an instruction does, as far as frame tracking cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing that moves `rsp`/`rbp` or changes control flow.
    Plain,
    /// `push r64` (register number in x86 encoding, REX.B included).
    Push(u8),
    /// `pop r64`.
    Pop(u8),
    /// `mov rbp, rsp`.
    MovRbpRsp,
    /// `leave`.
    Leave,
    /// `sub rsp, imm` (negative for `add rsp, imm`).
    SubRsp(i32),
    /// Any other write to `rsp` (`mov rsp, ..`, `lea rsp, ..`, `and rsp, ..`).
    WritesRsp,
    /// `ret`.
    Ret,
    /// Unconditional jump to `offset + len + rel`.
    Jump(i64),
    /// Conditional jump: falls through or goes to `offset + len + rel`.
    CondJump(i64),
    /// Indirect jump, `ud2`, `int3`, `hlt`: no known successor.
    Stop,
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    /// Length in bytes.
    pub len: usize,
    /// Its effect.
    pub effect: Effect,
}

/// Number of register `rsp` and `rbp` in the x86 encoding.
pub const RSP: u8 = 4;
/// See [`RSP`].
pub const RBP: u8 = 5;

/// Decodes the instruction at the start of `code`; `None` if it is not
/// one this decoder knows or runs past the end.
pub fn decode(code: &[u8]) -> Option<Insn> {
    let mut i = 0;
    let mut opsize16 = false;
    // Legacy prefixes.
    while let Some(&b) = code.get(i) {
        match b {
            0x66 => opsize16 = true,
            0x67 | 0xf0 | 0xf2 | 0xf3 | 0x2e | 0x3e | 0x26 | 0x36 | 0x64 | 0x65 => {}
            _ => break,
        }
        i += 1;
    }
    let mut rex = 0u8;
    if let Some(&b) = code.get(i) {
        if b & 0xf0 == 0x40 {
            rex = b;
            i += 1;
        }
    }
    let rex_w = rex & 8 != 0;
    let rex_b = (rex & 1) << 3;
    let iz = if opsize16 { 2 } else { 4 };
    let op = *code.get(i)?;
    i += 1;
    let modrm_at = i;
    // (has ModRM, immediate bytes, effect)
    let (modrm, imm, mut effect) = match op {
        0x0f => return decode_0f(code, i, opsize16),
        0x00..=0x3f => match op & 7 {
            0..=3 => (true, 0, Effect::Plain),
            4 => (false, 1, Effect::Plain),
            5 => (false, iz, Effect::Plain),
            _ => return None, // invalid in 64-bit mode, or a prefix handled above
        },
        0x50..=0x57 => (false, 0, Effect::Push((op & 7) | rex_b)),
        0x58..=0x5f => (false, 0, Effect::Pop((op & 7) | rex_b)),
        0x63 => (true, 0, Effect::Plain),
        0x68 => (false, 4, Effect::Plain),
        0x69 => (true, iz, Effect::Plain),
        0x6a => (false, 1, Effect::Plain),
        0x6b => (true, 1, Effect::Plain),
        0x70..=0x7f => {
            let rel = *code.get(i)? as i8;
            return Some(Insn {
                len: i + 1,
                effect: Effect::CondJump(rel.into()),
            });
        }
        0x80 | 0x83 | 0xc0 | 0xc1 | 0xc6 => (true, 1, Effect::Plain),
        0x81 | 0xc7 => (true, iz, Effect::Plain),
        0x84..=0x8b | 0x8d | 0x8f => (true, 0, Effect::Plain),
        0x90..=0x99 => (false, 0, Effect::Plain),
        0xa0..=0xa3 => (false, 8, Effect::Plain),
        0xa8 => (false, 1, Effect::Plain),
        0xa9 => (false, iz, Effect::Plain),
        0xb0..=0xb7 => (false, 1, Effect::Plain),
        0xb8..=0xbf => (false, if rex_w { 8 } else { iz }, Effect::Plain),
        0xc2 => (false, 2, Effect::Ret),
        0xc3 => (false, 0, Effect::Ret),
        0xc9 => (false, 0, Effect::Leave),
        0xcc | 0xf4 => (false, 0, Effect::Stop),
        0xd0..=0xd3 => (true, 0, Effect::Plain),
        0xe8 => (false, 4, Effect::Plain),
        0xe9 => {
            let rel = i32::from_le_bytes(code.get(i..i + 4)?.try_into().ok()?);
            return Some(Insn {
                len: i + 4,
                effect: Effect::Jump(rel.into()),
            });
        }
        0xeb => {
            let rel = *code.get(i)? as i8;
            return Some(Insn {
                len: i + 1,
                effect: Effect::Jump(rel.into()),
            });
        }
        0xf6 | 0xf7 | 0xfe | 0xff => (true, 0, Effect::Plain),
        _ => return None,
    };
    let mut len = i;
    if modrm {
        let m = *code.get(modrm_at)?;
        let (mode, reg, rm) = (m >> 6, (m >> 3) & 7, m & 7);
        len += 1;
        if mode != 3 {
            if rm == 4 {
                let sib = *code.get(len)?;
                len += 1;
                if mode == 0 && sib & 7 == 5 {
                    len += 4;
                }
            } else if mode == 0 && rm == 5 {
                len += 4; // rip-relative
            }
            len += match mode {
                1 => 1,
                2 => 4,
                _ => 0,
            };
        }
        let reg_ext = reg | ((rex & 4) << 1);
        let rm_reg = rm | rex_b;
        effect = match (op, mode, reg) {
            // test r/m, imm
            (0xf6, _, 0 | 1) => {
                len += 1;
                Effect::Plain
            }
            (0xf7, _, 0 | 1) => {
                len += iz;
                Effect::Plain
            }
            // jmp r/m, jmp far
            (0xff, _, 4 | 5) => Effect::Stop,
            // add/sub rsp, imm
            (0x83 | 0x81, 3, 0 | 5) if rex_w && rm_reg == RSP => {
                let width = if op == 0x83 { 1 } else { 4 };
                let bytes = code.get(len..len + width)?;
                let v = if width == 1 {
                    i32::from(bytes[0] as i8)
                } else {
                    i32::from_le_bytes(bytes.try_into().ok()?)
                };
                if reg == 5 {
                    Effect::SubRsp(v)
                } else {
                    Effect::SubRsp(v.checked_neg()?)
                }
            }
            // mov rbp, rsp (both encodings)
            (0x89, 3, _) if rex_w && reg_ext == RSP && rm_reg == RBP => Effect::MovRbpRsp,
            (0x8b, 3, _) if rex_w && reg_ext == RBP && rm_reg == RSP => Effect::MovRbpRsp,
            // lea rsp, [rsp + disp]: a stack adjustment that keeps the
            // flags (LLVM emits it between a compare and its branch).
            (0x8d, 1 | 2, _)
                if rex_w
                    && reg_ext == RSP
                    && rm == 4
                    && rex_b == 0
                    && rex & 2 == 0
                    && code.get(modrm_at + 1) == Some(&0x24) =>
            {
                let at = modrm_at + 2;
                let disp = if mode == 1 {
                    i32::from(*code.get(at)? as i8)
                } else {
                    i32::from_le_bytes(code.get(at..at + 4)?.try_into().ok()?)
                };
                Effect::SubRsp(disp.checked_neg()?)
            }
            // Other writes to rsp through the reg field or a register r/m.
            (0x8b | 0x8d, _, _) if reg_ext == RSP => Effect::WritesRsp,
            (0x01..=0x03 | 0x09..=0x0b | 0x21..=0x23 | 0x29..=0x2b | 0x31..=0x33, _, _)
                if reg_ext == RSP && op & 2 != 0 =>
            {
                Effect::WritesRsp
            }
            (0x01 | 0x09 | 0x21 | 0x29 | 0x31 | 0x89 | 0x81 | 0x83 | 0xc7 | 0xf7 | 0xff, 3, _)
                if rm_reg == RSP
                    && !matches!((op, reg), (0xf7, 0 | 1) | (0xff, 2..=7) | (0x81 | 0x83, 7)) =>
            {
                Effect::WritesRsp
            }
            _ => effect,
        };
    }
    len += imm;
    (len <= code.len()).then_some(Insn { len, effect })
}

/// Two- and three-byte opcodes (`0f ..`); `i` is just past `0f`.
fn decode_0f(code: &[u8], i: usize, opsize16: bool) -> Option<Insn> {
    let op = *code.get(i)?;
    let mut len = i + 1;
    let (modrm, imm) = match op {
        0x05 | 0x31 | 0xa2 | 0xc8..=0xcf => (false, 0),
        0x0b => {
            return Some(Insn {
                len,
                effect: Effect::Stop,
            })
        }
        0x80..=0x8f => {
            let rel = i32::from_le_bytes(code.get(len..len + 4)?.try_into().ok()?);
            return Some(Insn {
                len: len + 4,
                effect: Effect::CondJump(rel.into()),
            });
        }
        0x38 => {
            len += 1; // the third opcode byte
            (true, 0)
        }
        0x3a => {
            len += 1;
            (true, 1)
        }
        0x70..=0x73 | 0xa4 | 0xac | 0xba | 0xc2 | 0xc4..=0xc6 => (true, 1),
        0x10..=0x1f
        | 0x28..=0x2f
        | 0x40..=0x6f
        | 0x74..=0x76
        | 0x7e
        | 0x7f
        | 0x90..=0x9f
        | 0xa3
        | 0xa5
        | 0xab
        | 0xad
        | 0xaf
        | 0xb0..=0xb1
        | 0xb3
        | 0xb6..=0xbf
        | 0xc0
        | 0xc1
        | 0xc3
        | 0xc7
        | 0xd0..=0xff => (true, 0),
        _ => return None,
    };
    let _ = opsize16;
    if modrm {
        let m = *code.get(len)?;
        let (mode, rm) = (m >> 6, m & 7);
        len += 1;
        if mode != 3 {
            if rm == 4 {
                let sib = *code.get(len)?;
                len += 1;
                if mode == 0 && sib & 7 == 5 {
                    len += 4;
                }
            } else if mode == 0 && rm == 5 {
                len += 4;
            }
            len += match mode {
                1 => 1,
                2 => 4,
                _ => 0,
            };
        }
    }
    len += imm;
    (len <= code.len()).then_some(Insn {
        len,
        effect: Effect::Plain,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Insn {
        let insn = decode(bytes).unwrap();
        assert_eq!(insn.len, bytes.len(), "{bytes:02x?}");
        insn
    }

    #[test]
    fn lengths_and_effects_of_stencil_instructions() {
        assert_eq!(one(&[0x55]).effect, Effect::Push(RBP));
        assert_eq!(one(&[0x41, 0x55]).effect, Effect::Push(13));
        assert_eq!(one(&[0x5d]).effect, Effect::Pop(RBP));
        assert_eq!(one(&[0x48, 0x89, 0xe5]).effect, Effect::MovRbpRsp);
        assert_eq!(one(&[0x48, 0x8b, 0xec]).effect, Effect::MovRbpRsp);
        assert_eq!(one(&[0x48, 0x83, 0xec, 0x18]).effect, Effect::SubRsp(0x18));
        assert_eq!(one(&[0x48, 0x83, 0xc4, 0x18]).effect, Effect::SubRsp(-0x18));
        assert_eq!(
            one(&[0x48, 0x81, 0xec, 0, 1, 0, 0]).effect,
            Effect::SubRsp(256)
        );
        assert_eq!(one(&[0xe9, 1, 0, 0, 0]).effect, Effect::Jump(1));
        assert_eq!(one(&[0x74, 0xfe]).effect, Effect::CondJump(-2));
        assert_eq!(one(&[0x0f, 0x85, 0, 0, 0, 0]).effect, Effect::CondJump(0));
        assert_eq!(one(&[0xff, 0x10]).effect, Effect::Plain); // call [rax]
        assert_eq!(one(&[0xff, 0xe0]).effect, Effect::Stop); // jmp rax
        assert_eq!(one(&[0xc3]).effect, Effect::Ret);
        assert_eq!(one(&[0xc9]).effect, Effect::Leave);
        assert_eq!(one(&[0x48, 0x8d, 0x65, 0xd8]).effect, Effect::WritesRsp); // lea rsp, [rbp-0x28]
                                                                              // lea rsp, [rsp+8] / [rsp-0x100]: stack adjustments.
        assert_eq!(
            one(&[0x48, 0x8d, 0x64, 0x24, 0x08]).effect,
            Effect::SubRsp(-8)
        );
        assert_eq!(
            one(&[0x48, 0x8d, 0xa4, 0x24, 0x00, 0xff, 0xff, 0xff]).effect,
            Effect::SubRsp(0x100)
        );
        // lea rsp, [rsp+rax*1+8] is not a fixed adjustment.
        assert_eq!(
            one(&[0x48, 0x8d, 0x64, 0x04, 0x08]).effect,
            Effect::WritesRsp
        );
        assert_eq!(one(&[0x48, 0x89, 0xec]).effect, Effect::WritesRsp); // mov rsp, rbp
        assert_eq!(one(&[0x48, 0x83, 0xe4, 0xf0]).effect, Effect::WritesRsp); // and rsp, -16
        assert_eq!(one(&[0x48, 0x83, 0xfc, 0x10]).effect, Effect::Plain); // cmp rsp, 16
        assert_eq!(one(&[0x48, 0x89, 0xe0]).effect, Effect::Plain); // mov rax, rsp
        for plain in [
            &[0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0][..], // movabs
            &[0x49, 0x8b, 0x44, 0xc4, 0x30],           // mov rax, [r12+rax*8+0x30]
            &[0xa8, 0x01],                             // test al, 1
            &[0x48, 0x8d, 0x04, 0x45, 1, 0, 0, 0],     // lea rax, [rax*2+1]
            &[0x49, 0x83, 0xc5, 0x08],                 // add r13, 8
            &[0x48, 0x89, 0x5d, 0xf8],                 // mov [rbp-8], rbx
            &[0x0f, 0x94, 0xc0],                       // sete al
            &[0x66, 0x0f, 0x1f, 0x44, 0, 0],           // nop word [rax+rax]
            &[0xf2, 0x0f, 0x58, 0xc1],                 // addsd xmm0, xmm1
            &[0x41, 0xf6, 0x45, 0x00, 0x01],           // test byte [r13], 1
            &[0x48, 0xf7, 0xc0, 1, 0, 0, 0],           // test rax, 1
            &[0x48, 0x8b, 0x05, 0, 0, 0, 0],           // mov rax, [rip]
        ] {
            assert_eq!(one(plain).effect, Effect::Plain, "{plain:02x?}");
        }
    }

    #[test]
    fn truncated_or_unknown_code_is_none() {
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(&[0x48, 0xb8, 0, 0]), None);
        assert_eq!(decode(&[0xe9, 0, 0]), None);
        assert_eq!(decode(&[0xc5, 0xf8, 0x77]), None); // VEX vzeroupper
        assert_eq!(decode(&[0x06]), None);
    }
}
