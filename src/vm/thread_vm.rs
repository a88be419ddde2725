//! The VM running on this thread, for code that is reached without one at
//! hand: a generator finalized from `dealloc`, a special method of a user
//! class called from a generic operation (`sorted`, `repr`, hashing). One
//! pointer per thread, set by `Vm::new` and cleared when that VM is dropped.

use crate::vm::error::{err, ExcKind, PyResult};
use crate::vm::interp::Vm;
use std::cell::Cell;

thread_local! {
    static VM: Cell<*mut Vm> = const { Cell::new(std::ptr::null_mut()) };
}

/// Records `vm` as the thread's VM.
pub(crate) fn set(vm: *mut Vm) {
    VM.with(|c| c.set(vm));
}

/// Forgets `vm` if it is the thread's VM.
pub(crate) fn clear(vm: *mut Vm) {
    VM.with(|c| {
        if c.get() == vm {
            c.set(std::ptr::null_mut())
        }
    });
}

/// The thread's VM, null when there is none (at exit, after it is dropped).
pub(crate) fn get() -> *mut Vm {
    VM.with(|c| c.get())
}

/// Runs `f` with the thread's VM; a `RuntimeError` when there is none.
pub fn with_vm<R>(f: impl FnOnce(&mut Vm) -> PyResult<R>) -> PyResult<R> {
    let vm = get();
    if vm.is_null() {
        return Err(err(ExcKind::RuntimeError, "no interpreter on this thread"));
    }
    // SAFETY: the pointer is the thread's live VM (cleared when dropped).
    f(unsafe { &mut *vm })
}

/// The thread's VM, for code that only runs while one is running (object
/// operations of its run).
#[allow(clippy::mut_from_ref)]
pub(crate) fn current<'a>() -> &'a mut Vm {
    let vm = get();
    debug_assert!(!vm.is_null(), "no VM on this thread");
    // SAFETY: set by `Vm::new` to the boxed VM, which outlives every object
    // operation of its run; re-entered exactly as tier-2 helpers re-enter it
    // through `ThreadState::vm_data`.
    unsafe { &mut *vm }
}
