//! Lower-layer framing built by hand, with real checksums: IPv4 (RFC 791,
//! header checksum RFC 1071), UDP (RFC 768, checksum over the pseudo-header),
//! SCTP with one DATA chunk (RFC 9260, CRC32c per Appendix A), and
//! Wireshark's exported-PDU tags (LINKTYPE_WIRESHARK_UPPER_PDU).

/// IANA protocol numbers.
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_SCTP: u8 = 132;

/// Exported-PDU tag types (Wireshark `epan/exported_pdu.h`).
const EXP_PDU_TAG_END_OF_OPT: u16 = 0;
const EXP_PDU_TAG_DISSECTOR_NAME: u16 = 12;
const EXP_PDU_TAG_IPV4_SRC: u16 = 20;
const EXP_PDU_TAG_IPV4_DST: u16 = 21;

/// CRC32c (Castagnoli, reflected): the SCTP checksum.
const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// One's complement sum of 16-bit big-endian words (an odd last octet padded
/// with zero), folded: RFC 1071.
fn ones_complement_sum(mut sum: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for w in &mut chunks {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum
}

fn internet_checksum(sum: u32) -> u16 {
    !(sum as u16)
}

/// An IPv4 packet (20-octet header, no options, DF set, TTL 64) around
/// `payload` of protocol `proto`.
fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let total = 20 + payload.len();
    let mut p = Vec::with_capacity(total);
    p.extend_from_slice(&[0x45, 0]);
    p.extend_from_slice(&(total as u16).to_be_bytes());
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    let sum = internet_checksum(ones_complement_sum(0, &p));
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// IPv4 + UDP around `payload`, UDP checksum over the pseudo-header.
pub fn ipv4_udp(src: [u8; 4], dst: [u8; 4], ports: (u16, u16), id: u16, payload: &[u8]) -> Vec<u8> {
    let len = (8 + payload.len()) as u16;
    let mut udp = Vec::with_capacity(len as usize);
    udp.extend_from_slice(&ports.0.to_be_bytes());
    udp.extend_from_slice(&ports.1.to_be_bytes());
    udp.extend_from_slice(&len.to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let mut pseudo = Vec::with_capacity(12);
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, IPPROTO_UDP]);
    pseudo.extend_from_slice(&len.to_be_bytes());
    let sum = internet_checksum(ones_complement_sum(ones_complement_sum(0, &pseudo), &udp));
    // A computed 0 is sent as all ones (0 means "no checksum").
    let sum = if sum == 0 { 0xffff } else { sum };
    udp[6..8].copy_from_slice(&sum.to_be_bytes());
    ipv4(src, dst, IPPROTO_UDP, id, &udp)
}

/// The fields of one SCTP DATA chunk that change from packet to packet.
#[derive(Clone, Copy, Debug)]
pub struct SctpData {
    pub ports: (u16, u16),
    pub verification_tag: u32,
    pub tsn: u32,
    pub stream: u16,
    pub ssn: u16,
    pub ppid: u32,
}

/// IPv4 + SCTP common header + one DATA chunk (unfragmented: B and E set)
/// carrying `payload`, padded to 4 octets; CRC32c over the SCTP packet,
/// stored least significant octet first (RFC 9260 Appendix A).
pub fn ipv4_sctp_data(src: [u8; 4], dst: [u8; 4], d: SctpData, id: u16, payload: &[u8]) -> Vec<u8> {
    let chunk_len = 16 + payload.len();
    let pad = (4 - chunk_len % 4) % 4;
    let mut s = Vec::with_capacity(12 + chunk_len + pad);
    s.extend_from_slice(&d.ports.0.to_be_bytes());
    s.extend_from_slice(&d.ports.1.to_be_bytes());
    s.extend_from_slice(&d.verification_tag.to_be_bytes());
    s.extend_from_slice(&[0; 4]);
    s.extend_from_slice(&[0, 0x03]);
    s.extend_from_slice(&(chunk_len as u16).to_be_bytes());
    s.extend_from_slice(&d.tsn.to_be_bytes());
    s.extend_from_slice(&d.stream.to_be_bytes());
    s.extend_from_slice(&d.ssn.to_be_bytes());
    s.extend_from_slice(&d.ppid.to_be_bytes());
    s.extend_from_slice(payload);
    s.resize(s.len() + pad, 0);
    let crc = CRC32C.checksum(&s);
    s[8..12].copy_from_slice(&crc.to_le_bytes());
    ipv4(src, dst, IPPROTO_SCTP, id, &s)
}

/// The fields of one TCP segment that change from packet to packet.
#[derive(Clone, Copy, Debug)]
pub struct TcpSegment {
    pub ports: (u16, u16),
    pub seq: u32,
    /// The acknowledgment number, with the ACK flag, if any.
    pub ack: Option<u32>,
}

/// IPv4 + TCP (20-octet header, PSH, window 65535) around `payload`, TCP
/// checksum over the pseudo-header.
pub fn ipv4_tcp(src: [u8; 4], dst: [u8; 4], s: TcpSegment, id: u16, payload: &[u8]) -> Vec<u8> {
    let len = 20 + payload.len();
    let mut tcp = Vec::with_capacity(len);
    tcp.extend_from_slice(&s.ports.0.to_be_bytes());
    tcp.extend_from_slice(&s.ports.1.to_be_bytes());
    tcp.extend_from_slice(&s.seq.to_be_bytes());
    tcp.extend_from_slice(&s.ack.unwrap_or(0).to_be_bytes());
    let flags = if s.ack.is_some() { 0x18 } else { 0x08 };
    tcp.extend_from_slice(&[5 << 4, flags, 0xff, 0xff, 0, 0, 0, 0]);
    tcp.extend_from_slice(payload);
    let mut pseudo = Vec::with_capacity(12);
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, IPPROTO_TCP]);
    pseudo.extend_from_slice(&(len as u16).to_be_bytes());
    let sum = internet_checksum(ones_complement_sum(ones_complement_sum(0, &pseudo), &tcp));
    tcp[16..18].copy_from_slice(&sum.to_be_bytes());
    ipv4(src, dst, IPPROTO_TCP, id, &tcp)
}

fn exp_tag(out: &mut Vec<u8>, tag: u16, value: &[u8]) {
    let pad = (4 - value.len() % 4) % 4;
    out.extend_from_slice(&tag.to_be_bytes());
    out.extend_from_slice(&((value.len() + pad) as u16).to_be_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + pad, 0);
}

/// An exported PDU: tags naming the dissector and the IPv4 endpoints (so
/// `ip.src`-style filters and the address columns work), then `payload`.
pub fn exported_pdu(dissector: &str, src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(40 + dissector.len() + payload.len());
    exp_tag(&mut p, EXP_PDU_TAG_DISSECTOR_NAME, dissector.as_bytes());
    exp_tag(&mut p, EXP_PDU_TAG_IPV4_SRC, &src);
    exp_tag(&mut p, EXP_PDU_TAG_IPV4_DST, &dst);
    exp_tag(&mut p, EXP_PDU_TAG_END_OF_OPT, &[]);
    p.extend_from_slice(payload);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_header_checksum_matches_rfc_1071_example() {
        // 4500 0073 0000 4000 4011 ____ c0a8 0001 c0a8 00c7: the well-known
        // worked example of the header checksum, b861.
        let p = ipv4([192, 168, 0, 1], [192, 168, 0, 199], 17, 0, &[0; 0x73 - 20]);
        assert_eq!(&p[10..12], &[0xb8, 0x61][..], "{:02x?}", &p[..20]);
        // Summing a header with its checksum in place gives all ones.
        assert_eq!(ones_complement_sum(0, &p[..20]), 0xffff);
    }

    #[test]
    fn crc32c_is_the_castagnoli_check_value() {
        // RFC 3720 B.4 / the catalogue check value for "123456789".
        assert_eq!(CRC32C.checksum(b"123456789"), 0xe306_9283);
        assert_eq!(CRC32C.checksum(&[0u8; 32]), 0x8a91_36aa);
    }

    #[test]
    fn udp_checksum_verifies_over_the_pseudo_header() {
        let p = ipv4_udp([10, 0, 0, 1], [10, 16, 0, 1], (47474, 47474), 7, b"abc");
        let udp = &p[20..];
        let mut pseudo = vec![10, 0, 0, 1, 10, 16, 0, 1, 0, 17];
        pseudo.extend_from_slice(&(udp.len() as u16).to_be_bytes());
        assert_eq!(
            ones_complement_sum(ones_complement_sum(0, &pseudo), udp),
            0xffff
        );
    }

    #[test]
    fn sctp_chunk_is_padded_and_checksummed() {
        let d = SctpData {
            ports: (3868, 3868),
            verification_tag: 1,
            tsn: 1,
            stream: 0,
            ssn: 0,
            ppid: 46,
        };
        let p = ipv4_sctp_data([10, 16, 0, 1], [10, 32, 0, 1], d, 1, &[1, 2, 3, 4, 5]);
        let s = &p[20..];
        assert_eq!(s.len(), 12 + 24);
        assert_eq!(&s[14..16], &21u16.to_be_bytes());
        let mut zeroed = s.to_vec();
        zeroed[8..12].fill(0);
        assert_eq!(&s[8..12], &CRC32C.checksum(&zeroed).to_le_bytes());
    }

    #[test]
    fn exported_pdu_tags_are_padded_to_four_octets() {
        let p = exported_pdu("tcap", [1, 2, 3, 4], [5, 6, 7, 8], &[0xaa]);
        assert_eq!(&p[..8], &[0, 12, 0, 4, b't', b'c', b'a', b'p']);
        let p = exported_pdu("nas-eps", [0; 4], [0; 4], &[]);
        assert_eq!(
            &p[..12],
            &[0, 12, 0, 8, b'n', b'a', b's', b'-', b'e', b'p', b's', 0]
        );
        assert_eq!(&p[p.len() - 4..], &[0, 0, 0, 0]);
    }
}
