//! The signature wrappers of `authsim_protocols::aggsig` against published known answers
//! (tests/data/*.txt name their sources) and the rejections a verifier must make.

use std::collections::HashMap;

use authsim_protocols::aggsig::bls::{self, MinPk, MinSig, Variant};
use authsim_protocols::aggsig::{SigError, ecdsa, ibas, random_scalar, scalar_from_be};
use authsim_protocols::core::{CryptoOps, Prim, SimRng};
use rand::SeedableRng;

fn facts(file: &str) -> HashMap<String, Vec<u8>> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("vector file");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once(' ').expect("name value");
            (k.to_string(), hex::decode(v.trim()).expect("hex"))
        })
        .collect()
}

fn eth() -> HashMap<String, Vec<u8>> {
    facts("bls12381_eth_vectors.txt")
}

fn sk(v: &HashMap<String, Vec<u8>>, k: usize) -> bls12_381::Scalar {
    scalar_from_be(v[&format!("sk_{k}")].as_slice().try_into().unwrap()).unwrap()
}

fn pk(v: &HashMap<String, Vec<u8>>, k: usize) -> <MinPk as Variant>::Pk {
    MinPk::decode_pk(&v[&format!("pk_{k}")], &mut CryptoOps::default()).unwrap()
}

fn sig(v: &HashMap<String, Vec<u8>>, name: &str) -> <MinPk as Variant>::Sig {
    MinPk::decode_sig(&v[name], &mut CryptoOps::default()).unwrap()
}

const POP: &[u8] = bls::DST_MIN_PK_POP;

#[test]
fn min_pk_keys_and_signatures_match_the_consensus_vectors() {
    let v = eth();
    for k in 0..3 {
        let mut ops = CryptoOps::default();
        let p = bls::sk_to_pk::<MinPk>(&sk(&v, k), &mut ops);
        assert_eq!(MinPk::encode_pk(&p), v[&format!("pk_{k}")], "pk_{k}");
        for m in 0..3 {
            let msg = &v[&format!("msg_{m}")];
            let s = bls::sign::<MinPk>(&sk(&v, k), msg, POP, &mut ops);
            assert_eq!(
                MinPk::encode_sig(&s),
                v[&format!("sig_{k}_{m}")],
                "sig_{k}_{m}"
            );
            assert_eq!(bls::verify::<MinPk>(&p, msg, &s, POP, &mut ops), Ok(()));
            // Another key, another message, another suite tag: refused.
            let other = pk(&v, (k + 1) % 3);
            assert_eq!(
                bls::verify::<MinPk>(&other, msg, &s, POP, &mut ops),
                Err(SigError::Invalid)
            );
            let msg2 = &v[&format!("msg_{}", (m + 1) % 3)];
            assert_eq!(
                bls::verify::<MinPk>(&p, msg2, &s, POP, &mut ops),
                Err(SigError::Invalid)
            );
            assert_eq!(
                bls::verify::<MinPk>(&p, msg, &s, bls::DST_MIN_PK_NUL, &mut ops),
                Err(SigError::Invalid)
            );
        }
    }
}

#[test]
fn aggregates_and_fast_aggregate_verify_match_the_consensus_vectors() {
    let v = eth();
    let pks: Vec<_> = (0..3).map(|k| pk(&v, k)).collect();
    for m in 0..3 {
        let sigs: Vec<_> = (0..3).map(|k| sig(&v, &format!("sig_{k}_{m}"))).collect();
        let mut ops = CryptoOps::default();
        let agg = bls::aggregate::<MinPk>(&sigs, &mut ops).unwrap();
        assert_eq!(ops.get(Prim::G2Add), 2);
        assert_eq!(MinPk::encode_sig(&agg), v[&format!("agg_{m}")]);
        let msg = &v[&format!("msg_{m}")];
        let mut ops = CryptoOps::default();
        assert_eq!(
            bls::fast_aggregate_verify::<MinPk>(&pks, msg, &agg, POP, &mut ops),
            Ok(())
        );
        assert_eq!(ops.get(Prim::MillerLoop), 2);
        assert_eq!(ops.get(Prim::FinalExp), 1);
        assert_eq!(ops.get(Prim::HashToG2), 1);
        assert_eq!(ops.get(Prim::G1Add), 2);
        // The published "extra pubkey" and "tampered signature" rejections.
        assert_eq!(
            bls::fast_aggregate_verify::<MinPk>(&pks[..2], msg, &agg, POP, &mut ops),
            Err(SigError::Invalid)
        );
        assert_eq!(
            bls::fast_aggregate_verify::<MinPk>(&pks, msg, &sigs[0], POP, &mut ops),
            Err(SigError::Invalid)
        );
    }
    assert_eq!(
        bls::aggregate::<MinPk>(&[], &mut CryptoOps::default()),
        Err(SigError::Empty)
    );
}

#[test]
fn aggregate_verify_matches_the_consensus_vector_and_counts_n_plus_one_loops() {
    let v = eth();
    let pks: Vec<_> = (0..3).map(|k| pk(&v, k)).collect();
    let msgs: Vec<&[u8]> = (0..3).map(|m| v[&format!("msg_{m}")].as_slice()).collect();
    let agg = sig(&v, "aggverify");
    let diag: Vec<_> = (0..3).map(|k| sig(&v, &format!("sig_{k}_{k}"))).collect();
    let mut ops = CryptoOps::default();
    assert_eq!(bls::aggregate::<MinPk>(&diag, &mut ops).unwrap(), agg);
    let mut ops = CryptoOps::default();
    assert_eq!(
        bls::aggregate_verify::<MinPk>(&pks, &msgs, &agg, POP, &mut ops),
        Ok(())
    );
    assert_eq!(ops.get(Prim::HashToG2), 3);
    assert_eq!(ops.get(Prim::MillerLoop), 4);
    assert_eq!(ops.get(Prim::FinalExp), 1);
    // Messages swapped between two signers; one message altered; a duplicate message.
    let swapped = [msgs[1], msgs[0], msgs[2]];
    assert_eq!(
        bls::aggregate_verify::<MinPk>(&pks, &swapped, &agg, POP, &mut ops),
        Err(SigError::Invalid)
    );
    let mut altered = v["msg_2"].clone();
    altered[31] ^= 1;
    let with_altered = [msgs[0], msgs[1], altered.as_slice()];
    assert_eq!(
        bls::aggregate_verify::<MinPk>(&pks, &with_altered, &agg, POP, &mut ops),
        Err(SigError::Invalid)
    );
    let dup = [msgs[0], msgs[1], msgs[0]];
    assert_eq!(
        bls::aggregate_verify::<MinPk>(&pks, &dup, &agg, POP, &mut ops),
        Err(SigError::DuplicateMessage(0, 2))
    );
    assert_eq!(
        bls::aggregate_verify::<MinPk>(&pks[..2], &msgs, &agg, POP, &mut ops),
        Err(SigError::LengthMismatch {
            keys: 2,
            messages: 3
        })
    );
}

#[test]
fn undecodable_and_identity_points_are_refused() {
    let v = eth();
    let mut ops = CryptoOps::default();
    let mut bad = v["sig_0_0"].clone();
    bad[5] ^= 0xff;
    assert!(MinPk::decode_sig(&bad, &mut ops).is_err());
    assert!(MinPk::decode_sig(&bad[..95], &mut ops).is_err());
    assert!(MinPk::decode_pk(&v["pk_0"][..47], &mut ops).is_err());
    let mut inf = [0u8; 48];
    inf[0] = 0xc0;
    let inf_pk = MinPk::decode_pk(&inf, &mut ops).unwrap();
    let msg = v["msg_0"].as_slice();
    assert_eq!(
        bls::verify::<MinPk>(&inf_pk, msg, &sig(&v, "sig_0_0"), POP, &mut ops),
        Err(SigError::Infinity { what: "public key" })
    );
}

#[test]
fn hash_to_g1_matches_rfc9380() {
    let f = facts("other_sig_vectors.txt");
    let p = MinSig::hash(
        b"abc",
        b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_",
        &mut CryptoOps::default(),
    );
    let mut want = f["h2g1_abc_x"].clone();
    want[0] |= 0x80;
    assert_eq!(MinSig::encode_sig(&p), want);
}

#[test]
fn min_sig_aggregate_of_distinct_readings_verifies_and_rejects_an_altered_one() {
    let mut rng = SimRng::seed_from_u64(7);
    let dst = bls::DST_MIN_SIG_NUL;
    let mut ops = CryptoOps::default();
    let sks: Vec<_> = (0..5).map(|_| random_scalar(&mut rng)).collect();
    let pks: Vec<_> = sks
        .iter()
        .map(|s| bls::sk_to_pk::<MinSig>(s, &mut ops))
        .collect();
    let msgs: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 20]).collect();
    let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
    let mut sign_ops = CryptoOps::default();
    let sigs: Vec<_> = sks
        .iter()
        .zip(&refs)
        .map(|(s, m)| bls::sign::<MinSig>(s, m, dst, &mut sign_ops))
        .collect();
    assert_eq!(sign_ops.get(Prim::HashToG1), 5);
    assert_eq!(sign_ops.get(Prim::G1Mul), 5);
    assert_eq!(MinSig::encode_sig(&sigs[0]).len(), 48);
    let agg = bls::aggregate::<MinSig>(&sigs, &mut ops).unwrap();
    let mut vops = CryptoOps::default();
    assert_eq!(
        bls::aggregate_verify::<MinSig>(&pks, &refs, &agg, dst, &mut vops),
        Ok(())
    );
    assert_eq!(vops.get(Prim::MillerLoop), 6);
    let mut altered = refs.clone();
    let changed = vec![9u8; 20];
    altered[3] = &changed;
    assert_eq!(
        bls::aggregate_verify::<MinSig>(&pks, &altered, &agg, dst, &mut vops),
        Err(SigError::Invalid)
    );
    let enc = MinSig::encode_sig(&agg);
    assert_eq!(MinSig::decode_sig(&enc, &mut vops).unwrap(), agg);
}

#[test]
fn ecdsa_p256_matches_rfc6979() {
    let f = facts("other_sig_vectors.txt");
    let key = ecdsa::signing_key(f["ecdsa_x"].as_slice().try_into().unwrap()).unwrap();
    let pk = ecdsa::public_key_bytes(&key);
    let mut uncompressed = vec![4u8];
    uncompressed.extend_from_slice(&f["ecdsa_ux"]);
    uncompressed.extend_from_slice(&f["ecdsa_uy"]);
    let vk = ecdsa::verifying_key(&uncompressed).unwrap();
    assert_eq!(ecdsa::verifying_key(&pk).unwrap(), vk);
    for (msg, name) in [(&b"sample"[..], "sample"), (&b"test"[..], "test")] {
        let mut ops = CryptoOps::default();
        let s = ecdsa::sign(&key, msg, &mut ops);
        assert_eq!(
            &s[..32],
            f[&format!("ecdsa_{name}_r")].as_slice(),
            "{name} r"
        );
        assert_eq!(
            &s[32..],
            f[&format!("ecdsa_{name}_s")].as_slice(),
            "{name} s"
        );
        assert_eq!(ops.get(Prim::P256MulBase), 1);
        assert_eq!(ecdsa::verify(&vk, msg, &s, &mut ops), Ok(()));
        assert_eq!(
            ecdsa::verify(&vk, b"other", &s, &mut ops),
            Err(SigError::Invalid)
        );
        let mut t = s;
        t[40] ^= 1;
        assert_eq!(
            ecdsa::verify(&vk, msg, &t, &mut ops),
            Err(SigError::Invalid)
        );
    }
}

/// An IBAS world: a PKG, `n` meters with keys, the verifier's identity table.
fn ibas_world(
    n: usize,
) -> (
    ibas::Pkg,
    Vec<ibas::PrivateKey>,
    Vec<ibas::VerifierIdentity>,
    SimRng,
) {
    let mut rng = SimRng::seed_from_u64(42);
    let mut ops = CryptoOps::default();
    let pkg = ibas::Pkg::setup(&mut rng, &mut ops);
    let ids: Vec<Vec<u8>> = (0..n).map(|i| format!("meter-{i}").into_bytes()).collect();
    let keys = ids.iter().map(|id| pkg.extract(id, &mut ops)).collect();
    let table = ids
        .iter()
        .map(|id| ibas::VerifierIdentity::new(id, &mut ops))
        .collect();
    (pkg, keys, table, rng)
}

#[test]
fn ibas_sign_aggregate_verify_with_three_loops_for_any_n() {
    let (pkg, keys, table, mut rng) = ibas_world(6);
    let w = b"interval-17";
    let msgs: Vec<Vec<u8>> = (0..6u8).map(|i| vec![i, 1, 2, 3]).collect();
    let mut ops = CryptoOps::default();
    let sigs: Vec<_> = keys
        .iter()
        .zip(&msgs)
        .map(|(k, m)| ibas::sign(k, w, m, &mut rng, &mut ops))
        .collect();
    for (k, s) in keys.iter().zip(&sigs) {
        assert_eq!(ibas::check_private_key(&pkg.q, k, &mut ops), Ok(()));
        assert_eq!(ibas::Signature::from_bytes(&s.to_bytes(), &mut ops), Ok(*s));
    }
    let agg = ibas::aggregate(&sigs, &mut ops).unwrap();
    let who: Vec<&ibas::VerifierIdentity> = table.iter().collect();
    let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
    let mut vops = CryptoOps::default();
    assert_eq!(
        ibas::verify(&pkg.q, &who, &refs, w, &agg, &mut vops),
        Ok(())
    );
    assert_eq!(vops.get(Prim::MillerLoop), 3);
    assert_eq!(vops.get(Prim::FinalExp), 1);
    assert_eq!(vops.get(Prim::G1Mul), 6);
    assert_eq!(vops.get(Prim::HashToG1), 1);
    // A single signature verifies on its own too.
    assert_eq!(
        ibas::verify(&pkg.q, &who[..1], &refs[..1], w, &sigs[0], &mut vops),
        Ok(())
    );
}

#[test]
fn ibas_rejects_wrong_identity_message_state_and_foreign_pkg() {
    let (pkg, keys, table, mut rng) = ibas_world(3);
    let w = b"interval-1";
    let msgs: Vec<Vec<u8>> = (0..3u8).map(|i| vec![i; 8]).collect();
    let mut ops = CryptoOps::default();
    let sigs: Vec<_> = keys
        .iter()
        .zip(&msgs)
        .map(|(k, m)| ibas::sign(k, w, m, &mut rng, &mut ops))
        .collect();
    let agg = ibas::aggregate(&sigs, &mut ops).unwrap();
    let who: Vec<&ibas::VerifierIdentity> = table.iter().collect();
    let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
    // Wrong identity: meter 2's reading attributed to a meter that did not sign.
    let stranger = ibas::VerifierIdentity::new(b"meter-99", &mut ops);
    let wrong_who = [who[0], who[1], &stranger];
    assert_eq!(
        ibas::verify(&pkg.q, &wrong_who, &refs, w, &agg, &mut ops),
        Err(SigError::Invalid)
    );
    // Readings swapped between two meters; one altered; another interval.
    let swapped = [refs[1], refs[0], refs[2]];
    assert_eq!(
        ibas::verify(&pkg.q, &who, &swapped, w, &agg, &mut ops),
        Err(SigError::Invalid)
    );
    let altered = vec![7u8; 8];
    let with_altered = [refs[0], altered.as_slice(), refs[2]];
    assert_eq!(
        ibas::verify(&pkg.q, &who, &with_altered, w, &agg, &mut ops),
        Err(SigError::Invalid)
    );
    assert_eq!(
        ibas::verify(&pkg.q, &who, &refs, b"interval-2", &agg, &mut ops),
        Err(SigError::Invalid)
    );
    // A signature missing from the aggregate.
    let partial = ibas::aggregate(&sigs[..2], &mut ops).unwrap();
    assert_eq!(
        ibas::verify(&pkg.q, &who, &refs, w, &partial, &mut ops),
        Err(SigError::Invalid)
    );
    // Keys from another PKG.
    let mut rng2 = SimRng::seed_from_u64(43);
    let other = ibas::Pkg::setup(&mut rng2, &mut ops);
    assert_eq!(
        ibas::verify(&other.q, &who, &refs, w, &agg, &mut ops),
        Err(SigError::Invalid)
    );
    let foreign = other.extract(b"meter-0", &mut ops);
    assert_eq!(
        ibas::check_private_key(&pkg.q, &foreign, &mut ops),
        Err(SigError::Invalid)
    );
    // A key decoded from its issue octets; a truncated one refused.
    let bytes = keys[0].to_bytes();
    assert_eq!(
        ibas::PrivateKey::from_bytes(b"meter-0", &bytes, &mut ops),
        Ok(keys[0].clone())
    );
    assert!(ibas::PrivateKey::from_bytes(b"meter-0", &bytes[..95], &mut ops).is_err());
    assert!(ibas::Signature::from_bytes(&agg.to_bytes()[..100], &mut ops).is_err());
}
