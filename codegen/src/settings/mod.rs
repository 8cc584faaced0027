//! Settings: the shared flags every target reads (`set` lines) and each ISA's flags
//! (`target` lines), built by name with typed errors.

mod isa_flags;
mod shared;

pub use isa_flags::{Aarch64Flags, IsaFlags, S390xFlags, X64Flags};
pub use shared::{
    Builder, Flags, LibcallCallConv, OptLevel, ProbestackStrategy, RegallocAlgorithm,
    StackSwitchModel, TlsModel,
};

use alloc::string::String;
use core::fmt;

/// Why a setting could not be applied.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SetError {
    /// No setting has this name.
    UnknownName(String),
    /// The value does not fit the setting.
    BadValue {
        /// The setting.
        name: String,
        /// The value given.
        value: String,
        /// What the setting accepts.
        expected: String,
    },
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::UnknownName(n) => write!(f, "unknown setting `{n}`"),
            SetError::BadValue {
                name,
                value,
                expected,
            } => {
                write!(
                    f,
                    "setting `{name}` cannot be `{value}`: expected {expected}"
                )
            }
        }
    }
}

/// Parses a boolean setting value: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
pub(crate) fn parse_bool(name: &str, value: &str) -> Result<bool, SetError> {
    match value {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(SetError::BadValue {
            name: name.into(),
            value: value.into(),
            expected: "a boolean (`true` or `false`)".into(),
        }),
    }
}
