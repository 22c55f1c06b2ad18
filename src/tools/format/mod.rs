//! The scenario format (`spec/SCENARIO-FORMAT*.md`): files read into a world and steps,
//! every error at its line and column, and written back.

pub mod scenario;
