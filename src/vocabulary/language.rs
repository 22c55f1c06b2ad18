//! The languages a client or the server can speak (A-LANG): only their names.
//!
//! Which folder names each language gives a mailbox is a rule (A-LANG, A-STORE), so it is
//! not here: the information store carries it and the model states it again.

use std::fmt;
use std::str::FromStr;

/// A client or server language (A-LANG).
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

impl Language {
    /// Every language the model knows, English first.
    pub const ALL: [Language; 4] = [
        Language::English,
        Language::Spanish,
        Language::French,
        Language::German,
    ];

    /// The scenario-file word for the language.
    ///
    /// ```
    /// use migwiz::Language;
    /// assert_eq!(Language::Spanish.as_str(), "spanish");
    /// assert_eq!("Spanish".parse::<Language>(), Ok(Language::Spanish));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "english",
            Language::Spanish => "spanish",
            Language::French => "french",
            Language::German => "german",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language word that is not one of [`Language::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {}; use one of english, spanish, french, german", crate::vocabulary::shown(.0))]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Language, UnknownLanguage> {
        Language::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}
