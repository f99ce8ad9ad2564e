//! A database of its own for each test, on the throw-away cluster that `tests/postgres.sh`
//! starts (`tests/run.sh` does) and names in `XROAD_TEST_POSTGRES_URL`. Without it the test
//! fails and says how to run it: it is never skipped.

use std::sync::atomic::{AtomicUsize, Ordering};

use xroad_central_server::store::postgres::{self, PostgresDatabase};

/// The variable naming the test cluster.
pub const URL_VARIABLE: &str = "XROAD_TEST_POSTGRES_URL";

/// A new empty database, dropped at the end of the test.
pub struct TestDatabase {
    /// The database.
    pub db: PostgresDatabase,
    server: PostgresDatabase,
    name: String,
}

/// The URL of the test cluster's database; the test fails, saying how to start the cluster,
/// when there is none.
pub fn url() -> String {
    std::env::var(URL_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "{URL_VARIABLE} is not set: the PostgreSQL tests need a cluster; run them as \
             `bash tests/postgres.sh run cargo test …` (tests/run.sh starts one)"
        )
    })
}

/// The PEM file of the CA of the test cluster's TLS certificate.
pub fn ca() -> std::path::PathBuf {
    std::env::var_os("XROAD_TEST_POSTGRES_CA")
        .unwrap_or_else(|| panic!("XROAD_TEST_POSTGRES_CA is not set: see {URL_VARIABLE}"))
        .into()
}

impl TestDatabase {
    /// Creates a database named after this process and a counter.
    pub fn create() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        // TLS as the cluster offers it (sslmode=prefer), verified against its CA.
        let server = PostgresDatabase::parse(&url(), Some(ca())).expect("XROAD_TEST_POSTGRES_URL");
        let name = format!(
            "xroad_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        postgres::connect(&server)
            .expect("connecting to the test cluster")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating a test database");
        Self {
            db: server.with_dbname(&name),
            server,
            name,
        }
    }

    /// The URL of the database (the test cluster's URL with its name).
    pub fn url(&self) -> String {
        let cluster = url();
        let (server, _) = cluster
            .rsplit_once('/')
            .expect("XROAD_TEST_POSTGRES_URL ends with a database name");
        format!("{server}/{}", self.name)
    }

    /// A new connection to the database.
    pub fn connect(&self) -> ::postgres::Client {
        postgres::connect(&self.db).expect("connecting to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::connect(&self.server) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The database a store test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A database of its own on the test cluster.
    Postgres,
}

/// Where a test store keeps its data; removed at the end of the test.
pub enum Place {
    /// The temporary folder and the SQLite file in it.
    Sqlite(tempfile::TempDir, std::path::PathBuf),
    /// The test database (boxed: it is much larger than a path).
    Postgres(Box<TestDatabase>),
}

/// A store on `backend`, and the place to open it again or to go around it.
pub struct TestStore {
    /// The store.
    pub store: xroad_central_server::store::Store,
    /// Its data.
    pub place: Place,
}

impl TestStore {
    /// A new, empty store with `provider` and `settings`.
    pub fn open(
        backend: Backend,
        provider: &str,
        settings: xroad_central_server::store::StoreSettings,
    ) -> Self {
        let place = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let path = dir.path().join("central.db");
                Place::Sqlite(dir, path)
            }
            Backend::Postgres => Place::Postgres(Box::new(TestDatabase::create())),
        };
        let store = open_at(&place, provider, settings);
        Self { store, place }
    }

    /// Another store on the same data: a restart, or a second node.
    pub fn open_again(
        &self,
        provider: &str,
        settings: xroad_central_server::store::StoreSettings,
    ) -> xroad_central_server::store::Store {
        open_at(&self.place, provider, settings)
    }

    /// Runs `sqlite` or `postgres` on the data behind the store's back, with foreign keys
    /// not enforced (`PRAGMA foreign_keys = OFF`; replica mode on PostgreSQL).
    pub fn tamper(&self, sqlite: &str, postgres: &str) {
        match &self.place {
            Place::Sqlite(_, path) => rusqlite::Connection::open(path)
                .and_then(|conn| {
                    conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {sqlite}"))
                })
                .expect("changing the SQLite file"),
            Place::Postgres(test) => test
                .connect()
                .batch_execute(&format!(
                    "SET session_replication_role = replica; {postgres}"
                ))
                .expect("changing the database"),
        }
    }

    /// The `database` line of a `central.toml` for this data.
    pub fn database_setting(&self) -> String {
        match &self.place {
            Place::Sqlite(_, path) => path.display().to_string(),
            Place::Postgres(test) => test.url(),
        }
    }
}

fn open_at(
    place: &Place,
    provider: &str,
    settings: xroad_central_server::store::StoreSettings,
) -> xroad_central_server::store::Store {
    use xroad_central_server::store::Store;
    let provider = provider.parse().expect("a provider identifier");
    match place {
        Place::Sqlite(_, path) => Store::open_with(path, provider, settings),
        Place::Postgres(test) => Store::open_postgres(&test.db, 4, provider, settings),
    }
    .expect("opening the store")
}

/// A central server's data on `backend` for the `central.toml` at `config` (as a sandbox
/// writes it, with `database = "central.db"`): SQLite leaves the file as it is; PostgreSQL
/// gets a test database, and the file names it. Safe to use from async code.
pub enum CentralData {
    /// The SQLite file.
    Sqlite(std::path::PathBuf),
    /// The test database (taken only when dropped).
    Postgres(Option<Box<TestDatabase>>),
}

impl CentralData {
    /// Points the `central.toml` at `config` to a database on `backend`.
    pub fn for_config(backend: Backend, config: &std::path::Path) -> Self {
        let folder = config.parent().expect("central.toml is in a folder");
        if backend == Backend::Sqlite {
            return Self::Sqlite(folder.join("central.db"));
        }
        let test = off_async(TestDatabase::create);
        let text = std::fs::read_to_string(config).expect("reading central.toml");
        let line = "database = \"central.db\"";
        assert!(text.contains(line), "{text}");
        let pg = format!(
            "database = \"{}\"\ndatabase_ca_certificates = \"{}\"",
            test.url(),
            ca().display()
        );
        std::fs::write(config, text.replace(line, &pg)).expect("writing central.toml");
        Self::Postgres(Some(Box::new(test)))
    }

    /// Runs `sqlite` or `postgres` on the data behind the server's back, with foreign keys
    /// not enforced (`PRAGMA foreign_keys = OFF`; replica mode on PostgreSQL).
    pub fn tamper(&self, sqlite: &str, postgres: &str) {
        match self {
            Self::Sqlite(file) => rusqlite::Connection::open(file)
                .and_then(|conn| {
                    conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {sqlite}"))
                })
                .expect("changing the SQLite file"),
            Self::Postgres(test) => off_async(|| {
                test.as_ref()
                    .expect("the database is there until dropped")
                    .connect()
                    .batch_execute(&format!(
                        "SET session_replication_role = replica; {postgres}"
                    ))
                    .expect("changing the database")
            }),
        }
    }
}

impl Drop for CentralData {
    fn drop(&mut self) {
        if let Self::Postgres(test) = self
            && let Some(test) = test.take()
        {
            off_async(move || drop(test));
        }
    }
}

/// Runs `work` on a thread of its own when called from async code, where the blocking
/// PostgreSQL client refuses to run.
pub fn off_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .expect("the blocking work panicked")
    })
}
