#!/usr/bin/env bash
# Runs Gantry's whole test suite, first installing what it needs on a Debian machine.
#
#   ./scripts/test.sh [extra cargo test arguments]
#
# Needs a Rust toolchain (rustup's stable, 1.86 or newer). Debian packages the tests use
# are installed with apt-get when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: python3 for the oracle's generator; qemu-user-static
# and the aarch64 and s390x cross gcc with their C libraries, with which the filetest
# runner builds its loaders and runs aarch64 and s390x code (a missing one fails the run
# tests, never skips them); vim, Emacs and npm for the editor grammars' tests (headless
# vim and batch Emacs check the vim syntax and the Emacs mode; npm installs
# vscode-tmgrammar-test, which checks the TextMate grammar).
APT_PACKAGES=(gcc libc6-dev xz-utils python3 qemu-user-static gcc-aarch64-linux-gnu
    binutils-aarch64-linux-gnu libc6-dev-arm64-cross gcc-s390x-linux-gnu
    binutils-s390x-linux-gnu libc6-dev-s390x-cross vim emacs-nox)
# npm only where the machine has no Node.js of its own (Debian's npm conflicts with
# NodeSource's nodejs, which bundles npm).
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

install_missing_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0 # not Debian: trust the machine
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "test.sh: installing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_missing_packages

# The VS Code extension's node packages (vscode-tmgrammar-test for the grammar's test),
# at the versions of its package-lock.json.
if [ ! -x editors/vscode/node_modules/.bin/vscode-tmgrammar-test ]; then
    (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "test.sh: cargo not found; install Rust with rustup (stable 1.86 or newer)" >&2
    exit 1
fi

# cargo test prints one summary per test binary; add them up into one closing line.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# --no-fail-fast: every test binary runs and reports, whatever fails first.
cargo test --workspace --all-features --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?

# A focused subset built for the big-endian s390x host, run under qemu.
echo; echo "=== reader, printer, stencil hash and object writer on a big-endian host"
./scripts/big_endian_host.sh 2>&1 | tee -a "$log" || status=1

# The independent oracle (scripts/cranelift_oracle): fixed batches of random functions
# whose results Cranelift's interpreter computes, run at opt_level none and speed. A
# batch fails on a mismatch, and also when too many generated calls were dropped or
# fewer lines ran than were kept. First the drop check itself must fire.
oracle=(scripts/cranelift_oracle/run.sh)
oracle_failed=0
echo; echo "=== differential test against Cranelift's interpreter"
if ORACLE_MAX_DROPPED=0 "${oracle[@]}" 0 50 >/dev/null 2>&1; then
    echo "the oracle passed although it was allowed to drop no line"
    oracle_failed=$((oracle_failed + 1))
fi
"${oracle[@]}" 0 2000 || oracle_failed=$((oracle_failed + 1))
ORACLE_SIMD=1 ORACLE_MAX_DROPPED=0.10 "${oracle[@]}" 100000 1000 has_sse3 has_ssse3 \
    has_sse41 has_sse42 has_fma has_popcnt has_lzcnt has_bmi1 has_bmi2 has_avx ||
    oracle_failed=$((oracle_failed + 1))
# The same on aarch64 and s390x, under qemu.
ORACLE_TARGET=aarch64 "${oracle[@]}" 200000 1000 || oracle_failed=$((oracle_failed + 1))
ORACLE_TARGET=s390x "${oracle[@]}" 300000 1000 || oracle_failed=$((oracle_failed + 1))
[ "$oracle_failed" -eq 0 ] || status=1

# The closing line: cargo's tests, plus one failure per failed oracle check, and one if
# cargo failed without a failing test to show for it (a test target that did not build).
awk -v of="$oracle_failed" -v st="$status" '/^test result:/ { p += $4; f += $6; i += $8 }
     END { if (st != 0 && f + of == 0) f = 1
           printf "\ntests: %d passed, %d failed, %d skipped\n", p, f + of, i }' "$log"
exit "$status"
