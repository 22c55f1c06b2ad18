//! Replaying a scenario on the implementation, with the reference model alongside.
//!
//! Every replay runs the model next to the implementation; any difference is recorded in
//! [`Replay::disagreements`], and is a bug in migwiz. The reports of a replay (the JSON run
//! report and the transcript) are in [`crate::tools::report`].
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

use crate::model::Model;
use crate::server::Server;
use crate::tools::scenario::Scenario;
use crate::vocabulary::observation::Observation;
use crate::vocabulary::operation::{Operation, Version};
use crate::vocabulary::outcome::StepResult;

/// One replayed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedStep {
    /// Its number in the scenario, counting from 1 in file order.
    pub number: usize,
    /// The step as run (with the version override applied).
    pub op: Operation,
    /// What it came to on the implementation.
    pub result: StepResult,
    /// The observable state right after the step.
    pub after: Observation,
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
    /// Where the reference model disagreed with the implementation (a bug in migwiz).
    pub disagreements: Vec<String>,
}

/// Replays `scenario`, replacing every wizard version by `version` when given.
pub fn replay(scenario: &Scenario, version: Option<Version>) -> Replay {
    let mut server = Server::new(&scenario.setup);
    let mut model = Model::new(&scenario.setup);
    let mut steps = Vec::new();
    let mut disagreements = Vec::new();
    for (number, op) in (1..).zip(&scenario.steps) {
        let op = match version {
            Some(v) => op.with_version(v),
            None => op.clone(),
        };
        let result = server.apply(&op);
        let expected = model.apply(&op);
        let after = server.observe();
        if result != expected {
            disagreements.push(format!(
                "step #{number} `{op}`: implementation {result:?}, model {expected:?}"
            ));
        }
        if after != model.observe() {
            disagreements.push(format!(
                "after step #{number} `{op}`: the states differ (implementation {after:?}, model {:?})",
                model.observe()
            ));
        }
        steps.push(ReplayedStep {
            number,
            op,
            result,
            after,
        });
    }
    Replay {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        version,
        steps,
        observation: server.observe(),
        disagreements,
    }
}
