//! Methods of the builtin types `str`, `list` and `dict`.

use crate::abi::layout::kind;
use crate::vm::builtins::builtin;
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{err, index_error, type_error, value_error, ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::iter;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, as_str, str_of, type_name};
use crate::vm::text;
use crate::vm::types::*;

/// Installs the method tables.
pub fn install(vm: &mut Vm) {
    let table: &[(u32, &'static str, BuiltinFn)] = &[
        (kind::STR, "join", s_join),
        (KIND_GEN, "send", crate::vm::generator::g_send),
        (KIND_GEN, "__next__", crate::vm::generator::g_next),
        (KIND_GEN, "__iter__", crate::vm::generator::g_iter),
        (KIND_GEN, "close", crate::vm::generator::g_close),
        (KIND_GEN, "throw", crate::vm::generator::g_throw),
        (kind::STR, "split", s_split),
        (kind::STR, "rsplit", s_rsplit),
        (kind::STR, "strip", s_strip),
        (kind::STR, "lstrip", s_lstrip),
        (kind::STR, "rstrip", s_rstrip),
        (kind::STR, "replace", s_replace),
        (kind::STR, "find", s_find),
        (kind::STR, "rfind", s_rfind),
        (kind::STR, "index", s_index),
        (kind::STR, "count", s_count),
        (kind::STR, "startswith", s_startswith),
        (kind::STR, "endswith", s_endswith),
        (kind::STR, "upper", s_upper),
        (kind::STR, "lower", s_lower),
        (kind::STR, "rjust", s_rjust),
        (kind::STR, "ljust", s_ljust),
        (kind::STR, "center", s_center),
        (kind::STR, "zfill", s_zfill),
        (kind::STR, "format", s_format),
        (kind::STR, "isdigit", s_isdigit),
        (kind::STR, "isalpha", s_isalpha),
        (kind::STR, "isalnum", s_isalnum),
        (kind::STR, "isspace", s_isspace),
        (kind::STR, "isupper", s_isupper),
        (kind::STR, "islower", s_islower),
        (kind::STR, "title", s_title),
        (kind::STR, "capitalize", s_capitalize),
        (kind::STR, "swapcase", s_swapcase),
        (kind::STR, "splitlines", s_splitlines),
        (kind::LIST, "append", l_append),
        (kind::LIST, "pop", l_pop),
        (kind::LIST, "insert", l_insert),
        (kind::LIST, "extend", l_extend),
        (kind::LIST, "index", l_index),
        (kind::LIST, "count", l_count),
        (kind::LIST, "remove", l_remove),
        (kind::LIST, "sort", l_sort),
        (kind::LIST, "reverse", l_reverse),
        (kind::LIST, "copy", l_copy),
        (kind::LIST, "clear", l_clear),
        (kind::TUPLE, "index", l_index),
        (kind::TUPLE, "count", l_count),
        (kind::DICT, "get", d_get),
        (kind::DICT, "keys", d_keys),
        (kind::DICT, "values", d_values),
        (kind::DICT, "items", d_items),
        (kind::DICT, "pop", d_pop),
        (kind::DICT, "setdefault", d_setdefault),
        (kind::DICT, "update", d_update),
        (kind::DICT, "copy", d_copy),
        (kind::DICT, "clear", d_clear),
        (kind::DICT, "popitem", d_popitem),
        (KIND_TYPE, "fromkeys", t_fromkeys),
        (kind::STR, "partition", s_partition),
        (kind::STR, "rpartition", s_rpartition),
    ];
    for (k, name, f) in table {
        vm.methods
            .insert((*k, name.to_string()), builtin(name, *f, *k));
        if *k == kind::DICT {
            // defaultdict and Counter are dicts (their own methods below
            // replace some).
            for k in [KIND_DEFAULTDICT, KIND_COUNTER] {
                vm.methods
                    .insert((k, name.to_string()), builtin(name, *f, k));
            }
        }
    }
    let modules = crate::vm::modules::collections::METHODS
        .iter()
        .chain(crate::vm::modules::itertools::METHODS);
    for (k, name, f) in modules {
        vm.methods
            .insert((*k, name.to_string()), builtin(name, *f, *k));
    }
    for (name, f) in crate::vm::set::METHODS {
        vm.methods
            .insert((KIND_SET, name.to_string()), builtin(name, *f, KIND_SET));
    }
    for (name, f) in crate::vm::set::FROZENSET_METHODS {
        vm.methods.insert(
            (KIND_FROZENSET, name.to_string()),
            builtin(name, *f, KIND_FROZENSET),
        );
    }
}

fn argn(args: &[u64], name: &str, min: usize, max: usize) -> PyResult<()> {
    let given = args.len() - 1;
    if given < min || given > max {
        if min == max {
            return Err(type_error(format!(
                "{}() takes exactly {} argument{} ({} given)",
                name,
                min,
                if min == 1 { "" } else { "s" },
                given
            )));
        }
        if given < min {
            return Err(type_error(format!(
                "{} expected at least {} argument{}, got {}",
                name,
                min,
                if min == 1 { "" } else { "s" },
                given
            )));
        }
        return Err(type_error(format!(
            "{} expected at most {} argument{}, got {}",
            name,
            max,
            if max == 1 { "" } else { "s" },
            given
        )));
    }
    Ok(())
}

fn str_arg<'a>(v: u64, what: &str) -> PyResult<&'a str> {
    as_str(v).ok_or_else(|| type_error(format!("{} must be str, not {}", what, type_name(v))))
}

fn int_arg(v: u64) -> PyResult<i64> {
    as_i64(v).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))
    })
}

/// `s[key]` for a str.
pub fn str_getitem(s: u64, key: u64) -> PyResult<Obj> {
    let text = str_of(s);
    // SAFETY: kind STR checked by the caller.
    let so = unsafe { cast::<StrObj>(s) };
    let ascii = so.ob.flags & 1 == 1;
    if kind_of(key) == KIND_SLICE {
        let n = so.nchars;
        let (start, _, step, cnt) = ops::slice_indices(key, n)?;
        let mut out = String::with_capacity(cnt);
        if ascii {
            let b = text.as_bytes();
            let mut i = start;
            for _ in 0..cnt {
                out.push(b[i as usize] as char);
                i += step;
            }
        } else {
            let cs: Vec<char> = text.chars().collect();
            let mut i = start;
            for _ in 0..cnt {
                out.push(cs[i as usize]);
                i += step;
            }
        }
        return Ok(new_str(out));
    }
    let i = match ops::as_num(key) {
        Some(ops::Num::I(i)) => i,
        _ => {
            return Err(type_error(format!(
                "string indices must be integers, not '{}'",
                type_name(key)
            )))
        }
    };
    match ops::norm_index(i, so.nchars) {
        Some(j) => {
            if ascii {
                Ok(new_str((text.as_bytes()[j] as char).to_string()))
            } else {
                Ok(new_str(
                    text.chars()
                        .nth(j)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ))
            }
        }
        None => Err(index_error("string index out of range")),
    }
}

fn s_join(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "join", 1, 1)?;
    let sep = str_of(args[0]);
    // Lists and tuples are read in place (joining runs no code that could
    // change them); other iterables are collected first.
    match kind_of(args[1]) {
        kind::LIST => join_strs(sep, list_items(args[1])),
        kind::TUPLE => join_strs(sep, tuple_items(args[1])),
        _ => {
            let items = iter::collect_vm(vm, args[1])?;
            let raw: Vec<u64> = items.iter().map(Obj::raw).collect();
            join_strs(sep, &raw)
        }
    }
}

/// `sep.join(items)`: one allocation of the exact length; a `TypeError`
/// naming the first item that is not a str.
fn join_strs(sep: &str, items: &[u64]) -> PyResult<Obj> {
    let mut total = sep.len() * items.len().saturating_sub(1);
    for (i, &it) in items.iter().enumerate() {
        match as_str(it) {
            Some(s) => total += s.len(),
            None => {
                return Err(type_error(format!(
                    "sequence item {}: expected str instance, {} found",
                    i,
                    type_name(it)
                )))
            }
        }
    }
    let mut out = String::with_capacity(total);
    for (i, &it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(str_of(it));
    }
    Ok(new_str(out))
}

fn split_common(args: &[u64], kw: Option<Kw<'_>>, name: &str, right: bool) -> PyResult<Obj> {
    let s = str_of(args[0]);
    let mut sep = args.get(1).copied();
    let mut maxsplit = args.get(2).copied().map(int_arg).transpose()?.unwrap_or(-1);
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "sep" => sep = Some(k.vals[i]),
                "maxsplit" => maxsplit = int_arg(k.vals[i])?,
                other => {
                    return Err(type_error(format!(
                        "'{}' is an invalid keyword argument for {}()",
                        other, name
                    )))
                }
            }
        }
    }
    let sep = sep.filter(|&v| v != none_raw());
    let parts: Vec<String> = match sep {
        None => {
            let mut v: Vec<String> = Vec::new();
            if right {
                let mut words: Vec<&str> = s.split_whitespace().collect();
                if maxsplit >= 0 && words.len() as i64 > maxsplit {
                    // Keep the head unsplit.
                    let mut rest = s.trim_end();
                    let mut tail = Vec::new();
                    for _ in 0..maxsplit {
                        let idx = rest.rfind(char::is_whitespace).unwrap_or(0);
                        tail.push(rest[idx..].trim_start().to_string());
                        rest = rest[..idx].trim_end();
                    }
                    tail.push(rest.to_string());
                    tail.reverse();
                    return Ok(new_list(tail.into_iter().map(new_str).collect()));
                }
                v.extend(words.drain(..).map(String::from));
            } else {
                let mut rest = s.trim_start();
                let mut count = 0;
                while !rest.is_empty() {
                    if maxsplit >= 0 && count >= maxsplit {
                        v.push(rest.to_string());
                        break;
                    }
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    v.push(rest[..end].to_string());
                    rest = rest[end..].trim_start();
                    count += 1;
                }
            }
            v
        }
        Some(sepv) => {
            let sp = str_arg(sepv, "must be str or None")?;
            if sp.is_empty() {
                return Err(value_error("empty separator"));
            }
            if maxsplit < 0 {
                s.split(sp).map(String::from).collect()
            } else if right {
                let mut v: Vec<String> = s
                    .rsplitn(maxsplit as usize + 1, sp)
                    .map(String::from)
                    .collect();
                v.reverse();
                v
            } else {
                s.splitn(maxsplit as usize + 1, sp)
                    .map(String::from)
                    .collect()
            }
        }
    };
    Ok(new_list(parts.into_iter().map(new_str).collect()))
}

fn s_split(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    split_common(args, kw, "split", false)
}
fn s_rsplit(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    split_common(args, kw, "rsplit", true)
}

fn strip_common(args: &[u64], name: &str, left: bool, right: bool) -> PyResult<Obj> {
    argn(args, name, 0, 1)?;
    let s = str_of(args[0]);
    let chars: Option<Vec<char>> = match args.get(1) {
        Some(&v) if v != none_raw() => Some(str_arg(v, "strip arg")?.chars().collect()),
        _ => None,
    };
    let pred = |c: char| match &chars {
        Some(cs) => cs.contains(&c),
        None => c.is_whitespace(),
    };
    let mut r = s;
    if left {
        r = r.trim_start_matches(pred);
    }
    if right {
        r = r.trim_end_matches(pred);
    }
    Ok(new_str(r))
}

fn s_strip(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    strip_common(args, "strip", true, true)
}
fn s_lstrip(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    strip_common(args, "lstrip", true, false)
}
fn s_rstrip(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    strip_common(args, "rstrip", false, true)
}

fn s_replace(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "replace", 2, 3)?;
    let s = str_of(args[0]);
    let old = str_arg(args[1], "replace() argument 1")?;
    let new = str_arg(args[2], "replace() argument 2")?;
    let count = args.get(3).copied().map(int_arg).transpose()?.unwrap_or(-1);
    if count < 0 {
        Ok(new_str(s.replace(old, new)))
    } else {
        Ok(new_str(s.replacen(old, new, count as usize)))
    }
}

/// Char index of a byte offset.
fn char_index(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

/// Byte range of the [start, end) char slice arguments.
fn sub_range(s: &str, args: &[u64], from: usize) -> PyResult<(usize, usize)> {
    let n = s.chars().count() as i64;
    let norm = |v: Option<u64>, d: i64| -> PyResult<i64> {
        match v {
            Some(x) if x != none_raw() => {
                let mut i = int_arg(x)?;
                if i < 0 {
                    i = (i + n).max(0);
                }
                Ok(i.min(n))
            }
            _ => Ok(d),
        }
    };
    let a = norm(args.get(from).copied(), 0)?;
    let b = norm(args.get(from + 1).copied(), n)?;
    let to_byte = |ci: i64| {
        s.char_indices()
            .nth(ci as usize)
            .map(|(b, _)| b)
            .unwrap_or(s.len())
    };
    if a > b {
        return Ok((usize::MAX, 0));
    }
    Ok((to_byte(a), to_byte(b)))
}

fn find_common(args: &[u64], name: &str, rev: bool) -> PyResult<i64> {
    argn(args, name, 1, 3)?;
    let s = str_of(args[0]);
    let sub = str_arg(args[1], "must be str")?;
    let (a, b) = sub_range(s, args, 2)?;
    if a == usize::MAX {
        return Ok(-1);
    }
    let hay = &s[a..b];
    let r = if rev { hay.rfind(sub) } else { hay.find(sub) };
    Ok(match r {
        Some(i) => char_index(s, a + i),
        None => -1,
    })
}

fn s_find(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(Obj::int(find_common(args, "find", false)?))
}
fn s_rfind(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    Ok(Obj::int(find_common(args, "rfind", true)?))
}
fn s_index(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    match find_common(args, "index", false)? {
        -1 => Err(value_error("substring not found")),
        i => Ok(Obj::int(i)),
    }
}

fn s_count(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "count", 1, 3)?;
    let s = str_of(args[0]);
    let sub = str_arg(args[1], "must be str")?;
    let (a, b) = sub_range(s, args, 2)?;
    if a == usize::MAX {
        return Ok(Obj::int(0));
    }
    let hay = &s[a..b];
    let n = if sub.is_empty() {
        hay.chars().count() + 1
    } else {
        hay.matches(sub).count()
    };
    Ok(Obj::int(n as i64))
}

fn affix(args: &[u64], name: &str, end: bool) -> PyResult<Obj> {
    argn(args, name, 1, 3)?;
    let s = str_of(args[0]);
    let (a, b) = sub_range(s, args, 2)?;
    if a == usize::MAX {
        return Ok(Obj::bool(false));
    }
    let hay = &s[a..b];
    let test = |p: &str| {
        if end {
            hay.ends_with(p)
        } else {
            hay.starts_with(p)
        }
    };
    let p = args[1];
    if kind_of(p) == kind::TUPLE {
        for &x in tuple_items(p) {
            if test(str_arg(x, "tuple for startswith must only contain str")?) {
                return Ok(Obj::bool(true));
            }
        }
        return Ok(Obj::bool(false));
    }
    match as_str(p) {
        Some(x) => Ok(Obj::bool(test(x))),
        None => Err(type_error(format!(
            "{} first arg must be str or a tuple of str, not {}",
            name,
            type_name(p)
        ))),
    }
}

fn s_startswith(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    affix(args, "startswith", false)
}
fn s_endswith(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    affix(args, "endswith", true)
}
fn s_upper(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "upper", 0, 0)?;
    Ok(new_str(str_of(args[0]).to_uppercase()))
}
fn s_lower(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "lower", 0, 0)?;
    Ok(new_str(str_of(args[0]).to_lowercase()))
}
fn s_swapcase(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "swapcase", 0, 0)?;
    let r: String = str_of(args[0])
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<String>()
            } else {
                c.to_uppercase().collect()
            }
        })
        .collect();
    Ok(new_str(r))
}

fn justify(args: &[u64], name: &str, how: char) -> PyResult<Obj> {
    argn(args, name, 1, 2)?;
    let s = str_of(args[0]);
    let w = int_arg(args[1])?;
    let fill = match args.get(2) {
        Some(&f) => {
            let fs = str_arg(f, "fill character")?;
            let mut cs = fs.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(type_error(
                        "The fill character must be exactly one character long",
                    ))
                }
            }
        }
        None => ' ',
    };
    let n = s.chars().count() as i64;
    if w <= n {
        return Ok(Obj::new_ref(args[0]));
    }
    let pad = (w - n) as usize;
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    Ok(new_str(match how {
        '<' => format!("{s}{}", f(pad)),
        '>' => format!("{}{s}", f(pad)),
        _ => {
            let left = pad / 2 + (pad & w as usize & 1);
            format!("{}{s}{}", f(left), f(pad - left))
        }
    }))
}

fn s_rjust(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    justify(args, "rjust", '>')
}
fn s_ljust(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    justify(args, "ljust", '<')
}
fn s_center(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    justify(args, "center", '^')
}
fn s_zfill(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "zfill", 1, 1)?;
    let s = str_of(args[0]);
    let w = int_arg(args[1])?;
    let n = s.chars().count() as i64;
    if w <= n {
        return Ok(Obj::new_ref(args[0]));
    }
    let zeros = "0".repeat((w - n) as usize);
    let r = if s.starts_with('-') || s.starts_with('+') {
        format!("{}{}{}", &s[..1], zeros, &s[1..])
    } else {
        format!("{zeros}{s}")
    };
    Ok(new_str(r))
}

fn pred(args: &[u64], f: fn(char) -> bool) -> PyResult<Obj> {
    let s = str_of(args[0]);
    Ok(Obj::bool(!s.is_empty() && s.chars().all(f)))
}
fn s_isdigit(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    pred(args, |c| c.is_ascii_digit())
}
fn s_isalpha(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    pred(args, char::is_alphabetic)
}
fn s_isalnum(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    pred(args, char::is_alphanumeric)
}
fn s_isspace(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    pred(args, char::is_whitespace)
}
fn s_isupper(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let s = str_of(args[0]);
    Ok(Obj::bool(
        s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase),
    ))
}
fn s_islower(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let s = str_of(args[0]);
    Ok(Obj::bool(
        s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase),
    ))
}
fn s_title(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut out = String::new();
    let mut prev_cased = false;
    for c in str_of(args[0]).chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic();
    }
    Ok(new_str(out))
}
fn s_capitalize(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let s = str_of(args[0]);
    let mut cs = s.chars();
    let out = match cs.next() {
        Some(c) => c.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
        None => String::new(),
    };
    Ok(new_str(out))
}
fn s_splitlines(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "splitlines", 0, 1)?;
    let mut keep = args.get(1).copied();
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "keepends" if keep.is_none() => keep = Some(k.vals[i]),
                other => {
                    return Err(type_error(format!(
                        "'{other}' is an invalid keyword argument for splitlines()"
                    )))
                }
            }
        }
    }
    let keep = match keep {
        Some(v) => crate::vm::ops::truthy(v)?,
        None => false,
    };
    // CPython's line boundaries.
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let s = str_of(args[0]);
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().map(|&(_, n)| n) == Some('\n') {
            it.next();
            end += 1;
        }
        out.push(new_str(if keep { &s[start..end] } else { &s[start..i] }));
        start = end;
    }
    if start < s.len() {
        out.push(new_str(&s[start..]));
    }
    Ok(new_list(out))
}

/// `str.partition` / `str.rpartition` (`right`).
fn partition(args: &[u64], name: &str, right: bool) -> PyResult<Obj> {
    argn(args, name, 1, 1)?;
    let s = str_of(args[0]);
    if kind_of(args[1]) != kind::STR {
        return Err(type_error(format!(
            "must be str, not {}",
            crate::vm::ops::type_name(args[1])
        )));
    }
    let sep = str_of(args[1]);
    if sep.is_empty() {
        return Err(value_error("empty separator"));
    }
    let found = if right { s.rfind(sep) } else { s.find(sep) };
    let parts = match found {
        Some(i) => [&s[..i], sep, &s[i + sep.len()..]],
        None if right => ["", "", s],
        None => [s, "", ""],
    };
    Ok(new_tuple(parts.iter().map(|p| new_str(*p)).collect()))
}

fn s_partition(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    partition(args, "partition", false)
}

fn s_rpartition(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    partition(args, "rpartition", true)
}

fn s_format(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let f = str_of(args[0]);
    let pos = &args[1..];
    let mut out = String::new();
    let cs: Vec<char> = f.chars().collect();
    let mut i = 0;
    let mut auto = 0usize;
    while i < cs.len() {
        let c = cs[i];
        if c == '{' {
            if i + 1 < cs.len() && cs[i + 1] == '{' {
                out.push('{');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut depth = 1;
            while j < cs.len() {
                if cs[j] == '{' {
                    depth += 1;
                } else if cs[j] == '}' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if j >= cs.len() {
                return Err(value_error("Single '{' encountered in format string"));
            }
            let field: String = cs[i + 1..j].iter().collect();
            let (name_conv, spec) = match field.find(':') {
                Some(p) => (field[..p].to_string(), field[p + 1..].to_string()),
                None => (field.clone(), String::new()),
            };
            let (name, conv) = match name_conv.find('!') {
                Some(p) => (
                    name_conv[..p].to_string(),
                    Some(name_conv[p + 1..].to_string()),
                ),
                None => (name_conv, None),
            };
            // The field: an argument (auto-numbered, by index or by
            // keyword), then any `.attr` and `[key]` lookups on it.
            let split = name.find(['.', '[']).unwrap_or(name.len());
            let (first, mut rest) = name.split_at(split);
            let mut v: Obj = if first.is_empty() {
                let v = pos.get(auto).copied().ok_or_else(|| {
                    index_error(format!(
                        "Replacement index {} out of range for positional args tuple",
                        auto
                    ))
                })?;
                auto += 1;
                Obj::new_ref(v)
            } else if let Ok(n) = first.parse::<usize>() {
                Obj::new_ref(pos.get(n).copied().ok_or_else(|| {
                    index_error(format!(
                        "Replacement index {} out of range for positional args tuple",
                        n
                    ))
                })?)
            } else {
                let found = kw.and_then(|k| {
                    k.names
                        .iter()
                        .position(|&x| str_of(x) == first)
                        .map(|p| k.vals[p])
                });
                match found {
                    Some(v) => Obj::new_ref(v),
                    None => return Err(crate::vm::builtins::key_error(new_str(first).raw())),
                }
            };
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix('.') {
                    let end = r.find(['.', '[']).unwrap_or(r.len());
                    let attr = new_str(&r[..end]);
                    v = vm.get_attr(v.raw(), attr.raw())?;
                    rest = &r[end..];
                } else if let Some(r) = rest.strip_prefix('[') {
                    let Some(end) = r.find(']') else {
                        return Err(value_error("expected '}' before end of string"));
                    };
                    let key = &r[..end];
                    let k = match key.parse::<i64>() {
                        Ok(n) if !key.starts_with(['-', '+']) => Obj::int(n),
                        _ => new_str(key),
                    };
                    v = ops::getitem(v.raw(), k.raw())?;
                    rest = &r[end + 1..];
                } else {
                    return Err(value_error(
                        "Only '.' or '[' may follow ']' in format field specifier",
                    ));
                }
            }
            let v = v.raw();
            let s = match conv.as_deref() {
                Some("r") | Some("a") => {
                    let r = text::repr(v)?;
                    let t = new_str(r);
                    text::format_value(t.raw(), &spec)?
                }
                Some("s") => {
                    let r = text::to_str(v)?;
                    let t = new_str(r);
                    text::format_value(t.raw(), &spec)?
                }
                _ => text::format_value(v, &spec)?,
            };
            out.push_str(&s);
            i = j + 1;
        } else if c == '}' {
            if i + 1 < cs.len() && cs[i + 1] == '}' {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(value_error("Single '}' encountered in format string"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(new_str(out))
}

// ---- list ----

fn l_append(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() != 2 {
        return Err(type_error(format!(
            "list.append() takes exactly one argument ({} given)",
            args.len() - 1
        )));
    }
    incref(args[1]);
    list_push(args[0], args[1]);
    Ok(Obj::none())
}

fn l_pop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.len() > 2 {
        argn(args, "pop", 0, 1)?;
    }
    let n = list_items(args[0]).len();
    if n == 0 {
        return Err(index_error("pop from empty list"));
    }
    let i = match args.get(1) {
        // A small int index (the common `pop(0)`) needs no conversion.
        Some(&v) if v & 1 == 1 => crate::abi::value::decode_small_int(v),
        Some(&v) => int_arg(v)?,
        None => -1,
    };
    match ops::norm_index(i, n) {
        Some(j) => Ok(Obj::from_raw(list_remove(args[0], j))),
        None => Err(index_error("pop index out of range")),
    }
}

/// Removes and returns (as an owned word) item `j < len` of a list,
/// shifting the later items down in place.
pub(crate) fn list_remove(list: u64, j: usize) -> u64 {
    // SAFETY: the caller checked the kind is LIST and `j < len`; items,
    // len and cap describe the list's live storage, which no other code
    // is using while this runs (no Python code runs here).
    unsafe {
        let p = list as *mut crate::abi::layout::ListObj;
        let len = (*p).len as usize;
        let items = (*p).items;
        let v = *items.add(j);
        std::ptr::copy(items.add(j + 1), items.add(j), len - j - 1);
        (*p).len = (len - 1) as isize;
        v
    }
}

fn l_insert(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "insert", 2, 2)?;
    let n = list_items(args[0]).len() as i64;
    let mut i = int_arg(args[1])?;
    if i < 0 {
        i = (i + n).max(0);
    }
    let i = i.min(n) as usize;
    incref(args[2]);
    list_with(args[0], |v| v.insert(i, args[2]));
    Ok(Obj::none())
}

fn l_extend(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "extend", 1, 1)?;
    let items = iter::collect_vm(vm, args[1])?;
    list_with(args[0], |v| v.extend(items.into_iter().map(Obj::into_raw)));
    Ok(Obj::none())
}

fn seq_items(v: u64) -> Vec<Obj> {
    let items = if kind_of(v) == kind::LIST {
        list_items(v)
    } else {
        tuple_items(v)
    };
    items.iter().map(|&x| Obj::new_ref(x)).collect()
}

fn l_index(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "index", 1, 3)?;
    let items = seq_items(args[0]);
    let n = items.len() as i64;
    let norm = |v: Option<&u64>, d: i64| -> PyResult<i64> {
        match v {
            Some(&x) => {
                let mut i = int_arg(x)?;
                if i < 0 {
                    i = (i + n).max(0);
                }
                Ok(i.min(n))
            }
            None => Ok(d),
        }
    };
    let (a, b) = (norm(args.get(2), 0)?, norm(args.get(3), n)?);
    for i in a..b {
        if ops::eq(items[i as usize].raw(), args[1])? {
            return Ok(Obj::int(i));
        }
    }
    if kind_of(args[0]) == kind::TUPLE {
        return Err(value_error("tuple.index(x): x not in tuple"));
    }
    Err(value_error(format!(
        "{} is not in list",
        text::repr(args[1])?
    )))
}

fn l_count(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "count", 1, 1)?;
    let mut c = 0;
    for it in seq_items(args[0]) {
        if ops::eq(it.raw(), args[1])? {
            c += 1;
        }
    }
    Ok(Obj::int(c))
}

fn l_remove(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "remove", 1, 1)?;
    let items = seq_items(args[0]);
    for (i, it) in items.iter().enumerate() {
        if ops::eq(it.raw(), args[1])? {
            let old = list_with(
                args[0],
                |v| if i < v.len() { Some(v.remove(i)) } else { None },
            );
            if let Some(o) = old {
                decref(o);
            }
            return Ok(Obj::none());
        }
    }
    Err(value_error("list.remove(x): x not in list"))
}

fn l_sort(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "sort", 0, 0)?;
    let mut key = None;
    let mut rev = false;
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            match str_of(n) {
                "key" => key = Some(k.vals[i]).filter(|&x| x != none_raw()),
                "reverse" => rev = ops::truthy(k.vals[i])?,
                other => {
                    return Err(type_error(format!(
                        "'{}' is an invalid keyword argument for sort()",
                        other
                    )))
                }
            }
        }
    }
    let items = seq_items(args[0]);
    let sorted = crate::vm::sort::sort_values(vm, items, key, rev)?;
    let olds = list_with(args[0], |v| {
        std::mem::replace(v, sorted.into_iter().map(Obj::into_raw).collect())
    });
    olds.into_iter().for_each(decref);
    Ok(Obj::none())
}

fn l_reverse(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "reverse", 0, 0)?;
    list_with(args[0], |v| v.reverse());
    Ok(Obj::none())
}

fn l_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "copy", 0, 0)?;
    Ok(new_list(seq_items(args[0])))
}

fn l_clear(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "clear", 0, 0)?;
    let olds = list_with(args[0], std::mem::take);
    olds.into_iter().for_each(decref);
    Ok(Obj::none())
}

// ---- dict ----

fn d(v: u64) -> &'static mut crate::vm::dict::Dict {
    // SAFETY: method tables only bind these to dict receivers.
    unsafe { dict_mut(v) }
}

fn d_get(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "get", 1, 2)?;
    match d(args[0]).get(args[1])? {
        Some(v) => Ok(Obj::new_ref(v)),
        None => Ok(args
            .get(2)
            .map(|&x| Obj::new_ref(x))
            .unwrap_or_else(Obj::none)),
    }
}

fn view(dict: u64, which: u8) -> Obj {
    Obj::from_raw(box_obj(DictViewObj {
        ob: hdr(KIND_DICTVIEW),
        dict: Obj::new_ref(dict),
        which,
    }))
}

fn d_keys(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "keys", 0, 0)?;
    Ok(view(args[0], 0))
}
fn d_values(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "values", 0, 0)?;
    Ok(view(args[0], 1))
}
fn d_items(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "items", 0, 0)?;
    Ok(view(args[0], 2))
}

fn d_pop(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "pop", 1, 2)?;
    match d(args[0]).remove(args[1])? {
        Some(v) => Ok(v),
        None => match args.get(2) {
            Some(&x) => Ok(Obj::new_ref(x)),
            None => Err(crate::vm::builtins::key_error(args[1])),
        },
    }
}

fn d_setdefault(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "setdefault", 1, 2)?;
    if let Some(v) = d(args[0]).get(args[1])? {
        return Ok(Obj::new_ref(v));
    }
    let dv = args
        .get(2)
        .map(|&x| Obj::new_ref(x))
        .unwrap_or_else(Obj::none);
    d(args[0]).set(Obj::new_ref(args[1]), dv.clone())?;
    Ok(dv)
}

/// `dict.update(src)` / `dict(src)`: from a dict or an iterable of pairs.
pub fn dict_update_from(vm: &mut Vm, dst: u64, src: u64) -> PyResult<()> {
    update_from_with(dst, src, &mut |v| iter::collect_vm(vm, v))
}

/// [`dict_update_from`], collecting iterables with `collect` (the
/// interpreter's, or one that needs none: `dict |= pairs`).
pub fn update_from_with(
    dst: u64,
    src: u64,
    collect: &mut dyn FnMut(u64) -> PyResult<Vec<Obj>>,
) -> PyResult<()> {
    if crate::vm::modules::collections::is_dict_kind(kind_of(src)) {
        let pairs: Vec<(Obj, Obj)> = d(src)
            .live()
            .map(|e| (Obj::new_ref(e.key), Obj::new_ref(e.value)))
            .collect();
        for (k, v) in pairs {
            d(dst).set(k, v)?;
        }
        return Ok(());
    }
    let items = collect(src)?;
    for (i, it) in items.into_iter().enumerate() {
        let kv = collect(it.raw()).map_err(|_| {
            type_error(format!(
                "cannot convert dictionary update sequence element #{} to a sequence",
                i
            ))
        })?;
        if kv.len() != 2 {
            return Err(value_error(format!(
                "dictionary update sequence element #{} has length {}; 2 is required",
                i,
                kv.len()
            )));
        }
        let mut kv = kv.into_iter();
        if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
            d(dst).set(k, v)?;
        }
    }
    Ok(())
}

fn d_update(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "update", 0, 1)?;
    if let Some(&src) = args.get(1) {
        dict_update_from(vm, args[0], src)?;
    }
    if let Some(k) = kw {
        for (i, &n) in k.names.iter().enumerate() {
            d(args[0]).set(Obj::new_ref(n), Obj::new_ref(k.vals[i]))?;
        }
    }
    Ok(Obj::none())
}

fn d_copy(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "copy", 0, 0)?;
    let nd = new_dict();
    *d(nd.raw()) = d(args[0]).copy();
    Ok(nd)
}

fn d_popitem(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "popitem", 0, 0)?;
    let last = d(args[0]).live().last().map(|e| Obj::new_ref(e.key));
    let Some(k) = last else {
        return Err(crate::vm::builtins::key_error(
            new_str("popitem(): dictionary is empty").raw(),
        ));
    };
    let v = d(args[0]).remove(k.raw())?.unwrap_or_else(Obj::none);
    Ok(new_tuple(vec![k, v]))
}

/// `dict.fromkeys(iterable, value=None)`, the one class method of a
/// builtin type: looked up on the type object.
fn t_fromkeys(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    // SAFETY: a KIND_TYPE method's self is a type object.
    let id = unsafe { cast::<TypeObj>(args[0]) }.id;
    if id != TypeId::Dict {
        return Err(err(
            ExcKind::AttributeError,
            format!(
                "type object '{}' has no attribute 'fromkeys'",
                crate::vm::builtins::type_id_name(id)
            ),
        ));
    }
    argn(args, "fromkeys", 1, 2)?;
    let value = args.get(2).copied().unwrap_or_else(none_raw);
    let nd = new_dict();
    for k in iter::collect_vm(vm, args[1])? {
        d(nd.raw()).set(k, Obj::new_ref(value))?;
    }
    Ok(nd)
}

fn d_clear(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    argn(args, "clear", 0, 0)?;
    d(args[0]).clear();
    Ok(Obj::none())
}
