//! Semantic cores of the generic instructions: binary and unary operators,
//! comparisons, truth, containment and subscripts. The interpreter's generic
//! paths and (later) uop helpers call these same functions.

use crate::abi::layout::{kind, IntObj};
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::vm::bytecode::{binop, cmp};
use crate::vm::dict::dict_mut;
use crate::vm::error::{err, index_error, type_error, value_error, zero_div, ExcKind, PyResult};
use crate::vm::num;
use crate::vm::obj::*;
use crate::vm::types::*;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// The Python type name of a value.
pub fn type_name(v: u64) -> &'static str {
    match kind_of(v) {
        KIND_SMALLINT | kind::BIGINT => "int",
        kind::BOOL => "bool",
        kind::NONE => "NoneType",
        kind::FLOAT => "float",
        kind::STR => "str",
        kind::LIST => "list",
        kind::TUPLE => "tuple",
        kind::DICT => "dict",
        kind::RANGE => "range",
        kind::FUNCTION => "function",
        kind::BUILTIN => "builtin_function_or_method",
        KIND_CODE => "code",
        KIND_CELL => "cell",
        KIND_ITER => {
            // SAFETY: kind checked.
            match unsafe { &cast::<IterObj>(v).state } {
                IterState::Range { .. } => "range_iterator",
                IterState::List { .. } => "list_iterator",
                IterState::Tuple { .. } => "tuple_iterator",
                IterState::Str { .. } => "str_iterator",
                IterState::Dict { which: 0, .. } => "dict_keyiterator",
                IterState::Dict { which: 1, .. } => "dict_valueiterator",
                IterState::Dict { .. } => "dict_itemiterator",
                IterState::Enumerate { .. } => "enumerate",
                IterState::Zip { .. } => "zip",
                IterState::Map { .. } => "map",
                IterState::Reversed { .. } => "list_reverseiterator",
                IterState::Done => "iterator",
                IterState::Set { .. } => "set_iterator",
                IterState::BigRange(_) => "longrange_iterator",
                IterState::Native(n) => n.type_name(),
                IterState::Instance { .. } => "iterator",
                IterState::SeqIndex { .. } => "iterator",
            }
        }
        KIND_BOUND => {
            // SAFETY: kind checked.
            if kind_of(unsafe { cast::<BoundObj>(v) }.func.raw()) == kind::FUNCTION {
                "method"
            } else {
                "builtin_function_or_method"
            }
        }
        KIND_SLICE => "slice",
        KIND_DICTVIEW => {
            // SAFETY: kind checked.
            match unsafe { cast::<DictViewObj>(v).which } {
                0 => "dict_keys",
                1 => "dict_values",
                _ => "dict_items",
            }
        }
        KIND_EXC => {
            // SAFETY: kind checked.
            let e = unsafe { cast::<ExcObj>(v) };
            match &e.cls {
                Some(c) => crate::vm::class::class_name(c.raw()),
                None => e.kind.name(),
            }
        }
        KIND_TYPE | KIND_CLASS => "type",
        KIND_INSTANCE => crate::vm::class::class_name(crate::vm::class::class_of(v)),
        KIND_WRAPPER => crate::vm::class::wrapper_type_name(v),
        KIND_SET => "set",
        KIND_FROZENSET => "frozenset",
        KIND_MODULE => "module",
        KIND_GEN => "generator",
        KIND_DEQUE => "collections.deque",
        KIND_DEFAULTDICT => "collections.defaultdict",
        KIND_COUNTER => "Counter",
        _ => "object",
    }
}

/// A borrowed numeric view of a value.
#[derive(Clone, Copy)]
pub enum Num<'a> {
    /// Small int or bool.
    I(i64),
    /// Big int.
    B(&'a BigInt),
    /// Float.
    F(f64),
}

/// The numeric view of `v`, if it is an int, bool or float.
#[inline]
pub fn as_num<'a>(v: u64) -> Option<Num<'a>> {
    match kind_of(v) {
        KIND_SMALLINT => Some(Num::I(decode_small_int(v))),
        // SAFETY: kinds checked.
        kind::BOOL => Some(Num::I(unsafe { cast::<IntObj>(v).value })),
        kind::FLOAT => Some(Num::F(float_val(v))),
        kind::BIGINT => Some(Num::B(unsafe { &cast::<BigIntObj>(v).value })),
        _ => None,
    }
}

/// `v` as an exact Rust integer if it is an int or bool.
pub fn as_bigint(v: u64) -> Option<BigInt> {
    match as_num(v)? {
        Num::I(i) => Some(BigInt::from(i)),
        Num::B(b) => Some(b.clone()),
        Num::F(_) => None,
    }
}

/// `v` as an i64 if it is an int or bool that fits.
pub fn as_i64(v: u64) -> Option<i64> {
    match as_num(v)? {
        Num::I(i) => Some(i),
        Num::B(b) => b.to_i64(),
        Num::F(_) => None,
    }
}

/// Borrowed text of a str object.
#[inline]
pub fn str_of<'a>(v: u64) -> &'a str {
    // SAFETY: caller checked the kind is STR.
    unsafe { &cast::<StrObj>(v).s }
}

/// Text of `v` if it is a str.
pub fn as_str<'a>(v: u64) -> Option<&'a str> {
    if kind_of(v) == kind::STR {
        Some(str_of(v))
    } else {
        None
    }
}

fn big_to_f64(b: &BigInt) -> PyResult<f64> {
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(err(
            ExcKind::OverflowError,
            "int too large to convert to float",
        )),
    }
}

/// Float value of a numeric view.
pub fn num_to_f64(n: &Num) -> PyResult<f64> {
    Ok(match n {
        Num::I(i) => *i as f64,
        Num::B(b) => big_to_f64(b)?,
        Num::F(f) => *f,
    })
}

/// Truth value.
pub fn truthy(v: u64) -> PyResult<bool> {
    Ok(match kind_of(v) {
        KIND_SMALLINT => v != 1,
        kind::BOOL => v == true_raw(),
        kind::NONE => false,
        kind::FLOAT => float_val(v) != 0.0,
        kind::BIGINT => true,
        kind::STR => !str_of(v).is_empty(),
        kind::LIST => !list_items(v).is_empty(),
        kind::TUPLE => !tuple_items(v).is_empty(),
        // SAFETY: kinds checked.
        kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER => unsafe { !dict_mut(v).is_empty() },
        KIND_DEQUE => crate::vm::modules::collections::deque_len(v) != 0,
        kind::RANGE => unsafe { !cast::<RangeObj>(v).is_empty() },
        KIND_DICTVIEW => unsafe { !dict_mut(cast::<DictViewObj>(v).dict.raw()).is_empty() },
        KIND_SET | KIND_FROZENSET => unsafe { !crate::vm::set::set_mut(v).is_empty() },
        KIND_INSTANCE => return crate::vm::class::truthy(v),
        _ => true,
    })
}

pub(crate) fn unsupported(a: u64, b: u64, o: u32) -> Box<crate::vm::error::PyErr> {
    let sym = binop::SYMBOLS[(o & 15) as usize];
    let sym = if o & binop::INPLACE != 0 {
        format!("{sym}=")
    } else {
        sym.to_string()
    };
    if o & 15 == binop::POW && o & binop::INPLACE == 0 {
        return type_error(format!(
            "unsupported operand type(s) for ** or pow(): '{}' and '{}'",
            type_name(a),
            type_name(b)
        ));
    }
    type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        sym,
        type_name(a),
        type_name(b)
    ))
}

/// Int result from an i128 computation.
#[inline]
fn int_from_i128(r: i128) -> Obj {
    if let Ok(i) = i64::try_from(r) {
        if let Some(v) = encode_small_int(i) {
            return Obj::from_raw(v);
        }
    }
    new_bigint(BigInt::from(r))
}

/// Python floor division and modulo on machine ints (b != 0).
#[inline]
pub fn floor_divmod_i64(a: i64, b: i64) -> (i128, i128) {
    let (a, b) = (a as i128, b as i128);
    let mut q = a / b;
    let mut r = a % b;
    if r != 0 && ((r < 0) != (b < 0)) {
        q -= 1;
        r += b;
    }
    (q, r)
}

fn int_op(a: &BigInt, b: &BigInt, o: u32) -> PyResult<Obj> {
    Ok(match o {
        binop::ADD => new_bigint(a + b),
        binop::SUB => new_bigint(a - b),
        binop::MUL => new_bigint(a * b),
        binop::FLOORDIV => new_bigint(num::int_floordiv(a, b)?),
        binop::MOD => new_bigint(num::int_mod(a, b)?),
        binop::TRUEDIV => Obj::float(num::int_truediv(a, b)?),
        binop::POW => match num::int_pow(a, b)? {
            num::IntPow::Int(r) => new_bigint(r),
            num::IntPow::Float(f) => Obj::float(f),
        },
        binop::LSHIFT => new_bigint(num::int_lshift(a, b)?),
        binop::RSHIFT => new_bigint(num::int_rshift(a, b)?),
        binop::AND => new_bigint(a & b),
        binop::OR => new_bigint(a | b),
        binop::XOR => new_bigint(a ^ b),
        _ => return Err(type_error("bad operator")),
    })
}

fn small_int_op(x: i64, y: i64, o: u32) -> PyResult<Obj> {
    Ok(match o {
        binop::ADD => int_from_i128(x as i128 + y as i128),
        binop::SUB => int_from_i128(x as i128 - y as i128),
        binop::MUL => int_from_i128(x as i128 * y as i128),
        binop::FLOORDIV | binop::MOD => {
            if y == 0 {
                return Err(zero_div(if o == binop::MOD {
                    "integer modulo by zero"
                } else {
                    "integer division or modulo by zero"
                }));
            }
            let (q, r) = floor_divmod_i64(x, y);
            int_from_i128(if o == binop::MOD { r } else { q })
        }
        binop::TRUEDIV => Obj::float(num::i64_truediv(x, y)?),
        binop::AND => Obj::int(x & y),
        binop::OR => Obj::int(x | y),
        binop::XOR => Obj::int(x ^ y),
        binop::RSHIFT => {
            if y < 0 {
                return Err(value_error("negative shift count"));
            }
            Obj::int(if y >= 63 {
                if x < 0 {
                    -1
                } else {
                    0
                }
            } else {
                x >> y
            })
        }
        binop::LSHIFT => {
            if y < 0 {
                return Err(value_error("negative shift count"));
            }
            if y < 64 {
                let r = (x as i128) << y;
                if (r >> y) == x as i128 {
                    return Ok(int_from_i128(r));
                }
            }
            return int_op(&BigInt::from(x), &BigInt::from(y), o);
        }
        binop::POW => {
            if y >= 0 {
                if let Ok(e) = u32::try_from(y) {
                    if let Some(r) = x.checked_pow(e) {
                        return Ok(Obj::int(r));
                    }
                }
            }
            return int_op(&BigInt::from(x), &BigInt::from(y), o);
        }
        _ => return Err(type_error("bad operator")),
    })
}

fn float_op(x: f64, y: f64, o: u32) -> PyResult<Obj> {
    Ok(Obj::float(match o {
        binop::ADD => x + y,
        binop::SUB => x - y,
        binop::MUL => x * y,
        binop::TRUEDIV => num::float_truediv(x, y)?,
        binop::FLOORDIV => num::float_floordiv(x, y)?,
        binop::MOD => num::float_mod(x, y)?,
        binop::POW => num::float_pow(x, y)?,
        _ => return Err(type_error("bad operator")),
    }))
}

/// The generic binary operator `a <o> b` (`o` from [`binop`], maybe with `INPLACE`).
pub fn binary_op(a: u64, b: u64, o: u32) -> PyResult<Obj> {
    if kind_of(a) == KIND_INSTANCE || kind_of(b) == KIND_INSTANCE {
        return crate::vm::class::binary_op(a, b, o);
    }
    let base = o & 15;
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return match (x, y) {
            (Num::I(x), Num::I(y)) => small_int_op(x, y, base),
            (Num::F(_), _) | (_, Num::F(_)) => {
                if matches!(
                    base,
                    binop::LSHIFT
                        | binop::RSHIFT
                        | binop::AND
                        | binop::OR
                        | binop::XOR
                        | binop::MATMUL
                ) {
                    return Err(unsupported(a, b, o));
                }
                let (fx, fy) = (num_to_f64(&x)?, num_to_f64(&y)?);
                float_op(fx, fy, base)
            }
            (x, y) => {
                let bx = match x {
                    Num::I(i) => BigInt::from(i),
                    Num::B(b) => b.clone(),
                    Num::F(_) => return Err(unsupported(a, b, o)),
                };
                let by = match y {
                    Num::I(i) => BigInt::from(i),
                    Num::B(b) => b.clone(),
                    Num::F(_) => return Err(unsupported(a, b, o)),
                };
                if base == binop::MATMUL {
                    return Err(unsupported(a, b, o));
                }
                int_op(&bx, &by, base)
            }
        };
    }
    let (ka, kb) = (kind_of(a), kind_of(b));
    if ka == KIND_SET || ka == KIND_FROZENSET {
        if let Some(r) = crate::vm::set::binary_op(a, b, o) {
            return r;
        }
    }
    match (ka, kb, base) {
        (kind::STR, kind::STR, binop::ADD) => {
            let (x, y) = (str_of(a), str_of(b));
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(new_str(s))
        }
        (kind::STR, _, binop::MOD) => crate::vm::text::percent_format(a, b),
        // `d | other` (a new dict) and `d |= pairs` (an update in place).
        (kind::DICT, kind::DICT, binop::OR) if o & binop::INPLACE == 0 => {
            let nd = crate::vm::dict::new_dict();
            crate::vm::methods::update_from_with(nd.raw(), a, &mut crate::vm::iter::collect)?;
            crate::vm::methods::update_from_with(nd.raw(), b, &mut crate::vm::iter::collect)?;
            Ok(nd)
        }
        (kind::DICT, _, binop::OR) if o & binop::INPLACE != 0 => {
            crate::vm::methods::update_from_with(a, b, &mut crate::vm::iter::collect)?;
            Ok(Obj::new_ref(a))
        }
        (kind::LIST, kind::LIST, binop::ADD) => {
            if o & binop::INPLACE != 0 {
                let items: Vec<u64> = list_items(b).to_vec();
                for &i in &items {
                    incref(i);
                }
                list_with(a, |v| v.extend(items));
                return Ok(Obj::new_ref(a));
            }
            let mut v: Vec<Obj> = list_items(a).iter().map(|&x| Obj::new_ref(x)).collect();
            v.extend(list_items(b).iter().map(|&x| Obj::new_ref(x)));
            Ok(new_list(v))
        }
        (kind::LIST, _, binop::ADD) if o & binop::INPLACE != 0 => {
            let items = crate::vm::iter::collect(b)?;
            list_with(a, |v| v.extend(items.into_iter().map(Obj::into_raw)));
            Ok(Obj::new_ref(a))
        }
        (kind::TUPLE, kind::TUPLE, binop::ADD) => {
            let mut v: Vec<Obj> = tuple_items(a).iter().map(|&x| Obj::new_ref(x)).collect();
            v.extend(tuple_items(b).iter().map(|&x| Obj::new_ref(x)));
            Ok(new_tuple(v))
        }
        (kind::STR | kind::LIST | kind::TUPLE, _, binop::MUL) if as_i64(b).is_some() => {
            repeat(a, as_i64(b).unwrap_or(0))
        }
        (_, kind::STR | kind::LIST | kind::TUPLE, binop::MUL) if as_i64(a).is_some() => {
            repeat(b, as_i64(a).unwrap_or(0))
        }
        // A sequence times an int too big for a repeat count.
        (kind::STR | kind::LIST | kind::TUPLE, kind::BIGINT, binop::MUL)
        | (kind::BIGINT, kind::STR | kind::LIST | kind::TUPLE, binop::MUL) => Err(err(
            ExcKind::OverflowError,
            "cannot fit 'int' into an index-sized integer",
        )),
        // A sequence times anything but an int (`1.5 * "x"`, `[1] * [2]`):
        // CPython names the other operand's type.
        (kind::STR | kind::LIST | kind::TUPLE, _, binop::MUL)
        | (_, kind::STR | kind::LIST | kind::TUPLE, binop::MUL)
            if as_num(a).is_none_or(|n| matches!(n, Num::F(_)))
                && as_num(b).is_none_or(|n| matches!(n, Num::F(_))) =>
        {
            let seq = |k| matches!(k, kind::STR | kind::LIST | kind::TUPLE);
            let other = if seq(ka) { b } else { a };
            Err(type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                type_name(other)
            )))
        }
        (KIND_COUNTER, KIND_COUNTER, _) => {
            crate::vm::modules::collections::counter_binop(a, b, base)
                .unwrap_or_else(|| Err(unsupported(a, b, o)))
        }
        _ => Err(unsupported(a, b, o)),
    }
}

fn repeat(seq: u64, n: i64) -> PyResult<Obj> {
    let n = n.max(0) as usize;
    let unit = match kind_of(seq) {
        kind::STR => str_of(seq).len(),
        kind::LIST => list_items(seq).len() * 8,
        _ => tuple_items(seq).len() * 8,
    };
    if unit
        .checked_mul(n)
        .is_none_or(|t| t > isize::MAX as usize / 2)
    {
        return Err(err(ExcKind::MemoryError, ""));
    }
    // Reserve fallibly: a huge repeat is a MemoryError, never an abort.
    let oom = || err(ExcKind::MemoryError, "");
    match kind_of(seq) {
        kind::STR => {
            let unit = str_of(seq);
            let mut s = String::new();
            s.try_reserve_exact(unit.len() * n).map_err(|_| oom())?;
            for _ in 0..n {
                s.push_str(unit);
            }
            Ok(new_str(s))
        }
        kind::LIST => Ok(new_list_raw(
            repeat_items(list_items(seq), n).ok_or_else(oom)?,
        )),
        _ => Ok(new_tuple_raw(
            &repeat_items(tuple_items(seq), n).ok_or_else(oom)?,
        )),
    }
}

/// `items` repeated `n` times as owned words (new references), or `None`
/// if the memory cannot be had.
fn repeat_items(items: &[u64], n: usize) -> Option<Vec<u64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(items.len() * n).ok()?;
    if let [x] = items {
        // `[x] * n`, the common case: one fill.
        v.resize(n, *x);
    } else {
        for _ in 0..n {
            v.extend_from_slice(items);
        }
    }
    for &x in items {
        for _ in 0..n {
            incref(x);
        }
    }
    Some(v)
}

/// The small-int fast case of the binary operator `o` (a `binop` number)
/// that tier 1 specializes and traces compute natively: `None` where the
/// generic operation must decide (overflow to a big int, a float result,
/// an error, or an operator without a fast case). The result may still
/// need a big int (the caller encodes it).
#[inline(always)]
pub fn small_int_binop(o: u32, x: i64, y: i64) -> Option<i64> {
    match o {
        binop::ADD => x.checked_add(y),
        binop::SUB => x.checked_sub(y),
        binop::MUL => x.checked_mul(y),
        binop::AND => Some(x & y),
        binop::RSHIFT => (0..63).contains(&y).then(|| x >> y),
        binop::FLOORDIV => (y > 0).then(|| x.div_euclid(y)),
        binop::MOD => (y > 0).then(|| x.rem_euclid(y)),
        // Negative exponents (a float) and overflow (a big int) are generic.
        binop::POW => (0..64)
            .contains(&y)
            .then(|| x.checked_pow(y as u32))
            .flatten(),
        _ => None,
    }
}

/// Unary minus.
pub fn unary_neg(v: u64) -> PyResult<Obj> {
    match as_num(v) {
        Some(Num::I(i)) => Ok(int_from_i128(-(i as i128))),
        Some(Num::B(b)) => Ok(new_bigint(-b)),
        Some(Num::F(f)) => Ok(Obj::float(-f)),
        None if kind_of(v) == KIND_INSTANCE => crate::vm::class::unary(v, "__neg__", "-"),
        None => Err(type_error(format!(
            "bad operand type for unary -: '{}'",
            type_name(v)
        ))),
    }
}

/// Unary plus.
pub fn unary_pos(v: u64) -> PyResult<Obj> {
    match as_num(v) {
        Some(Num::I(i)) => Ok(Obj::int(i)),
        Some(_) => Ok(Obj::new_ref(v)),
        None if kind_of(v) == KIND_INSTANCE => crate::vm::class::unary(v, "__pos__", "+"),
        None => Err(type_error(format!(
            "bad operand type for unary +: '{}'",
            type_name(v)
        ))),
    }
}

/// Unary `~`.
pub fn unary_invert(v: u64) -> PyResult<Obj> {
    match as_num(v) {
        Some(Num::I(i)) => Ok(Obj::int(!i)),
        Some(Num::B(b)) => Ok(new_bigint(-b - 1)),
        _ if kind_of(v) == KIND_INSTANCE => crate::vm::class::unary(v, "__invert__", "~"),
        _ => Err(type_error(format!(
            "bad operand type for unary ~: '{}'",
            type_name(v)
        ))),
    }
}

/// Equality that cannot call user code; `None` when the kinds are not comparable here.
pub fn eq_simple(a: u64, b: u64) -> Option<bool> {
    if let Some(r) = eq_quick(a, b) {
        return Some(r);
    }
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return Some(num_cmp(&x, &y) == Some(Ordering::Equal));
    }
    let dict_like = |k| match k {
        KIND_DEFAULTDICT | KIND_COUNTER => kind::DICT,
        k => k,
    };
    let (ka, kb) = (dict_like(kind_of(a)), dict_like(kind_of(b)));
    if ka != kb {
        let any_set = |k| k == KIND_SET || k == KIND_FROZENSET;
        return Some(any_set(ka) && any_set(kb) && crate::vm::set::set_eq(a, b));
    }
    match ka {
        KIND_DEQUE => {
            let (x, y) = (
                crate::vm::modules::collections::deque_items(a),
                crate::vm::modules::collections::deque_items(b),
            );
            let raw = |v: &[Obj]| v.iter().map(|o| o.raw()).collect::<Vec<u64>>();
            seq_eq(&raw(&x), &raw(&y))
        }
        kind::STR => Some(str_of(a) == str_of(b)),
        kind::TUPLE => seq_eq(tuple_items(a), tuple_items(b)),
        kind::LIST => seq_eq(list_items(a), list_items(b)),
        kind::DICT => {
            // SAFETY: kinds checked.
            let (da, db) = unsafe { (dict_mut(a), dict_mut(b)) };
            if da.len() != db.len() {
                return Some(false);
            }
            for e in da.live() {
                match db.get(e.key) {
                    Ok(Some(v)) => {
                        if !eq_simple(e.value, v)? {
                            return Some(false);
                        }
                    }
                    _ => return Some(false),
                }
            }
            Some(true)
        }
        kind::RANGE => {
            // SAFETY: kinds checked.
            let (x, y) = unsafe { (cast::<RangeObj>(a), cast::<RangeObj>(b)) };
            Some(crate::vm::range::eq(x, y))
        }
        KIND_TYPE => {
            // SAFETY: kinds checked.
            Some(unsafe { cast::<TypeObj>(a).id == cast::<TypeObj>(b).id })
        }
        KIND_SET | KIND_FROZENSET => Some(crate::vm::set::set_eq(a, b)),
        _ => Some(false),
    }
}

fn seq_eq(x: &[u64], y: &[u64]) -> Option<bool> {
    if x.len() != y.len() {
        return Some(false);
    }
    for (&p, &q) in x.iter().zip(y) {
        if !eq_simple(p, q)? {
            return Some(false);
        }
    }
    Some(true)
}

/// Numeric comparison (None for NaN).
pub fn num_cmp(x: &Num, y: &Num) -> Option<Ordering> {
    match (x, y) {
        (Num::I(a), Num::I(b)) => Some(a.cmp(b)),
        (Num::F(a), Num::F(b)) => a.partial_cmp(b),
        (Num::I(a), Num::F(b)) => int_float_cmp(&BigInt::from(*a), *b),
        (Num::F(a), Num::I(b)) => int_float_cmp(&BigInt::from(*b), *a).map(Ordering::reverse),
        (Num::B(a), Num::F(b)) => int_float_cmp(a, *b),
        (Num::F(a), Num::B(b)) => int_float_cmp(b, *a).map(Ordering::reverse),
        (Num::B(a), Num::B(b)) => Some(a.cmp(b)),
        (Num::B(a), Num::I(b)) => Some((*a).cmp(&BigInt::from(*b))),
        (Num::I(a), Num::B(b)) => Some(BigInt::from(*a).cmp(b)),
    }
}

fn int_float_cmp(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    if let Some(s) = i.to_i64() {
        if s.unsigned_abs() < (1 << 53) {
            return (s as f64).partial_cmp(&f);
        }
    }
    // Compare exactly: floor(f) against i, then the fraction.
    let fl = f.floor();
    let fi = num_traits::FromPrimitive::from_f64(fl).unwrap_or_else(BigInt::zero);
    match i.cmp(&fi) {
        Ordering::Equal => Some(if f > fl {
            Ordering::Less
        } else {
            Ordering::Equal
        }),
        o => Some(o),
    }
}

/// `a == b`.
pub fn eq(a: u64, b: u64) -> PyResult<bool> {
    if a != b && crate::vm::class::either_user(a, b) {
        return truthy(crate::vm::class::compare(a, b, cmp::EQ)?.raw());
    }
    Ok(eq_simple(a, b).unwrap_or(false))
}

fn cmp_error(a: u64, b: u64, o: u32) -> Box<crate::vm::error::PyErr> {
    type_error(format!(
        "'{}' not supported between instances of '{}' and '{}'",
        cmp::SYMBOLS[o as usize],
        type_name(a),
        type_name(b)
    ))
}

fn ord_result(ord: Option<Ordering>, o: u32) -> bool {
    match ord {
        None => o == cmp::NE,
        Some(ord) => match o {
            cmp::LT => ord == Ordering::Less,
            cmp::LE => ord != Ordering::Greater,
            cmp::EQ => ord == Ordering::Equal,
            cmp::NE => ord != Ordering::Equal,
            cmp::GT => ord == Ordering::Greater,
            _ => ord != Ordering::Less,
        },
    }
}

fn seq_compare(x: &[u64], y: &[u64], o: u32, a: u64, b: u64) -> PyResult<bool> {
    for (&p, &q) in x.iter().zip(y) {
        if !eq(p, q)? {
            if o == cmp::EQ {
                return Ok(false);
            }
            if o == cmp::NE {
                return Ok(true);
            }
            let _ = (a, b);
            return compare_bool(p, q, o);
        }
    }
    Ok(ord_result(Some(x.len().cmp(&y.len())), o))
}

/// Equality of two values when it is decided without the general paths:
/// identity, two small ints, two strs; `None` otherwise.
#[inline]
fn eq_quick(a: u64, b: u64) -> Option<bool> {
    if a == b {
        return Some(true);
    }
    // Two different small ints differ.
    if a & b & 1 == 1 {
        return Some(false);
    }
    if kind_of(a) == kind::STR && kind_of(b) == kind::STR {
        return Some(str_of(a) == str_of(b));
    }
    None
}

/// `a < b` for the keys sorts mostly compare (small ints, strs, and tuples
/// of them), with [`compare_bool`]'s answer; `None` for anything else (the
/// caller then asks [`compare_bool`], which also raises the errors).
pub fn lt_quick(a: u64, b: u64) -> Option<bool> {
    if a & b & 1 == 1 {
        return Some(decode_small_int(a) < decode_small_int(b));
    }
    let (ka, kb) = (kind_of(a), kind_of(b));
    if ka == kind::STR && kb == kind::STR {
        return Some(str_of(a) < str_of(b));
    }
    if ka == kind::TUPLE && kb == kind::TUPLE {
        let (x, y) = (tuple_items(a), tuple_items(b));
        for (&p, &q) in x.iter().zip(y) {
            if !eq_quick(p, q)? {
                return lt_quick(p, q);
            }
        }
        return Some(x.len() < y.len());
    }
    None
}

/// Rich comparison returning a Rust bool.
pub fn compare_bool(a: u64, b: u64, o: u32) -> PyResult<bool> {
    // Two small ints or two strs (sort keys, mostly) decided at once, with
    // the answers of the general paths below.
    if a & b & 1 == 1 {
        return Ok(ord_result(
            Some(decode_small_int(a).cmp(&decode_small_int(b))),
            o,
        ));
    }
    let (ka, kb) = (kind_of(a), kind_of(b));
    if ka == kind::STR && kb == kind::STR {
        return Ok(ord_result(Some(str_of(a).cmp(str_of(b))), o));
    }
    if crate::vm::class::either_user(a, b) {
        return truthy(crate::vm::class::compare(a, b, o)?.raw());
    }
    if ka == kind::TUPLE && kb == kind::TUPLE && o != cmp::EQ && o != cmp::NE {
        return seq_compare(tuple_items(a), tuple_items(b), o, a, b);
    }
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return Ok(ord_result(num_cmp(&x, &y), o));
    }
    if o == cmp::EQ {
        return eq(a, b);
    }
    if o == cmp::NE {
        return Ok(!eq(a, b)?);
    }
    match (ka, kb) {
        (kind::STR, kind::STR) => Ok(ord_result(Some(str_of(a).cmp(str_of(b))), o)),
        (kind::LIST, kind::LIST) => seq_compare(list_items(a), list_items(b), o, a, b),
        (kind::TUPLE, kind::TUPLE) => seq_compare(tuple_items(a), tuple_items(b), o, a, b),
        (KIND_SET | KIND_FROZENSET, KIND_SET | KIND_FROZENSET) => {
            Ok(crate::vm::set::set_compare(a, b, o))
        }
        _ => Err(cmp_error(a, b, o)),
    }
}

/// The generic comparison `a <o> b` (`o` from [`cmp`]).
pub fn compare_op(a: u64, b: u64, o: u32) -> PyResult<Obj> {
    if crate::vm::class::either_user(a, b) {
        return crate::vm::class::compare(a, b, o);
    }
    Ok(Obj::bool(compare_bool(a, b, o)?))
}

/// `item in container`.
pub fn contains(container: u64, item: u64) -> PyResult<bool> {
    match kind_of(container) {
        KIND_INSTANCE => crate::vm::class::contains(container, item),
        kind::STR => match as_str(item) {
            Some(s) => Ok(str_of(container).contains(s)),
            None => Err(type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                type_name(item)
            ))),
        },
        kind::LIST => {
            for &x in list_items(container).to_vec().iter() {
                if eq(x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        kind::TUPLE => {
            for &x in tuple_items(container) {
                if eq(x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        // SAFETY: kind checked.
        kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER => {
            Ok(unsafe { dict_mut(container) }.get(item)?.is_some())
        }
        KIND_DEQUE => crate::vm::modules::collections::deque_contains(container, item),
        // SAFETY: kind checked.
        KIND_SET | KIND_FROZENSET => unsafe { crate::vm::set::set_mut(container) }.contains(item),
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(container) };
            Ok(crate::vm::range::contains(r, item))
        }
        KIND_DICTVIEW => {
            // SAFETY: kind checked.
            let dv = unsafe { cast::<DictViewObj>(container) };
            if dv.which == 0 {
                Ok(unsafe { dict_mut(dv.dict.raw()) }.get(item)?.is_some())
            } else {
                let items = crate::vm::iter::collect(container)?;
                for x in items {
                    if eq(x.raw(), item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
        KIND_GEN => crate::vm::generator::contains(container, item),
        _ => Err(type_error(format!(
            "argument of type '{}' is not iterable",
            type_name(container)
        ))),
    }
}

/// Normalizes a sequence index (negative from the end); `None` if out of range.
#[inline]
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j >= 0 && (j as usize) < len {
        Some(j as usize)
    } else {
        None
    }
}

fn index_of(key: u64, what: &str) -> PyResult<i64> {
    match as_num(key) {
        Some(Num::I(i)) => Ok(i),
        Some(Num::B(_)) => Err(err(
            ExcKind::IndexError,
            "cannot fit 'int' into an index-sized integer",
        )),
        _ => Err(type_error(format!(
            "{what} indices must be integers or slices, not {}",
            type_name(key)
        ))),
    }
}

/// Slice bounds resolved against a length: (start, stop, step, count).
pub fn slice_indices(s: u64, len: usize) -> PyResult<(i64, i64, i64, usize)> {
    // SAFETY: caller checked kind SLICE.
    let sl = unsafe { cast::<SliceObj>(s) };
    slice_bounds(sl.start.raw(), sl.stop.raw(), sl.step.raw(), len)
}

/// [`slice_indices`] of the slice `start:stop:step` (its three values).
pub fn slice_bounds(
    start: u64,
    stop: u64,
    step: u64,
    len: usize,
) -> PyResult<(i64, i64, i64, usize)> {
    let get = |v: u64| -> PyResult<Option<i64>> {
        if v == none_raw() {
            return Ok(None);
        }
        match as_num(v) {
            Some(Num::I(i)) => Ok(Some(i)),
            Some(Num::B(b)) => Ok(Some(if b.is_negative() {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })),
            _ => Err(type_error(
                "slice indices must be integers or None or have an __index__ method",
            )),
        }
    };
    let step = get(step)?.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |v: Option<i64>, dflt: i64| -> i64 {
        match v {
            None => dflt,
            Some(mut x) => {
                if x < 0 {
                    x += len;
                    if x < 0 {
                        x = if step < 0 { -1 } else { 0 };
                    }
                } else if x >= len {
                    x = if step < 0 { len - 1 } else { len };
                }
                x
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(get(start)?, 0), clamp(get(stop)?, len))
    } else {
        (clamp(get(start)?, len - 1), clamp(get(stop)?, -1))
    };
    let n = range_len(start, stop, step).max(0) as usize;
    Ok((start, stop, step, n))
}

fn slice_pick(items: &[u64], s: u64) -> PyResult<Vec<Obj>> {
    // SAFETY: caller checked kind SLICE.
    let sl = unsafe { cast::<SliceObj>(s) };
    slice_items(items, sl.start.raw(), sl.stop.raw(), sl.step.raw())
}

/// The items of `items[start:stop:step]` (new references), given the
/// slice's three values, as `getitem` picks them for a list or tuple.
pub fn slice_items(items: &[u64], start: u64, stop: u64, step: u64) -> PyResult<Vec<Obj>> {
    let (start, _, step, n) = slice_bounds(start, stop, step, items.len())?;
    let mut out = Vec::with_capacity(n);
    let mut i = start;
    for _ in 0..n {
        out.push(Obj::new_ref(items[i as usize]));
        i += step;
    }
    Ok(out)
}

/// `list[start:stop]` (the list `l`, and `start`, `stop` the slice's
/// values) when both are None or small ints: a new list, with nothing to
/// raise. `None` for any other bounds (the general path handles them).
pub fn list_unit_slice(l: u64, start: u64, stop: u64) -> Option<Obj> {
    let items = list_items(l);
    let len = items.len() as i64;
    let bound = |v: u64, dflt: i64| -> Option<i64> {
        if v == none_raw() {
            Some(dflt)
        } else if v & 1 == 1 {
            let x = decode_small_int(v);
            Some(if x < 0 { (x + len).max(0) } else { x.min(len) })
        } else {
            None
        }
    };
    let (lo, hi) = (bound(start, 0)? as usize, bound(stop, len)? as usize);
    let part = items.get(lo..hi.max(lo)).unwrap_or(&[]);
    part.iter().for_each(|&v| incref(v));
    Some(new_list_raw(part.to_vec()))
}

/// `container[key]`.
pub fn getitem(container: u64, key: u64) -> PyResult<Obj> {
    match kind_of(container) {
        KIND_INSTANCE => crate::vm::class::getitem(container, key),
        kind::LIST => {
            if kind_of(key) == KIND_SLICE {
                // SAFETY: kind checked.
                let sl = unsafe { cast::<SliceObj>(key) };
                if sl.step.raw() == none_raw() {
                    if let Some(r) = list_unit_slice(container, sl.start.raw(), sl.stop.raw()) {
                        return Ok(r);
                    }
                }
                return Ok(new_list(slice_pick(list_items(container), key)?));
            }
            let items = list_items(container);
            let i = index_of(key, "list")?;
            match norm_index(i, items.len()) {
                Some(j) => Ok(Obj::new_ref(items[j])),
                None => Err(index_error("list index out of range")),
            }
        }
        kind::TUPLE => {
            if kind_of(key) == KIND_SLICE {
                return Ok(new_tuple(slice_pick(tuple_items(container), key)?));
            }
            let items = tuple_items(container);
            let i = index_of(key, "tuple")?;
            match norm_index(i, items.len()) {
                Some(j) => Ok(Obj::new_ref(items[j])),
                None => Err(index_error("tuple index out of range")),
            }
        }
        kind::STR => crate::vm::methods::str_getitem(container, key),
        kind::DICT => {
            // SAFETY: kind checked.
            match unsafe { dict_mut(container) }.get(key)? {
                Some(v) => Ok(Obj::new_ref(v)),
                None => Err(crate::vm::builtins::key_error(key)),
            }
        }
        // A Counter's missing key counts 0 (a defaultdict's needs the VM:
        // tier 1 subscripts it with `collections::missing_getitem`).
        KIND_COUNTER | KIND_DEFAULTDICT => {
            // SAFETY: a dict kind.
            match unsafe { dict_mut(container) }.get(key)? {
                Some(v) => Ok(Obj::new_ref(v)),
                None if kind_of(container) == KIND_COUNTER => Ok(Obj::int(0)),
                None => Err(crate::vm::builtins::key_error(key)),
            }
        }
        KIND_DEQUE => crate::vm::modules::collections::deque_getitem(container, key),
        kind::RANGE => {
            // SAFETY: kind checked.
            let r = unsafe { cast::<RangeObj>(container) };
            crate::vm::range::getitem(r, key)
        }
        _ => Err(type_error(format!(
            "'{}' object is not subscriptable",
            type_name(container)
        ))),
    }
}

/// `container[key] = value` (takes ownership of `value`).
pub fn setitem(container: u64, key: u64, value: Obj) -> PyResult<()> {
    match kind_of(container) {
        KIND_INSTANCE => crate::vm::class::setitem(container, key, value.raw()),
        kind::LIST => {
            if kind_of(key) == KIND_SLICE {
                let new_items = crate::vm::iter::collect(value.raw())?;
                let (start, stop, step, n) = slice_indices(key, list_items(container).len())?;
                if step == 1 {
                    let stop = stop.max(start);
                    let removed: Vec<u64> = list_with(container, |v| {
                        v.splice(
                            start as usize..stop as usize,
                            new_items.into_iter().map(Obj::into_raw),
                        )
                        .collect()
                    });
                    removed.into_iter().for_each(decref);
                    return Ok(());
                }
                if new_items.len() != n {
                    return Err(value_error(format!(
                        "attempt to assign sequence of size {} to extended slice of size {}",
                        new_items.len(),
                        n
                    )));
                }
                let mut i = start;
                let olds: Vec<u64> = list_with(container, |v| {
                    let mut olds = Vec::new();
                    for it in new_items {
                        olds.push(std::mem::replace(&mut v[i as usize], it.into_raw()));
                        i += step;
                    }
                    olds
                });
                olds.into_iter().for_each(decref);
                return Ok(());
            }
            let i = index_of(key, "list")?;
            let len = list_items(container).len();
            match norm_index(i, len) {
                Some(j) => {
                    // SAFETY: j < len; the list owns its items.
                    let old = unsafe {
                        let p = (*(container as *mut crate::abi::layout::ListObj))
                            .items
                            .add(j);
                        std::mem::replace(&mut *p, value.into_raw())
                    };
                    decref(old);
                    Ok(())
                }
                None => Err(index_error("list assignment index out of range")),
            }
        }
        // SAFETY: kind checked.
        kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER => {
            unsafe { dict_mut(container) }.set(Obj::new_ref(key), value)
        }
        KIND_DEQUE => crate::vm::modules::collections::deque_setitem(container, key, value),
        _ => Err(type_error(format!(
            "'{}' object does not support item assignment",
            type_name(container)
        ))),
    }
}

/// `del container[key]`.
pub fn delitem(container: u64, key: u64) -> PyResult<()> {
    match kind_of(container) {
        KIND_INSTANCE => crate::vm::class::delitem(container, key),
        kind::LIST => {
            if kind_of(key) == KIND_SLICE {
                let (start, _, step, n) = slice_indices(key, list_items(container).len())?;
                let mut idx: Vec<usize> =
                    (0..n).map(|k| (start + k as i64 * step) as usize).collect();
                idx.sort_unstable();
                let removed: Vec<u64> = list_with(container, |v| {
                    idx.iter().rev().map(|&i| v.remove(i)).collect()
                });
                removed.into_iter().for_each(decref);
                return Ok(());
            }
            let i = index_of(key, "list")?;
            match norm_index(i, list_items(container).len()) {
                Some(j) => {
                    let old = list_with(container, |v| v.remove(j));
                    decref(old);
                    Ok(())
                }
                None => Err(index_error("list assignment index out of range")),
            }
        }
        // SAFETY: kind checked.
        kind::DICT | KIND_DEFAULTDICT | KIND_COUNTER => {
            match unsafe { dict_mut(container) }.remove(key)? {
                Some(_) => Ok(()),
                None => Err(crate::vm::builtins::key_error(key)),
            }
        }
        KIND_DEQUE => crate::vm::modules::collections::deque_delitem(container, key),
        _ => Err(type_error(format!(
            "'{}' object does not support item deletion",
            type_name(container)
        ))),
    }
}
