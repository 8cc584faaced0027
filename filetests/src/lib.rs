//! The `.clif` filetest runner (`test run`, `test compile precise-output`, ...) and its
//! corpus in `filetests/suite/`. It arrives with the backend issue.

#![warn(missing_docs)]

pub use gantry_reader as reader;
