//! An entry of the Windows NT application event log (A-LOG), as plain data.
//!
//! Which entries the wizard writes, and their texts (W-7026), are rules: the server's event
//! log carries them and the model states them again.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// One entry of the application event log, with the fields Event Viewer shows (A-LOG).
///
/// Source, type and category come from a fixed list, so they are static; the description is
/// shared, not copied: a log is cloned with every state the checker visits, and copying an
/// entry must not allocate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// Event ID, e.g. 7026.
    pub id: u32,
    /// Source, e.g. `MSExchangeMig`.
    pub source: &'static str,
    /// Type: `Error`, `Warning` or `Information`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Category; `None` for the wizard's events.
    pub category: &'static str,
    /// Description text.
    pub description: Arc<str>,
}

/// Renders the entry the way Event Viewer prints one and the article quotes it (A-LOG).
///
/// ```
/// let e = migwiz::Event {
///     id: 7026,
///     source: "MSExchangeMig",
///     kind: "Error",
///     category: "None",
///     description: "Migration Aborted due to Mapi logon failure.".into(),
/// };
/// assert_eq!(&*e.description, "Migration Aborted due to Mapi logon failure.");
/// assert_eq!(e.to_string(), "Event ID: 7026\nSource: MSExchangeMig\nType: Error\nCategory: None\nDescription: Migration Aborted due to Mapi logon failure.\n");
/// ```
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Event ID: {}", self.id)?;
        writeln!(f, "Source: {}", self.source)?;
        writeln!(f, "Type: {}", self.kind)?;
        writeln!(f, "Category: {}", self.category)?;
        writeln!(f, "Description: {}", self.description)
    }
}
