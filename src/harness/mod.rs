//! The harness: what generates worlds and step sequences, and what checks them.
//!
//! [`generate`] is the one source of random worlds and steps (the state machine test and
//! `migwiz explore` both use it); [`properties`] is the one list of properties, `always`
//! and `sometimes`, that the state machine test, `migwiz check` and `migwiz explore` all
//! evaluate; [`sut`] is the implementation as the state machine test checks it.

pub mod concurrent;
pub mod difference;
pub mod fingerprint;
pub mod generate;
pub mod linearizability;
pub mod properties;
pub mod reproduce;
pub mod sut;
