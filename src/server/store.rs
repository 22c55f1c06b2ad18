//! The information store: each mailbox's default folders and the mail in its Inbox
//! (rules A-STORE, A-LANG).
//!
//! A mailbox has no folders until somebody opens it; the first client to open it names the
//! folders in its own language and the names stay (Q188856). Mail is filed by folder
//! identity, not name, so migrated mail reaches the Inbox whatever it is called.

use crate::server::directory::MailboxId;
use crate::server::postoffice::Messages;
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::language::Language;

/// The default folder names a client speaking `language` creates, in the order Inbox,
/// Outbox, Sent Items, Deleted Items (A-LANG; Spanish as Q242184's Mexico example).
///
/// ```
/// use migwiz::{server::store::folder_names, Language};
/// assert_eq!(folder_names(Language::Spanish)[0], "Bandeja de entrada");
/// ```
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

/// One mailbox's part of the store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct MailboxStore {
    /// The language the folders were created in; `None` until the first logon.
    folders: Option<Language>,
    /// The Inbox, by identity: migrated mail goes here (A-STORE).
    inbox: Vec<Messages>,
    /// The schedules migrated into the mailbox (F-SCHED).
    schedules: Vec<Schedule>,
}

/// A Schedule+ file migrated into a mailbox (B-SCHED, B-SCHED-50).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Whose it was.
    pub owner: MsMailAddress,
    /// The calendar message's attachment, `00000001.scd`, when the version sent one.
    pub message: Option<String>,
}

/// A mailbox opened by a logon: its default folders exist.
#[derive(Debug)]
pub struct OpenMailbox<'a> {
    created: bool,
    mailbox: &'a mut MailboxStore,
}

impl OpenMailbox<'_> {
    /// Whether this logon created the default folders.
    pub fn created_folders(&self) -> bool {
        self.created
    }

    /// Files messages into the Inbox, whatever its name (A-STORE).
    pub fn deliver_to_inbox(&mut self, messages: Vec<Messages>) {
        self.mailbox.inbox.extend(messages);
    }

    /// Files a migrated schedule, and its calendar message in the Inbox if it has one.
    pub fn file_schedule(&mut self, schedule: Schedule) {
        self.mailbox.schedules.push(schedule);
    }
}

/// The information store of the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InformationStore {
    /// By [`MailboxId::slot`]: a mailbox never opened (or a custom recipient's id) has
    /// no folders and no mail. The last slot is always an opened mailbox's, so two stores
    /// holding the same mailboxes are equal.
    mailboxes: Vec<MailboxStore>,
}

impl InformationStore {
    /// Opens a mailbox as a client speaking `language` would (A-STORE, Q188856):
    /// creates the default folders in that language if they do not exist yet.
    ///
    /// Mail can only be filed through the returned handle, so no mail lands in a mailbox
    /// whose folders do not exist.
    pub fn open(&mut self, mailbox: MailboxId, language: Language) -> OpenMailbox<'_> {
        let slot = mailbox.slot();
        if slot >= self.mailboxes.len() {
            self.mailboxes.resize_with(slot + 1, MailboxStore::default);
        }
        let entry = &mut self.mailboxes[slot];
        let created = entry.folders.is_none();
        if created {
            entry.folders = Some(language);
        }
        OpenMailbox {
            created,
            mailbox: entry,
        }
    }

    /// The language the mailbox's folders were named in, if they exist.
    pub fn folder_language(&self, mailbox: MailboxId) -> Option<Language> {
        self.mailboxes.get(mailbox.slot()).and_then(|m| m.folders)
    }

    /// The messages in the mailbox's Inbox.
    pub fn inbox(&self, mailbox: MailboxId) -> &[Messages] {
        self.mailboxes.get(mailbox.slot()).map_or(&[], |m| &m.inbox)
    }

    /// The schedules migrated into the mailbox.
    pub fn schedules(&self, mailbox: MailboxId) -> &[Schedule] {
        self.mailboxes
            .get(mailbox.slot())
            .map_or(&[], |m| &m.schedules)
    }

    /// Every message in the store, in any mailbox.
    pub fn all_messages(&self) -> impl Iterator<Item = &Messages> {
        self.mailboxes.iter().flat_map(|m| &m.inbox)
    }
}
