//! The key schedule against RFC 8448 and the handshake end to end.

use super::client::{self, ClientError};
use super::msg::{ClientHello, ServerFlight, TlsMessage};
use super::schedule::{Early, TrafficKeys, derive_secret, extract, transcript};
use super::server::{PskTable, TlsServer};
use crate::core::{Addr, CryptoOps, Interface, Outcome, Prim};
use crate::wire::Message;

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// RFC 8448 §3 (simple 1-RTT): early secret of a zero PSK, "derived",
/// handshake secret from the published X25519 shared secret, both handshake
/// traffic secrets from the published CH..SH transcript hash, their keys
/// and IVs, and "derived" for the master secret.
#[test]
fn key_schedule_matches_rfc8448_simple_handshake() {
    let mut ops = CryptoOps::default();
    let early = extract(None, &[0; 32], &mut ops);
    assert_eq!(
        early,
        h32("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")
    );
    let empty = transcript(&[], &mut ops);
    let derived = derive_secret(&early, "derived", &empty, &mut ops);
    assert_eq!(
        derived,
        h32("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba")
    );
    let ecdhe = h32("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
    let hs = extract(Some(&derived), &ecdhe, &mut ops);
    assert_eq!(
        hs,
        h32("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
    );
    let ch_sh = h32("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
    let c = derive_secret(&hs, "c hs traffic", &ch_sh, &mut ops);
    let s = derive_secret(&hs, "s hs traffic", &ch_sh, &mut ops);
    assert_eq!(
        c,
        h32("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
    );
    assert_eq!(
        s,
        h32("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
    );
    let sk = TrafficKeys::of(&s, &mut ops);
    assert_eq!(hex::encode(sk.key), "3fce516009c21727d0f2e4e86ee403bc");
    assert_eq!(hex::encode(sk.iv), "5d313eb2671276ee13000b30");
    let ck = TrafficKeys::of(&c, &mut ops);
    assert_eq!(hex::encode(ck.key), "dbfaa693d1762c5b666af5d950258d01");
    assert_eq!(hex::encode(ck.iv), "5bd3c71b836e0b76bb73265f");
    assert_eq!(
        derive_secret(&hs, "derived", &empty, &mut ops),
        h32("43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4")
    );
}

/// RFC 8448 §4: the early secret of the resumption PSK (same Extract as an
/// external PSK's).
#[test]
fn early_secret_of_a_psk_matches_rfc8448_resumption() {
    let psk = h32("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
    let e = Early::of(&psk, &mut CryptoOps::default());
    assert_eq!(
        e.secret,
        h32("9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c")
    );
}

const PSK: [u8; 32] = [7; 32];
const DEVICE: Addr = Addr::new(0, 5);
const SERVER: Addr = Addr::new(3, 0);

fn server() -> TlsServer {
    let mut entries = rustc_hash::FxHashMap::default();
    entries.insert(1005, (DEVICE, PSK));
    TlsServer::new(
        std::sync::Arc::new(PskTable { entries }),
        Interface::DevServer,
    )
}

fn run(server: &mut TlsServer, from: Addr, pdu: &[u8], seed: u64) -> crate::core::Effects {
    use crate::core::{Ctx, Endpoint, Incoming, SimRng};
    use rand::SeedableRng;
    let mut fx = crate::core::Effects::default();
    let mut rng = SimRng::seed_from_u64(seed);
    let mut cx = Ctx {
        me: SERVER,
        now: 0,
        wait: 0,
        rng: &mut rng,
        fx: &mut fx,
    };
    server.on_message(
        Incoming {
            from,
            interface: Interface::DevServer,
            pdu,
        },
        &mut cx,
    );
    fx
}

fn rng(seed: u64) -> crate::core::SimRng {
    use rand::SeedableRng;
    crate::core::SimRng::seed_from_u64(seed)
}

/// A whole handshake: both sides authenticate each other, the sizes are
/// those of the documented layout, and the counts are those the docs state.
#[test]
fn handshake_authenticates_both_sides_with_documented_sizes_and_counts() {
    let mut dev_ops = CryptoOps::default();
    let (ch, pending) = client::hello(1005, &PSK, &mut rng(1), &mut dev_ops);
    let ch_pdu = ch.encode();
    assert_eq!(ch_pdu.len(), 170);
    assert_eq!(ClientHello::decode(&ch_pdu), Ok(ch));
    let mut srv = server();
    let fx = run(&mut srv, DEVICE, &ch_pdu, 2);
    assert!(fx.outcomes.is_empty() && fx.ignored.is_empty());
    let flight_pdu = &fx.transmits[0].pdu;
    assert_eq!(flight_pdu.len(), 165);
    let Ok(TlsMessage::ServerFlight(flight)) = TlsMessage::decode(flight_pdu) else {
        panic!("not a server flight")
    };
    let server_ops = fx.crypto;
    let (fin, _) = client::finish(&pending, &flight, &mut dev_ops).unwrap();
    let fin_pdu = fin.encode();
    assert_eq!(fin_pdu.len(), 58);
    let fx = run(&mut srv, DEVICE, &fin_pdu, 3);
    assert_eq!(fx.outcomes, vec![Outcome::authenticated(DEVICE, 0, DEVICE)]);
    // A second Finished finds no open handshake.
    let fx2 = run(&mut srv, DEVICE, &fin_pdu, 4);
    assert!(matches!(
        fx2.outcomes[0],
        Outcome::Rejected {
            reason: "replayed_response",
            ..
        }
    ));
    // Counts: the device two X25519 (key pair, shared secret), the server two.
    assert_eq!(dev_ops.get(Prim::X25519Mul), 2);
    assert_eq!(server_ops.get(Prim::X25519Mul), 2);
    // AEAD: server seals 43 octets, device opens 43 and seals 37; server opens 37.
    assert_eq!(
        server_ops.get(Prim::AeadByte) + fx.crypto.get(Prim::AeadByte),
        43 + 37
    );
    assert_eq!(dev_ops.get(Prim::AeadByte), 43 + 37);
    assert_eq!(
        dev_ops.get(Prim::Sha256Block),
        super::counting::DEVICE_SHA256_BLOCKS
    );
    assert_eq!(
        server_ops.get(Prim::Sha256Block) + fx.crypto.get(Prim::Sha256Block),
        super::counting::SERVER_SHA256_BLOCKS
    );
}

/// A wrong PSK fails at the binder; an altered flight fails at the device.
#[test]
fn wrong_psk_and_altered_flight_are_refused() {
    let mut ops = CryptoOps::default();
    let (ch, _) = client::hello(1005, &[8; 32], &mut rng(1), &mut ops);
    let fx = run(&mut server(), DEVICE, &ch.encode(), 2);
    assert!(matches!(
        fx.outcomes[0],
        Outcome::Rejected {
            reason: "bad_binder",
            ..
        }
    ));
    assert_eq!(fx.transmits[0].kind, "Alert");

    let (ch, unknown) = client::hello(77, &PSK, &mut rng(1), &mut ops);
    let fx = run(&mut server(), DEVICE, &ch.encode(), 2);
    assert!(matches!(
        fx.outcomes[0],
        Outcome::Rejected {
            reason: "unknown_psk_identity",
            ..
        }
    ));
    drop(unknown);

    let (ch, pending) = client::hello(1005, &PSK, &mut rng(1), &mut ops);
    let fx = run(&mut server(), DEVICE, &ch.encode(), 2);
    let mut pdu = fx.transmits[0].pdu.clone();
    let last = pdu.len() - 1;
    pdu[last] ^= 1;
    let flight = ServerFlight::decode(&pdu).unwrap();
    assert_eq!(
        client::finish(&pending, &flight, &mut ops).err(),
        Some(ClientError::BadRecord)
    );
}

/// Truncations and bit flips of every message decode to an error or to a
/// message that re-encodes to the same bytes; never a panic.
#[test]
fn decoders_refuse_truncated_and_mutated_pdus() {
    let mut ops = CryptoOps::default();
    let (ch, _) = client::hello(1005, &PSK, &mut rng(1), &mut ops);
    let fx = run(&mut server(), DEVICE, &ch.encode(), 2);
    for pdu in [ch.encode(), fx.transmits[0].pdu.clone()] {
        for n in 0..pdu.len() {
            assert!(TlsMessage::decode(&pdu[..n]).is_err(), "prefix {n}");
        }
        for i in 0..pdu.len() {
            let mut m = pdu.clone();
            m[i] ^= 0x41;
            if let Ok(msg) = TlsMessage::decode(&m) {
                assert_eq!(msg.encode(), m);
            }
        }
    }
}
