// Rust expectations for `basic.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/basic.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn add(&mut self, arg0: u32, arg1: u32) -> u32 {
        arg0 + arg1
    }
}

#[test]
fn constructors_compose() {
    assert_eq!(generated::constructor_double(&mut Ctx, 21), 42);
    assert_eq!(generated::constructor_quadruple(&mut Ctx, 5), 20);
}
