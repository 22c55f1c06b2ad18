//! The reference model and the implementation, held equal by proptest-state-machine.
//!
//! Random worlds and step sequences (from `migwiz::harness::generate`) run on both; after
//! every step the step results (outcome, refusal, event, rules, per-user results) and the
//! observable states must be equal, and every property of the shared list
//! (`migwiz::harness::properties`) must hold. The test counts which
//! rule ids decided the steps and fails if any id of RULES.md never fired.
//!
//! `PROPTEST_CASES=10000 cargo test --test state_machine -- --nocapture` explores more.

use std::collections::BTreeMap;
use std::sync::Mutex;

use migwiz::harness::generate::Reference;
use migwiz::harness::properties::{Kind, PROPERTIES};
use migwiz::harness::sut::{run_sequences, CheckedStep, Recorder};
use migwiz::RuleId;
use proptest::test_runner::{Config, FileFailurePersistence};

/// mimalloc, as the benchmark that measures this test's speed has (`benches/checking.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How often each rule decided a step, or (for invariants) was checked and held.
static FIRED: Mutex<BTreeMap<RuleId, u64>> = Mutex::new(BTreeMap::new());
/// How often each `sometimes` property of the shared list was reached.
static REACHED: Mutex<BTreeMap<&'static str, u64>> = Mutex::new(BTreeMap::new());
/// How often each event was logged.
static LOGGED: Mutex<BTreeMap<u32, u64>> = Mutex::new(BTreeMap::new());

/// Every event RULES.md, RULES-PART2.md and RULES-PART4.md document.
const DOCUMENTED_EVENTS: [u32; 7] = [7026, 147, 7007, 7044, 7034, 7032, 10068];

fn record(
    rules: impl IntoIterator<Item = RuleId>,
    reached: impl IntoIterator<Item = &'static str>,
) {
    let mut fired = FIRED.lock().unwrap_or_else(|e| e.into_inner());
    for r in rules {
        *fired.entry(r).or_default() += 1;
    }
    let mut counts = REACHED.lock().unwrap_or_else(|e| e.into_inner());
    for name in reached {
        *counts.entry(name).or_default() += 1;
    }
}

/// Counts what every checked step fired, reached and logged.
struct Tally;

impl Recorder for Tally {
    fn record(step: &CheckedStep<'_>) {
        let checked = step.held.iter().filter_map(|&k| PROPERTIES[k].rule);
        let reached = step
            .held
            .iter()
            .filter(|&&k| PROPERTIES[k].kind() == Kind::Sometimes)
            .map(|&k| PROPERTIES[k].name);
        record(step.result.rules.iter().copied().chain(checked), reached);
        let mut logged = LOGGED.lock().unwrap_or_else(|e| e.into_inner());
        for event in step.logged {
            *logged.entry(event.id).or_default() += 1;
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
}

#[test]
fn implementation_agrees_with_reference_model() {
    let config = Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/state_machine.txt",
        ))),
        ..Config::default()
    };
    let started = std::time::Instant::now();
    if let Err(counterexample) = run_sequences::<Tally>(&config, 1..=40) {
        // A counterexample that passes when replayed would send its reader astray.
        assert!(
            counterexample.reproduces,
            "the shrunk sequence passes when replayed alone: {counterexample}"
        );
        panic!("model and implementation part ways: {counterexample}");
    }
    let fired = FIRED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let reached = REACHED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!(
        "{} cases in {:.1?}; rule counts:",
        config.cases,
        started.elapsed()
    );
    for rule in RuleId::ALL {
        println!(
            "  {:<11} {}",
            rule.as_str(),
            fired.get(rule).copied().unwrap_or(0)
        );
    }
    println!("sometimes properties, steps that reached them:");
    let sometimes = PROPERTIES.iter().filter(|p| p.kind() == Kind::Sometimes);
    for p in sometimes.clone() {
        println!(
            "  {:<55} {}",
            p.name,
            reached.get(p.name).copied().unwrap_or(0)
        );
    }
    let unreached: Vec<&str> = sometimes
        .filter(|p| !reached.contains_key(p.name))
        .map(|p| p.name)
        .collect();
    assert!(
        unreached.is_empty(),
        "sometimes properties never reached: {unreached:?}"
    );
    let logged = LOGGED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!("events logged:");
    for id in DOCUMENTED_EVENTS {
        println!("  {id:<6} {}", logged.get(&id).copied().unwrap_or(0));
    }
    let silent: Vec<u32> = DOCUMENTED_EVENTS
        .into_iter()
        .filter(|id| !logged.contains_key(id))
        .collect();
    assert!(
        silent.is_empty(),
        "documented events never logged: {silent:?}"
    );
    let never: Vec<&str> = RuleId::ALL
        .iter()
        .filter(|r| !fired.contains_key(r))
        .map(|r| r.as_str())
        .collect();
    assert!(never.is_empty(), "rules that never fired: {never:?}");
}

/// A world generated large (above the size the reference model checks by default) replays
/// the same with the model check and without it: the model only watches, never steers.
mod large_worlds {
    use migwiz::tools::replay::{replay_with, ModelCheck, ModelCheckPolicy, MODEL_CHECK_LIMIT};
    use migwiz::{MsMailUser, Scenario, Setup};
    use proptest::prelude::*;
    use proptest_state_machine::ReferenceStateMachine;

    use super::Reference;

    /// A generated world and steps, with filler users appended until the world is larger
    /// than `MODEL_CHECK_LIMIT`; the steps that take every user take the filler too.
    fn large_scenario() -> impl Strategy<Value = Scenario> {
        (Reference::sequential_strategy(1..8), 0u32..=3).prop_map(|((state, steps, _), mail)| {
            let mut users = state.setup.users().to_vec();
            for i in 0..=MODEL_CHECK_LIMIT {
                let address = format!("FILL/PO{}/U{i}", i / 500).parse().unwrap();
                users.push(MsMailUser::new(address, mail));
            }
            let setup = Setup::new(
                state.setup.site().clone(),
                state.setup.server_language(),
                users,
            )
            .expect("the filler addresses are new");
            Scenario {
                name: "large".to_string(),
                description: None,
                setup,
                steps,
                clients: Vec::new(),
                schedule: 0,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn a_large_world_replays_the_same_with_and_without_the_model(scenario in large_scenario()) {
            let skipped = replay_with(&scenario, None, ModelCheckPolicy::Auto);
            let checked = replay_with(&scenario, None, ModelCheckPolicy::Full);
            prop_assert!(matches!(skipped.model_check, ModelCheck::Skipped(_)));
            prop_assert_eq!(&checked.model_check, &ModelCheck::Full);
            prop_assert!(checked.disagreements.is_empty(), "{:?}", checked.disagreements);
            prop_assert_eq!(&skipped.steps, &checked.steps);
            prop_assert_eq!(&skipped.observation.events, &checked.observation.events);
            prop_assert_eq!(&skipped.observation, &checked.observation);
        }
    }
}

/// C-SEQ: the concurrent server, driven by one client alone, is the sequential server:
/// over the state machine test's sequences, every unit returns what the model's unit
/// returns, and the final state equals the model's. A bug of the concurrent server that
/// shows with one client is reported here as such, with the step and unit, not later as
/// a race.
#[test]
fn the_concurrent_server_with_one_client_equals_the_model() {
    use migwiz::harness::concurrent::{run, Answer, Call, Case, Mode};
    use migwiz::harness::difference::{first_difference, first_result_difference};
    use migwiz::vocabulary::outcome::StepResult;
    use migwiz::Model;
    use proptest::test_runner::{TestCaseError, TestRunner};
    use proptest_state_machine::ReferenceStateMachine;
    let config = Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    };
    let as_step = |r: &migwiz::vocabulary::unit::UnitResult| StepResult {
        outcome: r.outcome.clone(),
        rules: r.rules.clone(),
        users: r.users.clone(),
        batch: None,
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(
        &Reference::sequential_strategy(1..=40),
        |(state, steps, _)| {
            let case = Case {
                setup: state.setup.clone(),
                prefix: Vec::new(),
                clients: vec![steps],
            };
            let ran = run(&case, Mode::Deterministic { seed: 0 }, None);
            if let Some(failure) = &ran.failure {
                return Err(TestCaseError::fail(format!("one client did not end: {failure}")));
            }
            let mut model = Model::new(&case.setup);
            for op in &ran.history.operations {
                match (&op.input, &op.output) {
                    (Call::Unit { step, unit, .. }, Some(Answer::Unit(returned))) => {
                        let expected = model.apply_unit(unit);
                        if expected != *returned {
                            let words = first_result_difference(&as_step(&expected), &as_step(returned))
                                .unwrap_or_else(|| format!("events: model {:?}, server {:?}", expected.events, returned.events));
                            return Err(TestCaseError::fail(format!(
                                "C-SEQ: the concurrent server with one client differs from the model at step #{step}, unit {unit}: {words}\nsteps: {:?}",
                                case.clients[0]
                            )));
                        }
                    }
                    (Call::Observe, Some(Answer::Observation(seen))) => {
                        if let Some(words) = first_difference(&model.observe(), seen) {
                            return Err(TestCaseError::fail(format!(
                                "C-SEQ: after every step of one client, the concurrent server's state differs from the model's: {words}\nsteps: {:?}",
                                case.clients[0]
                            )));
                        }
                    }
                    (call, answer) => {
                        return Err(TestCaseError::fail(format!("{call:?} answered {answer:?}")))
                    }
                }
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
