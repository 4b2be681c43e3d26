//! The AKA core shared by EPS-AKA, UMTS AKA and group AKA: the crypto of
//! TS 33.102 §6.3 on MILENAGE (vector generation at the HE/AuC, the USIM's
//! check of (RAND, AUTN), resynchronisation; here), and the procedures every
//! AKA variant runs the same way, split as quinn-proto splits `Endpoint`
//! (dispatch, table of contexts) from `Connection` (one procedure):
//!
//! - [`device`]: the device's attach procedure (request and guard timer,
//!   USIM check, answer to a retransmitted challenge, MAC and synch
//!   failures, rejects), generic over a [`device::DeviceVariant`];
//! - [`serving`]: the serving node (MME, VLR): the per-device context table
//!   ([`table::Contexts`], paged by address), outstanding home requests by
//!   id, and per device its procedure (vector stock, challenge with
//!   T3460/T3260 retransmission, RES check, resync, home request with Tx
//!   retransmission, rejects), generic over a [`serving::Scheme`];
//! - [`home`]: subscriber records and batches of fresh vectors (HSS, HLR);
//! - [`imsi`]: IMSIs from subscriber indices and back.
//!
//! Inputs a role does not act on are counted with
//! [`crate::core::Effects::ignore`], labelled with the message kind (or
//! `"undecodable"`, an interface or a timer name), never dropped silently.
//!
//! ## Adding a variant (5G-AKA, say)
//! Write only what differs, in the variant's own folder:
//! 1. the device: a struct with the variant's state (its config, counters)
//!    implementing [`device::DeviceVariant`] — its interface and guard timer,
//!    the encodings of attach request, response and failure, the session
//!    key from CK and IK (5G: K_AUSF/K_SEAF), a decoder mapping downlink
//!    PDUs to [`device::Downlink`], and the messages only it handles (a
//!    security mode command) — and `pub type Ue = Device<ItsVariant>`;
//! 2. the serving node: a [`serving::Scheme`] (interfaces, timers, challenge
//!    and reject encodings, what it keeps per procedure) and a role holding a
//!    [`serving::Serving`] that decodes its messages and calls `begin`,
//!    `request`, `on_answer`, `challenge`, `on_response`, `on_failure`,
//!    `established` and `on_timer`, adding its own steps in between (5G:
//!    the AUSF's HRES* check, the SEAF's key derivation);
//! 3. the home node: [`home::find`] and [`home::vectors`] wrapped in its
//!    request and answer encodings.
//!
//! Everything is generic with static dispatch: each variant compiles to its
//! own code, with no allocation per message beyond its PDUs.
//!
//! AES blocks (all from MILENAGE) per call, as computed here:
//! `generate_vector` 5 (TEMP, f1, f2/f5, f3, f4); `usim_check` 3 on a MAC
//! failure (TEMP, f2/f5, f1), 5 on success (+ f3, f4) and 5 on a synch
//! failure (+ f5*, f1*); `hss_resync` 3 (TEMP, f5*, f1*).

pub mod device;
pub mod fiveg;
pub mod home;
pub mod imsi;
pub mod serving;
pub mod sqn;
pub mod table;
#[cfg(test)]
pub(crate) mod test_support;

pub use home::Subscriber;
pub use imsi::{imsi, imsi_index, imsi_into};
pub use sqn::{HeSqn, SqnState};

use zeroize::Zeroize;

use crate::core::CryptoOps;
use crate::crypto::ct_eq;
use crate::crypto::milenage::Milenage;

/// The node hosting the subscribers' devices: subscriber (IMSI MSIN) `i`
/// is endpoint `i` there. Provisioning, not protocol: it lets a serving node
/// name the device whose subscription it authenticated, whatever transport
/// address the final message came from (sim-core places every AKA device
/// population on this node).
pub const SUBSCRIBER_NODE: u16 = 0;

/// The device of subscriber `index` (see [`SUBSCRIBER_NODE`]).
pub const fn subscriber_device(index: u32) -> crate::core::Addr {
    crate::core::Addr::new(SUBSCRIBER_NODE, index)
}

/// The AMF "separation bit" (bit 0, the most significant bit of AMF): set in
/// vectors for E-UTRAN, where the ME must reject AUTN without it (TS 33.401
/// §6.1.1, Annex H).
pub const AMF_SEPARATION_BIT: u8 = 0x80;

/// AMF with the separation bit set, as an HSS uses for EPS-AKA vectors.
pub const AMF_EPS: [u8; 2] = [AMF_SEPARATION_BIT, 0x00];
/// AMF with the separation bit clear, for UMTS AKA vectors.
pub const AMF_UMTS: [u8; 2] = [0x00, 0x00];

/// The AMF assumed in MAC-S (TS 33.102 §6.3.3: a dummy value of all zeros).
const AMF_RESYNC: [u8; 2] = [0, 0];

/// One authentication vector (quintet; K_ASME is derived from it for EPS).
/// CK, IK and XRES are wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthVector {
    pub rand: [u8; 16],
    /// f2 output (8 octets with default MILENAGE).
    pub xres: Vec<u8>,
    pub ck: [u8; 16],
    pub ik: [u8; 16],
    /// (SQN ⊕ AK) ‖ AMF ‖ MAC-A.
    pub autn: [u8; 16],
    pub ak: [u8; 6],
}

impl Drop for AuthVector {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
        self.ak.zeroize();
    }
}

impl std::fmt::Debug for AuthVector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthVector")
            .field("rand", &hex::encode(self.rand))
            .field("autn", &hex::encode(self.autn))
            .finish_non_exhaustive()
    }
}

impl AuthVector {
    /// SQN ⊕ AK, the first six octets of AUTN (an input to K_ASME).
    pub fn sqn_xor_ak(&self) -> [u8; 6] {
        autn_parts(&self.autn).0
    }

    /// The AMF carried in AUTN.
    pub fn amf(&self) -> [u8; 2] {
        autn_parts(&self.autn).1
    }
}

/// Splits AUTN into (SQN ⊕ AK, AMF, MAC).
fn autn_parts(autn: &[u8; 16]) -> ([u8; 6], [u8; 2], [u8; 8]) {
    let mut conc = [0u8; 6];
    let mut amf = [0u8; 2];
    let mut mac = [0u8; 8];
    conc.copy_from_slice(&autn[0..6]);
    amf.copy_from_slice(&autn[6..8]);
    mac.copy_from_slice(&autn[8..16]);
    (conc, amf, mac)
}

fn xor6(a: &[u8; 6], b: &[u8; 6]) -> [u8; 6] {
    core::array::from_fn(|i| a[i] ^ b[i])
}

/// Whether the AMF of an AUTN has the separation bit set (E-UTRAN check of
/// the ME, TS 33.401 §6.1.1 and Annex H; done by the EPS-AKA role, not by
/// the USIM).
pub fn amf_separation_bit(autn: &[u8; 16]) -> bool {
    autn[6] & AMF_SEPARATION_BIT != 0
}

/// HE/AuC: builds the vector for `sqn` (usually from [`HeSqn::next`]) and a
/// fresh `rand`: AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2). 5 AES blocks.
pub fn generate_vector(
    m: &Milenage,
    sqn: [u8; 6],
    amf: [u8; 2],
    rand: [u8; 16],
    ops: &mut CryptoOps,
) -> AuthVector {
    let mr = m.with_rand(&rand, ops);
    let mac_a = mr.f1(&sqn, &amf, ops);
    let (xres, ck, ik, ak) = mr.f2345(ops);
    let mut autn = [0u8; 16];
    autn[0..6].copy_from_slice(&xor6(&sqn, &ak));
    autn[6..8].copy_from_slice(&amf);
    autn[8..16].copy_from_slice(&mac_a);
    AuthVector {
        rand,
        xres: xres.to_vec(),
        ck,
        ik,
        autn,
        ak,
    }
}

/// What the USIM returns when it accepts (RAND, AUTN). Wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct UsimAccept {
    pub res: Vec<u8>,
    pub ck: [u8; 16],
    pub ik: [u8; 16],
    /// The SQN recovered from AUTN and now recorded in [`SqnState`].
    pub sqn: [u8; 6],
    /// The AMF from AUTN, for the ME's separation-bit check.
    pub amf: [u8; 2],
}

impl Drop for UsimAccept {
    fn drop(&mut self) {
        self.res.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
    }
}

impl std::fmt::Debug for UsimAccept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsimAccept")
            .field("sqn", &hex::encode(self.sqn))
            .field("amf", &hex::encode(self.amf))
            .finish_non_exhaustive()
    }
}

/// Why the USIM rejected (RAND, AUTN).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsimReject {
    /// XMAC ≠ MAC: the network is not authentic (or AUTN was corrupted).
    #[error("MAC failure")]
    MacFailure,
    /// Authentic but SQN is not fresh; AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S.
    #[error("synchronisation failure")]
    SynchFailure { auts: [u8; 14] },
}

/// USIM side of TS 33.102 §6.3.3: recover SQN with AK, check MAC-A in
/// constant time, then SQN freshness; on success return RES, CK, IK and
/// record SQN, on a stale SQN return AUTS built with f5* and f1* (AMF = 0).
pub fn usim_check(
    m: &Milenage,
    rand: &[u8; 16],
    autn: &[u8; 16],
    sqn_state: &mut SqnState,
    ops: &mut CryptoOps,
) -> Result<UsimAccept, UsimReject> {
    let mr = m.with_rand(rand, ops);
    let (conc, amf, mac) = autn_parts(autn);
    let (mut res, mut ak) = mr.f2_f5(ops);
    let sqn = xor6(&conc, &ak);
    ak.zeroize();
    let xmac = mr.f1(&sqn, &amf, ops);
    if !ct_eq(&xmac, &mac) {
        res.zeroize();
        return Err(UsimReject::MacFailure);
    }
    if !sqn_state.accept(&sqn) {
        res.zeroize();
        let sqn_ms = sqn_state.sqn_ms();
        let mut ak_star = mr.f5_star(ops);
        let mac_s = mr.f1_star(&sqn_ms, &AMF_RESYNC, ops);
        let mut auts = [0u8; 14];
        auts[0..6].copy_from_slice(&xor6(&sqn_ms, &ak_star));
        auts[6..14].copy_from_slice(&mac_s);
        ak_star.zeroize();
        return Err(UsimReject::SynchFailure { auts });
    }
    let (mut ck, mut ik) = mr.f3_f4(ops);
    let accept = UsimAccept {
        res: res.to_vec(),
        ck,
        ik,
        sqn,
        amf,
    };
    ck.zeroize();
    ik.zeroize();
    res.zeroize();
    Ok(accept)
}

/// Serving network / HE: compares RES with XRES in constant time.
pub fn res_matches(xres: &[u8], res: &[u8]) -> bool {
    ct_eq(xres, res)
}

/// Why the HE refused an AUTS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResyncError {
    /// MAC-S does not verify: AUTS is forged or was built for another RAND.
    #[error("MAC-S verification failed")]
    MacFailure,
}

/// HE side of resynchronisation (TS 33.102 §6.3.5): recover SQN_MS with f5*,
/// verify MAC-S = f1*(SQN_MS, RAND, AMF = 0) in constant time, then move
/// SEQ_HE so that the next vector is accepted. 3 AES blocks.
pub fn hss_resync(
    m: &Milenage,
    rand: &[u8; 16],
    auts: &[u8; 14],
    he: &mut HeSqn,
    ops: &mut CryptoOps,
) -> Result<(), ResyncError> {
    let mr = m.with_rand(rand, ops);
    let mut ak_star = mr.f5_star(ops);
    let mut conc = [0u8; 6];
    conc.copy_from_slice(&auts[0..6]);
    let sqn_ms = xor6(&conc, &ak_star);
    ak_star.zeroize();
    let xmac_s = mr.f1_star(&sqn_ms, &AMF_RESYNC, ops);
    if !ct_eq(&xmac_s, &auts[6..14]) {
        return Err(ResyncError::MacFailure);
    }
    he.resync(&sqn_ms);
    Ok(())
}

#[cfg(test)]
mod tests;
