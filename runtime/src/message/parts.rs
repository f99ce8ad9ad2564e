//! [`Parts`]: the MIME parts of a request as one owned value, from the verifier to the store
//! and back to `verify-log`.

use bytes::Bytes;

/// The MIME parts of a request: the SOAP message and the parts after it, in the order of the
/// operation's description. Each shares the buffer it was received in (or was read back from
/// a store into), so cloning is cheap.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parts {
    /// The SOAP message, byte for byte: signatures are over these bytes.
    pub soap: Bytes,
    /// The parts after the SOAP message (part 1 onwards), in order.
    pub attachments: Vec<Attachment>,
}

/// A MIME part after the SOAP message: a signature (with its algorithm id), a certificate or
/// an OCSP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The `signature-algorithm-id` header, exactly as received; only signature parts have one.
    pub signature_algorithm_id: Option<String>,
    /// The part's body.
    pub body: Bytes,
}

impl Parts {
    /// Parts holding only the SOAP message.
    pub fn soap(soap: impl Into<Bytes>) -> Self {
        Self {
            soap: soap.into(),
            attachments: Vec::new(),
        }
    }

    /// The number of parts, the SOAP message included.
    pub fn len(&self) -> usize {
        1 + self.attachments.len()
    }

    /// Always false: there is at least the SOAP message.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The body of part `index` (0 is the SOAP message).
    pub fn body(&self, index: usize) -> Option<&Bytes> {
        match index {
            0 => Some(&self.soap),
            _ => self.attachments.get(index - 1).map(|part| &part.body),
        }
    }

    /// Part `index` after the SOAP message (1 is the first attachment).
    pub fn attachment(&self, index: usize) -> Option<&Attachment> {
        index.checked_sub(1).and_then(|i| self.attachments.get(i))
    }

    /// The total size of the parts' bodies, in bytes.
    pub fn byte_len(&self) -> usize {
        self.soap.len() + self.attachments.iter().map(|a| a.body.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_count_the_soap_message() {
        let mut parts = Parts::soap(&b"<soap/>"[..]);
        assert_eq!(parts.len(), 1);
        parts.attachments.push(Attachment {
            signature_algorithm_id: Some("SHA512withRSA".to_owned()),
            body: Bytes::from_static(b"sig"),
        });
        assert_eq!(parts.len(), 2);
        assert_eq!(parts.body(0).map(|b| &b[..]), Some(&b"<soap/>"[..]));
        assert_eq!(parts.body(1).map(|b| &b[..]), Some(&b"sig"[..]));
        assert_eq!(parts.body(2), None);
        assert_eq!(parts.byte_len(), 10);
    }
}
