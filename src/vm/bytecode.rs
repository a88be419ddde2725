//! The tier-1 bytecode: opcodes, the instruction encoding and code objects.
//!
//! An instruction is one `u32`: the opcode in the low 8 bits, the argument in
//! the high 24 bits. Each instruction has a parallel [`Cache`] entry used by
//! adaptive specialization (global caches, back-edge counters, backoff).

use crate::abi::layout::CallTarget;
use crate::vm::obj::Obj;
use std::cell::{Cell, UnsafeCell};
use std::rc::Rc;

/// Opcode numbers. Specialized forms follow their generic instruction.
#[allow(missing_docs)]
pub mod op {
    pub const NOP: u8 = 0;
    pub const LOAD_FAST: u8 = 1;
    pub const LOAD_FAST_CHECK: u8 = 2;
    pub const STORE_FAST: u8 = 3;
    pub const DELETE_FAST: u8 = 4;
    pub const LOAD_CONST: u8 = 5;
    pub const LOAD_GLOBAL: u8 = 6;
    pub const LOAD_GLOBAL_MODULE: u8 = 7;
    pub const LOAD_GLOBAL_BUILTIN: u8 = 8;
    pub const STORE_GLOBAL: u8 = 9;
    pub const DELETE_GLOBAL: u8 = 10;
    pub const LOAD_DEREF: u8 = 11;
    pub const STORE_DEREF: u8 = 12;
    pub const LOAD_CLOSURE: u8 = 13;
    pub const POP_TOP: u8 = 14;
    pub const COPY: u8 = 15;
    pub const SWAP: u8 = 16;
    pub const PUSH_NULL: u8 = 17;
    pub const BINARY_OP: u8 = 18;
    pub const BINARY_OP_ADD_INT: u8 = 19;
    pub const BINARY_OP_SUBTRACT_INT: u8 = 20;
    pub const BINARY_OP_MULTIPLY_INT: u8 = 21;
    pub const BINARY_OP_ADD_FLOAT: u8 = 22;
    pub const BINARY_OP_SUBTRACT_FLOAT: u8 = 23;
    pub const BINARY_OP_MULTIPLY_FLOAT: u8 = 24;
    pub const BINARY_OP_TRUE_DIVIDE_FLOAT: u8 = 25;
    pub const BINARY_OP_ADD_STR: u8 = 26;
    pub const BINARY_OP_AND_INT: u8 = 27;
    pub const BINARY_OP_FLOOR_DIVIDE_INT: u8 = 28;
    pub const BINARY_OP_MOD_INT: u8 = 29;
    pub const BINARY_OP_RSHIFT_INT: u8 = 30;
    pub const UNARY_NEGATIVE: u8 = 31;
    pub const UNARY_POSITIVE: u8 = 32;
    pub const UNARY_INVERT: u8 = 33;
    pub const UNARY_NOT: u8 = 34;
    pub const COMPARE_OP: u8 = 35;
    pub const COMPARE_OP_INT: u8 = 36;
    pub const COMPARE_OP_FLOAT: u8 = 37;
    pub const COMPARE_OP_STR: u8 = 38;
    pub const IS_OP: u8 = 39;
    pub const CONTAINS_OP: u8 = 40;
    pub const POP_JUMP_IF_FALSE: u8 = 41;
    pub const POP_JUMP_IF_TRUE: u8 = 42;
    pub const JUMP_IF_FALSE_OR_POP: u8 = 43;
    pub const JUMP_IF_TRUE_OR_POP: u8 = 44;
    pub const JUMP_FORWARD: u8 = 45;
    pub const JUMP_BACKWARD: u8 = 46;
    pub const ENTER_EXECUTOR: u8 = 47;
    pub const GET_ITER: u8 = 48;
    pub const FOR_ITER: u8 = 49;
    pub const FOR_ITER_RANGE: u8 = 50;
    pub const FOR_ITER_LIST: u8 = 51;
    pub const BUILD_LIST: u8 = 52;
    pub const BUILD_TUPLE: u8 = 53;
    pub const BUILD_MAP: u8 = 54;
    pub const BUILD_SLICE: u8 = 55;
    pub const LIST_APPEND: u8 = 56;
    pub const MAP_ADD: u8 = 57;
    pub const BINARY_SUBSCR: u8 = 58;
    pub const BINARY_SUBSCR_LIST_INT: u8 = 59;
    pub const BINARY_SUBSCR_TUPLE_INT: u8 = 60;
    pub const STORE_SUBSCR: u8 = 61;
    pub const STORE_SUBSCR_LIST_INT: u8 = 62;
    pub const DELETE_SUBSCR: u8 = 63;
    pub const UNPACK_SEQUENCE: u8 = 64;
    pub const UNPACK_SEQUENCE_TWO_TUPLE: u8 = 65;
    pub const LOAD_METHOD: u8 = 66;
    pub const LOAD_ATTR: u8 = 67;
    pub const KW_NAMES: u8 = 68;
    pub const CALL: u8 = 69;
    pub const CALL_PY_EXACT_ARGS: u8 = 70;
    pub const CALL_BUILTIN: u8 = 71;
    pub const MAKE_FUNCTION: u8 = 72;
    pub const RETURN_VALUE: u8 = 73;
    pub const FORMAT_VALUE: u8 = 74;
    pub const BUILD_STRING: u8 = 75;
    pub const RAISE_ASSERT: u8 = 76;
    pub const RAISE: u8 = 77;
    pub const LIST_EXTEND: u8 = 78;
    pub const COMPARE_OP_INT_JUMP: u8 = 79;
    pub const COMPARE_OP_FLOAT_JUMP: u8 = 80;
    pub const STORE_ATTR: u8 = 81;
    pub const SETUP_EXCEPT: u8 = 82;
    pub const POP_EXCEPT_BLOCK: u8 = 83;
    pub const CHECK_EXC_MATCH: u8 = 84;
    pub const RERAISE: u8 = 85;
    pub const POP_EXCEPT: u8 = 86;
    pub const LOAD_FAST__LOAD_FAST: u8 = 87;
    pub const LOAD_FAST__LOAD_CONST: u8 = 88;
    pub const LOAD_CONST__LOAD_FAST: u8 = 89;
    pub const STORE_FAST__LOAD_FAST: u8 = 90;
    pub const STORE_FAST__STORE_FAST: u8 = 91;
    pub const CALL_EX: u8 = 92;
    pub const BINARY_OP_POWER_INT: u8 = 93;
    pub const BUILD_SET: u8 = 94;
    pub const SET_ADD: u8 = 95;
    pub const SET_UPDATE: u8 = 96;
    pub const IMPORT_NAME: u8 = 97;
    pub const IMPORT_FROM: u8 = 98;
    pub const UNPACK_EX: u8 = 99;
    /// Suspends a generator frame, handing the top of the stack to whoever
    /// resumed it; the value sent in is pushed when it resumes.
    pub const YIELD_VALUE: u8 = 100;
    /// `yield from`'s step: `[it, v]` sends `v` into `it`; a yielded value
    /// replaces `v`; when `it` returns, both go and its return value is
    /// pushed, and control jumps to the argument.
    pub const SEND: u8 = 101;
    /// Class bodies: the namespace dict is fast local 0.
    pub const LOAD_NAME: u8 = 102;
    pub const STORE_NAME: u8 = 103;
    pub const DELETE_NAME: u8 = 104;
    pub const DELETE_ATTR: u8 = 105;
    /// Specialized attribute access on instances of user classes (tier 1
    /// only: tier 2 runs them through `cpjit_step`).
    pub const LOAD_ATTR_INSTANCE: u8 = 106;
    pub const LOAD_METHOD_INSTANCE: u8 = 107;
    pub const STORE_ATTR_INSTANCE: u8 = 108;
    /// `DICT_MERGE i`: merges the mapping on top (popped) into the dict
    /// `i` below it, the keyword arguments of the call under construction
    /// (CPython's; a repeated name is the call's error).
    pub const DICT_MERGE: u8 = 109;
    /// `DICT_UPDATE i`: updates the dict `i` below the top with the mapping
    /// on top (popped): a `{**m}` display item (later keys win).
    pub const DICT_UPDATE: u8 = 110;
    /// `LIST_TO_TUPLE`: the list on top becomes a tuple (a tuple display
    /// with `*iterable` items).
    pub const LIST_TO_TUPLE: u8 = 111;
    /// `BEFORE_WITH`: the context manager on top becomes its bound
    /// `__exit__`, and `__enter__()`'s result is pushed (a `with`
    /// statement's start).
    pub const BEFORE_WITH: u8 = 112;
    /// `WITH_EXCEPT_START`: with `exit, exc` on top (a `with` body's
    /// handler), pushes `exit(type(exc), exc, None)` (no traceback objects).
    pub const WITH_EXCEPT_START: u8 = 113;
    /// Number of opcodes.
    pub const COUNT: u8 = 114;
}

/// The oparg of `CALL_EX`, a call with `*` or `**` arguments. Its stack:
/// `[callable, self_or_NULL, positional, ...]` where `positional` is a list
/// (or, with [`ITERABLE`](call_ex::ITERABLE), any iterable: `f(*xs)`),
/// then either the values of the `KW_NAMES` keywords (their count in
/// [`NAMES`](call_ex::NAMES)) or, with [`KWARGS`](call_ex::KWARGS), one
/// dict of all the keyword arguments.
pub mod call_ex {
    /// The number of `KW_NAMES` keyword values on the stack.
    pub const NAMES: u32 = 0xffff;
    /// The keyword arguments are one dict (the call has `**`).
    pub const KWARGS: u32 = 1 << 16;
    /// The positional arguments are one iterable, not yet a list.
    pub const ITERABLE: u32 = 1 << 17;
}

/// Binary operator numbers (oparg of BINARY_OP); `INPLACE` is added for augmented assignment.
#[allow(missing_docs)]
pub mod binop {
    pub const ADD: u32 = 0;
    pub const SUB: u32 = 1;
    pub const MUL: u32 = 2;
    pub const TRUEDIV: u32 = 3;
    pub const FLOORDIV: u32 = 4;
    pub const MOD: u32 = 5;
    pub const POW: u32 = 6;
    pub const LSHIFT: u32 = 7;
    pub const RSHIFT: u32 = 8;
    pub const AND: u32 = 9;
    pub const OR: u32 = 10;
    pub const XOR: u32 = 11;
    pub const MATMUL: u32 = 12;
    pub const INPLACE: u32 = 16;
    /// Operator symbols, by number.
    pub const SYMBOLS: [&str; 13] = [
        "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@",
    ];
}

/// Comparison numbers (oparg of COMPARE_OP), as in the JIT contract.
#[allow(missing_docs)]
pub mod cmp {
    pub const LT: u32 = 0;
    pub const LE: u32 = 1;
    pub const EQ: u32 = 2;
    pub const NE: u32 = 3;
    pub const GT: u32 = 4;
    pub const GE: u32 = 5;
    pub const SYMBOLS: [&str; 6] = ["<", "<=", "==", "!=", ">", ">="];
}

/// The generic instruction a specialized or super-instruction stands for.
///
/// Super-instructions (`A__B`) run `A` with their own argument and then the
/// following instruction `B` (left intact, so jumps to it still work); their
/// base is `A`. Tier 2 projects traces over base opcodes.
pub const fn base_opcode(o: u8) -> u8 {
    match o {
        op::LOAD_GLOBAL_MODULE | op::LOAD_GLOBAL_BUILTIN => op::LOAD_GLOBAL,
        op::BINARY_OP_ADD_INT
        | op::BINARY_OP_SUBTRACT_INT
        | op::BINARY_OP_MULTIPLY_INT
        | op::BINARY_OP_ADD_FLOAT
        | op::BINARY_OP_SUBTRACT_FLOAT
        | op::BINARY_OP_MULTIPLY_FLOAT
        | op::BINARY_OP_TRUE_DIVIDE_FLOAT
        | op::BINARY_OP_ADD_STR
        | op::BINARY_OP_AND_INT
        | op::BINARY_OP_FLOOR_DIVIDE_INT
        | op::BINARY_OP_MOD_INT
        | op::BINARY_OP_POWER_INT
        | op::BINARY_OP_RSHIFT_INT => op::BINARY_OP,
        op::COMPARE_OP_INT
        | op::COMPARE_OP_FLOAT
        | op::COMPARE_OP_STR
        | op::COMPARE_OP_INT_JUMP
        | op::COMPARE_OP_FLOAT_JUMP => op::COMPARE_OP,
        op::FOR_ITER_RANGE | op::FOR_ITER_LIST => op::FOR_ITER,
        op::BINARY_SUBSCR_LIST_INT | op::BINARY_SUBSCR_TUPLE_INT => op::BINARY_SUBSCR,
        op::STORE_SUBSCR_LIST_INT => op::STORE_SUBSCR,
        op::UNPACK_SEQUENCE_TWO_TUPLE => op::UNPACK_SEQUENCE,
        op::CALL_PY_EXACT_ARGS | op::CALL_BUILTIN => op::CALL,
        op::ENTER_EXECUTOR => op::JUMP_BACKWARD,
        op::LOAD_FAST__LOAD_FAST | op::LOAD_FAST__LOAD_CONST => op::LOAD_FAST,
        op::LOAD_CONST__LOAD_FAST => op::LOAD_CONST,
        op::STORE_FAST__LOAD_FAST | op::STORE_FAST__STORE_FAST => op::STORE_FAST,
        other => other,
    }
}

/// The super-instruction for the adjacent pair `a`, `b`, if there is one.
const fn super_of(a: u8, b: u8) -> Option<u8> {
    match (a, b) {
        (op::LOAD_FAST, op::LOAD_FAST) => Some(op::LOAD_FAST__LOAD_FAST),
        (op::LOAD_FAST, op::LOAD_CONST) => Some(op::LOAD_FAST__LOAD_CONST),
        (op::LOAD_CONST, op::LOAD_FAST) => Some(op::LOAD_CONST__LOAD_FAST),
        (op::STORE_FAST, op::LOAD_FAST) => Some(op::STORE_FAST__LOAD_FAST),
        (op::STORE_FAST, op::STORE_FAST) => Some(op::STORE_FAST__STORE_FAST),
        _ => None,
    }
}

/// Rewrites adjacent pairs into super-instructions (CPython 3.11's
/// quickening): the first instruction of each pair changes opcode, the second
/// stays as it is.
///
/// Pairs are chosen from the end backwards, so in a run of loads the last
/// two (the operands of the instruction that follows) pair, and tier 1 can
/// fuse that pair with its consumer (`Vm::run_impl`). An instruction a
/// backward jump targets (a loop head, entered mostly from the back edge,
/// where a pair ending at it would not apply) is never a pair's second.
pub fn quicken(instrs: &mut [u32]) {
    let mut loop_head = vec![false; instrs.len()];
    for &w in instrs.iter() {
        if opcode(w) == op::JUMP_BACKWARD {
            if let Some(h) = loop_head.get_mut(oparg(w) as usize) {
                *h = true;
            }
        }
    }
    let mut i = instrs.len();
    while i >= 2 {
        let (a, b) = (opcode(instrs[i - 2]), opcode(instrs[i - 1]));
        match super_of(a, b) {
            Some(sup) if !loop_head[i - 1] => {
                instrs[i - 2] = encode(sup, oparg(instrs[i - 2]));
                i -= 2;
            }
            _ => i -= 1,
        }
    }
}

/// Encodes an instruction.
#[inline(always)]
pub const fn encode(op: u8, arg: u32) -> u32 {
    (op as u32) | (arg << 8)
}

/// The opcode of an instruction word.
#[inline(always)]
pub const fn opcode(w: u32) -> u8 {
    w as u8
}

/// The argument of an instruction word.
#[inline(always)]
pub const fn oparg(w: u32) -> u32 {
    w >> 8
}

/// Largest argument an instruction can hold.
pub const MAX_ARG: u32 = (1 << 24) - 1;

/// Per-instruction inline cache.
#[derive(Clone, Copy, Default, Debug)]
pub struct Cache {
    /// Kind-specific (e.g. dict keys version for LOAD_GLOBAL).
    pub version: u64,
    /// Kind-specific (e.g. entry position).
    pub index: u32,
    /// Back-edge counter or specialization backoff.
    pub counter: u32,
}

/// A compiled code object.
pub struct Code {
    /// Instructions (rewritten in place by specialization).
    pub instrs: UnsafeCell<Vec<u32>>,
    /// Inline caches, one per instruction.
    pub caches: UnsafeCell<Vec<Cache>>,
    /// Line number of each instruction.
    pub lines: Vec<u32>,
    /// Constants.
    pub consts: Vec<Obj>,
    /// Names (globals, attributes), as str objects.
    pub names: Vec<Obj>,
    /// Names of the fast locals (parameters first).
    pub varnames: Vec<String>,
    /// Names of cell variables.
    pub cellvars: Vec<String>,
    /// Names of free variables.
    pub freevars: Vec<String>,
    /// For each cell variable, the parameter slot it starts from (if a parameter).
    pub cell2arg: Vec<Option<u32>>,
    /// Number of positional parameters (positional-only ones included).
    pub argcount: u32,
    /// Number of positional-only parameters (the first ones).
    pub posonlyargcount: u32,
    /// Number of keyword-only parameters (slots right after the positional ones).
    pub kwonlyargcount: u32,
    /// Index of the `*args` parameter slot, if any.
    pub varargs: Option<u32>,
    /// Index of the `**kwargs` parameter slot, if any.
    pub varkw: Option<u32>,
    /// `argcount` when the positional parameters are all there is (no
    /// keyword-only, `*args` or `**kwargs` parameter), else `u32::MAX`: a
    /// call with exactly `n` positional arguments and no keywords binds
    /// them straight into the first slots iff `exact_argcount == n` (the
    /// one test every fast call path, tier 1's and tier 2's, makes).
    pub exact_argcount: u32,
    /// Maximum value-stack depth.
    pub stacksize: u32,
    /// The value-stack depth before each instruction (Python's stack depth
    /// is a static property of the instruction; `u32::MAX` where no path
    /// reaches it). Tier 2 reads it where a uop can drop a runtime test of
    /// the depth (a `return` with nothing under its value).
    pub depths: Vec<u32>,
    /// Function name (`<module>` for the module).
    pub name: Rc<str>,
    /// Qualified name (for repr).
    pub qualname: Rc<str>,
    /// Source file name.
    pub filename: Rc<str>,
    /// Exception table: (start, end, handler, stack depth), innermost first.
    pub handlers: Vec<(u32, u32, u32, u32)>,
    /// A generator function's (or generator expression's) code: a call
    /// makes a generator object owning the frame instead of running it.
    pub is_generator: bool,
    /// Tier 2's per-function state: the call countdown and the
    /// function-entry trace (see `tier2::on_counted_calls`).
    pub entry: EntrySlot,
}

/// A code object's function-entry state. `CALL_PY_EXACT_ARGS` counts calls
/// down in `countdown` and asks tier 2 (`tier2::on_counted_calls`) when it
/// reaches zero: the first time, to start counting to the call threshold;
/// then, when the function is hot; once tier 2 installed a function-entry
/// trace, at every call (the countdown stays at 1), to enter it. Traces
/// call its executor natively (`_CALL_EXECUTOR` reads `executor` through
/// its address).
#[derive(Debug)]
#[repr(C)]
pub struct EntrySlot {
    /// What native frame pushes read (shared with the templates): the
    /// function-entry executor (null when there is none, JIT mode only),
    /// the code object, the frame's size. First field: `_CALL_EXECUTOR`'s
    /// and `_PUSH_FRAME`'s operand is the address of the slot.
    pub call: CallTarget,
    /// The function-entry trace (`*const tier2::trace::Trace`, registered
    /// in tier 2's state while it is valid), null when there is none.
    pub trace: Cell<*const std::ffi::c_void>,
    /// Calls left before tier 1 asks tier 2 again (see above).
    pub countdown: Cell<u32>,
    /// What the countdown counts to ([`EntryState`]).
    pub state: Cell<EntryState>,
}

/// What an [`EntrySlot`]'s countdown counts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryState {
    /// The first call: nothing counted yet (the threshold is read then).
    Unarmed,
    /// Calls until the function is hot.
    Counting,
    /// Every call enters the function-entry trace.
    Entering,
}

impl EntrySlot {
    /// The slot of a code with these slots and stack size, nothing counted.
    /// Its code object is set by [`EntrySlot::set_code`] once it exists.
    pub fn new(nlocalsplus: usize, stacksize: u32, cellvars: usize, freevars: usize) -> EntrySlot {
        EntrySlot {
            call: CallTarget {
                executor: Cell::new(std::ptr::null_mut()),
                code_obj: Cell::new(0),
                code: Cell::new(std::ptr::null()),
                nlocalsplus: nlocalsplus as u32,
                frame_words: nlocalsplus as u32 + stacksize,
                cellvars: cellvars as u32,
                freevars: freevars as u32,
                leaf_lo: 0,
                leaf_hi: 0,
                leaf_ret: 0,
                leaf_arg: 0,
            },
            trace: Cell::new(std::ptr::null()),
            countdown: Cell::new(1),
            state: Cell::new(EntryState::Unarmed),
        }
    }

    /// The slot with the base case `b` in its [`CallTarget`]'s `leaf_*`
    /// fields (none: `leaf_lo` stays 0).
    pub fn with_base_case(mut self, b: Option<crate::vm::tier2::base_case::BaseCase>) -> EntrySlot {
        if let Some(b) = b {
            self.call.leaf_lo = b.lo;
            self.call.leaf_hi = b.hi;
            self.call.leaf_ret = b.ret;
            self.call.leaf_arg = b.arg;
        }
        self
    }

    /// Records the code object `code_obj` (a tagged word, not owned) this
    /// slot's [`Code`] lives in, for native frame pushes.
    ///
    /// # Safety
    /// `self` is the `entry` field of the [`Code`] inside the live code
    /// object `code_obj`, which never moves.
    pub unsafe fn set_code(&self, code_obj: u64) {
        self.call.code_obj.set(code_obj);
        // SAFETY: the caller's contract.
        self.call
            .code
            .set(unsafe { self.code() } as *const Code as *const std::ffi::c_void);
    }

    /// Whether frames of this code need cells or free variables set up.
    pub fn has_cells(&self) -> bool {
        self.call.cellvars != 0 || self.call.freevars != 0
    }

    /// The code this slot belongs to.
    ///
    /// # Safety
    /// `self` is the `entry` field of a live [`Code`].
    pub unsafe fn code(&self) -> &Code {
        let at = self as *const EntrySlot as usize - std::mem::offset_of!(Code, entry);
        // SAFETY: the caller's contract.
        unsafe { &*(at as *const Code) }
    }

    /// The slot whose [`CallTarget`] is at `call` (a `_CALL_EXECUTOR` or
    /// `_PUSH_FRAME` operand).
    ///
    /// # Safety
    /// `call` is the address of a live slot.
    pub unsafe fn at<'a>(call: u64) -> &'a EntrySlot {
        // SAFETY: the caller's contract; `call` is the slot's first field.
        unsafe { &*(call as *const EntrySlot) }
    }
}

impl Code {
    /// Number of fast-local, cell and free slots.
    pub fn nlocalsplus(&self) -> usize {
        self.varnames.len() + self.cellvars.len() + self.freevars.len()
    }
    /// The value-stack depth before instruction `at`, if it is reachable.
    pub fn depth_at(&self, at: u32) -> Option<u32> {
        self.depths
            .get(at as usize)
            .copied()
            .filter(|&d| d != u32::MAX)
    }
    /// Instruction words (read-only view).
    pub fn words(&self) -> &[u32] {
        // SAFETY: reads only; rewrites happen from the interpreter through raw pointers
        // while no such slice is held.
        unsafe { &*self.instrs.get() }
    }
}
