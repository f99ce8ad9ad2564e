//! The new operation end to end: the generated client sends `contactChange` over TLS to a
//! server built from `xroad-runtime` around the generated server, with the signature, the
//! signing certificate and its OCSP response verified on the way — and `xroad-runtime` knows
//! nothing of the operation.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use openssl::x509::X509Ref;
use xroad_codec::operation::{Operation, Signer as SignedBy};
use xroad_downstream::centralservice::{self, ContactChange};
use xroad_downstream::centralservice_client::CentralserviceClient;
use xroad_downstream::centralservice_server::{Centralservice, CentralserviceServer};
use xroad_downstream::xroad;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_runtime::cert::{MemberId, TrustStore};
use xroad_runtime::client::{
    CentralServer, ClientSettings, ManagementClient, ManagementError, MemberKey,
};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::service::{Answer, AuthCertRegistry, Incoming, ManageTrust, ServiceHandler};
use xroad_runtime::signature::{Signer, SoftwareSigner};
use xroad_runtime::testpki::{CertRequest, Issued, OcspHttpListener, TestPki};
use xroad_runtime::transport::{Endpoint, ListenerConfig, Server, ServerConfig, TlsIdentity};
use xroad_runtime::verify::{Verifier, VerifierConfig};

const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";

fn id<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().unwrap()
}

/// What the server saw of each `contactChange` it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    contact: String,
    signer: Option<MemberId>,
}

/// A central server implementing the extended service: it serves `contactChange` and
/// refuses everything else.
struct Contacts {
    auth_cert: Vec<u8>,
    next_id: AtomicI64,
    seen: Mutex<Vec<Seen>>,
}

fn not_served() -> Fault {
    Fault::new(FaultCode::InvalidRequest, "not served by this test server")
}

impl Centralservice for Contacts {
    async fn contact_change(&self, request: Incoming<ContactChange>) -> Result<Answer, Fault> {
        self.seen.lock().unwrap().push(Seen {
            contact: request.body().0.contact.clone(),
            signer: request.signer.clone(),
        });
        Ok(Answer::RequestId(
            self.next_id.fetch_add(1, Ordering::Relaxed),
        ))
    }

    async fn client_reg(
        &self,
        _: Incoming<centralservice::ClientReg>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn client_deletion(
        &self,
        _: Incoming<centralservice::ClientDeletion>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn client_disable(
        &self,
        _: Incoming<centralservice::ClientDisable>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn client_enable(
        &self,
        _: Incoming<centralservice::ClientEnable>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn client_rename(
        &self,
        _: Incoming<centralservice::ClientRename>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn auth_cert_deletion(
        &self,
        _: Incoming<centralservice::AuthCertDeletion>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn owner_change(
        &self,
        _: Incoming<centralservice::OwnerChange>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn address_change(
        &self,
        _: Incoming<centralservice::AddressChange>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn maintenance_mode_enable(
        &self,
        _: Incoming<centralservice::MaintenanceModeEnable>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn maintenance_mode_disable(
        &self,
        _: Incoming<centralservice::MaintenanceModeDisable>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }

    async fn auth_cert_reg(
        &self,
        _: Incoming<centralservice::AuthCertReg>,
    ) -> Result<Answer, Fault> {
        Err(not_served())
    }
}

/// The registry of the test server: one authentication certificate of [`SERVER`].
struct Registry(Arc<Contacts>);

impl AuthCertRegistry for Registry {
    async fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> Result<bool, Fault> {
        let der = certificate
            .to_der()
            .map_err(|e| Fault::new(FaultCode::IncorrectCertificate, e.to_string()))?;
        Ok(server.to_string() == SERVER && der == self.0.auth_cert)
    }
}

fn signer(issued: &Issued) -> Arc<dyn Signer> {
    Arc::new(SoftwareSigner::from_pkey(issued.key().clone()).unwrap())
}

fn identity(issued: &Issued) -> TlsIdentity {
    TlsIdentity::new(issued.cert().clone(), Vec::new(), issued.key().clone()).unwrap()
}

#[test]
fn the_profile_describes_the_new_operation() {
    let description = <ContactChange as Operation>::DESCRIPTION;
    assert_eq!(description.name, "contactChange");
    assert_eq!(description.endpoint, Endpoint::Manage);
    assert!(description.is_signed_by(SignedBy::ServerOwner));
    assert_eq!(description.parts.len(), 4);
    assert!(description.request_hash);
    assert_eq!(description.echo, ["server", "contact"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_operation_is_sent_verified_and_answered() {
    let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    let pki = TestPki::builder().ocsp_url(listener.url()).build().unwrap();
    let ocsp = listener.serve(&pki).unwrap();
    let localhost = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
    let tls = pki
        .issue(&CertRequest::tls_server(&["localhost"], &localhost))
        .unwrap();
    let auth = pki
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"))
        .unwrap();
    let owner = pki
        .issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))
        .unwrap();
    let stranger = pki
        .issue(&CertRequest::signing("EE", "COM", "STRANGER").distinct_key())
        .unwrap();

    // The server: the runtime's transport and verifier around the generated server.
    let contacts = Arc::new(Contacts {
        auth_cert: auth.cert_der().unwrap(),
        next_id: AtomicI64::new(1),
        seen: Mutex::new(Vec::new()),
    });
    let verifier = Verifier::new(
        VerifierConfig::new(id("EE"), id(PROVIDER)),
        TrustStore::new([pki.ca().cert().clone()]).unwrap(),
        OcspVerifier::new(OcspPolicy::default()),
    );
    let handler = ServiceHandler::new(
        CentralserviceServer::from_arc(Arc::clone(&contacts)),
        Registry(Arc::clone(&contacts)),
        verifier,
        ManageTrust::RegisteredAuthCert,
    );
    let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let config = ServerConfig::new(
        ListenerConfig::registration(any, identity(&tls)),
        ListenerConfig::manage(any, identity(&tls)),
    );
    let server = Server::bind(config, handler).await.unwrap();
    let registration = server.local_addr(Endpoint::Registration);
    let manage = server.local_addr(Endpoint::Manage);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));

    // The client: the generated client around the runtime's management client.
    let settings = |signing_keys: Vec<MemberKey>| {
        let mut settings = ClientSettings::new(
            id(SERVER),
            id(PROVIDER),
            CentralServer {
                registration_url: format!("https://{registration}/managementservice/"),
                manage_url: format!("https://{manage}/managementservice/manage/"),
                tls_certificate: tls.cert().clone(),
            },
            identity(&auth),
            vec![pki.ca().cert().clone()],
        );
        settings.signing_keys = signing_keys;
        settings
    };
    let owner_key = MemberKey::new(signer(&owner), owner.cert().clone()).unwrap();
    let client = CentralserviceClient::new(ManagementClient::new(settings(vec![owner_key])).unwrap());
    let body = xroad::ContactChange(xroad::ContactChangeRequestType {
        server: id(SERVER),
        contact: "ops@example.org".to_owned(),
        request_id: None,
    });
    let response = client.contact_change(body.clone()).await.unwrap();
    assert_eq!(response.request_id(), Some(1));
    assert_eq!(response.0.contact, "ops@example.org");
    let owner_member: XRoadClientIdentifierType = id("MEMBER:EE/GOV/TS1OWNER");
    let seen = contacts.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].contact, "ops@example.org");
    assert!(
        seen[0].signer.as_ref().is_some_and(|m| m.matches(&owner_member)),
        "{seen:?}"
    );

    // Signed by a member that does not own the security server: refused by the runtime's
    // verifier before the service sees it.
    let impostor = MemberKey::with_member(
        signer(&stranger),
        stranger.cert().clone(),
        MemberId::new(id("EE"), id("GOV"), id("TS1OWNER")),
    )
    .unwrap();
    let impostor = CentralserviceClient::new(ManagementClient::new(settings(vec![impostor])).unwrap());
    let error = impostor.contact_change(body).await.unwrap_err();
    match &error {
        ManagementError::Fault(fault) => {
            assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
            assert!(fault.reason.contains("belongs to member EE/COM/STRANGER"), "{fault}");
        }
        other => panic!("expected a fault, got {other}"),
    }
    assert_eq!(contacts.seen.lock().unwrap().len(), 1);

    // A revoked signing certificate: refused with cert_validation.
    ocsp.set_status(
        &owner.cert().serial_number().to_bn().unwrap(),
        xroad_runtime::testpki::CertStatus::Revoked {
            time: std::time::SystemTime::now() - std::time::Duration::from_secs(60),
            reason: None,
        },
    );
    let revoked_key = MemberKey::new(signer(&owner), owner.cert().clone()).unwrap();
    let revoked = CentralserviceClient::new(ManagementClient::new(settings(vec![revoked_key])).unwrap());
    let body = xroad::ContactChange(xroad::ContactChangeRequestType {
        server: id(SERVER),
        contact: "other@example.org".to_owned(),
        request_id: None,
    });
    let error = revoked.contact_change(body).await.unwrap_err();
    assert_eq!(error.fault().map(|f| f.code), Some(FaultCode::CertValidation), "{error}");
    assert_eq!(contacts.seen.lock().unwrap().len(), 1);

    let _ = stop.send(());
    running.await.unwrap();
    ocsp.shutdown().await;
}
