//! Each ISA's flags (`target x86_64 has_avx`), with presets that enable a CPU's features.

use super::{SetError, parse_bool};
use alloc::string::String;

macro_rules! isa_flags {
    (
        $(#[$doc:meta])* $ty:ident {
            $($(#[$fdoc:meta])* $flag:ident,)*
        }
        presets { $($preset:literal => [$($on:ident),*],)* }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
        pub struct $ty {
            $($(#[$fdoc])* pub $flag: bool,)*
        }

        impl $ty {
            /// Sets flag `name` to `value`, or applies the preset `name` (a CPU or an
            /// instruction-set level), which enables its features.
            ///
            /// # Errors
            /// An unknown name, a non-boolean value, or a value given to a preset.
            pub fn set(&mut self, name: &str, value: Option<&str>) -> Result<(), SetError> {
                match name {
                    $(stringify!($flag) => {
                        self.$flag = match value {
                            Some(v) => parse_bool(name, v)?,
                            None => true,
                        };
                        Ok(())
                    })*
                    $($preset => {
                        if let Some(v) = value {
                            return Err(SetError::BadValue { name: name.into(), value: v.into(), expected: "no value: it is a preset".into() });
                        }
                        $(self.$on = true;)*
                        Ok(())
                    })*
                    _ => Err(SetError::UnknownName(name.into())),
                }
            }

            /// The enabled flags, by name.
            pub fn enabled(&self) -> impl Iterator<Item = &'static str> + '_ {
                [$((stringify!($flag), self.$flag),)*].into_iter().filter(|f| f.1).map(|f| f.0)
            }
        }
    };
}

isa_flags! {
    /// x86-64 features beyond the SSE2 baseline.
    X64Flags {
        /// SSE3.
        has_sse3,
        /// SSSE3.
        has_ssse3,
        /// SSE4.1.
        has_sse41,
        /// SSE4.2.
        has_sse42,
        /// POPCNT.
        has_popcnt,
        /// AVX.
        has_avx,
        /// AVX2.
        has_avx2,
        /// FMA3.
        has_fma,
        /// BMI1.
        has_bmi1,
        /// BMI2.
        has_bmi2,
        /// LZCNT.
        has_lzcnt,
        /// CMPXCHG16B.
        has_cmpxchg16b,
        /// AVX-512 Foundation.
        has_avx512f,
        /// AVX-512 Vector Length extensions.
        has_avx512vl,
        /// AVX-512 Doubleword and Quadword.
        has_avx512dq,
        /// AVX-512 Vector Byte Manipulation.
        has_avx512vbmi,
        /// AVX-512 Bit Algorithms.
        has_avx512bitalg,
        /// AVX-512 Vector Neural Network Instructions.
        has_avx512vnni,
        /// AVX-VNNI.
        has_avx_vnni,
    }
    presets {
        "baseline" => [],
        "x86-64" => [],
        "sse3" => [has_sse3],
        "ssse3" => [has_sse3, has_ssse3],
        "sse41" => [has_sse3, has_ssse3, has_sse41],
        "sse42" => [has_sse3, has_ssse3, has_sse41, has_sse42],
        "x86-64-v2" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "x86-64-v3" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt],
        "x86-64-v4" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq],
        "nehalem" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "corei7" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "westmere" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "sandybridge" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx],
        "ivybridge" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx],
        "haswell" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt],
        "broadwell" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt],
        "skylake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt],
        "cannonlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi],
        "icelake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "alderlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx_vnni],
        "nocona" => [has_sse3, has_cmpxchg16b],
        "core2" => [has_sse3, has_ssse3, has_cmpxchg16b],
        "penryn" => [has_sse3, has_ssse3, has_sse41, has_cmpxchg16b],
        "atom" => [has_sse3, has_ssse3, has_cmpxchg16b],
        "goldmont-plus" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "corei7-avx" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx],
        "core-avx-i" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx],
        "core-avx2" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt],
        "knl" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f],
        "knm" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f],
        "skylake-avx512" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq],
        "skx" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq],
        "cascadelake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vnni],
        "cooperlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vnni],
        "icelake-client" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "icelake-server" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "tigerlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "sapphirerapids" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "graniterapids" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
        "sierraforest" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx_vnni],
        "grandridge" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx_vnni],
        "raptorlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx_vnni],
        "meteorlake" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_lzcnt, has_avx_vnni],
        "bonnell" => [has_sse3, has_ssse3, has_cmpxchg16b],
        "silvermont" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "slm" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "goldmont" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "tremont" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_cmpxchg16b],
        "opteron" => [],
        "k8" => [],
        "athlon64" => [],
        "athlon-fx" => [],
        "opteron-sse3" => [has_sse3],
        "k8-sse3" => [has_sse3],
        "athlon64-sse3" => [has_sse3],
        "barcelona" => [has_sse3, has_popcnt, has_lzcnt, has_cmpxchg16b],
        "amdfam10" => [has_sse3, has_popcnt, has_lzcnt, has_cmpxchg16b],
        "btver1" => [has_sse3, has_ssse3, has_popcnt, has_lzcnt, has_cmpxchg16b],
        "btver2" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_bmi1],
        "bdver1" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx],
        "bdver2" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_bmi1, has_fma],
        "bdver3" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_bmi1, has_fma],
        "bdver4" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma],
        "znver1" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma],
        "znver2" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma],
        "znver3" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma],
        "znver4" => [has_sse3, has_ssse3, has_sse41, has_sse42, has_popcnt, has_lzcnt, has_cmpxchg16b, has_avx, has_avx2, has_bmi1, has_bmi2, has_fma, has_avx512f, has_avx512vl, has_avx512dq, has_avx512vbmi, has_avx512bitalg, has_avx512vnni],
    }
}

isa_flags! {
    /// AArch64 features beyond Armv8.0-A, and code-generation choices.
    Aarch64Flags {
        /// Large System Extensions (atomics, Armv8.1).
        has_lse,
        /// Pointer authentication (Armv8.3).
        has_pauth,
        /// Half-precision floating point (Armv8.2).
        has_fp16,
        /// Dot product (Armv8.2).
        has_dotprod,
        /// Int8 matrix multiply (Armv8.6).
        has_i8mm,
        /// Sign return addresses of non-leaf functions.
        sign_return_address,
        /// Sign the return addresses of all functions.
        sign_return_address_all,
        /// Sign with the B key instead of the A key.
        sign_return_address_with_bkey,
        /// Emit branch target identification landing pads.
        use_bti,
        /// Emit consumption of speculative data barriers.
        use_csdb,
    }
    presets {
        "apple_m1" => [has_lse, has_pauth, has_fp16, has_dotprod],
        "neoverse_n1" => [has_lse, has_fp16, has_dotprod],
    }
}

isa_flags! {
    /// s390x (z/Architecture) facilities beyond the z13 baseline.
    S390xFlags {
        /// Miscellaneous-instruction-extensions facility 2 (arch12, z14).
        has_mie2,
        /// Miscellaneous-instruction-extensions facility 3 (arch13, z15).
        has_mie3,
        /// Miscellaneous-instruction-extensions facility 4 (arch15).
        has_mie4,
        /// Vector-enhancements facility 1 (arch12).
        has_vxrs_ext1,
        /// Vector-enhancements facility 2 (arch13).
        has_vxrs_ext2,
        /// Vector-enhancements facility 3 (arch15).
        has_vxrs_ext3,
    }
    presets {
        "arch12" => [has_mie2, has_vxrs_ext1],
        "z14" => [has_mie2, has_vxrs_ext1],
        "arch13" => [has_mie2, has_mie3, has_vxrs_ext1, has_vxrs_ext2],
        "z15" => [has_mie2, has_mie3, has_vxrs_ext1, has_vxrs_ext2],
        "arch14" => [has_mie2, has_mie3, has_vxrs_ext1, has_vxrs_ext2],
        "z16" => [has_mie2, has_mie3, has_vxrs_ext1, has_vxrs_ext2],
        "arch15" => [has_mie2, has_mie3, has_mie4, has_vxrs_ext1, has_vxrs_ext2, has_vxrs_ext3],
    }
}

/// The flags of one ISA.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IsaFlags {
    /// x86-64.
    X64(X64Flags),
    /// AArch64.
    Aarch64(Aarch64Flags),
    /// s390x.
    S390x(S390xFlags),
}

impl IsaFlags {
    /// Applies a word of a `target` line: `flag`, `flag=value` or a preset.
    ///
    /// # Errors
    /// What [`X64Flags::set`] and the others report.
    pub fn apply(&mut self, word: &str) -> Result<(), SetError> {
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (word, None),
        };
        if name == "machinst" && value.is_none() {
            // Older test files select the then-new backend with it; there is only one.
            return Ok(());
        }
        match self {
            IsaFlags::X64(f) => f.set(name, value),
            IsaFlags::Aarch64(f) => f.set(name, value),
            IsaFlags::S390x(f) => f.set(name, value),
        }
    }

    /// The enabled flags as text, for display.
    pub fn describe(&self) -> String {
        let names: alloc::vec::Vec<&str> = match self {
            IsaFlags::X64(f) => f.enabled().collect(),
            IsaFlags::Aarch64(f) => f.enabled().collect(),
            IsaFlags::S390x(f) => f.enabled().collect(),
        };
        names.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_presets() {
        let mut f = IsaFlags::X64(X64Flags::default());
        f.apply("has_avx").unwrap();
        f.apply("skylake").unwrap();
        f.apply("has_lzcnt=false").unwrap();
        let IsaFlags::X64(x) = f else { unreachable!() };
        assert!(x.has_avx && x.has_avx2 && x.has_bmi2 && !x.has_lzcnt && !x.has_avx512f);
        assert!(matches!(
            f.apply("has_nothing"),
            Err(SetError::UnknownName(_))
        ));
        assert!(matches!(
            f.apply("skylake=1"),
            Err(SetError::BadValue { .. })
        ));
        assert!(matches!(
            f.apply("has_avx=maybe"),
            Err(SetError::BadValue { .. })
        ));
        // The CPU names Cranelift's test files use are all known.
        for (cpu, has_sse41, has_avx512vnni) in [
            ("core2", false, false),
            ("penryn", true, false),
            ("skylake-avx512", true, false),
            ("cascadelake", true, true),
            ("sapphirerapids", true, true),
            ("raptorlake", true, false),
        ] {
            let mut f = X64Flags::default();
            f.set(cpu, None).unwrap();
            assert_eq!(
                (f.has_sse41, f.has_avx512vnni),
                (has_sse41, has_avx512vnni),
                "{cpu}"
            );
        }
        let mut s = IsaFlags::S390x(S390xFlags::default());
        s.apply("arch13").unwrap();
        assert_eq!(
            s.describe(),
            "has_mie2 has_mie3 has_vxrs_ext1 has_vxrs_ext2"
        );
        let mut a = IsaFlags::Aarch64(Aarch64Flags::default());
        a.apply("has_lse").unwrap();
        a.apply("sign_return_address").unwrap();
        assert_eq!(a.describe(), "has_lse sign_return_address");
    }
}
