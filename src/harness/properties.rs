//! Every property migwiz checks, declared once: its name in words, the invariant of
//! `RULES.md` it carries (if any), whether it must hold `always` or be reached `sometimes`,
//! and the function that decides it.
//!
//! The state machine test, `migwiz check` and `migwiz explore` all evaluate this one list,
//! [`PROPERTIES`], on every step they take: an [`Edge`] is one step of one run, with the
//! observable state before and after it. The checks read only observations and step
//! results, so they run on any run of the implementation; I-CONSERVE also counts message
//! ids when the edge carries the implementation's messages.
//!
//! ```
//! use migwiz::harness::properties::{Edge, Kind, PROPERTIES};
//! use migwiz::{MsMailUser, Operation, Phase, Server, Setup, Version};
//!
//! let setup = Setup::new(Default::default(), Default::default(), vec![MsMailUser::new("NET1/PO1/JDOE".parse()?, 2)])?;
//! let mut server = Server::new(&setup);
//! let before = server.observe();
//! let op = Operation::wizard(Version::V55, Phase::Full);
//! let result = server.apply(&op);
//! let after = server.observe();
//! let edge = Edge { setup: &setup, op: &op, before: &before, result: &result, after: &after, messages: None };
//! let held = migwiz::harness::properties::evaluate(&edge)?;
//! let names: Vec<&str> = held.iter().map(|&k| PROPERTIES[k].name).collect();
//! assert!(names.contains(&"all mail migrated"));
//! assert!(PROPERTIES.iter().any(|p| p.kind() == Kind::Always));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::language::Language;
use crate::vocabulary::observation::{MailboxView, Observation};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::outcome::{Outcome, StepResult, UserResult};
use crate::vocabulary::rules::RuleId;
use crate::vocabulary::setup::Setup;

/// One step of one run, as the properties see it.
#[derive(Clone, Copy)]
pub struct Edge<'a> {
    /// The world the run started from.
    pub setup: &'a Setup,
    /// The step.
    pub op: &'a Operation,
    /// The observable state before the step.
    pub before: &'a Observation,
    /// What the step came to.
    pub result: &'a StepResult,
    /// The observable state after the step.
    pub after: &'a Observation,
    /// Every message in the implementation after the step, as runs `(first id, count,
    /// owner)`, for message-by-message conservation; `None` where no ids exist (the model).
    pub messages: Option<&'a [(u64, u64, &'a MsMailAddress)]>,
}

impl fmt::Debug for Edge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Edge({})", self.op)
    }
}

/// What an `always` property found on an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It checked something, and it held.
    Holds,
    /// There was nothing to check (no mail, no abort, …): it neither held nor broke.
    Vacuous,
    /// It broke; what was seen.
    Broken(String),
}

/// How a property is decided.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Must hold on every edge of every run.
    Always(fn(&Edge<'_>) -> Verdict),
    /// Must be reachable: true on the edges that reach it.
    Sometimes(fn(&Edge<'_>) -> bool),
}

/// Whether a property must always hold or be reached sometimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Must hold after every step.
    Always,
    /// Some run must reach it.
    Sometimes,
}

/// A property: its name in words, its rule id, and its check.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    /// What it says, in words.
    pub name: &'static str,
    /// The invariant of `RULES.md` it carries, if it is one.
    pub rule: Option<RuleId>,
    /// How it is decided.
    pub check: Check,
}

impl Property {
    /// `Always` or `Sometimes`.
    pub fn kind(&self) -> Kind {
        match self.check {
            Check::Always(_) => Kind::Always,
            Check::Sometimes(_) => Kind::Sometimes,
        }
    }
}

/// Every property, `always` first.
pub const PROPERTIES: &[Property] = &[
    Property {
        name: "every message is in exactly one place",
        rule: Some(RuleId::IConserve),
        check: Check::Always(conserve),
    },
    Property {
        name: "no alias or address is held by two recipients",
        rule: Some(RuleId::IUnique),
        check: Check::Always(unique),
    },
    Property {
        name: "a step that logs 7026 leaves the failing user's mail where it was",
        rule: Some(RuleId::IAbort),
        check: Check::Always(abort_keeps_mail),
    },
    Property {
        name: "5.5 and 5.5 SP1 deliver mail only into a mailbox tied to its owner",
        rule: Some(RuleId::IOwner),
        check: Check::Always(owner),
    },
    Property {
        name: "every wizard step ends with one summary 10068 whose counts equal what it did",
        rule: Some(RuleId::ISummary),
        check: Check::Always(summary),
    },
    Property {
        name: "no step moves mail out of a locked or out-of-step MMF",
        rule: Some(RuleId::ILocked),
        check: Check::Always(locked),
    },
    Property {
        name: "event 7026 is logged",
        rule: None,
        check: Check::Sometimes(|e| e.after.events.iter().any(|ev| ev.id == 7026)),
    },
    Property {
        name: "all mail migrated",
        rule: None,
        check: Check::Sometimes(|e| {
            e.setup.users().iter().any(|u| u.messages > 0)
                && e.after.msmail.iter().all(|w| w.waiting == 0)
        }),
    },
    Property {
        name: "mail delivered into a mailbox with Spanish folders",
        rule: None,
        check: Check::Sometimes(|e| {
            e.after
                .mailboxes
                .iter()
                .any(|m| m.folder_language == Some(Language::Spanish) && !m.mail.is_empty())
        }),
    },
    Property {
        name: "5.0 delivers mail into a mailbox not tied to its owner",
        rule: None,
        check: Check::Sometimes(|e| {
            matches!(e.op, Operation::Wizard(run) if run.version == Version::V50)
                && !unbound_deliveries(e.result, e.after).is_empty()
        }),
    },
];

/// A broken `always` property: which one, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} broken ({}): {detail}", .rule.map_or("property", RuleId::as_str), .property)]
pub struct Violation {
    /// The property's name.
    pub property: &'static str,
    /// Its rule id.
    pub rule: Option<RuleId>,
    /// What was seen.
    pub detail: String,
}

/// Evaluates every property on `edge`. Returns the indices (into [`PROPERTIES`]) of the
/// `always` properties that checked something and held and of the `sometimes` properties
/// reached, or the first `always` property that broke.
pub fn evaluate(edge: &Edge<'_>) -> Result<Vec<usize>, Violation> {
    let mut held = Vec::new();
    for (k, p) in PROPERTIES.iter().enumerate() {
        match p.check {
            Check::Always(check) => match check(edge) {
                Verdict::Holds => held.push(k),
                Verdict::Vacuous => {}
                Verdict::Broken(detail) => {
                    return Err(Violation {
                        property: p.name,
                        rule: p.rule,
                        detail,
                    })
                }
            },
            Check::Sometimes(reached) => {
                if reached(edge) {
                    held.push(k);
                }
            }
        }
    }
    Ok(held)
}

/// I-CONSERVE: per owner, what waits and what was migrated add up to what the owner started
/// with and was delivered since; and, where ids exist, every message id is in exactly one
/// place with its own owner.
fn conserve(edge: &Edge<'_>) -> Verdict {
    let received: u64 = edge
        .after
        .msmail
        .iter()
        .map(|w| u64::from(w.received))
        .sum();
    if edge.setup.users().iter().all(|u| u.messages == 0) && received == 0 {
        return Verdict::Vacuous;
    }
    if let Err(detail) = counts_add_up(edge.setup, edge.after) {
        return Verdict::Broken(detail);
    }
    match edge.messages {
        Some(messages) => match ids_add_up(edge.setup, edge.after, messages) {
            Ok(()) => Verdict::Holds,
            Err(detail) => Verdict::Broken(detail),
        },
        None => Verdict::Holds,
    }
}

/// Per owner, waiting + delivered = what the owner started with; no mail of anybody else.
fn counts_add_up(setup: &Setup, after: &Observation) -> Result<(), String> {
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    for w in &after.msmail {
        *seen.entry(&w.address).or_default() += u64::from(w.waiting);
    }
    for m in &after.mailboxes {
        for mail in &m.mail {
            *seen.entry(&mail.owner).or_default() += u64::from(mail.count);
        }
    }
    for (user, w) in setup.users().iter().zip(&after.msmail) {
        let address = user.address.as_str();
        let had = u64::from(user.messages) + u64::from(w.received);
        let now = seen.remove(address).unwrap_or(0);
        if now != had {
            return Err(format!(
                "{address} had {had} messages, {now} are accounted for"
            ));
        }
    }
    match seen.into_iter().find(|(_, n)| *n > 0) {
        Some((owner, n)) => Err(format!("{n} messages of unknown owner {owner}")),
        None => Ok(()),
    }
}

/// Every id the post office gave out is present exactly once: ids `1..` in user order for
/// the mail it started with, each with its own owner, then the ids of delivered mail, as
/// many per owner as were delivered. `messages` are runs `(first id, count, owner)`, so the
/// check is linear in the runs, not in the messages.
pub fn ids_add_up(
    setup: &Setup,
    after: &Observation,
    messages: &[(u64, u64, &MsMailAddress)],
) -> Result<(), String> {
    // Where each user's starting mail was numbered: (first id, last id, owner).
    let mut blocks = Vec::new();
    let mut initial = 0u64;
    for u in setup.users().iter().filter(|u| u.messages > 0) {
        blocks.push((initial + 1, initial + u64::from(u.messages), &u.address));
        initial += u64::from(u.messages);
    }
    let received: u64 = after.msmail.iter().map(|w| u64::from(w.received)).sum();
    let total = initial + received;
    let mut runs: Vec<(u64, u64, &MsMailAddress)> = messages.to_vec();
    runs.sort_unstable_by_key(|(first, _, _)| *first);
    let mut next = 1u64;
    let mut delivered: BTreeMap<&MsMailAddress, u64> = BTreeMap::new();
    for &(first, count, owner) in &runs {
        let last = first + count.max(1) - 1;
        if first < next {
            return Err(format!("message {first} is held twice"));
        }
        if first > next && next <= total {
            return Err(format!("message {next} is lost"));
        }
        if last > total {
            return Err(format!(
                "message {} was never in the post office",
                first.max(total + 1)
            ));
        }
        if first <= initial {
            let block = blocks.partition_point(|(_, end, _)| *end < first);
            let (_, end, own) = blocks[block];
            if own != owner {
                return Err(format!("message {first} of {own} is counted under {owner}"));
            }
            if last > end {
                let past = blocks.get(block + 1).map_or(own, |b| b.2);
                return Err(format!(
                    "message {} of {past} is counted under {owner}",
                    end + 1
                ));
            }
        } else {
            *delivered.entry(owner).or_default() += count;
        }
        next = last + 1;
    }
    if next <= total {
        return Err(format!("message {next} is lost"));
    }
    for (user, w) in setup.users().iter().zip(&after.msmail) {
        let got = delivered.get(&user.address).copied().unwrap_or(0);
        if got != u64::from(w.received) {
            return Err(format!(
                "{} was delivered {} messages after the start, but {got} of ids above {initial} are its",
                user.address, w.received
            ));
        }
    }
    Ok(())
}

/// I-SUMMARY: a wizard step that ran logs exactly one 10068, as its last event, and its
/// counts equal what the step did.
fn summary(edge: &Edge<'_>) -> Verdict {
    let Operation::Wizard(_) = edge.op else {
        return Verdict::Vacuous;
    };
    if edge.result.outcome.is_refused() {
        return Verdict::Vacuous;
    }
    let new = edge
        .after
        .events
        .get(edge.before.events.len()..)
        .unwrap_or(&[]);
    let summaries = new.iter().filter(|e| e.id == 10068).count();
    match new.last() {
        Some(last) if last.id == 10068 && summaries == 1 => {}
        _ => {
            let ids: Vec<u32> = new.iter().map(|e| e.id).collect();
            return Verdict::Broken(format!(
                "the step logged {ids:?}: not exactly one 10068, last"
            ));
        }
    }
    let logged = |ids: &[u32]| new.iter().filter(|e| ids.contains(&e.id)).count() as u64;
    let did = step_counts(edge, logged(&[7007, 7034]), logged(&[7026, 147, 7044]));
    let text = &new[new.len() - 1].description;
    match summary_counts(text) {
        Some(said) if said == did => Verdict::Holds,
        Some(said) => Verdict::Broken(format!(
            "10068 says {said:?}, the step did {did:?} (extraction accounts, messages, errors; import accounts, messages, errors)"
        )),
        None => Verdict::Broken(format!("10068 is not in Q169130's layout: {text:?}")),
    }
}

/// What a step did, in the order of the summary's counts.
fn step_counts(edge: &Edge<'_>, extraction_errors: u64, import_errors: u64) -> [u64; 6] {
    let mut reached: Vec<&MsMailAddress> = Vec::new();
    let (mut extracted, mut created, mut imported) = (0u64, 0u64, 0u64);
    for r in &edge.result.users {
        let user = match r {
            UserResult::Created { user, .. } => {
                created += 1;
                user
            }
            UserResult::Migrated { user, messages, .. } => {
                imported += u64::from(*messages);
                extracted += waiting(edge.before, user);
                user
            }
            UserResult::NotFound { user }
            | UserResult::OtherContainer { user, .. }
            | UserResult::SpoolerFailure { user, .. } => {
                extracted += waiting(edge.before, user);
                user
            }
            UserResult::Existing { user, .. }
            | UserResult::Updated { user, .. }
            | UserResult::MmfUnavailable { user, .. }
            | UserResult::NotInPostOffice { user } => user,
        };
        if !reached.contains(&user) {
            reached.push(user);
        }
    }
    let accounts = reached.len() as u64 - extraction_errors;
    [
        accounts,
        extracted,
        extraction_errors,
        created,
        imported,
        import_errors,
    ]
}

fn waiting(obs: &Observation, user: &MsMailAddress) -> u64 {
    u64::from(obs.mail_of(user.as_str()).waiting)
}

/// The six counts of a 10068's text: Extraction Accounts, E-Mail Messages, Errors; Import
/// Accounts, E-Mail Messages, Errors.
fn summary_counts(text: &str) -> Option<[u64; 6]> {
    let (extraction, import) = text.split_once("\nImport:")?;
    let [accounts, messages, errors] = part_counts(extraction)?;
    let [imported, imported_messages, import_errors] = part_counts(import)?;
    Some([
        accounts,
        messages,
        errors,
        imported,
        imported_messages,
        import_errors,
    ])
}

/// A part's Accounts, E-Mail Messages and Errors: the first line of each, read in one pass
/// over the part's lines (a summary is read on every wizard edge of a check).
fn part_counts(part: &str) -> Option<[u64; 3]> {
    const KEYS: [&str; 3] = ["Accounts:", "E-Mail Messages:", "Errors:"];
    let mut found: [Option<&str>; 3] = [None; 3];
    for line in part.lines() {
        let line = line.trim();
        for (key, slot) in KEYS.iter().zip(&mut found) {
            if let (None, Some(value)) = (*slot, line.strip_prefix(key)) {
                *slot = Some(value);
            }
        }
    }
    let count = |value: Option<&str>| value?.trim().parse().ok();
    Some([count(found[0])?, count(found[1])?, count(found[2])?])
}

/// I-LOCKED: the mail of a user whose MMF was locked or out of step before the step has not
/// moved into any mailbox.
fn locked(edge: &Edge<'_>) -> Verdict {
    let mut checked = false;
    for w in &edge.before.msmail {
        if w.client == "closed" && w.password_in_step {
            continue;
        }
        checked = true;
        let before = edge.before.mail_of(&w.address);
        let after = edge.after.mail_of(&w.address);
        if before.mailboxes != after.mailboxes {
            return Verdict::Broken(format!(
                "{}'s MMF was {}, yet its mail moved",
                w.address,
                if w.client == "open" {
                    "locked by an open client"
                } else {
                    "out of step"
                }
            ));
        }
    }
    match checked {
        true => Verdict::Holds,
        false => Verdict::Vacuous,
    }
}

/// I-UNIQUE: no alias and no address held twice, compared without case.
fn unique(edge: &Edge<'_>) -> Verdict {
    let after = edge.after;
    if after.mailboxes.len() + after.custom_recipients.len() < 2 {
        return Verdict::Vacuous;
    }
    let recipients_count = after.mailboxes.len() + after.custom_recipients.len();
    let mut aliases = FoldedSet::with_capacity_and_hasher(recipients_count, Default::default());
    let mut addresses =
        FoldedSet::with_capacity_and_hasher(4 * recipients_count, Default::default());
    let recipients = after
        .mailboxes
        .iter()
        .map(|m| (&m.alias, m.proxies.as_slice()))
        .chain(
            after
                .custom_recipients
                .iter()
                .map(|c| (&c.alias, std::slice::from_ref(&c.address))),
        );
    for (alias, proxies) in recipients {
        if !aliases.insert(Folded(alias)) {
            return Verdict::Broken(format!("alias {alias} is held twice"));
        }
        for p in proxies {
            if !addresses.insert(Folded(p)) {
                return Verdict::Broken(format!("address {p} is held twice"));
            }
        }
    }
    Verdict::Holds
}

/// Texts seen, without case.
type FoldedSet<'a> = std::collections::HashSet<Folded<'a>, rustc_hash::FxBuildHasher>;

/// A text compared without ASCII case (A-UNIQUE), without making a lower-case copy: this
/// runs on every edge of every check.
#[derive(Debug, Clone, Copy)]
struct Folded<'a>(&'a str);

impl std::hash::Hash for Folded<'_> {
    /// Eight bytes at a time, each with its `0x20` bit set: a letter and its other case hash
    /// alike, so texts equal without case hash alike, as `HashSet` needs. Other bytes may
    /// collide (`@` and `` ` ``), which equality then tells apart; hashing byte by byte
    /// cost more than the rest of the property.
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let bytes = self.0.as_bytes();
        h.write_usize(bytes.len());
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h.write_u64(u64::from_le_bytes(word) | 0x2020_2020_2020_2020);
        }
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

/// I-ABORT: the failing user's mail is where it was, waiting and delivered alike.
fn abort_keeps_mail(edge: &Edge<'_>) -> Verdict {
    let Outcome::Aborted { user, .. } = &edge.result.outcome else {
        return Verdict::Vacuous;
    };
    let owner = user.to_string();
    if edge.before.mail_of(&owner) == edge.after.mail_of(&owner) {
        Verdict::Holds
    } else {
        Verdict::Broken(format!("{owner}'s mail moved in a step that logged 7026"))
    }
}

/// I-OWNER: a 5.5 or SP1 step that delivers mail delivers it into a mailbox tied to its owner.
fn owner(edge: &Edge<'_>) -> Verdict {
    let Operation::Wizard(run) = edge.op else {
        return Verdict::Vacuous;
    };
    let version = &run.version;
    let delivered = edge
        .result
        .users
        .iter()
        .any(|u| matches!(u, UserResult::Migrated { .. }));
    if *version == Version::V50 || !delivered {
        return Verdict::Vacuous;
    }
    match unbound_deliveries(edge.result, edge.after).first() {
        None => Verdict::Holds,
        Some((owner, alias)) => Verdict::Broken(format!(
            "{version} delivered {owner}'s mail into {alias}, which is not tied to it"
        )),
    }
}

/// Whether a mailbox is tied to an MS Mail user: by MIGRATE proxy, by the user's MS proxy,
/// or by having been created for it in step one (I-OWNER).
pub fn bound_to(mailbox: &MailboxView, owner: &str) -> bool {
    // `kind` then `owner`, without case, read in place: no text is built per mailbox.
    let names = |proxy: &str, kind: &str| {
        let proxy = proxy.as_bytes();
        proxy.len() == kind.len() + owner.len()
            && proxy[..kind.len()].eq_ignore_ascii_case(kind.as_bytes())
            && proxy[kind.len()..].eq_ignore_ascii_case(owner.as_bytes())
    };
    mailbox.created_for.as_deref() == Some(owner)
        || mailbox
            .proxies
            .iter()
            .any(|p| names(p, "migrate:MS:") || names(p, "MS:"))
}

/// Deliveries of a step into mailboxes not tied to the mail's owner: `(owner, alias)`.
///
/// Allowed for 5.0, whose alias lookup is "unreliable" (Q242184); I-OWNER forbids it for
/// 5.5 and 5.5 SP1. Mailboxes are found through an index, so a step over many users stays
/// linear.
pub fn unbound_deliveries(result: &StepResult, after: &Observation) -> Vec<(String, String)> {
    if !result
        .users
        .iter()
        .any(|u| matches!(u, UserResult::Migrated { .. }))
    {
        return Vec::new();
    }
    let by_alias: HashMap<&str, &MailboxView> = after
        .mailboxes
        .iter()
        .map(|m| (m.alias.as_str(), m))
        .collect();
    unbound_in(result, |alias| {
        by_alias.get(alias).map(|m| Cow::Borrowed(*m))
    })
}

/// [`unbound_deliveries`], with the mailboxes found by `mailbox` (by alias): a server can
/// answer without building a whole observation.
pub fn unbound_in<'m>(
    result: &StepResult,
    mailbox: impl Fn(&str) -> Option<Cow<'m, MailboxView>>,
) -> Vec<(String, String)> {
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
            if *messages > 0 && !mailbox(alias).is_some_and(|m| bound_to(&m, &owner)) {
                found.push((owner, alias.clone()));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
