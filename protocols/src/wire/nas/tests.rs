use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test hex")
}

const IMSI: &str = "001010123456789";

fn attach_request() -> AttachRequest {
    AttachRequest {
        nas_ksi: KSI_NO_KEY,
        attach_type: attach_type::EPS_ATTACH,
        identity: EpsMobileIdentity::Imsi(IMSI.into()),
        ue_network_capability: TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
        esm_message_container: MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
        optional_ies: Vec::new(),
    }
}

fn smc() -> SecurityModeCommand {
    SecurityModeCommand {
        ciphering_algorithm: 0,
        integrity_algorithm: 2,
        nas_ksi: 0,
        replayed_ue_security_capabilities: TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
        imeisv_request: None,
    }
}

/// One instance of every message (and the optional variants).
pub(crate) fn samples() -> Vec<NasMessage> {
    let mut with_guti = attach_request();
    with_guti.identity = EpsMobileIdentity::Guti(Guti {
        plmn: [0x00, 0xf1, 0x10],
        mme_group_id: 0x8001,
        mme_code: 1,
        m_tmsi: 0xc0de_0001,
    });
    with_guti.optional_ies = vec![0x5c, 0x0a, 0x00];
    let mut even_imsi = attach_request();
    even_imsi.identity = EpsMobileIdentity::Imsi("00101012345678".into());
    vec![
        NasMessage::AttachRequest(attach_request()),
        NasMessage::AttachRequest(with_guti),
        NasMessage::AttachRequest(even_imsi),
        NasMessage::AuthenticationRequest(AuthenticationRequest {
            nas_ksi: 1,
            rand: [0x11; 16],
            autn: [0x22; 16],
        }),
        NasMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0x33; 8] }),
        NasMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0x34; 4] }),
        NasMessage::AuthenticationResponse(AuthenticationResponse {
            res: vec![0x35; 16],
        }),
        NasMessage::AuthenticationFailure(AuthenticationFailure {
            cause: EmmCause::MAC_FAILURE,
            auts: None,
        }),
        NasMessage::AuthenticationFailure(AuthenticationFailure {
            cause: EmmCause::SYNCH_FAILURE,
            auts: Some([0x44; 14]),
        }),
        NasMessage::AuthenticationReject,
        NasMessage::SecurityModeCommand(smc()),
        NasMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: 2,
            integrity_algorithm: 2,
            nas_ksi: 6,
            replayed_ue_security_capabilities: vec![0xe0, 0x60],
            imeisv_request: Some(true),
        }),
        NasMessage::SecurityModeComplete(SecurityModeComplete { imeisv: None }),
        NasMessage::SecurityModeComplete(SecurityModeComplete {
            imeisv: Some("3598624297814540".into()),
        }),
        NasMessage::SecurityModeReject(EmmCause::UE_SECURITY_CAPABILITIES_MISMATCH),
        NasMessage::AttachReject(AttachReject {
            cause: EmmCause::ILLEGAL_UE,
            esm_message_container: None,
            t3346: None,
        }),
        NasMessage::AttachReject(AttachReject {
            cause: EmmCause::NETWORK_FAILURE,
            esm_message_container: Some(vec![0x02, 0x01, 0xd1, 0x1a]),
            t3346: None,
        }),
        NasMessage::AttachReject(AttachReject {
            cause: EmmCause::CONGESTION,
            esm_message_container: None,
            t3346: Some(GprsTimer2::from_seconds(600)),
        }),
        NasMessage::AttachReject(AttachReject {
            cause: EmmCause::CONGESTION,
            esm_message_container: Some(vec![0x02, 0x01, 0xd1, 0x1a]),
            t3346: Some(GprsTimer2::DEACTIVATED),
        }),
    ]
}

#[test]
fn protect_and_mac_input_match_the_envelope() {
    for m in samples() {
        let plain = m.encode();
        for ht in 1..=4 {
            let p = SecurityProtected {
                header_type: ht,
                mac: [0xde, 0xad, 0xbe, 0xef],
                seq: 7,
                inner: plain.clone(),
            };
            let pdu = p.encode();
            assert_eq!(pdu.len(), 6 + plain.len());
            assert_eq!(pdu, protect(ht, p.mac, 7, &plain));
            assert_eq!(decode_any(&pdu), Ok(Nas::Protected(p.clone())));
            assert_eq!(p.decode_inner().as_ref(), Ok(&m));
            assert_eq!(mac_input(&pdu).unwrap(), &p.mac_input()[..]);
            assert_eq!(mac_input(&pdu).unwrap()[0], 7);
            assert_eq!(&mac_input(&pdu).unwrap()[1..], &plain[..]);
        }
    }
}

#[test]
fn sizes_follow_ts_24_301() {
    let size = |m: NasMessage| m.encode().len();
    // §8.2.7: 2 header + 1 KSI + 16 RAND + 1 + 16 AUTN.
    assert_eq!(size(samples()[3].clone()), 36);
    // 2 header + 1 length + RES.
    for n in 4..=16 {
        let m = NasMessage::AuthenticationResponse(AuthenticationResponse { res: vec![0; n] });
        assert_eq!(size(m), 3 + n);
    }
    assert_eq!(size(samples()[4].clone()), 11);
    // 2 + KSI/type 1 + IMSI (1 + 8) + UE network capability (1 + 4) + ESM (2 + 5).
    assert_eq!(size(NasMessage::AttachRequest(attach_request())), 24);
    assert_eq!(size(samples()[7].clone()), 3);
    assert_eq!(size(samples()[8].clone()), 3 + 16);
    assert_eq!(size(NasMessage::AuthenticationReject), 2);
    // 2 + algorithms 1 + KSI 1 + capabilities (1 + 4).
    let smc_plain = size(NasMessage::SecurityModeCommand(smc()));
    assert_eq!(smc_plain, 9);
    let smc_protected = protect(
        3,
        [0; 4],
        0,
        &NasMessage::SecurityModeCommand(smc()).encode(),
    );
    assert_eq!(smc_protected.len(), 15);
    let smcomplete = NasMessage::SecurityModeComplete(SecurityModeComplete { imeisv: None });
    assert_eq!(size(smcomplete.clone()), 2);
    assert_eq!(protect(2, [0; 4], 0, &smcomplete.encode()).len(), 8);
    assert_eq!(size(samples()[13].clone()), 2 + 1 + 1 + 9);
    assert_eq!(size(samples()[14].clone()), 3);
    assert_eq!(size(samples()[15].clone()), 3);
}

#[test]
fn authentication_request_matches_hand_assembled_bytes() {
    let m = NasMessage::AuthenticationRequest(AuthenticationRequest {
        nas_ksi: 1,
        rand: core::array::from_fn(|i| i as u8),
        autn: core::array::from_fn(|i| 0xa0 + i as u8),
    });
    let mut expected = vec![0x07, 0x52, 0x01];
    expected.extend(0u8..16);
    expected.push(16);
    expected.extend(0xa0u8..0xb0);
    assert_eq!(m.encode(), expected);
}

#[test]
fn authentication_response_matches_hand_assembled_bytes() {
    let m = NasMessage::AuthenticationResponse(AuthenticationResponse {
        res: vec![1, 2, 3, 4, 5, 6, 7, 8],
    });
    assert_eq!(m.encode(), [0x07, 0x53, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn attach_request_matches_hand_assembled_bytes() {
    let expected = [
        0x07, 0x41, // plain EMM, Attach request
        0x71, // KSI 7 (no key), EPS attach
        0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, // IMSI 001010123456789
        0x04, 0xe0, 0x60, 0xc0, 0x40, // UE network capability
        0x00, 0x05, 0x02, 0x01, 0xd0, 0x11, 0xd1, // ESM message container
    ];
    assert_eq!(
        NasMessage::AttachRequest(attach_request()).encode(),
        expected
    );
}

#[test]
fn imsi_digits_match_open5gs_identity_response() {
    // Mobile identity of the Identity response "0756 08 0910101032548651" in
    // open5gs' lib/nas/eps unit test, built there from IMSI digits 001010123456815.
    let id = EpsMobileIdentity::Imsi("001010123456815".into());
    assert_eq!(id.encode(), hex("0910101032548651"));
    assert_eq!(
        EpsMobileIdentity::decode(&hex("0910101032548651"), 0),
        Ok(id)
    );
}

// Captures below come from the test data of pycrate (test/test_mobile.py,
// EPS domain) and open5gs (lib/nas/eps unit tests).

#[test]
fn decodes_captured_authentication_request() {
    let pdu = hex("075206905ADA1E7DA557ADA1E72650E21EE5E3104BFB73F6B4558000B1903AB88A27237F");
    assert_eq!(pdu.len(), 36);
    let NasMessage::AuthenticationRequest(m) = NasMessage::decode(&pdu).unwrap() else {
        panic!("not an authentication request");
    };
    assert_eq!(m.nas_ksi, 6);
    assert_eq!(m.rand.to_vec(), hex("905ADA1E7DA557ADA1E72650E21EE5E3"));
    assert_eq!(m.autn.to_vec(), hex("4BFB73F6B4558000B1903AB88A27237F"));
    assert_eq!(NasMessage::AuthenticationRequest(m).encode(), pdu);
}

#[test]
fn decodes_captured_protected_authentication_response() {
    let pdu = hex("17450740e3040753083ec3a476f829b414");
    let Nas::Protected(p) = decode_any(&pdu).unwrap() else {
        panic!("not protected");
    };
    assert_eq!(
        (p.header_type, p.mac, p.seq),
        (1, [0x45, 0x07, 0x40, 0xe3], 4)
    );
    let expected = AuthenticationResponse {
        res: hex("3ec3a476f829b414"),
    };
    assert_eq!(
        p.decode_inner(),
        Ok(NasMessage::AuthenticationResponse(expected))
    );
    assert_eq!(p.encode(), pdu);
    assert_eq!(mac_input(&pdu).unwrap(), &pdu[5..]);
}

#[test]
fn decodes_captured_protected_security_mode_command() {
    let pdu = hex("37E8A14BCF00075D220605E060C04070C1");
    let nas = decode_any(&pdu).unwrap();
    assert_eq!(nas.kind(), "SecurityModeCommand");
    let Nas::Protected(p) = &nas else {
        panic!("not protected");
    };
    assert_eq!(p.header_type, header_type::INTEGRITY_PROTECTED_NEW_CONTEXT);
    let expected = SecurityModeCommand {
        ciphering_algorithm: 2,
        integrity_algorithm: 2,
        nas_ksi: 6,
        replayed_ue_security_capabilities: hex("E060C04070"),
        imeisv_request: Some(true),
    };
    assert_eq!(
        p.decode_inner(),
        Ok(NasMessage::SecurityModeCommand(expected))
    );
    assert_eq!(nas.encode(), pdu);
}

#[test]
fn decodes_captured_security_mode_complete() {
    let pdu = hex("075e23093395684292874145f0");
    let expected = SecurityModeComplete {
        imeisv: Some("3598624297814540".into()),
    };
    assert_eq!(
        NasMessage::decode(&pdu),
        Ok(NasMessage::SecurityModeComplete(expected.clone()))
    );
    assert_eq!(NasMessage::SecurityModeComplete(expected).encode(), pdu);
}

#[test]
fn decodes_captured_attach_requests() {
    // pycrate: integrity protected, GUTI, PDN connectivity request with PCO.
    let pdu = hex(concat!(
        "17D2EBA20A020741020BF602F8107500E0C301732F04E060C04000240202D011D1271D80",
        "80211001000010810600000000830600000000000D00000A000010005C0A003103E5E034",
        "1302F810040511035758A65D0100C1"
    ));
    let Nas::Protected(p) = decode_any(&pdu).unwrap() else {
        panic!("not protected");
    };
    let NasMessage::AttachRequest(m) = p.decode_inner().unwrap() else {
        panic!("not an attach request");
    };
    assert_eq!(m.nas_ksi, 0);
    assert_eq!(m.attach_type, attach_type::COMBINED_EPS_IMSI_ATTACH);
    let guti = Guti {
        plmn: [0x02, 0xf8, 0x10],
        mme_group_id: 0x7500,
        mme_code: 0xe0,
        m_tmsi: 0xc301_732f,
    };
    assert_eq!(m.identity, EpsMobileIdentity::Guti(guti));
    assert_eq!(m.ue_network_capability, hex("E060C040"));
    assert_eq!(m.esm_message_container.len(), 36);
    assert_eq!(
        m.optional_ies,
        hex("5C0A003103E5E0341302F810040511035758A65D0100C1")
    );
    assert_eq!(
        protect(1, p.mac, p.seq, &NasMessage::AttachRequest(m).encode()),
        pdu
    );

    // open5gs: plain, GUTI, 5-octet UE network capability.
    let pdu = hex(concat!(
        "0741020bf600f110000201030003e605f07000001000050215d011d15200f110",
        "30395c0a003103e5e0349011035758a65d0100e0c1"
    ));
    let m = NasMessage::decode(&pdu).unwrap();
    let NasMessage::AttachRequest(a) = &m else {
        panic!("not an attach request");
    };
    assert_eq!(a.esm_message_container, hex("0215d011d1"));
    assert_eq!(a.ue_network_capability, hex("f070000010"));
    assert_eq!(m.encode(), pdu);
}

#[test]
fn decodes_captured_attach_reject() {
    // open5gs: Attach reject, cause #17 network failure.
    let pdu = hex("074411");
    let m = NasMessage::AttachReject(AttachReject {
        cause: EmmCause::NETWORK_FAILURE,
        esm_message_container: None,
        t3346: None,
    });
    assert_eq!(NasMessage::decode(&pdu).as_ref(), Ok(&m));
    assert_eq!(m.encode(), pdu);
}

#[test]
fn attach_reject_congestion_carries_t3346_as_gprs_timer_2() {
    // Cause #22, then IEI 0x5F, length 1, unit 001 (minutes) count 10.
    let pdu = hex("0744165f01 2a".replace(' ', "").as_str());
    let m = NasMessage::AttachReject(AttachReject {
        cause: EmmCause::CONGESTION,
        esm_message_container: None,
        t3346: Some(GprsTimer2::new(GprsTimer2::UNIT_1MIN, 10).unwrap()),
    });
    assert_eq!(NasMessage::decode(&pdu).as_ref(), Ok(&m));
    assert_eq!(m.encode(), pdu);
    assert_eq!(m.encoded_len(), pdu.len());
    let NasMessage::AttachReject(r) = &m else {
        unreachable!()
    };
    assert_eq!(r.t3346.and_then(|t| t.seconds()), Some(600));
}

#[test]
fn gprs_timer_2_units_and_rounding() {
    assert_eq!(GprsTimer2::from_seconds(61).octet(), 30); // 2 s x 30
    assert_eq!(GprsTimer2::from_seconds(62).seconds(), Some(62));
    assert_eq!(GprsTimer2::from_seconds(125).octet(), 0x20 | 2); // 1 min x 2
    assert_eq!(GprsTimer2::from_seconds(3600).octet(), 0x40 | 10); // decihours x 10
    assert_eq!(
        GprsTimer2::from_seconds(1_000_000).seconds(),
        Some(31 * 360)
    );
    assert_eq!(GprsTimer2::DEACTIVATED.seconds(), None);
    assert_eq!(GprsTimer2::new(GprsTimer2::UNIT_2S, 32), None);
    assert_eq!(GprsTimer2::from_octet(0x60), None);
}

#[test]
fn attach_reject_refuses_a_bad_t3346() {
    // Wrong length, unknown unit, IE out of order, trailing octets.
    for (pdu, offset) in [
        ("0744165f022a2a", 4),
        ("0744165f0161", 5),
        ("0744165f012a780000", 6),
        ("074416", usize::MAX),
    ] {
        let got = NasMessage::decode(&hex(pdu));
        if offset == usize::MAX {
            assert!(got.is_ok(), "{pdu}");
        } else {
            assert_eq!(got.unwrap_err().offset, offset, "{pdu}");
        }
    }
}

#[test]
fn errors_name_the_offset() {
    let err = |pdu: &[u8]| NasMessage::decode(pdu).unwrap_err().offset;
    assert_eq!(err(&[0x08, 0x52]), 0); // not EMM
    assert_eq!(err(&[0x17, 0x53]), 0); // protected, not plain
    assert_eq!(err(&[0x07, 0x99]), 1); // unknown message type
    // RES of 3 octets: the length octet is at offset 2.
    assert_eq!(err(&[0x07, 0x53, 0x03, 1, 2, 3]), 2);
    // AUTN length 15 at offset 19.
    let mut auth = samples()[3].encode();
    auth[19] = 15;
    assert_eq!(err(&auth), 19);
    // Spare half octet of the KSI octet.
    auth[19] = 16;
    auth[2] = 0x11;
    assert_eq!(err(&auth), 2);
    // Trailing octet after an Authentication reject.
    assert_eq!(err(&[0x07, 0x54, 0x00]), 2);
    // AUTS IEI wrong, at offset 3.
    assert_eq!(err(&[0x07, 0x5c, 21, 0x31, 14]), 3);
    // IMSI with a non-digit: first IMSI octet is offset 4.
    let mut ar = NasMessage::AttachRequest(attach_request()).encode();
    ar[5] = 0x1a;
    assert_eq!(err(&ar), 5);
    // Inner errors of a protected message count from the start of the envelope.
    let p =
        SecurityProtected::decode(&protect(1, [0; 4], 0, &[0x07, 0x53, 0x03, 1, 2, 3])).unwrap();
    assert_eq!(p.decode_inner().unwrap_err().offset, 8);
    // Envelope: header type 5 and a too short inner message.
    assert_eq!(
        SecurityProtected::decode(&[0x57, 0, 0, 0, 0, 0, 7, 0x53])
            .unwrap_err()
            .offset,
        0
    );
    assert_eq!(
        SecurityProtected::decode(&[0x17, 0, 0, 0, 0, 0, 7])
            .unwrap_err()
            .offset,
        6
    );
    assert_eq!(mac_input(&[0x07, 0x53]).unwrap_err().offset, 0);
}

#[test]
fn encode_into_and_in_place_protection_give_the_same_bytes() {
    for m in samples() {
        let plain = m.encode();
        let mut after = vec![0xaa, 0xbb];
        m.encode_into(&mut after);
        assert_eq!(&after[2..], &plain[..], "{m:?}");
        for (ht, seq) in [(1u8, 0u8), (3, 7), (4, 255)] {
            let mac = [ht, seq, 0x5a, 0xa5];
            let mut pdu = Vec::new();
            begin_protected(&mut pdu, ht, seq);
            m.encode_into(&mut pdu);
            assert_eq!(mac_input_of(&pdu), &protect(ht, [0; 4], seq, &plain)[5..]);
            set_mac(&mut pdu, mac);
            assert_eq!(pdu, protect(ht, mac, seq, &plain), "{m:?}");
        }
    }
    // Identities: IMSIs of every length and a GUTI, through encode_into.
    for len in 6..=15 {
        let imsi: String = (0..len)
            .map(|i| char::from(b'0' + (i * 7 % 10) as u8))
            .collect();
        let id = EpsMobileIdentity::Imsi(imsi.clone());
        let v = id.encode();
        // The TS 24.008 §10.5.1.4 layout, written out independently.
        let d: Vec<u8> = imsi.bytes().map(|c| c - b'0').collect();
        let mut want = vec![(d[0] << 4) | (u8::from(d.len() % 2 == 1) << 3) | IDENTITY_IMSI];
        for pair in d[1..].chunks(2) {
            want.push((pair.get(1).copied().unwrap_or(0x0f) << 4) | pair[0]);
        }
        assert_eq!(v, want);
        assert_eq!(EpsMobileIdentity::decode(&v, 0).unwrap(), id);
    }
}
