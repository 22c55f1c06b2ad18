//! The explorer's pages (`migwiz explore --html DIR`): an index of the divergence classes
//! found, each linking to its witness's side-by-side page.

use maud::{html, DOCTYPE};

use crate::tools::pages::{diff, head};
use crate::tools::runs::replay::ModelCheckPolicy;
use crate::tools::search::explore::Catalogue;

/// The pages of `catalogue`: `(file name, html)` for the index (`index.html`) and for each
/// class's witness (its witness file's name, `.html` for `.toml`).
pub fn pages(catalogue: &Catalogue) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut rows = Vec::new();
    for entry in &catalogue.entries {
        let witness = catalogue.witness_scenario(entry).map(|scenario| {
            let file = Catalogue::witness_file_name(entry).replace(".toml", ".html");
            pages.push((file.clone(), diff::page(&scenario, ModelCheckPolicy::Auto)));
            (file, scenario.steps.len())
        });
        rows.push((entry, witness));
    }
    let partial = catalogue.cases_run < catalogue.config.cases;
    let index = html! {
        (DOCTYPE)
        html lang="en" {
            (head("migwiz explore: where the versions part ways", ""))
            body {
                h1 { "Where 5.0, 5.5 and 5.5 SP1 part ways" }
                p.note {
                    "migwiz explore, seed " (catalogue.config.seed) ": " (catalogue.cases_run)
                    " random sequences of steps, each run under every version."
                    @if partial { " Stopped early: the catalogue is partial." }
                    " Each class links to the shortest sequence found that shows it, side by side."
                }
                table.catalogue {
                    thead { tr { th { "class" } th { "sequences that showed it" } th { "witness" } } }
                    tbody {
                        @for (entry, witness) in &rows {
                            tr {
                                td { (entry.class.title()) }
                                td { (entry.seen) }
                                td {
                                    @match witness {
                                        Some((file, steps)) => a href=(super::href(file)) { (steps) " step(s)" },
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
