//! The reference model: `spec/RULES.md` (after KB Q242184, Q183312, Q182665, Q188856,
//! Q234665, Q116466) written as plain data and plain loops.
//!
//! No indexes, no ids, no cleverness: every lookup is a loop over a `Vec`, every address is
//! a string compared without case. It shares with the implementation only the
//! [`vocabulary`](crate::vocabulary) (steps, results, typed addresses, the observation).
//! Everything it decides it states again here: the site addresses and their numbering
//! (A-SITE), the folder names of every language (A-LANG), the event texts (`model/texts.rs`), and
//! what happens in which order (the wizard is in `model/wizard.rs`), so that the state machine test
//! can hold the two halves against each other. `tests/layers.rs` keeps it that way: it fails if this module
//! imports anything outside the vocabulary.
//!
//! ```
//! use migwiz::{Model, MsMailUser, Operation, Outcome, Phase, Setup, Version};
//!
//! let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
//! let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
//! let mut model = Model::new(&setup);
//! model.apply(&Operation::create_mailbox("JDOE".parse()?));
//! let step_two = Operation::wizard(Version::V55, Phase::Migrate);
//! assert!(matches!(model.apply(&step_two).outcome, Outcome::Aborted { .. })); // Q242184 SYMPTOMS
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod files;
mod texts;
mod wizard;

pub use wizard::Run;

use crate::vocabulary::address::{Alias, MsMailAddress, Site};
use crate::vocabulary::container::Container;
use crate::vocabulary::event::Event;
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::{
    CustomRecipientView, DatedView, FileView, MailView, MailboxView, Observation, UserListRow,
    WaitingView,
};
use crate::vocabulary::operation::{ListField, Operation, Version};
use crate::vocabulary::outcome::{Refusal, StepResult};
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::rules::RuleId::*;
use crate::vocabulary::setup::Setup;

/// An MS Mail user: its mail, and the state of its MMF (A-MMF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct User {
    /// `NET/PO/MAILBOX`, upper case.
    pub address: String,
    /// The same address, typed, for the results the model reports.
    pub typed: MsMailAddress,
    /// The mailbox part: the alias 5.0 looks for.
    pub mailbox_name: String,
    /// The post office part.
    pub postoffice: String,
    /// The display name, `""` if none.
    pub full_name: String,
    /// Messages it ever had: at the start, and delivered since.
    pub messages: u32,
    /// Messages delivered since the start (OP-DELIVER).
    pub received: u32,
    /// Messages still in MS Mail.
    pub waiting: u32,
    /// The MS Mail client holds the MMF open.
    pub client_open: bool,
    /// The MMF password is out of step after a recovery.
    pub out_of_step: bool,
    /// The dated messages still waiting, as (date, count), by date (F-DATE); `waiting`
    /// counts them too.
    pub dated: Vec<(u64, u32)>,
    /// The user has Schedule+ data (F-SCHED).
    pub schedule: bool,
    /// Its schedule was migrated (B-SCHED: once).
    pub schedule_migrated: bool,
    /// Its place in the post office's list of users, from 1 (the calendar attachment's
    /// name, B-SCHED).
    pub place: usize,
}

/// A mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// Alias as written.
    pub alias: String,
    /// Its recipients container, as written.
    pub container: String,
    /// Its directory name.
    pub directory_name: String,
    /// `TYPE:value` strings in the order added.
    pub proxies: Vec<String>,
    /// The language of the default folders, once they exist.
    pub folders: Option<Language>,
    /// Migrated messages in the Inbox, per owner.
    pub inbox: Vec<(String, u32)>,
    /// The MS Mail user step one created it for.
    pub created_for: Option<String>,
    /// A schedule was migrated into it (F-SCHED).
    pub calendar: bool,
    /// The calendar messages in its Inbox, by attachment name (B-SCHED).
    pub calendar_messages: Vec<String>,
}

/// A custom recipient: alias, the MS Mail user it stands for, its container. Its
/// directory name is its alias (A-DN).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomRecipient {
    /// Alias as written.
    pub alias: String,
    /// `NET/PO/MAILBOX`; the recipient's address is `MS:` this.
    pub address: String,
    /// Its recipients container, as written.
    pub container: String,
}

/// A row of the user list (A-LIST).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    /// The MS Mail user, `NET/PO/MAILBOX`.
    pub user: String,
    /// `Y` or `N`.
    pub migrate_user: String,
    /// `Create` or `""`.
    pub mode: String,
    /// The directory name, and the alias, the mailbox gets.
    pub common_name: String,
    /// `migrate:MS:NET/PO/MAILBOX` in 5.5 and SP1 lists; none in 5.0's.
    pub secondary: Option<String>,
    /// `~SERVER`, or a server's name (B-HOME).
    pub home_server: String,
}

/// One of the administrator's files (F-FILES).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct File {
    /// Its path, as first written.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// The whole world of the reference model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Model {
    /// Names that build new addresses.
    pub site: Site,
    /// The wizard's language.
    pub server_language: Language,
    /// The post office's path (events 7007 and 10068).
    pub postoffice_path: String,
    /// A mapped drive naming the post office, if any (B-VALUES).
    pub postoffice_drive: Option<String>,
    /// The post office's administrator account and password (F-ADMIN).
    pub admin: (String, String),
    /// The site's server (B-HOME).
    pub server_name: String,
    /// The administrator's files (F-FILES), sorted by path without case.
    pub files: Vec<File>,
    /// The post office.
    pub users: Vec<User>,
    /// Mailboxes in creation order.
    pub mailboxes: Vec<Mailbox>,
    /// Custom recipients in creation order.
    pub custom_recipients: Vec<CustomRecipient>,
    /// The application event log.
    pub events: Vec<Event>,
    /// The user list, once extracted.
    pub user_list: Option<Vec<Row>>,
    /// The wizard step in progress between its units, if any (C-UNITS): always `None`
    /// between whole steps.
    pub in_progress: Option<Run>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A-CONT: `Recipients` is the default container, for the administrator and for the
/// wizard (Q152330, Migration guide).
const RECIPIENTS: &str = "Recipients";

/// The container a step names, or the default (A-CONT).
fn container_of(named: Option<&Container>) -> String {
    match named {
        Some(container) => container.as_str().to_string(),
        None => RECIPIENTS.to_string(),
    }
}

/// A-PROXY: the type is written upper case for a primary address.
fn is_primary(proxy: &str) -> bool {
    let kind = proxy.split(':').next().unwrap_or("");
    kind.chars().any(|c| c.is_ascii_uppercase())
}

fn kind_of(proxy: &str) -> &str {
    proxy.split(':').next().unwrap_or("")
}

/// `base` with `n` appended (2, 3, …), cut so that the whole stays an alias-shaped name of
/// at most 64 characters (W-1, W-LIST, A-DN).
fn numbered(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_string();
    }
    let number = n.to_string();
    let mut name: Vec<char> = base.chars().collect();
    while name.len() + number.len() > 64 {
        name.pop();
    }
    name.into_iter().collect::<String>() + &number
}

impl Model {
    /// The world before the first step.
    pub fn new(setup: &Setup) -> Model {
        let mut users = Vec::new();
        for u in setup.users() {
            let mut dated: Vec<(u64, u32)> = Vec::new();
            let mut all = u.messages;
            for (date, count) in &u.dated {
                add_dated(&mut dated, date.number(), *count);
                all = all.saturating_add(*count);
            }
            users.push(User {
                address: u.address.to_string(),
                typed: u.address.clone(),
                mailbox_name: u.address.mailbox().to_string(),
                postoffice: u.address.postoffice().to_string(),
                full_name: u.name.clone().unwrap_or_default(),
                messages: all,
                received: 0,
                waiting: all,
                client_open: false,
                out_of_step: false,
                dated,
                schedule: u.schedule,
                schedule_migrated: false,
                place: users.len() + 1,
            });
        }
        // The setup's files are distinct and sorted by path already.
        let mut files: Vec<File> = Vec::new();
        for (path, text) in setup.files() {
            files.push(File {
                path: path.as_str().to_string(),
                text: text.clone(),
            });
        }
        let (admin, password) = setup.admin();
        Model {
            site: setup.site().clone(),
            server_language: setup.server_language(),
            postoffice_path: setup.postoffice_path().to_string(),
            postoffice_drive: setup.postoffice_drive().map(str::to_string),
            admin: (admin.to_string(), password.to_string()),
            server_name: setup.server_name().to_string(),
            files,
            users,
            mailboxes: Vec::new(),
            custom_recipients: Vec::new(),
            events: Vec::new(),
            user_list: None,
            in_progress: None,
        }
    }

    /// Who has this alias, if anybody (A-ALIAS: all recipients, without case).
    fn alias_holder(&self, alias: &str) -> Option<String> {
        for m in &self.mailboxes {
            if same(&m.alias, alias) {
                return Some(m.alias.clone());
            }
        }
        for c in &self.custom_recipients {
            if same(&c.alias, alias) {
                return Some(c.alias.clone());
            }
        }
        None
    }

    /// Who has this directory name in this container, if anybody (A-DN).
    fn directory_name_holder(&self, container: &str, name: &str) -> Option<String> {
        for m in &self.mailboxes {
            if same(&m.container, container) && same(&m.directory_name, name) {
                return Some(m.alias.clone());
            }
        }
        for c in &self.custom_recipients {
            if same(&c.container, container) && same(&c.alias, name) {
                return Some(c.alias.clone());
            }
        }
        None
    }

    /// Who holds this address, if anybody (A-UNIQUE: all recipients, without case).
    fn address_holder(&self, address: &str) -> Option<String> {
        for m in &self.mailboxes {
            for p in &m.proxies {
                if same(p, address) {
                    return Some(m.alias.clone());
                }
            }
        }
        for c in &self.custom_recipients {
            if same(&["MS:", &c.address].concat(), address) {
                return Some(c.alias.clone());
            }
        }
        None
    }

    fn mailbox_index(&self, alias: &str) -> Option<usize> {
        self.mailboxes.iter().position(|m| same(&m.alias, alias))
    }

    fn user_index(&self, user: &MsMailAddress) -> Option<usize> {
        self.users.iter().position(|u| u.address == user.as_str())
    }

    /// Carries out one step.
    pub fn apply(&mut self, op: &Operation) -> StepResult {
        match op {
            Operation::CreateMailbox {
                alias,
                container,
                directory_name,
                ..
            } => self.create_mailbox(
                alias,
                &container_of(container.as_ref()),
                directory_name.as_ref(),
            ),
            Operation::Logon { alias, language } => self.logon(alias.as_str(), *language),
            Operation::AddProxy { alias, address } => {
                self.add_proxy(alias.as_str(), address.as_str())
            }
            Operation::RemoveProxy { alias, address } => {
                self.remove_proxy(alias.as_str(), address.as_str())
            }
            Operation::CustomRecipient {
                alias,
                address,
                container,
            } => self.custom_recipient(
                alias.as_str(),
                address.as_str(),
                &container_of(container.as_ref()),
            ),
            Operation::MsMailClient { user, open } => self.client(user, *open),
            Operation::RecoverPassword { user } => self.recover_password(user),
            Operation::Deliver {
                user,
                messages,
                date,
            } => self.deliver(user, *messages, date.map(|d| d.number())),
            Operation::ExtractUserList { version, users } => {
                self.extract_user_list(*version, users.as_deref())
            }
            Operation::EditUserList { user, field, value } => {
                self.edit_user_list(user, *field, value)
            }
            Operation::Wizard(run) => self.wizard(run),
            Operation::Mailmig { version, command } => self.mailmig(*version, command),
            Operation::WriteFile { path, text } => {
                files::write(&mut self.files, path.as_str(), text);
                StepResult::ok([OpFile, FFiles])
            }
            Operation::EditFile {
                path,
                user,
                field,
                value,
            } => self.edit_file(path.as_str(), user, field.as_str(), value),
        }
    }

    /// OP-CREATE: A-SITE addresses, never a MIGRATE proxy (Q242184 CAUSE); in its
    /// container, under its directory name (A-CONT, A-DN).
    fn create_mailbox(
        &mut self,
        alias: &Alias,
        container: &str,
        directory_name: Option<&Alias>,
    ) -> StepResult {
        if let Some(holder) = self.alias_holder(alias.as_str()) {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::AliasTaken { alias, holder }, [OpCreate, AAlias]);
        }
        let name = directory_name.unwrap_or(alias).to_string();
        if let Some(holder) = self.directory_name_holder(container, &name) {
            let container = container.to_string();
            let r = Refusal::DirectoryNameTaken {
                name,
                container,
                holder,
            };
            return StepResult::refused(r, [OpCreate, ADn]);
        }
        let mut rules = vec![OpCreate, ASite];
        if !same(container, RECIPIENTS) {
            rules.push(ACont);
        }
        if directory_name.is_some() {
            rules.push(ADn);
        }
        if self.create(alias.as_str(), container, &name, Vec::new(), None) {
            rules.push(AUnique);
        }
        StepResult::ok(rules)
    }

    /// OP-LOGON, A-STORE, A-LANG: the first client names the folders in its language; later
    /// ones change nothing (Q188856).
    fn logon(&mut self, alias: &str, language: Language) -> StepResult {
        let Some(i) = self.mailbox_index(alias) else {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::NoSuchMailbox { alias }, [OpLogon]);
        };
        if self.mailboxes[i].folders.is_none() {
            self.mailboxes[i].folders = Some(language);
            StepResult::ok([OpLogon, AStore, ALang])
        } else {
            StepResult::ok([OpLogon, AStore])
        }
    }

    /// OP-PROXY: refused for no mailbox and under A-UNIQUE.
    fn add_proxy(&mut self, alias: &str, address: &str) -> StepResult {
        let Some(i) = self.mailbox_index(alias) else {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::NoSuchMailbox { alias }, [OpProxy]);
        };
        if let Some(holder) = self.address_holder(address) {
            if !planted(Mistake::UncheckedProxy) {
                let address = address.to_string();
                return StepResult::refused(
                    Refusal::AddressTaken { address, holder },
                    [OpProxy, AUnique],
                );
            }
        }
        // A-PROXY: a new primary makes the old primary of its type secondary.
        if is_primary(address) {
            for p in self.mailboxes[i].proxies.iter_mut() {
                if is_primary(p) && same(kind_of(p), kind_of(address)) {
                    let value = p[kind_of(p).len()..].to_string();
                    *p = format!("{}{}", kind_of(p).to_ascii_lowercase(), value);
                }
            }
        }
        self.mailboxes[i].proxies.push(address.to_string());
        StepResult::ok([OpProxy, AProxy])
    }

    /// OP-UNPROXY: only a held, secondary address goes (Q182665 when it is MIGRATE).
    fn remove_proxy(&mut self, alias: &str, address: &str) -> StepResult {
        let Some(i) = self.mailbox_index(alias) else {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::NoSuchMailbox { alias }, [OpUnproxy]);
        };
        let mailbox = &mut self.mailboxes[i];
        let alias = mailbox.alias.clone();
        let Some(j) = mailbox.proxies.iter().position(|p| same(p, address)) else {
            let address = address.to_string();
            return StepResult::refused(
                Refusal::AddressNotHeld { alias, address },
                [OpUnproxy, AProxy],
            );
        };
        if is_primary(&mailbox.proxies[j]) {
            let address = mailbox.proxies[j].clone();
            return StepResult::refused(
                Refusal::PrimaryAddress { alias, address },
                [OpUnproxy, AProxy],
            );
        }
        mailbox.proxies.remove(j);
        StepResult::ok([OpUnproxy, AProxy])
    }

    /// OP-CR, A-CR: directory synchronisation makes a custom recipient whose address is the
    /// user's MS address (A-MS), in a container; refused under A-ALIAS, A-UNIQUE and A-DN.
    fn custom_recipient(&mut self, alias: &str, user: &str, container: &str) -> StepResult {
        if let Some(holder) = self.alias_holder(alias) {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::AliasTaken { alias, holder }, [OpCr, ACr, AAlias]);
        }
        let address = ["MS:", user].concat();
        if let Some(holder) = self.address_holder(&address) {
            let r = Refusal::AddressTaken { address, holder };
            return StepResult::refused(r, [OpCr, ACr, AUnique]);
        }
        if let Some(holder) = self.directory_name_holder(container, alias) {
            let r = Refusal::DirectoryNameTaken {
                name: alias.to_string(),
                container: container.to_string(),
                holder,
            };
            return StepResult::refused(r, [OpCr, ACr, ADn]);
        }
        self.custom_recipients.push(CustomRecipient {
            alias: alias.to_string(),
            address: user.to_string(),
            container: container.to_string(),
        });
        if !same(container, RECIPIENTS) {
            StepResult::ok([OpCr, ACr, AMs, ACont])
        } else {
            StepResult::ok([OpCr, ACr, AMs])
        }
    }

    /// OP-CLIENT: open locks the MMF; closing an open client unlocks it and puts its password
    /// back in step (Q168606 "logged on and off"); anything else changes nothing.
    fn client(&mut self, user: &MsMailAddress, open: bool) -> StepResult {
        let Some(u) = self.user_index(user) else {
            let user = user.to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, [OpClient]);
        };
        let was_open = self.users[u].client_open;
        if open && !was_open {
            self.users[u].client_open = true;
            return StepResult::ok([OpClient, AMmf]);
        }
        if !open && was_open {
            self.users[u].client_open = false;
            self.users[u].out_of_step = false;
            return StepResult::ok([OpClient, AMmf]);
        }
        StepResult::ok([OpClient])
    }

    /// OP-RECOVER: the MMF password is out of step (A-MMF, Q168606).
    fn recover_password(&mut self, user: &MsMailAddress) -> StepResult {
        let Some(u) = self.user_index(user) else {
            let user = user.to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, [OpRecover]);
        };
        self.users[u].out_of_step = true;
        StepResult::ok([OpRecover, AMmf])
    }

    /// OP-DELIVER: new mail waits in MS Mail, also after the user was migrated (Q190423),
    /// with its date if it has one (F-DATE).
    fn deliver(&mut self, user: &MsMailAddress, messages: u32, date: Option<u64>) -> StepResult {
        let Some(u) = self.user_index(user) else {
            let user = user.to_string();
            return StepResult::refused(Refusal::UnknownUser { user }, [OpDeliver]);
        };
        let Some(total) = self.users[u].messages.checked_add(messages) else {
            let user = user.to_string();
            return StepResult::refused(Refusal::TooMuchMail { user }, [OpDeliver]);
        };
        if planted(Mistake::DroppedDelivery) {
            return StepResult::ok([OpDeliver]);
        }
        self.users[u].messages = total;
        self.users[u].received += messages;
        self.users[u].waiting += messages;
        match date {
            Some(date) => {
                add_dated(&mut self.users[u].dated, date, messages);
                StepResult::ok([OpDeliver, FDate])
            }
            None => StepResult::ok([OpDeliver]),
        }
    }

    /// OP-EXTRACT: the user list for the chosen users, with the version's columns (A-LIST);
    /// ADMINSCH gets no row (A-ADMIN). Nothing else changes.
    fn extract_user_list(
        &mut self,
        version: Version,
        users: Option<&[MsMailAddress]>,
    ) -> StepResult {
        let mut chosen = Vec::new();
        match users {
            None => chosen.extend(0..self.users.len()),
            Some(list) => {
                for user in list {
                    let Some(u) = self.user_index(user) else {
                        let user = user.to_string();
                        return StepResult::refused(Refusal::UnknownUser { user }, [OpExtract]);
                    };
                    chosen.push(u);
                }
            }
        }
        let mut rules = vec![OpExtract, AList];
        let mut rows = Vec::new();
        for u in chosen {
            if self.users[u].mailbox_name == "ADMINSCH" {
                rules.push(AAdmin);
                continue;
            }
            rows.push(self.default_row(version, u));
        }
        self.user_list = Some(rows);
        StepResult::ok(rules)
    }

    /// A user's row as the version extracts it (A-LIST).
    fn default_row(&self, version: Version, u: usize) -> Row {
        let user = &self.users[u];
        Row {
            user: user.address.clone(),
            migrate_user: "Y".to_string(),
            mode: "Create".to_string(),
            common_name: user.mailbox_name.clone(),
            secondary: match version {
                Version::V50 => None,
                _ => Some(["migrate:MS:", &user.address].concat()),
            },
            home_server: "~SERVER".to_string(),
        }
    }

    /// OP-EDIT: one field of one row; refused with no list, no row, or a value the field
    /// does not take.
    fn edit_user_list(
        &mut self,
        user: &MsMailAddress,
        field: ListField,
        value: &str,
    ) -> StepResult {
        let address = user.to_string();
        let Some(rows) = self.user_list.as_mut() else {
            return StepResult::refused(Refusal::NoUserList, [OpEdit]);
        };
        let Some(row) = rows.iter_mut().find(|r| r.user == address) else {
            return StepResult::refused(Refusal::NoRow { user: address }, [OpEdit, AList]);
        };
        let refused = |takes: &str| {
            let r = Refusal::BadListValue {
                field: field.to_string(),
                value: value.to_string(),
                takes: takes.to_string(),
            };
            StepResult::refused(r, [OpEdit, AList])
        };
        match field {
            ListField::MigrateUser => {
                if same(value, "Y") || same(value, "N") {
                    row.migrate_user = value.to_ascii_uppercase();
                } else {
                    return refused("Y or N");
                }
            }
            ListField::Mode => {
                if same(value, "Create") {
                    row.mode = "Create".to_string();
                } else if value.is_empty() {
                    row.mode = String::new();
                } else {
                    return refused("Create, or nothing (\"\") to update");
                }
            }
            ListField::CommonName => {
                if Alias::new(value).is_ok() {
                    row.common_name = value.to_string();
                } else {
                    return refused("an alias-shaped name (A-ALIAS)");
                }
            }
        }
        StepResult::ok([OpEdit, AList])
    }

    /// Adds a mailbox with its A-SITE addresses (numbered when taken) and the extras.
    /// Returns whether any site address needed a number.
    fn create(
        &mut self,
        alias: &str,
        container: &str,
        directory_name: &str,
        extra: Vec<String>,
        created_for: Option<String>,
    ) -> bool {
        let mut proxies = Vec::new();
        let mut renumbered = false;
        for (slot, plain) in texts::site_addresses(&self.site, alias, 1)
            .into_iter()
            .enumerate()
        {
            let mut n = 1;
            let mut candidate = plain;
            loop {
                let reserved = extra.iter().any(|e| same(e, &candidate));
                if self.address_holder(&candidate).is_none() && !reserved {
                    proxies.push(candidate);
                    break;
                }
                renumbered = true;
                n += 1;
                candidate = texts::site_addresses(&self.site, alias, n)[slot].clone();
            }
        }
        proxies.extend(extra);
        self.mailboxes.push(Mailbox {
            alias: alias.to_string(),
            container: container.to_string(),
            directory_name: directory_name.to_string(),
            proxies,
            folders: None,
            inbox: Vec::new(),
            created_for,
            calendar: false,
            calendar_messages: Vec::new(),
        });
        renumbered
    }

    /// The observable state.
    pub fn observe(&self) -> Observation {
        let mut seen = Observation::default();
        self.observe_into(&mut seen);
        seen
    }

    /// [`Model::observe`], written over `into`, whose texts and lists are reused: the
    /// state machine test observes the model at every step, and a new observation each
    /// time was a twentieth of its work (issue 37).
    pub fn observe_into(&self, into: &mut Observation) {
        into.events.clone_from(&self.events);
        into.mailboxes.truncate(self.mailboxes.len());
        for (i, m) in self.mailboxes.iter().enumerate() {
            if i == into.mailboxes.len() {
                into.mailboxes.push(MailboxView::default());
            }
            mailbox_view_into(m, &mut into.mailboxes[i]);
        }
        into.msmail.truncate(self.users.len());
        for (i, u) in self.users.iter().enumerate() {
            if i == into.msmail.len() {
                into.msmail.push(WaitingView::default());
            }
            waiting_view_into(u, &mut into.msmail[i]);
        }
        into.custom_recipients = self.custom_recipients_view();
        match &self.user_list {
            Some(rows) => self.list_view_into(rows, into.user_list.get_or_insert_default()),
            None => into.user_list = None,
        }
        into.files.truncate(self.files.len());
        for (i, f) in self.files.iter().enumerate() {
            if i == into.files.len() {
                into.files.push(FileView::default());
            }
            into.files[i].path.clone_from(&f.path);
            into.files[i].text.clone_from(&f.text);
        }
    }

    /// Part of the observable state: the MS Mail users at `users` and the mailboxes at
    /// `mailboxes` (places in `self.users` and `self.mailboxes`), every custom recipient,
    /// the events from `events_from` on, and no user list. A unit of a concurrent run is
    /// judged on the part it can change, so that judging every unit does not copy the
    /// whole world every time (issue 35).
    pub fn observe_part(
        &self,
        users: &[usize],
        mailboxes: &[usize],
        events_from: usize,
    ) -> Observation {
        let mut part = Observation {
            events: self.events.get(events_from..).unwrap_or_default().to_vec(),
            mailboxes: Vec::new(),
            custom_recipients: self.custom_recipients_view(),
            msmail: Vec::new(),
            user_list: None,
            files: Vec::new(),
        };
        for &i in mailboxes {
            if let Some(m) = self.mailboxes.get(i) {
                let mut view = MailboxView::default();
                mailbox_view_into(m, &mut view);
                part.mailboxes.push(view);
            }
        }
        for &i in users {
            if let Some(u) = self.users.get(i) {
                let mut view = WaitingView::default();
                waiting_view_into(u, &mut view);
                part.msmail.push(view);
            }
        }
        part
    }

    fn custom_recipients_view(&self) -> Vec<CustomRecipientView> {
        let mut custom_recipients = Vec::new();
        for c in &self.custom_recipients {
            custom_recipients.push(CustomRecipientView {
                alias: c.alias.clone(),
                address: ["MS:", &c.address].concat(),
                container: c.container.clone(),
            });
        }
        custom_recipients
    }

    /// The user list with the columns of Q150438, written over `view` (its rows' texts
    /// reused).
    fn list_view_into(&self, rows: &[Row], view: &mut Vec<UserListRow>) {
        view.truncate(rows.len());
        for (i, row) in rows.iter().enumerate() {
            if i == view.len() {
                view.push(UserListRow::default());
            }
            let mut mailbox_name = "";
            let mut full_name = "";
            for u in &self.users {
                if u.address == row.user {
                    mailbox_name = &u.mailbox_name;
                    full_name = &u.full_name;
                }
            }
            let seen = &mut view[i];
            seen.user.clone_from(&row.user);
            set(&mut seen.sfs_user_name, mailbox_name);
            set(&mut seen.sfs_full_name, full_name);
            seen.migrate_user.clone_from(&row.migrate_user);
            set(&mut seen.obj_class, "Mailbox");
            seen.mode.clone_from(&row.mode);
            seen.common_name.clone_from(&row.common_name);
            set(&mut seen.display_name, full_name);
            set(&mut seen.home_server, "~SERVER");
            seen.secondary_proxy_addresses.clone_from(&row.secondary);
        }
    }
}

/// `text` made `value`, in the buffer it has.
fn set(text: &mut String, value: &str) {
    text.clear();
    text.push_str(value);
}

/// What an observation shows of one mailbox.
/// A mailbox as observed, written over `view` (the texts' buffers reused).
fn mailbox_view_into(m: &Mailbox, view: &mut MailboxView) {
    view.folders.clear();
    view.mail.clear();
    if let Some(language) = m.folders {
        for name in texts::folder_names(language) {
            view.folders.push(name);
        }
        let mut inbox = m.inbox.clone();
        inbox.sort();
        for (owner, count) in inbox {
            view.mail.push(MailView {
                folder: view.folders[0],
                owner,
                count,
                calendar: false,
                attachment: None,
            });
        }
        for attachment in &m.calendar_messages {
            view.mail.push(MailView {
                folder: view.folders[0],
                owner: String::new(),
                count: 1,
                calendar: true,
                attachment: Some(attachment.clone()),
            });
        }
    }
    view.alias.clone_from(&m.alias);
    view.container.clone_from(&m.container);
    view.directory_name.clone_from(&m.directory_name);
    view.proxies.clone_from(&m.proxies);
    view.folder_language = m.folders;
    view.created_for.clone_from(&m.created_for);
    view.calendar = m.calendar;
}

/// An MS Mail user as observed, written over `view`.
fn waiting_view_into(u: &User, view: &mut WaitingView) {
    view.address.clone_from(&u.address);
    view.waiting = u.waiting;
    view.client = if u.client_open { "open" } else { "closed" };
    view.password_in_step = !u.out_of_step;
    view.received = u.received;
    view.dated.clear();
    for (date, count) in &u.dated {
        view.dated.push(DatedView {
            date: format!("{date:014}"),
            count: *count,
        });
    }
}

/// `count` more dated messages of `date`, the list kept by date (F-DATE).
fn add_dated(dated: &mut Vec<(u64, u32)>, date: u64, count: u32) {
    if count == 0 {
        return;
    }
    for entry in dated.iter_mut() {
        if entry.0 == date {
            entry.1 += count;
            return;
        }
    }
    dated.push((date, count));
    dated.sort();
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_numbered_name_is_cut_to_64_characters_exactly() {
        // Named, not imported: the layers test reads every `use super::` in this file as
        // reaching outside the model.
        let numbered = super::numbered;
        assert_eq!(numbered("JDOE", 1), "JDOE");
        assert_eq!(numbered("JDOE", 2), "JDOE2");
        let longest = "A".repeat(64);
        assert_eq!(numbered(&longest, 2), format!("{}2", "A".repeat(63)));
        assert_eq!(numbered(&longest, 10), format!("{}10", "A".repeat(62)));
        let short = "B".repeat(62);
        assert_eq!(
            numbered(&short, 2),
            format!("{short}2"),
            "63 characters: kept whole"
        );
    }
}
