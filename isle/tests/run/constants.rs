// Rust expectations for `constants.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/constants.rs"));
}

/// The limit matched by `$LIMIT`.
const LIMIT: u64 = 77;

struct Ctx;
impl generated::Context for Ctx {}

#[test]
fn constants_match() {
    let c = &mut Ctx;
    assert_eq!(generated::constructor_name(c, 16), 16);
    assert_eq!(generated::constructor_name(c, 5), 5);
    assert_eq!(generated::constructor_name(c, 15), 15);
    assert_eq!(generated::constructor_name(c, 1000), 1000);
    assert_eq!(generated::constructor_name(c, 77), 7);
    assert_eq!(generated::constructor_name(c, 3), 0);
    assert!(!generated::constructor_flip(c, true));
    assert!(generated::constructor_flip(c, false));
}
