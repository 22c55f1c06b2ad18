//! `migwiz diff FILE|DIR…`: each scenario under every version, only the differences shown.

use std::path::PathBuf;

use migwiz::vocabulary::printable;
use migwiz::VersionDiff;

use crate::input::{expand, load, replay_progress, reported_disagreements};
use crate::{emit, Failure, Status};

/// The arguments of `migwiz diff`.
#[derive(clap::Args)]
pub struct Args {
    /// Run the reference model beside the implementation: auto (in full when it takes about
    /// 2 s or less: up to 2,000 users plus steps and 200,000 users times steps), on (always,
    /// with progress on a terminal when slow) or off.
    #[arg(long, default_value = "auto", value_parser = crate::input::parse_model_check)]
    model_check: migwiz::tools::replay::ModelCheckPolicy,
    /// Scenario files, or folders: a folder means every .toml file in it.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Also write each scenario's side-by-side page as one self-contained HTML file: to
    /// this file for one scenario file, or into this folder (one NAME.html per scenario
    /// file, and index.html) for several or a folder. A file with [[clients]] gets the
    /// page of its concurrent run's history instead.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,
}

/// Compares every file; a bad file is reported and the others still run.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    let (files, errors) = expand(&args.paths);
    let mut bug = false;
    // A folder that cannot be read or holds no scenario is reported; the rest still run.
    let mut bad_file = !errors.is_empty();
    for e in &errors {
        eprintln!("{e}");
    }
    let pages = Pages::new(args.html.as_deref(), &args.paths, files.len())?;
    let mut written = Vec::new();
    for file in files {
        let scenario = match load(&file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                bad_file = true;
                continue;
            }
        };
        if let (false, Some(out)) = (scenario.clients.is_empty(), pages.path_for(&file)) {
            // With --html a concurrent run gets its history page; there is no one order
            // to compare version by version.
            let report = migwiz::tools::race::run_scenario(&scenario, None, None, None);
            crate::input::write_page(&out, &migwiz::tools::pages::history::page(&report))?;
            emit(&format!(
                "== {} ({})\n  a concurrent run ({}): its history is drawn in {}; migwiz run {} prints it\n\n",
                printable(&scenario.name),
                printable(&file.display().to_string()),
                if report.passed() { "linearizable" } else { "NOT linearizable" },
                printable(&out.display().to_string()),
                printable(&file.display().to_string()),
            ))?;
            bug |= !report.passed();
            written.push((scenario.name.clone(), out));
            continue;
        }
        if !scenario.clients.is_empty() {
            // Clients at once have no one order to compare version by version.
            eprintln!(
                "{}: has [[clients]]: diff compares sequential runs under each version\n  help: run it with migwiz run (and --version V for one version), spec/SCENARIO-FORMAT-3.md",
                printable(&file.display().to_string())
            );
            bad_file = true;
            continue;
        }
        // Three versions' steps on one bar, when the model check is slow.
        let bar = replay_progress(&scenario, args.model_check, 3 * scenario.steps.len());
        let tick = || {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        };
        let diff = VersionDiff::watched(&scenario, args.model_check, &tick);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        // Names and paths come from files: escaped, so that none can forge a header.
        emit(&format!(
            "== {} ({})\n{}\n",
            printable(&scenario.name),
            printable(&file.display().to_string()),
            diff.render()
        ))?;
        for r in &diff.replays {
            bug |= reported_disagreements(r);
        }
        if let Some(out) = pages.path_for(&file) {
            let html = migwiz::tools::pages::diff::page(&scenario, args.model_check);
            if let Err(e) = std::fs::write(&out, html) {
                eprintln!(
                    "{}: cannot write the page: {e}\n  help: check that the folder exists and may be written",
                    printable(&out.display().to_string())
                );
                bad_file = true;
            } else {
                written.push((scenario.name.clone(), out));
            }
        }
    }
    if let Some(index) = pages.index() {
        let links: Vec<(String, String)> = written
            .iter()
            .filter_map(|(name, path)| {
                let file = path.file_name()?.to_string_lossy().into_owned();
                Some((name.clone(), file))
            })
            .collect();
        if let Err(e) = std::fs::write(&index, migwiz::tools::pages::index(&links)) {
            eprintln!(
                "{}: cannot write the index: {e}",
                printable(&index.display().to_string())
            );
            bad_file = true;
        }
    }
    Ok(if bad_file {
        Status::Invalid
    } else if bug {
        Status::Bug
    } else {
        Status::Done
    })
}

/// Where `--html` writes: nowhere, one page for one scenario file, or a folder of pages
/// with an index.
enum Pages {
    None,
    One(PathBuf),
    Folder(PathBuf),
}

impl Pages {
    fn new(
        out: Option<&std::path::Path>,
        paths: &[PathBuf],
        files: usize,
    ) -> Result<Pages, Failure> {
        let Some(out) = out else {
            return Ok(Pages::None);
        };
        let one_file = paths.len() == 1 && files == 1 && !paths[0].is_dir();
        if one_file && !out.is_dir() {
            return Ok(Pages::One(out.to_path_buf()));
        }
        std::fs::create_dir_all(out).map_err(|e| {
            Failure::Invalid(format!(
                "{}: cannot make the folder for the pages: {e}\n  help: name a folder that can be written, e.g. --html pages/",
                printable(&out.display().to_string())
            ))
        })?;
        Ok(Pages::Folder(out.to_path_buf()))
    }

    /// The page of scenario file `file`, if pages are written.
    fn path_for(&self, file: &std::path::Path) -> Option<PathBuf> {
        match self {
            Pages::None => None,
            Pages::One(out) => Some(out.clone()),
            Pages::Folder(dir) => {
                let stem = file.file_stem()?.to_string_lossy().into_owned();
                Some(dir.join(format!("{stem}.html")))
            }
        }
    }

    /// The index page's path, when pages go into a folder.
    fn index(&self) -> Option<PathBuf> {
        match self {
            Pages::Folder(dir) => Some(dir.join("index.html")),
            _ => None,
        }
    }
}
