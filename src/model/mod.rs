//! The reference model: `spec/RULES.md` (after KB Q242184, Q183312, Q182665, Q188856,
//! Q234665, Q116466) written as plain data and plain loops.
//!
//! No indexes, no ids, no cleverness: every lookup is a loop over a `Vec`, every address is
//! a string compared without case. It shares with the implementation only the
//! [`vocabulary`](crate::vocabulary) (steps, results, typed addresses, the observation).
//! Everything it decides it states again here: the site addresses and their numbering
//! (A-SITE), the folder names of every language (A-LANG), the text of event 7026 (W-7026),
//! and what happens in which order, so that the state machine test can hold the two
//! halves against each other. `tests/layers.rs` keeps it that way: it fails if this module
//! imports anything outside the vocabulary.
//!
//! ```
//! use migwiz::{Model, MsMailUser, Operation, Outcome, Phase, Setup, Version};
//!
//! let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
//! let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
//! let mut model = Model::new(&setup);
//! model.apply(&Operation::CreateMailbox { alias: "JDOE".parse()?, name: None });
//! let step_two = Operation::Wizard { version: Version::V55, phase: Phase::Migrate, users: None };
//! assert!(matches!(model.apply(&step_two).outcome, Outcome::Aborted { .. })); // Q242184 SYMPTOMS
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::vocabulary::address::{Alias, MsMailAddress, Site};
use crate::vocabulary::event::Event;
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::{
    CustomRecipientView, MailView, MailboxView, Observation, WaitingView,
};
use crate::vocabulary::operation::{Operation, Phase, Version};
use crate::vocabulary::outcome::{FoundBy, Outcome, Refusal, StepResult, UserResult};
use crate::vocabulary::rules::RuleId::{self, *};
use crate::vocabulary::setup::Setup;

/// An MS Mail user and how much of its mail still waits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct User {
    /// `NET/PO/MAILBOX`, upper case.
    pub address: String,
    /// The same address, typed, for the results the model reports.
    pub typed: MsMailAddress,
    /// The mailbox part: the alias 5.0 looks for.
    pub mailbox_name: String,
    /// Messages it started with.
    pub messages: u32,
    /// Messages still in MS Mail.
    pub waiting: u32,
}

/// A mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// Alias as written.
    pub alias: String,
    /// `TYPE:value` strings in the order added.
    pub proxies: Vec<String>,
    /// The language of the default folders, once they exist.
    pub folders: Option<Language>,
    /// Migrated messages in the Inbox, per owner.
    pub inbox: Vec<(String, u32)>,
    /// The MS Mail user step one created it for.
    pub created_for: Option<String>,
}

/// A custom recipient: alias and the MS Mail user it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomRecipient {
    /// Alias as written.
    pub alias: String,
    /// `NET/PO/MAILBOX`; the recipient's address is `MS:` this.
    pub address: String,
}

/// The whole world of the reference model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Model {
    /// Names that build new addresses.
    pub site: Site,
    /// The wizard's language.
    pub server_language: Language,
    /// The post office.
    pub users: Vec<User>,
    /// Mailboxes in creation order.
    pub mailboxes: Vec<Mailbox>,
    /// Custom recipients in creation order.
    pub custom_recipients: Vec<CustomRecipient>,
    /// The application event log.
    pub events: Vec<Event>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A-PROXY: the type is written upper case for a primary address.
fn is_primary(proxy: &str) -> bool {
    let kind = proxy.split(':').next().unwrap_or("");
    kind.chars().any(|c| c.is_ascii_uppercase())
}

fn kind_of(proxy: &str) -> &str {
    proxy.split(':').next().unwrap_or("")
}

/// A-LANG: the default folders a client creates, Inbox first, in its language.
fn folder_names(language: Language) -> [&'static str; 4] {
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
fn site_addresses(site: &Site, alias: &str, n: u32) -> [String; 3] {
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
    [
        format!("SMTP:{alias}{number}@{domain}"),
        format!("MS:{org}/{site_name}/{name}{number}"),
        format!("X400:c=US;a= ;p={org};o={site_name};s={alias}{number};"),
    ]
}

/// W-7026: the event Q242184 SYMPTOMS quotes.
fn event_7026() -> Event {
    Event {
        id: 7026,
        source: "MSExchangeMig".to_string(),
        kind: "Error".to_string(),
        category: "None".to_string(),
        description: "Migration Aborted due to Mapi logon failure.".to_string(),
    }
}

impl Model {
    /// The world before the first step.
    pub fn new(setup: &Setup) -> Model {
        let mut users = Vec::new();
        for u in setup.users() {
            users.push(User {
                address: u.address.to_string(),
                typed: u.address.clone(),
                mailbox_name: u.address.mailbox().to_string(),
                messages: u.messages,
                waiting: u.messages,
            });
        }
        Model {
            site: setup.site().clone(),
            server_language: setup.server_language(),
            users,
            mailboxes: Vec::new(),
            custom_recipients: Vec::new(),
            events: Vec::new(),
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
            if same(&format!("MS:{}", c.address), address) {
                return Some(c.alias.clone());
            }
        }
        None
    }

    fn mailbox_index(&self, alias: &str) -> Option<usize> {
        self.mailboxes.iter().position(|m| same(&m.alias, alias))
    }

    /// Carries out one step.
    pub fn apply(&mut self, op: &Operation) -> StepResult {
        match op {
            Operation::CreateMailbox { alias, .. } => self.create_mailbox(alias),
            Operation::Logon { alias, language } => self.logon(alias.as_str(), *language),
            Operation::AddProxy { alias, address } => {
                self.add_proxy(alias.as_str(), &address.to_string())
            }
            Operation::RemoveProxy { alias, address } => {
                self.remove_proxy(alias.as_str(), &address.to_string())
            }
            Operation::CustomRecipient { alias, address } => {
                self.custom_recipient(alias.as_str(), &address.to_string())
            }
            Operation::Wizard {
                version,
                phase,
                users,
            } => {
                // No list means every user, in post office order.
                let chosen: Vec<String> = match users {
                    Some(list) => list.iter().map(|u| u.to_string()).collect(),
                    None => self.users.iter().map(|u| u.address.clone()).collect(),
                };
                self.wizard(*version, *phase, &chosen)
            }
        }
    }

    /// OP-CREATE: A-SITE addresses, never a MIGRATE proxy (Q242184 CAUSE).
    fn create_mailbox(&mut self, alias: &Alias) -> StepResult {
        if let Some(holder) = self.alias_holder(alias.as_str()) {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::AliasTaken { alias, holder }, [OpCreate, AAlias]);
        }
        if self.create(alias.as_str(), Vec::new(), None) {
            StepResult::ok([OpCreate, ASite, AUnique])
        } else {
            StepResult::ok([OpCreate, ASite])
        }
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
            let address = address.to_string();
            return StepResult::refused(
                Refusal::AddressTaken { address, holder },
                [OpProxy, AUnique],
            );
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
    /// user's MS address (A-MS); refused under A-ALIAS and A-UNIQUE.
    fn custom_recipient(&mut self, alias: &str, user: &str) -> StepResult {
        if let Some(holder) = self.alias_holder(alias) {
            let alias = alias.to_string();
            return StepResult::refused(Refusal::AliasTaken { alias, holder }, [OpCr, ACr, AAlias]);
        }
        let address = format!("MS:{user}");
        if let Some(holder) = self.address_holder(&address) {
            let r = Refusal::AddressTaken { address, holder };
            return StepResult::refused(r, [OpCr, ACr, AUnique]);
        }
        self.custom_recipients.push(CustomRecipient {
            alias: alias.to_string(),
            address: user.to_string(),
        });
        StepResult::ok([OpCr, ACr, AMs])
    }

    /// Adds a mailbox with its A-SITE addresses (numbered when taken) and the extras.
    /// Returns whether any site address needed a number.
    fn create(&mut self, alias: &str, extra: Vec<String>, created_for: Option<String>) -> bool {
        let mut proxies = Vec::new();
        let mut renumbered = false;
        for slot in 0..3 {
            let mut n = 1;
            loop {
                let candidate = site_addresses(&self.site, alias, n)[slot].clone();
                let reserved = extra.iter().any(|e| same(e, &candidate));
                if self.address_holder(&candidate).is_none() && !reserved {
                    proxies.push(candidate);
                    break;
                }
                renumbered = true;
                n += 1;
            }
        }
        proxies.extend(extra);
        self.mailboxes.push(Mailbox {
            alias: alias.to_string(),
            proxies,
            folders: None,
            inbox: Vec::new(),
            created_for,
        });
        renumbered
    }

    /// How `version` looks for the user's mailbox (W-2-50, W-2-55, W-2-55SP).
    fn find(
        &self,
        version: Version,
        user: &User,
        rules: &mut Vec<RuleId>,
    ) -> Option<(usize, FoundBy)> {
        if version == Version::V50 {
            rules.push(W250);
            for (i, m) in self.mailboxes.iter().enumerate() {
                if same(&m.alias, &user.mailbox_name) {
                    return Some((i, FoundBy::Alias));
                }
            }
            return None;
        }
        rules.push(W255);
        let migrate = format!("migrate:MS:{}", user.address);
        for (i, m) in self.mailboxes.iter().enumerate() {
            if m.proxies.iter().any(|p| same(p, &migrate)) {
                return Some((i, FoundBy::MigrateProxy));
            }
        }
        if version == Version::V55Sp1 {
            // W-2-55SP: SP1 falls back to the MS proxy equal to the user's A-MS address.
            rules.extend([W255Sp, AMs]);
            let ms = format!("MS:{}", user.address);
            for (i, m) in self.mailboxes.iter().enumerate() {
                if m.proxies.iter().any(|p| same(p, &ms)) {
                    return Some((i, FoundBy::MsProxy));
                }
            }
        }
        None
    }

    /// The wizard (OP-STEP1, OP-STEP2, OP-FULL): user by user, step one then step two.
    fn wizard(&mut self, version: Version, phase: Phase, chosen: &[String]) -> StepResult {
        let mut rules = vec![match phase {
            Phase::Create => OpStep1,
            Phase::Migrate => OpStep2,
            Phase::Full => OpFull,
        }];
        let mut done = Vec::new();
        // A step naming a user the post office does not have does nothing at all.
        let mut picked = Vec::new();
        for address in chosen {
            match self.users.iter().position(|u| &u.address == address) {
                Some(u) => picked.push(u),
                None => {
                    let user = address.clone();
                    return StepResult::new(Outcome::Refused(Refusal::UnknownUser { user }), rules);
                }
            }
        }
        for u in picked {
            if phase != Phase::Migrate {
                self.step_one(version, u, &mut rules, &mut done);
            }
            if phase != Phase::Create && !self.step_two(version, u, &mut rules, &mut done) {
                // W-7026: "Migration Aborted": the users after this one are not reached.
                let user = self.users[u].typed.clone();
                let outcome = Outcome::Aborted {
                    user,
                    event: event_7026(),
                };
                return StepResult {
                    outcome,
                    rules: rules.into_iter().collect(),
                    users: done,
                };
            }
        }
        StepResult {
            outcome: Outcome::Ok,
            rules: rules.into_iter().collect(),
            users: done,
        }
    }

    fn step_one(
        &mut self,
        version: Version,
        u: usize,
        rules: &mut Vec<RuleId>,
        done: &mut Vec<UserResult>,
    ) {
        let user = self.users[u].clone();
        let address = user.typed.clone();
        // W-1-EXIST: nothing new for a user whose mailbox this version can find.
        let mut consulted = Vec::new();
        if let Some((i, found_by)) = self.find(version, &user, &mut consulted) {
            rules.push(W1Exist);
            rules.extend(consulted);
            let alias = self.mailboxes[i].alias.clone();
            done.push(UserResult::Existing {
                user: address,
                alias,
                found_by,
            });
            return;
        }
        let mut extra = Vec::new();
        let mut replaced = None;
        if version == Version::V50 {
            // W-1-50: alias from the mailbox name, no MIGRATE, custom recipient kept.
            rules.push(W150);
        } else {
            // W-1-CR: the custom recipient goes, its address stays as a secondary MS proxy.
            for c in 0..self.custom_recipients.len() {
                if same(&self.custom_recipients[c].address, &user.address) {
                    replaced = Some(self.custom_recipients.remove(c).alias);
                    extra.push(format!("ms:{}", user.address));
                    rules.push(W1Cr);
                    break;
                }
            }
            if replaced.is_some() && version == Version::V55 {
                // W-1-CR-RTM (Q183312): before SP1, no MIGRATE proxy on this path.
                rules.push(W1CrRtm);
            } else {
                rules.push(W1);
                extra.push(format!("migrate:MS:{}", user.address));
            }
        }
        // W-1: alias from the MS Mail mailbox name, made unique with 2, 3, …
        let mut alias = user.mailbox_name.clone();
        let mut n = 2;
        while self.alias_holder(&alias).is_some() {
            alias = format!("{}{n}", user.mailbox_name);
            n += 1;
        }
        if alias != user.mailbox_name {
            rules.push(AAlias);
        }
        if self.create(&alias, extra, Some(user.address.clone())) {
            rules.push(AUnique);
        }
        rules.push(ASite);
        done.push(UserResult::Created {
            user: address,
            alias,
            replaced,
        });
    }

    /// Step two for one user; false when no mailbox was found (W-7026).
    fn step_two(
        &mut self,
        version: Version,
        u: usize,
        rules: &mut Vec<RuleId>,
        done: &mut Vec<UserResult>,
    ) -> bool {
        let user = self.users[u].clone();
        let address = user.typed.clone();
        let Some((i, found_by)) = self.find(version, &user, rules) else {
            // W-7026, A-LOG: event 7026 in the application event log.
            rules.extend([W7026, ALog]);
            self.events.push(event_7026());
            done.push(UserResult::NotFound { user: address });
            return false; // I-ABORT: the user's mail is not touched
        };
        // W-OPEN: the wizard's logon creates missing folders in the server's language.
        if self.mailboxes[i].folders.is_none() {
            self.mailboxes[i].folders = Some(self.server_language);
            rules.extend([WOpen, AStore, ALang]);
        }
        // W-ONCE: only what still waits moves.
        if user.waiting < user.messages {
            rules.push(WOnce);
        }
        let moving = user.waiting;
        if moving > 0 {
            // A-STORE: migrated mail goes into the Inbox, whatever its name.
            rules.push(AStore);
            let mailbox = &mut self.mailboxes[i];
            match mailbox
                .inbox
                .iter()
                .position(|(owner, _)| owner == &user.address)
            {
                Some(k) => mailbox.inbox[k].1 += moving,
                None => mailbox.inbox.push((user.address.clone(), moving)),
            }
            self.users[u].waiting = 0;
        }
        let alias = self.mailboxes[i].alias.clone();
        done.push(UserResult::Migrated {
            user: address,
            alias,
            found_by,
            messages: moving,
        });
        true
    }

    /// The observable state.
    pub fn observe(&self) -> Observation {
        let mut mailboxes = Vec::new();
        for m in &self.mailboxes {
            let mut folders = Vec::new();
            let mut mail = Vec::new();
            if let Some(language) = m.folders {
                for name in folder_names(language) {
                    folders.push(name.to_string());
                }
                let mut inbox = m.inbox.clone();
                inbox.sort();
                for (owner, count) in inbox {
                    let folder = folders[0].clone();
                    mail.push(MailView {
                        folder,
                        owner,
                        count,
                    });
                }
            }
            mailboxes.push(MailboxView {
                alias: m.alias.clone(),
                proxies: m.proxies.clone(),
                folders,
                folder_language: m.folders,
                mail,
                created_for: m.created_for.clone(),
            });
        }
        let mut custom_recipients = Vec::new();
        for c in &self.custom_recipients {
            custom_recipients.push(CustomRecipientView {
                alias: c.alias.clone(),
                address: format!("MS:{}", c.address),
            });
        }
        let mut msmail = Vec::new();
        for u in &self.users {
            msmail.push(WaitingView {
                address: u.address.clone(),
                waiting: u.waiting,
            });
        }
        Observation {
            events: self.events.clone(),
            mailboxes,
            custom_recipients,
            msmail,
        }
    }
}
