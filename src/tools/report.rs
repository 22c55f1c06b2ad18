//! The two ways of showing a replay: the JSON run report of `SCENARIO-FORMAT.md` for
//! machines and a transcript for people.

use std::fmt::Write as _;

use serde::Serialize;

use crate::tools::replay::{Replay, ReplayedStep};
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::event::Event;
use crate::vocabulary::observation::{CustomRecipientView, MailboxView, Observation, WaitingView};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::outcome::{FoundBy, Outcome, StepResult, UserResult};
use crate::vocabulary::rules::RuleId;

fn found_by(f: FoundBy) -> &'static str {
    match f {
        FoundBy::Alias => "by alias",
        FoundBy::MigrateProxy => "by MIGRATE proxy",
        FoundBy::MsProxy => "by MS proxy",
    }
}

/// Why a version found no mailbox for a user, in the words of Q242184's CAUSE: what it
/// looked for, and by which rule.
///
/// ```
/// use migwiz::tools::report::why_not_found;
/// let user = "NET1/PO1/JDOE".parse()?;
/// assert_eq!(
///     why_not_found(migwiz::Version::V55, &user),
///     "no mailbox holds migrate:MS:NET1/PO1/JDOE (5.5 looks up by MIGRATE proxy, W-2-55)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn why_not_found(version: Version, user: &MsMailAddress) -> String {
    match version {
        Version::V50 => format!(
            "no mailbox has alias {} (5.0 looks up by alias, W-2-50)",
            user.mailbox()
        ),
        Version::V55 => format!(
            "no mailbox holds migrate:MS:{user} (5.5 looks up by MIGRATE proxy, W-2-55)"
        ),
        Version::V55Sp1 => format!(
            "no mailbox holds migrate:MS:{user} or MS:{user} (5.5 SP1 looks up by MIGRATE proxy, then by MS proxy, W-2-55SP)"
        ),
    }
}

/// What one user's part of a wizard step did, in words.
pub fn describe_user(version: Version, r: &UserResult) -> String {
    match r {
        UserResult::Created {
            user,
            alias,
            replaced,
        } => match replaced {
            Some(cr) => format!("{user}: created mailbox {alias}, replacing custom recipient {cr}"),
            None => format!("{user}: created mailbox {alias}"),
        },
        UserResult::Existing {
            user,
            alias,
            found_by: f,
        } => format!(
            "{user}: mailbox {alias} found {}, nothing created",
            found_by(*f)
        ),
        UserResult::Migrated {
            user,
            alias,
            found_by: f,
            messages,
        } => format!(
            "{user}: {messages} message(s) moved into {alias}'s Inbox (found {})",
            found_by(*f)
        ),
        UserResult::NotFound { user } => format!(
            "{user}: 7026: {}; the run stops here",
            why_not_found(version, user)
        ),
    }
}

/// One line for people: what a replayed step did.
pub fn describe(step: &ReplayedStep) -> String {
    describe_parts(&step.op, &step.result, &step.after)
}

fn describe_parts(op: &Operation, result: &StepResult, after: &Observation) -> String {
    if let Outcome::Refused(r) = &result.outcome {
        return format!("refused: {r}");
    }
    let mailbox = |alias: &str| {
        after
            .mailboxes
            .iter()
            .find(|m| m.alias.eq_ignore_ascii_case(alias))
    };
    match op {
        Operation::CreateMailbox { alias, .. } => {
            let proxies = mailbox(alias.as_str()).map_or(String::new(), |m| m.proxies.join(", "));
            format!("mailbox {alias} created with {proxies} (no MIGRATE proxy)")
        }
        Operation::Logon { alias, language } => {
            let folders = mailbox(alias.as_str()).map_or(String::new(), |m| m.folders.join(", "));
            if result.rules.contains(&RuleId::ALang) {
                format!("first logon to {alias}, in {language}: folders created: {folders}")
            } else {
                format!("{language} logon to {alias}: folders already exist ({folders}), nothing renamed")
            }
        }
        Operation::AddProxy { alias, address } => format!("{alias} now holds {address}"),
        Operation::RemoveProxy { alias, address } => format!("{alias} no longer holds {address}"),
        Operation::CustomRecipient { alias, address } => {
            format!("custom recipient {alias} created for MS:{address}")
        }
        Operation::Wizard { version, .. } => {
            if result.users.is_empty() {
                return "no users chosen".to_string();
            }
            let parts: Vec<String> = result
                .users
                .iter()
                .map(|u| describe_user(*version, u))
                .collect();
            parts.join("; ")
        }
    }
}

/// One step in the JSON run report.
#[derive(Debug, Serialize)]
struct StepJson<'a> {
    index: usize,
    op: &'a str,
    /// The version that ran a wizard step, after any `--version` (SCENARIO-FORMAT-2.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    outcome: &'a str,
    rules: Vec<&'static str>,
    detail: String,
}

/// The JSON run report of `SCENARIO-FORMAT.md`.
#[derive(Debug, Serialize)]
struct RunReport<'a> {
    scenario: &'a str,
    steps: Vec<StepJson<'a>>,
    events: &'a [Event],
    mailboxes: &'a [MailboxView],
    custom_recipients: &'a [CustomRecipientView],
    msmail: &'a [WaitingView],
}

impl Replay {
    /// The run report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let report = RunReport {
            scenario: &self.scenario,
            steps: self
                .steps
                .iter()
                .map(|s| StepJson {
                    index: s.number,
                    op: s.op.name(),
                    version: match s.op {
                        Operation::Wizard { version, .. } => Some(version.as_str()),
                        _ => None,
                    },
                    outcome: s.result.outcome.word(),
                    rules: s.result.rules.iter().map(|r| r.as_str()).collect(),
                    detail: describe(s),
                })
                .collect(),
            events: &self.observation.events,
            mailboxes: &self.observation.mailboxes,
            custom_recipients: &self.observation.custom_recipients,
            msmail: &self.observation.msmail,
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }

    /// The transcript for people: steps with outcomes and rules, the event log as Event
    /// Viewer shows it, and the final state.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Scenario: {}", self.scenario);
        if let Some(d) = &self.description {
            let _ = writeln!(out, "  {d}");
        }
        if let Some(v) = self.version {
            let _ = writeln!(out, "  (every wizard step run as version {v})");
        }
        let _ = writeln!(out, "\nSteps");
        for s in &self.steps {
            let rules: Vec<&str> = s.result.rules.iter().map(|r| r.as_str()).collect();
            let _ = writeln!(
                out,
                "  #{} {}\n     {} [{}]\n     {}",
                s.number,
                s.op,
                s.result.outcome.word(),
                rules.join(" "),
                describe(s)
            );
        }
        let _ = writeln!(out, "\nApplication event log");
        if self.observation.events.is_empty() {
            let _ = writeln!(out, "  (empty)\n");
        }
        for e in &self.observation.events {
            for line in e.to_string().lines() {
                let _ = writeln!(out, "  {line}");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "Mailboxes");
        if self.observation.mailboxes.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for m in &self.observation.mailboxes {
            let _ = writeln!(out, "  {}", m.alias);
            let _ = writeln!(out, "    proxies: {}", m.proxies.join(", "));
            if m.folders.is_empty() {
                let _ = writeln!(out, "    folders: (not created yet: nobody has opened it)");
            } else {
                let _ = writeln!(out, "    folders: {}", m.folders.join(", "));
            }
            for mail in &m.mail {
                let _ = writeln!(
                    out,
                    "    mail:    {} message(s) of {} in {}",
                    mail.count, mail.owner, mail.folder
                );
            }
        }
        let _ = writeln!(out, "\nCustom recipients");
        if self.observation.custom_recipients.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for c in &self.observation.custom_recipients {
            let _ = writeln!(out, "  {} {}", c.alias, c.address);
        }
        let _ = writeln!(out, "\nMS Mail (still waiting)");
        for w in &self.observation.msmail {
            let _ = writeln!(out, "  {} {}", w.address, w.waiting);
        }
        if !self.disagreements.is_empty() {
            let _ = writeln!(out, "\nREFERENCE MODEL DISAGREES (a bug in migwiz):");
            for d in &self.disagreements {
                let _ = writeln!(out, "  {d}");
            }
        }
        out
    }
}
