// Rust expectations for `let_bindings.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/let_bindings.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn mul(&mut self, arg0: i32, arg1: i32) -> i32 {
        arg0 * arg1
    }
    fn add(&mut self, arg0: i32, arg1: i32) -> i32 {
        arg0 + arg1
    }
}

#[test]
fn evaluates_the_polynomial() {
    assert_eq!(generated::constructor_poly(&mut Ctx, 2), 17);
    assert_eq!(generated::constructor_poly(&mut Ctx, -3), 7);
}
