//! The reference model and the implementation, held equal by proptest-state-machine.
//!
//! Random worlds and step sequences (from `migwiz::machine`) run on both; after every step
//! the step results (outcome, refusal, event, rules, per-user results) and the observable
//! states must be equal, and the invariants of RULES.md must hold. The test counts which
//! rule ids decided the steps and fails if any id of RULES.md never fired.
//!
//! `PROPTEST_CASES=10000 cargo test --test state_machine -- --nocapture` explores more.

use std::collections::BTreeMap;
use std::sync::Mutex;

use migwiz::invariants;
use migwiz::machine::{RefState, Reference};
use migwiz::operation::Operation;
use migwiz::rules::RuleId;
use migwiz::server::Server;
use proptest::test_runner::{Config, FileFailurePersistence, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

/// How often each rule decided a step (or, for invariants, was checked).
static FIRED: Mutex<BTreeMap<RuleId, u64>> = Mutex::new(BTreeMap::new());

fn record(rules: impl IntoIterator<Item = RuleId>) {
    let mut fired = FIRED.lock().unwrap_or_else(|e| e.into_inner());
    for r in rules {
        *fired.entry(r).or_default() += 1;
    }
}

struct Implementation;

impl StateMachineTest for Implementation {
    type SystemUnderTest = Server;
    type Reference = Reference;

    fn init_test(ref_state: &RefState) -> Server {
        Server::new(&ref_state.setup).expect("generated setups are valid")
    }

    fn apply(mut server: Server, ref_state: &RefState, op: Operation) -> Server {
        let before = server.observe();
        let result = server.apply(&op);
        let expected = ref_state.last.as_ref().expect("the reference ran the step");
        assert_eq!(
            &result, expected,
            "step result differs from the model for `{op}`"
        );
        let after = server.observe();
        assert_eq!(
            after,
            ref_state.model.observe(),
            "state differs from the model after `{op}`"
        );
        let checked = invariants::check_step(&op, &before, &result, &after)
            .unwrap_or_else(|v| panic!("after `{op}`: {v}"));
        record(result.rules.iter().copied().chain(checked));
        server
    }

    fn check_invariants(server: &Server, ref_state: &RefState) {
        let obs = server.observe();
        if let Err(v) = invariants::check_state(&ref_state.setup, &obs) {
            panic!("implementation: {v}");
        }
        if let Err(v) = invariants::check_state(&ref_state.setup, &ref_state.model.observe()) {
            panic!("reference model: {v}");
        }
        if let Err(v) = invariants::check_messages(server) {
            panic!("implementation: {v}");
        }
        record([RuleId::IConserve, RuleId::IUnique]);
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
    let mut runner = TestRunner::new(config.clone());
    let strategy = Reference::sequential_strategy(1..=40);
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |(state, steps, seen)| {
        Implementation::test_sequential(config.clone(), state, steps, seen);
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (state, steps, _))) => {
            let listing: Vec<String> = steps.iter().map(|s| format!("  {s}")).collect();
            panic!(
                "model and implementation part ways: {why}\nshrunk to {} steps from {state:?}:\n{}",
                steps.len(),
                listing.join("\n")
            );
        }
        Err(e) => panic!("{e}"),
    }
    let fired = FIRED.lock().unwrap_or_else(|e| e.into_inner()).clone();
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
    let never: Vec<&str> = RuleId::ALL
        .iter()
        .filter(|r| !fired.contains_key(r))
        .map(|r| r.as_str())
        .collect();
    assert!(never.is_empty(), "rules that never fired: {never:?}");
}
