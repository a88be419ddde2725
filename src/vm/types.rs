//! Runtime-private object layouts (kinds not read by JIT stencils) and the
//! kind numbers the runtime adds after `kind::FIRST_RUNTIME_KIND`.

use crate::abi::layout::{kind, ObjHeader};
use crate::vm::bytecode::Code;
use crate::vm::dict::Dict;
use crate::vm::error::{ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::Obj;
use num_bigint::BigInt;
use std::cell::Cell;

/// Pseudo-kind reported by [`crate::vm::obj::kind_of`] for small ints (never stored in a header).
pub const KIND_SMALLINT: u32 = 0;
/// Code object.
pub const KIND_CODE: u32 = kind::FIRST_RUNTIME_KIND;
/// Closure cell.
pub const KIND_CELL: u32 = kind::FIRST_RUNTIME_KIND + 1;
/// Iterator (any builtin iterator, see [`IterState`]).
pub const KIND_ITER: u32 = kind::FIRST_RUNTIME_KIND + 2;
/// Bound method (`xs.append` taken as a value).
pub const KIND_BOUND: u32 = kind::FIRST_RUNTIME_KIND + 3;
/// Slice object.
pub const KIND_SLICE: u32 = kind::FIRST_RUNTIME_KIND + 4;
/// Dict view (`keys()`, `values()`, `items()`).
pub const KIND_DICTVIEW: u32 = kind::FIRST_RUNTIME_KIND + 5;
/// Exception instance.
pub const KIND_EXC: u32 = kind::FIRST_RUNTIME_KIND + 6;
/// Builtin type object (`int`, `str`, `ValueError`, ...).
pub const KIND_TYPE: u32 = kind::FIRST_RUNTIME_KIND + 7;
/// `set` ([`crate::vm::set::SetObj`]).
pub const KIND_SET: u32 = kind::FIRST_RUNTIME_KIND + 8;
/// Module ([`crate::vm::modules::ModuleObj`]).
pub const KIND_MODULE: u32 = kind::FIRST_RUNTIME_KIND + 9;
/// Generator ([`GenObj`]).
pub const KIND_GEN: u32 = kind::FIRST_RUNTIME_KIND + 10;
/// User class ([`crate::vm::class::ClassObj`]).
pub const KIND_CLASS: u32 = kind::FIRST_RUNTIME_KIND + 11;
/// Instance of a user class ([`crate::vm::class::InstanceObj`]).
pub const KIND_INSTANCE: u32 = kind::FIRST_RUNTIME_KIND + 12;
/// `staticmethod`/`classmethod`/`property`/`super`/`NotImplemented`
/// ([`crate::vm::class::WrapperObj`]).
pub const KIND_WRAPPER: u32 = kind::FIRST_RUNTIME_KIND + 13;
/// `frozenset` (a [`crate::vm::set::SetObj`] never changed once built).
pub const KIND_FROZENSET: u32 = kind::FIRST_RUNTIME_KIND + 14;
/// `collections.deque` ([`crate::vm::modules::collections::DequeObj`]).
pub const KIND_DEQUE: u32 = kind::FIRST_RUNTIME_KIND + 15;
/// `collections.defaultdict`: a dict object with a default factory
/// ([`crate::vm::modules::collections::DefaultDictObj`], whose layout
/// starts with [`DictObj`]'s, so `dict::dict_mut` reads its table).
pub const KIND_DEFAULTDICT: u32 = kind::FIRST_RUNTIME_KIND + 16;
/// `collections.Counter`: a dict object ([`DictObj`]'s layout) whose
/// missing keys count 0.
pub const KIND_COUNTER: u32 = kind::FIRST_RUNTIME_KIND + 17;

/// `str`: UTF-8 text with a cached hash and character count.
/// `ob.flags` is 1 when the text is ASCII (byte index = char index).
#[repr(C)]
pub struct StrObj {
    /// Header, kind STR.
    pub ob: ObjHeader,
    /// Cached hash, -1 if not computed.
    pub hash: Cell<i64>,
    /// Number of characters.
    pub nchars: usize,
    /// The text.
    pub s: Box<str>,
}

/// Big `int` (outside the small-int range).
#[repr(C)]
pub struct BigIntObj {
    /// Header, kind BIGINT.
    pub ob: ObjHeader,
    /// The value.
    pub value: BigInt,
}

/// `dict`.
#[repr(C)]
pub struct DictObj {
    /// Header, kind DICT.
    pub ob: ObjHeader,
    /// The table.
    pub d: Dict,
}

/// `range`.
#[repr(C)]
pub struct RangeObj {
    /// Header, kind RANGE.
    pub ob: ObjHeader,
    /// Start.
    pub start: i64,
    /// Stop.
    pub stop: i64,
    /// Step (non-zero).
    pub step: i64,
    /// Arbitrary-precision bounds when the machine-word fields cannot hold
    /// the range (see `vm::range`); the word fields are then unused.
    pub big: Option<Box<crate::vm::range::BigRange>>,
}

impl RangeObj {
    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        match &self.big {
            Some(b) => crate::vm::range::big_len(&b.start, &b.stop, &b.step) == BigInt::from(0),
            None => self.len() == 0,
        }
    }
    /// Number of items of a machine-word range (its constructors keep the
    /// length within `i64`); see `vm::range::len` for any range.
    pub fn len(&self) -> i64 {
        range_len(self.start, self.stop, self.step)
    }
}

/// Length of `range(start, stop, step)` (saturating at `i64::MAX`).
pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    range_len_i128(start, stop, step).min(i64::MAX as i128) as i64
}

/// Length of `range(start, stop, step)`, exact.
pub fn range_len_i128(start: i64, stop: i64, step: i64) -> i128 {
    if step > 0 && start < stop {
        (stop as i128 - start as i128 - 1) / step as i128 + 1
    } else if step < 0 && start > stop {
        (start as i128 - stop as i128 - 1) / (-(step as i128)) + 1
    } else {
        0
    }
}

/// A Python function.
#[repr(C)]
pub struct FuncObj {
    /// Header, kind FUNCTION.
    pub ob: ObjHeader,
    /// Its code object (kind CODE).
    pub code: Obj,
    /// Globals dict.
    pub globals: Obj,
    /// The cells for the free variables: an owned tuple, or 0 when the
    /// code has none (`abi::layout::FunctionHead::closure`).
    pub closure: u64,
    /// Default values of the last positional parameters.
    pub defaults: Vec<Obj>,
    /// Default values of keyword-only parameters: a dict (name to value),
    /// `None` when no keyword-only parameter has one.
    pub kwdefaults: Option<Obj>,
}

impl Drop for FuncObj {
    fn drop(&mut self) {
        crate::vm::obj::xdecref(self.closure);
    }
}

/// Keyword arguments of a call: names (str objects) and values, borrowed.
#[derive(Clone, Copy)]
pub struct Kw<'a> {
    /// Names.
    pub names: &'a [u64],
    /// Values.
    pub vals: &'a [u64],
}

/// Signature of builtin functions and methods (a method gets `self` as `args[0]`).
pub type BuiltinFn = fn(&mut Vm, &[u64], Option<Kw<'_>>) -> PyResult<Obj>;

/// A builtin function or method.
#[repr(C)]
pub struct BuiltinObj {
    /// Header, kind BUILTIN.
    pub ob: ObjHeader,
    /// Name shown in messages.
    pub name: &'static str,
    /// The implementation.
    pub f: BuiltinFn,
    /// For methods, the kind of `self` (0 for plain functions).
    pub self_kind: u32,
}

/// A code object wrapper.
#[repr(C)]
pub struct CodeObj {
    /// Header, kind CODE.
    pub ob: ObjHeader,
    /// The code.
    pub code: Code,
}

/// A closure cell.
#[repr(C)]
pub struct CellObj {
    /// Header, kind CELL.
    pub ob: ObjHeader,
    /// Owned value, or NULL when empty.
    pub value: u64,
}

impl Drop for CellObj {
    fn drop(&mut self) {
        crate::vm::obj::xdecref(self.value);
    }
}

/// Iterator state. `repr(C)`: tier 2's templates read the `Range` and
/// `List` variants (`abi::layout::RangeIterState`, `ListIterState`).
#[repr(C)]
pub enum IterState {
    /// Over a range.
    Range { next: i64, stop: i64, step: i64 },
    /// Over a list (by index, so appends during iteration are seen).
    List { seq: Obj, idx: usize },
    /// Over a tuple.
    Tuple { seq: Obj, idx: usize },
    /// Over a str, by byte offset.
    Str { seq: Obj, pos: usize },
    /// Over a dict: 0 keys, 1 values, 2 items; `len` is the dict's size
    /// when the iterator was made (`usize::MAX` once a change of size was
    /// reported: the error is sticky, as in CPython).
    Dict {
        dict: Obj,
        idx: usize,
        len: usize,
        which: u8,
    },
    /// `enumerate`.
    Enumerate { inner: Obj, n: i64 },
    /// `zip`.
    Zip { iters: Vec<Obj> },
    /// `map`.
    Map { func: Obj, iters: Vec<Obj> },
    /// `reversed` over a sequence.
    Reversed { seq: Obj, idx: usize },
    /// Exhausted.
    Done,
    /// Over a set, by slot (`used`: the set's size when the iterator was
    /// made, `usize::MAX` once a change of size was reported).
    Set { set: Obj, pos: usize, used: usize },
    /// Over a range whose values may not fit an `i64`.
    BigRange(Box<crate::vm::range::BigRangeIter>),
    /// A user iterator: `obj.__next__()` until StopIteration.
    Instance { obj: Obj },
    /// A user sequence without `__iter__`: `seq[0]`, `seq[1]`, ... until IndexError.
    SeqIndex { seq: Obj, idx: usize },
    /// A standard module's iterator (`itertools`, a deque's), whose `next`
    /// may call Python code.
    Native(Box<dyn NativeIter>),
}

/// The state and `next` of a standard module's iterator ([`IterState::Native`]).
pub trait NativeIter {
    /// The next item, `None` when exhausted (may run Python code).
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Obj>>;
    /// The Python type name (`itertools.count`: `count`).
    fn type_name(&self) -> &'static str;
}

/// An iterator object.
#[repr(C)]
pub struct IterObj {
    /// Header, kind ITER.
    pub ob: ObjHeader,
    /// State.
    pub state: IterState,
}

/// A bound builtin method.
#[repr(C)]
pub struct BoundObj {
    /// Header, kind BOUND.
    pub ob: ObjHeader,
    /// The builtin method.
    pub func: Obj,
    /// The receiver.
    pub self_: Obj,
}

/// A slice.
#[repr(C)]
pub struct SliceObj {
    /// Header, kind SLICE.
    pub ob: ObjHeader,
    /// Start (None if absent).
    pub start: Obj,
    /// Stop.
    pub stop: Obj,
    /// Step.
    pub step: Obj,
}

/// A dict view.
#[repr(C)]
pub struct DictViewObj {
    /// Header, kind DICTVIEW.
    pub ob: ObjHeader,
    /// The dict.
    pub dict: Obj,
    /// 0 keys, 1 values, 2 items.
    pub which: u8,
}

/// An exception instance.
#[repr(C)]
pub struct ExcObj {
    /// Header, kind EXC.
    pub ob: ObjHeader,
    /// Exception type.
    pub kind: ExcKind,
    /// Arguments.
    pub args: Vec<Obj>,
    /// The user class (deriving from `kind`) of an instance of one.
    pub cls: Option<Obj>,
    /// The attribute dict of an instance of a user class.
    pub dict: Option<Obj>,
    /// Its traceback as it was when last caught (innermost first; empty if
    /// never raised): a re-raise continues it.
    pub traceback: Vec<crate::vm::error::TbEntry>,
    /// `__context__`: the exception being handled when this one was raised.
    pub context: Option<Obj>,
    /// `__cause__`: the `Y` of `raise X from Y`.
    pub cause: Option<Obj>,
    /// `__suppress_context__` (set by `raise ... from`).
    pub suppress_context: bool,
}

/// Which builtin type a type object stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeId {
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `str`.
    Str,
    /// `bool`.
    Bool,
    /// `list`.
    List,
    /// `tuple`.
    Tuple,
    /// `dict`.
    Dict,
    /// `range`.
    Range,
    /// `enumerate`.
    Enumerate,
    /// `zip`.
    Zip,
    /// `map`.
    Map,
    /// `reversed`.
    Reversed,
    /// `type(None)`.
    NoneType,
    /// `object`.
    Object,
    /// `function`.
    Function,
    /// `set`.
    Set,
    /// `generator` (not a builtin name; what `type(g)` gives).
    Generator,
    /// An exception class.
    Exc(ExcKind),
    /// `frozenset`.
    FrozenSet,
    /// Any other built-in type (what `type(x)` is for values no builtin
    /// name constructs: iterators, views, builtin functions, modules...),
    /// by its name.
    Other(&'static str),
    /// `collections.deque`.
    Deque,
    /// `collections.defaultdict`.
    DefaultDict,
    /// `collections.Counter`.
    Counter,
}

/// A builtin type object.
#[repr(C)]
pub struct TypeObj {
    /// Header, kind TYPE.
    pub ob: ObjHeader,
    /// Which type.
    pub id: TypeId,
}

/// Where a generator is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    /// Made by the call, not started.
    Created,
    /// Stopped at a `yield`.
    Suspended,
    /// Running (its frame is on the frame chain).
    Running,
    /// Returned or raised: its frame's slots are released.
    Done,
}

/// A generator: the frame of a generator function's call, off the data
/// stack. `frame` points at `frame_len` words (a `Frame` header, then its
/// locals and value stack) that the generator owns; tier 1 resumes it as
/// the entry frame of a nested dispatch loop (`Vm::gen_resume`).
#[repr(C)]
pub struct GenObj {
    /// Header, kind GEN.
    pub ob: ObjHeader,
    /// The frame's words (owned; `Box<[u64]>` of `frame_len` words).
    pub frame: *mut u64,
    /// Words at `frame`.
    pub frame_len: usize,
    /// Its life stage.
    pub state: Cell<GenState>,
    /// The code object (owned), for `repr` after the frame is done.
    pub code: Obj,
}

impl GenObj {
    /// The generator's frame.
    pub fn frame_ptr(&self) -> *mut crate::abi::layout::Frame {
        self.frame as *mut crate::abi::layout::Frame
    }
    /// Releases what a frame that did not finish holds: its locals and
    /// stack values and its function. Idempotent.
    pub fn release_frame(&self) {
        let f = self.frame_ptr();
        // SAFETY: the frame words are owned and initialized as a frame whose
        // stack pointer is inside them.
        unsafe {
            let lp = (*f).localsplus.as_mut_ptr();
            let mut p = lp;
            while p < (*f).stack_pointer {
                crate::vm::obj::xdecref(std::mem::replace(&mut *p, 0));
                p = p.add(1);
            }
            (*f).stack_pointer = lp;
            crate::vm::obj::xdecref(std::mem::replace(&mut (*f).func, 0));
        }
    }
}

impl Drop for GenObj {
    fn drop(&mut self) {
        self.release_frame();
        // SAFETY: frame came from a Box<[u64]> of frame_len words.
        unsafe {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                self.frame,
                self.frame_len,
            )));
        }
    }
}
