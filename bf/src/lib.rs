//! A Brainfuck compiler on Gantry, the project's sample client: it parses a program into
//! a few folded operations, builds one CLIF function with the frontend's
//! `FunctionBuilder`, and either runs it in a [`JITModule`] or writes an ELF object with
//! a `main` for the system linker.
//!
//! The machine: a tape of [`TAPE`] zero bytes and a pointer starting at its first cell;
//! `+ -` change the cell (wrapping), `< >` move the pointer, `.` writes the cell with
//! `putchar`, `,` reads it with `getchar` (end of input stores 0), `[ ]` loop while the
//! cell is non-zero. Every other character is a comment.

#![warn(missing_docs)]

use gantry_codegen::ir::{
    AbiParam, Function, InstBuilder, InstBuilderExt, IntCC, MemFlags, Signature, Type, Value,
};
use gantry_codegen::isa::{self, TargetIsa};
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext};
use gantry_jit::{JITBuilder, JITModule};
use gantry_module::{FuncId, Linkage, Module, ModuleError};
use gantry_object::{ObjectBuilder, ObjectModule};
use std::fmt;

/// The number of tape cells.
pub const TAPE: usize = 30_000;

/// One operation of a parsed program (runs of `+ -` and `< >` folded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Add to the current cell (mod 256).
    Add(u8),
    /// Move the pointer by this many cells.
    Move(i64),
    /// Write the current cell.
    Output,
    /// Read into the current cell.
    Input,
    /// Set the current cell to zero (`[-]` or `[+]`).
    Clear,
    /// Repeat the body while the current cell is non-zero.
    Loop(Vec<Op>),
}

/// Why a program could not be compiled.
#[derive(Debug)]
pub enum Error {
    /// A `]` without `[` (at this byte offset), or a `[` never closed.
    Unbalanced(usize),
    /// The code generator or the module failed.
    Module(ModuleError),
    /// Linking with `cc` failed.
    Link(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unbalanced(at) => write!(f, "unbalanced bracket at byte {at}"),
            Error::Module(e) => write!(f, "{e}"),
            Error::Link(e) => write!(f, "linking failed: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ModuleError> for Error {
    fn from(e: ModuleError) -> Error {
        Error::Module(e)
    }
}

/// Parses `source` into operations.
///
/// # Errors
/// [`Error::Unbalanced`] for mismatched brackets.
pub fn parse(source: &[u8]) -> Result<Vec<Op>, Error> {
    let mut stack: Vec<(usize, Vec<Op>)> = Vec::new();
    let mut ops = Vec::new();
    for (at, &c) in source.iter().enumerate() {
        match c {
            b'+' | b'-' => {
                let d = if c == b'+' { 1u8 } else { 255 };
                match ops.last_mut() {
                    Some(Op::Add(n)) => *n = n.wrapping_add(d),
                    _ => ops.push(Op::Add(d)),
                }
            }
            b'<' | b'>' => {
                let d = if c == b'>' { 1 } else { -1 };
                match ops.last_mut() {
                    Some(Op::Move(n)) => *n += d,
                    _ => ops.push(Op::Move(d)),
                }
            }
            b'.' => ops.push(Op::Output),
            b',' => ops.push(Op::Input),
            b'[' => stack.push((at, std::mem::take(&mut ops))),
            b']' => {
                let (_, outer) = stack.pop().ok_or(Error::Unbalanced(at))?;
                let body = std::mem::replace(&mut ops, outer);
                if matches!(body.as_slice(), [Op::Add(1)] | [Op::Add(255)]) {
                    ops.push(Op::Clear);
                } else {
                    ops.push(Op::Loop(body));
                }
            }
            _ => {}
        }
    }
    match stack.pop() {
        Some((at, _)) => Err(Error::Unbalanced(at)),
        None => Ok(ops),
    }
}

/// The host's x86-64 target.
///
/// # Panics
/// Never on x86-64 hosts (the only ones the client runs on).
pub fn host_isa() -> Box<dyn TargetIsa> {
    host_isa_with(false)
}

/// The host's x86-64 target, compiling position-independent code when `pic` (for
/// objects linked into position-independent executables).
///
/// # Panics
/// Never on x86-64 hosts (the only ones the client runs on).
pub fn host_isa_with(pic: bool) -> Box<dyn TargetIsa> {
    let flags = gantry_codegen::settings::Flags {
        is_pic: pic,
        ..Default::default()
    };
    // The host's features: the JIT's code and the linked program both run here.
    isa::native::builder()
        .expect("an x86-64 host")
        .finish_with(flags)
        .expect("the x86-64 backend exists")
}

/// Declares and defines `bf_main(tape: i64)` in `module`, calling the module functions
/// `putchar` and `getchar` (declared as imports).
///
/// # Errors
/// A compilation or module error.
pub fn define_program<M: Module>(module: &mut M, ops: &[Op]) -> Result<FuncId, Error> {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(Type::I64));
    let main = module.declare_function("bf_main", Linkage::Export, &sig)?;
    let mut io = module.make_signature();
    io.params.push(AbiParam::new(Type::I32));
    io.returns.push(AbiParam::new(Type::I32));
    let putchar = module.declare_function("putchar", Linkage::Import, &io)?;
    let mut input = module.make_signature();
    input.returns.push(AbiParam::new(Type::I32));
    let getchar = module.declare_function("getchar", Linkage::Import, &input)?;

    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    let put = module.declare_func_in_func(putchar, &mut ctx.func);
    let get = module.declare_func_in_func(getchar, &mut ctx.func);
    build_body(&mut ctx.func, ops, put, get);
    module.define_function(main, &mut ctx)?;
    Ok(main)
}

/// Builds the CLIF of a program: the pointer is a frontend variable.
fn build_body(
    func: &mut Function,
    ops: &[Op],
    put: gantry_codegen::ir::FuncRef,
    get: gantry_codegen::ir::FuncRef,
) {
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let ptr = b.declare_var(Type::I64);
    let tape = b.block_params(entry)[0];
    b.def_var(ptr, tape);
    emit(&mut b, ops, ptr, put, get);
    b.ins().return_(&[]);
    b.finalize();
}

fn emit(
    b: &mut FunctionBuilder<'_>,
    ops: &[Op],
    ptr: gantry_frontend::Variable,
    put: gantry_codegen::ir::FuncRef,
    get: gantry_codegen::ir::FuncRef,
) {
    // The tape is the program's own memory: accesses never trap.
    let flags = MemFlags::trusted();
    for op in ops {
        let p: Value = b.use_var(ptr);
        match op {
            Op::Add(n) => {
                let cell = b.ins().load(Type::I8, flags, p, 0);
                let sum = b.ins().iadd_imm(cell, i64::from(*n));
                b.ins().store(flags, sum, p, 0);
            }
            Op::Move(n) => {
                let moved = b.ins().iadd_imm(p, *n);
                b.def_var(ptr, moved);
            }
            Op::Output => {
                let cell = b.ins().uload8(Type::I32, flags, p, 0);
                b.ins().call(put, &[cell]);
            }
            Op::Input => {
                let call = b.ins().call(get, &[]);
                let c = b.func.dfg.first_result(call);
                // EOF (-1) stores 0.
                let eof = b.ins().icmp_imm(IntCC::SignedLessThan, c, 0);
                let zero = b.ins().iconst(Type::I32, 0);
                let c = b.ins().select(eof, zero, c);
                let byte = b.ins().ireduce(Type::I8, c);
                b.ins().store(flags, byte, p, 0);
            }
            Op::Clear => {
                let zero = b.ins().iconst(Type::I8, 0);
                b.ins().store(flags, zero, p, 0);
            }
            Op::Loop(body) => {
                let (head, inner, exit) = (b.create_block(), b.create_block(), b.create_block());
                b.ins().jump(head, &[]);
                b.switch_to_block(head);
                let p = b.use_var(ptr);
                let cell = b.ins().load(Type::I8, flags, p, 0);
                b.ins().brif(cell, inner, &[], exit, &[]);
                b.switch_to_block(inner);
                b.seal_block(inner);
                emit(b, body, ptr, put, get);
                b.ins().jump(head, &[]);
                b.seal_block(head);
                b.switch_to_block(exit);
                b.seal_block(exit);
            }
        }
    }
}

/// Compiles `source` in a JIT module and runs it on a fresh tape, with the process's
/// standard input and output (flushed at the end).
///
/// # Errors
/// A parse, compilation or module error.
pub fn run_jit(source: &[u8]) -> Result<(), Error> {
    let ops = parse(source)?;
    let mut module = JITModule::new(JITBuilder::with_isa(host_isa()));
    let main = define_program(&mut module, &ops)?;
    module.finalize_definitions()?;
    let mut tape = vec![0u8; TAPE];
    // SAFETY: `bf_main` was compiled for this host with signature (i64) -> (); it only
    // touches the tape it is given (a program that leaves the tape is as unsafe as in
    // any Brainfuck implementation without bounds checks).
    let f: extern "C" fn(*mut u8) =
        unsafe { std::mem::transmute(module.get_finalized_function(main)) };
    f(tape.as_mut_ptr());
    // SAFETY: flushing all C streams has no preconditions.
    unsafe { libc::fflush(std::ptr::null_mut()) };
    Ok(())
}

/// Compiles `source` into a position-independent ELF object with `bf_main` and a C
/// `main` that allocates the tape (`calloc`) and calls it.
///
/// # Errors
/// A parse, compilation or module error.
pub fn compile_object(source: &[u8]) -> Result<Vec<u8>, Error> {
    let ops = parse(source)?;
    let mut module = ObjectModule::new(ObjectBuilder::new(host_isa_with(true)))?;
    let bf_main = define_program(&mut module, &ops)?;
    // int main(void) { bf_main(calloc(TAPE, 1)); return 0; }
    let mut calloc_sig = module.make_signature();
    calloc_sig.params = vec![AbiParam::new(Type::I64), AbiParam::new(Type::I64)];
    calloc_sig.returns.push(AbiParam::new(Type::I64));
    let calloc = module.declare_function("calloc", Linkage::Import, &calloc_sig)?;
    let mut main_sig: Signature = module.make_signature();
    main_sig.returns.push(AbiParam::new(Type::I32));
    let main = module.declare_function("main", Linkage::Export, &main_sig)?;
    let mut ctx = module.make_context();
    ctx.func.signature = main_sig;
    let calloc_ref = module.declare_func_in_func(calloc, &mut ctx.func);
    let bf_ref = module.declare_func_in_func(bf_main, &mut ctx.func);
    {
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let entry = b.create_block();
        b.switch_to_block(entry);
        b.seal_block(entry);
        let n = b.ins().iconst(Type::I64, TAPE as i64);
        let one = b.ins().iconst(Type::I64, 1);
        let call = b.ins().call(calloc_ref, &[n, one]);
        let tape = b.func.dfg.first_result(call);
        b.ins().call(bf_ref, &[tape]);
        let zero = b.ins().iconst(Type::I32, 0);
        b.ins().return_(&[zero]);
        b.finalize();
    }
    module.define_function(main, &mut ctx)?;
    Ok(module.finish()?)
}

/// Compiles `source` into an executable at `out` with the system C compiler.
///
/// # Errors
/// A compilation error, or `cc` failing.
pub fn build_executable(source: &[u8], out: &std::path::Path) -> Result<(), Error> {
    let object = compile_object(source)?;
    let obj_path = out.with_extension("o");
    std::fs::write(&obj_path, object).map_err(|e| Error::Link(e.to_string()))?;
    let cc = std::process::Command::new("cc")
        .arg("-pie")
        .arg(&obj_path)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| Error::Link(format!("cannot run cc: {e}")))?;
    let _ = std::fs::remove_file(&obj_path);
    if !cc.status.success() {
        return Err(Error::Link(
            String::from_utf8_lossy(&cc.stderr).into_owned(),
        ));
    }
    Ok(())
}
