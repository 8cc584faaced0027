//! The encoder of ModR/M-based instructions: legacy prefixes, REX, opcode, ModR/M, SIB,
//! displacement (Intel SDM Vol. 2A, chapter 2 "Instruction Format", §2.1-2.2).
//!
//! Immediates follow the encoded bytes; [`emit_imm`] appends them. Below that: the label
//! reference kind ([`Rel32`]), and the small helpers every emitter shares (registers of
//! allocations, traps, jumps, moves between registers and memory).

use super::MoveKind;
use super::args::{Amode, RegMem};
use super::regs::{Gpr, Xmm};
use crate::ir::TrapCode;
use crate::machinst::buffer::{LabelUse, MachBuffer, MachLabel};
use alloc::vec::Vec;
use regalloc2::Allocation;

/// The legacy prefixes an instruction needs, emitted in this order before REX.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Prefixes {
    /// `0xF0`: LOCK.
    pub lock: bool,
    /// `0x66`: operand-size override (16-bit operands; mandatory prefix of some SSE).
    pub operand_size: bool,
    /// `0xF2` or `0xF3`: REPNE/REP, the mandatory prefix of scalar SSE forms.
    pub rep: Option<u8>,
}

/// How the REX prefix must be formed beyond what the operands require.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RexFlags {
    /// REX.W: 64-bit operand size.
    pub w: bool,
    /// Emit a REX prefix even if no bit is set, so that encodings 4-7 of byte
    /// registers mean `spl`, `bpl`, `sil`, `dil` rather than `ah`-`bh` (§2.2.1.2).
    pub force: bool,
}

impl RexFlags {
    /// 64-bit operands.
    pub fn w() -> RexFlags {
        RexFlags {
            w: true,
            force: false,
        }
    }

    /// No REX unless the registers need it.
    pub fn none() -> RexFlags {
        RexFlags::default()
    }

    /// The flags for byte operations on `regs`: REX forced if any of them is one of
    /// `spl`, `bpl`, `sil`, `dil`.
    pub fn for_byte_regs(regs: &[Gpr]) -> RexFlags {
        RexFlags {
            w: false,
            force: regs.iter().any(|r| r.byte_needs_rex()),
        }
    }
}

fn rex_byte(flags: RexFlags, r: u8, x: u8, b: u8) -> Option<u8> {
    let bits = (u8::from(flags.w) << 3) | ((r >> 3) << 2) | ((x >> 3) << 1) | (b >> 3);
    (bits != 0 || flags.force).then_some(0x40 | bits)
}

fn modrm(m: u8, reg: u8, rm: u8) -> u8 {
    (m << 6) | ((reg & 7) << 3) | (rm & 7)
}

/// Emits `[prefixes] [REX] opcode ModR/M [SIB] [disp]`.
///
/// `reg` is the ModR/M `reg` field: a register's hardware encoding (0-15), or the opcode
/// extension `/digit` (0-7). `rm` is the register or memory operand.
///
/// # Panics
/// If `rsp` is used as an index register (it cannot be encoded), or a scale shift is
/// above 3.
pub fn emit_modrm(
    out: &mut Vec<u8>,
    prefixes: Prefixes,
    rex: RexFlags,
    opcode: &[u8],
    reg: u8,
    rm: RegMem,
) {
    if prefixes.lock {
        out.push(0xF0);
    }
    if prefixes.operand_size {
        out.push(0x66);
    }
    if let Some(p) = prefixes.rep {
        out.push(p);
    }
    match rm {
        RegMem::Reg(r) => {
            out.extend(rex_byte(rex, reg, 0, r));
            out.extend_from_slice(opcode);
            out.push(modrm(0b11, reg, r));
        }
        RegMem::Mem(amode) => {
            let (x, b) = match amode {
                Amode::ImmReg { base, .. } => (0, base.enc()),
                Amode::ImmRegRegShift { base, index, .. } => (index.enc(), base.enc()),
                Amode::RipRelative { .. } => (0, 0),
            };
            out.extend(rex_byte(rex, reg, x, b));
            out.extend_from_slice(opcode);
            emit_amode(out, reg, amode);
        }
    }
}

/// The ModR/M `mod` field and displacement bytes for `disp` off a base whose low three
/// bits are `base_low`: no displacement is possible only for bases other than
/// `rbp`/`r13` (their `mod = 00` encoding means "no base, disp32").
fn disp_mode(disp: i32, base_low: u8) -> (u8, Vec<u8>) {
    if disp == 0 && base_low != 5 {
        (0b00, Vec::new())
    } else if let Ok(d8) = i8::try_from(disp) {
        (0b01, alloc::vec![d8 as u8])
    } else {
        (0b10, disp.to_le_bytes().to_vec())
    }
}

fn emit_amode(out: &mut Vec<u8>, reg: u8, amode: Amode) {
    match amode {
        Amode::ImmReg { base, disp } => {
            let low = base.enc() & 7;
            let (m, d) = disp_mode(disp, low);
            if low == 4 {
                // `rsp`/`r12` as rm means "a SIB byte follows": base only, no index.
                out.push(modrm(m, reg, 0b100));
                out.push(0b00_100_100);
            } else {
                out.push(modrm(m, reg, low));
            }
            out.extend(d);
        }
        Amode::ImmRegRegShift {
            base,
            index,
            shift,
            disp,
        } => {
            assert!(index != Gpr::RSP, "rsp cannot be an index register");
            assert!(shift <= 3, "scale shift {shift} out of range");
            let (m, d) = disp_mode(disp, base.enc() & 7);
            out.push(modrm(m, reg, 0b100));
            out.push((shift << 6) | ((index.enc() & 7) << 3) | (base.enc() & 7));
            out.extend(d);
        }
        Amode::RipRelative { disp } => {
            out.push(modrm(0b00, reg, 0b101));
            out.extend_from_slice(&disp.to_le_bytes());
        }
    }
}

/// Emits `[prefixes] [REX] (opcode + reg)`: the forms with the register in the low three
/// bits of the opcode (`push`, `mov r, imm`, ...), REX.B holding the fourth bit.
pub fn emit_opcode_reg(out: &mut Vec<u8>, prefixes: Prefixes, rex: RexFlags, opcode: u8, reg: u8) {
    if prefixes.operand_size {
        out.push(0x66);
    }
    out.extend(rex_byte(rex, 0, 0, reg));
    out.push(opcode | (reg & 7));
}

/// Appends the low `bytes` bytes (1, 2, 4 or 8) of `value`, little-endian.
pub fn emit_imm(out: &mut Vec<u8>, value: i64, bytes: u8) {
    out.extend_from_slice(&value.to_le_bytes()[..bytes as usize]);
}

/// The one kind of label reference of x86-64: a 32-bit PC-relative field holding
/// `label - field_offset + addend`, the addend being what the field held before patching
/// (-4 for `jmp`/`jcc rel32` and RIP-relative addresses, which count from the field's
/// end; `4 * i` for jump-table entry `i`, which counts from the table's start).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rel32;

impl LabelUse for Rel32 {
    fn max_pos_range(self) -> u32 {
        i32::MAX as u32
    }
    fn max_neg_range(self) -> u32 {
        i32::MAX as u32
    }
    fn patch_size(self) -> u32 {
        4
    }
    fn patch(self, bytes: &mut [u8], use_offset: u32, label_offset: u32) {
        let addend = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let rel = label_offset as i64 - use_offset as i64 + addend as i64;
        bytes.copy_from_slice(&(rel as i32).to_le_bytes());
    }
    fn supports_veneer(self) -> bool {
        false
    }
    fn veneer_size(self) -> u32 {
        0
    }
    fn generate_veneer(self, _: &mut [u8], _: u32) -> (u32, Self) {
        unreachable!("rel32 references reach the whole code")
    }
    // jmp and jcc have rel8 forms.
    const SHORT_FORMS: bool = true;
}

/// No prefix.
pub(super) const NONE: Prefixes = Prefixes {
    lock: false,
    operand_size: false,
    rep: None,
};

/// The general register an allocation is.
pub(super) fn gpr(a: Allocation) -> Gpr {
    Gpr::from_preg(
        a.as_reg()
            .expect("register operands are allocated to registers"),
    )
    .expect("an integer register")
}

/// The xmm register an allocation is.
pub(super) fn xmm(a: Allocation) -> Xmm {
    Xmm::from_preg(
        a.as_reg()
            .expect("register operands are allocated to registers"),
    )
    .expect("an xmm register")
}

/// The mandatory prefix of scalar single (F3) or double (F2) SSE forms.
pub(super) fn scalar(double: bool) -> Prefixes {
    Prefixes {
        rep: Some(if double { 0xf2 } else { 0xf3 }),
        ..NONE
    }
}

/// `ud2`, recorded as a trap site with `code`.
pub(super) fn trap(buf: &mut MachBuffer<Rel32>, code: TrapCode) {
    buf.add_trap(code);
    buf.put_data(&[0x0f, 0x0b]);
}

/// Traps with `code` unless the short-jump condition `jcc` (its one-byte opcode) holds:
/// `jcc +2; ud2`.
pub(super) fn trap_unless(buf: &mut MachBuffer<Rel32>, jcc: u8, code: TrapCode) {
    buf.put_data(&[jcc, 2]);
    trap(buf, code);
}

/// A move of `kind` between a register and memory: `mov` (64-bit), `movss`, `movsd`, or
/// `movups` (F3/F2/none 0F 10 loads, 0F 11 stores).
pub(super) fn xmm_or_gpr_move(b: &mut Vec<u8>, kind: MoveKind, reg: u8, mem: Amode, store: bool) {
    let opcode = [0x0f, if store { 0x11 } else { 0x10 }];
    let mem = RegMem::Mem(mem);
    match kind {
        MoveKind::F32 => emit_modrm(b, scalar(false), RexFlags::none(), &opcode, reg, mem),
        MoveKind::F64 => emit_modrm(b, scalar(true), RexFlags::none(), &opcode, reg, mem),
        MoveKind::V128 => emit_modrm(b, NONE, RexFlags::none(), &opcode, reg, mem),
        MoveKind::Int => {
            let op = if store { 0x89 } else { 0x8b };
            emit_modrm(b, NONE, RexFlags::w(), &[op], reg, mem)
        }
    }
}

/// A jump or branch `opcode` to `label` with a 32-bit displacement (`jmp`: E9,
/// `jcc`: 0F 80+cc), shortened to the 8-bit form when the target is near (see
/// `MachBuffer::add_short_form`).
pub(super) fn jump(buf: &mut MachBuffer<Rel32>, opcode: &[u8], label: MachLabel) {
    let start = buf.cur_offset();
    buf.put_data(opcode);
    rel32(buf, label, -4);
    // The rel8 forms, when the target turns out close: `jmp` EB, `jcc` 70+cc.
    let short = match opcode {
        [0xe9] => Some(0xeb),
        [0x0f, op] if op & 0xf0 == 0x80 => Some(0x70 | (op & 0x0f)),
        _ => None,
    };
    if let Some(short) = short {
        buf.add_short_form(start, short);
    }
}

/// A 32-bit field referring to `label` (see [`Rel32`]).
pub(super) fn rel32(buf: &mut MachBuffer<Rel32>, label: MachLabel, addend: i32) {
    let at = buf.cur_offset();
    buf.put_data(&addend.to_le_bytes());
    buf.use_label_at_offset(at, label, Rel32);
}
