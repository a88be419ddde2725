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

/// Many random floats through `repr` and a set of specs, compared live
/// with `python3` (CPython 3.11). Ignored by default: it needs python3 and
/// takes a few seconds. Run: `cargo test --lib fuzz_against_python -- --ignored`.
#[test]
#[ignore]
fn fuzz_against_python() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    const SPECS: [&str; 12] = [
        "", ".3", ".17", "e", ".0e", "g", ".12g", "f", ".2f", "%", ",.3f", "#.5g",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut floats = Vec::new();
    for i in 0..20000 {
        let bits = next();
        let x = match i % 4 {
            0 => f64::from_bits(bits),
            1 => (bits >> 11) as f64 / (1u64 << 53) as f64 * 1e6,
            2 => f64::from_bits((bits & 0x800f_ffff_ffff_ffff) | ((900 + bits % 250) << 52)),
            _ => ((bits % 2_000_000) as f64 - 1e6) / 1000.0,
        };
        floats.push(x);
    }
    let script = "import sys,struct\n\
        specs=sys.argv[1:]\n\
        for line in sys.stdin:\n\
        \x20   x=struct.unpack('>d',bytes.fromhex(line.strip()))[0]\n\
        \x20   print('\\x1f'.join([repr(x)]+[format(x,s) for s in specs]))\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(SPECS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 must be installed for this test");
    let input: String = floats
        .iter()
        .map(|x| format!("{:016x}\n", x.to_bits()))
        .collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let mut bad = Vec::new();
    for (x, line) in floats.iter().zip(text.lines()) {
        let expected: Vec<&str> = line.split('\x1f').collect();
        let mut got = vec![float_repr(*x)];
        got.extend(SPECS.iter().map(|s| format_float(*x, s).unwrap()));
        if got != expected {
            bad.push(format!("{x:e}: expected {expected:?}, got {got:?}"));
        }
    }
    assert_eq!(text.lines().count(), floats.len());
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
}
