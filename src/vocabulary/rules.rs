//! The rule ids of `spec/RULES.md`, `spec/RULES-PART2.md` and `spec/RULES-PART4.md`, as a
//! type.
//!
//! `grep -rn W-2-55 src` finds where a rule is decided, in the model and in the server.
//!
//! Every step of a run says which rules decided it, so a reader can go from an outcome to
//! its source. The ids are exactly the ones in the rules' tables and invariant list.

use std::fmt;

macro_rules! rule_ids {
    ($($variant:ident => $id:literal, $doc:literal;)*) => {
        /// One rule of `spec/RULES.md`, named by its id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $(#[doc = $doc] $variant,)*
        }

        impl RuleId {
            /// Every rule: operations, wizard rules, world rules, invariants. Sets of
            /// rules sort in this order, so a transcript names the operation first.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id as `RULES.md` writes it, e.g. `"W-7026"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }
        }
    };
}

rule_ids! {
    OpCreate => "OP-CREATE", "Administrator creates a mailbox.";
    OpLogon => "OP-LOGON", "A client logs on to a mailbox in a language.";
    OpProxy => "OP-PROXY", "Administrator adds a proxy address.";
    OpUnproxy => "OP-UNPROXY", "Administrator removes a proxy address.";
    OpCr => "OP-CR", "Directory synchronisation creates a custom recipient.";
    OpStep1 => "OP-STEP1", "Wizard step one: create mailboxes.";
    OpStep2 => "OP-STEP2", "Wizard step two: migrate mail.";
    OpFull => "OP-FULL", "Wizard one-step run.";
    W1 => "W-1", "5.5 step one creates a mailbox with a MIGRATE proxy.";
    W1Cr => "W-1-CR", "5.5 step one replaces a custom recipient.";
    W1CrRtm => "W-1-CR-RTM", "5.5 before SP1 writes no MIGRATE proxy on the custom-recipient path.";
    W150 => "W-1-50", "5.0 step one: alias from the mailbox name, no MIGRATE, custom recipient kept.";
    W1Exist => "W-1-EXIST", "Step one creates nothing for a user whose mailbox the version can find.";
    W255 => "W-2-55", "5.5 step two finds the mailbox by MIGRATE proxy.";
    W255Sp => "W-2-55SP", "5.5 SP1 falls back to the user's MS proxy.";
    W250 => "W-2-50", "5.0 step two finds the mailbox by alias.";
    WOpen => "W-OPEN", "The wizard's logon creates missing folders in the server's language.";
    W7026 => "W-7026", "No mailbox found: event 7026 and the run stops.";
    WOnce => "W-ONCE", "A migrated message is not migrated again.";
    AMs => "A-MS", "MS Mail address NETWORK/POSTOFFICE/MAILBOX.";
    AAlias => "A-ALIAS", "Alias syntax and uniqueness among all recipients.";
    AProxy => "A-PROXY", "Proxy address TYPE:value; case of the type marks primary or secondary.";
    AUnique => "A-UNIQUE", "An address belongs to at most one recipient.";
    ASite => "A-SITE", "A new mailbox's SMTP, X400 and MS addresses.";
    ACr => "A-CR", "Custom recipient for an MS Mail user.";
    AStore => "A-STORE", "Default folders created at first open; migrated mail goes to the Inbox.";
    ALang => "A-LANG", "Folder names per client language.";
    ALog => "A-LOG", "Application event log entries.";
    IConserve => "I-CONSERVE", "Every message is in exactly one place.";
    IOwner => "I-OWNER", "5.5 delivers only into mailboxes bound to the owner.";
    IUnique => "I-UNIQUE", "No alias or address held twice.";
    IAbort => "I-ABORT", "A 7026 step leaves the failing user's mail where it was.";
    // Part 2 (RULES-PART2.md).
    ACont => "A-CONT", "Recipients containers; Recipients is the default.";
    ADn => "A-DN", "Directory names, unique within a container.";
    AMmf => "A-MMF", "The MS Mail message file: locked by an open client, out of step after a recovery.";
    AAdmin => "A-ADMIN", "ADMIN migrates into a mailbox named after the post office; ADMINSCH never migrates.";
    AList => "A-LIST", "The user list file and its columns.";
    OpClient => "OP-CLIENT", "An MS Mail user opens or closes the MS Mail client.";
    OpRecover => "OP-RECOVER", "The MS Mail administrator recovers a user's password.";
    OpDeliver => "OP-DELIVER", "New mail arrives for an MS Mail user.";
    OpExtract => "OP-EXTRACT", "Two-step migration, first step: extract a user list.";
    OpEdit => "OP-EDIT", "The administrator edits one field of one row of the user list.";
    OpImport => "OP-IMPORT", "The wizard runs from the user list.";
    WList => "W-LIST", "From a user list, step one uses the row's Common-Name and secondary proxies.";
    WListUpdate => "W-LIST-UPDATE", "A row with an empty Mode updates the mailbox with that directory name.";
    WCont => "W-CONT", "5.0 finds the mailbox in another container: event 147.";
    WCont55 => "W-CONT-55", "5.5 finds mailboxes in every container; converts a custom recipient only in the target container.";
    W7007 => "W-7007", "A locked or out-of-step MMF: event 7007.";
    W7044 => "W-7044", "A Service Account Admin migrating more than one user: event 7044 for each.";
    W7034 => "W-7034", "5.5 before SP1, command line with a user list: event 7034 for every row.";
    W10068 => "W-10068", "Every wizard step ends with the summary event 10068.";
    ISummary => "I-SUMMARY", "Every wizard step logs one 10068, last, whose counts equal what it did.";
    ILocked => "I-LOCKED", "No step moves mail out of a locked or out-of-step MMF.";
    // Part 4 (RULES-PART4.md).
    FFiles => "F-FILES", "The administrator's files, named by Windows paths.";
    FCsv => "F-CSV", "The user list file as CSV text.";
    FAccounts => "F-ACCOUNTS", "The accounts file: one mailbox name per line.";
    FAdmin => "F-ADMIN", "The post office's administrator account and password.";
    FSched => "F-SCHED", "A user's Schedule+ data.";
    FDate => "F-DATE", "Dated MS Mail messages.";
    OpMailmig => "OP-MAILMIG", "The administrator runs mailmig with a control file.";
    OpFile => "OP-FILE", "The administrator writes a file or one field of a user list file.";
    BLine => "B-LINE", "Each control file line is Keyword,Value.";
    BMode => "B-MODE", "The first line must be Mode; MSMAILPC is modelled.";
    BRequired => "B-REQUIRED", "Postoffice, File and the administrator's logon are required.";
    BValues => "B-VALUES", "Each keyword's value must be one it takes.";
    BUnneeded => "B-UNNEEDED", "Keywords MSMAILPC ignores warn; unknown keywords stop the run.";
    BStop => "B-STOP", "A stopped run changes nothing; result code 2.";
    BFunc => "B-FUNC", "FULL, EXTRACT or IMPORT.";
    BAccounts => "B-ACCOUNTS", "The accounts file chooses the users; an unknown name logs 7034.";
    BEmail => "B-EMAIL", "Email,FALSE moves no message.";
    BDates => "B-DATES", "EmailStart and EmailEnd bound the dated messages moved.";
    BSched => "B-SCHED", "5.5 migrates the schedule and sends Migrated Calendar Information.";
    BSched50 => "B-SCHED-50", "5.0 migrates the schedule and sends no message.";
    B7032 => "B-7032", "5.5 before SP1 reads the user list's header as a user: event 7032.";
    BHome => "B-HOME", "A row whose Home-Server is another server: event 7032, not migrated.";
    BResult => "B-RESULT", "The result code: 2 errors, 1 warnings, 0 neither.";
    IResult => "I-RESULT", "A batch run's result code is what its events and warnings say.";
    IFiles => "I-FILES", "A stopped run changes nothing; EXTRACT changes only its file.";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_id_prints_as_the_spec_writes_it() {
        assert_eq!(RuleId::W255.to_string(), "W-2-55");
        assert_eq!(format!("{}", RuleId::ISummary), "I-SUMMARY");
    }
}
