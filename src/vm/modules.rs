//! The importable modules: `math` and `sys` (built in, as module objects
//! whose attributes live in a dict). Importing any other name raises
//! `ModuleNotFoundError: No module named '...'`, as CPython does for a
//! module it cannot find.

use crate::abi::layout::{kind, ObjHeader};
use crate::vm::builtins::{builtin, int_obj, new_exc};
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{err, type_error, ExcKind, PyErr, PyResult};
use crate::vm::interp::{Stream, Vm};
use crate::vm::obj::*;
use crate::vm::ops::{as_bigint, as_num, num_to_f64, str_of, type_name, Num};
use crate::vm::types::*;
use num_bigint::BigInt;
use std::cell::RefCell;

pub mod collections;
mod functools;
mod heapq;
pub mod itertools;
mod math_extra;
mod random;

/// A module object.
#[repr(C)]
pub struct ModuleObj {
    /// Header, kind [`KIND_MODULE`].
    pub ob: ObjHeader,
    /// Its name.
    pub name: &'static str,
    /// Its attributes (a dict object).
    pub dict: Obj,
}

thread_local! {
    /// The modules imported so far (one object per name, as `sys.modules`).
    static LOADED: RefCell<Vec<Obj>> = const { RefCell::new(Vec::new()) };
    /// `sys.getrecursionlimit()`.
    static RECURSION_LIMIT: std::cell::Cell<i32> =
        const { std::cell::Cell::new(crate::vm::interp::RECURSION_LIMIT) };
}

/// `sys.argv` of this process (set by the command line before the VM runs).
static ARGV: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Sets `sys.argv` (the program path, then its arguments).
pub fn set_argv(argv: Vec<String>) {
    let _ = ARGV.set(argv);
}

/// Drops the imported modules (at VM teardown, for the leak check).
pub fn clear() {
    let loaded = LOADED.with(|l| std::mem::take(&mut *l.borrow_mut()));
    for m in &loaded {
        // SAFETY: loaded modules are module objects; clearing breaks the
        // sys.stdout -> sys cycle-free ownership before the drop.
        unsafe { dict_mut(cast::<ModuleObj>(m.raw()).dict.raw()) }.clear();
    }
}

fn module(name: &'static str, attrs: Vec<(&'static str, Obj)>) -> Obj {
    let d = new_dict();
    for (k, v) in attrs {
        // SAFETY: d is a new dict.
        let _ = unsafe { dict_mut(d.raw()) }.set(new_str(k), v);
    }
    Obj::from_raw(box_obj(ModuleObj {
        ob: hdr(KIND_MODULE),
        name,
        dict: d,
    }))
}

/// A module whose attributes are the builtin functions `fs`.
fn functions_module(name: &'static str, fs: &[(&'static str, BuiltinFn)]) -> Obj {
    module(
        name,
        fs.iter().map(|(n, f)| (*n, builtin(n, *f, 0))).collect(),
    )
}

/// `import name`: the module object.
#[inline(never)]
pub fn import(name: u64) -> PyResult<Obj> {
    let n = str_of(name);
    let top = n.split('.').next().unwrap_or(n);
    if let Some(m) = LOADED.with(|l| {
        l.borrow()
            .iter()
            // SAFETY: loaded modules are module objects.
            .find(|m| unsafe { cast::<ModuleObj>(m.raw()).name } == n)
            .cloned()
    }) {
        return Ok(m);
    }
    let m = match n {
        "math" => math_module(),
        "sys" => sys_module(),
        "random" => random::random_module(),
        "collections" => collections::collections_module(),
        "itertools" => itertools::itertools_module(),
        "functools" => functools::functools_module(),
        "operator" => functools::operator_module(),
        "heapq" => heapq::heapq_module(),
        "bisect" => heapq::bisect_module(),
        "string" => string_module(),
        "time" => time_module(),
        _ => {
            return Err(err(
                ExcKind::ModuleNotFoundError,
                format!("No module named '{top}'"),
            ))
        }
    };
    LOADED.with(|l| l.borrow_mut().push(m.clone()));
    Ok(m)
}

/// `from module import name`.
#[inline(never)]
pub fn import_from(m: u64, name: u64) -> PyResult<Obj> {
    // SAFETY: IMPORT_FROM follows IMPORT_NAME: m is a module.
    let mo = unsafe { cast::<ModuleObj>(m) };
    // SAFETY: a module's dict is a dict.
    match unsafe { dict_mut(mo.dict.raw()) }.get(name)? {
        Some(v) => Ok(Obj::new_ref(v)),
        None => Err(err(
            ExcKind::ImportError,
            format!(
                "cannot import name '{}' from '{}' (unknown location)",
                str_of(name),
                mo.name
            ),
        )),
    }
}

/// `module.name`.
#[inline(never)]
pub fn getattr(m: u64, name: u64) -> PyResult<Obj> {
    // SAFETY: callers check the kind.
    let mo = unsafe { cast::<ModuleObj>(m) };
    // SAFETY: a module's dict is a dict.
    match unsafe { dict_mut(mo.dict.raw()) }.get(name)? {
        Some(v) => Ok(Obj::new_ref(v)),
        None => Err(err(
            ExcKind::AttributeError,
            format!("module '{}' has no attribute '{}'", mo.name, str_of(name)),
        )),
    }
}

/// `repr(module)`.
pub fn repr(m: u64) -> String {
    // SAFETY: callers check the kind.
    let mo = unsafe { cast::<ModuleObj>(m) };
    if let Some(std) = mo.name.strip_prefix("sys.") {
        let mode = if std == "stdin" { 'r' } else { 'w' };
        return format!("<_io.TextIOWrapper name='<{std}>' mode='{mode}' encoding='utf-8'>");
    }
    format!("<module '{}' (built-in)>", mo.name)
}

// ---- math ----

fn nargs(args: &[u64], name: &str, n: usize) -> PyResult<()> {
    if args.len() != n {
        return Err(type_error(if n == 1 {
            format!(
                "math.{name}() takes exactly one argument ({} given)",
                args.len()
            )
        } else {
            format!("{name} expected {n} arguments, got {}", args.len())
        }));
    }
    Ok(())
}

/// A real argument as a float (`TypeError` for anything else).
fn real(v: u64) -> PyResult<f64> {
    match as_num(v) {
        Some(n) => num_to_f64(&n),
        None => Err(type_error(format!(
            "must be real number, not {}",
            type_name(v)
        ))),
    }
}

/// An integer argument.
fn integer(v: u64) -> PyResult<BigInt> {
    if kind_of(v) == kind::FLOAT {
        return Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        )));
    }
    as_bigint(v).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))
    })
}

fn domain() -> Box<PyErr> {
    err(ExcKind::ValueError, "math domain error")
}

fn range() -> Box<PyErr> {
    err(ExcKind::OverflowError, "math range error")
}

/// A float result of a libm function of finite arguments: NaN is a
/// domain error, infinity a range error (CPython's `math_1` rules).
fn checked(x: f64, r: f64, can_overflow: bool) -> PyResult<Obj> {
    if r.is_nan() && !x.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range() } else { domain() });
    }
    Ok(Obj::float(r))
}

fn unary(args: &[u64], name: &str, f: fn(f64) -> f64, can_overflow: bool) -> PyResult<Obj> {
    nargs(args, name, 1)?;
    let x = real(args[0])?;
    checked(x, f(x), can_overflow)
}

fn m_sqrt(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "sqrt", f64::sqrt, false)
}
fn m_exp(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "exp", f64::exp, true)
}
fn m_sin(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "sin", f64::sin, false)
}
fn m_cos(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "cos", f64::cos, false)
}
fn m_tan(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "tan", f64::tan, false)
}
fn m_atan(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "atan", f64::atan, false)
}
fn m_asin(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "asin", f64::asin, false)
}
fn m_acos(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "acos", f64::acos, false)
}
fn m_fabs(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "fabs", f64::abs, false)
}

fn m_atan2(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "atan2", 2)?;
    Ok(Obj::float(real(args[0])?.atan2(real(args[1])?)))
}

fn m_hypot(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut r = 0.0f64;
    for &a in args {
        r = r.hypot(real(a)?);
    }
    Ok(Obj::float(r))
}

fn m_pow(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "pow", 2)?;
    let (x, y) = (real(args[0])?, real(args[1])?);
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(domain());
    }
    let r = x.powf(y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range());
    }
    Ok(Obj::float(r))
}

/// Natural log of a positive int or float argument (ints of any size).
fn ln(v: u64) -> PyResult<f64> {
    if let Some(Num::B(b)) = as_num(v) {
        if b.sign() != num_bigint::Sign::Plus {
            return Err(domain());
        }
        let bits = b.bits();
        if bits > 1000 {
            let shift = bits - 64;
            let top: BigInt = b >> shift;
            let t = num_to_f64(&Num::B(&top))?;
            return Ok(t.ln() + shift as f64 * std::f64::consts::LN_2);
        }
    }
    let x = real(v)?;
    if x <= 0.0 {
        return Err(domain());
    }
    Ok(x.ln())
}

fn m_log(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.is_empty() || args.len() > 2 {
        return Err(type_error(format!(
            "log expected at least 1 argument, got {}",
            args.len()
        )));
    }
    let x = ln(args[0])?;
    if args.len() == 2 {
        let b = ln(args[1])?;
        if b == 0.0 {
            return Err(err(ExcKind::ZeroDivisionError, "float division by zero"));
        }
        return Ok(Obj::float(x / b));
    }
    Ok(Obj::float(x))
}

fn m_log2(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "log2", 1)?;
    if let Some(Num::F(x)) = as_num(args[0]) {
        if x <= 0.0 {
            return Err(domain());
        }
        return Ok(Obj::float(x.log2()));
    }
    match as_num(args[0]) {
        Some(Num::I(i)) if i > 0 => Ok(Obj::float((i as f64).log2())),
        _ => Ok(Obj::float(ln(args[0])? / std::f64::consts::LN_2)),
    }
}

fn m_log10(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "log10", 1)?;
    if let Some(Num::F(x)) = as_num(args[0]) {
        if x <= 0.0 {
            return Err(domain());
        }
        return Ok(Obj::float(x.log10()));
    }
    match as_num(args[0]) {
        Some(Num::I(i)) if i > 0 => Ok(Obj::float((i as f64).log10())),
        _ => Ok(Obj::float(ln(args[0])? / std::f64::consts::LN_10)),
    }
}

/// `floor`/`ceil`/`trunc`: ints unchanged, floats rounded to an int.
fn to_int(args: &[u64], name: &str, f: fn(f64) -> f64) -> PyResult<Obj> {
    nargs(args, name, 1)?;
    match as_num(args[0]) {
        Some(Num::F(x)) => Ok(int_obj(crate::vm::num::f64_to_int(f(x))?)),
        Some(_) if kind_of(args[0]) == kind::BOOL => Ok(Obj::int((args[0] == true_raw()) as i64)),
        Some(_) => Ok(Obj::new_ref(args[0])),
        None => Err(type_error(format!(
            "must be real number, not {}",
            type_name(args[0])
        ))),
    }
}

fn m_floor(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    to_int(args, "floor", f64::floor)
}
fn m_ceil(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    to_int(args, "ceil", f64::ceil)
}
fn m_trunc(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() == 1 && as_num(args[0]).is_none() {
        return Err(type_error(format!(
            "type {} doesn't define __trunc__ method",
            type_name(args[0])
        )));
    }
    to_int(args, "trunc", f64::trunc)
}

fn m_gcd(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut g = BigInt::from(0);
    for &a in args {
        g = crate::vm::num::gcd(&g, &integer(a)?);
    }
    Ok(new_bigint(g))
}

fn m_isqrt(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "isqrt", 1)?;
    Ok(new_bigint(crate::vm::num::isqrt(&integer(args[0])?)?))
}

fn m_factorial(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "factorial", 1)?;
    Ok(new_bigint(crate::vm::num::factorial(&integer(args[0])?)?))
}

fn m_isnan(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "isnan", 1)?;
    Ok(Obj::bool(real(args[0])?.is_nan()))
}
fn m_isinf(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "isinf", 1)?;
    Ok(Obj::bool(real(args[0])?.is_infinite()))
}
fn m_isfinite(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "isfinite", 1)?;
    Ok(Obj::bool(real(args[0])?.is_finite()))
}

fn m_isclose(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "isclose() takes exactly 2 positional arguments ({} given)",
            args.len()
        )));
    }
    let (a, b) = (real(args[0])?, real(args[1])?);
    let (mut rel, mut abs) = (1e-9, 0.0);
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "rel_tol" => rel = real(k.vals[i])?,
                "abs_tol" => abs = real(k.vals[i])?,
                other => {
                    return Err(type_error(format!(
                        "isclose() got an unexpected keyword argument '{other}'"
                    )))
                }
            }
        }
    }
    if rel < 0.0 || abs < 0.0 {
        return Err(err(ExcKind::ValueError, "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Obj::bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Obj::bool(false));
    }
    let diff = (b - a).abs();
    Ok(Obj::bool(
        (diff <= (rel * b).abs()) || (diff <= (rel * a).abs()) || (diff <= abs),
    ))
}

fn math_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("sqrt", m_sqrt),
        ("exp", m_exp),
        ("sin", m_sin),
        ("cos", m_cos),
        ("tan", m_tan),
        ("asin", m_asin),
        ("acos", m_acos),
        ("atan", m_atan),
        ("atan2", m_atan2),
        ("hypot", m_hypot),
        ("fabs", m_fabs),
        ("pow", m_pow),
        ("log", m_log),
        ("log2", m_log2),
        ("log10", m_log10),
        ("floor", m_floor),
        ("ceil", m_ceil),
        ("trunc", m_trunc),
        ("gcd", m_gcd),
        ("isqrt", m_isqrt),
        ("factorial", m_factorial),
        ("isclose", m_isclose),
        ("isnan", m_isnan),
        ("isinf", m_isinf),
        ("isfinite", m_isfinite),
    ];
    let mut attrs: Vec<(&'static str, Obj)> = fs
        .iter()
        .chain(math_extra::FUNCS)
        .map(|(n, f)| (*n, builtin(n, *f, 0)))
        .collect();
    attrs.push(("pi", Obj::float(std::f64::consts::PI)));
    attrs.push(("e", Obj::float(std::f64::consts::E)));
    attrs.push(("tau", Obj::float(std::f64::consts::TAU)));
    attrs.push(("inf", Obj::float(f64::INFINITY)));
    attrs.push(("nan", Obj::float(f64::NAN)));
    module("math", attrs)
}

// ---- sys ----

fn s_getrecursionlimit(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "getrecursionlimit", 0)?;
    Ok(Obj::int(RECURSION_LIMIT.with(|l| l.get()) as i64))
}

fn s_setrecursionlimit(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "setrecursionlimit", 1)?;
    if kind_of(args[0]) == kind::FLOAT {
        return Err(type_error(
            "'float' object cannot be interpreted as an integer",
        ));
    }
    let n = integer(args[0])?;
    let n: i32 = match i32::try_from(&n) {
        Ok(n) if n >= 1 => n,
        Ok(_) => {
            return Err(err(
                ExcKind::ValueError,
                "recursion limit must be greater or equal than 1",
            ))
        }
        Err(_) => {
            return Err(err(
                ExcKind::OverflowError,
                "Python int too large to convert to C int",
            ))
        }
    };
    let old = RECURSION_LIMIT.with(|l| l.get());
    let depth = old - vm.ts.recursion_remaining;
    if n <= depth {
        return Err(err(
            ExcKind::RecursionError,
            format!(
                "cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low"
            ),
        ));
    }
    vm.ts.recursion_remaining += n - old;
    RECURSION_LIMIT.with(|l| l.set(n));
    Ok(Obj::none())
}

fn s_exit(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let e = new_exc(
        ExcKind::SystemExit,
        args.iter().map(|&a| Obj::new_ref(a)).collect(),
    );
    Err(crate::vm::builtins::exc_to_err(e))
}

/// `sys.stdout.write(s)` / `sys.stderr.write(s)`: the number of characters.
fn stream_write(vm: &mut Vm, stream: Stream, args: &[u64]) -> PyResult<Obj> {
    nargs(args, "write", 1)?;
    if kind_of(args[0]) != kind::STR {
        return Err(type_error(format!(
            "write() argument must be str, not {}",
            type_name(args[0])
        )));
    }
    let s = str_of(args[0]);
    vm.write_stream(stream, s);
    Ok(Obj::int(s.chars().count() as i64))
}

fn s_write(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    stream_write(vm, Stream::Out, args)
}

fn s_flush(vm: &mut Vm, _args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    vm.flush_stream(Stream::Out);
    Ok(Obj::none())
}

fn s_err_write(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    stream_write(vm, Stream::Err, args)
}

fn s_err_flush(vm: &mut Vm, _args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    vm.flush_stream(Stream::Err);
    Ok(Obj::none())
}

/// One line of standard input with its newline ("" at its end), read
/// after flushing what the program wrote (CPython's `input()` does).
pub fn read_stdin_line(vm: &mut Vm) -> PyResult<String> {
    vm.flush();
    let mut buf = Vec::new();
    if let Err(e) = std::io::BufRead::read_until(&mut std::io::stdin().lock(), b'\n', &mut buf) {
        return Err(err(ExcKind::RuntimeError, e.to_string()));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn s_readline(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "readline", 0)?;
    Ok(new_str(read_stdin_line(vm)?))
}

fn s_read(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "read", 0)?;
    vm.flush();
    let mut buf = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf) {
        return Err(err(ExcKind::RuntimeError, e.to_string()));
    }
    Ok(new_str(String::from_utf8_lossy(&buf)))
}

/// The stream `v` writes to, when it is `sys.stdout` or `sys.stderr`.
pub fn stream_of(v: u64) -> Option<Stream> {
    if kind_of(v) != KIND_MODULE {
        return None;
    }
    // SAFETY: kind checked.
    match unsafe { cast::<ModuleObj>(v) }.name {
        "sys.stdout" => Some(Stream::Out),
        "sys.stderr" => Some(Stream::Err),
        _ => None,
    }
}

fn sys_module() -> Obj {
    let argv: Vec<Obj> = ARGV
        .get()
        .map(|v| v.iter().map(new_str).collect())
        .unwrap_or_default();
    let stdout = module(
        "sys.stdout",
        vec![
            ("write", builtin("write", s_write, 0)),
            ("flush", builtin("flush", s_flush, 0)),
        ],
    );
    module(
        "sys",
        vec![
            ("argv", new_list(argv)),
            ("maxsize", new_bigint(BigInt::from(i64::MAX))),
            (
                "getrecursionlimit",
                builtin("getrecursionlimit", s_getrecursionlimit, 0),
            ),
            (
                "setrecursionlimit",
                builtin("setrecursionlimit", s_setrecursionlimit, 0),
            ),
            ("exit", builtin("exit", s_exit, 0)),
            ("stdout", stdout),
            (
                "stderr",
                module(
                    "sys.stderr",
                    vec![
                        ("write", builtin("write", s_err_write, 0)),
                        ("flush", builtin("flush", s_err_flush, 0)),
                    ],
                ),
            ),
            (
                "stdin",
                module(
                    "sys.stdin",
                    vec![
                        ("readline", builtin("readline", s_readline, 0)),
                        ("read", builtin("read", s_read, 0)),
                    ],
                ),
            ),
        ],
    )
}

// ---- string, time ----

fn string_module() -> Obj {
    let lower = "abcdefghijklmnopqrstuvwxyz";
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let digits = "0123456789";
    let punctuation = r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;
    let whitespace = " \t\n\r\x0b\x0c";
    let consts = [
        ("ascii_lowercase", lower.to_string()),
        ("ascii_uppercase", upper.to_string()),
        ("ascii_letters", format!("{lower}{upper}")),
        ("digits", digits.to_string()),
        ("hexdigits", "0123456789abcdefABCDEF".to_string()),
        ("octdigits", "01234567".to_string()),
        ("punctuation", punctuation.to_string()),
        ("whitespace", whitespace.to_string()),
        (
            "printable",
            format!("{digits}{lower}{upper}{punctuation}{whitespace}"),
        ),
    ];
    module(
        "string",
        consts.into_iter().map(|(n, v)| (n, new_str(v))).collect(),
    )
}

fn seconds_since(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

thread_local! {
    /// The origin of `perf_counter()`/`monotonic()`.
    static T0: std::time::Instant = std::time::Instant::now();
}

fn elapsed() -> std::time::Duration {
    T0.with(|t| t.elapsed())
}

fn t_time(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "time", 0)?;
    Ok(Obj::float(seconds_since(std::time::SystemTime::now())))
}

fn t_time_ns(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "time_ns", 0)?;
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(new_bigint(BigInt::from(ns)))
}

fn t_perf_counter(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "perf_counter", 0)?;
    Ok(Obj::float(elapsed().as_secs_f64()))
}

fn t_perf_counter_ns(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "perf_counter_ns", 0)?;
    Ok(new_bigint(BigInt::from(elapsed().as_nanos())))
}

fn t_sleep(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "sleep", 1)?;
    let s = real(args[0])?;
    if s < 0.0 {
        return Err(err(
            ExcKind::ValueError,
            "sleep length must be non-negative",
        ));
    }
    if s.is_finite() {
        std::thread::sleep(std::time::Duration::from_secs_f64(s));
    }
    Ok(Obj::none())
}

fn time_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("time", t_time),
        ("time_ns", t_time_ns),
        ("perf_counter", t_perf_counter),
        ("perf_counter_ns", t_perf_counter_ns),
        ("monotonic", t_perf_counter),
        ("process_time", t_perf_counter),
        ("sleep", t_sleep),
    ];
    functions_module("time", fs)
}

/// The exit status and message of an uncaught `SystemExit` (`sys.exit`):
/// no argument or `None` is 0, an int is itself, anything else is printed
/// on stderr and is 1.
pub fn system_exit_status(e: &PyErr) -> (i32, Option<String>) {
    let arg = e.value.as_ref().and_then(|v| {
        // SAFETY: an exception's value is an exception object.
        (kind_of(v.raw()) == KIND_EXC)
            .then(|| unsafe { cast::<ExcObj>(v.raw()) }.args.first().cloned())
            .flatten()
    });
    match arg {
        None => (0, None),
        Some(a) if a.raw() == none_raw() => (0, None),
        Some(a) => match crate::vm::ops::as_i64(a.raw()) {
            Some(i) => (i as i32, None),
            _ => (1, crate::vm::text::to_str(a.raw()).ok()),
        },
    }
}
