//! The MS Mail (PC Networks 3.x, shared file system) post office: its users and the mail
//! waiting for them (rule A-MS).
//!
//! Every message has an id and an owner, so conservation (I-CONSERVE) can be checked
//! message by message, not just by counts. Messages are kept as runs of consecutive ids of
//! one owner, so a user with 10⁹ messages costs what one with 10 does. Each user's message file (MMF) can be locked by
//! an open MS Mail client or out of step after a password recovery (A-MMF).

use crate::server::userlist::{Extracted, ExtractedCache};
use crate::server::Index;

use crate::vocabulary::address::MsMailAddress;
use crate::vocabulary::files::MailDate;
use crate::vocabulary::operation::Version;
use crate::vocabulary::planted::{planted, Mistake};
use crate::vocabulary::setup::MsMailUser;

/// A run of MS Mail messages of one owner: ids `first .. first + count`, each unique across
/// the whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Messages {
    /// The first id.
    pub first: u64,
    /// How many, at least one.
    pub count: u64,
    /// The MS Mail user they belong to.
    pub owner: MsMailAddress,
    /// Their date, when they carry one (F-DATE).
    pub date: Option<MailDate>,
}

/// The state of a user's MMF (A-MMF, Q168606).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mmf {
    /// The MS Mail client holds it open.
    pub locked: bool,
    /// Its password is out of step with the post office's, after a recovery.
    pub out_of_step: bool,
}

impl Mmf {
    /// Whether the wizard can extract from it (W-7007).
    pub fn readable(self) -> bool {
        !self.locked && !self.out_of_step
    }
}

/// What OP-CLIENT changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientChange {
    /// The client opened: the MMF is locked.
    Opened,
    /// An open client closed: unlocked, and the password back in step.
    Closed,
    /// Opening an open client or closing a closed one changes nothing.
    Unchanged,
}

/// Why a delivery did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliverError {
    /// The post office has no such user.
    NoSuchUser,
    /// The user's count would pass what a count holds.
    TooMany,
}

/// A user's place in one post office ([`PostOffice::slot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserSlot(usize);

/// The post office: users in the order they were listed, and their waiting mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostOffice {
    users: Vec<MsMailUser>,
    by_address: Index<MsMailAddress, usize>,
    waiting: Vec<Vec<Messages>>,
    mmf: Vec<Mmf>,
    /// Per user: messages delivered since the start.
    received: Vec<u32>,
    /// Per user: messages held at the start, dated or not.
    initial: Vec<u32>,
    /// Per user: whether its Schedule+ data was migrated (B-SCHED: once).
    schedule_migrated: Vec<bool>,
    /// The first user of each mailbox name, upper case (a batch run names users so).
    by_name: Index<String, usize>,
    next_id: u64,
    extracted: ExtractedCache,
}

impl PostOffice {
    /// Builds the post office of a checked setup (each address once); messages get ids
    /// `1..` in user order.
    ///
    /// ```
    /// use migwiz::{server::postoffice::PostOffice, MsMailUser};
    /// let jdoe = MsMailUser::new("NET1/PO1/JDOE".parse().unwrap(), 2);
    /// let po = PostOffice::new(&[jdoe.clone()]);
    /// assert_eq!(po.waiting(&jdoe.address), 2);
    /// ```
    pub fn new(users: &[MsMailUser]) -> PostOffice {
        let mut po = PostOffice::default();
        let mut next = 0u64;
        for user in users {
            let mut mail = Vec::new();
            let undated = std::iter::once((None, user.messages));
            let dated = user.dated.iter().map(|(d, n)| (Some(*d), *n));
            for (date, count) in undated.chain(dated).filter(|(_, n)| *n > 0) {
                mail.push(Messages {
                    first: next + 1,
                    count: u64::from(count),
                    owner: user.address.clone(),
                    date,
                });
                next += u64::from(count);
            }
            let held = user.all_messages().min(u64::from(u32::MAX)) as u32;
            po.initial.push(held);
            po.schedule_migrated.push(false);
            let name = user.address.mailbox().to_ascii_uppercase();
            po.by_name.entry(name).or_insert(po.users.len());
            po.by_address.insert(user.address.clone(), po.users.len());
            po.users.push(user.clone());
            po.waiting.push(mail);
            po.mmf.push(Mmf::default());
            po.received.push(0);
        }
        po.next_id = next;
        po
    }

    /// Where the user sits in the post office, if it is one of its users: the wizard
    /// finds a user once and then reads its MMF, counts and mail there, one lookup where
    /// it took four (issue 25). A post office never gains or loses users, so a slot stays
    /// good for the post office's life.
    pub(crate) fn slot(&self, address: &MsMailAddress) -> Option<UserSlot> {
        self.by_address.get(address).map(|&i| UserSlot(i))
    }

    /// The MMF at `slot`.
    pub(crate) fn mmf_at(&self, slot: UserSlot) -> Mmf {
        self.mmf[slot.0]
    }

    /// How many messages wait at `slot`.
    pub(crate) fn waiting_at(&self, slot: UserSlot) -> u64 {
        self.waiting[slot.0].iter().map(|m| m.count).sum()
    }

    /// Every message the user at `slot` has had: at the start and delivered since.
    pub(crate) fn total_at(&self, slot: UserSlot) -> u32 {
        self.initial[slot.0] + self.received[slot.0]
    }

    /// Takes the waiting mail at `slot` that `taken` picks; the rest stays (B-DATES).
    pub(crate) fn take_waiting_where(
        &mut self,
        slot: UserSlot,
        taken: impl Fn(&Messages) -> bool,
    ) -> Vec<Messages> {
        let (take, stay): (Vec<Messages>, Vec<Messages>) =
            std::mem::take(&mut self.waiting[slot.0])
                .into_iter()
                .partition(|m| taken(m));
        self.waiting[slot.0] = stay;
        take
    }

    /// How many of the waiting messages at `slot` `taken` picks.
    pub(crate) fn waiting_where(&self, slot: UserSlot, taken: impl Fn(&Messages) -> bool) -> u64 {
        self.waiting[slot.0]
            .iter()
            .filter(|m| taken(m))
            .map(|m| m.count)
            .sum()
    }

    /// The user at `slot`.
    pub(crate) fn user_at(&self, slot: UserSlot) -> &MsMailUser {
        &self.users[slot.0]
    }

    /// The first user whose mailbox name is `name`, without case (B-ACCOUNTS, F-CSV).
    pub(crate) fn slot_named(&self, name: &str) -> Option<UserSlot> {
        self.by_name
            .get(&name.to_ascii_uppercase())
            .map(|&i| UserSlot(i))
    }

    /// Whether the user at `slot` has Schedule+ data not migrated yet (F-SCHED).
    pub(crate) fn schedule_waiting_at(&self, slot: UserSlot) -> bool {
        self.users[slot.0].schedule && !self.schedule_migrated[slot.0]
    }

    /// Marks the schedule at `slot` migrated; its place in the post office, from 1.
    pub(crate) fn take_schedule_at(&mut self, slot: UserSlot) -> usize {
        self.schedule_migrated[slot.0] = true;
        slot.0 + 1
    }

    /// Whether any of the user's waiting mail is dated.
    pub fn has_dated(&self, address: &MsMailAddress) -> bool {
        self.by_address
            .get(address)
            .is_some_and(|&i| self.waiting[i].iter().any(|m| m.date.is_some()))
    }

    /// What an observation shows of the user at place `i` of [`PostOffice::users`]: its
    /// waiting messages, MMF, messages received since the start, and dated messages by
    /// date (F-DATE). Read by place: an observation reads every user at every step, and
    /// four lookups by address each cost a fifth of it (issue 37).
    pub(crate) fn seen_at(&self, i: usize) -> (u64, Mmf, u32, Vec<(MailDate, u64)>) {
        let waiting = &self.waiting[i];
        let mut dated = Vec::new();
        // Most users have no dated mail: nothing is built for them.
        if waiting.iter().any(|m| m.date.is_some()) {
            let mut by_date: std::collections::BTreeMap<MailDate, u64> = Default::default();
            for m in waiting {
                if let Some(date) = m.date {
                    *by_date.entry(date).or_default() += m.count;
                }
            }
            dated = by_date.into_iter().collect();
        }
        let count = waiting.iter().map(|m| m.count).sum();
        (count, self.mmf[i], self.received[i], dated)
    }

    /// The waiting dated messages of the user, by date (F-DATE).
    pub fn dated(&self, address: &MsMailAddress) -> Vec<(MailDate, u64)> {
        let mut dated: std::collections::BTreeMap<MailDate, u64> = Default::default();
        if let Some(&i) = self.by_address.get(address) {
            for m in &self.waiting[i] {
                if let Some(date) = m.date {
                    *dated.entry(date).or_default() += m.count;
                }
            }
        }
        dated.into_iter().collect()
    }

    /// Every user as `version` extracts it, made once (W-LIST's default case).
    pub fn extracted(&self, version: Version) -> &Extracted {
        self.extracted.get(version, &self.users)
    }

    /// The state of the user's MMF.
    pub fn mmf(&self, address: &MsMailAddress) -> Mmf {
        self.by_address
            .get(address)
            .map_or(Mmf::default(), |&i| self.mmf[i])
    }

    /// OP-CLIENT: the user opens or closes the MS Mail client. `None` for no such user.
    pub fn set_client(&mut self, address: &MsMailAddress, open: bool) -> Option<ClientChange> {
        let mmf = &mut self.mmf[*self.by_address.get(address)?];
        Some(match (open, mmf.locked) {
            (true, false) => {
                mmf.locked = true;
                ClientChange::Opened
            }
            (false, true) => {
                *mmf = Mmf::default();
                ClientChange::Closed
            }
            _ => ClientChange::Unchanged,
        })
    }

    /// OP-RECOVER: the MMF password is out of step. False for no such user.
    pub fn recover_password(&mut self, address: &MsMailAddress) -> bool {
        match self.by_address.get(address) {
            Some(&i) => {
                self.mmf[i].out_of_step = true;
                true
            }
            None => false,
        }
    }

    /// Messages delivered to the user since the start.
    pub fn received(&self, address: &MsMailAddress) -> u32 {
        self.by_address
            .get(address)
            .map_or(0, |&i| self.received[i])
    }

    /// Every message the user has had: at the start and delivered since.
    pub fn total(&self, address: &MsMailAddress) -> u32 {
        self.by_address
            .get(address)
            .map_or(0, |&i| self.initial[i] + self.received[i])
    }

    /// OP-DELIVER: `count` new messages wait for the user, with new ids and the date
    /// they carry, if any (F-DATE).
    pub fn deliver(
        &mut self,
        address: &MsMailAddress,
        count: u32,
        date: Option<MailDate>,
    ) -> Result<(), DeliverError> {
        let &i = self
            .by_address
            .get(address)
            .ok_or(DeliverError::NoSuchUser)?;
        let total = self.initial[i] + self.received[i];
        total.checked_add(count).ok_or(DeliverError::TooMany)?;
        if planted(Mistake::DroppedDelivery) {
            return Ok(());
        }
        if count > 0 {
            self.waiting[i].push(Messages {
                first: self.next_id + 1,
                count: u64::from(count),
                owner: self.users[i].address.clone(),
                date,
            });
            self.next_id += u64::from(count);
        }
        self.received[i] += count;
        Ok(())
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

    /// How many of the user's messages still wait in MS Mail.
    pub fn waiting(&self, address: &MsMailAddress) -> u64 {
        self.by_address
            .get(address)
            .map_or(0, |&i| self.waiting[i].iter().map(|m| m.count).sum())
    }

    /// The user's waiting mail, as runs of ids, left where it is.
    pub fn waiting_runs(&self, address: &MsMailAddress) -> Vec<Messages> {
        match self.by_address.get(address) {
            Some(&i) => self.waiting[i].clone(),
            None => Vec::new(),
        }
    }

    /// Takes the user's waiting mail out of MS Mail, to be migrated.
    pub fn take_waiting(&mut self, address: &MsMailAddress) -> Vec<Messages> {
        match self.by_address.get(address) {
            Some(&i) => std::mem::take(&mut self.waiting[i]),
            None => Vec::new(),
        }
    }

    /// Every message still waiting, any user.
    pub fn all_waiting(&self) -> impl Iterator<Item = &Messages> {
        self.waiting.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::PostOffice;
    use crate::vocabulary::setup::MsMailUser;

    #[test]
    fn no_mail_is_no_batch_of_mail() {
        // Mail waits in batches of consecutive ids; a batch of none would be migrated and
        // counted as a batch. Neither a user without mail nor a delivery of none makes one.
        let jdoe = MsMailUser::new("NET1/PO1/JDOE".parse().unwrap(), 0);
        let mut po = PostOffice::new(std::slice::from_ref(&jdoe));
        assert!(po.take_waiting(&jdoe.address).is_empty());
        po.deliver(&jdoe.address, 0, None).unwrap();
        assert!(po.take_waiting(&jdoe.address).is_empty());
        po.deliver(&jdoe.address, 2, None).unwrap();
        let batches = po.take_waiting(&jdoe.address);
        assert_eq!(
            (batches.len(), batches[0].first, batches[0].count),
            (1, 1, 2)
        );
    }
}
