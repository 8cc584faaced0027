//! The opcode table: every CLIF opcode with its format, type constraints and properties.
//!
//! This is the single place an opcode is defined. The `Opcode` enum, its text names, its
//! instruction format (which the reader and printer dispatch on), its type constraints
//! (which the verifier checks and which give an instruction its result types) and its
//! side-effect flags all come from the rows of `define_opcodes!` below.

use super::types::Type;
use super::typeset::{self as ts, TypeSet};
use core::fmt;

/// The shape of an instruction's operands: which immediates and how many values it has.
/// The printer and the reader handle each format once, for all its opcodes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum InstructionFormat {
    /// No operands.
    Nullary,
    /// One value.
    Unary,
    /// A 64-bit integer immediate.
    UnaryImm,
    /// An `f16` immediate.
    UnaryIeee16,
    /// An `f32` immediate.
    UnaryIeee32,
    /// An `f64` immediate.
    UnaryIeee64,
    /// A constant-pool entry.
    UnaryConst,
    /// A global value.
    UnaryGlobalValue,
    /// Two values.
    Binary,
    /// A value and an 8-bit immediate.
    BinaryImm8,
    /// Three values.
    Ternary,
    /// Two values and an 8-bit immediate.
    TernaryImm8,
    /// Two values and a 16-byte shuffle mask.
    Shuffle,
    /// An integer condition code and two values.
    IntCompare,
    /// A float condition code and two values.
    FloatCompare,
    /// One block call.
    Jump,
    /// A condition value and two block calls.
    Brif,
    /// An index value and a jump table.
    BranchTable,
    /// A trap code.
    Trap,
    /// A condition value and a trap code.
    CondTrap,
    /// Two values and a trap code.
    IntAddTrap,
    /// Any number of values.
    MultiAry,
    /// A function reference and arguments.
    Call,
    /// A signature, a callee value and arguments.
    CallIndirect,
    /// A function reference, arguments and an exception table.
    TryCall,
    /// A callee value, arguments and an exception table.
    TryCallIndirect,
    /// A function reference.
    FuncAddr,
    /// Memory flags, an address and an offset.
    Load,
    /// Memory flags, a value, an address and an offset.
    Store,
    /// Memory flags and one value.
    LoadNoOffset,
    /// Memory flags and two values.
    StoreNoOffset,
    /// A stack slot and an offset.
    StackLoad,
    /// A dynamic stack slot.
    DynamicStackLoad,
    /// Memory flags, an atomic operation and two values.
    AtomicRmw,
    /// Memory flags and three values.
    AtomicCas,
    /// A block and a handler index.
    ExceptionHandlerAddress,
}

/// Where an instruction's controlling type variable comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CtrlType {
    /// The opcode is not polymorphic.
    None,
    /// The type of fixed value operand `n`; the text may omit the type suffix.
    Operand(u8, TypeSet),
    /// Given by the type suffix (`iconst.i32`), from the set.
    Suffix(TypeSet),
}

/// The type rule of one operand or result, relative to the controlling type `T`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Constraint {
    /// Exactly `T`.
    Same,
    /// A fixed type.
    Fixed(Type),
    /// The lane type of `T`.
    LaneOf,
    /// The result type of a comparison on `T` (`i8`, or the integer vector of `T`'s shape).
    Truthy,
    /// `T` with lanes of half the width.
    HalfWidth,
    /// `T` with lanes of twice the width.
    DoubleWidth,
    /// Half-width lanes, twice as many.
    SplitLanes,
    /// Double-width lanes, half as many.
    MergeLanes,
    /// The fixed vector that is the minimum of dynamic `T`.
    DynToVector,
    /// Any type of the set, independent of `T`.
    Free(TypeSet),
    /// A scalar of the same kind as `T`, strictly narrower (the operand of `uextend`).
    Narrower,
    /// A scalar of the same kind as `T`, strictly wider (the operand of `ireduce`).
    Wider,
}

impl Constraint {
    /// The type this constraint gives for controlling type `ctrl`, if it determines one.
    pub fn resolve(self, ctrl: Type) -> Option<Type> {
        if ctrl.is_invalid() && !matches!(self, Constraint::Fixed(_)) {
            return None;
        }
        match self {
            Constraint::Same => Some(ctrl),
            Constraint::Fixed(t) => Some(t),
            Constraint::LaneOf => Some(ctrl.lane_type()),
            Constraint::Truthy => Some(ctrl.as_truthy()),
            Constraint::HalfWidth => ctrl.half_width(),
            Constraint::DoubleWidth => ctrl.double_width(),
            Constraint::SplitLanes => ctrl.split_lanes(),
            Constraint::MergeLanes => ctrl.merge_lanes(),
            Constraint::DynToVector => ctrl.dynamic_to_vector(),
            Constraint::Free(_) | Constraint::Narrower | Constraint::Wider => None,
        }
    }

    /// Whether `t` satisfies this constraint for controlling type `ctrl`.
    pub fn admits(self, ctrl: Type, t: Type) -> bool {
        match self {
            Constraint::Free(set) => set.contains(t),
            Constraint::Narrower => {
                t.is_scalar()
                    && ctrl.is_scalar()
                    && t.is_int() == ctrl.is_int()
                    && t.bits() < ctrl.bits()
            }
            Constraint::Wider => {
                t.is_scalar()
                    && ctrl.is_scalar()
                    && t.is_int() == ctrl.is_int()
                    && t.bits() > ctrl.bits()
            }
            other => other.resolve(ctrl) == Some(t),
        }
    }
}

/// Properties of an opcode that passes and backends query.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct OpcodeFlags {
    /// Transfers control to other blocks.
    pub is_branch: bool,
    /// Ends its block.
    pub is_terminator: bool,
    /// Calls a function.
    pub is_call: bool,
    /// Returns from the function (including tail calls).
    pub is_return: bool,
    /// May trap.
    pub can_trap: bool,
    /// Reads memory.
    pub can_load: bool,
    /// Writes memory.
    pub can_store: bool,
    /// Has effects beyond its results and the above.
    pub other_side_effects: bool,
    /// Its side effects (a trap) happen the same way however often it runs with the same
    /// operands, so two identical instructions may be merged.
    pub side_effects_idempotent: bool,
}

const fn flags(names: &[&str]) -> OpcodeFlags {
    let mut f = OpcodeFlags {
        is_branch: false,
        is_terminator: false,
        is_call: false,
        is_return: false,
        can_trap: false,
        can_load: false,
        can_store: false,
        other_side_effects: false,
        side_effects_idempotent: false,
    };
    let mut i = 0;
    while i < names.len() {
        match names[i].as_bytes() {
            b"branch" => {
                f.is_branch = true;
                f.is_terminator = true;
            }
            b"terminator" => f.is_terminator = true,
            b"call" => f.is_call = true,
            b"return" => {
                f.is_return = true;
                f.is_terminator = true;
            }
            b"trap" => f.can_trap = true,
            b"load" => f.can_load = true,
            b"store" => f.can_store = true,
            b"effects" => f.other_side_effects = true,
            b"idempotent" => f.side_effects_idempotent = true,
            _ => panic!("unknown opcode flag"),
        }
        i += 1;
    }
    f
}

/// Everything the table says about one opcode.
#[derive(Clone, Copy, Debug)]
pub struct OpcodeInfo {
    /// The text name.
    pub name: &'static str,
    /// The operand format.
    pub format: InstructionFormat,
    /// Where the controlling type comes from.
    pub ctrl: CtrlType,
    /// Type rules of the fixed value operands, in order (value lists are checked by the
    /// verifier against signatures and block parameters instead).
    pub operands: &'static [Constraint],
    /// Type rules of the results; calls take theirs from the signature instead.
    pub results: &'static [Constraint],
    /// Properties.
    pub flags: OpcodeFlags,
    /// What the opcode does: its doc comment in the table (one or more sentences; each
    /// line's text starts with a space).
    pub doc: &'static str,
}

macro_rules! define_opcodes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $name:literal: $format:ident, $ctrl:expr,
            [$($operand:expr),*] -> [$($result:expr),*] $(, $flag:literal)*;
    )*) => {
        /// A CLIF opcode.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum Opcode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant,)*];

            /// What the table says about this opcode.
            pub fn info(self) -> &'static OpcodeInfo {
                &INFOS[self as usize]
            }
        }

        const INFOS: &[OpcodeInfo] = &[$(
            OpcodeInfo {
                name: $name,
                format: InstructionFormat::$format,
                ctrl: $ctrl,
                operands: &[$($operand),*],
                results: &[$($result),*],
                flags: flags(&[$($flag),*]),
                doc: concat!($($doc),*),
            },
        )*];

        const NAMES: &[&str] = &[$($name,)*];
    };
}

use Constraint::{
    DoubleWidth, DynToVector, Fixed, Free, HalfWidth, LaneOf, MergeLanes, Narrower, Same,
    SplitLanes, Truthy, Wider,
};
use CtrlType::{None as Mono, Operand as Op, Suffix};

const I8: Constraint = Fixed(Type::I8);
const IADDR: Constraint = Free(ts::IADDR);

define_opcodes! {
    /// Jumps to a block with arguments.
    Jump "jump": Jump, Mono, [] -> [], "branch";
    /// Branches to the first block call if the condition is non-zero, else the second.
    Brif "brif": Brif, Op(0, ts::IB), [Same] -> [], "branch";
    /// Branches through a jump table on an `i32` index; out of range takes the default.
    BrTable "br_table": BranchTable, Mono, [Fixed(Type::I32)] -> [], "branch";
    /// Returns the operands.
    Return "return": MultiAry, Mono, [] -> [], "return";
    /// Traps unconditionally.
    Trap "trap": Trap, Mono, [] -> [], "trap", "terminator";
    /// Traps if the operand is zero.
    Trapz "trapz": CondTrap, Op(0, ts::IB), [Same] -> [], "trap";
    /// Traps if the operand is non-zero.
    Trapnz "trapnz": CondTrap, Op(0, ts::IB), [Same] -> [], "trap";
    /// A debugger breakpoint.
    Debugtrap "debugtrap": Nullary, Mono, [] -> [], "effects", "load", "store";
    /// Calls a declared function.
    Call "call": Call, Mono, [] -> [], "call";
    /// Calls a function through a pointer.
    CallIndirect "call_indirect": CallIndirect, Mono, [] -> [], "call";
    /// Tail-calls a declared function.
    ReturnCall "return_call": Call, Mono, [] -> [], "call", "return";
    /// Tail-calls a function through a pointer.
    ReturnCallIndirect "return_call_indirect": CallIndirect, Mono, [] -> [], "call", "return";
    /// The address of a declared function.
    FuncAddr "func_addr": FuncAddr, Suffix(ts::IADDR), [] -> [Same];
    /// Calls a declared function; returns go to one block, exceptions to handlers.
    TryCall "try_call": TryCall, Mono, [] -> [], "call", "branch";
    /// `try_call` through a pointer.
    TryCallIndirect "try_call_indirect": TryCallIndirect, Mono, [] -> [], "call", "branch";
    /// The address of an exception handler block of a `try_call` in this function.
    GetExceptionHandlerAddress "get_exception_handler_address": ExceptionHandlerAddress,
        Suffix(ts::IADDR), [] -> [Same];
    /// Loads a value.
    Load "load": Load, Suffix(ts::MEM), [IADDR] -> [Same], "load";
    /// Stores a value.
    Store "store": Store, Op(0, ts::MEM), [Same, IADDR] -> [], "store";
    /// Loads 8 bits and zero-extends.
    Uload8 "uload8": Load, Suffix(ts::IEXT8), [IADDR] -> [Same], "load";
    /// Loads 8 bits and sign-extends.
    Sload8 "sload8": Load, Suffix(ts::IEXT8), [IADDR] -> [Same], "load";
    /// Stores the low 8 bits.
    Istore8 "istore8": Store, Op(0, ts::IEXT8), [Same, IADDR] -> [], "store";
    /// Loads 16 bits and zero-extends.
    Uload16 "uload16": Load, Suffix(ts::IEXT16), [IADDR] -> [Same], "load";
    /// Loads 16 bits and sign-extends.
    Sload16 "sload16": Load, Suffix(ts::IEXT16), [IADDR] -> [Same], "load";
    /// Stores the low 16 bits.
    Istore16 "istore16": Store, Op(0, ts::IEXT16), [Same, IADDR] -> [], "store";
    /// Loads 32 bits and zero-extends.
    Uload32 "uload32": Load, Suffix(ts::IEXT32), [IADDR] -> [Same], "load";
    /// Loads 32 bits and sign-extends.
    Sload32 "sload32": Load, Suffix(ts::IEXT32), [IADDR] -> [Same], "load";
    /// Stores the low 32 bits.
    Istore32 "istore32": Store, Op(0, ts::IEXT32), [Same, IADDR] -> [], "store";
    /// Loads 8x8 bits, zero-extending each lane to 16.
    Uload8x8 "uload8x8": Load, Suffix(ts::I16X8), [IADDR] -> [Same], "load";
    /// Loads 8x8 bits, sign-extending each lane to 16.
    Sload8x8 "sload8x8": Load, Suffix(ts::I16X8), [IADDR] -> [Same], "load";
    /// Loads 16x4 bits, zero-extending each lane to 32.
    Uload16x4 "uload16x4": Load, Suffix(ts::I32X4), [IADDR] -> [Same], "load";
    /// Loads 16x4 bits, sign-extending each lane to 32.
    Sload16x4 "sload16x4": Load, Suffix(ts::I32X4), [IADDR] -> [Same], "load";
    /// Loads 32x2 bits, zero-extending each lane to 64.
    Uload32x2 "uload32x2": Load, Suffix(ts::I64X2), [IADDR] -> [Same], "load";
    /// Loads 32x2 bits, sign-extending each lane to 64.
    Sload32x2 "sload32x2": Load, Suffix(ts::I64X2), [IADDR] -> [Same], "load";
    /// The address of a byte in a stack slot.
    StackAddr "stack_addr": StackLoad, Suffix(ts::IADDR), [] -> [Same];
    /// The address of a dynamic stack slot.
    DynamicStackAddr "dynamic_stack_addr": DynamicStackLoad, Suffix(ts::IADDR), [] -> [Same];
    /// The value of a symbolic global value.
    SymbolValue "symbol_value": UnaryGlobalValue, Suffix(ts::MEM), [] -> [Same];
    /// The value of a thread-local global value.
    TlsValue "tls_value": UnaryGlobalValue, Suffix(ts::MEM), [] -> [Same];
    /// An integer constant.
    Iconst "iconst": UnaryImm, Suffix(ts::NARROW_INT), [] -> [Same];
    /// An `f16` constant.
    F16const "f16const": UnaryIeee16, Mono, [] -> [Fixed(Type::F16)];
    /// An `f32` constant.
    F32const "f32const": UnaryIeee32, Mono, [] -> [Fixed(Type::F32)];
    /// An `f64` constant.
    F64const "f64const": UnaryIeee64, Mono, [] -> [Fixed(Type::F64)];
    /// An `f128` constant from the constant pool.
    F128const "f128const": UnaryConst, Mono, [] -> [Fixed(Type::F128)];
    /// A vector constant from the constant pool.
    Vconst "vconst": UnaryConst, Suffix(ts::TXN_FIXED), [] -> [Same];
    /// Does nothing.
    Nop "nop": Nullary, Mono, [] -> [];
    /// `c ? x : y`.
    Select "select": Ternary, Op(1, ts::ANY), [Free(ts::IB), Same, Same] -> [Same];
    /// `select` that never speculates on the condition.
    SelectSpectreGuard "select_spectre_guard": Ternary, Op(1, ts::ANY),
        [Free(ts::IB), Same, Same] -> [Same];
    /// Bitwise `(c & x) | (!c & y)`.
    Bitselect "bitselect": Ternary, Op(1, ts::ANY), [Same, Same, Same] -> [Same];
    /// Integer comparison: 1 or 0 (all ones or zero per lane for vectors).
    Icmp "icmp": IntCompare, Op(0, ts::INT), [Same, Same] -> [Truthy];
    /// Float comparison: 1 or 0 (all ones or zero per lane for vectors).
    Fcmp "fcmp": FloatCompare, Op(0, ts::FLOAT), [Same, Same] -> [Truthy];
    /// Wrapping addition.
    Iadd "iadd": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Wrapping subtraction.
    Isub "isub": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Wrapping negation.
    Ineg "ineg": Unary, Op(0, ts::INT), [Same] -> [Same];
    /// Wrapping absolute value.
    Iabs "iabs": Unary, Op(0, ts::INT), [Same] -> [Same];
    /// Wrapping multiplication.
    Imul "imul": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// The high half of the unsigned double-width product.
    Umulhi "umulhi": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// The high half of the signed double-width product.
    Smulhi "smulhi": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Unsigned division; traps on a zero divisor.
    Udiv "udiv": Binary, Op(0, ts::IB), [Same, Same] -> [Same], "trap", "idempotent";
    /// Signed division rounding toward zero; traps on zero and on MIN / -1.
    Sdiv "sdiv": Binary, Op(0, ts::IB), [Same, Same] -> [Same], "trap", "idempotent";
    /// Unsigned remainder; traps on a zero divisor.
    Urem "urem": Binary, Op(0, ts::IB), [Same, Same] -> [Same], "trap", "idempotent";
    /// Signed remainder with the dividend's sign; traps on a zero divisor.
    Srem "srem": Binary, Op(0, ts::IB), [Same, Same] -> [Same], "trap", "idempotent";
    /// Unsigned addition with an overflow flag.
    UaddOverflow "uadd_overflow": Binary, Op(0, ts::IB), [Same, Same] -> [Same, I8];
    /// Signed addition with an overflow flag.
    SaddOverflow "sadd_overflow": Binary, Op(0, ts::IB), [Same, Same] -> [Same, I8];
    /// Unsigned subtraction with an underflow flag.
    UsubOverflow "usub_overflow": Binary, Op(0, ts::IB), [Same, Same] -> [Same, I8];
    /// Signed subtraction with an overflow flag.
    SsubOverflow "ssub_overflow": Binary, Op(0, ts::IB), [Same, Same] -> [Same, I8];
    /// Unsigned multiplication with an overflow flag.
    UmulOverflow "umul_overflow": Binary, Op(0, ts::NARROW_INT), [Same, Same] -> [Same, I8];
    /// Signed multiplication with an overflow flag.
    SmulOverflow "smul_overflow": Binary, Op(0, ts::NARROW_INT), [Same, Same] -> [Same, I8];
    /// Unsigned addition that traps on overflow.
    UaddOverflowTrap "uadd_overflow_trap": IntAddTrap, Op(0, ts::IEXT16), [Same, Same] -> [Same],
        "trap", "idempotent";
    /// Unsigned addition with carry in and out.
    UaddOverflowCin "uadd_overflow_cin": Ternary, Op(1, ts::IB), [Same, Same, I8] -> [Same, I8];
    /// Signed addition with carry in and overflow out.
    SaddOverflowCin "sadd_overflow_cin": Ternary, Op(1, ts::IB), [Same, Same, I8] -> [Same, I8];
    /// Unsigned subtraction with borrow in and out.
    UsubOverflowBin "usub_overflow_bin": Ternary, Op(1, ts::IB), [Same, Same, I8] -> [Same, I8];
    /// Signed subtraction with borrow in and overflow out.
    SsubOverflowBin "ssub_overflow_bin": Ternary, Op(1, ts::IB), [Same, Same, I8] -> [Same, I8];
    /// Signed minimum.
    Smin "smin": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Unsigned minimum.
    Umin "umin": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Signed maximum.
    Smax "smax": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Unsigned maximum.
    Umax "umax": Binary, Op(0, ts::INT), [Same, Same] -> [Same];
    /// Bitwise and.
    Band "band": Binary, Op(0, ts::ANY), [Same, Same] -> [Same];
    /// Bitwise or.
    Bor "bor": Binary, Op(0, ts::ANY), [Same, Same] -> [Same];
    /// Bitwise xor.
    Bxor "bxor": Binary, Op(0, ts::ANY), [Same, Same] -> [Same];
    /// Bitwise not.
    Bnot "bnot": Unary, Op(0, ts::ANY), [Same] -> [Same];
    /// Rotates left by the second operand modulo the width.
    Rotl "rotl": Binary, Op(0, ts::INT), [Same, Free(ts::IB)] -> [Same];
    /// Rotates right by the second operand modulo the width.
    Rotr "rotr": Binary, Op(0, ts::INT), [Same, Free(ts::IB)] -> [Same];
    /// Shifts left by the second operand modulo the lane width.
    Ishl "ishl": Binary, Op(0, ts::INT), [Same, Free(ts::IB)] -> [Same];
    /// Logical shift right by the second operand modulo the lane width.
    Ushr "ushr": Binary, Op(0, ts::INT), [Same, Free(ts::IB)] -> [Same];
    /// Arithmetic shift right by the second operand modulo the lane width.
    Sshr "sshr": Binary, Op(0, ts::INT), [Same, Free(ts::IB)] -> [Same];
    /// Reverses the bits.
    Bitrev "bitrev": Unary, Op(0, ts::IB), [Same] -> [Same];
    /// Counts leading zero bits.
    Clz "clz": Unary, Op(0, ts::IB), [Same] -> [Same];
    /// Counts leading bits equal to the sign bit, not counting it.
    Cls "cls": Unary, Op(0, ts::IB), [Same] -> [Same];
    /// Counts trailing zero bits.
    Ctz "ctz": Unary, Op(0, ts::IB), [Same] -> [Same];
    /// Reverses the bytes.
    Bswap "bswap": Unary, Op(0, ts::WIDE_INT), [Same] -> [Same];
    /// Counts one bits (per lane).
    Popcnt "popcnt": Unary, Op(0, ts::INT), [Same] -> [Same];
    /// All ones if the operand is non-zero, else zero.
    Bmask "bmask": Unary, Suffix(ts::IB), [Free(ts::IB)] -> [Same];
    /// Float addition.
    Fadd "fadd": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Float subtraction.
    Fsub "fsub": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Float multiplication.
    Fmul "fmul": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Float division.
    Fdiv "fdiv": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Square root.
    Sqrt "sqrt": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Fused multiply-add `x * y + z`.
    Fma "fma": Ternary, Op(1, ts::FLOAT), [Same, Same, Same] -> [Same];
    /// Flips the sign bit.
    Fneg "fneg": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Clears the sign bit.
    Fabs "fabs": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// The first operand with the sign of the second.
    Fcopysign "fcopysign": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Minimum, propagating NaN; -0.0 is less than +0.0.
    Fmin "fmin": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Maximum, propagating NaN; +0.0 is greater than -0.0.
    Fmax "fmax": Binary, Op(0, ts::FLOAT), [Same, Same] -> [Same];
    /// Rounds toward +infinity.
    Ceil "ceil": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Rounds toward -infinity.
    Floor "floor": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Rounds toward zero.
    Trunc "trunc": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Rounds to nearest, ties to even.
    Nearest "nearest": Unary, Op(0, ts::FLOAT), [Same] -> [Same];
    /// Reinterprets the bits as another type of the same size.
    Bitcast "bitcast": LoadNoOffset, Suffix(ts::MEM), [Free(ts::MEM)] -> [Same];
    /// Keeps the low bits of a wider integer.
    Ireduce "ireduce": Unary, Suffix(ts::IB), [Wider] -> [Same];
    /// Zero-extends a narrower integer.
    Uextend "uextend": Unary, Suffix(ts::IB), [Narrower] -> [Same];
    /// Sign-extends a narrower integer.
    Sextend "sextend": Unary, Suffix(ts::IB), [Narrower] -> [Same];
    /// Converts a float to a wider float exactly.
    Fpromote "fpromote": Unary, Suffix(ts::FLOAT_SCALAR), [Narrower] -> [Same];
    /// Converts a float to a narrower float, rounding to nearest even.
    Fdemote "fdemote": Unary, Suffix(ts::FLOAT_SCALAR), [Wider] -> [Same];
    /// Float to unsigned integer; traps on NaN and out of range.
    FcvtToUint "fcvt_to_uint": Unary, Suffix(ts::IB), [Free(ts::FLOAT_SCALAR)] -> [Same],
        "trap", "idempotent";
    /// Float to signed integer; traps on NaN and out of range.
    FcvtToSint "fcvt_to_sint": Unary, Suffix(ts::IB), [Free(ts::FLOAT_SCALAR)] -> [Same],
        "trap", "idempotent";
    /// Float to unsigned integer, saturating; NaN gives 0.
    FcvtToUintSat "fcvt_to_uint_sat": Unary, Suffix(ts::INT_FIXED), [Free(ts::FLOAT_FIXED)] -> [Same];
    /// Float to signed integer, saturating; NaN gives 0.
    FcvtToSintSat "fcvt_to_sint_sat": Unary, Suffix(ts::INT_FIXED), [Free(ts::FLOAT_FIXED)] -> [Same];
    /// Unsigned integer to float, rounding to nearest even.
    FcvtFromUint "fcvt_from_uint": Unary, Suffix(ts::FLOAT_FIXED), [Free(ts::INT_FIXED)] -> [Same];
    /// Signed integer to float, rounding to nearest even.
    FcvtFromSint "fcvt_from_sint": Unary, Suffix(ts::FLOAT_FIXED), [Free(ts::INT_FIXED)] -> [Same];
    /// Splits an integer into its low and high halves.
    Isplit "isplit": Unary, Op(0, ts::WIDE_INT), [Same] -> [HalfWidth, HalfWidth];
    /// Joins low and high halves into an integer twice as wide.
    Iconcat "iconcat": Binary, Op(0, ts::NARROW_INT), [Same, Same] -> [DoubleWidth];
    /// A vector with every lane equal to the operand.
    Splat "splat": Unary, Suffix(ts::TXN), [LaneOf] -> [Same];
    /// Selects bytes of the first operand by the indices in the second; out of range gives 0.
    Swizzle "swizzle": Binary, Op(0, ts::I8X16), [Same, Same] -> [Same];
    /// Replaces one lane.
    Insertlane "insertlane": TernaryImm8, Op(0, ts::TXN), [Same, LaneOf] -> [Same];
    /// Reads one lane.
    Extractlane "extractlane": BinaryImm8, Op(0, ts::TXN), [Same] -> [LaneOf];
    /// Selects bytes of two vectors by a constant mask.
    Shuffle "shuffle": Shuffle, Op(0, ts::I8X16), [Same, Same] -> [Same];
    /// Unsigned average, rounding up.
    AvgRound "avg_round": Binary, Op(0, ts::IXN), [Same, Same] -> [Same];
    /// Unsigned saturating addition.
    UaddSat "uadd_sat": Binary, Op(0, ts::IXN), [Same, Same] -> [Same];
    /// Signed saturating addition.
    SaddSat "sadd_sat": Binary, Op(0, ts::IXN), [Same, Same] -> [Same];
    /// Unsigned saturating subtraction.
    UsubSat "usub_sat": Binary, Op(0, ts::IXN), [Same, Same] -> [Same];
    /// Signed saturating subtraction.
    SsubSat "ssub_sat": Binary, Op(0, ts::IXN), [Same, Same] -> [Same];
    /// Per lane: the second operand if the condition lane's top bit is set, else the third.
    Blendv "blendv": Ternary, Op(1, ts::TXN_FIXED), [Same, Same, Same] -> [Same];
    /// 1 if any lane is non-zero.
    VanyTrue "vany_true": Unary, Op(0, ts::TXN_FIXED), [Same] -> [I8];
    /// 1 if all lanes are non-zero.
    VallTrue "vall_true": Unary, Op(0, ts::TXN_FIXED), [Same] -> [I8];
    /// The top bit of every lane, gathered into an integer.
    VhighBits "vhigh_bits": Unary, Suffix(ts::NARROW_INT), [Free(ts::TXN_FIXED)] -> [Same];
    /// Fixed-point Q15/Q31 multiplication with rounding and saturation.
    SqmulRoundSat "sqmul_round_sat": Binary, Op(0, ts::I16_OR_32), [Same, Same] -> [Same];
    /// A vector whose lane 0 is the operand and other lanes zero.
    ScalarToVector "scalar_to_vector": Unary, Suffix(ts::TXN_FIXED), [LaneOf] -> [Same];
    /// Narrows two vectors into one, saturating signed.
    Snarrow "snarrow": Binary, Op(0, ts::I16_TO_64_X_N), [Same, Same] -> [SplitLanes];
    /// Narrows two signed vectors into one, saturating unsigned.
    Unarrow "unarrow": Binary, Op(0, ts::I16_TO_64_X_N), [Same, Same] -> [SplitLanes];
    /// Narrows two unsigned vectors into one, saturating unsigned.
    Uunarrow "uunarrow": Binary, Op(0, ts::I16_TO_64_X_N), [Same, Same] -> [SplitLanes];
    /// Sign-extends the low half of the lanes.
    SwidenLow "swiden_low": Unary, Op(0, ts::I8_TO_32_X_N), [Same] -> [MergeLanes];
    /// Sign-extends the high half of the lanes.
    SwidenHigh "swiden_high": Unary, Op(0, ts::I8_TO_32_X_N), [Same] -> [MergeLanes];
    /// Zero-extends the low half of the lanes.
    UwidenLow "uwiden_low": Unary, Op(0, ts::I8_TO_32_X_N), [Same] -> [MergeLanes];
    /// Zero-extends the high half of the lanes.
    UwidenHigh "uwiden_high": Unary, Op(0, ts::I8_TO_32_X_N), [Same] -> [MergeLanes];
    /// Adds adjacent lane pairs of both operands.
    IaddPairwise "iadd_pairwise": Binary, Op(0, ts::I8_TO_32_X_N), [Same, Same] -> [Same];
    /// Demotes `f64x2` to the low lanes of an `f32x4`, zeroing the rest.
    Fvdemote "fvdemote": Unary, Op(0, ts::F64X2), [Same] -> [Fixed(Type::F32X4)];
    /// Promotes the low two lanes of an `f32x4` to `f64x2`.
    FvpromoteLow "fvpromote_low": Unary, Op(0, ts::F32X4), [Same] -> [Fixed(Type::F64X2)];
    /// A fixed vector taken from a dynamic vector.
    ExtractVector "extract_vector": BinaryImm8, Op(0, ts::DYN_TXN), [Same] -> [DynToVector];
    /// x86 `pshufb`.
    X86Pshufb "x86_pshufb": Binary, Op(0, ts::I8X16), [Same, Same] -> [Same];
    /// x86 `pmulhrsw`.
    X86Pmulhrsw "x86_pmulhrsw": Binary, Op(0, ts::I16_OR_32), [Same, Same] -> [Same];
    /// x86 `pmaddubsw`.
    X86Pmaddubsw "x86_pmaddubsw": Binary, Op(0, ts::I8X16), [Same, Same] -> [Fixed(Type::I16X8)];
    /// x86 `cvttps2dq`/`cvttpd2dq`: INT_MIN for NaN and out of range lanes.
    X86Cvtt2dq "x86_cvtt2dq": Unary, Suffix(ts::INT_FIXED), [Free(ts::FLOAT_FIXED)] -> [Same];
    /// Atomic read-modify-write; returns the old value.
    AtomicRmw "atomic_rmw": AtomicRmw, Op(1, ts::ATOMIC_MEM), [IADDR, Same] -> [Same],
        "load", "store", "effects";
    /// Atomic compare-and-swap; returns the old value.
    AtomicCas "atomic_cas": AtomicCas, Op(1, ts::ATOMIC_MEM), [IADDR, Same, Same] -> [Same],
        "load", "store", "effects";
    /// Atomic load.
    AtomicLoad "atomic_load": LoadNoOffset, Suffix(ts::ATOMIC_MEM), [IADDR] -> [Same],
        "load", "effects";
    /// Atomic store.
    AtomicStore "atomic_store": StoreNoOffset, Op(0, ts::ATOMIC_MEM), [Same, IADDR] -> [],
        "store", "effects";
    /// A sequentially consistent memory fence.
    Fence "fence": Nullary, Mono, [] -> [], "effects";
    /// Reads the pinned register.
    GetPinnedReg "get_pinned_reg": Nullary, Suffix(ts::IADDR), [] -> [Same], "effects";
    /// Writes the pinned register.
    SetPinnedReg "set_pinned_reg": Unary, Op(0, ts::IADDR), [Same] -> [], "effects";
    /// The frame pointer (needs `preserve_frame_pointers`).
    GetFramePointer "get_frame_pointer": Nullary, Suffix(ts::IADDR), [] -> [Same];
    /// The stack pointer.
    GetStackPointer "get_stack_pointer": Nullary, Suffix(ts::IADDR), [] -> [Same];
    /// This function's return address (needs `preserve_frame_pointers`).
    GetReturnAddress "get_return_address": Nullary, Suffix(ts::IADDR), [] -> [Same];
    /// Switches to another stack, saving this one's context.
    StackSwitch "stack_switch": Ternary, Op(1, ts::IADDR), [Same, Same, Same] -> [Same],
        "load", "store", "effects", "call";
    /// A point debuggers and instrumentation observe; nothing moves across it.
    SequencePoint "sequence_point": Nullary, Mono, [] -> [], "effects";
}

impl Opcode {
    /// The text name (`iadd`).
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The instruction format.
    pub fn format(self) -> InstructionFormat {
        self.info().format
    }

    /// The opcode named `name`, if any. O(log n).
    pub fn parse(name: &str) -> Option<Opcode> {
        SORTED
            .binary_search_by(|&op| op.name().cmp(name))
            .ok()
            .map(|i| SORTED[i])
    }

    /// Properties.
    pub fn flags(self) -> OpcodeFlags {
        self.info().flags
    }

    /// Whether the opcode transfers control to other blocks.
    pub fn is_branch(self) -> bool {
        self.info().flags.is_branch
    }

    /// Whether the opcode ends its block.
    pub fn is_terminator(self) -> bool {
        self.info().flags.is_terminator
    }

    /// Whether the opcode calls a function.
    pub fn is_call(self) -> bool {
        self.info().flags.is_call
    }

    /// Whether the opcode returns from the function.
    pub fn is_return(self) -> bool {
        self.info().flags.is_return
    }

    /// Whether the opcode may trap.
    pub fn can_trap(self) -> bool {
        self.info().flags.can_trap
    }

    /// Whether the opcode reads memory.
    pub fn can_load(self) -> bool {
        self.info().flags.can_load
    }

    /// Whether the opcode writes memory.
    pub fn can_store(self) -> bool {
        self.info().flags.can_store
    }

    /// Whether the opcode has other side effects.
    pub fn other_side_effects(self) -> bool {
        self.info().flags.other_side_effects
    }

    /// Whether the opcode's controlling type comes from its type suffix or an operand.
    pub fn is_polymorphic(self) -> bool {
        !matches!(self.info().ctrl, CtrlType::None)
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every opcode sorted by name, for [`Opcode::parse`].
static SORTED: [Opcode; Opcode::ALL.len()] = sorted_by_name();

const fn sorted_by_name() -> [Opcode; Opcode::ALL.len()] {
    let mut ops = [Opcode::Nop; Opcode::ALL.len()];
    let mut i = 0;
    while i < ops.len() {
        ops[i] = Opcode::ALL[i];
        i += 1;
    }
    // Insertion sort at compile time.
    let mut i = 1;
    while i < ops.len() {
        let mut j = i;
        while j > 0 && str_less(name_of(ops[j]), name_of(ops[j - 1])) {
            let t = ops[j];
            ops[j] = ops[j - 1];
            ops[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    ops
}

const fn name_of(op: Opcode) -> &'static str {
    NAMES[op as usize]
}

const fn str_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}
