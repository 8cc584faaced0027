// Rust expectations for `multi_extractor.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/multi_extractor.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn factor_pairs(&mut self, input: u32) -> Vec<(u32, u32)> {
        (1..=input).filter(|d| input % d == 0).map(|d| (d, input / d)).collect()
    }
}

#[test]
fn finds_the_matching_pair() {
    assert_eq!(generated::constructor_square_root(&mut Ctx, 49), Some(7));
    assert_eq!(generated::constructor_square_root(&mut Ctx, 50), None);
}
