//! The printer: a [`Function`] as canonical CLIF text.
//!
//! The output is stable (same function, same text) and is exactly what the reader in
//! `gantry-reader` parses back into an equal function.

use crate::ir::dfg::ValueData;
use crate::ir::entities::AnyEntity;
use crate::ir::globalvalue::DisplayGlobalValue;
use crate::ir::instructions::{BlockCall, ExceptionTableItem, InstructionData};
use crate::ir::opcodes::CtrlType;
use crate::ir::{Block, ExternalName, Function, Inst, Type, Value, ValueDef};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt::{self, Write};

/// Writes `func` as CLIF text.
///
/// # Errors
/// Only those of `w`.
pub fn write_function(w: &mut dyn Write, func: &Function) -> fmt::Result {
    write!(w, "function {}{} {{", func.name, func.signature)?;
    writeln!(w)?;
    let any_preamble = write_preamble(w, func)?;
    let aliases = alias_map(func);
    for (i, block) in func.layout.blocks().enumerate() {
        if i > 0 || any_preamble {
            writeln!(w)?;
        }
        write_block(w, func, block, &aliases)?;
    }
    writeln!(w, "}}")
}

/// Writes an external name as it appears in the text.
///
/// # Errors
/// Only those of `w`.
pub fn write_external_name(w: &mut dyn Write, func: &Function, name: &ExternalName) -> fmt::Result {
    match name {
        ExternalName::User(r) => match func.user_name(*r) {
            Some(n) => write!(w, "{n}"),
            None => write!(w, "{r}"),
        },
        ExternalName::TestCase(n) => write!(w, "{n}"),
        ExternalName::LibCall(lc) => write!(w, "{lc}"),
        ExternalName::KnownSymbol(ks) => write!(w, "{ks}"),
    }
}

/// A type as the text writes it: dynamic vector types by their declaration (`dt0`).
struct TypeName<'a>(&'a Function, Type);

impl fmt::Display for TypeName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1.is_dynamic_vector() {
            let declared = self
                .0
                .dfg
                .dynamic_types
                .iter()
                .find(|(_, d)| d.concrete() == Some(self.1));
            if let Some((dt, _)) = declared {
                return write!(f, "{dt}");
            }
        }
        write!(f, "{}", self.1)
    }
}

struct ExtName<'a>(&'a Function, &'a ExternalName);

impl fmt::Display for ExtName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_external_name(f, self.0, self.1)
    }
}

fn write_preamble(w: &mut dyn Write, func: &Function) -> Result<bool, fmt::Error> {
    let mut any = false;
    for (region, data) in func.memory_regions.iter() {
        any = true;
        writeln!(w, "    {region} = {data}")?;
    }
    for (gv, data) in func.global_values.iter() {
        any = true;
        let shown = DisplayGlobalValue {
            data,
            name: |n: &ExternalName, f: &mut fmt::Formatter<'_>| write_external_name(f, func, n),
        };
        writeln!(w, "    {gv} = {shown}")?;
    }
    for (dt, data) in func.dfg.dynamic_types.iter() {
        any = true;
        writeln!(w, "    {dt} = {data}")?;
    }
    for (ss, data) in func.sized_stack_slots.iter() {
        any = true;
        writeln!(w, "    {ss} = {data}")?;
    }
    for (dss, data) in func.dynamic_stack_slots.iter() {
        any = true;
        writeln!(w, "    {dss} = {data}")?;
    }
    for (sig, data) in func.dfg.signatures.iter() {
        any = true;
        writeln!(w, "    {sig} = {data}")?;
    }
    for (fnref, data) in func.dfg.ext_funcs.iter() {
        any = true;
        write!(w, "    {fnref} = ")?;
        if data.colocated {
            w.write_str("colocated ")?;
        }
        if data.patchable {
            w.write_str("patchable ")?;
        }
        writeln!(w, "{} {}", ExtName(func, &data.name), data.signature)?;
    }
    for (c, data) in func.dfg.constants.iter() {
        any = true;
        writeln!(w, "    {c} = {data}")?;
    }
    if let Some(limit) = func.stack_limit {
        any = true;
        writeln!(w, "    stack_limit = {limit}")?;
    }
    Ok(any)
}

/// For each value, the aliases that name it directly.
type AliasMap = BTreeMap<Value, Vec<Value>>;

fn alias_map(func: &Function) -> AliasMap {
    let mut map = AliasMap::new();
    for v in func.dfg.values() {
        if let ValueData::Alias { original, .. } = func.dfg.value_data(v) {
            map.entry(original).or_default().push(v);
        }
    }
    map
}

fn write_block(
    w: &mut dyn Write,
    func: &Function,
    block: Block,
    aliases: &AliasMap,
) -> fmt::Result {
    write!(w, "{block}")?;
    let params = func.dfg.block_params(block);
    if !params.is_empty() {
        w.write_str("(")?;
        for (i, &p) in params.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{p}: {}", TypeName(func, func.dfg.value_type(p)))?;
        }
        w.write_str(")")?;
    }
    if func.layout.is_cold(block) {
        w.write_str(" cold")?;
    }
    writeln!(w, ":")?;
    for &p in params {
        write_aliases_of(w, aliases, p)?;
    }
    for inst in func.layout.block_insts(block) {
        write_instruction(w, func, inst)?;
        for &r in func.dfg.inst_results(inst) {
            write_aliases_of(w, aliases, r)?;
        }
    }
    Ok(())
}

/// Writes the alias lines (`v7 -> v3`) of the aliases whose target is `v`, and theirs.
fn write_aliases_of(w: &mut dyn Write, aliases: &AliasMap, v: Value) -> fmt::Result {
    for &alias in aliases.get(&v).map_or(&[][..], |a| a.as_slice()) {
        writeln!(w, "    {alias} -> {v}")?;
        write_aliases_of(w, aliases, alias)?;
    }
    Ok(())
}

/// Writes one instruction line (with its indentation and newline).
///
/// # Errors
/// Only those of `w`.
pub fn write_instruction(w: &mut dyn Write, func: &Function, inst: Inst) -> fmt::Result {
    w.write_str("    ")?;
    let loc = func.srcloc(inst);
    if !loc.is_default() {
        write!(w, "{loc} ")?;
    }
    if let Some(tags) = func.debug_tags.get(&inst) {
        w.write_str("<")?;
        for (i, t) in tags.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{t}")?;
        }
        w.write_str("> ")?;
    }
    let results = func.dfg.inst_results(inst);
    if !results.is_empty() {
        for (i, r) in results.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{r}")?;
        }
        w.write_str(" = ")?;
    }
    let data = &func.dfg.insts[inst];
    let opcode = data.opcode();
    w.write_str(opcode.name())?;
    if let Some(ty) = type_suffix(func, inst) {
        write!(w, ".{}", TypeName(func, ty))?;
    }
    write_operands(w, func, inst)?;
    if let Some(entries) = func.user_stack_maps.get(&inst) {
        w.write_str(", stack_map=[")?;
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{e}")?;
        }
        w.write_str("]")?;
    }
    writeln!(w)
}

/// The type suffix the text of `inst` needs: always for opcodes whose controlling type
/// comes from the suffix; for those inferred from an operand, unless that operand is
/// defined earlier in the same block (so a one-pass reader knows its type).
fn type_suffix(func: &Function, inst: Inst) -> Option<Type> {
    let data = &func.dfg.insts[inst];
    match data.opcode().info().ctrl {
        CtrlType::None => None,
        // A singleton type set needs no suffix: the reader knows the type.
        CtrlType::Suffix(set) => match set.singleton() {
            Some(_) => None,
            None => Some(func.dfg.ctrl_typevar(inst)),
        },
        CtrlType::Operand(n, _) => {
            let v = *data.arguments(&func.dfg.value_lists).get(n as usize)?;
            let block = func.layout.inst_block(inst);
            let def_block = match func.dfg.value_def_checked(v)? {
                ValueDef::Result(def, _) => func.layout.inst_block(def),
                ValueDef::Param(b, _) => Some(b),
            };
            if block.is_some() && def_block == block {
                None
            } else {
                Some(func.dfg.value_type(v))
            }
        }
    }
}

fn write_block_call(w: &mut dyn Write, func: &Function, call: &BlockCall) -> fmt::Result {
    write!(w, "{}", call.block)?;
    if !call.is_empty() {
        w.write_str("(")?;
        for (i, arg) in call.args(&func.dfg.value_lists).enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            write!(w, "{arg}")?;
        }
        w.write_str(")")?;
    }
    Ok(())
}

fn write_list(w: &mut dyn Write, values: &[Value]) -> fmt::Result {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            w.write_str(", ")?;
        }
        write!(w, "{v}")?;
    }
    Ok(())
}

fn write_operands(w: &mut dyn Write, func: &Function, inst: Inst) -> fmt::Result {
    let dfg = &func.dfg;
    let pool = &dfg.value_lists;
    use InstructionData::*;
    match dfg.insts[inst] {
        Nullary { .. } => Ok(()),
        Unary { arg, .. } => write!(w, " {arg}"),
        UnaryImm { imm, .. } => {
            // Show the constant as the signed number of the result's width.
            let ty = dfg.ctrl_typevar(inst);
            let shown = if ty.is_int() {
                imm.sign_extend_from_width(ty.bits())
            } else {
                imm
            };
            write!(w, " {shown}")
        }
        UnaryIeee16 { imm, .. } => write!(w, " {imm}"),
        UnaryIeee32 { imm, .. } => write!(w, " {imm}"),
        UnaryIeee64 { imm, .. } => write!(w, " {imm}"),
        UnaryConst { constant, .. } => write!(w, " {constant}"),
        UnaryGlobalValue { global_value, .. } => write!(w, " {global_value}"),
        Binary { args, .. } => write!(w, " {}, {}", args[0], args[1]),
        BinaryImm8 { arg, imm, .. } => write!(w, " {arg}, {imm}"),
        Ternary { args, .. } => write!(w, " {}, {}, {}", args[0], args[1], args[2]),
        TernaryImm8 { args, imm, .. } => write!(w, " {}, {}, {imm}", args[0], args[1]),
        Shuffle { args, imm, .. } => {
            write!(w, " {}, {}, ", args[0], args[1])?;
            match dfg.immediates.get(imm) {
                Some(mask) => write!(w, "{mask}"),
                None => write!(w, "{imm}"),
            }
        }
        IntCompare { cond, args, .. } => write!(w, " {cond} {}, {}", args[0], args[1]),
        FloatCompare { cond, args, .. } => write!(w, " {cond} {}, {}", args[0], args[1]),
        Jump { destination, .. } => {
            w.write_str(" ")?;
            write_block_call(w, func, &destination)
        }
        Brif { arg, blocks, .. } => {
            write!(w, " {arg}, ")?;
            write_block_call(w, func, &blocks[0])?;
            w.write_str(", ")?;
            write_block_call(w, func, &blocks[1])
        }
        BranchTable { arg, table, .. } => {
            write!(w, " {arg}, ")?;
            match dfg.jump_tables.get(table) {
                Some(jt) => {
                    write_block_call(w, func, &jt.default)?;
                    w.write_str(", [")?;
                    for (i, call) in jt.table.iter().enumerate() {
                        if i > 0 {
                            w.write_str(", ")?;
                        }
                        write_block_call(w, func, call)?;
                    }
                    w.write_str("]")
                }
                None => write!(w, "{table}"),
            }
        }
        Trap { code, .. } => write!(w, " {code}"),
        CondTrap { arg, code, .. } => write!(w, " {arg}, {code}"),
        IntAddTrap { args, code, .. } => write!(w, " {}, {}, {code}", args[0], args[1]),
        MultiAry { args, .. } => {
            let args = args.as_slice(pool);
            if !args.is_empty() {
                w.write_str(" ")?;
                write_list(w, args)?;
            }
            Ok(())
        }
        Call { func_ref, args, .. } => {
            write!(w, " {func_ref}(")?;
            write_list(w, args.as_slice(pool))?;
            w.write_str(")")
        }
        CallIndirect { sig_ref, args, .. } => {
            let args = args.as_slice(pool);
            match args.split_first() {
                Some((callee, rest)) => {
                    write!(w, " {sig_ref}, {callee}(")?;
                    write_list(w, rest)?;
                    w.write_str(")")
                }
                None => write!(w, " {sig_ref}, ()"),
            }
        }
        TryCall {
            func_ref,
            args,
            exception,
            ..
        } => {
            write!(w, " {func_ref}(")?;
            write_list(w, args.as_slice(pool))?;
            w.write_str(")")?;
            write_exception_table(w, func, exception)
        }
        TryCallIndirect {
            args, exception, ..
        } => {
            let args = args.as_slice(pool);
            if let Some((callee, rest)) = args.split_first() {
                write!(w, " {callee}(")?;
                write_list(w, rest)?;
                w.write_str(")")?;
            }
            write_exception_table(w, func, exception)
        }
        FuncAddr { func_ref, .. } => write!(w, " {func_ref}"),
        Load {
            flags, arg, offset, ..
        } => write!(w, " {flags}{arg}{offset}"),
        Store {
            flags,
            args,
            offset,
            ..
        } => write!(w, " {flags}{}, {}{offset}", args[0], args[1]),
        LoadNoOffset { flags, arg, .. } => write!(w, " {flags}{arg}"),
        StoreNoOffset { flags, args, .. } => write!(w, " {flags}{}, {}", args[0], args[1]),
        StackLoad {
            stack_slot, offset, ..
        } => write!(w, " {stack_slot}{offset}"),
        DynamicStackLoad {
            dynamic_stack_slot, ..
        } => write!(w, " {dynamic_stack_slot}"),
        AtomicRmw {
            flags, op, args, ..
        } => write!(w, " {flags}{op} {}, {}", args[0], args[1]),
        AtomicCas { flags, args, .. } => {
            write!(w, " {flags}{}, {}, {}", args[0], args[1], args[2])
        }
        ExceptionHandlerAddress { block, imm, .. } => write!(w, " {block}, {imm}"),
    }
}

fn write_exception_table(
    w: &mut dyn Write,
    func: &Function,
    table: crate::ir::ExceptionTable,
) -> fmt::Result {
    let Some(et) = func.dfg.exception_tables.get(table) else {
        return write!(w, ", {table}");
    };
    write!(w, ", {}, ", et.sig)?;
    write_block_call(w, func, &et.normal_return)?;
    w.write_str(", [")?;
    for (i, item) in et.items.iter().enumerate() {
        w.write_str(if i > 0 { ", " } else { " " })?;
        match item {
            ExceptionTableItem::Tag(tag, call) => {
                write!(w, "{tag}: ")?;
                write_block_call(w, func, call)?;
            }
            ExceptionTableItem::Default(call) => {
                w.write_str("default: ")?;
                write_block_call(w, func, call)?;
            }
            ExceptionTableItem::Context(v) => write!(w, "context {v}")?,
        }
    }
    w.write_str(if et.items.is_empty() { "]" } else { " ]" })
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_function(f, self)
    }
}

/// An entity of `func` shown as the verifier and annotations show it: an instruction as
/// its text line, other entities by name.
pub struct DisplayEntity<'a> {
    /// The function.
    pub func: &'a Function,
    /// The entity.
    pub entity: AnyEntity,
}

impl fmt::Display for DisplayEntity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.entity {
            AnyEntity::Inst(inst) if self.func.dfg.inst_is_valid(inst) => {
                let mut line = alloc::string::String::new();
                write_instruction(&mut line, self.func, inst)?;
                write!(f, "{inst}: {}", line.trim())
            }
            other => write!(f, "{other}"),
        }
    }
}
