//! Thin, checked wrappers over the operating system's virtual memory calls
//! (`mmap`, `mprotect`, `madvise`, `prctl`) and the instruction cache flush.
//!
//! Every failure is a [`JitError::Mapping`]; nothing here panics.

use crate::jit::error::JitError;
use std::io;

/// Page protections the JIT uses. There is deliberately no read+write+execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Not accessible: reserved address space, no memory committed.
    None,
    /// Read and write: while the emitter copies and patches.
    ReadWrite,
    /// Read and execute: while code may run.
    ReadExecute,
}

impl Protection {
    fn flags(self) -> libc::c_int {
        match self {
            Protection::None => libc::PROT_NONE,
            Protection::ReadWrite => libc::PROT_READ | libc::PROT_WRITE,
            Protection::ReadExecute => libc::PROT_READ | libc::PROT_EXEC,
        }
    }
}

fn last_error(op: &'static str) -> JitError {
    JitError::Mapping {
        op,
        source: io::Error::last_os_error(),
    }
}

/// The system page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n <= 0 {
        4096
    } else {
        n as usize
    }
}

/// Reserves `len` bytes of inaccessible address space (no memory committed).
pub fn reserve(len: usize) -> Result<*mut u8, JitError> {
    reserve_at(std::ptr::null_mut(), len)
}

/// Like [`reserve`], preferring the address `hint` (the kernel picks another
/// place when that range is taken; nothing existing is ever replaced).
pub fn reserve_at(hint: *mut u8, len: usize) -> Result<*mut u8, JitError> {
    // SAFETY: an anonymous private mapping without MAP_FIXED touches no
    // existing memory: the hint is only a hint.
    let p = unsafe {
        libc::mmap(
            hint.cast(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(last_error("mmap"));
    }
    Ok(p.cast())
}

/// Unmaps a reservation made by [`reserve`].
///
/// # Safety
/// `[addr, addr + len)` must be a reservation of ours that no code uses any more.
pub unsafe fn release(addr: *mut u8, len: usize) -> Result<(), JitError> {
    // SAFETY: guaranteed by the caller.
    if unsafe { libc::munmap(addr.cast(), len) } != 0 {
        return Err(last_error("munmap"));
    }
    Ok(())
}

/// Changes the protection of whole pages.
///
/// # Safety
/// The range must be page aligned and inside a reservation of ours; when it
/// leaves [`Protection::ReadExecute`], no code in it may be running.
pub unsafe fn protect(addr: *mut u8, len: usize, prot: Protection) -> Result<(), JitError> {
    // SAFETY: guaranteed by the caller.
    if unsafe { libc::mprotect(addr.cast(), len, prot.flags()) } != 0 {
        return Err(last_error("mprotect"));
    }
    Ok(())
}

/// Gives the physical memory behind whole pages back to the kernel and makes
/// them inaccessible again.
///
/// # Safety
/// As for [`protect`]; the pages must hold nothing anyone still needs.
pub unsafe fn decommit(addr: *mut u8, len: usize) -> Result<(), JitError> {
    // SAFETY: guaranteed by the caller.
    unsafe { protect(addr, len, Protection::None)? };
    // SAFETY: guaranteed by the caller; the pages hold no live data.
    if unsafe { libc::madvise(addr.cast(), len, libc::MADV_DONTNEED) } != 0 {
        return Err(last_error("madvise"));
    }
    Ok(())
}

/// Names an anonymous mapping so it shows as `[anon:NAME]` in
/// `/proc/PID/maps`. Returns whether the kernel accepted the name: kernels
/// built without `CONFIG_ANON_VMA_NAME` (all before Linux 5.17; it stays
/// optional after) answer `EINVAL`, which is not an error for us: the
/// mapping just stays unnamed. Other systems have no such call.
pub fn name_mapping(addr: *mut u8, len: usize, name: &std::ffi::CStr) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        const PR_SET_VMA: libc::c_int = 0x5356_4d41;
        const PR_SET_VMA_ANON_NAME: libc::c_ulong = 0;
        // SAFETY: prctl reads the name string and does not retain it past the
        // call (the kernel copies it); the range is ours.
        let r = unsafe {
            libc::prctl(
                PR_SET_VMA,
                PR_SET_VMA_ANON_NAME,
                addr as libc::c_ulong,
                len as libc::c_ulong,
                name.as_ptr() as libc::c_ulong,
            )
        };
        r == 0
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (addr, len, name);
        false
    }
}

/// Makes freshly written code visible to instruction fetch. A no-op on x86
/// and x86-64, whose instruction caches are coherent with data writes. Every
/// other architecture (AArch64, 32-bit Arm, RISC-V, POWER, ...) needs the
/// data cache cleaned and the instruction cache invalidated over the range:
/// `__clear_cache` from the compiler runtime (libgcc or compiler-rt, linked
/// into every program on those targets) does exactly that, as
/// `__builtin___clear_cache` does for CPython's JIT.
pub fn flush_icache(addr: *const u8, len: usize) {
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        extern "C" {
            fn __clear_cache(start: *mut libc::c_char, end: *mut libc::c_char);
        }
        // SAFETY: `__clear_cache` only performs cache maintenance on the
        // given range, which is mapped.
        unsafe { __clear_cache(addr as *mut _, addr.add(len) as *mut _) };
    }
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        let _ = (addr, len);
    }
}
