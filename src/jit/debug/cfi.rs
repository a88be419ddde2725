//! Call frame information (CFI) for JIT code on x86-64, so gdb can unwind
//! through it.
//!
//! How JIT code uses the stack: the trampoline `call`s the trace; stencils
//! then tail-jump to each other on the same stack. Under the default `ghc`
//! convention on x86-64, rbp carries the `stack_pointer` argument, so
//! stencils have no frame pointer: a stencil that calls a helper moves rsp
//! by a fixed amount first (`push rax` or `sub rsp, N` to align the stack)
//! and undoes it before leaving. [`frame_analysis`] follows the code and
//! gives CFA = rsp + depth at every instruction, which is exact; rbp is the
//! stencil's own (it is not the caller's frame pointer, and no caller needs
//! it: the trampoline's CFA is rsp-based and it saves the C caller's rbp).
//!
//! Under `preserve_none` (`--cc preserve-none`) templates keep frame
//! pointers, and a stencil that calls a helper first does
//! `push rbp; mov rbp, rsp`. So, per range:
//! * before `push rbp` completes (and in frameless stencils): CFA = rsp + 8,
//!   the return address at CFA − 8;
//! * between `push rbp` and `mov rbp, rsp`: CFA = rsp + 16, and the
//!   caller's rbp at CFA − 16;
//! * once `mov rbp, rsp` is done: CFA = rbp + 16 (however much more is
//!   pushed), return address at CFA − 8, caller's rbp at CFA − 16;
//! * after the final `pop rbp` (before the closing jump or return): back
//!   to CFA = rsp + 8, rbp holding the caller's value.
//!
//! Every frame that is not the innermost one stops at a `call`, so the rule
//! at calls is what `bt` relies on; the others make stepping through
//! prologues correct.

use super::frame_analysis::{self, FrameState};
use super::{CodeRegion, DebugError, FrameLayout};
use gimli::write::{
    Address, CallFrameInstruction, CommonInformationEntry, EhFrame, EndianVec,
    FrameDescriptionEntry, FrameTable,
};
use gimli::{Encoding, Format, LittleEndian, X86_64};

/// `push rbp`.
const PUSH_RBP: u8 = 0x55;
/// `mov rbp, rsp`, in its two encodings (`89 /r` and `8b /r`).
const MOV_RBP_RSP: [[u8; 3]; 2] = [[0x48, 0x89, 0xe5], [0x48, 0x8b, 0xec]];
/// `pop rbp`.
const POP_RBP: u8 = 0x5d;
/// `leave` (`mov rsp, rbp; pop rbp`).
const LEAVE: u8 = 0xc9;
/// `ret`.
const RET: u8 = 0xc3;
/// `jmp rel32`.
const JMP_REL32: u8 = 0xe9;

/// Finds the frame layout of one range's code from its bytes: the first
/// `push rbp; mov rbp, rsp` makes a frame, and a `pop rbp` or `leave`
/// just before a final `ret` or `jmp rel32` (or at the very end, where the
/// emitter dropped a jump to the next stencil) ends it.
///
/// The search is by byte pattern, not by decoding every instruction; the
/// four-byte prologue pattern is what LLVM emits, and the first occurrence
/// is the prologue in the code LLVM generates for stencils. Callers that
/// know the layout pass it instead of [`FrameLayout::Detect`].
pub fn detect(code: &[u8]) -> FrameLayout {
    let prologue = code
        .windows(4)
        .position(|w| w[0] == PUSH_RBP && MOV_RBP_RSP.iter().any(|m| w[1..] == m[..]));
    let Some(push) = prologue else {
        return FrameLayout::Frameless;
    };
    let frame_set = push + 4;
    let body = &code[frame_set..];
    let is_pop = |b: &u8| *b == POP_RBP || *b == LEAVE;
    let popped_at = if body.last().is_some_and(is_pop) {
        // The stencil ends with its epilogue; control falls through.
        Some(body.len())
    } else if body.len() >= 2 && body[body.len() - 1] == RET && is_pop(&body[body.len() - 2]) {
        Some(body.len() - 1)
    } else if body.len() >= 6 && body[body.len() - 5] == JMP_REL32 && is_pop(&body[body.len() - 6])
    {
        Some(body.len() - 5)
    } else {
        None
    };
    FrameLayout::FramePointer {
        push_rbp: push as u32,
        frame_set: frame_set as u32,
        frame_popped: popped_at.map(|p| (frame_set + p) as u32),
    }
}

/// The CFA rule changes of one range, as `(offset, instruction)` pairs, on
/// top of the common entry's rule (CFA = rsp + 8, return address at
/// CFA − 8).
///
/// [`FrameLayout::Detect`] first follows the code itself
/// ([`frame_analysis`]: exact, and it also describes callee-saved register
/// pushes, e.g. the trampoline's); if that gives up, it falls back to
/// [`detect`]'s byte patterns.
pub fn rows(layout: &FrameLayout, code: &[u8]) -> Vec<(u32, CallFrameInstruction)> {
    let layout = match layout {
        FrameLayout::Detect => match frame_analysis::analyse(code) {
            Some(states) => return rows_from_states(&states),
            None => detect(code),
        },
        FrameLayout::Precomputed(rows) => return rows.to_vec(),
        other => other.clone(),
    };
    match layout {
        FrameLayout::Detect | FrameLayout::Frameless | FrameLayout::Precomputed(_) => Vec::new(),
        FrameLayout::FramePointer {
            push_rbp,
            frame_set,
            frame_popped,
        } => {
            let mut rows = vec![
                (push_rbp + 1, CallFrameInstruction::CfaOffset(16)),
                (push_rbp + 1, CallFrameInstruction::Offset(X86_64::RBP, -16)),
                (frame_set, CallFrameInstruction::CfaRegister(X86_64::RBP)),
            ];
            if let Some(p) = frame_popped {
                rows.push((p, CallFrameInstruction::Cfa(X86_64::RSP, 8)));
                rows.push((p, CallFrameInstruction::SameValue(X86_64::RBP)));
            }
            rows
        }
    }
}

/// The frame layout of a stencil's cold code (the blocks a hot/cold split
/// moved to the data area), as [`FrameLayout::Precomputed`] rows from
/// [`cold_states`]; [`FrameLayout::Detect`] where those cannot be found.
pub fn cold_frame(hot: &[u8], cold_from_hot: i64, cold: &[u8]) -> FrameLayout {
    match cold_states(hot, cold_from_hot, cold) {
        Some(states) => FrameLayout::Precomputed(rows_from_states(&states).into()),
        None => FrameLayout::Detect,
    }
}

/// The frame at each reachable instruction of a stencil's cold code.
///
/// Cold code is part of the same LLVM function as its hot stencil, so it
/// runs in the frame the hot code had where it jumped there: this follows
/// `hot` from its entry ([`frame_analysis::analyse_from`]), takes the frame
/// at each jump that lands in `cold` (which starts `cold_from_hot` bytes
/// after `hot`'s start, as installed), and follows `cold` from those
/// entries. (The stencil objects carry no CFI to take it from instead:
/// templates are `nounwind`, so LLVM emits no `.eh_frame`.) `None` if
/// either part cannot be followed or the hot code never jumps into `cold`.
pub fn cold_states(
    hot: &[u8],
    cold_from_hot: i64,
    cold: &[u8],
) -> Option<Vec<(usize, FrameState)>> {
    let hot = frame_analysis::analyse_from(hot, &[(0, FrameState::entry())])?;
    let entries: Vec<(usize, FrameState)> = hot
        .exits
        .into_iter()
        .filter_map(|(target, state)| {
            let at = usize::try_from(target.checked_sub(cold_from_hot)?).ok()?;
            (at < cold.len()).then_some((at, state))
        })
        .collect();
    if entries.is_empty() {
        return None;
    }
    Some(frame_analysis::analyse_from(cold, &entries)?.states)
}

/// CFI rows for the states [`frame_analysis::analyse`] found: one change
/// wherever an instruction's frame differs from the one before it.
fn rows_from_states(states: &[(usize, FrameState)]) -> Vec<(u32, CallFrameInstruction)> {
    let mut rows = Vec::new();
    let mut current = FrameState::entry();
    for (offset, state) in states {
        let at = *offset as u32;
        let reg = |rbp| if rbp { X86_64::RBP } else { X86_64::RSP };
        match (
            state.cfa_rbp != current.cfa_rbp,
            state.cfa_offset != current.cfa_offset,
        ) {
            (true, true) => rows.push((
                at,
                CallFrameInstruction::Cfa(reg(state.cfa_rbp), state.cfa_offset),
            )),
            (true, false) => rows.push((at, CallFrameInstruction::CfaRegister(reg(state.cfa_rbp)))),
            (false, true) => rows.push((at, CallFrameInstruction::CfaOffset(state.cfa_offset))),
            (false, false) => {}
        }
        for &(r, off) in &state.saved {
            if current.saved_at(r) != Some(off) {
                rows.push((at, CallFrameInstruction::Offset(gimli::Register(r), off)));
            }
        }
        for &(r, _) in &current.saved {
            if state.saved_at(r).is_none() {
                rows.push((at, CallFrameInstruction::SameValue(gimli::Register(r))));
            }
        }
        current = state.clone();
    }
    rows
}

/// The frame table for every non-empty range of `region`: one common entry
/// and one description entry per range, at run-time addresses.
pub fn frame_table(region: &CodeRegion<'_>) -> Result<FrameTable, DebugError> {
    region.validate()?;
    let encoding = Encoding {
        format: Format::Dwarf32,
        version: 1,
        address_size: 8,
    };
    let mut cie = CommonInformationEntry::new(encoding, 1, -8, X86_64::RA);
    cie.add_instruction(CallFrameInstruction::Cfa(X86_64::RSP, 8));
    cie.add_instruction(CallFrameInstruction::Offset(X86_64::RA, -8));
    let mut table = FrameTable::default();
    let cie = table.add_cie(cie);
    for range in region.ranges.iter().filter(|r| r.size > 0) {
        let size = u32::try_from(range.size).map_err(|_| DebugError::RangeOutOfRegion {
            name: range.name.clone(),
            offset: range.offset,
            size: range.size,
            region_size: region.code.len(),
        })?;
        let start = region.address() + range.offset as u64;
        let mut fde = FrameDescriptionEntry::new(Address::Constant(start), size);
        for (offset, instruction) in rows(&range.frame, region.bytes_of(range)) {
            fde.add_instruction(offset, instruction);
        }
        table.add_fde(cie, fde);
    }
    Ok(table)
}

/// The `.eh_frame` section contents for `region` (absolute addresses),
/// ending with the zero terminator.
pub fn eh_frame(region: &CodeRegion<'_>) -> Result<Vec<u8>, DebugError> {
    let mut section = EhFrame(EndianVec::new(LittleEndian));
    frame_table(region)?.write_eh_frame(&mut section)?;
    let mut bytes = section.0.into_vec();
    bytes.extend_from_slice(&[0; 4]);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jit::debug::CodeRange;

    /// `push rbp; mov rbp, rsp; movabs rax, 0; call rax; pop rbp; ret`.
    const CALLS_HELPER: [u8; 18] = [
        0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xd0, 0x5d, 0xc3,
    ];

    #[test]
    fn detects_a_prologue_at_the_start() {
        assert_eq!(
            detect(&CALLS_HELPER),
            FrameLayout::FramePointer {
                push_rbp: 0,
                frame_set: 4,
                frame_popped: Some(17)
            }
        );
    }

    #[test]
    fn detects_a_shrink_wrapped_prologue_and_a_closing_jump() {
        // test rdi, rdi; je +0; push rbp; mov rbp, rsp; call rax; pop rbp; jmp rel32
        let code = [
            0x48, 0x85, 0xff, 0x74, 0x00, 0x55, 0x48, 0x8b, 0xec, 0xff, 0xd0, 0x5d, 0xe9, 1, 2, 3,
            4,
        ];
        assert_eq!(
            detect(&code),
            FrameLayout::FramePointer {
                push_rbp: 5,
                frame_set: 9,
                frame_popped: Some(12)
            }
        );
        // The same with the closing jump dropped: the frame ends at the end.
        assert_eq!(
            detect(&code[..12]),
            FrameLayout::FramePointer {
                push_rbp: 5,
                frame_set: 9,
                frame_popped: Some(12)
            }
        );
    }

    #[test]
    fn code_without_a_prologue_is_frameless() {
        // nop; jmp rel32
        assert_eq!(detect(&[0x90, 0xe9, 0, 0, 0, 0]), FrameLayout::Frameless);
        assert!(rows(&FrameLayout::Detect, &[0x90, 0xe9, 0, 0, 0, 0]).is_empty());
    }

    #[test]
    fn eh_frame_has_one_fde_per_range_at_run_time_addresses() {
        // A stencil that calls a helper, then a frameless one (nop; jmp).
        let mut code = CALLS_HELPER.to_vec();
        code.extend_from_slice(&[0x90, 0xe9, 0, 0, 0, 0]);
        let ranges = [
            CodeRange::new(0, 18, "a"),
            CodeRange::new(4, 0, "empty"),
            CodeRange::new(18, 6, "b"),
        ];
        let region = CodeRegion::new("r", &code, &ranges);
        let table = frame_table(&region).unwrap();
        assert_eq!(table.cie_count(), 1);
        assert_eq!(table.fde_count(), 2);
        let bytes = eh_frame(&region).unwrap();
        // Read it back with gimli's reader and check the rules at a few
        // addresses.
        use gimli::{BaseAddresses, CfaRule, RegisterRule, UnwindContext, UnwindSection};
        let section = gimli::EhFrame::new(&bytes, LittleEndian);
        let bases = BaseAddresses::default();
        let mut ctx = Box::new(UnwindContext::new());
        let base = region.address();
        let rule_at = |ctx: &mut UnwindContext<usize>, pc: u64| {
            let fde = section
                .fde_for_address(&bases, pc, gimli::EhFrame::cie_from_offset)
                .unwrap();
            let row = fde
                .unwind_info_for_address(&section, &bases, ctx, pc)
                .unwrap();
            (row.cfa().clone(), row.register(X86_64::RBP))
        };
        let rsp = |o| CfaRule::RegisterAndOffset {
            register: X86_64::RSP,
            offset: o,
        };
        let rbp = CfaRule::RegisterAndOffset {
            register: X86_64::RBP,
            offset: 16,
        };
        assert_eq!(rule_at(&mut ctx, base).0, rsp(8));
        assert_eq!(
            rule_at(&mut ctx, base + 1),
            (rsp(16), RegisterRule::Offset(-16))
        );
        assert_eq!(rule_at(&mut ctx, base + 4).0, rbp);
        assert_eq!(rule_at(&mut ctx, base + 16).0, rbp);
        assert_eq!(rule_at(&mut ctx, base + 17).0, rsp(8));
        // The frameless range keeps the entry rule throughout.
        assert_eq!(rule_at(&mut ctx, base + 18).0, rsp(8));
        assert_eq!(rule_at(&mut ctx, base + 23).0, rsp(8));
        assert!(section
            .fde_for_address(&bases, base + 24, gimli::EhFrame::cie_from_offset)
            .is_err());
    }

    /// Every stencil the build generated for this host, checked against
    /// the disassembly LLVM wrote beside it: the decoder finds exactly
    /// LLVM's instruction boundaries, the analysis follows every stencil,
    /// calls happen inside an rbp frame (CFA = rbp + 16) when frame pointers
    /// are kept, or at a known, 16-byte aligned rsp depth under ghc, and
    /// every tail jump or return leaves with the entry frame (CFA = rsp + 8).
    /// A split stencil's cold code, installed after its hot code as the
    /// emitter installs it, is followed from the hot code's jumps into it
    /// ([`cold_states`]) and checked the same way; its jumps back into the
    /// hot code arrive with the frame the hot code has there.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn analysis_of_every_host_stencil_matches_llvms_disassembly() {
        use crate::abi::stencil::{CallConv, HoleKind, HoleValue, StencilGroup};
        use crate::abi::uop::Uop;
        use crate::jit::debug::x86_decode::decode;
        use crate::jit::stencils::HOST;
        use std::collections::BTreeMap;

        let text = include_str!(concat!(env!("OUT_DIR"), "/host_stencils.rs"));
        // NAME -> [(offset, mnemonic)] from `// NAME: N bytes of code` blocks.
        let mut listings: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
        // NAME -> [(data offset, mnemonic)] of its cold code (`data N:`).
        let mut cold_listings: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
        let mut current = None;
        for line in text.lines() {
            let Some(c) = line.strip_prefix("// ") else {
                current = None;
                continue;
            };
            if let Some((name, rest)) = c.split_once(": ") {
                if rest.contains("bytes of code") && !name.starts_with(' ') {
                    current = Some(name);
                    listings.entry(name).or_default();
                    continue;
                }
            }
            let (Some(name), Some(insn)) = (current, c.strip_prefix("  ")) else {
                continue;
            };
            let Some((off, rest)) = insn.trim_start().split_once(": ") else {
                continue;
            };
            if let Some(off) = off.strip_prefix("data ") {
                if let Ok(off) = usize::from_str_radix(off, 16) {
                    let mnemonic = rest.get(30..).unwrap_or("").trim();
                    cold_listings.entry(name).or_default().push((off, mnemonic));
                }
                continue;
            }
            let Ok(off) = usize::from_str_radix(off, 16) else {
                continue; // `data 0000: ...` lines
            };
            let mnemonic = rest.get(30..).unwrap_or("").trim();
            listings.entry(name).or_default().push((off, mnemonic));
        }
        let mut groups: Vec<(&str, &StencilGroup)> = vec![
            ("_ENTRY", &HOST.trampoline),
            ("_FATAL_ERROR", &HOST.fatal_error),
        ];
        for (u, g) in Uop::ALL.iter().zip(HOST.uops) {
            groups.push((u.name(), g));
        }
        let frames_kept = HOST.cc != CallConv::Ghc;
        let split = groups.iter().filter(|(_, g)| g.cold.is_some()).count();
        let check_call = |name: &str, off: usize, mnemonic: &str, state: &FrameState| {
            let rbp_saved = state.saved_at(6) == Some(-16);
            if mnemonic.starts_with("call") && frames_kept {
                assert!(
                    state.cfa_rbp && state.cfa_offset == 16 && rbp_saved,
                    "{name}+{off:#x} {mnemonic}: {state:?}"
                );
            }
            // Without frame pointers (ghc passes `frame` in rbp), a
            // call happens at a known rsp depth with the stack aligned
            // to 16 bytes, so the CFA is rsp + depth: exact.
            if mnemonic.starts_with("call") && !frames_kept {
                assert!(
                    !state.cfa_rbp
                        && state.depth == Some(state.cfa_offset)
                        && state.cfa_offset % 16 == 0,
                    "{name}+{off:#x} {mnemonic}: {state:?}"
                );
            }
        };
        let mut checked = 0;
        let mut cold_checked = 0;
        for (name, group) in groups {
            let body = group.code.body;
            if body.is_empty() {
                continue;
            }
            let listing = &listings[name];
            // Jumps through holes go to other stencils: point them far away.
            let mut code = body.to_vec();
            for h in group.code.holes {
                if h.kind == HoleKind::Rel32 {
                    let at = h.offset as usize;
                    code[at..at + 4].copy_from_slice(&0x4000_0000_i32.to_le_bytes());
                }
            }
            let mut starts = Vec::new();
            let mut at = 0;
            while at < code.len() {
                starts.push(at);
                at += decode(&code[at..])
                    .unwrap_or_else(|| panic!("{name}: cannot decode at {at:#x}"))
                    .len;
            }
            let expected: Vec<usize> = listing.iter().map(|&(o, _)| o).collect();
            assert_eq!(starts, expected, "{name}: instruction boundaries");
            let states: BTreeMap<usize, FrameState> = frame_analysis::analyse(&code)
                .unwrap_or_else(|| panic!("{name}: analysis gave up"))
                .into_iter()
                .collect();
            for &(off, mnemonic) in listing {
                let Some(state) = states.get(&off) else {
                    continue;
                };
                check_call(name, off, mnemonic, state);
                // A jump to another stencil leaves with the entry frame; a
                // jump into the stencil's own cold code (`Data`, split off
                // into the data area: build-support's `cold`) stays in its
                // frame.
                let leaves = mnemonic.contains("Rel32") && !mnemonic.contains("Rel32 Data");
                if mnemonic.starts_with("ret") || (mnemonic.starts_with("jmp") && leaves) {
                    assert!(
                        !state.cfa_rbp && state.cfa_offset == 8 && state.saved.is_empty(),
                        "{name}+{off:#x} {mnemonic}: {state:?}"
                    );
                }
            }
            checked += 1;
            let Some((cold_at, cold_len)) = group.cold else {
                continue;
            };
            // Install the cold code as the emitter does: in the data, after
            // all code; the hot code's `Data` jumps reach it there.
            let (cold_at, cold_len) = (cold_at as usize, cold_len as usize);
            let data_at = body.len().next_multiple_of(64) + 64;
            let mut hot = body.to_vec();
            for h in group.code.holes {
                if h.kind == HoleKind::Rel32 {
                    let at = h.offset as usize;
                    let rel = match h.value {
                        HoleValue::Data => data_at as i64 + h.addend - at as i64,
                        _ => 0x4000_0000,
                    };
                    hot[at..at + 4].copy_from_slice(&(rel as i32).to_le_bytes());
                }
            }
            let mut cold = group.data.body[cold_at..cold_at + cold_len].to_vec();
            for h in group.data.holes {
                let at = (h.offset as usize).wrapping_sub(cold_at);
                if h.kind == HoleKind::Rel32 && at < cold_len {
                    cold[at..at + 4].copy_from_slice(&0x4000_0000_i32.to_le_bytes());
                }
            }
            let cold_states: BTreeMap<usize, FrameState> =
                cold_states(&hot, (data_at + cold_at) as i64, &cold)
                    .unwrap_or_else(|| panic!("{name}: cold code analysis gave up"))
                    .into_iter()
                    .collect();
            let cold_listing = &cold_listings[name];
            let mut reached = 0;
            for &(off, mnemonic) in cold_listing {
                let Some(state) = off.checked_sub(cold_at).and_then(|o| cold_states.get(&o)) else {
                    continue;
                };
                reached += 1;
                let name = format!("{name}.cold");
                check_call(&name, off, mnemonic, state);
                // A jump back into the hot code (`Code`) lands where the
                // hot code has the same frame; one to another stencil
                // leaves with the entry frame.
                if let Some(addend) = mnemonic.split_once("Rel32 Code").map(|(_, a)| a) {
                    let addend = addend.replace(' ', "");
                    let back = match addend.split_at(addend.len().min(1)) {
                        ("+", n) => i64::from_str_radix(n.trim_start_matches("0x"), 16),
                        ("-", n) => i64::from_str_radix(n.trim_start_matches("0x"), 16).map(|v| -v),
                        _ => Ok(0),
                    }
                    .unwrap_or_else(|_| panic!("{name}+{off:#x}: addend {addend}"))
                        + 4;
                    assert_eq!(
                        states.get(&(back as usize)),
                        Some(state),
                        "{name}+{off:#x} {mnemonic}: back into the hot code at {back:#x}"
                    );
                } else if mnemonic.starts_with("ret")
                    || (mnemonic.starts_with("jmp")
                        && mnemonic.contains("Rel32")
                        && !mnemonic.contains("Rel32 Data"))
                {
                    assert!(
                        !state.cfa_rbp && state.cfa_offset == 8 && state.saved.is_empty(),
                        "{name}+{off:#x} {mnemonic}: {state:?}"
                    );
                }
            }
            assert!(reached > 0, "{name}: no cold instruction reached");
            cold_checked += 1;
        }
        assert!(checked > 10, "only {checked} stencils checked");
        assert_eq!(
            cold_checked, split,
            "every split stencil's cold code checked"
        );
    }
}
