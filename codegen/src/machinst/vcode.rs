//! VCode: machine instructions on virtual registers, in final block order, with the CFG
//! and block parameters regalloc2 needs (it implements [`regalloc2::Function`]).

use super::MachInst;
use super::reg::{Reg, Writable};
use crate::ir::RelSourceLoc;
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

    /// The instruction reads `r` from a register numbered below `limit` (a power of
    /// two): s390x's float instructions reach only v0-v15.
    pub fn reg_use_limit(&mut self, r: Reg, limit: usize) {
        self.operands.push(Operand::new(
            r.vreg(),
            regalloc2::OperandConstraint::Limit(limit),
            regalloc2::OperandKind::Use,
            regalloc2::OperandPos::Early,
        ));
    }

    /// The instruction writes `r` (at its end) into a register numbered below `limit`.
    pub fn reg_def_limit(&mut self, r: Writable<Reg>, limit: usize) {
        self.operands.push(Operand::new(
            r.to_reg().vreg(),
            regalloc2::OperandConstraint::Limit(limit),
            regalloc2::OperandKind::Def,
            regalloc2::OperandPos::Late,
        ));
    }

    /// The instruction writes `r` before it has read all inputs, into a register
    /// numbered below `limit`.
    pub fn reg_early_def_limit(&mut self, r: Writable<Reg>, limit: usize) {
        self.operands.push(Operand::new(
            r.to_reg().vreg(),
            regalloc2::OperandConstraint::Limit(limit),
            regalloc2::OperandKind::Def,
            regalloc2::OperandPos::Early,
        ));
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
    /// Per instruction, the source location of the IR instruction it was lowered from.
    srclocs: Vec<RelSourceLoc>,
    operands: Vec<Operand>,
    operand_ranges: Vec<(u32, u32)>,
    clobbers: Vec<PRegSet>,
    blocks: Vec<BlockData>,
    num_vregs: usize,
    outgoing_args_bytes: u32,
    /// For each virtual register the builder handed out, the number it has here (after
    /// aliases were resolved and the registers in use numbered densely), for listings.
    names: Vec<u32>,
}

/// Builds [`VCode`]. Blocks may be built in any order, and within a block the
/// instructions of each lowered IR instruction form a group ([`VCodeBuilder::end_group`]):
/// groups are built last to first (lowering runs backward) and each group's
/// instructions in order. A virtual register may be made an alias of another
/// ([`VCodeBuilder::set_alias`]); `finish` resolves aliases and numbers the registers.
pub struct VCodeBuilder<I: MachInst> {
    blocks: Vec<BlockData>,
    block_insts: Vec<Vec<(I, RelSourceLoc)>>,
    open: Option<usize>,
    /// The open group, in order.
    group: Vec<I>,
    /// The source location of the open group's instructions.
    loc: RelSourceLoc,
    /// The open block's finished groups, all reversed (so the block in reverse).
    reversed: Vec<(I, RelSourceLoc)>,
    /// Per virtual register: its class, the register it is an alias of, and the group it
    /// was made in.
    vregs: Vec<(RegClass, Option<u32>, u32)>,
    /// The group being built, and the groups of the open block, last first.
    group_id: u32,
    open_groups: Vec<u32>,
    /// Per group: its block and position there, first first.
    group_places: Vec<(u32, u32)>,
    /// The function's arguments (defined by the entry block's first instruction).
    args: Vec<VReg>,
    outgoing_args_bytes: u32,
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
            blocks: Vec::new(),
            block_insts: Vec::new(),
            open: None,
            group: Vec::new(),
            loc: RelSourceLoc::default(),
            reversed: Vec::new(),
            vregs: Vec::new(),
            group_id: 0,
            open_groups: Vec::new(),
            group_places: Vec::new(),
            args: Vec::new(),
            outgoing_args_bytes: 0,
        }
    }

    /// Names the registers of the function's arguments, numbered first.
    pub fn set_args(&mut self, args: &[Reg]) {
        self.args = args.iter().map(|r| r.vreg()).collect();
    }

    /// A fresh virtual register of `class`.
    pub fn alloc_vreg(&mut self, class: RegClass) -> Reg {
        let r = Reg::new(self.vregs.len(), class);
        self.vregs.push((class, None, self.group_id));
        r
    }

    /// Makes `from` stand for `to`: every mention of `from` means `to`.
    pub fn set_alias(&mut self, from: Reg, to: Reg) {
        if from != to {
            self.vregs[from.vreg().vreg()].1 = Some(to.vreg().vreg() as u32);
        }
    }

    /// The register `r` stands for once aliases are followed.
    fn resolve(&self, mut r: usize) -> usize {
        // Aliases form chains without cycles (each value's register is set once); the
        // bound only guards against a misuse looping forever.
        for _ in 0..self.vregs.len() {
            match self.vregs[r].1 {
                Some(to) => r = to as usize,
                None => break,
            }
        }
        r
    }

    /// Declares `n` blocks (numbered in the order they will be emitted); returns the
    /// first's index.
    pub fn declare_blocks(&mut self, n: usize) -> usize {
        let first = self.blocks.len();
        self.blocks.resize(first + n, BlockData::default());
        self.block_insts.resize_with(first + n, Vec::new);
        first
    }

    /// Starts block `b` with parameters `params` (closing the open one): the instructions
    /// pushed next belong to it.
    pub fn start_block(&mut self, b: usize, params: &[Reg]) {
        self.close_block();
        self.open = Some(b);
        self.blocks[b].params = params.iter().map(|r| r.vreg()).collect();
    }

    fn close_block(&mut self) {
        self.end_group();
        if let Some(b) = self.open.take() {
            let mut insts = core::mem::take(&mut self.reversed);
            insts.reverse();
            self.block_insts[b] = insts;
            self.group_places
                .resize(self.group_id as usize, (u32::MAX, u32::MAX));
            for (pos, g) in self.open_groups.drain(..).rev().enumerate() {
                self.group_places[g as usize] = (b as u32, pos as u32);
            }
        }
    }

    /// Ends the open group: the instructions pushed since the last group come before
    /// those of the groups already ended in this block.
    pub fn end_group(&mut self) {
        let loc = core::mem::take(&mut self.loc);
        self.reversed
            .extend(self.group.drain(..).rev().map(|inst| (inst, loc)));
        self.open_groups.push(self.group_id);
        self.group_id += 1;
    }

    /// Notes that a call passes `bytes` of arguments on the stack; the frame reserves
    /// the largest such area below its spill slots.
    pub fn note_outgoing_args(&mut self, bytes: u32) {
        self.outgoing_args_bytes = self.outgoing_args_bytes.max(bytes);
    }

    /// Sets the source location of the open group's instructions (until it ends).
    pub fn set_srcloc(&mut self, loc: RelSourceLoc) {
        self.loc = loc;
    }

    /// Appends an instruction to the open group.
    pub fn push(&mut self, inst: I) {
        self.group.push(inst);
    }

    /// Records the edge from the open block to `succ`, passing `args` to its parameters,
    /// in the order the block's terminator names its targets.
    pub fn add_succ(&mut self, succ: usize, args: &[Reg]) {
        let b = self.open.expect("a block is open");
        self.blocks[b].succs.push(Block::new(succ));
        self.blocks[b]
            .branch_args
            .push(args.iter().map(|r| r.vreg()).collect());
    }

    /// The finished VCode: blocks in order, aliases resolved, the registers in use
    /// numbered in order of appearance.
    pub fn finish(mut self) -> VCode<I> {
        self.close_block();
        let mut vcode = VCode {
            insts: Vec::new(),
            srclocs: Vec::new(),
            operands: Vec::new(),
            operand_ranges: Vec::new(),
            clobbers: Vec::new(),
            blocks: Vec::new(),
            num_vregs: 0,
            outgoing_args_bytes: self.outgoing_args_bytes,
            names: Vec::new(),
        };
        let mut blocks = core::mem::take(&mut self.blocks);
        let block_insts = core::mem::take(&mut self.block_insts);
        // Everything in terms of the registers aliases stand for.
        let canonical = |this: &Self, v: VReg| this.resolve(v.vreg());
        // Operands naming canonical registers by their index here (renumbered below).
        let mut c = OperandCollector::default();
        let total: usize = block_insts.iter().map(Vec::len).sum();
        vcode.insts.reserve(total);
        vcode.srclocs.reserve(total);
        for (b, insts) in block_insts.into_iter().enumerate() {
            let start = vcode.insts.len() as u32;
            for (inst, loc) in insts {
                c.operands.clear();
                c.clobbers = PRegSet::empty();
                inst.get_operands(&mut c);
                let first = vcode.operands.len() as u32;
                for op in &c.operands {
                    let v = VReg::new(canonical(&self, op.vreg()), op.class());
                    vcode
                        .operands
                        .push(Operand::new(v, op.constraint(), op.kind(), op.pos()));
                }
                vcode
                    .operand_ranges
                    .push((first, vcode.operands.len() as u32));
                vcode.clobbers.push(c.clobbers);
                vcode.insts.push(inst);
                vcode.srclocs.push(loc);
            }
            blocks[b].insts = (start, vcode.insts.len() as u32);
        }
        // Numbering as a forward build would give (regalloc2's choices depend on it): the
        // arguments, the block parameters, then every other register by the place of the
        // group that made it, first to last.
        const NONE: u32 = u32::MAX;
        let mut number = alloc::vec![NONE; self.vregs.len()];
        let mut count = 0u32;
        let mut assign = |r: usize| {
            if number[r] == NONE {
                number[r] = count;
                count += 1;
            }
        };
        for v in core::mem::take(&mut self.args) {
            assign(canonical(&self, v));
        }
        for data in &blocks {
            for &v in &data.params {
                assign(canonical(&self, v));
            }
        }
        // Each register once (a register is mentioned by its definition and every use).
        let mut seen = alloc::vec![false; self.vregs.len()];
        let mut rest: Vec<usize> = Vec::new();
        let mut note = |r: usize| {
            if !seen[r] {
                seen[r] = true;
                rest.push(r);
            }
        };
        vcode.operands.iter().for_each(|op| note(op.vreg().vreg()));
        for data in &blocks {
            for args in &data.branch_args {
                args.iter().for_each(|&v| note(canonical(&self, v)));
            }
        }
        // Sorted by (block, position of the group in it, creation order).
        let mut keyed: Vec<(u64, usize)> = rest
            .into_iter()
            .map(|r| {
                let g = self.vregs[r].2 as usize;
                let (b, pos) = self.group_places.get(g).copied().unwrap_or((0, 0));
                ((u64::from(b) << 32) | u64::from(pos), r)
            })
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().for_each(|(_, r)| assign(r));
        let new = |this: &Self, r: usize| VReg::new(number[r] as usize, this.vregs[r].0);
        for op in &mut vcode.operands {
            let v = new(&self, op.vreg().vreg());
            *op = Operand::new(v, op.constraint(), op.kind(), op.pos());
        }
        for data in &mut blocks {
            data.params = data
                .params
                .iter()
                .map(|&v| new(&self, canonical(&self, v)))
                .collect();
            for args in &mut data.branch_args {
                *args = args
                    .iter()
                    .map(|&v| new(&self, canonical(&self, v)))
                    .collect();
            }
        }
        // Predecessors in block order.
        for b in 0..blocks.len() {
            for s in blocks[b].succs.clone() {
                blocks[s.index()].preds.push(Block::new(b));
            }
        }
        vcode.blocks = blocks;
        vcode.num_vregs = count as usize;
        vcode.names = (0..self.vregs.len())
            .map(|v| number[self.resolve(v)])
            .collect();
        vcode
    }
}

impl<I: MachInst> VCode<I> {
    /// The instructions, in order.
    pub fn insts(&self) -> &[I] {
        &self.insts
    }

    /// The source location of instruction `i` (the default when it has none).
    pub fn srcloc(&self, i: usize) -> RelSourceLoc {
        self.srclocs[i]
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
                let text = self.rename_vregs(&alloc::format!("{:?}", self.insts[i]));
                let _ = writeln!(out, "  {}", name_pregs::<I>(text));
            }
            for (succ, args) in data.succs.iter().zip(&data.branch_args) {
                let _ = writeln!(out, "  ; -> block{}({})", succ.index(), list(args));
            }
        }
        out
    }

    /// `text` (an instruction's `Debug` form, naming the registers the builder handed
    /// out, `v12`) with each virtual register named by its number here.
    fn rename_vregs(&self, text: &str) -> alloc::string::String {
        let mut out = alloc::string::String::with_capacity(text.len());
        let bytes = text.as_bytes();
        // `copied` is where the text not yet copied starts; names are ASCII, so every
        // cut falls on a character boundary.
        let (mut i, mut copied) = (0, 0);
        while i < bytes.len() {
            let starts_name = bytes[i] == b'v'
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !starts_name {
                i += 1;
                continue;
            }
            let end = (i + 1..bytes.len())
                .find(|&j| !bytes[j].is_ascii_digit())
                .unwrap_or(bytes.len());
            let n: usize = text[i + 1..end].parse().unwrap_or(usize::MAX);
            if let Some(&m) = self.names.get(n).filter(|&&m| m != u32::MAX) {
                out.push_str(&text[copied..i]);
                out.push_str(&alloc::format!("v{m}"));
                copied = end;
            }
            i = end;
        }
        out.push_str(&text[copied..]);
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

    /// Turns every limit constraint into a fixed register under the limit, for the
    /// single-pass allocator, which has no limits: the limited operands of an
    /// instruction get registers 0, 1, 2... of their class in operand order, so no two
    /// collide (the allocator moves values in and out of them).
    pub fn fix_limits(&mut self) {
        for &(start, end) in &self.operand_ranges {
            let mut next = 0usize;
            for op in &mut self.operands[start as usize..end as usize] {
                if let regalloc2::OperandConstraint::Limit(limit) = op.constraint() {
                    debug_assert!(next < limit, "more limited operands than registers");
                    let preg = regalloc2::PReg::new(next, op.class());
                    next += 1;
                    *op = Operand::new(
                        op.vreg(),
                        regalloc2::OperandConstraint::FixedReg(preg),
                        op.kind(),
                        op.pos(),
                    );
                }
            }
        }
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
