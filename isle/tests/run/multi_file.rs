// Rust expectations for the `multi_file/` program.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/multi_file.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn inc(&mut self, arg0: u32) -> u32 {
        arg0 + 1
    }
}

#[test]
fn rules_see_declarations_of_other_files() {
    assert_eq!(generated::constructor_twice_inc(&mut Ctx, 40), 42);
}
