use std::sync::OnceLock;

use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use xroad_mserv::centralservice::{AuthCertReg, ClientDeletion, ClientReg};
use xroad_mserv::xroad::{self, AuthCertRegRequestType, ClientRequestType};

use super::*;
use crate::message::Framing;
use crate::multipart::Limits;
use crate::operation::Operation;
use crate::signature::{SoftwareSigner, VerifyingKey};

fn signer() -> &'static SoftwareSigner {
    static SIGNER: OnceLock<SoftwareSigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        SoftwareSigner::from_pkey(key).unwrap()
    })
}

fn body() -> ClientRequestType {
    ClientRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
        client: "SUBSYSTEM:EE/COM/client/subsystem".parse().unwrap(),
        request_id: None,
    }
}

fn registration() -> xroad::ClientReg {
    let body = body();
    xroad::ClientReg(xroad::ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: None,
    })
}

fn request<O: ManagementOperation>(body: O::Request) -> Request<O> {
    Request::new(
        "MEMBER:EE/GOV/TS1OWNER".parse().unwrap(),
        &"MEMBER:EE/GOV/TS1OWNER".parse().unwrap(),
        body,
    )
    .unwrap()
}

fn member() -> SignatureInput<'static> {
    SignatureInput {
        signer: signer(),
        algorithm: SignatureAlgorithm::Sha512WithRsaAndMgf1,
        certificate: b"CERT",
        ocsp_response: Some(b"OCSP"),
    }
}

/// The proof of possession of the authentication key whose certificate is `AUTHCERT`.
fn proof(algorithm: SignatureAlgorithm) -> SignatureInput<'static> {
    SignatureInput {
        signer: signer(),
        algorithm,
        certificate: b"AUTHCERT",
        ocsp_response: None,
    }
}

fn auth_cert_reg_body(address: &str) -> xroad::AuthCertReg {
    xroad::AuthCertReg(AuthCertRegRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
        address: Some(address.to_owned()),
        auth_cert: b"AUTHCERT".to_vec(),
        request_id: None,
    })
}

#[test]
fn client_reg_carries_a_signature_over_the_exact_soap_bytes() {
    let composed = compose(request::<ClientReg>(registration()), &[member()]).unwrap();
    let message = &composed.message;
    let body = Bytes::from(message.body.clone());
    let framing = Framing::parse(Some(&message.content_type), &body, &Limits::default()).unwrap();
    assert_eq!(framing.soap(), &composed.request.soap[..]);
    let parts = framing.into_parts(ClientReg::DESCRIPTION).unwrap();
    let signature = parts.attachment(1).unwrap();
    assert_eq!(
        signature.signature_algorithm_id.as_deref(),
        Some("SHA512withRSAandMGF1")
    );
    assert_eq!(parts.body(2).map(|b| &b[..]), Some(&b"CERT"[..]));
    assert_eq!(parts.body(3).map(|b| &b[..]), Some(&b"OCSP"[..]));
    let key = VerifyingKey::from_public_key(signer().public_key().to_owned()).unwrap();
    key.verify(
        SignatureAlgorithm::Sha512WithRsaAndMgf1,
        &composed.request.soap,
        &signature.body,
    )
    .unwrap();
}

#[test]
fn auth_cert_reg_attaches_the_certificate_of_its_body() {
    let body = auth_cert_reg_body("ss1.example.org");
    let composed = compose(
        request::<AuthCertReg>(body.clone()),
        &[proof(SignatureAlgorithm::Sha256WithRsa), member()],
    )
    .unwrap();
    let message = &composed.message;
    let http_body = Bytes::from(message.body.clone());
    let parts = Framing::parse(Some(&message.content_type), &http_body, &Limits::default())
        .unwrap()
        .into_parts(AuthCertReg::DESCRIPTION)
        .unwrap();
    // Part 3 is the certificate of the proof of possession (part 1), part 4 the owner's.
    assert_eq!(parts.body(3).map(|b| &b[..]), Some(&b"AUTHCERT"[..]));
    assert_eq!(
        parts
            .attachment(1)
            .unwrap()
            .signature_algorithm_id
            .as_deref(),
        Some("SHA256withRSA")
    );
    assert_eq!(parts.body(4).map(|b| &b[..]), Some(&b"CERT"[..]));
    assert_eq!(parts.body(5).map(|b| &b[..]), Some(&b"OCSP"[..]));
    // A proof of possession by another certificate than the body's is not composed.
    let other = SignatureInput {
        certificate: b"OTHERCERT",
        ..proof(SignatureAlgorithm::Sha256WithRsa)
    };
    let error = compose(request::<AuthCertReg>(body), &[other, member()]).unwrap_err();
    assert!(
        matches!(
            error,
            ComposeError::AuthCertMismatch {
                operation: "authCertReg"
            }
        ),
        "{error:?}"
    );
}

#[test]
fn signatures_must_fit_the_service() {
    let client_reg = || request::<ClientReg>(registration());
    let error = compose(client_reg(), &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientReg requests carry 1 signature(s), 0 were given"
    );
    let error = compose(
        request::<ClientDeletion>(xroad::ClientDeletion(body())),
        &[member()],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientDeletion requests carry 0 signature(s), 1 were given"
    );
    let error = compose(
        client_reg(),
        &[member(), proof(SignatureAlgorithm::Sha256WithRsa)],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientReg requests carry 1 signature(s), 2 were given"
    );
    // A member's signature carries an OCSP response; the proof of possession none.
    let without_ocsp = SignatureInput {
        ocsp_response: None,
        ..member()
    };
    let error = compose(client_reg(), &[without_ocsp]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientReg: the signature of the client's owner needs an OCSP response"
    );
    let with_ocsp = SignatureInput {
        ocsp_response: Some(b"OCSP"),
        ..proof(SignatureAlgorithm::Sha256WithRsa)
    };
    let error = compose(
        request::<AuthCertReg>(auth_cert_reg_body("ss1")),
        &[with_ocsp, member()],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "authCertReg: the signature of the authentication key carries no OCSP response"
    );
}

#[test]
fn the_auth_key_proof_must_be_pkcs1() {
    let error = compose(
        request::<AuthCertReg>(auth_cert_reg_body("ss1")),
        &[proof(SignatureAlgorithm::Sha256WithRsaAndMgf1), member()],
    )
    .unwrap_err();
    assert!(matches!(
        error,
        ComposeError::AuthKeyAlgorithm {
            algorithm: SignatureAlgorithm::Sha256WithRsaAndMgf1
        }
    ));
}
