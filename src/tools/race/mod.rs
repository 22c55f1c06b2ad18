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

use crate::harness::concurrent::{self, Answer, Call, Case, Judgement, Mode, Ran};
use crate::server::shared::Fault;
use crate::tools::describe::describe_user;
use crate::tools::replay::{replay, Replay};
use crate::tools::scenario::{Client, Scenario};
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
/// the run.
pub fn run_scenario(
    scenario: &Scenario,
    version: Option<Version>,
    schedule: Option<u64>,
    fault: Option<Fault>,
) -> RaceReport {
    let seed = schedule.unwrap_or(scenario.schedule);
    let case = case_of(scenario, version);
    let ran = concurrent::run(&case, Mode::Deterministic { seed }, fault);
    let judgement = concurrent::judge(&case, &ran);
    let alone = Scenario {
        clients: Vec::new(),
        ..scenario.clone()
    };
    let mut prefix = replay(&alone, version);
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
            format!(
                "verdict: not linearizable: the model explains the {} unit(s) above in that order, and no order of the rest places {} next (C-LIN):\n  the model expected: {}\n  the server returned: {}",
                prefix.len(),
                call_words(call, names),
                answer_words(call, expected, case),
                answer_words(call, returned, case)
            )
        }
        Judgement::Unknown { steps } => format!(
            "verdict: unknown: the checker took {steps} model steps, its budget, before it found an order or proved there is none; this is not a pass"
        ),
        Judgement::Broken(violation) => format!(
            "verdict: linearizable, but on the final state {violation} (C-INV)"
        ),
        Judgement::DidNotEnd(failure) => {
            let mut words = format!("verdict: the run did not end: {failure} (C-DEADLOCK); each client's last call:");
            for (client, call) in ran.last_calls.iter().enumerate() {
                let name = names.get(client).map_or("?", String::as_str);
                let last = call.as_ref().map_or("(none)".to_string(), |c| call_words(c, names));
                let _ = write!(words, "\n  {}: {last}", printable(name));
            }
            words
        }
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
        self.judgement.passed() && self.prefix.disagreements.is_empty()
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
        if !tail.is_empty() {
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
            Judgement::Unknown { .. } => "unknown",
            Judgement::DidNotEnd(_) => "did not end",
            Judgement::Broken(_) => "property broken",
        };
        if let Some(map) = report.as_object_mut() {
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
