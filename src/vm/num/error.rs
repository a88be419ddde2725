//! The one error type of the number and formatting library.

use std::fmt;

/// Which Python exception an operation raises. The VM maps each kind to
/// its exception class; the message is CPython 3.11's exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PyErrorKind {
    /// `ZeroDivisionError`.
    ZeroDivisionError,
    /// `ValueError`.
    ValueError,
    /// `OverflowError`.
    OverflowError,
    /// `TypeError`.
    TypeError,
    /// `MemoryError` (e.g. `1 << (1 << 64)`).
    MemoryError,
    /// `IndexError` (`'{5}'.format()`).
    IndexError,
    /// `KeyError` (`'{x}'.format()`); the message is the key's repr.
    KeyError,
}

impl PyErrorKind {
    /// The Python class name, e.g. `"ValueError"`.
    pub fn name(self) -> &'static str {
        match self {
            PyErrorKind::ZeroDivisionError => "ZeroDivisionError",
            PyErrorKind::ValueError => "ValueError",
            PyErrorKind::OverflowError => "OverflowError",
            PyErrorKind::TypeError => "TypeError",
            PyErrorKind::MemoryError => "MemoryError",
            PyErrorKind::IndexError => "IndexError",
            PyErrorKind::KeyError => "KeyError",
        }
    }
}

/// An exception raised by a library function: its kind plus CPython's
/// message text (what `str(exc)` prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    /// Which exception class.
    pub kind: PyErrorKind,
    /// CPython's message, byte for byte.
    pub message: String,
}

impl OpError {
    /// An error of `kind` with `message`.
    pub fn new(kind: PyErrorKind, message: impl Into<String>) -> Self {
        OpError {
            kind,
            message: message.into(),
        }
    }

    /// A `ZeroDivisionError`.
    pub fn zero_division(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::ZeroDivisionError, message)
    }

    /// A `ValueError`.
    pub fn value(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::ValueError, message)
    }

    /// An `OverflowError`.
    pub fn overflow(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::OverflowError, message)
    }

    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(PyErrorKind::TypeError, message)
    }

    /// A `MemoryError` with an empty message, as CPython raises it.
    pub fn memory() -> Self {
        Self::new(PyErrorKind::MemoryError, "")
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(self.kind.name())
        } else {
            write!(f, "{}: {}", self.kind.name(), self.message)
        }
    }
}

impl std::error::Error for OpError {}

/// Result of a library operation.
pub type OpResult<T> = Result<T, OpError>;
