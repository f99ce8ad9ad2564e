//! A bounded connection flood from single addresses while a valid security server keeps
//! being served, over real TLS on 127.0.0.1 (the flood comes from 127.0.0.2 and 127.0.0.3,
//! addresses of this machine's loopback network).
//!
//! The flood opens 1,100 idle TCP connections from 127.0.0.2 to the registration endpoint
//! and 1,100 from 127.0.0.3 to the manage endpoint, and holds them; none sends a byte.
//! With the default limits (1,000 connections per endpoint, 100 per client address,
//! 10 s to finish the TLS handshake), each address holds 100 connections of each endpoint
//! and the other 1,000 are closed at accept. Meanwhile the security server, from
//! 127.0.0.1, registers clients on the manage endpoint and its authentication certificate
//! on the registration endpoint, each request on a new TLS connection: every request is
//! served. The test prints the valid client's latency during the flood (it asserts no
//! time: speed is the benchmarks' business), and checks the server's metrics: 1,000
//! connections of each flood refused for the address limit, none for the endpoint limit.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use xroad_central_server::RunningCentral;
use xroad_examples::sandbox::{SERVER, Sandbox};
use xroad_mserv::identifiers::XRoadClientIdentifierType;

/// Idle connections opened from each flooding address.
const FLOOD: usize = 1_100;
/// Requests the valid client sends to the manage endpoint during the flood.
const VALID_REQUESTS: usize = 20;
/// The default limit of connections per client address and endpoint.
const PER_ADDRESS: usize = 100;

/// An idle TCP connection from `source` to `to`.
async fn idle_from(source: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(source.parse().expect("address"), 0))
        .expect("bind the flooding address");
    socket.connect(to).await.expect("connect")
}

/// The admin listener's `/metrics` text.
async fn metrics(admin: SocketAddr) -> String {
    let mut tcp = TcpStream::connect(admin).await.expect("connect to admin");
    tcp.write_all(
        format!("GET /metrics HTTP/1.1\r\nHost: {admin}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("write the metrics request");
    let mut text = String::new();
    tcp.read_to_string(&mut text).await.expect("read metrics");
    text
}

/// The value of the sample `series` in a metrics exposition.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.parse().ok()
    })
}

fn refused(metrics: &str, endpoint: &str, reason: &str) -> f64 {
    let series = format!(
        r#"xroad_mserv_connection_errors_total{{endpoint="{endpoint}",reason="{reason}"}}"#
    );
    sample(metrics, &series).unwrap_or(0.0)
}

/// Waits (a bounded number of polls) until the server has refused every flooding
/// connection over the address limit, and returns its metrics then.
async fn flood_settled(admin: SocketAddr) -> String {
    let expected = (FLOOD - PER_ADDRESS) as f64;
    let mut text = String::new();
    for _ in 0..200 {
        text = metrics(admin).await;
        if refused(&text, "registration", "address_limit") >= expected
            && refused(&text, "manage", "address_limit") >= expected
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    text
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_flooding_each_endpoint_does_not_stop_a_valid_client() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let admin = central.admin.expect("the sandbox has an admin listener");
    let server = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .security_server()
        .unwrap();
    server.auth_cert_reg("ss1.example.org").await.unwrap();

    let mut flood = Vec::with_capacity(2 * FLOOD);
    for _ in 0..FLOOD {
        flood.push(idle_from("127.0.0.2", central.registration).await);
        flood.push(idle_from("127.0.0.3", central.manage).await);
    }
    let during = flood_settled(admin).await;

    let mut latencies = Vec::with_capacity(VALID_REQUESTS + 1);
    for n in 0..VALID_REQUESTS {
        let client: XRoadClientIdentifierType =
            format!("SUBSYSTEM:EE/COM/MACK/flood{n}").parse().unwrap();
        let started = Instant::now();
        let result = server.client_reg(&client).await;
        latencies.push(started.elapsed());
        result.unwrap_or_else(|e| panic!("request {n} during the flood: {e}"));
    }
    // The registration endpoint serves too: the repeated registration is answered (a
    // response or a SOAP fault naming a rule), not cut off.
    let started = Instant::now();
    let repeated = server.auth_cert_reg("ss1.example.org").await;
    latencies.push(started.elapsed());
    if let Err(error) = &repeated {
        assert!(
            error.fault().is_some(),
            "registration during the flood: {error}"
        );
    }
    let after = metrics(admin).await;
    drop(flood);

    latencies.sort();
    let median = latencies[latencies.len() / 2];
    let max = latencies[latencies.len() - 1];
    println!(
        "FLOOD idle_connections_per_address={FLOOD} addresses=2 valid_requests={} \
         served={} p50_ms={:.1} max_ms={:.1} refused_address_limit_registration={} \
         refused_address_limit_manage={}",
        latencies.len(),
        latencies.len(),
        millis(median),
        millis(max),
        refused(&during, "registration", "address_limit"),
        refused(&during, "manage", "address_limit"),
    );

    let expected = (FLOOD - PER_ADDRESS) as f64;
    for endpoint in ["registration", "manage"] {
        assert_eq!(
            refused(&during, endpoint, "address_limit"),
            expected,
            "{endpoint}: {during}"
        );
        assert_eq!(
            refused(&after, endpoint, "connection_limit"),
            0.0,
            "{after}"
        );
    }
    let registered = central.store.registry().unwrap();
    assert_eq!(registered[0].clients.len(), VALID_REQUESTS);
    central.stop().await;
    sandbox.shutdown().await;
}
