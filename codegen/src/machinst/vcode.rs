//! VCode: machine instructions on virtual registers, in final block order, with the CFG
//! and block parameters regalloc2 needs (it implements [`regalloc2::Function`]).

use super::MachInst;
use super::reg::{Reg, Writable};
use alloc::vec::Vec;
use regalloc2::{
    Block, Function, Inst as RInst, InstRange, MachineEnv, Operand, Output, PReg, PRegSet,
    RegClass, RegallocOptions, VReg,
};

/// Collects the register operands of one instruction, with their constraints.
#[derive(Default)]
pub struct OperandCollector {
    operands: Vec<Operand>,
    clobbers: PRegSet,
}

impl OperandCollector {
    /// The instruction reads `r` (at its start).
    pub fn reg_use(&mut self, r: Reg) {
        self.operands.push(Operand::reg_use(r.vreg()));
    }

    /// The instruction writes `r` (at its end).
    pub fn reg_def(&mut self, r: Writable<Reg>) {
        self.operands.push(Operand::reg_def(r.to_reg().vreg()));
    }

    /// The instruction writes `r` before it has read all inputs (an early def).
    pub fn reg_early_def(&mut self, r: Writable<Reg>) {
        self.operands
            .push(Operand::reg_def_at_start(r.to_reg().vreg()));
    }

    /// The instruction writes `r` in the register of its operand `idx` (two-address form).
    pub fn reg_reuse_def(&mut self, r: Writable<Reg>, idx: usize) {
        self.operands
            .push(Operand::reg_reuse_def(r.to_reg().vreg(), idx));
    }

    /// The instruction reads `r` from the physical register `p`.
    pub fn reg_fixed_use(&mut self, r: Reg, p: PReg) {
        self.operands.push(Operand::reg_fixed_use(r.vreg(), p));
    }

    /// The instruction writes `r` into the physical register `p`.
    pub fn reg_fixed_def(&mut self, r: Writable<Reg>, p: PReg) {
        self.operands
            .push(Operand::reg_fixed_def(r.to_reg().vreg(), p));
    }

    /// The instruction writes `r` into `p` before it has read all inputs, so no input
    /// may be in `p`.
    pub fn reg_fixed_early_def(&mut self, r: Writable<Reg>, p: PReg) {
        self.operands.push(Operand::new(
            r.to_reg().vreg(),
            regalloc2::OperandConstraint::FixedReg(p),
            regalloc2::OperandKind::Def,
            regalloc2::OperandPos::Early,
        ));
    }

    /// The instruction overwrites `p` (e.g. a call clobbers caller-saved registers).
    pub fn reg_clobber(&mut self, p: PReg) {
        self.clobbers.add(p);
    }
}

#[derive(Clone, Debug, Default)]
struct BlockData {
    insts: (u32, u32),
    succs: Vec<Block>,
    preds: Vec<Block>,
    params: Vec<VReg>,
    /// Per successor: the values passed to its parameters.
    branch_args: Vec<Vec<VReg>>,
}

/// Machine instructions of one function on virtual registers.
#[derive(Clone, Debug)]
pub struct VCode<I: MachInst> {
    insts: Vec<I>,
    operands: Vec<Operand>,
    operand_ranges: Vec<(u32, u32)>,
    clobbers: Vec<PRegSet>,
    blocks: Vec<BlockData>,
    num_vregs: usize,
    outgoing_args_bytes: u32,
}

/// Builds [`VCode`] block by block, in final order.
pub struct VCodeBuilder<I: MachInst> {
    vcode: VCode<I>,
    open: Option<usize>,
}

impl<I: MachInst> Default for VCodeBuilder<I> {
    fn default() -> Self {
        VCodeBuilder::new()
    }
}

impl<I: MachInst> VCodeBuilder<I> {
    /// An empty function.
    pub fn new() -> VCodeBuilder<I> {
        VCodeBuilder {
            vcode: VCode {
                insts: Vec::new(),
                operands: Vec::new(),
                operand_ranges: Vec::new(),
                clobbers: Vec::new(),
                blocks: Vec::new(),
                num_vregs: 0,
                outgoing_args_bytes: 0,
            },
            open: None,
        }
    }

    /// A fresh virtual register of `class`.
    pub fn alloc_vreg(&mut self, class: RegClass) -> Reg {
        let r = Reg::new(self.vcode.num_vregs, class);
        self.vcode.num_vregs += 1;
        r
    }

    /// Declares `n` blocks (numbered in the order they will be emitted); returns the
    /// first's index.
    pub fn declare_blocks(&mut self, n: usize) -> usize {
        let first = self.vcode.blocks.len();
        self.vcode.blocks.resize(first + n, BlockData::default());
        first
    }

    /// Starts block `b`: the instructions pushed next belong to it.
    ///
    /// # Panics
    /// If blocks are not started in order.
    pub fn start_block(&mut self, b: usize, params: &[Reg]) {
        if let Some(open) = self.open {
            assert!(b > open, "blocks must be built in order");
        }
        self.finish_block();
        self.open = Some(b);
        let start = self.vcode.insts.len() as u32;
        let data = &mut self.vcode.blocks[b];
        data.insts = (start, start);
        data.params = params.iter().map(|r| r.vreg()).collect();
    }

    fn finish_block(&mut self) {
        if let Some(b) = self.open {
            self.vcode.blocks[b].insts.1 = self.vcode.insts.len() as u32;
        }
    }

    /// Notes that a call passes `bytes` of arguments on the stack; the frame reserves
    /// the largest such area below its spill slots.
    pub fn note_outgoing_args(&mut self, bytes: u32) {
        self.vcode.outgoing_args_bytes = self.vcode.outgoing_args_bytes.max(bytes);
    }

    /// Appends an instruction to the open block.
    pub fn push(&mut self, inst: I) {
        let mut c = OperandCollector::default();
        inst.get_operands(&mut c);
        let start = self.vcode.operands.len() as u32;
        self.vcode.operands.extend(c.operands);
        self.vcode
            .operand_ranges
            .push((start, self.vcode.operands.len() as u32));
        self.vcode.clobbers.push(c.clobbers);
        self.vcode.insts.push(inst);
    }

    /// Records the edge from the open block to `succ`, passing `args` to its parameters,
    /// in the order the block's terminator names its targets.
    pub fn add_succ(&mut self, succ: usize, args: &[Reg]) {
        let b = self.open.expect("a block is open");
        self.vcode.blocks[b].succs.push(Block::new(succ));
        self.vcode.blocks[b]
            .branch_args
            .push(args.iter().map(|r| r.vreg()).collect());
        self.vcode.blocks[succ].preds.push(Block::new(b));
    }

    /// The finished VCode.
    pub fn finish(mut self) -> VCode<I> {
        self.finish_block();
        self.vcode
    }
}

impl<I: MachInst> VCode<I> {
    /// The instructions, in order.
    pub fn insts(&self) -> &[I] {
        &self.insts
    }

    /// The bytes of stack arguments the largest call passes.
    pub fn outgoing_args_bytes(&self) -> u32 {
        self.outgoing_args_bytes
    }

    /// The number of blocks.
    pub fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// The instruction indices of block `b`.
    pub fn block_range(&self, b: usize) -> core::ops::Range<usize> {
        let (s, e) = self.blocks[b].insts;
        s as usize..e as usize
    }

    /// The code as text: each block with its parameters, its instructions (their
    /// `Debug` form, one a line) and its successors with the values passed to them.
    pub fn to_text(&self) -> alloc::string::String {
        use core::fmt::Write;
        let mut out = alloc::string::String::new();
        let list = |regs: &[VReg]| {
            let names: Vec<_> = regs
                .iter()
                .map(|&v| alloc::format!("{:?}", Reg::from_vreg(v)))
                .collect();
            names.join(", ")
        };
        for (b, data) in self.blocks.iter().enumerate() {
            let _ = writeln!(out, "block{b}({}):", list(&data.params));
            for i in self.block_range(b) {
                let _ = writeln!(
                    out,
                    "  {}",
                    name_pregs::<I>(alloc::format!("{:?}", self.insts[i]))
                );
            }
            for (succ, args) in data.succs.iter().zip(&data.branch_args) {
                let _ = writeln!(out, "  ; -> block{}({})", succ.index(), list(args));
            }
        }
        out
    }

    /// Jump threading: for each block, the block control really reaches when it is
    /// entered. A block other than the entry whose only content after allocation is an
    /// unconditional jump (typically a split critical edge that needed no moves) forwards
    /// to its target's destination; emission then skips it and branches go straight to
    /// the destination. Cycles of such blocks (an empty infinite loop) are kept.
    pub fn thread_jumps(&self, out: &Output) -> Vec<usize> {
        let n = self.blocks.len();
        let forward: Vec<Option<usize>> = (0..n)
            .map(|b| {
                let mut items = out.block_insts_and_edits(self, Block::new(b));
                match (b, items.next(), items.next()) {
                    (1.., Some(regalloc2::InstOrEdit::Inst(i)), None) => {
                        self.insts[i.index()].jump_target()
                    }
                    _ => None,
                }
            })
            .collect();
        // Follow each chain once, memoizing (`dest[b]` is final once set). A chain that
        // meets itself is a cycle: its blocks keep their code, and the blocks leading into
        // it go to where they enter it.
        let mut dest: Vec<Option<usize>> = alloc::vec![None; n];
        let mut on_path = alloc::vec![false; n];
        let mut path = Vec::new();
        for start in 0..n {
            let mut at = start;
            let known = loop {
                if let Some(d) = dest[at] {
                    break Some(d);
                }
                if on_path[at] {
                    break None;
                }
                match forward[at] {
                    Some(t) => {
                        on_path[at] = true;
                        path.push(at);
                        at = t;
                    }
                    None => {
                        dest[at] = Some(at);
                        break Some(at);
                    }
                }
            };
            match known {
                Some(d) => path.iter().for_each(|&b| dest[b] = Some(d)),
                None => {
                    let entry = path.iter().position(|&b| b == at).unwrap_or(0);
                    path[entry..].iter().for_each(|&b| dest[b] = Some(b));
                    path[..entry].iter().for_each(|&b| dest[b] = Some(at));
                }
            }
            path.iter().for_each(|&b| on_path[b] = false);
            path.clear();
        }
        dest.into_iter().map(|d| d.unwrap_or(0)).collect()
    }

    /// Runs regalloc2 on this code.
    ///
    /// # Errors
    /// What regalloc2 reports (e.g. too many live fixed-register values); with `check`,
    /// also what its checker finds wrong in the result.
    pub fn regalloc(
        &self,
        env: &MachineEnv,
        check: bool,
        algorithm: regalloc2::Algorithm,
    ) -> Result<Output, alloc::string::String> {
        let options = RegallocOptions {
            verbose_log: false,
            validate_ssa: cfg!(debug_assertions),
            algorithm,
        };
        let out = regalloc2::run(self, env, &options)
            .map_err(|e| alloc::format!("register allocation failed: {e:?}"))?;
        if check {
            let mut checker = regalloc2::checker::Checker::new(self, env);
            checker.prepare(&out);
            checker
                .run()
                .map_err(|e| alloc::format!("the register allocation checker failed: {e:?}"))?;
        }
        Ok(out)
    }
}

/// `text` with each physical register's `Debug` form (`PReg(hw = 7, ...)`) replaced by
/// its assembler name.
fn name_pregs<I: MachInst>(mut text: alloc::string::String) -> alloc::string::String {
    if !text.contains("PReg(") {
        return text;
    }
    for class in [RegClass::Int, RegClass::Float, RegClass::Vector] {
        for hw in 0..PReg::MAX {
            let p = PReg::new(hw, class);
            let debug = alloc::format!("{p:?}");
            if text.contains(&debug) {
                text = text.replace(&debug, &I::preg_name(p));
            }
        }
    }
    text
}

impl<I: MachInst> Function for VCode<I> {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }

    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }

    fn entry_block(&self) -> Block {
        Block::new(0)
    }

    fn block_insns(&self, block: Block) -> InstRange {
        let (s, e) = self.blocks[block.index()].insts;
        InstRange::new(RInst::new(s as usize), RInst::new(e as usize))
    }

    fn block_succs(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].succs
    }

    fn block_preds(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].preds
    }

    fn block_params(&self, block: Block) -> &[VReg] {
        &self.blocks[block.index()].params
    }

    fn is_ret(&self, insn: RInst) -> bool {
        self.insts[insn.index()].is_ret()
    }

    fn is_branch(&self, insn: RInst) -> bool {
        self.insts[insn.index()].is_branch()
    }

    fn branch_blockparams(&self, block: Block, _insn: RInst, succ_idx: usize) -> &[VReg] {
        &self.blocks[block.index()].branch_args[succ_idx]
    }

    fn inst_operands(&self, insn: RInst) -> &[Operand] {
        let (s, e) = self.operand_ranges[insn.index()];
        &self.operands[s as usize..e as usize]
    }

    fn inst_clobbers(&self, insn: RInst) -> PRegSet {
        self.clobbers[insn.index()]
    }

    fn num_vregs(&self) -> usize {
        self.num_vregs
    }

    fn spillslot_size(&self, regclass: RegClass) -> usize {
        I::spillslot_size(regclass)
    }
}
