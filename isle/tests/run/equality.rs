// Rust expectations for `equality.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/equality.rs"));
}

struct Ctx;
impl generated::Context for Ctx {}

#[test]
fn repeated_variables_compare() {
    use generated::Pair;
    assert_eq!(generated::constructor_is_diag(&mut Ctx, Pair::P { a: 4, b: 4 }), 1);
    assert_eq!(generated::constructor_is_diag(&mut Ctx, Pair::P { a: 4, b: 5 }), 0);
}
