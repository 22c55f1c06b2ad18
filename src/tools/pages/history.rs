//! The page of a concurrent run (`migwiz run FILE --html OUT.html` for a file with
//! `[[clients]]`, `migwiz race --html OUT.html`): one lane per client, named by what it
//! does, each unit a bar from its call to its return, numbered by its place in the order
//! the checker found, and that order drawn through the bars. A long run is drawn in rows
//! of ticks, as text wraps, never shrunk. Below, the order as a table with what each unit
//! changed in the model's state, in names; for a run no order explains, where the order
//! stops: the state there, what the model expected against what the server returned with
//! the difference marked, and the command that replays the run.

use maud::{html, Markup, DOCTYPE};

use crate::harness::concurrent::{Call, Judgement, ModelSpec};
use crate::harness::linearizability::Spec;
use crate::model::Model;
use crate::tools::pages::marks::{marked, show_parts};
use crate::tools::pages::{back, head, legend};
use crate::tools::search::race::{answer_words, verdict_words, RaceReport};
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::Operation;
use crate::vocabulary::printable;

/// Pixels per lane, the left margin for lane names, and about the widest a row of the
/// drawing is drawn (a wider one scrolls).
const LANE: usize = 64;
const LEFT: usize = 200;
const ROW_WIDTH: usize = 1150;
/// Rows of the drawing shown open; the rest are folded, a group at a time.
const OPEN_ROWS: usize = 4;
/// Units per folded group of the order's table.
const TABLE_GROUP: usize = 100;
/// About the width of a character of the bars' 11 px monospace labels, with room.
const CHAR: usize = 7;
/// The longest label a bar carries; the order's table has every name in full.
const LONGEST_LABEL: usize = 44;

/// Where a history page sits among files: the index it links back to, and the command
/// that replays its run.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The index beside the page, when the page is one of a folder's.
    pub index: Option<String>,
    /// The command that replays the run: `migwiz run FILE`.
    pub replay: Option<String>,
}

/// The page of `report`, on its own.
///
/// ```
/// use migwiz::tools::pages::history::page;
/// use migwiz::tools::race::run_scenario;
/// use migwiz::Scenario;
/// let text = "name = \"race\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n[[clients]]\nname = \"wizard\"\nsteps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]\n[[clients]]\nname = \"mail\"\nsteps = [ { op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 } ]\n";
/// let report = run_scenario(&Scenario::parse("race.toml", text)?, None, None, None);
/// let html = page(&report);
/// assert_eq!(html.matches("class=\"lane\"").count(), 3); // two clients, the final state
/// assert!(html.contains("class=\"order\"") && html.contains("wizard 5.5 full"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn page(report: &RaceReport) -> String {
    page_in(report, &Context::default())
}

/// The page of `report`, placed by `context`.
pub fn page_in(report: &RaceReport, context: &Context) -> String {
    let (order, stuck) = match &report.judgement {
        Judgement::Linearizable { order } => (order.clone(), None),
        Judgement::NotLinearizable { prefix, stuck, .. } => (prefix.clone(), Some(*stuck)),
        _ => (Vec::new(), None),
    };
    let walk = walk(report, &order);
    let verdict = verdict_words(&report.case, &report.ran, &report.judgement, &report.names);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("migwiz: a concurrent run of {}", printable(&report.prefix.scenario)), HISTORY_STYLE))
            body {
                (back(context.index.as_deref()))
                h1 { (printable(&report.prefix.scenario)) }
                @if let Some(d) = &report.prefix.description { p { (printable(d)) } }
                p.note {
                    "The wizard runs as " strong { (versions(report)) } ". Schedule seed " (report.schedule) ". "
                    "Each bar is one unit of a client's step, from its call to its return, on one logical clock (C-UNITS); "
                    (order_words(&report.judgement))
                }
                (legend(&LEGEND))
                h2 { "The run, by client" }
                (timeline(report, &order, stuck))
                h2 { "Verdict" }
                pre.verdict { (verdict) }
                @if stuck.is_some() { (where_it_stops(report, &walk, context)) }
                h2 { "The order, unit by unit" }
                (order_table(report, &order, &walk))
            }
        }
    };
    markup.into_string()
}

/// What the numbers on the bars are, for each verdict: a run with no order drawn says
/// why.
fn order_words(judgement: &Judgement) -> &'static str {
    match judgement {
        Judgement::Linearizable { .. } => "the numbers and the dashed line give the order that explains every result (C-LIN).",
        Judgement::NotLinearizable { .. } => "the numbers give the longest order the model explains; the ✗ bar is where the search for an order stopped (C-VERDICT).",
        Judgement::Broken(_) => "an order explains every result, but a property broke under it (C-INV, see the verdict); the order is not drawn.",
        Judgement::Unknown { .. } | Judgement::OutOfPoints { .. } => "a budget ran out before the run was judged (see the verdict): no order is drawn, and this is no pass.",
        Judgement::DidNotEnd(_) => "the run did not end (see the verdict): no order is drawn.",
    }
}

/// What the page's colours and symbols mean.
const LEGEND: [(&str, &str, &str); 4] = [
    (
        "placed",
        "3.",
        "a unit, third in the order that explains the run",
    ),
    ("unplaced", "·", "a unit the order does not reach"),
    (
        "stuck",
        "✗",
        "the unit where the search for an order stopped: no order places it there",
    ),
    ("", "- - -", "the order, drawn from unit to unit"),
];

/// The versions the run's wizard steps run as, in words.
fn versions(report: &RaceReport) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let ops = report
        .case
        .prefix
        .iter()
        .chain(report.case.clients.iter().flatten());
    for op in ops {
        let version = match op {
            Operation::Wizard(run) => Some(run.version),
            Operation::Mailmig { version, .. } | Operation::ExtractUserList { version, .. } => {
                Some(*version)
            }
            _ => None,
        };
        if let Some(v) = version.map(|v| v.as_str()) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
    }
    match seen.is_empty() {
        true => "no version: the run has no wizard step".to_string(),
        false => seen.join(" and "),
    }
}

/// A step as its lane names it: a wizard step with its version and phase.
fn what_it_does(op: &Operation) -> String {
    match op {
        Operation::Wizard(run) => format!("wizard {} {}", run.version.as_str(), run.phase),
        Operation::Mailmig { version, .. } => format!("mailmig {}", version.as_str()),
        Operation::ExtractUserList { version, .. } => {
            format!("extract-user-list {}", version.as_str())
        }
        other => other.name().to_string(),
    }
}

/// Each lane's name and what its client does: `("wizard", "wizard 5.5 full")`; the last
/// lane is the final observation.
fn lanes(report: &RaceReport) -> Vec<(String, String)> {
    let mut lanes: Vec<(String, String)> = report
        .names
        .iter()
        .zip(&report.case.clients)
        .map(|(name, steps)| {
            let mut does: Vec<String> = Vec::new();
            for op in steps {
                let what = what_it_does(op);
                if !does.contains(&what) {
                    does.push(what);
                }
            }
            (printable(name), does.join(", "))
        })
        .collect();
    lanes.push(("final state".into(), "observed once all return".into()));
    lanes
}

/// A unit's full name: `#2 user NET1/PO1/JDOE`, `the final state`.
fn unit_name(call: &Call) -> String {
    match call {
        Call::Unit { step, unit, .. } => printable(&format!("#{step} {unit}")),
        Call::Observe => "observe the final state".to_string(),
    }
}

/// A bar's label: its place in the order (or ✗, or ·) and its name, cut to
/// [`LONGEST_LABEL`] characters.
fn label(call: &Call, place: Option<usize>, stuck: bool) -> String {
    let mark = match (stuck, place) {
        (true, _) => "✗".to_string(),
        (false, Some(p)) => format!("{}.", p + 1),
        (false, None) => "·".to_string(),
    };
    cut(&format!("{mark} {}", unit_name(call)), LONGEST_LABEL)
}

/// The run drawn in rows of ticks, each about [`ROW_WIDTH`] wide at most: each row one
/// picture at its own size, a lane per client and one for the final observation; each unit
/// a bar from its call to its return with its label, the labels of a lane's units above and
/// below their bars by turns, so that two never meet; the order's line under the labels.
fn timeline(report: &RaceReport, order: &[usize], stuck: Option<usize>) -> Markup {
    let ops = &report.ran.history.operations;
    let mut place_of = vec![None; ops.len()];
    for (p, &k) in order.iter().enumerate() {
        place_of[k] = Some(p);
    }
    let end = ops
        .iter()
        .map(|op| op.returned.unwrap_or(op.call + 1))
        .max()
        .unwrap_or(1)
        + 1;
    let labels: Vec<String> = (0..ops.len())
        .map(|k| label(&ops[k].input, place_of[k], stuck == Some(k)))
        .collect();
    // A lane's calls are at least two ticks apart (a call, then its return), so labels
    // by turns are four apart: a tick a quarter of the longest label.
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let tick = (longest * CHAR + 8).div_ceil(4).max(24);
    let lanes = lanes(report);
    // Each unit's turn in its lane: even above the bar, odd below.
    let mut turn = vec![0usize; ops.len()];
    let mut seen = vec![0usize; lanes.len()];
    for (k, op) in ops.iter().enumerate() {
        let lane = lane_of(&op.input, report.names.len());
        turn[k] = seen[lane];
        seen[lane] += 1;
    }
    let label_width = longest * CHAR + 8;
    let row_ticks = ((ROW_WIDTH.saturating_sub(LEFT + label_width)) / tick).clamp(6, 40) as u64;
    let drawing = Drawing {
        report,
        row_ticks,
        label_width,
        order,
        place_of: &place_of,
        labels: &labels,
        turn: &turn,
        lanes: &lanes,
        tick,
        end,
        stuck,
    };
    let rows: Vec<u64> = (0..end.div_ceil(row_ticks))
        .map(|r| r * row_ticks)
        .collect();
    html! {
        @for from in rows.iter().take(OPEN_ROWS) { (drawing.row(*from)) }
        @for group in rows[rows.len().min(OPEN_ROWS)..].chunks(10) {
            details.rows {
                summary { "ticks " (group[0]) " to " ((group[group.len() - 1] + row_ticks).min(end)) }
                @for from in group { (drawing.row(*from)) }
            }
        }
    }
}

/// The lane of a call: its client's, or the last for the final observation.
fn lane_of(call: &Call, clients: usize) -> usize {
    match call {
        Call::Unit { client, .. } => *client,
        Call::Observe => clients,
    }
}

/// What every row of the drawing shares.
struct Drawing<'a> {
    report: &'a RaceReport,
    /// Ticks per row.
    row_ticks: u64,
    /// Room for the longest label past a row's last tick.
    label_width: usize,
    order: &'a [usize],
    place_of: &'a [Option<usize>],
    labels: &'a [String],
    turn: &'a [usize],
    lanes: &'a [(String, String)],
    tick: usize,
    end: u64,
    stuck: Option<usize>,
}

impl Drawing<'_> {
    /// The row of ticks `from` to `from + row_ticks`: bars cut at the row's edges, labels
    /// with the row their call is in.
    fn row(&self, from: u64) -> Markup {
        let ops = &self.report.ran.history.operations;
        let to = (from + self.row_ticks).min(self.end);
        let x = |t: u64| LEFT + self.tick * (t.clamp(from, to) - from) as usize;
        let y = |lane: usize| 8 + LANE * lane;
        let width = x(to) + self.label_width;
        let height = LANE * self.lanes.len() + 12;
        let within = |k: usize| {
            let op = &ops[k];
            op.call < to && op.returned.unwrap_or(self.end) >= from
        };
        let centre = |k: usize| {
            let op = &ops[k];
            let (left, right) = (x(op.call), x(op.returned.unwrap_or(self.end)));
            let lane = lane_of(&op.input, self.report.names.len());
            ((left + right) / 2, y(lane) + 30)
        };
        let through: Vec<String> = self
            .order
            .iter()
            .filter(|&&k| (from..to).contains(&ops[k].call))
            .map(|&k| {
                let (cx, cy) = centre(k);
                format!("{cx},{cy}")
            })
            .collect();
        html! {
            div.picture {
                svg.history xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img" {
                    title { "the run's units by client, ticks " (from) " to " (to) }
                    @for (lane, (name, does)) in self.lanes.iter().enumerate() {
                        g.lane {
                            text.lane-name x="4" y=(y(lane) + 26) { (name) }
                            text.does x="4" y=(y(lane) + 42) { (cut(does, (LEFT - 12) / CHAR)) title { (does) } }
                            line.lane-rule x1=(LEFT - 6) y1=(y(lane) + LANE - 6) x2=(width) y2=(y(lane) + LANE - 6) {}
                        }
                    }
                    @if through.len() > 1 { polyline.order points=(through.join(" ")) {} }
                    @for k in (0..ops.len()).filter(|&k| within(k)) { (self.bar(k, from, to, &x, &y)) }
                }
            }
        }
    }

    /// Unit `k`'s bar in the row `from..to`, with its label when its call is in the row.
    fn bar(
        &self,
        k: usize,
        from: u64,
        to: u64,
        x: &dyn Fn(u64) -> usize,
        y: &dyn Fn(usize) -> usize,
    ) -> Markup {
        let op = &self.report.ran.history.operations[k];
        let lane = lane_of(&op.input, self.report.names.len());
        let (left, right) = (x(op.call), x(op.returned.unwrap_or(self.end)));
        let class = match (self.stuck == Some(k), self.place_of[k]) {
            (true, _) => "bar stuck",
            (false, Some(_)) => "bar placed",
            (false, None) => "bar unplaced",
        };
        let label_y = match self.turn[k] % 2 {
            0 => y(lane) + 15,
            _ => y(lane) + 54,
        };
        html! {
            g class=(class) data-op=(k) {
                title { (bar_words(self.report, k, self.place_of[k])) }
                rect x=(left) y=(y(lane) + 20) width=((right - left).max(8)) height="20" rx="4" {}
                @if (from..to).contains(&op.call) {
                    text.label x=(left + 2) y=(label_y) { (self.labels[k]) }
                } @else {
                    // Carried over from the row before: its mark alone, short enough to
                    // end before the next label of its turn (three ticks on).
                    text.label x=(left + 2) y=(label_y) { "… " (self.labels[k].split(' ').next().unwrap_or("")) }
                }
            }
        }
    }
}

/// `text` cut to `most` characters, `…` last when cut.
fn cut(text: &str, most: usize) -> String {
    match text.chars().count() > most {
        true => text
            .chars()
            .take(most.saturating_sub(1))
            .chain(['…'])
            .collect(),
        false => text.to_string(),
    }
}

const HISTORY_STYLE: &str = "
svg.history { display: block; border: 1px solid #c8c8c8; background: #fcfcfc; margin-bottom: .6em; }
.bar rect { fill: #ffffff; stroke: #6b6b6b; stroke-dasharray: 3 2; } .bar.placed rect { fill: #d6e9f8; stroke: #0072b2; stroke-dasharray: none; }
.bar.stuck rect { fill: #e8a088; stroke: #d55e00; stroke-width: 3; stroke-dasharray: none; }
dt.placed { background: #d6e9f8; } dt.unplaced { background: #ffffff; border-style: dashed !important; } dt.stuck { background: #e8a088; }
polyline.order { fill: none; stroke: #5b3f9e; stroke-width: 1.5; stroke-dasharray: 5 3; }
svg.history text { font-size: 11px; paint-order: stroke; stroke: #fcfcfc; stroke-width: 3px; }
text.lane-name { font-weight: bold; font-size: 12px !important; }
line.lane-rule { stroke: #e2e2e2; } pre.verdict, .versions pre { white-space: pre-wrap; }
table.order td:nth-child(5) { font: 13px/1.35 ui-monospace, monospace; white-space: pre-wrap; }
.versions.stuck { grid-template-columns: repeat(2, minmax(0, 1fr)); }
@media (max-width: 700px) { .versions.stuck { grid-template-columns: minmax(0, 1fr); } }
";

/// The model along the order: its state in names before the first unit (`start`), each
/// unit's changes (lines gone, lines new), and the state where the order ends (`last`).
/// One model stepped in place: a page keeps lines, never a copy of the model per unit
/// (issue 35: 3,000 users took more than 4 GB).
struct Walk {
    start: Vec<String>,
    changes: Vec<(Vec<String>, Vec<String>)>,
    last: Vec<String>,
}

fn walk(report: &RaceReport, order: &[usize]) -> Walk {
    let mut model = Model::new(&report.case.setup);
    for op in &report.case.prefix {
        model.apply(op);
    }
    let spec = ModelSpec {
        start: Model::new(&report.case.setup),
    };
    let start = state_lines(&model.observe());
    let mut before = start.clone();
    let mut changes = Vec::with_capacity(order.len());
    for &k in order {
        spec.step_in_place(&mut model, &report.ran.history.operations[k].input);
        let after = state_lines(&model.observe());
        let gone = before.iter().filter(|l| after.binary_search(l).is_err());
        let new = after.iter().filter(|l| before.binary_search(l).is_err());
        changes.push((gone.cloned().collect(), new.cloned().collect()));
        before = after;
    }
    Walk {
        start,
        changes,
        last: before,
    }
}

/// A state in names, a sorted line per fact: who holds which mail, which addresses each
/// mailbox has, what still waits in MS Mail, how long the event log is.
pub(crate) fn state_lines(seen: &Observation) -> Vec<String> {
    let mut lines = Vec::new();
    for m in &seen.mailboxes {
        lines.push(format!("mailbox {}: {}", m.alias, m.proxies.join(", ")));
        for mail in &m.mail {
            lines.push(format!(
                "mailbox {} holds {} of {}'s message(s){}",
                m.alias,
                mail.count,
                mail.owner,
                match mail.calendar {
                    true => " (calendar)",
                    false => "",
                }
            ));
        }
    }
    for c in &seen.custom_recipients {
        lines.push(format!("custom recipient {}: {}", c.alias, c.address));
    }
    for w in seen.msmail.iter().filter(|w| w.waiting > 0) {
        lines.push(format!(
            "{}: {} message(s) waiting in MS Mail",
            w.address, w.waiting
        ));
    }
    lines.push(format!("event log: {} event(s)", seen.events.len()));
    if let Some(list) = &seen.user_list {
        lines.push(format!("user list: {} row(s)", list.len()));
    }
    for f in &seen.files {
        lines.push(format!(
            "file {}: {} line(s)",
            f.path,
            f.text.lines().count()
        ));
    }
    lines.sort();
    lines.iter().map(|l| printable(l)).collect()
}

/// The lines of a change: `- gone`, `+ new`; "no change" when none.
fn change_words((gone, new): &(Vec<String>, Vec<String>)) -> String {
    let lines: Vec<String> = gone
        .iter()
        .map(|l| format!("− {l}"))
        .chain(new.iter().map(|l| format!("+ {l}")))
        .collect();
    match lines.is_empty() {
        true => "no change".to_string(),
        false => lines.join("\n"),
    }
}

/// The order as a table, a row per unit with its client, what it returned and what it
/// changed in the model; folded when long, [`TABLE_GROUP`] units at a time.
fn order_table(report: &RaceReport, order: &[usize], walk: &Walk) -> Markup {
    let ops = &report.ran.history.operations;
    let lanes = lanes(report);
    let rows: Vec<(usize, usize)> = order.iter().copied().enumerate().collect();
    let table = |rows: &[(usize, usize)]| {
        html! {
            table.order {
                thead { tr { th { "#" } th { "client" } th { "unit" } th { "returned" } th { "the model after it: what changed (− gone, + new)" } } }
                tbody {
                    @for (p, k) in rows {
                        @let op = &ops[*k];
                        tr {
                            td { (p + 1) "." }
                            td { (lanes[lane_of(&op.input, report.names.len())].0) }
                            td { (unit_name(&op.input)) }
                            td { @if let Some(a) = &op.output { (printable(&answer_words(&op.input, a, &report.case))) } }
                            td { (change_words(&walk.changes[*p])) }
                        }
                    }
                }
            }
        }
    };
    html! {
        details.start {
            summary { "The model's state before the first unit (" (walk.start.len()) " line(s))" }
            pre { (walk.start.join("\n")) }
        }
        @if order.is_empty() {
            p.note {
                @match &report.judgement {
                    Judgement::NotLinearizable { .. } => "No unit could be placed first.",
                    _ => "No order is drawn for this verdict.",
                }
            }
        }
        @else if order.len() <= TABLE_GROUP { details.order open { summary { (order.len()) " unit(s) in order" } (table(&rows)) } }
        @else {
            @for group in rows.chunks(TABLE_GROUP) {
                details.order { summary { "units " (group[0].0 + 1) " to " (group[group.len() - 1].0 + 1) } (table(group)) }
            }
        }
        (unreached(report, order))
    }
}

/// The units the order does not reach, with what each returned: what their bars' hovers
/// hold, on the page (and on paper) too.
fn unreached(report: &RaceReport, order: &[usize]) -> Markup {
    let ops = &report.ran.history.operations;
    let mut placed = vec![false; ops.len()];
    for &k in order {
        placed[k] = true;
    }
    let lanes = lanes(report);
    let rest: Vec<usize> = (0..ops.len()).filter(|&k| !placed[k]).collect();
    html! {
        @if !rest.is_empty() {
            details.unreached {
                summary { (rest.len()) " unit(s) the order does not reach" }
                table.unreached {
                    thead { tr { th { "client" } th { "unit" } th { "returned" } } }
                    tbody {
                        @for k in rest.iter().take(TABLE_GROUP * 10) {
                            @let op = &ops[*k];
                            tr {
                                td { (lanes[lane_of(&op.input, report.names.len())].0) }
                                td { (unit_name(&op.input)) }
                                td { @match &op.output { Some(a) => (printable(&answer_words(&op.input, a, &report.case))), None => "(had not returned)" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where the order stops: what "cannot be placed" means, the model's state there, what
/// the model expected against what the server returned (the difference marked), and how
/// to replay the run.
fn where_it_stops(report: &RaceReport, walk: &Walk, context: &Context) -> Markup {
    let Judgement::NotLinearizable {
        stuck,
        expected,
        returned,
        ..
    } = &report.judgement
    else {
        return html! {};
    };
    let call = &report.ran.history.operations[*stuck].input;
    let words = |answer: &crate::harness::concurrent::Answer| -> Vec<String> {
        match answer {
            crate::harness::concurrent::Answer::Observation(seen) => state_lines(seen),
            _ => answer_words(call, answer, &report.case)
                .split("; ")
                .map(printable)
                .collect(),
        }
    };
    let sides = marked(&[words(expected), words(returned)]);
    html! {
        h2 { "Where the order stops" }
        p {
            "The units numbered 1 to " (walk.changes.len()) " are the longest order the model explains. "
            "Next, " strong { (unit_name(call)) } " cannot be placed: from the model's state after them, "
            "neither it nor any other unit still open, taken next, gives what the server returned. "
            "That is where the search stopped, which is not always the culprit: an earlier unit may have left the server's state wrong without its own answer showing it."
        }
        div.versions.stuck {
            div { h3 { "the model expected" } pre { (show_parts(&sides[0])) } }
            div { h3 { "the server returned" } pre { (show_parts(&sides[1])) } }
        }
        details.stop-state {
            summary { "The model's state where the order stops (" (walk.last.len()) " line(s))" }
            pre { (walk.last.join("\n")) }
        }
        @if let Some(command) = &context.replay {
            p.replay { "Replay the run with " code { (printable(command)) } "." }
        }
    }
}

/// What a hover shows of unit `k`: its call, what the server returned, and what it
/// changed in the model (when the order placed it).
fn bar_words(report: &RaceReport, k: usize, place: Option<usize>) -> String {
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
            "\n{}. in the order; the order's table says what it changed",
            p + 1
        ));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::properties::Violation;
    use crate::tools::format::scenario::Scenario;
    use crate::tools::race::run_scenario;

    /// A run judged otherwise than by an order says why no order is drawn, and never
    /// that no unit could be placed.
    #[test]
    fn a_run_with_no_order_says_why() {
        let text = "name = \"r\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 1\n[[clients]]\nname = \"w\"\nsteps = [ { op = \"wizard\", version = \"5.5\", phase = \"full\" } ]\n[[clients]]\nname = \"m\"\nsteps = [ { op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 } ]\n";
        let mut report = run_scenario(&Scenario::parse("r.toml", text).unwrap(), None, None, None);
        report.judgement = Judgement::Broken(Violation {
            property: "conservation",
            rule: None,
            detail: "one message lost".into(),
        });
        let html = page(&report);
        assert!(html.contains("a property broke under it"), "{html}");
        assert!(html.contains("No order is drawn for this verdict."));
        assert!(!html.contains("No unit could be placed first."));
        report.judgement = Judgement::Unknown { steps: 9 };
        assert!(page(&report).contains("a budget ran out"));
    }
}
