//! HTTP over TLS for management requests: the server and client transport.
