//! Recipients containers (A-CONT): the part of the site a mailbox or custom recipient lives
//! in. A name as written, parsed and shown; which container is the default, and that names
//! are compared without case, each half of migwiz decides for itself (the model in
//! `model/`, the server in `server/addressing.rs`).

use std::fmt;
use std::str::FromStr;

use crate::vocabulary::shown;

/// A recipients container's name as written: 1 to 64 letters, digits, spaces or `-`
/// (A-CONT). Equality here is the text's; A-CONT's comparison without case is each half's.
///
/// ```
/// use migwiz::Container;
/// let sales: Container = "Sales".parse()?;
/// assert_eq!(sales.as_str(), "Sales");
/// assert_ne!(sales, "SALES".parse()?); // the same container to A-CONT, another text here
/// assert!("Sales/East".parse::<Container>().is_err());
/// # Ok::<(), migwiz::vocabulary::container::BadContainer>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Container(std::sync::Arc<str>); // shared: copied into every state the checker visits

impl Container {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A container name that breaks A-CONT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("container {} {problem}; A-CONT wants 1 to 64 letters, digits, spaces or '-', e.g. Sales", shown(.input))]
pub struct BadContainer {
    /// The text as given.
    pub input: String,
    /// What is wrong with it.
    pub problem: String,
}

impl FromStr for Container {
    type Err = BadContainer;
    fn from_str(input: &str) -> Result<Container, BadContainer> {
        let bad = input
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == ' ' || *c == '-'));
        let problem = if input.trim().is_empty() {
            Some("is empty".to_string())
        } else if let Some(c) = bad {
            Some(format!("contains {c:?}"))
        } else if input.chars().count() > 64 {
            Some(format!(
                "is {} characters long, more than 64",
                input.chars().count()
            ))
        } else {
            None
        };
        match problem {
            Some(problem) => Err(BadContainer {
                input: input.to_string(),
                problem,
            }),
            None => Ok(Container(input.into())),
        }
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_takes_spaces_hyphens_and_64_characters_exactly() {
        assert!("New York-2".parse::<Container>().is_ok());
        let longest = "C".repeat(64);
        assert!(longest.parse::<Container>().is_ok(), "64 characters");
        let e = format!("{longest}C").parse::<Container>().unwrap_err();
        assert!(e.problem.contains("65 characters"), "{e}");
        let e = "Sales/East".parse::<Container>().unwrap_err();
        assert!(e.problem.contains("'/'"), "{e}");
    }
}
