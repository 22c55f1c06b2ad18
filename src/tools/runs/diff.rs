//! Where wizard versions part ways: one scenario replayed under 5.0, 5.5 and 5.5 SP1, and
//! only the differences kept: everything the JSON run report holds but the rules, which
//! name each version's own lookup on every wizard step. Step outcomes and what each did for
//! its users, where each user's mail is, the mailboxes and each one's addresses, folders,
//! container, directory name and owner, the user list, the custom recipients, the MS Mail
//! client and password state, the mail delivered to mailboxes not tied to its owner, the
//! event log, and the words of each event logged under every version (10068's counts).
//!
//! ```
//! use migwiz::{Scenario, VersionDiff};
//! let text = "name = \"x\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\n\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"migrate\"\n";
//! let diff = VersionDiff::of(&Scenario::parse("x.toml", text)?);
//! assert_eq!(diff.rows[0].cells[0], "ok\nNET1/PO1/JDOE 0 -> JDOE (alias)");
//! assert_eq!(diff.rows[0].cells[1], "aborted: 7026 for NET1/PO1/JDOE\nno mailbox holds migrate:MS:NET1/PO1/JDOE\n(5.5 looks up by MIGRATE proxy, W-2-55)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::harness::difference::ordinal;
use crate::server::addressing::DEFAULT_CONTAINER;
use crate::tools::format::scenario::Scenario;
use crate::tools::runs::replay::{ModelCheckPolicy, Replay, Replayer};
use crate::vocabulary::event::Event;
use crate::vocabulary::observation::{FileView, MailPlaces, MailboxView, UserListRow, WaitingView};
use crate::vocabulary::operation::{Operation, Version};

/// One line of the comparison: what is compared, and its value under each version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// What the row is about: `#3 wizard full` (steps count from 1), `mail of NET1/PO1/JDOE`, …
    pub what: String,
    /// The value under 5.0, 5.5 and 5.5 SP1, in [`Version::ALL`] order.
    pub cells: [String; 3],
}

/// A scenario under every version, and the rows where they differ.
#[derive(Debug, Clone)]
pub struct VersionDiff {
    /// The scenario's name.
    pub scenario: String,
    /// The replays, in [`Version::ALL`] order: each one's final state, model check and
    /// disagreements. Their `steps` are empty: a diff keeps only what it compares of a
    /// step (its cell), so that memory does not grow with the steps.
    pub replays: Vec<Replay>,
    /// Only the rows where not all versions agree.
    pub rows: Vec<DiffRow>,
}

/// Where an MS Mail user's mail is, e.g. `JDOE 3` or `MS Mail 1, JDOE2 2`.
fn placement(places: &MailPlaces) -> String {
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

fn lines(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("\n")
}

/// The most items a cell lists, and the most rows of one kind a table shows, before it
/// summarises: a table stays readable at 10⁵ mailboxes (`migwiz run --json` has them all).
pub const MOST_LISTED: usize = 20;

/// One item per line, or `none`; [`capped`] keeps a long list short.
fn lines_or_none(items: impl Iterator<Item = String>) -> String {
    let text = lines(items);
    match text.is_empty() {
        true => "none".to_string(),
        false => text,
    }
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.len() {
        0 => "none".to_string(),
        n if n <= MOST_LISTED => items.join(", "),
        n => format!("{n}: {}, … {}", items[..3].join(", "), items[n - 1]),
    }
}

/// A cell of more than [`MOST_LISTED`] lines keeps its first lines and its last one.
fn capped(cell: String) -> String {
    let lines: Vec<&str> = cell.lines().collect();
    if lines.len() <= MOST_LISTED {
        return cell;
    }
    let hidden = lines.len() - MOST_LISTED + 1;
    let mut kept: Vec<String> = lines[..MOST_LISTED - 2]
        .iter()
        .map(|l| l.to_string())
        .collect();
    kept.push(format!("… {hidden} more lines (migwiz run --json)"));
    kept.push(lines[lines.len() - 1].to_string());
    kept.join("\n")
}

/// One view of an entry in a row of its own: the row's name and the cell's words.
type View<'f, T> = (&'f str, &'f dyn Fn(&T) -> String);

/// The rows of a comparison, keeping only those where the versions differ.
struct Rows<'a> {
    replays: &'a [Replay],
    /// What each version kept of its steps, in [`Version::ALL`] order.
    kept: &'a [Kept],
    rows: Vec<DiffRow>,
}

/// What a diff keeps of one version's steps: each step's cell, and the deliveries into
/// mailboxes not tied to their owner, `(owner, alias)`.
#[derive(Default)]
struct Kept {
    /// Each step's cell, as an index into `texts`: a long scenario repeats the same few
    /// cells, kept once each.
    cells: Vec<u32>,
    texts: Vec<String>,
    unbound: Vec<(String, String)>,
}

impl Kept {
    fn cell(&self, step: usize) -> &str {
        &self.texts[self.cells[step] as usize]
    }
}

/// Replays `scenario` under `version`, keeping of each step only what the diff compares.
fn replay_kept(
    scenario: &Scenario,
    version: Version,
    policy: ModelCheckPolicy,
    step_done: &(dyn Fn() + Sync),
) -> (Replay, Kept) {
    let mut replayer = Replayer::new(scenario, Some(version), policy);
    let mut kept = Kept::default();
    let mut known: HashMap<String, u32> = HashMap::new();
    while let Some(step) = replayer.next_step() {
        let next = kept.texts.len() as u32;
        let index = *known.entry(step.cell).or_insert_with_key(|cell| {
            kept.texts.push(cell.clone());
            next
        });
        kept.cells.push(index);
        kept.unbound.extend(step.unbound);
        step_done();
    }
    (replayer.finish(), kept)
}

impl Rows<'_> {
    fn push(&mut self, what: String, cells: [String; 3]) {
        if !(cells[0] == cells[1] && cells[1] == cells[2]) {
            let cells = cells.map(capped);
            self.rows.push(DiffRow { what, cells });
        }
    }

    /// Rows of one kind (`mail of …`, `addresses of …`): past [`MOST_LISTED`] of them, one
    /// row says how many more differ.
    fn push_many(&mut self, kind: &str, rows: Vec<(String, [String; 3])>) {
        let total = rows.len();
        for (what, cells) in rows.into_iter().take(MOST_LISTED) {
            self.push(what, cells);
        }
        if total > MOST_LISTED {
            let more = format!("… {} more {kind} differ", total - MOST_LISTED);
            let cells = [0, 1, 2].map(|_| "(migwiz run --json under each version)".to_string());
            self.rows.push(DiffRow { what: more, cells });
        }
    }

    /// A row with one cell per version, each from that version's replay.
    fn each(&mut self, what: &str, cell: impl Fn(&Replay) -> String) {
        let cells = [0, 1, 2].map(|v| cell(&self.replays[v]));
        self.push(what.to_string(), cells);
    }

    /// One row per step: its outcome and what it did for each user.
    fn steps(&mut self, scenario: &Scenario) {
        for (i, step) in scenario.steps.iter().enumerate() {
            let number = i + 1;
            let what = match step {
                Operation::Wizard(run) => format!("#{number} wizard {}", run.phase),
                Operation::Mailmig { command, .. } => {
                    format!("#{number} mailmig {}", crate::vocabulary::shown(command))
                }
                other => format!("#{number} {other}"),
            };
            let cells = [0, 1, 2].map(|v| self.kept[v].cell(i).to_string());
            self.push(what, cells);
        }
    }

    /// Where each user's mail ended up; each replay's places are gathered once.
    fn mail(&mut self, scenario: &Scenario) {
        let places: Vec<HashMap<&str, MailPlaces>> = self
            .replays
            .iter()
            .map(|r| r.observation.mail_places())
            .collect();
        let mut rows = Vec::new();
        for user in scenario.setup.users() {
            let owner = user.address.to_string();
            let cells = [0, 1, 2]
                .map(|v| placement(&places[v].get(owner.as_str()).cloned().unwrap_or_default()));
            if !(cells[0] == cells[1] && cells[1] == cells[2]) {
                rows.push((format!("mail of {owner}"), cells));
            }
        }
        self.push_many("users' mail", rows);
    }

    /// Addresses a mailbox holds under some versions only (a MIGRATE proxy, say).
    fn addresses(&mut self) {
        let by_alias: Vec<HashMap<&str, &MailboxView>> = self
            .replays
            .iter()
            .map(|r| {
                let mailboxes = r.observation.mailboxes.iter();
                mailboxes.map(|m| (m.alias.as_str(), m)).collect()
            })
            .collect();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        for r in self.replays {
            for alias in r.observation.mailboxes.iter().map(|m| m.alias.as_str()) {
                if !seen.insert(alias) {
                    continue;
                }
                let lists: Vec<Option<Vec<String>>> = by_alias
                    .iter()
                    .map(|index| index.get(alias).map(|m| m.proxies.clone()))
                    .collect();
                if let Some(cells) = address_cells(&lists) {
                    rows.push((format!("addresses of {alias}"), cells));
                }
            }
        }
        self.push_many("mailboxes' addresses", rows);
    }

    /// For each alias some replay has, one row per view of it that differs: the cell is
    /// `what` the view shows, or `absent` where the replay has no such entry.
    fn per_entry<T>(
        &mut self,
        kind: &str,
        entries: impl Fn(&Replay) -> &[T],
        key: impl Fn(&T) -> &str,
        views: &[View<'_, T>],
        absent: &str,
    ) {
        let index: Vec<HashMap<&str, &T>> = self
            .replays
            .iter()
            .map(|r| entries(r).iter().map(|e| (key(e), e)).collect())
            .collect();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        for r in self.replays {
            for name in entries(r).iter().map(&key) {
                if !seen.insert(name) {
                    continue;
                }
                let found: Vec<Option<&&T>> = index.iter().map(|i| i.get(name)).collect();
                // Present under some versions only: the list row already says so.
                if found.iter().any(Option::is_none) {
                    continue;
                }
                for (what, view) in views {
                    let cells = [0, 1, 2].map(|v| found[v].map_or(absent.to_string(), |e| view(e)));
                    if !(cells[0] == cells[1] && cells[1] == cells[2]) {
                        rows.push((format!("{what} of {name}"), cells));
                    }
                }
            }
        }
        self.push_many(kind, rows);
    }

    /// Each mailbox's folders, container, directory name, owner and calendar, where they differ.
    fn settings(&mut self) {
        self.per_entry(
            "mailboxes' settings",
            |r| &r.observation.mailboxes,
            |m| &m.alias,
            &[
                ("folders", &|m: &MailboxView| match m.folders.is_empty() {
                    true => "not created yet".to_string(),
                    false => m.folders.join("\n"),
                }),
                ("container", &|m: &MailboxView| m.container.clone()),
                ("directory name", &|m: &MailboxView| {
                    m.directory_name.clone()
                }),
                ("owner", &|m: &MailboxView| {
                    m.created_for
                        .clone()
                        .unwrap_or_else(|| "created by an administrator".to_string())
                }),
                ("calendar", &|m: &MailboxView| {
                    let messages = m.mail.iter().filter(|x| x.calendar).count();
                    match (m.calendar, messages) {
                        (false, _) => "no schedule migrated".to_string(),
                        (true, 0) => "schedule migrated, no message (B-SCHED-50)".to_string(),
                        (true, n) => format!("schedule migrated, {n} \"Migrated Calendar\nInformation\" message(s) (B-SCHED)"),
                    }
                }),
            ],
            "(no such mailbox)",
        );
    }

    /// Each MS Mail user's client and password, where they differ.
    fn msmail(&mut self) {
        self.per_entry(
            "MS Mail users' state",
            |r| &r.observation.msmail,
            |w| &w.address,
            &[
                ("MS Mail client", &|w: &WaitingView| w.client.to_string()),
                (
                    "MS Mail password",
                    &|w: &WaitingView| match w.password_in_step {
                        true => "in step".to_string(),
                        false => "out of step (recovered)".to_string(),
                    },
                ),
            ],
            "(not in the post office)",
        );
    }

    /// The same event in each log (the n-th of its id) in other words (10068's counts,
    /// say): one row each, with the lines that are not the same everywhere.
    fn event_texts(&mut self) {
        let logs: Vec<&[Event]> = self
            .replays
            .iter()
            .map(|r| r.observation.events.as_slice())
            .collect();
        // Where each id's events are in each log, in order: the n-th of an id is found at
        // once (a walk of the log for each event was quadratic in long scenarios).
        let places: Vec<HashMap<u32, Vec<usize>>> = logs
            .iter()
            .map(|log| {
                let mut at: HashMap<u32, Vec<usize>> = HashMap::new();
                for (k, e) in log.iter().enumerate() {
                    at.entry(e.id).or_default().push(k);
                }
                at
            })
            .collect();
        let mut rows = Vec::new();
        let mut seen: HashMap<u32, usize> = HashMap::new();
        for event in logs[0] {
            let nth = seen.entry(event.id).or_default();
            *nth += 1;
            let found: Vec<Option<&Event>> = logs
                .iter()
                .zip(&places)
                .map(|(log, at)| Some(&log[*at.get(&event.id)?.get(*nth - 1)?]))
                .collect();
            // Logged under some versions only: the event log row shows it.
            let Some(found) = found.into_iter().collect::<Option<Vec<&Event>>>() else {
                continue;
            };
            let texts: Vec<Vec<String>> = found
                .iter()
                .map(|e| qualified_lines(&e.description))
                .collect();
            if texts.windows(2).all(|w| w[0] == w[1]) {
                continue;
            }
            let cells = [0, 1, 2].map(|v| {
                let differing = texts[v]
                    .iter()
                    .filter(|line| !texts.iter().all(|t| t.contains(line)));
                lines(differing.cloned())
            });
            let nth = match *nth {
                1 => String::new(),
                n => format!(" (the {})", ordinal(n)),
            };
            rows.push((format!("words of event {}{nth}", event.id), cells));
        }
        self.push_many("events' words", rows);
    }
}

/// A description's lines, each prefixed with the section it is in (`Import / Accounts: 1`),
/// so that the same words under two sections stay apart.
fn qualified_lines(description: &str) -> Vec<String> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in description.lines() {
        let trimmed = line.trim();
        if !line.starts_with(' ') && trimmed.ends_with(':') {
            section = trimmed.trim_end_matches(':').to_string();
            continue;
        }
        match line.starts_with(' ') && !section.is_empty() {
            true => out.push(format!("{section} / {trimmed}")),
            false => out.push(trimmed.to_string()),
        }
    }
    out
}

/// The cells of a mailbox's "addresses" row, or `None` where every version that has the
/// mailbox gives it the same addresses (the mailboxes row shows where it exists).
fn address_cells(lists: &[Option<Vec<String>>]) -> Option<[String; 3]> {
    let present: Vec<&Vec<String>> = lists.iter().flatten().collect();
    if present.windows(2).all(|w| w[0] == w[1]) {
        return None;
    }
    // The first three addresses are the A-SITE ones; show what came after, unless the site
    // addresses themselves differ.
    let same_site = present
        .windows(2)
        .all(|w| w[0].iter().take(3).eq(w[1].iter().take(3)));
    Some([0, 1, 2].map(|v| match &lists[v] {
        None => "(no such mailbox)".to_string(),
        Some(list) if !same_site => list.join("\n"),
        Some(list) if list.len() <= 3 => {
            "only the SMTP, MS and X400 addresses\nit was created with".to_string()
        }
        Some(list) => format!(
            "the SMTP, MS and X400 addresses\nit was created with, and\n{}",
            list[3..].join("\n")
        ),
    }))
}

/// The rows where the three replays differ: the steps, each user's mail, the mailboxes and
/// their addresses and settings, the user list, the files, the custom recipients, the MS
/// Mail users, unbound deliveries and the event log.
fn rows_of(scenario: &Scenario, replays: &[Replay], kept: &[Kept]) -> Vec<DiffRow> {
    let mut rows = Rows {
        replays,
        kept,
        rows: Vec::new(),
    };
    rows.steps(scenario);
    rows.mail(scenario);
    rows.each("mailboxes", |r| {
        list_or_none(r.observation.mailboxes.iter().map(|m| m.alias.clone()))
    });
    rows.addresses();
    rows.each("user list", |r| {
        user_list_cell(r.observation.user_list.as_deref())
    });
    rows.settings();
    rows.each("files", |r| {
        list_or_none(r.observation.files.iter().map(|f| f.path.clone()))
    });
    rows.per_entry(
        "files' texts",
        |r| &r.observation.files,
        |f| &f.path,
        &[("text", &|f: &FileView| {
            lines(
                crate::vocabulary::files::lines(&f.text)
                    .into_iter()
                    .map(str::to_string),
            )
        })],
        "(no such file)",
    );
    rows.each("custom recipients", |r| {
        lines_or_none(r.observation.custom_recipients.iter().map(|c| {
            match c.container == DEFAULT_CONTAINER {
                true => format!("{} {}", c.alias, c.address),
                false => format!("{} {} in {}", c.alias, c.address, c.container),
            }
        }))
    });
    rows.msmail();
    let unbound = [0, 1, 2].map(|v| {
        list_or_none(
            kept[v]
                .unbound
                .iter()
                .map(|(owner, alias)| format!("{owner} -> {alias}")),
        )
    });
    rows.push(
        "mail delivered to a mailbox\nnot tied to its owner (I-OWNER)".to_string(),
        unbound,
    );
    rows.each("event log", |r| {
        list_or_none(
            r.observation
                .events
                .iter()
                .map(|e| format!("{} {}", e.id, e.kind)),
        )
    });
    rows.event_texts();
    rows.rows
}

/// The cell of the "user list" row: none extracted, an empty one, or a line per row.
fn user_list_cell(list: Option<&[UserListRow]>) -> String {
    match list {
        None => "none".to_string(),
        Some([]) => "no rows".to_string(),
        Some(list) => lines(list.iter().map(|row| {
            let extra = row
                .secondary_proxy_addresses
                .as_ref()
                .map_or(String::new(), |p| format!(" {p}"));
            format!(
                "{}: {} {:?} {}{extra}",
                row.user, row.migrate_user, row.mode, row.common_name
            )
        })),
    }
}

impl VersionDiff {
    /// Replays `scenario` under each version and compares.
    pub fn of(scenario: &Scenario) -> VersionDiff {
        VersionDiff::with(scenario, ModelCheckPolicy::Auto)
    }

    /// Replays `scenario` under each version, with the model checked as `policy` says, and
    /// compares.
    pub fn with(scenario: &Scenario, policy: ModelCheckPolicy) -> VersionDiff {
        VersionDiff::watched(scenario, policy, &|| ())
    }

    /// [`VersionDiff::with`], calling `step_done` after each step of each version.
    pub fn watched(
        scenario: &Scenario,
        policy: ModelCheckPolicy,
        step_done: &(dyn Fn() + Sync),
    ) -> VersionDiff {
        // The three replays share nothing: each runs on its own thread.
        let (replays, kept): (Vec<Replay>, Vec<Kept>) = std::thread::scope(|scope| {
            let handles: Vec<_> = Version::ALL
                .iter()
                .map(|&v| {
                    let spawned = std::thread::Builder::new()
                        .spawn_scoped(scope, move || replay_kept(scenario, v, policy, step_done));
                    // A thread the system will not give is run here instead (issue 25, 9).
                    spawned.map_err(|_| Box::new(replay_kept(scenario, v, policy, step_done)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(h) => h
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    Err(done_here) => *done_here,
                })
                .unzip()
        });
        let rows = rows_of(scenario, &replays, &kept);
        VersionDiff {
            scenario: scenario.name.clone(),
            replays,
            rows,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(n: usize) -> impl Iterator<Item = String> {
        (0..n).map(|i| format!("u{i}"))
    }

    /// A cell lists up to [`MOST_LISTED`] items; past that, how many, the first three and
    /// the last.
    #[test]
    fn a_cell_lists_its_items_up_to_the_limit() {
        assert_eq!(list_or_none(numbered(0)), "none");
        let all = list_or_none(numbered(MOST_LISTED));
        assert_eq!(all.split(", ").count(), MOST_LISTED);
        assert_eq!(
            list_or_none(numbered(MOST_LISTED + 1)),
            "21: u0, u1, u2, … u20"
        );
    }

    /// A cell of up to [`MOST_LISTED`] lines is kept whole; a longer one keeps its first
    /// lines, says how many it hides, and keeps its last, in [`MOST_LISTED`] lines in all.
    #[test]
    fn a_long_cell_keeps_its_first_and_last_lines() {
        let cell = |n: usize| numbered(n).collect::<Vec<_>>().join("\n");
        assert_eq!(capped(cell(MOST_LISTED)), cell(MOST_LISTED));
        let kept = capped(cell(25));
        let lines: Vec<&str> = kept.lines().collect();
        assert_eq!(lines.len(), MOST_LISTED);
        assert_eq!(
            lines[..MOST_LISTED - 2],
            cell(MOST_LISTED - 2).lines().collect::<Vec<_>>()[..]
        );
        // 25 lines: 18 kept at the top, the last kept, so 6 hidden.
        assert_eq!(lines[MOST_LISTED - 2], "… 6 more lines (migwiz run --json)");
        assert_eq!(lines[MOST_LISTED - 1], "u24");
    }

    /// Up to [`MOST_LISTED`] rows of a kind are shown; past that, one row counts the rest.
    #[test]
    fn rows_of_one_kind_are_shown_up_to_the_limit() {
        let rows = |n: usize| {
            let mut table = Rows {
                replays: &[],
                kept: &[],
                rows: Vec::new(),
            };
            let differing = numbered(n)
                .map(|what| (what, ["a", "b", "c"].map(String::from)))
                .collect();
            table.push_many("mailboxes", differing);
            table.rows
        };
        let all = rows(MOST_LISTED);
        assert_eq!(all.len(), MOST_LISTED);
        assert_eq!(all[MOST_LISTED - 1].what, "u19");
        let more = rows(MOST_LISTED + 2);
        assert_eq!(more.len(), MOST_LISTED + 1);
        assert_eq!(more[MOST_LISTED].what, "… 2 more mailboxes differ");
    }

    /// A mailbox's addresses: where the versions gave it the same three site addresses,
    /// the cell names them and lists what came after; where those differ, it lists all.
    #[test]
    fn an_addresses_cell_lists_all_where_the_site_addresses_differ() {
        let list = |items: &[&str]| Some(items.iter().map(|a| a.to_string()).collect());
        let site = ["SMTP:JDOE@x", "MS:O/S/JDOE", "X400:s=JDOE;"];
        let same = [
            list(&site),
            list(&[&site[..], &["MS:NET1/PO1/JDOE"]].concat()),
            None,
        ];
        let cells = address_cells(&same).expect("the lists differ");
        assert_eq!(
            cells[0],
            "only the SMTP, MS and X400 addresses\nit was created with"
        );
        assert!(cells[1].ends_with("and\nMS:NET1/PO1/JDOE"), "{}", cells[1]);
        assert_eq!(cells[2], "(no such mailbox)");
        let other = ["SMTP:JDOE2@x", "MS:O/S/JDOE2", "X400:s=JDOE2;"];
        let differ = [list(&site), list(&other), None];
        let cells = address_cells(&differ).expect("the lists differ");
        assert_eq!(cells[1], other.join("\n"));
        assert_eq!(address_cells(&[list(&site), list(&site), None]), None);
    }

    /// The user list's cell: none extracted, an empty list, or a line per row.
    #[test]
    fn a_user_list_cell_tells_none_from_no_rows() {
        assert_eq!(user_list_cell(None), "none");
        assert_eq!(user_list_cell(Some(&[])), "no rows");
    }

    /// A scenario whose versions do the same says so in one line, not in an empty table.
    #[test]
    fn versions_that_agree_say_so_in_one_line() {
        let text = "name = \"no wizard\"\n\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\n";
        let diff = VersionDiff::of(&Scenario::parse("agree.toml", text).expect("a scenario"));
        assert!(diff.agree());
        assert_eq!(
            diff.render(),
            "  5.0, 5.5 and 5.5-sp1 agree on every step and on the final state\n"
        );
    }
}
