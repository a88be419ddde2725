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

/// A random trace of `n` emittable uops with random arguments (a local's
/// index as the operand of a uop whose operand names one or is a 32-bit
/// immediate).
fn random_trace(
    rng: &mut Rng,
    set: &StencilSet,
    uops: &[Uop],
    n: usize,
    operand: u64,
) -> Vec<UopInstruction> {
    (0..n)
        .map(|_| {
            let u = uops[rng.below(uops.len() as u64) as usize];
            let g = &set.uops[u as usize];
            let local = g.uses(HoleValue::OperandBytes) || g.uses(HoleValue::OperandI32);
            UopInstruction::new(u)
                .oparg(rng.below(1000) as u32)
                .operand(if local {
                    rng.below(1000)
                } else {
                    operand + 8 * rng.below(16)
                })
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
                (HoleValue::OpargBytes, Some(i)) => (i.oparg as u64) << 3,
                (HoleValue::OperandBytes, Some(i)) => i.operand << 3,
                (HoleValue::OperandI32, Some(i)) => i.operand,
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

/// Plans `trace` with `e` and emits it into a block of the planned size:
/// the first error of either (the plan's fast loop leaves targets to
/// `Plan::emit`).
fn plan_and_emit(e: &Emitter, trace: &[UopInstruction]) -> Result<(), JitError> {
    let mut layout = Layout::default();
    let mut plan = e.plan(trace, &mut layout)?;
    let mut buf = vec![0u8; plan.total_size()];
    plan.emit(&mut buf, 0x7f12_3456_0040, 0x7f12_3466_0040)
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
            let trace = random_trace(&mut rng, set, &uops, n, operand);
            let want = reference(set, &symbols, &trace, base, base + 0x20_0000);
            for (path, emitter) in [("generated", &generated), ("tables", &tables)] {
                emitter.layout_into(&trace, &mut layout).unwrap();
                // Stale bytes from an earlier executor must all be overwritten.
                let mut buf = vec![0xA5u8; layout.total_size];
                match emitter.generated {
                    // The generated path on its own, without the fallback.
                    Some(g) => assert!(
                        emitter
                            .emit_generated(
                                &trace,
                                &layout,
                                &mut buf,
                                base,
                                base + 0x20_0000,
                                true,
                                |s, t| Emitter::checked_trace(g, &layout, s, t)
                            )
                            .is_some(),
                        "{} {path}: generated emission gave up",
                        set.target
                    ),
                    None => emitter
                        .emit_into(&trace, &mut layout, &mut buf, base, base + 0x20_0000)
                        .unwrap_or_else(|e| panic!("{} {path}: {e}", set.target)),
                }
                assert_eq!(buf.len(), want.len(), "{} {path} n={n}", set.target);
                if let Some(i) = (0..buf.len()).find(|&i| buf[i] != want[i]) {
                    panic!("{} {path} n={n}: first difference at byte {i}", set.target);
                }
            }
            // What `compile` does: the plan, then emission into the block
            // (without bounds checks: every committed set's generated
            // functions write exactly the planned sizes).
            assert!(generated.unchecked, "{}: sizes not verified", set.target);
            let mut planned = Layout::default();
            let mut plan = generated.plan(&trace, &mut planned).unwrap();
            assert!(plan.unchecked, "{}", set.target);
            let mut buf = vec![0xA5u8; plan.total_size()];
            plan.emit(&mut buf, base, base + 0x20_0000)
                .unwrap_or_else(|e| panic!("{} plan: {e}", set.target));
            if let Some(i) = (0..want.len().max(buf.len())).find(|&i| buf.get(i) != want.get(i)) {
                panic!("{} plan n={n}: first difference at byte {i}", set.target);
            }
            // The same plan through the checked loop.
            let mut buf = vec![0xA5u8; planned.total_size];
            generated
                .emit_into(&trace, &mut planned, &mut buf, base, base + 0x20_0000)
                .unwrap_or_else(|e| panic!("{} emit_into: {e}", set.target));
            if let Some(i) = (0..want.len().max(buf.len())).find(|&i| buf.get(i) != want.get(i)) {
                panic!(
                    "{} emit_into n={n}: first difference at byte {i}",
                    set.target
                );
            }
        }
    }
}

/// The plan (one running sum, the checks OR-ed into one word) agrees with
/// the full first pass on every target, errors included, and `emit_into`
/// refuses a layout made for another trace.
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
            let trace = random_trace(&mut rng, set, &uops, n, base + 0x10_0008);
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
            // (whether or not that uop reads its target), from the plan and
            // its emission (the plan's fast loop leaves targets to
            // `Plan::emit`): just past the end, far past it, in either
            // field.
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
                let got = format!("{:?}", plan_and_emit(&emitter, &bad).unwrap_err());
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
        // uops producing a bool name): refused by the plan as by the
        // layout, wherever it stands (also behind a bad target, which the
        // first bad instruction's error names).
        let missing = Emitter::new(set, &symbols_except(set, base, "cpjit_true")).unwrap();
        let mut refused = 0;
        for &u in &uops {
            for trace in [
                vec![UopInstruction::new(Uop::NOP), UopInstruction::new(u)],
                vec![UopInstruction::new(u); 5],
                // Even counts too, and the longest trace the plan's fast
                // loop takes: flagged sizes must not cancel out.
                vec![UopInstruction::new(u); 2],
                vec![UopInstruction::new(u); missing.fast_limit.min(1 << 16)],
                vec![
                    UopInstruction::new(Uop::NOP).jump_target(7),
                    UopInstruction::new(u),
                ],
            ] {
                let want = missing.layout(&trace).map(|_| ());
                if want.is_ok() {
                    continue;
                }
                refused += 1;
                let got = plan_and_emit(&missing, &trace);
                assert_eq!(
                    format!("{got:?}"),
                    format!("{want:?}"),
                    "{} {}",
                    set.target,
                    u.name()
                );
            }
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
            emitter.emit_into(trace, &mut layout.clone(), &mut buf, 0x7f00_0000_0000, 0),
            Err(JitError::BadStencil(_))
        ));
    }
    let mut small = vec![0u8; layout.total_size - 1];
    assert!(emitter
        .emit_into(&long, &mut layout.clone(), &mut small, 0x7f00_0000_0000, 0)
        .is_err());
    // A plan checks the block's size once.
    let mut planned = Layout::default();
    let mut plan = emitter.plan(&long, &mut planned).unwrap();
    assert!(plan.emit(&mut small, 0x7f00_0000_0000, 0).is_err());
    let mut large = vec![0u8; plan.total_size() + 1];
    assert!(plan.emit(&mut large, 0x7f00_0000_0000, 0).is_err());
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
            let trace = random_trace(&mut rng, set, &uops, n, 0);
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

/// Emitting without bounds checks rests on each generated function
/// copying exactly the sizes the plan sums: the check finds one byte too
/// many or too few, of code or of data, for any uop, and an alignment
/// beyond the set's.
#[test]
fn emission_without_checks_needs_every_size_verified() {
    for available in stencil_sets::available() {
        let set = available.set;
        let emitter = Emitter::new(set, &symbols_for(set, 0x7f12_3456_0040)).unwrap();
        assert!(emitter.unchecked, "{}", set.target);
        let g = emitter.generated.unwrap();
        let frame =
            [&emitter.trampoline, &emitter.fatal_error].map(|p| pack(p.code_len, p.data_len));
        let verify = |packed: &[u64; UOP_COUNT], mask: u32| {
            Emitter::verify_sizes(g, packed, &emitter.usable, frame, mask)
        };
        // The trampoline's and the guard's sizes too.
        for k in 0..2 {
            for delta in [1u64, 1 << 32] {
                let mut f = frame;
                f[k] = f[k].wrapping_add(delta);
                let wrong = Emitter::verify_sizes(
                    g,
                    &emitter.packed,
                    &emitter.usable,
                    f,
                    emitter.max_align_mask,
                );
                assert!(!wrong, "{} frame {k}", set.target);
            }
        }
        assert!(verify(&emitter.packed, emitter.max_align_mask));
        for op in (0..UOP_COUNT).filter(|&op| emitter.usable[op]) {
            for delta in [1u64, 1 << 32] {
                let mut packed = emitter.packed.clone();
                packed[op] = packed[op].wrapping_add(delta);
                assert!(!verify(&packed, emitter.max_align_mask), "{op}");
                packed[op] = packed[op].wrapping_sub(2 * delta);
                assert!(!verify(&packed, emitter.max_align_mask), "{op}");
            }
        }
        if emitter.max_align_mask > 0 {
            assert!(!verify(&emitter.packed, 0), "{}", set.target);
        }
        // Without the verification, a plan is emitted through the checked
        // loop, to the same bytes.
        let base: u64 = if is_32_bit(set.target) {
            0x1000_0040
        } else {
            0x7f12_3456_0040
        };
        let emitter = Emitter::new(set, &symbols_for(set, base)).unwrap();
        let mut checked = Emitter::new(set, &symbols_for(set, base)).unwrap();
        checked.unchecked = false;
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        let trace = random_trace(&mut rng, set, &emittable(set), 50, base + 0x10_0008);
        let (mut a, mut b) = (Layout::default(), Layout::default());
        let (mut pa, mut pb) = (
            emitter.plan(&trace, &mut a).unwrap(),
            checked.plan(&trace, &mut b).unwrap(),
        );
        assert!(pa.unchecked && !pb.unchecked);
        let (mut x, mut y) = (vec![1u8; pa.total_size()], vec![2u8; pb.total_size()]);
        pa.emit(&mut x, base, 0).unwrap();
        pb.emit(&mut y, base, 0).unwrap();
        assert!(x == y, "{}", set.target);
    }
}

/// A planned trace that the generated functions give up on (a value they
/// cannot patch: on i686 a symbol above 4 GiB for a 32-bit absolute hole)
/// is reported as the table-driven path reports it, and the plan is not
/// emitted without checks again (its layout may have been redone).
#[test]
fn a_planned_trace_the_generated_path_gives_up_on_is_explained() {
    let set = stencil_sets::available()
        .into_iter()
        .map(|a| a.set)
        .find(|s| is_32_bit(s.target))
        .expect("a 32-bit target");
    // Every symbol above 4 GiB.
    let symbols = symbols_for(set, 0x1_0000_0000);
    let emitter = Emitter::new(set, &symbols).unwrap();
    let tables = Emitter::table_driven(set, &symbols).unwrap();
    let trace = [
        UopInstruction::new(Uop::LOAD_FAST),
        UopInstruction::new(Uop::POP_TOP),
        UopInstruction::new(Uop::DEOPT),
    ];
    let base = 0x1000_0040;
    let mut planned = Layout::default();
    let mut plan = emitter.plan(&trace, &mut planned).unwrap();
    assert!(plan.unchecked);
    let mut buf = vec![0u8; plan.total_size()];
    let got = plan.emit(&mut buf, base, 0);
    assert!(!plan.unchecked);
    let mut layout = tables.layout(&trace).unwrap();
    let want = tables.emit_into(&trace, &mut layout, &mut buf, base, 0);
    assert!(
        matches!(got, Err(JitError::PatchOutOfRange { .. })),
        "{got:?}"
    );
    assert_eq!(format!("{got:?}"), format!("{want:?}"));
}

/// The unusable flag of packed sums: usable sums stay below it, and no sum
/// of at most `limit` sizes carries out of its half, for frames and sizes
/// from tiny to the largest.
#[test]
fn the_unusable_flag_is_above_every_usable_sum_and_never_carries() {
    let top = u32::MAX as u64;
    for first in [
        (0u32, 0u32),
        (40, 8),
        (300, 64),
        (1 << 20, 1 << 16),
        (u32::MAX, u32::MAX),
    ] {
        for max in [
            (1u64, 1u64),
            (64, 8),
            (700, 48),
            (1 << 20, 1 << 12),
            (1 << 31, 1 << 31),
        ] {
            let (flag, limit) = unusable_flag(first, max);
            let what = format!("first={first:?} max={max:?}: flag={flag} limit={limit}");
            assert!(flag.is_power_of_two() && flag < 1 << 32, "{what}");
            if limit == 0 {
                continue;
            }
            assert!(first.1 as u64 + limit * max.1 < flag, "{what}");
            assert!(first.1 as u64 + limit * flag <= top, "{what}");
            assert!(first.0 as u64 + limit * max.0 <= top, "{what}");
        }
    }
    // Traces as long as the benchmarks' fit for a typical set.
    assert!(unusable_flag((40, 8), (700, 48)).1 >= 1000);
}

/// Every committed set lays out traces of at least 1,000 uops in the fast
/// loop.
#[test]
fn committed_sets_keep_a_long_fast_loop() {
    for available in stencil_sets::available() {
        let set = available.set;
        let emitter = Emitter::new(set, &symbols_for(set, 0x7f12_3456_0040)).unwrap();
        assert!(
            emitter.fast_limit >= 1000,
            "{}: {}",
            set.target,
            emitter.fast_limit
        );
    }
}

/// The plan's one comparison (`fast_plan_limit`) sends every trace it
/// cannot lay out quickly to the full first pass, which refuses it the
/// same way before any block exists: an empty trace, and on every target
/// a trampoline or guard whose runtime symbol is missing (the fast limit
/// is then 0), whatever the trace's length.
#[test]
fn the_plan_refuses_an_empty_trace_and_an_unusable_frame() {
    for available in stencil_sets::available() {
        let set = available.set;
        let base = 0x7f12_3456_0040u64;
        let symbols = symbols_for(set, base);
        let emitter = Emitter::new(set, &symbols).unwrap();
        assert!(emitter.fast_plan_limit > 0, "{}", set.target);
        let mut layout = Layout::default();
        let got = emitter.plan(&[], &mut layout).map(|_| ());
        assert!(matches!(got, Err(JitError::EmptyTrace)), "{got:?}");
        let frame_symbols: Vec<&str> = [&set.trampoline, &set.fatal_error]
            .into_iter()
            .flat_map(|g| g.code.holes.iter().chain(g.data.holes))
            .filter_map(|h| h.symbol)
            .collect();
        assert!(!frame_symbols.is_empty(), "{}", set.target);
        for sym in frame_symbols {
            let missing = Emitter::new(set, &symbols_except(set, base, sym)).unwrap();
            assert_eq!(missing.fast_plan_limit, 0, "{} {sym}", set.target);
            for n in [1usize, 4, 100] {
                let trace = vec![UopInstruction::new(Uop::NOP); n];
                let got = missing.plan(&trace, &mut layout).map(|_| ());
                assert!(
                    matches!(got, Err(JitError::UnresolvedSymbol(s)) if s == sym),
                    "{} {sym} n={n}: {got:?}",
                    set.target
                );
            }
        }
    }
}

/// The host set's planned path gives the same bytes with the CPU's widest
/// copies (AVX-512 or AVX2 where it has them), with AVX2 copies and without
/// wide copies, and as the table-driven
/// path, byte for byte (blocks filled with a pattern first, so a byte
/// left unwritten shows).
#[test]
fn wide_and_narrow_copies_emit_the_same_bytes() {
    let set = &crate::jit::stencils::HOST;
    let base = 0x7f12_3456_0040u64;
    let symbols = symbols_for(set, base);
    let wide = Emitter::new(set, &symbols).unwrap();
    assert_eq!(
        wide.has_wide_copies(),
        wide_copies_available() > CopyWidth::Baseline
    );
    assert_eq!(wide.copy_width(), wide_copies_available());
    let narrow = Emitter::new(set, &symbols).unwrap().with_wide_copies(false);
    assert!(!narrow.has_wide_copies());
    // AVX2 where the CPU has AVX-512 too.
    let avx2 = Emitter::new(set, &symbols)
        .unwrap()
        .with_copies_at_most(CopyWidth::Avx2);
    assert!(avx2.copy_width() <= CopyWidth::Avx2);
    let tables = Emitter::table_driven(set, &symbols).unwrap();
    assert!(!tables.with_wide_copies(true).has_wide_copies());
    let tables = Emitter::table_driven(set, &symbols).unwrap();
    let uops = emittable(set);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for n in [1usize, 2, 7, 60, 300] {
        let trace = random_trace(&mut rng, set, &uops, n, base + 0x10_0008);
        let mut layout = tables.layout(&trace).unwrap();
        let mut want = vec![0x5Au8; layout.total_size];
        tables
            .emit_into(&trace, &mut layout, &mut want, base, base + 0x20_0000)
            .unwrap();
        for e in [&wide, &avx2, &narrow] {
            // A target outside the trace is an error at every width, on a
            // uop that reads it and on one that does not (`_NOP`): the
            // planned path checks every target as it emits.
            for (at, u) in [(n / 2, Uop::NOP), (n - 1, Uop::GUARD_BOTH_INT)] {
                let mut bad = trace.clone();
                bad[at] = UopInstruction::new(u).jump_target(n as u32);
                let got = plan_and_emit(e, &bad);
                assert!(
                    matches!(got, Err(JitError::BadTarget { index, .. }) if index == at),
                    "n={n} {:?} {}: {got:?}",
                    e.copy_width(),
                    u.name()
                );
            }
            let mut planned = Layout::default();
            let mut plan = e.plan(&trace, &mut planned).unwrap();
            assert!(plan.unchecked);
            let mut buf = vec![0xA5u8; plan.total_size()];
            plan.emit(&mut buf, base, base + 0x20_0000).unwrap();
            let wide = e.copy_width();
            if let Some(i) = (0..want.len().max(buf.len())).find(|&i| buf.get(i) != want.get(i)) {
                panic!("n={n} wide={wide:?}: first difference at byte {i}");
            }
        }
    }
}
