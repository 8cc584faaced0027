/* The Gantry test loader: runs code Gantry compiled for another ISA, under qemu-user.
 *
 * Reads from stdin, in the target's byte order: a header (magic "GNTY", image bytes,
 * relocation count, case count, seconds allowed per case), the code image, its
 * relocations ({u32 offset, u32 kind, u64 value, i64 addend}: kind 0 writes the image
 * address + value + addend, kind 1 the address of library function number `value` +
 * addend, kind 2 the offset of thread-local variable `value` from the thread pointer,
 * all as 8 bytes), the try_call sites ({u32 count}, then each {u32 return-address
 * offset, u32 frame size, u32 handler count, handlers {u32 has tag, u32 tag, u32
 * offset}}, for gantry_throw), then the cases ({u32 trampoline offset, u32 function
 * offset, u32 slot count, 16-byte slots}). Each case calls trampoline(function, slots)
 * and prints one line: `ok HEX` (the slots afterwards) or `trap SIGNAL PC-OFFSET`
 * (a signal, or SIGALRM when the case ran out of time). The runner builds this with the
 * target's cross gcc (see qemu.rs); the library table below is filled in by it. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/*LIBCALL_DECLS*/
#if defined(__aarch64__)
/* The TLS descriptor function of the runner's variables: the descriptor's argument is
 * already the variable's offset from the thread pointer. */
__asm__(".global gantry_tlsdesc_return\n"
        ".type gantry_tlsdesc_return, %function\n"
        "gantry_tlsdesc_return:\n"
        "    ldr x0, [x0, #8]\n"
        "    ret\n");
extern void gantry_tlsdesc_return(void);
#define TLSDESC_RETURN ((void *)gantry_tlsdesc_return)
#elif defined(__s390x__)
/* __tls_get_offset of the runner's variables: the word at the GOT (r12) plus the
 * argument is already the variable's offset from the thread pointer. */
__asm__(".global gantry_tls_get_offset\n"
        ".type gantry_tls_get_offset, @function\n"
        "gantry_tls_get_offset:\n"
        "    lg %r2, 0(%r2,%r12)\n"
        "    br %r14\n");
extern void gantry_tls_get_offset(void);
#define TLSDESC_RETURN ((void *)gantry_tls_get_offset)
#else
#define TLSDESC_RETURN 0
#endif
/* The try_call sites of the image: return-address offset, frame size (bytes below the
 * return address), and handlers (a default one has no tag). */
struct handler {
    uint32_t has_tag, tag, offset;
};
struct site {
    uint32_t ret, frame, count;
    struct handler *handlers;
};
static struct site *sites;
static uint32_t nsites;
static unsigned char *image;

/* Jumps to handler `pc` with the stack pointer `sp`, the frame pointer `fp` (aarch64)
 * and the payloads in the payload registers (x0/x1; r6/r7 on s390x). */
static void __attribute__((noreturn)) resume(uintptr_t pc, uintptr_t sp, uintptr_t fp, uint64_t p1,
                                             uint64_t p2) {
#if defined(__aarch64__)
    register uint64_t x0 __asm__("x0") = p1;
    register uint64_t x1 __asm__("x1") = p2;
    register uintptr_t x15 __asm__("x15") = sp;
    register uintptr_t x16 __asm__("x16") = pc;
    register uintptr_t x17 __asm__("x17") = fp;
    __asm__ volatile("mov sp, x15\n\tmov x29, x17\n\tbr x16"
                     :
                     : "r"(x0), "r"(x1), "r"(x15), "r"(x16), "r"(x17)
                     : "memory");
#elif defined(__s390x__)
    register uint64_t r6 __asm__("r6") = p1;
    register uint64_t r7 __asm__("r7") = p2;
    register uintptr_t r4 __asm__("r4") = sp;
    register uintptr_t r1 __asm__("r1") = pc;
    (void)fp;
    __asm__ volatile("lgr %%r15, %%r4\n\tbr %%r1" : : "r"(r6), "r"(r7), "r"(r4), "r"(r1) : "memory");
#else
    (void)pc, (void)sp, (void)fp, (void)p1, (void)p2;
#endif
    __builtin_unreachable();
}

/* __cranelift_throw(entry_fp, exit_fp, exit_pc, tag, payload1, payload2): walks the
 * frames from exit_fp (at exit_pc) up to, not including, entry_fp's, and resumes at the
 * first try_call handler for `tag` (or a default one) with its function's frame
 * restored; returns if there is none. aarch64 frames start with the saved frame pointer
 * and return address; on s390x the frame pointer is the stack pointer, whose back chain
 * leads to the caller's, and the return address is r14 in the caller's register save
 * area (offset 112). */
static void gantry_throw(uint64_t entry_fp, uint64_t exit_fp, uint64_t exit_pc, uint32_t tag,
                         uint64_t p1, uint64_t p2) {
    uintptr_t fp = exit_fp, pc = exit_pc;
    for (int n = 0; n < 65536 && fp && fp != entry_fp; n++) {
        for (uint32_t i = 0; i < nsites; i++) {
            if ((uintptr_t)image + sites[i].ret != pc) continue;
            for (uint32_t h = 0; h < sites[i].count; h++) {
                struct handler *hd = &sites[i].handlers[h];
                if (hd->has_tag && hd->tag != tag) continue;
#if defined(__s390x__)
                uintptr_t sp = fp;
#else
                uintptr_t sp = fp + 16 - sites[i].frame;
#endif
                resume((uintptr_t)image + hd->offset, sp, fp, p1, p2);
            }
        }
#if defined(__s390x__)
        uintptr_t caller = *(uintptr_t *)fp;
        pc = *(uintptr_t *)(caller + 112);
        fp = caller;
#else
        pc = ((uintptr_t *)fp)[1];
        fp = ((uintptr_t *)fp)[0];
#endif
    }
}

/* The library functions (numbered as in qemu.rs), then the TLS descriptor function (on
 * s390x, __tls_get_offset), then the exception thrower, then (aarch64) the binary128
 * functions. */
static void *const LIBCALLS[] = { /*LIBCALLS*/ TLSDESC_RETURN, (void *)gantry_throw, /*F128_LIBCALLS*/ };
/* Thread-local variables of generated code: 64 bytes each. */
static __thread unsigned char tls_block[4096] __attribute__((aligned(64)));

static sigjmp_buf env;
static volatile uintptr_t fault_pc;
static volatile int fault_sig;

static void on_signal(int sig, siginfo_t *info, void *ucv) {
    ucontext_t *uc = ucv;
    (void)info;
    /* A breakpoint (CLIF's debugtrap) is stepped over, as under a debugger told to
     * continue: BRK #0 on aarch64, the two-byte 0001 on s390x (reported at or after it). */
#if defined(__aarch64__)
    if (sig == SIGTRAP && *(uint32_t *)uc->uc_mcontext.pc == 0xd4200000u) {
        uc->uc_mcontext.pc += 4;
        return;
    }
    fault_pc = uc->uc_mcontext.pc;
#elif defined(__s390x__)
    if (sig == SIGTRAP || sig == SIGILL) {
        uintptr_t at = uc->uc_mcontext.psw.addr;
        if (*(uint16_t *)at == 0x0001) {
            uc->uc_mcontext.psw.addr = at + 2;
            return;
        }
        if (*(uint16_t *)(at - 2) == 0x0001) return;
    }
    fault_pc = uc->uc_mcontext.psw.addr;
#else
    fault_pc = 0;
    (void)uc;
#endif
    fault_sig = sig;
    siglongjmp(env, 1);
}

static void read_exact(void *p, size_t n) {
    if (n && fread(p, 1, n, stdin) != n) {
        fprintf(stderr, "loader: short input\n");
        exit(2);
    }
}

static uint32_t read_u32(void) {
    uint32_t v;
    read_exact(&v, 4);
    return v;
}

int main(void) {
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, 0);

    if (read_u32() != 0x474e5459u) {
        fprintf(stderr, "loader: bad magic\n");
        return 2;
    }
    uint32_t len = read_u32(), nrelocs = read_u32(), ncases = read_u32(), secs = read_u32();
    size_t size = len ? len : 1;
    unsigned char *base = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return 2;
    read_exact(base, len);
    for (uint32_t i = 0; i < nrelocs; i++) {
        uint32_t offset = read_u32(), kind = read_u32();
        uint64_t value;
        int64_t addend;
        read_exact(&value, 8);
        read_exact(&addend, 8);
        uint64_t target;
        if (kind == 0) {
            target = (uint64_t)(uintptr_t)base + value;
        } else if (kind == 1) {
            target = (uint64_t)(uintptr_t)LIBCALLS[value];
        } else {
            target = (uint64_t)(uintptr_t)(tls_block + 64 * value) -
                     (uint64_t)(uintptr_t)__builtin_thread_pointer();
        }
        target += (uint64_t)addend;
        memcpy(base + offset, &target, 8);
    }
    image = base;
    nsites = read_u32();
    sites = calloc(nsites ? nsites : 1, sizeof *sites);
    for (uint32_t i = 0; i < nsites; i++) {
        sites[i].ret = read_u32();
        sites[i].frame = read_u32();
        sites[i].count = read_u32();
        sites[i].handlers = calloc(sites[i].count ? sites[i].count : 1, sizeof(struct handler));
        for (uint32_t h = 0; h < sites[i].count; h++) {
            sites[i].handlers[h].has_tag = read_u32();
            sites[i].handlers[h].tag = read_u32();
            sites[i].handlers[h].offset = read_u32();
        }
    }
    if (mprotect(base, size, PROT_READ | PROT_EXEC)) return 2;
    __builtin___clear_cache((char *)base, (char *)base + size);
    for (uint32_t c = 0; c < ncases; c++) {
        uint32_t tramp = read_u32(), func = read_u32(), nslots = read_u32();
        unsigned char *slots = calloc(nslots ? nslots : 1, 16);
        read_exact(slots, 16 * (size_t)nslots);
        if (sigsetjmp(env, 1) == 0) {
            alarm(secs);
            ((void (*)(void *, void *))(base + tramp))(base + func, slots);
            alarm(0);
            printf("ok ");
            for (uint32_t i = 0; i < 16 * nslots; i++) printf("%02x", slots[i]);
            printf("\n");
        } else {
            alarm(0);
            printf("trap %d %lld\n", fault_sig, (long long)(fault_pc - (uintptr_t)base));
        }
        free(slots);
    }
    fflush(stdout);
    return 0;
}
