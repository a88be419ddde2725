//! Patch programs: every stencil group of a set, prepared once per context so
//! that emitting it is a copy and a short loop of stores.
//!
//! Preparation ([`Programs::new`]) does everything that does not depend on
//! where a group lands or on the instruction:
//! * resolves runtime symbols (no name lookups at emit time);
//! * patches position-independent holes into a private copy of each body
//!   (absolute symbol addresses, PC-relative references to the group's own
//!   code or to the code right after it);
//! * sorts the holes left by kind: the two kinds x86-64 stencils use
//!   (`Abs64`, `Rel32` in code) become [`FastPatch`]es, stored contiguously,
//!   `Rel32` with its own offset folded into the addend; every other kind,
//!   and every data hole, becomes a [`SlowPatch`] handled by
//!   [`crate::jit::patch`];
//! * lays every body out in one arena, each starting on a [`CHUNK`] boundary
//!   and padded with zeros to the next, so a body can be copied in whole
//!   chunks (see [`Programs::put`]).

use super::MAX_DATA_ALIGN;
use crate::jit::error::JitError;
use crate::jit::patch;
use crate::jit::symbols::SymbolTable;
use cpjit_abi::stencil::{HoleKind, HoleValue, Stencil, StencilGroup};

/// Bytes moved per step of the copy loop; bodies are padded to a multiple.
pub(super) const CHUNK: usize = 32;
/// Code bodies up to this size (most of them) are copied with one
/// fixed-size move when there is room after them; the arena ends with this
/// many zeros so the move may always read that far.
const SHORT: usize = 64;

/// Slots of the per-instruction value table: the 16 [`HoleValue`]s, rounded
/// up to a power of two so that an index masked with [`VALUE_MASK`] needs no
/// bounds check.
pub(super) const VALUE_SLOTS: usize = 16;
/// Mask applied to a patch's value index (always below 16 already).
const VALUE_MASK: usize = VALUE_SLOTS - 1;
/// The per-instruction value table, indexed by [`value_index`].
pub(super) type Values = [u64; VALUE_SLOTS];

/// Position of each [`HoleValue`] in the value table.
pub(super) const fn value_index(v: HoleValue) -> usize {
    match v {
        HoleValue::Code => 0,
        HoleValue::Continue => 1,
        HoleValue::Data => 2,
        HoleValue::Executor => 3,
        HoleValue::Top => 4,
        HoleValue::Zero => 5,
        HoleValue::Oparg => 6,
        HoleValue::Operand => 7,
        HoleValue::Target => 8,
        HoleValue::JumpTarget => 9,
        HoleValue::ErrorTarget => 10,
        HoleValue::ExitIndex => 11,
        HoleValue::OperandHi => 12,
        HoleValue::OpargBytes => 13,
        HoleValue::OperandBytes => 14,
        HoleValue::OperandI32 => 15,
    }
}

/// An `Abs64` or `Rel32` hole in code: `values[value] + addend` stored as a
/// 64-bit word, or, for `Rel32`, minus the address of the group's code (the
/// hole's own offset is already subtracted in `addend`) as a signed 32-bit
/// displacement.
#[derive(Clone, Copy, Debug)]
struct FastPatch {
    addend: u64,
    offset: u32,
    value: u32,
}

/// Any other hole: patched by [`patch::apply`] with `values[value] + addend`.
#[derive(Clone, Copy, Debug)]
struct SlowPatch {
    addend: u64,
    offset: u32,
    value: u8,
    kind: HoleKind,
}

/// One prepared group: where its bodies and patches are in the arenas.
/// The fields [`Programs::put_code`] reads come first.
#[derive(Clone, Copy, Debug)]
pub(super) struct Program {
    /// Offset of the code body in the byte arena.
    code_at: u32,
    /// Bytes of code rounded up to whole [`CHUNK`]s.
    code_padded: u32,
    /// Bytes of code.
    pub code_len: u32,
    /// The group's fast patches: `Abs64` ones in `fast[fast_at..fast_mid]`,
    /// `Rel32` ones in `fast[fast_mid..fast_end]`.
    fast_at: u32,
    fast_mid: u32,
    fast_end: u32,
    /// Whether the group is known and all its symbols resolved.
    pub usable: bool,
    /// Whether the group has data or holes whose value is its data's
    /// address: then its data needs placing ([`Programs::put_data`]).
    pub cold: bool,
    /// Whether the group's code has slow patches ([`Programs::put_slow_code`]).
    pub slow_code: bool,
    /// Offset of the data body in the byte arena.
    data_at: u32,
    /// Bytes of data rounded up to whole [`CHUNK`]s.
    data_padded: u32,
    /// Bytes of data.
    pub data_len: u32,
    /// Required alignment of the data.
    pub data_align: u32,
    /// First slow patch: `n_slow_data` for data, then `n_slow_code` for code.
    slow_at: u32,
    n_slow_data: u16,
    n_slow_code: u16,
    /// A runtime symbol the embedder did not provide: emitting this group fails.
    pub unresolved: Option<&'static str>,
}

impl Program {
    /// A uop the stencil set has no code for.
    pub const UNKNOWN: Program = Program {
        code_at: 0,
        code_padded: 0,
        code_len: 0,
        fast_at: 0,
        fast_mid: 0,
        fast_end: 0,
        usable: false,
        cold: false,
        slow_code: false,
        data_at: 0,
        data_padded: 0,
        data_len: 0,
        data_align: 1,
        slow_at: 0,
        n_slow_data: 0,
        n_slow_code: 0,
        unresolved: None,
    };
}

/// Where a group's `Continue` points, relative to the start of its code.
#[derive(Clone, Copy, Debug)]
pub(super) enum ContinueAt {
    /// Just past the group's code: the next uop, or the guard after the last.
    Next,
    /// The group's own start (the fatal-error guard, which never continues).
    Itself,
}

/// Every prepared group of a stencil set, in shared arenas.
#[derive(Clone, Debug, Default)]
pub(super) struct Programs {
    /// Every body, each starting on a [`CHUNK`] boundary, zero padded, plus
    /// one chunk of zeros at the end.
    bytes: Vec<u8>,
    fast: Vec<FastPatch>,
    slow: Vec<SlowPatch>,
}

fn too_big(name: &str) -> JitError {
    JitError::BadStencil(format!("{name}: stencil too large"))
}

impl Programs {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Prepares one group against `symbols` (see the module documentation).
    pub fn prepare(
        &mut self,
        name: &str,
        g: &StencilGroup,
        symbols: &SymbolTable,
        cont: ContinueAt,
    ) -> Result<Program, JitError> {
        let align = g.data_align.max(1) as usize;
        if !align.is_power_of_two() || align > MAX_DATA_ALIGN {
            return Err(JitError::BadStencil(format!(
                "{name}: data alignment {align} is not a power of two up to {MAX_DATA_ALIGN}"
            )));
        }
        let mut unresolved = None;
        let continue_offset = match cont {
            ContinueAt::Next => g.code.body.len() as u64,
            ContinueAt::Itself => 0,
        };
        let slow_at = u32::try_from(self.slow.len()).map_err(|_| too_big(name))?;
        let (data_at, data_len, n_slow_data) =
            self.prepare_body(name, &g.data, None, symbols, &mut unresolved)?;
        let fast_at = u32::try_from(self.fast.len()).map_err(|_| too_big(name))?;
        let (code_at, code_len, n_slow_code) = self.prepare_body(
            name,
            &g.code,
            Some(continue_offset),
            symbols,
            &mut unresolved,
        )?;
        // Fast patches of this group: Abs64 first, then Rel32.
        let mine = &mut self.fast[fast_at as usize..];
        mine.sort_by_key(|f| f.value & 0x8000_0000 != 0);
        let n_rel32 = mine.iter().filter(|f| f.value & 0x8000_0000 != 0).count();
        let n_abs64 = mine.len() - n_rel32;
        for f in mine.iter_mut() {
            f.value &= 0x7FFF_FFFF;
        }
        let small = |n: usize| u16::try_from(n).map_err(|_| too_big(name));
        let data_value = value_index(HoleValue::Data) as u32;
        let cold = data_len > 0 || n_slow_data > 0 || mine.iter().any(|f| f.value == data_value);
        let fast_mid = fast_at + n_abs64 as u32;
        let fast_end = fast_mid + n_rel32 as u32;
        Ok(Program {
            code_at,
            code_padded: code_len.next_multiple_of(CHUNK as u32),
            code_len,
            fast_at,
            fast_mid,
            fast_end,
            usable: unresolved.is_none(),
            cold,
            slow_code: n_slow_code > 0,
            data_at,
            data_padded: data_len.next_multiple_of(CHUNK as u32),
            data_len,
            data_align: align as u32,
            slow_at,
            n_slow_data: small(n_slow_data)?,
            n_slow_code: small(n_slow_code)?,
            unresolved,
        })
    }

    /// Appends one body to the arena with its position-independent holes
    /// patched, and its other holes to the patch lists. `code` is the offset
    /// `Continue` points at for a code body, `None` for a data body. Returns
    /// the body's offset and length in the arena and its slow patch count.
    /// Fast patches are pushed with bit 31 of `value` set for `Rel32`.
    fn prepare_body(
        &mut self,
        name: &str,
        s: &Stencil,
        code: Option<u64>,
        symbols: &SymbolTable,
        unresolved: &mut Option<&'static str>,
    ) -> Result<(u32, u32, usize), JitError> {
        let at = self.bytes.len();
        let len = s.body.len();
        let (at32, len32) = match (u32::try_from(at), u32::try_from(len)) {
            (Ok(a), Ok(l)) if at + len + 2 * CHUNK <= u32::MAX as usize => (a, l),
            _ => return Err(too_big(name)),
        };
        self.bytes.extend_from_slice(s.body);
        self.bytes.resize(at + len.next_multiple_of(CHUNK), 0);
        let mut n_slow = 0;
        for h in s.holes {
            let offset = h.offset as usize;
            if offset + patch::width(h.kind) > len {
                return Err(JitError::BadStencil(format!(
                    "{name}: {} hole at {offset} runs past the body ({len} bytes)",
                    if code.is_some() { "code" } else { "data" },
                )));
            }
            let sym = match h.symbol {
                None => Some(0),
                Some(sym) => symbols.get(sym).or_else(|| {
                    unresolved.get_or_insert(sym);
                    None
                }),
            };
            let addend = sym.unwrap_or(0).wrapping_add(h.addend as u64);
            // Position-independent holes, patched relative to address 0.
            let fixed = match (h.kind, h.value, sym.is_some(), code) {
                (
                    HoleKind::Abs64 | HoleKind::Abs32 | HoleKind::Abs32S,
                    HoleValue::Zero,
                    true,
                    _,
                ) => Some(addend),
                (HoleKind::Rel32, HoleValue::Code, true, Some(_)) => Some(addend),
                (HoleKind::Rel32, HoleValue::Continue, true, Some(next)) => {
                    Some(next.wrapping_add(addend))
                }
                _ => None,
            };
            if let Some(v) = fixed {
                let body = &mut self.bytes[at..at + len];
                if patch::apply(h.kind, body, offset, 0, v).is_some() {
                    continue;
                }
            }
            let value = value_index(h.value);
            match (h.kind, code) {
                (HoleKind::Abs64, Some(_)) => self.fast.push(FastPatch {
                    addend,
                    offset: h.offset,
                    value: value as u32,
                }),
                (HoleKind::Rel32, Some(_)) => self.fast.push(FastPatch {
                    addend: addend.wrapping_sub(h.offset as u64),
                    offset: h.offset,
                    value: value as u32 | 0x8000_0000,
                }),
                (kind, _) => {
                    n_slow += 1;
                    self.slow.push(SlowPatch {
                        addend,
                        offset: h.offset,
                        value: value as u8,
                        kind,
                    })
                }
            }
        }
        Ok((at32, len32, n_slow))
    }

    /// Ends preparation: adds the trailing chunk of zeros that lets the last
    /// body be copied in whole chunks.
    pub fn finish(&mut self) {
        self.bytes.resize(self.bytes.len() + SHORT, 0);
        self.bytes.shrink_to_fit();
        self.fast.shrink_to_fit();
        self.slow.shrink_to_fit();
    }

    /// [`Programs::put_data`] for the common case, inline: data of one
    /// chunk, no data holes left, room for a whole chunk after it.
    #[inline(always)]
    pub fn put_small_data(
        &self,
        p: &Program,
        buf: &mut [u8],
        d: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        let at = p.data_at as usize;
        match self.bytes.get(at..at + CHUNK) {
            Some(src)
                if p.data_padded as usize <= CHUNK
                    && p.n_slow_data == 0
                    && d.checked_add(CHUNK).is_some_and(|e| e <= buf.len()) =>
            {
                // SAFETY: `d + CHUNK <= buf.len()`; unaligned. The chunk is
                // the body and its zero padding: no other bytes spill.
                unsafe {
                    let s = src.as_ptr().cast::<[u8; CHUNK]>();
                    let dst = buf.as_mut_ptr().add(d).cast::<[u8; CHUNK]>();
                    dst.write_unaligned(s.read_unaligned());
                }
                Ok(())
            }
            _ => self.put_data(p, buf, d, base, values),
        }
    }

    /// Copies `p`'s data to `buf[d..]` and patches it with `values`
    /// (indexed by [`value_index`]). Only groups marked `cold` need it; it
    /// comes before [`Programs::put_code`] because relaxing a GOT load reads
    /// the patched GOT slot. Data pieces are laid out in order, so copying
    /// whole chunks may spill zeros into the next piece's place.
    #[inline(never)]
    pub fn put_data(
        &self,
        p: &Program,
        buf: &mut [u8],
        d: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        let (at, len, padded) = (
            p.data_at as usize,
            p.data_len as usize,
            p.data_padded as usize,
        );
        let src = self.bytes.get(at..at + padded).ok_or_else(misfit)?;
        let limit = buf.len();
        copy(buf, d, src, len, limit)?;
        let at = p.slow_at as usize;
        let slow = self
            .slow
            .get(at..at + p.n_slow_data as usize)
            .unwrap_or(&[]);
        Self::slow_patches(buf, slow, d, base, values)
    }

    /// Copies `p`'s code to `buf[c..]` and patches its fast holes with
    /// `values` (indexed by [`value_index`]; `values[Code]` must be
    /// `base + c`). The code is copied in whole [`CHUNK`]s when they end at
    /// or before `code_end`: the overhang lands where the following groups'
    /// code goes, which the caller writes afterwards. `buf` holds the block
    /// that will run at address `base`.
    #[inline(always)]
    pub fn put_code(
        &self,
        p: &Program,
        buf: &mut [u8],
        c: usize,
        code_end: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        let (at, len, padded) = (
            p.code_at as usize,
            p.code_len as usize,
            p.code_padded as usize,
        );
        // After the copy, `c + len <= buf.len()`: every patch lies in the
        // code body (checked at preparation), so in `buf`.
        let limit = code_end.min(buf.len());
        match self.bytes.get(at..at + SHORT) {
            // The bytes past the body (the arena's next bodies) land where
            // the following groups' code goes, written afterwards.
            Some(src) if padded <= SHORT && c.checked_add(SHORT).is_some_and(|e| e <= limit) => {
                // SAFETY: `c + SHORT <= limit <= buf.len()`; unaligned.
                unsafe {
                    let s = src.as_ptr().cast::<[u8; SHORT]>();
                    let d = buf.as_mut_ptr().add(c).cast::<[u8; SHORT]>();
                    d.write_unaligned(s.read_unaligned());
                }
            }
            _ => {
                let src = self.bytes.get(at..at + padded).ok_or_else(misfit)?;
                copy(buf, c, src, len, limit)?;
            }
        }
        let (at, mid, end) = (p.fast_at as usize, p.fast_mid as usize, p.fast_end as usize);
        let abs64 = self.fast.get(at..mid).unwrap_or(&[]);
        let rel32 = self.fast.get(mid..end).unwrap_or(&[]);
        let dst = buf.as_mut_ptr();
        for f in abs64 {
            let v = values[f.value as usize & VALUE_MASK].wrapping_add(f.addend);
            debug_assert!(f.offset as usize + 8 <= len);
            // SAFETY: the hole lies in the code body (checked at
            // preparation), which lies in `buf` (checked by `copy`); the
            // store is unaligned.
            unsafe {
                dst.add(c + f.offset as usize)
                    .cast::<u64>()
                    .write_unaligned(v.to_le())
            }
        }
        let code_addr = base.wrapping_add(c as u64);
        for f in rel32 {
            let value = values[f.value as usize & VALUE_MASK].wrapping_add(f.addend);
            let rel = value.wrapping_sub(code_addr) as i64;
            let Ok(rel) = i32::try_from(rel) else {
                let offset = c + f.offset as usize;
                let value = value.wrapping_add(f.offset as u64);
                return patch::patch(HoleKind::Rel32, buf, offset, base, value);
            };
            debug_assert!(f.offset as usize + 4 <= len);
            // SAFETY: as for `abs64`.
            unsafe {
                dst.add(c + f.offset as usize)
                    .cast::<u32>()
                    .write_unaligned((rel as u32).to_le())
            }
        }
        Ok(())
    }

    /// Patches `p`'s code holes of the slow kinds, after
    /// [`Programs::put_code`]. Only groups marked `cold` need it.
    #[inline(never)]
    pub fn put_slow_code(
        &self,
        p: &Program,
        buf: &mut [u8],
        c: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        let at = p.slow_at as usize + p.n_slow_data as usize;
        let slow = self
            .slow
            .get(at..at + p.n_slow_code as usize)
            .unwrap_or(&[]);
        Self::slow_patches(buf, slow, c, base, values)
    }

    /// Patches holes of kinds other than the fast ones, through
    /// [`patch::apply`].
    #[cold]
    #[inline(never)]
    fn slow_patches(
        buf: &mut [u8],
        holes: &[SlowPatch],
        at: usize,
        base: u64,
        values: &Values,
    ) -> Result<(), JitError> {
        for h in holes {
            let value = values[h.value as usize & VALUE_MASK].wrapping_add(h.addend);
            patch::patch(h.kind, buf, at + h.offset as usize, base, value)?;
        }
        Ok(())
    }
}

fn misfit() -> JitError {
    JitError::BadStencil("emit: layout does not fit the buffer".into())
}

/// Copies a body (`src`: its `len` bytes, then zeros up to whole chunks) to
/// `buf[at..]`: in whole chunks if they end at or before `limit`, else
/// exactly. Fails if the exact range does not lie in `buf`.
#[inline(always)]
fn copy(buf: &mut [u8], at: usize, src: &[u8], len: usize, limit: usize) -> Result<(), JitError> {
    let padded = src.len();
    let limit = limit.min(buf.len());
    if padded >= len && at.checked_add(padded).is_some_and(|end| end <= limit) {
        let dst = buf.as_mut_ptr();
        let mut i = 0;
        while i + CHUNK <= padded {
            // SAFETY: `i + CHUNK <= padded`, so the read
            // lies in `src` and the write in `buf[..limit]`; unaligned.
            unsafe {
                let s = src.as_ptr().add(i).cast::<[u8; 16]>();
                let d = dst.add(at + i).cast::<[u8; 16]>();
                d.write_unaligned(s.read_unaligned());
                d.add(1).write_unaligned(s.add(1).read_unaligned());
            }
            i += CHUNK;
        }
        Ok(())
    } else {
        let end = at.checked_add(len).ok_or_else(misfit)?;
        buf.get_mut(at..end)
            .ok_or_else(misfit)?
            .copy_from_slice(src.get(..len).ok_or_else(misfit)?);
        Ok(())
    }
}
