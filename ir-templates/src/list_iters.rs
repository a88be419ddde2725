//! List iterators without the runtime (s8-calls): `_GET_ITER_LIST` makes
//! the iterator of a list inline, and the iteration uops give an exhausted
//! iterator's memory back to the iterator free list inline
//! ([`free_exhausted`]), where both went through `cpjit_get_iter` and
//! `cpjit_dealloc` before. The free list is the runtime's
//! (`abi::layout::IterFreeList`, data symbol `cpjit_iter_free_list`).

use cpjit_abi::layout::{
    iter_tag, kind, IterFreeList, ListIterObj, ListIterState, ObjHeader, ITER_FREE_LIST_CAPACITY,
};
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;

use crate::builder::{Exit, StencilBuilder};
use crate::TemplateError;

type B<'ctx, 'a> = StencilBuilder<'ctx, 'a>;
type R = Result<(), TemplateError>;

/// The iterator free list and a pointer to its `len` field.
fn iter_free_list<'ctx>(
    s: &B<'ctx, '_>,
) -> Result<(PointerValue<'ctx>, PointerValue<'ctx>), TemplateError> {
    let addr = s.runtime_data("cpjit_iter_free_list")?;
    let fl = s.llvm().build_int_to_ptr(addr, s.ptr(), "iter_free_list")?;
    let len = s.field_ptr(fl, &IterFreeList::DESC, "len")?;
    Ok((fl, len))
}

/// `_GET_ITER_LIST`: unless the top is a list, continue at the jump
/// target (stack unchanged); else it becomes a list iterator at index 0
/// that takes the stack's reference to the list, its memory popped from
/// the iterator free list (or made by `cpjit_new_list_iter` when that is
/// empty).
pub(crate) fn get_iter_list(s: &mut B) -> R {
    let v = s.peek(1)?;
    let is_list = crate::uops::is_kind(s, v, kind::LIST)?;
    s.guard(is_list, Exit::JumpTarget)?;
    let (fl, len_ptr) = iter_free_list(s)?;
    let len = s
        .llvm()
        .build_load(s.i64(), len_ptr, "len")?
        .into_int_value();
    let has = s
        .llvm()
        .build_int_compare(IntPredicate::NE, len, s.const_i64(0), "has")?;
    let top = s.word_at(s.sp, s.const_i64(-1))?;
    // The iterator kind is a runtime kind: the projection passes it.
    let iter_kind = s
        .llvm()
        .build_int_truncate(s.operand()?, s.i32(), "iter_kind")?;
    s.if_else(
        has,
        |s| {
            let n = s.llvm().build_int_sub(len, s.const_i64(1), "n")?;
            s.llvm().build_store(len_ptr, n)?;
            let items = s.field_ptr(fl, &IterFreeList::DESC, "items")?;
            let it = s
                .llvm()
                .build_load(s.i64(), s.word_at(items, n)?, "it")?
                .into_int_value();
            let obj = s.llvm().build_int_to_ptr(it, s.ptr(), "iter")?;
            let rc = s.intptr().const_int(1, false);
            s.store_field(obj, &ObjHeader::DESC, "refcnt", rc)?;
            s.store_field(obj, &ObjHeader::DESC, "kind", iter_kind)?;
            s.store_field(obj, &ObjHeader::DESC, "flags", s.i32().const_zero())?;
            let state = s.field_ptr(obj, &ListIterObj::DESC, "state")?;
            let tag = s.i32().const_int(u64::from(iter_tag::LIST), false);
            s.store_field(state, &ListIterState::DESC, "tag", tag)?;
            s.store_field(state, &ListIterState::DESC, "seq", v)?;
            s.store_field(state, &ListIterState::DESC, "idx", s.intptr().const_zero())?;
            s.llvm().build_store(top, it)?;
            s.continue_at(Exit::Continue)
        },
        |s| {
            let it = s
                .call_helper("cpjit_new_list_iter", Some(s.i64().into()), &[v.into()])?
                .ok_or(TemplateError::Signature)?
                .into_int_value();
            s.llvm().build_store(top, it)?;
            s.continue_at(Exit::Continue)
        },
    )
}

/// Releases the stack's reference to the exhausted iterator `it` (a range,
/// list or tuple iterator the uop's guard proved); when it was the last,
/// its memory goes on the iterator free list inline and `seq` (the list or
/// tuple of a list or tuple iterator, `None` for a range iterator, whose
/// state owns nothing) is released, as the runtime's `free_iter` does; a
/// full list leaves the whole free to `cpjit_dealloc`.
pub(crate) fn free_exhausted<'ctx>(
    s: &mut B<'ctx, '_>,
    it: IntValue<'ctx>,
    seq: Option<IntValue<'ctx>>,
) -> R {
    let obj = s.llvm().build_int_to_ptr(it, s.ptr(), "iter")?;
    let rc = s
        .load_field(obj, &ObjHeader::DESC, "refcnt")?
        .into_int_value();
    let one = rc.get_type().const_int(1, false);
    let rc = s.llvm().build_int_sub(rc, one, "rc")?;
    s.store_field(obj, &ObjHeader::DESC, "refcnt", rc)?;
    let dead =
        s.llvm()
            .build_int_compare(IntPredicate::EQ, rc, rc.get_type().const_zero(), "dead")?;
    s.if_then(dead, |s| {
        let (fl, len_ptr) = iter_free_list(s)?;
        let len = s
            .llvm()
            .build_load(s.i64(), len_ptr, "len")?
            .into_int_value();
        let room = s.llvm().build_int_compare(
            IntPredicate::ULT,
            len,
            s.const_i64(ITER_FREE_LIST_CAPACITY as i64),
            "room",
        )?;
        let pushed = s.new_block("iter_pushed");
        let full = s.new_block("iter_full");
        let join = s.new_block("iter_freed");
        s.llvm().build_conditional_branch(room, pushed, full)?;
        s.llvm().position_at_end(pushed);
        // On the list first: releasing the sequence may free iterators
        // (a list of them), which then push after this one.
        let items = s.field_ptr(fl, &IterFreeList::DESC, "items")?;
        s.llvm().build_store(s.word_at(items, len)?, it)?;
        let n = s.llvm().build_int_add(len, s.const_i64(1), "n")?;
        s.llvm().build_store(len_ptr, n)?;
        if let Some(seq) = seq {
            s.decref_obj(seq)?;
        }
        s.llvm().build_unconditional_branch(join)?;
        s.llvm().position_at_end(full);
        s.call_helper("cpjit_dealloc", None, &[it.into()])?;
        s.llvm().build_unconditional_branch(join)?;
        s.llvm().position_at_end(join);
        Ok(())
    })
}
