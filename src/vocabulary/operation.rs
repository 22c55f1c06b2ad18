//! The operations of `RULES.md` (the transitions): what a scenario's steps ask for.
//!
//! The reference model and the implementation both read the same [`Operation`] and must
//! answer with equal [`StepResult`](crate::vocabulary::outcome::StepResult)s. The types
//! carry no behaviour.

use std::fmt;
use std::str::FromStr;

use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::language::Language;

/// A Migration Wizard version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// Exchange Server 5.0: finds mailboxes by alias (W-1-50, W-2-50).
    V50,
    /// Exchange Server 5.5 before SP1: finds mailboxes by MIGRATE proxy (W-2-55).
    V55,
    /// Exchange Server 5.5 SP1 through SP3: MIGRATE proxy, then MS proxy (W-2-55SP).
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
#[error("unknown wizard version {}; use one of \"5.0\", \"5.5\", \"5.5-sp1\"", crate::vocabulary::shown(.0))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// A phase word that is not one of [`Phase::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown phase {}", crate::vocabulary::shown(.0))]
pub struct UnknownPhase(pub String);

/// Any case: `Migrate` is `migrate`, as for every keyword of a scenario file.
impl FromStr for Phase {
    type Err = UnknownPhase;
    fn from_str(s: &str) -> Result<Phase, UnknownPhase> {
        Phase::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPhase(s.to_string()))
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
