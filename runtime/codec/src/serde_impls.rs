//! `serde` support (feature `serde`), so that generated types can derive `Serialize` and
//! `Deserialize` (`xroad_codegen::Builder::serde`).
//!
//! The XML Schema values ([`crate::xsd`] types and identifier [`Code`]s) are serialized as
//! their XML lexical form, a string, and deserialized by reading that form, with the same
//! checks as when reading XML: a `xs:dateTime` keeps whether it has a time zone, a
//! `xs:decimal` its digits. Open content ([`crate::xml::AnyContent`] and its parts),
//! [`crate::xml::Nillable`] and [`crate::xsd::QName`] derive their serde impls.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::identifier::Code;
use crate::xml::XmlText;
use crate::xsd::{
    AnyUri, Date, DateTime, Decimal, Duration, Entity, HexBinary, Id, IdRef, Language, List, Name,
    NcName, NegativeInteger, NmToken, NonPositiveInteger, NormalizedString, Time, Token,
};

fn serialize_text<T: XmlText, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_text())
}

fn deserialize_text<'de, T: XmlText, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
    T::from_text(&text).map_err(D::Error::custom)
}

macro_rules! as_text {
    ($($name:ty),* $(,)?) => {$(
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize_text(self, serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_text(deserializer)
            }
        }
    )*};
}

as_text!(
    AnyUri,
    Code,
    Date,
    DateTime,
    Decimal,
    Duration,
    Entity,
    HexBinary,
    Id,
    IdRef,
    Language,
    Name,
    NcName,
    NegativeInteger,
    NmToken,
    NonPositiveInteger,
    NormalizedString,
    Time,
    Token,
);

/// A list is its XML form: the items' text, separated by single spaces.
impl<T: XmlText> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_text(self, serializer)
    }
}

impl<'de, T: XmlText> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_text(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` read through `Deserialize` is the value `XmlText` reads from it.
    fn round_trip<T>(text: &str)
    where
        T: XmlText + Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let value = T::from_text(text).expect("valid lexical form");
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text);
        let back = T::deserialize(de).expect("deserializes");
        assert_eq!(back, value);
    }

    #[test]
    fn values_deserialize_from_their_lexical_form() {
        round_trip::<DateTime>("2024-02-29T12:30:00.5+02:00");
        round_trip::<Date>("2024-02-29");
        round_trip::<Decimal>("-12.500");
        round_trip::<HexBinary>("0AFF");
        round_trip::<Code>("EE");
        round_trip::<List<u32>>("1 2 3");
    }

    #[test]
    fn an_invalid_lexical_form_is_a_deserialization_error() {
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("2024-13-01");
        let error = Date::deserialize(de).unwrap_err();
        assert!(error.to_string().contains("2024-13-01"), "{error}");
        let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("");
        assert!(Code::deserialize(de).is_err());
    }
}
