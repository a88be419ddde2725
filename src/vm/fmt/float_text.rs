//! Floats to text: a port of CPython's `PyOS_double_to_string` and
//! `format_float_short`, with Rust's exact float formatting as the digit
//! generator in place of David Gay's `dtoa` (both give the shortest
//! round-trip digits, and correctly rounded, ties-to-even digits for a
//! given precision).

/// Presentation of a float, as `PyOS_double_to_string` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatCode {
    /// `e`: exponent notation with `precision` digits after the point.
    Exp,
    /// `f`: fixed point with `precision` digits after the point.
    Fixed,
    /// `g`: `precision` significant digits, exponent when needed.
    General,
    /// `r`: shortest round-trip digits (`repr`); precision unused.
    Repr,
}

/// Flags of `PyOS_double_to_string` (`Py_DTSF_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FloatFlags {
    /// Always write a sign (`+` for non-negative values).
    pub sign: bool,
    /// Write `.0` for integral values without exponent (`repr`'s `100.0`).
    pub add_dot_0: bool,
    /// Alternate form (`#`): keep the point and trailing zeros.
    pub alt: bool,
    /// Negative zero (after rounding) loses its sign (`z`).
    pub no_neg_0: bool,
    /// Upper case: `E`, `INF`, `NAN`.
    pub upper: bool,
}

/// `repr(x)` / `str(x)` of a float: `0.1`, `1e+16`, `1e-07`, `100.0`,
/// `-0.0`, `inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    double_to_string(
        x,
        FloatCode::Repr,
        0,
        FloatFlags {
            add_dot_0: true,
            ..FloatFlags::default()
        },
    )
}

/// CPython's `PyOS_double_to_string(x, code, precision, flags)`.
pub fn double_to_string(x: f64, code: FloatCode, precision: usize, flags: FloatFlags) -> String {
    let mut out = String::new();
    if x.is_nan() || x.is_infinite() {
        if x.is_infinite() && x < 0.0 {
            out.push('-');
        } else if flags.sign {
            out.push('+');
        }
        let word = match (x.is_nan(), flags.upper) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        };
        out.push_str(word);
        return out;
    }
    let (digits, decpt) = match code {
        FloatCode::Exp => significant_digits(x, precision + 1),
        FloatCode::General => significant_digits(x, precision.max(1)),
        FloatCode::Fixed => fixed_digits(x, precision),
        FloatCode::Repr => shortest_digits(x),
    };
    let precision = match code {
        FloatCode::Exp => precision + 1,
        FloatCode::General => precision.max(1),
        _ => precision,
    } as i64;
    let mut negative = x.is_sign_negative();
    if flags.no_neg_0 && negative && digits == b"0" {
        negative = false;
    }
    if negative {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    format_short(&mut out, &digits, decpt, code, precision, flags);
    out
}

/// The layout step of `format_float_short`: `digits` has no leading or
/// trailing zeros (or is `"0"` with `decpt == 1`), value = 0.digits × 10^decpt.
fn format_short(
    out: &mut String,
    digits: &[u8],
    decpt: i64,
    code: FloatCode,
    precision: i64,
    flags: FloatFlags,
) {
    let digits_len = digits.len() as i64;
    let mut decpt = decpt;
    let mut vdigits_end = digits_len;
    let mut use_exp = false;
    match code {
        FloatCode::Exp => {
            use_exp = true;
            vdigits_end = precision;
        }
        FloatCode::Fixed => vdigits_end = decpt + precision,
        FloatCode::General => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            if decpt <= -4 || decpt > limit {
                use_exp = true;
            }
            if flags.alt {
                vdigits_end = precision;
            }
        }
        FloatCode::Repr => {
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    vdigits_end = if !use_exp && flags.add_dot_0 {
        vdigits_end.max(decpt + 1)
    } else {
        vdigits_end.max(decpt)
    };
    let zeros = |out: &mut String, n: i64| {
        for _ in 0..n.max(0) {
            out.push('0');
        }
    };
    let push_digits = |out: &mut String, d: &[u8]| {
        out.extend(d.iter().map(|&b| char::from(b)));
    };
    if decpt <= 0 {
        zeros(out, decpt - vdigits_start);
        out.push('.');
        zeros(out, -decpt);
    } else {
        zeros(out, -vdigits_start);
    }
    if 0 < decpt && decpt <= digits_len {
        push_digits(out, &digits[..decpt as usize]);
        out.push('.');
        push_digits(out, &digits[decpt as usize..]);
    } else {
        push_digits(out, digits);
    }
    if digits_len < decpt {
        zeros(out, decpt - digits_len);
        out.push('.');
        zeros(out, vdigits_end - decpt);
    } else {
        zeros(out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if flags.upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        let mag = exp.unsigned_abs();
        if mag < 10 {
            out.push('0');
        }
        out.push_str(&mag.to_string());
    }
}

/// Split Rust's `d.ddde±x` output into (digits without trailing zeros,
/// decimal point position).
fn from_exp_text(text: &str) -> (Vec<u8>, i64) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    normalize(&mut digits, exp + 1)
}

/// Strip trailing zeros; zero becomes `("0", 1)` as dtoa reports it.
fn normalize(digits: &mut Vec<u8>, decpt: i64) -> (Vec<u8>, i64) {
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.iter().all(|&d| d == b'0') {
        return (b"0".to_vec(), 1);
    }
    (std::mem::take(digits), decpt)
}

/// Shortest round-trip digits (dtoa mode 0).
///
/// Rust and dtoa agree on the number of digits, and on the digits
/// themselves except when two shortest candidates are equally close to `x`
/// (`1593918513496416.25`: Rust writes `...6.3`, dtoa `...6.2`). dtoa takes
/// the correctly rounded (ties-to-even) candidate whenever it round-trips,
/// so we do the same.
fn shortest_digits(x: f64) -> (Vec<u8>, i64) {
    let x = x.abs();
    let shortest = format!("{x:e}");
    if !may_tie(x) {
        return from_exp_text(&shortest);
    }
    let n = shortest.split_once('e').map_or(shortest.len(), |(m, _)| {
        m.bytes().filter(u8::is_ascii_digit).count()
    });
    let rounded = format!("{:.*e}", n.saturating_sub(1), x);
    if rounded != shortest && rounded.parse::<f64>() == Ok(x) {
        from_exp_text(&rounded)
    } else {
        from_exp_text(&shortest)
    }
}

/// Whether `x` (finite, non-negative) can be exactly halfway between two
/// shortest candidates. That needs an exact decimal expansion of at most
/// 18 significant digits; `m * 2^e` with `m` odd and `e < 0` has exactly
/// `-e` digits after the point, so `e < -18` rules a tie out.
fn may_tie(x: f64) -> bool {
    let bits = x.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), raw_exp - 1075)
    };
    if mant == 0 {
        return false;
    }
    exp + i64::from(mant.trailing_zeros()) >= -18
}

/// `n` significant digits, correctly rounded (dtoa mode 2).
fn significant_digits(x: f64, n: usize) -> (Vec<u8>, i64) {
    from_exp_text(&format!("{:.*e}", n - 1, x.abs()))
}

/// Digits rounded to `n` places after the point (dtoa mode 3).
fn fixed_digits(x: f64, n: usize) -> (Vec<u8>, i64) {
    let text = format!("{:.*}", n, x.abs());
    let int_len = text.find('.').unwrap_or(text.len()) as i64;
    let all: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    let leading = all.iter().take_while(|&&d| d == b'0').count();
    let mut digits = all[leading..].to_vec();
    normalize(&mut digits, int_len - leading as i64)
}
