//! docs/outputs.md names the columns of every CSV file: this test runs a small
//! scenario (with replications and a trace) and a small sweep, and checks each
//! file's header against the column list the doc gives for it, so the doc and
//! the row types cannot drift apart.

use std::path::{Path, PathBuf};
use std::process::Command;

use authsim_protocols::core::Prim;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn authsim(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_authsim"))
        .args(args)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `file` → the column list in backticks after "`file` — " in docs/outputs.md,
/// with `<axes...>` and `<primitives...>` expanded.
fn documented(doc: &str, file: &str, axes: &str) -> String {
    let tag = format!("`{file}` — `");
    let at = doc
        .find(&tag)
        .unwrap_or_else(|| panic!("docs/outputs.md gives no column list for {file}"));
    let rest = &doc[at + tag.len()..];
    let cols = &rest[..rest.find('`').expect("closing backtick")];
    let prims: Vec<&str> = Prim::ALL.iter().map(|p| p.name()).collect();
    cols.replace("<axes...>", axes)
        .replace("<primitives...>", &prims.join(","))
}

fn header(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().next().unwrap_or_default().to_string()
}

#[test]
fn every_csv_header_is_the_one_docs_outputs_md_gives() {
    let doc = std::fs::read_to_string(root().join("docs/outputs.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let trace = tmp.path().join("trace.csv");
    authsim(&[
        "run",
        root().join("scenarios/quickstart.toml").to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        "--set",
        "population.devices=5",
        "--set",
        "run.replications=2",
        "--set",
        "outputs.plots=false",
        "--set",
        "outputs.storm=true",
        "--quiet",
    ]);
    for file in [
        "goodput.csv",
        "wasted.csv",
        "messages.csv",
        "auth.csv",
        "nodes.csv",
        "replications.csv",
        "replications_runs.csv",
    ] {
        assert_eq!(
            header(&run.join(file)),
            documented(&doc, file, ""),
            "{file}"
        );
    }
    let trace_doc = "`--trace FILE` — `";
    let at = doc.find(trace_doc).expect("trace columns documented") + trace_doc.len();
    let cols = &doc[at..at + doc[at..].find('`').unwrap()];
    assert_eq!(header(&trace), cols, "trace");

    let attacked = tmp.path().join("attacked");
    authsim(&[
        "run",
        root().join("tests/data/attack-run.toml").to_str().unwrap(),
        "--out",
        attacked.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        header(&attacked.join("attacks.csv")),
        documented(&doc, "attacks.csv", ""),
        "attacks.csv"
    );
    assert!(
        !run.join("attacks.csv").exists(),
        "no adversary, no attacks.csv"
    );

    let sweep = tmp.path().join("sweep");
    authsim(&[
        "sweep",
        root().join("tests/data/small-sweep.toml").to_str().unwrap(),
        "--out",
        sweep.to_str().unwrap(),
        "--quiet",
    ]);
    for file in ["runs.csv", "summary.csv", "improvements.csv"] {
        assert_eq!(
            header(&sweep.join(file)),
            documented(&doc, file, "n"),
            "{file}"
        );
    }
}
