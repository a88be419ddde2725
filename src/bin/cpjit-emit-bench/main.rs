//! Measures the JIT runtime side by side in one process: emission throughput
//! (MB/s of code+data, ns per uop) against a plain memcpy of the same bytes
//! for two mixes of traces, the cost of page protection on its own, the
//! full compile path, and allocated-over-emitted bytes over a realistic run
//! of compiles and frees.
//!
//! The two mixes:
//! * **synthetic**: one 10-uop integer loop body repeated to 10, 100 and
//!   1,000 uops (small stencils: the worst case for emission against
//!   memcpy);
//! * **recorded**: the traces the VM compiles running the bench programs
//!   ([`recorded`]), per length bucket.
//!
//! `cargo run --release --bin cpjit-emit-bench`

use anyhow::{Context, Result};
use cpjit::abi::stencil::StencilSet;
use cpjit::abi::uop::Uop;
use cpjit::jit::emitter::{CopyWidth, Emitter, Layout};
use cpjit::jit::memory::os;
use cpjit::jit::{JitConfig, JitContext, SymbolTable, UopInstruction};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod recorded;

static TRUE_OBJ: u64 = 0;
static FALSE_OBJ: u64 = 0;

extern "C" fn dealloc(_v: u64) {}

fn symbols() -> SymbolTable {
    SymbolTable::new()
        .with("cpjit_dealloc", dealloc as *const () as u64)
        .with("cpjit_true", &TRUE_OBJ as *const u64 as u64)
        .with("cpjit_false", &FALSE_OBJ as *const u64 as u64)
}

/// The VM's symbol table (its runtime helpers), which the recorded
/// traces' stencils name.
fn vm_symbols() -> SymbolTable {
    cpjit::vm::tier2::helpers::symbol_table()
}

/// The table-driven emitter (patch programs) for `set`, to compare with
/// the generated emit functions the context uses. Its code is only
/// emitted, never run: the runtime's own symbols get placeholder addresses.
fn table_driven(set: &StencilSet) -> Result<Emitter> {
    let symbols = symbols()
        .with("cpjit_executor_dealloc", 0x1000)
        .with("cpjit_fatal_error", 0x2000);
    Ok(Emitter::table_driven(set, &symbols)?)
}

/// The stencil sets to measure: the host's generated ones, and (on x86-64
/// Linux) the hand-written synthetic ones.
fn stencil_sets() -> Vec<(&'static StencilSet, &'static str)> {
    let mut sets = vec![(&cpjit::jit::stencils::HOST, "generated (host)")];
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    sets.push((
        &cpjit::jit::synthetic::SYNTHETIC,
        "synthetic (hand-written)",
    ));
    sets
}

/// A trace of `n` uops cycling through a loop body's mix, every jump/error
/// target pointing at the final `_DEOPT`.
fn trace(n: usize) -> Vec<UopInstruction> {
    let body = [
        (Uop::SET_IP, 4),
        (Uop::LOAD_FAST, 0),
        (Uop::LOAD_FAST, 1),
        (Uop::GUARD_BOTH_INT, 0),
        (Uop::COMPARE_OP_INT, 0),
        (Uop::GUARD_IS_TRUE_POP, 0),
        (Uop::LOAD_FAST, 0),
        (Uop::LOAD_CONST, 0),
        (Uop::BINARY_OP_ADD_INT, 0),
        (Uop::STORE_FAST, 0),
    ];
    let last = (n - 1) as u32;
    let mut t: Vec<_> = (0..n - 1)
        .map(|i| {
            let (u, a) = body[i % body.len()];
            UopInstruction::new(u)
                .oparg(a)
                .operand(3)
                .jump_target(last)
                .error_target(last)
        })
        .collect();
    t.push(UopInstruction::new(Uop::DEOPT).target(4));
    t
}

/// Runs `f` in batches until `budget` has passed; returns the best time per call.
fn best_per_call(budget: Duration, mut f: impl FnMut()) -> Duration {
    let mut best = Duration::MAX;
    let start = Instant::now();
    let mut batch = 1u32;
    while start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        let per = t.elapsed() / batch;
        best = best.min(per);
        if t.elapsed() < Duration::from_millis(5) {
            batch = batch.saturating_mul(2);
        }
    }
    best
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn main() -> Result<()> {
    // `CPJIT_BENCH_EMIT_ONLY=ITERS`: only emit the 1000-uop trace (or
    // `CPJIT_BENCH_UOPS=N` uops) ITERS times with each set, for
    // instruction counting (valgrind, perf stat).
    if let Ok(iters) = std::env::var("CPJIT_BENCH_EMIT_ONLY") {
        let iters: usize = iters.parse().context("CPJIT_BENCH_EMIT_ONLY=ITERS")?;
        // `CPJIT_BENCH_SET=host` or `=synthetic`: only that set.
        let only = std::env::var("CPJIT_BENCH_SET").ok();
        // `CPJIT_BENCH_PATH=tables`: the table-driven emitter instead of the
        // generated functions.
        let tables = std::env::var("CPJIT_BENCH_PATH").is_ok_and(|p| p == "tables");
        // `CPJIT_BENCH_MIX=recorded`: the recorded mix's traces of
        // `CPJIT_BENCH_BUCKET` (a label of `recorded::BUCKETS`, default
        // `all`) instead, each emitted ITERS times (with
        // `CPJIT_BENCH_COPY=1`: copied, the memcpy side, instead).
        if std::env::var("CPJIT_BENCH_MIX").is_ok_and(|m| m == "recorded") {
            return emit_recorded_only(iters, tables);
        }
        let uops: usize = match std::env::var("CPJIT_BENCH_UOPS") {
            Ok(n) => n.parse().context("CPJIT_BENCH_UOPS=N")?,
            Err(_) => 1000,
        };
        anyhow::ensure!(uops >= 1, "CPJIT_BENCH_UOPS must be at least 1");
        for (set, name) in stencil_sets() {
            if only.as_deref().is_some_and(|o| !name.contains(o)) {
                continue;
            }
            let jit = JitContext::new(config(), set, &symbols())?;
            let table_emitter = table_driven(set)?;
            let emitter = if tables {
                &table_emitter
            } else {
                jit.emitter()
            };
            let t = trace(uops);
            let mut layout = Layout::default();
            emitter.plan(&t, &mut layout)?;
            let mut buf = vec![0u8; layout.total_size];
            let base = buf.as_ptr() as u64;
            for _ in 0..iters {
                emitter.plan(black_box(&t), &mut layout)?.emit(
                    black_box(&mut buf),
                    base,
                    0x1000,
                )?;
            }
            let path = if emitter.is_generated() {
                "generated functions"
            } else {
                "tables"
            };
            println!("{name}: emitted {uops} uops {iters} times ({path})");
        }
        return Ok(());
    }
    // `CPJIT_BENCH_REGISTER_ONLY=ITERS`: only compile the 100-uop trace
    // ITERS times with gdb registration, for instruction counting.
    if let Ok(iters) = std::env::var("CPJIT_BENCH_REGISTER_ONLY") {
        let iters: usize = iters.parse().context("CPJIT_BENCH_REGISTER_ONLY=ITERS")?;
        let jit = JitContext::new(gdb_config(), &cpjit::jit::stencils::HOST, &symbols())?;
        let t = trace(100);
        for _ in 0..iters {
            drop(black_box(jit.compile(&t)?));
        }
        println!("compiled 100 uops {iters} times with gdb registration");
        return Ok(());
    }
    // Recorded before any other measurement, so that the programs' runs
    // happen once, at the start.
    let recorded = recorded::traces()?;
    for (set, name) in stencil_sets() {
        measure(set, name)?;
        // The hand-written synthetic set has a few uops only: the VM's
        // traces are for the generated ones.
        if std::ptr::eq(set, &cpjit::jit::stencils::HOST) {
            measure_recorded(set, &recorded)?;
        }
        println!();
    }
    Ok(())
}

/// The recorded mix's traces of `CPJIT_BENCH_BUCKET` (default `all`),
/// each planned and emitted `iters` times with the host set, for
/// instruction counting: prints the number of uops emitted per round.
fn emit_recorded_only(iters: usize, tables: bool) -> Result<()> {
    let bucket = std::env::var("CPJIT_BENCH_BUCKET").unwrap_or_else(|_| "all".into());
    let &(_, lo, hi) = recorded::BUCKETS
        .iter()
        .find(|b| b.0 == bucket)
        .context("CPJIT_BENCH_BUCKET: one of 1-10, 11-100, 101+, all")?;
    let set = &cpjit::jit::stencils::HOST;
    let jit = JitContext::new(config(), set, &vm_symbols())?;
    let table_emitter = Emitter::table_driven(set, &vm_symbols())?;
    let narrow = narrow_emitter(set, vm_symbols())?;
    let emitter = if tables {
        &table_emitter
    } else {
        narrow.as_ref().unwrap_or(jit.emitter())
    };
    let recorded = recorded::traces()?;
    let mut blocks = Blocks::new(emitter, recorded.iter().flat_map(|r| &r.traces), lo, hi);
    // `CPJIT_BENCH_COPY=1`: the memcpy side instead (one copy per trace
    // of its block's bytes, as `measure_recorded` times it), to count its
    // instructions too.
    if std::env::var("CPJIT_BENCH_COPY").is_ok_and(|c| c == "1") {
        let (srcs, mut dsts) = blocks.copies();
        for _ in 0..iters {
            copy_all(&mut dsts, &srcs);
        }
        println!(
            "recorded mix, bucket {bucket}: {} traces, {} uops per round, copied {iters} times",
            blocks.traces.len(),
            blocks.uops
        );
        return Ok(());
    }
    for _ in 0..iters {
        blocks.emit_all(emitter)?;
    }
    println!(
        "recorded mix, bucket {bucket}: {} traces, {} uops per round, emitted {iters} times",
        blocks.traces.len(),
        blocks.uops
    );
    Ok(())
}

/// With `CPJIT_BENCH_NARROW=1`, an emitter for `set` (with `symbols`)
/// that does not copy with wide vector stores; with
/// `CPJIT_BENCH_COPIES=avx2` (or `baseline`), one that copies with at most
/// those (`Emitter::with_copies_at_most`), to compare with the default
/// (the CPU's widest). Its code is only emitted, never run: the runtime's
/// own symbols get placeholder addresses, as in `table_driven`.
fn narrow_emitter(set: &StencilSet, symbols: SymbolTable) -> Result<Option<Emitter>> {
    let width = if std::env::var("CPJIT_BENCH_NARROW").is_ok_and(|v| v == "1") {
        Some(CopyWidth::Baseline)
    } else {
        match std::env::var("CPJIT_BENCH_COPIES").as_deref() {
            Ok("baseline") => Some(CopyWidth::Baseline),
            Ok("avx2") => Some(CopyWidth::Avx2),
            Ok("avx512") => Some(CopyWidth::Avx512),
            Ok(other) => anyhow::bail!("CPJIT_BENCH_COPIES: baseline, avx2 or avx512, not {other}"),
            Err(_) => None,
        }
    };
    if let Some(width) = width {
        let symbols = symbols
            .with("cpjit_executor_dealloc", 0x1000)
            .with("cpjit_fatal_error", 0x2000);
        return Ok(Some(
            Emitter::new(set, &symbols)?.with_copies_at_most(width),
        ));
    }
    Ok(None)
}

/// Traces of one length bucket with a layout and a block each, to emit
/// one after another.
struct Blocks<'a> {
    traces: Vec<&'a [UopInstruction]>,
    layouts: Vec<Layout>,
    bufs: Vec<Vec<u8>>,
    /// Uops over all the traces.
    uops: usize,
    /// Bytes of all the blocks.
    bytes: usize,
    /// Traces the emitter refused (not emitted).
    refused: usize,
}

impl<'a> Blocks<'a> {
    /// The traces of `all` with `lo..=hi` uops that `emitter` plans.
    fn new(
        emitter: &Emitter,
        all: impl IntoIterator<Item = &'a Vec<UopInstruction>>,
        lo: usize,
        hi: usize,
    ) -> Self {
        let mut b = Blocks {
            traces: Vec::new(),
            layouts: Vec::new(),
            bufs: Vec::new(),
            uops: 0,
            bytes: 0,
            refused: 0,
        };
        for t in all.into_iter().filter(|t| (lo..=hi).contains(&t.len())) {
            let mut layout = Layout::default();
            match emitter.plan(t, &mut layout) {
                Ok(p) => {
                    b.bufs.push(vec![0u8; p.total_size()]);
                    b.bytes += p.total_size();
                }
                Err(_) => {
                    b.refused += 1;
                    continue;
                }
            }
            b.traces.push(t);
            b.layouts.push(layout);
            b.uops += t.len();
        }
        b
    }

    /// Sources and destinations for the memcpy side: one of each per
    /// block, of its size.
    fn copies(&self) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let srcs = self.bufs.iter().map(|b| vec![0x90u8; b.len()]).collect();
        let dsts = self.bufs.iter().map(|b| vec![0u8; b.len()]).collect();
        (srcs, dsts)
    }

    /// Plans and emits every trace into its block, as `compile` does
    /// between allocating and installing. The traces and blocks are
    /// hidden from the optimizer once per round, as the memcpy side's
    /// buffers are (`measure_recorded`), not once per trace: a
    /// `black_box` per trace cost emission about 15 instructions per
    /// trace (stores and reloads of the slices) that the copy did not pay.
    fn emit_all(&mut self, emitter: &Emitter) -> Result<()> {
        let this = black_box(self);
        for ((t, layout), buf) in this
            .traces
            .iter()
            .zip(&mut this.layouts)
            .zip(&mut this.bufs)
        {
            let base = buf.as_ptr() as u64;
            emitter.plan(t, layout)?.emit(buf, base, 0x1000)?;
        }
        Ok(())
    }
}

/// The memcpy side of the recorded mix: each block's bytes copied from a
/// source of its own to a destination of its own, hidden from the
/// optimizer once per round (as [`Blocks::emit_all`] hides its traces).
fn copy_all(dsts: &mut [Vec<u8>], srcs: &[Vec<u8>]) {
    for (d, s) in black_box(dsts).iter_mut().zip(black_box(srcs)) {
        d.copy_from_slice(s);
    }
}

/// Emission of the recorded mix with `set`, per length bucket, against
/// memcpy of the same bytes (one copy per trace, of its block's size).
fn measure_recorded(set: &'static StencilSet, recorded: &[recorded::Recorded]) -> Result<()> {
    let jit = JitContext::new(config(), set, &vm_symbols()).context("JIT context")?;
    let narrow = narrow_emitter(set, vm_symbols())?;
    let emitter = narrow.as_ref().unwrap_or(jit.emitter());
    println!(
        "recorded mix: copies with {:?} stores (CPJIT_BENCH_COPIES=baseline|avx2|avx512: at most those)",
        emitter.copy_width()
    );
    let budget = Duration::from_millis(300);
    let programs: Vec<&str> = recorded.iter().map(|r| r.program.as_str()).collect();
    let total: usize = recorded.iter().map(|r| r.traces.len()).sum();
    println!(
        "recorded mix: the {total} traces the VM compiled running {} programs ({}); \
         emit = plan + emit of every trace of the bucket into its own block, \
         memcpy = one copy per trace of its block's bytes",
        programs.len(),
        programs.join(" ")
    );
    println!(
        "{:>7} {:>7} {:>8} {:>10} {:>9} {:>9} {:>12} {:>9} {:>12} {:>9}",
        "bucket",
        "traces",
        "uops",
        "uops/trace",
        "bytes/uop",
        "refused",
        "emit MB/s",
        "ns/uop",
        "memcpy MB/s",
        "emit/cpy"
    );
    for (label, lo, hi) in recorded::BUCKETS {
        let mut blocks = Blocks::new(emitter, recorded.iter().flat_map(|r| &r.traces), lo, hi);
        if blocks.traces.is_empty() {
            println!("{label:>7} {:>7}", 0);
            continue;
        }
        let emit = best_per_call(budget, || blocks.emit_all(emitter).expect("emit"));
        let (srcs, mut dsts) = blocks.copies();
        let copy = best_per_call(budget, || copy_all(&mut dsts, &srcs));
        let n = blocks.traces.len();
        println!(
            "{:>7} {:>7} {:>8} {:>10.1} {:>9.1} {:>9} {:>12.0} {:>9.2} {:>12.0} {:>9.2}",
            label,
            n,
            blocks.uops,
            blocks.uops as f64 / n as f64,
            blocks.bytes as f64 / blocks.uops as f64,
            blocks.refused,
            mbps(blocks.bytes, emit),
            emit.as_nanos() as f64 / blocks.uops as f64,
            mbps(blocks.bytes, copy),
            emit.as_secs_f64() / copy.as_secs_f64(),
        );
    }
    Ok(())
}

fn config() -> JitConfig {
    JitConfig {
        debug: None,
        ..JitConfig::default()
    }
}

/// [`config`] with the code registered with gdb (in-memory ELF with
/// symbols and CFI per uop), the default unless `CPJIT_GDB=0`.
fn gdb_config() -> JitConfig {
    JitConfig {
        debug: Some(cpjit::jit::debug::DebugConfig {
            perf_map: false,
            jitdump: false,
            gdb: true,
        }),
        ..config()
    }
}

fn measure(set: &'static StencilSet, name: &str) -> Result<()> {
    let jit = JitContext::new(config(), set, &symbols()).context("JIT context")?;
    let budget = Duration::from_millis(300);
    println!(
        "stencils: {name}, target {}, convention {:?}, {}",
        set.target, set.cc, set.input_hash
    );
    let tables = table_driven(set)?;
    println!(
        "synthetic mix: one 10-uop integer loop body repeated to N uops (small stencils: the worst case)"
    );
    println!(
        "emitter: {}; tbl/cpy: the table-driven emitter (patch programs) in the same run",
        if jit.emitter().is_generated() {
            "generated emit functions"
        } else {
            "table-driven (no generated functions for this set)"
        }
    );
    println!(
        "{:>6} {:>8} {:>12} {:>9} {:>12} {:>9} {:>8} {:>12} {:>12} {:>12} {:>9}",
        "uops",
        "bytes",
        "emit MB/s",
        "ns/uop",
        "memcpy MB/s",
        "emit/cpy",
        "plan%",
        "protect ns",
        "compile ns",
        "compile MB/s",
        "tbl/cpy"
    );
    let narrow = narrow_emitter(set, symbols())?;
    for n in [10usize, 100, 1000] {
        let t = trace(n);
        let emitter = narrow.as_ref().unwrap_or(jit.emitter());
        let mut layout = Layout::default();
        emitter.plan(&t, &mut layout)?;
        let size = layout.total_size;
        let mut buf = vec![0u8; size];
        let base = buf.as_ptr() as u64;
        // Emission alone (what `compile` does between allocating and
        // installing: the size sum, then the one emitting pass) into
        // ordinary writable memory.
        let emit = best_per_call(budget, || {
            emitter
                .plan(black_box(&t), &mut layout)
                .expect("plan")
                .emit(black_box(&mut buf), base, 0x1000)
                .expect("emit");
        });
        let with_tables = best_per_call(budget, || {
            let mut l = tables.layout(black_box(&t)).expect("layout");
            tables
                .emit_into(&t, &mut l, black_box(&mut buf), base, 0x1000)
                .expect("emit");
        });
        let plan_only = best_per_call(budget, || {
            emitter.plan(black_box(&t), &mut layout).expect("plan");
            black_box(&layout);
        });
        // memcpy of the same number of bytes.
        let src = vec![0x90u8; size];
        let mut dst = vec![0u8; size];
        let copy = best_per_call(budget, || {
            black_box(&mut dst).copy_from_slice(black_box(&src));
        });
        // Page protection alone: one RW/RX flip pair over the pages a block
        // of this size spans, on a mapping of our own.
        let page = os::page_size();
        let pages = size.div_ceil(page) * page;
        let region = os::reserve(pages)?;
        // SAFETY: `region` is our own fresh mapping; nothing runs in it.
        unsafe { os::protect(region, pages, os::Protection::ReadExecute)? };
        // Page protection as the compile path pays it: flip to read+write,
        // write one byte per page (the first write after a flip may fault
        // to make the page table entry writable), flip back.
        let protect = best_per_call(budget, || {
            // SAFETY: as above; the writes land on pages just made writable.
            unsafe {
                os::protect(region, pages, os::Protection::ReadWrite).expect("rw");
                for off in (0..pages).step_by(page) {
                    region.add(off).write_volatile(0xC3);
                }
                os::protect(region, pages, os::Protection::ReadExecute).expect("rx");
            }
        });
        // SAFETY: nothing uses the region any more.
        unsafe { os::release(region, pages)? };
        // The whole path: allocate, flip, emit, flip, free.
        let compile = best_per_call(budget, || {
            drop(black_box(jit.compile(&t).expect("compile")));
        });
        println!(
            "{:>6} {:>8} {:>12.0} {:>9.1} {:>12.0} {:>9.2} {:>8.0} {:>12} {:>12} {:>12.0} {:>9.2}",
            n,
            size,
            mbps(size, emit),
            emit.as_nanos() as f64 / n as f64,
            mbps(size, copy),
            emit.as_secs_f64() / copy.as_secs_f64(),
            100.0 * plan_only.as_secs_f64() / emit.as_secs_f64(),
            protect.as_nanos(),
            compile.as_nanos(),
            mbps(size, compile),
            with_tables.as_secs_f64() / copy.as_secs_f64(),
        );
    }
    // The same compile with the code registered with gdb.
    let jit_gdb = JitContext::new(gdb_config(), set, &symbols())?;
    let t = trace(100);
    let with_gdb = best_per_call(budget, || {
        drop(black_box(jit_gdb.compile(&t).expect("compile")));
    });
    // The registration's share, per compile: best and median of 200.
    let mut each: Vec<Duration> = (0..200)
        .map(|_| {
            let before = jit_gdb.registration_time();
            drop(black_box(jit_gdb.compile(&t).expect("compile")));
            jit_gdb.registration_time() - before
        })
        .collect();
    each.sort();
    println!(
        "compile of 100 uops with GDB JIT registration: {} ns (registration alone: best {} ns, median {} ns)",
        with_gdb.as_nanos(),
        each[0].as_nanos(),
        each[each.len() / 2].as_nanos()
    );
    memory_run(set)?;
    Ok(())
}

/// A realistic run: 2,000 traces of 8 to 400 uops compiled, about a third
/// of the live ones invalidated and freed as the run goes, as a VM does when
/// deoptimizing; reports committed and allocated bytes over emitted bytes.
fn memory_run(set: &'static StencilSet) -> Result<()> {
    let jit = JitContext::new(config(), set, &symbols())?;
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut live = Vec::new();
    let (mut worst, mut samples, mut sum) = (0f64, 0usize, 0f64);
    for i in 0..2000 {
        // Trace lengths skewed short, as loop traces are.
        let n = 8 + (next() % 64) as usize * (1 + (next() % 6) as usize);
        live.push(jit.compile(&trace(n))?);
        if next() % 3 == 0 && !live.is_empty() {
            let k = (next() as usize) % live.len();
            let e = live.swap_remove(k);
            e.invalidate();
        }
        if i >= 100 {
            let s = jit.memory_stats();
            let r = s.committed_ratio();
            worst = worst.max(r);
            sum += r;
            samples += 1;
        }
    }
    let s = jit.memory_stats();
    println!(
        "memory run: {} live executors, {} emitted bytes, {} allocated ({:.3}x), {} committed ({:.3}x); committed/emitted mean {:.3}x, worst {:.3}x after warm-up; {} free blocks",
        s.live_blocks,
        s.emitted,
        s.allocated,
        s.allocated as f64 / s.emitted as f64,
        s.committed,
        s.committed_ratio(),
        sum / samples as f64,
        worst,
        s.free_blocks
    );
    Ok(())
}
