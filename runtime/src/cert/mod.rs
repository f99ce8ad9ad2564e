//! Certificates: chains to trusted CAs, validity, key usage and member identity.
