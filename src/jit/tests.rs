//! Behaviour tests of the whole runtime (memory, emitter, executors) with the
//! hand-written synthetic stencils, running real machine code.

use crate::jit::executor::release_previous_executor;
use crate::jit::synthetic::SYNTHETIC;
use crate::jit::*;
use cpjit_abi::layout::{status, Frame, ThreadState};
use cpjit_abi::uop::Uop;
use cpjit_abi::value::{decode_small_int, encode_small_int};
use std::cell::RefCell;

fn int(i: i64) -> u64 {
    encode_small_int(i).unwrap()
}

static TRUE_OBJ: u64 = 0;
static FALSE_OBJ: u64 = 0;

type Hook = Option<Box<dyn FnMut(u64)>>;

thread_local! {
    /// What `cpjit_dealloc` does in a test.
    static ON_DEALLOC: RefCell<Hook> = const { RefCell::new(None) };
}

extern "C" fn test_dealloc(v: u64) {
    ON_DEALLOC.with(|h| {
        if let Some(f) = h.borrow_mut().as_mut() {
            f(v)
        }
    });
}

fn symbols() -> SymbolTable {
    SymbolTable::new()
        .with("cpjit_dealloc", test_dealloc as *const () as u64)
        .with("cpjit_true", &TRUE_OBJ as *const u64 as u64)
        .with("cpjit_false", &FALSE_OBJ as *const u64 as u64)
}

fn context() -> JitContext {
    JitContext::new(JitConfig::default(), &SYNTHETIC, &symbols()).unwrap()
}

/// A frame with `n` local slots and a 16-word stack, and a thread state.
struct Machine {
    words: Vec<u64>,
    nlocals: usize,
    tstate: Box<ThreadState>,
}

const HEADER_WORDS: usize = std::mem::size_of::<Frame>() / 8;

impl Machine {
    fn new(nlocals: usize) -> Self {
        let words = vec![0u64; HEADER_WORDS + nlocals + 16];
        let mut m = Machine {
            words,
            nlocals,
            tstate: Box::new(ThreadState {
                current_frame: std::ptr::null_mut(),
                previous_executor: std::ptr::null_mut(),
                exit_executor: std::ptr::null_mut(),
                exit_index: 0,
                recursion_remaining: 1000,
                side_exit_threshold: 1000,
                vm_data: std::ptr::null_mut(),
                data_top: std::ptr::null_mut(),
                data_limit: std::ptr::null_mut(),
            }),
        };
        // SAFETY: the frame header lies at the start of `words`.
        unsafe { (*m.frame()).nlocalsplus = nlocals as u32 };
        m
    }
    fn frame(&mut self) -> *mut Frame {
        self.words.as_mut_ptr() as *mut Frame
    }
    fn local(&self, i: usize) -> u64 {
        self.words[HEADER_WORDS + i]
    }
    fn set_local(&mut self, i: usize, v: u64) {
        self.words[HEADER_WORDS + i] = v;
    }
    fn instr(&mut self) -> u32 {
        // SAFETY: the frame is live.
        unsafe { (*self.frame()).instr }
    }
    /// Values on the stack when the trace left.
    fn stack(&mut self) -> Vec<u64> {
        let base = HEADER_WORDS + self.nlocals;
        // SAFETY: the frame is live.
        let sp = unsafe { (*self.frame()).stack_pointer } as usize;
        let n = (sp - self.words.as_ptr() as usize) / 8 - base;
        self.words[base..base + n].to_vec()
    }
    fn run(&mut self, e: &Executor) -> i64 {
        let frame = self.frame();
        // SAFETY: start of the value stack, inside `words`.
        let sp = unsafe { (frame as *mut u64).add(HEADER_WORDS + self.nlocals) };
        let t: *mut ThreadState = &mut *self.tstate;
        // SAFETY: frame, stack and thread state are live and big enough for
        // the small traces of these tests.
        unsafe { e.enter(frame, sp, t) }.unwrap()
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        // SAFETY: the thread state is live; its parked executor is ours.
        unsafe { release_previous_executor(&mut *self.tstate) };
    }
}

fn ins(u: Uop) -> UopInstruction {
    UopInstruction::new(u)
}

/// `while i < n: i += 1` with i in local 0, n in local 1.
fn counting_loop() -> Vec<UopInstruction> {
    vec![
        ins(Uop::SET_IP).oparg(4),
        ins(Uop::LOAD_FAST).oparg(0),
        ins(Uop::LOAD_FAST).oparg(1),
        ins(Uop::GUARD_BOTH_INT).jump_target(11),
        ins(Uop::COMPARE_OP_INT).oparg(0),
        ins(Uop::GUARD_IS_TRUE_POP).jump_target(12),
        ins(Uop::LOAD_FAST).oparg(0),
        ins(Uop::LOAD_CONST).operand(int(1)),
        ins(Uop::BINARY_OP_ADD_INT).jump_target(11),
        ins(Uop::STORE_FAST).oparg(0),
        ins(Uop::JUMP_TO_TOP),
        ins(Uop::DEOPT).target(4),
        ins(Uop::EXIT_TRACE).target(20).exit_index(0),
    ]
}

#[test]
fn a_compiled_loop_runs_natively() {
    let jit = context();
    let e = jit.compile(&counting_loop()).unwrap();
    let mut m = Machine::new(2);
    m.set_local(0, int(0));
    m.set_local(1, int(100_000));
    assert_eq!(m.run(&e), status::EXIT);
    assert_eq!(decode_small_int(m.local(0)), 100_000);
    assert_eq!(m.instr(), 20);
    // The loop ended through exit 0, which counted once and left `i` and `n`
    // popped (the guard popped the bool).
    assert_eq!(e.exit(0).unwrap().temperature, 1);
    assert_eq!(m.stack(), Vec::<u64>::new());
    assert_eq!(m.tstate.exit_executor, e.as_ptr());
    // A non-int takes the guard's jump to _DEOPT at bytecode 4, stack intact.
    m.set_local(0, 0x1000);
    assert_eq!(m.run(&e), status::EXIT);
    assert_eq!(m.instr(), 4);
    assert_eq!(m.stack(), vec![0x1000, int(100_000)]);
}

#[test]
fn entry_points_and_layout() {
    let jit = context();
    let trace = [
        ins(Uop::LOAD_CONST).operand(0x1122_3344_5566_7788),
        ins(Uop::DEOPT).target(1),
    ];
    let e = jit.compile(&trace).unwrap();
    let tramp = SYNTHETIC.trampoline.code.body.len();
    assert_eq!(e.jit_side_entry() as usize, e.jit_code() as usize + tramp);
    let layout = jit.emitter().layout(&trace).unwrap();
    let code = tramp
        + SYNTHETIC.uops[Uop::LOAD_CONST as usize].code.body.len()
        + SYNTHETIC.uops[Uop::DEOPT as usize].code.body.len()
        + SYNTHETIC.fatal_error.code.body.len();
    assert_eq!(layout.code_size, code);
    assert_eq!(e.code_size(), layout.total_size);
    // SAFETY: the code is mapped read+execute, hence readable; the operand
    // hole is at offset 2 of _LOAD_CONST.
    let operand = unsafe { std::ptr::read_unaligned(e.jit_side_entry().add(2) as *const u64) };
    assert_eq!(operand, 0x1122_3344_5566_7788);
}

/// Lines of /proc/self/maps overlapping `[lo, hi)`: their permissions.
fn permissions_in(lo: usize, hi: usize) -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .filter_map(|l| {
            let (range, rest) = l.split_once(' ')?;
            let (a, b) = range.split_once('-')?;
            let (a, b) = (
                usize::from_str_radix(a, 16).ok()?,
                usize::from_str_radix(b, 16).ok()?,
            );
            (a < hi && lo < b).then(|| rest[..4].to_string())
        })
        .collect()
}

#[test]
fn no_writable_and_executable_mapping_while_executors_exist() {
    let jit = context();
    let live: Vec<_> = (0..50)
        .map(|_| jit.compile(&counting_loop()).unwrap())
        .collect();
    let (lo, hi) = jit.address_range();
    let perms = permissions_in(lo, hi);
    assert!(perms.iter().any(|p| p.starts_with("r-x")), "{perms:?}");
    for p in &perms {
        assert!(
            !(p.contains('w') && p.contains('x')),
            "W^X violated: {perms:?}"
        );
    }
    // Where the kernel names anonymous mappings, ours show as [anon:cpjit].
    if jit.memory_stats().named {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        assert!(maps.lines().any(|l| l.ends_with("[anon:cpjit]")), "{maps}");
    }
    // And no rwx mapping named as ours anywhere.
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    for l in maps.lines().filter(|l| l.contains("cpjit")) {
        assert!(!l.contains("rwx"), "{l}");
    }
    // 50 executors share pages: far fewer pages than executors.
    let s = jit.memory_stats();
    assert_eq!(s.live_blocks, 50);
    assert!(s.committed < 50 * 4096, "{s:?}");
    drop(live);
    assert_eq!(jit.memory_stats().live_blocks, 0);
}

#[test]
fn linked_exits_tail_call_and_unlinking_restores_the_cold_path() {
    let jit = context();
    let a = jit
        .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
        .unwrap();
    let b = jit
        .compile(&[
            ins(Uop::LOAD_CONST).operand(int(42)),
            ins(Uop::DEOPT).target(99),
        ])
        .unwrap();
    let mut m = Machine::new(0);
    m.tstate.side_exit_threshold = 2;
    assert_eq!(m.run(&a), status::EXIT);
    assert_eq!(m.instr(), 7);
    assert_eq!(m.run(&a), status::HOT_EXIT);
    assert_eq!(
        (m.tstate.exit_executor, m.tstate.exit_index),
        (a.as_ptr(), 0)
    );
    // The VM would build b for the hot exit, then link it.
    let before = b.refcount();
    a.link_exit(0, &b).unwrap();
    assert_eq!(b.refcount(), before + 1);
    assert_eq!(a.exit(0).unwrap().linked, Some(b.as_ptr() as *const _));
    assert_eq!(m.run(&a), status::EXIT);
    assert_eq!((m.instr(), m.stack()), (99, vec![int(42)]));
    a.unlink_exit(0).unwrap();
    assert_eq!(b.refcount(), before);
    assert_eq!(m.run(&a), status::EXIT);
    assert_eq!((m.instr(), m.exit_temperature(&a)), (7, 1));
}

impl Machine {
    fn exit_temperature(&self, e: &Executor) -> u32 {
        e.exit(0).unwrap().temperature
    }
}

/// The seed's scenario: a trace side-exits into a second executor; while the
/// second runs, the first is invalidated and every other reference to it is
/// dropped. Only the trampoline's reference keeps its code (which the second
/// trace returns into) alive; the run returns correctly, and the memory is
/// freed once the parked reference goes.
#[test]
fn an_executor_invalidated_and_dropped_while_its_side_exit_runs() {
    let jit = context();
    let a = jit
        .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
        .unwrap();
    let b = jit
        .compile(&[
            ins(Uop::LOAD_CONST).operand(int(5)),
            ins(Uop::POP_TOP),
            ins(Uop::LOAD_CONST).operand(int(42)),
            ins(Uop::DEOPT).target(99),
        ])
        .unwrap();
    a.link_exit(0, &b).unwrap();
    let a_code = a.jit_code();
    let a_header = a.as_ptr();
    let seen = std::rc::Rc::new(std::cell::Cell::new(None));
    // The hook owns the VM's only handle to a.
    let mut victim = Some(a);
    let s = seen.clone();
    ON_DEALLOC.with(|h| {
        *h.borrow_mut() = Some(Box::new(move |v| {
            if let Some(a) = victim.take() {
                a.invalidate();
                let p = a.as_ptr();
                drop(a);
                // SAFETY: the trampoline's reference keeps a alive.
                s.set(Some((v, unsafe { (*p).refcnt })));
            }
        }))
    });
    let mut m = Machine::new(0);
    let frame = m.frame();
    // SAFETY: the stack starts right after the header (no locals).
    let sp = unsafe { (frame as *mut u64).add(HEADER_WORDS) };
    let t: *mut ThreadState = &mut *m.tstate;
    // SAFETY: a is live when the call starts; as in Machine::run otherwise.
    let status = unsafe { Executor::enter_raw(a_header, frame, sp, t) }.unwrap();
    assert_eq!(status, status::EXIT);
    assert_eq!((m.instr(), m.stack()), (99, vec![int(42)]));
    // During the run the dealloc hook saw 5, and after the VM's handle was
    // dropped only the trampoline's reference was left.
    assert_eq!(seen.get(), Some((int(5), 1)));
    ON_DEALLOC.with(|h| *h.borrow_mut() = None);
    // a is invalid, unlinked from b, parked in previous_executor, not freed.
    assert_eq!(m.tstate.previous_executor, a_header);
    assert_eq!(b.refcount(), 1);
    assert_eq!(jit.memory_stats().live_blocks, 2);
    // Entering b swaps the parked reference out: the trampoline drops a's
    // last reference and calls cpjit_executor_dealloc.
    m.words.iter_mut().skip(HEADER_WORDS).for_each(|w| *w = 0);
    assert_eq!(m.run(&b), status::EXIT);
    assert_eq!(jit.memory_stats().live_blocks, 1);
    // The space is reused by the next executor.
    let c = jit
        .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
        .unwrap();
    assert_eq!(c.jit_code(), a_code);
}

#[test]
fn the_parked_reference_can_be_released_by_the_vm() {
    let jit = context();
    let a = jit.compile(&[ins(Uop::DEOPT).target(1)]).unwrap();
    let mut m = Machine::new(0);
    m.run(&a);
    assert_eq!(a.refcount(), 2);
    a.invalidate();
    drop(a);
    assert_eq!(jit.memory_stats().live_blocks, 1);
    // SAFETY: the thread state is live.
    unsafe { release_previous_executor(&mut *m.tstate) };
    assert_eq!(jit.memory_stats().live_blocks, 0);
}

#[test]
fn invalidation_breaks_link_cycles_and_frees_both() {
    let jit = context();
    let exit = [ins(Uop::EXIT_TRACE).target(1).exit_index(0)];
    let a = jit.compile(&exit).unwrap();
    let b = jit.compile(&exit).unwrap();
    a.link_exit(0, &b).unwrap();
    b.link_exit(0, &a).unwrap();
    assert_eq!((a.refcount(), b.refcount()), (2, 2));
    a.invalidate();
    assert_eq!((a.refcount(), b.refcount()), (1, 1));
    assert!(b.exit(0).unwrap().linked.is_none());
    assert!(matches!(b.link_exit(0, &a), Err(JitError::Invalidated)));
    let mut m = Machine::new(0);
    assert!(matches!(
        // SAFETY: rejected before running.
        unsafe { a.enter(m.frame(), std::ptr::null_mut(), &mut *m.tstate) },
        Err(JitError::Invalidated)
    ));
    drop((a, b));
    assert_eq!(jit.memory_stats().live_blocks, 0);
}

#[test]
fn errors_are_errors() {
    let jit = context();
    assert!(matches!(jit.compile(&[]), Err(JitError::EmptyTrace)));
    assert!(matches!(
        jit.compile(&[ins(Uop::NOP).jump_target(5)]),
        Err(JitError::BadTarget {
            index: 0,
            target: 5,
            len: 1
        })
    ));
    assert!(matches!(
        jit.compile(&[ins(Uop::EXIT_TRACE).exit_index(4_000_000_000)]),
        Err(JitError::BadExitIndex {
            index: 4_000_000_000,
            count: 1
        })
    ));
    let e = jit.compile(&[ins(Uop::DEOPT)]).unwrap();
    assert!(matches!(
        e.exit(0),
        Err(JitError::BadExitIndex { index: 0, count: 0 })
    ));
    assert!(matches!(
        e.link_exit(3, &e),
        Err(JitError::BadExitIndex { .. })
    ));

    // A stencil set without code for some uops.
    let mut short = SYNTHETIC;
    short.uops = &SYNTHETIC.uops[..3];
    let jit2 = JitContext::new(JitConfig::default(), &short, &symbols()).unwrap();
    assert!(matches!(
        jit2.compile(&[ins(Uop::LOAD_CONST)]),
        Err(JitError::UnknownOpcode("_LOAD_CONST"))
    ));
    assert!(jit2.compile(&[ins(Uop::NOP), ins(Uop::NOP)]).is_ok());
    // A uop whose stencil is empty though it must have code; `_NOP` may be
    // empty (its only code, the jump to the next uop, is dropped).
    // Kept in a static (not leaked) so valgrind's leak check stays clean.
    static HOLED: std::sync::OnceLock<Vec<cpjit_abi::stencil::StencilGroup>> =
        std::sync::OnceLock::new();
    let groups = HOLED.get_or_init(|| {
        let mut groups = SYNTHETIC.uops.to_vec();
        groups[Uop::LOAD_CONST as usize] = cpjit_abi::stencil::StencilGroup::EMPTY;
        groups[Uop::NOP as usize] = cpjit_abi::stencil::StencilGroup::EMPTY;
        groups
    });
    let mut holed = SYNTHETIC;
    holed.uops = groups;
    let jit5 = JitContext::new(JitConfig::default(), &holed, &symbols()).unwrap();
    assert!(matches!(
        jit5.compile(&[ins(Uop::LOAD_CONST)]),
        Err(JitError::UnknownOpcode("_LOAD_CONST"))
    ));
    let e5 = jit5
        .compile(&[ins(Uop::NOP), ins(Uop::DEOPT).target(9)])
        .unwrap();
    let mut m5 = Machine::new(0);
    assert_eq!((m5.run(&e5), m5.instr()), (status::EXIT, 9));

    // A missing runtime symbol fails only traces that need it.
    let jit3 = JitContext::new(
        JitConfig::default(),
        &SYNTHETIC,
        &SymbolTable::new().with("cpjit_dealloc", 1),
    )
    .unwrap();
    assert!(matches!(
        jit3.compile(&[ins(Uop::COMPARE_OP_INT)]),
        Err(JitError::UnresolvedSymbol("cpjit_true"))
    ));
    assert!(jit3.compile(&[ins(Uop::DEOPT)]).is_ok());

    // Stencils for another architecture.
    let mut arm = SYNTHETIC;
    arm.target = "aarch64-unknown-linux-gnu";
    assert!(matches!(
        JitContext::new(JitConfig::default(), &arm, &symbols()),
        Err(JitError::BadStencil(_))
    ));

    // Too large for the limit; then exhausted.
    let small = JitConfig {
        memory: MemoryConfig {
            limit: 4096,
            retain_free_bytes: 0,
            near_program: false,
        },
        debug: None,
    };
    let jit4 = JitContext::new(small, &SYNTHETIC, &symbols()).unwrap();
    let big = vec![ins(Uop::LOAD_CONST); 1000];
    assert!(matches!(
        jit4.compile(&big),
        Err(JitError::TraceTooLarge { .. })
    ));
    let mid = vec![ins(Uop::NOP); 600];
    let held = jit4.compile(&mid).unwrap();
    assert!(matches!(
        jit4.compile(&mid),
        Err(JitError::OutOfMemory { .. })
    ));
    drop(held);
    assert!(jit4.compile(&mid).is_ok());
}

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * crate::jit::memory::os::page_size()
}

fn churn(jit: &JitContext, n: usize) -> (usize, usize, std::collections::HashSet<usize>) {
    let mut m = Machine::new(2);
    let trace = counting_loop();
    let mut addrs = std::collections::HashSet::new();
    let rss0 = rss_bytes();
    let mut rss_mid = 0;
    for i in 0..n {
        let e = jit.compile(&trace).unwrap();
        addrs.insert(e.jit_code() as usize);
        m.set_local(0, int(0));
        m.set_local(1, int(10));
        assert_eq!(m.run(&e), status::EXIT);
        assert_eq!(m.local(0), int(10));
        e.invalidate();
        drop(e);
        if i == n / 10 {
            rss_mid = rss_bytes();
        }
    }
    // SAFETY: the thread state is live.
    unsafe { release_previous_executor(&mut *m.tstate) };
    let s = jit.memory_stats();
    assert_eq!((s.live_blocks, s.total_frees), (0, n as u64));
    let _ = rss0;
    (rss_mid, rss_bytes(), addrs)
}

#[test]
fn freed_space_is_reused() {
    let (_, _, addrs) = churn(&context(), 1000);
    // Each executor is freed when the next run parks it: at most two blocks
    // are live at once, so at most two places are ever used.
    assert!(addrs.len() <= 2, "{} distinct addresses", addrs.len());
}

/// Different code written where freed code was runs as the new code. Under
/// valgrind (run this test binary with `valgrind`) this needs valgrind to
/// drop its cached translations of the old code: `CodeMemory::write` asks
/// for that with the `DISCARD_TRANSLATIONS` client request (valgrind 3.19
/// also drops them when the W^X flip removes execute permission, so the
/// request is a second guarantee that does not depend on that).
#[test]
fn rewritten_code_memory_runs_the_new_code() {
    for jit in [context(), host::host()] {
        let mut m = Machine::new(1);
        let mut place = None;
        for k in 1..=6 {
            let e = jit
                .compile(&[
                    ins(Uop::LOAD_CONST).operand(int(k)),
                    ins(Uop::STORE_FAST).oparg(0),
                    ins(Uop::DEOPT).target(k as u32),
                ])
                .unwrap();
            let at = e.jit_code() as usize;
            assert_eq!(*place.get_or_insert(at), at, "space was not reused");
            m.set_local(0, int(0));
            assert_eq!(m.run(&e), status::EXIT);
            assert_eq!((m.local(0), m.instr()), (int(k), k as u32));
            // Free it now: drop the handle and the trampoline's parked one.
            drop(e);
            // SAFETY: the thread state is live; nothing runs.
            unsafe { release_previous_executor(&mut *m.tstate) };
            assert_eq!(jit.memory_stats().live_blocks, 0);
        }
    }
}

/// 100,000 executors (generated stencils) created, run, invalidated and
/// freed: RSS stays flat and the same space is reused.
/// Run with `cargo test --release -- --ignored churn_100k --nocapture`.
#[test]
#[ignore]
fn churn_100k_executors_keeps_rss_flat() {
    let (mid, end, addrs) = churn(&host::host(), 100_000);
    eprintln!(
        "RSS after 10%: {mid} bytes, at the end: {end} bytes; {} distinct code addresses",
        addrs.len()
    );
    assert!(addrs.len() <= 2);
    assert!(end <= mid + (1 << 20), "RSS grew from {mid} to {end}");
}

/// `_POP_TOP` calls `cpjit_dealloc` through a GOT slot (`call [rip+slot]`,
/// ff 15, at offset 10 of the stencil). Near the program the call is relaxed
/// to `nop; call rel32`; far away it stays a GOT load.
#[test]
fn got_calls_are_relaxed_when_the_helper_is_in_reach() {
    for near in [true, false] {
        let config = JitConfig {
            memory: MemoryConfig {
                near_program: near,
                ..MemoryConfig::default()
            },
            debug: None,
        };
        let jit = JitContext::new(config, &SYNTHETIC, &symbols()).unwrap();
        let e = jit
            .compile(&[
                ins(Uop::LOAD_CONST).operand(int(3)),
                ins(Uop::POP_TOP),
                ins(Uop::DEOPT),
            ])
            .unwrap();
        let load_const = SYNTHETIC.uops[Uop::LOAD_CONST as usize].code.body.len();
        // SAFETY: the offset lies inside the executor's code.
        let at = unsafe { e.jit_side_entry().add(load_const + 10) };
        // SAFETY: code is mapped read+execute, hence readable.
        let op = unsafe { [*at, *at.add(1)] };
        let helper = test_dealloc as *const () as i64;
        let in_reach = (helper - at as i64).abs() < (1 << 31) - (1 << 20);
        if in_reach {
            assert_eq!(op, [0x90, 0xE8]);
        } else {
            assert_eq!(op, [0xFF, 0x15]);
        }
        if near {
            assert!(in_reach, "the reservation did not land near the program");
        }
        // Either way the call works.
        let calls = std::rc::Rc::new(std::cell::Cell::new(0));
        let c = calls.clone();
        ON_DEALLOC.with(|h| *h.borrow_mut() = Some(Box::new(move |v| c.set(c.get() + v))));
        let mut m = Machine::new(0);
        assert_eq!(m.run(&e), status::EXIT);
        ON_DEALLOC.with(|h| *h.borrow_mut() = None);
        assert_eq!(calls.get(), int(3));
    }
}

#[test]
fn executors_are_registered_with_gdb_when_asked_and_unregistered_when_freed() {
    use crate::jit::debug::DebugConfig;
    let gdb_only = DebugConfig {
        perf_map: false,
        jitdump: false,
        gdb: true,
    };
    for (debug, registered) in [(Some(gdb_only), true), (None, false)] {
        let config = JitConfig {
            debug,
            ..JitConfig::default()
        };
        let jit = JitContext::new(config, &SYNTHETIC, &symbols()).unwrap();
        let e = jit.compile_named(&counting_loop(), "count").unwrap();
        assert_eq!(e.is_registered_for_debugging(), registered);
        let mut m = Machine::new(2);
        m.set_local(0, int(0));
        m.set_local(1, int(5));
        assert_eq!(m.run(&e), status::EXIT);
        assert_eq!(m.local(0), int(5));
    }
}

/// The same behaviours with the host's generated stencils (LLVM templates,
/// the JIT's own calling convention), which do real reference counting.
mod host {
    use super::*;
    use cpjit_abi::layout::{kind, IntObj, ObjHeader};

    static mut TRUE: IntObj = IntObj::immortal_bool(1);
    static mut FALSE: IntObj = IntObj::immortal_bool(0);

    fn host_symbols() -> SymbolTable {
        SymbolTable::new()
            .with("cpjit_dealloc", test_dealloc as *const () as u64)
            .with("cpjit_true", &raw const TRUE as u64)
            .with("cpjit_false", &raw const FALSE as u64)
    }

    pub(super) fn host() -> JitContext {
        let config = JitConfig {
            debug: None,
            ..JitConfig::default()
        };
        JitContext::for_host(config, &host_symbols()).unwrap()
    }

    /// A heap object with one reference.
    fn object() -> Box<ObjHeader> {
        Box::new(ObjHeader {
            refcnt: 1,
            kind: kind::FIRST_RUNTIME_KIND,
            flags: 0,
        })
    }

    #[test]
    fn a_compiled_loop_runs_natively() {
        let jit = host();
        let e = jit.compile(&counting_loop()).unwrap();
        let mut m = Machine::new(2);
        m.set_local(0, int(0));
        m.set_local(1, int(100_000));
        assert_eq!(m.run(&e), status::EXIT);
        assert_eq!(decode_small_int(m.local(0)), 100_000);
        assert_eq!((m.instr(), m.stack()), (20, vec![]));
        assert_eq!(m.tstate.exit_executor, e.as_ptr());
        // A heap object fails the int guard: _DEOPT at 4 with both values
        // still on the stack (the object's pushed reference included).
        let mut obj = object();
        let v = &mut *obj as *mut ObjHeader as u64;
        m.set_local(0, v);
        assert_eq!(m.run(&e), status::EXIT);
        assert_eq!((m.instr(), m.stack()), (4, vec![v, int(100_000)]));
        assert_eq!(obj.refcnt, 2);
    }

    #[test]
    fn reference_counts_follow_the_contract() {
        let jit = host();
        let mut obj = object();
        let v = &mut *obj as *mut ObjHeader as u64;
        let freed = std::rc::Rc::new(std::cell::Cell::new(0));
        let f = freed.clone();
        ON_DEALLOC.with(|h| *h.borrow_mut() = Some(Box::new(move |x| f.set(x))));
        // Push the object twice (two increfs), pop once (one decref).
        let e = jit
            .compile(&[
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::POP_TOP),
                ins(Uop::DEOPT).target(1),
            ])
            .unwrap();
        let mut m = Machine::new(1);
        m.set_local(0, v);
        assert_eq!(m.run(&e), status::EXIT);
        assert_eq!(m.stack(), vec![v]);
        assert_eq!(obj.refcnt, 2);
        // Storing over the local's reference drops it; popping the last drops
        // the object, and cpjit_dealloc sees it.
        let e2 = jit
            .compile(&[
                ins(Uop::LOAD_CONST).operand(int(1)),
                ins(Uop::STORE_FAST).oparg(0),
                ins(Uop::DEOPT).target(1),
            ])
            .unwrap();
        assert_eq!(m.run(&e2), status::EXIT);
        assert_eq!((obj.refcnt, freed.get()), (1, 0));
        m.set_local(0, v);
        assert_eq!(m.run(&e2), status::EXIT);
        ON_DEALLOC.with(|h| *h.borrow_mut() = None);
        assert_eq!((obj.refcnt, freed.get()), (0, v));
    }

    #[test]
    fn exits_count_link_and_unlink() {
        let jit = host();
        let a = jit
            .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
            .unwrap();
        let b = jit
            .compile(&[
                ins(Uop::LOAD_CONST).operand(int(42)),
                ins(Uop::DEOPT).target(99),
            ])
            .unwrap();
        let mut m = Machine::new(0);
        m.tstate.side_exit_threshold = 2;
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!(m.run(&a), status::HOT_EXIT);
        assert_eq!(
            (m.tstate.exit_executor, m.tstate.exit_index),
            (a.as_ptr(), 0)
        );
        a.link_exit(0, &b).unwrap();
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!((m.instr(), m.stack()), (99, vec![int(42)]));
        a.unlink_exit(0).unwrap();
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!((m.instr(), a.exit(0).unwrap().temperature), (7, 1));
    }

    /// A link patches the exit's stub into a direct jump (to the side entry,
    /// or to a later uop of the target); unlinking, relinking and
    /// invalidating the target restore the stub byte for byte, and the exit
    /// then takes the cold path again.
    #[test]
    fn direct_links_are_patched_and_restored_exactly() {
        let jit = host();
        let a = jit
            .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
            .unwrap();
        let b = jit
            .compile(&[
                ins(Uop::LOAD_CONST).operand(int(41)),
                ins(Uop::LOAD_CONST).operand(int(42)),
                ins(Uop::DEOPT).target(99),
            ])
            .unwrap();
        let emitted = a.code_bytes().to_vec();
        let mut m = Machine::new(0);
        a.link_exit(0, &b).unwrap();
        assert!(a.exit(0).unwrap().direct);
        assert_ne!(a.code_bytes(), &emitted[..]);
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!((m.instr(), m.stack()), (99, vec![int(41), int(42)]));
        // Into uop 1: the first push is skipped. One link, one reference.
        a.link_exit_at(0, &b, Some(1)).unwrap();
        assert_eq!(b.refcount(), 2);
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!((m.instr(), m.stack()), (99, vec![int(42)]));
        assert!(matches!(
            a.link_exit_at(0, &b, Some(3)),
            Err(JitError::BadTarget { .. })
        ));
        // Invalidating the target restores the stub: the exit goes cold.
        a.link_exit_at(0, &b, Some(1)).unwrap();
        b.invalidate();
        let e = a.exit(0).unwrap();
        assert_eq!((e.linked, e.direct, b.refcount()), (None, false, 1));
        assert_eq!(a.code_bytes(), &emitted[..]);
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!((m.instr(), m.stack()), (7, vec![]));
        // So does unlinking.
        let c = jit.compile(&[ins(Uop::DEOPT).target(55)]).unwrap();
        a.link_exit(0, &c).unwrap();
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!(m.instr(), 55);
        a.unlink_exit(0).unwrap();
        assert_eq!(a.code_bytes(), &emitted[..]);
        assert_eq!(m.run(&a), status::EXIT);
        assert_eq!(m.instr(), 7);
        drop((b, c));
        assert_eq!(jit.memory_stats().live_blocks, 1);
    }

    /// The seed's scenario with generated stencils: the dealloc that the
    /// second trace's `_STORE_FAST` triggers invalidates the first executor
    /// and drops the VM's last handle to it, while the first executor's
    /// trampoline waits for the second trace to return.
    #[test]
    fn an_executor_invalidated_and_dropped_while_its_side_exit_runs() {
        let jit = host();
        let a = jit
            .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
            .unwrap();
        let b = jit
            .compile(&[
                ins(Uop::LOAD_CONST).operand(int(5)),
                ins(Uop::STORE_FAST).oparg(0),
                ins(Uop::LOAD_CONST).operand(int(42)),
                ins(Uop::DEOPT).target(99),
            ])
            .unwrap();
        a.link_exit(0, &b).unwrap();
        let (a_code, a_header) = (a.jit_code(), a.as_ptr());
        let seen = std::rc::Rc::new(std::cell::Cell::new(None));
        let mut victim = Some(a);
        let s = seen.clone();
        ON_DEALLOC.with(|h| {
            *h.borrow_mut() = Some(Box::new(move |v| {
                if let Some(a) = victim.take() {
                    a.invalidate();
                    let p = a.as_ptr();
                    drop(a);
                    // SAFETY: the trampoline's reference keeps a alive.
                    s.set(Some((v, unsafe { (*p).refcnt })));
                }
            }))
        });
        let mut obj = object();
        let v = &mut *obj as *mut ObjHeader as u64;
        let mut m = Machine::new(1);
        m.set_local(0, v);
        let frame = m.frame();
        // SAFETY: the stack starts after the one local, inside the frame.
        let sp = unsafe { (frame as *mut u64).add(HEADER_WORDS + 1) };
        let t: *mut ThreadState = &mut *m.tstate;
        // SAFETY: a is live when the call starts; frame and stack are big
        // enough for these traces.
        let st = unsafe { Executor::enter_raw(a_header, frame, sp, t) }.unwrap();
        ON_DEALLOC.with(|h| *h.borrow_mut() = None);
        assert_eq!(st, status::EXIT);
        assert_eq!(
            (m.instr(), m.stack(), m.local(0)),
            (99, vec![int(42)], int(5))
        );
        assert_eq!(seen.get(), Some((v, 1)));
        assert_eq!(m.tstate.previous_executor, a_header);
        assert_eq!((b.refcount(), jit.memory_stats().live_blocks), (1, 2));
        // The next entry's trampoline releases a for good.
        assert_eq!(m.run(&b), status::EXIT);
        assert_eq!(jit.memory_stats().live_blocks, 1);
        let c = jit
            .compile(&[ins(Uop::EXIT_TRACE).target(7).exit_index(0)])
            .unwrap();
        assert_eq!(c.jit_code(), a_code);
    }

    #[test]
    fn no_writable_and_executable_mapping_while_executors_exist() {
        let jit = host();
        let live: Vec<_> = (0..20)
            .map(|_| jit.compile(&counting_loop()).unwrap())
            .collect();
        let (lo, hi) = jit.address_range();
        let perms = permissions_in(lo, hi);
        assert!(perms.iter().any(|p| p.starts_with("r-x")), "{perms:?}");
        assert!(
            perms.iter().all(|p| !(p.contains('w') && p.contains('x'))),
            "{perms:?}"
        );
        drop(live);
    }

    /// The generated path plans a block's exact size before emitting: a
    /// trace that fills the memory limit to the last block compiles and
    /// runs, one uop more is `TraceTooLarge`; a trace with a uop that
    /// cannot be emitted (a missing symbol) is its precise error, before
    /// any block is allocated.
    #[test]
    fn a_trace_at_the_memory_limit_and_refused_traces_leave_no_block() {
        let page = crate::jit::memory::os::page_size();
        let config = JitConfig {
            memory: MemoryConfig {
                limit: page,
                retain_free_bytes: 0,
                near_program: false,
            },
            debug: None,
        };
        let jit = JitContext::for_host(config, &host_symbols()).unwrap();
        // `k` times: push local 0, pop it; then exit at bytecode 3.
        let trace = |k: usize| {
            let mut t: Vec<_> = (0..k)
                .flat_map(|_| [ins(Uop::LOAD_FAST), ins(Uop::POP_TOP)])
                .collect();
            t.push(ins(Uop::DEOPT).target(3));
            t
        };
        let size = |k: usize| {
            let mut plan = crate::jit::emitter::Layout::default();
            jit.emitter().plan(&trace(k), &mut plan).unwrap();
            plan.total_size
        };
        // The longest such trace whose block fits in the limit.
        let fits = (0..page).take_while(|&k| size(k) <= page).last().unwrap();
        assert!(size(fits) > page - crate::jit::memory::BLOCK_ALIGN);
        let e = jit.compile(&trace(fits)).unwrap();
        let mut m = Machine::new(1);
        m.set_local(0, int(5));
        assert_eq!((m.run(&e), m.instr()), (status::EXIT, 3));
        assert_eq!(jit.memory_stats().live_blocks, 1);
        // The machine holds the trampoline's parked reference.
        drop((m, e));
        assert!(matches!(
            jit.compile(&trace(fits + 1)),
            Err(JitError::TraceTooLarge { .. })
        ));
        assert_eq!(jit.memory_stats().live_blocks, 0);

        let without_true = SymbolTable::new()
            .with("cpjit_dealloc", test_dealloc as *const () as u64)
            .with("cpjit_false", &raw const FALSE as u64);
        let jit = JitContext::for_host(config, &without_true).unwrap();
        let needs_true = [
            ins(Uop::LOAD_FAST),
            ins(Uop::LOAD_FAST),
            ins(Uop::COMPARE_OP_INT),
            ins(Uop::DEOPT),
        ];
        assert!(matches!(
            jit.compile(&needs_true),
            Err(JitError::UnresolvedSymbol("cpjit_true"))
        ));
        // The plan refuses it: no block was allocated.
        let s = jit.memory_stats();
        assert_eq!((s.live_blocks, s.allocated, s.total_allocs), (0, 0, 0));
        assert!(jit.compile(&[ins(Uop::DEOPT)]).is_ok());
    }
}

/// A helper called from JIT code enters another executor and drops
/// executors meanwhile: frees wait until the outermost entry returns, and
/// both runs return correctly.
#[test]
fn nested_entries_defer_frees_to_the_outermost_return() {
    let jit = std::rc::Rc::new(context());
    let outer = jit
        .compile(&[
            ins(Uop::LOAD_CONST).operand(int(1)),
            ins(Uop::POP_TOP),
            ins(Uop::LOAD_CONST).operand(int(2)),
            ins(Uop::DEOPT).target(10),
        ])
        .unwrap();
    let j = jit.clone();
    let inner_status = std::rc::Rc::new(std::cell::Cell::new(None));
    let st = inner_status.clone();
    ON_DEALLOC.with(|h| {
        *h.borrow_mut() = Some(Box::new(move |_| {
            // Compile, run and drop an executor inside the outer run.
            let inner = j.compile(&[ins(Uop::DEOPT).target(20)]).unwrap();
            let mut m = Machine::new(0);
            st.set(Some(m.run(&inner)));
            inner.invalidate();
            drop(inner);
            // Releases the reference the inner trampoline parked.
            drop(m);
            // Still two blocks: the inner one is only freed later.
            assert_eq!(j.memory_stats().live_blocks, 2);
        }))
    });
    let mut m = Machine::new(0);
    assert_eq!(m.run(&outer), status::EXIT);
    ON_DEALLOC.with(|h| *h.borrow_mut() = None);
    assert_eq!(inner_status.get(), Some(status::EXIT));
    assert_eq!((m.instr(), m.stack()), (10, vec![int(2)]));
    assert_eq!(jit.memory_stats().live_blocks, 1);
}

/// A detached executor (invalid, promised off the stack) is freed as soon
/// as its last reference goes, even while another executor runs; an
/// executor that is not detached waits for the outermost return.
#[test]
fn detached_executors_are_freed_while_others_run() {
    let jit = std::rc::Rc::new(context());
    let outer = jit
        .compile(&[
            ins(Uop::LOAD_CONST).operand(int(1)),
            ins(Uop::POP_TOP),
            ins(Uop::DEOPT).target(10),
        ])
        .unwrap();
    let j = jit.clone();
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let r = ran.clone();
    ON_DEALLOC.with(|h| {
        *h.borrow_mut() = Some(Box::new(move |_| {
            let before = j.memory_stats().live_blocks;
            let valid = j.compile(&[ins(Uop::DEOPT).target(20)]).unwrap();
            // SAFETY: it never ran; detaching a valid executor is a no-op.
            unsafe { valid.detach() };
            let kept = j.compile(&[ins(Uop::DEOPT).target(20)]).unwrap();
            let gone = j.compile(&[ins(Uop::DEOPT).target(20)]).unwrap();
            assert_eq!(j.memory_stats().live_blocks, before + 3);
            gone.invalidate();
            // SAFETY: `gone` never ran, so none of its code is on the stack.
            unsafe { gone.detach() };
            drop(gone);
            assert_eq!(j.memory_stats().live_blocks, before + 2);
            kept.invalidate();
            drop(kept);
            drop(valid);
            // Neither was detached while invalid: both wait.
            assert_eq!(j.memory_stats().live_blocks, before + 2);
            r.set(true);
        }))
    });
    let mut m = Machine::new(0);
    assert_eq!(m.run(&outer), status::EXIT);
    ON_DEALLOC.with(|h| *h.borrow_mut() = None);
    assert!(ran.get());
    assert_eq!(jit.memory_stats().live_blocks, 1);
}

/// Every target's generated stencils (`stencils/`, made by the toolchain)
/// emitted into plain memory: every uop once, every hole kind of the seven
/// targets patched without a range error, at addresses typical of each.
mod cross_target {
    use crate::jit::emitter::Emitter;
    use crate::jit::*;
    use cpjit_abi::stencil::{HoleKind, StencilSet};
    use cpjit_abi::uop::Uop;

    macro_rules! target {
        ($m:ident, $file:literal) => {
            mod $m {
                #![allow(dead_code)]
                include!(concat!("../../stencils/", $file));
            }
        };
    }
    target!(x86_64_linux, "x86_64-unknown-linux-gnu.rs");
    target!(x86_64_darwin, "x86_64-apple-darwin.rs");
    target!(x86_64_windows, "x86_64-pc-windows-msvc.rs");
    target!(i686_windows, "i686-pc-windows-msvc.rs");
    target!(aarch64_linux, "aarch64-unknown-linux-gnu.rs");
    target!(aarch64_darwin, "aarch64-apple-darwin.rs");
    target!(aarch64_windows, "aarch64-pc-windows-msvc.rs");

    fn sets() -> [&'static StencilSet; 7] {
        [
            &x86_64_linux::STENCILS,
            &x86_64_darwin::STENCILS,
            &x86_64_windows::STENCILS,
            &i686_windows::STENCILS,
            &aarch64_linux::STENCILS,
            &aarch64_darwin::STENCILS,
            &aarch64_windows::STENCILS,
        ]
    }

    /// Every uop once, guards jumping to the last instruction.
    /// One instruction per uop. `operand` must be reachable from the code by
    /// a 32-bit displacement: `_CALL_HELPER` calls its operand directly.
    fn every_uop(set: &StencilSet, operand: u64) -> Vec<UopInstruction> {
        let n = Uop::ALL.len() as u32;
        Uop::ALL
            .iter()
            .map(|&u| {
                // A uop whose operand names a local (or is a 32-bit
                // immediate) gets a local's index.
                use cpjit_abi::stencil::HoleValue::{OperandBytes, OperandI32};
                let local = set
                    .uops
                    .get(u as usize)
                    .is_some_and(|g| g.uses(OperandBytes) || g.uses(OperandI32));
                UopInstruction::new(u)
                    .oparg(3)
                    .operand(if local { 4 } else { operand })
                    .target(5)
                    .jump_target(n - 1)
                    .error_target(n - 1)
            })
            .collect()
    }

    #[test]
    fn every_targets_stencils_emit_with_every_hole_kind() {
        let mut kinds = std::collections::BTreeSet::new();
        for set in sets() {
            let wide = !set.target.starts_with("i686");
            // Code near its runtime helpers (and, on 32-bit, below 4 GiB).
            let base: u64 = if wide { 0x7f12_3456_0000 } else { 0x1000_0000 };
            let sym = |i: u64| base + 0x10_0000 + 0x100 * i;
            // Every symbol any stencil of the set names gets a distinct address.
            let mut names = std::collections::BTreeSet::new();
            for g in [&set.trampoline, &set.fatal_error]
                .into_iter()
                .chain(set.uops)
            {
                for h in g.code.holes.iter().chain(g.data.holes) {
                    if let Some(name) = h.symbol {
                        names.insert(name);
                    }
                }
            }
            let symbols = names
                .iter()
                .enumerate()
                .fold(SymbolTable::new(), |t, (i, name)| {
                    t.with(*name, sym(i as u64 + 1))
                });
            let emitter = Emitter::new(set, &symbols).unwrap();
            // On 32-bit targets the operand's high half (OperandHi) is non-zero.
            let trace = every_uop(
                set,
                if wide {
                    base + 0x10_0008
                } else {
                    0x1_0000_0007
                },
            );
            let mut layout = emitter.layout(&trace).unwrap();
            let mut buf = vec![0u8; layout.total_size];
            emitter
                .emit_into(&trace, &mut layout, &mut buf, base, base + 0x20_0000)
                .unwrap_or_else(|e| panic!("{}: {e}", set.target));
            assert_eq!(layout.side_entry(), set.trampoline.code.body.len());
            for g in std::iter::once(&set.trampoline).chain(set.uops) {
                for h in g.code.holes.iter().chain(g.data.holes) {
                    kinds.insert(match h.kind {
                        HoleKind::Aarch64MovW(_) => HoleKind::Aarch64MovW(0),
                        k => k,
                    });
                }
            }
        }
        // Every relocation family the seven targets use was patched.
        for k in [
            HoleKind::Abs64,
            HoleKind::Abs32,
            HoleKind::Rel32,
            HoleKind::X86GotPcRelX,
            HoleKind::Aarch64Branch26,
            HoleKind::Aarch64AdrPage21,
            HoleKind::Aarch64GotPage21,
            HoleKind::Aarch64LdstLo12,
            HoleKind::Aarch64GotLo12,
            HoleKind::Aarch64MovW(0),
        ] {
            assert!(kinds.contains(&k), "{k:?} not exercised");
        }
    }

    /// On i686 a 64-bit operand is split: `Operand` holes get the low half,
    /// `OperandHi` holes the high half.
    #[test]
    fn operands_split_on_32_bit_targets() {
        let set = &i686_windows::STENCILS;
        let symbols = SymbolTable::new()
            .with("cpjit_dealloc", 0x2000_0000)
            .with("cpjit_true", 0x2000_0100)
            .with("cpjit_false", 0x2000_0200)
            .with("cpjit_fatal_error", 0x2000_0300)
            .with("cpjit_executor_dealloc", 0x2000_0400);
        let emitter = Emitter::new(set, &symbols).unwrap();
        let trace = [
            UopInstruction::new(Uop::LOAD_CONST).operand(0x0000_0012_3456_789b),
            UopInstruction::new(Uop::DEOPT),
        ];
        let mut layout = emitter.layout(&trace).unwrap();
        let mut buf = vec![0u8; layout.total_size];
        emitter
            .emit_into(&trace, &mut layout, &mut buf, 0x1000_0000, 0x3000_0000)
            .unwrap();
        let g = &set.uops[Uop::LOAD_CONST as usize];
        let at = layout.side_entry();
        let word = |off: u32| {
            let o = at + off as usize;
            u32::from_le_bytes(buf[o..o + 4].try_into().unwrap())
        };
        let mut seen = (false, false);
        for h in g.code.holes {
            match h.value {
                cpjit_abi::stencil::HoleValue::Operand => {
                    assert_eq!(
                        word(h.offset),
                        0x3456_789b_u32.wrapping_add(h.addend as u32)
                    );
                    seen.0 = true;
                }
                cpjit_abi::stencil::HoleValue::OperandHi => {
                    assert_eq!(word(h.offset), 0x12_u32.wrapping_add(h.addend as u32));
                    seen.1 = true;
                }
                _ => {}
            }
        }
        assert_eq!(seen, (true, true), "{:?}", g.code.holes);
    }
}
