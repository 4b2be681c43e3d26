#!/usr/bin/env python3
"""Decodes authsim's 5GMM encodings (protocols/src/wire/nas5g/tests.rs, KNOWN)
with pycrate's TS 24.501 codec, an implementation independent of authsim, and
checks that every octet is consumed, that pycrate re-encodes the same bytes
and that the fields hold what the Rust samples put there.

Run:  pip install pycrate && python3 protocols/tests/data/nas5g_pycrate_check.py
"""
from binascii import unhexlify

from pycrate_mobile.NAS5G import parse_NAS5G

KNOWN = [
    "7e004171003501722410f0ff0101b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa872e02f0f0",
    "7e004109000bf200f110cafe0100000001",
    "7e00560002000021818181818181818181818181818181812010bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "7e0056010200007800080107000832010000",
    "7e00572d100a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a",
    "7e005778000402070004",
    "7e0058",
    "7e005878000404070004",
    "7e005914",
    "7e005915300ea0a0a0a0a0a0a0a0a0a0a0a0a0a0",
    "7e005d020002f0f0e1",
    "7e005d220304f0f00000",
    "7e005e",
    "7e005e7100047e004179",
    "7e0042010177000bf200f110cafe0100000001",
    "7e00420101",
    "7e004403",
    "7e005a0000040307000438020000",
    "7e005a02000403080004",
    "7e005f18",
]

# (message name pycrate gives, {field path: expected value}) per sample.
EXPECT = [
    ("5GMMRegistrationRequest", {"NAS_KSI": 7, "5GSRegType": 1}),
    ("5GMMRegistrationRequest", {"NAS_KSI": 0, "5GSRegType": 1}),  # FOR bit set, type 1
    ("5GMMAuthenticationRequest", {"NAS_KSI": 0}),
    ("5GMMAuthenticationRequest", {"NAS_KSI": 1}),
    ("5GMMAuthenticationResponse", {}),
    ("5GMMAuthenticationResponse", {}),
    ("5GMMAuthenticationReject", {}),
    ("5GMMAuthenticationReject", {}),
    ("5GMMAuthenticationFailure", {"5GMMCause": 20}),
    ("5GMMAuthenticationFailure", {"5GMMCause": 21}),
    ("5GMMSecurityModeCommand", {"NAS_KSI": 0}),
    ("5GMMSecurityModeCommand", {"NAS_KSI": 3}),
    ("5GMMSecurityModeComplete", {}),
    ("5GMMSecurityModeComplete", {}),
    ("5GMMRegistrationAccept", {}),
    ("5GMMRegistrationAccept", {}),
    ("5GMMRegistrationReject", {"5GMMCause": 3}),
    ("5GMMAuthenticationResult", {"NAS_KSI": 0}),
    ("5GMMAuthenticationResult", {"NAS_KSI": 2}),
    ("5GMMSecurityModeReject", {"5GMMCause": 24}),
]


def field(msg, name):
    ie = msg[name]
    v = ie.get_val()
    # V IEs come as plain values, others as [T, L, V] lists; take the value.
    while isinstance(v, list):
        v = v[-1]
    return v


assert len(KNOWN) == len(EXPECT)
for pdu_hex, (name, fields) in zip(KNOWN, EXPECT):
    pdu = unhexlify(pdu_hex)
    msg, err = parse_NAS5G(pdu)
    assert err == 0, (pdu_hex, err)
    assert msg._name == name, (pdu_hex, msg._name)
    assert msg.to_bytes() == pdu, (pdu_hex, msg.to_bytes().hex())
    for f, want in fields.items():
        got = field(msg, f)
        assert got == want, (pdu_hex, f, got, want)
    print("ok", name, pdu_hex)
print(f"{len(KNOWN)} passed, 0 failed")
