//! Templates of the float uops `src/vm/tier2/float_fuse.rs` makes (session
//! 7): float `+ - *` reading an operand in place (a local known to hold a
//! float, or a constant) instead of from a pushed stack word; a float
//! compare and its branch guard in one; float list items read and written
//! by an untagged constant index, with the list's checks left out when the
//! optimizer proved the local holds a list; and `x ** 0.5` as a square
//! root where that is exactly what `cpjit_float_pow` returns.

use cpjit_abi::layout::{kind, ListObj};
use cpjit_abi::uop::Uop;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{FloatValue, IntValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};

use crate::builder::{Exit, StencilBuilder};
use crate::uops::{
    bits, float_value, guard_kind_or, if_unique_float, store_unboxed_float_item, unboxed,
};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// A float operation of this module.
#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
}

/// Where the right operand of a fused float operation comes from.
#[derive(Clone, Copy)]
enum Right {
    /// `localsplus[operand]`; the left one is `localsplus[oparg]` (pushes).
    Locals,
    /// `localsplus[oparg]`; the left one is the top (replaced).
    Local,
    /// The bits `operand`; the left one is the top (replaced).
    Const,
}

/// Builds `uop`, one of this module's.
pub(crate) fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    match uop {
        Uop::FLOAT_ADD_LOCALS => float_op(s, Op::Add, Right::Locals),
        Uop::FLOAT_SUBTRACT_LOCALS => float_op(s, Op::Sub, Right::Locals),
        Uop::FLOAT_MULTIPLY_LOCALS => float_op(s, Op::Mul, Right::Locals),
        Uop::FLOAT_ADD_TOS_LOCAL => float_op(s, Op::Add, Right::Local),
        Uop::FLOAT_SUBTRACT_TOS_LOCAL => float_op(s, Op::Sub, Right::Local),
        Uop::FLOAT_MULTIPLY_TOS_LOCAL => float_op(s, Op::Mul, Right::Local),
        Uop::FLOAT_ADD_TOS_CONST => float_op(s, Op::Add, Right::Const),
        Uop::FLOAT_SUBTRACT_TOS_CONST => float_op(s, Op::Sub, Right::Const),
        Uop::FLOAT_MULTIPLY_TOS_CONST => float_op(s, Op::Mul, Right::Const),
        Uop::GUARD_FLOAT_UNBOXED => guard_float(s, false),
        Uop::GUARD_FLOAT_CONST_UNBOXED => guard_float(s, true),
        Uop::LIST_ITEM_FLOAT_LOCAL_IDX => item_read(s, false, 1),
        Uop::LIST_ITEM_FLOAT_KNOWN_IDX => item_read(s, true, 1),
        Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX => item_read(s, false, 2),
        Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX => item_read(s, true, 2),
        Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX => item_store(s),
        Uop::FLOAT_SQRT_UNBOXED => sqrt(s),
        // ----- s8-float -----
        Uop::STORE_FAST_UNBOXED_FLOAT_KNOWN => store_known_float(s),
        Uop::INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX => item_update(s, Op::Add, true),
        Uop::INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX => item_update(s, Op::Sub, true),
        Uop::INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX => item_update(s, Op::Mul, true),
        Uop::INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX => item_update(s, Op::Add, false),
        Uop::INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX => item_update(s, Op::Sub, false),
        Uop::INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX => item_update(s, Op::Mul, false),
        Uop::FLOAT_INT_TRUE_DIVIDE_UNBOXED => float_int_divide(s),
        // ----- s9-float -----
        Uop::FLOAT_INT_MULTIPLY_UNBOXED => float_int_multiply(s, true),
        Uop::INT_FLOAT_MULTIPLY_UNBOXED => float_int_multiply(s, false),
        Uop::LIST_ITEM_FLOAT_KNOWN_LOCALS => item_read_known_locals(s),
        Uop::CHECK_FLOAT_ITEMS_IDX => check_float_items(s),
        Uop::LIST_ITEM_FLOAT_UNCHECKED_IDX => item_read_unchecked(s),
        Uop::FLOAT_ADD_NOS_STORE_LOCAL => nos_store_local(s, Op::Add),
        Uop::FLOAT_SUBTRACT_NOS_STORE_LOCAL => nos_store_local(s, Op::Sub),
        _ => Err(TemplateError::Signature),
    }
}

/// The float in `localsplus[oparg]` (`operand` when `by_operand`; known
/// to hold a float).
fn local_float<'ctx>(s: &B<'ctx, '_>, by_operand: bool) -> Result<FloatValue<'ctx>, TemplateError> {
    let v = if by_operand {
        s.load_operand_local("local")?
    } else {
        s.load_oparg_local("local")?
    };
    float_value(s, v)
}

fn arith<'ctx>(
    s: &B<'ctx, '_>,
    op: Op,
    x: FloatValue<'ctx>,
    y: FloatValue<'ctx>,
) -> Result<FloatValue<'ctx>, TemplateError> {
    let b = s.llvm();
    Ok(match op {
        Op::Add => b.build_float_add(x, y, "r")?,
        Op::Sub => b.build_float_sub(x, y, "r")?,
        Op::Mul => b.build_float_mul(x, y, "r")?,
    })
}

fn float_op(s: &mut B, op: Op, right: Right) -> R {
    match right {
        Right::Locals => {
            let x = local_float(s, false)?;
            let y = local_float(s, true)?;
            let r = arith(s, op, x, y)?;
            s.push(bits(s, r)?)?;
        }
        Right::Local | Right::Const => {
            let x = unboxed(s, s.peek(1)?)?;
            let y = match right {
                Right::Local => local_float(s, false)?,
                _ => unboxed(s, s.operand()?)?,
            };
            let r = arith(s, op, x, y)?;
            s.drop_values(1)?;
            s.push(bits(s, r)?)?;
        }
    }
    s.continue_at(Exit::Continue)
}

/// Pops `x, y` (or `x`, `y` the constant `operand`) and continues when the
/// outcome of comparing them (1 `<`, 2 `==`, 4 `>`, 8 unordered) is in
/// the mask `oparg`; else leaves through `_JIT_JUMP_TARGET`.
fn guard_float(s: &mut B, constant: bool) -> R {
    let (x, y) = if constant {
        let xv = s.pop()?;
        (unboxed(s, xv)?, unboxed(s, s.operand()?)?)
    } else {
        let yv = s.pop()?;
        let xv = s.pop()?;
        (unboxed(s, xv)?, unboxed(s, yv)?)
    };
    let b = s.llvm();
    let outcome = |p: FloatPredicate, bit: i64, name: &str| -> Result<IntValue, TemplateError> {
        let c = b.build_float_compare(p, x, y, name)?;
        let w = b.build_int_z_extend(c, s.i64(), "wide")?;
        Ok(b.build_left_shift(w, s.const_i64(bit), "bit")?)
    };
    let lt = outcome(FloatPredicate::OLT, 0, "lt")?;
    let eq = outcome(FloatPredicate::OEQ, 1, "eq")?;
    let gt = outcome(FloatPredicate::OGT, 2, "gt")?;
    let uno = outcome(FloatPredicate::UNO, 3, "uno")?;
    let b = s.llvm();
    let o = b.build_or(lt, eq, "o1")?;
    let o = b.build_or(o, gt, "o2")?;
    let o = b.build_or(o, uno, "outcome")?;
    let hit = b.build_and(o, s.oparg()?, "hit")?;
    let ok = b.build_int_compare(IntPredicate::NE, hit, s.const_i64(0), "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// The list in `localsplus[oparg]` and the slot of item `operand` (an
/// untagged non-negative index), leaving through `fail` unless it is a
/// list (when not `known`) and the index in bounds.
fn item_slot<'ctx>(
    s: &mut B<'ctx, '_>,
    list: IntValue<'ctx>,
    known: bool,
    fail: Option<BasicBlock<'ctx>>,
) -> Result<PointerValue<'ctx>, TemplateError> {
    if !known {
        guard_kind_or(s, list, kind::LIST, fail)?;
    }
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let len = crate::uops::list_len_i64(s, obj)?;
    let i = s.operand()?;
    let in_bounds = s
        .llvm()
        .build_int_compare(IntPredicate::ULT, i, len, "in_bounds")?;
    s.guard_or_branch(in_bounds, fail)?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    s.word_at(items, i)
}

/// Pushes the `f64` bits of float item `operand` of the list in
/// `localsplus[oparg]`; a failed check pushes the list and the tagged
/// index `pushes` times (new references) and leaves for the exit.
fn item_read(s: &mut B, known: bool, pushes: usize) -> R {
    let list = s.load_oparg_local("list")?;
    let fail = list_read_exit(s, list, 0, pushes, |s| s.operand())?;
    let slot = item_slot(s, list, known, Some(fail))?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_float_item(s, item, fail)?;
    let f = float_value(s, item)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}

/// Branches to `fail` unless the list item `item` is a float (list items
/// are never NULL: the tag and the kind decide).
fn guard_float_item<'ctx>(s: &B<'ctx, '_>, item: IntValue<'ctx>, fail: BasicBlock<'ctx>) -> R {
    let is_obj = s.llvm().build_not(s.is_small_int(item)?, "is_obj")?;
    s.guard_or_branch(is_obj, Some(fail))?;
    let obj = s.llvm().build_int_to_ptr(item, s.ptr(), "item_obj")?;
    let k = s
        .load_field(obj, &cpjit_abi::layout::ObjHeader::DESC, "kind")?
        .into_int_value();
    let is_float = s.llvm().build_int_compare(
        IntPredicate::EQ,
        k,
        s.i32().const_int(u64::from(kind::FLOAT), false),
        "is_float",
    )?;
    s.guard_or_branch(is_float, Some(fail))
}

/// `localsplus[oparg][operand] = v` for the unboxed `v` on top, after the
/// `_INPLACE_LOAD_ITEM_FLOAT_*_IDX` of the same list and index checked
/// them (nothing between can change them).
fn item_store(s: &mut B) -> R {
    let value = s.pop()?;
    let list = s.load_oparg_local("list")?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, s.operand()?)?;
    store_unboxed_float_item(s, slot, value)
}

/// Bits of the smallest positive normal double.
const MIN_NORMAL: i64 = 0x0010_0000_0000_0000;
/// Positive normal doubles' bits are `MIN_NORMAL + [0, NORMAL_SPAN)`.
const NORMAL_SPAN: i64 = 0x7FE0_0000_0000_0000;
const FRACTION: i64 = 0x000F_FFFF_FFFF_FFFF;
const HIDDEN: i64 = 0x0010_0000_0000_0000;

/// `x ** 0.5` for the unboxed `x` on top: `sqrt(x)` when the exact root
/// lies more than 1/8 ulp from a rounding midpoint (so `pow`, whose error
/// before rounding is far below that, rounds to the same double); else
/// `cpjit_float_pow(x, operand)`, leaving with `operand` pushed when that
/// is NaN. The same test as `float_fuse::sqrt_if_exact`, in integers: with
/// `s = ms * 2^e` and the midpoint above it `(2ms + 1) * 2^(e-1)`,
/// `d = (2ms + 1)^2 - x / 2^(2e-2)` lies in `(0, 8ms)` (exactly, in
/// wrapping 64-bit arithmetic) and the root's distance from that midpoint is
/// `d / 8ms` ulp, from the one below `1 - d / 8ms`.
fn sqrt(s: &mut B) -> R {
    let xb = s.peek(1)?;
    let x = unboxed(s, xb)?;
    let f64t = s.ctx().f64_type();
    let decl = inkwell::intrinsics::Intrinsic::find("llvm.sqrt")
        .and_then(|i| i.get_declaration(s.module(), &[f64t.into()]))
        .ok_or_else(|| TemplateError::MissingIntrinsic("llvm.sqrt".into()))?;
    let b = s.llvm();
    let root = b
        .build_call(decl, &[x.into()], "root")?
        .try_as_basic_value()
        .basic()
        .ok_or(TemplateError::Signature)?
        .into_float_value();
    let sb = bits(s, root)?;
    let c = |v: i64| s.const_i64(v);
    let rel = b.build_int_sub(xb, c(MIN_NORMAL), "rel")?;
    let normal = b.build_int_compare(IntPredicate::ULT, rel, c(NORMAL_SPAN), "normal")?;
    let frac_s = b.build_and(sb, c(FRACTION), "frac_s")?;
    let not_pow2 = b.build_int_compare(IntPredicate::NE, frac_s, c(0), "not_pow2")?;
    let ms = b.build_or(frac_s, c(HIDDEN), "ms")?;
    let mx = b.build_and(xb, c(FRACTION), "frac_x")?;
    let mx = b.build_or(mx, c(HIDDEN), "mx")?;
    let es = b.build_right_shift(sb, c(52), false, "es")?;
    let ex = b.build_right_shift(xb, c(52), false, "ex")?;
    let twice_es = b.build_left_shift(es, c(1), "twice_es")?;
    let k = b.build_int_sub(ex, twice_es, "k0")?;
    let k = b.build_int_add(k, c(1077), "k")?;
    // A normal x gives k in 53..=56; anything else takes the slow path.
    let k_ok = b.build_int_compare(IntPredicate::ULT, k, c(64), "k_ok")?;
    let k = b.build_and(k, c(63), "k63")?;
    let m = b.build_left_shift(ms, c(1), "two_ms")?;
    let m = b.build_or(m, c(1), "m")?;
    let m2 = b.build_int_mul(m, m, "m2")?;
    let xs = b.build_left_shift(mx, k, "xs")?;
    let d = b.build_int_sub(m2, xs, "d")?;
    let eight_ms = b.build_left_shift(ms, c(3), "eight_ms")?;
    let hi = b.build_int_sub(eight_ms, ms, "hi")?;
    let above = b.build_int_compare(IntPredicate::UGT, d, ms, "above")?;
    let below = b.build_int_compare(IntPredicate::ULT, d, hi, "below")?;
    let ok = b.build_and(normal, not_pow2, "ok0")?;
    let ok = b.build_and(ok, k_ok, "ok1")?;
    let ok = b.build_and(ok, above, "ok2")?;
    let ok = b.build_and(ok, below, "fast")?;
    let sp = s.sp;
    s.if_else(
        ok,
        |s| {
            s.drop_values(1)?;
            s.push(sb)?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            let half = s.operand()?;
            let r = s
                .call_helper(
                    "cpjit_float_pow",
                    Some(s.i64().into()),
                    &[xb.into(), half.into()],
                )?
                .ok_or(TemplateError::Signature)?
                .into_int_value();
            let rf = unboxed(s, r)?;
            let is_nan = s
                .llvm()
                .build_float_compare(FloatPredicate::UNO, rf, rf, "nan")?;
            let fail = s.push_and_exit_block(|s| s.push(half))?;
            s.guard_or_branch(s.llvm().build_not(is_nan, "not_nan")?, Some(fail))?;
            s.drop_values(1)?;
            s.push(r)?;
            s.continue_at(Exit::Continue)
        },
    )?;
    s.sp = sp;
    Ok(())
}

// ----- s8-float -----

/// Stores the unboxed `value` into the float box `old` (the value of
/// `slot`, known to be a float) when nothing else references it, else a
/// new box into `slot`, releasing `old`; then continues.
fn store_into_float<'ctx>(
    s: &mut B<'ctx, '_>,
    slot: PointerValue<'ctx>,
    old: IntValue<'ctx>,
    value: IntValue<'ctx>,
) -> R {
    let obj = s.llvm().build_int_to_ptr(old, s.ptr(), "old_obj")?;
    let rc = s
        .load_field(obj, &cpjit_abi::layout::ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let unique = s.llvm().build_int_compare(
        IntPredicate::EQ,
        rc,
        rc.get_type().const_int(1, false),
        "unique",
    )?;
    let sp = s.sp;
    s.if_then(unique, |s| {
        let f = unboxed(s, value)?;
        s.store_field(obj, &cpjit_abi::layout::FloatObj::DESC, "value", f)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    let boxed = s.box_float(value)?;
    s.llvm().build_store(slot, boxed)?;
    s.decref(old)?;
    s.continue_at(Exit::Continue)
}

/// `_STORE_FAST_UNBOXED_FLOAT` into `localsplus[oparg]`, known to hold a float.
fn store_known_float(s: &mut B) -> R {
    let value = s.pop()?;
    let slot = s.oparg_local_slot()?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    store_into_float(s, slot, old, value)
}

/// The exit block of a failed list-item check: drops `drop` values, then
/// pushes the list `list` and the tagged index `index(s)` (untagged, built
/// in the block) `pushes` times (new references), as the list read the uop
/// stands for would have, and leaves through `_JIT_JUMP_TARGET`.
fn list_read_exit<'ctx, 'a>(
    s: &mut B<'ctx, 'a>,
    list: IntValue<'ctx>,
    drop: u64,
    pushes: usize,
    index: impl FnOnce(&mut B<'ctx, 'a>) -> Result<IntValue<'ctx>, TemplateError>,
) -> Result<BasicBlock<'ctx>, TemplateError> {
    s.push_and_exit_block(|s| {
        if drop > 0 {
            s.drop_values(drop)?;
        }
        let index = index(s)?;
        let index = s.encode_int(index)?;
        for _ in 0..pushes {
            s.incref(list)?;
            s.push(list)?;
            s.push(index)?;
        }
        Ok(())
    })
}

/// `lst[operand] op= x` for the unboxed `x` on top (`lst` in
/// `localsplus[oparg]`, checked to be a list unless `known`): a failed
/// check drops `x` and pushes the list and the tagged index twice (new
/// references), as the read the uop stands for would have, and leaves.
fn item_update(s: &mut B, op: Op, known: bool) -> R {
    let x = unboxed(s, s.peek(1)?)?;
    let list = s.load_oparg_local("list")?;
    let fail = list_read_exit(s, list, 1, 2, |s| s.operand())?;
    let slot = item_slot(s, list, known, Some(fail))?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_float_item(s, item, fail)?;
    let f = float_value(s, item)?;
    let r = arith(s, op, f, x)?;
    s.drop_values(1)?;
    let r = bits(s, r)?;
    store_into_float(s, slot, item, r)
}

/// The unboxed float under the small int on top divided by it; a zero
/// divisor leaves through `_JIT_JUMP_TARGET` with the stack unchanged.
fn float_int_divide(s: &mut B) -> R {
    let x = unboxed(s, s.peek(2)?)?;
    let n = s.peek(1)?;
    // The small int 0 is the word 1.
    let nonzero = s
        .llvm()
        .build_int_compare(IntPredicate::NE, n, s.const_i64(1), "nonzero")?;
    s.guard(nonzero, Exit::JumpTarget)?;
    let f64t = s.ctx().f64_type();
    let y = s
        .llvm()
        .build_signed_int_to_float(s.decode_int(n)?, f64t, "divisor")?;
    let r = s.llvm().build_float_div(x, y, "quotient")?;
    s.drop_values(2)?;
    s.push(bits(s, r)?)?;
    s.continue_at(Exit::Continue)
}

/// `_FLOAT_INT_MULTIPLY_UNBOXED` (`int_on_top`: the small int on top of
/// the unboxed float) and `_INT_FLOAT_MULTIPLY_UNBOXED` (the float on
/// top): pops both and pushes the product, the int converted as tier 1
/// converts it (rounded to nearest).
fn float_int_multiply(s: &mut B, int_on_top: bool) -> R {
    let (x, n) = if int_on_top {
        (unboxed(s, s.peek(2)?)?, s.peek(1)?)
    } else {
        (unboxed(s, s.peek(1)?)?, s.peek(2)?)
    };
    let f64t = s.ctx().f64_type();
    let y = s
        .llvm()
        .build_signed_int_to_float(s.decode_int(n)?, f64t, "int")?;
    let r = if int_on_top {
        s.llvm().build_float_mul(x, y, "product")?
    } else {
        s.llvm().build_float_mul(y, x, "product")?
    };
    s.drop_values(2)?;
    s.push(bits(s, r)?)?;
    s.continue_at(Exit::Continue)
}

/// `_BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT` with `localsplus[oparg]`
/// known to be a list: pushes the `f64` bits of the item the small int
/// `localsplus[operand]` indexes (a negative index counts from the end);
/// another index, out of bounds or a non-float item pushes the list and the
/// index (new references) and leaves.
fn item_read_known_locals(s: &mut B) -> R {
    let list = s.load_oparg_local("list")?;
    let index = s.load_operand_local("index")?;
    let fail = s.push_and_exit_block(|s| {
        s.incref(list)?;
        s.push(list)?;
        s.incref(index)?;
        s.push(index)
    })?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let len = crate::uops::list_len_i64(s, obj)?;
    let is_int = s.is_small_int(index)?;
    s.guard_or_branch(is_int, Some(fail))?;
    let i = s.decode_int(index)?;
    let b = s.llvm();
    let neg = b.build_int_compare(IntPredicate::SLT, i, s.const_i64(0), "neg")?;
    let wrapped = b.build_int_add(i, len, "wrapped")?;
    let i = b.build_select(neg, wrapped, i, "i")?.into_int_value();
    // Unsigned: also rejects a still-negative index.
    let in_bounds = b.build_int_compare(IntPredicate::ULT, i, len, "in_bounds")?;
    s.guard_or_branch(in_bounds, Some(fail))?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, i)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_float_item(s, item, fail)?;
    let f = float_value(s, item)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}

/// Leaves through `fail` unless the list `obj` (of length `len`) has a
/// float at the untagged index `i`.
fn guard_float_item_at<'ctx>(
    s: &B<'ctx, '_>,
    obj: PointerValue<'ctx>,
    len: IntValue<'ctx>,
    i: IntValue<'ctx>,
    fail: BasicBlock<'ctx>,
) -> R {
    let in_bounds = s
        .llvm()
        .build_int_compare(IntPredicate::ULT, i, len, "in_bounds")?;
    s.guard_or_branch(in_bounds, Some(fail))?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, i)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    guard_float_item(s, item, fail)
}

/// `_CHECK_FLOAT_ITEMS_IDX`: the list in `localsplus[oparg]` has floats at
/// the untagged indices in the low and the high half of `operand`; else
/// the read of the low one's failure (the list and its tagged index twice).
fn check_float_items(s: &mut B) -> R {
    let list = s.load_oparg_local("list")?;
    let b = s.llvm();
    let c = b.build_and(s.operand()?, s.const_i64(0xffff_ffff), "c")?;
    let d = b.build_right_shift(s.operand()?, s.const_i64(32), false, "d")?;
    let fail = list_read_exit(s, list, 0, 2, |_| Ok(c))?;
    guard_kind_or(s, list, kind::LIST, Some(fail))?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let len = crate::uops::list_len_i64(s, obj)?;
    guard_float_item_at(s, obj, len, c, fail)?;
    guard_float_item_at(s, obj, len, d, fail)?;
    s.continue_at(Exit::Continue)
}

/// `_LIST_ITEM_FLOAT_UNCHECKED_IDX`: pushes the `f64` bits of item
/// `operand` of the list in `localsplus[oparg]` (checked before).
fn item_read_unchecked(s: &mut B) -> R {
    let list = s.load_oparg_local("list")?;
    let obj = s.llvm().build_int_to_ptr(list, s.ptr(), "list_obj")?;
    let items = s
        .load_field(obj, &ListObj::DESC, "items")?
        .into_pointer_value();
    let slot = s.word_at(items, s.operand()?)?;
    let item = s.llvm().build_load(s.i64(), slot, "item")?.into_int_value();
    let f = float_value(s, item)?;
    s.push(bits(s, f)?)?;
    s.continue_at(Exit::Continue)
}

/// `_FLOAT_<OP>_NOS_STORE_LOCAL`: `localsplus[oparg] = b op x` for the
/// unboxed `x` on top and the float `b` under it (released): into `b`'s
/// box when it is the local's value referenced only by the local and the
/// stack, else as `_STORE_FAST_UNBOXED_FLOAT` after releasing `b`.
fn nos_store_local(s: &mut B, op: Op) -> R {
    let x = unboxed(s, s.peek(1)?)?;
    let b = s.peek(2)?;
    let f = float_value(s, b)?;
    let r = arith(s, op, f, x)?;
    let r = bits(s, r)?;
    s.drop_values(2)?;
    let slot = s.oparg_local_slot()?;
    let old = s.llvm().build_load(s.i64(), slot, "old")?.into_int_value();
    let obj = s.llvm().build_int_to_ptr(b, s.ptr(), "nos_obj")?;
    let rc = s
        .load_field(obj, &cpjit_abi::layout::ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let llvm = s.llvm();
    let same = llvm.build_int_compare(IntPredicate::EQ, old, b, "same")?;
    let two = llvm.build_int_compare(
        IntPredicate::EQ,
        rc,
        rc.get_type().const_int(2, false),
        "two",
    )?;
    let fast = llvm.build_and(same, two, "fast")?;
    let sp = s.sp;
    s.if_then(fast, |s| {
        let rf = unboxed(s, r)?;
        s.store_field(obj, &cpjit_abi::layout::FloatObj::DESC, "value", rf)?;
        s.store_field(
            obj,
            &cpjit_abi::layout::ObjHeader::DESC,
            "refcnt",
            rc.get_type().const_int(1, false),
        )?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    s.decref_float(b)?;
    if_unique_float(s, old, |s, box_obj| {
        let rf = unboxed(s, r)?;
        s.store_field(box_obj, &cpjit_abi::layout::FloatObj::DESC, "value", rf)?;
        s.continue_at(Exit::Continue)
    })?;
    s.sp = sp;
    let boxed = s.box_float(r)?;
    s.llvm().build_store(slot, boxed)?;
    s.xdecref(old)?;
    s.continue_at(Exit::Continue)
}
