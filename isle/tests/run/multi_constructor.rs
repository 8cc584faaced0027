// Rust expectations for `multi_constructor.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/multi_constructor.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn divides(&mut self, arg0: u32) -> Option<u32> {
        (arg0 != 0 && 12 % arg0 == 0).then_some(arg0)
    }
}

#[test]
fn all_matching_rules_contribute() {
    assert_eq!(generated::constructor_divisors_of_12(&mut Ctx, 4), [1, 4, 12]);
    assert_eq!(generated::constructor_divisors_of_12(&mut Ctx, 5), [1, 12]);
}
