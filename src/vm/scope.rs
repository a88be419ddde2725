//! Symbol analysis: which names of each function scope are fast locals,
//! cells, free variables or globals.
//!
//! Scopes are keyed by the source range of the node that opens them (a
//! `def`, a `lambda`, or a comprehension).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::{HashMap, HashSet};

/// Key of a scope: the range of its defining node.
pub type ScopeKey = (u32, u32);

/// Key for a node's range.
pub fn key_of(r: TextRange) -> ScopeKey {
    (r.start().to_u32(), r.end().to_u32())
}

/// What the compiler needs to know about one scope.
#[derive(Default, Debug)]
pub struct ScopeInfo {
    /// Whether this is a function scope (false for the module and classes).
    pub is_function: bool,
    /// Whether this is a class body: its names live in the namespace dict
    /// (fast local 0, `.ns`), except `__class__` (a cell, when a method
    /// uses `super` or `__class__`) and free variables it does not bind.
    pub is_class: bool,
    /// Parameters, in order: positional (positional-only first),
    /// keyword-only, then `*args` and `**kwargs` (CPython's `co_varnames`).
    pub params: Vec<String>,
    /// How [`Self::params`] divide (a function's or lambda's; zero for a
    /// comprehension, whose parameters are all positional).
    pub sig: Signature,
    /// Locals (parameters first), in first-assignment order.
    pub locals: Vec<String>,
    /// Names declared `global`.
    pub globals: HashSet<String>,
    /// Names declared `nonlocal`.
    pub nonlocals: HashSet<String>,
    /// Names used (load, store or delete).
    pub uses: Vec<String>,
    /// Cell variables (locals captured by inner scopes).
    pub cells: Vec<String>,
    /// Free variables (captured from enclosing scopes).
    pub frees: Vec<String>,
    /// Names this scope binds (assignment, `def`, `del`, `except ... as`,
    /// `import`), the module's included: unlike [`Self::locals`], which a
    /// module scope leaves empty.
    pub bound: HashSet<String>,
    /// Whether the body contains `yield` or `yield from` (a generator function).
    pub is_generator: bool,
    parent: Option<usize>,
}

/// The kinds of a function's parameters, counted.
#[derive(Default, Debug, Clone, Copy)]
pub struct Signature {
    /// Positional-only parameters (before `/`).
    pub posonly: u32,
    /// Keyword-only parameters (after `*` or `*args`).
    pub kwonly: u32,
    /// Whether there is a `*args` parameter.
    pub varargs: bool,
    /// Whether there is a `**kwargs` parameter.
    pub varkw: bool,
}

impl Signature {
    /// The signature of `p`.
    pub fn of(p: &ast::Parameters) -> Signature {
        Signature {
            posonly: p.posonlyargs.len() as u32,
            kwonly: p.kwonlyargs.len() as u32,
            varargs: p.vararg.is_some(),
            varkw: p.kwarg.is_some(),
        }
    }
}

impl ScopeInfo {
    fn add_local(&mut self, n: &str) {
        if !self.locals.iter().any(|x| x == n) {
            self.locals.push(n.to_string());
        }
    }
    fn add_use(&mut self, n: &str) {
        if !self.uses.iter().any(|x| x == n) {
            self.uses.push(n.to_string());
        }
    }
}

/// The result of analysis: one [`ScopeInfo`] per scope.
pub struct Scopes {
    /// All scopes; index 0 is the module.
    pub list: Vec<ScopeInfo>,
    /// Map from defining node range to scope index.
    pub by_key: HashMap<ScopeKey, usize>,
}

impl Scopes {
    /// Whether any scope binds `name` (assigns, defines, imports, deletes or
    /// takes it as a parameter) or declares it `global`/`nonlocal`: if none
    /// does, every use of `name` in the program reads the builtin.
    pub fn binds_anywhere(&self, name: &str) -> bool {
        self.list.iter().any(|s| {
            s.bound.contains(name)
                || s.params.iter().any(|n| n == name)
                || s.globals.contains(name)
                || s.nonlocals.contains(name)
        })
    }
}

struct Builder {
    list: Vec<ScopeInfo>,
    by_key: HashMap<ScopeKey, usize>,
    cur: usize,
}

/// Analyzes a module.
pub fn analyze(body: &[Stmt]) -> Scopes {
    let mut b = Builder {
        list: vec![ScopeInfo::default()],
        by_key: HashMap::new(),
        cur: 0,
    };
    for s in body {
        b.stmt(s);
    }
    b.resolve();
    Scopes {
        list: b.list,
        by_key: b.by_key,
    }
}

impl Builder {
    fn store(&mut self, n: &str) {
        let s = &mut self.list[self.cur];
        s.add_use(n);
        s.bound.insert(n.to_string());
        if s.is_function && !s.globals.contains(n) && !s.nonlocals.contains(n) {
            s.add_local(n);
        }
    }
    fn load(&mut self, n: &str) {
        self.list[self.cur].add_use(n);
    }
    fn push_scope(&mut self, key: ScopeKey, params: Vec<String>, sig: Signature) -> usize {
        let idx = self.list.len();
        let mut s = ScopeInfo {
            is_function: true,
            parent: Some(self.cur),
            ..Default::default()
        };
        for p in &params {
            s.add_local(p);
            s.add_use(p);
        }
        s.params = params;
        s.sig = sig;
        self.list.push(s);
        self.by_key.insert(key, idx);
        let prev = self.cur;
        self.cur = idx;
        prev
    }

    fn params_of(p: &ast::Parameters) -> Vec<String> {
        let mut v: Vec<String> = p
            .posonlyargs
            .iter()
            .chain(p.args.iter())
            .chain(p.kwonlyargs.iter())
            .map(|a| a.parameter.name.id.to_string())
            .collect();
        if let Some(va) = &p.vararg {
            v.push(va.name.id.to_string());
        }
        if let Some(kw) = &p.kwarg {
            v.push(kw.name.id.to_string());
        }
        v
    }

    fn stmts(&mut self, b: &[Stmt]) {
        for s in b {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.expr(&d.expression);
                }
                for p in f.parameters.iter_non_variadic_params() {
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                self.store(&f.name.id);
                let prev = self.push_scope(
                    key_of(f.range),
                    Self::params_of(&f.parameters),
                    Signature::of(&f.parameters),
                );
                self.stmts(&f.body);
                self.cur = prev;
            }
            Stmt::ClassDef(c) => {
                for d in &c.decorator_list {
                    self.expr(&d.expression);
                }
                if let Some(a) = &c.arguments {
                    a.args.iter().for_each(|e| self.expr(e));
                    a.keywords.iter().for_each(|k| self.expr(&k.value));
                }
                self.store(&c.name.id);
                let idx = self.list.len();
                let s = ScopeInfo {
                    is_class: true,
                    parent: Some(self.cur),
                    params: vec![".ns".to_string()],
                    locals: vec![".ns".to_string()],
                    ..Default::default()
                };
                self.list.push(s);
                self.by_key.insert(key_of(c.range), idx);
                let prev = self.cur;
                self.cur = idx;
                self.stmts(&c.body);
                self.cur = prev;
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v)
                }
            }
            Stmt::Delete(d) => d.targets.iter().for_each(|t| self.target(t)),
            Stmt::Assign(a) => {
                self.expr(&a.value);
                a.targets.iter().for_each(|t| self.target(t));
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.value);
                self.target(&a.target);
                if let Expr::Name(n) = &*a.target {
                    self.load(&n.id);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v);
                }
                self.target(&a.target);
            }
            Stmt::For(f) => {
                self.expr(&f.iter);
                self.target(&f.target);
                self.stmts(&f.body);
                self.stmts(&f.orelse);
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.stmts(&w.body);
                self.stmts(&w.orelse);
            }
            Stmt::If(i) => {
                self.expr(&i.test);
                self.stmts(&i.body);
                for c in &i.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.expr(t);
                    }
                    self.stmts(&c.body);
                }
            }
            Stmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.expr(e);
                }
            }
            Stmt::Try(t) => {
                self.stmts(&t.body);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(e) = &h.type_ {
                        self.expr(e);
                    }
                    if let Some(n) = &h.name {
                        self.store(&n.id);
                    }
                    self.stmts(&h.body);
                }
                self.stmts(&t.orelse);
                self.stmts(&t.finalbody);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                    if let Some(t) = &item.optional_vars {
                        self.target(t);
                    }
                }
                self.stmts(&w.body);
            }
            Stmt::Assert(a) => {
                self.expr(&a.test);
                if let Some(m) = &a.msg {
                    self.expr(m);
                }
            }
            Stmt::Global(g) => {
                for n in &g.names {
                    self.list[self.cur].globals.insert(n.id.to_string());
                }
            }
            Stmt::Nonlocal(g) => {
                for n in &g.names {
                    self.list[self.cur].nonlocals.insert(n.id.to_string());
                    self.load(&n.id);
                }
            }
            Stmt::Expr(e) => self.expr(&e.value),
            Stmt::Import(i) => {
                for a in &i.names {
                    let name = a.asname.as_ref().unwrap_or(&a.name).id.as_str();
                    let first = name.split('.').next().unwrap_or(name);
                    self.list[self.cur].bound.insert(first.to_string());
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    let name = a.asname.as_ref().unwrap_or(&a.name);
                    self.list[self.cur].bound.insert(name.id.to_string());
                }
            }
            _ => {}
        }
    }

    fn target(&mut self, t: &Expr) {
        match t {
            Expr::Name(n) => self.store(&n.id),
            Expr::Tuple(tu) => tu.elts.iter().for_each(|e| self.target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target(e)),
            Expr::Starred(s) => self.target(&s.value),
            other => self.expr(other),
        }
    }

    fn comprehension(&mut self, range: TextRange, gens: &[ast::Comprehension], elts: &[&Expr]) {
        if let Some(first) = gens.first() {
            self.expr(&first.iter);
        }
        let prev = self.push_scope(key_of(range), vec![".0".to_string()], Signature::default());
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                self.expr(&g.iter);
            }
            self.target(&g.target);
            for c in &g.ifs {
                self.expr(c);
            }
        }
        for e in elts {
            self.expr(e);
        }
        self.cur = prev;
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Name(n) => match n.ctx {
                ast::ExprContext::Load => {
                    // `super()` reads the `__class__` cell, as in CPython.
                    if (n.id.as_str() == "super" || n.id.as_str() == "__class__")
                        && self.list[self.cur].is_function
                    {
                        self.load("__class__");
                    }
                    self.load(&n.id)
                }
                _ => self.store(&n.id),
            },
            Expr::Lambda(l) => {
                let (params, sig) = match &l.parameters {
                    Some(p) => {
                        for p in p.iter_non_variadic_params() {
                            if let Some(d) = &p.default {
                                self.expr(d);
                            }
                        }
                        (Self::params_of(p), Signature::of(p))
                    }
                    None => (vec![], Signature::default()),
                };
                let prev = self.push_scope(key_of(l.range), params, sig);
                self.expr(&l.body);
                self.cur = prev;
            }
            Expr::ListComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comprehension(c.range, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => self.comprehension(c.range, &c.generators, &[&c.key, &c.value]),
            Expr::Named(n) => {
                self.expr(&n.value);
                self.target(&n.target);
            }
            Expr::Yield(y) => {
                self.list[self.cur].is_generator = true;
                if let Some(v) = &y.value {
                    self.expr(v);
                }
            }
            Expr::YieldFrom(y) => {
                self.list[self.cur].is_generator = true;
                self.expr(&y.value);
            }
            _ => {
                // Visit children generically.
                walk_children(e, &mut |c| self.expr(c));
            }
        }
    }

    fn resolve(&mut self) {
        for s in 1..self.list.len() {
            let needed: Vec<String> = self.list[s]
                .uses
                .iter()
                .filter(|n| {
                    let sc = &self.list[s];
                    // A class's own names are its namespace's, not frees.
                    let class_bound = sc.is_class && sc.bound.contains(*n);
                    !(sc.locals.contains(n) || sc.globals.contains(*n) || class_bound)
                })
                .cloned()
                .collect();
            for n in needed {
                let mut chain = vec![s];
                let mut p = self.list[s].parent;
                while let Some(pi) = p {
                    let ps = &self.list[pi];
                    // A class's names are not visible to its methods: it
                    // provides only `__class__` and passes frees through.
                    let provides = if ps.is_class {
                        n == "__class__"
                    } else {
                        if !ps.is_function || ps.globals.contains(&n) {
                            break;
                        }
                        ps.locals.contains(&n)
                    };
                    if provides {
                        if !self.list[pi].cells.contains(&n) {
                            self.list[pi].cells.push(n.clone());
                        }
                        for &c in &chain {
                            if !self.list[c].frees.contains(&n) {
                                self.list[c].frees.push(n.clone());
                            }
                        }
                        break;
                    }
                    chain.push(pi);
                    p = ps.parent;
                }
            }
        }
    }
}

/// Calls `f` on each direct sub-expression of `e` that is evaluated in the same scope.
pub fn walk_children(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    match e {
        Expr::BoolOp(b) => b.values.iter().for_each(f),
        Expr::BinOp(b) => {
            f(&b.left);
            f(&b.right)
        }
        Expr::UnaryOp(u) => f(&u.operand),
        Expr::If(i) => {
            f(&i.test);
            f(&i.body);
            f(&i.orelse)
        }
        Expr::Dict(d) => {
            for it in &d.items {
                if let Some(k) = &it.key {
                    f(k)
                }
                f(&it.value)
            }
        }
        Expr::Set(s) => s.elts.iter().for_each(f),
        Expr::Compare(c) => {
            f(&c.left);
            c.comparators.iter().for_each(f)
        }
        Expr::Call(c) => {
            f(&c.func);
            c.arguments.args.iter().for_each(&mut *f);
            c.arguments.keywords.iter().for_each(|k| f(&k.value))
        }
        Expr::FString(fs) => {
            for part in fs.value.iter() {
                if let ast::FStringPart::FString(s) = part {
                    walk_fstring(&s.elements, f);
                }
            }
        }
        Expr::Attribute(a) => f(&a.value),
        Expr::Subscript(s) => {
            f(&s.value);
            f(&s.slice)
        }
        Expr::Starred(s) => f(&s.value),
        Expr::List(l) => l.elts.iter().for_each(f),
        Expr::Tuple(t) => t.elts.iter().for_each(f),
        Expr::Slice(s) => {
            for x in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                f(x)
            }
        }
        Expr::Named(n) => {
            f(&n.target);
            f(&n.value)
        }
        _ => {}
    }
}

fn walk_fstring(elems: &ast::InterpolatedStringElements, f: &mut dyn FnMut(&Expr)) {
    for el in elems.iter() {
        if let ast::InterpolatedStringElement::Interpolation(i) = el {
            f(&i.expression);
            if let Some(spec) = &i.format_spec {
                walk_fstring(&spec.elements, f);
            }
        }
    }
}

/// Range of an expression (re-exported for the compiler).
pub fn range_of(e: &Expr) -> TextRange {
    e.range()
}
