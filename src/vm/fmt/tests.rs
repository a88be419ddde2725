//! Formatting checked against CPython 3.11 golden cases
//! (`../num/testdata/cases.txt`).

use num_traits::ToPrimitive;

use super::*;
use crate::vm::num::golden::{check, outcome, V};
use crate::vm::num::PyErrorKind;

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
fn bytes_repr_matches_cpython() {
    check("bytesrepr", |a| {
        let hex = a[0].str();
        let data: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        Ok(vec![V::Str(bytes_repr(&data))])
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
        let x = match i % 5 {
            0 => f64::from_bits(bits),
            // Few fractional bits: where shortest-repr ties happen.
            4 => (bits >> 11) as f64 / (1u64 << (bits % 24)) as f64,
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

/// `str.format` test resolver mirroring the generator's `KW`.
struct Fields<'a> {
    args: &'a [V],
}

/// A test value: a golden value, or the dict `d` of `KW`.
#[derive(Clone)]
enum TV {
    V(V),
    Dict,
}

type OpErr = crate::vm::num::OpError;

fn kind_name(v: &V) -> &'static str {
    match v {
        V::Int(_) => "int",
        V::Float(_) => "float",
        V::Str(_) => "str",
        V::Tuple(_) => "tuple",
        V::None => "NoneType",
    }
}

fn test_repr(v: &V) -> String {
    match v {
        V::Int(b) => b.to_string(),
        V::Float(f) => float_repr(*f),
        V::Str(s) => str_repr(s),
        V::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(test_repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        V::None => "None".into(),
    }
}

impl FormatFields for Fields<'_> {
    type Value = TV;
    type Error = OpErr;

    fn positional(&mut self, index: usize) -> Result<Option<TV>, OpErr> {
        Ok(self.args.get(index).cloned().map(TV::V))
    }

    fn keyword(&mut self, name: &str) -> Result<Option<TV>, OpErr> {
        Ok(Some(TV::V(match name {
            "x" => V::Int(42.into()),
            "name" => V::Str("Bob".into()),
            "pi" => V::Float(1.23456),
            "w" => V::Int(10.into()),
            "p" => V::Int(3.into()),
            "t" => V::Tuple(vec![V::Int(1.into()), V::Str("two".into()), V::Float(3.0)]),
            "d" => return Ok(Some(TV::Dict)),
            _ => return Ok(None),
        })))
    }

    fn attribute(&mut self, value: &TV, name: &str) -> Result<TV, OpErr> {
        match (value, name) {
            (TV::V(v @ (V::Int(_) | V::Float(_))), "real") => Ok(TV::V(v.clone())),
            _ => panic!("attribute {name} not mirrored"),
        }
    }

    fn item_index(&mut self, value: &TV, index: usize) -> Result<TV, OpErr> {
        match value {
            TV::V(V::Tuple(items)) => items
                .get(index)
                .cloned()
                .map(TV::V)
                .ok_or_else(|| OpErr::new(PyErrorKind::IndexError, "tuple index out of range")),
            TV::V(V::Str(s)) => s
                .chars()
                .nth(index)
                .map(|c| TV::V(V::Str(c.to_string())))
                .ok_or_else(|| OpErr::new(PyErrorKind::IndexError, "string index out of range")),
            TV::V(v) => Err(OpErr::type_error(format!(
                "'{}' object is not subscriptable",
                kind_name(v)
            ))),
            TV::Dict => Err(OpErr::new(PyErrorKind::KeyError, index.to_string())),
        }
    }

    fn item_key(&mut self, value: &TV, key: &str) -> Result<TV, OpErr> {
        match (value, key) {
            (TV::Dict, "a") => Ok(TV::V(V::Int(1.into()))),
            (TV::Dict, "b") => Ok(TV::V(V::Str("two".into()))),
            (TV::Dict, _) => Err(OpErr::new(PyErrorKind::KeyError, str_repr(key))),
            (TV::V(V::Str(_)), _) => Err(OpErr::type_error(
                "string indices must be integers, not 'str'",
            )),
            (TV::V(V::Tuple(_)), _) => Err(OpErr::type_error(
                "tuple indices must be integers or slices, not str",
            )),
            (TV::V(v), _) => Err(OpErr::type_error(format!(
                "'{}' object is not subscriptable",
                kind_name(v)
            ))),
        }
    }

    fn convert(&mut self, value: TV, conversion: Conversion) -> Result<TV, OpErr> {
        let TV::V(v) = value else {
            panic!("dict conversion not mirrored")
        };
        let text = match (conversion, &v) {
            (Conversion::Str, V::Str(s)) => s.clone(),
            (Conversion::Str, other) => test_repr(other),
            (Conversion::Repr, other) => test_repr(other),
            (Conversion::Ascii, other) => ascii_escape(&test_repr(other)),
        };
        Ok(TV::V(V::Str(text)))
    }

    fn format(&mut self, value: &TV, spec: &str) -> Result<String, OpErr> {
        match value {
            TV::V(V::Int(b)) => format_int(IntRef::Big(b), spec),
            TV::V(V::Float(f)) => format_float(*f, spec),
            TV::V(V::Str(s)) => format_str(s, spec),
            TV::V(v @ V::Tuple(_)) if spec.is_empty() => Ok(test_repr(v)),
            _ => panic!("format of {spec:?} not mirrored"),
        }
    }
}

#[test]
fn str_format_matches_cpython() {
    check("sfmt", |a| {
        let V::Tuple(items) = &a[1] else {
            panic!("sfmt args must be a tuple")
        };
        let mut fields = Fields { args: items };
        outcome(format_string(a[0].str(), &mut fields), |s| vec![V::Str(s)])
    });
}

#[test]
fn format_bool_formats_as_int_with_a_spec() {
    // CPython: format(True, '') == 'True', format(True, '>5') == '    1',
    // format(False, 'x') == '0', format(True, 's') raises.
    assert_eq!(format_bool(true, "").unwrap(), "True");
    assert_eq!(format_bool(true, ">5").unwrap(), "    1");
    assert_eq!(format_bool(false, "x").unwrap(), "0");
    assert_eq!(
        format_bool(true, "s").unwrap_err().message,
        "Unknown format code 's' for object of type 'bool'"
    );
}

#[test]
fn absurd_widths_raise_memory_error_instead_of_allocating() {
    let mem = PyErrorKind::MemoryError;
    assert_eq!(
        format_int(IntRef::Small(1), "999999999").unwrap_err().kind,
        mem
    );
    assert_eq!(format_float(1.0, ".999999999f").unwrap_err().kind, mem);
    assert_eq!(format_str("x", "<999999999").unwrap_err().kind, mem);
    let one = Arg(V::Int(1.into()));
    let args = [Arg(V::Int(999_999_999.into())), Arg(V::Int(1.into()))];
    for fmt in ["%999999999d", "%.999999999f", "%.999999999x"] {
        let err = percent_format(fmt, PercentArgs::Single(&one)).unwrap_err();
        assert_eq!(err.kind, mem, "{fmt}");
    }
    let err = percent_format("%*d", PercentArgs::Tuple(&args)).unwrap_err();
    assert_eq!(err.kind, mem);
    // A long precision on a string only truncates.
    assert_eq!(
        percent_format("%.999999999s", PercentArgs::Single(&one)).unwrap(),
        "1"
    );
}
