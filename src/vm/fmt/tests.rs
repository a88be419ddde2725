//! Formatting checked against CPython 3.11 golden cases
//! (`../num/testdata/cases.txt`).

use num_traits::ToPrimitive;

use super::*;
use crate::vm::num::golden::{check, outcome, V};

#[test]
fn float_repr_matches_cpython() {
    check("repr", |a| Ok(vec![V::Str(float_repr(a[0].float()))]));
}

#[test]
fn str_repr_and_ascii_match_cpython() {
    check("strrepr", |a| Ok(vec![V::Str(str_repr(a[0].str()))]));
    check("ascii", |a| Ok(vec![V::Str(str_ascii(a[0].str()))]));
    check("ascii", |a| {
        Ok(vec![V::Str(ascii_escape(&str_repr(a[0].str())))])
    });
}

#[test]
fn format_int_matches_cpython() {
    check("fmtint", |a| {
        let n = a[0].int();
        let spec = a[1].str();
        let big = format_int(IntRef::Big(n), spec);
        if let Some(small) = n.to_i64() {
            assert_eq!(format_int(IntRef::Small(small), spec), big, "{n} {spec:?}");
        }
        outcome(big, |s| vec![V::Str(s)])
    });
}

#[test]
fn format_float_matches_cpython() {
    check("fmtfloat", |a| {
        outcome(format_float(a[0].float(), a[1].str()), |s| vec![V::Str(s)])
    });
}

#[test]
fn format_str_matches_cpython() {
    check("fmtstr", |a| {
        outcome(format_str(a[0].str(), a[1].str()), |s| vec![V::Str(s)])
    });
}
