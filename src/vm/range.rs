//! `range` objects as CPython 3.11 has them: construction, length,
//! indexing, slicing, membership, equality, repr and iterators.
//!
//! A range whose bounds and length fit in an `i64` keeps them in the
//! machine-word fields of [`RangeObj`] (the fast path the interpreter and
//! tier 2 use); any other range keeps arbitrary-precision bounds in
//! [`BigRange`] and iterates with [`IterState::BigRange`].

use crate::abi::layout::kind;
use crate::vm::error::{err, type_error, value_error, ExcKind, PyResult};
use crate::vm::obj::{box_obj, hdr, kind_of, new_bigint, none_raw, Obj};
use crate::vm::ops::{as_bigint, as_i64, type_name};
use crate::vm::types::{IterState, RangeObj, SliceObj, KIND_SLICE};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Arbitrary-precision bounds of a range that does not fit the
/// machine-word fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigRange {
    /// Start.
    pub start: BigInt,
    /// Stop.
    pub stop: BigInt,
    /// Step (non-zero).
    pub step: BigInt,
}

/// Iterator state over arbitrary-precision bounds (`longrange_iterator`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigRangeIter {
    /// The next value.
    pub next: BigInt,
    /// The bound (exclusive).
    pub stop: BigInt,
    /// The step (non-zero).
    pub step: BigInt,
}

/// Length of `range(start, stop, step)` for any bounds (`step != 0`).
pub fn big_len(start: &BigInt, stop: &BigInt, step: &BigInt) -> BigInt {
    if step.is_positive() && start < stop {
        (stop - start - 1u32) / step + 1u32
    } else if step.is_negative() && start > stop {
        (start - stop - 1u32) / (-step) + 1u32
    } else {
        BigInt::zero()
    }
}

/// A range object for `range(start, stop, step)` (`step != 0`): the
/// machine-word form when the bounds and the length fit an `i64`.
pub fn new_range(start: BigInt, stop: BigInt, step: BigInt) -> Obj {
    if let (Some(a), Some(b), Some(c)) = (start.to_i64(), stop.to_i64(), step.to_i64()) {
        if len_fits_i64(a, b, c) {
            return small_range(a, b, c);
        }
    }
    Obj::from_raw(box_obj(RangeObj {
        ob: hdr(kind::RANGE),
        start: 0,
        stop: 0,
        step: 1,
        big: Some(Box::new(BigRange { start, stop, step })),
    }))
}

/// Whether the length of `range(start, stop, step)` fits an `i64`. It
/// cannot exceed `|stop - start|`, so only spans wider than `i64::MAX`
/// need the division.
fn len_fits_i64(start: i64, stop: i64, step: i64) -> bool {
    (i128::from(stop) - i128::from(start)).unsigned_abs() <= i64::MAX as u128
        || crate::vm::types::range_len_i128(start, stop, step) <= i128::from(i64::MAX)
}

/// A range object with machine-word bounds (`step != 0`).
pub fn small_range(start: i64, stop: i64, step: i64) -> Obj {
    if !len_fits_i64(start, stop, step) {
        return new_range(start.into(), stop.into(), step.into());
    }
    Obj::from_raw(box_obj(RangeObj {
        ob: hdr(kind::RANGE),
        start,
        stop,
        step,
        big: None,
    }))
}

/// `range(*args)`.
pub fn construct(args: &[u64]) -> PyResult<Obj> {
    if let Some((start, stop, step)) = word_bounds(args) {
        if step != 0 {
            return Ok(small_range(start, stop, step));
        }
    }
    construct_general(args)
}

/// The arguments of `range(*args)` as `(start, stop, step)` when there are
/// one to three and each is an int or bool that fits an `i64`: the common
/// case, which needs no arbitrary-precision arithmetic.
fn word_bounds(args: &[u64]) -> Option<(i64, i64, i64)> {
    Some(match *args {
        [stop] => (0, as_i64(stop)?, 1),
        [start, stop] => (as_i64(start)?, as_i64(stop)?, 1),
        [start, stop, step] => (as_i64(start)?, as_i64(stop)?, as_i64(step)?),
        _ => return None,
    })
}

/// `range(*args)` for any arguments: big bounds, and every error.
#[cold]
#[inline(never)]
fn construct_general(args: &[u64]) -> PyResult<Obj> {
    let get = |v: u64| {
        as_bigint(v).ok_or_else(|| {
            type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(v)
            ))
        })
    };
    let (start, stop, step) = match args.len() {
        1 => (BigInt::zero(), get(args[0])?, BigInt::one()),
        2 => (get(args[0])?, get(args[1])?, BigInt::one()),
        3 => (get(args[0])?, get(args[1])?, get(args[2])?),
        0 => return Err(type_error("range expected at least 1 argument, got 0")),
        n => {
            return Err(type_error(format!(
                "range expected at most 3 arguments, got {n}"
            )))
        }
    };
    if step.is_zero() {
        return Err(value_error("range() arg 3 must not be zero"));
    }
    Ok(new_range(start, stop, step))
}

/// The bounds of `r` as arbitrary-precision ints.
pub fn bounds(r: &RangeObj) -> (BigInt, BigInt, BigInt) {
    match &r.big {
        Some(b) => (b.start.clone(), b.stop.clone(), b.step.clone()),
        None => (r.start.into(), r.stop.into(), r.step.into()),
    }
}

/// The length of `r` as an arbitrary-precision int.
pub fn len_big(r: &RangeObj) -> BigInt {
    match &r.big {
        Some(b) => big_len(&b.start, &b.stop, &b.step),
        None => r.len().into(),
    }
}

/// `len(r)`: OverflowError when it does not fit a C `ssize_t`, as CPython.
pub fn len(r: &RangeObj) -> PyResult<usize> {
    if r.big.is_none() {
        return Ok(r.len() as usize);
    }
    len_big(r).to_i64().map(|n| n as usize).ok_or_else(|| {
        err(
            ExcKind::OverflowError,
            "Python int too large to convert to C ssize_t",
        )
    })
}

/// `repr(r)`.
pub fn repr(r: &RangeObj) -> String {
    let (start, stop, step) = bounds(r);
    if step.is_one() {
        format!("range({start}, {stop})")
    } else {
        format!("range({start}, {stop}, {step})")
    }
}

/// `x == y` for two ranges (same sequence of values).
pub fn eq(x: &RangeObj, y: &RangeObj) -> bool {
    if x.big.is_none() && y.big.is_none() {
        let (lx, ly) = (x.len(), y.len());
        return lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)));
    }
    let (lx, ly) = (len_big(x), len_big(y));
    if lx != ly {
        return false;
    }
    if lx.is_zero() {
        return true;
    }
    let ((sx, _, stx), (sy, _, sty)) = (bounds(x), bounds(y));
    sx == sy && (lx.is_one() || stx == sty)
}

/// Whether the int `i` is one of the values of `r`.
fn contains_int(r: &RangeObj, i: &BigInt) -> bool {
    let (start, stop, step) = bounds(r);
    let inside = if step.is_positive() {
        *i >= start && *i < stop
    } else {
        *i <= start && *i > stop
    };
    inside && ((i - &start) % &step).is_zero()
}

/// `item in r`: ints and bools by arithmetic, integral floats by value,
/// anything else is never equal to an int.
pub fn contains(r: &RangeObj, item: u64) -> bool {
    if r.big.is_none() {
        if let Some(i) = crate::vm::ops::as_i64(item) {
            let inside = if r.step > 0 {
                i >= r.start && i < r.stop
            } else {
                i <= r.start && i > r.stop
            };
            return inside && (i as i128 - r.start as i128) % r.step as i128 == 0;
        }
    }
    if let Some(i) = as_bigint(item) {
        return contains_int(r, &i);
    }
    if kind_of(item) == kind::FLOAT {
        let f = crate::vm::obj::float_val(item);
        if f.is_finite() && f.fract() == 0.0 {
            if let Some(i) = num_traits::FromPrimitive::from_f64(f) {
                return contains_int(r, &i);
            }
        }
    }
    false
}

/// The value at index `i` (already normalized, `0 <= i < len`).
fn item_at(r: &RangeObj, i: &BigInt) -> Obj {
    let (start, _, step) = bounds(r);
    new_bigint(start + i * step)
}

/// `r[key]` for an int key or a slice.
pub fn getitem(r: &RangeObj, key: u64) -> PyResult<Obj> {
    if kind_of(key) == KIND_SLICE {
        return slice(r, key);
    }
    let Some(i) = as_bigint(key) else {
        return Err(type_error(format!(
            "range indices must be integers or slices, not {}",
            type_name(key)
        )));
    };
    if r.big.is_none() {
        if let Some(i) = i.to_i64() {
            let n = r.len();
            let j = if i < 0 {
                i as i128 + n as i128
            } else {
                i as i128
            };
            if j < 0 || j >= n as i128 {
                return Err(out_of_range());
            }
            return Ok(Obj::int((r.start as i128 + j * r.step as i128) as i64));
        }
    }
    let n = len_big(r);
    let j = if i.is_negative() { i + &n } else { i };
    if j.is_negative() || j >= n {
        return Err(out_of_range());
    }
    Ok(item_at(r, &j))
}

fn out_of_range() -> Box<crate::vm::error::PyErr> {
    err(ExcKind::IndexError, "range object index out of range")
}

/// One bound of a slice (`_PySlice_GetLongIndices`): `None` takes `dflt`,
/// negatives count from the end, the result is clamped to `[lower, upper]`.
fn slice_bound(
    v: u64,
    len: &BigInt,
    lower: &BigInt,
    upper: &BigInt,
    dflt: &BigInt,
) -> PyResult<BigInt> {
    if v == none_raw() {
        return Ok(dflt.clone());
    }
    let mut x = slice_index(v)?;
    if x.is_negative() {
        x += len;
        if x < *lower {
            x = lower.clone();
        }
    } else if x > *upper {
        x = upper.clone();
    }
    Ok(x)
}

fn slice_index(v: u64) -> PyResult<BigInt> {
    as_bigint(v).ok_or_else(|| {
        type_error("slice indices must be integers or None or have an __index__ method")
    })
}

/// `r[slice]`: another range.
fn slice(r: &RangeObj, key: u64) -> PyResult<Obj> {
    // SAFETY: the caller checked kind SLICE.
    let sl = unsafe { crate::vm::obj::cast::<SliceObj>(key) };
    let sstep = if sl.step.raw() == none_raw() {
        BigInt::one()
    } else {
        slice_index(sl.step.raw())?
    };
    if sstep.is_zero() {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len_big(r);
    let (lower, upper) = if sstep.is_negative() {
        (BigInt::from(-1), &len - 1u32)
    } else {
        (BigInt::zero(), len.clone())
    };
    let (dstart, dstop) = if sstep.is_negative() {
        (&upper, &lower)
    } else {
        (&lower, &upper)
    };
    let sstart = slice_bound(sl.start.raw(), &len, &lower, &upper, dstart)?;
    let sstop = slice_bound(sl.stop.raw(), &len, &lower, &upper, dstop)?;
    let (start, _, step) = bounds(r);
    Ok(new_range(
        &start + &sstart * &step,
        &start + &sstop * &step,
        step * sstep,
    ))
}

/// The iterator state of `iter(r)`: machine words when no step can overflow.
pub fn iter_state(r: &RangeObj) -> IterState {
    if r.big.is_none() && r.stop.checked_add(r.step).is_some() {
        return IterState::Range {
            next: r.start,
            stop: r.stop,
            step: r.step,
        };
    }
    let (next, stop, step) = bounds(r);
    IterState::BigRange(Box::new(BigRangeIter { next, stop, step }))
}

/// The iterator state of `reversed(r)`.
pub fn reversed_state(r: &RangeObj) -> IterState {
    let (start, _, step) = bounds(r);
    let n = len_big(r);
    let next = &start + (n - 1u32) * &step;
    let stop = &start - &step;
    let step = -step;
    if let (Some(a), Some(b), Some(c)) = (next.to_i64(), stop.to_i64(), step.to_i64()) {
        if b.checked_add(c).is_some() {
            return IterState::Range {
                next: a,
                stop: b,
                step: c,
            };
        }
    }
    IterState::BigRange(Box::new(BigRangeIter { next, stop, step }))
}

/// Advances a big range iterator.
pub fn big_next(it: &mut BigRangeIter) -> Option<Obj> {
    let more = if it.step.is_positive() {
        it.next < it.stop
    } else {
        it.next > it.stop
    };
    if !more {
        return None;
    }
    let v = it.next.clone();
    it.next += &it.step;
    Some(new_bigint(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(i: i128) -> BigInt {
        BigInt::from(i)
    }

    #[test]
    fn big_len_matches_counting() {
        for (start, stop, step) in [(0, 10, 3), (10, 0, -3), (5, 5, 1), (0, -5, 2), (-7, 7, 7)] {
            let (mut i, mut n) = (start, 0);
            while (step > 0 && i < stop) || (step < 0 && i > stop) {
                i += step;
                n += 1;
            }
            assert_eq!(big_len(&b(start), &b(stop), &b(step)), b(n));
        }
    }

    #[test]
    fn big_iterator_counts_past_the_machine_word() {
        let start = b(i64::MAX as i128 - 1);
        let mut it = BigRangeIter {
            next: start.clone(),
            stop: &start + 3,
            step: b(1),
        };
        let mut n = 0;
        while let Some(v) = big_next(&mut it) {
            assert_eq!(as_bigint(v.raw()), Some(&start + n));
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn len_fits_i64_agrees_with_the_exact_length() {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            -2,
            -1,
            0,
            1,
            2,
            i64::MAX - 1,
            i64::MAX,
        ];
        for start in edges {
            for stop in edges {
                for step in [i64::MIN, -3, -1, 1, 2, i64::MAX] {
                    let exact = big_len(&b(start.into()), &b(stop.into()), &b(step.into()));
                    assert_eq!(
                        len_fits_i64(start, stop, step),
                        exact.to_i64().is_some(),
                        "range({start}, {stop}, {step})"
                    );
                }
            }
        }
    }
}
