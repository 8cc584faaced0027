//! Random valid functions built through the IR API, for round-trip property tests, the
//! reader benchmark and fuzzing.

use gantry_codegen::ir::instructions::{BlockArg, InstructionData, JumpTableData, ValueList};
use gantry_codegen::ir::stackslot::StackSlotKind;
use gantry_codegen::ir::*;

/// A 64-bit seed from fuzzer `bytes`: their FNV-1a hash from the offset `basis` (each
/// fuzz check has its own, so one input drives the checks independently).
pub fn seed_of(bytes: &[u8], basis: u64) -> u64 {
    bytes.iter().fold(basis, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A small deterministic random number generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A random element of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const SCALARS: [Type; 7] = [
    Type::I8,
    Type::I16,
    Type::I32,
    Type::I64,
    Type::I128,
    Type::F32,
    Type::F64,
];
const INTS: [Type; 4] = [Type::I8, Type::I16, Type::I32, Type::I64];

struct Builder {
    func: Function,
    rng: Rng,
    /// Values usable in the current block (entry block values plus the block's own).
    avail: Vec<Value>,
    entry_values: Vec<Value>,
    fn_ref: FuncRef,
    slot: StackSlot,
    next_loc: u32,
}

impl Builder {
    fn append(&mut self, block: Block, data: InstructionData, ctrl: Type) -> Inst {
        let inst = self.func.dfg.make_inst(data);
        self.func.layout.append_inst(inst, block);
        self.func.dfg.make_inst_results(inst, ctrl);
        if self.rng.one_in(3) {
            self.next_loc += 1 + self.rng.below(16) as u32;
            self.func.set_srcloc(inst, SourceLoc::new(self.next_loc));
        }
        for &r in self.func.dfg.inst_results(inst) {
            self.avail.push(r);
        }
        // Debug tags belong on calls (and sequence points).
        if data.opcode().is_call() && self.rng.one_in(3) {
            let tags = vec![
                DebugTag::StackSlot(self.slot),
                DebugTag::User(self.rng.below(100) as u32),
            ];
            self.func.stencil.debug_tags.insert(inst, tags);
        }
        if data.opcode() == Opcode::Call && self.rng.one_in(3) {
            let entry = UserStackMapEntry {
                ty: Type::I64,
                slot: self.slot,
                offset: 8 * self.rng.below(2) as u32,
            };
            self.func.stencil.user_stack_maps.insert(inst, vec![entry]);
        }
        inst
    }

    fn value_of(&mut self, block: Block, ty: Type) -> Value {
        let candidates: Vec<Value> = self
            .avail
            .iter()
            .copied()
            .filter(|&v| self.func.dfg.value_type(v) == ty)
            .collect();
        if !candidates.is_empty() && !self.rng.one_in(4) {
            return self.rng.pick(&candidates);
        }
        self.constant(block, ty)
    }

    fn constant(&mut self, block: Block, ty: Type) -> Value {
        let data = if ty.is_int() && ty.bits() <= 64 {
            let x = self.rng.next_u64() as i64 >> self.rng.below(64);
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm: Imm64::new(x).mask_to_width(ty.bits()),
            }
        } else if ty == Type::I128 {
            let lo = self.constant(block, Type::I64);
            let hi = self.constant(block, Type::I64);
            let inst = self.append(
                block,
                InstructionData::Binary {
                    opcode: Opcode::Iconcat,
                    args: [lo, hi],
                },
                Type::INVALID,
            );
            return self.func.dfg.first_result(inst);
        } else if ty == Type::F32 {
            InstructionData::UnaryIeee32 {
                opcode: Opcode::F32const,
                imm: Ieee32::with_bits(self.rng.next_u64() as u32),
            }
        } else if ty == Type::F64 {
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm: Ieee64::with_bits(self.rng.next_u64()),
            }
        } else {
            let bytes: Vec<u8> = (0..ty.bytes()).map(|_| self.rng.next_u64() as u8).collect();
            let constant = self.func.dfg.constants.insert(ConstantData::new(bytes));
            InstructionData::UnaryConst {
                opcode: Opcode::Vconst,
                constant,
            }
        };
        let inst = self.append(block, data, ty);
        self.func.dfg.first_result(inst)
    }

    fn random_inst(&mut self, block: Block) {
        let ty = self.rng.pick(&INTS);
        match self.rng.below(12) {
            0 => {
                let op = self.rng.pick(&[
                    Opcode::Iadd,
                    Opcode::Isub,
                    Opcode::Imul,
                    Opcode::Band,
                    Opcode::Bor,
                    Opcode::Bxor,
                    Opcode::Smin,
                    Opcode::Umax,
                ]);
                let (a, b) = (self.value_of(block, ty), self.value_of(block, ty));
                self.append(
                    block,
                    InstructionData::Binary {
                        opcode: op,
                        args: [a, b],
                    },
                    Type::INVALID,
                );
            }
            1 => {
                let cond = self.rng.pick(IntCC::ALL);
                let (a, b) = (self.value_of(block, ty), self.value_of(block, ty));
                self.append(
                    block,
                    InstructionData::IntCompare {
                        opcode: Opcode::Icmp,
                        cond,
                        args: [a, b],
                    },
                    Type::INVALID,
                );
            }
            2 => {
                let fty = self.rng.pick(&[Type::F32, Type::F64]);
                let op = self.rng.pick(&[
                    Opcode::Fadd,
                    Opcode::Fsub,
                    Opcode::Fmul,
                    Opcode::Fdiv,
                    Opcode::Fmin,
                ]);
                let (a, b) = (self.value_of(block, fty), self.value_of(block, fty));
                self.append(
                    block,
                    InstructionData::Binary {
                        opcode: op,
                        args: [a, b],
                    },
                    Type::INVALID,
                );
            }
            3 => {
                let vty = self.rng.pick(&SCALARS);
                let c = self.value_of(block, Type::I8);
                let (a, b) = (self.value_of(block, vty), self.value_of(block, vty));
                self.append(
                    block,
                    InstructionData::Ternary {
                        opcode: Opcode::Select,
                        args: [c, a, b],
                    },
                    Type::INVALID,
                );
            }
            4 => {
                let x = self.value_of(block, Type::I8);
                let op = self.rng.pick(&[Opcode::Uextend, Opcode::Sextend]);
                self.append(
                    block,
                    InstructionData::Unary { opcode: op, arg: x },
                    Type::I64,
                );
            }
            5 => {
                let p = self.value_of(block, Type::I64);
                let mut flags = MemFlags::new();
                if self.rng.one_in(2) {
                    flags.set_notrap();
                }
                if self.rng.one_in(2) {
                    flags.set_aligned();
                }
                let offset = Offset32::new(self.rng.below(64) as i32 - 16);
                if self.rng.one_in(2) {
                    self.append(
                        block,
                        InstructionData::Load {
                            opcode: Opcode::Load,
                            flags,
                            arg: p,
                            offset,
                        },
                        ty,
                    );
                } else {
                    let x = self.value_of(block, ty);
                    self.append(
                        block,
                        InstructionData::Store {
                            opcode: Opcode::Store,
                            flags,
                            args: [x, p],
                            offset,
                        },
                        Type::INVALID,
                    );
                }
            }
            6 => {
                let args: Vec<Value> = vec![
                    self.value_of(block, Type::I32),
                    self.value_of(block, Type::F64),
                ];
                let args = ValueList::from_slice(&args, &mut self.func.dfg.value_lists);
                self.append(
                    block,
                    InstructionData::Call {
                        opcode: Opcode::Call,
                        func_ref: self.fn_ref,
                        args,
                    },
                    Type::INVALID,
                );
            }
            7 => {
                let slot = self.slot;
                let offset = Offset32::new(self.rng.below(8) as i32);
                self.append(
                    block,
                    InstructionData::StackLoad {
                        opcode: Opcode::StackAddr,
                        stack_slot: slot,
                        offset,
                    },
                    Type::I64,
                );
            }
            8 => {
                let v = self.value_of(block, Type::I32X4);
                let lane = self.rng.below(4) as u8;
                if self.rng.one_in(2) {
                    self.append(
                        block,
                        InstructionData::BinaryImm8 {
                            opcode: Opcode::Extractlane,
                            arg: v,
                            imm: lane,
                        },
                        Type::INVALID,
                    );
                } else {
                    let x = self.value_of(block, Type::I32);
                    self.append(
                        block,
                        InstructionData::TernaryImm8 {
                            opcode: Opcode::Insertlane,
                            args: [v, x],
                            imm: lane,
                        },
                        Type::INVALID,
                    );
                }
            }
            9 => {
                let x = self.value_of(block, Type::I128);
                self.append(
                    block,
                    InstructionData::Unary {
                        opcode: Opcode::Isplit,
                        arg: x,
                    },
                    Type::INVALID,
                );
            }
            10 => {
                let x = self.value_of(block, Type::F32);
                self.append(
                    block,
                    InstructionData::LoadNoOffset {
                        opcode: Opcode::Bitcast,
                        flags: MemFlags::new(),
                        arg: x,
                    },
                    Type::I32,
                );
            }
            _ => {
                let code = TrapCode::user(1 + self.rng.below(10) as u8).expect("in range");
                let c = self.value_of(block, ty);
                let opcode = self.rng.pick(&[Opcode::Trapz, Opcode::Trapnz]);
                self.append(
                    block,
                    InstructionData::CondTrap {
                        opcode,
                        arg: c,
                        code,
                    },
                    Type::INVALID,
                );
            }
        }
    }

    fn block_args(&mut self, block: Block, target: Block) -> Vec<BlockArg> {
        let types: Vec<Type> = self.func.dfg.block_param_types(target).collect();
        types
            .into_iter()
            .map(|t| BlockArg::Value(self.value_of(block, t)))
            .collect()
    }

    fn terminator(&mut self, block: Block, blocks: &[Block]) {
        let later: Vec<Block> = blocks.iter().copied().filter(|&b| b != blocks[0]).collect();
        if later.is_empty() || self.rng.one_in(4) {
            let types: Vec<Type> = self
                .func
                .signature
                .returns
                .iter()
                .map(|r| r.value_type)
                .collect();
            let vals: Vec<Value> = types.into_iter().map(|t| self.value_of(block, t)).collect();
            let args = ValueList::from_slice(&vals, &mut self.func.dfg.value_lists);
            self.append(
                block,
                InstructionData::MultiAry {
                    opcode: Opcode::Return,
                    args,
                },
                Type::INVALID,
            );
            return;
        }
        match self.rng.below(3) {
            0 => {
                let t = self.rng.pick(&later);
                let args = self.block_args(block, t);
                let destination = self.func.dfg.block_call(t, &args);
                self.append(
                    block,
                    InstructionData::Jump {
                        opcode: Opcode::Jump,
                        destination,
                    },
                    Type::INVALID,
                );
            }
            1 => {
                let cty = self.rng.pick(&INTS);
                let c = self.value_of(block, cty);
                let (t1, t2) = (self.rng.pick(&later), self.rng.pick(&later));
                let a1 = self.block_args(block, t1);
                let a2 = self.block_args(block, t2);
                let blocks = [
                    self.func.dfg.block_call(t1, &a1),
                    self.func.dfg.block_call(t2, &a2),
                ];
                self.append(
                    block,
                    InstructionData::Brif {
                        opcode: Opcode::Brif,
                        arg: c,
                        blocks,
                    },
                    Type::INVALID,
                );
            }
            _ => {
                let idx = self.value_of(block, Type::I32);
                let d = self.rng.pick(&later);
                let da = self.block_args(block, d);
                let default = self.func.dfg.block_call(d, &da);
                let mut table = Vec::new();
                for _ in 0..self.rng.below(4) {
                    let t = self.rng.pick(&later);
                    let a = self.block_args(block, t);
                    table.push(self.func.dfg.block_call(t, &a));
                }
                let jt = self
                    .func
                    .dfg
                    .jump_tables
                    .push(JumpTableData { default, table });
                self.append(
                    block,
                    InstructionData::BranchTable {
                        opcode: Opcode::BrTable,
                        arg: idx,
                        table: jt,
                    },
                    Type::INVALID,
                );
            }
        }
    }
}

/// A random valid function: several blocks with parameters, arithmetic, memory, calls,
/// vectors, traps and every kind of branch. The same seed gives the same function.
pub fn random_function(seed: u64) -> Function {
    let mut rng = Rng::new(seed);
    let mut sig = Signature::new(rng.pick(&[CallConv::Fast, CallConv::SystemV, CallConv::Tail]));
    for _ in 0..rng.below(4) {
        sig.params.push(AbiParam::new(rng.pick(&SCALARS)));
    }
    for _ in 0..rng.below(3) {
        sig.returns.push(AbiParam::new(rng.pick(&SCALARS)));
    }
    let name = if rng.one_in(2) {
        UserFuncName::testcase(format!("f{}", seed % 1000))
    } else {
        UserFuncName::user(rng.below(3) as u32, rng.below(100) as u32)
    };
    let mut func = Function::with_name_signature(name, sig.clone());
    let mut callee = Signature::new(CallConv::SystemV);
    callee.params.push(AbiParam::new(Type::I32));
    callee.params.push(AbiParam::new(Type::F64));
    callee.returns.push(AbiParam::new(Type::I64));
    let sig_ref = func.import_signature(callee);
    let fn_ref = func.import_user_function(
        UserExternalName::new(0, rng.below(50) as u32),
        sig_ref,
        rng.one_in(2),
    );
    let slot = func.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        16,
        rng.below(4) as u8,
    ));
    let nblocks = 1 + rng.below(5);
    let blocks: Vec<Block> = (0..nblocks).map(|_| func.dfg.make_block()).collect();
    for &b in &blocks {
        func.layout.append_block(b);
    }
    let mut b = Builder {
        func,
        rng,
        avail: Vec::new(),
        entry_values: Vec::new(),
        fn_ref,
        slot,
        next_loc: 0x100,
    };
    // Parameters first, so branches to later blocks know what to pass.
    for (i, &block) in blocks.iter().enumerate() {
        if i == 0 {
            for p in sig.params.iter() {
                b.func.dfg.append_block_param(block, p.value_type);
            }
        } else {
            if b.rng.one_in(5) {
                b.func.layout.set_cold(block);
            }
            for _ in 0..b.rng.below(3) {
                let t = b.rng.pick(&SCALARS);
                b.func.dfg.append_block_param(block, t);
            }
        }
    }
    for (i, &block) in blocks.iter().enumerate() {
        b.avail = b.entry_values.clone();
        b.avail.extend_from_slice(b.func.dfg.block_params(block));
        for _ in 0..b.rng.below(10) {
            b.random_inst(block);
        }
        if i == 0 {
            b.entry_values = b.avail.clone();
        }
        b.terminator(block, &blocks);
    }
    b.func
}
