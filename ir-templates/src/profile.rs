//! Profile data for stencil functions, so that LLVM's MachineFunctionSplitter
//! can tell a stencil's cold blocks from its hot path
//! ([`crate::TemplateOptions::split_cold`]).
//!
//! The only real profile is the guards' branch weights
//! ([`crate::builder::StencilBuilder::guard`]: 2000 to 1 for staying on the
//! hot path). The splitter also needs a profile *summary* and a function
//! entry count to turn those weights into block counts: every stencil
//! function is given [`ENTRY_COUNT`], and the module a summary whose
//! coldest bucket ends at [`COLD_COUNT`]. A block is then cold when its
//! estimated count is at most `COLD_COUNT`, i.e. when it runs at most once
//! per 128 entries: every guard failure (`ENTRY_COUNT / 2001 = 524`), an
//! exit block up to 15 guards share, and whatever only guard failures
//! reach; never a branch without weights unless seven of them are nested
//! (each is taken half the time), nor the path the weights keep.
//!
//! The summary's hot bucket starts at `ENTRY_COUNT`, so the entry block
//! (and the hot path) count as hot: LLVM optimizes them for speed and only
//! the cold blocks for size.

use inkwell::context::Context;
use inkwell::module::{FlagBehavior, Module};
use inkwell::values::{BasicMetadataValueEnum, FunctionValue};

/// The entry count every stencil function gets.
pub const ENTRY_COUNT: u64 = 1 << 20;

/// The largest block count that is cold (the summary's last bucket).
pub const COLD_COUNT: u64 = ENTRY_COUNT >> 7;

// The failure branches of up to 15 guards (weights 2000:1) sharing one
// exit block stay below the cold bound; seven nested even branches are
// needed to get there.
const _: () = assert!(15 * (ENTRY_COUNT / 2001) <= COLD_COUNT && ENTRY_COUNT >> 6 > COLD_COUNT);

/// Gives `func` the entry count [`ENTRY_COUNT`], and `module` the profile
/// summary (once).
pub fn add<'ctx>(ctx: &'ctx Context, module: &Module<'ctx>, func: FunctionValue<'ctx>) {
    if module.get_flag("ProfileSummary").is_none() {
        module.add_metadata_flag("ProfileSummary", FlagBehavior::Error, summary(ctx));
    }
    let count = ctx.metadata_node(&[
        ctx.metadata_string("function_entry_count").into(),
        ctx.i64_type().const_int(ENTRY_COUNT, false).into(),
    ]);
    func.as_global_value()
        .set_metadata(count, ctx.get_kind_id("prof"));
}

/// An instrumentation-profile summary (LLVM's `ProfileSummary::getMD`
/// layout) with a hot bucket from [`ENTRY_COUNT`] and a cold one up to
/// [`COLD_COUNT`].
fn summary(ctx: &Context) -> inkwell::values::MetadataValue<'_> {
    let i32 = |v: u64| -> BasicMetadataValueEnum<'_> { ctx.i32_type().const_int(v, false).into() };
    let i64 = |v: u64| -> BasicMetadataValueEnum<'_> { ctx.i64_type().const_int(v, false).into() };
    let field = |name: &str, v: u64| -> BasicMetadataValueEnum<'_> {
        ctx.metadata_node(&[ctx.metadata_string(name).into(), i64(v)])
            .into()
    };
    // (cutoff in millionths, minimum count, number of counts): LLVM's
    // hot cutoff (990000) and the splitter's (999950) and cold one
    // (999999) each find the first bucket at or above them.
    let bucket = |cutoff: u64, min: u64, n: u64| -> BasicMetadataValueEnum<'_> {
        ctx.metadata_node(&[i32(cutoff), i64(min), i32(n)]).into()
    };
    let detailed = ctx.metadata_node(&[
        bucket(10_000, ENTRY_COUNT, 1),
        bucket(999_000, ENTRY_COUNT, 1),
        bucket(999_999, COLD_COUNT, 2),
    ]);
    ctx.metadata_node(&[
        ctx.metadata_node(&[
            ctx.metadata_string("ProfileFormat").into(),
            ctx.metadata_string("InstrProf").into(),
        ])
        .into(),
        field("TotalCount", 2 * ENTRY_COUNT),
        field("MaxCount", ENTRY_COUNT),
        field("MaxInternalCount", ENTRY_COUNT),
        field("MaxFunctionCount", ENTRY_COUNT),
        field("NumCounts", 3),
        field("NumFunctions", 1),
        ctx.metadata_node(&[
            ctx.metadata_string("DetailedSummary").into(),
            detailed.into(),
        ])
        .into(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_and_entry_count_are_in_the_ir() {
        let ctx = Context::create();
        let module = ctx.create_module("m");
        let f = module.add_function("f", ctx.void_type().fn_type(&[], false), None);
        add(&ctx, &module, f);
        add(&ctx, &module, f);
        let ir = module.print_to_string().to_string();
        assert_eq!(ir.matches("!\"ProfileSummary\"").count(), 1, "{ir}");
        assert!(
            ir.contains("!\"function_entry_count\", i64 1048576"),
            "{ir}"
        );
        assert!(ir.contains("!\"DetailedSummary\""), "{ir}");
    }
}
