#!/usr/bin/env python3
"""Sorts the failures of Gantry's interpreter on an oracle batch.

Usage: nan_bits.py FILE < clif-util-test-output

Cranelift's interpreter computes on the host's floats, so on x86-64 a NaN made by an
invalid operation (inf - inf, 0 * inf, sqrt of a negative) is x86's default NaN, whose
sign bit is set; Gantry's interpreter gives the canonical NaN, whose sign bit is clear
(as aarch64 and s390x do). The two differ only where a function observes a NaN's bits:
a bit cast of a float to an integer, or `fcopysign` taking a NaN's sign. A failing line
whose function has such an observer and an operation that can make a NaN is counted as
this documented difference; any other failure is printed, and the exit status is 1 if
there is one.
"""
import re
import sys

MAKES_NAN = re.compile(r"= (fadd|fsub|fmul|fdiv|sqrt|fma|fmin|fmax|ceil|floor|trunc|nearest)\b")
OBSERVES = re.compile(r"= (bitcast\.i(16|32|64|128) |fcopysign)")


def functions(path):
    """Each function's text, by name."""
    out, name, lines = {}, None, []
    for line in open(path):
        m = re.match(r"function %(\S+)\(", line)
        if m:
            name, lines = m.group(1), []
        if name:
            lines.append(line)
            if line.startswith("}"):
                out[name] = "".join(lines)
                name = None
    return out


def main():
    funcs = functions(sys.argv[1])
    documented, other = 0, []
    for line in sys.stdin:
        m = re.search(r"line \d+: %(\w+)\(", line)
        if not m or " got " not in line:
            continue
        body = funcs.get(m.group(1), "")
        if MAKES_NAN.search(body) and OBSERVES.search(body):
            documented += 1
        else:
            other.append(line.rstrip())
    print(f"{documented} lines differ only by a NaN's sign bit (documented)")
    for line in other:
        print(line)
    sys.exit(1 if other else 0)


if __name__ == "__main__":
    main()
