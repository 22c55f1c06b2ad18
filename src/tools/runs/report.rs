//! The two ways of showing a replay: the JSON run report of `SCENARIO-FORMAT.md` for
//! machines and a transcript for people.

use std::fmt::Write as _;

use serde::Serialize;

use crate::server::addressing::DEFAULT_CONTAINER;
use crate::tools::runs::replay::{ModelCheck, Replay, ReplayedStep};
use crate::vocabulary::event::Event;
use crate::vocabulary::observation::{
    CustomRecipientView, FileView, MailboxView, Observation, UserListRow, WaitingView,
};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::printable;

/// One line for people: what a replayed step did.
pub fn describe(step: &ReplayedStep) -> &str {
    &step.detail
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
    /// A batch run's fields (SCENARIO-FORMAT-4.md), after `version`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    batch: Option<BatchJson<'a>>,
    rules: Vec<&'static str>,
    detail: String,
}

/// A `mailmig` step's own fields in the run report.
#[derive(Debug, Serialize)]
struct BatchJson<'a> {
    result_code: u8,
    function: Option<&'static str>,
    warnings: &'a [String],
    message: Option<&'a str>,
}

/// The JSON run report of `SCENARIO-FORMAT.md` after its steps: written after them, so
/// that the steps can be written as they are replayed.
#[derive(Debug, Serialize)]
struct RunReportTail<'a> {
    events: &'a [Event],
    mailboxes: &'a [MailboxView],
    custom_recipients: &'a [CustomRecipientView],
    msmail: &'a [WaitingView],
    user_list: &'a Option<Vec<UserListRow>>,
    #[serde(skip_serializing_if = "<[FileView]>::is_empty")]
    files: &'a [FileView],
    model_check: String,
}

/// The JSON run report's opening, up to its steps: `{ "scenario": …, "steps": [`.
pub fn json_head(scenario: &str) -> String {
    // Serialising a string cannot fail.
    let name = serde_json::to_string(scenario).unwrap_or_default();
    format!("{{\n  \"scenario\": {name},\n  \"steps\": [")
}

/// One step of the JSON run report, as the `steps` list holds it; `first` is whether it
/// opens the list.
pub fn json_step(s: &ReplayedStep, first: bool) -> String {
    let text = serde_json::to_string_pretty(&step_json(s)).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(if first { "\n" } else { ",\n" });
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

fn step_json(s: &ReplayedStep) -> StepJson<'_> {
    StepJson {
        index: s.number,
        op: s.op.name(),
        version: match &s.op {
            Operation::Wizard(run) => Some(run.version.as_str()),
            Operation::ExtractUserList { version, .. } => Some(version.as_str()),
            Operation::Mailmig { version, .. } => Some(version.as_str()),
            _ => None,
        },
        outcome: s.result.outcome.word(),
        batch: s.result.batch.as_deref().map(|b| BatchJson {
            result_code: b.result_code,
            function: b.function.map(|f| f.as_str()),
            warnings: &b.warnings,
            message: b.message.as_deref(),
        }),
        rules: s.result.rules.iter().map(|r| r.as_str()).collect(),
        detail: describe(s).to_string(),
    }
}

impl Replay {
    /// The run report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let mut out = json_head(&self.scenario);
        for (i, s) in self.steps.iter().enumerate() {
            out.push_str(&json_step(s, i == 0));
        }
        out.push_str(&self.json_tail(!self.steps.is_empty()));
        out
    }

    /// The JSON run report after its steps: the final state and the model check, closed.
    /// `any_steps` is whether a step was written (an empty list closes on its line).
    pub fn json_tail(&self, any_steps: bool) -> String {
        // Serialising plain strings and numbers cannot fail.
        let text = serde_json::to_string_pretty(&self.tail()).unwrap_or_default();
        let fields = text.strip_prefix('{').unwrap_or(&text);
        match any_steps {
            true => format!("\n  ],{fields}"),
            false => format!("],{fields}"),
        }
    }

    /// The report's fields after its steps.
    fn tail(&self) -> RunReportTail<'_> {
        RunReportTail {
            events: &self.observation.events,
            mailboxes: &self.observation.mailboxes,
            custom_recipients: &self.observation.custom_recipients,
            msmail: &self.observation.msmail,
            user_list: &self.observation.user_list,
            files: &self.observation.files,
            model_check: self.model_check.word(),
        }
    }

    /// The transcript for people: steps with outcomes and rules, the event log as Event
    /// Viewer shows it, and the final state.
    pub fn transcript(&self) -> String {
        let mut out = transcript_head(
            &self.scenario,
            self.description.as_deref(),
            self.version,
            &self.model_check,
        );
        for s in &self.steps {
            out.push_str(&transcript_step(s));
        }
        out.push_str(&self.transcript_tail());
        out
    }

    /// The transcript after its steps: the event log, the final state, and any
    /// disagreement of the model.
    pub fn transcript_tail(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "\nApplication event log");
        if self.observation.events.is_empty() {
            let _ = writeln!(out, "  (empty)\n");
        }
        let events = &self.observation.events;
        for e in events.iter().take(MOST_SHOWN) {
            // A description names the post office's path, which comes from the file: each
            // line is made printable, so a path cannot colour the screen or reorder text.
            for line in e.to_string().lines() {
                let _ = writeln!(out, "  {}", printable(line));
            }
            let _ = writeln!(out);
        }
        if events.len() > MOST_SHOWN {
            let _ = writeln!(
                out,
                "  … {} more events; --json lists them all\n",
                events.len() - MOST_SHOWN
            );
        }
        write_state(&mut out, &self.observation);
        if !self.disagreements.is_empty() {
            let _ = writeln!(out, "\nREFERENCE MODEL DISAGREES (a bug in migwiz):");
            for d in &self.disagreements {
                let _ = writeln!(out, "  {d}");
            }
        }
        if !self.broken.is_empty() {
            let _ = writeln!(out, "\nA PROPERTY BROKE (a bug in migwiz):");
            for b in &self.broken {
                let _ = writeln!(out, "  {b}");
            }
        }
        out
    }
}

/// The transcript's opening, up to its steps: the scenario, its description, the version
/// forced, whether the model ran, and the `Steps` heading.
pub fn transcript_head(
    scenario: &str,
    description: Option<&str>,
    version: Option<Version>,
    model_check: &ModelCheck,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scenario: {}", printable(scenario));
    if let Some(d) = description {
        let _ = writeln!(out, "  {}", printable(d));
    }
    if let Some(v) = version {
        let _ = writeln!(out, "  (every wizard step run as version {v})");
    }
    if let ModelCheck::Skipped(why) = model_check {
        let _ = writeln!(out, "  (the reference model did not run alongside: {why})");
    }
    let _ = writeln!(out, "\nSteps");
    out
}

/// One step of the transcript: its line, its outcome and rules, and what it did.
pub fn transcript_step(s: &ReplayedStep) -> String {
    let rules: Vec<&str> = s.result.rules.iter().map(|r| r.as_str()).collect();
    let mut out = format!(
        "  #{} {}\n     {} [{}]\n     {}\n",
        s.number,
        s.op,
        s.result.outcome.word(),
        rules.join(" "),
        describe(s)
    );
    if let Some(batch) = s.result.batch.as_deref() {
        for warning in &batch.warnings {
            let _ = writeln!(out, "     warning: {}", printable(warning));
        }
    }
    out
}

/// The most mailboxes, recipients, users, rows or events the transcript shows one by one:
/// past it, a line says how many more there are and which (`--json` lists them all).
pub const MOST_SHOWN: usize = 50;

/// The line that stands for the entries past [`MOST_SHOWN`]: their count, first and last.
fn more<'a>(out: &mut String, total: usize, what: &str, name: impl Fn(usize) -> &'a str) {
    if total > MOST_SHOWN {
        let _ = writeln!(
            out,
            "  … {} more {what} ({} … {}); --json lists them all",
            total - MOST_SHOWN,
            printable(name(MOST_SHOWN)),
            printable(name(total - 1))
        );
    }
}

/// The final state: mailboxes, custom recipients, MS Mail, and the user list and the
/// files if any.
fn write_state(out: &mut String, obs: &Observation) {
    write_mailboxes(out, obs);
    write_custom_recipients(out, obs);
    write_msmail(out, obs);
    if let Some(rows) = &obs.user_list {
        write_user_list(out, rows);
    }
    if !obs.files.is_empty() {
        let _ = writeln!(out, "\nFiles");
        for f in obs.files.iter().take(MOST_SHOWN) {
            let _ = writeln!(out, "  {}", printable(&f.path));
            for line in crate::vocabulary::files::lines(&f.text)
                .iter()
                .take(MOST_SHOWN)
            {
                let _ = writeln!(out, "    | {}", printable(line));
            }
        }
        more(out, obs.files.len(), "files", |i| &obs.files[i].path);
    }
}

/// Each mailbox: container and directory name when not the defaults, proxies, folders,
/// mail and schedule.
fn write_mailboxes(out: &mut String, obs: &Observation) {
    let default = DEFAULT_CONTAINER;
    let _ = writeln!(out, "Mailboxes");
    if obs.mailboxes.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for m in obs.mailboxes.iter().take(MOST_SHOWN) {
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
            let _ = match &mail.attachment {
                Some(attachment) => writeln!(
                    out,
                    "    mail:    \"Migrated Calendar Information\" in {}, attachment {attachment}",
                    mail.folder
                ),
                None => writeln!(
                    out,
                    "    mail:    {} message(s) of {} in {}",
                    mail.count, mail.owner, mail.folder
                ),
            };
        }
        if m.calendar {
            let _ = writeln!(out, "    schedule: migrated");
        }
    }
    more(out, obs.mailboxes.len(), "mailboxes", |i| {
        &obs.mailboxes[i].alias
    });
}

/// Each custom recipient, with its container when not the default.
fn write_custom_recipients(out: &mut String, obs: &Observation) {
    let default = DEFAULT_CONTAINER;
    let _ = writeln!(out, "\nCustom recipients");
    if obs.custom_recipients.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for c in obs.custom_recipients.iter().take(MOST_SHOWN) {
        match c.container == default {
            true => writeln!(out, "  {} {}", c.alias, c.address),
            false => writeln!(out, "  {} {} in {}", c.alias, c.address, c.container),
        }
        .unwrap_or_default();
    }
    more(out, obs.custom_recipients.len(), "custom recipients", |i| {
        &obs.custom_recipients[i].alias
    });
}

/// Each MS Mail user's waiting mail, and what holds it.
fn write_msmail(out: &mut String, obs: &Observation) {
    let _ = writeln!(out, "\nMS Mail (still waiting)");
    for w in obs.msmail.iter().take(MOST_SHOWN) {
        let mut notes = Vec::new();
        if w.client == "open" {
            notes.push("client open: MMF locked");
        }
        if !w.password_in_step {
            notes.push("password out of step");
        }
        let dated: Vec<String> = w
            .dated
            .iter()
            .map(|d| format!("{} dated {}", d.count, d.date))
            .collect();
        let dated = dated.join(", ");
        if !dated.is_empty() {
            notes.push(&dated);
        }
        match notes.is_empty() {
            true => writeln!(out, "  {} {}", w.address, w.waiting),
            false => writeln!(out, "  {} {} ({})", w.address, w.waiting, notes.join(", ")),
        }
        .unwrap_or_default();
    }
    more(out, obs.msmail.len(), "MS Mail users", |i| {
        &obs.msmail[i].address
    });
}

/// The user list's rows, with the MS Mail address each stands for (A-LIST).
fn write_user_list(out: &mut String, rows: &[UserListRow]) {
    let _ = writeln!(out, "\nUser list");
    for r in rows.iter().take(MOST_SHOWN) {
        let secondary = r
            .secondary_proxy_addresses
            .as_ref()
            .map_or(String::new(), |p| {
                format!(", Secondary-Proxy-Addresses {p}")
            });
        let _ = writeln!(
            out,
            "  {}: MigrateUser {}, Mode {:?}, Common-Name {}{secondary}",
            r.user, r.migrate_user, r.mode, r.common_name
        );
    }
    more(out, rows.len(), "rows", |i| &rows[i].user);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::format::scenario::Scenario;
    use crate::tools::runs::replay::replay;
    use crate::vocabulary::setup::Setup;

    /// A replay ending with `n` mailboxes (`M0`, `M1`, …) and `n` events.
    fn with_mailboxes_and_events(n: usize) -> Replay {
        let steps = (0..n)
            .map(|i| Operation::create_mailbox(format!("M{i}").parse().unwrap()))
            .collect();
        let scenario = Scenario {
            name: "lists".into(),
            description: None,
            setup: Setup::new(Default::default(), Default::default(), Vec::new()).unwrap(),
            steps,
            clients: Vec::new(),
            schedule: 0,
        };
        let mut replayed = replay(&scenario, None);
        let event = Event {
            id: 7026,
            source: "MSExchangeMig",
            kind: "Error",
            category: "None",
            description: "Migration Aborted due to Mapi logon failure.".into(),
        };
        replayed.observation.events = vec![event; n];
        replayed
    }

    /// The report written in pieces (head, steps, tail) is the JSON serde writes whole.
    #[test]
    fn the_json_report_in_pieces_is_one_pretty_document() {
        /// The report as one struct, as it was written before it came in pieces.
        #[derive(Serialize)]
        struct Whole<'a> {
            scenario: &'a str,
            steps: Vec<StepJson<'a>>,
            #[serde(flatten)]
            tail: RunReportTail<'a>,
        }
        for n in [0, 1, 3] {
            let replay = with_mailboxes_and_events(n);
            let text = replay.to_json();
            let steps = replay.steps.iter().map(step_json).collect();
            let whole = Whole {
                scenario: &replay.scenario,
                steps,
                tail: replay.tail(),
            };
            assert_eq!(serde_json::to_string_pretty(&whole).unwrap(), text);
        }
    }

    #[test]
    fn the_transcript_shows_every_entry_up_to_its_limit_exactly() {
        let text = with_mailboxes_and_events(MOST_SHOWN).transcript();
        assert!(text.contains("  M49\n"), "{text}");
        assert!(!text.contains('…'), "{text}");
        assert_eq!(text.matches("Event ID: 7026").count(), MOST_SHOWN);
    }

    #[test]
    fn past_its_limit_the_transcript_counts_the_rest() {
        let text = with_mailboxes_and_events(MOST_SHOWN + 1).transcript();
        assert!(!text.contains("  M50\n"), "{text}");
        assert!(
            text.contains("  … 1 more events; --json lists them all\n"),
            "{text}"
        );
        assert!(
            text.contains("  … 1 more mailboxes (M50 … M50); --json lists them all\n"),
            "{text}"
        );
        assert_eq!(text.matches("Event ID: 7026").count(), MOST_SHOWN);
    }
}
