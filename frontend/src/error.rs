//! The errors of variable handling.

use crate::Variable;
use core::fmt;
use gantry_codegen::ir::{Type, Value};

/// Why a variable could not be declared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DeclareVariableError {
    /// The variable was declared before.
    DeclaredMultipleTimes(Variable),
}

/// Why a variable could not be defined.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DefVariableError {
    /// The variable was not declared.
    DefinedBeforeDeclared(Variable),
    /// The value's type is not the variable's.
    TypeMismatch {
        /// The variable.
        var: Variable,
        /// Its declared type.
        expected: Type,
        /// The value given.
        value: Value,
        /// The value's type.
        found: Type,
    },
    /// There is no current block (call `switch_to_block` first).
    NoCurrentBlock(Variable),
}

/// Why a variable could not be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UseVariableError {
    /// The variable was not declared.
    UsedBeforeDeclared(Variable),
    /// There is no current block (call `switch_to_block` first).
    NoCurrentBlock(Variable),
}

impl fmt::Display for DeclareVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclareVariableError::DeclaredMultipleTimes(v) => {
                write!(f, "variable {v} is declared more than once")
            }
        }
    }
}

impl fmt::Display for DefVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefVariableError::DefinedBeforeDeclared(v) => {
                write!(f, "variable {v} is defined before it is declared")
            }
            DefVariableError::TypeMismatch {
                var,
                expected,
                value,
                found,
            } => write!(
                f,
                "variable {var} has type {expected}, but {value} has type {found}"
            ),
            DefVariableError::NoCurrentBlock(v) => {
                write!(f, "variable {v} is defined outside any block")
            }
        }
    }
}

impl fmt::Display for UseVariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UseVariableError::UsedBeforeDeclared(v) => {
                write!(f, "variable {v} is used before it is declared")
            }
            UseVariableError::NoCurrentBlock(v) => {
                write!(f, "variable {v} is used outside any block")
            }
        }
    }
}
