//! The folders migwiz commands write files into and rewrite on their next run: `migwiz
//! explore --out` (witnesses), `migwiz race --out` (the failing case) and `migwiz explore
//! --html` (pages).
//!
//! Each command records the files it wrote in an index file of its own in the folder
//! ([`Writer::index`]). Its next run removes exactly those files before writing its own,
//! so `migwiz diff` on the folder never replays a witness of an earlier seed as current,
//! and files the command did not write, another command's among them, are never touched.
//! The folder is checked writable before anything is explored.
//!
//! ```
//! use migwiz::tools::witnesses::{WitnessFolder, Writer};
//! let dir = std::env::temp_dir().join(format!("migwiz-doc-witnesses-{}", std::process::id()));
//! let folder = WitnessFolder::open(&dir, Writer::Explore)?;
//! let replaced = folder.replace(&[("01-a.toml".to_string(), "name = \"a\"\n".to_string())])?;
//! assert_eq!((replaced.removed, replaced.written), (0, 1));
//! // race keeps its own index: explore's witness is not race's to remove.
//! assert_eq!(WitnessFolder::open(&dir, Writer::Race)?.replace(&[])?.removed, 0);
//! let again = WitnessFolder::open(&dir, Writer::Explore)?.replace(&[])?;
//! assert_eq!(again.removed, 1);
//! assert!(!dir.join("01-a.toml").exists());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::path::{Path, PathBuf};

/// The index file of `migwiz explore`'s witnesses, in the witness folder. It does not end
/// in `.toml`, so `migwiz diff` on the folder does not read it.
pub const INDEX: &str = ".migwiz-witnesses";

/// The command that writes a folder's files, each with an index of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// `migwiz explore --out`: a witness per class.
    Explore,
    /// `migwiz race --out`: the failing case.
    Race,
    /// `migwiz explore --html`: the catalogue's pages.
    ExplorePages,
}

impl Writer {
    /// The index file's name.
    pub fn index(self) -> &'static str {
        match self {
            Writer::Explore => INDEX,
            Writer::Race => ".migwiz-race-witnesses",
            Writer::ExplorePages => ".migwiz-pages",
        }
    }

    /// The command, as the index names it.
    fn command(self) -> &'static str {
        match self {
            Writer::Explore => "migwiz explore --out",
            Writer::Race => "migwiz race --out",
            Writer::ExplorePages => "migwiz explore --html",
        }
    }

    /// The ending of the files it writes.
    fn extension(self) -> &'static str {
        match self {
            Writer::Explore | Writer::Race => ".toml",
            Writer::ExplorePages => ".html",
        }
    }

    /// Whether `name` is a plain file name of this writer's: no folder part, its ending.
    /// An index that names anything else (edited by hand, say) cannot make it remove that.
    fn plain_name(self, name: &str) -> bool {
        !name.is_empty()
            && name.ends_with(self.extension())
            && !name.contains(['/', '\\'])
            && !name.starts_with('.')
    }
}

/// A folder of one command's files, opened (created if need be) and found writable.
#[derive(Debug)]
pub struct WitnessFolder {
    dir: PathBuf,
    writer: Writer,
    /// The files an earlier run recorded in the index.
    earlier: Vec<String>,
}

/// What [`WitnessFolder::replace`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// Files of an earlier run removed.
    pub removed: usize,
    /// Files written.
    pub written: usize,
}

impl WitnessFolder {
    /// Creates the folder if needed, reads the earlier run's index, and checks that the
    /// folder can be written by writing the index back: an unwritable `--out` is reported
    /// now, before any exploring.
    pub fn open(dir: &Path, writer: Writer) -> io::Result<WitnessFolder> {
        std::fs::create_dir_all(dir)?;
        let index = dir.join(writer.index());
        let earlier: Vec<String> = match std::fs::read_to_string(&index) {
            Ok(text) => text
                .lines()
                .filter(|l| writer.plain_name(l))
                .map(str::to_string)
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        std::fs::write(&index, index_text(writer, &earlier))?;
        Ok(WitnessFolder {
            dir: dir.to_path_buf(),
            writer,
            earlier,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The index file's path.
    pub fn index(&self) -> PathBuf {
        self.dir.join(self.writer.index())
    }

    /// Removes the earlier run's files, writes `files` (name, contents), and records them
    /// in the index. A file (or folder) that stands under one of the new names and that no
    /// earlier run of this command wrote is never replaced: then nothing is removed or
    /// written, and the error names it.
    pub fn replace(&self, files: &[(String, String)]) -> io::Result<Replaced> {
        for (name, _) in files {
            let path = self.dir.join(name);
            let ours = self.earlier.iter().any(|e| e == name);
            if !ours && std::fs::symlink_metadata(&path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} is there and no `{}` run wrote it (it is not in {}); nothing was written or removed",
                        path.display(),
                        self.writer.command(),
                        self.writer.index()
                    ),
                ));
            }
        }
        let mut removed = 0;
        for name in &self.earlier {
            match std::fs::remove_file(self.dir.join(name)) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let mut names = Vec::new();
        for (name, contents) in files {
            std::fs::write(self.dir.join(name), contents)?;
            names.push(name.clone());
        }
        std::fs::write(self.index(), index_text(self.writer, &names))?;
        Ok(Replaced {
            removed,
            written: names.len(),
        })
    }
}

fn index_text(writer: Writer, names: &[String]) -> String {
    let mut text = format!(
        "# Files written by the last `{}` run into this folder;\n# its next run removes exactly these before writing its own.\n",
        writer.command()
    );
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_of_the_writer_can_be_removed() {
        assert!(Writer::Explore.plain_name("01-v55-7026-v50-ok.toml"));
        assert!(Writer::ExplorePages.plain_name("01-v55-7026-v50-ok.html"));
        assert!(!Writer::ExplorePages.plain_name("01-v55-7026-v50-ok.toml"));
        for bad in [
            "../x.toml",
            "/etc/x.toml",
            "a\\b.toml",
            ".hidden.toml",
            "notes.txt",
            "",
            "# comment",
        ] {
            assert!(!Writer::Explore.plain_name(bad), "{bad}");
        }
    }

    /// A fresh, empty folder for one test.
    fn folder(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("migwiz-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_index_that_cannot_be_read_is_an_error_and_is_kept() {
        let dir = folder("unreadable-index");
        let bytes = b"01-a.toml\n\xff\xfe not text\n";
        std::fs::write(dir.join(INDEX), bytes).unwrap();
        let e = WitnessFolder::open(&dir, Writer::Explore).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(std::fs::read(dir.join(INDEX)).unwrap(), bytes);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_earlier_witness_already_gone_is_no_error() {
        let dir = folder("witness-gone");
        std::fs::write(dir.join(INDEX), "01-gone.toml\n").unwrap();
        let replaced = WitnessFolder::open(&dir, Writer::Explore)
            .unwrap()
            .replace(&[])
            .unwrap();
        assert_eq!((replaced.removed, replaced.written), (0, 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_earlier_witness_that_cannot_be_removed_is_an_error() {
        let dir = folder("witness-stuck");
        // A folder under a witness's name: removing it as a file fails.
        std::fs::create_dir(dir.join("01-stuck.toml")).unwrap();
        std::fs::write(dir.join(INDEX), "01-stuck.toml\n").unwrap();
        let folder = WitnessFolder::open(&dir, Writer::Explore).unwrap();
        assert!(folder.replace(&[]).is_err());
        assert!(dir.join("01-stuck.toml").is_dir());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_no_run_wrote_is_never_replaced() {
        let dir = folder("foreign-witness");
        std::fs::write(dir.join("01-mine.toml"), "hand-written").unwrap();
        std::fs::write(dir.join(INDEX), "02-old.toml\n").unwrap();
        std::fs::write(dir.join("02-old.toml"), "an earlier witness").unwrap();
        let folder = WitnessFolder::open(&dir, Writer::Explore).unwrap();
        let files = [
            ("01-mine.toml".to_string(), "a witness".to_string()),
            ("03-new.toml".to_string(), "a witness".to_string()),
        ];
        let e = folder.replace(&files).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(e.to_string().contains("01-mine.toml"), "{e}");
        // Nothing lost, nothing half done.
        assert_eq!(
            std::fs::read_to_string(dir.join("01-mine.toml")).unwrap(),
            "hand-written"
        );
        assert!(dir.join("02-old.toml").exists());
        assert!(!dir.join("03-new.toml").exists());
        // A folder under a witness's name is refused the same way, before anything runs.
        std::fs::create_dir(dir.join("04-folder.toml")).unwrap();
        let files = [("04-folder.toml".to_string(), "a witness".to_string())];
        assert!(folder.replace(&files).is_err());
        // A witness an earlier run wrote is replaced as before.
        let files = [("02-old.toml".to_string(), "this run's".to_string())];
        assert_eq!(folder.replace(&files).unwrap().written, 1);
        assert_eq!(
            std::fs::read_to_string(dir.join("02-old.toml")).unwrap(),
            "this run's"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
