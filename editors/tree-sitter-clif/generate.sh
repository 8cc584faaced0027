#!/usr/bin/env bash
# Regenerates the parser (src/) from grammar.js with the tree-sitter CLI
# (`cargo install tree-sitter-cli --version 0.27.1 --locked`), and records grammar.js's
# SHA-256 in src/grammar.js.sha256, which a test compares (so a grammar edited without
# regenerating fails). Then runs the CLI's own corpus tests.
set -euo pipefail
cd "$(dirname "$0")"
tree-sitter generate
sha256sum grammar.js | cut -d' ' -f1 > src/grammar.js.sha256
tree-sitter test
