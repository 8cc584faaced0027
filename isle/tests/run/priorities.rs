// Rust expectations for `priorities.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/priorities.rs"));
}

struct Ctx;
impl generated::Context for Ctx {}

#[test]
fn highest_priority_wins() {
    let c = &mut Ctx;
    assert_eq!(generated::constructor_classify(c, 0), 100);
    assert_eq!(generated::constructor_classify(c, 1), 101);
    assert_eq!(generated::constructor_classify(c, 7), 107);
    assert_eq!(generated::constructor_classify(c, -3), 0);
}
