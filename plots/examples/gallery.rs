//! Writes one example of each chart (synthetic, deterministic data) into a folder, and
//! the line chart also as SVG:
//!
//! ```text
//! cargo run -p authsim-plots --example gallery -- /tmp/gallery
//! ```

use std::path::{Path, PathBuf};

use authsim_plots::{
    Bar, Canvas, LineChart, PlotError, Scale, Series, cdf_chart, grouped_bar_chart, histogram,
    line_chart, scatter_time,
};

/// Small deterministic PRNG (SplitMix64) so the example needs no dependencies.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// Log-normal latency with the given median (ms) and shape.
    fn latency(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

const PROTOCOLS: [(&str, f64); 3] = [("5G-AKA", 38.0), ("EAP-AKA'", 52.0), ("EPS-AKA", 31.0)];

fn main() -> Result<(), PlotError> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("gallery"));
    std::fs::create_dir_all(&dir).map_err(|source| PlotError::Write {
        path: dir.clone(),
        source,
    })?;
    let out = |name: &str| dir.join(format!("example-{name}.png"));

    line_with_error_bars(&out("line"))?;
    line_with_band_log(&out("line-log"))?;
    bars(&out("bars"))?;
    hist(&out("histogram"))?;
    cdf(&out("cdf"))?;
    scatter(&out("scatter"))?;
    empty(&out("empty"))?;
    println!("wrote the gallery to {}", dir.display());
    Ok(())
}

/// Mean attach latency vs devices per cell, 95 % CIs as error bars, with model curves.
fn line_with_error_bars(path: &Path) -> Result<(), PlotError> {
    let mut rng = Rng(1);
    let loads = [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0];
    let model = |base: f64, n: f64| base * (1.0 + n / 900.0);
    let series: Vec<Series> = PROTOCOLS
        .iter()
        .map(|&(name, base)| {
            let pts: Vec<(f64, f64)> = loads
                .iter()
                .map(|&n| (n, model(base, n) * (1.0 + 0.03 * rng.normal())))
                .collect();
            let ci = pts
                .iter()
                .map(|&(n, y)| {
                    let h = y * (0.04 + 0.02 * (n / 2000.0));
                    (y - h, y + h)
                })
                .collect();
            Series::new(name, pts).with_ci(ci)
        })
        .collect();
    let reference: Vec<Series> = PROTOCOLS[..2]
        .iter()
        .map(|&(name, base)| {
            let pts = (0..=40)
                .map(|k| {
                    let n = 10f64 * 200f64.powf(k as f64 / 40.0);
                    (n, model(base, n))
                })
                .collect();
            Series::new(name, pts)
        })
        .collect();
    // Also written as SVG, next to the PNG.
    let svg = path.with_extension("svg");
    line_chart(
        Canvas::new(path).with_svg(&svg),
        &LineChart {
            title: "Mean attach latency vs cell load (95 % CI)",
            x_label: "devices per cell",
            y_label: "attach latency (ms)",
            x_scale: Scale::Log10,
            y_scale: Scale::Linear,
            series: &series,
            reference: &reference,
            ..Default::default()
        },
    )
}

/// Signalling load over time with a CI band, on a log y axis.
fn line_with_band_log(path: &Path) -> Result<(), PlotError> {
    let mut rng = Rng(2);
    let series: Vec<Series> = PROTOCOLS
        .iter()
        .enumerate()
        .map(|(i, &(name, _))| {
            let pts: Vec<(f64, f64)> = (0..120)
                .map(|t| {
                    let t = t as f64;
                    let base = 50.0 * (i as f64 + 1.0) * (1.0 + (t / 15.0).sin().abs() * 20.0);
                    (t, base * (1.0 + 0.1 * rng.normal()))
                })
                .collect();
            let ci = pts.iter().map(|&(_, y)| (y * 0.8, y * 1.25)).collect();
            Series::new(name, pts).with_ci(ci)
        })
        .collect();
    line_chart(
        Canvas::new(path).with_size(1200, 800),
        &LineChart {
            title: "Core-network authentication messages per second",
            x_label: "simulated time (s)",
            y_label: "messages per second",
            x_scale: Scale::Linear,
            y_scale: Scale::Log10,
            series: &series,
            reference: &[],
            ..Default::default()
        },
    )
}

fn bars(path: &Path) -> Result<(), PlotError> {
    let per_if = [
        ("Uu (UE–gNB)", [4.0, 8.0, 4.0]),
        ("N2 (gNB–AMF)", [4.0, 8.0, 4.0]),
        ("N12 (AMF–AUSF)", [4.0, 10.0, 0.0]),
        ("N13 (AUSF–UDM)", [2.0, 2.0, 0.0]),
        ("S6a (MME–HSS)", [0.0, 0.0, 2.0]),
    ];
    let bars: Vec<Bar> = per_if
        .iter()
        .flat_map(|(iface, counts)| {
            PROTOCOLS
                .iter()
                .zip(counts)
                .filter(|(_, c)| **c > 0.0)
                .map(move |((p, _), &c)| Bar::new(*iface, *p, c))
        })
        .collect();
    grouped_bar_chart(
        path,
        "Messages per interface per authentication",
        "messages per attach",
        &bars,
    )
}

fn hist(path: &Path) -> Result<(), PlotError> {
    let mut rng = Rng(3);
    let values: Vec<f64> = (0..20_000).map(|_| rng.latency(38.0, 0.35)).collect();
    histogram(
        path,
        "5G-AKA attach latency distribution",
        "attach latency (ms)",
        &values,
        60,
    )
}

fn cdf(path: &Path) -> Result<(), PlotError> {
    let mut rng = Rng(4);
    let series: Vec<(String, Vec<f64>)> = PROTOCOLS
        .iter()
        .map(|&(name, median)| {
            let v = (0..10_000).map(|_| rng.latency(median, 0.3)).collect();
            (name.to_string(), v)
        })
        .collect();
    cdf_chart(
        path,
        "Attach latency CDF per protocol",
        "attach latency (ms)",
        &series,
    )
}

/// One million points: latency vs attach time for two protocols (decimated to 20 000).
fn scatter(path: &Path) -> Result<(), PlotError> {
    let mut rng = Rng(5);
    let series: Vec<Series> = PROTOCOLS[..2]
        .iter()
        .map(|&(name, median)| {
            let pts = (0..500_000)
                .map(|i| {
                    let t = i as f64 * 0.0012;
                    let load = 1.0 + 0.6 * (t / 90.0).sin().powi(2);
                    (t, rng.latency(median * load, 0.25))
                })
                .collect();
            Series::new(name, pts)
        })
        .collect();
    scatter_time(
        path,
        "Attach latency over time",
        "attach time (s)",
        "attach latency (ms)",
        &series,
    )
}

/// Degenerate input: the chart is still drawn, with a note.
fn empty(path: &Path) -> Result<(), PlotError> {
    let series = [Series::new(
        "5G-AKA",
        vec![(f64::NAN, 1.0), (2.0, f64::INFINITY)],
    )];
    line_chart(
        path,
        &LineChart {
            title: "No drawable data",
            x_label: "x (unit)",
            y_label: "y (unit)",
            x_scale: Scale::Linear,
            y_scale: Scale::Log10,
            series: &series,
            reference: &[],
            ..Default::default()
        },
    )
}
