#!/usr/bin/env python3
"""Keeps what a cargo-mutants run found (issue 19): one line per mutant in
docs/mutants/<area>.tsv, from the run's mutants.out/outcomes.json.

    python3 tools/mutants/summarise.py AREA OUTDIR            # a first run
    python3 tools/mutants/summarise.py AREA OUTDIR --rerun    # a re-run of
        # the survivors after new tests (same mutants, `-F` on their names):
        # fills the `rerun` column and keeps the first run's outcomes

OUTDIR is the directory given to `cargo mutants -o` (or mutants.out itself).
docs/testing.md's tables are generated from these files (tools/mutants/table.py).
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTCOME = {
    "CaughtMutant": "caught",
    "MissedMutant": "missed",
    "Unviable": "unviable",
    "Timeout": "timeout",
}


def outcomes(outdir):
    path = pathlib.Path(outdir)
    if (path / "mutants.out").is_dir():
        path = path / "mutants.out"
    data = json.loads((path / "outcomes.json").read_text())
    if data.get("end_time") is None:
        sys.exit(f"{path}: the run has not finished")
    found = {}
    for o in data["outcomes"]:
        scenario = o["scenario"]
        if scenario == "Baseline" or "Mutant" not in scenario:
            continue
        found[scenario["Mutant"]["name"]] = OUTCOME.get(o["summary"], o["summary"])
    return found


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--rerun"):
        sys.exit(__doc__)
    area, outdir = sys.argv[1], sys.argv[2]
    tsv = ROOT / "docs" / "mutants" / f"{area}.tsv"
    new = outcomes(outdir)
    if len(sys.argv) == 4:
        rows = [l.split("\t") for l in tsv.read_text().splitlines()[1:]]
        rows = [[r[0], r[1], new.get(r[0], r[2])] for r in rows]
    else:
        rows = [[name, outcome, ""] for name, outcome in new.items()]
    rows.sort(key=lambda r: r[0])
    tsv.parent.mkdir(parents=True, exist_ok=True)
    with tsv.open("w") as f:
        f.write("mutant\tfirst run\trerun\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{tsv.relative_to(ROOT)}: {len(rows)} mutants")


if __name__ == "__main__":
    main()
