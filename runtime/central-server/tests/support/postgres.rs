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
