//! Calling generated x86-64 code on this host, surviving its traps and crashes.
//!
//! Calls go through a small hand-assembled trampoline that saves the stack pointer
//! before calling the code. A signal handler for `SIGILL`, `SIGFPE`, `SIGSEGV` and
//! `SIGBUS` (and `SIGTRAP`) that finds the fault inside a call in progress on its thread resumes the
//! trampoline at a landing pad with the saved stack pointer, so the call returns "trapped"
//! and the faulting address is kept for the report. Faults elsewhere go to the handler
//! that was installed before. A watchdog thread interrupts calls that run past a time
//! limit the same way (with `SIGUSR2`), so an infinite loop fails its run line. A
//! breakpoint (`int3`, CLIF's `debugtrap`) is stepped over: the code goes on after it,
//! as under a debugger told to continue.

use memmap2::{Mmap, MmapMut};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The trampoline: `fn(code, args: *const [u64; 14], results: *mut [u64; 4],
/// saved_sp: *mut u64) -> u64` (0 if the code returned, 1 if it trapped).
///
/// It saves the System V callee-saved registers, stores `rsp` in `*saved_sp`, loads the
/// six integer and eight xmm argument registers, calls `code`, and stores `rax`, `rdx`,
/// `xmm0` and `xmm1` in `results`.
/// `LANDING` is the offset where a trap resumes.
const TRAMPOLINE: &[u8] = &[
    0x55, // push rbp
    0x48, 0x89, 0xe5, // mov rbp, rsp
    0x53, // push rbx
    0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, // push r12..r15
    0x48, 0x83, 0xec, 0x08, // sub rsp, 8 (16-byte alignment at the call)
    0x48, 0x89, 0x21, // mov [rcx], rsp
    0x49, 0x89, 0xfc, // mov r12, rdi
    0x49, 0x89, 0xd5, // mov r13, rdx
    0x48, 0x89, 0xf0, // mov rax, rsi
    0xf2, 0x0f, 0x10, 0x40, 48, // movsd [rax+48], xmm0
    0xf2, 0x0f, 0x10, 0x48, 56, // movsd [rax+56], xmm1
    0xf2, 0x0f, 0x10, 0x50, 64, // movsd [rax+64], xmm2
    0xf2, 0x0f, 0x10, 0x58, 72, // movsd [rax+72], xmm3
    0xf2, 0x0f, 0x10, 0x60, 80, // movsd [rax+80], xmm4
    0xf2, 0x0f, 0x10, 0x68, 88, // movsd [rax+88], xmm5
    0xf2, 0x0f, 0x10, 0x70, 96, // movsd [rax+96], xmm6
    0xf2, 0x0f, 0x10, 0x78, 104, // movsd [rax+104], xmm7
    0x48, 0x8b, 0x38, // mov rdi, [rax]
    0x48, 0x8b, 0x70, 0x08, // mov rsi, [rax+8]
    0x48, 0x8b, 0x50, 0x10, // mov rdx, [rax+16]
    0x48, 0x8b, 0x48, 0x18, // mov rcx, [rax+24]
    0x4c, 0x8b, 0x40, 0x20, // mov r8, [rax+32]
    0x4c, 0x8b, 0x48, 0x28, // mov r9, [rax+40]
    0x41, 0xff, 0xd4, // call r12
    0x49, 0x89, 0x45, 0x00, // mov [r13], rax
    0x49, 0x89, 0x55, 0x08, // mov [r13+8], rdx
    0xf2, 0x41, 0x0f, 0x11, 0x45, 0x10, // movsd xmm0, [r13+16]
    0xf2, 0x41, 0x0f, 0x11, 0x4d, 0x18, // movsd xmm1, [r13+24]
    0x31, 0xc0, // xor eax, eax
    // EXIT:
    0x48, 0x83, 0xc4, 0x08, // add rsp, 8
    0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, // pop r15..r12
    0x5b, // pop rbx
    0x5d, // pop rbp
    0xc3, // ret
    // LANDING:
    0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
    0xeb, 0xea, // jmp EXIT (-22)
];
const LANDING: usize = TRAMPOLINE.len() - 7;

type Trampoline = unsafe extern "sysv64" fn(*const u8, *const u64, *mut u64, *mut u64) -> u64;

thread_local! {
    /// Where the running call's trampoline saved `rsp`; null outside calls.
    static SAVED_SP: Cell<*mut u64> = const { Cell::new(std::ptr::null_mut()) };
    /// The address of the last fault caught on this thread.
    static FAULT_PC: Cell<usize> = const { Cell::new(0) };
    /// Whether the last call caught was stopped by the watchdog.
    static TIMED_OUT: Cell<bool> = const { Cell::new(false) };
}

/// The signal the watchdog sends to a call that runs too long.
const TIMEOUT_SIGNAL: libc::c_int = libc::SIGUSR2;

/// Calls in progress: the thread running each and when it must have returned.
static RUNNING: Mutex<Vec<(libc::pthread_t, Instant)>> = Mutex::new(Vec::new());

/// The time limit in milliseconds; 0 until first read or set.
static LIMIT_MS: AtomicU64 = AtomicU64::new(0);

/// How long generated code may run per call: [`set_time_limit`], else
/// `GANTRY_RUN_TIMEOUT_SECS` (read once), else 20 s.
fn time_limit() -> Duration {
    let mut ms = LIMIT_MS.load(Ordering::Relaxed);
    if ms == 0 {
        let secs: u64 = std::env::var("GANTRY_RUN_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20);
        ms = secs.max(1) * 1000;
        LIMIT_MS.store(ms, Ordering::Relaxed);
    }
    Duration::from_millis(ms)
}

/// Sets how long generated code may run per call before it is stopped.
pub fn set_time_limit(limit: Duration) {
    LIMIT_MS.store((limit.as_millis() as u64).max(1), Ordering::Relaxed);
}

/// Starts (once) the thread that interrupts calls past their deadline.
fn start_watchdog() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(50));
                let now = Instant::now();
                let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
                for &(thread, deadline) in running.iter() {
                    if now > deadline {
                        // SAFETY: the thread is alive: it removes itself from RUNNING
                        // (under this lock) before it can exit.
                        unsafe { libc::pthread_kill(thread, TIMEOUT_SIGNAL) };
                    }
                }
            }
        });
    });
}

struct Installed {
    trampoline: Mmap,
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

const SIGNALS: [libc::c_int; 6] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGTRAP,
    TIMEOUT_SIGNAL,
];

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let saved = SAVED_SP.with(|c| c.get());
    // A `debugtrap` (int3) in generated code: go on after it, as a debugger told to
    // continue would.
    if !saved.is_null() && sig == libc::SIGTRAP {
        // SAFETY: the kernel passes a valid ucontext; after an int3 the byte before RIP
        // is that int3, in code mapped readable.
        unsafe {
            let uc = &*(ctx as *const libc::ucontext_t);
            let rip = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
            if *((rip - 1) as *const u8) == 0xcc {
                return;
            }
        }
    }
    if !saved.is_null() {
        TIMED_OUT.with(|c| c.set(sig == TIMEOUT_SIGNAL));
        if let Some(installed) = INSTALLED.get() {
            // SAFETY: the kernel passes a valid ucontext to an SA_SIGINFO handler, and
            // `saved` points at the trampoline's slot, written before the call began.
            unsafe {
                let uc = &mut *(ctx as *mut libc::ucontext_t);
                let gregs = &mut uc.uc_mcontext.gregs;
                FAULT_PC.with(|c| c.set(gregs[libc::REG_RIP as usize] as usize));
                gregs[libc::REG_RSP as usize] = *saved as i64;
                gregs[libc::REG_RIP as usize] = installed.trampoline.as_ptr().add(LANDING) as i64;
            }
            SAVED_SP.with(|c| c.set(std::ptr::null_mut()));
            return;
        }
    }
    // A late timeout signal for a call that has already returned: nothing to do.
    if sig == TIMEOUT_SIGNAL {
        return;
    }
    // Not ours: put the previous handler back and let the fault happen again.
    if let Some(installed) = INSTALLED.get() {
        for (s, old) in &installed.previous {
            if *s == sig {
                // SAFETY: restoring a sigaction the system gave us.
                unsafe { libc::sigaction(sig, old, std::ptr::null_mut()) };
            }
        }
    }
    let _ = info;
}

fn install() -> Result<&'static Installed, String> {
    if let Some(i) = INSTALLED.get() {
        return Ok(i);
    }
    let mut map = MmapMut::map_anon(TRAMPOLINE.len()).map_err(|e| e.to_string())?;
    map.copy_from_slice(TRAMPOLINE);
    let trampoline = map.make_exec().map_err(|e| e.to_string())?;
    let mut previous = Vec::new();
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction is valid; the handler has the SA_SIGINFO signature.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &action, &mut old) != 0 {
                return Err("cannot install the trap handler".into());
            }
            previous.push((sig, old));
        }
    }
    Ok(INSTALLED.get_or_init(|| Installed {
        trampoline,
        previous,
    }))
}

/// How a call ended.
pub enum Outcome {
    /// It returned.
    Returned,
    /// It faulted at this address.
    Trapped(usize),
    /// It ran longer than the time limit and was stopped (at this address).
    TimedOut(usize),
}

/// Calls the code at `code` with the six integer argument registers (`args[..6]`) and
/// the eight xmm ones (`args[6..]`, low 64 bits).
///
/// # Safety
/// `code` must be executable code following the System V convention that reads at most
/// those registers and returns in `rax`/`rdx`/`xmm0`/`xmm1`.
pub unsafe fn call(code: *const u8, args: [u64; 14]) -> Result<Outcome, String> {
    let installed = install()?;
    let mut results = [0u64; 4];
    let mut saved_sp = 0u64;
    start_watchdog();
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((me, Instant::now() + time_limit()));
    // SAFETY: the trampoline is the code above, mapped executable; the caller vouches for
    // `code`.
    let trapped = unsafe {
        let f: Trampoline =
            std::mem::transmute::<*const u8, Trampoline>(installed.trampoline.as_ptr());
        let sp_slot: *mut u64 = &mut saved_sp;
        SAVED_SP.with(|c| c.set(sp_slot));
        let r = f(code, args.as_ptr(), results.as_mut_ptr(), sp_slot);
        SAVED_SP.with(|c| c.set(std::ptr::null_mut()));
        r
    };
    RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|&(t, _)| {
            // SAFETY: comparing thread ids has no preconditions.
            unsafe { libc::pthread_equal(t, me) == 0 }
        });
    let pc = FAULT_PC.with(|c| c.get());
    Ok(match (trapped, TIMED_OUT.with(|c| c.get())) {
        (0, _) => Outcome::Returned,
        (_, true) => Outcome::TimedOut(pc),
        _ => Outcome::Trapped(pc),
    })
}
