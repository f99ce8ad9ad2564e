//! Server-side verification of management requests, in the order of the reference
//! implementation.

mod address;

pub use address::{AddressError, check_address};
