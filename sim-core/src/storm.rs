//! What an access storm cost and delivered (docs/outputs.md, "Storm
//! metrics"), from one run's verdicts and counters: written only when the
//! scenario sets `outputs.storm`, so other outputs stay as they were.
//!
//! "Authenticated" means the serving-network role (MME, VLR, AMF) reported the
//! device authenticated; each device counts once, at its first such verdict.

use authsim_protocols::core::Nanos;

use crate::report::RunResult;

/// Width of one `goodput.csv` bin.
pub const BIN: Nanos = 1_000_000_000;

/// The first serving-network `authenticated` verdict of each device:
/// (verdict time, latency from the device's start), sorted by time.
fn first_authentications(r: &RunResult) -> Vec<(Nanos, Option<Nanos>)> {
    let mut rows: Vec<_> = r
        .auth
        .iter()
        .filter(|a| a.outcome == "authenticated")
        .filter(|a| crate::protocols::role_of(&r.protocol, &a.reporter_node) == Some("serving"))
        .map(|a| (a.subject, a.time, a.latency))
        .collect();
    rows.sort_unstable_by_key(|&(s, t, _)| (s, t));
    rows.dedup_by_key(|&mut (s, _, _)| s);
    let mut firsts: Vec<_> = rows.into_iter().map(|(_, t, l)| (t, l)).collect();
    firsts.sort_unstable();
    firsts
}

/// The device's request for access and the serving network's reject, by
/// message kind: EPS's ATTACH and 5GS's REGISTRATION (TS 24.501).
const REQUESTS: [&str; 2] = ["AttachRequest", "RegistrationRequest"];
const REJECTS: [&str; 2] = ["AttachReject", "RegistrationReject"];

fn sent(r: &RunResult, kinds: &[&str]) -> u64 {
    r.messages
        .iter()
        .filter(|m| kinds.contains(&m.kind))
        .map(|m| m.counters.transmissions)
        .sum()
}

/// The `storm.*` metrics of a run (empty unless `outputs.storm`).
pub fn metrics(r: &RunResult) -> Vec<(String, f64)> {
    if !r.storm {
        return Vec::new();
    }
    let firsts = first_authentications(r);
    let devices = f64::from(r.devices.max(1));
    let n = firsts.len() as f64;
    let within = |limit_s: u64| {
        let limit = limit_s * 1_000_000_000;
        firsts
            .iter()
            .filter(|(_, l)| l.is_some_and(|l| l <= limit))
            .count() as f64
            / devices
    };
    let drain = firsts.last().map_or(0, |&(t, _)| t);
    let bins = goodput_bins(&firsts);
    let peak = bins.iter().copied().max().unwrap_or(0);
    let tx: u64 = r.messages.iter().map(|m| m.counters.transmissions).sum();
    let device_energy: f64 = r
        .nodes
        .iter()
        .filter(|n| n.servers == 0 && n.endpoints > 1)
        .map(|n| n.energy_total_j())
        .sum();
    let mut m: Vec<(String, f64)> = vec![
        ("storm.authenticated_share".into(), n / devices),
        ("storm.within_60s_share".into(), within(60)),
        ("storm.within_600s_share".into(), within(600)),
        ("storm.drain_s".into(), drain as f64 / 1e9),
        (
            "storm.goodput_per_s".into(),
            if drain > 0 {
                n / (drain as f64 / 1e9)
            } else {
                0.0
            },
        ),
        (
            "storm.peak_goodput_per_s".into(),
            peak as f64 * 1e9 / BIN as f64,
        ),
        ("storm.attach_requests".into(), sent(r, &REQUESTS) as f64),
        ("storm.congestion_rejects".into(), sent(r, &REJECTS) as f64),
        (
            "storm.tx_per_authenticated".into(),
            if n > 0.0 { tx as f64 / n } else { 0.0 },
        ),
        (
            "storm.device_energy_per_authenticated_j".into(),
            if n > 0.0 { device_energy / n } else { 0.0 },
        ),
    ];
    if let Some(w) = &r.wasted {
        m.extend(wasted_metrics(w, devices));
    }
    m.sort_by(|a, b| a.0.cmp(&b.0));
    m
}

/// The `storm.wasted_*`, `storm.retry_energy_*` and `storm.attempts*`
/// metrics (failed attempts: [`crate::wasted`]).
fn wasted_metrics(w: &crate::wasted::Wasted, devices: f64) -> Vec<(String, f64)> {
    let (all, wasted) = w.totals();
    let share = |part: u64, whole: u64| {
        if whole > 0 {
            part as f64 / whole as f64
        } else {
            0.0
        }
    };
    let energy = w.retry_energy_j + w.success_energy_j;
    vec![
        ("storm.wasted_messages".into(), wasted.messages as f64),
        ("storm.wasted_octets".into(), wasted.octets as f64),
        (
            "storm.wasted_message_share".into(),
            share(wasted.messages, all.messages),
        ),
        (
            "storm.wasted_octet_share".into(),
            share(wasted.octets, all.octets),
        ),
        ("storm.retry_energy_j".into(), w.retry_energy_j),
        (
            "storm.retry_energy_per_device_j".into(),
            w.retry_energy_j / devices,
        ),
        (
            "storm.retry_energy_share".into(),
            if energy > 0.0 {
                w.retry_energy_j / energy
            } else {
                0.0
            },
        ),
        ("storm.success_energy_j".into(), w.success_energy_j),
        ("storm.attempts".into(), w.attempts as f64),
        (
            "storm.attempts_per_device".into(),
            w.attempts as f64 / devices,
        ),
    ]
}

/// First authentications per [`BIN`] from time 0 to the last one.
fn goodput_bins(firsts: &[(Nanos, Option<Nanos>)]) -> Vec<u64> {
    let Some(&(last, _)) = firsts.last() else {
        return Vec::new();
    };
    let mut bins = vec![0u64; (last / BIN) as usize + 1];
    for &(t, _) in firsts {
        bins[(t / BIN) as usize] += 1;
    }
    bins
}

/// `goodput.csv`: `time_s,authenticated_per_s` per one-second bin (the bin's
/// start), devices authenticated for the first time by the serving network.
pub fn goodput_csv(r: &RunResult) -> String {
    /// One row of goodput.csv; the header is these field names.
    #[derive(serde::Serialize, Default)]
    struct GoodputRow {
        time_s: u64,
        authenticated_per_s: u64,
    }
    let bins = goodput_bins(&first_authentications(r));
    crate::csv_table::serde_csv(bins.iter().enumerate().map(|(i, &n)| GoodputRow {
        time_s: i as u64,
        authenticated_per_s: n,
    }))
}

/// (bin start in seconds, authentications per second) for a plot.
pub fn goodput_series(r: &RunResult) -> Vec<(f64, f64)> {
    goodput_bins(&first_authentications(r))
        .iter()
        .enumerate()
        .map(|(i, &n)| (i as f64, n as f64))
        .collect()
}
