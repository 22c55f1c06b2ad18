//! What a step can come to: done, refused (and why), or aborted with an event; and, for a
//! wizard step, what it did for each user.
//!
//! Both halves answer every step with a [`StepResult`]; the state machine test holds the two
//! answers equal. The types carry no behaviour.

use std::collections::BTreeSet;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::event::Event;
use crate::vocabulary::operation::Function;
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
    /// A-DN: another recipient in the container has this directory name.
    #[error("directory name {name} is taken in container {container} by recipient {holder}")]
    DirectoryNameTaken {
        /// The directory name asked for.
        name: String,
        /// The container.
        container: String,
        /// The alias of the recipient that has it.
        holder: String,
    },
    /// OP-DELIVER: the user's mail would pass the count the post office can hold.
    #[error("{user} cannot hold more messages; a user holds at most 4294967295")]
    TooMuchMail {
        /// The MS Mail user.
        user: String,
    },
    /// OP-EDIT, OP-IMPORT: no user list has been extracted.
    #[error("there is no user list; extract one first (extract-user-list)")]
    NoUserList,
    /// OP-EDIT: the user list has no row for this user.
    #[error("the user list has no row for {user}")]
    NoRow {
        /// The MS Mail user asked for.
        user: String,
    },
    /// OP-EDIT: the field does not take this value.
    #[error("{field} cannot be {}; it takes {takes}", crate::vocabulary::shown(.value))]
    BadListValue {
        /// The field.
        field: String,
        /// The value asked for.
        value: String,
        /// What the field takes.
        takes: String,
    },
    /// OP-MAILMIG: the batch run stopped before it did anything (B-STOP), with the
    /// wizard's message.
    #[error("{message}")]
    BatchStopped {
        /// What stopped it, as the run says it.
        message: String,
    },
    /// OP-FILE: the world has no file at this path.
    #[error("there is no file {}", crate::vocabulary::shown(.path))]
    NoSuchFile {
        /// The path asked for.
        path: String,
    },
    /// OP-FILE: the file is not a user list, so no field of it can be set.
    #[error("{} is not a user list: {why}", crate::vocabulary::shown(.path))]
    NotAUserList {
        /// The file.
        path: String,
        /// Why not (F-CSV).
        why: String,
    },
    /// OP-FILE: the user list file has no such column.
    #[error("{} has no column {field}", crate::vocabulary::shown(.path))]
    NoColumn {
        /// The file.
        path: String,
        /// The column asked for.
        field: String,
    },
    /// OP-FILE: the user list file has no row whose `SFS_UserName` is this.
    #[error("{} has no row for {}", crate::vocabulary::shown(.path), crate::vocabulary::shown(.user))]
    NoFileRow {
        /// The file.
        path: String,
        /// The `SFS_UserName` asked for.
        user: String,
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Step one updated an existing mailbox instead of creating one (W-LIST-UPDATE).
    Updated {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox updated.
        alias: String,
        /// The addresses added to it.
        added: Vec<String>,
    },
    /// 5.0 found the mailbox in another container: 147, nothing moved (W-CONT).
    OtherContainer {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox found.
        alias: String,
        /// Its container.
        container: String,
        /// The container the step targets.
        target: String,
    },
    /// The user's MMF is locked or out of step: 7007, nothing moved (W-7007).
    MmfUnavailable {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The MS Mail client holds it open.
        locked: bool,
        /// Its password is out of step after a recovery.
        out_of_step: bool,
    },
    /// A Service Account Admin migrating several users: 7044, nothing moved (W-7044).
    SpoolerFailure {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox found and opened.
        alias: String,
    },
    /// 5.5 before SP1, command line with a user list: 7034, nothing done (W-7034).
    NotInPostOffice {
        /// The MS Mail user.
        user: MsMailAddress,
    },
    /// The row's Home-Server names another server: 7032, the user is not migrated
    /// (B-HOME).
    OtherHomeServer {
        /// The MS Mail user.
        user: MsMailAddress,
    },
    /// Step two migrated the user's Schedule+ data into the mailbox (B-SCHED,
    /// B-SCHED-50), with the calendar message under 5.5 and SP1.
    ScheduleMigrated {
        /// The MS Mail user.
        user: MsMailAddress,
        /// The mailbox.
        alias: String,
        /// Whether the Inbox received `Migrated Calendar Information`.
        message: bool,
    },
}

impl UserResult {
    /// The MS Mail user the result is about.
    pub fn user(&self) -> &MsMailAddress {
        match self {
            UserResult::Created { user, .. }
            | UserResult::Existing { user, .. }
            | UserResult::Migrated { user, .. }
            | UserResult::NotFound { user }
            | UserResult::Updated { user, .. }
            | UserResult::OtherContainer { user, .. }
            | UserResult::MmfUnavailable { user, .. }
            | UserResult::SpoolerFailure { user, .. }
            | UserResult::NotInPostOffice { user }
            | UserResult::OtherHomeServer { user }
            | UserResult::ScheduleMigrated { user, .. } => user,
        }
    }

    /// The mailbox the result names, if any.
    pub fn alias(&self) -> Option<&str> {
        match self {
            UserResult::Created { alias, .. }
            | UserResult::Existing { alias, .. }
            | UserResult::Migrated { alias, .. }
            | UserResult::Updated { alias, .. }
            | UserResult::OtherContainer { alias, .. }
            | UserResult::SpoolerFailure { alias, .. }
            | UserResult::ScheduleMigrated { alias, .. } => Some(alias),
            UserResult::NotFound { .. }
            | UserResult::MmfUnavailable { .. }
            | UserResult::NotInPostOffice { .. }
            | UserResult::OtherHomeServer { .. } => None,
        }
    }
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

/// What a batch run reports besides its outcome (OP-MAILMIG, SCENARIO-FORMAT-4.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BatchReport {
    /// 0, 1 or 2 (B-RESULT).
    pub result_code: u8,
    /// What the control file asked for; `None` when the run stopped before reading it.
    pub function: Option<Function>,
    /// The B-UNNEEDED warnings, in file order.
    pub warnings: Vec<String>,
    /// The text that stopped the run (B-STOP), if it stopped.
    pub message: Option<String>,
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
    /// For a batch run: its result code, function, warnings and message.
    pub batch: Option<Box<BatchReport>>,
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
            batch: None,
        }
    }
}
