//! Writes a stencil file's `emit` module: one straight-line Rust function
//! per group that copies its bodies and patches each hole at its constant
//! offset, with its constant kind and addend, through
//! `cpjit_abi::stencil::EmitSink` (no interpretation of hole tables at
//! emit time, as CPython's generated `emit_*` C functions), and `uop`, the
//! dispatch by opcode.
//!
//! The generated code does no patch arithmetic of its own: it calls the
//! sink's `patch` (`NEAR` for values inside the block) with a
//! constant kind, and the runtime's implementation (one function per kind)
//! folds to a plain store once inlined. The data's place is chosen first,
//! so its address is known to the holes that name it.

use std::collections::BTreeSet;
use std::fmt::Write;

use cpjit_abi::stencil::{HoleKind, HoleValue};

use crate::stencils::{HarvestedGroup, OwnedHole};
use crate::writer::{ident, SetSource};

/// Which part of a trace a group is, for the values it may use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The entry trampoline: no instruction, continues at the first uop.
    Trampoline,
    /// The guard after the trace: no instruction, continues at itself.
    FatalError,
    /// A uop: values from its instruction, continues just past its code.
    Uop,
}

/// Whether a hole of `kind` is patched with the whole block in view
/// (`EmitSink::patch_in_block`) rather than in its own body.
fn needs_block(kind: HoleKind) -> bool {
    kind == HoleKind::X86GotPcRelX
}

/// Whether `v` comes from the uop instruction (zero for the trampoline and
/// the guard).
fn from_instruction(v: HoleValue) -> bool {
    matches!(
        v,
        HoleValue::Oparg
            | HoleValue::Operand
            | HoleValue::Target
            | HoleValue::JumpTarget
            | HoleValue::ErrorTarget
            | HoleValue::ExitIndex
            | HoleValue::OperandHi
    )
}

/// The symbol names holes of the set use, in `emit::SYMBOLS` order.
fn symbols(set: &SetSource<'_>) -> Vec<String> {
    let names: BTreeSet<&String> = set
        .groups()
        .flat_map(|g| g.code.holes.iter().chain(&g.data.holes))
        .filter_map(|h| h.symbol.as_ref())
        .collect();
    names.into_iter().cloned().collect()
}

/// Appends the `emit` module for `set` to `out`.
pub fn write_module(out: &mut String, set: &SetSource<'_>) {
    let symbols = symbols(set);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "/// Straight-line emit functions, one per group (see `cpjit_abi::stencil::EmitSink`)."
    );
    let _ = writeln!(out, "#[allow(dead_code, non_snake_case, clippy::all)]");
    let _ = writeln!(out, "pub mod emit {{");
    let _ = writeln!(
        out,
        "    use ::cpjit_abi::stencil::{{EmitSink, HoleKind, HoleValue}};"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "    /// The symbols holes name, indexed by `EmitSink::symbol`."
    );
    let list: Vec<String> = symbols.iter().map(|s| format!("{s:?}")).collect();
    let _ = writeln!(
        out,
        "    pub static SYMBOLS: [&str; {}] = [{}];",
        symbols.len(),
        list.join(", ")
    );
    write_group(out, set.trampoline, Role::Trampoline, &symbols);
    write_group(out, set.fatal_error, Role::FatalError, &symbols);
    for g in set.uops {
        write_group(out, g, Role::Uop, &symbols);
    }
    for (name, g) in [
        ("trampoline", set.trampoline),
        ("fatal_error", set.fatal_error),
    ] {
        let _ = writeln!(out);
        let _ = writeln!(out, "    /// Emits `{}`.", g.template);
        let _ = writeln!(out, "    #[inline]");
        let _ = writeln!(
            out,
            "    pub fn {name}<E: EmitSink>(e: &mut E) -> Option<()> {{ g_{}(e) }}",
            ident(g.template)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "    /// Emits the group of uop `op` (`Uop as usize`); `None` for an unknown opcode."
    );
    let _ = writeln!(out, "    #[inline(always)]");
    let _ = writeln!(
        out,
        "    pub fn uop<E: EmitSink>(op: usize, e: &mut E) -> Option<()> {{"
    );
    let _ = writeln!(out, "        match op {{");
    for (i, g) in set.uops.iter().enumerate() {
        let _ = writeln!(out, "            {i} => g_{}(e),", ident(g.template));
    }
    let _ = writeln!(out, "            _ => None,");
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}

/// Whether a hole's value lies in the block being emitted (code, data or a
/// jump target of the same trace, without a symbol), so that a PC-relative
/// patch of it needs no range check (`EmitSink::patch::<true>`). Values of
/// the instruction are zero for the trampoline and the guard: not near.
fn is_near(h: &OwnedHole, role: Role) -> bool {
    h.symbol.is_none()
        && (role == Role::Uop || !from_instruction(h.value))
        && matches!(
            h.value,
            HoleValue::Code
                | HoleValue::Continue
                | HoleValue::Data
                | HoleValue::Top
                | HoleValue::JumpTarget
                | HoleValue::ErrorTarget
        )
}

/// The expression of a hole's full value (base + symbol + addend).
fn value_expr(h: &OwnedHole, role: Role, code_len: usize, symbols: &[String]) -> String {
    let zero = h.value == HoleValue::Zero || (role != Role::Uop && from_instruction(h.value));
    let mut e = match h.value {
        _ if zero => String::new(),
        HoleValue::Code => "at".to_owned(),
        HoleValue::Continue if role == Role::FatalError => "at".to_owned(),
        HoleValue::Continue => format!("at.wrapping_add({code_len:#x})"),
        HoleValue::Data => "data_at".to_owned(),
        v => format!("e.value(HoleValue::{v:?})?"),
    };
    if let Some(sym) = &h.symbol {
        // `symbols` holds every name a hole uses.
        let k = symbols.iter().position(|s| s == sym).unwrap_or(usize::MAX);
        e = match e.is_empty() {
            true => format!("e.symbol({k})"),
            false => format!("{e}.wrapping_add(e.symbol({k}))"),
        };
    }
    if e.is_empty() {
        e = "0u64".to_owned();
    }
    if h.addend != 0 {
        let _ = write!(e, ".wrapping_add({:#x}u64)", h.addend as u64);
    }
    e
}

/// The sink call that patches `h` in its own body.
fn patch_method(h: &OwnedHole, role: Role) -> &'static str {
    if is_near(h, role) {
        "patch::<true>"
    } else {
        "patch::<false>"
    }
}

fn write_group(out: &mut String, g: &HarvestedGroup, role: Role, symbols: &[String]) {
    let id = ident(g.template);
    let code_len = g.code.body.len();
    let holes = g.code.holes.iter().chain(&g.data.holes);
    let uses_at = !g.code.holes.is_empty()
        || holes
            .clone()
            .any(|h| matches!(h.value, HoleValue::Code | HoleValue::Continue));
    let uses_data_at = holes.clone().any(|h| h.value == HoleValue::Data);
    // The data is placed (aligned) whenever the layout gives the group a
    // data offset of its own: some data, an alignment, or a reference.
    let places_data = !g.data.body.is_empty() || g.data_align > 1 || uses_data_at;
    let _ = writeln!(out);
    let _ = writeln!(out, "    #[inline(always)]");
    let _ = writeln!(
        out,
        "    fn g_{id}<E: EmitSink>(e: &mut E) -> Option<()> {{"
    );
    if uses_at {
        let _ = writeln!(out, "        let at = e.value(HoleValue::Code)?;");
    }
    if places_data {
        let bind = if uses_data_at || !g.data.holes.is_empty() {
            "let data_at = "
        } else {
            ""
        };
        let _ = writeln!(out, "        {bind}e.data_at({});", g.data_align.max(1));
    }
    for (k, h) in holes.enumerate() {
        let _ = writeln!(
            out,
            "        let h{k} = {};",
            value_expr(h, role, code_len, symbols)
        );
    }
    if !g.data.body.is_empty() {
        let bind = if g.data.holes.is_empty() {
            ""
        } else {
            "let data = "
        };
        let _ = writeln!(out, "        {bind}e.data(&super::{id}_DATA)?;");
        let first = g.code.holes.len();
        for (k, h) in g.data.holes.iter().enumerate() {
            let _ = writeln!(
                out,
                "        E::{}(HoleKind::{:?}, data, {:#x}, data_at, h{})?;",
                patch_method(h, role),
                h.kind,
                h.offset,
                first + k
            );
        }
    }
    let patched_here = g.code.holes.iter().any(|h| !needs_block(h.kind));
    let bind = if patched_here { "let code = " } else { "" };
    let _ = writeln!(out, "        {bind}e.code(&super::{id}_CODE)?;");
    for (k, h) in g.code.holes.iter().enumerate() {
        if !needs_block(h.kind) {
            let _ = writeln!(
                out,
                "        E::{}(HoleKind::{:?}, code, {:#x}, at, h{k})?;",
                patch_method(h, role),
                h.kind,
                h.offset
            );
        }
    }
    for (k, h) in g.code.holes.iter().enumerate() {
        if needs_block(h.kind) {
            let _ = writeln!(
                out,
                "        e.patch_in_block(HoleKind::{:?}, at.wrapping_add({:#x}), h{k})?;",
                h.kind, h.offset
            );
        }
    }
    let _ = writeln!(out, "        Some(())");
    let _ = writeln!(out, "    }}");
}
