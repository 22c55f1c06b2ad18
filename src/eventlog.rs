//! The Windows NT application event log (rule A-LOG), and the one entry the wizard writes
//! here: event 7026 (rule W-7026, Q242184 SYMPTOMS).

use std::fmt;

use serde::Serialize;

/// One entry of the application event log, with the fields Event Viewer shows (A-LOG).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// Event ID, e.g. 7026.
    pub id: u32,
    /// Source, e.g. `MSExchangeMig`.
    pub source: String,
    /// Type: `Error`, `Warning` or `Information`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Category; `None` for the wizard's events.
    pub category: String,
    /// Description text.
    pub description: String,
}

impl Event {
    /// Event 7026 exactly as Q242184 SYMPTOMS quotes it (W-7026).
    ///
    /// ```
    /// let e = migwiz::eventlog::Event::mapi_logon_failure();
    /// assert_eq!(e.to_string(), "Event ID: 7026\nSource: MSExchangeMig\nType: Error\nCategory: None\nDescription: Migration Aborted due to Mapi logon failure.\n");
    /// ```
    pub fn mapi_logon_failure() -> Event {
        Event {
            id: 7026,
            source: "MSExchangeMig".to_string(),
            kind: "Error".to_string(),
            category: "None".to_string(),
            description: "Migration Aborted due to Mapi logon failure.".to_string(),
        }
    }
}

/// Renders the entry the way Event Viewer prints one and the article quotes it (A-LOG).
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Event ID: {}", self.id)?;
        writeln!(f, "Source: {}", self.source)?;
        writeln!(f, "Type: {}", self.kind)?;
        writeln!(f, "Category: {}", self.category)?;
        writeln!(f, "Description: {}", self.description)
    }
}

/// The application event log: entries in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventLog {
    entries: Vec<Event>,
}

impl EventLog {
    /// Appends an entry.
    pub fn write(&mut self, event: Event) {
        self.entries.push(event);
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[Event] {
        &self.entries
    }
}
