//! Python exceptions as seen by Rust code: a kind and a message.

use crate::vm::obj::Obj;

macro_rules! exc_kinds {
    ($($name:ident),* $(,)?) => {
        /// Builtin exception types.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum ExcKind { $($name),* }
        impl ExcKind {
            /// The Python name.
            pub fn name(self) -> &'static str {
                match self { $(ExcKind::$name => stringify!($name)),* }
            }
            /// Every kind.
            pub const ALL: &'static [ExcKind] = &[$(ExcKind::$name),*];
        }
    };
}

exc_kinds!(
    BaseException,
    Exception,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    ZeroDivisionError,
    OverflowError,
    NameError,
    UnboundLocalError,
    IndexError,
    KeyError,
    AttributeError,
    RecursionError,
    RuntimeError,
    AssertionError,
    NotImplementedError,
    StopIteration,
    MemoryError,
    SyntaxError,
    ImportError,
    ModuleNotFoundError,
    SystemExit,
    GeneratorExit,
    EOFError,
);

impl ExcKind {
    /// The direct base class.
    pub fn base(self) -> Option<ExcKind> {
        use ExcKind::*;
        Some(match self {
            BaseException => return None,
            SystemExit | GeneratorExit => BaseException,
            ModuleNotFoundError => ImportError,
            Exception => BaseException,
            ZeroDivisionError | OverflowError => ArithmeticError,
            IndexError | KeyError => LookupError,
            UnboundLocalError => NameError,
            RecursionError | NotImplementedError => RuntimeError,
            _ => Exception,
        })
    }
    /// Whether `self` is `other` or a subclass of it.
    pub fn is_subclass(self, other: ExcKind) -> bool {
        let mut k = Some(self);
        while let Some(c) = k {
            if c == other {
                return true;
            }
            k = c.base();
        }
        false
    }
}

/// One traceback entry: file, line, function.
pub type TbEntry = (std::rc::Rc<str>, u32, std::rc::Rc<str>);

/// A raised exception.
#[derive(Debug)]
pub struct PyErr {
    /// Its type.
    pub kind: ExcKind,
    /// The message printed after `TypeName: ` (already formatted).
    pub msg: String,
    /// The exception object, when Python code created or caught it.
    pub value: Option<Obj>,
    /// Traceback entries (file, line, function), innermost first (each
    /// frame the exception leaves appends its entry).
    pub traceback: Vec<TbEntry>,
    /// A re-raise (bare `raise`, or the `RERAISE` that ends a finally or an
    /// unmatched `except`): `traceback` already has the current frame's
    /// entry (recorded where the exception was caught), and the exception
    /// keeps its `__context__`, as CPython's re-raise does.
    pub reraise: bool,
}

/// Result of an operation that may raise.
pub type PyResult<T> = Result<T, Box<PyErr>>;

/// A new exception of `kind` with `msg`.
pub fn err(kind: ExcKind, msg: impl Into<String>) -> Box<PyErr> {
    Box::new(PyErr {
        kind,
        msg: msg.into(),
        value: None,
        traceback: Vec::new(),
        reraise: false,
    })
}

/// `TypeError`.
pub fn type_error(msg: impl Into<String>) -> Box<PyErr> {
    err(ExcKind::TypeError, msg)
}

/// `ValueError`.
pub fn value_error(msg: impl Into<String>) -> Box<PyErr> {
    err(ExcKind::ValueError, msg)
}

/// `IndexError`.
pub fn index_error(msg: impl Into<String>) -> Box<PyErr> {
    err(ExcKind::IndexError, msg)
}

/// `ZeroDivisionError`.
pub fn zero_div(msg: impl Into<String>) -> Box<PyErr> {
    err(ExcKind::ZeroDivisionError, msg)
}

impl From<crate::vm::num::OpError> for Box<PyErr> {
    fn from(e: crate::vm::num::OpError) -> Self {
        use crate::vm::num::PyErrorKind as K;
        let kind = match e.kind {
            K::ZeroDivisionError => ExcKind::ZeroDivisionError,
            K::ValueError => ExcKind::ValueError,
            K::OverflowError => ExcKind::OverflowError,
            K::TypeError => ExcKind::TypeError,
            K::MemoryError => ExcKind::MemoryError,
            K::IndexError => ExcKind::IndexError,
            K::KeyError => ExcKind::KeyError,
        };
        err(kind, e.message)
    }
}
