//! Hostile input against the central server, over real TLS on 127.0.0.1, while a valid
//! security server keeps using it.
//!
//! The attacks are hand-written HTTP/1.1 requests to the registration endpoint. The XML
//! attacks take a valid, signed authCertReg request and replace only its SOAP part, so the
//! `multipart/related` framing is valid and the XML parser is reached: a DTD; an external
//! DTD, an external entity, an external parameter entity and an XInclude, each pointing at
//! a local file holding a marker; an undeclared entity; billion laughs; and 10,000 levels
//! of element nesting inside the SOAP body and inside the SOAP header (the reader refuses
//! the first element that does not belong there, so it never descends). The transport
//! attacks are a 50 MB body with a declared length and a chunked one, a slow-loris request
//! head sent one byte per second, and a slow body.
//!
//! What the test shows, all attacks running at once:
//! - each XML attack is answered promptly with HTTP 500 and a SOAP fault `invalid_request`
//!   naming its cause; no answer, and nothing in the store, contains the marker, so no
//!   entity was resolved; the peak memory of the process grows by far less than an
//!   expansion or a buffered 50 MB body would take;
//! - the declared 50 MB body is refused with 413 from its head alone, the chunked one with
//!   413 once the limit is passed, and the server stops taking the rest of either;
//! - the slow-loris connection is closed once the header read timeout is over, long before
//!   its head is complete, and the slow body is answered 408 after the body read timeout;
//! - a security server registering clients in a loop gets every request served, within a
//!   generous latency bound, during the whole attack, slow-loris window included;
//! - the server's metrics count each refusal for what it was and nothing else on the
//!   attacked endpoint;
//! - no row of the store changed, and the only rows added are the valid client's requests,
//!   their message logs and its clients; the server still serves a valid authCertReg on
//!   the attacked endpoint afterwards.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use openssl::ssl::{SslConnector, SslMethod};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_openssl::SslStream;
use xroad_central_server::RunningCentral;
use xroad_central_server::store::{RequestFilter, Service};
use xroad_examples::sandbox::{SERVER, Sandbox};
use xroad_examples::security::SecurityServer;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::envelope::parse_fault;
use xroad_runtime::fault::FaultCode;
use xroad_runtime::testpki::CertRequest;
use xroad_runtime::transport::Endpoint;

/// `max_body_bytes` of the server: room for a signed authCertReg with 10,000 levels of
/// nesting in it (about 80 KB), far below 50 MB.
const MAX_BODY_BYTES: usize = 128 * 1024;
/// `header_read_timeout_seconds` of the server.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(2);
/// `body_read_timeout_seconds` of the server.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(3);
/// Generous bound on the time to answer a request the server can refuse at once.
const PROMPT: Duration = Duration::from_secs(5);
/// Generous time allowed after a timeout for the server to act on it.
const TIMEOUT_MARGIN: Duration = Duration::from_secs(3);
/// Generous bound on the latency of each of the valid client's requests.
const VALID_LATENCY: Duration = Duration::from_secs(5);
/// Longest time a writer may keep pushing a refused body before the server stops it.
const WRITE_BOUND: Duration = Duration::from_secs(20);
/// Bound on the whole test.
const TEST_BOUND: Duration = Duration::from_secs(30);
/// The huge bodies.
const HUGE_BODY: usize = 50 * 1024 * 1024;
/// Bytes per write of the huge bodies.
const CHUNK: usize = 64 * 1024;
/// Levels of element nesting.
const NESTING: usize = 10_000;
/// Contents of the file the external entities point at.
const MARKER: &str = "xxe-marker-5b1f0c7d9e";
/// Largest growth of the process's peak resident memory during the attacks: below the
/// 50 MB a buffered huge body would take, far below an expanded billion laughs (3 GB).
const MEMORY_GROWTH: u64 = 40 * 1024 * 1024;

fn id(text: &str) -> XRoadClientIdentifierType {
    text.parse()
        .unwrap_or_else(|e| panic!("identifier {text}: {e}"))
}

/// Writes `central-hostile.toml`: the sandbox's `central.toml` with small limits.
fn hostile_config(sandbox: &Sandbox) -> PathBuf {
    let base = std::fs::read_to_string(sandbox.central_config()).expect("read central.toml");
    let limits = format!(
        "[limits]\nmax_body_bytes = {MAX_BODY_BYTES}\nheader_read_timeout_seconds = {}\n\
         body_read_timeout_seconds = {}\n",
        HEADER_READ_TIMEOUT.as_secs(),
        BODY_READ_TIMEOUT.as_secs(),
    );
    assert!(
        base.contains("[limits]\n"),
        "central.toml has a [limits] section"
    );
    let path = sandbox.dir().join("central-hostile.toml");
    std::fs::write(&path, base.replacen("[limits]\n", &limits, 1)).expect("write config");
    path
}

/// Peak resident memory of this process (`VmHWM`), in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmHWM in kB");
    kib * 1024
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The schema lines of a store dump, and its rows as (table, row).
fn dump_rows(dump: &str) -> (Vec<&str>, BTreeSet<(&str, &str)>) {
    let mut schema = Vec::new();
    let mut rows = BTreeSet::new();
    let mut table = "";
    for line in dump.lines() {
        if let Some(heading) = line.strip_prefix("table ") {
            table = heading.split(' ').next().unwrap_or_default();
        } else if let Some(row) = line.strip_prefix("  ") {
            rows.insert((table, row));
        } else {
            schema.push(line);
        }
    }
    (schema, rows)
}

/// Waits for a task, passing its panic on.
async fn join<T>(task: JoinHandle<T>) -> T {
    match task.await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// The registration endpoint, reached over TLS that verifies the server against the
/// sandbox CA.
#[derive(Clone)]
struct Target {
    address: SocketAddr,
    connector: SslConnector,
}

impl Target {
    fn new(address: SocketAddr, ca: &Path) -> Self {
        let mut builder = SslConnector::builder(SslMethod::tls_client()).expect("TLS connector");
        builder.set_ca_file(ca).expect("sandbox CA");
        Target {
            address,
            connector: builder.build(),
        }
    }

    async fn connect(&self) -> SslStream<TcpStream> {
        let tcp = TcpStream::connect(self.address).await.expect("TCP connect");
        let ssl = self
            .connector
            .configure()
            .and_then(|configuration| configuration.into_ssl("localhost"))
            .expect("TLS session");
        let mut stream = SslStream::new(ssl, tcp).expect("TLS stream");
        Pin::new(&mut stream)
            .connect()
            .await
            .expect("TLS handshake");
        stream
    }

    /// The head of a POST to the registration path.
    fn head(&self, content_type: &str, length: Length) -> Vec<u8> {
        let length = match length {
            Length::Declared(bytes) => format!("Content-Length: {bytes}"),
            Length::Chunked => "Transfer-Encoding: chunked".to_owned(),
        };
        format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n{length}\r\n\r\n",
            Endpoint::Registration.default_path(),
            self.address,
        )
        .into_bytes()
    }
}

/// How a request body is delimited.
enum Length {
    Declared(usize),
    Chunked,
}

/// A valid, signed authCertReg request whose SOAP part the XML attacks replace.
struct Template {
    content_type: String,
    body: Vec<u8>,
    soap: String,
}

impl Template {
    /// The request body with `soap` as its SOAP part; the rest of the framing unchanged.
    fn with_soap(&self, soap: &str) -> Vec<u8> {
        let at = find(&self.body, self.soap.as_bytes()).expect("the SOAP part in the body");
        [
            &self.body[..at],
            soap.as_bytes(),
            &self.body[at + self.soap.len()..],
        ]
        .concat()
    }

    /// The SOAP part with `declaration` right after the XML declaration.
    fn with_prolog(&self, declaration: &str) -> String {
        let at = if self.soap.starts_with("<?xml") {
            self.soap.find("?>").expect("end of the XML declaration") + 2
        } else {
            0
        };
        format!("{}{declaration}{}", &self.soap[..at], &self.soap[at..])
    }

    /// The SOAP part with `reference` as the address.
    fn with_address(&self, soap: &str, reference: &str) -> String {
        assert!(soap.contains(">10.0.0.9<"), "address in {soap}");
        soap.replacen(">10.0.0.9<", &format!(">{reference}<"), 1)
    }

    /// The SOAP part with [`NESTING`] nested elements first in the element `local`
    /// (`Header` or `Body`) of the SOAP namespace.
    fn with_nesting(&self, local: &str) -> String {
        let start = self
            .soap
            .find(&format!(":{local}>"))
            .or_else(|| self.soap.find(&format!(":{local} ")))
            .unwrap_or_else(|| panic!("SOAP {local} in {}", self.soap));
        let at = start + self.soap[start..].find('>').expect("end of the start tag") + 1;
        format!(
            "{}{}{}{}",
            &self.soap[..at],
            "<a>".repeat(NESTING),
            "</a>".repeat(NESTING),
            &self.soap[at..]
        )
    }
}

/// An HTTP response.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads one response with a `Content-Length`.
async fn read_answer<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Answer> {
    use std::io::{Error, ErrorKind};
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 64 * 1024 {
            return Err(Error::new(ErrorKind::InvalidData, "response head too long"));
        }
        let read = reader.read(&mut chunk).await?;
        if read == 0 {
            return Err(Error::new(
                ErrorKind::UnexpectedEof,
                format!(
                    "closed after {:?}",
                    String::from_utf8_lossy(&buffer).into_owned()
                ),
            ));
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, format!("status line of {head}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, format!("no length in {head}")))?;
    while buffer.len() < head_end + length {
        let read = reader.read(&mut chunk).await?;
        if read == 0 {
            return Err(Error::new(ErrorKind::UnexpectedEof, "body cut short"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    Ok(Answer {
        status,
        headers,
        body: buffer[head_end..head_end + length].to_vec(),
    })
}

/// Reads until the server closes the connection (an end of stream or an error); returns
/// what it sent.
async fn read_until_closed<R: AsyncRead + Unpin>(reader: &mut R) -> Vec<u8> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match reader.read(&mut chunk).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&chunk[..read]),
        }
    }
}

/// Writes filler bytes until `total` are written or a write fails, counting them in
/// `sent`; returns whether all were written. `chunked` frames each write as a chunk.
/// Panics if the server neither reads nor closes within [`WRITE_BOUND`].
async fn push_filler<W: AsyncWrite + Unpin>(
    writer: &mut W,
    total: usize,
    chunked: bool,
    sent: &AtomicUsize,
) -> bool {
    let filler = vec![b'x'; CHUNK];
    let pushing = async {
        while sent.load(Ordering::Relaxed) < total {
            let size = CHUNK.min(total - sent.load(Ordering::Relaxed));
            let written = if chunked {
                let mut frame = format!("{size:x}\r\n").into_bytes();
                frame.extend_from_slice(&filler[..size]);
                frame.extend_from_slice(b"\r\n");
                writer.write_all(&frame).await
            } else {
                writer.write_all(&filler[..size]).await
            };
            if written.is_err() {
                return false;
            }
            sent.fetch_add(size, Ordering::Relaxed);
        }
        if chunked && writer.write_all(b"0\r\n\r\n").await.is_err() {
            return false;
        }
        writer.flush().await.is_ok()
    };
    tokio::time::timeout(WRITE_BOUND, pushing)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "after {} bytes the server neither read more nor closed the connection",
                sent.load(Ordering::Relaxed)
            )
        })
}

/// One XML attack: the SOAP part and what the fault must say.
struct XmlAttack {
    name: &'static str,
    soap: String,
    reason: &'static str,
}

/// What an XML attack got.
struct XmlOutcome {
    name: &'static str,
    answer: Answer,
    elapsed: Duration,
}

/// The XML attacks on the template. `secret` is a file holding [`MARKER`].
fn xml_attacks(template: &Template, secret: &Path) -> Vec<XmlAttack> {
    let url = format!("file://{}", secret.display());
    let laughs = {
        let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
        for level in 1..=9 {
            let previous = format!("&lol{};", level - 1);
            dtd.push_str(&format!("<!ENTITY lol{level} \"{}\">", previous.repeat(10)));
        }
        dtd.push_str("]>");
        dtd
    };
    vec![
        XmlAttack {
            name: "DTD",
            soap: template.with_prolog("<!DOCTYPE Envelope [<!ELEMENT Envelope ANY>]>"),
            reason: "DTD declarations are not allowed",
        },
        XmlAttack {
            name: "external DTD",
            soap: template.with_prolog(&format!("<!DOCTYPE Envelope SYSTEM \"{url}\">")),
            reason: "DTD declarations are not allowed",
        },
        XmlAttack {
            name: "external entity",
            soap: template.with_address(
                &template.with_prolog(&format!(
                    "<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM \"{url}\">]>"
                )),
                "&xxe;",
            ),
            reason: "DTD declarations are not allowed",
        },
        XmlAttack {
            name: "external parameter entity",
            soap: template.with_prolog(&format!(
                "<!DOCTYPE Envelope [<!ENTITY % xxe SYSTEM \"{url}\"> %xxe;]>"
            )),
            reason: "DTD declarations are not allowed",
        },
        XmlAttack {
            name: "XInclude",
            soap: template.with_address(
                &template.soap,
                &format!(
                    "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"{url}\" \
                     parse=\"text\"/>"
                ),
            ),
            reason: "unexpected element `{http://www.w3.org/2001/XInclude}include`, expected text",
        },
        XmlAttack {
            name: "undeclared entity",
            soap: template.with_address(&template.soap, "&xxe;"),
            reason: "unknown entity `&xxe;`",
        },
        XmlAttack {
            name: "billion laughs",
            soap: template.with_address(&template.with_prolog(&laughs), "&lol9;"),
            reason: "DTD declarations are not allowed",
        },
        XmlAttack {
            name: "nesting in the body",
            soap: template.with_nesting("Body"),
            reason: "/Envelope/Body/a: body element `a` does not match the service",
        },
        XmlAttack {
            name: "nesting in the header",
            soap: template.with_nesting("Header"),
            reason: "/Envelope/Header/a: header element `a` is not allowed",
        },
    ]
}

/// Sends one XML attack with a declared length and reads the answer.
async fn send_xml_attack(
    target: Target,
    content_type: String,
    attack: XmlAttack,
    body: Vec<u8>,
) -> XmlOutcome {
    assert!(
        body.len() <= MAX_BODY_BYTES,
        "{}: a body of {} bytes would not reach the XML parser",
        attack.name,
        body.len()
    );
    let mut stream = target.connect().await;
    let started = Instant::now();
    stream
        .write_all(&target.head(&content_type, Length::Declared(body.len())))
        .await
        .expect("write head");
    stream.write_all(&body).await.expect("write body");
    stream.flush().await.expect("flush");
    let answer = tokio::time::timeout(PROMPT, read_answer(&mut stream))
        .await
        .unwrap_or_else(|_| panic!("{}: no answer within {PROMPT:?}", attack.name))
        .unwrap_or_else(|e| panic!("{}: no HTTP answer: {e}", attack.name));
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 500, "{}: {answer:?}", attack.name);
    assert_eq!(
        answer.header("content-type"),
        Some("text/xml; charset=UTF-8"),
        "{}",
        attack.name
    );
    let fault = parse_fault(&answer.body).unwrap_or_else(|e| {
        panic!(
            "{}: not a SOAP fault ({e}): {}",
            attack.name,
            String::from_utf8_lossy(&answer.body)
        )
    });
    assert_eq!(
        fault.code(),
        FaultCode::InvalidRequest,
        "{}: {fault}",
        attack.name
    );
    assert!(
        fault.fault.reason.contains(attack.reason),
        "{}: fault `{fault}` does not say `{}`",
        attack.name,
        attack.reason
    );
    XmlOutcome {
        name: attack.name,
        answer,
        elapsed,
    }
}

/// A 50 MB body with a declared length: refused with 413 from the head alone; the server
/// does not take the body after that.
async fn huge_declared_body(target: Target, content_type: String) -> Duration {
    let mut stream = target.connect().await;
    let started = Instant::now();
    stream
        .write_all(&target.head(&content_type, Length::Declared(HUGE_BODY)))
        .await
        .expect("write head");
    stream.flush().await.expect("flush");
    // Not one byte of the body is sent before the answer.
    let answer = tokio::time::timeout(PROMPT, read_answer(&mut stream))
        .await
        .expect("declared 50 MB body: an answer to the head alone, in time")
        .expect("declared 50 MB body: an HTTP answer");
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
    let sent = AtomicUsize::new(0);
    let completed = push_filler(&mut stream, HUGE_BODY, false, &sent).await;
    assert!(
        !completed && sent.load(Ordering::Relaxed) < HUGE_BODY,
        "the server took the whole refused body ({} bytes)",
        sent.load(Ordering::Relaxed)
    );
    elapsed
}

/// A chunked 50 MB body: refused with 413 once past the limit, while it is still being
/// sent; the server does not take the rest.
async fn huge_chunked_body(target: Target, content_type: String) -> (Duration, usize) {
    let stream = target.connect().await;
    let (mut reader, mut writer) = tokio::io::split(stream);
    let started = Instant::now();
    writer
        .write_all(&target.head(&content_type, Length::Chunked))
        .await
        .expect("write head");
    let sent = AtomicUsize::new(0);
    let (completed, (answer, sent_when_answered)) =
        tokio::join!(push_filler(&mut writer, HUGE_BODY, true, &sent), async {
            let answer = tokio::time::timeout(PROMPT, read_answer(&mut reader))
                .await
                .expect("chunked 50 MB body: an answer in time")
                .expect("chunked 50 MB body: an HTTP answer");
            (answer, sent.load(Ordering::Relaxed))
        });
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
    assert!(
        sent_when_answered >= MAX_BODY_BYTES,
        "answered after {sent_when_answered} bytes, before the limit was passed"
    );
    assert!(
        sent_when_answered < HUGE_BODY,
        "answered only after the whole body"
    );
    assert!(
        !completed && sent.load(Ordering::Relaxed) < HUGE_BODY,
        "the server took the whole refused body ({} bytes)",
        sent.load(Ordering::Relaxed)
    );
    (elapsed, sent_when_answered)
}

/// A request sent one byte per second: the connection is closed once the header read
/// timeout is over, long before the head is complete. Returns when the connection was
/// opened and when it was closed.
async fn slow_loris(target: Target, request: Vec<u8>, head_len: usize) -> (Instant, Instant) {
    let stream = target.connect().await;
    let (mut reader, mut writer) = tokio::io::split(stream);
    let opened = Instant::now();
    let mut closed = pin!(read_until_closed(&mut reader));
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    let mut sent = 0;
    let trickle = async {
        loop {
            tokio::select! {
                received = &mut closed => break received,
                _ = ticks.tick(), if sent < request.len() => {
                    let byte = &request[sent..=sent];
                    if writer.write_all(byte).await.is_err() || writer.flush().await.is_err() {
                        break (&mut closed).await;
                    }
                    sent += 1;
                }
            }
        }
    };
    let received = tokio::time::timeout(HEADER_READ_TIMEOUT + TIMEOUT_MARGIN, trickle)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "slow loris: still open after {:?}, header read timeout {HEADER_READ_TIMEOUT:?}",
                opened.elapsed()
            )
        });
    let closed_at = Instant::now();
    let open_for = closed_at - opened;
    assert!(
        received.is_empty(),
        "slow loris: the server answered {:?}",
        String::from_utf8_lossy(&received)
    );
    assert!(
        open_for >= HEADER_READ_TIMEOUT / 2 && open_for <= HEADER_READ_TIMEOUT + TIMEOUT_MARGIN,
        "slow loris: closed after {open_for:?}, header read timeout {HEADER_READ_TIMEOUT:?}"
    );
    assert!(
        sent < head_len,
        "slow loris: closed only after {sent} of the head's {head_len} bytes"
    );
    (opened, closed_at)
}

/// A request whose head comes at once and whose body comes one byte per second: answered
/// 408 once the body read timeout is over.
async fn slow_body(target: Target, content_type: String, body: Vec<u8>) -> Duration {
    let stream = target.connect().await;
    let (mut reader, mut writer) = tokio::io::split(stream);
    writer
        .write_all(&target.head(&content_type, Length::Declared(body.len())))
        .await
        .expect("write head");
    writer.flush().await.expect("flush");
    let started = Instant::now();
    let mut answered = pin!(tokio::time::timeout(
        BODY_READ_TIMEOUT + TIMEOUT_MARGIN,
        read_answer(&mut reader)
    ));
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    let mut sent = 0;
    let answer = loop {
        tokio::select! {
            answer = &mut answered => break answer,
            _ = ticks.tick(), if sent < body.len() => {
                if writer.write_all(&body[sent..=sent]).await.is_err()
                    || writer.flush().await.is_err()
                {
                    break answered.await;
                }
                sent += 1;
            }
        }
    };
    let elapsed = started.elapsed();
    let answer = answer
        .expect("slow body: an answer within the body read timeout and the margin")
        .expect("slow body: an HTTP answer");
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"), "{answer:?}");
    assert!(
        elapsed >= BODY_READ_TIMEOUT - Duration::from_secs(1),
        "slow body: answered after {elapsed:?}, before the body read timeout"
    );
    assert!(sent < body.len(), "slow body: the whole body was sent");
    elapsed
}

/// The admin listener's `/metrics` text.
async fn metrics(admin: SocketAddr) -> String {
    let mut tcp = TcpStream::connect(admin)
        .await
        .expect("connect to the admin listener");
    tcp.write_all(
        format!("GET /metrics HTTP/1.1\r\nHost: {admin}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("write the metrics request");
    let answer = tokio::time::timeout(PROMPT, read_answer(&mut tcp))
        .await
        .expect("metrics in time")
        .expect("metrics answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    String::from_utf8(answer.body).expect("UTF-8 metrics")
}

/// One request of the valid client.
struct Served {
    finished: Instant,
    latency: Duration,
    request_id: i64,
    client: String,
}

/// Registers new clients one after the other until `stop`; every request must succeed
/// within [`VALID_LATENCY`].
async fn keep_registering(client: SecurityServer, stop: Arc<AtomicBool>) -> Vec<Served> {
    let mut served = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let subsystem = format!("SUBSYSTEM:EE/COM/MACK/valid{}", served.len());
        let started = Instant::now();
        let request_id = tokio::time::timeout(VALID_LATENCY, client.client_reg(&id(&subsystem)))
            .await
            .unwrap_or_else(|_| panic!("valid clientReg {subsystem}: over {VALID_LATENCY:?}"))
            .unwrap_or_else(|e| panic!("valid clientReg {subsystem}: {e}"));
        served.push(Served {
            finished: Instant::now(),
            latency: started.elapsed(),
            request_id,
            client: subsystem,
        });
    }
    served
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_is_refused_while_a_valid_client_is_served() {
    tokio::time::timeout(TEST_BOUND, scenario())
        .await
        .expect("the test ends within its bound");
}

async fn scenario() {
    let test_started = Instant::now();
    let dir = tempfile::tempdir().expect("temporary folder");
    let sandbox = Sandbox::create(dir.path(), true).expect("sandbox");
    let central = RunningCentral::start(&hostile_config(&sandbox))
        .await
        .expect("central server");
    let security = sandbox
        .security_config(&central, SERVER)
        .expect("security server configuration");
    let client = security.security_server().expect("client");
    let first = client.auth_cert_reg("10.0.0.1").await.expect("authCertReg");

    let composed = client
        .prepare_auth_cert_reg("10.0.0.9")
        .await
        .expect("authCertReg template");
    let template = Template {
        content_type: composed.message.content_type.clone(),
        body: composed.message.body.clone(),
        soap: String::from_utf8(composed.request.soap.to_vec()).expect("UTF-8 SOAP"),
    };
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, MARKER).expect("write the secret");
    let target = Target::new(central.registration, &sandbox.dir().join("ca.pem"));
    let head_len = target
        .head(
            &template.content_type,
            Length::Declared(template.body.len()),
        )
        .len();
    let whole_request = [
        target.head(
            &template.content_type,
            Length::Declared(template.body.len()),
        ),
        template.body.clone(),
    ]
    .concat();

    let ids_before: BTreeSet<i64> = central
        .store
        .requests(&RequestFilter::default())
        .expect("requests")
        .iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(ids_before, BTreeSet::from([first]));
    let dump_before = central.store.dump().expect("dump");
    let memory_before = peak_memory();
    let setup_time = test_started.elapsed();

    let stop = Arc::new(AtomicBool::new(false));
    let valid = tokio::spawn(keep_registering(client.clone(), Arc::clone(&stop)));
    let attacks_started = Instant::now();
    let xml: Vec<_> = xml_attacks(&template, &secret)
        .into_iter()
        .map(|attack| {
            let body = template.with_soap(&attack.soap);
            tokio::spawn(send_xml_attack(
                target.clone(),
                template.content_type.clone(),
                attack,
                body,
            ))
        })
        .collect();
    let declared = tokio::spawn(huge_declared_body(
        target.clone(),
        template.content_type.clone(),
    ));
    let chunked = tokio::spawn(huge_chunked_body(
        target.clone(),
        template.content_type.clone(),
    ));
    let loris = tokio::spawn(slow_loris(target.clone(), whole_request, head_len));
    let slow = tokio::spawn(slow_body(
        target.clone(),
        template.content_type.clone(),
        template.body.clone(),
    ));

    let mut xml_outcomes = Vec::new();
    for task in xml {
        xml_outcomes.push(join(task).await);
    }
    let declared_time = join(declared).await;
    let (chunked_time, chunked_sent) = join(chunked).await;
    let (loris_opened, loris_closed) = join(loris).await;
    let slow_time = join(slow).await;
    let attack_time = attacks_started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let served = join(valid).await;
    let memory_growth = peak_memory().saturating_sub(memory_before);
    let counted = metrics(central.admin.expect("admin listener")).await;

    // Nothing was expanded or resolved.
    for outcome in &xml_outcomes {
        assert!(
            find(&outcome.answer.body, MARKER.as_bytes()).is_none(),
            "{}: the answer holds the file's contents",
            outcome.name
        );
    }
    let dump = central.store.dump().expect("dump");
    assert!(
        !dump.contains(MARKER),
        "the store holds the file's contents"
    );
    assert!(
        memory_growth < MEMORY_GROWTH,
        "peak memory grew by {memory_growth} bytes during the attacks"
    );

    // The valid client was served all along, the slow-loris window included.
    assert!(!served.is_empty(), "the valid client was never served");
    let in_loris_window = served
        .iter()
        .filter(|s| s.finished > loris_opened && s.finished < loris_closed)
        .count();
    assert!(
        in_loris_window > 0,
        "no valid request was served while the slow-loris connection was open"
    );
    // The server counted each refusal for what it was, and nothing else on the attacked
    // endpoint (the series every server lists from the start stay at zero).
    let registration_lines: Vec<&str> = counted
        .lines()
        .filter(|line| line.starts_with("xroad_mserv_requests_total{endpoint=\"registration\""))
        .filter(|line| !line.ends_with(" 0"))
        .collect();
    // An attack in the body leaves the header readable, and is counted under the service it
    // names; one in the prolog or the header is counted under none.
    let refused: u64 = registration_lines
        .iter()
        .filter(|line| line.contains("outcome=\"invalid_request\""))
        .map(|line| {
            assert!(
                line.contains("service=\"none\"") || line.contains("service=\"authCertReg\""),
                "{line}"
            );
            line.rsplit(' ')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(refused, xml_outcomes.len() as u64, "{counted}");
    let expected_lines = [
        r#"xroad_mserv_requests_total{endpoint="registration",service="authCertReg",outcome="ok"} 1"#,
        r#"xroad_mserv_requests_total{endpoint="registration",service="none",outcome="payload_too_large"} 2"#,
        r#"xroad_mserv_requests_total{endpoint="registration",service="none",outcome="body_timeout"} 1"#,
    ];
    assert_eq!(
        registration_lines
            .iter()
            .copied()
            .filter(|line| !line.contains("outcome=\"invalid_request\""))
            .collect::<BTreeSet<_>>(),
        expected_lines.into_iter().collect::<BTreeSet<_>>(),
        "{counted}"
    );
    assert!(
        counted.lines().any(|line| line
            == r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="header_timeout"} 1"#),
        "{counted}"
    );
    assert!(
        counted.lines().any(|line| line
            == format!(
                r#"xroad_mserv_requests_total{{endpoint="manage",service="clientReg",outcome="ok"}} {}"#,
                served.len()
            )),
        "{counted}"
    );
    let slowest = served.iter().map(|s| s.latency).max().unwrap_or_default();

    // The store holds exactly the valid client's requests.
    let records = central
        .store
        .requests(&RequestFilter::default())
        .expect("requests");
    let stored: BTreeSet<i64> = records.iter().map(|record| record.id).collect();
    let expected: BTreeSet<i64> = ids_before
        .iter()
        .copied()
        .chain(served.iter().map(|s| s.request_id))
        .collect();
    assert_eq!(stored, expected, "stored requests besides the valid ones");
    assert!(
        records
            .iter()
            .filter(|record| record.id != first)
            .all(|record| record.service() == Service::ClientReg),
        "a stored request that is no clientReg of the valid client"
    );
    // Besides the request id sequence, no row changed or went away, and the only rows
    // added are one request, its message log (with three attachments: signature, signing
    // certificate, OCSP response), its log chain entry and the registered client per valid
    // request; the day's byte count of the server grows.
    let (schema_before, rows_before) = dump_rows(&dump_before);
    let (schema_after, rows_after) = dump_rows(&dump);
    assert_eq!(schema_before, schema_after);
    let gone: Vec<_> = rows_before
        .difference(&rows_after)
        // The day's byte count of the server grows with each valid request.
        .filter(|(table, _)| !["sqlite_sequence", "daily_usage"].contains(table))
        .collect();
    assert!(gone.is_empty(), "rows changed or removed: {gone:#?}");
    let mut added = std::collections::BTreeMap::<&str, usize>::new();
    for (table, _) in rows_after.difference(&rows_before) {
        *added.entry(table).or_default() += 1;
    }
    added.remove("sqlite_sequence");
    added.remove("daily_usage");
    assert_eq!(
        added,
        [
            ("log_chain", served.len()),
            ("message_attachments", 3 * served.len()),
            ("message_log", served.len()),
            ("requests", served.len()),
            ("server_clients", served.len()),
        ]
        .into_iter()
        .collect(),
        "rows added by table"
    );
    let registry = central.store.registry().expect("registry");
    assert_eq!(registry.len(), 1);
    let clients: BTreeSet<String> = registry[0]
        .clients
        .iter()
        .map(|client| client.id.to_string())
        .collect();
    let registered: BTreeSet<String> = served.iter().map(|s| s.client.clone()).collect();
    assert_eq!(clients, registered);
    assert_eq!(registry[0].address.as_deref(), Some("10.0.0.1"));

    // The attacked endpoint still serves a valid request: a second authentication
    // certificate of the same server.
    let second = sandbox
        .pki()
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())
        .expect("second authentication certificate");
    std::fs::write(
        sandbox.dir().join("auth.pem"),
        second.cert_pem().expect("PEM"),
    )
    .expect("write auth.pem");
    std::fs::write(
        sandbox.dir().join("auth.key"),
        second.key_pem().expect("PEM"),
    )
    .expect("write auth.key");
    let renewed = sandbox
        .security_config(&central, SERVER)
        .expect("security server configuration");
    let after = renewed
        .security_server()
        .expect("client")
        .auth_cert_reg("10.0.0.1")
        .await
        .expect("a valid authCertReg after the attacks");
    assert!(after > first);

    eprintln!(
        "setup {setup_time:?}; attacks {attack_time:?}; XML refusals {:?}; declared 50 MB \
         refused in {declared_time:?}; chunked 50 MB refused in {chunked_time:?} after \
         {chunked_sent} bytes; slow loris closed after {:?}; slow body answered in \
         {slow_time:?}; valid requests {} ({in_loris_window} in the slow-loris window, \
         slowest {slowest:?}); peak memory growth {} KiB; total {:?}",
        xml_outcomes
            .iter()
            .map(|o| format!("{} {:?}", o.name, o.elapsed))
            .collect::<Vec<_>>(),
        loris_closed - loris_opened,
        served.len(),
        memory_growth / 1024,
        test_started.elapsed(),
    );
    central.stop().await;
    sandbox.shutdown().await;
}
