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
    for file in files {
        let scenario = match load(&file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                bad_file = true;
                continue;
            }
        };
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
    }
    Ok(if bad_file {
        Status::Invalid
    } else if bug {
        Status::Bug
    } else {
        Status::Done
    })
}
