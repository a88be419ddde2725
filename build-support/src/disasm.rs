//! Disassembly of stencil code with LLVM's disassembler, for the comments in
//! generated files.

use std::ffi::{c_char, CStr, CString};

use llvm_sys::disassembler::{
    LLVMCreateDisasm, LLVMDisasmContextRef, LLVMDisasmDispose, LLVMDisasmInstruction,
    LLVMDisassembler_Option_PrintImmHex, LLVMSetDisasmOptions,
};

use crate::compile::initialize_llvm;

/// One decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Offset in the stencil.
    pub offset: usize,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its text (`.byte 0x..` when LLVM cannot decode it).
    pub text: String,
}

/// An LLVM disassembler for one triple.
pub struct Disassembler {
    dc: LLVMDisasmContextRef,
}

impl Disassembler {
    /// Creates a disassembler for `triple`, or `None` when LLVM has none.
    pub fn new(triple: &str) -> Option<Self> {
        initialize_llvm();
        let triple = CString::new(triple).ok()?;
        // SAFETY: `triple` is a valid C string for the duration of the call;
        // no callbacks or user data are passed.
        let dc = unsafe { LLVMCreateDisasm(triple.as_ptr(), std::ptr::null_mut(), 0, None, None) };
        if dc.is_null() {
            return None;
        }
        // SAFETY: `dc` is a live disassembler context.
        unsafe { LLVMSetDisasmOptions(dc, LLVMDisassembler_Option_PrintImmHex) };
        Some(Disassembler { dc })
    }

    /// Disassembles `code` as it would sit at address 0.
    pub fn disassemble(&self, code: &[u8]) -> Vec<Instruction> {
        let mut out = Vec::new();
        let mut bytes = code.to_vec();
        let mut at = 0usize;
        let mut text = [0 as c_char; 256];
        while at < bytes.len() {
            let rest = &mut bytes[at..];
            // SAFETY: `rest` and `text` are valid for the lengths given; LLVM
            // writes a NUL-terminated string of at most `text.len()` bytes.
            let n = unsafe {
                LLVMDisasmInstruction(
                    self.dc,
                    rest.as_mut_ptr(),
                    rest.len() as u64,
                    at as u64,
                    text.as_mut_ptr(),
                    text.len(),
                )
            };
            let (n, s) = if n == 0 {
                (1, format!(".byte {:#04x}", code[at]))
            } else {
                // SAFETY: LLVM wrote a NUL-terminated string into `text`.
                let s = unsafe { CStr::from_ptr(text.as_ptr()) };
                (n, s.to_string_lossy().trim().replace('\t', " "))
            };
            let n = n.min(code.len() - at);
            out.push(Instruction {
                offset: at,
                bytes: code[at..at + n].to_vec(),
                text: s,
            });
            at += n;
        }
        out
    }
}

impl Drop for Disassembler {
    fn drop(&mut self) {
        // SAFETY: `dc` came from LLVMCreateDisasm and is disposed once.
        unsafe { LLVMDisasmDispose(self.dc) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembles_x86_and_aarch64() {
        let x86 = Disassembler::new("x86_64-unknown-linux-gnu").expect("x86 disassembler");
        let insns = x86.disassemble(&[0x55, 0xc3]);
        assert_eq!(insns.len(), 2);
        assert!(insns[0].text.contains("push"), "{:?}", insns[0]);
        assert!(insns[1].text.contains("ret"));
        let a64 = Disassembler::new("aarch64-unknown-linux-gnu").expect("aarch64 disassembler");
        let insns = a64.disassemble(&0xd65f_03c0u32.to_le_bytes());
        assert_eq!(insns[0].text, "ret");
    }
}
