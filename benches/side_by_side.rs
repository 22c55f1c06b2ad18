//! `migwiz check --alphabet part1` beside stateright 0.31 on the same reference model, in
//! one process: 2 users to depth 6, and 3 users to depth 8. Prints the states, time and
//! peak heap of both, and the ratios (`BENCHMARKS.md` quotes the table). stateright runs
//! twice: on the model only (the anchor), and with the same checks on every edge
//! as `migwiz check` (the implementation beside the model, compared, and the properties).
//! migwiz's search also runs on the two lesser rungs of [`Checks`]: the model only (what
//! stateright's model-only run does), and the two steps compared without observations or
//! properties; the differences between the rungs are what each part of an edge costs.
//!
//! `cargo bench --bench side_by_side` (a few minutes). `MIGWIZ_SIDE_BY_SIDE=2:6` runs one
//! case only (users:depth).

mod common;
mod stateright_model;

use std::time::Duration;

use migwiz::tools::check::{check, Alphabet, CheckConfig, Checks};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

fn main() {
    let cases: Vec<(usize, usize)> = match std::env::var("MIGWIZ_SIDE_BY_SIDE") {
        Ok(one) => one
            .split_once(':')
            .and_then(|(u, d)| Some((u.parse().ok()?, d.parse().ok()?)))
            .into_iter()
            .collect(),
        Err(_) => vec![(2, 6), (3, 8)],
    };
    println!("| users | depth | checker | states | time | peak heap |");
    println!("|---|---|---|---|---|---|");
    for (users, depth) in cases {
        let config = CheckConfig {
            alphabet: Alphabet::Part1,
            users,
            depth,
            threads: 2,
            ..CheckConfig::default()
        };
        let (report, took, peak) = common::measure(|| check(&config));
        assert!(report.violation.is_none(), "{:?}", report.violation);
        let ours = Run {
            states: report.states,
            took,
            peak,
        };
        row(
            users,
            depth,
            "migwiz check (model + implementation + properties)",
            &ours,
        );
        for (checks, what) in [
            (Checks::ModelOnly, "model only"),
            (
                Checks::Steps,
                "model + implementation, no observations or properties",
            ),
        ] {
            let config = CheckConfig {
                checks,
                ..config.clone()
            };
            let (report, took, peak) = common::measure(|| check(&config));
            assert_eq!(report.states, ours.states, "a rung follows the same model");
            let rung = Run {
                states: report.states,
                took,
                peak,
            };
            row(users, depth, &format!("migwiz's search ({what})"), &rung);
        }
        let stateright: [(&str, &str, Explorer); 2] = [
            ("model only", "model only", stateright_model::explore),
            (
                "model + implementation + properties",
                "same checks",
                stateright_model::explore_checked,
            ),
        ];
        for (what, short, explore) in stateright {
            let (found, took, peak) = common::measure(|| explore(users, depth, 2));
            let theirs = Run {
                states: found.states,
                took,
                peak,
            };
            row(users, depth, &format!("stateright 0.31 ({what})"), &theirs);
            println!(
                "| {users} | {depth} | ratio migwiz / stateright ({short}) | {} | {:.2} | {:.2} |",
                difference(ours.states, theirs.states),
                ours.took.as_secs_f64() / theirs.took.as_secs_f64(),
                ours.peak as f64 / theirs.peak.max(1) as f64
            );
        }
    }
}

/// A stateright run: users, depth and threads.
type Explorer = fn(usize, usize, usize) -> stateright_model::Found;

/// What one checker's run measured.
struct Run {
    states: usize,
    took: Duration,
    peak: usize,
}

/// One checker's row of the table.
fn row(users: usize, depth: usize, checker: &str, run: &Run) {
    println!(
        "| {users} | {depth} | {checker} | {} | {:.1} s | {} |",
        run.states,
        run.took.as_secs_f64(),
        common::mb(run.peak)
    );
}

/// stateright's two threads do not go level by level, so at the depth bound it can stop
/// short of some states: say so rather than round the ratio to 1.
fn difference(ours: usize, theirs: usize) -> String {
    match ours as i64 - theirs as i64 {
        0 => "equal".to_string(),
        more => format!("migwiz {more:+}"),
    }
}
