//! `migwiz race`: concurrent cases generated like the parallel test, run until one is not
//! linearizable; that one shrunk, shown as a table and a verdict, and written as a scenario
//! file that `migwiz run` replays exactly.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use migwiz::harness::concurrent::{search_until, Search};
use migwiz::server::shared::Fault;
use migwiz::tools::race::{table, verdict_words, witness};
use migwiz::Version;

use crate::{emit, Failure, Status};

/// The arguments of `migwiz race`.
#[derive(clap::Args)]
pub struct Args {
    /// The generator's seed: the same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many cases to generate (at least 1).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    cases: u32,
    /// At most this many clients at once (2 to 4).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=4))]
    clients: u8,
    /// Run every wizard and extraction step as this version: 5.0, 5.5 or 5.5-sp1.
    #[arg(long, value_parser = parse_version)]
    version: Option<Version>,
    /// Run on OS threads from a start barrier, each case this many times, instead of under
    /// the deterministic scheduler (not reproducible). At least 1.
    #[arg(long, num_args = 0..=1, default_missing_value = "10", value_parser = clap::value_parser!(u32).range(1..))]
    stress: Option<u32>,
    /// Switch one named fault of the server on, to watch it caught: mmf-checked-apart
    /// (C-MMF), waiting-read-apart (C-DELIVER), alias-checked-apart (C-UNIQUE),
    /// stale-directory (C-MIDRUN), list-update-apart (C-UNITS).
    #[arg(long, value_parser = parse_fault)]
    fault: Option<Fault>,
    /// Where to write the failing case as a scenario file. Files an earlier run wrote
    /// there (listed in its .migwiz-witnesses file) are removed first; nothing else is.
    #[arg(long, default_value = "witnesses")]
    out: PathBuf,
    /// Also write the failing case's history as a page: one lane per client, each unit a
    /// bar from call to return, the longest explained order and the unit no order places.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
        .map_err(|e: migwiz::vocabulary::operation::UnknownVersion| e.to_string())
}

/// A fault's name, in any case.
pub fn parse_fault(s: &str) -> Result<Fault, String> {
    Fault::ALL
        .into_iter()
        .find(|f| f.name().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
            format!("unknown fault {s:?}; use one of {}", names.join(", "))
        })
}

/// Searches, and reports the first failure found.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    let folder = crate::input::open_out(
        &args.out,
        migwiz::tools::witnesses::Writer::Race,
        "the failing case",
    )?;
    if let Some(page) = &args.html {
        crate::input::may_replace(page)?;
    }
    let config = Search {
        cases: args.cases,
        seed: args.seed,
        max_clients: usize::from(args.clients),
        version: args.version,
        stress: args.stress,
        fault: args.fault,
    };
    let bar = ProgressBar::with_draw_target(Some(args.cases.into()), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("[{bar:30}] {pos}/{len} cases, {per_sec}, {eta} left")
    {
        bar.set_style(style.progress_chars("#>-"));
    }
    let stop = crate::input::interrupt_flag();
    let searched = search_until(&config, &|done| bar.set_position(done.into()), &stop);
    bar.finish_and_clear();
    let how = match (args.stress, args.fault) {
        (Some(n), _) => format!("on OS threads, {n} times each"),
        (None, _) => "under the deterministic scheduler".to_string(),
    };
    match &searched.found {
        None => no_failure(args, &searched, &how),
        Some(found) => failure(args, found, &how, &folder),
    }
}

/// The search found nothing: say how many cases ran, and whether Ctrl-C stopped it.
fn no_failure(
    args: &Args,
    searched: &migwiz::harness::concurrent::Searched,
    how: &str,
) -> Result<Status, Failure> {
    // The cases that ran, not the cases asked for.
    emit(&format!(
        "no failure in {} cases {how} (seed {}{}){}\n",
        searched.cases_run,
        args.seed,
        args.fault
            .map_or(String::new(), |f| format!(", fault {}", f.name())),
        if searched.interrupted {
            format!(
                "; stopped by Ctrl-C after {} of {} cases",
                searched.cases_run, args.cases
            )
        } else {
            String::new()
        }
    ))?;
    if let Some(page) = &args.html {
        eprintln!("race: no failure, so no page written to {}", page.display());
    }
    if searched.interrupted {
        eprintln!(
            "race: stopped by Ctrl-C after {} of {} cases",
            searched.cases_run, args.cases
        );
        return Ok(Status::Interrupted);
    }
    Ok(Status::Done)
}

/// A failure found: print it, write its witness, and its page if asked.
fn failure(
    args: &Args,
    found: &migwiz::harness::concurrent::Found,
    how: &str,
    folder: &migwiz::tools::witnesses::WitnessFolder,
) -> Result<Status, Failure> {
    let names: Vec<String> = (1..=found.case.clients.len())
        .map(|k| format!("c{k}"))
        .collect();
    let file = format!("race-seed-{}-case-{}.toml", args.seed, found.cases_run);
    let name = match args.fault {
        Some(f) => format!(
            "migwiz race: fault {} ({}), seed {}",
            f.name(),
            f.breaks(),
            args.seed
        ),
        None => format!("migwiz race: seed {}", args.seed),
    };
    let fault = args
        .fault
        .map_or(String::new(), |f| format!(" --fault {}", f.name()));
    let description = format!(
        "Found by `migwiz race --seed {}{fault}` after {} cases, shrunk; replay with `migwiz run FILE{fault}`.",
        args.seed, found.cases_run
    );
    let scenario = witness(&found.case, found.seed, &name, &description);
    if let Some(steps) = migwiz::harness::concurrent::sequential_form(&found.case, args.fault) {
        eprintln!(
            "race: the failure needs no clients at once: its {} step(s), one after the other, fail too (a sequential failure, which the state machine test finds: migwiz run on the file below, or cargo test --test state_machine)",
            steps.len()
        );
    }
    emit(&found_words(found, how, &names))?;
    // After the report: a file that cannot be written loses nothing of the run.
    folder
        .replace(&[(file.clone(), scenario.to_toml())])
        .map_err(|e| {
            Failure::Invalid(format!(
                "{}: cannot write {file}: {e}\n  help: move that file away, or write elsewhere with --out",
                args.out.display()
            ))
        })?;
    emit(&format!(
        "\nwritten to {}; replay it with: migwiz run {}{fault}\n",
        args.out.join(&file).display(),
        args.out.join(&file).display()
    ))?;
    if let Some(page) = &args.html {
        // The witness replayed, as `migwiz run FILE --html` draws it.
        let report =
            migwiz::tools::race::run_scenario(&scenario, None, Some(found.seed), args.fault);
        // The failure found stays the exit status when its page cannot be written.
        let context = migwiz::tools::pages::history::Context {
            index: None,
            replay: Some(format!(
                "migwiz run {}{fault}",
                args.out.join(&file).display()
            )),
        };
        let html = migwiz::tools::pages::history::page_in(&report, &context);
        if let Err(Failure::Invalid(e)) = crate::input::write_page(page, &html) {
            eprintln!(
                "{e}\nrace: the failure is written to {} all the same",
                args.out.join(&file).display()
            );
        }
    }
    Ok(Status::Bug)
}

/// The failure in words: its size, the prefix, a column per client, and the verdict.
fn found_words(found: &migwiz::harness::concurrent::Found, how: &str, names: &[String]) -> String {
    let mut text = format!(
        "a failure after {} cases {how}, shrunk to {} client(s) after {} prefix step(s), schedule {}:\n",
        found.cases_run,
        found.case.clients.len(),
        found.case.prefix.len(),
        found.seed
    );
    // A blank line before the prefix, if any, and one before the table.
    if !found.case.prefix.is_empty() {
        text.push('\n');
    }
    for op in &found.case.prefix {
        text.push_str(&format!("  prefix: {op}\n"));
    }
    text.push('\n');
    text.push_str(&table(&found.case, &found.ran, names));
    text.push('\n');
    text.push_str(&verdict_words(
        &found.case,
        &found.ran,
        &found.judgement,
        names,
    ));
    text.push('\n');
    text
}
