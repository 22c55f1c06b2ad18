//! The `migwiz` command line: a thin layer that parses, calls the library and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migwiz::diff::VersionDiff;
use migwiz::operation::Version;
use migwiz::report::replay;
use migwiz::scenario::Scenario;

/// Replay and compare Exchange Migration Wizard runs (MS Mail to Exchange 5.0 / 5.5, KB Q242184).
#[derive(Parser)]
#[command(
    name = "migwiz",
    after_help = "Examples:\n  migwiz diff scenarios/\n  migwiz run scenarios/01-q242184-symptoms.toml --version 5.0\n\nExit status: 0 replayed, 2 not a valid scenario file, 1 the reference model disagreed with the implementation (a bug in migwiz)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay one scenario file and show each step, the event log and the final state.
    #[command(
        after_help = "Example:\n  migwiz run scenarios/01-q242184-symptoms.toml --version 5.0 --json"
    )]
    Run {
        /// The scenario file (TOML, see spec/SCENARIO-FORMAT.md).
        file: PathBuf,
        /// Run every wizard step as this version: 5.0, 5.5 or 5.5-sp1.
        #[arg(long, value_parser = parse_version)]
        version: Option<Version>,
        /// Print the JSON run report instead of the transcript.
        #[arg(long)]
        json: bool,
    },
    /// Replay scenarios under 5.0, 5.5 and 5.5-sp1 and show only where the versions differ.
    #[command(
        after_help = "Examples:\n  migwiz diff scenarios/\n  migwiz diff scenarios/05-q183312-custom-recipient.toml"
    )]
    Diff {
        /// Scenario files, or folders: a folder means every .toml file in it.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
        .map_err(|e: migwiz::operation::UnknownVersion| e.to_string())
}

/// Reads and parses one scenario; the error is the one line (plus help) to print.
fn load(path: &Path) -> Result<Scenario, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "{name}: cannot read the file: {e}\n  help: check the path; a scenario is a .toml file"
        )
    })?;
    let text = Scenario::text_from_bytes(&name, &bytes).map_err(|e| e.to_string())?;
    Scenario::parse(&name, text).map_err(|e| e.to_string())
}

/// The files a list of paths names: files as given, folders as their .toml files, sorted.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| format!("{}: cannot read the folder: {e}", p.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            if found.is_empty() {
                return Err(format!("{}: the folder has no .toml scenario files\n  help: name scenario files, or a folder that holds some", p.display()));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            file,
            version,
            json,
        } => {
            let scenario = match load(&file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
            let run = match replay(&scenario, version) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    return ExitCode::from(2);
                }
            };
            if json {
                println!("{}", run.to_json());
            } else {
                print!("{}", run.transcript());
            }
            if run.disagreements.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("error: the reference model disagrees with the implementation; this is a bug in migwiz:");
                for d in &run.disagreements {
                    eprintln!("  {d}");
                }
                ExitCode::from(1)
            }
        }
        Command::Diff { paths } => {
            let files = match expand(&paths) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
            let mut status = ExitCode::SUCCESS;
            let mut bad_file = false;
            for file in files {
                let scenario = match load(&file) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("{e}");
                        bad_file = true;
                        continue;
                    }
                };
                let diff = match VersionDiff::of(&scenario) {
                    Ok(d) => d,
                    Err(e) => {
                        eprintln!("{}: {e}", file.display());
                        bad_file = true;
                        continue;
                    }
                };
                println!("== {} ({})", scenario.name, file.display());
                print!("{}", diff.render());
                println!();
                for r in &diff.replays {
                    if !r.disagreements.is_empty() {
                        eprintln!("error: under {:?} the reference model disagrees with the implementation (a bug in migwiz):", r.version);
                        for d in &r.disagreements {
                            eprintln!("  {d}");
                        }
                        status = ExitCode::from(1);
                    }
                }
            }
            if bad_file {
                ExitCode::from(2)
            } else {
                status
            }
        }
    }
}
