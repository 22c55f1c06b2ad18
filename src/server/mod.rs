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
//! server.apply(&Operation::CreateMailbox { alias: "JDOE".parse()?, name: None });
//! let step_two = Operation::Wizard { version: Version::V55, phase: Phase::Migrate, users: None };
//! assert!(matches!(server.apply(&step_two).outcome, Outcome::Aborted { .. })); // Q242184
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod directory;
pub mod eventlog;
pub mod postoffice;
pub mod site;
pub mod store;
pub mod wizard;

use std::collections::BTreeMap;

use crate::vocabulary::address::{Alias, MsMailAddress};
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::{
    CustomRecipientView, MailView, MailboxView, Observation, WaitingView,
};
use crate::vocabulary::operation::Operation;
use crate::vocabulary::outcome::{Refusal, StepResult};
use crate::vocabulary::rules::RuleId;
use crate::vocabulary::setup::Setup;
use directory::{Directory, MailboxId, NewMailbox};
use eventlog::EventLog;
use postoffice::{Message, PostOffice};
use store::{folder_names, InformationStore};
use wizard::Exchange;

/// The implementation of the whole world.
#[derive(Debug, Clone)]
pub struct Server {
    server_language: Language,
    directory: Directory,
    store: InformationStore,
    postoffice: PostOffice,
    log: EventLog,
}

impl Server {
    /// A server with an empty directory beside the setup's post office.
    pub fn new(setup: &Setup) -> Server {
        Server {
            server_language: setup.server_language(),
            directory: Directory::new(setup.site().clone()),
            store: InformationStore::default(),
            postoffice: PostOffice::new(setup.users()),
            log: EventLog::default(),
        }
    }

    /// Every message in the system, waiting in MS Mail or migrated into a mailbox, with
    /// its id and owner: what message-by-message conservation (I-CONSERVE) reads.
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.postoffice
            .all_waiting()
            .chain(self.store.all_messages())
    }

    /// Carries out one operation and says what it came to and which rules decided it.
    pub fn apply(&mut self, op: &Operation) -> StepResult {
        match op {
            Operation::CreateMailbox { alias, .. } => self.create_mailbox(alias),
            Operation::Logon { alias, language } => self.logon(alias, *language),
            Operation::AddProxy { alias, address } => {
                match self.directory.add_proxy(alias, address.clone()) {
                    Ok(()) => StepResult::ok([RuleId::OpProxy, RuleId::AProxy]),
                    Err(r @ Refusal::NoSuchMailbox { .. }) => {
                        StepResult::refused(r, [RuleId::OpProxy])
                    }
                    Err(r) => StepResult::refused(r, [RuleId::OpProxy, RuleId::AUnique]),
                }
            }
            Operation::RemoveProxy { alias, address } => {
                match self.directory.remove_proxy(alias, address) {
                    Ok(()) => StepResult::ok([RuleId::OpUnproxy, RuleId::AProxy]),
                    Err(r @ Refusal::NoSuchMailbox { .. }) => {
                        StepResult::refused(r, [RuleId::OpUnproxy])
                    }
                    Err(r) => StepResult::refused(r, [RuleId::OpUnproxy, RuleId::AProxy]),
                }
            }
            Operation::CustomRecipient { alias, address } => self.custom_recipient(alias, address),
            Operation::Wizard {
                version,
                phase,
                users,
            } => {
                // No list means every user, in post office order (RULES.md, scenario rules).
                let users: Vec<MsMailAddress> = match users {
                    Some(list) => list.clone(),
                    None => self
                        .postoffice
                        .users()
                        .iter()
                        .map(|u| u.address.clone())
                        .collect(),
                };
                let mut ex = Exchange {
                    directory: &mut self.directory,
                    store: &mut self.store,
                    postoffice: &mut self.postoffice,
                    log: &mut self.log,
                    server_language: self.server_language,
                };
                wizard::run(*version, *phase, &users, &mut ex)
            }
        }
    }

    /// OP-CREATE: site addresses (A-SITE), never a MIGRATE proxy (Q242184 CAUSE).
    fn create_mailbox(&mut self, alias: &Alias) -> StepResult {
        match self
            .directory
            .create_mailbox(alias.clone(), NewMailbox::default())
        {
            Ok(created) if created.renumbered => {
                StepResult::ok([RuleId::OpCreate, RuleId::ASite, RuleId::AUnique])
            }
            Ok(_) => StepResult::ok([RuleId::OpCreate, RuleId::ASite]),
            Err(r) => StepResult::refused(r, [RuleId::OpCreate, RuleId::AAlias]),
        }
    }

    /// OP-CR: directory synchronisation makes a custom recipient (A-CR).
    fn custom_recipient(&mut self, alias: &Alias, address: &MsMailAddress) -> StepResult {
        match self
            .directory
            .add_custom_recipient(alias.clone(), address.clone())
        {
            Ok(_) => StepResult::ok([RuleId::OpCr, RuleId::ACr, RuleId::AMs]),
            Err(r @ Refusal::AliasTaken { .. }) => {
                StepResult::refused(r, [RuleId::OpCr, RuleId::ACr, RuleId::AAlias])
            }
            Err(r) => StepResult::refused(r, [RuleId::OpCr, RuleId::ACr, RuleId::AUnique]),
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
        if self.store.open(id, language).created_folders() {
            StepResult::ok([RuleId::OpLogon, RuleId::AStore, RuleId::ALang])
        } else {
            StepResult::ok([RuleId::OpLogon, RuleId::AStore])
        }
    }

    /// The observable state, as the run report shows it.
    pub fn observe(&self) -> Observation {
        Observation {
            events: self.log.entries().to_vec(),
            mailboxes: self
                .directory
                .mailboxes()
                .map(|(id, mailbox)| self.mailbox_view(id, mailbox))
                .collect(),
            custom_recipients: self
                .directory
                .custom_recipients()
                .map(|(_, cr)| CustomRecipientView {
                    alias: cr.alias().to_string(),
                    address: cr.proxy().to_string(),
                })
                .collect(),
            msmail: self
                .postoffice
                .users()
                .iter()
                .map(|u| WaitingView {
                    address: u.address.to_string(),
                    waiting: self.postoffice.waiting(&u.address).len() as u32,
                })
                .collect(),
        }
    }

    fn mailbox_view(&self, id: MailboxId, mailbox: &directory::Mailbox) -> MailboxView {
        let language = self.store.folder_language(id);
        let folders: Vec<String> = language
            .map(|l| folder_names(l).iter().map(|n| n.to_string()).collect())
            .unwrap_or_default();
        let mut per_owner: BTreeMap<&MsMailAddress, u32> = BTreeMap::new();
        for message in self.store.inbox(id) {
            *per_owner.entry(&message.owner).or_default() += 1;
        }
        // Mail only reaches an opened mailbox, so the Inbox has its name.
        let inbox = folders.first().cloned().unwrap_or_default();
        MailboxView {
            alias: mailbox.alias().to_string(),
            proxies: mailbox.proxies().iter().map(ToString::to_string).collect(),
            folders,
            folder_language: language,
            mail: per_owner
                .into_iter()
                .map(|(owner, count)| MailView {
                    folder: inbox.clone(),
                    owner: owner.to_string(),
                    count,
                })
                .collect(),
            created_for: mailbox.created_for().map(ToString::to_string),
        }
    }
}
