//! The first thing two observations (or two step results) differ in, said in words:
//! "mailbox ADMIN2's third folder: model \"Elementos enviados\", implementation
//! \"Elementos enviado\"". The state machine test prints it before any dump, so that a
//! reader need not compare two whole states by eye.
//!
//! ```
//! use migwiz::harness::difference::first_difference;
//! use migwiz::vocabulary::observation::{MailboxView, Observation};
//!
//! let mut model = Observation::default();
//! model.mailboxes.push(MailboxView { alias: "ADMIN2".into(), folders: vec!["Inbox", "Outbox", "Sent Items"], ..Default::default() });
//! let mut implementation = model.clone();
//! implementation.mailboxes[0].folders[2] = "Sent Item";
//! assert_eq!(
//!     first_difference(&model, &implementation).unwrap(),
//!     "mailbox ADMIN2's third folder: model \"Sent Items\", implementation \"Sent Item\""
//! );
//! assert_eq!(first_difference(&model, &model), None);
//! ```

use std::fmt::Debug;

use crate::vocabulary::observation::{MailboxView, Observation};
use crate::vocabulary::outcome::StepResult;

/// `first`, `second`, … `tenth`, then `11th`, `12th`, …
pub fn ordinal(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    match WORDS.get(n.wrapping_sub(1)) {
        Some(word) => word.to_string(),
        None => {
            let suffix = match (n % 10, n % 100) {
                (1, r) if r != 11 => "st",
                (2, r) if r != 12 => "nd",
                (3, r) if r != 13 => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

fn said<T: Debug>(what: &str, model: &T, implementation: &T) -> String {
    format!("{what}: model {model:?}, implementation {implementation:?}")
}

fn equal<T: Debug + PartialEq>(what: &str, model: &T, implementation: &T) -> Option<String> {
    (model != implementation).then(|| said(what, model, implementation))
}

/// The first difference of two lists, element by element, then in length. `owner` is
/// what holds the list (`"mailbox JDOE's "`, or `""`), `one` the name of an element.
fn in_list<T: Debug>(
    owner: &str,
    one: &str,
    model: &[T],
    implementation: &[T],
    each: impl Fn(&str, &T, &T) -> Option<String>,
) -> Option<String> {
    for (k, (m, i)) in model.iter().zip(implementation).enumerate() {
        let name = format!("{owner}{} {one}", ordinal(k + 1));
        if let Some(found) = each(&name, m, i) {
            return Some(found);
        }
    }
    let (m, i) = (model.len(), implementation.len());
    if m == i {
        return None;
    }
    let (more, fewer, extra) = if m > i {
        ("model", "implementation", &model[i])
    } else {
        ("implementation", "model", &implementation[m])
    };
    Some(format!(
        "{owner}{one}s: the model has {m}, the implementation {i}; the {more}'s {} {one} is missing from the {fewer}: {extra:?}",
        ordinal(m.min(i) + 1)
    ))
}

/// Each element compared whole.
fn whole<T: Debug + PartialEq>(what: &str, model: &T, implementation: &T) -> Option<String> {
    equal(what, model, implementation)
}

fn mailbox(what: &str, m: &MailboxView, i: &MailboxView) -> Option<String> {
    if m.alias != i.alias {
        return Some(said(&format!("the {what}'s alias"), &m.alias, &i.alias));
    }
    let owner = format!("mailbox {}'s ", m.alias);
    equal(&format!("{owner}container"), &m.container, &i.container)
        .or_else(|| {
            equal(
                &format!("{owner}directory name"),
                &m.directory_name,
                &i.directory_name,
            )
        })
        .or_else(|| in_list(&owner, "proxy", &m.proxies, &i.proxies, whole))
        .or_else(|| in_list(&owner, "folder", &m.folders, &i.folders, whole))
        .or_else(|| {
            equal(
                &format!("{owner}folder language"),
                &m.folder_language,
                &i.folder_language,
            )
        })
        .or_else(|| in_list(&owner, "mail entry", &m.mail, &i.mail, whole))
        .or_else(|| {
            equal(
                &format!("{owner}MS Mail user it was created for"),
                &m.created_for,
                &i.created_for,
            )
        })
}

/// The first difference between the model's observation and the implementation's, in
/// words; `None` when they are equal.
pub fn first_difference(model: &Observation, implementation: &Observation) -> Option<String> {
    // Equal on almost every step the test takes: compared whole first, words only after.
    if model == implementation {
        return None;
    }
    in_list(
        "",
        "event",
        &model.events,
        &implementation.events,
        |w, a, b| equal(&format!("the {w} (event {})", a.id), a, b),
    )
    .or_else(|| {
        in_list(
            "",
            "mailbox",
            &model.mailboxes,
            &implementation.mailboxes,
            mailbox,
        )
    })
    .or_else(|| {
        in_list(
            "",
            "custom recipient",
            &model.custom_recipients,
            &implementation.custom_recipients,
            |w, a, b| equal(&format!("the {w}"), a, b),
        )
    })
    .or_else(|| {
        in_list(
            "",
            "MS Mail user",
            &model.msmail,
            &implementation.msmail,
            |w, a, b| equal(&format!("the {w} ({})", a.address), a, b),
        )
    })
    .or_else(|| match (&model.user_list, &implementation.user_list) {
        (Some(m), Some(i)) => in_list("the user list's ", "row", m, i, whole),
        (m, i) => equal("whether a user list exists", &m.is_some(), &i.is_some()),
    })
}

/// The first difference between the model's step result and the implementation's, in
/// words; `None` when they are equal.
pub fn first_result_difference(model: &StepResult, implementation: &StepResult) -> Option<String> {
    if model == implementation {
        return None;
    }
    equal("the outcome", &model.outcome, &implementation.outcome)
        .or_else(|| {
            in_list(
                "the ",
                "per-user result",
                &model.users,
                &implementation.users,
                whole,
            )
        })
        .or_else(|| {
            let m: Vec<&str> = model.rules.iter().map(|r| r.as_str()).collect();
            let i: Vec<&str> = implementation.rules.iter().map(|r| r.as_str()).collect();
            equal("the rules cited", &m, &i)
        })
}
