//! User classes (session 10): class objects, instances, attribute lookup
//! along the MRO, bound methods, `staticmethod`/`classmethod`/`property`,
//! `super`, and the special methods the generic operations call.
//!
//! A class ([`ClassObj`]) keeps its namespace in a dict, its bases and its
//! C3 MRO (without itself), and a version tag: a number unique to the
//! class's current attribute set, replaced whenever an attribute of the
//! class or of any of its bases changes, so tier 1's attribute caches
//! (`LOAD_ATTR_INSTANCE`, `LOAD_METHOD_INSTANCE`, `STORE_ATTR_INSTANCE`)
//! guard a whole lookup with one compare. An instance ([`InstanceObj`])
//! holds its class and an attribute dict (insertion ordered, so `vars(obj)`
//! and `obj.__dict__` are CPython's).
//!
//! The generic operations (`ops`, `text`, `dict`, `iter`) call special
//! methods through the running VM, which this module keeps a pointer to
//! ([`set_vm`]), the same VM tier-2 helpers reach through `vm_data`.

use crate::abi::layout::{kind, ObjHeader};
use crate::vm::bytecode::binop;
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{err, type_error, ExcKind, PyErr, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{str_of, type_name};
use crate::vm::types::*;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A user class.
#[repr(C)]
pub struct ClassObj {
    /// Header, kind CLASS.
    pub ob: ObjHeader,
    /// `__name__` (interned for the run: `type_name` returns `&'static str`).
    pub name: &'static str,
    /// `__qualname__`.
    pub qualname: String,
    /// `__bases__`: classes or builtin type objects.
    pub bases: Vec<Obj>,
    /// The MRO after the class itself (C3), ending with `object`'s type object.
    pub mro: Vec<Obj>,
    /// The namespace (a dict object).
    pub dict: Obj,
    /// Version tag: unique to the class's current attributes (see module doc).
    pub tag: Cell<u32>,
    /// The builtin exception class this class derives from, if any.
    pub exc_base: Option<ExcKind>,
    /// Direct subclasses (not owned; each removes itself when freed).
    pub subclasses: RefCell<Vec<u64>>,
    /// `__init__` as [`lookup`] found it (borrowed from a class dict in the
    /// MRO) while the tag was the first value: a tag change (any attribute
    /// change of the class or a base) makes it stale.
    pub init_cache: Cell<(u32, Option<u64>)>,
}

impl Drop for ClassObj {
    fn drop(&mut self) {
        let me = self as *const ClassObj as u64;
        for b in &self.bases {
            if kind_of(b.raw()) == KIND_CLASS {
                // SAFETY: kind checked; the base is alive (we own a reference).
                let bc = unsafe { cast::<ClassObj>(b.raw()) };
                bc.subclasses.borrow_mut().retain(|&s| s != me);
            }
        }
    }
}

/// An instance of a user class.
#[repr(C)]
pub struct InstanceObj {
    /// Header, kind INSTANCE.
    pub ob: ObjHeader,
    /// Its class (kind CLASS).
    pub cls: Obj,
    /// Its attributes (a dict object).
    pub dict: Obj,
}

/// What a [`WrapperObj`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wrap {
    /// `staticmethod(f)`.
    Static,
    /// `classmethod(f)`.
    ClassMethod,
    /// `property(fget, fset)`.
    Property,
    /// `super(cls, obj)`: `f` is the class, `g` the object.
    Super,
    /// The `NotImplemented` singleton.
    NotImplemented,
}

/// `staticmethod`, `classmethod`, `property`, `super` objects and `NotImplemented`.
#[repr(C)]
pub struct WrapperObj {
    /// Header, kind WRAPPER.
    pub ob: ObjHeader,
    /// Which.
    pub which: Wrap,
    /// The function (the getter, `super`'s class).
    pub f: Obj,
    /// A property's setter (None when it has none), `super`'s object.
    pub g: Obj,
}

thread_local! {
    static NEXT_TAG: Cell<u32> = const { Cell::new(1 << 20) };
    static NAMES: RefCell<HashMap<usize, Obj, BuildHasherDefault<AddrHasher>>> =
        RefCell::new(HashMap::default());
    static INTERNED: RefCell<std::collections::HashSet<&'static str>> =
        RefCell::new(std::collections::HashSet::new());
    static NOT_IMPLEMENTED: Cell<u64> = const { Cell::new(0) };
    static INSTANCE_FREE: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Room on the instance free list. Code that makes objects in a loop
/// (`Vec(self.x + o.x, ...)`) frees about as many as it makes, so a short
/// list keeps the instance, its dict and the dict's two tables out of the
/// allocator.
const INSTANCE_FREE_CAPACITY: usize = 64;

/// Largest index table (slots) an instance dict on the free list keeps.
const INSTANCE_FREE_MAX_INDEX: usize = 32;

/// A new instance of class `cls` with an empty dict: from the free list
/// (its dict's storage reused) when it has one.
fn new_instance(cls: u64) -> Obj {
    if let Some(v) = INSTANCE_FREE.with(|f| f.borrow_mut().pop()) {
        // The instance and its dict are live again.
        live_inc();
        live_inc();
        let p = v as *mut InstanceObj;
        // SAFETY: a free-list entry is an `InstanceObj` allocation whose
        // header and class were released ([`free_instance`]) and whose dict
        // is an owned, empty dict; the fields written here are not dropped.
        unsafe {
            std::ptr::addr_of_mut!((*p).ob).write(hdr(KIND_INSTANCE));
            std::ptr::addr_of_mut!((*p).cls).write(Obj::new_ref(cls));
        }
        return Obj::from_raw(v);
    }
    Obj::from_raw(box_obj(InstanceObj {
        ob: hdr(KIND_INSTANCE),
        cls: Obj::new_ref(cls),
        dict: new_dict(),
    }))
}

/// Frees a dead instance (counted dead already): onto the free list, its
/// dict emptied but kept, when nothing else holds the dict (no
/// `vars(obj)` alive) and the list has room; to the allocator otherwise.
///
/// # Safety
/// `v` must be a dead instance (refcount 0, no other users), freed once.
pub unsafe fn free_instance(v: u64) {
    let p = v as *mut InstanceObj;
    // SAFETY: the caller's contract: `v` is an instance, so its dict field
    // is a live object it owns.
    let d = unsafe { (*p).dict.raw() };
    // SAFETY: as above.
    let sole = kind_of(d) == kind::DICT && unsafe { (*(d as *const ObjHeader)).refcnt } == 1;
    // SAFETY: kind checked; the dict is reachable only from this instance,
    // so emptying it (which may free other objects) races with nothing.
    if !sole || !unsafe { dict_mut(d) }.reset_for_reuse(INSTANCE_FREE_MAX_INDEX) {
        // SAFETY: as the caller's contract.
        unsafe { drop(Box::from_raw(p)) };
        return;
    }
    // SAFETY: the class reference is moved out once; the field is not
    // read again until `new_instance` writes a new one.
    drop(unsafe { std::ptr::read(std::ptr::addr_of!((*p).cls)) });
    let kept = INSTANCE_FREE.with(|f| {
        let mut f = f.borrow_mut();
        if f.len() < INSTANCE_FREE_CAPACITY {
            f.push(v);
            true
        } else {
            false
        }
    });
    if kept {
        // The resting dict counts dead, like the instance.
        live_dec();
    } else {
        // SAFETY: the class was moved out above, so only the dict is
        // dropped, then the allocation freed without its fields.
        unsafe {
            drop(std::ptr::read(std::ptr::addr_of!((*p).dict)));
            drop(Box::from_raw(p as *mut std::mem::MaybeUninit<InstanceObj>));
        }
    }
}

/// Frees the instances resting on the free list (at exit).
fn drain_instance_free_list() {
    let list = INSTANCE_FREE.with(|f| std::mem::take(&mut *f.borrow_mut()));
    for v in list {
        let p = v as *mut InstanceObj;
        // The dict's release counts it dead once more.
        live_inc();
        // SAFETY: a free-list entry: its class was moved out, its dict is
        // owned; freed once, without dropping the class field again.
        unsafe {
            drop(std::ptr::read(std::ptr::addr_of!((*p).dict)));
            drop(Box::from_raw(p as *mut std::mem::MaybeUninit<InstanceObj>));
        }
    }
}

/// The VM running on this thread (its special-method calls go there).
pub(crate) fn vm<'a>() -> &'a mut Vm {
    crate::vm::thread_vm::current()
}

/// Drops the cached name strs (before the leak count at exit).
pub fn teardown() {
    NAMES.with(|n| n.borrow_mut().clear());
    drain_instance_free_list();
    NOT_IMPLEMENTED.with(|n| n.set(0));
}

/// Hashes the address of a `&'static str` (the keys of [`name_obj`]'s
/// table): one multiply, no SipHash on every special-method lookup.
#[derive(Default)]
struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
    fn write_usize(&mut self, x: usize) {
        self.0 = (x as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A str object for `name`, made once per run (borrowed). Keyed by the
/// literal's address: two copies of one literal make two equal strs,
/// which find the same dict entries.
pub fn name_obj(name: &'static str) -> u64 {
    NAMES.with(|n| {
        n.borrow_mut()
            .entry(name.as_ptr() as usize)
            .or_insert_with(|| new_str(name))
            .raw()
    })
}

fn intern(s: &str) -> &'static str {
    INTERNED.with(|t| {
        let mut t = t.borrow_mut();
        if let Some(&x) = t.get(s) {
            return x;
        }
        let x: &'static str = Box::leak(s.to_string().into_boxed_str());
        t.insert(x);
        x
    })
}

fn next_tag() -> u32 {
    NEXT_TAG.with(|t| {
        let v = t.get();
        t.set(v.wrapping_add(1).max(1 << 20));
        v
    })
}

/// Makes the `NotImplemented` singleton (held by the builtins dict).
pub fn make_not_implemented() -> Obj {
    let o = Obj::from_raw(box_obj(WrapperObj {
        ob: hdr(KIND_WRAPPER),
        which: Wrap::NotImplemented,
        f: Obj::none(),
        g: Obj::none(),
    }));
    NOT_IMPLEMENTED.with(|n| n.set(o.raw()));
    o
}

fn is_not_implemented(v: u64) -> bool {
    v != 0 && NOT_IMPLEMENTED.with(|n| n.get()) == v
}

/// The class object of `v`, for an instance or class.
///
/// # Safety
/// `v` is of kind CLASS.
pub unsafe fn class<'a>(v: u64) -> &'a ClassObj {
    // SAFETY: the caller's contract.
    unsafe { cast::<ClassObj>(v) }
}

/// The instance behind `v`.
///
/// # Safety
/// `v` is of kind INSTANCE.
pub unsafe fn instance<'a>(v: u64) -> &'a InstanceObj {
    // SAFETY: the caller's contract.
    unsafe { cast::<InstanceObj>(v) }
}

/// The class of an instance (borrowed).
#[inline]
pub fn class_of(v: u64) -> u64 {
    // SAFETY: callers pass instances.
    unsafe { instance(v) }.cls.raw()
}

/// The `__name__` of a class.
pub fn class_name(c: u64) -> &'static str {
    // SAFETY: callers pass classes.
    unsafe { class(c) }.name
}

/// Looks `name` (a str object) up along the class's MRO: borrowed value.
pub fn lookup(cls: u64, name: u64) -> Option<u64> {
    // SAFETY: callers pass classes; the MRO holds classes and type objects.
    let c = unsafe { class(cls) };
    // SAFETY: a class dict is a dict.
    if let Some(v) = unsafe { dict_mut(c.dict.raw()) }.get_str(name) {
        return Some(v);
    }
    for b in &c.mro {
        if kind_of(b.raw()) == KIND_CLASS {
            // SAFETY: kind checked.
            let bc = unsafe { class(b.raw()) };
            // SAFETY: a class dict is a dict.
            if let Some(v) = unsafe { dict_mut(bc.dict.raw()) }.get_str(name) {
                return Some(v);
            }
        }
    }
    None
}

/// [`lookup`] by a Rust name.
pub fn lookup_str(cls: u64, name: &'static str) -> Option<u64> {
    lookup(cls, name_obj(name))
}

/// Whether `sub` is `sup` or derives from it (classes or builtin types).
pub fn is_subclass(sub: u64, sup: u64) -> bool {
    if sub == sup {
        return true;
    }
    match kind_of(sub) {
        KIND_CLASS => {
            // SAFETY: kind checked.
            let c = unsafe { class(sub) };
            c.mro.iter().any(|b| {
                b.raw() == sup || (kind_of(b.raw()) == KIND_TYPE && same_type(b.raw(), sup))
            })
        }
        KIND_TYPE => same_type(sub, sup) || is_exc_subtype(sub, sup),
        _ => false,
    }
}

fn same_type(a: u64, b: u64) -> bool {
    if kind_of(a) != KIND_TYPE || kind_of(b) != KIND_TYPE {
        return false;
    }
    // SAFETY: kinds checked.
    unsafe { cast::<TypeObj>(a).id == cast::<TypeObj>(b).id }
}

fn is_exc_subtype(a: u64, b: u64) -> bool {
    if kind_of(b) != KIND_TYPE {
        return false;
    }
    // SAFETY: kinds checked by the caller (a) and here (b).
    let (x, y) = unsafe { (cast::<TypeObj>(a).id, cast::<TypeObj>(b).id) };
    match (x, y) {
        (TypeId::Exc(x), TypeId::Exc(y)) => x.is_subclass(y),
        (_, TypeId::Object) => true,
        _ => false,
    }
}

/// Bumps the version tags of `cls` and of every class deriving from it.
pub fn invalidate(cls: u64) {
    // SAFETY: callers pass classes; subclasses are live (they unregister when freed).
    let c = unsafe { class(cls) };
    c.tag.set(next_tag());
    let subs = c.subclasses.borrow().clone();
    for s in subs {
        invalidate(s);
    }
}

fn mro_error(bases: &[Obj]) -> Box<PyErr> {
    let names: Vec<&str> = bases.iter().map(|b| base_name(b.raw())).collect();
    type_error(format!(
        "Cannot create a consistent method resolution\norder (MRO) for bases {}",
        names.join(", ")
    ))
}

fn base_name(b: u64) -> &'static str {
    match kind_of(b) {
        KIND_CLASS => class_name(b),
        // SAFETY: kind checked.
        KIND_TYPE => crate::vm::builtins::type_id_name(unsafe { cast::<TypeObj>(b).id }),
        _ => "?",
    }
}

/// The full MRO of a base (itself first).
fn full_mro(b: u64) -> Vec<u64> {
    let mut v = vec![b];
    if kind_of(b) == KIND_CLASS {
        // SAFETY: kind checked.
        v.extend(unsafe { class(b) }.mro.iter().map(Obj::raw));
    } else if kind_of(b) == KIND_TYPE {
        // A builtin exception type: its chain of bases, then object.
        // SAFETY: kind checked.
        if let TypeId::Exc(mut k) = unsafe { cast::<TypeObj>(b).id } {
            while let Some(p) = k.base() {
                v.push(crate::vm::builtins::exc_type_obj(p));
                k = p;
            }
        }
        if !same_type(b, object_type()) {
            v.push(object_type());
        }
    }
    v
}

fn object_type() -> u64 {
    crate::vm::builtins::object_type_obj()
}

/// C3 linearization of `bases` (without the new class).
fn c3(bases: &[Obj]) -> PyResult<Vec<u64>> {
    let mut seqs: Vec<Vec<u64>> = bases.iter().map(|b| full_mro(b.raw())).collect();
    seqs.push(bases.iter().map(Obj::raw).collect());
    let eqv = |a: u64, b: u64| a == b || same_type(a, b);
    let mut out = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let mut pick = None;
        for s in &seqs {
            let cand = s[0];
            if !seqs.iter().any(|t| t[1..].iter().any(|&x| eqv(x, cand))) {
                pick = Some(cand);
                break;
            }
        }
        let Some(p) = pick else {
            return Err(mro_error(bases));
        };
        out.push(p);
        for s in seqs.iter_mut() {
            if eqv(s[0], p) {
                s.remove(0);
            }
        }
    }
}

/// `__build_class__(func, name, *bases)`: runs the class body `func` with a
/// fresh namespace and makes the class.
pub fn build_class(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() < 2 || kind_of(args[0]) != kind::FUNCTION || kind_of(args[1]) != kind::STR {
        return Err(type_error("__build_class__: func and name required"));
    }
    let name = str_of(args[1]);
    let mut bases: Vec<Obj> = Vec::new();
    for &b in &args[2..] {
        match kind_of(b) {
            KIND_CLASS => bases.push(Obj::new_ref(b)),
            KIND_TYPE => {
                // SAFETY: kind checked.
                let id = unsafe { cast::<TypeObj>(b).id };
                match id {
                    TypeId::Object | TypeId::Exc(_) => bases.push(Obj::new_ref(b)),
                    _ => {
                        return Err(type_error(format!(
                            "subclassing the builtin type '{}' is not supported",
                            crate::vm::builtins::type_id_name(id)
                        )))
                    }
                }
            }
            _ => {
                return Err(type_error(
                    "metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass of the metaclasses of all its bases",
                ))
            }
        }
    }
    if bases.is_empty() {
        bases.push(Obj::new_ref(object_type()));
    }
    let ns = new_dict();
    // SAFETY: a fresh dict.
    let d = unsafe { dict_mut(ns.raw()) };
    d.set(new_str("__module__"), new_str("__main__"))?;
    // SAFETY: the function's code is a code object.
    let qual = unsafe {
        let fo = cast::<FuncObj>(args[0]);
        cast::<CodeObj>(fo.code.raw()).code.qualname.to_string()
    };
    d.set(new_str("__qualname__"), new_str(qual.as_str()))?;
    let cell = vm.call_object(args[0], &[ns.raw()], None)?;
    let mro = c3(&bases)?;
    let mut exc_base = None;
    for &m in &mro {
        if kind_of(m) == KIND_TYPE {
            // SAFETY: kind checked.
            if let TypeId::Exc(k) = unsafe { cast::<TypeObj>(m).id } {
                exc_base = Some(k);
                break;
            }
        }
        if kind_of(m) == KIND_CLASS {
            // SAFETY: kind checked.
            if let Some(k) = unsafe { class(m) }.exc_base {
                exc_base = Some(k);
                break;
            }
        }
    }
    // SAFETY: ns is a dict.
    let d = unsafe { dict_mut(ns.raw()) };
    let _ = d.remove(name_obj("__classcell__"));
    let qualname = match d.get_str(name_obj("__qualname__")) {
        Some(q) if kind_of(q) == kind::STR => str_of(q).to_string(),
        _ => qual,
    };
    let c = Obj::from_raw(box_obj(ClassObj {
        ob: hdr(KIND_CLASS),
        name: intern(name),
        qualname,
        bases,
        mro: mro.iter().map(|&m| Obj::new_ref(m)).collect(),
        dict: ns,
        tag: Cell::new(next_tag()),
        exc_base,
        subclasses: RefCell::new(Vec::new()),
        init_cache: Cell::new((0, None)),
    }));
    // SAFETY: just made.
    for b in &unsafe { class(c.raw()) }.bases {
        if kind_of(b.raw()) == KIND_CLASS {
            // SAFETY: kind checked.
            unsafe { class(b.raw()) }
                .subclasses
                .borrow_mut()
                .push(c.raw());
        }
    }
    if kind_of(cell.raw()) == KIND_CELL {
        // SAFETY: kind checked.
        let cc = unsafe { cast_mut::<CellObj>(cell.raw()) };
        let old = std::mem::replace(&mut cc.value, c.clone().into_raw());
        xdecref(old);
    }
    Ok(c)
}

/// A bound method of `f` to `obj`.
pub fn bound(f: u64, obj: u64) -> Obj {
    Obj::from_raw(box_obj(BoundObj {
        ob: hdr(KIND_BOUND),
        func: Obj::new_ref(f),
        self_: Obj::new_ref(obj),
    }))
}

/// What a class attribute `v` found for `inst` (None: through the class
/// itself) of class `cls` gives: functions bind, wrappers unwrap.
fn bind(vm: &mut Vm, v: u64, inst: Option<u64>, cls: u64) -> PyResult<Obj> {
    match kind_of(v) {
        kind::FUNCTION => Ok(match inst {
            Some(i) => bound(v, i),
            None => Obj::new_ref(v),
        }),
        KIND_WRAPPER => {
            // SAFETY: kind checked.
            let w = unsafe { cast::<WrapperObj>(v) };
            match w.which {
                Wrap::Static => Ok(w.f.clone()),
                Wrap::ClassMethod => Ok(bound(w.f.raw(), cls)),
                Wrap::Property => match inst {
                    Some(i) => {
                        if w.f.raw() == none_raw() {
                            return Err(err(ExcKind::AttributeError, "unreadable attribute"));
                        }
                        vm.call_object(w.f.raw(), &[i], None)
                    }
                    None => Ok(Obj::new_ref(v)),
                },
                _ => Ok(Obj::new_ref(v)),
            }
        }
        _ => Ok(Obj::new_ref(v)),
    }
}

fn no_attr(v: u64, name: u64) -> Box<PyErr> {
    err(
        ExcKind::AttributeError,
        format!(
            "'{}' object has no attribute '{}'",
            type_name(v),
            str_of(name)
        ),
    )
}

/// `inst.name` for an instance.
pub fn instance_getattr(vm: &mut Vm, inst: u64, name: u64) -> PyResult<Obj> {
    let cls = class_of(inst);
    let found = lookup(cls, name);
    if let Some(f) = found {
        if is_data_descriptor(f) {
            return bind(vm, f, Some(inst), cls);
        }
    }
    // SAFETY: an instance dict is a dict.
    if let Some(v) = unsafe { dict_mut(instance(inst).dict.raw()) }.get_str(name) {
        return Ok(Obj::new_ref(v));
    }
    if let Some(f) = found {
        return bind(vm, f, Some(inst), cls);
    }
    match str_of(name) {
        "__class__" => return Ok(Obj::new_ref(cls)),
        // SAFETY: kind checked by the caller.
        "__dict__" => return Ok(unsafe { instance(inst) }.dict.clone()),
        _ => {}
    }
    if let Some(ga) = lookup_str(cls, "__getattr__") {
        return vm.call_object(ga, &[inst, name], None);
    }
    Err(no_attr(inst, name))
}

/// Whether a class attribute takes precedence over the instance dict.
#[inline]
pub fn is_data_descriptor(v: u64) -> bool {
    // SAFETY: kind checked.
    kind_of(v) == KIND_WRAPPER && unsafe { cast::<WrapperObj>(v) }.which == Wrap::Property
}

/// `cls.name` for a class.
pub fn class_getattr(vm: &mut Vm, cls: u64, name: u64) -> PyResult<Obj> {
    if let Some(f) = lookup(cls, name) {
        return bind(vm, f, None, cls);
    }
    // SAFETY: kind checked by the caller.
    let c = unsafe { class(cls) };
    match str_of(name) {
        "__name__" => return Ok(new_str(c.name)),
        "__qualname__" => return Ok(new_str(c.qualname.as_str())),
        "__mro__" => {
            let mut v = vec![Obj::new_ref(cls)];
            v.extend(c.mro.iter().cloned());
            return Ok(new_tuple(v));
        }
        "__bases__" => return Ok(new_tuple(c.bases.clone())),
        "__base__" => return Ok(c.bases[0].clone()),
        "__dict__" => {
            // SAFETY: a class dict is a dict.
            let copy = unsafe { dict_mut(c.dict.raw()) }.copy();
            return Ok(Obj::from_raw(box_obj(DictObj {
                ob: hdr(kind::DICT),
                d: copy,
            })));
        }
        _ => {}
    }
    Err(err(
        ExcKind::AttributeError,
        format!(
            "type object '{}' has no attribute '{}'",
            c.name,
            str_of(name)
        ),
    ))
}

/// `super(cls, obj).name`.
fn super_getattr(vm: &mut Vm, s: &WrapperObj, name: u64) -> PyResult<Obj> {
    let start = s.f.raw();
    let obj = s.g.raw();
    let (objcls, inst) = match kind_of(obj) {
        KIND_CLASS => (obj, None),
        _ => (special_class(obj).unwrap_or(0), Some(obj)),
    };
    if objcls != 0 {
        // SAFETY: kind checked.
        let c = unsafe { class(objcls) };
        let mut chain: Vec<u64> = vec![objcls];
        chain.extend(c.mro.iter().map(Obj::raw));
        if let Some(pos) = chain.iter().position(|&x| x == start) {
            for &b in &chain[pos + 1..] {
                if kind_of(b) == KIND_CLASS {
                    // SAFETY: kind checked; a class dict is a dict.
                    if let Some(v) = unsafe { dict_mut(class(b).dict.raw()) }.get_str(name) {
                        return bind(vm, v, inst, objcls);
                    }
                } else if kind_of(b) == KIND_TYPE {
                    if let Some(r) = builtin_base_attr(b, obj, name) {
                        return r;
                    }
                }
            }
        }
    }
    Err(err(
        ExcKind::AttributeError,
        format!("'super' object has no attribute '{}'", str_of(name)),
    ))
}

/// Methods of the builtin bases a `super()` can reach: `object.__init__`,
/// `BaseException.__init__`, `object.__repr__`/`__str__`, ...
fn builtin_base_attr(t: u64, obj: u64, name: u64) -> Option<PyResult<Obj>> {
    // SAFETY: callers pass a type object.
    let id = unsafe { cast::<TypeObj>(t).id };
    let f: BuiltinFn = match (id, str_of(name)) {
        (TypeId::Object, "__init__") => object_init,
        (TypeId::Exc(_), "__init__") => exc_init,
        (TypeId::Object | TypeId::Exc(_), "__repr__") => object_repr,
        (TypeId::Object, "__str__") => object_str,
        (TypeId::Object, "__eq__") => object_eq,
        (TypeId::Object, "__ne__") => object_ne,
        (TypeId::Object, "__hash__") => object_hash,
        (TypeId::Object, "__setattr__") => object_setattr,
        (TypeId::Object, "__getattribute__") => object_getattribute,
        _ => return None,
    };
    let b = crate::vm::builtins::builtin(intern(str_of(name)), f, 0);
    Some(Ok(bound(b.raw(), obj)))
}

fn object_init(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() > 1 {
        return Err(type_error(
            "object.__init__() takes exactly one argument (the instance to initialize)",
        ));
    }
    Ok(Obj::none())
}

fn exc_init(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if kind_of(args[0]) == KIND_EXC {
        // SAFETY: kind checked.
        let e = unsafe { cast_mut::<ExcObj>(args[0]) };
        e.args = args[1..].iter().map(|&a| Obj::new_ref(a)).collect();
    }
    Ok(Obj::none())
}

fn object_repr(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(new_str(default_repr(args[0])))
}

fn object_str(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(new_str(crate::vm::text::repr(args[0])?))
}

fn object_eq(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() == 2 && args[0] == args[1] {
        return Ok(Obj::bool(true));
    }
    Ok(not_implemented())
}

fn object_ne(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() == 2 && args[0] == args[1] {
        return Ok(Obj::bool(false));
    }
    Ok(not_implemented())
}

fn object_hash(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(Obj::int((args[0] >> 4) as i64))
}

fn object_setattr(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 3 {
        return Err(type_error("expected 2 arguments"));
    }
    setattr_plain(args[0], args[1], Obj::new_ref(args[2]))?;
    Ok(Obj::none())
}

fn object_getattribute(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error("expected 1 argument"));
    }
    getattr(vm, args[0], args[1]).unwrap_or_else(|| Err(no_attr(args[0], args[1])))
}

fn not_implemented() -> Obj {
    Obj::new_ref(NOT_IMPLEMENTED.with(|n| n.get()))
}

/// `<__main__.C object at 0x...>`.
pub fn default_repr(v: u64) -> String {
    let name = match kind_of(v) {
        KIND_INSTANCE => {
            // SAFETY: kind checked.
            unsafe { class(class_of(v)) }.qualname.clone()
        }
        _ => type_name(v).to_string(),
    };
    format!("<__main__.{} object at {:#x}>", name, v)
}

/// `v.name` for the kinds this module handles (instances, classes,
/// wrappers, functions); `None` for others.
pub fn getattr(vm: &mut Vm, v: u64, name: u64) -> Option<PyResult<Obj>> {
    Some(match kind_of(v) {
        KIND_INSTANCE => instance_getattr(vm, v, name),
        KIND_CLASS => class_getattr(vm, v, name),
        KIND_WRAPPER => {
            // SAFETY: kind checked.
            let w = unsafe { cast::<WrapperObj>(v) };
            match (w.which, str_of(name)) {
                (Wrap::Super, _) => super_getattr(vm, w, name),
                (Wrap::Property, "setter") => {
                    let b = crate::vm::builtins::builtin("setter", property_setter, 0);
                    Ok(bound(b.raw(), v))
                }
                (Wrap::Property, "fget") => Ok(w.f.clone()),
                (Wrap::Property, "fset") => Ok(w.g.clone()),
                (Wrap::Static | Wrap::ClassMethod, "__func__") => Ok(w.f.clone()),
                _ => Err(no_attr(v, name)),
            }
        }
        // Functions' and types' `__name__`/`__qualname__`/`__module__`:
        // `builtins::special_attr`, after this.
        KIND_BOUND => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BoundObj>(v) };
            match str_of(name) {
                "__self__" => Ok(b.self_.clone()),
                "__func__" if kind_of(b.func.raw()) == kind::FUNCTION => Ok(b.func.clone()),
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn property_setter(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 || kind_of(args[0]) != KIND_WRAPPER {
        return Err(type_error("setter() takes exactly one argument"));
    }
    // SAFETY: kind checked.
    let w = unsafe { cast::<WrapperObj>(args[0]) };
    Ok(Obj::from_raw(box_obj(WrapperObj {
        ob: hdr(KIND_WRAPPER),
        which: Wrap::Property,
        f: w.f.clone(),
        g: Obj::new_ref(args[1]),
    })))
}

fn setattr_plain(v: u64, name: u64, val: Obj) -> PyResult<()> {
    match kind_of(v) {
        KIND_EXC => {
            // SAFETY: kind checked.
            let e = unsafe { cast_mut::<ExcObj>(v) };
            if str_of(name) == "args" {
                e.args = crate::vm::iter::collect(val.raw())?;
                return Ok(());
            }
            match &e.dict {
                // SAFETY: an exception's dict is a dict.
                Some(d) => unsafe { dict_mut(d.raw()) }.set(Obj::new_ref(name), val),
                None => Err(no_attr(v, name)),
            }
        }
        KIND_INSTANCE => {
            // SAFETY: kind checked; an instance dict is a dict.
            unsafe { dict_mut(instance(v).dict.raw()) }.set(Obj::new_ref(name), val)
        }
        _ => Err(no_attr(v, name)),
    }
}

/// `v.name = val` for instances and classes; `None` for other kinds.
pub fn setattr(vm: &mut Vm, v: u64, name: u64, val: Obj) -> Option<PyResult<()>> {
    Some(match kind_of(v) {
        KIND_EXC => setattr_plain(v, name, val),
        KIND_INSTANCE => {
            let cls = class_of(v);
            if let Some(f) = lookup(cls, name) {
                if is_data_descriptor(f) {
                    // SAFETY: kind checked by is_data_descriptor.
                    let w = unsafe { cast::<WrapperObj>(f) };
                    if w.g.raw() == none_raw() {
                        return Some(Err(err(
                            ExcKind::AttributeError,
                            format!(
                                "property '{}' of '{}' object has no setter",
                                property_name(w),
                                class_name(cls)
                            ),
                        )));
                    }
                    let g = w.g.clone();
                    return Some(vm.call_object(g.raw(), &[v, val.raw()], None).map(drop));
                }
            }
            if let Some(sa) = lookup_str(cls, "__setattr__") {
                return Some(vm.call_object(sa, &[v, name, val.raw()], None).map(drop));
            }
            setattr_plain(v, name, val)
        }
        KIND_CLASS => {
            // SAFETY: kind checked; a class dict is a dict.
            let r = unsafe { dict_mut(class(v).dict.raw()) }.set(Obj::new_ref(name), val);
            invalidate(v);
            r
        }
        _ => return None,
    })
}

fn property_name(w: &WrapperObj) -> String {
    if kind_of(w.f.raw()) == kind::FUNCTION {
        // SAFETY: kind checked; a function's code is a code object.
        let c = unsafe { &cast::<CodeObj>(cast::<FuncObj>(w.f.raw()).code.raw()).code };
        return c.name.to_string();
    }
    "?".to_string()
}

/// `del v.name` for instances and classes; `None` for other kinds.
pub fn delattr(v: u64, name: u64) -> Option<PyResult<()>> {
    Some(match kind_of(v) {
        KIND_INSTANCE => {
            let cls = class_of(v);
            if let Some(f) = lookup(cls, name) {
                if is_data_descriptor(f) {
                    // SAFETY: kind checked.
                    let w = unsafe { cast::<WrapperObj>(f) };
                    return Some(Err(err(
                        ExcKind::AttributeError,
                        format!(
                            "property '{}' of '{}' object has no deleter",
                            property_name(w),
                            class_name(cls)
                        ),
                    )));
                }
            }
            // SAFETY: kind checked; an instance dict is a dict.
            match unsafe { dict_mut(instance(v).dict.raw()) }.remove(name) {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(no_attr(v, name)),
                Err(e) => Err(e),
            }
        }
        KIND_CLASS => {
            // SAFETY: kind checked; a class dict is a dict.
            let r = unsafe { dict_mut(class(v).dict.raw()) }.remove(name);
            invalidate(v);
            match r {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(err(
                    ExcKind::AttributeError,
                    format!(
                        "type object '{}' has no attribute '{}'",
                        class_name(v),
                        str_of(name)
                    ),
                )),
                Err(e) => Err(e),
            }
        }
        _ => return None,
    })
}

/// Calls a class: makes an instance and runs `__init__`.
pub fn call_class(vm: &mut Vm, cls: u64, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    // SAFETY: callers pass classes.
    let c = unsafe { class(cls) };
    let inst = if let Some(k) = c.exc_base {
        let e = crate::vm::builtins::new_exc(k, args.iter().map(|&a| Obj::new_ref(a)).collect());
        // SAFETY: just made, kind EXC.
        let eo = unsafe { cast_mut::<ExcObj>(e.raw()) };
        eo.cls = Some(Obj::new_ref(cls));
        eo.dict = Some(new_dict());
        e
    } else {
        new_instance(cls)
    };
    let init = match c.init_cache.get() {
        (tag, init) if tag == c.tag.get() => init,
        _ => {
            let init = lookup_str(cls, "__init__");
            c.init_cache.set((c.tag.get(), init));
            init
        }
    };
    match init {
        Some(init) => {
            let fast = match kw {
                None => vm.call_exact_with_self(init, inst.raw(), args),
                Some(_) => None,
            };
            if let Some(r) = fast {
                let r = r?;
                if r.raw() != none_raw() {
                    return Err(type_error(format!(
                        "__init__() should return None, not '{}'",
                        type_name(r.raw())
                    )));
                }
                return Ok(inst);
            }
            let mut all = Vec::with_capacity(args.len() + 1);
            all.push(inst.raw());
            all.extend_from_slice(args);
            let f = bind_for_call(init, cls);
            let r = vm.call_object(f.raw(), &all, kw)?;
            if r.raw() != none_raw() {
                return Err(type_error(format!(
                    "__init__() should return None, not '{}'",
                    type_name(r.raw())
                )));
            }
        }
        None => {
            if c.exc_base.is_none() && (!args.is_empty() || kw.is_some_and(|k| !k.names.is_empty()))
            {
                return Err(type_error(format!("{}() takes no arguments", c.name)));
            }
        }
    }
    Ok(inst)
}

/// The callable to call with the receiver first for a class attribute `f`.
fn bind_for_call(f: u64, _cls: u64) -> Obj {
    Obj::new_ref(f)
}

/// Calls the special method `name` of `v`'s class with `v` and `args`;
/// `None` when the class does not define it.
pub fn call_special(v: u64, name: &'static str, args: &[u64]) -> Option<PyResult<Obj>> {
    let cls = special_class(v)?;
    let f = lookup_str(cls, name)?;
    let vm = vm();
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(v);
    all.extend_from_slice(args);
    Some(match kind_of(f) {
        kind::FUNCTION => vm.call_object(f, &all, None),
        _ => match bind(vm, f, Some(v), cls) {
            Ok(b) => vm.call_object(b.raw(), args, None),
            Err(e) => Err(e),
        },
    })
}

/// The special method `name` of `v`'s class bound to `v` (looked up on
/// the class only, as CPython's special lookup is); `None` when the class
/// does not define it (or `v` is not an instance of a user class).
pub fn special_method(vm: &mut Vm, v: u64, name: &'static str) -> Option<PyResult<Obj>> {
    let cls = special_class(v)?;
    let f = lookup_str(cls, name)?;
    Some(bind(vm, f, Some(v), cls))
}

/// The user class whose special methods apply to `v`, if any.
#[inline]
fn special_class(v: u64) -> Option<u64> {
    match kind_of(v) {
        KIND_INSTANCE => Some(class_of(v)),
        KIND_EXC => {
            // SAFETY: kind checked.
            unsafe { cast::<ExcObj>(v) }.cls.as_ref().map(Obj::raw)
        }
        _ => None,
    }
}

/// Whether `v` is an instance of a user class (its operations go through
/// its special methods).
#[inline]
pub fn is_user(v: u64) -> bool {
    kind_of(v) == KIND_INSTANCE
}

/// `repr(v)` through `__repr__`, or `None` for values without one.
pub fn repr(v: u64) -> Option<PyResult<String>> {
    let r = call_special(v, "__repr__", &[])?;
    Some(r.and_then(|s| {
        if kind_of(s.raw()) == kind::STR {
            Ok(str_of(s.raw()).to_string())
        } else {
            Err(type_error(format!(
                "__repr__ returned non-string (type {})",
                type_name(s.raw())
            )))
        }
    }))
}

/// `str(v)` through `__str__` (then `__repr__`), or `None`.
pub fn to_str(v: u64) -> Option<PyResult<String>> {
    match call_special(v, "__str__", &[]) {
        Some(r) => Some(r.and_then(|s| {
            if kind_of(s.raw()) == kind::STR {
                Ok(str_of(s.raw()).to_string())
            } else {
                Err(type_error(format!(
                    "__str__ returned non-string (type {})",
                    type_name(s.raw())
                )))
            }
        })),
        None => repr(v),
    }
}

const BINOP_NAMES: [(&str, &str, &str); 13] = [
    ("__add__", "__radd__", "__iadd__"),
    ("__sub__", "__rsub__", "__isub__"),
    ("__mul__", "__rmul__", "__imul__"),
    ("__truediv__", "__rtruediv__", "__itruediv__"),
    ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
    ("__mod__", "__rmod__", "__imod__"),
    ("__pow__", "__rpow__", "__ipow__"),
    ("__lshift__", "__rlshift__", "__ilshift__"),
    ("__rshift__", "__rrshift__", "__irshift__"),
    ("__and__", "__rand__", "__iand__"),
    ("__or__", "__ror__", "__ior__"),
    ("__xor__", "__rxor__", "__ixor__"),
    ("__matmul__", "__rmatmul__", "__imatmul__"),
];

fn done(r: PyResult<Obj>) -> Option<PyResult<Obj>> {
    match r {
        Ok(v) if is_not_implemented(v.raw()) => None,
        other => Some(other),
    }
}

/// `a <o> b` where either operand is an instance of a user class.
pub fn binary_op(a: u64, b: u64, o: u32) -> PyResult<Obj> {
    let (fwd, refl, inpl) = BINOP_NAMES[(o & 15) as usize];
    if o & binop::INPLACE != 0 {
        if let Some(r) = call_special(a, inpl, &[b]).and_then(done) {
            return r;
        }
    }
    let same = special_class(a).is_some() && special_class(a) == special_class(b);
    if let Some(r) = call_special(a, fwd, &[b]).and_then(done) {
        return r;
    }
    if !same {
        if let Some(r) = call_special(b, refl, &[a]).and_then(done) {
            return r;
        }
    }
    Err(crate::vm::ops::unsupported(a, b, o))
}

/// `-v`, `+v`, `~v` (`name` the special method) for a user instance.
pub fn unary(v: u64, name: &'static str, sym: &str) -> PyResult<Obj> {
    match call_special(v, name, &[]) {
        Some(r) => r,
        None => Err(type_error(format!(
            "bad operand type for unary {}: '{}'",
            sym,
            type_name(v)
        ))),
    }
}

const CMP_NAMES: [&str; 6] = ["__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"];
const CMP_SWAPPED: [usize; 6] = [4, 5, 2, 3, 0, 1];

/// Rich comparison `a <o> b` where either is a user instance: the result
/// object (any value, as CPython returns it).
pub fn compare(a: u64, b: u64, o: u32) -> PyResult<Obj> {
    let o = o as usize;
    if let Some(r) = call_special(a, CMP_NAMES[o], &[b]).and_then(done) {
        return r;
    }
    if let Some(r) = call_special(b, CMP_NAMES[CMP_SWAPPED[o]], &[a]).and_then(done) {
        return r;
    }
    // `!=` falls back on `__eq__`, inverted.
    if o == 3 {
        if let Some(r) = call_special(a, "__eq__", &[b]).and_then(done) {
            return Ok(Obj::bool(!crate::vm::ops::truthy(r?.raw())?));
        }
    }
    match o {
        2 => Ok(Obj::bool(a == b)),
        3 => Ok(Obj::bool(a != b)),
        _ => Err(type_error(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            crate::vm::bytecode::cmp::SYMBOLS[o],
            type_name(a),
            type_name(b)
        ))),
    }
}

/// Whether either value's comparisons go through special methods.
#[inline]
pub fn either_user(a: u64, b: u64) -> bool {
    special_class(a).is_some() || special_class(b).is_some()
}

/// `hash(v)` for a user instance.
pub fn hash(v: u64) -> PyResult<i64> {
    let Some(cls) = special_class(v) else {
        return Ok((v >> 4) as i64);
    };
    match lookup_str(cls, "__hash__") {
        Some(h) if h == none_raw() => Err(unhashable(v)),
        Some(_) => {
            let r = call_special(v, "__hash__", &[]).unwrap_or_else(|| Ok(Obj::int(0)))?;
            match crate::vm::ops::as_i64(r.raw()) {
                Some(i) => Ok(if i == -1 { -2 } else { i }),
                None => match crate::vm::ops::as_num(r.raw()) {
                    Some(crate::vm::ops::Num::B(_)) => crate::vm::dict::hash_value(r.raw()),
                    _ => Err(type_error("__hash__ method should return an integer")),
                },
            }
        }
        None => {
            if lookup_str(cls, "__eq__").is_some() {
                Err(unhashable(v))
            } else {
                Ok((v >> 4) as i64)
            }
        }
    }
}

fn unhashable(v: u64) -> Box<PyErr> {
    type_error(format!("unhashable type: '{}'", type_name(v)))
}

/// Truth of a user instance: `__bool__`, then `__len__`.
pub fn truthy(v: u64) -> PyResult<bool> {
    if let Some(r) = call_special(v, "__bool__", &[]) {
        let r = r?;
        return match kind_of(r.raw()) {
            kind::BOOL => Ok(r.raw() == true_raw()),
            _ => Err(type_error(format!(
                "__bool__ should return bool, returned {}",
                type_name(r.raw())
            ))),
        };
    }
    if let Some(n) = len(v) {
        return Ok(n? != 0);
    }
    Ok(true)
}

/// `len(v)` through `__len__`, or `None`.
pub fn len(v: u64) -> Option<PyResult<usize>> {
    let r = call_special(v, "__len__", &[])?;
    Some(r.and_then(|n| match crate::vm::ops::as_i64(n.raw()) {
        Some(i) if i >= 0 => Ok(i as usize),
        Some(_) => Err(crate::vm::error::value_error(
            "__len__() should return >= 0",
        )),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(n.raw())
        ))),
    }))
}

/// `v[k]` for a user instance.
pub fn getitem(v: u64, k: u64) -> PyResult<Obj> {
    call_special(v, "__getitem__", &[k]).unwrap_or_else(|| {
        Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(v)
        )))
    })
}

/// `v[k] = x` for a user instance.
pub fn setitem(v: u64, k: u64, x: u64) -> PyResult<()> {
    call_special(v, "__setitem__", &[k, x])
        .unwrap_or_else(|| {
            Err(type_error(format!(
                "'{}' object does not support item assignment",
                type_name(v)
            )))
        })
        .map(drop)
}

/// `del v[k]` for a user instance.
pub fn delitem(v: u64, k: u64) -> PyResult<()> {
    call_special(v, "__delitem__", &[k])
        .unwrap_or_else(|| {
            Err(type_error(format!(
                "'{}' object does not support item deletion",
                type_name(v)
            )))
        })
        .map(drop)
}

/// `item in v` for a user instance: `__contains__`, else iteration.
pub fn contains(v: u64, item: u64) -> PyResult<bool> {
    if let Some(r) = call_special(v, "__contains__", &[item]) {
        return crate::vm::ops::truthy(r?.raw());
    }
    let it = get_iter(v)?;
    let vm = vm();
    while let Some(x) = crate::vm::iter::iter_next(vm, it.raw())? {
        if crate::vm::ops::eq(x.raw(), item)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `iter(v)` for a user instance: the object `__iter__` returns (wrapped
/// in an iterator object when it is itself a user instance).
pub fn get_iter(v: u64) -> PyResult<Obj> {
    let it = match call_special(v, "__iter__", &[]) {
        Some(r) => r?,
        None => {
            if special_class(v)
                .and_then(|c| lookup_str(c, "__getitem__"))
                .is_some()
            {
                return Ok(Obj::from_raw(new_iter_obj(IterState::SeqIndex {
                    seq: Obj::new_ref(v),
                    idx: 0,
                })));
            }
            return Err(type_error(format!(
                "'{}' object is not iterable",
                type_name(v)
            )));
        }
    };
    wrap_iterator(it)
}

/// The iterator object for `it`, a value an `__iter__` returned.
pub fn wrap_iterator(it: Obj) -> PyResult<Obj> {
    match kind_of(it.raw()) {
        KIND_ITER | KIND_GEN => Ok(it),
        KIND_INSTANCE if lookup_str(class_of(it.raw()), "__next__").is_some() => {
            Ok(Obj::from_raw(new_iter_obj(IterState::Instance { obj: it })))
        }
        _ => Err(type_error(format!(
            "iter() returned non-iterator of type '{}'",
            type_name(it.raw())
        ))),
    }
}

/// The next item of a user iterator (`__next__`), `None` at StopIteration.
pub fn next(vm: &mut Vm, obj: u64) -> PyResult<Option<Obj>> {
    let Some(r) = call_special(obj, "__next__", &[]) else {
        return Err(type_error(format!(
            "'{}' object is not an iterator",
            type_name(obj)
        )));
    };
    let _ = vm;
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ExcKind::StopIteration => Ok(None),
        Err(e) => Err(e),
    }
}

/// The next item of an old-style sequence iteration (`__getitem__` with
/// 0, 1, ... until IndexError).
pub fn seq_next(seq: u64, idx: &mut usize) -> PyResult<Option<Obj>> {
    let i = Obj::int(*idx as i64);
    match getitem(seq, i.raw()) {
        Ok(v) => {
            *idx += 1;
            Ok(Some(v))
        }
        Err(e) if e.kind == ExcKind::IndexError || e.kind == ExcKind::StopIteration => Ok(None),
        Err(e) => Err(e),
    }
}

/// Calls a user instance (`__call__`).
pub fn call_instance(vm: &mut Vm, v: u64, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let cls = class_of(v);
    match lookup_str(cls, "__call__") {
        Some(f) => {
            let b = bind(vm, f, Some(v), cls)?;
            vm.call_object(b.raw(), args, kw)
        }
        None => Err(type_error(format!(
            "'{}' object is not callable",
            type_name(v)
        ))),
    }
}

/// `staticmethod(f)`.
pub fn b_staticmethod(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    wrapper(args, Wrap::Static, "staticmethod")
}

/// `classmethod(f)`.
pub fn b_classmethod(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    wrapper(args, Wrap::ClassMethod, "classmethod")
}

/// `property(fget, fset)`.
pub fn b_property(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() > 2 {
        return Err(type_error(format!(
            "property() takes at most 4 arguments ({} given)",
            args.len()
        )));
    }
    Ok(Obj::from_raw(box_obj(WrapperObj {
        ob: hdr(KIND_WRAPPER),
        which: Wrap::Property,
        f: Obj::new_ref(args.first().copied().unwrap_or(none_raw())),
        g: Obj::new_ref(args.get(1).copied().unwrap_or(none_raw())),
    })))
}

fn wrapper(args: &[u64], which: Wrap, name: &str) -> PyResult<Obj> {
    if args.len() != 1 {
        return Err(type_error(format!(
            "{} expected 1 argument, got {}",
            name,
            args.len()
        )));
    }
    Ok(Obj::from_raw(box_obj(WrapperObj {
        ob: hdr(KIND_WRAPPER),
        which,
        f: Obj::new_ref(args[0]),
        g: Obj::none(),
    })))
}

/// `super(cls, obj)` (the compiler passes `__class__` and the first
/// argument for `super()`).
pub fn b_super(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.is_empty() {
        return Err(err(ExcKind::RuntimeError, "super(): no arguments"));
    }
    if args.len() != 2 {
        return Err(type_error(format!(
            "super() takes at most 2 arguments ({} given)",
            args.len()
        )));
    }
    if kind_of(args[0]) != KIND_CLASS {
        return Err(type_error(format!(
            "super() argument 1 must be a type, not {}",
            type_name(args[0])
        )));
    }
    let objcls = match kind_of(args[1]) {
        KIND_INSTANCE => class_of(args[1]),
        KIND_CLASS => args[1],
        KIND_EXC => special_class(args[1]).unwrap_or(0),
        _ => 0,
    };
    if objcls == 0 || !is_subclass(objcls, args[0]) {
        return Err(type_error(
            "super(type, obj): obj must be an instance or subtype of type",
        ));
    }
    Ok(Obj::from_raw(box_obj(WrapperObj {
        ob: hdr(KIND_WRAPPER),
        which: Wrap::Super,
        f: Obj::new_ref(args[0]),
        g: Obj::new_ref(args[1]),
    })))
}

/// `repr()` of wrapper objects.
pub fn wrapper_repr(v: u64) -> String {
    // SAFETY: callers pass wrappers.
    let w = unsafe { cast::<WrapperObj>(v) };
    match w.which {
        Wrap::NotImplemented => "NotImplemented".to_string(),
        Wrap::Super => format!(
            "<super: <class '{}'>, <{} object>>",
            class_name(w.f.raw()),
            type_name(w.g.raw())
        ),
        Wrap::Static => format!("<staticmethod({:#x})>", w.f.raw()),
        Wrap::ClassMethod => format!("<classmethod({:#x})>", w.f.raw()),
        Wrap::Property => format!("<property object at {:#x}>", v),
    }
}

/// The type name of a wrapper.
pub fn wrapper_type_name(v: u64) -> &'static str {
    // SAFETY: callers pass wrappers.
    match unsafe { cast::<WrapperObj>(v) }.which {
        Wrap::NotImplemented => "NotImplementedType",
        Wrap::Super => "super",
        Wrap::Static => "staticmethod",
        Wrap::ClassMethod => "classmethod",
        Wrap::Property => "property",
    }
}

/// The class of `v` as `type(v)` gives it, if `v` is an instance or a class.
pub fn type_of(v: u64) -> Option<Obj> {
    match kind_of(v) {
        KIND_INSTANCE => Some(Obj::new_ref(class_of(v))),
        KIND_CLASS => Some(crate::vm::builtins::type_type_obj()),
        KIND_EXC => special_class(v).map(Obj::new_ref),
        _ => None,
    }
}

/// `isinstance(v, c)` for a class `c`.
pub fn isinstance(v: u64, c: u64) -> bool {
    match special_class(v) {
        Some(vc) => is_subclass(vc, c),
        None => false,
    }
}

/// The error a failed call of `f` reports when it is not callable at all.
pub fn not_callable(f: u64) -> Box<PyErr> {
    type_error(format!("'{}' object is not callable", type_name(f)))
}

/// `e.name` for an exception: `args`, then (for an instance of a user
/// exception class) its attributes and its class's; `None` otherwise.
pub fn exc_getattr(vm: &mut Vm, v: u64, name: u64) -> Option<PyResult<Obj>> {
    // SAFETY: callers pass exceptions.
    let e = unsafe { cast::<ExcObj>(v) };
    if let Some(d) = &e.dict {
        // SAFETY: an exception's dict is a dict.
        if let Some(x) = unsafe { dict_mut(d.raw()) }.get_str(name) {
            return Some(Ok(Obj::new_ref(x)));
        }
    }
    if let Some(a) = crate::vm::builtins::exc_attr(v, str_of(name)) {
        return Some(Ok(a));
    }
    let cls = e.cls.as_ref()?.raw();
    if let Some(f) = lookup(cls, name) {
        return Some(bind(vm, f, Some(v), cls));
    }
    match str_of(name) {
        "__class__" => Some(Ok(Obj::new_ref(cls))),
        _ => Some(Err(no_attr(v, name))),
    }
}

/// Whether `v` is an instance of a user exception class.
pub fn is_user_exc(v: u64) -> bool {
    // SAFETY: kind checked.
    kind_of(v) == KIND_EXC && unsafe { cast::<ExcObj>(v) }.cls.is_some()
}

/// The tag of the class of `recv` if it is an instance of a user class.
#[inline(always)]
fn instance_tag(recv: u64) -> Option<u32> {
    if kind_of(recv) != KIND_INSTANCE {
        return None;
    }
    // SAFETY: kind checked; an instance's class is a class.
    Some(unsafe { class(class_of(recv)) }.tag.get())
}

/// Whether `recv` is an instance whose class has version tag `tag`
/// (`STORE_ATTR_INSTANCE`'s guard: the class then has no data descriptor
/// or `__setattr__` for the name, as when tier 1 specialized it).
#[inline(always)]
pub fn instance_has_tag(recv: u64, tag: u32) -> bool {
    instance_tag(recv) == Some(tag)
}

/// `LOAD_ATTR_INSTANCE`'s fast path: `recv.name` (borrowed) when `recv` is
/// an instance whose class has tag `tag` (so no class attribute shadows the
/// instance's) and its dict holds `name` (at entry `pos` if that is still
/// it); `None` otherwise (the generic path then decides).
#[inline(always)]
pub fn cached_instance_attr(recv: u64, name: u64, tag: u32, pos: usize) -> Option<u64> {
    if !instance_has_tag(recv, tag) {
        return None;
    }
    // SAFETY: kind checked; an instance dict is a dict.
    let d = unsafe { dict_mut(instance(recv).dict.raw()) };
    match d.entries().get(pos) {
        Some(e) if e.key == name => Some(e.value),
        _ => d.get_str(name),
    }
}

/// `LOAD_METHOD_INSTANCE`'s guard: `recv` is an instance whose class has
/// tag `tag` (the cached function is still the class's `name`) and whose
/// own dict does not shadow it.
#[inline(always)]
pub fn cached_method_applies(recv: u64, name: u64, tag: u32) -> bool {
    // SAFETY: kind checked by instance_has_tag; an instance dict is a dict.
    instance_has_tag(recv, tag)
        && unsafe { dict_mut(instance(recv).dict.raw()) }
            .get_str(name)
            .is_none()
}

/// `STORE_ATTR_INSTANCE`'s store into an instance `recv` (guard held):
/// `recv.name = v` (owned), at entry `*pos` when that is still `name`;
/// `*pos` is updated to the entry's position.
#[inline(always)]
pub fn store_instance_attr(recv: u64, name: u64, v: Obj, pos: &mut u64) -> PyResult<()> {
    // SAFETY: callers checked the kind; an instance dict is a dict.
    let d = unsafe { dict_mut(instance(recv).dict.raw()) };
    match d.entries().get(*pos as usize) {
        Some(e) if e.key == name => {
            d.set_at(*pos as usize, v);
            Ok(())
        }
        _ => {
            *pos = d.set_pos(Obj::new_ref(name), v)? as u64;
            Ok(())
        }
    }
}
