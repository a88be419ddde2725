//! The `cpjit` command line.
//!
//! `cpjit run [--tier 1|uops|jit] [--stats] [tunables] (FILE | -c CODE | -) [ARGS...]`
//! runs a Python program like CPython 3.11. The default tier is `jit`.
//!
//! Tunables (flag, environment variable, default):
//! * `--backedge-threshold`, `CPJIT_BACKEDGE_THRESHOLD`, 16: loop iterations before a trace is built.
//! * `--call-threshold`, `CPJIT_CALL_THRESHOLD`, 1000: calls of a function before it gets a function-entry trace.
//! * `--side-exit-threshold`, `CPJIT_SIDE_EXIT_THRESHOLD`, 16: exits taken before a side trace is built.
//! * `--max-trace-length`, `CPJIT_MAX_TRACE_LENGTH`, 800: most uops in a trace body.
//! * `--jit-memory-limit`, `CPJIT_JIT_MEMORY_LIMIT`, 64M: executable memory for the JIT (k/M/G suffixes).
//! * `--stats`, `CPJIT_STATS=1`: tier-2 statistics on stderr at exit.
//! * `CPJIT_OPTIMIZE=0`: skip the trace optimizer.
//! * `CPJIT_GLOBAL_REBIND_LIMIT`, 8: rebindings of a global under traces that baked it in before it is only guarded (0: never bake).
//!
//! Seeing inside: `--dump-traces FILE` (`-` for stderr; `CPJIT_DUMP_TRACES=1`
//! or `=FILE`) writes every trace with its machine code; `--perf-map`
//! names JIT code for `perf`; gdb sees JIT code by default (`docs/debugging.md`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use cpjit::vm::tier2::dump::DumpTarget;
use cpjit::vm::tier2::{parse_size, Config, Mode};
use std::io::Read;

#[derive(Parser)]
#[command(
    name = "cpjit",
    version,
    about = "A copy-and-patch JIT toolkit and Python-subset VM"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Execution tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Tier {
    /// The tier-1 bytecode interpreter only.
    #[value(name = "1")]
    One,
    /// Tier 2: uop traces run by the uop interpreter.
    Uops,
    /// Tier 2: uop traces compiled by the copy-and-patch JIT.
    Jit,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Python program.
    Run {
        /// Execution tier.
        #[arg(long, value_enum, default_value = "jit")]
        tier: Tier,
        /// Print tier-2 statistics on stderr at exit.
        #[arg(long)]
        stats: bool,
        /// Loop iterations before a trace is built [env CPJIT_BACKEDGE_THRESHOLD; default 16].
        #[arg(long, value_name = "N")]
        backedge_threshold: Option<u32>,
        /// Calls of a function before it gets a function-entry trace [env CPJIT_CALL_THRESHOLD; default 1000].
        #[arg(long, value_name = "N")]
        call_threshold: Option<u32>,
        /// Cold exits before a side trace is built [env CPJIT_SIDE_EXIT_THRESHOLD; default 16].
        #[arg(long, value_name = "N")]
        side_exit_threshold: Option<u32>,
        /// Most uops in a trace body [env CPJIT_MAX_TRACE_LENGTH; default 800].
        #[arg(long, value_name = "N")]
        max_trace_length: Option<usize>,
        /// Executable memory for the JIT, e.g. 64M [env CPJIT_JIT_MEMORY_LIMIT; default 64M].
        #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
        jit_memory_limit: Option<usize>,
        /// Program passed as a string.
        #[arg(short = 'c', value_name = "CODE")]
        code: Option<String>,
        /// Name JIT code for `perf` in /tmp/perf-PID.map (sets CPJIT_PERF_MAP=1).
        #[arg(long)]
        perf_map: bool,
        /// Write every trace (uops, source lines, optimizer removals, exits,
        /// machine code) to FILE, `-` for stderr [env CPJIT_DUMP_TRACES=1 or =FILE].
        #[arg(long, value_name = "FILE")]
        dump_traces: Option<String>,
        /// Print the number of live heap objects at exit (leak check).
        #[arg(long, hide = true)]
        leak_check: bool,
        /// Program file (`-` for standard input), then its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Inspect the stencils this binary carries (any target, no LLVM).
    #[command(subcommand)]
    Stencils(cpjit::inspect::stencils::StencilsCommand),
}

fn parse_bytes(s: &str) -> Result<usize, String> {
    parse_size(s).ok_or_else(|| format!("{s:?} is not a size (e.g. 65536, 64k, 64M)"))
}

/// The program file `f` as CPython reads a script: its text and the name
/// tracebacks give it (the absolute path, as CPython's `_Py_abspath` makes
/// it: the current directory joined to a relative path, not normalised), or
/// the message and exit status CPython gives a file it cannot run.
fn read_program(f: &str) -> std::result::Result<(String, String), (String, i32)> {
    let prog = std::env::args().next().unwrap_or_else(|| "cpjit".into());
    let path = std::path::Path::new(f);
    let cwd = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    let abs = if f.is_empty() || f == "." {
        cwd
    } else if path.is_absolute() {
        f.to_string()
    } else if cwd.ends_with('/') {
        format!("{cwd}{f}")
    } else {
        format!("{cwd}/{f}")
    };
    if f.is_empty() || path.is_dir() {
        return Err((
            format!("{prog}: can't find '__main__' module in '{abs}'"),
            1,
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            // "No such file or directory (os error 2)" -> "[Errno 2] No such file or directory"
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            let errno = e.raw_os_error().unwrap_or(0);
            return Err((
                format!("{prog}: can't open file '{abs}': [Errno {errno}] {text}"),
                2,
            ));
        }
    };
    decode_source(bytes, &abs).map(|s| (s, abs))
}

/// Source bytes as text, or CPython's SyntaxError (and exit status) for
/// bytes that are not UTF-8 (no encoding declaration is read) in `file`.
fn decode_source(bytes: Vec<u8>, file: &str) -> std::result::Result<String, (String, i32)> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        (
            format!(
                "SyntaxError: Non-UTF-8 code starting with '\\x{:02x}' in file {file} on line {line}, \
                 but no encoding declared; see https://peps.python.org/pep-0263/ for details",
                bytes.get(at).copied().unwrap_or(0)
            ),
            1,
        )
    })
}

/// Native stack for the VM thread: traces call back into the interpreter,
/// so deep Python recursion through hot loops nests native frames.
const VM_STACK_BYTES: usize = 1 << 30;

fn main() -> Result<()> {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("cpjit: internal error (this is a bug in cpjit, not in your program): {info}");
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Stencils(cmd) => std::process::exit(cpjit::inspect::stencils::main(&cmd)),
        Command::Run {
            tier,
            stats,
            backedge_threshold,
            call_threshold,
            side_exit_threshold,
            max_trace_length,
            jit_memory_limit,
            code,
            leak_check,
            args,
            perf_map,
            dump_traces,
        } => {
            if perf_map {
                std::env::set_var("CPJIT_PERF_MAP", "1");
            }
            let mut config = match Config::from_env() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("cpjit: {e}");
                    std::process::exit(2);
                }
            };
            config.mode = match tier {
                Tier::One => Mode::Interp,
                Tier::Uops => Mode::Uops,
                Tier::Jit => Mode::Jit,
            };
            config.stats |= stats;
            if let Some(f) = dump_traces {
                config.dump_traces = Some(DumpTarget::from_arg(&f));
            }
            if let Some(DumpTarget::File(p)) = &config.dump_traces {
                // Fail before running anything if the dump cannot be written.
                if let Err(e) = std::fs::File::create(p) {
                    eprintln!("cpjit: cannot write the trace dump {}: {e}", p.display());
                    std::process::exit(2);
                }
            }
            if let Some(n) = backedge_threshold {
                config.backedge_threshold = n;
            }
            if let Some(n) = call_threshold {
                config.call_threshold = n;
            }
            if let Some(n) = side_exit_threshold {
                config.side_exit_threshold = n;
            }
            if let Some(n) = max_trace_length {
                config.max_trace_length = n;
            }
            if let Some(n) = jit_memory_limit {
                config.jit_memory_limit = n;
            }
            // sys.argv: the program (or "-c"), then its arguments.
            let argv = match &code {
                Some(_) => std::iter::once("-c".to_string())
                    .chain(args.iter().cloned())
                    .collect(),
                None => args.clone(),
            };
            cpjit::vm::modules::set_argv(argv);
            let (source, filename) = match (code, args.first()) {
                (Some(c), _) => (c, "<string>".to_string()),
                (None, Some(f)) if f == "-" => {
                    let mut b = Vec::new();
                    let r = match std::io::stdin().read_to_end(&mut b) {
                        Ok(_) => decode_source(b, "<stdin>"),
                        Err(e) => Err((format!("cpjit: reading standard input: {e}"), 2)),
                    };
                    match r {
                        Ok(s) => (s, "<stdin>".to_string()),
                        Err((msg, status)) => {
                            eprintln!("{msg}");
                            std::process::exit(status);
                        }
                    }
                }
                (None, Some(f)) => match read_program(f) {
                    Ok(r) => r,
                    Err((msg, status)) => {
                        eprintln!("{msg}");
                        std::process::exit(status);
                    }
                },
                (None, None) => {
                    eprintln!("cpjit run: give a program file, -c CODE, or - for standard input");
                    std::process::exit(2);
                }
            };
            let leak = leak_check || std::env::var_os("CPJIT_LEAK_CHECK").is_some();
            let opts = cpjit::vm::RunOptions {
                leak_check: leak,
                tier2: config,
            };
            let vm_thread = std::thread::Builder::new()
                .name("cpjit-vm".into())
                .stack_size(VM_STACK_BYTES)
                .spawn(move || cpjit::vm::run_source(&source, &filename, &opts))
                .context("starting the VM thread")?;
            let status = vm_thread.join().unwrap_or(70);
            std::process::exit(status);
        }
    }
}
