//! The Exchange Migration Wizard, versions 5.0, 5.5 and 5.5 SP1 (rules W-*).
//!
//! Step one creates mailboxes for MS Mail users; step two finds each user's mailbox and
//! moves the waiting mail into its Inbox. How a version finds the mailbox is the whole
//! story of Q242184: 5.0 by alias (W-2-50), 5.5 by MIGRATE proxy (W-2-55), 5.5 SP1 by
//! MIGRATE proxy and then by MS proxy (W-2-55SP).

use std::collections::BTreeSet;

use crate::server::directory::{Directory, MailboxId, NewMailbox};
use crate::server::eventlog::{mapi_logon_failure, EventLog};
use crate::server::postoffice::PostOffice;
use crate::server::store::InformationStore;
use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::language::Language;
use crate::vocabulary::operation::{Phase, Version};
use crate::vocabulary::outcome::{FoundBy, Outcome, Refusal, StepResult, UserResult};
use crate::vocabulary::rules::RuleId;

/// The parts of the server the wizard works on, borrowed for one run.
#[derive(Debug)]
pub struct Exchange<'a> {
    /// The directory.
    pub directory: &'a mut Directory,
    /// The information store.
    pub store: &'a mut InformationStore,
    /// The MS Mail post office being migrated.
    pub postoffice: &'a mut PostOffice,
    /// The application event log.
    pub log: &'a mut EventLog,
    /// The language the wizard's own logon speaks (W-OPEN).
    pub server_language: Language,
}

/// The rule a phase is carried by: OP-STEP1, OP-STEP2 or OP-FULL.
fn phase_rule(phase: Phase) -> RuleId {
    match phase {
        Phase::Create => RuleId::OpStep1,
        Phase::Migrate => RuleId::OpStep2,
        Phase::Full => RuleId::OpFull,
    }
}

/// Why a run stopped early.
enum Stop {
    /// W-7026: no mailbox for this user.
    NotFound(MsMailAddress),
    /// The directory refused a write the wizard needed (cannot happen under the rules;
    /// reported rather than panicking).
    Refused(Refusal),
}

/// Runs the wizard: for each chosen user in order, step one and/or step two (OP-FULL).
///
/// ```
/// use migwiz::{MsMailUser, Operation, Outcome, Phase, Server, Setup, Version};
///
/// let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
/// let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
/// let mut server = Server::new(&setup);
/// let run = Operation::Wizard { version: Version::V55, phase: Phase::Full, users: None };
/// assert_eq!(server.apply(&run).outcome, Outcome::Ok);
/// assert_eq!(server.observe().mailboxes[0].mail[0].count, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    version: Version,
    phase: Phase,
    users: &[MsMailAddress],
    ex: &mut Exchange<'_>,
) -> StepResult {
    let mut rules = BTreeSet::from([phase_rule(phase)]);
    if let Some(unknown) = users.iter().find(|u| !ex.postoffice.has_user(u)) {
        let refusal = Refusal::UnknownUser {
            user: unknown.to_string(),
        };
        return StepResult::new(Outcome::Refused(refusal), rules);
    }
    let mut done = Vec::new();
    let mut stop = None;
    for user in users {
        if phase != Phase::Migrate {
            if let Err(s) = step_one(version, user, ex, &mut rules, &mut done) {
                stop = Some(s);
                break;
            }
        }
        if phase != Phase::Create {
            if let Err(s) = step_two(version, user, ex, &mut rules, &mut done) {
                stop = Some(s);
                break;
            }
        }
    }
    let outcome = match stop {
        None => Outcome::Ok,
        Some(Stop::NotFound(user)) => Outcome::Aborted {
            user,
            event: mapi_logon_failure(),
        },
        Some(Stop::Refused(refusal)) => Outcome::Refused(refusal),
    };
    StepResult {
        outcome,
        rules,
        users: done,
    }
}

/// Finds the user's mailbox the way `version` does (W-2-50, W-2-55, W-2-55SP), noting
/// the rules consulted.
fn find_mailbox(
    version: Version,
    user: &MsMailAddress,
    directory: &Directory,
    consulted: &mut Vec<RuleId>,
) -> Option<(MailboxId, FoundBy)> {
    match version {
        Version::V50 => {
            consulted.push(RuleId::W250);
            // The MS Mail mailbox name is 1 to 10 letters or digits, so always an alias.
            let alias = Alias::new(user.mailbox()).ok()?;
            directory
                .mailbox_by_alias(&alias)
                .map(|id| (id, FoundBy::Alias))
        }
        Version::V55 | Version::V55Sp1 => {
            consulted.push(RuleId::W255);
            if let Some(id) = directory.mailbox_with(&ProxyAddress::migrate_for(user)) {
                return Some((id, FoundBy::MigrateProxy));
            }
            if version == Version::V55 {
                return None;
            }
            consulted.extend([RuleId::W255Sp, RuleId::AMs]);
            directory
                .mailbox_with(&ProxyAddress::ms_for(user, true))
                .map(|id| (id, FoundBy::MsProxy))
        }
    }
}

fn alias_of(directory: &Directory, id: MailboxId) -> String {
    directory
        .mailbox(id)
        .map(|m| m.alias().to_string())
        .unwrap_or_default()
}

/// Step one for one user (W-1, W-1-CR, W-1-CR-RTM, W-1-50, W-1-EXIST).
fn step_one(
    version: Version,
    user: &MsMailAddress,
    ex: &mut Exchange<'_>,
    rules: &mut BTreeSet<RuleId>,
    done: &mut Vec<UserResult>,
) -> Result<(), Stop> {
    let mut consulted = Vec::new();
    if let Some((id, found_by)) = find_mailbox(version, user, ex.directory, &mut consulted) {
        rules.insert(RuleId::W1Exist);
        rules.extend(consulted);
        done.push(UserResult::Existing {
            user: user.clone(),
            alias: alias_of(ex.directory, id),
            found_by,
        });
        return Ok(());
    }
    let mut extra = Vec::new();
    let mut replaced = None;
    match version {
        Version::V50 => {
            // W-1-50: no MIGRATE proxy, and a custom recipient is left alone (Q234665).
            rules.insert(RuleId::W150);
        }
        Version::V55 | Version::V55Sp1 => {
            if let Some(cr) = ex.directory.custom_recipient_for(user) {
                rules.insert(RuleId::W1Cr);
                let cr = ex.directory.delete_custom_recipient(cr);
                replaced = cr.map(|c| c.alias().to_string());
                extra.push(ProxyAddress::ms_for(user, false));
            }
            if replaced.is_some() && version == Version::V55 {
                // W-1-CR-RTM: 5.5 before SP1 forgets the MIGRATE proxy here (Q183312).
                rules.insert(RuleId::W1CrRtm);
            } else {
                rules.insert(RuleId::W1);
                extra.push(ProxyAddress::migrate_for(user));
            }
        }
    }
    let alias = ex.directory.first_free_alias(user);
    if alias.as_str() != user.mailbox() {
        rules.insert(RuleId::AAlias);
    }
    let new = NewMailbox {
        extra_proxies: extra,
        created_for: Some(user.clone()),
    };
    let created = ex
        .directory
        .create_mailbox(alias.clone(), new)
        .map_err(Stop::Refused)?;
    rules.insert(RuleId::ASite);
    if created.renumbered {
        rules.insert(RuleId::AUnique);
    }
    done.push(UserResult::Created {
        user: user.clone(),
        alias: alias.to_string(),
        replaced,
    });
    Ok(())
}

/// Step two for one user (W-2-*, W-OPEN, W-ONCE, W-7026).
fn step_two(
    version: Version,
    user: &MsMailAddress,
    ex: &mut Exchange<'_>,
    rules: &mut BTreeSet<RuleId>,
    done: &mut Vec<UserResult>,
) -> Result<(), Stop> {
    let mut consulted = Vec::new();
    let found = find_mailbox(version, user, ex.directory, &mut consulted);
    rules.extend(consulted);
    let Some((id, found_by)) = found else {
        // W-7026: log, leave the user's mail where it is, and stop the run.
        rules.extend([RuleId::W7026, RuleId::ALog]);
        ex.log.write(mapi_logon_failure());
        done.push(UserResult::NotFound { user: user.clone() });
        return Err(Stop::NotFound(user.clone()));
    };
    let mut mailbox = ex.store.open(id, ex.server_language);
    if mailbox.created_folders() {
        rules.extend([RuleId::WOpen, RuleId::AStore, RuleId::ALang]);
    }
    let had = ex.postoffice.user(user).map_or(0, |u| u.messages);
    let mail = ex.postoffice.take_waiting(user);
    // W-ONCE: only waiting mail moves; what an earlier run moved is not moved again.
    if (mail.len() as u32) < had {
        rules.insert(RuleId::WOnce);
    }
    let messages = mail.len() as u32;
    if messages > 0 {
        rules.insert(RuleId::AStore);
        mailbox.deliver_to_inbox(mail);
    }
    done.push(UserResult::Migrated {
        user: user.clone(),
        alias: alias_of(ex.directory, id),
        found_by,
        messages,
    });
    Ok(())
}
