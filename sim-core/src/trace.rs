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

impl Transmission {
    /// The `--trace` line (`time_s,from,to,interface,message,bytes,sender_node,pdu_hex`),
    /// endpoints named `NODE:INDEX` with `node_names` in node order (`;` between the
    /// receivers of a broadcast).
    pub fn csv_line<'a>(&'a self, node_names: &'a [String]) -> CsvLine<'a> {
        CsvLine {
            t: self,
            node_names,
        }
    }
}

/// A [`Transmission`] rendered as its `--trace` line.
pub struct CsvLine<'a> {
    t: &'a Transmission,
    node_names: &'a [String],
}

impl CsvLine<'_> {
    fn endpoint(&self, f: &mut fmt::Formatter<'_>, a: Addr) -> fmt::Result {
        let node = self
            .node_names
            .get(a.node as usize)
            .map_or("", |n| n.as_str());
        write!(f, "{node}:{}", a.index)
    }
}

impl fmt::Display for CsvLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.t;
        write!(f, "{:.9},", t.departs as f64 / 1e9)?;
        self.endpoint(f, t.from)?;
        f.write_str(",")?;
        for (i, &a) in t.to.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            self.endpoint(f, a)?;
        }
        write!(
            f,
            ",{},{},{},{},",
            t.interface,
            t.kind,
            t.pdu.len(),
            t.sender_node
        )?;
        for b in t.pdu.iter() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
