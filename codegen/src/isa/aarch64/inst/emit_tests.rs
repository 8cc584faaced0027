//! Encodings checked twice: each row's word against the one the GNU cross assembler
//! (`aarch64-linux-gnu-as -march=armv8.2-a+lse`, `objdump -d`) produces for the same
//! assembly text, and the word disassembled by Capstone, whose mnemonic must match.
//! One row per encoding function of `encode.rs`, with the operand kinds that change
//! the encoding (sizes, immediates, shifted/extended registers, the zero register and
//! the stack pointer, lane sizes).

use super::args::{Imm12, ImmLogic};
use super::encode::*;
use super::generated::*;
use alloc::vec::Vec;
use capstone::prelude::*;

/// (the word `encode.rs` produces, the assembler's word, the assembly text)
fn cases() -> Vec<(u32, u32, &'static str)> {
    alloc::vec![
        (
            alu_rrr(AluOp::Add, Size::X, 0, 1, 2),
            0x8b020020,
            "add x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Sub, Size::W, 3, 4, 5),
            0x4b050083,
            "sub w3, w4, w5"
        ),
        (
            alu_rrr(AluOp::Subs, Size::X, 31, 1, 2),
            0xeb02003f,
            "cmp x1, x2"
        ),
        (
            alu_rrr(AluOp::And, Size::X, 0, 1, 2),
            0x8a020020,
            "and x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Orr, Size::W, 0, 1, 2),
            0x2a020020,
            "orr w0, w1, w2"
        ),
        (
            alu_rrr(AluOp::Eor, Size::X, 9, 10, 11),
            0xca0b0149,
            "eor x9, x10, x11"
        ),
        (
            alu_rrr(AluOp::Bic, Size::X, 0, 1, 2),
            0x8a220020,
            "bic x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Orn, Size::W, 0, 31, 2),
            0x2a2203e0,
            "mvn w0, w2"
        ),
        (
            alu_rrr(AluOp::Eon, Size::X, 0, 1, 2),
            0xca220020,
            "eon x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Udiv, Size::X, 0, 1, 2),
            0x9ac20820,
            "udiv x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Sdiv, Size::W, 0, 1, 2),
            0x1ac20c20,
            "sdiv w0, w1, w2"
        ),
        (
            alu_rrr(AluOp::Lslv, Size::X, 0, 1, 2),
            0x9ac22020,
            "lsl x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Lsrv, Size::W, 0, 1, 2),
            0x1ac22420,
            "lsr w0, w1, w2"
        ),
        (
            alu_rrr(AluOp::Asrv, Size::X, 0, 1, 2),
            0x9ac22820,
            "asr x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Rorv, Size::X, 0, 1, 2),
            0x9ac22c20,
            "ror x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Adcs, Size::X, 0, 1, 2),
            0xba020020,
            "adcs x0, x1, x2"
        ),
        (
            alu_rrr(AluOp::Sbc, Size::X, 0, 1, 2),
            0xda020020,
            "sbc x0, x1, x2"
        ),
        (
            alu_rrr_shift(AluOp::Add, Size::X, 0, 1, 2, ShiftKind::Lsl, 3),
            0x8b020c20,
            "add x0, x1, x2, lsl #3"
        ),
        (
            alu_rrr_shift(AluOp::Subs, Size::X, 31, 1, 2, ShiftKind::Asr, 63),
            0xeb82fc3f,
            "cmp x1, x2, asr #63"
        ),
        (
            alu_rrr_extend(AluOp::Subs, Size::W, 31, 1, 2, ExtendOp::Uxtb),
            0x6b22003f,
            "cmp w1, w2, uxtb"
        ),
        (
            alu_rrr_extend(AluOp::Add, Size::X, 31, 31, 16, ExtendOp::Uxtx),
            0x8b3063ff,
            "add sp, sp, x16"
        ),
        (
            alu_rr_imm12(
                AluOp::Add,
                Size::X,
                0,
                1,
                Imm12 {
                    bits: 4095,
                    shift12: true
                }
            ),
            0x917ffc20,
            "add x0, x1, #4095, lsl #12"
        ),
        (
            alu_rr_imm12(
                AluOp::Sub,
                Size::W,
                2,
                3,
                Imm12 {
                    bits: 7,
                    shift12: false
                }
            ),
            0x51001c62,
            "sub w2, w3, #7"
        ),
        (
            alu_rr_imm12(
                AluOp::Subs,
                Size::X,
                31,
                5,
                Imm12 {
                    bits: 0,
                    shift12: false
                }
            ),
            0xf10000bf,
            "cmp x5, #0"
        ),
        (
            alu_rr_imm_logic(
                AluOp::And,
                Size::X,
                0,
                1,
                ImmLogic::maybe_from_u64(0xff, 64).unwrap()
            ),
            0x92401c20,
            "and x0, x1, #0xff"
        ),
        (
            alu_rr_imm_logic(
                AluOp::Orr,
                Size::W,
                0,
                1,
                ImmLogic::maybe_from_u64(0xf0f0_f0f0, 32).unwrap()
            ),
            0x3204cc20,
            "orr w0, w1, #0xf0f0f0f0"
        ),
        (
            alu_rr_imm_logic(
                AluOp::Eor,
                Size::X,
                0,
                1,
                ImmLogic::maybe_from_u64(0x8000_0000_0000_0000, 64).unwrap()
            ),
            0xd2410020,
            "eor x0, x1, #0x8000000000000000"
        ),
        (
            alu_rr_imm_logic(
                AluOp::Ands,
                Size::W,
                31,
                1,
                ImmLogic::maybe_from_u64(0x40, 32).unwrap()
            ),
            0x721a003f,
            "tst w1, #0x40"
        ),
        (
            alu_rr_imm_logic(
                AluOp::And,
                Size::X,
                0,
                1,
                ImmLogic::maybe_from_u64(0x7fff_ffff_ffff_fffe, 64).unwrap()
            ),
            0x927ff420,
            "and x0, x1, #0x7ffffffffffffffe"
        ),
        (
            alu_rrrr(AluOp3::Madd, Size::X, 0, 1, 2, 3),
            0x9b020c20,
            "madd x0, x1, x2, x3"
        ),
        (
            alu_rrrr(AluOp3::Msub, Size::W, 0, 1, 2, 3),
            0x1b028c20,
            "msub w0, w1, w2, w3"
        ),
        (
            alu_rrrr(AluOp3::Smulh, Size::X, 0, 1, 2, 31),
            0x9b427c20,
            "smulh x0, x1, x2"
        ),
        (
            alu_rrrr(AluOp3::Umulh, Size::X, 0, 1, 2, 31),
            0x9bc27c20,
            "umulh x0, x1, x2"
        ),
        (
            alu_rrrr(AluOp3::Umull, Size::X, 0, 1, 2, 31),
            0x9ba27c20,
            "umull x0, w1, w2"
        ),
        (
            alu_rrrr(AluOp3::Smull, Size::X, 0, 1, 2, 31),
            0x9b227c20,
            "smull x0, w1, w2"
        ),
        (bit_rr(BitOp::Clz, Size::X, 0, 1), 0xdac01020, "clz x0, x1"),
        (bit_rr(BitOp::Cls, Size::W, 0, 1), 0x5ac01420, "cls w0, w1"),
        (
            bit_rr(BitOp::Rbit, Size::X, 0, 1),
            0xdac00020,
            "rbit x0, x1"
        ),
        (bit_rr(BitOp::Rev, Size::X, 0, 1), 0xdac00c20, "rev x0, x1"),
        (bit_rr(BitOp::Rev, Size::W, 0, 1), 0x5ac00820, "rev w0, w1"),
        (
            bit_rr(BitOp::Rev16, Size::W, 0, 1),
            0x5ac00420,
            "rev16 w0, w1"
        ),
        (
            bitfield(BitfieldOp::Ubfm, Size::X, 0, 1, 63, 62),
            0xd37ff820,
            "lsl x0, x1, #1"
        ),
        (
            bitfield(BitfieldOp::Sbfm, Size::X, 0, 1, 63, 63),
            0x937ffc20,
            "asr x0, x1, #63"
        ),
        (
            bitfield(BitfieldOp::Sbfm, Size::W, 0, 1, 0, 7),
            0x13001c20,
            "sxtb w0, w1"
        ),
        (
            bitfield(BitfieldOp::Ubfm, Size::X, 0, 1, 32, 63),
            0xd360fc20,
            "lsr x0, x1, #32"
        ),
        (
            mov_wide(MoveWideOp::Movz, Size::X, 0, 0x1234, 16),
            0xd2a24680,
            "mov x0, #0x12340000"
        ),
        (
            mov_wide(MoveWideOp::Movn, Size::W, 0, 0, 0),
            0x12800000,
            "mov w0, #-1"
        ),
        (
            movk(Size::X, 3, 0xbeef, 48),
            0xf2f7dde3,
            "movk x3, #0xbeef, lsl #48"
        ),
        (mov(Size::X, 0, 1), 0xaa0103e0, "mov x0, x1"),
        (
            csel(CselOp::Csel, Cond::Lt, Size::X, 0, 1, 2),
            0x9a82b020,
            "csel x0, x1, x2, lt"
        ),
        (
            csel(CselOp::Csinc, Cond::Ne, Size::W, 0, 31, 31),
            0x1a9f17e0,
            "cset w0, eq"
        ),
        (
            csel(CselOp::Csinv, Cond::Hs, Size::X, 0, 31, 31),
            0xda9f23e0,
            "csetm x0, lo"
        ),
        (
            csel(CselOp::Csneg, Cond::Ge, Size::X, 0, 1, 1),
            0xda81a420,
            "cneg x0, x1, lt"
        ),
        (
            fcsel(FSize::D, Cond::Gt, 0, 1, 2),
            0x1e62cc20,
            "fcsel d0, d1, d2, gt"
        ),
        (fcmp(FSize::S, 1, 2), 0x1e222020, "fcmp s1, s2"),
        (
            fpu_rrr(FpuOp2::Fadd, FSize::D, 0, 1, 2),
            0x1e622820,
            "fadd d0, d1, d2"
        ),
        (
            fpu_rrr(FpuOp2::Fdiv, FSize::S, 0, 1, 2),
            0x1e221820,
            "fdiv s0, s1, s2"
        ),
        (
            fpu_rrr(FpuOp2::Fmin, FSize::D, 0, 1, 2),
            0x1e625820,
            "fmin d0, d1, d2"
        ),
        (
            fpu_rr(FpuOp1::Fneg, FSize::S, 0, 1),
            0x1e214020,
            "fneg s0, s1"
        ),
        (
            fpu_rr(FpuOp1::Fsqrt, FSize::D, 0, 1),
            0x1e61c020,
            "fsqrt d0, d1"
        ),
        (
            fpu_rr(FpuOp1::Frintm, FSize::D, 0, 1),
            0x1e654020,
            "frintm d0, d1"
        ),
        (
            fpu_rr(FpuOp1::Fcvt, FSize::S, 0, 1),
            0x1e22c020,
            "fcvt d0, s1"
        ),
        (
            fpu_rr(FpuOp1::Fcvt, FSize::D, 0, 1),
            0x1e624020,
            "fcvt s0, d1"
        ),
        (fcvt(FSize::H, FSize::S, 0, 1), 0x1ee24020, "fcvt s0, h1"),
        (fcvt(FSize::S, FSize::H, 2, 3), 0x1e23c062, "fcvt h2, s3"),
        (fcvt(FSize::D, FSize::H, 4, 5), 0x1e63c0a4, "fcvt h4, d5"),
        (fcvt(FSize::H, FSize::D, 6, 7), 0x1ee2c0e6, "fcvt d6, h7"),
        (
            fpu_rrr(FpuOp2::Fadd, FSize::H, 0, 1, 2),
            0x1ee22820,
            "fadd h0, h1, h2"
        ),
        (fcmp(FSize::H, 1, 2), 0x1ee22020, "fcmp h1, h2"),
        (
            fpu_rrrr(false, FSize::H, 0, 1, 2, 3),
            0x1fc20c20,
            "fmadd h0, h1, h2, h3"
        ),
        (
            fpu_rrrr(false, FSize::D, 0, 1, 2, 3),
            0x1f420c20,
            "fmadd d0, d1, d2, d3"
        ),
        (
            fpu_int(FpuIntOp::Scvtf, Size::X, FSize::D, 0, 1),
            0x9e620020,
            "scvtf d0, x1"
        ),
        (
            fpu_int(FpuIntOp::Fcvtzu, Size::W, FSize::S, 0, 1),
            0x1e390020,
            "fcvtzu w0, s1"
        ),
        (mov_to_fpu(Size::X, 0, 1), 0x9e670020, "fmov d0, x1"),
        (mov_from_fpu(Size::W, 0, 1), 0x1e260020, "fmov w0, s1"),
        (mov_vr(0, 1), 0x4ea11c20, "mov v0.16b, v1.16b"),
        (
            push_pair(false, 29, 30),
            0xa9bf7bfd,
            "stp x29, x30, [sp, #-16]!"
        ),
        (pop_pair(true, 8, 9), 0x6cc127e8, "ldp d8, d9, [sp], #16"),
        (
            load_pair_fp_rel(false, 19, 20, -32),
            0xa97e53b3,
            "ldp x19, x20, [x29, #-32]"
        ),
        (ldr_fp_8(0), 0xf94007a0, "ldr x0, [x29, #8]"),
        (fpu_cnt8b(0, 1), 0x0e205820, "cnt v0.8b, v1.8b"),
        (fpu_addv8b(0, 1), 0x0e31b820, "addv b0, v1.8b"),
        (umov_b0(0, 1), 0x0e013c20, "umov w0, v1.b[0]"),
        (dmb_ish(), 0xd5033bbf, "dmb ish"),
        (ret(), 0xd65f03c0, "ret"),
        (udf(0xc11f), 0x0000c11f, "udf #0xc11f"),
        (
            vec_rrr(VecAluOp::Add, VecLanes::S4, 0, 1, 2),
            0x4ea28420,
            "add v0.4s, v1.4s, v2.4s"
        ),
        (
            vec_rrr(VecAluOp::Cmhi, VecLanes::D2, 0, 1, 2),
            0x6ee23420,
            "cmhi v0.2d, v1.2d, v2.2d"
        ),
        (
            vec_rrr(VecAluOp::Ushl, VecLanes::H8, 0, 1, 2),
            0x6e624420,
            "ushl v0.8h, v1.8h, v2.8h"
        ),
        (
            vec_rrr(VecAluOp::Sqrdmulh, VecLanes::S4, 0, 1, 2),
            0x6ea2b420,
            "sqrdmulh v0.4s, v1.4s, v2.4s"
        ),
        (
            vec_rrr(VecAluOp::Bic, VecLanes::B16, 0, 1, 2),
            0x4e621c20,
            "bic v0.16b, v1.16b, v2.16b"
        ),
        (
            vec_rrr(VecAluOp::Bsl, VecLanes::B16, 0, 1, 2),
            0x6e621c20,
            "bsl v0.16b, v1.16b, v2.16b"
        ),
        (
            vec_rrr(VecAluOp::Fmin, VecLanes::D2, 0, 1, 2),
            0x4ee2f420,
            "fmin v0.2d, v1.2d, v2.2d"
        ),
        (
            vec_rrr(VecAluOp::Fcmgt, VecLanes::S4, 0, 1, 2),
            0x6ea2e420,
            "fcmgt v0.4s, v1.4s, v2.4s"
        ),
        (
            vec_rrr(VecAluOp::Addp, VecLanes::B16, 0, 1, 2),
            0x4e22bc20,
            "addp v0.16b, v1.16b, v2.16b"
        ),
        (
            vec_rr(VecMiscOp::Neg, VecLanes::D2, 0, 1),
            0x6ee0b820,
            "neg v0.2d, v1.2d"
        ),
        (
            vec_rr(VecMiscOp::Not, VecLanes::B16, 0, 1),
            0x6e205820,
            "mvn v0.16b, v1.16b"
        ),
        (
            vec_rr(VecMiscOp::Fsqrt, VecLanes::S4, 0, 1),
            0x6ea1f820,
            "fsqrt v0.4s, v1.4s"
        ),
        (
            vec_rr(VecMiscOp::Fcvtzs, VecLanes::D2, 0, 1),
            0x4ee1b820,
            "fcvtzs v0.2d, v1.2d"
        ),
        (
            vec_rr(VecMiscOp::Frintp, VecLanes::S4, 0, 1),
            0x4ea18820,
            "frintp v0.4s, v1.4s"
        ),
        (
            vec_rr(VecMiscOp::Xtn, VecLanes::B16, 0, 1),
            0x0e212820,
            "xtn v0.8b, v1.8h"
        ),
        (
            vec_rr(VecMiscOp::Sqxtun2, VecLanes::H8, 0, 1),
            0x6e612820,
            "sqxtun2 v0.8h, v1.4s"
        ),
        (
            vec_rr(VecMiscOp::Fcvtl, VecLanes::S4, 0, 1),
            0x0e617820,
            "fcvtl v0.2d, v1.2s"
        ),
        (
            vec_rr(VecMiscOp::Fcvtn, VecLanes::S4, 0, 1),
            0x0e616820,
            "fcvtn v0.2s, v1.2d"
        ),
        (push_q(5), 0x3c9f0fe5, "str q5, [sp, #-0x10]!"),
        (
            vec_rr(VecMiscOp::Rev16, VecLanes::B16, 0, 1),
            0x4e201820,
            "rev16 v0.16b, v1.16b"
        ),
        (
            vec_rr(VecMiscOp::Rev32, VecLanes::B16, 0, 1),
            0x6e200820,
            "rev32 v0.16b, v1.16b"
        ),
        (
            vec_rr(VecMiscOp::Rev64, VecLanes::B16, 0, 1),
            0x4e200820,
            "rev64 v0.16b, v1.16b"
        ),
        (pop_q(31), 0x3cc107ff, "ldr q31, [sp], #0x10"),
        (
            vec_rr(VecMiscOp::Uaddlp, VecLanes::B16, 0, 1),
            0x6e202820,
            "uaddlp v0.8h, v1.16b"
        ),
        (
            vec_rr(VecMiscOp::Uaddlp, VecLanes::H8, 0, 1),
            0x6e602820,
            "uaddlp v0.4s, v1.8h"
        ),
        (
            vec_rr(VecMiscOp::Uaddlp, VecLanes::S4, 0, 1),
            0x6ea02820,
            "uaddlp v0.2d, v1.4s"
        ),
        (
            vec_rr(VecMiscOp::Cmeq0, VecLanes::D2, 0, 1),
            0x4ee09820,
            "cmeq v0.2d, v1.2d, #0"
        ),
        (
            vec_shift_imm(VecShiftOp::Ushr, VecLanes::B16, 0, 1, 7),
            0x6f090420,
            "ushr v0.16b, v1.16b, #7"
        ),
        (
            vec_shift_imm(VecShiftOp::Sxtl2, VecLanes::H8, 0, 1, 0),
            0x4f10a420,
            "sxtl2 v0.4s, v1.8h"
        ),
        (
            vec_shift_imm(VecShiftOp::Uxtl, VecLanes::S4, 0, 1, 0),
            0x2f20a420,
            "uxtl v0.2d, v1.2s"
        ),
        (
            vec_across(VecAcrossOp::Uminv, VecLanes::S4, 0, 1),
            0x6eb1a820,
            "uminv s0, v1.4s"
        ),
        (vec_dup(VecLanes::H8, 0, 1), 0x4e020c20, "dup v0.8h, w1"),
        (
            vec_dup_elem(VecLanes::D2, 0, 1, 1),
            0x4e180420,
            "dup v0.2d, v1.d[1]"
        ),
        (
            vec_umov(VecLanes::D2, 0, 1, 1),
            0x4e183c20,
            "mov x0, v1.d[1]"
        ),
        (
            vec_umov(VecLanes::H8, 0, 1, 5),
            0x0e163c20,
            "umov w0, v1.h[5]"
        ),
        (
            vec_ins(VecLanes::S4, 0, 1, 3),
            0x4e1c1c20,
            "mov v0.s[3], w1"
        ),
        (
            vec_ins_elem(VecLanes::B16, 0, 1, 15, 0),
            0x6e1f0420,
            "mov v0.b[15], v1.b[0]"
        ),
        (
            vec_tbl1(0, 1, 2),
            0x4e020020,
            "tbl v0.16b, {v1.16b}, v2.16b"
        ),
        (
            vec_tbl2(0, 30, 2),
            0x4e0223c0,
            "tbl v0.16b, {v30.16b, v31.16b}, v2.16b"
        ),
        (
            vec_mull(false, true, VecLanes::H8, 0, 1, 2),
            0x6e62c020,
            "umull2 v0.4s, v1.8h, v2.8h"
        ),
        (
            vec_uzp2(VecLanes::H8, 0, 1, 2),
            0x4e425820,
            "uzp2 v0.8h, v1.8h, v2.8h"
        ),
        (
            vec_fmla(VecLanes::D2, 0, 1, 2),
            0x4e62cc20,
            "fmla v0.2d, v1.2d, v2.2d"
        ),
    ]
}

#[test]
fn encodings_match_the_assembler_and_capstone() {
    let cs = Capstone::new()
        .arm64()
        .mode(arch::arm64::ArchMode::Arm)
        .build()
        .expect("capstone builds");
    let mut wrong = Vec::new();
    for (word, expected, text) in cases() {
        if word != expected {
            wrong.push(alloc::format!(
                "{text}: {word:#010x}, the assembler gives {expected:#010x}"
            ));
            continue;
        }
        let insns = cs
            .disasm_all(&word.to_le_bytes(), 0)
            .expect("capstone disassembles");
        let Some(insn) = insns.iter().next() else {
            wrong.push(alloc::format!("{text}: {word:#010x} does not decode"));
            continue;
        };
        let mnemonic = insn.mnemonic().unwrap_or("");
        let want = text.split_whitespace().next().unwrap_or("");
        // Capstone prints the widening moves by their underlying instruction.
        const ALIASES: [(&str, &str); 4] = [
            ("sxtl", "sshll"),
            ("sxtl2", "sshll2"),
            ("uxtl", "ushll"),
            ("uxtl2", "ushll2"),
        ];
        let alias = ALIASES.iter().any(|&(a, b)| a == want && b == mnemonic);
        if mnemonic != want && !alias {
            let ops = insn.op_str().unwrap_or("");
            wrong.push(alloc::format!("{text}: Capstone reads {mnemonic} {ops}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The words `f` emits, through the emission context of a function without a frame.
fn emitted(f: impl FnOnce(&mut super::emit::Emit<'_>)) -> Vec<u32> {
    let mut buf = crate::machinst::buffer::MachBuffer::new();
    let frame = super::frame::Frame::new(crate::machinst::abi::FrameAreas::default());
    let mut e = super::emit::Emit {
        buf: &mut buf,
        labels: &[],
        next: None,
        frame: &frame,
    };
    f(&mut e);
    let code = buf.finish().expect("no labels").data;
    code.chunks(4)
        .map(|w| u32::from_le_bytes(w.try_into().expect("4 bytes")))
        .collect()
}

/// Loads and stores pick the scaled 12-bit, the unscaled 9-bit or the register-offset
/// form, and build a large offset in x16 (the words from the GNU assembler).
#[test]
fn memory_operands_take_the_encodable_form() {
    use super::args::AModeAlloc::{RegOffset, RegReg};
    use super::emit::{load, store};
    let cases: Vec<(Vec<u32>, Vec<u32>, &str)> = alloc::vec![
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegOffset(1, 8), None)),
            alloc::vec![0xf940_0420],
            "ldr x0, [x1, #8]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrw, 2, &RegOffset(3, 16380), None)),
            alloc::vec![0xb97f_fc62],
            "ldr w2, [x3, #16380]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegOffset(1, -8), None)),
            alloc::vec![0xf85f_8020],
            "ldur x0, [x1, #-8]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegOffset(1, 3), None)),
            alloc::vec![0xf840_3020],
            "ldur x0, [x1, #3]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrb, 0, &RegOffset(1, 4095), None)),
            alloc::vec![0x397f_fc20],
            "ldrb w0, [x1, #4095]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrshx, 0, &RegOffset(1, 2), None)),
            alloc::vec![0x7980_0420],
            "ldrsh x0, [x1, #2]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegReg(1, 2, false, None), None)),
            alloc::vec![0xf862_6820],
            "ldr x0, [x1, x2]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrw, 0, &RegReg(1, 2, false, Some(false)), None)),
            alloc::vec![0xb862_4820],
            "ldr w0, [x1, w2, uxtw]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegReg(1, 2, false, Some(true)), None)),
            alloc::vec![0xf862_c820],
            "ldr x0, [x1, w2, sxtw]"
        ),
        (
            emitted(|e| store(e, StoreOp::Strq, 0, &RegOffset(31, 32), None)),
            alloc::vec![0x3d80_0be0],
            "str q0, [sp, #32]"
        ),
        (
            emitted(|e| store(e, StoreOp::Strd, 1, &RegOffset(29, -16), None)),
            alloc::vec![0xfc1f_03a1],
            "stur d1, [x29, #-16]"
        ),
        (
            emitted(|e| store(e, StoreOp::Strh, 5, &RegOffset(6, 6), None)),
            alloc::vec![0x7900_0cc5],
            "strh w5, [x6, #6]"
        ),
        (
            emitted(|e| load(e, LoadOp::Ldrx, 0, &RegOffset(1, 0x4000_0000), None)),
            alloc::vec![0xd2a8_0010, 0xf870_6820],
            "mov x16, #0x40000000; ldr x0, [x1, x16]"
        ),
    ];
    for (got, want, text) in cases {
        assert_eq!(
            got, want,
            "{text}: {got:08x?}, the assembler gives {want:08x?}"
        );
    }
}

/// The stack switch's sequence, as the GNU assembler encodes it (`adr x5` to the word
/// after `br x17`, where `bti j` goes with `use_bti`).
#[test]
fn stack_switch_matches_the_assembler() {
    let words = alloc::vec![
        0xf940_0050, // ldr x16, [x2]
        0xf940_0443, // ldr x3, [x2, #8]
        0xf940_0851, // ldr x17, [x2, #16]
        0x9100_03e4, // mov x4, sp
        0xf900_0024, // str x4, [x1]
        0xf900_043d, // str x29, [x1, #8]
        0x1000_00a5, // adr x5, resume
        0xf900_0825, // str x5, [x1, #16]
        0x9100_021f, // mov sp, x16
        0xaa03_03fd, // mov x29, x3
        0xd61f_0220, // br x17
    ];
    assert_eq!(emitted(super::emit::stack_switch), words);
    let mut buf = crate::machinst::buffer::MachBuffer::new();
    let mut frame = super::frame::Frame::new(crate::machinst::abi::FrameAreas::default());
    frame.bti = true;
    let mut e = super::emit::Emit {
        buf: &mut buf,
        labels: &[],
        next: None,
        frame: &frame,
    };
    super::emit::stack_switch(&mut e);
    let code = buf.finish().expect("no labels").data;
    assert_eq!(code.len(), 4 * (words.len() + 1));
    assert_eq!(code[4 * words.len()..], 0xd503_249f_u32.to_le_bytes()); // bti j
}
