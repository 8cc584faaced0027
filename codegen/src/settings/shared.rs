//! The shared flags: what every ISA reads, set by name from `set` lines or by embedders.

use super::{SetError, parse_bool};
use alloc::format;
use alloc::string::String;
use core::fmt;

macro_rules! enum_setting {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)*
        }

        impl $ty {
            /// The value with text name `s`.
            pub fn parse(s: &str) -> Option<$ty> {
                match s { $($text => Some($ty::$variant),)* _ => None }
            }

            /// The names of every value, for error messages.
            pub fn names() -> &'static [&'static str] {
                &[$($text,)*]
            }

            /// The text name.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $text,)* }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

enum_setting! {
    /// How hard to optimize.
    OptLevel {
        /// No optimization: fastest compilation.
        None = "none",
        /// Optimize for speed.
        Speed = "speed",
        /// Optimize for speed and code size.
        SpeedAndSize = "speed_and_size",
    }
}

enum_setting! {
    /// How thread-local storage is accessed.
    TlsModel {
        /// TLS is not supported.
        None = "none",
        /// ELF general dynamic (`__tls_get_addr`, or `__tls_get_offset` on s390x).
        ElfGd = "elf_gd",
        /// Mach-O thread-local variables.
        Macho = "macho",
        /// Windows TLS through `_tls_index`.
        Coff = "coff",
    }
}

enum_setting! {
    /// Which register allocator regalloc2 runs.
    RegallocAlgorithm {
        /// The backtracking allocator (better code).
        Backtracking = "backtracking",
        /// The single-pass allocator (faster compilation, more spills).
        SinglePass = "single_pass",
    }
}

enum_setting! {
    /// How large frames probe their stack pages.
    ProbestackStrategy {
        /// Call the probestack library function.
        Outline = "outline",
        /// Probe with inline code.
        Inline = "inline",
    }
}

enum_setting! {
    /// The calling convention of library calls the code generator makes.
    LibcallCallConv {
        /// The target's default convention.
        IsaDefault = "isa_default",
        /// `fast`.
        Fast = "fast",
        /// `cold`.
        Cold = "cold",
        /// `system_v`.
        SystemV = "system_v",
        /// `windows_fastcall`.
        WindowsFastcall = "windows_fastcall",
        /// `apple_aarch64`.
        AppleAarch64 = "apple_aarch64",
        /// `probestack`.
        Probestack = "probestack",
    }
}

enum_setting! {
    /// What `stack_switch` saves and restores.
    StackSwitchModel {
        /// `stack_switch` is not supported.
        None = "none",
        /// Registers only.
        Basic = "basic",
        /// Also the Windows thread information block's stack bounds.
        UpdateWindowsTib = "update_windows_tib",
    }
}

macro_rules! shared_flags {
    (
        bools { $($(#[$bdoc:meta])* $bname:ident = $bdefault:literal,)* }
        enums { $($(#[$edoc:meta])* $ename:ident: $ety:ident = $edefault:ident,)* }
        nums { $($(#[$ndoc:meta])* $nname:ident = $ndefault:literal,)* }
    ) => {
        /// The shared flags. Build them with [`Builder`]; read them through the fields.
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        pub struct Flags {
            $($(#[$bdoc])* pub $bname: bool,)*
            $($(#[$edoc])* pub $ename: $ety,)*
            $($(#[$ndoc])* pub $nname: u8,)*
        }

        impl Default for Flags {
            fn default() -> Flags {
                Flags {
                    $($bname: $bdefault,)*
                    $($ename: $ety::$edefault,)*
                    $($nname: $ndefault,)*
                }
            }
        }

        impl Flags {
            /// Sets the flag `name` from its text `value`.
            fn set(&mut self, name: &str, value: &str) -> Result<(), SetError> {
                match name {
                    $(stringify!($bname) => self.$bname = parse_bool(name, value)?,)*
                    $(stringify!($ename) => {
                        self.$ename = $ety::parse(value).ok_or_else(|| SetError::BadValue {
                            name: name.into(),
                            value: value.into(),
                            expected: format!("one of {}", $ety::names().join(", ")),
                        })?
                    })*
                    $(stringify!($nname) => {
                        self.$nname = value.parse().map_err(|_| SetError::BadValue {
                            name: name.into(),
                            value: value.into(),
                            expected: "a number from 0 to 255".into(),
                        })?
                    })*
                    _ => return Err(SetError::UnknownName(name.into())),
                }
                Ok(())
            }

            /// Every flag as `name=value`, in declaration order.
            pub fn iter(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
                let bools = [$((stringify!($bname), format!("{}", self.$bname)),)*];
                let enums = [$((stringify!($ename), format!("{}", self.$ename)),)*];
                let nums = [$((stringify!($nname), format!("{}", self.$nname)),)*];
                bools.into_iter().chain(enums).chain(nums)
            }
        }
    };
}

shared_flags! {
    bools {
        /// Run the IR verifier before compiling.
        enable_verifier = true,
        /// Run regalloc2's checker on its result (slow; for testing).
        regalloc_checker = false,
        /// Log regalloc2's decisions in detail.
        regalloc_verbose_logs = false,
        /// Use alias analysis in the mid-end.
        enable_alias_analysis = true,
        /// Check proof-carrying-code facts.
        enable_pcc = false,
        /// Generate position-independent code.
        is_pic = false,
        /// Library functions are in the same linkage unit (callable PC-relatively).
        use_colocated_libcalls = false,
        /// Floating-point instructions may be used.
        enable_float = true,
        /// Canonicalize NaN results of float arithmetic.
        enable_nan_canonicalization = false,
        /// Reserve the pinned register for `get_pinned_reg`/`set_pinned_reg`.
        enable_pinned_reg = false,
        /// Atomic instructions may be used.
        enable_atomics = true,
        /// Compute stack maps at safepoints.
        enable_safepoints = false,
        /// Accept ABI extensions LLVM uses (e.g. i128 arguments in registers).
        enable_llvm_abi_extensions = false,
        /// Return values that do not fit in registers through a hidden pointer.
        enable_multi_ret_implicit_sret = false,
        /// Emit unwind information.
        unwind_info = true,
        /// Keep frame pointers in every frame.
        preserve_frame_pointers = false,
        /// Record the basic blocks of the machine code.
        machine_code_cfg_info = false,
        /// Probe the stack of large frames.
        enable_probestack = false,
        /// Lower dense `br_table`s to jump tables.
        enable_jump_tables = true,
        /// Guard heap accesses against speculative out-of-bounds reads.
        enable_heap_access_spectre_mitigation = true,
        /// Guard table accesses against speculative out-of-bounds reads.
        enable_table_access_spectre_mitigation = true,
        /// Check the incremental cache against fresh compilations.
        enable_incremental_compilation_cache_checks = false,
        /// Keep prologues and epilogues to the shapes Mach-O compact unwind encodes
        /// (aarch64; x86-64 frames already have that shape).
        enable_compact_unwind_abi = false,
    }
    enums {
        /// How hard to optimize.
        opt_level: OptLevel = None,
        /// How thread-local storage is accessed.
        tls_model: TlsModel = None,
        /// Which register allocator runs.
        regalloc_algorithm: RegallocAlgorithm = Backtracking,
        /// How large frames probe their stack.
        probestack_strategy: ProbestackStrategy = Outline,
        /// The calling convention of library calls.
        libcall_call_conv: LibcallCallConv = IsaDefault,
        /// What `stack_switch` saves.
        stack_switch_model: StackSwitchModel = None,
    }
    nums {
        /// log2 of the probe interval in bytes (the guard page size).
        probestack_size_log2 = 12,
        /// log2 of the block alignment minus one; 0 for no padding.
        bb_padding_log2_minus_one = 0,
        /// log2 of the minimum function alignment in bytes.
        log2_min_function_alignment = 0,
    }
}

/// Builds [`Flags`] by name, the way `set` lines do.
///
/// ```
/// use gantry_codegen::settings::{Builder, OptLevel};
///
/// let mut b = Builder::new();
/// b.set("opt_level", "speed").unwrap();
/// b.enable("preserve_frame_pointers").unwrap();
/// assert!(b.set("opt_level", "fast").is_err());
/// assert!(b.set("no_such_flag", "1").is_err());
/// let flags = b.finish();
/// assert_eq!(flags.opt_level, OptLevel::Speed);
/// assert!(flags.preserve_frame_pointers);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    flags: Flags,
}

/// Boolean settings of older test files, accepted and ignored: `enable_simd` (SIMD is
/// always available) and `avoid_div_traps` (division traps are explicit either way).
const LEGACY_BOOLS: [&str; 2] = ["enable_simd", "avoid_div_traps"];

impl Builder {
    /// A builder starting from the defaults.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Sets `name` to `value`.
    ///
    /// # Errors
    /// An unknown name, or a value the setting does not accept.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SetError> {
        if LEGACY_BOOLS.contains(&name) {
            return parse_bool(name, value).map(|_| ());
        }
        self.flags.set(name, value)
    }

    /// Sets the boolean flag `name` to true (a bare `set name` line).
    ///
    /// # Errors
    /// An unknown name, or a flag that is not boolean.
    pub fn enable(&mut self, name: &str) -> Result<(), SetError> {
        self.set(name, "true")
    }

    /// The flags built.
    pub fn finish(&self) -> Flags {
        self.flags.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn defaults_and_errors() {
        let f = Flags::default();
        assert!(f.enable_verifier && !f.preserve_frame_pointers);
        assert_eq!(f.opt_level, OptLevel::None);
        assert_eq!(f.probestack_size_log2, 12);
        let mut b = Builder::new();
        assert_eq!(
            b.set("enable_verifier", "maybe").unwrap_err().to_string(),
            "setting `enable_verifier` cannot be `maybe`: expected a boolean (`true` or `false`)"
        );
        assert_eq!(
            b.set("tls_model", "magic").unwrap_err().to_string(),
            "setting `tls_model` cannot be `magic`: expected one of none, elf_gd, macho, coff"
        );
        assert!(matches!(
            b.set("probestack_size_log2", "300"),
            Err(SetError::BadValue { .. })
        ));
        assert!(b.enable("opt_level").is_err());
        b.set("regalloc_checker", "0").unwrap();
        b.set("probestack_strategy", "inline").unwrap();
        let f = b.finish();
        assert_eq!(f.probestack_strategy, ProbestackStrategy::Inline);
        assert!(
            f.iter()
                .any(|(n, v)| n == "probestack_strategy" && v == "inline")
        );
    }
}
