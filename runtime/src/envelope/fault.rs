//! SOAP 1.1 faults carrying X-Road fault codes.
//!
//! Written as the reference implementation does: `SOAP-ENV:Fault` in the body with the
//! unqualified children `faultcode` (an X-Road code such as `invalid_request`),
//! `faultstring`, and optionally `faultactor` and `detail` holding one unqualified
//! `faultDetail`.
//!
//! On reading, `faultcode` may carry a dotted prefix, `Server` or `Client` followed by
//! `.`-separated names (`Server.ServerProxy.invalid_signature_value`): SOAP 1.1 (§4.4.1)
//! refines fault codes with that dot notation, starting from its generic classes, and the
//! reference implementation prefixes the codes of refusals relayed by a security server that
//! way. A namespace-qualified `faultcode` (`SOAP-ENV:Server`) is a SOAP standard code, not an
//! X-Road code, and is refused as unknown by [`parse_fault`], like any other code; a client
//! that reports whatever refused its request reads it with [`parse_any_fault`], which takes
//! any SOAP 1.1 fault as a [`ReceivedFault`].

use xroad_codec::soap::{ENVELOPE_NS, ENVELOPE_PREFIX};
use xroad_codec::xml::{ErrorKind, Reader};

use super::error::{BuildError, EnvelopeError};
use super::frame::{
    BODY_PATH, Section, close_envelope, display_name, enter_body, enter_first_section,
    finish_envelope, open_envelope, start_envelope,
};
use crate::fault::{Fault, FaultCode};

/// The characters XML counts as whitespace.
const XML_WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Path of `faultcode`.
const FAULT_CODE_PATH: &str = "/Envelope/Body/Fault/faultcode";

/// A SOAP fault with an X-Road fault code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", self.faultcode(), self.fault.reason)]
pub struct SoapFault {
    /// The X-Road fault code and the reason (`faultstring`).
    pub fault: Fault,
    /// The dotted prefix of `faultcode`, without the final `.` (`Server.ServerProxy`); `None`
    /// for a bare code, as [`SoapFault::from`] makes.
    pub code_prefix: Option<String>,
    /// `faultactor`, if present.
    pub actor: Option<String>,
    /// The text of `detail/faultDetail`, if present.
    pub detail: Option<String>,
}

impl SoapFault {
    /// The X-Road fault code.
    pub fn code(&self) -> FaultCode {
        self.fault.code
    }

    /// The `faultcode` text: the code, after the prefix and a `.` if there is a prefix.
    pub fn faultcode(&self) -> String {
        match &self.code_prefix {
            Some(prefix) => format!("{prefix}.{}", self.fault.code),
            None => self.fault.code.as_str().to_owned(),
        }
    }

    /// The SOAP message: an envelope without header whose body is the fault.
    pub fn to_soap(&self) -> Result<Vec<u8>, BuildError> {
        if let Some(prefix) = &self.code_prefix
            && !is_code_prefix(prefix)
        {
            return Err(BuildError::FaultCodePrefix(prefix.clone()));
        }
        let mut writer = start_envelope(&[(ENVELOPE_PREFIX, ENVELOPE_NS)])?;
        writer.start(ENVELOPE_NS, "Body")?;
        writer.start(ENVELOPE_NS, "Fault")?;
        writer.element("", "faultcode", &self.faultcode())?;
        writer.element("", "faultstring", &self.fault.reason)?;
        if let Some(actor) = &self.actor {
            writer.element("", "faultactor", actor)?;
        }
        if let Some(detail) = &self.detail {
            writer.start("", "detail")?;
            writer.element("", "faultDetail", detail)?;
            writer.end()?;
        }
        writer.end()?;
        writer.end()?;
        Ok(finish_envelope(writer)?)
    }
}

impl From<Fault> for SoapFault {
    fn from(fault: Fault) -> Self {
        SoapFault {
            fault,
            code_prefix: None,
            actor: None,
            detail: None,
        }
    }
}

impl From<SoapFault> for Fault {
    fn from(fault: SoapFault) -> Self {
        fault.fault
    }
}

/// A SOAP 1.1 fault as received, whatever its `faultcode`: an X-Road code, a SOAP standard
/// code (`SOAP-ENV:Server`), or the code of something in between (a proxy, a gateway).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{faultcode}: {faultstring}")]
pub struct ReceivedFault {
    /// `faultcode` as written, surrounding XML whitespace removed.
    pub faultcode: String,
    /// `faultstring`.
    pub faultstring: String,
    /// `faultactor`, if present.
    pub actor: Option<String>,
    /// The text of `detail/faultDetail`, if present.
    pub detail: Option<String>,
}

impl ReceivedFault {
    /// The fault with its X-Road code; [`EnvelopeError::UnknownFaultCode`] when `faultcode`
    /// is not one.
    pub fn x_road(&self) -> Result<SoapFault, EnvelopeError> {
        let (code_prefix, code) =
            split_fault_code(&self.faultcode).ok_or_else(|| EnvelopeError::UnknownFaultCode {
                path: FAULT_CODE_PATH.to_owned(),
                code: self.faultcode.clone(),
            })?;
        Ok(SoapFault {
            fault: Fault::new(code, self.faultstring.clone()),
            code_prefix: code_prefix.map(str::to_owned),
            actor: self.actor.clone(),
            detail: self.detail.clone(),
        })
    }
}

/// The SOAP message of a fault with `fault`'s code and reason and nothing else.
///
/// A reason may quote the request; characters XML 1.0 cannot carry (control characters other
/// than tab and line breaks, U+FFFE, U+FFFF) are written as their `\u{…}` escapes, so every
/// fault can be written.
pub fn build_fault(fault: &Fault) -> Result<Vec<u8>, BuildError> {
    let reason = writable_text(&fault.reason);
    SoapFault::from(Fault::new(fault.code, reason)).to_soap()
}

/// `text` with every character XML 1.0 cannot carry replaced by its `\u{…}` escape.
fn writable_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if xroad_codec::xml::is_xml_char(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    out
}

/// Parses a SOAP fault. A header, if present, is skipped (it must be well-formed), as the
/// reference implementation does for faults; the body must hold the fault only.
pub fn parse_fault(soap: &[u8]) -> Result<SoapFault, EnvelopeError> {
    parse_any_fault(soap)?.x_road()
}

/// Parses a SOAP 1.1 fault whatever its `faultcode`, as [`parse_fault`] does otherwise.
pub fn parse_any_fault(soap: &[u8]) -> Result<ReceivedFault, EnvelopeError> {
    let mut reader = open_envelope(soap)?;
    if let Section::Header(_) = enter_first_section(&mut reader)? {
        reader.skip_content()?;
        enter_body(&mut reader)?;
    }
    let fault = read_any_fault(&mut reader)?;
    close_envelope(&mut reader)?;
    Ok(fault)
}

/// Whether the next child of `Body` (entered) is `SOAP-ENV:Fault`.
pub(crate) fn is_fault_next(reader: &mut Reader<'_>) -> Result<bool, EnvelopeError> {
    Ok(reader
        .peek_child()?
        .is_some_and(|(namespace, local)| namespace == ENVELOPE_NS && local == "Fault"))
}

/// Reads `SOAP-ENV:Fault`, the next child of `Body` (entered), with an X-Road fault code.
pub(crate) fn read_fault(reader: &mut Reader<'_>) -> Result<SoapFault, EnvelopeError> {
    read_any_fault(reader)?.x_road()
}

/// Reads `SOAP-ENV:Fault`, the next child of `Body` (entered), whatever its `faultcode`.
fn read_any_fault(reader: &mut Reader<'_>) -> Result<ReceivedFault, EnvelopeError> {
    let expected = display_name(ENVELOPE_NS, "Fault");
    let Some(start) = reader.next_child()? else {
        return Err(reader
            .error(ErrorKind::MissingElement {
                expected,
                found: None,
            })
            .into());
    };
    if start.namespace() != ENVELOPE_NS || start.local_name() != "Fault" {
        return Err(EnvelopeError::BodyMismatch {
            path: format!("{BODY_PATH}/{}", start.local_name()),
            expected,
            found: display_name(start.namespace(), start.local_name()),
        });
    }
    reader.reject_attributes(&start)?;
    let faultcode: String = reader.required("", "faultcode")?;
    let faultstring: String = reader.required("", "faultstring")?;
    let actor: Option<String> = reader.optional("", "faultactor")?;
    let detail = read_detail(reader)?;
    reader.end()?;
    Ok(ReceivedFault {
        faultcode: faultcode.trim_matches(XML_WHITESPACE).to_owned(),
        faultstring,
        actor,
        detail,
    })
}

/// Reads the optional `detail`: empty, or one `faultDetail` with text.
fn read_detail(reader: &mut Reader<'_>) -> Result<Option<String>, EnvelopeError> {
    let is_detail = reader
        .peek_child()?
        .is_some_and(|(namespace, local)| namespace.is_empty() && local == "detail");
    if !is_detail {
        return Ok(None);
    }
    let Some(start) = reader.next_child()? else {
        return Ok(None);
    };
    reader.reject_attributes(&start)?;
    let detail: Option<String> = reader.optional("", "faultDetail")?;
    reader.end()?;
    Ok(detail)
}

/// Splits `faultcode` (surrounding XML whitespace ignored, as for any QName value) into the
/// optional dotted prefix and the X-Road code; `None` for anything else.
fn split_fault_code(faultcode: &str) -> Option<(Option<&str>, FaultCode)> {
    let faultcode = faultcode.trim_matches(XML_WHITESPACE);
    match faultcode.rsplit_once('.') {
        None => Some((None, faultcode.parse().ok()?)),
        Some((prefix, code)) if is_code_prefix(prefix) => Some((Some(prefix), code.parse().ok()?)),
        Some(_) => None,
    }
}

/// Whether `prefix` is `Server` or `Client` followed by `.`-separated names of ASCII letters,
/// digits, `_` and `-`.
fn is_code_prefix(prefix: &str) -> bool {
    let mut names = prefix.split('.');
    matches!(names.next(), Some("Server" | "Client"))
        && names.all(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_codes_with_and_without_prefix() {
        assert_eq!(
            split_fault_code("invalid_request"),
            Some((None, FaultCode::InvalidRequest))
        );
        assert_eq!(
            split_fault_code(" \n cert_validation\t"),
            Some((None, FaultCode::CertValidation))
        );
        assert_eq!(
            split_fault_code("Server.ServerProxy.invalid_signature_value"),
            Some((Some("Server.ServerProxy"), FaultCode::InvalidSignatureValue))
        );
        assert_eq!(
            split_fault_code("Client.internal_error"),
            Some((Some("Client"), FaultCode::InternalError))
        );
        for refused in [
            "",
            "Server",
            "Server.ClientProxy.NetworkError",
            "SOAP-ENV:Server",
            "SOAP-ENV:invalid_request",
            "Other.invalid_request",
            "Server..invalid_request",
            ".invalid_request",
            "Server. x.invalid_request",
            "INVALID_REQUEST",
        ] {
            assert_eq!(split_fault_code(refused), None, "{refused:?}");
        }
    }

    /// Found by the `verify_request` fuzz target: a malformed `Content-Type` with NUL bytes,
    /// quoted in the `invalid_content_type` reason, made the fault unwritable, so the central
    /// server answered with a fault without reason.
    #[test]
    fn reasons_with_characters_xml_cannot_carry_are_escaped() {
        let fault = Fault::new(
            FaultCode::InvalidContentType,
            "malformed Content-Type `aSO\0\0APe/>\u{1b}\u{fffe}`: media type has no subtype",
        );
        let soap = build_fault(&fault).expect("a fault with any reason can be written");
        let again = parse_fault(&soap).expect("the written fault parses");
        assert_eq!(again.code(), FaultCode::InvalidContentType);
        assert_eq!(
            again.fault.reason,
            "malformed Content-Type `aSO\\u{0}\\u{0}APe/>\\u{1b}\\u{fffe}`: media type has no \
             subtype"
        );
        let kept = Fault::new(FaultCode::InternalError, "tab\t, lines\r\n and é 😀 stay");
        let again = parse_fault(&build_fault(&kept).expect("written")).expect("parsed");
        assert_eq!(again.fault, kept);
    }

    #[test]
    fn prefix_must_be_valid_to_be_written() {
        let mut fault = SoapFault::from(Fault::new(FaultCode::InternalError, "x"));
        fault.code_prefix = Some("Server.Proxy".to_owned());
        assert!(fault.to_soap().is_ok());
        fault.code_prefix = Some("Server:x".to_owned());
        assert_eq!(
            fault.to_soap(),
            Err(BuildError::FaultCodePrefix("Server:x".to_owned()))
        );
    }
}
