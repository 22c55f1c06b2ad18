//! The MS Mail (PC Networks 3.x, shared file system) post office: its users and the mail
//! waiting for them (rule A-MS).
//!
//! Every message has an id and an owner, so conservation (I-CONSERVE) can be checked
//! message by message, not just by counts.

use std::collections::HashMap;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::setup::MsMailUser;

/// A message's identity, unique across the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u32);

/// One MS Mail message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its identity.
    pub id: MessageId,
    /// The MS Mail user it belongs to.
    pub owner: MsMailAddress,
}

/// The post office: users in the order they were listed, and their waiting mail.
#[derive(Debug, Clone, Default)]
pub struct PostOffice {
    users: Vec<MsMailUser>,
    by_address: HashMap<MsMailAddress, usize>,
    waiting: Vec<Vec<Message>>,
}

impl PostOffice {
    /// Builds the post office of a checked setup (each address once); messages get ids
    /// `1..` in user order.
    ///
    /// ```
    /// use migwiz::{server::postoffice::PostOffice, MsMailUser};
    /// let jdoe = MsMailUser::new("NET1/PO1/JDOE".parse().unwrap(), 2);
    /// let po = PostOffice::new(&[jdoe.clone()]);
    /// assert_eq!(po.waiting(&jdoe.address).len(), 2);
    /// ```
    pub fn new(users: &[MsMailUser]) -> PostOffice {
        let mut po = PostOffice::default();
        let mut next = 0u32;
        for user in users {
            let mail = (0..user.messages)
                .map(|_| {
                    next += 1;
                    Message {
                        id: MessageId(next),
                        owner: user.address.clone(),
                    }
                })
                .collect();
            po.by_address.insert(user.address.clone(), po.users.len());
            po.users.push(user.clone());
            po.waiting.push(mail);
        }
        po
    }

    /// The users, in the order they were listed.
    pub fn users(&self) -> &[MsMailUser] {
        &self.users
    }

    /// Whether the post office has this user.
    pub fn has_user(&self, address: &MsMailAddress) -> bool {
        self.by_address.contains_key(address)
    }

    /// The user with this address.
    pub fn user(&self, address: &MsMailAddress) -> Option<&MsMailUser> {
        self.by_address.get(address).map(|&i| &self.users[i])
    }

    /// The user's mail still waiting in MS Mail.
    pub fn waiting(&self, address: &MsMailAddress) -> &[Message] {
        self.by_address
            .get(address)
            .map_or(&[], |&i| &self.waiting[i])
    }

    /// Takes the user's waiting mail out of MS Mail, to be migrated.
    pub fn take_waiting(&mut self, address: &MsMailAddress) -> Vec<Message> {
        match self.by_address.get(address) {
            Some(&i) => std::mem::take(&mut self.waiting[i]),
            None => Vec::new(),
        }
    }

    /// Every message still waiting, any user.
    pub fn all_waiting(&self) -> impl Iterator<Item = &Message> {
        self.waiting.iter().flatten()
    }
}
