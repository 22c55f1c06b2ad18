//! stateright 0.31's `LinearizabilityTester` on migwiz's concurrent histories: the
//! reference model as a `SequentialSpec`, and a history fed to the tester call by call and
//! return by return in time order. Shared by the differential test (`tests/parallel.rs`)
//! and the side-by-side bench (`benches/concurrency.rs`).

use migwiz::harness::concurrent::{Answer, Call};
use migwiz::harness::linearizability::History;
use migwiz::Model;
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

/// The model, as stateright's sequential specification.
#[derive(Clone)]
pub struct ModelRef(pub Model);

thread_local! {
    /// When the search on this thread must give up (`stateright_within`).
    static DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

thread_local! {
    /// How many times stateright's search stepped the model on this thread: the bench
    /// sets it to 0 and reads it after a search, to set steps beside times.
    #[allow(dead_code)] // the bench reads it; the differential test does not
    pub static INVOKES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// What a search past its deadline unwinds with.
struct OutOfTime;

impl SequentialSpec for ModelRef {
    type Op = Call;
    type Ret = Answer;
    fn invoke(&mut self, op: &Call) -> Answer {
        INVOKES.set(INVOKES.get() + 1);
        // stateright's tester has no budget: the search is stopped from inside its model.
        if DEADLINE
            .get()
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            std::panic::panic_any(OutOfTime);
        }
        // The model's own step, in place: stateright clones the specification itself
        // where its search branches, so a copy here would be a second one (this adapter
        // made two until 2026-11-30, which slowed stateright's every step).
        match op {
            Call::Unit { unit, .. } => Answer::Unit(self.0.apply_unit(unit)),
            Call::Observe => Answer::Observation(Box::new(self.0.observe())),
        }
    }
}

/// Whether stateright's tester finds `history` linearizable from `start`.
pub fn stateright_linearizable(start: &Model, history: &History<Call, Answer>) -> bool {
    let mut tester = LinearizabilityTester::new(ModelRef(start.clone()));
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (k, op) in history.operations.iter().enumerate() {
        events.push((op.call, true, k));
        if let Some(at) = op.returned {
            events.push((at, false, k));
        }
    }
    events.sort();
    for (_, is_call, k) in events {
        let op = &history.operations[k];
        let fed = match is_call {
            true => tester.on_invoke(op.client, op.input.clone()).map(|_| ()),
            false => match &op.output {
                Some(answer) => tester.on_return(op.client, answer.clone()).map(|_| ()),
                None => Ok(()),
            },
        };
        if fed.is_err() {
            return false;
        }
    }
    tester.serialized_history().is_some()
}

/// [`stateright_linearizable`] given `limit` of wall time: `None` when it ran out. The
/// search is stopped from inside the model (it unwinds), so no thread is left running; the
/// caller should silence the panic hook while it measures.
#[allow(dead_code)] // the bench uses it; the differential test runs unlimited
pub fn stateright_within(
    start: &Model,
    history: &History<Call, Answer>,
    limit: std::time::Duration,
) -> Option<bool> {
    DEADLINE.set(Some(std::time::Instant::now() + limit));
    let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stateright_linearizable(start, history)
    }));
    DEADLINE.set(None);
    match searched {
        Ok(linearizable) => Some(linearizable),
        Err(payload) if payload.is::<OutOfTime>() => None,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
