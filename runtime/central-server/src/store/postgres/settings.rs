//! Where the PostgreSQL database is and how it is reached: its URL and TLS.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use postgres::config::SslMode;

use super::error::PostgresError;

/// How a connection to the database uses TLS: the URL's `sslmode` (as libpq names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostgresTls {
    /// `sslmode=disable`: no TLS (a Unix socket, or a trusted network).
    Disable,
    /// `sslmode=prefer`, and no `sslmode`: TLS when the server offers it, verified as with
    /// `Require`; without TLS when it does not.
    Prefer,
    /// `sslmode=require`: TLS or no connection. The server's certificate is verified against
    /// the configured CA certificates (the system's when none are configured) and must name
    /// the host of the URL.
    Require,
}

/// A PostgreSQL database: its connection settings, parsed from a `postgres://` URL, and the
/// CA certificates for TLS.
#[derive(Clone)]
pub struct PostgresDatabase {
    config: postgres::Config,
    /// The URL as given, its password hidden: for messages.
    shown: String,
    /// The database used instead of the URL's ([`with_dbname`](Self::with_dbname)).
    other_dbname: Option<String>,
    tls: PostgresTls,
    ca_certificates: Option<PathBuf>,
}

impl PostgresDatabase {
    /// Whether `text` is a PostgreSQL URL (`postgres://…` or `postgresql://…`) rather than
    /// a file path.
    pub fn is_url(text: &str) -> bool {
        ["postgres://", "postgresql://"].iter().any(|scheme| {
            text.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        })
    }

    /// Parses a `postgres://user:password@host:port/database?sslmode=…` URL (the options
    /// rust-postgres knows; a Unix socket folder as a percent-encoded host), with the PEM
    /// file of the CA certificates that verify the server (`None`: the system's). CA
    /// certificates with `sslmode=disable` are refused: they would never be used.
    pub fn parse(url: &str, ca_certificates: Option<PathBuf>) -> Result<Self, PostgresError> {
        let shown = hide_password(url);
        let config = postgres::Config::from_str(url).map_err(|source| PostgresError::Url {
            url: shown.clone(),
            source,
        })?;
        let tls = match config.get_ssl_mode() {
            SslMode::Disable => PostgresTls::Disable,
            SslMode::Require => PostgresTls::Require,
            _ => PostgresTls::Prefer,
        };
        if tls == PostgresTls::Disable && ca_certificates.is_some() {
            return Err(PostgresError::TlsSetting {
                url: shown,
                reason: "CA certificates for TLS to the database are configured, but \
                         sslmode=disable turns TLS off; remove one of them",
            });
        }
        Ok(Self {
            config,
            shown,
            other_dbname: None,
            tls,
            ca_certificates,
        })
    }

    /// How connections use TLS.
    pub fn tls(&self) -> PostgresTls {
        self.tls
    }

    /// The PEM file of the CA certificates that verify the server, if configured.
    pub fn ca_certificates(&self) -> Option<&Path> {
        self.ca_certificates.as_deref()
    }

    /// The connection settings.
    pub fn config(&self) -> &postgres::Config {
        &self.config
    }

    /// The same server and settings, another database (for tools and tests that create
    /// databases).
    pub fn with_dbname(&self, dbname: &str) -> Self {
        let mut other = self.clone();
        other.config.dbname(dbname);
        other.other_dbname = Some(dbname.to_owned());
        other
    }
}

/// Shows the URL with its password hidden.
impl fmt::Display for PostgresDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)?;
        match &self.other_dbname {
            Some(dbname) => write!(f, " (database {dbname})"),
            None => Ok(()),
        }
    }
}

/// The URL with its password hidden, never the password.
impl fmt::Debug for PostgresDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresDatabase")
            .field("url", &self.shown)
            .field("other_dbname", &self.other_dbname)
            .field("tls", &self.tls)
            .field("ca_certificates", &self.ca_certificates)
            .finish()
    }
}

/// `url` with the password of its user information, if any, replaced by `***`.
pub(super) fn hide_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    match user_info.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &user_info[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        for url in ["postgres://db/x", "postgresql://u@h:5/x", "POSTGRES://h/x"] {
            assert!(PostgresDatabase::is_url(url), "{url}");
        }
        for path in [
            "central.db",
            "/var/lib/postgres/central.db",
            "postgres:/x",
            "pg://h/x",
            "",
        ] {
            assert!(!PostgresDatabase::is_url(path), "{path}");
        }
    }

    #[test]
    fn the_password_is_hidden_and_the_rest_kept() {
        assert_eq!(
            hide_password("postgres://central:s3cr:et@db.example:5432/xroad?sslmode=require"),
            "postgres://central:***@db.example:5432/xroad?sslmode=require"
        );
        assert_eq!(
            hide_password("postgres://central@db/xroad"),
            "postgres://central@db/xroad"
        );
        assert_eq!(
            hide_password("postgres://db/x?u=a@b"),
            "postgres://db/x?u=a@b"
        );
        let db = PostgresDatabase::parse("postgres://central:hunter2@db/xroad", None).unwrap();
        for shown in [db.to_string(), format!("{db:?}")] {
            assert!(
                !shown.contains("hunter2") && shown.contains("central:***@db"),
                "{shown}"
            );
        }
        let error = PostgresDatabase::parse("postgres://central:hunter2@db:notaport/x", None)
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("hunter2") && error.contains("central:***@db"),
            "{error}"
        );
    }

    #[test]
    fn another_database_on_the_same_server_is_named_in_messages() {
        let db = PostgresDatabase::parse("postgres://central:pw@db/xroad", None).unwrap();
        let other = db.with_dbname("scratch");
        assert_eq!(other.config().get_dbname(), Some("scratch"));
        assert_eq!(db.config().get_dbname(), Some("xroad"));
        assert_eq!(
            other.to_string(),
            "postgres://central:***@db/xroad (database scratch)"
        );
    }

    #[test]
    fn sslmode_chooses_tls() {
        let tls = |url: &str| PostgresDatabase::parse(url, None).unwrap().tls();
        assert_eq!(tls("postgres://db/x"), PostgresTls::Prefer);
        assert_eq!(tls("postgres://db/x?sslmode=prefer"), PostgresTls::Prefer);
        assert_eq!(tls("postgres://db/x?sslmode=require"), PostgresTls::Require);
        assert_eq!(tls("postgres://db/x?sslmode=disable"), PostgresTls::Disable);
    }

    #[test]
    fn ca_certificates_without_tls_are_refused() {
        let error = PostgresDatabase::parse(
            "postgres://db/x?sslmode=disable",
            Some(PathBuf::from("db-ca.pem")),
        )
        .unwrap_err();
        assert!(
            matches!(error, PostgresError::TlsSetting { .. })
                && error.to_string().contains("sslmode=disable"),
            "{error}"
        );
        let db = PostgresDatabase::parse(
            "postgres://db/x?sslmode=require",
            Some(PathBuf::from("db-ca.pem")),
        )
        .unwrap();
        assert_eq!(db.ca_certificates(), Some(Path::new("db-ca.pem")));
    }

    #[test]
    fn an_invalid_url_is_refused_with_the_cause() {
        for url in [
            "postgres://db:99999/x",
            "postgres://db/x?sslmode=sometimes",
            "postgres://db/x?no_such_option=1",
        ] {
            let error = PostgresDatabase::parse(url, None).unwrap_err();
            assert!(
                matches!(&error, PostgresError::Url { url: shown, .. } if shown == url)
                    && std::error::Error::source(&error).is_some(),
                "{url}: {error:?}"
            );
        }
    }
}
