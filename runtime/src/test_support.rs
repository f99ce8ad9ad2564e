//! Members, certificates and requests shared by the tests of the verification pipeline
//! and the service handler.

use std::sync::OnceLock;

use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad::{
    AuthCertReg, AuthCertRegRequestType, ClientReg, ClientRegRequestType, ClientRequestType,
};

use crate::cert::TrustStore;
use crate::compose::{AuthKeyProof, MemberSignature, compose};
use crate::envelope::{Request, RequestBody};
use crate::message::HttpMessage;
use crate::ocsp::{OcspPolicy, OcspVerifier};
use crate::signature::{SignatureAlgorithm, SoftwareSigner};
use crate::testpki::{CertRequest, Issued, OcspResponder, TestPki};
use crate::verify::{Verifier, VerifierConfig};

pub(crate) const OWNER: &str = "MEMBER:EE/GOV/TS1OWNER";
pub(crate) const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
pub(crate) const CLIENT: &str = "SUBSYSTEM:EE/COM/client/subsystem";
pub(crate) const NEW_OWNER: &str = "MEMBER:EE/COM/client";
pub(crate) const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";

/// A PKI and the certificates of the members in the requests, made once per test binary.
pub(crate) struct Members {
    pub(crate) pki: TestPki,
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
        let pki = TestPki::new().unwrap();
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
            owner,
            client,
            auth,
        }
    })
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

/// [`client_body`] as the body of a clientReg, without a subsystem name.
pub(crate) fn client_reg_body() -> ClientRegRequestType {
    let body = client_body();
    ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: None,
    }
}

pub(crate) fn request(body: impl Into<RequestBody>) -> Request {
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
    let member = MemberSignature {
        signer: &signer,
        algorithm,
        certificate: &der,
        ocsp_response: ocsp,
    };
    compose(request(ClientReg(client_reg_body())), Some(member), None)
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
    let member = MemberSignature {
        signer: &owner_signer,
        algorithm: SignatureAlgorithm::Sha256WithRsaAndMgf1,
        certificate: &owner_der,
        ocsp_response: &ocsp,
    };
    let auth_key = AuthKeyProof {
        signer: &auth_signer,
        algorithm: proof,
    };
    compose(request(AuthCertReg(body)), Some(member), Some(auth_key))
        .unwrap()
        .message
}
