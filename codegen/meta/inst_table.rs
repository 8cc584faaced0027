//! Generates an ISA's machine-instruction code from its instruction table
//! (`src/isa/<isa>/inst/table.def`): each form is declared once there, and this writes
//! the Rust instruction enum, its register-operand collection, its emission (through the
//! encoding functions the table names), its printer, the operand enums, and the ISLE
//! declarations (`MInst` and one constructor per form) the lowering rules use.
//!
//! The table language, one record per form or enum (indented lines continue a record;
//! `#` starts a comment):
//!
//! ```text
//! enum AluOp "doc": add sub and orr
//! enum RreOp "doc": agr=b908 sgr=b909
//! form alu_rrr(op: AluOp, size: Size, rd: def gpr, rn: use gpr, rm: use gpr)
//!     doc "C6.2.4 ADD (shifted register) and the other three-register forms"
//!     emit word alu_rrr(op, size, rd, rn, rm)
//!     asm "{op} {rd}, {rn}, {rm}"
//! ```
//!
//! An enum whose variants are written `name=HEX` gets a `code()` method returning that
//! opcode (s390x's tables keep each instruction's opcode beside its mnemonic).
//!
//! Operands are `name: ROLE CLASS` for registers (roles `use`, `use(vN)` (fixed to a
//! register), `def`, `def(rN)` (fixed to a register), `edef` (an early def), `edef(rN)`, `reuse(INPUT)` (a def in INPUT's register);
//! classes `gpr`, `vr`, and `fpr` (a float register numbered below 16)), `name: mem T`
//! for an addressing mode holding registers (T implements `MemOperand`), `name: uses` /
//! `name: defs` for lists of registers fixed to physical ones, `name: clobbers` (a
//! `PRegSet`), `name: call` (a `Box<CallInfo>`: its fixed uses, defs and clobbers),
//! `name: fused` (a `Box<Inst>` emitted just before this one, as part of it, with its
//! operands: a flags producer fused with the branch that reads the flags, so that
//! regalloc2 places no move between them and sees their uses at the block's end), and
//! `name: T` / `name: &T` for any other field (`&`: not `Copy`).
//! `emit word EXPR` passes EXPR from `encode::*` to the ISA's `Emit::put_word` (a 32-bit
//! word on aarch64, a 2-, 4- or 6-byte instruction on s390x); `emit call F(ARGS)`
//! calls `emit::F(e, ARGS)`. Register operands are the allocated hardware numbers (u32)
//! there. `isle` is `auto` (the default: no defs returns `Unit`, else the first def's `Reg`, the
//! others being scratch registers),
//! `produces`, `consumes` or `chain` (both; the prelude's flags model), `reg(D)` (returns
//! def D), `pair(A, B)` (a `RegPair` of two defs), `unit` (defs are scratch, returns `Unit`)
//! or `none` (built from Rust only). `isle_types A B ...` lists operand types the ISA's own
//! ISLE files declare (with their variants), so the generated file leaves them out.
//! `kind` lists any of `ret`, `branch`, `jump(FIELD)` and `call(FIELD)` (a `CallInfo` field) for the
//! `MachInst` predicates.

use std::fmt::Write;

/// One operand of a form.
#[derive(Clone, Debug)]
struct Operand {
    name: String,
    role: Role,
}

#[derive(Clone, Debug, PartialEq)]
enum Role {
    Use(&'static str),
    Def(&'static str),
    EarlyDef(&'static str),
    Reuse(&'static str, String),
    FixedUse(&'static str, u8),
    FixedDef(&'static str, u8),
    FixedEarlyDef(&'static str, u8),
    Mem(String),
    FixedUses,
    FixedDefs,
    Clobbers,
    Call,
    Fused,
    Plain { ty: String, copy: bool },
}

impl Role {
    fn is_reg(&self) -> bool {
        matches!(
            self,
            Role::Use(_)
                | Role::Def(_)
                | Role::EarlyDef(_)
                | Role::Reuse(..)
                | Role::FixedUse(..)
                | Role::FixedDef(..)
                | Role::FixedEarlyDef(..)
        )
    }

    fn is_def(&self) -> bool {
        matches!(
            self,
            Role::Def(_)
                | Role::EarlyDef(_)
                | Role::Reuse(..)
                | Role::FixedDef(..)
                | Role::FixedEarlyDef(..)
        )
    }

    fn rust_type(&self) -> String {
        match self {
            Role::Use(_) | Role::FixedUse(..) => "Reg".into(),
            Role::Def(_)
            | Role::EarlyDef(_)
            | Role::Reuse(..)
            | Role::FixedDef(..)
            | Role::FixedEarlyDef(..) => "Writable<Reg>".into(),
            Role::Mem(t) => t.clone(),
            Role::FixedUses => "Vec<(Reg, PReg)>".into(),
            Role::FixedDefs => "Vec<(Writable<Reg>, PReg)>".into(),
            Role::Clobbers => "PRegSet".into(),
            Role::Call => "Box<CallInfo>".into(),
            Role::Fused => "Box<Inst>".into(),
            Role::Plain { ty, .. } => ty.clone(),
        }
    }

    fn isle_type(&self) -> String {
        match self {
            Role::Use(_) | Role::FixedUse(..) => "Reg".into(),
            Role::Def(_)
            | Role::EarlyDef(_)
            | Role::Reuse(..)
            | Role::FixedDef(..)
            | Role::FixedEarlyDef(..) => "WritableReg".into(),
            Role::Fused => "BoxedMInst".into(),
            other => other.rust_type(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Form {
    name: String,
    line: usize,
    operands: Vec<Operand>,
    doc: String,
    emit: String,
    asm: String,
    isle: String,
    kind: Vec<String>,
}

#[derive(Clone, Debug)]
struct EnumDef {
    name: String,
    doc: String,
    variants: Vec<String>,
    /// Each variant's opcode (`name=HEX` in the table), when the enum gives them.
    codes: Vec<Option<u64>>,
}

/// A parsed table.
pub struct Table {
    forms: Vec<Form>,
    enums: Vec<EnumDef>,
    /// Types the ISA's own ISLE files declare (`isle_types`), left undeclared here.
    isle_types: Vec<String>,
}

fn camel(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn class_of(s: &str, at: &str) -> &'static str {
    match s {
        "gpr" => "gpr",
        "vr" => "vr",
        "fpr" => "fpr",
        "any" => "any",
        _ => panic!("{at}: register class `{s}` is not gpr, vr, fpr or any"),
    }
}

fn unquote(s: &str, at: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{at}: expected a quoted string, found `{s}`"))
        .to_string()
}

fn parse_operand(text: &str, at: &str) -> Operand {
    let (name, spec) = text
        .split_once(':')
        .unwrap_or_else(|| panic!("{at}: operand `{text}` needs `name: kind`"));
    let words: Vec<&str> = spec.split_whitespace().collect();
    let role = match words.as_slice() {
        ["use", c] => Role::Use(class_of(c, at)),
        ["def", c] => Role::Def(class_of(c, at)),
        ["edef", c] => Role::EarlyDef(class_of(c, at)),
        [r, c] if r.starts_with("reuse(") && r.ends_with(')') => {
            Role::Reuse(class_of(c, at), r[6..r.len() - 1].to_string())
        }
        [r, c]
            if (r.starts_with("use(") || r.starts_with("def(") || r.starts_with("edef("))
                && r.ends_with(')') =>
        {
            let open = r.find('(').expect("checked");
            let n = r[open + 1..r.len() - 1].trim_start_matches(['x', 'v', 'r', 'f']);
            let n = n.parse().unwrap_or_else(|_| {
                panic!("{at}: `use(xN)`, `def(rN)`, `use(vN)` or `def(fN)`, found `{r}`")
            });
            if r.starts_with("use(") {
                Role::FixedUse(class_of(c, at), n)
            } else if r.starts_with("edef(") {
                Role::FixedEarlyDef(class_of(c, at), n)
            } else {
                Role::FixedDef(class_of(c, at), n)
            }
        }
        ["mem", t] => Role::Mem(t.to_string()),
        ["uses"] => Role::FixedUses,
        ["defs"] => Role::FixedDefs,
        ["clobbers"] => Role::Clobbers,
        ["call"] => Role::Call,
        ["fused"] => Role::Fused,
        [t] if t.starts_with('&') => Role::Plain {
            ty: t[1..].to_string(),
            copy: false,
        },
        [t] => Role::Plain {
            ty: t.to_string(),
            copy: true,
        },
        _ => panic!("{at}: cannot read operand `{text}`"),
    };
    Operand {
        name: name.trim().to_string(),
        role,
    }
}

/// Parses the table text of `file`, panicking (a build error) with file:line on bad
/// input.
pub fn parse(file: &str, text: &str) -> Table {
    let mut records: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = match raw.find('#') {
            Some(k) if !raw[..k].contains('"') || raw[..k].matches('"').count() % 2 == 0 => {
                &raw[..k]
            }
            _ => raw,
        };
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let last = records
                .last_mut()
                .unwrap_or_else(|| panic!("{file}:{}: a continuation line first", i + 1));
            last.1.push('\n');
            last.1.push_str(line.trim());
        } else {
            records.push((i + 1, line.trim().to_string()));
        }
    }
    let mut forms = Vec::new();
    let mut enums = Vec::new();
    let mut isle_types = Vec::new();
    for (line, rec) in records {
        let at = format!("{file}:{line}");
        if let Some(names) = rec.strip_prefix("isle_types ") {
            isle_types.extend(names.split_whitespace().map(str::to_string));
            continue;
        }
        let mut lines = rec.lines();
        let head = lines.next().unwrap_or_default();
        if let Some(rest) = head.strip_prefix("enum ") {
            let rest = rest.trim();
            let (name, after) = rest.split_once(' ').unwrap_or((rest, ""));
            let after = after.trim();
            let (doc, variants) = match after.strip_prefix('"') {
                Some(quoted) => {
                    let end = quoted
                        .find('"')
                        .unwrap_or_else(|| panic!("{at}: unclosed doc string"));
                    (format!("\"{}\"", &quoted[..end]), &quoted[end + 1..])
                }
                None => ("\"\"".to_string(), after),
            };
            let variants = variants
                .trim()
                .strip_prefix(':')
                .unwrap_or_else(|| panic!("{at}: `enum Name \"doc\": variants`"));
            let mut variants: Vec<String> =
                variants.split_whitespace().map(str::to_string).collect();
            variants.extend(lines.flat_map(|l| l.split_whitespace().map(str::to_string)));
            let mut codes = Vec::new();
            for v in &mut variants {
                let code = v.split_once('=').map(|(n, c)| {
                    let code = u64::from_str_radix(c, 16)
                        .unwrap_or_else(|_| panic!("{at}: `{v}`: the opcode is not hex"));
                    (n.to_string(), code)
                });
                codes.push(code.as_ref().map(|(_, c)| *c));
                if let Some((n, _)) = code {
                    *v = n;
                }
            }
            if codes.iter().any(Option::is_some) && codes.iter().any(Option::is_none) {
                panic!("{at}: every variant of `{name}` gives an opcode, or none does");
            }
            enums.push(EnumDef {
                name: name.to_string(),
                doc: unquote(&doc, &at),
                variants,
                codes,
            });
            continue;
        }
        let rest = head
            .strip_prefix("form ")
            .unwrap_or_else(|| panic!("{at}: a record starts with `form` or `enum`"));
        let (name, ops) = rest
            .split_once('(')
            .unwrap_or_else(|| panic!("{at}: `form name(operands)`"));
        let ops = ops
            .trim_end()
            .strip_suffix(')')
            .unwrap_or_else(|| panic!("{at}: the operand list ends with `)`"));
        let operands = ops
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_operand(s, &at))
            .collect();
        let mut form = Form {
            name: name.trim().to_string(),
            line,
            operands,
            isle: "auto".into(),
            ..Form::default()
        };
        for l in lines {
            let (key, value) = l.split_once(' ').unwrap_or((l, ""));
            match key {
                "doc" => form.doc = unquote(value, &at),
                "emit" => form.emit = value.trim().to_string(),
                "asm" => form.asm = unquote(value, &at),
                "isle" => form.isle = value.trim().to_string(),
                "kind" => form.kind = value.split_whitespace().map(str::to_string).collect(),
                _ => panic!("{at}: unknown key `{key}`"),
            }
        }
        if form.emit.is_empty() || form.asm.is_empty() || form.doc.is_empty() {
            panic!("{at}: form `{}` needs doc, emit and asm", form.name);
        }
        forms.push(form);
    }
    Table {
        forms,
        enums,
        isle_types,
    }
}

impl Table {
    /// The Rust source: the operand enums, `Inst`, and its generated methods.
    pub fn rust(&self, file: &str) -> String {
        let mut o = String::new();
        writeln!(
            o,
            "// Generated from {file} by codegen/meta/inst_table.rs; do not edit.\n"
        )
        .unwrap();
        for e in &self.enums {
            writeln!(o, "/// {}", doc_text(&e.doc)).unwrap();
            writeln!(
                o,
                "#[derive(Clone, Copy, PartialEq, Eq, Hash)]\npub enum {} {{",
                e.name
            )
            .unwrap();
            for v in &e.variants {
                writeln!(o, "    /// `{v}`\n    {},", camel(v)).unwrap();
            }
            writeln!(o, "}}\n").unwrap();
            let all: Vec<String> = e
                .variants
                .iter()
                .map(|v| format!("{}::{}", e.name, camel(v)))
                .collect();
            writeln!(
                o,
                "impl {} {{\n    /// Every variant, in table order.\n    pub const ALL: [{}; {}] = [{}];\n",
                e.name,
                e.name,
                all.len(),
                all.join(", ")
            )
            .unwrap();
            writeln!(o, "    /// The assembler name.\n    pub fn name(self) -> &'static str {{\n        match self {{").unwrap();
            for v in &e.variants {
                writeln!(o, "            {}::{} => \"{v}\",", e.name, camel(v)).unwrap();
            }
            writeln!(o, "        }}\n    }}").unwrap();
            if e.codes.iter().all(Option::is_some) && !e.codes.is_empty() {
                writeln!(o, "\n    /// The opcode the table gives.\n    pub fn code(self) -> u32 {{\n        match self {{").unwrap();
                for (v, c) in e.variants.iter().zip(&e.codes) {
                    writeln!(
                        o,
                        "            {}::{} => {:#x},",
                        e.name,
                        camel(v),
                        c.expect("a code")
                    )
                    .unwrap();
                }
                writeln!(o, "        }}\n    }}").unwrap();
            }
            writeln!(o, "}}\n").unwrap();
            writeln!(o, "impl core::fmt::Debug for {} {{\n    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{\n        f.write_str(self.name())\n    }}\n}}\n", e.name).unwrap();
        }
        // The instruction enum.
        writeln!(o, "/// A machine instruction, one variant per form of the table.\n#[derive(Clone, PartialEq)]\npub enum Inst {{").unwrap();
        for f in &self.forms {
            writeln!(o, "    /// {} (table line {})", doc_text(&f.doc), f.line).unwrap();
            if f.operands.is_empty() {
                // A unit variant: ISLE builds it without braces.
                writeln!(o, "    {},", camel(&f.name)).unwrap();
                continue;
            }
            writeln!(o, "    {} {{", camel(&f.name)).unwrap();
            for op in &f.operands {
                writeln!(
                    o,
                    "        /// Operand `{}`.\n        {}: {},",
                    op.name,
                    op.name,
                    op.role.rust_type()
                )
                .unwrap();
            }
            writeln!(o, "    }},").unwrap();
        }
        writeln!(o, "}}\n").unwrap();
        let fields = |f: &Form| {
            f.operands
                .iter()
                .map(|op| op.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Operand collection.
        writeln!(o, "impl Inst {{\n    /// Reports the register operands in table order.\n    pub fn collect_operands(&self, c: &mut OperandCollector) {{\n        match self {{").unwrap();
        for f in &self.forms {
            writeln!(
                o,
                "            #[allow(unused_variables)]\n            Inst::{} {{ {} }} => {{",
                camel(&f.name),
                fields(f)
            )
            .unwrap();
            let reg_index = |name: &str| {
                let mut k = 0;
                for op in &f.operands {
                    if op.name == name {
                        return k;
                    }
                    if op.role.is_reg() {
                        k += 1;
                    }
                }
                panic!("table line {}: reuse of unknown operand `{name}`", f.line)
            };
            for op in &f.operands {
                let n = &op.name;
                match &op.role {
                    Role::Use("fpr") => writeln!(o, "                c.reg_use_limit(*{n}, 16);"),
                    Role::Use(_) => writeln!(o, "                c.reg_use(*{n});"),
                    Role::FixedUse(class, num) => {
                        let class = if *class == "gpr" { "Int" } else { "Float" };
                        writeln!(
                            o,
                            "                c.reg_fixed_use(*{n}, PReg::new({num}, regalloc2::RegClass::{class}));"
                        )
                    }
                    Role::FixedDef(class, num) => {
                        let class = if *class == "gpr" { "Int" } else { "Float" };
                        writeln!(
                            o,
                            "                c.reg_fixed_def(*{n}, PReg::new({num}, regalloc2::RegClass::{class}));"
                        )
                    }
                    Role::FixedEarlyDef(class, num) => {
                        let class = if *class == "gpr" { "Int" } else { "Float" };
                        writeln!(
                            o,
                            "                c.reg_fixed_early_def(*{n}, PReg::new({num}, regalloc2::RegClass::{class}));"
                        )
                    }
                    Role::Def("fpr") => writeln!(o, "                c.reg_def_limit(*{n}, 16);"),
                    Role::Def(_) => writeln!(o, "                c.reg_def(*{n});"),
                    Role::EarlyDef("fpr") => {
                        writeln!(o, "                c.reg_early_def_limit(*{n}, 16);")
                    }
                    Role::EarlyDef(_) => writeln!(o, "                c.reg_early_def(*{n});"),
                    Role::Reuse(_, input) => {
                        writeln!(o, "                c.reg_reuse_def(*{n}, {});", reg_index(input))
                    }
                    Role::Mem(_) => writeln!(o, "                {n}.collect(c);"),
                    Role::FixedUses => writeln!(o, "                for &(r, p) in {n} {{ c.reg_fixed_use(r, p); }}"),
                    Role::FixedDefs => writeln!(o, "                for &(r, p) in {n} {{ c.reg_fixed_def(r, p); }}"),
                    Role::Clobbers => writeln!(o, "                for p in {n} {{ c.reg_clobber(p); }}"),
                    Role::Call => writeln!(
                        o,
                        "                for &(r, p) in &{n}.uses {{ c.reg_fixed_use(r, p); }}\n                for &(r, p) in &{n}.defs {{ c.reg_fixed_def(r, p); }}\n                for p in {n}.clobbers {{ c.reg_clobber(p); }}"
                    ),
                    Role::Fused => writeln!(o, "                {n}.collect_operands(c);"),
                    Role::Plain { .. } => Ok(()),
                }
                .unwrap();
            }
            writeln!(o, "            }}").unwrap();
        }
        writeln!(o, "        }}\n    }}\n").unwrap();
        // Emission.
        writeln!(o, "    /// Emits the form with its allocations (in `collect_operands` order); returns how\n    /// many allocations it read.\n    pub fn emit_form(&self, allocs: &[regalloc2::Allocation], e: &mut Emit<'_>) -> usize {{\n        let mut alloc_iter = allocs.iter();\n        match self {{").unwrap();
        for f in &self.forms {
            writeln!(
                o,
                "            #[allow(unused_variables)]\n            Inst::{} {{ {} }} => {{",
                camel(&f.name),
                fields(f)
            )
            .unwrap();
            for op in &f.operands {
                let n = &op.name;
                match &op.role {
                    r if r.is_reg() => writeln!(o, "                let {n} = e.reg(&mut alloc_iter);"),
                    Role::Mem(_) => writeln!(o, "                let {n} = {n}.allocated(&mut alloc_iter);"),
                    Role::FixedUses | Role::FixedDefs => {
                        writeln!(o, "                for _ in {n}.iter() {{ alloc_iter.next(); }}")
                    }
                    Role::Call => writeln!(
                        o,
                        "                for _ in 0..{n}.uses.len() + {n}.defs.len() {{ alloc_iter.next(); }}"
                    ),
                    Role::Plain { copy: true, .. } | Role::Clobbers => {
                        writeln!(o, "                let {n} = *{n};")
                    }
                    Role::Fused => writeln!(
                        o,
                        "                let used = {n}.emit_form(alloc_iter.as_slice(), e);\n                for _ in 0..used {{ alloc_iter.next(); }}"
                    ),
                    _ => Ok(()),
                }
                .unwrap();
            }
            if let Some(expr) = f.emit.strip_prefix("word ") {
                writeln!(o, "                e.put_word(encode::{expr});").unwrap();
            } else if let Some(call) = f.emit.strip_prefix("call ") {
                let (func, args) = call
                    .split_once('(')
                    .unwrap_or_else(|| panic!("table line {}: `emit call f(args)`", f.line));
                let args = args.trim_end().strip_suffix(')').unwrap_or(args).trim();
                let sep = if args.is_empty() { "" } else { ", " };
                writeln!(o, "                emit::{func}(e{sep}{args});").unwrap();
            } else {
                panic!("table line {}: `emit word ...` or `emit call ...`", f.line);
            }
            writeln!(o, "            }}").unwrap();
        }
        writeln!(
            o,
            "        }}\n        allocs.len() - alloc_iter.len()\n    }}\n"
        )
        .unwrap();
        // MachInst predicates.
        let kind_arms = |want: &str| {
            self.forms
                .iter()
                .filter(|f| {
                    f.kind
                        .iter()
                        .any(|k| k == want || k.starts_with(&format!("{want}(")))
                })
                .map(|f| format!("Inst::{} {{ .. }}", camel(&f.name)))
                .collect::<Vec<_>>()
        };
        let or_false = |arms: Vec<String>| {
            if arms.is_empty() {
                "false".to_string()
            } else {
                format!("matches!(self, {})", arms.join(" | "))
            }
        };
        writeln!(o, "    /// Whether it returns from the function.\n    pub fn form_is_ret(&self) -> bool {{ {} }}\n", or_false(kind_arms("ret"))).unwrap();
        let mut branch = kind_arms("branch");
        branch.extend(kind_arms("jump"));
        writeln!(o, "    /// Whether it ends its block by branching.\n    pub fn form_is_branch(&self) -> bool {{ {} }}\n", or_false(branch)).unwrap();
        writeln!(o, "    /// The target of an unconditional jump.\n    pub fn form_jump_target(&self) -> Option<usize> {{\n        match self {{").unwrap();
        for (f, k) in self
            .forms
            .iter()
            .flat_map(|f| f.kind.iter().map(move |k| (f, k)))
            .filter(|(_, k)| k.starts_with("jump("))
        {
            let field = &k[5..k.len() - 1];
            writeln!(
                o,
                "            Inst::{} {{ {field}, .. }} => Some(*{field}),",
                camel(&f.name)
            )
            .unwrap();
        }
        writeln!(o, "            _ => None,\n        }}\n    }}\n").unwrap();
        writeln!(o, "    /// The call information of a call.\n    pub fn form_call_info(&self) -> Option<&CallInfo> {{\n        match self {{").unwrap();
        for (f, k) in self
            .forms
            .iter()
            .flat_map(|f| f.kind.iter().map(move |k| (f, k)))
            .filter(|(_, k)| k.starts_with("call("))
        {
            let field = &k[5..k.len() - 1];
            writeln!(
                o,
                "            Inst::{} {{ {field}, .. }} => Some(&**{field}),",
                camel(&f.name)
            )
            .unwrap();
        }
        writeln!(o, "            _ => None,\n        }}\n    }}\n}}\n").unwrap();
        // The printer.
        writeln!(o, "impl core::fmt::Debug for Inst {{\n    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{\n        match self {{").unwrap();
        for form in &self.forms {
            let (text, args) = asm_format(form);
            writeln!(o, "            #[allow(unused_variables)]\n            Inst::{} {{ {} }} => write!(out, \"{text}\"{args}),", camel(&form.name), fields(form)).unwrap();
        }
        writeln!(o, "        }}\n    }}\n}}").unwrap();
        o
    }

    /// The ISLE source: the operand enums, `MInst` with the forms lowering builds, and
    /// one constructor per such form (`<prefix>_<form>`).
    pub fn isle(&self, file: &str, prefix: &str) -> String {
        let mut o = String::new();
        writeln!(
            o,
            ";; Generated from {file} by codegen/meta/inst_table.rs; do not edit.\n"
        )
        .unwrap();
        let builtin = [
            "u8",
            "u32",
            "u64",
            "i32",
            "i64",
            "bool",
            "Type",
            "Reg",
            "WritableReg",
            "TrapCode",
            "MemFlags",
            "ExternalName",
            "BlockTarget",
            "AtomicRmwOp",
            "u128",
            "BoxedMInst",
        ];
        let mut declared: Vec<String> = builtin.iter().map(|s| s.to_string()).collect();
        declared.extend(self.isle_types.iter().cloned());
        for e in &self.enums {
            let vs: Vec<String> = e
                .variants
                .iter()
                .map(|v| format!("({})", camel(v)))
                .collect();
            writeln!(
                o,
                ";; {}\n(type {} extern (enum {}))",
                e.doc,
                e.name,
                vs.join(" ")
            )
            .unwrap();
            declared.push(e.name.clone());
        }
        let visible: Vec<&Form> = self.forms.iter().filter(|f| f.isle != "none").collect();
        for f in &visible {
            for op in &f.operands {
                let t = op.role.isle_type();
                if !declared.contains(&t) {
                    writeln!(o, "(type {t} (primitive {t}))").unwrap();
                    declared.push(t);
                }
            }
        }
        writeln!(o, "\n(type MInst extern (enum").unwrap();
        for f in &visible {
            let fs: Vec<String> = f
                .operands
                .iter()
                .map(|op| format!("({} {})", op.name, op.role.isle_type()))
                .collect();
            writeln!(o, "    ({} {})", camel(&f.name), fs.join(" ")).unwrap();
        }
        writeln!(o, "))\n").unwrap();
        for f in &visible {
            let inputs: Vec<&Operand> = f.operands.iter().filter(|op| !op.role.is_def()).collect();
            let defs: Vec<&Operand> = f.operands.iter().filter(|op| op.role.is_def()).collect();
            // `reg(D)` and `pair(A, B)` name the results; `unit` discards them.
            let args = |key: &str| {
                f.isle
                    .strip_prefix(key)
                    .and_then(|r| r.strip_prefix('('))
                    .and_then(|r| r.strip_suffix(')'))
                    .map(|r| {
                        r.split(',')
                            .map(|n| n.trim().to_string())
                            .collect::<Vec<_>>()
                    })
            };
            let (ret, result) = match (f.isle.as_str(), defs.len()) {
                ("produces", 0) | ("produces", 1) => ("ProducesFlags", None),
                ("consumes", 1) => ("ConsumesFlags", None),
                ("chain", 1) => ("ConsumesProducesFlags", None),
                ("auto", 0) | ("unit", _) => ("Unit", None),
                ("auto", _) => ("Reg", Some(defs[0].name.clone())),
                (_, _) if args("reg").is_some_and(|a| a.len() == 1) => {
                    ("Reg", args("reg").map(|a| a[0].clone()))
                }
                (_, _) if args("pair").is_some_and(|a| a.len() == 2) => {
                    let a = args("pair").expect("checked");
                    ("RegPair", Some(format!("(reg_pair {} {})", a[0], a[1])))
                }
                (k, n) => panic!("table line {}: isle `{k}` with {n} defs", f.line),
            };
            let types: Vec<String> = inputs.iter().map(|op| op.role.isle_type()).collect();
            let params: Vec<&str> = inputs.iter().map(|op| op.name.as_str()).collect();
            let all: Vec<&str> = f.operands.iter().map(|op| op.name.as_str()).collect();
            let ctor = format!("{prefix}_{}", f.name);
            writeln!(o, ";; {}\n(decl {ctor} ({}) {ret})", f.doc, types.join(" ")).unwrap();
            let inst = format!("(MInst.{} {})", camel(&f.name), all.join(" "));
            let lets: Vec<String> = defs
                .iter()
                .map(|d| {
                    let class = match d.role {
                        Role::Def(c)
                        | Role::EarlyDef(c)
                        | Role::Reuse(c, _)
                        | Role::FixedDef(c, _)
                        | Role::FixedEarlyDef(c, _) => c,
                        _ => unreachable!(),
                    };
                    format!("({} WritableReg (temp_{class}))", d.name)
                })
                .collect();
            let body = match (ret, defs.first()) {
                ("ProducesFlags", None) => format!("(ProducesFlags.ProducesFlags {inst})"),
                ("ProducesFlags", Some(d)) => {
                    format!("(ProducesFlags.ProducesFlagsReturnsReg {inst} {})", d.name)
                }
                ("ConsumesFlags", Some(d)) => {
                    format!("(ConsumesFlags.ConsumesFlags {inst} {})", d.name)
                }
                ("ConsumesProducesFlags", Some(d)) => {
                    format!(
                        "(ConsumesProducesFlags.ConsumesProducesFlags {inst} {})",
                        d.name
                    )
                }
                ("Unit", _) => format!("(emit {inst})"),
                _ => format!(
                    "(let ((_ Unit (emit {inst}))) {})",
                    result.expect("a result")
                ),
            };
            let body = if lets.is_empty() {
                body
            } else {
                format!("(let ({}) {body})", lets.join(" "))
            };
            writeln!(o, "(rule ({ctor} {}) {body})", params.join(" ")).unwrap();
        }
        o
    }
}

/// `text` for a doc comment: brackets escaped (they are not links).
fn doc_text(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

/// The `write!` format string and arguments of a form's `asm` text: `{name}` prints the
/// operand with `Debug`.
fn asm_format(f: &Form) -> (String, String) {
    let mut text = String::new();
    let mut args = String::new();
    let mut rest = f.asm.as_str();
    while let Some(k) = rest.find('{') {
        text.push_str(&rest[..k].replace('"', "\\\""));
        let end = rest[k..]
            .find('}')
            .unwrap_or_else(|| panic!("table line {}: unclosed `{{` in asm", f.line));
        let name = &rest[k + 1..k + end];
        if !f.operands.iter().any(|op| op.name == name) {
            panic!("table line {}: asm names unknown operand `{name}`", f.line);
        }
        text.push_str("{:?}");
        write!(args, ", {name}").unwrap();
        rest = &rest[k + end + 1..];
    }
    text.push_str(&rest.replace('"', "\\\""));
    (text, args)
}
