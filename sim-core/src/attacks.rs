//! `[[attacks]]`: an adversary node per entry, placed on the radio side of
//! its target, injecting at a fixed rate between two times; and what an
//! attack costs, measured against the same run without adversary.
//!
//! The adversary endpoint is `authsim_protocols::adversary::injector`; the
//! classes, what each exercises and how the numbers are read: docs/threats.md.

use authsim_protocols::adversary::injector::{Dialect, Injector, Move};
use authsim_protocols::core::{Addr, Nanos};
use serde::Deserialize;

use crate::build::{BuildError, derive_seed};
use crate::link::LinkState;
use crate::node::{NodeSetup, Service};
use crate::profile::Profile;
use crate::report::RunResult;
use crate::spec::{FieldError, LinkConfig, PopulationSpec, link_between, seconds};

/// One `[[attacks]]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttackSpec {
    pub class: AttackClass,
    /// The node attacked: the serving node (`mme`, `vlr`) for floods and
    /// impersonation, the device node (`ue`, `ms`) for a false base station.
    pub target: String,
    #[serde(default)]
    pub start_s: f64,
    pub stop_s: f64,
    /// Injections per second (one every 1/rate s from `start_s`).
    pub rate_per_s: f64,
    /// Radio identities (sources) the adversary takes turns with: a serving
    /// node keeps one procedure per source, so a flood from one source
    /// mostly meets its own pending procedure.
    #[serde(default = "crate::spec::one")]
    pub sources: u32,
}

/// The attack classes built so far (issue 10 lists more; docs/threats.md).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AttackClass {
    /// Signalling DoS: attach requests with random unknown IMSIs.
    AttachFlood,
    /// Forgery: a device without the key attaching under a subscriber's IMSI.
    Impersonation,
    /// Forgery: a fake serving network challenging devices.
    FalseBaseStation,
}

impl AttackClass {
    pub fn name(self) -> &'static str {
        match self {
            AttackClass::AttachFlood => "attach_flood",
            AttackClass::Impersonation => "impersonation",
            AttackClass::FalseBaseStation => "false_base_station",
        }
    }
}

/// Protocols the adversary can speak, with their (device, serving) nodes.
const SUPPORTED: &[(&str, Dialect, &str, &str)] = &[
    ("eps-aka", Dialect::Eps, "ue", "mme"),
    ("umts-aka", Dialect::Umts, "ms", "vlr"),
];

/// The most injections one entry may make (keeps a typo from running forever).
const MAX_INJECTIONS: f64 = 1e7;

fn dialect(protocol: &str) -> Option<(Dialect, &'static str, &'static str)> {
    SUPPORTED
        .iter()
        .find(|s| s.0 == protocol)
        .map(|s| (s.1, s.2, s.3))
}

/// Checks every entry; errors name `attacks[i].field`.
pub fn validate(attacks: &[AttackSpec], protocol: &str) -> Result<(), FieldError> {
    for (i, a) in attacks.iter().enumerate() {
        let f = |field: &str| format!("attacks[{i}].{field}");
        let Some((_, device, serving)) = dialect(protocol) else {
            let names: Vec<&str> = SUPPORTED.iter().map(|s| s.0).collect();
            return Err(FieldError::new(
                f("class"),
                format!(
                    "protocol `{protocol}` has no adversary yet; supported by: {}",
                    names.join(", ")
                ),
            ));
        };
        let want = match a.class {
            AttackClass::AttachFlood | AttackClass::Impersonation => serving,
            AttackClass::FalseBaseStation => device,
        };
        if a.target != want {
            return Err(FieldError::new(
                f("target"),
                format!(
                    "class `{}` of protocol `{protocol}` attacks node `{want}`, not `{}`",
                    a.class.name(),
                    a.target
                ),
            ));
        }
        if !(a.start_s.is_finite() && a.start_s >= 0.0) {
            return Err(FieldError::new(
                f("start_s"),
                format!("must be >= 0, got {}", a.start_s),
            ));
        }
        if !(a.stop_s.is_finite() && a.stop_s > a.start_s) {
            return Err(FieldError::new(
                f("stop_s"),
                format!("must be after start_s ({}), got {}", a.start_s, a.stop_s),
            ));
        }
        if !(a.rate_per_s.is_finite() && a.rate_per_s > 0.0) {
            return Err(FieldError::new(
                f("rate_per_s"),
                format!("must be a positive number, got {}", a.rate_per_s),
            ));
        }
        if a.sources == 0 || a.sources > 100_000 {
            return Err(FieldError::new(
                f("sources"),
                format!("must be 1..=100000, got {}", a.sources),
            ));
        }
        if seconds(1.0 / a.rate_per_s) == 0 {
            return Err(FieldError::new(
                f("rate_per_s"),
                "is above 10^9 per second (the clock's nanosecond)",
            ));
        }
        if (a.stop_s - a.start_s) * a.rate_per_s > MAX_INJECTIONS {
            return Err(FieldError::new(
                f("rate_per_s"),
                format!("(stop_s - start_s) × rate_per_s exceeds {MAX_INJECTIONS:e} injections"),
            ));
        }
    }
    Ok(())
}

/// The adversary nodes' names, in node order after the protocol's nodes.
pub fn node_name(i: usize) -> String {
    format!("adversary{i}")
}

/// Appends one adversary node per entry to `setups` (already validated):
/// it reaches its target over the target's radio link, and the target
/// reaches it back (every other node has no link to it).
pub fn place(
    setups: &mut Vec<NodeSetup>,
    attacks: &[AttackSpec],
    protocol: &str,
    population: &PopulationSpec,
    links: &[LinkConfig],
    seed: u64,
) -> Result<(), BuildError> {
    let Some((dialect, device, serving)) = dialect(protocol) else {
        return Ok(());
    };
    let first = setups.len();
    let total = first + attacks.len();
    for s in setups.iter_mut() {
        s.links.resize_with(total, || None);
    }
    let id_of = |setups: &[NodeSetup], name: &str| {
        setups
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| BuildError::NoNode(name.into()))
    };
    let radio =
        link_between(links, device, serving).ok_or_else(|| BuildError::NoNode(device.into()))?;
    let link = |from: &str, to: &str| {
        LinkState::new(radio.clone()).map_err(|source| BuildError::Link {
            from: from.into(),
            to: to.into(),
            source,
        })
    };
    for (i, a) in attacks.iter().enumerate() {
        let name = node_name(i);
        let target = id_of(setups, &a.target)?;
        let me = (first + i) as u16;
        setups[target].links[me as usize] = Some(link(&a.target, &name)?);
        let mut own_links: Vec<Option<LinkState>> = (0..total).map(|_| None).collect();
        own_links[target] = Some(link(&name, &a.target)?);
        let mv = match a.class {
            AttackClass::AttachFlood => Move::FloodRandomIdentities {
                known: population.devices,
            },
            AttackClass::Impersonation => Move::ImpersonateDevice {
                victims: population.devices,
            },
            AttackClass::FalseBaseStation => Move::FakeNetworkChallenge {
                devices: population.devices,
            },
        };
        // Source k injects at start + k/rate, then every sources/rate.
        let step = seconds(1.0 / a.rate_per_s);
        let (start, stop) = (seconds(a.start_s), seconds(a.stop_s));
        let mut injectors = Vec::new();
        let mut arrivals = Vec::new();
        for k in 0..a.sources {
            let first: Nanos = start + k as Nanos * step;
            if first >= stop {
                break;
            }
            injectors.push(Injector::new(
                dialect,
                mv,
                Addr::new(target as u16, 0),
                "00101".into(),
                first,
                stop,
                step * a.sources as Nanos,
                (k as u64, a.sources as u64),
            ));
            arrivals.push((first, k));
        }
        setups.push(NodeSetup {
            id: me,
            name: name.clone(),
            host: Box::new(injectors),
            profile: Profile::builtin("free").expect("built-in profile"),
            service: Service::PerEndpoint,
            links: own_links,
            arrivals,
            endpoint_seed: derive_seed(seed, &format!("endpoints/{name}")),
            network_seed: derive_seed(seed, &format!("network/{name}")),
            trace: None,
        });
    }
    Ok(())
}

/// What one attack run cost and what it achieved, against the same scenario
/// and seed without adversary (one row of attacks.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct AttackRow {
    pub classes: String,
    pub injected: u64,
    /// Inputs, bytes sent and crypto operations of the protocol's nodes,
    /// attack run minus baseline.
    pub extra_inputs: i64,
    pub extra_tx_bytes: i64,
    pub extra_crypto_ops: i64,
    /// Rejected and attack-detected verdicts, attack run minus baseline.
    pub extra_rejections: i64,
    /// Inputs the protocol's nodes ignored (nodes.csv `ignored_inputs`),
    /// attack run minus baseline: injections not acted on.
    pub extra_ignored: i64,
    /// Authenticated verdicts caused by adversary input (see [`measure`]).
    pub false_acceptances: u64,
    /// Attack-detected verdicts in the baseline run (no adversary).
    pub false_alarms: u64,
    /// Honest authenticated verdicts at the serving node (not relayed).
    pub honest_authenticated: u64,
    pub honest_authenticated_baseline: u64,
    /// Median honest attach latency at the serving node, ms.
    pub honest_p50_ms: Option<f64>,
    pub honest_p50_ms_baseline: Option<f64>,
}

/// Compares an attack run with its baseline. The protocol's nodes are the
/// baseline's nodes; the adversary nodes are the rest. A false acceptance
/// is an authenticated verdict whose final message came from another
/// address than the identity it names (the adversary's; honest devices
/// never relay), or any authenticated verdict a node gives beyond its
/// baseline count (honest devices authenticate once each).
pub fn measure(attack: &RunResult, baseline: &RunResult, classes: &str) -> AttackRow {
    let protocol_nodes = baseline.nodes.len();
    let (own, adversary) = attack
        .nodes
        .split_at(protocol_nodes.min(attack.nodes.len()));
    let sum = |rows: &[crate::report::NodeRow], f: &dyn Fn(&crate::report::NodeRow) -> u64| {
        rows.iter().map(f).sum::<u64>() as i64
    };
    let crypto = |r: &crate::report::NodeRow| r.crypto.0.iter().sum::<u64>();
    let count = |r: &RunResult, pred: &dyn Fn(&crate::report::AuthRow) -> bool| {
        r.auth.iter().filter(|a| pred(a)).count() as u64
    };
    let rejection = |a: &crate::report::AuthRow| {
        matches!(a.outcome, "rejected" | "attack_detected") && !a.reporter_node.is_empty()
    };
    let relayed =
        |a: &crate::report::AuthRow| a.outcome == "authenticated" && a.reason == "relayed";
    let mut excess = 0u64;
    for n in &baseline.nodes {
        let of = |r: &RunResult| {
            count(r, &|a| {
                a.outcome == "authenticated" && a.reason != "relayed" && *a.reporter_node == *n.name
            })
        };
        excess += of(attack).saturating_sub(of(baseline));
    }
    let serving = baseline
        .nodes
        .get(1)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    let honest = |r: &RunResult| {
        count(r, &|a| {
            a.outcome == "authenticated" && a.reason != "relayed" && *a.reporter_node == *serving
        })
    };
    let p50 = |r: &RunResult| {
        let mut l = r.latencies(&serving, "authenticated");
        l.sort_unstable();
        (!l.is_empty()).then(|| crate::report::percentile(&l, 0.5) as f64 / 1e6)
    };
    AttackRow {
        classes: classes.to_string(),
        injected: adversary.iter().map(|n| n.timer_expiries).sum(),
        extra_inputs: sum(own, &|r| r.inputs) - sum(&baseline.nodes, &|r| r.inputs),
        extra_tx_bytes: sum(own, &|r| r.tx_bytes) - sum(&baseline.nodes, &|r| r.tx_bytes),
        extra_crypto_ops: sum(own, &crypto) - sum(&baseline.nodes, &crypto),
        extra_rejections: count(attack, &rejection) as i64 - count(baseline, &rejection) as i64,
        extra_ignored: sum(own, &|r| r.ignored_inputs())
            - sum(&baseline.nodes, &|r| r.ignored_inputs()),
        false_acceptances: count(attack, &relayed) + excess,
        false_alarms: count(baseline, &|a| a.outcome == "attack_detected"),
        honest_authenticated: honest(attack),
        honest_authenticated_baseline: honest(baseline),
        honest_p50_ms: p50(attack),
        honest_p50_ms_baseline: p50(baseline),
    }
}

/// One row of attacks.csv; the header is these field names (docs/outputs.md).
/// Ratios and latencies are formatted here, so their text does not depend on
/// how the csv crate prints a float; an undefined one is empty.
#[derive(serde::Serialize, Default)]
struct AttacksCsvRow<'a> {
    scenario: &'a str,
    seed: u64,
    classes: &'a str,
    injected: u64,
    extra_inputs: i64,
    extra_tx_bytes: i64,
    extra_crypto_ops: i64,
    inputs_per_injection: String,
    bytes_per_injection: String,
    crypto_per_injection: String,
    extra_rejections: i64,
    extra_ignored: i64,
    false_acceptances: u64,
    false_alarms: u64,
    honest_authenticated: u64,
    honest_authenticated_baseline: u64,
    honest_p50_ms: String,
    honest_p50_ms_baseline: String,
}

impl AttackRow {
    /// attacks.csv: the header and this run's row, through the csv crate.
    pub fn csv_text(&self, scenario: &str, seed: u64) -> String {
        let per = |v: i64| {
            if self.injected == 0 {
                String::new()
            } else {
                format!("{:.3}", v as f64 / self.injected as f64)
            }
        };
        let ms = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
        crate::csv_table::serde_csv([AttacksCsvRow {
            scenario,
            seed,
            classes: &self.classes,
            injected: self.injected,
            extra_inputs: self.extra_inputs,
            extra_tx_bytes: self.extra_tx_bytes,
            extra_crypto_ops: self.extra_crypto_ops,
            inputs_per_injection: per(self.extra_inputs),
            bytes_per_injection: per(self.extra_tx_bytes),
            crypto_per_injection: per(self.extra_crypto_ops),
            extra_rejections: self.extra_rejections,
            extra_ignored: self.extra_ignored,
            false_acceptances: self.false_acceptances,
            false_alarms: self.false_alarms,
            honest_authenticated: self.honest_authenticated,
            honest_authenticated_baseline: self.honest_authenticated_baseline,
            honest_p50_ms: ms(self.honest_p50_ms),
            honest_p50_ms_baseline: ms(self.honest_p50_ms_baseline),
        }])
    }
}
