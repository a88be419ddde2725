//! Compiles templates to object code in parallel: one LLVM context and
//! target machine per worker, the real `default<O3>` pipeline, object code
//! into memory. Nothing touches disk.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use cpjit_abi::stencil::CallConv;
use cpjit_ir_templates::{Template, TemplateError};
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{FileType, InitializationConfig, Target, TargetMachine, TargetTriple};
use inkwell::OptimizationLevel;

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
    #[error("compile workers ({0}): {1}")]
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
/// safe to initialise concurrently), and sets the process-wide LLVM options
/// of [`crate::cold::LLVM_OPTIONS`] (LLVM parses its command line once).
pub fn initialize_llvm() {
    INIT.call_once(|| {
        Target::initialize_all(&InitializationConfig::default());
        set_llvm_options(crate::cold::LLVM_OPTIONS);
    });
}

/// Passes `options` to LLVM's command-line parser, as if given to a tool.
fn set_llvm_options(options: &[&str]) {
    let args: Vec<std::ffi::CString> = std::iter::once("cpjit-stencils")
        .chain(options.iter().copied())
        .filter_map(|a| std::ffi::CString::new(a).ok())
        .collect();
    let argv: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let overview = c"cpjit stencils";
    // SAFETY: `argv` holds `argv.len()` pointers to NUL-terminated strings
    // that outlive the call (`args`); LLVM copies what it keeps. Called once
    // per process (`INIT`), before any compilation starts.
    unsafe {
        llvm_sys::support::LLVMParseCommandLineOptions(
            argv.len() as i32,
            argv.as_ptr(),
            overview.as_ptr(),
        )
    };
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

/// A job's result, filled in by whichever worker ran it.
type Slot = Option<Result<Vec<u8>, CompileError>>;

/// Compiles `jobs` on `workers` threads, in order of `jobs` in the result.
/// Each worker is one rayon task with its own LLVM context and target
/// machines, pulling the next job from a shared counter until none are left.
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
    let workers = workers.clamp(1, jobs.len().max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| CompileError::Pool(workers, e.to_string()))?;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Slot>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut worker = Worker::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let result = worker.compile(job);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    } else {
                        progress(job);
                    }
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(result);
                    }
                }
            });
        }
    });
    let slots = results
        .into_inner()
        .map_err(|_| CompileError::Pool(workers, "a worker panicked".into()))?;
    let mut out = Vec::with_capacity(jobs.len());
    // Report the first error in job order, so errors are deterministic too.
    for (job, slot) in jobs.iter().zip(slots) {
        match slot {
            Some(Ok(object)) => out.push(CompiledTemplate {
                template: job.template,
                object,
            }),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    if out.len() != jobs.len() {
        return Err(CompileError::Pool(
            workers,
            "compilation stopped early".into(),
        ));
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use cpjit_abi::uop::Uop;
    use cpjit_ir_templates::Template;

    #[test]
    fn verifier_failure_is_named_with_the_template_and_the_verifiers_message() {
        let spec = TargetSpec::lookup("x86_64-unknown-linux-gnu").expect("known");
        let tm = target_machine(spec).expect("target machine");
        let ctx = Context::create();
        let module = ctx.create_module("broken");
        let f = module.add_function("_JIT_ENTRY", ctx.i64_type().fn_type(&[], false), None);
        let b = ctx.create_builder();
        b.position_at_end(ctx.append_basic_block(f, "entry"));
        // An i64 function returning an i32: the verifier rejects it.
        b.build_return(Some(&ctx.i32_type().const_zero()))
            .expect("built");
        let err =
            emit_object(&module, &tm, spec, Template::Uop(Uop::NOP)).expect_err("verifier error");
        assert!(matches!(err, CompileError::Verifier { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("_NOP") && msg.contains("verifier"), "{msg}");
        assert!(
            msg.to_lowercase().contains("return"),
            "verifier's own message missing: {msg}"
        );
    }

    #[test]
    fn every_template_compiles_for_every_target_in_every_allowed_convention() {
        let mut jobs = Vec::new();
        for spec in crate::targets::TARGETS {
            for cc in [CallConv::PreserveNone, CallConv::Ghc, CallConv::C] {
                if spec.options(cc).is_err() {
                    continue;
                }
                jobs.extend(
                    Template::all()
                        .into_iter()
                        .map(|template| Job { spec, cc, template }),
                );
            }
        }
        let objects = compile_all(&jobs, 2, &|_| {}).expect("all compile");
        assert_eq!(objects.len(), jobs.len());
        for (job, o) in jobs.iter().zip(&objects) {
            assert_eq!(job.template, o.template);
            let g = crate::stencils::harvest(
                job.spec,
                job.template.name(),
                job.template.entry_symbol(),
                &o.object,
            )
            .unwrap_or_else(|e| panic!("{:?}: {e}", job.cc));
            // Only `_NOP` may compile to nothing (its jump to `_JIT_CONTINUE` dropped).
            let may_be_empty = job.template == Template::Uop(Uop::NOP);
            assert!(
                may_be_empty || !g.code.body.is_empty(),
                "{} {}",
                job.spec.triple,
                job.template.name()
            );
        }
    }
}
