//! The administrator's files in the reference model (RULES-PART4.md F-FILES, F-CSV,
//! F-ACCOUNTS, OP-FILE): a list of paths and texts, looked up by a loop.

use super::{same, File, Model};
use crate::vocabulary::files::{csv_line, lines, split_csv};
use crate::vocabulary::outcome::{Refusal, StepResult};
use crate::vocabulary::rules::RuleId::*;

/// F-FILES: two paths name one file when they are equal without case, `/` read as `\`.
pub fn same_path(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.is_ascii() && b.is_ascii() {
        // The usual case, compared in place: this runs on every file lookup of every step.
        let fold = |c: u8| {
            if c == b'/' {
                b'\\'
            } else {
                c.to_ascii_uppercase()
            }
        };
        return a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y));
    }
    let key = |p: &str| p.to_uppercase().replace('/', "\\");
    key(a) == key(b)
}

/// The file at `path`, if the world has one.
pub fn find<'f>(files: &'f [File], path: &str) -> Option<&'f File> {
    files.iter().find(|f| same_path(&f.path, path))
}

/// The key files are listed by: the path without case, `/` read as `\`.
fn sort_key(path: &str) -> String {
    path.trim().to_uppercase().replace('/', "\\")
}

/// OP-FILE, the whole text: replaces the file's text, or adds the file where the list,
/// kept sorted as the report lists it, puts it.
pub fn write(files: &mut Vec<File>, path: &str, text: &str) {
    for f in files.iter_mut() {
        if same_path(&f.path, path) {
            f.text = text.to_string();
            return;
        }
    }
    let key = sort_key(path);
    let at = files
        .iter()
        .position(|f| sort_key(&f.path) > key)
        .unwrap_or(files.len());
    let file = File {
        path: path.to_string(),
        text: text.to_string(),
    };
    files.insert(at, file);
}

/// A user list file read (F-CSV): its column names and its rows, each with its line
/// number and fields.
pub struct UserListFile {
    /// The header's names.
    pub header: Vec<String>,
    /// (line number, fields) of every row that is not blank.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl UserListFile {
    /// The place of a column, found by name without case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| same(h.trim(), name))
    }
}

/// F-CSV: the file read as a user list, or why it is not one (line, column, what).
pub fn read_user_list(text: &str) -> Result<UserListFile, (usize, usize, String)> {
    let all = lines(text);
    let Some(first) = all.first() else {
        return Err((1, 1, "it has no SFS_UserName column".to_string()));
    };
    let header = split_csv(first).map_err(|q| (1, q.column, unclosed()))?;
    let file = UserListFile {
        header,
        rows: Vec::new(),
    };
    if file.column("SFS_UserName").is_none() {
        return Err((1, 1, "it has no SFS_UserName column".to_string()));
    }
    let mut rows = Vec::new();
    for (i, line) in all.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv(line).map_err(|q| (i + 1, q.column, unclosed()))?;
        if fields.len() != file.header.len() {
            let what = format!(
                "it has {} fields and the header has {}",
                fields.len(),
                file.header.len()
            );
            return Err((i + 1, 1, what));
        }
        rows.push((i + 1, fields));
    }
    Ok(UserListFile { rows, ..file })
}

fn unclosed() -> String {
    "a quote opened here is never closed".to_string()
}

/// F-ACCOUNTS: one mailbox name per line, blank lines skipped, a name listed twice
/// counted once (without case).
pub fn read_accounts(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in lines(text) {
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        if !names.iter().any(|n| same(n, name)) {
            names.push(name.to_string());
        }
    }
    names
}

impl Model {
    /// OP-FILE, one field: the row whose `SFS_UserName` is `user`, the column `field`;
    /// refused for no file, a file that is not a user list, no such column or row. The
    /// value is the administrator's text: the batch run judges it.
    pub(super) fn edit_file(
        &mut self,
        path: &str,
        user: &str,
        field: &str,
        value: &str,
    ) -> StepResult {
        let rules = [OpFile, FFiles, FCsv];
        let Some(file) = find(&self.files, path) else {
            let path = path.to_string();
            return StepResult::refused(Refusal::NoSuchFile { path }, [OpFile, FFiles]);
        };
        let list = match read_user_list(&file.text) {
            Ok(list) => list,
            Err((line, column, what)) => {
                let why = format!("line {line}, column {column}: {what}");
                let path = file.path.clone();
                return StepResult::refused(Refusal::NotAUserList { path, why }, rules);
            }
        };
        let Some(column) = list.column(field) else {
            let r = Refusal::NoColumn {
                path: file.path.clone(),
                field: field.to_string(),
            };
            return StepResult::refused(r, rules);
        };
        let name_column = list.column("SFS_UserName").unwrap_or(0);
        let mut found = None;
        for (line, fields) in &list.rows {
            if same(fields[name_column].trim(), user.trim()) {
                found = Some((*line, fields.clone()));
                break;
            }
        }
        let Some((line, mut fields)) = found else {
            let r = Refusal::NoFileRow {
                path: file.path.clone(),
                user: user.to_string(),
            };
            return StepResult::refused(r, rules);
        };
        fields[column] = value.to_string();
        // The row's line is written again; every other line, and every line end, stays.
        let mut text = String::new();
        for (i, piece) in file.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let end = if piece.ends_with("\r\n") {
                    "\r\n"
                } else if piece.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                text.push_str(&csv_line(&fields));
                text.push_str(end);
            } else {
                text.push_str(piece);
            }
        }
        let path = file.path.clone();
        write(&mut self.files, &path, &text);
        StepResult::ok(rules)
    }
}
