//! The world before the first step: the site, the server's language and the MS Mail post
//! office's users. A [`Setup`] is checked once, when it is made, so everything built from
//! it (a server, a model, a replay, a diff) cannot fail afterwards.

use std::collections::HashSet;

use crate::vocabulary::address::{MsMailAddress, Site};
use crate::vocabulary::files::{MailDate, WinPath};
use crate::vocabulary::language::Language;

/// One user of the MS Mail post office (A-MS) and the mail waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsMailUser {
    /// The user's address (A-MS).
    pub address: MsMailAddress,
    /// Display name, if known.
    pub name: Option<String>,
    /// How many undated messages wait in MS Mail before any migration.
    pub messages: u32,
    /// Dated messages waiting before any migration (F-DATE): date and count, in the
    /// scenario's order.
    pub dated: Vec<(MailDate, u32)>,
    /// Whether the user has Schedule+ data (F-SCHED).
    pub schedule: bool,
}

impl MsMailUser {
    /// A user with no display name.
    pub fn new(address: MsMailAddress, messages: u32) -> MsMailUser {
        MsMailUser {
            address,
            name: None,
            messages,
            dated: Vec::new(),
            schedule: false,
        }
    }

    /// Every message the user holds at the start, dated or not.
    pub fn all_messages(&self) -> u64 {
        let dated: u64 = self.dated.iter().map(|(_, n)| u64::from(*n)).sum();
        u64::from(self.messages) + dated
    }
}

/// Why a setup cannot be a world.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// Two users with one address (case is not significant, A-MS).
    #[error("MS Mail user {0} is listed twice; each address may appear once")]
    DuplicateUser(MsMailAddress),
    /// A-SITE as settled: a user's NET/PO equals the site's ORG/SITE, so a mailbox made by
    /// hand would get that user's own MS address.
    #[error("MS Mail user {user} sits at the site's own {}/{}: a mailbox made by hand would get MS:{user}, that user's own address (A-SITE)", .site.organization(), .site.site())]
    UserInsideSite {
        /// The user.
        user: MsMailAddress,
        /// The site.
        site: Site,
    },
}

/// The world before the first step: the site, the server's language and the post office.
///
/// ```
/// use migwiz::{MsMailUser, Setup, SetupError};
/// let jdoe = MsMailUser::new("NET1/PO1/JDOE".parse()?, 3);
/// let setup = Setup::new(Default::default(), Default::default(), vec![jdoe.clone()])?;
/// assert_eq!(setup.users().len(), 1);
/// let twice = Setup::new(Default::default(), Default::default(), vec![jdoe.clone(), jdoe]);
/// assert!(matches!(twice, Err(SetupError::DuplicateUser(_))));
/// let pat = MsMailUser::new("CONTOSO/HQ/PAT".parse()?, 0); // the default site's ORG/SITE
/// let inside = Setup::new(Default::default(), Default::default(), vec![pat]);
/// assert!(matches!(inside, Err(SetupError::UserInsideSite { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    site: Site,
    server_language: Language,
    users: Vec<MsMailUser>,
    postoffice_path: String,
    postoffice_drive: Option<String>,
    admin: String,
    admin_password: String,
    server_name: String,
    files: Vec<(WinPath, String)>,
}

/// The site's server when a scenario does not name one (B-HOME).
pub const DEFAULT_SERVER: &str = "EXSRV1";

/// The post office's administrator account and password when a scenario does not give
/// them (F-ADMIN).
pub const DEFAULT_ADMIN: (&str, &str) = ("ADMIN", "PASSWORD");

/// The post office's path when a scenario does not give one.
pub const DEFAULT_POSTOFFICE_PATH: &str = "\\\\MAILSRV\\MAILDATA";

impl Setup {
    /// Checks the post office (each address once) and makes the world.
    pub fn new(
        site: Site,
        server_language: Language,
        users: Vec<MsMailUser>,
    ) -> Result<Setup, SetupError> {
        let mut seen = HashSet::with_capacity(users.len());
        if let Some(twice) = users.iter().find(|u| !seen.insert(&u.address)) {
            return Err(SetupError::DuplicateUser(twice.address.clone()));
        }
        // A-SITE (settled reading): no user at the site's own ORG/SITE.
        let inside = |u: &&MsMailUser| {
            u.address
                .network()
                .eq_ignore_ascii_case(site.organization())
                && u.address.postoffice().eq_ignore_ascii_case(site.site())
        };
        if let Some(user) = users.iter().find(inside) {
            return Err(SetupError::UserInsideSite {
                user: user.address.clone(),
                site,
            });
        }
        Ok(Setup {
            site,
            server_language,
            users,
            postoffice_path: DEFAULT_POSTOFFICE_PATH.to_string(),
            postoffice_drive: None,
            admin: DEFAULT_ADMIN.0.to_string(),
            admin_password: DEFAULT_ADMIN.1.to_string(),
            server_name: DEFAULT_SERVER.to_string(),
            files: Vec::new(),
        })
    }

    /// The same world with a mapped drive naming the post office (`[postoffice] drive`).
    pub fn with_postoffice_drive(mut self, drive: Option<&str>) -> Setup {
        self.postoffice_drive = drive.map(str::to_string);
        self
    }

    /// The same world with the post office's administrator and password (F-ADMIN).
    pub fn with_admin(mut self, admin: &str, password: &str) -> Setup {
        self.admin = admin.to_string();
        self.admin_password = password.to_string();
        self
    }

    /// The same world with the site's server named `name` (`[site] server`, B-HOME).
    pub fn with_server_name(mut self, name: &str) -> Setup {
        self.server_name = name.to_string();
        self
    }

    /// The same world with the administrator's files (`[files]`, F-FILES), sorted by
    /// path (as a TOML table reads them); a path given twice keeps its last text.
    pub fn with_files(mut self, files: Vec<(WinPath, String)>) -> Setup {
        let mut sorted: Vec<(WinPath, String)> = Vec::with_capacity(files.len());
        for (path, text) in files {
            match sorted.iter_mut().find(|(p, _)| *p == path) {
                Some(held) => held.1 = text,
                None => sorted.push((path, text)),
            }
        }
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        self.files = sorted;
        self
    }

    /// The mapped drive that names the post office, if any.
    pub fn postoffice_drive(&self) -> Option<&str> {
        self.postoffice_drive.as_deref()
    }

    /// The post office's administrator account and password (F-ADMIN).
    pub fn admin(&self) -> (&str, &str) {
        (&self.admin, &self.admin_password)
    }

    /// The site's server (B-HOME).
    pub fn server_name(&self) -> &str {
        &self.server_name
    }

    /// The administrator's files at the start (F-FILES).
    pub fn files(&self) -> &[(WinPath, String)] {
        &self.files
    }

    /// The same world with the post office at `path` (`[postoffice] path`).
    pub fn with_postoffice_path(mut self, path: &str) -> Setup {
        self.postoffice_path = path.to_string();
        self
    }

    /// The post office's path, as events 7007 and 10068 name it.
    pub fn postoffice_path(&self) -> &str {
        &self.postoffice_path
    }

    /// The Exchange site (A-SITE).
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The language the server and the wizard speak (A-LANG, W-OPEN).
    pub fn server_language(&self) -> Language {
        self.server_language
    }

    /// The MS Mail users, in post office order, with their waiting mail.
    pub fn users(&self) -> &[MsMailUser] {
        &self.users
    }
}
