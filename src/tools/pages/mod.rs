//! Pages a reader would rather look at than read (issue 26): one self-contained HTML file
//! each, no script, no font and no request to anywhere; every name, alias, address and
//! description from a scenario is escaped by the template (maud escapes by default).

pub mod catalogue;
pub mod diff;
pub mod graph;
pub mod history;
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

/// The index of a folder of pages: each scenario's name, linking to its page's file.
///
/// ```
/// let html = migwiz::tools::pages::index(&[("Q242184 <symptoms>".into(), "01.html".into())]);
/// assert!(html.contains("href=\"./01.html\"") && html.contains("Q242184 &lt;symptoms&gt;"));
/// ```
pub fn index(pages: &[(String, String)]) -> String {
    maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            (head("migwiz: the scenarios under every version", ""))
            body {
                h1 { "The scenarios under 5.0, 5.5 and 5.5 SP1" }
                ul.pages {
                    @for (name, file) in pages {
                        li { a href=(href(file)) { (crate::vocabulary::printable(name)) } }
                    }
                }
            }
        }
    }
    .into_string()
}

/// The style every page shares: plain, readable, printable.
pub(crate) const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 78em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #c8c8c8; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
tr.first-difference > th { border-left: 4px solid #5b3f9e; } .parting { font-weight: 600; margin: .3em 0 0; } .warning { margin: .3em 0; }
table.final-state pre { margin: 0; }
td.ok { background: #e8f5e9; } td.refused { background: #fff4d6; } td.aborted { background: #fde2e1; }
td pre, .log pre { margin: 0 0 .8em; white-space: pre-wrap; font: 13px/1.35 ui-monospace, monospace; }
.rules a { font: 12px ui-monospace, monospace; margin-right: .4em; color: #0b57d0; }
.versions { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1em; }
.versions > div { border: 1px solid #c8c8c8; padding: .5em; overflow-x: auto; }
svg text { font: 12px ui-monospace, monospace; } line.bound { stroke: #2e7d32; } line.unbound { stroke: #c62828; stroke-width: 2.5; }
.note { color: #555; } dt { font-weight: bold; font-family: ui-monospace, monospace; margin-top: .5em; }
details pre { white-space: pre-wrap; font: 13px/1.35 ui-monospace, monospace; }
";
