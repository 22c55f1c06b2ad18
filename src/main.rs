//! The `migwiz` command line: a thin layer that parses, calls the library and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migwiz::check::CheckConfig;
use migwiz::diff::VersionDiff;
use migwiz::explore::{self, ExploreConfig};
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
    /// Generate random sequences, run each under every version, and find the shortest
    /// witness of every kind of divergence; write each witness as a scenario file.
    #[command(
        after_help = "Example:\n  migwiz explore --seed 1 --cases 2000 --out witnesses\n  migwiz diff witnesses/"
    )]
    Explore(ExploreArgs),
    /// Explore every reachable state of the reference model for a small universe, checking
    /// every invariant in every state and the implementation against the model on every edge.
    #[command(
        after_help = "Examples:\n  migwiz check                      # 2 users, depth 6\n  migwiz check --users 3 --depth 5 --timeout 60"
    )]
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct ExploreArgs {
    /// How many random sequences to generate.
    #[arg(long, default_value_t = 1000)]
    cases: u32,
    /// The random seed: the same seed gives the same catalogue.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write one witness scenario file per class found.
    #[arg(long, default_value = "witnesses")]
    out: PathBuf,
    /// Print the catalogue as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Writes to standard output; false when the reader has gone (e.g. `| head`), so the caller
/// stops quietly instead of panicking on a broken pipe.
fn emit(text: &str) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

#[derive(clap::Args)]
struct CheckArgs {
    /// MS Mail users in the universe (1 to 6), one message each.
    #[arg(long, default_value_t = 2)]
    users: usize,
    /// Longest sequence of steps to explore.
    #[arg(long, default_value_t = 6)]
    depth: usize,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Stop after this many seconds and report how far it got.
    #[arg(long)]
    timeout: Option<u64>,
    /// Where to write the first violation's path as a scenario file.
    #[arg(long, default_value = "check-violation.toml")]
    out: PathBuf,
}

/// Prints, loudly, where the reference model disagreed with the implementation during a
/// replay; true when it did (a bug in migwiz).
fn reported_disagreements(run: &migwiz::report::Replay) -> bool {
    if run.disagreements.is_empty() {
        return false;
    }
    let under = run
        .version
        .map(|v| format!(" under version {v}"))
        .unwrap_or_default();
    eprintln!("error: in {:?}{under} the reference model disagrees with the implementation; this is a bug in migwiz:", run.scenario);
    for d in &run.disagreements {
        eprintln!("  {d}");
    }
    true
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

fn explore(args: &ExploreArgs) -> ExitCode {
    use std::io::{IsTerminal, Write};
    let config = ExploreConfig {
        cases: args.cases,
        seed: args.seed,
        ..ExploreConfig::default()
    };
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let catalogue = explore::explore(&config, |done| {
        if terminal && (done % 25 == 0 || done == config.cases) {
            let width = 30 * done as usize / config.cases.max(1) as usize;
            eprint!(
                "\r[{:<30}] {done}/{} sequences",
                "#".repeat(width),
                config.cases
            );
            let _ = std::io::stderr().flush();
        }
    });
    if terminal {
        eprintln!(
            "\rexplored {} sequences in {:.1?}, shrinking included{:20}",
            config.cases,
            started.elapsed(),
            ""
        );
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "{}: cannot create the folder: {e}\n  help: name a folder you can write to with --out",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    for entry in &catalogue.entries {
        if let Some(scenario) = catalogue.witness_scenario(entry) {
            let path = args.out.join(explore::Catalogue::witness_file_name(entry));
            if let Err(e) = std::fs::write(&path, scenario.to_toml()) {
                eprintln!("{}: cannot write the witness: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let dir = args.out.display().to_string();
    let text = if args.json {
        catalogue.to_json(Some(&dir)) + "\n"
    } else {
        catalogue.table(Some(&dir))
    };
    if !emit(&text) {
        return ExitCode::SUCCESS;
    }
    if catalogue
        .entries
        .iter()
        .any(|e| e.class.forbidden() && e.seen > 0)
    {
        eprintln!("error: a 5.5 or 5.5 SP1 run broke I-OWNER; that is a bug in migwiz (see the witness above)");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn check(args: &CheckArgs) -> ExitCode {
    if !(1..=6).contains(&args.users) {
        eprintln!(
            "--users {} is out of range\n  help: the universe has 1 to 6 MS Mail users",
            args.users
        );
        return ExitCode::from(2);
    }
    let config = CheckConfig {
        users: args.users,
        depth: args.depth,
        threads: args.threads,
        timeout: args.timeout.map(std::time::Duration::from_secs),
    };
    let report = migwiz::check::check(&config);
    let users: Vec<String> = report
        .setup
        .users
        .iter()
        .map(|u| u.address.to_string())
        .collect();
    let secs = report.elapsed.as_secs_f64();
    let mut text = format!(
        "universe: {} users [{}], {} steps from every state\nstates: {} distinct (per depth: {:?})\nedges: {} steps taken on model and implementation\ndepth reached: {}{}\ntime: {secs:.1}s ({:.0} states/s, {:.0} edges/s)\n",
        users.len(),
        users.join(", "),
        report.alphabet,
        report.states,
        report.levels,
        report.edges,
        report.max_depth,
        if report.timed_out { " (stopped by --timeout)" } else { "" },
        report.states as f64 / secs.max(1e-9),
        report.edges as f64 / secs.max(1e-9),
    );
    for (name, len) in &report.reached {
        match len {
            Some(n) => text.push_str(&format!("reached: {name} (in {n} steps)\n")),
            None => text.push_str(&format!("not reached: {name}\n")),
        }
    }
    let status = match &report.violation {
        None => {
            text.push_str("violations: none\n");
            ExitCode::SUCCESS
        }
        Some((name, scenario)) => {
            text.push_str(&format!(
                "VIOLATION: {name}, after {} steps; written to {}\n",
                scenario.steps.len(),
                args.out.display()
            ));
            if let Err(e) = std::fs::write(&args.out, scenario.to_toml()) {
                eprintln!("{}: cannot write the violation: {e}", args.out.display());
            }
            ExitCode::from(1)
        }
    };
    if !emit(&text) {
        return ExitCode::SUCCESS;
    }
    status
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Explore(args) => explore(&args),
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
            let text = if json {
                run.to_json() + "\n"
            } else {
                run.transcript()
            };
            if !emit(&text) {
                return ExitCode::SUCCESS;
            }
            if reported_disagreements(&run) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
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
                let text = format!(
                    "== {} ({})\n{}\n",
                    scenario.name,
                    file.display(),
                    diff.render()
                );
                if !emit(&text) {
                    return ExitCode::SUCCESS;
                }
                for r in &diff.replays {
                    if reported_disagreements(r) {
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
