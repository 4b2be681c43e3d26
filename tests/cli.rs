//! End-to-end tests of the `authsim` binary: outputs, determinism, sweeps,
//! shards, and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{authsim, stderr};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The small sweep most sweep tests run, as a command-line argument.
fn small_sweep() -> String {
    root()
        .join("tests/data/small-sweep.toml")
        .display()
        .to_string()
}

fn scenario(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn quickstart_writes_csv_json_png_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let trace = tmp.path().join("trace.csv");
    let small = ["--set", "population.devices=200", "--quiet"];
    let o = authsim(
        &[
            &[
                "run",
                &scenario("quickstart.toml"),
                "--out",
                a.to_str().unwrap(),
                "--trace",
                trace.to_str().unwrap(),
            ],
            &small[..],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = authsim(
        &[
            &[
                "run",
                &scenario("quickstart.toml"),
                "--out",
                b.to_str().unwrap(),
            ],
            &small[..],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["messages.csv", "nodes.csv", "auth.csv", "summary.json"] {
        assert_eq!(
            read(&a.join(f)),
            read(&b.join(f)),
            "{f} differs between identical runs"
        );
    }
    for f in ["latency_cdf.png", "latency_over_time.png", "messages.png"] {
        assert_eq!(&read(&a.join(f))[..8], b"\x89PNG\r\n\x1a\n", "{f}");
    }
    let messages = String::from_utf8(read(&a.join("messages.csv"))).unwrap();
    assert!(
        messages.contains("nas,AuthenticationRequest,200,200,0,7200,0"),
        "{messages}"
    );
    // The trace has one line per transmission, with the PDU's hex.
    let trace = String::from_utf8(read(&trace)).unwrap();
    assert_eq!(trace.lines().count(), 1 + 7 * 200);
    let line = trace
        .lines()
        .find(|l| l.contains(",AuthenticationRequest,"))
        .unwrap();
    let f: Vec<&str> = line.split(',').collect();
    assert_eq!(f[5], "36");
    assert_eq!(f[7].len(), 72);
    assert!(f[7].starts_with("0752"), "{line}");
    // A different seed changes the per-authentication results.
    let c = tmp.path().join("c");
    let o = authsim(
        &[
            &[
                "run",
                &scenario("quickstart.toml"),
                "--out",
                c.to_str().unwrap(),
                "--seed",
                "99",
            ],
            &small[..],
        ]
        .concat(),
    );
    assert!(o.status.success());
    assert_ne!(read(&a.join("auth.csv")), read(&c.join("auth.csv")));
}

#[test]
fn sweeps_are_identical_for_any_job_count_and_after_shard_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_sweep();
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    for (out, jobs) in [("j1", "1"), ("j2", "2")] {
        let o = authsim(&[
            "sweep",
            &file,
            "--out",
            &dir(out),
            "--jobs",
            jobs,
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for k in ["1/3", "2/3", "3/3"] {
        let o = authsim(&[
            "sweep",
            &file,
            "--out",
            &dir(&k.replace('/', "of")),
            "--shard",
            k,
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = authsim(&[
        "merge",
        "--out",
        &dir("merged"),
        &dir("1of3"),
        &dir("2of3"),
        &dir("3of3"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "runs.csv",
        "summary.csv",
        "improvements.csv",
        "bytes_per_device.png",
    ] {
        let j1 = read(&tmp.path().join("j1").join(f));
        assert_eq!(j1, read(&tmp.path().join("j2").join(f)), "{f}: jobs 1 vs 2");
        assert_eq!(
            j1,
            read(&tmp.path().join("merged").join(f)),
            "{f}: merged shards"
        );
    }
    // A missing shard is an error, not a silently partial result.
    let o = authsim(&["merge", "--out", &dir("bad"), &dir("1of3"), &dir("3of3")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    // Batches of 5 vectors make S6a bytes per attach larger (I < 0), measured.
    let imp = String::from_utf8(read(&tmp.path().join("j1/improvements.csv"))).unwrap();
    let row = imp.lines().find(|l| l.contains(",10,bytes.s6a,")).unwrap();
    let i: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
    assert!(i < -0.5, "{row}");
}

/// Labels with commas, quotes and a line break are legal TOML strings: the
/// A storm sweep keeps each run's goodput series and draws goodput over time;
/// shards merged give the same files as the whole sweep.
#[test]
fn goodput_over_time_is_drawn_from_each_runs_series_also_after_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let file = root()
        .join("tests/data/storm-sweep.toml")
        .display()
        .to_string();
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    let o = authsim(&["sweep", &file, "--out", &dir("whole"), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for k in ["1/2", "2/2"] {
        let out = dir(&k.replace('/', "of"));
        let o = authsim(&["sweep", &file, "--out", &out, "--shard", k, "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = authsim(&["merge", "--out", &dir("merged"), &dir("1of2"), &dir("2of2")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = vec!["goodput_over_time.png".to_string()];
    files.extend((0..8).map(|i| format!("goodput/run-{i}.csv")));
    for f in &files {
        let whole = read(&tmp.path().join("whole").join(f));
        assert_eq!(whole, read(&tmp.path().join("merged").join(f)), "{f}");
    }
    let series = String::from_utf8(read(&tmp.path().join("whole/goodput/run-0.csv"))).unwrap();
    assert!(
        series.starts_with("time_s,authenticated_per_s\n0,"),
        "{series}"
    );
    let o = authsim(&["verify", &dir("merged")]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// sweep writes them quoted (RFC 4180) and `merge` reads records, not lines,
/// so sharded and merged outputs are byte-identical to the whole sweep.
#[test]
fn hostile_labels_round_trip_through_sweep_shards_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let quickstart = scenario("quickstart.toml").replace('\\', "/");
    let text = format!(
        r#"name = "hostile"
[sweep]
seed = 5
replications = 2
[[sweep.variants]]
label = "EPS, \"quoted\"\nsecond line"
scenario = "{quickstart}"
set = ["outputs.plots=false"]
[[sweep.variants]]
label = "b=5, \"batched\""
scenario = "{quickstart}"
set = ["outputs.plots=false", "protocol.vectors_per_request=5"]
[[sweep.axes]]
name = "n, devices"
set = ["population.devices"]
values = [1, 10]
[[sweep.compare]]
scheme = "b=5, \"batched\""
baselines = ["EPS, \"quoted\"\nsecond line"]
metrics = ["tx.total"]
"#
    );
    let file = tmp.path().join("hostile.toml");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    for (out, shard) in [("all", None), ("1of2", Some("1/2")), ("2of2", Some("2/2"))] {
        let out = dir(out);
        let mut args = vec!["sweep", &file, "--out", &out, "--quiet"];
        if let Some(k) = shard {
            args.extend(["--shard", k]);
        }
        let o = authsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = authsim(&["merge", "--out", &dir("merged"), &dir("1of2"), &dir("2of2")]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["runs.csv", "summary.csv", "improvements.csv"] {
        let all = read(&tmp.path().join("all").join(f));
        assert_eq!(all, read(&tmp.path().join("merged").join(f)), "{f}");
        let all = String::from_utf8(all).unwrap();
        assert!(
            all.contains("\"EPS, \"\"quoted\"\"\nsecond line\""),
            "{f}: {all}"
        );
        assert!(all.contains(",\"n, devices\","), "{f}: {all}");
    }
    let imp = String::from_utf8(read(&tmp.path().join("all/improvements.csv"))).unwrap();
    assert_eq!(imp.matches("\"b=5, \"\"batched\"\"\",").count(), 2, "{imp}");
}

/// Writes `text` as a scenario and returns the CLI's exit code and stderr.
fn validate(text: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.toml");
    std::fs::write(&p, text).unwrap();
    let o = authsim(&["validate", p.to_str().unwrap()]);
    (o.status.code(), stderr(&o))
}

fn quickstart_with(from: &str, to: &str) -> String {
    let t = std::fs::read_to_string(root().join("scenarios/quickstart.toml")).unwrap();
    assert!(
        t.contains(from),
        "quickstart.toml no longer contains `{from}`"
    );
    t.replacen(from, to, 1)
}

#[test]
fn bad_scenarios_exit_2_naming_file_line_and_field() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("seed = 1", "seed = = 1", &["bad.toml:6"]),
        ("seed = 1", "seed = 1\nsede = 2", &["unknown field `sede`"]),
        ("devices = 1000", "devices = \"many\"", &["invalid type"]),
        (
            "devices = 1000",
            "devices = 0",
            &["bad.toml:13", "population.devices", "at least 1"],
        ),
        (
            "window_s = 10.0",
            "window_s = -10.0",
            &["population.arrivals.window_s", "positive"],
        ),
        (
            "name = \"eps-aka\"",
            "name = \"eps-akka\"",
            &["unknown variant `eps-akka`"],
        ),
        (
            "[nodes.hss]\nprofile = \"server\"\nservers = 2\n",
            "",
            &["nodes.hss", "missing section"],
        ),
        (
            "between = [\"mme\", \"hss\"]",
            "between = [\"mme\", \"hsss\"]",
            &["links[1].between", "undefined node `hsss`"],
        ),
        ("loss = 0.0", "loss = 1.5", &["links[0].loss", "[0, 1)"]),
        (
            "profile = \"server\"",
            "profile = \"gpu\"",
            &["unknown profile `gpu`"],
        ),
    ];
    for (from, to, needles) in cases {
        let (code, err) = validate(&quickstart_with(from, to));
        assert_eq!(code, Some(2), "{to}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        for n in *needles {
            assert!(err.contains(n), "`{to}`: expected `{n}` in: {err}");
        }
    }
    // A missing file and a bad --set are bad input too.
    let o = authsim(&["run", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = authsim(&[
        "validate",
        &scenario("quickstart.toml"),
        "--set",
        "population.devices=-5",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = authsim(&[
        "validate",
        &scenario("quickstart.toml"),
        "--set",
        "population.devices=7",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn milenage_command_reproduces_ts_35_207_set_1_and_kasme() {
    let o = authsim(&[
        "milenage",
        "--k",
        "465b5ce8b199b49faa5f0a2ee238a6bc",
        "--op",
        "cdc202d5123e20f62b6d676ac72cb318",
        "--rand",
        "23553cbe9637a89d218ae64dae47bf35",
        "--sqn",
        "ff9bb4d0b607",
        "--amf",
        "b9b9",
        "--snid",
        "00f110",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for (k, want) in [
        ("opc", "cd63cb71954a9f4e48a5994e37a02baf"),
        ("f1", "4a9ffac354dfafb3"),
        ("f1_star", "01cfaf9ec4e871e9"),
        ("f2", "a54211d5e3ba50bf"),
        ("f3", "b40ba9a3c58b2a05bbf0d987b21bf8cb"),
        ("f4", "f769bcd751044604127672711c6d3441"),
        ("f5", "aa689c648370"),
        ("f5_star", "451e8beca43b"),
    ] {
        assert_eq!(v[k], want, "{k}");
    }
    // AUTN = SQN^AK || AMF || MAC-A
    assert_eq!(v["autn"], "55f328b43577b9b94a9ffac354dfafb3");
    assert_eq!(v["kasme"].as_str().unwrap().len(), 64);
    for bad in [
        &["--k", "zz"][..],
        &["--k", "465b5ce8b199b49faa5f0a2ee238a6"][..],
    ] {
        let mut args = vec![
            "milenage",
            "--opc",
            "cd63cb71954a9f4e48a5994e37a02baf",
            "--rand",
            "23553cbe9637a89d218ae64dae47bf35",
            "--sqn",
            "ff9bb4d0b607",
            "--amf",
            "b9b9",
        ];
        args.extend_from_slice(bad);
        let o = authsim(&args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&o).contains("--k"), "{}", stderr(&o));
    }
}

#[test]
fn calibrate_writes_a_profile_that_a_scenario_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let snippet = tmp.path().join("profile.toml");
    let o = authsim(&[
        "calibrate",
        "--out",
        snippet.to_str().unwrap(),
        "--name",
        "measured",
        "--budget-ms",
        "3",
        "--watts",
        "5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("p256_mul"), "prints what it measured: {out}");
    let text = std::fs::read_to_string(&snippet).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    let p = &t["profiles"]["measured"];
    assert_eq!(p["base"].as_str(), Some("server"));
    for table in ["prim_ns", "prim_uj"] {
        let prims = p[table].as_table().unwrap();
        for name in [
            "aes_block",
            "sha256_block",
            "p256_mul",
            "p256_mul_base",
            "p256_add",
            "scalar_inv",
            "scalar_mul",
            "aead_byte",
            "pairing",
            "miller_loop",
            "final_exp",
            "g1_mul",
            "g2_mul",
            "g1_add",
            "g2_add",
            "hash_to_g1",
            "hash_to_g2",
            "g1_decompress",
            "g2_decompress",
        ] {
            let v = prims[name].as_float().unwrap();
            assert!(v > 0.0 && v.is_finite(), "{table}.{name} = {v}");
        }
    }
    // Pasted into a scenario, it parses and prices a node.
    let scn = quickstart_with("profile = \"server\"", "profile = \"measured\"") + "\n" + &text;
    let (code, err) = validate(&scn);
    assert_eq!(code, Some(0), "{err}");
    // Bad arguments are bad input.
    let o = authsim(&["calibrate", "--name", "no spaces", "--budget-ms", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--name"), "{}", stderr(&o));
}

#[test]
fn replications_summarise_with_confidence_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = |n: &str| tmp.path().join(n);
    let run = |out: &str, extra: &[&str]| {
        let o = authsim(
            &[
                &[
                    "run",
                    &scenario("quickstart.toml"),
                    "--out",
                    dir(out).to_str().unwrap(),
                    "--quiet",
                    "--set",
                    "population.devices=60",
                ][..],
                extra,
            ]
            .concat(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run("one", &[]);
    run("one-explicit", &["--set", "run.replications=1"]);
    run("three", &["--set", "run.replications=3"]);
    // R = 1 is exactly a single run; replication 0 of R = 3 writes the same files.
    for f in ["messages.csv", "nodes.csv", "auth.csv", "summary.json"] {
        assert_eq!(
            read(&dir("one").join(f)),
            read(&dir("one-explicit").join(f)),
            "{f}"
        );
        assert_eq!(
            read(&dir("one").join(f)),
            read(&dir("three").join(f)),
            "{f}"
        );
    }
    assert!(!dir("one").join("replications.csv").exists());
    // R = 3: a 95 % CI per metric, from three replications.
    let csv = String::from_utf8(read(&dir("three").join("replications.csv"))).unwrap();
    assert!(
        csv.starts_with("metric,n,mean,sd,ci95_low,ci95_high\n"),
        "{csv}"
    );
    let row = csv
        .lines()
        .find(|l| l.starts_with("latency.ue.p50_s,"))
        .unwrap();
    let f: Vec<f64> = row.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
    let (n, mean, sd, lo, hi) = (f[0], f[1], f[2], f[3], f[4]);
    assert_eq!(n, 3.0);
    assert!(sd > 0.0 && lo < mean && mean < hi, "{row}");
    assert!(
        ((hi - lo) / 2.0 - 4.303 * sd / 3f64.sqrt()).abs() < 1e-9 * hi,
        "{row}"
    );
    assert!(csv.contains("\nenergy.ue.per_endpoint_j,3,"), "{csv}");
    // Different seeds give different latencies.
    let runs = String::from_utf8(read(&dir("three").join("replications_runs.csv"))).unwrap();
    let p50: Vec<(String, String)> = runs
        .lines()
        .filter(|l| l.contains(",latency.ue.p50_s,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[3].to_string())
        })
        .collect();
    assert_eq!(p50.len(), 3);
    assert_eq!(p50[0].0, "1", "replication 0 runs with the scenario seed");
    assert!(p50[0].1 != p50[1].1 && p50[1].1 != p50[2].1, "{p50:?}");
    assert!(p50[1].0 != p50[2].0);
    for f in ["replications_latency.png", "energy.png"] {
        assert_eq!(
            &read(&dir("three").join(f))[..8],
            b"\x89PNG\r\n\x1a\n",
            "{f}"
        );
    }
    // Zero replications is bad input naming the field.
    let o = authsim(&[
        "validate",
        &scenario("quickstart.toml"),
        "--set",
        "run.replications=0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("run.replications"), "{}", stderr(&o));
}

/// Every shipped scenario and sweep file validates (issue 15 item 4), and a
/// sweep is checked at every axis value of every variant: a bad value in one
/// axis is found without running anything.
#[test]
fn validate_checks_shipped_scenarios_and_every_point_of_a_sweep() {
    let mut sweeps = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let o = authsim(&["validate", p.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        if out.contains("(sweep `") {
            sweeps += 1;
        }
    }
    assert!(sweeps >= 5, "validate reported {sweeps} sweeps");
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/data/small-sweep.toml"))
        .unwrap()
        .replace(
            "../../scenarios/",
            &format!("{}/", scenario("").trim_end_matches('/')),
        )
        .replace("values = [1, 10, 50]", "values = [1, 0, 50]");
    let p = tmp.path().join("bad-axis.toml");
    std::fs::write(&p, text).unwrap();
    let o = authsim(&["validate", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for needle in ["quickstart.toml", "population.devices", "at least 1"] {
        assert!(stderr(&o).contains(needle), "{needle}: {}", stderr(&o));
    }
}

/// Issue 15 item 7: each mistake says what to do instead.
#[test]
fn mistakes_come_with_hints() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o").display().to_string();
    let check = |args: &[&str], needles: &[&str]| {
        let o = authsim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        for n in needles {
            assert!(stderr(&o).contains(n), "{args:?}: `{n}` in {}", stderr(&o));
        }
    };
    let sweep_file = scenario("lai2012-fig9.toml");
    let run_file = scenario("quickstart.toml");
    check(
        &["run", &sweep_file, "--out", &out],
        &["this is a sweep file", "authsim sweep"],
    );
    check(
        &["sweep", &run_file, "--out", &out],
        &["this is a scenario file", "authsim run"],
    );
    // A negative count names the field, its line and the allowed range.
    let (code, err) = validate(&quickstart_with("devices = 1000", "devices = -5"));
    assert_eq!(code, Some(2));
    for n in ["bad.toml:13", "population.devices", "-5", "0 to 4294967295"] {
        assert!(err.contains(n), "`{n}` in {err}");
    }
    // A --set that makes the scenario invalid is blamed, not the file.
    check(
        &["validate", &run_file, "--set", "population.devices=0"],
        &["--set `population.devices=0`", "at least 1"],
    );
    check(
        &["validate", &run_file, "--set", "population.devices=-5"],
        &["--set `population.devices=-5`", "0 to 4294967295"],
    );
    let o = authsim(&["validate", &run_file, "--set", "population.devices=0"]);
    // No line of the file is blamed (the file says `devices = 1000` on line 13).
    assert!(!stderr(&o).contains("quickstart.toml:13"), "{}", stderr(&o));
    // An unknown profile lists the valid ones.
    check(
        &["validate", &run_file, "--set", "nodes.ue.profile=gpu"],
        &[
            "unknown profile `gpu`",
            "constrained-device",
            "smart-meter",
            "free",
        ],
    );
}

/// Issue 15 item 5: a sweep's seed and replications come from the command
/// line too (and reach the sweep.toml a merge reads); an override that
/// would change nothing is an error, not a silent no-op.
#[test]
fn sweep_seed_and_replications_flags_and_no_silent_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_sweep();
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    let sweep = |out: &str, extra: &[&str]| {
        let o = authsim(&[&["sweep", &file, "--out", &dir(out), "--quiet"][..], extra].concat());
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        String::from_utf8(read(&tmp.path().join(out).join("runs.csv"))).unwrap()
    };
    let base = sweep("base", &[]);
    let same = sweep("seed3", &["--seed", "3"]);
    assert_eq!(base, same, "--seed 3 is the file's own seed");
    let other = sweep("seed9", &["--seed", "9"]);
    assert_ne!(base, other, "--seed 9 changes the runs");
    let seeds = |t: &str| -> Vec<String> {
        t.lines()
            .skip(1)
            .map(|l| l.split(',').nth(4).unwrap().to_string())
            .collect()
    };
    assert!(seeds(&base).iter().zip(seeds(&other)).all(|(a, b)| *a != b));
    let one = sweep("r1", &["--replications", "1"]);
    let reps: std::collections::BTreeSet<&str> = one
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(reps.into_iter().collect::<Vec<_>>(), ["0"]);
    let four = sweep("r4", &["--replications", "4"]);
    assert!(four.lines().any(|l| l.split(',').nth(3) == Some("3")));
    // Shards of a sweep run with flags merge into that sweep.
    for k in ["1/2", "2/2"] {
        sweep(&k.replace('/', "of"), &["--seed", "9", "--shard", k]);
    }
    let o = authsim(&["merge", "--out", &dir("merged"), &dir("1of2"), &dir("2of2")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read(&tmp.path().join("merged/runs.csv")),
        other.as_bytes(),
        "merged shards of --seed 9"
    );
    // Overrides a sweep would ignore or that would flatten an axis.
    for (set, needle) in [
        ("run.seed=5", "--seed"),
        ("sweep.replications=5", "--replications"),
        ("run.replications=5", "--replications"),
        ("population.devices=5", "axis `n`"),
        ("protocol.no_such_key=1", "matches no key"),
    ] {
        let o = authsim(&["sweep", &file, "--out", &dir("x"), "--quiet", "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{set}: {}", stderr(&o));
    }
    let o = authsim(&[
        "run",
        &scenario("quickstart.toml"),
        "--set",
        "protocol.no_such_key=1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--set `protocol.no_such_key=1`"),
        "{}",
        stderr(&o)
    );
}

/// Issue 15 item 7: `merge` names the shards it was not given.
#[test]
fn merge_names_missing_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_sweep();
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    for k in ["1/4", "3/4"] {
        let o = authsim(&[
            "sweep",
            &file,
            "--out",
            &dir(&k.replace('/', "of")),
            "--shard",
            k,
            "--quiet",
            "--replications",
            "1",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = authsim(&["merge", "--out", &dir("m"), &dir("1of4"), &dir("3of4")]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("shard 2/4 (runs 1, 5)"), "{err}");
    assert!(err.contains("shard 4/4 (runs 3)"), "{err}");
    assert!(!err.contains("shard 1/4"), "{err}");
}

/// Issue 15 items 3 and 7: help that says what a command takes and writes.
#[test]
fn help_texts_describe_validate_and_the_trace_columns() {
    let o = authsim(&["validate", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(help.contains("sweep"), "{help}");
    assert!(
        help.contains("<FILE>") && help.contains("Scenario file or sweep file"),
        "{help}"
    );
    let o = authsim(&["run", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    for col in ["time_s", "sender_node", "pdu_hex"] {
        assert!(help.contains(col), "{col}: {help}");
    }
    let o = authsim(&["sweep", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        help.contains("--seed") && help.contains("--replications"),
        "{help}"
    );
}

/// Issue 15 item 8: endpoint ids in auth.csv and the trace are text to a
/// numbers-first CSV reader (pandas, R, Excel), so 1000 devices stay 1000
/// distinct values; the form `0.10` read as 0.1 and collapsed them to 901.
#[test]
fn endpoint_ids_stay_distinct_when_a_csv_reader_tries_numbers_first() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q");
    let trace = tmp.path().join("trace.csv");
    let o = authsim(&[
        "run",
        &scenario("quickstart.toml"),
        "--out",
        out.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        "--set",
        "population.devices=1000",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // What a numbers-first reader keeps of a field: the number if it parses.
    let as_read = |v: &str| match v.parse::<f64>() {
        Ok(x) => format!("number {x}"),
        Err(_) => format!("text {v}"),
    };
    let auth = String::from_utf8(read(&out.join("auth.csv"))).unwrap();
    let mut ues = std::collections::BTreeSet::new();
    for line in auth.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for id in [f[2], f[3]] {
            assert!(
                id.parse::<f64>().is_err(),
                "`{id}` reads as a number: {line}"
            );
            assert!(id.split_once(':').is_some(), "`{id}` is not NODE:INDEX");
        }
        if f[1] == "ue" {
            assert!(f[2].starts_with("ue:"), "{line}");
            ues.insert(as_read(f[2]));
        }
    }
    assert_eq!(ues.len(), 1000, "distinct UE ids as a CSV reader sees them");
    assert!(ues.contains("text ue:10") && ues.contains("text ue:1"));
    let trace = String::from_utf8(read(&trace)).unwrap();
    let mut senders = std::collections::BTreeSet::new();
    for line in trace.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for id in std::iter::once(f[1]).chain(f[2].split(';')) {
            assert!(
                id.parse::<f64>().is_err(),
                "`{id}` reads as a number: {line}"
            );
        }
        assert!(
            f[1].starts_with(&format!("{}:", f[6])),
            "from is the sender: {line}"
        );
        senders.insert(as_read(f[1]));
    }
    assert_eq!(senders.len(), 1000 + 2, "1000 UEs, the MME and the HSS");
}

/// Issue 15 item 9 / issue 16 item 4: the crypto floor is measured only when
/// asked for, covers every primitive the run counted, and is inside the "in
/// all" time the run reports.
#[test]
fn crypto_floor_is_opt_in_and_counted_in_all() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| -> (String, f64) {
        let t0 = std::time::Instant::now();
        let out = tmp.path().join("o").display().to_string();
        let o = authsim(
            &[
                &[
                    "run",
                    &scenario("chien-gas.toml"),
                    "--out",
                    &out,
                    "--set",
                    "population.devices=10",
                    "--set",
                    "outputs.plots=false",
                ][..],
                extra,
            ]
            .concat(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        (stderr(&o), t0.elapsed().as_secs_f64())
    };
    let (plain, _) = run(&[]);
    assert!(!plain.contains("crypto floor"), "{plain}");
    // `--p256-floor` is the flag's older name.
    for flag in ["--crypto-floor", "--p256-floor"] {
        let (floor, _) = run(&[flag]);
        // Chien GAS counts P-256 multiplications and additions and SHA-256 work.
        for prim in ["p256_mul ", "p256_add ", "sha256_block "] {
            assert!(floor.contains(&format!("x {prim}at")), "{prim}: {floor}");
        }
        assert!(floor.contains("simulation / crypto floor = "), "{floor}");
    }
    let (floor, wall) = run(&["--crypto-floor"]);
    // Timing the multiplications is most of the process's wall time; "in
    // all" includes it (left out, it was a small fraction of the wall time).
    let in_all = floor
        .split(" s in all")
        .next()
        .and_then(|s| s.rsplit("; ").next())
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no total in {floor}"));
    assert!(
        in_all >= 0.6 * wall,
        "{in_all} s in all, {wall} s wall: {floor}"
    );
}

/// Issue 15 item 3: the TOML the README shows as the quick start is
/// scenarios/quickstart.toml, byte for byte.
#[test]
fn readme_quickstart_block_is_the_shipped_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let file = std::fs::read_to_string(root().join("scenarios/quickstart.toml")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```\n").next())
        .collect();
    let quick = blocks
        .iter()
        .find(|b| b.contains("name = \"quickstart\""))
        .expect("README shows the quick start TOML");
    assert_eq!(
        *quick, file,
        "README's quick start block differs from the file"
    );
    for profile in ["constrained-device", "`free`", "mtc-device", "smart-meter"] {
        assert!(readme.contains(profile), "README omits profile {profile}");
    }
}

/// Issue 15 item 12: the Slurm job-array script, run as Slurm would (one
/// process per array task, all at once), gives shards that merge into
/// exactly the files of an unsharded sweep.
#[test]
fn slurm_array_shards_merge_into_the_unsharded_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = small_sweep();
    let out = tmp.path().join("array");
    let dir = |n: &str| tmp.path().join(n).display().to_string();
    let o = authsim(&["sweep", &file, "--out", &dir("whole"), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = root().join("tools/slurm/sweep-array.sh");
    let tasks: Vec<std::process::Child> = (1..=3)
        .map(|k| {
            Command::new("bash")
                .arg(&script)
                .arg(&file)
                .arg(&out)
                .env("SLURM_ARRAY_TASK_ID", k.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "3")
                .env("SLURM_CPUS_PER_TASK", "1")
                .env("AUTHSIM", env!("CARGO_BIN_EXE_authsim"))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("bash runs the script")
        })
        .collect();
    for t in tasks {
        let o = t.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for k in 1..=3 {
        let shard = std::fs::read_to_string(out.join(format!("shard-{k}/shard.txt"))).unwrap();
        assert!(shard.starts_with(&format!("shard {k}/3 ")), "{shard}");
    }
    let shards: Vec<String> = (1..=3)
        .map(|k| out.join(format!("shard-{k}")).display().to_string())
        .collect();
    let merged_dir = dir("merged");
    let mut args = vec!["merge", "--out", &merged_dir];
    args.extend(shards.iter().map(String::as_str));
    let o = authsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "runs.csv",
        "summary.csv",
        "improvements.csv",
        "bytes_per_device.png",
    ] {
        assert_eq!(
            read(&tmp.path().join("whole").join(f)),
            read(&tmp.path().join("merged").join(f)),
            "{f}: merged Slurm shards vs one sweep"
        );
    }
    // Outside an array the script refuses, naming what is missing.
    let o = Command::new("bash")
        .arg(&script)
        .arg(&file)
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("sbatch --array"), "{}", stderr(&o));
}
