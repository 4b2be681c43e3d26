//! `manifest.json`: the provenance of a run or sweep folder — which binary,
//! which command, which input files (SHA-256), which seeds, when, and the
//! SHA-256 of every output file — so a reader can check that a figure came
//! from a given scenario and binary (`authsim verify DIR`).
//!
//! The manifest also names the folder's owner (kind and name): a run or sweep
//! refuses to write into a folder whose manifest names another scenario
//! unless `--force` is given, so results of two scenarios never mix.
//!
//! It holds wall-clock times, so it is the one output that differs between
//! two otherwise identical runs; determinism comparisons leave it out.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use authsim_sim::atomic_file::write_atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Failure;

/// The manifest's file name in an output folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The git commit this binary was built from (build.rs), if known.
pub fn git_commit() -> Option<String> {
    let c = env!("AUTHSIM_GIT_COMMIT");
    (!c.is_empty()).then(|| c.to_string())
}

/// authsim's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What wrote a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Run,
    Sweep,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Run => "scenario",
            Kind::Sweep => "sweep",
        })
    }
}

/// An input file and the SHA-256 of its contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
}

impl InputFile {
    /// An input whose text was read already (hash of exactly what was used).
    pub fn of_text(path: &Path, text: &str) -> Self {
        InputFile {
            path: path.display().to_string(),
            sha256: sha256_hex(text.as_bytes()),
        }
    }
}

/// The provenance of one output folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub authsim_version: String,
    /// The commit the binary was built from, `null` when unknown.
    pub git_commit: Option<String>,
    pub kind: Kind,
    /// The scenario's or sweep's `name`.
    pub name: String,
    /// The command line, one argument per entry.
    pub command: Vec<String>,
    /// Scenario / sweep / variant files (and shard folders' files for a merge).
    pub inputs: Vec<InputFile>,
    /// The run's seed, or the sweep's root seed.
    pub seed: u64,
    /// Seeds of the runs behind the folder's files: replications of a run,
    /// runs of a sweep (or shard) in run order.
    pub run_seeds: Vec<u64>,
    /// `k/N` for a shard.
    pub shard: Option<String>,
    /// Runs in parallel (sweep `--jobs`, replication threads of a run); each
    /// simulation itself is single-threaded.
    pub jobs: usize,
    pub threads_per_run: usize,
    /// Wall-clock start and end (RFC 3339, UTC).
    pub started: String,
    pub finished: String,
    /// Every output file (relative to the folder, or as given when outside
    /// it) with its SHA-256; the manifest itself is not listed.
    pub files: BTreeMap<String, String>,
}

/// Now, as RFC 3339 UTC with seconds.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a file's contents, read in blocks (auth.csv can be large).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The command line as this process received it.
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Reads `dir/manifest.json`: `Ok(None)` when there is none.
pub fn read(dir: &Path) -> Result<Option<Manifest>, Failure> {
    let path = dir.join(MANIFEST_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::BadInput(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Failure::BadInput(format!("{}: not an authsim manifest: {e}", path.display())))
}

/// Refuses to write `kind` `name` into `dir` when its manifest says it holds
/// another scenario's or sweep's results, unless `force`.
pub fn claim_folder(dir: &Path, kind: Kind, name: &str, force: bool) -> Result<(), Failure> {
    if force {
        return Ok(());
    }
    let owner = match read(dir) {
        Ok(Some(m)) => m,
        Ok(None) => return Ok(()),
        Err(e) => {
            return Err(Failure::BadInput(format!(
                "{e}; refusing to write into {} (add --force to write anyway)",
                dir.display()
            )));
        }
    };
    if owner.kind == kind && owner.name == name {
        return Ok(());
    }
    Err(Failure::BadInput(format!(
        "{} holds the results of {} `{}` (see its manifest.json), not of {kind} `{name}`: choose another --out, or add --force to write into it anyway",
        dir.display(),
        owner.kind,
        owner.name,
    )))
}

/// The name a file gets in the manifest: relative to `dir` when inside it,
/// else its absolute path (so `verify` finds it from anywhere).
fn file_key(dir: &Path, file: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (d, f) = (canon(dir), canon(file));
    match f.strip_prefix(&d) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => f.display().to_string(),
    }
}

impl Manifest {
    /// Hashes `files` into the manifest and writes it into `dir` (atomically).
    pub fn write(mut self, dir: &Path, files: &[PathBuf]) -> Result<PathBuf, Failure> {
        for f in files {
            let hash = sha256_file(f)
                .map_err(|e| Failure::RunFailed(format!("cannot hash {}: {e}", f.display())))?;
            self.files.insert(file_key(dir, f), hash);
        }
        self.finished = now();
        let path = dir.join(MANIFEST_FILE);
        let json = serde_json::to_string_pretty(&self).map_err(Failure::run)? + "\n";
        write_atomic(&path, json.as_bytes()).map_err(Failure::run)?;
        Ok(path)
    }
}

/// What `verify` found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub ok: Vec<String>,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    /// Files in the folder the manifest does not list.
    pub extra: Vec<String>,
}

impl Verification {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Recomputes every listed file's SHA-256 and looks for unlisted files.
pub fn verify(dir: &Path) -> Result<(Manifest, Verification), Failure> {
    let m = read(dir)?.ok_or_else(|| {
        Failure::BadInput(format!("{}: no {MANIFEST_FILE}", dir.join("").display()))
    })?;
    let mut v = Verification::default();
    for (name, hash) in &m.files {
        match sha256_file(&dir.join(name)) {
            Ok(h) if h == *hash => v.ok.push(name.clone()),
            Ok(_) => v.changed.push(name.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => v.missing.push(name.clone()),
            Err(e) => {
                return Err(Failure::RunFailed(format!(
                    "cannot read {}: {e}",
                    dir.join(name).display()
                )));
            }
        }
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let entries = std::fs::read_dir(dir.join(&rel))
            .map_err(|e| Failure::RunFailed(format!("cannot list {}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(Failure::run)?;
            let name = rel.join(entry.file_name());
            if entry.file_type().map_err(Failure::run)?.is_dir() {
                stack.push(name);
                continue;
            }
            let key = name.display().to_string();
            if key != MANIFEST_FILE && !m.files.contains_key(&key) {
                v.extra.push(key);
            }
        }
    }
    v.extra.sort();
    Ok((m, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kind: Kind, name: &str) -> Manifest {
        Manifest {
            authsim_version: VERSION.into(),
            git_commit: git_commit(),
            kind,
            name: name.into(),
            command: vec!["authsim".into()],
            inputs: vec![],
            seed: 1,
            run_seeds: vec![1],
            shard: None,
            jobs: 1,
            threads_per_run: 1,
            started: now(),
            finished: String::new(),
            files: BTreeMap::new(),
        }
    }

    #[test]
    fn verify_finds_changed_missing_and_extra_files() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for f in ["a.csv", "b.csv", "c.png"] {
            std::fs::write(d.join(f), f).unwrap();
        }
        let files: Vec<PathBuf> = ["a.csv", "b.csv", "c.png"]
            .iter()
            .map(|f| d.join(f))
            .collect();
        manifest(Kind::Run, "q").write(d, &files).unwrap();
        let (m, v) = verify(d).unwrap();
        assert!(v.is_clean(), "{v:?}");
        assert_eq!(m.files.len(), 3);
        assert_eq!(m.files["a.csv"], sha256_hex(b"a.csv"));
        std::fs::write(d.join("a.csv"), "a.csw").unwrap();
        std::fs::remove_file(d.join("b.csv")).unwrap();
        std::fs::write(d.join("new.txt"), "").unwrap();
        let (_, v) = verify(d).unwrap();
        assert_eq!(v.changed, vec!["a.csv"]);
        assert_eq!(v.missing, vec!["b.csv"]);
        assert_eq!(v.extra, vec!["new.txt"]);
        assert_eq!(v.ok, vec!["c.png"]);
    }

    #[test]
    fn a_folder_of_another_scenario_is_refused_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        claim_folder(d, Kind::Run, "a", false).unwrap();
        manifest(Kind::Run, "a").write(d, &[]).unwrap();
        claim_folder(d, Kind::Run, "a", false).unwrap();
        let e = claim_folder(d, Kind::Run, "b", false).unwrap_err();
        assert!(e.to_string().contains("scenario `a`"), "{e}");
        let e = claim_folder(d, Kind::Sweep, "a", false).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        claim_folder(d, Kind::Sweep, "a", true).unwrap();
    }
}
