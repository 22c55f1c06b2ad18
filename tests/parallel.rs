//! The parallel state machine test (`CONCURRENCY.md`): a prefix of up to 5 steps, then 2
//! or 3 clients of up to 6 steps each, drawn with the sequential test's generator under
//! every version, run on the shared server under the deterministic scheduler, and judged
//! linearizable against the reference model (C-LIN). Each named fault of the server,
//! switched on, must be found and shrunk; the same fault must stay invisible one step at a
//! time.
//!
//! `PROPTEST_CASES=10000 cargo test --release --test parallel -- --nocapture` runs more.

use migwiz::harness::concurrent::{failing_seed, judge, run, shrink, Case, Judgement, Mode};
use migwiz::harness::concurrent::{Answer, Call};
use migwiz::harness::generate::Reference;
use migwiz::harness::linearizability::History;
use migwiz::harness::reproduce::LastFailing;
use migwiz::harness::sut::quietly;
use migwiz::server::shared::Fault;
use migwiz::Operation;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngSeed, TestCaseError, TestError, TestRunner,
};
use proptest_state_machine::ReferenceStateMachine;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The schedules tried for each case: seeds `seed * SCHEDULES ..`.
const SCHEDULES: u64 = 4;

/// The most steps a client takes, and the longest prefix generated.
const CLIENT_STEPS: usize = 6;
const PREFIX: usize = 5;

/// A case and the scheduler's seed. The last `concurrent` steps go to the clients, the
/// rest (up to 5) is the prefix, so shrinking `concurrent` moves steps into the prefix.
/// Wizard steps all go to the first client (C-CLIENTS: one wizard); the others by `owners`.
fn case_strategy() -> impl Strategy<Value = (Case, u64)> {
    (
        Reference::sequential_strategy(2..=PREFIX + 3 * CLIENT_STEPS),
        2usize..=3 * CLIENT_STEPS,
        2usize..=3,
        proptest::collection::vec(0usize..3, 3 * CLIENT_STEPS),
        0u64..1_000,
    )
        .prop_map(|((state, steps, _), concurrent, clients, owners, seed)| {
            let concurrent = concurrent.min(steps.len());
            let split = steps.len() - concurrent;
            let prefix = steps[..split.min(PREFIX)].to_vec();
            let mut lanes: Vec<Vec<Operation>> = vec![Vec::new(); clients];
            for (k, op) in steps[split..].iter().enumerate() {
                let lane = match op {
                    Operation::Wizard(_) => 0,
                    _ => 1 + owners[k] % (clients - 1).max(1),
                };
                let lane = lane.min(clients - 1);
                if lanes[lane].len() < CLIENT_STEPS {
                    lanes[lane].push(op.clone());
                }
            }
            lanes.retain(|lane| !lane.is_empty());
            let case = Case {
                setup: state.setup,
                prefix,
                clients: lanes,
            };
            (case, seed)
        })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
}

/// Runs the parallel test with `fault`; the shrunk failing case, if one was found.
fn parallel(fault: Option<Fault>, cases: u32, persist: bool) -> Option<(Case, u64, String)> {
    let config = Config {
        cases,
        failure_persistence: persist.then(|| {
            Box::new(FileFailurePersistence::Direct(
                "proptest-regressions/parallel.txt",
            )) as Box<dyn proptest::test_runner::FailurePersistence>
        }),
        rng_seed: match persist {
            true => RngSeed::Random,
            false => RngSeed::Fixed(0x24),
        },
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = quietly(|| {
        runner
            .run(&LastFailing(case_strategy()), |(case, seed)| {
                // A few schedules of each case, as a controlled scheduler explores them.
                for seed in seed * SCHEDULES..(seed + 1) * SCHEDULES {
                    let ran = run(&case, Mode::Deterministic { seed }, fault);
                    if fault.is_none() {
                        RUNS.fetch_add(1, Ordering::Relaxed);
                        if overlapped(&ran.history) {
                            OVERLAPPED.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    match judge(&case, &ran) {
                        Judgement::Linearizable { .. } => {}
                        other => {
                            return Err(TestCaseError::fail(format!("seed {seed}: {other:?}")))
                        }
                    }
                }
                Ok(())
            })
            .map_err(Box::new)
    });
    match result.map_err(|e| *e) {
        Ok(()) => None,
        Err(TestError::Fail(why, (case, seed))) => {
            // proptest shrank the generated steps; now the case itself, by hand.
            let seed = failing_seed(&case, fault, seed * SCHEDULES..(seed + 1) * SCHEDULES)
                .expect("the shrunk case fails again under one of its seeds");
            let (case, seed) = shrink(case, seed, fault);
            Some((case, seed, why.message().to_string()))
        }
        Err(e) => panic!("{e}"),
    }
}

/// Runs judged without a fault, and those in which two clients' units overlapped in time.
static RUNS: AtomicUsize = AtomicUsize::new(0);
static OVERLAPPED: AtomicUsize = AtomicUsize::new(0);

/// Whether units of two clients were under way at the same time in a history.
fn overlapped(history: &History<Call, Answer>) -> bool {
    let ops = &history.operations;
    ops.iter().enumerate().any(|(i, a)| {
        ops[i + 1..]
            .iter()
            .any(|b| a.client != b.client && b.call < a.returned.unwrap_or(u64::MAX))
    })
}

#[test]
fn every_concurrent_run_is_linearizable() {
    if let Some((case, seed, why)) = parallel(None, cases(), true) {
        panic!("not linearizable under seed {seed}: {why}\n{case:#?}");
    }
    // The test tests something: most runs had clients under way at once.
    let (runs, overlapped) = (
        RUNS.load(Ordering::Relaxed),
        OVERLAPPED.load(Ordering::Relaxed),
    );
    println!("{runs} runs judged linearizable, {overlapped} with units of two clients overlapping");
    assert!(
        overlapped * 2 > runs,
        "{overlapped} of {runs} runs overlapped"
    );
}

/// Each fault is found within 1,000 cases and shrunk to at most 2 clients of at most 3
/// steps each.
fn found(fault: Fault) {
    let Some((case, seed, why)) = parallel(Some(fault), 1000, false) else {
        panic!(
            "{fault:?} ({}) was not found in 1,000 cases",
            fault.breaks()
        );
    };
    println!("{fault:?} under seed {seed}: {why}\n{case:#?}");
    assert!(
        case.clients.len() <= 2,
        "{} clients: {case:#?}",
        case.clients.len()
    );
    for client in &case.clients {
        assert!(
            client.len() <= 3,
            "a client of {} steps: {case:#?}",
            client.len()
        );
    }
    // Invisible one step at a time: the same steps, in one client, pass.
    let one = Case {
        clients: vec![case.clients.concat()],
        ..case.clone()
    };
    let ran = run(&one, Mode::Deterministic { seed }, Some(fault));
    assert!(
        judge(&one, &ran).passed(),
        "{fault:?} shows one step at a time"
    );
}

#[test]
fn the_mmf_checked_apart_is_found() {
    found(Fault::MmfCheckedApart);
}

#[test]
fn the_waiting_mail_read_apart_is_found() {
    found(Fault::WaitingReadApart);
}

#[test]
fn the_alias_checked_apart_is_found() {
    found(Fault::AliasCheckedApart);
}

#[test]
fn the_stale_directory_is_found() {
    found(Fault::StaleDirectory);
}

#[test]
fn a_run_replays_exactly_from_its_seed() {
    let mut runner = TestRunner::deterministic();
    for _ in 0..20 {
        let (case, seed) = case_strategy().new_tree(&mut runner).unwrap().current();
        let first = run(&case, Mode::Deterministic { seed }, None);
        let again = run(&case, Mode::Deterministic { seed }, None);
        let calls =
            |h: &migwiz::harness::linearizability::History<_, _>| format!("{:?}", h.operations);
        assert_eq!(calls(&first.history), calls(&again.history));
    }
}

/// The stress mode: the same kind of cases on OS threads let go at once from a barrier,
/// each repeated 10 times. Not reproducible, so it only counts: every run must pass.
#[test]
fn stress_runs_are_linearizable() {
    const REPEATS: usize = 10;
    let cases = std::env::var("STRESS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    for _ in 0..cases {
        let (case, _) = case_strategy().new_tree(&mut runner).unwrap().current();
        for _ in 0..REPEATS {
            let ran = run(&case, Mode::Stress, None);
            let verdict = judge(&case, &ran);
            assert!(verdict.passed(), "{verdict:?}\n{case:#?}");
        }
    }
}
