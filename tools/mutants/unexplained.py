#!/usr/bin/env python3
"""Fails when a cargo-mutants run left a mutant missed (or timed out) that
docs/mutants/verdicts.tsv does not explain (issue 19; the CI slice,
tools/mutants/ci-slice.sh, runs it on its own outcomes).

    python3 tools/mutants/unexplained.py OUTDIR

OUTDIR is the directory given to `cargo mutants -o` (or mutants.out itself).
Prints every outcome count, then each surviving mutant with its verdict or
"NO VERDICT"; exits 1 if any survivor has no verdict, 2 if the run is
unfinished or empty.
"""
import collections
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summarise import ROOT, outcomes  # noqa: E402
from table import read_tsv  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = outcomes(sys.argv[1])
    if not found:
        print(f"{sys.argv[1]}: no mutant was tested", file=sys.stderr)
        sys.exit(2)
    verdicts = dict(read_tsv(ROOT / "docs" / "mutants" / "verdicts.tsv"))
    counts = collections.Counter(found.values())
    print(", ".join(f"{k} {counts[k]}" for k in sorted(counts)))
    unexplained = 0
    for name, outcome in sorted(found.items()):
        if outcome not in ("missed", "timeout"):
            continue
        verdict = verdicts.get(name)
        if verdict is None:
            unexplained += 1
        print(f"{outcome}: {name}: {verdict or 'NO VERDICT'}")
    if unexplained:
        print(f"{unexplained} surviving mutant(s) without a verdict in docs/mutants/verdicts.tsv",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
