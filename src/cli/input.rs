//! Reading scenario files and folders for the subcommands, and reporting disagreements.

use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use migwiz::tools::replay::ModelCheckPolicy;
use migwiz::vocabulary::{printable, shown};
use migwiz::{Replay, Scenario};

/// Reads and parses one scenario; the error is the one message (with help) to print.
pub fn load(path: &Path) -> Result<Scenario, String> {
    Scenario::read(path)
}

/// The files a list of paths names: files as given, folders as their .toml files, sorted;
/// and, for each folder that cannot be read or holds none, its message. One bad path does
/// not stop the others.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let shown = printable(&p.display().to_string());
        let entries = match std::fs::read_dir(p) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(format!(
                    "{shown}: cannot read the folder: {e}\n  help: name a folder you can read"
                ));
                continue;
            }
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|x| x == "toml"))
            .collect();
        if found.is_empty() {
            errors.push(format!("{shown}: the folder has no .toml scenario files\n  help: name scenario files, or a folder that holds some"));
            continue;
        }
        found.sort();
        files.extend(found);
    }
    (files, errors)
}

/// Prints, loudly, where the reference model disagreed with the implementation during a
/// replay, and every property that broke on a step; true when either happened (a bug in
/// migwiz).
pub fn reported_disagreements(run: &Replay) -> bool {
    let under = run
        .version
        .map(|v| format!(" under version {v}"))
        .unwrap_or_default();
    if !run.disagreements.is_empty() {
        eprintln!("error: in {}{under} the reference model disagrees with the implementation; this is a bug in migwiz:", shown(&run.scenario));
        for d in &run.disagreements {
            eprintln!("  {d}");
        }
    }
    if !run.broken.is_empty() {
        eprintln!(
            "error: in {}{under} a property the rules require broke; this is a bug in migwiz:",
            shown(&run.scenario)
        );
        for b in &run.broken {
            eprintln!("  {b}");
        }
    }
    !run.disagreements.is_empty() || !run.broken.is_empty()
}

/// `--model-check on|off|auto` (`full`, the earlier word for `on`, still reads).
pub fn parse_model_check(s: &str) -> Result<ModelCheckPolicy, String> {
    match s.to_ascii_lowercase().as_str() {
        "auto" => Ok(ModelCheckPolicy::Auto),
        "on" | "full" => Ok(ModelCheckPolicy::Full),
        "off" => Ok(ModelCheckPolicy::Off),
        _ => Err(format!(
            "unknown model check {}; use on, off or auto",
            shown(s)
        )),
    }
}

/// Runs a file with [[clients]] as `policy` says, with a spinner on standard error that
/// names what the run is doing (hidden when standard error is not a terminal).
pub fn run_concurrent(
    scenario: &migwiz::Scenario,
    how: &migwiz::tools::race::How,
) -> migwiz::tools::race::RaceReport {
    use std::io::IsTerminal as _;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{elapsed} {spinner} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let progress = |what: &'static str, done: u64, of: u64| {
        if let Some(bar) = &bar {
            bar.set_message(match of {
                0 => what.to_string(),
                _ => format!("{what}: {done} of {of}"),
            });
        }
    };
    let report = migwiz::tools::race::run_watched(scenario, how, &progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

/// A bar on standard error for a replay whose model check is slow (`--model-check on`
/// on a large world), counting `steps`; hidden when standard error is not a terminal.
pub fn replay_progress(
    scenario: &migwiz::Scenario,
    policy: ModelCheckPolicy,
    steps: usize,
) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    let slow = policy == ModelCheckPolicy::Full && ModelCheckPolicy::is_slow(scenario);
    if !slow || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(steps as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed} checking the model beside every step {bar:30} {pos}/{len} steps, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// Opens `--out` for `explore` and `race` before any case runs, so that an unwritable
/// folder is reported now, not after an hour; `what` names what goes there.
pub fn open_out(
    out: &Path,
    writer: migwiz::tools::witnesses::Writer,
    what: &str,
) -> Result<migwiz::tools::witnesses::WitnessFolder, crate::Failure> {
    migwiz::tools::witnesses::WitnessFolder::open(out, writer).map_err(|e| {
        crate::Failure::Invalid(format!(
            "{}: cannot write {what} there: {e}\n  help: name a folder you can write to",
            out.display()
        ))
    })
}

/// Set by the first Ctrl-C; a second one ends the process at once.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Without a handler (one already set, say) Ctrl-C simply ends the process.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    stop
}

/// Checks that `path` may be written by migwiz: nothing is there, or a file migwiz wrote
/// (a page, the check's graph or its drawing). Anything else (the scenario file itself,
/// the user's own page, a folder) is refused with a message and never replaced. Commands
/// call it before they start, so that a refusal comes before the work, not after.
pub fn may_replace(path: &Path) -> Result<(), crate::Failure> {
    use std::io::Read;
    let shown = printable(&path.display().to_string());
    let refused = |why: String| {
        crate::Failure::Invalid(format!(
            "{shown}: {why}; nothing was written to it\n  help: name another file for the output, or move that one away"
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refused(format!("cannot be looked at ({e})"))),
    };
    if !meta.is_file() {
        return Err(refused("is there and is not a file".to_string()));
    }
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| refused(format!("is there and cannot be read ({e})")))?;
    if migwiz::tools::pages::written_by_migwiz(&String::from_utf8_lossy(&head)) {
        Ok(())
    } else {
        Err(refused(
            "is there and migwiz did not write it (it is not a migwiz page or graph)".to_string(),
        ))
    }
}

/// Writes a page to `path` (`--html`, `--dot`), or says why it cannot, with help. A file
/// migwiz did not write is never replaced ([`may_replace`]).
pub fn write_page(path: &Path, html: &str) -> Result<(), crate::Failure> {
    may_replace(path)?;
    std::fs::write(path, html).map_err(|e| {
        crate::Failure::Invalid(format!(
            "{}: cannot write the page: {e}\n  help: check that the folder exists and may be written",
            printable(&path.display().to_string())
        ))
    })
}
