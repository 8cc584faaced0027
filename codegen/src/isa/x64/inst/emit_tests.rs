//! Encodings checked twice: against bytes derived by hand from the Intel SDM, and by
//! disassembling those bytes with Capstone and comparing with the expected AT&T text.
//!
//! The cases cover REX (W, R, X, B, and the forced REX of byte registers), every
//! ModR/M `mod`, the SIB special cases (`rsp`/`r12` bases, `rbp`/`r13` bases without a
//! displacement, `r12` as an index), RIP-relative addresses, and 8-, 16-, 32- and 64-bit
//! immediates.

use super::args::{Amode, RegMem};
use super::encode::{Prefixes, RexFlags, emit_imm, emit_modrm, emit_opcode_reg};
use super::regs::{Gpr, Xmm};
use alloc::string::String;
use alloc::vec::Vec;
use capstone::prelude::*;

fn mem(base: Gpr, disp: i32) -> RegMem {
    RegMem::Mem(Amode::ImmReg { base, disp })
}

fn sib(base: Gpr, index: Gpr, shift: u8, disp: i32) -> RegMem {
    RegMem::Mem(Amode::ImmRegRegShift {
        base,
        index,
        shift,
        disp,
    })
}

fn reg(r: Gpr) -> RegMem {
    RegMem::Reg(r.enc())
}

fn enc(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut out);
    out
}

use super::encode::NONE;
const OSIZE: Prefixes = Prefixes {
    lock: false,
    operand_size: true,
    rep: None,
};
const F2: Prefixes = Prefixes {
    lock: false,
    operand_size: false,
    rep: Some(0xF2),
};
const LOCK: Prefixes = Prefixes {
    lock: true,
    operand_size: false,
    rep: None,
};

/// (encoded bytes, expected bytes, expected AT&T disassembly)
fn cases() -> Vec<(Vec<u8>, &'static [u8], &'static str)> {
    use Gpr as G;
    let w = RexFlags::w();
    let n = RexFlags::none();
    alloc::vec![
        // ADD r/m, r (01 /r) and friends: register forms.
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x01], G::RBX.enc(), reg(G::RAX))),
            &[0x48, 0x01, 0xd8],
            "addq %rbx, %rax"
        ),
        (
            enc(|o| emit_modrm(o, NONE, n, &[0x01], G::R9.enc(), reg(G::R10))),
            &[0x45, 0x01, 0xca],
            "addl %r9d, %r10d"
        ),
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                RexFlags::for_byte_regs(&[G::RSI, G::RDI]),
                &[0x00],
                G::RSI.enc(),
                reg(G::RDI)
            )),
            &[0x40, 0x00, 0xf7],
            "addb %sil, %dil"
        ),
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                RexFlags::for_byte_regs(&[G::RCX, G::RAX]),
                &[0x00],
                G::RCX.enc(),
                reg(G::RAX)
            )),
            &[0x00, 0xc8],
            "addb %cl, %al"
        ),
        (
            enc(|o| emit_modrm(o, OSIZE, n, &[0x01], G::RCX.enc(), reg(G::RDX))),
            &[0x66, 0x01, 0xca],
            "addw %cx, %dx"
        ),
        // MOV r, r/m (8B /r): memory forms.
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RAX, 0))),
            &[0x48, 0x8b, 0x08],
            "movq (%rax), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RSP, 0))),
            &[0x48, 0x8b, 0x0c, 0x24],
            "movq (%rsp), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::R12, 0))),
            &[0x49, 0x8b, 0x0c, 0x24],
            "movq (%r12), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RBP, 0))),
            &[0x48, 0x8b, 0x4d, 0x00],
            "movq (%rbp), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::R13, 0))),
            &[0x49, 0x8b, 0x4d, 0x00],
            "movq (%r13), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RAX, 0x10))),
            &[0x48, 0x8b, 0x48, 0x10],
            "movq 0x10(%rax), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RAX, -0x80))),
            &[0x48, 0x8b, 0x48, 0x80],
            "movq -0x80(%rax), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RAX, 0x80))),
            &[0x48, 0x8b, 0x88, 0x80, 0, 0, 0],
            "movq 0x80(%rax), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), mem(G::RSP, 0x7fff_ffff))),
            &[0x48, 0x8b, 0x8c, 0x24, 0xff, 0xff, 0xff, 0x7f],
            "movq 0x7fffffff(%rsp), %rcx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RDX.enc(), sib(G::RAX, G::RBX, 2, 8))),
            &[0x48, 0x8b, 0x54, 0x98, 0x08],
            "movq 8(%rax, %rbx, 4), %rdx"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::R11.enc(), sib(G::R13, G::R12, 3, 0))),
            &[0x4f, 0x8b, 0x5c, 0xe5, 0x00],
            "movq (%r13, %r12, 8), %r11"
        ),
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8b], G::RCX.enc(), sib(G::RBP, G::RAX, 0, 0))),
            &[0x48, 0x8b, 0x4c, 0x05, 0x00],
            "movq (%rbp, %rax), %rcx"
        ),
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                w,
                &[0x8b],
                G::RAX.enc(),
                RegMem::Mem(Amode::RipRelative { disp: 0x100 })
            )),
            &[0x48, 0x8b, 0x05, 0x00, 0x01, 0, 0],
            "movq 0x100(%rip), %rax"
        ),
        // LEA r, m (8D /r).
        (
            enc(|o| emit_modrm(o, NONE, w, &[0x8d], G::RDI.enc(), mem(G::RSP, 8))),
            &[0x48, 0x8d, 0x7c, 0x24, 0x08],
            "leaq 8(%rsp), %rdi"
        ),
        // Immediates: 83 /0 ib, 81 /0 id (iw with 66), 80 /0 ib.
        (
            enc(|o| {
                emit_modrm(o, NONE, w, &[0x83], 0, reg(G::RAX));
                emit_imm(o, 0x7f, 1)
            }),
            &[0x48, 0x83, 0xc0, 0x7f],
            "addq $0x7f, %rax"
        ),
        (
            enc(|o| {
                emit_modrm(o, NONE, w, &[0x83], 0, reg(G::RAX));
                emit_imm(o, -1, 1)
            }),
            &[0x48, 0x83, 0xc0, 0xff],
            "addq $-1, %rax"
        ),
        (
            enc(|o| {
                emit_modrm(o, NONE, n, &[0x81], 0, reg(G::R15));
                emit_imm(o, 0x1000, 4)
            }),
            &[0x41, 0x81, 0xc7, 0x00, 0x10, 0, 0],
            "addl $0x1000, %r15d"
        ),
        (
            enc(|o| {
                emit_modrm(o, OSIZE, n, &[0x81], 0, reg(G::RSI));
                emit_imm(o, 0x1234, 2)
            }),
            &[0x66, 0x81, 0xc6, 0x34, 0x12],
            "addw $0x1234, %si"
        ),
        (
            enc(|o| {
                emit_modrm(
                    o,
                    NONE,
                    RexFlags::for_byte_regs(&[G::R8]),
                    &[0x80],
                    0,
                    reg(G::R8),
                );
                emit_imm(o, 0x12, 1)
            }),
            &[0x41, 0x80, 0xc0, 0x12],
            "addb $0x12, %r8b"
        ),
        (
            enc(|o| {
                emit_modrm(o, NONE, w, &[0x83], 0, mem(G::RSP, 8));
                emit_imm(o, 0x10, 1)
            }),
            &[0x48, 0x83, 0x44, 0x24, 0x08, 0x10],
            "addq $0x10, 8(%rsp)"
        ),
        (
            enc(|o| {
                emit_modrm(o, NONE, w, &[0x69], G::RAX.enc(), reg(G::RBX));
                emit_imm(o, 1000, 4)
            }),
            &[0x48, 0x69, 0xc3, 0xe8, 0x03, 0, 0],
            "imulq $0x3e8, %rbx, %rax"
        ),
        // MOV r64, imm64 (REX.W B8+rd io).
        (
            enc(|o| {
                emit_opcode_reg(o, NONE, w, 0xb8, G::R10.enc());
                emit_imm(o, 0x1122_3344_5566_7788, 8)
            }),
            &[0x49, 0xba, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11],
            "movabsq $0x1122334455667788, %r10"
        ),
        (
            enc(|o| emit_opcode_reg(o, NONE, n, 0x50, G::R12.enc())),
            &[0x41, 0x54],
            "pushq %r12"
        ),
        // SSE: F2 [REX] 0F 10 /r, F2 0F 58 /r.
        (
            enc(|o| emit_modrm(o, F2, n, &[0x0f, 0x10], Xmm::new(1).enc(), mem(G::RAX, 0))),
            &[0xf2, 0x0f, 0x10, 0x08],
            "movsd (%rax), %xmm1"
        ),
        (
            enc(|o| emit_modrm(o, F2, n, &[0x0f, 0x10], Xmm::new(12).enc(), mem(G::R9, 8))),
            &[0xf2, 0x45, 0x0f, 0x10, 0x61, 0x08],
            "movsd 8(%r9), %xmm12"
        ),
        (
            enc(|o| emit_modrm(
                o,
                F2,
                n,
                &[0x0f, 0x58],
                Xmm::new(0).enc(),
                RegMem::Reg(Xmm::new(15).enc())
            )),
            &[0xf2, 0x41, 0x0f, 0x58, 0xc7],
            "addsd %xmm15, %xmm0"
        ),
        // MOVUPS (0F 11 /r store, 0F 10 /r load): 128-bit spills and f128.
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                n,
                &[0x0f, 0x11],
                Xmm::new(9).enc(),
                mem(G::RSP, 16)
            )),
            &[0x44, 0x0f, 0x11, 0x4c, 0x24, 0x10],
            "movups %xmm9, 0x10(%rsp)"
        ),
        // MOVHLPS xmm1, xmm2 (0F 12 /r) and PUNPCKLQDQ (66 0F 6C /r).
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                n,
                &[0x0f, 0x12],
                Xmm::new(3).enc(),
                RegMem::Reg(Xmm::new(10).enc())
            )),
            &[0x41, 0x0f, 0x12, 0xda],
            "movhlps %xmm10, %xmm3"
        ),
        (
            enc(|o| emit_modrm(
                o,
                OSIZE,
                n,
                &[0x0f, 0x6c],
                Xmm::new(8).enc(),
                RegMem::Reg(Xmm::new(1).enc())
            )),
            &[0x66, 0x44, 0x0f, 0x6c, 0xc1],
            "punpcklqdq %xmm1, %xmm8"
        ),
        // MOVZX r32, r/m8 (0F B6 /r) with a byte register that needs REX.
        (
            enc(|o| emit_modrm(
                o,
                NONE,
                RexFlags::for_byte_regs(&[G::RSI]),
                &[0x0f, 0xb6],
                G::RAX.enc(),
                reg(G::RSI)
            )),
            &[0x40, 0x0f, 0xb6, 0xc6],
            "movzbl %sil, %eax"
        ),
        // LOCK CMPXCHG r/m64, r64 (F0 REX.W 0F B1 /r).
        (
            enc(|o| emit_modrm(o, LOCK, w, &[0x0f, 0xb1], G::RCX.enc(), mem(G::RDX, 0))),
            &[0xf0, 0x48, 0x0f, 0xb1, 0x0a],
            "lock cmpxchgq %rcx, (%rdx)"
        ),
    ]
}

fn disassemble(bytes: &[u8]) -> (String, usize) {
    let cs = Capstone::new()
        .x86()
        .mode(arch::x86::ArchMode::Mode64)
        .syntax(arch::x86::ArchSyntax::Att)
        .build()
        .expect("capstone supports x86-64");
    let insns = cs.disasm_all(bytes, 0).expect("disassembly runs");
    let first = insns
        .iter()
        .next()
        .map_or((String::from("<undecodable>"), 0), |i| {
            let text = alloc::format!(
                "{} {}",
                i.mnemonic().unwrap_or(""),
                i.op_str().unwrap_or("")
            );
            (String::from(text.trim()), i.bytes().len())
        });
    (first.0, first.1)
}

#[test]
fn encodings_match_the_manual_and_capstone() {
    let mut failures = Vec::new();
    for (got, want, text) in cases() {
        if got != want {
            failures.push(alloc::format!(
                "{text}: encoded {got:02x?}, expected {want:02x?}"
            ));
            continue;
        }
        let (dis, len) = disassemble(want);
        if dis != text || len != want.len() {
            failures.push(alloc::format!(
                "{want:02x?}: capstone reads `{dis}` ({len} bytes), expected `{text}`"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[should_panic(expected = "rsp cannot be an index register")]
fn rsp_is_not_an_index() {
    let mut out = Vec::new();
    emit_modrm(
        &mut out,
        NONE,
        RexFlags::w(),
        &[0x8b],
        0,
        sib(Gpr::RAX, Gpr::RSP, 0, 0),
    );
}

/// Emits `kind` constants `bits` into xmm register `dst` through [`super::Inst::XmmPoolLoad`]
/// and finishes the buffer: the code and its constant pool.
fn xmm_consts(consts: &[(super::MoveKind, u128, u8)]) -> Vec<u8> {
    use crate::machinst::buffer::MachBuffer;
    use crate::machinst::reg::{Reg, Writable};
    let frame = super::frame::Frame::new(Default::default());
    let mut buf = MachBuffer::new();
    for &(kind, bits, dst) in consts {
        let inst = super::Inst::XmmPoolLoad {
            kind,
            bits: bits.into(),
            dst: Writable::from_reg(Reg::new(0, regalloc2::RegClass::Float)),
        };
        let alloc = regalloc2::Allocation::reg(Xmm::new(dst).preg());
        let mut e = super::emit::Emit {
            buf: &mut buf,
            labels: &[],
            next: None,
            frame: &frame,
        };
        inst.emit_form(&[alloc], &mut e);
    }
    buf.finish().expect("the buffer resolves").data
}

#[test]
fn float_constants_load_from_the_pool_after_the_code() {
    use super::MoveKind;
    let code = xmm_consts(&[
        (MoveKind::F64, 0x4025_0000_0000_0000, 12),
        (MoveKind::F32, 0x4040_0000, 2),
        (MoveKind::F64, 0, 8),
        (MoveKind::F64, 0x4025_0000_0000_0000, 1),
    ]);
    // movsd disp32(%rip), %xmm12 (F2 REX.R 0F 10 /r, mod 00 rm 101); movss to xmm2;
    // xorps %xmm8, %xmm8 (REX.RB 0F 57 /r); the f64 again, sharing its pool entry. The
    // code is 9 + 8 + 4 + 8 = 29 bytes; the f64 is at 32 (8-aligned), the f32 at 40.
    let want_code: &[u8] = &[
        0xf2, 0x44, 0x0f, 0x10, 0x25, 0x17, 0, 0, 0, // 32 - 9
        0xf3, 0x0f, 0x10, 0x15, 0x17, 0, 0, 0, // 40 - 17
        0x45, 0x0f, 0x57, 0xc0, //
        0xf2, 0x0f, 0x10, 0x0d, 0x03, 0, 0, 0, // 32 - 29
    ];
    assert_eq!(&code[..29], want_code);
    assert_eq!(&code[32..40], &0x4025_0000_0000_0000u64.to_le_bytes());
    assert_eq!(&code[40..44], &0x4040_0000u32.to_le_bytes());
    let cs = Capstone::new()
        .x86()
        .mode(arch::x86::ArchMode::Mode64)
        .syntax(arch::x86::ArchSyntax::Att)
        .build()
        .expect("capstone supports x86-64");
    let insns = cs.disasm_all(&code[..29], 0).expect("disassembly runs");
    let text: Vec<String> = insns
        .iter()
        .map(|i| {
            alloc::format!(
                "{} {}",
                i.mnemonic().unwrap_or(""),
                i.op_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        text,
        [
            "movsd 0x17(%rip), %xmm12",
            "movss 0x17(%rip), %xmm2",
            "xorps %xmm8, %xmm8",
            "movsd 3(%rip), %xmm1",
        ]
    );
}

/// The bytes of `inst` with its operands allocated to the general registers `regs`.
fn emit_with(inst: super::Inst, regs: &[Gpr]) -> Vec<u8> {
    let allocs: Vec<regalloc2::Allocation> = regs
        .iter()
        .map(|g| regalloc2::Allocation::reg(g.preg()))
        .collect();
    emit_allocated(&inst, &allocs)
}

/// The bytes of `inst` with its operands allocated to `allocs`.
fn emit_allocated(inst: &super::Inst, allocs: &[regalloc2::Allocation]) -> Vec<u8> {
    use crate::machinst::buffer::MachBuffer;
    let frame = super::frame::Frame::new(Default::default());
    let mut buf = MachBuffer::new();
    let mut e = super::emit::Emit {
        buf: &mut buf,
        labels: &[],
        next: None,
        frame: &frame,
    };
    inst.emit_form(allocs, &mut e);
    buf.finish().expect("the buffer resolves").data
}

/// Checks that `inst` with `allocs` encodes as `want`, which Capstone reads as `text`.
fn assert_encodes(inst: &super::Inst, allocs: &[regalloc2::Allocation], want: &[u8], text: &str) {
    assert_eq!(emit_allocated(inst, allocs), want, "{text}");
    assert_eq!(disassemble(want), (String::from(text), want.len()));
}

#[test]
fn additions_into_a_third_register_are_lea() {
    use super::args::OperandSize::{Size32, Size64};
    use super::{AluOp, Inst};
    use crate::machinst::reg::{Reg, Writable};
    use Gpr as G;
    let v = |i| Reg::new(i, regalloc2::RegClass::Int);
    let rr = |_op: AluOp, size| Inst::AddLeaRr {
        size,
        src1: v(0),
        src2: v(1),
        dst: Writable::from_reg(v(2)),
    };
    let ri = |op, size, imm| Inst::AddLeaRi {
        op,
        size,
        src: v(0),
        imm,
        dst: Writable::from_reg(v(1)),
    };
    let cases: Vec<(Vec<u8>, &[u8], &str)> = alloc::vec![
        // Distinct registers: LEA r64, m (REX.W 8D /r) with a SIB for base + index.
        (
            emit_with(rr(AluOp::Add, Size64), &[G::RDI, G::RSI, G::RAX]),
            &[0x48, 0x8d, 0x04, 0x37],
            "leaq (%rdi, %rsi), %rax",
        ),
        // rsp cannot be an index: the operands swap.
        (
            emit_with(rr(AluOp::Add, Size64), &[G::R13, G::RSP, G::RAX]),
            &[0x4a, 0x8d, 0x04, 0x2c],
            "leaq (%rsp, %r13), %rax",
        ),
        // The result in the first or the second operand's register: ADD r/m, r (01 /r).
        (
            emit_with(rr(AluOp::Add, Size32), &[G::RCX, G::RDX, G::RCX]),
            &[0x01, 0xd1],
            "addl %edx, %ecx",
        ),
        (
            emit_with(rr(AluOp::Add, Size64), &[G::RCX, G::RDX, G::RDX]),
            &[0x48, 0x01, 0xca],
            "addq %rcx, %rdx",
        ),
        // An immediate: LEA with a displacement, negated for a subtraction.
        (
            emit_with(ri(AluOp::Add, Size32, 0x64), &[G::RDI, G::RAX]),
            &[0x8d, 0x47, 0x64],
            "leal 0x64(%rdi), %eax",
        ),
        (
            emit_with(ri(AluOp::Sub, Size64, 0x1000), &[G::R12, G::R9]),
            &[0x4d, 0x8d, 0x8c, 0x24, 0x00, 0xf0, 0xff, 0xff],
            "leaq -0x1000(%r12), %r9",
        ),
        (
            emit_with(ri(AluOp::Add, Size64, 1), &[G::R13, G::R13]),
            &[0x49, 0x83, 0xc5, 0x01],
            "addq $1, %r13",
        ),
    ];
    for (got, want, text) in cases {
        assert_eq!(got, want, "{text}");
        assert_eq!(disassemble(want), (String::from(text), want.len()));
    }
    // Only additions and subtractions of 32 and 64 bits; the one immediate without a
    // negation keeps the two-operand form.
    use super::three_operand_add;
    assert!(!three_operand_add(AluOp::Sub, Size64, i32::MIN));
    assert!(three_operand_add(AluOp::Sub, Size32, -5));
    assert!(!three_operand_add(AluOp::And, Size64, 1));
    assert!(!three_operand_add(
        AluOp::Add,
        super::args::OperandSize::Size16,
        1
    ));
}

#[test]
fn fused_multiply_add_is_vex_encoded() {
    use crate::machinst::reg::{Reg, Writable};
    let v = |i| Reg::new(i, regalloc2::RegClass::Float);
    /// (double, a and dst, b, c, expected bytes, expected text)
    type Case = (bool, u8, u8, u8, &'static [u8], &'static str);
    let cases: [Case; 4] = [
        (
            true,
            1,
            2,
            3,
            &[0xc4, 0xe2, 0xe9, 0xa9, 0xcb],
            "vfmadd213sd %xmm3, %xmm2, %xmm1",
        ),
        (
            false,
            0,
            7,
            4,
            &[0xc4, 0xe2, 0x41, 0xa9, 0xc4],
            "vfmadd213ss %xmm4, %xmm7, %xmm0",
        ),
        (
            true,
            9,
            15,
            12,
            &[0xc4, 0x42, 0x81, 0xa9, 0xcc],
            "vfmadd213sd %xmm12, %xmm15, %xmm9",
        ),
        (
            false,
            10,
            1,
            2,
            &[0xc4, 0x62, 0x71, 0xa9, 0xd2],
            "vfmadd213ss %xmm2, %xmm1, %xmm10",
        ),
    ];
    for (double, a, b, c, want, text) in cases {
        let inst = super::Inst::Vfmadd {
            double,
            packed: false,
            a: v(0),
            b: v(1),
            addend: v(2),
            dst: Writable::from_reg(v(3)),
        };
        let allocs: Vec<regalloc2::Allocation> = [a, b, c, a]
            .iter()
            .map(|&r| regalloc2::Allocation::reg(Xmm::new(r).preg()))
            .collect();
        assert_encodes(&inst, &allocs, want, text);
    }
}

#[test]
fn bmi2_shifts_are_vex_encoded() {
    use super::args::OperandSize::{Size32, Size64};
    use super::{Inst, ShiftOp};
    use crate::machinst::reg::{Reg, Writable};
    use Gpr as G;
    let v = |i| Reg::new(i, regalloc2::RegClass::Int);
    let shift = |op, size| Inst::Shiftx {
        op,
        size,
        src: v(0),
        amount: v(1),
        dst: Writable::from_reg(v(2)),
    };
    /// (instruction, src, amount, dst, expected bytes, expected text)
    type Case = (Inst, Gpr, Gpr, Gpr, &'static [u8], &'static str);
    let cases: [Case; 4] = [
        (
            shift(ShiftOp::Shl, Size64),
            G::RDI,
            G::RSI,
            G::RAX,
            &[0xc4, 0xe2, 0xc9, 0xf7, 0xc7],
            "shlxq %rsi, %rdi, %rax",
        ),
        (
            shift(ShiftOp::Sar, Size32),
            G::RDI,
            G::RSI,
            G::RAX,
            &[0xc4, 0xe2, 0x4a, 0xf7, 0xc7],
            "sarxl %esi, %edi, %eax",
        ),
        (
            shift(ShiftOp::Shr, Size64),
            G::R13,
            G::R9,
            G::R10,
            &[0xc4, 0x42, 0xb3, 0xf7, 0xd5],
            "shrxq %r9, %r13, %r10",
        ),
        (
            shift(ShiftOp::Shl, Size32),
            G::RCX,
            G::R15,
            G::R8,
            &[0xc4, 0x62, 0x01, 0xf7, 0xc1],
            "shlxl %r15d, %ecx, %r8d",
        ),
    ];
    for (inst, src, amount, dst, want, text) in cases {
        assert_eq!(emit_with(inst, &[src, amount, dst]), want, "{text}");
        assert_eq!(disassemble(want), (String::from(text), want.len()));
    }
}

#[test]
fn avx_float_operations_take_three_registers() {
    use super::{Inst, XmmOp};
    use crate::machinst::reg::{Reg, Writable};
    let v = |i| Reg::new(i, regalloc2::RegClass::Float);
    /// (operation, double, src1, src2, dst, expected bytes, expected text)
    type Case = (XmmOp, bool, u8, u8, u8, &'static [u8], &'static str);
    let cases: [Case; 5] = [
        (
            XmmOp::Add,
            true,
            1,
            2,
            0,
            &[0xc5, 0xf3, 0x58, 0xc2],
            "vaddsd %xmm2, %xmm1, %xmm0",
        ),
        (
            XmmOp::Sub,
            false,
            9,
            3,
            4,
            &[0xc5, 0xb2, 0x5c, 0xe3],
            "vsubss %xmm3, %xmm9, %xmm4",
        ),
        (
            XmmOp::Mul,
            true,
            0,
            12,
            10,
            &[0xc4, 0x41, 0x7b, 0x59, 0xd4],
            "vmulsd %xmm12, %xmm0, %xmm10",
        ),
        (
            XmmOp::Div,
            false,
            15,
            7,
            8,
            &[0xc5, 0x02, 0x5e, 0xc7],
            "vdivss %xmm7, %xmm15, %xmm8",
        ),
        (
            XmmOp::AndNot,
            true,
            5,
            14,
            6,
            &[0xc4, 0xc1, 0x50, 0x55, 0xf6],
            "vandnps %xmm14, %xmm5, %xmm6",
        ),
    ];
    for (op, double, src1, src2, dst, want, text) in cases {
        let inst = Inst::XmmRrrOp {
            op,
            double,
            src1: v(0),
            src2: v(1),
            dst: Writable::from_reg(v(2)),
        };
        let allocs: Vec<regalloc2::Allocation> = [src1, src2, dst]
            .iter()
            .map(|&r| regalloc2::Allocation::reg(Xmm::new(r).preg()))
            .collect();
        assert_encodes(&inst, &allocs, want, text);
    }
}

#[test]
fn vector_instructions_match_capstone() {
    use super::{Inst, PackedOp};
    use crate::machinst::reg::{Reg, Writable};
    use regalloc2::{Allocation, RegClass};
    let f = |i| Reg::new(i, RegClass::Float);
    let xa = |n: u8| Allocation::reg(Xmm::new(n).preg());
    let ga = |g: Gpr| Allocation::reg(g.preg());
    let packed = |op| Inst::Packed {
        op,
        src1: f(0),
        src2: f(1),
        dst: Writable::from_reg(f(0)),
    };
    let vex = |op| Inst::PackedVex {
        op,
        src1: f(0),
        src2: f(1),
        dst: Writable::from_reg(f(2)),
    };
    /// (instruction, allocations, expected bytes, expected text)
    type Case = (Inst, Vec<Allocation>, &'static [u8], &'static str);
    let evex2 = |op| Inst::EvexRr {
        op,
        src1: f(0),
        src2: f(1),
        dst: Writable::from_reg(f(2)),
    };
    let evex1 = |op| Inst::EvexR {
        op,
        src: f(0),
        dst: Writable::from_reg(f(1)),
    };
    let cases: Vec<Case> = alloc::vec![
        (
            evex2(super::EvexOp::MulLowQ),
            alloc::vec![xa(0), xa(1), xa(5)],
            &[0x62, 0xf2, 0xfd, 0x08, 0x40, 0xe9],
            "vpmullq %xmm1, %xmm0, %xmm5"
        ),
        (
            evex2(super::EvexOp::SarQ),
            alloc::vec![xa(9), xa(15), xa(0)],
            &[0x62, 0xd1, 0xb5, 0x08, 0xe2, 0xc7],
            "vpsraq %xmm15, %xmm9, %xmm0"
        ),
        (
            evex2(super::EvexOp::MinMaxQ {
                signed: false,
                max: true
            }),
            alloc::vec![xa(2), xa(3), xa(12)],
            &[0x62, 0x72, 0xed, 0x08, 0x3f, 0xe3],
            "vpmaxuq %xmm3, %xmm2, %xmm12"
        ),
        (
            evex1(super::EvexOp::AbsQ),
            alloc::vec![xa(5), xa(7)],
            &[0x62, 0xf2, 0xfd, 0x08, 0x1f, 0xfd],
            "vpabsq %xmm5, %xmm7"
        ),
        (
            evex1(super::EvexOp::CvtUdq2Ps),
            alloc::vec![xa(3), xa(5)],
            &[0x62, 0xf1, 0x7f, 0x08, 0x7a, 0xeb],
            "vcvtudq2ps %xmm3, %xmm5"
        ),
        (
            evex1(super::EvexOp::CvtQq2Pd { signed: false }),
            alloc::vec![xa(1), xa(2)],
            &[0x62, 0xf1, 0xfe, 0x08, 0x7a, 0xd1],
            "vcvtuqq2pd %xmm1, %xmm2"
        ),
        (
            evex1(super::EvexOp::Popcnt { words: true }),
            alloc::vec![xa(2), xa(1)],
            &[0x62, 0xf2, 0xfd, 0x08, 0x54, 0xca],
            "vpopcntw %xmm2, %xmm1"
        ),
        (
            vex(PackedOp::Add { bits: 32 }),
            alloc::vec![xa(0), xa(1), xa(4)],
            &[0xc5, 0xf9, 0xfe, 0xe1],
            "vpaddd %xmm1, %xmm0, %xmm4"
        ),
        (
            vex(PackedOp::Xor),
            alloc::vec![xa(6), xa(4), xa(8)],
            &[0xc5, 0x49, 0xef, 0xc4],
            "vpxor %xmm4, %xmm6, %xmm8"
        ),
        (
            vex(PackedOp::Sub { bits: 32 }),
            alloc::vec![xa(2), xa(9), xa(1)],
            &[0xc4, 0xc1, 0x69, 0xfa, 0xc9],
            "vpsubd %xmm9, %xmm2, %xmm1"
        ),
        (
            vex(PackedOp::Map38 { opcode: 0x00 }),
            alloc::vec![xa(1), xa(2), xa(3)],
            &[0xc4, 0xe2, 0x71, 0x00, 0xda],
            "vpshufb %xmm2, %xmm1, %xmm3"
        ),
        (
            vex(PackedOp::FCmp {
                double: false,
                pred: 1
            }),
            alloc::vec![xa(3), xa(4), xa(5)],
            &[0xc5, 0xe0, 0xc2, 0xec, 0x01],
            "vcmpltps %xmm4, %xmm3, %xmm5"
        ),
        (
            packed(PackedOp::Add { bits: 8 }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0xfc, 0xca],
            "paddb %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::Add { bits: 64 }),
            alloc::vec![xa(9), xa(2), xa(9)],
            &[0x66, 0x44, 0x0f, 0xd4, 0xca],
            "paddq %xmm2, %xmm9"
        ),
        (
            packed(PackedOp::Sub { bits: 32 }),
            alloc::vec![xa(0), xa(15), xa(0)],
            &[0x66, 0x41, 0x0f, 0xfa, 0xc7],
            "psubd %xmm15, %xmm0"
        ),
        (
            packed(PackedOp::MulLow16),
            alloc::vec![xa(3), xa(4), xa(3)],
            &[0x66, 0x0f, 0xd5, 0xdc],
            "pmullw %xmm4, %xmm3"
        ),
        (
            packed(PackedOp::CmpGt { bits: 16 }),
            alloc::vec![xa(5), xa(6), xa(5)],
            &[0x66, 0x0f, 0x65, 0xee],
            "pcmpgtw %xmm6, %xmm5"
        ),
        (
            packed(PackedOp::CmpEq { bits: 8 }),
            alloc::vec![xa(5), xa(6), xa(5)],
            &[0x66, 0x0f, 0x74, 0xee],
            "pcmpeqb %xmm6, %xmm5"
        ),
        (
            packed(PackedOp::UnpackLowBytes),
            alloc::vec![xa(1), xa(1), xa(1)],
            &[0x66, 0x0f, 0x60, 0xc9],
            "punpcklbw %xmm1, %xmm1"
        ),
        (
            packed(PackedOp::MoveLowQuad),
            alloc::vec![xa(2), xa(10), xa(2)],
            &[0xf2, 0x41, 0x0f, 0x10, 0xd2],
            "movsd %xmm10, %xmm2"
        ),
        (
            packed(PackedOp::FMul { double: false }),
            alloc::vec![xa(2), xa(3), xa(2)],
            &[0x0f, 0x59, 0xd3],
            "mulps %xmm3, %xmm2"
        ),
        (
            packed(PackedOp::FDiv { double: true }),
            alloc::vec![xa(2), xa(3), xa(2)],
            &[0x66, 0x0f, 0x5e, 0xd3],
            "divpd %xmm3, %xmm2"
        ),
        (
            packed(PackedOp::AndNot),
            alloc::vec![xa(8), xa(9), xa(8)],
            &[0x66, 0x45, 0x0f, 0xdf, 0xc1],
            "pandn %xmm9, %xmm8"
        ),
        (
            packed(PackedOp::Shl { bits: 64 }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0xf3, 0xca],
            "psllq %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::Map38 { opcode: 0x40 }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0x38, 0x40, 0xca],
            "pmulld %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::Map38 { opcode: 0x00 }),
            alloc::vec![xa(10), xa(3), xa(10)],
            &[0x66, 0x44, 0x0f, 0x38, 0x00, 0xd3],
            "pshufb %xmm3, %xmm10"
        ),
        (
            packed(PackedOp::Map38 { opcode: 0x37 }),
            alloc::vec![xa(0), xa(15), xa(0)],
            &[0x66, 0x41, 0x0f, 0x38, 0x37, 0xc7],
            "pcmpgtq %xmm15, %xmm0"
        ),
        (
            packed(PackedOp::Narrow { opcode: 0xdc }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0xdc, 0xca],
            "paddusb %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::FMin { double: true }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0x5d, 0xca],
            "minpd %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::FMax { double: false }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x0f, 0x5f, 0xca],
            "maxps %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::Narrow { opcode: 0xe5 }),
            alloc::vec![xa(1), xa(12), xa(1)],
            &[0x66, 0x41, 0x0f, 0xe5, 0xcc],
            "pmulhw %xmm12, %xmm1"
        ),
        (
            packed(PackedOp::FCmp {
                double: false,
                pred: 1
            }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x0f, 0xc2, 0xca, 0x01],
            "cmpltps %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::FCmp {
                double: true,
                pred: 7
            }),
            alloc::vec![xa(9), xa(2), xa(9)],
            &[0x66, 0x44, 0x0f, 0xc2, 0xca, 0x07],
            "cmpordpd %xmm2, %xmm9"
        ),
        (
            packed(PackedOp::Shr { bits: 16 }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0xd1, 0xca],
            "psrlw %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::Sar { bits: 32 }),
            alloc::vec![xa(1), xa(2), xa(1)],
            &[0x66, 0x0f, 0xe2, 0xca],
            "psrad %xmm2, %xmm1"
        ),
        (
            packed(PackedOp::PackSignedWords),
            alloc::vec![xa(3), xa(3), xa(3)],
            &[0x66, 0x0f, 0x63, 0xdb],
            "packsswb %xmm3, %xmm3"
        ),
        (
            Inst::Movmsk {
                lane_bits: 8,
                src: f(0),
                dst: Writable::from_reg(Reg::new(1, RegClass::Int))
            },
            alloc::vec![xa(9), ga(Gpr::RCX)],
            &[0x66, 0x41, 0x0f, 0xd7, 0xc9],
            "pmovmskb %xmm9, %ecx",
        ),
        (
            Inst::Movmsk {
                lane_bits: 32,
                src: f(0),
                dst: Writable::from_reg(Reg::new(1, RegClass::Int))
            },
            alloc::vec![xa(2), ga(Gpr::R10)],
            &[0x44, 0x0f, 0x50, 0xd2],
            "movmskps %xmm2, %r10d",
        ),
        (
            Inst::Movmsk {
                lane_bits: 64,
                src: f(0),
                dst: Writable::from_reg(Reg::new(1, RegClass::Int))
            },
            alloc::vec![xa(2), ga(Gpr::RAX)],
            &[0x66, 0x0f, 0x50, 0xc2],
            "movmskpd %xmm2, %eax",
        ),
        (
            Inst::Pshuf {
                low_words: false,
                imm: 0x44,
                src: f(0),
                dst: Writable::from_reg(f(1))
            },
            alloc::vec![xa(3), xa(12)],
            &[0x66, 0x44, 0x0f, 0x70, 0xe3, 0x44],
            "pshufd $0x44, %xmm3, %xmm12",
        ),
        (
            Inst::Pshuf {
                low_words: true,
                imm: 0,
                src: f(0),
                dst: Writable::from_reg(f(1))
            },
            alloc::vec![xa(1), xa(1)],
            &[0xf2, 0x0f, 0x70, 0xc9, 0x00],
            "pshuflw $0, %xmm1, %xmm1",
        ),
        (
            Inst::Pextrw {
                lane: 7,
                src: f(0),
                dst: Writable::from_reg(Reg::new(1, RegClass::Int))
            },
            alloc::vec![xa(11), ga(Gpr::RAX)],
            &[0x66, 0x41, 0x0f, 0xc5, 0xc3, 0x07],
            "pextrw $7, %xmm11, %eax",
        ),
        (
            Inst::Pinsrw {
                lane: 2,
                src1: f(0),
                src2: Reg::new(1, RegClass::Int),
                dst: Writable::from_reg(f(2)),
            },
            alloc::vec![xa(4), ga(Gpr::R9), xa(4)],
            &[0x66, 0x41, 0x0f, 0xc4, 0xe1, 0x02],
            "pinsrw $2, %r9d, %xmm4",
        ),
    ];
    let insert = |op, wide, imm, class| Inst::Insert41 {
        op,
        wide,
        imm,
        src1: f(0),
        src2: Reg::new(1, class),
        dst: Writable::from_reg(f(2)),
    };
    let more: Vec<Case> = alloc::vec![
        (
            insert(0x20, false, 15, RegClass::Int),
            alloc::vec![xa(1), ga(Gpr::RAX), xa(1)],
            &[0x66, 0x0f, 0x3a, 0x20, 0xc8, 0x0f],
            "pinsrb $0xf, %eax, %xmm1",
        ),
        (
            insert(0x22, false, 2, RegClass::Int),
            alloc::vec![xa(9), ga(Gpr::R8), xa(9)],
            &[0x66, 0x45, 0x0f, 0x3a, 0x22, 0xc8, 0x02],
            "pinsrd $2, %r8d, %xmm9",
        ),
        (
            insert(0x21, false, 0x30, RegClass::Float),
            alloc::vec![xa(2), xa(3), xa(2)],
            &[0x66, 0x0f, 0x3a, 0x21, 0xd3, 0x30],
            "insertps $0x30, %xmm3, %xmm2",
        ),
    ];
    for (inst, allocs, want, text) in cases.into_iter().chain(more) {
        assert_encodes(&inst, &allocs, want, text);
    }
}

/// Instructions stay small (VCode moves them around): at most 64 bytes.
#[test]
fn instructions_are_at_most_64_bytes() {
    assert!(core::mem::size_of::<super::Inst>() <= 64);
}
