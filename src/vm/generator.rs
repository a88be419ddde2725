//! Generators: a generator function's call makes a [`GenObj`] that owns the
//! call's frame, moved off the data stack into memory of its own; resuming
//! it runs that frame as the entry of a nested tier-1 dispatch loop
//! (`Vm::run`), whose `YIELD_VALUE` returns to the resumer with the frame
//! kept (and `RETURN_VALUE` or an escaping exception finishes it, releasing
//! its slots but not touching the data stack). Callees of a running
//! generator frame go on the data stack as usual. Tier 2 never traces
//! across a suspension: `YIELD_VALUE` and `SEND` end a trace
//! (`tier2::project`), so a trace recorded inside a generator frame runs
//! between two resumptions only.

use crate::abi::layout::Frame;
use crate::vm::error::{err, type_error, ExcKind, PyResult};
use crate::vm::interp::{Vm, FRAME_WORDS};
use crate::vm::obj::*;
use crate::vm::types::*;

pub use crate::vm::thread_vm::with_vm;

/// `item in g`: consumes `g` up to the first element equal to `item`.
pub fn contains(g: u64, item: u64) -> PyResult<bool> {
    with_vm(|vm| {
        while let Some(v) = vm.gen_next(g)? {
            if crate::vm::ops::eq(v.raw(), item)? {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

/// Runs a dying generator's `finally` (and `except`) blocks as CPython
/// does: a generator suspended inside a `try` is closed (`GeneratorExit`
/// at its `yield`) before it is freed; an error is reported as "Exception
/// ignored in" on stderr. Returns whether the generator was resurrected
/// (the code that ran kept a reference), in which case it must not be
/// freed now.
///
/// # Safety
/// `v` is a generator whose reference count just reached zero.
pub(crate) unsafe fn finalize(v: u64) -> bool {
    // SAFETY: the caller's contract.
    let go = unsafe { cast::<GenObj>(v) };
    if go.state.get() != GenState::Suspended {
        return false;
    }
    let f = go.frame_ptr();
    // SAFETY: a suspended generator's frame and code are valid.
    let covered = unsafe {
        let code = &*((*f).code as *const crate::vm::bytecode::Code);
        let at = (*f).instr.saturating_sub(1);
        code.handlers.iter().any(|h| h.0 <= at && at < h.1)
    };
    let vm = crate::vm::thread_vm::get();
    if !covered || vm.is_null() {
        return false;
    }
    let h = v as *mut crate::abi::layout::ObjHeader;
    // SAFETY: v is a live heap object (refcount 0, being freed); it lives
    // again while it closes. vm is the thread's live VM.
    unsafe {
        (*h).refcnt = 1;
        let vm = &mut *vm;
        if let Err(e) = vm.gen_close(v) {
            let what = crate::vm::text::repr(v).unwrap_or_default();
            vm.flush();
            eprintln!("Exception ignored in: {what}");
            if e.traceback.is_empty() {
                eprintln!("{}: {}", e.kind.name(), e.msg);
            } else {
                vm.print_exception(&e);
            }
        }
        (*h).refcnt -= 1;
        (*h).refcnt != 0
    }
}

/// What one resumption of a generator gave.
pub enum GenStep {
    /// It yielded this value.
    Yielded(Obj),
    /// It returned this value (or was already finished: `None`).
    Returned(Obj),
}

impl Vm {
    /// Moves the frame `f` just pushed on top of the data stack (arguments
    /// bound, cells made) into a new generator object and pops it from the
    /// data stack without releasing anything: its references move too.
    ///
    /// # Safety
    /// `f` is the top frame, of a generator code, not yet run.
    pub(crate) unsafe fn make_generator(&mut self, f: *mut Frame) -> Obj {
        // SAFETY: the caller's contract: a live frame of a live code.
        unsafe {
            let code = &*((*f).code as *const crate::vm::bytecode::Code);
            let nlp = (*f).nlocalsplus as usize;
            let len = FRAME_WORDS + code.entry.call.frame_words as usize;
            let words: Box<[u64]> = vec![0u64; len].into_boxed_slice();
            let p = Box::into_raw(words) as *mut u64;
            std::ptr::copy_nonoverlapping(f as *const u64, p, FRAME_WORDS + nlp);
            let g = p as *mut Frame;
            (*g).previous = std::ptr::null_mut();
            (*g).stack_pointer = (*g).localsplus.as_mut_ptr().add(nlp);
            // Pop `f` from the data stack; its references now live in `g`.
            self.ts.current_frame = (*f).previous;
            self.ts.recursion_remaining += 1;
            self.ts.data_top = f as *mut u64;
            let code_obj = Obj::new_ref(code.entry.call.code_obj.get());
            Obj::from_raw(box_obj(GenObj {
                ob: hdr(KIND_GEN),
                frame: p,
                frame_len: len,
                state: std::cell::Cell::new(GenState::Created),
                code: code_obj,
            }))
        }
    }

    /// Finishes the generator frame `f` (it returned or raised out of its
    /// dispatch loop): releases its slots and unlinks it from the frame
    /// chain. Its memory belongs to the generator object.
    ///
    /// # Safety
    /// `f` is the running generator frame, the top of the frame chain.
    pub(crate) unsafe fn finish_gen_frame(&mut self, f: *mut Frame) {
        // SAFETY: the caller's contract.
        unsafe {
            let lp = (*f).localsplus.as_mut_ptr();
            let mut p = lp;
            while p < (*f).stack_pointer {
                xdecref(std::mem::replace(&mut *p, 0));
                p = p.add(1);
            }
            (*f).stack_pointer = lp;
            xdecref(std::mem::replace(&mut (*f).func, 0));
            self.ts.current_frame = (*f).previous;
            (*f).previous = std::ptr::null_mut();
            self.ts.recursion_remaining += 1;
        }
    }

    /// Unlinks the generator frame `f` at a `yield` (its slots stay).
    ///
    /// # Safety
    /// `f` is the running generator frame, the top of the frame chain.
    pub(crate) unsafe fn suspend_gen_frame(&mut self, f: *mut Frame) {
        // SAFETY: the caller's contract.
        unsafe {
            self.ts.current_frame = (*f).previous;
            (*f).previous = std::ptr::null_mut();
            self.ts.recursion_remaining += 1;
        }
        self.gen_yielded = true;
    }

    /// Resumes the generator `g`, sending `sent` (the value of the `yield`
    /// it stopped at; must be `None` for a generator not started).
    pub fn gen_resume(&mut self, g: u64, sent: Obj) -> PyResult<GenStep> {
        // SAFETY: callers pass generator objects.
        let go = unsafe { cast::<GenObj>(g) };
        match go.state.get() {
            GenState::Running => {
                return Err(err(ExcKind::ValueError, "generator already executing"))
            }
            GenState::Done => return Ok(GenStep::Returned(Obj::none())),
            GenState::Created => {
                if sent.raw() != none_raw() {
                    return Err(type_error(
                        "can't send non-None value to a just-started generator",
                    ));
                }
                self.check_depth()?;
            }
            GenState::Suspended => {
                self.check_depth()?;
                let f = go.frame_ptr();
                // SAFETY: a suspended frame's stack has room for the value
                // its YIELD_VALUE popped.
                unsafe {
                    *(*f).stack_pointer = sent.into_raw();
                    (*f).stack_pointer = (*f).stack_pointer.add(1);
                }
            }
        }
        self.run_gen(g)
    }

    /// Runs the generator `g`'s frame, set up to continue (a sent value
    /// pushed, or an exception handler's target), until it yields, returns
    /// or raises.
    fn run_gen(&mut self, g: u64) -> PyResult<GenStep> {
        // SAFETY: callers pass generator objects.
        let go = unsafe { cast::<GenObj>(g) };
        let keep = Obj::new_ref(g);
        let f = go.frame_ptr();
        // SAFETY: the generator owns a valid frame; linking it on top of
        // the chain makes it the running frame.
        unsafe {
            (*f).previous = self.ts.current_frame;
        }
        self.ts.current_frame = f;
        self.ts.recursion_remaining -= 1;
        go.state.set(GenState::Running);
        let r = self.run(f);
        let yielded = std::mem::replace(&mut self.gen_yielded, false);
        let step = match r {
            Ok(v) if yielded => {
                go.state.set(GenState::Suspended);
                Ok(GenStep::Yielded(v))
            }
            Ok(v) => {
                go.state.set(GenState::Done);
                Ok(GenStep::Returned(v))
            }
            Err(mut e) => {
                go.state.set(GenState::Done);
                if e.kind == ExcKind::StopIteration {
                    // PEP 479.
                    e.kind = ExcKind::RuntimeError;
                    e.msg = "generator raised StopIteration".into();
                    e.value = None;
                }
                Err(e)
            }
        };
        drop(keep);
        step
    }

    /// The `RecursionError` a resumption at the recursion limit raises.
    fn check_depth(&self) -> PyResult<()> {
        if self.ts.recursion_remaining <= 0 {
            return Err(err(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        Ok(())
    }

    /// Raises `e` in the generator `g` at the `yield` it is stopped at
    /// (`close()` and the finalizer's `GeneratorExit`): a handler around
    /// that `yield` runs; without one the generator finishes and `e`
    /// propagates with the generator's line in its traceback.
    pub fn gen_throw(&mut self, g: u64, mut e: Box<crate::vm::error::PyErr>) -> PyResult<GenStep> {
        // SAFETY: callers pass generator objects.
        let go = unsafe { cast::<GenObj>(g) };
        match go.state.get() {
            GenState::Running => {
                return Err(err(ExcKind::ValueError, "generator already executing"))
            }
            GenState::Created | GenState::Done => {
                go.release_frame();
                go.state.set(GenState::Done);
                return Err(e);
            }
            GenState::Suspended => self.check_depth()?,
        }
        let f = go.frame_ptr();
        // SAFETY: a suspended generator's frame is valid; its code lives in
        // the code object the generator owns.
        unsafe {
            let code = &*((*f).code as *const crate::vm::bytecode::Code);
            let at = (*f).instr.saturating_sub(1);
            match code.handlers.iter().find(|h| h.0 <= at && at < h.1) {
                Some(&(_, _, target, depth)) => {
                    let base = (*f)
                        .localsplus
                        .as_mut_ptr()
                        .add(code.nlocalsplus() + depth as usize);
                    let mut sp = (*f).stack_pointer;
                    while sp > base {
                        sp = sp.sub(1);
                        xdecref(*sp);
                    }
                    let exc = crate::vm::builtins::err_to_exc(&e);
                    self.handling.push(exc.clone());
                    *sp = exc.into_raw();
                    (*f).stack_pointer = sp.add(1);
                    (*f).instr = target;
                    self.run_gen(g)
                }
                None => {
                    let line = code.lines.get(at as usize).copied().unwrap_or(0);
                    e.traceback
                        .push((code.filename.clone(), line, code.name.clone()));
                    go.release_frame();
                    go.state.set(GenState::Done);
                    Err(e)
                }
            }
        }
    }

    /// `g.close()`: `GeneratorExit` at its `yield`, so `finally` blocks
    /// run; a generator that yields again instead is a `RuntimeError`.
    pub fn gen_close(&mut self, g: u64) -> PyResult<()> {
        match self.gen_throw(g, err(ExcKind::GeneratorExit, "")) {
            Ok(GenStep::Returned(_)) => Ok(()),
            Ok(GenStep::Yielded(_)) => Err(err(
                ExcKind::RuntimeError,
                "generator ignored GeneratorExit",
            )),
            Err(e) if matches!(e.kind, ExcKind::GeneratorExit | ExcKind::StopIteration) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `next(g)` for a generator: `Ok(None)` when it is finished.
    pub fn gen_next(&mut self, g: u64) -> PyResult<Option<Obj>> {
        match self.gen_resume(g, Obj::none())? {
            GenStep::Yielded(v) => Ok(Some(v)),
            GenStep::Returned(_) => Ok(None),
        }
    }
}

/// The `StopIteration` a finished generator's return value `v` raises.
pub fn stop_iteration(v: Obj) -> Box<crate::vm::error::PyErr> {
    if v.raw() == none_raw() {
        return err(ExcKind::StopIteration, "");
    }
    crate::vm::builtins::exc_to_err(crate::vm::builtins::new_exc(
        ExcKind::StopIteration,
        vec![v],
    ))
}

/// Whether `v` is a generator object.
pub fn is_generator(v: u64) -> bool {
    kind_of(v) == KIND_GEN
}

/// What `send`, `__next__` and `throw` give for a resumption: the value
/// yielded, or the `StopIteration` of the value returned.
fn step_value(step: GenStep) -> PyResult<Obj> {
    match step {
        GenStep::Yielded(v) => Ok(v),
        GenStep::Returned(v) => Err(stop_iteration(v)),
    }
}

/// CPython's error for `__next__`/`__iter__` called with arguments.
fn no_args(args: &[u64]) -> PyResult<()> {
    if args.len() == 1 {
        return Ok(());
    }
    Err(type_error(format!(
        "expected 0 arguments, got {}",
        args.len().saturating_sub(1)
    )))
}

/// `g.send(v)`.
pub fn g_send(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "generator.send() takes exactly one argument ({} given)",
            args.len().saturating_sub(1)
        )));
    }
    step_value(vm.gen_resume(args[0], Obj::new_ref(args[1]))?)
}

/// `g.__iter__()`: the generator itself.
pub fn g_iter(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_args(args)?;
    Ok(Obj::new_ref(args[0]))
}

/// `g.__next__()`.
pub fn g_next(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_args(args)?;
    step_value(vm.gen_resume(args[0], Obj::none())?)
}

/// `g.throw(exc)`: `exc` (a class or an instance) raised at the `yield`
/// (the old `throw(type, value, tb)` form's extra arguments are ignored).
pub fn g_throw(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() < 2 {
        return Err(type_error("throw expected at least 1 argument, got 0"));
    }
    let e = crate::vm::builtins::make_raise(vm, Obj::new_ref(args[1]))?;
    step_value(vm.gen_throw(args[0], e)?)
}

/// `g.close()`.
pub fn g_close(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    vm.gen_close(args[0])?;
    Ok(Obj::none())
}
