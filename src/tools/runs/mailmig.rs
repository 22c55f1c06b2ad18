//! `migwiz mailmig` (SCENARIO-FORMAT-4.md, "The command line"): an administrator's real
//! control file, accounts file and user list, read from the world's `[files]` or from the
//! local disk, run as one batch step against the world a scenario file sets up; the files
//! the run wrote, written back to a folder without replacing a file migwiz did not write.
//!
//! ```
//! use migwiz::tools::mailmig::{prepare, run, Local};
//! use migwiz::{Scenario, Version};
//! let world = Scenario::parse("world.toml", r#"
//! name = "world"
//! [[users]]
//! address = "NET1/PO1/JDOE"
//! messages = 2
//! [files]
//! 'C:\Migrate\po1.txt' = "Mode,MSMAILPC\r\nPostoffice,\\\\MAILSRV\\MAILDATA\r\n"
//! "#)?;
//! let switches = [r"/C:C:\Migrate\po1.txt", "/A:ADMIN", "/P:PASSWORD"].map(String::from);
//! let batch = prepare(world, &switches, Version::V55Sp1, &Local::none())?;
//! let done = run(&batch);
//! assert_eq!(done.result_code, 0);
//! assert_eq!(done.replay.observation.mailboxes[0].mail[0].count, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::tools::format::scenario::{Scenario, MAX_FILE_BYTES};
use crate::tools::runs::replay::{replay_with, ModelCheckPolicy, Replay};
use crate::vocabulary::event::Event;
use crate::vocabulary::files::{lines, WinPath};
use crate::vocabulary::observation::FileView;
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::printable;

/// Where local files are looked for: the folder of a control file read from disk (its
/// other files are looked for beside it), or none.
#[derive(Debug, Clone, Default)]
pub struct Local {
    /// Read local files at all (off in tests of the world alone).
    pub enabled: bool,
    /// The current folder, where a control file named by a relative path is looked for.
    pub cwd: PathBuf,
}

impl Local {
    /// No local disk: only the world's `[files]`.
    pub fn none() -> Local {
        Local::default()
    }

    /// The local disk, relative paths from `cwd`.
    pub fn disk(cwd: PathBuf) -> Local {
        Local { enabled: true, cwd }
    }
}

/// A batch run ready to go: the world with every file the run needs, and its step last.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The world's steps, then the `mailmig` step.
    pub scenario: Scenario,
    /// The local files read into the world, as (Windows path, local path).
    pub read: Vec<(String, PathBuf)>,
    /// The folder the control file was read from on disk, if it was.
    pub control_folder: Option<PathBuf>,
}

/// What the run did.
#[derive(Debug, Clone)]
pub struct Done {
    /// The whole replay: the world's steps and the batch step, last.
    pub replay: Replay,
    /// The batch run's result code (B-RESULT): mailmig's exit status.
    pub result_code: u8,
    /// The events the batch run logged.
    pub logged: Vec<Event>,
    /// The files the batch run wrote or changed.
    pub written: Vec<FileView>,
}

/// The control file a command line names (`/C:`), if it names one.
fn control_of(switches: &[String]) -> Option<&str> {
    switches.iter().find_map(|s| {
        let head = s.get(..3)?;
        head.eq_ignore_ascii_case("/C:").then(|| &s[3..])
    })
}

/// One command line from the switches as the shell split them: a switch whose value holds
/// a space is quoted again, as `cmd.exe` would be given it.
fn command_line(switches: &[String]) -> String {
    let quoted: Vec<String> = switches
        .iter()
        .map(|s| match (s.get(..3), s.contains(char::is_whitespace)) {
            (Some(head), true) if head.ends_with(':') => format!("{head}\"{}\"", &s[3..]),
            (_, true) => format!("\"{s}\""),
            _ => s.clone(),
        })
        .collect();
    quoted.join(" ")
}

/// A local file's text, read whole up to the scenario limit; bytes that are not UTF-8 are
/// read as U+FFFD, so a file in another code page runs (and shows) rather than failing.
fn read_local(path: &Path) -> Result<String, String> {
    let shown = printable(&path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{shown} is more than {MAX_FILE_BYTES} bytes, more than a control file or user list holds"
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The paths a control file names for the run to read: its `File` and `Accounts` values.
fn named_paths(control: &str) -> Vec<String> {
    lines(control)
        .into_iter()
        .filter_map(|line| line.split_once(','))
        .filter(|(k, _)| {
            let k = k.trim();
            k.eq_ignore_ascii_case("File") || k.eq_ignore_ascii_case("Accounts")
        })
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// The world with every file the run will look for: the control file from `[files]` or
/// the local disk, and each file it names from `[files]` or the control file's folder. A
/// file found in neither place is left out: the run stops on it (B-STOP). Errors are
/// migwiz's own (a local file that cannot be read).
pub fn prepare(
    mut world: Scenario,
    switches: &[String],
    version: Version,
    local: &Local,
) -> Result<Batch, String> {
    let mut files = world.setup.files().to_vec();
    let mut read = Vec::new();
    let mut control_folder = None;
    let mut control_text = None;
    if let Some(control) = control_of(switches) {
        if let Ok(path) = control.parse::<WinPath>() {
            match files.iter().find(|(p, _)| *p == path) {
                Some((_, text)) => control_text = Some(text.clone()),
                None if local.enabled => {
                    let on_disk = local.cwd.join(control);
                    if on_disk.is_file() {
                        let text = read_local(&on_disk)?;
                        control_folder = on_disk.parent().map(Path::to_path_buf);
                        read.push((path.to_string(), on_disk));
                        files.push((path, text.clone()));
                        control_text = Some(text);
                    }
                }
                None => {}
            }
        }
    }
    let folder = control_folder.clone().unwrap_or_else(|| local.cwd.clone());
    for named in named_paths(control_text.as_deref().unwrap_or_default()) {
        let Ok(path) = named.parse::<WinPath>() else {
            continue;
        };
        if !local.enabled || files.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let beside = folder.join(path.file_name());
        if beside.is_file() {
            files.push((path.clone(), read_local(&beside)?));
            read.push((path.to_string(), beside));
        }
    }
    world.setup = world.setup.with_files(files);
    world.steps.push(Operation::Mailmig {
        version,
        command: command_line(switches),
    });
    Ok(Batch {
        scenario: world,
        read,
        control_folder,
    })
}

/// Runs the world's steps and the batch step, the reference model alongside as `run`
/// does by default.
pub fn run(batch: &Batch) -> Done {
    let replay = replay_with(&batch.scenario, None, ModelCheckPolicy::Auto);
    let last = replay.steps.last();
    let result_code = last
        .and_then(|s| s.result.batch.as_ref())
        .map_or(2, |b| b.result_code);
    // The state before the batch step: the world's steps replayed alone.
    let mut world = batch.scenario.clone();
    world.steps.pop();
    let before = replay_with(&world, None, ModelCheckPolicy::Off).observation;
    let logged = replay
        .observation
        .events
        .get(before.events.len()..)
        .unwrap_or_default()
        .to_vec();
    let written = replay
        .observation
        .files
        .iter()
        .filter(|f| !before.files.contains(f))
        .cloned()
        .collect();
    Done {
        replay,
        result_code,
        logged,
        written,
    }
}

/// The index of the files `migwiz mailmig` wrote into a folder: those, and only those, a
/// later run may replace.
pub const INDEX: &str = ".migwiz-mailmig";

/// Makes `dir` if needed and checks it can be written (by writing its index back), before
/// the run, so that a folder migwiz cannot write is said before anything runs.
pub fn check_out(dir: &Path) -> Result<(), String> {
    let shown = printable(&dir.display().to_string());
    std::fs::create_dir_all(dir).map_err(|e| format!("{shown}: {e}"))?;
    // A probe written and removed: a run that writes nothing leaves nothing behind.
    let probe = dir.join(format!("{INDEX}-probe"));
    std::fs::write(&probe, "").map_err(|e| format!("{shown}: cannot write in it: {e}"))?;
    std::fs::remove_file(&probe).map_err(|e| format!("{shown}: {e}"))
}

/// Writes each file the run wrote into `dir` under its file name, recording it in the
/// index. A file already there that no earlier `migwiz mailmig` wrote is never replaced:
/// nothing is written and the error names it. Returns the local paths written.
pub fn write_out(dir: &Path, written: &[FileView]) -> Result<Vec<PathBuf>, String> {
    let shown = |p: &Path| printable(&p.display().to_string());
    if written.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
    let index = dir.join(INDEX);
    let mut ours: Vec<String> = match std::fs::read_to_string(&index) {
        Ok(text) => text.lines().map(str::to_string).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{}: {e}", shown(&index))),
    };
    let mut places = Vec::new();
    for file in written {
        let name = file
            .path
            .parse::<WinPath>()
            .map(|p| p.file_name().to_string())
            .unwrap_or_default();
        let plain = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
        if !plain {
            return Err(format!(
                "the run wrote {}, whose name cannot be a local file's",
                printable(&file.path)
            ));
        }
        let place = dir.join(&name);
        let exists = std::fs::symlink_metadata(&place).is_ok();
        if exists && !ours.contains(&name) {
            return Err(format!(
                "{} is there and no `migwiz mailmig` wrote it (it is not in {INDEX}); nothing was written\n  help: move it away, or give another folder with --out",
                shown(&place)
            ));
        }
        places.push((name, place, &file.text));
    }
    for (name, place, text) in &places {
        std::fs::write(place, text).map_err(|e| format!("{}: {e}", shown(place)))?;
        if !ours.contains(name) {
            ours.push(name.clone());
        }
    }
    let mut text = ours.join("\n");
    text.push('\n');
    std::fs::write(&index, text).map_err(|e| format!("{}: {e}", shown(&index)))?;
    Ok(places.into_iter().map(|(_, place, _)| place).collect())
}
