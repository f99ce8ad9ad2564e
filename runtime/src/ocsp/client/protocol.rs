//! The OCSP messages of a fetch: the DER `OCSPRequest` for one certificate and the parts of
//! the `OCSPResponse` the cache needs (its `thisUpdate` and `nextUpdate` for that
//! certificate). Signatures and responder authorisation are left to the verifier.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use foreign_types::ForeignTypeRef;
use libc::c_int;
use openssl::asn1::{Asn1GeneralizedTimeRef, Asn1Time, Asn1TimeRef};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspRequest, OcspResponse, OcspResponseStatus};
use openssl::x509::X509Ref;

use super::error::ResponderError;
use crate::libcrypto::{self, NonceCheck};

/// Length of a request nonce in bytes (RFC 8954 allows 1 to 32).
const NONCE_LEN: c_int = 32;

/// An `OCSPRequest` for one certificate, kept to match the response against it.
pub(super) struct PreparedRequest {
    /// The request, for the nonce comparison.
    request: OcspRequest,
    /// Its DER encoding, the HTTP request body.
    der: Bytes,
    /// The SHA-1 CertID the response must answer for.
    cert_id: OcspCertId,
    /// Whether the request carries a nonce.
    nonce: bool,
}

impl PreparedRequest {
    /// Builds an unsigned request with one SHA-1 CertID for `cert` issued by `issuer`, as
    /// the X-Road reference does, with a random 32-byte nonce extension when `nonce` is set.
    pub(super) fn new(cert: &X509Ref, issuer: &X509Ref, nonce: bool) -> Result<Self, ErrorStack> {
        let sha1 = MessageDigest::sha1();
        let cert_id = OcspCertId::from_cert(sha1, cert, issuer)?;
        let mut request = OcspRequest::new()?;
        request.add_id(OcspCertId::from_cert(sha1, cert, issuer)?)?;
        if nonce {
            libcrypto::add_random_nonce(&mut request, NONCE_LEN)?;
        }
        let der = Bytes::from(request.to_der()?);
        Ok(Self {
            request,
            der,
            cert_id,
            nonce,
        })
    }

    /// The DER `OCSPRequest`.
    pub(super) fn der(&self) -> &Bytes {
        &self.der
    }

    /// Decodes `der` far enough to know the status of this request's CertID, when it was
    /// produced and until when it may be used; with a nonce, also checks it is echoed.
    pub(super) fn inspect(&self, der: &[u8]) -> Result<Inspection, ResponderError> {
        let response =
            OcspResponse::from_der(der).map_err(|source| ResponderError::Malformed { source })?;
        let status = response.status();
        if status != OcspResponseStatus::SUCCESSFUL {
            return Err(ResponderError::Unsuccessful {
                code: status.as_raw(),
                name: response_status_name(status),
            });
        }
        let basic = response
            .basic()
            .map_err(|source| ResponderError::NotBasic { source })?;
        if self.nonce {
            match libcrypto::check_nonce(&self.request, &basic) {
                NonceCheck::Equal => {}
                NonceCheck::MissingInResponse => return Err(ResponderError::NonceMissing),
                _ => return Err(ResponderError::NonceMismatch),
            }
        }
        let single = basic
            .find_status(&self.cert_id)
            .ok_or(ResponderError::NoStatusForCertificate)?;
        Ok(Inspection {
            status: cert_status_name(single.status),
            validity: Validity {
                this_update: to_system_time(single.this_update, "thisUpdate")?,
                next_update: single
                    .next_update()
                    .map(|time| to_system_time(time, "nextUpdate"))
                    .transpose()?,
            },
        })
    }
}

/// What a response says about the requested certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Inspection {
    /// RFC 6960 name of the `certStatus`: `good`, `revoked` or `unknown`.
    pub(super) status: &'static str,
    /// When the status was produced and until when it may be used.
    pub(super) validity: Validity,
}

/// `thisUpdate` and `nextUpdate` of the `SingleResponse` for the requested certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Validity {
    /// When the status was known to be correct.
    pub(super) this_update: SystemTime,
    /// When newer information will be available, if the responder says.
    pub(super) next_update: Option<SystemTime>,
}

impl Validity {
    /// Whether a response with this validity may still be handed out at `now`: it must stay
    /// fresh for at least `margin` more, where it goes stale at `thisUpdate + freshness` or
    /// at `nextUpdate`, whichever comes first.
    pub(super) fn is_fresh(&self, now: SystemTime, freshness: Duration, margin: Duration) -> bool {
        let Some(deadline) = now.checked_add(margin) else {
            return false;
        };
        let within_freshness = self
            .this_update
            .checked_add(freshness)
            .is_none_or(|stale_at| deadline < stale_at);
        let before_next_update = self.next_update.is_none_or(|next| deadline < next);
        within_freshness && before_next_update
    }
}

/// RFC 6960 name of an `OCSPResponseStatus`.
fn response_status_name(status: OcspResponseStatus) -> &'static str {
    match status {
        OcspResponseStatus::SUCCESSFUL => "successful",
        OcspResponseStatus::MALFORMED_REQUEST => "malformedRequest",
        OcspResponseStatus::INTERNAL_ERROR => "internalError",
        OcspResponseStatus::TRY_LATER => "tryLater",
        OcspResponseStatus::SIG_REQUIRED => "sigRequired",
        OcspResponseStatus::UNAUTHORIZED => "unauthorized",
        _ => "unassigned",
    }
}

/// RFC 6960 name of a `CertStatus`.
fn cert_status_name(status: OcspCertStatus) -> &'static str {
    match status {
        OcspCertStatus::GOOD => "good",
        OcspCertStatus::REVOKED => "revoked",
        _ => "unknown",
    }
}

/// Converts an ASN.1 GeneralizedTime to a [`SystemTime`].
fn to_system_time(
    time: &Asn1GeneralizedTimeRef,
    field: &'static str,
) -> Result<SystemTime, ResponderError> {
    let failed = |reason: String| ResponderError::Time { field, reason };
    let epoch = Asn1Time::from_unix(0).map_err(|err| failed(err.to_string()))?;
    // SAFETY: in OpenSSL, ASN1_GENERALIZEDTIME and ASN1_TIME are both `ASN1_STRING`, and the
    // ASN1_TIME functions accept a GeneralizedTime; the reference borrows from `time`.
    let time = unsafe { Asn1TimeRef::from_ptr(time.as_ptr().cast::<openssl_sys::ASN1_TIME>()) };
    let diff = epoch.diff(time).map_err(|err| failed(err.to_string()))?;
    let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    let offset = Duration::from_secs(seconds.unsigned_abs());
    let converted = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    };
    converted.ok_or_else(|| failed(format!("{seconds} s from the Unix epoch is out of range")))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use openssl::asn1::{Asn1GeneralizedTime, Asn1Time};
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::x509::{X509, X509NameBuilder};

    use super::*;

    fn certificate(
        cn: &str,
        serial: u32,
        issuer: Option<(&X509, &PKey<openssl::pkey::Private>)>,
    ) -> (X509, PKey<openssl::pkey::Private>) {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", cn).unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        let serial = BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap();
        builder.set_serial_number(&serial).unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        match issuer {
            Some((issuer, issuer_key)) => {
                builder.set_issuer_name(issuer.subject_name()).unwrap();
                builder.sign(issuer_key, MessageDigest::sha256()).unwrap();
            }
            None => {
                builder.set_issuer_name(&name).unwrap();
                builder.sign(&key, MessageDigest::sha256()).unwrap();
            }
        }
        (builder.build(), key)
    }

    fn pair() -> (X509, X509) {
        let (ca, ca_key) = certificate("Unit CA", 1, None);
        let (leaf, _) = certificate("Unit Leaf", 0xBEEF, Some((&ca, &ca_key)));
        (leaf, ca)
    }

    /// Prints a DER request with `openssl ocsp -req_text`.
    fn request_text(der: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("req.der");
        std::fs::write(&path, der).unwrap();
        let output = Command::new("openssl")
            .args(["ocsp", "-req_text", "-reqin"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn request_has_one_sha1_cert_id_and_no_nonce_by_default() {
        let (leaf, ca) = pair();
        let prepared = PreparedRequest::new(&leaf, &ca, false).unwrap();
        let text = request_text(prepared.der());
        assert!(text.contains("Hash Algorithm: sha1"), "{text}");
        assert!(text.contains("Serial Number: BEEF"), "{text}");
        assert_eq!(text.matches("Certificate ID:").count(), 1, "{text}");
        assert!(!text.contains("Nonce"), "{text}");
    }

    #[test]
    fn request_carries_a_fresh_nonce_when_asked() {
        let (leaf, ca) = pair();
        let first = PreparedRequest::new(&leaf, &ca, true).unwrap();
        let second = PreparedRequest::new(&leaf, &ca, true).unwrap();
        let text = request_text(first.der());
        assert!(text.contains("OCSP Nonce"), "{text}");
        assert_ne!(
            first.der(),
            second.der(),
            "nonces must differ between requests"
        );
    }

    #[test]
    fn garbage_is_malformed() {
        let (leaf, ca) = pair();
        let prepared = PreparedRequest::new(&leaf, &ca, false).unwrap();
        assert!(matches!(
            prepared.inspect(b"<html>not DER</html>"),
            Err(ResponderError::Malformed { .. })
        ));
    }

    #[test]
    fn unsuccessful_status_is_named() {
        let (leaf, ca) = pair();
        let prepared = PreparedRequest::new(&leaf, &ca, false).unwrap();
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }, without responseBytes.
        for (code, name) in [
            (1, "malformedRequest"),
            (2, "internalError"),
            (3, "tryLater"),
            (5, "sigRequired"),
            (6, "unauthorized"),
            (4, "unassigned"),
            (7, "unassigned"),
        ] {
            let der = [0x30, 0x03, 0x0a, 0x01, code];
            match prepared.inspect(&der) {
                Err(ResponderError::Unsuccessful {
                    code: got,
                    name: got_name,
                }) => {
                    assert_eq!((got, got_name), (i32::from(code), name));
                }
                other => panic!("status {code}: {other:?}"),
            }
        }
    }

    #[test]
    fn inspection_names_the_status_and_reads_this_and_next_update() {
        use crate::testpki::{CertRequest, CertStatus, OcspResponder, TestPki};
        let pki = TestPki::new().unwrap();
        let leaf = pki
            .issue(&CertRequest::signing("EE", "GOV", "MEMBER"))
            .unwrap();
        let prepared = PreparedRequest::new(leaf.cert(), pki.ca().cert(), false).unwrap();
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let revoked = CertStatus::Revoked {
            time: at,
            reason: None,
        };
        for (status, name, next_update) in [
            (CertStatus::Good, "good", Some(60)),
            (revoked, "revoked", None),
            (CertStatus::Unknown, "unknown", Some(3_600)),
        ] {
            let der = OcspResponder::new(pki.ca())
                .status(status)
                .at(at)
                .this_update_offset(-5)
                .next_update_offset(next_update)
                .respond(leaf.cert())
                .unwrap();
            assert_eq!(
                prepared.inspect(&der).unwrap(),
                Inspection {
                    status: name,
                    validity: Validity {
                        this_update: at - Duration::from_secs(5),
                        next_update: next_update
                            .map(|seconds| at + Duration::from_secs(seconds.unsigned_abs())),
                    },
                },
                "{name}"
            );
        }
    }

    #[test]
    fn generalized_time_converts_to_unix_seconds() {
        for (text, seconds) in [
            ("19700101000000Z", 0_u64),
            ("20240229123456Z", 1_709_210_096),
            ("99991231235959Z", 253_402_300_799),
        ] {
            let time = Asn1GeneralizedTime::from_str(text).unwrap();
            assert_eq!(
                to_system_time(&time, "thisUpdate").unwrap(),
                SystemTime::UNIX_EPOCH + Duration::from_secs(seconds),
                "{text}"
            );
        }
        let before_epoch = Asn1GeneralizedTime::from_str("19691231235900Z").unwrap();
        assert_eq!(
            to_system_time(&before_epoch, "nextUpdate").unwrap(),
            SystemTime::UNIX_EPOCH - Duration::from_secs(60)
        );
    }

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    const HOUR: Duration = Duration::from_secs(3_600);
    const MARGIN: Duration = Duration::from_secs(360);

    #[test]
    fn fresh_until_the_margin_before_this_update_plus_freshness() {
        let validity = Validity {
            this_update: at(0),
            next_update: None,
        };
        assert!(validity.is_fresh(at(0), HOUR, MARGIN));
        assert!(validity.is_fresh(at(3_239), HOUR, MARGIN));
        assert!(!validity.is_fresh(at(3_240), HOUR, MARGIN));
        assert!(!validity.is_fresh(at(10_000), HOUR, MARGIN));
    }

    #[test]
    fn next_update_cuts_freshness_short() {
        let validity = Validity {
            this_update: at(0),
            next_update: Some(at(600)),
        };
        assert!(validity.is_fresh(at(239), HOUR, MARGIN));
        assert!(!validity.is_fresh(at(240), HOUR, MARGIN));
    }

    #[test]
    fn later_next_update_does_not_extend_freshness() {
        let validity = Validity {
            this_update: at(0),
            next_update: Some(at(86_400)),
        };
        assert!(!validity.is_fresh(at(3_240), HOUR, MARGIN));
    }

    #[test]
    fn margin_as_large_as_freshness_never_reuses() {
        let validity = Validity {
            this_update: at(0),
            next_update: None,
        };
        assert!(!validity.is_fresh(at(0), HOUR, HOUR));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let far = Validity {
            this_update: at(0),
            next_update: None,
        };
        assert!(!far.is_fresh(at(0), HOUR, Duration::MAX));
        assert!(far.is_fresh(at(0), Duration::MAX, MARGIN));
    }
}
