//! The vocabulary: the words the reference model and the implementation share, and nothing
//! that decides a rule.
//!
//! Typed addresses (A-MS, A-ALIAS, A-PROXY), languages, rule ids, the operations a scenario
//! asks for, what a step can come to, event log entries, the world before the first step,
//! and what can be observed of a world afterwards. Everything that decides what happens is
//! written twice, once in [`crate::model`] and once in [`crate::server`], so that a bug in
//! one of them shows as a difference.

pub mod address;
pub mod event;
pub mod language;
pub mod observation;
pub mod operation;
pub mod outcome;
pub mod rules;
pub mod setup;
