//! Compiles templates to object code in parallel: one LLVM context and
//! target machine per worker, the real `default<O3>` pipeline, object code
//! into memory. Nothing touches disk.

use std::sync::Once;

use cpjit_abi::stencil::CallConv;
use cpjit_ir_templates::{Template, TemplateError};
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{FileType, InitializationConfig, Target, TargetMachine, TargetTriple};
use inkwell::OptimizationLevel;
use rayon::prelude::*;

use crate::targets::{TargetError, TargetSpec};

/// LLVM major version this crate is built for.
pub const LLVM_MAJOR: u32 = 19;

/// A compilation failure, naming the template where there is one.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The target or convention is not supported.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The LLVM library loaded at run time is not the one expected.
    #[error(
        "LLVM {found} found, but cpjit's stencils need LLVM {LLVM_MAJOR} (install llvm-19-dev)"
    )]
    WrongLlvm {
        /// `major.minor.patch` of the loaded LLVM.
        found: String,
    },
    /// LLVM has no backend for the triple.
    #[error("LLVM cannot target {triple}: {message}")]
    NoBackend {
        /// The triple.
        triple: String,
        /// LLVM's message.
        message: String,
    },
    /// Building a template's IR failed.
    #[error("template {template}: {source}")]
    Template {
        /// The template.
        template: &'static str,
        /// What went wrong.
        source: TemplateError,
    },
    /// LLVM's verifier rejected a template.
    #[error("template {template} fails LLVM's verifier for {triple}: {message}")]
    Verifier {
        /// The template.
        template: &'static str,
        /// The target.
        triple: &'static str,
        /// The verifier's message.
        message: String,
    },
    /// Optimization or code generation failed.
    #[error("template {template}: LLVM {stage} failed for {triple}: {message}")]
    Llvm {
        /// The template.
        template: &'static str,
        /// The target.
        triple: &'static str,
        /// `optimization` or `code generation`.
        stage: &'static str,
        /// LLVM's message.
        message: String,
    },
    /// The worker pool could not start.
    #[error("cannot start {0} compile workers: {1}")]
    Pool(usize, String),
}

/// One template's object code.
#[derive(Clone, Debug)]
pub struct CompiledTemplate {
    /// The template.
    pub template: Template,
    /// The object file's bytes.
    pub object: Vec<u8>,
}

static INIT: Once = Once::new();

/// Initialises every LLVM target once per process (LLVM's registry is not
/// safe to initialise concurrently).
pub fn initialize_llvm() {
    INIT.call_once(|| Target::initialize_all(&InitializationConfig::default()));
}

/// The version of the LLVM library loaded at run time.
pub fn llvm_version() -> (u32, u32, u32) {
    let (mut major, mut minor, mut patch) = (0u32, 0u32, 0u32);
    // SAFETY: LLVMGetVersion only writes the three integers through the
    // valid pointers it is given.
    unsafe { llvm_sys::core::LLVMGetVersion(&mut major, &mut minor, &mut patch) };
    (major, minor, patch)
}

/// Fails unless the loaded LLVM is version [`LLVM_MAJOR`].
pub fn check_llvm() -> Result<(), CompileError> {
    let (major, minor, patch) = llvm_version();
    if major != LLVM_MAJOR {
        return Err(CompileError::WrongLlvm {
            found: format!("{major}.{minor}.{patch}"),
        });
    }
    Ok(())
}

/// Creates a target machine for `spec`.
pub fn target_machine(spec: &TargetSpec) -> Result<TargetMachine, CompileError> {
    initialize_llvm();
    let triple = TargetTriple::create(spec.triple);
    let target = Target::from_triple(&triple).map_err(|e| CompileError::NoBackend {
        triple: spec.triple.to_owned(),
        message: e.to_string(),
    })?;
    target
        .create_target_machine(
            &triple,
            "generic",
            "",
            OptimizationLevel::Aggressive,
            spec.reloc_mode,
            spec.code_model,
        )
        .ok_or_else(|| CompileError::NoBackend {
            triple: spec.triple.to_owned(),
            message: "no target machine".to_owned(),
        })
}

/// Builds `template`'s module for `spec` (triple and data layout set), not
/// yet verified or optimized.
pub fn build_module<'ctx>(
    ctx: &'ctx Context,
    tm: &TargetMachine,
    spec: &TargetSpec,
    cc: CallConv,
    template: Template,
) -> Result<Module<'ctx>, CompileError> {
    let opts = spec.options(cc)?;
    let td = tm.get_target_data();
    let module = template
        .build(ctx, &td, &opts)
        .map_err(|source| CompileError::Template {
            template: template.name(),
            source,
        })?;
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&td.get_data_layout());
    Ok(module)
}

/// Verifies, optimizes and compiles one module to object code.
pub fn emit_object(
    module: &Module<'_>,
    tm: &TargetMachine,
    spec: &TargetSpec,
    template: Template,
) -> Result<Vec<u8>, CompileError> {
    module.verify().map_err(|m| CompileError::Verifier {
        template: template.name(),
        triple: spec.triple,
        message: m.to_string().trim().to_owned(),
    })?;
    module
        .run_passes("default<O3>", tm, PassBuilderOptions::create())
        .map_err(|m| CompileError::Llvm {
            template: template.name(),
            triple: spec.triple,
            stage: "optimization",
            message: m.to_string(),
        })?;
    let buf = tm
        .write_to_memory_buffer(module, FileType::Object)
        .map_err(|m| CompileError::Llvm {
            template: template.name(),
            triple: spec.triple,
            stage: "code generation",
            message: m.to_string(),
        })?;
    Ok(buf.as_slice().to_vec())
}

/// One unit of work: a template for a target.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// The target.
    pub spec: &'static TargetSpec,
    /// The convention.
    pub cc: CallConv,
    /// The template.
    pub template: Template,
}

/// Compiles `jobs` on `workers` threads, in order of `jobs` in the result.
/// `progress` is called once per finished job.
pub fn compile_all(
    jobs: &[Job],
    workers: usize,
    progress: &(dyn Fn(&Job) + Sync),
) -> Result<Vec<CompiledTemplate>, CompileError> {
    check_llvm()?;
    initialize_llvm();
    for job in jobs {
        job.spec.options(job.cc)?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()
        .map_err(|e| CompileError::Pool(workers, e.to_string()))?;
    pool.install(|| {
        jobs.par_iter()
            .with_max_len(1)
            .map_init(Worker::default, |worker, job| {
                let object = worker.compile(job)?;
                progress(job);
                Ok(CompiledTemplate {
                    template: job.template,
                    object,
                })
            })
            .collect()
    })
}

/// A worker's LLVM state: its own context, and a target machine per target.
#[derive(Default)]
struct Worker {
    ctx: Option<Context>,
    machines: Vec<(&'static str, TargetMachine)>,
}

impl Worker {
    fn compile(&mut self, job: &Job) -> Result<Vec<u8>, CompileError> {
        if !self.machines.iter().any(|(t, _)| *t == job.spec.triple) {
            self.machines
                .push((job.spec.triple, target_machine(job.spec)?));
        }
        let tm = self
            .machines
            .iter()
            .find(|(t, _)| *t == job.spec.triple)
            .map(|(_, tm)| tm)
            .ok_or_else(|| CompileError::NoBackend {
                triple: job.spec.triple.to_owned(),
                message: "no target machine".to_owned(),
            })?;
        let ctx = self.ctx.get_or_insert_with(Context::create);
        let module = build_module(ctx, tm, job.spec, job.cc, job.template)?;
        emit_object(&module, tm, job.spec, job.template)
    }
}
