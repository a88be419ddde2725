//! `cpjit-llvm-baseline`: the baseline for the runtime's emission benchmark
//! (`cpjit-emit-bench`): the same traces compiled by LLVM at -O0 through
//! inkwell's MCJIT execution engine, as a JIT built on LLVM would do.
//!
//! For a trace of N uops: build each uop's template module (the same IR the
//! stencils come from), link them into one module, create an execution
//! engine at `OptimizationLevel::None`, map every external (holes and
//! runtime helpers) to an address, and ask for every function's address,
//! which generates the machine code. It lives here, not in the runtime,
//! because the runtime must not link LLVM.
//!
//! `cargo run --release -p cpjit-build-support --bin cpjit-llvm-baseline`

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};
use cpjit_abi::uop::Uop;
use cpjit_build_support::compile::{build_module, target_machine};
use cpjit_build_support::targets::TargetSpec;
use cpjit_ir_templates::Template;
use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::module::Module;
use inkwell::OptimizationLevel;

/// The uop mix of `cpjit-emit-bench`'s traces (a loop body), ending in `_DEOPT`.
fn trace(n: usize) -> Vec<Uop> {
    let body = [
        Uop::SET_IP,
        Uop::LOAD_FAST,
        Uop::LOAD_FAST,
        Uop::GUARD_BOTH_INT,
        Uop::COMPARE_OP_INT,
        Uop::GUARD_IS_TRUE_POP,
        Uop::LOAD_FAST,
        Uop::LOAD_CONST,
        Uop::BINARY_OP_ADD_INT,
        Uop::STORE_FAST,
    ];
    let mut t: Vec<_> = (0..n - 1).map(|i| body[i % body.len()]).collect();
    t.push(Uop::DEOPT);
    t
}

/// Something for external symbols to point at.
static SINK: [u64; 64] = [0; 64];

struct Timing {
    ir: Duration,
    codegen: Duration,
    code_bytes: usize,
}

fn compile_once(spec: &TargetSpec, uops: &[Uop]) -> Result<Timing> {
    let tm = target_machine(spec)?;
    let ctx = Context::create();
    let t0 = Instant::now();
    let main = ctx.create_module("trace");
    let mut templates = vec![Template::Trampoline];
    templates.extend(uops.iter().map(|u| Template::Uop(*u)));
    templates.push(Template::FatalError);
    let mut names = Vec::with_capacity(templates.len());
    for (i, t) in templates.iter().enumerate() {
        let m: Module = build_module(&ctx, &tm, spec, spec.default_cc, *t)?;
        let f = m
            .get_function(t.entry_symbol())
            .ok_or_else(|| anyhow!("{} has no {}", t.name(), t.entry_symbol()))?;
        let name = format!("piece{i}");
        f.as_global_value().set_name(&name);
        names.push(name);
        if i == 0 {
            main.set_triple(&m.get_triple());
            main.set_data_layout(&m.get_data_layout());
        }
        main.link_in_module(m)
            .map_err(|e| anyhow!("linking {}: {e}", t.name()))?;
    }
    let ir = t0.elapsed();
    let t1 = Instant::now();
    let ee: ExecutionEngine = main
        .create_jit_execution_engine(OptimizationLevel::None)
        .map_err(|e| anyhow!("execution engine: {e}"))?;
    let sink = SINK.as_ptr() as usize;
    for f in main.get_functions().filter(|f| f.count_basic_blocks() == 0) {
        ee.add_global_mapping(&f, sink);
    }
    for g in main.get_globals().filter(|g| g.get_initializer().is_none()) {
        ee.add_global_mapping(&g, sink);
    }
    let mut lo = usize::MAX;
    let mut hi = 0;
    for name in &names {
        let a = ee
            .get_function_address(name)
            .map_err(|e| anyhow!("{name}: {e:?}"))?;
        lo = lo.min(a);
        hi = hi.max(a);
    }
    let codegen = t1.elapsed();
    Ok(Timing {
        ir,
        codegen,
        code_bytes: hi.saturating_sub(lo),
    })
}

fn main() -> Result<()> {
    let triple = std::env::var("CPJIT_BASELINE_TARGET").unwrap_or_else(|_| {
        match std::env::consts::ARCH {
            "aarch64" => "aarch64-unknown-linux-gnu",
            _ => "x86_64-unknown-linux-gnu",
        }
        .to_owned()
    });
    let spec = TargetSpec::lookup(&triple).context("target")?;
    println!(
        "LLVM -O0 (MCJIT via inkwell), target {triple}, convention {:?}",
        spec.default_cc
    );
    println!(
        "{:>6} {:>14} {:>14} {:>14} {:>12} {:>14}",
        "uops", "IR build µs", "codegen µs", "total µs", "ns/uop", "code bytes≈"
    );
    for n in [10usize, 100, 1000] {
        let uops = trace(n);
        let runs = if n >= 1000 { 3 } else { 10 };
        let mut best: Option<Timing> = None;
        for _ in 0..runs {
            let t = compile_once(spec, &uops)?;
            if best
                .as_ref()
                .is_none_or(|b| t.ir + t.codegen < b.ir + b.codegen)
            {
                best = Some(t);
            }
        }
        let b = best.ok_or_else(|| anyhow!("no run"))?;
        let total = b.ir + b.codegen;
        println!(
            "{:>6} {:>14.1} {:>14.1} {:>14.1} {:>12.0} {:>14}",
            n,
            b.ir.as_secs_f64() * 1e6,
            b.codegen.as_secs_f64() * 1e6,
            total.as_secs_f64() * 1e6,
            total.as_nanos() as f64 / n as f64,
            b.code_bytes
        );
    }
    Ok(())
}
