//! The X-Road management services profile of PR-MSERV 1.20: what [`Options::default`] knows
//! that the WSDL cannot say.
//!
//! [`Options::default`]: super::Options::default

use super::header::{HeaderField, HeaderType};
use super::profile::{OperationProfile, Signer};
use super::{ExtraOperation, IDENTIFIERS_NS, Options, XROAD_NS};
use crate::model::QName;

/// Namespace of the third-party representation extension (`representedParty`).
pub const REPRESENTATION_NS: &str = "http://x-road.eu/xsd/representation.xsd";

/// The Rust module the generated identifier types live in: those of `xroad-mserv`.
pub const IDENTIFIERS_MODULE: &str = "::xroad_mserv::identifiers";

/// The X-Road header type of `xroad-mserv`, which every service generated with the profile
/// shares.
pub const HEADER: &str = "::xroad_mserv::centralservice::Header";

/// The management services of PR-MSERV 1.20: name, profile (section 2 of the specification).
pub fn operations() -> Vec<(&'static str, OperationProfile)> {
    use Signer::*;
    let manage = OperationProfile::manage;
    vec![
        (
            "clientReg",
            manage().signed_by(ClientOwner).doc(
                "Registers a client (a subsystem) of a security server; signed by the member \
                 that owns the subsystem (PR-MSERV 2.1).",
            ),
        ),
        (
            "clientDeletion",
            manage().doc(
                "Removes a client from a security server; an X-Road message without a \
                 signature of its own (PR-MSERV 2.2).",
            ),
        ),
        (
            "authCertReg",
            OperationProfile::registration()
                .signed_by(AuthenticationKey)
                .signed_by(ServerOwner)
                .doc(
                    "Registers an authentication certificate of a security server; posted to \
                     the central server directly over HTTPS, because a security server cannot \
                     send X-Road messages before its authentication certificate is registered, \
                     and signed with that certificate's key (proof of possession) and by the \
                     security server's owner (PR-MSERV 2.3).",
                ),
        ),
        (
            "authCertDeletion",
            manage().doc(
                "Deletes an authentication certificate of a security server; an X-Road \
                 message without a signature of its own (PR-MSERV 2.4).",
            ),
        ),
        (
            "ownerChange",
            manage().signed_by(NewOwner).doc(
                "Changes the owner member of a security server; signed by the new owner \
                 (PR-MSERV 2.5).",
            ),
        ),
        (
            "addressChange",
            manage().signed_by(ServerOwner).doc(
                "Changes the address of a security server; signed by the security server's \
                 owner (PR-MSERV 2.6).",
            ),
        ),
        (
            "clientDisable",
            manage().signed_by(ClientOwner).doc(
                "Disables a client subsystem of a security server temporarily; signed by the \
                 member that owns the subsystem (PR-MSERV 2.7).",
            ),
        ),
        (
            "clientEnable",
            manage().signed_by(ClientOwner).doc(
                "Enables a disabled client subsystem of a security server; signed by the \
                 member that owns the subsystem (PR-MSERV 2.8).",
            ),
        ),
        (
            "clientRename",
            manage().signed_by(ClientOwner).doc(
                "Renames a subsystem registered as a client of a security server; signed by \
                 the member that owns the subsystem (PR-MSERV 2.9).",
            ),
        ),
        (
            "maintenanceModeEnable",
            manage().signed_by(ServerOwner).doc(
                "Puts a security server into maintenance mode, in which it receives no \
                 requests from other security servers; signed by the security server's owner \
                 (PR-MSERV 2.10).",
            ),
        ),
        (
            "maintenanceModeDisable",
            manage().signed_by(ServerOwner).doc(
                "Takes a security server out of maintenance mode; signed by the security \
                 server's owner (PR-MSERV 2.11).",
            ),
        ),
    ]
}

/// `authCertReg`, which the WSDL keeps out of its port type (PR-MSERV 2.3).
pub fn auth_cert_reg() -> ExtraOperation {
    ExtraOperation {
        name: "authCertReg".into(),
        input: QName::new(XROAD_NS, "authCertReg"),
        output: QName::new(XROAD_NS, "authCertRegResponse"),
        doc: None,
    }
}

/// The header elements of the X-Road message protocol, in the order the reference writes
/// them: `client`, `service`, `securityServer`, `id`, `userId`, `representedParty`, `issue`,
/// `protocolVersion`, `requestHash`.
pub fn header_fields() -> Vec<HeaderField> {
    let xroad = |local: &str| QName::new(XROAD_NS, local);
    vec![
        HeaderField::declared(
            xroad("client"),
            "The member or subsystem that sends the message; for a management request, the \
             owner of the security server that sends it.",
        ),
        HeaderField::declared(
            xroad("service"),
            "The service called: its provider and service code, which names the operation.",
        ),
        HeaderField::optional(
            xroad("securityServer"),
            HeaderType::Schema(QName::new(
                IDENTIFIERS_NS,
                "XRoadSecurityServerIdentifierType",
            )),
            "The security server the client asks to serve the message, if any.",
        ),
        HeaderField::declared(
            xroad("id"),
            "The message id the client chose; the response carries the same id.",
        ),
        HeaderField::optional(
            xroad("userId"),
            HeaderType::String,
            "The user in the client's information system who made the request, if given.",
        ),
        HeaderField::optional(
            QName::new(REPRESENTATION_NS, "representedParty"),
            HeaderType::Rust("::xroad_codec::header::RepresentedParty".into()),
            "The party the client acts for, in the third-party representation extension.",
        )
        .prefix("repr"),
        HeaderField::optional(
            xroad("issue"),
            HeaderType::String,
            "The case or issue the message belongs to in the client's information system, if \
             given.",
        ),
        HeaderField::declared(
            xroad("protocolVersion"),
            "The X-Road message protocol version, `4.0` in what is written.",
        )
        .protocol_version(),
        HeaderField::declared(
            xroad("requestHash"),
            "The hash of the request's SOAP message, which the service provider's security \
             server adds to the response.",
        ),
    ]
}

/// Applies the profile to options that know nothing yet.
pub(super) fn apply(options: &mut Options) {
    options.extra_operation(auth_cert_reg());
    for (name, profile) in operations() {
        options.operation(name, profile);
    }
    for field in header_fields() {
        options.header_field(field);
    }
    for code in super::IDENTIFIER_CODES {
        options.extern_element(
            QName::new(IDENTIFIERS_NS, *code),
            "::xroad_codec::identifier::Code",
        );
    }
    options.identifier_base(Some(QName::new(IDENTIFIERS_NS, "XRoadIdentifierType")));
    options.extern_namespace(IDENTIFIERS_NS, IDENTIFIERS_MODULE);
    options.extern_header(Some(HEADER));
}
