//! TOML configuration files whose paths are relative to the file's directory.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration (the message has line and column).
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        source: toml::de::Error,
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
}
