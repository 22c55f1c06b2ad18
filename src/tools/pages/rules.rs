//! The rules' own words, embedded: a page links each rule id it shows to its text, so the
//! page needs no other file (issue 26).

/// The specification files whose tables define rules, as this crate vendors them.
const SOURCES: [&str; 4] = [
    include_str!("../../../spec/RULES.md"),
    include_str!("../../../spec/RULES-PART2.md"),
    include_str!("../../../spec/CONCURRENCY.md"),
    include_str!("../../../spec/RULES-PART4.md"),
];

/// The text of rule `id` (`"W-7026"`): the cells after the id in the row of the table that
/// defines it, joined, with Markdown's bold marks taken out; `None` for an unknown id.
///
/// ```
/// let text = migwiz::tools::pages::rules::text("W-7026").unwrap();
/// assert!(text.contains("7026"));
/// assert!(migwiz::tools::pages::rules::text("X-NONE").is_none());
/// ```
pub fn text(id: &str) -> Option<String> {
    let row = format!("| {id} |");
    let bullet = format!("- {id}");
    for source in SOURCES {
        let lines: Vec<&str> = source.lines().collect();
        for (k, line) in lines.iter().enumerate() {
            if line.starts_with(&row) {
                let cells: Vec<&str> = line
                    .trim_matches('|')
                    .split(" | ")
                    .skip(1)
                    .map(str::trim)
                    .collect();
                return Some(cells.join(": ").replace("**", ""));
            }
            // An invariant is a bullet (`- I-OWNER (…): …`), wrapped over indented lines.
            let rest = line.strip_prefix(&bullet);
            if rest.is_some_and(|r| r.starts_with(':') || r.starts_with(" (")) {
                let mut text = line[2..].to_string();
                for more in lines[k + 1..]
                    .iter()
                    .take_while(|l| l.starts_with("  ") && !l.trim_start().starts_with("- "))
                {
                    text.push(' ');
                    text.push_str(more.trim());
                }
                return Some(text.replace("**", ""));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::rules::RuleId;

    #[test]
    fn every_rule_the_code_names_has_its_text() {
        for id in RuleId::ALL {
            assert!(text(id.as_str()).is_some(), "no text for {}", id.as_str());
        }
    }
}
