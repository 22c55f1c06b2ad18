//! The Windows NT application event log (rule A-LOG), and the entries the wizard writes to
//! it: 7026 (W-7026, Q242184), 147 (W-CONT, Q152330), 7007 (W-7007, Q168606), 7044
//! (W-7044, Q255888), 7034 (W-7034, Q169130), 7032 (B-7032, B-HOME, Q180876) and the
//! summary 10068 (W-10068, Q169130).

use std::fmt::Write as _;

use crate::vocabulary::event::Event;

/// Every wizard event's source, type and category, with its id and text.
fn wizard(id: u32, kind: &'static str, description: String) -> Event {
    Event {
        id,
        source: "MSExchangeMig",
        kind,
        category: "None",
        description: description.into(),
    }
}

/// Event 7026 exactly as Q242184 SYMPTOMS quotes it (W-7026).
///
/// ```
/// let e = migwiz::server::eventlog::mapi_logon_failure();
/// assert_eq!((e.id, e.kind), (7026, "Error"));
/// assert_eq!(&*e.description, "Migration Aborted due to Mapi logon failure.");
/// ```
pub fn mapi_logon_failure() -> Event {
    wizard(
        7026,
        "Error",
        "Migration Aborted due to Mapi logon failure.".to_string(),
    )
}

/// Event 147: the mailbox is in another recipients container (W-CONT, Q152330).
pub fn message_store_logon_failure(mailbox_name: &str) -> Event {
    wizard(
        147,
        "Error",
        format!("Could not log onto the Message Store for Account: {mailbox_name}"),
    )
}

/// Event 7007: the MMF is locked or its password out of step (W-7007, Q168606).
///
/// ```
/// let e = migwiz::server::eventlog::mmf_failure("JDOE", r"\\MAILSRV\MAILDATA");
/// assert_eq!(&*e.description, r"Could not migrate MMF file for Account: JDOE. MMF Path '\\MAILSRV\MAILDATA\MMF\JDOE.MMF'");
/// ```
pub fn mmf_failure(mailbox_name: &str, postoffice_path: &str) -> Event {
    let file = format!("{postoffice_path}\\MMF\\{mailbox_name}.MMF");
    wizard(
        7007,
        "Error",
        format!("Could not migrate MMF file for Account: {mailbox_name}. MMF Path '{file}'"),
    )
}

/// Event 7044: a Service Account Admin migrating more than one user (W-7044, Q255888).
pub fn spooler_failure(mailbox_name: &str) -> Event {
    wizard(
        7044,
        "Error",
        format!("Internal failure communicating with MAPI Spooler. Account {mailbox_name}. Return code 80004005."),
    )
}

/// Event 7034: 5.5 before SP1 from the command line with a user list (W-7034, Q169130).
pub fn user_not_found(mailbox_name: &str, postoffice: &str) -> Event {
    wizard(
        7034,
        "Error",
        format!("User {mailbox_name} not found in the postoffice {postoffice}."),
    )
}

/// Event 7032: a user list row whose Home-Server the wizard cannot use (B-HOME), or 5.5's
/// reading of the header line as a user (B-7032, Q180876).
pub fn invalid_home_server(user: &str) -> Event {
    wizard(
        7032,
        "Error",
        format!("Invalid Home Server definition in user list file for user \"{user}\""),
    )
}

/// What one wizard step did, as its summary counts it (W-10068).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Users the step reached.
    pub reached: u32,
    /// Events 7007 and 7034.
    pub extraction_errors: u32,
    /// Waiting messages of the users whose step two got past extraction.
    pub messages_extracted: u64,
    /// Mailboxes created.
    pub mailboxes_created: u32,
    /// Messages moved into mailboxes.
    pub messages_imported: u64,
    /// Events 7026, 147 and 7044.
    pub import_errors: u32,
}

/// Event 10068: the summary every wizard step ends with, in Q169130's layout (W-10068).
///
/// ```
/// use migwiz::server::eventlog::{summary, Summary};
/// let e = summary(r"\\MAILSRV\MAILDATA", &Summary { reached: 1, messages_extracted: 3, messages_imported: 3, ..Summary::default() });
/// assert_eq!(e.kind, "Information");
/// assert!(e.description.starts_with(r"The 'Migration ' of mail from 'Microsoft Mail - \\MAILSRV\MAILDATA' completed with the following results:"));
/// assert!(e.description.contains("Import:\n  Accounts: 0\n  Public folders: 0\n  E-Mail Messages: 3"));
/// ```
pub fn summary(postoffice_path: &str, s: &Summary) -> Event {
    let mut text = format!("The 'Migration ' of mail from 'Microsoft Mail - {postoffice_path}' completed with the following results:\n");
    let extracted = s.reached - s.extraction_errors;
    let _ = write!(
        text,
        "Extraction:\n  Start Time: 00:00:00\n  Elapsed Time: 00:00:00\n  Accounts: {extracted}\n  Shared folders: 0\n  E-Mail Messages: {}\n  PABs: 0\n  Warnings: 0\n  Errors: {}\n",
        s.messages_extracted, s.extraction_errors
    );
    let _ = write!(
        text,
        "Import:\n  Accounts: {}\n  Public folders: 0\n  E-Mail Messages: {}\n  PABs: 0\n  Warnings: 0\n  Errors: {}",
        s.mailboxes_created, s.messages_imported, s.import_errors
    );
    wizard(10068, "Information", text)
}

/// The application event log: entries in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventLog {
    entries: Vec<Event>,
}

impl EventLog {
    /// Appends an entry.
    pub fn write(&mut self, event: Event) {
        self.entries.push(event);
    }

    /// The entries, oldest first, taken out of the log.
    pub fn into_entries(self) -> Vec<Event> {
        self.entries
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[Event] {
        &self.entries
    }
}
