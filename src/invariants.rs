//! The invariants of `RULES.md`, checked on what can be observed: I-CONSERVE, I-UNIQUE after
//! every step, I-ABORT and I-OWNER on every step that can break them.
//!
//! They read only [`Observation`]s and [`StepResult`]s, so the same checks run on the
//! reference model and on the implementation; [`check_messages`] adds a message-by-message
//! conservation check that only the implementation, which has message ids, can answer.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use crate::observe::{MailboxView, Observation};
use crate::operation::{Operation, Outcome, Setup, StepResult, UserResult, Version};
use crate::rules::RuleId;
use crate::server::Server;

/// A broken invariant: which one, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule} broken: {detail}")]
pub struct Violation {
    /// The invariant.
    pub rule: RuleId,
    /// What was seen.
    pub detail: String,
}

fn violation(rule: RuleId, detail: String) -> Result<(), Violation> {
    Err(Violation { rule, detail })
}

/// I-CONSERVE and I-UNIQUE: must hold after every step.
pub fn check_state(setup: &Setup, after: &Observation) -> Result<(), Violation> {
    // I-CONSERVE: per owner, waiting + delivered = what the owner started with.
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for w in &after.msmail {
        *seen.entry(w.address.clone()).or_default() += u64::from(w.waiting);
    }
    for m in &after.mailboxes {
        for mail in &m.mail {
            *seen.entry(mail.owner.clone()).or_default() += u64::from(mail.count);
        }
    }
    for user in &setup.users {
        let now = seen.remove(&user.address.to_string()).unwrap_or(0);
        if now != u64::from(user.messages) {
            return violation(
                RuleId::IConserve,
                format!(
                    "{} had {} messages, {now} are accounted for",
                    user.address, user.messages
                ),
            );
        }
    }
    if let Some((owner, n)) = seen.into_iter().find(|(_, n)| *n > 0) {
        return violation(
            RuleId::IConserve,
            format!("{n} messages of unknown owner {owner}"),
        );
    }
    // I-UNIQUE: no alias and no address held twice, compared without case.
    let mut aliases = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    let recipients = after
        .mailboxes
        .iter()
        .map(|m| (&m.alias, m.proxies.clone()))
        .chain(
            after
                .custom_recipients
                .iter()
                .map(|c| (&c.alias, vec![c.address.clone()])),
        );
    for (alias, proxies) in recipients {
        if !aliases.insert(alias.to_ascii_lowercase()) {
            return violation(RuleId::IUnique, format!("alias {alias} is held twice"));
        }
        for p in proxies {
            if !addresses.insert(p.to_ascii_lowercase()) {
                return violation(RuleId::IUnique, format!("address {p} is held twice"));
            }
        }
    }
    Ok(())
}

/// Whether a mailbox is bound to an MS Mail user: by MIGRATE proxy, by the user's MS proxy,
/// or by having been created for it in step one (I-OWNER).
pub fn bound_to(mailbox: &MailboxView, owner: &str) -> bool {
    let migrate = format!("migrate:MS:{owner}");
    let ms = format!("MS:{owner}");
    mailbox.created_for.as_deref() == Some(owner)
        || mailbox
            .proxies
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&migrate) || p.eq_ignore_ascii_case(&ms))
}

/// Deliveries of a step into mailboxes not bound to the mail's owner: `(owner, alias)`.
///
/// Allowed for 5.0, whose alias lookup is "unreliable" (Q242184); I-OWNER forbids it for
/// 5.5 and 5.5 SP1.
pub fn unbound_deliveries(result: &StepResult, after: &Observation) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for r in &result.users {
        if let UserResult::Migrated {
            user,
            alias,
            messages,
            ..
        } = r
        {
            let owner = user.to_string();
            let mailbox = after.mailboxes.iter().find(|m| &m.alias == alias);
            if *messages > 0 && !mailbox.is_some_and(|m| bound_to(m, &owner)) {
                found.push((owner, alias.clone()));
            }
        }
    }
    found
}

/// I-ABORT and I-OWNER: what one step may not do. Returns the invariants it checked.
pub fn check_step(
    op: &Operation,
    before: &Observation,
    result: &StepResult,
    after: &Observation,
) -> Result<Vec<RuleId>, Violation> {
    let mut checked = Vec::new();
    if let Outcome::Aborted { user, .. } = &result.outcome {
        // I-ABORT: the failing user's mail is where it was, waiting and delivered alike.
        checked.push(RuleId::IAbort);
        let owner = user.to_string();
        if before.mail_of(&owner) != after.mail_of(&owner) {
            violation(
                RuleId::IAbort,
                format!("{owner}'s mail moved in a step that logged 7026"),
            )?;
        }
    }
    if let Operation::Wizard { version, .. } = op {
        if *version != Version::V50
            && result
                .users
                .iter()
                .any(|u| matches!(u, UserResult::Migrated { .. }))
        {
            checked.push(RuleId::IOwner);
            if let Some((owner, alias)) = unbound_deliveries(result, after).first() {
                violation(
                    RuleId::IOwner,
                    format!(
                        "{version} delivered {owner}'s mail into {alias}, which is not bound to it"
                    ),
                )?;
            }
        }
    }
    Ok(checked)
}

/// I-CONSERVE message by message, on the implementation: every message id the post office
/// started with is in exactly one place, and each message sits with its own owner's count.
pub fn check_messages(server: &Server) -> Result<(), Violation> {
    let mut ids: Vec<u32> = server.postoffice().all_waiting().map(|m| m.id.0).collect();
    ids.extend(server.store().all_messages().map(|m| m.id.0));
    ids.sort_unstable();
    let expected: Vec<u32> = (1..=server.postoffice().total_messages()).collect();
    if ids != expected {
        return violation(
            RuleId::IConserve,
            format!(
                "message ids in the system are {ids:?}, expected each of 1..={} once",
                expected.len()
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::Event;
    use crate::observe::{MailView, WaitingView};
    use crate::operation::Phase;

    fn waiting(n: u32) -> Observation {
        Observation {
            msmail: vec![WaitingView {
                address: "N/P/JDOE".to_string(),
                waiting: n,
            }],
            ..Observation::default()
        }
    }

    #[test]
    fn i_abort_catches_mail_that_moves_in_an_aborted_step() {
        let op = Operation::Wizard {
            version: Version::V55,
            phase: Phase::Migrate,
            users: None,
        };
        let aborted = StepResult::new(
            Outcome::Aborted {
                user: "N/P/JDOE".parse().unwrap(),
                event: Event::mapi_logon_failure(),
            },
            [RuleId::W7026],
        );
        assert!(check_step(&op, &waiting(2), &aborted, &waiting(2)).is_ok());
        let mut moved = waiting(0);
        moved.mailboxes.push(MailboxView {
            alias: "OTHER".to_string(),
            proxies: Vec::new(),
            folders: vec!["Inbox".to_string()],
            mail: vec![MailView {
                folder: "Inbox".to_string(),
                owner: "N/P/JDOE".to_string(),
                count: 2,
            }],
            created_for: None,
        });
        let v = check_step(&op, &waiting(2), &aborted, &moved).unwrap_err();
        assert_eq!(v.rule, RuleId::IAbort);
    }
}
