// Rust expectations for `internal_extractor.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/internal_extractor.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn shl1(&mut self, arg0: u32) -> u32 {
        1000 + (arg0 << 1)
    }
    fn plus(&mut self, arg0: u32, arg1: u32) -> u32 {
        arg0 + arg1
    }
    fn minus(&mut self, arg0: u32, arg1: u32) -> u32 {
        arg0 - arg1
    }
}

#[test]
fn macro_matches_equal_operands() {
    use generated::Op;
    assert_eq!(generated::constructor_simplify(&mut Ctx, Op::Add { a: 3, b: 3 }), 1006);
    assert_eq!(generated::constructor_simplify(&mut Ctx, Op::Add { a: 3, b: 4 }), 7);
    assert_eq!(generated::constructor_simplify(&mut Ctx, Op::Sub { a: 9, b: 4 }), 5);
}
