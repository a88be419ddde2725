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
//!   `ascii()` quoting and escapes.
//! * [`format_int`], [`format_int_as`], [`format_float`], [`format_str`]:
//!   `format(value, spec)` and f-string `{value:spec}` with the whole
//!   mini-language `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`
//!   ([`parse_spec`] exposes the parser).
//! * [`format_string`]: `str.format`/`format_map` (field names with
//!   `.attr` and `[item]`, auto/manual numbering, `!r`/`!s`/`!a`, nested
//!   `{}` in specs), values reached through the [`FormatFields`] trait.
//! * [`percent_format`]: `fmt % args`, with arguments reached through the
//!   [`PercentArg`] trait the VM implements.

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
pub use str_repr::{ascii_escape, str_ascii, str_repr};
