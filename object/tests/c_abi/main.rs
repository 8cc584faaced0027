//! C ABI conformance: Gantry functions and C functions compiled by the system C compiler
//! call each other through thousands of random signatures, in both directions, and every
//! argument and result is compared byte by byte (see `generate.rs`).
//!
//! `C_ABI_CASES` sets the number of signatures per convention (default 2,000) and
//! `C_ABI_SEED` the seed. A failing run keeps its files (CLIF, C, object) and names them;
//! `C_ABI_KEEP=1` keeps them always.

mod generate;

use gantry_codegen::isa;
use gantry_module::{Linkage, Module};
use gantry_object::{ObjectBuilder, ObjectModule};
use generate::{Abi, Rng, Sig};
use std::path::{Path, PathBuf};
use std::process::Command;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The Gantry side of every case, as one object file compiled for the ABI's ISA.
///
/// # Panics
/// If a function does not parse or compile: a conformance failure of its own.
fn gantry_object(sigs: &[Sig], abi: &Abi, dir: &Path) -> Vec<u8> {
    let mut clif = String::new();
    for (n, sig) in sigs.iter().enumerate() {
        clif.push_str(&generate::clif_callee(n, sig, abi));
        clif.push_str(&generate::clif_caller(n, sig, abi));
    }
    std::fs::write(dir.join("gantry.clif"), &clif).unwrap();
    let funcs = gantry_reader::parse_functions(&clif)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("gantry.clif").display()));
    let flags = gantry_codegen::settings::Flags {
        is_pic: true,
        ..Default::default()
    };
    let isa = isa::lookup(abi.isa).unwrap().finish_with(flags).unwrap();
    let mut module = ObjectModule::new(ObjectBuilder::new(isa)).unwrap();
    for func in funcs {
        let name = func.name.to_string().trim_start_matches('%').to_string();
        let id = module
            .declare_function(&name, Linkage::Export, &func.signature)
            .unwrap();
        let mut ctx = module.make_context();
        ctx.func = func;
        module
            .define_function(id, &mut ctx)
            .unwrap_or_else(|e| panic!("{name} ({}): {e}", dir.join("gantry.clif").display()));
    }
    module.finish().unwrap()
}

/// Runs `cmd`, panicking with its output if it fails.
fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The C compiler (with its flags) and the runner of programs for `isa`: the host's
/// `cc`, or the cross gcc (static programs) and qemu (scripts/test.sh installs both).
fn toolchain(isa: &str) -> (Command, Option<String>) {
    match isa {
        "x86_64" => (Command::new("cc"), None),
        "s390x" => {
            // z13: the vector facility, whose ABI passes vectors in registers.
            let mut cc = Command::new("s390x-linux-gnu-gcc");
            cc.arg("-march=z13");
            (cc, Some("qemu-s390x-static".into()))
        }
        other => (
            Command::new(format!("{other}-linux-gnu-gcc")),
            Some(format!("qemu-{other}-static")),
        ),
    }
}

/// Generates `cases` signatures for `abi`, builds both sides, links them with the
/// ABI's C compiler and runs the program; returns its report line.
///
/// # Errors
/// The program's output when it reports a mismatch or crashes.
fn check(abi: &Abi, cases: usize, seed: u64) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!(
        "gantry-c-abi-{}-{}-{}-{seed}",
        abi.isa,
        abi.conv,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng::new(seed);
    let sigs: Vec<Sig> = (0..cases)
        .map(|_| generate::random_sig(&mut rng, abi))
        .collect();
    let object = gantry_object(&sigs, abi, &dir);
    std::fs::write(dir.join("gantry.o"), object).unwrap();
    // The C side in a few files compiled side by side: the cases, then `main`.
    let parts = 4;
    let mut c_files: Vec<PathBuf> = Vec::new();
    for part in 0..parts {
        let mut c = String::from(generate::C_PRELUDE);
        for (n, sig) in sigs.iter().enumerate().filter(|(n, _)| n % parts == part) {
            c.push_str(&generate::c_case(n, sig, abi));
        }
        let path = dir.join(format!("cases{part}.c"));
        std::fs::write(&path, c).unwrap();
        c_files.push(path);
    }
    let main = dir.join("main.c");
    std::fs::write(
        &main,
        format!("{}{}", generate::C_PRELUDE, generate::c_main(cases, seed)),
    )
    .unwrap();
    c_files.push(main);
    let objects: Vec<PathBuf> = std::thread::scope(|s| {
        let jobs: Vec<_> = c_files
            .iter()
            .map(|c| {
                s.spawn(move || {
                    let o = c.with_extension("o");
                    run(
                        toolchain(abi.isa)
                            .0
                            .args(["-O1", "-c", "-o"])
                            .arg(&o)
                            .arg(c),
                        "compiling the C side",
                    );
                    o
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let exe = dir.join("c_abi");
    let (mut cc, runner) = toolchain(abi.isa);
    if runner.is_some() {
        cc.args(["-static", "-no-pie"]);
    }
    run(
        cc.arg("-o")
            .arg(&exe)
            .args(&objects)
            .arg(dir.join("gantry.o")),
        "linking",
    );
    let out = match &runner {
        Some(qemu) => Command::new(qemu).arg(&exe).output(),
        None => Command::new(&exe).output(),
    }
    .expect("the program runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "{} {} ({}) disagrees with the C compiler:\n{stdout}{}\nfiles in {}",
            abi.isa,
            abi.conv,
            out.status,
            String::from_utf8_lossy(&out.stderr),
            dir.display()
        ));
    }
    if std::env::var_os("C_ABI_KEEP").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    Ok(stdout)
}

fn conformance(abi: Abi) {
    // x86-64 programs run on the host; the others under qemu on any Linux host.
    if !cfg!(target_os = "linux") || (abi.isa == "x86_64" && !cfg!(target_arch = "x86_64")) {
        return;
    }
    let cases = env_or("C_ABI_CASES", 2000) as usize;
    let seed = env_or("C_ABI_SEED", 1);
    let report = check(&abi, cases, seed).unwrap_or_else(|e| panic!("{e}"));
    eprint!("{} {}: {report}", abi.isa, abi.conv);
    assert_eq!(
        report.trim(),
        format!("c_abi: {cases} cases, 0 failures"),
        "every case must run"
    );
}

/// x86-64 System V against the host C compiler: every argument type the C ABI has for
/// it (`__int128` and 16-byte vectors included), results in registers, as two-field
/// structs and through `sret`.
#[test]
fn x86_64_system_v_matches_the_c_compiler() {
    conformance(Abi {
        isa: "x86_64",
        conv: "system_v",
        c_attr: "",
        wide_types: true,
        pair_in_registers: true,
        struct_min_fields: 3,
        float_aggregates_in_registers: false,
        narrow_extended: false,
    });
}

/// x86-64 Windows x64 against GCC's `ms_abi` functions (`__int128` and vectors are
/// passed by reference there, which CLIF does not express: they are left out).
#[test]
fn x86_64_windows_fastcall_matches_the_c_compiler() {
    conformance(Abi {
        isa: "x86_64",
        conv: "windows_fastcall",
        c_attr: "__attribute__((ms_abi))",
        wide_types: false,
        pair_in_registers: false,
        struct_min_fields: 2,
        float_aggregates_in_registers: false,
        narrow_extended: false,
    });
}

/// AAPCS64 (aarch64 Linux) against the cross gcc, run under qemu: `__int128` in register
/// pairs, 16-byte vectors in v0-v7, results in registers and through `sret` (x8).
/// Two-field structs come back in x0/x1 or as a floating-point aggregate in d0/d1 by
/// their field types, which CLIF results do not say: they go through `sret`.
#[test]
fn aarch64_aapcs64_matches_the_c_compiler() {
    conformance(Abi {
        isa: "aarch64",
        conv: "system_v",
        c_attr: "",
        wide_types: true,
        pair_in_registers: false,
        struct_min_fields: 3,
        float_aggregates_in_registers: true,
        narrow_extended: false,
    });
}

/// The s390x ELF ABI (with the vector extension, gcc -march=z13) against the cross gcc,
/// run under qemu: `__int128` by reference, vectors in v24-v31, narrow integers widened
/// by the caller, structs returned through `sret`.
#[test]
fn s390x_elf_abi_matches_the_c_compiler() {
    conformance(Abi {
        isa: "s390x",
        conv: "system_v",
        c_attr: "",
        wide_types: true,
        pair_in_registers: false,
        struct_min_fields: 2,
        float_aggregates_in_registers: false,
        narrow_extended: true,
    });
}

/// The check itself catches a disagreement: Gantry code of one convention called as C
/// functions of another fails.
#[test]
fn a_convention_mismatch_is_caught() {
    if !cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        return;
    }
    let wrong = Abi {
        isa: "x86_64",
        conv: "system_v",
        c_attr: "__attribute__((ms_abi))",
        wide_types: false,
        pair_in_registers: false,
        struct_min_fields: 2,
        float_aggregates_in_registers: false,
        narrow_extended: false,
    };
    let err = check(&wrong, 50, 7).expect_err("a mismatch went unnoticed");
    assert!(err.contains("disagrees"), "{err}");
    let dir = err.rsplit("files in ").next().unwrap().trim();
    std::fs::remove_dir_all(dir).unwrap();
}
