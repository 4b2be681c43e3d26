//! EPS-AKA (TS 33.401 §6.1) with the attach and NAS security mode procedures
//! (TS 24.301) and S6a authentication information retrieval (TS 29.272).
//!
//! Three roles: [`Ue`] (device with its USIM), [`Mme`] (serving network) and
//! [`Hss`] (home network with the AuC). The flow, the timers and what each side
//! checks are written up in docs/protocols/eps-aka.md.

mod hss;
mod mme;
mod ue;

pub use hss::{Hss, Subscriber};
pub use mme::Mme;
pub use ue::Ue;

use crate::core::{Addr, Nanos, TimerKey, TimerKind, time::SECOND};

/// Parameters shared by the three roles.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Serving network id: MCC/MNC as encoded in the PLMN identity (TS 24.008
    /// §10.5.1.3), e.g. 00f110 for MCC 001, MNC 01. Also the KDF's SN id.
    pub plmn: [u8; 3],
    /// The PLMN's digits, prefix of every IMSI (MCC + MNC).
    pub plmn_digits: String,
    /// Vectors the MME asks for in one AIR (TS 29.272 allows 1..=5 per request).
    pub vectors_per_request: u32,
    /// NAS timer T3460 (MME, authentication and security mode): 6 s by default.
    pub t3460: Nanos,
    /// Retransmissions on T3460 expiry before the procedure is aborted (4).
    pub t3460_max_retx: u32,
    /// UE attach guard timer T3410 (15 s).
    pub t3410: Nanos,
    /// Attach attempts before the UE gives up (5).
    pub attach_max_attempts: u32,
    /// Diameter answer timeout at the MME (Tx).
    pub diameter_timeout: Nanos,
    /// AIR retransmissions on Tx expiry before giving up.
    pub diameter_max_retx: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plmn: [0x00, 0xf1, 0x10],
            plmn_digits: "00101".into(),
            vectors_per_request: 1,
            t3460: 6 * SECOND,
            t3460_max_retx: 4,
            t3410: 15 * SECOND,
            attach_max_attempts: 5,
            diameter_timeout: 5 * SECOND,
            diameter_max_retx: 2,
        }
    }
}

/// Integrity algorithm used by the security mode procedure: 128-EIA2.
pub const EIA2: u8 = 2;
/// Ciphering algorithm: EEA0 (null), so the simulated messages stay readable;
/// ciphering would not change any size.
pub const EEA0: u8 = 0;
/// UE network capability advertised in the attach request (TS 24.301 §9.9.3.34);
/// its first two octets (EEA/EIA) are replayed in the security mode command.
pub const UE_NETWORK_CAPABILITY: [u8; 4] = crate::wire::nas::TYPICAL_UE_NETWORK_CAPABILITY;

/// 128-EIA2 direction bits (TS 33.401 B.2.3).
pub const UPLINK: u8 = 0;
pub const DOWNLINK: u8 = 1;

/// Protects the first message of a new NAS security context in one direction
/// (NAS COUNT and sequence number 0, bearer 0): 128-EIA2 over
/// (sequence number || message) (TS 24.301 §4.4.3.3), in the security header
/// `header`. EEA0 leaves the message itself as it is. The envelope is built
/// around the encoded message in one buffer: the same bytes as
/// `nas::protect(header, MAC, 0, inner.encode())`.
pub fn protect_first(
    k_int: &[u8; 16],
    header: u8,
    direction: u8,
    inner: &crate::wire::nas::NasMessage,
    ops: &mut crate::core::CryptoOps,
) -> Vec<u8> {
    use crate::wire::nas;
    let seq = 0u8;
    let mut pdu = Vec::with_capacity(nas::SecurityProtected::HEADER_LEN + 16);
    nas::begin_protected(&mut pdu, header, seq);
    inner.encode_into(&mut pdu);
    let mac = crate::crypto::eia2::eia2(
        k_int,
        seq as u32,
        0,
        direction,
        nas::mac_input_of(&pdu),
        ops,
    );
    nas::set_mac(&mut pdu, mac);
    pdu
}

/// IMSI of subscriber `index`: PLMN digits followed by a zero-padded MSIN.
pub fn imsi(plmn_digits: &str, index: u32) -> String {
    let mut s = String::with_capacity(15);
    imsi_into(&mut s, plmn_digits, index);
    s
}

/// [`imsi`] written into `out` (cleared first), reusing its buffer.
pub fn imsi_into(out: &mut String, plmn_digits: &str, index: u32) {
    out.clear();
    out.push_str(plmn_digits);
    push_zero_padded(out, index as u64, 15usize.saturating_sub(plmn_digits.len()));
}

/// Appends `v` in decimal, zero-padded to at least `width` digits (what
/// `format!("{v:0width$}")` writes, without the formatting machinery).
pub(crate) fn push_zero_padded(out: &mut String, v: u64, width: usize) {
    // Right-aligned in a buffer wide enough for u64::MAX padded to `width`
    // (up to 32 digits), then appended at once.
    let mut buf = [b'0'; 32];
    let mut n = v;
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(buf.len().saturating_sub(width));
    for _ in buf.len()..width {
        out.push('0');
    }
    out.extend(buf[start..].iter().map(|&d| char::from(d)));
}

/// Subscriber index from an IMSI built by [`imsi`].
pub fn imsi_index(plmn_digits: &str, imsi: &str) -> Option<u32> {
    imsi.strip_prefix(plmn_digits)?.parse().ok()
}

/// A serving node keeps one context per device, so its timers name the device.
pub(crate) fn ue_timer(ue: Addr, kind: TimerKind) -> TimerKey {
    TimerKey::for_peer(ue, kind)
}

/// The device and kind of a per-device timer; `None` for a node's own timers.
pub(crate) fn timer_ue(key: TimerKey) -> Option<(Addr, TimerKind)> {
    Some((key.peer()?, key.kind()))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn zero_padding_matches_format() {
        for v in [
            0u64,
            1,
            9,
            10,
            42,
            999_999,
            1_000_000_000,
            9_999_999_999,
            12_345_678_901,
            u64::MAX,
        ] {
            for width in [0usize, 1, 5, 10, 12, 25, 32, 40] {
                let mut s = String::from("x");
                push_zero_padded(&mut s, v, width);
                assert_eq!(s, format!("x{v:0width$}"));
            }
        }
        for (plmn, index) in [
            ("00101", 0u32),
            ("00101", 42),
            ("310260", 7),
            ("00101", u32::MAX),
        ] {
            let msin_len = 15 - plmn.len();
            assert_eq!(imsi(plmn, index), format!("{plmn}{index:0msin_len$}"));
        }
    }
}
