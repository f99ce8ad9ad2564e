//! Rust types for the XML Schema built-in types that have no Rust primitive: what generated
//! code maps them to. Each reads exactly the lexical space of its type (after the type's
//! whitespace processing) and writes text that reads back to an equal value.
//!
//! | XML Schema | Rust |
//! |---|---|
//! | `string` | `String` |
//! | `normalizedString`, `token`, `language`, `Name`, `NCName`, `NMTOKEN`, `ID`, `IDREF`, `ENTITY`, `anyURI` | [`NormalizedString`], [`Token`], [`Language`], [`Name`], [`NcName`], [`NmToken`], [`Id`], [`IdRef`], [`Entity`], [`AnyUri`] |
//! | `NMTOKENS`, `IDREFS`, `ENTITIES`, `xs:list` types | [`List<T>`](List) |
//! | `decimal` | [`Decimal`] (`bigdecimal`, any precision) |
//! | `integer`, `long` / `int` / `short` / `byte` | `i64` / `i32` / `i16` / `i8` |
//! | `nonNegativeInteger`, `unsignedLong` … `unsignedByte` | `u64` … `u8` |
//! | `positiveInteger`, `negativeInteger`, `nonPositiveInteger` | `NonZeroU64`, [`NegativeInteger`], [`NonPositiveInteger`] |
//! | `dateTime`, `date`, `time`, `duration` | [`DateTime`], [`Date`], [`Time`], [`Duration`] (`chrono` values) |
//! | `base64Binary`, `hexBinary` | `Vec<u8>`, [`HexBinary`] |
//! | `QName` | [`QName`] (element content) |
//!
//! The unbounded integer types are read into 64 bits: a larger value is refused with an
//! error that names the range, never wrapped.

mod binary;
mod list;
mod numbers;
mod pattern;
mod qname;
mod strings;
mod time;

pub use binary::HexBinary;
pub use list::List;
pub use numbers::{Decimal, NegativeInteger, NonPositiveInteger};
pub use pattern::{Pattern, check as check_pattern, translate};
pub use qname::QName;
pub use strings::{
    AnyUri, Entity, Id, IdRef, Language, Name, NcName, NmToken, NormalizedString, Token, is_ncname,
};
pub use time::{Date, DateTime, Duration, Time};
