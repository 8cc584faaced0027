//! The encoder of ModR/M-based instructions: legacy prefixes, REX, opcode, ModR/M, SIB,
//! displacement (Intel SDM Vol. 2A, chapter 2 "Instruction Format", §2.1-2.2).
//!
//! Immediates follow the encoded bytes; [`emit_imm`] appends them.

use super::args::{Amode, RegMem};
use super::regs::Gpr;
use alloc::vec::Vec;

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
