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

/// A `%` argument built from a golden value.
struct Arg(V);

impl PercentArg for Arg {
    type Error = crate::vm::num::OpError;

    fn number(&self) -> NumArg<'_> {
        match &self.0 {
            V::Int(b) => match b.to_i64() {
                Some(v) => NumArg::Small(v),
                None => NumArg::Big(b),
            },
            V::Float(f) => NumArg::Float(*f),
            _ => NumArg::NotNumber,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match &self.0 {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    fn str(&self) -> Result<String, Self::Error> {
        match &self.0 {
            V::Int(b) => crate::vm::num::int_to_decimal(b),
            V::Float(f) => Ok(float_repr(*f)),
            V::Str(s) => Ok(s.clone()),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn repr(&self) -> Result<String, Self::Error> {
        match &self.0 {
            V::Str(s) => Ok(str_repr(s)),
            _ => self.str(),
        }
    }

    fn type_name(&self) -> String {
        match &self.0 {
            V::Int(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            _ => "object",
        }
        .to_string()
    }
}

#[test]
fn percent_format_matches_cpython() {
    check("pct", |a| {
        let V::Tuple(items) = &a[1] else {
            panic!("pct args must be a tuple")
        };
        let args: Vec<Arg> = items.iter().cloned().map(Arg).collect();
        outcome(percent_format(a[0].str(), PercentArgs::Tuple(&args)), |s| {
            vec![V::Str(s)]
        })
    });
    check("pct1", |a| {
        let arg = Arg(a[1].clone());
        outcome(percent_format(a[0].str(), PercentArgs::Single(&arg)), |s| {
            vec![V::Str(s)]
        })
    });
}

#[test]
fn percent_format_with_mapping() {
    let mapping = Arg(V::Str("{'a': 1}".into()));
    let get = |key: &str| -> Result<Arg, crate::vm::num::OpError> {
        match key {
            "a" => Ok(Arg(V::Int(1.into()))),
            "b(c)" => Ok(Arg(V::Float(2.5))),
            _ => Err(crate::vm::num::OpError::value(format!("KeyError {key}"))),
        }
    };
    let args = || PercentArgs::Mapping {
        mapping: &mapping,
        get: &get,
    };
    // Expected values from CPython with d = {'a': 1, 'b(c)': 2.5}:
    // '%(a)05d|%(b(c))s' % d == '00001|2.5', '%s|%(a)05d' % d == "{...}|00001",
    // '%(a)05d|%(b(c))s|%s' % d raises "not enough arguments".
    assert_eq!(
        percent_format("%(a)05d|%(b(c))s", args()).unwrap(),
        "00001|2.5"
    );
    assert_eq!(
        percent_format("%s|%(a)05d", args()).unwrap(),
        "{'a': 1}|00001"
    );
    assert_eq!(
        percent_format("%(a)05d|%(b(c))s|%s", args())
            .unwrap_err()
            .message,
        "not enough arguments for format string"
    );
    assert_eq!(
        percent_format("%(a", args()).unwrap_err().message,
        "incomplete format key"
    );
    assert_eq!(
        percent_format("%(a)s %s %s", args()).unwrap_err().message,
        "not enough arguments for format string"
    );
    let one = Arg(V::Int(1.into()));
    assert_eq!(
        percent_format("%(a)s", PercentArgs::Single(&one))
            .unwrap_err()
            .message,
        "format requires a mapping"
    );
}
