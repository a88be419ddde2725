//! `sorted()` and `list.sort()`: a stable merge sort in the shape of
//! CPython's timsort, with CPython 3.11's type pre-check.
//!
//! Key functions are called once per element, in the list's order, before
//! any comparison. Before sorting, the keys are scanned once: when they are
//! all small ints, all strs, all floats or all tuples, comparisons take a
//! direct path for that kind (CPython's `unsafe_*_compare`) instead of the
//! generic rich comparison; the answers are the generic path's (the
//! `TypeError` of an unorderable pair included), only cheaper to reach.
//!
//! The comparison order follows CPython's for runs and binary insertion
//! (`count_run`, `binarysort`), so a sort of a small list that raises names
//! the same pair of types as CPython's message. Merges do not gallop.

use crate::abi::layout::kind;
use crate::abi::value::decode_small_int;
use crate::vm::bytecode::cmp;
use crate::vm::error::PyResult;
use crate::vm::interp::Vm;
use crate::vm::obj::{float_val, kind_of, tuple_items, Obj};
use crate::vm::ops;
use crate::vm::types::KIND_SMALLINT;
use std::cmp::Ordering;

/// One element being sorted: its key (the element itself without a key
/// function) and the element, both borrowed.
#[derive(Clone, Copy)]
struct Pair {
    key: u64,
    item: u64,
}

/// Sorts values stably, with an optional key function (called once per
/// value, in order) and the reverse flag (which keeps stability, as in
/// CPython: equal keys stay in their original order).
pub fn sort_values(
    vm: &mut Vm,
    items: Vec<Obj>,
    key: Option<u64>,
    reverse: bool,
) -> PyResult<Vec<Obj>> {
    let keys: Vec<Obj> = match key {
        Some(k) => items
            .iter()
            .map(|it| vm.call_object(k, &[it.raw()], None))
            .collect::<PyResult<_>>()?,
        None => Vec::new(),
    };
    let mut pairs: Vec<Pair> = items
        .iter()
        .enumerate()
        .map(|(i, it)| Pair {
            key: keys.get(i).map_or(it.raw(), Obj::raw),
            item: it.raw(),
        })
        .collect();
    if reverse {
        pairs.reverse();
    }
    sort_pairs(&mut pairs)?;
    if reverse {
        pairs.reverse();
    }
    // `items` and `keys` still own every value; the result takes new
    // references.
    Ok(pairs.iter().map(|p| Obj::new_ref(p.item)).collect())
}

/// The kind all keys share, for the direct comparisons.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Uniform {
    SmallInt,
    Str,
    Float,
    Other,
}

/// The kind every value of `keys` has, if it is one with a direct path.
fn uniform_kind(keys: impl Iterator<Item = u64>) -> Uniform {
    let mut u: Option<Uniform> = None;
    for k in keys {
        let this = match kind_of(k) {
            KIND_SMALLINT => Uniform::SmallInt,
            kind::STR => Uniform::Str,
            kind::FLOAT => Uniform::Float,
            _ => return Uniform::Other,
        };
        match u {
            None => u = Some(this),
            Some(prev) if prev != this => return Uniform::Other,
            Some(_) => {}
        }
    }
    u.unwrap_or(Uniform::Other)
}

/// Sorts `pairs` by key with the comparison fitting the keys' kinds.
fn sort_pairs(pairs: &mut [Pair]) -> PyResult<()> {
    if pairs.len() < 2 {
        return Ok(());
    }
    if pairs.iter().all(|p| kind_of(p.key) == kind::TUPLE) {
        return timsort(pairs, tuple_lt);
    }
    match uniform_kind(pairs.iter().map(|p| p.key)) {
        Uniform::SmallInt => timsort(pairs, |a, b| Ok(small_int_lt(a, b))),
        Uniform::Str => timsort(pairs, |a, b| Ok(str_lt(a, b))),
        Uniform::Float => timsort(pairs, |a, b| Ok(float_lt(a, b))),
        Uniform::Other => timsort(pairs, generic_lt),
    }
}

/// `a < b` for two small ints.
#[inline(always)]
fn small_int_lt(a: u64, b: u64) -> bool {
    decode_small_int(a) < decode_small_int(b)
}

/// `a < b` for two floats (false when either is NaN, as the generic path).
#[inline(always)]
fn float_lt(a: u64, b: u64) -> bool {
    float_val(a) < float_val(b)
}

/// `a < b` for two strs: UTF-8 byte order is code point order. Short
/// texts (sort keys, mostly) are compared inline.
#[inline(always)]
fn str_lt(a: u64, b: u64) -> bool {
    bytes_cmp(ops::str_of(a).as_bytes(), ops::str_of(b).as_bytes()) == Ordering::Less
}

/// `a < b` by the generic path (which raises for unorderable kinds).
fn generic_lt(a: u64, b: u64) -> PyResult<bool> {
    match ops::lt_quick(a, b) {
        Some(lt) => Ok(lt),
        None => ops::compare_bool(a, b, cmp::LT),
    }
}

/// Three-way comparison of two values when it is decided inline (the
/// same object, two small ints, two strs, two ordered floats) with the
/// generic path's answers: `Equal` exactly when it finds them equal,
/// `Less` exactly when it finds `a < b`. `None`: ask the generic path.
#[inline(always)]
fn quick_cmp(a: u64, b: u64) -> Option<Ordering> {
    if a == b {
        // Identity is equality (a NaN included), as in CPython.
        return Some(Ordering::Equal);
    }
    if a & b & 1 == 1 {
        return Some(decode_small_int(a).cmp(&decode_small_int(b)));
    }
    if a & 1 == 1 || b & 1 == 1 {
        return None;
    }
    match (kind_of(a), kind_of(b)) {
        (kind::STR, kind::STR) => Some(bytes_cmp(
            ops::str_of(a).as_bytes(),
            ops::str_of(b).as_bytes(),
        )),
        (kind::FLOAT, kind::FLOAT) => float_val(a).partial_cmp(&float_val(b)),
        _ => None,
    }
}

/// Byte order of two texts (code point order for UTF-8); short ones (sort
/// keys, mostly) compared inline.
#[inline(always)]
fn bytes_cmp(x: &[u8], y: &[u8]) -> Ordering {
    let n = x.len().min(y.len());
    if n <= 16 {
        for i in 0..n {
            if x[i] != y[i] {
                return x[i].cmp(&y[i]);
            }
        }
        return x.len().cmp(&y.len());
    }
    x.cmp(y)
}

/// `a < b` for two tuples (CPython's `unsafe_tuple_compare`): the first
/// items that differ decide; when one tuple is a prefix of the other, the
/// shorter is less. Items of the common kinds are compared once, three-way
/// ([`quick_cmp`]), instead of an equality test and then `<`.
#[inline(always)]
fn tuple_lt(a: u64, b: u64) -> PyResult<bool> {
    let (x, y) = (tuple_items(a), tuple_items(b));
    let n = x.len().min(y.len());
    for i in 0..n {
        let (p, q) = (x[i], y[i]);
        match quick_cmp(p, q) {
            Some(Ordering::Equal) => continue,
            Some(o) => return Ok(o == Ordering::Less),
            None => {
                if !ops::eq(p, q)? {
                    return generic_lt(p, q);
                }
            }
        }
    }
    Ok(x.len() < y.len())
}

/// CPython's `merge_compute_minrun`.
fn min_run(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

/// Stable sort of `v` by `lt` on the keys; stops at the first error (the
/// order of `v` is then unspecified).
fn timsort<F: FnMut(u64, u64) -> PyResult<bool>>(v: &mut [Pair], mut lt: F) -> PyResult<()> {
    let n = v.len();
    let minrun = min_run(n);
    // Runs as (start, len), merged while the classic timsort invariants
    // fail, so their lengths grow at least like Fibonacci numbers.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut buf: Vec<Pair> = Vec::new();
    let mut lo = 0;
    while lo < n {
        let mut len = count_run(&mut v[lo..], &mut lt)?;
        if len < minrun {
            let force = minrun.min(n - lo);
            binary_insertion(&mut v[lo..lo + force], len, &mut lt)?;
            len = force;
        }
        runs.push((lo, len));
        lo += len;
        collapse(v, &mut runs, &mut buf, &mut lt, false)?;
    }
    collapse(v, &mut runs, &mut buf, &mut lt, true)
}

/// Length of the run at the start of `v`, a strictly descending one
/// reversed in place (CPython's `count_run`).
fn count_run<F: FnMut(u64, u64) -> PyResult<bool>>(v: &mut [Pair], lt: &mut F) -> PyResult<usize> {
    if v.len() < 2 {
        return Ok(v.len());
    }
    let mut n = 2;
    if lt(v[1].key, v[0].key)? {
        while n < v.len() && lt(v[n].key, v[n - 1].key)? {
            n += 1;
        }
        v[..n].reverse();
    } else {
        while n < v.len() && !lt(v[n].key, v[n - 1].key)? {
            n += 1;
        }
    }
    Ok(n)
}

/// Sorts `v` whose first `sorted` elements are in order, inserting each
/// later one after the last element not greater than it (CPython's
/// `binarysort`).
fn binary_insertion<F: FnMut(u64, u64) -> PyResult<bool>>(
    v: &mut [Pair],
    sorted: usize,
    lt: &mut F,
) -> PyResult<()> {
    for start in sorted.max(1)..v.len() {
        let pivot = v[start];
        let (mut l, mut r) = (0, start);
        while l < r {
            let p = l + ((r - l) >> 1);
            if lt(pivot.key, v[p].key)? {
                r = p;
            } else {
                l = p + 1;
            }
        }
        v.copy_within(l..start, l + 1);
        v[l] = pivot;
    }
    Ok(())
}

/// Merges adjacent runs on the stack while the invariants
/// `len[-3] > len[-2] + len[-1]` and `len[-2] > len[-1]` fail (all of
/// them when `all`).
fn collapse<F: FnMut(u64, u64) -> PyResult<bool>>(
    v: &mut [Pair],
    runs: &mut Vec<(usize, usize)>,
    buf: &mut Vec<Pair>,
    lt: &mut F,
    all: bool,
) -> PyResult<()> {
    while runs.len() > 1 {
        let k = runs.len();
        let mut at = k - 2;
        if !all {
            let (b, c) = (runs[k - 2].1, runs[k - 1].1);
            if k >= 3 && runs[k - 3].1 <= b + c {
                if runs[k - 3].1 < c {
                    at = k - 3;
                }
            } else if b > c {
                break;
            }
        } else if k >= 3 && runs[k - 3].1 < runs[k - 1].1 {
            at = k - 3;
        }
        let (s1, l1) = runs[at];
        let (_, l2) = runs[at + 1];
        merge(&mut v[s1..s1 + l1 + l2], l1, buf, lt)?;
        runs[at] = (s1, l1 + l2);
        runs.remove(at + 1);
    }
    Ok(())
}

/// Merges the sorted halves `v[..mid]` and `v[mid..]` stably (on equal
/// keys the left one first).
fn merge<F: FnMut(u64, u64) -> PyResult<bool>>(
    v: &mut [Pair],
    mid: usize,
    buf: &mut Vec<Pair>,
    lt: &mut F,
) -> PyResult<()> {
    // Already in order: nothing to do (sorted input stays linear).
    if !lt(v[mid].key, v[mid - 1].key)? {
        return Ok(());
    }
    buf.clear();
    buf.extend_from_slice(&v[..mid]);
    let (mut i, mut j, mut out) = (0, mid, 0);
    while i < buf.len() && j < v.len() {
        if lt(v[j].key, buf[i].key)? {
            v[out] = v[j];
            j += 1;
        } else {
            v[out] = buf[i];
            i += 1;
        }
        out += 1;
    }
    // What is left of the right half is already in place.
    let rest = buf.len() - i;
    v[out..out + rest].copy_from_slice(&buf[i..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<Pair> {
        v.iter()
            .enumerate()
            .map(|(i, &k)| Pair {
                key: Obj::int(k).raw(),
                item: i as u64,
            })
            .collect()
    }

    /// A small deterministic generator (no randomness in tests).
    fn lcg(n: usize, modulo: u64) -> Vec<i64> {
        let mut s: u64 = 12345;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % modulo) as i64
            })
            .collect()
    }

    #[test]
    fn sorts_stably_at_every_size_and_shape() {
        for n in [0, 1, 2, 3, 31, 63, 64, 65, 200, 1000, 5000] {
            for shape in 0..4 {
                let keys: Vec<i64> = match shape {
                    0 => lcg(n, 7),
                    1 => (0..n as i64).collect(),
                    2 => (0..n as i64).rev().collect(),
                    _ => lcg(n, 1 << 30),
                };
                let mut v = ints(&keys);
                assert!(timsort(&mut v, |a, b| Ok(small_int_lt(a, b))).is_ok());
                let mut expected: Vec<(i64, u64)> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| (k, i as u64))
                    .collect();
                expected.sort_by_key(|p| p.0); // Rust's sort is stable too
                let got: Vec<(i64, u64)> = v
                    .iter()
                    .map(|p| (decode_small_int(p.key), p.item))
                    .collect();
                assert_eq!(got, expected, "n={n} shape={shape}");
            }
        }
    }

    #[test]
    fn short_strs_compare_by_code_point_and_length() {
        use crate::vm::obj::new_str;
        let lt = |a: &str, b: &str| str_lt(new_str(a).raw(), new_str(b).raw());
        assert!(lt("ab", "abc"));
        assert!(!lt("abc", "ab"));
        assert!(!lt("ab", "ab"));
        assert!(lt("Z", "a"));
        assert!(lt("z", "é"));
        assert!(lt("a".repeat(40).as_str(), &format!("{}b", "a".repeat(39))));
    }

    #[test]
    fn an_error_stops_the_sort() {
        let mut v = ints(&lcg(300, 50));
        let mut calls = 0;
        let r = timsort(&mut v, |_, _| {
            calls += 1;
            if calls == 100 {
                Err(crate::vm::error::type_error("stop".to_string()))
            } else {
                Ok(false)
            }
        });
        assert!(r.is_err());
        assert_eq!(calls, 100);
    }
}
