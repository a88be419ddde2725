//! Compile, harvest and write cpjit's stencils: the build-time half of the
//! JIT, as CPython's `Tools/jit`, in Rust.
//!
//! * [`targets`]: the seven targets and the one table of per-target choices.
//! * [`compile`]: templates → object code, in parallel (rayon), in memory.
//! * [`stencils`]: object code → owned stencil groups with holes
//!   (per-target relocation tables in [`relocs`], GOT synthesis).
//! * [`writer`]: stencil groups → deterministic Rust source, with LLVM's
//!   disassembly ([`disasm`]) as comments.
//! * [`cold`]: the hot/cold split (cold blocks into the data stencil).
//! * [`hash`]: the input hash that lets `build.rs` and `--check` skip work.
//!
//! [`generate`] runs the whole pipeline for a list of targets; `build.rs` and
//! the `cpjit-stencils` command both use it.

#![warn(missing_docs)]

pub mod cold;
pub mod compile;
pub mod disasm;
mod emit_fns;
mod got;
pub mod hash;
pub mod relocs;
pub mod stencils;
pub mod targets;
pub mod writer;

use cpjit_abi::stencil::CallConv;
use cpjit_ir_templates::Template;

use compile::{CompileError, Job};
use stencils::{HarvestError, HarvestedGroup};
use targets::{cc_name, TargetSpec};

/// Anything that stops generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compiling failed.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// Harvesting failed.
    #[error(transparent)]
    Harvest(#[from] HarvestError),
    /// A target or convention was refused.
    #[error(transparent)]
    Target(#[from] targets::TargetError),
}

/// What to generate: one target in one convention.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// The target.
    pub spec: &'static TargetSpec,
    /// The convention.
    pub cc: CallConv,
}

/// One target's harvested stencils, ready to write.
#[derive(Clone, Debug)]
pub struct Generated {
    /// What was asked.
    pub request: Request,
    /// Input hash.
    pub input_hash: String,
    /// Trampoline, fatal error, then uops in index order (as [`Template::all`]).
    pub groups: Vec<HarvestedGroup>,
}

impl Generated {
    /// The canonical command that regenerates this file.
    pub fn command(&self) -> String {
        format!(
            "cpjit-stencils --target {} --cc {}",
            self.request.spec.triple,
            cc_name(self.request.cc)
        )
    }

    /// The file's Rust source.
    pub fn render(&self) -> String {
        let (major, minor, patch) = compile::llvm_version();
        // `groups` is always trampoline, fatal error, uops (`Template::all`);
        // a hand-made value without them renders without those groups.
        let empty = HarvestedGroup::empty("_MISSING");
        let (trampoline, rest) = self.groups.split_first().unwrap_or((&empty, &[]));
        let (fatal_error, uops) = rest.split_first().unwrap_or((&empty, &[]));
        let set = writer::SetSource {
            spec: self.request.spec,
            cc: self.request.cc,
            input_hash: &self.input_hash,
            command: &self.command(),
            llvm_version: &format!("{major}.{minor}.{patch}"),
            trampoline,
            fatal_error,
            uops,
        };
        writer::render(&set)
    }

    /// Totals over the set.
    pub fn totals(&self) -> writer::Totals {
        let mut t = writer::Totals::default();
        self.groups.iter().for_each(|g| t.add(g));
        t
    }
}

/// Every compile job for `requests`, in output order.
pub fn jobs(requests: &[Request]) -> Vec<Job> {
    requests
        .iter()
        .flat_map(|r| {
            Template::all().into_iter().map(move |template| Job {
                spec: r.spec,
                cc: r.cc,
                template,
            })
        })
        .collect()
}

/// The input hash of each request, computed on `workers` threads.
pub fn input_hashes(requests: &[Request], workers: usize) -> Result<Vec<String>, Error> {
    use rayon::prelude::*;
    compile::check_llvm()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()
        .map_err(|e| CompileError::Pool(workers, e.to_string()))?;
    pool.install(|| {
        requests
            .par_iter()
            .map(|r| hash::input_hash(r.spec, r.cc).map_err(Error::from))
            .collect()
    })
}

/// Compiles and harvests every template for every request on `workers`
/// threads. `progress` is called once per compiled template.
pub fn generate(
    requests: &[Request],
    workers: usize,
    progress: &(dyn Fn(&Job) + Sync),
) -> Result<Vec<Generated>, Error> {
    let hashes = input_hashes(requests, workers)?;
    generate_hashed(requests, &hashes, workers, progress)
}

/// [`generate`], with the input hashes already computed ([`input_hashes`]).
pub fn generate_hashed(
    requests: &[Request],
    hashes: &[String],
    workers: usize,
    progress: &(dyn Fn(&Job) + Sync),
) -> Result<Vec<Generated>, Error> {
    for r in requests {
        r.spec.options(r.cc)?;
    }
    compile::check_llvm()?;
    let jobs = jobs(requests);
    let objects = compile::compile_all(&jobs, workers, progress)?;
    let per_set = Template::all().len();
    let mut out = Vec::new();
    for ((r, chunk), input_hash) in requests.iter().zip(objects.chunks(per_set)).zip(hashes) {
        let groups = chunk
            .iter()
            .map(|c| {
                stencils::harvest(
                    r.spec,
                    c.template.name(),
                    c.template.entry_symbol(),
                    &c.object,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Generated {
            request: *r,
            input_hash: input_hash.clone(),
            groups,
        });
    }
    Ok(out)
}
