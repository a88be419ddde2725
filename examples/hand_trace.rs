//! Builds a small trace by hand and runs it as native code:
//!
//! ```python
//! i = 0; total = 0
//! while i < n:
//!     i += 1
//!     total += i
//! ```
//!
//! with `i`, `n`, `total` in locals 0, 1, 2 of a frame allocated here, and a
//! tiny symbol table (`cpjit_dealloc`, `cpjit_true`, `cpjit_false`) of our own.
//!
//! `cargo run --release --example hand_trace -- [N]`

use anyhow::{bail, Context, Result};
use cpjit::abi::layout::{status, Frame, IntObj, ThreadState};
use cpjit::abi::uop::Uop;
use cpjit::abi::value::{decode_small_int, encode_small_int};
use cpjit::jit::{release_previous_executor, JitConfig, JitContext, SymbolTable, UopInstruction};
use std::time::Instant;

/// The stencils this example runs on: the host's, generated at build time.
fn stencils() -> &'static cpjit::abi::stencil::StencilSet {
    &cpjit::jit::stencils::HOST
}

/// `True` and `False`: static immortal bool objects.
static mut TRUE: IntObj = IntObj::immortal_bool(1);
static mut FALSE: IntObj = IntObj::immortal_bool(0);

/// Called when a heap object's count reaches zero. This trace only handles
/// small ints and the immortal bools, so it must never be called.
extern "C" fn dealloc(v: u64) {
    eprintln!("hand_trace: unexpected dealloc of {v:#x}");
    std::process::abort();
}

fn int(i: i64) -> Result<u64> {
    encode_small_int(i).context("does not fit a small int")
}

fn ins(u: Uop) -> UopInstruction {
    UopInstruction::new(u)
}

fn main() -> Result<()> {
    let n: i64 = match std::env::args().nth(1) {
        Some(a) => a.parse().context("N must be an integer")?,
        None => 10_000_000,
    };
    let symbols = SymbolTable::new()
        .with("cpjit_dealloc", dealloc as *const () as u64)
        .with("cpjit_true", &raw const TRUE as u64)
        .with("cpjit_false", &raw const FALSE as u64);
    let jit = JitContext::new(JitConfig::default(), stencils(), &symbols)?;

    const LOOP_START: u32 = 4;
    const AFTER_LOOP: u32 = 30;
    let deopt = 16;
    let trace = [
        ins(Uop::SET_IP).oparg(LOOP_START),
        ins(Uop::LOAD_FAST).oparg(0),
        ins(Uop::LOAD_FAST).oparg(1),
        ins(Uop::GUARD_BOTH_INT).jump_target(deopt),
        ins(Uop::COMPARE_OP_INT).oparg(0),
        ins(Uop::GUARD_IS_TRUE_POP).jump_target(17),
        ins(Uop::LOAD_FAST).oparg(0),
        ins(Uop::LOAD_CONST).operand(int(1)?),
        ins(Uop::GUARD_BOTH_INT).jump_target(deopt),
        ins(Uop::BINARY_OP_ADD_INT).jump_target(deopt),
        ins(Uop::STORE_FAST).oparg(0),
        ins(Uop::LOAD_FAST).oparg(2),
        ins(Uop::LOAD_FAST).oparg(0),
        ins(Uop::BINARY_OP_ADD_INT).jump_target(deopt),
        ins(Uop::STORE_FAST).oparg(2),
        ins(Uop::JUMP_TO_TOP),
        ins(Uop::DEOPT).target(LOOP_START),
        ins(Uop::EXIT_TRACE).target(AFTER_LOOP).exit_index(0),
    ];
    let t0 = Instant::now();
    let executor = jit.compile(&trace)?;
    let compile_time = t0.elapsed();

    // A frame: header, 3 locals, room for 8 stack values.
    const NLOCALS: usize = 3;
    let header_words = std::mem::size_of::<Frame>() / 8;
    let mut words = vec![0u64; header_words + NLOCALS + 8];
    let frame = words.as_mut_ptr() as *mut Frame;
    let locals = header_words;
    words[locals] = int(0)?;
    words[locals + 1] = int(n)?;
    words[locals + 2] = int(0)?;
    let mut tstate = ThreadState {
        current_frame: frame,
        previous_executor: std::ptr::null_mut(),
        exit_executor: std::ptr::null_mut(),
        exit_index: 0,
        recursion_remaining: 1000,
        side_exit_threshold: 16,
        vm_data: std::ptr::null_mut(),
        data_top: std::ptr::null_mut(),
        data_limit: std::ptr::null_mut(),
    };
    // SAFETY: the stack starts right after the locals, inside `words`.
    let sp = unsafe { (frame as *mut u64).add(locals + NLOCALS) };
    let t1 = Instant::now();
    // SAFETY: frame, stack and thread state are live and large enough for
    // this trace, which only touches locals 0-2 and two stack slots.
    let st = unsafe { executor.enter(frame, sp, &mut tstate) }?;
    let run_time = t1.elapsed();
    // SAFETY: the thread state is live; its parked executor is ours.
    unsafe { release_previous_executor(&mut tstate) };

    // SAFETY: the frame header is live.
    let instr = unsafe { (*frame).instr };
    let total = decode_small_int(words[locals + 2]);
    println!(
        "stencils: {}; trace of {} uops, {} bytes of code and data, compiled in {:?}",
        stencils().input_hash,
        trace.len(),
        executor.code_size(),
        compile_time
    );
    println!("status {st}, resumed at bytecode {instr}: sum(1..={n}) = {total} in {run_time:?}");
    let expected = (n as i128) * (n as i128 + 1) / 2;
    if st != status::EXIT || instr != AFTER_LOOP || total as i128 != expected {
        bail!("wrong result: expected {expected} at bytecode {AFTER_LOOP}");
    }
    Ok(())
}
