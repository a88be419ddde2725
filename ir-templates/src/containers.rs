//! Templates of the container and string uops of session 7
//! (`_BUILD_LIST`, `_CALL_LEN`): what used to be a generic step or a
//! builtin call through the runtime's dispatch, done inline or through one
//! narrow helper; and of session 8 (`_GUARD_CELL_BOUND`,
//! `_BINARY_SUBSCR_DICT_CELL_LOCAL`, `_INPLACE_ADD_DICT_ITEM_CELL_CONST`):
//! dict reads and counter updates of a closure cell's dict, in place.

use cpjit_abi::layout::{kind, CellObj, DictEntry, DictHead, ListObj, ObjHeader, TupleObj};
use cpjit_abi::uop::Uop;
use inkwell::IntPredicate;

use crate::builder::{Exit, StencilBuilder};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// Builds `uop`, one of this module's.
pub(crate) fn build(uop: Uop, s: &mut B<'_, '_>) -> R {
    match uop {
        Uop::BUILD_LIST => build_list(s),
        Uop::CALL_LEN => call_len(s),
        Uop::GUARD_CELL_BOUND => guard_cell_bound(s),
        Uop::BINARY_SUBSCR_DICT_CELL_LOCAL => binary_subscr_dict_cell_local(s),
        Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST => inplace_add_dict_item_cell_const(s),
        _ => Err(TemplateError::Signature),
    }
}

/// `BUILD_LIST n`: the top `n` values become a list (the helper takes their
/// references).
fn build_list(s: &mut B) -> R {
    build_from_stack(s, "cpjit_build_list")
}

/// The top `n` (oparg) values become the one object `helper(base, n)` makes
/// from them (the helper takes their references): `BUILD_LIST` and
/// `BUILD_TUPLE`.
pub(crate) fn build_from_stack(s: &mut B, helper: &str) -> R {
    let n = s.oparg()?;
    let neg = s.llvm().build_int_neg(n, "neg")?;
    let base = s.word_at(s.sp, neg)?;
    let made = s
        .call_helper(helper, Some(s.i64().into()), &[base.into(), n.into()])?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    s.llvm().build_store(base, made)?;
    s.sp = s.word_at(base, s.const_i64(1))?;
    s.continue_at(Exit::Continue)
}

/// `len(x)` with `[callable, NULL, x]` on the stack: a list's or tuple's
/// length inline, any other object's from `cpjit_len` (0: exit, stack
/// unchanged).
fn call_len(s: &mut B) -> R {
    let (callable, null, x) = (s.peek(3)?, s.peek(2)?, s.peek(1)?);
    let b = s.llvm();
    let same = b.build_int_compare(IntPredicate::EQ, callable, s.operand()?, "is_len")?;
    let no_self = b.build_int_compare(IntPredicate::EQ, null, s.const_i64(0), "no_self")?;
    let ok = b.build_and(same, no_self, "ok")?;
    s.guard(ok, Exit::JumpTarget)?;
    // A small int has no length: the helper declines it (and reads no
    // header); every other value is an object here.
    let is_int = s.is_small_int(x)?;
    let is_obj = s.llvm().build_not(is_int, "is_obj")?;
    let clean = s.llvm().build_and(x, s.const_i64(-2), "clean")?;
    let obj = s.object(clean)?;
    let sized = s.new_block("sized");
    let other = s.new_block("other");
    let kind_bb = s.new_block("kind");
    s.llvm().build_conditional_branch(is_obj, kind_bb, other)?;
    s.llvm().position_at_end(kind_bb);
    let k = s
        .load_field(obj, &ObjHeader::DESC, "kind")?
        .into_int_value();
    let k_ty = k.get_type();
    let is_list = s.llvm().build_int_compare(
        IntPredicate::EQ,
        k,
        k_ty.const_int(kind::LIST as u64, false),
        "is_list",
    )?;
    let is_tuple = s.llvm().build_int_compare(
        IntPredicate::EQ,
        k,
        k_ty.const_int(kind::TUPLE as u64, false),
        "is_tuple",
    )?;
    let seq = s.llvm().build_or(is_list, is_tuple, "seq")?;
    s.llvm().build_conditional_branch(seq, sized, other)?;
    let sp = s.sp;
    s.llvm().position_at_end(sized);
    let tuple_len = s.field_ptr(obj, &TupleObj::DESC, "len")?;
    let list_len = s.field_ptr(obj, &ListObj::DESC, "len")?;
    let len_ptr = s
        .llvm()
        .build_select(is_tuple, tuple_len, list_len, "len_ptr")?
        .into_pointer_value();
    let len = s
        .llvm()
        .build_load(s.intptr(), len_ptr, "len")?
        .into_int_value();
    let len = if len.get_type().get_bit_width() == 64 {
        len
    } else {
        s.llvm().build_int_s_extend(len, s.i64(), "len64")?
    };
    let r = s.encode_int(len)?;
    finish_len(s, callable, x, r)?;
    s.sp = sp;
    s.llvm().position_at_end(other);
    let r = s
        .call_helper("cpjit_len", Some(s.i64().into()), &[x.into()])?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let ok = s
        .llvm()
        .build_int_compare(IntPredicate::NE, r, s.const_i64(0), "measured")?;
    s.guard(ok, Exit::JumpTarget)?;
    finish_len(s, callable, x, r)
}

/// Replaces `[callable, NULL, x]` by the length `r` and releases `x` and
/// the callable.
fn finish_len<'ctx>(
    s: &mut B<'ctx, '_>,
    callable: inkwell::values::IntValue<'ctx>,
    x: inkwell::values::IntValue<'ctx>,
    r: inkwell::values::IntValue<'ctx>,
) -> R {
    s.drop_values(3)?;
    s.push(r)?;
    s.decref(x)?;
    s.decref_obj(callable)?;
    s.continue_at(Exit::Continue)
}

// ----- s8-containers -----

/// The value of the cell `localsplus[oparg]` (NULL when empty).
fn cell_value<'ctx>(s: &B<'ctx, '_>) -> Result<inkwell::values::IntValue<'ctx>, TemplateError> {
    let cell = crate::uops::cell_at_oparg(s)?;
    Ok(s.load_field(cell, &CellObj::DESC, "value")?
        .into_int_value())
}

/// `_GUARD_CELL_BOUND`: leaves (a `_LOAD_DEREF`'s exit) when the cell is
/// empty.
fn guard_cell_bound(s: &mut B) -> R {
    let value = cell_value(s)?;
    let bound = s
        .llvm()
        .build_int_compare(IntPredicate::NE, value, s.const_i64(0), "bound")?;
    s.guard(bound, Exit::JumpTarget)?;
    s.continue_at(Exit::Continue)
}

/// `_BINARY_SUBSCR_DICT_CELL_LOCAL`: `cell[local]` without taking
/// references to the dict and the key; the table's probe inline, then
/// `cpjit_dict_lookup`; a miss pushes both (new references) and leaves
/// through the subscript's exit.
fn binary_subscr_dict_cell_local(s: &mut B) -> R {
    let c = cell_value(s)?;
    let k = s.load_operand_local("key")?;
    crate::uops::with_probe_hit(s, c, k, |s, entry| {
        let v = s
            .load_field(entry, &DictEntry::DESC, "value")?
            .into_int_value();
        s.incref(v)?;
        s.push(v)?;
        s.continue_at(Exit::Continue)
    })?;
    let v = s
        .call_helper(
            "cpjit_dict_lookup",
            Some(s.i64().into()),
            &[c.into(), k.into()],
        )?
        .ok_or(TemplateError::Signature)?
        .into_int_value();
    let found = s
        .llvm()
        .build_int_compare(IntPredicate::NE, v, s.const_i64(0), "found")?;
    let miss = s.push_and_exit_block(|s| {
        s.incref(c)?;
        s.push(c)?;
        s.incref(k)?;
        s.push(k)
    })?;
    s.guard_or_branch(found, Some(miss))?;
    s.push(v)?;
    s.continue_at(Exit::Continue)
}

/// `_INPLACE_ADD_DICT_ITEM_CELL_CONST`: `cell[key] += delta` on a small
/// int value of an unwatched dict, found inline, written in place; every
/// other case pushes `[dict, key, dict, key]` and leaves through the
/// subscript's exit, having changed nothing.
fn inplace_add_dict_item_cell_const(s: &mut B) -> R {
    let oparg = s.oparg()?;
    let b = s.llvm();
    let slot_index = b.build_and(oparg, s.const_i64(0xffff), "slot_index")?;
    // `delta` is the i16 in bits 16..32; `2 * delta` adds it to a tagged int.
    let high = b.build_left_shift(oparg, s.const_i64(32), "high")?;
    let delta = b.build_right_shift(high, s.const_i64(48), true, "delta")?;
    let delta2 = b.build_left_shift(delta, s.const_i64(1), "delta2")?;
    let slot = s.local_slot(slot_index)?;
    let cell = s.llvm().build_load(s.i64(), slot, "cell")?.into_int_value();
    let cell = s.llvm().build_int_to_ptr(cell, s.ptr(), "cell_obj")?;
    let c = s
        .load_field(cell, &CellObj::DESC, "value")?
        .into_int_value();
    let k = s.operand()?;
    crate::uops::with_probe_hit(s, c, k, |s, entry| {
        let d = s.llvm().build_int_to_ptr(c, s.ptr(), "dict")?;
        let watched = s
            .load_field(d, &DictHead::DESC, "watched")?
            .into_int_value();
        let quiet =
            s.llvm()
                .build_int_compare(IntPredicate::EQ, watched, s.const_i64(0), "quiet")?;
        s.if_then(quiet, |s| {
            let value = s.field_ptr(entry, &DictEntry::DESC, "value")?;
            let v = s.llvm().build_load(s.i64(), value, "v")?.into_int_value();
            let is_int = s.is_small_int(v)?;
            s.if_then(is_int, |s| {
                let (sum, over) = s.with_overflow("sadd", v, delta2)?;
                let fits = s.llvm().build_not(over, "fits")?;
                s.if_then(fits, |s| {
                    s.llvm().build_store(value, sum)?;
                    s.continue_at(Exit::Continue)
                })
            })
        })
    })?;
    for v in [c, k, c, k] {
        s.incref(v)?;
        s.push(v)?;
    }
    s.continue_at(Exit::JumpTarget)
}
