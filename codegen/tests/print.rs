//! The printer on functions built through the IR API.

use gantry_codegen::ir::*;

#[test]
fn prints_a_small_function() {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(Type::I32));
    sig.returns.push(AbiParam::new(Type::I32));
    let mut func = Function::with_name_signature(UserFuncName::testcase("add1"), sig);
    let b0 = func.dfg.make_block();
    let b1 = func.dfg.make_block();
    func.layout.append_block(b0);
    func.layout.append_block(b1);
    let x = func.dfg.append_block_param(b0, Type::I32);
    let c = func.dfg.make_inst(InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm: Imm64::new(-1i64 as u8 as i64),
    });
    func.dfg.make_inst_results(c, Type::I8);
    func.layout.append_inst(c, b0);
    let one = func.dfg.make_inst(InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm: Imm64::new(1),
    });
    func.dfg.make_inst_results(one, Type::I32);
    func.layout.append_inst(one, b0);
    let one_v = func.dfg.first_result(one);
    let add = func.dfg.make_inst(InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [x, one_v],
    });
    func.dfg.make_inst_results(add, Type::INVALID);
    func.layout.append_inst(add, b0);
    let sum = func.dfg.first_result(add);
    let call = func.dfg.block_call(b1, &[BlockArg::Value(sum)]);
    let jump = func.dfg.make_inst(InstructionData::Jump {
        opcode: Opcode::Jump,
        destination: call,
    });
    func.layout.append_inst(jump, b0);
    let p = func.dfg.append_block_param(b1, Type::I32);
    let args = ValueList::from_slice(&[p], &mut func.dfg.value_lists);
    let ret = func.dfg.make_inst(InstructionData::MultiAry {
        opcode: Opcode::Return,
        args,
    });
    func.layout.append_inst(ret, b1);
    func.set_srcloc(add, SourceLoc::new(0x20));

    let text = func.to_string();
    assert_eq!(
        text,
        "function %add1(i32) -> i32 system_v {\n\
         block0(v0: i32):\n    v1 = iconst.i8 -1\n    v2 = iconst.i32 1\n    @0020 v3 = iadd v0, v2\n    jump block1(v3)\n\n\
         block1(v4: i32):\n    return v4\n}\n"
    );
    assert_eq!(func.dfg.value_type(sum), Type::I32);
}
