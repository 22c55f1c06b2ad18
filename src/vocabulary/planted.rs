//! Mistakes planted in both halves at once, to prove that the properties judge alone.
//!
//! The state machine test holds the model and the implementation against each other, so a
//! mistake both make is invisible to that comparison: only the properties can catch it.
//! Each [`Mistake`] is written once in the model and once in the server, at the place that
//! decides the rule it breaks, and is off unless a test plants it on its own thread with
//! [`plant`]. `tests/shared_mistakes.rs` plants each in turn and watches the property of
//! its invariant fail and shrink.
//!
//! ```
//! use migwiz::vocabulary::planted::{plant, planted, Mistake};
//!
//! assert!(!planted(Mistake::DroppedDelivery));
//! plant(Mistake::DroppedDelivery, || assert!(planted(Mistake::DroppedDelivery)));
//! assert!(!planted(Mistake::DroppedDelivery));
//! ```

use std::cell::Cell;

/// A mistake both halves can be made to make, named after what goes wrong; the invariant
/// that must catch it is in its doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mistake {
    /// I-SUMMARY: step one's new mailbox is left out of the step's results and of the
    /// summary's Import Accounts.
    UnreportedMailbox,
    /// I-OWNER: 5.5 and SP1 put the mail into the directory's first mailbox (when it has
    /// folders), while reporting the mailbox they found.
    FirstMailbox,
    /// I-ABORT: no mailbox found: 7026 is logged, yet the step goes on and returns ok.
    QuietAbort,
    /// I-CONSERVE: a delivery is dropped, and not counted as received either.
    DroppedDelivery,
    /// I-UNIQUE: OP-PROXY adds an address whoever holds it.
    UncheckedProxy,
    /// I-LOCKED: an out-of-step MMF is read as if its password were in step.
    OutOfStepRead,
    /// I-SUMMARY: W-7044 is logged but left out of the summary's import errors.
    UncountedSpoolerFailure,
    /// I-RESULT: B-RESULT forgets the warnings: a run that only warned returns 0.
    WarningsUncounted,
    /// I-FILES: a batch run that stopped logs its summary 10068 all the same.
    StoppedRunLogs,
    /// I-CONSERVE: the calendar message is sent on every run that reaches the mailbox,
    /// not once.
    CalendarAgain,
}

impl Mistake {
    /// Every mistake.
    pub const ALL: [Mistake; 10] = [
        Mistake::UnreportedMailbox,
        Mistake::FirstMailbox,
        Mistake::QuietAbort,
        Mistake::DroppedDelivery,
        Mistake::UncheckedProxy,
        Mistake::OutOfStepRead,
        Mistake::UncountedSpoolerFailure,
        Mistake::WarningsUncounted,
        Mistake::StoppedRunLogs,
        Mistake::CalendarAgain,
    ];
}

thread_local! {
    /// The mistake planted on this thread, if any: tests run side by side on other threads
    /// see none.
    static PLANTED: Cell<Option<Mistake>> = const { Cell::new(None) };
}

/// Whether `mistake` is planted on this thread.
pub fn planted(mistake: Mistake) -> bool {
    PLANTED.with(|p| p.get() == Some(mistake))
}

/// The mistake planted on this thread, if any: what a thread that works for this one (a
/// concurrent run's client) plants on itself with [`plant_also`].
pub fn current() -> Option<Mistake> {
    PLANTED.with(Cell::get)
}

/// Runs `f` with `mistake`, if any, planted on this thread, as [`plant`] does.
pub fn plant_also<T>(mistake: Option<Mistake>, f: impl FnOnce() -> T) -> T {
    match mistake {
        Some(mistake) => plant(mistake, f),
        None => f(),
    }
}

/// Runs `f` with `mistake` planted on this thread, and takes it away afterwards, also when
/// `f` panics.
pub fn plant<T>(mistake: Mistake, f: impl FnOnce() -> T) -> T {
    struct Unplant(Option<Mistake>);
    impl Drop for Unplant {
        fn drop(&mut self) {
            PLANTED.with(|p| p.set(self.0));
        }
    }
    let _restore = Unplant(PLANTED.with(|p| p.replace(Some(mistake))));
    f()
}
