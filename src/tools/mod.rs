//! The tools built on the model and the implementation: scenario files, replay and its
//! reports, the version diff, the explorer of version differences, and the bounded
//! exhaustive check. The command line (`src/cli/`) is a thin layer over these.

pub mod check;
pub mod describe;
pub mod diff;
pub mod explore;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod witnesses;
