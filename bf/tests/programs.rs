//! Every program in `bf/programs` gives the same output through the JIT and through an
//! executable linked by `cc` from the ELF object, and that output is the expected one
//! (`NAME.out`, with `NAME.in` as standard input when present).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn run(cmd: &mut Command, input: &[u8]) -> Vec<u8> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn jit_and_linked_executables_print_the_expected_output() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bf"))
        .collect();
    programs.sort();
    assert!(programs.len() >= 3);
    let tmp = std::env::temp_dir().join(format!("gantry-bf-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = env!("CARGO_BIN_EXE_gantry-bf");
    for program in programs {
        let expected = std::fs::read(program.with_extension("out")).unwrap();
        let input = std::fs::read(program.with_extension("in")).unwrap_or_default();
        let jit = run(Command::new(bin).arg("run").arg(&program), &input);
        assert_eq!(
            String::from_utf8_lossy(&jit),
            String::from_utf8_lossy(&expected),
            "JIT output of {}",
            program.display()
        );
        let exe = tmp.join(program.file_stem().unwrap());
        let build = Command::new(bin)
            .arg("build")
            .arg(&program)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(
            build.status.success(),
            "building {}: {}",
            program.display(),
            String::from_utf8_lossy(&build.stderr)
        );
        let aot = run(&mut Command::new(&exe), &input);
        assert_eq!(aot, jit, "the executable of {} differs", program.display());
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn unbalanced_brackets_are_errors() {
    assert!(matches!(
        gantry_bf::parse(b"+[->+<"),
        Err(gantry_bf::Error::Unbalanced(1))
    ));
    assert!(matches!(
        gantry_bf::parse(b"+]"),
        Err(gantry_bf::Error::Unbalanced(1))
    ));
    assert_eq!(
        gantry_bf::parse(b"[-]>>+++<").unwrap(),
        vec![
            gantry_bf::Op::Clear,
            gantry_bf::Op::Move(2),
            gantry_bf::Op::Add(3),
            gantry_bf::Op::Move(-1)
        ]
    );
}
