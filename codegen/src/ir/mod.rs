//! The CLIF intermediate representation.

pub mod condcodes;
pub mod entities;
pub mod immediates;
pub mod memflags;
pub mod opcodes;
pub mod trapcode;
pub mod types;
pub mod typeset;

pub use condcodes::{FloatCC, IntCC};
pub use entities::*;
pub use immediates::{Ieee16, Ieee32, Ieee64, Ieee128, Imm64, Offset32, Uimm8, Uimm32, V128Imm};
pub use memflags::{Endianness, MemFlags};
pub use opcodes::{InstructionFormat, Opcode};
pub use trapcode::TrapCode;
pub use types::Type;
