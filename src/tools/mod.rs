//! The tools built on the model and the implementation: scenario files, replay and its
//! reports, the version diff, the explorer of version differences, the bounded exhaustive
//! check, and the fuzz harness of scenario files. The command line (`src/cli/`) is a thin
//! layer over these.

pub mod check;
pub mod describe;
pub mod diff;
pub mod explore;
pub mod fuzz;
pub mod mailmig;
pub mod pages;
pub mod race;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod witnesses;
