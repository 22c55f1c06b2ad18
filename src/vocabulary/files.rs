//! The administrator's files (RULES-PART4.md F-FILES, F-CSV, F-DATE): Windows paths, text
//! split into lines, CSV split into fields and written back, and the dates of MS Mail
//! messages.
//!
//! Parsing only: what a batch run makes of a line or a field (which keyword, whether a
//! value is allowed, whether a file is a user list) is decided in each half.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// The user list file's columns, in A-LIST's order (Q150438; the last, Q182665's, only in
/// 5.5 and SP1 lists).
pub const USER_LIST_COLUMNS: [&str; 9] = [
    "SFS_UserName",
    "SFS_FullName",
    "MigrateUser",
    "Obj-Class",
    "Mode",
    "Common-Name",
    "Display-Name",
    "Home-Server",
    "Secondary-Proxy-Addresses",
];

/// The longest path read: Windows' `MAX_PATH`.
pub const MAX_PATH: usize = 260;

/// A file named by a Windows path (F-FILES): kept as written, compared without case, with
/// `/` read as `\`.
///
/// ```
/// use migwiz::vocabulary::files::WinPath;
/// let a: WinPath = r"C:\Migrate\po1.txt".parse()?;
/// let b: WinPath = "c:/MIGRATE/PO1.TXT".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(b.as_str(), "c:/MIGRATE/PO1.TXT");
/// assert_eq!(a.folder(), r"C:\Migrate");
/// assert_eq!(a.file_name(), "po1.txt");
/// assert!("".parse::<WinPath>().is_err());
/// # Ok::<(), migwiz::vocabulary::files::BadPath>(())
/// ```
#[derive(Clone)]
pub struct WinPath {
    written: String,
    key: String,
}

/// A text that cannot be a Windows path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPath {
    /// Nothing, or only spaces.
    #[error("the path is empty")]
    Empty,
    /// Longer than `MAX_PATH`.
    #[error("the path {} has {} characters, more than the {} Windows allows", crate::vocabulary::shown(.0), .1, MAX_PATH)]
    TooLong(String, usize),
    /// A character no Windows path holds.
    #[error("the path {} holds {}, which no Windows path can", crate::vocabulary::shown(.0), .1)]
    Character(String, String),
}

impl WinPath {
    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// The key it is compared by: upper case, every `/` a `\`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The folder part as written, without the last `\` (empty for a bare file name).
    pub fn folder(&self) -> &str {
        match self.written.rfind(['\\', '/']) {
            Some(at) => &self.written[..at],
            None => "",
        }
    }

    /// The last part, as written.
    pub fn file_name(&self) -> &str {
        match self.written.rfind(['\\', '/']) {
            Some(at) => &self.written[at + 1..],
            None => &self.written,
        }
    }

    /// `name` in this path's folder (a control file names its other files this way when
    /// they are not in the world, SCENARIO-FORMAT-4.md).
    pub fn sibling(&self, name: &str) -> Result<WinPath, BadPath> {
        match self.folder() {
            "" => name.parse(),
            folder => format!("{folder}\\{name}").parse(),
        }
    }
}

impl FromStr for WinPath {
    type Err = BadPath;
    fn from_str(s: &str) -> Result<WinPath, BadPath> {
        let written = s.trim();
        if written.is_empty() {
            return Err(BadPath::Empty);
        }
        let count = written.chars().count();
        if count > MAX_PATH {
            return Err(BadPath::TooLong(written.to_string(), count));
        }
        if let Some(c) = written
            .chars()
            .find(|&c| c.is_control() || matches!(c, '<' | '>' | '"' | '|' | '?' | '*'))
        {
            return Err(BadPath::Character(
                written.to_string(),
                c.escape_unicode().to_string(),
            ));
        }
        Ok(WinPath {
            written: written.to_string(),
            key: written.to_uppercase().replace('/', "\\"),
        })
    }
}

impl PartialEq for WinPath {
    fn eq(&self, other: &WinPath) -> bool {
        self.key == other.key
    }
}

impl Eq for WinPath {}

impl Hash for WinPath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for WinPath {
    fn partial_cmp(&self, other: &WinPath) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for WinPath {
    fn cmp(&self, other: &WinPath) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for WinPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl fmt::Debug for WinPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.written)
    }
}

/// The lines of a file's text (F-FILES): each ends at CR LF or at a bare LF, which is
/// not part of it; a last line without an end counts, an empty end does not.
///
/// ```
/// use migwiz::vocabulary::files::lines;
/// assert_eq!(lines("Mode,MSMAILPC\r\nFunction,FULL\nlast"), ["Mode,MSMAILPC", "Function,FULL", "last"]);
/// assert_eq!(lines("a\r\n"), ["a"]);
/// assert_eq!(lines("a\rb"), ["a\rb"], "a lone CR ends nothing");
/// ```
pub fn lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.is_empty() || text.ends_with('\n') {
        out.pop();
    }
    out
}

/// A CSV line whose quote is never closed: where it opened, 1-based in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnclosedQuote {
    /// The column of the opening quote.
    pub column: usize,
}

/// One CSV line split into fields (F-CSV): commas separate; a field that starts with a
/// double quote runs to the closing one, `""` inside it standing for one quote.
///
/// ```
/// use migwiz::vocabulary::files::split_csv;
/// assert_eq!(split_csv("JDOE,\"Doe, Jane\",Y").unwrap(), ["JDOE", "Doe, Jane", "Y"]);
/// assert_eq!(split_csv("a,\"say \"\"hi\"\"\",").unwrap(), ["a", "say \"hi\"", ""]);
/// assert_eq!(split_csv("a,\"open").unwrap_err().column, 3);
/// ```
pub fn split_csv(line: &str) -> Result<Vec<String>, UnclosedQuote> {
    let fields = split_csv_at(line)?;
    Ok(fields.into_iter().map(|(_, f)| f).collect())
}

/// [`split_csv`], with the 1-based column (in characters) where each field starts.
///
/// ```
/// use migwiz::vocabulary::files::split_csv_at;
/// let fields = split_csv_at("JDOE,\"Doe, Jane\",Y").unwrap();
/// assert_eq!(fields[2], (18, "Y".to_string()));
/// ```
pub fn split_csv_at(line: &str) -> Result<Vec<(usize, String)>, UnclosedQuote> {
    if !line.contains('"') {
        // Most lines quote nothing: each field is a slice between commas, copied once
        // (a character at a time, this was a twentieth of the state machine test).
        // The comma found byte by byte: fields are short, and `split(',')`'s search cost
        // 140 instructions a field to set up.
        let mut fields = Vec::new();
        let (mut start, mut rest) = (1, line);
        loop {
            let end = rest.bytes().position(|b| b == b',').unwrap_or(rest.len());
            let piece = &rest[..end];
            fields.push((start, piece.to_string()));
            start += piece.chars().count() + 1;
            match rest.get(end + 1..) {
                Some(more) => rest = more,
                None => return Ok(fields),
            }
        }
    }
    split_quoted(line)
}

/// [`split_csv_at`] a character at a time, for a line that may quote.
fn split_quoted(line: &str) -> Result<Vec<(usize, String)>, UnclosedQuote> {
    let mut fields = Vec::new();
    let mut start = 1;
    let mut field = String::new();
    let mut chars = line.chars().enumerate().peekable();
    let mut at_start = true;
    while let Some((i, c)) = chars.next() {
        if at_start && c == '"' {
            // A quoted field: to the closing quote, then to the next comma.
            loop {
                match chars.next() {
                    None => return Err(UnclosedQuote { column: i + 1 }),
                    Some((_, '"')) if chars.peek().map(|p| p.1) == Some('"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, other)) => field.push(other),
                }
            }
            at_start = false;
            continue;
        }
        if c == ',' {
            fields.push((start, std::mem::take(&mut field)));
            start = i + 2;
            at_start = true;
            continue;
        }
        field.push(c);
        at_start = false;
    }
    fields.push((start, field));
    Ok(fields)
}

/// One field as F-CSV writes it: in double quotes, inner quotes doubled, when it holds a
/// comma, a quote, a line end, or a leading or trailing space.
///
/// ```
/// use migwiz::vocabulary::files::csv_field;
/// assert_eq!(csv_field("JDOE"), "JDOE");
/// assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
/// assert_eq!(csv_field(" x"), "\" x\"");
/// assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
/// ```
pub fn csv_field(value: &str) -> String {
    let mut field = String::with_capacity(value.len());
    push_csv_field(&mut field, value);
    field
}

/// [`csv_field`], written at the end of `out`.
fn push_csv_field(out: &mut String, value: &str) {
    let quoted =
        value.contains([',', '"', '\r', '\n']) || value.starts_with(' ') || value.ends_with(' ');
    if quoted {
        out.push('"');
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// A CSV line of `fields`, without its line end, written into one text (a text per field
/// joined after was a fiftieth of the state machine test).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_csv_field(&mut line, f.as_ref());
    }
    line
}

/// The date of an MS Mail message (F-DATE): `YYYYMMDDHHMMSS`, a real date and time.
///
/// ```
/// use migwiz::vocabulary::files::MailDate;
/// let d: MailDate = "19990105120000".parse()?;
/// assert_eq!(d.to_string(), "19990105120000");
/// assert!("19990230000000".parse::<MailDate>().is_err(), "no 30 February");
/// assert!("20000229000000".parse::<MailDate>().is_ok(), "2000 is a leap year");
/// assert!("1999010512000".parse::<MailDate>().is_err(), "13 digits");
/// # Ok::<(), migwiz::vocabulary::files::BadDate>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailDate(u64);

/// A text that is not a `YYYYMMDDHHMMSS` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a date: write 14 digits, YYYYMMDDHHMMSS, naming a real date and time (e.g. \"19990105120000\")", crate::vocabulary::shown(.0))]
pub struct BadDate(pub String);

impl MailDate {
    /// The 14 digits as one number.
    pub fn number(self) -> u64 {
        self.0
    }
}

impl FromStr for MailDate {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<MailDate, BadDate> {
        let bad = || BadDate(s.to_string());
        if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let part = |from: usize, to: usize| s[from..to].parse::<u32>().unwrap_or(u32::MAX);
        let (year, month, day) = (part(0, 4), part(4, 6), part(6, 8));
        let (hour, minute, second) = (part(8, 10), part(10, 12), part(12, 14));
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if year == 0 || day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
            return Err(bad());
        }
        s.parse().map(MailDate).map_err(|_| bad())
    }
}

impl fmt::Display for MailDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:014}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A line without quotes is split by slices as a character at a time would:
        /// the same fields at the same columns (non-ASCII and empty fields included).
        #[test]
        fn the_fast_split_is_the_slow_one(line in "[a-zA-Z0-9 ,éü;\\t-]{0,40}") {
            prop_assert_eq!(split_csv_at(&line), split_quoted(&line));
        }

        /// A field is quoted, its quotes doubled, exactly when F-CSV says; and what is
        /// written reads back as the same field.
        #[test]
        fn a_written_field_reads_back(value in "[a-zA-Z ,\"é]{0,12}") {
            let quoted = value.contains([',', '"']) || value.starts_with(' ') || value.ends_with(' ');
            let expected = match quoted {
                true => format!("\"{}\"", value.replace('"', "\"\"")),
                false => value.clone(),
            };
            prop_assert_eq!(csv_field(&value), expected);
            let line = csv_line(&[value.as_str(), "x"]);
            let read = split_csv_at(&line).unwrap();
            prop_assert_eq!(&read[0].1, &value);
        }
    }
}
