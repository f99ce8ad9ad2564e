//! Trusted CAs and chain verification at a given time.

use std::time::SystemTime;

use openssl::error::ErrorStack;
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509Ref, X509StoreContext, X509StoreContextRef, X509VerifyResult};

use super::error::CertificateError;
use super::name::{issuer_of, subject_of};
use super::time::Timestamp;

/// Verify error codes that mean the issuer was not found among the trusted CAs.
const UNTRUSTED_ISSUER_CODES: [i32; 4] = [
    openssl_sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
    openssl_sys::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    openssl_sys::X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
    openssl_sys::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
];

/// The CA certificates trusted to issue member certificates (the approved CAs of the global
/// configuration). A trusted certificate ends a chain whether or not it is self-signed, as
/// with the trust anchors of the X-Road reference implementation.
///
/// Built once and shared; every verification takes its own time.
pub struct TrustStore {
    store: X509Store,
    anchors: Vec<X509>,
}

impl TrustStore {
    /// A store trusting `anchors`.
    pub fn new(anchors: impl IntoIterator<Item = X509>) -> Result<Self, CertificateError> {
        let openssl = |operation| move |source| CertificateError::Openssl { operation, source };
        let mut builder = X509StoreBuilder::new().map_err(openssl("creating the X509 store"))?;
        builder
            .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
            .map_err(openssl("setting the X509 store flags"))?;
        let anchors: Vec<X509> = anchors.into_iter().collect();
        for anchor in &anchors {
            builder
                .add_cert(anchor.clone())
                .map_err(openssl("adding a trusted CA certificate"))?;
        }
        Ok(Self {
            store: builder.build(),
            anchors,
        })
    }

    /// A store trusting the certificates of a PEM bundle.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertificateError> {
        let anchors =
            X509::stack_from_pem(pem).map_err(|source| CertificateError::Malformed { source })?;
        Self::new(anchors)
    }

    /// The trusted certificates.
    pub fn anchors(&self) -> &[X509] {
        &self.anchors
    }

    /// Verifies that `cert` chains to a trusted CA, using `intermediates` where needed, and
    /// that every certificate of the chain is valid at `at`.
    pub fn verify(
        &self,
        cert: &X509Ref,
        intermediates: &[X509],
        at: SystemTime,
    ) -> Result<VerifiedChain, CertificateError> {
        let at = Timestamp::from(at);
        let time = at
            .to_time_t()
            .ok_or(CertificateError::TimeOutOfRange { at })?;
        let openssl = |operation| move |source| CertificateError::Openssl { operation, source };

        let mut untrusted = Stack::new().map_err(openssl("creating the intermediates stack"))?;
        for intermediate in intermediates {
            untrusted
                .push(intermediate.clone())
                .map_err(openssl("adding an intermediate certificate"))?;
        }
        let mut context =
            X509StoreContext::new().map_err(openssl("creating the X509 store context"))?;
        let outcome = context
            .init(&self.store, cert, &untrusted, |ctx| {
                if let Some(param) = crate::libcrypto::store_context_param(ctx) {
                    param.set_time(time);
                } else {
                    return Ok(Outcome::NoParam);
                }
                if ctx.verify_cert()? {
                    let chain = ctx
                        .chain()
                        .map(|chain| chain.iter().map(X509Ref::to_owned).collect())
                        .unwrap_or_default();
                    Ok(Outcome::Verified(chain))
                } else {
                    // The store context reports the failure; the errors libcrypto pushed on
                    // the thread's queue (a bad signature, say) would otherwise join the error
                    // of the next, unrelated OpenSSL failure.
                    drop(ErrorStack::get());
                    Ok(Outcome::Failed(failure(ctx, at)))
                }
            })
            .map_err(openssl("verifying the certificate chain"))?;
        match outcome {
            Outcome::Verified(chain) if !chain.is_empty() => Ok(VerifiedChain { chain }),
            Outcome::Verified(_) => Err(CertificateError::Chain {
                subject: subject_of(cert),
                depth: 0,
                code: openssl_sys::X509_V_ERR_UNSPECIFIED,
                reason: "verification succeeded without a chain",
            }),
            Outcome::NoParam => Err(CertificateError::Chain {
                subject: subject_of(cert),
                depth: 0,
                code: openssl_sys::X509_V_ERR_UNSPECIFIED,
                reason: "store context has no verification parameters",
            }),
            Outcome::Failed(error) => Err(error),
        }
    }
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field(
                "anchors",
                &self
                    .anchors
                    .iter()
                    .map(|a| subject_of(a))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What happened inside the store context.
enum Outcome {
    Verified(Vec<X509>),
    Failed(CertificateError),
    NoParam,
}

/// The typed error for a failed verification in `ctx`.
fn failure(ctx: &X509StoreContextRef, at: Timestamp) -> CertificateError {
    let result: X509VerifyResult = ctx.error();
    let code = result.as_raw();
    let depth = ctx.error_depth();
    let Some(current) = ctx.current_cert() else {
        return CertificateError::Chain {
            subject: String::new(),
            depth,
            code,
            reason: result.error_string(),
        };
    };
    let subject = subject_of(current);
    let time = |time| Timestamp::from_asn1(time).ok();
    match code {
        openssl_sys::X509_V_ERR_CERT_HAS_EXPIRED => match time(current.not_after()) {
            Some(not_after) => CertificateError::Expired {
                subject,
                not_after,
                at,
            },
            None => chain_error(subject, depth, result),
        },
        openssl_sys::X509_V_ERR_CERT_NOT_YET_VALID => match time(current.not_before()) {
            Some(not_before) => CertificateError::NotYetValid {
                subject,
                not_before,
                at,
            },
            None => chain_error(subject, depth, result),
        },
        code if UNTRUSTED_ISSUER_CODES.contains(&code) => CertificateError::UntrustedIssuer {
            issuer: issuer_of(current),
            subject,
        },
        _ => chain_error(subject, depth, result),
    }
}

fn chain_error(subject: String, depth: u32, result: X509VerifyResult) -> CertificateError {
    CertificateError::Chain {
        subject,
        depth,
        code: result.as_raw(),
        reason: result.error_string(),
    }
}

/// A verified chain: the certificate first, the trusted CA last.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    /// Never empty: [`TrustStore::verify`] refuses an empty chain.
    chain: Vec<X509>,
}

impl VerifiedChain {
    /// Every certificate of the chain, the verified certificate first, the trusted CA last.
    pub fn certificates(&self) -> &[X509] {
        &self.chain
    }

    /// The verified certificate.
    pub fn certificate(&self) -> &X509Ref {
        &self.chain[0]
    }

    /// The certificate that issued the verified one, needed to check its OCSP status. For a
    /// trusted certificate verified on its own this is the certificate itself.
    pub fn issuer(&self) -> &X509Ref {
        self.chain.get(1).unwrap_or(&self.chain[0])
    }

    /// The trusted CA the chain ends at.
    pub fn anchor(&self) -> &X509Ref {
        self.chain.last().unwrap_or(&self.chain[0])
    }
}
