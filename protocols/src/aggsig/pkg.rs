//! The private key generator: extracts a meter's IBAS key on request and seals it under
//! the meter's installation key (AES-256-GCM, the meter id as associated data).

use rustc_hash::FxHashMap;
use zeroize::Zeroizing;

use super::ibas;
use super::msg::{KeyIssue, KeyRequest, NONCE_LEN, SEALED_KEY_LEN};
use super::scheme::ibas_identity;
use crate::core::{Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};
use crate::gas::aead;

pub struct Pkg {
    pkg: ibas::Pkg,
    /// Installation keys of the meters it serves, by meter id.
    install_keys: FxHashMap<u64, Zeroizing<[u8; 32]>>,
}

impl Pkg {
    pub fn new(pkg: ibas::Pkg, install_keys: FxHashMap<u64, Zeroizing<[u8; 32]>>) -> Self {
        Pkg { pkg, install_keys }
    }
}

impl Endpoint for Pkg {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.ignore("start");
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let Ok(req) = KeyRequest::decode(msg.pdu) else {
            cx.fx.ignore("undecodable");
            return;
        };
        let Some(k) = self.install_keys.get(&req.meter_id) else {
            cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "unknown meter",
            });
            return;
        };
        let id = ibas_identity(req.meter_id);
        let ops = &mut cx.fx.crypto;
        let key = Zeroizing::new(self.pkg.extract(&id, ops).to_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        rand::Rng::fill_bytes(cx.rng, &mut nonce);
        let sealed_v = aead::seal(k, &nonce, &id, &key[..], ops);
        let mut sealed = [0u8; SEALED_KEY_LEN];
        sealed.copy_from_slice(&sealed_v);
        cx.fx.send_msg(
            msg.from,
            Interface::Pkg,
            &KeyIssue {
                meter_id: req.meter_id,
                nonce,
                sealed,
            },
        );
    }

    fn on_timer(&mut self, _key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("timer");
    }
}
