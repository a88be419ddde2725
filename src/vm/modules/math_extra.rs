//! The rest of `math` that programs reach for: hyperbolic functions,
//! `fsum` (CPython's exact partials), `prod`, `comb`/`perm`/`lcm`, and the
//! float decompositions. Functions CPython takes from the C library call
//! the C library here too, so results agree to the last bit.

use super::{checked, domain, integer, nargs, real, unary};
use crate::vm::error::{err, type_error, ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{self, str_of};
use crate::vm::types::*;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

extern "C" {
    fn asinh(x: f64) -> f64;
    fn acosh(x: f64) -> f64;
    fn atanh(x: f64) -> f64;
    fn remainder(x: f64, y: f64) -> f64;
    fn cbrt(x: f64) -> f64;
    fn frexp(x: f64, e: *mut std::ffi::c_int) -> f64;
    fn ldexp(x: f64, e: std::ffi::c_int) -> f64;
}

fn c_asinh(x: f64) -> f64 {
    // SAFETY: a pure C library function of a double.
    unsafe { asinh(x) }
}
fn c_acosh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { acosh(x) }
}
fn c_atanh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { atanh(x) }
}

fn c_cbrt(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { cbrt(x) }
}

fn m_sinh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "sinh", f64::sinh, true)
}
fn m_cosh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "cosh", f64::cosh, true)
}
fn m_tanh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "tanh", f64::tanh, false)
}
fn m_asinh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "asinh", c_asinh, false)
}
fn m_acosh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "acosh", c_acosh, false)
}
fn m_atanh(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "atanh", 1)?;
    let x = real(args[0])?;
    if x.abs() >= 1.0 {
        return Err(domain());
    }
    checked(x, c_atanh(x), false)
}
fn m_expm1(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "expm1", f64::exp_m1, true)
}
fn m_log1p(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "log1p", 1)?;
    let x = real(args[0])?;
    if x <= -1.0 {
        return Err(domain());
    }
    checked(x, x.ln_1p(), false)
}
fn m_cbrt(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "cbrt", c_cbrt, false)
}
fn m_exp2(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    unary(args, "exp2", f64::exp2, true)
}
fn m_degrees(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "degrees", 1)?;
    Ok(Obj::float(real(args[0])? * (180.0 / std::f64::consts::PI)))
}
fn m_radians(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "radians", 1)?;
    Ok(Obj::float(real(args[0])? * (std::f64::consts::PI / 180.0)))
}

fn m_copysign(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "copysign", 2)?;
    Ok(Obj::float(real(args[0])?.copysign(real(args[1])?)))
}

fn m_fmod(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "fmod", 2)?;
    let (x, y) = (real(args[0])?, real(args[1])?);
    if y.is_infinite() && x.is_finite() {
        return Ok(Obj::float(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain());
    }
    Ok(Obj::float(r))
}

fn m_remainder(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "remainder", 2)?;
    let (x, y) = (real(args[0])?, real(args[1])?);
    if x.is_nan() || y.is_nan() {
        return Ok(Obj::float(f64::NAN));
    }
    if x.is_infinite() || y == 0.0 {
        return Err(domain());
    }
    if y.is_infinite() {
        return Ok(Obj::float(x));
    }
    // SAFETY: a pure C library function of two doubles.
    Ok(Obj::float(unsafe { remainder(x, y) }))
}

fn m_modf(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "modf", 1)?;
    let x = real(args[0])?;
    let (f, i) = if x.is_infinite() {
        (0.0f64.copysign(x), x)
    } else {
        (x - x.trunc(), x.trunc())
    };
    // A zero fraction keeps the sign of x (as C's modf).
    let f = if f == 0.0 { 0.0f64.copysign(x) } else { f };
    Ok(new_tuple(vec![Obj::float(f), Obj::float(i)]))
}

fn m_frexp(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "frexp", 1)?;
    let x = real(args[0])?;
    if x == 0.0 || !x.is_finite() {
        return Ok(new_tuple(vec![Obj::float(x), Obj::int(0)]));
    }
    let mut e: std::ffi::c_int = 0;
    // SAFETY: the C library's frexp writes the exponent through a valid
    // pointer to a local.
    let m = unsafe { frexp(x, &mut e) };
    Ok(new_tuple(vec![Obj::float(m), Obj::int(e as i64)]))
}

fn m_ldexp(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "ldexp", 2)?;
    let x = real(args[0])?;
    if kind_of(args[1]) == crate::abi::layout::kind::FLOAT {
        return Err(type_error("Expected an int as second argument to ldexp."));
    }
    let e = integer(args[1])?;
    if x == 0.0 || !x.is_finite() {
        return Ok(Obj::float(x));
    }
    let e = e.clamp(BigInt::from(i32::MIN), BigInt::from(i32::MAX));
    let e: i32 = (&e).try_into().unwrap_or(0);
    // SAFETY: a pure C library function.
    let r = unsafe { ldexp(x, e) };
    if r.is_infinite() {
        return Err(err(ExcKind::OverflowError, "math range error"));
    }
    Ok(Obj::float(r))
}

/// `fsum`: CPython's `math_fsum` (Shewchuk's exact partials, then the
/// half-even correction).
fn m_fsum(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "fsum", 1)?;
    let mut p: Vec<f64> = Vec::new();
    let (mut special, mut inf_sum) = (0.0f64, 0.0f64);
    for v in crate::vm::iter::collect_vm(vm, args[0])? {
        let mut x = real(v.raw())?;
        let xsave = x;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let yr = hi - x;
            let lo = y - yr;
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                if xsave.is_finite() {
                    return Err(err(ExcKind::OverflowError, "intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special += xsave;
                p.clear();
            } else {
                p.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(err(ExcKind::ValueError, "-inf + inf in fsum"));
        }
        return Ok(Obj::float(special));
    }
    let mut hi = 0.0;
    let mut n = p.len();
    if n > 0 {
        n -= 1;
        hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(Obj::float(hi))
}

fn m_prod(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 1 {
        return Err(type_error(format!(
            "prod() takes exactly 1 positional argument ({} given)",
            args.len()
        )));
    }
    let mut acc = Obj::int(1);
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            if str_of(n) != "start" {
                return Err(type_error(format!(
                    "prod() got an unexpected keyword argument '{}'",
                    str_of(n)
                )));
            }
            acc = Obj::new_ref(k.vals[i]);
        }
    }
    for v in crate::vm::iter::collect_vm(vm, args[0])? {
        acc = ops::binary_op(acc.raw(), v.raw(), crate::vm::bytecode::binop::MUL)?;
    }
    Ok(acc)
}

fn m_comb(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "comb", 2)?;
    let (n, k) = (integer(args[0])?, integer(args[1])?);
    Ok(new_bigint(crate::vm::num::comb(&n, &k)?))
}

fn m_perm(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.is_empty() || args.len() > 2 {
        return Err(type_error(format!(
            "perm expected at least 1 argument, got {}",
            args.len()
        )));
    }
    let n = integer(args[0])?;
    if args.len() == 1 || args[1] == none_raw() {
        return Ok(new_bigint(crate::vm::num::factorial(&n).map_err(|_| {
            err(ExcKind::ValueError, "n must be a non-negative integer")
        })?));
    }
    let k = integer(args[1])?;
    Ok(new_bigint(crate::vm::num::perm(&n, &k)?))
}

fn m_lcm(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut l = BigInt::from(1);
    for &a in args {
        let x = integer(a)?;
        if x.is_zero() || l.is_zero() {
            l = BigInt::zero();
            continue;
        }
        let g = crate::vm::num::gcd(&l, &x);
        l = (&l / g * x).abs();
    }
    Ok(new_bigint(l))
}

/// The functions of this file, for `math_module`.
pub(super) const FUNCS: &[(&str, BuiltinFn)] = &[
    ("sinh", m_sinh),
    ("cosh", m_cosh),
    ("tanh", m_tanh),
    ("asinh", m_asinh),
    ("acosh", m_acosh),
    ("atanh", m_atanh),
    ("expm1", m_expm1),
    ("log1p", m_log1p),
    ("cbrt", m_cbrt),
    ("exp2", m_exp2),
    ("degrees", m_degrees),
    ("radians", m_radians),
    ("copysign", m_copysign),
    ("fmod", m_fmod),
    ("remainder", m_remainder),
    ("modf", m_modf),
    ("frexp", m_frexp),
    ("ldexp", m_ldexp),
    ("fsum", m_fsum),
    ("prod", m_prod),
    ("comb", m_comb),
    ("perm", m_perm),
    ("lcm", m_lcm),
];
