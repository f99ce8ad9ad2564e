//! The RSA-only key check shared by signing and verification.

use openssl::nid::Nid;
use openssl::pkey::{Id, PKeyRef};

use super::KeyError;

/// Refuses every key but a plain RSA (`rsaEncryption`) key. `context` names the key in the
/// error. RSA-PSS-restricted keys (`id-RSASSA-PSS`) are refused too: X-Road certifies
/// `rsaEncryption` keys and uses them for both padding modes.
pub(crate) fn require_rsa<T>(key: &PKeyRef<T>, context: &'static str) -> Result<(), KeyError> {
    let id = key.id();
    if id == Id::RSA {
        Ok(())
    } else {
        Err(KeyError::NotRsa {
            context,
            found: key_type_name(id),
        })
    }
}

/// A readable name of a key type.
fn key_type_name(id: Id) -> String {
    let known = match id {
        Id::RSA_PSS => "RSA-PSS",
        Id::EC => "EC",
        Id::DSA => "DSA",
        Id::DH => "DH",
        Id::ED25519 => "Ed25519",
        Id::ED448 => "Ed448",
        Id::X25519 => "X25519",
        Id::X448 => "X448",
        _ => {
            return match Nid::from_raw(id.as_raw()).short_name() {
                Ok(name) => name.to_owned(),
                Err(_) => format!("NID {}", id.as_raw()),
            };
        }
    };
    known.to_owned()
}

#[cfg(test)]
mod tests {
    use openssl::pkey::PKey;

    use super::*;
    use crate::signature::test_keys;

    #[test]
    fn rsa_keys_pass() {
        require_rsa(test_keys::rsa(), "private key").unwrap();
    }

    #[test]
    fn ec_and_ed25519_keys_are_named() {
        let ed25519 = PKey::generate_ed25519().unwrap();
        for (key, name) in [(test_keys::ec(), "EC"), (&*ed25519, "Ed25519")] {
            match require_rsa(key, "public key") {
                Err(KeyError::NotRsa { context, found }) => {
                    assert_eq!(context, "public key");
                    assert_eq!(found, name);
                }
                other => panic!("expected NotRsa, got {other:?}"),
            }
        }
    }
}
