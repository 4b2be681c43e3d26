use super::sqn::{self, DELTA};
use super::*;
use crate::core::Prim;

fn arr<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// TS 35.207 test set 1 subscriber.
fn milenage() -> Milenage {
    Milenage::new(
        arr("465b5ce8b199b49faa5f0a2ee238a6bc"),
        arr("cd63cb71954a9f4e48a5994e37a02baf"),
    )
}

fn aes(ops: &CryptoOps) -> u64 {
    ops.get(Prim::AesBlock)
}

#[test]
fn vector_matches_test_set_1() {
    let mut ops = CryptoOps::default();
    let v = generate_vector(
        &milenage(),
        arr("ff9bb4d0b607"),
        arr("b9b9"),
        arr("23553cbe9637a89d218ae64dae47bf35"),
        &mut ops,
    );
    // AUTN = (SQN ⊕ f5) ‖ AMF ‖ f1 with the TS 35.207 set 1 outputs.
    let sqn_xor_ak: [u8; 6] =
        core::array::from_fn(|i| arr::<6>("ff9bb4d0b607")[i] ^ arr::<6>("aa689c648370")[i]);
    assert_eq!(v.sqn_xor_ak(), sqn_xor_ak);
    assert_eq!(hex::encode(&v.autn[6..]), "b9b94a9ffac354dfafb3");
    assert_eq!(hex::encode(&v.xres), "a54211d5e3ba50bf");
    assert_eq!(hex::encode(v.ck), "b40ba9a3c58b2a05bbf0d987b21bf8cb");
    assert_eq!(hex::encode(v.ik), "f769bcd751044604127672711c6d3441");
    assert_eq!(hex::encode(v.ak), "aa689c648370");
    assert_eq!(aes(&ops), 5, "TEMP + f1 + f2/f5 + f3 + f4");
}

#[test]
fn vector_accepted_once_then_replay_is_synch_failure() {
    let m = milenage();
    let mut he = HeSqn::default();
    let mut usim = SqnState::default();
    let mut ops = CryptoOps::default();
    let v = generate_vector(&m, he.next(), AMF_EPS, [0x11; 16], &mut ops);

    let mut ops = CryptoOps::default();
    let ok = usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops).unwrap();
    assert_eq!(aes(&ops), 5);
    assert!(res_matches(&v.xres, &ok.res));
    assert_eq!((ok.ck, ok.ik), (v.ck, v.ik));
    assert_eq!(sqn::split(&ok.sqn), (1, 0));
    assert_eq!(ok.amf, AMF_EPS);
    assert!(amf_separation_bit(&v.autn));

    let mut ops = CryptoOps::default();
    let err = usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops).unwrap_err();
    assert!(matches!(err, UsimReject::SynchFailure { .. }));
    assert_eq!(aes(&ops), 5, "TEMP + f2/f5 + f1 + f5* + f1*");
}

#[test]
fn flipped_bits_are_mac_failures() {
    let m = milenage();
    let mut he = HeSqn::default();
    let mut ops = CryptoOps::default();
    let v = generate_vector(&m, he.next(), AMF_UMTS, [0x22; 16], &mut ops);
    for byte in [0usize, 5, 6, 8, 15] {
        let mut autn = v.autn;
        autn[byte] ^= 0x01;
        let mut usim = SqnState::default();
        let mut ops = CryptoOps::default();
        assert_eq!(
            usim_check(&m, &v.rand, &autn, &mut usim, &mut ops).unwrap_err(),
            UsimReject::MacFailure,
            "AUTN octet {byte}"
        );
        assert_eq!(aes(&ops), 3, "TEMP + f2/f5 + f1");
        assert_eq!(usim, SqnState::default(), "state untouched");
    }
    // The wrong subscriber key is a MAC failure too.
    let other = Milenage::new([1; 16], [2; 16]);
    let mut usim = SqnState::default();
    assert_eq!(
        usim_check(&other, &v.rand, &v.autn, &mut usim, &mut ops).unwrap_err(),
        UsimReject::MacFailure
    );
    assert!(!amf_separation_bit(&v.autn));
}

fn auts_of(r: Result<UsimAccept, UsimReject>) -> [u8; 14] {
    match r {
        Err(UsimReject::SynchFailure { auts }) => auts,
        other => panic!("expected a synch failure, got {other:?}"),
    }
}

#[test]
fn resync_after_replay_then_next_vector_accepted() {
    let m = milenage();
    let mut he = HeSqn::default();
    let mut usim = SqnState::default();
    let mut ops = CryptoOps::default();
    let v = generate_vector(&m, he.next(), AMF_EPS, [0x33; 16], &mut ops);
    usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops).unwrap();
    let auts = auts_of(usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops));

    let mut ops = CryptoOps::default();
    hss_resync(&m, &v.rand, &auts, &mut he, &mut ops).unwrap();
    assert_eq!(aes(&ops), 3, "TEMP + f5* + f1*");
    let next = generate_vector(&m, he.next(), AMF_EPS, [0x34; 16], &mut ops);
    assert!(usim_check(&m, &next.rand, &next.autn, &mut usim, &mut ops).is_ok());
}

#[test]
fn resync_when_usim_is_ahead_of_the_he() {
    let m = milenage();
    let mut usim = SqnState::default();
    let mut ops = CryptoOps::default();
    // The USIM has seen SEQ 1000 (e.g. the HE lost state and restarted at 0).
    let ahead = generate_vector(&m, sqn::join(1000, 4), AMF_EPS, [0x40; 16], &mut ops);
    usim_check(&m, &ahead.rand, &ahead.autn, &mut usim, &mut ops).unwrap();
    let mut he = HeSqn::default();
    for _ in 0..4 {
        he.next(); // IND 0..3 used, so the stale vector below lands on IND 4.
    }
    let stale = generate_vector(&m, he.next(), AMF_EPS, [0x41; 16], &mut ops);
    let auts = auts_of(usim_check(
        &m,
        &stale.rand,
        &stale.autn,
        &mut usim,
        &mut ops,
    ));
    hss_resync(&m, &stale.rand, &auts, &mut he, &mut ops).unwrap();
    assert_eq!(he.seq_he(), 1000);
    let next = generate_vector(&m, he.next(), AMF_EPS, [0x42; 16], &mut ops);
    assert!(usim_check(&m, &next.rand, &next.autn, &mut usim, &mut ops).is_ok());
}

#[test]
fn resync_when_he_jumped_beyond_delta() {
    let m = milenage();
    let mut usim = SqnState::default();
    let mut ops = CryptoOps::default();
    let mut he = HeSqn::new(5 + DELTA);
    let v = generate_vector(&m, he.next(), AMF_EPS, [0x50; 16], &mut ops);
    let auts = auts_of(usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops));
    hss_resync(&m, &v.rand, &auts, &mut he, &mut ops).unwrap();
    assert_eq!(he.seq_he(), 0, "back to SEQ_MS");
    let next = generate_vector(&m, he.next(), AMF_EPS, [0x51; 16], &mut ops);
    assert!(usim_check(&m, &next.rand, &next.autn, &mut usim, &mut ops).is_ok());
}

#[test]
fn forged_or_misbound_auts_is_rejected() {
    let m = milenage();
    let mut he = HeSqn::default();
    let mut usim = SqnState::default();
    let mut ops = CryptoOps::default();
    let v = generate_vector(&m, he.next(), AMF_EPS, [0x60; 16], &mut ops);
    usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops).unwrap();
    let auts = auts_of(usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops));
    let before = he.clone();
    for byte in [0usize, 13] {
        let mut bad = auts;
        bad[byte] ^= 0x80;
        assert_eq!(
            hss_resync(&m, &v.rand, &bad, &mut he, &mut ops),
            Err(ResyncError::MacFailure)
        );
    }
    assert_eq!(
        hss_resync(&m, &[0x61; 16], &auts, &mut he, &mut ops),
        Err(ResyncError::MacFailure),
        "AUTS is bound to its RAND"
    );
    assert_eq!(he, before);
}

#[test]
fn auts_matches_f5_star_and_f1_star() {
    let m = milenage();
    let mut ops = CryptoOps::default();
    let mut usim = SqnState::default();
    let first = generate_vector(&m, sqn::join(7, 2), AMF_EPS, [0x70; 16], &mut ops);
    usim_check(&m, &first.rand, &first.autn, &mut usim, &mut ops).unwrap();
    let rand = [0x71; 16];
    let replay = generate_vector(&m, sqn::join(7, 2), AMF_EPS, rand, &mut ops);
    let auts = auts_of(usim_check(&m, &rand, &replay.autn, &mut usim, &mut ops));
    let sqn_ms = sqn::join(7, 2);
    let ak_star = m.f5_star(&rand, &mut ops);
    let mac_s = m.f1_star(&rand, &sqn_ms, &[0, 0], &mut ops);
    let want: Vec<u8> = (0..6)
        .map(|i| sqn_ms[i] ^ ak_star[i])
        .chain(mac_s)
        .collect();
    assert_eq!(auts.to_vec(), want);
}

#[test]
fn out_of_order_vectors_from_different_slots_are_accepted() {
    let m = milenage();
    let mut he = HeSqn::default();
    let mut ops = CryptoOps::default();
    let batch: Vec<AuthVector> = (0..5u8)
        .map(|i| generate_vector(&m, he.next(), AMF_EPS, [0x80 + i; 16], &mut ops))
        .collect();
    let mut usim = SqnState::default();
    for i in [4usize, 1, 3, 0, 2] {
        let ok = usim_check(&m, &batch[i].rand, &batch[i].autn, &mut usim, &mut ops).unwrap();
        assert_eq!(sqn::split(&ok.sqn), (i as u64 + 1, i));
    }
    // After a full cycle of IND values, an older vector of a reused slot is stale.
    let mut he = HeSqn::default();
    let early = generate_vector(&m, he.next(), AMF_EPS, [0x90; 16], &mut ops);
    for _ in 0..31 {
        he.next();
    }
    // The 33rd vector reuses IND 0 with a higher SEQ.
    let late = generate_vector(&m, he.next(), AMF_EPS, [0x91; 16], &mut ops);
    let mut usim = SqnState::default();
    usim_check(&m, &late.rand, &late.autn, &mut usim, &mut ops).unwrap();
    assert!(matches!(
        usim_check(&m, &early.rand, &early.autn, &mut usim, &mut ops),
        Err(UsimReject::SynchFailure { .. })
    ));
}

#[test]
fn generated_vectors_match_all_milenage_outputs() {
    // A vector is exactly the MILENAGE outputs; cross-check against the
    // one-shot functions and count: 5 blocks per vector, shared TEMP.
    let m = milenage();
    let mut ops = CryptoOps::default();
    let rand = [0xa5; 16];
    let sqn = sqn::join(42, 9);
    let v = generate_vector(&m, sqn, AMF_EPS, rand, &mut ops);
    assert_eq!(aes(&ops), 5);
    let mut ops2 = CryptoOps::default();
    let (res, ck, ik, ak) = m.f2345(&rand, &mut ops2);
    assert_eq!(
        (v.xres.as_slice(), v.ck, v.ik, v.ak),
        (&res[..], ck, ik, ak)
    );
    assert_eq!(v.autn[8..], m.f1(&rand, &sqn, &AMF_EPS, &mut ops2));
    assert_eq!(v.amf(), AMF_EPS);
}

/// Debug output of a vector or a USIM answer shows its public parts (RAND,
/// AUTN; SQN, AMF) and nothing secret: logs and panic messages must not carry
/// CK, IK, XRES, RES, XRES* or K_AUSF (issue 19: the redacting `Debug` impls
/// were unpinned).
#[test]
fn vectors_debug_print_their_public_parts_and_no_secret() {
    use crate::crypto::kdf_5g::ServingNetworkName;
    let m = milenage();
    let mut ops = CryptoOps::default();
    let sqn = HeSqn::default().next();
    let v = generate_vector(&m, sqn, AMF_EPS, [0x11; 16], &mut ops);
    let public = |name: &str| {
        format!(
            "{name} {{ rand: \"{}\", autn: \"{}\", .. }}",
            hex::encode(v.rand),
            hex::encode(v.autn)
        )
    };
    assert_eq!(format!("{v:?}"), public("AuthVector"));
    let he = fiveg::he_av_from(&v, &ServingNetworkName::for_plmn(1, 1), &mut ops);
    assert_eq!(format!("{he:?}"), public("HeAv5g"));
    let mut usim = SqnState::default();
    let accept = usim_check(&m, &v.rand, &v.autn, &mut usim, &mut ops).unwrap();
    assert_eq!(
        format!("{accept:?}"),
        format!(
            "UsimAccept {{ sqn: \"{}\", amf: \"{}\", .. }}",
            hex::encode(sqn),
            hex::encode(AMF_EPS)
        )
    );
}
