// Rust expectations for `extern_extractor.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/extern_extractor.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn match_even(&mut self, input: u32) -> Option<u32> {
        (input % 2 == 0).then_some(input / 2)
    }
    fn tpo(&mut self, arg0: u32) -> u32 {
        3 * arg0 + 1
    }
}

#[test]
fn collatz_step() {
    assert_eq!(generated::constructor_describe(&mut Ctx, 10), 5);
    assert_eq!(generated::constructor_describe(&mut Ctx, 5), 16);
}
