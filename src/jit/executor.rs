//! Executors: installed traces with their code, exits and reference count.
//!
//! An executor is one heap allocation (`ExecutorBox`) that starts with the
//! `#[repr(C)]` [`abi::Executor`] header the templates read and write: the
//! trampoline increments `refcnt` on entry and parks its reference in
//! `ThreadState::previous_executor` on return, releasing the one parked
//! before (and calling [`cpjit_executor_dealloc`] when that reaches zero).
//!
//! References are held by [`Executor`] handles, by each trampoline activation
//! (then by `previous_executor`), and by every exit linked to the executor.
//! When the count reaches zero the executor is destroyed: its outgoing links
//! are released and its code block goes back to the context's memory. While
//! any executor is running on this thread through [`Executor::enter`],
//! destruction is deferred until the outermost entry returns, so code that
//! is on the stack (including an executor entered through another's side
//! exit, which holds no reference of its own) is never freed under its feet.
//!
//! Links are strong references, so a cycle of links keeps its executors
//! alive until one of them is invalidated or unlinked.
//!
//! Direct links: on x86-64, where an exit's `_EXIT_TRACE` stub starts with
//! an instruction of at least [`JUMP_LEN`] bytes, linking the exit also
//! overwrites the stub's first bytes with a `jmp` straight to the linked
//! code (through [`CodeMemory::patch`], W^X kept), so a linked hop costs
//! one jump instead of the template's load of `exit.executor` and validity
//! check. The link may enter its target at its side entry or at another
//! uop boundary the caller proved safe ([`Executor::link_exit_at`]).
//! Unlinking, for whatever reason (replacement, [`Executor::unlink_exit`],
//! invalidation of either end), restores the stub's original bytes before
//! the link's reference is dropped, so a stub never jumps to code that is
//! invalid or freed. The `exits` entry is kept as well, so the template's
//! own path stays right wherever the stub could not be patched.

use crate::jit::debug::Registration;
use crate::jit::error::JitError;
use crate::jit::memory::{Block, CodeMemory};
use cpjit_abi::layout::{self as abi, ExitData, Frame, ThreadState};
use std::cell::{Cell, RefCell};
use std::ptr::{self, NonNull};
use std::rc::Rc;

/// The trampoline's signature (C calling convention).
type EntryFn =
    unsafe extern "C" fn(*mut abi::Executor, *mut Frame, *mut u64, *mut ThreadState) -> i64;

/// The allocation behind an executor. `header` comes first so that a pointer
/// to the header is a pointer to the box.
#[repr(C)]
pub(crate) struct ExecutorBox {
    header: abi::Executor,
    block: Option<Block>,
    /// Keeps the code registered with debuggers; dropped before the block
    /// is freed.
    registration: Option<Registration>,
    /// `(offset, size)` of each piece of code from `jit_code`: the
    /// trampoline, each uop of the trace, the fatal-error guard.
    pieces: Box<[(usize, usize)]>,
    memory: Rc<RefCell<CodeMemory>>,
    /// Exits of other executors (or this one) linked to this executor.
    incoming: Vec<(NonNull<ExecutorBox>, u32)>,
    /// The exit stubs that can be patched into direct jumps, by exit index
    /// (an exit may have several stubs, e.g. one after boxing stubs; see
    /// the module documentation).
    sites: Box<[ExitSite]>,
    /// Set by [`Executor::detach`]: the embedder vouched that the code is
    /// not on the stack and can never be entered again, so destruction need
    /// not wait for the outermost entry to return.
    detached: bool,
}

thread_local! {
    /// Entries through [`Executor::enter`] currently on this thread's stack.
    static ACTIVE: Cell<usize> = const { Cell::new(0) };
    /// Executors whose count reached zero while code was running.
    static DEFERRED: RefCell<Vec<NonNull<ExecutorBox>>> = const { RefCell::new(Vec::new()) };
}

impl ExecutorBox {
    /// Allocates an executor holding one reference, not yet valid, with
    /// `exit_targets.len()` unlinked exits.
    pub(crate) fn allocate(
        memory: Rc<RefCell<CodeMemory>>,
        exit_targets: &[u32],
    ) -> NonNull<ExecutorBox> {
        let exits: Box<[ExitData]> = exit_targets
            .iter()
            .map(|&target| ExitData {
                target,
                temperature: 0,
                executor: ptr::null_mut(),
                entry: ptr::null(),
            })
            .collect();
        let exit_count = exits.len() as u32;
        let exits = Box::into_raw(exits) as *mut ExitData;
        let b = Box::new(ExecutorBox {
            header: abi::Executor {
                refcnt: 1,
                valid: 0,
                exit_count,
                jit_code: ptr::null(),
                jit_side_entry: ptr::null(),
                exits,
                vm_data: ptr::null_mut(),
            },
            block: None,
            registration: None,
            pieces: Box::default(),
            memory,
            incoming: Vec::new(),
            sites: Box::default(),
            detached: false,
        });
        // SAFETY: Box::into_raw never returns null.
        unsafe { NonNull::new_unchecked(Box::into_raw(b)) }
    }

    /// Installs the code block and entry points and makes the executor valid.
    ///
    /// # Safety
    /// `p` comes from [`ExecutorBox::allocate`] and is not shared yet.
    pub(crate) unsafe fn install(
        p: NonNull<ExecutorBox>,
        block: Block,
        code: *const u8,
        side_entry: usize,
        pieces: Box<[(usize, usize)]>,
        registration: Option<Registration>,
        sites: Box<[ExitSite]>,
    ) {
        let b = p.as_ptr();
        // SAFETY: guaranteed by the caller; side_entry lies inside the block.
        unsafe {
            (*b).header.jit_code = code;
            (*b).header.jit_side_entry = code.add(side_entry);
            (*b).header.valid = 1;
            (*b).block = Some(block);
            (*b).registration = registration;
            (*b).pieces = pieces;
            (*b).sites = sites;
        }
    }

    /// Frees an executor that never became visible (emission failed).
    ///
    /// # Safety
    /// `p` comes from [`ExecutorBox::allocate`], was never installed or shared.
    pub(crate) unsafe fn discard(p: NonNull<ExecutorBox>) {
        // SAFETY: guaranteed by the caller: we own both allocations.
        unsafe {
            let b = Box::from_raw(p.as_ptr());
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                b.header.exits,
                b.header.exit_count as usize,
            )));
        }
    }
}

/// Bytes of the `jmp rel32` a direct link writes over a stub's start.
pub(crate) const JUMP_LEN: usize = 5;

/// An exit stub that a link can patch into a direct jump.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExitSite {
    /// The exit's index.
    exit: u32,
    /// Offset of the stub's code from `jit_code`.
    offset: u32,
    /// The stub's first bytes as emitted, restored at unlink.
    original: [u8; JUMP_LEN],
    /// Whether the stub holds a direct jump now.
    patched: bool,
}

impl ExitSite {
    /// The stub of exit `exit` at `offset` from the executor's code, whose
    /// emitted code is `code`, if a direct jump may replace its first
    /// [`JUMP_LEN`] bytes: only on x86-64, and only when those bytes are
    /// one instruction (a `movabs`, 10 bytes, as `_EXIT_TRACE` starts by
    /// loading its executor's address), so no branch inside the stub lands
    /// in the middle of the jump.
    pub(crate) fn at(exit: u32, offset: usize, code: &[u8]) -> Option<ExitSite> {
        let movabs = code.len() >= 10 && (code[0] & 0xF8) == 0x48 && (code[1] & 0xF8) == 0xB8;
        if !cfg!(target_arch = "x86_64") || !movabs {
            return None;
        }
        let mut original = [0; JUMP_LEN];
        original.copy_from_slice(&code[..JUMP_LEN]);
        Some(ExitSite {
            exit,
            offset: u32::try_from(offset).ok()?,
            original,
            patched: false,
        })
    }
}

/// Points exit `i`'s stubs of `p` straight at `to`, or restores their
/// emitted bytes (`None`) where they were patched. Returns whether a stub
/// of the exit jumps directly now (a stub that cannot reach `to` with a
/// `jmp rel32` keeps the template's path, which is always right). A failed
/// restore aborts the process: the stub would otherwise jump to code whose
/// link reference is about to go.
unsafe fn patch_site(p: NonNull<ExecutorBox>, i: u32, to: Option<*const u8>) -> bool {
    // SAFETY: `p` is live; nothing else borrows it now (one thread).
    let b = unsafe { &mut *p.as_ptr() };
    let code = b.header.jit_code as usize;
    let Some(block) = b.block.as_ref() else {
        return false;
    };
    let mut any = false;
    for site in b.sites.iter_mut().filter(|s| s.exit == i) {
        let at = code + site.offset as usize;
        let bytes = match to {
            Some(t) => {
                let rel = (t as i64).wrapping_sub(at as i64 + JUMP_LEN as i64);
                let Ok(rel) = i32::try_from(rel) else {
                    continue;
                };
                let r = rel.to_le_bytes();
                [0xE9, r[0], r[1], r[2], r[3]]
            }
            None if site.patched => site.original,
            None => continue,
        };
        let done = match b.memory.try_borrow_mut() {
            Ok(mut m) => m.patch(block, site.offset as usize, &bytes).is_ok(),
            Err(_) => false,
        };
        if to.is_none() && !done {
            eprintln!("cpjit: fatal error: cannot restore an unlinked exit's code");
            std::process::abort();
        }
        site.patched = to.is_some() && done;
        any |= site.patched;
    }
    any
}

/// Adds a reference.
unsafe fn incref(p: NonNull<ExecutorBox>) {
    // SAFETY: the caller holds a reference, so `p` is live.
    unsafe { (*p.as_ptr()).header.refcnt += 1 };
}

/// Drops a reference, destroying (or deferring) at zero.
unsafe fn decref(p: NonNull<ExecutorBox>) {
    // SAFETY: the caller gives up a reference it held, so `p` is live.
    unsafe {
        let rc = ptr::addr_of_mut!((*p.as_ptr()).header.refcnt);
        *rc -= 1;
        if *rc <= 0 {
            release(p);
        }
    }
}

/// Called when the count reached zero: destroys now, or later if code may
/// be running or its context is in the middle of a compile.
unsafe fn release(p: NonNull<ExecutorBox>) {
    // SAFETY: `p` is live until destroyed.
    let (compiling, detached) = unsafe {
        (
            (*p.as_ptr()).memory.try_borrow_mut().is_err(),
            (*p.as_ptr()).detached,
        )
    };
    if (ACTIVE.with(Cell::get) > 0 && !detached) || compiling {
        DEFERRED.with(|d| d.borrow_mut().push(p));
    } else {
        // SAFETY: the count is zero and nothing runs: nobody can reach `p`.
        unsafe { destroy(p) };
    }
}

/// Destroys an executor nobody refers to.
unsafe fn destroy(p: NonNull<ExecutorBox>) {
    let b = p.as_ptr();
    // SAFETY: `p` is live and unreachable; unlinking releases the references
    // its exits hold (which may destroy other executors, never `p`: incoming
    // links hold references, so there are none left).
    unsafe {
        for i in 0..(*b).header.exit_count {
            unlink_raw(p, i, false);
        }
        let boxed = Box::from_raw(b);
        let ExecutorBox {
            header,
            block,
            memory,
            registration,
            ..
        } = *boxed;
        drop(registration);
        drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
            header.exits,
            header.exit_count as usize,
        )));
        if let Some(block) = block {
            // `release` deferred us while the memory was busy, so this
            // borrow succeeds; were it not to, the block would only leak.
            if let Ok(mut m) = memory.try_borrow_mut() {
                m.free(block);
            }
        }
    }
}

/// Destroys executors deferred while code was running, once none runs.
pub(crate) fn drain_deferred() {
    if ACTIVE.with(Cell::get) > 0 {
        return;
    }
    while let Some(p) = DEFERRED.with(|d| d.borrow_mut().pop()) {
        // SAFETY: deferred executors have a zero count and nothing runs now.
        unsafe { destroy(p) };
    }
}

/// Clears exit `i` of `p` if linked, releasing the link's reference;
/// first restores the exit's stub if `restore` (not needed when `p`'s code
/// is being freed).
unsafe fn unlink_raw(p: NonNull<ExecutorBox>, i: u32, restore: bool) {
    // SAFETY: `p` is live and `i` is within its exits.
    unsafe {
        if restore {
            patch_site(p, i, None);
        }
        let exit = (*p.as_ptr()).header.exits.add(i as usize);
        let target = (*exit).executor as *mut ExecutorBox;
        (*exit).executor = ptr::null_mut();
        (*exit).entry = ptr::null();
        (*exit).temperature = 0;
        if let Some(t) = NonNull::new(target) {
            let incoming = &mut (*t.as_ptr()).incoming;
            if let Some(k) = incoming.iter().position(|&(s, j)| s == p && j == i) {
                incoming.swap_remove(k);
            }
            decref(t);
        }
    }
}

/// What an exit looks like now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    /// Bytecode index the interpreter resumes at.
    pub target: u32,
    /// Times the exit was taken cold since it was last (un)linked.
    pub temperature: u32,
    /// The executor it is linked to, if any.
    pub linked: Option<*const abi::Executor>,
    /// Whether the link is a direct jump patched into the exit's stub
    /// (else the stub's code follows `linked` itself).
    pub direct: bool,
}

/// A reference to an executor (an installed trace). Cloning adds a
/// reference, dropping removes one; the code is freed when the last
/// reference (handles, trampoline activations, links) goes.
///
/// Not `Send`: executors, their context and the code they run are confined
/// to one thread.
pub struct Executor {
    ptr: NonNull<ExecutorBox>,
}

impl Executor {
    /// Wraps a freshly allocated executor, taking over its first reference.
    pub(crate) fn from_new(ptr: NonNull<ExecutorBox>) -> Self {
        Executor { ptr }
    }

    /// A new handle to an executor known by its header address (for example
    /// `ThreadState::exit_executor` after a [`cpjit_abi::layout::status::HOT_EXIT`]).
    ///
    /// # Safety
    /// `header` must point to a live executor made by a
    /// [`crate::jit::JitContext`] on this thread.
    pub unsafe fn from_raw(header: *mut abi::Executor) -> Option<Self> {
        let ptr = NonNull::new(header as *mut ExecutorBox)?;
        // SAFETY: guaranteed by the caller.
        unsafe { incref(ptr) };
        Some(Executor { ptr })
    }

    fn header(&self) -> *mut abi::Executor {
        self.ptr.as_ptr() as *mut abi::Executor
    }

    /// The header's address, as trampolines and exits see it.
    pub fn as_ptr(&self) -> *mut abi::Executor {
        self.header()
    }

    /// Whether the executor may still be entered and linked to.
    pub fn is_valid(&self) -> bool {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.header()).valid != 0 }
    }

    /// The current reference count.
    pub fn refcount(&self) -> isize {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.header()).refcnt }
    }

    /// Entry point for native callers (the trampoline, C convention).
    pub fn jit_code(&self) -> *const u8 {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.header()).jit_code }
    }

    /// Entry point for other traces' exits (just past the trampoline).
    pub fn jit_side_entry(&self) -> *const u8 {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.header()).jit_side_entry }
    }

    /// Bytes of code and data the executor occupies.
    pub fn code_size(&self) -> usize {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.ptr.as_ptr()).block.as_ref().map_or(0, Block::used) }
    }

    /// `(offset from [`Executor::jit_code`], size)` of each piece of the
    /// executor's code, in order: the trampoline, each uop of the trace, the
    /// fatal-error guard (as the emitter laid them out).
    pub fn code_pieces(&self) -> &[(usize, usize)] {
        // SAFETY: this handle keeps the executor alive; `pieces` is set once
        // at install and never changed afterwards.
        unsafe { &(*self.ptr.as_ptr()).pieces }
    }

    /// The executor's final machine code (after patching, where it runs):
    /// every piece of [`Executor::code_pieces`], or empty once freed.
    pub fn code_bytes(&self) -> &[u8] {
        let len = self.code_pieces().last().map_or(0, |(o, s)| o + s);
        let code = self.jit_code();
        if code.is_null() || len == 0 {
            return &[];
        }
        // SAFETY: the code block holds `len` bytes of code from `jit_code`,
        // mapped readable (read+execute) for as long as this handle keeps
        // the executor alive.
        unsafe { std::slice::from_raw_parts(code, len) }
    }

    /// The executor's whole block: its code ([`Executor::code_bytes`])
    /// followed by its patched data (e.g. the addresses of the helpers its
    /// stencils call), or empty once freed.
    pub fn block_bytes(&self) -> &[u8] {
        let len = self.code_size();
        let code = self.jit_code();
        if code.is_null() || len == 0 {
            return &[];
        }
        // SAFETY: the block starts at `jit_code` and holds `code_size()`
        // bytes, mapped readable (read+execute) for as long as this handle
        // keeps the executor alive.
        unsafe { std::slice::from_raw_parts(code, len) }
    }

    /// Whether the code is registered with the GDB JIT interface.
    pub fn is_registered_for_debugging(&self) -> bool {
        // SAFETY: this handle keeps the executor alive.
        unsafe {
            (*self.ptr.as_ptr())
                .registration
                .as_ref()
                .is_some_and(Registration::in_gdb)
        }
    }

    /// Number of exits.
    pub fn exit_count(&self) -> u32 {
        // SAFETY: this handle keeps the executor alive.
        unsafe { (*self.header()).exit_count }
    }

    fn check_exit(&self, index: u32) -> Result<(), JitError> {
        let count = self.exit_count();
        if index >= count {
            return Err(JitError::BadExitIndex { index, count });
        }
        Ok(())
    }

    /// The state of exit `index`.
    pub fn exit(&self, index: u32) -> Result<ExitInfo, JitError> {
        self.check_exit(index)?;
        // SAFETY: index checked; this handle keeps the executor alive.
        let e = unsafe { &*(*self.header()).exits.add(index as usize) };
        // SAFETY: this handle keeps the executor alive.
        let direct = unsafe { &(*self.ptr.as_ptr()).sites }
            .iter()
            .any(|s| s.exit == index && s.patched);
        Ok(ExitInfo {
            target: e.target,
            temperature: e.temperature,
            linked: (!e.executor.is_null()).then_some(e.executor as *const _),
            direct,
        })
    }

    /// Links exit `index` to `target`: from now on the exit tail-calls
    /// `target`'s side entry instead of returning to the interpreter. The link
    /// holds a reference to `target`. Replaces an earlier link.
    pub fn link_exit(&self, index: u32, target: &Executor) -> Result<(), JitError> {
        self.link_exit_at(index, target, None)
    }

    /// [`Executor::link_exit`], entering `target` at the code of its uop
    /// `entry` (an index into the trace it was compiled from, e.g. the head
    /// of its peeled loop) instead of its side entry (`None`). The exit's
    /// stubs are patched into a direct jump there; a stub that cannot be
    /// patched follows the exit's `entry` field (the template's path).
    /// The caller vouches that uop `entry` may run with the state the exit
    /// leaves (same frame and stack, the facts the code there assumes hold).
    pub fn link_exit_at(
        &self,
        index: u32,
        target: &Executor,
        entry: Option<u32>,
    ) -> Result<(), JitError> {
        self.check_exit(index)?;
        if !self.is_valid() || !target.is_valid() {
            return Err(JitError::Invalidated);
        }
        let to = match entry {
            Some(uop) => {
                // Pieces: the trampoline, then one per uop, then the guard.
                let pieces = target.code_pieces();
                let off = match pieces.get(uop as usize + 1) {
                    Some(&(off, _)) if (uop as usize) + 2 < pieces.len() => off,
                    _ => {
                        return Err(JitError::BadTarget {
                            index: index as usize,
                            target: uop,
                            len: pieces.len().saturating_sub(2),
                        })
                    }
                };
                // SAFETY: `off` starts a piece of the target's code block.
                unsafe { target.jit_code().add(off) }
            }
            None => target.jit_side_entry(),
        };
        // SAFETY: both handles keep their executors alive; index checked.
        // The link's reference is taken before the stub jumps to `target`.
        unsafe {
            unlink_raw(self.ptr, index, true);
            incref(target.ptr);
            (*target.ptr.as_ptr()).incoming.push((self.ptr, index));
            let exit = (*self.header()).exits.add(index as usize);
            // The template enters `entry` when the stub cannot be patched.
            (*exit).entry = to;
            (*exit).executor = target.header();
            patch_site(self.ptr, index, Some(to));
        }
        Ok(())
    }

    /// Unlinks exit `index`: it takes the cold path (counting, back to the
    /// interpreter) again.
    pub fn unlink_exit(&self, index: u32) -> Result<(), JitError> {
        self.check_exit(index)?;
        // SAFETY: index checked; this handle keeps the executor alive.
        unsafe { unlink_raw(self.ptr, index, true) };
        Ok(())
    }

    /// Invalidates the executor: it can no longer be entered or linked to,
    /// every exit linked to it is unlinked, and its own exits are unlinked.
    /// Code already running finishes normally; the memory is freed when the
    /// last reference goes.
    pub fn invalidate(&self) {
        // SAFETY: this handle keeps the executor alive throughout (the
        // references dropped here are the links', never this handle's).
        unsafe {
            let b = self.ptr.as_ptr();
            (*b).header.valid = 0;
            let incoming = std::mem::take(&mut (*b).incoming);
            for (src, i) in incoming {
                let exit = (*src.as_ptr()).header.exits.add(i as usize);
                if (*exit).executor == self.header() {
                    patch_site(src, i, None);
                    (*exit).executor = ptr::null_mut();
                    (*exit).temperature = 0;
                    decref(self.ptr);
                }
            }
            for i in 0..(*b).header.exit_count {
                unlink_raw(self.ptr, i, true);
            }
        }
    }

    /// Marks an invalidated executor as detached from the stack: the caller
    /// promises that none of its code is running on this thread (no entry,
    /// no side entry through a link, no helper it called still on the
    /// stack). It is then destroyed as soon as its last reference goes, even
    /// while other executors run, instead of when the outermost
    /// [`Executor::enter`] returns. Does nothing to a valid executor (it
    /// could still be entered).
    ///
    /// # Safety
    /// The executor's code must not be on this thread's stack.
    pub unsafe fn detach(&self) {
        if self.is_valid() {
            return;
        }
        // SAFETY: this handle keeps the box alive; only this thread uses it.
        unsafe { (*self.ptr.as_ptr()).detached = true };
    }

    /// Runs the executor: calls its trampoline with `frame`, the stack
    /// pointer `sp` and `tstate`, and returns the trace's status
    /// ([`cpjit_abi::layout::status`]). Executors freed while it runs are
    /// destroyed when the outermost entry returns.
    ///
    /// # Safety
    /// `frame`, `sp` and `tstate` must be what the trace's code expects: a
    /// live frame with room for the trace's stack, a stack pointer into it,
    /// and this thread's live thread state; runtime helpers in the symbol
    /// table must behave as the templates assume.
    #[inline(always)]
    pub unsafe fn enter(
        &self,
        frame: *mut Frame,
        sp: *mut u64,
        tstate: *mut ThreadState,
    ) -> Result<i64, JitError> {
        // SAFETY: this handle keeps the executor alive; the rest is the
        // caller's promise.
        unsafe { Self::enter_raw(self.header(), frame, sp, tstate) }
    }

    /// Like [`Executor::enter`], for an executor known only by its header
    /// address (as a VM's `ENTER_EXECUTOR` instruction may store it). The
    /// trampoline's own reference keeps the executor alive while it runs, even
    /// if every other reference goes meanwhile.
    ///
    /// # Safety
    /// As for [`Executor::enter`]; `executor` must be a live executor of this
    /// library on this thread when the call starts.
    #[inline(always)]
    pub unsafe fn enter_raw(
        executor: *mut abi::Executor,
        frame: *mut Frame,
        sp: *mut u64,
        tstate: *mut ThreadState,
    ) -> Result<i64, JitError> {
        // SAFETY: the caller promises `executor` is live.
        let (valid, code) = unsafe { ((*executor).valid, (*executor).jit_code) };
        if valid == 0 {
            return Err(JitError::Invalidated);
        }
        struct Active;
        impl Drop for Active {
            #[inline(always)]
            fn drop(&mut self) {
                let outermost = ACTIVE.with(|a| {
                    a.set(a.get() - 1);
                    a.get() == 0
                });
                // Most returns have nothing deferred: test before draining.
                if outermost && DEFERRED.with(|d| d.try_borrow().map_or(true, |v| !v.is_empty())) {
                    drain_deferred();
                }
            }
        }
        ACTIVE.with(|a| a.set(a.get() + 1));
        let _active = Active;
        // SAFETY: jit_code is the trampoline emitted for this executor, in
        // read+execute memory that the trampoline's reference keeps alive,
        // with the C signature `_ENTRY(executor, frame, sp, tstate) -> i64` of
        // the JIT contract; the arguments are the caller's responsibility.
        let status = unsafe {
            let entry: EntryFn = std::mem::transmute::<*const u8, EntryFn>(code);
            entry(executor, frame, sp, tstate)
        };
        Ok(status)
    }
}

impl Clone for Executor {
    fn clone(&self) -> Self {
        // SAFETY: this handle keeps the executor alive.
        unsafe { incref(self.ptr) };
        Executor { ptr: self.ptr }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        // SAFETY: this handle's reference is given up.
        unsafe { decref(self.ptr) };
    }
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("header", &self.header())
            .field("refcnt", &self.refcount())
            .field("valid", &self.is_valid())
            .field("code_size", &self.code_size())
            .finish()
    }
}

/// Releases the reference a trampoline parked in `tstate.previous_executor`
/// (the VM calls this when it leaves JIT code for good, e.g. at thread exit,
/// or to free an invalidated executor promptly).
///
/// # Safety
/// `tstate` must be a live thread state whose `previous_executor` is null or
/// an executor of this library on this thread.
pub unsafe fn release_previous_executor(tstate: *mut ThreadState) {
    // SAFETY: guaranteed by the caller; the parked reference is ours to drop.
    unsafe {
        let prev = (*tstate).previous_executor;
        (*tstate).previous_executor = ptr::null_mut();
        if let Some(p) = NonNull::new(prev as *mut ExecutorBox) {
            decref(p);
        }
    }
    drain_deferred();
}

/// Runtime helper called by trampolines when an executor's count reaches
/// zero (`cpjit_executor_dealloc` in the JIT contract).
///
/// # Safety
/// `executor` must be null or an executor of this library whose count just
/// reached zero.
pub unsafe extern "C" fn cpjit_executor_dealloc(executor: *mut abi::Executor) {
    if let Some(p) = NonNull::new(executor as *mut ExecutorBox) {
        // SAFETY: guaranteed by the caller (the trampoline).
        unsafe { release(p) };
    }
}

/// Default `cpjit_fatal_error`: the guard after every trace. Reaching it means
/// a trace fell off its end, a bug in the trace or the templates.
pub extern "C" fn cpjit_fatal_error() {
    eprintln!("cpjit: fatal error: a trace ran past its last uop");
    std::process::abort();
}
