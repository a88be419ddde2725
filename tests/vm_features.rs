//! One test per feature: each runs a program of `tests/py` under python3 and
//! cpjit and compares (expectations come from CPython, not from our output).

mod vm_common;

macro_rules! py_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                vm_common::differential(&vm_common::py_dir().join(concat!(stringify!($name), ".py")));
            }
        )*
    };
}

py_tests!(
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
    mod_random,
    mod_collections,
    mod_itertools,
    mod_heapq_bisect,
    mod_functools_misc,
    modules_math2,
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
