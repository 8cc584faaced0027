//! The AArch64 calling conventions (Procedure Call Standard for the Arm 64-bit
//! Architecture, AAPCS64 §6.8, "Parameter passing"): integer arguments in x0-x7, float
//! and vector arguments in v0-v7, an `i128` in an even-numbered register pair (or 16
//! aligned stack bytes once the registers run out), the rest on the stack in 8-byte
//! slots (`apple_aarch64`: packed by their size and an `i128` in any register pair,
//! Apple's "Writing ARM64 code for Apple platforms"). The address of a return area, and an `sret` pointer, go in x8. Results in x0-x7 and v0-v7,
//! the rest in the return area. x19-x28 and the low 64 bits of v8-v15 are preserved;
//! `tail` places arguments the same way and the callee pops its stack arguments.
//! `preserve_all` places them as AAPCS64 does and preserves every register the code
//! allocates (x0-x15, x19-x28, all of v0-v31) but those carrying its results.
//! `winch` (Wasmtime's baseline compiler) places arguments as AAPCS64 does but for the
//! return area's address, in x0; only its last result goes in a register (x0 or v0),
//! the others packed in the return area, the first at the highest offset; a call to it
//! preserves only x28 (Winch's shadow stack pointer).

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
            | CallConv::PreserveAll
            | CallConv::Winch => Ok(()),
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
        let (mut ngrn, mut nsrn, mut nsaa) = (0u8, 0u8, 0u32);
        if hidden && conv == CallConv::Winch {
            out.push(ArgLoc::Reg(xreg(0)));
            ngrn = 1;
        } else if hidden {
            out.push(ArgLoc::Reg(xreg(8)));
        }
        let packed = conv == CallConv::AppleAarch64;
        let mut stack = |size: u32, out: &mut Vec<ArgLoc>| {
            let slot = if packed { size } else { size.max(8) };
            nsaa = nsaa.div_ceil(slot) * slot;
            out.push(ArgLoc::Stack(nsaa));
            nsaa += slot;
        };
        for &ty in types {
            if ty == Type::I128 {
                // AAPCS64 C.8 starts a pair at an even register; Apple's variant does not.
                if !packed {
                    ngrn = ngrn.div_ceil(2) * 2;
                }
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

    fn place_rets(conv: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32) {
        let parts = &crate::machinst::abi::parts::<Self>(types)[..];
        if conv == CallConv::Winch {
            return crate::machinst::abi::place_winch_rets(parts, true, xreg(0), vreg(0), is_float);
        }
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
        match conv {
            // Only what the code never allocates may change: x16-x18, x30.
            CallConv::PreserveAll => PRegSet::empty(),
            CallConv::Winch => {
                let mut set = caller_saved();
                for n in 19..28 {
                    set.add(xreg(n));
                }
                set
            }
            _ => caller_saved(),
        }
    }

    fn exception_clobbers() -> PRegSet {
        let mut set = caller_saved();
        for p in callee_saved() {
            set.add(p);
        }
        set
    }

    fn widened_stack_arg(conv: CallConv, offset: u32, ty: Type) -> (u32, Type) {
        // An AAPCS64 slot is 8 bytes, which a C callee may read widened (GCC reads the
        // 32 bits of a widened `char`); Apple's packed slots hold just the value.
        if conv == CallConv::AppleAarch64 {
            (offset, ty)
        } else {
            (offset, Type::I64)
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    const I8: Type = Type::I8;
    const I16: Type = Type::I16;
    const I32: Type = Type::I32;
    const I64: Type = Type::I64;
    const I128: Type = Type::I128;
    const F64: Type = Type::F64;

    use crate::machinst::abi::test_signature as sig;

    fn x(n: u8) -> ArgLoc {
        ArgLoc::Reg(xreg(n))
    }

    #[test]
    fn i128_pairs_start_even_but_on_apple() {
        let a = SigAbi::new(&sig(CallConv::SystemV, &[I64, I128], &[])).unwrap();
        assert_eq!(a.args, [x(0), x(2), x(3)]);
        let a = SigAbi::new(&sig(CallConv::AppleAarch64, &[I64, I128], &[])).unwrap();
        assert_eq!(a.args, [x(0), x(1), x(2)]);
    }

    #[test]
    fn stack_arguments_take_8_bytes_but_on_apple_their_own_size() {
        let mut p = [I64; 8].to_vec();
        p.extend([I8, I16, I8, I32]);
        let a = SigAbi::new(&sig(CallConv::SystemV, &p, &[])).unwrap();
        let stack = [0, 8, 16, 24].map(ArgLoc::Stack);
        assert_eq!(a.args[8..], stack);
        assert_eq!(a.stack_arg_bytes, 32);
        let a = SigAbi::new(&sig(CallConv::AppleAarch64, &p, &[])).unwrap();
        let stack = [0, 2, 4, 8].map(ArgLoc::Stack);
        assert_eq!(a.args[8..], stack);
        assert_eq!(a.stack_arg_bytes, 16);
    }

    #[test]
    fn winch_returns_the_last_result_in_a_register_and_packs_the_rest() {
        let a = SigAbi::new(&sig(CallConv::Winch, &[I64], &[I8, I32, F64, I64])).unwrap();
        // The return area's address in x0, the first argument in x1.
        assert_eq!(a.ret_area_ptr, Some(xreg(0)));
        assert_eq!(a.args, [x(1)]);
        // i8 at 12, i32 at 8, f64 at 0 (13 bytes), the i64 in x0.
        assert_eq!(
            a.rets,
            [ArgLoc::Stack(12), ArgLoc::Stack(8), ArgLoc::Stack(0), x(0)]
        );
        assert_eq!(a.ret_area_bytes, 16);
        // Callers keep only x28 (and x18, x29, x30, which code never allocates).
        let c = a.call_clobbers();
        assert!(c.contains(xreg(19)) && c.contains(xreg(27)) && !c.contains(xreg(28)));
    }
}
