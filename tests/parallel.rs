//! The parallel state machine test (`CONCURRENCY.md`): a prefix of up to 5 steps, then 2
//! or 3 clients of up to 6 steps each, drawn with the sequential test's generator under
//! every version, run on the shared server under the deterministic scheduler, and judged
//! linearizable against the reference model (C-LIN). Each named fault of the server,
//! switched on, must be found and shrunk; the same fault must stay invisible one step at a
//! time.
//!
//! `PROPTEST_CASES=10000 cargo test --release --test parallel -- --nocapture` runs more.

use migwiz::harness::concurrent::conflict;
use migwiz::harness::concurrent::{
    case_strategy, failing_seed, judge, run, search as search_for, shrink, Case, Found, Judgement,
    Mode, Search, SCHEDULES,
};
use migwiz::harness::concurrent::{Answer, Call};
use migwiz::harness::linearizability::History;
use migwiz::harness::reproduce::LastFailing;
use migwiz::harness::sut::quietly;
use migwiz::server::shared::Fault;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// mimalloc, as the benchmarks and the CLI have: the runs allocate on every unit, and the
/// system allocator's `malloc` and `free` were 30 % of `perf`'s samples of this test.
/// mimalloc takes a tenth off `every_concurrent_run_is_linearizable` (2.51 to 2.76 s
/// against 2.83 to 3.24 s, three runs each).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
}

/// The generator's seed: `MIGWIZ_PARALLEL_SEED` when set (to replay a failure), else
/// drawn from the clock; a failure prints it.
fn generator_seed() -> u64 {
    std::env::var("MIGWIZ_PARALLEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        })
}

/// The parallel test without a fault: every case passes under each of its schedules.
fn parallel(cases: u32, seed: u64) -> Option<(Case, u64, String)> {
    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/parallel.txt",
        ))),
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = quietly(|| {
        runner
            .run(&LastFailing(case_strategy(3, None)), |(case, seed)| {
                // A few schedules of each case, as a controlled scheduler explores them.
                for seed in seed * SCHEDULES..(seed + 1) * SCHEDULES {
                    let ran = run(&case, Mode::Deterministic { seed }, None);
                    RUNS.fetch_add(1, Ordering::Relaxed);
                    if overlapped(&ran.history) {
                        OVERLAPPED.fetch_add(1, Ordering::Relaxed);
                    }
                    let mut seen = CONFLICTS.lock().unwrap_or_else(|e| e.into_inner());
                    for pair in conflict::conflicts(&ran.history) {
                        *seen.entry(pair).or_default() += 1;
                    }
                    drop(seen);
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
            let seed = failing_seed(&case, None, seed * SCHEDULES..(seed + 1) * SCHEDULES)
                .expect("the shrunk case fails again under one of its seeds");
            let (case, seed) = shrink(case, seed, None);
            Some((case, seed, why.message().to_string()))
        }
        Err(e) => panic!("{e}"),
    }
}

/// Runs judged without a fault, and those in which two clients' units overlapped in time.
static RUNS: AtomicUsize = AtomicUsize::new(0);
static OVERLAPPED: AtomicUsize = AtomicUsize::new(0);
/// Runs in which units of two kinds, of two clients, overlapped in time on one name.
static CONFLICTS: Mutex<BTreeMap<(&str, &str), u64>> = Mutex::new(BTreeMap::new());

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
    let generator = generator_seed();
    if let Some((case, seed, why)) = parallel(cases(), generator) {
        panic!(
            "a concurrent run failed under schedule {seed}: {why}\n{case:#?}\nreplay it with MIGWIZ_PARALLEL_SEED={generator} PROPTEST_CASES={} cargo test --test parallel every_concurrent_run",
            cases()
        );
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
    // And they reached conflicts: every pair of unit kinds that can touch one name at
    // once did, in some run (issue 36), as the state machine test asks of rule ids.
    let seen = CONFLICTS.lock().unwrap_or_else(|e| e.into_inner());
    println!("runs in which two kinds of unit overlapped on one name: {seen:?}");
    if cases() >= 1000 {
        let missing: Vec<_> = conflict::REQUIRED
            .iter()
            .filter(|pair| !seen.contains_key(pair))
            .collect();
        assert!(
            missing.is_empty(),
            "never overlapped on one name in {runs} runs: {missing:?}"
        );
    }
}

/// Each fault is found within 1,000 cases and shrunk to at most 2 clients of at most 3
/// steps each; and the same steps, one client after the other, pass.
fn found(fault: Fault) {
    let search = Search {
        cases: 1000,
        seed: 0x24,
        max_clients: 3,
        version: None,
        stress: None,
        fault: Some(fault),
    };
    let Some(found) = search_for(&search, &|_| {}) else {
        panic!(
            "{fault:?} ({}) was not found in 1,000 cases",
            fault.breaks()
        );
    };
    let Found {
        case,
        seed,
        judgement,
        cases_run,
        ..
    } = found;
    println!("{fault:?} after {cases_run} cases, under seed {seed}: {judgement:?}\n{case:#?}");
    assert!(
        matches!(judgement, Judgement::NotLinearizable { .. }),
        "{judgement:?}"
    );
    assert!(
        case.clients.len() == 2,
        "{} clients: {case:#?}",
        case.clients.len()
    );
    assert_eq!(
        migwiz::harness::concurrent::sequential_form(&case, Some(fault)),
        None,
        "a race, not a sequential failure"
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

/// W-LIST-UPDATE's lookup apart from its update (issue 36): generated cases reach it now
/// that a batch run's users are units and clients aim their steps at the users' names.
#[test]
fn the_list_update_apart_is_found() {
    found(Fault::ListUpdateApart);
}

#[test]
fn a_run_replays_exactly_from_its_seed() {
    let mut runner = TestRunner::deterministic();
    for _ in 0..20 {
        let (case, seed) = case_strategy(3, None)
            .new_tree(&mut runner)
            .unwrap()
            .current();
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
        let (case, _) = case_strategy(3, None)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for _ in 0..REPEATS {
            let ran = run(&case, Mode::Stress, None);
            let verdict = judge(&case, &ran);
            assert!(verdict.passed(), "{verdict:?}\n{case:#?}");
        }
    }
}

#[path = "common/stateright_lin.rs"]
mod stateright_lin;

/// The checker beside stateright 0.31's `LinearizabilityTester` on 1,000 small histories
/// (a prefix of up to 3 steps, 2 clients of up to 2 steps), half of them with two clients'
/// answers swapped and a third cut short (a unit that never returned, no final state, as
/// a deadlock leaves a history): the two agree on every one.
#[test]
fn the_checker_agrees_with_stateright() {
    use migwiz::harness::linearizability::{check, Verdict};
    use migwiz::Model;
    let mut runner = TestRunner::deterministic();
    let (mut agreed, mut not) = (0, 0);
    while agreed < 1000 {
        let (mut case, seed) = case_strategy(2, None)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        case.prefix.truncate(3);
        case.clients.iter_mut().for_each(|c| c.truncate(2));
        let mut history = run(&case, Mode::Deterministic { seed }, None).history;
        // Every other history, the answers of two units of different clients swapped:
        // linearizable again when the two overlap and another order fits, not when real
        // time or the model forbids it.
        if agreed % 2 == 1 {
            let ops = &history.operations;
            let pair = (0..ops.len()).find_map(|a| {
                (a + 1..ops.len())
                    .find(|&b| {
                        ops[a].client != ops[b].client
                            && matches!(ops[a].input, Call::Unit { .. })
                            && matches!(ops[b].input, Call::Unit { .. })
                            && ops[a].output != ops[b].output
                    })
                    .map(|b| (a, b))
            });
            let Some((a, b)) = pair else { continue };
            let first = history.operations[a].output.take();
            history.operations[a].output = history.operations[b].output.replace(first.unwrap());
        }
        // Every third, a client's last unit never returned, as in a run cut short by a
        // deadlock: it may have taken effect or not, for both checkers.
        if agreed % 3 == 2 {
            let ops = &mut history.operations;
            let last = (0..ops.len())
                .rev()
                .find(|&k| matches!(ops[k].input, Call::Unit { .. }));
            if let Some(k) = last {
                ops[k].returned = None;
                ops[k].output = None;
            }
            ops.retain(|op| op.input != Call::Observe);
        }
        let mut model = Model::new(&case.setup);
        for op in &case.prefix {
            model.apply(op);
        }
        let ours = matches!(
            check(
                &migwiz::harness::concurrent::ModelSpec {
                    start: model.clone()
                },
                &history,
                10_000_000
            ),
            Verdict::Linearizable { .. }
        );
        let theirs = stateright_lin::stateright_linearizable(&model, &history);
        assert_eq!(
            ours, theirs,
            "migwiz {ours}, stateright {theirs}: {case:#?}"
        );
        not += usize::from(!ours);
        agreed += 1;
    }
    println!("{agreed} histories, {not} not linearizable");
    assert!(not > 200, "{not} of {agreed} not linearizable");
}

/// A mistake made alike in the model and the server (planted on the clients' threads too)
/// passes the comparison of results and states: the judges under the linearization must
/// catch it on their own, as `migwiz race` searches. The wizard's 7044 left out of its
/// 10068 breaks I-SUMMARY summed over the step's own units; step one's unreported mailbox
/// too.
#[test]
fn shared_mistakes_are_caught_under_the_linearization() {
    use migwiz::vocabulary::planted::{plant, Mistake};
    for (mistake, rule) in [
        (Mistake::UncountedSpoolerFailure, "I-SUMMARY"),
        (Mistake::UnreportedMailbox, "I-SUMMARY"),
        // A batch run's units (issue 37): its result code judged at its `end`, a stopped
        // run at its `start`.
        (Mistake::WarningsUncounted, "I-RESULT"),
        (Mistake::StoppedRunLogs, "I-FILES"),
    ] {
        let search = Search {
            cases: 1000,
            seed: 0x36,
            max_clients: 3,
            version: None,
            stress: None,
            fault: None,
        };
        let found = plant(mistake, || search_for(&search, &|_| {}));
        let Some(found) = found else {
            panic!("{mistake:?} was not found in 1,000 cases");
        };
        println!(
            "{mistake:?} after {} cases: {:?}",
            found.cases_run, found.judgement
        );
        match &found.judgement {
            Judgement::Broken(v) => {
                assert_eq!(v.rule.map(|r| r.as_str()), Some(rule), "{mistake:?}: {v}")
            }
            other => panic!("{mistake:?}: {other:?}"),
        }
    }
}

/// The fifth fault, `list-update-apart` (W-LIST-UPDATE's lookup apart from its update), on
/// the hand-written case that shows it: a row's Mode blanked, a 5.5 import from the list,
/// and an administrator making the mailbox of the row's directory name at the same time.
/// Some schedules fail with the fault, none without it, and one client at a time passes.
/// Generated cases find it too (`the_list_update_apart_is_found`).
#[test]
fn the_list_update_apart_is_caught_on_its_hand_case() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/concurrent/c-list-update-race.toml"
    ))
    .unwrap();
    let scenario = migwiz::Scenario::parse("c-list-update-race.toml", &text).unwrap();
    let case = migwiz::tools::race::case_of(&scenario, None);
    let failing = (0..200)
        .filter(|&seed| {
            let ran = run(
                &case,
                Mode::Deterministic { seed },
                Some(Fault::ListUpdateApart),
            );
            !judge(&case, &ran).passed()
        })
        .count();
    assert!(failing > 0, "the fault was never seen in 200 schedules");
    for seed in 0..200 {
        let ran = run(&case, Mode::Deterministic { seed }, None);
        assert!(
            judge(&case, &ran).passed(),
            "schedule {seed} fails without the fault"
        );
    }
    let one = Case {
        clients: vec![case.clients.concat()],
        ..case.clone()
    };
    let ran = run(
        &one,
        Mode::Deterministic { seed: 0 },
        Some(Fault::ListUpdateApart),
    );
    assert!(
        judge(&one, &ran).passed(),
        "one client at a time shows no fault"
    );
    println!("list-update-apart: {failing} of 200 schedules fail");
}
