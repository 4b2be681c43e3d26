#!/usr/bin/env python3
"""Builds the decoders' seed corpus from `authsim run --trace` files: the
first PDU of every (interface, message) in the given traces, one binary file
each, named after them; and the first EAP packet carried in each kind of 5G
NAS message (the EAP message IE, TS 24.501 §9.11.2.2, whose 2-octet length
equals the EAP Length field), as `eap-<message>.bin`, since no interface
carries bare EAP. Usage: seed_corpus.py OUT_DIR TRACE...
(docs/fuzzing.md lists the runs the shipped corpus comes from.)"""
import csv, pathlib, sys

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
seen = set()


def eap_in(pdu):
    """The EAP packet inside a plain 5GMM message (octet 1 EPD 0x7e, header
    type 0), or None."""
    if len(pdu) < 3 or pdu[0] != 0x7E or pdu[1] != 0:
        return None
    for i in range(3, len(pdu) - 5):
        n = int.from_bytes(pdu[i:i + 2], "big")
        if (pdu[i + 2] in (1, 2, 3, 4) and n >= 4 and i + 2 + n <= len(pdu)
                and int.from_bytes(pdu[i + 4:i + 6], "big") == n):
            return pdu[i + 2:i + 2 + n]
    return None


for trace in sys.argv[2:]:
    with open(trace, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["interface"], row["message"])
            pdu = bytes.fromhex(row["pdu_hex"])
            eap = eap_in(pdu) if row["interface"] == "n1" else None
            if eap is not None and ("eap", row["message"]) not in seen:
                seen.add(("eap", row["message"]))
                (out / f"eap-{row['message']}.bin").write_bytes(eap)
            if key in seen:
                continue
            seen.add(key)
            (out / f"{row['interface']}-{row['message']}.bin").write_bytes(bytes.fromhex(row["pdu_hex"]))
