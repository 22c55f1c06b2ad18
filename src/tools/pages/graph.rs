//! `migwiz check --dot OUT.dot`: the shortest path the check found to every `sometimes`
//! property it reached and to any violation, as one Graphviz graph. Paths share their
//! common first steps; each edge is labelled with its step (a wizard step with its
//! version), each end with what it reached.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::tools::search::check::CheckReport;
use crate::vocabulary::operation::Operation;
use crate::vocabulary::printable;

/// The graph's name: the first words of the `.dot` file and the title of Graphviz's
/// drawing, by which migwiz knows a file it wrote and may replace.
pub const NAME: &str = "migwiz_check";

/// The graph of `report` in Graphviz's language.
///
/// ```
/// use migwiz::tools::check::{check, CheckConfig};
/// let report = check(&CheckConfig { users: 1, depth: 2, ..CheckConfig::default() });
/// let dot = migwiz::tools::pages::graph::dot(&report);
/// assert!(dot.starts_with("digraph migwiz_check {") && dot.contains("\"event 7026 is logged\""));
/// ```
pub fn dot(report: &CheckReport) -> String {
    let mut out = format!("digraph {NAME} {{\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n  s0 [label=\"the initial state\"];\n");
    // A state is named by the steps that lead to it, so that paths share their prefixes.
    let mut states: HashMap<Vec<String>, usize> = HashMap::from([(Vec::new(), 0)]);
    let mut state_of = |out: &mut String, path: &[Operation]| -> usize {
        let mut prefix = Vec::new();
        let mut at = 0;
        for op in path {
            prefix.push(op.to_string());
            let next = states.len();
            let id = *states.entry(prefix.clone()).or_insert(next);
            if id == next {
                let _ = writeln!(out, "  s{id} [shape=circle, width=0.15, label=\"\"];");
                let _ = writeln!(out, "  s{at} -> s{id} [label={}];", quoted(&op.to_string()));
            }
            at = id;
        }
        at
    };
    for (k, ((name, len), path)) in report.reached.iter().zip(&report.paths).enumerate() {
        if len.is_none() {
            continue;
        }
        let end = state_of(&mut out, path);
        let _ = writeln!(
            out,
            "  p{k} [shape=ellipse, style=filled, fillcolor=\"#cfe8d2\", label={}];\n  s{end} -> p{k} [style=dashed];",
            quoted(name)
        );
    }
    if let Some((name, scenario)) = &report.violation {
        let end = state_of(&mut out, &scenario.steps);
        let _ = writeln!(
            out,
            "  violation [shape=octagon, style=filled, fillcolor=\"#f8c9c6\", label={}];\n  s{end} -> violation [style=dashed, color=\"#c62828\"];",
            quoted(&format!("VIOLATION: {name}"))
        );
    }
    out.push_str("}\n");
    out
}

/// A label in Graphviz's quotes, with control characters escaped for the page.
fn quoted(text: &str) -> String {
    let text = printable(text).replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{text}\"")
}
