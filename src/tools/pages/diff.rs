//! The side-by-side page of `migwiz diff FILE --html OUT.html`: the scenario's steps as
//! rows and 5.0, 5.5 and 5.5 SP1 as columns, each cell coloured by how the step ended with
//! its rule ids linked to their text and, in words, what an "ok" hides; the first step
//! where the versions part ways marked; the final states compared as `migwiz diff` prints
//! them; the mail's path per version drawn from MS Mail user
//! to mailbox (a delivery into a mailbox not tied to its owner in red), the event log per
//! version, and the article the scenario comes from at the top.
//!
//! ```
//! use migwiz::tools::pages::diff::page;
//! use migwiz::tools::replay::ModelCheckPolicy;
//! use migwiz::Scenario;
//! let text = "name = \"<b>x</b>\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"migrate\"\n";
//! let html = page(&Scenario::parse("x.toml", text)?, ModelCheckPolicy::Auto);
//! assert!(html.contains("&lt;b&gt;x&lt;/b&gt;") && !html.contains("<b>x</b>"));
//! assert!(html.contains("href=\"#rule-W-7026\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use maud::{html, Markup, DOCTYPE};

use crate::tools::format::scenario::Scenario;
use crate::tools::pages::marks::{marked, show_parts};
use crate::tools::pages::{back, head, legend, rules, Shows};
use crate::tools::runs::diff::{DiffRow, VersionDiff};
use crate::tools::runs::replay::{replay_with, ModelCheckPolicy, Replay};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::printable;

/// The most steps a page shows as rows, and the most users, mailboxes and events it draws
/// or lists per version: past them a line says how many more (`migwiz run --json` has
/// them all), so that a page stays under 1 MB.
pub const MOST_ON_PAGE: usize = 200;

/// What the page's colours and symbols mean: each colour has a word or symbol too.
const LEGEND: [(&str, &str, &str); 7] = [
    ("ok", "✓ ok", "the step ended ok"),
    ("refused", "! refused", "the step was refused before it changed anything"),
    ("aborted", "✗ aborted", "the step was aborted (event 7026 and its kind)"),
    ("", "⚠", "what an \"ok\" hides: mail into a mailbox not tied to its owner, or users whose mail stayed behind an error event"),
    ("", "◆", "the first step where the versions part ways"),
    ("", "marked", "words one version says and another does not"),
    ("", "→ / - - →", "mail in its owner's mailbox (solid blue) / in a mailbox not tied to its owner (dashed orange)"),
];

/// The symbol beside an outcome's word and colour.
pub(crate) fn cue(word: &str) -> &'static str {
    match word {
        "ok" => "✓",
        "refused" => "!",
        _ => "✗",
    }
}

/// The article every scenario's story starts from, word for word.
const Q242184: &str = include_str!("../../../spec/Q242184.txt");

/// The page for `scenario`, replayed under every version with the model checked as
/// `policy` says.
pub fn page(scenario: &Scenario, policy: ModelCheckPolicy) -> String {
    page_in(scenario, policy, None)
}

/// The page for `scenario`, linking back to the index `index` (a file beside it) when the
/// page is one of a folder's.
pub fn page_in(scenario: &Scenario, policy: ModelCheckPolicy, index: Option<&str>) -> String {
    page_and_shows(scenario, policy, index).0
}

/// The page for `scenario` as [`page_in`] makes it, and what the index says of it.
pub fn page_and_shows(
    scenario: &Scenario,
    policy: ModelCheckPolicy,
    index: Option<&str>,
) -> (String, Shows) {
    let replays: Vec<Replay> = Version::ALL
        .iter()
        .map(|&v| replay_with(scenario, Some(v), policy))
        .collect();
    let diff = VersionDiff::with(scenario, policy);
    // The rows of the final state; those of steps (`#2 …`) are the table above.
    let ends: Vec<&DiffRow> = diff
        .rows
        .iter()
        .filter(|r| !r.what.starts_with('#'))
        .collect();
    let mut cited: BTreeSet<&'static str> = BTreeSet::new();
    for replay in &replays {
        for step in replay.steps.iter().take(MOST_ON_PAGE) {
            cited.extend(step.result.rules.iter().map(|r| r.as_str()));
        }
    }
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("migwiz diff: {}", printable(&scenario.name)), ""))
            body {
                (back(index))
                (header(scenario))
                (legend(&LEGEND))
                h2 { "Steps under each version" }
                (steps(scenario, &replays))
                h2 { "What differs at the end" }
                (final_state(&ends))
                h2 { "Where the mail went" }
                p.note { "Each arrow goes from an MS Mail user to the mailbox that holds its mail at the end: solid blue when the mailbox is tied to its owner, dashed orange when it is not (I-OWNER). The list under each picture says the same in words." }
                div.versions {
                    @for (v, replay) in Version::ALL.iter().zip(&replays) {
                        div.path data-version=(v.as_str()) {
                            h3 { (v.as_str()) }
                            (mail_path(scenario, replay))
                        }
                    }
                }
                h2 { "Application event log" }
                p.note { "Words one version logs and another does not are marked." }
                (event_logs(&replays))
                h2 { "The rules cited" }
                dl.rule-texts {
                    @for id in &cited {
                        dt id={ "rule-" (id) } { (id) }
                        dd { (rules::text(id).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    (markup.into_string(), shows(&replays, ends.len()))
}

/// The scenario's name and description, and the articles it cites, Q242184 in full.
fn header(scenario: &Scenario) -> Markup {
    let said = format!(
        "{} {}",
        scenario.name,
        scenario.description.as_deref().unwrap_or("")
    );
    let articles: BTreeSet<String> = said
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() == 7 && w.starts_with('Q') && w[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(str::to_string)
        .collect();
    html! {
        // Escaped by the template, and control and direction marks shown as escapes: a
        // U+202E would otherwise show the rest of the line backwards.
        h1 { (printable(&scenario.name)) }
        @if let Some(d) = &scenario.description { p { (printable(d)) } }
        p.note {
            "From the Microsoft Knowledge Base: "
            @if articles.is_empty() { "Q242184, the article migwiz is built around" }
            @else { (articles.iter().cloned().collect::<Vec<_>>().join(", ")) }
            ". Each version is the same file run with every wizard step as that version."
        }
        details {
            summary { "Q242184, word for word" }
            pre { (Q242184) }
        }
    }
}

/// One row per step: its line, then per version a cell coloured by outcome, with what the
/// step did, what an "ok" hides said in words (mail into a mailbox not tied to its owner,
/// users whose mail stayed behind an error event), and its rule ids linked to their text.
/// The first step where the versions part ways is marked.
fn steps(scenario: &Scenario, replays: &[Replay]) -> Markup {
    let shown = scenario.steps.len().min(MOST_ON_PAGE);
    let first_part = parting(replays).filter(|&i| i < shown);
    html! {
        table.steps {
            thead { tr { th { "step" } @for v in Version::ALL { th { (v.as_str()) } } } }
            tbody {
                @for i in 0..shown {
                    tr class=[(first_part == Some(i)).then_some("first-difference")] {
                        th {
                            "#" (i + 1) " " (step_name(&scenario.steps[i]))
                            @if first_part == Some(i) { p.parting { "◆ the versions part ways here" } }
                        }
                        @let cells = marked(&replays.iter().map(|r| detail_lines(&r.steps[i].cell)).collect::<Vec<_>>());
                        @for (replay, lines) in replays.iter().zip(&cells) {
                            @let step = &replay.steps[i];
                            @let word = step.result.outcome.word();
                            td class=(word) {
                                span.cue { (cue(word)) " " (word) }
                                @if !lines.is_empty() { pre { (show_parts(lines)) } }
                                @for warning in hidden_by_ok(step) { p.warning { "⚠ " (warning) } }
                                div.rules {
                                    @for rule in &step.result.rules {
                                        a href={ "#rule-" (rule.as_str()) } { (rule.as_str()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if scenario.steps.len() > shown {
            p.note { (scenario.steps.len() - shown) " more steps; migwiz run --json lists them all" }
        }
    }
}

/// The first step (from 0) where the versions part ways: their cells or outcomes differ.
fn parting(replays: &[Replay]) -> Option<usize> {
    let steps = replays.iter().map(|r| r.steps.len()).min().unwrap_or(0);
    (0..steps).find(|&i| {
        let first = &replays[0].steps[i];
        replays[1..].iter().any(|r| {
            let step = &r.steps[i];
            step.cell != first.cell || step.result.outcome.word() != first.result.outcome.word()
        })
    })
}

/// What the index says of a scenario replayed under every version (`replays`, in the
/// order of [`Version::ALL`]): where the versions part ways, which abort a step, and which
/// put mail into a mailbox not tied to its owner, and on how many things they end apart.
fn shows(replays: &[Replay], ends_differ: usize) -> Shows {
    let under = |test: &dyn Fn(&Replay) -> bool| -> Vec<String> {
        Version::ALL
            .iter()
            .zip(replays)
            .filter(|(_, r)| test(r))
            .map(|(v, _)| v.as_str().to_string())
            .collect()
    };
    Shows::Versions {
        parting: parting(replays).map(|i| i + 1),
        ends_differ,
        aborted: under(&|r| r.steps.iter().any(|s| s.result.outcome.word() == "aborted")),
        misdelivered: under(&|r| r.steps.iter().any(|s| !s.unbound.is_empty())),
    }
}

/// What a step's colour does not tell: mail delivered into a mailbox not tied to its
/// owner (I-OWNER), and users whose mail stayed in MS Mail behind an error event.
fn hidden_by_ok(step: &crate::tools::runs::replay::ReplayedStep) -> Vec<String> {
    use crate::vocabulary::outcome::UserResult;
    let mut said = Vec::new();
    for (owner, alias) in step.unbound.iter().take(MOST_ON_PAGE) {
        said.push(format!(
            "mail of {} went into {}, a mailbox not tied to it",
            printable(owner),
            printable(alias)
        ));
    }
    let stayed = step
        .result
        .users
        .iter()
        .filter(|u| {
            matches!(
                u,
                UserResult::MmfUnavailable { .. }
                    | UserResult::SpoolerFailure { .. }
                    | UserResult::OtherContainer { .. }
                    | UserResult::NotInPostOffice { .. }
                    | UserResult::OtherHomeServer { .. }
            )
        })
        .count();
    if stayed > 0 {
        said.push(format!(
            "an error event for {stayed} user(s), whose mail stayed in MS Mail"
        ));
    }
    said
}

/// The final states compared as the terminal's `migwiz diff` prints them: a row per thing
/// on which the versions end differently, or a sentence when they end alike.
fn final_state(ends: &[&DiffRow]) -> Markup {
    let rows: Vec<_> = ends.iter().take(MOST_ON_PAGE).collect();
    html! {
        @if rows.is_empty() {
            p { "5.0, 5.5 and 5.5 SP1 end in the same state." }
        } @else {
            p.note { "Only what differs between the versions is listed, as `migwiz diff` prints it; the words that differ are marked." }
            table.final-state {
                thead { tr { th { "at the end" } @for v in Version::ALL { th { (v.as_str()) } } } }
                tbody {
                    @for row in &rows {
                        @let cells = marked(&row.cells.iter().map(|c| c.lines().map(str::to_string).collect()).collect::<Vec<_>>());
                        tr {
                            th { (printable_lines(&row.what)) }
                            @for lines in &cells {
                                td { pre { (show_parts(lines)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A wizard step by its phase (the version is the column's); other steps by their line.
fn step_name(op: &Operation) -> String {
    match op {
        Operation::Wizard(run) => format!("wizard {}", run.phase),
        other => other.to_string(),
    }
}

/// The mail's path under one version: users on the left, mailboxes on the right, an arrow
/// for each user's mail in each mailbox, red where the mailbox is not tied to its owner.
fn mail_path(scenario: &Scenario, replay: &Replay) -> Markup {
    let users: Vec<String> = scenario
        .setup
        .users()
        .iter()
        .take(MOST_ON_PAGE)
        .map(|u| u.address.to_string())
        .collect();
    let mailboxes: Vec<&str> = replay
        .observation
        .mailboxes
        .iter()
        .take(MOST_ON_PAGE)
        .map(|m| m.alias.as_str())
        .collect();
    let unbound: BTreeSet<(&str, &str)> = replay
        .steps
        .iter()
        .flat_map(|s| s.unbound.iter().map(|(o, a)| (o.as_str(), a.as_str())))
        .collect();
    let mut arrows: Vec<Arrow> = Vec::new();
    for (m, mailbox) in replay
        .observation
        .mailboxes
        .iter()
        .take(MOST_ON_PAGE)
        .enumerate()
    {
        for mail in &mailbox.mail {
            if let Some(u) = users.iter().position(|u| *u == mail.owner) {
                let red = unbound.contains(&(mail.owner.as_str(), mailbox.alias.as_str()));
                arrows.push((u, m, red, mail.count));
            }
        }
    }
    let waiting: Vec<(usize, u32)> = users
        .iter()
        .enumerate()
        .filter_map(|(k, u)| {
            let w = replay.observation.msmail.iter().find(|w| w.address == *u)?;
            (w.waiting > 0).then_some((k, w.waiting))
        })
        .collect();
    html! {
        (mail_picture(&users, &mailboxes, &arrows, &waiting))
        ul.arrows {
            @for (u, m, red, count) in &arrows {
                li {
                    (if *red { "⇢ " } else { "→ " }) (users[*u]) " → " (mailboxes[*m]) ": " (count) " message(s)"
                    @if *red { strong { " not tied to its owner" } }
                }
            }
            @for (u, w) in &waiting { li { "◌ " (users[*u]) ": " (w) " message(s) still in MS Mail" } }
        }
    }
}

/// An arrow of the mail's path: the user's row, the mailbox's row, whether the mailbox is
/// not tied to the user, and how many messages.
type Arrow = (usize, usize, bool, u32);

/// The mail's path drawn at its own size (a wide one scrolls): each column as wide as
/// its longest name, so that no name runs into an arrow.
fn mail_picture(
    users: &[String],
    mailboxes: &[&str],
    arrows: &[Arrow],
    waiting: &[(usize, u32)],
) -> Markup {
    // 12 px monospace text is about 7.2 px a character; 8 leaves room.
    let longest = |names: &mut dyn Iterator<Item = usize>| names.max().unwrap_or(0) * 8;
    let from = 8 + longest(&mut users.iter().map(|u| u.chars().count())).max(150);
    let to = from + 140;
    let width = to + 12 + longest(&mut mailboxes.iter().map(|m| m.chars().count()));
    let row = |k: usize| 24 + 34 * k;
    let height = row(users.len().max(mailboxes.len()));
    html! {
        div.picture { svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img" {
            title { "where the mail went" }
            defs {
                marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto" {
                    path d="M0,0 L10,5 L0,10 z" fill="context-stroke" {}
                }
            }
            @for (k, u) in users.iter().enumerate() {
                text.user x="4" y=(row(k)) { (u) }
            }
            @for (u, w) in waiting {
                text.waiting x="4" y=(row(*u) + 15) fill="#8a5a00" { "◌ still in MS Mail: " (w) }
            }
            @for (k, m) in mailboxes.iter().enumerate() {
                text.mailbox x=(to + 6) y=(row(k)) { (m) }
            }
            @for (u, m, red, count) in arrows {
                line class=(if *red { "unbound" } else { "bound" })
                    x1=(from) y1=(row(*u) - 4) x2=(to) y2=(row(*m) - 4)
                    marker-end="url(#head)" {
                    title { (users[*u]) " → " (mailboxes[*m]) ": " (count) " message(s)" }
                }
            }
        } }
    }
}

/// The event log per version as Event Viewer prints it, the first [`MOST_ON_PAGE`]
/// entries, with the words one version logs and another does not marked.
fn event_logs(replays: &[Replay]) -> Markup {
    let logs: Vec<Vec<String>> = replays
        .iter()
        .map(|r| {
            let events = r.observation.events.iter().take(MOST_ON_PAGE);
            events
                .map(|e| e.to_string().replace('\n', " \u{1}"))
                .collect()
        })
        .collect();
    let shown = marked(&logs);
    html! {
        div.versions.log {
            @for ((v, replay), events) in Version::ALL.iter().zip(replays).zip(&shown) {
                @let all = &replay.observation.events;
                div data-version=(v.as_str()) {
                    h3 { (v.as_str()) }
                    @if all.is_empty() { p.note { "(empty)" } }
                    @for (e, words) in all.iter().zip(events) {
                        pre.event data-id=(e.id) { (show_event(words)) }
                    }
                    @if all.len() > MOST_ON_PAGE {
                        p.note { (all.len() - MOST_ON_PAGE) " more events; migwiz run --json lists them all" }
                    }
                }
            }
        }
    }
}

/// An event's words drawn, its line breaks (compared as a mark of their own) restored.
fn show_event(words: &crate::tools::pages::marks::Marked) -> Markup {
    html! {
        @for (word, differs) in words {
            @for (k, piece) in word.split('\u{1}').enumerate() {
                @if k > 0 { "\n" }
                @if *differs && !piece.trim().is_empty() { mark { (crate::vocabulary::printable(piece)) } }
                @else { (crate::vocabulary::printable(piece)) }
            }
        }
    }
}

/// A cell's lines after its first, the outcome's word, which the cue shows.
fn detail_lines(cell: &str) -> Vec<String> {
    cell.lines().skip(1).map(str::to_string).collect()
}

/// Multi-line text with each line made printable: its line breaks kept, every other
/// control character and direction mark shown as an escape.
pub(crate) fn printable_lines(text: &str) -> String {
    text.lines().map(printable).collect::<Vec<_>>().join("\n")
}
