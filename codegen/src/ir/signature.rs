//! Function signatures: parameters, returns and calling conventions.

use super::entities::SigRef;
use super::extname::ExternalName;
use super::types::Type;
use alloc::vec::Vec;
use core::fmt;

macro_rules! call_convs {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A calling convention: how arguments and returns are passed and which registers a
        /// call preserves.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum CallConv {
            $($(#[$doc])* $variant,)*
        }

        impl CallConv {
            /// Every calling convention.
            pub const ALL: &'static [CallConv] = &[$(CallConv::$variant,)*];

            /// The text name.
            pub fn name(self) -> &'static str {
                match self { $(CallConv::$variant => $text,)* }
            }

            /// Parses the text name.
            pub fn parse(s: &str) -> Option<CallConv> {
                match s { $($text => Some(CallConv::$variant),)* _ => None }
            }
        }
    };
}

call_convs! {
    /// The fastest convention the target has; not for external callers.
    Fast = "fast",
    /// For rarely called functions: the caller saves (almost) everything.
    Cold = "cold",
    /// Supports tail calls (`return_call`) between functions of this convention.
    Tail = "tail",
    /// The System V ABI (Linux, macOS on x86-64).
    SystemV = "system_v",
    /// The Windows x64 convention.
    WindowsFastcall = "windows_fastcall",
    /// Apple's variant of the AArch64 procedure call standard.
    AppleAarch64 = "apple_aarch64",
    /// The convention of the stack-probe helper.
    Probestack = "probestack",
    /// The convention of the Winch baseline compiler.
    Winch = "winch",
    /// Preserves every register except those carrying arguments and returns.
    PreserveAll = "preserve_all",
}

impl fmt::Display for CallConv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a narrow integer argument is widened to a register.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ArgumentExtension {
    /// Upper bits unspecified.
    #[default]
    None,
    /// Zero-extended (`uext`).
    Uext,
    /// Sign-extended (`sext`).
    Sext,
}

/// A special role of a parameter or return.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ArgumentPurpose {
    /// An ordinary value.
    #[default]
    Normal,
    /// A struct of this many bytes passed by value on the stack (`sarg(N)`); the
    /// parameter is the pointer to it.
    StructArgument(u32),
    /// The address where the callee writes a struct return (`sret`).
    StructReturn,
    /// The VM context pointer (`vmctx`).
    VMContext,
}

/// One parameter or return of a signature.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AbiParam {
    /// The value type.
    pub value_type: Type,
    /// The role.
    pub purpose: ArgumentPurpose,
    /// The widening of narrow integers.
    pub extension: ArgumentExtension,
}

impl AbiParam {
    /// An ordinary parameter of type `value_type`.
    pub fn new(value_type: Type) -> AbiParam {
        AbiParam {
            value_type,
            purpose: ArgumentPurpose::Normal,
            extension: ArgumentExtension::None,
        }
    }

    /// A parameter with a special role.
    pub fn special(value_type: Type, purpose: ArgumentPurpose) -> AbiParam {
        AbiParam {
            purpose,
            ..AbiParam::new(value_type)
        }
    }

    /// This parameter, zero-extended.
    pub fn uext(self) -> AbiParam {
        AbiParam {
            extension: ArgumentExtension::Uext,
            ..self
        }
    }

    /// This parameter, sign-extended.
    pub fn sext(self) -> AbiParam {
        AbiParam {
            extension: ArgumentExtension::Sext,
            ..self
        }
    }
}

impl fmt::Display for AbiParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value_type)?;
        match self.extension {
            ArgumentExtension::None => {}
            ArgumentExtension::Uext => f.write_str(" uext")?,
            ArgumentExtension::Sext => f.write_str(" sext")?,
        }
        match self.purpose {
            ArgumentPurpose::Normal => Ok(()),
            ArgumentPurpose::StructArgument(n) => write!(f, " sarg({n})"),
            ArgumentPurpose::StructReturn => f.write_str(" sret"),
            ArgumentPurpose::VMContext => f.write_str(" vmctx"),
        }
    }
}

/// A function signature: `(i64 vmctx, i32) -> i32 tail`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Signature {
    /// The parameters.
    pub params: Vec<AbiParam>,
    /// The returns.
    pub returns: Vec<AbiParam>,
    /// The calling convention.
    pub call_conv: CallConv,
}

impl Signature {
    /// An empty signature with convention `call_conv`.
    pub fn new(call_conv: CallConv) -> Signature {
        Signature {
            params: Vec::new(),
            returns: Vec::new(),
            call_conv,
        }
    }

    /// The index of the parameter with `purpose`, if any.
    pub fn special_param_index(&self, purpose: ArgumentPurpose) -> Option<usize> {
        self.params.iter().rposition(|p| p.purpose == purpose)
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        f.write_str(")")?;
        if !self.returns.is_empty() {
            f.write_str(" -> ")?;
            for (i, r) in self.returns.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{r}")?;
            }
        }
        write!(f, " {}", self.call_conv)
    }
}

/// A function the body calls or takes the address of: `fn0 = colocated u0:3 sig0`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExtFuncData {
    /// The function's name.
    pub name: ExternalName,
    /// Its signature.
    pub signature: SigRef,
    /// Whether it is in the same linkage unit, so it can be called PC-relatively.
    pub colocated: bool,
    /// Whether call sites must be patchable (e.g. for hot-swapping).
    pub patchable: bool,
}
