//! The one contract every wire message keeps, checked the same way for all of
//! them: it round-trips, its length is known before encoding, its kind
//! survives decoding, and no input derived from its encoding (every
//! truncation, thousands of seeded mutants) makes a decoder panic.

use std::fmt::Debug;

use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt, SeedableRng};

use super::Message;
use super::group::{GroupAia, GroupAir, GroupNas};
use super::map::MapMessage;
use super::mm::MmMessage;
use super::nas::{Nas, SecurityProtected, header_type};
use crate::gas::msg::group::{GroupMessage, Start, Token};
use crate::gas::msg::intra::{GSK_CT_LEN, GaChallenge, GaJoin, GaRequest, GaToken, GskDelivery};
use crate::gas::msg::uplink::{
    MeterEntry, MgAccessRequest, MgAggregate, MgAuth, MgMeterPoint, MgSessionGateway,
    MgSessionMdms, SESSION_CT_LEN,
};
use crate::gas::msg::{POINT_LEN, R_LEN, SCALAR_LEN, assert_truncations_fail};

/// Mutants decoded per sample.
const MUTANTS: usize = 3_000;

/// Inputs derived from `pdu`: every strict prefix, then [`MUTANTS`] seeded
/// mutants: bit flips, byte replacements, corrupted length-like octets
/// (0, 0x7f, 0x80.., ±1, the remaining length), inserted and deleted octets,
/// a kept header with a random body, and truncations of all of these.
pub(crate) fn variants(pdu: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..pdu.len()).map(|cut| pdu[..cut].to_vec()).collect();
    let seed = pdu
        .iter()
        .fold(pdu.len() as u64, |h, &b| h.rotate_left(5) ^ u64::from(b));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..MUTANTS {
        let mut v = pdu.to_vec();
        if v.is_empty() {
            v.push(rng.next_u32() as u8);
        }
        for _ in 0..rng.random_range(1..=3) {
            let i = rng.random_range(0..v.len());
            match rng.random_range(0..6) {
                0 => v[i] ^= 1 << rng.random_range(0..8),
                1 => v[i] = rng.next_u32() as u8,
                2 => {
                    let left = (v.len() - i) as u8;
                    let choices = [
                        0,
                        1,
                        0x7f,
                        0x80,
                        0x81,
                        0x82,
                        0xff,
                        left,
                        left.wrapping_sub(1),
                    ];
                    v[i] = match rng.random_range(0..choices.len() + 2) {
                        k if k < choices.len() => choices[k],
                        k if k == choices.len() => v[i].wrapping_add(1),
                        _ => v[i].wrapping_sub(1),
                    };
                }
                3 => v.insert(i, rng.next_u32() as u8),
                4 if v.len() > 1 => {
                    v.remove(i);
                }
                _ => rng.fill_bytes(&mut v[i..]),
            }
        }
        if rng.random_bool(0.1) {
            v.truncate(rng.random_range(0..=v.len()));
        }
        out.push(v);
    }
    out
}

/// Checks the contract on `sample`; returns how many of its variants decoded.
///
/// Whatever decodes must be stable: its encoding decodes to the same value
/// and has the announced length. [`check_strict`] asks more.
pub(crate) fn check<M: Message + PartialEq + Debug>(sample: &M) -> usize {
    check_with(sample, |_, _| {})
}

/// [`check`] for strict decoders, which accept exactly what the encoder
/// writes: every decoded variant re-encodes to its own bytes.
pub(crate) fn check_strict<M: Message + PartialEq + Debug>(sample: &M) -> usize {
    check_with(sample, |m: &M, v| {
        assert_eq!(
            m.encode(),
            v,
            "non-canonical input accepted: {}",
            hex::encode(v)
        );
    })
}

fn check_with<M: Message + PartialEq + Debug>(sample: &M, accepted: impl Fn(&M, &[u8])) -> usize {
    let pdu = sample.encode();
    assert_eq!(pdu.len(), sample.encoded_len(), "encoded_len of {sample:?}");
    let mut appended = vec![0xa5; 3];
    sample.encode_into(&mut appended);
    assert_eq!(&appended[3..], &pdu[..], "encode_into appends the encoding");
    let back = M::decode(&pdu).unwrap_or_else(|e| panic!("{sample:?}: {e}"));
    assert_eq!(&back, sample);
    assert_eq!(back.kind(), sample.kind());
    let mut decoded = 0;
    for v in variants(&pdu) {
        if let Ok(m) = M::decode(&v) {
            let again = m.encode();
            assert_eq!(again.len(), m.encoded_len(), "{m:?}");
            assert_eq!(
                M::decode(&again).as_ref(),
                Ok(&m),
                "unstable: {}",
                hex::encode(&v)
            );
            accepted(&m, &v);
            decoded += 1;
        }
    }
    decoded
}

#[test]
fn nas_messages() {
    let mut decoded = 0;
    for m in super::nas::tests::samples() {
        decoded += check_strict(&m);
        let plain = m.encode();
        for ht in 1..=4 {
            let p = SecurityProtected {
                header_type: ht,
                mac: [0xde, 0xad, 0xbe, ht],
                seq: 7 * ht,
                inner: plain.clone(),
            };
            decoded += check_strict(&p);
            assert_eq!(p.kind(), m.kind());
            decoded += check_strict(&Nas::Protected(p));
        }
        decoded += check_strict(&Nas::Plain(m));
    }
    // A protected envelope whose inner bytes are not plain EMM (ciphered).
    let ciphered = SecurityProtected {
        header_type: header_type::INTEGRITY_PROTECTED_CIPHERED,
        mac: [1, 2, 3, 4],
        seq: 9,
        inner: vec![0x9e, 0x21, 0x44],
    };
    assert_eq!(ciphered.kind(), "SecurityProtected");
    decoded += check_strict(&ciphered);
    // Mutated data octets (RAND, AUTN, RES, MACs) still decode, so the
    // stability and canonicity checks ran on many inputs.
    assert!(decoded > 100_000, "only {decoded} variants decoded");
}

#[test]
fn nas5g_messages() {
    use super::nas5g::{Nas5g, SecurityProtected5g};
    let mut decoded = 0;
    for m in super::nas5g::tests::samples() {
        decoded += check_strict(&m);
        for ht in 1..=4 {
            let p = SecurityProtected5g {
                header_type: ht,
                mac: [0xde, 0xad, 0xbe, ht],
                seq: 7 * ht,
                inner: m.encode(),
            };
            decoded += check_strict(&p);
            assert_eq!(p.kind(), m.kind());
            decoded += check_strict(&Nas5g::Protected(p));
        }
        decoded += check_strict(&Nas5g::Plain(m));
    }
    assert!(decoded > 50_000, "only {decoded} variants decoded");
}

#[test]
fn eap_aka_prime_packets() {
    let mut decoded = 0;
    for m in super::eap::tests::samples() {
        decoded += check_strict(&m);
    }
    assert!(decoded > 1_000, "only {decoded} variants decoded");
}

#[test]
fn mm_messages() {
    let mut decoded = 0;
    for (m, _) in super::mm::tests::samples() {
        decoded += check(&m);
    }
    assert!(decoded > 5_000, "only {decoded} variants decoded");
}

#[test]
fn s6a_messages() {
    let mut decoded = 0;
    for m in super::diameter::tests::samples() {
        decoded += check(&m);
        match &m {
            super::diameter::S6aMessage::Air(r) => decoded += check(r),
            super::diameter::S6aMessage::Aia(a) => decoded += check(a),
        }
    }
    for capture in [
        super::diameter::tests::NEXTEPC_AIR,
        super::diameter::tests::NEXTEPC_AIA,
    ] {
        let m = super::diameter::S6aMessage::decode(&hex::decode(capture).unwrap()).unwrap();
        decoded += check(&m);
    }
    assert!(decoded > 3_000, "only {decoded} variants decoded");
}

#[test]
fn map_messages() {
    let mut decoded = 0;
    for m in super::map::tests::samples() {
        decoded += check_strict(&m);
        match &m {
            MapMessage::Begin(b) => decoded += check_strict(b),
            MapMessage::End(e) => decoded += check_strict(e),
        }
    }
    assert!(decoded > 5_000, "only {decoded} variants decoded");
}

#[test]
fn group_aka_messages() {
    use super::group::tests::{aia, air, challenge, info};
    let mut decoded = check_strict(&challenge());
    decoded += check_strict(&GroupNas::GroupAuthenticationRequest(challenge()));
    for m in super::nas::tests::samples() {
        decoded += check_strict(&GroupNas::Emm(Nas::Plain(m)));
    }
    for group_id in [None, Some(7)] {
        decoded += check(&GroupAir {
            air: air(),
            group_id,
        });
    }
    for info in [None, Some(info())] {
        decoded += check(&GroupAia { aia: aia(), info });
    }
    assert!(decoded > 10_000, "only {decoded} variants decoded");
}

fn entry(id: u64) -> MeterEntry {
    MeterEntry {
        id,
        x: [id as u8; SCALAR_LEN],
        y: [0xa0 | id as u8; SCALAR_LEN],
    }
}

/// Checks a GAS message: the contract, strictly, and the TLV rules.
fn check_gas<M: Message + PartialEq + Debug>(sample: &M) -> usize {
    assert_truncations_fail(&sample.encode(), M::decode);
    check_strict(sample)
}

#[test]
fn gas_messages() {
    let mut decoded = 0;
    let start = Start {
        session: 3,
        ids: vec![1, 2, 0xdead_beef],
    };
    let harn = Token::<SCALAR_LEN> {
        session: 9,
        id: 4,
        value: [7; SCALAR_LEN],
    };
    let chien = Token::<POINT_LEN> {
        session: 9,
        id: 4,
        value: [2; POINT_LEN],
    };
    for m in [
        GroupMessage::HarnStart(start.clone()),
        GroupMessage::HarnToken(harn),
        GroupMessage::ChienStart(start),
        GroupMessage::ChienToken(chien),
    ] {
        decoded += check_gas(&m);
    }
    decoded += check_gas(&GaRequest { sid: 5 });
    decoded += check_gas(&GaJoin { sid: 5, id: 77 });
    decoded += check_gas(&GaChallenge {
        sid: 5,
        nonce: [3; 16],
        point: [2; POINT_LEN],
        ids: vec![1, 2, 3, 4],
    });
    decoded += check_gas(&GaToken {
        sid: 5,
        id: 77,
        v: [9; 32],
        token: [3; POINT_LEN],
    });
    decoded += check_gas(&GskDelivery {
        sid: 5,
        id: 77,
        nonce: [1; 12],
        ciphertext: [8; GSK_CT_LEN],
    });
    decoded += check_gas(&MgAccessRequest { sid: 1, id_mdms: 2 });
    decoded += check_gas(&MgMeterPoint {
        sid: 1,
        entry: entry(3),
    });
    for u in [1, 3] {
        decoded += check_gas(&MgAggregate {
            sid: 1,
            id_mdms: 2,
            id_gw: 9,
            entries: (1..=u).map(entry).collect(),
        });
    }
    decoded += check_gas(&MgSessionMdms {
        sid: 1,
        nonce: [4; 12],
        ciphertext: [5; SESSION_CT_LEN],
    });
    decoded += check_gas(&MgSessionGateway {
        sid: 1,
        r: [6; R_LEN],
    });
    decoded += check_gas(&MgAuth {
        sid: 1,
        auth: [7; 32],
    });
    assert!(decoded > 10_000, "only {decoded} variants decoded");
}

#[test]
fn aggregate_signature_messages() {
    use crate::aggsig::msg::{
        Entry, KeyIssue, KeyRequest, MeterReading, ReadingBatch, SEALED_KEY_LEN, SigList,
        SigRequest,
    };
    use crate::aggsig::scheme::Scheme;
    let mut decoded = 0;
    for scheme in Scheme::ALL {
        let sig_len = scheme.sig_len();
        decoded += check_gas(&MeterReading {
            meter_id: 7,
            interval: 3,
            value: 123_456,
            sig: vec![0x5c; sig_len],
        });
        for n in [1u64, 3] {
            let per = if scheme.aggregates() { 0 } else { sig_len };
            decoded += check_gas(&ReadingBatch {
                gateway_id: 2,
                interval: 3,
                scheme,
                seq: 1,
                entries: (1..=n)
                    .map(|i| Entry {
                        meter_id: i,
                        value: 1000 + i,
                        sig: vec![i as u8; per],
                    })
                    .collect(),
                aggregate: scheme.aggregates().then(|| vec![0xa7; sig_len]),
            });
        }
    }
    decoded += check_gas(&SigRequest {
        gateway_id: 2,
        interval: 3,
        seq: 0,
    });
    decoded += check_gas(&SigList {
        gateway_id: 2,
        interval: 3,
        seq: 0,
        sigs: vec![0x42; 3 * 48],
    });
    decoded += check_gas(&KeyRequest { meter_id: 9 });
    decoded += check_gas(&KeyIssue {
        meter_id: 9,
        nonce: [1; 12],
        sealed: [2; SEALED_KEY_LEN],
    });
    assert!(decoded > 1_000, "only {decoded} variants decoded");
}

#[test]
fn a_decoder_that_accepts_a_non_canonical_input_fails_the_strict_check() {
    // Guards the checker itself: an MM message from the MS carries N(SD),
    // which the trait's decoder drops, so its mutants with N(SD) set decode
    // but re-encode differently.
    let r = std::panic::catch_unwind(|| {
        check_strict(&MmMessage::AuthenticationResponse(
            super::mm::AuthenticationResponse { res: vec![7; 8] },
        ))
    });
    assert!(r.is_err(), "N(SD) mutants re-encode differently");
}

#[test]
fn proxy_messages() {
    let mut decoded = 0;
    for m in crate::proxy::msg::tests::samples() {
        decoded += check_gas(&m);
    }
    assert!(decoded > 1_000, "only {decoded} variants decoded");
}

#[test]
fn tls13_messages() {
    use crate::tls13::msg::TlsMessage;
    use crate::tls13::msg::{Alert, ClientFinished, ClientHello, ServerFlight, ServerHello};
    let samples = [
        TlsMessage::ClientHello(ClientHello {
            random: [1; 32],
            key_share: [2; 32],
            identity: 1005,
            binder: [3; 32],
        }),
        TlsMessage::ServerFlight(ServerFlight {
            hello: ServerHello {
                random: [4; 32],
                key_share: [5; 32],
            },
            protected: [&[23u8, 3, 3, 0, 59][..], &[6; 59]].concat(),
        }),
        TlsMessage::Finished(ClientFinished {
            protected: [&[23u8, 3, 3, 0, 53][..], &[7; 53]].concat(),
        }),
        TlsMessage::Alert(Alert { description: 51 }),
    ];
    let mut decoded = 0;
    for m in &samples {
        assert_truncations_fail(&m.encode(), TlsMessage::decode);
        decoded += check_strict(m);
    }
    assert!(decoded > 100, "only {decoded} variants decoded");
}

#[test]
fn ran_messages() {
    use super::rrc::{
        DlCcch, EstablishmentCause, RrcConnectionReject, RrcConnectionRequest, RrcConnectionSetup,
    };
    use super::s1ap::{OverloadAction, S1ap};
    let mut decoded = check_strict(&RrcConnectionRequest {
        random_value: 0xab_cdef_0123,
        cause: EstablishmentCause::DelayTolerantAccess,
    });
    for m in [
        DlCcch::Setup(RrcConnectionSetup { transaction_id: 2 }),
        DlCcch::Reject(RrcConnectionReject {
            wait_time_s: 16,
            extended_wait_time_s: Some(600),
        }),
        DlCcch::Reject(RrcConnectionReject {
            wait_time_s: 3,
            extended_wait_time_s: None,
        }),
    ] {
        decoded += check_strict(&m);
    }
    for m in [
        S1ap::OverloadStart {
            action: OverloadAction::RejectDelayTolerantAccess,
            traffic_load_reduction: Some(40),
        },
        S1ap::OverloadStart {
            action: OverloadAction::RejectNonEmergencyMoDt,
            traffic_load_reduction: None,
        },
        S1ap::OverloadStop,
    ] {
        decoded += check_strict(&m);
    }
    assert!(decoded > 100, "only {decoded} variants decoded");
}
