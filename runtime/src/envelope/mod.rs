//! Requests, responses and faults as SOAP envelopes.
