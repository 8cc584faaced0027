//! The IR verifier: checks that a function is well formed before anything relies on it.
//!
//! Each file checks one family of rules. Errors are collected (not just the first), each
//! naming the entity (an instruction is shown as its text) and the rule broken.

mod calls;
mod entities;
mod layout;
mod memory;
mod ssa;
mod typing;

use crate::dominator_tree::DominatorTree;
use crate::flowgraph::ControlFlowGraph;
use crate::ir::Function;
use crate::ir::entities::AnyEntity;
use crate::write::DisplayEntity;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// The family of a verifier rule.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Rule {
    /// References to entities that do not exist.
    Entity,
    /// Block structure: terminators, empty blocks, instructions in the layout.
    Layout,
    /// SSA: definitions dominate uses, values defined once.
    Ssa,
    /// Operand and result types against the opcode's constraints.
    Type,
    /// Branch arguments against block parameters.
    Branch,
    /// Calls and returns against signatures.
    Call,
    /// Memory flags, stack slots, global values, tables.
    Memory,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Entity => "entity",
            Rule::Layout => "layout",
            Rule::Ssa => "ssa",
            Rule::Type => "type",
            Rule::Branch => "branch",
            Rule::Call => "call",
            Rule::Memory => "memory",
        })
    }
}

/// One broken rule.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifierError {
    /// Where: an instruction, block, value or other entity.
    pub location: AnyEntity,
    /// The text of the instruction, when the location is one.
    pub context: Option<String>,
    /// The family of the rule.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(text) => write!(f, "{text}: [{}] {}", self.rule, self.message),
            None => write!(f, "{}: [{}] {}", self.location, self.rule, self.message),
        }
    }
}

/// All errors found in a function.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct VerifierErrors(pub Vec<VerifierError>);

impl VerifierErrors {
    /// Whether no error was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for VerifierErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "- {e}")?;
        }
        Ok(())
    }
}

/// Settings that change what the verifier accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifierFlags {
    /// `preserve_frame_pointers`: allows `get_frame_pointer` and `get_return_address`.
    pub preserve_frame_pointers: bool,
    /// `enable_pinned_reg`: allows `get_pinned_reg` and `set_pinned_reg`.
    pub enable_pinned_reg: bool,
    /// The function's parameters are not known (a stencil checked after the mid-end):
    /// user external names are not looked up in the name table.
    pub stencil_only: bool,
}

/// What every check gets: the function, its analyses and the error sink.
pub(crate) struct Ctx<'a> {
    pub func: &'a Function,
    pub cfg: ControlFlowGraph,
    pub domtree: DominatorTree,
    pub flags: VerifierFlags,
    errors: Vec<VerifierError>,
}

impl Ctx<'_> {
    pub fn report(&mut self, location: AnyEntity, rule: Rule, message: impl Into<String>) {
        let context = match location {
            AnyEntity::Inst(i)
                if self.func.dfg.inst_is_valid(i) && self.func.layout.inst_block(i).is_some() =>
            {
                Some(
                    DisplayEntity {
                        func: self.func,
                        entity: location,
                    }
                    .to_string(),
                )
            }
            _ => None,
        };
        self.errors.push(VerifierError {
            location,
            context,
            rule,
            message: message.into(),
        });
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
    }
}

/// Runs the verifier on `func` with the rules the shared settings `flags` select, if
/// `enable_verifier` is on (the check before every compilation).
///
/// # Errors
/// Every error found.
pub fn verify_for_settings(
    func: &Function,
    flags: &crate::settings::Flags,
) -> Result<(), VerifierErrors> {
    if !flags.enable_verifier {
        return Ok(());
    }
    let vflags = VerifierFlags {
        preserve_frame_pointers: flags.preserve_frame_pointers,
        enable_pinned_reg: flags.enable_pinned_reg,
        stencil_only: false,
    };
    verify_function_with(func, vflags)
}

/// Checks only that every user name `func`'s stencil refers to is in its name table:
/// what finalizing code compiled from an equal, verified stencil needs (a hit of the
/// incremental cache).
///
/// # Errors
/// Each reference missing from the table.
pub fn verify_name_table(func: &Function) -> Result<(), VerifierErrors> {
    let mut ctx = Ctx {
        func,
        cfg: ControlFlowGraph::new(),
        domtree: DominatorTree::default(),
        flags: VerifierFlags::default(),
        errors: Vec::new(),
    };
    entities::check_names(&mut ctx);
    if ctx.errors.is_empty() {
        Ok(())
    } else {
        Err(VerifierErrors(ctx.errors))
    }
}

/// Verifies `func` with default flags.
///
/// # Errors
/// Every rule violation found.
pub fn verify_function(func: &Function) -> Result<(), VerifierErrors> {
    verify_function_with(func, VerifierFlags::default())
}

/// Verifies `func`.
///
/// # Errors
/// Every rule violation found.
pub fn verify_function_with(func: &Function, flags: VerifierFlags) -> Result<(), VerifierErrors> {
    let mut ctx = Ctx {
        func,
        cfg: ControlFlowGraph::new(),
        domtree: DominatorTree::default(),
        flags,
        errors: Vec::new(),
    };
    // Broken references make every later check unreliable: stop after them.
    entities::check(&mut ctx);
    if ctx.error_count() == 0 {
        layout::check(&mut ctx);
    }
    if ctx.error_count() == 0 {
        ctx.cfg = ControlFlowGraph::with_function(func);
        ctx.domtree = DominatorTree::with_function(func, &ctx.cfg);
        ssa::check(&mut ctx);
        typing::check(&mut ctx);
        calls::check(&mut ctx);
        memory::check(&mut ctx);
    }
    if ctx.errors.is_empty() {
        Ok(())
    } else {
        Err(VerifierErrors(ctx.errors))
    }
}
