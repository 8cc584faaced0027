//! Parse, print, parse again: the functions are equal and printing is idempotent.

use gantry_reader::{parse_functions, parse_test};

fn round_trip(text: &str) {
    let funcs = parse_functions(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    for f in funcs {
        let printed = f.to_string();
        let again = parse_functions(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].to_string(), printed, "printing is not idempotent");
        assert_eq!(again[0], f, "re-parsed function differs:\n{printed}");
    }
}

#[test]
fn arithmetic_and_control_flow() {
    round_trip(
        "function %sum_to(i64) -> i64 system_v {
         block0(v0: i64):
             v1 = iconst.i64 0
             jump block1(v0, v1)

         block1(v2: i64, v3: i64):
             v4 = iadd v3, v2
             v5 = iadd_imm v2, -1
             brif v5, block1(v5, v4), block2(v4)

         block2(v6: i64):
             return v6
         }",
    );
}

#[test]
fn preamble_declarations() {
    round_trip(
        r#"function u0:7(i64 vmctx, i32 uext) -> i32 sext tail {
            ss0 = explicit_slot 16, align = 16
            ss1 = explicit_slot 8, key = 3
            gv0 = vmctx
            gv1 = load.i64 notrap aligned readonly gv0+8
            gv2 = iadd_imm.i64 gv1, 16
            gv3 = symbol colocated %table+8
            gv4 = symbol tls u1:2
            region0 = 8 "VMContext+0x8"
            sig0 = (i64 vmctx, i32) -> i32 tail
            fn0 = colocated u0:2 sig0
            fn1 = %Memcpy(i64, i64, i64) -> i64 system_v
            const0 = 0x000102030405060708090a0b0c0d0e0f
            stack_limit = gv2

        block0(v0: i64, v1: i32):
            v2 = call fn0(v0, v1)
            v3 = stack_addr.i64 ss0+4
            store notrap aligned region0 v2, v3
            v4 = load.i32 notrap aligned can_move region0 v3
            v5 = func_addr.i64 fn0
            v6 = call_indirect sig0, v5(v0, v4)
            v7 = vconst.i32x4 const0
            v8 = extractlane v7, 3
            v9 = symbol_value.i64 gv3
            return v6
        }"#,
    );
}

#[test]
fn floats_vectors_and_memory() {
    round_trip(
        "function %f(f32, f64) -> f64 {
         block0(v0: f32, v1: f64):
             v2 = f32const 0x1.800000p1
             v3 = f64const -0x1.0p-3
             v4 = fadd v0, v2
             v5 = fpromote.f64 v4
             v6 = fcmp uge v5, v1
             v7 = select v6, v5, v3
             v8 = f32const +NaN:0x1
             v9 = f64const -Inf
             v10 = vconst.i8x16 [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16]
             v11 = shuffle v10, v10, 0x0f0e0d0c0b0a09080706050403020100
             v12 = splat.i32x4 v8
             v13 = f128const 0x1.0p0
             return v7
         }",
    );
}

#[test]
fn branches_tables_traps_and_exceptions() {
    round_trip(
        "function %g(i32, i64) -> i32 {
             sig0 = (i32) -> i32 tail
             fn0 = %callee(i32) -> i32 tail
         block0(v0: i32, v1: i64):
             br_table v0, block3, [block1, block2(v0)]
         block1:
             trapz v0, user7
             v2 = uadd_overflow_trap v0, v0, int_ovf
             try_call fn0(v2), sig0, block4(ret0), [ tag1: block5(exn0), context v1, default: block5(exn1) ]
         block2(v3: i32):
             v4, v5 = uadd_overflow v3, v3
             v6 = get_exception_handler_address.i64 block5, 0
             trap heap_oob
         block3:
             v7 = atomic_rmw.i32 little add v1, v0
             v8 = atomic_cas v1, v7, v0
             atomic_store v8, v1
             fence
             return v8
         block4(v9: i32):
             return v9
         block5(v10: i64) cold:
             v11 = ireduce.i32 v10
             return v11
         }",
    );
}

#[test]
fn test_file_headers_and_comments() {
    let file = parse_test(
        "test run
         set opt_level=speed
         set enable_verifier
         target x86_64 has_avx
         target aarch64

         function %add(i32, i32) -> i32 {
         block0(v0: i32, v1: i32):
             v2 = iadd v0, v1
             return v2
         }
         ; run: %add(1, 2) == 3
         ",
    )
    .unwrap();
    assert_eq!(file.commands[0].command, "run");
    assert_eq!(file.targets().collect::<Vec<_>>(), ["x86_64", "aarch64"]);
    assert_eq!(file.functions.len(), 1);
    assert_eq!(file.functions[0].comments.len(), 1);
    assert_eq!(
        file.functions[0].comments[0].text.trim(),
        "run: %add(1, 2) == 3"
    );
}
