//! A best-fit free-list allocator over offsets `[0, capacity)`, with
//! coalescing of neighbouring free blocks. Pure bookkeeping: it never touches
//! memory, so it is unit tested on its own.
//!
//! Best fit keeps the large tail block for last, so live blocks pack towards
//! low addresses and the committed high-water mark stays low.

use std::collections::{BTreeMap, BTreeSet};

/// Free ranges indexed by start (for coalescing) and by size (for best fit).
#[derive(Debug)]
pub struct FreeList {
    by_start: BTreeMap<usize, usize>,
    by_size: BTreeSet<(usize, usize)>,
    capacity: usize,
}

impl FreeList {
    /// A free list whose whole range `[0, capacity)` is free.
    pub fn new(capacity: usize) -> Self {
        let mut f = FreeList {
            by_start: BTreeMap::new(),
            by_size: BTreeSet::new(),
            capacity,
        };
        if capacity > 0 {
            f.insert(0, capacity);
        }
        f
    }

    fn insert(&mut self, start: usize, len: usize) {
        self.by_start.insert(start, len);
        self.by_size.insert((len, start));
    }

    fn remove(&mut self, start: usize, len: usize) {
        self.by_start.remove(&start);
        self.by_size.remove(&(len, start));
    }

    /// Takes `len` bytes from the smallest free block that fits (lowest
    /// address among equals). Returns the start offset.
    pub fn alloc(&mut self, len: usize) -> Option<usize> {
        let &(size, start) = self.by_size.range((len, 0)..).next()?;
        self.remove(start, size);
        if size > len {
            self.insert(start + len, size - len);
        }
        Some(start)
    }

    /// Returns `[start, start + len)` to the free list, merging it with free
    /// neighbours.
    pub fn free(&mut self, start: usize, len: usize) {
        debug_assert!(start + len <= self.capacity);
        let mut s = start;
        let mut l = len;
        if let Some((&ps, &pl)) = self.by_start.range(..start).next_back() {
            debug_assert!(ps + pl <= start, "double free or overlap");
            if ps + pl == start {
                self.remove(ps, pl);
                s = ps;
                l += pl;
            }
        }
        if let Some(&nl) = self.by_start.get(&(start + len)) {
            self.remove(start + len, nl);
            l += nl;
        }
        self.insert(s, l);
    }

    /// Start of the free block that reaches the end of the range, if any: every
    /// byte from there on is free.
    pub fn free_tail_start(&self) -> usize {
        match self.by_start.iter().next_back() {
            Some((&s, &l)) if s + l == self.capacity => s,
            _ => self.capacity,
        }
    }

    /// Number of free blocks (a fragmentation measure).
    pub fn block_count(&self) -> usize {
        self.by_start.len()
    }

    /// Largest free block.
    pub fn largest(&self) -> usize {
        self.by_size.iter().next_back().map_or(0, |&(l, _)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_low_and_reuses_freed_space() {
        let mut f = FreeList::new(1000);
        assert_eq!(f.alloc(100), Some(0));
        assert_eq!(f.alloc(100), Some(100));
        assert_eq!(f.alloc(50), Some(200));
        f.free(100, 100);
        // Best fit: the 100-byte hole, not the tail.
        assert_eq!(f.alloc(80), Some(100));
        assert_eq!(f.alloc(20), Some(180));
        assert_eq!(f.free_tail_start(), 250);
    }

    #[test]
    fn coalesces_both_sides() {
        let mut f = FreeList::new(300);
        let a = f.alloc(100).unwrap();
        let b = f.alloc(100).unwrap();
        let c = f.alloc(100).unwrap();
        assert_eq!(f.alloc(1), None);
        f.free(a, 100);
        f.free(c, 100);
        assert_eq!(f.block_count(), 2);
        f.free(b, 100);
        assert_eq!(f.block_count(), 1);
        assert_eq!(f.largest(), 300);
        assert_eq!(f.free_tail_start(), 0);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut f = FreeList::new(64);
        assert_eq!(f.alloc(65), None);
        assert_eq!(f.alloc(64), Some(0));
        assert_eq!(f.free_tail_start(), 64);
    }
}
