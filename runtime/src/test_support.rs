//! Members, certificates and requests shared by the tests of the verification pipeline
//! and the service handler.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;

use xroad_mserv::centralservice::{AuthCertReg, ClientReg};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad::{self, AuthCertRegRequestType, ClientRequestType};

use crate::cert::TrustStore;
use crate::compose::{SignatureInput, compose};
use crate::envelope::Request;
use crate::message::HttpMessage;
use crate::ocsp::{OcspPolicy, OcspVerifier};
use crate::operation::ManagementOperation;
use crate::signature::{SignatureAlgorithm, SoftwareSigner};
use crate::testpki::{
    CertRequest, Issued, OcspHttpListener, OcspHttpServer, OcspResponder, TestPki,
};
use crate::verify::{Verifier, VerifierConfig};

pub(crate) const OWNER: &str = "MEMBER:EE/GOV/TS1OWNER";
pub(crate) const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
pub(crate) const CLIENT: &str = "SUBSYSTEM:EE/COM/client/subsystem";
pub(crate) const NEW_OWNER: &str = "MEMBER:EE/COM/client";
pub(crate) const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";

/// A PKI, its OCSP responder and the certificates of the members in the requests, made once
/// per test binary.
pub(crate) struct Members {
    pub(crate) pki: TestPki,
    /// The HTTP OCSP responder named in the signing and authentication certificates; it runs
    /// on a thread of its own, so that it outlives each test's runtime.
    pub(crate) ocsp: OcspHttpServer,
    /// Signing certificate of the security server's owner (EE/GOV/TS1OWNER).
    pub(crate) owner: Issued,
    /// Signing certificate of the client's member (EE/COM/client), with its own key.
    pub(crate) client: Issued,
    /// Authentication certificate of the security server, with its own key.
    pub(crate) auth: Issued,
}

pub(crate) fn members() -> &'static Members {
    static MEMBERS: OnceLock<Members> = OnceLock::new();
    MEMBERS.get_or_init(|| {
        let (pki, ocsp) = pki_with_responder();
        let owner = pki
            .issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))
            .unwrap();
        let client = pki
            .issue(&CertRequest::signing("EE", "COM", "client").distinct_key())
            .unwrap();
        let auth = pki
            .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())
            .unwrap();
        Members {
            pki,
            ocsp,
            owner,
            client,
            auth,
        }
    })
}

/// A PKI whose certificates name an HTTP OCSP responder on 127.0.0.1, served from a thread
/// with its own runtime.
fn pki_with_responder() -> (TestPki, OcspHttpServer) {
    let (started, ready) = std::sync::mpsc::channel();
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
    ready.recv().unwrap()
}

pub(crate) fn id<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().unwrap()
}

pub(crate) fn verifier() -> Verifier {
    let m = members();
    let config = VerifierConfig::new(id("EE"), id(PROVIDER));
    let trust = TrustStore::new([m.pki.ca().cert().clone()]).unwrap();
    Verifier::new(config, trust, OcspVerifier::new(OcspPolicy::default()))
}

pub(crate) fn good_ocsp(cert: &Issued) -> Vec<u8> {
    OcspResponder::new(members().pki.ca())
        .respond(cert.cert())
        .unwrap()
}

pub(crate) fn client_body() -> ClientRequestType {
    ClientRequestType {
        server: id::<XRoadSecurityServerIdentifierType>(SERVER),
        client: id::<XRoadClientIdentifierType>(CLIENT),
        request_id: None,
    }
}

/// A clientReg body for the fields of `body`, without a subsystem name.
pub(crate) fn registration(body: ClientRequestType) -> xroad::ClientReg {
    xroad::ClientReg(xroad::ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: body.request_id,
    })
}

pub(crate) fn request<O: ManagementOperation>(body: O::Request) -> Request<O> {
    Request::new(id(OWNER), &id(PROVIDER), body).unwrap()
}

pub(crate) fn signer(issued: &Issued) -> SoftwareSigner {
    SoftwareSigner::from_pkey(issued.key().clone()).unwrap()
}

/// A clientReg signed by `cert`'s key with `cert` and `ocsp` attached.
pub(crate) fn client_reg_with(
    cert: &Issued,
    ocsp: &[u8],
    algorithm: SignatureAlgorithm,
) -> HttpMessage {
    let der = cert.cert_der().unwrap();
    let signer = signer(cert);
    let member = SignatureInput {
        signer: &signer,
        algorithm,
        certificate: &der,
        ocsp_response: Some(ocsp),
    };
    compose(request::<ClientReg>(registration(client_body())), &[member])
        .unwrap()
        .message
}

pub(crate) fn client_reg() -> HttpMessage {
    let m = members();
    client_reg_with(
        &m.client,
        &good_ocsp(&m.client),
        SignatureAlgorithm::Sha512WithRsa,
    )
}

pub(crate) fn auth_cert_reg_body(address: &str) -> AuthCertRegRequestType {
    AuthCertRegRequestType {
        server: id(SERVER),
        address: Some(address.to_owned()),
        auth_cert: members().auth.cert_der().unwrap(),
        request_id: None,
    }
}

pub(crate) fn auth_cert_reg_with(
    body: AuthCertRegRequestType,
    proof: SignatureAlgorithm,
) -> HttpMessage {
    let m = members();
    let owner_der = m.owner.cert_der().unwrap();
    let ocsp = good_ocsp(&m.owner);
    let owner_signer = signer(&m.owner);
    let auth_signer = signer(&m.auth);
    // The certificate attached is the body's `authCert`, whatever key signs the proof.
    let auth_der = body.auth_cert.clone();
    let auth_key = SignatureInput {
        signer: &auth_signer,
        algorithm: proof,
        certificate: &auth_der,
        ocsp_response: None,
    };
    let member = SignatureInput {
        signer: &owner_signer,
        algorithm: SignatureAlgorithm::Sha256WithRsaAndMgf1,
        certificate: &owner_der,
        ocsp_response: Some(&ocsp),
    };
    // In the order of the operation's signature parts: the proof of possession, then the
    // owner's signature.
    compose(
        request::<AuthCertReg>(xroad::AuthCertReg(body)),
        &[auth_key, member],
    )
    .unwrap()
    .message
}
