//! Throughput numbers, kept out of the tests: `cargo bench --bench throughput`.
//!
//! - state machine: random sequences run on the model and the implementation, compared
//!   after every step (what `cargo test` does), in sequences per second;
//! - explore: sequences per second, each run under all three versions and classified;
//! - check: distinct states per second, and the depth a 2-user check reaches in
//!   `MIGWIZ_BENCH_SECONDS` (default 10; the README quotes 60).

use std::time::{Duration, Instant};

use migwiz::harness::generate::Reference;
use migwiz::tools::check::{check, CheckConfig};
use migwiz::tools::explore::{explore, ExploreConfig};
use migwiz::Server;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use proptest_state_machine::ReferenceStateMachine;

fn state_machine(cases: u32) -> (u32, u64, Duration) {
    let mut runner = TestRunner::deterministic();
    let strategy = Reference::sequential_strategy(1..=40);
    let started = Instant::now();
    let mut steps = 0u64;
    for _ in 0..cases {
        let (state, ops, _) = strategy.new_tree(&mut runner).expect("generates").current();
        let mut model = state.model.clone();
        let mut server = Server::new(&state.setup);
        for op in &ops {
            assert_eq!(model.apply(op), server.apply(op));
            assert_eq!(model.observe(), server.observe());
            steps += 1;
        }
    }
    (cases, steps, started.elapsed())
}

fn main() {
    let (cases, steps, t) = state_machine(2000);
    println!(
        "state machine: {cases} sequences, {steps} steps in {t:.2?}: {:.0} sequences/s, {:.0} steps/s",
        f64::from(cases) / t.as_secs_f64(),
        steps as f64 / t.as_secs_f64()
    );

    let config = ExploreConfig {
        cases: 2000,
        seed: 1,
        ..ExploreConfig::default()
    };
    let started = Instant::now();
    let cat = explore(&config, |_| {});
    let t = started.elapsed();
    let classes = cat.entries.iter().filter(|e| e.seen > 0).count();
    println!(
        "explore: {} sequences x 3 versions, {classes} classes shrunk, in {t:.2?}: {:.0} sequences/s",
        config.cases,
        f64::from(config.cases) / t.as_secs_f64()
    );

    let seconds = std::env::var("MIGWIZ_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let report = check(&CheckConfig {
        users: 2,
        depth: 1000,
        timeout: Some(Duration::from_secs(seconds)),
        ..CheckConfig::default()
    });
    println!(
        "check (2 users): depth {} in {seconds} s, {} states, {} edges: {:.0} states/s, {:.0} edges/s",
        report.max_depth,
        report.states,
        report.edges,
        report.states as f64 / report.elapsed.as_secs_f64(),
        report.edges as f64 / report.elapsed.as_secs_f64()
    );
}
