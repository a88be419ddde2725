//! The `cpjit` command line.
//!
//! `cpjit run [--tier 1|uops|jit] (FILE | -c CODE | -) [ARGS...]` runs a Python
//! program like CPython 3.11. More subcommands (`stencils`, `bench`) come later.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
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
        #[arg(long, value_enum, default_value = "1")]
        tier: Tier,
        /// Program passed as a string.
        #[arg(short = 'c', value_name = "CODE")]
        code: Option<String>,
        /// Name JIT code for `perf` in /tmp/perf-PID.map (sets CPJIT_PERF_MAP=1).
        #[arg(long)]
        perf_map: bool,
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

fn main() -> Result<()> {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("cpjit: internal error (this is a bug in cpjit, not in your program): {info}");
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Stencils(cmd) => std::process::exit(cpjit::inspect::stencils::main(&cmd)),
        Command::Run {
            tier,
            code,
            leak_check,
            args,
            perf_map,
        } => {
            if perf_map {
                std::env::set_var("CPJIT_PERF_MAP", "1");
            }
            if tier != Tier::One {
                eprintln!(
                    "cpjit: --tier {} is not built yet (tier 2 does not exist in this build); use --tier 1",
                    match tier {
                        Tier::Uops => "uops",
                        _ => "jit",
                    }
                );
                std::process::exit(2);
            }
            let (source, filename) = match (code, args.first()) {
                (Some(c), _) => (c, "<string>".to_string()),
                (None, Some(f)) if f == "-" => {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .context("reading standard input")?;
                    (s, "<stdin>".to_string())
                }
                (None, Some(f)) => {
                    let s = std::fs::read_to_string(f)
                        .with_context(|| format!("can't open file '{f}'"))?;
                    (s, f.clone())
                }
                (None, None) => {
                    eprintln!("cpjit run: give a program file, -c CODE, or - for standard input");
                    std::process::exit(2);
                }
            };
            let leak = leak_check || std::env::var_os("CPJIT_LEAK_CHECK").is_some();
            let status = cpjit::vm::run_source(
                &source,
                &filename,
                &cpjit::vm::RunOptions { leak_check: leak },
            );
            std::process::exit(status);
        }
    }
}
