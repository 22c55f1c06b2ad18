//! The user list file of two-step migration (A-LIST, OP-EXTRACT, OP-EDIT): one row per MS
//! Mail user, with the columns of Q150438 (and, for 5.5 and SP1, Q182665's
//! `Secondary-Proxy-Addresses`).

use std::sync::{Arc, OnceLock};

use crate::server::addressing::migrate_for;
use crate::vocabulary::address::{Alias, MsMailAddress, ProxyAddress};
use crate::vocabulary::operation::{ListField, Version};
use crate::vocabulary::outcome::Refusal;
use crate::vocabulary::setup::MsMailUser;

/// What a row's `Mode` says (Q186742).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowMode {
    /// `Create`: make a new mailbox.
    Create,
    /// Empty: "in effect performs an Update" (W-LIST-UPDATE).
    Update,
}

/// Where a row says its user's mailbox lives (B-HOME).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeServer {
    /// `~SERVER`: the server the wizard runs on.
    ThisServer,
    /// A server named in the row.
    Named(String),
}

impl HomeServer {
    /// The column's text read: `~SERVER` in any case, else a name.
    pub fn read(text: &str) -> HomeServer {
        match text.eq_ignore_ascii_case("~SERVER") {
            true => HomeServer::ThisServer,
            false => HomeServer::Named(text.to_string()),
        }
    }

    /// The column's text.
    pub fn as_str(&self) -> &str {
        match self {
            HomeServer::ThisServer => "~SERVER",
            HomeServer::Named(name) => name,
        }
    }
}

/// One row of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The MS Mail user.
    pub user: MsMailAddress,
    /// `MigrateUser` = `Y`.
    pub migrate: bool,
    /// `Mode`.
    pub mode: RowMode,
    /// `Common-Name`: the directory name and alias the mailbox gets.
    pub common_name: Alias,
    /// `Secondary-Proxy-Addresses`: 5.5 and SP1 lists only.
    pub secondary: Option<ProxyAddress>,
    /// `Home-Server`.
    pub home_server: HomeServer,
}

impl Row {
    /// The row the version extracts for `user` (A-LIST): `Y`, `Create`, the mailbox name,
    /// and for 5.5 and SP1 the MIGRATE address.
    pub fn extracted(version: Version, user: &MsMailAddress) -> Row {
        Row {
            user: user.clone(),
            migrate: true,
            mode: RowMode::Create,
            // A mailbox name is 1 to 10 letters or digits (A-MS): always alias-shaped.
            common_name: Alias::new(user.mailbox()).expect("a mailbox name is an alias"),
            secondary: match version {
                Version::V50 => None,
                Version::V55 | Version::V55Sp1 => Some(migrate_for(user)),
            },
            home_server: HomeServer::ThisServer,
        }
    }
}

/// Every user of a post office as a version extracts it (W-LIST's default case), with
/// ADMINSCH left out (A-ADMIN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The rows, in the post office's order.
    pub rows: Arc<[Row]>,
    /// Whether ADMINSCH was left out.
    pub admin_left_out: bool,
}

/// A post office's [`Extracted`] rows, made on first use and kept: a wizard step that
/// takes every user reads them instead of building a row (two allocations) for each of
/// 10^4 users every step (issue 25). 5.5 and SP1 extract the same rows.
///
/// It is derived from the users, which never change, so two caches are always equal.
#[derive(Clone, Default)]
pub struct ExtractedCache {
    without_migrate: OnceLock<Extracted>,
    with_migrate: OnceLock<Extracted>,
}

impl ExtractedCache {
    /// The rows `version` extracts for `users`.
    pub fn get(&self, version: Version, users: &[MsMailUser]) -> &Extracted {
        let cell = match version {
            Version::V50 => &self.without_migrate,
            Version::V55 | Version::V55Sp1 => &self.with_migrate,
        };
        cell.get_or_init(|| {
            let rows: Arc<[Row]> = users
                .iter()
                .filter(|u| !is_adminsch(&u.address))
                .map(|u| Row::extracted(version, &u.address))
                .collect();
            Extracted {
                admin_left_out: rows.len() < users.len(),
                rows,
            }
        })
    }
}

impl PartialEq for ExtractedCache {
    fn eq(&self, _: &ExtractedCache) -> bool {
        true
    }
}

impl Eq for ExtractedCache {}

impl std::fmt::Debug for ExtractedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExtractedCache")
    }
}

/// The user list: rows in the order they were extracted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserList {
    rows: Vec<Row>,
}

/// The account two-step migration never lists or migrates (A-ADMIN).
pub fn is_adminsch(user: &MsMailAddress) -> bool {
    user.mailbox() == "ADMINSCH"
}

impl UserList {
    /// OP-EXTRACT: rows for `users`, in order, leaving ADMINSCH out (A-ADMIN). Whether
    /// ADMINSCH was left out.
    pub fn extract(version: Version, users: &[MsMailAddress]) -> (UserList, bool) {
        let rows: Vec<Row> = users
            .iter()
            .filter(|u| !is_adminsch(u))
            .map(|u| Row::extracted(version, u))
            .collect();
        let skipped = rows.len() < users.len();
        (UserList { rows }, skipped)
    }

    /// The rows, in list order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// OP-EDIT: sets one field of `user`'s row, if the field takes the value.
    pub fn edit(
        &mut self,
        user: &MsMailAddress,
        field: ListField,
        value: &str,
    ) -> Result<(), Refusal> {
        let row = self
            .rows
            .iter_mut()
            .find(|r| &r.user == user)
            .ok_or_else(|| Refusal::NoRow {
                user: user.to_string(),
            })?;
        let bad = |takes: &str| Refusal::BadListValue {
            field: field.to_string(),
            value: value.to_string(),
            takes: takes.to_string(),
        };
        match field {
            ListField::MigrateUser => {
                row.migrate = match value.to_ascii_uppercase().as_str() {
                    "Y" => true,
                    "N" => false,
                    _ => return Err(bad("Y or N")),
                }
            }
            ListField::Mode => {
                row.mode = if value.eq_ignore_ascii_case("Create") {
                    RowMode::Create
                } else if value.is_empty() {
                    RowMode::Update
                } else {
                    return Err(bad("Create, or nothing (\"\") to update"));
                }
            }
            ListField::CommonName => {
                row.common_name =
                    Alias::new(value).map_err(|_| bad("an alias-shaped name (A-ALIAS)"))?
            }
        }
        Ok(())
    }
}
