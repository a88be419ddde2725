//! The tier-1 interpreter: frames on a contiguous data stack, one dispatch
//! loop per native entry (Python-to-Python calls stay in the same loop), and
//! CPython-style adaptive specialization of instructions in place.

use crate::abi::layout::{kind, Frame, ListObj, ObjHeader, ThreadState};
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::vm::bytecode::{binop, call_ex, cmp, encode, op, oparg, opcode, Cache, Code};
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{err, type_error, ExcKind, PyErr, PyResult};
use crate::vm::obj::*;
use crate::vm::ops;
use crate::vm::tier2::uop_interp::list_int_slot;
use crate::vm::types::*;
use std::io::Write;

/// Words in the per-thread frame data stack.
const DATA_STACK_WORDS: usize = 4 << 20;
/// Python call depth limit (CPython's default recursion limit).
pub const RECURSION_LIMIT: i32 = 1000;
/// Executions a de-specialized instruction waits before specializing again.
const BACKOFF: u32 = 53;

/// Words in a frame's header (before `localsplus`).
pub(crate) const FRAME_WORDS: usize = std::mem::size_of::<Frame>() / 8;

/// The interpreter state for one thread.
pub struct Vm {
    /// The shared thread state (JIT-visible).
    pub ts: Box<ThreadState>,
    /// The frame data stack's storage (never reallocated); its top and
    /// limit are `ts.data_top` and `ts.data_limit`, which JIT code moves too.
    data: Vec<u64>,
    /// The builtins dict.
    pub builtins: Obj,
    /// Methods of builtin types by (kind, name).
    pub methods: std::collections::HashMap<(u32, String), Obj>,
    /// Buffered standard output.
    pub out: Vec<u8>,
    /// Whether standard output is a terminal: then it is line-buffered, as
    /// CPython's is (else block-buffered).
    out_tty: bool,
    /// Standard error's buffer: line-buffered, as CPython's is (3.9+).
    err: Vec<u8>,
    /// Source lines of the main program, for tracebacks.
    pub source_lines: Vec<String>,
    kwnames: u64,
    /// The exception a tier-2 executor raised (set before it returns `ERROR`).
    pub pending_error: Option<Box<PyErr>>,
    /// Exceptions being handled (for bare `raise`).
    pub(crate) handling: Vec<Obj>,
    /// Set by `YIELD_VALUE` when it returns from a generator frame's
    /// dispatch loop (read and cleared by `gen_resume`).
    pub(crate) gen_yielded: bool,
}

/// A standard stream the program writes (`sys.stdout`, `sys.stderr`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

macro_rules! frame_locals {
    ($f:expr) => {
        (*$f).localsplus.as_mut_ptr()
    };
}

impl Vm {
    /// A new VM with builtins installed.
    pub fn new() -> Box<Vm> {
        let ts = Box::new(ThreadState {
            current_frame: std::ptr::null_mut(),
            previous_executor: std::ptr::null_mut(),
            exit_executor: std::ptr::null_mut(),
            exit_index: 0,
            recursion_remaining: RECURSION_LIMIT,
            side_exit_threshold: 16,
            vm_data: std::ptr::null_mut(),
            data_top: std::ptr::null_mut(),
            data_limit: std::ptr::null_mut(),
        });
        let mut vm = Box::new(Vm {
            ts,
            data: vec![0; DATA_STACK_WORDS],
            builtins: new_dict(),
            methods: Default::default(),
            out: Vec::with_capacity(1 << 16),
            out_tty: std::io::IsTerminal::is_terminal(&std::io::stdout()),
            err: Vec::new(),
            source_lines: Vec::new(),
            kwnames: 0,
            pending_error: None,
            handling: Vec::new(),
            gen_yielded: false,
        });
        let p: *mut Vm = &mut *vm;
        vm.ts.vm_data = p as *mut std::ffi::c_void;
        crate::vm::thread_vm::set(p);
        let data = vm.data.as_mut_ptr_range();
        vm.ts.data_top = data.start;
        vm.ts.data_limit = data.end;
        crate::vm::builtins::install(&mut vm);
        vm
    }

    /// Writes to the buffered stdout.
    pub fn write_out(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
        if self.out.len() > 1 << 16 || (self.out_tty && s.contains('\n')) {
            self.flush_out();
        }
    }

    /// Writes to stderr (line-buffered).
    pub fn write_err(&mut self, s: &str) {
        self.err.extend_from_slice(s.as_bytes());
        if s.contains('\n') {
            self.flush_err();
        }
    }

    /// Writes to `stream`.
    pub fn write_stream(&mut self, stream: Stream, s: &str) {
        match stream {
            Stream::Out => self.write_out(s),
            Stream::Err => self.write_err(s),
        }
    }

    /// Flushes `stream`'s buffer.
    pub fn flush_stream(&mut self, stream: Stream) {
        match stream {
            Stream::Out => self.flush_out(),
            Stream::Err => self.flush_err(),
        }
    }

    fn flush_out(&mut self) {
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(&self.out);
        let _ = so.flush();
        self.out.clear();
    }

    fn flush_err(&mut self) {
        if !self.err.is_empty() {
            let _ = std::io::stderr().lock().write_all(&self.err);
            self.err.clear();
        }
    }

    /// Flushes buffered stderr, then stdout (what CPython does before
    /// `input()` reads, and at exit).
    pub fn flush(&mut self) {
        self.flush_err();
        self.flush_out();
    }

    /// Runs a module code object with a fresh globals dict; returns the globals.
    pub fn run_module(&mut self, code: Obj, globals: &Obj) -> PyResult<()> {
        let g = globals.raw();
        // SAFETY: g is a dict.
        unsafe {
            dict_mut(g).set(new_str("__name__"), new_str("__main__"))?;
        }
        let frame = self.push_frame_raw(code.raw(), 0, g)?;
        let r = self.run(frame);
        drop(code);
        r.map(drop)
    }

    /// Takes the data-stack room of a frame with `words` words after its
    /// header and counts a call against the recursion limit; `None`, with
    /// nothing changed, when either is exhausted. (JIT templates do the
    /// same inline: `ThreadState::data_top`, `data_limit`,
    /// `recursion_remaining`.)
    #[inline(always)]
    fn take_frame(&mut self, words: usize) -> Option<*mut Frame> {
        let top = self.ts.data_top;
        let room = (self.ts.data_limit as usize - top as usize) / 8;
        if FRAME_WORDS + words > room || self.ts.recursion_remaining <= 0 {
            return None;
        }
        self.ts.recursion_remaining -= 1;
        // SAFETY: checked above: the frame ends inside `data`.
        self.ts.data_top = unsafe { top.add(FRAME_WORDS + words) };
        Some(top as *mut Frame)
    }

    fn push_frame_raw(&mut self, code: u64, func: u64, globals: u64) -> PyResult<*mut Frame> {
        // SAFETY: code is a CODE object.
        let c = unsafe { &cast::<CodeObj>(code).code };
        let nlp = c.nlocalsplus();
        let Some(f) = self.take_frame(c.entry.call.frame_words as usize) else {
            return Err(err(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        };
        // SAFETY: the frame's words are inside `data`, which never reallocates.
        unsafe {
            (*f).code = c as *const Code as *const std::ffi::c_void;
            (*f).func = func;
            (*f).globals = globals as *mut std::ffi::c_void;
            (*f).previous = self.ts.current_frame;
            (*f).instr = 0;
            (*f).nlocalsplus = nlp as u32;
            let lp = frame_locals!(f);
            for i in 0..nlp {
                *lp.add(i) = 0;
            }
            (*f).stack_pointer = lp.add(nlp);
            self.ts.current_frame = f;
            Ok(f)
        }
    }

    /// Releases the top frame's slots and pops it.
    #[inline(always)]
    unsafe fn pop_frame(&mut self, f: *mut Frame) {
        let lp = frame_locals!(f);
        let sp = (*f).stack_pointer;
        let mut p = lp;
        while p < sp {
            xdecref(*p);
            p = p.add(1);
        }
        xdecref((*f).func);
        self.ts.current_frame = (*f).previous;
        self.ts.recursion_remaining += 1;
        self.ts.data_top = f as *mut u64;
    }

    /// Binds arguments and pushes a frame for the Python function `func`:
    /// the one binding of every call that is not an exact positional call
    /// (CPython 3.11's `initialize_locals`, with its checks in its order and
    /// its messages). `args` are owned and consumed (also on error): the
    /// positional arguments, then the values of the keywords `kwnames` (a
    /// tuple of str, or 0).
    fn push_function_frame(
        &mut self,
        func: u64,
        args: &[u64],
        kwnames: u64,
    ) -> PyResult<*mut Frame> {
        // SAFETY: func is a FUNCTION object.
        let fo = unsafe { cast::<FuncObj>(func) };
        let code_raw = fo.code.raw();
        // SAFETY: code is a CODE object.
        let c = unsafe { &cast::<CodeObj>(code_raw).code };
        let names: &[u64] = if kwnames != 0 {
            tuple_items(kwnames)
        } else {
            &[]
        };
        let npos = args.len() - names.len();
        let f = match self.push_frame_raw(code_raw, func, fo.globals.raw()) {
            Ok(f) => f,
            Err(e) => {
                args.iter().for_each(|&a| decref(a));
                return Err(e);
            }
        };
        incref(func);
        // SAFETY: the frame has nlocalsplus slots, zeroed; every argument
        // moves into a slot, the `*args` tuple or the `**kwargs` dict, or is
        // released.
        let r = unsafe { self.bind_arguments(f, c, fo, &args[..npos], names, &args[npos..]) };
        match r {
            Ok(()) => {
                // SAFETY: f is the frame just pushed, its arguments bound.
                unsafe { self.init_cells(f, c, fo) };
                Ok(f)
            }
            Err(e) => {
                // SAFETY: f is the top frame.
                unsafe { self.pop_frame(f) };
                Err(e)
            }
        }
    }

    /// [`Self::push_function_frame`]'s binding into the fresh frame `f`.
    ///
    /// # Safety
    /// `f` is the frame just pushed for `fo` (code `c`), its slots zeroed;
    /// `pos` and `vals` are owned (consumed here, also on error).
    unsafe fn bind_arguments(
        &mut self,
        f: *mut Frame,
        c: &Code,
        fo: &FuncObj,
        pos: &[u64],
        names: &[u64],
        vals: &[u64],
    ) -> PyResult<()> {
        let lp = frame_locals!(f);
        let argc = c.argcount as usize;
        let total = argc + c.kwonlyargcount as usize;
        let npos = pos.len();
        let qual = &c.qualname;
        // SAFETY (all slot accesses): slots below `total` plus the `*args`
        // and `**kwargs` ones are inside the frame's locals.
        let kwdict = c.varkw.map(|slot| {
            let d = crate::vm::dict::new_dict();
            let raw = d.raw();
            unsafe { *lp.add(slot as usize) = d.into_raw() };
            raw
        });
        for (i, &a) in pos.iter().enumerate().take(argc) {
            unsafe { *lp.add(i) = a };
        }
        match c.varargs {
            Some(vs) => {
                let extra = pos.get(argc..).unwrap_or(&[]);
                let t = new_tuple(extra.iter().map(|&a| Obj::from_raw(a)).collect());
                unsafe { *lp.add(vs as usize) = t.into_raw() };
            }
            None => {
                // Released now; counted in the error below.
                pos.iter().skip(argc).for_each(|&a| decref(a));
            }
        }
        let posonly = c.posonlyargcount as usize;
        for (k, (&name, &v)) in names.iter().zip(vals).enumerate() {
            let key = ops::str_of(name);
            let err = match c.varnames[posonly..total].iter().position(|n| n == key) {
                Some(j) => {
                    let slot = unsafe { &mut *lp.add(posonly + j) };
                    if *slot == 0 {
                        *slot = v;
                        continue;
                    }
                    type_error(format!("{qual}() got multiple values for argument '{key}'"))
                }
                None => match kwdict {
                    Some(d) => {
                        // SAFETY: d is the frame's own new dict.
                        match unsafe { crate::vm::dict::dict_mut(d) }
                            .set(Obj::new_ref(name), Obj::from_raw(v))
                        {
                            Ok(()) => continue,
                            Err(e) => {
                                vals[k + 1..].iter().for_each(|&a| decref(a));
                                return Err(e);
                            }
                        }
                    }
                    None => {
                        let given: Vec<&str> = c.varnames[..posonly]
                            .iter()
                            .filter(|p| names.iter().any(|&n| ops::str_of(n) == p.as_str()))
                            .map(String::as_str)
                            .collect();
                        if given.is_empty() {
                            type_error(format!(
                                "{qual}() got an unexpected keyword argument '{key}'"
                            ))
                        } else {
                            type_error(format!(
                                "{qual}() got some positional-only arguments passed as keyword arguments: '{}'",
                                given.join(", ")
                            ))
                        }
                    }
                },
            };
            vals[k..].iter().for_each(|&a| decref(a));
            return Err(err);
        }
        if npos > argc && c.varargs.is_none() {
            let kwonly_given = (argc..total)
                .filter(|&i| unsafe { *lp.add(i) } != 0)
                .count();
            let nd = fo.defaults.len();
            let (takes, plural) = if nd > 0 {
                (format!("from {} to {}", argc - nd, argc), true)
            } else {
                (argc.to_string(), argc != 1)
            };
            let kwonly_sig = if kwonly_given > 0 {
                format!(
                    " positional argument{} (and {} keyword-only argument{})",
                    if npos != 1 { "s" } else { "" },
                    kwonly_given,
                    if kwonly_given != 1 { "s" } else { "" }
                )
            } else {
                String::new()
            };
            return Err(type_error(format!(
                "{qual}() takes {takes} positional argument{} but {npos}{kwonly_sig} {} given",
                if plural { "s" } else { "" },
                if npos == 1 && kwonly_given == 0 {
                    "was"
                } else {
                    "were"
                }
            )));
        }
        if npos < argc {
            let nd = fo.defaults.len();
            let m = argc - nd;
            let missing: Vec<usize> = (npos..m).filter(|&i| unsafe { *lp.add(i) } == 0).collect();
            if !missing.is_empty() {
                return Err(missing_arguments(qual, c, &missing, "positional"));
            }
            for (i, d) in fo.defaults.iter().enumerate().skip(npos.saturating_sub(m)) {
                let slot = unsafe { &mut *lp.add(m + i) };
                if *slot == 0 {
                    *slot = d.clone().into_raw();
                }
            }
        }
        if total > argc {
            let mut missing = Vec::new();
            for i in argc..total {
                let slot = unsafe { &mut *lp.add(i) };
                if *slot != 0 {
                    continue;
                }
                let def = fo.kwdefaults.as_ref().and_then(|d| {
                    // SAFETY: kwdefaults is a dict of str keys, not borrowed elsewhere.
                    unsafe { crate::vm::dict::dict_mut(d.raw()) }
                        .live()
                        .find(|e| ops::str_of(e.key) == c.varnames[i])
                        .map(|e| e.value)
                });
                match def {
                    Some(v) => {
                        incref(v);
                        *slot = v;
                    }
                    None => missing.push(i),
                }
            }
            if !missing.is_empty() {
                return Err(missing_arguments(qual, c, &missing, "keyword-only"));
            }
        }
        Ok(())
    }

    /// Creates cells and copies free variables into a new frame.
    #[inline]
    unsafe fn init_cells(&mut self, f: *mut Frame, c: &Code, fo: &FuncObj) {
        if c.cellvars.is_empty() && c.freevars.is_empty() {
            return;
        }
        let lp = frame_locals!(f);
        let nfast = c.varnames.len();
        for (i, a) in c.cell2arg.iter().enumerate() {
            let init = match a {
                Some(ai) => std::mem::replace(&mut *lp.add(*ai as usize), 0),
                None => 0,
            };
            *lp.add(nfast + i) = box_obj(CellObj {
                ob: hdr(KIND_CELL),
                value: init,
            });
        }
        if fo.closure != 0 {
            for (j, &cell) in tuple_items(fo.closure).iter().enumerate() {
                incref(cell);
                *lp.add(nfast + c.cellvars.len() + j) = cell;
            }
        }
    }

    /// Pushes the frame of a call to the Python function `callable` with
    /// exactly its `n` positional parameters (no keywords, no `self`; the
    /// caller checked), moving `callable` and the `n` owned arguments at
    /// `args` into it (and into cells where the code needs them); the new
    /// frame's caller is `caller`. `None`, with nothing moved, when the data
    /// stack or the recursion limit is exhausted. Tier 1's
    /// `CALL_PY_EXACT_ARGS`, and tier 2's frame pushes where the templates'
    /// inline push does not apply (`cpjit_push_frame`).
    ///
    /// # Safety
    /// `callable` is a function whose code takes exactly `n` positional
    /// parameters; `args` points at `n` owned values; `caller` is the top frame.
    #[inline(always)]
    pub(crate) unsafe fn push_exact_frame(
        &mut self,
        caller: *mut Frame,
        callable: u64,
        args: *const u64,
        n: usize,
    ) -> Option<*mut Frame> {
        // SAFETY: the caller's contract: a function and its code.
        let fo = unsafe { cast::<FuncObj>(callable) };
        let fc = unsafe { &cast::<CodeObj>(fo.code.raw()).code };
        let e = &fc.entry.call;
        let f = self.take_frame(e.frame_words as usize)?;
        let nlp = e.nlocalsplus as usize;
        // SAFETY: the new frame's words are inside `data`; the n arguments
        // move from the caller's stack into its locals.
        unsafe {
            (*f).code = fc as *const Code as *const std::ffi::c_void;
            (*f).func = callable;
            (*f).globals = fo.globals.raw() as *mut std::ffi::c_void;
            (*f).previous = caller;
            (*f).instr = 0;
            (*f).nlocalsplus = nlp as u32;
            let lp = frame_locals!(f);
            // Plain loops: a handful of words, not worth a memcpy call.
            for i in 0..n {
                *lp.add(i) = *args.add(i);
            }
            for i in n..nlp {
                *lp.add(i) = 0;
            }
            (*f).stack_pointer = lp.add(nlp);
            self.ts.current_frame = f;
            if e.cellvars != 0 || e.freevars != 0 {
                self.init_cells(f, fc, fo);
            }
            Some(f)
        }
    }

    /// Pops the top frame `f` after it returned the value on top of its
    /// stack `sp`, and pushes that value on its caller's stack; returns
    /// the caller. Tier 2's returns (`_POP_FRAME`, and `_CALL_EXECUTOR`'s
    /// after the callee's executor returned) where the templates' inline
    /// pop does not apply (`cpjit_pop_frame`).
    ///
    /// # Safety
    /// `f` is the top frame and has a caller frame; `sp` is its stack
    /// pointer, the return value on top.
    #[inline(always)]
    pub(crate) unsafe fn return_to_caller(&mut self, f: *mut Frame, sp: *mut u64) -> *mut Frame {
        // SAFETY: the caller's contract.
        unsafe {
            let sp = sp.sub(1);
            let rv = *sp;
            (*f).stack_pointer = sp;
            let prev = (*f).previous;
            self.pop_frame(f);
            let psp = (*prev).stack_pointer;
            *psp = rv;
            (*prev).stack_pointer = psp.add(1);
            prev
        }
    }

    /// Calls any callable with borrowed arguments (for builtins that call back).
    pub fn call_object(&mut self, f: u64, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
        match kind_of(f) {
            kind::FUNCTION => {
                let mut owned: Vec<u64> = args.to_vec();
                let kwt = match kw {
                    Some(k) => {
                        owned.extend_from_slice(k.vals);
                        Some(new_tuple(
                            k.names.iter().map(|&n| Obj::new_ref(n)).collect(),
                        ))
                    }
                    None => None,
                };
                owned.iter().for_each(|&a| incref(a));
                let frame = self.push_function_frame(
                    f,
                    &owned,
                    kwt.as_ref().map(|t| t.raw()).unwrap_or(0),
                )?;
                // SAFETY: frame was just pushed, a live frame of a live code.
                if unsafe { (*((*frame).code as *const Code)).is_generator } {
                    // SAFETY: as above; not run yet.
                    return Ok(unsafe { self.make_generator(frame) });
                }
                self.run(frame)
            }
            _ => self.call_nonpy(f, args, kw),
        }
    }

    /// Calls the Python function `f` with `selfv` then `args` (borrowed)
    /// when they are exactly its positional parameters and it is not a
    /// generator function (a class's `__init__`): the frame is pushed
    /// directly, without [`Self::call_object`]'s argument vector and
    /// general binding. `None` (nothing done) when `f` does not qualify.
    pub(crate) fn call_exact_with_self(
        &mut self,
        f: u64,
        selfv: u64,
        args: &[u64],
    ) -> Option<PyResult<Obj>> {
        if kind_of(f) != kind::FUNCTION {
            return None;
        }
        // SAFETY: kind checked; the code object outlives the function.
        let fo = unsafe { cast::<FuncObj>(f) };
        // SAFETY: a function's code is a code object.
        let fc = unsafe { &cast::<CodeObj>(fo.code.raw()).code };
        if fc.exact_argcount as usize != args.len() + 1 || fc.is_generator {
            return None;
        }
        incref(f);
        let nf = match self.push_frame_raw(fo.code.raw(), f, fo.globals.raw()) {
            Ok(nf) => nf,
            Err(e) => {
                decref(f);
                return Some(Err(e));
            }
        };
        // SAFETY: the new frame has at least `args.len() + 1` local slots
        // (its code's positional parameters); each gets a new reference.
        unsafe {
            let lp = frame_locals!(nf);
            incref(selfv);
            *lp = selfv;
            for (i, &a) in args.iter().enumerate() {
                incref(a);
                *lp.add(i + 1) = a;
            }
            self.init_cells(nf, fc, fo);
        }
        Some(self.run(nf))
    }

    /// `CALL_EX` (see [`call_ex`]): calls `callable` (with the receiver
    /// `selfv` first unless it is 0) with the positional arguments `l` and
    /// the keyword arguments of `kwargs` or `names` (when `arg` counts
    /// `KW_NAMES` values), all borrowed.
    fn call_ex(
        &mut self,
        callable: u64,
        selfv: u64,
        l: &Obj,
        arg: u32,
        kwargs: Option<&Obj>,
        names: impl FnOnce() -> (Vec<u64>, Vec<u64>),
    ) -> PyResult<Obj> {
        let star = if arg & call_ex::ITERABLE != 0 {
            star_items(self, l.raw(), Some((callable, selfv)))?
        } else {
            Vec::new()
        };
        let mut args: Vec<u64> = Vec::with_capacity(star.len() + 8);
        if selfv != 0 {
            args.push(selfv);
        }
        if arg & call_ex::ITERABLE != 0 {
            args.extend(star.iter().map(Obj::raw));
        } else {
            args.extend_from_slice(list_items(l.raw()));
        }
        let (names, vals) = match kwargs {
            Some(d) => keyword_items(d.raw())?,
            None if arg & call_ex::NAMES != 0 => names(),
            None => (Vec::new(), Vec::new()),
        };
        let kw = (!names.is_empty()).then_some(Kw {
            names: &names,
            vals: &vals,
        });
        self.call_object(callable, &args, kw)
    }

    /// Calls a builtin, bound method or type with borrowed arguments.
    fn call_nonpy(&mut self, f: u64, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
        match kind_of(f) {
            kind::BUILTIN => {
                // SAFETY: kind checked.
                let b = unsafe { cast::<BuiltinObj>(f) };
                (b.f)(self, args, kw)
            }
            KIND_BOUND => {
                // SAFETY: kind checked.
                let b = unsafe { cast::<BoundObj>(f) };
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(b.self_.raw());
                all.extend_from_slice(args);
                let func = b.func.clone();
                let _keep = b.self_.clone();
                self.call_nonpy(func.raw(), &all, kw)
            }
            KIND_TYPE => crate::vm::builtins::call_type(self, f, args, kw),
            KIND_CLASS => crate::vm::class::call_class(self, f, args, kw),
            KIND_INSTANCE => crate::vm::class::call_instance(self, f, args, kw),
            kind::FUNCTION => self.call_object(f, args, kw),
            _ => Err(type_error(format!(
                "'{}' object is not callable",
                ops::type_name(f)
            ))),
        }
    }

    fn lookup_method(&self, recv: u64, name: u64) -> Option<&Obj> {
        let k = match kind_of(recv) {
            KIND_SMALLINT => kind::BIGINT,
            k => k,
        };
        self.methods.get(&(k, ops::str_of(name).to_string()))
    }

    /// A `with` statement's start for the context manager `m`: its bound
    /// `__exit__` (looked up first, as CPython does, but checked after
    /// `__enter__`) and `__enter__()`'s result.
    #[inline(never)]
    fn before_with(&mut self, m: u64) -> PyResult<(Obj, Obj)> {
        let no_protocol = |missed: &str| {
            crate::vm::error::type_error(format!(
                "'{}' object does not support the context manager protocol{missed}",
                ops::type_name(m)
            ))
        };
        let enter = crate::vm::class::special_method(self, m, "__enter__")
            .ok_or_else(|| no_protocol(""))??;
        let exit = crate::vm::class::special_method(self, m, "__exit__")
            .ok_or_else(|| no_protocol(" (missed __exit__ method)"))??;
        let res = self.call_object(enter.raw(), &[], None)?;
        Ok((exit, res))
    }

    /// `UNPACK_EX`'s values for `v`, in push order (`arg & 0xff` targets
    /// before the starred one, `arg >> 8` after it).
    #[inline(never)]
    fn unpack_ex(&mut self, v: u64, arg: u32) -> PyResult<Vec<u64>> {
        let (before, after) = ((arg & 0xff) as usize, (arg >> 8) as usize);
        if crate::vm::iter::get_iter(v).is_err() {
            return Err(crate::vm::error::type_error(format!(
                "cannot unpack non-iterable {} object",
                ops::type_name(v)
            )));
        }
        let mut items = crate::vm::iter::collect_vm(self, v)?;
        if items.len() < before + after {
            return Err(crate::vm::error::value_error(format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            )));
        }
        let tail = items.split_off(items.len() - after);
        let mid = items.split_off(before);
        let mut out: Vec<u64> = tail.into_iter().rev().map(Obj::into_raw).collect();
        out.push(new_list(mid).into_raw());
        out.extend(items.into_iter().rev().map(Obj::into_raw));
        Ok(out)
    }

    /// `recv.name` (and `getattr`): a module's attribute, a user class's or
    /// instance's attribute, a deque's `maxlen` or a defaultdict's
    /// `default_factory` ([`crate::vm::class::getattr`]), an exception's
    /// ([`crate::vm::class::exc_getattr`]), a builtin type's method bound to
    /// `recv`, or a special attribute
    /// ([`special_attr`](crate::vm::builtins::special_attr)).
    pub fn get_attr(&mut self, recv: u64, name: u64) -> PyResult<Obj> {
        if kind_of(recv) == KIND_MODULE {
            return crate::vm::modules::getattr(recv, name);
        }
        if let Some(r) = crate::vm::class::getattr(self, recv, name) {
            return r;
        }
        if kind_of(recv) == KIND_EXC {
            if let Some(r) = crate::vm::class::exc_getattr(self, recv, name) {
                return r;
            }
        }
        if let Some(m) = self.lookup_method(recv, name) {
            return Ok(Obj::from_raw(box_obj(BoundObj {
                ob: hdr(KIND_BOUND),
                func: m.clone(),
                self_: Obj::new_ref(recv),
            })));
        }
        let text = ops::str_of(name);
        crate::vm::builtins::special_attr(recv, text)
            .or_else(|| crate::vm::modules::collections::attr(recv, text))
            .ok_or_else(|| Self::attr_error(recv, name))
    }

    /// `recv.name = v` (and `setattr`): a user class's or instance's
    /// attribute ([`crate::vm::class::setattr`]) or a module's.
    pub fn set_attr(&mut self, recv: u64, name: u64, v: Obj) -> PyResult<()> {
        if kind_of(recv) == KIND_MODULE {
            // SAFETY: kind checked; a module's attributes are a dict.
            let d = unsafe { cast::<crate::vm::modules::ModuleObj>(recv) }
                .dict
                .raw();
            // SAFETY: d is a dict.
            return unsafe { dict_mut(d) }.set(Obj::new_ref(name), v);
        }
        match crate::vm::class::setattr(self, recv, name, v) {
            Some(r) => r,
            None => Err(Self::attr_error(recv, name)),
        }
    }

    fn attr_error(recv: u64, name: u64) -> Box<PyErr> {
        if kind_of(recv) == KIND_TYPE {
            // SAFETY: kind checked.
            let id = unsafe { cast::<TypeObj>(recv) }.id;
            return err(
                ExcKind::AttributeError,
                format!(
                    "type object '{}' has no attribute '{}'",
                    crate::vm::builtins::type_id_name(id),
                    ops::str_of(name)
                ),
            );
        }
        err(
            ExcKind::AttributeError,
            format!(
                "'{}' object has no attribute '{}'",
                ops::type_name(recv),
                ops::str_of(name)
            ),
        )
    }

    /// Runs frames starting at `entry` until `entry` returns.
    pub fn run(&mut self, entry: *mut Frame) -> PyResult<Obj> {
        self.run_impl::<false>(entry)
    }

    /// Runs exactly one instruction of `frame` (at `frame.instr`, with the
    /// stack at `frame.stack_pointer`), including any Python calls it makes,
    /// and saves the frame's position and stack pointer after it. An error
    /// leaves `frame` in place with `frame.instr` one past the failing
    /// instruction (the caller unwinds). Tier 2's generic helper.
    pub fn step(&mut self, frame: *mut Frame) -> Result<(), Box<PyErr>> {
        self.run_impl::<true>(frame).map(drop)
    }

    /// The dispatch loop; `STEP` stops after one instruction of `entry`.
    #[allow(clippy::cognitive_complexity)]
    fn run_impl<const STEP: bool>(&mut self, entry: *mut Frame) -> PyResult<Obj> {
        let mut frame = entry;
        let mut code: &Code;
        let mut instrs: *mut u32;
        let mut caches: *mut Cache;
        let mut ip: *mut u32;
        let mut sp: *mut u64;
        let mut lp: *mut u64;

        macro_rules! load_frame {
            () => {
                // SAFETY: frame is a live frame whose code outlives it.
                unsafe {
                    code = &*((*frame).code as *const Code);
                    instrs = (*code.instrs.get()).as_mut_ptr();
                    caches = (*code.caches.get()).as_mut_ptr();
                    ip = instrs.add((*frame).instr as usize);
                    sp = (*frame).stack_pointer;
                    lp = frame_locals!(frame);
                }
            };
        }
        macro_rules! save_frame {
            () => {
                // SAFETY: frame is live.
                unsafe {
                    (*frame).instr = ip.offset_from(instrs) as u32;
                    (*frame).stack_pointer = sp;
                }
            };
        }
        load_frame!();
        let step_start = ip;

        'outer: loop {
            macro_rules! push {
                ($v:expr) => {{
                    let v: u64 = $v;
                    // SAFETY: stack depth is bounded by code.stacksize.
                    unsafe {
                        *sp = v;
                        sp = sp.add(1);
                    }
                }};
            }
            macro_rules! pop {
                () => {{
                    // SAFETY: the compiler's stack discipline guarantees an item.
                    unsafe {
                        sp = sp.sub(1);
                        *sp
                    }
                }};
            }
            macro_rules! top {
                () => {
                    // SAFETY: as pop.
                    unsafe { *sp.sub(1) }
                };
            }
            macro_rules! peek {
                ($n:expr) => {
                    // SAFETY: as pop.
                    unsafe { *sp.sub($n) }
                };
            }
            macro_rules! set_top {
                ($v:expr) => {
                    // SAFETY: as pop.
                    unsafe { *sp.sub(1) = $v }
                };
            }
            macro_rules! here {
                () => {
                    // SAFETY: ip is one past the current instruction, inside `instrs`.
                    unsafe { ip.offset_from(instrs) as usize - 1 }
                };
            }
            macro_rules! rewrite {
                ($at:expr, $op:expr) => {{
                    let at: usize = $at;
                    // SAFETY: at < instrs.len().
                    unsafe {
                        let w = *instrs.add(at);
                        *instrs.add(at) = encode($op, oparg(w));
                    }
                }};
            }
            macro_rules! cache {
                ($at:expr) => {{
                    let at: usize = $at;
                    // SAFETY: caches has one entry per instruction.
                    unsafe { &mut *caches.add(at) }
                }};
            }
            let error: Box<PyErr> = 'dispatch: loop {
                if STEP && frame == entry && ip != step_start {
                    save_frame!();
                    return Ok(Obj::none());
                }
                macro_rules! tri {
                    ($e:expr) => {
                        match $e {
                            Ok(v) => v,
                            Err(e) => break 'dispatch e,
                        }
                    };
                }
                // The end of a small-int arm: the fast result `r`
                // (`Option<i64>`) if it fits a small int, else the generic
                // operation `arg` on `a` and `b`; pops one and sets the top.
                macro_rules! small_int_result {
                    ($r:expr, $a:expr, $b:expr, $arg:expr) => {
                        match $r.and_then(encode_small_int) {
                            Some(v) => {
                                sp = unsafe { sp.sub(1) };
                                set_top!(v);
                            }
                            None => {
                                let r = tri!(ops::binary_op($a, $b, $arg));
                                sp = unsafe { sp.sub(1) };
                                set_top!(r.into_raw());
                            }
                        }
                    };
                }
                macro_rules! deopt {
                    ($generic:expr) => {{
                        rewrite!(here!(), $generic);
                        cache!(here!()).counter = BACKOFF;
                        // SAFETY: back to the current instruction.
                        ip = unsafe { ip.sub(1) };
                        continue 'dispatch;
                    }};
                }
                // Pushes the two values a load pair read (`a` under `b`,
                // borrowed from locals or constants) with `ip` at the next
                // instruction; or, when that instruction consumes both and
                // its fast path applies, runs it without the pushes, the
                // increfs and decrefs, or a dispatch (a dynamic
                // super-instruction). Anything else (a guard that fails, an
                // error, a single step) takes the plain pushes, and the next
                // instruction runs as it would have.
                macro_rules! push_pair {
                    ($a:expr, $b:expr) => {{
                        let (a, b): (u64, u64) = ($a, $b);
                        'plain: {
                            if STEP {
                                break 'plain;
                            }
                            // SAFETY: a load pair never ends a code object.
                            let w3 = unsafe { *ip };
                            match opcode(w3) {
                                op::BINARY_SUBSCR_LIST_INT | op::STORE_SUBSCR_LIST_INT => {
                                    // SAFETY: `a` and `b` are live values.
 let Some(item) = (unsafe { list_int_slot(a, b) }) else {
                                        break 'plain;
                                    };
                                    // SAFETY: a live item slot of the list `a`.
                                    let item = unsafe { &mut *item };
                                    // SAFETY: past the subscript, which is not the last instruction.
                                    ip = unsafe { ip.add(1) };
                                    if opcode(w3) == op::STORE_SUBSCR_LIST_INT {
                                        let old = std::mem::replace(item, pop!());
                                        decref(old);
                                        continue 'dispatch;
                                    }
                                    let v = *item;
                                    incref(v);
                                    // What takes the item may be fused too: a store
                                    // (`k = perm[0]`) or the swap of a swap
                                    // assignment (`a[i], a[j] = a[j], a[i]`).
                                    // SAFETY: the subscript is not the last instruction.
                                    let w4 = unsafe { *ip };
                                    if w4 == encode(op::SWAP, 2) {
                                        let t = top!();
                                        set_top!(v);
                                        push!(t);
                                    } else if opcode(w4) == op::STORE_FAST {
                                        // SAFETY: arg < nlocalsplus.
                                        let old = unsafe {
                                            std::mem::replace(&mut *lp.add(oparg(w4) as usize), v)
                                        };
                                        xdecref(old);
                                    } else {
                                        push!(v);
                                        continue 'dispatch;
                                    }
                                    // SAFETY: past the swap or store, not the last instruction.
                                    ip = unsafe { ip.add(1) };
                                    continue 'dispatch;
                                }
                                op::BINARY_OP_ADD_FLOAT
                                | op::BINARY_OP_SUBTRACT_FLOAT
                                | op::BINARY_OP_MULTIPLY_FLOAT
                                | op::BINARY_OP_TRUE_DIVIDE_FLOAT => {
                                    if kind_of(a) != kind::FLOAT || kind_of(b) != kind::FLOAT {
                                        break 'plain;
                                    }
                                    let (x, y) = (float_val(a), float_val(b));
                                    let r = match opcode(w3) {
                                        op::BINARY_OP_ADD_FLOAT => x + y,
                                        op::BINARY_OP_SUBTRACT_FLOAT => x - y,
                                        op::BINARY_OP_MULTIPLY_FLOAT => x * y,
                                        _ => {
                                            if y == 0.0 {
                                                break 'plain;
                                            }
                                            x / y
                                        }
                                    };
                                    push!(new_float(r));
                                    // SAFETY: past the operation, not the last instruction.
                                    ip = unsafe { ip.add(1) };
                                    continue 'dispatch;
                                }
                                // `l[k] op= v` reads the item with both kept for the store.
                                op::COPY => {
                                    // SAFETY: two COPYs and a subscript follow when the
                                    // first is COPY 2 (checked in order).
                                    if w3 != encode(op::COPY, 2)
                                        || unsafe { *ip.add(1) } != encode(op::COPY, 2)
                                        || opcode(unsafe { *ip.add(2) }) != op::BINARY_SUBSCR_LIST_INT
                                    {
                                        break 'plain;
                                    }
                                    // SAFETY: `a` and `b` are live values.
 let Some(item) = (unsafe { list_int_slot(a, b) }) else {
                                        break 'plain;
                                    };
                                    // SAFETY: a live item slot of the list `a`.
                                    let v = unsafe { *item };
                                    incref(a);
                                    push!(a);
                                    push!(b);
                                    incref(v);
                                    push!(v);
                                    // SAFETY: past the subscript, not the last instruction.
                                    ip = unsafe { ip.add(3) };
                                    continue 'dispatch;
                                }
                                op::COMPARE_OP_INT_JUMP => {
                                    if a & b & 1 == 0 {
                                        break 'plain;
                                    }
                                    // Tagged small ints compare like their values.
                                    let r = int_cmp_result(a as i64, b as i64, oparg(w3));
                                    // SAFETY: the conditional jump follows the compare.
                                    let j = unsafe { *ip.add(1) };
                                    // SAFETY: past the jump, which is not the last instruction.
                                    ip = unsafe { ip.add(2) };
                                    let taken = r == (opcode(j) == op::POP_JUMP_IF_TRUE);
                                    // The jump's branch history, as COMPARE_OP_INT_JUMP keeps it.
                                    let c = cache!(here!());
                                    c.index = (c.index << 1) | taken as u32;
                                    if taken {
                                        // SAFETY: jump targets are inside the code.
                                        ip = unsafe { instrs.add(oparg(j) as usize) };
                                    }
                                    continue 'dispatch;
                                }
                                op::BINARY_OP_ADD_INT
                                | op::BINARY_OP_SUBTRACT_INT
                                | op::BINARY_OP_MULTIPLY_INT => {
                                    if a & b & 1 == 0 {
                                        break 'plain;
                                    }
                                    let (x, y) = (decode_small_int(a), decode_small_int(b));
                                    let r = match opcode(w3) {
                                        op::BINARY_OP_ADD_INT => x.checked_add(y),
                                        op::BINARY_OP_SUBTRACT_INT => x.checked_sub(y),
                                        _ => x.checked_mul(y),
                                    };
                                    let Some(r) = r.and_then(encode_small_int) else {
                                        break 'plain;
                                    };
                                    // SAFETY: the operation is not the last instruction.
                                    let w4 = unsafe { *ip.add(1) };
                                    // A store of the result (`i += 1`) is fused too; the
                                    // second half of a store pair then runs on its own.
                                    if matches!(
                                        opcode(w4),
                                        op::STORE_FAST
                                            | op::STORE_FAST__LOAD_FAST
                                            | op::STORE_FAST__STORE_FAST
                                    ) {
                                        // SAFETY: arg < nlocalsplus.
                                        let old = unsafe {
                                            std::mem::replace(&mut *lp.add(oparg(w4) as usize), r)
                                        };
                                        xdecref(old);
                                        // SAFETY: past the store, which is not the last instruction.
                                        ip = unsafe { ip.add(2) };
                                        // The back edge of a loop that ends in `i += 1`,
                                        // while it has not counted to tier 2's threshold.
                                        // SAFETY: the store is not the last instruction.
                                        let w5 = unsafe { *ip };
                                        if opcode(w5) == op::JUMP_BACKWARD {
                                            // SAFETY: ip is inside the code.
                                            let c = cache!(unsafe { ip.offset_from(instrs) } as usize);
                                            if c.counter
                                                < crate::vm::tier2::backedge_threshold().saturating_sub(1)
                                            {
                                                c.counter += 1;
                                                // SAFETY: jump targets are inside the code.
                                                ip = unsafe { instrs.add(oparg(w5) as usize) };
                                            }
                                        }
                                    } else {
                                        push!(r);
                                        // SAFETY: past the operation.
                                        ip = unsafe { ip.add(1) };
                                    }
                                    continue 'dispatch;
                                }
                                _ => {}
                            }
                        }
                        incref(a);
                        push!(a);
                        incref(b);
                        push!(b);
                    }};
                }
                // SAFETY: ip < instrs.len(): every code object ends in RETURN_VALUE.
                let w = unsafe { *ip };
                // SAFETY: as above.
                ip = unsafe { ip.add(1) };
                let arg = oparg(w);
                match opcode(w) {
                    op::NOP => {}
                    op::LOAD_FAST => {
                        // SAFETY: arg < nlocalsplus.
                        let v = unsafe { *lp.add(arg as usize) };
                        if v == 0 {
                            break 'dispatch err(
                                ExcKind::UnboundLocalError,
                                format!(
                                    "cannot access local variable '{}' where it is not associated with a value",
                                    code.varnames[arg as usize]
                                ),
                            );
                        }
                        incref(v);
                        push!(v);
                    }
                    op::LOAD_FAST_CHECK => {}
                    op::LOAD_FAST__LOAD_FAST | op::LOAD_FAST__LOAD_CONST => {
                        // SAFETY: arg < nlocalsplus.
                        let v = unsafe { *lp.add(arg as usize) };
                        if v == 0 {
                            break 'dispatch unbound_local(code, arg);
                        }
                        // SAFETY: the pair's second instruction follows.
                        let w2 = unsafe { *ip };
                        // SAFETY: the pair's second instruction exists.
                        ip = unsafe { ip.add(1) };
                        let v2 = if opcode(w) == op::LOAD_FAST__LOAD_FAST {
                            // SAFETY: arg < nlocalsplus.
                            let v2 = unsafe { *lp.add(oparg(w2) as usize) };
                            if v2 == 0 {
                                // The first load happened.
                                incref(v);
                                push!(v);
                                break 'dispatch unbound_local(code, oparg(w2));
                            }
                            v2
                        } else {
                            // SAFETY: the compiler only emits valid constant indices.
                            unsafe { code.consts.get_unchecked(oparg(w2) as usize) }.raw()
                        };
                        push_pair!(v, v2);
                    }
                    op::LOAD_CONST__LOAD_FAST => {
                        // SAFETY: the compiler only emits valid constant indices.
                        let c = unsafe { code.consts.get_unchecked(arg as usize) }.raw();
                        // SAFETY: the pair's second instruction follows.
                        let w2 = unsafe { *ip };
                        // SAFETY: the pair's second instruction exists.
                        ip = unsafe { ip.add(1) };
                        // SAFETY: arg < nlocalsplus.
                        let v = unsafe { *lp.add(oparg(w2) as usize) };
                        if v == 0 {
                            // The first load happened.
                            incref(c);
                            push!(c);
                            break 'dispatch unbound_local(code, oparg(w2));
                        }
                        push_pair!(c, v);
                    }
                    op::STORE_FAST__LOAD_FAST | op::STORE_FAST__STORE_FAST => {
                        let v = pop!();
                        // SAFETY: arg < nlocalsplus.
                        let old = unsafe { std::mem::replace(&mut *lp.add(arg as usize), v) };
                        xdecref(old);
                        // SAFETY: the pair's second instruction follows.
                        let w2 = unsafe { *ip };
                        // SAFETY: the pair's second instruction exists.
                        ip = unsafe { ip.add(1) };
                        let a2 = oparg(w2) as usize;
                        if opcode(w) == op::STORE_FAST__STORE_FAST {
                            let v = pop!();
                            // SAFETY: a2 < nlocalsplus.
                            let old = unsafe { std::mem::replace(&mut *lp.add(a2), v) };
                            xdecref(old);
                        } else {
                            // SAFETY: a2 < nlocalsplus.
                            let v = unsafe { *lp.add(a2) };
                            if v == 0 {
                                break 'dispatch unbound_local(code, oparg(w2));
                            }
                            incref(v);
                            push!(v);
                        }
                    }
                    op::STORE_FAST => {
                        let v = pop!();
                        // SAFETY: arg < nlocalsplus.
                        let old = unsafe { std::mem::replace(&mut *lp.add(arg as usize), v) };
                        xdecref(old);
                    }
                    op::DELETE_FAST => {
                        // SAFETY: arg < nlocalsplus.
                        let old = unsafe { std::mem::replace(&mut *lp.add(arg as usize), 0) };
                        if old == 0 {
                            break 'dispatch err(
                                ExcKind::UnboundLocalError,
                                format!(
                                    "cannot access local variable '{}' where it is not associated with a value",
                                    code.varnames[arg as usize]
                                ),
                            );
                        }
                        decref(old);
                    }
                    op::LOAD_CONST => {
                        // SAFETY: the compiler only emits valid constant indices.
                        let v = unsafe { code.consts.get_unchecked(arg as usize) }.raw();
                        incref(v);
                        push!(v);
                    }
                    op::LOAD_GLOBAL => {
                        // SAFETY: frame.globals is a dict object.
                        let g = unsafe { (*frame).globals as u64 };
                        let name = code.names[arg as usize].raw();
                        let gd = unsafe { dict_mut(g) };
                        let c = cache!(here!());
                        match gd.lookup_pos(name) {
                            Ok(Some(pos)) => {
                                let v = gd.entries()[pos].value;
                                incref(v);
                                push!(v);
                                if c.counter == 0 {
                                    c.version = gd.keys_version;
                                    c.index = pos as u32;
                                    rewrite!(here!(), op::LOAD_GLOBAL_MODULE);
                                } else {
                                    c.counter -= 1;
                                }
                            }
                            _ => {
                                // SAFETY: builtins is a dict.
                                let bd = unsafe { dict_mut(self.builtins.raw()) };
                                match bd.lookup_pos(name) {
                                    Ok(Some(pos)) => {
                                        let v = bd.entries()[pos].value;
                                        incref(v);
                                        push!(v);
                                        if c.counter == 0 {
                                            c.version = gd.keys_version;
                                            c.index = pos as u32;
                                            rewrite!(here!(), op::LOAD_GLOBAL_BUILTIN);
                                        } else {
                                            c.counter -= 1;
                                        }
                                    }
                                    _ => {
                                        break 'dispatch err(
                                            ExcKind::NameError,
                                            format!("name '{}' is not defined", ops::str_of(name)),
                                        )
                                    }
                                }
                            }
                        }
                    }
                    op::LOAD_GLOBAL_MODULE => {
                        // SAFETY: frame.globals is a dict object.
                        let gd = unsafe { dict_mut((*frame).globals as u64) };
                        let c = cache!(here!());
                        if gd.keys_version != c.version {
                            deopt!(op::LOAD_GLOBAL);
                        }
                        let v = gd.entries()[c.index as usize].value;
                        incref(v);
                        push!(v);
                    }
                    op::LOAD_GLOBAL_BUILTIN => {
                        // SAFETY: frame.globals is a dict object.
                        let gd = unsafe { dict_mut((*frame).globals as u64) };
                        let c = cache!(here!());
                        if gd.keys_version != c.version {
                            deopt!(op::LOAD_GLOBAL);
                        }
                        // SAFETY: builtins is a dict that never loses keys.
                        let bd = unsafe { dict_mut(self.builtins.raw()) };
                        let v = bd.entries()[c.index as usize].value;
                        incref(v);
                        push!(v);
                    }
                    op::STORE_GLOBAL => {
                        let v = pop!();
                        // SAFETY: globals is a dict.
                        let gd = unsafe { dict_mut((*frame).globals as u64) };
                        tri!(gd.set(code.names[arg as usize].clone(), Obj::from_raw(v)));
                    }
                    op::DELETE_GLOBAL => {
                        // SAFETY: globals is a dict.
                        let gd = unsafe { dict_mut((*frame).globals as u64) };
                        let name = code.names[arg as usize].raw();
                        if tri!(gd.remove(name)).is_none() {
                            break 'dispatch err(
                                ExcKind::NameError,
                                format!("name '{}' is not defined", ops::str_of(name)),
                            );
                        }
                    }
                    op::LOAD_DEREF => {
                        // SAFETY: slot holds a cell.
                        let cell = unsafe { cast::<CellObj>(*lp.add(arg as usize)) };
                        if cell.value == 0 {
                            let nf = code.varnames.len();
                            let i = arg as usize - nf;
                            let name = if i < code.cellvars.len() {
                                code.cellvars[i].clone()
                            } else {
                                code.freevars[i - code.cellvars.len()].clone()
                            };
                            break 'dispatch if i < code.cellvars.len() {
                                err(
                                    ExcKind::UnboundLocalError,
                                    format!("cannot access local variable '{name}' where it is not associated with a value"),
                                )
                            } else {
                                err(
                                    ExcKind::NameError,
                                    format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
                                )
                            };
                        }
                        incref(cell.value);
                        push!(cell.value);
                    }
                    op::STORE_DEREF => {
                        let v = pop!();
                        // SAFETY: slot holds a cell.
                        let cell = unsafe { cast_mut::<CellObj>(*lp.add(arg as usize)) };
                        let old = std::mem::replace(&mut cell.value, v);
                        xdecref(old);
                    }
                    op::LOAD_CLOSURE => {
                        // SAFETY: slot holds a cell.
                        let c = unsafe { *lp.add(arg as usize) };
                        incref(c);
                        push!(c);
                    }
                    op::POP_TOP => {
                        let v = pop!();
                        decref(v);
                    }
                    op::COPY => {
                        let v = peek!(arg as usize);
                        incref(v);
                        push!(v);
                    }
                    op::SWAP => {
                        // The end of `l[k] op= v`: SWAP 3, SWAP 2 and the store
                        // of `v` into the list.
                        // SAFETY: two instructions follow a SWAP 3 (checked in order).
                        if !STEP
                            && arg == 3
                            && unsafe { *ip } == encode(op::SWAP, 2)
                            && opcode(unsafe { *ip.add(1) }) == op::STORE_SUBSCR_LIST_INT
                        {
                            let (v, k, l) = (top!(), peek!(2), peek!(3));
                            // SAFETY: `l` and `k` are live values.
                            if let Some(item) = unsafe { list_int_slot(l, k) } {
                                sp = unsafe { sp.sub(3) };
                                // SAFETY: a live item slot of the list `l`.
                                let old = unsafe { std::mem::replace(&mut *item, v) };
                                decref(old);
                                decref(l);
                                // SAFETY: past the store, not the last instruction.
                                ip = unsafe { ip.add(2) };
                                continue 'dispatch;
                            }
                        }
                        // SAFETY: depth >= arg.
                        unsafe {
                            std::ptr::swap(sp.sub(1), sp.sub(arg as usize));
                        }
                    }
                    op::PUSH_NULL => push!(0),
                    op::BINARY_OP => {
                        let (b, a) = (top!(), peek!(2));
                        let c = cache!(here!());
                        if c.counter == 0 {
                            specialize_binary(instrs, here!(), a, b, arg);
                        } else {
                            c.counter -= 1;
                        }
                        let r = tri!(ops::binary_op(a, b, arg));
                        sp = unsafe { sp.sub(1) };
                        decref(a);
                        decref(b);
                        set_top!(r.into_raw());
                    }
                    op::BINARY_OP_ADD_INT
                    | op::BINARY_OP_SUBTRACT_INT
                    | op::BINARY_OP_MULTIPLY_INT => {
                        let (b, a) = (top!(), peek!(2));
                        if a & b & 1 == 0 {
                            deopt!(op::BINARY_OP);
                        }
                        let (x, y) = (decode_small_int(a), decode_small_int(b));
                        let r = match opcode(w) {
                            op::BINARY_OP_ADD_INT => x.checked_add(y),
                            op::BINARY_OP_SUBTRACT_INT => x.checked_sub(y),
                            _ => x.checked_mul(y),
                        };
                        small_int_result!(r, a, b, arg);
                    }
                    op::BINARY_OP_AND_INT
                    | op::BINARY_OP_RSHIFT_INT
                    | op::BINARY_OP_FLOOR_DIVIDE_INT
                    | op::BINARY_OP_MOD_INT => {
                        let (b, a) = (top!(), peek!(2));
                        if a & b & 1 == 0 {
                            deopt!(op::BINARY_OP);
                        }
                        let (x, y) = (decode_small_int(a), decode_small_int(b));
                        let r = match opcode(w) {
                            op::BINARY_OP_AND_INT => Some(x & y),
                            op::BINARY_OP_RSHIFT_INT => {
                                if (0..63).contains(&y) {
                                    Some(x >> y)
                                } else {
                                    None
                                }
                            }
                            op::BINARY_OP_FLOOR_DIVIDE_INT => {
                                if y > 0 {
                                    Some(x.div_euclid(y))
                                } else {
                                    None
                                }
                            }
                            _ => {
                                if y > 0 {
                                    Some(x.rem_euclid(y))
                                } else {
                                    None
                                }
                            }
                        };
                        small_int_result!(r, a, b, arg);
                    }
                    op::BINARY_OP_POWER_INT => {
                        let (b, a) = (top!(), peek!(2));
                        if a & b & 1 == 0 {
                            deopt!(op::BINARY_OP);
                        }
                        let (x, y) = (decode_small_int(a), decode_small_int(b));
                        // Negative exponents (a float) and overflow (a big
                        // int) take the generic path.
                        small_int_result!(ops::small_int_binop(binop::POW, x, y), a, b, arg);
                    }
                    op::BINARY_OP_ADD_FLOAT
                    | op::BINARY_OP_SUBTRACT_FLOAT
                    | op::BINARY_OP_MULTIPLY_FLOAT
                    | op::BINARY_OP_TRUE_DIVIDE_FLOAT => {
                        let (b, a) = (top!(), peek!(2));
                        if kind_of(a) != kind::FLOAT || kind_of(b) != kind::FLOAT {
                            deopt!(op::BINARY_OP);
                        }
                        let (x, y) = (float_val(a), float_val(b));
                        let r = match opcode(w) {
                            op::BINARY_OP_ADD_FLOAT => x + y,
                            op::BINARY_OP_SUBTRACT_FLOAT => x - y,
                            op::BINARY_OP_MULTIPLY_FLOAT => x * y,
                            _ => {
                                if y == 0.0 {
                                    break 'dispatch crate::vm::error::zero_div(
                                        "float division by zero",
                                    );
                                }
                                x / y
                            }
                        };
                        sp = unsafe { sp.sub(1) };
                        // Reuse the left operand's box when we hold the only reference.
                        // SAFETY: a is a float object.
                        unsafe {
                            if (*(a as *const ObjHeader)).refcnt == 1 {
                                (*(a as *mut crate::abi::layout::FloatObj)).value = r;
                                decref(b);
                                continue 'dispatch;
                            }
                        }
                        decref(a);
                        decref(b);
                        set_top!(new_float(r));
                    }
                    op::BINARY_OP_ADD_STR => {
                        let (b, a) = (top!(), peek!(2));
                        if kind_of(a) != kind::STR || kind_of(b) != kind::STR {
                            deopt!(op::BINARY_OP);
                        }
                        let r = tri!(ops::binary_op(a, b, arg));
                        sp = unsafe { sp.sub(1) };
                        decref(a);
                        decref(b);
                        set_top!(r.into_raw());
                    }
                    op::UNARY_NEGATIVE | op::UNARY_POSITIVE | op::UNARY_INVERT => {
                        let v = top!();
                        let r = tri!(match opcode(w) {
                            op::UNARY_NEGATIVE => ops::unary_neg(v),
                            op::UNARY_POSITIVE => ops::unary_pos(v),
                            _ => ops::unary_invert(v),
                        });
                        decref(v);
                        set_top!(r.into_raw());
                    }
                    op::UNARY_NOT => {
                        let v = top!();
                        let t = tri!(ops::truthy(v));
                        decref(v);
                        set_top!(bool_raw(!t));
                    }
                    op::COMPARE_OP => {
                        let (b, a) = (top!(), peek!(2));
                        let c = cache!(here!());
                        if c.counter == 0 {
                            // SAFETY: ip < len (RETURN_VALUE ends every code).
                            let next = unsafe { opcode(*ip) };
                            let jump = matches!(next, op::POP_JUMP_IF_FALSE | op::POP_JUMP_IF_TRUE);
                            if a & b & 1 == 1 {
                                rewrite!(
                                    here!(),
                                    if jump {
                                        op::COMPARE_OP_INT_JUMP
                                    } else {
                                        op::COMPARE_OP_INT
                                    }
                                );
                            } else if kind_of(a) == kind::FLOAT && kind_of(b) == kind::FLOAT {
                                rewrite!(
                                    here!(),
                                    if jump {
                                        op::COMPARE_OP_FLOAT_JUMP
                                    } else {
                                        op::COMPARE_OP_FLOAT
                                    }
                                );
                            } else if kind_of(a) == kind::STR && kind_of(b) == kind::STR {
                                rewrite!(here!(), op::COMPARE_OP_STR);
                            } else {
                                c.counter = BACKOFF;
                            }
                        } else {
                            c.counter -= 1;
                        }
                        let r = tri!(ops::compare_bool(a, b, arg));
                        sp = unsafe { sp.sub(1) };
                        decref(a);
                        decref(b);
                        set_top!(bool_raw(r));
                    }
                    op::COMPARE_OP_INT | op::COMPARE_OP_INT_JUMP => {
                        let (b, a) = (top!(), peek!(2));
                        if a & b & 1 == 0 {
                            deopt!(op::COMPARE_OP);
                        }
                        // Tagged small ints compare like their values.
                        let (x, y) = (a as i64, b as i64);
                        let r = int_cmp_result(x, y, arg);
                        sp = unsafe { sp.sub(2) };
                        // A single step (tier 2's helper) runs one instruction: a fused
                        // compare-jump specialized after the trace was projected must
                        // leave the bool for the trace's own branch guard.
                        if !STEP && opcode(w) == op::COMPARE_OP_INT_JUMP {
                            // SAFETY: the next instruction is the conditional jump.
                            let j = unsafe { *ip };
                            // SAFETY: the pair's second instruction exists.
                            ip = unsafe { ip.add(1) };
                            let taken = r == (opcode(j) == op::POP_JUMP_IF_TRUE);
                            let c = cache!(here!());
                            c.index = (c.index << 1) | taken as u32;
                            if taken {
                                ip = unsafe { instrs.add(oparg(j) as usize) };
                            }
                        } else {
                            push!(bool_raw(r));
                        }
                    }
                    op::COMPARE_OP_FLOAT | op::COMPARE_OP_FLOAT_JUMP => {
                        let (b, a) = (top!(), peek!(2));
                        if kind_of(a) != kind::FLOAT || kind_of(b) != kind::FLOAT {
                            deopt!(op::COMPARE_OP);
                        }
                        let (x, y) = (float_val(a), float_val(b));
                        let r = match arg {
                            cmp::LT => x < y,
                            cmp::LE => x <= y,
                            cmp::EQ => x == y,
                            cmp::NE => x != y,
                            cmp::GT => x > y,
                            _ => x >= y,
                        };
                        sp = unsafe { sp.sub(2) };
                        decref(a);
                        decref(b);
                        // A single step (tier 2's helper) runs one instruction: a fused
                        // compare-jump specialized after the trace was projected must
                        // leave the bool for the trace's own branch guard.
                        if !STEP && opcode(w) == op::COMPARE_OP_FLOAT_JUMP {
                            // SAFETY: the next instruction is the conditional jump.
                            let j = unsafe { *ip };
                            // SAFETY: the pair's second instruction exists.
                            ip = unsafe { ip.add(1) };
                            let taken = r == (opcode(j) == op::POP_JUMP_IF_TRUE);
                            let c = cache!(here!());
                            c.index = (c.index << 1) | taken as u32;
                            if taken {
                                ip = unsafe { instrs.add(oparg(j) as usize) };
                            }
                        } else {
                            push!(bool_raw(r));
                        }
                    }
                    op::COMPARE_OP_STR => {
                        let (b, a) = (top!(), peek!(2));
                        if kind_of(a) != kind::STR || kind_of(b) != kind::STR {
                            deopt!(op::COMPARE_OP);
                        }
                        let r = tri!(ops::compare_bool(a, b, arg));
                        sp = unsafe { sp.sub(1) };
                        decref(a);
                        decref(b);
                        set_top!(bool_raw(r));
                    }
                    op::IS_OP => {
                        let b = pop!();
                        let a = top!();
                        let r = (a == b) != (arg == 1);
                        decref(a);
                        decref(b);
                        set_top!(bool_raw(r));
                    }
                    op::CONTAINS_OP => {
                        let (b, a) = (top!(), peek!(2));
                        let r = tri!(ops::contains(b, a));
                        sp = unsafe { sp.sub(1) };
                        decref(a);
                        decref(b);
                        set_top!(bool_raw(r != (arg == 1)));
                    }
                    op::POP_JUMP_IF_FALSE | op::POP_JUMP_IF_TRUE => {
                        let v = pop!();
                        let t = if v == true_raw() {
                            true
                        } else if v == false_raw() {
                            false
                        } else {
                            let t = ops::truthy(v);
                            decref(v);
                            tri!(t)
                        };
                        let taken = t == (opcode(w) == op::POP_JUMP_IF_TRUE);
                        // Branch history for tier 2's projection (newest in bit 0).
                        let c = cache!(here!());
                        c.index = (c.index << 1) | taken as u32;
                        if taken {
                            ip = unsafe { instrs.add(arg as usize) };
                        }
                    }
                    op::JUMP_IF_FALSE_OR_POP | op::JUMP_IF_TRUE_OR_POP => {
                        let v = top!();
                        let t = tri!(ops::truthy(v));
                        if t == (opcode(w) == op::JUMP_IF_TRUE_OR_POP) {
                            ip = unsafe { instrs.add(arg as usize) };
                        } else {
                            sp = unsafe { sp.sub(1) };
                            decref(v);
                        }
                    }
                    op::JUMP_FORWARD => ip = unsafe { instrs.add(arg as usize) },
                    op::JUMP_BACKWARD => {
                        let c = cache!(here!());
                        c.counter += 1;
                        if c.counter >= crate::vm::tier2::backedge_threshold() {
                            c.counter = 0;
                            save_frame!();
                            let at = here!() as u32;
                            // SAFETY: frame is the live, saved frame.
                            if unsafe { crate::vm::tier2::on_hot_backedge(self, frame, at) } {
                                // Now ENTER_EXECUTOR: run it.
                                ip = unsafe { ip.sub(1) };
                                continue 'dispatch;
                            }
                        }
                        ip = unsafe { instrs.add(arg as usize) };
                    }
                    op::ENTER_EXECUTOR => {
                        save_frame!();
                        // SAFETY: frame is the live, saved frame; this is its ENTER_EXECUTOR.
                        let at = here!() as u32;
                        // SAFETY: as above.
                        match unsafe { crate::vm::tier2::enter_executor(self, frame, at) } {
                            // A trace may leave in a frame it pushed (an inlined call).
                            crate::vm::tier2::Entered::Resume => {
                                frame = self.ts.current_frame;
                                load_frame!();
                            }
                            crate::vm::tier2::Entered::Error(e) => {
                                frame = self.ts.current_frame;
                                load_frame!();
                                break 'dispatch e;
                            }
                            crate::vm::tier2::Entered::NotEntered => {
                                ip = unsafe { instrs.add(arg as usize) }
                            }
                        }
                    }
                    op::YIELD_VALUE => {
                        let v = pop!();
                        save_frame!();
                        if frame != entry || !code.is_generator {
                            push!(v);
                            break 'dispatch err(
                                ExcKind::RuntimeError,
                                "yield outside a generator frame",
                            );
                        }
                        // SAFETY: frame is the running generator frame.
                        unsafe { self.suspend_gen_frame(frame) };
                        return Ok(Obj::from_raw(v));
                    }
                    op::SEND => {
                        let sent = Obj::from_raw(pop!());
                        let it = top!();
                        save_frame!();
                        let r = if kind_of(it) == KIND_GEN {
                            self.gen_resume(it, sent)
                        } else if sent.raw() == none_raw() {
                            crate::vm::iter::iter_next(self, it).map(|o| match o {
                                Some(v) => crate::vm::generator::GenStep::Yielded(v),
                                None => crate::vm::generator::GenStep::Returned(Obj::none()),
                            })
                        } else {
                            Err(Self::attr_error(it, crate::vm::obj::new_str("send").raw()))
                        };
                        match tri!(r) {
                            crate::vm::generator::GenStep::Yielded(v) => push!(v.into_raw()),
                            crate::vm::generator::GenStep::Returned(v) => {
                                decref(pop!());
                                push!(v.into_raw());
                                // SAFETY: SEND's argument is a jump target
                                // inside this code (the compiler's).
                                ip = unsafe { instrs.add(arg as usize) };
                            }
                        }
                    }
                    op::GET_ITER => {
                        let v = top!();
                        if kind_of(v) != KIND_ITER {
                            let it = tri!(crate::vm::iter::get_iter(v));
                            decref(v);
                            set_top!(it.into_raw());
                        }
                    }
                    op::FOR_ITER => {
                        let it = top!();
                        if kind_of(it) == KIND_ITER {
                            // SAFETY: kind checked.
                            match unsafe { &cast::<IterObj>(it).state } {
                                IterState::Range { .. } => rewrite!(here!(), op::FOR_ITER_RANGE),
                                IterState::List { .. } => rewrite!(here!(), op::FOR_ITER_LIST),
                                _ => {}
                            }
                        }
                        save_frame!();
                        match tri!(crate::vm::iter::iter_next(self, it)) {
                            Some(v) => push!(v.into_raw()),
                            None => {
                                sp = unsafe { sp.sub(1) };
                                decref(it);
                                ip = unsafe { instrs.add(arg as usize) };
                            }
                        }
                    }
                    op::FOR_ITER_RANGE => {
                        let it = top!();
                        if kind_of(it) != KIND_ITER {
                            deopt!(op::FOR_ITER);
                        }
                        // SAFETY: kind checked.
                        match unsafe { &mut cast_mut::<IterObj>(it).state } {
                            IterState::Range { next, stop, step } => {
                                if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                                    let v = *next;
                                    *next += *step;
                                    push!(Obj::int(v).into_raw());
                                } else {
                                    sp = unsafe { sp.sub(1) };
                                    decref(it);
                                    ip = unsafe { instrs.add(arg as usize) };
                                }
                            }
                            _ => deopt!(op::FOR_ITER),
                        }
                    }
                    op::FOR_ITER_LIST => {
                        let it = top!();
                        if kind_of(it) != KIND_ITER {
                            deopt!(op::FOR_ITER);
                        }
                        // SAFETY: kind checked.
                        match unsafe { &mut cast_mut::<IterObj>(it).state } {
                            IterState::List { seq, idx } => {
                                // SAFETY: seq is a list.
                                let l = unsafe { &*(seq.raw() as *const ListObj) };
                                if (*idx as isize) < l.len {
                                    // SAFETY: idx < len.
                                    let v = unsafe { *l.items.add(*idx) };
                                    *idx += 1;
                                    incref(v);
                                    push!(v);
                                } else {
                                    sp = unsafe { sp.sub(1) };
                                    decref(it);
                                    ip = unsafe { instrs.add(arg as usize) };
                                }
                            }
                            _ => deopt!(op::FOR_ITER),
                        }
                    }
                    op::BUILD_LIST => {
                        let n = arg as usize;
                        sp = unsafe { sp.sub(n) };
                        // SAFETY: n items above sp are owned.
                        let items: Vec<Obj> = unsafe { std::slice::from_raw_parts(sp, n) }
                            .iter()
                            .map(|&v| Obj::from_raw(v))
                            .collect();
                        push!(new_list(items).into_raw());
                    }
                    op::BUILD_TUPLE => {
                        let n = arg as usize;
                        sp = unsafe { sp.sub(n) };
                        // SAFETY: n items above sp are owned.
                        let t = new_tuple_raw(unsafe { std::slice::from_raw_parts(sp, n) });
                        push!(t.into_raw());
                    }
                    op::BUILD_MAP => {
                        let n = arg as usize;
                        sp = unsafe { sp.sub(2 * n) };
                        let d = new_dict();
                        // SAFETY: 2n owned items above sp.
                        let items = unsafe { std::slice::from_raw_parts(sp, 2 * n) }.to_vec();
                        let mut failed = None;
                        for k in 0..n {
                            let (key, val) =
                                (Obj::from_raw(items[2 * k]), Obj::from_raw(items[2 * k + 1]));
                            if failed.is_none() {
                                // SAFETY: d is a dict.
                                if let Err(e) = unsafe { dict_mut(d.raw()) }.set(key, val) {
                                    failed = Some(e);
                                }
                            }
                        }
                        if let Some(e) = failed {
                            break 'dispatch e;
                        }
                        push!(d.into_raw());
                    }
                    op::BUILD_SLICE => {
                        // `list[a:b]`: the slice object that BINARY_SUBSCR would
                        // only read is not built.
                        // SAFETY: BUILD_SLICE is not the last instruction.
                        if !STEP && arg == 2 && opcode(unsafe { *ip }) == op::BINARY_SUBSCR {
                            let (stop, start, l) = (top!(), peek!(2), peek!(3));
                            if kind_of(l) == kind::LIST {
                                if let Some(r) = ops::list_unit_slice(l, start, stop) {
                                    sp = unsafe { sp.sub(2) };
                                    decref(start);
                                    decref(stop);
                                    decref(l);
                                    set_top!(r.into_raw());
                                    // SAFETY: past the subscript.
                                    ip = unsafe { ip.add(1) };
                                    continue 'dispatch;
                                }
                            }
                        }
                        let step = if arg == 3 {
                            Obj::from_raw(pop!())
                        } else {
                            Obj::none()
                        };
                        let stop = Obj::from_raw(pop!());
                        let start = Obj::from_raw(pop!());
                        push!(box_obj(SliceObj {
                            ob: hdr(KIND_SLICE),
                            start,
                            stop,
                            step
                        }));
                    }
                    op::LIST_APPEND => {
                        let v = pop!();
                        let l = peek!(arg as usize);
                        list_push(l, v);
                    }
                    op::BUILD_SET => {
                        let n = arg as usize;
                        sp = unsafe { sp.sub(n) };
                        // SAFETY: n owned items above sp.
                        let s = tri!(crate::vm::set::build(unsafe {
                            std::slice::from_raw_parts(sp, n)
                        }));
                        push!(s.into_raw());
                    }
                    op::SET_ADD => {
                        let v = pop!();
                        let s = peek!(arg as usize);
                        tri!(crate::vm::set::add_owned(s, v));
                    }
                    op::SET_UPDATE => {
                        let v = Obj::from_raw(pop!());
                        let s = peek!(arg as usize);
                        save_frame!();
                        tri!(crate::vm::set::update(Some(&mut *self), s, v.raw()));
                    }
                    op::MAP_ADD => {
                        let v = pop!();
                        let k = pop!();
                        let d = peek!(arg as usize);
                        // SAFETY: d is a dict.
                        tri!(unsafe { dict_mut(d) }.set(Obj::from_raw(k), Obj::from_raw(v)));
                    }
                    op::LIST_EXTEND => {
                        let v = Obj::from_raw(pop!());
                        let l = peek!(arg as usize);
                        let items = tri!(star_items(self, v.raw(), None));
                        list_with(l, |vec| vec.extend(items.into_iter().map(Obj::into_raw)));
                    }
                    op::BINARY_SUBSCR => {
                        let (k, c) = (top!(), peek!(2));
                        let ca = cache!(here!());
                        if ca.counter == 0 {
                            if k & 1 == 1 && kind_of(c) == kind::LIST {
                                rewrite!(here!(), op::BINARY_SUBSCR_LIST_INT);
                            } else if k & 1 == 1 && kind_of(c) == kind::TUPLE {
                                rewrite!(here!(), op::BINARY_SUBSCR_TUPLE_INT);
                            } else {
                                ca.counter = BACKOFF;
                            }
                        } else {
                            ca.counter -= 1;
                        }
                        let r = if kind_of(c) == KIND_DEFAULTDICT {
                            // A missing key calls the default factory.
                            save_frame!();
                            tri!(crate::vm::modules::collections::missing_getitem(self, c, k))
                        } else {
                            tri!(ops::getitem(c, k))
                        };
                        sp = unsafe { sp.sub(1) };
                        decref(c);
                        decref(k);
                        set_top!(r.into_raw());
                    }
                    op::BINARY_SUBSCR_LIST_INT => {
                        let (k, c) = (top!(), peek!(2));
                        if k & 1 == 0 || kind_of(c) != kind::LIST {
                            deopt!(op::BINARY_SUBSCR);
                        }
                        // SAFETY: kind checked.
                        let l = unsafe { &*(c as *const ListObj) };
                        let mut i = decode_small_int(k);
                        if i < 0 {
                            i += l.len as i64;
                        }
                        if i < 0 || i >= l.len as i64 {
                            break 'dispatch crate::vm::error::index_error(
                                "list index out of range",
                            );
                        }
                        // SAFETY: bounds checked.
                        let v = unsafe { *l.items.add(i as usize) };
                        incref(v);
                        sp = unsafe { sp.sub(1) };
                        decref(c);
                        set_top!(v);
                    }
                    op::BINARY_SUBSCR_TUPLE_INT => {
                        let (k, c) = (top!(), peek!(2));
                        if k & 1 == 0 || kind_of(c) != kind::TUPLE {
                            deopt!(op::BINARY_SUBSCR);
                        }
                        let items = tuple_items(c);
                        match ops::norm_index(decode_small_int(k), items.len()) {
                            Some(i) => {
                                let v = items[i];
                                incref(v);
                                sp = unsafe { sp.sub(1) };
                                decref(c);
                                set_top!(v);
                            }
                            None => {
                                break 'dispatch crate::vm::error::index_error(
                                    "tuple index out of range",
                                )
                            }
                        }
                    }
                    op::STORE_SUBSCR => {
                        let (k, c, v) = (top!(), peek!(2), peek!(3));
                        let ca = cache!(here!());
                        if ca.counter == 0 {
                            if k & 1 == 1 && kind_of(c) == kind::LIST {
                                rewrite!(here!(), op::STORE_SUBSCR_LIST_INT);
                            } else {
                                ca.counter = BACKOFF;
                            }
                        } else {
                            ca.counter -= 1;
                        }
                        sp = unsafe { sp.sub(3) };
                        let r = ops::setitem(c, k, Obj::from_raw(v));
                        decref(c);
                        decref(k);
                        tri!(r);
                    }
                    op::STORE_SUBSCR_LIST_INT => {
                        let (k, c, v) = (top!(), peek!(2), peek!(3));
                        if k & 1 == 0 || kind_of(c) != kind::LIST {
                            deopt!(op::STORE_SUBSCR);
                        }
                        // SAFETY: kind checked.
                        let l = unsafe { &*(c as *const ListObj) };
                        let mut i = decode_small_int(k);
                        if i < 0 {
                            i += l.len as i64;
                        }
                        if i < 0 || i >= l.len as i64 {
                            break 'dispatch crate::vm::error::index_error(
                                "list assignment index out of range",
                            );
                        }
                        sp = unsafe { sp.sub(3) };
                        // SAFETY: bounds checked.
                        let old = unsafe { std::mem::replace(&mut *l.items.add(i as usize), v) };
                        decref(old);
                        decref(c);
                    }
                    op::DELETE_SUBSCR => {
                        let k = pop!();
                        let c = pop!();
                        let r = ops::delitem(c, k);
                        decref(c);
                        decref(k);
                        tri!(r);
                    }
                    op::UNPACK_SEQUENCE | op::UNPACK_SEQUENCE_TWO_TUPLE => {
                        let v = top!();
                        let n = arg as usize;
                        if opcode(w) == op::UNPACK_SEQUENCE_TWO_TUPLE {
                            if kind_of(v) != kind::TUPLE || tuple_items(v).len() != 2 {
                                deopt!(op::UNPACK_SEQUENCE);
                            }
                        } else if n == 2 && kind_of(v) == kind::TUPLE && tuple_items(v).len() == 2 {
                            rewrite!(here!(), op::UNPACK_SEQUENCE_TWO_TUPLE);
                        }
                        let items: Vec<Obj> = match kind_of(v) {
                            kind::TUPLE => {
                                tuple_items(v).iter().map(|&x| Obj::new_ref(x)).collect()
                            }
                            kind::LIST => list_items(v).iter().map(|&x| Obj::new_ref(x)).collect(),
                            _ => {
                                save_frame!();
                                if crate::vm::iter::get_iter(v).is_err() {
                                    break 'dispatch crate::vm::error::type_error(format!(
                                        "cannot unpack non-iterable {} object",
                                        ops::type_name(v)
                                    ));
                                }
                                tri!(crate::vm::iter::collect_vm(self, v))
                            }
                        };
                        if items.len() != n {
                            break 'dispatch if items.len() < n {
                                crate::vm::error::value_error(format!(
                                    "not enough values to unpack (expected {}, got {})",
                                    n,
                                    items.len()
                                ))
                            } else {
                                crate::vm::error::value_error(format!(
                                    "too many values to unpack (expected {})",
                                    n
                                ))
                            };
                        }
                        sp = unsafe { sp.sub(1) };
                        decref(v);
                        for it in items.into_iter().rev() {
                            push!(it.into_raw());
                        }
                    }
                    op::UNPACK_EX => {
                        // `a, *b, c = v`: `arg & 0xff` targets before the
                        // starred one, `arg >> 8` after it.
                        let v = top!();
                        save_frame!();
                        let vals = tri!(self.unpack_ex(v, arg));
                        sp = unsafe { sp.sub(1) };
                        decref(v);
                        for x in vals {
                            push!(x);
                        }
                    }
                    op::LOAD_METHOD_INSTANCE => {
                        let recv = top!();
                        let c = cache!(here!());
                        let name = code.names[arg as usize].raw();
                        if !crate::vm::class::cached_method_applies(recv, name, c.index) {
                            c.version = 0;
                            deopt!(op::LOAD_METHOD);
                        }
                        // The class (same tag: same attributes) holds the function.
                        incref(c.version);
                        set_top!(c.version);
                        push!(recv);
                    }
                    op::LOAD_METHOD
                        if matches!(kind_of(top!()), KIND_INSTANCE | KIND_CLASS | KIND_WRAPPER)
                            || crate::vm::class::is_user_exc(top!()) =>
                    {
                        let recv = top!();
                        let name = code.names[arg as usize].raw();
                        if kind_of(recv) == KIND_INSTANCE {
                            let cls = crate::vm::class::class_of(recv);
                            let f = crate::vm::class::lookup(cls, name);
                            if let Some(f) = f.filter(|&f| {
                                kind_of(f) == kind::FUNCTION
                                    // SAFETY: an instance dict is a dict.
                                    && unsafe {
                                        dict_mut(crate::vm::class::instance(recv).dict.raw())
                                    }
                                    .get_str(name)
                                    .is_none()
                            }) {
                                let c = cache!(here!());
                                if c.counter == 0 {
                                    c.version = f;
                                    // SAFETY: an instance's class is a class.
                                    c.index = unsafe { crate::vm::class::class(cls) }.tag.get();
                                    rewrite!(here!(), op::LOAD_METHOD_INSTANCE);
                                } else {
                                    c.counter -= 1;
                                }
                                incref(f);
                                set_top!(f);
                                push!(recv);
                                continue 'dispatch;
                            }
                        }
                        save_frame!();
                        let a = tri!(self.get_attr(recv, name));
                        decref(recv);
                        set_top!(a.into_raw());
                        push!(0);
                    }
                    op::LOAD_METHOD => {
                        let recv = top!();
                        let c = cache!(here!());
                        let rk = kind_of(recv);
                        let m = if c.version != 0 && c.index == rk {
                            c.version
                        } else if rk == KIND_MODULE {
                            // `module.f(...)`: the attribute and NULL, as
                            // for a plain call (never cached).
                            let name = code.names[arg as usize].raw();
                            let a = tri!(crate::vm::modules::getattr(recv, name));
                            decref(recv);
                            set_top!(a.into_raw());
                            push!(0);
                            continue 'dispatch;
                        } else {
                            let name = code.names[arg as usize].raw();
                            match self.lookup_method(recv, name) {
                                Some(m) => {
                                    c.version = m.raw();
                                    c.index = rk;
                                    m.raw()
                                }
                                None => break 'dispatch Self::attr_error(recv, name),
                            }
                        };
                        incref(m);
                        set_top!(m);
                        push!(recv);
                    }
                    op::LOAD_ATTR if kind_of(top!()) == KIND_MODULE => {
                        let recv = top!();
                        let name = code.names[arg as usize].raw();
                        let a = tri!(crate::vm::modules::getattr(recv, name));
                        decref(recv);
                        set_top!(a.into_raw());
                    }
                    op::IMPORT_NAME => {
                        let name = code.names[arg as usize].raw();
                        let m = tri!(crate::vm::modules::import(name));
                        push!(m.into_raw());
                    }
                    op::IMPORT_FROM => {
                        let name = code.names[arg as usize].raw();
                        let a = tri!(crate::vm::modules::import_from(top!(), name));
                        push!(a.into_raw());
                    }
                    op::LOAD_ATTR_INSTANCE => {
                        let recv = top!();
                        let c = cache!(here!());
                        let name = code.names[arg as usize].raw();
                        let Some(v) = crate::vm::class::cached_instance_attr(
                            recv,
                            name,
                            c.index,
                            c.version as usize,
                        ) else {
                            deopt!(op::LOAD_ATTR);
                        };
                        incref(v);
                        set_top!(v);
                        decref(recv);
                    }
                    op::LOAD_ATTR => {
                        let recv = top!();
                        let name = code.names[arg as usize].raw();
                        if kind_of(recv) == KIND_INSTANCE {
                            let cls = crate::vm::class::class_of(recv);
                            let c = cache!(here!());
                            if !backing_off(c) && crate::vm::class::lookup(cls, name).is_none() {
                                // SAFETY: an instance dict is a dict.
                                let d = unsafe {
                                    dict_mut(crate::vm::class::instance(recv).dict.raw())
                                };
                                if let Ok(Some(pos)) = d.lookup_pos(name) {
                                    c.version = pos as u64;
                                    // SAFETY: an instance's class is a class.
                                    c.index = unsafe { crate::vm::class::class(cls) }.tag.get();
                                    rewrite!(here!(), op::LOAD_ATTR_INSTANCE);
                                }
                            }
                        }
                        save_frame!();
                        let a = tri!(self.get_attr(recv, name));
                        decref(recv);
                        set_top!(a.into_raw());
                    }
                    op::STORE_ATTR_INSTANCE => {
                        let recv = top!();
                        let c = cache!(here!());
                        if !crate::vm::class::instance_has_tag(recv, c.index) {
                            deopt!(op::STORE_ATTR);
                        }
                        let recv = pop!();
                        let v = pop!();
                        let name = code.names[arg as usize].raw();
                        let r = crate::vm::class::store_instance_attr(
                            recv,
                            name,
                            Obj::from_raw(v),
                            &mut c.version,
                        );
                        decref(recv);
                        tri!(r);
                    }
                    op::STORE_ATTR => {
                        let recv = Obj::from_raw(pop!());
                        let v = Obj::from_raw(pop!());
                        let name = code.names[arg as usize].raw();
                        if kind_of(recv.raw()) == KIND_INSTANCE {
                            let cls = crate::vm::class::class_of(recv.raw());
                            let c = cache!(here!());
                            if !backing_off(c)
                                && crate::vm::class::lookup(cls, name)
                                    .is_none_or(|f| !crate::vm::class::is_data_descriptor(f))
                                && crate::vm::class::lookup_str(cls, "__setattr__").is_none()
                            {
                                c.version = u32::MAX as u64;
                                // SAFETY: an instance's class is a class.
                                c.index = unsafe { crate::vm::class::class(cls) }.tag.get();
                                rewrite!(here!(), op::STORE_ATTR_INSTANCE);
                            }
                        }
                        save_frame!();
                        tri!(self.set_attr(recv.raw(), name, v));
                    }
                    op::DELETE_ATTR => {
                        let recv = pop!();
                        let name = code.names[arg as usize].raw();
                        save_frame!();
                        let r = match crate::vm::class::delattr(recv, name) {
                            Some(r) => r,
                            None => Err(Self::attr_error(recv, name)),
                        };
                        decref(recv);
                        tri!(r);
                    }
                    op::LOAD_NAME => {
                        // SAFETY: fast local 0 of a class body is its namespace dict.
                        let ns = unsafe { dict_mut(*lp) };
                        let name = code.names[arg as usize].raw();
                        let v = match tri!(ns.get(name)) {
                            Some(v) => v,
                            None => {
                                // SAFETY: globals and builtins are dicts.
                                let g = unsafe { dict_mut((*frame).globals as u64) };
                                match tri!(g.get(name)) {
                                    Some(v) => v,
                                    None => match tri!(
                                        // SAFETY: the builtins are a dict.
                                        unsafe { dict_mut(self.builtins.raw()) }.get(name)
                                    ) {
                                        Some(v) => v,
                                        None => {
                                            break 'dispatch err(
                                                ExcKind::NameError,
                                                format!(
                                                    "name '{}' is not defined",
                                                    ops::str_of(name)
                                                ),
                                            )
                                        }
                                    },
                                }
                            }
                        };
                        incref(v);
                        push!(v);
                    }
                    op::STORE_NAME => {
                        let v = pop!();
                        // SAFETY: fast local 0 of a class body is its namespace dict.
                        let ns = unsafe { dict_mut(*lp) };
                        tri!(ns.set(code.names[arg as usize].clone(), Obj::from_raw(v)));
                    }
                    op::DELETE_NAME => {
                        // SAFETY: fast local 0 of a class body is its namespace dict.
                        let ns = unsafe { dict_mut(*lp) };
                        let name = code.names[arg as usize].raw();
                        if tri!(ns.remove(name)).is_none() {
                            break 'dispatch err(
                                ExcKind::NameError,
                                format!("name '{}' is not defined", ops::str_of(name)),
                            );
                        }
                    }
                    op::KW_NAMES => {
                        self.kwnames = code.consts[arg as usize].raw();
                    }
                    op::CALL_PY_EXACT_ARGS => {
                        // Specialized: a Python function called with exactly its
                        // positional parameters, no keywords, no `self`.
                        let n = arg as usize;
                        // SAFETY: CALL's stack layout is [callable, NULL, args...].
                        let base = unsafe { sp.sub(n + 2) };
                        let (callable, selfv) = unsafe { (*base, *base.add(1)) };
                        if self.kwnames != 0 || selfv != 0 || kind_of(callable) != kind::FUNCTION {
                            deopt!(op::CALL);
                        }
                        // SAFETY: kind checked; the code object outlives the function.
                        let fo = unsafe { cast::<FuncObj>(callable) };
                        let fc = unsafe { &cast::<CodeObj>(fo.code.raw()).code };
                        if fc.exact_argcount as usize != n || fc.is_generator {
                            deopt!(op::CALL);
                        }
                        // Tier 2 inlines the call through the code recorded here.
                        cache!(here!()).version = fo.code.raw();
                        // SAFETY: base + 2 holds the n owned arguments.
                        let Some(f) =
                            (unsafe { self.push_exact_frame(frame, callable, base.add(2), n) })
                        else {
                            break 'dispatch err(
                                ExcKind::RecursionError,
                                "maximum recursion depth exceeded",
                            );
                        };
                        sp = base;
                        save_frame!();
                        frame = f;
                        // Tier 2: count the call down; at zero, tier 2 says
                        // whether to enter the function's entry trace.
                        let left = fc.entry.countdown.get().wrapping_sub(1);
                        fc.entry.countdown.set(left);
                        // SAFETY: f is the live frame just pushed, saved.
                        if left == 0 && unsafe { crate::vm::tier2::on_counted_calls(self, f) } {
                            // SAFETY: as above.
                            match unsafe { crate::vm::tier2::enter_function(self, f) } {
                                // The trace may leave in another frame (it
                                // returned, or exited in a callee).
                                crate::vm::tier2::Entered::Resume => {
                                    frame = self.ts.current_frame;
                                }
                                crate::vm::tier2::Entered::Error(e) => {
                                    frame = self.ts.current_frame;
                                    load_frame!();
                                    break 'dispatch e;
                                }
                                crate::vm::tier2::Entered::NotEntered => {}
                            }
                        }
                        load_frame!();
                    }
                    op::CALL | op::CALL_BUILTIN => {
                        let mut n = arg as usize;
                        let kwn = std::mem::replace(&mut self.kwnames, 0);
                        // Layout: [callable, self_or_NULL, args...]
                        let base = unsafe { sp.sub(n + 2) };
                        let callable = unsafe { *base };
                        let selfv = unsafe { *base.add(1) };
                        let args_ptr = if selfv != 0 {
                            n += 1;
                            unsafe { base.add(1) }
                        } else {
                            unsafe { base.add(2) }
                        };
                        save_frame!();
                        if kind_of(callable) == kind::FUNCTION {
                            // SAFETY: n owned args at args_ptr; ownership moves to the callee.
                            let args = unsafe { std::slice::from_raw_parts(args_ptr, n) };
                            let fo = unsafe { cast::<FuncObj>(callable) };
                            let fc = unsafe { &cast::<CodeObj>(fo.code.raw()).code };
                            if opcode(w) == op::CALL && kwn == 0 && selfv == 0 && !fc.is_generator {
                                rewrite!(here!(), op::CALL_PY_EXACT_ARGS);
                            }
                            sp = base;
                            let newf = if kwn == 0 && fc.exact_argcount as usize == n {
                                // Fast path: exact positional arguments.
                                match self.push_frame_raw(fo.code.raw(), callable, fo.globals.raw())
                                {
                                    Ok(nf) => {
                                        // SAFETY: the new frame has at least n local slots.
                                        unsafe {
                                            std::ptr::copy_nonoverlapping(
                                                args_ptr,
                                                frame_locals!(nf),
                                                n,
                                            );
                                            self.init_cells(nf, fc, fo);
                                        }
                                        Ok(nf)
                                    }
                                    Err(e) => {
                                        args.iter().for_each(|&a| decref(a));
                                        decref(callable);
                                        Err(e)
                                    }
                                }
                            } else {
                                let r = self.push_function_frame(callable, args, kwn);
                                decref(callable);
                                if let Ok(nf) = r {
                                    // push_function_frame took its own reference.
                                    let _ = nf;
                                }
                                r
                            };
                            // Caller's stack no longer holds callable/self/args.
                            save_frame!();
                            let nf = tri!(newf);
                            if fc.is_generator {
                                // SAFETY: nf is the frame just pushed, not run.
                                let g = unsafe { self.make_generator(nf) };
                                push!(g.into_raw());
                                save_frame!();
                                continue 'dispatch;
                            }
                            frame = nf;
                            load_frame!();
                            continue 'dispatch;
                        }
                        if opcode(w) == op::CALL && kind_of(callable) == kind::BUILTIN {
                            rewrite!(here!(), op::CALL_BUILTIN);
                        }
                        // SAFETY: n args at args_ptr.
                        let args = unsafe { std::slice::from_raw_parts(args_ptr, n) };
                        let kw = if kwn != 0 {
                            let names = tuple_items(kwn);
                            let k = names.len();
                            Some(Kw {
                                names,
                                vals: &args[n - k..],
                            })
                        } else {
                            None
                        };
                        let pos = if let Some(k) = &kw {
                            &args[..n - k.names.len()]
                        } else {
                            args
                        };
                        let r = self.call_nonpy(callable, pos, kw);
                        for &a in args {
                            decref(a);
                        }
                        decref(callable);
                        sp = base;
                        push!(tri!(r).into_raw());
                    }
                    op::CALL_EX => {
                        let nk = (arg & call_ex::NAMES) as usize;
                        let kwn = std::mem::replace(&mut self.kwnames, 0);
                        let kwargs = (arg & call_ex::KWARGS != 0).then(|| Obj::from_raw(pop!()));
                        let mut kwvals: Vec<Obj> = (0..nk).map(|_| Obj::from_raw(pop!())).collect();
                        kwvals.reverse();
                        let l = Obj::from_raw(pop!());
                        let selfv = pop!();
                        let callable = Obj::from_raw(pop!());
                        save_frame!();
                        let r =
                            self.call_ex(callable.raw(), selfv, &l, arg, kwargs.as_ref(), || {
                                (
                                    tuple_items(kwn).to_vec(),
                                    kwvals.iter().map(Obj::raw).collect(),
                                )
                            });
                        xdecref(selfv);
                        push!(tri!(r).into_raw());
                    }
                    op::DICT_UPDATE => {
                        let m = Obj::from_raw(pop!());
                        let d = peek!(arg as usize);
                        if m.kind() != kind::DICT {
                            break 'dispatch type_error(format!(
                                "'{}' object is not a mapping",
                                ops::type_name(m.raw())
                            ));
                        }
                        tri!(crate::vm::methods::update_from_with(
                            d,
                            m.raw(),
                            &mut crate::vm::iter::collect
                        ));
                    }
                    op::LIST_TO_TUPLE => {
                        let l = Obj::from_raw(pop!());
                        let items = list_items(l.raw())
                            .iter()
                            .map(|&x| Obj::new_ref(x))
                            .collect();
                        push!(new_tuple(items).into_raw());
                    }
                    op::BEFORE_WITH => {
                        let m = Obj::from_raw(pop!());
                        save_frame!();
                        let (exit, res) = tri!(self.before_with(m.raw()));
                        push!(exit.into_raw());
                        push!(res.into_raw());
                    }
                    op::WITH_EXCEPT_START => {
                        // [exit, exc]: exit(type(exc), exc, None).
                        let (exit, exc) = (peek!(2), top!());
                        save_frame!();
                        let ty = tri!(crate::vm::builtins::b_type(self, &[exc], None));
                        let r = tri!(self.call_object(exit, &[ty.raw(), exc, none_raw()], None));
                        push!(r.into_raw());
                    }
                    op::DICT_MERGE => {
                        let m = Obj::from_raw(pop!());
                        let d = peek!(arg as usize);
                        // CALL_EX's layout: [callable, self_or_NULL, positional, dict].
                        let (callable, selfv) = (peek!(arg as usize + 3), peek!(arg as usize + 2));
                        tri!(merge_kwargs(d, m.raw(), callable, selfv));
                    }
                    op::MAKE_FUNCTION => {
                        let code_obj = Obj::from_raw(pop!());
                        // The tuple of cells (owned) or 0.
                        let closure = if arg & 2 != 0 { pop!() } else { 0 };
                        let kwdefaults = (arg & 4 != 0).then(|| Obj::from_raw(pop!()));
                        let defaults = if arg & 1 != 0 {
                            let t = Obj::from_raw(pop!());
                            tuple_items(t.raw())
                                .iter()
                                .map(|&c| Obj::new_ref(c))
                                .collect()
                        } else {
                            Vec::new()
                        };
                        // SAFETY: globals is a dict.
                        let globals = Obj::new_ref(unsafe { (*frame).globals as u64 });
                        let has_closure = closure != 0 && !tuple_items(closure).is_empty();
                        let f = box_obj(FuncObj {
                            ob: hdr(kind::FUNCTION),
                            code: code_obj,
                            globals,
                            closure,
                            defaults,
                            kwdefaults,
                        });
                        if has_closure {
                            register_closure(f);
                        }
                        push!(f);
                    }
                    op::RETURN_VALUE => {
                        let rv = pop!();
                        save_frame!();
                        let done = frame == entry;
                        let prev = unsafe { (*frame).previous };
                        if done {
                            // SAFETY: frame is the top frame (a generator's
                            // lives in its generator object).
                            unsafe {
                                if code.is_generator {
                                    self.finish_gen_frame(frame);
                                } else {
                                    self.pop_frame(frame);
                                }
                            }
                            return Ok(Obj::from_raw(rv));
                        }
                        // SAFETY: frame is the top frame.
                        unsafe { self.pop_frame(frame) };
                        frame = prev;
                        load_frame!();
                        push!(rv);
                    }
                    op::FORMAT_VALUE => {
                        let spec = if arg & 4 != 0 {
                            Some(Obj::from_raw(pop!()))
                        } else {
                            None
                        };
                        let v = Obj::from_raw(pop!());
                        let s = match arg & 3 {
                            1 => tri!(crate::vm::text::to_str(v.raw())),
                            2 | 3 => tri!(crate::vm::text::repr(v.raw())),
                            _ => {
                                if spec.is_none() && v.kind() == kind::STR {
                                    push!(v.into_raw());
                                    continue 'dispatch;
                                }
                                let sp_s =
                                    spec.as_ref().map(|s| ops::str_of(s.raw())).unwrap_or("");
                                tri!(crate::vm::text::format_value(v.raw(), sp_s))
                            }
                        };
                        let s = if arg & 3 != 0 {
                            if let Some(sp_o) = &spec {
                                let tmp = new_str(s);
                                tri!(crate::vm::text::format_value(
                                    tmp.raw(),
                                    ops::str_of(sp_o.raw())
                                ))
                            } else {
                                s
                            }
                        } else {
                            s
                        };
                        push!(new_str(s).into_raw());
                    }
                    op::BUILD_STRING => {
                        let n = arg as usize;
                        sp = unsafe { sp.sub(n) };
                        let mut s = String::new();
                        for i in 0..n {
                            // SAFETY: n owned str items above sp.
                            let v = unsafe { *sp.add(i) };
                            s.push_str(ops::str_of(v));
                            decref(v);
                        }
                        push!(new_str(s).into_raw());
                    }
                    op::RAISE_ASSERT => {
                        let msg = if arg == 1 {
                            let m = Obj::from_raw(pop!());
                            tri!(crate::vm::text::to_str(m.raw()))
                        } else {
                            String::new()
                        };
                        break 'dispatch err(ExcKind::AssertionError, msg);
                    }
                    op::RAISE => {
                        if arg == 0 {
                            match self.handling.last() {
                                Some(e) => {
                                    let mut e = crate::vm::builtins::exc_to_err(e.clone());
                                    e.reraise = true;
                                    break 'dispatch e;
                                }
                                None => {
                                    break 'dispatch err(
                                        ExcKind::RuntimeError,
                                        "No active exception to reraise",
                                    )
                                }
                            }
                        }
                        let cause = (arg == 2).then(|| Obj::from_raw(pop!()));
                        let v = Obj::from_raw(pop!());
                        let e = tri!(crate::vm::builtins::make_raise(self, v));
                        match cause {
                            Some(c) => {
                                break 'dispatch tri!(crate::vm::builtins::set_cause(self, e, c))
                            }
                            None => break 'dispatch e,
                        }
                    }
                    op::SETUP_EXCEPT | op::POP_EXCEPT_BLOCK => {}
                    op::CHECK_EXC_MATCH => {
                        let ty = Obj::from_raw(pop!());
                        let e = top!();
                        let r = tri!(crate::vm::builtins::exc_matches(e, ty.raw()));
                        push!(bool_raw(r));
                    }
                    op::POP_EXCEPT => {
                        self.handling.pop();
                    }
                    op::RERAISE => {
                        let e = Obj::from_raw(pop!());
                        self.handling.pop();
                        let mut e = crate::vm::builtins::exc_to_err(e);
                        e.reraise = true;
                        break 'dispatch e;
                    }
                    _ => {
                        break 'dispatch err(
                            ExcKind::RuntimeError,
                            format!("bad opcode {}", opcode(w)),
                        );
                    }
                }
            };
            // ---- error: unwind to a handler or out of `entry` ----
            let mut e = error;
            // Raised while another is handled: that one is its `__context__`.
            if !e.reraise {
                if let Some(h) = self.handling.last() {
                    crate::vm::builtins::chain_context(&mut e, h);
                }
            }
            loop {
                save_frame!();
                if STEP && frame == entry {
                    return Err(e);
                }
                // SAFETY: ip points into this frame's instructions.
                let at = (unsafe { ip.offset_from(instrs) } as usize).saturating_sub(1) as u32;
                let handler = code
                    .handlers
                    .iter()
                    .find(|h| h.0 <= at && at < h.1)
                    .copied();
                let line = code.lines.get(at as usize).copied().unwrap_or(0);
                // A re-raise's traceback already has this frame's entry.
                if !std::mem::take(&mut e.reraise) {
                    e.traceback
                        .push((code.filename.clone(), line, code.name.clone()));
                }
                if let Some((_, _, target, depth)) = handler {
                    // Cut the stack to the handler depth.
                    let base = unsafe { lp.add(code.nlocalsplus() + depth as usize) };
                    while sp > base {
                        let v = pop!();
                        xdecref(v);
                    }
                    let exc = crate::vm::builtins::caught(*e);
                    self.handling.push(exc.clone());
                    push!(exc.into_raw());
                    ip = unsafe { instrs.add(target as usize) };
                    continue 'outer;
                }
                let done = frame == entry;
                let prev = unsafe { (*frame).previous };
                if done {
                    // SAFETY: frame is the top frame (a generator's lives in
                    // its generator object).
                    unsafe {
                        if code.is_generator {
                            self.finish_gen_frame(frame);
                        } else {
                            self.pop_frame(frame);
                        }
                    }
                    return Err(e);
                }
                // SAFETY: frame is the top frame.
                unsafe { self.pop_frame(frame) };
                frame = prev;
                load_frame!();
                let _ = &mut e;
            }
        }
    }

    /// Prints an uncaught exception the way CPython does: its chain of
    /// causes and contexts first, oldest first.
    pub fn print_exception(&mut self, e: &PyErr) {
        self.flush();
        let mut s = String::new();
        let mut seen = Vec::new();
        if let Some(v) = &e.value {
            seen.push(v.raw());
            self.format_chain(v.raw(), &mut seen, &mut s);
        }
        // An instance of a user exception class prints its class's name.
        let name = match &e.value {
            Some(v) if crate::vm::class::is_user_exc(v.raw()) => ops::type_name(v.raw()),
            _ => e.kind.name(),
        };
        self.format_tb(&e.traceback, name, &e.msg, &mut s);
        let _ = std::io::stderr().write_all(s.as_bytes());
    }

    /// Appends the exceptions exception object `v` was chained to (its
    /// cause, else its unsuppressed context), each with the line that joins
    /// it to the next; `seen` stops a cycle.
    fn format_chain(&self, v: u64, seen: &mut Vec<u64>, s: &mut String) {
        // SAFETY: v is an exception object.
        let x = unsafe { cast::<ExcObj>(v) };
        let (next, joint) = match (&x.cause, &x.context) {
            (Some(c), _) => (
                c.raw(),
                "The above exception was the direct cause of the following exception:",
            ),
            (None, Some(c)) if !x.suppress_context => (
                c.raw(),
                "During handling of the above exception, another exception occurred:",
            ),
            _ => return,
        };
        if seen.contains(&next) {
            return;
        }
        seen.push(next);
        self.format_chain(next, seen, s);
        // SAFETY: next is an exception object.
        let y = unsafe { cast::<ExcObj>(next) };
        let msg = crate::vm::builtins::exc_message(next);
        self.format_tb(&y.traceback, ops::type_name(next), &msg, s);
        s.push('\n');
        s.push_str(joint);
        s.push_str("\n\n");
    }

    /// Appends one exception's traceback and its `Type: message` line.
    fn format_tb(&self, tb: &[crate::vm::error::TbEntry], name: &str, msg: &str, s: &mut String) {
        if !tb.is_empty() {
            s.push_str("Traceback (most recent call last):\n");
        }
        // As CPython's `tb_print_internal`: the innermost `sys.tracebacklimit`
        // (1000) entries, and a run of more than 3 identical entries
        // collapsed into "[Previous line repeated N more times]".
        const LIMIT: usize = 1000;
        const CUTOFF: usize = 3;
        let repeated = |s: &mut String, n: usize| {
            let n = n - CUTOFF;
            let times = if n > 1 { "times" } else { "time" };
            s.push_str(&format!("  [Previous line repeated {n} more {times}]\n"));
        };
        let mut last = None;
        let mut count = 0;
        for entry in tb.iter().take(LIMIT).rev() {
            if last != Some(entry) {
                if count > CUTOFF {
                    repeated(s, count);
                }
                last = Some(entry);
                count = 0;
            }
            count += 1;
            if count > CUTOFF {
                continue;
            }
            let (file, line, name) = entry;
            s.push_str(&format!(
                "  File \"{}\", line {}, in {}\n",
                file, line, name
            ));
            if let Some(src) = self.source_lines.get((*line as usize).wrapping_sub(1)) {
                let t = src.trim();
                if !t.is_empty() {
                    s.push_str(&format!("    {}\n", t));
                }
            }
        }
        if count > CUTOFF {
            repeated(s, count);
        }
        if msg.is_empty() {
            s.push_str(&format!("{}\n", name));
        } else {
            s.push_str(&format!("{}: {}\n", name, msg));
        }
    }

    /// Releases everything the VM owns (for leak checking at exit).
    pub fn teardown(&mut self) {
        crate::vm::modules::clear();
        self.handling.clear();
        self.methods.clear();
        // SAFETY: builtins is a dict.
        unsafe { dict_mut(self.builtins.raw()).clear() };
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        crate::vm::thread_vm::clear(self);
    }
}

/// Whether a generic instruction whose specialization missed is still
/// backing off (counting its cache's counter down) rather than specializing.
#[inline(always)]
fn backing_off(c: &mut Cache) -> bool {
    if c.counter > 0 {
        c.counter -= 1;
        return true;
    }
    false
}

/// Outcome masks per comparison: bit 0 when less, bit 1 when equal, bit 2 when greater.
const CMP_MASKS: [u8; 6] = [0b001, 0b011, 0b010, 0b101, 0b100, 0b110];

/// `x <op> y` for machine ints, without a branch on `op`.
#[inline(always)]
fn int_cmp_result(x: i64, y: i64, op: u32) -> bool {
    let idx = (x > y) as u32 * 2 + (x == y) as u32;
    (CMP_MASKS[(op as usize).min(5)] >> idx) & 1 == 1
}

/// The `UnboundLocalError` for fast local `arg`.
#[cold]
fn unbound_local(code: &Code, arg: u32) -> Box<PyErr> {
    err(
        ExcKind::UnboundLocalError,
        format!(
            "cannot access local variable '{}' where it is not associated with a value",
            code.varnames
                .get(arg as usize)
                .map(String::as_str)
                .unwrap_or("?")
        ),
    )
}

/// Rewrites a generic BINARY_OP at `at` to a specialized form for these operands.
fn specialize_binary(instrs: *mut u32, at: usize, a: u64, b: u64, arg: u32) {
    let base = arg & 15;
    let new = if a & b & 1 == 1 {
        match base {
            binop::ADD => op::BINARY_OP_ADD_INT,
            binop::SUB => op::BINARY_OP_SUBTRACT_INT,
            binop::MUL => op::BINARY_OP_MULTIPLY_INT,
            binop::AND => op::BINARY_OP_AND_INT,
            binop::RSHIFT => op::BINARY_OP_RSHIFT_INT,
            binop::FLOORDIV => op::BINARY_OP_FLOOR_DIVIDE_INT,
            binop::MOD => op::BINARY_OP_MOD_INT,
            binop::POW => op::BINARY_OP_POWER_INT,
            _ => return,
        }
    } else if kind_of(a) == kind::FLOAT && kind_of(b) == kind::FLOAT {
        match base {
            binop::ADD => op::BINARY_OP_ADD_FLOAT,
            binop::SUB => op::BINARY_OP_SUBTRACT_FLOAT,
            binop::MUL => op::BINARY_OP_MULTIPLY_FLOAT,
            binop::TRUEDIV => op::BINARY_OP_TRUE_DIVIDE_FLOAT,
            _ => return,
        }
    } else if kind_of(a) == kind::STR && kind_of(b) == kind::STR && base == binop::ADD {
        op::BINARY_OP_ADD_STR
    } else {
        return;
    };
    // SAFETY: at < instrs.len().
    unsafe {
        *instrs.add(at) = encode(new, arg);
    }
}

/// CPython's `missing_arguments`: the error for the parameters at `slots`
/// (of `c`) that a call left unbound, of `kind` ("positional" or
/// "keyword-only").
fn missing_arguments(qual: &str, c: &Code, slots: &[usize], kind: &str) -> Box<PyErr> {
    let names: Vec<String> = slots
        .iter()
        .map(|&i| format!("'{}'", c.varnames[i]))
        .collect();
    let n = names.len();
    let list = match n {
        1 => names[0].clone(),
        2 => format!("{} and {}", names[0], names[1]),
        _ => format!("{}, and {}", names[..n - 1].join(", "), names[n - 1]),
    };
    type_error(format!(
        "{qual}() missing {n} required {kind} argument{}: {list}",
        if n == 1 { "" } else { "s" }
    ))
}

/// CPython's `_PyObject_FunctionStr` for a call's callable (and the
/// receiver `selfv` a `LOAD_METHOD` pushed under it, or 0): how errors of
/// argument unpacking name the function.
fn function_str(callable: u64, selfv: u64) -> String {
    match kind_of(callable) {
        // Every Python function is defined in the program's one module.
        // SAFETY: kind checked; its code is a code object.
        kind::FUNCTION => format!("__main__.{}()", unsafe {
            &cast::<CodeObj>(cast::<FuncObj>(callable).code.raw())
                .code
                .qualname
        }),
        kind::BUILTIN => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BuiltinObj>(callable) };
            if selfv != 0 && b.self_kind != 0 {
                format!("{}.{}()", ops::type_name(selfv), b.name)
            } else {
                format!("{}()", b.name)
            }
        }
        KIND_BOUND => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BoundObj>(callable) };
            function_str(b.func.raw(), b.self_.raw())
        }
        _ => format!("{}()", ops::type_name(callable)),
    }
}

/// The items of the iterable after a `*` in a call or display, with
/// CPython's message when it is not iterable: "Value after * must be an
/// iterable", or for the only argument of a call (`call`: its callable
/// and receiver) "f() argument after * must be an iterable".
fn star_items(vm: &mut Vm, v: u64, call: Option<(u64, u64)>) -> PyResult<Vec<Obj>> {
    if let Err(e) = crate::vm::iter::get_iter(v) {
        if e.kind != ExcKind::TypeError {
            return Err(e);
        }
        return Err(type_error(match call {
            Some((f, s)) => format!(
                "{} argument after * must be an iterable, not {}",
                function_str(f, s),
                ops::type_name(v)
            ),
            None => format!(
                "Value after * must be an iterable, not {}",
                ops::type_name(v)
            ),
        }));
    }
    crate::vm::iter::collect_vm(vm, v)
}

/// `DICT_MERGE`: merges the mapping `m` into the keyword dict `d` of a call
/// of `callable` (receiver `selfv`, or 0), with CPython's messages: a
/// mapping is required, and a name may come only once.
fn merge_kwargs(d: u64, m: u64, callable: u64, selfv: u64) -> PyResult<()> {
    let entries: Vec<(u64, u64)> = match kind_of(m) {
        // SAFETY: kind checked.
        kind::DICT => unsafe { dict_mut(m) }
            .live()
            .map(|e| (e.key, e.value))
            .collect(),
        _ => {
            return Err(type_error(format!(
                "{} argument after ** must be a mapping, not {}",
                function_str(callable, selfv),
                ops::type_name(m)
            )))
        }
    };
    for (k, v) in entries {
        // SAFETY: d is the call's own new dict (not m: m is a mapping the
        // program made, d was built by the call).
        let t = unsafe { dict_mut(d) };
        if t.get(k)?.is_some() {
            return Err(type_error(format!(
                "{} got multiple values for keyword argument '{}'",
                function_str(callable, selfv),
                crate::vm::text::to_str(k)?
            )));
        }
        t.set(Obj::new_ref(k), Obj::new_ref(v))?;
    }
    Ok(())
}

/// A call's keyword dict as names and values (borrowed from the dict),
/// its keys required to be strings ("keywords must be strings").
fn keyword_items(d: u64) -> PyResult<(Vec<u64>, Vec<u64>)> {
    // SAFETY: CALL_EX's keyword operand is the dict DICT_MERGE built.
    let t = unsafe { dict_mut(d) };
    if t.live().any(|e| kind_of(e.key) != kind::STR) {
        return Err(type_error("keywords must be strings"));
    }
    Ok(t.live().map(|e| (e.key, e.value)).unzip())
}
