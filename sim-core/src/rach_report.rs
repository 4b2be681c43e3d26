//! The outputs of the random access model (`[protocol.ran.rach]`): the
//! metrics of TR 37.868 §6.2.1 as `rach.*` metrics and in summary.json, and
//! `rach.csv` with the distributions behind them (docs/outputs.md).

use authsim_protocols::ran::rach::Failure;
pub use authsim_protocols::ran::rach::RachStats;

/// Failure causes in `RachStats::failed_tx` order, as labels.
const FAILURES: [(Failure, &str); 5] = [
    (Failure::Collision, "collision"),
    (Failure::NotDetected, "not_detected"),
    (Failure::NoGrant, "no_grant"),
    (Failure::Msg3, "msg3_harq"),
    (Failure::Msg4, "msg4_contention_resolution"),
];

/// The flat `rach.*` metrics of one run.
pub fn metrics(s: &RachStats) -> Vec<(String, f64)> {
    let q = |p| s.delay_quantile_ms(p).map_or(0.0, |ms| ms as f64 / 1e3);
    let mut m = vec![
        (
            "rach.collision_probability".into(),
            s.collision_probability(),
        ),
        (
            "rach.access_success_probability".into(),
            s.access_success_probability(),
        ),
        ("rach.mean_preamble_tx".into(), s.mean_preamble_tx()),
        ("rach.mean_access_delay_s".into(), s.mean_delay_s()),
        ("rach.access_delay_p50_s".into(), q(0.50)),
        ("rach.access_delay_p95_s".into(), q(0.95)),
        ("rach.access_delay_p99_s".into(), q(0.99)),
        ("rach.opportunities".into(), s.opportunities as f64),
        ("rach.preamble_tx".into(), s.preamble_tx as f64),
        ("rach.collided_raos".into(), s.collided_raos as f64),
        ("rach.successes".into(), s.successes as f64),
        ("rach.failures".into(), s.failures as f64),
    ];
    for (f, label) in FAILURES {
        m.push((
            format!("rach.failed_tx.{label}"),
            s.failed_tx[f as usize] as f64,
        ));
    }
    m
}

/// The `rach` object of summary.json.
pub fn summary(s: &RachStats) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = metrics(s)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("rach.").to_string(), v.into()))
        .collect();
    serde_json::Value::Object(map)
}

/// `rach.csv`: the CDFs of TR 37.868 §6.2.1 for the successful accesses,
/// preamble transmissions (`preamble_tx`, value = transmissions) and access
/// delay (`access_delay_ms`, value = whole milliseconds from the first
/// preamble to contention resolution), each row with its count and the
/// share of successful accesses at or below it.
pub fn csv(s: &RachStats) -> String {
    let mut out = String::from("distribution,value,count,cdf\n");
    let mut rows = |name: &str, h: &[u64], offset: usize| {
        let mut seen = 0u64;
        for (i, &n) in h.iter().enumerate() {
            if n == 0 {
                continue;
            }
            seen += n;
            let cdf = seen as f64 / s.successes.max(1) as f64;
            out.push_str(&format!("{name},{},{n},{cdf:.6}\n", i + offset));
        }
    };
    rows("preamble_tx", &s.tx_histogram, 1);
    rows("access_delay_ms", &s.delay_histogram_ms, 0);
    out
}

/// The access delay CDF as (ms, share) points, for the chart.
pub fn delay_cdf(s: &RachStats) -> Vec<(f64, f64)> {
    let mut seen = 0u64;
    let total = s.successes.max(1) as f64;
    s.delay_histogram_ms
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(ms, n)| {
            seen += n;
            (ms as f64, seen as f64 / total)
        })
        .collect()
}
