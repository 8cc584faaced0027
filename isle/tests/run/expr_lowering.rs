// Rust expectations for `expr_lowering.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/expr_lowering.rs"));
}

#[derive(Default)]
struct Ctx {
    asm: Vec<String>,
    next: u32,
}

impl Ctx {
    fn def(&mut self, text: String) -> u32 {
        let r = self.next;
        self.next += 1;
        self.asm.push(format!("r{r} = {text}"));
        r
    }
}

impl generated::Context for Ctx {
    fn emit_li(&mut self, arg0: i64) -> u32 {
        self.def(format!("li {arg0}"))
    }
    fn emit_add(&mut self, arg0: u32, arg1: u32) -> u32 {
        self.def(format!("add r{arg0}, r{arg1}"))
    }
    fn emit_addi(&mut self, arg0: u32, arg1: i64) -> u32 {
        self.def(format!("addi r{arg0}, {arg1}"))
    }
    fn emit_mul(&mut self, arg0: u32, arg1: u32) -> u32 {
        self.def(format!("mul r{arg0}, r{arg1}"))
    }
    fn emit_shl(&mut self, arg0: u32, arg1: i64) -> u32 {
        self.def(format!("shl r{arg0}, {arg1}"))
    }
}

fn c(v: i64) -> generated::Expr {
    generated::Expr::Const { value: v }
}

#[test]
fn lowers_with_the_most_specific_rule() {
    use generated::Expr;
    // (x * 2) + 5 where x = 7 * 3
    let x = Expr::Mul { a: Box::new(c(7)), b: Box::new(c(3)) };
    let e = Expr::Add { a: Box::new(Expr::Mul { a: Box::new(x), b: Box::new(c(2)) }), b: Box::new(c(5)) };
    let mut ctx = Ctx::default();
    let r = generated::constructor_lower(&mut ctx, e);
    assert_eq!(r, 4);
    assert_eq!(ctx.asm, ["r0 = li 7", "r1 = li 3", "r2 = mul r0, r1", "r3 = shl r2, 1", "r4 = addi r3, 5"]);
}
