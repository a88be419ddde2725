//! `#[repr(C)]` layouts shared with the IR templates.
//!
//! Each struct is declared once with [`shared_struct!`]. The macro emits the
//! Rust struct and a [`StructDesc`] listing its fields with portable field
//! types, from which `ir-templates` builds the LLVM struct type for any
//! target. `ir-templates`' layout test checks, for the host, that LLVM's field
//! offsets and sizes equal Rust's `offset_of!`/`size_of`.
//!
//! Only fields the templates touch need to be here; runtime-private state
//! hangs off `vm_data`-style pointers.

use core::cell::Cell;
use core::ffi::c_void;

/// Portable type of a shared field, mapped to an LLVM type per target.
#[derive(Clone, Copy, Debug)]
pub enum FieldTy {
    /// 8-bit integer.
    I8,
    /// 32-bit integer (signed or unsigned; LLVM does not distinguish).
    I32,
    /// 64-bit integer, including tagged [`crate::value`] words.
    I64,
    /// Pointer-sized integer (`isize`/`usize`).
    IntPtr,
    /// A pointer.
    Ptr,
    /// IEEE double.
    F64,
    /// A nested shared struct.
    Struct(&'static StructDesc),
    /// A trailing zero-length array of 64-bit words (flexible array member).
    TrailingWords,
}

/// One field of a shared struct.
#[derive(Clone, Copy, Debug)]
pub struct FieldDesc {
    /// Field name, as in Rust.
    pub name: &'static str,
    /// Its portable type.
    pub ty: FieldTy,
    /// Its offset in the host's Rust layout.
    pub host_offset: usize,
}

/// A shared struct: name, fields in order, host size.
#[derive(Clone, Copy, Debug)]
pub struct StructDesc {
    /// Struct name, as in Rust.
    pub name: &'static str,
    /// Fields in declaration order.
    pub fields: &'static [FieldDesc],
    /// `size_of` on the host.
    pub host_size: usize,
}

impl StructDesc {
    /// Index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// Declares a `#[repr(C)]` struct shared with the IR templates, plus its
/// [`StructDesc`] as an associated constant `DESC`.
#[macro_export]
macro_rules! shared_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $rty:ty => $fty:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $rty ),*
        }
        impl $name {
            /// Field list shared with the IR templates.
            pub const DESC: $crate::layout::StructDesc = $crate::layout::StructDesc {
                name: stringify!($name),
                fields: &[ $( $crate::layout::FieldDesc {
                    name: stringify!($field),
                    ty: $fty,
                    host_offset: core::mem::offset_of!($name, $field),
                } ),* ],
                host_size: core::mem::size_of::<$name>(),
            };
        }
    };
}

use FieldTy::*;

shared_struct! {
    /// Header of every heap object. A value whose low bit is 0 points here.
    #[derive(Debug)]
    pub struct ObjHeader {
        /// Reference count. Immortal objects hold at least
        /// [`crate::value::IMMORTAL_REFCNT`].
        pub refcnt: isize => IntPtr,
        /// The object's kind, one of [`kind`].
        pub kind: u32 => I32,
        /// Kind-specific flags.
        pub flags: u32 => I32,
    }
}

impl ObjHeader {
    /// The header of a statically allocated, immortal object of `kind`
    /// (`None`, `True`, `False`, ...): its count never reaches zero.
    pub const fn immortal(kind: u32) -> ObjHeader {
        ObjHeader {
            refcnt: crate::value::IMMORTAL_REFCNT as isize,
            kind,
            flags: 0,
        }
    }
}

/// Object kinds stored in [`ObjHeader::kind`]. The runtime may add kinds after
/// [`kind::FIRST_RUNTIME_KIND`]; the ones below are the ones templates test.
pub mod kind {
    /// `None`.
    pub const NONE: u32 = 1;
    /// `bool` (`True`, `False`): [`super::IntObj`] layout with value 0 or 1.
    pub const BOOL: u32 = 2;
    /// `int` too large for a small int (big int, runtime-private payload).
    pub const BIGINT: u32 = 3;
    /// `float`: [`super::FloatObj`].
    pub const FLOAT: u32 = 4;
    /// `str` (runtime-private payload).
    pub const STR: u32 = 5;
    /// `list`: [`super::ListObj`].
    pub const LIST: u32 = 6;
    /// `tuple`: [`super::TupleObj`].
    pub const TUPLE: u32 = 7;
    /// `dict` (runtime-private payload).
    pub const DICT: u32 = 8;
    /// `range`.
    pub const RANGE: u32 = 9;
    /// Python function.
    pub const FUNCTION: u32 = 10;
    /// Builtin function.
    pub const BUILTIN: u32 = 11;
    /// Kinds from here on are the runtime's own.
    pub const FIRST_RUNTIME_KIND: u32 = 32;
}

shared_struct! {
    /// `float`: a boxed IEEE double.
    pub struct FloatObj {
        /// Object header, kind [`kind::FLOAT`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The value.
        pub value: f64 => F64,
    }
}

shared_struct! {
    /// The free list of dead float boxes, shared by the runtime (which
    /// frees floats onto it and allocates from it) and the templates (which
    /// pop and push inline). The runtime's one instance is a
    /// [`FloatFreeListStorage`]; templates reach it as the data symbol
    /// `cpjit_float_free_list`.
    pub struct FloatFreeList {
        /// Number of boxes on the list, at most [`FLOAT_FREE_LIST_CAPACITY`].
        pub len: u64 => I64,
        /// The boxes (tagged values of dead [`FloatObj`] memory), `len` of
        /// them; the storage has room for [`FLOAT_FREE_LIST_CAPACITY`].
        pub items: [u64; 0] => TrailingWords,
    }
}

/// Room on the float free list: a float freed while it is full goes back to
/// the allocator.
pub const FLOAT_FREE_LIST_CAPACITY: usize = 4096;

/// A [`FloatFreeList`] with its items' storage: `slots` is where `items`
/// points (a test checks the offsets agree).
#[repr(C)]
pub struct FloatFreeListStorage {
    /// The list header.
    pub list: FloatFreeList,
    /// Storage for `list.items`.
    pub slots: [u64; FLOAT_FREE_LIST_CAPACITY],
}

shared_struct! {
    /// The runtime's free list of dead iterator objects' memory (their
    /// states already dropped), shared with JIT code like
    /// [`FloatFreeList`]: the storage is [`IterFreeListStorage`];
    /// templates reach it as the data symbol `cpjit_iter_free_list`.
    /// Memory resting on it is counted live by the runtime's counter and
    /// subtracted again by its `live_objects`, so a push or pop needs no
    /// counting.
    pub struct IterFreeList {
        /// Number of entries, at most [`ITER_FREE_LIST_CAPACITY`].
        pub len: u64 => I64,
        /// The entries (addresses of dead iterator objects, each with room
        /// for any iterator state), `len` of them.
        pub items: [u64; 0] => TrailingWords,
    }
}

/// Room on the iterator free list: an iterator freed while it is full
/// goes back to the allocator.
pub const ITER_FREE_LIST_CAPACITY: usize = 64;

/// An [`IterFreeList`] with its items' storage (`slots` is where `items`
/// points).
#[repr(C)]
pub struct IterFreeListStorage {
    /// The list header.
    pub list: IterFreeList,
    /// Storage for `list.items`.
    pub slots: [u64; ITER_FREE_LIST_CAPACITY],
}

shared_struct! {
    /// `bool` objects (and any int-like static): header plus a machine int.
    pub struct IntObj {
        /// Object header.
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The value.
        pub value: i64 => I64,
    }
}

impl IntObj {
    /// A static immortal `bool` object holding `value` (0 or 1).
    pub const fn immortal_bool(value: i64) -> IntObj {
        IntObj {
            ob: ObjHeader::immortal(kind::BOOL),
            value,
        }
    }
}

shared_struct! {
    /// `list`: a growable array of owned values.
    pub struct ListObj {
        /// Object header, kind [`kind::LIST`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// Items, `len` of them initialised, room for `cap`.
        pub items: *mut u64 => Ptr,
        /// Number of items.
        pub len: isize => IntPtr,
        /// Capacity of `items`.
        pub cap: isize => IntPtr,
    }
}

shared_struct! {
    /// `tuple`: a fixed array of owned values stored inline after the header.
    pub struct TupleObj {
        /// Object header, kind [`kind::TUPLE`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// Number of items.
        pub len: isize => IntPtr,
        /// The items (`len` words follow).
        pub items: [u64; 0] => TrailingWords,
    }
}

shared_struct! {
    /// One entry of a dict's table (the runtime's `dict::Entry`), in
    /// insertion order: the key's hash, the owned key and the owned value.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct DictEntry {
        /// The key's hash (Python's `hash(key)`).
        pub hash: i64 => I64,
        /// The owned key.
        pub key: u64 => I64,
        /// The owned value.
        pub value: u64 => I64,
    }
}

shared_struct! {
    /// The start of a dict object as templates read it: the header, then
    /// the table's view, which the runtime keeps current after every
    /// change: `index` has `mask + 1` slots (a power of two), each -1
    /// (empty) or the position of an entry in `entries`; a key of hash `h`
    /// is probed from slot `h & mask` on, linearly. An empty table has one
    /// empty slot (`mask` 0).
    pub struct DictHead {
        /// Object header, kind [`kind::DICT`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The open-addressing index.
        pub index: *const i32 => Ptr,
        /// Index slots minus one.
        pub mask: usize => IntPtr,
        /// The entries.
        pub entries: *const DictEntry => Ptr,
        /// Non-zero when tier 2 watches the table: every change of an
        /// entry must then go through the runtime (which notifies).
        pub watched: u64 => I64,
    }
}

shared_struct! {
    /// The start of a `str` object (the runtime's `StrObj`): the header,
    /// then the cached hash (-1 until computed).
    pub struct StrHead {
        /// Object header, kind [`kind::STR`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// Python's `hash()` of the text, or -1.
        pub hash: i64 => I64,
    }
}

shared_struct! {
    /// A closure cell (`LOAD_DEREF`/`STORE_DEREF`); the runtime's cell
    /// type has this layout.
    pub struct CellObj {
        /// Object header (a runtime kind).
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The owned value, or 0 (NULL) while the cell is empty.
        pub value: u64 => I64,
    }
}

shared_struct! {
    /// The state of a range iterator: the runtime's `IterState` enum is
    /// `repr(C)` (a C `int` tag, then the variant's fields, 8-aligned), and
    /// this is its `Range` variant.
    pub struct RangeIterState {
        /// [`iter_tag::RANGE`].
        pub tag: u32 => I32,
        /// The next value.
        pub next: i64 => I64,
        /// The bound (exclusive).
        pub stop: i64 => I64,
        /// The step (non-zero).
        pub step: i64 => I64,
    }
}

shared_struct! {
    /// A range iterator object (the runtime's iterator kind, `Range` state).
    pub struct RangeIterObj {
        /// Object header (a runtime kind).
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The state.
        pub state: RangeIterState => Struct(&RangeIterState::DESC),
    }
}

shared_struct! {
    /// The `List` variant of the runtime's `repr(C)` iterator state.
    pub struct ListIterState {
        /// [`iter_tag::LIST`].
        pub tag: u32 => I32,
        /// The list (an owned tagged value).
        pub seq: u64 => I64,
        /// Index of the next item.
        pub idx: usize => IntPtr,
    }
}

shared_struct! {
    /// A list iterator object (the runtime's iterator kind, `List` state).
    pub struct ListIterObj {
        /// Object header (a runtime kind).
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The state.
        pub state: ListIterState => Struct(&ListIterState::DESC),
    }
}

/// Tags of the runtime's iterator states that the templates read.
pub mod iter_tag {
    /// `IterState::Range`.
    pub const RANGE: u32 = 0;
    /// `IterState::List`.
    pub const LIST: u32 = 1;
    /// `IterState::Tuple`, whose fields have [`super::ListIterState`]'s
    /// layout (`seq` is then the tuple).
    pub const TUPLE: u32 = 2;
}

shared_struct! {
    /// An activation record, shared by the interpreter and JIT code.
    ///
    /// `localsplus` holds `nlocalsplus` slots (fast locals, then cells and
    /// free variables), followed by the value stack.
    pub struct Frame {
        /// The code object being run (runtime-private type).
        pub code: *const c_void => Ptr,
        /// The function object (owned tagged value), or `NULL` for module code.
        pub func: u64 => I64,
        /// Globals dict (runtime-private type).
        pub globals: *mut c_void => Ptr,
        /// The calling frame.
        pub previous: *mut Frame => Ptr,
        /// Top of the value stack while this frame is not running
        /// (points into `localsplus`, past the last pushed value).
        pub stack_pointer: *mut u64 => Ptr,
        /// Index of the next bytecode instruction to run in `code`.
        pub instr: u32 => I32,
        /// Number of local, cell and free slots before the value stack.
        pub nlocalsplus: u32 => I32,
        /// Locals, cells and free variables, then the value stack.
        pub localsplus: [u64; 0] => TrailingWords,
    }
}

shared_struct! {
    /// Per-thread interpreter state, passed to every stencil.
    pub struct ThreadState {
        /// The frame being run.
        pub current_frame: *mut Frame => Ptr,
        /// The executor whose trampoline returned last: the trampoline's
        /// reference moves here, releasing the old one (see the seed).
        pub previous_executor: *mut Executor => Ptr,
        /// Executor whose exit was taken last (set by exit stencils).
        pub exit_executor: *mut Executor => Ptr,
        /// Index of that exit in the executor's exit array.
        pub exit_index: u32 => I32,
        /// Calls left before `RecursionError`.
        pub recursion_remaining: i32 => I32,
        /// A cold exit whose `temperature` reaches this returns
        /// [`status::HOT_EXIT`] so the VM can build a side trace.
        pub side_exit_threshold: u32 => I32,
        /// Runtime-private state.
        pub vm_data: *mut c_void => Ptr,
        /// First free word of the frame data stack: the next frame pushed
        /// starts here (templates push and pop frames inline, as the
        /// runtime does).
        pub data_top: *mut u64 => Ptr,
        /// One past the last word of the frame data stack: a frame must end
        /// at or before it.
        pub data_limit: *mut u64 => Ptr,
    }
}

shared_struct! {
    /// The start of the runtime's function object: what a native frame
    /// push reads from the callable (the runtime's `FuncObj` begins with
    /// these fields; a runtime test checks the offsets).
    pub struct FunctionHead {
        /// Object header, kind [`kind::FUNCTION`].
        pub ob: ObjHeader => Struct(&ObjHeader::DESC),
        /// The code object (owned tagged value).
        pub code: u64 => I64,
        /// The globals dict (owned tagged value).
        pub globals: u64 => I64,
        /// The closure: a tuple ([`TupleObj`]) of the cells of the code's
        /// free variables (owned tagged value), or 0 when it has none.
        pub closure: u64 => I64,
    }
}

shared_struct! {
    /// What a native frame push needs to know about the code it calls: the
    /// first part of a code object's entry slot (the runtime's
    /// `EntrySlot`). The operand of `_CALL_EXECUTOR` and `_PUSH_FRAME` is
    /// its address.
    #[derive(Debug)]
    pub struct CallTarget {
        /// The code's function-entry executor, null when there is none.
        pub executor: Cell<*mut Executor> => Ptr,
        /// The code object (tagged value, what [`FunctionHead::code`] of a
        /// function of this code holds); 0 until the code object exists.
        pub code_obj: Cell<u64> => I64,
        /// What [`Frame::code`] holds for a frame of this code.
        pub code: Cell<*const c_void> => Ptr,
        /// Local, cell and free slots of a frame of this code
        /// ([`Frame::nlocalsplus`]).
        pub nlocalsplus: u32 => I32,
        /// Words of a frame of this code after its header: those slots and
        /// the value stack (the data-stack room a push takes, with the
        /// header's `FRAME_HEADER_WORDS`).
        pub frame_words: u32 => I32,
        /// Cell variables of this code: a frame of it needs new cells (the
        /// runtime's helper makes them; templates leave such pushes to it).
        pub cellvars: u32 => I32,
        /// Free variables of this code: the last `freevars` slots of
        /// `localsplus` take the cells of the function's
        /// [`FunctionHead::closure`] (one reference each).
        pub freevars: u32 => I32,
        /// Non-zero when the code begins with a base case
        /// `if a OP c: return r` (`tier2::base_case`): the smallest small
        /// int argument `a` (tagged) for which it is taken. A call whose
        /// argument `leaf_arg` is a small int from `leaf_lo` to `leaf_hi`
        /// returns `leaf_ret` (no other effect but the push's recursion
        /// and data-stack checks), which `_CALL_EXECUTOR_LEAF_1` and
        /// `_CALL_EXECUTOR_LEAF_ANY_n` do without the call.
        pub leaf_lo: u64 => I64,
        /// The largest argument (tagged) that takes the base case.
        pub leaf_hi: u64 => I64,
        /// The base case's result: a tagged small int constant (odd), or
        /// `2 * j` (even) for the call's argument `j`.
        pub leaf_ret: u64 => I64,
        /// The index of the argument the base case compares.
        pub leaf_arg: u32 => I32,
    }
}

/// Words of a [`Frame`]'s header, before `localsplus`.
pub const FRAME_HEADER_WORDS: usize = core::mem::size_of::<Frame>() / 8;

shared_struct! {
    /// One side exit of an executor.
    pub struct ExitData {
        /// Bytecode index where the interpreter resumes.
        pub target: u32 => I32,
        /// Hit counter: how often the exit was taken cold.
        pub temperature: u32 => I32,
        /// Linked executor the exit continues in, or null.
        pub executor: *mut Executor => Ptr,
        /// Where in the linked executor's code the exit continues (its side
        /// entry, or the head of its peeled loop when what the exit knows
        /// implies what the loop assumes there); meaningless while
        /// `executor` is null.
        pub entry: *const u8 => Ptr,
    }
}

shared_struct! {
    /// A compiled trace. Reference counted: the VM's owners and each
    /// trampoline activation hold references.
    pub struct Executor {
        /// Reference count; the trampoline increments it on entry and moves its
        /// reference to [`ThreadState::previous_executor`] on return.
        pub refcnt: isize => IntPtr,
        /// Non-zero while the executor may be entered.
        pub valid: u32 => I32,
        /// Number of entries in `exits`.
        pub exit_count: u32 => I32,
        /// Entry for native callers (the trampoline), C calling convention.
        pub jit_code: *const u8 => Ptr,
        /// Entry for other traces' exits, in the JIT's calling convention.
        pub jit_side_entry: *const u8 => Ptr,
        /// The exits.
        pub exits: *mut ExitData => Ptr,
        /// Runtime-private state (owned code memory, dependencies, ...).
        pub vm_data: *mut c_void => Ptr,
    }
}

/// Every shared struct, for layout tests.
pub const ALL: &[&StructDesc] = &[
    &ObjHeader::DESC,
    &FloatObj::DESC,
    &FloatFreeList::DESC,
    &IterFreeList::DESC,
    &IntObj::DESC,
    &ListObj::DESC,
    &TupleObj::DESC,
    &CellObj::DESC,
    &DictEntry::DESC,
    &DictHead::DESC,
    &StrHead::DESC,
    &RangeIterState::DESC,
    &RangeIterObj::DESC,
    &ListIterState::DESC,
    &ListIterObj::DESC,
    &Frame::DESC,
    &ThreadState::DESC,
    &FunctionHead::DESC,
    &CallTarget::DESC,
    &ExitData::DESC,
    &Executor::DESC,
];

/// Status codes a trace returns to its trampoline (and the trampoline to its
/// native caller).
pub mod status {
    /// Left the trace; resume the interpreter at `frame.instr`.
    pub const EXIT: i64 = 0;
    /// An exception is pending; unwind from `frame.instr`.
    pub const ERROR: i64 = 1;
    /// A cold exit became hot: `ThreadState::exit_executor`/`exit_index` name
    /// it; the VM may build and link a side trace, then resume at `frame.instr`.
    pub const HOT_EXIT: i64 = 2;
    /// The trace reached its function's `RETURN_VALUE` (`_RETURN`):
    /// `frame.instr` is that instruction and the return value is on top of
    /// `frame.stack_pointer`. Tier 1 resumes there (it runs the return); a
    /// `_CALL_EXECUTOR` that called the trace pops the frame instead.
    pub const RETURNED: i64 = 3;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_header_is_whole_words() {
        assert_eq!(core::mem::size_of::<Frame>() % 8, 0);
        assert_eq!(
            core::mem::offset_of!(Frame, localsplus),
            FRAME_HEADER_WORDS * 8
        );
    }

    #[test]
    fn float_free_list_items_are_the_storage_slots() {
        assert_eq!(
            core::mem::offset_of!(FloatFreeList, items),
            core::mem::offset_of!(FloatFreeListStorage, slots)
        );
        assert_eq!(
            core::mem::size_of::<FloatFreeListStorage>(),
            8 + 8 * FLOAT_FREE_LIST_CAPACITY
        );
    }

    #[test]
    fn iter_free_list_items_are_the_storage_slots() {
        assert_eq!(
            core::mem::offset_of!(IterFreeList, items),
            core::mem::offset_of!(IterFreeListStorage, slots)
        );
        assert_eq!(
            core::mem::size_of::<IterFreeListStorage>(),
            8 + 8 * ITER_FREE_LIST_CAPACITY
        );
    }
}
