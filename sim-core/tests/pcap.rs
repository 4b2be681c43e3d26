//! `--pcap`: the capture holds exactly the traced transmissions, with their
//! departure times, one pcapng interface per authsim interface, the PDUs
//! intact inside their framing and valid IPv4 / SCTP checksums. (Wireshark's
//! view of the same captures is checked by tools/wireshark/check.py in CI.)

use std::path::Path;

use authsim_sim::pcap::{ipv4_of, write_pcapng};
use authsim_sim::runner::{RunOptions, run};
use authsim_sim::scenario::Scenario;
use pcap_file::DataLink;
use pcap_file::pcapng::{Block, PcapNgReader};

fn eps_scenario() -> Scenario {
    let text = r#"
name = "pcap"
[run]
seed = 3
[protocol]
name = "eps-aka"
[population]
devices = 5
arrivals = { pattern = "uniform", window_s = 1.0 }
[nodes.ue]
profile = "constrained-device"
[nodes.mme]
profile = "server"
[nodes.hss]
profile = "server"
[[links]]
between = ["ue", "mme"]
latency = { dist = "fixed", ms = 10.0 }
loss = 0.2
[[links]]
between = ["mme", "hss"]
latency = { dist = "fixed", ms = 5.0 }
"#;
    Scenario::parse(text, Path::new("pcap.toml"), &[]).unwrap()
}

fn ones_complement_ok(header: &[u8]) -> bool {
    let mut sum: u32 = header
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum == 0xffff
}

#[test]
fn capture_holds_every_traced_transmission_in_its_framing() {
    let scn = eps_scenario();
    let (r, _) = run(
        &scn,
        3,
        &RunOptions {
            trace: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        r.trace.iter().any(|t| !t.lost.is_empty()),
        "the lossy run lost something"
    );
    let names: Vec<String> = r.nodes.iter().map(|n| n.name.clone()).collect();
    let bytes = write_pcapng(Vec::new(), &r.trace, &names).unwrap();
    // Deterministic: the same run gives the same file.
    assert_eq!(bytes, write_pcapng(Vec::new(), &r.trace, &names).unwrap());

    let mut reader = PcapNgReader::new(&bytes[..]).unwrap();
    let mut links = Vec::new();
    let mut packets = Vec::new();
    while let Some(block) = reader.next_block() {
        match block.unwrap() {
            Block::InterfaceDescription(i) => links.push(i.linktype),
            Block::EnhancedPacket(p) => packets.push(p.into_owned()),
            _ => {}
        }
    }
    assert_eq!(
        links,
        [DataLink::WIRESHARK_UPPER_PDU, DataLink::RAW],
        "nas, s6a"
    );
    assert_eq!(packets.len(), r.trace.len());
    let crc32c = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
    for (p, t) in packets.iter().zip(&r.trace) {
        assert_eq!(p.timestamp.as_nanos(), u128::from(t.departs));
        assert!(p.data.ends_with(&t.pdu) || t.interface.name() == "s6a");
        match t.interface.name() {
            "nas" => {
                assert_eq!(p.interface_id, 0);
                assert!(
                    p.data
                        .starts_with(&[0, 12, 0, 8, b'n', b'a', b's', b'-', b'e', b'p', b's', 0])
                );
                assert_eq!(p.data.len(), 12 + 8 + 8 + 4 + t.pdu.len());
            }
            "s6a" => {
                assert_eq!(p.interface_id, 1);
                let ip = &p.data[..];
                assert!(ones_complement_ok(&ip[..20]), "IPv4 header checksum");
                assert_eq!(&ip[12..16], &ipv4_of(t.from).unwrap());
                assert_eq!(&ip[16..20], &ipv4_of(t.to[0]).unwrap());
                assert_eq!(ip[9], 132, "SCTP");
                let sctp = &ip[20..];
                let mut zeroed = sctp.to_vec();
                zeroed[8..12].fill(0);
                assert_eq!(&sctp[8..12], &crc32c.checksum(&zeroed).to_le_bytes());
                assert_eq!(&sctp[..4], &[0x0f, 0x1c, 0x0f, 0x1c], "port 3868");
                assert_eq!(&sctp[24..28], &46u32.to_be_bytes(), "PPID 46");
                assert_eq!(&sctp[28..28 + t.pdu.len()], &t.pdu[..]);
            }
            other => panic!("unexpected interface {other}"),
        }
    }
}
