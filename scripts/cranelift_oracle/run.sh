#!/usr/bin/env bash
# Differential test of Gantry's x86-64 backend against Cranelift's CLIF interpreter:
#   scripts/cranelift_oracle/run.sh [FIRST_SEED] [COUNT] [TARGET FLAGS...]
# generates COUNT random functions, has the interpreter compute their results, and runs
# them with `clif-util test` at opt_level=none and speed. Exits non-zero on a mismatch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
first=${1:-0}
count=${2:-2000}
shift 2 || true
flags="$*"
work=$(mktemp -d)
cargo build -q --release --manifest-path "$here/Cargo.toml"
cargo build -q --release --manifest-path "$root/Cargo.toml" -p clif-util
python3 "$here/gen.py" "$first" "$count" > "$work/random.clif"
"$here/target/release/cranelift-oracle" "$work/random.clif" "$work/expected.clif"
sed -i "s/^target x86_64\$/target x86_64 $flags/" "$work/expected.clif"
status=0
for opt in none speed; do
    echo "opt_level=$opt:"
    "$root/target/release/clif-util" test --set "opt_level=$opt" "$work/expected.clif" | tail -n 20 || status=1
done
echo "files in $work"
exit $status
