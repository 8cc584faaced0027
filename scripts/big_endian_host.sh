#!/usr/bin/env bash
# Runs a focused subset of Gantry's own tests on a big-endian host: built for
# s390x-unknown-linux-gnu (rustup's target, linked by the s390x cross gcc) and run under
# qemu-s390x-static. The reader, the printer, the stencil hash and the object writer
# must behave as on x86-64: the host's byte order leaks nowhere.
#
#   ./scripts/big_endian_host.sh        (scripts/test.sh runs it)
set -euo pipefail
cd "$(dirname "$0")/.."

target=s390x-unknown-linux-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi
export CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_LINKER=s390x-linux-gnu-gcc
export CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_RUNNER="qemu-s390x-static -L /usr/s390x-linux-gnu"
export CC_s390x_unknown_linux_gnu=s390x-linux-gnu-gcc
export AR_s390x_unknown_linux_gnu=s390x-linux-gnu-ar

run() { cargo test --target "$target" --no-fail-fast "$@"; }
status=0
run -p gantry-reader || status=1
run -p gantry-codegen --test print --test stencil_hash --test opcode_table || status=1
run -p gantry-object --test big_endian || status=1
exit $status
