//! The x86-64 backend.
//!
//! So far: registers, operand kinds and the encoder of the ModR/M-based instruction
//! formats (`inst/`). Lowering, the ABI and emission of whole functions arrive with the
//! rest of the backend.

pub mod inst;
