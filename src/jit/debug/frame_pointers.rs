//! Frame-pointer chains: what perf (`--call-graph fp`) and other
//! unwinders without CFI follow. JIT code keeps the chain intact on x86-64
//! Linux: a stencil that calls out does `push rbp; mov rbp, rsp`, so from a
//! helper called by JIT code the chain runs stencil frame → trampoline
//! frame → the Rust code that entered the trace.
//!
//! A frame record is two words at the frame pointer: the caller's frame
//! pointer, then the return address. The walk only reads words inside the
//! current thread's stack, above the walker's own frame, and stops at the
//! first record that is misaligned, out of bounds or not further up the
//! stack than the one before: it never follows a bad pointer.

use std::ops::Range;

/// Errors from frame-pointer walking.
#[derive(Debug, thiserror::Error)]
pub enum FramePointerError {
    /// The thread's stack bounds could not be read.
    #[error("cannot read the thread's stack bounds (pthread error {0})")]
    StackBounds(i32),
    /// Not supported on this platform.
    #[error("frame-pointer walking is only supported on Linux")]
    Unsupported,
}

/// One frame record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRecord {
    /// Where the record is (the frame pointer of this frame).
    pub frame_pointer: usize,
    /// The return address saved in the record (into the caller).
    pub return_address: usize,
}

/// The address range of a thread's stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackBounds {
    /// Lowest address.
    pub low: usize,
    /// One past the highest address.
    pub high: usize,
}

impl StackBounds {
    /// The calling thread's stack.
    #[cfg(target_os = "linux")]
    pub fn current_thread() -> Result<Self, FramePointerError> {
        // SAFETY: `attr` is initialised by pthread_getattr_np before use and
        // destroyed once; the out-pointers are valid locals.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            let rc = libc::pthread_getattr_np(libc::pthread_self(), &mut attr);
            if rc != 0 {
                return Err(FramePointerError::StackBounds(rc));
            }
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
            libc::pthread_attr_destroy(&mut attr);
            if rc != 0 {
                return Err(FramePointerError::StackBounds(rc));
            }
            Ok(StackBounds {
                low: addr as usize,
                high: addr as usize + size,
            })
        }
    }

    /// The calling thread's stack.
    #[cfg(not(target_os = "linux"))]
    pub fn current_thread() -> Result<Self, FramePointerError> {
        Err(FramePointerError::Unsupported)
    }
}

/// The frame pointer register's value where this is inlined. Only
/// meaningful in code compiled with frame pointers; from a helper that JIT
/// code calls, prefer having the JIT code pass its frame pointer.
#[inline(always)]
pub fn current_frame_pointer() -> usize {
    let fp: usize;
    // SAFETY: reads a register, touches no memory.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    // SAFETY: reads a register, touches no memory.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        fp = 0;
    }
    fp
}

/// Walks the chain from `fp`, at most `max_frames` records, on the calling
/// thread's stack.
#[inline(never)]
pub fn walk(fp: usize, max_frames: usize) -> Result<Vec<FrameRecord>, FramePointerError> {
    let bounds = StackBounds::current_thread()?;
    // Nothing below this function's own frame belongs to a caller.
    let marker = 0u8;
    let low = bounds.low.max(std::ptr::addr_of!(marker) as usize);
    let word = std::mem::size_of::<usize>();
    let mut records = Vec::new();
    let mut fp = fp;
    while records.len() < max_frames {
        let in_bounds = fp >= low && fp.checked_add(2 * word).is_some_and(|e| e <= bounds.high);
        if fp & (word - 1) != 0 || !in_bounds {
            break;
        }
        // SAFETY: `fp` is aligned and both words lie in the live part of the
        // current thread's stack (above this frame, below the stack's top).
        let (next, return_address) = unsafe {
            let p = fp as *const usize;
            (p.read_volatile(), p.add(1).read_volatile())
        };
        records.push(FrameRecord {
            frame_pointer: fp,
            return_address,
        });
        if next <= fp {
            break;
        }
        fp = next;
    }
    Ok(records)
}

/// The index of the first record in the chain from `fp` whose return
/// address lies in `code` (e.g. the Rust function that entered JIT code),
/// or `None` if the chain ends first.
pub fn chain_reaches(
    fp: usize,
    code: Range<usize>,
    max_frames: usize,
) -> Result<Option<usize>, FramePointerError> {
    Ok(walk(fp, max_frames)?
        .iter()
        .position(|r| code.contains(&r.return_address)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_bad_pointers() {
        assert!(walk(0, 10).unwrap().is_empty());
        assert!(walk(1, 10).unwrap().is_empty());
        assert!(walk(usize::MAX - 7, 10).unwrap().is_empty());
    }

    #[test]
    fn follows_a_chain_built_on_the_stack() {
        // Three records in a local array: [next, ra] each, pointing upward,
        // the last ending the chain (next = 0).
        let mut frames = [0usize; 6];
        let base = frames.as_mut_ptr() as usize;
        let w = std::mem::size_of::<usize>();
        frames[0] = base + 2 * w;
        frames[1] = 0x1111;
        frames[2] = base + 4 * w;
        frames[3] = 0x2222;
        frames[4] = 0;
        frames[5] = 0x3333;
        std::hint::black_box(&mut frames);
        let got: Vec<_> = walk(base, 10)
            .unwrap()
            .iter()
            .map(|r| r.return_address)
            .collect();
        assert_eq!(got, [0x1111, 0x2222, 0x3333]);
        assert_eq!(chain_reaches(base, 0x2000..0x3000, 10).unwrap(), Some(1));
        assert_eq!(chain_reaches(base, 0x4000..0x5000, 10).unwrap(), None);
        assert_eq!(walk(base, 2).unwrap().len(), 2);
    }
}
