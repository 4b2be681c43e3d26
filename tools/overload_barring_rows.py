#!/usr/bin/env python3
"""Prints the access-barring rows of docs/protocols/overload.md ("What
barring buys") from an `authsim sweep scenarios/overload-control.toml`
output folder's summary.csv, so that the documented numbers are the
sweep's. Usage: overload_barring_rows.py OUT_DIR/summary.csv [VARIANT ...]
(default: the barring variants alone; the section "Barring with OVERLOAD
START" names the combined ones)."""

import csv
import sys
from collections import defaultdict

CAPACITY = 312.5  # 4 MME messages x 800 us
VARIANTS = sys.argv[2:] or ["ACB", "ACB-adaptive", "EAB"]
LOAD = {1500: "0.5", 3000: "1", 6000: "2", 15000: "5", 30000: "10"}

m = defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1], newline="")):
    m[(r["variant"], int(r["devices"]))][r["metric"]] = float(r["mean"])

print("| mechanism | devices (load) | authenticated | goodput /s | goodput / capacity | drain (s) "
      "| ≤ 60 s | ≤ 600 s | tx per authenticated | RRC requests | barred attempts | SIB messages "
      "| MME t3460 failures | p50 / p95 / p99 latency (s) |")
print("|" + "---|" * 14)
for v in VARIANTS:
    for d in sorted(LOAD):
        x = m.get((v, d))
        if not x:
            continue
        barred = sum(val for k, val in x.items() if k.startswith("counted.ue."))
        lat = "/".join(f"{x.get(f'latency.role_serving.{q}_s', float('nan')):.1f}"
                       for q in ("p50", "p95", "p99"))
        print(f"| {v} | {d:,} ({LOAD[d]}×) | {x['storm.authenticated_share']:.3f} "
              f"| {x['storm.goodput_per_s']:.0f} | {x['storm.goodput_per_s'] / CAPACITY:.2f} "
              f"| {x['storm.drain_s']:.0f} | {x['storm.within_60s_share']:.3f} "
              f"| {x['storm.within_600s_share']:.3f} | {x['storm.tx_per_authenticated']:.1f} "
              f"| {x.get('tx.rrc_ul', 0):.0f} | {barred:.0f} | {x.get('tx.bcch', 0):.0f} "
              f"| {x.get('auth.mme.failed.t3460_expired', 0):.0f} | {lat} |".replace(",", " "))
