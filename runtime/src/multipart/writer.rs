//! Writing `multipart/related` messages in the X-Road reference layout.

use memchr::memmem;

use super::{Boundary, Part, WriteError, is_token};

/// The request `Content-Type` value for `boundary`, exactly as the X-Road reference writes it:
/// `multipart/related; type="application/octet-stream"; charset=UTF-8; boundary=<B>`.
///
/// The boundary is written unquoted, so it should consist of token characters (generated
/// boundaries do).
pub fn content_type_header(boundary: &Boundary) -> String {
    format!(
        "multipart/related; type=\"application/octet-stream\"; charset=UTF-8; boundary={}",
        boundary.as_str()
    )
}

/// Writes `parts` framed by `boundary` (see [`MultipartWriter`]).
pub fn write(boundary: &Boundary, parts: &[Part<'_>]) -> Result<Vec<u8>, WriteError> {
    let capacity = parts
        .iter()
        .map(|p| {
            p.body.len()
                + boundary.as_str().len()
                + 8
                + p.headers
                    .iter()
                    .map(|h| h.name.len() + h.value.len() + 4)
                    .sum::<usize>()
        })
        .sum::<usize>()
        + boundary.as_str().len()
        + 8;
    let mut writer = MultipartWriter::with_capacity(boundary, capacity);
    for part in parts {
        writer.part(part)?;
    }
    writer.finish()
}

/// Incremental writer: `--B\r\n`, `name: value\r\n` per header, `\r\n`, body; `\r\n`
/// before every later delimiter; `\r\n--B--\r\n` at the end.
///
/// Header names must be tokens and values ASCII without control characters other than tab;
/// a body that contains `\r\n--B` (or starts with `--B`) is rejected because it would end
/// the part early.
#[derive(Debug)]
pub struct MultipartWriter {
    /// `\r\n--B`.
    delimiter: Vec<u8>,
    out: Vec<u8>,
    parts: usize,
}

impl MultipartWriter {
    /// A writer for `boundary`.
    pub fn new(boundary: &Boundary) -> Self {
        Self::with_capacity(boundary, 0)
    }

    /// A writer for `boundary` whose output buffer starts with `capacity` bytes.
    pub fn with_capacity(boundary: &Boundary, capacity: usize) -> Self {
        let mut delimiter = Vec::with_capacity(boundary.as_str().len() + 4);
        delimiter.extend_from_slice(b"\r\n--");
        delimiter.extend_from_slice(boundary.as_str().as_bytes());
        Self {
            delimiter,
            out: Vec::with_capacity(capacity),
            parts: 0,
        }
    }

    /// Appends one part.
    pub fn part(&mut self, part: &Part<'_>) -> Result<&mut Self, WriteError> {
        let index = self.parts;
        for h in &part.headers {
            if !is_token(h.name) {
                return Err(WriteError::InvalidHeaderName {
                    part: index,
                    name: h.name.into(),
                });
            }
            if !h
                .value
                .bytes()
                .all(|c| c == b'\t' || (b' '..=b'~').contains(&c))
            {
                return Err(WriteError::InvalidHeaderValue {
                    part: index,
                    name: h.name.into(),
                });
            }
        }
        let without_crlf = self.delimiter.get(2..).unwrap_or_default();
        if part.body.starts_with(without_crlf) || memmem::find(part.body, &self.delimiter).is_some()
        {
            return Err(WriteError::BoundaryInBody { part: index });
        }
        if index == 0 {
            self.out.extend_from_slice(without_crlf);
        } else {
            self.out.extend_from_slice(&self.delimiter);
        }
        self.out.extend_from_slice(b"\r\n");
        for h in &part.headers {
            self.out.extend_from_slice(h.name.as_bytes());
            self.out.extend_from_slice(b": ");
            self.out.extend_from_slice(h.value.as_bytes());
            self.out.extend_from_slice(b"\r\n");
        }
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(part.body);
        self.parts += 1;
        Ok(self)
    }

    /// Appends the closing delimiter and returns the body; fails if no part was written.
    pub fn finish(mut self) -> Result<Vec<u8>, WriteError> {
        if self.parts == 0 {
            return Err(WriteError::NoParts);
        }
        self.out.extend_from_slice(&self.delimiter);
        self.out.extend_from_slice(b"--\r\n");
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_four_parts() {
        let boundary = Boundary::new("xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd").unwrap();
        let parts = [
            Part::soap(b"<env/>"),
            Part::signature("SHA512withRSA", b"SIG"),
            Part::octet_stream(b"CERT"),
            Part::octet_stream(b"OCSP"),
        ];
        let body = write(&boundary, &parts).unwrap();
        let expected = "--xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd\r\n\
            content-type: text/xml; charset=UTF-8\r\n\
            \r\n\
            <env/>\r\n\
            --xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd\r\n\
            content-type: application/octet-stream\r\n\
            signature-algorithm-id: SHA512withRSA\r\n\
            \r\n\
            SIG\r\n\
            --xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd\r\n\
            content-type: application/octet-stream\r\n\
            \r\n\
            CERT\r\n\
            --xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd\r\n\
            content-type: application/octet-stream\r\n\
            \r\n\
            OCSP\r\n\
            --xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd--\r\n";
        assert_eq!(String::from_utf8(body).unwrap(), expected);
        assert_eq!(
            content_type_header(&boundary),
            "multipart/related; type=\"application/octet-stream\"; charset=UTF-8; \
             boundary=xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd"
        );
    }

    #[test]
    fn write_errors() {
        let b = Boundary::new("bnd").unwrap();
        assert_eq!(write(&b, &[]), Err(WriteError::NoParts));
        assert_eq!(
            write(&b, &[Part::new(&[("bad name", "v")], b"")]),
            Err(WriteError::InvalidHeaderName {
                part: 0,
                name: "bad name".into()
            })
        );
        assert_eq!(
            write(&b, &[Part::soap(b"x"), Part::new(&[("n", "a\r\nb")], b"")]),
            Err(WriteError::InvalidHeaderValue {
                part: 1,
                name: "n".into()
            })
        );
        assert_eq!(
            write(&b, &[Part::soap(b"x\r\n--bnd")]),
            Err(WriteError::BoundaryInBody { part: 0 })
        );
        assert_eq!(
            write(&b, &[Part::soap(b"--bnd")]),
            Err(WriteError::BoundaryInBody { part: 0 })
        );
        assert!(write(&b, &[Part::soap(b"x\n--bnd -bnd")]).is_ok());
    }
}
