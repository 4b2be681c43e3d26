#!/usr/bin/env python3
"""Prints the TR 37.868 rows of docs/protocols/overload.md ("Random access:
TR 37.868 traffic models") from the summary.csv of `authsim sweep
scenarios/rach-tr37868.toml --out OUT`, so that the documented numbers are
the sweep's. Usage: rach_rows.py OUT/summary.csv"""

import csv
import sys
from collections import defaultdict

m = defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1], newline="")):
    m[(r["variant"], int(r["devices"]))][r["metric"]] = float(r["mean"])


def n(x):
    return f"{x:,.0f}".replace(",", " ")


print("| traffic model | devices | collision probability | access success probability "
      "| mean preamble tx | access delay mean / p50 / p95 / p99 (ms) | preamble tx "
      "| failed tx: collision / not detected / no grant / Msg3 / Msg4 | authenticated |")
print("|" + "---|" * 9)
for (variant, devices), r in sorted(m.items()):
    delays = " / ".join(f"{1000 * r['rach.' + k]:.0f}" for k in
                        ("mean_access_delay_s", "access_delay_p50_s", "access_delay_p95_s",
                         "access_delay_p99_s"))
    failed = " / ".join(n(r["rach.failed_tx." + k]) for k in
                        ("collision", "not_detected", "no_grant", "msg3_harq",
                         "msg4_contention_resolution"))
    print(f"| {variant} | {n(devices)} | {r['rach.collision_probability']:.4f} "
          f"| {r['rach.access_success_probability']:.4f} | {r['rach.mean_preamble_tx']:.2f} "
          f"| {delays} | {n(r['rach.preamble_tx'])} | {failed} "
          f"| {r['storm.authenticated_share']:.3f} |")
