//! What a step can come to: done, refused (and why), or aborted with an event; and, for a
//! wizard step, what it did for each user.
//!
//! Both halves answer every step with a [`StepResult`]; the state machine test holds the two
//! answers equal. The types carry no behaviour.

use std::collections::BTreeSet;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::event::Event;
use crate::vocabulary::rules::RuleId;

/// Why an administrative operation was not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A-ALIAS: another recipient has this alias (compared without case).
    #[error("alias {alias} is taken by recipient {holder}")]
    AliasTaken {
        /// The alias asked for.
        alias: String,
        /// The alias of the recipient that has it.
        holder: String,
    },
    /// A-UNIQUE: another recipient (or this one) holds the address.
    #[error("address {address} is already held by {holder}")]
    AddressTaken {
        /// The address asked for.
        address: String,
        /// The alias of the recipient that holds it.
        holder: String,
    },
    /// The alias names no mailbox (a custom recipient is not a mailbox).
    #[error("no mailbox has alias {alias}")]
    NoSuchMailbox {
        /// The alias asked for.
        alias: String,
    },
    /// A wizard step named an MS Mail user the post office does not have; nothing ran.
    /// (A scenario file with such a step is rejected when it is read.)
    #[error("the post office has no MS Mail user {user}")]
    UnknownUser {
        /// The address asked for.
        user: String,
    },
    /// OP-UNPROXY: the mailbox does not hold the address.
    #[error("mailbox {alias} does not hold {address}")]
    AddressNotHeld {
        /// The mailbox.
        alias: String,
        /// The address asked for.
        address: String,
    },
    /// OP-UNPROXY: the address is the primary of its type, which must stay.
    #[error("{address} is a primary address of {alias}; one primary per type stays")]
    PrimaryAddress {
        /// The mailbox.
        alias: String,
        /// The primary address it holds.
        address: String,
    },
}

/// How the wizard found (or made) the mailbox for an MS Mail user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FoundBy {
    /// By alias equal to the MS Mail mailbox name (W-2-50).
    Alias,
    /// By a MIGRATE proxy naming the user (W-2-55).
    MigrateProxy,
    /// By an MS proxy equal to the user's address (W-2-55SP).
    MsProxy,
}

/// What the wizard did for one MS Mail user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserResult {
    /// Step one created a mailbox (W-1, W-1-CR, W-1-50).
    Created {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The new mailbox's alias.
        alias: String,
        /// Alias of the custom recipient deleted on the way (W-1-CR).
        replaced: Option<String>,
    },
    /// Step one found a mailbox already and created nothing (W-1-EXIST).
    Existing {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox found.
        alias: String,
        /// How it was found.
        found_by: FoundBy,
    },
    /// Step two moved the user's waiting mail into a mailbox's Inbox.
    Migrated {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox that received the mail.
        alias: String,
        /// How it was found.
        found_by: FoundBy,
        /// How many messages moved now.
        messages: u32,
    },
    /// Step two found no mailbox: 7026 (W-7026).
    NotFound {
        /// The MS Mail user.
        user: MsMailAddress,
    },
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Ok,
    /// Not allowed; nothing changed.
    Refused(Refusal),
    /// The wizard logged an error and stopped (W-7026).
    Aborted {
        /// The user it could not find a mailbox for.
        user: MsMailAddress,
        /// The event it logged.
        event: Event,
    },
}

impl Outcome {
    /// Whether the step was not allowed (and so changed nothing).
    pub fn is_refused(&self) -> bool {
        matches!(self, Outcome::Refused(_))
    }

    /// The report word: `ok`, `refused` or `aborted`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused(_) => "refused",
            Outcome::Aborted { .. } => "aborted",
        }
    }
}

/// What one step came to, and which rules decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// Ok, refused or aborted.
    pub outcome: Outcome,
    /// The rules that decided the step.
    pub rules: BTreeSet<RuleId>,
    /// For a wizard step: what it did for each user it reached, in order.
    pub users: Vec<UserResult>,
}

impl StepResult {
    /// An `ok` result of an administrative step, decided by `rules`.
    pub fn ok(rules: impl IntoIterator<Item = RuleId>) -> StepResult {
        StepResult::new(Outcome::Ok, rules)
    }

    /// A `refused` result, decided by `rules`.
    pub fn refused(refusal: Refusal, rules: impl IntoIterator<Item = RuleId>) -> StepResult {
        StepResult::new(Outcome::Refused(refusal), rules)
    }

    /// A result with no users, from an outcome and its rules.
    pub fn new(outcome: Outcome, rules: impl IntoIterator<Item = RuleId>) -> StepResult {
        StepResult {
            outcome,
            rules: rules.into_iter().collect(),
            users: Vec::new(),
        }
    }
}
