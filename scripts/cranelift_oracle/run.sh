#!/usr/bin/env bash
# Differential test of Gantry's backends against Cranelift's CLIF interpreter:
#   [ORACLE_TARGET=aarch64] scripts/cranelift_oracle/run.sh [FIRST_SEED] [COUNT] [TARGET FLAGS...]
# generates COUNT random functions, has the interpreter compute their results, and runs
# them with `clif-util test` at opt_level=none and speed, and in Gantry's interpreter
# (`test interpret`). Exits non-zero on a mismatch,
# when more than ORACLE_MAX_DROPPED (default 0.05) of the generated calls were dropped,
# or when clif-util did not run every kept line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
first=${1:-0}
count=${2:-2000}
shift 2 || true
flags="$*"
work=$(mktemp -d)
# Cranelift builds in a target folder of its own (its dependency versions differ).
oracle_target="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/cranelift-oracle}"
oracle_target="${oracle_target:-$here/target}"
gantry_target="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q --release --manifest-path "$here/Cargo.toml" --target-dir "$oracle_target"
cargo build -q --release --manifest-path "$root/Cargo.toml" -p clif-util
python3 "$here/gen.py" "$first" "$count" > "$work/random.clif"
log="$work/oracle.log"
"$oracle_target/release/cranelift-oracle" "$work/random.clif" "$work/expected.clif" \
    "${ORACLE_MAX_DROPPED:-0.05}" 2> "$log" || { cat "$log"; echo "files in $work"; exit 1; }
cat "$log"
kept=$(sed -n 's/^\([0-9]*\) run lines.*/\1/p' "$log")
# The functions run on ORACLE_TARGET (x86_64 by default; aarch64 under qemu).
sed -i "s/^target x86_64\$/target ${ORACLE_TARGET:-x86_64} $flags/" "$work/expected.clif"
status=0
for opt in none speed; do
    echo "opt_level=$opt:"
    out=$("$gantry_target/release/clif-util" test --set "opt_level=$opt" "$work/expected.clif") || status=1
    echo "$out" | tail -n 20
    # Every kept line must have run and passed: a summary of fewer cases is a failure.
    if ! echo "$out" | tail -n 1 | grep -qx "$kept passed, 0 failed, 0 skipped"; then
        echo "expected $kept passed, 0 failed, 0 skipped"
        status=1
    fi
done
# Gantry's interpreter on the same lines: the two interpreters must agree, but where a
# function observes the bits of a NaN an invalid operation made (nan_bits.py says why).
echo "gantry interpreter:"
sed 's/^test run$/test interpret/' "$work/expected.clif" > "$work/interpret.clif"
out=$("$gantry_target/release/clif-util" test "$work/interpret.clif" 2>&1) || true
echo "$out" | tail -n 1
if ! echo "$out" | tail -n 1 | grep -qx "$kept passed, 0 failed, 0 skipped"; then
    echo "$out" | python3 "$here/nan_bits.py" "$work/interpret.clif" || status=1
fi
if [ "$status" -eq 0 ]; then rm -rf "$work"; else echo "files in $work"; fi
exit $status
