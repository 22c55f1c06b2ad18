//! Concurrent runs for people: a scenario file with `[[clients]]` run and reported
//! (`SCENARIO-FORMAT-3.md`), and what `migwiz race` prints of a failing case: one column
//! per client in time order, and the verdict in words (C-VERDICT).
//!
//! ```
//! use migwiz::tools::race::run_scenario;
//! use migwiz::Scenario;
//!
//! let text = r#"
//! name = "Q190423 race"
//! [[users]]
//! address = "NET1/PO1/JDOE"
//! messages = 2
//! [[clients]]
//! name = "wizard"
//! steps = [ { op = "wizard", version = "5.0", phase = "full" } ]
//! [[clients]]
//! name = "mail"
//! steps = [ { op = "deliver", user = "NET1/PO1/JDOE", messages = 1 } ]
//! "#;
//! let scenario = Scenario::parse("race.toml", text)?;
//! let report = run_scenario(&scenario, None, None, None);
//! assert!(report.passed());
//! assert!(report.transcript().contains("verdict: linearizable"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use crate::harness::concurrent::{self, Answer, Call, Case, Judgement, Mode, Ran, Scope};
use crate::server::shared::Fault;
use crate::tools::format::scenario::{Client, Scenario};
use crate::tools::runs::describe::describe_user;
use crate::tools::runs::replay::{replay, ModelCheckPolicy, Replay};
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::printable;
use crate::vocabulary::unit::{Unit, UnitResult};

/// A concurrent scenario run: the prefix replayed (its observation the final state of the
/// whole run), the clients' units, and the verdict.
#[derive(Debug, Clone)]
pub struct RaceReport {
    /// The prefix, replayed; its `observation` is the server's state after every client.
    pub prefix: Replay,
    /// The clients' names, in file order.
    pub names: Vec<String>,
    /// The schedule seed the run used.
    pub schedule: u64,
    /// The case run.
    pub case: Case,
    /// The run.
    pub ran: Ran,
    /// Its verdict.
    pub judgement: Judgement,
    /// How much of the state each unit was judged on.
    pub scope: Scope,
}

/// The case a scenario with clients describes, every wizard and extraction step made
/// `version`'s when given.
pub fn case_of(scenario: &Scenario, version: Option<Version>) -> Case {
    let set = |ops: &[Operation]| -> Vec<Operation> {
        ops.iter()
            .map(|op| version.map_or_else(|| op.clone(), |v| op.with_version(v)))
            .collect()
    };
    Case {
        setup: scenario.setup.clone(),
        prefix: set(&scenario.steps),
        clients: scenario.clients.iter().map(|c| set(&c.steps)).collect(),
    }
}

/// Runs a scenario's prefix, then its clients under the deterministic scheduler with
/// `schedule` (or the file's seed), with a named fault of the server if given, and judges
/// the run, every unit over the whole state.
pub fn run_scenario(
    scenario: &Scenario,
    version: Option<Version>,
    schedule: Option<u64>,
    fault: Option<Fault>,
) -> RaceReport {
    let how = How {
        version,
        schedule,
        fault,
        policy: ModelCheckPolicy::Full,
    };
    run_watched(scenario, &how, &|_, _, _| {})
}

/// The scope `--model-check` asks for: `on` the whole state, `off` none, `auto` the whole
/// state while the world is as small as a sequential run checks in full (at most
/// [`MODEL_CHECK_LIMIT`](crate::tools::runs::replay::MODEL_CHECK_LIMIT) users and steps, and
/// [`MODEL_CHECK_WORK`](crate::tools::runs::replay::MODEL_CHECK_WORK) users times units), else
/// the part each unit names.
pub fn scope_of(policy: ModelCheckPolicy, case: &Case) -> Scope {
    use crate::tools::runs::replay::{MODEL_CHECK_LIMIT, MODEL_CHECK_WORK};
    let users = case.setup.users().len();
    let steps = case.prefix.len() + case.clients.iter().map(Vec::len).sum::<usize>();
    let units = case.prefix.len() as u64 + concurrent::units_of(case);
    let large = users + steps > MODEL_CHECK_LIMIT
        || (users as u64).saturating_mul(units) > MODEL_CHECK_WORK as u64;
    match policy {
        ModelCheckPolicy::Full => Scope::Whole,
        ModelCheckPolicy::Off => Scope::Off,
        ModelCheckPolicy::Auto if large => Scope::Part,
        ModelCheckPolicy::Auto => Scope::Whole,
    }
}

/// How [`run_watched`] runs a scenario with clients.
#[derive(Debug, Clone, Copy, Default)]
pub struct How {
    /// Every wizard and extraction step as this version, if given.
    pub version: Option<Version>,
    /// The scheduler's seed instead of the file's, if given.
    pub schedule: Option<u64>,
    /// A named fault of the server to switch on, if any.
    pub fault: Option<Fault>,
    /// How much of the state each unit is judged on ([`scope_of`]).
    pub policy: ModelCheckPolicy,
}

/// [`run_scenario`] as `how` says, telling `progress` what it is doing: `(what, done,
/// of)`, `of` 0 when not known beforehand.
pub fn run_watched(
    scenario: &Scenario,
    how: &How,
    progress: &dyn Fn(&'static str, u64, u64),
) -> RaceReport {
    let seed = how.schedule.unwrap_or(scenario.schedule);
    let case = case_of(scenario, how.version);
    progress("running the clients", 0, 0);
    let ran = concurrent::run(&case, Mode::Deterministic { seed }, how.fault);
    let scope = scope_of(how.policy, &case);
    let judgement = concurrent::judge_watched(&case, &ran, scope, progress);
    let alone = Scenario {
        clients: Vec::new(),
        ..scenario.clone()
    };
    let mut prefix = replay(&alone, how.version);
    if let Some(Answer::Observation(seen)) = ran
        .history
        .operations
        .iter()
        .find(|op| op.input == Call::Observe)
        .and_then(|op| op.output.as_ref())
    {
        prefix.observation = (**seen).clone();
    }
    RaceReport {
        prefix,
        names: scenario.clients.iter().map(|c| c.name.clone()).collect(),
        schedule: seed,
        case,
        ran,
        judgement,
        scope,
    }
}

/// A unit's result in words: outcome, rules, what it did for each user, events.
fn result_words(unit: &Unit, result: &UnitResult, version: Version) -> String {
    let rules: Vec<&str> = result.rules.iter().map(|r| r.as_str()).collect();
    let mut words = format!("{} [{}]", result.outcome.word(), rules.join(" "));
    if let Unit::Step(_) = unit {
        if let crate::vocabulary::outcome::Outcome::Refused(r) = &result.outcome {
            let _ = write!(words, ": {r}");
        }
    }
    for user in &result.users {
        let _ = write!(words, "; {}", describe_user(version, user));
    }
    if !result.events.is_empty() {
        let ids: Vec<String> = result.events.iter().map(|e| e.id.to_string()).collect();
        let _ = write!(words, "; logged {}", ids.join(", "));
    }
    words
}

/// The version a client's wizard step runs as, for the words of its units.
fn version_of(case: &Case, client: usize, step: usize) -> Version {
    match case
        .clients
        .get(client)
        .and_then(|c| c.get(step.wrapping_sub(1)))
    {
        Some(Operation::Wizard(run)) => run.version,
        _ => Version::V55,
    }
}

/// An answer in words: a unit's outcome, rules and what it did for each user, or the state.
pub(crate) fn answer_words(call: &Call, answer: &Answer, case: &Case) -> String {
    match (call, answer) {
        (Call::Unit { client, step, unit }, Answer::Unit(result)) => {
            result_words(unit, result, version_of(case, *client, *step))
        }
        (_, Answer::Observation(seen)) => format!(
            "the state with {} mailbox(es), {} event(s), {} message(s) waiting",
            seen.mailboxes.len(),
            seen.events.len(),
            seen.msmail
                .iter()
                .map(|w| u64::from(w.waiting))
                .sum::<u64>()
        ),
        (_, Answer::Unit(result)) => format!("{result:?}"),
    }
}

fn call_words(call: &Call, names: &[String]) -> String {
    match call {
        Call::Unit { client, step, unit } => {
            let name = names.get(*client).map_or("?", String::as_str);
            format!("{} #{step} {unit}", printable(name))
        }
        Call::Observe => "the final state".to_string(),
    }
}

/// The verdict in words (C-VERDICT).
pub fn verdict_words(case: &Case, ran: &Ran, judgement: &Judgement, names: &[String]) -> String {
    let ops = &ran.history.operations;
    match judgement {
        Judgement::Linearizable { .. } => "verdict: linearizable: the units above, in that order, explain every result and the final state (C-LIN)".to_string(),
        Judgement::NotLinearizable { prefix, stuck, expected, returned } => {
            let call = &ops[*stuck].input;
            if let (Answer::Observation(e), Answer::Observation(r)) = (&**expected, &**returned) {
                // Two states whose counts agree tell nothing side by side: their first
                // difference, in words, as the state machine test gives it.
                let first = crate::harness::difference::first_difference(e, r)
                    .unwrap_or_else(|| "no difference found in words".to_string());
                return format!(
                    "verdict: not linearizable: the model explains every unit, in the {} above in that order, but not the final state (C-LIN (4)): {first}",
                    prefix.len()
                );
            }
            let (said, got) = (answer_words(call, expected, case), answer_words(call, returned, case));
            let mut words = format!(
                "verdict: not linearizable: the model explains the {} unit(s) above in that order, and no order of the rest places {} next (C-LIN):\n  the model expected: {said}\n  the server returned: {got}",
                prefix.len(),
                call_words(call, names),
            );
            if said == got {
                // The same in short: the difference is inside an event's text.
                if let (Answer::Unit(e), Answer::Unit(r)) = (&**expected, &**returned) {
                    words.push_str(&event_difference(&e.events, &r.events));
                }
            }
            words
        }
        Judgement::Unknown { steps } => format!(
            "verdict: unknown: the checker took {steps} model steps, its budget, before it found an order or proved there is none; this is not a pass (C-VERDICT)"
        ),
        Judgement::OutOfPoints { points } => {
            let mut words = format!(
                "verdict: unknown: the run took {points} scheduling points, its budget for this case, before every client ended; no client waited on another for good, and no order was judged; this is not a pass (C-VERDICT). Each client's last call:"
            );
            last_calls(&mut words, ran, names);
            words
        }
        Judgement::Broken(violation) => format!(
            "verdict: a property broke (C-INV): an order explains every result, and under it {violation}"
        ),
        Judgement::DidNotEnd(failure) => {
            let mut words = format!("verdict: the run did not end: {failure} (C-DEADLOCK); each client's last call:");
            last_calls(&mut words, ran, names);
            words
        }
    }
}

/// Where two units' events first differ, in words: `\n  where they differ: …`.
fn event_difference(
    model: &[crate::vocabulary::event::Event],
    server: &[crate::vocabulary::event::Event],
) -> String {
    let shown = |e: Option<&crate::vocabulary::event::Event>| {
        e.map_or("no event".to_string(), |e| {
            format!(
                "event {}: {}",
                e.id,
                printable(&e.description).replace('\n', " / ")
            )
        })
    };
    match (0..model.len().max(server.len())).find(|&k| model.get(k) != server.get(k)) {
        Some(k) => format!(
            "\n  where they differ, the {} event: the model's {}\n  the server's {}",
            crate::harness::difference::ordinal(k + 1),
            shown(model.get(k)),
            shown(server.get(k))
        ),
        None => String::new(),
    }
}

/// Each client's last call, a line each.
fn last_calls(words: &mut String, ran: &Ran, names: &[String]) {
    for (client, call) in ran.last_calls.iter().enumerate() {
        let name = names.get(client).map_or("?", String::as_str);
        let last = call
            .as_ref()
            .map_or("(none)".to_string(), |c| call_words(c, names));
        let _ = write!(words, "\n  {}: {last}", printable(name));
    }
}

/// The order to show units in: the linearization, or the explained prefix then the unit
/// no order places; for a run that did not end, call order.
fn shown_order(ran: &Ran, judgement: &Judgement) -> Vec<usize> {
    match judgement {
        Judgement::Linearizable { order } => order.clone(),
        Judgement::NotLinearizable { prefix, stuck, .. } => {
            prefix.iter().copied().chain([*stuck]).collect()
        }
        _ => (0..ran.history.operations.len()).collect(),
    }
}

impl RaceReport {
    /// Whether the run is linearizable (exit 0).
    pub fn passed(&self) -> bool {
        self.judgement.passed()
            && self.prefix.disagreements.is_empty()
            && self.prefix.broken.is_empty()
    }

    /// The prefix's transcript with the units in the order they took effect and the
    /// verdict (`SCENARIO-FORMAT-3.md`).
    pub fn transcript(&self) -> String {
        let whole = self.prefix.transcript();
        let (head, tail) = whole
            .split_once("\nApplication event log")
            .unwrap_or((whole.as_str(), ""));
        let mut out = head.to_string();
        let names: Vec<String> = self.names.iter().map(|n| printable(n)).collect();
        let _ = writeln!(
            out,
            "\nClients at once ({}), schedule {}",
            names.join(", "),
            self.schedule
        );
        for k in shown_order(&self.ran, &self.judgement) {
            let op = &self.ran.history.operations[k];
            if op.input == Call::Observe {
                continue;
            }
            let answer = op.output.as_ref().map_or("(no answer)".to_string(), |a| {
                answer_words(&op.input, a, &self.case)
            });
            let _ = writeln!(
                out,
                "  {}\n     {answer}",
                call_words(&op.input, &self.names)
            );
        }
        let _ = writeln!(
            out,
            "\n{}",
            verdict_words(&self.case, &self.ran, &self.judgement, &self.names)
        );
        match self.scope {
            Scope::Whole => {}
            Scope::Part => out.push_str("each unit was judged on the part of the state it names (its users, the mailboxes it names or makes, the custom recipients, its events), the final state whole: the world is larger than a run judges whole by default; --model-check on judges every unit on the whole state\n"),
            Scope::Off => out.push_str("no property was judged on each unit (--model-check off); the units' results and the final state were held against the model, and the final state judged\n"),
        }
        if self.ran.failure.is_some() {
            // The run never reached a final state; the state after the prefix is not it.
            out.push_str("\nNo final state: the run did not end, so it reached none.\n");
        } else if !tail.is_empty() {
            let _ = write!(out, "\nApplication event log{tail}");
        }
        out
    }

    /// The JSON run report with `schedule`, `clients`, `units` and `verdict` added.
    pub fn to_json(&self) -> String {
        let mut report: serde_json::Value =
            serde_json::from_str(&self.prefix.to_json()).unwrap_or(serde_json::Value::Null);
        let ops = &self.ran.history.operations;
        let units: Vec<serde_json::Value> = shown_order(&self.ran, &self.judgement)
            .into_iter()
            .filter_map(|k| {
                let Call::Unit { client, step, unit } = &ops[k].input else {
                    return None;
                };
                let mut json = serde_json::json!({
                    "client": self.names.get(*client),
                    "step": step,
                    "unit": match unit { Unit::Step(op) => op.name().to_string(), other => other.to_string() },
                });
                if let Some(Answer::Unit(result)) = &ops[k].output {
                    json["outcome"] = result.outcome.word().into();
                    json["rules"] = result.rules.iter().map(|r| r.as_str()).collect::<Vec<_>>().into();
                }
                if let Judgement::NotLinearizable { stuck, expected, returned, .. } = &self.judgement {
                    if *stuck == k {
                        json["expected"] = answer_words(&ops[k].input, expected, &self.case).into();
                        json["returned"] = answer_words(&ops[k].input, returned, &self.case).into();
                    }
                }
                Some(json)
            })
            .collect();
        let verdict = match &self.judgement {
            Judgement::Linearizable { .. } => "linearizable",
            Judgement::NotLinearizable { .. } => "not linearizable",
            Judgement::Unknown { .. } | Judgement::OutOfPoints { .. } => "unknown",
            Judgement::DidNotEnd(_) => "did not end",
            Judgement::Broken(_) => "property broken",
        };
        if let Some(map) = report.as_object_mut() {
            if self.ran.failure.is_some() {
                // No final state was reached: the prefix's is not the run's.
                for key in [
                    "events",
                    "mailboxes",
                    "custom_recipients",
                    "msmail",
                    "user_list",
                ] {
                    map.insert(key.into(), serde_json::Value::Null);
                }
            }
            map.insert("schedule".into(), self.schedule.into());
            let clients: Vec<serde_json::Value> = self
                .names
                .iter()
                .zip(&self.case.clients)
                .map(|(name, steps)| serde_json::json!({"name": name, "steps": steps.len()}))
                .collect();
            map.insert("clients".into(), clients.into());
            map.insert("units".into(), units.into());
            map.insert("verdict".into(), verdict.into());
        }
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }
}

/// A failing case as a scenario file that `migwiz run` replays exactly: the prefix as its
/// steps, the clients named `c1`, `c2`, …, and the schedule seed.
pub fn witness(case: &Case, seed: u64, name: &str, description: &str) -> Scenario {
    Scenario {
        name: name.to_string(),
        description: Some(description.to_string()),
        setup: case.setup.clone(),
        steps: case.prefix.clone(),
        clients: case
            .clients
            .iter()
            .enumerate()
            .map(|(k, steps)| Client {
                name: format!("c{}", k + 1),
                steps: steps.clone(),
            })
            .collect(),
        schedule: seed,
    }
}

/// The run as a table: one column per client, a row per call in time order, each cell the
/// unit and what it returned.
pub fn table(case: &Case, ran: &Ran, names: &[String]) -> String {
    const WIDTH: usize = 44;
    let cut = |text: String| -> String {
        match text.char_indices().nth(WIDTH) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text,
        }
    };
    let mut out = String::new();
    let header: Vec<String> = names
        .iter()
        .map(|n| format!("{:<WIDTH$}", cut(printable(n))))
        .collect();
    let _ = writeln!(out, "  {}", header.join(" | ").trim_end());
    let rule: Vec<String> = names.iter().map(|_| "-".repeat(WIDTH)).collect();
    let _ = writeln!(out, "  {}", rule.join("-+-"));
    let mut ops: Vec<usize> = (0..ran.history.operations.len()).collect();
    ops.sort_by_key(|&k| ran.history.operations[k].call);
    for k in ops {
        let op = &ran.history.operations[k];
        let Call::Unit { client, step, unit } = &op.input else {
            continue;
        };
        let answer = op.output.as_ref().map_or("(no answer)".to_string(), |a| {
            answer_words(&op.input, a, case)
        });
        let cell = [format!("#{step} {unit}"), format!("  → {answer}")];
        for line in cell {
            let row: Vec<String> = (0..names.len())
                .map(|c| match c == *client {
                    true => format!("{:<WIDTH$}", cut(line.clone())),
                    false => " ".repeat(WIDTH),
                })
                .collect();
            let _ = writeln!(out, "  {}", row.join(" | ").trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::sync::schedule::Failure;

    /// Q190423 as a race: the 5.0 wizard migrates JDOE while a message arrives.
    const MAIL_DURING_THE_RUN: &str = "name = \"n\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 2\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\n[[clients]]\nname = \"wizard\"\nsteps = [{ op = \"wizard\", version = \"5.0\", phase = \"migrate\" }]\n[[clients]]\nname = \"mail\"\nsteps = [{ op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 }]\n";

    /// The report of `text`'s run, which must pass before a test spoils it.
    fn passing(text: &str) -> RaceReport {
        let report = run_scenario(&Scenario::parse("n.toml", text).unwrap(), None, None, None);
        assert!(report.passed(), "{}", report.transcript());
        report
    }

    /// A run whose scheduler ran out of points is `unknown`, not a deadlock, and its
    /// report shows no final state: the state after the prefix is not the run's.
    #[test]
    fn a_run_out_of_points_is_unknown_and_shows_no_state_it_did_not_reach() {
        let text = MAIL_DURING_THE_RUN;
        let mut report = passing(text);
        report.ran.failure = Some(Failure::Budget { points: 1_000_001 });
        report
            .ran
            .history
            .operations
            .retain(|op| op.input != Call::Observe);
        report.judgement = concurrent::judge(&report.case, &report.ran);
        assert!(report.judgement.is_unknown(), "{:?}", report.judgement);
        assert!(!report.passed());
        let words = report.transcript();
        assert!(
            words.contains("verdict: unknown: the run took 1000001 scheduling points"),
            "{words}"
        );
        assert!(
            !words.contains("deadlock") && !words.contains("C-DEADLOCK"),
            "{words}"
        );
        assert!(words.contains("No final state"), "{words}");
        assert!(
            !words.contains("Mailboxes\n"),
            "a state the run did not reach: {words}"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["verdict"], "unknown");
        assert!(
            json["mailboxes"].is_null() && json["msmail"].is_null(),
            "{json}"
        );
    }

    /// A final state that differs from the model's only where counts do not show (a client
    /// left open) is reported by its first difference, in words, not as two equal counts.
    #[test]
    fn a_final_state_mismatch_names_its_first_difference() {
        let text = "name = \"n\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\nmessages = 2\n[[clients]]\nname = \"a\"\nsteps = [{ op = \"recover-password\", user = \"NET1/PO1/JDOE\" }]\n[[clients]]\nname = \"b\"\nsteps = [{ op = \"deliver\", user = \"NET1/PO1/JDOE\", messages = 1 }]\n";
        let mut report = passing(text);
        for op in &mut report.ran.history.operations {
            if let Some(Answer::Observation(seen)) = &mut op.output {
                seen.msmail[0].client = "open";
            }
        }
        report.judgement = concurrent::judge(&report.case, &report.ran);
        let words = verdict_words(&report.case, &report.ran, &report.judgement, &report.names);
        assert!(words.contains("not the final state (C-LIN (4))"), "{words}");
        assert!(
            words.contains("NET1/PO1/JDOE") && words.contains("open"),
            "{words}"
        );
        assert!(!words.contains("the state with"), "{words}");
    }

    /// A unit whose answer reads the same in short on both sides (an `end` whose 10068
    /// counts differ) is reported with the first event where they differ.
    #[test]
    fn a_difference_inside_an_event_is_shown() {
        let text = MAIL_DURING_THE_RUN;
        let mut report = passing(text);
        for op in &mut report.ran.history.operations {
            if let (
                Call::Unit {
                    unit: Unit::End, ..
                },
                Some(Answer::Unit(r)),
            ) = (&op.input, &mut op.output)
            {
                let last = r.events.last_mut().unwrap();
                last.description = last
                    .description
                    .replace("Accounts: 1", "Accounts: 7")
                    .into();
            }
        }
        report.judgement = concurrent::judge(&report.case, &report.ran);
        let words = verdict_words(&report.case, &report.ran, &report.judgement, &report.names);
        assert!(
            words.contains("where they differ, the first event: the model's event 10068"),
            "{words}"
        );
        assert!(words.contains("Accounts: 7"), "{words}");
    }

    /// The scheduler's budget grows with the units a case may run.
    #[test]
    fn the_budget_grows_with_the_case() {
        let small = case_of(
            &Scenario::parse("s.toml", "name = \"s\"\n[[users]]\naddress = \"N/P/A\"\n[[clients]]\nname = \"a\"\nsteps = [{ op = \"wizard\", version = \"5.5\", phase = \"full\" }]\n[[clients]]\nname = \"b\"\nsteps = [{ op = \"recover-password\", user = \"N/P/A\" }]\n").unwrap(),
            None,
        );
        let mut large = small.clone();
        large.clients[0] = vec![large.clients[0][0].clone(); 9_000];
        let (s, l) = (
            concurrent::schedule_budget(&small),
            concurrent::schedule_budget(&large),
        );
        assert!(s >= 1_000_000 && l > s + 9_000 * 3 * 100, "{s} {l}");
    }
}
