//! Addresses: MS Mail addresses (A-MS), aliases (A-ALIAS), proxy addresses (A-PROXY)
//! and the names of the site that new mailboxes' addresses are built from.
//!
//! Every type here is validated when it is built, so a value that exists is a valid one.
//! Comparison keys fold case, because the rules say case is not significant. How a site's
//! names become a mailbox's addresses (A-SITE) is a rule, so it is not here: the server
//! carries it (`server::site`) and the model states it again.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::vocabulary::shown;

/// What is wrong with an address, alias or site name, and how to write it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// An MS Mail address without exactly three parts.
    #[error("MS Mail address {} has {parts} part(s); A-MS wants NETWORK/POSTOFFICE/MAILBOX, for example NET1/PO1/JDOE", shown(.input))]
    MsMailParts {
        /// The text as given.
        input: String,
        /// How many `/`-separated parts it has.
        parts: usize,
    },
    /// One part of an MS Mail address breaks A-MS.
    #[error("MS Mail address {}: the {part} part {} {problem}; A-MS wants 1 to 10 letters or digits in each part", shown(.input), shown(.value))]
    MsMailPart {
        /// The text as given.
        input: String,
        /// Which part: network, post office or mailbox.
        part: &'static str,
        /// The offending part.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An alias that breaks A-ALIAS.
    #[error("alias {} {problem}; A-ALIAS wants 1 to 64 letters, digits, '-', '_' or '.'", shown(.input))]
    Alias {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A proxy address that breaks A-PROXY.
    #[error("proxy address {} {problem}; A-PROXY wants TYPE:value, e.g. migrate:MS:NET1/PO1/JDOE (upper-case type = primary, lower-case = secondary)", shown(.input))]
    Proxy {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A custom recipient address that is not `MS:NETWORK/POSTOFFICE/MAILBOX`.
    #[error("custom recipient address {} {problem}; A-CR wants MS:NETWORK/POSTOFFICE/MAILBOX, e.g. MS:NET1/PO1/JDOE", shown(.input))]
    CustomRecipient {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A site setting that cannot build addresses.
    #[error("site {field} {} {problem}", shown(.input))]
    Site {
        /// Which setting.
        field: &'static str,
        /// The text as given.
        input: String,
        /// What is wrong with it and what is wanted.
        problem: String,
    },
}

fn describe_part_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("is empty".to_string());
    }
    if let Some(c) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Some(format!("contains {c:?}, which is not a letter or digit"));
    }
    if value.len() > 10 {
        return Some(format!("is {} characters long, more than 10", value.len()));
    }
    None
}

/// An MS Mail address `NETWORK/POSTOFFICE/MAILBOX` (rule A-MS).
///
/// Each part is 1 to 10 letters or digits. Case is not significant, so the parts are kept
/// in upper case, as MS Mail shows them.
///
/// ```
/// use migwiz::MsMailAddress;
/// let a: MsMailAddress = "net1/po1/jdoe".parse().unwrap();
/// assert_eq!(a.to_string(), "NET1/PO1/JDOE");
/// assert_eq!(a.mailbox(), "JDOE");
/// assert!("NET1/PO1".parse::<MsMailAddress>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MsMailAddress {
    // Three parts of at most 10 ASCII letters or digits and two slashes fit in 32 bytes:
    // kept inline, an address is copied, never allocated (a post office has 10^5 of them).
    text: [u8; MS_MAIL_ADDRESS_MAX],
    len: u8,
    /// Where the post office part starts.
    postoffice_at: u8,
    /// Where the mailbox part starts.
    mailbox_at: u8,
}

/// The longest MS Mail address: three parts of 10 characters and two slashes.
const MS_MAIL_ADDRESS_MAX: usize = 32;

impl MsMailAddress {
    /// The whole address, `NETWORK/POSTOFFICE/MAILBOX`.
    pub fn as_str(&self) -> &str {
        let bytes = &self.text[..usize::from(self.len)];
        // SAFETY: `from_str`, the only writer of `text`, copies a whole `&str` into
        // `text[..len]` and upper-cases its ASCII letters, which keeps it UTF-8 (and it
        // holds only ASCII letters, digits and slashes). Checked again on every call, this
        // was 3 % of the state machine test (issue 37).
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
    /// The network part.
    pub fn network(&self) -> &str {
        &self.as_str()[..usize::from(self.postoffice_at) - 1]
    }
    /// The post office part: the PO that event 7034 names, and ADMIN's mailbox is named
    /// after (W-7034, A-ADMIN).
    pub fn postoffice(&self) -> &str {
        &self.as_str()[usize::from(self.postoffice_at)..usize::from(self.mailbox_at) - 1]
    }
    /// The mailbox part: the name the 5.0 wizard uses as the alias (W-1-50, W-2-50).
    pub fn mailbox(&self) -> &str {
        &self.as_str()[usize::from(self.mailbox_at)..]
    }
}

/// Ordered as the text is: part by part, since `/` sorts before every letter and digit.
impl Ord for MsMailAddress {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Byte by byte, as `str` orders, without reading the bytes back as text first.
        self.text[..usize::from(self.len)].cmp(&other.text[..usize::from(other.len)])
    }
}

impl PartialOrd for MsMailAddress {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for MsMailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsMailAddress")
            .field("network", &self.network())
            .field("postoffice", &self.postoffice())
            .field("mailbox", &self.mailbox())
            .finish()
    }
}

impl FromStr for MsMailAddress {
    type Err = AddressError;
    fn from_str(input: &str) -> Result<Self, AddressError> {
        let parts: Vec<&str> = input.split('/').collect();
        if parts.len() != 3 {
            return Err(AddressError::MsMailParts {
                input: input.to_string(),
                parts: parts.len(),
            });
        }
        for (part, value) in ["network", "post office", "mailbox"].iter().zip(&parts) {
            if let Some(problem) = describe_part_problem(value) {
                return Err(AddressError::MsMailPart {
                    input: input.to_string(),
                    part,
                    value: value.to_string(),
                    problem,
                });
            }
        }
        // Checked above: 3 parts of 1 to 10 ASCII letters or digits.
        let mut text = [0u8; MS_MAIL_ADDRESS_MAX];
        text[..input.len()].copy_from_slice(input.as_bytes());
        text.make_ascii_uppercase();
        let postoffice_at = parts[0].len() + 1;
        Ok(MsMailAddress {
            text,
            len: input.len() as u8,
            postoffice_at: postoffice_at as u8,
            mailbox_at: (postoffice_at + parts[1].len() + 1) as u8,
        })
    }
}

impl fmt::Display for MsMailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A directory alias (rule A-ALIAS): 1 to 64 letters, digits, `-`, `_` or `.`.
///
/// It keeps the case it was written with; that aliases are unique without regard to case
/// (A-ALIAS) each half decides for itself.
///
/// ```
/// use migwiz::Alias;
/// let a = Alias::new("JDoe-MS").unwrap();
/// assert_eq!(a.as_str(), "JDoe-MS");
/// assert!(Alias::new("J Doe").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Alias(Arc<str>); // shared: copied into every state the checker visits

impl Alias {
    /// Validates `input` against A-ALIAS.
    pub fn new(input: &str) -> Result<Alias, AddressError> {
        // Characters first: a long alias of letters outside A-ALIAS is wrong for its
        // letters, not its length.
        let bad = input
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
        let length = input.chars().count();
        let problem = if input.is_empty() {
            Some("is empty".to_string())
        } else if let Some(c) = bad {
            Some(format!("contains {c:?}"))
        } else if length > 64 {
            Some(format!("is {length} characters long, more than 64"))
        } else {
            None
        };
        match problem {
            Some(problem) => Err(AddressError::Alias {
                input: input.to_string(),
                problem,
            }),
            None => Ok(Alias(input.into())),
        }
    }

    /// The alias as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Alias {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, AddressError> {
        Alias::new(s)
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A proxy address `TYPE:value` (rule A-PROXY).
///
/// The type is 1 to 8 letters or digits, written all upper case for the primary address of
/// that type or all lower case for a secondary one. The value is printable ASCII.
///
/// ```
/// use migwiz::ProxyAddress;
/// let p: ProxyAddress = "migrate:MS:NET1/PO1/JDOE".parse().unwrap();
/// assert_eq!(p.kind(), "migrate");
/// assert_eq!(p.value(), "MS:NET1/PO1/JDOE");
/// assert!("Migrate:MS:NET1/PO1/JDOE".parse::<ProxyAddress>().is_err()); // mixed case
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyAddress {
    // `TYPE:value` as one shared text: every mailbox's addresses are copied with every
    // state the checker visits, and copying one must not allocate. `colon` is where the
    // type ends.
    text: Arc<str>,
    colon: u8,
}

// Order, hash and debug output are those of the pair (type, value), as they were when the
// two were kept apart: `MS:x` sorts before `MS1:x` whatever `:` compares to.
impl Ord for ProxyAddress {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.kind(), self.value()).cmp(&(other.kind(), other.value()))
    }
}

impl PartialOrd for ProxyAddress {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for ProxyAddress {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.kind().hash(h);
        self.value().hash(h);
    }
}

impl fmt::Debug for ProxyAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyAddress")
            .field("kind", &self.kind())
            .field("value", &self.value())
            .finish()
    }
}

/// The longest proxy value accepted; longer ones are refused when parsed.
pub const MAX_PROXY_VALUE: usize = 256;

impl ProxyAddress {
    /// Joins a type (1 to 8 characters, checked by the caller) and a value.
    fn from_kind_value(kind: &str, value: &str) -> ProxyAddress {
        let mut text = String::with_capacity(kind.len() + 1 + value.len());
        text.push_str(kind);
        text.push(':');
        text.push_str(value);
        ProxyAddress {
            text: text.into(),
            colon: kind.len() as u8,
        }
    }

    /// The whole address as written, `TYPE:value`: what `Display` prints, without going
    /// through a formatter (the checker copies every address of every state it observes).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The type as written (`SMTP`, `ms`, `migrate`, …).
    pub fn kind(&self) -> &str {
        &self.text[..self.colon as usize]
    }

    /// The part after the first `:`.
    pub fn value(&self) -> &str {
        &self.text[self.colon as usize + 1..]
    }

    /// An address from a type and a value the caller built to be valid (the server's
    /// site addresses, whose values may be longer than a hand-written one may be, and the
    /// wizard's MIGRATE and MS addresses): no checks.
    pub(crate) fn from_parts(kind: &str, value: &str) -> ProxyAddress {
        ProxyAddress::from_kind_value(kind, value)
    }
}

impl FromStr for ProxyAddress {
    type Err = AddressError;
    fn from_str(input: &str) -> Result<Self, AddressError> {
        let fail = |problem: String| AddressError::Proxy {
            input: input.to_string(),
            problem,
        };
        let Some((kind, value)) = input.split_once(':') else {
            return Err(fail("has no ':' between type and value".to_string()));
        };
        if kind.is_empty() || kind.len() > 8 {
            return Err(fail(format!(
                "has a type of {} characters; it must be 1 to 8",
                kind.len()
            )));
        }
        if let Some(c) = kind.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(fail(format!(
                "has {c:?} in its type; use letters and digits"
            )));
        }
        let upper = kind.chars().any(|c| c.is_ascii_uppercase());
        let lower = kind.chars().any(|c| c.is_ascii_lowercase());
        if upper == lower {
            return Err(fail(format!(
                "has type {}; write it all upper case (primary) or all lower case (secondary)",
                shown(kind)
            )));
        }
        if value.is_empty() {
            return Err(fail("has an empty value".to_string()));
        }
        if value.len() > MAX_PROXY_VALUE {
            return Err(fail(format!(
                "has a value of {} characters, more than {MAX_PROXY_VALUE}",
                value.len()
            )));
        }
        if let Some(c) = value.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(fail(format!("has {c:?} in its value; use printable ASCII")));
        }
        Ok(ProxyAddress::from_kind_value(kind, value))
    }
}

impl fmt::Display for ProxyAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a custom recipient's address, `MS:NETWORK/POSTOFFICE/MAILBOX` (A-CR).
///
/// ```
/// use migwiz::vocabulary::address::parse_custom_recipient_address;
/// assert_eq!(parse_custom_recipient_address("MS:net1/po1/jdoe").unwrap().to_string(), "NET1/PO1/JDOE");
/// assert!(parse_custom_recipient_address("SMTP:jdoe@example.com").is_err());
/// ```
pub fn parse_custom_recipient_address(input: &str) -> Result<MsMailAddress, AddressError> {
    let fail = |problem: String| AddressError::CustomRecipient {
        input: input.to_string(),
        problem,
    };
    let Some((kind, value)) = input.split_once(':') else {
        return Err(fail("has no 'MS:' type".to_string()));
    };
    if !kind.eq_ignore_ascii_case("MS") {
        return Err(fail(format!("has type {}, not MS", shown(kind))));
    }
    value.parse().map_err(|e: AddressError| fail(e.to_string()))
}

/// The site a mailbox is created on: the names its generated addresses are built from (A-SITE).
///
/// ```
/// use migwiz::Site;
/// let site = Site::new("CONTOSO", "HQ", "contoso.com").unwrap();
/// assert_eq!(site.organization(), "CONTOSO");
/// assert!(Site::new("CONTOSO LTD", "HQ", "contoso.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    organization: String,
    site: String,
    smtp_domain: String,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            organization: "CONTOSO".to_string(),
            site: "HQ".to_string(),
            smtp_domain: "contoso.com".to_string(),
        }
    }
}

impl Site {
    /// Validates the three names: organization and site are the first two parts of the
    /// mailbox's MS address, so they follow A-MS; the domain is letters, digits, `-` and `.`.
    pub fn new(organization: &str, site: &str, smtp_domain: &str) -> Result<Site, AddressError> {
        for (field, value) in [("organization", organization), ("site", site)] {
            if let Some(problem) = describe_part_problem(value) {
                return Err(AddressError::Site {
                    field,
                    input: value.to_string(),
                    problem: format!("{problem}; it becomes part of MS:ORG/SITE/ALIAS, so it needs 1 to 10 letters or digits"),
                });
            }
        }
        let bad_domain = smtp_domain.is_empty()
            || smtp_domain.len() > 200
            || smtp_domain.starts_with('.')
            || smtp_domain.ends_with('.')
            || smtp_domain.contains("..")
            || !smtp_domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if bad_domain {
            return Err(AddressError::Site {
                field: "smtp_domain",
                input: smtp_domain.to_string(),
                problem: "is not a domain name; write labels of letters, digits and '-' joined by '.', e.g. contoso.com".to_string(),
            });
        }
        Ok(Site {
            organization: organization.to_ascii_uppercase(),
            site: site.to_ascii_uppercase(),
            smtp_domain: smtp_domain.to_string(),
        })
    }

    /// The organization name (ORG of `MS:ORG/SITE/ALIAS`).
    pub fn organization(&self) -> &str {
        &self.organization
    }
    /// The site name (SITE of `MS:ORG/SITE/ALIAS`).
    pub fn site(&self) -> &str {
        &self.site
    }
    /// The SMTP domain of `SMTP:alias@domain`.
    pub fn smtp_domain(&self) -> &str {
        &self.smtp_domain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_types_and_values_are_taken_up_to_their_limits_exactly() {
        assert!(
            "ABCDEFGH:x".parse::<ProxyAddress>().is_ok(),
            "an 8-character type"
        );
        let e = "ABCDEFGHI:x".parse::<ProxyAddress>().unwrap_err();
        assert!(e.to_string().contains("a type of 9 characters"), "{e}");
        let longest = format!("smtp:{}", "v".repeat(MAX_PROXY_VALUE));
        assert!(
            longest.parse::<ProxyAddress>().is_ok(),
            "a value of {MAX_PROXY_VALUE}"
        );
        let e = format!("{longest}v").parse::<ProxyAddress>().unwrap_err();
        assert!(e.to_string().contains("257 characters"), "{e}");
    }

    #[test]
    fn an_inline_ms_mail_address_keeps_its_parts_and_sorts_as_its_text() {
        let longest = "ABCDEFGHIJ/KLMNOPQRST/UVWXYZ0123";
        let a: MsMailAddress = longest.to_ascii_lowercase().parse().unwrap();
        assert_eq!(a.as_str(), longest);
        assert_eq!(
            (a.network(), a.postoffice(), a.mailbox()),
            ("ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ0123")
        );
        let mut texts = [
            "NET1/PO1/JDOEB",
            "NET1/PO1/JDOE",
            "NET/PO1/JDOE",
            "NET1/PO/ZZ",
            "N/P/M",
        ];
        let mut addresses: Vec<MsMailAddress> = texts.iter().map(|t| t.parse().unwrap()).collect();
        texts.sort();
        addresses.sort();
        let sorted: Vec<&str> = addresses.iter().map(MsMailAddress::as_str).collect();
        assert_eq!(sorted, texts);
        assert_eq!(
            format!("{:?}", addresses[0]),
            r#"MsMailAddress { network: "N", postoffice: "P", mailbox: "M" }"#
        );
    }

    #[test]
    fn a_shared_proxy_text_keeps_the_order_hash_and_debug_of_type_then_value() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let p = |t: &str| t.parse::<ProxyAddress>().unwrap();
        // By text `MS1:x` would come first (`1` < `:`); by (type, value) `MS:x` does.
        let mut addresses = [p("MS1:x"), p("MS:x"), p("MS:a"), p("ms:a")];
        addresses.sort();
        let sorted: Vec<String> = addresses.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["MS:a", "MS:x", "MS1:x", "ms:a"]);
        let hasher = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
        assert_eq!(
            hasher.hash_one(p("MS:x")),
            hasher.hash_one(("MS".to_string(), "x".to_string()))
        );
        assert_eq!(
            format!("{:?}", p("smtp:a@b")),
            r#"ProxyAddress { kind: "smtp", value: "a@b" }"#
        );
    }

    #[test]
    fn ms_mail_parts_are_checked_one_by_one() {
        let e = "NET1/PO 1/JDOE".parse::<MsMailAddress>().unwrap_err();
        assert!(e.to_string().contains("post office part"), "{e}");
        let e = "NET1/PO1/ABCDEFGHIJK".parse::<MsMailAddress>().unwrap_err();
        assert!(e.to_string().contains("11 characters"), "{e}");
        let e = "NET1//JDOE".parse::<MsMailAddress>().unwrap_err();
        assert!(e.to_string().contains("is empty"), "{e}");
    }

    #[test]
    fn a_proxy_type_is_all_upper_or_all_lower_case() {
        assert!("SMTP:a@b".parse::<ProxyAddress>().is_ok());
        assert!("smtp:a@b".parse::<ProxyAddress>().is_ok());
        assert!("Smtp:a@b".parse::<ProxyAddress>().is_err());
        assert!("123:a".parse::<ProxyAddress>().is_err());
        assert!("TOOLONGTYPE:a".parse::<ProxyAddress>().is_err());
        assert!("smtp:".parse::<ProxyAddress>().is_err());
    }
}
