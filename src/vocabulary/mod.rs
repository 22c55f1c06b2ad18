//! The vocabulary: the words the reference model and the implementation share, and nothing
//! that decides a rule.
//!
//! Typed addresses (A-MS, A-ALIAS, A-PROXY), languages, rule ids, the operations a scenario
//! asks for, what a step can come to, event log entries, the world before the first step,
//! and what can be observed of a world afterwards. Everything that decides what happens is
//! written twice, once in [`crate::model`] and once in [`crate::server`], so that a bug in
//! one of them shows as a difference.

pub mod address;
pub mod container;
pub mod event;
pub mod language;
pub mod observation;
pub mod operation;
pub mod outcome;
pub mod rules;
pub mod setup;

/// A value as an error message echoes it: quoted, control characters escaped, and cut to
/// about 60 characters, so that a long or hostile value cannot bury the message.
///
/// ```
/// use migwiz::vocabulary::shown;
/// assert_eq!(shown("JDOE"), "\"JDOE\"");
/// assert_eq!(shown(&"A".repeat(100)), format!("\"{}…\" (100 characters)", "A".repeat(60)));
/// assert_eq!(shown("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
/// ```
pub fn shown(value: &str) -> String {
    const MOST: usize = 60;
    let count = value.chars().count();
    if count <= MOST {
        return format!("{value:?}");
    }
    let cut: String = value.chars().take(MOST).collect();
    let quoted = format!("{cut:?}");
    format!("{}…\" ({count} characters)", &quoted[..quoted.len() - 1])
}
