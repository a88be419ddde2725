//! The text of one trace in the dump.

use super::{opcode_name, Sink};
use crate::abi::stencil::{Hole, HoleValue};
use crate::abi::uop::Uop;
use crate::jit::{disasm, Executor, UopInstruction};
use crate::vm::bytecode::{base_opcode, binop, cmp, op, oparg, opcode, Code};
use crate::vm::tier2::removals::Removal;
use crate::vm::tier2::trace::{body_end, codes_per_uop, FrameContext};
use std::fmt::Write as _;
use std::time::Duration;

/// Everything the dump shows about one trace.
pub struct TraceDump<'a> {
    /// The trace's number (1, 2, ... in projection order).
    pub id: u64,
    /// The code it was projected from (the frame it is entered in).
    pub code: &'a Code,
    /// Its frame contexts (0: the entry frame; inlined callees after),
    /// which tell the code each uop runs in.
    pub contexts: &'a [FrameContext],
    /// Its first bytecode instruction.
    pub start: u32,
    /// For a root trace, the `JUMP_BACKWARD` that enters it.
    pub root_at: Option<u32>,
    /// A function-entry trace (entered at every call of its code).
    pub function_entry: bool,
    /// Side-trace chain depth (0 for roots).
    pub depth: u32,
    /// The trace as projected, before the optimizer.
    pub projected: &'a [UopInstruction],
    /// What the optimizer removed or rewrote (indices into `projected`).
    pub changes: &'a [Removal],
    /// The trace as installed.
    pub uops: &'a [UopInstruction],
    /// Its executor (JIT mode), or the reason there is none.
    pub executor: Result<&'a Executor, String>,
    /// Projection, optimization and emission time.
    pub compile_time: Duration,
}

fn line_of(code: &Code, instr: u32) -> u32 {
    code.lines.get(instr as usize).copied().unwrap_or(0)
}

fn clip(mut s: String, n: usize) -> String {
    if s.chars().count() > n {
        s = s.chars().take(n).collect::<String>() + "...";
    }
    s
}

/// `repr` of a constant, shortened.
fn const_text(v: u64) -> String {
    match crate::vm::text::repr(v) {
        Ok(s) => clip(s, 40),
        Err(_) => format!("{v:#x}"),
    }
}

/// The name of fast local / cell / free `k`.
fn local_name(code: &Code, k: u32) -> String {
    let k = k as usize;
    let nv = code.varnames.len();
    let nc = code.cellvars.len();
    code.varnames
        .get(k)
        .or_else(|| k.checked_sub(nv).and_then(|i| code.cellvars.get(i)))
        .or_else(|| k.checked_sub(nv + nc).and_then(|i| code.freevars.get(i)))
        .cloned()
        .unwrap_or_else(|| format!("local{k}"))
}

fn name_text(code: &Code, k: u32) -> String {
    code.names
        .get(k as usize)
        .and_then(|n| crate::vm::ops::as_str(n.raw()))
        .map_or_else(|| format!("name{k}"), str::to_string)
}

fn cmp_text(k: u32) -> String {
    cmp::SYMBOLS
        .get(k as usize)
        .map_or_else(|| k.to_string(), |s| s.to_string())
}

/// `NAME arg` of bytecode instruction `i`, the argument shown for what it
/// means (a local's name, a constant, an operator, a jump target).
pub fn instruction_text(code: &Code, i: u32) -> String {
    let Some(&w) = code.words().get(i as usize) else {
        return format!("(no instruction {i})");
    };
    let o = opcode(w);
    let a = oparg(w);
    let name = opcode_name(o).map_or_else(|| format!("op{o}"), str::to_string);
    let arg = match base_opcode(o) {
        op::LOAD_FAST | op::LOAD_FAST_CHECK | op::STORE_FAST | op::DELETE_FAST => {
            local_name(code, a)
        }
        op::LOAD_CONST => code
            .consts
            .get(a as usize)
            .map_or_else(|| a.to_string(), |c| const_text(c.raw())),
        op::LOAD_GLOBAL
        | op::STORE_GLOBAL
        | op::DELETE_GLOBAL
        | op::LOAD_ATTR
        | op::LOAD_METHOD
        | op::STORE_ATTR => name_text(code, a),
        op::BINARY_OP => {
            let sym = binop::SYMBOLS
                .get((a & !binop::INPLACE) as usize)
                .unwrap_or(&"?");
            if a & binop::INPLACE != 0 {
                format!("{sym}=")
            } else {
                sym.to_string()
            }
        }
        op::COMPARE_OP => cmp_text(a),
        op::POP_JUMP_IF_FALSE
        | op::POP_JUMP_IF_TRUE
        | op::JUMP_IF_FALSE_OR_POP
        | op::JUMP_IF_TRUE_OR_POP
        | op::JUMP_FORWARD
        | op::JUMP_BACKWARD
        | op::FOR_ITER => format!("to {a}"),
        _ => a.to_string(),
    };
    format!("{name} {arg}")
}

/// The operands of one uop (running in `code`, a trace with frame contexts
/// `contexts`), rendered for what they mean.
fn operands(code: &Code, contexts: &[FrameContext], u: &UopInstruction, sink: &Sink) -> String {
    match u.opcode {
        op if op.is_frame_push() => {
            let callee = contexts
                .iter()
                .find(|c| &c.code().entry as *const _ as u64 == u.operand)
                .map_or_else(
                    || format!("code {:#x}", u.operand),
                    |c| c.code().qualname.to_string(),
                );
            format!(
                "call {callee} ({} args), caller resumes at {}",
                u.oparg,
                u.target + 1
            )
        }
        op if op.is_frame_pop() => format!("return from {}", code.qualname),
        op if op.is_native_call() => {
            // SAFETY: a _CALL_EXECUTOR's operand is the entry slot of a code
            // object the trace keeps alive.
            let callee = unsafe { crate::vm::bytecode::EntrySlot::at(u.operand).code() };
            format!(
                "native call of {} ({} args), caller resumes at {}",
                callee.qualname,
                u.oparg,
                u.target + 1
            )
        }
        Uop::RETURN
        | Uop::RETURN_CLEAN
        | Uop::RETURN_LOCAL_INT
        | Uop::RETURN_LOCAL
        | Uop::RETURN_CLEAN_ALONE
        | Uop::RETURN_LOCAL_INT_ALONE
        | Uop::RETURN_LOCAL_CHECKED => format!(
            "return from {} at instruction {} (line {})",
            code.qualname,
            u.target,
            line_of(code, u.target)
        ),
        // s8-containers: a cell, and a local key.
        Uop::GUARD_CELL_BOUND => format!("cell {}", local_name(code, u.oparg)),
        Uop::BINARY_SUBSCR_DICT_CELL_LOCAL => format!(
            "cell {}[{}]",
            local_name(code, u.oparg),
            local_name(code, u.operand as u32)
        ),
        Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST => format!(
            "cell {}[{}] += {}",
            local_name(code, u.oparg & 0xffff),
            const_text(u.operand),
            (u.oparg >> 16) as u16 as i16
        ),
        Uop::LOAD_FAST
        | Uop::LOAD_FAST_CHECK
        | Uop::STORE_FAST
        | Uop::LOAD_FAST_INT
        | Uop::GUARD_LOCAL_INT
        | Uop::STORE_FAST_INT => {
            format!("{} (local {})", local_name(code, u.oparg), u.oparg)
        }
        Uop::LOAD_CONST | Uop::LOAD_CONST_IMMORTAL | Uop::LOAD_CONST_OBJ_PUSH_NULL => {
            format!("const {}", const_text(u.operand))
        }
        // Integer loops (s7-int): a local and a decoded constant, or the
        // stack top and an untagged one (`2c`).
        Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
        | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL => {
            format!("{}, const {}", local_name(code, u.oparg), u.operand as i64)
        }
        Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL | Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => {
            let (c1, c2) = crate::vm::tier2::int_uops::mul_add_constants(u.operand);
            format!("{}, const {c1}, const {c2}", local_name(code, u.oparg))
        }
        Uop::SWAP_LIST_ITEMS_LOCALS | Uop::SWAP_LIST_ITEMS_KNOWN => format!(
            "{}, {}, {}",
            local_name(code, u.oparg),
            local_name(code, (u.operand & 0xffff_ffff) as u32),
            local_name(code, (u.operand >> 32) as u32)
        ),
        Uop::BINARY_OP_ADD_INT_TOP_CONST | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST => {
            format!("top, const {}", const_text(u.operand | 1))
        }
        op if fused_operands(op).is_some() => {
            let left = local_name(code, u.oparg);
            match fused_operands(op) {
                // (The local +/- forms hold their constant untagged.)
                Some(true) => format!("{left}, const {}", const_text(u.operand | 1)),
                _ => format!("{left}, {}", local_name(code, u.operand as u32)),
            }
        }
        Uop::COMPARE_OP_INT | Uop::COMPARE_OP_FLOAT => cmp_text(u.oparg),
        Uop::SWAP | Uop::COPY => format!("oparg {}", u.oparg),
        Uop::SET_IP => format!("instruction {}", u.oparg),
        Uop::ERROR_POP_N => format!("pop {}, error at instruction {}", u.oparg, u.target),
        Uop::CALL_HELPER => {
            let helper = sink
                .symbols
                .name_of(u.operand)
                .map_or_else(|| format!("helper {:#x}", u.operand), str::to_string);
            format!(
                "{helper}({}), continues at {}",
                instruction_text(code, u.target),
                u.oparg
            )
        }
        Uop::EXIT_TRACE => format!(
            "exit {} -> instruction {} (line {})",
            u.exit_index,
            u.target,
            line_of(code, u.target)
        ),
        Uop::DEOPT => format!(
            "-> instruction {} (line {})",
            u.target,
            line_of(code, u.target)
        ),
        _ => {
            let mut s = String::new();
            if u.oparg != 0 {
                let _ = write!(s, "oparg {}", u.oparg);
            }
            if u.operand != 0 {
                let _ = write!(s, " operand {:#x}", u.operand);
            }
            s.trim().to_string()
        }
    }
}

/// For a fused uop reading a local and a constant (`Some(true)`) or two
/// locals (`Some(false)`): which.
fn fused_operands(op: Uop) -> Option<bool> {
    use crate::vm::tier2::int_uops::{arith_parts, guard_parts, Operands};
    if let Some((_, o)) = guard_parts(op) {
        return match o {
            Operands::Stack => None,
            Operands::Locals => Some(false),
            Operands::LocalConst => Some(true),
        };
    }
    if let Some(a) = arith_parts(op) {
        return Some(a.constant);
    }
    match op {
        Uop::STORE_SUBSCR_LIST_INT_LOCALS
        | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
        | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
        | Uop::STORE_SUBSCR_LIST_INT_KNOWN
        | Uop::BINARY_SUBSCR_LIST_INT_KNOWN => Some(false),
        // The mask is held without its tag bit (`2c`).
        Uop::GUARD_AND_INT_ZERO_LOCAL_CONST | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST => Some(true),
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
        | Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST
        | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
        | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
        | Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST => Some(true),
        _ => None,
    }
}

/// Whether `u` leaves through its jump target (a guard, a checked
/// operation, a helper that may exit).
fn uses_jump_target(u: &UopInstruction) -> bool {
    !matches!(
        u.opcode,
        Uop::NOP
            | Uop::LOAD_FAST
            | Uop::STORE_FAST
            | Uop::LOAD_CONST
            | Uop::LOAD_FAST_INT
            | Uop::STORE_FAST_INT
            | Uop::LOAD_CONST_IMMORTAL
            | Uop::LOAD_CONST_OBJ_PUSH_NULL
            | Uop::POP_TOP
            | Uop::SET_IP
            | Uop::JUMP_TO_TOP
            | Uop::POP_FRAME
            | Uop::POP_FRAME_CLEAN
            | Uop::RETURN
            | Uop::RETURN_CLEAN
            | Uop::RETURN_CLEAN_ALONE
            | Uop::EXIT_TRACE
            | Uop::DEOPT
            | Uop::ERROR_POP_N
            | Uop::SWAP
            | Uop::COPY
            | Uop::PUSH_NULL
            | Uop::COMPARE_OP_INT
            | Uop::COMPARE_OP_FLOAT
            | Uop::BINARY_OP_AND_INT
            | Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT
            | Uop::STORE_DEREF
            | Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
            | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
    )
}

/// Where a uop's failure paths go: `exit 3` or `error 31`.
fn edges(uops: &[UopInstruction], u: &UopInstruction) -> String {
    let mut out = Vec::new();
    if uses_jump_target(u) && u.jump_target != 0 {
        match uops.get(u.jump_target as usize) {
            Some(s) if s.opcode == Uop::EXIT_TRACE => {
                out.push(format!("exit {} at {}", s.exit_index, u.jump_target))
            }
            _ => out.push(format!("jump {}", u.jump_target)),
        }
    }
    if u.opcode == Uop::CALL_HELPER && u.error_target != 0 {
        out.push(format!("error {}", u.error_target));
    }
    out.join(", ")
}

/// Index of the first stub: past the body's terminator.
fn body_len(uops: &[UopInstruction]) -> usize {
    body_end(uops).map_or(uops.len(), |k| k + 1)
}

/// The dump text of one trace.
pub(super) fn trace(t: &TraceDump<'_>, sink: &Sink) -> String {
    let code = t.code;
    let mut s = String::new();
    let kind = match t.root_at {
        Some(_) => "root trace (loop)".to_string(),
        None if t.function_entry => "function-entry trace".to_string(),
        None => format!("side trace, depth {}", t.depth),
    };
    let _ = writeln!(
        s,
        "=== trace {}: {kind} in {} at line {}, instruction {} ({})",
        t.id,
        code.qualname,
        line_of(code, t.start),
        t.start,
        instruction_text(code, t.start)
    );
    if t.function_entry {
        let _ = writeln!(
            s,
            "entered at every call of {} (from tier 1, or natively from traces' _CALL_EXECUTOR)",
            code.qualname
        );
    }
    if let Some(b) = t.root_at {
        let _ = writeln!(
            s,
            "entered from instruction {b} (line {}, the loop's back edge)",
            line_of(code, b)
        );
    }
    let body = body_len(t.uops);
    let _ = writeln!(
        s,
        "file {}; {} uops ({} in the body, {} stubs); projected, optimized and compiled in {:.1} us",
        code.filename,
        t.uops.len(),
        body,
        t.uops.len() - body,
        t.compile_time.as_secs_f64() * 1e6
    );
    match &t.executor {
        Ok(e) => {
            let base = e.jit_code() as u64;
            let _ = writeln!(
                s,
                "executor code {base:#x}..{:#x} ({} bytes of code, {} with data); side entry {:#x}",
                base + e.code_bytes().len() as u64,
                e.code_bytes().len(),
                e.code_size(),
                e.jit_side_entry() as u64
            );
        }
        Err(why) => {
            let _ = writeln!(s, "no executor: {why}");
        }
    }
    let src = sink.sources.get(&*code.filename);
    let quote = |line: u32| -> String {
        src.and_then(|l| l.get((line as usize).wrapping_sub(1)))
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    };

    let codes = codes_per_uop(t.uops, t.contexts);
    let code_at = |k: usize| codes.get(k).copied().unwrap_or(code);
    let _ = writeln!(s, "\nuops (index, uop, operands, where failures go):");
    let mut last_line = None;
    let mut last_instr = None;
    let mut last_code: *const Code = code;
    for (k, u) in t.uops.iter().enumerate() {
        let code = code_at(k);
        if k == body {
            let _ = writeln!(s, "  stubs:");
            last_line = None;
            last_instr = None;
        }
        if k < body {
            if !std::ptr::eq(last_code, code) {
                if std::ptr::eq(code, t.code) {
                    let _ = writeln!(s, "  back in {}:", code.qualname);
                } else {
                    let _ = writeln!(s, "  in {} (inlined call):", code.qualname);
                }
                last_code = code;
                last_line = None;
                last_instr = None;
            }
            let line = line_of(code, u.target);
            if last_line != Some(line) {
                let _ = writeln!(s, "  line {line}: {}", quote(line));
                last_line = Some(line);
            }
            if last_instr != Some(u.target) {
                let _ = writeln!(s, "    @{} {}", u.target, instruction_text(code, u.target));
                last_instr = Some(u.target);
            }
        }
        let e = edges(t.uops, u);
        let mut what = operands(code, t.contexts, u, sink);
        if k >= body && !std::ptr::eq(code, t.code) {
            let _ = write!(what, " in {}", code.qualname);
        }
        let row = format!("      {k:4}  {:<26} {what:<44} {e}", u.opcode.name());
        let _ = writeln!(s, "{}", row.trim_end());
    }

    let removed = t.changes.iter().filter(|c| c.replaced_by.is_none()).count();
    let _ = writeln!(
        s,
        "\noptimizer: {} uops projected, {} installed; {removed} removed, {} rewritten",
        t.projected.len(),
        t.uops.len(),
        t.changes.len() - removed
    );
    let projected_codes = codes_per_uop(t.projected, t.contexts);
    for c in t.changes {
        let at = t.projected.get(c.index);
        let code = projected_codes.get(c.index).copied().unwrap_or(code);
        let line = at.map_or(0, |u| line_of(code, u.target));
        let instr = at.map_or(0, |u| u.target);
        let what = match c.replaced_by {
            None => format!("removed {}", c.uop.name()),
            Some(by) => format!("rewrote {} -> {}", c.uop.name(), by.name()),
        };
        let _ = writeln!(
            s,
            "  projected uop {:3} (line {line}, @{instr}): {what}: {}",
            c.index, c.reason
        );
    }

    let exits: Vec<(usize, &UopInstruction)> = t
        .uops
        .iter()
        .enumerate()
        .filter(|(_, u)| u.opcode == Uop::EXIT_TRACE)
        .collect();
    let _ = writeln!(s, "\nexits ({}):", exits.len());
    for (k, u) in exits {
        let code = code_at(k);
        let link = match &t.executor {
            Ok(e) => match e.exit(u.exit_index) {
                Ok(info) => match info.linked {
                    Some(p) => sink.executors.get(&(p as u64)).map_or_else(
                        || "linked".to_string(),
                        |id| format!("linked to trace {id}"),
                    ),
                    None => "not linked (returns to tier 1)".to_string(),
                },
                Err(_) => String::new(),
            },
            Err(_) => "returns to tier 1 unless linked".to_string(),
        };
        let frame = if std::ptr::eq(code, t.code) {
            String::new()
        } else {
            format!(" in {}", code.qualname)
        };
        let _ = writeln!(
            s,
            "  exit {:2} -> instruction {}{frame} (line {}, {}): {link}",
            u.exit_index,
            u.target,
            line_of(code, u.target),
            instruction_text(code, u.target)
        );
    }

    if let Ok(e) = &t.executor {
        let labels: Vec<String> = t
            .uops
            .iter()
            .enumerate()
            .map(|(k, u)| {
                format!(
                    "{} (line {})",
                    u.opcode.name(),
                    line_of(code_at(k), u.target)
                )
            })
            .collect();
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        let name_value = |_piece: Option<usize>, v: u64| -> Option<String> {
            if let Some(n) = sink.symbols.name_of(v) {
                return Some(n.to_string());
            }
            let header = std::mem::size_of::<crate::abi::layout::Executor>() as u64;
            for (&h, id) in &sink.executors {
                if v >= h && v < h + header {
                    return Some(match v - h {
                        0 => format!("executor of trace {id}"),
                        off => format!("executor of trace {id} +{off:#x}"),
                    });
                }
            }
            None
        };
        // The VM's context emits the host's stencils (tier2/mod.rs), so a
        // piece's holes are those of its uop's host stencil.
        let host = &crate::jit::stencils::HOST;
        let last = t.uops.len() + 1;
        let holes = |k: usize| -> &'static [Hole] {
            match k {
                0 => host.trampoline.code.holes,
                k if k == last => host.fatal_error.code.holes,
                k => t.uops.get(k - 1).map_or(&[], |u| {
                    host.uops
                        .get(u.opcode as usize)
                        .map_or(&[], |g| g.code.holes)
                }),
            }
        };
        let name_hole = |piece: Option<usize>, h: &Hole| -> Option<String> {
            let k = piece?;
            let u = t.uops.get(k)?;
            match h.value {
                HoleValue::Oparg => Some(match u.opcode {
                    Uop::LOAD_FAST
                    | Uop::LOAD_FAST_CHECK
                    | Uop::STORE_FAST
                    | Uop::LOAD_FAST_INT
                    | Uop::STORE_FAST_INT => {
                        format!("oparg: local {}", local_name(code_at(k), u.oparg))
                    }
                    _ => format!("oparg {}", u.oparg),
                }),
                HoleValue::Operand => Some(match u.opcode {
                    Uop::LOAD_CONST => format!("operand: const {}", const_text(u.operand)),
                    _ => format!("operand {:#x}", u.operand),
                }),
                HoleValue::Target => Some(format!("target: instruction {}", u.target)),
                HoleValue::ExitIndex => Some(format!("exit index {}", u.exit_index)),
                HoleValue::OpargBytes => {
                    Some(format!("local {} (oparg)", local_name(code_at(k), u.oparg)))
                }
                HoleValue::OperandI32 => Some(format!("operand {}", u.operand as i64)),
                HoleValue::OperandBytes => Some(format!(
                    "local {} (operand)",
                    local_name(code_at(k), u.operand as u32)
                )),
                _ => None,
            }
        };
        let annotations = disasm::Annotations {
            holes: &holes,
            hole: &name_hole,
            value: &name_value,
        };
        let _ = writeln!(s, "\nmachine code:");
        match disasm::render_executor_annotated(e, &names, &annotations) {
            Ok(text) => s.push_str(&text),
            Err(err) => {
                let _ = writeln!(s, "  ({err})");
            }
        }
    }
    s.push('\n');
    s
}
