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

use std::marker::PhantomData;

use proptest_state_machine::StateMachineTest;

use crate::harness::difference;
use crate::harness::generate::{RefState, Reference};
use crate::harness::properties::{self, Edge, Ledger};
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

/// The implementation, with what it showed after the last step.
#[derive(Debug)]
pub struct Checked {
    server: Server,
    /// The mail the sequence put into MS Mail, for the properties to count from.
    ledger: Ledger,
    observed: Observation,
    /// The observation before the last, written over by the next step's (its buffers
    /// reused, as the checker does).
    spare: Observation,
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
        Checked {
            server,
            ledger: Ledger::new(&ref_state.setup),
            observed,
            spare: Observation::default(),
        }
    }

    /// After every step: the result and the state equal the model's, and every property
    /// of the shared list holds on the step.
    fn apply(mut sut: Checked, ref_state: &RefState, op: Operation) -> Checked {
        let result = sut.server.apply(&op);
        let expected = ref_state.last.as_ref().expect("the reference ran the step");
        if let Some(found) = difference::first_result_difference(expected, &result) {
            panic!("step result differs from the model for `{op}`: {found}");
        }
        let mut after = std::mem::take(&mut sut.spare);
        sut.server.observe_into(&mut after);
        if let Some(found) = difference::first_difference(&ref_state.model.observe(), &after) {
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
        sut
    }
}
