//! The one place the concurrent server takes its locks and threads from (C-SCHEDULE).
//!
//! A [`Mutex`] here is a `std::sync::Mutex` that tells a deterministic scheduler when it
//! is taken and given back. On threads that run under [`schedule::run`], one thread runs
//! at a time and the scheduler, from a seed, picks which thread goes on at every lock and
//! every release: the same seed gives the same interleaving, so a failing case replays
//! exactly and can be shrunk. On other threads (the stress mode, and everything else) the
//! locks are plain `std` locks and the operating system interleaves.
//!
//! Why not shuttle, the expected choice: shuttle's locks and threads work only inside its
//! own runtime, so the same server could not also run on OS threads for the stress mode,
//! nor in `migwiz race` outside a test, without a switch in every lock. A scheduler that
//! passes one baton between OS threads gives the same seeded, replayable interleavings at
//! every lock, with `std` locks in both modes and no dependency; it finds the named
//! faults of `server/shared.rs` within a handful of seeds (`tests/parallel.rs`).
//!
//! ```
//! use std::sync::Arc;
//! use migwiz::server::sync::{schedule, Mutex};
//!
//! let counter = Arc::new(Mutex::new(0u32));
//! let bodies: Vec<Box<dyn FnOnce() + Send>> = (0..3)
//!     .map(|_| {
//!         let counter = Arc::clone(&counter);
//!         Box::new(move || *counter.lock() += 1) as Box<dyn FnOnce() + Send>
//!     })
//!     .collect();
//! schedule::run(7, 10_000, bodies).unwrap();
//! assert_eq!(*counter.lock(), 3);
//! ```

pub mod schedule;

use std::sync::atomic::{AtomicUsize, Ordering};

/// A lock that the deterministic scheduler sees taken and given back.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    inner: std::sync::Mutex<T>,
    id: usize,
    /// What it guards, in words, for a report of a deadlock.
    name: &'static str,
}

/// Every lock has its own number, for the scheduler to know who waits on which.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

impl<T> Mutex<T> {
    /// A new lock around `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex::named(value, "a lock")
    }

    /// A new lock around `value`, which a report of a deadlock names by `name`, what it
    /// guards (`"the directory"`).
    pub fn named(value: T, name: &'static str) -> Mutex<T> {
        Mutex {
            inner: std::sync::Mutex::new(value),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name,
        }
    }

    /// Takes the lock: under the scheduler, a point where another thread may go first;
    /// elsewhere, `std`'s lock. A lock poisoned by a panicking holder is taken anyway: the
    /// panic is reported where it happened.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        let guard = match schedule::current() {
            Some(turn) => turn.acquire(self.id, self.name, || self.inner.try_lock().ok()),
            None => self
                .inner
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        };
        MutexGuard {
            guard: Some(guard),
            id: self.id,
        }
    }

    /// The value, the lock no longer needed.
    pub fn into_inner(self) -> T {
        self.inner
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A taken [`Mutex`]; giving it back is a point where another thread may go on.
#[derive(Debug)]
pub struct MutexGuard<'a, T> {
    guard: Option<std::sync::MutexGuard<'a, T>>,
    id: usize,
}

impl<T> std::ops::Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard
            .as_ref()
            .expect("a guard holds its lock until dropped")
    }
}

impl<T> std::ops::DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard
            .as_mut()
            .expect("a guard holds its lock until dropped")
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        drop(self.guard.take());
        if let Some(turn) = schedule::current() {
            turn.released(self.id);
        }
    }
}
