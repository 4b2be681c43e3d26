//! Output files that appear complete or not at all.
//!
//! A run or sweep killed (or out of disk) while writing must never leave a
//! truncated file under a final name beside complete-looking ones. Every
//! output is therefore written to a temporary name in the same folder
//! (`.<name>.authsim-tmp-<pid>-<n>`), flushed and fsync'd, and only then
//! renamed over the final name (a rename within one folder is atomic on POSIX
//! file systems); the folder is fsync'd after the rename so the new name
//! survives a power cut. A write that fails, or an [`AtomicFile`] dropped
//! without [`AtomicFile::commit`], removes its temporary file.
//!
//! Writers that want a `Write`: [`AtomicFile`]. Whole contents at once:
//! [`write_atomic`]. Writers that insist on writing a path themselves (the
//! plots crate): [`produce_atomic`], which hands them the temporary path.
//! A process killed with SIGKILL cannot clean up: [`remove_stale_temps`]
//! removes such leftovers (only names of the form above).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What marks a temporary name (after the leading `.` and the final name).
const TEMP_MARK: &str = ".authsim-tmp-";

/// A file being written under a temporary name; [`commit`](Self::commit)
/// moves it into place, dropping it without a commit deletes it.
#[derive(Debug)]
pub struct AtomicFile {
    file: Option<io::BufWriter<File>>,
    temp: PathBuf,
    target: PathBuf,
}

/// A failure to write `path` (the final name), with the step that failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", .path.display())]
pub struct AtomicWriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl AtomicWriteError {
    fn new(path: &Path, source: io::Error) -> Self {
        AtomicWriteError {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The temporary name for `target`: same folder, hidden, unique in this process.
fn temp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = format!(".{name}{TEMP_MARK}{}-{n}", std::process::id());
    target.with_file_name(temp)
}

impl AtomicFile {
    /// Starts writing `target` (its folder must exist).
    pub fn create(target: &Path) -> Result<AtomicFile, AtomicWriteError> {
        let temp = temp_path(target);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| AtomicWriteError::new(target, e))?;
        Ok(AtomicFile {
            file: Some(io::BufWriter::new(file)),
            temp,
            target: target.to_path_buf(),
        })
    }

    /// The final name.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, fsyncs and renames the file into place, then fsyncs the folder.
    /// On failure the temporary file is removed and nothing has the final name
    /// that was not there before.
    pub fn commit(mut self) -> Result<(), AtomicWriteError> {
        let target = self.target.clone();
        let writer = self.file.take().expect("committed once");
        let result = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&self.temp, &self.target));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&self.temp);
            return Err(AtomicWriteError::new(&target, e));
        }
        sync_folder(&target);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().expect("not committed").write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `target` atomically.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)
        .map_err(|e| AtomicWriteError::new(target, e))?;
    f.commit()
}

/// Lets `produce` write a temporary path of its own choosing way (e.g. a
/// library that takes a path), then fsyncs it and renames it to `target`.
/// If `produce` fails, or the commit does, the temporary file is removed.
pub fn produce_atomic<E>(
    target: &Path,
    produce: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<Result<(), AtomicWriteError>, E> {
    let temp = temp_path(target);
    if let Err(e) = produce(&temp) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    let result = File::open(&temp)
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&temp, target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Ok(Err(AtomicWriteError::new(target, e)));
    }
    sync_folder(target);
    Ok(Ok(()))
}

/// Whether `name` is a temporary name of this module.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARK)
}

/// Removes temporary files left in `dir` by a process that was killed;
/// returns how many. Other files are not touched.
pub fn remove_stale_temps(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_temp_name) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Makes a rename in `path`'s folder durable. Best effort: some file systems
/// refuse to fsync a folder, and the data itself is already synced.
pub fn sync_folder(path: &Path) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn committed_file_appears_whole_and_uncommitted_leaves_nothing() {
        let tmp = tempdir();
        let d = tmp.path();
        let mut f = AtomicFile::create(&d.join("a.csv")).unwrap();
        f.write_all(b"x,y\n").unwrap();
        // Not under its final name until committed.
        assert_eq!(names(d).len(), 1);
        assert!(is_temp_name(&names(d)[0]), "{:?}", names(d));
        f.commit().unwrap();
        assert_eq!(names(d), vec!["a.csv"]);
        assert_eq!(std::fs::read(d.join("a.csv")).unwrap(), b"x,y\n");

        let mut f = AtomicFile::create(&d.join("b.csv")).unwrap();
        f.write_all(b"partial").unwrap();
        drop(f);
        assert_eq!(names(d), vec!["a.csv"]);

        // Overwriting replaces the old contents in one step.
        write_atomic(&d.join("a.csv"), b"new\n").unwrap();
        assert_eq!(std::fs::read(d.join("a.csv")).unwrap(), b"new\n");
    }

    #[test]
    fn failed_producer_or_rename_removes_the_temporary_file() {
        let tmp = tempdir();
        let d = tmp.path();
        let r: Result<_, &str> = produce_atomic(&d.join("p.png"), |tmp| {
            std::fs::write(tmp, b"half").unwrap();
            Err("drawing failed")
        });
        assert_eq!(r.unwrap_err(), "drawing failed");
        assert!(names(d).is_empty(), "{:?}", names(d));
        // A folder under the final name makes the rename fail.
        std::fs::create_dir(d.join("q.png")).unwrap();
        std::fs::write(d.join("q.png/inside"), b"").unwrap();
        let r: Result<_, ()> = produce_atomic(&d.join("q.png"), |tmp| {
            std::fs::write(tmp, b"whole").map_err(|_| ())
        });
        assert!(r.unwrap().is_err());
        assert!(write_atomic(&d.join("q.png"), b"whole").is_err());
        assert_eq!(names(d), vec!["q.png"]);
    }

    #[test]
    fn stale_temporaries_are_removed_and_nothing_else() {
        let tmp = tempdir();
        let d = tmp.path();
        std::fs::write(d.join(".runs.csv.authsim-tmp-1-0"), b"").unwrap();
        std::fs::write(d.join("runs.csv"), b"").unwrap();
        std::fs::write(d.join(".hidden"), b"").unwrap();
        assert_eq!(remove_stale_temps(d).unwrap(), 1);
        assert_eq!(names(d), vec![".hidden", "runs.csv"]);
    }
}
