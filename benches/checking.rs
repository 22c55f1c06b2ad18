//! How fast migwiz checks (issues 11 and 13), with criterion:
//!
//! - `state_machine`: the state machine test exactly as `cargo test` runs it (generation,
//!   the model, the implementation, every comparison and property after every step), in
//!   steps per second; and the generation alone, to give its share;
//! - `explore`: sequences per second, each run under all three versions and classified;
//! - `check`: `migwiz check --alphabet part1`, 2 users to depth 6, in states per second,
//!   beside stateright 0.31 exploring the same reference model to the same depth, on the
//!   model only and with the same checks on every edge.
//!
//! `cargo bench --bench checking`. The side-by-side run at 3 users and depth 8, with
//! memory, is `cargo bench --bench side_by_side`.

mod common;
mod stateright_model;

use criterion::{BenchmarkId, Criterion, Throughput};
use migwiz::tools::check::{check, Alphabet, CheckConfig};
use migwiz::tools::explore::{explore, ExploreConfig};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

fn checking(c: &mut Criterion) {
    let steps = common::state_machine(false);
    let mut group = c.benchmark_group("state_machine");
    group.throughput(Throughput::Elements(steps));
    group.bench_function("checked steps", |b| b.iter(|| common::state_machine(true)));
    group.bench_function("generation only", |b| {
        b.iter(|| common::state_machine(false))
    });
    group.finish();

    let mut group = c.benchmark_group("explore");
    group.sample_size(10);
    let config = ExploreConfig {
        cases: 200,
        seed: 1,
        ..ExploreConfig::default()
    };
    group.throughput(Throughput::Elements(u64::from(config.cases)));
    group.bench_function("sequences", |b| {
        b.iter(|| explore(&config, |_| {}).cases_run)
    });
    group.finish();

    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    let config = CheckConfig {
        alphabet: Alphabet::Part1,
        users: 2,
        depth: 6,
        ..CheckConfig::default()
    };
    let states = check(&config).states as u64;
    group.throughput(Throughput::Elements(states));
    group.bench_function(BenchmarkId::new("migwiz", "2 users, depth 6"), |b| {
        b.iter(|| check(&config).states)
    });
    group.bench_function(BenchmarkId::new("stateright", "2 users, depth 6"), |b| {
        b.iter(|| stateright_model::explore(2, 6, 2).states)
    });
    group.bench_function(
        BenchmarkId::new("stateright, same checks", "2 users, depth 6"),
        |b| b.iter(|| stateright_model::explore_checked(2, 6, 2).states),
    );
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    checking(&mut c);
    c.final_summary();
}
