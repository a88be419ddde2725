//! The committed `stencils/*.rs` files compile as Rust when `include!`d (as
//! the runtime will) and describe well-formed sets.

use cpjit_abi::stencil::{HoleKind, StencilGroup, StencilSet};
use cpjit_abi::uop::Uop;
use cpjit_build_support::targets::{TargetSpec, TARGETS};

mod x86_64_linux {
    include!("../../stencils/x86_64-unknown-linux-gnu.rs");
}
mod aarch64_linux {
    include!("../../stencils/aarch64-unknown-linux-gnu.rs");
}
mod x86_64_darwin {
    include!("../../stencils/x86_64-apple-darwin.rs");
}
mod aarch64_darwin {
    include!("../../stencils/aarch64-apple-darwin.rs");
}
mod x86_64_windows {
    include!("../../stencils/x86_64-pc-windows-msvc.rs");
}
mod aarch64_windows {
    include!("../../stencils/aarch64-pc-windows-msvc.rs");
}
mod i686_windows {
    include!("../../stencils/i686-pc-windows-msvc.rs");
}

const SETS: [&StencilSet; 7] = [
    &x86_64_linux::STENCILS,
    &aarch64_linux::STENCILS,
    &x86_64_darwin::STENCILS,
    &aarch64_darwin::STENCILS,
    &x86_64_windows::STENCILS,
    &aarch64_windows::STENCILS,
    &i686_windows::STENCILS,
];

fn field_size(kind: HoleKind) -> usize {
    match kind {
        HoleKind::Abs64 => 8,
        _ => 4,
    }
}

fn check_group(triple: &str, name: &str, g: &StencilGroup) {
    assert!(g.data_align.is_power_of_two(), "{triple} {name}");
    for (part, s) in [("code", &g.code), ("data", &g.data)] {
        let mut last_end = 0;
        for h in s.holes {
            let end = h.offset as usize + field_size(h.kind);
            assert!(
                end <= s.body.len(),
                "{triple} {name} {part}: hole {h:?} past the body"
            );
            assert!(
                h.offset as usize >= last_end || matches!(h.kind, HoleKind::Aarch64MovW(_)),
                "{triple} {name} {part}: overlapping holes"
            );
            last_end = end;
        }
    }
}

#[test]
fn every_committed_set_is_well_formed_and_matches_its_target() {
    for (set, spec) in SETS.iter().zip(TARGETS) {
        assert_eq!(set.target, spec.triple);
        assert_eq!(set.cc, spec.default_cc, "{}", spec.triple);
        assert!(set.input_hash.starts_with("sha256:"));
        assert_eq!(set.uops.len(), Uop::ALL.len(), "{}", spec.triple);
        assert!(!set.trampoline.code.body.is_empty(), "{}", spec.triple);
        check_group(set.target, "_ENTRY", &set.trampoline);
        check_group(set.target, "_FATAL_ERROR", &set.fatal_error);
        for (u, g) in Uop::ALL.iter().zip(set.uops) {
            check_group(set.target, u.name(), g);
        }
        assert!(TargetSpec::lookup(set.target).is_ok());
    }
}
