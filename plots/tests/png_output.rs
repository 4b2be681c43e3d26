//! Every chart writes a valid PNG of the requested size, never panics on degenerate input,
//! reports bad arguments with the output path, and is byte-for-byte deterministic.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use authsim_plots::{
    Bar, Canvas, LineChart, MAX_SCATTER_POINTS, PlotError, Scale, Series, cdf_chart,
    grouped_bar_chart, histogram, line_chart, scatter_time,
};

/// A fresh, unique file path in a per-process temp folder.
fn tmp(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("authsim-plots-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{name}.png", N.fetch_add(1, Ordering::Relaxed)))
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Checks the PNG signature and IHDR dimensions, decodes the image fully and checks that
/// something other than the white background was drawn. Returns the file bytes.
fn check_png(path: &Path, w: u32, h: u32) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.len() > 33, "{}: too short", path.display());
    assert_eq!(bytes[..8], PNG_SIGNATURE, "{}: not a PNG", path.display());
    assert_eq!(
        &bytes[12..16],
        b"IHDR",
        "{}: first chunk is not IHDR",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!(be(8), 13, "IHDR length");
    assert_eq!((be(16), be(20)), (w, h), "{}: dimensions", path.display());

    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().expect("image fits in memory")];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (w, h));
    let px = &buf[..info.buffer_size()];
    assert!(
        px.iter().any(|&b| b != 255),
        "{}: blank image",
        path.display()
    );
    bytes
}

fn line(
    series: &[Series],
    reference: &[Series],
    x_scale: Scale,
    y_scale: Scale,
) -> LineChart<'static> {
    // Leak test data so the chart can borrow it for 'static; fine in tests.
    let series: &'static [Series] = Box::leak(series.to_vec().into_boxed_slice());
    let reference: &'static [Series] = Box::leak(reference.to_vec().into_boxed_slice());
    LineChart {
        title: "Attach latency vs load",
        x_label: "devices per cell",
        y_label: "latency (ms)",
        x_scale,
        y_scale,
        series,
        reference,
        ..Default::default()
    }
}

fn demo_series() -> Vec<Series> {
    (0..3)
        .map(|k| {
            let pts: Vec<(f64, f64)> = (1..=20)
                .map(|i| (i as f64 * 10.0, (k + 1) as f64 * i as f64))
                .collect();
            let ci = pts.iter().map(|&(_, y)| (y * 0.9, y * 1.1)).collect();
            Series::new(format!("protocol {k}"), pts).with_ci(ci)
        })
        .collect()
}

fn demo_bars() -> Vec<Bar> {
    ["Uu", "N2", "N12"]
        .iter()
        .flat_map(|g| {
            ["5G-AKA", "EAP-AKA'"]
                .iter()
                .enumerate()
                .map(move |(i, l)| Bar::new(*g, *l, (i + 2) as f64))
        })
        .collect()
}

fn latencies(n: usize, seed: u64) -> Vec<f64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            20.0 + ((x >> 33) as f64 / (1u64 << 31) as f64) * 30.0
        })
        .collect()
}

#[test]
fn line_chart_writes_png() {
    let p = tmp("line");
    let r = vec![Series::new(
        "protocol 0",
        (1..=50).map(|i| (i as f64 * 4.0, i as f64 * 0.4)).collect(),
    )];
    line_chart(&p, &line(&demo_series(), &r, Scale::Linear, Scale::Linear)).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("line-loglog");
    line_chart(&p, &line(&demo_series(), &r, Scale::Log10, Scale::Log10)).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn line_chart_with_long_series_uses_a_band() {
    let pts: Vec<(f64, f64)> = (0..500)
        .map(|i| (i as f64, (i as f64 / 30.0).sin() + 2.0))
        .collect();
    let ci = pts.iter().map(|&(_, y)| (y - 0.3, y + 0.3)).collect();
    let p = tmp("line-band");
    line_chart(
        &p,
        &line(
            &[Series::new("s", pts).with_ci(ci)],
            &[],
            Scale::Linear,
            Scale::Linear,
        ),
    )
    .unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn line_chart_defaults() {
    let p = tmp("line-default");
    let series = [Series::new("only", vec![(1.0, 2.0), (2.0, 3.0)])];
    line_chart(
        &p,
        &LineChart {
            title: "defaults",
            series: &series,
            ..Default::default()
        },
    )
    .unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn grouped_bar_chart_writes_png() {
    let p = tmp("bars");
    grouped_bar_chart(&p, "Messages per interface", "messages", &demo_bars()).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn histogram_writes_png() {
    let p = tmp("hist");
    histogram(&p, "Latency", "latency (ms)", &latencies(10_000, 1), 40).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn cdf_chart_writes_png() {
    let p = tmp("cdf");
    let s = vec![
        ("A".to_string(), latencies(5_000, 1)),
        (
            "B".to_string(),
            latencies(300, 2).iter().map(|v| v * 1.5).collect(),
        ),
    ];
    cdf_chart(&p, "Latency CDF", "latency (ms)", &s).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn scatter_writes_png_for_a_million_points() {
    let p = tmp("scatter");
    let lat = latencies(1_000_000, 3);
    let pts: Vec<(f64, f64)> = lat
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as f64 * 1e-3, v))
        .collect();
    let small = Series::new("few", vec![(10.0, 200.0), (500.0, 5.0)]);
    scatter_time(
        &p,
        "Latency over time",
        "attach time (s)",
        "latency (ms)",
        &[Series::new("many", pts), small],
    )
    .unwrap();
    check_png(&p, 1200, 800);
    assert_eq!(MAX_SCATTER_POINTS, 20_000);
}

#[test]
fn custom_size_and_any_extension() {
    let p = tmp("sized").with_extension("img");
    histogram(
        Canvas::new(&p).with_size(800, 600),
        "t",
        "x",
        &[1.0, 2.0, 3.0],
        3,
    )
    .unwrap();
    check_png(&p, 800, 600);
    let p = tmp("str-path");
    let s = p.to_str().unwrap();
    histogram(s, "t", "x", &[1.0], 1).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn svg_is_written_only_when_asked() {
    let p = tmp("with-svg");
    let svg = p.with_extension("svg");
    let series = [Series::new("5G-AKA", vec![(1.0, 2.0), (2.0, 3.0)])];
    let chart = LineChart {
        title: "Latency & load <test>",
        series: &series,
        ..Default::default()
    };
    line_chart(Canvas::new(&p).with_svg(&svg), &chart).unwrap();
    check_png(&p, 1200, 800);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..40]);
    assert!(text.contains("Latency &amp; load &lt;test&gt;"));
    assert!(text.contains("5G-AKA"), "legend label missing");

    let p = tmp("without-svg");
    line_chart(&p, &chart).unwrap();
    assert!(!p.with_extension("svg").exists());

    let missing = std::env::temp_dir()
        .join("authsim-plots-no-such-dir")
        .join("x.svg");
    let e = line_chart(Canvas::new(&p).with_svg(&missing), &chart).unwrap_err();
    assert!(matches!(e, PlotError::Write { .. }), "{e}");
    assert_eq!(e.path(), missing);
}

#[test]
fn svg_only_writes_no_png() {
    let svg = tmp("svg-only").with_extension("svg");
    let series = [Series::new("EPS-AKA", vec![(1.0, 2.0), (2.0, 3.0)])];
    let chart = LineChart {
        title: "svg only",
        series: &series,
        ..Default::default()
    };
    line_chart(Canvas::svg_only(&svg), &chart).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..40]);
    assert!(!svg.with_extension("png").exists());
}

/// A series equal to an earlier one says so in the legend (it would hide it), a long
/// title is wrapped onto a second line instead of being cut, and the CI label is written
/// only when intervals are drawn.
#[test]
fn legend_names_hidden_series_and_title_wraps() {
    let svg = tmp("dup-series").with_extension("svg");
    let pts = vec![(1.0, 2.0), (2.0, 4.0), (3.0, 5.0)];
    let series = [
        Series::new("Harn GAS", pts.clone()),
        Series::new("Chien GAS", pts.clone()),
        Series::new("Threshold GAS", vec![(1.0, 3.0), (2.0, 6.0), (3.0, 9.0)]),
    ];
    let long_title = "Number of communications per group authentication with every member \
                      taking part, measured over many replications";
    let chart = LineChart {
        title: long_title,
        series: &series,
        ci_label: "error bars: 95 % CI",
        ..Default::default()
    };
    line_chart(Canvas::svg_only(&svg), &chart).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("Chien GAS (same values as Harn GAS)"),
        "{text}"
    );
    assert!(!text.contains("Threshold GAS (same"), "{text}");
    assert!(!text.contains('…'), "title cut instead of wrapped");
    assert!(text.contains("Number of communications per group"));
    assert!(text.contains("replications"));
    assert!(!text.contains("95 % CI"), "no interval drawn, no CI note");

    let with_ci = [Series::new("Harn GAS", pts).with_ci(vec![(1.0, 3.0); 3])];
    let chart = LineChart {
        series: &with_ci,
        ci_label: "error bars: 95 % CI",
        points_only: true,
        ..chart
    };
    line_chart(Canvas::svg_only(&svg), &chart).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("error bars: 95 % CI"), "{text}");
}

/// All degenerate inputs draw a chart (with a note) instead of panicking.
#[test]
fn degenerate_inputs_do_not_panic() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let point_sets: Vec<Vec<(f64, f64)>> = vec![
        vec![],
        vec![(1.0, 1.0)],
        vec![(0.0, 0.0)],
        vec![(3.0, 5.0); 10],
        vec![(nan, nan), (inf, 1.0), (1.0, -inf)],
        vec![(0.0, 1.0), (1.0, 0.0), (2.0, -1.0), (3.0, 2.0)],
        vec![(1.0, nan), (2.0, 2.0), (3.0, nan), (4.0, 4.0)],
        vec![
            (1e300, 1e-300),
            (-1e300, 1e300),
            (f64::MAX, f64::MIN_POSITIVE),
        ],
        vec![(1.0, 1.0), (1.0 + 1e-15, 1.0 + 1e-15)],
    ];
    let scales = [
        (Scale::Linear, Scale::Linear),
        (Scale::Log10, Scale::Log10),
        (Scale::Linear, Scale::Log10),
    ];
    for (i, pts) in point_sets.iter().enumerate() {
        let ci: Vec<(f64, f64)> = pts.iter().map(|&(_, y)| (y - 1.0, y + 1.0)).collect();
        let s = Series::new("s", pts.clone()).with_ci(ci);
        let bad_ci = Series::new("t", pts.clone()).with_ci(vec![(nan, 1.0), (2.0, -2.0)]);
        for (xs, ys) in scales {
            let p = tmp(&format!("degenerate-line-{i}"));
            line_chart(
                &p,
                &line(
                    &[s.clone(), bad_ci.clone()],
                    std::slice::from_ref(&s),
                    xs,
                    ys,
                ),
            )
            .unwrap();
            check_png(&p, 1200, 800);
        }
        let p = tmp(&format!("degenerate-scatter-{i}"));
        scatter_time(&p, "t", "x", "y", std::slice::from_ref(&s)).unwrap();
        check_png(&p, 1200, 800);

        let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let p = tmp(&format!("degenerate-hist-{i}"));
        histogram(&p, "t", "x", &values, 10).unwrap();
        check_png(&p, 1200, 800);
        let p = tmp(&format!("degenerate-cdf-{i}"));
        cdf_chart(
            &p,
            "t",
            "x",
            &[("a".into(), values.clone()), ("empty".into(), vec![])],
        )
        .unwrap();
        check_png(&p, 1200, 800);
        let bars: Vec<Bar> = values
            .iter()
            .enumerate()
            .map(|(k, &v)| Bar::new(format!("g{}", k % 3), format!("l{k}"), v))
            .collect();
        let p = tmp(&format!("degenerate-bars-{i}"));
        grouped_bar_chart(&p, "t", "y", &bars).unwrap();
        check_png(&p, 1200, 800);
    }
    // No series at all, empty labels and titles.
    let p = tmp("no-series");
    line_chart(&p, &line(&[], &[], Scale::Log10, Scale::Linear)).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("no-samples");
    cdf_chart(&p, "", "", &[]).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("no-bars");
    grouped_bar_chart(&p, "", "", &[]).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("no-values");
    histogram(&p, "", "", &[], 1).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("no-scatter");
    scatter_time(&p, "", "", "", &[]).unwrap();
    check_png(&p, 1200, 800);
}

#[test]
fn many_series_and_long_labels_do_not_panic() {
    let long =
        "a very long label that cannot possibly fit into the legend panel of the chart ".repeat(3);
    let series: Vec<Series> = (0..60)
        .map(|k| {
            Series::new(
                format!("{k} {long}"),
                vec![(0.0, k as f64), (1.0, k as f64 + 1.0)],
            )
        })
        .collect();
    let mut chart = line(&series, &[], Scale::Linear, Scale::Linear);
    chart.title = Box::leak(long.repeat(4).into_boxed_str());
    let p = tmp("many-series");
    line_chart(&p, &chart).unwrap();
    check_png(&p, 1200, 800);
    let bars: Vec<Bar> = (0..40)
        .map(|k| Bar::new(format!("{k} {long}"), "x", k as f64))
        .collect();
    let p = tmp("many-groups");
    grouped_bar_chart(&p, &long, &long, &bars).unwrap();
    check_png(&p, 1200, 800);
    let p = tmp("many-bins");
    histogram(
        Canvas::new(&p).with_size(400, 300),
        &long,
        &long,
        &latencies(1000, 9),
        10_000,
    )
    .unwrap();
    check_png(&p, 400, 300);
}

#[test]
fn bad_arguments_are_errors_naming_the_path() {
    let p = tmp("bins0");
    let e = histogram(&p, "t", "x", &[1.0], 0).unwrap_err();
    assert!(matches!(e, PlotError::InvalidInput { .. }), "{e}");
    assert_eq!(e.path(), p);
    assert!(e.to_string().contains(&*p.to_string_lossy()), "{e}");
    assert!(!p.exists());

    let e = histogram(&p, "t", "x", &[1.0], 10_001).unwrap_err();
    assert!(matches!(e, PlotError::InvalidInput { .. }), "{e}");

    let dup = vec![Bar::new("g", "l", 1.0), Bar::new("g", "l", 2.0)];
    let e = grouped_bar_chart(&p, "t", "y", &dup).unwrap_err();
    assert!(matches!(e, PlotError::InvalidInput { .. }), "{e}");

    let e = histogram(Canvas::new(&p).with_size(10, 10), "t", "x", &[1.0], 1).unwrap_err();
    assert!(matches!(e, PlotError::InvalidInput { .. }), "{e}");

    let missing = std::env::temp_dir()
        .join("authsim-plots-no-such-dir")
        .join("x.png");
    let e = histogram(&missing, "t", "x", &[1.0], 1).unwrap_err();
    assert!(matches!(e, PlotError::Write { .. }), "{e}");
    assert_eq!(e.path(), missing);
}

/// The same input twice gives byte-identical files, also when drawn from several threads.
#[test]
fn output_is_deterministic() {
    fn draw_all(tag: &str) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let p = tmp(&format!("det-line-{tag}"));
        line_chart(
            &p,
            &line(
                &demo_series(),
                &demo_series()[..1],
                Scale::Log10,
                Scale::Linear,
            ),
        )
        .unwrap();
        out.push(check_png(&p, 1200, 800));
        let p = tmp(&format!("det-bars-{tag}"));
        grouped_bar_chart(&p, "t", "y", &demo_bars()).unwrap();
        out.push(check_png(&p, 1200, 800));
        let p = tmp(&format!("det-hist-{tag}"));
        histogram(&p, "t", "x", &latencies(3000, 5), 30).unwrap();
        out.push(check_png(&p, 1200, 800));
        let p = tmp(&format!("det-cdf-{tag}"));
        cdf_chart(&p, "t", "x", &[("a".into(), latencies(3000, 6))]).unwrap();
        out.push(check_png(&p, 1200, 800));
        let p = tmp(&format!("det-scatter-{tag}"));
        let pts: Vec<(f64, f64)> = latencies(50_000, 7)
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect();
        scatter_time(&p, "t", "x", "y", &[Series::new("a", pts)]).unwrap();
        out.push(check_png(&p, 1200, 800));
        out
    }
    let first = draw_all("a");
    assert_eq!(first, draw_all("b"));
    let threads: Vec<_> = (0..3)
        .map(|k| std::thread::spawn(move || draw_all(&format!("t{k}"))))
        .collect();
    for t in threads {
        assert!(t.join().unwrap() == first, "a thread drew different bytes");
    }
}
