//! The opcode table matches the CLIF opcode set, and its entries are consistent.

use gantry_codegen::ir::Opcode;
use gantry_codegen::ir::opcodes::{CtrlType, InstructionFormat};

#[test]
fn table_has_exactly_the_clif_opcodes() {
    let expected: Vec<&str> = include_str!("clif-opcodes.txt").lines().collect();
    let mut names: Vec<&str> = Opcode::ALL.iter().map(|op| op.name()).collect();
    assert_eq!(names.len(), expected.len());
    names.sort_unstable();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    assert_eq!(names, expected_sorted);
}

#[test]
fn names_parse_back() {
    for &op in Opcode::ALL {
        assert_eq!(Opcode::parse(op.name()), Some(op));
    }
    assert_eq!(Opcode::parse("iadd_imm"), None);
    assert_eq!(Opcode::parse(""), None);
}

#[test]
fn entries_are_consistent() {
    for &op in Opcode::ALL {
        let info = op.info();
        if let CtrlType::Operand(n, _) = info.ctrl {
            assert!(
                (n as usize) < info.operands.len(),
                "{op}: ctrl operand out of range"
            );
        }
        let fixed_values = match info.format {
            InstructionFormat::Nullary
            | InstructionFormat::UnaryImm
            | InstructionFormat::UnaryIeee16
            | InstructionFormat::UnaryIeee32
            | InstructionFormat::UnaryIeee64
            | InstructionFormat::UnaryConst
            | InstructionFormat::UnaryGlobalValue
            | InstructionFormat::Jump
            | InstructionFormat::Trap
            | InstructionFormat::FuncAddr
            | InstructionFormat::StackLoad
            | InstructionFormat::DynamicStackLoad
            | InstructionFormat::ExceptionHandlerAddress
            | InstructionFormat::MultiAry
            | InstructionFormat::Call
            | InstructionFormat::CallIndirect
            | InstructionFormat::TryCall
            | InstructionFormat::TryCallIndirect => 0,
            InstructionFormat::Unary
            | InstructionFormat::BinaryImm8
            | InstructionFormat::Brif
            | InstructionFormat::BranchTable
            | InstructionFormat::CondTrap
            | InstructionFormat::Load
            | InstructionFormat::LoadNoOffset => 1,
            InstructionFormat::Binary
            | InstructionFormat::TernaryImm8
            | InstructionFormat::Shuffle
            | InstructionFormat::IntCompare
            | InstructionFormat::FloatCompare
            | InstructionFormat::IntAddTrap
            | InstructionFormat::Store
            | InstructionFormat::StoreNoOffset
            | InstructionFormat::AtomicRmw => 2,
            InstructionFormat::Ternary | InstructionFormat::AtomicCas => 3,
        };
        assert_eq!(
            info.operands.len(),
            fixed_values,
            "{op}: operand count vs format"
        );
        if info.flags.is_branch || info.flags.is_return {
            assert!(info.flags.is_terminator, "{op}");
        }
    }
}
