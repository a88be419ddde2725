//! Text formatting of CPython 3.11 as pure functions.
//!
//! Nothing here knows the VM's object model. Errors are
//! [`crate::vm::num::OpError`] values with CPython's exact messages.
//!
//! * [`float_repr`]: `repr(float)`/`str(float)` (shortest round-trip
//!   digits, exponent below 1e-4 and from 1e16: `1e+16`, `1e-07`).
//! * [`double_to_string`]: CPython's `PyOS_double_to_string` (codes
//!   `e`/`f`/`g`/`r` with precision and flags), the building block of the
//!   rest.
//! * [`str_repr`], [`str_ascii`], [`ascii_escape`]: `repr(str)` and
//!   `ascii()` quoting and escapes; [`bytes_repr`] for `bytes`.
//! * [`format_int`], [`format_int_as`], [`format_float`], [`format_str`]:
//!   `format(value, spec)` and f-string `{value:spec}` with the whole
//!   mini-language `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`
//!   ([`parse_spec`] exposes the parser).
//! * [`format_string`]: `str.format`/`format_map` (field names with
//!   `.attr` and `[item]`, auto/manual numbering, `!r`/`!s`/`!a`, nested
//!   `{}` in specs), values reached through the [`FormatFields`] trait.
//! * [`percent_format`]: `fmt % args`, with arguments reached through the
//!   [`PercentArg`] trait the VM implements.

//!
//! # Example: `%` formatting over the VM's values
//!
//! ```
//! use cpjit::vm::fmt::{percent_format, NumArg, PercentArg, PercentArgs};
//! use cpjit::vm::num::OpError;
//!
//! enum Val { Int(i64), Str(String) }
//!
//! impl PercentArg for Val {
//!     type Error = OpError; // the VM uses its exception type: From<OpError>
//!     fn number(&self) -> NumArg<'_> {
//!         match self { Val::Int(v) => NumArg::Small(*v), Val::Str(_) => NumArg::NotNumber }
//!     }
//!     fn as_str(&self) -> Option<&str> {
//!         match self { Val::Str(s) => Some(s), _ => None }
//!     }
//!     fn str(&self) -> Result<String, OpError> {
//!         Ok(match self { Val::Int(v) => v.to_string(), Val::Str(s) => s.clone() })
//!     }
//!     fn repr(&self) -> Result<String, OpError> {
//!         Ok(match self { Val::Int(v) => v.to_string(), Val::Str(s) => cpjit::vm::fmt::str_repr(s) })
//!     }
//!     fn type_name(&self) -> String {
//!         match self { Val::Int(_) => "int", Val::Str(_) => "str" }.into()
//!     }
//! }
//!
//! let args = [Val::Str("n".into()), Val::Int(42)];
//! assert_eq!(percent_format("%s=%05d", PercentArgs::Tuple(&args)).unwrap(), "n=00042");
//! let err = percent_format("%d", PercentArgs::Single(&args[0])).unwrap_err();
//! assert_eq!(err.message, "%d format: a real number is required, not str");
//! ```

mod float_text;
mod format_spec;
mod format_string;
mod number_layout;
mod percent;
mod spec;
mod str_repr;

#[cfg(test)]
mod tests;

pub use float_text::{double_to_string, float_repr, FloatCode, FloatFlags};
pub use format_spec::{format_bool, format_float, format_int, format_int_as, format_str, IntRef};
pub use format_string::{format_string, Conversion, FormatFields};
pub use percent::{percent_format, KeyLookup, NumArg, PercentArg, PercentArgs};
pub use spec::{parse_spec, FormatSpec, Grouping};
pub use str_repr::{ascii_escape, bytes_repr, str_ascii, str_repr};
