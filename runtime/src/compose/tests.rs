use std::sync::OnceLock;

use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use xroad_mserv::centralservice::OperationName;
use xroad_mserv::xroad::{
    AuthCertReg, AuthCertRegRequestType, ClientDeletion, ClientReg, ClientRegRequestType,
    ClientRequestType,
};

use super::*;
use crate::message::Framing;
use crate::multipart::Limits;
use crate::signature::{SoftwareSigner, VerifyingKey};

fn signer() -> &'static SoftwareSigner {
    static SIGNER: OnceLock<SoftwareSigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        SoftwareSigner::from_pkey(key).unwrap()
    })
}

fn reg_body() -> ClientRegRequestType {
    let body = body();
    ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: None,
    }
}

fn body() -> ClientRequestType {
    ClientRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
        client: "SUBSYSTEM:EE/COM/client/subsystem".parse().unwrap(),
        request_id: None,
    }
}

fn request(body: impl Into<RequestBody>) -> Request {
    Request::new(
        "MEMBER:EE/GOV/TS1OWNER".parse().unwrap(),
        &"MEMBER:EE/GOV/TS1OWNER".parse().unwrap(),
        body,
    )
    .unwrap()
}

fn member() -> MemberSignature<'static> {
    MemberSignature {
        signer: signer(),
        algorithm: SignatureAlgorithm::Sha512WithRsaAndMgf1,
        certificate: b"CERT",
        ocsp_response: b"OCSP",
    }
}

#[test]
fn client_reg_carries_a_signature_over_the_exact_soap_bytes() {
    let composed = compose(request(ClientReg(reg_body())), Some(member()), None).unwrap();
    let message = &composed.message;
    let framing = Framing::parse(
        Some(&message.content_type),
        &message.body,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(framing.soap(), composed.request.soap.as_slice());
    let parts = framing.into_parts(OperationName::ClientReg).unwrap();
    let signature = parts.signature.unwrap();
    assert_eq!(signature.algorithm_id, "SHA512withRSAandMGF1");
    assert_eq!(parts.signing_certificate, Some(&b"CERT"[..]));
    assert_eq!(parts.ocsp_response, Some(&b"OCSP"[..]));
    let key = VerifyingKey::from_public_key(signer().public_key().to_owned()).unwrap();
    key.verify(
        SignatureAlgorithm::Sha512WithRsaAndMgf1,
        &composed.request.soap,
        signature.value,
    )
    .unwrap();
}

#[test]
fn auth_cert_reg_attaches_the_certificate_of_its_body() {
    let body = AuthCertRegRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
        address: Some("ss1.example.org".to_owned()),
        auth_cert: b"AUTHCERT".to_vec(),
        request_id: None,
    };
    let proof = AuthKeyProof {
        signer: signer(),
        algorithm: SignatureAlgorithm::Sha256WithRsa,
    };
    let composed = compose(request(AuthCertReg(body)), Some(member()), Some(proof)).unwrap();
    let message = &composed.message;
    let parts = Framing::parse(
        Some(&message.content_type),
        &message.body,
        &Limits::default(),
    )
    .unwrap()
    .into_parts(OperationName::AuthCertReg)
    .unwrap();
    assert_eq!(parts.auth_certificate, Some(&b"AUTHCERT"[..]));
    assert_eq!(
        parts.auth_key_signature.unwrap().algorithm_id,
        "SHA256withRSA"
    );
}

#[test]
fn signatures_must_fit_the_service() {
    let error = compose(request(ClientReg(reg_body())), None, None).unwrap_err();
    assert_eq!(error.to_string(), "clientReg requests need the signature");
    let error = compose(request(ClientDeletion(body())), Some(member()), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientDeletion requests do not carry the signature"
    );
    let proof = AuthKeyProof {
        signer: signer(),
        algorithm: SignatureAlgorithm::Sha256WithRsa,
    };
    let error = compose(request(ClientReg(reg_body())), Some(member()), Some(proof)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "clientReg requests do not carry the authentication key signature"
    );
}

#[test]
fn the_auth_key_proof_must_be_pkcs1() {
    let body = AuthCertRegRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
        address: Some("ss1".to_owned()),
        auth_cert: b"AUTHCERT".to_vec(),
        request_id: None,
    };
    let proof = AuthKeyProof {
        signer: signer(),
        algorithm: SignatureAlgorithm::Sha256WithRsaAndMgf1,
    };
    let error = compose(request(AuthCertReg(body)), Some(member()), Some(proof)).unwrap_err();
    assert!(matches!(
        error,
        ComposeError::AuthKeyAlgorithm {
            algorithm: SignatureAlgorithm::Sha256WithRsaAndMgf1
        }
    ));
}
