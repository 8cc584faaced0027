//! `test run`: compiles each function for the host, loads the code into executable
//! memory, and checks the file's `; run:` commands by calling it.
//!
//! Each called function gets a trampoline, itself CLIF compiled by the same backend: it
//! takes the function's address and a buffer of 16-byte slots, loads the arguments from
//! the slots, calls the function with its own signature and calling convention, and
//! stores the results back. So any signature the backend compiles can be run, and the
//! host only ever calls `trampoline(function, buffer)`. The trampoline reaches the
//! function through a canary shim (the `canary` module) that fails the call if the function does
//! not preserve a callee-saved register of its convention.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{CallConv, Function, LibCall, Signature};
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::compiled::{CompiledCode, FinalizedRelocTarget};
use gantry_codegen::machinst::reloc::Reloc;
use gantry_codegen::settings::IsaFlags;
use gantry_reader::{Comparison, Invocation, RunCommand, TestFile, parse_run_command};
use memmap2::{Mmap, MmapMut};
use std::collections::HashMap;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod canary;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod host;
pub mod qemu;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod throw;

/// Sets how long generated code may run per call before the runner stops it and
/// reports a timeout (default: `GANTRY_RUN_TIMEOUT_SECS`, else 20 s).
pub fn set_time_limit(limit: std::time::Duration) {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    host::set_time_limit(limit);
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    let _ = limit;
}

/// Whether this machine can execute code for ISA `name`: natively, or under qemu-user.
pub fn host_runs(name: &str) -> bool {
    (cfg!(all(target_os = "linux", target_arch = "x86_64")) && name == "x86_64")
        || (cfg!(target_os = "linux") && qemu::runs_under_qemu(name))
}

/// The first ISA flag of `flags` that this machine's CPU lacks, if any: code using it
/// would fault, so such targets are skipped rather than run.
pub fn missing_host_feature(flags: &IsaFlags) -> Option<&'static str> {
    let IsaFlags::X64(f) = flags else {
        return None;
    };
    f.enabled()
        .find(|name| !gantry_codegen::isa::native::has_feature(name))
}

/// Compiled functions linked into one executable region: calls between them and their
/// `func_addr`s are resolved by name.
struct Loaded {
    code: Mmap,
    /// Trap sites, by offset in `code`.
    traps: Vec<MachTrap>,
    /// Each function's offset in `code`, by name (without `%`).
    entries: HashMap<String, usize>,
    /// The canary shims' state and their offsets in `code` (see [`canary`]).
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    canaries: (canary::State, [usize; 2]),
    /// Whether `r15` is the pinned register (which the canaries leave alone).
    pinned: bool,
    /// The exception handlers `%__cranelift_throw` searches.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    throws: throw::Table,
}

impl Loaded {
    /// Lays out `funcs` 16-byte aligned, then a 16-byte stub (`jmp *0(%rip)` and the
    /// address) for each library function a PC-relative call reaches (they may be out of
    /// ±2 GiB range), then a `tls_index` pair for each thread-local symbol; applies the
    /// relocations and maps the result executable.
    ///
    /// # Errors
    /// A relocation to a name that is not one of `funcs`, or of an unknown kind.
    fn link(funcs: &[(String, CompiledCode)], pinned: bool) -> Result<Loaded, String> {
        let mut entries = HashMap::new();
        let mut size = 0usize;
        for (name, code) in funcs {
            entries.insert(name.clone(), size);
            size = (size + code.code.len()).div_ceil(16) * 16;
        }
        // Stubs, the probestack function, TLS indices and GOT entries, one EXTRA-byte slot each,
        // keyed by target.
        let mut extra: Vec<(Reloc, FinalizedRelocTarget)> = Vec::new();
        for (_, code) in funcs {
            for r in &code.relocs {
                let far = (matches!(r.target, FinalizedRelocTarget::LibCall(_))
                    || host_function(&r.target, &entries).is_some())
                    && r.kind == Reloc::X86CallPLTRel4;
                let key = (r.kind, r.target.clone());
                let slot = far || r.kind == Reloc::ElfX86_64TlsGd || r.kind == Reloc::X86GOTPCRel4;
                if slot && !extra.contains(&key) {
                    extra.push(key);
                }
            }
        }
        let extra_at = |kind: Reloc, target: &FinalizedRelocTarget| {
            extra
                .iter()
                .position(|(k, t)| *k == kind && t == target)
                .map(|i| size + EXTRA * i)
        };
        let shims_at = size + EXTRA * extra.len();
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        let shims: Vec<_> = canary::Shim::ALL.iter().map(|s| s.code()).collect();
        #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
        let shims: Vec<(&[u8], [usize; 2])> = Vec::new();
        let mut shim_offsets = [0usize; 2];
        let mut end = shims_at;
        for (i, (bytes, _)) in shims.iter().enumerate() {
            shim_offsets[i] = end;
            end = (end + bytes.len()).div_ceil(16) * 16;
        }
        let mut map = MmapMut::map_anon(end.max(1)).map_err(|e| e.to_string())?;
        let base = map.as_ptr() as i64;
        let mut tls_slots = 0u64;
        for (i, (kind, target)) in extra.iter().enumerate() {
            let at = size + EXTRA * i;
            if *kind == Reloc::X86GOTPCRel4 {
                // A GOT entry: the target's absolute address.
                let address = match target {
                    FinalizedRelocTarget::TestCase(t) => entries
                        .get(t.as_str())
                        .map(|&off| base + off as i64)
                        .or_else(|| host_function(target, &entries)),
                    FinalizedRelocTarget::LibCall(lc) => libcall_address(*lc),
                    _ => None,
                }
                .ok_or_else(|| format!("a GOT entry for {target:?}, which the runner lacks"))?;
                map[at..at + 8].copy_from_slice(&address.to_le_bytes());
            } else if *kind == Reloc::ElfX86_64TlsGd {
                // tls_index { module, offset }: the runner's one module, 64 bytes each.
                map[at..at + 8].copy_from_slice(&1u64.to_le_bytes());
                map[at + 8..at + 16].copy_from_slice(&(64 * tls_slots).to_le_bytes());
                tls_slots += 1;
                if tls_slots > TLS_BLOCK_BYTES as u64 / 64 {
                    return Err("too many thread-local symbols for the runner".into());
                }
            } else if *target == FinalizedRelocTarget::LibCall(LibCall::Probestack) {
                map[at..at + PROBESTACK.len()].copy_from_slice(PROBESTACK);
            } else {
                let addr = match target {
                    FinalizedRelocTarget::LibCall(lc) => libcall_address(*lc),
                    t => host_function(t, &entries),
                }
                .ok_or_else(|| format!("the runner has no {target:?}"))?;
                map[at..at + 6].copy_from_slice(&[0xff, 0x25, 0, 0, 0, 0]);
                map[at + 6..at + 14].copy_from_slice(&addr.to_le_bytes());
            }
        }
        let mut traps = Vec::new();
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        let mut throws = throw::Table::default();
        for (name, code) in funcs {
            let start = entries[name];
            map[start..start + code.code.len()].copy_from_slice(&code.code);
            #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
            throws.add(base as usize + start, code);
            traps.extend(code.traps.iter().map(|t| MachTrap {
                offset: t.offset + start as u32,
                code: t.code,
            }));
            for r in &code.relocs {
                let target = &r.target;
                let address = match (extra_at(r.kind, target), target) {
                    (Some(off), _) => Some(base + off as i64),
                    (None, FinalizedRelocTarget::TestCase(t)) => {
                        entries.get(t.as_str()).map(|&off| base + off as i64)
                    }
                    (None, FinalizedRelocTarget::LibCall(lc)) => libcall_address(*lc),
                    _ => None,
                }
                .or_else(|| host_function(target, &entries));
                let Some(address) = address else {
                    return Err(format!(
                        "%{name} refers to {target:?}, which is not a function of this file"
                    ));
                };
                let at = start + r.offset as usize;
                let s = address + r.addend;
                match r.kind {
                    Reloc::Abs8 => map[at..at + 8].copy_from_slice(&s.to_le_bytes()),
                    // R_X86_64_PC32, PLT32, GOTPCREL (to the GOT entry) and TLSGD (to
                    // the tls_index): S + A - P
                    Reloc::X86PCRel4
                    | Reloc::X86CallPLTRel4
                    | Reloc::X86GOTPCRel4
                    | Reloc::ElfX86_64TlsGd => {
                        let rel = i32::try_from(s - (base + at as i64))
                            .map_err(|_| format!("%{name}: {target:?} is out of range"))?;
                        map[at..at + 4].copy_from_slice(&rel.to_le_bytes());
                    }
                    k => {
                        return Err(format!("the runner does not apply {k} relocations"));
                    }
                }
            }
        }
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        let state = canary::State::new()?;
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        for ((bytes, patches), &at) in shims.iter().zip(&shim_offsets) {
            map[at..at + bytes.len()].copy_from_slice(bytes);
            for p in patches {
                map[at + p..at + p + 8].copy_from_slice(&state.address().to_le_bytes());
            }
        }
        let code = map.make_exec().map_err(|e| e.to_string())?;
        Ok(Loaded {
            code,
            traps,
            entries,
            #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
            canaries: (state, shim_offsets),
            pinned,
            #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
            throws,
        })
    }

    /// Calls function `name` with `args` (already checked against `sig`) through its
    /// trampoline (linked under [`trampoline_name`]).
    ///
    /// # Errors
    /// The trap (with its code if it is a recorded trap site) or crash the call ended in.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn call(
        &mut self,
        name: &str,
        sig: &Signature,
        args: &[DataValue],
    ) -> Result<Vec<DataValue>, String> {
        let base = self.code.as_ptr();
        let entry = self.entries[name];
        let tramp = *self
            .entries
            .get(&trampoline_name(name))
            .ok_or_else(|| format!("no trampoline for %{name}"))?;
        let slots = args.len().max(sig.returns.len()).max(1);
        let mut buf: Vec<[u8; 16]> = vec![[0; 16]; slots];
        for (slot, a) in buf.iter_mut().zip(args) {
            *slot = a.to_le_slot();
        }
        // The trampoline calls the function through the canary shim of its convention.
        let shim = match sig.call_conv {
            CallConv::WindowsFastcall => canary::Shim::Win64,
            _ => canary::Shim::SystemV,
        };
        let (state, shim_offsets) = &mut self.canaries;
        let shim_at = shim_offsets[shim as usize];
        let shim_range = shim_at..shim_at + shim.code().0.len();
        let mut regs = [0u64; 14];
        // SAFETY: `base + entry` is `name`'s code, `base + tramp` its trampoline and
        // `base + shim_at` the shim, all compiled or assembled for this host; the
        // trampoline reads and writes `slots` 16-byte slots of `buf`, which outlives the
        // call.
        state.arm(unsafe { base.add(entry) } as u64, self.pinned);
        regs[0] = unsafe { base.add(shim_at) } as u64;
        regs[1] = buf.as_mut_ptr() as u64;
        let outcome = throw::with_table(&self.throws, || unsafe {
            host::call(base.add(tramp), regs)
        })?;
        match outcome {
            host::Outcome::Returned => {}
            host::Outcome::Trapped(pc) if shim_range.contains(&pc.wrapping_sub(base as usize)) => {
                return Err(match state.clobbered() {
                    Some(reg) => format!(
                        "%{name} did not preserve the callee-saved register %{reg} of its calling convention ({})",
                        sig.call_conv
                    ),
                    None => format!("crash in the runner's canary shim at {pc:#x}"),
                });
            }
            host::Outcome::Trapped(pc) => return Err(self.describe_trap(pc)),
            host::Outcome::TimedOut(pc) => {
                let at = pc.wrapping_sub(base as usize);
                return Err(format!(
                    "timed out (still running at code offset {at:#x}); GANTRY_RUN_TIMEOUT_SECS sets the limit"
                ));
            }
        }
        sig.returns
            .iter()
            .zip(&buf)
            .map(|(p, slot)| {
                DataValue::from_le_slot(slot, p.value_type)
                    .ok_or_else(|| format!("cannot read a {} result", p.value_type))
            })
            .collect()
    }

    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    fn call(&mut self, _: &str, _: &Signature, _: &[DataValue]) -> Result<Vec<DataValue>, String> {
        Err("this host cannot run generated code".into())
    }

    /// Names the trap at address `pc`: its trap code if it is a recorded trap site.
    fn describe_trap(&self, pc: usize) -> String {
        let base = self.code.as_ptr() as usize;
        let offset = pc.wrapping_sub(base);
        match self.traps.iter().find(|t| t.offset as usize == offset) {
            Some(t) => format!("trap: {}", t.code),
            None if offset < self.code.len() => format!("crash at code offset {offset:#x}"),
            None => format!("crash at address {pc:#x} outside the code"),
        }
    }
}

/// The host function a test-case name not defined in the file refers to:
/// `%__cranelift_throw` (see [`throw`]).
fn host_function(target: &FinalizedRelocTarget, entries: &HashMap<String, usize>) -> Option<i64> {
    match target {
        FinalizedRelocTarget::TestCase(t) if !entries.contains_key(t.as_str()) => {
            #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
            if t.as_str() == "__cranelift_throw" {
                return Some(throw::address());
            }
            None
        }
        _ => None,
    }
}

/// The size of each slot after the linked functions (a library-call stub, the
/// probestack function, or a `tls_index`), in bytes.
const EXTRA: usize = 64;

/// The runner's probestack function: touches each 4 KiB page of the `rax` bytes below
/// the caller's stack pointer, from the top, and preserves every register but `r10` and
/// `r11`.
const PROBESTACK: &[u8] = &[
    0x4c, 0x8d, 0x5c, 0x24, 0x08, // lea 8(%rsp), %r11: the caller's rsp
    0x49, 0x89, 0xc2, // mov %rax, %r10: bytes left
    0x49, 0x81, 0xfa, 0x00, 0x10, 0x00, 0x00, // 1: cmp $0x1000, %r10
    0x72, 0x14, // jb 2f
    0x49, 0x81, 0xeb, 0x00, 0x10, 0x00, 0x00, // sub $0x1000, %r11
    0x49, 0x83, 0x0b, 0x00, // orq $0, (%r11)
    0x49, 0x81, 0xea, 0x00, 0x10, 0x00, 0x00, // sub $0x1000, %r10
    0xeb, 0xe3, // jmp 1b
    0xc3, // 2: ret
];

/// The bytes of thread-local storage the runner provides to generated code.
const TLS_BLOCK_BYTES: usize = 4096;

thread_local! {
    /// The thread-local variables of generated code on this thread, 64 bytes each.
    static TLS_BLOCK: std::cell::UnsafeCell<[u64; TLS_BLOCK_BYTES / 8]> =
        const { std::cell::UnsafeCell::new([0; TLS_BLOCK_BYTES / 8]) };
}

/// The runner's `__tls_get_addr`: the address of the variable `index` describes
/// (`tls_index { module, offset }`) in this thread's block.
///
/// # Safety
/// `index` points to a `tls_index` the linker wrote, with an offset inside the block.
unsafe extern "C" fn tls_get_addr(index: *const [u64; 2]) -> *mut u8 {
    // SAFETY: the caller passes a tls_index written by `Loaded::link`.
    let offset = unsafe { (*index)[1] } as usize;
    // SAFETY: link keeps offsets below TLS_BLOCK_BYTES; the block lives as long as
    // the thread.
    TLS_BLOCK.with(|b| unsafe { b.get().cast::<u8>().add(offset) })
}

/// The half nearest `x` (ties to even), rounded once from the double (a conversion
/// through `f32` could round twice).
fn f64_to_f16_bits(x: f64) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0x7ff {
        // Infinity, or a quiet NaN keeping the payload's top bits.
        return sign
            | 0x7c00
            | if frac == 0 {
                0
            } else {
                0x200 | (frac >> 42) as u16
            };
    }
    if exp == 0 {
        return sign; // A double subnormal is far below the smallest half.
    }
    let e = exp - 1023;
    if e > 15 {
        return sign | 0x7c00;
    }
    let m = (1u64 << 52) | frac;
    // Keep 10 fraction bits for a normal half, fewer below 2^-14 (subnormal halves).
    let shift = if e >= -14 { 42 } else { 42 + (-14 - e) } as u32;
    if shift > 63 {
        return sign;
    }
    let (mut q, rest, halfway) = (m >> shift, m & ((1 << shift) - 1), 1u64 << (shift - 1));
    if rest > halfway || (rest == halfway && q & 1 == 1) {
        q += 1;
    }
    if e < -14 {
        // A subnormal half; rounding up to 0x400 gives the smallest normal one.
        return sign | q as u16;
    }
    let mut field = (e + 15) as u64;
    if q == 1 << 11 {
        q >>= 1;
        field += 1;
    }
    if field >= 31 {
        return sign | 0x7c00;
    }
    sign | (field << 10) as u16 | (q & 0x3ff) as u16
}

/// The address of the runner's implementation of a library call, if it has one.
fn libcall_address(lc: LibCall) -> Option<i64> {
    extern "C" fn extendhfsf2(x: f32) -> f32 {
        half::f16::from_bits(x.to_bits() as u16).to_f32()
    }
    extern "C" fn truncsfhf2(x: f32) -> f32 {
        f32::from_bits(u32::from(half::f16::from_f32(x).to_bits()))
    }
    extern "C" fn truncdfhf2(x: f64) -> f32 {
        f32::from_bits(u32::from(f64_to_f16_bits(x)))
    }
    extern "C" fn ceilf(x: f32) -> f32 {
        x.ceil()
    }
    extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    extern "C" fn floorf(x: f32) -> f32 {
        x.floor()
    }
    extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    extern "C" fn truncf(x: f32) -> f32 {
        x.trunc()
    }
    extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    extern "C" fn nearbyintf(x: f32) -> f32 {
        x.round_ties_even()
    }
    extern "C" fn nearbyint(x: f64) -> f64 {
        x.round_ties_even()
    }
    extern "C" fn fmaf(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    extern "C" fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    // The C runtime's 128-bit division (the generated code checks for zero divisors and
    // MIN / -1 first; wrapping keeps MIN % -1 defined here too).
    extern "C" fn udivti3(a: u128, b: u128) -> u128 {
        a / b
    }
    extern "C" fn divti3(a: i128, b: i128) -> i128 {
        a.wrapping_div(b)
    }
    extern "C" fn umodti3(a: u128, b: u128) -> u128 {
        a % b
    }
    extern "C" fn modti3(a: i128, b: i128) -> i128 {
        a.wrapping_rem(b)
    }
    // 128-bit integers to floats, rounding to nearest (Rust's `as`).
    extern "C" fn floattisf(a: i128) -> f32 {
        a as f32
    }
    extern "C" fn floattidf(a: i128) -> f64 {
        a as f64
    }
    extern "C" fn floatuntisf(a: u128) -> f32 {
        a as f32
    }
    extern "C" fn floatuntidf(a: u128) -> f64 {
        a as f64
    }
    // Floats to 128-bit integers, truncating (the generated code only passes values in
    // range).
    extern "C" fn fixsfti(a: f32) -> i128 {
        a as i128
    }
    extern "C" fn fixdfti(a: f64) -> i128 {
        a as i128
    }
    extern "C" fn fixunssfti(a: f32) -> u128 {
        a as u128
    }
    extern "C" fn fixunsdfti(a: f64) -> u128 {
        a as u128
    }
    let f: usize = match lc {
        LibCall::CeilF32 => ceilf as extern "C" fn(f32) -> f32 as usize,
        LibCall::CeilF64 => ceil as extern "C" fn(f64) -> f64 as usize,
        LibCall::FloorF32 => floorf as extern "C" fn(f32) -> f32 as usize,
        LibCall::FloorF64 => floor as extern "C" fn(f64) -> f64 as usize,
        LibCall::TruncF32 => truncf as extern "C" fn(f32) -> f32 as usize,
        LibCall::TruncF64 => trunc as extern "C" fn(f64) -> f64 as usize,
        LibCall::NearestF32 => nearbyintf as extern "C" fn(f32) -> f32 as usize,
        LibCall::NearestF64 => nearbyint as extern "C" fn(f64) -> f64 as usize,
        LibCall::FmaF32 => fmaf as extern "C" fn(f32, f32, f32) -> f32 as usize,
        LibCall::FmaF64 => fma as extern "C" fn(f64, f64, f64) -> f64 as usize,
        LibCall::UdivI128 => udivti3 as extern "C" fn(u128, u128) -> u128 as usize,
        LibCall::SdivI128 => divti3 as extern "C" fn(i128, i128) -> i128 as usize,
        LibCall::UremI128 => umodti3 as extern "C" fn(u128, u128) -> u128 as usize,
        LibCall::SremI128 => modti3 as extern "C" fn(i128, i128) -> i128 as usize,
        LibCall::I128ToF32 => floattisf as extern "C" fn(i128) -> f32 as usize,
        LibCall::I128ToF64 => floattidf as extern "C" fn(i128) -> f64 as usize,
        LibCall::U128ToF32 => floatuntisf as extern "C" fn(u128) -> f32 as usize,
        LibCall::U128ToF64 => floatuntidf as extern "C" fn(u128) -> f64 as usize,
        LibCall::F32ToI128 => fixsfti as extern "C" fn(f32) -> i128 as usize,
        LibCall::F64ToI128 => fixdfti as extern "C" fn(f64) -> i128 as usize,
        LibCall::F32ToU128 => fixunssfti as extern "C" fn(f32) -> u128 as usize,
        LibCall::F64ToU128 => fixunsdfti as extern "C" fn(f64) -> u128 as usize,
        // A half travels in the low 16 bits of an xmm register: an f32 here.
        LibCall::F16ToF32 => extendhfsf2 as extern "C" fn(f32) -> f32 as usize,
        LibCall::F32ToF16 => truncsfhf2 as extern "C" fn(f32) -> f32 as usize,
        LibCall::F64ToF16 => truncdfhf2 as extern "C" fn(f64) -> f32 as usize,
        #[cfg(unix)]
        LibCall::Memcpy => libc::memcpy as *const () as usize,
        #[cfg(unix)]
        LibCall::Memmove => libc::memmove as *const () as usize,
        #[cfg(unix)]
        LibCall::Memset => libc::memset as *const () as usize,
        LibCall::ElfTlsGetAddr => {
            tls_get_addr as unsafe extern "C" fn(*const [u64; 2]) -> *mut u8 as usize
        }
        _ => return system_function(lc.symbol()),
    };
    Some(f as i64)
}

/// The address of C library function `symbol` in this process (libgcc's binary128
/// functions) or in libm (`sqrtf128` & co.).
#[cfg(unix)]
fn system_function(symbol: &str) -> Option<i64> {
    let name = std::ffi::CString::new(symbol).ok()?;
    // SAFETY: dlsym and dlopen with valid C strings; the handle of libm is kept open for
    // the life of the process.
    unsafe {
        let mut f = libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr());
        if f.is_null() {
            let libm = libc::dlopen(c"libm.so.6".as_ptr(), libc::RTLD_NOW);
            if !libm.is_null() {
                f = libc::dlsym(libm, name.as_ptr());
            }
        }
        (!f.is_null()).then_some(f as i64)
    }
}

#[cfg(not(unix))]
fn system_function(_: &str) -> Option<i64> {
    None
}

/// The name the trampoline of function `name` is linked under.
fn trampoline_name(name: &str) -> String {
    format!("{TRAMPOLINE_PREFIX}{name}")
}

/// What [`trampoline_name`] puts before a function's name.
const TRAMPOLINE_PREFIX: &str = "__gantry_trampoline_";

/// The trampoline for calling a function of signature `sig`, as CLIF: `(callee, buffer)`,
/// argument `i` read from bytes `16 * i` of the buffer, result `j` written to bytes
/// `16 * j`.
fn trampoline_clif(name: &str, sig: &Signature) -> String {
    use std::fmt::Write;
    let mut body = String::new();
    let mut args = Vec::new();
    let mut v = 2;
    for (i, p) in sig.params.iter().enumerate() {
        let _ = writeln!(
            body,
            "    v{v} = load.{} notrap aligned v1+{}",
            p.value_type,
            16 * i
        );
        args.push(format!("v{v}"));
        v += 1;
    }
    let results: Vec<String> = (0..sig.returns.len())
        .map(|j| format!("v{}", v + j))
        .collect();
    let lhs = if results.is_empty() {
        String::new()
    } else {
        format!("{} = ", results.join(", "))
    };
    let _ = writeln!(body, "    {lhs}call_indirect sig0, v0({})", args.join(", "));
    for (j, r) in results.iter().enumerate() {
        let _ = writeln!(body, "    store notrap aligned {r}, v1+{}", 16 * j);
    }
    format!(
        "function %{}(i64, i64) system_v {{\n    sig0 = {sig}\nblock0(v0: i64, v1: i64):\n{body}    return\n}}\n",
        trampoline_name(name)
    )
}

/// The trampoline of function `name` with signature `sig`, compiled by `isa`.
///
/// # Errors
/// A type the trampoline cannot load or store on this target.
fn compile_trampoline(
    isa: &dyn TargetIsa,
    name: &str,
    sig: &Signature,
) -> Result<CompiledCode, String> {
    let text = trampoline_clif(name, sig);
    let funcs = gantry_reader::parse_functions(&text)
        .map_err(|e| format!("trampoline of %{name}: {e}\n{text}"))?;
    isa.compile_function(&funcs[0])
        .map_err(|e| format!("the runner cannot call %{name}: {e}"))
}

/// Compiles `func` with `isa`, loads it, and calls it once with `args`.
///
/// # Errors
/// A signature the runner cannot call, arguments that do not match it, or a compilation
/// error.
pub fn compile_and_call(
    isa: &dyn TargetIsa,
    func: &Function,
    args: &[DataValue],
) -> Result<Vec<DataValue>, String> {
    let types_match = args.len() == func.signature.params.len()
        && args
            .iter()
            .zip(&func.signature.params)
            .all(|(a, p)| a.ty() == p.value_type);
    if !types_match {
        return Err("the arguments do not match the signature".into());
    }
    let code = isa.compile_function(func).map_err(|e| e.to_string())?;
    let name = func.name.to_string().trim_start_matches('%').to_string();
    let tramp = compile_trampoline(isa, &name, &func.signature)?;
    let pinned = isa.shared_flags().enable_pinned_reg;
    Loaded::link(
        &[(name.clone(), code), (trampoline_name(&name), tramp)],
        pinned,
    )?
    .call(&name, &func.signature, args)
}

/// Runs the `; run:` and `; print:` commands of `file` on code compiled by `isa`.
///
/// # Errors
/// A compilation error, or each command whose results differ, with the actual values.
pub fn run(file: &TestFile<'_>, isa: &dyn TargetIsa) -> Result<(), String> {
    let counts = run_with(file, isa, false)?;
    if counts.failures.is_empty() {
        Ok(())
    } else {
        Err(counts.failures.join("\n"))
    }
}

/// The outcome of the run commands of a file on one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Commands whose results matched.
    pub passed: usize,
    /// Each failed command: the line, the call, expected and actual values or the trap.
    pub failures: Vec<String>,
}

/// The number of `; run:` and `; print:` commands in `file`.
pub fn count_commands(file: &TestFile<'_>) -> usize {
    file.preamble_comments
        .iter()
        .chain(file.functions.iter().flat_map(|f| &f.comments))
        .filter(|c| {
            let t = c.text.trim();
            t.starts_with("run:") || t.starts_with("print:")
        })
        .count()
}

/// As [`run`], counting the commands that passed and failed; with `echo`, also prints
/// each command's call and results. A malformed command, or one calling a function that
/// does not compile (or calls one that does not), fails alone.
///
/// # Errors
/// What stops every command from running: the link into executable memory failing.
pub fn run_with(file: &TestFile<'_>, isa: &dyn TargetIsa, echo: bool) -> Result<RunCounts, String> {
    run_commands(file, echo, |commands, funcs| {
        call_all(file, isa, commands, funcs)
    })
}

/// The functions of `file` by name (without `%`).
fn functions_by_name<'f>(file: &'f TestFile<'_>) -> HashMap<String, &'f Function> {
    file.functions
        .iter()
        .map(|f| {
            (
                f.func.name.to_string().trim_start_matches('%').to_string(),
                &f.func,
            )
        })
        .collect()
}

/// Calls each of `calls` (a function's name without `%`, and its arguments) on the
/// functions of `file` compiled by `isa` and linked together: natively where the host
/// runs the ISA, under qemu for aarch64 and s390x (one process for all calls). Returns
/// each call's results, or its trap (`trap: CODE`) or other failure as text.
///
/// # Errors
/// What stops every call from running: the link, or qemu failing to start.
pub fn call_functions(
    file: &TestFile<'_>,
    isa: &dyn TargetIsa,
    calls: &[(String, Vec<DataValue>)],
) -> Result<Vec<Result<Vec<DataValue>, String>>, String> {
    let funcs = functions_by_name(file);
    let commands: Vec<(usize, RunCommand)> = calls
        .iter()
        .map(|(func, args)| {
            let i = Invocation {
                func: func.clone(),
                args: args.clone(),
            };
            (0, RunCommand::Print(i))
        })
        .collect();
    call_all(file, isa, &commands, &funcs)
}

/// As [`run_with`], with each call executed by the CLIF interpreter (`test interpret`)
/// instead of compiled code.
///
/// # Errors
/// None today (each failing call is counted); the signature matches [`run_with`].
pub fn interpret_with(file: &TestFile<'_>, echo: bool) -> Result<RunCounts, String> {
    run_commands(file, echo, |commands, _| {
        let funcs = file.functions.iter().map(|f| &f.func);
        let mut interp = gantry_interpreter::Interpreter::new(funcs);
        Ok(commands
            .iter()
            .map(|(_, c)| {
                let (RunCommand::Print(i) | RunCommand::Run(i, _, _)) = c;
                interp.call(&i.func, &i.args).map_err(|e| e.to_string())
            })
            .collect())
    })
}

/// The outcome of each run command, as `outcomes` computes them from the commands and
/// the file's functions by name.
type Outcomes = Vec<Result<Vec<DataValue>, String>>;

/// Parses the run commands of `file`, gets their outcomes from `outcomes`, compares.
fn run_commands(
    file: &TestFile<'_>,
    echo: bool,
    outcomes: impl FnOnce(
        &[(usize, RunCommand)],
        &HashMap<String, &Function>,
    ) -> Result<Outcomes, String>,
) -> Result<RunCounts, String> {
    let funcs = functions_by_name(file);
    // Older test files name functions in run lines by their first 16 characters (the
    // old limit of test-case names): such a prefix stands for the one function it starts.
    let mut truncated: HashMap<String, Option<String>> = HashMap::new();
    for name in funcs
        .keys()
        .filter(|n| n.len() > 16 && n.is_char_boundary(16))
    {
        let e = truncated.entry(name[..16].to_string()).or_insert(None);
        *e = if e.is_none() {
            Some(name.clone())
        } else {
            Some(String::new())
        };
    }
    let canonical = |name: &str| -> String {
        match truncated.get(name) {
            Some(Some(full)) if !full.is_empty() && !funcs.contains_key(name) => full.clone(),
            _ => name.to_string(),
        }
    };
    let sig_of = |name: &str| funcs.get(&canonical(name)).map(|f| &f.signature);
    let mut commands = Vec::new();
    let mut failures = Vec::new();
    let mut unparsed = 0;
    // Each comment with the function it follows (none for the preamble's).
    let owned = file.functions.iter().flat_map(|f| {
        let name = f.func.name.to_string();
        let name = name.trim_start_matches('%').to_string();
        f.comments.iter().map(move |c| (c, Some(name.clone())))
    });
    for (c, owner) in file
        .preamble_comments
        .iter()
        .map(|c| (c, None))
        .chain(owned)
    {
        match parse_run_command(c.text, c.line, owner.as_deref(), sig_of) {
            Ok(Some(mut cmd)) => {
                let (RunCommand::Print(i) | RunCommand::Run(i, _, _)) = &mut cmd;
                i.func = canonical(&i.func);
                commands.push((c.line, cmd));
            }
            Ok(None) => {}
            // A line that cannot run fails alone.
            Err(e) => {
                unparsed += 1;
                failures.push(e.to_string());
            }
        }
    }
    // First every call's outcome (on this host, or in one qemu process for a foreign
    // ISA), then the comparisons.
    let outcomes = outcomes(&commands, &funcs)?;
    for ((line, cmd), got) in commands.iter().zip(outcomes) {
        let inv: &Invocation = match cmd {
            RunCommand::Print(i) | RunCommand::Run(i, _, _) => i,
        };
        let got = match got {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("line {line}: {inv}: {e}"));
                continue;
            }
        };
        if echo && matches!(cmd, RunCommand::Run(..)) {
            println!("{inv} -> {}", show(&got));
        }
        match cmd {
            RunCommand::Print(_) => println!("{inv} -> {}", show(&got)),
            RunCommand::Run(_, cmp, want) => {
                let rets = &funcs[&inv.func].signature.returns;
                let equal = got.len() == want.len()
                    && got
                        .iter()
                        .zip(want)
                        .zip(rets)
                        .all(|((g, w), p)| lanes_equal(g, w, p.value_type));
                if equal != (*cmp == Comparison::Equals) {
                    let op = if *cmp == Comparison::Equals {
                        "=="
                    } else {
                        "!="
                    };
                    failures.push(format!(
                        "line {line}: {inv} {op} {}: got {}",
                        show(want),
                        show(&got)
                    ));
                }
            }
        }
    }
    let total = commands.len() + unparsed;
    Ok(RunCounts {
        passed: total - failures.len(),
        failures,
    })
}

/// The outcome of every command's call, in order: on this machine, or for an ISA run
/// under qemu, all in one process.
///
/// # Errors
/// What stops every call: the link, or the qemu process failing to start.
fn call_all(
    file: &TestFile<'_>,
    isa: &dyn TargetIsa,
    commands: &[(usize, RunCommand)],
    funcs: &HashMap<String, &Function>,
) -> Result<Outcomes, String> {
    let invocations: Vec<&Invocation> = commands
        .iter()
        .map(|(_, c)| match c {
            RunCommand::Print(i) | RunCommand::Run(i, _, _) => i,
        })
        .collect();
    if invocations.is_empty() {
        return Ok(Vec::new());
    }
    let (compiled, broken) = compile_all(file, isa, commands, funcs);
    if qemu::runs_under_qemu(isa.name()) {
        let image = qemu::Image::link(&compiled, isa.endianness())?;
        let runnable: Vec<qemu::Case<'_>> = invocations
            .iter()
            .filter(|i| !broken.contains_key(&i.func))
            .map(|i| qemu::Case {
                name: &i.func,
                sig: &funcs[&i.func].signature,
                args: &i.args,
            })
            .collect();
        let cpu = qemu_cpu(isa);
        let mut ran =
            qemu::run_cases(isa.name(), cpu, &image, &runnable, trampoline_name)?.into_iter();
        return Ok(invocations
            .iter()
            .map(|i| match broken.get(&i.func) {
                Some(why) => Err(why.clone()),
                None => ran.next().unwrap_or_else(|| Err("not run".into())),
            })
            .collect());
    }
    let pinned = isa.shared_flags().enable_pinned_reg;
    let mut module = Loaded::link(&compiled, pinned)?;
    Ok(invocations
        .iter()
        .map(|i| match broken.get(&i.func) {
            Some(why) => Err(why.clone()),
            None => module.call(&i.func, &funcs[&i.func].signature, &i.args),
        })
        .collect())
}

/// The qemu CPU model for `isa`'s flags: an AArch64 target without LSE runs on a
/// Cortex-A53, so an LSE instruction in baseline code traps instead of passing; one
/// asking for half-precision arithmetic (ARMv8.2, which has LSE) on a Cortex-A76.
fn qemu_cpu(isa: &dyn TargetIsa) -> Option<&'static str> {
    match isa.isa_flags() {
        IsaFlags::Aarch64(f) if f.has_fp16 || f.has_dotprod => Some("cortex-a76"),
        IsaFlags::Aarch64(f) if !f.has_lse => Some("cortex-a53"),
        _ => None,
    }
}

/// Compiles every function of `file` and a trampoline for each one `commands` call. A
/// function that does not compile, or calls one that does not, is left out and named
/// with the reason in the returned map; the others still run.
fn compile_all(
    file: &TestFile<'_>,
    isa: &dyn TargetIsa,
    commands: &[(usize, RunCommand)],
    funcs: &HashMap<String, &Function>,
) -> (Vec<(String, CompiledCode)>, HashMap<String, String>) {
    let mut broken: HashMap<String, String> = HashMap::new();
    let mut compiled = Vec::new();
    for f in &file.functions {
        let name = f.func.name.to_string().trim_start_matches('%').to_string();
        match isa.compile_function(&f.func) {
            Ok(code) => compiled.push((name, code)),
            Err(e) => {
                broken.insert(name.clone(), format!("compiling %{name}: {e}"));
            }
        }
    }
    // A trampoline for each function a command calls.
    let mut called: Vec<&str> = commands
        .iter()
        .map(|(_, c)| match c {
            RunCommand::Print(i) | RunCommand::Run(i, _, _) => i.func.as_str(),
        })
        .collect();
    called.sort_unstable();
    called.dedup();
    for name in called {
        if broken.contains_key(name) {
            continue;
        }
        match compile_trampoline(isa, name, &funcs[name].signature) {
            Ok(tramp) => compiled.push((trampoline_name(name), tramp)),
            Err(e) => {
                broken.insert(name.to_string(), e);
            }
        }
    }
    // Functions calling a left-out function are left out too, until none is.
    loop {
        let before = broken.len();
        for (name, code) in &compiled {
            let missing = code.relocs.iter().find_map(|r| match &r.target {
                FinalizedRelocTarget::TestCase(t) if !funcs.contains_key(t.as_str()) => None,
                FinalizedRelocTarget::TestCase(t) => broken.get(t.as_str()).map(|why| (t, why)),
                _ => None,
            });
            if let Some((t, why)) = missing {
                let why = format!("it calls %{t}, which failed: {why}");
                let owner = name.strip_prefix(TRAMPOLINE_PREFIX).unwrap_or(name);
                broken.entry(owner.to_string()).or_insert(why);
            }
        }
        let dropped: Vec<String> = broken.keys().cloned().collect();
        compiled.retain(|(name, _)| {
            let owner = name.strip_prefix(TRAMPOLINE_PREFIX).unwrap_or(name);
            !dropped.iter().any(|d| d == owner)
        });
        if broken.len() == before {
            break;
        }
    }
    (compiled, broken)
}

/// Whether `got` equals `want`, values of type `ty`: NaNs equal any NaN (their payload
/// is unspecified), lane by lane for float vectors.
fn lanes_equal(got: &DataValue, want: &DataValue, ty: gantry_codegen::ir::Type) -> bool {
    if got.eq_or_both_nan(want) {
        return true;
    }
    if !(ty.is_vector() && ty.is_float()) {
        return false;
    }
    let (g, w) = (got.to_le_slot(), want.to_le_slot());
    let lane = (ty.lane_bits() / 8) as usize;
    g.chunks(lane).zip(w.chunks(lane)).all(|(a, b)| {
        let nan = |bytes: &[u8]| match bytes.len() {
            4 => f32::from_le_bytes(bytes.try_into().expect("4 bytes")).is_nan(),
            8 => f64::from_le_bytes(bytes.try_into().expect("8 bytes")).is_nan(),
            _ => false,
        };
        a == b || (nan(a) && nan(b))
    })
}

fn show(values: &[DataValue]) -> String {
    let parts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("[{}]", parts.join(", "))
    }
}

#[cfg(all(test, target_os = "linux", target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// Calls hand-written machine code `code` as a function of convention `conv` (taking
    /// nothing, returning an i64) through the runner.
    fn call_raw(code: &[u8], conv: &str, pinned: bool) -> Result<Vec<DataValue>, String> {
        // With the pinned register the trampoline must leave r15 alone too.
        let flags = gantry_codegen::settings::Flags {
            enable_pinned_reg: pinned,
            ..Default::default()
        };
        let isa = gantry_codegen::isa::lookup("x86_64")
            .unwrap()
            .finish_with(flags)
            .unwrap();
        let sig = gantry_reader::parse_functions(&format!(
            "function %f() -> i64 {conv} {{\nblock0:\n    v0 = iconst.i64 0\n    return v0\n}}"
        ))
        .unwrap()
        .remove(0)
        .signature
        .clone();
        let func = CompiledCode {
            code: code.to_vec(),
            code_len: code.len() as u32,
            relocs: Vec::new(),
            traps: Vec::new(),
            call_sites: Vec::new(),
            srclocs: Vec::new(),
            vcode: None,
            frame_size: 0,
            unwind: None,
            data_ranges: Vec::new(),
        };
        let tramp = compile_trampoline(isa.as_ref(), "f", &sig)?;
        Loaded::link(&[("f".into(), func), (trampoline_name("f"), tramp)], pinned)?.call(
            "f",
            &sig,
            &[],
        )
    }

    fn clobbered(result: Result<Vec<DataValue>, String>) -> String {
        let e = result.expect_err("the clobber went unnoticed");
        assert!(e.contains("did not preserve"), "{e}");
        e
    }

    #[test]
    fn a_clobbered_callee_saved_register_fails_and_is_named() {
        const RET: u8 = 0xc3;
        // mov $1, %rbx / %rbp / %r12 / %r15; ret
        let mov_rbx = [0x48, 0xc7, 0xc3, 1, 0, 0, 0, RET];
        let mov_rbp = [0x48, 0xc7, 0xc5, 1, 0, 0, 0, RET];
        let mov_r12 = [0x49, 0xc7, 0xc4, 1, 0, 0, 0, RET];
        let mov_r15 = [0x49, 0xc7, 0xc7, 1, 0, 0, 0, RET];
        for conv in ["system_v", "tail", "windows_fastcall"] {
            assert!(clobbered(call_raw(&mov_rbx, conv, false)).contains("%rbx"));
            assert!(clobbered(call_raw(&mov_rbp, conv, false)).contains("%rbp"));
            assert!(clobbered(call_raw(&mov_r12, conv, false)).contains("%r12"));
            assert!(clobbered(call_raw(&mov_r15, conv, false)).contains("%r15"));
            // The pinned register belongs to the generated code.
            call_raw(&mov_r15, conv, true).unwrap();
        }
        // rsi, rdi and xmm6-15 are preserved by Windows x64 only.
        let xor_esi = [0x31, 0xf6, RET];
        let xor_edi = [0x31, 0xff, RET];
        let xorps_xmm7 = [0x0f, 0x57, 0xff, RET];
        // Only the halves of xmm15 swap places (shufps $0x4e): all 128 bits are checked.
        let shufps_xmm15 = [0x45, 0x0f, 0xc6, 0xff, 0x4e, RET];
        for (code, reg) in [
            (&xor_esi[..], "%rsi"),
            (&xor_edi[..], "%rdi"),
            (&xorps_xmm7[..], "%xmm7"),
            (&shufps_xmm15[..], "%xmm15"),
        ] {
            call_raw(code, "system_v", false).unwrap();
            assert!(clobbered(call_raw(code, "windows_fastcall", false)).contains(reg));
        }
        // Code that preserves everything passes.
        call_raw(&[RET], "windows_fastcall", false).unwrap();
    }
}
