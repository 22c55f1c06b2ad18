//! The explorer's pages (`migwiz explore --html DIR`): an index of the divergence classes
//! found, each linking to its witness's side-by-side page.

use maud::{html, DOCTYPE};

use crate::tools::pages::{diff, head};
use crate::tools::runs::replay::ModelCheckPolicy;
use crate::tools::search::explore::Catalogue;
use crate::vocabulary::printable;

/// The share bar: its length in pixels is the share in per cent.
const CATALOGUE_STYLE: &str = "
td.share { white-space: nowrap; } span.bar { display: inline-block; height: .8em; background: #0072b2; vertical-align: middle; }
ol.steps { margin: .3em 0 0; padding-left: 1.6em; font-size: 13px; }
";

/// The part of `cases` that `seen` is, in per cent.
fn share(seen: u32, cases: u32) -> f64 {
    match cases {
        0 => 0.0,
        _ => 100.0 * f64::from(seen) / f64::from(cases),
    }
}

/// The pages of `catalogue`: `(file name, html)` for the index (`index.html`) and for each
/// class's witness (its witness file's name, `.html` for `.toml`).
pub fn pages(catalogue: &Catalogue) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut rows = Vec::new();
    for entry in &catalogue.entries {
        let witness = catalogue.witness_scenario(entry).map(|scenario| {
            let file = Catalogue::witness_file_name(entry).replace(".toml", ".html");
            let html = diff::page_in(&scenario, ModelCheckPolicy::Auto, Some("index.html"));
            pages.push((file.clone(), html));
            let steps: Vec<String> = scenario
                .steps
                .iter()
                .map(|s| printable(&s.to_string()))
                .collect();
            (file, steps)
        });
        rows.push((entry, witness));
    }
    let partial = catalogue.cases_run < catalogue.config.cases;
    let index = html! {
        (DOCTYPE)
        html lang="en" {
            (head("migwiz explore: where the versions part ways", CATALOGUE_STYLE))
            body {
                h1 { "Where 5.0, 5.5 and 5.5 SP1 part ways" }
                p.note {
                    "migwiz explore, seed " (catalogue.config.seed) ": " (catalogue.cases_run)
                    " random sequences of steps, each run under every version."
                    @if partial { " Stopped early: the catalogue is partial." }
                    " Each class links to the shortest sequence found that shows it, side by side; its share is the part of the sequences run that showed it."
                }
                (super::legend(&[
                    ("", "▬ 10.0 %", "the part of the sequences run that showed the class: the bar is that many pixels long"),
                    ("", "not found", "no sequence run showed it; more cases, or another seed, may"),
                ]))
                table.catalogue {
                    thead { tr { th { "class" } th { "sequences that showed it" } th { "share" } th { "its shortest witness, step by step" } } }
                    tbody {
                        @for (entry, witness) in &rows {
                            tr {
                                td { (entry.class.title()) }
                                td { (entry.seen) }
                                td.share {
                                    @let share = share(entry.seen, catalogue.cases_run);
                                    span.bar style={ "width: " (share.round()) "px" } {} " " (format!("{share:.1}")) " %"
                                }
                                td {
                                    @match witness {
                                        Some((file, steps)) => {
                                            a href=(super::href(file)) { (steps.len()) " step(s), side by side" }
                                            ol.steps { @for step in steps { li { code { (step) } } } }
                                        },
                                        None => span.note { "not found" },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    pages.insert(0, ("index.html".to_string(), index.into_string()));
    pages
}
