//! Writes one run's results: CSV tables, the JSON summary, the trace and PNGs.

use std::path::{Path, PathBuf};

use authsim_plots::{Bar, Series};
use authsim_sim::report::RunResult;
use authsim_sim::scenario::Scenario;

fn write(path: PathBuf, text: &str, written: &mut Vec<PathBuf>) -> Result<(), String> {
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    written.push(path);
    Ok(())
}

/// Writes everything a run produces into `dir`; returns the files written.
pub fn write_run(
    dir: &Path,
    scn: &Scenario,
    r: &RunResult,
    trace: Option<&Path>,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    write(dir.join("messages.csv"), &r.messages_csv(), &mut written)?;
    write(dir.join("nodes.csv"), &r.nodes_csv(), &mut written)?;
    if scn.outputs.per_auth_csv {
        write(dir.join("auth.csv"), &r.auth_csv(), &mut written)?;
    }
    let summary = serde_json::to_string_pretty(&r.summary_json()).map_err(|e| e.to_string())?;
    write(dir.join("summary.json"), &(summary + "\n"), &mut written)?;
    if let Some(path) = trace {
        let mut text = String::from("time_s,from,to,interface,message,bytes,sender_node,pdu_hex\n");
        for l in &r.trace {
            text.push_str(l);
            text.push('\n');
        }
        write(path.to_path_buf(), &text, &mut written)?;
    }
    if scn.outputs.plots {
        plot_run(dir, r, &mut written)?;
    }
    Ok(written)
}

fn plot_run(dir: &Path, r: &RunResult, written: &mut Vec<PathBuf>) -> Result<(), String> {
    let title = |what: &str| {
        format!(
            "{what} — {} ({}, {} devices)",
            r.scenario, r.protocol, r.devices
        )
    };
    // Which nodes report verdicts, in node order.
    let reporters: Vec<&str> = r
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .filter(|n| !r.latencies(n, "authenticated").is_empty())
        .collect();
    let cdf: Vec<(String, Vec<f64>)> = reporters
        .iter()
        .map(|n| {
            (
                format!("verdicts at {n}"),
                r.latencies(n, "authenticated")
                    .iter()
                    .map(|&x| x as f64 / 1e6)
                    .collect(),
            )
        })
        .collect();
    let p = dir.join("latency_cdf.png");
    authsim_plots::cdf_chart(
        &p,
        &title("Authentication latency"),
        "latency from procedure start (ms)",
        &cdf,
    )
    .map_err(|e| e.to_string())?;
    written.push(p);

    let series: Vec<Series> = reporters
        .iter()
        .map(|n| Series {
            label: format!("verdicts at {n}"),
            points: r
                .auth
                .iter()
                .filter(|a| &*a.reporter_node == *n && a.outcome == "authenticated")
                .filter_map(|a| a.latency.map(|l| (a.time as f64 / 1e9, l as f64 / 1e6)))
                .collect(),
            ci: None,
        })
        .collect();
    let p = dir.join("latency_over_time.png");
    authsim_plots::scatter_time(
        &p,
        &title("Latency over time"),
        "completion time (s)",
        "latency (ms)",
        &series,
    )
    .map_err(|e| e.to_string())?;
    written.push(p);

    let bars: Vec<Bar> = r
        .messages
        .iter()
        .map(|m| Bar {
            group: m.interface.name().to_string(),
            label: m.kind.to_string(),
            value: m.counters.transmissions as f64,
        })
        .collect();
    let p = dir.join("messages.png");
    authsim_plots::grouped_bar_chart(
        &p,
        &title("Transmissions per interface and message"),
        "transmissions",
        &bars,
    )
    .map_err(|e| e.to_string())?;
    written.push(p);
    Ok(())
}
