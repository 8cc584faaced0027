//! The framework tested without a real ISA: VCode and regalloc2 (validated by its
//! checker) on the Toy test ISA, and whole functions compiled by the shared pipeline for
//! Toy and run in its simulator (see [`toy`]).

mod pipeline;
pub mod toy;

use super::reg::{Reg, Writable};
use super::vcode::VCodeBuilder;
use alloc::vec;
use alloc::vec::Vec;
use regalloc2::{Allocation, PReg, RegClass};
use toy::{Toy, env};

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
    b.push(Toy::Brif(sum, 1, 2));
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
        b.push(Toy::Const(Writable::from_reg(v), 1));
    }
    let mut acc = vals[0];
    for &v in &vals[1..] {
        let s = b.alloc_vreg(RegClass::Int);
        b.push(Toy::Add(Writable::from_reg(s), acc, v));
        acc = s;
    }
    b.push(Toy::Jump(1));
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

/// Built as backward lowering builds it (blocks last to first, each instruction's group
/// before the ones already built), with a use naming a register that is later made an
/// alias of the definition's: the result is in order, the alias resolved, and the
/// registers numbered as a forward build would.
#[test]
fn backward_groups_and_aliases_give_forward_code() {
    let mut b = VCodeBuilder::<Toy>::new();
    b.declare_blocks(2);
    let r0 = PReg::new(0, RegClass::Int);
    // Block 1 first: it returns `p`, its parameter.
    let p = b.alloc_vreg(RegClass::Int);
    b.start_block(1, &[p]);
    b.push(Toy::Ret(vec![(p, r0)]));
    b.end_group();
    // Block 0, last instruction first: the jump passes `sum`, named before it exists.
    let named_sum = b.alloc_vreg(RegClass::Int);
    b.start_block(0, &[]);
    b.push(Toy::Jump(1));
    b.add_succ(1, &[named_sum]);
    b.end_group();
    // The addition: its rule defines a fresh register, which `named_sum` stands for.
    let x = b.alloc_vreg(RegClass::Int);
    let sum = b.alloc_vreg(RegClass::Int);
    b.push(Toy::Add(Writable::from_reg(sum), x, x));
    b.set_alias(named_sum, sum);
    b.end_group();
    b.set_args(&[x]);
    b.push(Toy::Args(vec![(Writable::from_reg(x), r0)]));
    b.end_group();
    let vcode = b.finish();
    let text = vcode.to_text();
    let expected = "block0():\n  Args([(=v0, r0)])\n  Add(=v2, v0, v0)\n  Jump(1)\n  ; -> block1(v2)\nblock1(v1):\n  Ret([(v1, r0)])\n";
    assert_eq!(text, expected);
    // And regalloc2 (with its checker) accepts it.
    vcode
        .regalloc(&env(2), true, regalloc2::Algorithm::Ion)
        .unwrap();
}
