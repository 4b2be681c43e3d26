//! Known-answer encodings (each decoded by pycrate's TS 24.501 codec, see
//! protocols/tests/data/nas5g_pycrate_check.py) and one sample per message
//! for the wire contract tests.

use super::identity::{Guti5g, MobileIdentity5gs, Plmn, Suci};
use super::*;

pub(crate) fn suci_profile_a() -> MobileIdentity5gs {
    MobileIdentity5gs::Suci(Suci {
        plmn: Plmn::new("274", "012").unwrap(),
        routing_indicator: "0".into(),
        protection_scheme: 1,
        hn_key_id: 1,
        scheme_output: hex::decode(
            "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87",
        )
        .unwrap(),
    })
}

fn guti() -> Guti5g {
    Guti5g {
        plmn: Plmn::new("001", "01").unwrap().encode(),
        amf_region_id: 0xca,
        amf_set_id: 0x3f8,
        amf_pointer: 1,
        tmsi: 0x0000_0001,
    }
}

const RAND: [u8; 16] = [0x81; 16];
const AUTN: [u8; 16] = [0xbb; 16];

/// One of each message, with and without optional IEs.
pub(crate) fn samples() -> Vec<Nas5gMessage> {
    vec![
        Nas5gMessage::RegistrationRequest(RegistrationRequest {
            ngksi: NGKSI_NO_KEY,
            registration_type: registration_type::INITIAL,
            identity: suci_profile_a(),
            ue_security_capability: Some(TYPICAL_UE_SECURITY_CAPABILITY.to_vec()),
        }),
        Nas5gMessage::RegistrationRequest(RegistrationRequest {
            ngksi: 0,
            registration_type: 0x9,
            identity: MobileIdentity5gs::Guti(guti()),
            ue_security_capability: None,
        }),
        Nas5gMessage::AuthenticationRequest(AuthenticationRequest {
            ngksi: 0,
            abba: vec![0, 0],
            rand_autn: Some((RAND, AUTN)),
            eap: None,
        }),
        Nas5gMessage::AuthenticationRequest(AuthenticationRequest {
            ngksi: 1,
            abba: vec![0, 0],
            rand_autn: None,
            eap: Some(vec![1, 7, 0, 8, 50, 1, 0, 0]),
        }),
        Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
            res_star: Some([0x0a; 16]),
            eap: None,
        }),
        Nas5gMessage::AuthenticationResponse(AuthenticationResponse {
            res_star: None,
            eap: Some(vec![2, 7, 0, 4]),
        }),
        Nas5gMessage::AuthenticationReject(None),
        Nas5gMessage::AuthenticationReject(Some(vec![4, 7, 0, 4])),
        Nas5gMessage::AuthenticationFailure(AuthenticationFailure {
            cause: Cause5gmm::MAC_FAILURE,
            auts: None,
        }),
        Nas5gMessage::AuthenticationFailure(AuthenticationFailure {
            cause: Cause5gmm::SYNCH_FAILURE,
            auts: Some([0xa0; 14]),
        }),
        Nas5gMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: 0,
            integrity_algorithm: 2,
            ngksi: 0,
            replayed_ue_security_capability: TYPICAL_UE_SECURITY_CAPABILITY.to_vec(),
            imeisv_request: Some(true),
        }),
        Nas5gMessage::SecurityModeCommand(SecurityModeCommand {
            ciphering_algorithm: 2,
            integrity_algorithm: 2,
            ngksi: 3,
            replayed_ue_security_capability: vec![0xf0, 0xf0, 0, 0],
            imeisv_request: None,
        }),
        Nas5gMessage::SecurityModeComplete(SecurityModeComplete {
            nas_message_container: None,
        }),
        Nas5gMessage::SecurityModeComplete(SecurityModeComplete {
            nas_message_container: Some(vec![0x7e, 0, 0x41, 0x79]),
        }),
        Nas5gMessage::RegistrationAccept(RegistrationAccept {
            result: 1,
            guti: Some(guti()),
        }),
        Nas5gMessage::RegistrationAccept(RegistrationAccept {
            result: 1,
            guti: None,
        }),
        Nas5gMessage::RegistrationReject(Cause5gmm::ILLEGAL_UE),
        Nas5gMessage::AuthenticationResult(AuthenticationResult {
            ngksi: 0,
            eap: vec![3, 7, 0, 4],
            abba: Some(vec![0, 0]),
        }),
        Nas5gMessage::AuthenticationResult(AuthenticationResult {
            ngksi: 2,
            eap: vec![3, 8, 0, 4],
            abba: None,
        }),
        Nas5gMessage::SecurityModeReject(Cause5gmm::SECURITY_MODE_REJECTED_UNSPECIFIED),
    ]
}

/// The encodings of [`samples`], in order; pycrate decodes each of them
/// (protocols/tests/data/nas5g_pycrate_check.py holds the same strings).
pub(crate) const KNOWN: &[&str] = &[
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
];

#[test]
fn known_answer_encodings() {
    let s = samples();
    for (m, want) in s.iter().zip(KNOWN) {
        assert_eq!(hex::encode(m.encode()), *want, "{m:?}");
    }
    assert_eq!(s.len(), KNOWN.len());
}

/// 128-NIA2 on a protected Security Mode Command: the MAC is 128-EIA2 with
/// BEARER 0 (3GPP access) and DIRECTION 1 over sequence number ‖ message,
/// checked against the EIA2 code path and TS 33.401 C.2 test set 1 inputs'
/// construction; a changed octet, count or direction breaks it.
#[test]
fn nia2_protects_and_verifies() {
    let key = [0x2b; 16];
    let mut ops = CryptoOps::default();
    let smc = samples()[10].encode();
    let p = SecurityProtected5g::protect(
        header_type::INTEGRITY_PROTECTED_NEW_CONTEXT,
        smc.clone(),
        &key,
        0,
        1,
        &mut ops,
    );
    let mut input = vec![0u8];
    input.extend_from_slice(&smc);
    assert_eq!(p.mac, eia2::eia2(&key, 0, 0, 1, &input, &mut ops));
    assert!(p.verify(&key, 0, 1, &mut ops));
    assert!(!p.verify(&key, 0, 0, &mut ops));
    assert!(!p.verify(&key, 1, 1, &mut ops));
    let mut bad = p.clone();
    bad.inner[3] ^= 1;
    assert!(!bad.verify(&key, 0, 1, &mut ops));
    let wire = p.encode();
    assert_eq!(&wire[..2], &[0x7e, 0x03]);
    assert_eq!(wire.len(), 7 + smc.len());
    let back = Nas5g::decode(&wire).unwrap();
    assert_eq!(back, Nas5g::Protected(p.clone()));
    assert_eq!(back.kind(), "SecurityModeCommand");
    assert_eq!(p.decode_inner().unwrap(), samples()[10]);
}

#[test]
fn malformed_pdus_name_field_and_offset() {
    let e = Nas5gMessage::decode(&[0x7f, 0, 0x56]).unwrap_err();
    assert_eq!((e.offset, e.what), (0, "extended protocol discriminator"));
    let e = Nas5gMessage::decode(&[0x7e, 0, 0x99]).unwrap_err();
    assert_eq!((e.offset, e.what), (2, "message type"));
    // Authentication Request whose AUTN IE is cut short.
    let mut pdu = hex::decode(KNOWN[2]).unwrap();
    pdu.truncate(pdu.len() - 3);
    let e = Nas5gMessage::decode(&pdu).unwrap_err();
    assert_eq!(e.what, "AUTN");
    // RES* of 15 octets.
    let e = Nas5gMessage::decode(&hex::decode("7e00572d0f0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a").unwrap())
        .unwrap_err();
    assert_eq!((e.offset, e.what), (4, "RES*"));
    // A SUCI inside a Registration Request reports its offset in the PDU.
    let e = Nas5gMessage::decode(&hex::decode("7e004171000401 0a2410".replace(" ", "")).unwrap())
        .unwrap_err();
    assert_eq!((e.offset, e.what), (7, "MCC/MNC"));
}

/// The sizes docs/wire-formats.md states for the 5GMM messages.
#[test]
fn documented_sizes() {
    let s = samples();
    let len = |i: usize| s[i].encoded_len();
    assert_eq!(len(0), 63, "Registration request, profile-A SUCI");
    assert_eq!((len(14), len(15)), (19, 5), "Registration accept");
    assert_eq!(len(16), 4, "Registration reject");
    assert_eq!(len(2), 42, "Authentication request (5G-AKA)");
    assert_eq!(len(4), 21, "Authentication response (RES*)");
    assert_eq!(len(6), 3, "Authentication reject");
    assert_eq!((len(8), len(9)), (4, 20), "Authentication failure");
    assert_eq!(len(10), 9, "Security mode command");
    assert_eq!((len(12), len(13)), (3, 10), "Security mode complete");
    let id_len = |output: usize| {
        MobileIdentity5gs::Suci(Suci {
            plmn: Plmn::new("274", "012").unwrap(),
            routing_indicator: "0".into(),
            protection_scheme: 0,
            hn_key_id: 0,
            scheme_output: vec![0; output],
        })
        .encoded_len()
    };
    assert_eq!(
        (id_len(5), id_len(32 + 5 + 8), id_len(33 + 5 + 8)),
        (13, 53, 54)
    );
}
