//! `migwiz check --dot OUT.dot`: the shortest path the check found to every `sometimes`
//! property it reached and to any violation, as one Graphviz graph, titled with the
//! check's scope and counts, with a legend. Paths share their common first steps; each
//! edge is labelled with its step (a wizard step with its version), each state on the way
//! with what it holds, each end with what it reached.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::Model;
use crate::tools::search::check::CheckReport;
use crate::vocabulary::operation::Operation;
use crate::vocabulary::printable;

/// The graph's name: the first words of the `.dot` file and the title of Graphviz's
/// drawing, by which migwiz knows a file it wrote and may replace.
pub const NAME: &str = "migwiz_check";

/// The graph of `report` in Graphviz's language: a title with the check's scope and
/// counts, a legend, each state on the way named by what it holds, a `sometimes` reached
/// (a blue ellipse, ◎) unlike a violation (an orange octagon, ✗, a thick border).
///
/// ```
/// use migwiz::tools::check::{check, CheckConfig};
/// let report = check(&CheckConfig { users: 1, depth: 2, ..CheckConfig::default() });
/// let dot = migwiz::tools::pages::graph::dot(&report);
/// assert!(dot.starts_with("digraph migwiz_check {") && dot.contains("\"◎ event 7026 is logged\""));
/// assert!(dot.contains("label=\"migwiz check: 1 MS Mail user"));
/// ```
pub fn dot(report: &CheckReport) -> String {
    let mut out = format!("digraph {NAME} {{\n  rankdir=LR;\n  labelloc=t;\n  labeljust=l;\n  fontname=\"sans-serif\";\n  fontsize=14;\n  label={};\n  node [shape=box, style=rounded, fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n", lines_quoted(&title(report)));
    out.push_str(LEGEND);
    let _ = writeln!(
        out,
        "  s0 [label={}];",
        lines_quoted(
            &[
                &["the initial state".to_string()][..],
                &state_name(report, &[])
            ]
            .concat()
        )
    );
    // A state is named by the steps that lead to it, so that paths share their prefixes.
    let mut states: HashMap<Vec<String>, usize> = HashMap::from([(Vec::new(), 0)]);
    let mut state_of = |out: &mut String, path: &[Operation]| -> usize {
        let mut prefix = Vec::new();
        let mut at = 0;
        for (k, op) in path.iter().enumerate() {
            prefix.push(op.to_string());
            let next = states.len();
            let id = *states.entry(prefix.clone()).or_insert(next);
            if id == next {
                let name = state_name(report, &path[..=k]);
                let _ = writeln!(
                    out,
                    "  s{id} [fontsize=9, color=\"#6b6b6b\", label={}];",
                    lines_quoted(&name)
                );
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
            "  p{k} [shape=ellipse, style=filled, fillcolor=\"#d6e9f8\", color=\"#0072b2\", label={}];\n  s{end} -> p{k} [style=dashed, color=\"#0072b2\"];",
            quoted(&format!("◎ {name}"))
        );
    }
    if let Some((name, scenario)) = &report.violation {
        let end = state_of(&mut out, &scenario.steps);
        let _ = writeln!(
            out,
            "  violation [shape=octagon, style=filled, fillcolor=\"#e8a088\", color=\"#d55e00\", penwidth=3, label={}];\n  s{end} -> violation [style=bold, color=\"#d55e00\"];",
            quoted(&format!("✗ VIOLATION: {name}"))
        );
    }
    out.push_str("}\n");
    out
}

/// The graph's title: what was checked, how far, and what it found.
fn title(report: &CheckReport) -> Vec<String> {
    let users = report.setup.users().len();
    let reached = report
        .reached
        .iter()
        .filter(|(_, len)| len.is_some())
        .count();
    let violation = match &report.violation {
        Some((name, _)) => format!("a violation: {name}"),
        None => "no violation".to_string(),
    };
    vec![
        format!(
            "migwiz check: {users} MS Mail user(s), every sequence of up to {} step(s) from {} kinds{}",
            report.max_depth,
            report.alphabet,
            match report.timed_out || report.interrupted {
                true => " (stopped early)",
                false => "",
            }
        ),
        format!(
            "{} states, {} steps; {reached} of {} `sometimes` reached; {violation}",
            report.states,
            report.edges,
            report.reached.len(),
        ),
    ]
}

/// What the graph's shapes and colours mean, as a cluster of its own.
const LEGEND: &str = "  subgraph cluster_legend {\n    label=\"legend\"; fontsize=11; color=\"#c8c8c8\";\n    legend_state [fontsize=9, color=\"#6b6b6b\", label=\"a state on the way:\\nwhat it holds\"];\n    legend_sometimes [shape=ellipse, style=filled, fillcolor=\"#d6e9f8\", color=\"#0072b2\", label=\"◎ a `sometimes` property reached\"];\n    legend_violation [shape=octagon, style=filled, fillcolor=\"#e8a088\", color=\"#d55e00\", penwidth=3, label=\"✗ an `always` property broken\"];\n    legend_state -> legend_sometimes [label=\"a step\"];\n    legend_sometimes -> legend_violation [style=invis];\n  }\n";

/// A state on the way, named by what it holds: the model after `path` from the check's
/// setup.
fn state_name(report: &CheckReport, path: &[Operation]) -> Vec<String> {
    let mut model = Model::new(&report.setup);
    for op in path {
        model.apply(op);
    }
    let seen = model.observe();
    let waiting: u32 = seen.msmail.iter().map(|w| w.waiting).sum();
    let moved: u32 = seen
        .mailboxes
        .iter()
        .flat_map(|m| &m.mail)
        .map(|m| m.count)
        .sum();
    let mut words = vec![format!("{} mailbox(es)", seen.mailboxes.len())];
    if !seen.custom_recipients.is_empty() {
        words.push(format!(
            "{} custom recipient(s)",
            seen.custom_recipients.len()
        ));
    }
    words.push(format!("{moved} message(s) moved, {waiting} waiting"));
    let errors = seen.events.iter().filter(|e| e.id == 7026).count();
    words.push(match errors {
        0 => format!("{} event(s)", seen.events.len()),
        n => format!("{} event(s), {n} × 7026", seen.events.len()),
    });
    words
}

/// Lines as one label in Graphviz's quotes, each line escaped, broken by Graphviz's `\n`.
fn lines_quoted(lines: &[String]) -> String {
    let quoted: Vec<String> = lines.iter().map(|l| quoted(l)).collect();
    let inner: Vec<&str> = quoted.iter().map(|q| &q[1..q.len() - 1]).collect();
    format!("\"{}\"", inner.join("\\n"))
}

/// A label in Graphviz's quotes, with control characters escaped for the page.
fn quoted(text: &str) -> String {
    let text = printable(text).replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{text}\"")
}
