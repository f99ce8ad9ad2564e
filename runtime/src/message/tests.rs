use bytes::Bytes;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};

use super::*;
use crate::fault::FaultCode;
use crate::multipart::{Boundary, Limits};
use crate::operation::{Operation, OperationDescription};

const BOUNDARY: &str = "xroadQWERTYUIOPasdfghjklZXCVBNMqwe";
const SOAP: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope/>";

/// A signature part.
fn signature(algorithm_id: &str, value: &'static [u8]) -> Attachment {
    Attachment {
        signature_algorithm_id: Some(algorithm_id.to_owned()),
        body: Bytes::from_static(value),
    }
}

/// A certificate or OCSP response part.
fn binary(value: &'static [u8]) -> Attachment {
    Attachment {
        signature_algorithm_id: None,
        body: Bytes::from_static(value),
    }
}

fn client_reg_parts() -> Parts {
    Parts {
        soap: Bytes::from_static(SOAP),
        attachments: vec![
            signature("SHA512withRSA", b"SIG\r\nNATURE"),
            binary(b"CERT"),
            binary(b"OCSP"),
        ],
    }
}

fn auth_cert_reg_parts() -> Parts {
    Parts {
        soap: Bytes::from_static(SOAP),
        attachments: vec![
            signature("SHA256withRSA", b"POP"),
            signature("SHA256withRSAandMGF1", b"OWNER"),
            binary(b"AUTH"),
            binary(b"SIGNCERT"),
            binary(b"OCSP"),
        ],
    }
}

fn boundary() -> Boundary {
    Boundary::new(BOUNDARY).unwrap()
}

#[test]
fn client_reg_is_written_in_the_reference_layout() {
    let message = client_reg_parts()
        .encode_with_boundary(ClientReg::DESCRIPTION, &boundary())
        .unwrap();
    assert_eq!(
        message.content_type,
        format!(
            "multipart/related; type=\"application/octet-stream\"; charset=UTF-8; boundary={BOUNDARY}"
        )
    );
    let expected = [
        format!("--{BOUNDARY}\r\n"),
        "content-type: text/xml; charset=UTF-8\r\n\r\n".to_owned(),
        String::from_utf8(SOAP.to_vec()).unwrap(),
        format!("\r\n--{BOUNDARY}\r\n"),
        "content-type: application/octet-stream\r\n".to_owned(),
        "signature-algorithm-id: SHA512withRSA\r\n\r\n".to_owned(),
        "SIG\r\nNATURE".to_owned(),
        format!("\r\n--{BOUNDARY}\r\n"),
        "content-type: application/octet-stream\r\n\r\nCERT".to_owned(),
        format!("\r\n--{BOUNDARY}\r\n"),
        "content-type: application/octet-stream\r\n\r\nOCSP".to_owned(),
        format!("\r\n--{BOUNDARY}--\r\n"),
    ]
    .concat();
    assert_eq!(String::from_utf8(message.body).unwrap(), expected);
}

#[test]
fn auth_cert_reg_parts_are_in_protocol_order() {
    let message = auth_cert_reg_parts()
        .encode_with_boundary(AuthCertReg::DESCRIPTION, &boundary())
        .unwrap();
    let body = String::from_utf8(message.body.clone()).unwrap();
    let positions: Vec<usize> = ["POP", "OWNER", "AUTH", "SIGNCERT", "OCSP"]
        .iter()
        .map(|needle| body.find(&format!("\r\n\r\n{needle}\r\n")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let received = Bytes::from(message.body);
    let framing =
        Framing::parse(Some(&message.content_type), &received, &Limits::default()).unwrap();
    assert_eq!(
        framing.into_parts(AuthCertReg::DESCRIPTION).unwrap(),
        auth_cert_reg_parts()
    );
}

#[test]
fn deletions_are_plain_soap() {
    for operation in [ClientDeletion::DESCRIPTION, AuthCertDeletion::DESCRIPTION] {
        let message = Parts::soap(SOAP).encode(operation).unwrap();
        assert_eq!(message.content_type, "text/xml; charset=UTF-8");
        assert_eq!(message.body, SOAP);
        let received = Bytes::from(message.body);
        let framing =
            Framing::parse(Some(&message.content_type), &received, &Limits::default()).unwrap();
        assert!(!framing.is_multipart());
        assert_eq!(framing.into_parts(operation).unwrap(), Parts::soap(SOAP));
    }
}

#[test]
fn random_boundaries_have_the_reference_shape() {
    let message = client_reg_parts().encode(ClientReg::DESCRIPTION).unwrap();
    let boundary = message.content_type.rsplit("boundary=").next().unwrap();
    assert_eq!(boundary.len(), "xroad".len() + 30);
    assert!(boundary.starts_with("xroad"));
    assert!(boundary.bytes().all(|b| b.is_ascii_alphabetic()));
}

#[test]
fn a_hand_written_message_parses() {
    // Quoted boundary, mixed-case header names, extra header, UTF-8 spelled in lower case.
    let content_type =
        "Multipart/Related; boundary=\"jetty771207119h3h10dty\"; type=\"application/octet-stream\"";
    let body = concat!(
        "--jetty771207119h3h10dty\r\n",
        "Content-Type: text/xml; charset=utf-8\r\n",
        "\r\n",
        "<soap/>",
        "\r\n--jetty771207119h3h10dty\r\n",
        "Content-Type: application/octet-stream\r\n",
        "Signature-Algorithm-Id: SHA256withRSA\r\n",
        "Content-Transfer-Encoding: binary\r\n",
        "\r\n",
        "sig",
        "\r\n--jetty771207119h3h10dty\r\n",
        "content-type: application/octet-stream\r\n",
        "\r\n",
        "cert",
        "\r\n--jetty771207119h3h10dty\r\n",
        "content-type: application/octet-stream\r\n",
        "\r\n",
        "ocsp",
        "\r\n--jetty771207119h3h10dty--\r\n",
    );
    let body = Bytes::from_static(body.as_bytes());
    let framing = Framing::parse(Some(content_type), &body, &Limits::default()).unwrap();
    assert_eq!(framing.soap(), b"<soap/>");
    let parts = framing.into_parts(OwnerChange::DESCRIPTION).unwrap();
    assert_eq!(
        parts.attachment(1),
        Some(&signature("SHA256withRSA", b"sig"))
    );
    assert_eq!(parts.body(2).map(|b| &b[..]), Some(&b"cert"[..]));
    assert_eq!(parts.body(3).map(|b| &b[..]), Some(&b"ocsp"[..]));
}

fn decode_error(
    content_type: Option<&str>,
    body: &[u8],
    op: &OperationDescription,
) -> MessageError {
    let body = Bytes::copy_from_slice(body);
    match Framing::parse(content_type, &body, &Limits::default()) {
        Err(error) => error,
        Ok(framing) => framing.into_parts(op).unwrap_err(),
    }
}

fn encoded(parts: Parts, op: &OperationDescription) -> HttpMessage {
    parts.encode_with_boundary(op, &boundary()).unwrap()
}

#[test]
fn content_type_errors() {
    let cases: [(Option<&str>, FaultCode, &str); 5] = [
        (None, FaultCode::InvalidContentType, "no Content-Type"),
        (
            Some("text/xml; charset"),
            FaultCode::InvalidContentType,
            "malformed Content-Type",
        ),
        (
            Some("application/json"),
            FaultCode::InvalidContentType,
            "`application/json`",
        ),
        (
            Some("text/xml; charset=ISO-8859-1"),
            FaultCode::InvalidContentType,
            "ISO-8859-1",
        ),
        (
            Some("multipart/related"),
            FaultCode::MimeParsingFailed,
            "no boundary",
        ),
    ];
    for (content_type, code, needle) in cases {
        let error = decode_error(content_type, SOAP, ClientDeletion::DESCRIPTION);
        assert_eq!(error.fault_code(), code, "{error}");
        assert!(error.to_string().contains(needle), "{error}");
    }
}

#[test]
fn framing_must_fit_the_operation() {
    let plain = decode_error(Some("text/xml"), SOAP, ClientReg::DESCRIPTION);
    assert_eq!(plain.fault_code(), FaultCode::InvalidContentType);
    assert_eq!(
        plain.to_string(),
        "clientReg requests must be multipart/related, not text/xml"
    );
    let message = encoded(client_reg_parts(), ClientReg::DESCRIPTION);
    let multi = decode_error(
        Some(&message.content_type),
        &message.body,
        ClientDeletion::DESCRIPTION,
    );
    assert_eq!(multi.fault_code(), FaultCode::InvalidContentType);
}

#[test]
fn missing_extra_and_reordered_parts_are_refused() {
    let message = encoded(client_reg_parts(), ClientReg::DESCRIPTION);
    let parts =
        crate::multipart::parse(&message.content_type, &message.body, &Limits::default()).unwrap();

    let without_ocsp = crate::multipart::write(&boundary(), &parts[..3]).unwrap();
    let error = decode_error(
        Some(&message.content_type),
        &without_ocsp,
        ClientReg::DESCRIPTION,
    );
    assert_eq!(error.fault_code(), FaultCode::MimeParsingFailed);
    assert!(error.to_string().contains("have 4 MIME parts"), "{error}");

    let mut extra = parts.clone();
    extra.push(parts[3].clone());
    let extra = crate::multipart::write(&boundary(), &extra).unwrap();
    let error = decode_error(Some(&message.content_type), &extra, ClientReg::DESCRIPTION);
    assert!(error.to_string().contains("found 5"), "{error}");

    // Certificate before signature: the signature slot has no algorithm id.
    let swapped = [
        parts[0].clone(),
        parts[2].clone(),
        parts[1].clone(),
        parts[3].clone(),
    ];
    let swapped = crate::multipart::write(&boundary(), &swapped).unwrap();
    let error = decode_error(
        Some(&message.content_type),
        &swapped,
        ClientReg::DESCRIPTION,
    );
    // Part indexes are zero-based (the SOAP message is part 0), displayed one-based.
    assert_eq!(
        error,
        MessageError::MissingSignatureAlgorithm {
            index: 1,
            part: "signature of the client's owner".to_owned()
        }
    );
    assert_eq!(
        error.to_string(),
        "MIME part 2 (signature of the client's owner) has no signature-algorithm-id header"
    );
    assert_eq!(error.fault_code(), FaultCode::InvalidSignatureValue);

    // SOAP part not first.
    let soap_last = [parts[1].clone(), parts[0].clone()];
    let soap_last = crate::multipart::write(&boundary(), &soap_last).unwrap();
    let error = decode_error(
        Some(&message.content_type),
        &soap_last,
        ClientReg::DESCRIPTION,
    );
    assert!(
        matches!(
            error,
            MessageError::PartContentType {
                index: 0,
                ref part,
                ..
            } if part == "SOAP message"
        ),
        "{error}"
    );
    assert!(
        error.to_string().starts_with("MIME part 1 (SOAP message)"),
        "{error}"
    );
}

#[test]
fn part_content_types_are_checked() {
    let message = encoded(client_reg_parts(), ClientReg::DESCRIPTION);
    let text = String::from_utf8(message.body.clone()).unwrap();
    let tampered = text.replacen(
        "content-type: application/octet-stream\r\n\r\nCERT",
        "content-type: application/pkix-cert\r\n\r\nCERT",
        1,
    );
    let error = decode_error(
        Some(&message.content_type),
        tampered.as_bytes(),
        ClientReg::DESCRIPTION,
    );
    assert_eq!(
        error.to_string(),
        "MIME part 3 (certificate of the client's owner) must be application/octet-stream, found `application/pkix-cert`"
    );
    let no_type = text.replacen(
        "content-type: application/octet-stream\r\n\r\nOCSP",
        "\r\nOCSP",
        1,
    );
    let error = decode_error(
        Some(&message.content_type),
        no_type.as_bytes(),
        ClientReg::DESCRIPTION,
    );
    assert!(
        error.to_string().contains("found no Content-Type"),
        "{error}"
    );
}

#[test]
fn truncated_body_is_a_mime_error() {
    let message = encoded(client_reg_parts(), ClientReg::DESCRIPTION);
    for len in [0, 10, message.body.len() / 2, message.body.len() - 3] {
        let error = decode_error(
            Some(&message.content_type),
            &message.body[..len],
            ClientReg::DESCRIPTION,
        );
        assert_eq!(
            error.fault_code(),
            FaultCode::MimeParsingFailed,
            "{len}: {error}"
        );
    }
}

#[test]
fn encoding_checks_the_parts_against_the_operation() {
    let error = Parts::soap(SOAP)
        .encode(ClientReg::DESCRIPTION)
        .unwrap_err();
    assert_eq!(
        error,
        MessageError::WrongPartCount {
            operation: "clientReg",
            expected: 4,
            found: 1
        }
    );
    let error = client_reg_parts()
        .encode(ClientDeletion::DESCRIPTION)
        .unwrap_err();
    assert_eq!(
        error,
        MessageError::WrongPartCount {
            operation: "clientDeletion",
            expected: 1,
            found: 4
        }
    );
    // A signature part needs its algorithm id; no other part has one.
    let mut unsigned = client_reg_parts();
    unsigned.attachments[0].signature_algorithm_id = None;
    assert_eq!(
        unsigned.encode(ClientReg::DESCRIPTION).unwrap_err(),
        MessageError::MissingSignatureAlgorithm {
            index: 1,
            part: "signature of the client's owner".to_owned()
        }
    );
    let mut signed_certificate = client_reg_parts();
    signed_certificate.attachments[1].signature_algorithm_id = Some("SHA512withRSA".to_owned());
    assert_eq!(
        signed_certificate
            .encode(ClientReg::DESCRIPTION)
            .unwrap_err(),
        MessageError::UnexpectedSignatureAlgorithm {
            index: 2,
            part: "certificate of the client's owner".to_owned()
        }
    );
}
