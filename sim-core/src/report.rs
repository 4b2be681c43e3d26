//! Results of one run as tidy tables, and their CSV / JSON encodings.
//!
//! Everything here is derived from counts recorded during the run; output is
//! byte-for-byte deterministic for a scenario and seed (sorted rows, fixed
//! number formatting, no wall-clock values).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use authsim_protocols::core::{Addr, CryptoOps, Interface, Nanos, Prim};

use crate::csv_table::{RowWriter, Split};
use crate::metrics::{MessageCounters, NodeReport, outcome_label};
use crate::profile::Profile;
use crate::scenario::Scenario;

#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    pub interface: Interface,
    pub kind: &'static str,
    pub counters: MessageCounters,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    pub name: String,
    pub profile: String,
    pub servers: u32,
    pub inputs: u64,
    pub timer_expiries: u64,
    pub busy_ns: u128,
    pub wait_ns_total: u128,
    pub wait_ns_max: Nanos,
    pub crypto: CryptoOps,
    /// Hosted endpoints (devices of a population node; 1 for a server).
    pub endpoints: u32,
    /// Radio bytes sent and received (PDU plus lower-layer header bytes).
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    /// Processing energy (crypto primitives plus per-input handling), in J.
    pub energy_crypto_j: f64,
    /// Radio energy (bytes sent and received), in J.
    pub energy_radio_j: f64,
    /// Inputs the node's endpoints ignored, by label (see [`NodeReport::ignored`]).
    pub ignored: BTreeMap<&'static str, u64>,
    /// Events counted by the node's endpoints (see [`NodeReport::counted`]).
    pub counted: BTreeMap<&'static str, u64>,
}

impl NodeRow {
    pub fn energy_total_j(&self) -> f64 {
        self.energy_crypto_j + self.energy_radio_j
    }

    /// Inputs ignored, all labels together.
    pub fn ignored_inputs(&self) -> u64 {
        self.ignored.values().sum()
    }

    /// Total energy per hosted endpoint, for population nodes (servers: None).
    pub fn energy_per_endpoint_j(&self) -> Option<f64> {
        (self.servers == 0 && self.endpoints > 0)
            .then(|| self.energy_total_j() / self.endpoints as f64)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthRow {
    pub time: Nanos,
    /// Name of the reporting node (shared: there are millions of rows).
    pub reporter_node: std::sync::Arc<str>,
    pub reporter: Addr,
    pub subject: Addr,
    pub outcome: &'static str,
    pub reason: &'static str,
    /// From the start of the subject's (or, failing that, the reporter's) procedure.
    pub latency: Option<Nanos>,
}

impl AuthRow {
    /// Same reporter node, outcome and reason (labels compared by address
    /// first: rows share them).
    pub fn same_kind(&self, o: &AuthRow) -> bool {
        fn same(a: &str, b: &str) -> bool {
            std::ptr::eq(a, b) || a == b
        }
        same(&self.reporter_node, &o.reporter_node)
            && same(self.outcome, o.outcome)
            && same(self.reason, o.reason)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub scenario: String,
    pub protocol: String,
    pub seed: u64,
    pub devices: u32,
    pub end_time: Nanos,
    pub messages: Vec<MessageRow>,
    pub nodes: Vec<NodeRow>,
    pub auth: Vec<AuthRow>,
    /// Traced transmissions in departure order (`--trace`, `--pcap`).
    pub trace: Vec<crate::trace::Transmission>,
    /// Whether the scenario asked for the storm measures (`outputs.storm`).
    pub storm: bool,
    /// The reporting schedule of an aggregate-signatures run (its `metering.*` metrics).
    pub metering: Option<crate::protocols::aggregate_signatures::Metering>,
    /// Transmissions and device energy of failed attach attempts (storm runs).
    pub wasted: Option<crate::wasted::Wasted>,
    /// The cell's random access counts (`[protocol.ran.rach]`).
    pub rach: Option<authsim_protocols::ran::rach::RachStats>,
}

impl RunResult {
    pub fn from_reports(
        scn: &Scenario,
        seed: u64,
        names: &[(String, String)],
        servers: &[u32],
        mut reports: Vec<NodeReport>,
        end_time: Nanos,
    ) -> Self {
        let mut messages: BTreeMap<(Interface, &'static str), MessageCounters> = BTreeMap::new();
        // Moved out, not copied: with 10^6 devices every table here is large,
        // so rows are built into one exact-size vector while each node's
        // records are freed as they are converted.
        let starts: Vec<Vec<Option<Nanos>>> = reports
            .iter_mut()
            .map(|r| std::mem::take(&mut r.starts))
            .collect();
        let start_of = |a: Addr| {
            starts
                .get(a.node as usize)
                .and_then(|s| s.get(a.index as usize).copied().flatten())
        };
        let mut nodes = Vec::new();
        let mut auth = Vec::with_capacity(reports.iter().map(|r| r.records.len()).sum());
        let mut trace = Vec::new();
        let wasted = Self::wasted(scn, names, &mut reports);
        for (i, r) in reports.into_iter().enumerate() {
            for (k, c) in &r.messages {
                messages.entry(*k).or_default().merge(c);
            }
            let (name, profile) = names.get(i).cloned().unwrap_or_default();
            let shared_name: std::sync::Arc<str> = name.as_str().into();
            let mut caused = r.adversary_caused.iter().peekable();
            for (k, rec) in r.records.into_iter().enumerate() {
                let (outcome, mut reason, subject) = outcome_label(&rec.outcome);
                if caused.next_if_eq(&&k).is_some() {
                    reason = crate::metrics::ADVERSARY_INPUT;
                }
                let start = start_of(subject).or_else(|| start_of(rec.reporter));
                auth.push(AuthRow {
                    time: rec.time,
                    reporter_node: shared_name.clone(),
                    reporter: rec.reporter,
                    subject,
                    outcome,
                    reason,
                    latency: start.map(|s| rec.time.saturating_sub(s)),
                });
            }
            trace.extend(r.trace);
            // Energy from the run's own counts, priced by the node's profile.
            let prof = scn.profile(&profile).unwrap_or_else(Profile::free);
            let energy_crypto_j = prof.crypto_energy_uj(&r.crypto, r.inputs) * 1e-6;
            let energy_radio_j = prof.radio_energy_uj(r.tx_bytes, r.rx_bytes) * 1e-6;
            nodes.push(NodeRow {
                name,
                profile,
                servers: servers.get(i).copied().unwrap_or(0),
                inputs: r.inputs,
                timer_expiries: r.timer_expiries,
                busy_ns: r.busy_ns,
                wait_ns_total: r.wait_ns_total,
                wait_ns_max: r.wait_ns_max,
                crypto: r.crypto,
                endpoints: r.endpoints,
                tx_bytes: r.tx_bytes,
                rx_bytes: r.rx_bytes,
                energy_crypto_j,
                energy_radio_j,
                ignored: r.ignored,
                counted: r.counted,
            });
        }
        sort_rows(&mut auth);
        trace.sort_by_key(|t| (t.0, t.1));
        Self {
            scenario: scn.name.clone(),
            protocol: scn.protocol.name().to_string(),
            seed,
            devices: scn.population.devices,
            end_time,
            messages: messages
                .into_iter()
                .map(|((interface, kind), counters)| MessageRow {
                    interface,
                    kind,
                    counters,
                })
                .collect(),
            nodes,
            auth,
            trace: trace.into_iter().map(|(_, _, l)| l).collect(),
            storm: scn.outputs.storm,
            metering: match &scn.protocol {
                crate::protocols::ProtocolSpec::AggregateSignatures(p) => Some(p.metering()),
                _ => None,
            },
            wasted,
            rach: None,
        }
    }

    /// The split by attempt outcome, when the nodes attributed (storm runs).
    fn wasted(
        scn: &Scenario,
        names: &[(String, String)],
        reports: &mut [NodeReport],
    ) -> Option<crate::wasted::Wasted> {
        let protocol = scn.protocol.name();
        let taken: Vec<(bool, Box<crate::node::Attribution>)> = reports
            .iter_mut()
            .enumerate()
            .filter_map(|(i, r)| {
                let name = names.get(i).map_or("", |n| n.0.as_str());
                let serving = crate::protocols::role_of(protocol, name) == Some("serving");
                r.attribution.take().map(|a| (serving, a))
            })
            .collect();
        if taken.is_empty() {
            return None;
        }
        let nodes: Vec<(bool, &crate::node::Attribution)> =
            taken.iter().map(|(s, a)| (*s, &**a)).collect();
        Some(crate::wasted::Wasted::from_nodes(&nodes))
    }

    /// Totals per interface.
    pub fn interface_totals(&self) -> BTreeMap<Interface, MessageCounters> {
        let mut t: BTreeMap<Interface, MessageCounters> = BTreeMap::new();
        for m in &self.messages {
            t.entry(m.interface).or_default().merge(&m.counters);
        }
        t
    }

    /// Latencies (ns) of `outcome` verdicts reported by nodes named `reporter_node`.
    pub fn latencies(&self, reporter_node: &str, outcome: &str) -> Vec<Nanos> {
        let mut v: Vec<Nanos> = self
            .auth
            .iter()
            .filter(|a| &*a.reporter_node == reporter_node && a.outcome == outcome)
            .filter_map(|a| a.latency)
            .collect();
        v.sort_unstable();
        v
    }

    /// Outcome counts per (reporter node, outcome, reason).
    pub fn outcome_counts(&self) -> BTreeMap<(String, &'static str, &'static str), u64> {
        // A handful of distinct keys over up to 10^6 rows: counted by the
        // strings' addresses (shared names, static labels), then merged by
        // content, so equal strings at different addresses still add up.
        type Id = (usize, usize);
        type Key<'a> = (&'a str, &'static str, &'static str);
        let id = |s: &str| (s.as_ptr() as usize, s.len());
        let mut by_address: FxHashMap<(Id, Id, Id), (Key, u64)> = FxHashMap::default();
        for a in &self.auth {
            let key = (id(&a.reporter_node), id(a.outcome), id(a.reason));
            by_address
                .entry(key)
                .or_insert(((&*a.reporter_node, a.outcome, a.reason), 0))
                .1 += 1;
        }
        let mut m = BTreeMap::new();
        for ((node, outcome, reason), n) in by_address.into_values() {
            *m.entry((node.to_string(), outcome, reason)).or_insert(0) += n;
        }
        m
    }

    /// `messages.csv`, one [`MessagesCsvRow`] per interface and message.
    pub fn messages_csv(&self) -> String {
        crate::csv_table::serde_csv(self.messages.iter().map(|m| {
            let c = &m.counters;
            MessagesCsvRow {
                interface: m.interface.to_string(),
                message: m.kind,
                transmissions: c.transmissions,
                deliveries: c.deliveries,
                lost: c.lost,
                bytes: c.bytes,
                overhead_bytes: c.overhead_bytes,
            }
        }))
    }

    /// The name of the node at `index` (empty if there is none).
    fn node_name(&self, index: u16) -> &str {
        self.nodes
            .get(index as usize)
            .map_or("", |n| n.name.as_str())
    }

    /// `auth.csv`, one [`AuthCsvRow`] per verdict (millions in a storm: the
    /// text fields are formatted into buffers reused from row to row).
    pub fn auth_csv(&self) -> String {
        let mut w = RowWriter::<AuthCsvRow>::with_capacity(self.auth.len() * 64);
        let (mut time, mut reporter, mut subject, mut latency) =
            (String::new(), String::new(), String::new(), String::new());
        for a in &self.auth {
            for b in [&mut time, &mut reporter, &mut subject, &mut latency] {
                b.clear();
            }
            write_secs(&mut time, a.time);
            write_endpoint(&mut reporter, self.node_name(a.reporter.node), a.reporter);
            write_endpoint(&mut subject, self.node_name(a.subject.node), a.subject);
            if let Some(l) = a.latency {
                write_secs(&mut latency, l);
            }
            w.row(AuthCsvRow {
                time_s: &time,
                reporter_node: &a.reporter_node,
                reporter: &reporter,
                subject: &subject,
                outcome: a.outcome,
                reason: a.reason,
                latency_s: &latency,
            });
        }
        w.into_text()
    }

    /// `nodes.csv`, one row per node: a [`NodeHead`], one crypto count per primitive
    /// (columns named by `Prim::name`, so a [`Split`] row), a [`NodeTail`].
    pub fn nodes_csv(&self) -> String {
        let mut w = Split::<NodeHead, NodeTail>::new(Prim::ALL.iter().map(|p| p.name()));
        for n in &self.nodes {
            let util = if n.servers > 0 && self.end_time > 0 {
                format!(
                    "{:.6}",
                    n.busy_ns as f64 / (n.servers as f64 * self.end_time as f64)
                )
            } else {
                String::new()
            };
            let wait_mean = if n.servers > 0 && n.inputs > 0 {
                format!("{:.9}", n.wait_ns_total as f64 / n.inputs as f64 / 1e9)
            } else {
                String::new()
            };
            let head = NodeHead {
                node: &n.name,
                profile: &n.profile,
                servers: n.servers,
                inputs: n.inputs,
                timer_expiries: n.timer_expiries,
                busy_s: secs128(n.busy_ns),
                utilization: util,
                wait_mean_s: wait_mean,
                wait_max_s: secs(n.wait_ns_max),
            };
            let crypto: Vec<u64> = Prim::ALL.iter().map(|&p| n.crypto.get(p)).collect();
            let tail = NodeTail {
                endpoints: n.endpoints,
                tx_bytes: n.tx_bytes,
                rx_bytes: n.rx_bytes,
                energy_crypto_j: n.energy_crypto_j.to_string(),
                energy_radio_j: n.energy_radio_j.to_string(),
                energy_total_j: n.energy_total_j().to_string(),
                energy_per_endpoint_j: n
                    .energy_per_endpoint_j()
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                ignored_inputs: n.ignored_inputs(),
            };
            w.row(&head, &crypto, &tail);
        }
        w.into_text()
    }

    /// A short JSON summary: totals, outcomes and latency percentiles.
    pub fn summary_json(&self) -> serde_json::Value {
        use serde_json::json;
        let totals: serde_json::Map<String, serde_json::Value> = self
            .interface_totals()
            .into_iter()
            .map(|(i, c)| {
                (
                    i.name().to_string(),
                    json!({"transmissions": c.transmissions, "deliveries": c.deliveries, "lost": c.lost, "bytes": c.bytes, "overhead_bytes": c.overhead_bytes}),
                )
            })
            .collect();
        let counts = self.outcome_counts();
        let mut outcomes = Vec::new();
        for ((node, outcome, reason), n) in &counts {
            outcomes.push(
                json!({"reporter_node": node, "outcome": outcome, "reason": reason, "count": n}),
            );
        }
        let mut latency = serde_json::Map::new();
        let reporters: std::collections::BTreeSet<&str> =
            counts.keys().map(|(node, _, _)| node.as_str()).collect();
        for r in reporters {
            let l = self.latencies(r, "authenticated");
            if l.is_empty() {
                continue;
            }
            let mean = l.iter().map(|&x| x as f64).sum::<f64>() / l.len() as f64;
            latency.insert(
                r.to_string(),
                json!({
                    "count": l.len(),
                    "mean_s": round9(mean / 1e9),
                    "p50_s": secs_f(percentile(&l, 0.50)),
                    "p95_s": secs_f(percentile(&l, 0.95)),
                    "p99_s": secs_f(percentile(&l, 0.99)),
                    "max_s": secs_f(*l.last().unwrap_or(&0)),
                }),
            );
        }
        let mut energy = serde_json::Map::new();
        for n in &self.nodes {
            energy.insert(
                n.name.clone(),
                json!({
                    "endpoints": n.endpoints,
                    "tx_bytes": n.tx_bytes,
                    "rx_bytes": n.rx_bytes,
                    "crypto_j": n.energy_crypto_j,
                    "radio_j": n.energy_radio_j,
                    "total_j": n.energy_total_j(),
                    "per_endpoint_j": n.energy_per_endpoint_j(),
                }),
            );
        }
        // Every node, so that a benign run shows its zeros.
        let ignored: serde_json::Map<String, serde_json::Value> = self
            .nodes
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    json!({"total": n.ignored_inputs(), "by_label": n.ignored}),
                )
            })
            .collect();
        let mut summary = json!({
            "scenario": self.scenario,
            "protocol": self.protocol,
            "seed": self.seed,
            "devices": self.devices,
            "end_time_s": secs_f(self.end_time),
            "interfaces": totals,
            "outcomes": outcomes,
            "authenticated_latency": latency,
            "energy": energy,
            "ignored_inputs": ignored,
        });
        // Only runs whose endpoints counted events (access barring) have
        // the key, so that every other summary keeps its bytes.
        let counted: serde_json::Map<String, serde_json::Value> = self
            .nodes
            .iter()
            .filter(|n| !n.counted.is_empty())
            .map(|n| (n.name.clone(), json!(n.counted)))
            .collect();
        if !counted.is_empty() {
            summary["counted_events"] = serde_json::Value::Object(counted);
        }
        // Likewise only runs that model the random access have `rach`.
        if let Some(r) = &self.rach {
            summary["rach"] = crate::rach_report::summary(r);
        }
        summary
    }
}

/// Sorts rows by (time, reporter, subject, outcome), stably, without the
/// half-size scratch copy a stable sort of the rows themselves would need
/// (88 MB for 2*10^6 rows): a stable sort of row indices, then the
/// permutation applied in place.
fn sort_rows(rows: &mut [AuthRow]) {
    let key = |a: &AuthRow| (a.time, a.reporter, a.subject, a.outcome);
    if rows.is_sorted_by(|a, b| key(a) <= key(b)) {
        return;
    }
    let mut perm: Vec<u32> = (0..rows.len() as u32).collect();
    perm.sort_by(|&a, &b| key(&rows[a as usize]).cmp(&key(&rows[b as usize])));
    // Row j must end up holding the row now at perm[j]: follow each cycle,
    // carrying the cycle's first row along with swaps.
    const DONE: u32 = u32::MAX;
    for start in 0..perm.len() {
        let mut j = start;
        while perm[j] != DONE {
            let src = perm[j] as usize;
            perm[j] = DONE;
            if src == start {
                break;
            }
            rows.swap(j, src);
            j = src;
        }
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Nanos], q: f64) -> Nanos {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// A row of `messages.csv`: its field names are the header.
#[derive(serde::Serialize, Default)]
struct MessagesCsvRow {
    interface: String,
    message: &'static str,
    transmissions: u64,
    deliveries: u64,
    lost: u64,
    bytes: u64,
    overhead_bytes: u64,
}

/// The columns of a `nodes.csv` row before the crypto counts. Times and ratios are
/// text with a fixed number of decimals; empty where undefined (no servers, no input).
#[derive(serde::Serialize, Default)]
struct NodeHead<'a> {
    node: &'a str,
    profile: &'a str,
    servers: u32,
    inputs: u64,
    timer_expiries: u64,
    busy_s: String,
    utilization: String,
    wait_mean_s: String,
    wait_max_s: String,
}

/// The columns of a `nodes.csv` row after the crypto counts. Energies are text in
/// Rust's shortest round-trip form (`Display`), empty per endpoint for a lone node.
#[derive(serde::Serialize, Default)]
struct NodeTail {
    endpoints: u32,
    tx_bytes: u64,
    rx_bytes: u64,
    energy_crypto_j: String,
    energy_radio_j: String,
    energy_total_j: String,
    energy_per_endpoint_j: String,
    ignored_inputs: u64,
}

/// A row of `auth.csv`: its field names are the header. Times are text
/// (`secs`), exact to the nanosecond, not floats.
#[derive(serde::Serialize, Default)]
struct AuthCsvRow<'a> {
    time_s: &'a str,
    reporter_node: &'a str,
    reporter: &'a str,
    subject: &'a str,
    outcome: &'a str,
    reason: &'a str,
    latency_s: &'a str,
}

fn write_secs(s: &mut String, ns: Nanos) {
    let _ = write!(s, "{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
}

fn secs(ns: Nanos) -> String {
    format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000)
}

fn secs128(ns: u128) -> String {
    format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000)
}

fn secs_f(ns: Nanos) -> f64 {
    ns as f64 / 1e9
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Writes an endpoint id for CSV: `NODE:INDEX` (`ue:10`, `mme:0`), the
/// node's name and the endpoint's index within it. Unlike the address form
/// `0.10`, no CSV reader (pandas, R, Excel) takes it for a number, so
/// distinct endpoints stay distinct values (docs/outputs.md).
pub fn write_endpoint(out: &mut String, node: &str, a: Addr) {
    let _ = write!(out, "{node}:{}", a.index);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19 (a mutant of `secs_f` survived): summary.json's seconds are
    /// the nanoseconds divided by 10^9.
    #[test]
    fn seconds_are_nanoseconds_over_a_billion() {
        assert_eq!(secs_f(1_500_000_000), 1.5);
        assert_eq!(secs_f(250_000_000), 0.25);
        assert_eq!(secs128(1_500_000_000), "1.500000000");
        assert_eq!(round9(0.123_456_789_4), 0.123_456_789);
        assert_eq!(round9(2.5), 2.5);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<Nanos> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50);
        assert_eq!(percentile(&v, 0.95), 95);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
        assert_eq!(secs(1_500_000_001), "1.500000001");
    }

    #[test]
    fn rows_sort_stably_in_place() {
        let row = |time: Nanos, subject: u32, reason: &'static str| AuthRow {
            time,
            reporter_node: "n".into(),
            reporter: Addr::new(1, 0),
            subject: Addr::new(0, subject),
            outcome: "rejected",
            reason,
            latency: None,
        };
        let mut rows: Vec<AuthRow> = (0..500u32)
            .map(|i| {
                let r = ["a", "b", "c"][(i % 3) as usize];
                row(((i as u64) * 7919) % 37, i % 5, r)
            })
            .collect();
        let mut expected = rows.clone();
        expected.sort_by(|a, b| {
            (a.time, a.reporter, a.subject, a.outcome)
                .cmp(&(b.time, b.reporter, b.subject, b.outcome))
        });
        sort_rows(&mut rows);
        assert_eq!(rows, expected);
        sort_rows(&mut rows);
        assert_eq!(rows, expected);
    }
}
