//! The JIT context: the library's entry point for VM authors.

use crate::jit::debug::symfile_writer::{push_decimal, EncodedFde, SymfileWriter};
use crate::jit::debug::{self, CodeRange, CodeRegion, DebugConfig, FrameLayout};
use crate::jit::emitter::{Emitter, Layout};
use crate::jit::error::JitError;
use crate::jit::executor::{self, Executor, ExecutorBox, ExitSite};
use crate::jit::memory::{CodeMemory, MemoryConfig, MemoryStats};
use crate::jit::symbols::SymbolTable;
use crate::jit::trace::{exit_targets, UopInstruction};
use cpjit_abi::stencil::StencilSet;
use cpjit_abi::uop::Uop;
use std::cell::RefCell;
use std::rc::Rc;

/// How a [`JitContext`] is set up.
#[derive(Clone, Copy, Debug)]
pub struct JitConfig {
    /// Executable memory limits.
    pub memory: MemoryConfig,
    /// Register each executor's code with profilers and debuggers
    /// ([`crate::jit::debug`]); `None` registers nothing.
    pub debug: Option<DebugConfig>,
}

impl Default for JitConfig {
    /// Default memory limits; debug registration as the environment asks
    /// ([`crate::jit::debug::config`]).
    fn default() -> Self {
        JitConfig {
            memory: MemoryConfig::default(),
            debug: Some(debug::config()),
        }
    }
}

/// A JIT for one stencil set (normally the host's): compiles traces into
/// executors that live in the context's executable memory.
///
/// Not `Send`: the context, its executors and their code stay on one thread.
/// Dropping the context is fine while executors live: they keep its memory.
#[derive(Debug)]
pub struct JitContext {
    emitter: Emitter,
    memory: Rc<RefCell<CodeMemory>>,
    debug: Option<DebugConfig>,
    /// Traces compiled by [`JitContext::compile`], to name them `trace<N>`.
    traces: std::cell::Cell<u64>,
    /// Time spent registering code with profilers and debuggers.
    registration_time: std::cell::Cell<std::time::Duration>,
    /// Unwind information of each stencil already encoded for gdb
    /// (see [`FdeCache`]).
    frames: RefCell<FdeCache>,
    /// Where each uop's group holds cold code in its data
    /// ([`cpjit_abi::stencil::StencilGroup::cold`]), indexed by uop.
    cold: Box<[Option<(u32, u32)>]>,
}

/// The unwind information of each stencil, encoded once per context for
/// gdb's symbol files: copies of one stencil have the same instructions
/// wherever they are emitted (only hole values differ). Indexed by piece:
/// 0 the trampoline, 1 the fatal-error guard, `2 + uop` a uop, and
/// `2 + Uop::ALL.len() + uop` a uop's cold code ([`COLD_KEYS`]); each
/// entry keeps the code size it was encoded for.
type FdeCache = Vec<Option<(usize, EncodedFde)>>;

/// Where the [`FdeCache`] keys of cold code start.
const COLD_KEYS: usize = 2 + cpjit_abi::uop::Uop::ALL.len();

/// The architecture a target triple names (`x86_64`, `aarch64`, ...).
fn triple_arch(triple: &str) -> &str {
    triple.split('-').next().unwrap_or("")
}

impl JitContext {
    /// Prepares `stencils` with the embedder's `symbols` and reserves the
    /// executable memory. The runtime's own helpers
    /// (`cpjit_executor_dealloc`, and a default `cpjit_fatal_error` unless
    /// `symbols` has one) are added to the table.
    pub fn new(
        config: JitConfig,
        stencils: &StencilSet,
        symbols: &SymbolTable,
    ) -> Result<Self, JitError> {
        let host = std::env::consts::ARCH;
        let arch = triple_arch(stencils.target);
        if arch != host && !(host == "aarch64" && arch == "arm64") {
            return Err(JitError::BadStencil(format!(
                "stencils for {} cannot run on {host}",
                stencils.target
            )));
        }
        let mut symbols = symbols.clone();
        symbols.insert(
            "cpjit_executor_dealloc",
            executor::cpjit_executor_dealloc as *const () as usize as u64,
        );
        if symbols.get("cpjit_fatal_error").is_none() {
            symbols.insert(
                "cpjit_fatal_error",
                executor::cpjit_fatal_error as *const () as usize as u64,
            );
        }
        let emitter = Emitter::new(stencils, &symbols)?;
        let memory = CodeMemory::new(config.memory)?;
        Ok(JitContext {
            emitter,
            memory: Rc::new(RefCell::new(memory)),
            debug: config.debug,
            traces: std::cell::Cell::new(0),
            registration_time: std::cell::Cell::new(std::time::Duration::ZERO),
            frames: RefCell::new(FdeCache::new()),
            cold: stencils.uops.iter().map(|g| g.cold).collect(),
        })
    }

    /// [`JitContext::new`] with the host's stencils, generated at build time
    /// ([`crate::jit::stencils::HOST`]).
    pub fn for_host(config: JitConfig, symbols: &SymbolTable) -> Result<Self, JitError> {
        Self::new(config, &crate::jit::stencils::HOST, symbols)
    }

    /// Compiles a trace into a valid executor with one reference (the
    /// returned handle) and one unlinked exit per exit index used.
    ///
    /// For profilers and debuggers the `N`th trace this context compiles
    /// is named `trace<N>`: uop `i` shows as `cpjit:trace<N>:<i>:<uop name>`.
    pub fn compile(&self, trace: &[UopInstruction]) -> Result<Executor, JitError> {
        let n = self.traces.get();
        self.traces.set(n + 1);
        self.compile_named(trace, &format!("trace{n}"))
    }

    /// [`JitContext::compile`], naming the code for profilers and debuggers:
    /// uop `i` of the trace shows as `cpjit:<function>:<i>:<uop name>`.
    pub fn compile_named(
        &self,
        trace: &[UopInstruction],
        function: &str,
    ) -> Result<Executor, JitError> {
        self.compile_with_lines(trace, function, None)
    }

    /// [`JitContext::compile_named`] with a label per instruction: uop `i`
    /// shows as `cpjit:<function>:<lines[i]>:<uop name>` (e.g. the source
    /// line it came from); instructions past the end of `lines`, or all of
    /// them when `lines` is `None`, use their index `i`.
    pub fn compile_with_lines(
        &self,
        trace: &[UopInstruction],
        function: &str,
        lines: Option<&[u32]>,
    ) -> Result<Executor, JitError> {
        let mut layout = Layout::default();
        let mut plan = self.emitter.plan(trace, &mut layout)?;
        let exits = exit_targets(trace)?;
        let result = {
            let mut memory = self.memory.try_borrow_mut().map_err(|_| JitError::Busy)?;
            let block = memory.alloc(plan.total_size())?;
            let p = ExecutorBox::allocate(self.memory.clone(), &exits);
            let header = p.as_ptr() as u64;
            let emitted = memory.write(&block, |buf, addr| plan.emit(buf, addr, header));
            match emitted {
                Ok(()) => {
                    let code = memory.address(&block);
                    let enabled = |c: &DebugConfig| c.perf_map || c.jitdump || c.gdb;
                    let registration = self.debug.filter(enabled).and_then(|config| {
                        let t0 = std::time::Instant::now();
                        // SAFETY: the whole block (code, then data holding
                        // cold code) was just written and is read+execute (so
                        // readable) for the executor's life.
                        let bytes = unsafe { std::slice::from_raw_parts(code, layout.total_size) };
                        let mut frames = self.frames.borrow_mut();
                        let piece = Pieces {
                            layout: &layout,
                            trace,
                            cold: &self.cold,
                        };
                        let r = register(bytes, &piece, function, lines, config, &mut frames);
                        self.registration_time
                            .set(self.registration_time.get() + t0.elapsed());
                        r
                    });
                    // SAFETY: the block's code was just written and is
                    // read+execute (so readable).
                    let sites = unsafe { exit_sites(trace, &layout, code) };
                    // SAFETY: `p` is fresh and unshared; the block holds its code.
                    unsafe {
                        ExecutorBox::install(
                            p,
                            block,
                            code,
                            layout.side_entry(),
                            layout.code_pieces().collect(),
                            registration,
                            sites,
                        )
                    };
                    Ok(Executor::from_new(p))
                }
                Err(e) => {
                    memory.free(block);
                    // SAFETY: `p` was never installed or shared.
                    unsafe { ExecutorBox::discard(p) };
                    Err(e)
                }
            }
        };
        executor::drain_deferred();
        result
    }

    /// The emitter, for measuring emission apart from memory management.
    pub fn emitter(&self) -> &Emitter {
        &self.emitter
    }

    /// Time spent so far registering executors with profilers and
    /// debuggers (part of compiling; see [`crate::jit::debug`]).
    pub fn registration_time(&self) -> std::time::Duration {
        self.registration_time.get()
    }

    /// Counters of the context's executable memory.
    pub fn memory_stats(&self) -> MemoryStats {
        self.memory.borrow().stats()
    }

    /// The address range reserved for this context's code.
    pub fn address_range(&self) -> (usize, usize) {
        self.memory.borrow().address_range()
    }
}

/// The `_EXIT_TRACE` stubs of the code at `code`, laid out by `layout`,
/// that a link may patch into a direct jump ([`ExitSite::at`]).
///
/// # Safety
/// `code` points to the block's emitted code, readable.
unsafe fn exit_sites(
    trace: &[UopInstruction],
    layout: &Layout,
    code: *const u8,
) -> Box<[ExitSite]> {
    let pieces = layout.code_pieces().skip(1);
    trace
        .iter()
        .zip(pieces)
        .filter(|(ins, _)| ins.opcode == Uop::EXIT_TRACE)
        .filter_map(|(ins, (off, size))| {
            // SAFETY: the piece lies inside the emitted code (the caller's promise).
            let bytes = unsafe { std::slice::from_raw_parts(code.add(off), size) };
            ExitSite::at(ins.exit_index, off, bytes)
        })
        .collect()
}

/// Registers an executor's code with the debug interfaces. A failure costs
/// only debuggability, never the executor: it is reported once per process
/// on stderr and the code runs unregistered.
///
/// Perf map and jitdump (off by default) get named ranges through
/// [`debug::register_with`]; gdb gets a symbol file written directly from
/// the unwind information of each stencil, encoded once per context
/// ([`FdeCache`]).
fn register(
    code: &[u8],
    pieces: &Pieces<'_>,
    function: &str,
    lines: Option<&[u32]>,
    config: DebugConfig,
    fdes: &mut FdeCache,
) -> Option<debug::Registration> {
    let warn = |e: debug::DebugError| {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| eprintln!("cpjit: cannot register JIT code for debugging: {e}"));
    };
    let mut registration = debug::Registration::default();
    if config.perf_map || config.jitdump {
        let ranges = named_ranges(pieces, function, lines)?;
        let name = format!("cpjit executor {function} at {:p}", code.as_ptr());
        let profilers = DebugConfig {
            gdb: false,
            ..config
        };
        match debug::register_with(&CodeRegion::new(&name, code, &ranges), profilers) {
            Ok(r) => registration = r,
            Err(e) => warn(e),
        }
    }
    if config.gdb {
        match gdb_symfile(code, pieces, function, lines, fdes) {
            Ok(symfile) => registration = registration.with_gdb(symfile),
            Err(e) => warn(e),
        }
    }
    Some(registration)
}

/// The label of uop `i` (its source line if `lines` has one, else `i`).
fn line_of(lines: Option<&[u32]>, i: usize) -> u32 {
    lines.and_then(|l| l.get(i)).copied().unwrap_or(i as u32)
}

/// An executor's pieces, as the debug interfaces name them.
struct Pieces<'a> {
    layout: &'a Layout,
    trace: &'a [UopInstruction],
    /// The context's cold code table ([`JitContext::cold`]).
    cold: &'a [Option<(u32, u32)>],
}

/// One uop's cold code, where it was installed.
struct ColdPiece {
    /// The uop's index in the trace.
    index: usize,
    /// `(offset, size)` of its hot code in the block.
    hot: (usize, usize),
    /// `(offset, size)` of its cold code in the block (in the data area).
    cold: (usize, usize),
}

impl Pieces<'_> {
    /// The cold code of each uop that has some, in trace order.
    fn cold_pieces(&self) -> impl Iterator<Item = ColdPiece> + '_ {
        let uops = self.layout.code_pieces().zip(self.layout.data_offsets());
        uops.skip(1)
            .zip(self.trace)
            .enumerate()
            .filter_map(|(index, ((hot, data), ins))| {
                let (offset, len) = (*self.cold.get(ins.opcode as usize)?)?;
                (len > 0).then_some(ColdPiece {
                    index,
                    hot,
                    cold: (data + offset as usize, len as usize),
                })
            })
    }
}

/// The executor's code as named ranges: trampoline, each uop, guard, then
/// each uop's cold code (`cpjit:<function>:<line>:<uop>.cold`).
fn named_ranges(p: &Pieces<'_>, function: &str, lines: Option<&[u32]>) -> Option<Vec<CodeRange>> {
    let (layout, trace) = (p.layout, p.trace);
    let mut pieces = layout.code_pieces();
    let mut ranges = Vec::with_capacity(trace.len() + 2);
    let (off, size) = pieces.next()?;
    ranges.push(CodeRange::trampoline(off, size, function));
    for (i, (ins, (off, size))) in trace.iter().zip(&mut pieces).enumerate() {
        ranges.push(CodeRange::uop(
            off,
            size,
            function,
            line_of(lines, i),
            ins.opcode.name(),
        ));
    }
    let (off, size) = pieces.next()?;
    ranges.push(CodeRange::new(
        off,
        size,
        format!("cpjit:{function}:_FATAL_ERROR"),
    ));
    for c in p.cold_pieces() {
        let ins = trace.get(c.index)?;
        ranges.push(CodeRange::new(
            c.cold.0,
            c.cold.1,
            format!(
                "cpjit:{function}:{}:{}.cold",
                line_of(lines, c.index),
                ins.opcode.name()
            ),
        ));
    }
    Some(ranges)
}

/// The symbol file gdb gets for an executor: one symbol per piece, named as
/// [`named_ranges`] names them, and each piece's unwind information from
/// `fdes` (encoded on first use).
fn gdb_symfile(
    code: &[u8],
    p: &Pieces<'_>,
    function: &str,
    lines: Option<&[u32]>,
    fdes: &mut FdeCache,
) -> Result<Vec<u8>, debug::DebugError> {
    let name = format!("cpjit executor {function} at {:p}", code.as_ptr());
    // Names are `cpjit:trampoline:<function>`, `cpjit:<function>:<line>:<uop>`
    // and `cpjit:<function>:_FATAL_ERROR`, put together from pieces.
    let prefix = format!("cpjit:{function}:");
    let (layout, trace) = (p.layout, p.trace);
    let mut w = SymfileWriter::new(&name, code.as_ptr() as u64, code.len(), 2 * trace.len() + 2)?;
    let last = trace.len() + 1;
    for (k, (off, size)) in layout.code_pieces().enumerate() {
        let uop = (k > 0 && k < last).then(|| trace.get(k - 1)).flatten();
        let key = match (k, uop) {
            (0, _) => 0,
            (_, None) => 1,
            (_, Some(ins)) => 2 + ins.opcode as usize,
        };
        if fdes.len() <= key {
            fdes.resize(key + 1, None);
        }
        if !matches!(&fdes[key], Some((s, _)) if *s == size) {
            let bytes = code.get(off..off + size).unwrap_or(&[]);
            fdes[key] = Some((size, EncodedFde::encode(bytes, &FrameLayout::Detect)?));
        }
        let fde = fdes[key].as_ref().map(|(_, f)| f);
        let fde = fde.ok_or_else(|| debug::DebugError::Symfile("unwind cache".into()))?;
        w.add(off, size, fde, |s| match uop {
            _ if k == 0 => {
                s.extend_from_slice(b"cpjit:trampoline:");
                s.extend_from_slice(function.as_bytes());
            }
            None => {
                s.extend_from_slice(prefix.as_bytes());
                s.extend_from_slice(b"_FATAL_ERROR");
            }
            Some(ins) => {
                s.extend_from_slice(prefix.as_bytes());
                push_decimal(s, line_of(lines, k - 1));
                s.push(b':');
                s.extend_from_slice(ins.opcode.name().as_bytes());
            }
        })?;
    }
    // Cold code unwinds in the frame its hot code jumped there with.
    for c in p.cold_pieces() {
        let Some(ins) = trace.get(c.index) else {
            continue;
        };
        let key = COLD_KEYS + ins.opcode as usize;
        if fdes.len() <= key {
            fdes.resize(key + 1, None);
        }
        let (cold_off, cold_size) = c.cold;
        if !matches!(&fdes[key], Some((s, _)) if *s == cold_size) {
            let hot = code.get(c.hot.0..c.hot.0 + c.hot.1).unwrap_or(&[]);
            let cold = code.get(cold_off..cold_off + cold_size).unwrap_or(&[]);
            let frame = debug::cfi::cold_frame(hot, cold_off as i64 - c.hot.0 as i64, cold);
            fdes[key] = Some((cold_size, EncodedFde::encode(cold, &frame)?));
        }
        let fde = fdes[key].as_ref().map(|(_, f)| f);
        let fde = fde.ok_or_else(|| debug::DebugError::Symfile("unwind cache".into()))?;
        w.add(cold_off, cold_size, fde, |s| {
            s.extend_from_slice(prefix.as_bytes());
            push_decimal(s, line_of(lines, c.index));
            s.push(b':');
            s.extend_from_slice(ins.opcode.name().as_bytes());
            s.extend_from_slice(b".cold");
        })?;
    }
    Ok(w.finish())
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests {
    use super::*;
    use cpjit_abi::uop::Uop;
    use gimli::{BaseAddresses, CfaRule, LittleEndian, UnwindContext, UnwindSection, X86_64};
    use object::{Object, ObjectSection, ObjectSymbol};

    /// A split stencil's cold code (float boxing when the free list is
    /// empty, deallocation) gets its own symbol in the perf map, jitdump
    /// and gdb ranges, and an FDE with the frame its hot code jumps there
    /// with: `_BINARY_OP_ADD_FLOAT` pushes (to align the stack for its
    /// helper calls) before every jump into its cold code, so there
    /// CFA = rsp + 16, not the entry's rsp + 8.
    #[test]
    fn cold_code_is_named_and_unwinds_in_its_hot_frame() {
        let uop = Uop::BINARY_OP_ADD_FLOAT;
        let stencils = &crate::jit::stencils::HOST;
        let Some((_, cold_len)) = stencils.uops[uop as usize].cold else {
            eprintln!("SKIPPED: the host stencils are not split");
            return;
        };
        let config = JitConfig {
            debug: None,
            ..JitConfig::default()
        };
        // The code is only inspected, never run: any address will do.
        let mut symbols = SymbolTable::new();
        let g = &stencils.uops[uop as usize];
        for h in g.code.holes.iter().chain(g.data.holes) {
            if let Some(name) = h.symbol {
                symbols.insert(name, 0x1000);
            }
        }
        let jit = JitContext::for_host(config, &symbols).unwrap();
        let trace = [
            UopInstruction::new(Uop::SET_IP).oparg(1),
            UopInstruction::new(uop),
            UopInstruction::new(Uop::DEOPT).target(2),
        ];
        let mut layout = Layout::default();
        let mut plan = jit.emitter.plan(&trace, &mut layout).unwrap();
        let mut code = vec![0u8; plan.total_size()];
        let base = code.as_ptr() as u64;
        plan.emit(&mut code, base, 0x1000).unwrap();
        let pieces = Pieces {
            layout: &layout,
            trace: &trace,
            cold: &jit.cold,
        };
        let lines = [10, 11, 12];
        let cold: Vec<_> = pieces.cold_pieces().collect();
        let mine = cold
            .iter()
            .find(|c| c.index == 1)
            .expect("cold code of the uop");
        assert_eq!(mine.cold.1, cold_len as usize);
        assert!(
            mine.cold.0 >= layout.data_base,
            "cold code runs from the data"
        );
        let name = "cpjit:f:11:_BINARY_OP_ADD_FLOAT.cold";

        // Perf map and jitdump ranges.
        let ranges = named_ranges(&pieces, "f", Some(&lines)).unwrap();
        let range = ranges
            .iter()
            .find(|r| r.name == name)
            .expect("a cold range");
        assert_eq!((range.offset, range.size), mine.cold);

        // The gdb symbol file: a symbol over the cold code and an FDE
        // covering it.
        let symfile = gdb_symfile(&code, &pieces, "f", Some(&lines), &mut FdeCache::new()).unwrap();
        let file = object::File::parse(&*symfile).unwrap();
        let sym = file
            .symbols()
            .find(|s| s.name() == Ok(name))
            .expect("a cold symbol");
        let start = base + mine.cold.0 as u64;
        // (Symbol values are offsets in the code section, which lies at `base`.)
        let (off, size) = mine.cold;
        assert_eq!((sym.address(), sym.size()), (off as u64, size as u64));
        let eh = file.section_by_name(".eh_frame").expect(".eh_frame");
        let eh = eh.data().unwrap();
        let section = gimli::EhFrame::new(eh, LittleEndian);
        let bases = BaseAddresses::default();
        let mut ctx = Box::new(UnwindContext::new());
        let mut cfa_at = |pc: u64| {
            let fde = section
                .fde_for_address(&bases, pc, gimli::EhFrame::cie_from_offset)
                .unwrap_or_else(|e| panic!("no FDE at {pc:#x}: {e}"));
            assert_eq!(fde.initial_address(), start);
            assert_eq!(fde.len(), mine.cold.1 as u64);
            let row = fde
                .unwind_info_for_address(&section, &bases, &mut ctx, pc)
                .unwrap();
            row.cfa().clone()
        };
        // Every instruction the hot code jumps to, and every call, is in
        // its frame (found by following the code, as the CFI does).
        let states = crate::jit::debug::cfi::cold_states(
            &code[mine.hot.0..mine.hot.0 + mine.hot.1],
            mine.cold.0 as i64 - mine.hot.0 as i64,
            &code[mine.cold.0..mine.cold.0 + mine.cold.1],
        )
        .expect("cold code followed");
        // Its first cold block is entered from the hot code's `je` after
        // the `push rax`.
        assert_eq!(
            states.first().map(|(at, s)| (*at, s.cfa_offset)),
            Some((0, 16))
        );
        for (at, state) in states {
            assert!(!state.cfa_rbp);
            assert_eq!(
                cfa_at(start + at as u64),
                CfaRule::RegisterAndOffset {
                    register: X86_64::RSP,
                    offset: i64::from(state.cfa_offset)
                },
                "at cold +{at:#x}"
            );
        }
    }
}
