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

impl TestDatabase {
    /// Creates a database named after this process and a counter.
    pub fn create() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let url = std::env::var(URL_VARIABLE).unwrap_or_else(|_| {
            panic!(
                "{URL_VARIABLE} is not set: the PostgreSQL tests need a cluster; run them as \
                 `bash tests/postgres.sh run cargo test …` (tests/run.sh starts one)"
            )
        });
        let server = PostgresDatabase::parse(&url, None).expect("XROAD_TEST_POSTGRES_URL");
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
