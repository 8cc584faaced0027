//! A property test of `FunctionBuilder`: random structured programs (assignments, if/else
//! and counted loops over four variables) are built with variables, compiled and run,
//! and must return what a direct evaluation of the same program in Rust returns.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{
    AbiParam, CallConv, Function, InstBuilder, InstBuilderExt, IntCC, Signature, Type,
    UserFuncName, Value,
};
use gantry_codegen::isa;
use gantry_filetests::random::Rng;
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

const VARS: usize = 4;

#[derive(Clone, Debug)]
enum Expr {
    Var(usize),
    Const(i64),
    Bin(u8, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug)]
enum Stmt {
    Assign(usize, Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// Runs the body this many times.
    Repeat(u8, Vec<Stmt>),
}

fn expr(rng: &mut Rng, depth: usize) -> Expr {
    match rng.below(if depth == 0 { 2 } else { 5 }) {
        0 => Expr::Var(rng.below(VARS)),
        1 => Expr::Const(rng.pick(&[0, 1, -1, 7, 1000, i64::MIN, i64::MAX])),
        _ => Expr::Bin(
            rng.below(6) as u8,
            Box::new(expr(rng, depth - 1)),
            Box::new(expr(rng, depth - 1)),
        ),
    }
}

fn block(rng: &mut Rng, depth: usize) -> Vec<Stmt> {
    (0..1 + rng.below(4))
        .map(|_| match rng.below(if depth == 0 { 1 } else { 4 }) {
            0 | 1 => Stmt::Assign(rng.below(VARS), expr(rng, 2)),
            2 => Stmt::If(expr(rng, 2), block(rng, depth - 1), block(rng, depth - 1)),
            _ => Stmt::Repeat(rng.below(5) as u8, block(rng, depth - 1)),
        })
        .collect()
}

fn bin(op: u8, a: i64, b: i64) -> i64 {
    match op {
        0 => a.wrapping_add(b),
        1 => a.wrapping_sub(b),
        2 => a.wrapping_mul(b),
        3 => a ^ b,
        4 => i64::from(a < b),
        _ => a & b,
    }
}

fn eval_expr(e: &Expr, vars: &[i64; VARS]) -> i64 {
    match e {
        Expr::Var(v) => vars[*v],
        Expr::Const(k) => *k,
        Expr::Bin(op, a, b) => bin(*op, eval_expr(a, vars), eval_expr(b, vars)),
    }
}

fn eval(stmts: &[Stmt], vars: &mut [i64; VARS]) {
    for s in stmts {
        match s {
            Stmt::Assign(v, e) => vars[*v] = eval_expr(e, vars),
            Stmt::If(c, t, f) => {
                if eval_expr(c, vars) != 0 {
                    eval(t, vars)
                } else {
                    eval(f, vars)
                }
            }
            Stmt::Repeat(n, body) => {
                for _ in 0..*n {
                    eval(body, vars);
                }
            }
        }
    }
}

fn build_expr(b: &mut FunctionBuilder<'_>, vars: &[Variable], e: &Expr) -> Value {
    match e {
        Expr::Var(v) => b.use_var(vars[*v]),
        Expr::Const(k) => b.ins().iconst(Type::I64, *k),
        Expr::Bin(op, x, y) => {
            let (x, y) = (build_expr(b, vars, x), build_expr(b, vars, y));
            match op {
                0 => b.ins().iadd(x, y),
                1 => b.ins().isub(x, y),
                2 => b.ins().imul(x, y),
                3 => b.ins().bxor(x, y),
                4 => {
                    let c = b.ins().icmp(IntCC::SignedLessThan, x, y);
                    b.ins().uextend(Type::I64, c)
                }
                _ => b.ins().band(x, y),
            }
        }
    }
}

/// Builds `stmts` from the current block; control continues in the returned block.
fn build(
    b: &mut FunctionBuilder<'_>,
    vars: &[Variable],
    stmts: &[Stmt],
    counters: &mut Vec<Variable>,
) {
    for s in stmts {
        match s {
            Stmt::Assign(v, e) => {
                let x = build_expr(b, vars, e);
                b.def_var(vars[*v], x);
            }
            Stmt::If(c, t, f) => {
                let c = build_expr(b, vars, c);
                let (then_b, else_b, join) = (b.create_block(), b.create_block(), b.create_block());
                b.ins().brif(c, then_b, &[], else_b, &[]);
                for (blk, body) in [(then_b, t), (else_b, f)] {
                    b.switch_to_block(blk);
                    b.seal_block(blk);
                    build(b, vars, body, counters);
                    b.ins().jump(join, &[]);
                }
                b.switch_to_block(join);
                b.seal_block(join);
            }
            Stmt::Repeat(n, body) => {
                let counter = b.declare_var(Type::I64);
                counters.push(counter);
                let zero = b.ins().iconst(Type::I64, 0);
                b.def_var(counter, zero);
                let (header, body_b, exit) = (b.create_block(), b.create_block(), b.create_block());
                b.ins().jump(header, &[]);
                b.switch_to_block(header);
                let k = b.use_var(counter);
                let more = b.ins().icmp_imm(IntCC::SignedLessThan, k, i64::from(*n));
                b.ins().brif(more, body_b, &[], exit, &[]);
                b.switch_to_block(body_b);
                b.seal_block(body_b);
                build(b, vars, body, counters);
                let k = b.use_var(counter);
                let k2 = b.ins().iadd_imm(k, 1);
                b.def_var(counter, k2);
                b.ins().jump(header, &[]);
                b.seal_block(header);
                b.switch_to_block(exit);
                b.seal_block(exit);
            }
        }
    }
}

fn compile_program(stmts: &[Stmt]) -> Function {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params = vec![AbiParam::new(Type::I64); 2];
    sig.returns = vec![AbiParam::new(Type::I64); 2];
    let mut f = Function::with_name_signature(UserFuncName::testcase("prog"), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut f, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let vars: Vec<Variable> = (0..VARS).map(|_| b.declare_var(Type::I64)).collect();
    let (p0, p1) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    b.def_var(vars[0], p0);
    b.def_var(vars[1], p1);
    // vars 2 and 3 are never assigned before use on some paths: they read as zero.
    let mut counters = Vec::new();
    build(&mut b, &vars, stmts, &mut counters);
    let (r0, r1) = (b.use_var(vars[2]), b.use_var(vars[3]));
    let x = b.use_var(vars[0]);
    let r0 = b.ins().bxor(r0, x);
    b.ins().return_(&[r0, r1]);
    b.finalize();
    f
}

#[test]
fn random_programs_compute_what_rust_computes() {
    let isa = isa::lookup("x86_64").unwrap().finish().unwrap();
    let speed = gantry_codegen::settings::Flags {
        opt_level: gantry_codegen::settings::OptLevel::Speed,
        ..Default::default()
    };
    let isa_speed = isa::lookup("x86_64").unwrap().finish_with(speed).unwrap();
    let cases: u64 = std::env::var("FRONTEND_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut ran = 0;
    for seed in 0..cases {
        let mut rng = Rng::new(seed);
        let program = block(&mut rng, 3);
        let f = compile_program(&program);
        gantry_codegen::verifier::verify_function(&f)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{f}"));
        if !gantry_filetests::run::host_runs("x86_64") {
            continue;
        }
        ran += 1;
        for args in [[3i64, -5], [0, 0], [i64::MAX, 12345]] {
            let mut vars = [args[0], args[1], 0, 0];
            eval(&program, &mut vars);
            let want = [vars[2] ^ vars[0], vars[3]];
            for isa in [&isa, &isa_speed] {
                let got = gantry_filetests::run::compile_and_call(
                    isa.as_ref(),
                    &f,
                    &[DataValue::I64(args[0]), DataValue::I64(args[1])],
                )
                .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{f}"));
                assert_eq!(
                    got,
                    [DataValue::I64(want[0]), DataValue::I64(want[1])],
                    "seed {seed}, args {args:?}, {}\n{program:?}\n{f}",
                    isa.shared_flags().opt_level.name()
                );
            }
        }
    }
    eprintln!(
        "{cases} random programs built and verified; {ran} compiled and run at both opt levels"
    );
    if gantry_filetests::run::host_runs("x86_64") {
        assert_eq!(ran, cases);
    }
}
