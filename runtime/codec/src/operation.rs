//! Typed operations and what the runtime needs to know about each: the [`Operation`] trait,
//! implemented by generated code for every operation the X-Road profile describes, and its
//! [`OperationDescription`] — the MIME parts of the request in order, whose key signs each
//! signature part, the endpoint, and what the response echoes.
//!
//! The runtime (composing, signing, framing, sending, verifying, answering) is generic over
//! `Operation`; it holds no list of operations of its own.

use std::fmt;

use crate::xml::{XmlRead, XmlRoot, XmlWrite};

/// The endpoint of a central server that serves an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// Plain HTTPS with server authentication only, for requests a security server sends
    /// before it can send X-Road messages (`authCertReg`).
    Registration,
    /// HTTPS with TLS client authentication by the security server's authentication
    /// certificate, for the X-Road messages of the management services.
    Manage,
}

impl Endpoint {
    /// The path the endpoint is served at by default, as in the reference central server.
    pub const fn default_path(self) -> &'static str {
        match self {
            Endpoint::Registration => "/managementservice/",
            Endpoint::Manage => "/managementservice/manage/",
        }
    }

    /// The name used in logs and metric labels: `registration` or `manage`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Endpoint::Registration => "registration",
            Endpoint::Manage => "manage",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose key signs a signature part, named by the request's own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signer {
    /// The member that owns the client the body's `client` names: the subsystem's owner
    /// (clientReg, clientDisable, clientEnable, clientRename).
    ClientOwner,
    /// The member that owns the security server the body's `server` names, which is also
    /// the sender (authCertReg, addressChange, maintenanceModeEnable and -Disable).
    ServerOwner,
    /// The member the body's `client` names, which must be a member: the new owner
    /// (ownerChange).
    NewOwner,
    /// The key of the authentication certificate in the body's `authCert`, which the request
    /// also carries as a certificate part: proof of possession (authCertReg).
    AuthenticationKey,
}

impl Signer {
    /// Who signs, for messages: `the client's owner`, `the security server's owner`, ….
    pub const fn description(self) -> &'static str {
        match self {
            Signer::ClientOwner => "the client's owner",
            Signer::ServerOwner => "the security server's owner",
            Signer::NewOwner => "the new owner",
            Signer::AuthenticationKey => "the authentication key",
        }
    }
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A MIME part of a request. Part indexes count from 0, the SOAP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MimePart {
    /// The SOAP message, `text/xml`; always part 0.
    Soap,
    /// A signature of the SOAP message, `application/octet-stream` with a
    /// `signature-algorithm-id` header.
    Signature {
        /// Whose key made it.
        signer: Signer,
        /// The index of the certificate part that verifies it.
        certificate: usize,
        /// The index of the OCSP response part for that certificate; `None` for a proof of
        /// possession, whose certificate is the one being registered.
        ocsp: Option<usize>,
    },
    /// A certificate, DER, `application/octet-stream`.
    Certificate,
    /// An OCSP response, DER `OCSPResponse`, `application/octet-stream`.
    OcspResponse,
}

impl MimePart {
    /// Does the part carry a signature (and so a `signature-algorithm-id` header)?
    pub const fn is_signature(self) -> bool {
        matches!(self, MimePart::Signature { .. })
    }

    /// The media type of the part: `text/xml` or `application/octet-stream`.
    pub const fn media_type(self) -> &'static str {
        match self {
            MimePart::Soap => "text/xml",
            _ => "application/octet-stream",
        }
    }
}

/// The fields of a request body that the protocol gives a meaning to, beyond `server` and
/// `requestId` (which every management request has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BodyFields {
    /// `client`: a client, subsystem or new owner.
    pub client: bool,
    /// `authCert`: an authentication certificate.
    pub auth_cert: bool,
    /// `address`: the security server's address, which must be present and valid.
    pub address: bool,
}

/// What the runtime needs to know about an operation beyond its types, from the WSDL and the
/// X-Road profile the bindings were generated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationDescription {
    /// The operation name, which is also the service code and the body element's name.
    pub name: &'static str,
    /// The endpoint that serves it.
    pub endpoint: Endpoint,
    /// The MIME parts of the request, in order; `[MimePart::Soap]` for a plain SOAP request.
    pub parts: &'static [MimePart],
    /// The request body's fields that the protocol gives a meaning to.
    pub fields: BodyFields,
    /// Whether the response carries `requestHash`: X-Road messages do; requests posted to the
    /// central server directly (authCertReg) do not.
    pub request_hash: bool,
    /// The request's body elements the response echoes, in order; the response adds
    /// `requestId`.
    pub echo: &'static [&'static str],
}

impl OperationDescription {
    /// Is the request `multipart/related` (anything besides the SOAP message)?
    pub const fn is_multipart(&self) -> bool {
        self.parts.len() > 1
    }

    /// The signature parts with their indexes, in order.
    pub fn signatures(&self) -> impl Iterator<Item = (usize, Signer, usize, Option<usize>)> + '_ {
        self.parts
            .iter()
            .enumerate()
            .filter_map(|(index, part)| match *part {
                MimePart::Signature {
                    signer,
                    certificate,
                    ocsp,
                } => Some((index, signer, certificate, ocsp)),
                _ => None,
            })
    }

    /// Whether a signature part is made by `signer`.
    pub fn is_signed_by(&self, signer: Signer) -> bool {
        self.signatures().any(|(_, s, _, _)| s == signer)
    }

    /// What part `index` holds, for messages: `signature of the client's owner`,
    /// `certificate for part 2`, ….
    pub fn part_description(&self, index: usize) -> String {
        match self.parts.get(index) {
            Some(MimePart::Soap) => "SOAP message".to_owned(),
            Some(MimePart::Signature { signer, .. }) => format!("signature of {signer}"),
            Some(MimePart::Certificate) => match self.signer_of_certificate(index) {
                Some(signer) => format!("certificate of {signer}"),
                None => "certificate".to_owned(),
            },
            Some(MimePart::OcspResponse) => match self.signer_of_ocsp(index) {
                Some(signer) => format!("OCSP response for the certificate of {signer}"),
                None => "OCSP response".to_owned(),
            },
            None => format!("part {index}"),
        }
    }

    fn signer_of_certificate(&self, index: usize) -> Option<Signer> {
        self.signatures()
            .find(|(_, _, certificate, _)| *certificate == index)
            .map(|(_, signer, _, _)| signer)
    }

    fn signer_of_ocsp(&self, index: usize) -> Option<Signer> {
        self.signatures()
            .find(|(_, _, _, ocsp)| *ocsp == Some(index))
            .map(|(_, signer, _, _)| signer)
    }

    /// Checks that the description is consistent: the SOAP message first and only there,
    /// every signature's certificate and OCSP parts of the right kind and used once. The
    /// generator checks this before it emits a description.
    pub fn check(&self) -> Result<(), DescriptionError> {
        let name = self.name;
        let error = |reason: String| DescriptionError {
            operation: name.to_owned(),
            reason,
        };
        if self.parts.first() != Some(&MimePart::Soap) {
            return Err(error("the first part must be the SOAP message".into()));
        }
        let mut used = vec![false; self.parts.len()];
        used[0] = true;
        for (index, part) in self.parts.iter().enumerate().skip(1) {
            match *part {
                MimePart::Soap => {
                    return Err(error(format!("part {index} is a second SOAP message")));
                }
                MimePart::Signature {
                    certificate, ocsp, ..
                } => {
                    used[index] = true;
                    let mut refer =
                        |target: usize, kind: MimePart, what: &str| match self.parts.get(target) {
                            Some(found) if *found == kind && !used[target] => {
                                used[target] = true;
                                Ok(())
                            }
                            Some(found) if *found == kind => Err(error(format!(
                                "the {what} part {target} of signature part {index} is also used \
                                 by another signature"
                            ))),
                            _ => Err(error(format!(
                                "signature part {index} names part {target} as its {what}, which \
                                 is not one"
                            ))),
                        };
                    refer(certificate, MimePart::Certificate, "certificate")?;
                    if let Some(ocsp) = ocsp {
                        refer(ocsp, MimePart::OcspResponse, "OCSP response")?;
                    }
                }
                MimePart::Certificate | MimePart::OcspResponse => {}
            }
        }
        if let Some(index) = used.iter().position(|used| !used) {
            return Err(error(format!("part {index} belongs to no signature part")));
        }
        let signed_by = |signer| self.is_signed_by(signer);
        if (signed_by(Signer::ClientOwner) || signed_by(Signer::NewOwner)) && !self.fields.client {
            return Err(error(
                "a signature by the client's owner or the new owner needs a `client` field".into(),
            ));
        }
        if signed_by(Signer::AuthenticationKey) && !self.fields.auth_cert {
            return Err(error(
                "a proof of possession of the authentication key needs an `authCert` field".into(),
            ));
        }
        Ok(())
    }
}

/// An operation description that is not consistent (see [`OperationDescription::check`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("operation `{operation}`: {reason}")]
pub struct DescriptionError {
    /// The operation.
    pub operation: String,
    /// What is wrong.
    pub reason: String,
}

/// The fields of a management service body that the protocol gives a meaning to, implemented
/// by the generated request and response types of every described operation. The identifier
/// types are the bindings' own (for the management services, those of `xroad-mserv`).
pub trait ManagementBody {
    /// The security server identifier type.
    type Server;
    /// The client identifier type.
    type Client;

    /// `server`: the security server the request is about.
    fn server(&self) -> &Self::Server;

    /// `client`: the client, subsystem or new owner, if the body has one.
    fn client(&self) -> Option<&Self::Client> {
        None
    }

    /// `authCert`: an authentication certificate, DER, if the body has one.
    fn auth_cert(&self) -> Option<&[u8]> {
        None
    }

    /// `address`: the security server's address, if the body has one and it is present.
    fn address(&self) -> Option<&str> {
        None
    }

    /// `requestId`, if present: the central server's id of the request (responses only).
    fn request_id(&self) -> Option<i64>;
}

/// A response body element that does not echo the request: the first element that differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response's `{element}` differs from the request's")]
pub struct EchoMismatch {
    /// The body element's local name.
    pub element: &'static str,
}

/// A service operation described by the X-Road profile: its name (the service code), body
/// types, description, and how its response echoes its request. Implemented by generated
/// code, one unit struct per operation.
pub trait Operation: Send + Sync + 'static {
    /// The operation name, which is also the service code.
    const NAME: &'static str;
    /// What the runtime needs to know about the operation.
    const DESCRIPTION: &'static OperationDescription;
    /// The SOAP header type.
    type Header: XmlRead + XmlWrite;
    /// The request body element.
    type Request: XmlRoot + ManagementBody + Clone + Send + Sync + 'static;
    /// The response body element.
    type Response: XmlRoot + ManagementBody + Clone + Send + Sync + 'static;

    /// The response to `request`: its fields echoed, with `request_id`.
    fn respond(request: &Self::Request, request_id: i64) -> Self::Response;

    /// Checks that `response` echoes every field of `request` (its `requestId` aside).
    fn check_echo(request: &Self::Request, response: &Self::Response) -> Result<(), EchoMismatch>;
}

/// A service code that names no operation of the service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation `{0}`")]
pub struct UnknownOperation(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_REG: OperationDescription = OperationDescription {
        name: "clientReg",
        endpoint: Endpoint::Manage,
        parts: &[
            MimePart::Soap,
            MimePart::Signature {
                signer: Signer::ClientOwner,
                certificate: 2,
                ocsp: Some(3),
            },
            MimePart::Certificate,
            MimePart::OcspResponse,
        ],
        fields: BodyFields {
            client: true,
            auth_cert: false,
            address: false,
        },
        request_hash: true,
        echo: &["server", "client", "subsystemName"],
    };

    const AUTH_CERT_REG: OperationDescription = OperationDescription {
        name: "authCertReg",
        endpoint: Endpoint::Registration,
        parts: &[
            MimePart::Soap,
            MimePart::Signature {
                signer: Signer::AuthenticationKey,
                certificate: 3,
                ocsp: None,
            },
            MimePart::Signature {
                signer: Signer::ServerOwner,
                certificate: 4,
                ocsp: Some(5),
            },
            MimePart::Certificate,
            MimePart::Certificate,
            MimePart::OcspResponse,
        ],
        fields: BodyFields {
            client: false,
            auth_cert: true,
            address: true,
        },
        request_hash: false,
        echo: &["server", "address", "authCert"],
    };

    #[test]
    fn consistent_descriptions_pass() {
        assert_eq!(CLIENT_REG.check(), Ok(()));
        assert_eq!(AUTH_CERT_REG.check(), Ok(()));
        assert!(CLIENT_REG.is_multipart());
        assert!(AUTH_CERT_REG.is_signed_by(Signer::AuthenticationKey));
        assert_eq!(
            AUTH_CERT_REG.part_description(4),
            "certificate of the security server's owner"
        );
        assert_eq!(
            CLIENT_REG.part_description(3),
            "OCSP response for the certificate of the client's owner"
        );
        assert_eq!(
            AUTH_CERT_REG.part_description(1),
            "signature of the authentication key"
        );
        assert_eq!(AUTH_CERT_REG.signatures().count(), 2);
    }

    #[test]
    fn inconsistent_descriptions_are_refused() {
        let reason = |description: OperationDescription| description.check().unwrap_err().reason;
        let mut soap_later = CLIENT_REG;
        soap_later.parts = &[MimePart::Certificate, MimePart::Soap];
        assert_eq!(
            reason(soap_later),
            "the first part must be the SOAP message"
        );
        let mut wrong_kind = CLIENT_REG;
        wrong_kind.parts = &[
            MimePart::Soap,
            MimePart::Signature {
                signer: Signer::ClientOwner,
                certificate: 2,
                ocsp: Some(2),
            },
            MimePart::Certificate,
        ];
        assert_eq!(
            reason(wrong_kind),
            "signature part 1 names part 2 as its OCSP response, which is not one"
        );
        let mut orphan = CLIENT_REG;
        orphan.parts = &[MimePart::Soap, MimePart::Certificate];
        assert_eq!(reason(orphan), "part 1 belongs to no signature part");
        let mut shared = AUTH_CERT_REG;
        shared.parts = &[
            MimePart::Soap,
            MimePart::Signature {
                signer: Signer::AuthenticationKey,
                certificate: 3,
                ocsp: None,
            },
            MimePart::Signature {
                signer: Signer::ServerOwner,
                certificate: 3,
                ocsp: Some(4),
            },
            MimePart::Certificate,
            MimePart::OcspResponse,
        ];
        assert!(reason(shared).contains("also used by another signature"));
        let mut no_client = CLIENT_REG;
        no_client.fields.client = false;
        assert!(reason(no_client).contains("needs a `client` field"));
    }
}
