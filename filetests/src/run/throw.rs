//! The runner's exception thrower, linked under the name Cranelift's test files use:
//! `%__cranelift_throw(entry_fp, exit_fp, exit_pc, tag, payload1, payload2)`.
//!
//! It walks the frame-pointer chain from the throwing frame (`exit_fp`, at `exit_pc`) up
//! to, not including, the frame whose frame pointer is `entry_fp`. Each frame's
//! return address is looked up among the call sites of the linked code; the first
//! `try_call` with a handler for `tag` (or a default handler) gets control: the stack
//! and frame pointers of its function restored as in its body, the payloads in the
//! payload registers (`rax`, `rdx`), every other register as the unwound frames left it
//! (a `try_call` treats them all as clobbered). Without a matching handler the helper
//! returns to its caller.

use gantry_codegen::machinst::compiled::CompiledCode;
use std::cell::Cell;

/// One call site of the linked code that has exception handlers.
struct Site {
    /// The absolute return address of the call.
    ret_addr: usize,
    /// The handlers in table order: the tag (`None` for the default) and the absolute
    /// handler address.
    handlers: Vec<(Option<u32>, usize)>,
    /// The function's frame size (bytes below its return address in the body).
    frame_size: usize,
}

/// The handlers of every `try_call` in one linked image, by return address.
#[derive(Default)]
pub struct Table {
    sites: Vec<Site>,
}

impl Table {
    /// Adds the `try_call` sites of `code`, placed at absolute address `start`.
    pub fn add(&mut self, start: usize, code: &CompiledCode) {
        for site in code.call_sites.iter().filter(|s| !s.handlers.is_empty()) {
            self.sites.push(Site {
                ret_addr: start + site.ret_addr as usize,
                handlers: site
                    .handlers
                    .iter()
                    .map(|h| (h.tag, start + h.offset as usize))
                    .collect(),
                frame_size: code.frame_size as usize,
            });
        }
    }

    /// The handler of the call returning to `pc` for exceptions tagged `tag`, and the
    /// frame size of its function.
    fn handler(&self, pc: usize, tag: u32) -> Option<(usize, usize)> {
        let site = self.sites.iter().find(|s| s.ret_addr == pc)?;
        site.handlers
            .iter()
            .find(|(t, _)| t.is_none_or(|t| t == tag))
            .map(|&(_, at)| (at, site.frame_size))
    }
}

thread_local! {
    /// The table of the image whose code runs on this thread (null outside a call).
    static CURRENT: Cell<*const Table> = const { Cell::new(core::ptr::null()) };
}

/// Runs `f` with `table` as the one the thrower searches on this thread.
pub fn with_table<R>(table: &Table, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(table));
    let out = f();
    CURRENT.with(|c| c.set(previous));
    out
}

/// The address generated code calls for `%__cranelift_throw`.
pub fn address() -> i64 {
    throw as extern "C" fn(u64, u64, u64, u32, u64, u64) as usize as i64
}

/// Frames walked at most, so a corrupt chain ends the search rather than the process.
const MAX_FRAMES: usize = 1 << 16;

/// See the module documentation.
extern "C" fn throw(entry_fp: u64, exit_fp: u64, exit_pc: u64, tag: u32, p1: u64, p2: u64) {
    let table = CURRENT.with(|c| c.get());
    if table.is_null() {
        return;
    }
    // SAFETY: `CURRENT` is set only while the table's image runs on this thread.
    let table = unsafe { &*table };
    let (mut fp, mut pc) = (exit_fp as usize, exit_pc as usize);
    for _ in 0..MAX_FRAMES {
        if fp == entry_fp as usize || fp == 0 {
            return;
        }
        if let Some((handler, frame_size)) = table.handler(pc, tag) {
            // The return address sits right above the saved frame pointer; the body's
            // stack pointer is `frame_size` bytes below it.
            let sp = fp + 8 - frame_size;
            // SAFETY: `fp` is the frame of the function owning the call site, live on
            // this stack; the handler expects exactly this state.
            unsafe { resume(handler, sp, fp, p1, p2) }
        }
        // SAFETY: the chain from `exit_fp` up to `entry_fp` consists of frames of
        // generated code, each starting with the saved frame pointer and the return
        // address.
        unsafe {
            pc = *((fp + 8) as *const usize);
            fp = *(fp as *const usize);
        }
    }
}

/// Jumps to `pc` with `rsp` = `sp`, `rbp` = `fp` and the payloads in `rax` and `rdx`.
///
/// # Safety
/// `pc` is an exception handler of generated code whose frame is at `fp`, `sp` its body
/// stack pointer; the frames below are abandoned.
#[cfg(target_arch = "x86_64")]
unsafe fn resume(pc: usize, sp: usize, fp: usize, p1: u64, p2: u64) -> ! {
    // SAFETY: the caller's contract; nothing of this frame is used afterwards.
    unsafe {
        core::arch::asm!(
            "mov rsp, {sp}",
            "mov rbp, {fp}",
            "jmp {pc}",
            sp = in(reg) sp,
            fp = in(reg) fp,
            pc = in(reg) pc,
            in("rax") p1,
            in("rdx") p2,
            options(noreturn),
        )
    }
}
