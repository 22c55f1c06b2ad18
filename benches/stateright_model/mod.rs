//! The reference model as a stateright 0.31 model: the anchor `migwiz check`'s speed is
//! measured against (issue 11). Same universe, same alphabet, same depth bound, states
//! identified the same way (`migwiz::tools::check::identify`); stateright runs the model
//! only, with no implementation beside it and no properties on its edges.

#![allow(dead_code)] // each bench binary uses its own part of this module

use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use migwiz::tools::check::{alphabet, identify, universe, Alphabet};
use migwiz::{Model, Operation};
use stateright::{Checker, Property};

/// A model state, hashed as `migwiz check` identifies it.
#[derive(Clone, Debug, PartialEq)]
pub struct State(Model);

impl Hash for State {
    fn hash<H: Hasher>(&self, h: &mut H) {
        identify(&self.0, h);
    }
}

/// The universe and alphabet of `migwiz check --alphabet part1`.
pub struct Universe {
    start: Model,
    steps: Vec<Operation>,
}

impl stateright::Model for Universe {
    type State = State;
    type Action = usize;

    fn init_states(&self) -> Vec<State> {
        vec![State(self.start.clone())]
    }

    fn actions(&self, _: &State, actions: &mut Vec<usize>) {
        actions.extend(0..self.steps.len());
    }

    /// A refused step that changed nothing is no transition, as in `migwiz check`.
    fn next_state(&self, last: &State, action: usize) -> Option<State> {
        let mut next = last.0.clone();
        let result = next.apply(&self.steps[action]);
        match result.outcome.is_refused() && next == last.0 {
            true => None,
            false => Some(State(next)),
        }
    }

    /// One property that always holds: without any, stateright would stop at once.
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("explored", |_, _| true)]
    }
}

/// What one stateright run found.
pub struct Found {
    /// Distinct states, the initial one included.
    pub states: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// Explores `users` users to `depth` steps with stateright's breadth-first checker.
pub fn explore(users: usize, depth: usize, threads: usize) -> Found {
    let setup = universe(users);
    let model = Universe {
        start: Model::new(&setup),
        steps: alphabet(&setup, Alphabet::Part1),
    };
    let started = Instant::now();
    // stateright counts the initial state as depth 1 and expands states below the target.
    let checker = stateright::Model::checker(model)
        .threads(threads)
        .target_max_depth(depth + 1)
        .spawn_bfs()
        .join();
    Found {
        states: checker.unique_state_count(),
        elapsed: started.elapsed(),
    }
}
