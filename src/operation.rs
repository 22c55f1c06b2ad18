//! The operations of `RULES.md` (the transitions) and what a step can come to.
//!
//! These types are shared by the reference model and the implementation: both read the
//! same [`Operation`] and must answer with equal [`StepResult`]s. They carry no behaviour.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::address::{Alias, MsMailAddress, ProxyAddress};
use crate::eventlog::Event;
use crate::rules::RuleId;
use crate::store::Language;

/// A Migration Wizard version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Version {
    /// Exchange Server 5.0: finds mailboxes by alias (W-1-50, W-2-50).
    #[serde(rename = "5.0")]
    V50,
    /// Exchange Server 5.5 before SP1: finds mailboxes by MIGRATE proxy (W-2-55).
    #[serde(rename = "5.5")]
    V55,
    /// Exchange Server 5.5 SP1 through SP3: MIGRATE proxy, then MS proxy (W-2-55SP).
    #[serde(rename = "5.5-sp1")]
    V55Sp1,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 3] = [Version::V50, Version::V55, Version::V55Sp1];

    /// The scenario-file word: `5.0`, `5.5` or `5.5-sp1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V50 => "5.0",
            Version::V55 => "5.5",
            Version::V55Sp1 => "5.5-sp1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version word that is not one of [`Version::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown wizard version {0:?}; use one of \"5.0\", \"5.5\", \"5.5-sp1\"")]
pub struct UnknownVersion(pub String);

impl FromStr for Version {
    type Err = UnknownVersion;
    fn from_str(s: &str) -> Result<Version, UnknownVersion> {
        Version::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownVersion(s.to_string()))
    }
}

/// Which part of the wizard runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Step one: create mailboxes (OP-STEP1).
    Create,
    /// Step two: migrate mail (OP-STEP2).
    Migrate,
    /// One-step run: per user, step one then step two (OP-FULL).
    Full,
}

impl Phase {
    /// Every phase.
    pub const ALL: [Phase; 3] = [Phase::Create, Phase::Migrate, Phase::Full];

    /// The scenario-file word.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Create => "create",
            Phase::Migrate => "migrate",
            Phase::Full => "full",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a scenario: an administrator's action, a client's logon, directory
/// synchronisation, or a wizard run.
///
/// `Debug` prints the compact [`Display`](fmt::Display) form, so a shrunk failing sequence
/// reads like a list of steps.
#[derive(Clone, PartialEq, Eq)]
pub enum Operation {
    /// OP-CREATE: an administrator creates a mailbox.
    CreateMailbox {
        /// Its alias.
        alias: Alias,
        /// Display name.
        name: Option<String>,
    },
    /// OP-LOGON: a client logs on to a mailbox in a language.
    Logon {
        /// Whose mailbox.
        alias: Alias,
        /// The client's language.
        language: Language,
    },
    /// OP-PROXY: an administrator adds a proxy address.
    AddProxy {
        /// The mailbox.
        alias: Alias,
        /// The address to add.
        address: ProxyAddress,
    },
    /// OP-UNPROXY: an administrator removes a proxy address.
    RemoveProxy {
        /// The mailbox.
        alias: Alias,
        /// The address to remove.
        address: ProxyAddress,
    },
    /// OP-CR: directory synchronisation creates a custom recipient.
    CustomRecipient {
        /// Its alias.
        alias: Alias,
        /// The MS Mail user it stands for (its address is `MS:` this).
        address: MsMailAddress,
    },
    /// OP-STEP1, OP-STEP2, OP-FULL: the Migration Wizard.
    Wizard {
        /// Which version runs.
        version: Version,
        /// Which step.
        phase: Phase,
        /// The chosen users; `None` is every user in post office order.
        users: Option<Vec<MsMailAddress>>,
    },
}

impl Operation {
    /// The scenario-file word for the operation (`create-mailbox`, `wizard`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Operation::CreateMailbox { .. } => "create-mailbox",
            Operation::Logon { .. } => "logon",
            Operation::AddProxy { .. } => "add-proxy",
            Operation::RemoveProxy { .. } => "remove-proxy",
            Operation::CustomRecipient { .. } => "custom-recipient",
            Operation::Wizard { .. } => "wizard",
        }
    }

    /// The same operation with every wizard version replaced by `version`.
    pub fn with_version(&self, version: Version) -> Operation {
        match self {
            Operation::Wizard { phase, users, .. } => Operation::Wizard {
                version,
                phase: *phase,
                users: users.clone(),
            },
            other => other.clone(),
        }
    }
}

/// One line per step: `create-mailbox JDOE`, `wizard 5.5 migrate NET1/PO1/JDOE`, …
impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        match self {
            Operation::CreateMailbox { alias, .. } => write!(f, " {alias}"),
            Operation::Logon { alias, language } => write!(f, " {alias} {language}"),
            Operation::AddProxy { alias, address } | Operation::RemoveProxy { alias, address } => {
                write!(f, " {alias} {address}")
            }
            Operation::CustomRecipient { alias, address } => write!(f, " {alias} MS:{address}"),
            Operation::Wizard {
                version,
                phase,
                users,
            } => {
                write!(f, " {version} {phase}")?;
                match users {
                    None => write!(f, " (all users)"),
                    Some(list) => {
                        let names: Vec<String> = list.iter().map(ToString::to_string).collect();
                        write!(f, " [{}]", names.join(", "))
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why an administrative operation was not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "kebab-case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// By alias equal to the MS Mail mailbox name (W-2-50).
    Alias,
    /// By a MIGRATE proxy naming the user (W-2-55).
    MigrateProxy,
    /// By an MS proxy equal to the user's address (W-2-55SP).
    MsProxy,
}

/// What the wizard did for one MS Mail user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "did", rename_all = "kebab-case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The world before the first step: the site, the server's language and the post office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The Exchange site (A-SITE).
    pub site: crate::address::Site,
    /// The language the server and the wizard speak (A-LANG, W-OPEN).
    pub server_language: Language,
    /// The MS Mail users, in post office order, with their waiting mail.
    pub users: Vec<crate::postoffice::MsMailUser>,
}

impl Setup {
    /// The users a wizard step reaches: the chosen list, or every user in post office order.
    pub fn chosen_users(&self, users: &Option<Vec<MsMailAddress>>) -> Vec<MsMailAddress> {
        match users {
            Some(list) => list.clone(),
            None => self.users.iter().map(|u| u.address.clone()).collect(),
        }
    }
}
