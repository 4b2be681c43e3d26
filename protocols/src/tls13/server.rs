//! The MTC server's side of the handshake: a responder endpoint holding one
//! external PSK per device (provisioned with the service contract).

use std::sync::Arc;

use rand::Rng;
use rustc_hash::FxHashMap;
use zeroize::Zeroizing;

use super::client::{PSK_LEN, shared};
use super::msg::{
    Alert, ClientFinished, ClientHello, ServerFlight, ServerHello, TlsMessage, alert,
    handshake_message, hs,
};
use super::record::{self, HANDSHAKE};
use super::schedule::{Early, HASH_LEN, TrafficKeys, finished_mac, transcript};
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, Prim, TimerKey};
use crate::crypto::ct_eq;
use crate::wire::Message;

/// The server's provisioned PSKs: device identity → (address, PSK).
pub struct PskTable {
    pub entries: FxHashMap<u64, (Addr, [u8; PSK_LEN])>,
}

/// What the server keeps between its flight and the client's Finished.
struct Open {
    /// The PSK's owner: who a valid Finished authenticates.
    device: Addr,
    client_keys: TrafficKeys,
    expected: Zeroizing<[u8; HASH_LEN]>,
}

pub struct TlsServer {
    psks: Arc<PskTable>,
    /// Keyed by the address the hello came from (the connection).
    open: FxHashMap<Addr, Open>,
    interface: Interface,
}

impl TlsServer {
    pub fn new(psks: Arc<PskTable>, interface: Interface) -> Self {
        Self {
            psks,
            open: FxHashMap::default(),
            interface,
        }
    }

    fn alert(&self, to: Addr, description: u8, cx: &mut Ctx<'_>) {
        cx.fx.send_msg(to, self.interface, &Alert { description });
    }

    fn on_hello(&mut self, from: Addr, ch: ClientHello, cx: &mut Ctx<'_>) {
        let Some(&(device, psk)) = self.psks.entries.get(&ch.identity) else {
            cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unknown_psk_identity",
            });
            return self.alert(from, alert::UNKNOWN_PSK_IDENTITY, cx);
        };
        let ops = &mut cx.fx.crypto;
        let early = Early::of(&psk, ops);
        let hello = ch.handshake();
        let th = transcript(&[ClientHello::truncated(&hello)], ops);
        if !ct_eq(&early.binder(&th, ops), &ch.binder) {
            cx.fx.outcome(Outcome::Rejected {
                subject: device,
                reason: "bad_binder",
            });
            return self.alert(from, alert::DECRYPT_ERROR, cx);
        }
        let mut ephemeral = Zeroizing::new([0; 32]);
        cx.rng.fill_bytes(ephemeral.as_mut());
        let Some(ecdhe) = shared(&ephemeral, &ch.key_share, ops) else {
            cx.fx.outcome(Outcome::Rejected {
                subject: device,
                reason: "bad_key_share",
            });
            return self.alert(from, alert::DECRYPT_ERROR, cx);
        };
        ops.add(Prim::X25519Mul, 1);
        let key_share =
            *x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*ephemeral))
                .as_bytes();
        let mut random = [0; 32];
        cx.rng.fill_bytes(&mut random);
        let sh_msg = ServerHello { random, key_share };
        let sh = sh_msg.handshake();
        let hs_secrets = early.handshake(&ecdhe, &transcript(&[&hello, &sh], ops), ops);
        let ee = handshake_message(hs::ENCRYPTED_EXTENSIONS, &[0, 0]);
        let verify = finished_mac(
            &hs_secrets.server,
            &transcript(&[&hello, &sh, &ee], ops),
            ops,
        );
        let fin = handshake_message(hs::FINISHED, &verify);
        let mut inner = ee.clone();
        inner.extend_from_slice(&fin);
        let server_keys = TrafficKeys::of(&hs_secrets.server, ops);
        let protected = record::seal(&server_keys, 0, &inner, HANDSHAKE, ops);
        let th = transcript(&[&hello, &sh, &ee, &fin], ops);
        let expected = Zeroizing::new(finished_mac(&hs_secrets.client, &th, ops));
        let client_keys = TrafficKeys::of(&hs_secrets.client, ops);
        hs_secrets.application(&th, ops);
        self.open.insert(
            from,
            Open {
                device,
                client_keys,
                expected,
            },
        );
        cx.fx.send_msg(
            from,
            self.interface,
            &ServerFlight {
                hello: sh_msg,
                protected,
            },
        );
    }

    fn on_finished(&mut self, from: Addr, f: ClientFinished, cx: &mut Ctx<'_>) {
        // A Finished belongs to the connection it arrives on: the address
        // the hello came from.
        let Some(open) = self.open.remove(&from) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "replayed_response",
            });
        };
        let ok = record::open(&open.client_keys, 0, &f.protected, &mut cx.fx.crypto).is_some_and(
            |(inner, ty)| {
                ty == HANDSHAKE
                    && inner.len() == 4 + HASH_LEN
                    && inner[..4] == [hs::FINISHED, 0, 0, HASH_LEN as u8]
                    && ct_eq(&inner[4..], open.expected.as_ref())
            },
        );
        if ok {
            cx.fx.outcome(Outcome::authenticated(open.device, 0, from));
        } else {
            cx.fx.outcome(Outcome::Rejected {
                subject: open.device,
                reason: "bad_finished",
            });
        }
    }
}

impl Endpoint for TlsServer {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match TlsMessage::decode(msg.pdu) {
            Ok(TlsMessage::ClientHello(ch)) => self.on_hello(msg.from, ch, cx),
            Ok(TlsMessage::Finished(f)) => self.on_finished(msg.from, f, cx),
            Ok(m) => cx.fx.ignore(m.kind()),
            Err(_) => cx.fx.ignore("undecodable"),
        }
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
