//! The host's stencils, generated at build time.
//!
//! `build.rs` compiles every IR template (`ir-templates`) for the target
//! being built with LLVM, harvests the object code into stencils and writes
//! them as Rust (`build-support`'s writer) into `OUT_DIR/host_stencils.rs`,
//! which is included here. The convention between stencils is the target's
//! default, or `CPJIT_STENCIL_CC=preserve-none|ghc|c` at build time.
//! [`HOST`]`.uops` is indexed by `Uop as usize`; each group's code starts
//! with its entry, and its disassembly is in the generated file's comments.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/host_stencils.rs"));
}

/// The host's stencil set (trampoline, `_FATAL_ERROR`, one group per uop).
pub use generated::STENCILS as HOST;

/// The host set's generated emit functions (`emit` in the generated file).
pub(crate) static HOST_EMIT: crate::jit::emitter::generated::GeneratedSet =
    crate::jit::emitter::generated::generated_set!(generated);

/// [`HOST_EMIT`]'s whole-trace function without bounds checks, as a
/// direct call the emitter can inline (the host set is the one every
/// trace of a VM uses; other sets go through their [`GeneratedSet`]'s
/// function pointer).
///
/// [`GeneratedSet`]: crate::jit::emitter::generated::GeneratedSet
///
/// # Safety
///
/// The contract of [`Sink::trace_unchecked`].
///
/// [`Sink::trace_unchecked`]: crate::jit::emitter::generated::Sink::trace_unchecked
#[inline(always)]
pub(crate) unsafe fn host_trace_unchecked<'a>(
    s: &mut crate::jit::emitter::generated::Sink<'a>,
    trace: &'a [crate::jit::UopInstruction],
) -> Option<()> {
    // SAFETY: the caller keeps `trace_unchecked`'s contract.
    unsafe {
        s.trace_unchecked(
            trace,
            generated::emit::trampoline,
            generated::emit::uop,
            generated::emit::fatal_error,
        )
    }
}

/// [`HOST_EMIT`]'s whole trace (trampoline, every uop, guard) on a sink
/// made unchecked for a planned block, inlined into its caller, which
/// `each` shows every instruction to first (to check its targets).
///
/// # Safety
///
/// The contract of [`Sink::trace_unchecked`], for `s`'s block and `trace`.
///
/// [`Sink::trace_unchecked`]: crate::jit::emitter::generated::Sink::trace_unchecked
#[inline(always)]
pub(crate) unsafe fn host_trace_planned<'a>(
    s: &mut crate::jit::emitter::generated::Sink<'a, false>,
    trace: &'a [crate::jit::UopInstruction],
    mut each: impl FnMut(&crate::jit::UopInstruction),
) -> Option<()> {
    // The generated functions are called directly (not passed as
    // closures, as `Sink::trace_here` takes them): a caller compiled with
    // other target features (`Emitter::emit_host_planned`'s AVX2 copy)
    // inlines them only so.
    generated::emit::trampoline(s)?;
    for ins in trace {
        each(ins);
        // SAFETY: the caller keeps `trace_unchecked`'s contract.
        unsafe { s.set_instruction(ins) };
        s.hide_base();
        generated::emit::uop(ins.opcode as usize, s)?;
    }
    s.clear_instruction();
    generated::emit::fatal_error(s)
}

#[cfg(test)]
mod tests {
    use super::HOST;
    use cpjit_abi::uop::Uop;

    #[test]
    fn host_set_has_a_group_per_uop_and_a_trampoline() {
        assert_eq!(HOST.uops.len(), Uop::ALL.len());
        assert!(!HOST.trampoline.code.body.is_empty());
        assert!(!HOST.fatal_error.code.body.is_empty());
        for g in [&HOST.trampoline, &HOST.fatal_error]
            .into_iter()
            .chain(HOST.uops.iter())
        {
            for h in g.code.holes {
                assert!((h.offset as usize) < g.code.body.len());
            }
            for h in g.data.holes {
                assert!((h.offset as usize) < g.data.body.len());
            }
        }
    }

    /// The real host stencils, emitted by the runtime and run natively: the
    /// templates' semantics as `jit-contract.md` states them.
    mod run {
        use super::HOST;
        use crate::abi::layout::{kind, status, Frame, IntObj, ObjHeader, ThreadState};
        use crate::abi::uop::Uop;
        use crate::abi::value::{
            decode_small_int, encode_small_int, IMMORTAL_REFCNT, SMALL_INT_MAX,
        };
        use crate::jit::{
            release_previous_executor, JitConfig, JitContext, SymbolTable, UopInstruction,
        };
        use std::sync::atomic::{AtomicUsize, Ordering};

        static mut TRUE: IntObj = obj(kind::BOOL, IMMORTAL_REFCNT as isize, 1);
        static mut FALSE: IntObj = obj(kind::BOOL, IMMORTAL_REFCNT as isize, 0);
        static DEALLOCS: AtomicUsize = AtomicUsize::new(0);

        const fn obj(kind: u32, refcnt: isize, value: i64) -> IntObj {
            IntObj {
                ob: ObjHeader {
                    refcnt,
                    kind,
                    flags: 0,
                },
                value,
            }
        }

        extern "C" fn dealloc(_v: u64) {
            DEALLOCS.fetch_add(1, Ordering::SeqCst);
        }

        fn jit() -> JitContext {
            let symbols = SymbolTable::new()
                .with("cpjit_dealloc", dealloc as *const () as u64)
                .with("cpjit_true", &raw const TRUE as u64)
                .with("cpjit_false", &raw const FALSE as u64);
            JitContext::new(JitConfig::default(), &HOST, &symbols).expect("host stencils load")
        }

        fn int(i: i64) -> u64 {
            encode_small_int(i).expect("small int")
        }

        fn ins(u: Uop) -> UopInstruction {
            UopInstruction::new(u)
        }

        /// Runs `trace` on a frame with `locals`; returns (status, instr, locals, stack).
        fn run(trace: &[UopInstruction], locals: &[u64]) -> (i64, u32, Vec<u64>, Vec<u64>) {
            let jit = jit();
            let executor = jit.compile(trace).expect("trace compiles");
            let header = std::mem::size_of::<Frame>() / 8;
            let mut words = vec![0u64; header + locals.len() + 8];
            words[header..header + locals.len()].copy_from_slice(locals);
            let frame = words.as_mut_ptr() as *mut Frame;
            // SAFETY: `frame` points at `words`, large enough for the header.
            unsafe { (*frame).nlocalsplus = locals.len() as u32 };
            let mut tstate = ThreadState {
                current_frame: frame,
                previous_executor: std::ptr::null_mut(),
                exit_executor: std::ptr::null_mut(),
                exit_index: 0,
                recursion_remaining: 1000,
                side_exit_threshold: 2,
                vm_data: std::ptr::null_mut(),
                data_top: std::ptr::null_mut(),
                data_limit: std::ptr::null_mut(),
            };
            // SAFETY: the stack starts after the locals, inside `words`.
            let sp0 = unsafe { (frame as *mut u64).add(header + locals.len()) };
            // SAFETY: frame, stack and thread state are live and large enough.
            let st = unsafe { executor.enter(frame, sp0, &mut tstate) }.expect("entered");
            // SAFETY: the thread state is live; its parked executor is ours.
            unsafe { release_previous_executor(&mut tstate) };
            // SAFETY: the frame is live; `stack_pointer` was written by the exit.
            let (instr, sp) = unsafe { ((*frame).instr, (*frame).stack_pointer) };
            let depth = (sp as usize - sp0 as usize) / 8;
            let stack = words[header + locals.len()..header + locals.len() + depth].to_vec();
            (
                st,
                instr,
                words[header..header + locals.len()].to_vec(),
                stack,
            )
        }

        /// `while i < n: i += 1; total += i` (the example in the contract).
        fn sum_loop() -> Vec<UopInstruction> {
            vec![
                ins(Uop::SET_IP).oparg(4),
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::LOAD_FAST).oparg(1),
                ins(Uop::GUARD_BOTH_INT).jump_target(16),
                ins(Uop::COMPARE_OP_INT).oparg(0),
                ins(Uop::GUARD_IS_TRUE_POP).jump_target(17),
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::LOAD_CONST).operand(int(1)),
                ins(Uop::GUARD_BOTH_INT).jump_target(16),
                ins(Uop::BINARY_OP_ADD_INT).jump_target(16),
                ins(Uop::STORE_FAST).oparg(0),
                ins(Uop::LOAD_FAST).oparg(2),
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::BINARY_OP_ADD_INT).jump_target(16),
                ins(Uop::STORE_FAST).oparg(2),
                ins(Uop::JUMP_TO_TOP),
                ins(Uop::DEOPT).target(4),
                ins(Uop::EXIT_TRACE).target(30).exit_index(0),
            ]
        }

        #[test]
        fn integer_loop_runs_to_its_exit() {
            let (st, instr, locals, stack) = run(&sum_loop(), &[int(0), int(1000), int(0)]);
            assert_eq!((st, instr), (status::EXIT, 30));
            assert_eq!(decode_small_int(locals[0]), 1000);
            assert_eq!(decode_small_int(locals[2]), 500_500);
            assert!(stack.is_empty());
        }

        #[test]
        fn overflow_deopts_with_the_stack_unchanged() {
            let near = SMALL_INT_MAX;
            let (st, instr, locals, stack) = run(&sum_loop(), &[int(0), int(10), int(near)]);
            assert_eq!((st, instr), (status::EXIT, 4));
            assert_eq!(decode_small_int(locals[0]), 1);
            // The failed add left both operands on the stack.
            assert_eq!(
                stack
                    .iter()
                    .map(|v| decode_small_int(*v))
                    .collect::<Vec<_>>(),
                [near, 1]
            );
        }

        #[test]
        fn compare_op_int_covers_every_oparg() {
            let t = &raw const TRUE as u64;
            let f = &raw const FALSE as u64;
            let cases = [(1, 2), (2, 2), (3, 2), (-5, 7)];
            for oparg in 0..6u32 {
                for (a, b) in cases {
                    let want = [a < b, a <= b, a == b, a != b, a > b, a >= b][oparg as usize];
                    let trace = [
                        ins(Uop::LOAD_FAST).oparg(0),
                        ins(Uop::LOAD_FAST).oparg(1),
                        ins(Uop::COMPARE_OP_INT).oparg(oparg),
                        ins(Uop::DEOPT).target(7),
                    ];
                    let (_, _, _, stack) = run(&trace, &[int(a), int(b)]);
                    assert_eq!(stack, [if want { t } else { f }], "{a} op{oparg} {b}");
                }
            }
        }

        #[test]
        fn reference_counts_and_dealloc() {
            let mut heap = Box::new(obj(kind::BIGINT, 1, 0));
            let v = &mut *heap as *mut IntObj as u64;
            let before = DEALLOCS.load(Ordering::SeqCst);
            // Load it (refcnt 2), store a small int over local 0 (back to 1),
            // pop it (0: dealloc), then leave.
            let trace = [
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::LOAD_CONST).operand(int(7)),
                ins(Uop::STORE_FAST).oparg(0),
                ins(Uop::POP_TOP),
                ins(Uop::ERROR_POP_N).oparg(0).target(9),
            ];
            let (st, instr, locals, stack) = run(&trace, &[v]);
            assert_eq!((st, instr), (status::ERROR, 9));
            assert_eq!(locals, [int(7)]);
            assert!(stack.is_empty());
            assert_eq!(heap.ob.refcnt, 0);
            assert!(DEALLOCS.load(Ordering::SeqCst) > before);
        }

        #[test]
        fn exit_trace_counts_and_turns_hot() {
            let trace = [ins(Uop::EXIT_TRACE).target(5).exit_index(0)];
            let jit = jit();
            let executor = jit.compile(&trace).expect("compiles");
            let mut words = vec![0u64; 16];
            let frame = words.as_mut_ptr() as *mut Frame;
            let mut tstate = ThreadState {
                current_frame: frame,
                previous_executor: std::ptr::null_mut(),
                exit_executor: std::ptr::null_mut(),
                exit_index: 7,
                recursion_remaining: 1000,
                side_exit_threshold: 2,
                vm_data: std::ptr::null_mut(),
                data_top: std::ptr::null_mut(),
                data_limit: std::ptr::null_mut(),
            };
            // SAFETY: the frame header fits in `words`; the stack is empty.
            let sp = unsafe { (frame as *mut u64).add(8) };
            // SAFETY: as above; the trace touches only the header and tstate.
            let first = unsafe { executor.enter(frame, sp, &mut tstate) }.expect("entered");
            // SAFETY: as above.
            let second = unsafe { executor.enter(frame, sp, &mut tstate) }.expect("entered");
            assert_eq!((first, second), (status::EXIT, status::HOT_EXIT));
            assert_eq!(tstate.exit_executor, executor.as_ptr());
            assert_eq!(tstate.exit_index, 0);
            // SAFETY: the frame header is live.
            assert_eq!(unsafe { (*frame).instr }, 5);
            // SAFETY: the thread state is live; its parked executor is ours.
            unsafe { release_previous_executor(&mut tstate) };
        }
    }
}
