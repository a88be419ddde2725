//! Number semantics checked against CPython 3.11 golden cases
//! (`testdata/cases.txt`), plus agreement of the `i64` fast paths with
//! the big-int paths.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::golden::{check, outcome, Outcome, V};
use super::*;

fn int_v(i: Int) -> V {
    V::Int(i.to_bigint())
}

fn small(v: &V) -> Option<i64> {
    v.int().to_i64()
}

/// Check a binary int op on both the i64 fast path (when it answers) and
/// the BigInt path.
fn binary_int(
    op: &str,
    fast: impl Fn(i64, i64) -> OpResult<Option<Vec<V>>>,
    big: impl Fn(&BigInt, &BigInt) -> OpResult<Vec<V>>,
) {
    check(op, |a| {
        let big_result = outcome(big(a[0].int(), a[1].int()), |v| v);
        if let (Some(x), Some(y)) = (small(&a[0]), small(&a[1])) {
            let fast_result: Outcome = match fast(x, y) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => big_result.clone(),
                Err(e) => Err((e.kind.name().to_string(), e.message)),
            };
            if fast_result != big_result {
                return Err(("fast path disagrees".into(), format!("{fast_result:?}")));
            }
        }
        big_result
    });
}

fn iv(x: i64) -> V {
    V::Int(BigInt::from(x))
}

#[test]
fn floordiv_mod_divmod() {
    binary_int(
        "floordiv",
        |a, b| Ok(i64_floordiv(a, b)?.map(|q| vec![iv(q)])),
        |a, b| Ok(vec![V::Int(int_floordiv(a, b)?)]),
    );
    binary_int(
        "mod",
        |a, b| Ok(Some(vec![iv(i64_mod(a, b)?)])),
        |a, b| Ok(vec![V::Int(int_mod(a, b)?)]),
    );
    binary_int(
        "divmod",
        |a, b| Ok(i64_divmod(a, b)?.map(|(q, r)| vec![iv(q), iv(r)])),
        |a, b| {
            let (q, r) = int_divmod(a, b)?;
            Ok(vec![V::Int(q), V::Int(r)])
        },
    );
}

#[test]
fn bitwise_ops_are_twos_complement() {
    binary_int(
        "and",
        |a, b| Ok(Some(vec![iv(a & b)])),
        |a, b| Ok(vec![V::Int(a & b)]),
    );
    binary_int(
        "or",
        |a, b| Ok(Some(vec![iv(a | b)])),
        |a, b| Ok(vec![V::Int(a | b)]),
    );
    binary_int(
        "xor",
        |a, b| Ok(Some(vec![iv(a ^ b)])),
        |a, b| Ok(vec![V::Int(a ^ b)]),
    );
    check("invert", |a| Ok(vec![V::Int(int_invert(a[0].int()))]));
}

#[test]
fn true_division_is_correctly_rounded() {
    binary_int(
        "truediv",
        |a, b| Ok(Some(vec![V::Float(i64_truediv(a, b)?)])),
        |a, b| Ok(vec![V::Float(int_truediv(a, b)?)]),
    );
}

#[test]
fn int_to_float() {
    check("tofloat", |a| {
        outcome(int_to_f64(a[0].int()), |f| vec![V::Float(f)])
    });
}

#[test]
fn powers() {
    binary_int(
        "pow",
        |a, b| Ok(i64_pow(a, b).map(|p| vec![iv(p)])),
        |a, b| {
            Ok(vec![match int_pow(a, b)? {
                IntPow::Int(i) => V::Int(i),
                IntPow::Float(f) => V::Float(f),
            }])
        },
    );
    check("pow3", |a| {
        outcome(int_pow_mod(a[0].int(), a[1].int(), a[2].int()), |r| {
            vec![V::Int(r)]
        })
    });
}

#[test]
fn shifts() {
    binary_int(
        "lshift",
        |a, b| Ok(i64_lshift(a, b)?.map(|r| vec![iv(r)])),
        |a, b| Ok(vec![V::Int(int_lshift(a, b)?)]),
    );
    binary_int(
        "rshift",
        |a, b| Ok(Some(vec![iv(i64_rshift(a, b)?)])),
        |a, b| Ok(vec![V::Int(int_rshift(a, b)?)]),
    );
}

fn float_op(op: &str, f: impl Fn(f64, f64) -> OpResult<Vec<V>>) {
    check(op, |a| outcome(f(a[0].float(), a[1].float()), |v| v));
}

#[test]
fn float_arithmetic() {
    float_op("ffloordiv", |a, b| {
        Ok(vec![V::Float(float_floordiv(a, b)?)])
    });
    float_op("fmod", |a, b| Ok(vec![V::Float(float_mod(a, b)?)]));
    float_op("ftruediv", |a, b| Ok(vec![V::Float(float_truediv(a, b)?)]));
    float_op("fdivmod", |a, b| {
        let (q, r) = float_divmod(a, b)?;
        Ok(vec![V::Float(q), V::Float(r)])
    });
}

#[test]
fn float_power() {
    check("fpow", |a| match float_pow(a[0].float(), a[1].float()) {
        // The generator marks CPython's complex results with "COMPLEX".
        Err(e) if e.message == COMPLEX_RESULT => Ok(vec![V::Str("COMPLEX".into())]),
        r => outcome(r, |f| vec![V::Float(f)]),
    });
}

#[test]
fn float_to_int_and_rounding() {
    check("toint", |a| {
        let x = a[0].float();
        let r = f64_to_int(x);
        if let Ok(Int::Small(v)) = r {
            assert_eq!(f64_trunc_i64(x), Some(v));
        }
        outcome(r, |i| vec![int_v(i)])
    });
    check("round1", |a| {
        outcome(float_round(a[0].float()), |i| vec![int_v(i)])
    });
    check("round2", |a| {
        let n = a[1].int().to_i64().unwrap();
        outcome(float_round_ndigits(a[0].float(), n), |f| vec![V::Float(f)])
    });
    check("isint", |a| {
        Ok(vec![V::Int(BigInt::from(u8::from(f64_is_integer(
            a[0].float(),
        ))))])
    });
}

#[test]
fn int_rounding() {
    check("roundint", |a| {
        let n = a[1].int().to_i64().unwrap();
        let big = int_round(a[0].int(), n);
        if let Some(x) = small(&a[0]) {
            if let Some(r) = i64_round(x, n) {
                assert_eq!(BigInt::from(r), big, "i64_round({x}, {n})");
            }
        }
        Ok(vec![V::Int(big)])
    });
}

#[test]
fn parsing() {
    check("int", |a| {
        let base = a[1].int().to_i64().unwrap();
        outcome(parse_int(a[0].str(), base), |i| vec![int_v(i)])
    });
    check("float", |a| {
        outcome(parse_float(a[0].str()), |f| vec![V::Float(f)])
    });
}

#[test]
fn int_to_text() {
    check("str", |a| {
        outcome(int_to_decimal(a[0].int()), |s| vec![V::Str(s)])
    });
    for (op, radix) in [("hex", 16), ("oct", 8), ("bin", 2)] {
        check(op, |a| {
            let s = int_to_radix_prefixed(a[0].int(), radix);
            if let Some(x) = small(&a[0]) {
                assert_eq!(i64_to_radix_prefixed(x, radix), s);
            }
            Ok(vec![V::Str(s)])
        });
    }
}

#[test]
fn huge_shift_is_memory_error() {
    let one = BigInt::from(1);
    let count = BigInt::from(1u64) << 64u32;
    assert_eq!(
        int_lshift(&one, &count).unwrap_err().kind,
        PyErrorKind::MemoryError
    );
}

#[test]
fn int_float_comparison_is_exact() {
    check("cmp", |a| {
        let (x, y) = (a[0].int(), a[1].float());
        let ord = int_f64_cmp(x, y);
        if let Some(small) = small(&a[0]) {
            assert_eq!(i64_f64_cmp(small, y), ord, "{small} vs {y}");
        }
        Ok(vec![match ord {
            None => V::Str("nan".into()),
            Some(o) => iv(o as i64),
        }])
    });
}

#[test]
fn hashes_match_cpython() {
    check("hash", |a| {
        let h = hash_int(a[0].int());
        if let Some(x) = small(&a[0]) {
            assert_eq!(hash_i64(x), h);
        }
        Ok(vec![iv(h)])
    });
    check("fhash", |a| Ok(vec![iv(hash_f64(a[0].float()).unwrap())]));
    assert_eq!(hash_f64(f64::NAN), None);
}

#[test]
fn math_int_functions_match_cpython() {
    check("floor", |a| {
        outcome(float_floor(a[0].float()), |i| vec![int_v(i)])
    });
    check("ceil", |a| {
        outcome(float_ceil(a[0].float()), |i| vec![int_v(i)])
    });
    check("factorial", |a| {
        outcome(factorial(a[0].int()), |i| vec![V::Int(i)])
    });
    check("isqrt", |a| outcome(isqrt(a[0].int()), |i| vec![V::Int(i)]));
    check("gcd", |a| Ok(vec![V::Int(gcd(a[0].int(), a[1].int()))]));
    check("comb", |a| {
        outcome(comb(a[0].int(), a[1].int()), |i| vec![V::Int(i)])
    });
    check("perm", |a| {
        outcome(perm(a[0].int(), a[1].int()), |i| vec![V::Int(i)])
    });
}
