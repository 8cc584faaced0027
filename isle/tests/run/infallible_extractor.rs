// Rust expectations for `infallible_extractor.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/infallible_extractor.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn split_halves(&mut self, input: u16) -> (u8, u8) {
        ((input >> 8) as u8, input as u8)
    }
    fn join(&mut self, arg0: u8, arg1: u8) -> u16 {
        u16::from(arg0) << 8 | u16::from(arg1)
    }
}

#[test]
fn swaps() {
    assert_eq!(generated::constructor_swap_bytes(&mut Ctx, 0x1234), 0x3412);
}
