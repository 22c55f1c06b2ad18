//! Running scenarios and showing what they did: the replay, its transcript and JSON
//! report, the words for each step, the version diff, `mailmig`'s batch runs, and the
//! folders the commands write into.

pub mod describe;
pub mod diff;
pub mod mailmig;
pub mod replay;
pub mod report;
pub mod witnesses;
