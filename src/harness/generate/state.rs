//! The reference state, and the trail its draw leaves for the test's replay.
//!
//! proptest-state-machine runs the reference model over a sequence twice: once while it
//! draws the steps (each draw depends on the state before it), and once while the test
//! replays them beside the implementation. The second run was a seventh of the state
//! machine test's work (issue 36). So the draw keeps, per step, the step, its result and
//! the model's observation after it, in a trail shared by every copy of the first state.
//! A replay that walks the same steps from that first state takes each from the trail and
//! leaves the model where it was. The first step that leaves the trail (shrinking took a
//! step out or changed one) brings the model up to date and runs on its own from there.
//! Taking from the trail is sound because the model is plain code over its own state: the
//! same steps from the same first state come to the same results and the same state.

use std::cell::{Cell, OnceCell, Ref, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use super::Pools;
use crate::model::Model;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::Operation;
use crate::vocabulary::outcome::StepResult;
use crate::vocabulary::setup::Setup;

/// The reference state: the setup, the model, and what the last step came to.
#[derive(Clone)]
pub struct RefState {
    /// The world before the first step.
    pub setup: Setup,
    /// The reference model, perhaps [`behind`](Self::behind) the steps so far: read it
    /// through [`RefState::model`], which brings it up to date. Shared until a step changes
    /// it: the first state is copied three or four times per sequence, and a replay that
    /// follows the trail never changes its copy (and the state, moved in and out of every
    /// step, stays small).
    model: RefCell<Rc<Model>>,
    /// How many of the last steps were taken from the trail and not yet run by the model.
    behind: Cell<usize>,
    /// What the last step came to.
    last: Last,
    /// How many steps this state is past the first state.
    at: usize,
    /// Whether every step so far is the trail's (so the trail's next entry, if its step is
    /// the next step, is what the model would make of it).
    on_trail: bool,
    /// The steps drawn from the first state, shared by every copy of it.
    trail: Rc<RefCell<Vec<Rc<Drawn>>>>,
    /// The pools last built in this world, perhaps for an earlier state (`Rc`: a
    /// reference state stays on its thread, and the steps drawn share the pools); none
    /// before the first draw (proptest-state-machine makes the first state three times,
    /// and draws from one).
    pools: Option<Rc<Pools>>,
    /// The pools of this very state, built when a step is first drawn from it. Replaying a
    /// sequence (the test's second pass over the model) draws nothing, so builds nothing.
    fresh: OnceCell<Rc<Pools>>,
}

/// What the last step came to: nothing before the first, the model's result when the step
/// left the trail, or the trail's entry.
#[derive(Clone)]
enum Last {
    None,
    /// Boxed: it is rare, and the state is moved in and out of every step.
    Ran(Box<StepResult>),
    Drawn(Rc<Drawn>),
}

/// A step of the trail: the step, its result, and the model's observation after it.
struct Drawn {
    op: Operation,
    result: StepResult,
    seen: Observation,
}

thread_local! {
    /// Observations of trails already dropped, their texts and lists kept for the next
    /// draw to write over: a fresh observation per step drawn cost a tenth more (517.8 M
    /// instructions against 469.9 M for `state_machine_steps 5`). First in, first out: a
    /// trail drops its steps in order, so the next draw's first step gets a first step's.
    static SPARE: RefCell<VecDeque<Observation>> = const { RefCell::new(VecDeque::new()) };
}

/// How many spare observations a thread keeps: more than a sequence's steps.
const MOST_SPARE: usize = 256;

impl Drop for Drawn {
    fn drop(&mut self) {
        let seen = std::mem::take(&mut self.seen);
        // `try_with`: a trail dropped while the thread ends has no pool to go to.
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < MOST_SPARE {
                spare.push_back(seen);
            }
        });
    }
}

impl RefState {
    /// The state before the first step of `setup`, with an empty trail.
    pub fn new(setup: Setup) -> RefState {
        RefState {
            model: RefCell::new(Rc::new(Model::new(&setup))),
            setup,
            behind: Cell::new(0),
            last: Last::None,
            at: 0,
            on_trail: true,
            trail: Rc::default(),
            pools: None,
            fresh: OnceCell::new(),
        }
    }

    /// The reference model after the steps so far.
    pub fn model(&self) -> Ref<'_, Model> {
        self.catch_up();
        Ref::map(self.model.borrow(), |model| &**model)
    }

    /// The result of the last step, for the test to compare with the implementation's;
    /// `None` before the first step.
    pub fn last(&self) -> Option<&StepResult> {
        match &self.last {
            Last::None => None,
            Last::Ran(result) => Some(result),
            Last::Drawn(drawn) => Some(&drawn.result),
        }
    }

    /// The model's observation after the last step: the trail's when the step is the
    /// trail's, else the model's, written over `buffer` (whose texts and lists are reused).
    pub fn observe<'a>(&'a self, buffer: &'a mut Observation) -> &'a Observation {
        match &self.last {
            Last::Drawn(drawn) => &drawn.seen,
            Last::None | Last::Ran(_) => {
                self.model().observe_into(buffer);
                buffer
            }
        }
    }

    /// The pools the next step is drawn from: those of this state.
    pub fn current_pools(&self) -> &Rc<Pools> {
        self.fresh.get_or_init(|| {
            let model = self.model();
            match &self.pools {
                Some(pools) => pools.for_model(&model),
                None => Rc::new(Pools::of(&model)),
            }
        })
    }

    /// The state after `op`: taken from the trail when this state is on it and the
    /// trail's next step is `op`; else run by the model, and kept as the trail's next step
    /// when the trail ends here (the draw).
    pub(super) fn apply(mut self, op: &Operation) -> RefState {
        let taken = match self.on_trail {
            true => self
                .trail
                .borrow()
                .get(self.at)
                .filter(|d| d.op == *op)
                .cloned(),
            false => None,
        };
        self.last = match taken {
            Some(drawn) => {
                self.behind.set(self.behind.get() + 1);
                Last::Drawn(drawn)
            }
            None => self.run(op),
        };
        self.at += 1;
        // Keep the newest pools built; the next draw brings them up to date if need be.
        if let Some(fresh) = self.fresh.take() {
            self.pools = Some(fresh);
        }
        self
    }

    /// `op` run by the model, brought up to date first; the trail's next step if the trail
    /// ends here, and off the trail for good otherwise.
    fn run(&mut self, op: &Operation) -> Last {
        self.catch_up();
        let model = Rc::make_mut(self.model.get_mut());
        let result = model.apply(op);
        let mut trail = self.trail.borrow_mut();
        if !self.on_trail || self.at != trail.len() {
            self.on_trail = false;
            return Last::Ran(Box::new(result));
        }
        let mut seen = SPARE
            .with(|spare| spare.borrow_mut().pop_front())
            .unwrap_or_default();
        model.observe_into(&mut seen);
        let drawn = Rc::new(Drawn {
            op: op.clone(),
            result,
            seen,
        });
        trail.push(Rc::clone(&drawn));
        Last::Drawn(drawn)
    }

    /// Runs the steps taken from the trail that the model has not run yet.
    fn catch_up(&self) {
        let behind = self.behind.replace(0);
        if behind == 0 {
            return;
        }
        let trail = self.trail.borrow();
        let mut model = self.model.borrow_mut();
        let model = Rc::make_mut(&mut model);
        for drawn in &trail[self.at - behind..self.at] {
            model.apply(&drawn.op);
        }
    }
}

/// Prints only the setup: the model is what the steps made of it.
impl fmt::Debug for RefState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users: Vec<String> = self
            .setup
            .users()
            .iter()
            .map(|u| format!("{} ({} messages)", u.address, u.messages))
            .collect();
        write!(
            f,
            "server language {}, users [{}]",
            self.setup.server_language(),
            users.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use proptest_state_machine::ReferenceStateMachine;

    use super::*;
    use crate::harness::generate::Reference;

    /// A first state and `n` steps drawn from it, as proptest-state-machine draws them.
    fn drawn(runner: &mut TestRunner, n: usize) -> (RefState, Vec<Operation>) {
        let first = Reference::init_state().new_tree(runner).unwrap().current();
        let (mut state, mut steps) = (first.clone(), Vec::new());
        while steps.len() < n {
            let op = Reference::transitions(&state)
                .new_tree(runner)
                .unwrap()
                .current();
            if Reference::preconditions(&state, &op) {
                state = Reference::apply(state, &op);
                steps.push(op);
            }
        }
        (first, steps)
    }

    /// Replays `steps` from `first` beside a model of its own: every result and every
    /// observation is the model's, and so is the state's model at the end. Returns how
    /// many steps the replay took from the trail.
    fn replay_agrees(first: &RefState, steps: &[Operation]) -> usize {
        let mut model = Model::new(&first.setup);
        let mut state = first.clone();
        let mut buffer = Observation::default();
        let mut taken = 0;
        for op in steps {
            state = Reference::apply(state, op);
            taken += usize::from(matches!(state.last, Last::Drawn(_)));
            assert_eq!(state.last(), Some(&model.apply(op)), "after `{op}`");
            assert_eq!(*state.observe(&mut buffer), model.observe(), "after `{op}`");
        }
        assert_eq!(state.model().observe(), model.observe());
        assert_eq!(
            state.behind.get(),
            0,
            "reading the model brings it up to date"
        );
        taken
    }

    /// The replay of the steps drawn takes every one from the trail; with a step taken
    /// out or put twice (as shrinking and failing cases do), it leaves the trail there and
    /// still comes to what the model makes of the steps.
    #[test]
    fn a_replay_takes_the_trail_while_it_follows_it_and_agrees_with_the_model() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..40 {
            let (first, steps) = drawn(&mut runner, 25);
            assert_eq!(replay_agrees(&first, &steps), steps.len());
            for k in [0, 7, 24] {
                let mut fewer = steps.clone();
                fewer.remove(k);
                let taken = replay_agrees(&first, &fewer);
                // The steps before `k` are the trail's; the one after it only by chance.
                if steps.get(k + 1) != Some(&steps[k]) {
                    assert_eq!(taken, k, "step {k} taken out");
                }
                let mut more = steps.clone();
                more.insert(k, steps[k].clone());
                replay_agrees(&first, &more);
            }
        }
    }
}
