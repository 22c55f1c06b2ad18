//! The administrator's files beside the server (RULES-PART4.md F-FILES, OP-FILE): texts
//! indexed by their Windows path, and the user list file read as a table (F-CSV).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::vocabulary::files::{csv_line, lines, split_csv_at, WinPath};
use crate::vocabulary::observation::FileView;
use crate::vocabulary::operation::CsvField;
use crate::vocabulary::outcome::Refusal;

/// The files, by path (compared as F-FILES says, through [`WinPath`]'s key), which also
/// keeps them in the order the report lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileStore {
    files: BTreeMap<WinPath, Arc<str>>,
}

impl FileStore {
    /// The store holding `files`; a path given twice keeps its last text.
    pub fn new(files: &[(WinPath, String)]) -> FileStore {
        let mut store = FileStore::default();
        for (path, text) in files {
            store.write(path, text);
        }
        store
    }

    /// The text at `path`, if there is a file.
    pub fn read(&self, path: &WinPath) -> Option<&str> {
        self.files.get(path).map(|t| &**t)
    }

    /// OP-FILE: the whole text; a file that exists keeps the path it was first written as.
    pub fn write(&mut self, path: &WinPath, text: &str) {
        match self.files.get_mut(path) {
            Some(held) => *held = text.into(),
            None => {
                self.files.insert(path.clone(), text.into());
            }
        }
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file, sorted by path without case, as the report shows it.
    pub fn view(&self) -> Vec<FileView> {
        self.files
            .iter()
            .map(|(path, text)| FileView {
                path: path.as_str().to_string(),
                text: text.to_string(),
            })
            .collect()
    }

    /// Every file with its text, sorted by path without case.
    pub fn iter(&self) -> impl Iterator<Item = (&WinPath, &str)> {
        self.files.iter().map(|(p, t)| (p, &**t))
    }

    /// The path a file is held under, as first written.
    pub fn held_path(&self, path: &WinPath) -> Option<&WinPath> {
        self.files.get_key_value(path).map(|(p, _)| p)
    }

    /// OP-FILE, one field: sets `field` of the row whose `SFS_UserName` is `user`. The
    /// value is not judged here: the batch run judges it.
    pub fn edit(
        &mut self,
        path: &WinPath,
        user: &str,
        field: CsvField,
        value: &str,
    ) -> Result<(), Refusal> {
        let Some((held, text)) = self.files.get_key_value(path) else {
            let path = path.to_string();
            return Err(Refusal::NoSuchFile { path });
        };
        let shown = held.to_string();
        let table = Table::read(text).map_err(|bad| Refusal::NotAUserList {
            path: shown.clone(),
            why: format!("line {}, column {}: {}", bad.line, bad.column, bad.what),
        })?;
        let column = table.column(field.as_str()).ok_or(Refusal::NoColumn {
            path: shown.clone(),
            field: field.to_string(),
        })?;
        let names = table.column("SFS_UserName").unwrap_or(0);
        let row = table
            .rows
            .iter()
            .find(|r| r.fields[names].1.trim().eq_ignore_ascii_case(user.trim()))
            .ok_or(Refusal::NoFileRow {
                path: shown,
                user: user.to_string(),
            })?;
        let mut fields: Vec<&str> = row.fields.iter().map(|(_, f)| f.as_str()).collect();
        fields[column] = value;
        let line = csv_line(&fields);
        // Only the row's line changes; every other byte stays, line ends included.
        let mut edited = String::with_capacity(text.len() + value.len());
        for (i, piece) in text.split_inclusive('\n').enumerate() {
            if i + 1 == row.line {
                let content = piece.strip_suffix('\n').unwrap_or(piece);
                let content = content.strip_suffix('\r').unwrap_or(content);
                edited.push_str(&line);
                edited.push_str(&piece[content.len()..]);
            } else {
                edited.push_str(piece);
            }
        }
        let held = held.clone();
        self.write(&held, &edited);
        Ok(())
    }
}

/// A file that is not a user list: where, and what (F-CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAList {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub what: String,
}

/// One row of a user list file: its line and its fields, each with its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based line.
    pub line: usize,
    /// (column, text) of each field.
    pub fields: Vec<(usize, String)>,
}

/// A user list file read as a table (F-CSV): the header's names and the rows that are not
/// blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The column names.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<TableRow>,
}

impl Table {
    /// Reads `text`, or says where it stops being a user list: no `SFS_UserName` column,
    /// an unclosed quote, a row whose field count is not the header's.
    pub fn read(text: &str) -> Result<Table, NotAList> {
        let unclosed = |line: usize, column: usize| NotAList {
            line,
            column,
            what: "a quote opened here is never closed".to_string(),
        };
        let all = lines(text);
        let header: Vec<String> = match all.first() {
            Some(first) => split_csv_at(first)
                .map_err(|q| unclosed(1, q.column))?
                .into_iter()
                .map(|(_, name)| name)
                .collect(),
            None => Vec::new(),
        };
        let mut table = Table {
            header,
            rows: Vec::with_capacity(all.len()),
        };
        if table.column("SFS_UserName").is_none() {
            return Err(NotAList {
                line: 1,
                column: 1,
                what: "it has no SFS_UserName column".to_string(),
            });
        }
        for (at, text) in all.iter().enumerate().skip(1) {
            let line = at + 1;
            if text.trim().is_empty() {
                continue;
            }
            let fields = split_csv_at(text).map_err(|q| unclosed(line, q.column))?;
            if fields.len() != table.header.len() {
                return Err(NotAList {
                    line,
                    column: 1,
                    what: format!(
                        "it has {} fields and the header has {}",
                        fields.len(),
                        table.header.len()
                    ),
                });
            }
            table.rows.push(TableRow { line, fields });
        }
        Ok(table)
    }

    /// The place of the column named `name`, without case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}
