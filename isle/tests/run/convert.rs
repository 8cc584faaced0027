// Rust expectations for `convert.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/convert.rs"));
}

/// A register holding a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Reg(u32);

struct Ctx;
impl generated::Context for Ctx {
    fn widen(&mut self, arg0: u8) -> u32 {
        u32::from(arg0)
    }
    fn put_in_reg(&mut self, arg0: u32) -> Reg {
        Reg(arg0)
    }
    fn sum(&mut self, arg0: u32, arg1: u32) -> u32 {
        arg0 + arg1
    }
}

#[test]
fn conversions_are_implicit() {
    assert_eq!(generated::constructor_lower(&mut Ctx, 200, 1000), Reg(1200));
}
