//! The interpreter against compiled x86-64 code on generated functions: for each function
//! both compute from the same random arguments, and their results (or their traps) agree.
//! Functions the runner cannot call alone (calls to functions outside them) and those
//! that take addresses (which differ: the interpreter's are its own) are skipped.

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::UserFuncName;
use gantry_codegen::isa;
use gantry_filetests::random::{Rng, random_function};
use gantry_interpreter::Interpreter;

#[test]
fn the_interpreter_agrees_with_compiled_code() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let isa = isa::lookup("x86_64")
        .unwrap()
        .finish_with(Default::default())
        .unwrap();
    // Generated loops may not end: both sides stop early (and such cases are skipped).
    gantry_filetests::run::set_time_limit(std::time::Duration::from_millis(200));
    let (mut compared, mut trapped) = (0, 0);
    for seed in 0..400 {
        let mut func = random_function(seed);
        func.name = UserFuncName::testcase("f");
        // Addresses differ between the two (the interpreter's are fake).
        let addresses = func.layout.blocks().any(|b| {
            func.layout.block_insts(b).any(|i| {
                use gantry_codegen::ir::Opcode as O;
                matches!(
                    func.dfg.insts[i].opcode(),
                    O::StackAddr
                        | O::FuncAddr
                        | O::SymbolValue
                        | O::TlsValue
                        | O::GetFramePointer
                        | O::GetStackPointer
                        | O::GetReturnAddress
                )
            })
        });
        if addresses {
            continue;
        }
        let mut rng = Rng::new(seed ^ 0xabcdef);
        let args: Vec<DataValue> = func
            .signature
            .params
            .iter()
            .map(|p| {
                let x = rng.next_u64() as i128;
                let x = if rng.one_in(3) { x % 7 } else { x };
                DataValue::from_integer(x, p.value_type)
                    .or_else(|| DataValue::from_le_slot(&(x as u128).to_le_bytes(), p.value_type))
                    .unwrap()
            })
            .collect();
        let native = gantry_filetests::run::compile_and_call(isa.as_ref(), &func, &args);
        let name = gantry_interpreter::function_name(&func);
        let interpreted = Interpreter::new([&func])
            .with_step_limit(1_000_000)
            .call(&name, &args);
        match (native, interpreted) {
            (Ok(n), Ok(i)) => {
                compared += 1;
                assert!(
                    n.len() == i.len() && n.iter().zip(&i).all(|(a, b)| a.eq_or_both_nan(b)),
                    "seed {seed}: compiled {n:?}, interpreted {i:?}\n{func}"
                );
            }
            (Err(n), Err(i)) if n.contains("trap") && i.to_string().contains("trap") => {
                trapped += 1;
                let code = i.to_string();
                assert!(
                    n.contains(code.trim_start_matches("trap: ")),
                    "seed {seed}: compiled {n}, interpreted {code}\n{func}"
                );
            }
            // One side trapped, the other not: a disagreement.
            (Err(n), i) if n.contains("trap") => {
                panic!("seed {seed}: compiled {n}, interpreted {i:?}\n{func}")
            }
            (Ok(n), Err(i)) if i.to_string().contains("trap") => {
                panic!("seed {seed}: compiled {n:?}, interpreted {i}\n{func}")
            }
            // Something neither side can run alone (a call out of the function).
            _ => {}
        }
    }
    assert!(
        compared >= 30 && trapped >= 10,
        "only {compared} compared, {trapped} trapped"
    );
}
