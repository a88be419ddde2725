//! Valgrind client requests, so that programs running the JIT under
//! valgrind stay correct when code memory is rewritten or reused.
//!
//! Valgrind translates machine code once per address and caches the
//! translation; a JIT that writes new code where old code was must say so
//! (`VALGRIND_DISCARD_TRANSLATIONS`), or valgrind may run the stale
//! translation. A client request is a magic instruction sequence that does
//! nothing on a real CPU (it rotates a register by 128 bits in total and
//! swaps a register with itself) and that valgrind recognises; this is the
//! amd64 sequence from `valgrind.h`, written with `asm!`. On other
//! architectures both requests do nothing.

use std::sync::atomic::{AtomicU8, Ordering};

/// `VG_USERREQ__RUNNING_ON_VALGRIND` from `valgrind.h`.
const RUNNING_ON_VALGRIND: u64 = 0x1001;
/// `VG_USERREQ__DISCARD_TRANSLATIONS` from `valgrind.h`.
const DISCARD_TRANSLATIONS: u64 = 0x1002;

/// Issues a client request; returns `default` when not under valgrind.
#[cfg(target_arch = "x86_64")]
fn client_request(default: u64, request: u64, args: [u64; 5]) -> u64 {
    let block: [u64; 6] = [request, args[0], args[1], args[2], args[3], args[4]];
    let result: u64;
    // SAFETY: on a real CPU the sequence rotates `rdi` left by 3+13+61+51 =
    // 128 bits (so leaves it unchanged, but it is declared clobbered anyway),
    // swaps `rbx` with itself and sets flags: it has no other effect.
    // Under valgrind it reads the six words at `rax` (a live array on our
    // stack) and writes the answer to `rdx`.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") block.as_ptr(),
            inout("rdx") default => result,
            inout("rdi") 0u64 => _,
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn client_request(default: u64, _request: u64, _args: [u64; 5]) -> u64 {
    default
}

/// Whether this process runs under valgrind (asked once, then cached).
pub fn running_on_valgrind() -> bool {
    // 0: not asked yet; 1: no; 2: yes.
    static STATE: AtomicU8 = AtomicU8::new(0);
    match STATE.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let yes = client_request(0, RUNNING_ON_VALGRIND, [0; 5]) != 0;
            STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
    }
}

/// Tells valgrind that the code in `[addr, addr + len)` changed: it drops
/// its translations of that range. Does nothing (one cached check) when not
/// under valgrind.
pub fn discard_translations(addr: *const u8, len: usize) {
    if len > 0 && running_on_valgrind() {
        client_request(0, DISCARD_TRANSLATIONS, [addr as u64, len as u64, 0, 0, 0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_harmless_outside_valgrind() {
        // Natively the magic sequence returns the default; under valgrind
        // (`valgrind target/release/deps/cpjit-*`) it is true. Either way
        // the answer is stable and the discard request returns.
        let first = running_on_valgrind();
        assert_eq!(running_on_valgrind(), first);
        assert_eq!(client_request(0, RUNNING_ON_VALGRIND, [0; 5]) != 0, first);
        let code = [0xC3u8; 16];
        discard_translations(code.as_ptr(), code.len());
        discard_translations(code.as_ptr(), 0);
    }
}
