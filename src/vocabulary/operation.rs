//! The operations of `RULES.md` (the transitions): what a scenario's steps ask for.
//!
//! The reference model and the implementation both read the same [`Operation`] and must
//! answer with equal [`StepResult`](crate::vocabulary::outcome::StepResult)s. The types
//! carry no behaviour.

use std::fmt;
use std::str::FromStr;

use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::container::Container;
use crate::vocabulary::files::{MailDate, WinPath};
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

/// Who runs the wizard (RULES-PART2.md): the default, or a Service Account Admin (W-7044).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Operator {
    /// An administrator with permissions on the site: the default.
    #[default]
    PermissionsAdmin,
    /// The Exchange service account's administrator (Q255888).
    ServiceAccountAdmin,
}

/// How the wizard is run (RULES-PART2.md): interactively, or Mailmig.exe from the command
/// line with a control file (W-7034).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Mode {
    /// The wizard's pages: the default.
    #[default]
    Wizard,
    /// Mailmig.exe from the command line (Q169130).
    CommandLine,
}

/// A field of a user list row that OP-EDIT may set (A-LIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListField {
    /// `MigrateUser`: `Y` or `N`.
    MigrateUser,
    /// `Mode`: `Create` or empty (Q186742: empty "in effect performs an Update").
    Mode,
    /// `Common-Name`: the directory name, alias-shaped (A-ALIAS).
    CommonName,
}

/// A field of a user list file that OP-FILE may set (RULES-PART4.md): OP-EDIT's three and
/// `Home-Server` (B-HOME).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CsvField {
    /// `MigrateUser`.
    MigrateUser,
    /// `Mode`.
    Mode,
    /// `Common-Name`.
    CommonName,
    /// `Home-Server`: `~SERVER` or a server's name.
    HomeServer,
}

/// What a batch run does (`Function` in the control file, B-FUNC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    /// Extract and import in one run: a wizard step (OP-FULL).
    Full,
    /// Write the user list file (OP-EXTRACT).
    Extract,
    /// Run from a user list file (OP-IMPORT).
    Import,
}

keywords!(CsvField, UnknownCsvField, "user list file field", MigrateUser => "MigrateUser", Mode => "Mode", CommonName => "Common-Name", HomeServer => "Home-Server");
keywords!(Function, UnknownFunction, "function", Full => "FULL", Extract => "EXTRACT", Import => "IMPORT");
keywords!(Operator, UnknownOperator, "operator", PermissionsAdmin => "permissions-admin", ServiceAccountAdmin => "service-account-admin");
keywords!(Mode, UnknownMode, "mode", Wizard => "wizard", CommandLine => "command-line");
keywords!(ListField, UnknownListField, "user list field", MigrateUser => "MigrateUser", Mode => "Mode", CommonName => "Common-Name");

/// Which MS Mail users a wizard step takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Chosen {
    /// Every user, in post office order.
    #[default]
    All,
    /// These users, in this order.
    These(Vec<MsMailAddress>),
    /// The rows of the user list with `MigrateUser` = `Y`, in list order (OP-IMPORT).
    UserList,
}

/// One run of the Migration Wizard: which version, which step, for whom, into which
/// container, run by whom and how.
///
/// ```
/// use migwiz::{Operation, Phase, Version};
/// use migwiz::vocabulary::operation::{Chosen, WizardRun};
/// let run = WizardRun { users: Chosen::UserList, ..WizardRun::new(Version::V55, Phase::Full) };
/// assert_eq!(Operation::Wizard(run).to_string(), "wizard 5.5 full from the user list");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WizardRun {
    /// Which version runs.
    pub version: Version,
    /// Which step.
    pub phase: Phase,
    /// The users it takes.
    pub users: Chosen,
    /// The container step one creates mailboxes in, and 5.0 expects them in (A-CONT);
    /// `None` when the step names none: each half knows which container is the default.
    pub container: Option<Container>,
    /// Who runs it.
    pub operator: Operator,
    /// Wizard or command line.
    pub mode: Mode,
    /// Whether step two migrates Schedule+ data (B-SCHED; `schedule = true` outside
    /// batch, default false).
    pub schedule: bool,
}

impl WizardRun {
    /// A run for every user, into the default container, by the default operator, in
    /// wizard mode.
    pub fn new(version: Version, phase: Phase) -> WizardRun {
        WizardRun {
            version,
            phase,
            users: Chosen::All,
            container: None,
            operator: Operator::default(),
            mode: Mode::default(),
            schedule: false,
        }
    }
}

/// One step of a scenario: an administrator's action, a client's logon, directory
/// synchronisation, the MS Mail side, the user list, or a wizard run.
///
/// `Debug` prints the compact [`Display`](fmt::Display) form, so a shrunk failing sequence
/// reads like a list of steps.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Operation {
    /// OP-CREATE: an administrator creates a mailbox.
    CreateMailbox {
        /// Its alias.
        alias: Alias,
        /// Display name.
        name: Option<String>,
        /// Its container (A-CONT); `None` when the step names none (the default).
        container: Option<Container>,
        /// Its directory name, if not its alias (A-DN).
        directory_name: Option<Alias>,
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
        /// Its container (A-CONT); `None` when the step names none (the default).
        container: Option<Container>,
    },
    /// OP-CLIENT: an MS Mail user opens or closes the MS Mail Windows client.
    MsMailClient {
        /// The MS Mail user.
        user: MsMailAddress,
        /// Open (true) or closed.
        open: bool,
    },
    /// OP-RECOVER: the MS Mail administrator recovers a user's password.
    RecoverPassword {
        /// The MS Mail user.
        user: MsMailAddress,
    },
    /// OP-DELIVER: new mail arrives for an MS Mail user.
    Deliver {
        /// The MS Mail user.
        user: MsMailAddress,
        /// How many messages.
        messages: u32,
        /// Their date, if they carry one (F-DATE).
        date: Option<MailDate>,
    },
    /// OP-EXTRACT: two-step migration's first step writes the user list.
    ExtractUserList {
        /// The version whose columns it writes.
        version: Version,
        /// The users it lists; `None` is every user.
        users: Option<Vec<MsMailAddress>>,
    },
    /// OP-EDIT: the administrator sets one field of one row.
    EditUserList {
        /// The row's MS Mail user.
        user: MsMailAddress,
        /// The field.
        field: ListField,
        /// The value, as written (checked when the step runs).
        value: String,
    },
    /// OP-STEP1, OP-STEP2, OP-FULL, OP-IMPORT: the Migration Wizard.
    Wizard(WizardRun),
    /// OP-MAILMIG: the administrator runs `mailmig` with a command line (RULES-PART4.md).
    Mailmig {
        /// The version of `mailmig.exe`.
        version: Version,
        /// The switches after `mailmig`, as typed: `/C:… /A:… /P:… /S`.
        command: String,
    },
    /// OP-FILE: the administrator replaces a file's whole text.
    WriteFile {
        /// The file.
        path: WinPath,
        /// Its new text.
        text: String,
    },
    /// OP-FILE: the administrator sets one field of one row of a user list file.
    EditFile {
        /// The file.
        path: WinPath,
        /// The row's `SFS_UserName`, compared without case.
        user: String,
        /// The field.
        field: CsvField,
        /// The value, as written.
        value: String,
    },
}

impl Operation {
    /// An administrator's mailbox in the default container, named by its alias.
    pub fn create_mailbox(alias: Alias) -> Operation {
        Operation::CreateMailbox {
            alias,
            name: None,
            container: None,
            directory_name: None,
        }
    }

    /// A custom recipient in the default container.
    pub fn custom_recipient(alias: Alias, address: MsMailAddress) -> Operation {
        Operation::CustomRecipient {
            alias,
            address,
            container: None,
        }
    }

    /// The wizard for every user, into `Recipients`, with the default operator and mode.
    pub fn wizard(version: Version, phase: Phase) -> Operation {
        Operation::Wizard(WizardRun::new(version, phase))
    }

    /// The scenario-file word for the operation (`create-mailbox`, `wizard`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Operation::CreateMailbox { .. } => "create-mailbox",
            Operation::Logon { .. } => "logon",
            Operation::AddProxy { .. } => "add-proxy",
            Operation::RemoveProxy { .. } => "remove-proxy",
            Operation::CustomRecipient { .. } => "custom-recipient",
            Operation::MsMailClient { .. } => "msmail-client",
            Operation::RecoverPassword { .. } => "recover-password",
            Operation::Deliver { .. } => "deliver",
            Operation::ExtractUserList { .. } => "extract-user-list",
            Operation::EditUserList { .. } => "edit-user-list",
            Operation::Wizard(_) => "wizard",
            Operation::Mailmig { .. } => "mailmig",
            Operation::WriteFile { .. } => "write-file",
            Operation::EditFile { .. } => "edit-file",
        }
    }

    /// The same operation with the version of every wizard step and user list extraction
    /// replaced by `version` (`--version`).
    pub fn with_version(&self, version: Version) -> Operation {
        match self {
            Operation::Wizard(run) => Operation::Wizard(WizardRun {
                version,
                ..run.clone()
            }),
            Operation::ExtractUserList { users, .. } => Operation::ExtractUserList {
                version,
                users: users.clone(),
            },
            Operation::Mailmig { command, .. } => Operation::Mailmig {
                version,
                command: command.clone(),
            },
            other => other.clone(),
        }
    }
}

/// The most users a step's one line names; the rest are counted. A step may name 10^5
/// users, and its line is printed in every transcript (issue 25, item 3).
pub const MOST_NAMED: usize = 10;

fn list(users: &[MsMailAddress]) -> String {
    let names: Vec<String> = users
        .iter()
        .take(MOST_NAMED)
        .map(ToString::to_string)
        .collect();
    match users.len().checked_sub(MOST_NAMED) {
        Some(more) if more > 0 => format!("[{}, … and {more} more]", names.join(", ")),
        _ => format!("[{}]", names.join(", ")),
    }
}

/// One line per step: `create-mailbox JDOE`, `wizard 5.5 migrate [NET1/PO1/JDOE]`, …
impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        match self {
            Operation::CreateMailbox {
                alias,
                container,
                directory_name,
                ..
            } => {
                write!(f, " {alias}")?;
                if let Some(container) = container {
                    write!(f, " in {container}")?;
                }
                match directory_name {
                    Some(dn) => write!(f, " (directory name {dn})"),
                    None => Ok(()),
                }
            }
            Operation::Logon { alias, language } => write!(f, " {alias} {language}"),
            Operation::AddProxy { alias, address } | Operation::RemoveProxy { alias, address } => {
                write!(f, " {alias} {address}")
            }
            Operation::CustomRecipient {
                alias,
                address,
                container,
            } => {
                write!(f, " {alias} MS:{address}")?;
                match container {
                    Some(container) => write!(f, " in {container}"),
                    None => Ok(()),
                }
            }
            Operation::MsMailClient { user, open } => {
                write!(f, " {user} {}", if *open { "open" } else { "closed" })
            }
            Operation::RecoverPassword { user } => write!(f, " {user}"),
            Operation::Deliver {
                user,
                messages,
                date,
            } => {
                write!(f, " {user} {messages}")?;
                match date {
                    Some(date) => write!(f, " dated {date}"),
                    None => Ok(()),
                }
            }
            Operation::Mailmig { version, command } => {
                write!(f, " {version} {}", crate::vocabulary::shown(command))
            }
            Operation::WriteFile { path, text } => write!(
                f,
                " {} ({} characters)",
                crate::vocabulary::shown(path.as_str()),
                text.chars().count()
            ),
            Operation::EditFile {
                path,
                user,
                field,
                value,
            } => write!(
                f,
                " {} {} {field} {}",
                crate::vocabulary::shown(path.as_str()),
                crate::vocabulary::shown(user),
                crate::vocabulary::shown(value)
            ),
            Operation::ExtractUserList { version, users } => match users {
                None => write!(f, " {version} (all users)"),
                Some(users) => write!(f, " {version} {}", list(users)),
            },
            Operation::EditUserList { user, field, value } => {
                write!(f, " {user} {field} {}", crate::vocabulary::shown(value))
            }
            Operation::Wizard(run) => fmt_run(f, run),
        }
    }
}

/// A wizard step's words after its name: version, phase, users, container, operator,
/// mode, schedules.
fn fmt_run(f: &mut fmt::Formatter<'_>, run: &WizardRun) -> fmt::Result {
    write!(f, " {} {}", run.version, run.phase)?;
    match &run.users {
        Chosen::All => write!(f, " (all users)")?,
        Chosen::These(users) => write!(f, " {}", list(users))?,
        Chosen::UserList => write!(f, " from the user list")?,
    }
    if let Some(container) = &run.container {
        write!(f, " into {container}")?;
    }
    if run.operator != Operator::default() {
        write!(f, " as {}", run.operator)?;
    }
    if run.mode == Mode::CommandLine {
        write!(f, " on the command line")?;
    }
    match run.schedule {
        true => write!(f, " with schedules"),
        false => Ok(()),
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_debugs_as_it_displays() {
        // proptest prints shrunk sequences with Debug: they must read as steps.
        let op = Operation::wizard(Version::V55, Phase::Migrate);
        assert!(!op.to_string().is_empty());
        assert_eq!(format!("{op:?}"), op.to_string());
    }

    #[test]
    fn a_long_list_of_users_is_named_in_part_and_counted() {
        let users: Vec<MsMailAddress> = (0..12)
            .map(|i| format!("N/P/U{i}").parse().unwrap())
            .collect();
        let line = Operation::ExtractUserList {
            version: Version::V55,
            users: Some(users.clone()),
        }
        .to_string();
        assert!(line.ends_with("N/P/U9, … and 2 more]"), "{line}");
        let ten = Operation::ExtractUserList {
            version: Version::V55,
            users: Some(users[..10].to_vec()),
        };
        assert!(ten.to_string().ends_with("N/P/U9]"), "{ten}");
    }
}
