#!/usr/bin/env python3
"""Generates mod.rs: hand-written x86-64 stencils (C convention) for tests and
benchmarks, assembled with llvm-mc. Run: python3 gen.py > mod.rs

Holes are external symbols: _JIT_* names map to HoleValue; cpjit_* are runtime
symbols (HoleValue::Zero + symbol); _JIT_GOT_<sym> is a PC-relative load of a
GOT slot for <sym>, synthesized in the data stencil (HoleKind::X86GotPcRelX).
"""
import os, re, subprocess, sys, tempfile

MC = "/usr/lib/llvm-19/bin/llvm-mc"
OBJDUMP = "/usr/lib/llvm-19/bin/llvm-objdump"
READELF = "/usr/lib/llvm-19/bin/llvm-readelf"

# Offsets (abi/src/layout.rs): Frame.stack_pointer 32, instr 40, localsplus 48;
# ThreadState.previous_executor 8, exit_executor 16, exit_index 24,
# side_exit_threshold 32; Executor.valid 8, jit_side_entry 24, exits 32;
# ExitData size 16: target 0, temperature 4, executor 8.
CONT = "jmp _JIT_CONTINUE"
STENCILS = {
"TRAMPOLINE": """
    push rbx
    push r12
    push r13
    mov rbx, rdi
    mov r12, rcx
    inc qword ptr [rbx]
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    call _JIT_CONTINUE
    mov r13, rax
    mov rdi, qword ptr [r12 + 8]
    mov qword ptr [r12 + 8], rbx
    test rdi, rdi
    je 1f
    dec qword ptr [rdi]
    jne 1f
    movabs rax, offset cpjit_executor_dealloc
    call rax
1:  mov rax, r13
    pop r13
    pop r12
    pop rbx
    ret
""",
"FATAL_ERROR": """
    and rsp, -16
    movabs rax, offset cpjit_fatal_error
    call rax
    ud2
""",
"NOP": CONT,
"LOAD_FAST": """
    mov eax, offset _JIT_OPARG
    mov rax, qword ptr [rdi + 8*rax + 48]
    mov qword ptr [rsi], rax
    add rsi, 8
""" + CONT,
"STORE_FAST": """
    sub rsi, 8
    mov rax, qword ptr [rsi]
    mov ecx, offset _JIT_OPARG
    mov qword ptr [rdi + 8*rcx + 48], rax
""" + CONT,
"LOAD_CONST": """
    movabs rax, offset _JIT_OPERAND
    mov qword ptr [rsi], rax
    add rsi, 8
""" + CONT,
"POP_TOP": """
    sub rsi, 8
    push rdi
    push rsi
    push rdx
    mov rdi, qword ptr [rsi]
    call qword ptr [rip + _JIT_GOT_cpjit_dealloc]
    pop rdx
    pop rsi
    pop rdi
""" + CONT,
"GUARD_BOTH_INT": """
    mov rax, qword ptr [rsi - 8]
    and rax, qword ptr [rsi - 16]
    test al, 1
    je _JIT_JUMP_TARGET
""" + CONT,
"BINARY_OP_ADD_INT": """
    mov rax, qword ptr [rsi - 16]
    mov rcx, qword ptr [rsi - 8]
    sub rcx, 1
    add rax, rcx
    jo _JIT_JUMP_TARGET
    sub rsi, 8
    mov qword ptr [rsi - 8], rax
""" + CONT,
"BINARY_OP_SUBTRACT_INT": """
    mov rax, qword ptr [rsi - 16]
    sub rax, qword ptr [rsi - 8]
    jo _JIT_JUMP_TARGET
    or rax, 1
    sub rsi, 8
    mov qword ptr [rsi - 8], rax
""" + CONT,
"BINARY_OP_MULTIPLY_INT": """
    mov rax, qword ptr [rsi - 16]
    sar rax, 1
    mov rcx, qword ptr [rsi - 8]
    sub rcx, 1
    imul rax, rcx
    jo _JIT_JUMP_TARGET
    or rax, 1
    sub rsi, 8
    mov qword ptr [rsi - 8], rax
""" + CONT,
"COMPARE_OP_INT": """
    mov rax, qword ptr [rsi - 16]
    cmp rax, qword ptr [rsi - 8]
    movabs rax, offset cpjit_true
    movabs rcx, offset cpjit_false
    cmovge rax, rcx
    sub rsi, 8
    mov qword ptr [rsi - 8], rax
""" + CONT,
"GUARD_IS_TRUE_POP": """
    sub rsi, 8
    mov rax, qword ptr [rsi]
    movabs rcx, offset cpjit_true
    cmp rax, rcx
    jne _JIT_JUMP_TARGET
""" + CONT,
"GUARD_IS_FALSE_POP": """
    sub rsi, 8
    mov rax, qword ptr [rsi]
    movabs rcx, offset cpjit_true
    cmp rax, rcx
    je _JIT_JUMP_TARGET
""" + CONT,
"SET_IP": """
    mov dword ptr [rdi + 40], offset _JIT_OPARG
""" + CONT,
"JUMP_TO_TOP": "jmp _JIT_TOP",
"EXIT_TRACE": """
    movabs rax, offset _JIT_EXECUTOR
    mov rcx, qword ptr [rax + 32]
    mov r8d, offset _JIT_EXIT_INDEX
    shl r8, 4
    add rcx, r8
    mov r9, qword ptr [rcx + 8]
    test r9, r9
    je 1f
    cmp dword ptr [r9 + 8], 0
    je 1f
    jmp qword ptr [r9 + 24]
1:  mov dword ptr [rdi + 40], offset _JIT_TARGET
    mov qword ptr [rdi + 32], rsi
    mov r10d, dword ptr [rcx + 4]
    add r10d, 1
    mov dword ptr [rcx + 4], r10d
    mov qword ptr [rdx + 16], rax
    mov dword ptr [rdx + 24], offset _JIT_EXIT_INDEX
    xor eax, eax
    cmp r10d, dword ptr [rdx + 32]
    jb 2f
    mov eax, 2
2:  ret
""",
"DEOPT": """
    mov dword ptr [rdi + 40], offset _JIT_TARGET
    mov qword ptr [rdi + 32], rsi
    xor eax, eax
    ret
""",
"ERROR_POP_N": """
    mov ecx, offset _JIT_OPARG
    shl rcx, 3
    mov rax, rsi
    sub rax, rcx
    mov qword ptr [rdi + 32], rax
    mov dword ptr [rdi + 40], offset _JIT_TARGET
    mov eax, 1
    ret
""",
}

VALUES = {"_JIT_CONTINUE": "Continue", "_JIT_CODE": "Code", "_JIT_DATA": "Data",
          "_JIT_EXECUTOR": "Executor", "_JIT_TOP": "Top", "_JIT_ZERO": "Zero",
          "_JIT_OPARG": "Oparg", "_JIT_OPERAND": "Operand", "_JIT_TARGET": "Target",
          "_JIT_JUMP_TARGET": "JumpTarget", "_JIT_ERROR_TARGET": "ErrorTarget",
          "_JIT_EXIT_INDEX": "ExitIndex"}
KINDS = {"R_X86_64_64": "Abs64", "R_X86_64_32": "Abs32", "R_X86_64_PC32": "Rel32",
         "R_X86_64_PLT32": "Rel32"}


def assemble(src):
    with tempfile.TemporaryDirectory() as d:
        s, o = os.path.join(d, "t.s"), os.path.join(d, "t.o")
        open(s, "w").write(".intel_syntax noprefix\n.text\n" + src + "\n")
        subprocess.run([MC, "-triple=x86_64-unknown-linux-gnu", "-filetype=obj", s, "-o", o], check=True)
        dump = subprocess.run([OBJDUMP, "-s", "-j", ".text", o], capture_output=True, text=True, check=True).stdout
        body = bytearray()
        for line in dump.splitlines():
            m = re.match(r"^ ([0-9a-f]{4,}) ((?:[0-9a-f]{2,8} ){1,4})", line)
            if m:
                body += bytes.fromhex(m.group(2).replace(" ", ""))
        relocs = subprocess.run([READELF, "-r", o], capture_output=True, text=True, check=True).stdout
        holes = []
        for line in relocs.splitlines():
            m = re.match(r"^([0-9a-f]+)\s+[0-9a-f]+\s+(R_X86_64_\w+)\s+[0-9a-f]+\s+(\S+)\s*([+-])\s*([0-9a-f]+)", line)
            if m:
                off, ty, sym, sign, add = m.groups()
                add = int(add, 16) * (-1 if sign == "-" else 1)
                holes.append((int(off, 16), ty, sym, add))
        return bytes(body), holes


def rust_bytes(b):
    return "&[" + ", ".join("0x%02x" % x for x in b) + "]"


def group(name, src):
    body, holes = assemble(src)
    code_holes, data, data_holes = [], bytearray(), []
    for off, ty, sym, add in holes:
        if sym.startswith("_JIT_GOT_"):
            target = sym[len("_JIT_GOT_"):]
            slot = len(data)
            data += bytes(8)
            data_holes.append((slot, "Abs64", "Zero", target, 0))
            code_holes.append((off, "X86GotPcRelX", "Data", None, slot + add))
        elif sym in VALUES:
            code_holes.append((off, KINDS[ty], VALUES[sym], None, add))
        else:
            code_holes.append((off, KINDS[ty], "Zero", sym, add))

    def stencil(b, hs):
        hs = ", ".join(
            "Hole { offset: %d, kind: HoleKind::%s, value: HoleValue::%s, symbol: %s, addend: %d }"
            % (o, k, v, ('Some("%s")' % s) if s else "None", a) for o, k, v, s, a in hs)
        return "Stencil { body: %s, holes: &[%s] }" % (rust_bytes(b), hs)

    asm = "\n".join("    // " + l.strip() for l in src.strip().splitlines())
    return "    // %s:\n%s\n    StencilGroup { code: %s, data: %s, data_align: 8 }" % (
        name, asm, stencil(body, code_holes), stencil(bytes(data), data_holes))


UOPS = ["NOP", "LOAD_FAST", "STORE_FAST", "LOAD_CONST", "POP_TOP", "GUARD_BOTH_INT",
        "BINARY_OP_ADD_INT", "BINARY_OP_SUBTRACT_INT", "BINARY_OP_MULTIPLY_INT",
        "COMPARE_OP_INT", "GUARD_IS_TRUE_POP", "GUARD_IS_FALSE_POP", "SET_IP",
        "JUMP_TO_TOP", "EXIT_TRACE", "DEOPT", "ERROR_POP_N"]

out = sys.stdout
out.write('''//! Hand-written x86-64 stencils in the C calling convention, for tests and
//! benchmarks while (and wherever) generated stencils are not available.
//! GENERATED by `gen.py` (assembly with llvm-mc) — edit gen.py, not this file.
//!
//! They follow the JIT contract (trampoline, tail calls, exits, statuses)
//! with simplifications: no reference counting except that `_POP_TOP`
//! always calls `cpjit_dealloc(value)` (through a GOT slot, so tests see a
//! helper call and GOT relaxation), and `_COMPARE_OP_INT` only implements `<`.

#![allow(clippy::all)]

use cpjit_abi::stencil::{CallConv, Hole, HoleKind, HoleValue, Stencil, StencilGroup, StencilSet};

/// The synthetic stencil set (index = `Uop as usize`).
pub static SYNTHETIC: StencilSet = StencilSet {
    target: "x86_64-unknown-linux-gnu",
    cc: CallConv::C,
    input_hash: "synthetic",
    trampoline: TRAMPOLINE,
    fatal_error: FATAL_ERROR,
    uops: &UOPS,
};

''')
out.write("const TRAMPOLINE: StencilGroup =\n%s;\n\n" % group("TRAMPOLINE", STENCILS["TRAMPOLINE"]))
out.write("const FATAL_ERROR: StencilGroup =\n%s;\n\n" % group("FATAL_ERROR", STENCILS["FATAL_ERROR"]))
out.write("static UOPS: [StencilGroup; %d] = [\n" % len(UOPS))
for u in UOPS:
    out.write(group(u, STENCILS[u]) + ",\n")
out.write("];\n")
