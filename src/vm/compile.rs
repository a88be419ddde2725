//! The bytecode compiler: AST (from the ruff parser) to [`Code`] objects.

use crate::vm::bytecode::{binop, call_ex, cmp, encode, op, oparg, opcode, Cache, Code, MAX_ARG};
use crate::vm::obj::{self, new_str, new_tuple, Obj};
use crate::vm::scope::{self, key_of, ScopeInfo, Scopes};
use crate::vm::types::{CodeObj, KIND_CODE};
use ruff_python_ast::{self as ast, CmpOp, Expr, Number, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};
use std::cell::UnsafeCell;
use std::rc::Rc;

/// Why a program could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// A syntax error from the parser (or one the compiler detects).
    #[error("File \"{file}\", line {line}\nSyntaxError: {msg}")]
    Syntax {
        /// File name.
        file: String,
        /// 1-based line.
        line: u32,
        /// Message.
        msg: String,
    },
    /// A construct this VM does not implement.
    #[error("{file}:{line}: unsupported construct: {what} (outside the cpjit Python subset)")]
    Unsupported {
        /// File name.
        file: String,
        /// 1-based line.
        line: u32,
        /// What it is.
        what: String,
    },
}

/// Parses and compiles a module; returns its code object (kind CODE).
pub fn compile_module(source: &str, filename: &str) -> Result<Obj, CompileError> {
    let lines = LineMap::new(source);
    // Parse as Python 3.11: newer syntax (e.g. 3.12 f-string quoting) is a SyntaxError.
    let options = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module)
        .with_target_version(ruff_python_ast::PythonVersion::PY311);
    let parsed = ruff_python_parser::parse(source, options).map_err(|e| CompileError::Syntax {
        file: filename.to_string(),
        line: lines.line(e.location.start().to_u32()),
        msg: e.error.to_string(),
    })?;
    if let Some(u) = parsed.unsupported_syntax_errors().first() {
        return Err(CompileError::Syntax {
            file: filename.to_string(),
            line: lines.line(u.range.start().to_u32()),
            msg: u.to_string(),
        });
    }
    let Some(parsed) = parsed.try_into_module() else {
        return Err(CompileError::Syntax {
            file: filename.to_string(),
            line: 1,
            msg: "expected a module".to_string(),
        });
    };
    let module = parsed.into_syntax();
    let scopes = scope::analyze(&module.body);
    let file: Rc<str> = Rc::from(filename);
    let _interning = Interning::start();
    let mut c = Compiler {
        src: source,
        lines: &lines,
        scopes: &scopes,
        file: file.clone(),
        unit: Unit::new(0, "<module>".into(), "<module>".into()),
    };
    c.stmts(&module.body)?;
    c.load_const_obj(Obj::none());
    c.emit(op::RETURN_VALUE, 0);
    Ok(c.finish(&[]))
}

thread_local! {
    /// The str constants and names of the module being compiled, by text.
    static INTERNED: std::cell::RefCell<Option<std::collections::HashMap<String, Obj>>> =
        const { std::cell::RefCell::new(None) };
}

/// While alive, equal str constants and names of one compilation are one
/// object (as CPython interns identifier-like constants), so dict lookups
/// by a literal key (`stats["sent"]`, globals by name) find the stored key
/// by identity. The table goes when the compilation ends; the code objects
/// keep their references.
struct Interning {
    outer: bool,
}

impl Interning {
    fn start() -> Interning {
        let outer = INTERNED.with(|t| {
            let mut t = t.borrow_mut();
            let outer = t.is_none();
            if outer {
                *t = Some(Default::default());
            }
            outer
        });
        Interning { outer }
    }
}

impl Drop for Interning {
    fn drop(&mut self) {
        if self.outer {
            let table = INTERNED.with(|t| t.borrow_mut().take());
            drop(table);
        }
    }
}

/// The str object of a constant or name `text`: the one already made in
/// this compilation if any.
fn const_str(text: &str) -> Obj {
    INTERNED.with(|t| match t.borrow_mut().as_mut() {
        Some(m) => m
            .entry(text.to_string())
            .or_insert_with(|| new_str(text))
            .clone(),
        None => new_str(text),
    })
}

/// Byte offset to line number.
struct LineMap {
    starts: Vec<u32>,
}

impl LineMap {
    fn new(src: &str) -> LineMap {
        let mut starts = vec![0];
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            }
        }
        LineMap { starts }
    }
    fn line(&self, off: u32) -> u32 {
        match self.starts.binary_search(&off) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }
}

struct LoopCtx {
    continue_target: u32,
    breaks: Vec<usize>,
    is_for: bool,
    /// How many `try`/`finally` contexts enclose the loop (`break` and
    /// `continue` run the finally bodies of the ones above this).
    fin_depth: usize,
}

/// A `try`/`finally` context the code being compiled is inside.
enum FinCtx {
    /// A protected region (of a `try`): the finally body, if any (run
    /// inline by `return`, `break` and `continue` that leave it), the
    /// closed ranges of the region so far (inline finally copies are
    /// outside it) and where the open range starts.
    Try {
        body: Option<Vec<Stmt>>,
        ranges: Vec<(u32, u32)>,
        open: u32,
        /// An `except` clause's body: the exception it handles is
        /// current (`POP_EXCEPT` ends that on every way out).
        pop_except: bool,
        /// A `with` statement's body (the statement's range): its
        /// `__exit__` is under the body's stack, and every way
        /// out calls `__exit__(None, None, None)`.
        exit: Option<TextRange>,
        /// An `except ... as name:` body: every way out unbinds the name.
        unbind: Option<String>,
    },
    /// The exception path's finally body: the exception is on the stack
    /// and being handled; leaving by `return`/`break`/`continue` drops it.
    Cleanup,
}

struct Unit {
    scope: usize,
    name: Rc<str>,
    qualname: Rc<str>,
    instrs: Vec<u32>,
    lines: Vec<u32>,
    consts: Vec<Obj>,
    names: Vec<String>,
    line: u32,
    loops: Vec<LoopCtx>,
    handlers: Vec<(u32, u32, u32, u32)>,
    depth_in_try: u32,
    finallies: Vec<FinCtx>,
    /// A generator expression's code (a generator function's comes from
    /// its scope).
    generator: bool,
    /// The generator expression (by range) the call being compiled passes
    /// to a consumer that takes all of it at once (see `CompKind::EagerGen`).
    eager_genexpr: Option<TextRange>,
}

impl Unit {
    fn new(scope: usize, name: Rc<str>, qualname: Rc<str>) -> Unit {
        Unit {
            scope,
            name,
            qualname,
            instrs: Vec::new(),
            lines: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            line: 1,
            loops: Vec::new(),
            handlers: Vec::new(),
            depth_in_try: 0,
            finallies: Vec::new(),
            generator: false,
            eager_genexpr: None,
        }
    }
}

struct Compiler<'a> {
    src: &'a str,
    lines: &'a LineMap,
    scopes: &'a Scopes,
    file: Rc<str>,
    unit: Unit,
}

enum NameOp {
    Fast(u32),
    Deref(u32),
    Global(u32),
    /// A class body's namespace.
    Name(u32),
}

type CResult<T = ()> = Result<T, CompileError>;

fn binop_of(o: Operator) -> u32 {
    match o {
        Operator::Add => binop::ADD,
        Operator::Sub => binop::SUB,
        Operator::Mult => binop::MUL,
        Operator::MatMult => binop::MATMUL,
        Operator::Div => binop::TRUEDIV,
        Operator::Mod => binop::MOD,
        Operator::Pow => binop::POW,
        Operator::LShift => binop::LSHIFT,
        Operator::RShift => binop::RSHIFT,
        Operator::BitOr => binop::OR,
        Operator::BitXor => binop::XOR,
        Operator::BitAnd => binop::AND,
        Operator::FloorDiv => binop::FLOORDIV,
    }
}

impl<'a> Compiler<'a> {
    fn scope(&self) -> &'a ScopeInfo {
        &self.scopes.list[self.unit.scope]
    }

    fn emit(&mut self, o: u8, arg: u32) -> usize {
        self.unit.instrs.push(encode(o, arg));
        self.unit.lines.push(self.unit.line);
        self.unit.instrs.len() - 1
    }

    fn here(&self) -> u32 {
        self.unit.instrs.len() as u32
    }

    /// Points the jump at `at` to the current position.
    fn patch(&mut self, at: usize) {
        let target = self.here();
        let w = self.unit.instrs[at];
        self.unit.instrs[at] = encode(opcode(w), target);
    }

    fn set_line(&mut self, r: TextRange) {
        self.unit.line = self.lines.line(r.start().to_u32());
    }

    fn unsupported<T>(&self, r: TextRange, what: &str) -> CResult<T> {
        Err(CompileError::Unsupported {
            file: self.file.to_string(),
            line: self.lines.line(r.start().to_u32()),
            what: what.to_string(),
        })
    }

    fn syntax<T>(&self, r: TextRange, msg: &str) -> CResult<T> {
        Err(CompileError::Syntax {
            file: self.file.to_string(),
            line: self.lines.line(r.start().to_u32()),
            msg: msg.to_string(),
        })
    }

    /// CPython's compile-time errors for a `yield` outside a function body.
    fn check_yield(&self, r: TextRange) -> CResult {
        if !self.scope().is_function {
            return self.syntax(r, "'yield' outside function");
        }
        let inside = match &*self.unit.name {
            "<listcomp>" => "list comprehension",
            "<setcomp>" => "set comprehension",
            "<dictcomp>" => "dict comprehension",
            "<genexpr>" => "generator expression",
            _ => return Ok(()),
        };
        self.syntax(r, &format!("'yield' inside {inside}"))
    }

    fn load_const_obj(&mut self, o: Obj) {
        let idx = self
            .unit
            .consts
            .iter()
            .position(|c| same_const(c, &o))
            .unwrap_or_else(|| {
                self.unit.consts.push(o);
                self.unit.consts.len() - 1
            });
        self.emit(op::LOAD_CONST, idx as u32);
    }

    fn name_idx(&mut self, n: &str) -> u32 {
        if let Some(i) = self.unit.names.iter().position(|x| x == n) {
            return i as u32;
        }
        self.unit.names.push(n.to_string());
        (self.unit.names.len() - 1) as u32
    }

    fn resolve(&mut self, n: &str) -> NameOp {
        let s = self.scope();
        if s.is_class {
            if let Some(i) = s.cells.iter().position(|x| x == n) {
                return NameOp::Deref(self.nfast() + i as u32);
            }
            if !s.bound.contains(n) {
                if let Some(i) = s.frees.iter().position(|x| x == n) {
                    return NameOp::Deref(self.nfast() + s.cells.len() as u32 + i as u32);
                }
            }
            if s.globals.contains(n) {
                return NameOp::Global(self.name_idx(n));
            }
            return NameOp::Name(self.name_idx(n));
        }
        if !s.is_function {
            return NameOp::Global(self.name_idx(n));
        }
        if let Some(i) = s.cells.iter().position(|x| x == n) {
            return NameOp::Deref(self.nfast() + i as u32);
        }
        if let Some(i) = s.frees.iter().position(|x| x == n) {
            return NameOp::Deref(self.nfast() + s.cells.len() as u32 + i as u32);
        }
        if !s.globals.contains(n) {
            if let Some(i) = self.fast_names().iter().position(|x| x == n) {
                return NameOp::Fast(i as u32);
            }
        }
        NameOp::Global(self.name_idx(n))
    }

    fn fast_names(&self) -> Vec<String> {
        let s = self.scope();
        s.locals
            .iter()
            .filter(|n| s.params.contains(n) || !s.cells.contains(n))
            .cloned()
            .collect()
    }

    fn nfast(&self) -> u32 {
        self.fast_names().len() as u32
    }

    fn load_name(&mut self, n: &str) {
        match self.resolve(n) {
            NameOp::Fast(i) => self.emit(op::LOAD_FAST, i),
            NameOp::Deref(i) => self.emit(op::LOAD_DEREF, i),
            NameOp::Global(i) => self.emit(op::LOAD_GLOBAL, i),
            NameOp::Name(i) => self.emit(op::LOAD_NAME, i),
        };
    }

    fn store_name(&mut self, n: &str) {
        match self.resolve(n) {
            NameOp::Fast(i) => self.emit(op::STORE_FAST, i),
            NameOp::Deref(i) => self.emit(op::STORE_DEREF, i),
            NameOp::Global(i) => self.emit(op::STORE_GLOBAL, i),
            NameOp::Name(i) => self.emit(op::STORE_NAME, i),
        };
    }

    fn finish(self, _params: &[String]) -> Obj {
        let s = &self.scopes.list[self.unit.scope];
        let varnames = if s.is_function || s.is_class {
            s.locals
                .iter()
                .filter(|n| s.params.contains(n) || !s.cells.contains(n))
                .cloned()
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let cell2arg = s
            .cells
            .iter()
            .map(|c| s.params.iter().position(|p| p == c).map(|i| i as u32))
            .collect();
        let mut handlers = self.unit.handlers.clone();
        let (max_depth, depths) = stack_depths(&self.unit.instrs, &mut handlers);
        let stacksize = max_depth + 2;
        let sig = s.sig;
        let argcount = s.params.len() as u32 - sig.kwonly - sig.varargs as u32 - sig.varkw as u32;
        let varargs = sig.varargs.then_some(argcount + sig.kwonly);
        let varkw = sig
            .varkw
            .then_some(argcount + sig.kwonly + sig.varargs as u32);
        let plain = sig.kwonly == 0 && !sig.varargs && !sig.varkw;
        let exact_argcount = if plain { argcount } else { u32::MAX };
        let base_case = crate::vm::tier2::base_case::base_case(
            &self.unit.instrs,
            &self.unit.consts,
            argcount,
            !plain,
            s.cells.len(),
        );
        let mut instrs = self.unit.instrs;
        crate::vm::bytecode::quicken(&mut instrs);
        let n = instrs.len();
        let nlocalsplus = varnames.len() + s.cells.len() + s.frees.len();
        let code = Code {
            instrs: UnsafeCell::new(instrs),
            caches: UnsafeCell::new(vec![Cache::default(); n]),
            lines: self.unit.lines,
            consts: self.unit.consts,
            names: self
                .unit
                .names
                .iter()
                .map(|n| const_str(n.as_str()))
                .collect(),
            varnames,
            cellvars: s.cells.clone(),
            freevars: s.frees.clone(),
            cell2arg,
            argcount,
            posonlyargcount: sig.posonly,
            kwonlyargcount: sig.kwonly,
            varargs,
            varkw,
            exact_argcount,
            stacksize,
            depths,
            name: self.unit.name.clone(),
            qualname: self.unit.qualname.clone(),
            filename: self.file.clone(),
            handlers,
            is_generator: s.is_generator || self.unit.generator,
            entry: crate::vm::bytecode::EntrySlot::new(
                nlocalsplus,
                stacksize,
                s.cells.len(),
                s.frees.len(),
            )
            .with_base_case(base_case),
        };
        let code = Obj::from_raw(obj::box_obj(CodeObj {
            ob: obj::hdr(KIND_CODE),
            code,
        }));
        // SAFETY: the code object is boxed (it never moves) and its slot is
        // the entry of its code.
        unsafe {
            obj::cast::<CodeObj>(code.raw())
                .code
                .entry
                .set_code(code.raw())
        };
        code
    }

    // ---- statements ----

    fn stmts(&mut self, b: &[Stmt]) -> CResult {
        for s in b {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> CResult {
        self.set_line(s.range());
        match s {
            Stmt::Expr(e) => {
                self.expr(&e.value)?;
                self.emit(op::POP_TOP, 0);
            }
            Stmt::Assign(a) => {
                if a.targets.len() == 1 {
                    if let Some(()) = self.try_swap_assign(&a.targets[0], &a.value)? {
                        return Ok(());
                    }
                }
                self.expr(&a.value)?;
                for (i, t) in a.targets.iter().enumerate() {
                    if i + 1 < a.targets.len() {
                        self.emit(op::COPY, 1);
                    }
                    self.store_target(t)?;
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v)?;
                    self.store_target(&a.target)?;
                }
            }
            Stmt::AugAssign(a) => {
                let o = binop_of(a.op) | binop::INPLACE;
                match &*a.target {
                    Expr::Name(n) => {
                        self.load_name(&n.id);
                        self.expr(&a.value)?;
                        self.emit(op::BINARY_OP, o);
                        self.store_name(&n.id);
                    }
                    Expr::Subscript(sub) => {
                        self.expr(&sub.value)?;
                        self.expr(&sub.slice)?;
                        self.emit(op::COPY, 2);
                        self.emit(op::COPY, 2);
                        self.emit(op::BINARY_SUBSCR, 0);
                        self.expr(&a.value)?;
                        self.emit(op::BINARY_OP, o);
                        self.emit(op::SWAP, 3);
                        self.emit(op::SWAP, 2);
                        self.emit(op::STORE_SUBSCR, 0);
                    }
                    Expr::Attribute(at) => {
                        self.expr(&at.value)?;
                        self.emit(op::COPY, 1);
                        let i = self.name_idx(&at.attr.id);
                        self.emit(op::LOAD_ATTR, i);
                        self.expr(&a.value)?;
                        self.emit(op::BINARY_OP, o);
                        self.emit(op::SWAP, 2);
                        self.emit(op::STORE_ATTR, i);
                    }
                    other => {
                        return self
                            .unsupported(other.range(), "augmented assignment to this target")
                    }
                }
            }
            Stmt::If(i) => {
                let mut ends = Vec::new();
                let mut next = self.jump_if(&i.test, false)?;
                self.stmts(&i.body)?;
                for clause in &i.elif_else_clauses {
                    ends.push(self.emit(op::JUMP_FORWARD, 0));
                    for j in next.drain(..) {
                        self.patch(j);
                    }
                    self.set_line(clause.range);
                    if let Some(t) = &clause.test {
                        next = self.jump_if(t, false)?;
                    }
                    self.stmts(&clause.body)?;
                }
                for j in next {
                    self.patch(j);
                }
                for j in ends {
                    self.patch(j);
                }
            }
            Stmt::While(w) => {
                let top = self.here();
                let always = matches!(&*w.test, Expr::BooleanLiteral(b) if b.value);
                let exits = if always {
                    Vec::new()
                } else {
                    self.jump_if(&w.test, false)?
                };
                self.unit.loops.push(LoopCtx {
                    continue_target: top,
                    breaks: Vec::new(),
                    is_for: false,
                    fin_depth: self.unit.finallies.len(),
                });
                self.stmts(&w.body)?;
                self.set_line(w.range);
                self.emit(op::JUMP_BACKWARD, top);
                let ctx = self.unit.loops.pop().map(|c| c.breaks).unwrap_or_default();
                for j in exits {
                    self.patch(j);
                }
                self.stmts(&w.orelse)?;
                for j in ctx {
                    self.patch(j);
                }
            }
            Stmt::For(f) => {
                if f.is_async {
                    return self.unsupported(f.range, "async for");
                }
                self.iter_expr(&f.iter)?;
                self.emit(op::GET_ITER, 0);
                let top = self.here();
                let fi = self.emit(op::FOR_ITER, 0);
                self.store_target(&f.target)?;
                self.unit.loops.push(LoopCtx {
                    continue_target: top,
                    breaks: Vec::new(),
                    is_for: true,
                    fin_depth: self.unit.finallies.len(),
                });
                self.stmts(&f.body)?;
                self.set_line(f.range);
                self.emit(op::JUMP_BACKWARD, top);
                let ctx = self.unit.loops.pop().map(|c| c.breaks).unwrap_or_default();
                self.patch(fi);
                self.stmts(&f.orelse)?;
                for j in ctx {
                    self.patch(j);
                }
            }
            Stmt::Break(b) => {
                let Some(l) = self.unit.loops.last() else {
                    return self.syntax(b.range, "'break' outside loop");
                };
                let (is_for, level) = (l.is_for, l.fin_depth);
                self.unwind_finallies(level, false)?;
                if is_for {
                    self.emit(op::POP_TOP, 0);
                }
                let j = self.emit(op::JUMP_FORWARD, 0);
                if let Some(l) = self.unit.loops.last_mut() {
                    l.breaks.push(j);
                }
                self.reopen_finallies(level);
            }
            Stmt::Continue(c) => {
                let Some(l) = self.unit.loops.last() else {
                    return self.syntax(c.range, "'continue' not properly in loop");
                };
                let (t, level) = (l.continue_target, l.fin_depth);
                self.unwind_finallies(level, false)?;
                self.emit(op::JUMP_BACKWARD, t);
                self.reopen_finallies(level);
            }
            Stmt::Pass(_) => {}
            Stmt::FunctionDef(f) => {
                if f.is_async {
                    return self.unsupported(f.range, "async def");
                }
                self.decorators(&f.decorator_list)?;
                self.function(f.range, &f.name.id, &f.parameters, FuncBody::Stmts(&f.body))?;
                self.apply_decorators(&f.decorator_list);
                self.store_name(&f.name.id);
            }
            Stmt::Return(r) => {
                if !self.scope().is_function {
                    return self.syntax(r.range, "'return' outside function");
                }
                match &r.value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const_obj(Obj::none()),
                }
                self.unwind_finallies(0, true)?;
                self.set_line(r.range);
                self.emit(op::RETURN_VALUE, 0);
                self.reopen_finallies(0);
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::Delete(d) => {
                for t in &d.targets {
                    match t {
                        Expr::Name(n) => match self.resolve(&n.id) {
                            NameOp::Fast(i) => {
                                self.emit(op::DELETE_FAST, i);
                            }
                            NameOp::Global(i) => {
                                self.emit(op::DELETE_GLOBAL, i);
                            }
                            NameOp::Deref(_) => {
                                return self.unsupported(n.range, "del of a closure variable")
                            }
                            NameOp::Name(i) => {
                                self.emit(op::DELETE_NAME, i);
                            }
                        },
                        Expr::Attribute(a) => {
                            self.expr(&a.value)?;
                            let i = self.name_idx(&a.attr.id);
                            self.emit(op::DELETE_ATTR, i);
                        }
                        Expr::Subscript(s) => {
                            self.expr(&s.value)?;
                            self.expr(&s.slice)?;
                            self.emit(op::DELETE_SUBSCR, 0);
                        }
                        other => return self.unsupported(other.range(), "del of this target"),
                    }
                }
            }
            Stmt::Assert(a) => {
                let ok = self.jump_if(&a.test, true)?;
                match &a.msg {
                    Some(m) => {
                        self.expr(m)?;
                        self.emit(op::RAISE_ASSERT, 1);
                    }
                    None => {
                        self.emit(op::RAISE_ASSERT, 0);
                    }
                }
                for j in ok {
                    self.patch(j);
                }
            }
            Stmt::Raise(r) => match (&r.exc, &r.cause) {
                (Some(e), Some(c)) => {
                    self.expr(e)?;
                    self.expr(c)?;
                    self.set_line(r.range);
                    self.emit(op::RAISE, 2);
                }
                (Some(e), None) => {
                    self.expr(e)?;
                    self.set_line(r.range);
                    self.emit(op::RAISE, 1);
                }
                (None, _) => {
                    self.emit(op::RAISE, 0);
                }
            },
            Stmt::Try(t) => self.try_stmt(t)?,
            Stmt::ClassDef(c) => self.class_def(c)?,
            Stmt::Import(i) => {
                for a in &i.names {
                    let idx = self.name_idx(&a.name.id);
                    self.emit(op::IMPORT_NAME, idx);
                    match &a.asname {
                        Some(n) => self.store_name(&n.id),
                        None => {
                            let top = a.name.id.split('.').next().unwrap_or_default().to_string();
                            self.store_name(&top);
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                if i.level != 0 {
                    return self.unsupported(i.range, "relative import");
                }
                let Some(m) = &i.module else {
                    return self.unsupported(i.range, "relative import");
                };
                let idx = self.name_idx(&m.id);
                self.emit(op::IMPORT_NAME, idx);
                for a in &i.names {
                    if &*a.name.id == "*" {
                        return self.unsupported(a.range, "import *");
                    }
                    let idx = self.name_idx(&a.name.id);
                    self.emit(op::IMPORT_FROM, idx);
                    let target = a.asname.as_ref().unwrap_or(&a.name);
                    self.store_name(&target.id);
                }
                self.emit(op::POP_TOP, 0);
            }
            Stmt::With(w) => {
                if w.is_async {
                    return self.unsupported(w.range, "async with");
                }
                self.with_stmt(w, &w.items)?;
            }
            Stmt::Match(m) => return self.unsupported(m.range, "match statement"),
            Stmt::TypeAlias(t) => return self.unsupported(t.range, "type alias"),
            Stmt::IpyEscapeCommand(i) => {
                return self.unsupported(i.range, "IPython escape command")
            }
        }
        Ok(())
    }

    /// Runs, inline, the finally bodies of the `try`/`finally` contexts
    /// from `level` up (innermost first) before a `return` (`has_value`:
    /// its value is on the stack) or a `break`/`continue` leaves them:
    /// each copy is outside its own region but inside the outer ones';
    /// leaving an exception path's finally body drops the exception.
    fn unwind_finallies(&mut self, level: usize, has_value: bool) -> CResult {
        for j in (level..self.unit.finallies.len()).rev() {
            let here = self.here();
            let mut unbind = None;
            let mut exit = None;
            let body = match &mut self.unit.finallies[j] {
                FinCtx::Try {
                    body,
                    ranges,
                    open,
                    pop_except,
                    exit: x,
                    unbind: u,
                } => {
                    if *open < here || ranges.is_empty() {
                        ranges.push((*open, here));
                    }
                    *open = u32::MAX;
                    unbind = u.clone();
                    exit = *x;
                    Some((body.clone(), *pop_except))
                }
                FinCtx::Cleanup => None,
            };
            if let Some((_, true)) = body {
                self.emit(op::POP_EXCEPT, 0);
            }
            if let Some(n) = unbind {
                self.unbind_name(&n);
            }
            if let Some(r) = exit {
                if has_value {
                    self.emit(op::SWAP, 2);
                }
                self.set_line(r);
                self.call_exit_none();
            }
            match body.map(|b| b.0) {
                Some(None) => {}
                Some(Some(body)) => {
                    let tail = self.unit.finallies.split_off(j);
                    let r = self.stmts(&body);
                    self.unit.finallies.extend(tail);
                    r?;
                }
                None => {
                    if has_value {
                        self.emit(op::SWAP, 2);
                    }
                    self.emit(op::POP_TOP, 0);
                    self.emit(op::POP_EXCEPT, 0);
                }
            }
        }
        Ok(())
    }

    /// Compiles `f` as a protected region starting at `start` (with the
    /// finally body `body`, if any); returns the region's ranges (the
    /// first always, even if empty: its start follows the SETUP_EXCEPT).
    /// (`pop_except`: the region is an `except` clause's body.)
    /// (`exit`, `unbind`: as [`FinCtx::Try`]'s.)
    fn region(
        &mut self,
        body: Option<Vec<Stmt>>,
        pop_except: bool,
        (exit, unbind): (Option<TextRange>, Option<String>),
        start: u32,
        f: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult<Vec<(u32, u32)>> {
        self.unit.finallies.push(FinCtx::Try {
            body,
            ranges: Vec::new(),
            open: start,
            pop_except,
            exit,
            unbind,
        });
        let r = f(self);
        let ctx = self.unit.finallies.pop();
        r?;
        let here = self.here();
        Ok(match ctx {
            Some(FinCtx::Try {
                mut ranges, open, ..
            }) => {
                if open != u32::MAX && (open < here || ranges.is_empty()) {
                    ranges.push((open, here));
                }
                ranges
            }
            _ => vec![(start, here)],
        })
    }

    /// Reopens the regions [`Compiler::unwind_finallies`] closed, after
    /// the jump or return that left them.
    fn reopen_finallies(&mut self, level: usize) {
        let here = self.here();
        for c in &mut self.unit.finallies[level..] {
            if let FinCtx::Try { open, .. } = c {
                *open = here;
            }
        }
    }

    fn try_stmt(&mut self, t: &ast::StmtTry) -> CResult {
        if t.is_star {
            return self.unsupported(t.range, "except*");
        }
        if t.finalbody.is_empty() {
            return self.try_except(t);
        }
        // The protected region (the try statement without its finally,
        // minus the inline copies of the finally body) → a handler that
        // runs the finally body and re-raises.
        self.emit(op::SETUP_EXCEPT, 0);
        let start = self.here();
        let ranges = self.region(Some(t.finalbody.clone()), false, (None, None), start, |c| {
            if t.handlers.is_empty() {
                c.stmts(&t.body).and_then(|_| c.stmts(&t.orelse))
            } else {
                c.try_except(t)
            }
        })?;
        self.emit(op::POP_EXCEPT_BLOCK, 0);
        self.stmts(&t.finalbody)?;
        let end = self.emit(op::JUMP_FORWARD, 0);
        let handler = self.here();
        for (s, e) in ranges {
            self.unit.handlers.push((s, e, handler, 0));
        }
        self.unit.finallies.push(FinCtx::Cleanup);
        let r = self.stmts(&t.finalbody);
        self.unit.finallies.pop();
        r?;
        self.emit(op::RERAISE, 0);
        self.patch(end);
        Ok(())
    }

    /// `try`/`except` (with `else`): the part of a `try` statement without
    /// its finally body.
    fn try_except(&mut self, t: &ast::StmtTry) -> CResult {
        // Protected region [start, end) → handler. The handler runs with the
        // value stack cut to the depth at entry and the exception pushed.
        // (Split, like a finally's region, around the inline finally
        // bodies a `return`/`break`/`continue` in it runs.)
        self.emit(op::SETUP_EXCEPT, 0);
        let start = self.here();
        self.unit.depth_in_try += 1;
        let ranges = self.region(None, false, (None, None), start, |c| c.stmts(&t.body))?;
        self.unit.depth_in_try -= 1;
        self.emit(op::POP_EXCEPT_BLOCK, 0);
        self.stmts(&t.orelse)?;
        let mut ends = vec![self.emit(op::JUMP_FORWARD, 0)];
        let handler = self.here();
        for (s, e) in ranges {
            self.unit.handlers.push((s, e, handler, 0));
        }
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.set_line(h.range);
            let mut skip = None;
            if let Some(ty) = &h.type_ {
                self.expr(ty)?;
                self.emit(op::CHECK_EXC_MATCH, 0);
                skip = Some(self.emit(op::POP_JUMP_IF_FALSE, 0));
            }
            match &h.name {
                Some(n) => self.store_name(&n.id),
                None => {
                    self.emit(op::POP_TOP, 0);
                }
            }
            // `except E as n:` unbinds n on every way out of the body.
            let unbind = h.name.as_ref().map(|n| n.id.to_string());
            // The body is a protected region whose handler ends the
            // handled exception (as `return`/`break`/`continue` out of it
            // do) and re-raises, so the handled exception is current
            // exactly while the body runs.
            self.emit(op::SETUP_EXCEPT, 0);
            let start = self.here();
            let ranges = self.region(None, true, (None, unbind.clone()), start, |c| {
                c.stmts(&h.body)
            })?;
            self.emit(op::POP_EXCEPT_BLOCK, 0);
            self.emit(op::POP_EXCEPT, 0);
            if let Some(n) = &unbind {
                self.unbind_name(n);
            }
            ends.push(self.emit(op::JUMP_FORWARD, 0));
            let cleanup = self.here();
            for (s, e) in ranges {
                self.unit.handlers.push((s, e, cleanup, 0));
            }
            self.emit(op::POP_EXCEPT, 0);
            if let Some(n) = &unbind {
                self.unbind_name(n);
            }
            self.emit(op::RERAISE, 0);
            if let Some(s) = skip {
                self.patch(s);
            }
        }
        self.emit(op::RERAISE, 0);
        for e in ends {
            self.patch(e);
        }
        Ok(())
    }

    /// `n = None; del n` (CPython's end of an `except ... as n:` body; a
    /// closure variable keeps the None).
    fn unbind_name(&mut self, n: &str) {
        self.load_const_obj(Obj::none());
        self.store_name(n);
        match self.resolve(n) {
            NameOp::Fast(i) => self.emit(op::DELETE_FAST, i),
            NameOp::Global(i) => self.emit(op::DELETE_GLOBAL, i),
            NameOp::Name(i) => self.emit(op::DELETE_NAME, i),
            NameOp::Deref(_) => return,
        };
    }

    /// Calls the `__exit__` on top with `None, None, None` and drops the
    /// result (a `with` body's normal way out).
    fn call_exit_none(&mut self) {
        self.emit(op::PUSH_NULL, 0);
        for _ in 0..3 {
            self.load_const_obj(Obj::none());
        }
        self.emit(op::CALL, 3);
        self.emit(op::POP_TOP, 0);
    }

    /// A `with` statement from its item `items[0]` on (each further item
    /// is a `with` nested in this one's body), as CPython 3.11 compiles it.
    fn with_stmt(&mut self, w: &ast::StmtWith, items: &[ast::WithItem]) -> CResult {
        let Some((item, rest)) = items.split_first() else {
            return self.stmts(&w.body);
        };
        self.expr(&item.context_expr)?;
        self.set_line(w.range);
        // [mgr] -> [exit, enter()]; the body's handler runs with [exit]
        // (SETUP_EXCEPT 1: the region starts one item above
        // its handler's depth, the target store consumes it).
        self.emit(op::BEFORE_WITH, 0);
        self.emit(op::SETUP_EXCEPT, 1);
        let start = self.here();
        let ranges = self.region(None, false, (Some(w.range), None), start, |c| {
            match &item.optional_vars {
                Some(t) => c.store_target(t)?,
                None => {
                    c.emit(op::POP_TOP, 0);
                }
            }
            c.with_stmt(w, rest)
        })?;
        self.emit(op::POP_EXCEPT_BLOCK, 0);
        self.set_line(w.range);
        self.call_exit_none();
        let end = self.emit(op::JUMP_FORWARD, 0);
        let handler = self.here();
        for (s, e) in ranges {
            self.unit.handlers.push((s, e, handler, 0));
        }
        // [exit, exc]: a true exit(type, exc, None) suppresses exc;
        // an exception exit raises ends the handled one and propagates.
        self.emit(op::SETUP_EXCEPT, 0);
        let s = self.here();
        self.emit(op::WITH_EXCEPT_START, 0);
        let e = self.here();
        self.emit(op::POP_EXCEPT_BLOCK, 0);
        let suppress = self.emit(op::POP_JUMP_IF_TRUE, 0);
        self.emit(op::RERAISE, 0);
        let cleanup = self.here();
        self.unit.handlers.push((s, e, cleanup, 0));
        self.emit(op::POP_EXCEPT, 0);
        self.emit(op::RERAISE, 0);
        self.patch(suppress);
        self.emit(op::POP_TOP, 0);
        self.emit(op::POP_EXCEPT, 0);
        self.emit(op::POP_TOP, 0);
        self.patch(end);
        Ok(())
    }

    /// `a, b = x, y` without building a tuple (as CPython does for 2 and 3 names).
    fn try_swap_assign(&mut self, target: &Expr, value: &Expr) -> CResult<Option<()>> {
        let (telts, velts) = match (target, value) {
            (Expr::Tuple(t), Expr::Tuple(v)) => (&t.elts, &v.elts),
            (Expr::List(t), Expr::Tuple(v)) => (&t.elts, &v.elts),
            _ => return Ok(None),
        };
        let n = telts.len();
        if n != velts.len() || !(2..=3).contains(&n) {
            return Ok(None);
        }
        if telts
            .iter()
            .chain(velts.iter())
            .any(|e| matches!(e, Expr::Starred(_)))
        {
            return Ok(None);
        }
        for v in velts {
            self.expr(v)?;
        }
        self.emit(op::SWAP, n as u32);
        for t in telts {
            self.store_target(t)?;
        }
        Ok(Some(()))
    }

    fn store_target(&mut self, t: &Expr) -> CResult {
        match t {
            Expr::Name(n) => self.store_name(&n.id),
            Expr::Subscript(s) => {
                self.expr(&s.value)?;
                self.expr(&s.slice)?;
                self.emit(op::STORE_SUBSCR, 0);
            }
            Expr::Tuple(tu) => self.unpack(&tu.elts, tu.range)?,
            Expr::List(l) => self.unpack(&l.elts, l.range)?,
            Expr::Attribute(a) => {
                self.expr(&a.value)?;
                let i = self.name_idx(&a.attr.id);
                self.emit(op::STORE_ATTR, i);
            }
            Expr::Starred(s) => {
                return self.syntax(
                    s.range,
                    "starred assignment target must be in a list or tuple",
                )
            }
            other => return self.unsupported(other.range(), "assignment to this target"),
        }
        Ok(())
    }

    fn unpack(&mut self, elts: &[Expr], r: TextRange) -> CResult {
        let stars: Vec<usize> = (0..elts.len())
            .filter(|&i| matches!(elts[i], Expr::Starred(_)))
            .collect();
        match stars[..] {
            [] => {
                self.emit(op::UNPACK_SEQUENCE, elts.len() as u32);
            }
            [i] => {
                let after = elts.len() - i - 1;
                if i > 0xff || after > 0xffff {
                    return self.syntax(r, "too many expressions in star-unpacking assignment");
                }
                self.emit(op::UNPACK_EX, i as u32 | (after as u32) << 8);
            }
            _ => return self.syntax(r, "multiple starred expressions in assignment"),
        }
        for e in elts {
            match e {
                Expr::Starred(s) => self.store_target(&s.value)?,
                other => self.store_target(other)?,
            }
        }
        Ok(())
    }

    // ---- functions ----

    fn function(
        &mut self,
        range: TextRange,
        name: &str,
        params: &ast::Parameters,
        body: FuncBody,
    ) -> CResult {
        let mut ndefaults = 0;
        for p in params.posonlyargs.iter().chain(params.args.iter()) {
            if let Some(d) = &p.default {
                self.expr(d)?;
                ndefaults += 1;
            }
        }
        let mut flags = 0;
        if ndefaults > 0 {
            self.emit(op::BUILD_TUPLE, ndefaults);
            flags |= 1;
        }
        // Keyword-only defaults, after the positional ones (CPython's order):
        // a dict of name to value.
        let mut nkwdefaults = 0;
        for p in params.kwonlyargs.iter() {
            if let Some(d) = &p.default {
                self.load_const_obj(new_str(p.parameter.name.id.as_str()));
                self.expr(d)?;
                nkwdefaults += 1;
            }
        }
        if nkwdefaults > 0 {
            self.emit(op::BUILD_MAP, nkwdefaults);
            flags |= 4;
        }
        let Some(&child) = self.scopes.by_key.get(&key_of(range)) else {
            return self.unsupported(range, "function scope");
        };
        let code = self.child_code(child, name, |c| match body {
            FuncBody::Stmts(b) => {
                c.stmts(b)?;
                c.load_const_obj(Obj::none());
                c.emit(op::RETURN_VALUE, 0);
                Ok(())
            }
            FuncBody::Expr(e) => {
                c.expr(e)?;
                c.emit(op::RETURN_VALUE, 0);
                Ok(())
            }
        })?;
        self.make_function(child, code, flags);
        Ok(())
    }

    /// Evaluates a definition's decorators, top to bottom, each pushed as a
    /// callable with its `NULL` (the layout `CALL` takes), before the
    /// definition makes its object; [`Self::apply_decorators`] then calls
    /// them bottom to top on it, as CPython does.
    fn decorators(&mut self, decos: &[ast::Decorator]) -> CResult {
        for d in decos {
            self.expr(&d.expression)?;
            self.emit(op::PUSH_NULL, 0);
        }
        Ok(())
    }

    /// Calls the decorators [`Self::decorators`] pushed on the object just
    /// made (on top of the stack), innermost (bottom) first; each call's
    /// line is its decorator's.
    fn apply_decorators(&mut self, decos: &[ast::Decorator]) {
        for d in decos.iter().rev() {
            self.set_line(d.range);
            self.emit(op::CALL, 1);
        }
    }

    fn child_code(
        &mut self,
        child: usize,
        name: &str,
        f: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult<Obj> {
        let qual: Rc<str> = if self.scope().is_function {
            format!("{}.<locals>.{}", self.unit.qualname, name).into()
        } else if self.scope().is_class {
            format!("{}.{}", self.unit.qualname, name).into()
        } else {
            name.into()
        };
        let mut unit = Unit::new(child, name.into(), qual);
        unit.line = self.unit.line;
        let saved = std::mem::replace(&mut self.unit, unit);
        let r = f(self);
        let unit = std::mem::replace(&mut self.unit, saved);
        r?;
        let c = Compiler {
            src: self.src,
            lines: self.lines,
            scopes: self.scopes,
            file: self.file.clone(),
            unit,
        };
        Ok(c.finish(&[]))
    }

    /// `class C(bases): body`, as CPython: `__build_class__(body_function,
    /// 'C', *bases)`, the body run with the namespace dict as its fast
    /// local 0 and returning its `__class__` cell (or None).
    fn class_def(&mut self, c: &ast::StmtClassDef) -> CResult {
        if c.type_params.is_some() {
            return self.unsupported(c.range, "type parameters");
        }
        self.decorators(&c.decorator_list)?;
        self.set_line(c.range);
        let bc = self.name_idx("__build_class__");
        self.emit(op::LOAD_GLOBAL, bc);
        self.emit(op::PUSH_NULL, 0);
        let Some(&child) = self.scopes.by_key.get(&key_of(c.range)) else {
            return self.unsupported(c.range, "class scope");
        };
        let name = c.name.id.as_str();
        let code = self.child_code(child, name, |cc| {
            cc.stmts(&c.body)?;
            let s = cc.scope();
            match s.cells.iter().position(|x| x == "__class__") {
                Some(i) => {
                    let slot = cc.nfast() + i as u32;
                    cc.emit(op::LOAD_CLOSURE, slot);
                }
                None => cc.load_const_obj(Obj::none()),
            }
            cc.emit(op::RETURN_VALUE, 0);
            Ok(())
        })?;
        self.make_function(child, code, 0);
        self.load_const_obj(new_str(name));
        let mut nargs = 2;
        if let Some(a) = &c.arguments {
            if !a.keywords.is_empty() {
                return self.unsupported(c.range, "class keyword arguments (metaclass)");
            }
            for b in a.args.iter() {
                if matches!(b, Expr::Starred(_)) {
                    return self.unsupported(c.range, "starred class bases");
                }
                self.expr(b)?;
                nargs += 1;
            }
        }
        self.set_line(c.range);
        self.emit(op::CALL, nargs);
        self.apply_decorators(&c.decorator_list);
        self.store_name(name);
        Ok(())
    }

    fn make_function(&mut self, child: usize, code: Obj, mut flags: u32) {
        let frees = &self.scopes.list[child].frees;
        if !frees.is_empty() {
            for n in frees.clone() {
                match self.resolve(&n) {
                    NameOp::Deref(i) => {
                        self.emit(op::LOAD_CLOSURE, i);
                    }
                    _ => {
                        self.emit(op::LOAD_CLOSURE, MAX_ARG);
                    }
                }
            }
            self.emit(op::BUILD_TUPLE, frees.len() as u32);
            flags |= 2;
        }
        self.load_const_obj(code);
        self.emit(op::MAKE_FUNCTION, flags);
    }

    /// `any(<genexpr>)` or `all(<genexpr>)` (with `true` for `any`) where
    /// the name can only be the builtin: no scope of the program binds or
    /// declares it (a program is one file, so nothing else can).
    fn builtin_any_all_of_genexpr<'c>(
        &self,
        c: &'c ast::ExprCall,
    ) -> Option<(&'c ast::ExprGenerator, bool)> {
        let Expr::Name(n) = &*c.func else {
            return None;
        };
        let any = match n.id.as_str() {
            "any" => true,
            "all" => false,
            _ => return None,
        };
        let [Expr::Generator(g)] = &*c.arguments.args else {
            return None;
        };
        if !c.arguments.keywords.is_empty() || self.scopes.binds_anywhere(&n.id) {
            return None;
        }
        Some((g, any))
    }

    fn comprehension(
        &mut self,
        range: TextRange,
        gens: &[ast::Comprehension],
        kind: CompKind,
    ) -> CResult {
        let Some(&child) = self.scopes.by_key.get(&key_of(range)) else {
            return self.unsupported(range, "comprehension scope");
        };
        if gens.iter().any(|g| g.is_async) {
            return self.unsupported(range, "async comprehension");
        }
        let name = match kind {
            CompKind::List(_) => "<listcomp>",
            CompKind::Gen(_) | CompKind::EagerGen(_) | CompKind::ShortCircuit(..) => "<genexpr>",
            CompKind::Set(_) => "<setcomp>",
            CompKind::Dict(..) => "<dictcomp>",
        };
        let code = self.child_code(child, name, |c| {
            match kind {
                CompKind::Dict(..) => Some(c.emit(op::BUILD_MAP, 0)),
                CompKind::Set(_) => Some(c.emit(op::BUILD_SET, 0)),
                CompKind::ShortCircuit(..) => None,
                CompKind::Gen(_) => {
                    c.unit.generator = true;
                    None
                }
                _ => Some(c.emit(op::BUILD_LIST, 0)),
            };
            let mut tops = Vec::new();
            for (i, g) in gens.iter().enumerate() {
                if i == 0 {
                    c.emit(op::LOAD_FAST, 0);
                } else {
                    c.iter_expr(&g.iter)?;
                    c.emit(op::GET_ITER, 0);
                }
                let top = c.here();
                let fi = c.emit(op::FOR_ITER, 0);
                c.store_target(&g.target)?;
                for cond in &g.ifs {
                    let skips = c.jump_if(cond, false)?;
                    for s in skips {
                        let w = c.unit.instrs[s];
                        c.unit.instrs[s] = encode(opcode(w), top);
                    }
                }
                tops.push((top, fi));
            }
            let depth = gens.len() as u32 + 1;
            match kind {
                CompKind::List(e) | CompKind::EagerGen(e) => {
                    c.expr(e)?;
                    c.emit(op::LIST_APPEND, depth);
                }
                CompKind::Gen(e) => {
                    c.expr(e)?;
                    c.emit(op::YIELD_VALUE, 0);
                    c.emit(op::POP_TOP, 0);
                }
                CompKind::Set(e) => {
                    c.expr(e)?;
                    c.emit(op::SET_ADD, depth);
                }
                CompKind::Dict(k, v) => {
                    c.expr(k)?;
                    c.expr(v)?;
                    c.emit(op::MAP_ADD, depth);
                }
                CompKind::ShortCircuit(e, any) => {
                    // An element that does not decide goes on to the next.
                    let next = c.jump_if(e, !any)?;
                    let top = tops.last().map_or(0, |&(top, _)| top);
                    for s in next {
                        let w = c.unit.instrs[s];
                        c.unit.instrs[s] = encode(opcode(w), top);
                    }
                    // It decides: drop the iterators and return.
                    for _ in gens {
                        c.emit(op::POP_TOP, 0);
                    }
                    c.load_const_obj(Obj::bool(any));
                    c.emit(op::RETURN_VALUE, 0);
                }
            }
            for (top, fi) in tops.into_iter().rev() {
                c.emit(op::JUMP_BACKWARD, top);
                c.patch(fi);
            }
            match kind {
                CompKind::ShortCircuit(_, any) => c.load_const_obj(Obj::bool(!any)),
                CompKind::Gen(_) => c.load_const_obj(Obj::none()),
                _ => {}
            }
            c.emit(op::RETURN_VALUE, 0);
            Ok(())
        })?;
        self.make_function(child, code, 0);
        self.emit(op::PUSH_NULL, 0);
        self.iter_expr(&gens[0].iter)?;
        self.emit(op::GET_ITER, 0);
        self.emit(op::CALL, 1);
        Ok(())
    }

    // ---- expressions ----

    /// Compiles a condition; returns jumps (to patch) taken when the test equals `when`.
    fn jump_if(&mut self, e: &Expr, when: bool) -> CResult<Vec<usize>> {
        match e {
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => self.jump_if(&u.operand, !when),
            Expr::BoolOp(b) => {
                let is_and = b.op == ast::BoolOp::And;
                let mut out = Vec::new();
                let n = b.values.len();
                if is_and != when {
                    // (and, jump when false) or (or, jump when true): any operand decides.
                    for v in &b.values {
                        out.extend(self.jump_if(v, when)?);
                    }
                } else {
                    // (and, jump when true): all must be true; a false one skips past.
                    let mut skip = Vec::new();
                    for (i, v) in b.values.iter().enumerate() {
                        if i + 1 < n {
                            skip.extend(self.jump_if(v, !when)?);
                        } else {
                            out.extend(self.jump_if(v, when)?);
                        }
                    }
                    for s in skip {
                        self.patch(s);
                    }
                }
                Ok(out)
            }
            _ => {
                self.expr(e)?;
                let o = if when {
                    op::POP_JUMP_IF_TRUE
                } else {
                    op::POP_JUMP_IF_FALSE
                };
                Ok(vec![self.emit(o, 0)])
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> CResult {
        match e {
            Expr::NumberLiteral(n) => {
                let o = self.number(&n.value, n.range)?;
                self.load_const_obj(o);
            }
            Expr::StringLiteral(s) => self.load_const_obj(const_str(s.value.to_str())),
            Expr::BooleanLiteral(b) => self.load_const_obj(Obj::bool(b.value)),
            Expr::NoneLiteral(_) => self.load_const_obj(Obj::none()),
            Expr::Name(n) => self.load_name(&n.id),
            Expr::BinOp(b) => {
                self.expr(&b.left)?;
                self.expr(&b.right)?;
                self.emit(op::BINARY_OP, binop_of(b.op));
            }
            Expr::UnaryOp(u) => {
                if u.op == UnaryOp::USub {
                    if let Expr::NumberLiteral(n) = &*u.operand {
                        let o = self.number(&n.value, n.range)?;
                        let neg = crate::vm::ops::unary_neg(o.raw()).ok();
                        if let Some(neg) = neg {
                            self.load_const_obj(neg);
                            return Ok(());
                        }
                    }
                }
                self.expr(&u.operand)?;
                let o = match u.op {
                    UnaryOp::Not => op::UNARY_NOT,
                    UnaryOp::USub => op::UNARY_NEGATIVE,
                    UnaryOp::UAdd => op::UNARY_POSITIVE,
                    UnaryOp::Invert => op::UNARY_INVERT,
                };
                self.emit(o, 0);
            }
            Expr::BoolOp(b) => {
                let o = if b.op == ast::BoolOp::And {
                    op::JUMP_IF_FALSE_OR_POP
                } else {
                    op::JUMP_IF_TRUE_OR_POP
                };
                let mut js = Vec::new();
                for (i, v) in b.values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < b.values.len() {
                        js.push(self.emit(o, 0));
                    }
                }
                for j in js {
                    self.patch(j);
                }
            }
            Expr::Compare(c) => self.compare(c)?,
            Expr::If(i) => {
                let else_j = self.jump_if(&i.test, false)?;
                self.expr(&i.body)?;
                let end = self.emit(op::JUMP_FORWARD, 0);
                for j in else_j {
                    self.patch(j);
                }
                self.expr(&i.orelse)?;
                self.patch(end);
            }
            Expr::Call(c) => self.call(c)?,
            Expr::Attribute(a) => {
                self.expr(&a.value)?;
                let i = self.name_idx(&a.attr.id);
                self.emit(op::LOAD_ATTR, i);
            }
            Expr::Subscript(s) => {
                self.expr(&s.value)?;
                self.expr(&s.slice)?;
                self.emit(op::BINARY_SUBSCR, 0);
            }
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper] {
                    match part {
                        Some(x) => self.expr(x)?,
                        None => self.load_const_obj(Obj::none()),
                    }
                }
                match &s.step {
                    Some(x) => {
                        self.expr(x)?;
                        self.emit(op::BUILD_SLICE, 3);
                    }
                    None => {
                        self.emit(op::BUILD_SLICE, 2);
                    }
                }
            }
            Expr::List(l) if has_starred(&l.elts) => self.starred_list(&l.elts)?,
            Expr::List(l) => {
                self.seq_items(&l.elts)?;
                self.emit(op::BUILD_LIST, l.elts.len() as u32);
            }
            Expr::Tuple(t) if has_starred(&t.elts) => {
                self.starred_list(&t.elts)?;
                self.emit(op::LIST_TO_TUPLE, 0);
            }
            Expr::Tuple(t) => {
                if let Some(c) = self.const_tuple(&t.elts)? {
                    self.load_const_obj(c);
                } else {
                    self.seq_items(&t.elts)?;
                    self.emit(op::BUILD_TUPLE, t.elts.len() as u32);
                }
            }
            Expr::Dict(d) if d.items.iter().any(|it| it.key.is_none()) => {
                // `{**a, k: v}`: runs of pairs (`BUILD_MAP`), each `**`
                // mapping `DICT_UPDATE`d in order, as CPython compiles it.
                let mut have_dict = false;
                let mut run = 0;
                for it in &d.items {
                    match &it.key {
                        Some(k) => {
                            self.expr(k)?;
                            self.expr(&it.value)?;
                            run += 1;
                        }
                        None => {
                            if run > 0 || !have_dict {
                                self.emit(op::BUILD_MAP, run);
                                if have_dict {
                                    self.emit(op::DICT_UPDATE, 1);
                                }
                                have_dict = true;
                                run = 0;
                            }
                            self.expr(&it.value)?;
                            self.emit(op::DICT_UPDATE, 1);
                        }
                    }
                }
                if run > 0 {
                    self.emit(op::BUILD_MAP, run);
                    self.emit(op::DICT_UPDATE, 1);
                }
            }
            Expr::Dict(d) => {
                for it in &d.items {
                    if let Some(k) = &it.key {
                        self.expr(k)?;
                    }
                    self.expr(&it.value)?;
                }
                self.emit(op::BUILD_MAP, d.items.len() as u32);
            }
            Expr::ListComp(c) => {
                self.comprehension(c.range, &c.generators, CompKind::List(&c.elt))?
            }
            Expr::Generator(c) => {
                let kind = if self.unit.eager_genexpr == Some(c.range) {
                    CompKind::EagerGen(&c.elt)
                } else {
                    CompKind::Gen(&c.elt)
                };
                self.comprehension(c.range, &c.generators, kind)?
            }
            Expr::DictComp(c) => {
                self.comprehension(c.range, &c.generators, CompKind::Dict(&c.key, &c.value))?
            }
            Expr::Lambda(l) => {
                let empty = ast::Parameters::default();
                let params = l.parameters.as_deref().unwrap_or(&empty);
                self.function(l.range, "<lambda>", params, FuncBody::Expr(&l.body))?;
            }
            Expr::FString(f) => self.fstring(f)?,
            Expr::Named(n) => {
                self.expr(&n.value)?;
                self.emit(op::COPY, 1);
                self.store_target(&n.target)?;
            }
            Expr::Set(s) => self.set_display(&s.elts)?,
            Expr::SetComp(c) => {
                self.comprehension(c.range, &c.generators, CompKind::Set(&c.elt))?
            }
            Expr::Starred(s) => return self.unsupported(s.range, "starred expression"),
            Expr::BytesLiteral(b) => return self.unsupported(b.range, "bytes literal"),
            Expr::EllipsisLiteral(b) => return self.unsupported(b.range, "Ellipsis"),
            Expr::Await(a) => return self.unsupported(a.range, "await"),
            Expr::Yield(y) => {
                self.check_yield(y.range)?;
                match &y.value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const_obj(Obj::none()),
                }
                self.emit(op::YIELD_VALUE, 0);
            }
            Expr::YieldFrom(y) => {
                self.check_yield(y.range)?;
                self.expr(&y.value)?;
                // GET_ITER keeps a generator (its own iterator) as it is.
                self.emit(op::GET_ITER, 0);
                self.load_const_obj(Obj::none());
                let top = self.here();
                let send = self.emit(op::SEND, 0);
                self.emit(op::YIELD_VALUE, 0);
                // Back to the send: an absolute jump that counts no back edge
                // (tier 2 never traces across a yield).
                self.emit(op::JUMP_FORWARD, top);
                self.patch(send);
            }
            Expr::TString(t) => return self.unsupported(t.range, "template string"),
            Expr::IpyEscapeCommand(i) => {
                return self.unsupported(i.range, "IPython escape command")
            }
        }
        Ok(())
    }

    /// A set display, as CPython 3.11 compiles it: three or more constants
    /// are `BUILD_SET 0` and `SET_UPDATE` from a constant set (built once,
    /// in item order, so the result's table has that set's layout, as
    /// CPython's frozenset constant gives it); `*x` items update from `x`.
    fn set_display(&mut self, elts: &[Expr]) -> CResult {
        if elts.len() > 2 {
            if let Some(s) = self.const_set(elts) {
                self.emit(op::BUILD_SET, 0);
                self.unit.consts.push(s);
                let idx = self.unit.consts.len() as u32 - 1;
                self.emit(op::LOAD_CONST, idx);
                self.emit(op::SET_UPDATE, 1);
                return Ok(());
            }
        }
        if has_starred(elts) {
            self.emit(op::BUILD_SET, 0);
            return self.starred_items(elts, op::SET_ADD, op::SET_UPDATE);
        }
        self.seq_items(elts)?;
        self.emit(op::BUILD_SET, elts.len() as u32);
        Ok(())
    }

    /// The constant set of a display whose items are all constants, as
    /// CPython 3.11 makes it: a frozenset of the items, which its constant
    /// merging rebuilds from that set's iteration order (so the table's
    /// layout is that of the second build).
    fn const_set(&self, elts: &[Expr]) -> Option<Obj> {
        let items: Vec<Obj> = elts
            .iter()
            .map(|e| self.set_const(e))
            .collect::<Option<_>>()?;
        let first = crate::vm::set::new_set();
        for k in &items {
            // SAFETY: `first` is a new set, nothing else uses it.
            unsafe { crate::vm::set::set_mut(first.raw()) }
                .add(k.raw())
                .ok()?;
        }
        let second = crate::vm::set::new_set();
        // SAFETY: two distinct new sets.
        let (a, b) = unsafe {
            (
                crate::vm::set::set_mut(first.raw()),
                crate::vm::set::set_mut(second.raw()),
            )
        };
        for k in a.keys() {
            b.add(k).ok()?;
        }
        Some(second)
    }

    /// The iterable of a `for` loop or comprehension: a display of
    /// constants is one constant, as CPython's AST optimizer makes it (a
    /// tuple for a list, the frozenset of [`Compiler::const_set`] for a
    /// set, iterated in that set's order).
    fn iter_expr(&mut self, e: &Expr) -> CResult {
        if let Expr::Set(s) = e {
            if let Some(c) = self.const_set(&s.elts) {
                self.unit.consts.push(c);
                let idx = self.unit.consts.len() as u32 - 1;
                self.emit(op::LOAD_CONST, idx);
                return Ok(());
            }
        }
        self.expr(e)
    }

    /// The value of a set display item CPython's compiler sees as a
    /// constant (after its folding of `-number`).
    fn set_const(&self, e: &Expr) -> Option<Obj> {
        match e {
            Expr::NumberLiteral(n) => self.number(&n.value, n.range).ok(),
            Expr::StringLiteral(s) => Some(const_str(s.value.to_str())),
            Expr::BooleanLiteral(b) => Some(Obj::bool(b.value)),
            Expr::NoneLiteral(_) => Some(Obj::none()),
            Expr::UnaryOp(u) if u.op == UnaryOp::USub => {
                let o = self.set_const(&u.operand)?;
                crate::vm::ops::unary_neg(o.raw()).ok()
            }
            // CPython folds arithmetic on constants (up to 128-bit ints).
            Expr::BinOp(b) => {
                let (l, r) = (self.set_const(&b.left)?, self.set_const(&b.right)?);
                let v = crate::vm::ops::binary_op(l.raw(), r.raw(), binop_of(b.op)).ok()?;
                let small = crate::vm::ops::as_bigint(v.raw()).is_none_or(|i| i.bits() <= 128);
                small.then_some(v)
            }
            _ => None,
        }
    }

    /// A list display with `*iterable` items: `BUILD_LIST 0`, then each
    /// item appended or extended in order ("Value after * must be an
    /// iterable" for a non-iterable).
    fn starred_list(&mut self, elts: &[Expr]) -> CResult {
        self.emit(op::BUILD_LIST, 0);
        self.starred_items(elts, op::LIST_APPEND, op::LIST_EXTEND)
    }

    /// The items of a display (or a call's positional arguments) with
    /// `*iterable` among them, into the collection just under them: each
    /// plain item by `add`, each starred one by `extend`, in order.
    fn starred_items(&mut self, elts: &[Expr], add: u8, extend: u8) -> CResult {
        for e in elts {
            match e {
                Expr::Starred(s) => {
                    self.expr(&s.value)?;
                    self.emit(extend, 1);
                }
                other => {
                    self.expr(other)?;
                    self.emit(add, 1);
                }
            }
        }
        Ok(())
    }

    fn seq_items(&mut self, elts: &[Expr]) -> CResult {
        for e in elts {
            if let Expr::Starred(s) = e {
                return self.unsupported(s.range, "starred expression in a display");
            }
            self.expr(e)?;
        }
        Ok(())
    }

    fn const_tuple(&mut self, elts: &[Expr]) -> CResult<Option<Obj>> {
        let mut items = Vec::new();
        for e in elts {
            let o = match e {
                Expr::NumberLiteral(n) => self.number(&n.value, n.range)?,
                Expr::StringLiteral(s) => const_str(s.value.to_str()),
                _ => return Ok(None),
            };
            items.push(o);
        }
        Ok(Some(new_tuple(items)))
    }

    fn number(&self, n: &Number, r: TextRange) -> CResult<Obj> {
        match n {
            Number::Int(i) => {
                if let Some(v) = i.as_i64() {
                    return Ok(Obj::int(v));
                }
                let text = i.to_string().replace('_', "");
                let (digits, radix) = match text.get(..2).map(|p| p.to_ascii_lowercase()) {
                    Some(p) if p == "0x" => (&text[2..], 16),
                    Some(p) if p == "0o" => (&text[2..], 8),
                    Some(p) if p == "0b" => (&text[2..], 2),
                    _ => (&text[..], 10),
                };
                match num_bigint::BigInt::parse_bytes(digits.as_bytes(), radix) {
                    Some(b) => Ok(obj::new_bigint(b)),
                    None => self.syntax(r, "invalid integer literal"),
                }
            }
            Number::Float(f) => Ok(Obj::float(*f)),
            Number::Complex { .. } => self.unsupported(r, "complex number"),
        }
    }

    fn compare(&mut self, c: &ast::ExprCompare) -> CResult {
        self.expr(&c.left)?;
        let n = c.ops.len();
        let mut cleanup = Vec::new();
        for (i, (o, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
            self.expr(right)?;
            if i + 1 < n {
                self.emit(op::SWAP, 2);
                self.emit(op::COPY, 2);
            }
            self.cmp_op(*o);
            if i + 1 < n {
                cleanup.push(self.emit(op::JUMP_IF_FALSE_OR_POP, 0));
            }
        }
        if !cleanup.is_empty() {
            let end = self.emit(op::JUMP_FORWARD, 0);
            for j in cleanup {
                self.patch(j);
            }
            self.emit(op::SWAP, 2);
            self.emit(op::POP_TOP, 0);
            self.patch(end);
        }
        Ok(())
    }

    fn cmp_op(&mut self, o: CmpOp) {
        match o {
            CmpOp::Eq => self.emit(op::COMPARE_OP, cmp::EQ),
            CmpOp::NotEq => self.emit(op::COMPARE_OP, cmp::NE),
            CmpOp::Lt => self.emit(op::COMPARE_OP, cmp::LT),
            CmpOp::LtE => self.emit(op::COMPARE_OP, cmp::LE),
            CmpOp::Gt => self.emit(op::COMPARE_OP, cmp::GT),
            CmpOp::GtE => self.emit(op::COMPARE_OP, cmp::GE),
            CmpOp::Is => self.emit(op::IS_OP, 0),
            CmpOp::IsNot => self.emit(op::IS_OP, 1),
            CmpOp::In => self.emit(op::CONTAINS_OP, 0),
            CmpOp::NotIn => self.emit(op::CONTAINS_OP, 1),
        };
    }

    fn call(&mut self, c: &ast::ExprCall) -> CResult {
        self.set_line(c.range);
        if let Some((g, any)) = self.builtin_any_all_of_genexpr(c) {
            return self.comprehension(g.range, &g.generators, CompKind::ShortCircuit(&g.elt, any));
        }
        let saved_eager = self.unit.eager_genexpr.take();
        self.unit.eager_genexpr = self.eager_consumer_genexpr(c);
        let r = self.call_inner(c);
        self.unit.eager_genexpr = saved_eager;
        r
    }

    /// The generator expression `c` passes as the one iterable of a
    /// consumer that collects it whole before anything else happens:
    /// `list`, `tuple` or `sorted` where the name can only be the builtin,
    /// or `join` of a string literal.
    fn eager_consumer_genexpr(&self, c: &ast::ExprCall) -> Option<TextRange> {
        let [Expr::Generator(g)] = &*c.arguments.args else {
            return None;
        };
        let ok = match &*c.func {
            Expr::Name(n) => {
                // `sorted`'s keywords are evaluated after the generator
                // is made and before it runs: only ones that cannot do
                // anything observable (a lambda, a literal, a builtin's name).
                let kw_ok = c.arguments.keywords.is_empty()
                    || (n.id.as_str() == "sorted"
                        && c.arguments.keywords.iter().all(|k| match &k.value {
                            Expr::Lambda(_)
                            | Expr::BooleanLiteral(_)
                            | Expr::NoneLiteral(_)
                            | Expr::NumberLiteral(_) => true,
                            Expr::Name(m) => {
                                !self.scopes.binds_anywhere(&m.id)
                                    && matches!(
                                        m.id.as_str(),
                                        "len" | "abs" | "str" | "int" | "float"
                                    )
                            }
                            _ => false,
                        }));
                matches!(n.id.as_str(), "list" | "tuple" | "sorted")
                    && kw_ok
                    && !self.scopes.binds_anywhere(&n.id)
            }
            Expr::Attribute(a) => {
                a.attr.id.as_str() == "join"
                    && matches!(&*a.value, Expr::StringLiteral(_))
                    && c.arguments.keywords.is_empty()
            }
            _ => false,
        };
        ok.then_some(g.range)
    }

    fn call_inner(&mut self, c: &ast::ExprCall) -> CResult {
        let line = self.unit.line;
        if let Expr::Name(n) = &*c.func {
            if n.id.as_str() == "super"
                && c.arguments.args.is_empty()
                && c.arguments.keywords.is_empty()
                && self.scope().is_function
            {
                if let (NameOp::Deref(cls), Some(first)) = (
                    self.resolve("__class__"),
                    self.scope().params.first().cloned(),
                ) {
                    self.load_name("super");
                    self.emit(op::PUSH_NULL, 0);
                    self.emit(op::LOAD_DEREF, cls);
                    self.load_name(&first);
                    self.unit.line = line;
                    self.emit(op::CALL, 2);
                    return Ok(());
                }
            }
        }
        match &*c.func {
            Expr::Attribute(a) => {
                self.expr(&a.value)?;
                let i = self.name_idx(&a.attr.id);
                self.unit.line = line;
                self.emit(op::LOAD_METHOD, i);
            }
            f => {
                self.expr(f)?;
                self.emit(op::PUSH_NULL, 0);
            }
        }
        let starred = c
            .arguments
            .args
            .iter()
            .any(|a| matches!(a, Expr::Starred(_)));
        let double_starred = c.arguments.keywords.iter().any(|k| k.arg.is_none());
        if starred || double_starred {
            let mut flags = 0;
            match &*c.arguments.args {
                // `f(*xs)`: the iterable itself, made a sequence by the call
                // (with CPython's "argument after *" message).
                [Expr::Starred(s)] => {
                    self.expr(&s.value)?;
                    flags |= call_ex::ITERABLE;
                }
                args => self.starred_list(args)?,
            }
            if double_starred {
                self.call_kwargs(&c.arguments.keywords)?;
                self.unit.line = line;
                self.emit(op::CALL_EX, flags | call_ex::KWARGS);
                return Ok(());
            }
            let mut names = Vec::new();
            for k in c.arguments.keywords.iter() {
                if let Some(n) = &k.arg {
                    names.push(new_str(n.id.as_str()));
                }
                self.expr(&k.value)?;
            }
            self.unit.line = line;
            let nk = names.len() as u32;
            if nk > 0 {
                self.unit.consts.push(new_tuple(names));
                let idx = self.unit.consts.len() as u32 - 1;
                self.emit(op::KW_NAMES, idx);
            }
            self.emit(op::CALL_EX, flags | nk);
            return Ok(());
        }
        for a in c.arguments.args.iter() {
            self.expr(a)?;
        }
        let mut names = Vec::new();
        for k in c.arguments.keywords.iter() {
            match &k.arg {
                Some(n) => names.push(new_str(n.id.as_str())),
                None => return self.unsupported(k.range, "**kwargs in a call"),
            }
            self.expr(&k.value)?;
        }
        let total = (c.arguments.args.len() + names.len()) as u32;
        self.unit.line = line;
        if !names.is_empty() {
            let t = new_tuple(names);
            self.unit.consts.push(t);
            let idx = self.unit.consts.len() as u32 - 1;
            self.emit(op::KW_NAMES, idx);
        }
        self.emit(op::CALL, total);
        Ok(())
    }

    /// The keyword arguments of a call with `**`, as CPython 3.11 builds
    /// them: one dict, from runs of plain keywords (`BUILD_MAP`) and each
    /// `**` mapping merged in order (`DICT_MERGE`, which raises on a
    /// repeated name).
    fn call_kwargs(&mut self, keywords: &[ast::Keyword]) -> CResult {
        let mut have_dict = false;
        let mut run: Vec<&ast::Keyword> = Vec::new();
        for k in keywords {
            if k.arg.is_some() {
                run.push(k);
                continue;
            }
            if !run.is_empty() {
                self.keyword_map(&run)?;
                if have_dict {
                    self.emit(op::DICT_MERGE, 1);
                }
                have_dict = true;
                run.clear();
            }
            if !have_dict {
                self.emit(op::BUILD_MAP, 0);
                have_dict = true;
            }
            self.expr(&k.value)?;
            self.emit(op::DICT_MERGE, 1);
        }
        if !run.is_empty() {
            self.keyword_map(&run)?;
            if have_dict {
                self.emit(op::DICT_MERGE, 1);
            }
        }
        Ok(())
    }

    /// A dict of plain keyword arguments (`name=value`, in order).
    fn keyword_map(&mut self, run: &[&ast::Keyword]) -> CResult {
        for k in run {
            if let Some(n) = &k.arg {
                self.load_const_obj(new_str(n.id.as_str()));
            }
            self.expr(&k.value)?;
        }
        self.emit(op::BUILD_MAP, run.len() as u32);
        Ok(())
    }

    fn fstring(&mut self, f: &ast::ExprFString) -> CResult {
        let mut n = 0;
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(l) => {
                    self.load_const_obj(new_str(l.as_str()));
                    n += 1;
                }
                ast::FStringPart::FString(fs) => n += self.fstring_elems(&fs.elements)?,
            }
        }
        if n != 1 {
            self.emit(op::BUILD_STRING, n);
        }
        Ok(())
    }

    fn fstring_elems(&mut self, elems: &ast::InterpolatedStringElements) -> CResult<u32> {
        let mut n = 0;
        for el in elems.iter() {
            match el {
                ast::InterpolatedStringElement::Literal(l) => {
                    self.load_const_obj(new_str(&*l.value));
                    n += 1;
                }
                ast::InterpolatedStringElement::Interpolation(i) => {
                    let mut conv = match i.conversion {
                        ast::ConversionFlag::None => 0,
                        ast::ConversionFlag::Str => 1,
                        ast::ConversionFlag::Repr => 2,
                        ast::ConversionFlag::Ascii => 3,
                    };
                    if let Some(d) = &i.debug_text {
                        let r = i.expression.range();
                        let text = self
                            .src
                            .get(r.start().to_usize()..r.end().to_usize())
                            .unwrap_or("");
                        self.load_const_obj(new_str(format!(
                            "{}{}{}",
                            d.leading, text, d.trailing
                        )));
                        n += 1;
                        if conv == 0 && i.format_spec.is_none() {
                            conv = 2;
                        }
                    }
                    self.expr(&i.expression)?;
                    if let Some(spec) = &i.format_spec {
                        let k = self.fstring_elems(&spec.elements)?;
                        if k != 1 {
                            self.emit(op::BUILD_STRING, k);
                        }
                        conv |= 4;
                    }
                    self.emit(op::FORMAT_VALUE, conv);
                    n += 1;
                }
            }
        }
        if n == 0 {
            self.load_const_obj(new_str(""));
            n = 1;
        }
        Ok(n)
    }
}

/// Whether a display has a `*iterable` item.
fn has_starred(elts: &[Expr]) -> bool {
    elts.iter().any(|e| matches!(e, Expr::Starred(_)))
}

enum FuncBody<'b> {
    Stmts(&'b [Stmt]),
    Expr(&'b Expr),
}

#[derive(Clone, Copy)]
enum CompKind<'b> {
    List(&'b Expr),
    /// A generator expression: a generator function over its first iterable.
    Gen(&'b Expr),
    /// A generator expression whose consumer takes every element before
    /// doing anything else with them (`list`, `tuple`, `sorted` of the
    /// builtins, `"sep".join`): built as a list at once, named `<genexpr>`,
    /// which is exactly what the lazy generator gives.
    EagerGen(&'b Expr),
    Set(&'b Expr),
    Dict(&'b Expr, &'b Expr),
    /// `any(<genexpr>)` / `all(<genexpr>)` of the builtins (`true`: `any`):
    /// the generator expression's loop itself, returning as soon as an
    /// element decides the answer, so later elements are never evaluated
    /// (as CPython's lazy generator gives).
    ShortCircuit(&'b Expr, bool),
}

/// Whether two constants may share a slot (same kind and equal value).
fn same_const(a: &Obj, b: &Obj) -> bool {
    if a.raw() == b.raw() {
        return true;
    }
    use crate::abi::layout::kind;
    match (a.kind(), b.kind()) {
        (kind::STR, kind::STR) => crate::vm::ops::eq_simple(a.raw(), b.raw()).unwrap_or(false),
        (kind::FLOAT, kind::FLOAT) => {
            obj::float_val(a.raw()).to_bits() == obj::float_val(b.raw()).to_bits()
        }
        _ => false,
    }
}

/// Stack effect of an instruction: (effect when not jumping, effect when jumping).
fn stack_effect(w: u32) -> (i32, i32) {
    let a = oparg(w) as i32;
    match opcode(w) {
        op::NOP | op::JUMP_FORWARD | op::JUMP_BACKWARD | op::ENTER_EXECUTOR => (0, 0),
        op::LOAD_FAST
        | op::LOAD_FAST_CHECK
        | op::LOAD_CONST
        | op::LOAD_GLOBAL
        | op::LOAD_DEREF
        | op::LOAD_CLOSURE
        | op::PUSH_NULL
        | op::COPY => (1, 1),
        op::LOAD_NAME => (1, 1),
        op::STORE_NAME | op::DELETE_ATTR => (-1, -1),
        op::DELETE_NAME => (0, 0),
        op::STORE_FAST | op::STORE_GLOBAL | op::STORE_DEREF | op::POP_TOP => (-1, -1),
        op::DELETE_FAST | op::DELETE_GLOBAL | op::SWAP | op::KW_NAMES => (0, 0),
        op::BINARY_OP | op::COMPARE_OP | op::IS_OP | op::CONTAINS_OP | op::BINARY_SUBSCR => {
            (-1, -1)
        }
        op::UNARY_NEGATIVE
        | op::UNARY_POSITIVE
        | op::UNARY_INVERT
        | op::UNARY_NOT
        | op::GET_ITER => (0, 0),
        op::POP_JUMP_IF_FALSE | op::POP_JUMP_IF_TRUE => (-1, -1),
        op::JUMP_IF_FALSE_OR_POP | op::JUMP_IF_TRUE_OR_POP => (-1, 0),
        op::FOR_ITER => (1, -1),
        op::SEND => (0, -1),
        op::BUILD_LIST | op::BUILD_TUPLE | op::BUILD_STRING => (1 - a, 1 - a),
        op::BUILD_MAP => (1 - 2 * a, 1 - 2 * a),
        op::BUILD_SLICE => (1 - a, 1 - a),
        op::LIST_APPEND | op::LIST_EXTEND | op::SET_ADD | op::SET_UPDATE => (-1, -1),
        op::BUILD_SET => (1 - a, 1 - a),
        op::MAP_ADD => (-2, -2),
        op::STORE_SUBSCR => (-3, -3),
        op::DELETE_SUBSCR => (-2, -2),
        op::UNPACK_SEQUENCE => (a - 1, a - 1),
        op::UNPACK_EX => ((a & 0xff) + (a >> 8), (a & 0xff) + (a >> 8)),
        op::LOAD_METHOD | op::IMPORT_NAME | op::IMPORT_FROM => (1, 1),
        op::LOAD_ATTR => (0, 0),
        op::STORE_ATTR => (-2, -2),
        op::CALL => (-a - 1, -a - 1),
        op::CALL_EX => {
            let n = -2 - (a & call_ex::NAMES as i32) - ((a & call_ex::KWARGS as i32 != 0) as i32);
            (n, n)
        }
        op::DICT_MERGE | op::DICT_UPDATE => (-1, -1),
        op::LIST_TO_TUPLE => (0, 0),
        op::MAKE_FUNCTION => (-(a & 1) - ((a >> 1) & 1) - ((a >> 2) & 1), 0),
        op::RETURN_VALUE => (-1, -1),
        op::FORMAT_VALUE => (-((a >> 2) & 1), 0),
        op::RAISE_ASSERT => (-a, -a),
        op::RAISE => (-a, -a),
        op::SETUP_EXCEPT | op::POP_EXCEPT_BLOCK | op::POP_EXCEPT | op::RERAISE => (0, 0),
        op::CHECK_EXC_MATCH => (0, 0),
        op::BEFORE_WITH => (1, 1),
        op::WITH_EXCEPT_START => (1, 1),
        _ => (0, 0),
    }
}

fn is_jump(o: u8) -> bool {
    matches!(
        o,
        op::POP_JUMP_IF_FALSE
            | op::POP_JUMP_IF_TRUE
            | op::JUMP_IF_FALSE_OR_POP
            | op::JUMP_IF_TRUE_OR_POP
            | op::JUMP_FORWARD
            | op::JUMP_BACKWARD
            | op::FOR_ITER
            | op::SEND
    )
}

/// Maximum stack depth and the depth before each instruction
/// ([`Code::depths`](crate::vm::bytecode::Code::depths); `u32::MAX` where
/// unreachable), by a flow analysis over the instructions.
fn stack_depths(instrs: &[u32], handlers: &mut [(u32, u32, u32, u32)]) -> (u32, Vec<u32>) {
    let n = instrs.len();
    let mut depth: Vec<i32> = vec![-1; n + 1];
    let mut conflict = vec![false; n];
    let mut work = vec![(0usize, 0i32)];
    let mut max = 0;
    while let Some((pc, d)) = work.pop() {
        if pc < n && depth[pc] >= 0 && depth[pc] != d {
            // Reached with two depths (not expected of the compiler's
            // output): tier 2 must not rely on either.
            conflict[pc] = true;
        }
        if pc >= n || depth[pc] >= d {
            continue;
        }
        depth[pc] = d;
        max = max.max(d);
        let w = instrs[pc];
        let o = opcode(w);
        let (nj, j) = stack_effect(w);
        if o == op::SETUP_EXCEPT {
            // The region starting here, and the other ranges of its
            // handler (a try/finally's region is split around the inline
            // copies of its finally body), have this depth.
            let targets: Vec<u32> = handlers
                .iter()
                .filter(|h| h.0 as usize == pc + 1)
                .map(|h| h.2)
                .collect();
            // (`SETUP_EXCEPT n`: the region starts n items above its
            // handler's depth, as a `with` body's does.)
            let hd = d - oparg(w) as i32;
            for h in handlers.iter_mut() {
                if targets.contains(&h.2) {
                    h.3 = hd as u32;
                }
            }
            for t in targets {
                work.push((t as usize, hd + 1));
            }
        }
        if is_jump(o) {
            work.push((oparg(w) as usize, d + j));
            max = max.max(d + j);
        }
        if !matches!(
            o,
            op::JUMP_FORWARD | op::JUMP_BACKWARD | op::RETURN_VALUE | op::RAISE | op::RERAISE
        ) {
            work.push((pc + 1, d + nj));
            max = max.max(d + nj);
        }
    }
    // A successor's depth disagreeing with its predecessor's, and anything
    // after a disagreement, is unknown.
    let successors = |pc: usize| {
        let w = instrs[pc];
        let o = opcode(w);
        let (nj, j) = stack_effect(w);
        let d = depth[pc];
        let jump = is_jump(o).then_some((oparg(w) as usize, d + j));
        let next = (!matches!(
            o,
            op::JUMP_FORWARD | op::JUMP_BACKWARD | op::RETURN_VALUE | op::RAISE | op::RERAISE
        ))
        .then_some((pc + 1, d + nj));
        jump.into_iter().chain(next)
    };
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).filter(|&pc| depth[pc] >= 0) {
            for (t, d) in successors(pc) {
                if t < n && !conflict[t] && (conflict[pc] || depth[t] != d) {
                    conflict[t] = true;
                    changed = true;
                }
            }
        }
    }
    let depths = depth[..n]
        .iter()
        .zip(&conflict)
        .map(|(&d, &c)| {
            if c {
                u32::MAX
            } else {
                u32::try_from(d).unwrap_or(u32::MAX)
            }
        })
        .collect();
    (max.max(0) as u32, depths)
}
