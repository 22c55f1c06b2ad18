//! The searches over generated and enumerated worlds: the explorer of version differences,
//! the bounded exhaustive check, the race of clients at once, and the fuzz harnesses.

pub mod check;
pub mod explore;
pub mod fuzz;
pub mod race;
