//! Float arithmetic with Python's semantics: `/`, `//`, `%`, `divmod` and
//! `**`, with CPython 3.11's exception messages.

use super::error::{OpError, OpResult};

/// Message raised (as `ValueError`) when `**` would need a complex result
/// (`(-8.0) ** (1/3)`): CPython 3.11 returns a complex; this VM has none.
pub const COMPLEX_RESULT: &str = "negative number cannot be raised to a fractional power";

/// `a / b` for floats.
#[inline]
pub fn float_truediv(a: f64, b: f64) -> OpResult<f64> {
    if b == 0.0 {
        return Err(OpError::zero_division("float division by zero"));
    }
    Ok(a / b)
}

/// `a // b` for floats.
#[inline]
pub fn float_floordiv(a: f64, b: f64) -> OpResult<f64> {
    if b == 0.0 {
        return Err(OpError::zero_division("float floor division by zero"));
    }
    Ok(divmod_unchecked(a, b).0)
}

/// `a % b` for floats (result has the sign of `b`).
#[inline]
pub fn float_mod(a: f64, b: f64) -> OpResult<f64> {
    if b == 0.0 {
        return Err(OpError::zero_division("float modulo"));
    }
    let m = a % b;
    Ok(if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    })
}

/// `divmod(a, b)` for floats.
#[inline]
pub fn float_divmod(a: f64, b: f64) -> OpResult<(f64, f64)> {
    if b == 0.0 {
        return Err(OpError::zero_division("float divmod()"));
    }
    Ok(divmod_unchecked(a, b))
}

/// CPython's `_float_div_mod` for `b != 0`.
fn divmod_unchecked(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

/// Whether `x` is an odd integer (CPython's `DOUBLE_IS_ODD_INTEGER`).
fn is_odd_integer(x: f64) -> bool {
    (x % 2.0).abs() == 1.0
}

/// `a ** b` for floats, following CPython's `float_pow` case by case.
/// Errors: `ZeroDivisionError` for `0.0 ** negative`, `OverflowError`
/// `(34, 'Numerical result out of range')`, and `ValueError`
/// [`COMPLEX_RESULT`] where CPython would return a complex.
pub fn float_pow(iv: f64, iw: f64) -> OpResult<f64> {
    if iw == 0.0 {
        return Ok(1.0);
    }
    if iv.is_nan() {
        return Ok(iv);
    }
    if iw.is_nan() {
        return Ok(if iv == 1.0 { 1.0 } else { iw });
    }
    if iw.is_infinite() {
        let av = iv.abs();
        return Ok(if av == 1.0 {
            1.0
        } else if (iw > 0.0) == (av > 1.0) {
            iw.abs()
        } else {
            0.0
        });
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        return Ok(if iw > 0.0 {
            if odd {
                iv
            } else {
                iv.abs()
            }
        } else if odd {
            0.0f64.copysign(iv)
        } else {
            0.0
        });
    }
    if iv == 0.0 {
        let odd = is_odd_integer(iw);
        if iw < 0.0 {
            return Err(OpError::zero_division(
                "0.0 cannot be raised to a negative power",
            ));
        }
        return Ok(if odd { iv } else { 0.0 });
    }
    let mut base = iv;
    let mut negate = false;
    if iv < 0.0 {
        if iw != iw.floor() {
            return Err(OpError::value(COMPLEX_RESULT));
        }
        negate = is_odd_integer(iw);
        base = -iv;
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = base.powf(iw);
    if r.is_infinite() {
        return Err(OpError::overflow("(34, 'Numerical result out of range')"));
    }
    Ok(if negate { -r } else { r })
}
