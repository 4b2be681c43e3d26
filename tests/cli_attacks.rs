//! `authsim sweep` on an attack-matrix file (`[attack_matrix]`): bad input
//! exits 2 naming the file and field; a small matrix writes one attacks.csv
//! row per protocol × cell, deterministically, with its charts.

use std::path::{Path, PathBuf};

mod common;
use common::{authsim, stderr};

/// A matrix over `protocols` (a TOML value line, or "" for every protocol
/// with an adversary) with the given class entries, small enough for a test.
fn matrix(protocols: &str, classes: &str) -> String {
    // Every row: group AKA's row needs its group size.
    let params = if protocols.is_empty() {
        "[attack_matrix.protocol_params.group-aka]\ngroup_size = 10\n"
    } else {
        ""
    };
    format!(
        r#"name = "small-matrix"
[attack_matrix]
seed = 3
{protocols}
devices = 60
window_s = 2.0
radio = {{ latency = {{ dist = "fixed", ms = 10.0 }} }}
core = {{ latency = {{ dist = "fixed", ms = 5.0 }} }}
{classes}
{params}"#
    )
}

const FLOOD: &str = r#"
[[attack_matrix.classes]]
class = "attach_flood"
stop_s = 2.0
rates = [20.0, 80.0]
sources = 10
"#;

const FBS: &str = r#"
[[attack_matrix.classes]]
class = "false_base_station"
stop_s = 2.0
rates = [50.0]
sources = 5
"#;

const MAC: &str = r#"
[[attack_matrix.classes]]
class = "modification"
stop_s = 3.0
sources = 20
fields = ["mac"]
except = ["umts-aka"]
"#;

const HOME_ANSWER: &str = r#"
[[attack_matrix.classes]]
class = "fake_home_answer"
stop_s = 3.0
sources = 20
vectors = ["random", "replayed"]
only = ["eps-aka", "umts-aka"]
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn an_unknown_protocol_or_class_exits_2_naming_file_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "protocol.toml",
            matrix(r#"protocols = ["eps-aka", "harn-gas"]"#, FLOOD),
            "attack_matrix.protocols[1]",
        ),
        (
            "class.toml",
            matrix(
                "",
                "[[attack_matrix.classes]]\nclass = \"teleport\"\nstop_s = 1.0\n",
            ),
            "class",
        ),
        (
            "except.toml",
            matrix("", &MAC.replace("umts-aka", "umts")),
            "attack_matrix.classes[0].except[0]",
        ),
        // UMTS MM has no NAS MAC: the cell is refused unless excepted.
        (
            "dialect.toml",
            matrix("", &MAC.replace("except = [\"umts-aka\"]", "")),
            "attack_matrix.classes[0].fields",
        ),
        (
            "rate.toml",
            matrix("", &FLOOD.replace("20.0", "-1.0")),
            "attack_matrix.classes[0].rates",
        ),
        // The forged home answer is built for EPS-AKA and UMTS AKA only.
        (
            "home.toml",
            matrix(
                "",
                &HOME_ANSWER.replace("only = [\"eps-aka\", \"umts-aka\"]", ""),
            ),
            "attack_matrix.classes[0].class",
        ),
        (
            "vectors.toml",
            matrix("", &HOME_ANSWER.replace("\"replayed\"", "\"fresh\"")),
            "vectors",
        ),
        (
            "home-sources.toml",
            matrix("", &HOME_ANSWER.replace("sources = 20", "sources = 61")),
            "attack_matrix.classes[0].sources",
        ),
    ];
    for (name, text, field) in cases {
        let path = write(tmp.path(), name, &text);
        for cmd in ["sweep", "run"] {
            let out = tmp.path().join(format!("out-{name}"));
            let o = authsim(&[
                cmd,
                path.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{name}: {err}");
            assert!(err.contains(name), "{name}: file not named: {err}");
            assert!(err.contains(field), "{name}: field not named: {err}");
            assert!(!out.join("attacks.csv").exists());
        }
    }
}

#[test]
fn a_small_matrix_writes_a_row_per_cell_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(
        tmp.path(),
        "m.toml",
        &matrix("", &format!("{FLOOD}{FBS}{MAC}")),
    );
    let run = |out: &str| {
        let out = tmp.path().join(out);
        let o = authsim(&[
            "sweep",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--jobs",
            "2",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let (a, b) = (run("a"), run("b"));
    let csv = std::fs::read_to_string(a.join("attacks.csv")).unwrap();
    assert_eq!(csv, std::fs::read_to_string(b.join("attacks.csv")).unwrap());
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    // Every protocol with an adversary is a row group: 2 flood rates and the
    // false base station each, and the NAS MAC modification where it exists.
    let protocols: Vec<&str> = rows[1..].iter().map(|r| r[col("protocol")]).collect();
    for p in ["eps-aka", "umts-aka", "5g-aka"] {
        let n = protocols.iter().filter(|q| **q == p).count();
        assert_eq!(n, if p == "umts-aka" { 3 } else { 4 }, "{p}: {csv}");
    }
    for r in &rows[1..] {
        assert!(r[col("injected")].parse::<u64>().unwrap() > 0, "{r:?}");
        if r[col("class")] == "attach_flood" {
            // Every flood attach is rejected at the serving node.
            assert_eq!(r[col("detected_share")], "1.000", "{r:?}");
            assert_eq!(r[col("false_acceptances")], "0", "{r:?}");
        }
        if r[col("cell")] == "modification:mac" {
            // The UE's integrity check, answered with SECURITY MODE REJECT:
            // counted at the serving node that sent the command.
            let serving = if r[col("protocol")] == "5g-aka" {
                "amf"
            } else {
                "mme"
            };
            assert_eq!(r[col("detected_at")], serving, "{r:?}");
            assert_eq!(r[col("false_acceptances")], "0", "{r:?}");
        }
        assert_eq!(r[col("false_alarms")], "0", "{r:?}");
    }
    for f in [
        "detection-matrix.png",
        "amplification.png",
        "amplification-crypto.png",
        "goodput-vs-rate.png",
        "latency-vs-rate.png",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap_or_default(),
            "{f}"
        );
    }
    assert!(a.join("manifest.json").exists());
}

/// docs/outputs.md gives the matrix's attacks.csv columns: they are the header.
#[test]
fn the_matrix_columns_are_documented() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "m.toml", &matrix("", FLOOD));
    let out = tmp.path().join("o");
    let o = authsim(&[
        "sweep",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md"))
            .unwrap();
    let tag = "`attacks.csv` of a matrix — `";
    let rest = &doc[doc.find(tag).expect("documented") + tag.len()..];
    let cols = &rest[..rest.find('`').unwrap()];
    let csv = std::fs::read_to_string(out.join("attacks.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), cols);
}
