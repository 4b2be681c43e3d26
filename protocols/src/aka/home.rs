//! The home network's side of AKA (HSS/HLR with the AuC): subscriber
//! records found by IMSI, resynchronisation and batches of fresh vectors.
//! The roles only wrap these in their protocol's request and answer.

use rand::Rng;

use super::{AuthVector, HeSqn, generate_vector, hss_resync, imsi_index};
use crate::core::{CryptoOps, Ctx};
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

/// Resynchronises on (RAND, AUTS) if given, then makes `n` vectors with
/// fresh RANDs and the next SQNs, each turned into the protocol's form by
/// `make(item number from 1, vector, crypto counter)`. A failed MAC-S leaves
/// SQN_HE alone; fresh vectors follow anyway (TS 33.102 §6.3.5).
pub fn vectors<T>(
    sub: &mut Subscriber,
    resync: Option<([u8; 16], [u8; 14])>,
    n: u32,
    amf: [u8; 2],
    cx: &mut Ctx<'_>,
    mut make: impl FnMut(u32, &AuthVector, &mut CryptoOps) -> T,
) -> Vec<T> {
    if let Some((rand, auts)) = resync {
        let _ = hss_resync(&sub.milenage, &rand, &auts, &mut sub.sqn, &mut cx.fx.crypto);
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
