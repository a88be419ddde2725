//! The emitter against a deliberately plain reference: for every committed
//! target's stencils and many random traces, [`Emitter`] must produce
//! exactly the bytes of copying each body where the seed's layout puts it
//! and patching every hole with [`patch::patch`], one by one.

use super::*;
use crate::jit::patch;
use crate::jit::stencil_sets;
use cpjit_abi::stencil::{HoleValue, StencilGroup};

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Every symbol any group of `set` names, each at its own address near `base`.
fn symbols_for(set: &StencilSet, base: u64) -> SymbolTable {
    symbols_except(set, base, "")
}

/// [`symbols_for`] without the symbol `skip`.
fn symbols_except(set: &StencilSet, base: u64, skip: &str) -> SymbolTable {
    let mut names = std::collections::BTreeSet::new();
    for g in [&set.trampoline, &set.fatal_error]
        .into_iter()
        .chain(set.uops)
    {
        for h in g.code.holes.iter().chain(g.data.holes) {
            names.extend(h.symbol);
        }
    }
    names
        .iter()
        .enumerate()
        .filter(|(_, name)| **name != skip)
        .fold(SymbolTable::new(), |t, (i, name)| {
            t.with(*name, base + 0x10_0000 + 0x100 * (i as u64 + 1))
        })
}

/// The uops `set` can emit.
fn emittable(set: &StencilSet) -> Vec<Uop> {
    Uop::ALL
        .iter()
        .copied()
        .filter(|&u| {
            set.uops
                .get(u as usize)
                .is_some_and(|g| !g.code.body.is_empty() || u == Uop::NOP)
        })
        .collect()
}

/// A random trace of `n` emittable uops with random arguments.
fn random_trace(rng: &mut Rng, uops: &[Uop], n: usize, operand: u64) -> Vec<UopInstruction> {
    (0..n)
        .map(|_| {
            UopInstruction::new(uops[rng.below(uops.len() as u64) as usize])
                .oparg(rng.below(1000) as u32)
                .operand(operand + 8 * rng.below(16))
                .target(rng.below(5000) as u32)
                .jump_target(rng.below(n as u64) as u32)
                .error_target(rng.below(n as u64) as u32)
                .exit_index(rng.below(n as u64) as u32)
        })
        .collect()
}

/// The reference: lays out and patches one hole at a time.
fn reference(
    set: &StencilSet,
    symbols: &SymbolTable,
    trace: &[UopInstruction],
    base: u64,
    executor: u64,
) -> Vec<u8> {
    let groups: Vec<&StencilGroup> = std::iter::once(&set.trampoline)
        .chain(trace.iter().map(|i| &set.uops[i.opcode as usize]))
        .chain(std::iter::once(&set.fatal_error))
        .collect();
    let mut code = Vec::new();
    let mut data = Vec::new();
    let mut max_align = 1;
    let (mut c, mut d) = (0usize, 0usize);
    for g in &groups {
        let align = g.data_align.max(1) as usize;
        max_align = max_align.max(align);
        d = d.next_multiple_of(align);
        code.push(c);
        data.push(d);
        c += g.code.body.len();
        d += g.data.body.len();
    }
    let data_base = c.next_multiple_of(max_align);
    let mut buf = vec![0u8; data_base + d];
    let wide = !is_32_bit(set.target);
    let n = trace.len();
    for (k, g) in groups.iter().enumerate() {
        let (c, d) = (code[k], data_base + data[k]);
        buf[c..c + g.code.body.len()].copy_from_slice(g.code.body);
        buf[d..d + g.data.body.len()].copy_from_slice(g.data.body);
        let ins = (1..=n).contains(&k).then(|| trace[k - 1]);
        let next = if k == n + 1 { c } else { code[k + 1] };
        let value = |v: HoleValue| -> u64 {
            let a = |i: usize| base + code[i] as u64;
            match (v, ins) {
                (HoleValue::Code, _) => base + c as u64,
                (HoleValue::Continue, _) => base + next as u64,
                (HoleValue::Data, _) => base + d as u64,
                (HoleValue::Executor, _) => executor,
                (HoleValue::Top, _) => a(1),
                (HoleValue::Zero, _) => 0,
                (_, None) => 0,
                (HoleValue::Oparg, Some(i)) => i.oparg as u64,
                (HoleValue::Operand, Some(i)) if wide => i.operand,
                (HoleValue::Operand, Some(i)) => i.operand & 0xFFFF_FFFF,
                (HoleValue::OperandHi, Some(i)) => i.operand >> 32,
                (HoleValue::Target, Some(i)) => i.target as u64,
                (HoleValue::JumpTarget, Some(i)) => a(i.jump_target as usize + 1),
                (HoleValue::ErrorTarget, Some(i)) => a(i.error_target as usize + 1),
                (HoleValue::ExitIndex, Some(i)) => i.exit_index as u64,
            }
        };
        for (holes, at) in [(g.data.holes, d), (g.code.holes, c)] {
            for h in holes {
                let s = h.symbol.map_or(0, |s| symbols.get(s).unwrap());
                let v = value(h.value).wrapping_add(s).wrapping_add(h.addend as u64);
                patch::patch(h.kind, &mut buf, at + h.offset as usize, base, v).unwrap();
            }
        }
    }
    buf
}

#[test]
fn emission_matches_the_reference_on_every_target() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for available in stencil_sets::available() {
        let set = available.set;
        let wide = !is_32_bit(set.target);
        let base: u64 = if wide { 0x7f12_3456_0040 } else { 0x1000_0040 };
        let symbols = symbols_for(set, base);
        let generated = Emitter::new(set, &symbols).unwrap();
        // Every set this binary carries has generated emit functions.
        assert!(generated.is_generated(), "{}", set.target);
        let tables = Emitter::table_driven(set, &symbols).unwrap();
        assert!(!tables.is_generated());
        let uops = emittable(set);
        // Operands near the code: `_CALL_HELPER` calls its operand directly.
        let operand = base + 0x10_0008;
        let mut layout = Layout::default();
        for n in [1usize, 2, 3, 10, 37, 100, 400] {
            let trace = random_trace(&mut rng, &uops, n, operand);
            let want = reference(set, &symbols, &trace, base, base + 0x20_0000);
            for (path, emitter) in [("generated", &generated), ("tables", &tables)] {
                emitter.layout_into(&trace, &mut layout).unwrap();
                // Stale bytes from an earlier executor must all be overwritten.
                let mut buf = vec![0xA5u8; layout.total_size];
                match emitter.generated {
                    // The generated path on its own, without the fallback.
                    Some(g) => assert!(
                        emitter
                            .emit_generated(g, &trace, &layout, &mut buf, base, base + 0x20_0000)
                            .is_some(),
                        "{} {path}: generated emission gave up",
                        set.target
                    ),
                    None => emitter
                        .emit(&trace, &layout, &mut buf, base, base + 0x20_0000)
                        .unwrap_or_else(|e| panic!("{} {path}: {e}", set.target)),
                }
                assert_eq!(buf.len(), want.len(), "{} {path} n={n}", set.target);
                if let Some(i) = (0..buf.len()).find(|&i| buf[i] != want[i]) {
                    panic!("{} {path} n={n}: first difference at byte {i}", set.target);
                }
            }
            // What `compile` does: the plan, then emission into the block.
            let mut plan = Layout::default();
            generated.plan(&trace, &mut plan).unwrap();
            let mut buf = vec![0xA5u8; plan.total_size];
            generated
                .emit_into(&trace, &mut plan, &mut buf, base, base + 0x20_0000)
                .unwrap_or_else(|e| panic!("{} plan: {e}", set.target));
            if let Some(i) = (0..want.len().max(buf.len())).find(|&i| buf.get(i) != want.get(i)) {
                panic!("{} plan n={n}: first difference at byte {i}", set.target);
            }
        }
    }
}

/// The plan (sizes and places only, the checks left to emission) agrees
/// with the full first pass on every target, and a bad trace that the plan
/// lets through is reported by `emit_into` exactly as `layout` reports it.
#[test]
fn the_plan_agrees_with_the_layout_and_emission_reports_what_it_skips() {
    let mut rng = Rng(0x5851_F42D_4C95_7F2D);
    for available in stencil_sets::available() {
        let set = available.set;
        let base = 0x7f12_3456_0040u64;
        let symbols = symbols_for(set, base);
        let emitter = Emitter::new(set, &symbols).unwrap();
        let uops = emittable(set);
        let (mut plan, mut full) = (Layout::default(), Layout::default());
        for n in [1usize, 2, 9, 120] {
            let trace = random_trace(&mut rng, &uops, n, base + 0x10_0008);
            emitter.plan(&trace, &mut plan).unwrap();
            emitter.layout_into(&trace, &mut full).unwrap();
            assert_eq!(plan.slots, full.slots, "{} n={n}", set.target);
            assert_eq!(
                (plan.code_size, plan.data_base, plan.total_size),
                (full.code_size, full.data_base, full.total_size),
                "{} n={n}",
                set.target
            );
            // A target outside the trace, in the middle, is the same error
            // (whether or not that uop reads its target): just past the
            // end, far past it, in either field.
            for (jump, error) in [
                (n as u32, 0),
                (0, n as u32),
                (n as u32 + 3, n as u32 - 1),
                (u32::MAX, 0),
                (0, 1 << 31),
                ((1 << 31) - 1, (1 << 31) + 1),
            ] {
                let mut bad = trace.clone();
                bad[n / 2].jump_target = jump;
                bad[n / 2].error_target = error;
                let want = format!("{:?}", emitter.layout(&bad).unwrap_err());
                assert!(want.contains("BadTarget"), "{want}");
                let got = format!("{:?}", emitter.plan(&bad, &mut plan).unwrap_err());
                assert_eq!(got, want, "{}", set.target);
            }
            // The last uop as a target is fine.
            let mut edge = trace.clone();
            edge[0].jump_target = n as u32 - 1;
            edge[0].error_target = n as u32 - 1;
            emitter.plan(&edge, &mut plan).unwrap();
            // A plan made for another trace of another size.
            let longer: Vec<_> = trace.iter().chain(&trace).copied().collect();
            emitter.plan(&trace, &mut plan).unwrap();
            let mut buf = vec![0u8; plan.total_size];
            let got = emitter.emit_into(&longer, &mut plan, &mut buf, base, 0);
            assert!(
                matches!(got, Err(JitError::BadStencil(_))),
                "{}: {got:?}",
                set.target
            );
        }
        // A uop whose runtime symbol is missing (`cpjit_true`, which only
        // uops producing a bool name): planned, then refused by emission.
        let missing = Emitter::new(set, &symbols_except(set, base, "cpjit_true")).unwrap();
        let mut refused = 0;
        for &u in &uops {
            let trace = [UopInstruction::new(Uop::NOP), UopInstruction::new(u)];
            let want = missing.layout(&trace).map(|_| ());
            if want.is_ok() {
                continue;
            }
            refused += 1;
            missing.plan(&trace, &mut plan).unwrap();
            let mut buf = vec![0u8; plan.total_size];
            let got = missing.emit_into(&trace, &mut plan, &mut buf, base, 0);
            assert_eq!(
                format!("{got:?}"),
                format!("{want:?}"),
                "{} {}",
                set.target,
                u.name()
            );
        }
        assert!(refused > 0, "{}: no uop names cpjit_true", set.target);
    }
}

#[test]
fn a_layout_for_another_trace_is_an_error_not_a_bad_block() {
    let set = &crate::jit::stencils::HOST;
    let symbols = symbols_for(set, 0x7f00_0000_0000);
    let emitter = Emitter::new(set, &symbols).unwrap();
    let short = [UopInstruction::new(Uop::DEOPT)];
    let long = [
        UopInstruction::new(Uop::LOAD_FAST),
        UopInstruction::new(Uop::DEOPT),
    ];
    let swapped = [
        UopInstruction::new(Uop::STORE_FAST),
        UopInstruction::new(Uop::DEOPT),
    ];
    let layout = emitter.layout(&long).unwrap();
    let mut buf = vec![0u8; layout.total_size];
    for trace in [&short[..], &swapped[..]] {
        assert!(matches!(
            emitter.emit(trace, &layout, &mut buf, 0x7f00_0000_0000, 0),
            Err(JitError::BadStencil(_))
        ));
    }
    let mut small = vec![0u8; layout.total_size - 1];
    assert!(emitter
        .emit(&long, &layout, &mut small, 0x7f00_0000_0000, 0)
        .is_err());
}

#[test]
fn layout_reports_the_first_bad_instruction() {
    let set = &crate::jit::stencils::HOST;
    let symbols = symbols_for(set, 0x7f00_0000_0000);
    let emitter = Emitter::new(set, &symbols).unwrap();
    let trace = [
        UopInstruction::new(Uop::LOAD_FAST),
        UopInstruction::new(Uop::GUARD_BOTH_INT).jump_target(9),
        UopInstruction::new(Uop::DEOPT).error_target(7),
    ];
    assert!(matches!(
        emitter.layout(&trace),
        Err(JitError::BadTarget {
            index: 1,
            target: 9,
            len: 3
        })
    ));
    // A stencil whose runtime symbol is missing cannot be emitted.
    let emitter = Emitter::new(set, &SymbolTable::new()).unwrap();
    assert!(matches!(
        emitter.layout(&[UopInstruction::new(Uop::DEOPT)]),
        Err(JitError::UnresolvedSymbol(_))
    ));
}

#[test]
fn the_packed_and_the_general_layout_agree() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for available in stencil_sets::available() {
        let set = available.set;
        let symbols = symbols_for(set, 0x7f12_3456_0040);
        let emitter = Emitter::new(set, &symbols).unwrap();
        let uops = emittable(set);
        let (mut packed, mut general) = (Layout::default(), Layout::default());
        for n in [1usize, 2, 7, 64, 300] {
            let trace = random_trace(&mut rng, &uops, n, 0);
            emitter.layout_general(&trace, &mut general).unwrap();
            if !emitter.uniform_data {
                continue;
            }
            emitter.layout_packed(&trace, &mut packed).unwrap();
            assert_eq!(packed.slots, general.slots, "{} n={n}", set.target);
            assert_eq!(
                (packed.code_size, packed.data_base, packed.total_size),
                (general.code_size, general.data_base, general.total_size),
                "{} n={n}",
                set.target
            );
            // A bad target and an unusable uop are the same error on both.
            let mut bad = trace.clone();
            bad[n / 2].error_target = n as u32;
            let errors = (
                emitter.layout_packed(&bad, &mut packed),
                emitter.layout_general(&bad, &mut general),
            );
            assert!(
                matches!(
                    errors,
                    (
                        Err(JitError::BadTarget { index: a, .. }),
                        Err(JitError::BadTarget { index: b, .. })
                    ) if a == n / 2 && b == n / 2
                ),
                "{} n={n}: {errors:?}",
                set.target
            );
        }
        let missing = Emitter::new(set, &SymbolTable::new()).unwrap();
        let trace = [UopInstruction::new(Uop::DEOPT)];
        let (mut a, mut b) = (Layout::default(), Layout::default());
        assert_eq!(
            format!("{:?}", missing.layout_packed(&trace, &mut a)),
            format!("{:?}", missing.layout_general(&trace, &mut b)),
            "{}",
            set.target
        );
    }
}
