//! What can be seen of a world from outside: the directory with proxies, folders and where
//! each message is, the mail still waiting in MS Mail, and the event log.
//!
//! The reference model and the implementation both produce an [`Observation`] after every
//! step; the state machine test holds them equal, and the run report prints it.

use std::collections::HashMap;

use serde::Serialize;

use crate::vocabulary::event::Event;
use crate::vocabulary::language::Language;

/// The whole observable state, in the run report's shape (`SCENARIO-FORMAT.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Observation {
    /// The application event log, oldest first.
    pub events: Vec<Event>,
    /// Mailboxes in creation order.
    pub mailboxes: Vec<MailboxView>,
    /// Custom recipients in creation order.
    pub custom_recipients: Vec<CustomRecipientView>,
    /// Every MS Mail user, in post office order, with the mail still waiting.
    pub msmail: Vec<WaitingView>,
    /// The user list (A-LIST), once one was extracted.
    pub user_list: Option<Vec<UserListRow>>,
    /// The administrator's files (F-FILES), sorted by path without case; left out of the
    /// JSON report when there are none, so that a part 1 to 3 report is unchanged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileView>,
}

/// One of the administrator's files at the end of a run (SCENARIO-FORMAT-4.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FileView {
    /// Its path as first written.
    pub path: String,
    /// Its whole text.
    pub text: String,
}

/// Dated messages of one date still waiting (F-DATE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct DatedView {
    /// `YYYYMMDDHHMMSS`.
    pub date: String,
    /// How many.
    pub count: u32,
}

/// Where one MS Mail user's mail is: still waiting, and in which mailboxes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailPlaces {
    /// Messages still in MS Mail.
    pub waiting: u32,
    /// Mailboxes holding migrated messages of the user, with how many, in mailbox order.
    pub mailboxes: Vec<(String, u32)>,
}

impl Observation {
    /// Where every owner's mail is, gathered in one pass: linear in the world's size.
    pub fn mail_places(&self) -> HashMap<&str, MailPlaces> {
        let mut places: HashMap<&str, MailPlaces> = HashMap::with_capacity(self.msmail.len());
        for w in &self.msmail {
            places.entry(&w.address).or_default().waiting += w.waiting;
        }
        for m in &self.mailboxes {
            for mail in m.mail.iter().filter(|mail| !mail.calendar) {
                let entry = places.entry(&mail.owner).or_default();
                entry.mailboxes.push((m.alias.clone(), mail.count));
            }
        }
        places
    }

    /// Where `owner`'s mail is (`owner` as `NET/PO/MAILBOX`).
    pub fn mail_of(&self, owner: &str) -> MailPlaces {
        let mut places = MailPlaces::default();
        for w in &self.msmail {
            if w.address == owner {
                places.waiting += w.waiting;
            }
        }
        for m in &self.mailboxes {
            for mail in m.mail.iter().filter(|mail| !mail.calendar) {
                if mail.owner == owner {
                    places.mailboxes.push((m.alias.clone(), mail.count));
                }
            }
        }
        places
    }
}

/// One mailbox as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MailboxView {
    /// Alias.
    pub alias: String,
    /// Its recipients container (A-CONT).
    pub container: String,
    /// Its directory name (A-DN).
    pub directory_name: String,
    /// Proxy addresses in the order they were added; upper-case type = primary.
    pub proxies: Vec<String>,
    /// Default folder names; empty until the mailbox is first opened.
    pub folders: Vec<&'static str>,
    /// The language the folders were named in, once they exist (not part of the JSON
    /// report, which shows the names).
    #[serde(skip)]
    pub folder_language: Option<Language>,
    /// Migrated mail, per folder and owner, sorted by folder then owner.
    pub mail: Vec<MailView>,
    /// The MS Mail user the wizard created the mailbox for (not part of the JSON report).
    #[serde(skip)]
    pub created_for: Option<String>,
    /// Whether its owner's schedule was migrated into it (F-SCHED); left out of the JSON
    /// report when false.
    #[serde(skip_serializing_if = "is_false")]
    pub calendar: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Migrated messages of one owner in one folder, or the wizard's calendar message
/// (B-SCHED).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailView {
    /// Folder name, in the language the folders were created in.
    pub folder: &'static str,
    /// The MS Mail user the messages belong to; empty for the calendar message, which is
    /// the wizard's and no MS Mail user's (the report writes `null`).
    pub owner: String,
    /// How many.
    pub count: u32,
    /// The calendar message `Migrated Calendar Information` (B-SCHED); its attachment's
    /// name is `attachment`.
    pub calendar: bool,
    /// The calendar message's attachment, `00000001.scd` (not part of the JSON report).
    pub attachment: Option<String>,
}

/// `{"folder", "owner", "count"}`, and for the calendar message `"owner": null` and
/// `"calendar": true` (SCENARIO-FORMAT-4.md).
impl Serialize for MailView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("folder", self.folder)?;
        match self.calendar {
            true => map.serialize_entry("owner", &None::<&str>)?,
            false => map.serialize_entry("owner", &self.owner)?,
        }
        map.serialize_entry("count", &self.count)?;
        if self.calendar {
            map.serialize_entry("calendar", &true)?;
        }
        map.end()
    }
}

/// One custom recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CustomRecipientView {
    /// Alias.
    pub alias: String,
    /// Its primary address, `MS:NET/PO/MAILBOX`.
    pub address: String,
    /// Its recipients container (A-CONT).
    pub container: String,
}

/// One MS Mail user's waiting mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct WaitingView {
    /// The user's address.
    pub address: String,
    /// Messages still in MS Mail.
    pub waiting: u32,
    /// `"open"` while the MS Mail client holds the MMF (A-MMF), else `"closed"`.
    pub client: &'static str,
    /// False after a password recovery, until the user logs on and off (A-MMF).
    pub password_in_step: bool,
    /// Messages that arrived after the start (OP-DELIVER); not part of the JSON report.
    #[serde(skip)]
    pub received: u32,
    /// The waiting dated messages, sorted by date (F-DATE); left out of the JSON report
    /// when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dated: Vec<DatedView>,
}

/// One row of the user list (A-LIST), with the column names of Q150438 as its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct UserListRow {
    /// The MS Mail user the row stands for (not a column of the file).
    #[serde(skip)]
    pub user: String,
    /// The MS Mail mailbox name.
    #[serde(rename = "SFS_UserName")]
    pub sfs_user_name: String,
    /// The user's full name.
    #[serde(rename = "SFS_FullName")]
    pub sfs_full_name: String,
    /// `Y` or `N`.
    #[serde(rename = "MigrateUser")]
    pub migrate_user: String,
    /// `Mailbox`.
    #[serde(rename = "Obj-Class")]
    pub obj_class: String,
    /// `Create`, or empty for an update (Q186742).
    #[serde(rename = "Mode")]
    pub mode: String,
    /// The directory name the mailbox gets.
    #[serde(rename = "Common-Name")]
    pub common_name: String,
    /// The display name.
    #[serde(rename = "Display-Name")]
    pub display_name: String,
    /// `~SERVER`.
    #[serde(rename = "Home-Server")]
    pub home_server: String,
    /// 5.5 and SP1: `migrate:MS:NET/PO/MAILBOX` (Q182665); 5.0 lists have no such column.
    #[serde(
        rename = "Secondary-Proxy-Addresses",
        skip_serializing_if = "Option::is_none"
    )]
    pub secondary_proxy_addresses: Option<String>,
}
