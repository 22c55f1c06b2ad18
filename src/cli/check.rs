//! `migwiz check`: every reachable state of a small universe, breadth first.

use std::path::PathBuf;

use std::io::IsTerminal as _;
use std::sync::atomic::Ordering;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use migwiz::tools::check::{self, Alphabet, CheckConfig, CheckReport, Watch};

use crate::{emit, Failure, Status};

/// The arguments of `migwiz check`.
#[derive(clap::Args)]
pub struct Args {
    /// Which steps to take from every state: part1 (RULES.md's 20 steps, counts pinned),
    /// full (with part 2's steps) or part4 (batch runs, RULES-PART4.md).
    #[arg(long, default_value = "full", value_parser = parse_alphabet)]
    alphabet: Alphabet,
    /// MS Mail users in the universe (1 to 8), one message each.
    #[arg(long, default_value_t = 2)]
    users: usize,
    /// Longest sequence of steps to explore.
    #[arg(long, default_value_t = 6)]
    depth: usize,
    /// Worker threads, 1 to 64.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=64))]
    threads: u8,
    /// Stop after this many seconds and report how far it got.
    #[arg(long)]
    timeout: Option<u64>,
    /// Where to write the first violation's path as a scenario file.
    #[arg(long, default_value = "check-violation.toml")]
    out: PathBuf,
    /// Also write the shortest path to every `sometimes` property reached and to any
    /// violation as a Graphviz graph, and OUT.svg beside it when Graphviz's `dot` is
    /// installed.
    #[arg(long, value_name = "OUT.dot")]
    dot: Option<PathBuf>,
}

fn parse_alphabet(s: &str) -> Result<Alphabet, String> {
    s.parse()
}

/// Checks, prints the counts, writes the first violation if any.
pub fn exec(args: &Args) -> Result<Status, Failure> {
    if !(1..=8).contains(&args.users) {
        return Err(Failure::Invalid(format!(
            "--users {} is out of range\n  help: the universe has 1 to 8 MS Mail users",
            args.users
        )));
    }
    if let Some(dot) = &args.dot {
        crate::input::may_replace(dot)?;
    }
    let config = CheckConfig {
        alphabet: args.alphabet,
        users: args.users,
        depth: args.depth,
        threads: usize::from(args.threads),
        timeout: args.timeout.map(std::time::Duration::from_secs),
        checks: check::Checks::All,
    };
    let stop = crate::input::interrupt_flag();
    let bar = progress_bar(args.depth);
    let progress = |depth: usize, done: usize, of: usize, states: usize| {
        if let Some(bar) = &bar {
            bar.set_position(depth as u64 - 1);
            bar.set_message(format!(
                "depth {depth}: {done}/{of} parts, {states} states before it"
            ));
        }
    };
    let watch = Watch {
        stop: &stop,
        progress: &progress,
    };
    let report = check::check_watched(&config, &watch);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut text = summary(&report, args.alphabet);
    if report.threads < usize::from(args.threads) {
        text.push_str(&format!(
            "threads: {} asked, the system started {}; the work and the counts are the same\n",
            args.threads, report.threads
        ));
    }
    let status = match &report.violation {
        None => {
            text.push_str("violations: none\n");
            Status::Done
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
            Status::Bug
        }
    };
    emit(&text)?;
    if let Some(path) = &args.dot {
        write_graph(path, &report)?;
    }
    if report.interrupted || stop.load(Ordering::SeqCst) {
        eprintln!(
            "check: stopped by Ctrl-C after depth {}; the counts above are for the levels it finished",
            report.max_depth
        );
        return Ok(Status::Interrupted);
    }
    Ok(status)
}

/// Levels done out of `depth`, with the level in hand, drawn only when standard error is
/// a terminal: a long check (`--timeout 60`) is not silent.
fn progress_bar(depth: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(depth as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed} [{bar:20}] {pos}/{len} levels, {msg}")
    {
        bar.set_style(style.progress_chars("#>-"));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// The counts, the time and the `sometimes` properties reached.
fn summary(report: &CheckReport, alphabet: Alphabet) -> String {
    let users: Vec<String> = report
        .setup
        .users()
        .iter()
        .map(|u| u.address.to_string())
        .collect();
    let secs = report.elapsed.as_secs_f64();
    let mut text = format!(
        "universe: {} users [{}], {} steps from every state (alphabet {})\nstates: {} distinct (per depth: {:?})\nedges: {} steps taken on model and implementation\ndepth reached: {}{}\ntime: {secs:.1}s ({:.0} states/s, {:.0} edges/s)\n",
        users.len(),
        users.join(", "),
        report.alphabet,
        alphabet.as_str(),
        report.states,
        report.levels,
        report.edges,
        report.max_depth,
        if report.timed_out {
            " (stopped by --timeout)"
        } else if report.interrupted {
            " (stopped by Ctrl-C)"
        } else {
            ""
        },
        report.states as f64 / secs.max(1e-9),
        report.edges as f64 / secs.max(1e-9),
    );
    for (name, len) in &report.reached {
        match len {
            Some(1) => text.push_str(&format!("reached: {name} (in 1 step)\n")),
            Some(n) => text.push_str(&format!("reached: {name} (in {n} steps)\n")),
            None => match check::unreachable_why(name, &report.setup) {
                Some(why) => text.push_str(&format!("not reachable here: {name} ({why})\n")),
                None => text.push_str(&format!("not reached: {name}\n")),
            },
        }
    }
    text
}

/// Writes the graph, and its SVG beside it when Graphviz's `dot` runs; without Graphviz
/// the `.dot` file alone, and a line that says how to draw it.
fn write_graph(path: &std::path::Path, report: &CheckReport) -> Result<(), Failure> {
    crate::input::write_page(path, &migwiz::tools::pages::graph::dot(report))?;
    let svg = path.with_extension("svg");
    // Graphviz would replace whatever stands there: a drawing of ours only.
    if let Err(Failure::Invalid(e)) = crate::input::may_replace(&svg) {
        eprintln!("check: wrote {}; not drawn: {e}", path.display());
        return Ok(());
    }
    let drawn = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .arg("-o")
        .arg(&svg)
        .status()
        .is_ok_and(|s| s.success());
    match drawn {
        true => eprintln!("check: wrote {} and {}", path.display(), svg.display()),
        false => eprintln!(
            "check: wrote {}; Graphviz's dot did not run, so no SVG (apt-get install graphviz, then dot -Tsvg {} -o {})",
            path.display(),
            path.display(),
            svg.display()
        ),
    }
    Ok(())
}
