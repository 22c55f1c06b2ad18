//! The Exchange directory: mailboxes and custom recipients in their recipients containers,
//! with indexes by alias, by proxy address and by directory name within a container (rules
//! A-ALIAS, A-PROXY, A-UNIQUE, A-SITE, A-CR, A-CONT, A-DN).
//!
//! The indexes are keyed without case, and every write checks them first
//! (`check_alias_free`, `check_address_free`, `check_directory_name_free`), so uniqueness
//! (A-UNIQUE, A-DN, I-UNIQUE) holds by construction.

use std::collections::BTreeMap;

use crate::server::Index;

use crate::server::addressing::{
    alias_key, container_key, ms_for, with_key, AliasKey, Proxy, ProxyKey,
};
use crate::server::site::site_addresses;
use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress, Site};
use crate::vocabulary::container::Container;
use crate::vocabulary::outcome::Refusal;
use crate::vocabulary::planted::{planted, Mistake};

/// A mailbox's identity in the directory and the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxId(u32);

impl MailboxId {
    /// Where the mailbox sits in a table indexed by id (ids start at 1 and are dense,
    /// shared with custom recipients): the directory and the store keep mailboxes in
    /// `Vec`s, one probe where a tree took four (issue 25).
    pub(crate) fn slot(self) -> usize {
        self.0 as usize - 1
    }
}

/// A custom recipient's identity in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomRecipientId(u32);

/// Who holds an alias or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holder {
    /// A mailbox.
    Mailbox(MailboxId),
    /// A custom recipient.
    Custom(CustomRecipientId),
}

/// A mailbox's directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    alias: Alias,
    container: Container,
    directory_name: Alias,
    proxies: Vec<ProxyAddress>,
    created_for: Option<MsMailAddress>,
}

impl Mailbox {
    /// The alias.
    pub fn alias(&self) -> &Alias {
        &self.alias
    }
    /// Its recipients container (A-CONT).
    pub fn container(&self) -> &Container {
        &self.container
    }
    /// Its directory name (A-DN).
    pub fn directory_name(&self) -> &Alias {
        &self.directory_name
    }
    /// The proxy addresses in the order they were added; one primary per type.
    pub fn proxies(&self) -> &[ProxyAddress] {
        &self.proxies
    }
    /// The MS Mail user the wizard's step one created this mailbox for, if it did.
    pub fn created_for(&self) -> Option<&MsMailAddress> {
        self.created_for.as_ref()
    }
}

/// A custom recipient: a directory entry for a foreign user (A-CR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRecipient {
    alias: Alias,
    address: MsMailAddress,
    container: Container,
}

impl CustomRecipient {
    /// The alias; also its directory name (A-DN).
    pub fn alias(&self) -> &Alias {
        &self.alias
    }
    /// Its recipients container (A-CONT).
    pub fn container(&self) -> &Container {
        &self.container
    }
    /// The MS Mail user it stands for; its primary address is `MS:` this.
    pub fn address(&self) -> &MsMailAddress {
        &self.address
    }
    /// Its primary proxy address.
    pub fn proxy(&self) -> ProxyAddress {
        ms_for(&self.address, true)
    }
}

/// What a new mailbox is made of, besides its alias.
#[derive(Debug, Clone)]
pub struct NewMailbox {
    /// Its recipients container (A-CONT).
    pub container: Container,
    /// Its directory name (A-DN).
    pub directory_name: Alias,
    /// Addresses to add after the site addresses (the wizard's `ms:` and `migrate:`).
    pub extra_proxies: Vec<ProxyAddress>,
    /// The MS Mail user the wizard creates it for.
    pub created_for: Option<MsMailAddress>,
}

/// A directory name's index key: the container and the name, both without case.
type DirectoryKey = (String, AliasKey);

/// `base` with `n` appended (2, 3, …), cut so that it stays a valid alias (at most 64
/// characters): how the wizard makes an alias or a directory name unique (W-1, W-LIST).
///
/// ```
/// use migwiz::server::directory::numbered;
/// assert_eq!(numbered(&"JDOE".parse()?, 2).as_str(), "JDOE2");
/// assert_eq!(numbered(&"A".repeat(64).parse()?, 12).as_str().len(), 64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn numbered(base: &Alias, n: u32) -> Alias {
    if n <= 1 {
        return base.clone();
    }
    let tail = n.to_string();
    let keep = 64usize.saturating_sub(tail.len());
    let head: String = base.as_str().chars().take(keep).collect();
    // An alias is ASCII, so the cut keeps it one; digits keep it one too.
    Alias::new(&format!("{head}{tail}")).unwrap_or_else(|_| base.clone())
}

/// The mailbox `id` in the directory's slots; a field's borrow, not the directory's, so
/// that the indexes can be written while it is held.
fn slot_mut(mailboxes: &mut [Option<Mailbox>], id: MailboxId) -> Option<&mut Mailbox> {
    mailboxes.get_mut(id.slot())?.as_mut()
}

/// A mailbox just created: its id, and whether a site address needed a number to be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    /// The new mailbox.
    pub id: MailboxId,
    /// True when a generated address was taken and got a number appended (A-UNIQUE).
    pub renumbered: bool,
}

/// The directory of one Exchange site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    site: Site,
    next_id: u32,
    /// Mailboxes by [`MailboxId::slot`]; `None` where the id is a custom recipient's.
    mailboxes: Vec<Option<Mailbox>>,
    customs: BTreeMap<CustomRecipientId, CustomRecipient>,
    by_alias: Index<AliasKey, Holder>,
    by_proxy: Index<ProxyKey, Holder>,
    by_directory_name: Index<DirectoryKey, Holder>,
    free_from: FreeFrom,
}

/// Where the search for a free numbered name may start: for each base a numbered alias
/// or directory name was last found free from, a number below which every numbered name
/// of that base is taken. Without it, 8,000 users of one mailbox name cost 8,000²/2
/// look-ups (issue 35, item 8). Names are only ever added, except when a custom recipient
/// is deleted, which clears it. A cache, not state: two directories are equal whatever
/// their caches hold.
#[derive(Debug, Clone, Default)]
struct FreeFrom(Index<FreeKey, u32>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FreeKey {
    Alias(AliasKey),
    DirectoryName(DirectoryKey),
}

impl PartialEq for FreeFrom {
    fn eq(&self, _: &FreeFrom) -> bool {
        true
    }
}

impl Eq for FreeFrom {}

impl FreeFrom {
    /// The first `n` from the cached start for `key` where `taken(numbered(base, n))` is
    /// false, remembered for the next search.
    fn first(&mut self, key: FreeKey, base: &Alias, taken: impl Fn(&Alias) -> bool) -> Alias {
        let start = self.0.get(&key).copied().unwrap_or(1);
        let (n, name) = (start..)
            .map(|n| (n, numbered(base, n)))
            .find(|(_, name)| !taken(name))
            .expect("some numbered name is free");
        self.0.insert(key, n);
        name
    }
}

impl Directory {
    /// The site whose names build new addresses (A-SITE).
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// An empty directory for `site`.
    pub fn new(site: Site) -> Directory {
        Directory {
            site,
            next_id: 0,
            mailboxes: Vec::new(),
            customs: BTreeMap::new(),
            by_alias: Index::default(),
            by_proxy: Index::default(),
            by_directory_name: Index::default(),
            free_from: FreeFrom::default(),
        }
    }

    /// Mailboxes in creation order.
    pub fn mailboxes(&self) -> impl Iterator<Item = (MailboxId, &Mailbox)> {
        let id = |slot: usize| MailboxId(slot as u32 + 1);
        let slots = self.mailboxes.iter().enumerate();
        slots.filter_map(move |(slot, m)| m.as_ref().map(|m| (id(slot), m)))
    }

    /// Custom recipients in creation order.
    pub fn custom_recipients(&self) -> impl Iterator<Item = (CustomRecipientId, &CustomRecipient)> {
        self.customs.iter().map(|(id, c)| (*id, c))
    }

    /// One mailbox.
    pub fn mailbox(&self, id: MailboxId) -> Option<&Mailbox> {
        self.mailboxes.get(id.slot())?.as_ref()
    }

    /// The mailbox with this alias; a custom recipient's alias names no mailbox.
    pub fn mailbox_by_alias(&self, alias: &Alias) -> Option<MailboxId> {
        let holder = with_key(&[alias.as_str()], |key| self.by_alias.get(key).copied());
        match holder.as_ref() {
            Some(Holder::Mailbox(id)) => Some(*id),
            _ => None,
        }
    }

    /// Who holds this address, compared without case (A-UNIQUE).
    pub fn holder_of(&self, address: &ProxyAddress) -> Option<Holder> {
        self.holder_of_text(&[address.as_str()])
    }

    /// Who holds the address written as `parts` joined, compared without case (A-UNIQUE):
    /// a lookup that builds no address.
    pub fn holder_of_text(&self, parts: &[&str]) -> Option<Holder> {
        with_key(parts, |key| self.by_proxy.get(key).copied())
    }

    /// The mailbox holding this address, if a mailbox holds it.
    pub fn mailbox_with(&self, address: &ProxyAddress) -> Option<MailboxId> {
        self.mailbox_with_text(&[address.as_str()])
    }

    /// The mailbox holding the address written as `parts` joined, if a mailbox holds it.
    pub fn mailbox_with_text(&self, parts: &[&str]) -> Option<MailboxId> {
        match self.holder_of_text(parts) {
            Some(Holder::Mailbox(id)) => Some(id),
            _ => None,
        }
    }

    /// The custom recipient standing for this MS Mail user (A-CR).
    pub fn custom_recipient_for(&self, user: &MsMailAddress) -> Option<CustomRecipientId> {
        match self.holder_of_text(&["MS:", user.as_str()]) {
            Some(Holder::Custom(id)) => Some(id),
            _ => None,
        }
    }

    fn holder_alias(&self, holder: Holder) -> &Alias {
        match holder {
            Holder::Mailbox(id) => &self.mailbox(id).expect("indexed mailbox exists").alias,
            Holder::Custom(id) => &self.customs[&id].alias,
        }
    }

    fn check_alias_free(&self, alias: &Alias) -> Result<(), Refusal> {
        match self.by_alias.get(&alias_key(alias)) {
            Some(&holder) => Err(Refusal::AliasTaken {
                alias: alias.to_string(),
                holder: self.holder_alias(holder).to_string(),
            }),
            None => Ok(()),
        }
    }

    fn check_directory_name_free(
        &self,
        container: &Container,
        name: &Alias,
    ) -> Result<(), Refusal> {
        match self
            .by_directory_name
            .get(&(container_key(container), alias_key(name)))
        {
            Some(&holder) => Err(Refusal::DirectoryNameTaken {
                name: name.to_string(),
                container: container.to_string(),
                holder: self.holder_alias(holder).to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The mailbox in `container` whose directory name is `name` (W-LIST-UPDATE).
    pub fn mailbox_by_directory_name(
        &self,
        container: &Container,
        name: &Alias,
    ) -> Option<MailboxId> {
        match self
            .by_directory_name
            .get(&(container_key(container), alias_key(name)))
        {
            Some(Holder::Mailbox(id)) => Some(*id),
            _ => None,
        }
    }

    /// The first of `base`, `base2`, `base3`, … that no recipient of `container` has as its
    /// directory name (A-DN, W-LIST).
    pub fn first_free_directory_name(&mut self, container: &Container, base: &Alias) -> Alias {
        let key = FreeKey::DirectoryName((container_key(container), alias_key(base)));
        let index = &self.by_directory_name;
        self.free_from.first(key, base, |name| {
            index.contains_key(&(container_key(container), alias_key(name)))
        })
    }

    /// The custom recipient with this id.
    pub fn custom_recipient(&self, id: CustomRecipientId) -> Option<&CustomRecipient> {
        self.customs.get(&id)
    }

    /// Adds a secondary address to a mailbox unless a recipient (it too) holds it (W-LIST-UPDATE,
    /// A-UNIQUE); whether it was added.
    pub fn add_if_free(&mut self, id: MailboxId, address: ProxyAddress) -> bool {
        if self.by_proxy.contains_key(&address.key()) {
            return false;
        }
        let Some(mailbox) = slot_mut(&mut self.mailboxes, id) else {
            return false;
        };
        self.by_proxy.insert(address.key(), Holder::Mailbox(id));
        mailbox.proxies.push(address);
        true
    }

    fn check_address_free(&self, address: &ProxyAddress) -> Result<(), Refusal> {
        match self.holder_of(address) {
            Some(holder) => Err(Refusal::AddressTaken {
                address: address.to_string(),
                holder: self.holder_alias(holder).to_string(),
            }),
            None => Ok(()),
        }
    }

    fn allocate(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// The alias step one gives a new mailbox (W-1, W-LIST): `base` (the row's Common-Name,
    /// by default the MS Mail mailbox name), or the first of `base2`, `base3`, … that no
    /// recipient holds.
    pub fn first_free_alias(&mut self, base: &Alias) -> Alias {
        let index = &self.by_alias;
        let key = FreeKey::Alias(alias_key(base));
        self.free_from
            .first(key, base, |a| index.contains_key(&alias_key(a)))
    }

    /// Creates a mailbox with its site addresses (A-SITE) and any extra addresses.
    ///
    /// Refused if the alias is taken (A-ALIAS). A generated address that is taken gets
    /// the first number that makes it free; the extra addresses are reserved first, so a
    /// generated one never takes an address the mailbox is about to hold.
    pub fn create_mailbox(&mut self, alias: Alias, new: NewMailbox) -> Result<Created, Refusal> {
        self.check_alias_free(&alias)?;
        self.check_directory_name_free(&new.container, &new.directory_name)?;
        for extra in &new.extra_proxies {
            self.check_address_free(extra)?;
        }
        let reserved: Vec<ProxyKey> = new.extra_proxies.iter().map(Proxy::key).collect();
        let free = |a: &ProxyAddress| {
            let key = a.key();
            !self.by_proxy.contains_key(&key) && !reserved.contains(&key)
        };
        // The plain addresses are computed once; only a taken one is numbered (A-SITE).
        let mut proxies = Vec::new();
        let mut renumbered = false;
        for (slot, plain) in site_addresses(&self.site, &alias, 1)
            .into_iter()
            .enumerate()
        {
            if free(&plain) {
                proxies.push(plain);
                continue;
            }
            renumbered = true;
            let address = (2u32..)
                .map(|n| site_addresses(&self.site, &alias, n)[slot].clone())
                .find(|a| free(a))
                .expect("some numbered address is free");
            proxies.push(address);
        }
        proxies.extend(new.extra_proxies);
        let id = MailboxId(self.allocate());
        self.by_alias.insert(alias_key(&alias), Holder::Mailbox(id));
        let dn_key = (
            container_key(&new.container),
            alias_key(&new.directory_name),
        );
        self.by_directory_name.insert(dn_key, Holder::Mailbox(id));
        for p in &proxies {
            self.by_proxy.insert(p.key(), Holder::Mailbox(id));
        }
        self.mailboxes.resize(id.slot() + 1, None);
        self.mailboxes[id.slot()] = Some(Mailbox {
            alias,
            container: new.container,
            directory_name: new.directory_name,
            proxies,
            created_for: new.created_for,
        });
        Ok(Created { id, renumbered })
    }

    /// Adds a proxy address to a mailbox (OP-PROXY).
    ///
    /// Refused if no mailbox has the alias, or if any recipient (this one included) holds
    /// the address (A-UNIQUE). A primary address demotes the mailbox's old primary of that
    /// type to secondary, so one primary per type remains (A-PROXY).
    pub fn add_proxy(&mut self, alias: &Alias, address: ProxyAddress) -> Result<(), Refusal> {
        let id = self
            .mailbox_by_alias(alias)
            .ok_or_else(|| Refusal::NoSuchMailbox {
                alias: alias.to_string(),
            })?;
        if !planted(Mistake::UncheckedProxy) {
            self.check_address_free(&address)?;
        }
        let mailbox = slot_mut(&mut self.mailboxes, id).expect("indexed mailbox exists");
        if address.is_primary() {
            for p in mailbox.proxies.iter_mut() {
                if p.is_primary() && p.same_kind(address.kind()) {
                    *p = p.to_secondary();
                }
            }
        }
        self.by_proxy.insert(address.key(), Holder::Mailbox(id));
        mailbox.proxies.push(address);
        Ok(())
    }

    /// Removes a secondary proxy address from a mailbox (OP-UNPROXY).
    ///
    /// Refused if no mailbox has the alias, if the mailbox does not hold the address, or if
    /// the address it holds is the primary of its type.
    pub fn remove_proxy(&mut self, alias: &Alias, address: &ProxyAddress) -> Result<(), Refusal> {
        let id = self
            .mailbox_by_alias(alias)
            .ok_or_else(|| Refusal::NoSuchMailbox {
                alias: alias.to_string(),
            })?;
        let mailbox = slot_mut(&mut self.mailboxes, id).expect("indexed mailbox exists");
        let key = address.key();
        let Some(index) = mailbox.proxies.iter().position(|p| p.key() == key) else {
            return Err(Refusal::AddressNotHeld {
                alias: mailbox.alias.to_string(),
                address: address.to_string(),
            });
        };
        if mailbox.proxies[index].is_primary() {
            return Err(Refusal::PrimaryAddress {
                alias: mailbox.alias.to_string(),
                address: mailbox.proxies[index].to_string(),
            });
        }
        mailbox.proxies.remove(index);
        self.by_proxy.remove(&key);
        Ok(())
    }

    /// Creates a custom recipient for an MS Mail user in a container (OP-CR, A-CR): its
    /// alias, its address and its directory name (the alias, A-DN) must be free.
    pub fn add_custom_recipient(
        &mut self,
        alias: Alias,
        address: MsMailAddress,
        container: Container,
    ) -> Result<CustomRecipientId, Refusal> {
        self.check_alias_free(&alias)?;
        let proxy = ms_for(&address, true);
        self.check_address_free(&proxy)?;
        self.check_directory_name_free(&container, &alias)?;
        let id = CustomRecipientId(self.allocate());
        self.by_alias.insert(alias_key(&alias), Holder::Custom(id));
        self.by_proxy.insert(proxy.key(), Holder::Custom(id));
        let dn_key = (container_key(&container), alias_key(&alias));
        self.by_directory_name.insert(dn_key, Holder::Custom(id));
        self.customs.insert(
            id,
            CustomRecipient {
                alias,
                address,
                container,
            },
        );
        Ok(id)
    }

    /// Deletes a custom recipient, freeing its alias, address and directory name (W-1-CR).
    pub fn delete_custom_recipient(&mut self, id: CustomRecipientId) -> Option<CustomRecipient> {
        let cr = self.customs.remove(&id)?;
        // A name freed: a numbered search must look from 1 again.
        self.free_from = FreeFrom::default();
        self.by_alias.remove(&alias_key(&cr.alias));
        self.by_proxy.remove(&cr.proxy().key());
        self.by_directory_name
            .remove(&(container_key(&cr.container), alias_key(&cr.alias)));
        Some(cr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_alias_is_cut_to_64_characters_exactly() {
        let alias = |t: &str| Alias::new(t).unwrap();
        assert_eq!(numbered(&alias("JDOE"), 1).as_str(), "JDOE");
        assert_eq!(numbered(&alias("JDOE"), 2).as_str(), "JDOE2");
        let longest = "A".repeat(64);
        let cut = numbered(&alias(&longest), 2);
        assert_eq!(cut.as_str(), format!("{}2", "A".repeat(63)));
        let cut = numbered(&alias(&longest), 10);
        assert_eq!(cut.as_str(), format!("{}10", "A".repeat(62)));
        let short = "B".repeat(62);
        assert_eq!(numbered(&alias(&short), 2).as_str(), format!("{short}2"));
    }
}
