//! Random signatures, and for each the Gantry functions (CLIF text) and the C code that
//! call each other through it.
//!
//! For case `n` with signature `S`:
//! - `g_n` (Gantry, convention `S`) stores each argument into `gantry_got` and returns
//!   results loaded from `gantry_vals`; C's `run_n` calls it with arguments read from
//!   `gantry_vals` and compares what arrived and what came back.
//! - `c_n` (C, convention `S`) compares each argument with `gantry_vals` and returns
//!   results read from it; `gcall_n` (Gantry) calls it, directly or through a pointer
//!   C passes in, with arguments loaded from `gantry_vals`, and stores the results into
//!   `gantry_got`, which `run_n` compares.
//!
//! `gantry_vals` is filled by the C program from a fixed pseudo-random sequence, so every
//! value (float NaN patterns and vector lanes included) is arbitrary bits; each case owns
//! [`SLOTS`] 16-byte slots of it: arguments from slot 0, results from slot [`RESULTS`].

use gantry_codegen::ir::Type;
use std::fmt::Write;

/// 16-byte slots per case in the value tables.
pub const SLOTS: usize = 32;
/// The first slot of a case's results.
pub const RESULTS: usize = 24;

/// A target and calling convention to check against its C compiler.
#[derive(Clone, Debug)]
pub struct Abi {
    /// The Gantry ISA.
    pub isa: &'static str,
    /// The CLIF name of the convention.
    pub conv: &'static str,
    /// The C attribute giving a function that convention (empty for the default).
    pub c_attr: &'static str,
    /// Whether the C ABI has `__int128` and 16-byte vectors for this convention.
    pub wide_types: bool,
    /// Whether two 8-byte results come back in registers, as a C struct of two 8-byte
    /// fields does (System V), rather than through memory (Windows x64).
    pub pair_in_registers: bool,
    /// The fewest 8-byte fields of a C struct the ABI returns in memory (`sret`): 3 where
    /// 16-byte structs come back in registers (System V, AAPCS64), else 2.
    pub struct_min_fields: usize,
    /// Whether a struct of up to four `double`s comes back in float registers (AAPCS64's
    /// homogeneous floating-point aggregates), so an `sret` struct needs another field.
    pub float_aggregates_in_registers: bool,
    /// Whether narrow integers always carry `uext`/`sext` (the C ABI widens them at the
    /// boundary, s390x), rather than sometimes passing as they are.
    pub narrow_extended: bool,
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How a narrow integer is widened at the call boundary.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ext {
    /// Not at all (the C types are the narrow ones).
    None,
    /// Zero-extended to 32 bits (`uext`).
    U,
    /// Sign-extended to 32 bits (`sext`).
    S,
}

/// One argument or result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Val {
    /// Its CLIF type.
    pub ty: Type,
    /// Its extension attribute (only on `i8` and `i16`).
    pub ext: Ext,
}

/// How a signature returns its results.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Results {
    /// Up to two values in registers (two only as 8-byte fields of a C struct).
    Regs(Vec<Val>),
    /// A C struct in memory: an `sret` pointer argument comes first, the fields are
    /// these 8-byte types.
    Struct(Vec<Type>),
}

/// A random signature.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Sig {
    /// The arguments (without the `sret` pointer).
    pub params: Vec<Val>,
    /// The results.
    pub results: Results,
    /// Whether `gcall_n` reaches `c_n` through a function pointer C passes in.
    pub indirect: bool,
}

const VECTORS: [Type; 6] = [
    Type::I8X16,
    Type::I16X8,
    Type::I32X4,
    Type::I64X2,
    Type::F32X4,
    Type::F64X2,
];

fn random_val(rng: &mut Rng, abi: &Abi) -> Val {
    let ty = loop {
        let ty = match rng.below(20) {
            0..=2 => Type::I8,
            3..=4 => Type::I16,
            5..=7 => Type::I32,
            8..=10 => Type::I64,
            11..=13 => Type::F32,
            14..=16 => Type::F64,
            17 => Type::I128,
            _ => VECTORS[rng.below(VECTORS.len())],
        };
        if abi.wide_types || (ty != Type::I128 && !ty.is_vector()) {
            break ty;
        }
    };
    let ext = if ty == Type::I8 || ty == Type::I16 {
        let choices = if abi.narrow_extended { 1..3 } else { 0..3 };
        [Ext::None, Ext::U, Ext::S][choices.start + rng.below(choices.len())]
    } else {
        Ext::None
    };
    Val { ty, ext }
}

/// A random signature for `abi`: 0-20 arguments, 0-6 results.
pub fn random_sig(rng: &mut Rng, abi: &Abi) -> Sig {
    let params = (0..rng.below(21)).map(|_| random_val(rng, abi)).collect();
    let eight = |rng: &mut Rng| [Type::I64, Type::F64][rng.below(2)];
    let results = match rng.below(8) {
        0 => Results::Regs(Vec::new()),
        1..=4 => Results::Regs(vec![random_val(rng, abi)]),
        5 if abi.pair_in_registers => Results::Regs(
            (0..2)
                .map(|_| Val {
                    ty: eight(rng),
                    ext: Ext::None,
                })
                .collect(),
        ),
        _ => {
            let min = abi.struct_min_fields;
            let mut fields: Vec<Type> = (0..min + rng.below(7 - min)).map(|_| eight(rng)).collect();
            if abi.float_aggregates_in_registers
                && fields.len() <= 4
                && fields.iter().all(|&t| t == Type::F64)
            {
                fields[0] = Type::I64;
            }
            Results::Struct(fields)
        }
    };
    Sig {
        params,
        results,
        indirect: rng.below(4) == 0,
    }
}

/// The CLIF text of an argument or result.
fn clif_val(v: &Val) -> String {
    match v.ext {
        Ext::None => v.ty.to_string(),
        Ext::U => format!("{} uext", v.ty),
        Ext::S => format!("{} sext", v.ty),
    }
}

/// The CLIF signature of `sig` under `abi`.
fn clif_sig(sig: &Sig, abi: &Abi) -> String {
    let mut params: Vec<String> = Vec::new();
    if matches!(sig.results, Results::Struct(_)) {
        params.push("i64 sret".into());
    }
    params.extend(sig.params.iter().map(clif_val));
    let returns = match &sig.results {
        Results::Regs(r) if !r.is_empty() => {
            let r: Vec<String> = r.iter().map(clif_val).collect();
            format!(" -> {}", r.join(", "))
        }
        _ => String::new(),
    };
    format!("({}){returns} {}", params.join(", "), abi.conv)
}

/// The byte offset of slot `slot` of case `n` in the value tables.
fn slot(n: usize, slot: usize) -> usize {
    (n * SLOTS + slot) * 16
}

/// `g_n`: stores its arguments into `gantry_got`, returns results from `gantry_vals`.
pub fn clif_callee(n: usize, sig: &Sig, abi: &Abi) -> String {
    let mut s = String::new();
    let sret = matches!(sig.results, Results::Struct(_));
    let first = usize::from(sret);
    let params: Vec<String> = (0..first + sig.params.len())
        .map(|i| {
            let ty = if i < first {
                Type::I64
            } else {
                sig.params[i - first].ty
            };
            format!("v{i}: {ty}")
        })
        .collect();
    let _ = writeln!(s, "function %g_{n}{} {{", clif_sig(sig, abi));
    let _ = writeln!(
        s,
        "    gv0 = symbol %gantry_got\n    gv1 = symbol %gantry_vals"
    );
    let _ = writeln!(s, "block0({}):", params.join(", "));
    let _ = writeln!(
        s,
        "    v100 = symbol_value.i64 gv0\n    v101 = symbol_value.i64 gv1"
    );
    for i in 0..sig.params.len() {
        let _ = writeln!(s, "    store notrap v{}, v100+{}", first + i, slot(n, i));
    }
    let mut next = 200;
    let mut returned = Vec::new();
    match &sig.results {
        Results::Regs(r) => {
            for (j, v) in r.iter().enumerate() {
                let off = slot(n, RESULTS + j);
                let _ = writeln!(s, "    v{next} = load.{} notrap v101+{off}", v.ty);
                returned.push(format!("v{next}"));
                next += 1;
            }
        }
        Results::Struct(fields) => {
            for (j, ty) in fields.iter().enumerate() {
                let off = slot(n, RESULTS + j);
                let _ = writeln!(s, "    v{next} = load.{ty} notrap v101+{off}");
                let _ = writeln!(s, "    store notrap v{next}, v0+{}", 8 * j);
                next += 1;
            }
        }
    }
    let _ = writeln!(s, "    return {}\n}}\n", returned.join(", "));
    s
}

/// `gcall_n`: calls `c_n` with arguments from `gantry_vals` and stores its results into
/// `gantry_got`; with `indirect`, through the pointer it receives.
pub fn clif_caller(n: usize, sig: &Sig, abi: &Abi) -> String {
    let mut s = String::new();
    let (param, block_param) = if sig.indirect {
        ("i64", "v0: i64")
    } else {
        ("", "")
    };
    let _ = writeln!(s, "function %gcall_{n}({param}) system_v {{");
    let _ = writeln!(
        s,
        "    gv0 = symbol %gantry_got\n    gv1 = symbol %gantry_vals"
    );
    let _ = writeln!(s, "    sig0 = {}", clif_sig(sig, abi));
    let _ = writeln!(s, "    fn0 = %c_{n} sig0");
    if let Results::Struct(fields) = &sig.results {
        let _ = writeln!(s, "    ss0 = explicit_slot {}", 8 * fields.len());
    }
    let _ = writeln!(s, "block0({block_param}):");
    let _ = writeln!(
        s,
        "    v100 = symbol_value.i64 gv0\n    v101 = symbol_value.i64 gv1"
    );
    let mut args = Vec::new();
    if matches!(sig.results, Results::Struct(_)) {
        let _ = writeln!(s, "    v102 = stack_addr.i64 ss0");
        args.push("v102".to_string());
    }
    for (i, p) in sig.params.iter().enumerate() {
        let _ = writeln!(
            s,
            "    v{} = load.{} notrap v101+{}",
            10 + i,
            p.ty,
            slot(n, i)
        );
        args.push(format!("v{}", 10 + i));
    }
    let results: Vec<String> = match &sig.results {
        Results::Regs(r) => (0..r.len()).map(|j| format!("v{}", 200 + j)).collect(),
        Results::Struct(_) => Vec::new(),
    };
    let lhs = if results.is_empty() {
        String::new()
    } else {
        format!("{} = ", results.join(", "))
    };
    let args = args.join(", ");
    if sig.indirect {
        let _ = writeln!(s, "    {lhs}call_indirect sig0, v0({args})");
    } else {
        let _ = writeln!(s, "    {lhs}call fn0({args})");
    }
    match &sig.results {
        Results::Regs(_) => {
            for (j, r) in results.iter().enumerate() {
                let _ = writeln!(s, "    store notrap {r}, v100+{}", slot(n, RESULTS + j));
            }
        }
        Results::Struct(fields) => {
            for (j, ty) in fields.iter().enumerate() {
                let _ = writeln!(s, "    v{} = load.{ty} notrap v102+{}", 300 + j, 8 * j);
                let _ = writeln!(
                    s,
                    "    store notrap v{}, v100+{}",
                    300 + j,
                    slot(n, RESULTS + j)
                );
            }
        }
    }
    let _ = writeln!(s, "    return\n}}\n");
    s
}

/// The C type holding a value of `ty` as the C ABI passes it (unsigned integers of the
/// width, `float`, `double`, `unsigned __int128`, the vector typedefs of [`C_PRELUDE`]).
fn c_type(ty: Type) -> String {
    match ty {
        Type::I8 => "uint8_t".into(),
        Type::I16 => "uint16_t".into(),
        Type::I32 => "uint32_t".into(),
        Type::I64 => "uint64_t".into(),
        Type::I128 => "unsigned __int128".into(),
        Type::F32 => "float".into(),
        Type::F64 => "double".into(),
        v => format!("gv_{v}"),
    }
}

/// The C type of `v` where it is declared: an extended narrow integer is a C `int` on
/// the side that must see it extended (`widened`), else its own narrow type.
fn c_decl(v: &Val, widened: bool) -> String {
    match v.ext {
        Ext::None => c_type(v.ty),
        _ if widened => "int".into(),
        Ext::U => c_type(v.ty),
        Ext::S => c_type(v.ty).replacen('u', "", 1),
    }
}

/// The C expression of `v`'s value at byte offset `off` of the table `a`, as the type
/// [`c_decl`] gives it with `widened`.
fn c_value(v: &Val, off: usize, widened: bool) -> Option<String> {
    if !widened || v.ext == Ext::None {
        return None;
    }
    let narrow = match (v.ty, v.ext) {
        (Type::I8, Ext::U) => "uint8_t",
        (Type::I8, _) => "int8_t",
        (Type::I16, Ext::U) => "uint16_t",
        _ => "int16_t",
    };
    Some(format!("(int)*(const {narrow} *)(a + {off})"))
}

/// A C statement that reports case `n`'s value `what` number `i` if `got` (an lvalue)
/// differs from what is expected: the `int` expression `widened` for an extended narrow
/// integer, else the `size` bytes at offset `off` of the case's values `a`.
fn c_check(
    n: usize,
    what: &str,
    i: usize,
    got: &str,
    widened: Option<String>,
    off: usize,
    size: &str,
) -> String {
    match widened {
        Some(w) => format!(
            "  {{ int w = {w}; if ({got} != w) gantry_bad({n}, \"{what}\", {i}, &{got}, &w, 4); }}\n"
        ),
        None => format!(
            "  if (memcmp(&{got}, a + {off}, {size})) gantry_bad({n}, \"{what}\", {i}, &{got}, a + {off}, {size});\n"
        ),
    }
}

/// Declarations every generated C file starts with.
pub const C_PRELUDE: &str = r#"#include <stdint.h>
#include <stdio.h>
#include <string.h>
typedef int8_t gv_i8x16 __attribute__((vector_size(16)));
typedef int16_t gv_i16x8 __attribute__((vector_size(16)));
typedef int32_t gv_i32x4 __attribute__((vector_size(16)));
typedef int64_t gv_i64x2 __attribute__((vector_size(16)));
typedef float gv_f32x4 __attribute__((vector_size(16)));
typedef double gv_f64x2 __attribute__((vector_size(16)));
extern unsigned char gantry_vals[], gantry_got[];
void gantry_bad(int n, const char *what, int i, const void *got, const void *want, int size);
"#;

/// The C side of case `n`: the struct type of its results, the prototype of `g_n`, the
/// callee `c_n`, and `run_n`, which runs both directions.
pub fn c_case(n: usize, sig: &Sig, abi: &Abi) -> String {
    let mut s = String::new();
    let attr = abi.c_attr;
    // The result type on the side that sees extensions (`widened`).
    let ret_type = |widened: bool| match &sig.results {
        Results::Regs(r) if r.is_empty() => "void".to_string(),
        Results::Regs(r) if r.len() == 1 => c_decl(&r[0], widened),
        _ => format!("struct r_{n}"),
    };
    let fields: Vec<Type> = match &sig.results {
        Results::Regs(r) if r.len() == 2 => r.iter().map(|v| v.ty).collect(),
        Results::Struct(f) => f.clone(),
        _ => Vec::new(),
    };
    if !fields.is_empty() {
        let _ = write!(s, "struct r_{n} {{");
        for (j, ty) in fields.iter().enumerate() {
            let _ = write!(s, " {} f{j};", c_type(*ty));
        }
        let _ = writeln!(s, " }};");
    }
    let params = |widened: bool| -> String {
        if sig.params.is_empty() {
            return "void".into();
        }
        let p: Vec<String> = sig
            .params
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{} p{i}", c_decl(v, widened)))
            .collect();
        p.join(", ")
    };
    let base = slot(n, 0);
    let res = |j: usize| slot(n, RESULTS + j) - base;
    // Gantry's g_n: C passes narrow arguments as its compiler does, and expects an
    // extended result widened.
    let _ = writeln!(s, "{} {attr} g_{n}({});", ret_type(true), params(false));
    // c_n, called by Gantry: it must see extended arguments widened.
    let _ = writeln!(s, "{} {attr} c_{n}({}) {{", ret_type(true), params(true));
    let _ = writeln!(s, "  const unsigned char *a = gantry_vals + {base};");
    for (i, v) in sig.params.iter().enumerate() {
        let off = slot(n, i) - base;
        let got = format!("p{i}");
        let size = format!("sizeof p{i}");
        s.push_str(&c_check(
            n,
            "c arg",
            i,
            &got,
            c_value(v, off, true),
            off,
            &size,
        ));
    }
    match &sig.results {
        Results::Regs(r) if r.is_empty() => {}
        Results::Regs(r) if r.len() == 1 => match c_value(&r[0], res(0), true) {
            Some(v) => {
                let _ = writeln!(s, "  return {v};");
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {} r; memcpy(&r, a + {}, sizeof r); return r;",
                    c_type(r[0].ty),
                    res(0)
                );
            }
        },
        _ => {
            let _ = writeln!(s, "  struct r_{n} r;");
            for j in 0..fields.len() {
                let _ = writeln!(s, "  memcpy(&r.f{j}, a + {}, 8);", res(j));
            }
            let _ = writeln!(s, "  return r;");
        }
    }
    let _ = writeln!(s, "}}");
    // gcall_n, Gantry's caller of c_n.
    let ptr = format!("{} ({attr} *)({})", ret_type(true), params(true));
    if sig.indirect {
        let _ = writeln!(s, "void gcall_{n}({ptr});");
    } else {
        let _ = writeln!(s, "void gcall_{n}(void);");
    }
    // run_n: both directions.
    let _ = writeln!(s, "void run_{n}(void) {{");
    let _ = writeln!(s, "  const unsigned char *a = gantry_vals + {base};");
    let _ = writeln!(s, "  unsigned char *got = gantry_got + {base};");
    let mut args = Vec::new();
    for (i, v) in sig.params.iter().enumerate() {
        let off = slot(n, i) - base;
        let _ = writeln!(
            s,
            "  {} p{i}; memcpy(&p{i}, a + {off}, sizeof p{i});",
            c_decl(v, false)
        );
        args.push(format!("p{i}"));
    }
    let call = format!("g_{n}({})", args.join(", "));
    match &sig.results {
        Results::Regs(r) if r.is_empty() => {
            let _ = writeln!(s, "  {call};");
        }
        _ => {
            let _ = writeln!(s, "  {} r = {call};", ret_type(true));
        }
    }
    for (i, v) in sig.params.iter().enumerate() {
        let off = slot(n, i) - base;
        let (got, size) = (format!("got[{off}]"), v.ty.bytes().to_string());
        s.push_str(&c_check(n, "g arg", i, &got, None, off, &size));
    }
    match &sig.results {
        Results::Regs(r) if r.is_empty() => {}
        Results::Regs(r) if r.len() == 1 => {
            let (widened, size) = (c_value(&r[0], res(0), true), r[0].ty.bytes().to_string());
            s.push_str(&c_check(n, "g result", 0, "r", widened, res(0), &size));
        }
        _ => {
            for j in 0..fields.len() {
                let got = format!("r.f{j}");
                s.push_str(&c_check(n, "g result", j, &got, None, res(j), "8"));
            }
        }
    }
    // The other direction: Gantry calls C.
    let _ = writeln!(s, "  memset(got, 0, {});", SLOTS * 16);
    if sig.indirect {
        let _ = writeln!(s, "  gcall_{n}(c_{n});");
    } else {
        let _ = writeln!(s, "  gcall_{n}();");
    }
    let count = match &sig.results {
        Results::Regs(r) => r.len(),
        Results::Struct(f) => f.len(),
    };
    for j in 0..count {
        let size = match &sig.results {
            Results::Regs(r) => r[j].ty.bytes(),
            Results::Struct(_) => 8,
        };
        let got = format!("got[{}]", res(j));
        s.push_str(&c_check(
            n,
            "c result",
            j,
            &got,
            None,
            res(j),
            &size.to_string(),
        ));
    }
    let _ = writeln!(s, "}}");
    s
}

/// The C file's `main`: fills `gantry_vals`, runs every case, prints the tally, and
/// exits with 1 if any check failed.
pub fn c_main(cases: usize, seed: u64) -> String {
    let bytes = cases * SLOTS * 16;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "unsigned char gantry_vals[{bytes}] __attribute__((aligned(16)));\n\
         unsigned char gantry_got[{bytes}] __attribute__((aligned(16)));\n\
         static int failures;\n\
         void gantry_bad(int n, const char *what, int i, const void *got, const void *want, int size) {{\n\
         \x20 failures++;\n\
         \x20 if (failures > 20) return;\n\
         \x20 printf(\"case %d: %s %d: got\", n, what, i);\n\
         \x20 for (int k = size - 1; k >= 0; k--) printf(\"%02x\", ((const unsigned char *)got)[k]);\n\
         \x20 printf(\", want \");\n\
         \x20 for (int k = size - 1; k >= 0; k--) printf(\"%02x\", ((const unsigned char *)want)[k]);\n\
         \x20 printf(\"\\n\");\n\
         }}"
    );
    for n in 0..cases {
        let _ = writeln!(s, "void run_{n}(void);");
    }
    let _ = writeln!(s, "static void (*const runs[])(void) = {{");
    for n in 0..cases {
        let _ = writeln!(s, "  run_{n},");
    }
    let _ = writeln!(s, "}};");
    let _ = writeln!(
        s,
        "int main(void) {{\n\
         \x20 uint64_t x = {seed}ull * 0x9e3779b97f4a7c15ull | 1;\n\
         \x20 for (unsigned long i = 0; i < sizeof gantry_vals; i++) {{\n\
         \x20   x ^= x >> 12; x ^= x << 25; x ^= x >> 27;\n\
         \x20   gantry_vals[i] = (unsigned char)((x * 0x2545f4914f6cdd1dull) >> 56);\n\
         \x20 }}\n\
         \x20 for (int n = 0; n < {cases}; n++) runs[n]();\n\
         \x20 printf(\"c_abi: %d cases, %d failures\\n\", {cases}, failures);\n\
         \x20 return failures != 0;\n\
         }}"
    );
    s
}
