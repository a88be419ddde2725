//! The GOT the harvester synthesizes in a group's data: one pointer-sized
//! slot per distinct (value, symbol, addend) that code reaches through a GOT
//! relocation or a COFF `__imp_` symbol. Each slot is a data hole; each
//! reference becomes a hole on the slot's address (`Data` + slot offset).

use cpjit_abi::stencil::{HoleKind, HoleValue};

use crate::stencils::{OwnedHole, OwnedStencil, Part};

/// Slots and the references to them, before they are placed.
#[derive(Default)]
pub(crate) struct Got {
    slots: Vec<(HoleValue, Option<String>, i64)>,
    /// (stencil the reference is in, its hole with the addend relative to
    /// the slot, slot index).
    pub(crate) refs: Vec<(Part, OwnedHole, usize)>,
}

impl Got {
    /// The index of the slot holding `value + symbol + addend`, made on first use.
    pub(crate) fn slot(&mut self, value: HoleValue, symbol: Option<String>, addend: i64) -> usize {
        let key = (value, symbol, addend);
        match self.slots.iter().position(|s| *s == key) {
            Some(i) => i,
            None => {
                self.slots.push(key);
                self.slots.len() - 1
            }
        }
    }

    /// Appends the slots to `data` (aligned to a pointer), adds their holes,
    /// and returns the references with their final addends.
    pub(crate) fn place(
        self,
        data: &mut OwnedStencil,
        data_align: &mut u32,
        pointer_size: u32,
    ) -> Vec<(Part, OwnedHole)> {
        if self.slots.is_empty() {
            return Vec::new();
        }
        let ptr = pointer_size as usize;
        *data_align = (*data_align).max(pointer_size);
        let pad = (ptr - data.body.len() % ptr) % ptr;
        data.body.extend(std::iter::repeat_n(0, pad));
        let base = data.body.len();
        let kind = if ptr == 8 {
            HoleKind::Abs64
        } else {
            HoleKind::Abs32
        };
        for (i, (value, symbol, addend)) in self.slots.into_iter().enumerate() {
            data.holes.push(OwnedHole {
                offset: (base + i * ptr) as u32,
                kind,
                value,
                symbol,
                addend,
            });
            data.body.extend(std::iter::repeat_n(0, ptr));
        }
        self.refs
            .into_iter()
            .map(|(part, mut hole, slot)| {
                hole.addend = hole.addend.wrapping_add((base + slot * ptr) as i64);
                (part, hole)
            })
            .collect()
    }
}
