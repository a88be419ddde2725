//! Session 8's container uops (s8-containers): `containers_cells_tuples.py`
//! (which the tier-2 differential test also compares with CPython) runs
//! with the fused cell dict reads and counter updates
//! (`_INPLACE_ADD_DICT_ITEM_CELL_CONST`) and the projection-time tuples in both
//! tier-2 modes, leaves them at every exit with tier 1's output, and leaks
//! nothing.

mod vm_common;

use vm_common::tier2_runs_exact;

#[test]
fn cell_dict_reads_updates_and_iterated_constant_tuples_are_native_and_exact() {
    for (mode, r, text) in tier2_runs_exact("containers_cells_tuples.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        for uop in [
            "_GUARD_CELL_BOUND",
            "_BINARY_SUBSCR_DICT_CELL_LOCAL",
            "cell stats['sent'] += 1",
            "cell stats[7] += -3",
        ] {
            assert!(text.contains(uop), "no {uop} in the dump; {what}");
        }
        // `for t in (A, B, C)`: one tuple per trace, rebuilt with the
        // globals' new values once they change.
        for tuple in ["const (1, 2, 3)", "const (100, 7, 3)"] {
            assert!(text.contains(tuple), "no {tuple} in the dump; {what}");
        }
    }
}
