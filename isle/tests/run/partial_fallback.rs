// Rust expectations for `partial_fallback.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/partial_fallback.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn lookup(&mut self, arg0: u32) -> Option<u32> {
        [10, 20, 30].get(arg0 as usize).copied()
    }
}

#[test]
fn failing_rhs_falls_through() {
    assert_eq!(generated::constructor_with_default(&mut Ctx, 1), 20);
    assert_eq!(generated::constructor_with_default(&mut Ctx, 9), 0);
    assert_eq!(generated::constructor_maybe(&mut Ctx, 2), Some(30));
    assert_eq!(generated::constructor_maybe(&mut Ctx, 3), None);
}
