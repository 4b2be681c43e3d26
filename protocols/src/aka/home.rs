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
