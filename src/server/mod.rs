//! The implementation: an Exchange server with its directory, information store and event
//! log, beside the MS Mail post office being migrated, written as a server would be (typed
//! addresses, indexes, errors that are values).
//!
//! [`Server::apply`] carries out one [`Operation`]; [`Server::observe`] shows the state the
//! way the run report does.
//!
//! ```
//! use migwiz::{MsMailUser, Operation, Outcome, Phase, Server, Setup, Version};
//!
//! let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
//! let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
//! let mut server = Server::new(&setup);
//! server.apply(&Operation::create_mailbox("JDOE".parse()?));
//! let step_two = Operation::wizard(Version::V55, Phase::Migrate);
//! assert!(matches!(server.apply(&step_two).outcome, Outcome::Aborted { .. })); // Q242184
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod addressing;
mod batch;
pub mod directory;
pub mod eventlog;
pub mod files;
pub mod postoffice;
pub mod shared;
pub mod site;
pub mod store;
pub mod sync;
pub mod userlist;
pub mod wizard;

use std::collections::BTreeMap;
use std::sync::Arc;

/// The map every server index uses: keys are the server's own (aliases, addresses, ids),
/// not attacker-chosen hash flooding input, so a fast non-cryptographic hash is enough.
pub(crate) type Index<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;

use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::container::Container;
use crate::vocabulary::files::{MailDate, WinPath};
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::{
    CustomRecipientView, DatedView, MailView, MailboxView, Observation, UserListRow, WaitingView,
};
use crate::vocabulary::operation::{CsvField, ListField, Operation, Version};
use crate::vocabulary::outcome::{Refusal, StepResult};
use crate::vocabulary::rules::RuleId;
use crate::vocabulary::setup::Setup;
use addressing::{container_or_default, is_default_container};
use directory::{Directory, MailboxId, NewMailbox};
use eventlog::EventLog;
use files::FileStore;
use postoffice::{ClientChange, DeliverError, Messages, PostOffice};
use store::{folder_names, InformationStore};
use userlist::UserList;
use wizard::Exchange;

/// The implementation of the whole world.
///
/// Its parts are shared copy-on-write (`Arc::make_mut` where a step changes one): a server
/// is cloned for every step the checker tries, and most steps change one part or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    server_language: Language,
    postoffice_path: Arc<str>,
    directory: Arc<Directory>,
    store: Arc<InformationStore>,
    postoffice: Arc<PostOffice>,
    log: Arc<EventLog>,
    user_list: Option<Arc<UserList>>,
    files: Arc<FileStore>,
    postoffice_drive: Option<String>,
    admin: (String, String),
    server_name: Arc<str>,
}

impl Server {
    /// A server with an empty directory beside the setup's post office.
    pub fn new(setup: &Setup) -> Server {
        Server {
            server_language: setup.server_language(),
            postoffice_path: setup.postoffice_path().into(),
            directory: Arc::new(Directory::new(setup.site().clone())),
            store: Arc::default(),
            postoffice: Arc::new(PostOffice::new(setup.users())),
            log: Arc::default(),
            user_list: None,
            files: Arc::new(FileStore::new(setup.files())),
            postoffice_drive: setup.postoffice_drive().map(str::to_string),
            admin: (setup.admin().0.to_string(), setup.admin().1.to_string()),
            server_name: setup.server_name().into(),
        }
    }

    /// The parts the wizard works on, borrowed for one run.
    fn exchange(&mut self) -> Exchange<'_> {
        Exchange {
            directory: &mut self.directory,
            store: &mut self.store,
            postoffice: &mut self.postoffice,
            log: Arc::make_mut(&mut self.log),
            user_list: self.user_list.as_deref(),
            server_language: self.server_language,
            postoffice_path: &self.postoffice_path,
            seen: Default::default(),
            server_name: &self.server_name,
        }
    }

    /// Every message in the system, waiting in MS Mail or migrated into a mailbox, as runs
    /// of ids with their owner: what message-by-message conservation (I-CONSERVE) reads.
    pub fn messages(&self) -> impl Iterator<Item = &Messages> {
        self.postoffice
            .all_waiting()
            .chain(self.store.all_messages())
    }

    /// Carries out one operation and says what it came to and which rules decided it.
    pub fn apply(&mut self, op: &Operation) -> StepResult {
        match op {
            Operation::CreateMailbox {
                alias,
                container,
                directory_name,
                ..
            } => self.create_mailbox(
                alias,
                &container_or_default(container.as_ref()),
                directory_name.as_ref(),
            ),
            Operation::Logon { alias, language } => self.logon(alias, *language),
            Operation::AddProxy { alias, address } => self.add_proxy(alias, address),
            Operation::RemoveProxy { alias, address } => self.remove_proxy(alias, address),
            Operation::CustomRecipient {
                alias,
                address,
                container,
            } => self.custom_recipient(alias, address, &container_or_default(container.as_ref())),
            Operation::MsMailClient { user, open } => {
                match Arc::make_mut(&mut self.postoffice).set_client(user, *open) {
                    None => unknown_user(user, RuleId::OpClient),
                    Some(ClientChange::Unchanged) => StepResult::ok([RuleId::OpClient]),
                    Some(_) => StepResult::ok([RuleId::OpClient, RuleId::AMmf]),
                }
            }
            Operation::RecoverPassword { user } => {
                match Arc::make_mut(&mut self.postoffice).recover_password(user) {
                    true => StepResult::ok([RuleId::OpRecover, RuleId::AMmf]),
                    false => unknown_user(user, RuleId::OpRecover),
                }
            }
            Operation::Deliver {
                user,
                messages,
                date,
            } => self.deliver(user, *messages, *date),
            Operation::ExtractUserList { version, users } => {
                self.extract_user_list(*version, users.as_deref())
            }
            Operation::EditUserList { user, field, value } => {
                self.edit_user_list(user, *field, value)
            }
            Operation::Wizard(run) => wizard::run(run, &mut self.exchange()),
            Operation::Mailmig { version, command } => self.mailmig(*version, command),
            Operation::WriteFile { path, text } => {
                Arc::make_mut(&mut self.files).write(path, text);
                StepResult::ok([RuleId::OpFile, RuleId::FFiles])
            }
            Operation::EditFile {
                path,
                user,
                field,
                value,
            } => self.edit_file(path, user, *field, value),
        }
    }

    /// OP-PROXY: an address added to a mailbox, unique in the organization (A-UNIQUE).
    fn add_proxy(&mut self, alias: &Alias, address: &ProxyAddress) -> StepResult {
        match Arc::make_mut(&mut self.directory).add_proxy(alias, address.clone()) {
            Ok(()) => StepResult::ok([RuleId::OpProxy, RuleId::AProxy]),
            Err(r @ Refusal::NoSuchMailbox { .. }) => StepResult::refused(r, [RuleId::OpProxy]),
            Err(r) => StepResult::refused(r, [RuleId::OpProxy, RuleId::AUnique]),
        }
    }

    /// OP-UNPROXY: an address taken off a mailbox (A-PROXY).
    fn remove_proxy(&mut self, alias: &Alias, address: &ProxyAddress) -> StepResult {
        match Arc::make_mut(&mut self.directory).remove_proxy(alias, address) {
            Ok(()) => StepResult::ok([RuleId::OpUnproxy, RuleId::AProxy]),
            Err(r @ Refusal::NoSuchMailbox { .. }) => StepResult::refused(r, [RuleId::OpUnproxy]),
            Err(r) => StepResult::refused(r, [RuleId::OpUnproxy, RuleId::AProxy]),
        }
    }

    /// OP-DELIVER: mail for an MS Mail user, dated or not (F-DATE).
    fn deliver(
        &mut self,
        user: &MsMailAddress,
        messages: u32,
        date: Option<MailDate>,
    ) -> StepResult {
        match Arc::make_mut(&mut self.postoffice).deliver(user, messages, date) {
            Ok(()) if date.is_some() => StepResult::ok([RuleId::OpDeliver, RuleId::FDate]),
            Ok(()) => StepResult::ok([RuleId::OpDeliver]),
            Err(DeliverError::NoSuchUser) => unknown_user(user, RuleId::OpDeliver),
            Err(DeliverError::TooMany) => {
                let r = Refusal::TooMuchMail {
                    user: user.to_string(),
                };
                StepResult::refused(r, [RuleId::OpDeliver])
            }
        }
    }

    /// OP-FILE: one field of one row of a user list file (F-CSV).
    fn edit_file(
        &mut self,
        path: &WinPath,
        user: &str,
        field: CsvField,
        value: &str,
    ) -> StepResult {
        let rules = [RuleId::OpFile, RuleId::FFiles, RuleId::FCsv];
        match Arc::make_mut(&mut self.files).edit(path, user, field, value) {
            Ok(()) => StepResult::ok(rules),
            Err(r @ Refusal::NoSuchFile { .. }) => {
                StepResult::refused(r, [RuleId::OpFile, RuleId::FFiles])
            }
            Err(r) => StepResult::refused(r, rules),
        }
    }

    /// OP-CREATE: site addresses (A-SITE), never a MIGRATE proxy (Q242184 CAUSE); in its
    /// container under its directory name (A-CONT, A-DN).
    fn create_mailbox(
        &mut self,
        alias: &Alias,
        container: &Container,
        directory_name: Option<&Alias>,
    ) -> StepResult {
        let new = NewMailbox {
            container: container.clone(),
            directory_name: directory_name.unwrap_or(alias).clone(),
            extra_proxies: Vec::new(),
            created_for: None,
        };
        match Arc::make_mut(&mut self.directory).create_mailbox(alias.clone(), new) {
            Ok(created) => {
                let mut rules = vec![RuleId::OpCreate, RuleId::ASite];
                if !is_default_container(container) {
                    rules.push(RuleId::ACont);
                }
                if directory_name.is_some() {
                    rules.push(RuleId::ADn);
                }
                if created.renumbered {
                    rules.push(RuleId::AUnique);
                }
                StepResult::ok(rules)
            }
            Err(r @ Refusal::DirectoryNameTaken { .. }) => {
                StepResult::refused(r, [RuleId::OpCreate, RuleId::ADn])
            }
            Err(r) => StepResult::refused(r, [RuleId::OpCreate, RuleId::AAlias]),
        }
    }

    /// OP-CR: directory synchronisation makes a custom recipient (A-CR) in a container.
    fn custom_recipient(
        &mut self,
        alias: &Alias,
        address: &MsMailAddress,
        container: &Container,
    ) -> StepResult {
        let rules = [RuleId::OpCr, RuleId::ACr];
        let added = Arc::make_mut(&mut self.directory).add_custom_recipient(
            alias.clone(),
            address.clone(),
            container.clone(),
        );
        match added {
            Ok(_) if !is_default_container(container) => {
                StepResult::ok([RuleId::OpCr, RuleId::ACr, RuleId::AMs, RuleId::ACont])
            }
            Ok(_) => StepResult::ok([RuleId::OpCr, RuleId::ACr, RuleId::AMs]),
            Err(r @ Refusal::AliasTaken { .. }) => {
                StepResult::refused(r, rules.into_iter().chain([RuleId::AAlias]))
            }
            Err(r @ Refusal::DirectoryNameTaken { .. }) => {
                StepResult::refused(r, rules.into_iter().chain([RuleId::ADn]))
            }
            Err(r) => StepResult::refused(r, rules.into_iter().chain([RuleId::AUnique])),
        }
    }

    /// OP-EXTRACT: writes the user list (A-LIST), replacing any earlier one.
    fn extract_user_list(
        &mut self,
        version: Version,
        users: Option<&[MsMailAddress]>,
    ) -> StepResult {
        let all: Vec<MsMailAddress>;
        let users = match users {
            Some(list) => {
                if let Some(unknown) = list.iter().find(|u| !self.postoffice.has_user(u)) {
                    return unknown_user(unknown, RuleId::OpExtract);
                }
                list
            }
            None => {
                all = self
                    .postoffice
                    .users()
                    .iter()
                    .map(|u| u.address.clone())
                    .collect();
                &all
            }
        };
        let (list, skipped_adminsch) = UserList::extract(version, users);
        self.user_list = Some(Arc::new(list));
        match skipped_adminsch {
            true => StepResult::ok([RuleId::OpExtract, RuleId::AList, RuleId::AAdmin]),
            false => StepResult::ok([RuleId::OpExtract, RuleId::AList]),
        }
    }

    /// OP-EDIT: one field of one row of the user list.
    fn edit_user_list(
        &mut self,
        user: &MsMailAddress,
        field: ListField,
        value: &str,
    ) -> StepResult {
        let Some(list) = self.user_list.as_mut().map(Arc::make_mut) else {
            return StepResult::refused(Refusal::NoUserList, [RuleId::OpEdit]);
        };
        match list.edit(user, field, value) {
            Ok(()) => StepResult::ok([RuleId::OpEdit, RuleId::AList]),
            Err(r) => StepResult::refused(r, [RuleId::OpEdit, RuleId::AList]),
        }
    }

    /// OP-LOGON: the first logon names the folders in the client's language (Q188856).
    fn logon(&mut self, alias: &Alias, language: Language) -> StepResult {
        let Some(id) = self.directory.mailbox_by_alias(alias) else {
            let r = Refusal::NoSuchMailbox {
                alias: alias.to_string(),
            };
            return StepResult::refused(r, [RuleId::OpLogon]);
        };
        if Arc::make_mut(&mut self.store)
            .open(id, language)
            .created_folders()
        {
            StepResult::ok([RuleId::OpLogon, RuleId::AStore, RuleId::ALang])
        } else {
            StepResult::ok([RuleId::OpLogon, RuleId::AStore])
        }
    }

    /// The observable state, as the run report shows it.
    pub fn observe(&self) -> Observation {
        let mut seen = Observation::default();
        self.observe_into(&mut seen);
        seen
    }

    /// The observation of a server no longer needed: as [`Server::observe`], with the event
    /// log moved rather than copied (a replay of 500,000 steps logs as many summaries).
    pub fn into_observation(mut self) -> Observation {
        let log = std::mem::take(&mut self.log);
        let mut seen = self.observe();
        seen.events = Arc::try_unwrap(log)
            .map_or_else(|shared| shared.entries().to_vec(), EventLog::into_entries);
        seen
    }

    /// [`observe`](Server::observe) into an observation made before, reusing its texts'
    /// buffers: the checker observes the implementation on every edge it takes, into the
    /// same observation, and fresh texts were a third of its allocations.
    ///
    /// ```
    /// use migwiz::{MsMailUser, Operation, Phase, Server, Setup, Version};
    /// let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
    /// let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
    /// let mut server = Server::new(&setup);
    /// let mut seen = server.observe();
    /// server.apply(&Operation::wizard(Version::V50, Phase::Full));
    /// server.observe_into(&mut seen);
    /// assert_eq!(seen, server.observe());
    /// assert_eq!(seen.mailboxes[0].mail[0].count, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observe_into(&self, into: &mut Observation) {
        let Observation {
            events,
            mailboxes,
            custom_recipients,
            msmail,
            user_list,
            files,
        } = into;
        events.clear();
        events.extend_from_slice(self.log.entries());
        refill(
            mailboxes,
            self.directory.mailboxes(),
            |view, (id, mailbox)| self.mailbox_view_into(id, mailbox, view),
        );
        refill(
            custom_recipients,
            self.directory.custom_recipients(),
            |view, (_, cr)| {
                // Every field named, so that one added is not left as the last state had it.
                let CustomRecipientView {
                    alias,
                    address,
                    container,
                } = view;
                set(alias, cr.alias().as_str());
                set(address, cr.proxy().as_str());
                set(container, cr.container().as_str());
            },
        );
        refill(
            msmail,
            self.postoffice.users().iter().enumerate(),
            |view, (i, u)| {
                let WaitingView {
                    address,
                    waiting,
                    client,
                    password_in_step,
                    received,
                    dated,
                } = view;
                let (count, mmf, since, by_date) = self.postoffice.seen_at(i);
                dated.clear();
                for (date, count) in by_date {
                    dated.push(DatedView {
                        date: date.to_string(),
                        count: count as u32,
                    });
                }
                set(address, u.address.as_str());
                *waiting = count as u32;
                *client = if mmf.locked { "open" } else { "closed" };
                *password_in_step = !mmf.out_of_step;
                *received = since;
            },
        );
        match &self.user_list {
            Some(list) => refill(
                user_list.get_or_insert_default(),
                list.rows().iter(),
                |view, row| self.row_view_into(row, view),
            ),
            None => *user_list = None,
        }
        refill(files, self.files.iter(), |view, (path, text)| {
            set(&mut view.path, path.as_str());
            set(&mut view.text, text);
        });
    }

    /// One row of the user list with the columns of Q150438 (A-LIST), written over `view`.
    fn row_view_into(&self, row: &userlist::Row, view: &mut UserListRow) {
        // Every field named, so that one added is not left as the last state had it.
        let UserListRow {
            user,
            sfs_user_name,
            sfs_full_name,
            migrate_user,
            obj_class,
            mode,
            common_name,
            display_name,
            home_server,
            secondary_proxy_addresses,
        } = view;
        let full_name = self
            .postoffice
            .user(&row.user)
            .and_then(|u| u.name.as_deref());
        set(user, row.user.as_str());
        set(sfs_user_name, row.user.mailbox());
        set(sfs_full_name, full_name.unwrap_or_default());
        set(migrate_user, if row.migrate { "Y" } else { "N" });
        set(obj_class, "Mailbox");
        set(
            mode,
            match row.mode {
                userlist::RowMode::Create => "Create",
                userlist::RowMode::Update => "",
            },
        );
        set(common_name, row.common_name.as_str());
        set(display_name, full_name.unwrap_or_default());
        set(home_server, "~SERVER");
        match (secondary_proxy_addresses, &row.secondary) {
            (Some(text), Some(p)) => set(text, p.as_str()),
            (slot, p) => *slot = p.as_ref().map(|p| p.as_str().to_owned()),
        }
    }

    /// One mailbox as the report shows it, found by its alias, without observing the rest.
    pub fn mailbox(&self, alias: &str) -> Option<MailboxView> {
        let id = self.directory.mailbox_by_alias(&Alias::new(alias).ok()?)?;
        Some(self.mailbox_view(id, self.directory.mailbox(id)?))
    }

    /// How many rows the user list has, if one was extracted.
    pub fn user_list_rows(&self) -> Option<usize> {
        self.user_list.as_ref().map(|l| l.rows().len())
    }

    fn mailbox_view(&self, id: MailboxId, mailbox: &directory::Mailbox) -> MailboxView {
        let mut view = MailboxView::default();
        self.mailbox_view_into(id, mailbox, &mut view);
        view
    }

    /// One mailbox's view, written over `view`. Texts are copied as they are (`as_str`),
    /// not through a formatter, into the buffers `view` has: this runs on every edge the
    /// checker takes.
    fn mailbox_view_into(
        &self,
        id: MailboxId,
        mailbox: &directory::Mailbox,
        view: &mut MailboxView,
    ) {
        let MailboxView {
            alias,
            container,
            directory_name,
            proxies,
            folders,
            folder_language,
            mail,
            created_for,
            calendar,
        } = view;
        let language = self.store.folder_language(id);
        folders.clear();
        if let Some(l) = language {
            folders.extend(folder_names(l));
        }
        *folder_language = language;
        set(alias, mailbox.alias().as_str());
        set(container, mailbox.container().as_str());
        set(directory_name, mailbox.directory_name().as_str());
        refill(proxies, mailbox.proxies().iter(), |text, p| {
            set(text, p.as_str())
        });
        let mut per_owner: BTreeMap<&MsMailAddress, u32> = BTreeMap::new();
        for run in self.store.inbox(id) {
            // A user holds at most u32::MAX messages (OP-DELIVER refuses more).
            *per_owner.entry(&run.owner).or_default() += run.count as u32;
        }
        // Mail only reaches an opened mailbox, so the Inbox has its name.
        let inbox = folders.first().copied().unwrap_or_default();
        refill(mail, per_owner.into_iter(), |view, (owner, n)| {
            let MailView {
                folder,
                owner: text,
                count,
                calendar,
                attachment,
            } = view;
            *folder = inbox;
            set(text, owner.as_str());
            *count = n;
            *calendar = false;
            *attachment = None;
        });
        // B-SCHED: the calendar messages, after the MS Mail owners' mail.
        let schedules = self.store.schedules(id);
        *calendar = !schedules.is_empty();
        for attachment in schedules.iter().filter_map(|s| s.message.clone()) {
            mail.push(MailView {
                folder: inbox,
                owner: String::new(),
                count: 1,
                calendar: true,
                attachment: Some(attachment),
            });
        }
        match (created_for, mailbox.created_for()) {
            (Some(text), Some(user)) => set(text, user.as_str()),
            (slot, user) => *slot = user.map(|u| u.as_str().to_owned()),
        }
    }
}

/// `text` made `value`, in the buffer it has.
fn set(text: &mut String, value: &str) {
    text.clear();
    text.push_str(value);
}

/// `views` made one view per item, in order: the views it has are written over by `fill`,
/// new ones start from their `Default`, and those left over are dropped.
fn refill<V: Default, T>(
    views: &mut Vec<V>,
    items: impl Iterator<Item = T>,
    fill: impl Fn(&mut V, T),
) {
    let mut n = 0;
    for item in items {
        if n == views.len() {
            views.push(V::default());
        }
        fill(&mut views[n], item);
        n += 1;
    }
    views.truncate(n);
}

/// A step naming an MS Mail user the post office does not have: refused, nothing changes.
fn unknown_user(user: &MsMailAddress, rule: RuleId) -> StepResult {
    let user = user.to_string();
    StepResult::refused(Refusal::UnknownUser { user }, [rule])
}
