//! Pages a reader would rather look at than read (issue 26): one self-contained HTML file
//! each, no script, no font and no request to anywhere; every name, alias, address and
//! description from a scenario is escaped by the template (maud escapes by default).

pub mod catalogue;
pub mod diff;
pub mod graph;
pub mod history;
pub mod marks;
pub mod rules;

/// A page's head: its title, and the shared style with `extra` after it.
pub(crate) fn head(title: &str, extra: &str) -> maud::Markup {
    maud::html! {
        head {
            meta charset="utf-8";
            meta name="generator" content=(GENERATOR);
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (maud::PreEscaped(STYLE)) (maud::PreEscaped(extra)) }
        }
    }
}

/// What every page says wrote it (`<meta name="generator">`): a file without it was not
/// written by migwiz, and no migwiz command replaces it.
pub const GENERATOR: &str = "migwiz";

/// Whether `text`, the start of a file, is one migwiz writes and may write again: a page
/// (its generator), the check's graph (its name) or Graphviz's drawing of it (its title).
///
/// ```
/// use migwiz::tools::pages::{index, written_by_migwiz};
/// assert!(written_by_migwiz(&index(&[])));
/// assert!(!written_by_migwiz("<!DOCTYPE html><html><head><title>mine</title>"));
/// ```
pub fn written_by_migwiz(text: &str) -> bool {
    let head = match text.char_indices().nth(2048) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    head.contains(&format!(
        "<meta name=\"generator\" content=\"{GENERATOR}\">"
    )) || head.starts_with(&format!("digraph {} {{", graph::NAME))
        || head.contains(&format!("<title>{}</title>", graph::NAME))
}

/// A link to the file `name` beside the page: relative (`./` first) and percent-encoded,
/// every byte but letters, digits and `-._~`, so that no file name can give a link a
/// scheme (`javascript:`), a query, a fragment or another folder.
///
/// ```
/// use migwiz::tools::pages::href;
/// assert_eq!(href("javascript:alert(1).html"), "./javascript%3Aalert%281%29.html");
/// assert_eq!(href("déjà vu #2.html"), "./d%C3%A9j%C3%A0%20vu%20%232.html");
/// ```
pub fn href(name: &str) -> String {
    let mut out = String::from("./");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What the index of a folder of pages says of one scenario's page.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// The scenario's name.
    pub name: String,
    /// The page's file name, beside the index.
    pub file: String,
    /// What its run showed.
    pub shows: Shows,
}

/// What a scenario's run showed, for the index.
#[derive(Debug, Clone)]
pub enum Shows {
    /// Steps one after the other, run under every version.
    Versions {
        /// The first step where the versions part ways, from 1, if they do.
        parting: Option<usize>,
        /// How many things (a user's mail, a mailbox's folders…) the versions end apart on.
        ends_differ: usize,
        /// The versions under which some step was aborted.
        aborted: Vec<String>,
        /// The versions under which mail went into a mailbox not tied to its owner.
        misdelivered: Vec<String>,
    },
    /// Clients at once: whether an order of the units explains the run.
    Clients {
        /// The verdict in a word or two: `linearizable`, `NOT linearizable`, `unknown`.
        verdict: String,
    },
}

/// The index of a folder of pages: per scenario, which versions part ways, abort or put
/// mail into a mailbox not tied to its owner; runs with clients at once apart, with their
/// verdicts. Each name links to its page, and each page links back.
///
/// ```
/// use migwiz::tools::pages::{index, IndexRow, Shows};
/// let row = IndexRow {
///     name: "Q242184 <symptoms>".into(),
///     file: "01.html".into(),
///     shows: Shows::Versions {
///         parting: Some(2),
///         ends_differ: 3,
///         aborted: vec!["5.5".into()],
///         misdelivered: vec![],
///     },
/// };
/// let html = index(&[row]);
/// assert!(html.contains("href=\"./01.html\"") && html.contains("Q242184 &lt;symptoms&gt;"));
/// assert!(html.contains("from step 2"));
/// ```
pub fn index(rows: &[IndexRow]) -> String {
    let versions: Vec<_> = rows
        .iter()
        .filter_map(|r| match &r.shows {
            Shows::Versions {
                parting,
                ends_differ,
                aborted,
                misdelivered,
            } => Some((r, (parting, ends_differ), aborted, misdelivered)),
            Shows::Clients { .. } => None,
        })
        .collect();
    let clients: Vec<_> = rows
        .iter()
        .filter_map(|r| match &r.shows {
            Shows::Clients { verdict } => Some((r, verdict)),
            Shows::Versions { .. } => None,
        })
        .collect();
    let list = |v: &[String]| match v.is_empty() {
        true => "—".to_string(),
        false => v.join(", "),
    };
    maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            (head("migwiz: the scenarios under every version", ""))
            body {
                h1 { "The scenarios under 5.0, 5.5 and 5.5 SP1" }
                p.note { (versions.len()) " scenario(s) run one step after the other under each version; " (clients.len()) " run with clients at once. Each name opens its page; each page links back here." }
                (legend(&INDEX_LEGEND))
                @if !versions.is_empty() {
                    h2 { "Steps one after the other" }
                    table.index {
                        thead { tr { th { "scenario" } th { "◆ do the versions part ways?" } th { "≠ do they end apart?" } th { "✗ aborted under" } th { "⚠ mail not tied to its owner under" } } }
                        tbody {
                            @for (row, (parting, ends), aborted, misdelivered) in &versions {
                                tr {
                                    td { a href=(href(&row.file)) { (crate::vocabulary::printable(&row.name)) } }
                                    td { @match parting { Some(s) => { "◆ yes, from step " (s) }, None => "no: every step alike" } }
                                    td { @match ends { 0 => "= the same end state", n => { "≠ on " (n) " thing(s)" } } }
                                    td { (list(aborted)) }
                                    td { (list(misdelivered)) }
                                }
                            }
                        }
                    }
                }
                @if !clients.is_empty() {
                    h2 { "Clients at once" }
                    p.note { "One run of the clients' units, judged against every order the model allows; its page draws the history." }
                    table.index {
                        thead { tr { th { "scenario" } th { "verdict" } } }
                        tbody {
                            @for (row, verdict) in &clients {
                                tr {
                                    td { a href=(href(&row.file)) { (crate::vocabulary::printable(&row.name)) } }
                                    td { (verdict) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

/// What the index's symbols mean.
const INDEX_LEGEND: [(&str, &str, &str); 6] = [
    (
        "",
        "◆",
        "the versions part ways: from this step on, a step ends or reports differently",
    ),
    (
        "",
        "≠",
        "the versions end apart: on so many things (a user's mail, a mailbox's folders…)",
    ),
    (
        "",
        "✗",
        "a step was aborted (event 7026) under these versions",
    ),
    (
        "",
        "⚠",
        "mail went into a mailbox not tied to its owner under these versions",
    ),
    (
        "",
        "✓",
        "clients at once: an order of the units explains the run",
    ),
    (
        "",
        "— / ?",
        "none / a budget ran out before the run was judged",
    ),
];

/// The link back from a page to the index of its folder, when it has one.
pub(crate) fn back(index: Option<&str>) -> maud::Markup {
    maud::html! {
        @if let Some(file) = index {
            nav.back { a href=(href(file)) { "← all pages (index)" } }
        }
    }
}

/// A legend: each entry a cue (a symbol, or a swatch of the class given) and its meaning.
pub(crate) fn legend(entries: &[(&str, &str, &str)]) -> maud::Markup {
    maud::html! {
        dl.legend {
            @for (class, cue, meaning) in entries {
                dt class=(class) { (cue) }
                dd { (meaning) }
            }
        }
    }
}

/// The style every page shares: plain, readable, printable. The palette is Okabe and
/// Ito's, so that a state's colour stays apart from the others under red/green colour
/// blindness; every colour also has a word or a symbol beside it. Pictures keep their
/// size and scroll sideways; the versions' columns stack on a narrow window; print keeps
/// the colours and opens what is folded.
pub(crate) const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 78em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #c8c8c8; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
tr.first-difference > th { border-left: 5px solid #5b3f9e; } .parting { font-weight: 600; margin: .3em 0 0; } .warning { margin: .3em 0; font-weight: 600; }
table.final-state pre { margin: 0; }
td.ok, dt.ok { background: #d6e9f8; } td.refused, dt.refused { background: #fbeeb8; } td.aborted, dt.aborted { background: #e8a088; }
.cue { font-weight: 600; }
mark { background: #efe3ff; color: inherit; font-weight: 700; text-decoration: underline 2px #5b3f9e; }
td pre, .log pre { margin: 0 0 .8em; white-space: pre-wrap; font: 13px/1.35 ui-monospace, monospace; }
.rules a { font: 12px ui-monospace, monospace; margin-right: .4em; color: #0b57d0; white-space: nowrap; display: inline-block; }
.versions { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 1em; }
.versions > div { border: 1px solid #c8c8c8; padding: .5em; overflow-x: auto; }
@media (max-width: 1100px) { .versions { grid-template-columns: minmax(0, 1fr); } }
.picture { overflow-x: auto; max-width: 100%; }
svg text { font: 12px ui-monospace, monospace; } line.bound { stroke: #0072b2; stroke-width: 1.5; } line.unbound { stroke: #d55e00; stroke-width: 2.5; stroke-dasharray: 7 4; }
.note { color: #4a4a4a; } dt { font-weight: bold; font-family: ui-monospace, monospace; margin-top: .5em; }
details pre { white-space: pre-wrap; font: 13px/1.35 ui-monospace, monospace; }
nav.back { font-size: 14px; margin-bottom: .5em; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: .25em .8em; align-items: center; border: 1px solid #c8c8c8; padding: .5em .8em; font-size: 14px; }
dl.legend dt { margin: 0; padding: 0 .4em; border: 1px solid #c8c8c8; text-align: center; } dl.legend dd { margin: 0; }
@media print {
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { max-width: none; margin: 0; }
  details::details-content { content-visibility: visible; display: block; }
  .picture { overflow: visible; }
  .versions { grid-template-columns: minmax(0, 1fr); }
}
";
