//! The `address` of an authentication certificate registration: an IP address or a host name.

use std::net::IpAddr;

/// Why an address is not an IP address or a valid host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The address is empty.
    #[error("the address is empty")]
    Empty,
    /// The address is longer than 253 characters.
    #[error("the address is {len} characters long; a host name has at most 253")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A label (the text between dots) is empty or longer than 63 characters.
    #[error("label {index} of the host name is {len} characters long; labels have 1 to 63")]
    LabelLength {
        /// One-based label index.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// A character that host names cannot hold.
    #[error("character {ch:?} at position {position} cannot appear in a host name")]
    InvalidCharacter {
        /// The character.
        ch: char,
        /// Zero-based character position.
        position: usize,
    },
    /// A label starts or ends with a hyphen.
    #[error("label {index} of the host name starts or ends with a hyphen")]
    HyphenAtLabelEdge {
        /// One-based label index.
        index: usize,
    },
    /// The last label is all digits, so it is neither a host name nor a valid IPv4 address.
    #[error("`{0}` is neither a valid IPv4 address nor a host name (its last label is numeric)")]
    NumericTopLabel(String),
}

/// Checks that `address` is an IPv4 or IPv6 address, or a host name (RFC 1123: dot-separated
/// labels of letters, digits and hyphens, 1–63 characters each, no hyphen at either end of a
/// label, at most 253 characters, a single trailing dot allowed).
pub fn check_address(address: &str) -> Result<(), AddressError> {
    if address.is_empty() {
        return Err(AddressError::Empty);
    }
    if address.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    let name = address.strip_suffix('.').unwrap_or(address);
    if name.len() > 253 {
        return Err(AddressError::TooLong { len: address.len() });
    }
    if let Some((position, ch)) = address
        .char_indices()
        .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '.'))
    {
        return Err(AddressError::InvalidCharacter { ch, position });
    }
    let mut last = "";
    for (index, label) in name.split('.').enumerate() {
        let index = index + 1;
        if label.is_empty() || label.len() > 63 {
            return Err(AddressError::LabelLength {
                index,
                len: label.len(),
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(AddressError::HyphenAtLabelEdge { index });
        }
        last = label;
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddressError::NumericTopLabel(address.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ip_addresses_and_host_names() {
        for address in [
            "10.0.0.1",
            "::1",
            "2001:db8::8a2e:370:7334",
            "ss1",
            "ss1.example.org",
            "security-server.ee.",
            "xn--80akhbyknj4f.example",
            "a1",
        ] {
            assert_eq!(check_address(address), Ok(()), "{address}");
        }
    }

    #[test]
    fn the_length_limits_are_inclusive() {
        let label = "a".repeat(63);
        // Three labels of 63 and one of 61, with three dots: 253 characters.
        let longest = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(longest.len(), 253);
        for address in [label.clone(), longest.clone(), format!("{longest}.")] {
            assert_eq!(check_address(&address), Ok(()), "{address}");
        }
        let too_long = format!("{longest}b");
        assert_eq!(
            check_address(&too_long),
            Err(AddressError::TooLong { len: 254 })
        );
        assert_eq!(
            check_address(&format!("{too_long}.")),
            Err(AddressError::TooLong { len: 255 })
        );
        assert_eq!(
            check_address(&format!("x.{label}a.y")),
            Err(AddressError::LabelLength { index: 2, len: 64 })
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        let long_label = "a".repeat(64);
        let long_name = ["abc"; 64].join(".");
        let cases = [
            ("", AddressError::Empty),
            (
                "host name",
                AddressError::InvalidCharacter {
                    ch: ' ',
                    position: 4,
                },
            ),
            (
                "ss1.example.org/x",
                AddressError::InvalidCharacter {
                    ch: '/',
                    position: 15,
                },
            ),
            (
                "ss1:8443",
                AddressError::InvalidCharacter {
                    ch: ':',
                    position: 3,
                },
            ),
            ("ss1..org", AddressError::LabelLength { index: 2, len: 0 }),
            (".ss1", AddressError::LabelLength { index: 1, len: 0 }),
            (
                long_label.as_str(),
                AddressError::LabelLength { index: 1, len: 64 },
            ),
            ("-ss1.org", AddressError::HyphenAtLabelEdge { index: 1 }),
            ("ss1-.org", AddressError::HyphenAtLabelEdge { index: 1 }),
            (
                "10.0.0.256",
                AddressError::NumericTopLabel("10.0.0.256".to_owned()),
            ),
            ("1.2.3", AddressError::NumericTopLabel("1.2.3".to_owned())),
            (
                "tõnu.ee",
                AddressError::InvalidCharacter {
                    ch: 'õ',
                    position: 1,
                },
            ),
            (long_name.as_str(), AddressError::TooLong { len: 255 }),
        ];
        for (address, expected) in cases {
            assert_eq!(check_address(address), Err(expected), "{address}");
        }
    }
}
