//! How the server reads and writes addresses, aliases and containers: the decisions the
//! vocabulary's types leave open. A primary proxy has an upper-case type, and a new one
//! makes the old primary of its type secondary (A-PROXY); addresses, aliases and container
//! names are compared without case (A-UNIQUE, A-ALIAS, A-CONT); the default container is
//! `Recipients` (A-CONT); the wizard writes `migrate:MS:NET/PO/MAILBOX` (W-1, Q182665) and
//! looks for it (W-2-55), then for `MS:NET/PO/MAILBOX` (W-2-55SP, A-CR).
//!
//! The reference model decides each of these again in its own words (`model/`), so that a
//! mistake here is one the state machine test can see.
//!
//! ```
//! use migwiz::server::addressing::{migrate_for, Proxy};
//! use migwiz::ProxyAddress;
//!
//! let user = "NET1/PO1/JDOE".parse()?;
//! let migrate = migrate_for(&user);
//! assert_eq!(migrate.as_str(), "migrate:MS:NET1/PO1/JDOE");
//! assert!(!migrate.is_primary());
//! let shouted: ProxyAddress = "MIGRATE:ms:net1/po1/jdoe".parse()?;
//! assert_eq!(migrate.key(), shouted.key()); // A-UNIQUE compares without case
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::container::Container;

/// A-PROXY and A-UNIQUE as the server reads a proxy address.
pub trait Proxy {
    /// Upper-case type: the primary address of its type (A-PROXY).
    fn is_primary(&self) -> bool;
    /// The same address as a secondary one (type in lower case).
    fn to_secondary(&self) -> ProxyAddress;
    /// Whether the type is `kind`, ignoring case (and so primary or secondary alike).
    fn same_kind(&self, kind: &str) -> bool;
    /// The comparison key: type and value folded to lower case (A-UNIQUE).
    fn key(&self) -> ProxyKey;
}

impl Proxy for ProxyAddress {
    fn is_primary(&self) -> bool {
        self.kind().chars().any(|c| c.is_ascii_uppercase())
    }

    fn to_secondary(&self) -> ProxyAddress {
        ProxyAddress::from_parts(&self.kind().to_ascii_lowercase(), self.value())
    }

    fn same_kind(&self, kind: &str) -> bool {
        self.kind().eq_ignore_ascii_case(kind)
    }

    fn key(&self) -> ProxyKey {
        ProxyKey(with_key(&[self.as_str()], Folded::new))
    }
}

/// How many bytes of a folded key are kept inline: an MS Mail user's MIGRATE address
/// (`migrate:ms:` and up to 32 more) fits, and most SMTP addresses.
const INLINE: usize = 62;

/// Text folded to lower case, kept inline when short: the directory's indexes compare
/// keys without following a pointer to their text (the wizard looks up two keys for each
/// user of each step; issue 25). It hashes and compares as its text.
#[derive(Clone)]
enum Folded {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Folded {
    /// `text`, already folded.
    fn new(text: &[u8]) -> Folded {
        match text.len() <= INLINE {
            true => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text);
                Folded::Inline {
                    len: text.len() as u8,
                    bytes,
                }
            }
            false => Folded::Heap(text.into()),
        }
    }

    /// The text, for `Debug`: made of whole `&str`s, so UTF-8.
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    /// The text's bytes: what the indexes hash and compare, with no check that they are
    /// UTF-8 on every probe (a fifth of a lookup's time when they were read as `str`).
    fn bytes(&self) -> &[u8] {
        match self {
            Folded::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Folded::Heap(text) => text,
        }
    }
}

impl PartialEq for Folded {
    fn eq(&self, other: &Folded) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Folded {}

impl std::hash::Hash for Folded {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, so that an index keyed by it can be asked with bytes.
        self.bytes().hash(state);
    }
}

impl PartialOrd for Folded {
    fn partial_cmp(&self, other: &Folded) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Folded {
    fn cmp(&self, other: &Folded) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl std::fmt::Debug for Folded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// A proxy address folded to lower case: the key of the directory's address index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProxyKey(Folded);

// A key hashes and compares as its text's bytes, so the index can be asked with them.
impl std::borrow::Borrow<[u8]> for ProxyKey {
    fn borrow(&self) -> &[u8] {
        self.0.bytes()
    }
}

/// Calls `f` with the key of the address written as `parts` joined (`["migrate:MS:",
/// "NET1/PO1/JDOE"]`), folded to lower case on the stack, as the bytes the indexes hash:
/// the wizard looks up two addresses for every user of every step, and a lookup should
/// neither allocate nor check that its key is UTF-8 (it is: whole `&str`s, with only ASCII
/// letters changed; issue 25).
pub fn with_key<R>(parts: &[&str], f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 160];
    let mut len = 0;
    for part in parts {
        let Some(slot) = buf.get_mut(len..len + part.len()) else {
            let mut key = parts.concat();
            key.make_ascii_lowercase();
            return f(key.as_bytes());
        };
        slot.copy_from_slice(part.as_bytes());
        len += part.len();
    }
    let key = &mut buf[..len];
    key.make_ascii_lowercase();
    f(key)
}

/// An alias folded to lower case: the key of the directory's alias index (A-ALIAS).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AliasKey(Folded);

impl std::borrow::Borrow<[u8]> for AliasKey {
    fn borrow(&self) -> &[u8] {
        self.0.bytes()
    }
}

/// The key aliases are compared by: without case (A-ALIAS).
pub fn alias_key(alias: &Alias) -> AliasKey {
    AliasKey(with_key(&[alias.as_str()], Folded::new))
}

/// The key containers are compared by: without case (A-CONT).
pub fn container_key(container: &Container) -> String {
    container.as_str().to_ascii_lowercase()
}

/// Whether two containers are one (A-CONT: without case).
pub fn same_container(a: &Container, b: &Container) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
}

/// The default container's name, for the administrator and for the wizard (A-CONT,
/// Q152330).
pub const DEFAULT_CONTAINER: &str = "Recipients";

thread_local! {
    /// The default container, made once per thread and shared: one copy for all threads
    /// would have the checker's threads take turns at its reference count.
    static RECIPIENTS: Container = DEFAULT_CONTAINER.parse().expect("a valid container name");
}

/// The container a step names, or the default one (A-CONT).
pub fn container_or_default(named: Option<&Container>) -> Container {
    match named {
        Some(container) => container.clone(),
        None => RECIPIENTS.with(Container::clone),
    }
}

/// Whether a container is the default one (A-CONT: without case).
pub fn is_default_container(container: &Container) -> bool {
    container.as_str().eq_ignore_ascii_case(DEFAULT_CONTAINER)
}

/// The secondary `migrate:MS:NET/PO/MAILBOX` address the 5.5 wizard writes (W-1, Q182665)
/// and looks for (W-2-55).
pub fn migrate_for(user: &MsMailAddress) -> ProxyAddress {
    ProxyAddress::from_parts("migrate", &format!("MS:{user}"))
}

/// The `MS:NET/PO/MAILBOX` address of an MS Mail user, primary or secondary (A-CR,
/// W-1-CR, W-2-55SP).
pub fn ms_for(user: &MsMailAddress, primary: bool) -> ProxyAddress {
    ProxyAddress::from_parts(if primary { "MS" } else { "ms" }, user.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> ProxyAddress {
        text.parse().unwrap()
    }

    #[test]
    fn proxy_type_case_decides_primary() {
        assert!(p("SMTP:a@b").is_primary());
        assert!(!p("smtp:a@b").is_primary());
        assert_eq!(
            p("X400:c=US;a= ;").to_secondary().as_str(),
            "x400:c=US;a= ;"
        );
        assert!(p("MIGRATE:x").same_kind("migrate") && !p("MS:x").same_kind("migrate"));
        assert_eq!(p("SMTP:A@B").key(), p("smtp:a@b").key());
        assert_ne!(p("SMTP:A@B").key(), p("SMTP:A@C").key());
    }

    #[test]
    fn aliases_and_containers_compare_without_case() {
        let alias = |t: &str| Alias::new(t).unwrap();
        assert_eq!(alias_key(&alias("JDoe")), alias_key(&alias("jdoe")));
        assert_ne!(alias_key(&alias("JDoe")), alias_key(&alias("JDoe2")));
        let sales: Container = "Sales".parse().unwrap();
        assert!(same_container(&sales, &"SALES".parse().unwrap()));
        assert_eq!(container_key(&sales), "sales");
        assert!(is_default_container(&"recipients".parse().unwrap()));
        assert!(!is_default_container(&sales));
        assert_eq!(container_or_default(None).as_str(), DEFAULT_CONTAINER);
        assert_eq!(container_or_default(Some(&sales)), sales);
    }

    #[test]
    fn the_wizard_writes_migrate_and_ms_addresses() {
        let user = "NET1/PO1/JDOE".parse().unwrap();
        assert_eq!(migrate_for(&user).as_str(), "migrate:MS:NET1/PO1/JDOE");
        assert_eq!(ms_for(&user, true).as_str(), "MS:NET1/PO1/JDOE");
        assert_eq!(ms_for(&user, false).as_str(), "ms:NET1/PO1/JDOE");
    }
}
