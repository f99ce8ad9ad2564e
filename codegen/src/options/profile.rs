//! What the X-Road profile says about an operation that its WSDL cannot: the endpoint that
//! serves it, whose keys sign it, whether its response carries `requestHash`, and its
//! documentation ([`OperationProfile`]); and which body elements play which part
//! ([`BodyRoles`]).
//!
//! [`Endpoint`] and [`Signer`] mirror the enums of `xroad_codec::operation` of the same names;
//! the generator writes the codec's variants.

use std::str::FromStr;

use crate::model::QName;
use crate::options::IDENTIFIERS_NS;

pub use crate::model::{Endpoint, Signer};

/// What the X-Road profile says about one operation. Built like a `prost-build` config:
///
/// ```
/// use xroad_codegen::{Options, OperationProfile, Signer};
///
/// let mut options = Options::default();
/// options.operation(
///     "addressChange",
///     OperationProfile::manage()
///         .signed_by(Signer::ServerOwner)
///         .doc("Changes the address of a security server."),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationProfile {
    endpoint: Endpoint,
    signatures: Vec<Signer>,
    request_hash: bool,
    doc: Option<String>,
}

impl OperationProfile {
    /// An X-Road message to the management services: served by the manage endpoint, and its
    /// response carries `requestHash`. No signature parts until [`signed_by`](Self::signed_by).
    pub fn manage() -> Self {
        Self {
            endpoint: Endpoint::Manage,
            signatures: Vec::new(),
            request_hash: true,
            doc: None,
        }
    }

    /// A request posted to the central server directly (not an X-Road message): served by the
    /// registration endpoint, and its response carries no `requestHash`.
    pub fn registration() -> Self {
        Self {
            endpoint: Endpoint::Registration,
            signatures: Vec::new(),
            request_hash: false,
            doc: None,
        }
    }

    /// Appends a signature part made by `signer`. The parts are laid out as the reference
    /// implementation does: the SOAP message, every signature in this order, their
    /// certificates in the same order, then the OCSP responses of the signatures that have one.
    pub fn signed_by(mut self, signer: Signer) -> Self {
        self.signatures.push(signer);
        self
    }

    /// Documentation of the generated operation, which takes the place of the WSDL's.
    pub fn doc(mut self, text: impl Into<String>) -> Self {
        self.doc = Some(text.into());
        self
    }

    /// The endpoint that serves the operation.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    /// Whose keys sign the request, in part order.
    pub fn signers(&self) -> &[Signer] {
        &self.signatures
    }

    /// Whether the response carries `requestHash`.
    pub fn request_hash(&self) -> bool {
        self.request_hash
    }

    /// The documentation given with [`doc`](Self::doc), if any.
    pub fn documentation(&self) -> Option<&str> {
        self.doc.as_deref()
    }
}

/// An [`OperationProfile`] in its command-line form that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}`: {reason}; expected ENDPOINT[:SIGNER,…] with ENDPOINT `manage` or `registration` and SIGNER among `client-owner`, `server-owner`, `new-owner`, `auth-key`"
)]
pub struct ProfileSyntaxError {
    /// The text given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for OperationProfile {
    type Err = ProfileSyntaxError;

    /// Reads `manage`, `manage:server-owner`, `registration:auth-key,server-owner`, ….
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| ProfileSyntaxError {
            text: text.to_owned(),
            reason,
        };
        let (endpoint, signers) = match text.split_once(':') {
            Some((endpoint, signers)) => (endpoint, Some(signers)),
            None => (text, None),
        };
        let mut profile = match endpoint.trim() {
            "manage" => Self::manage(),
            "registration" => Self::registration(),
            other => return Err(error(format!("unknown endpoint `{other}`"))),
        };
        for signer in signers.into_iter().flat_map(|s| s.split(',')) {
            let signer = signer.trim();
            let known = Signer::ALL
                .into_iter()
                .find(|s| s.as_str() == signer)
                .ok_or_else(|| error(format!("unknown signer `{signer}`")))?;
            profile = profile.signed_by(known);
        }
        Ok(profile)
    }
}

/// The local names of the body elements that play a part in the protocol, and the type that
/// names a client. Every X-Road management service body uses the X-Road names, the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRoles {
    /// The security server the request is about; every described body has it.
    pub server: String,
    /// The client, subsystem or new owner; signatures of the client's owner and of the new
    /// owner need it.
    pub client: String,
    /// The authentication certificate; a signature with the authentication key needs it.
    pub auth_cert: String,
    /// The security server's address.
    pub address: String,
    /// The central server's id of the request, which the response adds.
    pub request_id: String,
    /// The type a body without a client element names as its client type
    /// (`ManagementBody::Client`), so that every body of a service names the same one.
    pub client_type: QName,
}

impl Default for BodyRoles {
    /// The X-Road names: `server`, `client`, `authCert`, `address`, `requestId`, and
    /// `XRoadClientIdentifierType` of the identifiers schema.
    fn default() -> Self {
        Self {
            server: "server".into(),
            client: "client".into(),
            auth_cert: "authCert".into(),
            address: "address".into(),
            request_id: "requestId".into(),
            client_type: QName::new(IDENTIFIERS_NS, "XRoadClientIdentifierType"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_form() {
        let profile: OperationProfile = "manage:server-owner".parse().unwrap();
        assert_eq!(profile.endpoint(), Endpoint::Manage);
        assert_eq!(profile.signers(), [Signer::ServerOwner]);
        assert!(profile.request_hash());
        let profile: OperationProfile = "registration:auth-key, server-owner".parse().unwrap();
        assert_eq!(
            profile.signers(),
            [Signer::AuthenticationKey, Signer::ServerOwner]
        );
        assert!(!profile.request_hash());
        let plain: OperationProfile = "manage".parse().unwrap();
        assert!(plain.signers().is_empty());

        let error = "post:server-owner".parse::<OperationProfile>().unwrap_err();
        assert_eq!(error.reason, "unknown endpoint `post`");
        let error = "manage:owner".parse::<OperationProfile>().unwrap_err();
        assert_eq!(error.reason, "unknown signer `owner`");
        assert!(error.to_string().contains("`auth-key`"), "{error}");
        let error = "manage:".parse::<OperationProfile>().unwrap_err();
        assert_eq!(error.reason, "unknown signer ``");
    }

    #[test]
    fn builder_appends_in_order() {
        let profile = OperationProfile::registration()
            .signed_by(Signer::AuthenticationKey)
            .signed_by(Signer::ServerOwner)
            .doc("Registers.");
        assert_eq!(profile.endpoint(), Endpoint::Registration);
        assert_eq!(profile.signers().len(), 2);
        assert_eq!(profile.documentation(), Some("Registers."));
    }
}
