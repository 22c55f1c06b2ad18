//! The deterministic scheduler (C-SCHEDULE, C-DEADLOCK): OS threads that pass one baton.
//!
//! Only the thread holding the baton runs. At every scheduling point (taking or giving
//! back a [`Mutex`](super::Mutex), or a thread ending) the baton goes to the runnable
//! thread of highest priority, itself included. A thread that wants a lock another holds
//! waits, and is runnable again when the lock is given back. The priorities and the points
//! where the running thread drops to the lowest priority are drawn from the seed: this is
//! PCT (Burckhardt, Kothari, Musuvathi and Nagarakatte, "A randomized scheduler with
//! probabilistic guarantees of finding bugs", 2010), which finds a race that needs one
//! thread to pause at one place while another runs several steps far more often than a
//! coin at every point would. So the interleaving is a function of the seed alone. When no thread can go
//! on and some have not ended, the run is a deadlock; when the points run past the budget,
//! the run stops: either way every thread is unwound and the run reports why, never hangs.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex as StdMutex, MutexGuard as StdGuard};

/// Why a scheduled run did not end normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Every thread not ended waits on a lock (C-DEADLOCK): `(thread, what the lock
    /// guards)` for each.
    Deadlock {
        /// The threads that wait, and what the lock each waits on guards.
        waiting: Vec<(usize, &'static str)>,
    },
    /// The budget of scheduling points ran out.
    Budget {
        /// The points taken.
        points: u64,
    },
    /// Threads on their own (the stress mode) had not all ended within the time given.
    OutOfTime {
        /// The time given, in seconds.
        seconds: u64,
    },
    /// A thread panicked.
    Panicked {
        /// Which thread.
        thread: usize,
        /// Its message.
        message: String,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Deadlock { waiting } => {
                write!(f, "deadlock: ")?;
                let each: Vec<String> = waiting
                    .iter()
                    .map(|(t, l)| format!("client {} waits for the lock on {l}", t + 1))
                    .collect();
                write!(f, "{}", each.join(", "))
            }
            Failure::Budget { points } => {
                write!(
                    f,
                    "the run took {points} scheduling points, past its budget"
                )
            }
            Failure::OutOfTime { seconds } => {
                write!(f, "the clients had not all ended after {seconds} s")
            }
            Failure::Panicked { thread, message } => {
                write!(f, "thread {thread} panicked: {message}")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Runnable,
    Waiting(usize),
    Done,
}

struct State {
    /// The thread holding the baton.
    running: Option<usize>,
    /// Each thread's priority: the runnable thread of highest priority runs.
    priority: Vec<u64>,
    /// The points at which the running thread drops below every other (PCT).
    changes: Vec<u64>,
    status: Vec<Status>,
    /// The locks taken now.
    held: Vec<usize>,
    /// What each lock asked for so far guards, by its id: a report names a lock by it,
    /// not by an id that changes from run to run.
    names: Vec<(usize, &'static str)>,
    rng: u64,
    points: u64,
    budget: u64,
    failure: Option<Failure>,
}

impl State {
    /// The next draw of the seeded generator (xorshift64*).
    fn draw(&mut self, below: usize) -> usize {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 32) as usize) % below
    }

    /// Hands the baton to the runnable thread of highest priority, after the running one
    /// dropped to the lowest at a change point; a deadlock when none is runnable and some
    /// thread has not ended.
    fn pass(&mut self) {
        if let Some(running) = self.running {
            if self.changes.contains(&self.points) {
                let lowest = self.priority.iter().min().copied().unwrap_or(0);
                self.priority[running] = lowest.saturating_sub(1);
            }
        }
        let runnable: Vec<usize> = (0..self.status.len())
            .filter(|&t| self.status[t] == Status::Runnable)
            .collect();
        if runnable.is_empty() {
            self.running = None;
            let name = |lock: usize| {
                self.names
                    .iter()
                    .find(|(id, _)| *id == lock)
                    .map_or("a lock", |(_, name)| *name)
            };
            let waiting: Vec<(usize, &'static str)> = (0..self.status.len())
                .filter_map(|t| match self.status[t] {
                    Status::Waiting(lock) => Some((t, name(lock))),
                    _ => None,
                })
                .collect();
            if !waiting.is_empty() && self.failure.is_none() {
                self.failure = Some(Failure::Deadlock { waiting });
            }
            return;
        }
        let next = runnable
            .iter()
            .copied()
            .max_by_key(|&t| self.priority[t])
            .expect("a runnable thread");
        self.running = Some(next);
    }
}

struct Shared {
    state: StdMutex<State>,
    turn: Condvar,
}

impl Shared {
    fn state(&self) -> StdGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The payload a thread unwinds with when the run stops.
struct Stopped;

thread_local! {
    static CURRENT: RefCell<Option<Turn>> = const { RefCell::new(None) };
}

/// A thread's place in a scheduled run.
#[derive(Clone)]
pub struct Turn {
    shared: Arc<Shared>,
    me: usize,
}

/// The calling thread's place in a scheduled run, if it runs under one.
pub fn current() -> Option<Turn> {
    CURRENT.with(|c| c.borrow().clone())
}

impl Turn {
    /// Waits until this thread holds the baton; unwinds if the run stopped.
    fn wait<'a>(&'a self, mut st: StdGuard<'a, State>) -> StdGuard<'a, State> {
        while st.running != Some(self.me) && st.failure.is_none() {
            st = self
                .shared
                .turn
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if st.failure.is_some() {
            drop(st);
            std::panic::resume_unwind(Box::new(Stopped));
        }
        st
    }

    /// A scheduling point: the baton goes to a runnable thread drawn from the seed,
    /// perhaps this one.
    fn point(&self) {
        let mut st = self.shared.state();
        if st.failure.is_some() {
            if std::thread::panicking() {
                return;
            }
            drop(st);
            std::panic::resume_unwind(Box::new(Stopped));
        }
        st.points += 1;
        if st.points > st.budget {
            st.failure = Some(Failure::Budget { points: st.points });
        } else {
            st.pass();
        }
        self.shared.turn.notify_all();
        drop(self.wait(st));
    }

    /// Takes lock `id`, which guards `name`, with `try_lock`, waiting (and letting others
    /// go on) while another thread holds it.
    pub fn acquire<G>(&self, id: usize, name: &'static str, try_lock: impl Fn() -> Option<G>) -> G {
        self.point();
        {
            let mut st = self.shared.state();
            if !st.names.iter().any(|(known, _)| *known == id) {
                st.names.push((id, name));
            }
        }
        loop {
            {
                let mut st = self.shared.state();
                if !st.held.contains(&id) {
                    if let Some(guard) = try_lock() {
                        st.held.push(id);
                        return guard;
                    }
                }
                st.status[self.me] = Status::Waiting(id);
            }
            self.point();
        }
    }

    /// Lock `id` was given back: those waiting on it may go on, and so a scheduling point.
    pub fn released(&self, id: usize) {
        {
            let mut st = self.shared.state();
            st.held.retain(|&h| h != id);
            for status in st.status.iter_mut() {
                if *status == Status::Waiting(id) {
                    *status = Status::Runnable;
                }
            }
            if st.failure.is_some() {
                self.shared.turn.notify_all();
                return;
            }
        }
        if !std::thread::panicking() {
            self.point();
        }
    }

    /// This thread ended: the baton goes on to another.
    fn finish(&self) {
        let mut st = self.shared.state();
        st.status[self.me] = Status::Done;
        if st.running == Some(self.me) {
            st.pass();
        }
        self.shared.turn.notify_all();
    }
}

/// How many times a run's running thread drops to the lowest priority (PCT's depth less
/// one).
const PCT_DEPTH: usize = 3;

/// The points the change points are drawn from: about as many as the clients' first few
/// steps take, so that most runs change threads mid-way (with 200, most ran one client
/// after the other: 29 % of runs overlapped, against 53 % with 60; `tests/parallel.rs`).
const PCT_POINTS: usize = 60;

/// Runs `bodies`, one thread each, under the scheduler seeded with `seed`, for at most
/// `budget` scheduling points; `Ok` when every body ended normally.
pub fn run(seed: u64, budget: u64, bodies: Vec<Box<dyn FnOnce() + Send>>) -> Result<(), Failure> {
    let n = bodies.len();
    // splitmix64: neighbouring seeds give unrelated generators (xorshift needs a non-zero
    // state).
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut state = State {
        running: None,
        priority: Vec::new(),
        changes: Vec::new(),
        status: vec![Status::Runnable; n],
        held: Vec::new(),
        names: Vec::new(),
        rng: (z ^ (z >> 31)) | 1,
        points: 0,
        budget,
        failure: None,
    };
    // Distinct priorities from u64::MAX / 2 down, shuffled; change points among the
    // first points a run of a few clients takes.
    let mut priority: Vec<u64> = (0..n as u64).map(|k| u64::MAX / 2 - k).collect();
    for k in (1..priority.len()).rev() {
        let j = state.draw(k + 1);
        priority.swap(k, j);
    }
    state.priority = priority;
    state.changes = (0..PCT_DEPTH)
        .map(|_| 1 + state.draw(PCT_POINTS) as u64)
        .collect();
    if n > 0 {
        state.pass();
    }
    let shared = Arc::new(Shared {
        state: StdMutex::new(state),
        turn: Condvar::new(),
    });
    let handles: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(me, body)| {
            let turn = Turn {
                shared: Arc::clone(&shared),
                me,
            };
            std::thread::spawn(move || {
                CURRENT.with(|c| *c.borrow_mut() = Some(turn.clone()));
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    drop(turn.wait(turn.shared.state()));
                    body();
                }));
                if let Err(payload) = ran {
                    if !payload.is::<Stopped>() {
                        let message = payload
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        let mut st = turn.shared.state();
                        st.failure.get_or_insert(Failure::Panicked {
                            thread: me,
                            message,
                        });
                    }
                }
                turn.finish();
                CURRENT.with(|c| *c.borrow_mut() = None);
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.join();
    }
    let st = shared.state();
    match &st.failure {
        Some(failure) => Err(failure.clone()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Mutex;
    use super::*;

    fn bodies(
        n: usize,
        f: impl Fn(usize) -> Box<dyn FnOnce() + Send>,
    ) -> Vec<Box<dyn FnOnce() + Send>> {
        (0..n).map(f).collect()
    }

    /// Each thread appends its number twice, taking the lock for each: the order is the
    /// interleaving.
    fn interleaving(seed: u64) -> Vec<usize> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let work = bodies(3, |t| {
            let log = Arc::clone(&log);
            Box::new(move || {
                log.lock().push(t);
                log.lock().push(t);
            })
        });
        run(seed, 10_000, work).unwrap();
        Arc::try_unwrap(log).unwrap().into_inner()
    }

    #[test]
    fn the_same_seed_gives_the_same_interleaving() {
        for seed in 0..20 {
            assert_eq!(interleaving(seed), interleaving(seed));
        }
        let distinct: std::collections::BTreeSet<Vec<usize>> = (0..50).map(interleaving).collect();
        assert!(
            distinct.len() >= 6,
            "seeds give other interleavings: {distinct:?}"
        );
    }

    #[test]
    fn two_locks_taken_in_opposite_orders_deadlock_under_some_seed() {
        let found = (0..200).find_map(|seed| {
            let (a, b) = (
                Arc::new(Mutex::named((), "the directory")),
                Arc::new(Mutex::named((), "the post office")),
            );
            let work = bodies(2, |t| {
                let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                Box::new(move || {
                    let (first, second) = if t == 0 { (&a, &b) } else { (&b, &a) };
                    let _x = first.lock();
                    let _y = second.lock();
                })
            });
            run(seed, 10_000, work).err()
        });
        match found {
            Some(failure @ Failure::Deadlock { .. }) => {
                // Named by what the locks guard, the same words in every run.
                let words = failure.to_string();
                assert!(
                    words.contains("waits for the lock on the directory")
                        && words.contains("waits for the lock on the post office"),
                    "{words}"
                );
            }
            other => panic!("expected a deadlock, got {other:?}"),
        }
    }

    #[test]
    fn a_panic_is_reported_and_the_others_stop() {
        let work = bodies(2, |t| {
            Box::new(move || {
                if t == 0 {
                    panic!("boom");
                }
            })
        });
        let result = run(1, 1_000, work);
        assert_eq!(
            result,
            Err(Failure::Panicked {
                thread: 0,
                message: "boom".into()
            })
        );
    }

    #[test]
    fn a_run_past_its_budget_stops() {
        let lock = Arc::new(Mutex::new(0u32));
        let work = bodies(2, |_| {
            let lock = Arc::clone(&lock);
            Box::new(move || {
                for _ in 0..1000 {
                    *lock.lock() += 1;
                }
            })
        });
        assert!(matches!(run(3, 100, work), Err(Failure::Budget { .. })));
    }
}
