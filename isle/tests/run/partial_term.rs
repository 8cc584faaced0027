// Rust expectations for `partial_term.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/partial_term.rs"));
}

struct Ctx;
impl generated::Context for Ctx {}

#[test]
fn none_when_nothing_matches() {
    use generated::Tok;
    assert_eq!(generated::constructor_value(&mut Ctx, Tok::Num { v: 3 }), Some(3));
    assert_eq!(generated::constructor_value(&mut Ctx, Tok::Plus), None);
    assert_eq!(generated::constructor_value(&mut Ctx, Tok::Minus), None);
}
