//! Encodings checked against the GNU cross assembler: every opcode of every operand enum
//! of the table, and the fixed opcodes of the emitter, encoded with `encode.rs` and by
//! `s390x-linux-gnu-as -march=z15` from the same assembly text (operands chosen so every
//! field is non-zero, vector registers above 15 for the RXB bits; z15 for the opcodes
//! of its flags, the z13 baseline being checked on generated code in
//! `filetests/tests/s390x_backend.rs`). The assembler runs
//! at test time (scripts/test.sh installs it; missing, the test fails).

use super::encode::*;
use super::generated::*;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The long-displacement mnemonic of a load or store with both forms.
fn long_name(name: &str) -> String {
    format!("{name}y")
}

/// (our encoding, the assembly text) for every opcode.
fn cases() -> Vec<(Insn, String)> {
    let mut c: Vec<(Insn, String)> = Vec::new();
    for op in RrOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %r1,%r2", op.name())));
    }
    for op in RrkOp::ALL {
        c.push((
            rrf(op.code(), 3, 0, 1, 2),
            format!("{} %r1,%r2,%r3", op.name()),
        ));
    }
    for op in UnOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %r1,%r2", op.name())));
    }
    for op in CmpOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %r1,%r2", op.name())));
    }
    for op in CmpImmOp::ALL {
        c.push((ril(op.code(), 1, 100), format!("{} %r1,100", op.name())));
    }
    for op in CmpImm16Op::ALL {
        c.push((
            ri(op.code(), 1, -5i16 as u16),
            format!("{} %r1,-5", op.name()),
        ));
    }
    for op in CmpBrOp::ALL {
        c.push((
            rie(op.code(), 1, 2, 0x32, 8 << 4),
            format!("{} %r1,%r2,8,.+100", op.name()),
        ));
    }
    for op in CmpBrImmOp::ALL {
        let signed = matches!(op, CmpBrImmOp::Cij | CmpBrImmOp::Cgij);
        let (imm, text) = if signed {
            (-5i8 as u8, "-5")
        } else {
            (200, "200")
        };
        c.push((
            rie(op.code(), 1, 8, 0x32, imm),
            format!("{} %r1,{text},8,.+100", op.name()),
        ));
    }
    for op in RiOp::ALL {
        c.push((
            ri(op.code(), 1, -5i16 as u16),
            format!("{} %r1,-5", op.name()),
        ));
    }
    for op in RiLoadOp::ALL {
        c.push((ri(op.code(), 1, 0x1234), format!("{} %r1,4660", op.name())));
    }
    for op in RilOp::ALL {
        c.push((
            ril(op.code(), 1, 0x1234_5678),
            format!("{} %r1,305419896", op.name()),
        ));
    }
    for op in RilLoadOp::ALL {
        c.push((
            ril(op.code(), 1, 0x1234_5678),
            format!("{} %r1,305419896", op.name()),
        ));
    }
    for op in RieOp::ALL {
        c.push((
            rie(op.code(), 1, 2, -7i16 as u16, 0),
            format!("{} %r1,%r2,-7", op.name()),
        ));
    }
    for op in ShiftOp::ALL {
        c.push((
            rxy(op.code(), 1, 2, 0, 5),
            format!("{} %r1,%r2,5", op.name()),
        ));
        c.push((
            rxy(op.code(), 1, 2, 3, 0),
            format!("{} %r1,%r2,0(%r3)", op.name()),
        ));
    }
    for op in LocOp::ALL {
        c.push((
            rrf(op.code(), 8, 0, 1, 2),
            format!("{} %r1,%r2,8", op.name()),
        ));
    }
    for op in SelOp::ALL {
        c.push((
            rrf(op.code(), 3, 8, 1, 2),
            format!("{} %r1,%r2,%r3,8", op.name()),
        ));
    }
    for op in LocImmOp::ALL {
        c.push((
            rie(op.code(), 1, 8, -3i16 as u16, 0),
            format!("{} %r1,-3,8", op.name()),
        ));
    }
    for op in DivOp::ALL {
        c.push((rr(op.code(), 2, 5), format!("{} %r2,%r5", op.name())));
    }
    let mem_pair = |code: u32, name: &str, reg: &str, c: &mut Vec<(Insn, String)>| {
        let (short, long) = (code >> 16, code & 0xffff);
        if short != 0 {
            c.push((
                rx(short, 1, 2, 3, 100),
                format!("{name} {reg}1,100(%r2,%r3)"),
            ));
            let long_text = format!("{} {reg}1,-100(%r2,%r3)", long_name(name));
            c.push((rxy(long, 1, 2, 3, -100), long_text));
        } else {
            c.push((
                rxy(long, 1, 2, 3, -100),
                format!("{name} {reg}1,-100(%r2,%r3)"),
            ));
        }
    };
    for op in LoadOp::ALL {
        let reg = if matches!(op, LoadOp::Le | LoadOp::Ld) {
            "%f"
        } else {
            "%r"
        };
        mem_pair(op.code(), op.name(), reg, &mut c);
    }
    for op in StoreOp::ALL {
        let reg = if matches!(op, StoreOp::Ste | StoreOp::Std) {
            "%f"
        } else {
            "%r"
        };
        mem_pair(op.code(), op.name(), reg, &mut c);
    }
    for op in RxOp::ALL {
        mem_pair(op.code(), op.name(), "%r", &mut c);
    }
    for op in CmpMemOp::ALL {
        mem_pair(op.code(), op.name(), "%r", &mut c);
    }
    for op in LoadTestOp::ALL {
        mem_pair(op.code(), op.name(), "%r", &mut c);
    }
    for op in LaaOp::ALL {
        c.push((
            rxy(op.code(), 1, 2, 3, -8),
            format!("{} %r1,%r2,-8(%r3)", op.name()),
        ));
    }
    c.push((rs(CsOp::Cs.code(), 1, 2, 3, 8), "cs %r1,%r2,8(%r3)".into()));
    c.push((
        rxy(CsOp::Csg.code(), 1, 2, 3, -8),
        "csg %r1,%r2,-8(%r3)".into(),
    ));
    for op in FpuRrOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %f1,%f2", op.name())));
    }
    for op in FpuUnOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %f1,%f2", op.name())));
    }
    for op in FmaOp::ALL {
        c.push((
            rrf(op.code(), 1, 0, 2, 3),
            format!("{} %f1,%f2,%f3", op.name()),
        ));
    }
    for op in FpuCmpOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %f1,%f2", op.name())));
    }
    for op in FpuRoundOp::ALL {
        c.push((
            rrf(op.code(), 5, 4, 1, 2),
            format!("{} %f1,5,%f2,4", op.name()),
        ));
    }
    for op in FpuToIntOp::ALL {
        c.push((
            rrf(op.code(), 5, 0, 1, 2),
            format!("{} %r1,5,%f2,0", op.name()),
        ));
    }
    for op in IntToFpuOp::ALL {
        c.push((
            rrf(op.code(), 0, 0, 1, 2),
            format!("{} %f1,0,%r2,0", op.name()),
        ));
    }
    // Extended BFP: R1 and R2 designate valid pairs (1/3, 5/7).
    for op in FpuXOp::ALL {
        c.push((rr(op.code(), 1, 5), format!("{} %f1,%f5", op.name())));
    }
    for op in FpuXExtOp::ALL {
        c.push((rr(op.code(), 1, 2), format!("{} %f1,%f2", op.name())));
    }
    for op in FpuXNarrowOp::ALL {
        c.push((
            rrf(op.code(), 0, 0, 1, 5),
            format!("{} %f1,0,%f5,0", op.name()),
        ));
    }
    for op in FpuXToIntOp::ALL {
        c.push((
            rrf(op.code(), 5, 0, 2, 5),
            format!("{} %r2,5,%f5,0", op.name()),
        ));
    }
    for op in IntToFpuXOp::ALL {
        c.push((
            rrf(op.code(), 0, 0, 1, 2),
            format!("{} %f1,0,%r2,0", op.name()),
        ));
    }
    for op in VecFpOp::ALL {
        c.push((
            vrr(op.code(), 17, 2, 18, 0, 0, 8, 3),
            format!("{} %v17,%v2,%v18", op.name()),
        ));
    }
    for op in VecFmaOp::ALL {
        let text = format!("{} %v1,%v18,%v3,%v20", op.name());
        c.push((vrr4(op.code(), 1, 18, 3, 20, 3, 0, 8, 0), text));
    }
    for op in VecBitOp::ALL {
        c.push((
            vrr(op.code(), 1, 18, 3, 0, 0, 0, 0),
            format!("{} %v1,%v18,%v3", op.name()),
        ));
    }
    for op in VecMemOp::ALL {
        let element = if matches!(op, VecMemOp::Vleh | VecMemOp::Vsteh) {
            ",0"
        } else {
            ""
        };
        let text = format!("{} %v17,100(%r2,%r3){element}", op.name());
        c.push((vrx(op.code(), 17, 2, 3, 100, 0), text));
    }
    for op in VecIntOp::ALL {
        // The compares and saturating packs have a condition-code control (M5).
        let m5 = if matches!(
            op,
            VecIntOp::Vceq | VecIntOp::Vch | VecIntOp::Vchl | VecIntOp::Vpks | VecIntOp::Vpkls
        ) {
            ",0"
        } else {
            ""
        };
        let size = if matches!(op, VecIntOp::Vsum) { 1 } else { 2 };
        let text = format!("{} %v17,%v2,%v18,{size}{m5}", op.name());
        c.push((vrr(op.code(), 17, 2, 18, 0, 0, 0, size), text));
    }
    for op in VecUnOp::ALL {
        let size = if matches!(op, VecUnOp::Vpopct) { 0 } else { 2 };
        let text = format!("{} %v17,%v2,{size}", op.name());
        c.push((vrr(op.code(), 17, 2, 0, 0, 0, 0, size), text));
    }
    for op in VecFpVOp::ALL {
        let m6 = if matches!(op, VecFpVOp::Vfce | VecFpVOp::Vfch | VecFpVOp::Vfche) {
            ",0"
        } else {
            ""
        };
        let text = format!("{} %v1,%v18,%v3,2,0{m6}", op.name());
        c.push((vrr(op.code(), 1, 18, 3, 0, 0, 0, 2), text));
    }
    for op in VecFmaVOp::ALL {
        let text = format!("{} %v1,%v18,%v3,%v20,0,2", op.name());
        c.push((vrr4(op.code(), 1, 18, 3, 20, 2, 0, 0, 0), text));
    }
    for op in VecFpMinMaxOp::ALL {
        let text = format!("{} %v1,%v18,%v3,3,0,1", op.name());
        c.push((vrr(op.code(), 1, 18, 3, 0, 1, 0, 3), text));
    }
    c.push((
        vrr(0xe785, 17, 2, 3, 0, 0, 0, 0),
        "vbperm %v17,%v2,%v3".into(),
    ));
    for op in VecElemStoreOp::ALL {
        let text = format!("{} %v17,100(%r2,%r3),2", op.name());
        c.push((vrx(op.code(), 17, 2, 3, 100, 2), text));
    }
    for op in VecFpUnOp::ALL {
        // The generic mnemonics take M3 and M4, and M5 where the operation rounds.
        let (m3, m4, m5, text) = match op {
            VecFpUnOp::Vfsq => (3, 0, 0, "3,0"),
            VecFpUnOp::Vlde => (2, 0, 0, "2,0"),
            _ => (3, 4, 5, "3,4,5"),
        };
        let text = format!("{} %v17,%v2,{text}", op.name());
        c.push((vrr(op.code(), 17, 2, 0, 0, m5, m4, m3), text));
    }
    for op in VecShiftOp::ALL {
        let text = format!("{} %v17,%v2,5(%r3),1", op.name());
        c.push((vrs(op.code(), 17, 2, 3, 5, 1, true, true), text));
    }
    for op in VecElemMemOp::ALL {
        let text = format!("{} %v17,100(%r2,%r3),2", op.name());
        c.push((vrx(op.code(), 17, 2, 3, 100, 2), text));
    }
    let vector_fixed: [(Insn, &str); 12] = [
        (vrr(0xe7f8, 17, 2, 3, 0, 1, 0, 1), "vceq %v17,%v2,%v3,1,1"),
        (vrr(0xe7d8, 17, 2, 0, 0, 0, 0, 0), "vtm %v17,%v2"),
        (
            vrr4(0xe78c, 17, 2, 3, 20, 0, 0, 0, 0),
            "vperm %v17,%v2,%v3,%v20",
        ),
        (vrr(0xe784, 1, 18, 3, 0, 0, 0, 5), "vpdi %v1,%v18,%v3,5"),
        (vri(0xe74d, 17, 2, 3, 2), "vrep %v17,%v2,3,2"),
        (vri(0xe745, 17, 0, -5i16 as u16, 1), "vrepi %v17,-5,1"),
        (vri(0xe744, 17, 0, 0xff00, 0), "vgbm %v17,65280"),
        (vri(0xe746, 17, 0, 1 << 8 | 31, 2), "vgm %v17,1,31,2"),
        (vrr(0xe777, 17, 2, 3, 0, 1, 2, 0), "vsldb %v17,%v2,%v3,18"),
        (
            vrs(0xe722, 17, 2, 0, 3, 2, true, false),
            "vlvg %v17,%r2,3,2",
        ),
        (
            vrs(0xe721, 1, 18, 0, 3, 1, false, true),
            "vlgv %r1,%v18,3,1",
        ),
        (vrs(0xe721, 1, 18, 0, 1, 3, false, true), "vlgvg %r1,%v18,1"),
    ];
    for (insn, text) in vector_fixed {
        c.push((insn, text.into()));
    }
    // The fixed opcodes of the table and the emitter.
    let fixed: [(Insn, &str); 27] = [
        (rr(0xb986, 2, 5), "mlgr %r2,%r5"),
        (rr(0xb983, 2, 5), "flogr %r2,%r5"),
        (rr(0xb3c1, 1, 2), "ldgr %f1,%r2"),
        (rr(0xb316, 1, 5), "sqxbr %f1,%f5"),
        (rr(0xb349, 1, 5), "cxbr %f1,%f5"),
        (rrf(0xb347, 5, 4, 1, 5), "fixbra %f1,5,%f5,4"),
        (rr(0xb3cd, 1, 2), "lgdr %r1,%f2"),
        (rrf(0xb372, 3, 0, 1, 2), "cpsdr %f1,%f3,%f2"),
        (vrr(0xe756, 17, 2, 0, 0, 0, 0, 0), "vlr %v17,%v2"),
        (vrr(0xe7ce, 1, 18, 0, 0, 0, 8, 3), "wfsqdb %v1,%v18"),
        (
            vrr4(0xe78d, 17, 2, 3, 20, 0, 0, 0, 0),
            "vsel %v17,%v2,%v3,%v20",
        ),
        (vrr(0xe762, 17, 2, 3, 0, 0, 0, 0), "vlvgp %v17,%r2,%r3"),
        (rxy(0xeb24, 6, 15, 15, 48), "stmg %r6,%r15,48(%r15)"),
        (rxy(0xeb04, 6, 15, 15, 208), "lmg %r6,%r15,208(%r15)"),
        (ri(0xa7b, 15, -160i16 as u16), "aghi %r15,-160"),
        (ril(0xc28, 15, (-100_000i32) as u32), "agfi %r15,-100000"),
        (rr(0x07, 15, 14), "br %r14"),
        (rr(0x0d, 14, 3), "basr %r14,%r3"),
        (rr(0x07, 14, 0), "bcr 14,0"),
        (rr(0xb24f, 1, 0), "ear %r1,%a0"),
        (rxy(0xe38f, 2, 0, 3, 0), "lpq %r2,0(%r3)"),
        (rxy(0xe38e, 2, 0, 3, 0), "stpq %r2,0(%r3)"),
        (rxy(0xeb3e, 2, 4, 3, 0), "cdsg %r2,%r4,0(%r3)"),
        (rie(0xec55, 1, 2, 56 << 8 | 63, 0), "risbg %r1,%r2,56,63,0"),
        (
            rie(0xec55, 1, 2, 8 << 8 | 0x80 | 47, 61),
            "risbg %r1,%r2,8,175,61",
        ),
        (rxy(0xe371, 1, 2, 3, -8), "lay %r1,-8(%r2,%r3)"),
        (ri(0xa57, 1, 0xfffc), "nill %r1,65532"),
    ];
    for (insn, text) in fixed {
        c.push((insn, text.into()));
    }
    c
}

/// The bytes `s390x-linux-gnu-as -march=z13` gives each line of `lines`, by
/// instruction, from `objdump -d`.
fn assemble(lines: &[String]) -> Vec<Vec<u8>> {
    extern crate std;
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("gantry-s390x-emit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, obj) = (dir.join("t.s"), dir.join("t.o"));
    std::fs::write(&src, lines.join("\n") + "\n").unwrap();
    let out = Command::new("s390x-linux-gnu-as")
        .args(["-march=z15", "-o"])
        .arg(&obj)
        .arg(&src)
        .output()
        .expect("s390x-linux-gnu-as runs (scripts/test.sh installs binutils-s390x-linux-gnu)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = Command::new("s390x-linux-gnu-objdump")
        .arg("-d")
        .arg(&obj)
        .output()
        .expect("s390x-linux-gnu-objdump runs");
    std::fs::remove_dir_all(&dir).unwrap();
    String::from_utf8_lossy(&dump.stdout)
        .lines()
        .filter_map(|l| {
            let mut fields = l.split('\t');
            let addr = fields.next()?;
            addr.trim().strip_suffix(':')?;
            let hex = fields.next()?;
            Some(
                hex.split_whitespace()
                    .map(|b| u8::from_str_radix(b, 16).unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn encodings_match_the_assembler() {
    let cases = cases();
    let lines: Vec<String> = cases.iter().map(|(_, t)| t.clone()).collect();
    let mut expected = assemble(&lines);
    // The section is padded to its alignment with two-byte no-ops (BCR 0, 7).
    while expected.len() > cases.len() && expected.last() == Some(&alloc::vec![0x07, 0x07]) {
        expected.pop();
    }
    assert_eq!(expected.len(), cases.len(), "one instruction per line");
    let mut bad = Vec::new();
    for ((insn, text), want) in cases.iter().zip(&expected) {
        let (bytes, len) = insn.bytes();
        if bytes[..len] != want[..] {
            bad.push(format!(
                "{text}: ours {:02x?}, the assembler's {want:02x?}",
                &bytes[..len]
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
