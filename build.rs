//! Records the git commit the binary is built from, for `manifest.json`
//! (provenance of results). `GIT_HASH` in the environment wins (builds from a
//! tarball, CI that knows better); otherwise `git rev-parse HEAD`; without
//! either the commit is unknown and the manifest says so (null). A build with
//! uncommitted changes is not marked as such: cargo cannot tell cheaply.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Asks cargo to rerun this script when `path` changes (only if it exists:
/// cargo would rerun it, and rebuild the binary, on every build otherwise).
fn watch(path: &str) {
    if std::path::Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=GIT_HASH");
    let commit = std::env::var("GIT_HASH")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            // Rebuild when HEAD moves: HEAD itself and the branch it points at
            // (paths from git, so worktrees and packed refs work).
            for p in ["HEAD", "packed-refs"] {
                if let Some(path) = git(&["rev-parse", "--git-path", p]) {
                    watch(&path);
                }
            }
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
                && let Some(path) = git(&["rev-parse", "--git-path", &branch])
            {
                watch(&path);
            }
            git(&["rev-parse", "HEAD"])
        })
        .unwrap_or_default();
    println!("cargo:rustc-env=AUTHSIM_GIT_COMMIT={commit}");
}
