//! The reference model as a stateright 0.31 model: the anchor `migwiz check`'s speed is
//! measured against (issue 11). Same universe, same alphabet, same depth bound, states
//! identified the same way (`migwiz::tools::check::identify`). [`explore`] runs the model
//! only, with no implementation beside it and no properties on its edges: the anchor the
//! issue names. [`explore_checked`] does on every edge what `migwiz check` does: the
//! implementation beside the model, the two compared, and every property evaluated.

#![allow(dead_code)] // each bench binary uses its own part of this module

use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use std::sync::Arc;

use migwiz::harness::properties::{self, Edge, Ledger};
use migwiz::tools::check::{alphabet, identify, universe, Alphabet};
use migwiz::{Model, Observation, Operation, Server, Setup};
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
    bfs(model, depth, threads).0
}

/// Runs stateright's breadth-first checker on `model` to `depth` steps; what it found, and
/// the finished checker for its discoveries.
fn bfs<M>(model: M, depth: usize, threads: usize) -> (Found, impl Checker<M>)
where
    M: stateright::Model + Send + Sync + 'static,
    M::State: Hash + Send + Sync + Clone + PartialEq + 'static,
    M::Action: Clone + PartialEq,
{
    let started = Instant::now();
    // stateright counts the initial state as depth 1 and expands states below the target.
    let checker = stateright::Model::checker(model)
        .threads(threads)
        .target_max_depth(depth + 1)
        .spawn_bfs()
        .join();
    let found = Found {
        states: checker.unique_state_count(),
        elapsed: started.elapsed(),
    };
    (found, checker)
}

/// A state of both halves, hashed as `migwiz check` identifies it (by the model), with what
/// the implementation showed in it and what broke on the edge that reached it, if anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Both {
    model: Model,
    server: Server,
    seen: Arc<Observation>,
    /// The mail the path to this state put into MS Mail, as `migwiz check` keeps it.
    ledger: Arc<Ledger>,
    broken: Option<Arc<str>>,
}

impl Hash for Both {
    fn hash<H: Hasher>(&self, h: &mut H) {
        identify(&self.model, h);
    }
}

/// The universe and alphabet of `migwiz check --alphabet part1`, with the implementation
/// carried in every state and checked on every edge as `migwiz check` checks it.
pub struct Checked {
    setup: Setup,
    steps: Vec<Operation>,
}

impl Checked {
    /// What `migwiz check`'s `step` decides for one edge: `None` for a refused step that
    /// changed neither half, else the state reached, marked if anything broke.
    fn edge(&self, last: &Both, op: &Operation) -> Option<Both> {
        let mut model = last.model.clone();
        let expected = model.apply(op);
        let mut server = last.server.clone();
        let result = server.apply(op);
        let broken = |what: String| {
            Some(Both {
                model: model.clone(),
                server: server.clone(),
                seen: last.seen.clone(),
                ledger: last.ledger.clone(),
                broken: Some(what.into()),
            })
        };
        if result != expected {
            return broken(format!("`{op}`: the implementation parts from the model"));
        }
        if expected.outcome.is_refused() && model == last.model {
            return match server == last.server {
                true => None,
                false => broken(format!("refused `{op}` changed the implementation")),
            };
        }
        let after = server.observe();
        if after != model.observe() {
            return broken(format!("the states differ after `{op}`"));
        }
        let messages: Vec<_> = server
            .messages()
            .map(|m| (m.first, m.count, &m.owner))
            .collect();
        let ledger = match op {
            Operation::Deliver { .. } => {
                let mut ledger = Ledger::clone(&last.ledger);
                ledger.record(op);
                Arc::new(ledger)
            }
            _ => last.ledger.clone(),
        };
        let edge = Edge {
            setup: &self.setup,
            op,
            before: &last.seen,
            result: &result,
            after: &after,
            ledger: &ledger,
            messages: Some(&messages),
        };
        let verdict = properties::evaluate(&edge);
        drop(messages);
        match verdict {
            Ok(_) => Some(Both {
                model,
                server,
                seen: Arc::new(after),
                ledger,
                broken: None,
            }),
            Err(v) => broken(format!("{v}: `{op}`")),
        }
    }
}

impl stateright::Model for Checked {
    type State = Both;
    type Action = usize;

    fn init_states(&self) -> Vec<Both> {
        let server = Server::new(&self.setup);
        let seen = Arc::new(server.observe());
        vec![Both {
            model: Model::new(&self.setup),
            server,
            seen,
            ledger: Arc::new(Ledger::new(&self.setup)),
            broken: None,
        }]
    }

    fn actions(&self, _: &Both, actions: &mut Vec<usize>) {
        actions.extend(0..self.steps.len());
    }

    fn next_state(&self, last: &Both, action: usize) -> Option<Both> {
        self.edge(last, &self.steps[action])
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("no edge broke", |_, s: &Both| {
            s.broken.is_none()
        })]
    }
}

/// Explores `users` users to `depth` steps with stateright's breadth-first checker, the
/// implementation checked on every edge. Panics if an edge broke.
pub fn explore_checked(users: usize, depth: usize, threads: usize) -> Found {
    let setup = universe(users);
    let steps = alphabet(&setup, Alphabet::Part1);
    let (found, checker) = bfs(Checked { setup, steps }, depth, threads);
    assert!(
        checker.discovery("no edge broke").is_none(),
        "an edge broke under stateright"
    );
    found
}
