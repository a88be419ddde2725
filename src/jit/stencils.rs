//! The host's stencils, generated at build time.
//!
//! `build.rs` compiles every IR template (`ir-templates`) for the target
//! being built with LLVM, harvests the object code into stencils and writes
//! them as Rust (`build-support`'s writer) into `OUT_DIR/host_stencils.rs`,
//! which is included here. The convention between stencils is the target's
//! default, or `CPJIT_STENCIL_CC=preserve-none|ghc|c` at build time.
//! [`HOST`]`.uops` is indexed by `Uop as usize`; each group's code starts
//! with its entry, and its disassembly is in the generated file's comments.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/host_stencils.rs"));
}

/// The host's stencil set (trampoline, `_FATAL_ERROR`, one group per uop).
pub use generated::STENCILS as HOST;

#[cfg(test)]
mod tests {
    use super::HOST;
    use cpjit_abi::uop::Uop;

    #[test]
    fn host_set_has_a_group_per_uop_and_a_trampoline() {
        assert_eq!(HOST.uops.len(), Uop::ALL.len());
        assert!(!HOST.trampoline.code.body.is_empty());
        assert!(!HOST.fatal_error.code.body.is_empty());
        for g in [&HOST.trampoline, &HOST.fatal_error]
            .into_iter()
            .chain(HOST.uops.iter())
        {
            for h in g.code.holes {
                assert!((h.offset as usize) < g.code.body.len());
            }
            for h in g.data.holes {
                assert!((h.offset as usize) < g.data.body.len());
            }
        }
    }
}
