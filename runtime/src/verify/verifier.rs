//! The verification pipeline: from an HTTP request to a verified, typed management request.

use std::sync::Arc;
use std::time::SystemTime;

use openssl::x509::X509;
use xroad_codec::identifier::Code;
use xroad_mserv::centralservice::OperationName;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};

use super::address::check_address;
use super::cache::{SignerBytes, SignerCache, VerifiedSigner};
use crate::cert::{
    CertUse, MemberId, MemberIdentityDecoder, SubjectNameDecoder, Timestamp, TrustStore, parse_der,
};
use crate::envelope::{Request, RequestBody, parse_request};
use crate::fault::{Fault, FaultCode};
use crate::message::{Framing, RequestParts, SignaturePart};
use crate::multipart::Limits;
use crate::ocsp::OcspVerifier;
use crate::signature::{SignatureAlgorithm, VerifyingKey};

/// What a central server checks requests against.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The X-Road instance the central server serves: senders and security servers must
    /// belong to it.
    pub instance: Code,
    /// The management service provider: the member or subsystem the header `service` must
    /// name (with the service code).
    pub management_service_provider: XRoadClientIdentifierType,
    /// Limits on the `multipart/related` framing.
    pub limits: Limits,
    /// How many verified (signing certificate, OCSP response) pairs to keep (0: none).
    pub cache_capacity: usize,
    /// Smallest RSA modulus, in bits, accepted for signing and authentication certificates;
    /// a smaller key is refused with `cert_validation`.
    pub min_rsa_bits: u32,
}

impl VerifierConfig {
    /// The default number of cached signing certificate verifications.
    pub const DEFAULT_CACHE_CAPACITY: usize = 4096;

    /// The default smallest RSA key: 2048 bits, the X-Road default for signing and
    /// authentication keys.
    pub const DEFAULT_MIN_RSA_BITS: u32 = 2048;

    /// A configuration with default limits, cache size and key size.
    pub fn new(instance: Code, management_service_provider: XRoadClientIdentifierType) -> Self {
        Self {
            instance,
            management_service_provider,
            limits: Limits::default(),
            cache_capacity: Self::DEFAULT_CACHE_CAPACITY,
            min_rsa_bits: Self::DEFAULT_MIN_RSA_BITS,
        }
    }
}

/// A request that passed every check, with its parts borrowed from the HTTP body.
#[derive(Debug, Clone)]
pub struct VerifiedRequest<'a> {
    /// The parsed SOAP message.
    pub request: Request,
    /// The MIME parts (the SOAP bytes, signatures, certificates, OCSP response).
    pub parts: RequestParts<'a>,
    /// The member whose signature was verified: the client's member (clientReg), the new
    /// owner (ownerChange) or the security server's owner (authCertReg). `None` for the
    /// deletions, whose trust comes from the transport.
    pub signer: Option<MemberId>,
}

impl VerifiedRequest<'_> {
    /// The operation.
    pub fn operation(&self) -> OperationName {
        self.request.operation()
    }

    /// The security server the request is about.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        server_of(&self.request.body)
    }
}

/// Verifies management requests in the order of the X-Road reference implementation:
/// content type, MIME structure, SOAP header and body, identifiers, sender = security
/// server owner, then the service's signatures, certificates and OCSP responses.
///
/// Verified signing certificates and OCSP responses are cached by their bytes while the
/// verification holds, so a repeated (certificate, OCSP response) pair costs one signature
/// check. `Verifier` is `Send + Sync`; share one between requests.
pub struct Verifier {
    config: VerifierConfig,
    trust: TrustStore,
    ocsp: OcspVerifier,
    identity: Box<dyn MemberIdentityDecoder>,
    pub(super) cache: SignerCache,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("config", &self.config)
            .field("trusted_cas", &self.trust.anchors().len())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier trusting the CAs of `trust`, validating OCSP responses with `ocsp`, and
    /// reading member identities from certificate subjects ([`SubjectNameDecoder`]).
    pub fn new(config: VerifierConfig, trust: TrustStore, ocsp: OcspVerifier) -> Self {
        let cache = SignerCache::new(config.cache_capacity);
        Self {
            config,
            trust,
            ocsp,
            identity: Box::new(SubjectNameDecoder),
            cache,
        }
    }

    /// Reads member identities with `decoder` instead (another certificate profile).
    pub fn with_identity_decoder(mut self, decoder: impl MemberIdentityDecoder + 'static) -> Self {
        self.identity = Box::new(decoder);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies an HTTP request (its `Content-Type` and body) at time `at`. Every refusal is
    /// a [`Fault`] with the X-Road fault code and a precise reason.
    pub fn verify<'a>(
        &self,
        content_type: Option<&str>,
        body: &'a [u8],
        at: SystemTime,
    ) -> Result<VerifiedRequest<'a>, Fault> {
        let framing =
            Framing::parse(content_type, body, &self.config.limits).map_err(|e| e.to_fault())?;
        let request = parse_request(framing.soap()).map_err(|e| e.into_fault())?;
        let parts = framing
            .into_parts(request.operation())
            .map_err(|e| e.to_fault())?;
        self.check_addressing(&request)?;
        let at = Timestamp::from(at);
        let signer = match &request.body {
            RequestBody::ClientReg(body) => {
                let client = &body.0.client;
                Some(self.check_member_signature(&parts, client, "client's member", at)?)
            }
            RequestBody::OwnerChange(body) => {
                let owner = &body.0.client;
                if owner.object_type != XRoadObjectType::Member {
                    return Err(Fault::new(
                        FaultCode::InvalidClientIdentifier,
                        format!("the new owner must be a MEMBER, not {owner}"),
                    ));
                }
                Some(self.check_member_signature(&parts, owner, "new owner", at)?)
            }
            RequestBody::AuthCertReg(body) => {
                Some(self.check_auth_cert_reg(&request, &body.0, &parts, at)?)
            }
            RequestBody::ClientDeletion(_) | RequestBody::AuthCertDeletion(_) => None,
        };
        Ok(VerifiedRequest {
            request,
            parts,
            signer,
        })
    }

    /// The management service address, the instance, and sender = security server owner.
    fn check_addressing(&self, request: &Request) -> Result<(), Fault> {
        let header = &request.header;
        let service = &header.service;
        let provider = &self.config.management_service_provider;
        let addressed = service.x_road_instance == provider.x_road_instance
            && service.member_class == provider.member_class
            && service.member_code == provider.member_code
            && service.subsystem_code == provider.subsystem_code;
        if !addressed {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                format!(
                    "invalid management service address: the request is for {}, this central \
                     server's management service provider is {provider}",
                    describe_provider(service)
                ),
            ));
        }
        let sender = &header.client;
        if sender.object_type != XRoadObjectType::Member {
            return Err(Fault::new(
                FaultCode::InvalidClientIdentifier,
                format!("the sender must be a MEMBER (the security server's owner), not {sender}"),
            ));
        }
        if sender.x_road_instance != self.config.instance {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                format!(
                    "the sender {sender} is not of X-Road instance {}",
                    self.config.instance
                ),
            ));
        }
        let server = server_of(&request.body);
        if server.x_road_instance != self.config.instance {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                format!(
                    "security server {server} is not of X-Road instance {}",
                    self.config.instance
                ),
            ));
        }
        let owner_is_sender = server.x_road_instance == sender.x_road_instance
            && server.member_class == sender.member_class
            && server.member_code == sender.member_code
            && sender.subsystem_code.is_none();
        if !owner_is_sender {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                format!("sender {sender} does not match the owner of security server {server}"),
            ));
        }
        if let Some(client) = client_of(&request.body)
            && client.x_road_instance != self.config.instance
        {
            return Err(Fault::new(
                FaultCode::InvalidClientIdentifier,
                format!(
                    "client {client} is not of X-Road instance {}",
                    self.config.instance
                ),
            ));
        }
        Ok(())
    }

    /// The member signature of clientReg, ownerChange and authCertReg: the signing
    /// certificate chains to a trusted CA and may sign, its OCSP response is valid and good,
    /// it belongs to the member `expected` names (`role` says who that is, for messages),
    /// and the signature over the SOAP part verifies with it.
    fn check_member_signature(
        &self,
        parts: &RequestParts<'_>,
        expected: &XRoadClientIdentifierType,
        role: &str,
        at: Timestamp,
    ) -> Result<MemberId, Fault> {
        let (Some(signature), Some(certificate), Some(ocsp_response)) = (
            parts.signature,
            parts.signing_certificate,
            parts.ocsp_response,
        ) else {
            // `Framing::into_parts` guarantees the parts of the operation.
            return Err(Fault::new(
                FaultCode::InternalError,
                "the signature, signing certificate or OCSP response part is missing",
            ));
        };
        let algorithm = signature_algorithm(signature, "signature")?;
        let signer = self.verified_signer(certificate, ocsp_response, at)?;
        if !signer.member.matches(expected) {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                format!(
                    "the signing certificate belongs to member {}, but the {role} is {}",
                    signer.member,
                    member_part(expected)
                ),
            ));
        }
        signer
            .key
            .verify(algorithm, parts.soap, signature.value)
            .map_err(|e| signature_fault("signature of the SOAP message", &e))?;
        Ok(signer.member.clone())
    }

    /// The signing certificate and OCSP response checks, from the cache when they hold.
    fn verified_signer(
        &self,
        certificate: &[u8],
        ocsp_response: &[u8],
        at: Timestamp,
    ) -> Result<Arc<VerifiedSigner>, Fault> {
        let key = SignerBytes {
            certificate,
            ocsp_response,
        };
        if let Some(signer) = self.cache.get(key, at) {
            return Ok(signer);
        }
        let cert = parse_der(certificate)
            .map_err(|e| Fault::new(e.fault_code(), format!("signing certificate: {e}")))?;
        let chain = self
            .trust
            .verify(&cert, &[], at.to_system_time())
            .map_err(|e| Fault::new(e.fault_code(), format!("signing certificate: {e}")))?;
        CertUse::Signing.check(&cert).map_err(|e| {
            Fault::new(
                FaultCode::CertValidation,
                format!("signing certificate: {e}"),
            )
        })?;
        let summary = self
            .ocsp
            .verify(ocsp_response, &cert, chain.issuer(), at.to_system_time())
            .map_err(|e| Fault::new(e.fault_code(), format!("OCSP response: {e}")))?;
        let member = self
            .identity
            .member_id(&cert)
            .map_err(|e| Fault::new(e.fault_code(), format!("signing certificate: {e}")))?;
        let verifying_key = VerifyingKey::from_certificate(&cert).map_err(|e| {
            Fault::new(
                FaultCode::IncorrectCertificate,
                format!("signing certificate: {e}"),
            )
        })?;
        self.check_key_size(&verifying_key, "signing certificate")?;
        let (valid_from, valid_until) = chain_validity(chain.certificates())?;
        let ocsp_from = summary
            .this_update
            .saturating_sub(self.ocsp.policy().clock_skew);
        let signer = Arc::new(VerifiedSigner {
            key: verifying_key,
            member,
            valid_from: valid_from.max(ocsp_from),
            valid_until: valid_until.min(summary.valid_until(self.ocsp.policy())),
        });
        self.cache.insert(key, Arc::clone(&signer), at);
        Ok(signer)
    }

    /// Refuses a key smaller than [`VerifierConfig::min_rsa_bits`].
    fn check_key_size(&self, key: &VerifyingKey, what: &str) -> Result<(), Fault> {
        let bits = key.bits();
        let min = self.config.min_rsa_bits;
        if bits < min {
            return Err(Fault::new(
                FaultCode::CertValidation,
                format!(
                    "{what} is not valid: its RSA key has {bits} bits, fewer than the \
                     {min} this central server requires"
                ),
            ));
        }
        Ok(())
    }

    /// authCertReg: the authentication certificate (trusted issuer, validity, usage), the
    /// proof of possession of its key, the owner's signature, certificate and OCSP response,
    /// the attached certificate equal to the body's, and the address.
    fn check_auth_cert_reg(
        &self,
        request: &Request,
        body: &xroad_mserv::xroad::AuthCertRegRequestType,
        parts: &RequestParts<'_>,
        at: Timestamp,
    ) -> Result<MemberId, Fault> {
        let (Some(attached), Some(proof)) = (parts.auth_certificate, parts.auth_key_signature)
        else {
            return Err(Fault::new(
                FaultCode::InternalError,
                "the authentication certificate or its signature part is missing",
            ));
        };
        let auth_cert = parse_der(attached)
            .map_err(|e| Fault::new(e.fault_code(), format!("authentication certificate: {e}")))?;
        self.trust
            .verify(&auth_cert, &[], at.to_system_time())
            .map_err(|e| {
                Fault::new(
                    FaultCode::CertValidation,
                    format!("authentication certificate is not valid: {e}"),
                )
            })?;
        CertUse::Authentication.check(&auth_cert).map_err(|e| {
            Fault::new(
                FaultCode::CertValidation,
                format!("authentication certificate is not valid: {e}"),
            )
        })?;
        let algorithm = signature_algorithm(proof, "authentication key signature")?;
        if !algorithm.is_allowed_for_auth_key_proof() {
            return Err(Fault::new(
                FaultCode::InvalidSignatureValue,
                format!(
                    "{algorithm} is not allowed for the authentication key signature; \
                     PR-MSERV allows SHA256withRSA, SHA384withRSA and SHA512withRSA"
                ),
            ));
        }
        let auth_key = VerifyingKey::from_certificate(&auth_cert).map_err(|e| {
            Fault::new(
                FaultCode::IncorrectCertificate,
                format!("authentication certificate: {e}"),
            )
        })?;
        self.check_key_size(&auth_key, "authentication certificate")?;
        auth_key
            .verify(algorithm, parts.soap, proof.value)
            .map_err(|e| signature_fault("authentication key signature", &e))?;
        let owner = self.check_member_signature(
            parts,
            &request.header.client,
            "security server's owner",
            at,
        )?;
        if attached != body.auth_cert.as_slice() {
            return Err(Fault::new(
                FaultCode::CertValidation,
                "the attached authentication certificate differs from the authCert in the request",
            ));
        }
        match body.address.as_deref() {
            None => {
                return Err(Fault::new(
                    FaultCode::InvalidRequest,
                    "invalid server address: the request has no address",
                ));
            }
            Some(address) => check_address(address).map_err(|e| {
                Fault::new(
                    FaultCode::InvalidRequest,
                    format!("invalid server address {address:?}: {e}"),
                )
            })?,
        }
        Ok(owner)
    }
}

/// The security server a request body names.
fn server_of(body: &RequestBody) -> &XRoadSecurityServerIdentifierType {
    match body {
        RequestBody::ClientReg(b) => &b.0.server,
        RequestBody::ClientDeletion(b) => &b.0.server,
        RequestBody::OwnerChange(b) => &b.0.server,
        RequestBody::AuthCertReg(b) => &b.0.server,
        RequestBody::AuthCertDeletion(b) => &b.0.server,
    }
}

/// The client (or new owner) a request body names, if any.
fn client_of(body: &RequestBody) -> Option<&XRoadClientIdentifierType> {
    match body {
        RequestBody::ClientReg(b) => Some(&b.0.client),
        RequestBody::ClientDeletion(b) => Some(&b.0.client),
        RequestBody::OwnerChange(b) => Some(&b.0.client),
        RequestBody::AuthCertReg(_) | RequestBody::AuthCertDeletion(_) => None,
    }
}

/// `EE/GOV/TS1OWNER`: the member part of a client identifier.
fn member_part(client: &XRoadClientIdentifierType) -> String {
    format!(
        "{}/{}/{}",
        client.x_road_instance, client.member_class, client.member_code
    )
}

/// The provider part of a service identifier, for messages.
fn describe_provider(service: &xroad_mserv::identifiers::XRoadServiceIdentifierType) -> String {
    let mut text = format!(
        "{}/{}/{}",
        service.x_road_instance, service.member_class, service.member_code
    );
    if let Some(subsystem) = &service.subsystem_code {
        text.push('/');
        text.push_str(subsystem.as_str());
    }
    text
}

/// The algorithm of a signature part; an unknown id is an `invalid_signature_value`.
fn signature_algorithm(part: SignaturePart<'_>, what: &str) -> Result<SignatureAlgorithm, Fault> {
    part.algorithm_id
        .parse()
        .map_err(|e| Fault::new(FaultCode::InvalidSignatureValue, format!("{what}: {e}")))
}

/// The fault for a signature that does not verify (or cannot be checked).
fn signature_fault(what: &str, error: &crate::signature::SignatureError) -> Fault {
    let code = if error.is_invalid_signature() {
        FaultCode::InvalidSignatureValue
    } else {
        FaultCode::InternalError
    };
    Fault::new(code, format!("{what}: {error}"))
}

/// The span in which every certificate of a chain is valid.
fn chain_validity(chain: &[X509]) -> Result<(Timestamp, Timestamp), Fault> {
    let mut from = Timestamp::from_unix_seconds(i64::MIN);
    let mut until = Timestamp::from_unix_seconds(i64::MAX);
    for cert in chain {
        let not_before = Timestamp::from_asn1(cert.not_before());
        let not_after = Timestamp::from_asn1(cert.not_after());
        let (Ok(not_before), Ok(not_after)) = (not_before, not_after) else {
            return Err(Fault::new(
                FaultCode::IncorrectCertificate,
                "a certificate of the signing certificate's chain has an unreadable validity",
            ));
        };
        from = from.max(not_before);
        until = until.min(not_after);
    }
    Ok((from, until))
}
