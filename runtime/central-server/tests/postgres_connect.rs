//! Connecting to PostgreSQL: TLS verified against the configured CA and host name, TLS off
//! when asked, CA files that cannot be used; and two servers serving from one PostgreSQL
//! database.

#[allow(dead_code)] // each test file uses a part
#[path = "support/postgres.rs"]
mod support;

use std::error::Error as _;
use std::path::PathBuf;

use xroad_central_server::RunningCentral;
use xroad_central_server::store::postgres::{self as pg, PostgresDatabase, PostgresError};
use xroad_examples::sandbox::{SERVER, Sandbox};
use xroad_runtime::testpki::TestPki;

/// Whether the connection's session runs over TLS.
fn over_tls(client: &mut ::postgres::Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

/// The test cluster's URL with its host replaced by `host` and `query` appended.
fn cluster_url(host: &str, query: &str) -> String {
    let url = support::url();
    let port = std::env::var("XROAD_TEST_POSTGRES_PORT").expect("XROAD_TEST_POSTGRES_PORT");
    let dbname = url.rsplit('/').next().unwrap().to_owned();
    format!("postgres://postgres@{host}:{port}/{dbname}?{query}")
}

/// The error and its causes as one text.
fn chain(error: &PostgresError) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(source) = cause {
        text.push_str(": ");
        text.push_str(&source.to_string());
        cause = source.source();
    }
    text
}

#[test]
fn tls_is_verified_against_the_configured_ca_by_address_and_name() {
    for host in ["127.0.0.1", "localhost"] {
        let db =
            PostgresDatabase::parse(&cluster_url(host, "sslmode=require"), Some(support::ca()))
                .unwrap();
        let mut client = pg::connect(&db).unwrap_or_else(|e| panic!("{host}: {}", chain(&e)));
        assert!(over_tls(&mut client), "{host}");
    }
}

#[test]
fn a_server_certificate_from_another_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other-ca.pem");
    let pki = TestPki::new().unwrap();
    std::fs::write(&other, pki.other_ca().cert_pem().unwrap()).unwrap();
    for mode in ["require", "prefer"] {
        let db = PostgresDatabase::parse(
            &cluster_url("127.0.0.1", &format!("sslmode={mode}")),
            Some(other.clone()),
        )
        .unwrap();
        let Err(error) = pg::connect(&db) else {
            panic!("sslmode={mode}: connected to a server the CA did not certify");
        };
        let text = chain(&error);
        assert!(
            matches!(error, PostgresError::Connect { .. }) && text.contains("certificate"),
            "{text}"
        );
    }
}

#[test]
fn a_host_the_certificate_does_not_name_is_refused() {
    let url = cluster_url("db.invalid", "hostaddr=127.0.0.1&sslmode=require");
    let db = PostgresDatabase::parse(&url, Some(support::ca())).unwrap();
    let Err(error) = pg::connect(&db) else {
        panic!("connected to a server whose certificate names another host");
    };
    assert!(chain(&error).contains("certificate"), "{}", chain(&error));
}

#[test]
fn sslmode_disable_connects_without_tls() {
    let db = PostgresDatabase::parse(&cluster_url("127.0.0.1", "sslmode=disable"), None).unwrap();
    let mut client = pg::connect(&db).unwrap();
    assert!(!over_tls(&mut client));
}

#[test]
fn ca_files_that_cannot_be_used_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = cluster_url("127.0.0.1", "sslmode=require");
    let missing = dir.path().join("missing.pem");
    let Err(error) = pg::connect(&PostgresDatabase::parse(&url, Some(missing.clone())).unwrap())
    else {
        panic!("connected with a CA file that does not exist");
    };
    assert!(
        matches!(&error, PostgresError::CaFile { path, .. } if *path == missing),
        "{error:?}"
    );
    let empty: PathBuf = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").unwrap();
    let Err(error) = pg::connect(&PostgresDatabase::parse(&url, Some(empty.clone())).unwrap())
    else {
        panic!("connected with a CA file without a certificate");
    };
    assert!(
        matches!(&error, PostgresError::CaCertificates { path, .. } if *path == empty),
        "{error:?}"
    );
}

/// Blocking store calls from a test's async code (the PostgreSQL client refuses to run on
/// an async worker thread, as the server never does).
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_database_serve_one_registry() {
    let test = blocking(support::TestDatabase::create);
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let config = sandbox.central_config();
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("database = \"central.db\""), "{text}");
    std::fs::write(
        &config,
        text.replace(
            "database = \"central.db\"",
            &format!(
                "database = \"{}\"\ndatabase_ca_certificates = \"{}\"",
                test.url(),
                support::ca().display()
            ),
        ),
    )
    .unwrap();
    let first = RunningCentral::start(&config).await.unwrap();
    let second = RunningCentral::start(&config).await.unwrap();
    assert!(first.store.is_postgres());
    assert!(!dir.path().join("central.db").exists());

    // The server registers on the first node, its client on the second.
    let on_first = sandbox.security_config(&first, SERVER).unwrap();
    let on_second = sandbox.security_config(&second, SERVER).unwrap();
    let id = on_first
        .security_server()
        .unwrap()
        .auth_cert_reg("ss1.example.org")
        .await
        .unwrap();
    let client = "SUBSYSTEM:EE/COM/MACK/sub".parse().unwrap();
    let next = on_second
        .security_server()
        .unwrap()
        .client_reg(&client)
        .await
        .unwrap();
    assert_eq!((id, next), (1, 2));

    for node in [&first, &second] {
        let registry = blocking(|| node.store.registry()).unwrap();
        assert_eq!(registry.len(), 1);
        assert_eq!(registry[0].clients.len(), 1);
        assert_eq!(registry[0].clients[0].id, client);
        let audit = blocking(|| node.store.audit()).unwrap();
        assert_eq!((audit.findings.len(), audit.entries), (0, 2));
    }
    first.stop().await;
    second.stop().await;
    sandbox.shutdown().await;
    blocking(move || drop(test));
}
