//! Compiles every function of a CLIF file with Cranelift for x86-64 (with
//! `preserve_frame_pointers`, at the `opt_level` given) and reports the code size and
//! compile throughput, for comparison with `clif-util compile` on the same file:
//!     compare FILE [none|speed] [--per-fn]
use cranelift_codegen::isa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use std::str::FromStr;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = &args[1];
    let opt = args.get(2).cloned().unwrap_or("none".into());
    let per_fn = args.iter().any(|a| a == "--per-fn");
    let text = std::fs::read_to_string(path).unwrap();
    let funcs = cranelift_reader::parse_functions(&text).unwrap();
    let mut b = settings::builder();
    b.set("opt_level", &opt).unwrap();
    b.set("preserve_frame_pointers", "true").unwrap();
    let flags = settings::Flags::new(b);
    let isa = isa::lookup(target_lexicon::Triple::from_str("x86_64-unknown-linux-gnu").unwrap())
        .unwrap()
        .finish(flags)
        .unwrap();
    let t = std::time::Instant::now();
    let mut total = 0usize;
    let mut insts = 0usize;
    let mut fails = 0;
    for f in funcs {
        let name = f.name.to_string();
        insts += f.dfg.num_insts();
        let mut ctx = Context::for_function(f);
        let mut cp = cranelift_control::ControlPlane::default();
        match ctx.compile(&*isa, &mut cp) {
            Ok(c) => {
                let n = c.code_buffer().len();
                total += n;
                if per_fn {
                    println!("{name} {n}");
                }
            }
            Err(e) => {
                fails += 1;
                if fails < 5 {
                    eprintln!("{name}: {:?}", e.inner);
                }
            }
        }
    }
    let el = t.elapsed();
    eprintln!(
        "{total} bytes, {fails} failed, {insts} insts, {:.3}s, {:.0} insts/s",
        el.as_secs_f64(),
        insts as f64 / el.as_secs_f64()
    );
}
