//! migwiz: an executable, property-tested model of the Microsoft Exchange Migration Wizard
//! moving MS Mail users into Exchange Server 5.0 and 5.5, after Knowledge Base article
//! Q242184 ("Exchange Migration Wizard Does Not Work with Event ID 7026").
//!
//! Mailboxes an administrator creates before migration have no MIGRATE proxy address, so the
//! 5.5 wizard cannot find them and logs event 7026; the 5.0 wizard looked mailboxes up by
//! alias and worked, unreliably. The crate states those rules (`spec/RULES.md`, and the
//! articles around them in parts 2 to 4: other events, clients at once, `mailmig.exe` with
//! its control file and CSV user list) twice: the small reference [`model`] and the
//! realistic [`server`], which share only the [`vocabulary`] and which the state machine test
//! holds equal. `migwiz diff scenarios/` replays the KB scenarios under 5.0, 5.5 and 5.5 SP1
//! side by side; `cargo test` runs the tests. The README is the short tour; `docs/guide.md`
//! has each command, `docs/testing.md` the tests, and `docs/modelling-choices.md` what was
//! chosen where the articles are silent.
//!
//! The layers, each a folder, data flowing one way (scenario → operations → model and
//! implementation → observation → report):
//!
//! | layer | what |
//! |---|---|
//! | [`vocabulary`] | typed addresses, languages, rule ids, operations, outcomes, events, the setup, the observation |
//! | [`server`] | the implementation: directory, information store, post office, event log, wizard |
//! | [`model`] | the reference model, importing only the vocabulary |
//! | [`harness`] | the generators and the one list of properties |
//! | [`tools`] | scenario files, replay and reports, the version diff, explore, check, race, `mailmig`, pages |
//!
//! ```
//! use migwiz::{Model, MsMailUser, Operation, Outcome, Phase, Server, Setup, Version};
//!
//! let user = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
//! let setup = Setup::new(Default::default(), Default::default(), vec![user])?;
//! for (version, aborted) in [(Version::V50, false), (Version::V55, true)] {
//!     let mut server = Server::new(&setup);
//!     let mut model = Model::new(&setup);
//!     let create = Operation::create_mailbox("JDOE".parse()?);
//!     let step_two = Operation::wizard(version, Phase::Migrate);
//!     for op in [create, step_two] {
//!         let result = server.apply(&op);
//!         assert_eq!(result, model.apply(&op));
//!         if let Operation::Wizard(_) = op {
//!             assert_eq!(matches!(result.outcome, Outcome::Aborted { .. }), aborted);
//!         }
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not for: migrating real mail. Nothing here talks to an Exchange server.
#![deny(missing_docs)]

pub mod harness;
pub mod model;
pub mod server;
pub mod tools;
pub mod vocabulary;

pub use model::Model;
pub use server::Server;
pub use tools::diff::VersionDiff;
pub use tools::replay::{replay, Replay};
pub use tools::scenario::{Scenario, ScenarioError};
pub use vocabulary::address::{Alias, MsMailAddress, ProxyAddress, Site};
pub use vocabulary::container::Container;
pub use vocabulary::event::Event;
pub use vocabulary::language::Language;
pub use vocabulary::observation::Observation;
pub use vocabulary::operation::{Chosen, Operation, Phase, Version, WizardRun};
pub use vocabulary::outcome::{Outcome, Refusal, StepResult, UserResult};
pub use vocabulary::rules::RuleId;
pub use vocabulary::setup::{MsMailUser, Setup, SetupError};
