//! The information store: each mailbox's default folders and the mail in them
//! (rules A-STORE, A-LANG).
//!
//! A mailbox has no folders until somebody opens it; the first client to open it names the
//! folders in its own language and the names stay (Q188856). Mail is filed by folder
//! identity, not name, so migrated mail reaches the Inbox whatever it is called.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::directory::MailboxId;
use crate::postoffice::Message;

/// A client or server language (A-LANG).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English: Inbox, Outbox, Sent Items, Deleted Items. The default server language.
    #[default]
    English,
    /// Spanish, as Q242184's Mexico example: Bandeja de entrada, …
    Spanish,
    /// French.
    French,
    /// German.
    German,
}

impl Language {
    /// Every language the model knows, English first.
    pub const ALL: [Language; 4] = [
        Language::English,
        Language::Spanish,
        Language::French,
        Language::German,
    ];

    /// The scenario-file word for the language.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::Spanish => "spanish",
            Language::French => "french",
            Language::German => "german",
        }
    }

    /// The default folder names in this language, in [`Folder`] order: Inbox, Outbox, Sent Items, Deleted Items (A-LANG).
    ///
    /// ```
    /// use migwiz::store::Language;
    /// assert_eq!(Language::Spanish.folder_names()[0], "Bandeja de entrada");
    /// ```
    pub fn folder_names(self) -> [&'static str; 4] {
        match self {
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

    /// The name of one default folder in this language.
    pub fn folder_name(self, folder: Folder) -> &'static str {
        self.folder_names()[folder as usize]
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language word that is not one of [`Language::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}; use one of english, spanish, french, german")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Language, UnknownLanguage> {
        Language::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

/// A default folder, by identity (A-STORE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Folder {
    /// Where migrated mail goes.
    Inbox = 0,
    /// Outbox.
    Outbox = 1,
    /// Sent Items.
    SentItems = 2,
    /// Deleted Items.
    DeletedItems = 3,
}

/// One mailbox's part of the store.
#[derive(Debug, Clone, Default)]
struct MailboxStore {
    /// The language the folders were created in; `None` until the first logon.
    folders: Option<Language>,
    contents: BTreeMap<Folder, Vec<Message>>,
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
    pub fn deliver_to_inbox(&mut self, messages: Vec<Message>) {
        self.mailbox
            .contents
            .entry(Folder::Inbox)
            .or_default()
            .extend(messages);
    }
}

/// The information store of the server.
#[derive(Debug, Clone, Default)]
pub struct InformationStore {
    mailboxes: HashMap<MailboxId, MailboxStore>,
}

impl InformationStore {
    /// Opens a mailbox as a client speaking `language` would (A-STORE, Q188856):
    /// creates the default folders in that language if they do not exist yet.
    ///
    /// Mail can only be filed through the returned handle, so no mail lands in a mailbox
    /// whose folders do not exist.
    pub fn open(&mut self, mailbox: MailboxId, language: Language) -> OpenMailbox<'_> {
        let entry = self.mailboxes.entry(mailbox).or_default();
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
        self.mailboxes.get(&mailbox).and_then(|m| m.folders)
    }

    /// Every message in the mailbox, with its folder.
    pub fn messages(&self, mailbox: MailboxId) -> impl Iterator<Item = (Folder, &Message)> {
        self.mailboxes
            .get(&mailbox)
            .into_iter()
            .flat_map(|m| m.contents.iter())
            .flat_map(|(folder, messages)| messages.iter().map(move |m| (*folder, m)))
    }

    /// Every message in the store, in any mailbox.
    pub fn all_messages(&self) -> impl Iterator<Item = &Message> {
        self.mailboxes
            .values()
            .flat_map(|m| m.contents.values())
            .flatten()
    }
}
