#!/usr/bin/env bash
# The incremental cache on the real-world corpus (issue 16's acceptance), per file:
#   1. a cold run fills an empty cache folder (its only hits are duplicates: functions of
#      the file with identical stencils);
#   2. a warm run hits every function, and with enable_incremental_compilation_cache_checks
#      each hit is compiled again and must be byte-identical;
#   3. every function renamed (external names only) still hits every function, checked;
#   4. opt_level=speed, and one ISA flag (has_avx), hit none of the first run's entries.
#
#   scripts/cache_corpus.sh CLIF_UTIL CORPUS_DIR
set -euo pipefail
clif_util=$1
corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "cache: H hits, M misses, D duplicates" of one compile run (which must succeed; clif-util
# prints its summary on stderr).
counts() {
    local line
    line=$("$clif_util" compile --target "$target" --set preserve_frame_pointers=true "$@" 2>&1 |
        grep '^cache: ')
    echo "$line" >&2
    sed -E 's/cache: ([0-9]+) hits, ([0-9]+) misses, ([0-9]+) duplicates/\1 \2 \3/' <<<"$line"
}

fail() { echo "cache_corpus.sh: $*" >&2; exit 1; }

for f in "$corpus"/*.clif.xz; do
    xz -dc "$f" >"$tmp/in.clif"
    # Only names change: every user name u<ns>:<index> gets another index.
    sed -E 's/\bu([0-9]+):([0-9]+)/u\1:1\2/g' "$tmp/in.clif" >"$tmp/renamed.clif"
    for target in x86_64 aarch64 s390x; do
        echo "$f ($target)"
        dir="$tmp/cache-$(basename "$f")-$target"
        read -r h m d < <(counts --cache "$dir" "$tmp/in.clif")
        [ "$h" -eq 0 ] || fail "a cold run hit $h entries"
        total=$((m + d))
        checks=(--set enable_incremental_compilation_cache_checks=true)
        read -r h m d < <(counts --cache "$dir" "${checks[@]}" "$tmp/in.clif")
        [ "$h" -eq "$total" ] && [ "$m" -eq 0 ] || fail "warm: $h of $total hits, $m misses"
        read -r h m d < <(counts --cache "$dir" "${checks[@]}" "$tmp/renamed.clif")
        [ "$h" -eq "$total" ] && [ "$m" -eq 0 ] || fail "renamed: $h of $total hits"
        read -r h m d < <(counts --cache "$dir" --set opt_level=speed "$tmp/in.clif")
        [ "$h" -eq 0 ] || fail "opt_level=speed hit $h of the first run's entries"
        if [ "$target" = x86_64 ]; then
            target="x86_64 has_avx"
            read -r h m d < <(counts --cache "$dir" "$tmp/in.clif")
            [ "$h" -eq 0 ] || fail "has_avx hit $h of the first run's entries"
        fi
    done
done
echo "cache_corpus.sh: every check passed"
