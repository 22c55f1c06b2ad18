//! The units of a concurrent run (`CONCURRENCY.md`, C-UNITS): every step other than a
//! wizard step is one unit; a wizard step is `start`, one `user` unit per user it takes,
//! and `end`. A batch run (OP-MAILMIG) is a wizard step too: its `start` reads the command
//! line and the files; a run that stops (B-STOP) or only extracts (B-FUNC's EXTRACT) is
//! that unit alone. A step run alone is its units back to back (C-SEQ). The types carry no
//! behaviour: the model and the server each apply a unit in their own way.
//!
//! ```
//! use migwiz::vocabulary::unit::Unit;
//! use migwiz::{Operation, Phase, Version};
//!
//! assert_eq!(Unit::User("NET1/PO1/JDOE".parse()?).to_string(), "user NET1/PO1/JDOE");
//! let step = Unit::Step(Operation::create_mailbox("JDOE".parse()?));
//! assert_eq!(step.to_string(), "create-mailbox JDOE");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::event::Event;
use crate::vocabulary::operation::{Operation, Version, WizardRun};
use crate::vocabulary::outcome::{BatchReport, Outcome, StepResult, UserResult};
use crate::vocabulary::rules::RuleId;

/// One unit: a whole step other than the wizard's, or one unit of a wizard step.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A step other than a wizard step, whole.
    Step(Operation),
    /// A wizard step's `start`: it decides the users the step takes.
    Start(WizardRun),
    /// A batch run's `start` (OP-MAILMIG): it reads the command line and the files, and
    /// decides what the run does and the users it takes.
    BatchStart {
        /// The wizard's version.
        version: Version,
        /// The command line, as `mailmig` was given it.
        command: String,
    },
    /// A wizard step's unit for one user it takes.
    User(MsMailAddress),
    /// A wizard step's `end`: the 10068 summary.
    End,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Step(op) => write!(f, "{op}"),
            Unit::Start(_) => f.write_str("start"),
            Unit::BatchStart { .. } => f.write_str("start mailmig"),
            Unit::User(user) => write!(f, "user {user}"),
            Unit::End => f.write_str("end"),
        }
    }
}

/// What a unit came to: its outcome, the rules that decided it, what it did for each user
/// (a wizard `user` unit), and the events it logged (C-LIN compares all four).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitResult {
    /// For a `start`: ok or refused; for a `user` unit: ok, or aborted (7026); for an
    /// `end`: how the whole step ended; for a whole step: its outcome.
    pub outcome: Outcome,
    /// The rules that decided the unit.
    pub rules: BTreeSet<RuleId>,
    /// What the unit did for each user.
    pub users: Vec<UserResult>,
    /// The events the unit logged, in order.
    pub events: Vec<Event>,
    /// For a batch run: its report.
    pub batch: Option<Box<BatchReport>>,
}

impl UnitResult {
    /// The unit result of a whole step other than the wizard's, or of a wizard unit.
    pub fn new(result: StepResult, events: Vec<Event>) -> UnitResult {
        UnitResult {
            outcome: result.outcome,
            rules: result.rules,
            users: result.users,
            events,
            batch: result.batch,
        }
    }
}

/// A wizard step's result from its units' results, in order (C-SEQ): the rules of them
/// all, the per-user results in order, and the outcome of the last.
pub fn step_of_units(units: &[UnitResult]) -> StepResult {
    let mut result = StepResult::ok([]);
    for unit in units {
        result.rules.extend(unit.rules.iter().copied());
        result.users.extend(unit.users.iter().cloned());
        result.outcome = unit.outcome.clone();
        if unit.batch.is_some() {
            result.batch.clone_from(&unit.batch);
        }
    }
    result
}
