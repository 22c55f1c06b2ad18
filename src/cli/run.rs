//! `migwiz run FILE`: replay one scenario and print its transcript or JSON report.

use std::path::PathBuf;

use migwiz::tools::replay::Replayer;
use migwiz::tools::report::{json_head, json_step, transcript_head, transcript_step};
use migwiz::Version;

use crate::input::{load, replay_progress, reported_disagreements};
use crate::{emit, Failure, Status, Stream};

/// The arguments of `migwiz run`.
#[derive(clap::Args)]
pub struct Args {
    /// Run the reference model beside the implementation: auto (in full when it takes about
    /// 2 s or less: up to 2,000 users plus steps and 200,000 users times steps), on (always,
    /// with progress on a terminal when slow) or off.
    #[arg(long, default_value = "auto", value_parser = crate::input::parse_model_check)]
    model_check: migwiz::tools::replay::ModelCheckPolicy,
    /// The scenario file (TOML, see spec/SCENARIO-FORMAT.md).
    file: PathBuf,
    /// Run every wizard step as this version: 5.0, 5.5 or 5.5-sp1.
    #[arg(long, value_parser = parse_version)]
    version: Option<Version>,
    /// Print the JSON run report instead of the transcript.
    #[arg(long)]
    json: bool,
    /// For a file with [[clients]]: the deterministic scheduler's seed, instead of the
    /// file's `[schedule] seed` (spec/SCENARIO-FORMAT-3.md): a whole number from 0.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
    schedule: Option<u64>,
    /// For a file with [[clients]]: switch one named fault of the concurrent server on, as
    /// `migwiz race --fault` did when it wrote the file.
    #[arg(long, value_parser = crate::race::parse_fault)]
    fault: Option<migwiz::server::shared::Fault>,
    /// Also write a page: for a file with [[clients]], the run's history (a lane per client,
    /// a bar per unit, the order found); otherwise the side-by-side page of every version.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
}

/// A schedule seed; a negative or malformed one is named as a bad value, not taken for
/// an option.
fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse()
        .map_err(|_| "a schedule seed is a whole number from 0, e.g. --schedule 7".to_string())
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
        .map_err(|e: migwiz::vocabulary::operation::UnknownVersion| e.to_string())
}

/// Replays the file and prints it.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    let scenario = load(&args.file).map_err(Failure::Invalid)?;
    if let Some(page) = &args.html {
        crate::input::may_replace(page)?;
    }
    if !scenario.clients.is_empty() {
        return exec_concurrent(args, &scenario);
    }
    if args.schedule.is_some() || args.fault.is_some() {
        return Err(Failure::Invalid(format!(
            "{}: --schedule and --fault are for a file with [[clients]], and this one has none\n  help: leave them out, or add [[clients]] (spec/SCENARIO-FORMAT-3.md)",
            args.file.display()
        )));
    }
    if let Some(page) = &args.html {
        let html = migwiz::tools::pages::diff::page(&scenario, args.model_check);
        crate::input::write_page(page, &html)?;
    }
    // Each step is written as it is done and then dropped: memory does not grow with the
    // steps (issue 25, item 2).
    let bar = replay_progress(&scenario, args.model_check, scenario.steps.len());
    let mut replayer = Replayer::new(&scenario, args.version, args.model_check);
    let mut out = Stream::new();
    out.put(&match args.json {
        true => json_head(&scenario.name),
        false => transcript_head(
            &scenario.name,
            scenario.description.as_deref(),
            args.version,
            replayer.model_check(),
        ),
    })?;
    let mut steps = 0;
    while let Some(step) = replayer.next_step() {
        out.put(&match args.json {
            true => json_step(&step, steps == 0),
            false => transcript_step(&step),
        })?;
        steps += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let run = replayer.finish();
    out.put(&match args.json {
        true => run.json_tail(steps > 0) + "\n",
        false => run.transcript_tail(),
    })?;
    out.done()?;
    Ok(match reported_disagreements(&run) {
        true => Status::Bug,
        false => Status::Done,
    })
}

/// A file with clients at once (SCENARIO-FORMAT-3.md): the prefix, the units, the verdict.
fn exec_concurrent(args: &Args, scenario: &migwiz::Scenario) -> Result<Status, Failure> {
    let how = migwiz::tools::race::How {
        version: args.version,
        schedule: args.schedule,
        fault: args.fault,
        policy: args.model_check,
    };
    let report = crate::input::run_concurrent(scenario, &how);
    let text = match args.json {
        true => report.to_json() + "\n",
        false => report.transcript(),
    };
    emit(&text)?;
    if let Some(page) = &args.html {
        let context = migwiz::tools::pages::history::Context {
            index: None,
            replay: Some(replay_command(args, &report)),
        };
        let html = migwiz::tools::pages::history::page_in(&report, &context);
        crate::input::write_page(page, &html)?;
    }
    if reported_disagreements(&report.prefix) {
        return Ok(Status::Bug);
    }
    if report.judgement.is_unknown() {
        eprintln!("unknown: a budget ran out before the run was judged (see the verdict); this is not a pass");
        return Ok(Status::Unknown);
    }
    if !report.passed() {
        let see = match args.json {
            true => "its \"verdict\" in the report above",
            false => "the verdict above",
        };
        eprintln!("error: the concurrent run is not explained by the rules (see {see})");
        return Ok(Status::Bug);
    }
    Ok(Status::Done)
}

/// The command that replays a concurrent run as it ran: its file, its schedule, and the
/// version and fault it ran with.
fn replay_command(args: &Args, report: &migwiz::tools::race::RaceReport) -> String {
    let mut command = format!(
        "migwiz run {} --schedule {}",
        args.file.display(),
        report.schedule
    );
    if let Some(v) = args.version {
        command.push_str(&format!(" --version {}", v.as_str()));
    }
    if let Some(f) = args.fault {
        command.push_str(&format!(" --fault {}", f.name()));
    }
    command
}
