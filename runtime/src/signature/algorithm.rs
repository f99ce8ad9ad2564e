//! The six signature algorithm ids of PR-MSERV and their RSA parameters.

use std::fmt;
use std::str::FromStr;

use openssl::hash::MessageDigest;
use thiserror::Error;

/// A signature algorithm as named in the `signature-algorithm-id` MIME header.
///
/// The `…withRSA` ones are RSASSA-PKCS1-v1_5. The `…withRSAandMGF1` ones are RSASSA-PSS as
/// Java (BouncyCastle) defines them: MGF1 with the same digest as the message, a salt as long
/// as the digest (32, 48 or 64 bytes) and the trailer field `0xBC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignatureAlgorithm {
    /// `SHA256withRSA`: RSASSA-PKCS1-v1_5 with SHA-256.
    Sha256WithRsa,
    /// `SHA384withRSA`: RSASSA-PKCS1-v1_5 with SHA-384.
    Sha384WithRsa,
    /// `SHA512withRSA`: RSASSA-PKCS1-v1_5 with SHA-512.
    Sha512WithRsa,
    /// `SHA256withRSAandMGF1`: RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    Sha256WithRsaAndMgf1,
    /// `SHA384withRSAandMGF1`: RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    Sha384WithRsaAndMgf1,
    /// `SHA512withRSAandMGF1`: RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    Sha512WithRsaAndMgf1,
}

impl SignatureAlgorithm {
    /// Every algorithm PR-MSERV allows for member signatures.
    pub const ALL: [SignatureAlgorithm; 6] = [
        SignatureAlgorithm::Sha256WithRsa,
        SignatureAlgorithm::Sha384WithRsa,
        SignatureAlgorithm::Sha512WithRsa,
        SignatureAlgorithm::Sha256WithRsaAndMgf1,
        SignatureAlgorithm::Sha384WithRsaAndMgf1,
        SignatureAlgorithm::Sha512WithRsaAndMgf1,
    ];

    /// The algorithms PR-MSERV allows for the proof of possession of the authentication key
    /// (`authCertReg`): the three RSASSA-PKCS1-v1_5 ones.
    pub const AUTH_KEY_PROOF: [SignatureAlgorithm; 3] = [
        SignatureAlgorithm::Sha256WithRsa,
        SignatureAlgorithm::Sha384WithRsa,
        SignatureAlgorithm::Sha512WithRsa,
    ];

    /// The id exactly as written in the `signature-algorithm-id` MIME header.
    pub const fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Sha256WithRsa => "SHA256withRSA",
            SignatureAlgorithm::Sha384WithRsa => "SHA384withRSA",
            SignatureAlgorithm::Sha512WithRsa => "SHA512withRSA",
            SignatureAlgorithm::Sha256WithRsaAndMgf1 => "SHA256withRSAandMGF1",
            SignatureAlgorithm::Sha384WithRsaAndMgf1 => "SHA384withRSAandMGF1",
            SignatureAlgorithm::Sha512WithRsaAndMgf1 => "SHA512withRSAandMGF1",
        }
    }

    /// The message digest; for the PSS algorithms also the MGF1 digest.
    pub fn digest(self) -> MessageDigest {
        match self {
            SignatureAlgorithm::Sha256WithRsa | SignatureAlgorithm::Sha256WithRsaAndMgf1 => {
                MessageDigest::sha256()
            }
            SignatureAlgorithm::Sha384WithRsa | SignatureAlgorithm::Sha384WithRsaAndMgf1 => {
                MessageDigest::sha384()
            }
            SignatureAlgorithm::Sha512WithRsa | SignatureAlgorithm::Sha512WithRsaAndMgf1 => {
                MessageDigest::sha512()
            }
        }
    }

    /// Length of the digest in bytes; for the PSS algorithms also the salt length.
    pub const fn digest_len(self) -> usize {
        match self {
            SignatureAlgorithm::Sha256WithRsa | SignatureAlgorithm::Sha256WithRsaAndMgf1 => 32,
            SignatureAlgorithm::Sha384WithRsa | SignatureAlgorithm::Sha384WithRsaAndMgf1 => 48,
            SignatureAlgorithm::Sha512WithRsa | SignatureAlgorithm::Sha512WithRsaAndMgf1 => 64,
        }
    }

    /// Is this RSASSA-PSS (rather than RSASSA-PKCS1-v1_5)?
    pub const fn is_pss(self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::Sha256WithRsaAndMgf1
                | SignatureAlgorithm::Sha384WithRsaAndMgf1
                | SignatureAlgorithm::Sha512WithRsaAndMgf1
        )
    }

    /// May this algorithm sign the proof of possession of the authentication key?
    /// Only the RSASSA-PKCS1-v1_5 ones may (see [`SignatureAlgorithm::AUTH_KEY_PROOF`]).
    pub const fn is_allowed_for_auth_key_proof(self) -> bool {
        !self.is_pss()
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `signature-algorithm-id` value that is not exactly one of the six PR-MSERV ids.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown signature algorithm id {id:?}; expected one of SHA256withRSA, SHA384withRSA, \
     SHA512withRSA, SHA256withRSAandMGF1, SHA384withRSAandMGF1, SHA512withRSAandMGF1"
)]
pub struct UnknownSignatureAlgorithm {
    /// The id as given.
    pub id: String,
}

impl FromStr for SignatureAlgorithm {
    type Err = UnknownSignatureAlgorithm;

    /// Parses an id; the comparison is exact (case-sensitive, no surrounding whitespace).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignatureAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name() == s)
            .ok_or_else(|| UnknownSignatureAlgorithm { id: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_to_the_same_algorithm() {
        for algorithm in SignatureAlgorithm::ALL {
            assert_eq!(
                algorithm.name().parse::<SignatureAlgorithm>(),
                Ok(algorithm)
            );
            assert_eq!(algorithm.to_string(), algorithm.name());
        }
    }

    #[test]
    fn ids_are_the_ones_of_pr_mserv() {
        let names: Vec<&str> = SignatureAlgorithm::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(
            names,
            [
                "SHA256withRSA",
                "SHA384withRSA",
                "SHA512withRSA",
                "SHA256withRSAandMGF1",
                "SHA384withRSAandMGF1",
                "SHA512withRSAandMGF1",
            ]
        );
    }

    #[test]
    fn unknown_ids_are_named_in_the_error() {
        for id in [
            "sha256withrsa",
            "SHA256withRSA ",
            " SHA256withRSA",
            "SHA1withRSA",
            "SHA256withECDSA",
            "SHA256withRSA/PSS",
            "",
        ] {
            let error = id.parse::<SignatureAlgorithm>().unwrap_err();
            assert_eq!(error.id, id);
            assert!(
                error.to_string().contains(&format!("{id:?}")),
                "{error} does not name {id:?}"
            );
        }
    }

    #[test]
    fn digest_matches_digest_len_and_name() {
        for algorithm in SignatureAlgorithm::ALL {
            assert_eq!(algorithm.digest().size(), algorithm.digest_len());
            let bits = algorithm.digest_len() * 8;
            assert!(algorithm.name().starts_with(&format!("SHA{bits}with")));
        }
    }

    #[test]
    fn pss_is_the_mgf1_family_and_is_refused_for_the_auth_key_proof() {
        for algorithm in SignatureAlgorithm::ALL {
            assert_eq!(algorithm.is_pss(), algorithm.name().ends_with("andMGF1"));
            assert_eq!(
                algorithm.is_allowed_for_auth_key_proof(),
                SignatureAlgorithm::AUTH_KEY_PROOF.contains(&algorithm)
            );
        }
        assert!(
            SignatureAlgorithm::AUTH_KEY_PROOF
                .iter()
                .all(|a| !a.is_pss())
        );
    }
}
