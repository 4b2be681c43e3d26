#!/usr/bin/env python3
"""Independent second computation of the proxy signature scheme of
protocols/src/proxy/ (docs/protocols/proxy-multiparty.md) for its known-answer test.

It shares no code with the Rust crate: P-256 arithmetic is written out here with
Python integers (affine coordinates, FIPS 186-4 D.1.2.3 curve parameters), SHA-256 is
Python's hashlib. The arithmetic is checked against the published RFC 6979 A.2.5 key
pair before anything is printed.

Run:  python3 protocols/tests/data/proxy_sig_vectors.py > protocols/tests/data/proxy_sig_vectors.txt
Output: one `name = hex` line per value; the Rust test in protocols/src/proxy/delegation/tests.rs
parses that file.
"""
import hashlib

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
Q = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return (x3, (lam * (x1 - x3) - y1) % P)


def mul(k, pt):
    acc = None
    while k:
        if k & 1:
            acc = add(acc, pt)
        pt = add(pt, pt)
        k >>= 1
    return acc


def enc(pt):
    x, y = pt
    return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")


def h(label, *parts):
    d = hashlib.sha256(label + b"".join(parts)).digest()
    return int.from_bytes(d, "big") % Q


def sc(v):
    return v.to_bytes(32, "big")


def be64(v):
    return v.to_bytes(8, "big")


def warrant(delegator, ypk_a, proxy, ypk_b, nb, na, purpose, first, last):
    return (bytes([1]) + be64(delegator) + ypk_a + be64(proxy) + ypk_b + be64(nb) + be64(na)
            + bytes([purpose]) + be64(first) + be64(last))


# Published check: RFC 6979 A.2.5 key pair.
x = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
U = mul(x, G)
assert U == (0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6,
             0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299)

# Fixed inputs (the Rust test uses the same numbers).
x_a = h(b"kat/x_a_")
x_b = h(b"kat/x_b_")
r_w = h(b"kat/r_w_")
r = h(b"kat/r___")
y_a, y_b = mul(x_a, G), mul(x_b, G)
m_w = warrant(7, enc(y_a), 9, enc(y_b), 1000, 61000, 1, 100, 199)
msg = b"authsim proxy signature known answer"

# Delegation: R_w = r_w G, e_w = H_w(R_w || m_w), s_w = r_w + e_w x_a.
R_w = mul(r_w, G)
e_w = h(b"px/warr_", enc(R_w), m_w)
s_w = (r_w + e_w * x_a) % Q
assert mul(s_w, G) == add(R_w, mul(e_w, y_a))
# Proxy key: x_p = s_w + x_b; Y_p = R_w + e_w Y_a + Y_b.
x_p = (s_w + x_b) % Q
Y_p = add(add(R_w, mul(e_w, y_a)), y_b)
assert mul(x_p, G) == Y_p
# Proxy signature: R = r G, e = H_p(R || m_w || R_w || msg), s = r + e x_p.
R = mul(r, G)
e = h(b"px/proxy", enc(R), m_w, enc(R_w), msg)
s = (r + e * x_p) % Q
assert mul(s, G) == add(R, mul(e, Y_p))
# A standard signature by x_a: e = H_s(R || Y_a || msg).
e_s = h(b"px/std__", enc(R), enc(y_a), msg)
s_s = (r + e_s * x_a) % Q

for name, v in [
    ("x_a", sc(x_a)), ("x_b", sc(x_b)), ("r_w", sc(r_w)), ("r", sc(r)),
    ("y_a", enc(y_a)), ("y_b", enc(y_b)), ("warrant", m_w), ("msg", msg),
    ("R_w", enc(R_w)), ("s_w", sc(s_w)), ("Y_p", enc(Y_p)),
    ("R", enc(R)), ("s", sc(s)), ("std_s", sc(s_s)),
]:
    print(f"{name} = {v.hex()}")
