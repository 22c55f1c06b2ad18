//! The page of a concurrent run (`migwiz run FILE --html OUT.html` for a file with
//! `[[clients]]`, `migwiz race --html OUT.html`): one lane per client, each unit a bar
//! from its call to its return, and the order the checker found drawn through the bars;
//! for a run no order explains, the longest explained prefix and the unit no order can
//! place, highlighted, with what the model expected beside what the server returned.
//! Hovering a bar shows the model's state before and after it.

use maud::{html, DOCTYPE};

use crate::harness::concurrent::{Call, Judgement, ModelSpec};
use crate::harness::linearizability::Spec;
use crate::model::Model;
use crate::tools::pages::head;
use crate::tools::search::race::{answer_words, verdict_words, RaceReport};
use crate::vocabulary::printable;
use crate::vocabulary::unit::Unit;

/// Pixels per tick of the run's logical clock, and per lane.
const TICK: usize = 64;
const LANE: usize = 58;
const LEFT: usize = 130;

/// The page of `report`.
///
/// ```
/// use migwiz::tools::pages::history::page;
/// use migwiz::tools::race::run_scenario;
/// use migwiz::Scenario;
/// let text = "name = \"race\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n[[clients]]\nname = \"wizard\"\nsteps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]\n[[clients]]\nname = \"mail\"\nsteps = [ { op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 } ]\n";
/// let report = run_scenario(&Scenario::parse("race.toml", text)?, None, None, None);
/// let html = page(&report);
/// assert_eq!(html.matches("class=\"lane\"").count(), 3); // two clients, the final state
/// assert!(html.contains("class=\"order\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn page(report: &RaceReport) -> String {
    let ops = &report.ran.history.operations;
    let order: Vec<usize> = match &report.judgement {
        Judgement::Linearizable { order } => order.clone(),
        Judgement::NotLinearizable { prefix, .. } => prefix.clone(),
        _ => Vec::new(),
    };
    let stuck = match &report.judgement {
        Judgement::NotLinearizable { stuck, .. } => Some(*stuck),
        _ => None,
    };
    let verdict = verdict_words(&report.case, &report.ran, &report.judgement, &report.names);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("migwiz: a concurrent run of {}", printable(&report.prefix.scenario)), HISTORY_STYLE))
            body {
                h1 { (printable(&report.prefix.scenario)) }
                @if let Some(d) = &report.prefix.description { p { (printable(d)) } }
                p.note {
                    "Schedule seed " (report.schedule) ". Each bar is one unit, from its call to its return, on one logical clock (C-UNITS); "
                    @match stuck {
                        None => "the line through the bars is the order that explains every result (C-LIN). Hover a bar for the model's state before and after it.",
                        Some(_) => "the numbered bars are the longest order the model explains; the red bar is the unit no order can place (C-VERDICT). Hover a bar for the model's state.",
                    }
                }
                (timeline(report, &order, stuck))
                h2 { "Verdict" }
                pre.verdict { (verdict) }
                @if let Judgement::NotLinearizable { stuck, expected, returned, .. } = &report.judgement {
                    div.versions {
                        div { h3 { "the model expected" } pre { (answer_words(&ops[*stuck].input, expected, &report.case).replace("; ", "\n")) } }
                        div { h3 { "the server returned" } pre { (answer_words(&ops[*stuck].input, returned, &report.case).replace("; ", "\n")) } }
                    }
                }
            }
        }
    };
    markup.into_string()
}

/// The run drawn: one lane per client and one for the final observation, each unit a bar
/// from its call to its return, numbered by its place in `order`, the line through them,
/// and the unit no order places (`stuck`) in red.
fn timeline(report: &RaceReport, order: &[usize], stuck: Option<usize>) -> maud::Markup {
    let ops = &report.ran.history.operations;
    let states = states_along(report, order);
    // Each unit's place in the order, found once: a long run has many units.
    let mut place_of = vec![None; ops.len()];
    for (p, &k) in order.iter().enumerate() {
        place_of[k] = Some(p);
    }
    let end = ops
        .iter()
        .map(|op| op.returned.unwrap_or(op.call + 1))
        .max()
        .unwrap_or(1);
    let lanes = report.names.len() + 1; // the clients, then the final observation
    let width = LEFT + TICK * (end as usize + 2);
    let height = LANE * lanes + 20;
    let x = |t: u64| LEFT + TICK * t as usize;
    let lane_of = |call: &Call| match call {
        Call::Unit { client, .. } => *client,
        Call::Observe => report.names.len(),
    };
    let y = |lane: usize| 14 + LANE * lane;
    let centre = |k: usize| {
        let op = &ops[k];
        let right = op.returned.unwrap_or(end);
        ((x(op.call) + x(right)) / 2, y(lane_of(&op.input)) + 26)
    };
    let through: Vec<String> = order
        .iter()
        .map(|&k| {
            let (cx, cy) = centre(k);
            format!("{cx},{cy}")
        })
        .collect();
    html! {
        svg.history xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img" {
            title { "the run's units by client" }
            @for (lane, name) in report.names.iter().chain(std::iter::once(&"final state".to_string())).enumerate() {
                g.lane {
                    text x="4" y=(y(lane) + 30) { (name) }
                    line.lane-rule x1=(LEFT - 6) y1=(y(lane) + 44) x2=(width) y2=(y(lane) + 44) {}
                }
            }
            @for (k, op) in ops.iter().enumerate() {
                @let right = op.returned.unwrap_or(end);
                @let place = place_of[k];
                @let class = if Some(k) == stuck { "bar stuck" } else if place.is_some() { "bar placed" } else { "bar" };
                g class=(class) data-op=(k) {
                    title { (bar_words(report, k, place, &states)) }
                    rect x=(x(op.call)) y=(y(lane_of(&op.input)) + 16) width=((x(right) - x(op.call)).max(8)) height="20" rx="4" {}
                    text x=(x(op.call) + 2) y=(y(lane_of(&op.input)) + 11) {
                        @if let Some(p) = place { (p + 1) ". " }
                        (short_name(&op.input))
                    }
                }
            }
            @if !through.is_empty() {
                polyline.order points=(through.join(" ")) {}
            }
        }
    }
}

const HISTORY_STYLE: &str = "
svg.history { display: block; max-width: 100%; height: auto; border: 1px solid #c8c8c8; background: #fcfcfc; }
.bar rect { fill: #dfe7f5; stroke: #7a8fb5; } .bar.placed rect { fill: #cfe8d2; stroke: #2e7d32; }
.bar.stuck rect { fill: #f8c9c6; stroke: #c62828; stroke-width: 2.5; }
polyline.order { fill: none; stroke: #2e7d32; stroke-width: 1.5; stroke-dasharray: 4 3; }
line.lane-rule { stroke: #e2e2e2; } pre.verdict, .versions pre { white-space: pre-wrap; }
.bar text { font-size: 11px; }
";

/// A unit's short name on its bar: `#2 user NET1/PO1/JDOE`, `final state`.
fn unit_name(call: &Call) -> String {
    match call {
        Call::Unit { step, unit, .. } => format!("#{step} {unit}"),
        Call::Observe => "observe".to_string(),
    }
}

/// A unit's label on its bar, short enough to sit over a bar of one tick: `#1 user
/// JDOE`, `#2 deliver`.
fn short_name(call: &Call) -> String {
    match call {
        Call::Unit { step, unit, .. } => match unit {
            Unit::User(user) => format!("#{step} {}", user.mailbox()),
            Unit::Start(_) | Unit::BatchStart { .. } => format!("#{step} start"),
            Unit::End => format!("#{step} end"),
            Unit::Step(op) => format!("#{step} {}", op.name()),
        },
        Call::Observe => "observe".to_string(),
    }
}

/// The model's state in a line: what a hover shows before and after a unit. Read from the
/// model's own lists, with no observation built: a page of a long run reads it once per
/// unit.
fn state_words(model: &Model) -> String {
    let waiting: u64 = model.users.iter().map(|u| u64::from(u.waiting)).sum();
    let moved: u64 = model
        .mailboxes
        .iter()
        .filter(|m| m.folders.is_some())
        .flat_map(|m| &m.inbox)
        .map(|(_, count)| u64::from(*count))
        .sum();
    format!(
        "{} mailbox(es), {} custom recipient(s), {} event(s), {waiting} message(s) waiting in MS Mail, {moved} in mailboxes",
        model.mailboxes.len(),
        model.custom_recipients.len(),
        model.events.len()
    )
}

/// The model's state in words before the first unit of `order` and after each one, one
/// model stepped along it in place: a page keeps the words, never a copy of the model per
/// unit (issue 35: 3,000 users took more than 4 GB).
fn states_along(report: &RaceReport, order: &[usize]) -> Vec<String> {
    let mut model = Model::new(&report.case.setup);
    for op in &report.case.prefix {
        model.apply(op);
    }
    let spec = ModelSpec {
        start: Model::new(&report.case.setup),
    };
    let mut states = vec![state_words(&model)];
    for &k in order {
        spec.step_in_place(&mut model, &report.ran.history.operations[k].input);
        states.push(state_words(&model));
    }
    states
}

/// What a hover shows of unit `k`: its call, what the server returned, and the model's
/// state before and after it in the order (when the order placed it).
fn bar_words(report: &RaceReport, k: usize, place: Option<usize>, states: &[String]) -> String {
    let op = &report.ran.history.operations[k];
    let mut words = unit_name(&op.input);
    if let Some(answer) = &op.output {
        words.push_str(&format!(
            "\nreturned: {}",
            answer_words(&op.input, answer, &report.case)
        ));
    }
    if let Some(p) = place {
        words.push_str(&format!(
            "\nmodel before: {}\nmodel after: {}",
            states[p],
            states[p + 1]
        ));
    }
    if let Judgement::NotLinearizable {
        stuck, expected, ..
    } = &report.judgement
    {
        if *stuck == k {
            // The unit no order places: the model's state where the explained order ends,
            // and what the model would have returned there.
            let before = states.last().expect("the start");
            words.push_str(&format!(
                "\nmodel before: {before}\nthe model expected: {}",
                answer_words(&op.input, expected, &report.case)
            ));
        }
    }
    words
}
