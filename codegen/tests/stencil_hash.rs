//! The stencil is the cache key: it ignores the user-name table and the base source
//! location, and changes with every instruction.

use gantry_codegen::ir::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

fn hash_of(stencil: &FunctionStencil) -> u64 {
    let mut h = DefaultHasher::new();
    stencil.hash(&mut h);
    h.finish()
}

/// `iconst 7; call callee(v0, c); iadd; return`, with source locations from `base`.
fn build(callee: UserExternalName, base: u32) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(Type::I32));
    sig.returns.push(AbiParam::new(Type::I32));
    let mut func = Function::with_name_signature(UserFuncName::user(0, 1), sig.clone());
    let sig_ref = func.import_signature(sig);
    let f = func.import_user_function(callee, sig_ref, true);
    let b0 = func.dfg.make_block();
    func.layout.append_block(b0);
    let x = func.dfg.append_block_param(b0, Type::I32);
    let c = func.dfg.make_inst(InstructionData::UnaryImm {
        opcode: Opcode::Iconst,
        imm: Imm64::new(7),
    });
    func.dfg.make_inst_results(c, Type::I32);
    func.layout.append_inst(c, b0);
    let cv = func.dfg.first_result(c);
    let args = ValueList::from_slice(&[cv], &mut func.dfg.value_lists);
    let call = func.dfg.make_inst(InstructionData::Call {
        opcode: Opcode::Call,
        func_ref: f,
        args,
    });
    func.dfg.make_inst_results(call, Type::INVALID);
    func.layout.append_inst(call, b0);
    let r = func.dfg.first_result(call);
    let add = func.dfg.make_inst(InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [x, r],
    });
    func.dfg.make_inst_results(add, Type::INVALID);
    func.layout.append_inst(add, b0);
    let sum = func.dfg.first_result(add);
    let rets = ValueList::from_slice(&[sum], &mut func.dfg.value_lists);
    let ret = func.dfg.make_inst(InstructionData::MultiAry {
        opcode: Opcode::Return,
        args: rets,
    });
    func.layout.append_inst(ret, b0);
    for (i, inst) in [c, call, add, ret].into_iter().enumerate() {
        func.set_srcloc(inst, SourceLoc::new(base + 4 * i as u32));
    }
    func
}

#[test]
fn names_and_base_location_do_not_change_the_stencil() {
    let a = build(UserExternalName::new(0, 5), 100);
    let b = build(UserExternalName::new(7, 9), 100);
    let c = build(UserExternalName::new(0, 5), 9000);
    assert_ne!(a, b, "the functions differ in their name tables");
    assert_ne!(a, c, "the functions differ in their base location");
    assert_eq!(a.stencil, b.stencil);
    assert_eq!(a.stencil, c.stencil);
    assert_eq!(hash_of(&a.stencil), hash_of(&b.stencil));
    assert_eq!(hash_of(&a.stencil), hash_of(&c.stencil));
    assert_eq!(
        c.srcloc(
            c.layout
                .entry_block()
                .and_then(|b| c.layout.first_inst(b))
                .unwrap()
        ),
        SourceLoc::new(9000)
    );
}

/// An edit of one instruction.
type Mutation = Box<dyn Fn(&mut Function)>;

#[test]
fn every_instruction_change_changes_the_hash() {
    let base = build(UserExternalName::new(0, 5), 100);
    let h = hash_of(&base.stencil);
    let insts: Vec<Inst> = base
        .layout
        .block_insts(base.layout.entry_block().unwrap())
        .collect();
    // Each mutation edits one instruction.
    let mutations: Vec<Mutation> = vec![
        Box::new(|f| {
            f.dfg.insts[Inst::from_u32(0)] = InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm: Imm64::new(8),
            }
        }),
        Box::new(|f| {
            if let InstructionData::Binary { opcode, .. } = &mut f.dfg.insts[Inst::from_u32(2)] {
                *opcode = Opcode::Isub;
            }
        }),
        Box::new(|f| {
            if let InstructionData::Binary { args, .. } = &mut f.dfg.insts[Inst::from_u32(2)] {
                args.swap(0, 1);
            }
        }),
        Box::new(|f| {
            let mut data = f.dfg.insts[Inst::from_u32(3)];
            let x = f.dfg.block_params(f.layout.entry_block().unwrap())[0];
            data.arguments_mut(&mut f.dfg.value_lists)[0] = x;
            f.dfg.insts[Inst::from_u32(3)] = data;
        }),
        Box::new(|f| {
            let call = Inst::from_u32(1);
            let arg = f.dfg.inst_args(call)[0];
            let x = f.dfg.block_params(f.layout.entry_block().unwrap())[0];
            let mut d = f.dfg.insts[call];
            let slot = d.arguments_mut(&mut f.dfg.value_lists);
            slot[0] = if slot[0] == arg { x } else { arg };
            f.dfg.insts[call] = d;
        }),
        Box::new(|f| f.set_srcloc(Inst::from_u32(2), SourceLoc::new(555))),
        Box::new(|f| {
            let i = Inst::from_u32(0);
            f.layout.remove_inst(i);
            let next = Inst::from_u32(1);
            f.layout.insert_inst(i, next);
            // Same order again: the layout compares equal, so also move it after the call.
            f.layout.remove_inst(i);
            f.layout.insert_inst(i, Inst::from_u32(2));
        }),
    ];
    assert_eq!(insts.len(), 4);
    for (n, m) in mutations.iter().enumerate() {
        let mut f = base.clone();
        m(&mut f);
        assert_ne!(
            f.stencil, base.stencil,
            "mutation {n} left the stencil equal"
        );
        assert_ne!(
            hash_of(&f.stencil),
            h,
            "mutation {n} left the hash unchanged"
        );
    }
}

/// The incremental cache's key of a fixed stencil: unchanged by names and the base
/// location, and the same on hosts of either byte order (this file also runs on a
/// big-endian host, `scripts/big_endian_host.sh`). It changes only when something the
/// key covers changes (a setting, Gantry's version, the IR's layout); then update it.
#[test]
fn the_cache_key_is_the_same_on_every_host() {
    use gantry_codegen::incremental_cache::CacheKey;
    let isa = gantry_codegen::isa::lookup("x86_64")
        .unwrap()
        .finish_with(gantry_codegen::settings::Flags::default())
        .unwrap();
    let a = build(UserExternalName::new(0, 5), 100);
    let b = build(UserExternalName::new(7, 9), 9000);
    let key = CacheKey::new(isa.as_ref(), &a.stencil);
    assert_eq!(key, CacheKey::new(isa.as_ref(), &b.stencil));
    assert_eq!(
        key.to_string(),
        "001fb23a2c113f30ae8429192306f8ccd288a2d26475505c8900d7fa05c06cca"
    );
}
