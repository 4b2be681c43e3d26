//! The checkpoint journal of a sweep: every finished run, durably, so an
//! interrupted sweep can resume without rerunning it.
//!
//! Format (all in one append-only file, `journal.bin` in the output folder):
//! the magic line `authsim journal v1\n`, then records, each
//! `length (u32 LE) | checksum (first 8 octets of SHA-256 of the payload) | payload`.
//! The first record's payload is the [`JournalHeader`] as JSON: what the sweep
//! was (file hashes, overrides, seeds, shard, binary), checked before resuming.
//! Every later record is one finished run: its index (u64 LE) followed by its
//! `runs.csv` rows exactly as the sweep writes them. The rows are the only
//! thing the summary, improvements and plots are derived from (they are
//! re-parsed from that text even in an uninterrupted sweep), so storing the text
//! is exact: no float is formatted twice.
//!
//! Each record is written with one `write_all` and fsync'd before the run
//! counts as done. A crash can only tear the last record: on opening, a
//! last record that is short or fails its checksum is cut off (and reported);
//! a bad record followed by more data is corruption and an error.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The journal's file name in a sweep's output folder.
pub const JOURNAL_FILE: &str = "journal.bin";

const MAGIC: &[u8] = b"authsim journal v1\n";
const FRAME: usize = 4 + 8;

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: not an authsim journal (bad first line)", .path.display())]
    NotAJournal { path: PathBuf },
    #[error(
        "{}: record {record} at offset {offset} is corrupt ({problem}) and more records follow: the journal was damaged, not torn by an interruption",
        .path.display()
    )]
    Corrupt {
        path: PathBuf,
        record: usize,
        offset: u64,
        problem: &'static str,
    },
    #[error("{}: header record: {message}", .path.display())]
    Header { path: PathBuf, message: String },
    #[error("{}: run {run} is recorded twice", .path.display())]
    Duplicate { path: PathBuf, run: usize },
}

/// What a sweep was when its journal was started; a resume must match it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeader {
    /// authsim's version and the git commit it was built from (if known).
    pub authsim_version: String,
    pub git_commit: Option<String>,
    /// The sweep file as given and the SHA-256 of its text.
    pub sweep_file: String,
    pub sweep_sha256: String,
    /// Every scenario file a variant references, with its SHA-256.
    pub variant_files: Vec<(String, String)>,
    /// `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// The sweep's root seed and the SHA-256 of all run seeds in plan order.
    pub seed: u64,
    pub run_seeds_sha256: String,
    /// Number of runs of the whole sweep.
    pub runs: usize,
    /// `k/N` when sharded.
    pub shard: Option<String>,
}

impl JournalHeader {
    /// What differs between the journal's header (`self`) and the sweep now,
    /// each difference named; empty when a resume may go on.
    pub fn differences(&self, now: &JournalHeader) -> Vec<String> {
        let mut d = Vec::new();
        if self.authsim_version != now.authsim_version || self.git_commit != now.git_commit {
            d.push(format!(
                "the binary changed (journal: authsim {} commit {}; now: authsim {} commit {})",
                self.authsim_version,
                self.git_commit.as_deref().unwrap_or("unknown"),
                now.authsim_version,
                now.git_commit.as_deref().unwrap_or("unknown"),
            ));
        }
        if self.sweep_sha256 != now.sweep_sha256 {
            d.push(format!(
                "the sweep file changed ({}: SHA-256 {} in the journal, {} now)",
                now.sweep_file, self.sweep_sha256, now.sweep_sha256
            ));
        }
        for (path, hash) in &now.variant_files {
            match self.variant_files.iter().find(|(p, _)| p == path) {
                Some((_, old)) if old == hash => {}
                Some((_, old)) => d.push(format!(
                    "the variant file {path} changed (SHA-256 {old} in the journal, {hash} now)"
                )),
                None => d.push(format!("the variant file {path} is new")),
            }
        }
        for (path, _) in &self.variant_files {
            if !now.variant_files.iter().any(|(p, _)| p == path) {
                d.push(format!("the variant file {path} is no longer used"));
            }
        }
        if self.overrides != now.overrides {
            d.push(format!(
                "the --set overrides changed (journal: {:?}; now: {:?})",
                self.overrides, now.overrides
            ));
        }
        if self.seed != now.seed || self.run_seeds_sha256 != now.run_seeds_sha256 {
            d.push(format!(
                "the seeds changed (journal: root seed {}; now: root seed {}{})",
                self.seed,
                now.seed,
                if self.seed == now.seed {
                    ", but the run seeds differ"
                } else {
                    ""
                }
            ));
        }
        if self.runs != now.runs {
            d.push(format!(
                "the number of runs changed (journal: {}; now: {})",
                self.runs, now.runs
            ));
        }
        if self.shard != now.shard {
            d.push(format!(
                "the shard changed (journal: {}; now: {})",
                self.shard.as_deref().unwrap_or("none"),
                now.shard.as_deref().unwrap_or("none")
            ));
        }
        d
    }
}

/// A journal open for appending finished runs.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

/// What an existing journal holds.
#[derive(Debug)]
pub struct Recovered {
    /// `None` when even the header record was torn (nothing to resume).
    pub header: Option<JournalHeader>,
    /// Finished runs: (run index, its runs.csv rows), in the order they finished.
    pub runs: Vec<(usize, String)>,
    /// Octets of a torn last record that were cut off (0 when none).
    pub truncated: u64,
}

fn checksum(payload: &[u8]) -> [u8; 8] {
    let d = Sha256::digest(payload);
    let mut c = [0; 8];
    c.copy_from_slice(&d[..8]);
    c
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("a journal record under 4 GiB");
    let mut rec = Vec::with_capacity(FRAME + payload.len());
    rec.extend_from_slice(&len.to_le_bytes());
    rec.extend_from_slice(&checksum(payload));
    rec.extend_from_slice(payload);
    rec
}

impl Journal {
    /// Starts a new journal at `path` (replacing any), with `header` as its
    /// first record, durably.
    pub fn create(path: &Path, header: &JournalHeader) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.into(),
            source,
        };
        let mut file = File::create(path).map_err(io)?;
        let mut bytes = MAGIC.to_vec();
        let json = serde_json::to_vec(header).expect("header serializes");
        bytes.extend(frame(&json));
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        crate::atomic_file::sync_folder(path);
        Ok(Journal {
            file,
            path: path.into(),
        })
    }

    /// Reads the journal at `path`, cuts off a torn last record (durably) and
    /// opens it for appending.
    pub fn open(path: &Path) -> Result<(Journal, Recovered), JournalError> {
        let io = |source| JournalError::Io {
            path: path.into(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let rec = parse(path, &bytes)?;
        if rec.truncated > 0 {
            let keep = bytes.len() as u64 - rec.truncated;
            file.set_len(keep).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok((
            Journal {
                file,
                path: path.into(),
            },
            rec,
        ))
    }

    /// Records one finished run durably (written in one piece and fsync'd).
    pub fn append(&mut self, run: usize, rows: &str) -> Result<(), JournalError> {
        let mut payload = (run as u64).to_le_bytes().to_vec();
        payload.extend_from_slice(rows.as_bytes());
        let rec = frame(&payload);
        self.file
            .write_all(&rec)
            .and_then(|()| self.file.sync_data())
            .map_err(|source| JournalError::Io {
                path: self.path.clone(),
                source,
            })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Parses a journal's bytes (see the module documentation).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Recovered, JournalError> {
    let mut out = Recovered {
        header: None,
        runs: Vec::new(),
        truncated: 0,
    };
    if bytes.len() < MAGIC.len() {
        if MAGIC.starts_with(bytes) {
            // Torn while the journal was being started.
            out.truncated = bytes.len() as u64;
            return Ok(out);
        }
        return Err(JournalError::NotAJournal { path: path.into() });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(JournalError::NotAJournal { path: path.into() });
    }
    let mut at = MAGIC.len();
    let mut record = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let bad = |problem| {
            let torn = JournalError::Corrupt {
                path: path.into(),
                record,
                offset: at as u64,
                problem,
            };
            Err(torn)
        };
        // A record that does not fit or fails its checksum is torn if
        // nothing follows it, corruption otherwise.
        let payload = if rest.len() < FRAME {
            None
        } else {
            let len = u32::from_le_bytes(rest[..4].try_into().expect("4 octets")) as usize;
            match rest.get(FRAME..FRAME + len) {
                None => None,
                Some(p) if checksum(p) != rest[4..FRAME] => {
                    if FRAME + len == rest.len() {
                        None
                    } else {
                        return bad("checksum mismatch");
                    }
                }
                Some(p) => Some(p),
            }
        };
        let Some(payload) = payload else {
            out.truncated = rest.len() as u64;
            break;
        };
        if record == 0 {
            let header = serde_json::from_slice(payload).map_err(|e| JournalError::Header {
                path: path.into(),
                message: e.to_string(),
            })?;
            out.header = Some(header);
        } else {
            if payload.len() < 8 {
                return bad("shorter than a run index");
            }
            let run = u64::from_le_bytes(payload[..8].try_into().expect("8 octets")) as usize;
            let Ok(rows) = std::str::from_utf8(&payload[8..]) else {
                return bad("rows are not UTF-8");
            };
            if out.runs.iter().any(|(r, _)| *r == run) {
                return Err(JournalError::Duplicate {
                    path: path.into(),
                    run,
                });
            }
            out.runs.push((run, rows.to_string()));
        }
        at += FRAME + payload.len();
        record += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> JournalHeader {
        JournalHeader {
            authsim_version: "0.1.0".into(),
            git_commit: None,
            sweep_file: "s.toml".into(),
            sweep_sha256: "aa".into(),
            variant_files: vec![("v.toml".into(), "bb".into())],
            overrides: vec![],
            seed: 3,
            run_seeds_sha256: "cc".into(),
            runs: 4,
            shard: None,
        }
    }

    fn journal_with_three_runs(dir: &Path) -> PathBuf {
        let p = dir.join(JOURNAL_FILE);
        let mut j = Journal::create(&p, &header()).unwrap();
        j.append(2, "2,a,1,0,7,tx.total,3\n").unwrap();
        j.append(0, "0,a,1,0,7,tx.total,0.1\n").unwrap();
        j.append(1, "").unwrap();
        p
    }

    #[test]
    fn records_read_back_in_finishing_order() {
        let tmp = tempfile::tempdir().unwrap();
        let p = journal_with_three_runs(tmp.path());
        let (_, rec) = Journal::open(&p).unwrap();
        assert_eq!(rec.header, Some(header()));
        assert_eq!(rec.truncated, 0);
        let runs: Vec<usize> = rec.runs.iter().map(|r| r.0).collect();
        assert_eq!(runs, vec![2, 0, 1]);
        assert_eq!(rec.runs[1].1, "0,a,1,0,7,tx.total,0.1\n");
    }

    /// A crash can stop a write anywhere in the last record: every such cut
    /// recovers the earlier records, cuts the tail off, and appends go on.
    #[test]
    fn a_torn_last_record_is_cut_off_at_every_length() {
        let tmp = tempfile::tempdir().unwrap();
        let p = journal_with_three_runs(tmp.path());
        let full = std::fs::read(&p).unwrap();
        let last_len = FRAME + 8; // run 1 with no rows
        for cut in 1..last_len {
            let torn = &full[..full.len() - cut];
            std::fs::write(&p, torn).unwrap();
            let (mut j, rec) = Journal::open(&p).unwrap();
            assert_eq!(rec.runs.len(), 2, "cut {cut}");
            assert_eq!(rec.truncated as usize, last_len - cut, "cut {cut}");
            j.append(1, "1,x\n").unwrap();
            drop(j);
            let (_, rec) = Journal::open(&p).unwrap();
            assert_eq!(rec.truncated, 0);
            assert_eq!(rec.runs[2], (1, "1,x\n".to_string()));
        }
        // A last record of full length with garbage (a crash after the length
        // reached the disk but not the data) is torn too.
        let mut garbage = full.clone();
        let n = garbage.len();
        garbage[n - 1] ^= 0xff;
        std::fs::write(&p, &garbage).unwrap();
        let (_, rec) = Journal::open(&p).unwrap();
        assert_eq!(rec.runs.len(), 2);
        assert_eq!(rec.truncated as usize, last_len);
        assert_eq!(std::fs::read(&p).unwrap().len(), n - last_len);
    }

    #[test]
    fn a_corrupt_middle_record_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let p = journal_with_three_runs(tmp.path());
        let mut bytes = std::fs::read(&p).unwrap();
        let header_len = MAGIC.len() + FRAME + serde_json::to_vec(&header()).unwrap().len();
        // A byte in run 2's rows (the first run record).
        bytes[header_len + FRAME + 8 + 3] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        let e = Journal::open(&p).unwrap_err();
        assert!(matches!(e, JournalError::Corrupt { record: 1, .. }), "{e}");
        assert!(e.to_string().contains("checksum"), "{e}");
        std::fs::write(&p, b"something else entirely").unwrap();
        assert!(matches!(
            Journal::open(&p).unwrap_err(),
            JournalError::NotAJournal { .. }
        ));
    }

    #[test]
    fn differences_name_what_changed() {
        let a = header();
        assert!(a.differences(&a).is_empty());
        let mut b = a.clone();
        b.seed = 5;
        b.run_seeds_sha256 = "dd".into();
        b.variant_files[0].1 = "ee".into();
        let d = a.differences(&b).join("; ");
        assert!(d.contains("seeds changed"), "{d}");
        assert!(d.contains("variant file v.toml changed"), "{d}");
        assert!(!d.contains("sweep file changed"), "{d}");
    }
}
