//! The micro-op list. Every uop here has an IR template in `ir-templates`
//! (an exhaustive match there makes a missing template a compile error) and
//! a stencil in every generated [`crate::stencil::StencilSet`], at index
//! `uop as usize`.
//!
//! Conventions, as in CPython's `_PyUOpInstruction`: `oparg` (u32), `operand`
//! (u64), `target` (bytecode index to resume at), `jump_target` /
//! `error_target` (uop indices in the same trace), `exit_index` (index into
//! the executor's exits).

macro_rules! uops {
    ( $( $(#[$doc:meta])* $name:ident = $s:literal ),* $(,)? ) => {
        /// A micro-op.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Uop { $( $(#[$doc])* $name ),* }

        impl Uop {
            /// Every uop, in index order.
            pub const ALL: &'static [Uop] = &[ $( Uop::$name ),* ];
            /// The uop's name as CPython spells it (`_LOAD_FAST`).
            pub const fn name(self) -> &'static str {
                match self { $( Uop::$name => $s ),* }
            }
            /// Looks a uop up by name.
            pub fn from_name(name: &str) -> Option<Uop> {
                match name { $( $s => Some(Uop::$name), )* _ => None }
            }
        }
    };
}

uops! {
    /// Does nothing.
    NOP = "_NOP",
    /// Push `localsplus[oparg]` (new reference).
    LOAD_FAST = "_LOAD_FAST",
    /// Pop into `localsplus[oparg]`, releasing the old value.
    STORE_FAST = "_STORE_FAST",
    /// Push the constant `operand` (a tagged value kept alive by the code object).
    LOAD_CONST = "_LOAD_CONST",
    /// Pop and release.
    POP_TOP = "_POP_TOP",
    /// Exit (to `jump_target`) unless the top two values are both small ints.
    GUARD_BOTH_INT = "_GUARD_BOTH_INT",
    /// Small int `+`; exits on overflow.
    BINARY_OP_ADD_INT = "_BINARY_OP_ADD_INT",
    /// Small int `-`; exits on overflow.
    BINARY_OP_SUBTRACT_INT = "_BINARY_OP_SUBTRACT_INT",
    /// Small int `*`; exits on overflow.
    BINARY_OP_MULTIPLY_INT = "_BINARY_OP_MULTIPLY_INT",
    /// Small int comparison; `oparg` is the comparison (0 `<`, 1 `<=`, 2 `==`, 3 `!=`, 4 `>`, 5 `>=`); pushes a bool.
    COMPARE_OP_INT = "_COMPARE_OP_INT",
    /// Pop a bool; exit to `jump_target` if it is false.
    GUARD_IS_TRUE_POP = "_GUARD_IS_TRUE_POP",
    /// Pop a bool; exit to `jump_target` if it is true.
    GUARD_IS_FALSE_POP = "_GUARD_IS_FALSE_POP",
    /// Record the bytecode index `oparg` in `frame.instr`.
    SET_IP = "_SET_IP",
    /// Jump to the start of the trace.
    JUMP_TO_TOP = "_JUMP_TO_TOP",
    /// Side exit number `exit_index`: tail-call the linked executor's side
    /// entry, or count the exit and return to the interpreter at `target`.
    EXIT_TRACE = "_EXIT_TRACE",
    /// Return to the interpreter at `target` without counting.
    DEOPT = "_DEOPT",
    /// Pop `oparg` values and return `status::ERROR` at `target`.
    ERROR_POP_N = "_ERROR_POP_N",
    /// Exit (to `jump_target`) if `localsplus[oparg]` is NULL (unbound);
    /// else push it (new reference).
    LOAD_FAST_CHECK = "_LOAD_FAST_CHECK",
    /// Call the C-ABI helper at address `operand`:
    /// `fn(frame, sp, tstate, oparg: u64, target: u64) -> *mut u64`.
    /// The result is the new stack pointer; NULL means an error is pending
    /// (continue at `error_target` with `sp = frame.stack_pointer`); an odd
    /// result asks for an exit (continue at `jump_target` with
    /// `sp = result & !1`).
    CALL_HELPER = "_CALL_HELPER",
    /// Exit (to `jump_target`) if the executor was invalidated.
    CHECK_VALIDITY = "_CHECK_VALIDITY",
    /// Exit (to `jump_target`) unless the top two values are both floats.
    GUARD_BOTH_FLOAT = "_GUARD_BOTH_FLOAT",
    /// Float `+` of two floats (guarded before); reuses the left operand's
    /// box when the stack holds its only reference.
    BINARY_OP_ADD_FLOAT = "_BINARY_OP_ADD_FLOAT",
    /// Float `-`, as `_BINARY_OP_ADD_FLOAT`.
    BINARY_OP_SUBTRACT_FLOAT = "_BINARY_OP_SUBTRACT_FLOAT",
    /// Float `*`, as `_BINARY_OP_ADD_FLOAT`.
    BINARY_OP_MULTIPLY_FLOAT = "_BINARY_OP_MULTIPLY_FLOAT",
    /// Float comparison (`oparg` as `_COMPARE_OP_INT`); pops two floats, pushes a bool.
    COMPARE_OP_FLOAT = "_COMPARE_OP_FLOAT",
    /// Small int `&` (guarded before).
    BINARY_OP_AND_INT = "_BINARY_OP_AND_INT",
    /// `list[int]`: exits (to `jump_target`) unless the second value is a
    /// list and the top a small int within its bounds; pops both, pushes the item.
    BINARY_SUBSCR_LIST_INT = "_BINARY_SUBSCR_LIST_INT",
    /// `list[int] = v` with stack `[v, list, int]`: exits (to `jump_target`)
    /// unless list and in-bounds small int; stores, pops three.
    STORE_SUBSCR_LIST_INT = "_STORE_SUBSCR_LIST_INT",
    /// Swap the top and the `oparg`th value (`oparg` >= 2).
    SWAP = "_SWAP",
    /// Push the `oparg`th value (1 is the top) again (new reference).
    COPY = "_COPY",
    /// Push NULL.
    PUSH_NULL = "_PUSH_NULL",
    /// Replace the top value by its truth as a bool (small ints and bools
    /// inline, other objects through `cpjit_to_bool`, which releases them);
    /// exit (to `jump_target`, stack unchanged) if the truth test fails.
    TO_BOOL = "_TO_BOOL",
    /// Small int `>>` (guarded before); exits unless 0 <= shift < 63.
    BINARY_OP_RSHIFT_INT = "_BINARY_OP_RSHIFT_INT",
    /// Small int `%` (guarded before); exits unless the divisor is positive.
    BINARY_OP_MOD_INT = "_BINARY_OP_MOD_INT",
    /// Small int `//` (guarded before); exits unless the divisor is positive.
    BINARY_OP_FLOOR_DIVIDE_INT = "_BINARY_OP_FLOOR_DIVIDE_INT",
    /// Exit (to `jump_target`) unless the top value is a float.
    GUARD_TOS_FLOAT = "_GUARD_TOS_FLOAT",
    /// Exit (to `jump_target`) unless the second value is a float.
    GUARD_NOS_FLOAT = "_GUARD_NOS_FLOAT",
    /// Push the unboxed value (the `f64` bits, not a tagged value) of the
    /// float in `localsplus[oparg]` (known to be a float). Unboxed values
    /// exist only between uops the optimizer pairs; exits box them first.
    LOAD_FAST_UNBOXED_FLOAT = "_LOAD_FAST_UNBOXED_FLOAT",
    /// Push `operand`, the bits of an unboxed float constant.
    LOAD_CONST_UNBOXED = "_LOAD_CONST_UNBOXED",
    /// Unboxed float `+`: pops two unboxed floats, pushes their unboxed sum.
    BINARY_OP_ADD_FLOAT_UNBOXED = "_BINARY_OP_ADD_FLOAT_UNBOXED",
    /// Unboxed float `-`, as `_BINARY_OP_ADD_FLOAT_UNBOXED`.
    BINARY_OP_SUBTRACT_FLOAT_UNBOXED = "_BINARY_OP_SUBTRACT_FLOAT_UNBOXED",
    /// Unboxed float `*`, as `_BINARY_OP_ADD_FLOAT_UNBOXED`.
    BINARY_OP_MULTIPLY_FLOAT_UNBOXED = "_BINARY_OP_MULTIPLY_FLOAT_UNBOXED",
    /// Comparison of two unboxed floats (`oparg` as `_COMPARE_OP_INT`); pushes a bool.
    COMPARE_OP_FLOAT_UNBOXED = "_COMPARE_OP_FLOAT_UNBOXED",
    /// Pop an unboxed float into `localsplus[oparg]`: written into the old
    /// value's box when that is a float only the local references, else
    /// boxed anew (releasing the old value).
    STORE_FAST_UNBOXED_FLOAT = "_STORE_FAST_UNBOXED_FLOAT",
    /// Box the unboxed float `oparg` slots below the top (1 is the top).
    BOX_FLOAT_AT = "_BOX_FLOAT_AT",
    /// Unbox the float `oparg` slots below the top (known to be a float),
    /// releasing the box.
    UNBOX_FLOAT_AT = "_UNBOX_FLOAT_AT",
    /// Continue at the uop `jump_target` (the head of a peeled loop).
    JUMP_TO_LOOP = "_JUMP_TO_LOOP",
    /// Call of a Python function inlined in the trace, stack
    /// `[callable, NULL, args...]` with `oparg` arguments: unless the
    /// callable is a function whose code is the `operand` (a code object),
    /// or the frame cannot be pushed (recursion limit), continue at
    /// `jump_target` with nothing changed. Else `cpjit_push_frame` moves the
    /// callable and arguments into a new frame (the caller resumes at
    /// `target + 1`), and the trace continues in the new frame at its empty stack.
    PUSH_FRAME = "_PUSH_FRAME",
    /// Return from a frame pushed by `_PUSH_FRAME`: `cpjit_pop_frame` pops the
    /// return value, releases the frame and pushes the value on the caller's
    /// stack; the trace continues in the caller.
    POP_FRAME = "_POP_FRAME",
    /// Float `/` of two floats (guarded before); exits (to `jump_target`,
    /// stack unchanged) if the divisor is zero (tier 1 raises); else as
    /// `_BINARY_OP_ADD_FLOAT`.
    BINARY_OP_TRUE_DIVIDE_FLOAT = "_BINARY_OP_TRUE_DIVIDE_FLOAT",
    /// Float `**` of two floats (guarded before) through
    /// `cpjit_float_pow(x_bits, y_bits) -> bits`, which is NaN when tier 1
    /// would raise or take a special case: then exits (to `jump_target`,
    /// stack unchanged); else as `_BINARY_OP_ADD_FLOAT`.
    BINARY_OP_POWER_FLOAT = "_BINARY_OP_POWER_FLOAT",
    /// Unboxed float `/`; exits (to `jump_target`, stack unchanged) if the divisor is zero.
    BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED = "_BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED",
    /// Unboxed float `**` (as `_BINARY_OP_POWER_FLOAT`); exits with the stack unchanged.
    BINARY_OP_POWER_FLOAT_UNBOXED = "_BINARY_OP_POWER_FLOAT_UNBOXED",
    /// `+ - * / **` (`oparg` 0 to 4) of two numbers, each a float or a small
    /// int and at least one a float, computed on doubles as tier 1 does;
    /// exits (to `jump_target`, stack unchanged) for other operands, a zero
    /// divisor, or a `**` that `cpjit_float_pow` declines. Pushes a new float.
    BINARY_OP_FLOAT_MIXED = "_BINARY_OP_FLOAT_MIXED",
    /// Push the value of the cell in `localsplus[oparg]` (new reference);
    /// exits (to `jump_target`) if the cell is empty.
    LOAD_DEREF = "_LOAD_DEREF",
    /// Pop into the cell in `localsplus[oparg]`, releasing its old value.
    STORE_DEREF = "_STORE_DEREF",
    /// Exit (to `jump_target`) unless the top value is an iterator (kind
    /// `operand`) over a range whose next value is a small int.
    GUARD_ITER_RANGE = "_GUARD_ITER_RANGE",
    /// `FOR_ITER` over a range (guarded before): push the next value and
    /// advance; when exhausted, pop and release the iterator and continue
    /// at `jump_target`.
    FOR_ITER_RANGE = "_FOR_ITER_RANGE",
    /// Exit (to `jump_target`) unless the top value is an iterator (kind
    /// `operand`) over a list.
    GUARD_ITER_LIST = "_GUARD_ITER_LIST",
    /// `FOR_ITER` over a list (guarded before): push the next item (new
    /// reference) and advance; when exhausted, pop and release the iterator
    /// and continue at `jump_target`.
    FOR_ITER_LIST = "_FOR_ITER_LIST",
    /// Leave at the function's `RETURN_VALUE` (`target`) with the return
    /// value on top of the stack: `frame.instr = target`,
    /// `frame.stack_pointer = sp`, return `status::RETURNED`.
    RETURN = "_RETURN",
    /// Native call of a Python function's function-entry executor, stack
    /// `[callable, NULL, args...]` with `oparg` arguments. `operand` is the
    /// address of the callee code's entry slot, whose first word holds the
    /// executor (or null). With no executor, continue at `jump_target` with
    /// nothing changed; else `cpjit_enter_frame(frame, sp, tstate, oparg,
    /// operand, target)` pushes the callee's frame as `_PUSH_FRAME` does
    /// (NULL: continue at `jump_target`, nothing changed), then a normal
    /// (non-tail) call of the executor's `jit_side_entry(new frame, its sp,
    /// tstate)`. If it returns `status::RETURNED` with
    /// `tstate.current_frame` still the new frame, `cpjit_leave_frame(new
    /// frame, tstate)` pops it and pushes the return value on the caller's
    /// stack, and the trace continues in the caller; any other status is
    /// returned unchanged (tier 1 resumes in `current_frame`).
    CALL_EXECUTOR = "_CALL_EXECUTOR",
    /// `list[int] = v` with stack `[v, list, int]`, `v` an unboxed float:
    /// exits (to `jump_target`, stack unchanged) as `_STORE_SUBSCR_LIST_INT`;
    /// else writes `v` into the old item's box when that is a float only
    /// the list references, or stores a new box and releases the old item;
    /// pops three.
    STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT = "_STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT",
    /// `_LOAD_FAST oparg; _LOAD_CONST operand; _BINARY_SUBSCR_LIST_INT` in
    /// one: pushes item `operand` (a tagged small int) of the list in
    /// `localsplus[oparg]` (new reference). Unless it is a list and the
    /// index in bounds, pushes the list and the index (new references) and
    /// continues at `jump_target`, as the three uops would have.
    BINARY_SUBSCR_LIST_INT_LOCAL_CONST = "_BINARY_SUBSCR_LIST_INT_LOCAL_CONST",
    /// As `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST` with the index in
    /// `localsplus[operand]` (`_LOAD_FAST oparg; _LOAD_FAST operand;
    /// _BINARY_SUBSCR_LIST_INT`).
    BINARY_SUBSCR_LIST_INT_LOCALS = "_BINARY_SUBSCR_LIST_INT_LOCALS",
    /// Pop the top value; unless it is a tuple or a list of exactly `oparg`
    /// items, continue at `jump_target` with the stack unchanged (tier 1
    /// redoes the instruction, raising where it must). Else push its items
    /// (new references) last first, so the first item is on top, and
    /// release the sequence.
    UNPACK_SEQUENCE = "_UNPACK_SEQUENCE",
    /// Replace the `oparg` values at the top by a new tuple of them (it takes
    /// their references) from `cpjit_build_tuple(items: ptr, n) -> value`.
    BUILD_TUPLE = "_BUILD_TUPLE",
    /// `container[start:stop]` with stack `[container, start, stop]` (a
    /// `BUILD_SLICE 2` and `BINARY_SUBSCR` pair): `cpjit_binary_slice(c,
    /// start, stop) -> value` slices a list or tuple by small ints or None
    /// exactly as tier 1 (and releases the three); 0 (declined: another
    /// container or bound type) continues at `jump_target`, stack unchanged.
    BINARY_SLICE = "_BINARY_SLICE",
    /// `-v` of a small int or a float at the top; any other value, or
    /// `-(-2**62)` (no small int), continues at `jump_target`, stack unchanged.
    UNARY_NEGATIVE = "_UNARY_NEGATIVE",
    /// `-v` of a float at the top (known to be one): a new float, or the
    /// same box rewritten when the stack holds its only reference.
    UNARY_NEGATIVE_FLOAT = "_UNARY_NEGATIVE_FLOAT",
    /// `-v` of an unboxed float at the top (flips the sign bit: `-0.0` too).
    UNARY_NEGATIVE_FLOAT_UNBOXED = "_UNARY_NEGATIVE_FLOAT_UNBOXED",
    /// `not v` of a bool or small int at the top (replaced by a bool); any
    /// other value continues at `jump_target`, stack unchanged.
    UNARY_NOT = "_UNARY_NOT",
    /// `a is b` (`oparg` 1: `is not`): pops two, releases them, pushes a bool.
    IS_OP = "_IS_OP",
    /// Small int `**` (guarded before): exits (to `jump_target`, stack
    /// unchanged) unless the exponent is in `0..64` and the power fits a
    /// small int (tier 1 then computes a big int or a float).
    BINARY_OP_POWER_INT = "_BINARY_OP_POWER_INT",
    /// Push `localsplus[oparg]`, known (by the optimizer) to hold a small
    /// int: no reference count to take.
    LOAD_FAST_INT = "_LOAD_FAST_INT",
    /// Pop into `localsplus[oparg]`, whose old value is known to be a small
    /// int: nothing to release.
    STORE_FAST_INT = "_STORE_FAST_INT",
    /// Push the constant `operand`, a small int or an immortal object: no
    /// reference count to take.
    LOAD_CONST_IMMORTAL = "_LOAD_CONST_IMMORTAL",
    /// Pop two small ints (guarded before) and continue unless `left < right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_LT = "_GUARD_INT_LT",
    /// Pop two small ints (guarded before) and continue unless `left <= right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_LE = "_GUARD_INT_LE",
    /// Pop two small ints (guarded before) and continue unless `left == right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_EQ = "_GUARD_INT_EQ",
    /// Pop two small ints (guarded before) and continue unless `left != right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_NE = "_GUARD_INT_NE",
    /// Pop two small ints (guarded before) and continue unless `left > right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_GT = "_GUARD_INT_GT",
    /// Pop two small ints (guarded before) and continue unless `left >= right`; else continue at `jump_target` (both popped: a compare and a branch guard in one, no bool made).
    GUARD_INT_GE = "_GUARD_INT_GE",
    /// As `_GUARD_INT_LT` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_LT_LOCALS = "_GUARD_INT_LT_LOCALS",
    /// As `_GUARD_INT_LE` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_LE_LOCALS = "_GUARD_INT_LE_LOCALS",
    /// As `_GUARD_INT_EQ` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_EQ_LOCALS = "_GUARD_INT_EQ_LOCALS",
    /// As `_GUARD_INT_NE` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_NE_LOCALS = "_GUARD_INT_NE_LOCALS",
    /// As `_GUARD_INT_GT` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_GT_LOCALS = "_GUARD_INT_GT_LOCALS",
    /// As `_GUARD_INT_GE` with the operands `localsplus[oparg]` and `localsplus[operand]`, both known small ints (nothing pushed or popped).
    GUARD_INT_GE_LOCALS = "_GUARD_INT_GE_LOCALS",
    /// As `_GUARD_INT_LT` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_LT_LOCAL_CONST = "_GUARD_INT_LT_LOCAL_CONST",
    /// As `_GUARD_INT_LE` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_LE_LOCAL_CONST = "_GUARD_INT_LE_LOCAL_CONST",
    /// As `_GUARD_INT_EQ` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_EQ_LOCAL_CONST = "_GUARD_INT_EQ_LOCAL_CONST",
    /// As `_GUARD_INT_NE` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_NE_LOCAL_CONST = "_GUARD_INT_NE_LOCAL_CONST",
    /// As `_GUARD_INT_GT` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_GT_LOCAL_CONST = "_GUARD_INT_GT_LOCAL_CONST",
    /// As `_GUARD_INT_GE` with the operands `localsplus[oparg]` (a known small int) and the small int constant `operand` (tagged).
    GUARD_INT_GE_LOCAL_CONST = "_GUARD_INT_GE_LOCAL_CONST",
    /// `_LOAD_FAST_INT oparg; _LOAD_CONST c; _BINARY_OP_ADD_INT` in one:
    /// push `localsplus[oparg] + c` (a known small int and a small int
    /// constant, held untagged: `operand` is `2c`, the tagged word without
    /// its tag bit). On overflow, push both operands (the constant tagged)
    /// and continue at `jump_target`, as the three uops would have.
    BINARY_OP_ADD_INT_LOCAL_CONST = "_BINARY_OP_ADD_INT_LOCAL_CONST",
    /// As `_BINARY_OP_ADD_INT_LOCAL_CONST` for `-`.
    BINARY_OP_SUBTRACT_INT_LOCAL_CONST = "_BINARY_OP_SUBTRACT_INT_LOCAL_CONST",
    /// As `_BINARY_OP_ADD_INT_LOCAL_CONST` with the right operand
    /// `localsplus[operand]` (a known small int).
    BINARY_OP_ADD_INT_LOCALS = "_BINARY_OP_ADD_INT_LOCALS",
    /// As `_BINARY_OP_ADD_INT_LOCALS` for `-`.
    BINARY_OP_SUBTRACT_INT_LOCALS = "_BINARY_OP_SUBTRACT_INT_LOCALS",
    /// `_BINARY_OP_ADD_INT_LOCAL_CONST` followed by `_STORE_FAST_INT oparg`:
    /// `localsplus[oparg] += operand` with nothing pushed. On overflow the
    /// local is unchanged, both operands are pushed and it continues at
    /// `jump_target`.
    INPLACE_ADD_INT_LOCAL_CONST = "_INPLACE_ADD_INT_LOCAL_CONST",
    /// As `_INPLACE_ADD_INT_LOCAL_CONST` for `-=`.
    INPLACE_SUBTRACT_INT_LOCAL_CONST = "_INPLACE_SUBTRACT_INT_LOCAL_CONST",
    /// `localsplus[oparg] += localsplus[operand]` (as
    /// `_INPLACE_ADD_INT_LOCAL_CONST`).
    INPLACE_ADD_INT_LOCALS = "_INPLACE_ADD_INT_LOCALS",
    /// As `_INPLACE_ADD_INT_LOCALS` for `-=`.
    INPLACE_SUBTRACT_INT_LOCALS = "_INPLACE_SUBTRACT_INT_LOCALS",
    /// `_LOAD_FAST oparg; _LOAD_FAST operand; _STORE_SUBSCR_LIST_INT` with
    /// the value on the stack: `list[i] = v` with the list in
    /// `localsplus[oparg]` and the index in `localsplus[operand]`. Unless it
    /// is a list and the index a small int in bounds, push both (new
    /// references) and continue at `jump_target`; else store, pop `v`.
    STORE_SUBSCR_LIST_INT_LOCALS = "_STORE_SUBSCR_LIST_INT_LOCALS",
    /// `iter(range(...))` in one step (a `CALL oparg` of `range` and the
    /// `GET_ITER` after it), stack `[callable, NULL, args...]` with `oparg`
    /// (1 to 3) arguments: `cpjit_range_iter(items: ptr, oparg, operand)`
    /// (`items` the callable's slot, `operand` the `range` type) returns the
    /// range iterator without making the range, or 0 (another callable, an
    /// argument that is not a small int, a zero step): continue at
    /// `jump_target`, stack unchanged. Else the `oparg + 2` values are
    /// replaced by the iterator.
    CALL_RANGE_ITER = "_CALL_RANGE_ITER",
    /// Continue if `localsplus[oparg]` holds a small int (so it is bound
    /// too); else continue at `jump_target`, stack unchanged. Nothing is
    /// pushed: the optimizer puts it before a `_LOAD_FAST_INT oparg` in
    /// place of a `_LOAD_FAST_CHECK` whose value a `_GUARD_BOTH_INT` checks,
    /// so a function's argument is proven once, at its first use.
    GUARD_LOCAL_INT = "_GUARD_LOCAL_INT",
    // ----- dicts, lists and tuples (s6-dict) -----
    /// `container[key]` with stack `[container, key]`:
    /// `cpjit_dict_subscr(container, key) -> value` looks a dict up by a
    /// key whose hash needs no code (a small int, a str, ...) and returns
    /// the value (new reference), releasing both operands; 0 (not a dict,
    /// a missing or unusual key) continues at `jump_target`, stack
    /// unchanged (tier 1 redoes the subscript and raises `KeyError`).
    BINARY_SUBSCR_DICT = "_BINARY_SUBSCR_DICT",
    /// `container[key] = value` with stack `[value, container, key]`:
    /// `cpjit_dict_store(value, container, key) -> 1` binds the key of a
    /// dict (taking the value's reference, releasing container and key);
    /// 0 (not a dict, an unhashable key) continues at `jump_target`, stack
    /// unchanged. Pops three. A watched dict may invalidate traces: a
    /// `_CHECK_VALIDITY` follows.
    STORE_SUBSCR_DICT = "_STORE_SUBSCR_DICT",
    /// `LOAD_METHOD` of the list method `operand` (a builtin object tier 1
    /// cached for lists): unless the top value is a list, continue at
    /// `jump_target`, stack unchanged; else the top becomes
    /// `[method, list]` (the method a new reference), as tier 1 pushes.
    LOAD_METHOD_LIST = "_LOAD_METHOD_LIST",
    /// `list.append(x)` after `_LOAD_METHOD_LIST`, stack `[method, list,
    /// x]`: stores `x` (taking its reference) at the end of the list
    /// (inline when there is room, else `cpjit_list_append(list, x)`),
    /// releases the method and the list, pushes `None`.
    CALL_LIST_APPEND = "_CALL_LIST_APPEND",
    /// `list.pop()` (`oparg` 0) or `list.pop(i)` (`oparg` 1) after
    /// `_LOAD_METHOD_LIST`, stack `[method, list, i?]`:
    /// `cpjit_list_pop(list, i or 0) -> item` removes and returns the item
    /// (`i` a small int; a negative one counts from the end); 0 (empty
    /// list, index out of range or not a small int) continues at
    /// `jump_target`, stack unchanged (tier 1 raises `IndexError`). Else
    /// releases method, list and index and pushes the item.
    CALL_LIST_POP = "_CALL_LIST_POP",
    /// `LOAD_METHOD` of the dict method `operand` (`dict.get`, cached by
    /// tier 1 for dicts): as `_LOAD_METHOD_LIST` for a dict receiver.
    LOAD_METHOD_DICT = "_LOAD_METHOD_DICT",
    /// `d.get(k)` (`oparg` 1) or `d.get(k, default)` (`oparg` 2) after
    /// `_LOAD_METHOD_DICT`, stack `[method, dict, k, default?]`:
    /// `cpjit_dict_get(base, oparg) -> value` (`base` the method's slot)
    /// returns the key's value or the default (`None`), a new reference,
    /// having released the `oparg + 2` values; 0 (an unhashable key)
    /// continues at `jump_target`, stack unchanged. Else the values are
    /// replaced by the result.
    CALL_DICT_GET = "_CALL_DICT_GET",
    /// Exit (to `jump_target`) unless the top value is an iterator (kind
    /// `operand`) over a tuple.
    GUARD_ITER_TUPLE = "_GUARD_ITER_TUPLE",
    /// `FOR_ITER` over a tuple (guarded before): push the next item (new
    /// reference) and advance; when exhausted, pop and release the iterator
    /// and continue at `jump_target`.
    FOR_ITER_TUPLE = "_FOR_ITER_TUPLE",
    // ----- s6-float: unboxed list items, mixed int/float arithmetic -----
    /// `_BINARY_SUBSCR_LIST_INT` whose item a float operation takes
    /// unboxed: unless the stack is `[list, small int in bounds]` and the
    /// item a float, continue at `jump_target` with the stack unchanged;
    /// else pop two, push the item's `f64` bits (no reference taken) and
    /// release the list.
    BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT = "_BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT",
    /// `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST` for a float item taken unboxed:
    /// push the `f64` bits of item `operand` (a tagged small int) of the
    /// list in `localsplus[oparg]`. Unless it is a list, the index in bounds
    /// and the item a float, push the list and the index (new references)
    /// and continue at `jump_target`, as the loads and the subscript would
    /// have.
    BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT =
        "_BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT",
    /// As `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT` with the index
    /// in `localsplus[operand]`.
    BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT = "_BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT",
    /// `_BINARY_OP_FLOAT_MIXED` of an unboxed float and a small int (both
    /// known): `oparg` is the operator (0..4: `+ - * / **`) plus 8 when the
    /// int is the left operand. The int is converted as tier 1 converts it
    /// (`i as f64`); a zero divisor or a NaN power continues at
    /// `jump_target`, stack unchanged; else pops two and pushes the
    /// result's bits.
    BINARY_OP_FLOAT_INT_UNBOXED = "_BINARY_OP_FLOAT_INT_UNBOXED",
    /// The read of `lst[c] op= x` (`lst` in `localsplus[oparg]`, `c` the
    /// small int constant `operand`): `_LOAD_FAST; _LOAD_CONST; _COPY 2;
    /// _COPY 2; _BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT` in one, pushing the
    /// float item's bits. Unless it is a list, the index in bounds and the
    /// item a float, push the list, the index, the list and the index (new
    /// references) and continue at `jump_target`, as those uops would have.
    INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST = "_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST",
    /// The store of `lst[c] op= x` after `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST`
    /// of the same list and index with only pure unboxed float uops between
    /// (so the list and the item are still there): pop the unboxed result
    /// and write it into the item's box when only the list references it,
    /// else store a new box and release the old item.
    INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST = "_INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST",
    /// `_LOAD_FAST oparg` and the float guard after it in one, for a float
    /// taken unboxed: push the `f64` bits of `localsplus[oparg]` (bound)
    /// when it is a float; else push it (new reference) and continue at
    /// `jump_target` (the guard's exit).
    LOAD_FAST_GUARD_UNBOXED_FLOAT = "_LOAD_FAST_GUARD_UNBOXED_FLOAT",
    // ----- calls (s6-calls) -----
    /// `_CALL_EXECUTOR` of a callee the trace proved (a baked global pushed
    /// just before the call's `NULL`): the callable on the stack is a
    /// function whose code is the one at `operand`, without cell or free
    /// variables, taking exactly `oparg` arguments. Same semantics and exits
    /// as `_CALL_EXECUTOR`; the push skips the callable's checks and takes
    /// the frame's globals from the function.
    CALL_EXECUTOR_KNOWN = "_CALL_EXECUTOR_KNOWN",
    /// `_RETURN` of a frame whose `oparg` locals (all of its slots) the
    /// optimizer proved small ints: if the stack holds only the return
    /// value (`sp - 1 == localsplus + oparg`), the value moves to
    /// `localsplus[0]` and `sp = localsplus + 1` (the locals need no
    /// release, so whoever pops the frame releases nothing); then as
    /// `_RETURN`.
    RETURN_CLEAN = "_RETURN_CLEAN",
    /// `_PUSH_FRAME` of a callee the trace proved (a baked global pushed
    /// just before the call's `NULL`): a function of the code at `operand`
    /// without cell variables, taking `oparg` arguments, with the trace's
    /// globals. Same semantics and exit as `_PUSH_FRAME`; the push skips the
    /// callable's checks.
    PUSH_FRAME_KNOWN = "_PUSH_FRAME_KNOWN",
    // ----- integer loops (s7-int) -----
    /// `if n & c:` on a local proven a small int and a small int constant,
    /// the `_LOAD_FAST_INT`, `_LOAD_CONST`, `_BINARY_OP_AND_INT` and the
    /// truth test's `_GUARD_INT_*` in one: continue when
    /// `localsplus[oparg] & operand == 0` (`operand`: the constant's tagged
    /// word without its tag bit, `2c`), else continue at `jump_target` with
    /// the stack unchanged (the branch guard it stands for popped its
    /// operands).
    GUARD_AND_INT_ZERO_LOCAL_CONST = "_GUARD_AND_INT_ZERO_LOCAL_CONST",
    /// As `_GUARD_AND_INT_ZERO_LOCAL_CONST`, continuing when the masked
    /// bits are not all zero.
    GUARD_AND_INT_NONZERO_LOCAL_CONST = "_GUARD_AND_INT_NONZERO_LOCAL_CONST",
    /// `n >>= c` on a local proven a small int, `operand` the shift `c`
    /// (`0..=62`, untagged): `localsplus[oparg] = (localsplus[oparg] >> c) | 1`.
    /// Never fails.
    INPLACE_RSHIFT_INT_LOCAL_CONST = "_INPLACE_RSHIFT_INT_LOCAL_CONST",
    /// `n >> c` pushed (as `_INPLACE_RSHIFT_INT_LOCAL_CONST`, the result
    /// pushed instead of stored). Never fails.
    BINARY_OP_RSHIFT_INT_LOCAL_CONST = "_BINARY_OP_RSHIFT_INT_LOCAL_CONST",
    /// `n * c` on a local proven a small int and a small int constant
    /// (`operand`: its tagged word): push the product; on overflow push
    /// `localsplus[oparg]` then the constant, as the loads would have, and
    /// continue at `jump_target` (the multiplication's exit).
    BINARY_OP_MULTIPLY_INT_LOCAL_CONST = "_BINARY_OP_MULTIPLY_INT_LOCAL_CONST",
    /// `c * n`: as `_BINARY_OP_MULTIPLY_INT_LOCAL_CONST`, the exit pushing
    /// the constant first.
    BINARY_OP_MULTIPLY_INT_CONST_LOCAL = "_BINARY_OP_MULTIPLY_INT_CONST_LOCAL",
    /// `_LOAD_CONST c; _BINARY_OP_ADD_INT` with the left operand a small int
    /// on top of the stack (`operand`: the constant untagged, `2c`): replace
    /// it by the sum; on overflow push the tagged constant, as the load
    /// would have, and continue at `jump_target`.
    BINARY_OP_ADD_INT_TOP_CONST = "_BINARY_OP_ADD_INT_TOP_CONST",
    /// As `_BINARY_OP_ADD_INT_TOP_CONST` for `-`.
    BINARY_OP_SUBTRACT_INT_TOP_CONST = "_BINARY_OP_SUBTRACT_INT_TOP_CONST",
    /// If `localsplus[oparg]` is NULL (unbound), continue at `jump_target`
    /// with the stack unchanged (the exit of the `_LOAD_FAST_CHECK` it is
    /// put before, which then becomes a `_LOAD_FAST`).
    GUARD_LOCAL_BOUND = "_GUARD_LOCAL_BOUND",
    /// `lst[b], lst[a] = lst[a], lst[b]` in one: the list in
    /// `localsplus[oparg]`, the indices in `localsplus[operand & 0xffff_ffff]`
    /// (`a`) and `localsplus[operand >> 32]` (`b`). When the list is a list
    /// and both indices are small ints in range, its two items trade places
    /// (no reference count changes); else push the list and `a` (new
    /// references), as the first subscript's loads would have, and continue
    /// at `jump_target` (that subscript's exit: nothing was changed).
    SWAP_LIST_ITEMS_LOCALS = "_SWAP_LIST_ITEMS_LOCALS",
    // ----- s7-float: float operands read in place, known lists, sqrt -----
    /// `_LOAD_FAST_UNBOXED_FLOAT oparg; _LOAD_FAST_UNBOXED_FLOAT operand;
    /// _BINARY_OP_ADD_FLOAT_UNBOXED` in one: push the bits of
    /// `localsplus[oparg] + localsplus[operand]` (both known floats).
    FLOAT_ADD_LOCALS = "_FLOAT_ADD_LOCALS",
    /// As `_FLOAT_ADD_LOCALS` for `-`.
    FLOAT_SUBTRACT_LOCALS = "_FLOAT_SUBTRACT_LOCALS",
    /// As `_FLOAT_ADD_LOCALS` for `*`.
    FLOAT_MULTIPLY_LOCALS = "_FLOAT_MULTIPLY_LOCALS",
    /// `_LOAD_FAST_UNBOXED_FLOAT oparg; _BINARY_OP_ADD_FLOAT_UNBOXED`: the
    /// unboxed float on top becomes `top + localsplus[oparg]` (a known float).
    FLOAT_ADD_TOS_LOCAL = "_FLOAT_ADD_TOS_LOCAL",
    /// As `_FLOAT_ADD_TOS_LOCAL` for `-`.
    FLOAT_SUBTRACT_TOS_LOCAL = "_FLOAT_SUBTRACT_TOS_LOCAL",
    /// As `_FLOAT_ADD_TOS_LOCAL` for `*`.
    FLOAT_MULTIPLY_TOS_LOCAL = "_FLOAT_MULTIPLY_TOS_LOCAL",
    /// `_LOAD_CONST_UNBOXED operand; _BINARY_OP_ADD_FLOAT_UNBOXED`: the
    /// unboxed float on top becomes `top + c`, `operand` the bits of `c`.
    FLOAT_ADD_TOS_CONST = "_FLOAT_ADD_TOS_CONST",
    /// As `_FLOAT_ADD_TOS_CONST` for `-`.
    FLOAT_SUBTRACT_TOS_CONST = "_FLOAT_SUBTRACT_TOS_CONST",
    /// As `_FLOAT_ADD_TOS_CONST` for `*`.
    FLOAT_MULTIPLY_TOS_CONST = "_FLOAT_MULTIPLY_TOS_CONST",
    /// `_COMPARE_OP_FLOAT_UNBOXED` and the branch guard after it in one:
    /// pop two unboxed floats `x, y` and continue when the outcome of
    /// comparing them is in the mask `oparg` (1 `x < y`, 2 `x == y`,
    /// 4 `x > y`, 8 unordered); else continue at `jump_target` (no bool made).
    GUARD_FLOAT_UNBOXED = "_GUARD_FLOAT_UNBOXED",
    /// `_LOAD_CONST_UNBOXED operand` and `_GUARD_FLOAT_UNBOXED oparg` in
    /// one: pop one unboxed float `x` and compare it with the constant whose
    /// bits are `operand`.
    GUARD_FLOAT_CONST_UNBOXED = "_GUARD_FLOAT_CONST_UNBOXED",
    /// `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT` with the index
    /// `operand` a non-negative int held untagged: push the `f64` bits of
    /// that item of the list in `localsplus[oparg]`. Unless it is a list,
    /// the index in bounds and the item a float, push the list and the
    /// (tagged) index, new references, and continue at `jump_target`.
    LIST_ITEM_FLOAT_LOCAL_IDX = "_LIST_ITEM_FLOAT_LOCAL_IDX",
    /// As `_LIST_ITEM_FLOAT_LOCAL_IDX` with `localsplus[oparg]` known (by
    /// the optimizer) to hold a list: only the bound and the item are checked.
    LIST_ITEM_FLOAT_KNOWN_IDX = "_LIST_ITEM_FLOAT_KNOWN_IDX",
    /// `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST` with the index `operand` a
    /// non-negative int held untagged (its failure pushes the list and the
    /// tagged index twice).
    INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX = "_INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX",
    /// As `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX` with `localsplus[oparg]`
    /// known to hold a list.
    INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX = "_INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX",
    /// `_INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST` with the index `operand` a
    /// non-negative int held untagged.
    INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX = "_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX",
    /// `_LOAD_CONST_UNBOXED 0.5; _BINARY_OP_POWER_FLOAT_UNBOXED` (`operand`
    /// the bits of 0.5): the unboxed float `x` on top becomes `x ** 0.5`,
    /// computed as `sqrt(x)` where that is provably the value
    /// `cpjit_float_pow` returns, else by `cpjit_float_pow`; a NaN from it
    /// pushes `operand` and continues at `jump_target`, as the power would.
    FLOAT_SQRT_UNBOXED = "_FLOAT_SQRT_UNBOXED",
    // ----- calls (s7-calls) -----
    /// `_CALL_EXECUTOR_KNOWN` of a callee whose frame holds exactly its
    /// one argument (`nlocalsplus == 1`: no other local, cell or free
    /// variable): the argument is copied without a loop and no local is
    /// emptied. `oparg` is 1. Same semantics and exits as `_CALL_EXECUTOR`.
    CALL_EXECUTOR_ARGS_1 = "_CALL_EXECUTOR_ARGS_1",
    /// `_CALL_EXECUTOR_ARGS_1` with two arguments and two locals.
    CALL_EXECUTOR_ARGS_2 = "_CALL_EXECUTOR_ARGS_2",
    /// `_CALL_EXECUTOR_ARGS_1` with three arguments and three locals.
    CALL_EXECUTOR_ARGS_3 = "_CALL_EXECUTOR_ARGS_3",
    /// A function's `return x` as an exit stub of its frame's trace (the
    /// exit's target is `LOAD_FAST x; RETURN_VALUE`), where every local of
    /// the frame (`frame.nlocalsplus` slots) is a proven small int: the
    /// return value is `localsplus[oparg]` (a small int, no reference). If
    /// the stack is empty (`sp == localsplus + nlocalsplus`) it goes to
    /// `localsplus[0]` and the stack ends after it (as `_RETURN_CLEAN`),
    /// else it is pushed; then `frame.instr = TARGET` (the `RETURN_VALUE`),
    /// `frame.stack_pointer = sp`, status `RETURNED`. `operand`: the frame
    /// context (0, the trace's entry frame), as an exit's.
    RETURN_LOCAL_INT = "_RETURN_LOCAL_INT",
    /// A function's `return x` as an exit stub (the exit's target is
    /// `LOAD_FAST x; RETURN_VALUE`, `x` proven bound): push
    /// `localsplus[oparg]` (new reference), `frame.instr = TARGET` (the
    /// `RETURN_VALUE`), `frame.stack_pointer = sp`, status `RETURNED`.
    /// `operand`: the frame context (0), as an exit's.
    RETURN_LOCAL = "_RETURN_LOCAL",
    // ----- containers and strings (s7-containers) -----
    /// `BUILD_LIST oparg`: `cpjit_build_list(items: ptr, oparg) -> list`
    /// makes a list of the top `oparg` values (taking their references),
    /// which replace them.
    BUILD_LIST = "_BUILD_LIST",
    /// `len(x)`, stack `[callable, NULL, x]` with `operand` the builtin
    /// `len` (baked by the projection): unless the callable is `operand`,
    /// the slot above it NULL and `x` a list or tuple (length read inline)
    /// or another object `cpjit_len(x) -> tagged length or 0` measures
    /// (str, dict), continue at `jump_target`, stack unchanged (tier 1
    /// makes the call and raises `TypeError`). Else release `x` and the
    /// callable and replace the three values by the length (a small int).
    CALL_LEN = "_CALL_LEN",
    // ----- floats (s8-float) -----
    /// `_STORE_FAST_UNBOXED_FLOAT` into a local the optimizer proved holds
    /// a float: pop the unboxed `v`; write it into that box when only the
    /// local references it, else store a new box and release the old one.
    STORE_FAST_UNBOXED_FLOAT_KNOWN = "_STORE_FAST_UNBOXED_FLOAT_KNOWN",
    /// `lst[c] += x` in one uop, for `_INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX`,
    /// pure unboxed float uops computing `x`, the unboxed add and
    /// `_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX` (the list `localsplus[oparg]`,
    /// known to be a list, the untagged index `operand`): with the unboxed
    /// `x` on top, unless the index is in bounds and the item a float, drop
    /// `x`, push the list, the tagged index, the list and the index (new
    /// references) and continue at `jump_target` (the read's exit); else
    /// pop `x` and store `item + x` as the store would.
    INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX = "_INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX",
    /// As `_INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX` for `lst[c] -= x`.
    INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX = "_INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX",
    /// As `_INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX` for `lst[c] *= x`.
    INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX = "_INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX",
    /// As `_INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX` from
    /// `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX`: the local is also checked to
    /// hold a list.
    INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX = "_INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX",
    /// As `_INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX` for `lst[c] -= x`.
    INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX = "_INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX",
    /// As `_INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX` for `lst[c] *= x`.
    INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX = "_INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX",
    /// `_BINARY_OP_FLOAT_INT_UNBOXED 3`: the unboxed float `x` under the
    /// small int `n` on top; if `n` is 0 continue at `jump_target`, stack
    /// unchanged; else pop both and push the bits of `x / float(n)`.
    FLOAT_INT_TRUE_DIVIDE_UNBOXED = "_FLOAT_INT_TRUE_DIVIDE_UNBOXED",
    /// `_BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT` with the list
    /// `localsplus[oparg]` known (by the optimizer) to hold a list: the same
    /// semantics without the list's checks.
    LIST_ITEM_FLOAT_KNOWN_LOCALS = "_LIST_ITEM_FLOAT_KNOWN_LOCALS",
    /// The checks of `lst[c] op= x` where `x` reads items of the same list,
    /// done first (`lst` in `localsplus[oparg]`, `c` the untagged index in
    /// the low 32 bits of `operand`, the item `x` reads in the high 32):
    /// unless `lst` is a list, both indices in bounds and both items floats,
    /// push the list, the tagged `c`, the list and `c` (new references) and
    /// continue at `jump_target` (the exit of `lst[c]`'s read, which tier 1
    /// then redoes: nothing ran yet). Pushes nothing.
    CHECK_FLOAT_ITEMS_IDX = "_CHECK_FLOAT_ITEMS_IDX",
    /// Push the `f64` bits of item `operand` (untagged) of the list in
    /// `localsplus[oparg]`, which a `_CHECK_FLOAT_ITEMS_IDX` before it (with
    /// only pure unboxed float uops between) proved in bounds and a float.
    LIST_ITEM_FLOAT_UNCHECKED_IDX = "_LIST_ITEM_FLOAT_UNCHECKED_IDX",
    /// `_UNBOX_FLOAT_AT 2; _BINARY_OP_ADD_FLOAT_UNBOXED;
    /// _STORE_FAST_UNBOXED_FLOAT oparg` in one (`s += x` with `s` loaded
    /// boxed long before): pop the unboxed `x` and the float `b` under it
    /// (a reference), store `b + x` into `localsplus[oparg]` as
    /// `_STORE_FAST_UNBOXED_FLOAT` would and release `b`; when `b` is the
    /// local's value and only the local and the stack reference it, the sum
    /// goes into its box.
    FLOAT_ADD_NOS_STORE_LOCAL = "_FLOAT_ADD_NOS_STORE_LOCAL",
    /// As `_FLOAT_ADD_NOS_STORE_LOCAL` for `b - x`.
    FLOAT_SUBTRACT_NOS_STORE_LOCAL = "_FLOAT_SUBTRACT_NOS_STORE_LOCAL",
    // ----- calls, returns and list iterators (s8-calls) -----
    /// `_RETURN_CLEAN` where the code's stack depth at the `RETURN_VALUE`
    /// is 1 (the projection read it from the code): the return value is
    /// alone on the stack, so it moves to `localsplus[0]` and
    /// `sp = localsplus + 1` without a test; then as `_RETURN`.
    RETURN_CLEAN_ALONE = "_RETURN_CLEAN_ALONE",
    /// `_RETURN_LOCAL_INT` where the code's stack depth before the
    /// `LOAD_FAST x` is 0: `localsplus[0] = localsplus[oparg]`,
    /// `sp = localsplus + 1`, `frame.instr = TARGET`,
    /// `frame.stack_pointer = sp`, status `RETURNED`, without a test.
    /// `operand`: the frame context (0), as an exit's.
    RETURN_LOCAL_INT_ALONE = "_RETURN_LOCAL_INT_ALONE",
    /// `GET_ITER` of a list (tier 1 saw a list iterator at the
    /// `FOR_ITER_LIST` after it): unless the top of the stack is a list,
    /// continue at `jump_target`, stack unchanged. Else the top becomes a
    /// new list iterator (`operand`: the runtime's iterator kind; index 0)
    /// that takes the stack's reference to the list: its memory comes from
    /// the iterator free list (`cpjit_iter_free_list`) inline, or from
    /// `cpjit_new_list_iter(list) -> iterator` when that is empty.
    GET_ITER_LIST = "_GET_ITER_LIST",
    /// `_CALL_EXECUTOR_ARGS_1` of a callee whose code begins with a base
    /// case `if a < c: return a` or `a <= c` (`tier2::base_case`; its
    /// `CallTarget::leaf_lo` is the smallest small int and `leaf_ret` is 0,
    /// the argument): when the argument is a small int up to the slot's
    /// `leaf_hi` and the push would succeed (the recursion limit is not
    /// reached and the data stack has room for the callee's frame), the
    /// call is answered without it: the callable is released and the
    /// argument replaces the call's three values (what the callee would
    /// return, with no other effect). Otherwise exactly
    /// `_CALL_EXECUTOR_ARGS_1`.
    CALL_EXECUTOR_LEAF_1 = "_CALL_EXECUTOR_LEAF_1",
    /// A function's `return x` as an exit stub (the exit's target is
    /// `LOAD_FAST x; RETURN_VALUE`) where `x` is not proven bound: if
    /// `localsplus[oparg]` is NULL, continue at `jump_target` (the exit it
    /// replaced, moved to the end of the trace: tier 1 raises
    /// `UnboundLocalError`); else as `_RETURN_LOCAL`. `operand`: the frame
    /// context (0), as an exit's.
    RETURN_LOCAL_CHECKED = "_RETURN_LOCAL_CHECKED",
    // ----- s8-int: list subscripts on locals known to hold a list -----
    /// `_STORE_SUBSCR_LIST_INT_LOCALS` with `localsplus[oparg]` known (by
    /// the optimizer) to hold a list and `localsplus[operand]` a small int:
    /// only the bound is checked (on failure the same exit, list and index
    /// pushed).
    STORE_SUBSCR_LIST_INT_KNOWN = "_STORE_SUBSCR_LIST_INT_KNOWN",
    /// `_BINARY_SUBSCR_LIST_INT_LOCALS` with the list and the index known,
    /// as for `_STORE_SUBSCR_LIST_INT_KNOWN`: only the bound is checked.
    BINARY_SUBSCR_LIST_INT_KNOWN = "_BINARY_SUBSCR_LIST_INT_KNOWN",
    /// `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST` with the list known: only the
    /// bound is checked.
    BINARY_SUBSCR_LIST_INT_KNOWN_CONST = "_BINARY_SUBSCR_LIST_INT_KNOWN_CONST",
    /// `_SWAP_LIST_ITEMS_LOCALS` with the list and both indices known, as
    /// for `_STORE_SUBSCR_LIST_INT_KNOWN`: only the bounds are checked.
    SWAP_LIST_ITEMS_KNOWN = "_SWAP_LIST_ITEMS_KNOWN",
    // ----- s8-int: `n = c1 * n + c2` in place -----
    /// `_BINARY_OP_MULTIPLY_INT_CONST_LOCAL oparg, c1;
    /// _BINARY_OP_ADD_INT_TOP_CONST c2; _STORE_FAST_INT oparg` in one
    /// (`operand`: `c1` in its low 32 bits, `2 c2` in its high 32, both
    /// signed; `c2` negated for `-`): `localsplus[oparg]`, a small int `n`,
    /// becomes `c1 * n + c2`. If that does not fit a small int, push the
    /// tagged `c1` and `n`, as the multiply's loads would have, and continue
    /// at `jump_target` (the multiply's exit: nothing was changed).
    INPLACE_MUL_ADD_INT_CONST_LOCAL = "_INPLACE_MUL_ADD_INT_CONST_LOCAL",
    /// As `_INPLACE_MUL_ADD_INT_CONST_LOCAL` for `n * c1 + c2`: a failure
    /// pushes `n`, then the tagged `c1`.
    INPLACE_MUL_ADD_INT_LOCAL_CONST = "_INPLACE_MUL_ADD_INT_LOCAL_CONST",
    // ----- containers and strings (s8-containers) -----
    /// Unless the cell `localsplus[oparg]` holds a value, continue at
    /// `jump_target` (a `_LOAD_DEREF`'s exit: tier 1 raises `NameError`).
    /// Pushes nothing: the fused uop after it reads the cell.
    GUARD_CELL_BOUND = "_GUARD_CELL_BOUND",
    /// `cell[local]` read in place (`_LOAD_DEREF oparg; _LOAD_FAST operand;
    /// _BINARY_SUBSCR_DICT` fused; a `_GUARD_CELL_BOUND oparg` before it
    /// proved the cell bound, the local is bound): when the cell's value
    /// is a dict holding the key `localsplus[operand]` (found inline, or by
    /// `cpjit_dict_lookup(c, k) -> new reference or 0`), push the value
    /// (new reference). Else push the dict and the key (new references)
    /// and continue at `jump_target` (the subscript's exit).
    BINARY_SUBSCR_DICT_CELL_LOCAL = "_BINARY_SUBSCR_DICT_CELL_LOCAL",
    /// `cell[key] += delta` in place (`_LOAD_DEREF; _LOAD_CONST key; _COPY 2;
    /// _COPY 2; _BINARY_SUBSCR_DICT; _LOAD_CONST; [_GUARD_BOTH_INT;]
    /// _BINARY_OP_ADD_INT (or _SUBTRACT_INT); _SWAP 3; _SWAP 2;
    /// _STORE_SUBSCR_DICT` fused; a `_GUARD_CELL_BOUND` before it proved
    /// the cell bound). `oparg`: the cell's slot in its low 16 bits, `delta`
    /// (an i16) in its high 16; `operand`: the key (a small int or str
    /// constant). When the cell's value is an unwatched dict holding the key
    /// (found inline) with a small int value `v` and `v + delta` is a small
    /// int, store it there. Else push the dict, the key, the dict and the
    /// key (new references; the stack of the subscript) and continue at
    /// `jump_target` (the subscript's exit).
    INPLACE_ADD_DICT_ITEM_CELL_CONST = "_INPLACE_ADD_DICT_ITEM_CELL_CONST",
    /// `_CALL_EXECUTOR_LEAF_1` of any base case (`tier2::base_case`) of a
    /// one-argument callee: the result is the slot's `leaf_ret` (a small
    /// int constant, or the argument). Otherwise `_CALL_EXECUTOR_ARGS_1`.
    CALL_EXECUTOR_LEAF_ANY_1 = "_CALL_EXECUTOR_LEAF_ANY_1",
    /// `_CALL_EXECUTOR_LEAF_ANY_1` of a two-argument callee: when argument
    /// `leaf_arg` is a small int in the slot's range and the push would
    /// succeed, the callable and the arguments the result is not (the
    /// slot's `leaf_ret`: a small int constant or one of the arguments) are
    /// released and the result replaces the call's four values. Otherwise
    /// `_CALL_EXECUTOR_ARGS_2`.
    CALL_EXECUTOR_LEAF_ANY_2 = "_CALL_EXECUTOR_LEAF_ANY_2",
    /// `_LOAD_CONST; _PUSH_NULL` of a heap constant that is not immortal
    /// (`operand`; a baked callee before its arguments): pushes it (new
    /// reference, no tag test) and NULL.
    LOAD_CONST_OBJ_PUSH_NULL = "_LOAD_CONST_OBJ_PUSH_NULL",
    // ----- inlined calls in float loops (s9-float) -----
    /// `_PUSH_FRAME_KNOWN` of a callee whose frame holds exactly its 1
    /// argument (no other local, cell or free variable): the argument is
    /// moved without a loop and no local is emptied. `oparg` is 1. Same
    /// semantics and exit as `_PUSH_FRAME`.
    PUSH_FRAME_ARGS_1 = "_PUSH_FRAME_ARGS_1",
    /// `_PUSH_FRAME_ARGS_1` with two arguments and two locals.
    PUSH_FRAME_ARGS_2 = "_PUSH_FRAME_ARGS_2",
    /// `_PUSH_FRAME_ARGS_1` with three arguments and three locals.
    PUSH_FRAME_ARGS_3 = "_PUSH_FRAME_ARGS_3",
    /// `_POP_FRAME` of an inlined frame whose locals the optimizer proved
    /// all small ints and whose stack holds only the return value (the
    /// code's stack depth at its `RETURN_VALUE` is 1): nothing in its slots
    /// needs a release, so only its function is released; then as
    /// `_POP_FRAME` (the value, boxed or not, moves to the caller's stack).
    POP_FRAME_CLEAN = "_POP_FRAME_CLEAN",
    /// `_BINARY_OP_FLOAT_INT_UNBOXED 2` (`*`): the unboxed float `x` under
    /// the small int `n` on top; pop both and push the bits of
    /// `x * float(n)` (never leaves).
    FLOAT_INT_MULTIPLY_UNBOXED = "_FLOAT_INT_MULTIPLY_UNBOXED",
    /// `_BINARY_OP_FLOAT_INT_UNBOXED 2 | 8`: the small int `n` under the
    /// unboxed float `x` on top (float_poly's `i * h`); pop both and push
    /// the bits of `float(n) * x` (never leaves).
    INT_FLOAT_MULTIPLY_UNBOXED = "_INT_FLOAT_MULTIPLY_UNBOXED",
}

/// The pattern of the s7-float uops of unboxed float expressions and float
/// list items (`_FLOAT_*_LOCALS`, `_FLOAT_*_TOS_*`, `_GUARD_FLOAT_*UNBOXED`,
/// `_*ITEM_FLOAT_*_IDX`, `_FLOAT_SQRT_UNBOXED`): the set the `float_exprs`
/// templates build, `float_fuse::interpret` runs and the list-proof pass
/// keeps local facts across. A macro so that exhaustive matches (the
/// template dispatch) can use it as a pattern; elsewhere use
/// [`Uop::is_float_expr`].
#[macro_export]
macro_rules! float_expr_uops {
    () => {
        $crate::uop::Uop::FLOAT_ADD_LOCALS
            | $crate::uop::Uop::FLOAT_SUBTRACT_LOCALS
            | $crate::uop::Uop::FLOAT_MULTIPLY_LOCALS
            | $crate::uop::Uop::FLOAT_ADD_TOS_LOCAL
            | $crate::uop::Uop::FLOAT_SUBTRACT_TOS_LOCAL
            | $crate::uop::Uop::FLOAT_MULTIPLY_TOS_LOCAL
            | $crate::uop::Uop::FLOAT_ADD_TOS_CONST
            | $crate::uop::Uop::FLOAT_SUBTRACT_TOS_CONST
            | $crate::uop::Uop::FLOAT_MULTIPLY_TOS_CONST
            | $crate::uop::Uop::GUARD_FLOAT_UNBOXED
            | $crate::uop::Uop::GUARD_FLOAT_CONST_UNBOXED
            | $crate::uop::Uop::LIST_ITEM_FLOAT_LOCAL_IDX
            | $crate::uop::Uop::LIST_ITEM_FLOAT_KNOWN_IDX
            | $crate::uop::Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX
            | $crate::uop::Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX
            | $crate::uop::Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX
            | $crate::uop::Uop::FLOAT_SQRT_UNBOXED
            | $crate::uop::Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX
            | $crate::uop::Uop::INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX
            | $crate::uop::Uop::FLOAT_INT_TRUE_DIVIDE_UNBOXED
            | $crate::uop::Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS
            | $crate::uop::Uop::CHECK_FLOAT_ITEMS_IDX
            | $crate::uop::Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX
            | $crate::uop::Uop::FLOAT_ADD_NOS_STORE_LOCAL
            | $crate::uop::Uop::FLOAT_SUBTRACT_NOS_STORE_LOCAL
            | $crate::uop::Uop::FLOAT_INT_MULTIPLY_UNBOXED
            | $crate::uop::Uop::INT_FLOAT_MULTIPLY_UNBOXED
    };
}

impl Uop {
    /// A native call of a function-entry executor (`_CALL_EXECUTOR` or its
    /// proven-callee forms `_CALL_EXECUTOR_KNOWN`, `_CALL_EXECUTOR_ARGS_n`).
    pub const fn is_native_call(self) -> bool {
        matches!(
            self,
            Uop::CALL_EXECUTOR
                | Uop::CALL_EXECUTOR_KNOWN
                | Uop::CALL_EXECUTOR_ARGS_1
                | Uop::CALL_EXECUTOR_ARGS_2
                | Uop::CALL_EXECUTOR_ARGS_3
                | Uop::CALL_EXECUTOR_LEAF_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_2
        )
    }

    /// The number of arguments (and locals) a `_CALL_EXECUTOR_ARGS_n`
    /// (or `_CALL_EXECUTOR_LEAF_*`) copies, or `None` for any other uop.
    pub const fn fixed_call_args(self) -> Option<u32> {
        match self {
            Uop::CALL_EXECUTOR_ARGS_1
            | Uop::CALL_EXECUTOR_LEAF_1
            | Uop::CALL_EXECUTOR_LEAF_ANY_1 => Some(1),
            Uop::CALL_EXECUTOR_ARGS_2 | Uop::CALL_EXECUTOR_LEAF_ANY_2 => Some(2),
            Uop::CALL_EXECUTOR_ARGS_3 => Some(3),
            _ => None,
        }
    }

    /// A native call that may answer its callee's base case itself
    /// (`_CALL_EXECUTOR_LEAF_1`, `_CALL_EXECUTOR_LEAF_ANY_n`).
    pub const fn is_leaf_call(self) -> bool {
        matches!(
            self,
            Uop::CALL_EXECUTOR_LEAF_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_1
                | Uop::CALL_EXECUTOR_LEAF_ANY_2
        )
    }

    /// The `_CALL_EXECUTOR_ARGS_n` copying `n` arguments, if there is one.
    pub const fn call_executor_args(n: u32) -> Option<Uop> {
        match n {
            1 => Some(Uop::CALL_EXECUTOR_ARGS_1),
            2 => Some(Uop::CALL_EXECUTOR_ARGS_2),
            3 => Some(Uop::CALL_EXECUTOR_ARGS_3),
            _ => None,
        }
    }

    /// One of the s7-float uops [`float_expr_uops!`](crate::float_expr_uops)
    /// names.
    pub const fn is_float_expr(self) -> bool {
        matches!(self, crate::float_expr_uops!())
    }

    /// The push of an inlined callee's frame (`_PUSH_FRAME` or its
    /// proven-callee forms `_PUSH_FRAME_KNOWN`, `_PUSH_FRAME_ARGS_n`).
    pub const fn is_frame_push(self) -> bool {
        matches!(
            self,
            Uop::PUSH_FRAME
                | Uop::PUSH_FRAME_KNOWN
                | Uop::PUSH_FRAME_ARGS_1
                | Uop::PUSH_FRAME_ARGS_2
                | Uop::PUSH_FRAME_ARGS_3
        )
    }

    /// The `_PUSH_FRAME_ARGS_n` moving `n` arguments, if there is one.
    pub const fn push_frame_args(n: u32) -> Option<Uop> {
        match n {
            1 => Some(Uop::PUSH_FRAME_ARGS_1),
            2 => Some(Uop::PUSH_FRAME_ARGS_2),
            3 => Some(Uop::PUSH_FRAME_ARGS_3),
            _ => None,
        }
    }

    /// The number of arguments (and locals) a `_PUSH_FRAME_ARGS_n` moves,
    /// or `None` for any other uop.
    pub const fn fixed_push_args(self) -> Option<u32> {
        match self {
            Uop::PUSH_FRAME_ARGS_1 => Some(1),
            Uop::PUSH_FRAME_ARGS_2 => Some(2),
            Uop::PUSH_FRAME_ARGS_3 => Some(3),
            _ => None,
        }
    }

    /// The return from an inlined callee's frame (`_POP_FRAME` or
    /// `_POP_FRAME_CLEAN`).
    pub const fn is_frame_pop(self) -> bool {
        matches!(self, Uop::POP_FRAME | Uop::POP_FRAME_CLEAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_expr_uops_are_float_uops() {
        let set = Uop::ALL.iter().filter(|u| u.is_float_expr());
        assert_eq!(set.clone().count(), 32);
        assert!(set.clone().all(|u| u.name().contains("FLOAT")));
        assert!(!Uop::BINARY_OP_ADD_FLOAT.is_float_expr());
    }

    #[test]
    fn names_round_trip_and_indices_are_dense() {
        for (i, u) in Uop::ALL.iter().enumerate() {
            assert_eq!(*u as usize, i);
            assert_eq!(Uop::from_name(u.name()), Some(*u));
            assert!(u.name().starts_with('_'));
        }
        assert_eq!(Uop::from_name("_NO_SUCH_UOP"), None);
    }
}
