//! Site addressing (A-SITE): the SMTP, MS and X400 addresses a new mailbox gets from the
//! names of its site.
//!
//! The numbering of a taken address (`JDOE2@…`) is a modelling choice (`docs/modelling-choices.md`).

use crate::vocabulary::address::{Alias, ProxyAddress, Site};

/// The site addresses of a new mailbox, in the order SMTP, MS, X400 (A-SITE).
///
/// `suffix` is 1 for the plain addresses; a larger number is appended to the alias-derived
/// part to make a taken address unique. The MS part keeps A-MS: the letters and digits of
/// the alias, upper case, cut so that the whole stays within 10 characters.
///
/// ```
/// use migwiz::server::site::site_addresses;
/// let [smtp, ms, x400] = site_addresses(&Default::default(), &"JDoe".parse()?, 2);
/// assert_eq!(smtp.to_string(), "SMTP:JDoe2@contoso.com");
/// assert_eq!(ms.to_string(), "MS:CONTOSO/HQ/JDOE2");
/// assert_eq!(x400.to_string(), "X400:c=US;a= ;p=CONTOSO;o=HQ;s=JDoe2;");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn site_addresses(site: &Site, alias: &Alias, suffix: u32) -> [ProxyAddress; 3] {
    let tail = if suffix <= 1 {
        String::new()
    } else {
        suffix.to_string()
    };
    let mut ms: String = alias
        .as_str()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if ms.is_empty() {
        ms.push_str("MAILBOX");
    }
    ms.truncate(10usize.saturating_sub(tail.len()));
    let (org, site_name, alias) = (site.organization(), site.site(), alias.as_str());
    // `concat`, not `format!`: every mailbox created writes these three, and `format!`
    // cost about 940 instructions a text here (issue 36).
    [
        ProxyAddress::from_parts("SMTP", &[alias, &tail, "@", site.smtp_domain()].concat()),
        ProxyAddress::from_parts("MS", &[org, "/", site_name, "/", &ms, &tail].concat()),
        ProxyAddress::from_parts(
            "X400",
            &[
                "c=US;a= ;p=",
                org,
                ";o=",
                site_name,
                ";s=",
                alias,
                &tail,
                ";",
            ]
            .concat(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::addressing::Proxy;
    use crate::vocabulary::address::MsMailAddress;

    #[test]
    fn site_addresses_keep_a_ms_when_suffixed() {
        let alias = Alias::new("maria.bl-long_name").unwrap();
        let [smtp, ms, x400] = site_addresses(&Site::default(), &alias, 12);
        assert_eq!(smtp.to_string(), "SMTP:maria.bl-long_name12@contoso.com");
        assert_eq!(ms.to_string(), "MS:CONTOSO/HQ/MARIABLL12");
        assert!(ms.value().parse::<MsMailAddress>().is_ok());
        assert!(x400.is_primary());
    }

    #[test]
    fn an_alias_without_letters_or_digits_still_gets_an_ms_address() {
        let alias = Alias::new("-._").unwrap();
        let [_, ms, _] = site_addresses(&Site::default(), &alias, 1);
        assert_eq!(ms.to_string(), "MS:CONTOSO/HQ/MAILBOX");
    }
}
