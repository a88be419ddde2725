//! Free lists of dead tuple memory: programs make and drop tuples of 1 to
//! [`MAX_TUPLE_LEN`] items (packets, dict items, sort keys) at high rate;
//! CPython keeps per-size tuple free lists too.
//!
//! A list holds raw blocks of one layout; a block on it is dead (the
//! live-object counter does not count it: the allocator in `obj.rs`
//! counts a block live when it takes it and dead when it gives it back).
//! Floats (shared with JIT code) and iterators have their own lists in
//! `obj.rs`.

/// Longest tuple whose memory is recycled.
pub const MAX_TUPLE_LEN: usize = 4;
/// Blocks kept per list.
const CAPACITY: usize = 512;

/// A LIFO of dead blocks of one layout.
struct Blocks {
    len: usize,
    slots: [u64; CAPACITY],
}

impl Blocks {
    const fn new() -> Blocks {
        Blocks {
            len: 0,
            slots: [0; CAPACITY],
        }
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<*mut u8> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(self.slots[self.len] as *mut u8)
    }
    #[inline(always)]
    fn push(&mut self, p: *mut u8) -> bool {
        if self.len == CAPACITY {
            return false;
        }
        self.slots[self.len] = p as u64;
        self.len += 1;
        true
    }
}

/// The tuple free lists.
struct Lists {
    /// `tuples[n - 1]`: blocks of tuples of `n` items.
    tuples: [Blocks; MAX_TUPLE_LEN],
}

thread_local! {
    /// Per thread (the VM runs on one; tests run many VMs at once), without
    /// a destructor: blocks left at exit go back with the process.
    static LISTS: std::cell::UnsafeCell<Lists> = const {
        std::cell::UnsafeCell::new(Lists {
            tuples: [Blocks::new(), Blocks::new(), Blocks::new(), Blocks::new()],
        })
    };
}

#[inline(always)]
fn with<R>(f: impl FnOnce(&mut Lists) -> R) -> R {
    // SAFETY: the lists are this thread's own, and `f` (one push or pop)
    // does not re-enter this module.
    LISTS.with(|l| f(unsafe { &mut *l.get() }))
}

/// A dead tuple block for `n` items, if one is resting on its list.
#[inline(always)]
pub fn pop_tuple(n: usize) -> Option<*mut u8> {
    if n == 0 || n > MAX_TUPLE_LEN {
        return None;
    }
    with(|l| l.tuples[n - 1].pop())
}

/// Keeps the block of a dead tuple of `n` items; false (the caller frees
/// it) for other lengths or when the list is full.
#[inline(always)]
pub fn push_tuple(n: usize, p: *mut u8) -> bool {
    if n == 0 || n > MAX_TUPLE_LEN {
        return false;
    }
    with(|l| l.tuples[n - 1].push(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_last_in_first_out_and_bounded() {
        let mut b = Blocks::new();
        assert_eq!(b.pop(), None);
        assert!(b.push(16 as *mut u8));
        assert!(b.push(32 as *mut u8));
        assert_eq!(b.pop(), Some(32 as *mut u8));
        assert_eq!(b.pop(), Some(16 as *mut u8));
        assert_eq!(b.pop(), None);
        for i in 0..CAPACITY {
            assert!(b.push((8 * (i + 1)) as *mut u8));
        }
        assert!(!b.push(8 as *mut u8));
    }

    #[test]
    fn only_short_tuples_are_kept() {
        assert!(!push_tuple(0, 8 as *mut u8));
        assert!(!push_tuple(MAX_TUPLE_LEN + 1, 8 as *mut u8));
        assert_eq!(pop_tuple(0), None);
        assert_eq!(pop_tuple(MAX_TUPLE_LEN + 1), None);
    }
}
