// Rust expectations for `extern_enum.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/extern_enum.rs"));
}

/// A condition code defined outside ISLE.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Eq,
    Ne,
    Lt { signed: u8 },
}

struct Ctx;
impl generated::Context for Ctx {}

#[test]
fn extern_enum_round_trip() {
    assert_eq!(generated::constructor_invert(&mut Ctx, Cond::Eq), Cond::Ne);
    assert_eq!(generated::constructor_invert(&mut Ctx, Cond::Ne), Cond::Eq);
    assert_eq!(generated::constructor_invert(&mut Ctx, Cond::Lt { signed: 1 }), Cond::Lt { signed: 1 });
}
