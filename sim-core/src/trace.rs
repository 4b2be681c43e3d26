//! One record per transmission, collected when a run is traced: what
//! `--trace` prints as a CSV line and `--pcap` frames as a packet (one
//! capture path, two renderings).

use std::fmt;

use authsim_protocols::core::{Addr, Interface, Nanos};

use crate::pdu::Pdu;

/// One message as it left its sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmission {
    /// Departure time: the end of the sender's service, after any wait for
    /// the link (the first link's, for a broadcast over several).
    pub departs: Nanos,
    pub from: Addr,
    /// Every receiver (one for a unicast).
    pub to: Vec<Addr>,
    /// The receivers whose delivery the link lost (a subset of `to`).
    pub lost: Vec<Addr>,
    pub interface: Interface,
    pub kind: &'static str,
    /// Name of the sending node.
    pub sender_node: String,
    /// The encoded PDU, shared with the deliveries.
    pub pdu: Pdu,
}

impl Transmission {
    /// Header of the `--trace` file.
    pub const CSV_HEADER: &'static str =
        "time_s,from,to,interface,message,bytes,sender_node,pdu_hex";
}

/// The `--trace` line: `time_s,from,to,interface,message,bytes,sender_node,pdu_hex`.
impl fmt::Display for Transmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.9},{},", self.departs as f64 / 1e9, self.from)?;
        for (i, a) in self.to.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{a}")?;
        }
        write!(
            f,
            ",{},{},{},{},",
            self.interface,
            self.kind,
            self.pdu.len(),
            self.sender_node
        )?;
        for b in self.pdu.iter() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
