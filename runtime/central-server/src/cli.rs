//! What the command-line programs (`central-server`, and the examples' `security-server` and
//! `demo`) share: exit statuses, the command-line parse, logging options and the error report.
//!
//! Exit statuses:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | failure: configuration, store, network, verification |
//! | 2 | the central server answered with a SOAP fault (`security-server`) |
//! | 64 | usage: a bad command line or `RUST_LOG` (`EX_USAGE` of sysexits.h) |

use std::io::IsTerminal;
use std::process::ExitCode;
use std::str::FromStr;

use clap::{Args, Parser, ValueEnum};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{Directive, LevelFilter};
use xroad_runtime::fault::ErrorChain;

/// Exit status of a failure other than a usage error or a SOAP fault.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status when the central server answered with a SOAP fault.
pub const EXIT_FAULT: u8 = 2;
/// Exit status of a usage error: a bad command line or `RUST_LOG` (`EX_USAGE`).
pub const EXIT_USAGE: u8 = 64;

/// The exit statuses, as the programs' `--help` ends.
pub const EXIT_STATUS_HELP: &str = "Exit status: 0 success, 1 failure, 2 SOAP fault from the \
                                    central server, 64 usage error (command line or RUST_LOG).";

/// Parses the command line as clap does, except that a usage error exits with
/// [`EXIT_USAGE`] (help and version exit with 0).
pub fn parse<P: Parser>() -> P {
    P::try_parse().unwrap_or_else(|error| {
        let _ = error.print();
        let code = if error.use_stderr() {
            i32::from(EXIT_USAGE)
        } else {
            0
        };
        std::process::exit(code)
    })
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, coloured on a terminal only.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Logging options of a program: verbosity and format. The log goes to standard error.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log more: each -v one level more (info, debug, trace). `RUST_LOG`, when set, decides
    /// instead.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The format of log lines.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub log_format: LogFormat,
}

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// A directive of `RUST_LOG` does not parse.
    #[error("invalid RUST_LOG directive `{directive}`")]
    Directive {
        /// The directive as written.
        directive: String,
        /// Why it does not parse.
        #[source]
        source: tracing_subscriber::filter::ParseError,
    },
    /// `RUST_LOG` is not UTF-8.
    #[error("RUST_LOG is not UTF-8")]
    NotUnicode,
    /// A global subscriber is already set.
    #[error("cannot set the log subscriber")]
    Init(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl LogArgs {
    /// The level logged with `-v` given `verbose` times above `default`.
    pub fn level(&self, default: LevelFilter) -> LevelFilter {
        const LEVELS: [LevelFilter; 6] = [
            LevelFilter::OFF,
            LevelFilter::ERROR,
            LevelFilter::WARN,
            LevelFilter::INFO,
            LevelFilter::DEBUG,
            LevelFilter::TRACE,
        ];
        let start = LEVELS.iter().position(|l| *l == default).unwrap_or(2);
        LEVELS[(start + usize::from(self.verbose)).min(LEVELS.len() - 1)]
    }

    /// Installs the global log subscriber: the filter of `RUST_LOG` when it is set and not
    /// empty (each directive checked), else `default` raised by `-v`; ANSI colours only
    /// when standard error is a terminal and `NO_COLOR` is not set.
    pub fn init(&self, default: LevelFilter) -> Result<(), LogError> {
        let filter = match std::env::var("RUST_LOG") {
            Ok(value) if !value.trim().is_empty() => env_filter(&value)?,
            Ok(_) | Err(std::env::VarError::NotPresent) => {
                EnvFilter::default().add_directive(self.level(default).into())
            }
            Err(std::env::VarError::NotUnicode(_)) => return Err(LogError::NotUnicode),
        };
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr);
        let result = match self.log_format {
            LogFormat::Text => builder.with_ansi(colours()).try_init(),
            LogFormat::Json => builder.json().try_init(),
        };
        result.map_err(LogError::Init)
    }
}

/// Whether log lines are coloured: standard error is a terminal and `NO_COLOR` is unset or
/// empty.
fn colours() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The filter of a `RUST_LOG` value, every directive parsed: the first that does not parse
/// is the error.
pub fn env_filter(value: &str) -> Result<EnvFilter, LogError> {
    let mut filter = EnvFilter::default();
    for directive in value.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let parsed = Directive::from_str(directive).map_err(|source| LogError::Directive {
            directive: directive.to_owned(),
            source,
        })?;
        filter = filter.add_directive(parsed);
    }
    Ok(filter)
}

/// Prints `error` with each of its causes as `program: error: cause: …` on standard error and
/// returns [`EXIT_FAILURE`].
pub fn report(program: &str, error: &(dyn std::error::Error + '_)) -> ExitCode {
    eprintln!("{program}: {}", ErrorChain(error));
    ExitCode::from(EXIT_FAILURE)
}

/// Prints a [`LogError`] and returns [`EXIT_USAGE`] for a bad `RUST_LOG`, [`EXIT_FAILURE`]
/// otherwise.
pub fn report_log_error(program: &str, error: &LogError) -> ExitCode {
    eprintln!("{program}: {}", ErrorChain(error));
    match error {
        LogError::Directive { .. } | LogError::NotUnicode => ExitCode::from(EXIT_USAGE),
        LogError::Init(_) => ExitCode::from(EXIT_FAILURE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(verbose: u8) -> LogArgs {
        LogArgs {
            verbose,
            log_format: LogFormat::Text,
        }
    }

    #[test]
    fn each_v_logs_one_level_more() {
        assert_eq!(args(0).level(LevelFilter::WARN), LevelFilter::WARN);
        assert_eq!(args(1).level(LevelFilter::WARN), LevelFilter::INFO);
        assert_eq!(args(2).level(LevelFilter::WARN), LevelFilter::DEBUG);
        assert_eq!(args(3).level(LevelFilter::WARN), LevelFilter::TRACE);
        assert_eq!(args(9).level(LevelFilter::WARN), LevelFilter::TRACE);
        assert_eq!(args(1).level(LevelFilter::INFO), LevelFilter::DEBUG);
    }

    #[test]
    fn a_bad_directive_is_named() {
        assert!(env_filter("info,xroad_runtime=debug").is_ok());
        let error = env_filter("info, xroad_runtime=loud ,debug").unwrap_err();
        assert!(
            matches!(&error, LogError::Directive { directive, .. } if directive == "xroad_runtime=loud"),
            "{error:?}"
        );
        assert!(
            ErrorChain(&error)
                .to_string()
                .starts_with("invalid RUST_LOG directive `xroad_runtime=loud`: "),
            "{}",
            ErrorChain(&error)
        );
    }
}
