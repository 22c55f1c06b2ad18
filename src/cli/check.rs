//! `migwiz check`: every reachable state of a small universe, breadth first.

use std::path::PathBuf;

use migwiz::tools::check::{self, Alphabet, CheckConfig, CheckReport};

use crate::{emit, Failure, Status};

/// The arguments of `migwiz check`.
#[derive(clap::Args)]
pub struct Args {
    /// Which steps to take from every state: part1 (RULES.md's 20 steps, counts pinned) or
    /// full (with part 2's steps).
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
    let config = CheckConfig {
        alphabet: args.alphabet,
        users: args.users,
        depth: args.depth,
        threads: usize::from(args.threads),
        timeout: args.timeout.map(std::time::Duration::from_secs),
        checks: check::Checks::All,
    };
    let report = check::check(&config);
    let mut text = summary(&report, args.alphabet);
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
    Ok(status)
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
        if report.timed_out { " (stopped by --timeout)" } else { "" },
        report.states as f64 / secs.max(1e-9),
        report.edges as f64 / secs.max(1e-9),
    );
    for (name, len) in &report.reached {
        match len {
            Some(1) => text.push_str(&format!("reached: {name} (in 1 step)\n")),
            Some(n) => text.push_str(&format!("reached: {name} (in {n} steps)\n")),
            None => text.push_str(&format!("not reached: {name}\n")),
        }
    }
    text
}
