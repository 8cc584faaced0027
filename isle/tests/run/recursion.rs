// Rust expectations for `recursion.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/recursion.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn pred(&mut self, arg0: u64) -> Option<u64> {
        arg0.checked_sub(1).filter(|&m| m > 0)
    }
    fn mul(&mut self, arg0: u64, arg1: u64) -> u64 {
        arg0 * arg1
    }
}

#[test]
fn factorials() {
    assert_eq!(generated::constructor_factorial(&mut Ctx, 1), 1);
    assert_eq!(generated::constructor_factorial(&mut Ctx, 10), 3_628_800);
}
