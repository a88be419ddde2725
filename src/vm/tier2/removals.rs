//! The optimizer's record of what it changed, for `--dump-traces`.
//!
//! The optimizer calls [`RemovalLog::removed`] / [`RemovalLog::rewritten`]
//! at each change it decides. A log made with [`RemovalLog::off`] records
//! nothing: each call is one branch on a `None`, and the reasons are static
//! strings, so an optimizer run without dumping allocates nothing for it.

use crate::abi::uop::Uop;

/// One change the optimizer made to a projected trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    /// Index of the uop in the trace as projected (before optimization).
    pub index: usize,
    /// The uop as projected.
    pub uop: Uop,
    /// `None` when the uop was removed; else the uop that replaced it.
    pub replaced_by: Option<Uop>,
    /// Why, in a few words.
    pub reason: &'static str,
}

/// Where the optimizer records its changes (see the module docs).
#[derive(Debug, Default)]
pub struct RemovalLog(Option<Vec<Removal>>);

impl RemovalLog {
    /// A log that records nothing.
    pub const fn off() -> Self {
        RemovalLog(None)
    }

    /// A log that records every change.
    pub fn on() -> Self {
        RemovalLog(Some(Vec::new()))
    }

    /// Whether changes are being recorded.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Records that uop `index` (`uop`) was removed because of `reason`.
    #[inline]
    pub fn removed(&mut self, index: usize, uop: Uop, reason: &'static str) {
        if let Some(v) = &mut self.0 {
            v.push(Removal {
                index,
                uop,
                replaced_by: None,
                reason,
            });
        }
    }

    /// Records that uop `index` (`uop`) was replaced by `by` because of `reason`.
    #[inline]
    pub fn rewritten(&mut self, index: usize, uop: Uop, by: Uop, reason: &'static str) {
        if let Some(v) = &mut self.0 {
            v.push(Removal {
                index,
                uop,
                replaced_by: Some(by),
                reason,
            });
        }
    }

    /// The changes recorded, in the order they were made (empty when off).
    pub fn into_changes(self) -> Vec<Removal> {
        self.0.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_off_log_records_nothing_and_an_on_log_everything() {
        let mut off = RemovalLog::off();
        off.removed(1, Uop::NOP, "x");
        assert!(!off.is_on());
        assert!(off.into_changes().is_empty());
        let mut on = RemovalLog::on();
        on.removed(1, Uop::NOP, "no-op");
        on.rewritten(2, Uop::LOAD_FAST_CHECK, Uop::LOAD_FAST, "bound");
        let c = on.into_changes();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].replaced_by, None);
        assert_eq!(c[1].replaced_by, Some(Uop::LOAD_FAST));
        assert_eq!(c[1].index, 2);
    }
}
