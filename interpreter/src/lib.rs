//! The CLIF interpreter: executes functions on [`DataValue`]s with the semantics the
//! backends must match, so it serves as their reference (`test interpret` in the
//! filetests, differential fuzzing).
//!
//! - Every value is its type's bits (scalars, and vectors lane by lane); integers of
//!   every width up to `i128`; `f16`, `f32` and `f64` with IEEE 754 arithmetic, NaN
//!   results canonical; `f128` loads, stores, comparisons and sign operations (its
//!   arithmetic is an [`InterpError::Unsupported`]).
//! - Memory is the interpreter's own: stack slots of live frames at fake addresses;
//!   any other address, a dead frame's slot, or a misaligned `aligned` access traps.
//! - Calls go to the other functions given (by `%name` or user name), tail calls replace
//!   the frame, `try_call` catches what `%__cranelift_throw(entry_fp, exit_fp, exit_pc,
//!   tag, payload1, payload2)` throws (as the test runner does).
//! - Each executed instruction is a step; past the step limit a call ends with
//!   [`InterpError::Timeout`], so a loop that never ends does not hang.
//!
//! ISA-specific (`x86_*`), dynamic-vector and stack-switching opcodes are
//! [`InterpError::Unsupported`].
//!
//! Compared with Cranelift's interpreter (`scripts/cranelift_oracle` runs both on the
//! same generated calls) they agree on every value but one kind, by design: a NaN made
//! by an invalid operation is the canonical NaN here (sign bit clear, as aarch64 and
//! s390x make it), while Cranelift's interpreter inherits x86-64's default NaN (sign
//! bit set) from its host; a function that bit-casts such a NaN to an integer sees the
//! difference (`scripts/cranelift_oracle/nan_bits.py` sorts these out; run tests treat
//! any two NaNs as equal). Also by design: addresses (stack slots,
//! functions, frame records) are this interpreter's own; a function with an `sret`
//! parameter also returns it, as the native ABIs do; and `%__cranelift_throw` with no
//! `try_call` to catch it returns, as the test runner's does.

#![no_std]

extern crate alloc;

pub mod bits;
mod exec;
pub mod float;
pub mod int;
pub mod memory;
mod ops;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{Function, TrapCode, UserFuncName};

/// Why an interpreted call did not return values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterpError {
    /// The code trapped with this code.
    Trap(TrapCode),
    /// The step limit was reached.
    Timeout,
    /// Something the interpreter does not implement.
    Unsupported {
        /// What, e.g. "`x86_pshufb` (ISA-specific)".
        what: String,
    },
    /// A call of a function that is not among the interpreter's functions.
    UnknownFunction(String),
    /// Arguments that do not match the signature.
    BadArguments(String),
    /// An exception thrown with `%__cranelift_throw` reached the outermost call.
    UncaughtException {
        /// Its tag.
        tag: u32,
    },
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpError::Trap(code) => write!(f, "trap: {code}"),
            InterpError::Timeout => write!(f, "the step limit was reached"),
            InterpError::Unsupported { what } => {
                write!(f, "the interpreter does not implement {what}")
            }
            InterpError::UnknownFunction(name) => write!(f, "no function {name}"),
            InterpError::BadArguments(why) => write!(f, "bad arguments: {why}"),
            InterpError::UncaughtException { tag } => {
                write!(f, "an exception with tag {tag} was not caught")
            }
        }
    }
}

/// The interpreter over a set of functions that may call each other.
pub struct Interpreter<'a> {
    funcs: Vec<&'a Function>,
    by_name: BTreeMap<String, usize>,
    memory: memory::Memory,
    steps: u64,
    step_limit: u64,
    /// The pinned register's value (`set_pinned_reg`/`get_pinned_reg`).
    pinned: u128,
    /// The tags each active `try_call` catches (`None`: a default handler), innermost
    /// last: a throw no handler would catch returns from the thrower instead.
    handlers: Vec<Vec<Option<u32>>>,
    /// The call nesting.
    depth: u32,
    /// The deepest call nesting before a call traps with `stk_ovf`.
    max_depth: u32,
    /// The innermost frame's address (its record holds the caller's).
    fp: u64,
    /// The static block of each thread-local variable, by name.
    tls: BTreeMap<String, u64>,
}

/// The default step limit: two hundred million instructions.
pub const DEFAULT_STEP_LIMIT: u64 = 200_000_000;

/// The default deepest call nesting: 10,000 calls.
pub const DEFAULT_MAX_DEPTH: u32 = 10_000;

/// The name calls use for `func`: `name` for `%name`, `u0:1` for a user name.
pub fn function_name(func: &Function) -> String {
    match &func.name {
        UserFuncName::Testcase(n) => n.as_str().to_string(),
        UserFuncName::User(u) => u.to_string(),
    }
}

impl<'a> Interpreter<'a> {
    /// An interpreter that can call each of `funcs` (by [`function_name`]).
    pub fn new(funcs: impl IntoIterator<Item = &'a Function>) -> Interpreter<'a> {
        let funcs: Vec<&Function> = funcs.into_iter().collect();
        let by_name = funcs
            .iter()
            .enumerate()
            .map(|(i, f)| (function_name(f), i))
            .collect();
        Interpreter {
            funcs,
            by_name,
            memory: memory::Memory::default(),
            steps: 0,
            step_limit: DEFAULT_STEP_LIMIT,
            pinned: 0,
            handlers: Vec::new(),
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            fp: 0,
            tls: BTreeMap::new(),
        }
    }

    /// Sets the most instructions one [`Interpreter::call`] may execute.
    pub fn with_step_limit(mut self, steps: u64) -> Interpreter<'a> {
        self.step_limit = steps;
        self
    }

    /// Sets the deepest call nesting; a call past it traps with `stk_ovf`.
    pub fn with_max_depth(mut self, depth: u32) -> Interpreter<'a> {
        self.max_depth = depth;
        self
    }

    /// Calls function `name` with `args`; returns its results.
    ///
    /// # Errors
    /// A trap, the step limit, an unknown function or one that is not implemented,
    /// arguments that do not match the signature, an uncaught exception.
    pub fn call(&mut self, name: &str, args: &[DataValue]) -> Result<Vec<DataValue>, InterpError> {
        let &index = self
            .by_name
            .get(name)
            .ok_or_else(|| InterpError::UnknownFunction(name.to_string()))?;
        let func = self.funcs[index];
        let params = &func.signature.params;
        if params.len() != args.len() {
            return Err(InterpError::BadArguments(alloc::format!(
                "{} given, {} expected",
                args.len(),
                params.len()
            )));
        }
        let mut raw = Vec::with_capacity(args.len());
        for (a, p) in args.iter().zip(params) {
            let ty = p.value_type;
            if a.ty().bits() != ty.bits() {
                return Err(InterpError::BadArguments(alloc::format!(
                    "{a} is not a {ty}"
                )));
            }
            raw.push(u128::from_le_bytes(a.to_le_slot()) & bits::mask(ty.bits()));
        }
        self.steps = 0;
        self.handlers.clear();
        self.depth = 0;
        // The outermost frame's caller: a frame record above the stack.
        self.fp = memory::STACK_TOP;
        let rets = match self.run(index, raw) {
            Ok(r) => r,
            Err(exec::Stop::Error(e)) => return Err(e),
            Err(exec::Stop::Throw { tag, .. }) => {
                return Err(InterpError::UncaughtException { tag });
            }
        };
        rets.iter()
            .zip(&func.signature.returns)
            .map(|(&r, p)| {
                DataValue::from_le_slot(&r.to_le_bytes(), p.value_type).ok_or_else(|| {
                    InterpError::Unsupported {
                        what: alloc::format!("a result of type {}", p.value_type),
                    }
                })
            })
            .collect()
    }
}
