use super::tree::{Avp, AvpData, AvpMessage};
use super::*;
use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt, SeedableRng};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test hex")
}

const MME_HOST: &str = "mme.epc.mnc001.mcc001.3gppnetwork.org";
const HSS_HOST: &str = "hss.epc.mnc001.mcc001.3gppnetwork.org";
const REALM: &str = "epc.mnc001.mcc001.3gppnetwork.org";

fn air(vectors: u32) -> AuthenticationInformationRequest {
    AuthenticationInformationRequest {
        hop_by_hop: 0x0000_0001,
        end_to_end: 0x5a00_0001,
        session_id: format!("{MME_HOST};1700000000;1;1"),
        vendor_specific_application_id: None,
        origin_host: MME_HOST.into(),
        origin_realm: REALM.into(),
        destination_host: None,
        destination_realm: REALM.into(),
        user_name: "001010123456789".into(),
        oc_supported_features: None,
        requested_eutran: Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(vectors),
            immediate_response_preferred: true,
            re_synchronization_info: None,
        }),
        requested_utran_geran: None,
        visited_plmn_id: [0x00, 0xf1, 0x10],
    }
}

fn eutran_vector(i: u32) -> EutranVector {
    let b = i as u8;
    EutranVector {
        item_number: Some(i),
        rand: [b; 16],
        xres: vec![b ^ 0x55; 8],
        autn: [b ^ 0xaa; 16],
        kasme: [b ^ 0x0f; 32],
    }
}

fn aia(vectors: u32) -> AuthenticationInformationAnswer {
    AuthenticationInformationAnswer::answering(
        &air(vectors),
        HSS_HOST,
        REALM,
        DiameterResult::SUCCESS,
        Some(AuthenticationInfo {
            eutran_vectors: (1..=vectors).map(eutran_vector).collect(),
            utran_vectors: Vec::new(),
        }),
    )
}

fn olr() -> OcOlr {
    OcOlr {
        sequence_number: 0x0102_0304_0506_0708,
        report_type: ReportType::Host,
        reduction_percentage: Some(40),
        validity_duration: Some(30),
    }
}

/// Every message shape: AIR/AIA variants with each optional part.
pub(crate) fn samples() -> Vec<S6aMessage> {
    let mut resync = air(1);
    resync.vendor_specific_application_id = Some(VendorSpecificApplicationId::S6A);
    resync.destination_host = Some(HSS_HOST.into());
    resync.requested_eutran = Some(RequestedAuthInfo {
        number_of_requested_vectors: Some(1),
        immediate_response_preferred: false,
        re_synchronization_info: Some(core::array::from_fn(|i| i as u8)),
    });
    let mut umts = air(2);
    umts.requested_eutran = None;
    umts.requested_utran_geran = Some(RequestedAuthInfo {
        number_of_requested_vectors: None,
        immediate_response_preferred: true,
        re_synchronization_info: None,
    });
    let mut umts_answer = aia(0);
    umts_answer.authentication_info = Some(AuthenticationInfo {
        eutran_vectors: Vec::new(),
        utran_vectors: vec![UtranVector {
            item_number: None,
            rand: [1; 16],
            xres: vec![2; 16],
            autn: [3; 16],
            ck: [4; 16],
            ik: [5; 16],
        }],
    });
    let mut unknown = aia(0);
    unknown.result = DiameterResult::ERROR_USER_UNKNOWN;
    unknown.authentication_info = None;
    unknown.vendor_specific_application_id = Some(VendorSpecificApplicationId::S6A);
    let mut unavailable = unknown.clone();
    unavailable.result = DiameterResult::AUTHENTICATION_DATA_UNAVAILABLE;
    let mut short_xres = aia(1);
    if let Some(info) = &mut short_xres.authentication_info {
        info.eutran_vectors[0].xres = vec![9; 4];
        info.eutran_vectors[0].item_number = None;
    }
    let mut doic_air = air(1);
    doic_air.oc_supported_features = Some(OLR_DEFAULT_ALGO);
    let mut doic_aia = aia(1);
    doic_aia.oc_supported_features = Some(OLR_DEFAULT_ALGO);
    doic_aia.oc_olr = Some(olr());
    let mut doic_bare = aia(0);
    doic_bare.oc_olr = Some(OcOlr {
        sequence_number: u64::MAX,
        report_type: ReportType::Realm,
        reduction_percentage: None,
        validity_duration: None,
    });
    vec![
        S6aMessage::Air(air(1)),
        S6aMessage::Air(doic_air),
        S6aMessage::Aia(doic_aia),
        S6aMessage::Aia(doic_bare),
        S6aMessage::Air(resync),
        S6aMessage::Air(umts),
        S6aMessage::Aia(aia(1)),
        S6aMessage::Aia(aia(5)),
        S6aMessage::Aia(aia(0)),
        S6aMessage::Aia(umts_answer),
        S6aMessage::Aia(unknown),
        S6aMessage::Aia(unavailable),
        S6aMessage::Aia(short_xres),
    ]
}

#[test]
fn requests_and_answers_are_told_apart() {
    for m in samples() {
        let pdu = m.encode();
        match &m {
            S6aMessage::Air(_) => {
                assert_eq!(m.kind(), "AIR");
                assert!(AuthenticationInformationAnswer::decode(&pdu).is_err());
            }
            S6aMessage::Aia(_) => {
                assert_eq!(m.kind(), "AIA");
                assert!(AuthenticationInformationRequest::decode(&pdu).is_err());
            }
        }
    }
}

#[test]
fn direct_encoding_matches_the_avp_tree() {
    // The typed encoders write AVPs straight into the PDU; the generic owned
    // tree (`avps()` + `encode_with`) must give the same bytes.
    let mut resync = air(3);
    resync
        .requested_eutran
        .as_mut()
        .unwrap()
        .re_synchronization_info = Some([7; 30]);
    resync.destination_host = Some("hss.example".into());
    resync.vendor_specific_application_id = Some(VendorSpecificApplicationId::S6A);
    let mut all = samples();
    all.push(S6aMessage::Air(resync));
    for m in all {
        let pdu = m.encode();
        let header = Header::decode(&pdu).unwrap();
        let avps = match &m {
            S6aMessage::Air(r) => r.avps(),
            S6aMessage::Aia(a) => a.avps(),
        };
        let tree = AvpMessage { header, avps }.encode();
        let len = m.encoded_len();
        assert_eq!(pdu, tree, "{m:?}");
        assert_eq!(pdu.len(), len);
        assert_eq!(pdu.capacity(), len, "reserved exactly once");
    }
}

#[test]
fn answer_echoes_the_request_ids() {
    let mut req = air(1);
    req.hop_by_hop = 0xdead_beef;
    req.end_to_end = 0x1234_5678;
    req.session_id = format!("{MME_HOST};4294967295;7;99");
    let req_pdu = req.encode();
    let req = AuthenticationInformationRequest::decode(&req_pdu).unwrap();
    let ans = AuthenticationInformationAnswer::answering(
        &req,
        HSS_HOST,
        REALM,
        DiameterResult::SUCCESS,
        Some(AuthenticationInfo::default()),
    );
    let ans_pdu = ans.encode();
    let (rh, _) = decode_refs(&req_pdu).unwrap();
    let (ah, _) = decode_refs(&ans_pdu).unwrap();
    assert_eq!((ah.hop_by_hop, ah.end_to_end), (0xdead_beef, 0x1234_5678));
    assert_eq!(
        (ah.hop_by_hop, ah.end_to_end),
        (rh.hop_by_hop, rh.end_to_end)
    );
    assert_eq!(&ans_pdu[12..20], &req_pdu[12..20]);
    assert!(rh.request && !ah.request);
    let ans = AuthenticationInformationAnswer::decode(&ans_pdu).unwrap();
    assert_eq!(ans.session_id, req.session_id);
}

#[test]
fn minimal_air_matches_hand_assembled_bytes() {
    let req = AuthenticationInformationRequest {
        hop_by_hop: 0x1122_3344,
        end_to_end: 0x5566_7788,
        session_id: "s;1".into(),
        vendor_specific_application_id: None,
        origin_host: "mme".into(),
        origin_realm: "epc".into(),
        destination_host: None,
        destination_realm: "epc".into(),
        user_name: "001010123456789".into(),
        oc_supported_features: None,
        requested_eutran: Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(1),
            immediate_response_preferred: false,
            re_synchronization_info: None,
        }),
        requested_utran_geran: None,
        visited_plmn_id: [0x00, 0xf1, 0x10],
    };
    let expected = hex(&concat!(
        "01000094",                                            // version 1, length 148
        "c000013e",                                            // R P, command 318
        "01000023",                                            // application 16777251
        "11223344",                                            // hop-by-hop
        "55667788",                                            // end-to-end
        "0000010740 00000b 733b31 00",                         // Session-Id "s;1" + 1 padding
        "0000011540 00000c 00000001",                          // Auth-Session-State 1
        "0000010840 00000b 6d6d65 00",                         // Origin-Host "mme"
        "0000012840 00000b 657063 00",                         // Origin-Realm "epc"
        "0000011b40 00000b 657063 00",                         // Destination-Realm "epc"
        "0000000140 000017 303031303130313233343536373839 00", // User-Name
        "00000580c0 00001c 000028af", // Requested-EUTRAN-Authentication-Info
        "00000582c0 000010 000028af 00000001", // Number-Of-Requested-Vectors 1
        "0000057fc0 00000f 000028af 00f110 00", // Visited-PLMN-Id
    )
    .replace(' ', ""));
    assert_eq!(req.encode(), expected);
    assert_eq!(AuthenticationInformationRequest::decode(&expected), Ok(req));
}

#[test]
fn typical_sizes() {
    // Session-Id 52 + 8 header = 60; Auth-Session-State 12; Origin-Host 45 ->
    // 48; Origin-Realm and Destination-Realm 41 -> 44; User-Name 23 -> 24;
    // Requested-EUTRAN-Authentication-Info 12 + 16 + 16 = 44; Visited-PLMN-Id
    // 15 -> 16; header 20.
    assert_eq!(
        air(1).encode().len(),
        20 + 60 + 12 + 48 + 44 + 44 + 24 + 44 + 16
    );
    assert_eq!(air(1).encode().len(), 312);
    // E-UTRAN-Vector: 12 + Item-Number 16 + RAND 28 + XRES(8) 20 + AUTN 28 +
    // KASME 44 = 148; Authentication-Info 12 + n * 148; Result-Code 12.
    let fixed = 20 + 60 + 12 + 12 + 48 + 44;
    assert_eq!(aia(1).encode().len(), fixed + 12 + 148);
    assert_eq!(aia(1).encode().len(), 356);
    assert_eq!(aia(5).encode().len(), fixed + 12 + 5 * 148);
    assert_eq!(aia(5).encode().len(), 948);
    // Vendor-Specific-Application-Id adds 32 octets.
    let mut with_vsai = air(1);
    with_vsai.vendor_specific_application_id = Some(VendorSpecificApplicationId::S6A);
    assert_eq!(with_vsai.encode().len(), 312 + 32);
}

// Captures of the nextepc (open5gs) MME and HSS, from the Diameter test data
// of pycrate (test/test_mobile.py): same hop-by-hop / end-to-end ids in both.
pub(crate) const NEXTEPC_AIR: &str = concat!(
    "01000104c000013e010000230dde9cb98415e2e8000001074000002d6d6d652e6c6f63616c",
    "646f6d61696e3b313536303935303834393b31373b6170705f733661000000000001154000",
    "000c0000000100000108400000176d6d652e6c6f63616c646f6d61696e0000000128400000",
    "136c6f63616c646f6d61696e000000011b400000136c6f63616c646f6d61696e0000000001",
    "400000173234343037313832313139343032360000000580c000002c000028af00000582c0",
    "000010000028af0000000100000584c0000010000028af000000010000057fc000000f0000",
    "28af42f4700000000104400000200000010a4000000c000028af000001024000000c010000",
    "23"
);
pub(crate) const NEXTEPC_AIA: &str = concat!(
    "010001384000013e010000230dde9cb98415e2e8000001074000002d6d6d652e6c6f63616c",
    "646f6d61696e3b313536303935303834393b31373b6170705f73366100000000000585c000",
    "0090000028af00000586c0000084000028af000005a7c000001c000028af1bfb50b4ccdade",
    "9bc64c0e79a48c52ae000005a8c0000014000028afee84e634eb3b2d25000005a9c000001c",
    "000028af738dfd83971680003f2c75b0b8c3ff6c000005aac000002c000028af7fedfc639d",
    "a901b42de6c7dea5f1867568d5e0a264b4c2e2915fd5b0a376122e00000108400000176873",
    "732e6c6f63616c646f6d61696e0000000128400000136c6f63616c646f6d61696e00000001",
    "0c4000000c000007d1000001154000000c0000000100000104400000200000010a4000000c",
    "000028af000001024000000c01000023"
);

#[test]
fn decodes_captured_air() {
    let pdu = hex(NEXTEPC_AIR);
    assert_eq!(AvpMessage::decode(&pdu).unwrap().encode(), pdu);
    let m = AuthenticationInformationRequest::decode(&pdu).unwrap();
    assert_eq!((m.hop_by_hop, m.end_to_end), (0x0dde_9cb9, 0x8415_e2e8));
    assert_eq!(m.session_id, "mme.localdomain;1560950849;17;app_s6a");
    assert_eq!(m.origin_host, "mme.localdomain");
    assert_eq!(m.origin_realm, "localdomain");
    assert_eq!(m.destination_realm, "localdomain");
    assert_eq!(m.user_name, "244071821194026");
    assert_eq!(m.visited_plmn_id, [0x42, 0xf4, 0x70]);
    assert_eq!(
        m.vendor_specific_application_id,
        Some(VendorSpecificApplicationId::S6A)
    );
    let requested = m.requested_eutran.as_ref().unwrap();
    assert_eq!(requested.number_of_requested_vectors, Some(1));
    assert!(requested.immediate_response_preferred);
    assert_eq!(requested.re_synchronization_info, None);
    // Same AVPs in ABNF order: same size.
    assert_eq!(m.encode().len(), pdu.len());
}

#[test]
fn decodes_captured_aia() {
    let pdu = hex(NEXTEPC_AIA);
    assert_eq!(AvpMessage::decode(&pdu).unwrap().encode(), pdu);
    let m = AuthenticationInformationAnswer::decode(&pdu).unwrap();
    assert_eq!((m.hop_by_hop, m.end_to_end), (0x0dde_9cb9, 0x8415_e2e8));
    assert_eq!(m.result, DiameterResult::SUCCESS);
    assert_eq!(m.origin_host, "hss.localdomain");
    let info = m.authentication_info.as_ref().unwrap();
    assert_eq!(info.eutran_vectors.len(), 1);
    let v = &info.eutran_vectors[0];
    assert_eq!(v.item_number, None);
    assert_eq!(v.rand.to_vec(), hex("1bfb50b4ccdade9bc64c0e79a48c52ae"));
    assert_eq!(v.xres, hex("ee84e634eb3b2d25"));
    assert_eq!(v.autn.to_vec(), hex("738dfd83971680003f2c75b0b8c3ff6c"));
    assert_eq!(
        v.kasme.to_vec(),
        hex("7fedfc639da901b42de6c7dea5f1867568d5e0a264b4c2e2915fd5b0a376122e")
    );
    assert_eq!(m.encode().len(), pdu.len());
    let air = AuthenticationInformationRequest::decode(&hex(NEXTEPC_AIR)).unwrap();
    assert_eq!(m.session_id, air.session_id);
}

/// PDU offset of the first top-level AVP with `code`.
fn avp_offset(pdu: &[u8], code: u32) -> usize {
    let (_, refs) = decode_refs(pdu).unwrap();
    refs.iter().find(|a| a.code == code).unwrap().offset
}

#[test]
fn errors_name_the_offset() {
    let good = air(1).encode();
    let err = |pdu: &[u8]| AuthenticationInformationRequest::decode(pdu).unwrap_err();

    let mut bad = good.clone();
    bad[0] = 2;
    assert_eq!(err(&bad).offset, 0, "bad version");

    let mut bad = good.clone();
    bad[3] += 4;
    assert_eq!(err(&bad).offset, 1, "length mismatch");
    assert_eq!(err(&good[..good.len() - 4]).offset, 1, "truncated");

    let mut bad = good.clone();
    bad[4] = 0x80; // P clear
    assert_eq!(err(&bad).offset, 4);
    bad[4] = 0xc1; // reserved bit
    assert_eq!(err(&bad).offset, 4);

    let mut bad = good.clone();
    bad[7] = 0x3f; // command 319
    assert_eq!(err(&bad).offset, 5);

    // AVP length 7 < 8-octet header: the length field is at AVP offset + 5.
    let at = avp_offset(&good, 277);
    let mut bad = good.clone();
    bad[at + 7] = 7;
    assert_eq!(err(&bad).offset, at + 5);
    // AVP length running past the message.
    bad[at + 6] = 0x10;
    assert_eq!(err(&bad).offset, at + 5);

    // Visited-PLMN-Id (the last AVP) of 2 octets instead of 3: wrong data
    // length, reported at its data offset.
    let at = avp_offset(&good, 1407);
    let mut bad = good.clone();
    bad[at + 7] = 0x0e; // Visited-PLMN-Id of 2 octets
    bad[at + 14] = 0; // padding must be zero
    bad[at + 15] = 0;
    assert_eq!(err(&bad).offset, at + 12);

    // Non-zero padding.
    let mut bad = good.clone();
    bad[at + 15] = 1;
    assert_eq!(err(&bad).offset, at + 15);

    // Missing mandatory AVP: drop Origin-Realm (no other change needed).
    let mut m = AvpMessage::decode(&good).unwrap();
    m.avps.retain(|a| a.code != 296);
    let e = err(&m.encode());
    assert_eq!(e.offset, m.encode().len());
    assert!(e.what.contains("Origin-Realm"), "{e}");

    // Unknown AVP: skipped without M, an error with M.
    let mut m = AvpMessage::decode(&good).unwrap();
    let mut unknown = Avp::octets(avp::USER_NAME, b"x");
    unknown.code = 9999;
    unknown.mandatory = false;
    m.avps.push(unknown.clone());
    assert_eq!(
        AuthenticationInformationRequest::decode(&m.encode()),
        Ok(air(1))
    );
    m.avps.pop();
    unknown.mandatory = true;
    m.avps.push(unknown);
    let pdu = m.encode();
    assert_eq!(err(&pdu).offset, good.len());

    // Session-Id not first.
    let mut m = AvpMessage::decode(&good).unwrap();
    m.avps.swap(0, 1);
    assert_eq!(err(&m.encode()).offset, HEADER_LEN);

    // Duplicate Origin-Host.
    let mut m = AvpMessage::decode(&good).unwrap();
    m.avps.push(Avp::text(avp::ORIGIN_HOST, "x"));
    assert_eq!(err(&m.encode()).offset, good.len());

    // AIA: XRES of 3 octets inside Authentication-Info / E-UTRAN-Vector.
    let mut m = AvpMessage::decode(&aia(1).encode()).unwrap();
    let xres_offset = {
        let pdu = m.encode();
        let at = pdu
            .windows(4)
            .position(|w| w == 1448u32.to_be_bytes())
            .unwrap();
        at + 12
    };
    for a in &mut m.avps {
        if let AvpData::Grouped(info) = &mut a.data
            && a.code == 1413
            && let AvpData::Grouped(vector) = &mut info[0].data
        {
            for c in vector.iter_mut().filter(|c| c.code == 1448) {
                c.data = AvpData::Octets(vec![1, 2, 3]);
            }
        }
    }
    let e = AuthenticationInformationAnswer::decode(&m.encode()).unwrap_err();
    assert_eq!(e.offset, xres_offset, "{e}");
}

fn sample_pdus() -> Vec<Vec<u8>> {
    let mut pdus: Vec<Vec<u8>> = samples().iter().map(S6aMessage::encode).collect();
    pdus.push(hex(NEXTEPC_AIR));
    pdus.push(hex(NEXTEPC_AIA));
    pdus
}

#[test]
fn truncations_are_rejected_and_the_tree_re_encodes_what_it_decodes() {
    for pdu in sample_pdus() {
        for cut in 0..pdu.len() {
            assert!(S6aMessage::decode(&pdu[..cut]).is_err());
            assert!(AvpMessage::decode(&pdu[..cut]).is_err());
        }
        for v in crate::wire::contract_tests::variants(&pdu) {
            if let Ok(m) = AvpMessage::decode(&v) {
                assert_eq!(m.encode(), v, "generic: {}", hex::encode(&v));
            }
        }
    }
}

#[test]
fn decode_into_reuses_a_target_and_agrees_with_decode() {
    let mut rng = ChaCha8Rng::seed_from_u64(29272);
    let pdus = sample_pdus();
    let mut air = AuthenticationInformationRequest::empty();
    let mut aia = AuthenticationInformationAnswer::empty();
    for i in 0..5_000 {
        let mut pdu = pdus[i % pdus.len()].clone();
        if i >= pdus.len() {
            for _ in 0..rng.random_range(0..3) {
                let j = rng.random_range(0..pdu.len());
                pdu[j] = rng.next_u32() as u8;
            }
        }
        // Targets keep whatever the previous (possibly failed) decode left.
        let r = air.decode_into(&pdu).map(|()| air.clone());
        assert_eq!(r, AuthenticationInformationRequest::decode(&pdu));
        let r = aia.decode_into(&pdu).map(|()| aia.clone());
        assert_eq!(r, AuthenticationInformationAnswer::decode(&pdu));
    }
}

#[test]
fn doic_avps_match_hand_assembled_bytes() {
    // RFC 7683 §7: base AVPs (no V bit), M bit clear; codes from the IANA
    // registry: 621 OC-Supported-Features, 622 OC-Feature-Vector, 623
    // OC-OLR, 624 OC-Sequence-Number, 625 OC-Validity-Duration, 626
    // OC-Report-Type, 627 OC-Reduction-Percentage.
    let mut a = aia(0);
    a.oc_supported_features = Some(OLR_DEFAULT_ALGO);
    a.oc_olr = Some(olr());
    let pdu = a.encode();
    let features = hex(concat!(
        "0000026d 00000018",                  // 621, flags 0, length 24
        "0000026e 00000010 0000000000000001", // 622, 16, OLR_DEFAULT_ALGO
    )
    .replace(' ', "")
    .as_str());
    let report = hex(concat!(
        "0000026f 0000003c",                  // 623, length 60
        "00000270 00000010 0102030405060708", // 624, Unsigned64
        "00000272 0000000c 00000000",         // 626 HOST_REPORT
        "00000273 0000000c 00000028",         // 627: 40 %
        "00000271 0000000c 0000001e",         // 625: 30 s
    )
    .replace(' ', "")
    .as_str());
    let at = avp_offset(&pdu, 621);
    assert_eq!(&pdu[at..at + features.len()], &features[..]);
    let at = avp_offset(&pdu, 623);
    assert_eq!(&pdu[at..at + report.len()], &report[..]);
    assert_eq!(pdu.len(), a.encoded_len());
    assert_eq!(
        pdu.len(),
        aia(0).encoded_len() + features.len() + report.len()
    );
    assert_eq!(AuthenticationInformationAnswer::decode(&pdu).unwrap(), a);
}

#[test]
fn doic_values_out_of_range_are_refused_at_their_offset() {
    let mut a = aia(0);
    a.oc_supported_features = Some(OLR_DEFAULT_ALGO);
    a.oc_olr = Some(olr());
    let good = a.encode();
    let err = |pdu: &[u8]| AuthenticationInformationAnswer::decode(pdu).unwrap_err();
    let olr_at = avp_offset(&good, 623);
    // Children of the OC-OLR: sequence at +8 (data +16), report type at +24
    // (data +32), percentage at +36 (data +44), validity at +48 (data +56).
    let mut bad = good.clone();
    bad[olr_at + 35] = 2;
    let e = err(&bad);
    assert_eq!((e.offset, e.what), (olr_at + 32, "OC-Report-Type"));
    let mut bad = good.clone();
    bad[olr_at + 47] = 101;
    let e = err(&bad);
    assert_eq!((e.offset, e.what), (olr_at + 44, "OC-Reduction-Percentage"));
    let mut bad = good.clone();
    bad[olr_at + 56..olr_at + 60].copy_from_slice(&86_401u32.to_be_bytes());
    let e = err(&bad);
    assert_eq!((e.offset, e.what), (olr_at + 56, "OC-Validity-Duration"));
    let mut bad = good.clone();
    let f_at = avp_offset(&good, 621);
    bad[f_at + 16..f_at + 24].fill(0);
    let e = err(&bad);
    assert_eq!((e.offset, e.what), (f_at + 16, "OC-Feature-Vector"));
    // A report without its sequence number is refused at the group's end.
    let mut b = a.clone();
    b.oc_olr = None;
    let mut pdu = b.encode();
    let missing = hex("0000026f 00000014 00000272 0000000c 00000000"
        .replace(' ', "")
        .as_str());
    let start = pdu.len();
    pdu.extend_from_slice(&missing);
    let len = pdu.len() as u32;
    pdu[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    let e = err(&pdu);
    assert_eq!((e.offset, e.what), (start + 20, "OC-Sequence-Number"));
}

#[test]
fn doic_codes_do_not_clash_with_the_3gpp_keys() {
    // 625 and 626 are also Confidentiality-Key / Integrity-Key (vendor 10415).
    assert_eq!(
        doic::OC_VALIDITY_DURATION.code,
        avp::CONFIDENTIALITY_KEY.code
    );
    assert!(!doic::OC_VALIDITY_DURATION.is(avp::CONFIDENTIALITY_KEY));
    assert!(!doic::OC_REPORT_TYPE.is(avp::INTEGRITY_KEY));
}
