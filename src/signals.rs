//! Graceful stop of a sweep on Ctrl-C (SIGINT) or SIGTERM.
//!
//! The first signal asks the sweep to start no further run: the runs in flight
//! finish and are journaled, and the sweep exits (code 130) printing the
//! command that resumes it. A second signal exits at once — but only after
//! taking the journal's lock, so no record is ever left half-written by it
//! (a SIGKILL can tear the last record; the journal reader cuts that off).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use authsim_sim::journal::Journal;

use crate::Failure;

/// Exit code of a sweep stopped by a signal (128 + SIGINT, as shells report it).
pub const STOPPED_EXIT: u8 = 130;

/// The sweep the handler acts for: a process installs the handler once
/// (`ctrlc` allows one), and each sweep it runs (`authsim report` runs
/// several) registers itself here.
struct Active {
    stop: Arc<AtomicBool>,
    journal: Arc<Mutex<Journal>>,
    resume: String,
}

static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);
static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();

/// Makes this sweep the one signals act on, installing the handler on first use;
/// returns the flag the first signal sets.
pub fn install(journal: Arc<Mutex<Journal>>, resume: String) -> Result<Arc<AtomicBool>, Failure> {
    let stop = Arc::new(AtomicBool::new(false));
    *ACTIVE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Active {
        stop: stop.clone(),
        journal,
        resume,
    });
    INSTALLED
        .get_or_init(|| ctrlc::set_handler(on_signal).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| Failure::RunFailed(format!("cannot handle Ctrl-C: {e}")))?;
    Ok(stop)
}

fn on_signal() {
    let active = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
    let Some(a) = active.as_ref() else {
        std::process::exit(i32::from(STOPPED_EXIT));
    };
    if !a.stop.swap(true, Ordering::SeqCst) {
        eprintln!(
            "\nstopping after the runs in flight (finished runs are kept); press Ctrl-C again to stop at once"
        );
        return;
    }
    // Waits for an append in progress, and keeps any other from starting.
    let _held = a.journal.lock().unwrap_or_else(|p| p.into_inner());
    eprintln!(
        "\nstopped at once; the finished runs are in the journal. Resume with:\n  {}",
        a.resume
    );
    std::process::exit(i32::from(STOPPED_EXIT));
}

/// `arg` quoted for a POSIX shell when it needs it.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// The command line of this process with `--resume` added (if missing),
/// quoted for a shell: what continues an interrupted sweep.
pub fn resume_command(args: &[String]) -> String {
    let mut v: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    if !args.iter().any(|a| a == "--resume") {
        v.push("--resume".into());
    }
    v.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `authsim report` runs several sweeps in one process: each registers
    /// with the one handler (a second `ctrlc::set_handler` would fail).
    #[test]
    fn every_sweep_of_a_process_can_register() {
        let dir = tempfile::tempdir().unwrap();
        let header = authsim_sim::journal::JournalHeader {
            authsim_version: "test".into(),
            git_commit: None,
            sweep_file: "s.toml".into(),
            sweep_sha256: String::new(),
            variant_files: Vec::new(),
            overrides: Vec::new(),
            seed: 1,
            run_seeds_sha256: String::new(),
            runs: 1,
            shard: None,
        };
        for i in 0..3 {
            let path = dir.path().join(format!("journal{i}"));
            let journal = Journal::create(&path, &header).unwrap();
            let stop = install(Arc::new(Mutex::new(journal)), format!("resume {i}")).unwrap();
            assert!(!stop.load(Ordering::SeqCst));
        }
        let active = ACTIVE.lock().unwrap();
        assert_eq!(active.as_ref().unwrap().resume, "resume 2");
    }

    #[test]
    fn resume_command_quotes_and_adds_resume_once() {
        let args: Vec<String> = ["authsim", "sweep", "my sweep.toml", "--set", "a.b='x'"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            resume_command(&args),
            r#"authsim sweep 'my sweep.toml' --set 'a.b='\''x'\''' --resume"#
        );
        let again: Vec<String> = ["authsim", "sweep", "s.toml", "--resume"]
            .map(String::from)
            .to_vec();
        assert_eq!(resume_command(&again), "authsim sweep s.toml --resume");
    }
}
