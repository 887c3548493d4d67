//! The one staged writer: multi-file outputs are all-or-nothing.
//!
//! A command that writes several files into a folder (`benchmark --out`, an experiment's
//! tables and figures) writes them into a staging folder inside the target
//! (`.staging-PID`), and [`Staged::commit`] moves them into place only when every file was
//! written, the commit point (`meta.json` where there is one) last. If anything fails
//! before the commit — a full disk, a figure that cannot be drawn, an interrupted process —
//! the staging folder is removed (on drop) and the target keeps exactly the files it had:
//! no new table beside an old one, no stray temporary file. Renames within one folder do
//! not copy data, so the commit itself is short; a reader that sees the commit point knows
//! every other file of the set is in place.
//!
//! [`Staged::new`] also checks the output location before any work: a target under a
//! file, or one that cannot be written, is refused naming the path.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder for the files of one output set.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    stage: PathBuf,
    done: bool,
}

impl Staged {
    /// Makes `target` (and its parents) if needed and a fresh staging folder inside it.
    /// Call it before the work that produces the files: it is the output check.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when the target is a file, lies under a file, or
    /// cannot be written.
    ///
    /// ```
    /// use sednas::io::staged::Staged;
    /// let dir = std::env::temp_dir().join(format!("sednas-doc-staged-{}", std::process::id()));
    /// let _ = std::fs::remove_dir_all(&dir);
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("old.csv"), "old").unwrap();
    /// // a set that fails half-way leaves the folder as it was
    /// {
    ///     let s = Staged::new(&dir).unwrap();
    ///     s.write("table.csv", b"new").unwrap();
    ///     // ... an error here: `s` is dropped without commit
    /// }
    /// let names = |d: &std::path::Path| { let mut v: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect(); v.sort(); v };
    /// assert_eq!(names(&dir), ["old.csv"]);
    /// // a set that completes replaces the files it names, the commit point last
    /// let s = Staged::new(&dir).unwrap();
    /// s.write("old.csv", b"new").unwrap();
    /// s.write("meta.json", b"{}").unwrap();
    /// s.commit(&["meta.json"]).unwrap();
    /// assert_eq!(names(&dir), ["meta.json", "old.csv"]);
    /// assert_eq!(std::fs::read_to_string(dir.join("old.csv")).unwrap(), "new");
    /// // under a file: refused, naming the path
    /// let e = Staged::new(&dir.join("old.csv").join("x")).unwrap_err().to_string();
    /// assert!(e.contains("old.csv"), "{e}");
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn new(target: &Path) -> Result<Staged> {
        if target.exists() && !target.is_dir() {
            return Err(Error::io(
                target,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists and is not a folder",
                ),
            ));
        }
        std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
        let stage = target.join(format!(".staging-{}", std::process::id()));
        if stage.exists() {
            std::fs::remove_dir_all(&stage).map_err(|e| Error::io(&stage, e))?;
        }
        std::fs::create_dir(&stage).map_err(|e| Error::io(target, e))?;
        Ok(Staged {
            target: target.to_path_buf(),
            stage,
            done: false,
        })
    }

    /// The staging folder: write the set's files here (or through [`Staged::write`]).
    pub fn dir(&self) -> &Path {
        &self.stage
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file of the set into the staging folder.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file's final path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let p = self.stage.join(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::io(self.target.join(name), e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| Error::io(self.target.join(name), e))
    }

    /// Moves every staged file into the target (sub-folders kept), the files named in
    /// `last` after all others, in that order; then removes the staging folder.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file that could not be moved (the staging folder is
    /// removed; files moved before it stay, and the commit point, moved last, is absent).
    pub fn commit(mut self, last: &[&str]) -> Result<()> {
        let mut files = Vec::new();
        walk(&self.stage, Path::new(""), &mut files)?;
        files.sort_by_key(|rel| {
            let s = rel.to_string_lossy();
            last.iter().position(|l| *l == s).map_or(0, |i| i + 1)
        });
        for rel in files {
            let to = self.target.join(&rel);
            if let Some(d) = to.parent() {
                std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
            }
            std::fs::rename(self.stage.join(&rel), &to).map_err(|e| Error::io(&to, e))?;
        }
        self.done = true;
        std::fs::remove_dir_all(&self.stage).map_err(|e| Error::io(&self.stage, e))
    }
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let dir = root.join(rel);
    for e in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
        let e = e.map_err(|e| Error::io(&dir, e))?;
        let r = rel.join(e.file_name());
        if e.file_type().map_err(|x| Error::io(e.path(), x))?.is_dir() {
            walk(root, &r, out)?;
        } else {
            out.push(r);
        }
    }
    Ok(())
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.stage);
        }
    }
}
