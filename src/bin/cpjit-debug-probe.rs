//! `cpjit-debug-probe`: puts a tiny trace of real x86-64 machine code in
//! executable memory, registers it with `cpjit::jit::debug`, and runs it,
//! so tests (and people) can check what gdb, perf and frame-pointer
//! unwinders see.
//!
//! The code mimics the JIT's shape: a trampoline `call`s the first stencil;
//! `_LOAD_FAST` (frameless) tail-jumps to `_BINARY_OP_ADD_INT`, which sets
//! up a frame (`push rbp; mov rbp, rsp`) and calls the Rust helper
//! `cpjit_probe_helper` with its frame pointer as argument, then returns
//! to the trampoline.
//!
//! Modes:
//! * `gdb` (default): run once; gdb breaks in `cpjit_probe_helper`. Then
//!   unregister and call `cpjit_probe_unregistered(code_address)`.
//! * `fp`: the helper walks the frame-pointer chain from the JIT frame and
//!   checks it reaches `cpjit_probe_run_jit`, the Rust caller; exit status
//!   1 if not.
//!
//! * `spin [N]`: run the code N times (default 50 million), for
//!   `perf record` demonstrations.
//!
//! * `bench-register [N]`: time N gdb registrations (object file, CFI,
//!   list) of a 40-uop executor built from the host's stencils.
//!
//! All but `bench-register` print the registered ranges as perf-map lines
//! first.

use anyhow::{bail, Context, Result};
use cpjit::jit::debug::{self, frame_pointers, CodeRange, CodeRegion};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// Offsets of the three pieces in the code.
const TRAMPOLINE: usize = 0;
const LOAD_FAST: usize = 16;
const ADD_INT: usize = 32;

/// Whether the helper should walk frame pointers.
static WALK: AtomicBool = AtomicBool::new(false);
/// The walk's result: index of the record reaching the caller, or -1.
static REACHED: AtomicI64 = AtomicI64::new(-2);

fn main() -> Result<()> {
    if !cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        bail!("cpjit-debug-probe runs x86-64 Linux machine code only");
    }
    let mode = std::env::args().nth(1).unwrap_or_else(|| "gdb".into());
    if !matches!(mode.as_str(), "gdb" | "fp" | "spin" | "bench-register") {
        bail!("usage: cpjit-debug-probe [gdb|fp|spin [N]|bench-register [N]]");
    }
    if mode == "bench-register" {
        let n = match std::env::args().nth(2) {
            Some(n) => n.parse().context("count must be a number")?,
            None => 10_000,
        };
        return bench_register(n);
    }
    let runs: u64 = match std::env::args().nth(2) {
        Some(n) if mode == "spin" => n.parse().context("spin count must be a number")?,
        _ if mode == "spin" => 50_000_000,
        _ => 1,
    };
    WALK.store(mode == "fp", Ordering::SeqCst);

    let (code, ranges) = assemble();
    let mem = ExecMemory::new(&code).context("cannot map the probe's code")?;
    let region = CodeRegion::new("cpjit-debug-probe", mem.bytes(), &ranges);
    for r in &ranges {
        print!(
            "{}",
            debug::perf_map::format_line(region.address() + r.offset as u64, r.size, &r.name)
        );
    }
    let registration = debug::register(&region).context("cannot register the probe's code")?;

    // SAFETY: the trampoline is a C-convention function `() -> i64`: it
    // keeps the stack balanced and returns the helper's result in rax.
    let entry: extern "C" fn() -> i64 = unsafe { std::mem::transmute(mem.address()) };
    let mut result = 0;
    for _ in 0..runs {
        result = cpjit_probe_run_jit(entry);
    }
    println!("jit returned {result}");

    drop(registration);
    cpjit_probe_unregistered(mem.address());

    if mode == "fp" {
        let reached = REACHED.load(Ordering::SeqCst);
        if reached < 0 {
            println!("frame-pointer chain does not reach cpjit_probe_run_jit");
            std::process::exit(1);
        }
        println!("frame-pointer chain reaches cpjit_probe_run_jit at record {reached}");
    }
    Ok(())
}

/// Times `n` gdb registrations (build the object file with CFI, link,
/// notify, unlink) of a 40-uop executor made of the host's real stencils
/// (jump holes pointed outside, as after patching).
fn bench_register(n: u32) -> Result<()> {
    use cpjit::abi::stencil::HoleKind;
    use cpjit::abi::uop::Uop;
    use cpjit::jit::stencils::HOST;
    let uops: Vec<(Uop, &cpjit::abi::stencil::StencilGroup)> = Uop::ALL
        .iter()
        .copied()
        .zip(HOST.uops)
        .filter(|(_, g)| !g.code.body.is_empty())
        .cycle()
        .take(40)
        .collect();
    let mut code = Vec::new();
    let mut starts = Vec::new();
    for g in std::iter::once(&HOST.trampoline)
        .chain(uops.iter().map(|(_, g)| *g))
        .chain(std::iter::once(&HOST.fatal_error))
    {
        let at = code.len();
        starts.push(at);
        code.extend_from_slice(g.code.body);
        for h in g.code.holes.iter().filter(|h| h.kind == HoleKind::Rel32) {
            let o = at + h.offset as usize;
            code[o..o + 4].copy_from_slice(&0x4000_0000_i32.to_le_bytes());
        }
    }
    let sites: Vec<_> = uops
        .iter()
        .enumerate()
        .map(|(i, (u, _))| debug::UopSite {
            uop: u.name(),
            function: "bench",
            line: i as u32,
        })
        .collect();
    let ranges =
        debug::trace_ranges("bench", &starts, code.len(), &sites).context("bad bench layout")?;
    let region = CodeRegion::new("bench", &code, &ranges);
    let config = debug::DebugConfig {
        perf_map: false,
        jitdump: false,
        gdb: true,
    };
    let bytes = debug::symfile::build(&region)?.len();
    let start = std::time::Instant::now();
    for _ in 0..n {
        drop(debug::register_with(&region, config)?);
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));
    // As the JIT registers executors: each piece's unwind rows analysed
    // once per stencil (here: before the loop) and reused.
    let cached: Vec<_> = ranges
        .iter()
        .map(|r| {
            let bytes = &code[r.offset..r.offset + r.size];
            let rows = debug::cfi::rows(&debug::FrameLayout::Detect, bytes);
            r.clone()
                .with_frame(debug::FrameLayout::Precomputed(rows.into()))
        })
        .collect();
    let cached_region = CodeRegion::new("bench", &code, &cached);
    let start = std::time::Instant::now();
    for _ in 0..n {
        drop(debug::register_with(&cached_region, config)?);
    }
    let per_cached = start.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));
    println!(
        "gdb registration of {} ranges ({} bytes of code): {per:.1} us per register+unregister analysing the code, {per_cached:.1} us with unwind rows cached per stencil (as the JIT does); object file {bytes} bytes",
        ranges.len(),
        code.len()
    );
    Ok(())
}

/// The Rust code that enters JIT code.
#[no_mangle]
#[inline(never)]
pub extern "C" fn cpjit_probe_run_jit(entry: extern "C" fn() -> i64) -> i64 {
    let r = entry();
    // Keeps the call from becoming a tail jump, so this frame stays on the
    // stack while JIT code runs.
    std::hint::black_box(r)
}

/// Called by `_BINARY_OP_ADD_INT` with its frame pointer.
#[no_mangle]
#[inline(never)]
pub extern "C" fn cpjit_probe_helper(jit_frame_pointer: usize) -> i64 {
    if WALK.load(Ordering::SeqCst) {
        let reached = match caller_range() {
            Ok(range) => frame_pointers::chain_reaches(jit_frame_pointer, range, 64)
                .ok()
                .flatten(),
            Err(e) => {
                eprintln!("cpjit-debug-probe: {e:#}");
                None
            }
        };
        if let Ok(records) = frame_pointers::walk(jit_frame_pointer, 8) {
            for r in records {
                println!(
                    "frame record at {:#x}: return address {:#x}",
                    r.frame_pointer, r.return_address
                );
            }
        }
        REACHED.store(reached.map_or(-1, |i| i as i64), Ordering::SeqCst);
    }
    42
}

/// Called after the code was unregistered; gdb breaks here to check the
/// code has no symbol any more.
#[no_mangle]
#[inline(never)]
pub extern "C" fn cpjit_probe_unregistered(code: usize) {
    std::hint::black_box(code);
}

/// The address range of `cpjit_probe_run_jit`, from this executable's
/// symbol table.
fn caller_range() -> Result<std::ops::Range<usize>> {
    use object::{Object, ObjectSymbol};
    let exe = std::fs::read("/proc/self/exe").context("cannot read /proc/self/exe")?;
    let file = object::File::parse(&*exe).context("cannot parse /proc/self/exe")?;
    let size = file
        .symbols()
        .find(|s| s.name() == Ok("cpjit_probe_run_jit"))
        .map(|s| s.size())
        .context("no symbol cpjit_probe_run_jit (stripped binary?)")?;
    let start = cpjit_probe_run_jit as *const () as usize;
    Ok(start..start + size as usize)
}

/// The machine code and its ranges.
fn assemble() -> (Vec<u8>, Vec<CodeRange>) {
    let mut code = vec![0xcc_u8; 64]; // int3 between pieces
    let rel32 = |from_end: usize, to: usize| ((to as i64 - from_end as i64) as i32).to_le_bytes();

    // Trampoline: push rbp; mov rbp, rsp; call LOAD_FAST; pop rbp; ret
    let mut t = vec![0x55, 0x48, 0x89, 0xe5, 0xe8];
    t.extend_from_slice(&rel32(TRAMPOLINE + 9, LOAD_FAST));
    t.extend_from_slice(&[0x5d, 0xc3]);

    // _LOAD_FAST: nop; jmp ADD_INT
    let mut a = vec![0x90, 0xe9];
    a.extend_from_slice(&rel32(LOAD_FAST + 6, ADD_INT));

    // _BINARY_OP_ADD_INT: push rbp; mov rbp, rsp; mov rdi, rbp;
    // movabs rax, helper; call rax; pop rbp; ret
    let mut b = vec![0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xef, 0x48, 0xb8];
    let helper: extern "C" fn(usize) -> i64 = cpjit_probe_helper;
    b.extend_from_slice(&(helper as usize as u64).to_le_bytes());
    b.extend_from_slice(&[0xff, 0xd0, 0x5d, 0xc3]);

    let mut ranges = Vec::new();
    for (offset, bytes, range) in [
        (
            TRAMPOLINE,
            &t,
            CodeRange::trampoline(TRAMPOLINE, t.len(), "probe"),
        ),
        (
            LOAD_FAST,
            &a,
            CodeRange::uop(LOAD_FAST, a.len(), "probe", 1, "_LOAD_FAST"),
        ),
        (
            ADD_INT,
            &b,
            CodeRange::uop(ADD_INT, b.len(), "probe", 1, "_BINARY_OP_ADD_INT"),
        ),
    ] {
        code[offset..offset + bytes.len()].copy_from_slice(bytes);
        ranges.push(range);
    }
    (code, ranges)
}

/// A page of code, mapped read+write to copy it in, then read+execute.
struct ExecMemory {
    ptr: *mut u8,
    len: usize,
}

impl ExecMemory {
    fn new(code: &[u8]) -> Result<Self> {
        let len = 4096;
        if code.len() > len {
            bail!("probe code larger than a page");
        }
        // SAFETY: a fresh anonymous private mapping; checked for failure.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error()).context("mmap");
        }
        let ptr = ptr.cast::<u8>();
        // SAFETY: the mapping is `len` >= `code.len()` writable bytes; then
        // it is flipped to read+execute (never writable and executable).
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), ptr, code.len());
            if libc::mprotect(ptr.cast(), len, libc::PROT_READ | libc::PROT_EXEC) != 0 {
                let e = std::io::Error::last_os_error();
                libc::munmap(ptr.cast(), len);
                return Err(e).context("mprotect");
            }
        }
        Ok(ExecMemory {
            ptr,
            len: code.len(),
        })
    }

    fn address(&self) -> usize {
        self.ptr as usize
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of the mapping are initialised and
        // readable for the life of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for ExecMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps the mapping made in `new`; nothing refers to it.
        unsafe { libc::munmap(self.ptr.cast(), 4096) };
    }
}
