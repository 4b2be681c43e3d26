use rand::SeedableRng;

use super::*;
use crate::core::{Prim, SimRng};
use crate::proxy::warrant::Purpose;

const A: u64 = 7;
const B: u64 = 9;

fn warrant(a: &KeyPair, b: &KeyPair) -> Warrant {
    Warrant {
        delegator: A,
        delegator_pk: a.public_bytes(),
        proxy: B,
        proxy_pk: b.public_bytes(),
        not_before_ms: 1_000,
        not_after_ms: 61_000,
        purpose: Purpose::DeviceCredential,
        first: 100,
        last: 199,
    }
}

struct Setup {
    rng: SimRng,
    a: KeyPair,
    key: ProxyKey,
}

fn setup() -> Setup {
    let mut rng = SimRng::seed_from_u64(5);
    let mut ops = CryptoOps::default();
    let a = KeyPair::generate(&mut rng, &mut ops);
    let b = KeyPair::generate(&mut rng, &mut ops);
    let signed = delegate(&a, warrant(&a, &b), &mut rng, &mut ops);
    let key = ProxyKey::accept(&signed, &b, B, A, &a.public_bytes(), &mut ops).unwrap();
    Setup { rng, a, key }
}

fn expect(pk: &[u8; POINT_LEN]) -> Expect<'_> {
    Expect {
        delegator: A,
        delegator_pk: pk,
        purpose: Purpose::DeviceCredential,
        device: 150,
        now_ms: 30_000,
    }
}

#[test]
fn round_trip_and_counts() {
    let mut s = setup();
    let pk = s.a.public_bytes();
    let mut ops = CryptoOps::default();
    let sig = s.key.sign(b"hello", &mut s.rng, &mut ops);
    assert_eq!(
        (ops.get(Prim::P256MulBase), ops.get(Prim::ScalarMul)),
        (1, 1)
    );
    let mut ops = CryptoOps::default();
    verify(s.key.warrant(), &expect(&pk), b"hello", &sig, &mut ops).unwrap();
    // Y_P: one multiplication, two additions; Schnorr: one of each kind more.
    assert_eq!(
        (
            ops.get(Prim::P256MulBase),
            ops.get(Prim::P256Mul),
            ops.get(Prim::P256Add),
            ops.get(Prim::ScalarMul)
        ),
        (1, 2, 3, 0)
    );
    assert!(ops.get(Prim::Sha256Block) >= 2);
}

#[test]
fn altered_message_fails() {
    let mut s = setup();
    let pk = s.a.public_bytes();
    let mut ops = CryptoOps::default();
    let sig = s.key.sign(b"hello", &mut s.rng, &mut ops);
    assert_eq!(
        verify(s.key.warrant(), &expect(&pk), b"hellp", &sig, &mut ops),
        Err(ProxyError::BadSignature)
    );
}

#[test]
fn forged_warrant_fails() {
    let mut s = setup();
    let pk = s.a.public_bytes();
    let mut ops = CryptoOps::default();
    let sig = s.key.sign(b"hello", &mut s.rng, &mut ops);
    // The proxy widens its own scope and validity: Y_P changes, the signature fails.
    for alter in [
        |w: &mut Warrant| w.last = 10_000,
        |w: &mut Warrant| w.not_after_ms = u64::MAX,
        |w: &mut Warrant| w.purpose = Purpose::AccessPoint,
    ] {
        let mut pw = *s.key.warrant();
        alter(&mut pw.warrant);
        let mut e = expect(&pk);
        e.purpose = pw.warrant.purpose;
        assert_eq!(
            verify(&pw, &e, b"hello", &sig, &mut ops),
            Err(ProxyError::BadSignature)
        );
    }
    // A warrant "from A" signed by someone else: names A's key, fails.
    let mut rng = SimRng::seed_from_u64(9);
    let mallory = KeyPair::generate(&mut rng, &mut ops);
    let b2 = KeyPair::generate(&mut rng, &mut ops);
    let mut w = warrant(&s.a, &b2);
    w.proxy_pk = b2.public_bytes();
    let forged = delegate(&mallory, w, &mut rng, &mut ops);
    assert_eq!(
        ProxyKey::accept(&forged, &b2, B, A, &pk, &mut ops).unwrap_err(),
        ProxyError::BadWarrantSignature
    );
    // Even if the proxy derives a key from it anyway, its signatures fail.
    let fake = ProxyKey {
        secret: field::from_bytes(&forged.s_w).unwrap() + b2.secret(),
        public: ProjectivePoint::IDENTITY,
        warrant: forged.public,
        warrant_bytes: forged.public.encode(),
    };
    let sig = fake.sign(b"hello", &mut rng, &mut ops);
    assert_eq!(
        verify(&forged.public, &expect(&pk), b"hello", &sig, &mut ops),
        Err(ProxyError::BadSignature)
    );
}

#[test]
fn wrong_delegator_fails() {
    let mut s = setup();
    let mut ops = CryptoOps::default();
    let sig = s.key.sign(b"hello", &mut s.rng, &mut ops);
    let other = KeyPair::generate(&mut s.rng, &mut ops).public_bytes();
    assert!(matches!(
        verify(s.key.warrant(), &expect(&other), b"hello", &sig, &mut ops),
        Err(ProxyError::WrongDelegator { .. })
    ));
    let pk = s.a.public_bytes();
    let mut e = expect(&pk);
    e.delegator = A + 1;
    assert_eq!(
        verify(s.key.warrant(), &e, b"hello", &sig, &mut ops),
        Err(ProxyError::WrongDelegator {
            got: A,
            want: A + 1
        })
    );
}

#[test]
fn expired_or_early_warrant_scope_and_purpose_fail_before_any_curve_work() {
    let mut s = setup();
    let pk = s.a.public_bytes();
    let mut ops = CryptoOps::default();
    let sig = s.key.sign(b"hello", &mut s.rng, &mut ops);
    let mut ops = CryptoOps::default();
    for (now, ok) in [(999, false), (1_000, true), (61_000, true), (61_001, false)] {
        let mut e = expect(&pk);
        e.now_ms = now;
        let r = verify(s.key.warrant(), &e, b"hello", &sig, &mut ops);
        assert_eq!(r.is_ok(), ok, "at {now} ms: {r:?}");
        if !ok {
            assert_eq!(r.unwrap_err().reason(), "warrant_expired");
        }
    }
    let mut ops = CryptoOps::default();
    let mut e = expect(&pk);
    e.device = 200;
    assert_eq!(
        verify(s.key.warrant(), &e, b"hello", &sig, &mut ops),
        Err(ProxyError::NotDelegated(200))
    );
    e.device = 150;
    e.purpose = Purpose::AccessPoint;
    assert_eq!(
        verify(s.key.warrant(), &e, b"hello", &sig, &mut ops),
        Err(ProxyError::WrongPurpose)
    );
    assert!(ops.is_empty(), "refused before any work: {ops:?}");
}

#[test]
fn a_proxy_refuses_a_warrant_for_someone_else() {
    let mut rng = SimRng::seed_from_u64(3);
    let mut ops = CryptoOps::default();
    let a = KeyPair::generate(&mut rng, &mut ops);
    let b = KeyPair::generate(&mut rng, &mut ops);
    let c = KeyPair::generate(&mut rng, &mut ops);
    let signed = delegate(&a, warrant(&a, &b), &mut rng, &mut ops);
    let pk = a.public_bytes();
    assert!(matches!(
        ProxyKey::accept(&signed, &c, B, A, &pk, &mut ops),
        Err(ProxyError::WrongProxy { .. })
    ));
    assert!(matches!(
        ProxyKey::accept(&signed, &b, B + 1, A, &pk, &mut ops),
        Err(ProxyError::WrongProxy { .. })
    ));
    assert!(matches!(
        ProxyKey::accept(&signed, &b, B, A, &c.public_bytes(), &mut ops),
        Err(ProxyError::WrongDelegator { .. })
    ));
}

#[test]
fn public_warrant_round_trips() {
    let s = setup();
    let pw = *s.key.warrant();
    let b = pw.encode();
    assert_eq!(PublicWarrant::decode(&b, 0), Ok(pw));
    assert!(PublicWarrant::decode(&b[..148], 0).is_err());
}

/// The values of `protocols/tests/data/proxy_sig_vectors.txt`, computed
/// independently in Python (pure-integer P-256, hashlib).
#[test]
fn known_answer_from_an_independent_implementation() {
    let v: std::collections::HashMap<&str, Vec<u8>> =
        include_str!("../../../tests/data/proxy_sig_vectors.txt")
            .lines()
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, x)| (k, hex::decode(x).unwrap()))
            .collect();
    let scalar = |k: &str| field::from_bytes(&v[k].clone().try_into().unwrap()).unwrap();
    let point = |k: &str| -> [u8; POINT_LEN] { v[k].clone().try_into().unwrap() };
    let mut ops = CryptoOps::default();
    let a = KeyPair::from_secret(scalar("x_a"), &mut ops);
    let b = KeyPair::from_secret(scalar("x_b"), &mut ops);
    assert_eq!(a.public_bytes(), point("y_a"));
    assert_eq!(b.public_bytes(), point("y_b"));
    let w = warrant(&a, &b);
    assert_eq!(w.encode().to_vec(), v["warrant"]);
    let signed = delegate_with_nonce(&a, w, &scalar("r_w"), &mut ops);
    assert_eq!(signed.public.r_w, point("R_w"));
    assert_eq!(signed.s_w.to_vec(), v["s_w"]);
    let key = ProxyKey::accept(&signed, &b, B, A, &a.public_bytes(), &mut ops).unwrap();
    assert_eq!(ec::encode(key.public()), point("Y_p"));
    assert_eq!(
        proxy_public(key.warrant(), &mut ops).map(|p| ec::encode(&p)),
        Some(point("Y_p"))
    );
    let sig = key.sign_with_nonce(&v["msg"], &scalar("r"), &mut ops);
    assert_eq!(sig.r, point("R"));
    assert_eq!(sig.s.to_vec(), v["s"]);
    let pk = a.public_bytes();
    let mut e = expect(&pk);
    e.device = 100;
    verify(key.warrant(), &e, &v["msg"], &sig, &mut ops).unwrap();
    let own = schnorr::sign_with_nonce(
        a.secret(),
        Domain::Standard,
        &[&a.public_bytes(), &v["msg"]],
        &scalar("r"),
        &mut ops,
    );
    assert_eq!(own.s.to_vec(), v["std_s"]);
    assert!(schnorr::verify_own(&pk, &v["msg"], &own, &mut ops));
}
