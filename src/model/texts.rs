//! The words the rules fix, stated again for the model: the site addresses (A-SITE), the
//! folder names of every language (A-LANG), and the texts of the wizard's events (W-7026,
//! W-CONT, W-7007, W-7044, W-7034, W-10068). The server has its own copies; the state
//! machine test holds the two equal.

use crate::vocabulary::address::Site;
use crate::vocabulary::event::Event;
use crate::vocabulary::language::Language;

/// A-LANG: the default folders a client creates, Inbox first, in its language.
pub fn folder_names(language: Language) -> [&'static str; 4] {
    match language {
        Language::English => ["Inbox", "Outbox", "Sent Items", "Deleted Items"],
        Language::Spanish => [
            "Bandeja de entrada",
            "Bandeja de salida",
            "Elementos enviados",
            "Elementos eliminados",
        ],
        Language::French => [
            "Boîte de réception",
            "Boîte d'envoi",
            "Éléments envoyés",
            "Éléments supprimés",
        ],
        Language::German => [
            "Posteingang",
            "Postausgang",
            "Gesendete Objekte",
            "Gelöschte Objekte",
        ],
    }
}

/// A-SITE: a new mailbox's SMTP, MS and X400 addresses; `n` above 1 is appended to make a
/// taken one free. The MS name is the alias's letters and digits, upper case, at most 10
/// characters with the number (A-MS).
pub fn site_addresses(site: &Site, alias: &str, n: u32) -> [String; 3] {
    let number = if n > 1 { n.to_string() } else { String::new() };
    let mut name = String::new();
    for c in alias.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        }
    }
    if name.is_empty() {
        name = "MAILBOX".to_string();
    }
    while name.len() + number.len() > 10 {
        name.pop();
    }
    let (org, site_name, domain) = (site.organization(), site.site(), site.smtp_domain());
    // `concat` sizes each text once: a mailbox is created on many edges of a check.
    [
        ["SMTP:", alias, &number, "@", domain].concat(),
        ["MS:", org, "/", site_name, "/", &name, &number].concat(),
        [
            "X400:c=US;a= ;p=",
            org,
            ";o=",
            site_name,
            ";s=",
            alias,
            &number,
            ";",
        ]
        .concat(),
    ]
}

/// An event of the wizard: source MSExchangeMig, category None.
fn wizard_event(id: u32, kind: &'static str, description: String) -> Event {
    Event {
        id,
        source: "MSExchangeMig",
        kind,
        category: "None",
        description: description.into(),
    }
}

/// W-7026: the event Q242184 SYMPTOMS quotes.
pub fn event_7026() -> Event {
    wizard_event(
        7026,
        "Error",
        "Migration Aborted due to Mapi logon failure.".to_string(),
    )
}

/// W-CONT: event 147 of Q152330.
pub fn event_147(mailbox_name: &str) -> Event {
    wizard_event(
        147,
        "Error",
        format!("Could not log onto the Message Store for Account: {mailbox_name}"),
    )
}

/// W-7007: event 7007 of Q168606, with the MMF's path.
pub fn event_7007(mailbox_name: &str, path: &str) -> Event {
    wizard_event(
        7007,
        "Error",
        format!("Could not migrate MMF file for Account: {mailbox_name}. MMF Path '{path}\\MMF\\{mailbox_name}.MMF'"),
    )
}

/// W-7044: event 7044 of Q255888.
pub fn event_7044(mailbox_name: &str) -> Event {
    wizard_event(
        7044,
        "Error",
        format!("Internal failure communicating with MAPI Spooler. Account {mailbox_name}. Return code 80004005."),
    )
}

/// W-7034: event 7034 of Q169130.
pub fn event_7034(mailbox_name: &str, postoffice: &str) -> Event {
    wizard_event(
        7034,
        "Error",
        format!("User {mailbox_name} not found in the postoffice {postoffice}."),
    )
}

/// B-7032, B-HOME: event 7032 of Q180876, naming the user it read.
pub fn event_7032(user: &str) -> Event {
    wizard_event(
        7032,
        "Error",
        format!("Invalid Home Server definition in user list file for user \"{user}\""),
    )
}

/// B-REQUIRED, after Q234057's wording.
pub fn required(keyword: &str) -> String {
    format!(
        "Required keyword '{}', is missing in the control file.",
        keyword.to_lowercase()
    )
}

/// B-VALUES.
pub fn invalid(value: &str, keyword: &str) -> String {
    format!("Invalid value '{value}' for keyword '{keyword}'.")
}

/// B-STOP: a file the run needs is not there.
pub fn cannot_open(path: &str) -> String {
    format!("Cannot open the file '{path}'.")
}

/// F-CSV: a file that is not a user list.
pub fn not_a_user_list(path: &str, line: usize, column: usize, what: &str) -> String {
    format!("The file '{path}' is not a user list: line {line}, column {column}: {what}.")
}

/// B-UNNEEDED's warning, after Q329271's wording.
pub fn unnecessary(keyword: &str) -> String {
    format!("Unnecessary keyword '{keyword},' found in control file. The keyword will be ignored.")
}

/// B-MODE: the mail system each mode Q198957 lists migrates, none of which this world
/// holds but MS Mail.
pub fn mode_system(mode: &str) -> Option<&'static str> {
    let systems = [
        ("FILE", "migration files from another source extractor"),
        ("CCMAIL", "Lotus cc:Mail"),
        ("COLLABRA", "Collabra Share"),
        ("GRPWISE", "Novell GroupWise"),
        ("NOTES", "Lotus Notes"),
        ("GRPWISE5", "Novell GroupWise 5.x"),
        ("ADSI", "an LDAP directory"),
        ("IMAP", "an IMAP4 server"),
    ];
    for (name, system) in systems {
        if name.eq_ignore_ascii_case(mode) {
            return Some(system);
        }
    }
    None
}

/// B-MODE: a mode migwiz does not model.
pub fn mode_not_modelled(mode: &str, system: &str) -> String {
    format!("Mode '{mode}' migrates {system}, which migwiz does not model; use Mode,MSMAILPC.")
}

/// The counts of a wizard step's summary (W-10068).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// Users the step reached, less extraction errors.
    pub accounts_extracted: u32,
    /// Waiting messages of the users whose step two got past extraction.
    pub messages_extracted: u64,
    /// Events 7007 and 7034.
    pub extraction_errors: u32,
    /// Mailboxes created.
    pub mailboxes_created: u32,
    /// Messages moved into mailboxes.
    pub messages_imported: u64,
    /// Events 7026, 147 and 7044.
    pub import_errors: u32,
}

/// W-10068: the summary every wizard step logs last, in the layout of Q169130.
pub fn event_10068(path: &str, c: &Counts) -> Event {
    let text = format!(
        concat!(
            "The 'Migration ' of mail from 'Microsoft Mail - {path}' completed with the following results:\n",
            "Extraction:\n",
            "  Start Time: 00:00:00\n",
            "  Elapsed Time: 00:00:00\n",
            "  Accounts: {accounts_extracted}\n",
            "  Shared folders: 0\n",
            "  E-Mail Messages: {messages_extracted}\n",
            "  PABs: 0\n",
            "  Warnings: 0\n",
            "  Errors: {extraction_errors}\n",
            "Import:\n",
            "  Accounts: {mailboxes_created}\n",
            "  Public folders: 0\n",
            "  E-Mail Messages: {messages_imported}\n",
            "  PABs: 0\n",
            "  Warnings: 0\n",
            "  Errors: {import_errors}",
        ),
        path = path,
        accounts_extracted = c.accounts_extracted,
        messages_extracted = c.messages_extracted,
        extraction_errors = c.extraction_errors,
        mailboxes_created = c.mailboxes_created,
        messages_imported = c.messages_imported,
        import_errors = c.import_errors,
    );
    wizard_event(10068, "Information", text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_numbered_ms_name_is_cut_to_10_characters_exactly() {
        let site = crate::vocabulary::address::Site::default();
        let ms = |alias: &str, n: u32| super::site_addresses(&site, alias, n)[1].clone();
        let org_site = ms("X", 1).trim_end_matches('X').to_string(); // "MS:ORG/SITE/"
        assert_eq!(ms("ABCDEFGHIJ", 1), format!("{org_site}ABCDEFGHIJ"));
        assert_eq!(ms("ABCDEFGHIJ", 2), format!("{org_site}ABCDEFGHI2"));
        assert_eq!(ms("ABCDEFGHIJ", 10), format!("{org_site}ABCDEFGH10"));
        assert_eq!(ms("ABCDEFGHI", 2), format!("{org_site}ABCDEFGHI2"));
    }
}
