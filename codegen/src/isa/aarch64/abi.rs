//! The AArch64 calling conventions (Procedure Call Standard for the Arm 64-bit
//! Architecture, AAPCS64 §6.8, "Parameter passing"): integer arguments in x0-x7, float
//! and vector arguments in v0-v7, an `i128` in an even-numbered register pair (or 16
//! aligned stack bytes once the registers run out), the rest on the stack in 8-byte
//! slots (`apple_aarch64`: packed by their size, Apple's "Writing ARM64 code for Apple
//! platforms"). The address of a return area, and an `sret` pointer, go in x8. Results in x0-x7 and v0-v7,
//! the rest in the return area. x19-x28 and the low 64 bits of v8-v15 are preserved;
//! `tail` places arguments the same way and the callee pops its stack arguments.
//! `preserve_all` places them as AAPCS64 does and preserves every register the code
//! allocates (x0-x15, x19-x28, all of v0-v31) but those carrying its results.

use super::inst::regs::{vreg, xreg};
use crate::ir::{CallConv, Type};
use crate::machinst::CodegenError;
pub use crate::machinst::abi::ArgLoc;
use crate::machinst::abi::{AbiSpec, SigLocations};
use alloc::vec::Vec;
use regalloc2::{PReg, PRegSet};

/// The callee-saved general registers, in save order.
pub const CALLEE_SAVED_GPRS: [u8; 10] = [19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
/// The float registers whose low 64 bits are callee-saved.
pub const CALLEE_SAVED_FPRS: [u8; 8] = [8, 9, 10, 11, 12, 13, 14, 15];

/// Where every part of a signature goes on AArch64.
pub type SigAbi = SigLocations<Aarch64Abi>;

/// The AArch64 conventions' facts for [`SigLocations`].
#[derive(Clone, Copy, Debug)]
pub struct Aarch64Abi;

/// Whether a register part of type `ty` lives in a vector register.
pub fn is_float(ty: Type) -> bool {
    ty.is_float() || ty.is_vector()
}

impl AbiSpec for Aarch64Abi {
    const ISA: &'static str = "aarch64";

    fn check_conv(conv: CallConv) -> Result<(), CodegenError> {
        match conv {
            CallConv::SystemV
            | CallConv::Fast
            | CallConv::Cold
            | CallConv::Tail
            | CallConv::AppleAarch64
            | CallConv::PreserveAll => Ok(()),
            other => Err(CodegenError::Unsupported {
                feature: alloc::format!("the {other} calling convention on aarch64"),
            }),
        }
    }

    fn check_type(_conv: CallConv, ty: Type) -> Result<(), CodegenError> {
        let ok = ty.is_scalar_int()
            || (ty.is_scalar() && ty.is_float())
            || (ty.is_vector() && (ty.bits() == 128 || ty.bits() == 64));
        if ok {
            Ok(())
        } else {
            Err(CodegenError::Unsupported {
                feature: alloc::format!("{ty} arguments and returns on aarch64"),
            })
        }
    }

    fn place_args(conv: CallConv, types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
        let mut out = Vec::new();
        if hidden {
            out.push(ArgLoc::Reg(xreg(8)));
        }
        let packed = conv == CallConv::AppleAarch64;
        let (mut ngrn, mut nsrn, mut nsaa) = (0u8, 0u8, 0u32);
        let mut stack = |size: u32, out: &mut Vec<ArgLoc>| {
            let slot = if packed { size } else { size.max(8) };
            nsaa = nsaa.div_ceil(slot) * slot;
            out.push(ArgLoc::Stack(nsaa));
            nsaa += slot;
        };
        for &ty in types {
            if ty == Type::I128 {
                ngrn = ngrn.div_ceil(2) * 2;
                if ngrn + 2 <= 8 {
                    out.extend([ArgLoc::Reg(xreg(ngrn)), ArgLoc::Reg(xreg(ngrn + 1))]);
                    ngrn += 2;
                } else {
                    ngrn = 8;
                    stack(16, &mut out);
                    if let Some(ArgLoc::Stack(at)) = out.pop() {
                        out.extend([ArgLoc::Stack(at), ArgLoc::Stack(at + 8)]);
                    }
                }
            } else if is_float(ty) {
                if nsrn < 8 {
                    out.push(ArgLoc::Reg(vreg(nsrn)));
                    nsrn += 1;
                } else {
                    stack(ty.bytes(), &mut out);
                }
            } else if ngrn < 8 {
                out.push(ArgLoc::Reg(xreg(ngrn)));
                ngrn += 1;
            } else {
                stack(ty.bytes(), &mut out);
            }
        }
        (out, nsaa.div_ceil(8) * 8)
    }

    fn place_rets(_: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32) {
        let parts = &crate::machinst::abi::parts::<Self>(types)[..];
        let ints: Vec<PReg> = (0..8).map(xreg).collect();
        let floats: Vec<PReg> = (0..8).map(vreg).collect();
        crate::machinst::abi::place_rets_in_order(parts, &ints, &floats, is_float)
    }

    fn callee_pops(conv: CallConv) -> bool {
        conv == CallConv::Tail
    }

    fn stack_align() -> u32 {
        16
    }

    fn clobbers(conv: CallConv) -> PRegSet {
        if conv == CallConv::PreserveAll {
            // Only what the code never allocates may change: x16-x18, x30.
            PRegSet::empty()
        } else {
            caller_saved()
        }
    }

    fn exception_clobbers() -> PRegSet {
        let mut set = caller_saved();
        for p in callee_saved() {
            set.add(p);
        }
        set
    }

    fn sret_reg(_conv: CallConv) -> Option<PReg> {
        // AAPCS64: the address of a result in memory is passed in x8.
        Some(xreg(8))
    }
}

/// The registers a call may overwrite: x0-x17 and every vector register (only the low
/// halves of v8-v15 survive a call, which a register-sized value cannot rely on).
pub fn caller_saved() -> PRegSet {
    let mut set = PRegSet::empty();
    for n in 0..18 {
        set.add(xreg(n));
    }
    for n in 0..32 {
        set.add(vreg(n));
    }
    set
}

/// What a `preserve_all` function keeps: every allocatable general register and all 128
/// bits of every vector register (the frame saves those it writes, but its results).
pub fn preserve_all_saved() -> Vec<PReg> {
    (0..16)
        .chain(CALLEE_SAVED_GPRS)
        .map(xreg)
        .chain((0..32).map(vreg))
        .collect()
}

/// The callee-saved registers of every convention, general ones first.
pub fn callee_saved() -> Vec<PReg> {
    CALLEE_SAVED_GPRS
        .iter()
        .map(|&n| xreg(n))
        .chain(CALLEE_SAVED_FPRS.iter().map(|&n| vreg(n)))
        .collect()
}
