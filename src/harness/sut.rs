//! The system under test of the state machine test: the implementation, held against the
//! reference model after every step.
//!
//! After each step the step result and the observable state must equal the model's, and
//! every property of [`PROPERTIES`](properties::PROPERTIES) must hold on the step. The implementation is observed
//! once a step; its observation is kept as the `before` of the next step.
//!
//! The test in `tests/state_machine.rs` runs [`Implementation`] with a [`Recorder`] that
//! counts which rules fired; the benchmarks run it with `()`, which records nothing.
//!
//! ```
//! use migwiz::harness::generate::Reference;
//! use migwiz::harness::sut::Implementation;
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::{Config, TestRunner};
//! use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
//!
//! let mut runner = TestRunner::deterministic();
//! let (state, steps, seen) = Reference::sequential_strategy(1..=10)
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! // Panics if the model and the implementation part ways.
//! Implementation::<()>::test_sequential(Config::default(), state, steps, seen);
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::ops::RangeInclusive;

use proptest::test_runner::{Config, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use crate::harness::difference;
use crate::harness::generate::{RefState, Reference};
use crate::harness::properties::{self, Edge, Ledger};
use crate::harness::reproduce::LastFailing;
use crate::server::Server;
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::Operation;
use crate::vocabulary::outcome::StepResult;

/// One checked step, for a [`Recorder`].
#[derive(Debug)]
pub struct CheckedStep<'a> {
    /// What the step came to (equal on both halves).
    pub result: &'a StepResult,
    /// The indices into `PROPERTIES` of the properties that held (checked something) or
    /// were reached on the step.
    pub held: &'a [usize],
    /// The events the step logged.
    pub logged: &'a [crate::vocabulary::event::Event],
}

/// What the test counts about the steps it checked.
pub trait Recorder {
    /// Called after every step that passed every check.
    fn record(step: &CheckedStep<'_>);
}

/// Records nothing.
impl Recorder for () {
    fn record(_: &CheckedStep<'_>) {}
}

/// The implementation, with what it showed after the last step. Boxed: it is moved in
/// and out of every step.
#[derive(Debug)]
pub struct Checked(Box<Parts>);

/// What [`Checked`] holds.
#[derive(Debug)]
struct Parts {
    server: Server,
    /// The mail the sequence put into MS Mail, for the properties to count from.
    ledger: Ledger,
    observed: Observation,
    /// The observation before the last, written over by the next step's (its buffers
    /// reused, as the checker does).
    spare: Observation,
    /// The model's observation after the last step, its buffers reused likewise.
    expected: Observation,
}

/// The state machine test of the implementation against [`Reference`], recording with `R`.
#[derive(Debug)]
pub struct Implementation<R>(PhantomData<R>);

impl<R: Recorder> StateMachineTest for Implementation<R> {
    type SystemUnderTest = Checked;
    type Reference = Reference;

    fn init_test(ref_state: &RefState) -> Checked {
        let server = Server::new(&ref_state.setup);
        let observed = server.observe();
        Checked(Box::new(Parts {
            server,
            ledger: Ledger::new(&ref_state.setup),
            observed,
            spare: Observation::default(),
            expected: Observation::default(),
        }))
    }

    /// After every step: the result and the state equal the model's, and every property
    /// of the shared list holds on the step.
    fn apply(mut checked: Checked, ref_state: &RefState, op: Operation) -> Checked {
        let sut = &mut *checked.0;
        let result = sut.server.apply(&op);
        let expected = ref_state.last().expect("the reference ran the step");
        if let Some(found) = difference::first_result_difference(expected, &result) {
            panic!("step result differs from the model for `{op}`: {found}");
        }
        let mut after = std::mem::take(&mut sut.spare);
        sut.server.observe_into(&mut after);
        let model_seen = ref_state.observe(&mut sut.expected);
        if let Some(found) = difference::first_difference(model_seen, &after) {
            panic!("state differs from the model after `{op}`: {found}");
        }
        // Equal observations: the properties need checking on one of the two only.
        let messages: Vec<(u64, u64, &MsMailAddress)> = sut
            .server
            .messages()
            .map(|m| (m.first, m.count, &m.owner))
            .collect();
        sut.ledger.record(&op);
        let edge = Edge {
            setup: &ref_state.setup,
            op: &op,
            before: &sut.observed,
            result: &result,
            after: &after,
            ledger: &sut.ledger,
            messages: Some(&messages),
        };
        let held = properties::evaluate(&edge).unwrap_or_else(|v| panic!("after `{op}`: {v}"));
        R::record(&CheckedStep {
            result: &result,
            held: &held,
            logged: &after.events[sut.observed.events.len()..],
        });
        sut.spare = std::mem::replace(&mut sut.observed, after);
        checked
    }
}

/// A sequence on which the implementation failed, shrunk: the failure, the world and the
/// steps, and whether the steps fail again when replayed alone (a report that does not
/// reproduce sends its reader astray, so the test checks it).
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// What failed, in words: the first difference, or the property that broke.
    pub why: String,
    /// The world the steps start from, in words.
    pub start: String,
    /// The same world, as a scenario file would set it up.
    pub setup: Box<crate::vocabulary::setup::Setup>,
    /// The shrunk steps.
    pub steps: Vec<Operation>,
    /// Whether the steps, replayed alone from the same world, fail again.
    pub reproduces: bool,
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.why)?;
        let replayed = match self.reproduces {
            true => "replayed alone, they fail again",
            false => "REPLAYED ALONE THEY PASS: the shrinking reported another case",
        };
        write!(
            f,
            "shrunk to {} steps from {} ({replayed}):",
            self.steps.len(),
            self.start
        )?;
        for step in &self.steps {
            write!(f, "\n  {step}")?;
        }
        Ok(())
    }
}

/// Runs the state machine test over `config.cases` generated sequences of `steps` steps,
/// recording with `R`: `Ok` when every sequence passed, or the shrunk counterexample,
/// replayed to see that it fails again. The panics of the failing runs and of the shrink
/// attempts are not printed (see [`quietly`]): the counterexample is told once.
pub fn run_sequences<R: Recorder>(
    config: &Config,
    steps: RangeInclusive<usize>,
) -> Result<(), Counterexample> {
    let mut runner = TestRunner::new(config.clone());
    let strategy = LastFailing(Reference::sequential_strategy(steps));
    let result = quietly(|| {
        runner
            .run(&strategy, |(state, steps, seen)| {
                Implementation::<R>::test_sequential(config.clone(), state, steps, seen);
                Ok(())
            })
            .map_err(Box::new)
    });
    match result.map_err(|e| *e) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(why, (state, steps, _))) => {
            // proptest's shrinking can stop with a step that is not needed (it shrinks a
            // step's draws and the sequence's length, not every choice of steps): taken
            // out one at a time, each step that the failure does not need goes.
            let (steps, why) = match quietly(|| without_needless_steps(&state, steps.clone())) {
                Some(found) => found,
                None => (steps, why.message().to_string()),
            };
            let reproduces = quietly(|| fails_again(&state, &steps));
            Err(Counterexample {
                why,
                start: format!("{state:?}"),
                setup: Box::new(state.setup.clone()),
                steps,
                reproduces,
            })
        }
        Err(e) => panic!("the state machine test could not run: {e}"),
    }
}

/// `steps` with every step the failure does not need taken out, one at a time until none
/// can be (the shortest sequence that removing one step at a time can find), with the
/// failure's words; `None` when `steps` do not fail alone.
fn without_needless_steps(
    state: &RefState,
    mut steps: Vec<Operation>,
) -> Option<(Vec<Operation>, String)> {
    let mut why = failure_of(state, &steps)?;
    let mut k = 0;
    while k < steps.len() {
        let mut fewer = steps.clone();
        fewer.remove(k);
        match failure_of(state, &fewer) {
            Some(words) => (steps, why) = (fewer, words),
            None => k += 1,
        }
    }
    Some((steps, why))
}

/// The failure of `steps` from `state` replayed alone, in its words, if they fail.
fn failure_of(state: &RefState, steps: &[Operation]) -> Option<String> {
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let (state, steps) = (state.clone(), steps.to_vec());
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        Implementation::<()>::test_sequential(config, state, steps, None);
    }))
    .err()?;
    Some(match failed.downcast::<String>() {
        Ok(words) => *words,
        Err(payload) => payload
            .downcast::<&str>()
            .map_or_else(|_| "a panic".to_string(), |w| (*w).to_string()),
    })
}

/// Whether `steps` from `state` fail again when replayed alone.
fn fails_again(state: &RefState, steps: &[Operation]) -> bool {
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let (state, steps) = (state.clone(), steps.to_vec());
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        Implementation::<()>::test_sequential(config, state, steps, None);
    }))
    .is_err()
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with this thread's panics unprinted; other threads' print as before. The
/// first call puts a panic hook in place that asks the thread whether to print.
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let printing = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                printing(info);
            }
        }));
    });
    struct Loud(bool);
    impl Drop for Loud {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
        }
    }
    let _loud = Loud(QUIET.with(|q| q.replace(true)));
    f()
}
