//! The errors of this crate say only what they add: no cause's text appears in the message
//! of the error above it, so that a chain reporter ([`ErrorChain`]) prints each cause once.

use std::error::Error;

use openssl::error::ErrorStack;
use openssl::x509::X509;
use xroad_codec::identifier::IdentifierError;

use crate::client::ManagementError;
use crate::compose::ComposeError;
use crate::envelope::{BuildError, EnvelopeError, ResponseError};
use crate::fault::ErrorChain;
use crate::message::MessageError;
use crate::multipart::{Boundary, BoundaryError, ContentType, MultipartError};
use crate::ocsp::{OcspFetchError, ResponderError, ResponderFailure, UrlError};
use crate::testpki::TestPkiError;
use crate::transport::{ClientError, Endpoint};

fn openssl_error() -> ErrorStack {
    X509::from_pem(b"not a certificate").expect_err("not PEM")
}

fn boundary_error() -> BoundaryError {
    Boundary::new("").expect_err("an empty boundary")
}

fn build_error() -> BuildError {
    BuildError::Identifier {
        field: "client",
        source: IdentifierError::MissingObjectType("EE/COM/MACK".to_owned()),
    }
}

fn envelope_error() -> EnvelopeError {
    EnvelopeError::UnsupportedProtocolVersion {
        path: "/Envelope/Header/protocolVersion".to_owned(),
        found: "3.1".to_owned(),
    }
}

/// One error of each kind that has a source.
fn representatives() -> Vec<Box<dyn Error>> {
    vec![
        Box::new(MessageError::MalformedContentType {
            value: "text".to_owned(),
            source: ContentType::parse("text").expect_err("no subtype"),
        }),
        Box::new(MessageError::Boundary(boundary_error())),
        Box::new(MultipartError::InvalidBoundary(boundary_error())),
        Box::new(TestPkiError::Openssl {
            operation: "reading a certificate",
            source: openssl_error(),
        }),
        Box::new(ComposeError::Build(build_error())),
        Box::new(ManagementError::Build {
            operation: "clientReg",
            source: Box::new(build_error()),
        }),
        Box::new(ManagementError::Compose {
            operation: "clientReg",
            source: Box::new(ComposeError::Build(build_error())),
        }),
        Box::new(ManagementError::Ocsp {
            subject: "CN=MACK".to_owned(),
            source: OcspFetchError::InvalidAuthorityInfoAccess {
                serial: "01".to_owned(),
                source: openssl_error(),
            },
        }),
        Box::new(ManagementError::Transport {
            endpoint: Endpoint::Manage,
            source: ClientError::InvalidUrl {
                url: "ftp://x".to_owned(),
                reason: "not https",
            },
        }),
        Box::new(ManagementError::MalformedFault(envelope_error())),
        Box::new(ManagementError::Response {
            operation: "clientReg",
            source: Box::new(ResponseError::Malformed(envelope_error())),
        }),
        Box::new(ResponderFailure {
            url: "http://ocsp.example".to_owned(),
            error: ResponderError::Url(UrlError::MissingHost),
        }),
    ]
}

#[test]
fn no_error_repeats_the_text_of_its_source() {
    for error in representatives() {
        let mut depth = 0;
        let mut current: &dyn Error = error.as_ref();
        while let Some(source) = current.source() {
            let (text, cause) = (current.to_string(), source.to_string());
            assert!(
                !text.contains(&cause),
                "`{text}` repeats its source `{cause}` ({current:?})"
            );
            depth += 1;
            current = source;
        }
        assert!(depth >= 1, "{error:?} has no source");
    }
}

#[test]
fn the_chain_prints_each_cause_once() {
    let error = ManagementError::Build {
        operation: "clientReg",
        source: Box::new(build_error()),
    };
    assert_eq!(
        ErrorChain(&error).to_string(),
        "cannot build the clientReg request: identifier `client`: \
         identifier `EE/COM/MACK` has no `TYPE:` prefix"
    );
}
