//! `cpjit stencils list [--target T] [--cc C]` and
//! `cpjit stencils show UOP [--target T] [--cc C]`.
//!
//! Both read the stencil sets compiled into the binary (no LLVM at run
//! time): `list` prints every group's code size, data size and hole count
//! with totals; `show` prints one group's disassembly (LLVM's, from the
//! generated file), its holes and its data bytes.

use crate::jit::stencil_sets::{self, cc_name, AvailableSet, SetLookupError};
use cpjit_abi::stencil::{Hole, StencilGroup};
use std::fmt::Write as _;

/// Which set to read.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct SetChoice {
    /// Target triple (default: the host's).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Calling convention between stencils: preserve-none, ghc or c
    /// (default: the host build's, or the target's default).
    #[arg(long, value_name = "CC")]
    pub cc: Option<String>,
}

/// `cpjit stencils` subcommands.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum StencilsCommand {
    /// Every stencil with its code size, data size and hole count, plus totals.
    List {
        #[command(flatten)]
        set: SetChoice,
    },
    /// One stencil's disassembly, holes and data bytes.
    Show {
        /// Uop name (`_LOAD_FAST`, `load_fast`), `_ENTRY` or `_FATAL_ERROR`.
        uop: String,
        #[command(flatten)]
        set: SetChoice,
    },
    /// The (target, calling convention) pairs this binary carries.
    Targets,
}

/// Runs a `cpjit stencils` subcommand, returning what it prints.
pub fn run(cmd: &StencilsCommand) -> Result<String, SetLookupError> {
    match cmd {
        StencilsCommand::List { set } => Ok(list(&choose(set)?)),
        StencilsCommand::Show { uop, set } => show(&choose(set)?, uop),
        StencilsCommand::Targets => Ok(targets()),
    }
}

/// Runs a subcommand for the `cpjit` binary: prints its output, or its
/// error on stderr; returns the exit status (0, or 2 on a bad request).
pub fn main(cmd: &StencilsCommand) -> i32 {
    match run(cmd) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("cpjit stencils: {e}");
            2
        }
    }
}

fn choose(c: &SetChoice) -> Result<AvailableSet, SetLookupError> {
    stencil_sets::find(c.target.as_deref(), c.cc.as_deref())
}

fn heading(s: &AvailableSet) -> String {
    format!(
        "{} ({}{}), input hash {}\n",
        s.set.target,
        cc_name(s.set.cc),
        if s.host { ", host build" } else { "" },
        s.set.input_hash
    )
}

fn holes(g: &StencilGroup) -> usize {
    g.code.holes.len() + g.data.holes.len()
}

/// The `list` table.
pub fn list(s: &AvailableSet) -> String {
    let mut out = heading(s);
    let groups = s.groups();
    let width = groups
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(4)
        .max(5);
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>6} {:>6}",
        "name", "code", "data", "holes"
    );
    let (mut code, mut data, mut nholes) = (0, 0, 0);
    for (name, g) in &groups {
        let _ = writeln!(
            out,
            "{name:<width$} {:>6} {:>6} {:>6}",
            g.code.body.len(),
            g.data.body.len(),
            holes(g)
        );
        code += g.code.body.len();
        data += g.data.body.len();
        nholes += holes(g);
    }
    let _ = writeln!(out, "{:<width$} {code:>6} {data:>6} {nholes:>6}", "total");
    out
}

fn hole_line(h: &Hole) -> String {
    format!(
        "  {:#06x}  {:<16} {:<12} {:<24} {:+#x}\n",
        h.offset,
        format!("{:?}", h.kind),
        format!("{:?}", h.value),
        h.symbol.unwrap_or("-"),
        h.addend
    )
}

/// The `show` text for the group named `name`.
pub fn show(s: &AvailableSet, name: &str) -> Result<String, SetLookupError> {
    let (name, g) = s.group(name)?;
    let mut out = heading(s);
    let _ = writeln!(
        out,
        "{name}: {} bytes of code, {} bytes of data (align {}), {} holes",
        g.code.body.len(),
        g.data.body.len(),
        g.data_align,
        holes(g)
    );
    out.push_str("\ncode:\n");
    match s.disassembly(name) {
        Some(text) if !text.is_empty() => {
            for l in text.lines() {
                let _ = writeln!(out, "  {l}");
            }
        }
        _ => out.push_str(&hex_dump(g.code.body)),
    }
    for (what, hs) in [("code holes", g.code.holes), ("data holes", g.data.holes)] {
        if hs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{what}:");
        let _ = writeln!(
            out,
            "  {:<6}  {:<16} {:<12} {:<24} addend",
            "offset", "kind", "value", "symbol"
        );
        for h in hs {
            out.push_str(&hole_line(h));
        }
    }
    if !g.data.body.is_empty() {
        out.push_str("\ndata:\n");
        out.push_str(&hex_dump(g.data.body));
    }
    Ok(out)
}

fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(out, "  {:04x}: {}", i * 16, hex.join(" "));
    }
    out
}

/// The available (target, convention) pairs, one a line.
pub fn targets() -> String {
    stencil_sets::available()
        .iter()
        .map(|s| {
            format!(
                "{} {}{}\n",
                s.set.target,
                cc_name(s.set.cc),
                if s.host { " (host build)" } else { "" }
            )
        })
        .collect()
}
