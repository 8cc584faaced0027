//! The s390x calling conventions (the s390x ELF ABI supplement, "Function Calling
//! Sequence"): integer arguments in r2-r6, float arguments in f0, f2, f4, f6, the rest
//! in 8-byte stack slots 160 bytes above the caller's stack pointer (past its register
//! save area), narrower values right-aligned in their slot (big-endian). Integer
//! arguments narrower than 64 bits are extended by the caller as their `uext`/`sext`
//! flag says. The address of a return area is a hidden first argument in r2. Results in
//! r2-r5 and f0, f2, f4, f6 (more than one is Cranelift's extension), the rest in the
//! return area. An `i128` or `f128` is passed by reference (a copy the caller makes, big-endian:
//! the high half first) and returned in the return area. r6-r15 and f8-f15 (the
//! leftmost 64 bits of v8-v15) are preserved. `tail` passes integers in r2-r5 only and
//! the callee pops its stack arguments; it passes an `i128` as two integers.
//! `preserve_all` places values as the ELF ABI does and preserves every register the
//! code allocates (r2-r13, all of v0-v31) but those carrying its results.
//!
//! 128-bit vectors (the vector extension of the ABI) go in v24, v26, v28, v30, v25, v27,
//! v29, v31, the rest in 16-byte stack slots; results likewise from v24. Their lanes are
//! in the big-endian lane order (lane 0 the leftmost element) in every convention.
//! Cranelift gives `tail` the little-endian order; no CLIF operation can observe the
//! order, only code of another compiler sharing a `tail` call would, and one order
//! throughout keeps calls between conventions free of element reversals.

use super::inst::regs::{gpr, vr};
use crate::ir::{CallConv, Type};
use crate::machinst::CodegenError;
pub use crate::machinst::abi::ArgLoc;
use crate::machinst::abi::{AbiSpec, PtrLoc, SigLocations};
use alloc::vec::Vec;
use regalloc2::{PReg, PRegSet};

/// The callee-saved general registers the allocator may use, in save order (r14 and
/// r15 are saved with them by STMG when the function calls).
pub const CALLEE_SAVED_GPRS: [u8; 8] = [6, 7, 8, 9, 10, 11, 12, 13];
/// The float registers whose 64 bits are callee-saved.
pub const CALLEE_SAVED_FPRS: [u8; 8] = [8, 9, 10, 11, 12, 13, 14, 15];

/// The vector registers of vector arguments and results, in order.
const VECTOR_REGS: [u8; 8] = [24, 26, 28, 30, 25, 27, 29, 31];

/// Where every part of a signature goes on s390x.
pub type SigAbi = SigLocations<S390xAbi>;

/// The s390x conventions' facts for [`SigLocations`].
#[derive(Clone, Copy, Debug)]
pub struct S390xAbi;

/// Whether a register part of type `ty` lives in a float/vector register.
pub fn is_float(ty: Type) -> bool {
    ty.is_float() || ty.is_vector()
}

impl AbiSpec for S390xAbi {
    const ISA: &'static str = "s390x";

    fn check_conv(conv: CallConv) -> Result<(), CodegenError> {
        match conv {
            CallConv::SystemV
            | CallConv::Fast
            | CallConv::Cold
            | CallConv::Tail
            | CallConv::PreserveAll => Ok(()),
            other => Err(CodegenError::Unsupported {
                feature: alloc::format!("the {other} calling convention on s390x"),
            }),
        }
    }

    fn check_type(_conv: CallConv, ty: Type) -> Result<(), CodegenError> {
        let vector = ty.is_vector() && ty.bits() == 128;
        let ok = ty.is_scalar_int() || (ty.is_scalar() && ty.is_float()) || vector;
        if ok {
            Ok(())
        } else {
            Err(CodegenError::Unsupported {
                feature: alloc::format!("{ty} arguments and returns on s390x"),
            })
        }
    }

    fn place_args(conv: CallConv, types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
        // `tail` leaves r6 alone: a callee-saved register cannot carry an argument of a
        // tail call.
        let gprs = if conv == CallConv::Tail { 4 } else { 5 };
        let mut out = Vec::new();
        let (mut ngpr, mut nfpr, mut stack) = (0u8, 0u8, 0u32);
        let mut vrs = VECTOR_REGS.into_iter();
        if hidden {
            out.push(ArgLoc::Reg(gpr(2)));
            ngpr = 1;
        }
        for &ty in types {
            if ty == Type::I128 && conv == CallConv::Tail {
                // `tail` passes the halves as two integers (a copy in the caller's frame
                // would not outlive a tail call), low half first.
                for _ in 0..2 {
                    if ngpr < gprs {
                        out.push(ArgLoc::Reg(gpr(2 + ngpr)));
                        ngpr += 1;
                    } else {
                        out.push(ArgLoc::Stack(stack));
                        stack += 8;
                    }
                }
            } else if ty == Type::I128 || ty == Type::F128 {
                // The address of the copy, as an integer argument; the low half is at
                // offset 8.
                let ptr = if ngpr < gprs {
                    ngpr += 1;
                    PtrLoc::Reg(gpr(1 + ngpr))
                } else {
                    stack += 8;
                    PtrLoc::Stack(stack - 8)
                };
                if ty == Type::F128 {
                    out.push(ArgLoc::Indirect { ptr, offset: 0 });
                } else {
                    out.push(ArgLoc::Indirect { ptr, offset: 8 });
                    out.push(ArgLoc::Indirect { ptr, offset: 0 });
                }
            } else if ty.is_vector() {
                match vrs.next() {
                    Some(n) => out.push(ArgLoc::Reg(vr(n))),
                    None => {
                        out.push(ArgLoc::Stack(stack));
                        stack += 16;
                    }
                }
            } else if is_float(ty) && nfpr < 4 {
                out.push(ArgLoc::Reg(vr(2 * nfpr)));
                nfpr += 1;
            } else if !is_float(ty) && ngpr < gprs {
                out.push(ArgLoc::Reg(gpr(2 + ngpr)));
                ngpr += 1;
            } else {
                // Right-aligned in its 8-byte slot.
                out.push(ArgLoc::Stack(stack + 8 - ty.bytes().min(8)));
                stack += 8;
            }
        }
        (out, stack)
    }

    fn place_rets(_: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32) {
        let (mut ints, mut floats) = (2..6u8, [0u8, 2, 4, 6].into_iter());
        let mut vectors = VECTOR_REGS.into_iter();
        let (mut out, mut area) = (Vec::new(), 0u32);
        for &ty in types {
            let reg = match ty {
                Type::I128 | Type::F128 => None,
                t if t.is_vector() => vectors.next().map(vr),
                t if is_float(t) => floats.next().map(vr),
                _ => ints.next().map(gpr),
            };
            match reg {
                Some(p) => out.push(ArgLoc::Reg(p)),
                // An i128 as in memory: the low half (the first part) at offset 8.
                None if ty.is_vector() => {
                    area = area.next_multiple_of(16);
                    out.push(ArgLoc::Stack(area));
                    area += 16;
                }
                None if ty == Type::I128 => {
                    out.extend([ArgLoc::Stack(area + 8), ArgLoc::Stack(area)]);
                    area += 16;
                }
                None if ty == Type::F128 => {
                    out.push(ArgLoc::Stack(area));
                    area += 16;
                }
                None => {
                    out.push(ArgLoc::Stack(area));
                    area += 8;
                }
            }
        }
        (out, area)
    }

    fn widened_stack_arg(_conv: CallConv, offset: u32, ty: Type) -> (u32, Type) {
        // The value is right-aligned in its 8-byte slot; the callee may read it widened.
        (offset + ty.bytes() - 8, Type::I64)
    }

    fn callee_pops(conv: CallConv) -> bool {
        conv == CallConv::Tail
    }

    fn stack_align() -> u32 {
        8
    }

    fn clobbers(conv: CallConv) -> PRegSet {
        if conv == CallConv::PreserveAll {
            // Only what the code never allocates may change: r0, r1, r14.
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
}

/// The registers a call may overwrite: r0-r5, r14, and every vector register (only the
/// leftmost 64 bits of v8-v15 survive a call, which a register-sized value cannot rely
/// on).
pub fn caller_saved() -> PRegSet {
    let mut set = PRegSet::empty();
    for n in [0, 1, 2, 3, 4, 5, 14] {
        set.add(gpr(n));
    }
    for n in 0..32 {
        set.add(vr(n));
    }
    set
}

/// What a `preserve_all` function keeps: every allocatable general register (r2-r13) and
/// all 128 bits of every vector register (the frame saves those it writes, but its
/// results).
pub fn preserve_all_saved() -> Vec<PReg> {
    (2..14).map(gpr).chain((0..32).map(vr)).collect()
}

/// The callee-saved registers the allocator may use, general ones first.
pub fn callee_saved() -> Vec<PReg> {
    CALLEE_SAVED_GPRS
        .iter()
        .map(|&n| gpr(n))
        .chain(CALLEE_SAVED_FPRS.iter().map(|&n| vr(n)))
        .collect()
}
