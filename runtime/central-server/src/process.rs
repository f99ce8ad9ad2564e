//! The `central-server` binary as a child process: started on a configuration file, found
//! through the endpoint lines it prints once it listens, stopped with SIGTERM or killed with
//! SIGKILL. The crash test and the load bench drive the real binary through it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Why the central server process could not be started, stopped or found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// A system call on the process or its log file failed.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server did not print both endpoint lines in time.
    #[error("central-server {reason}; its log is {}", log.display())]
    NoEndpoints {
        /// What happened instead.
        reason: String,
        /// The file its standard error went to.
        log: PathBuf,
    },
    /// An endpoint line did not hold an `https://` URL with a socket address.
    #[error("central-server printed an endpoint line without an address: {0:?}")]
    BadEndpoint(String),
    /// The server was still running this long after SIGTERM; it was killed.
    #[error("central-server was still running {0:?} after SIGTERM; it was killed")]
    StillRunning(Duration),
}

impl ProcessError {
    fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}

/// A running `central-server … serve`. Dropping it kills the process and reaps it, so that
/// a failing test or bench leaves nothing running.
#[derive(Debug)]
pub struct CentralProcess {
    child: Child,
    registration: SocketAddr,
    manage: SocketAddr,
}

impl CentralProcess {
    /// Starts `binary --config <config> serve` with standard error going to `log` and
    /// `RUST_LOG` set to `log_filter` when given, and waits up to `timeout` for the lines
    /// `registration endpoint https://…` and `manage endpoint https://…`.
    pub fn start(
        binary: &Path,
        config: &Path,
        log: &Path,
        log_filter: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, ProcessError> {
        let stderr =
            File::create(log).map_err(ProcessError::io(format!("creating {}", log.display())))?;
        let mut command = Command::new(binary);
        command
            .arg("--config")
            .arg(config)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        if let Some(filter) = log_filter {
            command.env("RUST_LOG", filter);
        }
        let mut child = command
            .spawn()
            .map_err(ProcessError::io(format!("starting {}", binary.display())))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ProcessError::NoEndpoints {
                reason: "has no standard output pipe".to_owned(),
                log: log.to_owned(),
            });
        };
        // A thread reads standard output to its end, so the server never blocks on a full
        // pipe; the lines after the endpoints are dropped.
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = lines.send(line);
            }
        });
        // From here on, an early return drops `process`, which kills the child.
        let mut process = Self {
            child,
            registration: SocketAddr::from(([0, 0, 0, 0], 0)),
            manage: SocketAddr::from(([0, 0, 0, 0], 0)),
        };
        let deadline = Instant::now() + timeout;
        let (mut registration, mut manage) = (None, None);
        loop {
            if let (Some(registration), Some(manage)) = (registration, manage) {
                process.registration = registration;
                process.manage = manage;
                return Ok(process);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let line = received
                .recv_timeout(left)
                .map_err(|error| ProcessError::NoEndpoints {
                    reason: match error {
                        RecvTimeoutError::Timeout => {
                            format!("printed no endpoint lines within {timeout:?}")
                        }
                        RecvTimeoutError::Disconnected => {
                            "exited before printing its endpoint lines".to_owned()
                        }
                    },
                    log: log.to_owned(),
                })?;
            if let Some(url) = line.strip_prefix("registration endpoint ") {
                registration = Some(endpoint_address(url)?);
            } else if let Some(url) = line.strip_prefix("manage endpoint ") {
                manage = Some(endpoint_address(url)?);
            }
        }
    }

    /// Where the registration endpoint listens.
    pub fn registration(&self) -> SocketAddr {
        self.registration
    }

    /// Where the manage endpoint listens.
    pub fn manage(&self) -> SocketAddr {
        self.manage
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server with SIGKILL and reaps it.
    pub fn kill(mut self) -> Result<ExitStatus, ProcessError> {
        self.child
            .kill()
            .map_err(ProcessError::io("sending SIGKILL to central-server"))?;
        self.child
            .wait()
            .map_err(ProcessError::io("reaping central-server"))
    }

    /// Sends SIGTERM (a graceful shutdown) and waits up to `timeout` for the server to
    /// exit; after that it is killed and [`ProcessError::StillRunning`] returned.
    pub fn terminate(mut self, timeout: Duration) -> Result<ExitStatus, ProcessError> {
        let pid = libc::pid_t::try_from(self.child.id()).map_err(|_| ProcessError::Io {
            what: "signalling central-server".to_owned(),
            source: std::io::Error::other("process id out of range"),
        })?;
        // SAFETY: kill(2) only sends a signal; `pid` is our own child, not yet reaped (the
        // `Child` is still owned here), so it cannot name another process.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            return Err(ProcessError::Io {
                what: "sending SIGTERM to central-server".to_owned(),
                source: std::io::Error::last_os_error(),
            });
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .map_err(ProcessError::io("waiting for central-server"))?
            {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                // Dropping `self` kills and reaps the process.
                return Err(ProcessError::StillRunning(timeout));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for CentralProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The socket address of an endpoint URL `https://<address>/…`.
fn endpoint_address(url: &str) -> Result<SocketAddr, ProcessError> {
    url.trim()
        .strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|address| address.parse().ok())
        .ok_or_else(|| ProcessError::BadEndpoint(url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_addresses_are_read_from_urls() {
        assert_eq!(
            endpoint_address("https://127.0.0.1:8443/managementservice/ ").unwrap(),
            SocketAddr::from(([127, 0, 0, 1], 8443))
        );
        assert_eq!(
            endpoint_address("https://[::1]:4000/managementservice/manage/").unwrap(),
            "[::1]:4000".parse::<SocketAddr>().unwrap()
        );
        for bad in [
            "http://127.0.0.1:1/",
            "https://localhost:1/",
            "https://",
            "",
        ] {
            assert!(
                matches!(endpoint_address(bad), Err(ProcessError::BadEndpoint(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_program_that_prints_no_endpoints_is_reported_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        // `true` exits at once without printing anything.
        let error = CentralProcess::start(
            Path::new("true"),
            Path::new("central.toml"),
            &log,
            None,
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert!(
            matches!(&error, ProcessError::NoEndpoints { reason, .. } if reason.contains("exited")),
            "{error}"
        );
        assert!(error.to_string().contains("server.log"), "{error}");
    }
}
