//! Replaying a scenario on the implementation, with the reference model alongside.
//!
//! Every replay runs the model next to the implementation; any difference is recorded in
//! [`Replay::disagreements`], and is a bug in migwiz. The reports of a replay (the JSON run
//! report and the transcript) are in [`crate::tools::runs::report`].
//!
//! ```
//! use migwiz::{replay, Outcome, Scenario};
//! let text = "name = \"x\"\n[[users]]\naddress = \"NET1/PO1/JDOE\"\n[[steps]]\nop = \"wizard\"\nversion = \"5.5\"\nphase = \"migrate\"\n";
//! let run = replay(&Scenario::parse("x.toml", text)?, None);
//! assert!(matches!(run.steps[0].result.outcome, Outcome::Aborted { .. }));
//! assert!(run.disagreements.is_empty());
//! assert!(run.transcript().contains("Event ID: 7026"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use crate::harness::properties::{self, unbound_in, Edge, Ledger};
use crate::model::Model;
use crate::server::Server;
use crate::tools::format::scenario::Scenario;
use crate::tools::runs::describe::{cell, describe_step, MOST_IN_CELL};
use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::outcome::StepResult;

/// The largest world the reference model checks in full by default: MS Mail users plus
/// steps. The model is plain loops, quadratic by design; above this, `run` and `diff` skip
/// it unless told otherwise, and say so.
pub const MODEL_CHECK_LIMIT: usize = 2_000;

/// The most users' results a replayed step keeps: as many as its table cell names.
pub const MOST_KEPT: usize = MOST_IN_CELL;

/// The most work the reference model does by default, in MS Mail users times steps: each
/// step's state is compared whole, so checking costs about users x steps (about 5 us
/// each on the 2-core machine `BENCHMARKS.md` names; 1,000 users and 999 steps took
/// 5.4 s). Under this, a check finishes in about 2 s (issue 25, item 6).
pub const MODEL_CHECK_WORK: usize = 200_000;

/// Whether to run the reference model beside the implementation (`--model-check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelCheckPolicy {
    /// In full while the world is small enough to check in about 2 s
    /// ([`MODEL_CHECK_LIMIT`], [`MODEL_CHECK_WORK`]), skipped above it (`auto`).
    #[default]
    Auto,
    /// Always in full, however large the world (`on`; `full` is read the same).
    Full,
    /// Never (`off`).
    Off,
}

impl ModelCheckPolicy {
    /// Whether `scenario` is checked under this policy, or why not.
    pub fn decide(self, scenario: &Scenario) -> ModelCheck {
        let users = scenario.setup.users().len();
        let steps = scenario.steps.len();
        match self {
            ModelCheckPolicy::Full => ModelCheck::Full,
            ModelCheckPolicy::Off => ModelCheck::Skipped("--model-check off".to_string()),
            ModelCheckPolicy::Auto if users + steps > MODEL_CHECK_LIMIT => ModelCheck::Skipped(format!(
                "{users} users and {steps} steps are more than the {MODEL_CHECK_LIMIT} the reference model checks by default; --model-check on forces it"
            )),
            ModelCheckPolicy::Auto if users.saturating_mul(steps) > MODEL_CHECK_WORK => ModelCheck::Skipped(format!(
                "{users} users times {steps} steps is more than the {MODEL_CHECK_WORK} the reference model checks by default (about 2 s); --model-check on forces it"
            )),
            ModelCheckPolicy::Auto => ModelCheck::Full,
        }
    }

    /// Whether checking `scenario` in full takes long enough to show progress for.
    pub fn is_slow(scenario: &Scenario) -> bool {
        let users = scenario.setup.users().len();
        let steps = scenario.steps.len();
        users + steps > MODEL_CHECK_LIMIT || users.saturating_mul(steps) > MODEL_CHECK_WORK
    }
}

/// Whether the reference model ran beside the implementation, as the report says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelCheck {
    /// Every step was checked against the model.
    Full,
    /// Not run, and why.
    Skipped(String),
}

impl ModelCheck {
    /// `full`, or `skipped: …`.
    pub fn word(&self) -> String {
        match self {
            ModelCheck::Full => "full".to_string(),
            ModelCheck::Skipped(why) => format!("skipped: {why}"),
        }
    }
}

/// One replayed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedStep {
    /// Its number in the scenario, counting from 1 in file order.
    pub number: usize,
    /// The step as run (with the version override applied).
    pub op: Operation,
    /// What it came to on the implementation. For a wizard step, `result.users` keeps the
    /// first [`MOST_KEPT`] users' results only ([`ReplayedStep::users_reached`] counts them
    /// all): a replay keeps nothing per step that grows with the post office, so that its
    /// memory does not grow with steps × users (issue 25).
    pub result: StepResult,
    /// How many results of users a wizard step had, before `result.users` was cut (a full
    /// step has two per user: step one's and step two's; 0 for other steps).
    pub users_reached: usize,
    /// What it did, in words, seen right after it.
    pub detail: String,
    /// What it did in a few words, for a table cell ([`cell`]).
    pub cell: String,
    /// Its deliveries into mailboxes not tied to the mail's owner: `(owner, alias)`.
    pub unbound: Vec<(String, String)>,
}

/// A scenario replayed on the implementation, with the model alongside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The scenario's name.
    pub scenario: String,
    /// Its description.
    pub description: Option<String>,
    /// The version every wizard step was forced to, if any.
    pub version: Option<Version>,
    /// The steps.
    pub steps: Vec<ReplayedStep>,
    /// The final state.
    pub observation: Observation,
    /// Whether the reference model ran alongside.
    pub model_check: ModelCheck,
    /// Where the reference model disagreed with the implementation (a bug in migwiz).
    pub disagreements: Vec<String>,
    /// The `always` properties that broke, each with its step, judged on every step
    /// whenever the reference model runs alongside (a bug in migwiz, as in the state
    /// machine test).
    pub broken: Vec<String>,
}

/// Replays `scenario`, replacing every wizard version by `version` when given, with the
/// model checked as [`ModelCheckPolicy::Auto`] says.
pub fn replay(scenario: &Scenario, version: Option<Version>) -> Replay {
    replay_with(scenario, version, ModelCheckPolicy::Auto)
}

/// Replays `scenario` with the model checked as `policy` says. The implementation keeps no
/// copy of the state per step, so memory grows with the world, not with steps × mailboxes.
pub fn replay_with(
    scenario: &Scenario,
    version: Option<Version>,
    policy: ModelCheckPolicy,
) -> Replay {
    replay_watched(scenario, version, policy, &|| ())
}

/// [`replay_with`], calling `step_done` after each step: how `run` and `diff` show
/// progress when the model check is slow.
pub fn replay_watched(
    scenario: &Scenario,
    version: Option<Version>,
    policy: ModelCheckPolicy,
    step_done: &(dyn Fn() + Sync),
) -> Replay {
    let mut replayer = Replayer::new(scenario, version, policy);
    let mut steps = Vec::with_capacity(scenario.steps.len());
    while let Some(step) = replayer.next_step() {
        steps.push(step);
        step_done();
    }
    let mut replay = replayer.finish();
    replay.steps = steps;
    replay
}

/// A replay in progress, one step at a time: what `run` uses to print each step as it is
/// done, and `diff` to keep only a step's cell, so that nothing per step has to be kept
/// (issue 25: memory that does not grow with the steps).
///
/// ```
/// use migwiz::tools::replay::{ModelCheckPolicy, Replayer};
/// use migwiz::Scenario;
/// let text = "name = \"x\"\n[[steps]]\nop = \"create-mailbox\"\nalias = \"JDOE\"\n";
/// let scenario = Scenario::parse("x.toml", text)?;
/// let mut replayer = Replayer::new(&scenario, None, ModelCheckPolicy::Auto);
/// let step = replayer.next_step().expect("one step");
/// assert_eq!(step.op.to_string(), "create-mailbox JDOE");
/// assert!(replayer.next_step().is_none());
/// let replay = replayer.finish();
/// assert!(replay.steps.is_empty() && replay.observation.mailboxes.len() == 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Replayer<'s> {
    scenario: &'s Scenario,
    version: Option<Version>,
    server: Server,
    model: Option<Model>,
    model_check: ModelCheck,
    disagreements: Vec<String>,
    /// With the model: the implementation's state before the next step and the ledger of
    /// the mail, for the properties.
    judged: Option<(Observation, Ledger)>,
    broken: Vec<String>,
    next: usize,
}

impl<'s> Replayer<'s> {
    /// Ready to replay `scenario`, every wizard step as `version` when given, with the
    /// model checked as `policy` says.
    pub fn new(
        scenario: &'s Scenario,
        version: Option<Version>,
        policy: ModelCheckPolicy,
    ) -> Replayer<'s> {
        let model_check = policy.decide(scenario);
        let model = (model_check == ModelCheck::Full).then(|| Model::new(&scenario.setup));
        let server = Server::new(&scenario.setup);
        let judged = model
            .is_some()
            .then(|| (server.observe(), Ledger::new(&scenario.setup)));
        Replayer {
            scenario,
            version,
            server,
            model,
            judged,
            broken: Vec::new(),
            model_check,
            disagreements: Vec::new(),
            next: 0,
        }
    }

    /// Whether the reference model runs alongside.
    pub fn model_check(&self) -> &ModelCheck {
        &self.model_check
    }

    /// Replays the next step, or `None` when every step is done.
    pub fn next_step(&mut self) -> Option<ReplayedStep> {
        let op = self.scenario.steps.get(self.next)?;
        self.next += 1;
        let number = self.next;
        let op = match self.version {
            Some(v) => op.with_version(v),
            None => op.clone(),
        };
        let server = &mut self.server;
        let result = server.apply(&op);
        if let Some(model) = self.model.as_mut() {
            let expected = model.apply(&op);
            if result != expected {
                self.disagreements.push(format!(
                    "step #{number} `{op}`: implementation {result:?}, model {expected:?}"
                ));
            }
            let after = server.observe();
            if after != model.observe() {
                self.disagreements.push(format!(
                    "after step #{number} `{op}`: the states differ (implementation {after:?}, model {:?})",
                    model.observe()
                ));
            }
            if let Some((before, ledger)) = self.judged.as_mut() {
                ledger.record(&op);
                let messages: Vec<(u64, u64, &MsMailAddress)> = server
                    .messages()
                    .map(|m| (m.first, m.count, &m.owner))
                    .collect();
                let edge = Edge {
                    setup: &self.scenario.setup,
                    op: &op,
                    before,
                    result: &result,
                    after: &after,
                    ledger,
                    messages: Some(&messages),
                };
                if let Err(violation) = properties::evaluate(&edge) {
                    self.broken
                        .push(format!("after step #{number} `{op}`: {violation}"));
                }
                *before = after;
            }
        }
        let detail = describe_step(&op, &result, &*server);
        let unbound = unbound_in(&result, |alias| server.mailbox(alias).map(Cow::Owned));
        let cell = cell(&op, &result);
        let mut result = result;
        let users_reached = result.users.len();
        result.users.truncate(MOST_KEPT);
        result.users.shrink_to_fit();
        Some(ReplayedStep {
            number,
            op,
            result,
            users_reached,
            detail,
            cell,
            unbound,
        })
    }

    /// The replay so far, with the final state and the model's disagreements; its
    /// `steps` are empty (they went to whoever called [`Replayer::next_step`]).
    pub fn finish(self) -> Replay {
        Replay {
            scenario: self.scenario.name.clone(),
            description: self.scenario.description.clone(),
            version: self.version,
            steps: Vec::new(),
            observation: self.server.into_observation(),
            model_check: self.model_check,
            disagreements: self.disagreements,
            broken: self.broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::address::Site;
    use crate::vocabulary::language::Language;
    use crate::vocabulary::operation::Phase;
    use crate::vocabulary::setup::{MsMailUser, Setup};

    /// `users` MS Mail users without mail, then `steps` wizard steps.
    fn world(users: usize, steps: usize) -> Scenario {
        let users = (0..users)
            .map(|i| MsMailUser::new(format!("N/P/U{i}").parse().unwrap(), 0))
            .collect();
        Scenario {
            name: "limit".into(),
            description: None,
            setup: Setup::new(Site::default(), Language::English, users).unwrap(),
            steps: vec![Operation::wizard(Version::V55, Phase::Migrate); steps],
            clients: Vec::new(),
            schedule: 0,
        }
    }

    #[test]
    fn the_model_is_checked_by_default_up_to_its_limit_exactly() {
        let at_limit = replay(&world(MODEL_CHECK_LIMIT, 0), None);
        assert_eq!(at_limit.model_check, ModelCheck::Full);
        let past = replay(&world(MODEL_CHECK_LIMIT, 1), None);
        assert!(
            matches!(&past.model_check, ModelCheck::Skipped(why) if why.starts_with("2000 users and 1 steps")),
            "{:?}",
            past.model_check
        );
    }

    /// Issue 25, item 2: a replay keeps no per-user results past the first few, so its
    /// memory does not grow with steps x users (10^4 users x 2,000 steps passed 4 GB).
    #[test]
    fn a_replayed_step_keeps_a_bounded_part_of_its_users() {
        let mut scenario = world(300, 3);
        scenario.steps = vec![Operation::wizard(Version::V55, Phase::Full); 3];
        let replay = replay(&scenario, None);
        for step in &replay.steps {
            assert_eq!(
                step.users_reached, 600,
                "step one and step two for each user"
            );
            assert_eq!(step.result.users.len(), MOST_KEPT);
            assert!(step.detail.len() < 5_000 && step.cell.lines().count() <= MOST_KEPT + 2);
        }
    }

    #[test]
    fn the_model_is_checked_by_default_up_to_its_work_exactly() {
        // 500 users x 400 steps is the work limit; one more step passes it.
        let at = replay(&world(500, 400), None);
        assert_eq!(at.model_check, ModelCheck::Full);
        let past = replay(&world(500, 401), None);
        assert!(
            matches!(&past.model_check, ModelCheck::Skipped(why) if why.starts_with("500 users times 401 steps")),
            "{:?}",
            past.model_check
        );
        let on = replay_with(&world(500, 401), None, ModelCheckPolicy::Full);
        assert_eq!(on.model_check, ModelCheck::Full);
        let off = replay_with(&world(1, 1), None, ModelCheckPolicy::Off);
        assert_eq!(
            off.model_check,
            ModelCheck::Skipped("--model-check off".into())
        );
    }
}
