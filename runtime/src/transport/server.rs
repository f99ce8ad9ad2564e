//! The server: two TLS listeners, an optional admin listener, connection handling and
//! graceful shutdown.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::future::Future;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::{HttpService, service_fn};
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use openssl::ssl::{
    Ssl, SslAcceptor, SslMethod, SslOptions, SslSessionCacheMode, SslVerifyMode, SslVersion,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::admission::{Admission, Slot};
use tokio::task::{JoinError, JoinSet};
use tokio_openssl::SslStream;

use super::config::{ClientAuth, Endpoint, Limits, ListenerConfig, ServerConfig};
use super::error::TransportError;
use super::exchange::{ConnectionInfo, ListenerContext, exchange};
use super::handler::Handler;
use super::metrics::{ConnectionError, Metrics};
use super::rate::PeerRateLimiter;

/// Largest request head and read buffer of a connection. Request heads of management
/// requests are a few hundred bytes; the hyper default (about 400 KiB) would let 1000
/// connections hold 400 MB.
const MAX_READ_BUFFER: usize = 64 * 1024;

/// Connections the admin listener serves at once; more are closed at accept.
const ADMIN_MAX_CONNECTIONS: usize = 16;

/// Pause after an accept error that is not about one connection (e.g. out of file
/// descriptors), so the loop does not spin while the condition lasts.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Longest time a closing connection is kept to send its last bytes and discard what the
/// client still sends.
const LINGER_TIME: Duration = Duration::from_secs(2);

/// Most bytes discarded from a closing connection.
const LINGER_BYTES: usize = 1024 * 1024;

/// How often the rate limiter forgets addresses that are back to full capacity.
const RATE_PRUNE_INTERVAL: Duration = Duration::from_secs(60);

/// The future of one request's response, boxed so connections can be polled without
/// pinning (and taken apart for closing).
type BoxedResponse =
    Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send>>;

/// A bound management service server. Create it with [`Server::bind`], run it with
/// [`Server::run_until`].
pub struct Server<H> {
    registration: TlsListener<H>,
    manage: TlsListener<H>,
    admin: Option<(TcpListener, SocketAddr)>,
    shared: Shared,
    shutdown_grace: Duration,
}

/// A bound TLS listener with what its connections need.
struct TlsListener<H> {
    listener: TcpListener,
    local: SocketAddr,
    acceptor: SslAcceptor,
    client_auth: ClientAuth,
    /// Which connections it takes: its own limits, apart from the other listener's.
    admission: Arc<Admission>,
    context: Arc<ListenerContext<H>>,
}

/// What every listener of a server shares.
#[derive(Clone)]
struct Shared {
    http: Arc<http1::Builder>,
    metrics: Arc<Metrics>,
    rate: Option<Arc<PeerRateLimiter>>,
    /// Most connections per listener.
    max_connections: usize,
    /// Most connections per client address on each listener.
    max_connections_per_address: usize,
}

impl<H: Handler> Server<H> {
    /// Checks the configuration, builds the TLS contexts and binds every listener.
    pub async fn bind(config: ServerConfig, handler: H) -> Result<Self, TransportError> {
        config.limits.validate()?;
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(config.limits.header_read_timeout)
            .max_buf_size(MAX_READ_BUFFER)
            .keep_alive(true);
        let shared = Shared {
            http: Arc::new(http),
            metrics: Arc::new(Metrics::new(&handler.services())),
            rate: config
                .limits
                .rate_limit
                .map(|rate| Arc::new(PeerRateLimiter::new(rate))),
            max_connections: config.limits.max_connections,
            max_connections_per_address: config.limits.max_connections_per_address,
        };
        let handler = Arc::new(handler);
        let registration = TlsListener::bind(
            Endpoint::Registration,
            config.registration,
            &config.limits,
            &handler,
            &shared,
        )
        .await?;
        let manage = TlsListener::bind(
            Endpoint::Manage,
            config.manage,
            &config.limits,
            &handler,
            &shared,
        )
        .await?;
        let admin = match config.admin {
            None => None,
            Some(address) => {
                let listener = bind_tcp("admin", address).await?;
                let local = local_addr("admin", address, &listener)?;
                Some((listener, local))
            }
        };
        Ok(Server {
            registration,
            manage,
            admin,
            shared,
            shutdown_grace: config.shutdown_grace,
        })
    }

    /// The address a TLS listener is bound to (with the actual port when 0 was configured).
    pub fn local_addr(&self, endpoint: Endpoint) -> SocketAddr {
        match endpoint {
            Endpoint::Registration => self.registration.local,
            Endpoint::Manage => self.manage.local,
        }
    }

    /// The address the admin listener is bound to, if there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().map(|(_, local)| *local)
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: stops accepting,
    /// lets requests in flight finish and closes idle connections, and after the grace
    /// period closes whatever is still open. Returns when every connection is closed.
    pub async fn run_until<F>(self, shutdown: F)
    where
        F: Future<Output = ()> + Send,
    {
        let Server {
            registration,
            manage,
            admin,
            shared,
            shutdown_grace,
        } = self;
        tracing::info!(
            registration = %registration.local,
            manage = %manage.local,
            admin = admin.as_ref().map(|(_, local)| tracing::field::display(*local)),
            max_connections = shared.max_connections,
            max_connections_per_address = shared.max_connections_per_address,
            "management service listening"
        );
        if manage.client_auth == ClientAuth::Off {
            tracing::warn!(
                manage = %manage.local,
                "TLS client authentication is off on the manage endpoint: callers are not \
                 authenticated by their authentication certificate; run it only behind a \
                 management service provider's security server"
            );
        }
        let (stop_sender, stop) = watch::channel(false);
        let trigger = async move {
            shutdown.await;
            tracing::info!(
                grace = ?shutdown_grace,
                "shutting down: no new connections, waiting for requests in flight"
            );
            stop_sender.send_replace(true);
            stop_sender
        };
        let (_stop_sender, registration, manage, admin, ()) = tokio::join!(
            trigger,
            accept_tls(registration, shared.clone(), stop.clone()),
            accept_tls(manage, shared.clone(), stop.clone()),
            accept_admin(admin, shared.clone(), stop.clone()),
            prune_rate_limiter(shared.rate.clone(), stop),
        );
        drain(vec![registration, manage, admin], shutdown_grace).await;
    }
}

impl<H: Handler> TlsListener<H> {
    async fn bind(
        endpoint: Endpoint,
        listener: ListenerConfig,
        limits: &Limits,
        handler: &Arc<H>,
        shared: &Shared,
    ) -> Result<Self, TransportError> {
        if !listener.path.starts_with('/') {
            return Err(TransportError::InvalidPath {
                endpoint,
                path: listener.path,
            });
        }
        let acceptor = acceptor(endpoint, &listener)
            .map_err(|source| TransportError::TlsSetup { endpoint, source })?;
        let tcp = bind_tcp(endpoint.as_str(), listener.address).await?;
        let local = local_addr(endpoint.as_str(), listener.address, &tcp)?;
        if let Some(sources) = &listener.allowed_sources {
            let sources: Vec<String> = sources.iter().map(ToString::to_string).collect();
            tracing::info!(
                endpoint = endpoint.as_str(),
                allowed_sources = %sources.join(", "),
                "connections are taken from the allowed sources only"
            );
        }
        Ok(TlsListener {
            listener: tcp,
            local,
            acceptor,
            client_auth: listener.client_auth,
            admission: Admission::new(
                limits.max_connections,
                limits.max_connections_per_address,
                listener.allowed_sources,
            ),
            context: Arc::new(ListenerContext {
                endpoint,
                path: listener.path,
                handler: Arc::clone(handler),
                limits: limits.clone(),
                rate: shared.rate.clone(),
                metrics: Arc::clone(&shared.metrics),
            }),
        })
    }
}

/// TLS 1.2 suites: ECDHE key exchange only (forward secrecy without finite-field
/// Diffie-Hellman), ECDSA or RSA server keys, AEAD ciphers — Mozilla "intermediate" without
/// its DHE suites.
const TLS12_CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
    ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
    ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// TLS 1.3 suites (whose key exchange is always ephemeral).
const TLS13_CIPHERSUITES: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// The TLS context of a listener: TLS 1.2 with ECDHE suites only and TLS 1.3, as the
/// reference's front end offers; no session tickets and no session cache, so every
/// connection makes a full handshake (with its client certificate, on the manage
/// endpoint); the listener's identity and its client authentication.
fn acceptor(
    endpoint: Endpoint,
    listener: &ListenerConfig,
) -> Result<SslAcceptor, openssl::error::ErrorStack> {
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    builder.set_min_proto_version(Some(SslVersion::TLS1_2))?;
    builder.set_cipher_list(TLS12_CIPHERS)?;
    builder.set_ciphersuites(TLS13_CIPHERSUITES)?;
    builder.set_options(SslOptions::NO_TICKET);
    builder.set_num_tickets(0)?;
    builder.set_session_cache_mode(SslSessionCacheMode::OFF);
    listener.tls.install(&mut builder)?;
    match listener.client_auth {
        ClientAuth::Required => {
            // Any client certificate is accepted in the handshake, as the reference's
            // security servers accept their peer's and check it per request: the handler
            // decides whether it is a registered authentication certificate of the server
            // named in the request, then checks its chain, validity, key usage and OCSP
            // status, and refuses with a SOAP fault that says why. OpenSSL still makes the
            // client prove possession of the certificate's key (CertificateVerify), so the
            // certificate handed to the handler is authentic.
            builder.set_verify_callback(
                SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
                |_chain_verified, _store| true,
            );
            // Sessions are not resumed; a context is still set, as OpenSSL asks of a
            // server that requests client certificates.
            builder.set_session_id_context(endpoint.as_str().as_bytes())?;
        }
        ClientAuth::Off => builder.set_verify(SslVerifyMode::NONE),
    }
    Ok(builder.build())
}

async fn bind_tcp(
    listener: &'static str,
    address: SocketAddr,
) -> Result<TcpListener, TransportError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| TransportError::Bind {
            listener,
            address,
            source,
        })
}

fn local_addr(
    listener: &'static str,
    address: SocketAddr,
    tcp: &TcpListener,
) -> Result<SocketAddr, TransportError> {
    tcp.local_addr().map_err(|source| TransportError::Bind {
        listener,
        address,
        source,
    })
}

/// Completes when the server is told to stop (or can no longer be told).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Accepts connections until told to stop; returns the tasks of the open connections.
/// `admit` gives an accepted connection its place (held until the connection ends), or
/// `None` to close it at once.
async fn accept_loop<S, F, P>(
    listener: TcpListener,
    name: &'static str,
    mut stop: watch::Receiver<bool>,
    mut admit: impl FnMut(SocketAddr) -> Option<P>,
    mut serve: S,
) -> JoinSet<()>
where
    S: FnMut(TcpStream, SocketAddr, P, watch::Receiver<bool>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            Some(joined) = connections.join_next(), if !connections.is_empty() => {
                report_join(name, joined);
            }
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => match admit(peer) {
                    Some(place) => {
                        connections.spawn(serve(tcp, peer, place, stop.clone()));
                    }
                    None => drop(tcp),
                },
                Err(error) => pause_after_accept_error(name, error).await,
            }
        }
    }
    drop(listener);
    tracing::info!(
        listener = name,
        open_connections = connections.len(),
        "stopped accepting connections"
    );
    connections
}

async fn pause_after_accept_error(listener: &'static str, error: io::Error) {
    // Errors about one connection that went away before it was accepted.
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) {
        tracing::debug!(listener, %error, "connection lost before accept");
        return;
    }
    tracing::warn!(listener, %error, "accept failed; pausing before the next accept");
    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
}

fn report_join(listener: &'static str, joined: Result<(), JoinError>) {
    if let Err(error) = joined
        && error.is_panic()
    {
        tracing::error!(listener, %error, "connection task panicked");
    }
}

async fn accept_tls<H: Handler>(
    listener: TlsListener<H>,
    shared: Shared,
    stop: watch::Receiver<bool>,
) -> JoinSet<()> {
    let TlsListener {
        listener,
        acceptor,
        client_auth,
        admission,
        context,
        ..
    } = listener;
    let endpoint = context.endpoint;
    let metrics = Arc::clone(&shared.metrics);
    accept_loop(
        listener,
        endpoint.as_str(),
        stop,
        move |peer| match admission.admit(peer) {
            Ok(slot) => Some(slot),
            Err(refusal) => {
                metrics.record_connection_error(endpoint, refusal.metric());
                // At debug level: a flood must not flood the log; the metric counts it.
                tracing::debug!(
                    endpoint = endpoint.as_str(),
                    %peer,
                    reason = ?refusal,
                    "connection closed at accept"
                );
                None
            }
        },
        move |tcp, peer, slot, stop| {
            serve_tls_connection(
                tcp,
                peer,
                slot,
                acceptor.clone(),
                client_auth,
                Arc::clone(&context),
                Arc::clone(&shared.http),
                stop,
            )
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn serve_tls_connection<H: Handler>(
    tcp: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    acceptor: SslAcceptor,
    client_auth: ClientAuth,
    context: Arc<ListenerContext<H>>,
    http: Arc<http1::Builder>,
    mut stop: watch::Receiver<bool>,
) {
    let _slot = slot;
    let endpoint = context.endpoint;
    let metrics = Arc::clone(&context.metrics);
    let _open = metrics.open_connection(endpoint);
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%peer, %error, "cannot set TCP_NODELAY");
    }
    let mut stream = match Ssl::new(acceptor.context()).and_then(|ssl| SslStream::new(ssl, tcp)) {
        Ok(stream) => stream,
        Err(error) => {
            tracing::error!(endpoint = endpoint.as_str(), %peer, %error, "cannot create TLS session");
            return;
        }
    };
    let handshake = tokio::time::timeout(
        context.limits.tls_handshake_timeout,
        Pin::new(&mut stream).accept(),
    );
    tokio::select! {
        () = stopped(&mut stop) => return,
        result = handshake => match result {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                metrics.record_connection_error(endpoint, ConnectionError::TlsHandshakeFailed);
                tracing::debug!(endpoint = endpoint.as_str(), %peer, %error, "TLS handshake failed");
                close_lingering(stream, false).await;
                return;
            }
            Err(_) => {
                metrics.record_connection_error(endpoint, ConnectionError::TlsHandshakeTimeout);
                tracing::debug!(endpoint = endpoint.as_str(), %peer, "TLS handshake timed out");
                return;
            }
        },
    }
    let client_certificate = match client_auth {
        ClientAuth::Required => stream.ssl().peer_certificate(),
        ClientAuth::Off => None,
    };
    tracing::debug!(
        endpoint = endpoint.as_str(),
        %peer,
        version = stream.ssl().version_str(),
        cipher = stream.ssl().current_cipher().map(|cipher| cipher.name()),
        "TLS connection established"
    );
    let info = Arc::new(ConnectionInfo::new(peer, client_certificate));
    let service = {
        let info = Arc::clone(&info);
        service_fn(move |request: Request<Incoming>| -> BoxedResponse {
            let context = Arc::clone(&context);
            let info = Arc::clone(&info);
            Box::pin(async move { Ok(exchange(&context, &info, request).await) })
        })
    };
    let connection = http.serve_connection(TokioIo::new(stream), service);
    let ended = drive(connection, endpoint.as_str(), peer, stop, |error| {
        if error.is_timeout() {
            metrics.record_connection_error(endpoint, ConnectionError::HeaderTimeout);
        }
    })
    .await;
    if let Some(stream) = ended {
        if info.unread_request_data() {
            close_lingering(stream, true).await;
        } else {
            close(stream).await;
        }
    }
}

/// Runs an HTTP connection to its end; when told to stop, lets the request in flight
/// finish and ends the connection. Returns the transport when the connection ended
/// cleanly, for the caller to close; `None` after an error (it is dropped).
async fn drive<T, S, B>(
    mut connection: http1::Connection<TokioIo<T>, S>,
    listener: &'static str,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
    on_error: impl FnOnce(&hyper::Error),
) -> Option<T>
where
    S: HttpService<Incoming, ResBody = B> + Unpin,
    S::Future: Unpin,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    T: AsyncRead + AsyncWrite + Unpin,
    B: Body + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let result = tokio::select! {
        result = poll_fn(|cx| connection.poll_without_shutdown(cx)) => result,
        () = stopped(&mut stop) => {
            Pin::new(&mut connection).graceful_shutdown();
            poll_fn(|cx| connection.poll_without_shutdown(cx)).await
        }
    };
    match result {
        Ok(()) => Some(connection.into_parts().io.into_inner()),
        Err(error) => {
            on_error(&error);
            if error.is_timeout() {
                tracing::debug!(listener, %peer, "request head not received in time; connection closed");
            } else {
                tracing::debug!(listener, %peer, %error, "connection ended with an error");
            }
            None
        }
    }
}

/// Ends a connection: TLS `close_notify` (if TLS) and TCP FIN, within [`LINGER_TIME`].
async fn close<T: AsyncWrite + Unpin>(mut transport: T) {
    let _ = tokio::time::timeout(LINGER_TIME, transport.shutdown()).await;
}

/// Ends a connection whose client may still be sending data the server did not read (a
/// refused request body, the request sent right after a refused TLS 1.3 handshake): sends
/// what is pending and FIN, then reads and discards what still comes, up to
/// [`LINGER_BYTES`] and [`LINGER_TIME`]. Closing with unread data would make the kernel
/// reset the connection, and the client could lose the response or alert before reading it.
async fn close_lingering(mut stream: SslStream<TcpStream>, send_close_notify: bool) {
    let _ = tokio::time::timeout(LINGER_TIME, async {
        if send_close_notify {
            let _ = stream.shutdown().await;
        } else {
            let _ = stream.get_mut().shutdown().await;
        }
        let tcp = stream.get_mut();
        let mut buffer = [0u8; 8192];
        let mut discarded = 0usize;
        while discarded < LINGER_BYTES {
            match tcp.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => discarded += read,
            }
        }
    })
    .await;
}

async fn accept_admin(
    admin: Option<(TcpListener, SocketAddr)>,
    shared: Shared,
    stop: watch::Receiver<bool>,
) -> JoinSet<()> {
    let Some((listener, _)) = admin else {
        return JoinSet::new();
    };
    let permits = Arc::new(Semaphore::new(ADMIN_MAX_CONNECTIONS));
    accept_loop(
        listener,
        "admin",
        stop,
        move |peer| {
            let permit: Option<OwnedSemaphorePermit> =
                Arc::clone(&permits).try_acquire_owned().ok();
            if permit.is_none() {
                tracing::debug!(%peer, "admin connection limit reached; connection closed");
            }
            permit
        },
        move |tcp, peer, permit, stop| {
            let metrics = Arc::clone(&shared.metrics);
            let http = Arc::clone(&shared.http);
            async move {
                let _permit = permit;
                let service = service_fn(move |request: Request<Incoming>| {
                    std::future::ready(Ok::<_, Infallible>(metrics.serve(&request)))
                });
                let connection = http.serve_connection(TokioIo::new(tcp), service);
                if let Some(tcp) = drive(connection, "admin", peer, stop, |_| {}).await {
                    close(tcp).await;
                }
            }
        },
    )
    .await
}

async fn prune_rate_limiter(rate: Option<Arc<PeerRateLimiter>>, mut stop: watch::Receiver<bool>) {
    let Some(rate) = rate else {
        return;
    };
    let mut interval = tokio::time::interval(RATE_PRUNE_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stopped(&mut stop) => return,
            _ = interval.tick() => rate.prune(),
        }
    }
}

/// Waits for the connections to close, up to `grace`; then closes the rest.
async fn drain(mut sets: Vec<JoinSet<()>>, grace: Duration) {
    let all_closed = async {
        for set in &mut sets {
            while let Some(joined) = set.join_next().await {
                report_join("shutdown", joined);
            }
        }
    };
    if tokio::time::timeout(grace, all_closed).await.is_err() {
        let remaining: usize = sets.iter().map(JoinSet::len).sum();
        tracing::warn!(
            remaining,
            ?grace,
            "grace period over; closing the remaining connections"
        );
        for set in &mut sets {
            set.shutdown().await;
        }
    }
    tracing::info!("management service stopped");
}
