//! Checking that generated code preserves the callee-saved registers of its calling
//! convention.
//!
//! The runner does not call a function under test directly: its trampoline calls a
//! canary shim instead (with the function's own signature), copied next to the linked
//! code. The shim takes its return address off the stack, so the arguments, stack ones
//! included, are exactly where the caller put them; saves the caller's callee-saved
//! registers in a state block; fills them with distinct canaries; calls the function;
//! compares every callee-saved register with its canary; restores the caller's values
//! and returns. A mismatch records which register and executes `ud2`, which the runner's
//! fault handler turns into a failure naming the register.
//!
//! System V (and `fast`, `cold`, `tail`): `rbx`, `rbp`, `r12`-`r15`. Windows x64: those,
//! `rsi`, `rdi` and all 128 bits of `xmm6`-`xmm15` (System V AMD64 ABI §3.2.1;
//! Microsoft's "x64 calling convention", callee-saved registers). With the pinned
//! register, `r15` belongs to the generated code and is not checked.

use memmap2::MmapMut;

// The state block the shims use, byte offsets (a page, so 16-byte aligned):
//   0 the function to call          8 the caller's return address
//  16 u32: the failed register's number (0 while none)
//  20 u8: 1 when r15 is the pinned register (not checked)
//  24.. the caller's rbx rbp r12 r13 r14 r15 rsi rdi     96.. their canaries
// 160.. the caller's xmm6-xmm15                         320.. their canaries
std::arch::global_asm!(
    r#"
    .macro gantry_canary_gprs op
    \op rbx, 24, 96
    \op rbp, 32, 104
    \op r12, 40, 112
    \op r13, 48, 120
    \op r14, 56, 128
    .endm
    .macro gantry_canary_win_gprs op
    \op rsi, 72, 144
    \op rdi, 80, 152
    .endm
    .macro gantry_canary_xmms op
    \op xmm6, 160, 320
    \op xmm7, 176, 336
    \op xmm8, 192, 352
    \op xmm9, 208, 368
    \op xmm10, 224, 384
    \op xmm11, 240, 400
    \op xmm12, 256, 416
    \op xmm13, 272, 432
    \op xmm14, 288, 448
    \op xmm15, 304, 464
    .endm
    .macro gantry_save_gpr r, saved, canary
    movq %\r, \saved(%r11)
    movq \canary(%r11), %\r
    .endm
    .macro gantry_save_xmm r, saved, canary
    movdqa %\r, \saved(%r11)
    movdqa \canary(%r11), %\r
    .endm
    .macro gantry_check_gpr r, saved, canary
    movl $\saved, 16(%r11)
    cmpq \canary(%r11), %\r
    jne 9f
    .endm
    .macro gantry_check_xmm r, saved, canary
    movl $\saved, 16(%r11)
    pcmpeqb \canary(%r11), %\r
    pmovmskb %\r, %r10d
    cmpl $0xffff, %r10d
    jne 9f
    .endm
    .macro gantry_restore_gpr r, saved, canary
    movq \saved(%r11), %\r
    .endm
    .macro gantry_restore_xmm r, saved, canary
    movdqa \saved(%r11), %\r
    .endm

    .macro gantry_canary_shim name, win
    .p2align 4
    .globl gantry_canary_\name\()_start
gantry_canary_\name\()_start:
    movabsq $0, %r11
    .globl gantry_canary_\name\()_state1
gantry_canary_\name\()_state1:
    popq 8(%r11)
    gantry_canary_gprs gantry_save_gpr
    .if \win
    gantry_canary_win_gprs gantry_save_gpr
    gantry_canary_xmms gantry_save_xmm
    .endif
    cmpb $0, 20(%r11)
    jne 1f
    gantry_save_gpr r15, 64, 136
1:
    callq *(%r11)
    movabsq $0, %r11
    .globl gantry_canary_\name\()_state2
gantry_canary_\name\()_state2:
    gantry_canary_gprs gantry_check_gpr
    .if \win
    gantry_canary_win_gprs gantry_check_gpr
    gantry_canary_xmms gantry_check_xmm
    .endif
    cmpb $0, 20(%r11)
    jne 2f
    gantry_check_gpr r15, 64, 136
    gantry_restore_gpr r15, 64, 136
2:
    movl $0, 16(%r11)
    gantry_canary_gprs gantry_restore_gpr
    .if \win
    gantry_canary_win_gprs gantry_restore_gpr
    gantry_canary_xmms gantry_restore_xmm
    .endif
    pushq 8(%r11)
    retq
9:
    ud2
    .globl gantry_canary_\name\()_end
gantry_canary_\name\()_end:
    .endm

    .text
    gantry_canary_shim sysv, 0
    gantry_canary_shim win64, 1
"#,
    options(att_syntax)
);

unsafe extern "C" {
    static gantry_canary_sysv_start: u8;
    static gantry_canary_sysv_state1: u8;
    static gantry_canary_sysv_state2: u8;
    static gantry_canary_sysv_end: u8;
    static gantry_canary_win64_start: u8;
    static gantry_canary_win64_state1: u8;
    static gantry_canary_win64_state2: u8;
    static gantry_canary_win64_end: u8;
}

/// The two shims: for System V-family conventions and for Windows x64.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shim {
    /// `system_v`, `fast`, `cold`, `tail`.
    SystemV,
    /// `windows_fastcall`.
    Win64,
}

impl Shim {
    /// Both shims, in the order the runner places them.
    pub const ALL: [Shim; 2] = [Shim::SystemV, Shim::Win64];

    /// The shim's machine code, and the offsets in it of the two 8-byte immediates that
    /// must hold the state block's address.
    pub fn code(self) -> (&'static [u8], [usize; 2]) {
        // SAFETY: the symbols are labels of the global_asm above, in one section, each
        // shim's `start` before its `state1`, `state2` and `end`.
        unsafe {
            let (start, s1, s2, end) = match self {
                Shim::SystemV => (
                    &raw const gantry_canary_sysv_start,
                    &raw const gantry_canary_sysv_state1,
                    &raw const gantry_canary_sysv_state2,
                    &raw const gantry_canary_sysv_end,
                ),
                Shim::Win64 => (
                    &raw const gantry_canary_win64_start,
                    &raw const gantry_canary_win64_state1,
                    &raw const gantry_canary_win64_state2,
                    &raw const gantry_canary_win64_end,
                ),
            };
            let len = end as usize - start as usize;
            let bytes = std::slice::from_raw_parts(start, len);
            // Each label follows a `movabsq $0, %r11`, whose last 8 bytes are the
            // immediate.
            let imm = |label: *const u8| label as usize - start as usize - 8;
            (bytes, [imm(s1), imm(s2)])
        }
    }
}

/// The registers a shim checks, by the number it records on a mismatch: the byte offset
/// of the register's saved value in the state block.
const REGISTERS: &[(u32, &str)] = &[
    (24, "rbx"),
    (32, "rbp"),
    (40, "r12"),
    (48, "r13"),
    (56, "r14"),
    (64, "r15"),
    (72, "rsi"),
    (80, "rdi"),
    (160, "xmm6"),
    (176, "xmm7"),
    (192, "xmm8"),
    (208, "xmm9"),
    (224, "xmm10"),
    (240, "xmm11"),
    (256, "xmm12"),
    (272, "xmm13"),
    (288, "xmm14"),
    (304, "xmm15"),
];

/// The shims' state block: the function to call, the canaries, the saved registers.
pub struct State {
    block: MmapMut,
}

impl State {
    /// A fresh state block with its canaries written.
    ///
    /// # Errors
    /// If the memory cannot be mapped.
    pub fn new() -> Result<State, String> {
        let mut block = MmapMut::map_anon(4096).map_err(|e| e.to_string())?;
        // General registers: 0x6ca7_6a11_nnnn_nnnn with n the register's position.
        for (i, &(saved, _)) in REGISTERS[..8].iter().enumerate() {
            let canary = 0x6ca7_6a11_0000_0000u64 | ((i as u64 + 1) * 0x0101_0101);
            let at = saved as usize + 72;
            block[at..at + 8].copy_from_slice(&canary.to_le_bytes());
        }
        // xmm registers: every byte distinct from the other registers' bytes.
        for (i, &(saved, _)) in REGISTERS[8..].iter().enumerate() {
            let at = saved as usize + 160;
            for (j, b) in block[at..at + 16].iter_mut().enumerate() {
                *b = 0xa0 ^ (i as u8 * 16 + j as u8);
            }
        }
        Ok(State { block })
    }

    /// The address the shims' code must hold.
    pub fn address(&self) -> u64 {
        self.block.as_ptr() as u64
    }

    /// Prepares a call of `target` through a shim; with `pinned`, `r15` is the pinned
    /// register and left alone.
    pub fn arm(&mut self, target: u64, pinned: bool) {
        self.block[0..8].copy_from_slice(&target.to_le_bytes());
        self.block[16..20].fill(0);
        self.block[20] = u8::from(pinned);
    }

    /// The register found clobbered by the last call, if it ended at a shim's `ud2`.
    pub fn clobbered(&self) -> Option<&'static str> {
        let n = u32::from_le_bytes(self.block[16..20].try_into().expect("4 bytes"));
        REGISTERS.iter().find(|r| r.0 == n).map(|r| r.1)
    }
}
