//! migwiz: an executable, property-tested model of the Microsoft Exchange Migration Wizard
//! moving MS Mail users into Exchange Server 5.0 and 5.5, after Knowledge Base article
//! Q242184 ("Exchange Migration Wizard Does Not Work with Event ID 7026").
//!
//! Mailboxes an administrator creates before migration have no MIGRATE proxy address, so the
//! 5.5 wizard cannot find them and logs event 7026; the 5.0 wizard looked mailboxes up by
//! alias and worked, unreliably. The crate has two statements of those rules
//! (`spec/RULES.md`): the small [`model`] and the realistic implementation ([`server`] and
//! the modules it is built from), which the state machine test holds equal.
//!
//! ```
//! use migwiz::operation::{Operation, Phase, Setup, Version};
//! use migwiz::postoffice::MsMailUser;
//! use migwiz::server::Server;
//!
//! let user = MsMailUser { address: "NET1/PO1/JDOE".parse()?, name: None, messages: 3 };
//! let setup = Setup { site: Default::default(), server_language: Default::default(), users: vec![user] };
//! for (version, outcome) in [(Version::V50, "ok"), (Version::V55, "aborted")] {
//!     let mut server = Server::new(&setup)?;
//!     server.apply(&Operation::CreateMailbox { alias: "JDOE".parse()?, name: None });
//!     let step_two = Operation::Wizard { version, phase: Phase::Migrate, users: None };
//!     assert_eq!(server.apply(&step_two).outcome.word(), outcome);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not for: migrating real mail. Nothing here talks to an Exchange server.
#![deny(missing_docs)]

pub mod address;
pub mod check;
pub mod diff;
pub mod directory;
pub mod eventlog;
pub mod explore;
pub mod invariants;
pub mod machine;
pub mod model;
pub mod observe;
pub mod operation;
pub mod postoffice;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod server;
pub mod store;
pub mod wizard;
