//! Distinguished names as text, for errors and logs.

use openssl::nid::Nid;
use openssl::x509::{X509NameRef, X509Ref};

/// A distinguished name in certificate order, `C=EE, O=GOV, CN=TS1OWNER`. Attributes
/// without a short name are written as dotted OIDs; undecodable bytes are
/// replaced with U+FFFD.
pub fn distinguished_name(name: &X509NameRef) -> String {
    let mut text = String::new();
    for entry in name.entries() {
        if !text.is_empty() {
            text.push_str(", ");
        }
        let object = entry.object();
        match object.nid() {
            Nid::UNDEF => text.push_str(&object.to_string()),
            nid => match nid.short_name() {
                Ok(short) => text.push_str(short),
                Err(_) => text.push_str(&object.to_string()),
            },
        }
        text.push('=');
        match entry.data().to_string() {
            Ok(value) => text.push_str(&value),
            Err(_) => text.push_str(&String::from_utf8_lossy(entry.data().as_slice())),
        }
    }
    text
}

/// The subject of `cert` as text.
pub(crate) fn subject_of(cert: &X509Ref) -> String {
    distinguished_name(cert.subject_name())
}

/// The issuer of `cert` as text.
pub(crate) fn issuer_of(cert: &X509Ref) -> String {
    distinguished_name(cert.issuer_name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::x509::X509Name;

    #[test]
    fn names_print_in_certificate_order() {
        let mut name = X509Name::builder().unwrap();
        name.append_entry_by_nid(Nid::COUNTRYNAME, "EE").unwrap();
        name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "GOV")
            .unwrap();
        name.append_entry_by_nid(Nid::COMMONNAME, "TS1OWNER")
            .unwrap();
        name.append_entry_by_text("1.2.3.4.5", "x").unwrap();
        let name = name.build();
        assert_eq!(
            distinguished_name(&name),
            "C=EE, O=GOV, CN=TS1OWNER, 1.2.3.4.5=x"
        );
    }

    #[test]
    fn empty_name_is_empty_text() {
        let name = X509Name::builder().unwrap().build();
        assert_eq!(distinguished_name(&name), "");
    }
}
