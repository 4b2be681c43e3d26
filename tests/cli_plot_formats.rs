//! `[outputs] formats`: plots as PNG, SVG or both, for runs and sweeps.

use std::path::{Path, PathBuf};

mod common;
use common::authsim;

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The quick start with an `[outputs]` section appended, written into `dir`.
fn quickstart_with_outputs(dir: &Path, outputs: &str) -> PathBuf {
    let text = std::fs::read_to_string(scenario("quickstart.toml")).unwrap();
    let p = dir.join("q.toml");
    std::fs::write(&p, format!("{text}\n[outputs]\n{outputs}\n")).unwrap();
    p
}

/// Runs the quick start with 50 devices and `outputs` into `dir/name`; returns that folder.
fn run_small(dir: &Path, outputs: &str, name: &str) -> PathBuf {
    let scn = quickstart_with_outputs(dir, outputs);
    let out = dir.join(name);
    let o = authsim(&[
        "run",
        scn.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--set",
        "population.devices=50",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == ext).then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn run_writes_svg_beside_every_png_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_small(tmp.path(), r#"formats = ["png", "svg"]"#, "both");
    let (png, svg) = (files_with_ext(&out, "png"), files_with_ext(&out, "svg"));
    assert!(png.len() >= 4, "{png:?}");
    assert_eq!(png, svg, "one SVG per PNG");
    let text = std::fs::read_to_string(out.join("messages.svg")).unwrap();
    assert!(text.starts_with("<svg") && text.contains("AttachRequest"));

    let out = run_small(tmp.path(), r#"formats = ["svg"]"#, "svg");
    assert!(files_with_ext(&out, "png").is_empty());
    assert_eq!(files_with_ext(&out, "svg"), svg);
}

#[test]
fn bad_formats_are_refused_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    for (formats, expect) in [
        ("formats = []", "outputs.formats"),
        (r#"formats = ["png", "png"]"#, "listed twice"),
        (r#"formats = ["jpg"]"#, "jpg"),
    ] {
        let p = quickstart_with_outputs(tmp.path(), formats);
        let o = authsim(&["validate", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{formats}: {err}");
        assert!(err.contains(expect), "{formats}: {err}");
    }
}

#[test]
fn sweep_writes_svg_plots_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let harn = scenario("gas-compare/harn.toml");
    let sweep = tmp.path().join("s.toml");
    std::fs::write(
        &sweep,
        format!(
            r#"name = "svg-sweep"
[outputs]
formats = ["png", "svg"]
[sweep]
seed = 1
replications = 2
[[sweep.variants]]
label = "Harn"
scenario = {harn:?}
[[sweep.axes]]
name = "n"
set = ["population.devices", "protocol.group_size", "protocol.participants"]
values = [5, 10]
[[sweep.plots]]
file = "tx.png"
kind = "metric"
metric = "tx.total"
x = "n"
title = "transmissions"
y_label = "transmissions"
"#
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = authsim(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files_with_ext(&out, "png"), ["tx"]);
    assert_eq!(files_with_ext(&out, "svg"), ["tx"]);
    let svg = std::fs::read_to_string(out.join("tx.svg")).unwrap();
    assert!(svg.contains("95 % confidence interval"), "CI label missing");
}
