//! `[attack_matrix]`: a sweep over protocol × attack class (× rate, field,
//! PDU) where every cell is an attacked run measured against its same-seed
//! baseline with [`crate::attacks::measure_scenario`] (the attacks.csv
//! measurement), one summary row per cell.
//!
//! The ordinary sweep (crate::sweep) has no per-run baseline, hence this
//! module. Its rows are the protocols with an adversary
//! ([`crate::attacks::supported_protocols`]), so a protocol that gains one
//! joins the matrix without a change here. The network of every cell is
//! the protocol's registered nodes and links (crate::protocols), the device
//! node on the `radio` link template, the others on `core`.
//! docs/threats.md says how the columns are read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::attacks::{AttackClass, AttackRow, AttackSpec, FieldSpec, PduSpec};
use crate::report::{RunResult, percentile};
use crate::scenario::{Scenario, ScenarioError, locate, toml_error};
use crate::spec::{LatencySpec, LinkConfig};

/// An attack-matrix file: `name`, `description` and `[attack_matrix]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub attack_matrix: MatrixSpec,
}

/// `[attack_matrix]`: the network every cell runs on and the classes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    pub seed: u64,
    /// The rows; absent: every protocol with an adversary.
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
    pub devices: u32,
    /// Devices attach uniformly over this window, seconds.
    pub window_s: f64,
    #[serde(default = "device_profile")]
    pub device_profile: String,
    #[serde(default = "network_profile")]
    pub network_profile: String,
    /// FIFO servers of every network (non-device) node.
    #[serde(default = "crate::spec::one")]
    pub servers: u32,
    /// The device–serving link.
    pub radio: LinkTemplate,
    /// Every other link the protocol needs.
    pub core: LinkTemplate,
    pub classes: Vec<ClassSpec>,
    /// `[attack_matrix.protocol_params.<protocol>]`: the `[protocol]`
    /// parameters a row needs (group AKA's `group_size`).
    #[serde(default)]
    pub protocol_params: BTreeMap<String, toml::Table>,
}

fn device_profile() -> String {
    "constrained-device".into()
}

fn network_profile() -> String {
    "server".into()
}

/// A `[[links]]` entry without `between` (the protocol's node pairs fill it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkTemplate {
    pub latency: LatencySpec,
    pub bandwidth_mbps: Option<f64>,
    #[serde(default)]
    pub loss: f64,
    #[serde(default)]
    pub header_bytes: u32,
}

/// `[[attack_matrix.classes]]`: one class, a cell per rate × field × PDU.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    pub class: AttackClass,
    #[serde(default)]
    pub start_s: f64,
    pub stop_s: f64,
    /// Injection rates, one cell each (classes that inject at a rate).
    #[serde(default)]
    pub rates: Vec<f64>,
    #[serde(default = "crate::spec::one")]
    pub sources: u32,
    /// `modification`: the fields altered, one cell each.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// `replay`: the PDUs re-sent, one cell each.
    #[serde(default)]
    pub pdus: Vec<PduSpec>,
    #[serde(default)]
    pub delay_ms: Option<f64>,
    /// `fake_home_answer`: what the forged answers carry, one cell each.
    #[serde(default)]
    pub vectors: Vec<crate::home_attacks::VectorsSpec>,
    /// Protocols this entry leaves out (a field or PDU their dialect lacks,
    /// such as the NAS MAC in UMTS MM): written, so no cell vanishes silently.
    #[serde(default)]
    pub except: Vec<String>,
    /// The protocols this entry is for (absent: all); a class of one
    /// protocol's own (group AKA's) names it here.
    #[serde(default)]
    pub only: Option<Vec<String>>,
}

/// One cell: a protocol and one attack entry.
#[derive(Debug, Clone)]
pub struct Cell {
    pub protocol: String,
    /// `attack_matrix.classes[i]` the cell came from.
    pub entry: usize,
    pub attack: AttackSpec,
}

impl Cell {
    /// The column label of the detection matrix: class, then field or PDU.
    pub fn label(&self) -> String {
        let a = &self.attack;
        match (a.field, a.pdu, a.vectors) {
            (Some(f), _, _) => format!("{}:{}", a.class.name(), field_name(f)),
            (_, Some(p), _) => format!("{}:{}", a.class.name(), pdu_name(p)),
            (_, _, Some(v)) => format!("{}:{}", a.class.name(), v.name()),
            _ => a.class.name().to_string(),
        }
    }
}

fn field_name(f: FieldSpec) -> &'static str {
    match f {
        FieldSpec::Rand => "rand",
        FieldSpec::Autn => "autn",
        FieldSpec::Res => "res",
        FieldSpec::Mac => "mac",
        FieldSpec::RandG => "rand_g",
    }
}

fn pdu_name(p: PduSpec) -> &'static str {
    match p {
        PduSpec::AttachRequest => "attach_request",
        PduSpec::AuthenticationResponse => "authentication_response",
        PduSpec::SecurityModeComplete => "security_mode_complete",
        PduSpec::AuthenticationRequest => "authentication_request",
    }
}

/// A loaded matrix: its baseline scenario per protocol and its cells.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub file: MatrixFile,
    pub path: PathBuf,
    /// Protocol → the honest scenario every cell of that row adds to.
    pub baselines: BTreeMap<String, Scenario>,
    pub cells: Vec<Cell>,
}

/// Whether TOML text is an attack-matrix file (it has `[attack_matrix]`).
pub fn is_matrix_text(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("attack_matrix"))
}

impl Matrix {
    /// Reads and checks a matrix file: every cell's scenario validated.
    pub fn load(path: &Path) -> Result<Matrix, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: path.into(),
            line: None,
            field: None,
            message: format!("cannot read: {e}"),
        })?;
        Matrix::parse(&text, path)
    }

    /// Parses matrix text (the path names the file in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Matrix, ScenarioError> {
        let file: MatrixFile = toml::from_str(text).map_err(|e| toml_error(text, path, &e))?;
        let err = |field: String, message: String| ScenarioError {
            file: path.into(),
            line: locate(text, &field),
            field: Some(field),
            message,
        };
        let m = &file.attack_matrix;
        let supported: Vec<&str> = crate::attacks::supported_protocols().collect();
        let protocols: Vec<String> = match &m.protocols {
            None => supported.iter().map(|s| s.to_string()).collect(),
            Some(list) => list.clone(),
        };
        for (i, p) in protocols.iter().enumerate() {
            if !supported.contains(&p.as_str()) {
                return Err(err(
                    format!("attack_matrix.protocols[{i}]"),
                    format!(
                        "protocol `{p}` has no adversary; supported by: {}",
                        supported.join(", ")
                    ),
                ));
            }
        }
        if protocols.is_empty() {
            return Err(err(
                "attack_matrix.protocols".into(),
                "names no protocol".into(),
            ));
        }
        if let Some(p) = m.protocol_params.keys().find(|p| !protocols.contains(p)) {
            return Err(err(
                format!("attack_matrix.protocol_params.{p}"),
                "is not a row of the matrix".into(),
            ));
        }
        if m.classes.is_empty() {
            return Err(err("attack_matrix.classes".into(), "names no class".into()));
        }
        let mut baselines = BTreeMap::new();
        for p in &protocols {
            let scn = baseline(&file, p, path).map_err(|(field, message)| err(field, message))?;
            baselines.insert(p.clone(), scn);
        }
        let mut cells = Vec::new();
        for p in &protocols {
            for (i, c) in m.classes.iter().enumerate() {
                let at = |f: &str| format!("attack_matrix.classes[{i}].{f}");
                if let Some(k) = c
                    .except
                    .iter()
                    .position(|e| !supported.contains(&e.as_str()))
                {
                    return Err(err(
                        at(&format!("except[{k}]")),
                        format!("protocol `{}` has no adversary", c.except[k]),
                    ));
                }
                if let Some(k) = c
                    .only
                    .iter()
                    .flatten()
                    .position(|e| !supported.contains(&e.as_str()))
                {
                    return Err(err(
                        at(&format!("only[{k}]")),
                        "names a protocol without an adversary".into(),
                    ));
                }
                if c.except.contains(p) || c.only.as_ref().is_some_and(|o| !o.contains(p)) {
                    continue;
                }
                for attack in expand(c, p) {
                    let mut scn = baselines[p].clone();
                    scn.attacks = vec![attack.clone()];
                    scn.validate().map_err(|e| {
                        // `attacks[0].rate_per_s` is `rates`, `field` is `fields` here.
                        let name = e.field.trim_start_matches("attacks[0].");
                        let name = match name {
                            "rate_per_s" => "rates",
                            "field" => "fields",
                            "pdu" => "pdus",
                            "vectors" => "vectors",
                            other => other,
                        };
                        err(at(name), format!("protocol `{p}`: {}", e.message))
                    })?;
                    cells.push(Cell {
                        protocol: p.clone(),
                        entry: i,
                        attack,
                    });
                }
            }
        }
        Ok(Matrix {
            file,
            path: path.into(),
            baselines,
            cells,
        })
    }

    /// The scenario of one cell: its protocol's baseline with its attack.
    pub fn scenario(&self, cell: &Cell) -> Scenario {
        let mut scn = self.baselines[&cell.protocol].clone();
        scn.name = format!("{}-{}-{}", self.file.name, cell.protocol, cell.label());
        scn.attacks = vec![cell.attack.clone()];
        scn
    }
}

/// The attack entries of one class entry for `protocol`: one per rate ×
/// field × PDU given (an absent list is one cell without that key).
fn expand(c: &ClassSpec, protocol: &str) -> Vec<AttackSpec> {
    let target = crate::attacks::target_node(protocol, c.class)
        .unwrap_or_default()
        .to_string();
    let opt = |v: &[f64]| -> Vec<Option<f64>> {
        if v.is_empty() {
            vec![None]
        } else {
            v.iter().copied().map(Some).collect()
        }
    };
    let fields: Vec<Option<FieldSpec>> = if c.fields.is_empty() {
        vec![None]
    } else {
        c.fields.iter().copied().map(Some).collect()
    };
    let pdus: Vec<Option<PduSpec>> = if c.pdus.is_empty() {
        vec![None]
    } else {
        c.pdus.iter().copied().map(Some).collect()
    };
    let vectors: Vec<Option<crate::home_attacks::VectorsSpec>> = if c.vectors.is_empty() {
        vec![None]
    } else {
        c.vectors.iter().copied().map(Some).collect()
    };
    let mut out = Vec::new();
    for rate in opt(&c.rates) {
        for &field in &fields {
            for (&pdu, &vectors) in pdus
                .iter()
                .flat_map(|p| vectors.iter().map(move |v| (p, v)))
            {
                out.push(AttackSpec {
                    class: c.class,
                    target: target.clone(),
                    start_s: c.start_s,
                    stop_s: c.stop_s,
                    rate_per_s: rate,
                    sources: c.sources,
                    field,
                    pdu,
                    delay_ms: c.delay_ms,
                    // A 5G flood's SUCI shape: the class's default (profile A).
                    suci: None,
                    imsis: None,
                    vectors,
                });
            }
        }
    }
    out
}

/// The honest scenario of a protocol's row: its registered nodes and links,
/// the matrix's population, profiles and link templates. Errors are (field
/// of the matrix file, message).
fn baseline(file: &MatrixFile, protocol: &str, path: &Path) -> Result<Scenario, (String, String)> {
    let m = &file.attack_matrix;
    let about = crate::protocols::PROTOCOLS
        .iter()
        .find(|a| a.name == protocol)
        .ok_or_else(|| {
            (
                "attack_matrix.protocols".to_string(),
                format!("`{protocol}` is not a registered protocol"),
            )
        })?;
    let device = crate::attacks::device_node(protocol).unwrap_or_default();
    let mut text = format!(
        "name = {name:?}\n[run]\nseed = {seed}\n[protocol]\nname = {protocol:?}\n{params}\
         [population]\ndevices = {devices}\n\
         arrivals = {{ pattern = \"uniform\", window_s = {window} }}\n",
        name = file.name,
        seed = m.seed,
        devices = m.devices,
        window = m.window_s,
        params = m
            .protocol_params
            .get(protocol)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    for node in about.nodes {
        let (profile, servers) = if *node == device {
            (&m.device_profile, 1)
        } else {
            (&m.network_profile, m.servers)
        };
        text += &format!("[nodes.{node}]\nprofile = {profile:?}\nservers = {servers}\n");
    }
    // Links are filled in below from the templates (their types have no
    // TOML writer); one placeholder makes the text a scenario.
    text += "[[links]]\nbetween = [\"a\", \"b\"]\nlatency = { dist = \"fixed\", ms = 1.0 }\n";
    let mut scn: Scenario = toml::from_str(&text).map_err(|e| {
        (
            "attack_matrix".to_string(),
            format!(
                "protocol `{protocol}`: {} (a row's `[protocol]` parameters go in \
                 [attack_matrix.protocol_params.{protocol}])",
                e.message()
            ),
        )
    })?;
    scn.links = about
        .links
        .iter()
        .map(|&(a, b)| {
            let t = if a == device || b == device {
                &m.radio
            } else {
                &m.core
            };
            LinkConfig {
                between: [a.to_string(), b.to_string()],
                latency: t.latency.clone(),
                bandwidth_mbps: t.bandwidth_mbps,
                loss: t.loss,
                header_bytes: t.header_bytes,
            }
        })
        .collect();
    scn.source = path.into();
    scn.validate().map_err(|e| {
        let field = match e.field.strip_prefix("links[") {
            Some(rest) => {
                let k: usize = rest
                    .split(']')
                    .next()
                    .and_then(|k| k.parse().ok())
                    .unwrap_or(0);
                let (a, b) = about.links.get(k).copied().unwrap_or(("", ""));
                let which = if a == device || b == device {
                    "radio"
                } else {
                    "core"
                };
                let tail = rest.split_once('.').map_or("", |(_, t)| t);
                format!("attack_matrix.{which}.{tail}")
                    .trim_end_matches('.')
                    .to_string()
            }
            None => match e.field.as_str() {
                "population.devices" => "attack_matrix.devices".into(),
                "population.arrivals.window_s" => "attack_matrix.window_s".into(),
                f if f.starts_with("nodes.") => format!("attack_matrix ({f})"),
                f => format!("attack_matrix ({f})"),
            },
        };
        (field, format!("protocol `{protocol}`: {}", e.message))
    })?;
    Ok(scn)
}

/// One row of the matrix's attacks.csv: the cell, the attacks.csv
/// measurement of its run, and what the matrix derives from it.
#[derive(Debug, Clone)]
pub struct CellRow {
    pub protocol: String,
    pub label: String,
    pub class: &'static str,
    pub rate_per_s: Option<f64>,
    pub row: AttackRow,
    /// Rejected and attack-detected verdicts beyond the baseline at the
    /// node that gave most of them, and that node.
    pub detected: u64,
    pub detected_at: String,
    pub honest_p95_ms: Option<f64>,
    pub honest_p95_ms_baseline: Option<f64>,
    /// Crypto operations and energy (J) of the device node alone, attack
    /// run minus baseline: what a class that makes devices work (a group
    /// challenge flood) costs them.
    pub device_extra_crypto_ops: i64,
    pub device_extra_energy_j: f64,
}

impl CellRow {
    /// Measures a cell's run against its protocol's baseline run.
    pub fn measure(cell: &Cell, attack: &RunResult, baseline: &RunResult) -> CellRow {
        let row =
            crate::attacks::measure_scenario(attack, baseline, std::slice::from_ref(&cell.attack));
        let (detected_at, detected) = top_detector(&row.detections);
        CellRow {
            protocol: cell.protocol.clone(),
            label: cell.label(),
            class: cell.attack.class.name(),
            rate_per_s: cell.attack.rate_per_s,
            detected,
            detected_at,
            honest_p95_ms: honest_p95(attack, baseline),
            honest_p95_ms_baseline: honest_p95(baseline, baseline),
            device_extra_crypto_ops: device_figure(attack, baseline, |n| {
                n.crypto.0.iter().sum::<u64>() as f64
            }) as i64,
            device_extra_energy_j: device_figure(attack, baseline, |n| n.energy_total_j()),
            row,
        }
    }

    /// Detected verdicts per injection, at most 1 (a node rejecting twice
    /// for one injection still detected it once); None without injections.
    pub fn detected_share(&self) -> Option<f64> {
        (self.row.injected > 0).then(|| (self.detected as f64 / self.row.injected as f64).min(1.0))
    }

    /// Honest authenticated verdicts against the baseline's.
    pub fn goodput_share(&self) -> Option<f64> {
        (self.row.honest_authenticated_baseline > 0).then(|| {
            self.row.honest_authenticated as f64 / self.row.honest_authenticated_baseline as f64
        })
    }

    /// Per injection: (inputs, bytes, crypto operations) of the protocol's nodes.
    pub fn amplification(&self) -> Option<(f64, f64, f64)> {
        let n = self.row.injected as f64;
        (self.row.injected > 0).then(|| {
            (
                self.row.extra_inputs as f64 / n,
                self.row.extra_tx_bytes as f64 / n,
                self.row.extra_crypto_ops as f64 / n,
            )
        })
    }
}

/// A figure of the device node (the first), attack run minus baseline.
fn device_figure(
    attack: &RunResult,
    baseline: &RunResult,
    f: fn(&crate::report::NodeRow) -> f64,
) -> f64 {
    match (attack.nodes.first(), baseline.nodes.first()) {
        (Some(a), Some(b)) => f(a) - f(b),
        _ => 0.0,
    }
}

/// The node with the most rejected / attack-detected entries in a
/// `detections` column (`node:outcome:reason=n;…`), and that sum; the first
/// such node in key order on a tie ("" and 0 if none).
fn top_detector(detections: &str) -> (String, u64) {
    let mut per_node: BTreeMap<&str, u64> = BTreeMap::new();
    for item in detections.split(';').filter(|s| !s.is_empty()) {
        let Some((key, n)) = item.rsplit_once('=') else {
            continue;
        };
        let mut parts = key.splitn(3, ':');
        let (Some(node), Some(outcome)) = (parts.next(), parts.next()) else {
            continue;
        };
        if matches!(outcome, "rejected" | "attack_detected") {
            *per_node.entry(node).or_default() += n.parse::<u64>().unwrap_or(0);
        }
    }
    per_node
        .into_iter()
        .fold((String::new(), 0), |best, (node, n)| {
            if n > best.1 {
                (node.to_string(), n)
            } else {
                best
            }
        })
}

/// 95th percentile latency of the honest (not relayed) authenticated
/// verdicts at the serving node (the baseline's second node), ms.
fn honest_p95(r: &RunResult, baseline: &RunResult) -> Option<f64> {
    let serving = baseline.nodes.get(1).map(|n| n.name.as_str()).unwrap_or("");
    let mut l: Vec<u64> = r
        .auth
        .iter()
        .filter(|a| {
            a.outcome == "authenticated" && a.reason != "relayed" && *a.reporter_node == *serving
        })
        .filter_map(|a| a.latency)
        .collect();
    l.sort_unstable();
    (!l.is_empty()).then(|| percentile(&l, 0.95) as f64 / 1e6)
}

/// The matrix's attacks.csv row; the header is these field names
/// (docs/outputs.md). Numbers are formatted here; an undefined one is empty.
#[derive(serde::Serialize, Default)]
struct MatrixCsvRow<'a> {
    protocol: &'a str,
    class: &'a str,
    cell: &'a str,
    rate_per_s: String,
    injected: u64,
    detected: u64,
    detected_share: String,
    detected_at: &'a str,
    detections: &'a str,
    false_acceptances: u64,
    extra_authentications: u64,
    false_alarms: u64,
    relayed: u64,
    extra_ignored: i64,
    inputs_per_injection: String,
    bytes_per_injection: String,
    crypto_per_injection: String,
    security_mode_rejects: i64,
    extra_auth_failures: i64,
    extra_home_messages: i64,
    honest_authenticated: u64,
    honest_authenticated_baseline: u64,
    goodput_share: String,
    honest_p50_ms: String,
    honest_p50_ms_baseline: String,
    honest_p95_ms: String,
    honest_p95_ms_baseline: String,
    device_crypto_per_injection: String,
    device_energy_per_injection_mj: String,
}

/// attacks.csv of a matrix: the header and one row per cell, in cell order.
pub fn csv_text(rows: &[CellRow]) -> String {
    let f3 = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    let amp = |r: &CellRow, k: usize| {
        f3(r.amplification().map(|a| match k {
            0 => a.0,
            1 => a.1,
            _ => a.2,
        }))
    };
    crate::csv_table::serde_csv(rows.iter().map(|r| MatrixCsvRow {
        protocol: &r.protocol,
        class: r.class,
        cell: &r.label,
        rate_per_s: r.rate_per_s.map_or(String::new(), |v| format!("{v}")),
        injected: r.row.injected,
        detected: r.detected,
        detected_share: f3(r.detected_share()),
        detected_at: &r.detected_at,
        detections: &r.row.detections,
        false_acceptances: r.row.false_acceptances,
        extra_authentications: r.row.extra_authentications,
        false_alarms: r.row.false_alarms,
        relayed: r.row.relayed,
        extra_ignored: r.row.extra_ignored,
        inputs_per_injection: amp(r, 0),
        bytes_per_injection: amp(r, 1),
        crypto_per_injection: amp(r, 2),
        security_mode_rejects: r.row.security_mode_rejects,
        extra_auth_failures: r.row.extra_auth_failures,
        extra_home_messages: r.row.extra_home_messages,
        honest_authenticated: r.row.honest_authenticated,
        honest_authenticated_baseline: r.row.honest_authenticated_baseline,
        goodput_share: f3(r.goodput_share()),
        honest_p50_ms: f3(r.row.honest_p50_ms),
        honest_p50_ms_baseline: f3(r.row.honest_p50_ms_baseline),
        honest_p95_ms: f3(r.honest_p95_ms),
        honest_p95_ms_baseline: f3(r.honest_p95_ms_baseline),
        device_crypto_per_injection: f3(
            (r.row.injected > 0).then(|| r.device_extra_crypto_ops as f64 / r.row.injected as f64),
        ),
        device_energy_per_injection_mj: f3(
            (r.row.injected > 0).then(|| r.device_extra_energy_j * 1e3 / r.row.injected as f64),
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_detector_sums_rejections_per_node() {
        let d =
            "hss:rejected:unknown_imsi=5;mme:attack_detected:x=2;mme:ignored:y=9;mme:rejected:z=4";
        assert_eq!(top_detector(d), ("mme".into(), 6));
        assert_eq!(top_detector(""), (String::new(), 0));
        assert_eq!(top_detector("mme:ignored:y=9"), (String::new(), 0));
    }
}
