//! The reference Python-subset VM (see ARCHITECTURE.md).
//!
//! Pipeline: [`compile`] parses with the ruff parser and compiles to the
//! bytecode of [`bytecode`]; [`interp`] runs it with adaptive specialization.
//! Values are tagged words ([`obj`]); heap layouts shared with the JIT come
//! from `abi::layout`, the others are in [`types`].

pub mod builtins;
pub mod bytecode;
pub mod class;
pub mod compile;
pub mod dict;
pub mod error;
pub mod fmt;
pub mod free_lists;
pub mod generator;
pub mod interp;
pub mod iter;
pub mod methods;
pub mod modules;
pub mod num;
pub mod obj;
pub mod ops;
pub mod range;
pub mod scope;
pub mod set;
pub mod sort;
pub mod text;
pub mod thread_vm;
pub mod tier2;
pub mod types;

use std::io::Write;

/// Options for one run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Print the number of live heap objects at exit on stderr (leak check).
    pub leak_check: bool,
    /// Tier-2 mode and tunables.
    pub tier2: tier2::Config,
}

/// Runs a program; returns the process exit status (0, or 1 after an
/// uncaught exception or a compile error).
pub fn run_source(source: &str, filename: &str, opts: &RunOptions) -> i32 {
    let code = match compile::compile_module(source, filename) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            return 1;
        }
    };
    tier2::configure(&opts.tier2);
    tier2::dump::set_source(filename, source);
    let mut vm = interp::Vm::new();
    // CPython shows no source lines for `-c` (`<string>`) or standard input.
    if !filename.starts_with('<') {
        vm.source_lines = source.lines().map(String::from).collect();
    }
    let globals = dict::new_dict();
    let status = match vm.run_module(code, &globals) {
        Ok(()) => 0,
        Err(e) if e.kind == error::ExcKind::SystemExit => {
            let (status, msg) = modules::system_exit_status(&e);
            vm.flush();
            if let Some(m) = msg {
                let _ = writeln!(std::io::stderr(), "{m}");
            }
            status
        }
        Err(e) => {
            vm.print_exception(&e);
            1
        }
    };
    vm.flush();
    tier2::finish(&mut vm);
    // Break the globals <-> functions cycle, then release the VM's own objects.
    // SAFETY: globals is a dict.
    unsafe { dict::dict_mut(globals.raw()).clear() };
    drop(globals);
    obj::break_closure_cycles();
    // What dying generators' `finally` blocks printed.
    vm.flush();
    vm.teardown();
    class::teardown();
    drop(vm);
    if opts.leak_check {
        let _ = writeln!(
            std::io::stderr(),
            "cpjit-leak-check: live objects at exit: {}",
            obj::live_objects()
        );
    }
    status
}
