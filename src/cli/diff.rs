//! `migwiz diff FILE|DIR…`: each scenario under every version, only the differences shown.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use migwiz::tools::pages::{IndexRow, Shows};
use migwiz::vocabulary::printable;
use migwiz::VersionDiff;

use crate::input::{expand, load, may_replace, replay_progress, reported_disagreements};
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
    // A folder that cannot be read or holds no scenario is reported; the rest still run.
    let mut bad_file = !errors.is_empty();
    for e in &errors {
        eprintln!("{e}");
    }
    let pages = Pages::new(args.html.as_deref(), &args.paths, &files)?;
    let (mut bug, mut unwritten) = (false, false);
    let mut written = Vec::new();
    for file in files {
        // A reader gone away ends the printing; only pages still to write go on.
        if crate::output_closed() && matches!(pages, Pages::None) {
            break;
        }
        let scenario = match load(&file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                bad_file = true;
                continue;
            }
        };
        let page = pages.path_for(&file);
        let index = pages.index().map(|_| INDEX);
        let (failed, html) = match scenario.clients.is_empty() {
            true => sequential(&scenario, &file, args.model_check, page.is_some(), index)?,
            false => concurrent(&scenario, &file, args.model_check, page.as_deref(), index)?,
        };
        bug |= failed;
        if let (Some(out), Some((html, shows))) = (page, html) {
            match crate::input::write_page(&out, &html) {
                Ok(()) => written.push((scenario.name.clone(), out, shows)),
                Err(Failure::Invalid(e)) => {
                    eprintln!("{e}");
                    unwritten = true;
                }
                Err(other) => return Err(other),
            }
        }
    }
    if let Some(index) = pages.index() {
        let links: Vec<IndexRow> = written
            .into_iter()
            .filter_map(|(name, path, shows)| {
                let file = path.file_name()?.to_string_lossy().into_owned();
                Some(IndexRow { name, file, shows })
            })
            .collect();
        if let Err(e) = std::fs::write(&index, migwiz::tools::pages::index(&links)) {
            eprintln!(
                "{}: cannot write the index: {e}; the pages above were written without it",
                printable(&index.display().to_string())
            );
            unwritten = true;
        }
    }
    // A failure found stays a failure when a page could not be written.
    Ok(if bug {
        Status::Bug
    } else if bad_file || unwritten {
        Status::Invalid
    } else {
        Status::Done
    })
}

/// A page, and what the index says of it.
type Drawn = Option<(String, Shows)>;

/// Prints `scenario` under every version, only the differences; returns whether model
/// and implementation disagreed, and the side-by-side page when `page` asks for it
/// (linking back to `index`, when it is one of a folder's).
fn sequential(
    scenario: &migwiz::Scenario,
    file: &std::path::Path,
    policy: migwiz::tools::replay::ModelCheckPolicy,
    page: bool,
    index: Option<&str>,
) -> Result<(bool, Drawn), Failure> {
    // Three versions' steps on one bar, when the model check is slow.
    let bar = replay_progress(scenario, policy, 3 * scenario.steps.len());
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let diff = VersionDiff::watched(scenario, policy, &tick);
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
    let bug = diff.replays.iter().any(reported_disagreements);
    let html = page.then(|| migwiz::tools::pages::diff::page_and_shows(scenario, policy, index));
    Ok((bug, html))
}

/// A file with [[clients]] has no one order to compare version by version: it runs as
/// `migwiz run` runs it, and its history is drawn when pages are written. Returns whether
/// the run was not explained by the rules, and the page.
fn concurrent(
    scenario: &migwiz::Scenario,
    file: &std::path::Path,
    policy: migwiz::tools::replay::ModelCheckPolicy,
    page: Option<&std::path::Path>,
    index: Option<&str>,
) -> Result<(bool, Drawn), Failure> {
    let how = migwiz::tools::race::How {
        policy,
        ..Default::default()
    };
    let report = crate::input::run_concurrent(scenario, &how);
    let drawn = match page {
        Some(out) => format!(
            "its history is drawn in {}; ",
            printable(&out.display().to_string())
        ),
        None => String::new(),
    };
    emit(&format!(
        "== {} ({})\n  a concurrent run ({}): {drawn}migwiz run {} prints it\n\n",
        printable(&scenario.name),
        printable(&file.display().to_string()),
        if report.passed() {
            "linearizable"
        } else {
            "NOT linearizable"
        },
        printable(&file.display().to_string()),
    ))?;
    // An unknown verdict is no pass: diff counts it with the failures.
    let failed = !report.passed() || reported_disagreements(&report.prefix);
    let context = migwiz::tools::pages::history::Context {
        index: index.map(str::to_string),
        replay: Some(format!("migwiz run {}", file.display())),
    };
    let verdict = match (report.passed(), report.judgement.is_unknown()) {
        (true, _) => "✓ linearizable",
        (false, true) => "? unknown: a budget ran out",
        (false, false) => "✗ NOT linearizable",
    };
    Ok((
        failed,
        page.map(|_| {
            (
                migwiz::tools::pages::history::page_in(&report, &context),
                Shows::Clients {
                    verdict: verdict.to_string(),
                },
            )
        }),
    ))
}

/// Where `--html` writes: nowhere, one page for one scenario file, or a folder of pages
/// with an index. Every page's name is chosen, and every place checked, before any
/// scenario runs.
enum Pages {
    None,
    One(PathBuf),
    Folder {
        dir: PathBuf,
        /// Each scenario file's page.
        pages: HashMap<PathBuf, PathBuf>,
    },
}

impl Pages {
    fn new(
        out: Option<&std::path::Path>,
        paths: &[PathBuf],
        files: &[PathBuf],
    ) -> Result<Pages, Failure> {
        let Some(out) = out else {
            return Ok(Pages::None);
        };
        let one_file = paths.len() == 1 && files.len() == 1 && !paths[0].is_dir();
        if one_file && !out.is_dir() {
            may_replace(out)?;
            return Ok(Pages::One(out.to_path_buf()));
        }
        std::fs::create_dir_all(out).map_err(|e| {
            Failure::Invalid(format!(
                "{}: cannot make the folder for the pages: {e}\n  help: name a folder that can be written, e.g. --html pages/",
                printable(&out.display().to_string())
            ))
        })?;
        may_replace(&out.join(INDEX))?;
        let names = page_names(files);
        let mut pages = HashMap::new();
        for (file, name) in files.iter().zip(names) {
            let page = out.join(name);
            may_replace(&page)?;
            pages.insert(file.clone(), page);
        }
        Ok(Pages::Folder {
            dir: out.to_path_buf(),
            pages,
        })
    }

    /// The page of scenario file `file`, if pages are written.
    fn path_for(&self, file: &std::path::Path) -> Option<PathBuf> {
        match self {
            Pages::None => None,
            Pages::One(out) => Some(out.clone()),
            Pages::Folder { pages, .. } => pages.get(file).cloned(),
        }
    }

    /// The index page's path, when pages go into a folder.
    fn index(&self) -> Option<PathBuf> {
        match self {
            Pages::Folder { dir, .. } => Some(dir.join(INDEX)),
            _ => None,
        }
    }
}

/// The index's file name in a folder of pages.
const INDEX: &str = "index.html";

/// A page name for each scenario file: its stem and `.html`, and where two files share a
/// stem (in two folders), or a stem would name the index, `-2`, `-3`, … after the stem.
/// Names are told apart without case, as Windows and macOS folders do.
fn page_names(files: &[PathBuf]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from([INDEX.to_string()]);
    files
        .iter()
        .map(|file| {
            let stem = file
                .file_stem()
                .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
            let mut name = format!("{stem}.html");
            let mut n = 1;
            while !taken.insert(name.to_lowercase()) {
                n += 1;
                name = format!("{stem}-{n}.html");
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_gets_a_page_name_of_its_own() {
        let files: Vec<PathBuf> = [
            "a/same.toml",
            "b/same.toml",
            "b/Same.toml",
            "index.toml",
            "x/y",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(
            page_names(&files),
            [
                "same.html",
                "same-2.html",
                "Same-3.html",
                "index-2.html",
                "y.html"
            ]
        );
    }
}
