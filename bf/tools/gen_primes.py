#!/usr/bin/env python3
"""Writes bf/programs/primes.bf, a Brainfuck program printing the primes below 256 (one
per line, in decimal) by trial division, and primes.out, the expected output computed
here in Python.

The program is generated from a small macro assembler over named tape cells, so every
loop is balanced and ends where it started. Cells are 8-bit (the client wraps), so the
numbers stay below 256. Zero tests are O(1): a tested cell x is followed by two helper
cells holding 1 and 0, and `x[>-]>[< ... >->]<<` runs the body only when x is 0.
"""

import os
import sys

LIMIT = 256


class Asm:
    def __init__(self):
        self.code = []
        self.ptr = 0
        self.next = 0
        self.flagged = []

    def var(self, zero_test=False):
        at = self.next
        self.next += 3 if zero_test else 1
        if zero_test:
            self.flagged.append(at)
        return at

    def emit(self, s):
        self.code.append(s)

    def at(self, x):
        d = x - self.ptr
        self.emit(">" * d if d > 0 else "<" * -d)
        self.ptr = x

    def add(self, x, n):
        self.at(x)
        n %= 256
        self.emit("+" * n if n <= 128 else "-" * (256 - n))

    def clear(self, x):
        self.at(x)
        self.emit("[-]")

    def set(self, x, n):
        self.clear(x)
        self.add(x, n)

    def loop(self, x, body):
        """while x != 0: body (which must change x)."""
        self.at(x)
        self.emit("[")
        body()
        self.at(x)
        self.emit("]")

    def move(self, src, dsts):
        """Adds src to every cell of dsts; src becomes 0."""

        def body():
            for d in dsts:
                self.add(d, 1)
            self.add(src, -1)

        self.loop(src, body)

    def copy(self, src, dst, tmp):
        """dst = src (tmp must be 0 and stays 0)."""
        self.clear(dst)
        self.move(src, [dst, tmp])
        self.move(tmp, [src])

    def if_zero(self, x, body):
        """Runs body when x == 0; x keeps its value (x must be a zero_test cell)."""
        one, zero = x + 1, x + 2
        self.at(x)
        self.emit("[>-]>")  # at `one` if x == 0, else at `zero`
        self.ptr = one
        self.emit("[")
        body()
        self.at(one)
        self.emit("->]")  # both paths now stand on `zero`
        self.ptr = zero
        self.add(one, 1)  # restore the helper

    def when(self, flag, body):
        """Runs body when the 0/1 cell flag is 1, clearing it."""

        def inner():
            body()
            self.add(flag, -1)

        self.loop(flag, inner)


def program():
    a = Asm()
    n = a.var()
    count = a.var()
    isprime = a.var()
    d = a.var()
    c = a.var()
    k = a.var()
    r = a.var(zero_test=True)
    z = a.var()
    tmp = a.var()
    digits = [a.var() for _ in range(3)]  # hundreds, tens, ones of n
    lefts = [a.var(zero_test=True) for _ in range(2)]  # steps to the next carry
    show = a.var()
    prologue = a.next
    for f in a.flagged:
        a.add(f + 1, 1)
    assert prologue < 64

    a.set(n, 2)
    a.set(count, LIMIT - 2)  # n = 2 .. 255
    a.set(digits[2], 2)
    a.set(lefts[1], 8)  # ones: 2 -> 10 in 8 steps
    a.set(lefts[0], 10)  # tens: 10 steps of ten

    def per_n():
        a.set(isprime, 1)
        a.set(d, 2)
        a.copy(n, c, tmp)
        a.add(c, -2)  # d = 2 .. n-1

        def per_d():
            # z = 1 iff d divides n: count n down in steps, r counting d down.
            a.clear(z)
            a.copy(d, r, tmp)
            a.copy(n, k, tmp)

            def per_step():
                a.clear(z)
                a.add(r, -1)

                def wrap():
                    a.copy(d, r, tmp)
                    a.add(z, 1)

                a.if_zero(r, wrap)
                a.add(k, -1)

            a.loop(k, per_step)
            a.when(z, lambda: a.clear(isprime))
            a.add(d, 1)
            a.add(c, -1)

        a.loop(c, per_d)

        def print_n():
            a.clear(show)
            a.copy(digits[0], tmp, show)
            a.loop(tmp, lambda: (a.clear(tmp), a.set(show, 1)))

            def print_hundreds():
                a.add(digits[0], 48)
                a.emit(".")
                a.add(digits[0], -48)
                a.add(show, -1)

            a.loop(show, print_hundreds)
            a.copy(digits[0], tmp, show)
            a.copy(digits[1], show, c)  # c is 0 here
            a.move(show, [tmp])
            a.loop(tmp, lambda: (a.clear(tmp), a.set(show, 1)))

            def print_tens():
                a.add(digits[1], 48)
                a.emit(".")
                a.add(digits[1], -48)
                a.add(show, -1)

            a.loop(show, print_tens)
            a.add(digits[2], 48)
            a.emit(".")
            a.add(digits[2], -48)
            a.set(tmp, 10)
            a.emit(".")
            a.clear(tmp)

        a.when(isprime, print_n)

        # n += 1, and its decimal digits with carries.
        a.add(n, 1)
        a.add(digits[2], 1)
        a.add(lefts[1], -1)

        def carry_ones():
            a.clear(digits[2])
            a.set(lefts[1], 10)
            a.add(digits[1], 1)
            a.add(lefts[0], -1)

            def carry_tens():
                a.clear(digits[1])
                a.set(lefts[0], 10)
                a.add(digits[0], 1)

            a.if_zero(lefts[0], carry_tens)

        a.if_zero(lefts[1], carry_ones)
        a.add(count, -1)

    a.loop(count, per_n)
    return "".join(a.code)


def wrap(code, width=79):
    return "\n".join(code[i : i + width] for i in range(0, len(code), width)) + "\n"


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "programs"
    )
    header = (
        "Prints the primes below 256 one per line by trial division\n"
        "Generated by the script gen_primes in bf/tools; do not edit\n\n"
    )
    header = header.translate(str.maketrans("", "", "+-<>[].,"))
    with open(os.path.join(out_dir, "primes.bf"), "w") as f:
        f.write(header + wrap(program()))
    primes = [p for p in range(2, LIMIT) if all(p % q for q in range(2, p))]
    with open(os.path.join(out_dir, "primes.out"), "w") as f:
        f.write("".join(f"{p}\n" for p in primes))


if __name__ == "__main__":
    main()
