//! The state machine test's work without criterion, for profilers (perf, valgrind): `N`
//! iterations of the benchmark's 100 sequences (`benches/checking.rs`, `state_machine`),
//! each generated and then run as `cargo test` runs it; with a second argument, generated
//! only. Prints the steps and steps per second.
//!
//! `cargo run --release --example state_machine_steps -- 60` (checked),
//! `… -- 60 gen` (generation only). Instruction counts in `BENCHMARKS.md` come from
//! `valgrind --tool=cachegrind --cache-sim=no target/release/examples/state_machine_steps 5`.

use migwiz::harness::generate::Reference;
use migwiz::harness::sut::Implementation;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let check = std::env::args().nth(2).is_none();
    let started = std::time::Instant::now();
    let mut steps = 0u64;
    for _ in 0..iterations {
        // The benchmark's sequences: a deterministic runner, the same 100 each iteration.
        let mut runner = TestRunner::deterministic();
        let strategy = Reference::sequential_strategy(1..=40);
        for _ in 0..100 {
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                eprintln!("the strategy rejected too many draws");
                std::process::exit(1);
            };
            let (state, ops, seen) = tree.current();
            steps += ops.len() as u64;
            if check {
                Implementation::<()>::test_sequential(Config::default(), state, ops, seen);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{steps} steps in {seconds:.2}s: {:.0} steps/s",
        steps as f64 / seconds
    );
}
