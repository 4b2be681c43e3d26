use super::*;

const IMSI: &str = "001010123456789";

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).expect("test hex")
}

fn arg(n: u8) -> SendAuthenticationInfoArg {
    SendAuthenticationInfoArg {
        imsi: IMSI.into(),
        number_of_requested_vectors: n,
        segmentation_prohibited: false,
        immediate_response_preferred: true,
        re_synchronisation_info: None,
        requesting_node_type: Some(node_type::VLR),
        requesting_plmn_id: Some([0x00, 0xf1, 0x10]),
    }
}

fn begin(n: u8) -> SaiBegin {
    SaiBegin {
        otid: 0x0102_0304,
        dialogue: true,
        invoke_id: 1,
        arg: arg(n),
    }
}

fn quintuplet(i: u8) -> Quintuplet {
    Quintuplet {
        rand: [i; 16],
        xres: vec![i ^ 0x55; 8],
        ck: [i ^ 0x0f; 16],
        ik: [i ^ 0xf0; 16],
        autn: [i ^ 0xaa; 16],
    }
}

fn end(k: u8) -> SaiEnd {
    SaiEnd {
        dtid: 0x0102_0304,
        dialogue: true,
        invoke_id: 1,
        outcome: SaiOutcome::Result((1..=k).map(quintuplet).collect()),
    }
}

pub(crate) fn samples() -> Vec<MapMessage> {
    let mut v = Vec::new();
    for n in 1..=5 {
        v.push(MapMessage::Begin(begin(n)));
        v.push(MapMessage::End(end(n)));
    }
    let mut minimal = begin(1);
    minimal.dialogue = false;
    minimal.invoke_id = -3;
    minimal.arg.immediate_response_preferred = false;
    minimal.arg.requesting_node_type = None;
    minimal.arg.requesting_plmn_id = None;
    minimal.arg.imsi = "00101012345678".into();
    v.push(MapMessage::Begin(minimal));
    let mut resync = begin(2);
    resync.arg.segmentation_prohibited = true;
    resync.arg.re_synchronisation_info = Some(ResyncInfo {
        rand: [0x11; 16],
        auts: [0x22; 14],
    });
    v.push(MapMessage::Begin(resync));
    let mut none = end(0);
    none.dialogue = false;
    v.push(MapMessage::End(none));
    let mut short_xres = end(1);
    if let SaiOutcome::Result(q) = &mut short_xres.outcome {
        q[0].xres = vec![1, 2, 3, 4];
    }
    v.push(MapMessage::End(short_xres));
    v.push(MapMessage::End(SaiEnd {
        dtid: 7,
        dialogue: true,
        invoke_id: 1,
        outcome: SaiOutcome::Error(error_code::UNKNOWN_SUBSCRIBER),
    }));
    v
}

#[test]
fn argument_matches_hand_assembled_ber() {
    // TS 29.002 SendAuthenticationInfoArg: imsi [0] TBCD, n = 3,
    // immediateResponsePreferred [1], requestingNodeType [3] mme (16),
    // requestingPLMN-Id [4].
    let mut a = arg(3);
    a.requesting_node_type = Some(node_type::MME);
    assert_eq!(
        a.encode(),
        hex("30 17 80 08 00 01 01 21 43 65 87 f9 02 01 03 81 00 83 01 10 84 03 00 f1 10")
    );
}

#[test]
fn begin_matches_hand_assembled_tcap() {
    let pdu = begin(1).encode();
    let expected = hex("62 49 48 04 01 02 03 04
         6b 1e 28 1c 06 07 00 11 86 05 01 01 01 a0 11 60 0f 80 02 07 80
               a1 09 06 07 04 00 00 01 00 0e 03
         6c 21 a1 1f 02 01 01 02 01 38
               30 17 80 08 00 01 01 21 43 65 87 f9 02 01 01 81 00 83 01 00 84 03 00 f1 10");
    assert_eq!(pdu, expected, "{}", hex::encode(&pdu));
}

#[test]
fn result_matches_hand_assembled_tcap() {
    let pdu = end(1).encode();
    // dtid, AARE (accepted), returnResultLast { invokeID, { opCode 56, [3] { quintupletList [1] } } }.
    assert_eq!(&pdu[..3], &hex("64 81 96")[..]);
    assert_eq!(&pdu[3..9], &hex("49 04 01 02 03 04")[..]);
    assert_eq!(
        &pdu[9..53],
        &hex(
            "6b 2a 28 28 06 07 00 11 86 05 01 01 01 a0 1d 61 1b 80 02 07 80
             a1 09 06 07 04 00 00 01 00 0e 03 a2 03 02 01 00 a3 05 a1 03 02 01 00"
        )[..]
    );
    assert_eq!(
        &pdu[53..69],
        &hex("6c 62 a2 60 02 01 01 30 5b 02 01 38 a3 56 a1 54")[..]
    );
    assert_eq!(&pdu[69..73], &hex("30 52 04 10")[..]);
    let error = SaiEnd {
        dtid: 0x0102_0304,
        dialogue: false,
        invoke_id: 1,
        outcome: SaiOutcome::Error(error_code::UNKNOWN_SUBSCRIBER),
    };
    assert_eq!(
        error.encode(),
        hex("64 10 49 04 01 02 03 04 6c 08 a3 06 02 01 01 02 01 01")
    );
}

#[test]
fn sizes() {
    assert_eq!(begin(1).encode().len(), 75);
    let mut resync = begin(1);
    resync.arg.re_synchronisation_info = Some(ResyncInfo {
        rand: [0; 16],
        auts: [0; 14],
    });
    assert_eq!(resync.encode().len(), 75 + 36);
    // Each quintuplet is 84 octets; BER length fields grow at 128 and 256.
    let sizes: Vec<usize> = (1..=5).map(|k| end(k).encode().len()).collect();
    assert_eq!(sizes, [153, 242, 330, 416, 500]);
    let mut error = end(0);
    error.outcome = SaiOutcome::Error(error_code::UNKNOWN_SUBSCRIBER);
    assert_eq!(error.encode().len(), 62);
}

#[test]
fn errors_name_the_offset() {
    let pdu = begin(1).encode();
    assert_eq!(MapMessage::decode(&[0x65, 0x00]).unwrap_err().offset, 0);
    assert_eq!(
        MapMessage::decode(&pdu[..pdu.len() - 1])
            .unwrap_err()
            .offset,
        2
    );
    let mut bad = pdu.clone();
    bad[2] = 0x49; // dtid tag in a Begin
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, 2);
    let opcode_at = pdu
        .windows(3)
        .position(|w| w == [0x02, 0x01, 0x38])
        .unwrap();
    let mut bad = pdu.clone();
    bad[opcode_at + 2] = 0x03;
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, opcode_at + 2);
    let imsi_at = pdu.windows(2).position(|w| w == [0x80, 0x08]).unwrap() + 2;
    let mut bad = pdu.clone();
    bad[imsi_at + 3] = 0x2a; // digit 0xa
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, imsi_at + 3);
    let mut bad = pdu.clone();
    bad[imsi_at + 7] = 0x9f; // filler in the low half
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, imsi_at + 7);
    // AC name of another context.
    let ac_at = pdu
        .windows(7)
        .position(|w| w == AC_INFO_RETRIEVAL_V3)
        .unwrap();
    let mut bad = pdu.clone();
    bad[ac_at + 5] = 0x0d;
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, ac_at + 5);
    // Indefinite and non-minimal lengths.
    assert_eq!(
        MapMessage::decode(&[0x62, 0x80, 0, 0]).unwrap_err().offset,
        1
    );
    assert_eq!(
        MapMessage::decode(&[0x62, 0x81, 0x05, 0, 0, 0, 0, 0])
            .unwrap_err()
            .offset,
        1
    );
    // Vector count out of range.
    let n_at = imsi_at + 8 + 2;
    let mut bad = pdu.clone();
    bad[n_at] = 6;
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, n_at);
    // Trailing octets after the message.
    let mut bad = pdu.clone();
    bad.push(0);
    assert_eq!(MapMessage::decode(&bad).unwrap_err().offset, pdu.len());
}

#[test]
fn every_strict_prefix_is_rejected() {
    for m in samples() {
        let pdu = m.encode();
        for cut in 0..pdu.len() {
            assert!(MapMessage::decode(&pdu[..cut]).is_err(), "a prefix decoded");
        }
    }
}
