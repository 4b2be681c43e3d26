//! One record per transmission, collected when a run is traced: what
//! `--trace` writes as a CSV row and `--pcap` frames as a packet (one
//! capture path, two renderings).

use std::fmt::Write as _;

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
    /// The `--trace` record of this transmission as one CSV line (no header),
    /// endpoints named `NODE:INDEX` with `node_names` in node order.
    pub fn csv_line(&self, node_names: &[String]) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(self.row(node_names))
            .expect("CSV written to memory");
        crate::csv_table::text(w)
    }

    fn row<'a>(&'a self, node_names: &'a [String]) -> TraceRow<'a> {
        let endpoint = |a: Addr| {
            let node = node_names.get(a.node as usize).map_or("", |n| n.as_str());
            format!("{node}:{}", a.index)
        };
        let mut pdu_hex = String::with_capacity(2 * self.pdu.len());
        for b in self.pdu.iter() {
            let _ = write!(pdu_hex, "{b:02x}");
        }
        TraceRow {
            time_s: format!("{:.9}", self.departs as f64 / 1e9),
            from: endpoint(self.from),
            to: self
                .to
                .iter()
                .map(|&a| endpoint(a))
                .collect::<Vec<_>>()
                .join(";"),
            interface: self.interface.to_string(),
            message: self.kind,
            bytes: self.pdu.len(),
            sender_node: &self.sender_node,
            pdu_hex,
        }
    }
}

/// The `--trace` file: a header from [`TraceRow`], then one row per transmission
/// in `trace` (departure order).
pub fn trace_csv(trace: &[Transmission], node_names: &[String]) -> String {
    crate::csv_table::serde_csv(trace.iter().map(|t| t.row(node_names)))
}

/// A row of the `--trace` file; its field names are the header. `to` lists every
/// receiver (`;` between the receivers of a broadcast); the time is seconds with nine
/// decimals; `pdu_hex` is the encoded PDU in lower-case hex.
#[derive(serde::Serialize, Default)]
struct TraceRow<'a> {
    time_s: String,
    from: String,
    to: String,
    interface: String,
    message: &'a str,
    bytes: usize,
    sender_node: &'a str,
    pdu_hex: String,
}
