//! VCode and regalloc2 on a toy ISA, validated by regalloc2's checker.

use super::MachInst;
use super::reg::{Reg, Writable};
use super::vcode::{OperandCollector, VCodeBuilder};
use alloc::vec;
use alloc::vec::Vec;
use regalloc2::{Allocation, MachineEnv, PReg, RegClass};

#[derive(Clone, Debug)]
enum Toy {
    Args(Vec<(Writable<Reg>, PReg)>),
    Const(Writable<Reg>),
    Add(Writable<Reg>, Reg, Reg),
    /// Two-address add: the result reuses the first input's register.
    AddInPlace(Writable<Reg>, Reg, Reg),
    Jump,
    Brif(Reg),
    Ret(Vec<(Reg, PReg)>),
}

impl MachInst for Toy {
    fn get_operands(&self, c: &mut OperandCollector) {
        match self {
            Toy::Args(defs) => defs.iter().for_each(|&(r, p)| c.reg_fixed_def(r, p)),
            Toy::Const(d) => c.reg_def(*d),
            Toy::Add(d, a, b) => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_def(*d);
            }
            Toy::AddInPlace(d, a, b) => {
                c.reg_use(*a);
                c.reg_use(*b);
                c.reg_reuse_def(*d, 0);
            }
            Toy::Jump => {}
            Toy::Brif(r) => c.reg_use(*r),
            Toy::Ret(uses) => uses.iter().for_each(|&(r, p)| c.reg_fixed_use(r, p)),
        }
    }
    fn is_ret(&self) -> bool {
        matches!(self, Toy::Ret(_))
    }
    fn is_branch(&self) -> bool {
        matches!(self, Toy::Jump | Toy::Brif(_))
    }
    fn jump_target(&self) -> Option<usize> {
        None
    }
    fn spillslot_size(_: RegClass) -> usize {
        1
    }

    fn preg_name(p: PReg) -> alloc::string::String {
        alloc::format!("r{}", p.hw_enc())
    }
}

fn env(regs: usize) -> MachineEnv {
    MachineEnv {
        preferred_regs_by_class: [
            (0..regs).map(|i| PReg::new(i, RegClass::Int)).collect(),
            vec![],
            vec![],
        ],
        non_preferred_regs_by_class: [vec![], vec![], vec![]],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: vec![],
    }
}

#[test]
fn branches_with_block_params_allocate_and_check() {
    let mut b = VCodeBuilder::<Toy>::new();
    let first = b.declare_blocks(3);
    assert_eq!(first, 0);
    let (x, y) = (b.alloc_vreg(RegClass::Int), b.alloc_vreg(RegClass::Int));
    let sum = b.alloc_vreg(RegClass::Int);
    let p = b.alloc_vreg(RegClass::Int);
    let d = b.alloc_vreg(RegClass::Int);
    let r0 = PReg::new(0, RegClass::Int);
    let r1 = PReg::new(1, RegClass::Int);
    b.start_block(0, &[]);
    b.push(Toy::Args(vec![
        (Writable::from_reg(x), r0),
        (Writable::from_reg(y), r1),
    ]));
    b.push(Toy::Add(Writable::from_reg(sum), x, y));
    b.push(Toy::Brif(sum));
    b.add_succ(1, &[sum]);
    b.add_succ(2, &[]);
    b.start_block(1, &[p]);
    b.push(Toy::Ret(vec![(p, r0)]));
    b.start_block(2, &[]);
    b.push(Toy::AddInPlace(Writable::from_reg(d), x, x));
    b.push(Toy::Ret(vec![(d, r0)]));
    let vcode = b.finish();
    assert_eq!(vcode.num_blocks(), 3);
    assert_eq!(vcode.block_range(2), 4..6);
    let out = vcode
        .regalloc(&env(4), true, regalloc2::Algorithm::Ion)
        .unwrap();
    // The fixed uses of the returns got r0.
    assert_eq!(
        out.inst_allocs(regalloc2::Inst::new(3)),
        &[Allocation::reg(r0)]
    );
}

#[test]
fn high_pressure_spills_and_still_checks() {
    // Thirty values live at once on a machine with four registers.
    let mut b = VCodeBuilder::<Toy>::new();
    b.declare_blocks(2);
    b.start_block(0, &[]);
    let vals: Vec<Reg> = (0..30).map(|_| b.alloc_vreg(RegClass::Int)).collect();
    for &v in &vals {
        b.push(Toy::Const(Writable::from_reg(v)));
    }
    let mut acc = vals[0];
    for &v in &vals[1..] {
        let s = b.alloc_vreg(RegClass::Int);
        b.push(Toy::Add(Writable::from_reg(s), acc, v));
        acc = s;
    }
    b.push(Toy::Jump);
    b.add_succ(1, &[acc]);
    let p = b.alloc_vreg(RegClass::Int);
    b.start_block(1, &[p]);
    b.push(Toy::Ret(vec![(p, PReg::new(0, RegClass::Int))]));
    let vcode = b.finish();
    let out = vcode
        .regalloc(&env(4), true, regalloc2::Algorithm::Ion)
        .unwrap();
    assert!(
        out.num_spillslots > 0,
        "thirty live values need spill slots"
    );
}
