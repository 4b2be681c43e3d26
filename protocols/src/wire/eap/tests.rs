//! Samples of every EAP-AKA' packet for the wire contract tests, and a
//! known-answer encoding written out by hand from RFC 4187 §8.1 / §10.

use super::*;

/// One of each packet the roles send.
pub(crate) fn samples() -> Vec<EapPacket> {
    let snn = b"5G:mnc001.mcc001.3gppnetwork.org".to_vec();
    vec![
        EapPacket::Request {
            identifier: 7,
            method: AkaPrime {
                subtype: subtype::CHALLENGE,
                attributes: vec![
                    Attribute::Rand([0x81; 16]),
                    Attribute::Autn([0xbb; 16]),
                    Attribute::Kdf(KDF_1),
                    Attribute::KdfInput(snn.clone()),
                    Attribute::Mac([0x5a; 16]),
                ],
            },
        },
        EapPacket::Response {
            identifier: 7,
            method: AkaPrime {
                subtype: subtype::CHALLENGE,
                attributes: vec![Attribute::Res(vec![0xa5; 8]), Attribute::Mac([0x3c; 16])],
            },
        },
        EapPacket::Response {
            identifier: 8,
            method: AkaPrime {
                subtype: subtype::CHALLENGE,
                attributes: vec![Attribute::Res(vec![0xa5; 5]), Attribute::Kdf(KDF_1)],
            },
        },
        EapPacket::Response {
            identifier: 9,
            method: AkaPrime {
                subtype: subtype::AUTHENTICATION_REJECT,
                attributes: vec![],
            },
        },
        EapPacket::Response {
            identifier: 9,
            method: AkaPrime {
                subtype: subtype::SYNCHRONIZATION_FAILURE,
                attributes: vec![Attribute::Auts([0x11; 14]), Attribute::Kdf(KDF_1)],
            },
        },
        EapPacket::Response {
            identifier: 9,
            method: AkaPrime {
                subtype: subtype::CLIENT_ERROR,
                attributes: vec![Attribute::ClientErrorCode(0)],
            },
        },
        EapPacket::Success { identifier: 7 },
        EapPacket::Failure { identifier: 7 },
    ]
}

#[test]
fn challenge_request_octets_are_rfc_4187_layout() {
    let p = &samples()[0];
    let b = p.encode();
    // 8 header + RAND 20 + AUTN 20 + KDF 4 + KDF_INPUT 4 + 32 + MAC 20.
    assert_eq!(b.len(), 108);
    assert_eq!(&b[..8], &[1, 7, 0, 108, 50, 1, 0, 0]);
    assert_eq!(&b[8..12], &[at::RAND, 5, 0, 0]);
    assert_eq!(&b[28..32], &[at::AUTN, 5, 0, 0]);
    assert_eq!(&b[48..52], &[at::KDF, 1, 0, 1]);
    assert_eq!(&b[52..56], &[at::KDF_INPUT, 9, 0, 32]);
    assert_eq!(&b[56..88], b"5G:mnc001.mcc001.3gppnetwork.org");
    assert_eq!(&b[88..92], &[at::MAC, 5, 0, 0]);
    assert_eq!(p.mac_value_offset(), Some(92));
    assert!(p.encode_with_zero_mac()[92..].iter().all(|&x| x == 0));
}

#[test]
fn res_carries_its_length_in_bits_and_zero_padding() {
    let b = samples()[2].encode();
    // AT_RES: type 3, length 3 (12 octets), 40 bits, 5 octets, 3 of padding.
    assert_eq!(
        &b[8..20],
        &[3, 3, 0, 40, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0, 0, 0]
    );
    let mut bad = b.clone();
    bad[19] = 1;
    assert!(
        EapPacket::decode(&bad).is_err(),
        "non-zero padding is refused"
    );
    let mut bits = b;
    bits[11] = 41;
    assert!(
        EapPacket::decode(&bits).is_err(),
        "a RES of 41 bits is refused"
    );
}

#[test]
fn length_field_and_unknown_attributes_are_checked() {
    let mut b = samples()[0].encode();
    b[3] += 1;
    let e = EapPacket::decode(&b).unwrap_err();
    assert_eq!((e.offset, e.what), (2, "EAP length"));
    // AT_CHECKCODE (134, skippable) is not modelled, hence refused.
    let mut c = samples()[3].encode();
    c.extend_from_slice(&[134, 1, 0, 0]);
    c[3] = c.len() as u8;
    assert!(EapPacket::decode(&c).is_err());
    assert_eq!(EapPacket::Success { identifier: 1 }.encode(), [3, 1, 0, 4]);
}
