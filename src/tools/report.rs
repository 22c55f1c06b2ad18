//! The two ways of showing a replay: the JSON run report of `SCENARIO-FORMAT.md` for
//! machines and a transcript for people.

use std::fmt::Write as _;

use serde::Serialize;

use crate::tools::replay::{Replay, ReplayedStep};
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::container::Container;
use crate::vocabulary::event::Event;
use crate::vocabulary::observation::{
    CustomRecipientView, MailboxView, Observation, UserListRow, WaitingView,
};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::outcome::{FoundBy, Outcome, StepResult, UserResult};
use crate::vocabulary::printable;
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

/// Why a wizard step logged one of part 2's errors for a user, in words: what happened,
/// and by which rule (W-CONT, W-7007, W-7044, W-7034). `None` for other results.
///
/// ```
/// use migwiz::{tools::report::why_error, UserResult};
/// let r = UserResult::OtherContainer { user: "NET1/PO1/JDOE".parse()?, alias: "JDOE".into(), container: "Sales".into(), target: "Recipients".into() };
/// assert_eq!(why_error(&r).unwrap(), "147: JDOE is in container Sales, the wizard targets Recipients (W-CONT)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn why_error(r: &UserResult) -> Option<String> {
    Some(match r {
        UserResult::OtherContainer {
            alias,
            container,
            target,
            ..
        } => format!(
            "147: {alias} is in container {container}, the wizard targets {target} (W-CONT)"
        ),
        UserResult::MmfUnavailable {
            user,
            locked,
            out_of_step,
        } => {
            let why = match (locked, out_of_step) {
                (true, true) => "locked by an open MS Mail client, and its password is out of step",
                (true, false) => "locked by an open MS Mail client",
                _ => "out of step: its password was recovered and the user has not logged on and off since",
            };
            format!("7007: the MMF of {} is {why} (W-7007)", user.mailbox())
        }
        UserResult::SpoolerFailure { alias, .. } => format!(
            "7044: a Service Account Admin migrating more than one user cannot hand {alias}'s mail to the MAPI spooler (W-7044)"
        ),
        UserResult::NotInPostOffice { user } => format!(
            "7034: 5.5 from the command line with a user list does not find {} in post office {} (W-7034)",
            user.mailbox(),
            user.postoffice()
        ),
        _ => return None,
    })
}

/// What one user's part of a wizard step did, in words.
pub fn describe_user(version: Version, r: &UserResult) -> String {
    if let Some(why) = why_error(r) {
        return format!("{}: {why}", r.user());
    }
    match r {
        UserResult::Updated { user, alias, added } => match added.is_empty() {
            true => format!("{user}: mailbox {alias} has the row's directory name; nothing to add (W-LIST-UPDATE)"),
            false => format!("{user}: mailbox {alias} updated with {} (W-LIST-UPDATE)", added.join(", ")),
        },
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
        _ => String::new(),
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
        Operation::CreateMailbox {
            alias, container, ..
        } => {
            let proxies = mailbox(alias.as_str()).map_or(String::new(), |m| m.proxies.join(", "));
            match *container == Container::default() {
                true => format!("mailbox {alias} created with {proxies} (no MIGRATE proxy)"),
                false => format!(
                    "mailbox {alias} created in {container} with {proxies} (no MIGRATE proxy)"
                ),
            }
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
        Operation::CustomRecipient {
            alias,
            address,
            container,
        } => match *container == Container::default() {
            true => format!("custom recipient {alias} created for MS:{address}"),
            false => format!("custom recipient {alias} created in {container} for MS:{address}"),
        },
        Operation::MsMailClient { user, open } => describe_client(user, *open, result),
        Operation::RecoverPassword { user } => format!(
            "the MS Mail administrator recovers {user}'s password: its MMF is out of step until the user logs on and off"
        ),
        Operation::Deliver { user, messages } => {
            format!("{messages} new message(s) wait in MS Mail for {user}")
        }
        Operation::ExtractUserList { version, .. } => {
            let rows = after.user_list.as_ref().map_or(0, Vec::len);
            format!("user list extracted with the {version} columns: {rows} row(s)")
        }
        Operation::EditUserList { user, field, value } => {
            format!("{user}'s row: {field} set to {value:?}")
        }
        Operation::Wizard(run) => {
            if result.users.is_empty() {
                return "no users chosen".to_string();
            }
            let parts: Vec<String> = result
                .users
                .iter()
                .map(|u| describe_user(run.version, u))
                .collect();
            parts.join("; ")
        }
    }
}

fn describe_client(user: &MsMailAddress, open: bool, result: &StepResult) -> String {
    let changed = result.rules.contains(&RuleId::AMmf);
    match (open, changed) {
        (true, true) => format!("{user} opens the MS Mail client: its MMF is locked"),
        (false, true) => format!(
            "{user} closes the MS Mail client: its MMF is unlocked and its password in step"
        ),
        (true, false) => format!("{user}'s MS Mail client is already open: nothing changes"),
        (false, false) => format!("{user}'s MS Mail client is already closed: nothing changes"),
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
    user_list: &'a Option<Vec<UserListRow>>,
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
                    version: match &s.op {
                        Operation::Wizard(run) => Some(run.version.as_str()),
                        Operation::ExtractUserList { version, .. } => Some(version.as_str()),
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
            user_list: &self.observation.user_list,
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }

    /// The transcript for people: steps with outcomes and rules, the event log as Event
    /// Viewer shows it, and the final state.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Scenario: {}", printable(&self.scenario));
        if let Some(d) = &self.description {
            let _ = writeln!(out, "  {}", printable(d));
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
        write_state(&mut out, &self.observation);
        if !self.disagreements.is_empty() {
            let _ = writeln!(out, "\nREFERENCE MODEL DISAGREES (a bug in migwiz):");
            for d in &self.disagreements {
                let _ = writeln!(out, "  {d}");
            }
        }
        out
    }
}

/// The final state: mailboxes, custom recipients, MS Mail, and the user list if any.
fn write_state(out: &mut String, obs: &Observation) {
    let default = Container::default().to_string();
    let _ = writeln!(out, "Mailboxes");
    if obs.mailboxes.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for m in &obs.mailboxes {
        let _ = writeln!(out, "  {}", m.alias);
        if m.container != default || m.directory_name != m.alias {
            let _ = writeln!(
                out,
                "    container: {}, directory name: {}",
                m.container, m.directory_name
            );
        }
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
    if obs.custom_recipients.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for c in &obs.custom_recipients {
        match c.container == default {
            true => writeln!(out, "  {} {}", c.alias, c.address),
            false => writeln!(out, "  {} {} in {}", c.alias, c.address, c.container),
        }
        .unwrap_or_default();
    }
    let _ = writeln!(out, "\nMS Mail (still waiting)");
    for w in &obs.msmail {
        let mut notes = Vec::new();
        if w.client == "open" {
            notes.push("client open: MMF locked");
        }
        if !w.password_in_step {
            notes.push("password out of step");
        }
        match notes.is_empty() {
            true => writeln!(out, "  {} {}", w.address, w.waiting),
            false => writeln!(out, "  {} {} ({})", w.address, w.waiting, notes.join(", ")),
        }
        .unwrap_or_default();
    }
    if let Some(rows) = &obs.user_list {
        let _ = writeln!(out, "\nUser list");
        for r in rows {
            let _ = writeln!(
                out,
                "  {}: MigrateUser {}, Mode {:?}, Common-Name {}{}",
                r.user,
                r.migrate_user,
                r.mode,
                r.common_name,
                r.secondary_proxy_addresses
                    .as_ref()
                    .map_or(String::new(), |p| format!(
                        ", Secondary-Proxy-Addresses {p}"
                    ))
            );
        }
    }
}
