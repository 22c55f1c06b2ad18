//! Concurrent runs (issue 24), measured:
//!
//! - the linearizability checker on histories of a 5-step prefix and 3 clients of 8 steps:
//!   linearizable ones as the deterministic scheduler ran them, and the same made
//!   non-linearizable by changing what the first client unit returned (so no order fits
//!   and the whole search runs); median and worst time, and peak heap;
//! - `migwiz race`'s work in the deterministic mode: checked schedules a second, 3 clients
//!   of up to 6 steps.
//!
//! `cargo bench --bench concurrency`. Figures go to BENCHMARKS.md.

mod common;
#[path = "../tests/common/stateright_lin.rs"]
mod stateright_lin;

use std::time::{Duration, Instant};

use migwiz::harness::concurrent::{case_strategy, judge, run, Answer, Call, Case, Mode, ModelSpec};
use migwiz::harness::generate::Reference;
use migwiz::harness::linearizability::{check, History, Verdict};
use migwiz::vocabulary::outcome::{Outcome, Refusal};
use migwiz::{Model, Operation};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use proptest_state_machine::ReferenceStateMachine;

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;

/// A case of a 5-step prefix and 3 clients of 8 steps each, from the sequential generator
/// (wizard steps to the first client; a client short of 8 keeps what it has).
fn big_case(runner: &mut TestRunner) -> Case {
    let (state, steps, _) = Reference::sequential_strategy(5 + 3 * 8..=5 + 3 * 8)
        .new_tree(runner)
        .unwrap()
        .current();
    let mut clients = vec![Vec::new(), Vec::new(), Vec::new()];
    let mut next = 1;
    for op in &steps[5..] {
        let lane = match op {
            Operation::Wizard(_) => 0,
            _ => {
                next = if next == 2 { 1 } else { 2 };
                next
            }
        };
        if clients[lane].len() < 8 {
            clients[lane].push(op.clone());
        }
    }
    Case {
        setup: state.setup,
        prefix: steps[..5].to_vec(),
        clients,
    }
}

fn spec(case: &Case) -> ModelSpec {
    let mut model = Model::new(&case.setup);
    for op in &case.prefix {
        model.apply(op);
    }
    ModelSpec { start: model }
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], *times.last().unwrap())
}

fn main() {
    let mut runner = TestRunner::deterministic();
    let mut good: Vec<(Case, History<Call, Answer>)> = Vec::new();
    let mut seed = 0;
    while good.len() < 40 {
        let case = big_case(&mut runner);
        let ran = run(&case, Mode::Deterministic { seed }, None);
        seed += 1;
        if judge(&case, &ran).passed() {
            good.push((case, ran.history));
        }
    }
    let units: usize = good.iter().map(|(_, h)| h.operations.len()).sum::<usize>() / good.len();
    println!(
        "histories: {} of {units} calls on average (5-step prefix, 3 clients of up to 8 steps)",
        good.len()
    );

    let (times, _, peak) = common::measure(|| {
        let mut times = Vec::new();
        for (case, history) in &good {
            let spec = spec(case);
            let started = Instant::now();
            let verdict = check(&spec, history, 10_000_000);
            times.push(started.elapsed());
            assert!(matches!(verdict, Verdict::Linearizable { .. }));
        }
        times
    });
    let (med, worst) = median(times);
    println!(
        "linearizable: median {med:?}, worst {worst:?}, peak heap {}",
        common::mb(peak)
    );

    // Two ways to break a history: the first client unit's answer (the search stops soon:
    // every unit called after it returned must come after it), and the final state (no
    // order of all the units fits: the whole search runs, memoized).
    for (what, last) in [
        ("the first unit's answer changed", false),
        ("the final state changed", true),
    ] {
        let ((times, steps_taken), _, peak) = common::measure(|| {
            let (mut times, mut steps_taken) = (Vec::new(), Vec::new());
            for (case, history) in &good {
                let mut broken = history.clone();
                let at = match last {
                    true => broken.operations.len() - 1,
                    false => broken
                        .operations
                        .iter()
                        .position(|op| matches!(op.input, Call::Unit { .. }))
                        .unwrap(),
                };
                match &mut broken.operations[at].output {
                    Some(Answer::Unit(result)) => {
                        result.outcome = Outcome::Refused(Refusal::NoUserList);
                        result.rules.clear();
                    }
                    Some(Answer::Observation(seen)) => seen.events.clear(),
                    None => unreachable!(),
                }
                let spec = spec(case);
                let started = Instant::now();
                let verdict = check(&spec, &broken, 10_000_000);
                times.push(started.elapsed());
                match verdict {
                    Verdict::NotLinearizable { .. } => steps_taken.push(0),
                    Verdict::Unknown { steps } => steps_taken.push(steps),
                    Verdict::Linearizable { .. } => panic!("a changed answer still fits"),
                }
            }
            (times, steps_taken)
        });
        let (med, worst) = median(times);
        let unknown = steps_taken.iter().filter(|&&s| s > 0).count();
        println!(
            "not linearizable, {what}: median {med:?}, worst {worst:?}, peak heap {}, {unknown} of {} ran out of budget",
            common::mb(peak),
            steps_taken.len()
        );
    }

    let mut runner = TestRunner::deterministic();
    let cases: Vec<(Case, u64)> = (0..500)
        .map(|_| {
            case_strategy(3, None)
                .new_tree(&mut runner)
                .unwrap()
                .current()
        })
        .collect();
    let started = Instant::now();
    let mut schedules = 0u64;
    for (case, seed) in &cases {
        for seed in seed * 4..seed * 4 + 4 {
            let ran = run(case, Mode::Deterministic { seed }, None);
            assert!(judge(case, &ran).passed());
            schedules += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "race, deterministic: {schedules} checked schedules in {elapsed:.2?}: {:.0} a second",
        schedules as f64 / elapsed.as_secs_f64()
    );
    // stateright 0.31's LinearizabilityTester on the same histories, last (a search that
    // runs out of its time is left running on its thread until the process ends).
    let mut times = Vec::new();
    for (case, history) in &good {
        let start = spec(case).start;
        let started = Instant::now();
        assert!(stateright_lin::stateright_linearizable(&start, history));
        times.push(started.elapsed());
    }
    let (med, worst) = median(times);
    println!("stateright, linearizable: median {med:?}, worst {worst:?}");
    let limit = Duration::from_secs(10);
    let mut outcomes = Vec::new();
    for (case, history) in good.iter().take(5) {
        let mut broken = history.clone();
        if let Some(Answer::Observation(seen)) = &mut broken.operations.last_mut().unwrap().output {
            seen.events.clear();
        }
        let start = spec(case).start;
        let ours = {
            let started = Instant::now();
            let verdict = check(&spec(case), &broken, 10_000_000);
            assert!(matches!(verdict, Verdict::NotLinearizable { .. }));
            started.elapsed()
        };
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let started = Instant::now();
            let linearizable = stateright_lin::stateright_linearizable(&start, &broken);
            let _ = done.send((linearizable, started.elapsed()));
        });
        let theirs = match finished.recv_timeout(limit) {
            Ok((linearizable, took)) => {
                assert!(!linearizable);
                format!("{took:?}")
            }
            Err(_) => format!("over {limit:?}"),
        };
        outcomes.push(format!("migwiz {ours:?}, stateright {theirs}"));
    }
    println!("stateright, not linearizable (final state changed), first 5 histories:");
    for line in &outcomes {
        println!("  {line}");
    }
    // Ends the stateright searches left running.
    std::process::exit(0);
}
