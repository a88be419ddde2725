//! The GDB JIT interface: a linked list of in-memory object files, rooted
//! at `__jit_debug_descriptor`, and the function `__jit_debug_register_code`
//! that gdb puts a breakpoint on to learn about changes.
//!
//! gdb reads the descriptor when the process starts and on every call of
//! `__jit_debug_register_code`: action 1 adds `relevant_entry`'s object
//! file, action 2 removes it. All changes happen under one process-wide
//! lock, as the protocol has no other synchronisation.

use std::cell::UnsafeCell;
use std::ptr;
use std::sync::{Mutex, PoisonError};

/// `jit_actions_t`.
const JIT_NOACTION: u32 = 0;
const JIT_REGISTER_FN: u32 = 1;
const JIT_UNREGISTER_FN: u32 = 2;

/// `struct jit_code_entry`.
#[repr(C)]
#[derive(Debug)]
struct JitCodeEntry {
    next: *mut JitCodeEntry,
    prev: *mut JitCodeEntry,
    symfile_addr: *const u8,
    symfile_size: u64,
}

/// `struct jit_descriptor`.
#[repr(C)]
#[derive(Debug)]
pub struct JitDescriptor {
    version: u32,
    action_flag: u32,
    relevant_entry: *mut JitCodeEntry,
    first_entry: *mut JitCodeEntry,
}

/// The descriptor's storage: gdb finds it by its symbol name, so it must be
/// a plain `jit_descriptor` in memory.
#[repr(transparent)]
#[derive(Debug)]
pub struct DescriptorCell(UnsafeCell<JitDescriptor>);

// SAFETY: the descriptor is only read or written while `LOCK` is held (and
// by gdb while the process is stopped).
unsafe impl Sync for DescriptorCell {}

/// The descriptor gdb reads (version 1).
#[no_mangle]
#[used]
pub static __jit_debug_descriptor: DescriptorCell =
    DescriptorCell(UnsafeCell::new(JitDescriptor {
        version: 1,
        action_flag: JIT_NOACTION,
        relevant_entry: ptr::null_mut(),
        first_entry: ptr::null_mut(),
    }));

/// gdb breaks here to read the descriptor. Must not be inlined or removed.
#[no_mangle]
#[inline(never)]
pub extern "C" fn __jit_debug_register_code() {
    // An empty asm statement counts as a side effect: the call and the
    // function stay.
    // SAFETY: the asm does nothing.
    unsafe { std::arch::asm!("", options(nostack, preserves_flags)) };
}

/// Serialises every change to the list.
static LOCK: Mutex<()> = Mutex::new(());

/// One object file registered with gdb; dropping it unregisters it.
#[derive(Debug)]
pub struct GdbRegistration {
    entry: *mut JitCodeEntry,
    /// The object file; `entry.symfile_addr` points into it.
    symfile: Box<[u8]>,
}

// SAFETY: the entry is owned by this registration and only touched under
// `LOCK`; the symfile is immutable while registered.
unsafe impl Send for GdbRegistration {}
// SAFETY: `&GdbRegistration` gives no access to the entry.
unsafe impl Sync for GdbRegistration {}

impl GdbRegistration {
    /// Adds `symfile` (an ELF object) to the list and tells gdb.
    pub fn register(symfile: Vec<u8>) -> Self {
        let symfile = symfile.into_boxed_slice();
        let entry = Box::into_raw(Box::new(JitCodeEntry {
            next: ptr::null_mut(),
            prev: ptr::null_mut(),
            symfile_addr: symfile.as_ptr(),
            symfile_size: symfile.len() as u64,
        }));
        let _guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: LOCK is held, so nothing else touches the descriptor or
        // the list; `entry` is a fresh, valid allocation and the list's
        // entries are live registrations.
        unsafe {
            let d = __jit_debug_descriptor.0.get();
            let first = (*d).first_entry;
            (*entry).next = first;
            if !first.is_null() {
                (*first).prev = entry;
            }
            (*d).first_entry = entry;
            (*d).relevant_entry = entry;
            (*d).action_flag = JIT_REGISTER_FN;
            __jit_debug_register_code();
            (*d).action_flag = JIT_NOACTION;
            (*d).relevant_entry = ptr::null_mut();
        }
        GdbRegistration { entry, symfile }
    }

    /// The object file gdb was given.
    pub fn symfile(&self) -> &[u8] {
        &self.symfile
    }
}

impl Drop for GdbRegistration {
    fn drop(&mut self) {
        let _guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: LOCK is held; `self.entry` is in the list (added by
        // `register`, removed only here), and its neighbours are live.
        unsafe {
            let d = __jit_debug_descriptor.0.get();
            let e = self.entry;
            if (*e).prev.is_null() {
                (*d).first_entry = (*e).next;
            } else {
                (*(*e).prev).next = (*e).next;
            }
            if !(*e).next.is_null() {
                (*(*e).next).prev = (*e).prev;
            }
            (*d).relevant_entry = e;
            (*d).action_flag = JIT_UNREGISTER_FN;
            __jit_debug_register_code();
            (*d).action_flag = JIT_NOACTION;
            (*d).relevant_entry = ptr::null_mut();
            drop(Box::from_raw(e));
        }
    }
}

/// The object files currently registered, newest first (for tests and
/// diagnostics).
pub fn registered_symfiles() -> Vec<(usize, usize)> {
    let _guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = Vec::new();
    // SAFETY: LOCK is held; every entry in the list is live.
    unsafe {
        let mut e = (*__jit_debug_descriptor.0.get()).first_entry;
        while !e.is_null() {
            out.push(((*e).symfile_addr as usize, (*e).symfile_size as usize));
            e = (*e).next;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(r: &GdbRegistration) -> bool {
        registered_symfiles().contains(&(r.symfile().as_ptr() as usize, r.symfile().len()))
    }

    #[test]
    fn list_tracks_registrations_in_any_order() {
        // Sizes no other test uses, so a freed address reused by another
        // test's registration cannot be mistaken for these.
        let a = GdbRegistration::register(vec![1; 1001]);
        let b = GdbRegistration::register(vec![2; 1002]);
        let c = GdbRegistration::register(vec![3; 1003]);
        assert!(listed(&a) && listed(&b) && listed(&c));
        let (ka, kc) = (
            (a.symfile().as_ptr() as usize, 1001),
            (c.symfile().as_ptr() as usize, 1003),
        );
        drop(b);
        assert!(listed(&a) && listed(&c));
        drop(a);
        assert!(listed(&c));
        assert!(!registered_symfiles().contains(&ka));
        drop(c);
        assert!(!registered_symfiles().contains(&kc));
    }

    #[test]
    fn registrations_from_many_threads() {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        let r = GdbRegistration::register(vec![i; 16]);
                        assert!(listed(&r));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }
}
