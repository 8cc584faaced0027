//! Running code compiled for another ISA (aarch64, s390x) under qemu-user.
//!
//! The functions of a file and their trampolines are linked into one image here (calls
//! between them resolved; absolute addresses and library calls left as relocations),
//! and one qemu process per file and ISA runs every case: a small C loader
//! (`loader.c`, built once per run with the ISA's cross gcc and cached) maps the image,
//! applies the relocations, and calls each case's trampoline, catching traps and
//! timeouts (see `loader.c` for the protocol).

use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::{Endianness, LibCall, Signature, Type};
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::compiled::{CompiledCode, FinalizedRelocTarget};
use gantry_codegen::machinst::reloc::Reloc;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What the loader of an ISA needs: its cross compiler and qemu.
struct Toolchain {
    gcc: &'static str,
    qemu: &'static str,
}

fn toolchain(isa: &str) -> Option<Toolchain> {
    match isa {
        "aarch64" => Some(Toolchain {
            gcc: "aarch64-linux-gnu-gcc",
            qemu: "qemu-aarch64-static",
        }),
        "s390x" => Some(Toolchain {
            gcc: "s390x-linux-gnu-gcc",
            qemu: "qemu-s390x-static",
        }),
        _ => None,
    }
}

/// Whether code for ISA `isa` runs under qemu here (the runner fails, not skips, when
/// its tools are missing).
pub fn runs_under_qemu(isa: &str) -> bool {
    toolchain(isa).is_some()
}

/// The library functions the loader provides, in table order.
const LIBCALLS: &[LibCall] = &[
    LibCall::CeilF32,
    LibCall::CeilF64,
    LibCall::FloorF32,
    LibCall::FloorF64,
    LibCall::TruncF32,
    LibCall::TruncF64,
    LibCall::NearestF32,
    LibCall::NearestF64,
    LibCall::FmaF32,
    LibCall::FmaF64,
    LibCall::Memcpy,
    LibCall::Memset,
    LibCall::Memmove,
    LibCall::Memcmp,
    LibCall::UdivI128,
    LibCall::SdivI128,
    LibCall::UremI128,
    LibCall::SremI128,
    LibCall::I128ToF32,
    LibCall::I128ToF64,
    LibCall::U128ToF32,
    LibCall::U128ToF64,
    LibCall::F32ToI128,
    LibCall::F64ToI128,
    LibCall::F32ToU128,
    LibCall::F64ToU128,
];

/// The binary128 functions of aarch64 (which lowers f128 arithmetic to calls), in table
/// order after the TLS descriptor function and the thrower.
const F128_LIBCALLS: &[LibCall] = &[
    LibCall::AddF128,
    LibCall::SubF128,
    LibCall::MulF128,
    LibCall::DivF128,
    LibCall::SqrtF128,
    LibCall::FmaF128,
    LibCall::CeilF128,
    LibCall::FloorF128,
    LibCall::TruncF128,
    LibCall::NearestF128,
    LibCall::EqF128,
    LibCall::LtF128,
    LibCall::LeF128,
    LibCall::GtF128,
    LibCall::GeF128,
    LibCall::UnordF128,
    LibCall::F32ToF128,
    LibCall::F64ToF128,
    LibCall::F128ToF32,
    LibCall::F128ToF64,
    LibCall::F128ToF16,
    LibCall::I32ToF128,
    LibCall::I64ToF128,
    LibCall::U32ToF128,
    LibCall::U64ToF128,
    LibCall::F128ToI32,
    LibCall::F128ToI64,
    LibCall::F128ToU32,
    LibCall::F128ToU64,
    LibCall::I128ToF128,
    LibCall::U128ToF128,
    LibCall::F128ToI128,
    LibCall::F128ToU128,
];

/// The binary128 functions of s390x (which has f128 instructions but for these), in
/// table order after the TLS descriptor function and the thrower.
const S390X_F128_LIBCALLS: &[LibCall] = &[
    LibCall::FmaF128,
    LibCall::I128ToF128,
    LibCall::U128ToF128,
    LibCall::F128ToI128,
    LibCall::F128ToU128,
];

/// The loader's source with its library tables filled in.
fn loader_source() -> String {
    let template = include_str!("loader.c");
    let decls = |lcs: &[LibCall]| -> String {
        lcs.iter()
            .map(|lc| lc.symbol())
            .filter(|s| s.starts_with("__"))
            .map(|s| format!("extern void {s}(void);\n"))
            .collect()
    };
    let table = |lcs: &[LibCall]| -> String {
        lcs.iter()
            .map(|lc| format!("(void *){}, ", lc.symbol()))
            .collect()
    };
    let by_isa = |f: &dyn Fn(&[LibCall]) -> String| {
        format!(
            "\n#if defined(__aarch64__)\n{}\n#elif defined(__s390x__)\n{}\n#endif\n",
            f(F128_LIBCALLS),
            f(S390X_F128_LIBCALLS)
        )
    };
    template
        .replace("/*LIBCALL_DECLS*/", &(decls(LIBCALLS) + &by_isa(&decls)))
        .replace("/*LIBCALLS*/", &table(LIBCALLS))
        .replace("/*F128_LIBCALLS*/", &by_isa(&table))
}

/// The loader binary for `isa`, built on first use (cached by its source's hash in the
/// temporary directory).
///
/// # Errors
/// The cross compiler missing or failing.
fn loader(isa: &str, tools: &Toolchain) -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let source = loader_source();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut h);
    let dir = std::env::temp_dir().join("gantry-loader");
    let bin = dir.join(format!("{isa}-{:016x}", h.finish()));
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let unique = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let src = dir
        .join(format!("loader-{isa}-{unique}.c"))
        .with_extension("c");
    let tmp = dir.join(format!("{isa}-{unique}.tmp"));
    std::fs::write(&src, &source).map_err(|e| e.to_string())?;
    let out = Command::new(tools.gcc)
        .args(["-static", "-O1", "-o"])
        .arg(&tmp)
        .arg(&src)
        .arg("-lm")
        .output()
        .map_err(|e| {
            format!(
                "running {} to build the {isa} test loader: {e} (scripts/test.sh installs it)",
                tools.gcc
            )
        })?;
    let _ = std::fs::remove_file(&src);
    if !out.status.success() {
        return Err(format!(
            "building the {isa} test loader failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::rename(&tmp, &bin).map_err(|e| e.to_string())?;
    Ok(bin)
}

/// Compiled functions laid out in one image for the loader.
pub struct Image {
    bytes: Vec<u8>,
    /// `(offset, kind, value, addend)`: kind 0 is an image offset, 1 a library index
    /// (the TLS descriptor function after the libraries), 2 a thread-local variable.
    relocs: Vec<(u32, u32, u64, i64)>,
    traps: Vec<MachTrap>,
    entries: HashMap<String, usize>,
    endianness: Endianness,
    /// The `try_call` sites, for the loader's `__cranelift_throw`.
    throw_sites: Vec<ThrowSite>,
}

/// A `try_call` site of an image: return-address offset, frame size, and handlers (tag
/// or `None` for the default, handler offset).
type ThrowSite = (u32, u32, Vec<(Option<u32>, u32)>);

/// The loader's library index of `%__cranelift_throw`: after the libraries and the TLS
/// descriptor function.
const THROW_INDEX: usize = LIBCALLS.len() + 1;

/// A library-call stub: `ldr x16, #8; br x16; .quad target`.
const A64_STUB: [u8; 16] = [
    0x50, 0x00, 0x00, 0x58, 0x00, 0x02, 0x1f, 0xd6, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// The thread-local variables an s390x image may use (its GOT's `tls_index` slots).
const TLS_GOT_SLOTS: usize = 16;

/// A library-call stub on s390x: `lgrl %r1, .+8; br %r1; .quad target`.
const S390X_STUB: [u8; 16] = [
    0xc4, 0x18, 0x00, 0x00, 0x00, 0x04, 0x07, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0,
];

impl Image {
    /// Lays out `funcs` 16-byte aligned and resolves the calls between them; calls to
    /// library functions go through stubs whose addresses the loader fills in.
    ///
    /// # Errors
    /// A relocation the runner cannot resolve.
    pub fn link(funcs: &[(String, CompiledCode)], endianness: Endianness) -> Result<Image, String> {
        let mut bytes = Vec::new();
        let mut entries = HashMap::new();
        let mut traps = Vec::new();
        let mut throw_sites = Vec::new();
        for (name, code) in funcs {
            let at = bytes.len();
            entries.insert(name.clone(), at);
            for site in code.call_sites.iter().filter(|s| !s.handlers.is_empty()) {
                throw_sites.push((
                    at as u32 + site.ret_addr,
                    code.frame_size,
                    site.handlers
                        .iter()
                        .map(|h| (h.tag, at as u32 + h.offset))
                        .collect(),
                ));
            }
            bytes.extend_from_slice(&code.code);
            bytes.resize(bytes.len().div_ceil(16) * 16, 0);
            traps.extend(code.traps.iter().map(|t| MachTrap {
                offset: t.offset + at as u32,
                code: t.code,
            }));
        }
        let mut relocs = Vec::new();
        // One stub per library index.
        let mut stubs: HashMap<usize, usize> = HashMap::new();
        // A TLS descriptor (function, argument) per thread-local symbol, 16 bytes each;
        // a GOT entry per symbol reached through the GOT, 8 bytes each.
        let mut descriptors: Vec<(FinalizedRelocTarget, usize)> = Vec::new();
        let mut got: Vec<(FinalizedRelocTarget, usize)> = Vec::new();
        // s390x: the GOT of general-dynamic TLS, `_GLOBAL_OFFSET_TABLE_` at its start: a
        // 16-byte `tls_index` per variable whose first word holds the variable's offset
        // from the thread pointer (what the loader's `__tls_get_offset` returns).
        let mut tls_got: Option<usize> = None;
        let mut tls_slots: Vec<(FinalizedRelocTarget, usize)> = Vec::new();
        let mut tls_got_base = |bytes: &mut Vec<u8>| -> usize {
            *tls_got.get_or_insert_with(|| {
                let base = bytes.len().div_ceil(16) * 16;
                bytes.resize(base + 16 * TLS_GOT_SLOTS, 0);
                base
            })
        };
        let f128_libcalls = match endianness {
            Endianness::Big => S390X_F128_LIBCALLS,
            Endianness::Little => F128_LIBCALLS,
        };
        let lib_index = |lc: LibCall| {
            let f128 = || f128_libcalls.iter().position(|&l| l == lc);
            LIBCALLS
                .iter()
                .position(|&l| l == lc)
                .or_else(|| f128().map(|i| THROW_INDEX + 1 + i))
                .ok_or_else(|| format!("the runner has no {lc} for foreign ISAs"))
        };
        for (name, code) in funcs {
            let base = entries[name];
            for r in &code.relocs {
                let at = base + r.offset as usize;
                match (r.kind, &r.target) {
                    (Reloc::Abs8, FinalizedRelocTarget::TestCase(t))
                        if !entries.contains_key(t.as_str()) && is_throw(t.as_str()) =>
                    {
                        relocs.push((at as u32, 1, THROW_INDEX as u64, r.addend));
                    }
                    (Reloc::Abs8, FinalizedRelocTarget::TestCase(t)) => {
                        let off = entries
                            .get(t.as_str())
                            .ok_or_else(|| format!("no function %{t} in the file"))?;
                        relocs.push((at as u32, 0, *off as u64, r.addend));
                    }
                    (Reloc::Abs8, FinalizedRelocTarget::LibCall(lc)) => {
                        relocs.push((at as u32, 1, lib_index(*lc)? as u64, r.addend));
                    }
                    (Reloc::Arm64Call | Reloc::S390xPLTRel32Dbl, target) => {
                        let stub_bytes = if r.kind == Reloc::Arm64Call {
                            &A64_STUB
                        } else {
                            &S390X_STUB
                        };
                        let index = match target {
                            FinalizedRelocTarget::TestCase(t) => match entries.get(t.as_str()) {
                                Some(_) => None,
                                None if is_throw(t.as_str()) => Some(THROW_INDEX),
                                None => return Err(format!("no function %{t} in the file")),
                            },
                            FinalizedRelocTarget::LibCall(LibCall::ElfTlsGetOffset) => {
                                Some(LIBCALLS.len())
                            }
                            FinalizedRelocTarget::LibCall(lc) => Some(lib_index(*lc)?),
                            other => {
                                return Err(format!("a call to {other:?}, which the runner lacks"));
                            }
                        };
                        let dest = match (index, target) {
                            (None, FinalizedRelocTarget::TestCase(t)) => entries[t.as_str()],
                            (Some(index), _) => {
                                *stubs.entry(index).or_insert_with(|| {
                                    // The stub's literal is doubleword-aligned (LGRL).
                                    bytes.resize(bytes.len().div_ceil(8) * 8, 0);
                                    let stub = bytes.len();
                                    bytes.extend_from_slice(stub_bytes);
                                    relocs.push(((stub + 8) as u32, 1, index as u64, 0));
                                    stub
                                })
                            }
                            (None, _) => unreachable!("only calls of the file's functions"),
                        };
                        if r.kind == Reloc::S390xPLTRel32Dbl {
                            let halfwords = (dest as i64 + r.addend - at as i64) >> 1;
                            bytes[at..at + 4].copy_from_slice(&(halfwords as i32).to_be_bytes());
                            continue;
                        }
                        let words = (dest as i64 + r.addend - at as i64) >> 2;
                        let mut w = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
                        w = w & !0x3ff_ffff | (words as u32) & 0x3ff_ffff;
                        bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
                    }
                    (
                        Reloc::Aarch64TlsDescAdrPage21
                        | Reloc::Aarch64TlsDescLd64Lo12
                        | Reloc::Aarch64TlsDescAddLo12,
                        target,
                    ) => {
                        let desc = match descriptors.iter().find(|(t, _)| t == target) {
                            Some(&(_, d)) => d,
                            None => {
                                let d = bytes.len().div_ceil(16) * 16;
                                bytes.resize(d + 16, 0);
                                relocs.push((d as u32, 1, LIBCALLS.len() as u64, 0));
                                relocs.push(((d + 8) as u32, 2, descriptors.len() as u64, 0));
                                descriptors.push((target.clone(), d));
                                d
                            }
                        };
                        let mut w = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
                        w = match r.kind {
                            Reloc::Aarch64TlsDescAdrPage21 => {
                                // The image is page-aligned: page distances are fixed.
                                let pages = ((desc >> 12) as i64 - (at >> 12) as i64) as u32;
                                w | (pages & 3) << 29 | ((pages >> 2) & 0x7ffff) << 5
                            }
                            Reloc::Aarch64TlsDescLd64Lo12 => w | ((desc & 0xfff) as u32 >> 3) << 10,
                            _ => w | ((desc & 0xfff) as u32) << 10,
                        };
                        bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
                    }
                    (Reloc::Aarch64TlsDescCall | Reloc::S390xTlsGdCall, _) => {}
                    (Reloc::S390xPCRel32Dbl, FinalizedRelocTarget::KnownSymbol(_)) => {
                        let base = tls_got_base(&mut bytes);
                        let halfwords = (base as i64 + r.addend - at as i64) >> 1;
                        bytes[at..at + 4].copy_from_slice(&(halfwords as i32).to_be_bytes());
                    }
                    (Reloc::S390xTlsGd64, target) => {
                        let base = tls_got_base(&mut bytes);
                        let slot = match tls_slots.iter().find(|(t, _)| t == target) {
                            Some(&(_, s)) => s,
                            None => {
                                let k = tls_slots.len();
                                if k == TLS_GOT_SLOTS {
                                    return Err(
                                        "more thread-local variables than the runner's GOT holds"
                                            .into(),
                                    );
                                }
                                relocs.push(((base + 16 * k) as u32, 2, k as u64, 0));
                                tls_slots.push((target.clone(), 16 * k));
                                16 * k
                            }
                        };
                        bytes[at..at + 8].copy_from_slice(&(slot as u64).to_be_bytes());
                    }
                    (
                        Reloc::Aarch64AdrPrelPgHi21 | Reloc::Aarch64AddAbsLo12Nc,
                        FinalizedRelocTarget::TestCase(t),
                    ) => {
                        // A colocated function of the file: its page and offset in the
                        // image (mapped page-aligned).
                        let target = *entries
                            .get(t.as_str())
                            .ok_or_else(|| format!("no function %{t} in the file"))?
                            as i64
                            + r.addend;
                        let mut w = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
                        w = if r.kind == Reloc::Aarch64AdrPrelPgHi21 {
                            let pages = ((target >> 12) - (at as i64 >> 12)) as u32;
                            w | (pages & 3) << 29 | ((pages >> 2) & 0x7ffff) << 5
                        } else {
                            w | ((target & 0xfff) as u32) << 10
                        };
                        bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
                    }
                    (
                        Reloc::Aarch64AdrGotPage21
                        | Reloc::Aarch64Ld64GotLo12Nc
                        | Reloc::S390xGotEnt,
                        target,
                    ) => {
                        let slot = match got.iter().find(|(t, _)| t == target) {
                            Some(&(_, s)) => s,
                            None => {
                                let s = bytes.len().div_ceil(8) * 8;
                                bytes.resize(s + 8, 0);
                                relocs.push(match target {
                                    FinalizedRelocTarget::TestCase(t) => {
                                        let off = entries.get(t.as_str()).ok_or_else(|| {
                                            format!("no function %{t} in the file")
                                        })?;
                                        (s as u32, 0, *off as u64, 0)
                                    }
                                    FinalizedRelocTarget::LibCall(lc) => {
                                        (s as u32, 1, lib_index(*lc)? as u64, 0)
                                    }
                                    other => {
                                        return Err(format!(
                                            "a GOT entry for {other:?}, which the runner lacks"
                                        ));
                                    }
                                });
                                got.push((target.clone(), s));
                                s
                            }
                        };
                        if r.kind == Reloc::S390xGotEnt {
                            // LGRL's halfword offset to the (doubleword-aligned) slot.
                            let halfwords = (slot as i64 + r.addend - at as i64) >> 1;
                            bytes[at..at + 4].copy_from_slice(&(halfwords as i32).to_be_bytes());
                            continue;
                        }
                        let mut w = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
                        w = if r.kind == Reloc::Aarch64AdrGotPage21 {
                            let pages = ((slot >> 12) as i64 - (at >> 12) as i64) as u32;
                            w | (pages & 3) << 29 | ((pages >> 2) & 0x7ffff) << 5
                        } else {
                            w | ((slot & 0xfff) as u32 >> 3) << 10
                        };
                        bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
                    }
                    (kind, target) => {
                        return Err(format!(
                            "a {kind} relocation to {target:?}, which the runner lacks"
                        ));
                    }
                }
            }
        }
        Ok(Image {
            bytes,
            relocs,
            traps,
            entries,
            endianness,
            throw_sites,
        })
    }

    fn u32(&self, out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&match self.endianness {
            Endianness::Big => v.to_be_bytes(),
            Endianness::Little => v.to_le_bytes(),
        });
    }

    fn u64(&self, out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(&match self.endianness {
            Endianness::Big => v.to_be_bytes(),
            Endianness::Little => v.to_le_bytes(),
        });
    }

    /// Names the trap at image offset `offset`.
    fn describe_trap(&self, signal: i32, offset: i64) -> String {
        if signal == 14 {
            return format!(
                "timed out (still running at code offset {offset:#x}); GANTRY_RUN_TIMEOUT_SECS sets the limit"
            );
        }
        // s390x reports an illegal instruction (its trap opcode, two bytes) with the
        // address after it.
        let trap_at = |o: i64| self.traps.iter().find(|t| i64::from(t.offset) == o);
        let found = trap_at(offset).or_else(|| {
            (signal == 4 && self.endianness == Endianness::Big)
                .then(|| trap_at(offset - 2))
                .flatten()
        });
        match found {
            Some(t) => format!("trap: {}", t.code),
            None if (0..self.bytes.len() as i64).contains(&offset) => {
                format!("crash (signal {signal}) at code offset {offset:#x}")
            }
            None => format!("crash (signal {signal}) at {offset:#x} from the code"),
        }
    }
}

/// Whether test-case name `t` is the runner's exception thrower (see `loader.c`).
fn is_throw(t: &str) -> bool {
    t == "__cranelift_throw"
}

/// One call to run: the function, its signature and arguments.
pub struct Case<'a> {
    /// The function's name (its trampoline is linked under the runner's prefix).
    pub name: &'a str,
    /// Its signature.
    pub sig: &'a Signature,
    /// The arguments.
    pub args: &'a [DataValue],
}

/// Runs `cases` on `image` in one qemu process for `isa` (with `cpu` as qemu's CPU
/// model if given): each case's results or why it failed.
///
/// # Errors
/// The loader or qemu missing or dying.
pub fn run_cases(
    isa: &str,
    cpu: Option<&str>,
    image: &Image,
    cases: &[Case<'_>],
    tramp_name: impl Fn(&str) -> String,
) -> Result<Vec<Result<Vec<DataValue>, String>>, String> {
    let tools = toolchain(isa).ok_or_else(|| format!("no qemu runner for {isa}"))?;
    let bin = loader(isa, &tools)?;
    let mut input = Vec::new();
    image.u32(&mut input, 0x474e_5459);
    image.u32(&mut input, image.bytes.len() as u32);
    image.u32(&mut input, image.relocs.len() as u32);
    image.u32(&mut input, cases.len() as u32);
    let secs = std::env::var("GANTRY_RUN_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20u32);
    image.u32(&mut input, secs);
    input.extend_from_slice(&image.bytes);
    for &(offset, kind, value, addend) in &image.relocs {
        image.u32(&mut input, offset);
        image.u32(&mut input, kind);
        image.u64(&mut input, value);
        image.u64(&mut input, addend as u64);
    }
    image.u32(&mut input, image.throw_sites.len() as u32);
    for (ret, frame, handlers) in &image.throw_sites {
        image.u32(&mut input, *ret);
        image.u32(&mut input, *frame);
        image.u32(&mut input, handlers.len() as u32);
        for &(tag, at) in handlers {
            image.u32(&mut input, u32::from(tag.is_some()));
            image.u32(&mut input, tag.unwrap_or(0));
            image.u32(&mut input, at);
        }
    }
    let mut slot_counts = Vec::new();
    for c in cases {
        let tramp = image
            .entries
            .get(&tramp_name(c.name))
            .ok_or_else(|| format!("no trampoline for %{}", c.name))?;
        let func = image.entries[c.name];
        let slots = c.args.len().max(c.sig.returns.len()).max(1);
        slot_counts.push(slots);
        image.u32(&mut input, *tramp as u32);
        image.u32(&mut input, func as u32);
        image.u32(&mut input, slots as u32);
        for i in 0..slots {
            let slot = match (c.args.get(i), c.sig.params.get(i)) {
                (Some(a), Some(p)) => slot_bytes(a, p.value_type, image.endianness),
                _ => [0; 16],
            };
            input.extend_from_slice(&slot);
        }
    }
    let mut cmd = Command::new(tools.qemu);
    if let Some(cpu) = cpu {
        cmd.args(["-cpu", cpu]);
    }
    let mut child = cmd
        .arg(&bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "running {}: {e} (scripts/test.sh installs qemu-user-static)",
                tools.qemu
            )
        })?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let mut results = Vec::new();
    for (c, slots) in cases.iter().zip(slot_counts) {
        let Some(line) = lines.next() else {
            results.push(Err(format!(
                "the {isa} loader stopped before this case ({}; {})",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
            continue;
        };
        results.push(parse_line(line, c, slots, image));
    }
    Ok(results)
}

/// The slot of argument `v` of type `ty` (a vector `DataValue` does not know its lanes).
fn slot_bytes(v: &DataValue, ty: Type, endianness: Endianness) -> [u8; 16] {
    let mut s = v.to_le_slot();
    if endianness == Endianness::Big {
        to_big_endian(&mut s, ty);
    }
    s
}

/// A little-endian slot of type `ty` turned big-endian (or back): a scalar's bytes
/// reversed, a vector's lanes each reversed in place (lane 0 stays first, the order a
/// big-endian load of the vector gives).
fn to_big_endian(slot: &mut [u8; 16], ty: Type) {
    let lane = (ty.lane_type().bits() as usize).div_ceil(8);
    let n = (ty.bits() as usize).div_ceil(8);
    for chunk in slot[..n].chunks_mut(lane) {
        chunk.reverse();
    }
}

fn parse_line(
    line: &str,
    c: &Case<'_>,
    slots: usize,
    image: &Image,
) -> Result<Vec<DataValue>, String> {
    if let Some(rest) = line.strip_prefix("trap ") {
        let mut it = rest.split_whitespace();
        let signal: i32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let offset: i64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(-1);
        return Err(image.describe_trap(signal, offset));
    }
    let hex = line
        .strip_prefix("ok ")
        .ok_or_else(|| format!("unexpected loader output `{line}`"))?;
    let raw: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    if raw.len() != 16 * slots {
        return Err(format!("unexpected loader output `{line}`"));
    }
    c.sig
        .returns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut slot: [u8; 16] = raw[16 * i..16 * i + 16].try_into().expect("16 bytes");
            if image.endianness == Endianness::Big {
                to_big_endian(&mut slot, p.value_type);
            }
            DataValue::from_le_slot(&slot, p.value_type)
                .ok_or_else(|| format!("cannot read a {} result", p.value_type))
        })
        .collect()
}
