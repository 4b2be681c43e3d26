//! The sans-IO contract between protocol logic and whatever hosts it.
//!
//! A protocol role (an EPS-AKA `Ue`, an `Mme`, ...) is an [`Endpoint`]: it is fed
//! one input at a time (a start command, an encoded message, a timer expiry)
//! together with the current simulated time and an RNG, and it answers only by
//! pushing [`Effects`]: encoded messages to send, timers to arm or cancel, the
//! crypto work it did and the outcomes it reached. It never reads a clock, never
//! touches a socket and never guesses how long its work takes: the host turns
//! the reported crypto work into time with a per-node-class profile.

use std::fmt;

/// Simulated time in nanoseconds since the start of the run.
pub type Nanos = u64;

/// One nanosecond-resolution helper set, so protocol code reads in seconds/ms.
pub mod time {
    use super::Nanos;
    pub const MICROSECOND: Nanos = 1_000;
    pub const MILLISECOND: Nanos = 1_000_000;
    pub const SECOND: Nanos = 1_000_000_000;
}

/// The deterministic, portable RNG every endpoint draws from.
///
/// ChaCha8 gives the same stream on every platform (unlike `StdRng`).
pub type SimRng = rand::rngs::ChaCha8Rng;

/// Address of one endpoint in a simulation: the hosting node and the index of
/// the endpoint inside it (a population node hosts many devices; a server node
/// hosts one endpoint at index 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub node: u16,
    pub index: u32,
}

impl Addr {
    pub const fn new(node: u16, index: u32) -> Self {
        Self { node, index }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.node, self.index)
    }
}

/// The logical interface a message travels on; metrics are kept per interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Interface {
    /// Device (UE / MTC device) <-> MME, NAS EMM over the radio and S1.
    Nas,
    /// MME <-> HSS, Diameter S6a.
    S6a,
    /// UMTS: device <-> VLR/SGSN (serving network), MM/GMM authentication.
    UmtsAir,
    /// UMTS: VLR/SGSN <-> HLR/AuC, MAP over the D/Gr interface.
    Map,
    /// Smart metering: meter node <-> smart meter (home area network).
    Han,
    /// Smart meter <-> gateway (neighbourhood area network).
    Nan,
    /// Gateway <-> MDMS (wide area network).
    Wan,
    /// MDMS / gateway <-> subscriber authentication server.
    AuthServer,
    /// 5G: UE <-> AMF, 5GS NAS (TS 24.501).
    N1,
    /// 5G: AMF/SEAF <-> AUSF, Nausf_UEAuthentication (TS 29.509) on the SBI.
    N12,
    /// 5G: AUSF <-> UDM, Nudm_UEAuthentication (TS 29.503) on the SBI.
    N13,
    /// Proxy multiparty: MTC device <-> MTC device access point (MTCAP).
    DevAp,
    /// Proxy multiparty: MTCAP <-> core network (CN).
    ApCn,
    /// Proxy multiparty: CN <-> MTC server outside the operator domain.
    CnServer,
    /// Smart meter <-> private key generator (identity-based key registration).
    Pkg,
    /// Proxy baseline: MTC device <-> MTC server, TLS 1.3 PSK-DHE handshake.
    DevServer,
    /// UE -> eNB, RRC on the UL-CCCH (TS 36.331): connection requests.
    RrcUl,
    /// eNB -> UE, RRC on the DL-CCCH: connection setup or reject.
    RrcDl,
    /// MME <-> eNB, S1AP (TS 36.413): overload start and stop.
    S1Mme,
    /// eNB -> the cell, RRC on the BCCH-DL-SCH (TS 36.331): system
    /// information with access barring (SIB2, SIB14), once per period.
    Bcch,
}

impl Interface {
    pub const ALL: [Interface; 20] = [
        Interface::Nas,
        Interface::S6a,
        Interface::UmtsAir,
        Interface::Map,
        Interface::Han,
        Interface::Nan,
        Interface::Wan,
        Interface::AuthServer,
        Interface::N1,
        Interface::N12,
        Interface::N13,
        Interface::DevAp,
        Interface::ApCn,
        Interface::CnServer,
        Interface::Pkg,
        Interface::DevServer,
        Interface::RrcUl,
        Interface::RrcDl,
        Interface::S1Mme,
        Interface::Bcch,
    ];

    /// Short lowercase name used in scenario files, CSV columns and traces.
    pub const fn name(self) -> &'static str {
        match self {
            Interface::Nas => "nas",
            Interface::S6a => "s6a",
            Interface::UmtsAir => "umts_air",
            Interface::Map => "map",
            Interface::Han => "han",
            Interface::Nan => "nan",
            Interface::Wan => "wan",
            Interface::AuthServer => "auth_server",
            Interface::N1 => "n1",
            Interface::N12 => "n12",
            Interface::N13 => "n13",
            Interface::DevAp => "dev_ap",
            Interface::ApCn => "ap_cn",
            Interface::CnServer => "cn_server",
            Interface::Pkg => "pkg",
            Interface::DevServer => "dev_server",
            Interface::RrcUl => "rrc_ul",
            Interface::RrcDl => "rrc_dl",
            Interface::S1Mme => "s1_mme",
            Interface::Bcch => "bcch",
        }
    }

    pub fn from_name(name: &str) -> Option<Interface> {
        Interface::ALL.into_iter().find(|i| i.name() == name)
    }

    /// The network segment, so protocols with different interfaces compare:
    /// `device_sn` (device to serving network) and `sn_hn` (serving to home
    /// network) for the cellular protocols.
    pub const fn segment(self) -> Option<&'static str> {
        match self {
            Interface::Nas | Interface::UmtsAir | Interface::N1 => Some("device_sn"),
            // The AUSF is in the home network: N12 crosses from the serving
            // network to it, N13 stays inside it; both count as SN-HN work.
            Interface::S6a | Interface::Map | Interface::N12 | Interface::N13 => Some("sn_hn"),
            _ => None,
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a message goes: one endpoint, or one transmission heard by several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Unicast(Addr),
    /// One transmission, one delivery per listed receiver (docs/counting.md, "Rules").
    Broadcast(Vec<Addr>),
}

/// A message an endpoint wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub to: Destination,
    pub interface: Interface,
    /// Message type label, e.g. "AuthenticationRequest"; must match what the
    /// wire decoder would name these bytes.
    pub kind: &'static str,
    /// The encoded PDU. Its length is the message size; nothing else is.
    pub pdu: Vec<u8>,
    /// Made by an adversary (forged, altered, replayed or substituted), not
    /// forwarded as a genuine endpoint sent it: a verdict given on such an
    /// input is caused by adversary input (docs/threats.md). Only the
    /// adversary endpoints set it ([`Effects::inject`]).
    pub adversary_made: bool,
}

/// What a protocol timer is for, named after its specification where it has one.
///
/// One list for all protocols, so a node's timer expiries can be reported by kind
/// and a timer can never be mistaken for another protocol's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum TimerKind {
    /// UE attach guard (TS 24.301 §5.5.1.2.6).
    T3410,
    /// MME authentication / security mode retransmission (TS 24.301 §5.4.2.7).
    T3460,
    /// MS location updating guard (TS 24.008 §4.4.4.9).
    T3210,
    /// VLR authentication retransmission (TS 24.008 §4.3.2.7).
    T3260,
    /// Diameter answer timeout Tx towards the HSS (RFC 6733 §5.1, TS 29.272).
    DiameterTx,
    /// MAP/TCAP dialogue timeout towards the HLR.
    MapTx,
    /// Group authentication: waiting for the members' tokens (Harn, Chien, threshold GAS).
    GroupTokens,
    /// Threshold GAS leader: waiting for join requests.
    GroupJoin,
    /// Threshold GAS gateway: waiting for the meters' readings.
    MeterReadings,
    /// Threshold GAS MDMS: waiting for the gateway's session to complete.
    MdmsSession,
    /// 5G UE registration guard (TS 24.501 §5.5.1.2.7).
    T3510,
    /// AMF authentication / security mode retransmission (TS 24.501 §5.4.1.3.7, §5.4.2.7).
    T3560,
    /// AMF: waiting for the AUSF's HTTP/2 response on N12.
    SbiTx,
    /// UE mobility management back-off after a congestion reject (TS 24.301 §5.5.1.2.5).
    T3346,
    /// UE: retry an attach after a failed attempt (TS 24.301 §5.5.1.2.6).
    T3411,
    /// UE: retry an attach after five failed attempts (TS 24.301 §5.5.1.2.6).
    T3402,
    /// Proxy multiparty device: waiting for the MTCAP's challenge.
    ProxyGuard,
    /// An attack scenario's adversary: its next injection.
    AttackTick,
    /// Aggregate-signature metering: a meter's next reading is due.
    ReportInterval,
    /// Aggregate-signature metering: the gateway closes an interval's collection.
    AggregationWindow,
    /// Aggregate-signature metering (IBAS): a meter's wait for the PKG's key issue.
    KeyRequestGuard,
    /// Proxy baseline device: waiting for the MTC server's TLS flight.
    TlsHandshake,
    /// 5G UE: waiting for the network after AUTHENTICATION FAILURE (TS 24.501 §5.4.1.3.7).
    T3520,
    /// UE: waiting for the eNB's answer to an RRC connection request (TS 36.331 §5.3.3.6).
    T300,
    /// UE: the wait time of an RRC connection reject (TS 36.331 §5.3.3.8).
    T302,
    /// MME overload control: the next look at its load while overloaded.
    OverloadCheck,
    /// UE: barred by access class barring for mobile originating signalling
    /// (TS 36.331 §5.3.3.11, Tbarring).
    T305,
    /// UE barred by EAB: the next read of SIB14 (TS 36.331 §5.3.3.12).
    EabRecheck,
    /// eNB: the next system information broadcast.
    SiBroadcast,
    /// eNB: the next PRACH opportunity or random access end (TR 37.868 model).
    RachOpportunity,
}

impl TimerKind {
    /// Short stable label for reports.
    pub const fn name(self) -> &'static str {
        match self {
            TimerKind::T3410 => "T3410",
            TimerKind::T3460 => "T3460",
            TimerKind::T3210 => "T3210",
            TimerKind::T3260 => "T3260",
            TimerKind::DiameterTx => "DiameterTx",
            TimerKind::MapTx => "MapTx",
            TimerKind::GroupTokens => "GroupTokens",
            TimerKind::GroupJoin => "GroupJoin",
            TimerKind::MeterReadings => "MeterReadings",
            TimerKind::MdmsSession => "MdmsSession",
            TimerKind::T3510 => "T3510",
            TimerKind::T3560 => "T3560",
            TimerKind::SbiTx => "SbiTx",
            TimerKind::T3346 => "T3346",
            TimerKind::T3411 => "T3411",
            TimerKind::T3402 => "T3402",
            TimerKind::ProxyGuard => "ProxyGuard",
            TimerKind::AttackTick => "AttackTick",
            TimerKind::ReportInterval => "ReportInterval",
            TimerKind::AggregationWindow => "AggregationWindow",
            TimerKind::KeyRequestGuard => "KeyRequestGuard",
            TimerKind::TlsHandshake => "TlsHandshake",
            TimerKind::T3520 => "T3520",
            TimerKind::T300 => "T300",
            TimerKind::T302 => "T302",
            TimerKind::OverloadCheck => "OverloadCheck",
            TimerKind::T305 => "T305",
            TimerKind::EabRecheck => "EabRecheck",
            TimerKind::SiBroadcast => "SiBroadcast",
            TimerKind::RachOpportunity => "RachOpportunity",
        }
    }
}

/// Names one timer of one endpoint: its kind and, for a serving node's
/// per-device timers, the peer it is about (an MME's T3460 for one UE).
///
/// Kept at 12 octets (the peer slot holds a sentinel for an endpoint's own
/// timers) because a storm keeps millions of them pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerKey {
    peer: Addr,
    kind: TimerKind,
}

impl TimerKey {
    /// No endpoint has this address: node numbers are dense from 0 and a
    /// scenario has far fewer than 65 535 nodes.
    const NO_PEER: Addr = Addr::new(u16::MAX, u32::MAX);

    /// A timer about the endpoint's own procedure (a UE's T3410).
    pub const fn own(kind: TimerKind) -> Self {
        Self {
            peer: Self::NO_PEER,
            kind,
        }
    }
    /// A timer about one peer (an MME's T3460 or Tx for one UE).
    pub const fn for_peer(peer: Addr, kind: TimerKind) -> Self {
        Self { peer, kind }
    }
    pub const fn kind(self) -> TimerKind {
        self.kind
    }
    /// The peer this timer is about; `None` for the endpoint's own timers.
    pub fn peer(self) -> Option<Addr> {
        (self.peer != Self::NO_PEER).then_some(self.peer)
    }
}

/// Arm (or re-arm) and cancel timers. Re-arming an armed key replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerCmd {
    Arm { key: TimerKey, at: Nanos },
    Cancel { key: TimerKey },
}

/// Primitive crypto operations the simulator prices with a node profile.
///
/// Counted where the work is really done (see `crypto::Meter`), never guessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Prim {
    /// One AES-128 block encryption (Milenage, CMAC, GCM keystream).
    AesBlock,
    /// One SHA-256 compression function call (hashes, HMAC, KDF).
    Sha256Block,
    /// One P-256 variable-base scalar multiplication.
    P256Mul,
    /// One P-256 fixed-base (generator) scalar multiplication.
    P256MulBase,
    /// One P-256 point addition.
    P256Add,
    /// One inversion in the P-256 scalar field.
    ScalarInv,
    /// One multiplication in the P-256 scalar field.
    ScalarMul,
    /// One byte of AEAD (AES-GCM) plaintext/ciphertext processed.
    AeadByte,
    /// One pairing evaluation (schemes that need bilinear maps).
    Pairing,
    /// One X25519 scalar multiplication (RFC 7748; SUCI profile A).
    X25519Mul,
    /// One Miller loop of a BLS12-381 pairing; a product of k pairings costs k loops and one
    /// final exponentiation (the aggregate-signature schemes count these, not `Pairing`).
    MillerLoop,
    /// One final exponentiation of a BLS12-381 pairing product.
    FinalExp,
    /// One BLS12-381 G1 scalar multiplication.
    G1Mul,
    /// One BLS12-381 G2 scalar multiplication.
    G2Mul,
    /// One BLS12-381 G1 point addition.
    G1Add,
    /// One BLS12-381 G2 point addition.
    G2Add,
    /// One hash to G1 (RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_, its SHA-256 included).
    HashToG1,
    /// One hash to G2 (RFC 9380 BLS12381G2_XMD:SHA-256_SSWU_RO_, its SHA-256 included).
    HashToG2,
    /// One decoding of a compressed G1 point with its subgroup check.
    G1Decompress,
    /// One decoding of a compressed G2 point with its subgroup check.
    G2Decompress,
}

impl Prim {
    pub const COUNT: usize = 20;
    pub const ALL: [Prim; Prim::COUNT] = [
        Prim::AesBlock,
        Prim::Sha256Block,
        Prim::P256Mul,
        Prim::P256MulBase,
        Prim::P256Add,
        Prim::ScalarInv,
        Prim::ScalarMul,
        Prim::AeadByte,
        Prim::Pairing,
        Prim::X25519Mul,
        Prim::MillerLoop,
        Prim::FinalExp,
        Prim::G1Mul,
        Prim::G2Mul,
        Prim::G1Add,
        Prim::G2Add,
        Prim::HashToG1,
        Prim::HashToG2,
        Prim::G1Decompress,
        Prim::G2Decompress,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Prim::AesBlock => "aes_block",
            Prim::Sha256Block => "sha256_block",
            Prim::P256Mul => "p256_mul",
            Prim::P256MulBase => "p256_mul_base",
            Prim::P256Add => "p256_add",
            Prim::ScalarInv => "scalar_inv",
            Prim::ScalarMul => "scalar_mul",
            Prim::AeadByte => "aead_byte",
            Prim::Pairing => "pairing",
            Prim::X25519Mul => "x25519_mul",
            Prim::MillerLoop => "miller_loop",
            Prim::FinalExp => "final_exp",
            Prim::G1Mul => "g1_mul",
            Prim::G2Mul => "g2_mul",
            Prim::G1Add => "g1_add",
            Prim::G2Add => "g2_add",
            Prim::HashToG1 => "hash_to_g1",
            Prim::HashToG2 => "hash_to_g2",
            Prim::G1Decompress => "g1_decompress",
            Prim::G2Decompress => "g2_decompress",
        }
    }

    pub fn from_name(name: &str) -> Option<Prim> {
        Prim::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Counts of primitive operations, indexed by [`Prim`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CryptoOps(pub [u64; Prim::COUNT]);

impl CryptoOps {
    pub fn add(&mut self, prim: Prim, n: u64) {
        self.0[prim as usize] += n;
    }
    pub fn get(&self, prim: Prim) -> u64 {
        self.0[prim as usize]
    }
    pub fn merge(&mut self, other: &CryptoOps) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += *b;
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&n| n == 0)
    }
}

/// What an authentication attempt ended in, as seen by the endpoint reporting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `subject` is authenticated by the reporter; `key_id` names the key
    /// established (e.g. KSI_ASME), if any. `subject` is the identity the
    /// protocol authenticated (the subscriber behind K_ASME, the holder of
    /// the key that verified the message), never merely the transport source.
    /// `relayed_by` is that source when it differs: the verdict holds, but
    /// the final message reached the reporter through a relay (which AKA and
    /// the group schemes do not prevent; docs/protocols/eps-aka.md).
    Authenticated {
        subject: Addr,
        key_id: u32,
        relayed_by: Option<Addr>,
    },
    /// `subject` was rejected; `reason` is a short stable label for CSV output.
    Rejected { subject: Addr, reason: &'static str },
    /// An attack (replay, forgery, MAC failure) was detected.
    AttackDetected { subject: Addr, what: &'static str },
    /// The procedure for `subject` gave up (timers exhausted).
    Failed { subject: Addr, reason: &'static str },
}

impl Outcome {
    /// `subject` authenticated with key `key_id`, the final message coming
    /// from `source`: a source other than the subject is recorded as a relay.
    pub fn authenticated(subject: Addr, key_id: u32, source: Addr) -> Self {
        Outcome::Authenticated {
            subject,
            key_id,
            relayed_by: (source != subject).then_some(source),
        }
    }

    /// The endpoint the verdict is about.
    pub fn subject(&self) -> Addr {
        match self {
            Outcome::Authenticated { subject, .. }
            | Outcome::Rejected { subject, .. }
            | Outcome::AttackDetected { subject, .. }
            | Outcome::Failed { subject, .. } => *subject,
        }
    }
}

/// Everything an endpoint asks of its host in answer to one input.
///
/// The host clears and reuses one `Effects` per input to avoid allocation.
#[derive(Debug, Default)]
pub struct Effects {
    pub transmits: Vec<Transmit>,
    pub timers: Vec<TimerCmd>,
    pub crypto: CryptoOps,
    pub outcomes: Vec<Outcome>,
    /// Labels of inputs the role handled by ignoring them (a message kind it
    /// does not expect in its state, or `"undecodable"`): counted by the host,
    /// so nothing vanishes without a trace.
    pub ignored: Vec<&'static str>,
    /// Events that send nothing but must be counted (an attempt barred by
    /// the cell's system information): counted by the host per label.
    pub counted: Vec<&'static str>,
}

impl Effects {
    pub fn clear(&mut self) {
        self.transmits.clear();
        self.timers.clear();
        self.crypto = CryptoOps::default();
        self.outcomes.clear();
        self.ignored.clear();
        self.counted.clear();
    }
    /// Sends bytes already encoded: a relayed PDU or a retransmission of a
    /// cached one, with the kind its type gave it. New messages go through
    /// [`Effects::send_msg`], which takes the kind from the message's type.
    pub fn send(&mut self, to: Addr, interface: Interface, kind: &'static str, pdu: Vec<u8>) {
        self.transmits.push(Transmit {
            to: Destination::Unicast(to),
            interface,
            kind,
            pdu,
            adversary_made: false,
        });
    }
    /// Marks every transmission of this input as made by the adversary
    /// (an endpoint that forwards nothing genuine: the injector).
    pub fn all_adversary_made(&mut self) {
        for t in &mut self.transmits {
            t.adversary_made = true;
        }
    }
    /// [`Effects::send`] of a PDU the adversary made (forged, altered,
    /// replayed or substituted): marked so that a verdict it causes is
    /// counted as caused by adversary input.
    pub fn inject(&mut self, to: Addr, interface: Interface, kind: &'static str, pdu: Vec<u8>) {
        self.send(to, interface, kind, pdu);
        if let Some(t) = self.transmits.last_mut() {
            t.adversary_made = true;
        }
    }
    /// [`Effects::send`] to several receivers in one transmission; new messages
    /// use [`Effects::broadcast_msg`].
    pub fn broadcast(
        &mut self,
        to: Vec<Addr>,
        interface: Interface,
        kind: &'static str,
        pdu: Vec<u8>,
    ) {
        self.transmits.push(Transmit {
            to: Destination::Broadcast(to),
            interface,
            kind,
            pdu,
            adversary_made: false,
        });
    }
    pub fn arm(&mut self, key: TimerKey, at: Nanos) {
        self.timers.push(TimerCmd::Arm { key, at });
    }
    pub fn cancel(&mut self, key: TimerKey) {
        self.timers.push(TimerCmd::Cancel { key });
    }
    /// Records that the current input was ignored; `what` names it (its
    /// message kind, or `"undecodable"`).
    pub fn ignore(&mut self, what: &'static str) {
        self.ignored.push(what);
    }
    /// Counts an event that sends no message (`what` names it).
    pub fn count(&mut self, what: &'static str) {
        self.counted.push(what);
    }
    pub fn outcome(&mut self, outcome: Outcome) {
        self.outcomes.push(outcome);
    }
}

/// An incoming message as handed to an endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    pub from: Addr,
    pub interface: Interface,
    pub pdu: &'a [u8],
}

/// Per-input context: who am I, what time is it, where do I draw randomness,
/// where do my effects go.
pub struct Ctx<'a> {
    pub me: Addr,
    pub now: Nanos,
    /// How long this input waited for a server of its node before `now`
    /// (0 where every endpoint serves itself): the load signal a serving
    /// node's overload control reads (docs/protocols/overload.md). The host
    /// measures it; the role never guesses it.
    pub wait: Nanos,
    pub rng: &'a mut SimRng,
    pub fx: &'a mut Effects,
}

/// One protocol role. Hosts call these; implementations must never panic on
/// bad input: an undecodable PDU is reported (outcome or ignored), not unwrapped.
pub trait Endpoint {
    /// Begin the procedure this endpoint initiates (e.g. a device's attach).
    /// Roles that only respond ignore it.
    fn start(&mut self, cx: &mut Ctx<'_>);
    /// Handle one received message.
    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>);
    /// Handle the expiry of a timer armed earlier and not cancelled since.
    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A storm keeps millions of timers pending: the key stays at 12 octets.
    #[test]
    fn timer_keys_are_compact_and_name_their_peer() {
        assert_eq!(std::mem::size_of::<TimerKey>(), 12);
        let ue = Addr::new(0, 41);
        let k = TimerKey::for_peer(ue, TimerKind::T3460);
        assert_eq!((k.peer(), k.kind()), (Some(ue), TimerKind::T3460));
        assert_eq!(TimerKey::own(TimerKind::T3410).peer(), None);
        assert_ne!(k, TimerKey::for_peer(ue, TimerKind::DiameterTx));
    }
}
