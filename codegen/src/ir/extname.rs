//! External names: what calls and symbols refer to outside the function.

use super::entities::UserExternalNameRef;
use alloc::string::String;
use core::fmt;

/// A frontend-defined name: a namespace and an index within it (`u0:7`).
///
/// Gantry gives these no meaning; the frontend maps them to its functions and data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UserExternalName {
    /// The namespace.
    pub namespace: u32,
    /// The index within the namespace.
    pub index: u32,
}

impl UserExternalName {
    /// The name `u{namespace}:{index}`.
    pub fn new(namespace: u32, index: u32) -> UserExternalName {
        UserExternalName { namespace, index }
    }
}

impl fmt::Display for UserExternalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "u{}:{}", self.namespace, self.index)
    }
}

/// A name used by tests (`%add`): a string of letters, digits, `_` and `.`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TestcaseName(String);

impl TestcaseName {
    /// The name `%s` (the `%` is not part of `s`).
    pub fn new(s: impl Into<String>) -> TestcaseName {
        TestcaseName(s.into())
    }

    /// The name without `%`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TestcaseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.0)
    }
}

/// The name of a function itself.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UserFuncName {
    /// A frontend-defined name.
    User(UserExternalName),
    /// A test name.
    Testcase(TestcaseName),
}

impl Default for UserFuncName {
    fn default() -> Self {
        UserFuncName::User(UserExternalName::default())
    }
}

impl UserFuncName {
    /// The user name `u{namespace}:{index}`.
    pub fn user(namespace: u32, index: u32) -> UserFuncName {
        UserFuncName::User(UserExternalName::new(namespace, index))
    }

    /// The test name `%name`.
    pub fn testcase(name: impl Into<String>) -> UserFuncName {
        UserFuncName::Testcase(TestcaseName::new(name))
    }
}

impl fmt::Display for UserFuncName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserFuncName::User(n) => n.fmt(f),
            UserFuncName::Testcase(n) => n.fmt(f),
        }
    }
}

macro_rules! named_enum {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)*
        }

        impl $ty {
            /// Every variant.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The name used in CLIF text after `%`.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => stringify!($variant),)* }
            }

            /// The variant with text name `s`.
            pub fn parse(s: &str) -> Option<$ty> {
                match s { $(stringify!($variant) => Some($ty::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "%{}", self.name())
            }
        }
    };
}

named_enum! {
    /// A runtime library function the code generator may call when an instruction has no
    /// machine equivalent (written `%Memcpy`, `%CeilF32`, ... in CLIF).
    LibCall {
        /// Probes the stack pages of a large frame.
        Probestack,
        /// `ceilf`
        CeilF32,
        /// `ceil`
        CeilF64,
        /// `floorf`
        FloorF32,
        /// `floor`
        FloorF64,
        /// `truncf`
        TruncF32,
        /// `trunc`
        TruncF64,
        /// `nearbyintf`
        NearestF32,
        /// `nearbyint`
        NearestF64,
        /// `fmaf`
        FmaF32,
        /// `fma`
        FmaF64,
        /// `memcpy`
        Memcpy,
        /// `memset`
        Memset,
        /// `memmove`
        Memmove,
        /// `memcmp`
        Memcmp,
        /// ELF general-dynamic TLS: `__tls_get_addr`.
        ElfTlsGetAddr,
        /// s390x ELF TLS: `__tls_get_offset`.
        ElfTlsGetOffset,
        /// x86 `pshufb` emulation.
        X86Pshufb,
        /// 128-bit unsigned division: `__udivti3`.
        UdivI128,
        /// 128-bit signed division: `__divti3`.
        SdivI128,
        /// 128-bit unsigned remainder: `__umodti3`.
        UremI128,
        /// 128-bit signed remainder: `__modti3`.
        SremI128,
        /// Signed 128-bit integer to `f32`: `__floattisf`.
        I128ToF32,
        /// Signed 128-bit integer to `f64`: `__floattidf`.
        I128ToF64,
        /// Unsigned 128-bit integer to `f32`: `__floatuntisf`.
        U128ToF32,
        /// Unsigned 128-bit integer to `f64`: `__floatuntidf`.
        U128ToF64,
        /// `f32` to signed 128-bit integer, truncating: `__fixsfti`.
        F32ToI128,
        /// `f64` to signed 128-bit integer, truncating: `__fixdfti`.
        F64ToI128,
        /// `f32` to unsigned 128-bit integer, truncating: `__fixunssfti`.
        F32ToU128,
        /// `f64` to unsigned 128-bit integer, truncating: `__fixunsdfti`.
        F64ToU128,
        /// `f16` to `f32` (exact): `__extendhfsf2`.
        F16ToF32,
        /// `f32` to `f16`, rounded to nearest even: `__truncsfhf2`.
        F32ToF16,
        /// `f64` to `f16`, rounded to nearest even: `__truncdfhf2`.
        F64ToF16,
        /// f128 addition: `__addtf3`.
        AddF128,
        /// f128 subtraction: `__subtf3`.
        SubF128,
        /// f128 multiplication: `__multf3`.
        MulF128,
        /// f128 division: `__divtf3`.
        DivF128,
        /// f128 square root: `sqrtf128`.
        SqrtF128,
        /// f128 fused multiply-add: `fmaf128`.
        FmaF128,
        /// f128 rounding up: `ceilf128`.
        CeilF128,
        /// f128 rounding down: `floorf128`.
        FloorF128,
        /// f128 rounding toward zero: `truncf128`.
        TruncF128,
        /// f128 rounding to nearest even: `nearbyintf128`.
        NearestF128,
        /// f128 comparison: 0 if equal (non-zero when unordered): `__eqtf2`.
        EqF128,
        /// f128 comparison: negative if less (positive when unordered): `__lttf2`.
        LtF128,
        /// f128 comparison: at most 0 if less or equal (positive when unordered): `__letf2`.
        LeF128,
        /// f128 comparison: positive if greater (negative when unordered): `__gttf2`.
        GtF128,
        /// f128 comparison: at least 0 if greater or equal (negative when unordered): `__getf2`.
        GeF128,
        /// f128 comparison: non-zero if unordered: `__unordtf2`.
        UnordF128,
        /// f32 to f128 (exact): `__extendsftf2`.
        F32ToF128,
        /// f64 to f128 (exact): `__extenddftf2`.
        F64ToF128,
        /// f128 to f32, to nearest even: `__trunctfsf2`.
        F128ToF32,
        /// f128 to f16, to nearest even (once): `__trunctfhf2`.
        F128ToF16,
        /// f128 to f64, to nearest even: `__trunctfdf2`.
        F128ToF64,
        /// i32 to f128 (exact): `__floatsitf`.
        I32ToF128,
        /// i64 to f128 (exact): `__floatditf`.
        I64ToF128,
        /// u32 to f128 (exact): `__floatunsitf`.
        U32ToF128,
        /// u64 to f128 (exact): `__floatunditf`.
        U64ToF128,
        /// f128 to i32, truncating (in range): `__fixtfsi`.
        F128ToI32,
        /// f128 to i64, truncating (in range): `__fixtfdi`.
        F128ToI64,
        /// f128 to u32, truncating (in range): `__fixunstfsi`.
        F128ToU32,
        /// f128 to u64, truncating (in range): `__fixunstfdi`.
        F128ToU64,
        /// i128 to f128, to nearest even: `__floattitf`.
        I128ToF128,
        /// u128 to f128, to nearest even: `__floatuntitf`.
        U128ToF128,
        /// f128 to i128, truncating (in range): `__fixtfti`.
        F128ToI128,
        /// f128 to u128, truncating (in range): `__fixunstfti`.
        F128ToU128,
    }
}

impl LibCall {
    /// The C symbol name.
    pub fn symbol(self) -> &'static str {
        match self {
            LibCall::Probestack => "__gantry_probestack",
            LibCall::CeilF32 => "ceilf",
            LibCall::CeilF64 => "ceil",
            LibCall::FloorF32 => "floorf",
            LibCall::FloorF64 => "floor",
            LibCall::TruncF32 => "truncf",
            LibCall::TruncF64 => "trunc",
            LibCall::NearestF32 => "nearbyintf",
            LibCall::NearestF64 => "nearbyint",
            LibCall::FmaF32 => "fmaf",
            LibCall::FmaF64 => "fma",
            LibCall::Memcpy => "memcpy",
            LibCall::Memset => "memset",
            LibCall::Memmove => "memmove",
            LibCall::Memcmp => "memcmp",
            LibCall::ElfTlsGetAddr => "__tls_get_addr",
            LibCall::ElfTlsGetOffset => "__tls_get_offset",
            LibCall::X86Pshufb => "__gantry_x86_pshufb",
            LibCall::UdivI128 => "__udivti3",
            LibCall::SdivI128 => "__divti3",
            LibCall::UremI128 => "__umodti3",
            LibCall::SremI128 => "__modti3",
            LibCall::I128ToF32 => "__floattisf",
            LibCall::I128ToF64 => "__floattidf",
            LibCall::U128ToF32 => "__floatuntisf",
            LibCall::U128ToF64 => "__floatuntidf",
            LibCall::F32ToI128 => "__fixsfti",
            LibCall::F64ToI128 => "__fixdfti",
            LibCall::F32ToU128 => "__fixunssfti",
            LibCall::F64ToU128 => "__fixunsdfti",
            LibCall::F16ToF32 => "__extendhfsf2",
            LibCall::F32ToF16 => "__truncsfhf2",
            LibCall::F64ToF16 => "__truncdfhf2",
            LibCall::AddF128 => "__addtf3",
            LibCall::SubF128 => "__subtf3",
            LibCall::MulF128 => "__multf3",
            LibCall::DivF128 => "__divtf3",
            LibCall::SqrtF128 => "sqrtf128",
            LibCall::FmaF128 => "fmaf128",
            LibCall::CeilF128 => "ceilf128",
            LibCall::FloorF128 => "floorf128",
            LibCall::TruncF128 => "truncf128",
            LibCall::NearestF128 => "nearbyintf128",
            LibCall::EqF128 => "__eqtf2",
            LibCall::LtF128 => "__lttf2",
            LibCall::LeF128 => "__letf2",
            LibCall::GtF128 => "__gttf2",
            LibCall::GeF128 => "__getf2",
            LibCall::UnordF128 => "__unordtf2",
            LibCall::F32ToF128 => "__extendsftf2",
            LibCall::F64ToF128 => "__extenddftf2",
            LibCall::F128ToF32 => "__trunctfsf2",
            LibCall::F128ToF16 => "__trunctfhf2",
            LibCall::F128ToF64 => "__trunctfdf2",
            LibCall::I32ToF128 => "__floatsitf",
            LibCall::I64ToF128 => "__floatditf",
            LibCall::U32ToF128 => "__floatunsitf",
            LibCall::U64ToF128 => "__floatunditf",
            LibCall::F128ToI32 => "__fixtfsi",
            LibCall::F128ToI64 => "__fixtfdi",
            LibCall::F128ToU32 => "__fixunstfsi",
            LibCall::F128ToU64 => "__fixunstfdi",
            LibCall::I128ToF128 => "__floattitf",
            LibCall::U128ToF128 => "__floatuntitf",
            LibCall::F128ToI128 => "__fixtfti",
            LibCall::F128ToU128 => "__fixunstfti",
        }
    }
}

impl LibCall {
    /// The C signature of the function, in calling convention `call_conv`; `None` for
    /// the helpers with a convention of their own (`Probestack` takes its size in a
    /// register and preserves everything; `X86Pshufb` is an ISA-internal helper).
    pub fn signature(self, call_conv: super::CallConv) -> Option<super::Signature> {
        use super::AbiParam;
        use super::types::Type;
        let (params, ret): (&[Type], &[Type]) = match self {
            LibCall::Probestack | LibCall::X86Pshufb => return None,
            LibCall::CeilF32 | LibCall::FloorF32 | LibCall::TruncF32 | LibCall::NearestF32 => {
                (&[Type::F32], &[Type::F32])
            }
            LibCall::CeilF64 | LibCall::FloorF64 | LibCall::TruncF64 | LibCall::NearestF64 => {
                (&[Type::F64], &[Type::F64])
            }
            LibCall::FmaF32 => (&[Type::F32; 3], &[Type::F32]),
            LibCall::FmaF64 => (&[Type::F64; 3], &[Type::F64]),
            // Pointers and sizes are 64-bit on every target Gantry has.
            LibCall::Memcpy | LibCall::Memset | LibCall::Memmove => (&[Type::I64; 3], &[Type::I64]),
            LibCall::Memcmp => (&[Type::I64; 3], &[Type::I32]),
            LibCall::ElfTlsGetAddr | LibCall::ElfTlsGetOffset => (&[Type::I64], &[Type::I64]),
            LibCall::UdivI128 | LibCall::SdivI128 | LibCall::UremI128 | LibCall::SremI128 => {
                (&[Type::I128; 2], &[Type::I128])
            }
            LibCall::I128ToF32 | LibCall::U128ToF32 => (&[Type::I128], &[Type::F32]),
            LibCall::I128ToF64 | LibCall::U128ToF64 => (&[Type::I128], &[Type::F64]),
            LibCall::F32ToI128 | LibCall::F32ToU128 => (&[Type::F32], &[Type::I128]),
            LibCall::F64ToI128 | LibCall::F64ToU128 => (&[Type::F64], &[Type::I128]),
            LibCall::F16ToF32 => (&[Type::F16], &[Type::F32]),
            LibCall::F32ToF16 => (&[Type::F32], &[Type::F16]),
            LibCall::F64ToF16 => (&[Type::F64], &[Type::F16]),
            LibCall::AddF128 | LibCall::SubF128 | LibCall::MulF128 | LibCall::DivF128 => {
                (&[Type::F128; 2], &[Type::F128])
            }
            LibCall::SqrtF128
            | LibCall::CeilF128
            | LibCall::FloorF128
            | LibCall::TruncF128
            | LibCall::NearestF128 => (&[Type::F128], &[Type::F128]),
            LibCall::FmaF128 => (&[Type::F128; 3], &[Type::F128]),
            LibCall::EqF128
            | LibCall::LtF128
            | LibCall::LeF128
            | LibCall::GtF128
            | LibCall::GeF128
            | LibCall::UnordF128 => (&[Type::F128; 2], &[Type::I32]),
            LibCall::F32ToF128 => (&[Type::F32], &[Type::F128]),
            LibCall::F64ToF128 => (&[Type::F64], &[Type::F128]),
            LibCall::F128ToF32 => (&[Type::F128], &[Type::F32]),
            LibCall::F128ToF16 => (&[Type::F128], &[Type::F16]),
            LibCall::F128ToF64 => (&[Type::F128], &[Type::F64]),
            LibCall::I32ToF128 | LibCall::U32ToF128 => (&[Type::I32], &[Type::F128]),
            LibCall::I64ToF128 | LibCall::U64ToF128 => (&[Type::I64], &[Type::F128]),
            LibCall::F128ToI32 | LibCall::F128ToU32 => (&[Type::F128], &[Type::I32]),
            LibCall::F128ToI64 | LibCall::F128ToU64 => (&[Type::F128], &[Type::I64]),
            LibCall::I128ToF128 | LibCall::U128ToF128 => (&[Type::I128], &[Type::F128]),
            LibCall::F128ToI128 | LibCall::F128ToU128 => (&[Type::F128], &[Type::I128]),
        };
        let mut sig = super::Signature::new(call_conv);
        sig.params = params.iter().map(|&t| AbiParam::new(t)).collect();
        sig.returns = ret.iter().map(|&t| AbiParam::new(t)).collect();
        Some(sig)
    }
}

named_enum! {
    /// A symbol the linker defines (written `%ElfGlobalOffsetTable` in CLIF).
    KnownSymbol {
        /// ELF `_GLOBAL_OFFSET_TABLE_`.
        ElfGlobalOffsetTable,
        /// Windows `_tls_index`.
        CoffTlsIndex,
    }
}

impl KnownSymbol {
    /// The symbol name in object files.
    pub fn symbol(self) -> &'static str {
        match self {
            KnownSymbol::ElfGlobalOffsetTable => "_GLOBAL_OFFSET_TABLE_",
            KnownSymbol::CoffTlsIndex => "_tls_index",
        }
    }
}

/// What a call, `func_addr` or `symbol` global value refers to.
///
/// User names are references into the function's external-name table (kept in its
/// `FunctionParameters`), so the stencil that compilation reads stays free of them.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ExternalName {
    /// An entry of the function's user external-name table.
    User(UserExternalNameRef),
    /// A test name (`%foo`).
    TestCase(TestcaseName),
    /// A runtime library function.
    LibCall(LibCall),
    /// A linker-defined symbol.
    KnownSymbol(KnownSymbol),
}

impl ExternalName {
    /// Interprets `%name`: a library call or known symbol if `name` is one, else a test
    /// name.
    pub fn from_percent_name(name: &str) -> ExternalName {
        if let Some(lc) = LibCall::parse(name) {
            ExternalName::LibCall(lc)
        } else if let Some(ks) = KnownSymbol::parse(name) {
            ExternalName::KnownSymbol(ks)
        } else {
            ExternalName::TestCase(TestcaseName::new(name))
        }
    }
}
