//! x86-64 machine instructions: registers, operands, and their binary encoding.

pub mod args;
pub mod encode;
pub mod regs;

#[cfg(test)]
mod emit_tests;
