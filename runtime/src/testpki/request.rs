//! What to put in a test certificate.

use std::net::IpAddr;

use openssl::nid::Nid;

use super::DAY;

/// The kind of certificate, which decides its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertKind {
    /// Member signing certificate: key usage `nonRepudiation` (critical), the PKI's OCSP URL
    /// in authority information access.
    Signing,
    /// Security server authentication certificate: key usage `digitalSignature`
    /// (critical), extended key usage `clientAuth`, the PKI's OCSP URL in authority
    /// information access.
    Authentication,
    /// TLS server certificate: key usage `digitalSignature, keyEncipherment`, extended key
    /// usage `serverAuth`, the names as subject alternative names.
    TlsServer {
        /// DNS names.
        dns: Vec<String>,
        /// IP addresses.
        ips: Vec<IpAddr>,
    },
    /// Delegated OCSP responder: key usage `digitalSignature`, extended key usage
    /// `OCSPSigning`.
    OcspResponder,
    /// Intermediate CA: basic constraints `CA:TRUE`, key usage `keyCertSign, cRLSign`.
    IntermediateCa,
}

/// A certificate to issue: kind, subject and variations for negative tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRequest {
    pub(crate) kind: CertKind,
    pub(crate) subject: Vec<(Nid, String)>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) usage_extensions: bool,
    pub(crate) distinct_key: bool,
}

impl CertRequest {
    fn new(kind: CertKind, subject: Vec<(Nid, String)>) -> Self {
        Self {
            kind,
            subject,
            not_before: -DAY,
            not_after: 365 * DAY,
            usage_extensions: true,
            distinct_key: false,
        }
    }

    /// A signing certificate of member `instance/member_class/member_code` (subject
    /// `C=instance, O=member_class, CN=member_code`).
    pub fn signing(instance: &str, member_class: &str, member_code: &str) -> Self {
        Self::new(
            CertKind::Signing,
            member_subject(instance, member_class, member_code),
        )
    }

    /// An authentication certificate of security server `server_code` of a member
    /// (subject `C=instance, O=member_class, CN=member_code, OU=server_code`).
    pub fn authentication(
        instance: &str,
        member_class: &str,
        member_code: &str,
        server_code: &str,
    ) -> Self {
        let mut subject = member_subject(instance, member_class, member_code);
        subject.push((Nid::ORGANIZATIONALUNITNAME, server_code.to_owned()));
        Self::new(CertKind::Authentication, subject)
    }

    /// A TLS server certificate for `dns` names and `ips` (subject `CN=` the first name).
    pub fn tls_server(dns: &[&str], ips: &[IpAddr]) -> Self {
        let common_name = dns
            .first()
            .map(|name| (*name).to_owned())
            .or_else(|| ips.first().map(IpAddr::to_string))
            .unwrap_or_default();
        Self::new(
            CertKind::TlsServer {
                dns: dns.iter().map(|name| (*name).to_owned()).collect(),
                ips: ips.to_vec(),
            },
            vec![
                (Nid::ORGANIZATIONNAME, "X-Road Test".to_owned()),
                (Nid::COMMONNAME, common_name),
            ],
        )
    }

    /// A delegated OCSP responder certificate named `common_name`.
    pub fn ocsp_responder(common_name: &str) -> Self {
        Self::new(
            CertKind::OcspResponder,
            vec![
                (Nid::ORGANIZATIONNAME, "X-Road Test".to_owned()),
                (Nid::COMMONNAME, common_name.to_owned()),
            ],
        )
    }

    /// An intermediate CA certificate named `common_name`.
    pub fn intermediate_ca(common_name: &str) -> Self {
        Self::new(
            CertKind::IntermediateCa,
            vec![
                (Nid::ORGANIZATIONNAME, "X-Road Test".to_owned()),
                (Nid::COMMONNAME, common_name.to_owned()),
            ],
        )
    }

    /// Replaces the subject with `entries`, in order (e.g. for malformed identities).
    pub fn subject(mut self, entries: &[(Nid, &str)]) -> Self {
        self.subject = entries
            .iter()
            .map(|(nid, value)| (*nid, (*value).to_owned()))
            .collect();
        self
    }

    /// Validity from `not_before` to `not_after` seconds after the time of issue (negative:
    /// before it). The default is one day before to 365 days after.
    pub fn validity(mut self, not_before: i64, not_after: i64) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// Valid from two days to one day before the time of issue.
    pub fn expired(self) -> Self {
        self.validity(-2 * DAY, -DAY)
    }

    /// Valid from one day to two days after the time of issue.
    pub fn not_yet_valid(self) -> Self {
        self.validity(DAY, 2 * DAY)
    }

    /// Leaves out the key usage and extended key usage extensions.
    pub fn without_key_usage(mut self) -> Self {
        self.usage_extensions = false;
        self
    }

    /// Generates a key for this certificate instead of using the PKI's shared one.
    pub fn distinct_key(mut self) -> Self {
        self.distinct_key = true;
        self
    }

    /// The kind of certificate.
    pub fn kind(&self) -> &CertKind {
        &self.kind
    }
}

fn member_subject(instance: &str, member_class: &str, member_code: &str) -> Vec<(Nid, String)> {
    vec![
        (Nid::COUNTRYNAME, instance.to_owned()),
        (Nid::ORGANIZATIONNAME, member_class.to_owned()),
        (Nid::COMMONNAME, member_code.to_owned()),
    ]
}
