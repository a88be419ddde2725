//! Records every trace tier 2 hands to the JIT, for measuring emission on
//! the traces real programs compile (`cpjit-emit-bench`'s recorded mix).
//! Off unless [`start`] is called; then each trace is copied just before
//! it is compiled, until [`take`].

use crate::jit::UopInstruction;
use std::cell::RefCell;

thread_local! {
    static RECORDED: RefCell<Option<Vec<Vec<UopInstruction>>>> = const { RefCell::new(None) };
}

/// Starts recording on this thread (dropping anything recorded so far).
pub fn start() {
    RECORDED.with(|r| *r.borrow_mut() = Some(Vec::new()));
}

/// Stops recording and returns the traces handed to the JIT since
/// [`start`], in order (empty if recording was off).
pub fn take() -> Vec<Vec<UopInstruction>> {
    RECORDED.with(|r| r.borrow_mut().take()).unwrap_or_default()
}

/// Keeps a copy of `trace` if recording is on.
pub(crate) fn trace(trace: &[UopInstruction]) {
    RECORDED.with(|r| {
        if let Some(v) = r.borrow_mut().as_mut() {
            v.push(trace.to_vec());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::uop::Uop;

    #[test]
    fn records_only_between_start_and_take() {
        let t = [
            UopInstruction::new(Uop::NOP),
            UopInstruction::new(Uop::DEOPT),
        ];
        trace(&t);
        assert!(take().is_empty());
        start();
        trace(&t);
        trace(&t[..1]);
        assert_eq!(take(), vec![t.to_vec(), t[..1].to_vec()]);
        trace(&t);
        assert!(take().is_empty());
    }
}
