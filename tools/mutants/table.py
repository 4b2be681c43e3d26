#!/usr/bin/env python3
"""Writes the mutation-testing tables of docs/testing.md (between the
`<!-- mutants:begin -->` and `<!-- mutants:end -->` markers) from
docs/mutants/<area>.tsv (tools/mutants/summarise.py) and the verdicts of
docs/mutants/verdicts.tsv (mutant name, verdict: which test kills it now,
or why it is equivalent). `--check` only compares and fails on a
difference or on a surviving mutant without a verdict.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
DIR = ROOT / "docs" / "mutants"
BEGIN, END = "<!-- mutants:begin -->", "<!-- mutants:end -->"
# Areas in the order of the table, with the files each run mutated.
AREAS = [
    ("aka-core", "`aka/mod.rs`, `aka/fiveg.rs`, `aka/home.rs`"),
    ("aka-device", "`aka/device.rs`"),
    ("aka-serving", "`aka/serving.rs`"),
    ("aka-sqn", "`aka/sqn.rs`"),
    ("aka-imsi", "`aka/imsi.rs`"),
    ("aka-table", "`aka/table.rs`"),
    ("eps-ue", "`eps_aka/ue.rs`"),
    ("eps-mme", "`eps_aka/mme.rs`"),
    ("umts-roles", "`umts_aka/ms.rs`, `umts_aka/vlr.rs`"),
    ("group-roles", "`group_aka/member.rs`, `group_aka/mme.rs`"),
    ("fiveg-roles", "`fiveg_aka/ue.rs`, `fiveg_aka/amf.rs`, `fiveg_aka/ausf.rs`"),
    ("gas-harn-chien", "`gas/harn.rs`, `gas/chien.rs`"),
    ("gas-group", "`gas/group.rs` (the Harn/Chien member: participant sets, token collection)"),
    ("threshold-leader", "`gas/threshold/leader.rs`"),
    ("threshold-roles", "`gas/threshold/` node, auth_server, mdms, gateway, derive, identify, setup, uplink"),
    ("metrics", "`sim-core/src/improvement.rs`"),
    ("sim-stats", "`sim-core/src/` summary statistics: `sweep.rs` `t95`, `stats`, `fmt_value`; "
     "`replications.rs`; `report.rs` `percentile` and time formatting"),
    ("sim-wasted", "`sim-core/src/wasted.rs` (wasted-work split of storm runs)"),
    ("sim-sweep-metrics", "`sim-core/src/sweep.rs` `metrics` (every metric a sweep plots)"),
]


def read_tsv(path):
    lines = path.read_text().splitlines()[1:]
    return [l.split("\t") for l in lines if l]


def render():
    verdicts = dict(read_tsv(DIR / "verdicts.tsv")) if (DIR / "verdicts.tsv").exists() else {}
    out, survivors, unexplained = [], [], []
    out.append("| area (files) | mutants | caught | missed | unviable | timeout "
               "| caught of viable | caught after the new tests | still missed: equivalent / other "
               "| caught of viable non-equivalent |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for area, files in AREAS:
        tsv = DIR / f"{area}.tsv"
        if not tsv.exists():
            continue
        rows = read_tsv(tsv)
        n = {k: sum(r[1] == k for r in rows) for k in ("caught", "missed", "unviable", "timeout")}
        viable = len(rows) - n["unviable"]
        pct = f"{100 * n['caught'] / viable:.0f} %" if viable else "–"
        final = [r for r in rows if r[1] in ("missed", "timeout")]
        still = [r for r in final if (r[2] or r[1]) in ("missed", "timeout")]
        equivalent = [r for r in still if verdicts.get(r[0], "").startswith("equivalent")]
        caught_now = n["caught"] + sum(r[2] == "caught" for r in final)
        pct2 = f"{100 * caught_now / (viable - len(equivalent)):.0f} %" if viable > len(equivalent) else "–"
        out.append(f"| {area} ({files}) | {len(rows)} | {n['caught']} | {n['missed']} "
                   f"| {n['unviable']} | {n['timeout']} | {pct} | {caught_now} "
                   f"| {len(equivalent)} / {len(still) - len(equivalent)} | {pct2} |")
        for r in final:
            after = {"caught": "caught by the re-run", "": "not re-run"}.get(r[2], r[2] + " in the re-run")
            verdict = verdicts.get(r[0])
            if verdict is None:
                unexplained.append(r[0])
                verdict = "**no verdict yet**"
            # A pipe inside a table cell (even in a code span) ends the cell in GFM.
            name, verdict = r[0].replace("|", "\\|"), verdict.replace("|", "\\|")
            survivors.append(f"| `{name}` | {r[1]} | {after} | {verdict} |")
    if survivors:
        out.append("")
        out.append("Surviving mutants (missed or timed out in the first run) and their verdicts:")
        out.append("")
        out.append("| mutant | first run | after the new tests | verdict |")
        out.append("|---|---|---|---|")
        out.extend(survivors)
    return "\n".join(out) + "\n", unexplained


def render_removals():
    rows = read_tsv(DIR / "removals.tsv")
    out = ["| check | file | guarding test(s) | with the check removed |", "|---|---|---|---|"]
    for check, file, tests, verdict in rows:
        tests = "; ".join(f"`{t}`" for t in tests.split())
        out.append(f"| {check} | `{file}` | {tests} | {verdict} |")
    return "\n".join(out) + "\n"


def replace(text, begin, end, block):
    head, rest = text.split(begin + "\n", 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + block + end + tail


def main():
    text = DOC.read_text()
    block, unexplained = render()
    new = replace(text, BEGIN, END, block)
    new = replace(new, "<!-- removals:begin -->", "<!-- removals:end -->", render_removals())
    if "--check" in sys.argv:
        if new != text:
            sys.exit("docs/testing.md is not what tools/mutants/table.py writes")
        if unexplained:
            sys.exit(f"surviving mutants without a verdict: {unexplained}")
        return
    DOC.write_text(new)
    for name in unexplained:
        print("no verdict:", name)


if __name__ == "__main__":
    main()
