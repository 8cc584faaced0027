//! The function parser: tokens into `Function`s.

use crate::error::{Location, ParseError, ParseResult, err};
use crate::lexer::{Comment, Token};
use gantry_codegen::entity::{EntityRef, PrimaryMap};
use gantry_codegen::ir::immediates::parse_i128_or_u128;
use gantry_codegen::ir::instructions::{
    BlockArg, BlockCall, ExceptionTableData, ExceptionTableItem, InstructionData, JumpTableData,
    ValueList,
};
use gantry_codegen::ir::opcodes::CtrlType;
use gantry_codegen::ir::stackslot::StackSlotKind;
use gantry_codegen::ir::*;
use std::collections::BTreeMap;

/// Options that change how text is read.
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions {
    /// The calling convention of signatures that name none.
    pub default_call_conv: CallConv,
    /// The pointer type used when expanding legacy sugar (`stack_load`, `global_value`).
    pub pointer_type: Type,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            default_call_conv: CallConv::Fast,
            pointer_type: Type::I64,
        }
    }
}

/// A function as parsed, with the comments inside it (for annotation-checking tests).
#[derive(Clone, Debug)]
pub struct ParsedFunction<'a> {
    /// The function.
    pub func: Function,
    /// The location of its `function` keyword.
    pub location: Location,
    /// Comments from the `function` line to its closing brace, and after it up to the
    /// next function (run lines follow the function they test).
    pub comments: Vec<Comment<'a>>,
    /// Where its instructions and blocks are in the text.
    pub source_map: SourceMap,
}

pub(crate) struct Parser<'t, 'a> {
    tokens: &'t [(Token<'a>, Location)],
    pos: usize,
    opts: ParseOptions,
    /// The location just past the last token, for end-of-input errors.
    end: Location,
    /// The dynamic types of the current function (`dtN` in type positions).
    dynamic_types: BTreeMap<u32, Type>,
    /// The largest entity number accepted: tables are allocated up to the numbers used,
    /// so a small text must not name `v2000000000`.
    max_entity: u32,
}

/// Parses the entity name `prefix` + decimal digits.
fn entity_number(word: &str, prefix: &str) -> Option<u32> {
    let digits = word.strip_prefix(prefix)?;
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok().filter(|&n: &u32| n < u32::MAX / 2)
}

/// The legacy instructions that expand into core opcodes.
#[derive(Clone, Copy)]
enum Sugar {
    /// `op_imm x, N` → `iconst` + `op x, c`; `reverse` swaps operands (`irsub_imm`).
    BinaryImm(Opcode, bool),
    /// `icmp_imm cond x, N`.
    IcmpImm,
    /// `band_not x, y` → `band x, bnot y`.
    Not(Opcode),
    StackLoad,
    StackStore,
    DynamicStackLoad,
    DynamicStackStore,
    GlobalValue,
}

fn sugar(name: &str) -> Option<Sugar> {
    use Opcode::*;
    Some(match name {
        "iadd_imm" => Sugar::BinaryImm(Iadd, false),
        "imul_imm" => Sugar::BinaryImm(Imul, false),
        "band_imm" => Sugar::BinaryImm(Band, false),
        "bor_imm" => Sugar::BinaryImm(Bor, false),
        "bxor_imm" => Sugar::BinaryImm(Bxor, false),
        "ishl_imm" => Sugar::BinaryImm(Ishl, false),
        "ushr_imm" => Sugar::BinaryImm(Ushr, false),
        "sshr_imm" => Sugar::BinaryImm(Sshr, false),
        "rotl_imm" => Sugar::BinaryImm(Rotl, false),
        "rotr_imm" => Sugar::BinaryImm(Rotr, false),
        "irsub_imm" => Sugar::BinaryImm(Isub, true),
        "udiv_imm" => Sugar::BinaryImm(Udiv, false),
        "sdiv_imm" => Sugar::BinaryImm(Sdiv, false),
        "urem_imm" => Sugar::BinaryImm(Urem, false),
        "srem_imm" => Sugar::BinaryImm(Srem, false),
        "icmp_imm" => Sugar::IcmpImm,
        "band_not" => Sugar::Not(Band),
        "bor_not" => Sugar::Not(Bor),
        "bxor_not" => Sugar::Not(Bxor),
        "stack_load" => Sugar::StackLoad,
        "stack_store" => Sugar::StackStore,
        "dynamic_stack_load" => Sugar::DynamicStackLoad,
        "dynamic_stack_store" => Sugar::DynamicStackStore,
        "global_value" => Sugar::GlobalValue,
        _ => return None,
    })
}

/// Where the parts of a function were written, for tests that annotate lines.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// The location of each instruction's opcode.
    pub insts: BTreeMap<Inst, Location>,
    /// The location of each block header.
    pub blocks: BTreeMap<Block, Location>,
}

/// What is being built while one function is parsed.
struct FuncCtx {
    func: Function,
    /// Where each value number was first referenced, to report undefined values.
    value_refs: BTreeMap<Value, Location>,
    /// Declarations seen in the preamble, by number, to allow any order and gaps.
    sigs: BTreeMap<u32, (Signature, Location)>,
    funcs: BTreeMap<u32, (ExtFuncData, Location)>,
    ss: BTreeMap<u32, StackSlotData>,
    dss: BTreeMap<u32, DynamicStackSlotData>,
    gvs: BTreeMap<u32, GlobalValueData>,
    dts: BTreeMap<u32, DynamicTypeData>,
    consts: BTreeMap<u32, ConstantData>,
    regions: BTreeMap<u32, MemoryRegionData>,
    jts: BTreeMap<u32, (Vec<(Block, Location)>, Location)>,
    /// Where each instruction and block was written.
    source_map: SourceMap,
    /// `br_table`s written with a legacy jump-table reference: (inst, default, table).
    legacy_br_tables: Vec<(Inst, BlockCall, u32, Location)>,
}

impl<'t, 'a> Parser<'t, 'a> {
    pub(crate) fn new(
        tokens: &'t [(Token<'a>, Location)],
        opts: ParseOptions,
        end: Location,
    ) -> Self {
        Parser {
            tokens,
            pos: 0,
            opts,
            end,
            dynamic_types: BTreeMap::new(),
            max_entity: (tokens.len().saturating_mul(16).saturating_add(65_536))
                .min(u32::MAX as usize / 2) as u32,
        }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.pos).map(|t| t.0)
    }

    fn peek_at(&self, n: usize) -> Option<Token<'a>> {
        self.tokens.get(self.pos + n).map(|t| t.0)
    }

    pub(crate) fn loc(&self) -> Location {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn describe(t: Option<Token<'_>>) -> String {
        match t {
            None => "end of input".into(),
            Some(Token::Ident(w)) => format!("`{w}`"),
            Some(Token::Number(n)) => format!("`{n}`"),
            Some(Token::Name(n)) => format!("`%{n}`"),
            Some(Token::SrcLoc(s)) => format!("`@{s}`"),
            Some(Token::Str(s)) => format!("\"{s}\""),
            Some(t) => format!("`{}`", punct(t)),
        }
    }

    fn expected<T>(&self, what: &str) -> ParseResult<T> {
        err!(
            self.loc(),
            "expected {what}, found {}",
            Self::describe(self.peek())
        )
    }

    fn expect(&mut self, t: Token<'_>) -> ParseResult<()> {
        if self.peek() == Some(t) {
            self.pos += 1;
            Ok(())
        } else {
            self.expected(&format!("`{}`", punct(t)))
        }
    }

    fn eat(&mut self, t: Token<'_>) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek() == Some(Token::Ident(w)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str) -> ParseResult<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            self.expected(&format!("`{w}`"))
        }
    }

    fn ident(&mut self, what: &str) -> ParseResult<&'a str> {
        match self.peek() {
            Some(Token::Ident(w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => self.expected(what),
        }
    }

    fn entity(&mut self, prefix: &str, what: &str) -> ParseResult<u32> {
        if let Some(Token::Ident(w)) = self.peek() {
            if let Some(n) = entity_number(w, prefix) {
                self.check_entity_number(n, w)?;
                self.pos += 1;
                return Ok(n);
            }
        }
        self.expected(what)
    }

    fn check_entity_number(&self, n: u32, word: &str) -> ParseResult<()> {
        if n > self.max_entity {
            return err!(
                self.loc(),
                "`{word}`: entity numbers in this text must not exceed {}",
                self.max_entity
            );
        }
        Ok(())
    }

    fn ty(&mut self) -> ParseResult<Type> {
        if let Some(Token::Ident(w)) = self.peek() {
            let t = Type::parse(w).or_else(|| {
                entity_number(w, "dt").and_then(|n| self.dynamic_types.get(&n).copied())
            });
            if let Some(t) = t {
                self.pos += 1;
                return Ok(t);
            }
        }
        self.expected("a type")
    }

    fn number(&mut self, what: &str) -> ParseResult<&'a str> {
        match self.peek() {
            Some(Token::Number(n)) => {
                self.pos += 1;
                Ok(n)
            }
            _ => self.expected(what),
        }
    }

    fn imm64(&mut self) -> ParseResult<Imm64> {
        let loc = self.loc();
        let n = self.number("an integer")?;
        match Imm64::parse(n) {
            Some(x) => Ok(x),
            None => err!(loc, "invalid 64-bit integer `{n}`"),
        }
    }

    fn uint<T: TryFrom<i128>>(&mut self, what: &str) -> ParseResult<T> {
        let loc = self.loc();
        let n = self.number(what)?;
        // Through 128 bits, so that unsigned 64-bit values above i64::MAX fit (a stack
        // slot key `0xfedc_ba98_7654_3210`).
        match parse_i128_or_u128(n)
            .filter(|_| !n.starts_with('-'))
            .and_then(|x| T::try_from(x).ok())
        {
            Some(x) => Ok(x),
            None => err!(loc, "expected {what}, found `{n}`"),
        }
    }

    // ---- whole functions ----

    /// Parses `function NAME SIG { ... }`.
    pub(crate) fn function(&mut self) -> ParseResult<(Function, Location, SourceMap)> {
        let start = self.loc();
        self.expect_word("function")?;
        let name = self.func_name()?;
        let sig = self.signature()?;
        let mut ctx = FuncCtx {
            func: Function::with_name_signature(name, sig),
            value_refs: BTreeMap::new(),
            sigs: BTreeMap::new(),
            funcs: BTreeMap::new(),
            ss: BTreeMap::new(),
            dss: BTreeMap::new(),
            gvs: BTreeMap::new(),
            dts: BTreeMap::new(),
            consts: BTreeMap::new(),
            regions: BTreeMap::new(),
            jts: BTreeMap::new(),
            legacy_br_tables: Vec::new(),
            source_map: SourceMap::default(),
        };
        self.expect(Token::LBrace)?;
        self.prepare_values(&mut ctx)?;
        self.preamble(&mut ctx)?;
        self.install_preamble(&mut ctx)?;
        while !self.eat(Token::RBrace) {
            if self.at_end() {
                return self.expected("`}` closing the function");
            }
            self.block(&mut ctx)?;
        }
        self.finish(&mut ctx)?;
        Ok((ctx.func, start, ctx.source_map))
    }

    /// Allocates every value number the function's text mentions, so numbering survives.
    fn prepare_values(&mut self, ctx: &mut FuncCtx) -> ParseResult<()> {
        let mut depth = 1usize;
        let mut max: Option<u32> = None;
        for (t, loc) in &self.tokens[self.pos..] {
            match t {
                Token::LBrace => depth += 1,
                Token::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Token::Ident(w) => {
                    if let Some(n) = entity_number(w, "v") {
                        if n > self.max_entity {
                            return err!(
                                *loc,
                                "`{w}`: entity numbers in this text must not exceed {}",
                                self.max_entity
                            );
                        }
                        max = Some(max.map_or(n, |m: u32| m.max(n)));
                    }
                }
                _ => {}
            }
        }
        if let Some(max) = max {
            for _ in 0..=max {
                ctx.func.dfg.make_unused_value();
            }
        }
        Ok(())
    }

    fn func_name(&mut self) -> ParseResult<UserFuncName> {
        match self.peek() {
            Some(Token::Name(n)) => {
                self.pos += 1;
                Ok(UserFuncName::testcase(n))
            }
            Some(Token::Ident(_)) => {
                let u = self.user_name()?;
                Ok(UserFuncName::User(u))
            }
            _ => self.expected("a function name (`%name` or `u0:1`)"),
        }
    }

    fn user_name(&mut self) -> ParseResult<UserExternalName> {
        let ns = match self.peek() {
            Some(Token::Ident(w)) => w
                .strip_prefix('u')
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<u32>().ok()),
            _ => None,
        };
        let Some(ns) = ns else {
            return self.expected("a user name like `u0:1`");
        };
        self.pos += 1;
        self.expect(Token::Colon)?;
        let index: u32 = self.uint("a user name index")?;
        Ok(UserExternalName::new(ns, index))
    }

    pub(crate) fn signature(&mut self) -> ParseResult<Signature> {
        let mut sig = Signature::new(self.opts.default_call_conv);
        self.expect(Token::LParen)?;
        if !self.eat(Token::RParen) {
            loop {
                sig.params.push(self.abi_param()?);
                if self.eat(Token::RParen) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        if self.eat(Token::Arrow) {
            let paren = self.eat(Token::LParen);
            loop {
                sig.returns.push(self.abi_param()?);
                if !self.eat(Token::Comma) {
                    break;
                }
            }
            if paren {
                self.expect(Token::RParen)?;
            }
        }
        if let Some(Token::Ident(w)) = self.peek() {
            if let Some(cc) = CallConv::parse(w) {
                self.pos += 1;
                sig.call_conv = cc;
            }
        }
        Ok(sig)
    }

    fn abi_param(&mut self) -> ParseResult<AbiParam> {
        let mut p = AbiParam::new(self.ty()?);
        loop {
            match self.peek() {
                Some(Token::Ident("uext")) => p.extension = ArgumentExtension::Uext,
                Some(Token::Ident("sext")) => p.extension = ArgumentExtension::Sext,
                Some(Token::Ident("sret")) => p.purpose = ArgumentPurpose::StructReturn,
                Some(Token::Ident("vmctx")) => p.purpose = ArgumentPurpose::VMContext,
                Some(Token::Ident("sarg")) => {
                    self.pos += 1;
                    self.expect(Token::LParen)?;
                    let n: u32 = self.uint("a struct size in bytes")?;
                    self.expect(Token::RParen)?;
                    p.purpose = ArgumentPurpose::StructArgument(n);
                    continue;
                }
                _ => return Ok(p),
            }
            self.pos += 1;
        }
    }

    // ---- preamble ----

    fn preamble(&mut self, ctx: &mut FuncCtx) -> ParseResult<()> {
        loop {
            let loc = self.loc();
            let Some(Token::Ident(w)) = self.peek() else {
                return Ok(());
            };
            if w == "stack_limit" {
                self.pos += 1;
                self.expect(Token::Equal)?;
                let gv = self.entity("gv", "a global value")?;
                ctx.func.stencil.stack_limit = Some(GlobalValue::from_u32(gv));
                continue;
            }
            if self.peek_at(1) != Some(Token::Equal) {
                return Ok(());
            }
            let decl = [
                ("ss", 0),
                ("dss", 1),
                ("gv", 2),
                ("sig", 3),
                ("fn", 4),
                ("jt", 5),
                ("const", 6),
                ("dt", 7),
                ("region", 8),
            ]
            .into_iter()
            .find_map(|(p, k)| entity_number(w, p).map(|n| (k, n)));
            let Some((kind, n)) = decl else { return Ok(()) };
            self.check_entity_number(n, w)?;
            self.pos += 2;
            match kind {
                0 => {
                    let data = self.stack_slot_decl()?;
                    ctx.ss.insert(n, data);
                }
                1 => {
                    self.expect_word("explicit_dynamic_slot")?;
                    let dt = self.entity("dt", "a dynamic type")?;
                    ctx.dss.insert(
                        n,
                        DynamicStackSlotData {
                            kind: StackSlotKind::ExplicitSlot,
                            dyn_ty: DynamicType::from_u32(dt),
                        },
                    );
                }
                2 => {
                    let data = self.global_value_decl(ctx)?;
                    ctx.gvs.insert(n, data);
                }
                3 => {
                    let sig = self.signature()?;
                    ctx.sigs.insert(n, (sig, loc));
                }
                4 => {
                    let data = self.func_decl(ctx)?;
                    ctx.funcs.insert(n, (data, loc));
                }
                5 => {
                    self.expect_word("jump_table")?;
                    self.expect(Token::LBracket)?;
                    let mut blocks = Vec::new();
                    if !self.eat(Token::RBracket) {
                        loop {
                            let bloc = self.loc();
                            let b = self.entity("block", "a block")?;
                            blocks.push((Block::from_u32(b), bloc));
                            if self.eat(Token::RBracket) {
                                break;
                            }
                            self.expect(Token::Comma)?;
                        }
                    }
                    ctx.jts.insert(n, (blocks, loc));
                }
                6 => {
                    let data = self.constant_bytes(None)?;
                    ctx.consts.insert(n, data);
                }
                7 => {
                    let base = self.ty()?;
                    self.expect(Token::Star)?;
                    let gv = self.entity("gv", "a global value")?;
                    ctx.dts.insert(
                        n,
                        DynamicTypeData {
                            base_vector_ty: base,
                            dynamic_scale: GlobalValue::from_u32(gv),
                        },
                    );
                }
                _ => {
                    let id: u64 = self.uint("a region id")?;
                    let description = match self.next() {
                        Some(Token::Str(s)) => unescape(s),
                        _ => return err!(self.loc(), "expected a quoted region description"),
                    };
                    ctx.regions.insert(n, MemoryRegionData { id, description });
                }
            }
        }
    }

    fn stack_slot_decl(&mut self) -> ParseResult<StackSlotData> {
        let loc = self.loc();
        let kind = self.ident("a stack slot kind")?;
        if kind != "explicit_slot" && kind != "spill_slot" {
            return err!(
                loc,
                "unsupported stack slot kind `{kind}` (expected `explicit_slot`)"
            );
        }
        let size: u32 = self.uint("a slot size in bytes")?;
        let mut data = StackSlotData::new(StackSlotKind::ExplicitSlot, size, 0);
        while self.eat(Token::Comma) {
            let key_loc = self.loc();
            let key = self.ident("`align` or `key`")?;
            if key == "offset" {
                // Legacy `offset N` (a placement hint of older CLIF): accepted, ignored.
                self.imm64()?;
                continue;
            }
            self.expect(Token::Equal)?;
            let value_loc = self.loc();
            match key {
                "align" => {
                    let a: u64 = self.uint("an alignment")?;
                    if !a.is_power_of_two() {
                        return err!(value_loc, "alignment {a} is not a power of two");
                    }
                    data.align_shift = a.trailing_zeros() as u8;
                }
                "key" => data.key = Some(self.uint("a slot key")?),
                _ => return err!(key_loc, "expected `align` or `key`, found `{key}`"),
            }
        }
        Ok(data)
    }

    fn external_name(&mut self, ctx: &mut FuncCtx) -> ParseResult<ExternalName> {
        match self.peek() {
            Some(Token::Name(n)) => {
                self.pos += 1;
                Ok(ExternalName::from_percent_name(n))
            }
            Some(Token::Ident(w)) if w.starts_with("userextname") => {
                let n = self.entity("userextname", "a user name reference")?;
                Ok(ExternalName::User(UserExternalNameRef::from_u32(n)))
            }
            Some(Token::Ident(_)) => {
                let u = self.user_name()?;
                Ok(ExternalName::User(
                    ctx.func.declare_imported_user_function(u),
                ))
            }
            _ => self.expected("an external name"),
        }
    }

    fn global_value_decl(&mut self, ctx: &mut FuncCtx) -> ParseResult<GlobalValueData> {
        let loc = self.loc();
        let kind = self.ident("a global value kind")?;
        Ok(match kind {
            "vmctx" => GlobalValueData::VMContext,
            "load" => {
                self.expect(Token::Dot)?;
                let global_type = self.ty()?;
                let flags = self.memflags()?;
                let base = GlobalValue::from_u32(self.entity("gv", "a global value")?);
                let offset = self.optional_offset()?;
                GlobalValueData::Load {
                    base,
                    offset,
                    global_type,
                    flags,
                }
            }
            "iadd_imm" => {
                self.expect(Token::Dot)?;
                let global_type = self.ty()?;
                let base = GlobalValue::from_u32(self.entity("gv", "a global value")?);
                self.expect(Token::Comma)?;
                let offset = self.imm64()?;
                GlobalValueData::IAddImm {
                    base,
                    offset,
                    global_type,
                }
            }
            "symbol" => {
                let colocated = self.eat_word("colocated");
                let tls = self.eat_word("tls");
                let name = self.external_name(ctx)?;
                let offset = match self.peek() {
                    Some(Token::Number(n)) if n.starts_with('+') || n.starts_with('-') => {
                        self.imm64()?
                    }
                    _ => Imm64::new(0),
                };
                GlobalValueData::Symbol {
                    name,
                    offset,
                    colocated,
                    tls,
                }
            }
            "dyn_scale_target_const" => {
                self.expect(Token::Dot)?;
                GlobalValueData::DynScaleTargetConst {
                    vector_type: self.ty()?,
                }
            }
            _ => {
                return err!(
                    loc,
                    "expected a global value kind (`vmctx`, `load`, `iadd_imm`, `symbol`, `dyn_scale_target_const`), found `{kind}`"
                );
            }
        })
    }

    fn func_decl(&mut self, ctx: &mut FuncCtx) -> ParseResult<ExtFuncData> {
        let mut colocated = false;
        let mut patchable = false;
        loop {
            if self.eat_word("colocated") {
                colocated = true;
            } else if self.eat_word("patchable") {
                patchable = true;
            } else {
                break;
            }
        }
        let name = self.external_name(ctx)?;
        let signature = if self.peek() == Some(Token::LParen) {
            // An inline signature declares a new one after the numbered ones.
            let sig = self.signature()?;
            let next = ctx
                .sigs
                .keys()
                .next_back()
                .map_or(0, |k| k + 1)
                .max(1 << 20);
            let n = next + ctx.funcs.len() as u32;
            ctx.sigs.insert(n, (sig, self.loc()));
            SigRef::from_u32(n)
        } else {
            SigRef::from_u32(self.entity("sig", "a signature reference or an inline signature")?)
        };
        Ok(ExtFuncData {
            name,
            signature,
            colocated,
            patchable,
        })
    }

    /// Moves preamble declarations into the function, numbering preserved, gaps filled.
    fn install_preamble(&mut self, ctx: &mut FuncCtx) -> ParseResult<()> {
        fn fill<K: EntityRef, V: Clone>(
            map: &mut PrimaryMap<K, V>,
            decls: &BTreeMap<u32, V>,
            filler: V,
        ) {
            if let Some(&max) = decls.keys().next_back() {
                for i in 0..=max {
                    map.push(decls.get(&i).cloned().unwrap_or_else(|| filler.clone()));
                }
            }
        }
        self.dynamic_types = ctx
            .dts
            .iter()
            .filter_map(|(&n, d)| Some((n, d.concrete()?)))
            .collect();
        let f = &mut ctx.func.stencil;
        fill(
            &mut f.sized_stack_slots,
            &ctx.ss,
            StackSlotData::new(StackSlotKind::ExplicitSlot, 0, 0),
        );
        if let Some(&d) = ctx.dss.values().next() {
            fill(&mut f.dynamic_stack_slots, &ctx.dss, d);
        }
        fill(&mut f.global_values, &ctx.gvs, GlobalValueData::VMContext);
        if let Some(&d) = ctx.dts.values().next() {
            fill(&mut f.dfg.dynamic_types, &ctx.dts, d);
        }
        fill(
            &mut f.memory_regions,
            &ctx.regions,
            MemoryRegionData {
                id: 0,
                description: String::new(),
            },
        );
        // Inline signatures of `fn` declarations were numbered far above the declared
        // ones; renumber them to follow directly.
        let declared_max = ctx
            .sigs
            .keys()
            .rfind(|&&k| k < (1 << 20))
            .map_or(0, |k| k + 1);
        let mut renumber = BTreeMap::new();
        let inline: Vec<u32> = ctx
            .sigs
            .keys()
            .copied()
            .filter(|&k| k >= (1 << 20))
            .collect();
        for (i, k) in inline.iter().enumerate() {
            renumber.insert(*k, declared_max + i as u32);
        }
        for k in inline {
            let v = ctx.sigs.remove(&k).expect("present");
            ctx.sigs.insert(renumber[&k], v);
        }
        if let Some(&max) = ctx.sigs.keys().next_back() {
            for i in 0..=max {
                let sig = ctx
                    .sigs
                    .get(&i)
                    .map_or_else(|| Signature::new(CallConv::Fast), |s| s.0.clone());
                f.dfg.signatures.push(sig);
            }
        }
        if let Some(&max) = ctx.funcs.keys().next_back() {
            for i in 0..=max {
                let data = match ctx.funcs.get(&i) {
                    Some((d, loc)) => {
                        let mut d = d.clone();
                        if let Some(&n) = renumber.get(&d.signature.as_u32()) {
                            d.signature = SigRef::from_u32(n);
                        }
                        if !f.dfg.signatures.is_valid(d.signature) {
                            return err!(*loc, "{} is not declared", d.signature);
                        }
                        d
                    }
                    None => ExtFuncData {
                        name: ExternalName::TestCase(TestcaseName::new("undeclared")),
                        signature: SigRef::from_u32(0),
                        colocated: false,
                        patchable: false,
                    },
                };
                f.dfg.ext_funcs.push(data);
            }
        }
        for (&n, data) in &ctx.consts {
            f.dfg.constants.set(Constant::from_u32(n), data.clone());
        }
        Ok(())
    }

    // ---- blocks and instructions ----

    fn value_ref(&mut self, ctx: &mut FuncCtx) -> ParseResult<Value> {
        let loc = self.loc();
        let n = self.entity("v", "a value")?;
        let v = Value::from_u32(n);
        ctx.value_refs.entry(v).or_insert(loc);
        Ok(v)
    }

    fn block_ref(&mut self, ctx: &mut FuncCtx) -> ParseResult<Block> {
        let n = self.entity("block", "a block")?;
        Ok(ensure_block(&mut ctx.func, n))
    }

    fn block(&mut self, ctx: &mut FuncCtx) -> ParseResult<()> {
        let loc = self.loc();
        let block = self.block_ref(ctx)?;
        if ctx.func.layout.is_block_inserted(block) {
            return err!(loc, "{block} is defined twice");
        }
        ctx.func.layout.append_block(block);
        ctx.source_map.blocks.insert(block, loc);
        // `cold` before the parameters (Gantry's older printing) or after them
        // (Cranelift's: `block1(v1: i16) cold:`).
        if self.eat_word("cold") {
            ctx.func.layout.set_cold(block);
        }
        if self.eat(Token::LParen) && !self.eat(Token::RParen) {
            loop {
                let vloc = self.loc();
                let v = self.value_ref(ctx)?;
                self.expect(Token::Colon)?;
                let ty = self.ty()?;
                self.define(ctx, v, vloc)?;
                ctx.func.dfg.attach_block_param(block, v, ty);
                if self.eat(Token::RParen) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        if self.eat_word("cold") {
            ctx.func.layout.set_cold(block);
        }
        self.expect(Token::Colon)?;
        loop {
            match self.peek() {
                None | Some(Token::RBrace) => return Ok(()),
                Some(Token::Ident(w)) if entity_number(w, "block").is_some() => return Ok(()),
                _ => self.instruction(ctx, block)?,
            }
        }
    }

    /// Checks `v` is not defined yet.
    fn define(&self, ctx: &FuncCtx, v: Value, loc: Location) -> ParseResult<()> {
        if ctx.func.dfg.value_is_valid(v) {
            return err!(loc, "{v} is defined twice");
        }
        Ok(())
    }

    fn instruction(&mut self, ctx: &mut FuncCtx, block: Block) -> ParseResult<()> {
        let mut srcloc = None;
        if let Some(Token::SrcLoc(s)) = self.peek() {
            let loc = self.loc();
            self.pos += 1;
            if s != "-" {
                match u32::from_str_radix(s, 16) {
                    Ok(x) => srcloc = Some(SourceLoc::new(x)),
                    Err(_) => return err!(loc, "invalid source location `@{s}`"),
                }
            }
        }
        let mut tags = self.debug_tags()?;
        // Results, or an alias line `vN -> vM`.
        let mut results = Vec::new();
        if let Some(Token::Ident(w)) = self.peek() {
            if entity_number(w, "v").is_some() {
                let loc = self.loc();
                let first = self.value_ref(ctx)?;
                if self.eat(Token::Arrow) {
                    let src = self.value_ref(ctx)?;
                    self.define(ctx, first, loc)?;
                    ctx.func.dfg.make_value_alias(first, src);
                    return Ok(());
                }
                results.push((first, loc));
                while self.eat(Token::Comma) {
                    let loc = self.loc();
                    results.push((self.value_ref(ctx)?, loc));
                }
                self.expect(Token::Equal)?;
            }
        }
        for &(v, loc) in &results {
            self.define(ctx, v, loc)?;
        }
        // Tags may also follow the `=`.
        if tags.is_none() {
            tags = self.debug_tags()?;
        }
        let op_loc = self.loc();
        let first_inst = ctx.func.dfg.num_insts();
        let name = self.ident("an instruction")?;
        let suffix = if self.eat(Token::Dot) {
            Some(self.ty()?)
        } else {
            None
        };
        let inst = if let Some(opcode) = Opcode::parse(name) {
            let data = self.operands(ctx, opcode, suffix, block, op_loc)?;
            let inst = ctx.func.dfg.make_inst(data);
            ctx.func.layout.append_inst(inst, block);
            self.bind_results(ctx, inst, suffix, &results, op_loc)?;
            Some(inst)
        } else if let Some(s) = sugar(name) {
            self.expand_sugar(ctx, s, suffix, block, &results, op_loc)?
        } else {
            return err!(op_loc, "unknown instruction `{name}`");
        };
        // Every instruction this line made (sugar makes several) maps to the line.
        let made = ctx.func.dfg.num_insts();
        for i in first_inst..made {
            ctx.source_map
                .insts
                .insert(Inst::from_u32(i as u32), op_loc);
        }
        if let (Some(loc), Some(inst)) = (srcloc, inst) {
            ctx.func.set_srcloc(inst, loc);
        }
        let stack_map = if self.peek() == Some(Token::Comma)
            && self.peek_at(1) == Some(Token::Ident("stack_map"))
        {
            self.pos += 2;
            Some(self.stack_map()?)
        } else {
            None
        };
        if let Some(inst) = inst {
            if let Some(tags) = tags {
                ctx.func.stencil.debug_tags.insert(inst, tags);
            }
            if let Some(entries) = stack_map {
                ctx.func.stencil.user_stack_maps.insert(inst, entries);
            }
        }
        Ok(())
    }

    /// `<ss0, 1, 0>` debug tags, if present.
    fn debug_tags(&mut self) -> ParseResult<Option<Vec<DebugTag>>> {
        if !self.eat(Token::Less) {
            return Ok(None);
        }
        let mut tags = Vec::new();
        if !self.eat(Token::Greater) {
            loop {
                let tag = match self.peek() {
                    Some(Token::Ident(w)) if entity_number(w, "ss").is_some() => {
                        DebugTag::StackSlot(StackSlot::from_u32(self.entity("ss", "a stack slot")?))
                    }
                    _ => DebugTag::User(self.uint("a debug tag (a number or a stack slot)")?),
                };
                tags.push(tag);
                if self.eat(Token::Greater) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        Ok(Some(tags))
    }

    /// `=[i64 @ ss0+8, ...]` after `stack_map`.
    fn stack_map(&mut self) -> ParseResult<Vec<UserStackMapEntry>> {
        self.expect(Token::Equal)?;
        self.expect(Token::LBracket)?;
        let mut entries = Vec::new();
        if !self.eat(Token::RBracket) {
            loop {
                let ty = self.ty()?;
                let at = self.loc();
                let slot = match self.next() {
                    Some(Token::At) => StackSlot::from_u32(self.entity("ss", "a stack slot")?),
                    // `@ss0` without a space lexes as one token.
                    Some(Token::SrcLoc(w)) => match entity_number(w, "ss") {
                        Some(n) => {
                            self.check_entity_number(n, w)?;
                            StackSlot::from_u32(n)
                        }
                        None => return err!(at, "expected a stack slot after `@`"),
                    },
                    _ => return err!(at, "expected `@` in a stack map entry"),
                };
                let offset = self.optional_offset()?;
                let Ok(offset) = u32::try_from(offset.bytes()) else {
                    return err!(at, "a stack map offset must not be negative");
                };
                entries.push(UserStackMapEntry { ty, slot, offset });
                if self.eat(Token::RBracket) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        Ok(entries)
    }

    /// The controlling type of an instruction about to be made from `data`.
    fn ctrl_type(
        &self,
        ctx: &FuncCtx,
        data: &InstructionData,
        suffix: Option<Type>,
        loc: Location,
    ) -> ParseResult<Type> {
        let opcode = data.opcode();
        match (opcode.info().ctrl, suffix) {
            (CtrlType::None, None) => Ok(Type::INVALID),
            // Indirect calls may name their callee's address type (`call_indirect.i64`),
            // which is the callee operand's type anyway.
            (CtrlType::None, Some(t))
                if matches!(
                    opcode,
                    Opcode::CallIndirect | Opcode::ReturnCallIndirect | Opcode::TryCallIndirect
                ) && (t == Type::I32 || t == Type::I64) =>
            {
                Ok(Type::INVALID)
            }
            (CtrlType::None, Some(t)) => err!(loc, "`{opcode}` takes no type suffix, found `.{t}`"),
            (_, Some(t)) => Ok(t),
            (CtrlType::Suffix(set), None) => match set.singleton() {
                Some(t) => Ok(t),
                None => err!(loc, "`{opcode}` needs a type suffix (`{opcode}.i32` etc.)"),
            },
            (CtrlType::Operand(n, _), None) => {
                let args = data.arguments(&ctx.func.dfg.value_lists);
                let v = args[n as usize];
                let dfg = &ctx.func.dfg;
                let r = dfg.resolve_aliases(v);
                if dfg.value_is_valid(r)
                    && !matches!(
                        dfg.value_data(r),
                        gantry_codegen::ir::dfg::ValueData::Alias { .. }
                    )
                {
                    Ok(dfg.value_type(r))
                } else {
                    err!(
                        loc,
                        "the type of `{opcode}` comes from {v}, which is not defined yet: add a type suffix"
                    )
                }
            }
        }
    }

    fn bind_results(
        &mut self,
        ctx: &mut FuncCtx,
        inst: Inst,
        suffix: Option<Type>,
        results: &[(Value, Location)],
        loc: Location,
    ) -> ParseResult<()> {
        let data = ctx.func.dfg.insts[inst];
        let ctrl = self.ctrl_type(ctx, &data, suffix, loc)?;
        let Some(types) = ctx.func.dfg.result_types(inst, ctrl) else {
            if data.opcode().is_call() {
                return err!(loc, "the callee's signature is not declared");
            }
            return err!(loc, "`{}` has no results of type {ctrl}", data.opcode());
        };
        if types.len() != results.len() {
            return err!(
                loc,
                "`{}` has {} result(s), but {} are named",
                data.opcode(),
                types.len(),
                results.len()
            );
        }
        for (&(v, _), &ty) in results.iter().zip(&types) {
            ctx.func.dfg.attach_result(inst, v, ty);
        }
        Ok(())
    }

    fn block_call(&mut self, ctx: &mut FuncCtx) -> ParseResult<BlockCall> {
        let block = self.block_ref(ctx)?;
        let mut args = Vec::new();
        if self.eat(Token::LParen) && !self.eat(Token::RParen) {
            loop {
                let loc = self.loc();
                let arg = match self.peek() {
                    Some(Token::Ident(w)) if entity_number(w, "ret").is_some() => {
                        BlockArg::TryCallRet(self.entity("ret", "")?)
                    }
                    Some(Token::Ident(w)) if entity_number(w, "exn").is_some() => {
                        BlockArg::TryCallExn(self.entity("exn", "")?)
                    }
                    _ => BlockArg::Value(self.value_ref(ctx)?),
                };
                let _ = loc;
                args.push(arg);
                if self.eat(Token::RParen) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        Ok(ctx.func.dfg.block_call(block, &args))
    }

    fn value_list(&mut self, ctx: &mut FuncCtx, first: Option<Value>) -> ParseResult<ValueList> {
        let mut values: Vec<Value> = first.into_iter().collect();
        self.expect(Token::LParen)?;
        if !self.eat(Token::RParen) {
            loop {
                values.push(self.value_ref(ctx)?);
                if self.eat(Token::RParen) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        Ok(ValueList::from_slice(
            &values,
            &mut ctx.func.dfg.value_lists,
        ))
    }

    fn memflags(&mut self) -> ParseResult<MemFlags> {
        let mut flags = MemFlags::new();
        while let Some(Token::Ident(w)) = self.peek() {
            if entity_number(w, "v").is_some() || entity_number(w, "gv").is_some() {
                break;
            }
            let loc = self.loc();
            if let Some(r) = entity_number(w, "region") {
                self.pos += 1;
                flags.set_alias_region(Some(MemoryRegion::from_u32(r)));
                continue;
            }
            // Legacy alias-analysis flags carry no meaning now.
            if matches!(w, "heap" | "table" | "vmctx") {
                self.pos += 1;
                continue;
            }
            match flags.set_by_name(w) {
                Ok(()) => self.pos += 1,
                Err(gantry_codegen::ir::memflags::MemFlagError::Unknown) => break,
                Err(e) => return err!(loc, "{e}"),
            }
        }
        Ok(flags)
    }

    fn optional_offset(&mut self) -> ParseResult<Offset32> {
        match self.peek() {
            Some(Token::Number(n)) if n.starts_with('+') || n.starts_with('-') => {
                let loc = self.loc();
                self.pos += 1;
                match Offset32::parse(n) {
                    Some(o) => Ok(o),
                    None => err!(loc, "invalid 32-bit offset `{n}`"),
                }
            }
            _ => Ok(Offset32::new(0)),
        }
    }

    fn trap_code(&mut self) -> ParseResult<TrapCode> {
        let loc = self.loc();
        let w = self.ident("a trap code")?;
        match TrapCode::parse(w) {
            Some(c) => Ok(c),
            None => err!(
                loc,
                "expected a trap code (`heap_oob`, `int_divz`, `user1`, ...), found `{w}`"
            ),
        }
    }

    fn uimm8(&mut self) -> ParseResult<u8> {
        self.uint("an 8-bit immediate")
    }

    /// The bytes of a vector or `f128` constant: hex (`0x...`), or lanes in brackets
    /// (`[1 2 3 4]`, typed by `ty`).
    fn constant_bytes(&mut self, ty: Option<Type>) -> ParseResult<ConstantData> {
        let loc = self.loc();
        if self.eat(Token::LBracket) {
            // Without a vector type (a `constN = [...]` declaration) the list is bytes.
            let lane = ty.map_or(Type::I8, |t| t.lane_type());
            let mut bytes = Vec::new();
            let mut lanes = 0;
            while !self.eat(Token::RBracket) {
                self.eat(Token::Comma);
                let lloc = self.loc();
                let n = self.number("a lane value")?;
                let lane_bytes = lane_bytes(n, lane).ok_or_else(|| ParseError {
                    location: lloc,
                    message: format!("invalid {lane} lane value `{n}`"),
                })?;
                bytes.extend(lane_bytes);
                lanes += 1;
            }
            if let Some(ty) = ty.filter(|t| lanes != t.lane_count()) {
                return err!(loc, "{ty} has {} lanes, found {lanes}", ty.lane_count());
            }
            return Ok(ConstantData::new(bytes));
        }
        let n = self.number("a hex constant")?;
        let Some(hex) = n.strip_prefix("0x") else {
            return err!(loc, "expected a hex constant `0x...`, found `{n}`");
        };
        let digits: String = hex.chars().filter(|&c| c != '_').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return err!(loc, "invalid hex constant `{n}`");
        }
        // Most significant byte first in the text; stored least significant first.
        let padded = if digits.len() % 2 == 1 {
            format!("0{digits}")
        } else {
            digits
        };
        let mut bytes: Vec<u8> = (0..padded.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&padded[i..i + 2], 16).unwrap_or(0))
            .collect();
        bytes.reverse();
        if let Some(ty) = ty {
            let size = ty.bytes() as usize;
            if bytes.len() > size {
                if bytes[size..].iter().any(|&b| b != 0) {
                    return err!(loc, "constant `{n}` does not fit in {ty}");
                }
                bytes.truncate(size);
            }
            bytes.resize(size, 0);
        }
        Ok(ConstantData::new(bytes))
    }

    fn operands(
        &mut self,
        ctx: &mut FuncCtx,
        opcode: Opcode,
        suffix: Option<Type>,
        _block: Block,
        loc: Location,
    ) -> ParseResult<InstructionData> {
        use InstructionFormat as F;
        Ok(match opcode.format() {
            F::Nullary => InstructionData::Nullary { opcode },
            F::Unary => InstructionData::Unary {
                opcode,
                arg: self.value_ref(ctx)?,
            },
            F::UnaryImm => {
                let imm = self.imm64()?;
                let Some(ty) = suffix else {
                    return err!(loc, "`{opcode}` needs a type suffix");
                };
                if ty.is_int() && ty.is_scalar() && ty.bits() < 64 {
                    let x = imm.bits();
                    let bits = ty.bits();
                    let fits = (x >= -(1i64 << (bits - 1)) && x < (1i64 << bits))
                        || imm.sign_extend_from_width(bits) == imm
                        || imm.mask_to_width(bits) == imm;
                    if !fits {
                        return err!(loc, "constant {imm} does not fit in {ty}");
                    }
                    InstructionData::UnaryImm {
                        opcode,
                        imm: imm.mask_to_width(bits),
                    }
                } else {
                    InstructionData::UnaryImm { opcode, imm }
                }
            }
            F::UnaryIeee16 => {
                let l = self.loc();
                let n = self.number("an f16 constant")?;
                let imm = Ieee16::parse(n).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("invalid f16 constant `{n}`"),
                })?;
                InstructionData::UnaryIeee16 { opcode, imm }
            }
            F::UnaryIeee32 => {
                let l = self.loc();
                let n = self.number("an f32 constant")?;
                let imm = Ieee32::parse(n).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("invalid f32 constant `{n}`"),
                })?;
                InstructionData::UnaryIeee32 { opcode, imm }
            }
            F::UnaryIeee64 => {
                let l = self.loc();
                let n = self.number("an f64 constant")?;
                let imm = Ieee64::parse(n).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("invalid f64 constant `{n}`"),
                })?;
                InstructionData::UnaryIeee64 { opcode, imm }
            }
            F::UnaryConst => {
                let constant = if let Some(Token::Ident(w)) = self.peek() {
                    let l = self.loc();
                    let n = self.entity("const", "a constant")?;
                    let c = Constant::from_u32(n);
                    if ctx.func.dfg.constants.get(c).is_none() {
                        return err!(l, "{w} is not declared");
                    }
                    c
                } else if opcode == Opcode::F128const {
                    let l = self.loc();
                    let n = self.number("an f128 constant")?;
                    let x = Ieee128::parse(n).ok_or_else(|| ParseError {
                        location: l,
                        message: format!("invalid f128 constant `{n}`"),
                    })?;
                    ctx.func
                        .dfg
                        .constants
                        .insert(ConstantData::new(x.bits().to_le_bytes().to_vec()))
                } else {
                    let data = self.constant_bytes(suffix)?;
                    ctx.func.dfg.constants.insert(data)
                };
                InstructionData::UnaryConst { opcode, constant }
            }
            F::UnaryGlobalValue => InstructionData::UnaryGlobalValue {
                opcode,
                global_value: GlobalValue::from_u32(self.entity("gv", "a global value")?),
            },
            F::Binary => {
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::Binary {
                    opcode,
                    args: [a, self.value_ref(ctx)?],
                }
            }
            F::BinaryImm8 => {
                let arg = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::BinaryImm8 {
                    opcode,
                    arg,
                    imm: self.uimm8()?,
                }
            }
            F::Ternary => {
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let b = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::Ternary {
                    opcode,
                    args: [a, b, self.value_ref(ctx)?],
                }
            }
            F::TernaryImm8 => {
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let b = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::TernaryImm8 {
                    opcode,
                    args: [a, b],
                    imm: self.uimm8()?,
                }
            }
            F::Shuffle => {
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let b = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let mask = self.constant_bytes(Some(Type::I8X16))?;
                let imm = ctx.func.dfg.make_immediate(mask);
                InstructionData::Shuffle {
                    opcode,
                    args: [a, b],
                    imm,
                }
            }
            F::IntCompare => {
                let l = self.loc();
                let w = self.ident("an integer condition code")?;
                let cond = IntCC::parse(w).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("expected an integer condition code, found `{w}`"),
                })?;
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::IntCompare {
                    opcode,
                    cond,
                    args: [a, self.value_ref(ctx)?],
                }
            }
            F::FloatCompare => {
                let l = self.loc();
                let w = self.ident("a float condition code")?;
                let cond = FloatCC::parse(w).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("expected a float condition code, found `{w}`"),
                })?;
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::FloatCompare {
                    opcode,
                    cond,
                    args: [a, self.value_ref(ctx)?],
                }
            }
            F::Jump => InstructionData::Jump {
                opcode,
                destination: self.block_call(ctx)?,
            },
            F::Brif => {
                let arg = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let then = self.block_call(ctx)?;
                self.expect(Token::Comma)?;
                let els = self.block_call(ctx)?;
                InstructionData::Brif {
                    opcode,
                    arg,
                    blocks: [then, els],
                }
            }
            F::BranchTable => {
                let arg = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let default = self.block_call(ctx)?;
                self.expect(Token::Comma)?;
                if let Some(Token::Ident(w)) = self.peek() {
                    if let Some(n) = entity_number(w, "jt") {
                        // Legacy form: the table is declared in the preamble.
                        let l = self.loc();
                        self.pos += 1;
                        let table = ctx.func.dfg.jump_tables.push(JumpTableData {
                            default,
                            table: Vec::new(),
                        });
                        let placeholder = InstructionData::BranchTable { opcode, arg, table };
                        ctx.legacy_br_tables.push((
                            Inst::from_u32(ctx.func.dfg.num_insts() as u32),
                            default,
                            n,
                            l,
                        ));
                        return Ok(placeholder);
                    }
                }
                self.expect(Token::LBracket)?;
                let mut table = Vec::new();
                if !self.eat(Token::RBracket) {
                    loop {
                        table.push(self.block_call(ctx)?);
                        if self.eat(Token::RBracket) {
                            break;
                        }
                        self.expect(Token::Comma)?;
                    }
                }
                let table = ctx
                    .func
                    .dfg
                    .jump_tables
                    .push(JumpTableData { default, table });
                InstructionData::BranchTable { opcode, arg, table }
            }
            F::Trap => InstructionData::Trap {
                opcode,
                code: self.trap_code()?,
            },
            F::CondTrap => {
                let arg = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::CondTrap {
                    opcode,
                    arg,
                    code: self.trap_code()?,
                }
            }
            F::IntAddTrap => {
                let a = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let b = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::IntAddTrap {
                    opcode,
                    args: [a, b],
                    code: self.trap_code()?,
                }
            }
            F::MultiAry => {
                let mut values = Vec::new();
                if let Some(Token::Ident(w)) = self.peek() {
                    if entity_number(w, "v").is_some() {
                        loop {
                            values.push(self.value_ref(ctx)?);
                            if !self.eat(Token::Comma) {
                                break;
                            }
                        }
                    }
                }
                InstructionData::MultiAry {
                    opcode,
                    args: ValueList::from_slice(&values, &mut ctx.func.dfg.value_lists),
                }
            }
            F::Call => {
                let l = self.loc();
                let func_ref = FuncRef::from_u32(self.entity("fn", "a function reference")?);
                if !ctx.func.dfg.ext_funcs.is_valid(func_ref) {
                    return err!(l, "{func_ref} is not declared");
                }
                let args = self.value_list(ctx, None)?;
                InstructionData::Call {
                    opcode,
                    func_ref,
                    args,
                }
            }
            F::CallIndirect => {
                let l = self.loc();
                let sig_ref = SigRef::from_u32(self.entity("sig", "a signature reference")?);
                if !ctx.func.dfg.signatures.is_valid(sig_ref) {
                    return err!(l, "{sig_ref} is not declared");
                }
                self.expect(Token::Comma)?;
                let callee = self.value_ref(ctx)?;
                let args = self.value_list(ctx, Some(callee))?;
                InstructionData::CallIndirect {
                    opcode,
                    sig_ref,
                    args,
                }
            }
            F::TryCall => {
                let l = self.loc();
                let func_ref = FuncRef::from_u32(self.entity("fn", "a function reference")?);
                if !ctx.func.dfg.ext_funcs.is_valid(func_ref) {
                    return err!(l, "{func_ref} is not declared");
                }
                let args = self.value_list(ctx, None)?;
                let exception = self.exception_table(ctx)?;
                InstructionData::TryCall {
                    opcode,
                    func_ref,
                    args,
                    exception,
                }
            }
            F::TryCallIndirect => {
                let callee = self.value_ref(ctx)?;
                let args = self.value_list(ctx, Some(callee))?;
                let exception = self.exception_table(ctx)?;
                InstructionData::TryCallIndirect {
                    opcode,
                    args,
                    exception,
                }
            }
            F::FuncAddr => {
                let l = self.loc();
                let func_ref = FuncRef::from_u32(self.entity("fn", "a function reference")?);
                if !ctx.func.dfg.ext_funcs.is_valid(func_ref) {
                    return err!(l, "{func_ref} is not declared");
                }
                InstructionData::FuncAddr { opcode, func_ref }
            }
            F::Load => {
                let flags = self.memflags()?;
                let arg = self.value_ref(ctx)?;
                InstructionData::Load {
                    opcode,
                    flags,
                    arg,
                    offset: self.optional_offset()?,
                }
            }
            F::Store => {
                let flags = self.memflags()?;
                let x = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let p = self.value_ref(ctx)?;
                InstructionData::Store {
                    opcode,
                    flags,
                    args: [x, p],
                    offset: self.optional_offset()?,
                }
            }
            F::LoadNoOffset => {
                let flags = self.memflags()?;
                InstructionData::LoadNoOffset {
                    opcode,
                    flags,
                    arg: self.value_ref(ctx)?,
                }
            }
            F::StoreNoOffset => {
                let flags = self.memflags()?;
                let x = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::StoreNoOffset {
                    opcode,
                    flags,
                    args: [x, self.value_ref(ctx)?],
                }
            }
            F::StackLoad => {
                let stack_slot = StackSlot::from_u32(self.entity("ss", "a stack slot")?);
                InstructionData::StackLoad {
                    opcode,
                    stack_slot,
                    offset: self.optional_offset()?,
                }
            }
            F::DynamicStackLoad => InstructionData::DynamicStackLoad {
                opcode,
                dynamic_stack_slot: DynamicStackSlot::from_u32(
                    self.entity("dss", "a dynamic stack slot")?,
                ),
            },
            F::AtomicRmw => {
                let flags = self.memflags()?;
                let l = self.loc();
                let w = self.ident("an atomic operation")?;
                let op = AtomicRmwOp::parse(w).ok_or_else(|| ParseError {
                    location: l,
                    message: format!(
                        "expected an atomic operation (`add`, `xchg`, ...), found `{w}`"
                    ),
                })?;
                let p = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::AtomicRmw {
                    opcode,
                    flags,
                    op,
                    args: [p, self.value_ref(ctx)?],
                }
            }
            F::AtomicCas => {
                let flags = self.memflags()?;
                let p = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let e = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::AtomicCas {
                    opcode,
                    flags,
                    args: [p, e, self.value_ref(ctx)?],
                }
            }
            F::ExceptionHandlerAddress => {
                let block = self.block_ref(ctx)?;
                self.expect(Token::Comma)?;
                InstructionData::ExceptionHandlerAddress {
                    opcode,
                    block,
                    imm: self.uint("a handler index")?,
                }
            }
        })
    }

    fn exception_table(&mut self, ctx: &mut FuncCtx) -> ParseResult<ExceptionTable> {
        self.expect(Token::Comma)?;
        let l = self.loc();
        let sig = SigRef::from_u32(self.entity("sig", "the callee's signature")?);
        if !ctx.func.dfg.signatures.is_valid(sig) {
            return err!(l, "{sig} is not declared");
        }
        self.expect(Token::Comma)?;
        let normal_return = self.block_call(ctx)?;
        self.expect(Token::Comma)?;
        self.expect(Token::LBracket)?;
        let mut items = Vec::new();
        if !self.eat(Token::RBracket) {
            loop {
                let item = if self.eat_word("default") {
                    self.expect(Token::Colon)?;
                    ExceptionTableItem::Default(self.block_call(ctx)?)
                } else if self.eat_word("context") {
                    ExceptionTableItem::Context(self.value_ref(ctx)?)
                } else {
                    let tag = ExceptionTag::from_u32(
                        self.entity("tag", "`tagN:`, `default:` or `context`")?,
                    );
                    self.expect(Token::Colon)?;
                    ExceptionTableItem::Tag(tag, self.block_call(ctx)?)
                };
                items.push(item);
                if self.eat(Token::RBracket) {
                    break;
                }
                self.expect(Token::Comma)?;
            }
        }
        Ok(ctx.func.dfg.exception_tables.push(ExceptionTableData {
            sig,
            normal_return,
            items,
        }))
    }

    /// A value number for a temporary created by a sugar expansion.
    fn fresh(ctx: &mut FuncCtx) -> Value {
        ctx.func.dfg.make_unused_value()
    }

    /// Makes `data` with results of controlling type `ctrl`, binding the results to `names`
    /// if given, else to fresh values. Returns the instruction.
    fn emit(
        &self,
        ctx: &mut FuncCtx,
        block: Block,
        data: InstructionData,
        ctrl: Type,
        names: Option<&[(Value, Location)]>,
        loc: Location,
    ) -> ParseResult<Inst> {
        let inst = ctx.func.dfg.make_inst(data);
        ctx.func.layout.append_inst(inst, block);
        let Some(types) = ctx.func.dfg.result_types(inst, ctrl) else {
            return err!(loc, "`{}` has no results of type {ctrl}", data.opcode());
        };
        match names {
            Some(names) => {
                if names.len() != types.len() {
                    return err!(
                        loc,
                        "`{}` has {} result(s), but {} are named",
                        data.opcode(),
                        types.len(),
                        names.len()
                    );
                }
                for (&(v, _), &ty) in names.iter().zip(&types) {
                    ctx.func.dfg.attach_result(inst, v, ty);
                }
            }
            None => {
                for &ty in &types {
                    let v = Self::fresh(ctx);
                    ctx.func.dfg.attach_result(inst, v, ty);
                }
            }
        }
        Ok(inst)
    }

    fn value_type_at(&self, ctx: &FuncCtx, v: Value, loc: Location) -> ParseResult<Type> {
        let dfg = &ctx.func.dfg;
        let r = dfg.resolve_aliases(v);
        if dfg.value_is_valid(r)
            && !matches!(
                dfg.value_data(r),
                gantry_codegen::ir::dfg::ValueData::Alias { .. }
            )
        {
            Ok(dfg.value_type(r))
        } else {
            err!(loc, "{v} is not defined yet, so its type is unknown here")
        }
    }

    fn expand_sugar(
        &mut self,
        ctx: &mut FuncCtx,
        s: Sugar,
        suffix: Option<Type>,
        block: Block,
        results: &[(Value, Location)],
        loc: Location,
    ) -> ParseResult<Option<Inst>> {
        self.expand_sugar_inner(ctx, s, suffix, block, results, loc)
    }

    fn expand_sugar_inner(
        &mut self,
        ctx: &mut FuncCtx,
        s: Sugar,
        suffix: Option<Type>,
        block: Block,
        results: &[(Value, Location)],
        loc: Location,
    ) -> ParseResult<Option<Inst>> {
        let ptr = self.opts.pointer_type;
        match s {
            Sugar::BinaryImm(op, reverse) => {
                let xloc = self.loc();
                let x = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let imm = self.imm64()?;
                let ty = match suffix {
                    Some(t) => t,
                    None => self.value_type_at(ctx, x, xloc)?,
                };
                let is_shift = matches!(
                    op,
                    Opcode::Ishl | Opcode::Ushr | Opcode::Sshr | Opcode::Rotl | Opcode::Rotr
                );
                let cty = if is_shift && !ty.is_scalar() {
                    Type::I32
                } else {
                    ty
                };
                if !(cty.is_int() && cty.is_scalar()) {
                    return err!(
                        loc,
                        "immediate sugar needs a scalar integer type, found {ty}"
                    );
                }
                // Cranelift's rule for i128: the 64-bit immediate is sign-extended for
                // iadd/irsub/imul/sdiv/srem and zero-extended otherwise.
                let signed = matches!(
                    op,
                    Opcode::Iadd | Opcode::Isub | Opcode::Imul | Opcode::Sdiv | Opcode::Srem
                );
                let c = self.emit_iconst(ctx, block, cty, imm, signed, loc)?;
                let args = if reverse { [c, x] } else { [x, c] };
                self.emit(
                    ctx,
                    block,
                    InstructionData::Binary { opcode: op, args },
                    ty,
                    Some(results),
                    loc,
                )
                .map(Some)
            }
            Sugar::IcmpImm => {
                let l = self.loc();
                let w = self.ident("an integer condition code")?;
                let cond = IntCC::parse(w).ok_or_else(|| ParseError {
                    location: l,
                    message: format!("expected an integer condition code, found `{w}`"),
                })?;
                let xloc = self.loc();
                let x = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let imm = self.imm64()?;
                let ty = self.value_type_at(ctx, x, xloc)?;
                let c = self.emit_iconst(ctx, block, ty, imm, true, loc)?;
                self.emit(
                    ctx,
                    block,
                    InstructionData::IntCompare {
                        opcode: Opcode::Icmp,
                        cond,
                        args: [x, c],
                    },
                    ty,
                    Some(results),
                    loc,
                )
                .map(Some)
            }
            Sugar::Not(op) => {
                let x = self.value_ref(ctx)?;
                self.expect(Token::Comma)?;
                let yloc = self.loc();
                let y = self.value_ref(ctx)?;
                let ty = match suffix {
                    Some(t) => t,
                    None => self.value_type_at(ctx, y, yloc)?,
                };
                let not = self.emit(
                    ctx,
                    block,
                    InstructionData::Unary {
                        opcode: Opcode::Bnot,
                        arg: y,
                    },
                    ty,
                    None,
                    loc,
                )?;
                let ny = ctx.func.dfg.first_result(not);
                self.emit(
                    ctx,
                    block,
                    InstructionData::Binary {
                        opcode: op,
                        args: [x, ny],
                    },
                    ty,
                    Some(results),
                    loc,
                )
                .map(Some)
            }
            Sugar::StackLoad | Sugar::StackStore => {
                let stored = if matches!(s, Sugar::StackStore) {
                    let v = self.value_ref(ctx)?;
                    self.expect(Token::Comma)?;
                    Some(v)
                } else {
                    None
                };
                let slot = StackSlot::from_u32(self.entity("ss", "a stack slot")?);
                let offset = self.optional_offset()?;
                let addr = self.emit(
                    ctx,
                    block,
                    InstructionData::StackLoad {
                        opcode: Opcode::StackAddr,
                        stack_slot: slot,
                        offset,
                    },
                    ptr,
                    None,
                    loc,
                )?;
                let p = ctx.func.dfg.first_result(addr);
                self.memory_access(ctx, block, stored, p, suffix, results, loc)
                    .map(Some)
            }
            Sugar::DynamicStackLoad | Sugar::DynamicStackStore => {
                let stored = if matches!(s, Sugar::DynamicStackStore) {
                    let v = self.value_ref(ctx)?;
                    self.expect(Token::Comma)?;
                    Some(v)
                } else {
                    None
                };
                let slot = DynamicStackSlot::from_u32(self.entity("dss", "a dynamic stack slot")?);
                let addr = self.emit(
                    ctx,
                    block,
                    InstructionData::DynamicStackLoad {
                        opcode: Opcode::DynamicStackAddr,
                        dynamic_stack_slot: slot,
                    },
                    ptr,
                    None,
                    loc,
                )?;
                let p = ctx.func.dfg.first_result(addr);
                self.memory_access(ctx, block, stored, p, suffix, results, loc)
                    .map(Some)
            }
            Sugar::GlobalValue => {
                let gloc = self.loc();
                let gv = GlobalValue::from_u32(self.entity("gv", "a global value")?);
                let Some(ty) = suffix else {
                    return err!(loc, "`global_value` needs a type suffix");
                };
                let v = self.expand_global_value(ctx, block, gv, ty, gloc, 0)?;
                // Bind the named result as an alias of the computed value.
                let [(name, _)] = results else {
                    return err!(loc, "`global_value` has one result");
                };
                let inst = ctx.func.dfg.value_def(v).inst();
                ctx.func.dfg.make_value_alias(*name, v);
                ctx.func.dfg.fix_alias_types();
                Ok(inst)
            }
        }
    }

    /// An `iconst` of `imm` at type `ty`; for `i128` (which `iconst` does not produce) an
    /// `i64` constant extended to 128 bits, with its sign if `signed`.
    #[allow(clippy::too_many_arguments)]
    fn emit_iconst(
        &self,
        ctx: &mut FuncCtx,
        block: Block,
        ty: Type,
        imm: Imm64,
        signed: bool,
        loc: Location,
    ) -> ParseResult<Value> {
        if ty == Type::I128 {
            let narrow = self.emit_iconst(ctx, block, Type::I64, imm, signed, loc)?;
            let opcode = if signed {
                Opcode::Sextend
            } else {
                Opcode::Uextend
            };
            let inst = self.emit(
                ctx,
                block,
                InstructionData::Unary {
                    opcode,
                    arg: narrow,
                },
                Type::I128,
                None,
                loc,
            )?;
            return Ok(ctx.func.dfg.first_result(inst));
        }
        let imm = if ty.bits() < 64 {
            imm.mask_to_width(ty.bits())
        } else {
            imm
        };
        let inst = self.emit(
            ctx,
            block,
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            },
            ty,
            None,
            loc,
        )?;
        Ok(ctx.func.dfg.first_result(inst))
    }

    #[allow(clippy::too_many_arguments)]
    fn memory_access(
        &self,
        ctx: &mut FuncCtx,
        block: Block,
        stored: Option<Value>,
        p: Value,
        suffix: Option<Type>,
        results: &[(Value, Location)],
        loc: Location,
    ) -> ParseResult<Inst> {
        let flags = MemFlags::trusted();
        match stored {
            Some(x) => self.emit(
                ctx,
                block,
                InstructionData::Store {
                    opcode: Opcode::Store,
                    flags,
                    args: [x, p],
                    offset: Offset32::new(0),
                },
                Type::INVALID,
                Some(results),
                loc,
            ),
            None => {
                let Some(ty) = suffix else {
                    return err!(loc, "a stack load needs a type suffix");
                };
                self.emit(
                    ctx,
                    block,
                    InstructionData::Load {
                        opcode: Opcode::Load,
                        flags,
                        arg: p,
                        offset: Offset32::new(0),
                    },
                    ty,
                    Some(results),
                    loc,
                )
            }
        }
    }

    /// Emits the computation of global value `gv` as type `ty`; returns its value.
    fn expand_global_value(
        &self,
        ctx: &mut FuncCtx,
        block: Block,
        gv: GlobalValue,
        ty: Type,
        loc: Location,
        depth: usize,
    ) -> ParseResult<Value> {
        if depth > 64 {
            return err!(loc, "global value definitions form a cycle");
        }
        let Some(data) = ctx.func.global_values.get(gv).cloned() else {
            return err!(loc, "{gv} is not declared");
        };
        let ptr = self.opts.pointer_type;
        match data {
            GlobalValueData::VMContext => {
                let Some(i) = ctx
                    .func
                    .signature
                    .special_param_index(ArgumentPurpose::VMContext)
                else {
                    return err!(
                        loc,
                        "{gv} is `vmctx` but the function has no vmctx parameter"
                    );
                };
                let Some(entry) = ctx.func.layout.entry_block() else {
                    return err!(loc, "no entry block");
                };
                match ctx.func.dfg.block_params(entry).get(i) {
                    Some(&v) => Ok(v),
                    None => err!(loc, "the entry block lacks the vmctx parameter"),
                }
            }
            GlobalValueData::Load {
                base,
                offset,
                global_type,
                flags,
            } => {
                let b = self.expand_global_value(ctx, block, base, ptr, loc, depth + 1)?;
                let inst = self.emit(
                    ctx,
                    block,
                    InstructionData::Load {
                        opcode: Opcode::Load,
                        flags,
                        arg: b,
                        offset,
                    },
                    global_type,
                    None,
                    loc,
                )?;
                Ok(ctx.func.dfg.first_result(inst))
            }
            GlobalValueData::IAddImm {
                base,
                offset,
                global_type,
            } => {
                let b = self.expand_global_value(ctx, block, base, global_type, loc, depth + 1)?;
                let c = self.emit_iconst(ctx, block, global_type, offset, true, loc)?;
                let inst = self.emit(
                    ctx,
                    block,
                    InstructionData::Binary {
                        opcode: Opcode::Iadd,
                        args: [b, c],
                    },
                    global_type,
                    None,
                    loc,
                )?;
                Ok(ctx.func.dfg.first_result(inst))
            }
            GlobalValueData::Symbol { tls, .. } => {
                let opcode = if tls {
                    Opcode::TlsValue
                } else {
                    Opcode::SymbolValue
                };
                let inst = self.emit(
                    ctx,
                    block,
                    InstructionData::UnaryGlobalValue {
                        opcode,
                        global_value: gv,
                    },
                    ty,
                    None,
                    loc,
                )?;
                Ok(ctx.func.dfg.first_result(inst))
            }
            GlobalValueData::DynScaleTargetConst { .. } => err!(
                loc,
                "`global_value` of a `dyn_scale_target_const` needs a target to expand"
            ),
        }
    }

    /// Checks that everything referenced was defined.
    fn finish(&mut self, ctx: &mut FuncCtx) -> ParseResult<()> {
        for (&v, &loc) in &ctx.value_refs {
            if !ctx.func.dfg.value_is_valid(v) {
                return err!(loc, "{v} is used but never defined");
            }
        }
        ctx.func.dfg.fix_alias_types();
        for (inst, default, n, loc) in std::mem::take(&mut ctx.legacy_br_tables) {
            let Some((blocks, _)) = ctx.jts.get(&n) else {
                return err!(loc, "jt{n} is not declared");
            };
            let table: Vec<BlockCall> = blocks
                .iter()
                .map(|&(b, _)| ctx.func.dfg.block_call(b, &[]))
                .collect();
            if let Some(jt) = ctx.func.dfg.insts[inst].jump_table() {
                ctx.func.dfg.jump_tables[jt] = JumpTableData { default, table };
            }
        }
        Ok(())
    }
}

fn ensure_block(func: &mut Function, n: u32) -> Block {
    while func.dfg.num_blocks() <= n as usize {
        func.dfg.make_block();
    }
    Block::from_u32(n)
}

/// The bytes of one lane given as text, in memory order.
fn lane_bytes(n: &str, lane: Type) -> Option<Vec<u8>> {
    Some(match lane {
        Type::F16 => Ieee16::parse(n)?.bits().to_le_bytes().to_vec(),
        Type::F32 => Ieee32::parse(n)?.bits().to_le_bytes().to_vec(),
        Type::F64 => Ieee64::parse(n)?.bits().to_le_bytes().to_vec(),
        Type::F128 => Ieee128::parse(n)?.bits().to_le_bytes().to_vec(),
        t if t.is_int() => {
            let x = parse_i128_or_u128(n)?;
            let bytes = t.bytes() as usize;
            let bits = t.bits();
            if bits < 128 {
                let min = -(1i128 << (bits - 1));
                let max = (1i128 << bits) - 1;
                if x < min || x > max {
                    return None;
                }
            }
            x.to_le_bytes()[..bytes].to_vec()
        }
        _ => return None,
    })
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn punct(t: Token<'_>) -> &'static str {
    match t {
        Token::LParen => "(",
        Token::RParen => ")",
        Token::LBrace => "{",
        Token::RBrace => "}",
        Token::LBracket => "[",
        Token::RBracket => "]",
        Token::Less => "<",
        Token::Greater => ">",
        Token::Comma => ",",
        Token::Dot => ".",
        Token::Colon => ":",
        Token::Equal => "=",
        Token::Arrow => "->",
        Token::Star => "*",
        Token::NotEqual => "!=",
        Token::At => "@",
        _ => "?",
    }
}
