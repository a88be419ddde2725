//! `itertools`: lazy native iterators ([`IterState::Native`]) with the
//! algorithms of CPython's `itertoolsmodule.c`, so they consume their
//! inputs exactly as CPython's do.

use super::functions_module;
use crate::abi::layout::kind;
use crate::vm::error::{type_error, value_error, PyResult};
use crate::vm::interp::Vm;
use crate::vm::iter::{collect_vm, get_iter, iter_next};
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, str_of, type_name};
use crate::vm::types::*;
use std::cell::RefCell;
use std::rc::Rc;

fn native(it: impl NativeIter + 'static) -> Obj {
    Obj::from_raw(new_iter_obj(IterState::Native(Box::new(it))))
}

fn kw_only(kw: Option<Kw<'_>>, fname: &str, allowed: &[&str]) -> PyResult<Vec<(String, u64)>> {
    let mut out = Vec::new();
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            let name = str_of(n);
            if !allowed.contains(&name) {
                return Err(type_error(format!(
                    "{fname}() got an unexpected keyword argument '{name}'"
                )));
            }
            out.push((name.to_string(), k.vals[i]));
        }
    }
    Ok(out)
}

fn no_kw(kw: Option<Kw<'_>>, fname: &str) -> PyResult<()> {
    match kw {
        Some(k) if !k.names.is_empty() => {
            Err(type_error(format!("{fname}() takes no keyword arguments")))
        }
        _ => Ok(()),
    }
}

fn nargs(args: &[u64], fname: &str, min: usize, max: usize) -> PyResult<()> {
    if args.len() < min {
        return Err(type_error(format!(
            "{fname} expected {} argument{}, got {}",
            if min == max {
                format!("{min}")
            } else {
                format!("at least {min}")
            },
            if min == 1 { "" } else { "s" },
            args.len()
        )));
    }
    if args.len() > max {
        return Err(type_error(format!(
            "{fname} expected at most {max} argument{}, got {}",
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

fn add(a: u64, b: u64) -> PyResult<Obj> {
    ops::binary_op(a, b, crate::vm::bytecode::binop::ADD)
}

/// A non-negative count argument (`r`, `times`).
fn count_arg(v: u64, what: &str) -> PyResult<usize> {
    match as_i64(v).filter(|_| kind_of(v) != kind::FLOAT) {
        Some(n) if n >= 0 => Ok(n as usize),
        Some(_) => Err(value_error(format!("{what} must be non-negative"))),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}

// ---- count, repeat, cycle ----

struct Count {
    cur: Obj,
    step: Obj,
}

impl NativeIter for Count {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Obj>> {
        let next = add(self.cur.raw(), self.step.raw())?;
        Ok(Some(std::mem::replace(&mut self.cur, next)))
    }
    fn type_name(&self) -> &'static str {
        "itertools.count"
    }
}

fn it_count(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "count", 0, 2)?;
    let mut start = args.first().map(|&v| Obj::new_ref(v));
    let mut step = args.get(1).map(|&v| Obj::new_ref(v));
    for (n, v) in kw_only(kw, "count", &["start", "step"])? {
        if n == "start" {
            start = Some(Obj::new_ref(v));
        } else {
            step = Some(Obj::new_ref(v));
        }
    }
    let start = start.unwrap_or_else(|| Obj::int(0));
    let step = step.unwrap_or_else(|| Obj::int(1));
    for v in [&start, &step] {
        if ops::as_num(v.raw()).is_none() {
            return Err(type_error("a number is required"));
        }
    }
    Ok(native(Count { cur: start, step }))
}

struct Repeat {
    obj: Obj,
    left: Option<usize>,
}

impl NativeIter for Repeat {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Obj>> {
        match &mut self.left {
            Some(0) => Ok(None),
            Some(n) => {
                *n -= 1;
                Ok(Some(self.obj.clone()))
            }
            None => Ok(Some(self.obj.clone())),
        }
    }
    fn type_name(&self) -> &'static str {
        "itertools.repeat"
    }
}

fn it_repeat(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut times = args.get(1).copied();
    let mut obj = args.first().copied();
    for (n, v) in kw_only(kw, "repeat", &["object", "times"])? {
        if n == "times" {
            times = Some(v);
        } else {
            obj = Some(v);
        }
    }
    let Some(obj) = obj else {
        return Err(type_error(
            "repeat() missing required argument 'object' (pos 1)",
        ));
    };
    nargs(args, "repeat", 0, 2)?;
    let left = match times {
        None => None,
        Some(t) => Some(match as_i64(t).filter(|_| kind_of(t) != kind::FLOAT) {
            Some(n) => n.max(0) as usize,
            None => {
                return Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(t)
                )))
            }
        }),
    };
    Ok(native(Repeat {
        obj: Obj::new_ref(obj),
        left,
    }))
}

struct Cycle {
    it: Option<Obj>,
    saved: Vec<Obj>,
    idx: usize,
}

impl NativeIter for Cycle {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        if let Some(it) = &self.it {
            let it = it.clone();
            if let Some(v) = iter_next(vm, it.raw())? {
                self.saved.push(v.clone());
                return Ok(Some(v));
            }
            self.it = None;
        }
        if self.saved.is_empty() {
            return Ok(None);
        }
        let v = self.saved[self.idx % self.saved.len()].clone();
        self.idx = (self.idx + 1) % self.saved.len();
        Ok(Some(v))
    }
    fn type_name(&self) -> &'static str {
        "itertools.cycle"
    }
}

fn it_cycle(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "cycle")?;
    nargs(args, "cycle", 1, 1)?;
    Ok(native(Cycle {
        it: Some(get_iter(args[0])?),
        saved: Vec::new(),
        idx: 0,
    }))
}

// ---- chain, islice ----

struct Chain {
    /// The iterator over the iterables.
    source: Option<Obj>,
    active: Option<Obj>,
}

impl NativeIter for Chain {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        loop {
            if let Some(a) = self.active.clone() {
                if let Some(v) = iter_next(vm, a.raw())? {
                    return Ok(Some(v));
                }
                self.active = None;
            }
            let Some(src) = self.source.clone() else {
                return Ok(None);
            };
            match iter_next(vm, src.raw())? {
                Some(iterable) => self.active = Some(get_iter(iterable.raw())?),
                None => {
                    self.source = None;
                    return Ok(None);
                }
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "itertools.chain"
    }
}

fn it_chain(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "chain")?;
    let src = new_tuple(args.iter().map(|&a| Obj::new_ref(a)).collect());
    Ok(native(Chain {
        source: Some(get_iter(src.raw())?),
        active: None,
    }))
}

/// `chain.from_iterable(iterable)` (a method of the builtin `chain`).
fn it_chain_from_iterable(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    // SAFETY: a method of kind BUILTIN: args[0] is a builtin.
    let name = unsafe { cast::<BuiltinObj>(args[0]) }.name;
    if name != "chain" {
        return Err(crate::vm::error::err(
            crate::vm::error::ExcKind::AttributeError,
            "'builtin_function_or_method' object has no attribute 'from_iterable'",
        ));
    }
    if args.len() != 2 {
        return Err(type_error(format!(
            "chain.from_iterable() takes exactly one argument ({} given)",
            args.len() - 1
        )));
    }
    Ok(native(Chain {
        source: Some(get_iter(args[1])?),
        active: None,
    }))
}

struct Islice {
    it: Option<Obj>,
    next: usize,
    stop: Option<usize>,
    step: usize,
    cnt: usize,
}

impl NativeIter for Islice {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        let Some(it) = self.it.clone() else {
            return Ok(None);
        };
        while self.cnt < self.next {
            if iter_next(vm, it.raw())?.is_none() {
                self.it = None;
                return Ok(None);
            }
            self.cnt += 1;
        }
        if self.stop.is_some_and(|s| self.cnt >= s) {
            self.it = None;
            return Ok(None);
        }
        let Some(v) = iter_next(vm, it.raw())? else {
            self.it = None;
            return Ok(None);
        };
        self.cnt += 1;
        let old = self.next;
        self.next = self.next.saturating_add(self.step);
        if let Some(s) = self.stop {
            if self.next < old || self.next > s {
                self.next = s;
            }
        }
        Ok(Some(v))
    }
    fn type_name(&self) -> &'static str {
        "itertools.islice"
    }
}

fn it_islice(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "islice")?;
    nargs(args, "islice", 2, 4)?;
    let index = |v: u64, msg: &str| -> PyResult<Option<usize>> {
        if v == none_raw() {
            return Ok(None);
        }
        match as_i64(v).filter(|_| kind_of(v) != kind::FLOAT) {
            Some(n) if n >= 0 => Ok(Some(n as usize)),
            _ => Err(value_error(msg.to_string())),
        }
    };
    const STOP: &str =
        "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    const IDX: &str = "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let (start, stop, step) = if args.len() == 2 {
        (0, index(args[1], STOP)?, 1)
    } else {
        let start = index(args[1], IDX)?.unwrap_or(0);
        let stop = index(args[2], IDX)?;
        let step = match args.get(3) {
            None => 1,
            Some(&s) if s == none_raw() => 1,
            Some(&s) => match as_i64(s).filter(|_| kind_of(s) != kind::FLOAT) {
                Some(n) if n >= 1 => n as usize,
                _ => {
                    return Err(value_error(
                        "Step for islice() must be a positive integer or None.",
                    ))
                }
            },
        };
        (start, stop, step)
    };
    Ok(native(Islice {
        it: Some(get_iter(args[0])?),
        next: start,
        stop,
        step,
        cnt: 0,
    }))
}

// ---- combinatorics ----

/// `product`, `permutations`, `combinations` and
/// `combinations_with_replacement`: index vectors over a pool, advanced
/// as CPython advances them.
struct Combinatoric {
    which: Comb,
    pool: Vec<Obj>,
    /// For product: the pools' sizes (the pool is their concatenation).
    sizes: Vec<usize>,
    indices: Vec<usize>,
    cycles: Vec<usize>,
    r: usize,
    first: bool,
    done: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Comb {
    Product,
    Permutations,
    Combinations,
    WithReplacement,
}

impl Combinatoric {
    fn result(&self) -> Obj {
        match self.which {
            Comb::Product => {
                let mut base = 0;
                let mut out = Vec::with_capacity(self.sizes.len());
                for (i, &n) in self.sizes.iter().enumerate() {
                    out.push(self.pool[base + self.indices[i]].clone());
                    base += n;
                }
                new_tuple(out)
            }
            Comb::Permutations => new_tuple(
                self.indices[..self.r]
                    .iter()
                    .map(|&i| self.pool[i].clone())
                    .collect(),
            ),
            _ => new_tuple(self.indices.iter().map(|&i| self.pool[i].clone()).collect()),
        }
    }

    /// Advances the indices; false when exhausted.
    fn advance(&mut self) -> bool {
        let n = self.pool.len();
        let r = self.r;
        match self.which {
            Comb::Product => {
                for i in (0..self.sizes.len()).rev() {
                    self.indices[i] += 1;
                    if self.indices[i] < self.sizes[i] {
                        return true;
                    }
                    self.indices[i] = 0;
                }
                false
            }
            Comb::Permutations => {
                for i in (0..r).rev() {
                    self.cycles[i] -= 1;
                    if self.cycles[i] == 0 {
                        let x = self.indices.remove(i);
                        self.indices.push(x);
                        self.cycles[i] = n - i;
                    } else {
                        let j = self.cycles[i];
                        self.indices.swap(i, n - j);
                        return true;
                    }
                }
                false
            }
            Comb::Combinations => {
                let Some(i) = (0..r).rev().find(|&i| self.indices[i] != i + n - r) else {
                    return false;
                };
                self.indices[i] += 1;
                for j in i + 1..r {
                    self.indices[j] = self.indices[j - 1] + 1;
                }
                true
            }
            Comb::WithReplacement => {
                let Some(i) = (0..r).rev().find(|&i| self.indices[i] != n - 1) else {
                    return false;
                };
                let v = self.indices[i] + 1;
                for j in i..r {
                    self.indices[j] = v;
                }
                true
            }
        }
    }
}

impl NativeIter for Combinatoric {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Obj>> {
        if self.done {
            return Ok(None);
        }
        if self.first {
            self.first = false;
        } else if !self.advance() {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(self.result()))
    }
    fn type_name(&self) -> &'static str {
        match self.which {
            Comb::Product => "itertools.product",
            Comb::Permutations => "itertools.permutations",
            Comb::Combinations => "itertools.combinations",
            Comb::WithReplacement => "itertools.combinations_with_replacement",
        }
    }
}

fn combinatoric(which: Comb, pool: Vec<Obj>, r: usize, sizes: Vec<usize>) -> Obj {
    let n = pool.len();
    let (indices, done) = match which {
        Comb::Product => (vec![0; sizes.len()], sizes.contains(&0)),
        Comb::Permutations => ((0..n).collect(), r > n),
        Comb::Combinations => ((0..r).collect(), r > n),
        Comb::WithReplacement => (vec![0; r], n == 0 && r > 0),
    };
    let cycles = if which == Comb::Permutations && r <= n {
        (0..r).map(|i| n - i).collect()
    } else {
        Vec::new()
    };
    native(Combinatoric {
        which,
        pool,
        sizes,
        indices,
        cycles,
        r,
        first: true,
        done,
    })
}

fn it_product(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut repeat = 1;
    for (_, v) in kw_only(kw, "product", &["repeat"])? {
        repeat = match as_i64(v).filter(|_| kind_of(v) != kind::FLOAT) {
            Some(n) if n >= 0 => n as usize,
            Some(_) => return Err(value_error("repeat argument cannot be negative")),
            None => {
                return Err(type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    type_name(v)
                )))
            }
        };
    }
    let mut pools = Vec::new();
    for &a in args {
        pools.push(collect_vm(vm, a)?);
    }
    let mut pool = Vec::new();
    let mut sizes = Vec::new();
    for _ in 0..repeat {
        for p in &pools {
            sizes.push(p.len());
            pool.extend(p.iter().cloned());
        }
    }
    Ok(combinatoric(Comb::Product, pool, 0, sizes))
}

fn it_permutations(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut r = args.get(1).copied();
    for (_, v) in kw_only(kw, "permutations", &["r", "iterable"])? {
        r = Some(v);
    }
    nargs(args, "permutations", 1, 2)?;
    let pool = collect_vm(vm, args[0])?;
    let r = match r.filter(|&r| r != none_raw()) {
        None => pool.len(),
        Some(r) => count_arg(r, "r")?,
    };
    Ok(combinatoric(Comb::Permutations, pool, r, Vec::new()))
}

fn combinations_of(
    vm: &mut Vm,
    args: &[u64],
    kw: Option<Kw<'_>>,
    name: &str,
    which: Comb,
) -> PyResult<Obj> {
    let mut r = args.get(1).copied();
    for (_, v) in kw_only(kw, name, &["r", "iterable"])? {
        r = Some(v);
    }
    let Some(r) = r else {
        return Err(type_error(format!(
            "{name}() missing required argument 'r' (pos 2)"
        )));
    };
    nargs(args, name, 1, 2)?;
    let pool = collect_vm(vm, args[0])?;
    let r = count_arg(r, "r")?;
    Ok(combinatoric(which, pool, r, Vec::new()))
}

fn it_combinations(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    combinations_of(vm, args, kw, "combinations", Comb::Combinations)
}

fn it_combinations_wr(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    combinations_of(
        vm,
        args,
        kw,
        "combinations_with_replacement",
        Comb::WithReplacement,
    )
}

// ---- accumulate, groupby ----

struct Accumulate {
    it: Obj,
    func: Option<Obj>,
    total: Option<Obj>,
    initial: Option<Obj>,
}

impl NativeIter for Accumulate {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        if let Some(i) = self.initial.take() {
            self.total = Some(i.clone());
            return Ok(Some(i));
        }
        let Some(v) = iter_next(vm, self.it.raw())? else {
            return Ok(None);
        };
        let t = match self.total.take() {
            None => v,
            Some(t) => match &self.func {
                None => add(t.raw(), v.raw())?,
                Some(f) => {
                    let f = f.clone();
                    vm.call_object(f.raw(), &[t.raw(), v.raw()], None)?
                }
            },
        };
        self.total = Some(t.clone());
        Ok(Some(t))
    }
    fn type_name(&self) -> &'static str {
        "itertools.accumulate"
    }
}

fn it_accumulate(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut func = args.get(1).copied();
    let mut initial = None;
    let mut iterable = args.first().copied();
    for (n, v) in kw_only(kw, "accumulate", &["func", "initial", "iterable"])? {
        match n.as_str() {
            "func" => func = Some(v),
            "initial" => initial = Some(v),
            _ => iterable = Some(v),
        }
    }
    nargs(args, "accumulate", 0, 2)?;
    let Some(iterable) = iterable else {
        return Err(type_error(
            "accumulate() missing required argument 'iterable' (pos 1)",
        ));
    };
    Ok(native(Accumulate {
        it: get_iter(iterable)?,
        func: func.filter(|&f| f != none_raw()).map(Obj::new_ref),
        total: None,
        initial: initial.filter(|&i| i != none_raw()).map(Obj::new_ref),
    }))
}

/// The state `groupby` and its groupers share.
struct GroupBy {
    it: Obj,
    keyfunc: Option<Obj>,
    tgtkey: Option<Obj>,
    currkey: Option<Obj>,
    currvalue: Option<Obj>,
    /// The generation of the current grouper (older ones are exhausted).
    current: u64,
}

type Shared = Rc<RefCell<GroupBy>>;

/// `groupby_step`: the next value and its key; false at the end.
fn group_step(vm: &mut Vm, g: &Shared) -> PyResult<bool> {
    let (it, kf) = {
        let b = g.borrow();
        (b.it.clone(), b.keyfunc.clone())
    };
    let Some(v) = iter_next(vm, it.raw())? else {
        return Ok(false);
    };
    let k = match kf {
        None => v.clone(),
        Some(f) => vm.call_object(f.raw(), &[v.raw()], None)?,
    };
    let mut b = g.borrow_mut();
    b.currvalue = Some(v);
    b.currkey = Some(k);
    Ok(true)
}

struct GroupByIter(Shared);

impl NativeIter for GroupByIter {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        let g = self.0.clone();
        g.borrow_mut().current += 1;
        loop {
            let (cur, tgt) = {
                let b = g.borrow();
                (b.currkey.clone(), b.tgtkey.clone())
            };
            // A new group starts at a key unlike the last group's.
            let new_group = match (cur, tgt) {
                (Some(_), None) => true,
                (Some(c), Some(t)) => !ops::eq(t.raw(), c.raw())?,
                _ => false,
            };
            if new_group {
                break;
            }
            if !group_step(vm, &g)? {
                return Ok(None);
            }
        }
        let (key, generation) = {
            let mut b = g.borrow_mut();
            b.tgtkey = b.currkey.clone();
            (b.currkey.clone().unwrap_or_else(Obj::none), b.current)
        };
        let grouper = native(Grouper {
            parent: g,
            tgtkey: key.clone(),
            generation,
        });
        Ok(Some(new_tuple(vec![key, grouper])))
    }
    fn type_name(&self) -> &'static str {
        "itertools.groupby"
    }
}

struct Grouper {
    parent: Shared,
    tgtkey: Obj,
    generation: u64,
}

impl NativeIter for Grouper {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        let g = self.parent.clone();
        let stale = g.borrow().current != self.generation;
        if stale {
            return Ok(None);
        }
        let empty = g.borrow().currvalue.is_none();
        if empty && !group_step(vm, &g)? {
            return Ok(None);
        }
        let cur = g.borrow().currkey.clone().unwrap_or_else(Obj::none);
        if !ops::eq(self.tgtkey.raw(), cur.raw())? {
            return Ok(None);
        }
        let mut b = g.borrow_mut();
        b.currkey = None;
        Ok(b.currvalue.take())
    }
    fn type_name(&self) -> &'static str {
        "itertools._grouper"
    }
}

fn it_groupby(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut key = args.get(1).copied();
    let mut iterable = args.first().copied();
    for (n, v) in kw_only(kw, "groupby", &["key", "iterable"])? {
        if n == "key" {
            key = Some(v);
        } else {
            iterable = Some(v);
        }
    }
    nargs(args, "groupby", 0, 2)?;
    let Some(iterable) = iterable else {
        return Err(type_error(
            "groupby() missing required argument 'iterable' (pos 1)",
        ));
    };
    Ok(native(GroupByIter(Rc::new(RefCell::new(GroupBy {
        it: get_iter(iterable)?,
        keyfunc: key.filter(|&k| k != none_raw()).map(Obj::new_ref),
        tgtkey: None,
        currkey: None,
        currvalue: None,
        current: 0,
    })))))
}

// ---- zip_longest, starmap, takewhile, dropwhile, filterfalse, compress, pairwise ----

struct ZipLongest {
    iters: Vec<Option<Obj>>,
    active: usize,
    fill: Obj,
}

impl NativeIter for ZipLongest {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        if self.iters.is_empty() || self.active == 0 {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.iters.len());
        for i in 0..self.iters.len() {
            let Some(it) = self.iters[i].clone() else {
                out.push(self.fill.clone());
                continue;
            };
            match iter_next(vm, it.raw())? {
                Some(v) => out.push(v),
                None => {
                    self.iters[i] = None;
                    self.active -= 1;
                    if self.active == 0 {
                        return Ok(None);
                    }
                    out.push(self.fill.clone());
                }
            }
        }
        Ok(Some(new_tuple(out)))
    }
    fn type_name(&self) -> &'static str {
        "itertools.zip_longest"
    }
}

fn it_zip_longest(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut fill = Obj::none();
    for (_, v) in kw_only(kw, "zip_longest", &["fillvalue"])? {
        fill = Obj::new_ref(v);
    }
    let iters = args
        .iter()
        .map(|&a| get_iter(a).map(Some))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(native(ZipLongest {
        active: iters.len(),
        iters,
        fill,
    }))
}

/// `starmap`, `takewhile`, `dropwhile`, `filterfalse`: a function over an
/// iterator's items.
struct FuncIter {
    which: FuncKind,
    func: Obj,
    it: Obj,
    /// takewhile: the predicate failed; dropwhile: it has failed once.
    flag: bool,
}

#[derive(Clone, Copy)]
enum FuncKind {
    Starmap,
    TakeWhile,
    DropWhile,
    FilterFalse,
}

impl NativeIter for FuncIter {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        loop {
            if matches!(self.which, FuncKind::TakeWhile) && self.flag {
                return Ok(None);
            }
            let Some(v) = iter_next(vm, self.it.raw())? else {
                return Ok(None);
            };
            let f = self.func.clone();
            match self.which {
                FuncKind::Starmap => {
                    let args = collect_vm(vm, v.raw()).map_err(|_| {
                        type_error(format!("'{}' object is not iterable", type_name(v.raw())))
                    })?;
                    let raw: Vec<u64> = args.iter().map(|a| a.raw()).collect();
                    return Ok(Some(vm.call_object(f.raw(), &raw, None)?));
                }
                FuncKind::TakeWhile => {
                    let r = vm.call_object(f.raw(), &[v.raw()], None)?;
                    if ops::truthy(r.raw())? {
                        return Ok(Some(v));
                    }
                    self.flag = true;
                    return Ok(None);
                }
                FuncKind::DropWhile => {
                    if self.flag {
                        return Ok(Some(v));
                    }
                    let r = vm.call_object(f.raw(), &[v.raw()], None)?;
                    if !ops::truthy(r.raw())? {
                        self.flag = true;
                        return Ok(Some(v));
                    }
                }
                FuncKind::FilterFalse => {
                    let keep = if f.raw() == none_raw() {
                        !ops::truthy(v.raw())?
                    } else {
                        let r = vm.call_object(f.raw(), &[v.raw()], None)?;
                        !ops::truthy(r.raw())?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                }
            }
        }
    }
    fn type_name(&self) -> &'static str {
        match self.which {
            FuncKind::Starmap => "itertools.starmap",
            FuncKind::TakeWhile => "itertools.takewhile",
            FuncKind::DropWhile => "itertools.dropwhile",
            FuncKind::FilterFalse => "itertools.filterfalse",
        }
    }
}

fn func_iter(args: &[u64], kw: Option<Kw<'_>>, name: &str, which: FuncKind) -> PyResult<Obj> {
    no_kw(kw, name)?;
    nargs(args, name, 2, 2)?;
    Ok(native(FuncIter {
        which,
        func: Obj::new_ref(args[0]),
        it: get_iter(args[1])?,
        flag: false,
    }))
}

fn it_starmap(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    func_iter(args, kw, "starmap", FuncKind::Starmap)
}
fn it_takewhile(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    func_iter(args, kw, "takewhile", FuncKind::TakeWhile)
}
fn it_dropwhile(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    func_iter(args, kw, "dropwhile", FuncKind::DropWhile)
}
fn it_filterfalse(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    func_iter(args, kw, "filterfalse", FuncKind::FilterFalse)
}

struct Compress {
    data: Obj,
    selectors: Obj,
}

impl NativeIter for Compress {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        loop {
            let Some(d) = iter_next(vm, self.data.raw())? else {
                return Ok(None);
            };
            let Some(s) = iter_next(vm, self.selectors.raw())? else {
                return Ok(None);
            };
            if ops::truthy(s.raw())? {
                return Ok(Some(d));
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "itertools.compress"
    }
}

fn it_compress(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "compress")?;
    nargs(args, "compress", 2, 2)?;
    Ok(native(Compress {
        data: get_iter(args[0])?,
        selectors: get_iter(args[1])?,
    }))
}

struct Pairwise {
    it: Option<Obj>,
    old: Option<Obj>,
}

impl NativeIter for Pairwise {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>> {
        let Some(it) = self.it.clone() else {
            return Ok(None);
        };
        if self.old.is_none() {
            self.old = iter_next(vm, it.raw())?;
            if self.old.is_none() {
                self.it = None;
                return Ok(None);
            }
        }
        let Some(new) = iter_next(vm, it.raw())? else {
            self.it = None;
            self.old = None;
            return Ok(None);
        };
        let old = self.old.replace(new.clone()).unwrap_or_else(Obj::none);
        Ok(Some(new_tuple(vec![old, new])))
    }
    fn type_name(&self) -> &'static str {
        "itertools.pairwise"
    }
}

fn it_pairwise(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "pairwise")?;
    nargs(args, "pairwise", 1, 1)?;
    Ok(native(Pairwise {
        it: Some(get_iter(args[0])?),
        old: None,
    }))
}

/// `chain.from_iterable` is looked up as a method of builtin functions
/// (the builtin `chain` is a function here, not a type).
pub const METHODS: &[(u32, &str, BuiltinFn)] =
    &[(kind::BUILTIN, "from_iterable", it_chain_from_iterable)];

/// The `itertools` module.
pub(super) fn itertools_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("count", it_count),
        ("repeat", it_repeat),
        ("cycle", it_cycle),
        ("chain", it_chain),
        ("islice", it_islice),
        ("product", it_product),
        ("permutations", it_permutations),
        ("combinations", it_combinations),
        ("combinations_with_replacement", it_combinations_wr),
        ("accumulate", it_accumulate),
        ("groupby", it_groupby),
        ("zip_longest", it_zip_longest),
        ("starmap", it_starmap),
        ("takewhile", it_takewhile),
        ("dropwhile", it_dropwhile),
        ("filterfalse", it_filterfalse),
        ("compress", it_compress),
        ("pairwise", it_pairwise),
    ];
    functions_module("itertools", fs)
}
