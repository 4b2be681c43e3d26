//! Long experiments survive interruption (issue 17): sweeps killed at random
//! moments and resumed give the files of an uninterrupted sweep; Ctrl-C stops
//! gracefully; a torn journal record is cut off; a changed input refuses a
//! resume; a failed write leaves no final-named partial file; `verify`
//! catches a one-byte change; runs and sweeps keep to their own folders.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use authsim_sim::journal::{JOURNAL_FILE, parse};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_authsim")
}

fn authsim(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().expect("runs")
}

fn spawn(args: &[&str]) -> Child {
    Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn resume_sweep() -> String {
    root()
        .join("tests/data/resume-sweep.toml")
        .display()
        .to_string()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The sweep's outputs, all but manifest.json (wall-clock times).
const SWEEP_FILES: [&str; 5] = [
    "runs.csv",
    "summary.csv",
    "improvements.csv",
    "bytes_per_device.png",
    "sweep.toml",
];

fn assert_same_outputs(a: &Path, b: &Path, files: &[&str], why: &str) {
    for f in files {
        assert!(read(&a.join(f)) == read(&b.join(f)), "{f} differs ({why})");
    }
    for d in [a, b] {
        for e in std::fs::read_dir(d).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                files.contains(&name.as_str()) || name == "manifest.json",
                "{}: unexpected {name} ({why})",
                d.display()
            );
        }
    }
}

/// Runs recorded in `dir`'s journal (read only: the sweep may be writing it).
fn journaled_runs(dir: &Path) -> Option<usize> {
    let p = dir.join(JOURNAL_FILE);
    let bytes = std::fs::read(&p).ok()?;
    let rec = parse(&p, &bytes).ok()?;
    rec.header.as_ref()?;
    Some(rec.runs.len())
}

/// Waits until `dir`'s journal holds at least `n` runs or the child ends.
fn wait_for_runs(child: &mut Child, dir: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while journaled_runs(dir).unwrap_or(0) < n {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        assert!(Instant::now() < deadline, "no journal progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// xorshift64*, seeded from the clock; the seed is printed on failure.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

fn clock_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    (t.as_nanos() as u64) | 1
}

/// SIGKILL at several random moments (the first once some runs are
/// journaled, the others anywhere, output writing included), each time
/// resumed with another --jobs: the final files are those of an
/// uninterrupted sweep, byte for byte; also for a shard.
#[test]
fn sigkill_at_random_moments_then_resume_matches_an_uninterrupted_sweep() {
    let seed = clock_seed();
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let file = resume_sweep();
    for shard in [None, Some("2/3")] {
        let tag = shard.map_or("all".to_string(), |s| s.replace('/', "of"));
        let reference = tmp.path().join(format!("ref-{tag}"));
        let killed = tmp.path().join(format!("killed-{tag}"));
        let (r, k) = (
            reference.display().to_string(),
            killed.display().to_string(),
        );
        let mut base = vec!["sweep", file.as_str(), "--quiet"];
        if let Some(s) = shard {
            base.extend(["--shard", s]);
        }
        let t0 = Instant::now();
        let o = authsim(&[&base[..], &["--out", &r, "--jobs", "2"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let full_ms = t0.elapsed().as_millis() as u64;
        let mut kills = 0;
        let mut partial = 0;
        for attempt in 0.. {
            let jobs = ["1", "2", "3"][attempt % 3];
            let mut child =
                spawn(&[&base[..], &["--out", &k, "--jobs", jobs, "--resume"]].concat());
            if attempt == 0 {
                // Once at least one run is journaled (of 12, one in flight).
                wait_for_runs(&mut child, &killed, 1);
            } else if attempt < 4 {
                std::thread::sleep(Duration::from_millis(rng.below(full_ms)));
            }
            if child.try_wait().unwrap().is_none() && attempt < 4 {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
                if journaled_runs(&killed).is_some_and(|n| n > 0) {
                    partial += 1;
                }
                continue;
            }
            let o = child.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "seed {seed}, attempt {attempt}: {}",
                stderr(&o)
            );
            break;
        }
        assert!(kills >= 1 && partial >= 1, "seed {seed}: {kills} kills");
        let files: Vec<&str> = match shard {
            None => SWEEP_FILES.to_vec(),
            Some(_) => vec!["runs.csv", "sweep.toml", "shard.txt"],
        };
        assert_same_outputs(
            &reference,
            &killed,
            &files,
            &format!("seed {seed}, {kills} kills, shard {tag}"),
        );
        let o = authsim(&["verify", &k]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

/// Ctrl-C: the runs in flight finish, the journal stays, the exit code is
/// 130 and stderr holds the exact resume command; a torn record appended to
/// the journal is cut off on resume; the result is the uninterrupted one.
/// A second Ctrl-C stops at once and leaves a journal without a torn record.
#[test]
fn ctrl_c_stops_gracefully_and_the_printed_command_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = resume_sweep();
    let reference = tmp.path().join("ref");
    let o = authsim(&[
        "sweep",
        &file,
        "--out",
        reference.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for signals in [1, 2] {
        let dir = tmp.path().join(format!("sig{signals}"));
        let d = dir.display().to_string();
        let mut child = spawn(&["sweep", &file, "--out", &d, "--jobs", "1", "--quiet"]);
        wait_for_runs(&mut child, &dir, 1);
        for _ in 0..signals {
            let k = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(k.success());
            std::thread::sleep(Duration::from_millis(1));
        }
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(130), "{err}");
        assert!(!dir.join("runs.csv").exists(), "{err}");
        let bytes = read(&dir.join(JOURNAL_FILE));
        let rec = parse(&dir.join(JOURNAL_FILE), &bytes).unwrap();
        assert_eq!(rec.truncated, 0, "a signal tore a record");
        let done = rec.runs.len();
        assert!((1..12).contains(&done), "{done} runs journaled: {err}");
        // The last line names the command; run it as printed.
        let cmd = err.lines().last().unwrap().trim().to_string();
        assert!(cmd.ends_with("--resume"), "{err}");
        assert!(cmd.contains(&d), "{err}");
        // A record torn by a crash after the stop.
        let mut torn = bytes.clone();
        torn.extend_from_slice(&[40, 0, 0, 0, 1, 2, 3]);
        std::fs::write(dir.join(JOURNAL_FILE), &torn).unwrap();
        let o = Command::new("sh").args(["-c", &cmd]).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("torn"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("resuming: {done} of 12 runs already done")),
            "{}",
            stderr(&o)
        );
        assert_same_outputs(&reference, &dir, &SWEEP_FILES, "after Ctrl-C");
    }
}

/// A resume is refused, naming what changed, when the sweep file, a variant
/// file or the overrides differ from the journal's; and a fresh sweep does
/// not silently overwrite an interrupted one's journal.
#[test]
fn resume_refuses_changed_inputs_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let quickstart = root().join("scenarios/quickstart.toml");
    let variant = tmp.path().join("variant.toml");
    std::fs::copy(&quickstart, &variant).unwrap();
    let sweep_text = std::fs::read_to_string(resume_sweep())
        .unwrap()
        .replace("../../scenarios/quickstart.toml", "variant.toml");
    let file = tmp.path().join("sweep.toml");
    std::fs::write(&file, &sweep_text).unwrap();
    let (f, dir) = (file.display().to_string(), tmp.path().join("out"));
    let d = dir.display().to_string();
    let mut child = spawn(&["sweep", &f, "--out", &d, "--jobs", "1", "--quiet"]);
    wait_for_runs(&mut child, &dir, 1);
    child.kill().unwrap();
    child.wait().unwrap();
    let resume = |extra: &[&str]| {
        authsim(
            &[
                &["sweep", f.as_str(), "--out", &d, "--quiet", "--resume"],
                extra,
            ]
            .concat(),
        )
    };
    // Without --resume: refused, not overwritten.
    let o = authsim(&["sweep", &f, "--out", &d, "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));

    std::fs::write(&file, sweep_text.replace("seed = 3", "seed = 4")).unwrap();
    let o = resume(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the sweep file changed"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("the seeds changed"), "{}", stderr(&o));
    std::fs::write(&file, &sweep_text).unwrap();

    let v = std::fs::read_to_string(&variant).unwrap();
    std::fs::write(&variant, v.replace("servers = 2", "servers = 3")).unwrap();
    let o = resume(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("variant file") && err.contains("variant.toml"),
        "{err}"
    );
    assert!(!err.contains("the sweep file changed"), "{err}");
    std::fs::write(&variant, &v).unwrap();

    let o = resume(&["--set", "nodes.mme.servers=3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("overrides changed"), "{}", stderr(&o));

    // The same sweep through another path (relative, from its folder) resumes.
    let o = Command::new(bin())
        .args(["sweep", "sweep.toml", "--out", "out", "--quiet", "--resume"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("resuming: "), "{}", stderr(&o));
    assert!(!dir.join(JOURNAL_FILE).exists());
}

/// A file that cannot be written whole (the file size limit stands in for a
/// full disk) fails the run and leaves no file under its final name, and
/// no temporary file either.
#[test]
fn a_failed_write_leaves_no_final_named_partial_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // 40 blocks of 512 octets: messages.csv and nodes.csv fit, auth.csv of
    // 1000 devices (about 100 kB) does not. SIGXFSZ is ignored so that the
    // write fails with EFBIG instead of killing the process.
    let o = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 40; exec \"$0\" \"$@\"",
            bin(),
            "run",
            root().join("scenarios/quickstart.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("auth.csv"), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["messages.csv", "nodes.csv"], "{err}");
}

/// `verify` passes on a fresh folder and fails (exit 1) on a one-byte
/// change, a missing file and an extra file, naming each.
#[test]
fn verify_catches_a_one_byte_change() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q");
    let trace = out.join("trace.txt");
    let o = authsim(&[
        "run",
        root().join("scenarios/quickstart.toml").to_str().unwrap(),
        "--set",
        "population.devices=20",
        "--out",
        out.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value = serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(m["kind"], "run");
    assert_eq!(m["name"], "quickstart");
    assert_eq!(m["seed"], 1);
    assert!(m["files"]["trace.txt"].is_string(), "{m}");
    assert!(m["files"]["auth.csv"].is_string(), "{m}");
    assert_eq!(m["inputs"][0]["sha256"].as_str().unwrap().len(), 64, "{m}");
    let o = authsim(&["verify", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let path = out.join("messages.csv");
    let original = read(&path);
    let mut changed = original.clone();
    let i = changed.len() / 2;
    changed[i] ^= 0x01;
    std::fs::write(&path, &changed).unwrap();
    let o = authsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("changed: messages.csv"), "{text}");
    std::fs::write(&path, &original).unwrap();

    std::fs::remove_file(out.join("nodes.csv")).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = authsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("missing: nodes.csv"), "{text}");
    assert!(
        text.contains("extra (not in the manifest): notes.txt"),
        "{text}"
    );
    assert!(!text.contains("changed"), "{text}");
}

/// Issue 15 item 6: a scenario and a sweep with the same name write to
/// different default folders, and neither writes into a folder holding the
/// other's results unless --force is given.
#[test]
fn runs_and_sweeps_keep_to_their_own_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = tmp.path().join("same-name.toml");
    let text = std::fs::read_to_string(root().join("scenarios/quickstart.toml"))
        .unwrap()
        .replace("name = \"quickstart\"", "name = \"resume-sweep\"");
    assert!(text.contains("resume-sweep"));
    std::fs::write(&scn, text).unwrap();
    let in_tmp = |args: &[&str]| {
        Command::new(bin())
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    let small = ["--set", "population.devices=10", "--quiet"];
    let o = in_tmp(&[&["run", scn.to_str().unwrap()], &small[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = in_tmp(&["sweep", &resume_sweep(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run_dir = tmp.path().join("out/resume-sweep");
    let sweep_dir = tmp.path().join("out/resume-sweep-sweep");
    assert!(run_dir.join("messages.csv").exists());
    assert!(!run_dir.join("runs.csv").exists());
    assert!(sweep_dir.join("runs.csv").exists());
    assert!(!sweep_dir.join("messages.csv").exists());

    // Into the other's folder: refused (exit 2), naming the owner.
    let o = in_tmp(&[
        "sweep",
        &resume_sweep(),
        "--out",
        "out/resume-sweep",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("scenario `resume-sweep`"),
        "{}",
        stderr(&o)
    );
    assert!(!run_dir.join("runs.csv").exists());
    let quickstart = root().join("scenarios/quickstart.toml");
    let o = in_tmp(
        &[
            &[
                "run",
                quickstart.to_str().unwrap(),
                "--out",
                "out/resume-sweep",
            ],
            &small[..],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    // The same scenario again is fine; another with --force too.
    let o = in_tmp(&[&["run", scn.to_str().unwrap()], &small[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = in_tmp(
        &[
            &[
                "run",
                quickstart.to_str().unwrap(),
                "--out",
                "out/resume-sweep",
                "--force",
            ],
            &small[..],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&read(&run_dir.join("manifest.json"))).unwrap();
    assert_eq!(m["name"], "quickstart");
}
