//! The interpreter's outcomes other than values: traps with their codes, the step limit,
//! typed errors for what it does not implement, bad calls, uncaught exceptions.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::TrapCode;
use gantry_interpreter::{InterpError, Interpreter};

fn call(text: &str, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpError> {
    let funcs = gantry_reader::parse_functions(text).unwrap();
    Interpreter::new(&funcs)
        .with_step_limit(100_000)
        .call(name, args)
}

#[test]
fn traps_carry_their_codes() {
    let text = "
function %div(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = sdiv v0, v1
    return v2
}
function %user() {
block0:
    trap user7
}
function %oob(i64) -> i64 {
    ss0 = explicit_slot 8
block0(v0: i64):
    v1 = stack_addr.i64 ss0
    v2 = iadd v1, v0
    v3 = load.i64 v2
    return v3
}
function %recurse(i64) -> i64 {
    fn0 = %recurse(i64) -> i64
block0(v0: i64):
    v1 = call fn0(v0)
    return v1
}
";
    let i32s = |a, b| [DataValue::I32(a), DataValue::I32(b)];
    assert_eq!(
        call(text, "div", &i32s(1, 0)),
        Err(InterpError::Trap(TrapCode::INTEGER_DIVISION_BY_ZERO))
    );
    assert_eq!(
        call(text, "div", &i32s(i32::MIN, -1)),
        Err(InterpError::Trap(TrapCode::INTEGER_OVERFLOW))
    );
    assert_eq!(
        call(text, "div", &i32s(-7, 2)),
        Ok(vec![DataValue::I32(-3)])
    );
    assert_eq!(
        call(text, "user", &[]),
        Err(InterpError::Trap(TrapCode::user(7).unwrap()))
    );
    assert_eq!(
        call(text, "oob", &[DataValue::I64(0)]),
        Ok(vec![DataValue::I64(0)])
    );
    for past in [8, 4, -8, 1 << 40] {
        assert_eq!(
            call(text, "oob", &[DataValue::I64(past)]),
            Err(InterpError::Trap(TrapCode::HEAP_OUT_OF_BOUNDS)),
            "offset {past}"
        );
    }
    assert_eq!(
        call(text, "recurse", &[DataValue::I64(1)]),
        Err(InterpError::Trap(TrapCode::STACK_OVERFLOW))
    );
}

#[test]
fn endless_loops_time_out_and_the_rest_are_typed_errors() {
    let text = "
function %spin() {
block0:
    jump block0
}
function %pshufb(i8x16, i8x16) -> i8x16 {
block0(v0: i8x16, v1: i8x16):
    v2 = x86_pshufb v0, v1
    return v2
}
function %calls_missing() {
    fn0 = %missing()
block0:
    call fn0()
    return
}
function %throws() {
    fn0 = %__cranelift_throw(i64, i64, i64, i32, i64, i64)
block0:
    v0 = iconst.i64 0
    v1 = iconst.i32 3
    call fn0(v0, v0, v0, v1, v0, v0)
    return
}
";
    assert_eq!(call(text, "spin", &[]), Err(InterpError::Timeout));
    let v = DataValue::V128([0; 16]);
    match call(text, "pshufb", &[v, v]) {
        Err(InterpError::Unsupported { what }) => assert!(what.contains("x86_pshufb"), "{what}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        call(text, "calls_missing", &[]),
        Err(InterpError::UnknownFunction("missing".into()))
    );
    assert_eq!(
        call(text, "nothing", &[]),
        Err(InterpError::UnknownFunction("nothing".into()))
    );
    assert!(matches!(
        call(text, "pshufb", &[v]),
        Err(InterpError::BadArguments(_))
    ));
    // No try_call would catch it: the thrower returns, as the test runner's does.
    assert_eq!(call(text, "throws", &[]), Ok(vec![]));
}
