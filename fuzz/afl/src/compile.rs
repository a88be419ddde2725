//! AFL++ target: arbitrary bytes into the front end, `cpjit::vm::compile::compile_module`.
//!
//! The front end must answer every input with `Ok` or a typed `CompileError`;
//! a panic (which AFL counts as a crash: `panic = "abort"` is set by
//! cargo-afl) or a stack overflow is a bug. Only valid UTF-8 reaches the
//! compiler, as in `cpjit run` (which rejects other bytes before parsing).
//!
//! Build and run (see ROBUSTNESS.md):
//!   cargo afl build --release
//!   cargo afl fuzz -i in -o out target/release/compile

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(source) = std::str::from_utf8(data) {
            let _ = cpjit::vm::compile::compile_module(source, "<afl>");
        }
    });
}
