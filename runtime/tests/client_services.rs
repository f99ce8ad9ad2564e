//! The management client against a realistic central server over real TLS on 127.0.0.1:
//! the transport server with a handler that runs the verification pipeline, a test PKI
//! whose signing certificates name an HTTP OCSP responder, and a client that fetches OCSP
//! responses from it.

use std::any::Any;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use openssl::bn::BigNum;
use openssl::x509::{X509, X509Ref};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad;
use xroad_runtime::ManagementOperation;
use xroad_runtime::cert::{MemberId, TrustStore};
use xroad_runtime::client::{
    AuthKey, CentralServer, ClientSettings, ManagementClient, ManagementError, MemberKey,
};
use xroad_runtime::envelope::{Response, ResponseError, build_fault, request_hash};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
use xroad_runtime::operation::{ManagementBody, Operation};
use xroad_runtime::signature::{Signer, SoftwareSigner};
use xroad_runtime::testpki::{
    CertRequest, CertStatus, Issued, OcspHttpListener, OcspHttpServer, TestPki,
};
use xroad_runtime::transport::{
    ClientError, Endpoint, Handler, HandlerResponse, IncomingRequest, ListenerConfig, Outcome,
    Server, ServerConfig, TlsIdentity,
};
use xroad_runtime::verify::{OpenedRequest, Verifier, VerifierConfig};

const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const SOAP_CONTENT_TYPE: &str = "text/xml; charset=UTF-8";

fn id<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().unwrap()
}

fn serial(cert: &X509Ref) -> BigNum {
    cert.serial_number().to_bn().unwrap()
}

// ---------------------------------------------------------------------------------------
// The PKI and its OCSP responder, made once per test binary.
// ---------------------------------------------------------------------------------------

/// The test PKI, its HTTP OCSP responder, and the certificates every test shares.
struct Fixture {
    pki: TestPki,
    /// Runs on a thread of its own, so that it outlives each test's runtime.
    ocsp: OcspHttpServer,
    /// The central server's TLS certificate (localhost, 127.0.0.1).
    tls: Issued,
    /// Another TLS certificate for the same names.
    other_tls: Issued,
    /// The security server's authentication certificate.
    auth: Issued,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (started, ready) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener =
                    OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
                let pki = TestPki::builder().ocsp_url(listener.url()).build().unwrap();
                let ocsp = listener.serve(&pki).unwrap();
                started.send((pki, ocsp)).unwrap();
                std::future::pending::<()>().await;
            });
        });
        let (pki, ocsp) = ready.recv().unwrap();
        let localhost = [std::net::IpAddr::V4(Ipv4Addr::LOCALHOST)];
        let tls = pki
            .issue(&CertRequest::tls_server(&["localhost"], &localhost))
            .unwrap();
        let other_tls = pki
            .issue(&CertRequest::tls_server(&["localhost"], &localhost))
            .unwrap();
        let auth = pki
            .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"))
            .unwrap();
        Fixture {
            pki,
            ocsp,
            tls,
            other_tls,
            auth,
        }
    })
}

/// A new signing certificate (a new serial number, so OCSP counts are per test) of member
/// `EE/<class>/<code>`, with its key.
fn member_key(class: &str, code: &str) -> MemberKey {
    let issued = fixture()
        .pki
        .issue(&CertRequest::signing("EE", class, code))
        .unwrap();
    MemberKey::new(signer(&issued), issued.cert().clone()).unwrap()
}

fn signer(issued: &Issued) -> Arc<dyn Signer> {
    Arc::new(SoftwareSigner::from_pkey(issued.key().clone()).unwrap())
}

fn auth_key() -> AuthKey {
    let auth = &fixture().auth;
    AuthKey::new(signer(auth), auth.cert().clone()).unwrap()
}

fn identity(issued: &Issued) -> TlsIdentity {
    TlsIdentity::new(issued.cert().clone(), Vec::new(), issued.key().clone()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Request bodies, as the generated client's methods take them.
// ---------------------------------------------------------------------------------------

fn client_request(client: &XRoadClientIdentifierType) -> xroad::ClientRequestType {
    xroad::ClientRequestType {
        server: id(SERVER),
        client: client.clone(),
        request_id: None,
    }
}

fn client_reg(client: &XRoadClientIdentifierType) -> xroad::ClientReg {
    xroad::ClientReg(xroad::ClientRegRequestType {
        server: id(SERVER),
        client: client.clone(),
        subsystem_name: None,
        request_id: None,
    })
}

fn client_deletion(client: &XRoadClientIdentifierType) -> xroad::ClientDeletion {
    xroad::ClientDeletion(client_request(client))
}

fn owner_change(new_owner: &XRoadClientIdentifierType) -> xroad::OwnerChange {
    xroad::OwnerChange(client_request(new_owner))
}

/// authCertReg of the authentication certificate of [`auth_key`].
fn auth_cert_reg(address: &str) -> xroad::AuthCertReg {
    xroad::AuthCertReg(xroad::AuthCertRegRequestType {
        server: id(SERVER),
        address: Some(address.to_owned()),
        auth_cert: fixture().auth.cert_der().unwrap(),
        request_id: None,
    })
}

fn auth_cert_deletion(auth_cert: Vec<u8>) -> xroad::AuthCertDeletion {
    xroad::AuthCertDeletion(xroad::AuthCertDeletionRequestType {
        server: id(SERVER),
        auth_cert,
        request_id: None,
    })
}

/// The request id of a response body.
fn request_id<B: ManagementBody>(body: B) -> i64 {
    body.request_id().expect("the client checks requestId")
}

// ---------------------------------------------------------------------------------------
// The central server: transport server + verification pipeline.
// ---------------------------------------------------------------------------------------

/// How the handler answers a request that passed verification.
#[derive(Clone)]
enum Answer {
    /// With the response and the next request id.
    Response,
    /// With this fault.
    Fault(Fault),
    /// With a SOAP 1.1 fault of this `faultcode` and `faultstring`, as a proxy in between
    /// might answer.
    SoapFault(&'static str, &'static str),
    /// With a response whose `requestHash` is the hash of other bytes.
    WrongRequestHash,
    /// With a response whose header `id` is another one.
    WrongId,
    /// With a response whose body names another client.
    WrongClient,
}

/// What the handler saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    endpoint: Endpoint,
    peer: SocketAddr,
    client_certificate: Option<Vec<u8>>,
    /// The service code, or the fault the verifier refused the request with.
    verified: Result<String, Fault>,
}

struct Central {
    verifier: Verifier,
    next_id: AtomicI64,
    answer: Answer,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Central {
    fn fault(fault: &Fault) -> HandlerResponse {
        HandlerResponse::fault(
            SOAP_CONTENT_TYPE,
            build_fault(fault).unwrap(),
            Outcome {
                fault_code: Some(fault.code),
                ..Outcome::default()
            },
        )
    }
}

impl Central {
    /// Verifies the request as operation `O` and answers it as told; the service code, or
    /// the fault the verifier refused it with, is recorded in `seen`.
    fn answer<O: ManagementOperation>(
        &self,
        seen: &mut Seen,
        opened: OpenedRequest<'_>,
    ) -> HandlerResponse {
        let verified = match self.verifier.verify::<O>(opened, SystemTime::now()) {
            Ok(verified) => verified,
            Err(fault) => {
                seen.verified = Err(fault.clone());
                return Self::fault(&fault);
            }
        };
        seen.verified = Ok(O::NAME.to_owned());
        let request_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // Answering security servers directly: `requestHash` where the operation carries it.
        let mut response = Response::answer(
            &verified.request,
            &verified.parts.soap,
            request_id,
            O::DESCRIPTION.request_hash,
        )
        .unwrap();
        match &self.answer {
            Answer::Response => {}
            Answer::Fault(fault) => return Self::fault(fault),
            Answer::SoapFault(code, string) => {
                let body = format!(
                    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\
                     <SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>{code}</faultcode>\
                     <faultstring>{string}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>\
                     </SOAP-ENV:Envelope>"
                );
                return HandlerResponse::fault(
                    SOAP_CONTENT_TYPE,
                    body.into_bytes(),
                    Outcome::default(),
                );
            }
            Answer::WrongRequestHash => {
                response.header.request_hash = Some(request_hash(b"another request"));
            }
            Answer::WrongId => response.header.id = "another-id".to_owned(),
            Answer::WrongClient => {
                let body: &mut dyn Any = &mut response.body;
                if let Some(body) = body.downcast_mut::<xroad::ClientRegResponse>() {
                    body.0.client = id("SUBSYSTEM:EE/COM/client/other");
                }
            }
        }
        HandlerResponse::ok(
            SOAP_CONTENT_TYPE,
            response.to_soap().unwrap(),
            Outcome::default(),
        )
    }
}

impl Handler for Central {
    async fn handle(&self, request: IncomingRequest) -> HandlerResponse {
        let mut seen = Seen {
            endpoint: request.endpoint,
            peer: request.peer,
            client_certificate: request
                .client_certificate
                .as_ref()
                .map(|cert| cert.to_der().unwrap()),
            verified: Err(Fault::new(FaultCode::InternalError, "not verified")),
        };
        let response = match self
            .verifier
            .open(request.content_type.as_deref(), &request.body)
        {
            Err(fault) => {
                seen.verified = Err(fault.clone());
                Self::fault(&fault)
            }
            Ok(opened) => match opened.service_code() {
                ClientReg::NAME => self.answer::<ClientReg>(&mut seen, opened),
                ClientDeletion::NAME => self.answer::<ClientDeletion>(&mut seen, opened),
                AuthCertReg::NAME => self.answer::<AuthCertReg>(&mut seen, opened),
                AuthCertDeletion::NAME => self.answer::<AuthCertDeletion>(&mut seen, opened),
                OwnerChange::NAME => self.answer::<OwnerChange>(&mut seen, opened),
                _ => {
                    let fault = opened.unknown_service();
                    seen.verified = Err(fault.clone());
                    Self::fault(&fault)
                }
            },
        };
        self.seen.lock().unwrap().push(seen);
        response
    }
}

/// A central server running on 127.0.0.1 until dropped.
struct Running {
    registration: SocketAddr,
    manage: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    async fn start(answer: Answer) -> Running {
        let fixture = fixture();
        let localhost = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let config = ServerConfig::new(
            ListenerConfig::registration(localhost, identity(&fixture.tls)),
            ListenerConfig::manage(localhost, identity(&fixture.tls)),
        );
        let verifier = Verifier::new(
            VerifierConfig::new(id("EE"), id(PROVIDER)),
            TrustStore::new([fixture.pki.ca().cert().clone()]).unwrap(),
            OcspVerifier::new(OcspPolicy::default()),
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler = Central {
            verifier,
            next_id: AtomicI64::new(1),
            answer,
            seen: Arc::clone(&seen),
        };
        let server = Server::bind(config, handler).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        Running {
            registration: server.local_addr(Endpoint::Registration),
            manage: server.local_addr(Endpoint::Manage),
            seen,
            stop: Some(stop),
            task: tokio::spawn(server.run_until(async {
                let _ = stopped.await;
            })),
        }
    }

    /// Client settings for this server, pinning `pinned`, without keys.
    fn settings(&self, pinned: &X509) -> ClientSettings {
        let fixture = fixture();
        ClientSettings::new(
            id::<XRoadSecurityServerIdentifierType>(SERVER),
            id(PROVIDER),
            CentralServer {
                registration_url: format!(
                    "https://127.0.0.1:{}/managementservice/",
                    self.registration.port()
                ),
                manage_url: format!(
                    "https://127.0.0.1:{}/managementservice/manage/",
                    self.manage.port()
                ),
                tls_certificate: pinned.clone(),
            },
            identity(&fixture.auth),
            vec![fixture.pki.ca().cert().clone()],
        )
    }

    /// A client with the signing keys `keys` and no authentication key.
    fn client(&self, keys: &[&MemberKey]) -> ManagementClient {
        self.client_with(fixture().tls.cert(), keys, None)
    }

    /// A client pinning `pinned`, with the signing keys `keys` and the authentication key
    /// `auth`.
    fn client_with(
        &self,
        pinned: &X509,
        keys: &[&MemberKey],
        auth: Option<AuthKey>,
    ) -> ManagementClient {
        let mut settings = self.settings(pinned);
        settings.signing_keys = keys.iter().map(|key| (*key).clone()).collect();
        settings.auth_key = auth;
        ManagementClient::new(settings).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn all_five_services_are_accepted_after_verification() {
    let fixture = fixture();
    let central = Running::start(Answer::Response).await;
    let owner = member_key("GOV", "TS1OWNER");
    let client_member = member_key("COM", "client");
    let new_owner = member_key("COM", "newowner");
    // The client picks the key of the member each request names.
    let client = central.client_with(
        fixture.tls.cert(),
        &[&owner, &client_member, &new_owner],
        Some(auth_key()),
    );
    let subsystem: XRoadClientIdentifierType = id("SUBSYSTEM:EE/COM/client/sub");

    let ids = [
        request_id(
            client
                .call::<AuthCertReg>(auth_cert_reg("ss1.example.org"))
                .await
                .unwrap(),
        ),
        request_id(
            client
                .call::<ClientReg>(client_reg(&subsystem))
                .await
                .unwrap(),
        ),
        request_id(
            client
                .call::<OwnerChange>(owner_change(&id("MEMBER:EE/COM/newowner")))
                .await
                .unwrap(),
        ),
        request_id(
            client
                .call::<ClientDeletion>(client_deletion(&subsystem))
                .await
                .unwrap(),
        ),
        request_id(
            client
                .call::<AuthCertDeletion>(auth_cert_deletion(fixture.auth.cert_der().unwrap()))
                .await
                .unwrap(),
        ),
    ];
    assert_eq!(ids, [1, 2, 3, 4, 5]);

    let seen = central.seen();
    let services: Vec<&str> = seen
        .iter()
        .map(|s| s.verified.as_deref().unwrap())
        .collect();
    assert_eq!(
        services,
        [
            "authCertReg",
            "clientReg",
            "ownerChange",
            "clientDeletion",
            "authCertDeletion"
        ]
    );
    // authCertReg: registration endpoint, no client certificate; the others: manage
    // endpoint, with the authentication certificate.
    assert_eq!(seen[0].endpoint, Endpoint::Registration);
    assert_eq!(seen[0].client_certificate, None);
    let auth_der = fixture.auth.cert_der().unwrap();
    for request in &seen[1..] {
        assert_eq!(request.endpoint, Endpoint::Manage);
        assert_eq!(request.client_certificate.as_ref(), Some(&auth_der));
    }

    // Each signing certificate's OCSP response came from the responder in its AIA.
    for key in [&owner, &client_member, &new_owner] {
        assert_eq!(fixture.ocsp.responses_for(&serial(key.cert())), 1);
    }
    // A second clientReg with the same signing certificate reuses the fresh response; it
    // runs on a task of its own, as the client's futures are `Send`.
    let second = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .call::<ClientReg>(client_reg(&id("SUBSYSTEM:EE/COM/client/second")))
                .await
        }
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(request_id(second), 6);
    assert_eq!(fixture.ocsp.responses_for(&serial(client_member.cert())), 1);
    central.shutdown().await;
}

#[tokio::test]
async fn prepared_requests_share_one_keep_alive_connection() {
    let central = Running::start(Answer::Response).await;
    let owner = member_key("GOV", "TS1OWNER");
    let client = central.client_with(fixture().tls.cert(), &[&owner], Some(auth_key()));
    let first = client
        .prepare::<ClientDeletion>(client_deletion(&id("SUBSYSTEM:EE/COM/client/a")))
        .await
        .unwrap();
    let second = client
        .prepare::<ClientDeletion>(client_deletion(&id("SUBSYSTEM:EE/COM/client/b")))
        .await
        .unwrap();
    let mut connection = client.connect(Endpoint::Manage).await.unwrap();
    assert_eq!(request_id(connection.send(&first).await.unwrap()), 1);
    assert_eq!(request_id(connection.send(&second).await.unwrap()), 2);
    assert_eq!(request_id(connection.send(&first).await.unwrap()), 3);
    let peers: Vec<SocketAddr> = central.seen().iter().map(|s| s.peer).collect();
    assert_eq!(peers.len(), 3);
    assert!(peers.iter().all(|peer| *peer == peers[0]), "{peers:?}");

    let registration = client
        .prepare::<AuthCertReg>(auth_cert_reg("ss1.example.org"))
        .await
        .unwrap();
    match connection.send(&registration).await {
        Err(ManagementError::WrongEndpoint {
            operation,
            expected,
            connection,
        }) => {
            assert_eq!(operation, "authCertReg");
            assert_eq!(expected, Endpoint::Registration);
            assert_eq!(connection, Endpoint::Manage);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(request_id(client.send(&registration).await.unwrap()), 4);
    central.shutdown().await;
}

#[tokio::test]
async fn faults_reach_the_caller_with_code_and_reason() {
    let refusal = Fault::new(
        FaultCode::InvalidClientIdentifier,
        "client SUBSYSTEM:EE/COM/client/sub is not registered",
    );
    let central = Running::start(Answer::Fault(refusal.clone())).await;
    let subsystem: XRoadClientIdentifierType = id("SUBSYSTEM:EE/COM/client/sub");
    let error = central
        .client(&[])
        .call::<ClientDeletion>(client_deletion(&subsystem))
        .await
        .unwrap_err();
    match error {
        ManagementError::Fault(fault) => assert_eq!(fault, refusal),
        other => panic!("{other:?}"),
    }

    // The client signs only with the key of the member the request names: with another
    // member's key alone, it has none to sign with.
    let someone_else = member_key("COM", "someone-else");
    let error = central
        .client(&[&someone_else])
        .call::<ClientReg>(client_reg(&subsystem))
        .await
        .unwrap_err();
    match error {
        ManagementError::NoSigningKey { operation, member } => {
            assert_eq!((operation, member.as_str()), ("clientReg", "EE/COM/client"));
        }
        other => panic!("{other:?}"),
    }

    // A refusal by the verifier: the signing certificate is another member's (a key the
    // client was told belongs to the client's member).
    let mistaken = MemberKey::with_member(
        Arc::clone(someone_else.signer()),
        someone_else.cert().to_owned(),
        MemberId::new(id("EE"), id("COM"), id("client")),
    )
    .unwrap();
    let error = central
        .client(&[&mistaken])
        .call::<ClientReg>(client_reg(&subsystem))
        .await
        .unwrap_err();
    let fault = error.fault().expect("a fault");
    assert_eq!(fault.code, FaultCode::InvalidRequest);
    assert!(
        fault.reason.contains("EE/COM/someone-else"),
        "{}",
        fault.reason
    );
    central.shutdown().await;
}

/// The reference's security server reports any SOAP 1.1 fault; so does the client, with
/// its code and string, whether or not the code is one of X-Road's.
#[tokio::test]
async fn a_fault_with_any_code_reaches_the_caller() {
    let central = Running::start(Answer::SoapFault(
        "SOAP-ENV:Server",
        "Service temporarily unavailable",
    ))
    .await;
    let member = member_key("COM", "client");
    let error = central
        .client(&[&member])
        .call::<ClientReg>(client_reg(&id("SUBSYSTEM:EE/COM/client/sub")))
        .await
        .unwrap_err();
    assert_eq!(
        error.soap_fault(),
        Some(("SOAP-ENV:Server", "Service temporarily unavailable")),
        "{error:?}"
    );
    assert!(matches!(error, ManagementError::OtherFault(_)), "{error:?}");
    central.shutdown().await;
}

#[tokio::test]
async fn responses_that_do_not_answer_the_request_are_refused() {
    let subsystem: XRoadClientIdentifierType = id("SUBSYSTEM:EE/COM/client/sub");
    let member = member_key("COM", "client");
    let cases = [
        (Answer::WrongRequestHash, "/Envelope/Header/requestHash"),
        (Answer::WrongId, "/Envelope/Header/id"),
        (
            Answer::WrongClient,
            "/Envelope/Body/clientRegResponse/client",
        ),
    ];
    for (answer, expected_path) in cases {
        let central = Running::start(answer).await;
        let error = central
            .client(&[&member])
            .call::<ClientReg>(client_reg(&subsystem))
            .await
            .unwrap_err();
        let ManagementError::Response { operation, source } = &error else {
            panic!("{expected_path}: {error:?}");
        };
        assert_eq!(*operation, "clientReg");
        let path = match source.as_ref() {
            ResponseError::RequestHashMismatch { path } => path.to_string(),
            ResponseError::HeaderMismatch { path, .. } => path.to_string(),
            ResponseError::BodyMismatch { path } => path.clone(),
            other => panic!("{expected_path}: {other:?}"),
        };
        assert!(
            path.starts_with(expected_path),
            "{path} for {expected_path}"
        );
        // The server did accept the request; only the answer was wrong.
        assert_eq!(central.seen().len(), 1);
        central.shutdown().await;
    }
}

#[tokio::test]
async fn a_client_pinned_to_another_certificate_refuses_the_server() {
    let fixture = fixture();
    let central = Running::start(Answer::Response).await;
    let owner = member_key("GOV", "TS1OWNER");
    let client = central.client_with(fixture.other_tls.cert(), &[&owner], Some(auth_key()));
    let subsystem: XRoadClientIdentifierType = id("SUBSYSTEM:EE/COM/client/sub");
    for (endpoint, result) in [
        (
            Endpoint::Manage,
            client
                .call::<ClientDeletion>(client_deletion(&subsystem))
                .await
                .map(request_id),
        ),
        (
            Endpoint::Registration,
            client
                .call::<AuthCertReg>(auth_cert_reg("ss1.example.org"))
                .await
                .map(request_id),
        ),
    ] {
        match result {
            Err(ManagementError::Transport {
                endpoint: failed,
                source: ClientError::PinnedCertificateMismatch { .. },
            }) => assert_eq!(failed, endpoint),
            other => panic!("{endpoint}: {other:?}"),
        }
    }
    assert!(central.seen().is_empty());
    central.shutdown().await;
}

#[tokio::test]
async fn a_revoked_signing_certificate_is_refused_by_the_server() {
    let fixture = fixture();
    let central = Running::start(Answer::Response).await;
    let member = member_key("COM", "revoked");
    let member_serial = serial(member.cert());
    fixture.ocsp.set_status(
        &member_serial,
        CertStatus::Revoked {
            time: SystemTime::now() - Duration::from_secs(3_600),
            reason: None,
        },
    );
    let error = central
        .client(&[&member])
        .call::<ClientReg>(client_reg(&id("SUBSYSTEM:EE/COM/revoked/sub")))
        .await
        .unwrap_err();
    let fault = error.fault().expect("a fault");
    assert_eq!(fault.code, FaultCode::CertValidation, "{}", fault.reason);
    assert!(fault.reason.contains("was revoked"), "{}", fault.reason);
    assert_eq!(fixture.ocsp.responses_for(&member_serial), 1);
    central.shutdown().await;
}

#[tokio::test]
async fn signing_certificates_of_unknown_issuers_are_caught_before_sending() {
    let fixture = fixture();
    let central = Running::start(Answer::Response).await;
    let foreign = fixture
        .pki
        .issue_by(
            &CertRequest::signing("EE", "COM", "client"),
            fixture.pki.other_ca(),
        )
        .unwrap();
    let key = MemberKey::new(signer(&foreign), foreign.cert().clone()).unwrap();
    let error = central
        .client(&[&key])
        .call::<ClientReg>(client_reg(&id("SUBSYSTEM:EE/COM/client/sub")))
        .await
        .unwrap_err();
    match error {
        ManagementError::NoIssuer { subject } => assert_eq!(subject, "C=EE, O=COM, CN=client"),
        other => panic!("{other:?}"),
    }
    assert!(central.seen().is_empty());
    central.shutdown().await;
}
