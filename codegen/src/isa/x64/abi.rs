//! The x86-64 calling conventions: where a signature's arguments and results go, and
//! which registers a call preserves.
//!
//! System V (System V AMD64 ABI §3.2.3, also used for `fast`, `cold` and `tail`): integer
//! arguments in `rdi, rsi, rdx, rcx, r8, r9`, float arguments in `xmm0`-`xmm7`, the rest
//! in 8-byte stack slots in order (an `i128` takes two registers or 16 aligned bytes);
//! `rbx`, `rbp`, `r12`-`r15` are preserved.
//!
//! Windows x64 (`windows_fastcall`; Microsoft's "x64 calling convention"): the first four
//! arguments by position in `rcx, rdx, r8, r9` or `xmm0`-`xmm3`, the rest in 8-byte stack
//! slots above 32 bytes of shadow space the caller reserves; `rbx`, `rbp`, `rdi`, `rsi`,
//! `r12`-`r15` and `xmm6`-`xmm15` are preserved. An `i128` takes two positions.
//!
//! `tail` places arguments as System V does, but its stack-argument area is a multiple of
//! 16 bytes and the callee pops it (`ret n`), so a tail call can pass a different number
//! of stack arguments than its caller received.
//!
//! `preserve_all` places arguments and results as System V does, and preserves every
//! register (all 128 bits of the xmm registers) except those carrying its results: a call
//! clobbers nothing else.
//!
//! `winch` (the convention of code Winch, Wasmtime's baseline compiler, generates) places
//! arguments as System V does and preserves no register. Only its last result travels in
//! a register (`rax`, or `xmm0` for a float or vector); the others go to the return area
//! packed at their own sizes (8-byte aligned slots instead when a result has an
//! extension or is an `f16`), the first result at the highest offset.
//!
//! Results, for the others: integers in `rax, rdx`, floats in `xmm0, xmm1`. Results beyond those
//! go to a return area the caller provides: its address is a hidden first integer
//! argument, and the results are stored at 8-byte slots (16-byte aligned for `i128`) in
//! order.

use super::inst::regs::{Gpr, Xmm};
use crate::ir::{AbiParam, ArgumentExtension, CallConv, Type};
use crate::machinst::CodegenError;
pub use crate::machinst::abi::ArgLoc;
use crate::machinst::abi::{AbiSpec, SigLocations};
use alloc::vec::Vec;
use regalloc2::PRegSet;

/// The convention family of a signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Conv {
    /// System V AMD64.
    SystemV,
    /// Windows x64.
    Fastcall,
    /// System V's placement, every register preserved.
    PreserveAll,
    /// System V's arguments, no register preserved, results packed (see the module docs).
    Winch,
}

const SYSV_ARGS: [Gpr; 6] = [Gpr::RDI, Gpr::RSI, Gpr::RDX, Gpr::RCX, Gpr::R8, Gpr::R9];
const WIN_ARGS: [Gpr; 4] = [Gpr::RCX, Gpr::RDX, Gpr::R8, Gpr::R9];
const RET_GPRS: [Gpr; 2] = [Gpr::RAX, Gpr::RDX];
const SYSV_SAVED: [Gpr; 5] = [Gpr::RBX, Gpr::R12, Gpr::R13, Gpr::R14, Gpr::R15];
/// Every general register but the stack and frame pointers.
const ALL_SAVED: [Gpr; 14] = [
    Gpr::RAX,
    Gpr::RCX,
    Gpr::RDX,
    Gpr::RBX,
    Gpr::RSI,
    Gpr::RDI,
    Gpr::R8,
    Gpr::R9,
    Gpr::R10,
    Gpr::R11,
    Gpr::R12,
    Gpr::R13,
    Gpr::R14,
    Gpr::R15,
];
const WIN_SAVED: [Gpr; 7] = [
    Gpr::RBX,
    Gpr::RSI,
    Gpr::RDI,
    Gpr::R12,
    Gpr::R13,
    Gpr::R14,
    Gpr::R15,
];

impl Conv {
    /// The family of `conv`.
    ///
    /// # Errors
    /// [`CodegenError::Unsupported`] for conventions x86-64 does not have (`apple_aarch64`,
    /// `probestack`).
    pub fn of(conv: CallConv) -> Result<Conv, CodegenError> {
        match conv {
            CallConv::SystemV | CallConv::Fast | CallConv::Cold | CallConv::Tail => {
                Ok(Conv::SystemV)
            }
            CallConv::WindowsFastcall => Ok(Conv::Fastcall),
            CallConv::PreserveAll => Ok(Conv::PreserveAll),
            CallConv::Winch => Ok(Conv::Winch),
            other => Err(CodegenError::Unsupported {
                feature: alloc::format!("the {other} calling convention on x86_64"),
            }),
        }
    }

    /// The general registers a function of this convention must preserve (besides
    /// `rbp` and `rsp`, which the frame handles).
    pub fn callee_saved_gprs(self) -> &'static [Gpr] {
        match self {
            Conv::SystemV => &SYSV_SAVED,
            Conv::Fastcall => &WIN_SAVED,
            Conv::PreserveAll => &ALL_SAVED,
            Conv::Winch => &[],
        }
    }

    /// The xmm registers a function of this convention must preserve (all 128 bits).
    pub fn callee_saved_xmms(self) -> core::ops::Range<u8> {
        match self {
            Conv::SystemV | Conv::Winch => 0..0,
            Conv::Fastcall => 6..16,
            Conv::PreserveAll => 0..16,
        }
    }

    /// The registers a call of this convention may overwrite.
    pub fn clobbers(self) -> PRegSet {
        let mut set = PRegSet::empty();
        let saved = self.callee_saved_gprs();
        for g in Gpr::ALL {
            if !saved.contains(&g) && g != Gpr::RSP && g != Gpr::RBP {
                set.add(g.preg());
            }
        }
        let kept = self.callee_saved_xmms();
        for i in (0..16).filter(|i| !kept.contains(i)) {
            set.add(Xmm::new(i).preg());
        }
        set
    }

    /// Bytes the caller reserves at the bottom of the argument area for the callee.
    pub fn shadow_bytes(self) -> u32 {
        match self {
            Conv::SystemV | Conv::PreserveAll | Conv::Winch => 0,
            Conv::Fastcall => 32,
        }
    }
}

/// Whether a register part of type `ty` lives in an xmm register (every scalar float
/// type, `f16` in the low 16 bits and `f128` in all 128, and 128-bit vectors).
pub fn is_float(ty: Type) -> bool {
    (ty.is_scalar() && ty.is_float()) || ty.is_vector128()
}

/// The register-sized parts of values of `types`: `i128` is two `i64` halves.
pub fn parts(types: &[Type]) -> Vec<Type> {
    crate::machinst::abi::parts::<X64Abi>(types)
}

/// Where everything of one x86-64 signature goes.
pub type SigAbi = SigLocations<X64Abi>;

/// The facts of the x86-64 conventions, for [`SigLocations`].
#[derive(Clone, Copy, Debug)]
pub struct X64Abi;

impl AbiSpec for X64Abi {
    const ISA: &'static str = "x86_64";

    fn check_conv(conv: CallConv) -> Result<(), CodegenError> {
        Conv::of(conv).map(|_| ())
    }

    fn check_type(conv: CallConv, ty: Type) -> Result<(), CodegenError> {
        let conv = Conv::of(conv)?;
        if !(ty.is_scalar_int() || is_float(ty)) {
            return Err(CodegenError::Unsupported {
                feature: alloc::format!("{ty} arguments and returns on x86_64"),
            });
        }
        if conv == Conv::Fastcall && (ty == Type::F128 || ty.is_vector128()) {
            return Err(CodegenError::Unsupported {
                feature: "f128 and vectors with the windows_fastcall convention on x86_64".into(),
            });
        }
        Ok(())
    }

    fn place_args(conv: CallConv, types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
        match Conv::of(conv) {
            Ok(Conv::Fastcall) => assign_fastcall(types, hidden),
            _ => assign_sysv(types, hidden),
        }
    }

    fn place_rets(_: CallConv, types: &[Type]) -> (Vec<ArgLoc>, u32) {
        let parts = &crate::machinst::abi::parts::<Self>(types)[..];
        assign_rets(parts)
    }

    fn place_rets_of(conv: CallConv, returns: &[AbiParam], types: &[Type]) -> (Vec<ArgLoc>, u32) {
        if conv != CallConv::Winch {
            return Self::place_rets(conv, types);
        }
        let packed = !returns
            .iter()
            .any(|p| p.extension != ArgumentExtension::None || p.value_type == Type::F16);
        crate::machinst::abi::place_winch_rets(
            &crate::machinst::abi::parts::<Self>(types),
            packed,
            Gpr::RAX.preg(),
            Xmm::new(0).preg(),
            is_float,
        )
    }

    /// `tail` is callee-pops, so a tail call can pass a different number of stack
    /// arguments than its caller received.
    fn callee_pops(conv: CallConv) -> bool {
        conv == CallConv::Tail
    }

    fn stack_align() -> u32 {
        16
    }

    fn clobbers(conv: CallConv) -> PRegSet {
        Conv::of(conv).map_or(PRegSet::empty(), Conv::clobbers)
    }

    fn exception_clobbers() -> PRegSet {
        let mut set = PRegSet::empty();
        for g in Gpr::ALL
            .into_iter()
            .filter(|&g| g != Gpr::RSP && g != Gpr::RBP)
        {
            set.add(g.preg());
        }
        for i in 0..16 {
            set.add(Xmm::new(i).preg());
        }
        set
    }
}

/// System V placement of `types` (with a leading hidden pointer if `hidden`).
fn assign_sysv(types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
    let (mut next_gpr, mut next_xmm, mut stack) = (0usize, 0u8, 0u32);
    let mut out = Vec::new();
    let hidden_ty = hidden.then_some(Type::I64);
    for ty in hidden_ty.into_iter().chain(types.iter().copied()) {
        if ty == Type::I128 {
            if next_gpr + 2 <= SYSV_ARGS.len() {
                out.push(ArgLoc::Reg(SYSV_ARGS[next_gpr].preg()));
                out.push(ArgLoc::Reg(SYSV_ARGS[next_gpr + 1].preg()));
                next_gpr += 2;
            } else {
                stack = stack.div_ceil(16) * 16;
                out.extend([ArgLoc::Stack(stack), ArgLoc::Stack(stack + 8)]);
                stack += 16;
            }
            continue;
        }
        let reg = if is_float(ty) {
            (next_xmm < 8).then(|| {
                next_xmm += 1;
                Xmm::new(next_xmm - 1).preg()
            })
        } else {
            SYSV_ARGS.get(next_gpr).map(|g| {
                next_gpr += 1;
                g.preg()
            })
        };
        out.push(reg.map_or_else(
            || {
                // 8-byte slots; an f128 takes 16 aligned bytes (§3.2.3: class SSE+SSEUP).
                let size = if ty.bits() == 128 { 16 } else { 8 };
                stack = stack.div_ceil(size) * size + size;
                ArgLoc::Stack(stack - size)
            },
            ArgLoc::Reg,
        ));
    }
    (out, stack)
}

/// Windows x64 placement of `types` (with a leading hidden pointer if `hidden`): one
/// position per 8 bytes.
fn assign_fastcall(types: &[Type], hidden: bool) -> (Vec<ArgLoc>, u32) {
    let hidden_ty = hidden.then_some(Type::I64);
    let all: Vec<Type> = hidden_ty
        .into_iter()
        .chain(parts(types))
        .collect::<Vec<_>>();
    let out = all
        .iter()
        .enumerate()
        .map(|(pos, &ty)| match (pos < 4, is_float(ty)) {
            (true, true) => ArgLoc::Reg(Xmm::new(pos as u8).preg()),
            (true, false) => ArgLoc::Reg(WIN_ARGS[pos].preg()),
            (false, _) => ArgLoc::Stack(32 + 8 * (pos as u32 - 4)),
        })
        .collect();
    let stack = 32 + 8 * (all.len().saturating_sub(4) as u32);
    (out, stack)
}

/// Result placement: registers first, then return-area slots; returns the locations and
/// the area's size.
fn assign_rets(parts: &[Type]) -> (Vec<ArgLoc>, u32) {
    let gprs = RET_GPRS.map(|g| g.preg());
    let xmms = [Xmm::new(0).preg(), Xmm::new(1).preg()];
    crate::machinst::abi::place_rets_in_order(parts, &gprs, &xmms, is_float)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    const I8: Type = Type::I8;
    const I32: Type = Type::I32;
    const I64: Type = Type::I64;
    const I128: Type = Type::I128;
    const F32: Type = Type::F32;
    const F64: Type = Type::F64;

    use crate::machinst::abi::test_signature as sig;

    fn reg(g: Gpr) -> ArgLoc {
        ArgLoc::Reg(g.preg())
    }

    fn xmm(i: u8) -> ArgLoc {
        ArgLoc::Reg(Xmm::new(i).preg())
    }

    #[test]
    fn system_v_fills_each_class_separately_then_the_stack() {
        let a = SigAbi::new(&sig(
            CallConv::SystemV,
            &[I64, F64, I32, I128, I8, F32, I64, I64],
            &[],
        ))
        .unwrap();
        assert_eq!(
            a.args,
            [
                reg(Gpr::RDI),
                xmm(0),
                reg(Gpr::RSI),
                reg(Gpr::RDX),
                reg(Gpr::RCX),
                reg(Gpr::R8),
                xmm(1),
                reg(Gpr::R9),
                ArgLoc::Stack(0),
            ]
        );
        assert_eq!(a.stack_arg_bytes, 8);
        // An i128 that does not fit goes to 16 aligned stack bytes.
        let a = SigAbi::new(&sig(CallConv::SystemV, &[I64; 6], &[])).unwrap();
        assert_eq!(a.stack_arg_bytes, 0);
        let mut p = [I64; 7].to_vec();
        p.push(I128);
        let a = SigAbi::new(&sig(CallConv::SystemV, &p, &[])).unwrap();
        assert_eq!(
            a.args[6..],
            [ArgLoc::Stack(0), ArgLoc::Stack(16), ArgLoc::Stack(24)]
        );
        assert_eq!(a.stack_arg_bytes, 32);
    }

    #[test]
    fn tail_callees_pop_a_16_byte_multiple_of_stack_arguments() {
        let t = SigAbi::new(&sig(CallConv::Tail, &[I64; 7], &[])).unwrap();
        assert_eq!((t.stack_arg_bytes, t.callee_pop_bytes), (16, 16));
        let t = SigAbi::new(&sig(CallConv::Tail, &[I64; 6], &[])).unwrap();
        assert_eq!((t.stack_arg_bytes, t.callee_pop_bytes), (0, 0));
        let s = SigAbi::new(&sig(CallConv::SystemV, &[I64; 7], &[])).unwrap();
        assert_eq!((s.stack_arg_bytes, s.callee_pop_bytes), (8, 0));
    }

    #[test]
    fn fastcall_assigns_by_position_above_shadow_space() {
        let a = SigAbi::new(&sig(
            CallConv::WindowsFastcall,
            &[F64, I32, F32, I64, I64, F64],
            &[],
        ))
        .unwrap();
        assert_eq!(
            a.args,
            [
                xmm(0),
                reg(Gpr::RDX),
                xmm(2),
                reg(Gpr::R9),
                ArgLoc::Stack(32),
                ArgLoc::Stack(40),
            ]
        );
        assert_eq!(a.stack_arg_bytes, 48);
        let none = SigAbi::new(&sig(CallConv::WindowsFastcall, &[], &[])).unwrap();
        assert_eq!(none.stack_arg_bytes, 32, "shadow space is always reserved");
    }

    #[test]
    fn extra_results_use_a_return_area_behind_a_hidden_first_argument() {
        let a = SigAbi::new(&sig(CallConv::SystemV, &[I64], &[I64, I64, I64, F64, I128])).unwrap();
        assert_eq!(a.ret_area_ptr, Some(Gpr::RDI.preg()));
        assert_eq!(a.args, [reg(Gpr::RSI)]);
        assert_eq!(
            a.rets,
            [
                reg(Gpr::RAX),
                reg(Gpr::RDX),
                ArgLoc::Stack(0),
                xmm(0),
                ArgLoc::Stack(8),
                ArgLoc::Stack(16),
            ]
        );
        assert_eq!(a.ret_area_bytes, 32);
        let w = SigAbi::new(&sig(CallConv::WindowsFastcall, &[F64], &[I64, I64, I64])).unwrap();
        assert_eq!(w.ret_area_ptr, Some(Gpr::RCX.preg()));
        assert_eq!(w.args, [xmm(1)]);
        let two = SigAbi::new(&sig(CallConv::SystemV, &[], &[I64, I64, F32, F32])).unwrap();
        assert_eq!(two.ret_area_ptr, None);
    }

    #[test]
    fn clobbers_follow_the_convention() {
        let sysv = Conv::SystemV.clobbers();
        let win = Conv::Fastcall.clobbers();
        assert!(sysv.contains(Gpr::RDI.preg()) && !win.contains(Gpr::RDI.preg()));
        assert!(sysv.contains(Xmm::new(6).preg()) && !win.contains(Xmm::new(6).preg()));
        assert!(!sysv.contains(Gpr::RBX.preg()) && !sysv.contains(Gpr::RSP.preg()));
        assert!(win.contains(Xmm::new(5).preg()) && win.contains(Gpr::R11.preg()));
    }

    #[test]
    fn winch_packs_all_but_the_last_result_in_reverse() {
        // i8, i32, f64 at their own sizes (0, 1, 5; 13 bytes), mirrored: 12, 8, 0; the
        // last result in rax.
        let a = SigAbi::new(&sig(CallConv::Winch, &[I64], &[I8, I32, F64, I64])).unwrap();
        assert_eq!(
            a.rets,
            [
                ArgLoc::Stack(12),
                ArgLoc::Stack(8),
                ArgLoc::Stack(0),
                reg(Gpr::RAX)
            ]
        );
        assert_eq!(a.ret_area_bytes, 16);
        // The return area's address comes first, then System V's arguments.
        assert_eq!(a.ret_area_ptr, Some(Gpr::RDI.preg()));
        assert_eq!(a.args, [reg(Gpr::RSI)]);
        // An extended result makes every slot 8 bytes, aligned: 0, 8, mirrored 8, 0.
        let mut s = sig(CallConv::Winch, &[], &[I8, I32, F32]);
        s.returns[0].extension = ArgumentExtension::Uext;
        let a = SigAbi::new(&s).unwrap();
        assert_eq!(a.rets, [ArgLoc::Stack(8), ArgLoc::Stack(0), xmm(0)]);
        // Nothing is preserved.
        assert!(Conv::Winch.clobbers().contains(Gpr::RBX.preg()));
        assert!(Conv::Winch.clobbers().contains(Gpr::R15.preg()));
    }

    #[test]
    fn unsupported_conventions_and_types_are_typed_errors() {
        let e = SigAbi::new(&sig(CallConv::AppleAarch64, &[], &[])).unwrap_err();
        assert!(e.to_string().contains("apple_aarch64"), "{e}");
        // 64-bit vectors reach the conventions widened (`opts::small_vectors`), never
        // as themselves; 128-bit ones go in xmm.
        let e = SigAbi::new(&sig(CallConv::SystemV, &[Type::I32X2], &[])).unwrap_err();
        assert!(e.to_string().contains("i32x2"), "{e}");
        assert!(SigAbi::new(&sig(CallConv::SystemV, &[Type::I32X4], &[])).is_ok());
        let e = SigAbi::new(&sig(CallConv::WindowsFastcall, &[Type::F32X4], &[])).unwrap_err();
        assert!(e.to_string().contains("vectors"), "{e}");
    }
}
