//! The host as a target: the ISA this process runs on, with the features its CPU has
//! (as `cranelift-native` gives Cranelift users). Needs the `std` feature, for run-time
//! CPU feature detection.

use super::{IsaBuilder, LookupError, lookup};
use alloc::string::ToString;

/// A builder for the host's ISA with the flags of the features the CPU reports (on
/// x86-64: SSE3 to SSE4.2, POPCNT, LZCNT, BMI1/2, AVX/AVX2, FMA, CMPXCHG16B and the
/// AVX-512 subsets), for code that runs in this process (a JIT).
///
/// # Errors
/// [`LookupError::Unsupported`] when the host is not an architecture Gantry targets.
pub fn builder() -> Result<IsaBuilder, LookupError> {
    let mut b = lookup(host_arch()?)?;
    for flag in host_features() {
        // Every name below is a flag of the host ISA.
        let _ = b.apply(flag);
    }
    Ok(b)
}

/// Whether the host CPU has the feature of the ISA flag `flag` (`has_avx`, ...); flags
/// of other ISAs, and unknown ones, are `false`.
pub fn has_feature(flag: &str) -> bool {
    host_features().any(|f| f == flag)
}

fn host_arch() -> Result<&'static str, LookupError> {
    if cfg!(target_arch = "x86_64") {
        Ok("x86_64")
    } else if cfg!(target_arch = "aarch64") {
        Ok("aarch64")
    } else if cfg!(target_arch = "s390x") {
        Ok("s390x")
    } else {
        Err(LookupError::Unsupported(std::env::consts::ARCH.to_string()))
    }
}

/// The host's ISA flags that its CPU supports.
#[cfg(target_arch = "x86_64")]
fn host_features() -> impl Iterator<Item = &'static str> {
    [
        ("has_sse3", std::is_x86_feature_detected!("sse3")),
        ("has_ssse3", std::is_x86_feature_detected!("ssse3")),
        ("has_sse41", std::is_x86_feature_detected!("sse4.1")),
        ("has_sse42", std::is_x86_feature_detected!("sse4.2")),
        ("has_popcnt", std::is_x86_feature_detected!("popcnt")),
        ("has_lzcnt", std::is_x86_feature_detected!("lzcnt")),
        ("has_bmi1", std::is_x86_feature_detected!("bmi1")),
        ("has_bmi2", std::is_x86_feature_detected!("bmi2")),
        ("has_avx", std::is_x86_feature_detected!("avx")),
        ("has_avx2", std::is_x86_feature_detected!("avx2")),
        ("has_fma", std::is_x86_feature_detected!("fma")),
        (
            "has_cmpxchg16b",
            std::is_x86_feature_detected!("cmpxchg16b"),
        ),
        ("has_avx512f", std::is_x86_feature_detected!("avx512f")),
        ("has_avx512vl", std::is_x86_feature_detected!("avx512vl")),
        ("has_avx512dq", std::is_x86_feature_detected!("avx512dq")),
        (
            "has_avx512bitalg",
            std::is_x86_feature_detected!("avx512bitalg"),
        ),
        (
            "has_avx512vbmi",
            std::is_x86_feature_detected!("avx512vbmi"),
        ),
        (
            "has_avx512vnni",
            std::is_x86_feature_detected!("avx512vnni"),
        ),
    ]
    .into_iter()
    .filter(|f| f.1)
    .map(|f| f.0)
}

/// The host's ISA flags that its CPU supports (none detected off x86-64 yet).
#[cfg(not(target_arch = "x86_64"))]
fn host_features() -> impl Iterator<Item = &'static str> {
    core::iter::empty()
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_host_builder_has_the_cpu_features() {
        let b = super::builder().unwrap();
        assert_eq!(b.name(), "x86_64");
        let crate::settings::IsaFlags::X64(f) = b.flags() else {
            panic!("an x86-64 host");
        };
        assert_eq!(f.has_sse41, std::is_x86_feature_detected!("sse4.1"));
        assert_eq!(f.has_bmi2, super::has_feature("has_bmi2"));
        assert!(!super::has_feature("has_lse"));
    }
}
