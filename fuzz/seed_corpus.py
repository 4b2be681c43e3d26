#!/usr/bin/env python3
"""Builds the decoders' seed corpus from `authsim run --trace` files: the
first PDU of every (interface, message) in the given traces, one binary file
each, named after them. Usage: seed_corpus.py OUT_DIR TRACE...
(docs/fuzzing.md lists the runs the shipped corpus comes from.)"""
import csv, pathlib, sys

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
seen = set()
for trace in sys.argv[2:]:
    with open(trace, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["interface"], row["message"])
            if key in seen:
                continue
            seen.add(key)
            (out / f"{row['interface']}-{row['message']}.bin").write_bytes(bytes.fromhex(row["pdu_hex"]))
