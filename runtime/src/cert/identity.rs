//! The X-Road member a certificate belongs to.

use std::fmt;

use openssl::nid::Nid;
use openssl::x509::X509Ref;
use xroad_codec::identifier::Code;
use xroad_mserv::identifiers::XRoadClientIdentifierType;

use super::error::IdentityError;
use super::name::subject_of;

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
