//! The tools built on the model and the implementation, in rooms by purpose:
//!
//! | room | what |
//! |---|---|
//! | [`format`](mod@format) | scenario files: read, checked, written back |
//! | [`runs`] | replay and its reports, the words for a step, the version diff, `mailmig`, output folders |
//! | [`search`] | explore, check, race, fuzz |
//! | [`pages`] | the HTML pages and the check's graph |
//!
//! The command line (`src/cli/`) is a thin layer over these. Each module is also named at
//! its old place (`tools::scenario`, `tools::replay`, …), so paths written before the rooms
//! still read.

pub mod format;
pub mod pages;
pub mod runs;
pub mod search;

pub use format::scenario;
pub use runs::{describe, diff, mailmig, replay, report, witnesses};
pub use search::{check, explore, fuzz, race};
