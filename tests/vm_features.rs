//! One test per feature: each runs a program of `tests/py` under python3 and
//! cpjit and compares (expectations come from CPython, not from our output).

mod vm_common;

/// One test per program: `$check` (a `vm_common` comparison) of `tests/py/NAME.py`.
macro_rules! py_tests {
    ($check:ident: $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                vm_common::$check(&vm_common::py_dir().join(concat!(stringify!($name), ".py")));
            }
        )*
    };
}

py_tests!(
    differential:
    closures,
    comprehensions,
    strings2,
    numbers,
    collections2,
    errors_index,
    errors_key,
    errors_name,
    errors_type,
    errors_recursion,
    errors_unbound,
    errors_assert,
    errors_args,
    errors_value,
    errors_attr,
    errors_syntax,
    try_except,
    recursion_ok,
    globals_del,
    programs1,
    programs2,
    calls_star,
    exceptions2,
    recursion_limit,
    sort_semantics,
    dict_tuple_reuse,
    range_bigint,
    list_pop_append,
    tier1_fused,
    sets,
    sets_order,
    errors_set,
    modules_math,
    errors_import,
    sys_exit,
    starred_assign,
    errors_starred_syntax,
    try_finally,
    any_all_lazy,
    any_all_shadowed,
    errors_seq_mul,
    generators_basic,
    generators_genexpr,
    generators_yield_from,
    generators_abandon,
    generators_err_executing,
    generators_err_subscript,
    generators_err_stop,
    generators_err_send,
    generators_err_pep479,
    generators_err_inside,
    generators_err_ignored,
    generators_yield_outside_syntax,
    generators_yield_comp_syntax,
    classes_basic,
    classes_inherit,
    classes_special,
    classes_exceptions,
    classes_decorators,
    classes_generators,
    classes_calls,
    modules_with_classes,
    classes_reuse,
    hash_cpython,
    frozensets,
    with_basic,
    with_hot,
    with_generators,
);

// Programs whose standard error (tracebacks, exception chaining) must be
// CPython's exactly, in every mode.
py_tests!(
    differential_exact:
    exc_user_classes,
    exc_finally_line,
    exc_context,
    exc_cause,
    exc_cleared,
    exc_trace,
    exc_repeated_lines,
    exc_recursion_tb,
    exc_mutual_recursion_tb,
    calls_params,
    decorators,
    io_streams,
    builtins_small,
    builtins_attrs,
    calls_displays,
    mod_random,
    mod_collections,
    mod_itertools,
    mod_heapq_bisect,
    mod_functools_misc,
    modules_math2,
    with_tb,
    except_as_unbind,
);

/// Every program in tests/py has a test above (so none is forgotten).
#[test]
fn every_program_is_listed() {
    let src = include_str!("vm_features.rs");
    for e in std::fs::read_dir(vm_common::py_dir()).expect("tests/py") {
        let p = e.expect("entry").path();
        if p.extension().and_then(|x| x.to_str()) == Some("py") {
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            assert!(
                src.contains(&format!("    {stem},")),
                "tests/py/{stem}.py has no test in vm_features.rs"
            );
        }
    }
}
