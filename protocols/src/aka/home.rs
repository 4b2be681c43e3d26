//! The home network's side of AKA (HSS/HLR with the AuC): subscriber
//! records found by IMSI, resynchronisation and batches of fresh vectors.
//! The roles only wrap these in their protocol's request and answer.

use rand::Rng;

use super::{AuthVector, HeSqn, generate_vector, hss_resync, imsi_index, subscriber_device};
use crate::core::{CryptoOps, Ctx, Outcome};
use crate::crypto::milenage::Milenage;

/// One subscriber's long-term secrets and home-side sequence number.
pub struct Subscriber {
    pub milenage: Milenage,
    pub sqn: HeSqn,
}

/// The peers a home node answers (`[protocol.home] allowed_peers`): by
/// default every peer; with a list, only requests from those nodes. A
/// Diameter node admits peers by configuration (RFC 6733 §2.6, peer table;
/// §5.3: a CER from an unknown peer is refused with DIAMETER_UNKNOWN_PEER
/// and the connection closed), an HLR by SCCP screening of the calling
/// party. Here there is no capability exchange, so the check is per
/// request, on the transport source: a request from an unlisted node is
/// discarded before it is decoded — no answer, no lookup, no vector — and
/// counted as an ignored input ([`UNKNOWN_PEER`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedPeers(Option<Vec<u16>>);

/// The ignored-input label of a request from a peer not on the list.
pub const UNKNOWN_PEER: &str = "unknown_peer";

impl AllowedPeers {
    /// Only requests from `nodes` are answered.
    pub fn only(nodes: Vec<u16>) -> Self {
        Self(Some(nodes))
    }

    /// Whether a request from `from` is answered.
    pub fn admits(&self, from: crate::core::Addr) -> bool {
        self.0.as_ref().is_none_or(|n| n.contains(&from.node))
    }
}

/// The index of the subscriber an IMSI names, if the home network has it.
pub fn find(subscribers: &[Subscriber], plmn_digits: &str, imsi: &str) -> Option<usize> {
    imsi_index(plmn_digits, imsi)
        .map(|i| i as usize)
        .filter(|&i| i < subscribers.len())
}

/// The `AttackDetected` reason of an AUTS whose MAC-S does not verify.
pub const RESYNC_AUTS_MAC_FAILURE: &str = "resync_auts_mac_failure";

/// Resynchronises subscriber `index` (`sub`) on (RAND, AUTS) if given, then
/// makes `n` vectors with fresh RANDs and the next SQNs, each turned into the
/// protocol's form by `make(item number from 1, vector, crypto counter)`.
/// A failed MAC-S leaves SQN_HE alone and fresh vectors follow anyway (TS
/// 33.102 §6.3.5); only the subscriber's own USIM can compute MAC-S, so the
/// failure is reported as an attack naming that subscriber's device (the
/// AUTS was forged or altered on its way, or built for another RAND).
pub fn vectors<T>(
    index: u32,
    sub: &mut Subscriber,
    resync: Option<([u8; 16], [u8; 14])>,
    n: u32,
    amf: [u8; 2],
    cx: &mut Ctx<'_>,
    mut make: impl FnMut(u32, &AuthVector, &mut CryptoOps) -> T,
) -> Vec<T> {
    if let Some((rand, auts)) = resync
        && hss_resync(&sub.milenage, &rand, &auts, &mut sub.sqn, &mut cx.fx.crypto).is_err()
    {
        cx.fx.outcome(Outcome::AttackDetected {
            subject: subscriber_device(index),
            what: RESYNC_AUTS_MAC_FAILURE,
        });
    }
    let mut out = Vec::with_capacity(n as usize);
    for item in 1..=n {
        let mut rand = [0u8; 16];
        cx.rng.fill_bytes(&mut rand);
        let sqn = sub.sqn.next();
        let av = generate_vector(&sub.milenage, sqn, amf, rand, &mut cx.fx.crypto);
        out.push(make(item, &av, &mut cx.fx.crypto));
    }
    out
}
