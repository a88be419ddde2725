//! Builtin functions, builtin types (as callables) and exception helpers.

use crate::abi::layout::kind;
use crate::abi::value::IMMORTAL_REFCNT;
use crate::vm::dict::{dict_mut, new_dict};
use crate::vm::error::{err, type_error, value_error, ExcKind, PyErr, PyResult};
use crate::vm::interp::{Stream, Vm};
use crate::vm::iter;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, as_num, as_str, str_of, type_name, Num};
use crate::vm::text;
use crate::vm::types::*;
use num_bigint::BigInt;
use num_traits::Signed;

/// A builtin function object.
pub fn builtin(name: &'static str, f: BuiltinFn, self_kind: u32) -> Obj {
    Obj::from_raw(box_obj(BuiltinObj {
        ob: hdr(kind::BUILTIN),
        name,
        f,
        self_kind,
    }))
}

fn type_obj(id: TypeId) -> Obj {
    Obj::from_raw(box_obj(TypeObj {
        ob: hdr(KIND_TYPE),
        id,
    }))
}

/// A type object for `id` (the standard modules' types).
pub fn type_object(id: TypeId) -> Obj {
    type_obj(id)
}

/// Python name of a builtin type.
pub fn type_id_name(id: TypeId) -> &'static str {
    match id {
        TypeId::Int => "int",
        TypeId::Float => "float",
        TypeId::Str => "str",
        TypeId::Bool => "bool",
        TypeId::List => "list",
        TypeId::Tuple => "tuple",
        TypeId::Dict => "dict",
        TypeId::Range => "range",
        TypeId::Enumerate => "enumerate",
        TypeId::Zip => "zip",
        TypeId::Map => "map",
        TypeId::Reversed => "reversed",
        TypeId::NoneType => "NoneType",
        TypeId::Object => "object",
        TypeId::Function => "function",
        TypeId::Set => "set",
        TypeId::Generator => "generator",
        TypeId::FrozenSet => "frozenset",
        TypeId::Exc(k) => k.name(),
        TypeId::Deque => "collections.deque",
        TypeId::DefaultDict => "collections.defaultdict",
        TypeId::Counter => "collections.Counter",
        TypeId::Other(name) => name,
    }
}

/// The attributes every object of a kind has that are not methods:
/// `__name__` and `__qualname__` of functions, builtins and types,
/// `__module__` of functions (`None` when `v` has no such attribute).
pub fn special_attr(v: u64, name: &str) -> Option<Obj> {
    let k = kind_of(v);
    let int_like = matches!(k, KIND_SMALLINT | kind::BIGINT | kind::BOOL);
    match name {
        // Numbers: `real`, `imag`, and an int's `numerator`/`denominator`.
        "real" | "numerator" if int_like => return Some(int_of_bool_or_int(v)),
        "imag" if int_like => return Some(Obj::int(0)),
        "denominator" if int_like => return Some(Obj::int(1)),
        "real" if k == kind::FLOAT => return Some(Obj::new_ref(v)),
        "imag" if k == kind::FLOAT => return Some(Obj::from_raw(new_float(0.0))),
        _ => {}
    }
    let text: String = match (k, name) {
        (kind::FUNCTION, "__name__" | "__qualname__") => {
            // SAFETY: kind checked; a function's code is a code object.
            let c = unsafe { &cast::<CodeObj>(cast::<FuncObj>(v).code.raw()).code };
            if name == "__name__" {
                c.name.to_string()
            } else {
                c.qualname.to_string()
            }
        }
        (kind::FUNCTION, "__module__") => "__main__".to_string(),
        // SAFETY: kind checked.
        (kind::BUILTIN, "__name__") => unsafe { cast::<BuiltinObj>(v) }.name.to_string(),
        (kind::BUILTIN, "__qualname__") => {
            // SAFETY: kind checked.
            let b = unsafe { cast::<BuiltinObj>(v) };
            match b.self_kind {
                0 => b.name.to_string(),
                k => format!("{}.{}", kind_type_name(k), b.name),
            }
        }
        (KIND_BOUND, "__name__" | "__qualname__") => {
            // SAFETY: kind checked.
            return special_attr(unsafe { cast::<BoundObj>(v) }.func.raw(), name);
        }
        // SAFETY: kind checked.
        // (A module's type prints as `module.name`; its name is the last part.)
        (KIND_TYPE, "__name__" | "__qualname__") => {
            let full = type_id_name(unsafe { cast::<TypeObj>(v) }.id);
            full.rsplit('.').next().unwrap_or(full).to_string()
        }
        _ => return None,
    };
    Some(new_str(text))
}

/// `v` (an int or a bool) as an int (`True.real` is `1`).
fn int_of_bool_or_int(v: u64) -> Obj {
    if kind_of(v) == kind::BOOL {
        Obj::int((v == Obj::bool(true).raw()) as i64)
    } else {
        Obj::new_ref(v)
    }
}

/// The name of the builtin type of objects of kind `k` (a method's
/// `self_kind`).
fn kind_type_name(k: u32) -> &'static str {
    match k {
        KIND_SMALLINT | kind::BIGINT => "int",
        kind::FLOAT => "float",
        kind::STR => "str",
        kind::LIST => "list",
        kind::TUPLE => "tuple",
        kind::DICT => "dict",
        KIND_SET => "set",
        _ => "object",
    }
}

/// Installs builtins and the methods of builtin types.
pub fn install(vm: &mut Vm) {
    let funcs: &[(&'static str, BuiltinFn)] = &[
        ("print", b_print),
        ("input", b_input),
        ("getattr", b_getattr),
        ("setattr", b_setattr),
        ("hasattr", b_hasattr),
        ("globals", b_globals),
        ("len", b_len),
        ("abs", b_abs),
        ("min", b_min),
        ("max", b_max),
        ("sum", b_sum),
        ("divmod", b_divmod),
        ("pow", b_pow),
        ("round", b_round),
        ("repr", b_repr),
        ("sorted", b_sorted),
        ("any", b_any),
        ("all", b_all),
        ("isinstance", b_isinstance),
        ("chr", b_chr),
        ("ord", b_ord),
        ("hex", b_hex),
        ("oct", b_oct),
        ("bin", b_bin),
        ("iter", b_iter),
        ("next", b_next),
        ("hash", b_hash),
        ("callable", b_callable),
        ("format", b_format),
        ("type", b_type),
        ("id", b_id),
        ("filter", b_filter),
        ("__build_class__", crate::vm::class::build_class),
        ("staticmethod", crate::vm::class::b_staticmethod),
        ("classmethod", crate::vm::class::b_classmethod),
        ("property", crate::vm::class::b_property),
        ("super", crate::vm::class::b_super),
        ("issubclass", b_issubclass),
        ("vars", b_vars),
    ];
    // SAFETY: builtins is a dict.
    let bd = unsafe { dict_mut(vm.builtins.raw()) };
    for (name, f) in funcs {
        let _ = bd.set(new_str(*name), builtin(name, *f, 0));
    }
    let types = [
        TypeId::Int,
        TypeId::Float,
        TypeId::Str,
        TypeId::Bool,
        TypeId::List,
        TypeId::Tuple,
        TypeId::Dict,
        TypeId::Range,
        TypeId::Enumerate,
        TypeId::Zip,
        TypeId::Map,
        TypeId::Reversed,
        TypeId::Object,
        TypeId::Set,
        TypeId::FrozenSet,
    ];
    for t in types {
        let _ = bd.set(new_str(type_id_name(t)), type_obj(t));
    }
    for &k in ExcKind::ALL {
        let _ = bd.set(new_str(k.name()), type_obj(TypeId::Exc(k)));
    }
    let _ = bd.set(
        new_str("NotImplemented"),
        crate::vm::class::make_not_implemented(),
    );
    crate::vm::methods::install(vm);
}

/// A new exception instance.
pub fn new_exc(k: ExcKind, args: Vec<Obj>) -> Obj {
    Obj::from_raw(box_obj(ExcObj {
        ob: hdr(KIND_EXC),
        kind: k,
        args,
        cls: None,
        dict: None,
        traceback: Vec::new(),
        context: None,
        cause: None,
        suppress_context: false,
    }))
}

/// `KeyError(key)` with the key as its argument.
pub fn key_error(key: u64) -> Box<PyErr> {
    let mut e = err(ExcKind::KeyError, text::repr(key).unwrap_or_default());
    e.value = Some(new_exc(ExcKind::KeyError, vec![Obj::new_ref(key)]));
    e
}

/// Turns a caught Rust-side error into an exception object.
pub fn err_to_exc(e: &PyErr) -> Obj {
    if let Some(v) = &e.value {
        return v.clone();
    }
    let args = if e.msg.is_empty() {
        vec![]
    } else {
        vec![new_str(e.msg.clone())]
    };
    new_exc(e.kind, args)
}

/// The message a traceback prints after `Type: ` for exception object `e`.
pub fn exc_message(e: u64) -> String {
    // SAFETY: callers pass exception objects.
    let x = unsafe { cast::<ExcObj>(e) };
    if x.kind == ExcKind::KeyError && x.args.len() == 1 {
        text::repr(x.args[0].raw()).unwrap_or_default()
    } else {
        text::to_str(e).unwrap_or_default()
    }
}

/// Turns an exception object into a raisable error.
pub fn exc_to_err(e: Obj) -> Box<PyErr> {
    // SAFETY: callers pass exception objects.
    let k = unsafe { cast::<ExcObj>(e.raw()) }.kind;
    let mut b = err(k, exc_message(e.raw()));
    // SAFETY: as above.
    b.traceback = unsafe { cast::<ExcObj>(e.raw()) }.traceback.clone();
    b.value = Some(e);
    b
}

/// The exception object of `e` as a handler catches it: its traceback so
/// far (which includes the catching frame's entry) kept on the object, for
/// a re-raise and for printing it as another's context or cause.
pub fn caught(e: PyErr) -> Obj {
    let exc = match &e.value {
        Some(v) => v.clone(),
        None => err_to_exc(&e),
    };
    // SAFETY: err_to_exc gives an exception object.
    unsafe { cast_mut::<ExcObj>(exc.raw()) }.traceback = e.traceback;
    exc
}

/// Sets the `__context__` of `e`, raised while `handled` is handled (as
/// CPython's `_PyErr_SetObject`): not to itself, and cutting the cycle if
/// `handled`'s context chain already leads to `e`.
pub fn chain_context(e: &mut PyErr, handled: &Obj) {
    let v = match &e.value {
        Some(v) => v.clone(),
        None => {
            let v = err_to_exc(e);
            e.value = Some(v.clone());
            v
        }
    };
    if v.raw() == handled.raw() {
        return;
    }
    // SAFETY: both are exception objects; no reference into either is held
    // across the mutations below.
    unsafe {
        if cast::<ExcObj>(v.raw()).context.is_some() {
            return;
        }
        let mut o = handled.raw();
        loop {
            let x = cast_mut::<ExcObj>(o);
            match &x.context {
                Some(c) if c.raw() == v.raw() => {
                    x.context = None;
                    break;
                }
                Some(c) => o = c.raw(),
                None => break,
            }
        }
        cast_mut::<ExcObj>(v.raw()).context = Some(handled.clone());
    }
}

/// `raise e from cause`: sets `e`'s `__cause__` (an exception instance, a
/// class to instantiate, or `None`) and `__suppress_context__`.
pub fn set_cause(vm: &mut Vm, mut e: Box<PyErr>, cause: Obj) -> PyResult<Box<PyErr>> {
    let cause = match cause.kind() {
        KIND_EXC => Some(cause),
        // SAFETY: kind checked.
        KIND_TYPE if matches!(unsafe { cast::<TypeObj>(cause.raw()).id }, TypeId::Exc(_)) => {
            Some(call_type(vm, cause.raw(), &[], None)?)
        }
        _ if cause.raw() == Obj::none().raw() => None,
        _ => {
            return Err(type_error(
                "exception causes must derive from BaseException",
            ))
        }
    };
    let v = match &e.value {
        Some(v) => v.clone(),
        None => {
            let v = err_to_exc(&e);
            e.value = Some(v.clone());
            v
        }
    };
    // SAFETY: an exception object.
    let x = unsafe { cast_mut::<ExcObj>(v.raw()) };
    x.cause = cause;
    x.suppress_context = true;
    Ok(e)
}

/// The data attributes of an exception object (`args`, `__cause__`,
/// `__context__`, `__suppress_context__`); `None` for any other name.
pub fn exc_attr(e: u64, name: &str) -> Option<Obj> {
    // SAFETY: callers pass exception objects.
    let x = unsafe { cast::<ExcObj>(e) };
    let opt = |o: &Option<Obj>| o.clone().unwrap_or_else(Obj::none);
    Some(match name {
        "args" => new_tuple(x.args.clone()),
        "__cause__" => opt(&x.cause),
        "__context__" => opt(&x.context),
        "__suppress_context__" => Obj::bool(x.suppress_context),
        _ => return None,
    })
}

/// `raise v`: v is an exception class or instance.
pub fn make_raise(vm: &mut Vm, v: Obj) -> PyResult<Box<PyErr>> {
    match v.kind() {
        KIND_EXC => Ok(exc_to_err(v)),
        // SAFETY: kind checked.
        KIND_CLASS
            if unsafe { crate::vm::class::class(v.raw()) }
                .exc_base
                .is_some() =>
        {
            let e = crate::vm::class::call_class(vm, v.raw(), &[], None)?;
            if kind_of(e.raw()) != KIND_EXC {
                return Err(type_error("exceptions must derive from BaseException"));
            }
            Ok(exc_to_err(e))
        }
        KIND_TYPE => {
            // SAFETY: kind checked.
            if let TypeId::Exc(_) = unsafe { cast::<TypeObj>(v.raw()).id } {
                let e = call_type(vm, v.raw(), &[], None)?;
                Ok(exc_to_err(e))
            } else {
                Err(type_error("exceptions must derive from BaseException"))
            }
        }
        _ => Err(type_error("exceptions must derive from BaseException")),
    }
}

/// Whether exception `e` matches the `except` clause type `ty` (a class or tuple of classes).
pub fn exc_matches(e: u64, ty: u64) -> PyResult<bool> {
    // SAFETY: e is an exception object.
    let ek = unsafe { cast::<ExcObj>(e).kind };
    match kind_of(ty) {
        kind::TUPLE => {
            for &t in tuple_items(ty) {
                if exc_matches(e, t)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        // SAFETY: kind checked.
        KIND_CLASS if unsafe { crate::vm::class::class(ty) }.exc_base.is_some() => {
            Ok(crate::vm::class::isinstance(e, ty))
        }
        // SAFETY: kind checked.
        KIND_TYPE => match unsafe { cast::<TypeObj>(ty).id } {
            TypeId::Exc(k) => Ok(ek.is_subclass(k)),
            _ => Err(type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        },
        _ => Err(type_error(
            "catching classes that do not inherit from BaseException is not allowed",
        )),
    }
}

fn kw_get(kw: Option<Kw<'_>>, name: &str) -> Option<u64> {
    let k = kw?;
    k.names
        .iter()
        .position(|&n| str_of(n) == name)
        .map(|i| k.vals[i])
}

fn no_kw(kw: Option<Kw<'_>>, fname: &str) -> PyResult<()> {
    match kw {
        Some(k) if !k.names.is_empty() => {
            Err(type_error(format!("{fname}() takes no keyword arguments")))
        }
        _ => Ok(()),
    }
}

fn check_kw(kw: Option<Kw<'_>>, fname: &str, allowed: &[&str]) -> PyResult<()> {
    if let Some(k) = kw {
        for &n in k.names {
            if !allowed.contains(&str_of(n)) {
                return Err(type_error(format!(
                    "'{}' is an invalid keyword argument for {}()",
                    str_of(n),
                    fname
                )));
            }
        }
    }
    Ok(())
}

fn nargs(args: &[u64], fname: &str, min: usize, max: usize) -> PyResult<()> {
    if args.len() < min || args.len() > max {
        if min == max {
            return Err(type_error(format!(
                "{}() takes exactly {} argument{} ({} given)",
                fname,
                min,
                if min == 1 { "" } else { "s" },
                args.len()
            )));
        }
        if args.len() < min {
            return Err(type_error(format!(
                "{} expected at least {} argument{}, got {}",
                fname,
                min,
                if min == 1 { "" } else { "s" },
                args.len()
            )));
        }
        return Err(type_error(format!(
            "{} expected at most {} argument{}, got {}",
            fname,
            max,
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

fn b_print(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    check_kw(kw, "print", &["sep", "end", "file", "flush"])?;
    let get = |n: &str| -> PyResult<Option<String>> {
        match kw_get(kw, n) {
            None => Ok(None),
            Some(v) if v == none_raw() => Ok(None),
            Some(v) => match as_str(v) {
                Some(s) => Ok(Some(s.to_string())),
                None => Err(type_error(format!(
                    "{} must be None or a string, not {}",
                    n,
                    type_name(v)
                ))),
            },
        }
    };
    let sep = get("sep")?.unwrap_or_else(|| " ".into());
    let end = get("end")?.unwrap_or_else(|| "\n".into());
    let mut s = String::new();
    for (i, &a) in args.iter().enumerate() {
        if i > 0 {
            s.push_str(&sep);
        }
        if kind_of(a) == kind::STR {
            s.push_str(str_of(a));
        } else {
            s.push_str(&text::to_str(a)?);
        }
    }
    s.push_str(&end);
    let flush = match kw_get(kw, "flush") {
        Some(f) => ops::truthy(f)?,
        None => false,
    };
    match kw_get(kw, "file").filter(|&f| f != none_raw()) {
        None => print_to(vm, Stream::Out, &s, flush),
        Some(f) => match crate::vm::modules::stream_of(f) {
            Some(stream) => print_to(vm, stream, &s, flush),
            None => {
                let write = match kind_of(f) {
                    KIND_MODULE => crate::vm::modules::getattr(f, new_str("write").raw())?,
                    _ => {
                        return Err(err(
                            ExcKind::AttributeError,
                            format!("'{}' object has no attribute 'write'", type_name(f)),
                        ))
                    }
                };
                vm.call_object(write.raw(), &[new_str(s).raw()], None)?;
            }
        },
    }
    Ok(Obj::none())
}

/// `print`'s text to `stream`, flushed if asked.
fn print_to(vm: &mut Vm, stream: Stream, s: &str, flush: bool) {
    vm.write_stream(stream, s);
    if flush {
        vm.flush_stream(stream);
    }
}

/// `input([prompt])`: the prompt on stdout, then one line of stdin without
/// its newline; `EOFError` at the end of the input.
fn b_input(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "input")?;
    if args.len() > 1 {
        return Err(type_error(format!(
            "input expected at most 1 argument, got {}",
            args.len()
        )));
    }
    if let Some(&p) = args.first() {
        let text = text::to_str(p)?;
        vm.write_out(&text);
    }
    let mut line = crate::vm::modules::read_stdin_line(vm)?;
    if line.is_empty() {
        return Err(err(ExcKind::EOFError, "EOF when reading a line"));
    }
    if line.ends_with('\n') {
        line.pop();
    }
    Ok(new_str(line))
}

/// `len(v)`.
pub fn len_of(v: u64) -> PyResult<usize> {
    Ok(match kind_of(v) {
        kind::STR => {
            // SAFETY: kind checked.
            unsafe { cast::<StrObj>(v).nchars }
        }
        kind::LIST => list_items(v).len(),
        kind::TUPLE => tuple_items(v).len(),
        // SAFETY: kinds checked.
        kind::DICT => unsafe { dict_mut(v).len() },
        kind::RANGE => crate::vm::range::len(unsafe { cast::<RangeObj>(v) })?,
        KIND_DICTVIEW => unsafe { dict_mut(cast::<DictViewObj>(v).dict.raw()).len() },
        KIND_SET | KIND_FROZENSET => unsafe { crate::vm::set::set_mut(v).len() },
        KIND_INSTANCE if crate::vm::class::len(v).is_some() => {
            return crate::vm::class::len(v).unwrap_or(Ok(0))
        }
        KIND_DEFAULTDICT | KIND_COUNTER => unsafe { dict_mut(v).len() },
        KIND_DEQUE => crate::vm::modules::collections::deque_len(v),
        _ => {
            return Err(type_error(format!(
                "object of type '{}' has no len()",
                type_name(v)
            )))
        }
    })
}

fn b_len(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "len")?;
    nargs(args, "len", 1, 1)?;
    Ok(Obj::int(len_of(args[0])? as i64))
}

fn b_abs(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "abs", 1, 1)?;
    match as_num(args[0]) {
        Some(Num::I(i)) => {
            if i < 0 {
                ops::unary_neg(args[0])
            } else {
                Ok(Obj::int(i))
            }
        }
        Some(Num::B(b)) => Ok(new_bigint(b.abs())),
        Some(Num::F(f)) => Ok(Obj::float(f.abs())),
        None => Err(type_error(format!(
            "bad operand type for abs(): '{}'",
            type_name(args[0])
        ))),
    }
}

fn minmax(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>, is_max: bool) -> PyResult<Obj> {
    let name = if is_max { "max" } else { "min" };
    check_kw(kw, name, &["key", "default"])?;
    let key = kw_get(kw, "key").filter(|&k| k != none_raw());
    let default = kw_get(kw, "default");
    let items: Vec<Obj> = if args.len() == 1 {
        iter::collect_vm(vm, args[0])?
    } else if args.is_empty() {
        return Err(type_error(format!(
            "{name} expected at least 1 argument, got 0"
        )));
    } else {
        args.iter().map(|&a| Obj::new_ref(a)).collect()
    };
    if items.is_empty() {
        if let Some(d) = default {
            return Ok(Obj::new_ref(d));
        }
        return Err(value_error(format!("{name}() arg is an empty sequence")));
    }
    let mut best = items[0].clone();
    let mut best_key = match key {
        Some(k) => vm.call_object(k, &[best.raw()], None)?,
        None => best.clone(),
    };
    for it in &items[1..] {
        let k = match key {
            Some(kf) => vm.call_object(kf, &[it.raw()], None)?,
            None => it.clone(),
        };
        let better = if is_max {
            ops::compare_bool(k.raw(), best_key.raw(), crate::vm::bytecode::cmp::GT)?
        } else {
            ops::compare_bool(k.raw(), best_key.raw(), crate::vm::bytecode::cmp::LT)?
        };
        if better {
            best = it.clone();
            best_key = k;
        }
    }
    Ok(best)
}

fn b_min(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    minmax(vm, args, kw, false)
}
fn b_max(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    minmax(vm, args, kw, true)
}

fn b_sum(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    check_kw(kw, "sum", &["start"])?;
    nargs(args, "sum", 1, 2)?;
    let mut acc = match (args.get(1), kw_get(kw, "start")) {
        (Some(&s), _) | (None, Some(s)) => Obj::new_ref(s),
        _ => Obj::int(0),
    };
    if acc.kind() == kind::STR {
        return Err(type_error(
            "sum() can't sum strings [use ''.join(seq) instead]",
        ));
    }
    let it = iter::get_iter(args[0])?;
    while let Some(x) = iter::iter_next(vm, it.raw())? {
        acc = ops::binary_op(acc.raw(), x.raw(), crate::vm::bytecode::binop::ADD)?;
    }
    Ok(acc)
}

fn b_divmod(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "divmod", 2, 2)?;
    let (a, b) = (args[0], args[1]);
    if let (Some(Num::F(_)), _) | (_, Some(Num::F(_))) = (as_num(a), as_num(b)) {
        let x = ops::num_to_f64(&as_num(a).ok_or_else(|| divmod_err(a, b))?)?;
        let y = ops::num_to_f64(&as_num(b).ok_or_else(|| divmod_err(a, b))?)?;
        let (q, r) = crate::vm::num::float_divmod(x, y)?;
        return Ok(new_tuple(vec![Obj::float(q), Obj::float(r)]));
    }
    if as_num(a).is_none() || as_num(b).is_none() {
        return Err(divmod_err(a, b));
    }
    let q = ops::binary_op(a, b, crate::vm::bytecode::binop::FLOORDIV)?;
    let r = ops::binary_op(a, b, crate::vm::bytecode::binop::MOD)?;
    Ok(new_tuple(vec![q, r]))
}

fn divmod_err(a: u64, b: u64) -> Box<PyErr> {
    type_error(format!(
        "unsupported operand type(s) for divmod(): '{}' and '{}'",
        type_name(a),
        type_name(b)
    ))
}

fn b_pow(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "pow", 2, 3)?;
    if args.len() == 3 && args[2] != none_raw() {
        let (Some(b), Some(e), Some(m)) = (
            ops::as_bigint(args[0]),
            ops::as_bigint(args[1]),
            ops::as_bigint(args[2]),
        ) else {
            return Err(type_error(
                "pow() 3rd argument not allowed unless all arguments are integers",
            ));
        };
        return Ok(new_bigint(crate::vm::num::int_pow_mod(&b, &e, &m)?));
    }
    ops::binary_op(args[0], args[1], crate::vm::bytecode::binop::POW)
}

fn b_round(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    check_kw(kw, "round", &["ndigits"])?;
    nargs(args, "round", 1, 2)?;
    let nd = args
        .get(1)
        .copied()
        .or(kw_get(kw, "ndigits"))
        .filter(|&v| v != none_raw());
    let nd = match nd {
        Some(n) => Some(as_i64(n).ok_or_else(|| {
            type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(n)
            ))
        })?),
        None => None,
    };
    match as_num(args[0]) {
        Some(Num::F(f)) => match nd {
            None => Ok(int_obj(crate::vm::num::float_round(f)?)),
            Some(n) => Ok(Obj::float(crate::vm::num::float_round_ndigits(f, n)?)),
        },
        Some(Num::I(i)) => match nd {
            None => Ok(Obj::int(i)),
            Some(n) => match crate::vm::num::i64_round(i, n) {
                Some(r) => Ok(Obj::int(r)),
                None => Ok(new_bigint(crate::vm::num::int_round(&BigInt::from(i), n))),
            },
        },
        Some(Num::B(b)) => match nd {
            None => Ok(Obj::new_ref(args[0])),
            Some(n) => Ok(new_bigint(crate::vm::num::int_round(b, n))),
        },
        None => Err(type_error(format!(
            "type {} doesn't define __round__ method",
            type_name(args[0])
        ))),
    }
}

/// An int object from a library int.
pub fn int_obj(i: crate::vm::num::Int) -> Obj {
    match i {
        crate::vm::num::Int::Small(v) => Obj::int(v),
        crate::vm::num::Int::Big(b) => new_bigint(b),
    }
}

fn b_repr(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "repr", 1, 1)?;
    Ok(new_str(text::repr(args[0])?))
}

fn b_sorted(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    check_kw(kw, "sorted", &["key", "reverse"])?;
    if args.len() != 1 {
        return Err(type_error(format!(
            "sorted expected 1 argument, got {}",
            args.len()
        )));
    }
    let items = iter::collect_vm(vm, args[0])?;
    let key = kw_get(kw, "key").filter(|&k| k != none_raw());
    let rev = match kw_get(kw, "reverse") {
        Some(r) => ops::truthy(r)?,
        None => false,
    };
    Ok(new_list(crate::vm::sort::sort_values(vm, items, key, rev)?))
}

fn b_any(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "any", 1, 1)?;
    let it = iter::get_iter(args[0])?;
    while let Some(x) = iter::iter_next(vm, it.raw())? {
        if ops::truthy(x.raw())? {
            return Ok(Obj::bool(true));
        }
    }
    Ok(Obj::bool(false))
}

fn b_all(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "all", 1, 1)?;
    let it = iter::get_iter(args[0])?;
    while let Some(x) = iter::iter_next(vm, it.raw())? {
        if !ops::truthy(x.raw())? {
            return Ok(Obj::bool(false));
        }
    }
    Ok(Obj::bool(true))
}

fn is_instance_of(v: u64, t: u64) -> PyResult<bool> {
    match kind_of(t) {
        KIND_CLASS => Ok(crate::vm::class::isinstance(v, t)),
        kind::TUPLE => {
            for &x in tuple_items(t) {
                if is_instance_of(v, x)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        KIND_TYPE => {
            // SAFETY: kind checked.
            let id = unsafe { cast::<TypeObj>(t).id };
            let k = kind_of(v);
            Ok(match id {
                TypeId::Int => matches!(k, KIND_SMALLINT | kind::BIGINT | kind::BOOL),
                TypeId::Float => k == kind::FLOAT,
                TypeId::Str => k == kind::STR,
                TypeId::Bool => k == kind::BOOL,
                TypeId::List => k == kind::LIST,
                TypeId::Tuple => k == kind::TUPLE,
                TypeId::Dict => crate::vm::modules::collections::is_dict_kind(k),
                TypeId::Deque => k == KIND_DEQUE,
                TypeId::DefaultDict => k == KIND_DEFAULTDICT,
                TypeId::Counter => k == KIND_COUNTER,
                TypeId::Range => k == kind::RANGE,
                TypeId::Object => true,
                TypeId::NoneType => k == kind::NONE,
                TypeId::Function => k == kind::FUNCTION,
                TypeId::Set => k == KIND_SET,
                TypeId::FrozenSet => k == KIND_FROZENSET,
                TypeId::Exc(e) => {
                    // SAFETY: kind checked.
                    k == KIND_EXC && unsafe { cast::<ExcObj>(v).kind.is_subclass(e) }
                }
                _ => type_name(v) == type_id_name(id),
            })
        }
        _ => Err(type_error(
            "isinstance() arg 2 must be a type, a tuple of types, or a union",
        )),
    }
}

fn b_isinstance(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "isinstance", 2, 2)?;
    Ok(Obj::bool(is_instance_of(args[0], args[1])?))
}

fn b_chr(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "chr", 1, 1)?;
    let i = as_i64(args[0]).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(args[0])
        ))
    })?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(new_str(c.to_string())),
        None => Err(value_error("chr() arg not in range(0x110000)")),
    }
}

fn b_ord(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "ord", 1, 1)?;
    let s = as_str(args[0]).ok_or_else(|| {
        type_error(format!(
            "ord() expected string of length 1, but {} found",
            type_name(args[0])
        ))
    })?;
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Ok(Obj::int(c as i64)),
        _ => Err(type_error(format!(
            "ord() expected a character, but string of length {} found",
            s.chars().count()
        ))),
    }
}

fn radix(args: &[u64], name: &str, r: u32) -> PyResult<Obj> {
    nargs(args, name, 1, 1)?;
    let b = ops::as_bigint(args[0]).ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(args[0])
        ))
    })?;
    Ok(new_str(crate::vm::num::int_to_radix_prefixed(&b, r)))
}

fn b_hex(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    radix(args, "hex", 16)
}
fn b_oct(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    radix(args, "oct", 8)
}
fn b_bin(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    radix(args, "bin", 2)
}

fn b_iter(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "iter", 1, 1)?;
    iter::get_iter(args[0])
}

fn b_next(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "next", 1, 2)?;
    if kind_of(args[0]) == KIND_GEN {
        return match vm.gen_resume(args[0], Obj::none())? {
            crate::vm::generator::GenStep::Yielded(v) => Ok(v),
            crate::vm::generator::GenStep::Returned(v) => match args.get(1) {
                Some(&d) => Ok(Obj::new_ref(d)),
                None => Err(crate::vm::generator::stop_iteration(v)),
            },
        };
    }
    match iter::iter_next(vm, args[0])? {
        Some(v) => Ok(v),
        None => match args.get(1) {
            Some(&d) => Ok(Obj::new_ref(d)),
            None => Err(err(ExcKind::StopIteration, "")),
        },
    }
}

fn b_hash(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "hash", 1, 1)?;
    Ok(Obj::int(crate::vm::dict::hash_value(args[0])?))
}

/// The attribute name argument of `getattr`/`setattr`/`hasattr`.
fn attr_name(v: u64) -> PyResult<u64> {
    if kind_of(v) == kind::STR {
        Ok(v)
    } else {
        Err(type_error(format!(
            "attribute name must be string, not '{}'",
            type_name(v)
        )))
    }
}

fn b_getattr(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "getattr")?;
    nargs(args, "getattr", 2, 3)?;
    let name = attr_name(args[1])?;
    match (vm.get_attr(args[0], name), args.get(2)) {
        (Err(e), Some(&d)) if e.kind == ExcKind::AttributeError => Ok(Obj::new_ref(d)),
        (r, _) => r,
    }
}

fn b_setattr(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "setattr")?;
    nargs(args, "setattr", 3, 3)?;
    let name = attr_name(args[1])?;
    vm.set_attr(args[0], name, Obj::new_ref(args[2]))?;
    Ok(Obj::none())
}

fn b_hasattr(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "hasattr")?;
    if args.len() != 2 {
        return Err(type_error(format!(
            "hasattr expected 2 arguments, got {}",
            args.len()
        )));
    }
    let name = attr_name(args[1])?;
    match vm.get_attr(args[0], name) {
        Ok(_) => Ok(Obj::bool(true)),
        Err(e) if e.kind == ExcKind::AttributeError => Ok(Obj::bool(false)),
        Err(e) => Err(e),
    }
}

/// `globals()`: the calling frame's globals dict (builtins run in their
/// caller's frame).
fn b_globals(vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "globals")?;
    if !args.is_empty() {
        return Err(type_error(format!(
            "globals() takes no arguments ({} given)",
            args.len()
        )));
    }
    let f = vm.ts.current_frame;
    if f.is_null() {
        return Err(err(ExcKind::RuntimeError, "globals(): no frame"));
    }
    // SAFETY: the current frame is live; its globals is a dict.
    Ok(Obj::new_ref(unsafe { (*f).globals } as u64))
}

fn b_callable(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "callable", 1, 1)?;
    Ok(Obj::bool(
        matches!(
            kind_of(args[0]),
            kind::FUNCTION | kind::BUILTIN | KIND_BOUND | KIND_TYPE | KIND_CLASS
        ) || (kind_of(args[0]) == KIND_INSTANCE
            && crate::vm::class::lookup_str(crate::vm::class::class_of(args[0]), "__call__")
                .is_some()),
    ))
}

fn b_format(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "format", 1, 2)?;
    let spec = match args.get(1) {
        Some(&s) => as_str(s).ok_or_else(|| type_error("format() argument 2 must be str"))?,
        None => "",
    };
    Ok(new_str(text::format_value(args[0], spec)?))
}

/// `type(x)`.
pub(crate) fn b_type(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "type", 1, 1)?;
    if let Some(c) = crate::vm::class::type_of(args[0]) {
        return Ok(c);
    }
    if kind_of(args[0]) == KIND_EXC {
        // The builtin's own type object, so `type(e) is KeyError` holds.
        // SAFETY: kind checked.
        let t = exc_type_obj(unsafe { cast::<ExcObj>(args[0]).kind });
        if t != 0 {
            return Ok(Obj::new_ref(t));
        }
    }
    let id = match kind_of(args[0]) {
        KIND_SMALLINT | kind::BIGINT => TypeId::Int,
        kind::FLOAT => TypeId::Float,
        kind::STR => TypeId::Str,
        kind::BOOL => TypeId::Bool,
        kind::LIST => TypeId::List,
        kind::TUPLE => TypeId::Tuple,
        kind::DICT => TypeId::Dict,
        kind::RANGE => TypeId::Range,
        kind::NONE => TypeId::NoneType,
        kind::FUNCTION => TypeId::Function,
        KIND_SET => TypeId::Set,
        KIND_GEN => TypeId::Generator,
        KIND_FROZENSET => TypeId::FrozenSet,
        KIND_DEQUE => TypeId::Deque,
        KIND_DEFAULTDICT => TypeId::DefaultDict,
        KIND_COUNTER => TypeId::Counter,
        // SAFETY: kind checked.
        KIND_EXC => TypeId::Exc(unsafe { cast::<ExcObj>(args[0]).kind }),
        _ => TypeId::Other(ops::type_name(args[0])),
    };
    Ok(type_obj(id))
}

fn b_filter(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "filter", 2, 2)?;
    let items = iter::collect_vm(vm, args[1])?;
    let mut kept = Vec::new();
    for it in items {
        let keep = if args[0] == none_raw() {
            ops::truthy(it.raw())?
        } else {
            let r = vm.call_object(args[0], &[it.raw()], None)?;
            ops::truthy(r.raw())?
        };
        if keep {
            kept.push(it);
        }
    }
    iter::get_iter(new_list(kept).raw())
}

fn b_id(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "id", 1, 1)?;
    Ok(Obj::int((args[0] >> 1) as i64))
}

/// Parses an int literal the way `int(str, base)` does.
pub fn parse_int(s: &str, base: u32) -> PyResult<Obj> {
    Ok(int_obj(crate::vm::num::parse_int(s, base as i64)?))
}

/// Parses a float literal the way `float(str)` does.
pub fn parse_float(s: &str) -> PyResult<f64> {
    Ok(crate::vm::num::parse_float(s)?)
}

/// Calls a builtin type object: conversions and constructors.
pub fn call_type(vm: &mut Vm, t: u64, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    // SAFETY: callers pass TYPE objects.
    let id = unsafe { cast::<TypeObj>(t).id };
    let name = type_id_name(id);
    match id {
        TypeId::Deque => crate::vm::modules::collections::new_deque_call(vm, args, kw),
        TypeId::DefaultDict => crate::vm::modules::collections::new_defaultdict_call(vm, args, kw),
        TypeId::Counter => crate::vm::modules::collections::new_counter_call(vm, args, kw),
        TypeId::Int => {
            check_kw(kw, "int", &["base"])?;
            if args.is_empty() {
                return Ok(Obj::int(0));
            }
            let base = args.get(1).copied().or(kw_get(kw, "base"));
            let v = args[0];
            if let Some(b) = base {
                let b = as_i64(b).unwrap_or(10) as u32;
                return match as_str(v) {
                    Some(s) => parse_int(s, b),
                    None => Err(type_error(
                        "int() can't convert non-string with explicit base",
                    )),
                };
            }
            match as_num(v) {
                Some(Num::F(f)) => Ok(int_obj(crate::vm::num::f64_to_int(f)?)),
                Some(Num::I(i)) => Ok(Obj::int(i)),
                Some(Num::B(_)) => Ok(Obj::new_ref(v)),
                None => match as_str(v) {
                    Some(s) => parse_int(s, 10),
                    None => Err(type_error(format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        type_name(v)
                    ))),
                },
            }
        }
        TypeId::Float => {
            no_kw(kw, "float")?;
            if args.is_empty() {
                return Ok(Obj::float(0.0));
            }
            let v = args[0];
            match as_num(v) {
                Some(n) => Ok(Obj::float(ops::num_to_f64(&n)?)),
                None => match as_str(v) {
                    Some(s) => Ok(Obj::float(parse_float(s)?)),
                    None => Err(type_error(format!(
                        "float() argument must be a string or a real number, not '{}'",
                        type_name(v)
                    ))),
                },
            }
        }
        TypeId::Str => {
            if args.is_empty() {
                return Ok(new_str(""));
            }
            if kind_of(args[0]) == kind::STR {
                return Ok(Obj::new_ref(args[0]));
            }
            Ok(new_str(text::to_str(args[0])?))
        }
        TypeId::Bool => Ok(Obj::bool(match args.first() {
            Some(&v) => ops::truthy(v)?,
            None => false,
        })),
        TypeId::List => {
            nargs(args, "list", 0, 1)?;
            match args.first() {
                Some(&v) => Ok(new_list(iter::collect_vm(vm, v)?)),
                None => Ok(new_list(vec![])),
            }
        }
        TypeId::Tuple => {
            nargs(args, "tuple", 0, 1)?;
            match args.first() {
                Some(&v) if kind_of(v) == kind::TUPLE => Ok(Obj::new_ref(v)),
                Some(&v) => Ok(new_tuple(iter::collect_vm(vm, v)?)),
                None => Ok(new_tuple(vec![])),
            }
        }
        TypeId::Dict => {
            let d = new_dict();
            if let Some(&src) = args.first() {
                crate::vm::methods::dict_update_from(vm, d.raw(), src)?;
            }
            if let Some(k) = kw {
                for (i, &n) in k.names.iter().enumerate() {
                    // SAFETY: d is a dict.
                    unsafe { dict_mut(d.raw()) }.set(Obj::new_ref(n), Obj::new_ref(k.vals[i]))?;
                }
            }
            Ok(d)
        }
        TypeId::Set | TypeId::FrozenSet => {
            no_kw(kw, name)?;
            if args.len() > 1 {
                return Err(type_error(format!(
                    "{name} expected at most 1 argument, got {}",
                    args.len()
                )));
            }
            match (id, args.first()) {
                (TypeId::FrozenSet, arg) => crate::vm::set::frozenset(vm, arg.copied()),
                (_, Some(&v)) => crate::vm::set::from_iterable(Some(vm), v),
                (_, None) => Ok(crate::vm::set::new_set()),
            }
        }
        TypeId::Range => {
            no_kw(kw, "range")?;
            crate::vm::range::construct(args)
        }
        TypeId::Enumerate => {
            check_kw(kw, "enumerate", &["start"])?;
            nargs(args, "enumerate", 1, 2)?;
            let start = args
                .get(1)
                .copied()
                .or(kw_get(kw, "start"))
                .and_then(as_i64)
                .unwrap_or(0);
            iter::enumerate(args[0], start)
        }
        TypeId::Zip => iter::zip(args),
        TypeId::Map => {
            if args.len() < 2 {
                return Err(type_error("map() must have at least two arguments."));
            }
            iter::map(args[0], &args[1..])
        }
        TypeId::Reversed => {
            nargs(args, "reversed", 1, 1)?;
            iter::reversed(args[0])
        }
        TypeId::Exc(k) => Ok(new_exc(k, args.iter().map(|&a| Obj::new_ref(a)).collect())),
        _ => Err(type_error(format!("cannot create '{}' instances", name))),
    }
}

/// Makes an object immortal (used for long-lived builtins).
pub fn immortalize(o: &Obj) {
    if o.raw() & 1 == 0 {
        // SAFETY: o is a live heap object.
        unsafe {
            (*(o.raw() as *mut crate::abi::layout::ObjHeader)).refcnt = IMMORTAL_REFCNT as isize
        }
    }
}

/// A builtin by name (borrowed from the builtins dict), 0 if absent.
fn builtin_value(name: &'static str) -> u64 {
    let vm = crate::vm::class::vm();
    // SAFETY: builtins is a dict.
    unsafe { dict_mut(vm.builtins.raw()) }
        .get_str(crate::vm::class::name_obj(name))
        .unwrap_or(0)
}

/// The builtin type object of exception kind `k` (borrowed).
pub fn exc_type_obj(k: ExcKind) -> u64 {
    builtin_value(k.name())
}

/// The builtin `object` type object (borrowed).
pub fn object_type_obj() -> u64 {
    builtin_value("object")
}

/// What `type(C)` gives for a class: the builtin `type`.
pub fn type_type_obj() -> Obj {
    Obj::new_ref(builtin_value("type"))
}

fn is_class_like(t: u64) -> bool {
    matches!(kind_of(t), KIND_CLASS | KIND_TYPE)
}

fn b_issubclass(_vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "issubclass", 2, 2)?;
    if !is_class_like(args[0]) {
        return Err(type_error("issubclass() arg 1 must be a class"));
    }
    let check = |t: u64| -> PyResult<bool> {
        if !is_class_like(t) {
            return Err(type_error(
                "issubclass() arg 2 must be a class, a tuple of classes, or a union",
            ));
        }
        Ok(crate::vm::class::is_subclass(args[0], t))
    };
    if kind_of(args[1]) == kind::TUPLE {
        for &t in tuple_items(args[1]) {
            if check(t)? {
                return Ok(Obj::bool(true));
            }
        }
        return Ok(Obj::bool(false));
    }
    Ok(Obj::bool(check(args[1])?))
}

fn b_vars(vm: &mut Vm, args: &[u64], _kw: Option<Kw<'_>>) -> PyResult<Obj> {
    nargs(args, "vars", 1, 1)?;
    match kind_of(args[0]) {
        KIND_INSTANCE | KIND_CLASS => vm.get_attr(args[0], crate::vm::class::name_obj("__dict__")),
        _ => Err(type_error("vars() argument must have __dict__ attribute")),
    }
}
