//! The implementation: an Exchange server with its directory, information store and event
//! log, beside the MS Mail post office being migrated. [`Server::apply`] carries out one
//! [`Operation`]; [`Server::observe`] shows the state the way the run report does.

use std::collections::BTreeMap;

use crate::address::{Alias, MsMailAddress};
use crate::directory::{Directory, NewMailbox};
use crate::eventlog::EventLog;
use crate::observe::{CustomRecipientView, MailView, MailboxView, Observation, WaitingView};
use crate::operation::{Operation, Refusal, Setup, StepResult};
use crate::postoffice::{PostOffice, PostOfficeError};
use crate::rules::RuleId;
use crate::store::{InformationStore, Language};
use crate::wizard::{self, Exchange};

/// The implementation of the whole world.
#[derive(Debug, Clone)]
pub struct Server {
    setup: Setup,
    directory: Directory,
    store: InformationStore,
    postoffice: PostOffice,
    log: EventLog,
}

impl Server {
    /// A server with an empty directory beside the given post office.
    pub fn new(setup: &Setup) -> Result<Server, PostOfficeError> {
        Ok(Server {
            directory: Directory::new(setup.site.clone()),
            store: InformationStore::default(),
            postoffice: PostOffice::new(setup.users.clone())?,
            log: EventLog::default(),
            setup: setup.clone(),
        })
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The information store.
    pub fn store(&self) -> &InformationStore {
        &self.store
    }

    /// The MS Mail post office.
    pub fn postoffice(&self) -> &PostOffice {
        &self.postoffice
    }

    /// The application event log.
    pub fn event_log(&self) -> &EventLog {
        &self.log
    }

    /// Carries out one operation and says what it came to and which rules decided it.
    pub fn apply(&mut self, op: &Operation) -> StepResult {
        match op {
            Operation::CreateMailbox { alias, name } => {
                let new = NewMailbox {
                    display_name: name.clone(),
                    ..NewMailbox::default()
                };
                match self.directory.create_mailbox(alias.clone(), new) {
                    Ok(created) if created.renumbered => {
                        StepResult::ok([RuleId::OpCreate, RuleId::ASite, RuleId::AUnique])
                    }
                    Ok(_) => StepResult::ok([RuleId::OpCreate, RuleId::ASite]),
                    Err(r) => StepResult::refused(r, [RuleId::OpCreate, RuleId::AAlias]),
                }
            }
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
            Operation::CustomRecipient { alias, address } => {
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
            Operation::Wizard {
                version,
                phase,
                users,
            } => {
                let users = self.setup.chosen_users(users);
                let mut ex = Exchange {
                    directory: &mut self.directory,
                    store: &mut self.store,
                    postoffice: &mut self.postoffice,
                    log: &mut self.log,
                    server_language: self.setup.server_language,
                };
                wizard::run(*version, *phase, &users, &mut ex)
            }
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
        let mailboxes = self
            .directory
            .mailboxes()
            .map(|(id, mailbox)| {
                let language = self.store.folder_language(id);
                let mut mail: BTreeMap<(String, MsMailAddress), u32> = BTreeMap::new();
                for (folder, message) in self.store.messages(id) {
                    let name = language.map_or("?", |l| l.folder_name(folder));
                    *mail
                        .entry((name.to_string(), message.owner.clone()))
                        .or_default() += 1;
                }
                MailboxView {
                    alias: mailbox.alias().to_string(),
                    proxies: mailbox.proxies().iter().map(ToString::to_string).collect(),
                    folders: language
                        .map(|l| l.folder_names().iter().map(|n| n.to_string()).collect())
                        .unwrap_or_default(),
                    mail: mail
                        .into_iter()
                        .map(|((folder, owner), count)| MailView {
                            folder,
                            owner: owner.to_string(),
                            count,
                        })
                        .collect(),
                    created_for: mailbox.created_for().map(ToString::to_string),
                }
            })
            .collect();
        Observation {
            events: self.log.entries().to_vec(),
            mailboxes,
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
}
