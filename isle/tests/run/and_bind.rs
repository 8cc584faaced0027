// Rust expectations for `and_bind.isle`.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/and_bind.rs"));
}

struct Ctx;
impl generated::Context for Ctx {
    fn small(&mut self, arg0: u32) -> Option<u32> {
        (arg0 < 3).then_some(arg0)
    }
    fn is_square(&mut self, input: u32) -> Option<u32> {
        let r = (input as f64).sqrt() as u32;
        (r * r == input).then_some(r)
    }
    fn class_of(&mut self, arg0: generated::Shape) -> u32 {
        match arg0 {
            generated::Shape::Rect { w, h } => 100 + w * h,
            generated::Shape::Circle { .. } => 200,
        }
    }
    fn plus(&mut self, arg0: u32, arg1: u32) -> u32 {
        arg0 + arg1
    }
}

#[test]
fn and_and_bind() {
    use generated::Shape;
    assert_eq!(generated::constructor_area_class(&mut Ctx, Shape::Rect { w: 2, h: 5 }), 110);
    assert_eq!(generated::constructor_area_class(&mut Ctx, Shape::Rect { w: 9, h: 5 }), 14);
    assert_eq!(generated::constructor_area_class(&mut Ctx, Shape::Rect { w: 8, h: 5 }), 0);
    assert_eq!(generated::constructor_area_class(&mut Ctx, Shape::Circle { r: 1 }), 0);
}
