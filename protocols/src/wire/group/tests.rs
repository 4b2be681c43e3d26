use super::*;
use crate::wire::diameter::tree::{Avp, AvpMessage};
use crate::wire::diameter::{
    AuthenticationInfo, DiameterResult, EutranVector, RequestedAuthInfo,
    VendorSpecificApplicationId,
};

const HOST: &str = "mme.epc.mnc001.mcc001.3gppnetwork.org";
const REALM: &str = "epc.mnc001.mcc001.3gppnetwork.org";

pub(crate) fn air() -> AuthenticationInformationRequest {
    AuthenticationInformationRequest {
        hop_by_hop: 1,
        end_to_end: 1,
        session_id: format!("{HOST};1700000000;0000000001"),
        vendor_specific_application_id: Some(VendorSpecificApplicationId::S6A),
        origin_host: HOST.into(),
        origin_realm: REALM.into(),
        destination_host: None,
        destination_realm: REALM.into(),
        user_name: "001010000000003".into(),
        oc_supported_features: None,
        requested_eutran: Some(RequestedAuthInfo {
            number_of_requested_vectors: Some(1),
            immediate_response_preferred: true,
            re_synchronization_info: None,
        }),
        requested_utran_geran: None,
        visited_plmn_id: [0x00, 0xf1, 0x10],
    }
}

pub(crate) fn info() -> GroupAuthInfo {
    GroupAuthInfo {
        group_id: 7,
        rand_g: [0x11; 16],
        gak: [0x22; 32],
        sqn_start: 0x0000_1234_5678,
        sqn_count: 65_536,
        member_first: 100,
        member_count: 50,
        lifetime_s: 3600,
    }
}

pub(crate) fn aia() -> AuthenticationInformationAnswer {
    AuthenticationInformationAnswer::answering(
        &air(),
        "hss.authsim",
        "authsim",
        DiameterResult::SUCCESS,
        Some(AuthenticationInfo {
            eutran_vectors: vec![EutranVector {
                item_number: Some(1),
                rand: [1; 16],
                xres: vec![2; 8],
                autn: [3; 16],
                kasme: [4; 32],
            }],
            utran_vectors: Vec::new(),
        }),
    )
}

pub(crate) fn challenge() -> GroupAuthenticationRequest {
    GroupAuthenticationRequest {
        nas_ksi: 3,
        rand: [0xa1; 16],
        autn: [0xb2; 16],
        rand_g: [0xc3; 16],
    }
}

#[test]
fn nas_extensions_round_trip_with_their_sizes() {
    let pdu = challenge().encode();
    assert_eq!(pdu.len(), GROUP_AUTH_REQUEST_LEN);
    assert_eq!(pdu.len(), 54);
    assert_eq!(&pdu[36..38], &[0x3e, 0x10]);
    assert_eq!(
        GroupAuthenticationRequest::decode(&pdu).unwrap(),
        challenge()
    );
    let any = decode_nas(&pdu).unwrap();
    assert_eq!(any.kind(), "GroupAuthenticationRequest");
    assert_eq!(any.encode(), pdu);
    // The standard 36-octet request still decodes as the standard message.
    let std = decode_nas(&pdu[..36]).unwrap();
    assert_eq!(std.kind(), "AuthenticationRequest");
    assert_eq!(std.encode(), &pdu[..36]);

    let ie = group_identity_ie(0x0102_0304);
    assert_eq!(ie, [0x3f, 0x04, 0x01, 0x02, 0x03, 0x04]);
    assert_eq!(parse_group_identity(&ie, 24).unwrap(), Some(0x0102_0304));
    assert_eq!(parse_group_identity(&[], 24).unwrap(), None);
    // An attach request carrying it is 24 + 6 octets.
    let attach = NasMessage::AttachRequest(nas::AttachRequest {
        nas_ksi: nas::KSI_NO_KEY,
        attach_type: nas::attach_type::EPS_ATTACH,
        identity: nas::EpsMobileIdentity::Imsi("001010000000003".into()),
        ue_network_capability: nas::TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
        esm_message_container: nas::MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
        optional_ies: ie,
    });
    assert_eq!(attach.encode().len(), 30);
    assert_eq!(NasMessage::decode(&attach.encode()).unwrap(), attach);
}

#[test]
fn nas_errors_name_the_offset() {
    assert_eq!(
        parse_group_identity(&[0x5c, 0x01, 0x00], 24)
            .unwrap_err()
            .offset,
        24
    );
    assert_eq!(
        parse_group_identity(&[0x3f, 0x03, 0, 0, 0], 24)
            .unwrap_err()
            .offset,
        25
    );
    assert_eq!(
        parse_group_identity(&[0x3f, 0x04, 0, 0, 0], 24)
            .unwrap_err()
            .offset,
        26
    );
    assert_eq!(
        parse_group_identity(&[0x3f, 0x04, 0, 0, 0, 0, 9], 24)
            .unwrap_err()
            .offset,
        30
    );
    let pdu = challenge().encode();
    let mut bad = pdu.clone();
    bad[36] = 0x3d;
    assert_eq!(
        GroupAuthenticationRequest::decode(&bad).unwrap_err().offset,
        36
    );
    let mut bad = pdu.clone();
    bad[37] = 15;
    assert_eq!(
        GroupAuthenticationRequest::decode(&bad).unwrap_err().offset,
        37
    );
    let mut bad = pdu.clone();
    bad[2] = 0x13; // spare half octet of the standard part
    assert_eq!(
        GroupAuthenticationRequest::decode(&bad).unwrap_err().offset,
        2
    );
    assert_eq!(
        GroupAuthenticationRequest::decode(&pdu[..20])
            .unwrap_err()
            .offset,
        20
    );
    let mut long = pdu.clone();
    long.push(0);
    assert_eq!(
        GroupAuthenticationRequest::decode(&long)
            .unwrap_err()
            .offset,
        54
    );
}

#[test]
fn s6a_extensions_round_trip_and_are_skipped_by_standard_decoders() {
    let plain_air = air().encode();
    let g_air = encode_air(&air(), Some(7));
    assert_eq!(g_air.len(), plain_air.len() + 16);
    assert_eq!(decode_air(&g_air).unwrap(), (air(), Some(7)));
    assert_eq!(decode_air(&plain_air).unwrap(), (air(), None));
    // A standard HSS decodes the AIR and ignores Group-Id (M bit clear).
    assert_eq!(
        AuthenticationInformationRequest::decode(&g_air).unwrap(),
        air()
    );
    assert_eq!(encode_air(&air(), None), plain_air);

    let plain_aia = aia().encode();
    let g_aia = encode_aia(&aia(), Some(&info()));
    assert_eq!(g_aia.len(), plain_aia.len() + 184);
    let (back, got) = decode_aia(&g_aia).unwrap();
    assert_eq!(back, aia());
    assert_eq!(got, Some(info()));
    assert_eq!(
        AuthenticationInformationAnswer::decode(&g_aia).unwrap(),
        aia()
    );
    assert_eq!(decode_aia(&plain_aia).unwrap().1, None);
    assert_eq!(encode_aia(&aia(), None), plain_aia);
    // The generic layer re-encodes byte for byte.
    assert_eq!(AvpMessage::decode(&g_aia).unwrap().encode(), g_aia);
}

/// The Group-Authentication-Info AVP as an owned tree.
fn info_avp(i: &GroupAuthInfo) -> Avp {
    Avp::grouped(
        GROUP_AUTHENTICATION_INFO,
        vec![
            Avp::u32(GROUP_ID, i.group_id),
            Avp::octets(RAND_G, &i.rand_g),
            Avp::octets(GAK, &i.gak),
            Avp::octets(GROUP_SQN_START, &i.sqn_start.to_be_bytes()),
            Avp::u32(GROUP_SQN_COUNT, i.sqn_count),
            Avp::u32(GROUP_MEMBER_FIRST, i.member_first),
            Avp::u32(GROUP_MEMBER_COUNT, i.member_count),
            Avp::u32(GAK_LIFETIME, i.lifetime_s),
        ],
    )
}

#[test]
fn direct_encoding_matches_the_avp_tree() {
    // The extension AVPs go after the standard ones, M bit clear.
    let mut avps = air().avps();
    avps.push(Avp::u32(GROUP_ID, 7));
    let tree = AvpMessage {
        header: air().header(),
        avps,
    };
    assert_eq!(encode_air(&air(), Some(7)), tree.encode());
    let mut avps = aia().avps();
    avps.push(info_avp(&info()));
    let tree = AvpMessage {
        header: aia().header(),
        avps,
    };
    assert_eq!(encode_aia(&aia(), Some(&info())), tree.encode());
}

#[test]
fn s6a_extension_errors_name_the_offset() {
    let g_aia = encode_aia(&aia(), Some(&info()));
    let (_, refs) = diameter::decode_refs(&g_aia).unwrap();
    let gai = refs
        .iter()
        .find(|a| a.code == avp_code::GROUP_AUTHENTICATION_INFO)
        .unwrap();
    let children = gai.children().unwrap();
    // GAK of 31 octets: shorten its length field (the padding then fails or the data does).
    let gak = children.iter().find(|c| c.code == avp_code::GAK).unwrap();
    let mut bad = g_aia.clone();
    bad[gak.offset + 7] -= 1;
    assert!(decode_aia(&bad).is_err());
    // Missing child: turn RAND-G into an unknown code with M clear.
    let rand_g = children
        .iter()
        .find(|c| c.code == avp_code::RAND_G)
        .unwrap();
    let mut bad = g_aia.clone();
    bad[rand_g.offset + 3] = 99;
    let e = decode_aia(&bad).unwrap_err();
    assert_eq!(e.offset, gai.data_offset + gai.data.len());
    assert!(e.what.contains("RAND-G"), "{e}");
    // Same, with the M bit set: rejected at that AVP.
    bad[rand_g.offset + 4] |= 0x40;
    assert_eq!(decode_aia(&bad).unwrap_err().offset, rand_g.offset);
    // Duplicate Group-Id in the AIR.
    let mut avps = air().avps();
    avps.push(Avp::u32(GROUP_ID, 1));
    avps.push(Avp::u32(GROUP_ID, 2));
    let dup = AvpMessage {
        header: air().header(),
        avps,
    }
    .encode();
    let (_, refs) = diameter::decode_refs(&dup).unwrap();
    assert_eq!(
        decode_air(&dup).unwrap_err().offset,
        refs.last().unwrap().offset
    );
}

#[test]
fn group_identity_variants_never_panic_and_are_canonical() {
    for v in crate::wire::contract_tests::variants(&group_identity_ie(5)) {
        match parse_group_identity(&v, 0) {
            Ok(Some(id)) => assert_eq!(group_identity_ie(id), v),
            Ok(None) => assert!(v.is_empty()),
            Err(_) => {}
        }
    }
}
