//! Registering JIT code's unwind rules with the system unwinder, so backtraces (and
//! unwinding) walk through frames of JIT code as through frames of linked code.
//!
//! Each function gets its own in-memory `.eh_frame` table (a CIE, one FDE with the
//! absolute code address, a zero terminator), registered with libgcc's
//! `__register_frame` and removed with `__deregister_frame` when dropped.

use gantry_codegen::machinst::unwind::{CieInfo, UnwindInfo};
use gantry_module::eh_frame::{CodeAddresses, eh_frame};
use gantry_module::{ModuleError, ModuleResult};

#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe extern "C" {
    /// libgcc: adds the `.eh_frame` table at `begin` (ending with a zero length).
    fn __register_frame(begin: *const u8);
    /// libgcc: removes a table added by `__register_frame`.
    fn __deregister_frame(begin: *const u8);
}

/// One registered table; deregistered when dropped.
pub(crate) struct Registration {
    /// The table (kept alive and unmoved while registered).
    table: Box<[u8]>,
    registered: bool,
}

impl Registration {
    /// Registers the unwind rules of the `len` bytes of code at `code`.
    ///
    /// # Errors
    /// Rules the `.eh_frame` encoding cannot express.
    pub(crate) fn new(
        cie: &CieInfo,
        code: *const u8,
        len: usize,
        unwind: &UnwindInfo,
    ) -> ModuleResult<Registration> {
        let len = u32::try_from(len)
            .map_err(|_| ModuleError::Backend("a function of 4 GiB or more".into()))?;
        let big = cfg!(target_endian = "big");
        let functions = [(code as u64, len, unwind)];
        let (mut bytes, _) = eh_frame(cie, big, CodeAddresses::Absolute, &functions)
            .map_err(|e| ModuleError::Backend(format!("unwind information: {e}")))?;
        bytes.extend_from_slice(&[0; 4]);
        let mut r = Registration {
            table: bytes.into_boxed_slice(),
            registered: false,
        };
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            // SAFETY: the table is a well-formed `.eh_frame` section with its terminator;
            // it lives (boxed, never moved) until `drop` deregisters it.
            unsafe { __register_frame(r.table.as_ptr()) };
            r.registered = true;
        }
        Ok(r)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.registered {
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: the table was registered by `new` and is still alive.
            unsafe {
                __deregister_frame(self.table.as_ptr())
            };
        }
    }
}
