//! TOML configuration files whose paths are relative to the file's directory.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration (the message has line and column).
    #[error("{path} is not a valid configuration")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        source: toml::de::Error,
    },
    /// A private key file that others than its owner can read or write (as ssh refuses
    /// one): anyone on the machine could take the key.
    #[error(
        "{path}: `{key}`: the private key file {} has permissions {mode:04o}, which let others \
         than its owner read or change it; it is refused, as ssh refuses such a key. \
         Fix it with `chmod 600 {}`",
        file.display(),
        file.display()
    )]
    UnprotectedKey {
        /// The configuration file.
        path: PathBuf,
        /// The key naming the private key file.
        key: &'static str,
        /// The private key file.
        file: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A value is not valid.
    #[error("{path}: `{key}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key.
        key: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

/// A configuration of type `T` read from the file at `path`.
#[derive(Debug, Clone)]
pub struct ConfigFile<T> {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its content.
    pub config: T,
}

impl<T: DeserializeOwned> ConfigFile<T> {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses `text` as if read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self {
            path: path.to_owned(),
            config,
        })
    }
}

impl<T> ConfigFile<T> {
    /// `file` resolved against the configuration file's directory.
    pub fn resolve(&self, file: &Path) -> PathBuf {
        match self.path.parent() {
            Some(dir) if file.is_relative() => dir.join(file),
            _ => file.to_owned(),
        }
    }

    /// The error for an invalid value of `key`.
    pub fn invalid(&self, key: &'static str, reason: impl ToString) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.clone(),
            key,
            reason: reason.to_string(),
        }
    }

    /// The bytes of `file` (the value of `key`), resolved against the file's directory.
    pub fn read(&self, key: &'static str, file: &Path) -> Result<Vec<u8>, ConfigError> {
        let resolved = self.resolve(file);
        std::fs::read(&resolved)
            .map_err(|e| self.invalid(key, format!("cannot read {}: {e}", resolved.display())))
    }

    /// The bytes of the private key file `file` (the value of `key`), resolved against the
    /// file's directory. On Unix a file that its group or others may read, write or execute
    /// is refused ([`ConfigError::UnprotectedKey`]), as ssh refuses such a key: the mode is
    /// read from the opened file, so that the file checked is the file read.
    pub fn read_private_key(&self, key: &'static str, file: &Path) -> Result<Vec<u8>, ConfigError> {
        use std::io::Read as _;
        let resolved = self.resolve(file);
        let cannot_read = |e: std::io::Error| {
            self.invalid(key, format!("cannot read {}: {e}", resolved.display()))
        };
        let mut opened = std::fs::File::open(&resolved).map_err(cannot_read)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = opened.metadata().map_err(cannot_read)?.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(ConfigError::UnprotectedKey {
                    path: self.path.clone(),
                    key,
                    file: resolved,
                    mode,
                });
            }
        }
        let mut bytes = Vec::new();
        opened.read_to_end(&mut bytes).map_err(cannot_read)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Empty {}

    fn config_in(dir: &Path) -> ConfigFile<Empty> {
        ConfigFile::parse(&dir.join("test.toml"), "").unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn a_private_key_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("tls.key");
        std::fs::write(&key, b"secret").unwrap();
        let config = config_in(dir.path());
        for mode in [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o610] {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = config
                .read_private_key("tls.key", Path::new("tls.key"))
                .unwrap_err();
            assert!(
                matches!(error, ConfigError::UnprotectedKey { mode: found, .. } if found == mode),
                "{mode:o}: {error:?}"
            );
            let text = error.to_string();
            assert!(
                text.contains(&format!("permissions {mode:04o}"))
                    && text.contains(&format!("chmod 600 {}", key.display()))
                    && text.contains("`tls.key`"),
                "{text}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_private_key_only_its_owner_can_read_is_read() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("tls.key");
        std::fs::write(&key, b"secret").unwrap();
        let config = config_in(dir.path());
        for mode in [0o600, 0o400] {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                config.read_private_key("tls.key", &key).unwrap(),
                b"secret",
                "{mode:o}"
            );
        }
    }

    #[test]
    fn a_missing_private_key_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let error = config_in(dir.path())
            .read_private_key("tls.key", Path::new("absent.key"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("absent.key") && error.contains("`tls.key`"),
            "{error}"
        );
    }
}
