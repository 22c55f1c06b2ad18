//! The state machine test's work without criterion, for profilers (perf, valgrind): `N`
//! iterations of exactly what the `state_machine` benchmark runs (`benches/checking.rs`,
//! through `benches/common/mod.rs`), 100 sequences each, generated and then run as `cargo
//! test` runs them; with a second argument, generated only. Prints the steps and steps per
//! second.
//!
//! `cargo run --release --example state_machine_steps -- 60` (checked),
//! `… -- 60 gen` (generation only). Instruction counts in `BENCHMARKS.md` come from
//! `valgrind --tool=cachegrind --cache-sim=no target/release/examples/state_machine_steps 5`.

#[path = "../benches/common/mod.rs"]
mod common;

/// The benchmark's allocator: mimalloc, its counting off.
#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let check = std::env::args().nth(2).is_none();
    let started = std::time::Instant::now();
    let steps: u64 = (0..iterations).map(|_| common::state_machine(check)).sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{steps} steps in {seconds:.2}s: {:.0} steps/s",
        steps as f64 / seconds
    );
}
