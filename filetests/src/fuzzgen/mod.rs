//! `fuzzgen`: random valid test cases from fuzzer bytes (`arbitrary::Unstructured`), for
//! differential fuzzing of the backends against the interpreter. A case is a few
//! functions, `%f0` calling later ones (each with a calling convention of its own),
//! built through `FunctionBuilder` from variables: integer (i8..i128), float and vector
//! arithmetic, comparisons and selects, conversions, stack-slot stores and loads,
//! diamonds, bounded loops, `br_table` switches, calls, and traps that may fire (then
//! both sides must trap alike). The settings (`opt_level`, ISA flags) come from the
//! bytes too. Where native code and the interpreter may legitimately differ (a NaN's
//! sign or payload), values are canonicalized before anything observes their bits.

mod ops;

use arbitrary::{Result, Unstructured};
use gantry_codegen::data_value::DataValue;
use gantry_codegen::ir::immediates::{Ieee16, Ieee32, Ieee64};
use gantry_codegen::ir::stackslot::StackSlotKind;
use gantry_codegen::ir::{
    AbiParam, Block, CallConv, ConstantData, ExtFuncData, ExternalName, FuncRef, Function,
    InstBuilder, InstBuilderExt, MemFlags, Signature, StackSlot, StackSlotData, TrapCode, Type,
    UserFuncName, Value,
};
use gantry_frontend::{FunctionBuilder, FunctionBuilderContext, Switch, Variable};
use std::fmt::Write;

/// The scalar and vector types a case uses: the integers first ([`INTS`]), then the
/// floats ([`SCALARS`] ends with them), then the 128-bit and 64-bit vectors.
const TYPES: [Type; 19] = [
    Type::I8,
    Type::I16,
    Type::I32,
    Type::I64,
    Type::I128,
    Type::F16,
    Type::F32,
    Type::F64,
    Type::F128,
    Type::I8X16,
    Type::I16X8,
    Type::I32X4,
    Type::I64X2,
    Type::F32X4,
    Type::F64X2,
    Type::I8X8,
    Type::I16X4,
    Type::I32X2,
    Type::F32X2,
];

/// The scalar integer types.
const INTS: &[Type] = TYPES.split_at(5).0;
/// The scalar types.
const SCALARS: &[Type] = TYPES.split_at(9).0;

/// The conventions of generated functions (every ISA has them).
const CONVS: [CallConv; 5] = [
    CallConv::SystemV,
    CallConv::Fast,
    CallConv::Cold,
    CallConv::Tail,
    CallConv::PreserveAll,
];

/// A generated test case.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// The functions, `%f0` (the one called, with the prefix [`generate`] was given)
    /// first.
    pub functions: Vec<Function>,
    /// The arguments of the call of `%f0`.
    pub args: Vec<DataValue>,
    /// `none` or `speed`.
    pub opt_level: &'static str,
    /// Which ISA flags to set (bits into each ISA's list, see [`TestCase::isa_flags`]).
    flag_bits: u8,
}

impl TestCase {
    /// The ISA flags this case sets on `isa`, a subset of the flags Gantry knows for it
    /// (on x86-64, of those the caller says the host has).
    pub fn isa_flags(&self, isa: &str, host_has: impl Fn(&str) -> bool) -> Vec<&'static str> {
        let all: &[&'static str] = match isa {
            "x86_64" => &[
                "has_sse41",
                "has_avx",
                "has_avx2",
                "has_fma",
                "has_bmi1",
                "has_bmi2",
                "has_lzcnt",
                "has_popcnt",
            ],
            "aarch64" => &["has_lse", "has_fp16"],
            "s390x" => &["arch13", "arch15"],
            _ => &[],
        };
        all.iter()
            .enumerate()
            .filter(|(i, f)| self.flag_bits >> i & 1 == 1 && host_has(f))
            .map(|(_, f)| *f)
            .collect()
    }

    /// The header of a test file for `isa` with `flags`: `test run`, the `opt_level`,
    /// the target line.
    pub fn header(&self, isa: &str, flags: &[&str]) -> String {
        format!(
            "test run\nset opt_level={}\ntarget {isa} {}\n\n",
            self.opt_level,
            flags.join(" ")
        )
    }

    /// The functions as CLIF text.
    pub fn functions_text(&self) -> String {
        let mut t = String::new();
        for f in &self.functions {
            let _ = writeln!(t, "{f}");
        }
        t
    }

    /// The name of the function the case calls (without `%`).
    pub fn entry(&self) -> String {
        self.functions[0]
            .name
            .to_string()
            .trim_start_matches('%')
            .to_string()
    }
}

/// A generated case from `u`, its functions named `%{prefix}f0`, `%{prefix}f1`, ...
///
/// # Errors
/// None in practice: `Unstructured` gives its smallest choices once the bytes run out.
pub fn generate(u: &mut Unstructured<'_>, prefix: &str) -> Result<TestCase> {
    let count = u.int_in_range(1..=3)?;
    // Callees first: function `k` may call any function after it.
    let mut sigs: Vec<Signature> = Vec::new();
    let mut functions = Vec::new();
    for k in (0..count).rev() {
        let sig = signature(u, k == 0)?;
        let callees: Vec<(String, Signature)> = sigs
            .iter()
            .rev()
            .enumerate()
            .map(|(j, s)| (format!("{prefix}f{}", k + 1 + j), s.clone()))
            .collect();
        functions.push(function(
            u,
            &format!("{prefix}f{k}"),
            sig.clone(),
            &callees,
        )?);
        sigs.push(sig);
    }
    functions.reverse();
    let args = functions[0]
        .signature
        .params
        .iter()
        .map(|p| value(u, p.value_type))
        .collect::<Result<Vec<_>>>()?;
    Ok(TestCase {
        functions,
        args,
        opt_level: if u.arbitrary()? { "speed" } else { "none" },
        flag_bits: u.arbitrary()?,
    })
}

/// A random signature: up to four parameters, one to three results (none for
/// `preserve_all`, which may not return values; the entry function, whose results are
/// compared, never has it), a convention.
fn signature(u: &mut Unstructured<'_>, entry: bool) -> Result<Signature> {
    let convs = if entry { &CONVS[..4] } else { &CONVS[..] };
    let mut sig = Signature::new(*u.choose(convs)?);
    for _ in 0..u.int_in_range(0..=4)? {
        sig.params.push(AbiParam::new(*u.choose(&TYPES)?));
    }
    if sig.call_conv != CallConv::PreserveAll {
        for _ in 0..u.int_in_range(1..=3)? {
            sig.returns.push(AbiParam::new(*u.choose(&TYPES)?));
        }
    }
    Ok(sig)
}

/// An argument of type `ty`: often small or special, else any bits.
fn value(u: &mut Unstructured<'_>, ty: Type) -> Result<DataValue> {
    let bits: u128 = if u.ratio(1, 3)? {
        *u.choose(&[0, 1, 2, 7, u128::MAX, 1 << 63, 0x8000_0000, 0x7fc0_0000])?
    } else {
        u.arbitrary()?
    };
    let bytes = bits.to_le_bytes();
    Ok(DataValue::from_le_slot(&bytes, ty).expect("a type of TYPES"))
}

/// One generated function.
struct Gen<'a, 'u, 'f> {
    u: &'a mut Unstructured<'u>,
    b: FunctionBuilder<'f>,
    /// The variables and their types.
    vars: Vec<(Variable, Type)>,
    /// The functions this one may call, imported.
    callees: Vec<(FuncRef, Signature)>,
    /// A 64-byte slot for stores and loads.
    slot: StackSlot,
    /// Statements left to generate.
    budget: u32,
}

fn function(
    u: &mut Unstructured<'_>,
    name: &str,
    sig: Signature,
    callees: &[(String, Signature)],
) -> Result<Function> {
    let mut func = Function::with_name_signature(UserFuncName::testcase(name), sig.clone());
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 64, 4));
    let callees = callees
        .iter()
        .map(|(n, s)| {
            let sig_ref = b.import_signature(s.clone());
            let f = b.import_function(ExtFuncData {
                name: ExternalName::from_percent_name(n),
                signature: sig_ref,
                colocated: true,
                patchable: false,
            });
            (f, s.clone())
        })
        .collect();
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let mut g = Gen {
        u,
        b,
        vars: Vec::new(),
        callees,
        slot,
        budget: 0,
    };
    g.budget = g.u.int_in_range(4..=40)?;
    for (p, param) in params.into_iter().zip(&sig.params) {
        g.define(param.value_type, p);
    }
    g.statements(0)?;
    let mut results = Vec::new();
    for r in &sig.returns {
        let v = g.operand(r.value_type)?;
        results.push(g.canonical(v));
    }
    g.b.ins().return_(&results);
    g.b.seal_all_blocks();
    g.b.finalize();
    Ok(func)
}

impl Gen<'_, '_, '_> {
    /// A new variable of `ty` holding `v`.
    fn define(&mut self, ty: Type, v: Value) {
        let var = self.b.declare_var(ty);
        self.b.def_var(var, v);
        self.vars.push((var, ty));
    }

    /// A value of `ty`: a variable's, or a constant.
    fn operand(&mut self, ty: Type) -> Result<Value> {
        let have: Vec<Variable> = self
            .vars
            .iter()
            .filter(|(_, t)| *t == ty)
            .map(|(v, _)| *v)
            .collect();
        if !have.is_empty() && self.u.ratio(3, 4)? {
            let var = *self.u.choose(&have)?;
            return Ok(self.b.use_var(var));
        }
        self.constant(ty)
    }

    /// A constant of `ty` (vectors by splatting a constant lane).
    fn constant(&mut self, ty: Type) -> Result<Value> {
        if ty.is_vector() {
            let lane = self.constant(ty.lane_type())?;
            return Ok(self.b.ins().splat(ty, lane));
        }
        let bits = match value(self.u, ty)? {
            DataValue::I8(x) => x as u8 as u64,
            DataValue::I16(x) => x as u16 as u64,
            DataValue::I32(x) => x as u32 as u64,
            DataValue::I64(x) => x as u64,
            DataValue::I128(x) => {
                let lo = self.b.ins().iconst(Type::I64, x as i64);
                let hi = self.b.ins().iconst(Type::I64, (x >> 64) as i64);
                return Ok(self.b.ins().iconcat(lo, hi));
            }
            DataValue::F16(x) => return Ok(self.b.ins().f16const(Ieee16::with_bits(x.bits()))),
            DataValue::F32(x) => return Ok(self.b.ins().f32const(Ieee32::with_bits(x.bits()))),
            DataValue::F64(x) => return Ok(self.b.ins().f64const(Ieee64::with_bits(x.bits()))),
            DataValue::F128(x) => return Ok(self.f128_const(x.bits())),
            other => unreachable!("no constant of {other:?}"),
        };
        Ok(self.b.ins().iconst(ty, bits as i64))
    }

    /// The f128 with bits `bits` (from the constant pool).
    fn f128_const(&mut self, bits: u128) -> Value {
        let c = self
            .b
            .func
            .dfg
            .constants
            .insert(ConstantData::new(bits.to_le_bytes().to_vec()));
        self.b.ins().f128const(c)
    }

    /// `v` with every NaN replaced by the canonical one (native code and the
    /// interpreter may give different NaNs; their bits must not leak).
    fn canonical(&mut self, v: Value) -> Value {
        let ty = self.b.func.dfg.value_type(v);
        if !ty.lane_type().is_float() {
            return v;
        }
        let ordered = self
            .b
            .ins()
            .fcmp(gantry_codegen::ir::condcodes::FloatCC::Ordered, v, v);
        let nan = match ty.lane_type() {
            Type::F16 => self.b.ins().f16const(Ieee16::with_bits(0x7e00)),
            Type::F32 => self.b.ins().f32const(Ieee32::with_bits(0x7fc0_0000)),
            Type::F64 => self
                .b
                .ins()
                .f64const(Ieee64::with_bits(0x7ff8_0000_0000_0000)),
            _ => self.f128_const(0x7fff_8000 << 96),
        };
        if ty.is_vector() {
            let nan = self.b.ins().splat(ty, nan);
            let mask = self.b.ins().bitcast(ty, MemFlags::new(), ordered);
            self.b.ins().bitselect(mask, v, nan)
        } else {
            self.b.ins().select(ordered, v, nan)
        }
    }

    /// Statements until the budget runs out (nested ones at `depth` > 0 stop early).
    fn statements(&mut self, depth: u32) -> Result<()> {
        while self.budget > 0 {
            self.budget -= 1;
            if depth > 0 && self.u.ratio(1, 3)? {
                break;
            }
            self.statement(depth)?;
        }
        Ok(())
    }

    fn statement(&mut self, depth: u32) -> Result<()> {
        match self.u.int_in_range(0..=15)? {
            0..=8 => {
                let ty = *self.u.choose(&TYPES)?;
                if let Some(v) = ops::compute(self, ty)? {
                    self.define(ty, v);
                }
            }
            9 => self.memory()?,
            10 if depth < 2 => self.diamond(depth)?,
            11 if depth < 2 => self.bounded_loop(depth)?,
            12 if depth < 2 => self.switch(depth)?,
            13 => self.call()?,
            14 => self.trap()?,
            _ => self.assign()?,
        }
        Ok(())
    }

    /// An existing variable gets a new value of its type (so merges need block
    /// parameters).
    fn assign(&mut self) -> Result<()> {
        if self.vars.is_empty() {
            return Ok(());
        }
        let (var, ty) = *self.u.choose(&self.vars)?;
        if let Some(v) = ops::compute(self, ty)? {
            self.b.def_var(var, v);
        }
        Ok(())
    }

    /// A value stored to the slot and loaded back (the same type and offset; aligned, as
    /// the `aligned` flag promises).
    fn memory(&mut self) -> Result<()> {
        let ty = *self.u.choose(&TYPES)?;
        let v = self.operand(ty)?;
        let offset = (self.u.int_in_range(0..=(64 / ty.bytes() - 1))? * ty.bytes()) as i32;
        let addr = self.b.ins().stack_addr(Type::I64, self.slot, offset);
        self.b.ins().store(MemFlags::trusted(), v, addr, 0);
        let loaded = self.b.ins().load(ty, MemFlags::trusted(), addr, 0);
        self.define(ty, loaded);
        Ok(())
    }

    /// A condition: an i8 comparison of an integer with a constant or another integer.
    fn condition(&mut self) -> Result<Value> {
        use gantry_codegen::ir::condcodes::IntCC;
        let ty = *self.u.choose(INTS)?;
        let a = self.operand(ty)?;
        let b = self.operand(ty)?;
        let cc = *self.u.choose(&[
            IntCC::Equal,
            IntCC::NotEqual,
            IntCC::SignedLessThan,
            IntCC::UnsignedGreaterThan,
            IntCC::SignedGreaterThanOrEqual,
        ])?;
        Ok(self.b.ins().icmp(cc, a, b))
    }

    /// `if c { ... } else { ... }`, merging at a new block.
    fn diamond(&mut self, depth: u32) -> Result<()> {
        let c = self.condition()?;
        let (then_b, else_b, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        self.arms(&[then_b, else_b], merge, depth)
    }

    /// Statements in each of `arms` (blocks with one predecessor), each jumping to
    /// `merge`, where generation goes on.
    fn arms(&mut self, arms: &[Block], merge: Block, depth: u32) -> Result<()> {
        for &arm in arms {
            self.b.switch_to_block(arm);
            self.b.seal_block(arm);
            let scope = self.vars.len();
            self.statements(depth + 1)?;
            // Variables declared in an arm are not defined on the other paths.
            self.vars.truncate(scope);
            self.b.ins().jump(merge, &[]);
        }
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Ok(())
    }

    /// A loop running `n & 7` times (`n` an integer operand).
    fn bounded_loop(&mut self, depth: u32) -> Result<()> {
        let n = self.operand(Type::I32)?;
        let count = self.b.ins().band_imm(n, 7);
        let counter = self.b.declare_var(Type::I32);
        self.b.def_var(counter, count);
        let (header, body, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let left = self.b.use_var(counter);
        self.b.ins().brif(left, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        let scope = self.vars.len();
        self.statements(depth + 1)?;
        self.vars.truncate(scope);
        let left = self.b.use_var(counter);
        let next = self.b.ins().iadd_imm(left, -1);
        self.b.def_var(counter, next);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        Ok(())
    }

    /// A `br_table` switch (the frontend's `Switch`) on an integer's low bits.
    fn switch(&mut self, depth: u32) -> Result<()> {
        let x = self.operand(Type::I32)?;
        let index = self.b.ins().band_imm(x, 15);
        let cases = self.u.int_in_range(1..=5)?;
        let mut sw = Switch::new();
        let blocks: Vec<_> = (0..cases).map(|_| self.b.create_block()).collect();
        for (k, &blk) in blocks.iter().enumerate() {
            sw.set_entry(k as u128 * 2, blk);
        }
        let otherwise = self.b.create_block();
        let merge = self.b.create_block();
        sw.emit(&mut self.b, index, otherwise);
        let arms: Vec<_> = blocks.into_iter().chain([otherwise]).collect();
        self.arms(&arms, merge, depth)
    }

    /// A call of a later generated function; its results become variables.
    fn call(&mut self) -> Result<()> {
        if self.callees.is_empty() {
            return Ok(());
        }
        let (f, sig) = self.u.choose(&self.callees)?.clone();
        let args = sig
            .params
            .iter()
            .map(|p| self.operand(p.value_type))
            .collect::<Result<Vec<_>>>()?;
        let inst = self.b.ins().call(f, &args);
        let results = self.b.func.dfg.inst_results(inst).to_vec();
        for (r, p) in results.into_iter().zip(&sig.returns) {
            self.define(p.value_type, r);
        }
        Ok(())
    }

    /// A trap on an equality that may hold.
    fn trap(&mut self) -> Result<()> {
        use gantry_codegen::ir::condcodes::IntCC;
        let ty = *self.u.choose(INTS)?;
        let (a, b) = (self.operand(ty)?, self.operand(ty)?);
        let c = self.b.ins().icmp(IntCC::Equal, a, b);
        let code = TrapCode::user(self.u.int_in_range(1..=3)?).expect("a user code");
        self.b.ins().trapnz(c, code);
        Ok(())
    }
}
