//! Follows a range of x86-64 code from its entry along every branch and
//! works out, at each instruction, where the caller's frame is: the CFA
//! rule, and where pushed registers (rbp, the trampoline's callee-saved
//! registers) are saved. The result is exact for the code it can decode;
//! it gives up (returns `None`) on an unknown instruction, on two paths
//! that reach one instruction with different frames, or on a stack move it
//! cannot follow, and the caller falls back to the byte-pattern rule.

use super::x86_decode::{decode, Effect, RBP};
/// The frame at one instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameState {
    /// CFA = rbp + `cfa_offset` if true, else rsp + `cfa_offset`.
    pub cfa_rbp: bool,
    /// See `cfa_rbp`.
    pub cfa_offset: i32,
    /// CFA − rsp, when known.
    pub depth: Option<i32>,
    /// Saved registers (DWARF numbers) and their offset from the CFA,
    /// sorted by register.
    pub saved: Vec<(u16, i32)>,
}

impl FrameState {
    /// At a range's first instruction: just the return address on the stack.
    pub fn entry() -> Self {
        FrameState {
            cfa_rbp: false,
            cfa_offset: 8,
            depth: Some(8),
            saved: Vec::new(),
        }
    }

    /// Where register `reg` (DWARF number) is saved, as an offset from the
    /// CFA.
    pub fn saved_at(&self, reg: u16) -> Option<i32> {
        self.saved.iter().find(|&&(r, _)| r == reg).map(|&(_, o)| o)
    }

    fn save(&mut self, reg: u16, offset: i32) {
        if let Err(i) = self.saved.binary_search_by_key(&reg, |&(r, _)| r) {
            self.saved.insert(i, (reg, offset));
        }
    }

    fn restore(&mut self, reg: u16) {
        self.saved.retain(|&(r, _)| r != reg);
    }
}

/// DWARF register number of an x86 register number.
pub fn dwarf_register(x86: u8) -> u16 {
    const LOW: [u16; 8] = [0, 2, 1, 3, 7, 6, 4, 5];
    if x86 < 8 {
        LOW[x86 as usize]
    } else {
        u16::from(x86)
    }
}

/// The frame state at every reachable instruction of `code`, in address
/// order, or `None` if the code cannot be followed.
pub fn analyse(code: &[u8]) -> Option<Vec<(usize, FrameState)>> {
    analyse_from(code, &[(0, FrameState::entry())]).map(|a| a.states)
}

/// What [`analyse_from`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// The frame at every reachable instruction, in address order.
    pub states: Vec<(usize, FrameState)>,
    /// Every jump that leaves the code (a patched hole: the next stencil,
    /// an exit, or the stencil's own cold code in the data area): its
    /// target relative to the code's start (`next instruction + rel`), and
    /// the frame there.
    pub exits: Vec<(i64, FrameState)>,
}

/// Follows `code` from each of `entries` (an offset and the frame there):
/// [`analyse`] starts at offset 0 with [`FrameState::entry`]; a stencil's
/// cold code starts wherever its hot code jumps into it, with the frame
/// the hot code had at that jump. `None` if the code cannot be followed or
/// an entry lies outside it.
pub fn analyse_from(code: &[u8], entries: &[(usize, FrameState)]) -> Option<Analysis> {
    if code.is_empty() {
        return Some(Analysis {
            states: Vec::new(),
            exits: Vec::new(),
        });
    }
    let mut states: Vec<Option<FrameState>> = vec![None; code.len()];
    let mut work = Vec::with_capacity(entries.len());
    for (at, state) in entries {
        match states.get_mut(*at)? {
            Some(existing) if existing != state => return None,
            Some(_) => {}
            slot @ None => {
                *slot = Some(state.clone());
                work.push(*at);
            }
        }
    }
    let mut exits = Vec::new();
    while let Some(at) = work.pop() {
        let insn = decode(&code[at..])?;
        let next = at + insn.len;
        let after = step(states[at].as_ref()?, insn.effect)?;
        let mut target = |rel: i64| {
            let t = next as i64 + rel;
            // Jumps leaving the range (patched holes) are not followed.
            let inside = (0..code.len() as i64).contains(&t);
            if !inside {
                exits.push((t, after.clone()));
            }
            inside.then_some(t as usize)
        };
        let (fall, jump) = match insn.effect {
            Effect::Ret | Effect::Stop => (None, None),
            Effect::Jump(rel) => (None, target(rel)),
            Effect::CondJump(rel) => (Some(next), target(rel)),
            _ => (Some(next), None),
        };
        // Falling off the end goes into the next range.
        for s in [fall, jump]
            .into_iter()
            .flatten()
            .filter(|&s| s < code.len())
        {
            match &states[s] {
                Some(existing) if *existing != after => return None,
                Some(_) => {}
                None => {
                    states[s] = Some(after.clone());
                    work.push(s);
                }
            }
        }
    }
    exits.sort_by_key(|&(t, _)| t);
    Some(Analysis {
        states: states
            .into_iter()
            .enumerate()
            .filter_map(|(at, s)| s.map(|s| (at, s)))
            .collect(),
        exits,
    })
}

/// The frame after one instruction.
fn step(state: &FrameState, effect: Effect) -> Option<FrameState> {
    let mut s = state.clone();
    let set_depth = |s: &mut FrameState, d: i32| {
        s.depth = Some(d);
        if !s.cfa_rbp {
            s.cfa_offset = d;
        }
    };
    match effect {
        Effect::Push(r) => {
            let d = s.depth? + 8;
            set_depth(&mut s, d);
            s.save(dwarf_register(r), -d);
        }
        Effect::Pop(r) => {
            let d = match s.depth {
                Some(d) => d,
                // rbp-based frames: `pop rbp` runs with rsp at the saved rbp.
                None if s.cfa_rbp && r == RBP => s.cfa_offset,
                None if s.cfa_rbp => {
                    s.restore(dwarf_register(r));
                    return Some(s);
                }
                None => return None,
            };
            s.restore(dwarf_register(r));
            if r == RBP && s.cfa_rbp {
                s.cfa_rbp = false;
            }
            set_depth(&mut s, d - 8);
        }
        Effect::MovRbpRsp => {
            s.cfa_rbp = true;
            s.cfa_offset = s.depth?;
        }
        Effect::Leave => {
            if !s.cfa_rbp {
                return None;
            }
            s.cfa_rbp = false;
            s.restore(dwarf_register(RBP));
            let d = s.cfa_offset - 8;
            set_depth(&mut s, d);
        }
        Effect::SubRsp(v) => {
            let d = s.depth?.checked_add(v)?;
            set_depth(&mut s, d);
            // Slots released by the adjustment (a `push rax` that only
            // aligned the stack, undone by `add rsp, 8`) no longer hold
            // anything.
            s.saved.retain(|&(_, off)| off >= -d);
        }
        Effect::WritesRsp => {
            if !s.cfa_rbp {
                return None;
            }
            s.depth = None;
        }
        Effect::Plain | Effect::Ret | Effect::Jump(_) | Effect::CondJump(_) | Effect::Stop => {}
    }
    (s.cfa_offset > 0).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rbp_frame() -> FrameState {
        FrameState {
            cfa_rbp: true,
            cfa_offset: 16,
            depth: Some(16),
            saved: vec![(6, -16)],
        }
    }

    #[test]
    fn follows_both_exits_of_a_guard() {
        // push rbp; mov rbp, rsp; test al, 1; je +6; pop rbp; jmp out;
        // pop rbp; jmp out   (the shape of _GUARD_BOTH_INT)
        let code = [
            0x55, 0x48, 0x89, 0xe5, 0xa8, 0x01, 0x74, 0x06, 0x5d, 0xe9, 0, 0, 0, 0x40, 0x5d, 0xe9,
            0, 0, 0, 0x40,
        ];
        let states: BTreeMap<_, _> = analyse(&code).unwrap().into_iter().collect();
        assert_eq!(states[&0], FrameState::entry());
        assert_eq!(states[&1].cfa_offset, 16);
        assert!(!states[&1].cfa_rbp);
        assert_eq!(states[&4], rbp_frame());
        assert_eq!(states[&8], rbp_frame());
        assert_eq!(states[&14], rbp_frame(), "reached only by the je");
        assert_eq!(states[&9], FrameState::entry());
        assert_eq!(states[&15], FrameState::entry());
    }

    #[test]
    fn shrink_wrapped_frame_ends_at_its_pop() {
        // test al, 1; jne +5; push rbp; mov rbp, rsp; inc [rax]; pop rbp; nop
        let code = [
            0xa8, 0x01, 0x75, 0x08, 0x55, 0x48, 0x89, 0xe5, 0x48, 0xff, 0x00, 0x5d, 0x90,
        ];
        let states: BTreeMap<_, _> = analyse(&code).unwrap().into_iter().collect();
        assert_eq!(states[&8], rbp_frame());
        assert_eq!(states[&11], rbp_frame());
        assert_eq!(
            states[&12],
            FrameState::entry(),
            "both paths meet frameless"
        );
    }

    #[test]
    fn callee_saved_pushes_are_recorded() {
        // push rbp; mov rbp, rsp; push r15; push rbx; sub rsp, 8; add rsp, 8;
        // pop rbx; pop r15; pop rbp; ret
        let code = [
            0x55, 0x48, 0x89, 0xe5, 0x41, 0x57, 0x53, 0x48, 0x83, 0xec, 0x08, 0x48, 0x83, 0xc4,
            0x08, 0x5b, 0x41, 0x5f, 0x5d, 0xc3,
        ];
        let states: BTreeMap<_, _> = analyse(&code).unwrap().into_iter().collect();
        let body = &states[&11];
        assert!(body.cfa_rbp);
        assert_eq!(body.saved, [(3, -32), (6, -16), (15, -24)]);
        assert_eq!(body.depth, Some(40));
        assert_eq!(states[&19], FrameState::entry());
    }

    #[test]
    fn a_push_undone_by_a_stack_adjustment_is_forgotten() {
        // push rax; call rax; lea rsp, [rsp+8]; ret   (the shape of a ghc
        // stencil that aligns the stack for a helper call)
        let code = [0x50, 0xff, 0xd0, 0x48, 0x8d, 0x64, 0x24, 0x08, 0xc3];
        let states: BTreeMap<_, _> = analyse(&code).unwrap().into_iter().collect();
        assert_eq!(states[&1].depth, Some(16));
        assert_eq!(states[&1].saved, [(0, -16)]);
        assert_eq!(states[&8], FrameState::entry());
    }

    #[test]
    fn gives_up_on_unknown_code_and_conflicting_paths() {
        assert_eq!(analyse(&[0xc5, 0xf8, 0x77]), None);
        // je +1; push rbp; nop: the nop is reached with two different frames.
        assert_eq!(analyse(&[0x74, 0x01, 0x55, 0x90]), None);
    }
}
