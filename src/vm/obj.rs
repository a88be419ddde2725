//! Heap objects: the RAII value handle, allocation, deallocation, the static
//! singletons (`None`, `True`, `False`) and the live-object counter.
//!
//! Every heap object starts with [`ObjHeader`]. Float, bool, list and tuple
//! objects use the shared `abi::layout` structs; the other kinds are
//! runtime-private `#[repr(C)]` structs declared in [`crate::vm::types`].

use crate::abi::layout::{
    kind, FloatFreeListStorage, FloatObj, IntObj, ListObj, ObjHeader, TupleObj,
    FLOAT_FREE_LIST_CAPACITY,
};
use crate::abi::value;
use crate::vm::types::*;
use num_bigint::BigInt;
use std::alloc::{alloc, dealloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

/// A `Sync`, interior-mutable wrapper so the immortal singletons can be
/// statics living in writable memory (their refcount field is written).
#[repr(transparent)]
pub struct Immortal<T>(pub std::cell::UnsafeCell<T>);
// SAFETY: immortal singletons are never freed; their refcount field is only
// touched by the (single) interpreter thread and never reaches zero.
unsafe impl<T> Sync for Immortal<T> {}

/// The `None` singleton.
#[no_mangle]
pub static cpjit_none: Immortal<ObjHeader> =
    Immortal(std::cell::UnsafeCell::new(ObjHeader::immortal(kind::NONE)));
/// The `True` singleton.
#[no_mangle]
pub static cpjit_true: Immortal<IntObj> = Immortal(std::cell::UnsafeCell::new(IntObj {
    ob: ObjHeader::immortal(kind::BOOL),
    value: 1,
}));
/// The `False` singleton.
#[no_mangle]
pub static cpjit_false: Immortal<IntObj> = Immortal(std::cell::UnsafeCell::new(IntObj {
    ob: ObjHeader::immortal(kind::BOOL),
    value: 0,
}));

/// Tagged word of `None`.
#[inline(always)]
pub fn none_raw() -> u64 {
    &cpjit_none as *const _ as u64
}
/// Tagged word of `True`.
#[inline(always)]
pub fn true_raw() -> u64 {
    &cpjit_true as *const _ as u64
}
/// Tagged word of `False`.
#[inline(always)]
pub fn false_raw() -> u64 {
    &cpjit_false as *const _ as u64
}
/// Tagged word of the bool `b`.
#[inline(always)]
pub fn bool_raw(b: bool) -> u64 {
    if b {
        true_raw()
    } else {
        false_raw()
    }
}

/// Number of live heap objects allocated by the runtime (leak checking).
static LIVE: AtomicIsize = AtomicIsize::new(0);

#[inline(always)]
pub(crate) fn live_inc() {
    // Load+store, not fetch_add: the VM is single-threaded and this stays a
    // plain increment in the hot float path.
    LIVE.store(LIVE.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}
#[inline(always)]
pub(crate) fn live_dec() {
    LIVE.store(LIVE.load(Ordering::Relaxed) - 1, Ordering::Relaxed);
}

/// Number of heap objects currently alive (allocated and not freed).
///
/// The counter counts objects taken from and given back to the allocator;
/// float boxes resting on the free list are allocated but dead, so they are
/// subtracted (that keeps the free list's push and pop, which JIT code does
/// inline, free of counting).
pub fn live_objects() -> isize {
    LIVE.load(Ordering::Relaxed) - float_free_len() as isize - iter_free_len() as isize
}

/// Increments the reference count of `v` if it is a heap object.
#[inline(always)]
pub fn incref(v: u64) {
    if v & 1 == 0 {
        // SAFETY: a non-NULL even word is a live heap object (callers never
        // pass NULL to incref).
        unsafe { (*(v as *mut ObjHeader)).refcnt += 1 }
    }
}

/// Decrements the reference count of `v` and frees it at zero.
#[inline(always)]
pub fn decref(v: u64) {
    if v & 1 == 0 {
        // SAFETY: as for incref.
        unsafe {
            let h = v as *mut ObjHeader;
            (*h).refcnt -= 1;
            if (*h).refcnt == 0 {
                if (*h).kind == kind::FLOAT && float_free_push(v) {
                    return;
                }
                cpjit_dealloc(v);
            }
        }
    }
}

/// Like [`decref`] but accepts NULL.
#[inline(always)]
pub fn xdecref(v: u64) {
    if v != 0 {
        decref(v)
    }
}

/// The kind of a value (`kind::*`), with small ints reported as [`KIND_SMALLINT`].
#[inline(always)]
pub fn kind_of(v: u64) -> u32 {
    if v & 1 == 1 {
        KIND_SMALLINT
    } else {
        // SAFETY: values passed here are live objects.
        unsafe { (*(v as *const ObjHeader)).kind }
    }
}

/// An owned reference to a value: `Clone` increments, `Drop` decrements.
#[repr(transparent)]
#[derive(PartialEq, Eq)]
pub struct Obj(u64);

impl Obj {
    /// Takes ownership of a reference held in the raw word `v` (not NULL).
    #[inline(always)]
    pub fn from_raw(v: u64) -> Obj {
        debug_assert!(v != 0);
        Obj(v)
    }
    /// Makes a new reference to the borrowed word `v`.
    #[inline(always)]
    pub fn new_ref(v: u64) -> Obj {
        incref(v);
        Obj(v)
    }
    /// Gives up ownership, returning the raw word.
    #[inline(always)]
    pub fn into_raw(self) -> u64 {
        let v = self.0;
        std::mem::forget(self);
        v
    }
    /// The raw word (borrowed).
    #[inline(always)]
    pub fn raw(&self) -> u64 {
        self.0
    }
    /// `None`.
    pub fn none() -> Obj {
        Obj(none_raw())
    }
    /// A bool.
    pub fn bool(b: bool) -> Obj {
        Obj(bool_raw(b))
    }
    /// An int from an i64 (small when it fits, else a big int).
    #[inline(always)]
    pub fn int(i: i64) -> Obj {
        match value::encode_small_int(i) {
            Some(v) => Obj(v),
            None => new_bigint(BigInt::from(i)),
        }
    }
    /// A float.
    #[inline(always)]
    pub fn float(f: f64) -> Obj {
        Obj(new_float(f))
    }
    /// The object kind.
    #[inline(always)]
    pub fn kind(&self) -> u32 {
        kind_of(self.0)
    }
}

impl Clone for Obj {
    #[inline(always)]
    fn clone(&self) -> Obj {
        incref(self.0);
        Obj(self.0)
    }
}

impl Drop for Obj {
    #[inline(always)]
    fn drop(&mut self) {
        decref(self.0)
    }
}

impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Obj({:#x}, kind {})", self.0, self.kind())
    }
}

#[inline(always)]
fn header(k: u32) -> ObjHeader {
    ObjHeader {
        refcnt: 1,
        kind: k,
        flags: 0,
    }
}

/// Boxes a runtime object and returns its tagged word.
pub fn box_obj<T>(o: T) -> u64 {
    live_inc();
    Box::into_raw(Box::new(o)) as u64
}

// ---- iterators, with a free list ----

/// Room on the iterator free list (`abi::layout::ITER_FREE_LIST_CAPACITY`).
/// Loops make and drop one iterator per run (`for j in range(i + 1, n)`
/// inside another loop), so a short list keeps that allocation out of the
/// allocator.
const ITER_FREE_LIST_CAPACITY: usize = crate::abi::layout::ITER_FREE_LIST_CAPACITY;

/// Memory of dead [`IterObj`]s (their states already dropped), for reuse
/// (`abi::layout::IterFreeList`, shared with JIT code, which pops and
/// pushes list iterators inline: data symbol `cpjit_iter_free_list`).
/// Like floats on their free list, they are not counted live.
struct IterFreeList(std::cell::UnsafeCell<crate::abi::layout::IterFreeListStorage>);
// SAFETY: the VM runs Python code on one thread; the list is only touched
// there (by the runtime, the helpers JIT code calls and JIT code itself).
unsafe impl Sync for IterFreeList {}
static ITER_FREE: IterFreeList = IterFreeList(std::cell::UnsafeCell::new(
    crate::abi::layout::IterFreeListStorage {
        list: crate::abi::layout::IterFreeList { len: 0, items: [] },
        slots: [0; ITER_FREE_LIST_CAPACITY],
    },
));

// Every iterator's memory on the list has room for any state, so JIT code
// may write a list iterator into it.
const _: () = assert!(
    std::mem::size_of::<IterObj>() >= std::mem::size_of::<crate::abi::layout::ListIterObj>()
);

/// Address of the iterator free list, for the JIT's symbol table.
pub fn iter_free_list_raw() -> u64 {
    ITER_FREE.0.get() as u64
}

/// Number of iterators on the free list.
fn iter_free_len() -> usize {
    // SAFETY: single interpreter thread (see IterFreeList).
    unsafe { (*ITER_FREE.0.get()).list.len as usize }
}

/// A new iterator object (kind ITER) with `state`, from the free list when
/// it has one.
#[inline(always)]
pub fn new_iter_obj(state: IterState) -> u64 {
    // SAFETY: single interpreter thread (see IterFreeList).
    let fl = unsafe { &mut *ITER_FREE.0.get() };
    let n = fl.list.len as usize;
    if n > 0 && n <= ITER_FREE_LIST_CAPACITY {
        fl.list.len = n as u64 - 1;
        let p = fl.slots[n - 1] as *mut IterObj;
        // SAFETY: p is the memory of a freed IterObj whose state was
        // dropped: writing a whole new object drops nothing.
        unsafe {
            p.write(IterObj {
                ob: header(KIND_ITER),
                state,
            })
        };
        p as u64
    } else {
        box_obj(IterObj {
            ob: header(KIND_ITER),
            state,
        })
    }
}

/// Frees a dead iterator: drops its state, then keeps its memory on the
/// free list (or gives it back to the allocator when the list is full).
///
/// # Safety
/// `v` is an iterator with refcount 0 and no other users, already counted
/// dead.
unsafe fn free_iter(v: u64) {
    let p = v as *mut IterObj;
    // SAFETY: the caller's contract; the state is dropped exactly once
    // (here), the memory is then either reused or freed without a drop.
    unsafe {
        std::ptr::drop_in_place(&mut (*p).state);
        let fl = &mut *ITER_FREE.0.get();
        let n = fl.list.len as usize;
        if n < ITER_FREE_LIST_CAPACITY {
            fl.slots[n] = v;
            fl.list.len = n as u64 + 1;
            // Resting on the list: not live (see live_objects), but the
            // counter counts it until it is handed out again.
            live_inc();
        } else {
            dealloc(p as *mut u8, std::alloc::Layout::new::<IterObj>());
        }
    }
}

// ---- floats, with a free list ----

/// The float free list (`abi::layout::FloatFreeList`), shared with JIT
/// code, which pops and pushes it inline (data symbol
/// `cpjit_float_free_list`). Boxes on it are not counted live: see
/// [`live_objects`].
pub struct FloatFreeList(std::cell::UnsafeCell<FloatFreeListStorage>);
// SAFETY: the VM runs Python code on one thread; the free list is only
// touched there (by the runtime and by JIT code it runs).
unsafe impl Sync for FloatFreeList {}
static FLOAT_FREE: FloatFreeList =
    FloatFreeList(std::cell::UnsafeCell::new(FloatFreeListStorage {
        list: crate::abi::layout::FloatFreeList { len: 0, items: [] },
        slots: [0; FLOAT_FREE_LIST_CAPACITY],
    }));

/// Address of the float free list, for the JIT's symbol table.
pub fn float_free_list_raw() -> u64 {
    FLOAT_FREE.0.get() as u64
}

/// Number of boxes on the float free list.
fn float_free_len() -> usize {
    // SAFETY: single interpreter thread (see FloatFreeList).
    unsafe { (*FLOAT_FREE.0.get()).list.len as usize }
}

/// Puts a dead float's memory on the free list; false when the list is full.
#[inline(always)]
fn float_free_push(v: u64) -> bool {
    // SAFETY: single interpreter thread (see FloatFreeList).
    let fl = unsafe { &mut *FLOAT_FREE.0.get() };
    let n = fl.list.len as usize;
    if n < FLOAT_FREE_LIST_CAPACITY {
        fl.slots[n] = v;
        fl.list.len = n as u64 + 1;
        true
    } else {
        false
    }
}

/// Allocates a float object (from the free list when possible).
#[inline(always)]
pub fn new_float(f: f64) -> u64 {
    // SAFETY: single interpreter thread (see FloatFreeList).
    let fl = unsafe { &mut *FLOAT_FREE.0.get() };
    let n = fl.list.len as usize;
    if n > 0 && n <= FLOAT_FREE_LIST_CAPACITY {
        fl.list.len = n as u64 - 1;
        let p = fl.slots[n - 1] as *mut FloatObj;
        // SAFETY: p came from a freed float allocation of the right layout.
        unsafe {
            p.write(FloatObj {
                ob: header(kind::FLOAT),
                value: f,
            });
        }
        p as u64
    } else {
        live_inc();
        Box::into_raw(Box::new(FloatObj {
            ob: header(kind::FLOAT),
            value: f,
        })) as u64
    }
}

/// Reads a float object's value.
#[inline(always)]
pub fn float_val(v: u64) -> f64 {
    // SAFETY: caller checked the kind is FLOAT.
    unsafe { (*(v as *const FloatObj)).value }
}

// ---- big ints ----

/// Returns an int value for `b`: a small int when it fits.
pub fn new_bigint(b: BigInt) -> Obj {
    use num_traits::ToPrimitive;
    if let Some(i) = b.to_i64() {
        if let Some(v) = value::encode_small_int(i) {
            return Obj(v);
        }
    }
    Obj(box_obj(BigIntObj {
        ob: header(kind::BIGINT),
        value: b,
    }))
}

// ---- strings ----

/// A new `str`.
pub fn new_str(s: impl Into<String>) -> Obj {
    let s: String = s.into();
    let ascii = s.is_ascii();
    let nchars = if ascii { s.len() } else { s.chars().count() };
    let mut h = header(kind::STR);
    h.flags = ascii as u32;
    Obj(box_obj(StrObj {
        ob: h,
        hash: std::cell::Cell::new(-1),
        nchars,
        s: s.into_boxed_str(),
    }))
}

// ---- tuples ----

fn tuple_layout(n: usize) -> Layout {
    let size = std::mem::size_of::<TupleObj>() + 8 * n.max(1);
    // Cannot fail: size is small and alignment 8.
    Layout::from_size_align(size, 8).unwrap_or(Layout::new::<TupleObj>())
}

/// Memory for a tuple of `n` items with its header and length set (the
/// items are the caller's to write): from the tuple free list when one of
/// that length rests there.
#[inline(always)]
fn alloc_tuple(n: usize) -> *mut TupleObj {
    let p = match crate::vm::free_lists::pop_tuple(n) {
        Some(p) => p as *mut TupleObj,
        None => {
            // SAFETY: the layout is non-zero sized.
            let p = unsafe { alloc(tuple_layout(n)) } as *mut TupleObj;
            if p.is_null() {
                std::alloc::handle_alloc_error(tuple_layout(n));
            }
            p
        }
    };
    live_inc();
    // SAFETY: p is a block of tuple_layout(n).
    unsafe {
        (*p).ob = header(kind::TUPLE);
        (*p).len = n as isize;
    }
    p
}

/// The item array of a tuple allocated by [`alloc_tuple`].
#[inline(always)]
fn tuple_base(p: *mut TupleObj) -> *mut u64 {
    // SAFETY: the items follow the TupleObj header in the same block.
    unsafe { (p as *mut u8).add(std::mem::size_of::<TupleObj>()) as *mut u64 }
}

/// A new tuple taking ownership of `items`.
pub fn new_tuple(items: Vec<Obj>) -> Obj {
    let p = alloc_tuple(items.len());
    let base = tuple_base(p);
    for (i, it) in items.into_iter().enumerate() {
        // SAFETY: i < n, the block has room for n items.
        unsafe { *base.add(i) = it.into_raw() };
    }
    Obj(p as u64)
}

/// A new tuple from raw owned words (it takes their references).
pub fn new_tuple_raw(items: &[u64]) -> Obj {
    let p = alloc_tuple(items.len());
    let base = tuple_base(p);
    // A word at a time: the tuples made at high rate are short, and a
    // `memcpy` call costs more than copying two or three words.
    for (i, &it) in items.iter().enumerate() {
        // SAFETY: i < items.len(), the block has room for that many items.
        unsafe { *base.add(i) = it };
    }
    Obj(p as u64)
}

/// Frees a dead tuple: releases its items, then its block (back on its
/// free list, or to the allocator).
///
/// # Safety
/// `v` is a tuple with refcount 0 and no other users, still counted live.
/// Not inlined: [`cpjit_dealloc`]'s float path stays without a frame.
#[inline(never)]
unsafe fn free_tuple(v: u64) {
    live_dec();
    let items = tuple_items(v);
    let n = items.len();
    for &it in items {
        decref(it);
    }
    if !crate::vm::free_lists::push_tuple(n, v as *mut u8) {
        // SAFETY: allocated by alloc_tuple with this layout.
        unsafe { dealloc(v as *mut u8, tuple_layout(n)) };
    }
}

/// Frees the block of a dead tuple whose items were moved out (their
/// references now belong to someone else), as `dealloc` would free it
/// after releasing them: back on its free list, or to the allocator.
///
/// # Safety
/// `v` is a tuple with refcount 0 (or 1, about to be dropped by the
/// caller, which holds the last reference) and no other users; its items
/// are not released.
pub unsafe fn free_tuple_shell(v: u64) {
    live_dec();
    // SAFETY: the caller's contract: a tuple block of its length.
    let n = unsafe { (*(v as *const TupleObj)).len } as usize;
    if !crate::vm::free_lists::push_tuple(n, v as *mut u8) {
        // SAFETY: allocated by alloc_tuple with this layout.
        unsafe { dealloc(v as *mut u8, tuple_layout(n)) };
    }
}

/// The items of a tuple (borrowed words).
#[inline(always)]
pub fn tuple_items<'a>(v: u64) -> &'a [u64] {
    // SAFETY: caller checked the kind is TUPLE; the tuple outlives the borrow.
    unsafe {
        let p = v as *const TupleObj;
        let base = (p as *const u8).add(std::mem::size_of::<TupleObj>()) as *const u64;
        std::slice::from_raw_parts(base, (*p).len as usize)
    }
}

// ---- lists ----

/// A new list taking ownership of `items`.
pub fn new_list(items: Vec<Obj>) -> Obj {
    new_list_raw(items.into_iter().map(Obj::into_raw).collect())
}

/// A new list taking ownership of the references in `raw` (its buffer
/// becomes the list's storage).
pub fn new_list_raw(mut raw: Vec<u64>) -> Obj {
    let cap = raw.capacity();
    let len = raw.len();
    let ptr = raw.as_mut_ptr();
    std::mem::forget(raw);
    Obj(box_obj(ListObj {
        ob: header(kind::LIST),
        items: ptr,
        len: len as isize,
        cap: cap as isize,
    }))
}

/// Borrow a list's storage as a `Vec` for mutation; `f` may change it freely.
/// The Vec is written back afterwards.
pub fn list_with<R>(v: u64, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
    // SAFETY: caller checked the kind is LIST; items/len/cap describe a Vec<u64>
    // allocation (created by new_list or this function).
    unsafe {
        let p = v as *mut ListObj;
        let mut vec = Vec::from_raw_parts((*p).items, (*p).len as usize, (*p).cap as usize);
        // Leave the list empty while `f` runs so re-entrant access sees a consistent object.
        (*p).items = std::ptr::NonNull::dangling().as_ptr();
        (*p).len = 0;
        (*p).cap = 0;
        let r = f(&mut vec);
        // Anything written to the list by re-entrant code while we held it is dropped.
        let (ip, il, ic) = ((*p).items, (*p).len, (*p).cap);
        if ic != 0 {
            drop(Vec::from_raw_parts(ip, il as usize, ic as usize));
        }
        (*p).len = vec.len() as isize;
        (*p).cap = vec.capacity() as isize;
        (*p).items = vec.as_mut_ptr();
        std::mem::forget(vec);
        r
    }
}

/// The items of a list (borrowed words; invalid after any mutation).
#[inline(always)]
pub fn list_items<'a>(v: u64) -> &'a [u64] {
    // SAFETY: caller checked the kind is LIST.
    unsafe {
        let p = v as *const ListObj;
        if (*p).len == 0 {
            return &[];
        }
        std::slice::from_raw_parts((*p).items, (*p).len as usize)
    }
}

/// Appends an owned word to a list.
#[inline]
pub fn list_push(v: u64, item: u64) {
    // SAFETY: caller checked the kind is LIST.
    unsafe {
        let p = v as *mut ListObj;
        if (*p).len < (*p).cap {
            *(*p).items.add((*p).len as usize) = item;
            (*p).len += 1;
            return;
        }
    }
    list_with(v, |vec| vec.push(item));
}

// ---- other objects ----

/// Reinterprets a value as a reference to a runtime-private struct.
///
/// # Safety
/// `v` must be a live object whose kind corresponds to `T`.
#[inline(always)]
pub unsafe fn cast<'a, T>(v: u64) -> &'a T {
    &*(v as *const T)
}

/// Mutable variant of [`cast`].
///
/// # Safety
/// As [`cast`], and no other reference to the payload may be live.
#[inline(always)]
#[allow(clippy::mut_from_ref)]
pub unsafe fn cast_mut<'a, T>(v: u64) -> &'a mut T {
    &mut *(v as *mut T)
}

/// A new header for a runtime object of kind `k`.
pub fn hdr(k: u32) -> ObjHeader {
    header(k)
}

unsafe fn free_box<T>(v: u64) {
    drop(Box::from_raw(v as *mut T));
}

/// Frees a heap object whose reference count reached zero.
///
/// # Safety
/// `v` must be a heap object with refcount 0 and no other users.
#[no_mangle]
pub unsafe extern "C" fn cpjit_dealloc(v: u64) {
    // The hot case (a dead float from JIT code, e.g. a temporary in float
    // arithmetic) goes straight to the free list, without the general
    // path's frame and kind dispatch.
    // SAFETY: the caller's contract: `v` is a live heap object.
    if unsafe { (*(v as *const ObjHeader)).kind } == kind::FLOAT && float_free_push(v) {
        return;
    }
    // The next most common from JIT code: a short tuple (a packet unpacked,
    // an iterator's tuple), straight back to its free list.
    // SAFETY: as above.
    if unsafe { (*(v as *const ObjHeader)).kind } == kind::TUPLE {
        // SAFETY: a dead tuple, released here exactly once.
        unsafe { free_tuple(v) };
        return;
    }
    // SAFETY: as above.
    unsafe { dealloc_general(v) }
}

/// [`cpjit_dealloc`] for every kind (and floats when the free list is full).
///
/// # Safety
/// As [`cpjit_dealloc`].
#[inline(never)]
unsafe fn dealloc_general(v: u64) {
    let k = (*(v as *const ObjHeader)).kind;
    live_dec();
    match k {
        kind::FLOAT => {
            // Counted dead above; back on the free list it counts as dead too.
            if float_free_push(v) {
                live_inc();
            } else {
                free_box::<FloatObj>(v);
            }
        }
        kind::TUPLE => {
            live_inc();
            free_tuple(v);
        }
        kind::LIST => {
            let p = v as *mut ListObj;
            let vec = Vec::from_raw_parts((*p).items, (*p).len as usize, (*p).cap as usize);
            for it in &vec {
                decref(*it);
            }
            drop(vec);
            free_box::<ListObj>(v);
        }
        kind::BIGINT => free_box::<BigIntObj>(v),
        kind::STR => free_box::<StrObj>(v),
        kind::DICT | KIND_COUNTER => free_box::<DictObj>(v),
        KIND_DEFAULTDICT => free_box::<crate::vm::modules::collections::DefaultDictObj>(v),
        KIND_DEQUE => free_box::<crate::vm::modules::collections::DequeObj>(v),
        kind::RANGE => free_box::<RangeObj>(v),
        kind::FUNCTION => {
            if cast::<FuncObj>(v).closure != 0 {
                CLOSURES.with(|c| c.borrow_mut().remove(&v));
            }
            free_box::<FuncObj>(v)
        }
        kind::BUILTIN => free_box::<BuiltinObj>(v),
        KIND_CODE => free_box::<CodeObj>(v),
        KIND_CELL => free_box::<CellObj>(v),
        KIND_ITER => free_iter(v),
        KIND_BOUND => free_box::<BoundObj>(v),
        KIND_SLICE => free_box::<SliceObj>(v),
        KIND_DICTVIEW => free_box::<DictViewObj>(v),
        KIND_EXC => free_box::<ExcObj>(v),
        KIND_TYPE => free_box::<TypeObj>(v),
        KIND_SET | KIND_FROZENSET => free_box::<crate::vm::set::SetObj>(v),
        KIND_MODULE => free_box::<crate::vm::modules::ModuleObj>(v),
        KIND_GEN => {
            if crate::vm::generator::finalize(v) {
                // Resurrected by its `finally`: freed when that reference goes.
                live_inc();
                return;
            }
            free_box::<GenObj>(v)
        }
        KIND_CLASS => free_box::<crate::vm::class::ClassObj>(v),
        KIND_INSTANCE => crate::vm::class::free_instance(v),
        KIND_WRAPPER => free_box::<crate::vm::class::WrapperObj>(v),
        _ => {}
    }
}

thread_local! {
    /// Live functions that own closure cells (the only reference cycles the
    /// subset can build besides containers holding themselves).
    static CLOSURES: std::cell::RefCell<std::collections::HashSet<u64>> = Default::default();
}

/// Records a new function object that has closure cells.
pub fn register_closure(f: u64) {
    CLOSURES.with(|c| c.borrow_mut().insert(f));
}

/// Breaks function <-> cell cycles at exit by dropping every live function's
/// closure cells (there is no cycle collector).
pub fn break_closure_cycles() {
    let live: Vec<u64> = CLOSURES.with(|c| c.borrow().iter().copied().collect());
    for f in live {
        if !CLOSURES.with(|c| c.borrow().contains(&f)) {
            continue;
        }
        incref(f);
        // SAFETY: f is a live function (still registered), kept alive by the incref.
        let cells = unsafe { std::mem::replace(&mut cast_mut::<FuncObj>(f).closure, 0) };
        CLOSURES.with(|c| c.borrow_mut().remove(&f));
        xdecref(cells);
        decref(f);
    }
}
