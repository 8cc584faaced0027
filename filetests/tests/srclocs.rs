//! Source locations reach the compiled code: each instruction's machine code is covered by
//! a range with its location, made absolute with the function's base location, on every ISA.

use gantry_codegen::Context;
use gantry_codegen::ir::SourceLoc;
use gantry_codegen::isa;
use gantry_codegen::settings::Flags;

const SOURCE: &str = "
function %f(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
@0100    v2 = imul v0, v1
@0104    v3 = iadd v2, v0
@0108    brif v3, block1, block2
block1:
@010c    v4 = udiv v0, v1
@0110    return v4
block2:
@0114    return v2
}
";

#[test]
fn every_located_instruction_has_a_range() {
    let func = gantry_reader::parse_functions(SOURCE).unwrap().remove(0);
    for name in ["x86_64", "aarch64", "s390x"] {
        let isa = isa::lookup(name)
            .unwrap()
            .finish_with(Flags::default())
            .unwrap();
        let code = Context::for_function(func.clone())
            .compile(isa.as_ref())
            .unwrap()
            .clone();
        let mut last_end = 0;
        for r in &code.srclocs {
            assert!(
                r.start < r.end && r.start >= last_end,
                "{name}: {:?}",
                code.srclocs
            );
            assert!(r.end <= code.code_len, "{name}: {r:?}");
            last_end = r.end;
        }
        let mut locs: Vec<u32> = code.srclocs.iter().map(|r| r.loc.bits()).collect();
        locs.sort_unstable();
        locs.dedup();
        assert_eq!(
            locs,
            [0x100, 0x104, 0x108, 0x10c, 0x110, 0x114],
            "{name}: {:?}",
            code.srclocs
        );
        // The default location never appears as a range.
        assert!(code.srclocs.iter().all(|r| r.loc != SourceLoc::default()));
    }
}
