//! `--pcap`: the traced transmissions of a run as a pcapng capture that
//! Wireshark dissects without preferences. One pcapng interface per authsim
//! interface; one packet per transmission, stamped with its simulated
//! departure time in nanoseconds (the `--trace` time). Framing per interface
//! ([`carrier`]) and the address plan ([`ipv4_of`]) are documented in
//! docs/outputs.md; the capture is built from the same
//! [`Transmission`] records `--trace` prints.

pub mod frame;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use authsim_protocols::core::{Addr, Interface};
use pcap_file::DataLink;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};

use crate::trace::Transmission;

/// Diameter over SCTP: port 3868 and payload protocol id 46 (RFC 6733 §2.1,
/// IANA SCTP PPID registry).
pub const DIAMETER_SCTP_PORT: u16 = 3868;
pub const DIAMETER_PPID: u32 = 46;
/// S1AP: SCTP port 36412, PPID 18 (TS 36.412 §7).
pub const S1AP_SCTP_PORT: u16 = 36412;
pub const S1AP_PPID: u32 = 18;
/// UDP port of the authsim TLV messages (group schemes, MDMS–gateway): no
/// IANA or Wireshark assignment; `tools/wireshark/authsim.lua` registers it.
pub const AUTHSIM_UDP_PORT: u16 = 47474;
/// TCP port of the SBI (HTTP/2 with prior knowledge, as `http2` decodes
/// it: tools/wireshark/check.py decodes this port as HTTP/2).
pub const SBI_TCP_PORT: u16 = 7777;
/// TCP port of the TLS 1.3 handshake device–MTC server (HTTPS).
pub const TLS_TCP_PORT: u16 = 443;
/// The client side's port of an SBI connection.
pub const SBI_CLIENT_PORT: u16 = 40000;
/// Destination of a broadcast (limited broadcast, RFC 919).
const BROADCAST: [u8; 4] = [255, 255, 255, 255];

/// How one authsim interface is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// LINKTYPE_WIRESHARK_UPPER_PDU: the PDU handed to the named Wireshark
    /// dissector, with the IPv4 addresses of the address plan as tags.
    Exported(&'static str),
    /// Raw IPv4 + SCTP DATA chunk (Diameter: port 3868, PPID 46).
    Sctp { port: u16, ppid: u32 },
    /// Raw IPv4 + UDP on the given port (source and destination).
    Udp(u16),
    /// Raw IPv4 + TCP, one connection per node pair, server on the given
    /// port: HTTP/2 with the client preface (RFC 9113 §3.4) and an empty
    /// SETTINGS frame ahead of the first message of each side.
    Http2(u16),
    /// Raw IPv4 + TCP as for HTTP/2, without a prologue: TLS records on the
    /// given port (443, which tshark's `tls` dissector owns).
    Tls(u16),
}

impl Carrier {
    fn link_type(self) -> DataLink {
        match self {
            Carrier::Exported(_) => DataLink::WIRESHARK_UPPER_PDU,
            Carrier::Sctp { .. } | Carrier::Udp(_) | Carrier::Http2(_) | Carrier::Tls(_) => {
                DataLink::RAW
            }
        }
    }

    fn describe(self) -> String {
        match self {
            Carrier::Exported(d) => format!("exported PDU for dissector {d}"),
            Carrier::Sctp { port, ppid } => format!("IPv4/SCTP port {port}, PPID {ppid}"),
            Carrier::Udp(port) => format!("IPv4/UDP port {port} (tools/wireshark/authsim.lua)"),
            Carrier::Http2(port) => format!("IPv4/TCP port {port}, HTTP/2"),
            Carrier::Tls(port) => format!("IPv4/TCP port {port}, TLS 1.3 records"),
        }
    }
}

/// The framing of each interface. NAS EMM, MM and MAP/TCAP go to Wireshark's
/// dissectors by name (their real carriers S1AP, RANAP and SCCP would need
/// invented radio-side identifiers); S6a rides SCTP as on a real S6a link;
/// the documented TLV has no standard dissector and uses a UDP port.
///
/// 5G: N1 NAS goes to `nas-5gs`; the SBI (N12, N13) rides TCP as HTTP/2.
/// The match is exhaustive, so a new `Interface` cannot be added without
/// choosing here.
pub const fn carrier(i: Interface) -> Carrier {
    match i {
        Interface::Nas => Carrier::Exported("nas-eps"),
        Interface::UmtsAir => Carrier::Exported("gsm_a_dtap"),
        Interface::Map => Carrier::Exported("tcap"),
        Interface::S6a => Carrier::Sctp {
            port: DIAMETER_SCTP_PORT,
            ppid: DIAMETER_PPID,
        },
        Interface::Han
        | Interface::Nan
        | Interface::Wan
        | Interface::AuthServer
        | Interface::DevAp
        | Interface::ApCn
        | Interface::CnServer
        | Interface::Pkg => Carrier::Udp(AUTHSIM_UDP_PORT),
        Interface::N1 => Carrier::Exported("nas-5gs"),
        Interface::N12 | Interface::N13 => Carrier::Http2(SBI_TCP_PORT),
        Interface::DevServer => Carrier::Tls(TLS_TCP_PORT),
        Interface::RrcUl => Carrier::Exported("lte-rrc.ul.ccch"),
        Interface::RrcDl => Carrier::Exported("lte-rrc.dl.ccch"),
        Interface::Bcch => Carrier::Exported("lte-rrc.bcch.dl.sch"),
        Interface::S1Mme => Carrier::Sctp {
            port: S1AP_SCTP_PORT,
            ppid: S1AP_PPID,
        },
    }
}

/// Endpoints of one node per address block: endpoint i of node k is
/// 10.0.0.0 + k·2^20 + i + 1 (node 0 from 10.0.0.1, node 1 from 10.16.0.1, ...);
/// a cell's broadcast receiver (access barring) is the block's last address.
const NODE_BLOCK_BITS: u32 = 20;

/// Why a capture could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error(
        "address {0} is outside the pcap address plan (at most 16 nodes and 2^20 - 2 endpoints per node)"
    )]
    Address(Addr),
    #[error("writing the pcapng: {0}")]
    Write(#[from] pcap_file::PcapError),
}

/// The stable IPv4 address of an endpoint (see docs/outputs.md).
pub fn ipv4_of(a: Addr) -> Result<[u8; 4], PcapError> {
    let max_index = (1u32 << NODE_BLOCK_BITS) - 2;
    // A cell's broadcast receiver gets its node block's broadcast address.
    if a.node < 16 && a.index == authsim_protocols::ran::barring::CELL_INDEX {
        let host = (10u32 << 24) | (u32::from(a.node) << NODE_BLOCK_BITS) | (max_index + 1);
        return Ok(host.to_be_bytes());
    }
    if a.node >= 16 || a.index >= max_index {
        return Err(PcapError::Address(a));
    }
    let host = (10u32 << 24) | (u32::from(a.node) << NODE_BLOCK_BITS) | (a.index + 1);
    Ok(host.to_be_bytes())
}

/// Per direction of an SCTP association: next TSN and stream sequence number.
#[derive(Default)]
struct SctpState {
    tsn: u32,
    ssn: u16,
}

/// One HTTP/2-over-TCP connection between two endpoints: the client (the
/// first sender) and each direction's next sequence number and whether its
/// first segment (preface, SETTINGS) was written.
struct TcpConn {
    client: [u8; 4],
    next_seq: [u32; 2],
    started: [bool; 2],
}

/// Per-capture transport state.
#[derive(Default)]
struct Streams {
    sctp: BTreeMap<([u8; 4], [u8; 4]), SctpState>,
    tcp: BTreeMap<([u8; 4], [u8; 4]), TcpConn>,
}

/// HTTP/2 client connection preface (RFC 9113 §3.4).
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame (type 4, stream 0).
const HTTP2_EMPTY_SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];

/// The TCP segment of one SBI message (`http2`: with the HTTP/2 prologue)
/// or TLS record flight between `src` and `dst`.
fn tcp_segment(
    tcp: &mut BTreeMap<([u8; 4], [u8; 4]), TcpConn>,
    port: u16,
    http2: bool,
    (src, dst): ([u8; 4], [u8; 4]),
    ip_id: u16,
    pdu: &[u8],
) -> Vec<u8> {
    let key = (src.min(dst), src.max(dst));
    let conn = tcp.entry(key).or_insert(TcpConn {
        client: src,
        next_seq: [1, 1],
        started: [false, false],
    });
    let side = usize::from(src != conn.client);
    let mut payload = Vec::with_capacity(HTTP2_PREFACE.len() + 9 + pdu.len());
    if !conn.started[side] {
        conn.started[side] = true;
        if http2 && side == 0 {
            payload.extend_from_slice(HTTP2_PREFACE);
        }
        if http2 {
            payload.extend_from_slice(&HTTP2_EMPTY_SETTINGS);
        }
    }
    payload.extend_from_slice(pdu);
    let ports = if side == 0 {
        (SBI_CLIENT_PORT, port)
    } else {
        (port, SBI_CLIENT_PORT)
    };
    let seq = conn.next_seq[side];
    // What the other side sent so far is acknowledged; before it sent
    // anything there is nothing to acknowledge (no ACK flag).
    let ack = conn.started[1 - side].then_some(conn.next_seq[1 - side]);
    conn.next_seq[side] = seq.wrapping_add(payload.len() as u32);
    frame::ipv4_tcp(
        src,
        dst,
        frame::TcpSegment { ports, seq, ack },
        ip_id,
        &payload,
    )
}

/// The frame of one transmission.
fn frame(
    t: &Transmission,
    carrier: Carrier,
    ip_id: u16,
    streams: &mut Streams,
) -> Result<Vec<u8>, PcapError> {
    let sctp = &mut streams.sctp;
    let src = ipv4_of(t.from)?;
    let dst = match t.to.as_slice() {
        [one] => ipv4_of(*one)?,
        _ => BROADCAST,
    };
    Ok(match carrier {
        Carrier::Exported(d) => frame::exported_pdu(d, src, dst, &t.pdu),
        Carrier::Udp(port) => frame::ipv4_udp(src, dst, (port, port), ip_id, &t.pdu),
        Carrier::Sctp { port, ppid } => {
            let st = sctp.entry((src, dst)).or_default();
            st.tsn += 1;
            let d = frame::SctpData {
                ports: (port, port),
                // The receiver's tag; stable: its address.
                verification_tag: u32::from_be_bytes(dst),
                tsn: st.tsn,
                stream: 0,
                ssn: st.ssn,
                ppid,
            };
            st.ssn = st.ssn.wrapping_add(1);
            frame::ipv4_sctp_data(src, dst, d, ip_id, &t.pdu)
        }
        Carrier::Http2(port) => {
            tcp_segment(&mut streams.tcp, port, true, (src, dst), ip_id, &t.pdu)
        }
        Carrier::Tls(port) => tcp_segment(&mut streams.tcp, port, false, (src, dst), ip_id, &t.pdu),
    })
}

/// The endpoint id `NODE:INDEX`, as in `--trace` and auth.csv, for the frame comment.
fn who(a: Addr, names: &[String]) -> String {
    match names.get(a.node as usize) {
        Some(n) => format!("{n}:{}", a.index),
        None => a.to_string(),
    }
}

/// The frame comment: what authsim logged (kind, interface, sender,
/// receivers) and which deliveries the link lost.
fn comment(t: &Transmission, names: &[String]) -> String {
    let to: Vec<String> = t.to.iter().map(|a| who(*a, names)).collect();
    let mut c = format!(
        "authsim {} on {}: {} -> {}",
        t.kind,
        t.interface,
        who(t.from, names),
        to.join(", ")
    );
    if !t.lost.is_empty() {
        let lost: Vec<String> = t.lost.iter().map(|a| who(*a, names)).collect();
        c.push_str(&format!("; lost on the way to {}", lost.join(", ")));
    }
    c
}

/// Writes `trace` as pcapng into `out` (little-endian, so the bytes are the
/// same on every machine) and returns `out`. `names` are the node names in
/// node order (frame comments).
pub fn write_pcapng<W: Write>(
    out: W,
    trace: &[Transmission],
    names: &[String],
) -> Result<W, PcapError> {
    let section = SectionHeaderBlock {
        endianness: pcap_file::Endianness::Little,
        major_version: 1,
        minor_version: 0,
        section_length: -1,
        options: vec![SectionHeaderOption::UserApplication(Cow::Owned(format!(
            "authsim {}",
            env!("CARGO_PKG_VERSION")
        )))],
    };
    let mut w = PcapNgWriter::with_section_header(out, section)?;
    // One pcapng interface per authsim interface used, in a fixed order.
    let mut ids: BTreeMap<Interface, u32> = BTreeMap::new();
    for i in Interface::ALL {
        if !trace.iter().any(|t| t.interface == i) {
            continue;
        }
        let c = carrier(i);
        ids.insert(i, ids.len() as u32);
        w.write_pcapng_block(InterfaceDescriptionBlock {
            linktype: c.link_type(),
            snaplen: 0,
            options: vec![
                InterfaceDescriptionOption::IfName(Cow::Borrowed(i.name())),
                InterfaceDescriptionOption::IfDescription(Cow::Owned(format!(
                    "authsim interface {}: {}",
                    i.name(),
                    c.describe()
                ))),
                // Nanosecond timestamps.
                InterfaceDescriptionOption::IfTsResol(9),
            ],
        })?;
    }
    let mut streams = Streams::default();
    for (n, t) in trace.iter().enumerate() {
        let data = frame(t, carrier(t.interface), (n + 1) as u16, &mut streams)?;
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: ids[&t.interface],
            timestamp: Duration::from_nanos(t.departs),
            original_len: data.len() as u32,
            data: Cow::Owned(data),
            options: vec![EnhancedPacketOption::Comment(Cow::Owned(comment(t, names)))],
        })?;
    }
    Ok(w.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_plan_is_stable_and_bounded() {
        assert_eq!(ipv4_of(Addr::new(0, 0)).unwrap(), [10, 0, 0, 1]);
        assert_eq!(ipv4_of(Addr::new(1, 0)).unwrap(), [10, 16, 0, 1]);
        assert_eq!(ipv4_of(Addr::new(0, 999_999)).unwrap(), [10, 15, 66, 64]);
        assert!(ipv4_of(Addr::new(16, 0)).is_err());
        assert!(ipv4_of(Addr::new(0, (1 << 20) - 2)).is_err());
    }
}
