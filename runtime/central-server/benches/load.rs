//! Load test of the central server: the real `central-server` binary, with its store in
//! SQLite or in PostgreSQL (auto-approve), is driven over loopback TLS by N concurrent keep-alive clients sending
//! valid clientReg requests, each for a distinct subsystem `SUBSYSTEM:EE/COM/MACK/sNNNNN`
//! signed by MACK's key. It proves, for each client count:
//!
//! - every request is accepted (`errors=0`) and every response carries a distinct
//!   `requestId`;
//! - every request whose response the clients got is durably stored: after the server has
//!   stopped, the database holds exactly those clientReg records, each with its message log
//!   (SOAP part, signature, signing certificate, OCSP response) and the response sent;
//!
//! and it measures requests/s, p50/p99/max latency, the server's peak resident memory
//! (`VmHWM` of the child process) and the CPU time the server and the clients used in the
//! timed phase, and compares the throughput with the single-core RSA-2048 verify rate
//! measured in the same run (SHA-512withRSA over a 2 KiB SOAP-like message, openssl). The
//! target is a throughput of at least a third of that rate. As the clients share the
//! machine with the server, it also gives the throughput per core of server CPU time
//! (`rps_per_server_core`, requests divided by the server's CPU seconds) and its ratio to
//! the verify rate (`core_ratio`): what one server core sustains, whatever else runs; and
//! the context switches of the server's threads per request (`server_switches_per_req`),
//! the cost of handing a request between threads.
//!
//! Every request is signed before the timed phase, so that signing on the client side is not
//! what is measured. Each client count gets a fresh sandbox (PKI, OCSP responder, database)
//! and a fresh server process. The first requests of each client (warm-up: TLS handshake,
//! first OCSP checks, caches) are sent before the timed phase and left out of the figures;
//! they are stored all the same and checked for durability.
//!
//! ```text
//! cargo bench -p xroad-examples --bench load [-- OPTIONS]
//!
//!   --clients 1,4,16,64   client counts, one run each         (LOAD_CLIENTS)
//!   --seconds 5           time bound of a run's timed phase    (LOAD_SECONDS)
//!   --max-requests 30000  request bound of a run's timed phase (LOAD_MAX_REQUESTS)
//!   --warmup 2            warm-up requests per client          (LOAD_WARMUP)
//!   --verify-seconds 2    length of each baseline measurement  (LOAD_VERIFY_SECONDS)
//!   --database sqlite,postgres  stores, each run for every client count (LOAD_DATABASE)
//! ```
//!
//! PostgreSQL runs use the cluster `XROAD_TEST_POSTGRES_URL` names (with the CA
//! `XROAD_TEST_POSTGRES_CA`), a fresh database per run: run the test under
//! `bash tests/postgres.sh run …`, which starts a throw-away cluster. The CPU time of the
//! cluster's `postgres` processes in the timed phase is reported beside the server's
//! (`db_cpu_s`), so that the CPU per request of both stores compares whole.
//!
//! Command-line options win over the environment variables. Other arguments (`--bench`,
//! filters) are ignored. Without `--bench`, as under `cargo test --all-targets`, it makes a
//! smoke run instead: one client, 20 requests, a short baseline.
//!
//! Output: a table, and one line per run for scripts:
//!
//! ```text
//! LOAD database=sqlite clients=16 requests=... seconds=... rps=... p50_ms=... p99_ms=... max_ms=... errors=0 peak_rss_kib=... verify_per_s=... ratio=... server_cpu_s=... client_cpu_s=... rps_per_server_core=... core_ratio=... server_switches_per_req=... reconnects=0 stored=ok bound=time db_cpu_s=...
//! LOAD_BASELINE verify_per_s=... digest_verify_per_s=... best_rps=... ratio=... target_ratio=0.3333 target_met=...
//! ```
//!
//! It exits with status 1 if any request failed, if ids repeat, or if the store does not
//! hold exactly the acknowledged requests; missing the throughput target is reported, not an
//! error. Only 127.0.0.1 is used.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use openssl::hash::{MessageDigest, hash};
use openssl::md::Md;
use openssl::pkey::{PKey, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{Signer, Verifier};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use xroad_central_server::config_file::ConfigError;
use xroad_central_server::process::{CentralProcess, ProcessError};
use xroad_central_server::store::postgres::{self as pg, PostgresDatabase};
use xroad_central_server::store::{RequestFilter, Service, Store, StoreError, StoreSettings};
use xroad_examples::sandbox::{PROVIDER, SERVER, Sandbox};
use xroad_examples::security::SecurityServer;
use xroad_mserv::centralservice::ClientReg;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::client::{ManagementClient, ManagementError};
use xroad_runtime::compose::ComposedRequest;
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::transport::Endpoint;

/// The throughput target, as a fraction of the single-core RSA-2048 verify rate.
const TARGET_RATIO: f64 = 1.0 / 3.0;
/// How long the server may take to print its endpoints, and to stop after SIGTERM.
const SERVER_TIMEOUT: Duration = Duration::from_secs(60);
/// How many failed requests are described in full per run.
const ERRORS_SHOWN: usize = 5;

/// Whatever stops the load test from producing figures.
#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("bad option {option}: {reason}")]
    Option { option: String, reason: String },
    #[error("the baseline signature did not verify")]
    Baseline,
    #[error("openssl: {0}")]
    Openssl(#[from] openssl::error::ErrorStack),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("sandbox: {0}")]
    Sandbox(Box<dyn std::error::Error + Send + Sync>),
    #[error("security server configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("central server: {0}")]
    Server(String),
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error("process accounting: {0}")]
    Accounting(String),
    #[error("{what}: {source}")]
    Management {
        what: String,
        source: Box<ManagementError>,
    },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("identifier {text}: {reason}")]
    Identifier { text: String, reason: String },
    #[error("task: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

/// The store a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    fn parse(option: &str, text: &str) -> Result<Self, LoadError> {
        match text {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" => Ok(Self::Postgres),
            other => Err(LoadError::Option {
                option: option.to_owned(),
                reason: format!("`{other}` is not a store: sqlite or postgres"),
            }),
        }
    }
}

/// A database of its own for one run on the test cluster, dropped after it.
struct RunDatabase {
    cluster: PostgresDatabase,
    name: String,
    db: PostgresDatabase,
}

impl RunDatabase {
    /// Creates the database `name` on the cluster of `XROAD_TEST_POSTGRES_URL`.
    fn create(name: &str) -> Result<Self, LoadError> {
        let variable = |name: &str| {
            std::env::var(name).map_err(|_| {
                LoadError::Postgres(format!(
                    "{name} is not set: run the load test under `bash tests/postgres.sh run`, or \
                     with `--database sqlite`"
                ))
            })
        };
        let url = variable("XROAD_TEST_POSTGRES_URL")?;
        let ca = variable("XROAD_TEST_POSTGRES_CA")?;
        let cluster = PostgresDatabase::parse(&url, Some(ca.into()))
            .map_err(|e| LoadError::Postgres(e.to_string()))?;
        let mut client = pg::connect(&cluster).map_err(|e| LoadError::Postgres(e.to_string()))?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| LoadError::Postgres(format!("creating the database {name}: {e}")))?;
        Ok(Self {
            db: cluster.with_dbname(name),
            cluster,
            name: name.to_owned(),
        })
    }

    /// The `database` lines of `central.toml` for it.
    fn setting(&self) -> Result<String, LoadError> {
        let url = std::env::var("XROAD_TEST_POSTGRES_URL")
            .map_err(|_| LoadError::Postgres("XROAD_TEST_POSTGRES_URL is not set".to_owned()))?;
        let ca = std::env::var("XROAD_TEST_POSTGRES_CA")
            .map_err(|_| LoadError::Postgres("XROAD_TEST_POSTGRES_CA is not set".to_owned()))?;
        let (server, _) = url
            .rsplit_once('/')
            .ok_or_else(|| LoadError::Postgres(format!("{url} names no database")))?;
        Ok(format!(
            "database = \"{server}/{}\"\ndatabase_ca_certificates = \"{ca}\"",
            self.name
        ))
    }
}

impl Drop for RunDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = pg::connect(&self.cluster) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// CPU seconds used so far by the processes named `postgres` (the test cluster's server
/// and backends; a backend that ended in the timed phase takes its time with it, so this
/// is a lower bound).
fn postgres_cpu_seconds() -> Result<f64, LoadError> {
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc").map_err(LoadError::io("/proc"))? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // A process may end between listing and reading; it is left out.
        let Ok(comm) = std::fs::read_to_string(entry.path().join("comm")) else {
            continue;
        };
        if comm.trim_end() == "postgres" {
            total += cpu_seconds(pid).unwrap_or(0.0);
        }
    }
    Ok(total)
}

impl LoadError {
    fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    fn management(what: impl Into<String>) -> impl FnOnce(ManagementError) -> Self {
        let what = what.into();
        move |source| Self::Management {
            what,
            source: Box::new(source),
        }
    }
}

/// The options of a load test.
#[derive(Debug, Clone)]
struct Options {
    clients: Vec<usize>,
    seconds: f64,
    max_requests: usize,
    warmup: usize,
    verify_seconds: f64,
    databases: Vec<Database>,
    smoke: bool,
}

impl Options {
    /// Options from the environment and `args` (the program's arguments without its name).
    fn parse(args: &[String]) -> Result<Self, LoadError> {
        let smoke = !args.iter().any(|a| a == "--bench");
        let mut options = if smoke {
            Self {
                clients: vec![1],
                seconds: 5.0,
                max_requests: 20,
                warmup: 1,
                verify_seconds: 0.2,
                databases: vec![Database::Sqlite, Database::Postgres],
                smoke,
            }
        } else {
            Self {
                clients: vec![1, 4, 16, 64],
                seconds: 5.0,
                max_requests: 30000,
                warmup: 2,
                verify_seconds: 2.0,
                databases: vec![Database::Sqlite, Database::Postgres],
                smoke,
            }
        };
        let mut given: BTreeMap<&str, String> = BTreeMap::new();
        for (name, var) in [
            ("--clients", "LOAD_CLIENTS"),
            ("--seconds", "LOAD_SECONDS"),
            ("--max-requests", "LOAD_MAX_REQUESTS"),
            ("--warmup", "LOAD_WARMUP"),
            ("--verify-seconds", "LOAD_VERIFY_SECONDS"),
            ("--database", "LOAD_DATABASE"),
        ] {
            if let Ok(value) = std::env::var(var) {
                given.insert(name, value);
            }
        }
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (arg.as_str(), None),
            };
            let known = [
                "--clients",
                "--seconds",
                "--max-requests",
                "--warmup",
                "--verify-seconds",
                "--database",
            ];
            let Some(name) = known.into_iter().find(|k| *k == name) else {
                continue;
            };
            let value = match inline {
                Some(value) => value,
                None => rest.next().cloned().ok_or_else(|| LoadError::Option {
                    option: name.to_owned(),
                    reason: "a value is missing".to_owned(),
                })?,
            };
            given.insert(name, value);
        }
        for (name, value) in given {
            match name {
                "--clients" => {
                    options.clients = value
                        .split(',')
                        .map(|n| number::<usize>(name, n.trim()))
                        .collect::<Result<_, _>>()?;
                    if options.clients.is_empty() || options.clients.contains(&0) {
                        return Err(LoadError::Option {
                            option: name.to_owned(),
                            reason: "client counts must be at least 1".to_owned(),
                        });
                    }
                }
                "--seconds" => options.seconds = positive(name, &value)?,
                "--max-requests" => options.max_requests = number(name, &value)?,
                "--warmup" => options.warmup = number(name, &value)?,
                "--verify-seconds" => options.verify_seconds = positive(name, &value)?,
                "--database" => {
                    options.databases = value
                        .split(',')
                        .map(|text| Database::parse(name, text.trim()))
                        .collect::<Result<_, _>>()?;
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

fn number<T: FromStr>(option: &str, text: &str) -> Result<T, LoadError>
where
    T::Err: fmt::Display,
{
    text.parse().map_err(|error: T::Err| LoadError::Option {
        option: option.to_owned(),
        reason: format!("`{text}`: {error}"),
    })
}

fn positive(option: &str, text: &str) -> Result<f64, LoadError> {
    let value: f64 = number(option, text)?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(LoadError::Option {
            option: option.to_owned(),
            reason: format!("`{text}` is not a positive number"),
        })
    }
}

/// The single-core RSA-2048 verify rates of this run.
#[derive(Debug, Clone, Copy)]
struct Baseline {
    /// SHA-512withRSA signatures over a 2 KiB message verified per second (digest included).
    verify_per_s: f64,
    /// PKCS#1 v1.5 signatures over a SHA-512 digest verified per second (no hashing).
    digest_verify_per_s: f64,
}

/// A SOAP-like message of about 2 KiB, the size of a clientReg SOAP part.
fn soap_like_message() -> Vec<u8> {
    let mut text = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:id="http://x-road.eu/xsd/identifiers" xmlns:xroad="http://x-road.eu/xsd/xroad.xsd"><SOAP-ENV:Header>"#,
    );
    while text.len() < 2048 - 200 {
        text.push_str("<xroad:client id:objectType=\"MEMBER\"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>TS1OWNER</id:memberCode></xroad:client>");
    }
    text.push_str(
        "</SOAP-ENV:Header><SOAP-ENV:Body><xroad:clientReg/></SOAP-ENV:Body></SOAP-ENV:Envelope>",
    );
    text.into_bytes()
}

/// Measures the verify rates on the calling thread, `seconds` each.
fn measure_baseline(seconds: f64) -> Result<Baseline, LoadError> {
    let private = PKey::from_rsa(Rsa::generate(2048)?)?;
    let public: PKey<Public> = PKey::public_key_from_der(&private.public_key_to_der()?)?;
    let message = soap_like_message();
    let mut signer = Signer::new(MessageDigest::sha512(), &private)?;
    signer.set_rsa_padding(Padding::PKCS1)?;
    signer.update(&message)?;
    let signature = signer.sign_to_vec()?;
    let digest = hash(MessageDigest::sha512(), &message)?;
    let budget = Duration::from_secs_f64(seconds);

    let verify_per_s = rate(budget, || {
        let mut verifier = Verifier::new(MessageDigest::sha512(), &public)?;
        verifier.set_rsa_padding(Padding::PKCS1)?;
        verifier.update(&message)?;
        verifier.verify(&signature)
    })?;
    let digest_verify_per_s = rate(budget, || {
        let mut ctx = PkeyCtx::new(&public)?;
        ctx.verify_init()?;
        ctx.set_rsa_padding(Padding::PKCS1)?;
        ctx.set_signature_md(Md::sha512())?;
        ctx.verify(&digest, &signature)
    })?;
    Ok(Baseline {
        verify_per_s,
        digest_verify_per_s,
    })
}

/// Calls `verify` in a loop for `budget` and returns the calls per second; every call must
/// accept the signature.
fn rate(
    budget: Duration,
    mut verify: impl FnMut() -> Result<bool, openssl::error::ErrorStack>,
) -> Result<f64, LoadError> {
    let start = Instant::now();
    let mut count = 0u64;
    loop {
        for _ in 0..16 {
            if !verify()? {
                return Err(LoadError::Baseline);
            }
        }
        count += 16;
        let elapsed = start.elapsed();
        if elapsed >= budget {
            return Ok(count as f64 / elapsed.as_secs_f64());
        }
    }
}

/// CPU time (user and system) used so far by process `pid` (`"self"` for this one), from
/// `/proc/<pid>/stat`.
fn cpu_seconds(pid: &str) -> Result<f64, LoadError> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(LoadError::io(path))?;
    // The fields after the command name, which is in parentheses and may hold spaces:
    // state is field 3, utime field 14 and stime field 15 (man 5 proc).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<u64>().ok());
    let (Some(utime), Some(stime)) = (ticks(11), ticks(12)) else {
        return Err(LoadError::Accounting(format!(
            "unreadable /proc/{pid}/stat"
        )));
    };
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_second <= 0 {
        return Err(LoadError::Accounting("no clock tick rate".to_owned()));
    }
    Ok((utime + stime) as f64 / per_second as f64)
}

/// Context switches (voluntary and not) of the live threads of process `pid` so far, from
/// `/proc/<pid>/task/*/status`.
fn context_switches(pid: u32) -> Result<u64, LoadError> {
    let tasks = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&tasks).map_err(LoadError::io(tasks))? {
        let Ok(task) = task else { continue };
        // A thread may end between listing and reading; it is left out.
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        total += status
            .lines()
            .filter_map(|line| {
                line.strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            })
            .filter_map(|value| value.trim().parse::<u64>().ok())
            .sum::<u64>();
    }
    Ok(total)
}

/// CPU seconds the process `pid` used so far.
fn process_cpu_seconds(pid: u32) -> Result<f64, LoadError> {
    cpu_seconds(&pid.to_string())
}

/// Peak resident set size of the process `pid` so far (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> Result<u64, LoadError> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(LoadError::io(path))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| LoadError::Accounting(format!("no VmHWM in /proc/{pid}/status")))
}

fn identifier(text: &str) -> Result<XRoadClientIdentifierType, LoadError> {
    text.parse().map_err(|error| LoadError::Identifier {
        text: text.to_owned(),
        reason: format!("{error}"),
    })
}

/// Signs `count` clientReg requests for subsystems `sNNNNN`, a few at a time.
async fn presign(
    client: &SecurityServer,
    count: usize,
) -> Result<Vec<ComposedRequest<ClientReg>>, LoadError> {
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..parallel.min(count.max(1)) {
        let client = client.clone();
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            let mut signed = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return Ok::<_, LoadError>(signed);
                }
                let subsystem = identifier(&format!("SUBSYSTEM:EE/COM/MACK/s{n:05}"))?;
                let composed = client
                    .prepare_client_reg(&subsystem)
                    .await
                    .map_err(LoadError::management(format!("signing clientReg {n}")))?;
                signed.push((n, composed));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        all.extend(done??);
    }
    all.sort_by_key(|(n, _)| *n);
    Ok(all.into_iter().map(|(_, composed)| composed).collect())
}

/// What one client task saw.
#[derive(Debug, Default)]
struct ClientOutcome {
    /// Request ids of all accepted requests, warm-up included.
    ids: Vec<i64>,
    /// Latencies of the timed requests (accepted or not).
    latencies: Vec<Duration>,
    /// Failed requests, warm-up included.
    errors: usize,
    /// The first failures, described.
    error_texts: Vec<String>,
    /// New connections opened after the first because the server closed one.
    reconnects: usize,
}

impl ClientOutcome {
    fn failed(&mut self, text: String) {
        self.errors += 1;
        if self.error_texts.len() < ERRORS_SHOWN {
            self.error_texts.push(text);
        }
    }
}

/// The requests a run's clients share: each is taken by one client only.
struct Work {
    requests: Vec<ComposedRequest<ClientReg>>,
    warmup_end: usize,
    next_warmup: AtomicUsize,
    next_timed: AtomicUsize,
}

impl Work {
    fn take_warmup(&self) -> Option<&ComposedRequest<ClientReg>> {
        let n = self.next_warmup.fetch_add(1, Ordering::Relaxed);
        (n < self.warmup_end).then(|| &self.requests[n])
    }

    fn take_timed(&self) -> Option<&ComposedRequest<ClientReg>> {
        let n = self.warmup_end + self.next_timed.fetch_add(1, Ordering::Relaxed);
        self.requests.get(n)
    }
}

/// One client: connects, sends its warm-up requests, waits for the others at `start`,
/// then sends requests on its keep-alive connection until `seconds` have passed or the
/// requests run out.
async fn run_client(
    client: ManagementClient,
    work: Arc<Work>,
    warmup: usize,
    start: Arc<Barrier>,
    seconds: f64,
) -> ClientOutcome {
    let mut outcome = ClientOutcome::default();
    let mut connection = match client.connect(Endpoint::Manage).await {
        Ok(connection) => Some(connection),
        Err(error) => {
            outcome.failed(format!("connect: {error}"));
            None
        }
    };
    if let Some(connection) = connection.as_mut() {
        for _ in 0..warmup {
            let Some(request) = work.take_warmup() else {
                break;
            };
            match connection.send(request).await {
                Ok(response) => outcome.ids.push(response.request_id().unwrap_or_default()),
                Err(error) => outcome.failed(format!("warm-up: {error}")),
            }
        }
    }
    start.wait().await;
    let Some(mut connection) = connection else {
        return outcome;
    };
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < deadline {
        let Some(request) = work.take_timed() else {
            break;
        };
        if connection.is_closed() {
            match client.connect(Endpoint::Manage).await {
                Ok(fresh) => {
                    connection = fresh;
                    outcome.reconnects += 1;
                }
                Err(error) => {
                    outcome.failed(format!("reconnect: {error}"));
                    break;
                }
            }
        }
        let sent = Instant::now();
        let answer = connection.send(request).await;
        outcome.latencies.push(sent.elapsed());
        match answer {
            Ok(response) => outcome.ids.push(response.request_id().unwrap_or_default()),
            Err(error) => outcome.failed(format!("{error}")),
        }
    }
    outcome
}

/// The figures and checks of one run.
#[derive(Debug)]
struct RunReport {
    clients: usize,
    /// Timed requests answered (accepted or not).
    requests: usize,
    seconds: f64,
    rps: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    errors: usize,
    peak_rss_kib: u64,
    /// CPU seconds the server used in the timed phase.
    server_cpu_s: f64,
    /// CPU seconds this process (the clients) used in the timed phase.
    client_cpu_s: f64,
    /// Context switches of the server's threads in the timed phase.
    server_switches: u64,
    /// Connections the clients opened again in the timed phase (0 when keep-alive holds).
    reconnects: usize,
    /// The run ended because the pre-signed requests ran out, not because time was up.
    count_bound: bool,
    /// Request ids the clients got (warm-up included).
    acknowledged: usize,
    /// The problems found: repeated ids, records missing or extra, failed requests.
    problems: Vec<String>,
    /// The store.
    database: Database,
    /// CPU seconds of the PostgreSQL processes in the timed phase (0 for SQLite).
    db_cpu_s: f64,
}

impl RunReport {
    /// Accepted timed requests per second of server CPU time.
    fn rps_per_server_core(&self) -> f64 {
        if self.server_cpu_s > 0.0 {
            self.rps * self.seconds / self.server_cpu_s
        } else {
            0.0
        }
    }
}

/// The latency at quantile `q` (nearest rank) of sorted `latencies`.
fn quantile(latencies: &[Duration], q: f64) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * latencies.len() as f64).ceil() as usize;
    latencies[rank.clamp(1, latencies.len()) - 1]
}

/// One run with `clients` clients against a fresh sandbox and server.
async fn run(
    clients: usize,
    database: Database,
    options: &Options,
) -> Result<RunReport, LoadError> {
    let dir = tempfile::tempdir().map_err(LoadError::io("temporary folder"))?;
    let sandbox = Sandbox::create(dir.path(), true).map_err(LoadError::Sandbox)?;
    let run_database = match database {
        Database::Sqlite => None,
        Database::Postgres => {
            let name = format!("xroad_load_{}_{clients}", std::process::id());
            let created = tokio::task::spawn_blocking(move || RunDatabase::create(&name)).await??;
            let config = sandbox.central_config();
            let text = std::fs::read_to_string(&config).map_err(LoadError::io("central.toml"))?;
            let line = "database = \"central.db\"";
            if !text.contains(line) {
                return Err(LoadError::Server(format!("central.toml has no `{line}`")));
            }
            std::fs::write(&config, text.replace(line, &created.setting()?))
                .map_err(LoadError::io("central.toml"))?;
            Some(created)
        }
    };
    let log = dir.path().join("central-server.log");
    let server = CentralProcess::start(
        Path::new(env!("CARGO_BIN_EXE_central-server")),
        &sandbox.central_config(),
        &log,
        None,
        SERVER_TIMEOUT,
    )?;
    for address in [server.registration(), server.manage()] {
        if !address.ip().is_loopback() {
            return Err(LoadError::Server(format!(
                "endpoint {address} is not on the loopback interface"
            )));
        }
    }
    let config = sandbox
        .security_config_for(server.registration(), server.manage(), SERVER)
        .map_err(LoadError::Sandbox)?;
    let client = config.security_server()?;
    let auth_reg = client
        .auth_cert_reg("127.0.0.1")
        .await
        .map_err(LoadError::management("authCertReg"))?;

    let warmup_total = clients * options.warmup;
    let signing = Instant::now();
    let requests = presign(&client, warmup_total + options.max_requests).await?;
    eprintln!(
        "  {clients} clients: {} requests signed in {:.1} s",
        requests.len(),
        signing.elapsed().as_secs_f64()
    );
    let work = Arc::new(Work {
        requests,
        warmup_end: warmup_total,
        next_warmup: AtomicUsize::new(0),
        next_timed: AtomicUsize::new(0),
    });

    let start = Arc::new(Barrier::new(clients + 1));
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        tasks.spawn(run_client(
            client.client().inner().clone(),
            Arc::clone(&work),
            options.warmup,
            Arc::clone(&start),
            options.seconds,
        ));
    }
    start.wait().await;
    let began = Instant::now();
    let server_cpu_before = process_cpu_seconds(server.pid())?;
    let switches_before = context_switches(server.pid())?;
    let client_cpu_before = cpu_seconds("self")?;
    let db_cpu_before = postgres_cpu_seconds()?;
    let mut outcomes = Vec::with_capacity(clients);
    while let Some(done) = tasks.join_next().await {
        outcomes.push(done?);
    }
    let seconds = began.elapsed().as_secs_f64();
    let server_cpu_s = process_cpu_seconds(server.pid())? - server_cpu_before;
    let server_switches = context_switches(server.pid())?.saturating_sub(switches_before);
    let client_cpu_s = cpu_seconds("self")? - client_cpu_before;
    let db_cpu_s = match database {
        Database::Sqlite => 0.0,
        Database::Postgres => (postgres_cpu_seconds()? - db_cpu_before).max(0.0),
    };
    let count_bound = work.next_timed.load(Ordering::Relaxed) >= options.max_requests;

    let peak_rss_kib = peak_rss_kib(server.pid())?;
    let status = server.terminate(SERVER_TIMEOUT)?;
    let mut problems = Vec::new();
    if !status.success() {
        problems.push(format!("central-server exited with {status}"));
    }

    let mut ids = Vec::new();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut reconnects = 0;
    for outcome in outcomes {
        reconnects += outcome.reconnects;
        ids.extend(outcome.ids);
        latencies.extend(outcome.latencies);
        errors += outcome.errors;
        for text in outcome.error_texts {
            if problems.len() < ERRORS_SHOWN {
                problems.push(format!("request failed: {text}"));
            }
        }
    }
    latencies.sort_unstable();
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    if distinct.len() != ids.len() {
        problems.push(format!(
            "{} request ids repeat among {}",
            ids.len() - distinct.len(),
            ids.len()
        ));
    }
    if distinct.contains(&auth_reg) {
        problems.push(format!(
            "clientReg got the authCertReg's request id {auth_reg}"
        ));
    }
    let stored_in = match &run_database {
        None => Stored::Sqlite(dir.path().join("central.db")),
        Some(created) => Stored::Postgres(Box::new(created.db.clone())),
    };
    problems.extend(check_store(stored_in, &distinct).await?);
    sandbox.shutdown().await;
    if let Some(created) = run_database {
        tokio::task::spawn_blocking(move || drop(created)).await?;
    }

    let timed = latencies.len();
    Ok(RunReport {
        clients,
        requests: timed,
        seconds,
        rps: (timed - errors.min(timed)) as f64 / seconds,
        p50: quantile(&latencies, 0.50),
        p99: quantile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or_default(),
        errors,
        peak_rss_kib,
        server_cpu_s,
        client_cpu_s,
        server_switches,
        reconnects,
        count_bound,
        acknowledged: ids.len(),
        problems,
        database,
        db_cpu_s,
    })
}

/// Where a run's store is.
enum Stored {
    Sqlite(PathBuf),
    Postgres(Box<PostgresDatabase>),
}

/// Opens the stopped server's database and checks that it holds exactly the acknowledged
/// clientReg requests, each with its message log and response.
async fn check_store(
    stored_in: Stored,
    acknowledged: &BTreeSet<i64>,
) -> Result<Vec<String>, LoadError> {
    let acknowledged = acknowledged.clone();
    tokio::task::spawn_blocking(move || {
        let provider = identifier(PROVIDER)?;
        let store = match &stored_in {
            Stored::Sqlite(file) => Store::open(file, provider)?,
            Stored::Postgres(db) => {
                Store::open_postgres(db, 2, provider, StoreSettings::default())?
            }
        };
        let filter = RequestFilter {
            service: Some(Service::ClientReg),
            ..RequestFilter::default()
        };
        let stored: BTreeSet<i64> = store.requests(&filter)?.iter().map(|r| r.id).collect();
        let mut problems = Vec::new();
        let missing = acknowledged.difference(&stored).count();
        let extra = stored.difference(&acknowledged).count();
        if missing > 0 || extra > 0 {
            problems.push(format!(
                "store holds {} clientReg records for {} acknowledged ids: {missing} missing, {extra} not acknowledged",
                stored.len(),
                acknowledged.len()
            ));
        }
        let mut without_log = 0usize;
        for id in &stored {
            // SOAP part, signature, signing certificate, OCSP response.
            let complete = store.message_log(*id)?.is_some_and(|logged| {
                !logged.parts.soap.is_empty()
                    && logged.parts.len() == 4
                    && logged.response_sha256 != [0; 32]
            });
            if !complete {
                without_log += 1;
            }
        }
        if without_log > 0 {
            problems.push(format!(
                "{without_log} clientReg records without a complete message log"
            ));
        }
        Ok::<_, LoadError>(problems)
    })
    .await?
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_report(reports: &[RunReport], baseline: Baseline) {
    println!();
    println!(
        "{:>8} {:>7} {:>8} {:>7} {:>9} {:>8} {:>8} {:>8} {:>6} {:>12} {:>7} {:>11} {:>11} {:>10} {:>9}",
        "store",
        "clients",
        "requests",
        "seconds",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "peak RSS KiB",
        "ratio",
        "srv CPU s",
        "cli CPU s",
        "req/srv-s",
        "db CPU s"
    );
    for r in reports {
        println!(
            "{:>8} {:>7} {:>8} {:>7.2} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>12} {:>7.4} {:>11.2} {:>11.2} {:>10.0} {:>9.2}{}",
            r.database.as_str(),
            r.clients,
            r.requests,
            r.seconds,
            r.rps,
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            r.errors,
            r.peak_rss_kib,
            r.rps / baseline.verify_per_s,
            r.server_cpu_s,
            r.client_cpu_s,
            r.rps_per_server_core(),
            r.db_cpu_s,
            if r.count_bound {
                "  (request bound)"
            } else {
                ""
            }
        );
    }
    println!();
    for r in reports {
        println!(
            "LOAD database={} clients={} requests={} seconds={:.3} rps={:.1} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} errors={} peak_rss_kib={} verify_per_s={:.1} ratio={:.4} server_cpu_s={:.3} client_cpu_s={:.3} rps_per_server_core={:.1} core_ratio={:.4} server_switches_per_req={:.2} reconnects={} stored={} bound={} db_cpu_s={:.3}",
            r.database.as_str(),
            r.clients,
            r.requests,
            r.seconds,
            r.rps,
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            r.errors,
            r.peak_rss_kib,
            baseline.verify_per_s,
            r.rps / baseline.verify_per_s,
            r.server_cpu_s,
            r.client_cpu_s,
            r.rps_per_server_core(),
            r.rps_per_server_core() / baseline.verify_per_s,
            r.server_switches as f64 / r.requests.max(1) as f64,
            r.reconnects,
            if r.problems.is_empty() {
                "ok"
            } else {
                "FAILED"
            },
            if r.count_bound { "requests" } else { "time" },
            r.db_cpu_s,
        );
    }
    // The target is the embedded store's.
    let best = reports
        .iter()
        .filter(|r| r.database == Database::Sqlite)
        .map(|r| r.rps)
        .fold(0.0, f64::max);
    let ratio = best / baseline.verify_per_s;
    println!(
        "LOAD_BASELINE verify_per_s={:.1} digest_verify_per_s={:.1} best_rps={best:.1} ratio={ratio:.4} target_ratio={TARGET_RATIO:.4} target_met={}",
        baseline.verify_per_s,
        baseline.digest_verify_per_s,
        if ratio >= TARGET_RATIO { "yes" } else { "no" }
    );
}

async fn main_async(options: Options) -> Result<bool, LoadError> {
    eprintln!(
        "load: stores {:?}, clients {:?}, {} s or {} requests per run, {} warm-up requests per client{}",
        options.databases,
        options.clients,
        options.seconds,
        options.max_requests,
        options.warmup,
        if options.smoke { " (smoke run)" } else { "" }
    );
    let verify_seconds = options.verify_seconds;
    let baseline = tokio::task::spawn_blocking(move || measure_baseline(verify_seconds)).await??;
    eprintln!(
        "  single-core RSA-2048 verify: {:.0}/s SHA-512withRSA over 2 KiB, {:.0}/s over a digest",
        baseline.verify_per_s, baseline.digest_verify_per_s
    );
    let mut reports = Vec::new();
    for &database in &options.databases {
        for &clients in &options.clients {
            reports.push(run(clients, database, &options).await?);
        }
    }
    print_report(&reports, baseline);
    let mut ok = true;
    for report in &reports {
        for problem in &report.problems {
            ok = false;
            eprintln!(
                "load: {} clients on {}: {problem}",
                report.clients,
                report.database.as_str()
            );
        }
        if report.errors > 0 {
            ok = false;
        }
        if report.acknowledged == 0 {
            ok = false;
            eprintln!("load: {} clients: no request succeeded", report.clients);
        }
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = Options::parse(&args).and_then(|options| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(LoadError::io("tokio runtime"))?;
        runtime.block_on(main_async(options))
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("load: {error}");
            ExitCode::FAILURE
        }
    }
}
