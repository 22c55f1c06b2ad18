//! The languages a client or the server can speak (A-LANG): only their names.
//!
//! Which folder names each language gives a mailbox is a rule (A-LANG, A-STORE), so it is
//! not here: the information store carries it and the model states it again.

use std::fmt;
use std::str::FromStr;

/// A client or server language (A-LANG), read in any case.
///
/// ```
/// use migwiz::Language;
/// assert_eq!(Language::Spanish.as_str(), "spanish");
/// assert_eq!("Spanish".parse::<Language>(), Ok(Language::Spanish));
/// assert_eq!(Language::ALL.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Language {
    /// English. The default server language.
    #[default]
    English,
    /// Spanish, as in Q242184's Mexico example.
    Spanish,
    /// French.
    French,
    /// German.
    German,
}

keywords!(Language, UnknownLanguage, "language", English => "english", Spanish => "spanish", French => "french", German => "german");
