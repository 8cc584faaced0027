//! Generates the `InstBuilder` methods from the opcode table in `src/ir/opcodes.rs`: one
//! method per opcode, named after it, whose parameters follow the opcode's instruction
//! format (a leading `ty: Type` when the type comes from a suffix) and which return the
//! result (`Value`), the two results, or the instruction (`Inst`) when it has none or
//! takes them from a signature.

/// One row of the table.
pub struct Row {
    doc: Vec<String>,
    /// The `Opcode` variant.
    pub variant: String,
    /// The CLIF name.
    pub name: String,
    /// The instruction format.
    pub format: String,
    suffix_typed: bool,
    results: usize,
}

/// The rows of the `define_opcodes!` invocation in `source`.
pub fn rows(source: &str) -> Vec<Row> {
    let start = source
        .find("define_opcodes! {\n")
        .expect("the opcode table is in opcodes.rs");
    let mut rows = Vec::new();
    let mut doc = Vec::new();
    let mut text = String::new();
    for line in source[start..].lines().skip(1) {
        let t = line.trim();
        if t == "}" {
            break;
        }
        if let Some(d) = t.strip_prefix("///") {
            doc.push(d.trim().to_string());
            continue;
        }
        text.push(' ');
        text.push_str(t);
        if t.ends_with(';') {
            rows.push(parse_row(&text, std::mem::take(&mut doc)));
            text.clear();
        }
    }
    rows
}

fn parse_row(text: &str, doc: Vec<String>) -> Row {
    let text = text.trim();
    let (variant, rest) = text.split_once(' ').expect("a variant");
    let rest = rest.trim_start();
    let name_end = rest[1..].find('"').expect("a quoted name") + 1;
    let name = rest[1..name_end].to_string();
    let rest = rest[name_end + 1..].trim_start_matches(':').trim();
    let (format, rest) = rest.split_once(',').expect("a format");
    let rest = rest.trim();
    let results_text = rest.split("->").nth(1).expect("results");
    let open = results_text.find('[').expect("a result list");
    let close = results_text.find(']').expect("a result list");
    let inner = results_text[open + 1..close].trim();
    let results = if inner.is_empty() {
        0
    } else {
        // Top-level commas only (constraints like `Free(ts::IB)` have none inside).
        inner.split(',').count()
    };
    Row {
        doc,
        variant: variant.to_string(),
        name,
        format: format.trim().to_string(),
        suffix_typed: rest.starts_with("Suffix"),
        results,
    }
}

/// (parameters, statements before building, fields of the `InstructionData` variant)
fn shape(format: &str) -> (&'static str, &'static str, &'static str) {
    match format {
        "Nullary" => ("", "", ""),
        "Unary" => ("x: Value", "", "arg: x"),
        "UnaryImm" => ("imm: impl Into<Imm64>", "", "imm: imm.into()"),
        "UnaryIeee16" => ("imm: Ieee16", "", "imm"),
        "UnaryIeee32" => ("imm: impl Into<Ieee32>", "", "imm: imm.into()"),
        "UnaryIeee64" => ("imm: impl Into<Ieee64>", "", "imm: imm.into()"),
        "UnaryConst" => ("constant: Constant", "", "constant"),
        "UnaryGlobalValue" => ("global_value: GlobalValue", "", "global_value"),
        "Binary" => ("x: Value, y: Value", "", "args: [x, y]"),
        "BinaryImm8" => (
            "x: Value, imm: impl Into<Uimm8>",
            "",
            "arg: x, imm: imm.into()",
        ),
        "Ternary" => ("x: Value, y: Value, z: Value", "", "args: [x, y, z]"),
        "TernaryImm8" => (
            "x: Value, y: Value, imm: impl Into<Uimm8>",
            "",
            "args: [x, y], imm: imm.into()",
        ),
        "Shuffle" => (
            "a: Value, b: Value, mask: Immediate",
            "",
            "args: [a, b], imm: mask",
        ),
        "IntCompare" => ("cond: IntCC, x: Value, y: Value", "", "cond, args: [x, y]"),
        "FloatCompare" => (
            "cond: FloatCC, x: Value, y: Value",
            "",
            "cond, args: [x, y]",
        ),
        "Jump" => (
            "block: Block, args: &[BlockArg]",
            "let destination = this.data_flow_graph_mut().block_call(block, args);",
            "destination",
        ),
        "Brif" => (
            "c: Value, block_then: Block, args_then: &[BlockArg], block_else: Block, args_else: &[BlockArg]",
            "let then_call = this.data_flow_graph_mut().block_call(block_then, args_then);\n        let else_call = this.data_flow_graph_mut().block_call(block_else, args_else);",
            "arg: c, blocks: [then_call, else_call]",
        ),
        "BranchTable" => ("x: Value, table: JumpTable", "", "arg: x, table"),
        "Trap" => ("code: TrapCode", "", "code"),
        "CondTrap" => ("c: Value, code: TrapCode", "", "arg: c, code"),
        "IntAddTrap" => (
            "x: Value, y: Value, code: TrapCode",
            "",
            "args: [x, y], code",
        ),
        "MultiAry" => (
            "args: &[Value]",
            "let list = ValueList::from_slice(args, &mut this.data_flow_graph_mut().value_lists);",
            "args: list",
        ),
        "Call" => (
            "func_ref: FuncRef, args: &[Value]",
            "let list = ValueList::from_slice(args, &mut this.data_flow_graph_mut().value_lists);",
            "func_ref, args: list",
        ),
        "CallIndirect" => (
            "sig_ref: SigRef, callee: Value, args: &[Value]",
            "let list = callee_and_args(this.data_flow_graph_mut(), callee, args);",
            "sig_ref, args: list",
        ),
        "TryCall" => (
            "func_ref: FuncRef, args: &[Value], exception: ExceptionTable",
            "let list = ValueList::from_slice(args, &mut this.data_flow_graph_mut().value_lists);",
            "func_ref, args: list, exception",
        ),
        "TryCallIndirect" => (
            "callee: Value, args: &[Value], exception: ExceptionTable",
            "let list = callee_and_args(this.data_flow_graph_mut(), callee, args);",
            "args: list, exception",
        ),
        "FuncAddr" => ("func_ref: FuncRef", "", "func_ref"),
        "Load" => (
            "flags: MemFlags, p: Value, offset: impl Into<Offset32>",
            "",
            "flags, arg: p, offset: offset.into()",
        ),
        "Store" => (
            "flags: MemFlags, x: Value, p: Value, offset: impl Into<Offset32>",
            "",
            "flags, args: [x, p], offset: offset.into()",
        ),
        "LoadNoOffset" => ("flags: MemFlags, x: Value", "", "flags, arg: x"),
        "StoreNoOffset" => (
            "flags: MemFlags, x: Value, p: Value",
            "",
            "flags, args: [x, p]",
        ),
        "StackLoad" => (
            "stack_slot: StackSlot, offset: impl Into<Offset32>",
            "",
            "stack_slot, offset: offset.into()",
        ),
        "DynamicStackLoad" => (
            "dynamic_stack_slot: DynamicStackSlot",
            "",
            "dynamic_stack_slot",
        ),
        "AtomicRmw" => (
            "flags: MemFlags, op: AtomicRmwOp, p: Value, x: Value",
            "",
            "flags, op, args: [p, x]",
        ),
        "AtomicCas" => (
            "flags: MemFlags, p: Value, e: Value, x: Value",
            "",
            "flags, args: [p, e, x]",
        ),
        "ExceptionHandlerAddress" => ("block: Block, imm: u32", "", "block, imm"),
        other => panic!("the InstBuilder generator does not know the format {other}"),
    }
}

/// The `InstBuilder` trait with its methods, as Rust source.
pub fn generate(source: &str) -> String {
    let mut out = String::from(
        "// Generated by codegen/meta/inst_builder.rs from src/ir/opcodes.rs; do not edit.\n\n\
         /// Builds instructions by opcode: one method per opcode, and the convenience forms\n\
         /// of [`InstBuilderExt`]. Implemented for every [`InstBuilderBase`].\n\
         pub trait InstBuilder: InstBuilderBase {\n",
    );
    for row in rows(source) {
        let (params, prep, fields) = shape(&row.format);
        let method = if row.name == "return" {
            "return_".to_string()
        } else {
            row.name.clone()
        };
        let calls = matches!(
            row.format.as_str(),
            "Call" | "CallIndirect" | "TryCall" | "TryCallIndirect"
        );
        let (ret, finish) = match (calls, row.results) {
            (true, _) | (false, 0) => ("Inst", "inst"),
            (false, 1) => ("Value", "this.data_flow_graph().first_result(inst)"),
            (false, 2) => (
                "(Value, Value)",
                "{ let r = this.data_flow_graph().inst_results(inst); (r[0], r[1]) }",
            ),
            _ => panic!("{} has more results than the builder handles", row.name),
        };
        let mut all_params = Vec::new();
        if row.suffix_typed {
            all_params.push("ty: Type".to_string());
        }
        if !params.is_empty() {
            all_params.push(params.to_string());
        }
        let ctrl = if row.suffix_typed {
            "ty"
        } else {
            "Type::INVALID"
        };
        for d in &row.doc {
            out.push_str(&format!("    /// {d}\n"));
        }
        out.push_str(&format!(
            "    ///\n    /// `{}` (format `{}`).\n",
            row.name, row.format
        ));
        out.push_str(
            "    #[allow(clippy::too_many_arguments, clippy::let_and_return, unused_mut)]\n",
        );
        out.push_str(&format!(
            "    fn {method}(self, {}) -> {ret} {{\n        let mut this = self;\n        {prep}\n        let data = InstructionData::{} {{ opcode: Opcode::{}, {fields} }};\n        let inst = this.build(data, {ctrl});\n        {finish}\n    }}\n\n",
            all_params.join(", "),
            row.format,
            row.variant,
        ));
    }
    out.push_str("}\n");
    out
}
