import random, struct, sys

import os

INTS = ["i8", "i16", "i32", "i64", "i128"]
# 128-bit vectors (with ORACLE_SIMD=1; run with has_sse3 has_ssse3 has_sse41 has_sse42).
SIMD = os.environ.get("ORACLE_SIMD") == "1"
IVECS = ["i8x16", "i16x8", "i32x4", "i64x2"]
FVECS = ["f32x4", "f64x2"]
# With ORACLE_MORE=1 as well: 64-bit vectors, and the 64-bit-lane operations SSE lacks
# (min/max, iabs, sshr) and popcnt of every lane width.
MORE = os.environ.get("ORACLE_MORE") == "1"
IVECS64 = ["i8x8", "i16x4", "i32x2"]
LANE = {"i8x16": "i8", "i16x8": "i16", "i32x4": "i32", "i64x2": "i64", "f32x4": "f32", "f64x2": "f64",
        "i8x8": "i8", "i16x4": "i16", "i32x2": "i32"}
LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2,
         "i8x8": 8, "i16x4": 4, "i32x2": 2}
FLOATS = ["f32", "f64"]
BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "i128": 128, "f32": 32, "f64": 64}

def fmt_float(ty, x):
    if x != x:
        return "+NaN"
    if x == float("inf"):
        return "+Inf"
    if x == float("-inf"):
        return "-Inf"
    if x == 0.0:
        return "-0.0" if str(x).startswith("-") else "0.0"
    if ty == "f32":
        x = struct.unpack("<f", struct.pack("<f", x))[0]
    return x.hex().replace("+", "")

def rand_arg(r, ty):
    if ty in FLOATS:
        c = r.choice([0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -2.25, 3.0e9, -7.5e18, 1e-30, 2.0**31, 2.0**63, -(2.0**63), 255.5, float("inf"), float("-inf"), r.uniform(-1e6, 1e6), r.uniform(-10, 10)])
        return fmt_float(ty, c)
    b = BITS[ty]
    c = r.choice([0, 1, -1, 2, (1 << (b - 1)) - 1, -(1 << (b - 1)), (1 << (b - 1)) - 2, r.randrange(-(1 << (b - 1)), 1 << (b - 1)), r.randrange(-100, 100), r.randrange(0, 1 << min(b - 1, 20))])
    return str(c)

class Fn:
    def __init__(self, r):
        self.r = r
        self.lines = []
        self.vals = {t: [] for t in INTS + FLOATS + IVECS + FVECS + IVECS64}
        self.n = 0
        self.callee = None
    def new(self, ty, rhs):
        v = f"v{self.n}"
        self.n += 1
        self.lines.append(f"    {v} = {rhs}")
        self.vals[ty].append(v)
        return v
    def canon(self, ty, v):
        """`v`, or the canonical NaN of `ty` when it is a NaN and CANON is set (the new
        values stay out of the pool, so the random choices do not change)."""
        if not CANON:
            return v
        nan = "0x7fc00000" if ty == "f32" else "0x7ff8000000000000"
        it = "i32" if ty == "f32" else "i64"
        u, k, c, out = (f"v{self.n + i}" for i in range(4))
        self.n += 4
        self.lines.append(f"    {u} = fcmp uno {v}, {v}")
        self.lines.append(f"    {k} = iconst.{it} {nan}")
        self.lines.append(f"    {c} = bitcast.{ty} {k}")
        self.lines.append(f"    {out} = select {u}, {c}, {v}")
        return out
    def addr(self):
        v = f"v{self.n}"
        self.n += 1
        self.lines.append(f"    {v} = stack_addr.i64 ss0")
        return v
    def pick(self, ty):
        if not self.vals[ty] or self.r.random() < 0.1:
            return self.const(ty)
        return self.r.choice(self.vals[ty][-8:] if self.r.random() < 0.7 else self.vals[ty])
    def const(self, ty):
        if ty in IVECS + FVECS + IVECS64:
            if self.r.random() < 0.5:
                return self.new(ty, f"splat.{ty} {self.pick(LANE[ty])}")
            lanes = " ".join(rand_arg(self.r, LANE[ty]) for _ in range(LANES[ty]))
            return self.new(ty, f"vconst.{ty} [{lanes}]")
        if ty in FLOATS:
            return self.new(ty, f"{ty}const {rand_arg(self.r, ty)}")
        if ty == "i128":
            lo = self.new("i64", f"iconst.i64 {rand_arg(self.r, 'i64')}")
            return self.new("i128", f"sextend.i128 {lo}")
        return self.new(ty, f"iconst.{ty} {rand_arg(self.r, ty)}")
    def int_op(self, ty):
        r = self.r
        a, b = self.pick(ty), self.pick(ty)
        small = ty != "i128"
        ops = ["iadd", "isub", "imul", "band", "bor", "bxor",
               "ishl", "ushr", "sshr", "rotl", "rotr", "smin", "smax", "umin", "umax"]
        un = ["ineg", "bnot", "iabs", "clz", "ctz", "cls", "popcnt", "bitrev"] + (["bswap"] if ty != "i8" else [])
        k = r.random()
        if k < 0.1:
            op = r.choice(["iadd", "isub", "band", "bor", "bxor"])
            return self.new(ty, f"{op} {a}, {self.const(ty)}")
        if k < 0.14 and ty in ("i32", "i64"):
            # Scaled-index additions (`lea`).
            amt = self.new("i8", f"iconst.i8 {r.randint(0, 4)}")
            shl = self.new(ty, f"ishl {b}, {amt}")
            return self.new(ty, f"iadd {a}, {shl}" if r.random() < 0.5 else f"iadd {shl}, {a}")
        if k < 0.45:
            op = r.choice(ops)
            if op in ("ishl", "ushr", "sshr", "rotl", "rotr") and r.random() < 0.5:
                st = r.choice(["i8", "i32", "i64"])
                b = self.pick(st)
            return self.new(ty, f"{op} {a}, {b}")
        if k < 0.6:
            return self.new(ty, f"{r.choice(un)} {a}")
        if k < 0.68:
            op = r.choice(["udiv", "sdiv", "urem", "srem"])
            one = self.new(ty, f"iconst.{ty} 1") if ty != "i128" else self.const(ty)
            d = self.new(ty, f"bor {b}, {one}")
            if op in ("sdiv",):
                # avoid MIN / -1: force the divisor positive
                d = self.new(ty, f"ushr {d}, {self.new('i8', 'iconst.i8 1')}")
                d = self.new(ty, f"bor {d}, {one}")
            return self.new(ty, f"{op} {a}, {d}")
        if k < 0.75:
            c = self.pick(r.choice(INTS))
            cc = r.choice(["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"])
            x = self.pick(ty)
            cond = self.new("i8", f"icmp {cc} {x}, {self.pick(ty)}") if r.random() < 0.7 else c
            return self.new(ty, f"select {cond}, {a}, {b}")
        if k < 0.82:
            src = r.choice([t for t in INTS if t != ty])
            s = self.pick(src)
            if BITS[src] < BITS[ty]:
                return self.new(ty, f"{r.choice(['uextend', 'sextend'])}.{ty} {s}")
            return self.new(ty, f"ireduce.{ty} {s}")
        if k < 0.86 and small:
            return self.new(ty, f"{r.choice(['umulhi', 'smulhi'])} {a}, {b}")
        if k < 0.9:
            cc = r.choice(["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"])
            c = self.new("i8", f"icmp {cc} {a}, {b}")
            return self.new(ty, f"uextend.{ty} {c}") if ty != "i8" else c
        if k < 0.94 and small:
            f = self.pick(r.choice(FLOATS))
            return self.new(ty, f"{r.choice(['fcvt_to_sint_sat', 'fcvt_to_uint_sat'])}.{ty} {f}")
        if k < 0.97 and ty in ("i32", "i64"):
            ft = "f32" if ty == "i32" else "f64"
            return self.new(ty, f"bitcast.{ty} {self.canon(ft, self.pick(ft))}")
        if small:
            op = r.choice(["uadd_overflow", "sadd_overflow", "usub_overflow", "ssub_overflow", "umul_overflow", "smul_overflow"])
            v = f"v{self.n}"; o = f"v{self.n+1}"; self.n += 2
            self.lines.append(f"    {v}, {o} = {op} {a}, {b}")
            self.vals[ty].append(v); self.vals["i8"].append(o)
            return v
        return self.new(ty, f"iadd {a}, {b}")
    def float_op(self, ty):
        r = self.r
        a, b = self.pick(ty), self.pick(ty)
        k = r.random()
        if k < 0.35:
            op = r.choice(['fadd', 'fsub', 'fmul', 'fdiv', 'fmin', 'fmax', 'fcopysign'])
            # A NaN's sign is unspecified too: fcopysign would show it.
            b = self.canon(ty, b) if op == "fcopysign" else b
            return self.new(ty, f"{op} {a}, {b}")
        if k < 0.55:
            return self.new(ty, f"{r.choice(['fneg', 'fabs', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest'])} {a}")
        if k < 0.62:
            return self.new(ty, f"fma {a}, {b}, {self.pick(ty)}")
        if k < 0.72:
            src = r.choice(["i8", "i16", "i32", "i64"])
            return self.new(ty, f"{r.choice(['fcvt_from_sint', 'fcvt_from_uint'])}.{ty} {self.pick(src)}")
        if k < 0.8:
            other = "f64" if ty == "f32" else "f32"
            op = "fdemote" if ty == "f32" else "fpromote"
            return self.new(ty, f"{op}.{ty} {self.pick(other)}")
        if k < 0.9:
            cc = r.choice(["eq", "ne", "lt", "le", "gt", "ge", "uno", "ord", "ueq", "one", "ult", "ule", "ugt", "uge"])
            c = self.new("i8", f"fcmp {cc} {self.pick(ty)}, {self.pick(ty)}")
            return self.new(ty, f"select {c}, {a}, {b}")
        it = "i32" if ty == "f32" else "i64"
        return self.new(ty, f"bitcast.{ty} {self.pick(it)}")

# The bits of a NaN are unspecified by CLIF: the interpreter gives x86-64's. Off x86-64,
# a float whose bits become visible (bitcast to an integer, stored to memory) is made a
# canonical NaN first when it is one, so the comparison stays exact.
CANON = os.environ.get("ORACLE_TARGET", "x86_64") != "x86_64"

# The interpreter's memory is little-endian: on a big-endian target every access that
# may reinterpret bytes names its byte order (either, at random, so both are exercised).
BIG_ENDIAN = os.environ.get("ORACLE_TARGET", "x86_64") == "s390x"

def endian(f):
    return " " + f.r.choice(["little", "big"]) if BIG_ENDIAN else ""

def mem_op(f):
    r = f.r
    ty = r.choice(INTS + FLOATS + ["i32", "i64"])
    size = BITS[ty] // 8
    off = r.randrange(0, 64 - size + 1)
    if r.random() < 0.5:
        v = f.pick(ty)
        if ty in FLOATS:
            v = f.canon(ty, v)
        if True:
            a = f.addr()
            if ty in ("i16", "i32", "i64") and r.random() < 0.4:
                n = r.choice([b for b in (8, 16, 32) if b < BITS[ty]])
                f.lines.append(f"    istore{n}{endian(f)} {v}, {a}+{off}")
            else:
                f.lines.append(f"    store{endian(f)} {v}, {a}+{off}")
    else:
        if True:
            a = f.addr()
            if ty in ("i16", "i32", "i64") and r.random() < 0.4:
                n = r.choice([b for b in (8, 16, 32) if b < BITS[ty]])
                f.new(ty, f"{r.choice(['uload', 'sload'])}{n}.{ty}{endian(f)} {a}+{off}")
            else:
                f.new(ty, f"load.{ty}{endian(f)} {a}+{off}")

def vec_op(f):
    r = f.r
    k = r.random()
    if k < 0.6:
        ty = r.choice(IVECS + IVECS64) if MORE else r.choice(IVECS)
        bits = int(LANE[ty][1:])
        small = ty in IVECS64
        a, b = f.pick(ty), f.pick(ty)
        ops = ["iadd", "isub", "band", "bor", "bxor", "umin", "umax", "smin", "smax"]
        if bits <= 16:
            ops += ["uadd_sat", "sadd_sat", "usub_sat", "ssub_sat", "avg_round"]
        if bits == 16:
            ops += ["umulhi", "smulhi", "imul"]
        if bits == 32:
            ops += ["imul", "iadd_pairwise"]
        if bits == 16:
            ops += ["iadd_pairwise"]
        if ty == "i8x16":
            ops += ["swizzle"]
        if bits == 64 and not MORE:
            ops = [o for o in ops if o not in ("umin", "umax", "smin", "smax")]
        kk = r.random()
        if kk < 0.5:
            return f.new(ty, f"{r.choice(ops)} {a}, {b}")
        if kk < 0.6:
            un = ["bnot", "ineg"] + (["iabs"] if bits < 64 or MORE else []) + (["popcnt"] if bits == 8 or MORE else [])
            return f.new(ty, f"{r.choice(un)} {a}")
        if kk < 0.7:
            cc = r.choice(["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"])
            return f.new(ty, f"icmp {cc} {a}, {b}")
        if kk < 0.78:
            op = r.choice(["ishl", "ushr"] + (["sshr"] if bits < 64 or MORE else []))
            return f.new(ty, f"{op} {a}, {f.pick('i32')}")
        if kk < 0.84:
            return f.new(ty, f"bitselect {f.pick(ty)}, {a}, {b}")
        if kk < 0.9:
            lane = r.randrange(LANES[ty])
            return f.new(LANE[ty], f"extractlane {a}, {lane}")
        if kk < 0.93:
            return f.new(ty, f"insertlane {a}, {f.pick(LANE[ty])}, {r.randrange(LANES[ty])}")
        if kk < 0.94:
            return f.new(ty, f"scalar_to_vector.{ty} {f.pick(LANE[ty])}")
        if kk < 0.96 and bits < (32 if small else 64):
            wide = ({8: "i16x4", 16: "i32x2"} if small else {8: "i16x8", 16: "i32x4", 32: "i64x2"})[bits]
            return f.new(wide, f"{r.choice(['swiden_low', 'swiden_high', 'uwiden_low', 'uwiden_high'])} {a}")
        if kk < 0.98 and bits in (16, 32):
            narrow = ({16: "i8x8", 32: "i16x4"} if small else {16: "i8x16", 32: "i16x8"})[bits]
            return f.new(narrow, f"{r.choice(['snarrow', 'unarrow', 'uunarrow'])} {a}, {b}")
        if ty == "i8x16" and r.random() < 0.5:
            mask = " ".join(str(r.randrange(32)) for _ in range(16))
            return f.new(ty, f"shuffle {a}, {b}, [{mask}]")
        op = r.choice(["vany_true", "vall_true"])
        return f.new("i8", f"{op} {a}")
    ty = r.choice(FVECS)
    a, b = f.pick(ty), f.pick(ty)
    kk = r.random()
    if kk < 0.4:
        return f.new(ty, f"{r.choice(['fadd', 'fsub', 'fmul', 'fdiv', 'fcopysign'])} {a}, {b}")
    if kk < 0.55:
        return f.new(ty, f"{r.choice(['fneg', 'fabs', 'sqrt', 'floor', 'ceil', 'trunc', 'nearest'])} {a}")
    if kk < 0.6:
        return f.new(ty, f"fma {a}, {b}, {f.pick(ty)}")
    if kk < 0.75:
        ity = {"f32x4": "i32x4", "f64x2": "i64x2"}[ty]
        cc = r.choice(["eq", "ne", "lt", "le", "gt", "ge", "uno", "ord", "ueq", "one", "ult", "ule", "ugt", "uge"])
        return f.new(ity, f"fcmp {cc} {a}, {b}")
    if kk < 0.85:
        return f.new(LANE[ty], f"extractlane {a}, {r.randrange(LANES[ty])}")
    if kk < 0.9:
        return f.new(ty, f"insertlane {a}, {f.pick(LANE[ty])}, {r.randrange(LANES[ty])}")
    if ty == "f32x4" and r.random() < 0.3:
        op = r.choice(["fcvt_to_sint_sat", "fcvt_to_uint_sat"])
        return f.new("i32x4", f"{op}.i32x4 {a}")
    if ty == "f32x4":
        return f.new("f64x2", f"fvpromote_low {a}")
    if r.random() < 0.5:
        op = r.choice(["fcvt_from_sint", "fcvt_from_uint"])
        return f.new("f32x4", f"{op}.f32x4 {f.pick('i32x4')}")
    return f.new("f32x4", f"fvdemote {a}")

def straight(f, n):
    for _ in range(n):
        k = f.r.random()
        if SIMD and k < 0.3:
            vec_op(f)
            continue
        if k < 0.12:
            mem_op(f)
            continue
        ty = f.r.choice(INTS + FLOATS + ["i32", "i64"])
        (f.float_op if ty in FLOATS else f.int_op)(ty)

class Blocks:
    def __init__(self):
        self.n = 1
    def new(self):
        b = f"block{self.n}"
        self.n += 1
        return b

def snapshot(f):
    return {t: list(v) for t, v in f.vals.items()}

def cond(f):
    r = f.r
    k = r.random()
    if k < 0.5:
        ty = r.choice(INTS)
        cc = r.choice(["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"])
        return f.new("i8", f"icmp {cc} {f.pick(ty)}, {f.pick(ty)}")
    if k < 0.7:
        ty = r.choice(FLOATS)
        cc = r.choice(["eq", "ne", "lt", "le", "gt", "ge", "uno", "ord", "ueq", "one", "ult", "ule", "ugt", "uge"])
        return f.new("i8", f"fcmp {cc} {f.pick(ty)}, {f.pick(ty)}")
    return f.pick(r.choice(INTS))

def arms(f, blocks, join, ty, most):
    """Each of `blocks` computes up to `most` operations on what dominates the branch,
    then jumps to `join` with a value of type `ty`; `join` gets it as a parameter."""
    saved = snapshot(f)
    for b in blocks:
        f.vals = {k: list(v) for k, v in saved.items()}
        f.lines.append(f"\n{b}:")
        straight(f, f.r.randint(0, most))
        f.lines.append(f"    jump {join}({f.pick(ty)})")
    f.vals = saved
    p = f"v{f.n}"; f.n += 1
    f.lines.append(f"\n{join}({p}: {ty}):")
    f.vals[ty].append(p)

def diamond(f, bl):
    r = f.r
    c = cond(f)
    t, e, j = bl.new(), bl.new(), bl.new()
    ty = r.choice(INTS + FLOATS)
    f.lines.append(f"    brif {c}, {t}, {e}")
    arms(f, (t, e), j, ty, 6)

def loop(f, bl):
    r = f.r
    h, body, x = bl.new(), bl.new(), bl.new()
    ty = r.choice(["i32", "i64", "f64", "i8", "i128"])
    init = f.pick(ty)
    bound = f.pick("i32") if r.random() < 0.3 else None
    zero = f.new("i32", "iconst.i32 0")
    f.lines.append(f"    jump {h}({zero}, {init})")
    saved = snapshot(f)
    i, acc = f"v{f.n}", f"v{f.n+1}"; f.n += 2
    f.lines.append(f"\n{h}({i}: i32, {acc}: {ty}):")
    f.vals["i32"].append(i); f.vals[ty].append(acc)
    if bound is None:
        lim = f.new("i32", f"iconst.i32 {r.randint(0, 6)}")
    else:
        seven = f.new("i32", "iconst.i32 7")
        lim = f.new("i32", f"band {bound}, {seven}")
    c = f.new("i8", f"icmp ult {i}, {lim}")
    f.lines.append(f"    brif {c}, {body}, {x}({acc})")
    f.lines.append(f"\n{body}:")
    straight(f, r.randint(1, 5))
    if f.callee is not None and r.random() < 0.5:
        call(f, "fn0", *f.callee)
    if ty in FLOATS:
        nxt = f.new(ty, f"fadd {acc}, {f.pick(ty)}")
    else:
        nxt = f.new(ty, f"{r.choice(['iadd', 'bxor', 'imul', 'isub'])} {acc}, {f.pick(ty)}")
    one = f.new("i32", "iconst.i32 1")
    i2 = f.new("i32", f"iadd {i}, {one}")
    f.lines.append(f"    jump {h}({i2}, {nxt})")
    f.vals = saved
    p = f"v{f.n}"; f.n += 1
    f.lines.append(f"\n{x}({p}: {ty}):")
    f.vals[ty].append(p)

def br_table(f, bl):
    r = f.r
    idx = f.pick("i32")
    ty = r.choice(INTS + FLOATS)
    targets = [bl.new() for _ in range(r.randint(1, 4))]
    default, j = bl.new(), bl.new()
    f.lines.append(f"    br_table {idx}, {default}, [{', '.join(targets)}]")
    arms(f, targets + [default], j, ty, 3)

def branch_shapes(f, bl):
    # Conditions the backend fuses into the branch: a masked value, an extended
    # comparison, a loaded value.
    r = f.r
    k = r.random()
    ty = r.choice(["i8", "i16", "i32", "i64"])
    if k < 0.4:
        c = f.new(ty, f"band {f.pick(ty)}, {f.pick(ty)}")
    elif k < 0.7:
        cc = r.choice(["eq", "ne", "slt", "sge", "ult", "ugt"])
        c0 = f.new("i8", f"icmp {cc} {f.pick(ty)}, {f.pick(ty)}")
        c = f.new(ty, f"uextend.{ty} {c0}") if ty != "i8" else c0
    else:
        a = f.addr()
        c = f.new(ty, f"load.{ty}{endian(f)} {a}+{r.randrange(0, 64 - BITS[ty] // 8 + 1)}")
    t, e, j = bl.new(), bl.new(), bl.new()
    vty = r.choice(INTS + FLOATS)
    f.lines.append(f"    brif {c}, {t}, {e}")
    arms(f, (t, e), j, vty, 3)

def with_ext(r, t):
    # A `uext`/`sext` attribute on some narrow integers (it must not change results).
    if t in ("i8", "i16", "i32") and r.random() < 0.3:
        return f"{t} {r.choice(['uext', 'sext'])}"
    return t

def callee(r, name):
    f = Fn(r)
    params = [r.choice(INTS + FLOATS + ["i64", "f64"]) for _ in range(r.randint(0, 12))]
    rets = [r.choice(INTS + FLOATS) for _ in range(r.randint(0, 3 if r.random() < 0.8 else 6))]
    # windows_fastcall exists on x86-64 only; other targets get `fast` in its place (the
    # same random stream, so a seed names the same function shapes on every target).
    last = " windows_fastcall" if os.environ.get("ORACLE_TARGET", "x86_64") == "x86_64" else " fast"
    conv = r.choice(["", "", " tail", " fast", last])
    for t in params:
        v = f"v{f.n}"; f.n += 1; f.vals[t].append(v)
    pnames = [f"v{i}: {t}" for i, t in enumerate(params)]
    for _ in range(r.randint(1, 12)):
        ty = r.choice(INTS + FLOATS)
        (f.float_op if ty in FLOATS else f.int_op)(ty)
    retvals = [f.pick(t) for t in rets]
    pdecl = [with_ext(r, t) for t in params]
    rdecl = [with_ext(r, t) for t in rets]
    sig = f"({', '.join(pdecl)}){' -> ' + ', '.join(rdecl) if rets else ''}{conv}"
    text = f"function %{name}{sig} {{\nblock0({', '.join(pnames)}):\n" + "\n".join(f.lines)
    text += f"\n    return {', '.join(retvals)}\n}}\n"
    if conv == " tail":
        # A tail-calling trampoline with the same signature.
        args = ", ".join(f"v{i}" for i in range(len(params)))
        text += f"\nfunction %{name}_tc{sig} {{\n    fn0 = %{name}{sig}\n"
        text += f"block0({', '.join(pnames)}):\n    return_call fn0({args})\n}}\n"
    return text, params, rets, sig

def call(f, fnref, params, rets):
    args = ", ".join(f.pick(t) for t in params)
    target = f"{fnref}({args})"
    op = "call"
    if f.r.random() < 0.3:
        # Through the function's address.
        ptr = f"v{f.n}"; f.n += 1
        f.lines.append(f"    {ptr} = func_addr.i64 {fnref}")
        target = f"sig0, {ptr}({args})"
        op = "call_indirect"
    if not rets:
        f.lines.append(f"    {op} {target}")
        return
    outs = []
    for t in rets:
        outs.append(f"v{f.n}"); f.n += 1
    f.lines.append(f"    {', '.join(outs)} = {op} {target}")
    for v, t in zip(outs, rets):
        f.vals[t].append(v)

def gen(seed, name):
    r = random.Random(seed)
    f = Fn(r)
    pre = ""
    decls = []
    cparams = None
    if r.random() < 0.4:
        pre, cparams, crets, csig = callee(r, name + "_callee")
        via = "_callee_tc" if csig.endswith(" tail") and r.random() < 0.5 else "_callee"
        decls.append(f"    sig0 = {csig}")
        decls.append(f"    fn0 = %{name}{via} sig0")
        f.callee = (cparams, crets)
    params = [r.choice(INTS + FLOATS + ["i32", "i64", "f64"]) for _ in range(r.randint(1, 4))]
    rets = [r.choice(INTS + FLOATS + (IVECS if SIMD else []) + (IVECS64 if MORE else [])) for _ in range(r.randint(1, 2))]
    for t in params:
        v = f"v{f.n}"; f.n += 1; f.vals[t].append(v)
    pnames = [f"v{i}: {t}" for i, t in enumerate(params)]
    z = f.new("i64", "iconst.i64 0")
    za = f.addr()
    for off in range(0, 64, 8):
        f.lines.append(f"    store {z}, {za}+{off}")
    bl = Blocks()
    for _ in range(r.randint(1, 4)):
        straight(f, r.randint(1, 10))
        k = r.random()
        if k < 0.25:
            diamond(f, bl)
        elif k < 0.4:
            loop(f, bl)
        elif k < 0.5:
            br_table(f, bl)
        elif k < 0.62:
            branch_shapes(f, bl)
        if cparams is not None and r.random() < 0.6:
            call(f, "fn0", cparams, crets)
    retvals = []
    for t in rets:
        vs = f.vals[t][-6:]
        if not vs:
            retvals.append(f.pick(t))
        elif t in FLOATS:
            retvals.append(vs[-1])
        else:
            acc = vs[0]
            for v in vs[1:]:
                acc = f.new(t, f"bxor {acc}, {v}")
            retvals.append(acc)
    body = f.lines
    text = pre + f"\nfunction %{name}({', '.join(params)}) -> {', '.join(rets)} {{\n    ss0 = explicit_slot 64\n"
    text += "".join(d + "\n" for d in decls)
    text += f"block0({', '.join(pnames)}):\n"
    text += "\n".join(body) + f"\n    return {', '.join(retvals)}\n}}\n"
    for _ in range(6):
        text += f"; print: %{name}({', '.join(rand_arg(r, t) for t in params)})\n"
    return text

if __name__ == "__main__":
    start, count = int(sys.argv[1]), int(sys.argv[2])
    print("test run\ntarget x86_64\n")
    for s in range(start, start + count):
        print(gen(s, f"f{s}"))
