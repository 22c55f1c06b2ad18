//! `migwiz check --alphabet part1` beside stateright 0.31 on the same reference model, in
//! one process: 2 users to depth 6, and 3 users to depth 8. Prints the states, time and
//! peak heap of both, and the ratios (`BENCHMARKS.md` quotes the table). stateright runs
//! twice: on the model only (the anchor), and with the same checks on every edge
//! as `migwiz check` (the implementation beside the model, compared, and the properties).
//!
//! `cargo bench --bench side_by_side` (a few minutes). `MIGWIZ_SIDE_BY_SIDE=2:6` runs one
//! case only (users:depth).

mod common;
mod stateright_model;

use migwiz::tools::check::{check, Alphabet, CheckConfig};

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
        let (ours, took, peak) = common::measure(|| check(&config));
        assert!(ours.violation.is_none(), "{:?}", ours.violation);
        println!(
            "| {users} | {depth} | migwiz check (model + implementation + properties) | {} | {:.1} s | {} |",
            ours.states,
            took.as_secs_f64(),
            common::mb(peak)
        );
        let (theirs, their_took, their_peak) =
            common::measure(|| stateright_model::explore(users, depth, 2));
        println!(
            "| {users} | {depth} | stateright 0.31 (model only) | {} | {:.1} s | {} |",
            theirs.states,
            their_took.as_secs_f64(),
            common::mb(their_peak)
        );
        println!(
            "| {users} | {depth} | ratio migwiz / stateright (model only) | {} | {:.2} | {:.2} |",
            difference(ours.states, theirs.states),
            took.as_secs_f64() / their_took.as_secs_f64(),
            peak as f64 / their_peak.max(1) as f64
        );
        let (same, same_took, same_peak) =
            common::measure(|| stateright_model::explore_checked(users, depth, 2));
        println!(
            "| {users} | {depth} | stateright 0.31 (model + implementation + properties) | {} | {:.1} s | {} |",
            same.states,
            same_took.as_secs_f64(),
            common::mb(same_peak)
        );
        println!(
            "| {users} | {depth} | ratio migwiz / stateright (same checks) | {} | {:.2} | {:.2} |",
            difference(ours.states, same.states),
            took.as_secs_f64() / same_took.as_secs_f64(),
            peak as f64 / same_peak.max(1) as f64
        );
    }
}

/// stateright's two threads do not go level by level, so at the depth bound it can stop
/// short of some states: say so rather than round the ratio to 1.
fn difference(ours: usize, theirs: usize) -> String {
    match ours as i64 - theirs as i64 {
        0 => "equal".to_string(),
        more => format!("migwiz {more:+}"),
    }
}
