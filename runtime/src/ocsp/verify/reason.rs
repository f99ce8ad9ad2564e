//! Revocation reasons (RFC 5280 `CRLReason`) and OCSP response status names.

use std::ffi::c_int;
use std::fmt;

use openssl::ocsp::OcspResponseStatus;

/// Why a certificate was revoked (RFC 5280 `CRLReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// `unspecified` (0).
    Unspecified,
    /// `keyCompromise` (1).
    KeyCompromise,
    /// `cACompromise` (2).
    CaCompromise,
    /// `affiliationChanged` (3).
    AffiliationChanged,
    /// `superseded` (4).
    Superseded,
    /// `cessationOfOperation` (5).
    CessationOfOperation,
    /// `certificateHold` (6).
    CertificateHold,
    /// `removeFromCRL` (8).
    RemoveFromCrl,
    /// `privilegeWithdrawn` (9).
    PrivilegeWithdrawn,
    /// `aACompromise` (10).
    AaCompromise,
    /// A value RFC 5280 does not define.
    Unrecognised(i32),
}

impl RevocationReason {
    /// The reason for a `CRLReason` value; `None` for libcrypto's "no reason given" (-1).
    pub fn from_raw(raw: c_int) -> Option<Self> {
        Some(match raw {
            openssl_sys::OCSP_REVOKED_STATUS_NOSTATUS => return None,
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            other => Self::Unrecognised(other),
        })
    }

    /// The `CRLReason` value.
    pub fn as_raw(self) -> c_int {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
            Self::Unrecognised(other) => other,
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
            Self::Unrecognised(other) => return write!(f, "unrecognised reason {other}"),
        };
        f.write_str(name)
    }
}

/// The RFC 6960 name of an `OCSPResponseStatus` (`tryLater`, ...).
pub fn response_status_name(status: OcspResponseStatus) -> &'static str {
    match status.as_raw() {
        openssl_sys::OCSP_RESPONSE_STATUS_SUCCESSFUL => "successful",
        openssl_sys::OCSP_RESPONSE_STATUS_MALFORMEDREQUEST => "malformedRequest",
        openssl_sys::OCSP_RESPONSE_STATUS_INTERNALERROR => "internalError",
        openssl_sys::OCSP_RESPONSE_STATUS_TRYLATER => "tryLater",
        openssl_sys::OCSP_RESPONSE_STATUS_SIGREQUIRED => "sigRequired",
        openssl_sys::OCSP_RESPONSE_STATUS_UNAUTHORIZED => "unauthorized",
        _ => "an undefined status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_through_their_values() {
        for raw in -1..=12 {
            match RevocationReason::from_raw(raw) {
                None => assert_eq!(raw, openssl_sys::OCSP_REVOKED_STATUS_NOSTATUS),
                Some(reason) => {
                    assert_eq!(reason.as_raw(), raw);
                    let unrecognised = matches!(reason, RevocationReason::Unrecognised(_));
                    assert_eq!(unrecognised, raw == 7 || raw > 10, "{raw}: {reason}");
                }
            }
        }
        assert_eq!(RevocationReason::KeyCompromise.to_string(), "keyCompromise");
        assert_eq!(
            RevocationReason::Unrecognised(7).to_string(),
            "unrecognised reason 7"
        );
    }

    #[test]
    fn status_names_follow_rfc_6960() {
        assert_eq!(
            response_status_name(OcspResponseStatus::TRY_LATER),
            "tryLater"
        );
        assert_eq!(
            response_status_name(OcspResponseStatus::SUCCESSFUL),
            "successful"
        );
        assert_eq!(
            response_status_name(OcspResponseStatus::from_raw(4)),
            "an undefined status"
        );
    }
}
