//! The Windows NT application event log (rule A-LOG), and the entries the wizard writes to
//! it: event 7026 (rule W-7026, Q242184 SYMPTOMS).

use crate::vocabulary::event::Event;

/// Event 7026 exactly as Q242184 SYMPTOMS quotes it (W-7026).
///
/// ```
/// let e = migwiz::server::eventlog::mapi_logon_failure();
/// assert_eq!((e.id, e.kind.as_str()), (7026, "Error"));
/// assert_eq!(e.description, "Migration Aborted due to Mapi logon failure.");
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
