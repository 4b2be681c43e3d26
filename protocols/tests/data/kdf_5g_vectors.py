#!/usr/bin/env python3
"""Independent second computation of the 5G key chain (TS 33.501 Annex A) and the
EAP-AKA' keys (RFC 9048), for the Rust tests in protocols/src/crypto/kdf_5g.rs
and eap_aka_prime.rs.

It shares no code with the Rust crate: MILENAGE (TS 35.206) is written out here over
the `cryptography` package's AES, the KDF of TS 33.220 B.2 over Python's `hmac`.
MILENAGE is checked against TS 35.208 test set 1 before anything is printed.

Run:  python3 protocols/tests/data/kdf_5g_vectors.py > protocols/tests/data/kdf_5g_vectors.txt
Output: one `case.name = hex` line per value; the Rust tests parse that file.
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def aes(k, block):
    e = Cipher(algorithms.AES(k), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def rot(x, bits):
    n = int.from_bytes(x, "big")
    n = ((n << bits) | (n >> (128 - bits))) & ((1 << 128) - 1) if bits else n
    return n.to_bytes(16, "big")


def milenage(k, opc, rand, sqn, amf):
    c = [bytes(15) + bytes([i]) for i in (0, 1, 2, 4, 8)]
    temp = aes(k, xor(rand, opc))
    in1 = sqn + amf + sqn + amf
    out1 = xor(aes(k, xor(xor(temp, rot(xor(in1, opc), 64)), c[0])), opc)
    outs = [xor(aes(k, xor(rot(xor(temp, opc), r), ci)), opc)
            for r, ci in ((0, c[1]), (32, c[2]), (64, c[3]), (96, c[4]))]
    return {
        "mac_a": out1[:8], "mac_s": out1[8:],
        "res": outs[0][8:], "ak": outs[0][:6],
        "ck": outs[1], "ik": outs[2], "ak_star": outs[3][:6],
    }


def opc_of(k, op):
    return xor(aes(k, op), op)


def kdf(key, fc, *params):
    s = bytes([fc]) + b"".join(p + len(p).to_bytes(2, "big") for p in params)
    return hmac.new(key, s, hashlib.sha256).digest()


def prf_prime(key, s, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(key, t + s + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def chain_5g(k, opc, rand, sqn, amf, snn, supi, abba):
    m = milenage(k, opc, rand, sqn, amf)
    sqn_ak = xor(sqn, m["ak"])
    autn = sqn_ak + amf + m["mac_a"]
    ckik = m["ck"] + m["ik"]
    xres_star = kdf(ckik, 0x6B, snn, rand, m["res"])[16:]
    kausf = kdf(ckik, 0x6A, snn, sqn_ak)
    hxres_star = hashlib.sha256(rand + xres_star).digest()[16:]
    kseaf = kdf(kausf, 0x6C, snn)
    kamf = kdf(kseaf, 0x6D, supi, abba)
    out = dict(m, autn=autn, xres_star=xres_star, kausf=kausf, hxres_star=hxres_star,
               kseaf=kseaf, kamf=kamf)
    for alg in (1, 2):
        out[f"knas_enc_{alg}"] = kdf(kamf, 0x69, b"\x01", bytes([alg]))[16:]
        out[f"knas_int_{alg}"] = kdf(kamf, 0x69, b"\x02", bytes([alg]))[16:]
    return out


def eap_aka_prime(ck, ik, sqn_ak, network, identity):
    d = kdf(ck + ik, 0x20, network, sqn_ak)
    ck_p, ik_p = d[:16], d[16:]
    mk = prf_prime(ik_p + ck_p, b"EAP-AKA'" + identity, 208)
    return {"ck_prime": ck_p, "ik_prime": ik_p, "k_encr": mk[:16], "k_aut": mk[16:48],
            "k_re": mk[48:80], "msk": mk[80:144], "emsk": mk[144:208]}


h = bytes.fromhex

# Self-check: TS 35.208 test set 1.
_k = h("465b5ce8b199b49faa5f0a2ee238a6bc")
_opc = opc_of(_k, h("cdc202d5123e20f62b6d676ac72cb318"))
assert _opc.hex() == "cd63cb71954a9f4e48a5994e37a02baf"
_m = milenage(_k, _opc, h("23553cbe9637a89d218ae64dae47bf35"), h("ff9bb4d0b607"), h("b9b9"))
assert _m["mac_a"].hex() == "4a9ffac354dfafb3" and _m["mac_s"].hex() == "01cfaf9ec4e871e9"
assert _m["res"].hex() == "a54211d5e3ba50bf" and _m["ak"].hex() == "aa689c648370"
assert _m["ck"].hex() == "b40ba9a3c58b2a05bbf0d987b21bf8cb"
assert _m["ik"].hex() == "f769bcd751044604127672711c6d3441"
assert _m["ak_star"].hex() == "451e8beca43b"

CASES = {
    # K, OP, RAND, SQN, AMF and serving network name of flipk/pfk-milenage main.cc
    # (its expected_output.txt publishes K_AUSF and XRES* for them).
    "flipk": dict(k=h("000102030405060708090a0b0c0d0e0f"),
                  opc=opc_of(h("000102030405060708090a0b0c0d0e0f"),
                             h("00112233445566778899aabbccddeeff")),
                  rand=h("f87a8a8cd94de52eb4d960ea52f664de"), sqn=h("000000005a82"),
                  amf=h("8000"), snn=b"5G:mnc001.mcc001.3gppnetwork.org",
                  supi=b"001010000000001", abba=h("0000")),
    # TS 35.208 test set 19 (the MILENAGE set behind RFC 9048's EAP-AKA' cases) in a
    # 5G serving network, with the SUPI and ABBA the CLI examples use.
    "set19": dict(k=h("5122250214c33e723a5dd523fc145fc0"),
                  opc=h("981d464c7c52eb6e5036234984ad0bcf"),
                  rand=h("81e92b6c0ee0e12ebceba8d92a99dfa5"), sqn=h("16f3b3f70fc2"),
                  amf=h("c3ab"), snn=b"5G:mnc001.mcc001.3gppnetwork.org",
                  supi=b"001010000000001", abba=h("0000")),
}

for name, c in CASES.items():
    out = chain_5g(**c)
    for key, val in out.items():
        print(f"{name}.{key} = {val.hex()}")
    eap = eap_aka_prime(out["ck"], out["ik"], out["autn"][:6], b"WLAN", b"0555444333222111")
    for key, val in eap.items():
        print(f"{name}.eap_wlan.{key} = {val.hex()}")
