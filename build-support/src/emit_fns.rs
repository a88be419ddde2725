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
//!
//! A code hole whose field does not depend on where the code is placed (a
//! `Rel32` to the group's own code or continuation) is filled in when the
//! stencil is written: such a group gets a pre-filled copy of its code
//! body in this module, and its function patches only what varies.

use std::collections::BTreeSet;
use std::fmt::Write;

use cpjit_abi::stencil::{rel32_field, HoleKind, HoleValue};

use crate::stencils::{HarvestedGroup, OwnedHole};
use crate::targets::Arch;
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
            | HoleValue::OpargBytes
            | HoleValue::OperandBytes
            | HoleValue::OperandI32
    )
}

/// What every group's function of a set is written with.
struct SetInfo {
    /// The symbol names holes use, in `emit::SYMBOLS` order.
    symbols: Vec<String>,
    /// Whether `Operand` holes get the operand's low 32 bits only (32-bit
    /// targets, where `OperandHi` holes get the high half): the sink gives
    /// the whole operand.
    narrow_operand: bool,
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
    let info = SetInfo {
        symbols: symbols(set),
        narrow_operand: set.spec.arch == Arch::I686,
    };
    let symbols = &info.symbols;
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
    write_group(out, set.trampoline, Role::Trampoline, &info);
    write_group(out, set.fatal_error, Role::FatalError, &info);
    for g in set.uops {
        write_group(out, g, Role::Uop, &info);
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

/// The field of a code hole that is the same wherever the group's code is
/// placed, if `h` has one: a `Rel32` without a symbol to the group's own
/// code or continuation (both hole and value move with the code, so
/// their difference is constant). Computed by the runtime's arithmetic
/// ([`rel32_field`]) with the code at address 0.
fn prefilled(h: &OwnedHole, role: Role, code_len: usize) -> Option<[u8; 4]> {
    if h.kind != HoleKind::Rel32 || h.symbol.is_some() {
        return None;
    }
    let target = match h.value {
        HoleValue::Code => 0,
        HoleValue::Continue if role == Role::FatalError => 0,
        HoleValue::Continue => code_len as u64,
        _ => return None,
    };
    let field = rel32_field(u64::from(h.offset), target.wrapping_add(h.addend as u64))?;
    (h.offset as usize + 4 <= code_len).then(|| field.to_le_bytes())
}

/// `g`'s code body with every [`prefilled`] hole filled in, if it has any.
fn prefilled_body(g: &HarvestedGroup, role: Role) -> Option<Vec<u8>> {
    let code_len = g.code.body.len();
    let mut body = g.code.body.clone();
    let mut any = false;
    for h in &g.code.holes {
        if let Some(field) = prefilled(h, role, code_len) {
            let at = h.offset as usize;
            body[at..at + 4].copy_from_slice(&field);
            any = true;
        }
    }
    any.then_some(body)
}

/// The expression of a hole's full value (base + symbol + addend).
fn value_expr(h: &OwnedHole, role: Role, code_len: usize, info: &SetInfo) -> String {
    let zero = h.value == HoleValue::Zero || (role != Role::Uop && from_instruction(h.value));
    let mut e = match h.value {
        _ if zero => String::new(),
        HoleValue::Code => "at".to_owned(),
        HoleValue::Continue if role == Role::FatalError => "at".to_owned(),
        HoleValue::Continue => format!("at.wrapping_add({code_len:#x})"),
        HoleValue::Data => "data_at".to_owned(),
        HoleValue::Operand if info.narrow_operand => {
            "u64::from(e.value(HoleValue::Operand)? as u32)".to_owned()
        }
        v => format!("e.value(HoleValue::{v:?})?"),
    };
    if let Some(sym) = &h.symbol {
        // `symbols` holds every name a hole uses.
        let k = info
            .symbols
            .iter()
            .position(|s| s == sym)
            .unwrap_or(usize::MAX);
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

fn write_group(out: &mut String, g: &HarvestedGroup, role: Role, info: &SetInfo) {
    let id = ident(g.template);
    let code_len = g.code.body.len();
    // Code holes filled in the body below are not patched at emit time.
    let patched = |h: &&OwnedHole| prefilled(h, role, code_len).is_none();
    let code_holes: Vec<&OwnedHole> = g.code.holes.iter().filter(patched).collect();
    let holes = code_holes.iter().copied().chain(&g.data.holes);
    let uses_at = !code_holes.is_empty()
        || holes
            .clone()
            .any(|h| matches!(h.value, HoleValue::Code | HoleValue::Continue));
    // The bodies are constants (see `writer`), read PC-relative.
    let body = match prefilled_body(g, role) {
        Some(bytes) => {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "    /// `{}`'s code with the holes that do not depend on its place filled in.",
                g.template
            );
            let _ = write!(out, "    const {id}_CODE: [u8; {}] = [", bytes.len());
            for chunk in bytes.chunks(16) {
                let list: Vec<String> = chunk.iter().map(|b| format!("{b:#04x},")).collect();
                let _ = write!(out, "\n        {}", list.join(" "));
            }
            let _ = writeln!(out, "\n    ];");
            format!("{id}_CODE")
        }
        None => format!("super::{id}_CODE"),
    };
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
            value_expr(h, role, code_len, info)
        );
    }
    if !g.data.body.is_empty() {
        let bind = if g.data.holes.is_empty() {
            ""
        } else {
            "let data = "
        };
        let _ = writeln!(out, "        {bind}e.data(&super::{id}_DATA)?;");
        let first = code_holes.len();
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
    let patched_here = code_holes.iter().any(|h| !needs_block(h.kind));
    let bind = if patched_here { "let code = " } else { "" };
    let _ = writeln!(out, "        {bind}e.code(&{body})?;");
    for (k, h) in code_holes.iter().enumerate() {
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
    for (k, h) in code_holes.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(kind: HoleKind, value: HoleValue, symbol: Option<&str>, addend: i64) -> OwnedHole {
        OwnedHole {
            offset: 1,
            kind,
            value,
            symbol: symbol.map(str::to_owned),
            addend,
        }
    }

    /// A `jmp rel32` (`e9` at 0, field at 1) to the continuation of a
    /// 5-byte body jumps to the next instruction: displacement 0; to the
    /// body's own start: -5. Both are known without knowing the address.
    #[test]
    fn rel32_to_own_code_is_filled_in_advance() {
        let to_next = hole(HoleKind::Rel32, HoleValue::Continue, None, -4);
        assert_eq!(prefilled(&to_next, Role::Uop, 5), Some([0, 0, 0, 0]));
        let to_self = hole(HoleKind::Rel32, HoleValue::Code, None, -4);
        assert_eq!(
            prefilled(&to_self, Role::Uop, 5),
            Some((-5i32).to_le_bytes())
        );
        // The guard's continuation is itself.
        assert_eq!(
            prefilled(&to_next, Role::FatalError, 5),
            Some((-5i32).to_le_bytes())
        );
    }

    /// Holes whose field depends on the placement or on the instruction
    /// stay for emit time.
    #[test]
    fn placement_dependent_holes_are_not_filled() {
        for h in [
            hole(HoleKind::Rel32, HoleValue::JumpTarget, None, -4),
            hole(HoleKind::Rel32, HoleValue::Data, None, -4),
            hole(HoleKind::Rel32, HoleValue::Continue, Some("sym"), -4),
            hole(HoleKind::Abs64, HoleValue::Continue, None, 0),
        ] {
            assert_eq!(prefilled(&h, Role::Uop, 16), None);
        }
        // A field that would run past the body.
        let past = hole(HoleKind::Rel32, HoleValue::Continue, None, -4);
        assert_eq!(prefilled(&past, Role::Uop, 4), None);
    }
}
