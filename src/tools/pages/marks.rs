//! Words that differ, marked (issue 38): where two versions' cells, event logs or final
//! states say different things, the words that differ are drawn in `<mark>`, so that a
//! reader finds "JDOE (alias)" against "JDOE2 (MIGRATE)" without reading both cells.
//!
//! Texts are compared as lists of parts (a cell's lines, a log's events): parts one text
//! shares with the other, in order, are left plain (a longest common subsequence); a part
//! with no partner is compared word by word with the part of the other text, in the same
//! gap, that shares the most words with it, or marked whole when there is none.

use maud::{html, Markup};

use crate::vocabulary::printable;

/// A part's words, each with whether it differs; the spaces between words never do.
pub type Marked = Vec<(String, bool)>;

/// Each of `texts` (one per version, as lists of parts) with its differing words marked:
/// a word differs when some other text that is not equal to this one has no partner for
/// it. Texts all equal have no mark.
///
/// ```
/// use migwiz::tools::pages::marks::marked;
/// let a = vec!["created JDOE".to_string(), "JDOE (alias)".to_string()];
/// let b = vec!["created JDOE".to_string(), "JDOE2 (MIGRATE)".to_string()];
/// let out = marked(&[a, b]);
/// let differing: Vec<&str> = out[0][1].iter().filter(|w| w.1).map(|w| w.0.as_str()).collect();
/// assert_eq!(differing, ["JDOE", "(alias)"]);
/// assert!(out[1][0].iter().all(|w| !w.1), "the shared line is plain");
/// ```
pub fn marked(texts: &[Vec<String>]) -> Vec<Vec<Marked>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut parts: Vec<Marked> = text
                .iter()
                .map(|p| words(p).into_iter().map(|w| (w, false)).collect())
                .collect();
            for (j, other) in texts.iter().enumerate() {
                if i == j || other == text {
                    continue;
                }
                for (part, flags) in parts.iter_mut().zip(differing(text, other)) {
                    for (word, differs) in part.iter_mut().zip(flags) {
                        word.1 |= differs;
                    }
                }
            }
            parts
        })
        .collect()
}

/// A part drawn: its words, the differing ones in `<mark>`.
pub fn show(part: &Marked) -> Markup {
    html! {
        @for (word, differs) in part {
            @if *differs { mark { (printable(word)) } } @else { (printable(word)) }
        }
    }
}

/// Parts drawn one to a line, their differing words in `<mark>`.
pub fn show_parts(parts: &[Marked]) -> Markup {
    html! {
        @for (k, part) in parts.iter().enumerate() {
            @if k > 0 { "\n" }
            (show(part))
        }
    }
}

/// A part's words and the spaces between them, in order: joined, they are the part.
fn words(part: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in part.chars() {
        let space = c.is_whitespace();
        match out.last_mut() {
            Some(last) if last.chars().next().is_some_and(|l| l.is_whitespace()) == space => {
                last.push(c)
            }
            _ => out.push(c.to_string()),
        }
    }
    out
}

/// For each part of `a`, for each of its words, whether `b` has no partner for it.
fn differing(a: &[String], b: &[String]) -> Vec<Vec<bool>> {
    let pairs = common(a, b, |x, y| x == y);
    let mut out: Vec<Vec<bool>> = a.iter().map(|p| vec![false; words(p).len()]).collect();
    // The gaps between shared parts: a part of `a` in a gap is compared word by word with
    // its partner in `b`'s gap, the pairs sharing most words first (a 10068 with the other
    // 10068, not with the 7026 logged before it), each part once.
    let (mut ia, mut ib) = (0, 0);
    for &(pa, pb) in pairs.iter().chain(std::iter::once(&(a.len(), b.len()))) {
        let mine: Vec<Vec<String>> = a[ia..pa].iter().map(|p| words(p)).collect();
        let theirs: Vec<Vec<String>> = b[ib..pb].iter().map(|p| words(p)).collect();
        for (k, (part, kept)) in mine.iter().zip(partners(&mine, &theirs)).enumerate() {
            let mut flags: Vec<bool> = part.iter().map(|w| !w.trim().is_empty()).collect();
            for x in kept {
                flags[x] = false;
            }
            out[ia + k] = flags;
        }
        (ia, ib) = (pa + 1, pb + 1);
    }
    out
}

/// For each of `mine`, the places of its words that its partner among `theirs` shares:
/// pairs are made best first (most words shared; spaces do not count), each part in one
/// pair at most; a part with no partner shares nothing. Past [`MOST_PAIRS`] pairs, parts
/// pair by place.
fn partners(mine: &[Vec<String>], theirs: &[Vec<String>]) -> Vec<Vec<usize>> {
    let shared = |x: &[String], y: &[String]| -> Vec<usize> {
        let kept = common(x, y, |p, q| p == q);
        kept.into_iter()
            .map(|(i, _)| i)
            .filter(|&i| !x[i].trim().is_empty())
            .collect()
    };
    if mine.len() * theirs.len() > MOST_PAIRS {
        return (0..mine.len())
            .map(|k| theirs.get(k).map_or_else(Vec::new, |t| shared(&mine[k], t)))
            .collect();
    }
    let mut pairs: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (k, m) in mine.iter().enumerate() {
        for (j, t) in theirs.iter().enumerate() {
            let kept = shared(m, t);
            if !kept.is_empty() {
                pairs.push((k, j, kept));
            }
        }
    }
    pairs.sort_by_key(|(k, j, kept)| (std::cmp::Reverse(kept.len()), *k, *j));
    let (mut mine_taken, mut theirs_taken) = (vec![false; mine.len()], vec![false; theirs.len()]);
    let mut out = vec![Vec::new(); mine.len()];
    for (k, j, kept) in pairs {
        if !mine_taken[k] && !theirs_taken[j] {
            (mine_taken[k], theirs_taken[j]) = (true, true);
            out[k] = kept;
        }
    }
    out
}

/// The most pairs of parts of two gaps whose words are compared to find partners; past it,
/// parts pair by place.
const MOST_PAIRS: usize = 400;

/// The most cells a longest common subsequence is worked out in; past it, parts pair only
/// where they are equal at the same place (a log of thousands of events stays quick).
const MOST_CELLS: usize = 4_000_000;

/// A longest common subsequence of `a` and `b`: the pairs of places that match, in order.
fn common<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    if a.len().saturating_mul(b.len()) > MOST_CELLS {
        return (0..a.len().min(b.len()))
            .filter(|&k| same(&a[k], &b[k]))
            .map(|k| (k, k))
            .collect();
    }
    // length[i][j]: the longest common subsequence of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut length = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            length[i * width + j] = if same(&a[i], &b[j]) {
                length[(i + 1) * width + j + 1] + 1
            } else {
                length[(i + 1) * width + j].max(length[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if same(&a[i], &b[j]) {
            pairs.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if length[(i + 1) * width + j] >= length[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn differing_words(m: &[Marked]) -> Vec<String> {
        m.iter()
            .flatten()
            .filter(|w| w.1)
            .map(|w| w.0.clone())
            .collect()
    }

    #[test]
    fn equal_texts_have_no_mark() {
        let t = parts("ok\ncreated JDOE");
        let out = marked(&[t.clone(), t.clone(), t]);
        assert!(out.iter().all(|m| differing_words(m).is_empty()));
    }

    #[test]
    fn a_part_with_no_partner_is_marked_whole_and_the_rest_stays_plain() {
        let a = parts("ok\nkept JDOE\nNET1/PO1/JDOE 2 -> JDOE (alias)");
        let b = parts("ok\nNET1/PO1/JDOE 2 -> JDOE (alias)");
        let out = marked(&[a, b]);
        assert_eq!(differing_words(&out[0]), ["kept", "JDOE"]);
        assert!(differing_words(&out[1]).is_empty());
    }

    #[test]
    fn a_part_is_compared_with_its_likeliest_partner() {
        // The 7026 shares its header with the 10068 of the other log, but the other 10068
        // shares more: the two 10068s pair, and the 7026 is marked whole.
        let a = parts("Event ID: 10068 Errors: 0");
        let b = parts("Event ID: 7026 failure\nEvent ID: 10068 Errors: 1");
        let out = marked(&[a, b]);
        assert_eq!(differing_words(&out[0]), ["0"]);
        assert_eq!(
            differing_words(&out[1]),
            ["Event", "ID:", "7026", "failure", "1"]
        );
    }

    #[test]
    fn words_joined_are_the_part() {
        let text = "  two  spaces\tand a tab ";
        assert_eq!(words(text).concat(), text);
    }

    #[test]
    fn a_long_log_pairs_parts_in_place() {
        let a: Vec<String> = (0..3000).map(|k| format!("event {k}")).collect();
        let mut b = a.clone();
        b[1500] = "event changed".into();
        let out = marked(&[a, b]);
        assert_eq!(differing_words(&out[0]), ["1500"]);
    }
}
