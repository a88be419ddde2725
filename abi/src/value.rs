//! Tagged 64-bit values.
//!
//! A value is one 64-bit word:
//!
//! | low bits | meaning |
//! |---|---|
//! | `...1`  | a small int: the word shifted right arithmetically by one (63-bit signed range) |
//! | `...0`, non-zero | a pointer to a heap object starting with [`crate::layout::ObjHeader`] |
//! | all zero | `NULL`: an empty slot (unbound local, no value); never a Python value |
//!
//! Small-int arithmetic never allocates; a result outside the 63-bit range is
//! promoted to a heap big int by the runtime. `None`, `True` and `False` are
//! statically allocated, immortal heap objects.

/// Tag bit set on small ints.
pub const INT_TAG: u64 = 1;
/// Mask selecting the tag bits.
pub const TAG_MASK: u64 = 1;
/// The empty value (unbound local, missing value). Never visible to Python code.
pub const NULL: u64 = 0;
/// Largest small int.
pub const SMALL_INT_MAX: i64 = i64::MAX >> 1;
/// Smallest small int.
pub const SMALL_INT_MIN: i64 = i64::MIN >> 1;

/// Encodes `i` as a small int, or `None` if it does not fit in 63 bits.
#[inline(always)]
pub const fn encode_small_int(i: i64) -> Option<u64> {
    if i < SMALL_INT_MIN || i > SMALL_INT_MAX {
        None
    } else {
        Some(((i << 1) as u64) | INT_TAG)
    }
}

/// Decodes a small int. The caller must have checked [`is_small_int`].
#[inline(always)]
pub const fn decode_small_int(v: u64) -> i64 {
    (v as i64) >> 1
}

/// Whether `v` is a small int.
#[inline(always)]
pub const fn is_small_int(v: u64) -> bool {
    v & TAG_MASK == INT_TAG
}

/// Whether `v` is a pointer to a heap object.
#[inline(always)]
pub const fn is_object(v: u64) -> bool {
    v & TAG_MASK == 0 && v != NULL
}

/// Refcounts at or above this value belong to immortal objects, whose count is
/// never decremented to zero (statics: `None`, `True`, `False`, ...).
pub const IMMORTAL_REFCNT: i64 = 1 << 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_int_round_trip_and_bounds() {
        for i in [0i64, 1, -1, 42, -42, SMALL_INT_MAX, SMALL_INT_MIN] {
            let v = encode_small_int(i).expect("fits");
            assert!(is_small_int(v));
            assert!(!is_object(v));
            assert_eq!(decode_small_int(v), i);
        }
        assert_eq!(encode_small_int(SMALL_INT_MAX + 1), None);
        assert_eq!(encode_small_int(SMALL_INT_MIN - 1), None);
        assert!(!is_object(NULL));
        assert!(is_object(0x1000));
    }
}
