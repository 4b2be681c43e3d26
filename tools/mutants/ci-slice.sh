#!/usr/bin/env bash
# CI slice of the mutation testing of issue 19 (docs/testing.md, "Mutation testing"):
# runs cargo-mutants on one small, fast area — the improvement formula of the published
# numbers, sim-core/src/improvement.rs (13 mutants) — and fails if a mutant survives that
# docs/mutants/verdicts.tsv does not explain (tools/mutants/unexplained.py).
#
#   tools/mutants/ci-slice.sh [OUTDIR]      # default OUTDIR: target/ci-mutants
#
# Installs cargo-mutants (the version docs/testing.md names) if it is missing. Mutates
# the checkout in place (and restores it): run it on a checkout nothing else edits,
# after `cargo test --workspace` has passed (the run skips its own baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
version=27.1.0
if ! cargo mutants --version 2>/dev/null | grep -qx "cargo-mutants $version"; then
  echo "== installing cargo-mutants $version"
  cargo install cargo-mutants --version "$version" --locked
fi
out=${1:-target/ci-mutants}
rm -rf "$out"
echo "== cargo mutants: sim-core/src/improvement.rs"
# Missed mutants make cargo-mutants exit non-zero; the verdicts decide instead.
set +e
cargo mutants --in-place --baseline=skip --timeout 120 --build-timeout 900 --cap-lints=false \
  -p authsim-sim -f sim-core/src/improvement.rs -C=--lib \
  -C=--config=profile.test.package.authsim-sim.opt-level=0 \
  -C=--config=profile.test.package.authsim-sim.debug=false \
  -o "$out" -- improvement
code=$?
set -e
# 0: all caught; 2: some missed; 3: some timed out. Anything else (build failure of the
# unmutated tree, bad arguments, interruption) fails the slice.
case $code in
  0 | 2 | 3) ;;
  *) echo "cargo mutants failed (exit $code)" >&2; exit 1 ;;
esac
python3 tools/mutants/unexplained.py "$out"
