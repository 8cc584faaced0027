// Rust expectations for `if_let.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/if_let.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn checked_half(&mut self, arg0: u32) -> Option<u32> {
        (arg0 % 2 == 0).then_some(arg0 / 2)
    }
}

#[test]
fn conditions_chain() {
    assert_eq!(generated::constructor_halve_twice(&mut Ctx, 12), 3);
    assert_eq!(generated::constructor_halve_twice(&mut Ctx, 6), 999);
    assert_eq!(generated::constructor_halve_twice(&mut Ctx, 7), 999);
}
