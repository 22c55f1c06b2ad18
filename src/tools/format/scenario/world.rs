//! The world counted before the TOML parser builds anything (issue 35, item 7): every
//! user and every step, in every form TOML allows a scenario to write them (`[[users]]`,
//! `[[steps]]` and `[[clients.steps]]` headers, and tables inside `users = [ … ]` and
//! `steps = [ … ]` lists, inline or nested in a client), so that a world past the limit
//! is refused at the entry that passes it, in one pass over the text, without the memory
//! a parse of it would take.
//!
//! This is a scan, not a parser: it knows strings, comments, brackets and keys, enough to
//! tell an entry from text that looks like one. What it lets through, the parser judges.

/// The byte offset of the entry that makes the world larger than `limit`, if any: for
/// `users = [{a=1}, {a=2}]` and a limit of 1, the second `{`.
pub(super) fn entry_past(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut count = 0usize;
    let mut i = 0;
    // Open lists and inline tables: for a list, whether its tables are entries.
    let mut open: Vec<Option<bool>> = Vec::new();
    // The last key read: a list opened after it is an entry list when it is one of these.
    let mut key: &[u8] = b"";
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = open.is_empty();
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => i = line_end(b, i),
            b'"' | b'\'' => {
                let end = string_end(b, i);
                key = b.get(i + 1..end.saturating_sub(1)).unwrap_or(b"");
                i = end;
            }
            b'[' if line_start => {
                // A table header: `[[users]]`, `[[ clients.steps ]]`, `[postoffice]`.
                let end = line_end(b, i);
                let header = &b[i..end];
                if is_entry_header(header) {
                    count += 1;
                    if count > limit {
                        return Some(i);
                    }
                }
                // Only a comment may follow a header on its line.
                i = header
                    .iter()
                    .position(|&c| c == b'#')
                    .map_or(end, |p| i + p);
            }
            b'[' => {
                let entries =
                    matches!(key, b"users" | b"steps") || matches!(open.last(), Some(Some(true)));
                open.push(Some(entries));
                i += 1;
            }
            b'{' => {
                if matches!(open.last(), Some(Some(true))) {
                    count += 1;
                    if count > limit {
                        return Some(i);
                    }
                }
                open.push(None);
                i += 1;
            }
            b']' | b'}' => {
                open.pop();
                i += 1;
            }
            b'=' | b',' => i += 1,
            _ => {
                // A bare key, or a value (a number, a boolean, a date): the last dotted
                // part is what a list after it would be named by.
                let end = b[i..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || b"_-.:+".contains(c)))
                    .map_or(b.len(), |p| i + p.max(1));
                let word = &b[i..end];
                key = word.rsplit(|&c| c == b'.').next().unwrap_or(word);
                i = end;
            }
        }
        line_start = false;
    }
    None
}

/// Whether a table header line opens an entry: `[[users]]`, `[[steps]]` or
/// `[[clients.steps]]`, spaces allowed inside the brackets.
fn is_entry_header(header: &[u8]) -> bool {
    let Some(rest) = header.strip_prefix(b"[[") else {
        return false;
    };
    let name: Vec<u8> = rest
        .iter()
        .take_while(|&&c| c != b']')
        .filter(|c| !c.is_ascii_whitespace())
        .copied()
        .collect();
    matches!(name.as_slice(), b"users" | b"steps" | b"clients.steps")
}

/// Where the line holding `i` ends (its `\n`, or the end of the text).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// Just past the string that starts at `i`: basic (`"…"`, escapes), literal (`'…'`), or
/// either kind tripled over several lines. An unclosed string ends at the text's end (a
/// one-line string at its line's end): the parser will say what is wrong with it.
fn string_end(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let triple = b.get(i..i + 3) == Some(&[quote; 3][..]);
    let mut j = i + if triple { 3 } else { 1 };
    while j < b.len() {
        match b[j] {
            b'\\' if quote == b'"' => j += 2,
            b'\n' if !triple => return j,
            c if c == quote => {
                if !triple {
                    return j + 1;
                }
                if b.get(j..j + 3) == Some(&[quote; 3][..]) {
                    // A closing triple may be followed by up to two more quotes.
                    let mut end = j + 3;
                    while end < b.len() && b[end] == quote && end < j + 5 {
                        end += 1;
                    }
                    return end;
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::entry_past;

    #[test]
    fn every_form_of_an_entry_counts() {
        let forms = [
            "[[users]]\naddress = \"A/B/C\"\n[[steps]]\nop = \"x\"\n[[steps]]\nop = \"y\"\n",
            "users = [{address = \"A/B/C\"}, {address = \"A/B/D\"}]\nsteps = [{op = \"x\"}]\n",
            "users = [\n  { address = \"A/B/C\" },\n  { address = \"A/B/D\" },\n]\n[[clients]]\nname = \"c\"\nsteps = [{ op = \"x\" }]\n",
            "[[clients]]\nname = \"c\"\n[[clients.steps]]\nop = \"x\"\n[[ clients.steps ]]\nop = \"y\"\n[[users]]\n",
            "clients = [{ name = \"c\", steps = [{op = \"x\"}, {op = \"y\"}] }]\nusers = [{a = 1}]\n",
        ];
        for text in forms {
            assert_eq!(entry_past(text, 3), None, "{text}");
            let at = entry_past(text, 2).unwrap_or_else(|| panic!("three not counted: {text}"));
            assert!(text[at..].starts_with(['{', '[']), "{text} at {at}");
        }
    }

    #[test]
    fn look_alikes_in_strings_comments_and_other_lists_do_not_count() {
        let text = "name = \"[[users]] users = [{a}]\"\n# [[steps]]\ndescription = '''\n[[users]]\nsteps = [{}]\n'''\nx = \"\"\"\n{ \\\"\"\"\"\n[[steps]] # a comment: [[users]]\nop = \"wizard\"\nusers = [\"A/B/C\", \"A/B/D\"]\nother = [{a = 1}, {a = 2}]\n";
        assert_eq!(entry_past(text, 1), None);
        assert_eq!(entry_past(text, 0), text.find("[[steps]] #"));
    }
}
