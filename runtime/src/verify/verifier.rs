//! The verification pipeline: from an HTTP request to a verified, typed management request.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use openssl::x509::X509;
use xroad_codec::identifier::Code;
use xroad_mserv::centralservice::Header;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};

use super::address::check_address;
use super::cache::{SignerBytes, SignerCache, VerifiedSigner};
use crate::cert::{
    CertUse, MemberId, MemberIdentityDecoder, SubjectNameDecoder, Timestamp, TrustStore, parse_der,
};
use crate::envelope::{OpenRequest, Request};
use crate::fault::{Fault, FaultCode};
use crate::message::{Framing, Parts};
use crate::multipart::Limits;
use crate::ocsp::OcspVerifier;
use crate::operation::{ManagementBody, ManagementOperation, Signer};
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

/// A request that passed every check, with its MIME parts (sharing the HTTP body's buffer).
pub struct VerifiedRequest<O: ManagementOperation> {
    /// The parsed SOAP message.
    pub request: Request<O>,
    /// The MIME parts: the SOAP bytes, signatures, certificates, OCSP responses.
    pub parts: Parts,
    /// The member whose signing certificate signed the request (the client's member, the new
    /// owner or the security server's owner, as the operation says). `None` for requests
    /// without a member's signature (the deletions), whose trust comes from the transport.
    pub signer: Option<MemberId>,
}

impl<O: ManagementOperation> fmt::Debug for VerifiedRequest<O>
where
    O::Request: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedRequest")
            .field("request", &self.request)
            .field("parts", &self.parts.len())
            .field("signer", &self.signer)
            .finish()
    }
}

impl<O: ManagementOperation> VerifiedRequest<O> {
    /// The security server the request is about.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        self.request.body.server()
    }
}

/// A request whose framing, envelope, MIME parts and addressing passed
/// [`Verifier::read`]; its signatures are not verified yet ([`Verifier::authenticate`]).
pub struct ParsedRequest<O: ManagementOperation> {
    /// The parsed SOAP message.
    pub request: Request<O>,
    /// The MIME parts.
    pub parts: Parts,
}

impl<O: ManagementOperation> ParsedRequest<O> {
    /// The security server the request is about.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        self.request.body.server()
    }
}

/// A request read up to its SOAP header: the content type and MIME framing are checked and
/// the header is read, so the service code — and with it the operation — is known. Produced
/// by [`Verifier::open`], finished by [`Verifier::verify`].
pub struct OpenedRequest<'a> {
    framing: Framing<'a>,
    envelope: OpenRequest<'a>,
}

impl fmt::Debug for OpenedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedRequest")
            .field("header", self.envelope.header())
            .field("multipart", &self.framing.is_multipart())
            .finish()
    }
}

impl OpenedRequest<'_> {
    /// The SOAP header.
    pub fn header(&self) -> &Header {
        self.envelope.header()
    }

    /// The service code the header names.
    pub fn service_code(&self) -> &str {
        self.envelope.service_code()
    }

    /// The fault for a service code that names no operation served here.
    pub fn unknown_service(&self) -> Fault {
        self.envelope.unknown_service().into_fault()
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

    /// The approved CAs.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The OCSP response validation.
    pub fn ocsp(&self) -> &OcspVerifier {
        &self.ocsp
    }

    /// The first steps of verifying an HTTP request (its `Content-Type` and body): the
    /// content type, the MIME framing and the SOAP header. The header's service code then
    /// picks the operation for [`Verifier::verify`].
    pub fn open<'a>(
        &self,
        content_type: Option<&str>,
        body: &'a Bytes,
    ) -> Result<OpenedRequest<'a>, Fault> {
        let framing =
            Framing::parse(content_type, body, &self.config.limits).map_err(|e| e.to_fault())?;
        let envelope = OpenRequest::parse(framing.soap()).map_err(|e| e.into_fault())?;
        Ok(OpenedRequest { framing, envelope })
    }

    /// The rest of the verification, for operation `O` (the one the service code names), at
    /// time `at`: [`Verifier::read`], then [`Verifier::authenticate`]. Every refusal is a
    /// [`Fault`] with the X-Road fault code and a precise reason.
    pub fn verify<O: ManagementOperation>(
        &self,
        opened: OpenedRequest<'_>,
        at: SystemTime,
    ) -> Result<VerifiedRequest<O>, Fault> {
        let parsed = self.read::<O>(opened)?;
        self.authenticate(parsed, at)
    }

    /// The cheap checks of a request of operation `O` (the one the service code names): its
    /// body, the MIME parts the operation carries, and addressing (the management service
    /// provider, the instance, sender = the security server's owner, the body's own fields).
    /// No signature, certificate or OCSP response is looked at yet.
    pub fn read<O: ManagementOperation>(
        &self,
        opened: OpenedRequest<'_>,
    ) -> Result<ParsedRequest<O>, Fault> {
        let OpenedRequest { framing, envelope } = opened;
        envelope
            .expect_operation::<O>()
            .map_err(|e| e.into_fault())?;
        let request = envelope.into_request::<O>().map_err(|e| e.into_fault())?;
        let parts = framing
            .into_parts(O::DESCRIPTION)
            .map_err(|e| e.to_fault())?;
        self.check_addressing(&request)?;
        Ok(ParsedRequest { request, parts })
    }

    /// The expensive checks at time `at`: each signature the operation's description lists,
    /// with its certificate and OCSP response.
    pub fn authenticate<O: ManagementOperation>(
        &self,
        parsed: ParsedRequest<O>,
        at: SystemTime,
    ) -> Result<VerifiedRequest<O>, Fault> {
        let ParsedRequest { request, parts } = parsed;
        let signer = self.check_signatures(&request, &parts, Timestamp::from(at))?;
        Ok(VerifiedRequest {
            request,
            parts,
            signer,
        })
    }

    /// [`Verifier::open`] and [`Verifier::verify`] for a request of a known operation.
    pub fn verify_as<O: ManagementOperation>(
        &self,
        content_type: Option<&str>,
        body: &Bytes,
        at: SystemTime,
    ) -> Result<VerifiedRequest<O>, Fault> {
        let opened = self.open(content_type, body)?;
        self.verify(opened, at)
    }

    /// Verifies the MIME parts of a request of operation `O` as received at `at` — for
    /// example read back from a message log — without framing them again.
    pub fn verify_parts<O: ManagementOperation>(
        &self,
        parts: &Parts,
        at: SystemTime,
    ) -> Result<VerifiedRequest<O>, Fault> {
        // Parts that do not fit the operation's layout are a MIME structure problem, as they
        // would be on the wire; a signature without its algorithm is one of the signature.
        parts.check_against(O::DESCRIPTION).map_err(|e| {
            let code = match e.fault_code() {
                FaultCode::InternalError => FaultCode::MimeParsingFailed,
                other => other,
            };
            Fault::new(code, e.to_string())
        })?;
        let envelope = OpenRequest::parse(&parts.soap).map_err(|e| e.into_fault())?;
        envelope
            .expect_operation::<O>()
            .map_err(|e| e.into_fault())?;
        let request = envelope.into_request::<O>().map_err(|e| e.into_fault())?;
        self.check_addressing(&request)?;
        self.authenticate(
            ParsedRequest {
                request,
                parts: parts.clone(),
            },
            at,
        )
    }

    /// The management service address, the instance, sender = security server owner, and
    /// the body's own fields (a member as new owner, a valid address).
    fn check_addressing<O: ManagementOperation>(&self, request: &Request<O>) -> Result<(), Fault> {
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
        let body = &request.body;
        let server = body.server();
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
        if let Some(client) = body.client() {
            if client.x_road_instance != self.config.instance {
                return Err(Fault::new(
                    FaultCode::InvalidClientIdentifier,
                    format!(
                        "client {client} is not of X-Road instance {}",
                        self.config.instance
                    ),
                ));
            }
            if O::DESCRIPTION.is_signed_by(Signer::NewOwner)
                && client.object_type != XRoadObjectType::Member
            {
                return Err(Fault::new(
                    FaultCode::InvalidClientIdentifier,
                    format!("the new owner must be a MEMBER, not {client}"),
                ));
            }
        }
        if O::DESCRIPTION.fields.address {
            match body.address() {
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
        }
        Ok(())
    }

    /// Every signature the operation's description lists, in order: a member's signature
    /// with its signing certificate and OCSP response, or the proof of possession of an
    /// authentication key with the certificate the body registers. Returns the member whose
    /// signing certificate signed first.
    fn check_signatures<O: ManagementOperation>(
        &self,
        request: &Request<O>,
        parts: &Parts,
        at: Timestamp,
    ) -> Result<Option<MemberId>, Fault> {
        let description = O::DESCRIPTION;
        let mut signer = None;
        for (index, signed_by, certificate, ocsp) in description.signatures() {
            let (Some(signature), Some(certificate)) =
                (parts.attachment(index), parts.body(certificate))
            else {
                // `Framing::into_parts` and `Parts::check_against` guarantee the parts.
                return Err(missing_part(description.part_description(index)));
            };
            let algorithm_id = signature
                .signature_algorithm_id
                .as_deref()
                .unwrap_or_default();
            let what = description.part_description(index);
            match signed_by {
                Signer::AuthenticationKey => {
                    self.check_auth_key_proof(
                        algorithm_id,
                        &signature.body,
                        certificate,
                        &parts.soap,
                        at,
                    )?;
                    if request.body.auth_cert() != Some(&certificate[..]) {
                        return Err(Fault::new(
                            FaultCode::CertValidation,
                            "the attached authentication certificate differs from the authCert \
                             in the request",
                        ));
                    }
                }
                member_role => {
                    let Some(ocsp_response) = ocsp.and_then(|ocsp| parts.body(ocsp)) else {
                        return Err(missing_part(format!("OCSP response for the {what}")));
                    };
                    let (expected, role) = expected_member(member_role, request)?;
                    let member = self.check_member_signature(
                        algorithm_id,
                        &signature.body,
                        certificate,
                        ocsp_response,
                        &parts.soap,
                        expected,
                        role,
                        at,
                    )?;
                    signer.get_or_insert(member);
                }
            }
        }
        Ok(signer)
    }

    /// A member's signature: the signing certificate chains to a trusted CA and may sign, its
    /// OCSP response is valid and good, it belongs to the member `expected` names (`role`
    /// says who that is, for messages), and the signature over the SOAP part verifies with it.
    #[allow(clippy::too_many_arguments)]
    fn check_member_signature(
        &self,
        algorithm_id: &str,
        signature: &[u8],
        certificate: &[u8],
        ocsp_response: &[u8],
        soap: &[u8],
        expected: &XRoadClientIdentifierType,
        role: &str,
        at: Timestamp,
    ) -> Result<MemberId, Fault> {
        let algorithm = signature_algorithm(algorithm_id, "signature")?;
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
            .verify(algorithm, soap, signature)
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
            .map_err(|e| part_fault(e.fault_code(), "signing certificate", &e))?;
        let chain = self
            .trust
            .verify(&cert, &[], at.to_system_time())
            .map_err(|e| part_fault(e.fault_code(), "signing certificate", &e))?;
        CertUse::Signing
            .check(&cert)
            .map_err(|e| part_fault(FaultCode::CertValidation, "signing certificate", &e))?;
        let summary = self
            .ocsp
            .verify(ocsp_response, &cert, chain.issuer(), at.to_system_time())
            .map_err(|e| part_fault(e.fault_code(), "OCSP response", &e))?;
        let member = self
            .identity
            .member_id(&cert)
            .map_err(|e| part_fault(e.fault_code(), "signing certificate", &e))?;
        let verifying_key = VerifyingKey::from_certificate(&cert)
            .map_err(|e| part_fault(FaultCode::IncorrectCertificate, "signing certificate", &e))?;
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

    /// The proof of possession of an authentication key: the certificate being registered
    /// (trusted issuer, validity, usage, key size) and the signature over the SOAP part made
    /// with its key, with one of the algorithms PR-MSERV allows for it.
    fn check_auth_key_proof(
        &self,
        algorithm_id: &str,
        signature: &[u8],
        certificate: &[u8],
        soap: &[u8],
        at: Timestamp,
    ) -> Result<(), Fault> {
        let auth_cert = parse_der(certificate)
            .map_err(|e| part_fault(e.fault_code(), "authentication certificate", &e))?;
        self.trust
            .verify(&auth_cert, &[], at.to_system_time())
            .map_err(|e| {
                part_fault(
                    FaultCode::CertValidation,
                    "authentication certificate is not valid",
                    &e,
                )
            })?;
        CertUse::Authentication.check(&auth_cert).map_err(|e| {
            part_fault(
                FaultCode::CertValidation,
                "authentication certificate is not valid",
                &e,
            )
        })?;
        let algorithm = signature_algorithm(algorithm_id, "authentication key signature")?;
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
            part_fault(
                FaultCode::IncorrectCertificate,
                "authentication certificate",
                &e,
            )
        })?;
        self.check_key_size(&auth_key, "authentication certificate")?;
        auth_key
            .verify(algorithm, soap, signature)
            .map_err(|e| signature_fault("authentication key signature", &e))
    }
}

/// The member a member's signature must be by, and who that is, for messages.
fn expected_member<O: ManagementOperation>(
    signed_by: Signer,
    request: &Request<O>,
) -> Result<(&XRoadClientIdentifierType, &'static str), Fault> {
    let client = || {
        request.body.client().ok_or_else(|| {
            Fault::new(
                FaultCode::InternalError,
                format!(
                    "{} requests have no client to check the signature against",
                    O::NAME
                ),
            )
        })
    };
    Ok(match signed_by {
        Signer::ClientOwner => (client()?, "client's member"),
        Signer::NewOwner => (client()?, "new owner"),
        // The sender, checked to be the security server's owner.
        Signer::ServerOwner | Signer::AuthenticationKey => {
            (&request.header.client, "security server's owner")
        }
    })
}

/// The fault for a part the framing guarantees but that is missing.
fn missing_part(what: String) -> Fault {
    Fault::new(
        FaultCode::InternalError,
        format!("the {what} part is missing"),
    )
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
fn signature_algorithm(algorithm_id: &str, what: &str) -> Result<SignatureAlgorithm, Fault> {
    algorithm_id
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
    part_fault(code, what, error)
}

/// The fault for `error` about `what` (a part of the request): the reason is `what` and the
/// words of `error`; the errors under it (library error codes and source locations) go to
/// the server's log only.
fn part_fault(code: FaultCode, what: &str, error: &(dyn std::error::Error + '_)) -> Fault {
    Fault::with_cause(code, format!("{what}: {error}"), error)
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
