//! What can be seen of a world from outside: the directory with proxies, folders and where
//! each message is, the mail still waiting in MS Mail, and the event log.
//!
//! The reference model and the implementation both produce an [`Observation`] after every
//! step; the state machine test holds them equal, and the run report prints it.

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
    /// Where `owner`'s mail is (`owner` as `NET/PO/MAILBOX`).
    pub fn mail_of(&self, owner: &str) -> MailPlaces {
        let mut places = MailPlaces::default();
        for w in &self.msmail {
            if w.address == owner {
                places.waiting += w.waiting;
            }
        }
        for m in &self.mailboxes {
            for mail in &m.mail {
                if mail.owner == owner {
                    places.mailboxes.push((m.alias.clone(), mail.count));
                }
            }
        }
        places
    }
}

/// One mailbox as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxView {
    /// Alias.
    pub alias: String,
    /// Proxy addresses in the order they were added; upper-case type = primary.
    pub proxies: Vec<String>,
    /// Default folder names; empty until the mailbox is first opened.
    pub folders: Vec<String>,
    /// The language the folders were named in, once they exist (not part of the JSON
    /// report, which shows the names).
    #[serde(skip)]
    pub folder_language: Option<Language>,
    /// Migrated mail, per folder and owner, sorted by folder then owner.
    pub mail: Vec<MailView>,
    /// The MS Mail user the wizard created the mailbox for (not part of the JSON report).
    #[serde(skip)]
    pub created_for: Option<String>,
}

/// Migrated messages of one owner in one folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailView {
    /// Folder name, in the language the folders were created in.
    pub folder: String,
    /// The MS Mail user the messages belong to.
    pub owner: String,
    /// How many.
    pub count: u32,
}

/// One custom recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomRecipientView {
    /// Alias.
    pub alias: String,
    /// Its primary address, `MS:NET/PO/MAILBOX`.
    pub address: String,
}

/// One MS Mail user's waiting mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingView {
    /// The user's address.
    pub address: String,
    /// Messages still in MS Mail.
    pub waiting: u32,
}
