//! Where wizard versions part ways: one scenario replayed under 5.0, 5.5 and 5.5 SP1, and
//! only the differences kept (step outcomes, events, where mail ended up, what became of
//! custom recipients).
//!
//! ```
//! use migwiz::diff::VersionDiff;
//! use migwiz::scenario::Scenario;
//! let text = "name = \"x\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\n\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"migrate\"\n";
//! let diff = VersionDiff::of(&Scenario::parse("x.toml", text)?)?;
//! assert_eq!(diff.rows[0].cells[0], "ok\nNET1/PO1/JDOE 0 -> JDOE (alias)");
//! assert_eq!(diff.rows[0].cells[1], "aborted: 7026 for NET1/PO1/JDOE");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use crate::invariants::unbound_deliveries;
use crate::observe::Observation;
use crate::operation::{FoundBy, Outcome, UserResult, Version};
use crate::postoffice::PostOfficeError;
use crate::report::{replay, Replay, ReplayedStep};
use crate::scenario::Scenario;

/// One line of the comparison: what is compared, and its value under each version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// What the row is about: `#3 wizard full`, `mail of NET1/PO1/JDOE`, …
    pub what: String,
    /// The value under 5.0, 5.5 and 5.5 SP1, in [`Version::ALL`] order.
    pub cells: [String; 3],
}

/// A scenario under every version, and the rows where they differ.
#[derive(Debug, Clone)]
pub struct VersionDiff {
    /// The scenario's name.
    pub scenario: String,
    /// The replays, in [`Version::ALL`] order.
    pub replays: Vec<Replay>,
    /// Only the rows where not all versions agree.
    pub rows: Vec<DiffRow>,
}

fn short_found(f: FoundBy) -> &'static str {
    match f {
        FoundBy::Alias => "alias",
        FoundBy::MigrateProxy => "MIGRATE",
        FoundBy::MsProxy => "MS proxy",
    }
}

/// A step in a few words, for a table cell: the outcome, then one line per user.
pub fn step_summary(step: &ReplayedStep) -> String {
    let users: Vec<String> = step
        .result
        .users
        .iter()
        .filter_map(|u| match u {
            UserResult::Created {
                alias, replaced, ..
            } => Some(match replaced {
                Some(cr) => format!("created {alias} (CR {cr} deleted)"),
                None => format!("created {alias}"),
            }),
            UserResult::Existing { alias, .. } => Some(format!("kept {alias}")),
            UserResult::Migrated {
                user,
                alias,
                found_by,
                messages,
            } => Some(format!(
                "{user} {messages} -> {alias} ({})",
                short_found(*found_by)
            )),
            UserResult::NotFound { .. } => None,
        })
        .collect();
    let head = match &step.result.outcome {
        Outcome::Ok => "ok".to_string(),
        Outcome::Refused(r) => format!("refused: {r}"),
        Outcome::Aborted { user, event } => format!("aborted: {} for {user}", event.id),
    };
    std::iter::once(head)
        .chain(users)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where an MS Mail user's mail is, e.g. `JDOE 3` or `MS Mail 1, JDOE2 2`.
fn placement(obs: &Observation, owner: &str) -> String {
    let places = obs.mail_of(owner);
    let waiting = (places.waiting > 0).then(|| format!("MS Mail {}", places.waiting));
    let parts: Vec<String> = waiting
        .into_iter()
        .chain(
            places
                .mailboxes
                .iter()
                .map(|(alias, n)| format!("{alias} {n}")),
        )
        .collect();
    if parts.is_empty() {
        "no mail".to_string()
    } else {
        parts.join(", ")
    }
}

fn list_or_none(items: Vec<String>) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

impl VersionDiff {
    /// Replays `scenario` under each version and compares.
    pub fn of(scenario: &Scenario) -> Result<VersionDiff, PostOfficeError> {
        let replays = Version::ALL
            .iter()
            .map(|v| replay(scenario, Some(*v)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows = Vec::new();
        let mut push = |what: String, cells: [String; 3]| {
            if !(cells[0] == cells[1] && cells[1] == cells[2]) {
                rows.push(DiffRow { what, cells });
            }
        };
        for i in 0..scenario.steps.len() {
            let what = match &scenario.steps[i] {
                crate::operation::Operation::Wizard { phase, .. } => format!("#{i} wizard {phase}"),
                other => format!("#{i} {other}"),
            };
            push(what, [0, 1, 2].map(|v| step_summary(&replays[v].steps[i])));
        }
        // One cell per version, from that version's replay.
        let each = |cell: &dyn Fn(&Replay) -> String| [0, 1, 2].map(|v| cell(&replays[v]));
        for user in &scenario.setup.users {
            let owner = user.address.to_string();
            push(
                format!("mail of {owner}"),
                each(&|r| placement(&r.observation, &owner)),
            );
        }
        push(
            "mailboxes".to_string(),
            each(&|r| {
                list_or_none(
                    r.observation
                        .mailboxes
                        .iter()
                        .map(|m| m.alias.clone())
                        .collect(),
                )
            }),
        );
        // Addresses a mailbox holds under some versions only (a MIGRATE proxy, say).
        let mut aliases: Vec<String> = Vec::new();
        for r in &replays {
            for m in &r.observation.mailboxes {
                if !aliases.contains(&m.alias) {
                    aliases.push(m.alias.clone());
                }
            }
        }
        for alias in aliases {
            let lists: Vec<Option<Vec<String>>> = replays
                .iter()
                .map(|r| {
                    let m = r.observation.mailboxes.iter().find(|m| m.alias == alias)?;
                    Some(m.proxies.clone())
                })
                .collect();
            let present: Vec<&Vec<String>> = lists.iter().flatten().collect();
            if present.windows(2).all(|w| w[0] == w[1]) {
                continue; // the same wherever it exists; the mailboxes row shows where it does
            }
            // The first three addresses are the A-SITE ones; show what came after, unless
            // the site addresses themselves differ.
            let same_site = present
                .windows(2)
                .all(|w| w[0].iter().take(3).eq(w[1].iter().take(3)));
            push(
                format!("addresses of {alias}"),
                [0, 1, 2].map(|v| match &lists[v] {
                    None => "(no such mailbox)".to_string(),
                    Some(list) if !same_site => list.join("\n"),
                    Some(list) if list.len() <= 3 => "site addresses only".to_string(),
                    Some(list) => format!("site addresses and\n{}", list[3..].join("\n")),
                }),
            );
        }
        push(
            "custom recipients".to_string(),
            each(&|r| {
                list_or_none(
                    r.observation
                        .custom_recipients
                        .iter()
                        .map(|c| c.alias.clone())
                        .collect(),
                )
            }),
        );
        push(
            "unbound deliveries (I-OWNER)".to_string(),
            each(&|r| {
                list_or_none(
                    r.steps
                        .iter()
                        .flat_map(|s| unbound_deliveries(&s.result, &s.after))
                        .map(|(owner, alias)| format!("{owner} -> {alias}"))
                        .collect(),
                )
            }),
        );
        push(
            "event log".to_string(),
            each(&|r| {
                list_or_none(
                    r.observation
                        .events
                        .iter()
                        .map(|e| format!("{} {}", e.id, e.kind))
                        .collect(),
                )
            }),
        );
        Ok(VersionDiff {
            scenario: scenario.name.clone(),
            replays,
            rows,
        })
    }

    /// Whether all three versions agree on everything compared.
    pub fn agree(&self) -> bool {
        self.rows.is_empty()
    }

    /// The side-by-side table, or a line saying the versions agree.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.agree() {
            let _ = writeln!(
                out,
                "  5.0, 5.5 and 5.5-sp1 agree on every step and on the final state"
            );
            return out;
        }
        let header = ["", "5.0", "5.5", "5.5-sp1"];
        let mut widths = header.map(str::len);
        for row in &self.rows {
            let cells = [&row.what, &row.cells[0], &row.cells[1], &row.cells[2]];
            for (k, c) in cells.iter().enumerate() {
                for l in c.lines() {
                    widths[k] = widths[k].max(l.chars().count());
                }
            }
        }
        let line = |cells: [&str; 4]| {
            let mut l = String::from(" ");
            for (k, c) in cells.iter().enumerate() {
                l.push(' ');
                l.push_str(c);
                l.push_str(&" ".repeat(widths[k].saturating_sub(c.chars().count())));
                l.push_str(if k < 3 { " |" } else { "" });
            }
            l.trim_end().to_string()
        };
        let dashes = widths.map(|w| "-".repeat(w));
        let rule = line([&dashes[0], &dashes[1], &dashes[2], &dashes[3]]);
        let _ = writeln!(out, "{}", line(header));
        for row in &self.rows {
            let _ = writeln!(out, "{rule}");
            let cells = [&row.what, &row.cells[0], &row.cells[1], &row.cells[2]]
                .map(|c| c.lines().collect::<Vec<_>>());
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for i in 0..height {
                let part = |k: usize| cells[k].get(i).copied().unwrap_or("");
                let _ = writeln!(out, "{}", line([part(0), part(1), part(2), part(3)]));
            }
        }
        out
    }
}
