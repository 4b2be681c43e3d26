//! `authsim verify DIR`: recomputes the SHA-256 of every file a folder's
//! manifest.json lists and reports changed, missing and unlisted files.

use std::path::PathBuf;

use clap::Args;

use crate::Failure;
use crate::manifest;

#[derive(Args)]
pub struct VerifyArgs {
    /// A run or sweep output folder (with manifest.json).
    dir: PathBuf,
}

/// Exit 0 when every listed file matches and nothing else is there, 1 otherwise.
pub fn verify(a: VerifyArgs) -> Result<(), Failure> {
    let (m, v) = manifest::verify(&a.dir)?;
    println!(
        "{}: {} `{}`, written by authsim {} (commit {}) with `{}`, finished {}",
        a.dir.display(),
        m.kind,
        m.name,
        m.authsim_version,
        m.git_commit.as_deref().unwrap_or("unknown"),
        m.command.join(" "),
        m.finished
    );
    for (what, files) in [
        ("changed", &v.changed),
        ("missing", &v.missing),
        ("extra (not in the manifest)", &v.extra),
    ] {
        for f in files {
            println!("  {what}: {f}");
        }
    }
    if v.is_clean() {
        println!("  all {} files match", v.ok.len());
        return Ok(());
    }
    Err(Failure::Mismatch(format!(
        "{}: {} changed, {} missing, {} extra file(s) against manifest.json ({} match)",
        a.dir.display(),
        v.changed.len(),
        v.missing.len(),
        v.extra.len(),
        v.ok.len()
    )))
}
