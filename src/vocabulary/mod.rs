//! The vocabulary: the words the reference model and the implementation share, and nothing
//! that decides a rule.
//!
//! Typed addresses (A-MS, A-ALIAS, A-PROXY), languages, rule ids, the operations a scenario
//! asks for, what a step can come to, event log entries, the world before the first step,
//! and what can be observed of a world afterwards. Everything that decides what happens is
//! written twice, once in [`crate::model`] and once in [`crate::server`], so that a bug in
//! one of them shows as a difference.

/// For a closed set of scenario-file words: `ALL`, `as_str`, `Display`, an error for an
/// unknown word, and `FromStr` in any case (the one case rule of every keyword).
macro_rules! keywords {
    ($ty:ident, $unknown:ident, $what:literal, $($variant:ident => $word:literal),*) => {
        impl $ty {
            /// Every value, in the order the scenario format lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The scenario-file word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $word,)*
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[doc = concat!("A word that is not a ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown {} {}; use one of {}", $what, crate::vocabulary::shown(.0), [$($word),*].join(", "))]
        pub struct $unknown(pub String);

        /// Any case, as for every keyword of a scenario file.
        impl FromStr for $ty {
            type Err = $unknown;
            fn from_str(s: &str) -> Result<$ty, $unknown> {
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $unknown(s.to_string()))
            }
        }
    };
}

pub mod address;
pub mod container;
pub mod event;
pub mod files;
pub mod language;
pub mod observation;
pub mod operation;
pub mod outcome;
pub mod planted;
pub mod rules;
pub mod setup;
pub mod unit;

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
    let count = value.chars().count();
    if count <= MOST {
        return format!("{value:?}");
    }
    let cut: String = value.chars().take(MOST).collect();
    let quoted = format!("{cut:?}");
    format!("{}…\" ({count} characters)", &quoted[..quoted.len() - 1])
}

/// The most characters of a value from a file that a message repeats ([`shown`], [`cut`]).
const MOST: usize = 60;

/// `text` for a message, unquoted: whole up to 60 characters, else its start and its
/// length (a key of 10^6 characters is not echoed whole).
///
/// ```
/// use migwiz::vocabulary::cut;
/// assert_eq!(cut("JDOE"), "JDOE");
/// assert_eq!(cut(&"k".repeat(100)), format!("{}… (100 characters)", "k".repeat(60)));
/// ```
pub fn cut(text: &str) -> String {
    let count = text.chars().count();
    match count <= MOST {
        true => text.to_string(),
        false => format!(
            "{}… ({count} characters)",
            text.chars().take(MOST).collect::<String>()
        ),
    }
}

/// Text from a file made safe for a terminal: control characters (newlines, escape
/// sequences, …) and the Unicode marks that reorder text (U+202E and its kin) are written
/// as escapes, so a scenario's name cannot move the cursor, clear
/// the screen or forge a line of output. Everything else is kept as it is.
///
/// ```
/// use migwiz::vocabulary::printable;
/// assert_eq!(printable("Q242184 symptoms"), "Q242184 symptoms");
/// assert_eq!(printable("a\n== forged\u{1b}[2J"), "a\\n== forged\\u{1b}[2J");
/// assert_eq!(printable("Elementos eliminados é"), "Elementos eliminados é");
/// // A right-to-left override would show the rest of the line backwards.
/// assert_eq!(printable("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
/// ```
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible marks that change the direction text is shown in (Unicode's bidirectional
/// controls): printed raw, they make a terminal show the rest of a line backwards.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
