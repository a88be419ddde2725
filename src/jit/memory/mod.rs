//! Executable memory: one reservation per JIT context, packed with many
//! executors, W^X at every moment.
//!
//! # Design
//!
//! A context reserves its whole memory limit as one inaccessible
//! (`PROT_NONE`, `MAP_NORESERVE`) anonymous mapping, named `cpjit` with
//! `PR_SET_VMA_ANON_NAME` where the kernel supports it. Address space is
//! free; memory is *committed* page by page up to a high-water mark as
//! executors need it. A best-fit [`freelist::FreeList`] hands out 64-byte
//! aligned blocks, so executors share pages and freed space is reused; the
//! committed high-water mark drops again (pages are returned with
//! `MADV_DONTNEED`) once more than [`MemoryConfig::retain_free_bytes`] at the
//! top are free.
//!
//! Committed pages are read+execute. To write a block, the emitter flips only
//! the pages the block touches to read+write, copies and patches, and flips
//! them back to read+execute before any code can run; no page is ever
//! writable and executable at once, under any address (we chose page flips
//! over a double memfd mapping for that reason, and because it needs no file
//! descriptor). Flipping pages that other executors' code shares is safe
//! because a context and its executors are confined to one thread (they are
//! `!Send`): while that thread is in the emitter, no code of the context is
//! executing. Code may be *suspended* on the stack (a helper called from JIT
//! code may compile a trace), and it is read+execute again before control
//! returns to it.
//!
//! Every system call failure is a [`JitError`], so a VM can stay in its
//! interpreter.

pub mod freelist;
pub mod os;
pub mod valgrind;

use crate::jit::error::JitError;
use freelist::FreeList;
use os::Protection;

/// Alignment of every block: a cache line, enough for any stencil data.
pub const BLOCK_ALIGN: usize = 64;

/// Limits of a context's executable memory.
#[derive(Clone, Copy, Debug)]
pub struct MemoryConfig {
    /// Most bytes of code and data the context may hold at once (rounded up
    /// to whole pages). This much address space is reserved up front; memory
    /// is committed only as it is used.
    pub limit: usize,
    /// Free committed bytes kept at the top of the used range before pages
    /// are given back to the kernel (avoids protect/unprotect churn).
    pub retain_free_bytes: usize,
    /// Try to reserve the memory just below this program's code, so that the
    /// whole reservation is within ±2 GiB of the runtime helpers linked into
    /// it and GOT loads of them relax to direct calls. Falls back to any
    /// address.
    pub near_program: bool,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            limit: 256 << 20,
            retain_free_bytes: 64 << 10,
            near_program: true,
        }
    }
}

/// A block of executable memory owned by one executor.
#[derive(Debug)]
pub struct Block {
    offset: usize,
    len: usize,
    used: usize,
}

impl Block {
    /// Bytes the block spans (a multiple of [`BLOCK_ALIGN`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the block is empty (never, for blocks handed out).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the owner asked for.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// Counters describing a context's executable memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    /// Address space reserved (the limit, in whole pages).
    pub reserved: usize,
    /// Bytes of pages currently committed (accessible, backed by memory).
    pub committed: usize,
    /// Bytes in live blocks (requested sizes rounded to [`BLOCK_ALIGN`]).
    pub allocated: usize,
    /// Bytes requested by live blocks: the code and data actually emitted.
    pub emitted: usize,
    /// Number of live blocks.
    pub live_blocks: usize,
    /// Blocks allocated since the start.
    pub total_allocs: u64,
    /// Blocks freed since the start.
    pub total_frees: u64,
    /// `mprotect`/`madvise` calls made since the start.
    pub protect_calls: u64,
    /// Free blocks (fragmentation).
    pub free_blocks: usize,
    /// Whether the kernel accepted the mapping's `cpjit` name.
    pub named: bool,
}

impl MemoryStats {
    /// Committed bytes over emitted bytes (the packing overhead), or 0 when
    /// nothing is live.
    pub fn committed_ratio(&self) -> f64 {
        if self.emitted == 0 {
            0.0
        } else {
            self.committed as f64 / self.emitted as f64
        }
    }
}

/// A context's executable memory (see the module documentation).
#[derive(Debug)]
pub struct CodeMemory {
    base: *mut u8,
    reserved: usize,
    page: usize,
    committed: usize,
    retain: usize,
    free: FreeList,
    stats: MemoryStats,
}

/// Reserves `len` bytes as close below this program's code as is free, so
/// that the program's functions and statics are reachable from every byte of
/// the reservation with 32-bit displacements. `None` if no such place is free.
fn reserve_near_program(len: usize) -> Option<*mut u8> {
    const GAP: usize = 16 << 20;
    const REACH: usize = (1 << 31) - (64 << 20);
    let anchor = reserve_near_program as *const () as usize;
    for k in 1.. {
        let hint = anchor.checked_sub(k * (len + GAP))? & !0xFFFF;
        if anchor - hint > REACH {
            return None;
        }
        let p = os::reserve_at(hint as *mut u8, len).ok()?;
        let (lo, hi) = (p as usize, p as usize + len);
        if (lo < anchor && anchor - lo <= REACH) || (lo >= anchor && hi - anchor <= REACH) {
            return Some(p);
        }
        // SAFETY: the reservation was just made and is unused.
        let _ = unsafe { os::release(p, len) };
    }
    None
}

fn round_up(n: usize, to: usize) -> Option<usize> {
    Some(n.checked_add(to - 1)? & !(to - 1))
}

impl CodeMemory {
    /// Reserves `config.limit` bytes of address space.
    pub fn new(config: MemoryConfig) -> Result<Self, JitError> {
        let page = os::page_size();
        let reserved = round_up(config.limit.max(page), page).ok_or(JitError::TraceTooLarge {
            needed: config.limit,
            limit: config.limit,
        })?;
        let near = if config.near_program {
            reserve_near_program(reserved)
        } else {
            None
        };
        let base = match near {
            Some(p) => p,
            None => os::reserve(reserved)?,
        };
        let named = os::name_mapping(base, reserved, c"cpjit");
        Ok(CodeMemory {
            base,
            reserved,
            page,
            committed: 0,
            retain: round_up(config.retain_free_bytes, page).unwrap_or(usize::MAX),
            free: FreeList::new(reserved),
            stats: MemoryStats {
                reserved,
                named,
                ..MemoryStats::default()
            },
        })
    }

    /// The reserved address range `[start, end)`: every byte of code this
    /// context emits lies inside it.
    pub fn address_range(&self) -> (usize, usize) {
        (self.base as usize, self.base as usize + self.reserved)
    }

    /// Allocates a block of at least `size` bytes.
    pub fn alloc(&mut self, size: usize) -> Result<Block, JitError> {
        let len = round_up(size.max(1), BLOCK_ALIGN).unwrap_or(usize::MAX);
        if len > self.reserved {
            return Err(JitError::TraceTooLarge {
                needed: size,
                limit: self.reserved,
            });
        }
        let offset = self.free.alloc(len).ok_or(JitError::OutOfMemory {
            needed: size,
            limit: self.reserved,
            in_use: self.stats.allocated,
        })?;
        self.stats.allocated += len;
        self.stats.emitted += size;
        self.stats.live_blocks += 1;
        self.stats.total_allocs += 1;
        Ok(Block {
            offset,
            len,
            used: size,
        })
    }

    /// Address of a block's first byte.
    pub fn address(&self, block: &Block) -> *const u8 {
        // SAFETY: blocks lie inside the reservation.
        unsafe { self.base.add(block.offset) }
    }

    /// Makes the pages under `block` writable, calls `fill` with the block's
    /// `used` bytes and their final address, then makes the pages executable
    /// again, flushes the instruction cache and, under valgrind, discards
    /// valgrind's translations of the block (its space may have held other
    /// code before). The bytes handed to `fill` start zeroed only on fresh
    /// pages; `fill` must write all of them.
    ///
    /// This is the only place that writes executable memory.
    pub fn write<R>(
        &mut self,
        block: &Block,
        fill: impl FnOnce(&mut [u8], u64) -> Result<R, JitError>,
    ) -> Result<R, JitError> {
        let (lo, hi) = self.window(block);
        // SAFETY: [lo, hi) is page aligned inside the reservation. Pages below
        // the high-water mark hold other executors' code, which is not
        // running: the context is confined to this thread, which is here.
        unsafe { os::protect(self.base.add(lo), hi - lo, Protection::ReadWrite)? };
        self.stats.protect_calls += 1;
        self.committed = self.committed.max(hi);
        // SAFETY: the block's bytes are inside [lo, hi), now read+write, and
        // owned by the caller's block alone.
        let buf =
            unsafe { std::slice::from_raw_parts_mut(self.base.add(block.offset), block.used) };
        let addr = buf.as_ptr() as u64;
        let result = fill(buf, addr);
        // SAFETY: as above; afterwards the pages are read+execute again.
        let flipped = unsafe { os::protect(self.base.add(lo), hi - lo, Protection::ReadExecute) };
        self.stats.protect_calls += 1;
        flipped?;
        os::flush_icache(addr as *const u8, block.used);
        valgrind::discard_translations(addr as *const u8, block.used);
        result
    }

    /// Overwrites `bytes.len()` bytes of `block`'s code at `offset` (a
    /// linked exit's jump, see `crate::jit::executor`): flips only the pages
    /// under those bytes to read+write, copies, flips them back to
    /// read+execute, flushes the instruction cache and discards valgrind's
    /// translations of the range. Code of this context may be suspended on
    /// the stack (as for [`CodeMemory::write`]), never running.
    pub fn patch(&mut self, block: &Block, offset: usize, bytes: &[u8]) -> Result<(), JitError> {
        let end = offset
            .checked_add(bytes.len())
            .filter(|&e| e <= block.used)
            .ok_or(JitError::TraceTooLarge {
                needed: offset.saturating_add(bytes.len()),
                limit: block.used,
            })?;
        let start = block.offset + offset;
        let lo = start & !(self.page - 1);
        let hi = round_up(block.offset + end, self.page)
            .unwrap_or(self.reserved)
            .min(self.reserved);
        // SAFETY: [lo, hi) is page aligned, inside the reservation and
        // committed (the block was written before); no code of the context
        // runs while this thread is here (see `write`).
        unsafe { os::protect(self.base.add(lo), hi - lo, Protection::ReadWrite)? };
        self.stats.protect_calls += 1;
        // SAFETY: the range lies inside the block, now read+write.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(start), bytes.len()) };
        // SAFETY: as above; afterwards the pages are read+execute again.
        let flipped = unsafe { os::protect(self.base.add(lo), hi - lo, Protection::ReadExecute) };
        self.stats.protect_calls += 1;
        flipped?;
        // SAFETY: `start` lies inside the reservation.
        let addr = unsafe { self.base.add(start) } as *const u8;
        os::flush_icache(addr, bytes.len());
        valgrind::discard_translations(addr, bytes.len());
        Ok(())
    }

    /// Page-aligned window `[lo, hi)` covering a block.
    fn window(&self, block: &Block) -> (usize, usize) {
        let lo = block.offset & !(self.page - 1);
        let hi = round_up(block.offset + block.len, self.page).unwrap_or(self.reserved);
        (lo, hi.min(self.reserved))
    }

    /// Returns a block. Its code must not be running nor be reachable any more.
    pub fn free(&mut self, block: Block) {
        self.free.free(block.offset, block.len);
        self.stats.allocated -= block.len;
        self.stats.emitted -= block.used;
        self.stats.live_blocks -= 1;
        self.stats.total_frees += 1;
        let tail = round_up(self.free.free_tail_start(), self.page).unwrap_or(self.reserved);
        let keep = tail.saturating_add(self.retain).min(self.reserved);
        if keep < self.committed {
            // SAFETY: [keep, committed) is page aligned and entirely free.
            let r = unsafe { os::decommit(self.base.add(keep), self.committed - keep) };
            self.stats.protect_calls += 2;
            if r.is_ok() {
                self.committed = keep;
            }
        }
    }

    /// Current counters.
    pub fn stats(&self) -> MemoryStats {
        MemoryStats {
            committed: self.committed,
            free_blocks: self.free.block_count(),
            ..self.stats
        }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: the reservation is ours; the context drops its memory only
        // when no executor (and so no code) refers to it any more. An error
        // here can only leak address space.
        let _ = unsafe { os::release(self.base, self.reserved) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> CodeMemory {
        CodeMemory::new(MemoryConfig {
            limit: 1 << 20,
            retain_free_bytes: 0,
            near_program: false,
        })
        .unwrap()
    }

    #[test]
    fn blocks_pack_into_shared_pages_and_space_is_reused() {
        let mut m = small();
        let a = m.alloc(100).unwrap();
        let b = m.alloc(100).unwrap();
        assert_eq!(m.address(&b) as usize - m.address(&a) as usize, 128);
        m.write(&a, |buf, _| {
            buf.fill(0xC3);
            Ok(())
        })
        .unwrap();
        m.write(&b, |buf, _| {
            buf.fill(0xCC);
            Ok(())
        })
        .unwrap();
        assert_eq!(m.stats().committed, os::page_size());
        let a_addr = m.address(&a);
        // SAFETY: the page is read+execute, so readable.
        assert_eq!(unsafe { *a_addr }, 0xC3);
        m.free(a);
        let c = m.alloc(90).unwrap();
        assert_eq!(m.address(&c), a_addr);
        m.free(b);
        m.free(c);
        let s = m.stats();
        assert_eq!(
            (s.live_blocks, s.allocated, s.emitted, s.committed),
            (0, 0, 0, 0)
        );
    }

    #[test]
    fn too_large_and_exhaustion_are_errors() {
        let mut m = small();
        assert!(matches!(
            m.alloc(2 << 20),
            Err(JitError::TraceTooLarge { .. })
        ));
        let big = m.alloc(1 << 20).unwrap();
        assert!(matches!(m.alloc(1), Err(JitError::OutOfMemory { .. })));
        m.free(big);
        assert!(m.alloc(1).is_ok());
    }

    /// Lines of `/proc/self/maps` that start at `addr`.
    fn maps_at(addr: usize) -> Vec<String> {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
        maps.lines()
            .filter(|l| {
                l.split('-')
                    .next()
                    .and_then(|a| usize::from_str_radix(a, 16).ok())
                    == Some(addr)
            })
            .map(str::to_string)
            .collect()
    }

    /// The memory is always named where the kernel can name anonymous
    /// mappings (Linux 5.17+ with `CONFIG_ANON_VMA_NAME`), and a kernel that
    /// cannot is no error. Support is probed on a mapping of the test's own,
    /// so this passes on both kinds of kernel and checks the name where it
    /// can.
    #[test]
    fn the_mapping_is_named_where_the_kernel_can() {
        let page = os::page_size();
        let probe = os::reserve(page).unwrap();
        let supported = os::name_mapping(probe, page, c"cpjit-probe");
        // `name_mapping` tells the truth about what the kernel did.
        let probe_named = maps_at(probe as usize)
            .iter()
            .any(|l| l.ends_with("[anon:cpjit-probe]"));
        // SAFETY: the probe is our own unused reservation.
        unsafe { os::release(probe, page) }.unwrap();
        assert_eq!(supported, probe_named);
        let mut m = small();
        assert_eq!(m.stats().named, supported);
        let (lo, _) = m.address_range();
        if supported {
            let lines = maps_at(lo);
            assert!(
                lines.iter().any(|l| l.ends_with("[anon:cpjit]")),
                "{lines:?}"
            );
        }
        // Named or not, the memory works.
        let b = m.alloc(16).unwrap();
        m.write(&b, |buf, _| {
            buf.fill(0xC3);
            Ok(())
        })
        .unwrap();
        m.free(b);
    }

    #[test]
    fn an_impossible_reservation_is_an_error() {
        let r = CodeMemory::new(MemoryConfig {
            limit: usize::MAX / 2,
            retain_free_bytes: 0,
            near_program: true,
        });
        assert!(matches!(r, Err(JitError::Mapping { .. })));
    }
}
