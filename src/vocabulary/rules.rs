//! The rule ids of `spec/RULES.md`, as a type.
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
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
