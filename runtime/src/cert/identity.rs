//! The X-Road member a certificate belongs to.

use std::fmt;

use openssl::nid::Nid;
use openssl::x509::X509Ref;
use xroad_codec::identifier::Code;
use xroad_mserv::identifiers::XRoadClientIdentifierType;

use xroad_codec::identifier::CodeError;

use super::name::subject_of;
use crate::fault::FaultCode;

/// An X-Road member: instance, member class and member code. Displays as
/// `EE/GOV/TS1OWNER`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberId {
    /// The X-Road instance.
    pub instance: Code,
    /// The member class.
    pub member_class: Code,
    /// The member code.
    pub member_code: Code,
}

impl MemberId {
    /// A member from its three codes.
    pub fn new(instance: Code, member_class: Code, member_code: Code) -> Self {
        Self {
            instance,
            member_class,
            member_code,
        }
    }

    /// Whether `client` names this member or one of its subsystems (the object type and
    /// subsystem code are not compared).
    pub fn matches(&self, client: &XRoadClientIdentifierType) -> bool {
        self.instance == client.x_road_instance
            && self.member_class == client.member_class
            && self.member_code == client.member_code
    }

    /// Checks that `client` names this member or one of its subsystems.
    pub fn check(&self, client: &XRoadClientIdentifierType) -> Result<(), IdentityError> {
        if self.matches(client) {
            Ok(())
        } else {
            Err(IdentityError::Mismatch {
                certificate: self.clone(),
                expected: format!(
                    "{}/{}/{}",
                    client.x_road_instance, client.member_class, client.member_code
                ),
            })
        }
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.instance, self.member_class, self.member_code
        )
    }
}

/// Reads the member a certificate belongs to. The decoder is chosen per X-Road instance
/// (certificate profiles differ between CAs); [`SubjectNameDecoder`] is the default.
pub trait MemberIdentityDecoder: Send + Sync {
    /// The member `cert` belongs to.
    fn member_id(&self, cert: &X509Ref) -> Result<MemberId, IdentityError>;

    /// The member `cert` belongs to, checked against the member part of `client`.
    fn check_member(
        &self,
        cert: &X509Ref,
        client: &XRoadClientIdentifierType,
    ) -> Result<MemberId, IdentityError> {
        let member = self.member_id(cert)?;
        member.check(client)?;
        Ok(member)
    }
}

/// Reads the member from the subject name: `C` is the X-Road instance, `O` the member class
/// and `CN` the member code. Each must occur exactly once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubjectNameDecoder;

impl MemberIdentityDecoder for SubjectNameDecoder {
    fn member_id(&self, cert: &X509Ref) -> Result<MemberId, IdentityError> {
        Ok(MemberId {
            instance: subject_code(cert, Nid::COUNTRYNAME, "C", "X-Road instance")?,
            member_class: subject_code(cert, Nid::ORGANIZATIONNAME, "O", "member class")?,
            member_code: subject_code(cert, Nid::COMMONNAME, "CN", "member code")?,
        })
    }
}

/// The single `nid` attribute of the subject of `cert`, as a code.
fn subject_code(
    cert: &X509Ref,
    nid: Nid,
    attribute: &'static str,
    part: &'static str,
) -> Result<Code, IdentityError> {
    let mut entries = cert.subject_name().entries_by_nid(nid);
    let Some(entry) = entries.next() else {
        return Err(IdentityError::MissingAttribute {
            attribute,
            subject: subject_of(cert),
        });
    };
    let more = entries.count();
    if more > 0 {
        return Err(IdentityError::DuplicateAttribute {
            attribute,
            count: more + 1,
            subject: subject_of(cert),
        });
    }
    // `to_string` replaces undecodable bytes with U+FFFD, which no valid code holds.
    let value = entry
        .data()
        .to_string()
        .ok()
        .filter(|value| !value.contains(char::REPLACEMENT_CHARACTER))
        .ok_or_else(|| IdentityError::Encoding {
            attribute,
            subject: subject_of(cert),
        })?;
    Code::new(value.clone()).map_err(|source| IdentityError::InvalidCode {
        attribute,
        part,
        value,
        source,
    })
}

/// Why the member a certificate belongs to cannot be read, or is not the expected one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The subject lacks an attribute the member identity is read from.
    #[error("certificate subject `{subject}` has no {attribute} attribute")]
    MissingAttribute {
        /// Short name of the attribute (`C`, `O`, `CN`).
        attribute: &'static str,
        /// The subject.
        subject: String,
    },
    /// The subject repeats an attribute the member identity is read from.
    #[error("certificate subject `{subject}` has {count} {attribute} attributes, expected one")]
    DuplicateAttribute {
        /// Short name of the attribute.
        attribute: &'static str,
        /// How many there are.
        count: usize,
        /// The subject.
        subject: String,
    },
    /// An attribute value is not a valid string.
    #[error("{attribute} attribute of certificate subject `{subject}` is not a valid string")]
    Encoding {
        /// Short name of the attribute.
        attribute: &'static str,
        /// The subject.
        subject: String,
    },
    /// An attribute value is not a valid X-Road identifier code.
    #[error("{attribute} attribute {value:?} of certificate subject is not a valid {part}")]
    InvalidCode {
        /// Short name of the attribute.
        attribute: &'static str,
        /// Which code it holds (`X-Road instance`, `member class`, `member code`).
        part: &'static str,
        /// The attribute value.
        value: String,
        /// What is wrong with it.
        source: CodeError,
    },
    /// The certificate belongs to another member than the request names.
    #[error("certificate belongs to member {certificate}, but the request names {expected}")]
    Mismatch {
        /// The member the certificate belongs to.
        certificate: MemberId,
        /// The member part of the identifier in the request.
        expected: String,
    },
}

impl IdentityError {
    /// The X-Road fault code a request is refused with for this error.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            // The reference: "Subject identifier in certificate does not match".
            IdentityError::Mismatch { .. } => FaultCode::InvalidRequest,
            _ => FaultCode::IncorrectCertificate,
        }
    }
}
