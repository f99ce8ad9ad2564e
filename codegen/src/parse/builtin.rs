//! XML Schema built-in types mapped to [`Builtin`].

use crate::model::Builtin;

/// The [`Builtin`] for the local name of a type in the XML Schema namespace, or a hint why
/// it is not supported. `anyType` is not a built-in here: it is open content.
pub(crate) fn builtin(local: &str) -> Result<Builtin, &'static str> {
    Ok(match local {
        "string" | "anySimpleType" => Builtin::String,
        "normalizedString" => Builtin::NormalizedString,
        "token" => Builtin::Token,
        "language" => Builtin::Language,
        "Name" => Builtin::Name,
        "NCName" => Builtin::NcName,
        "NMTOKEN" => Builtin::NmToken,
        "NMTOKENS" => Builtin::NmTokens,
        "ID" => Builtin::Id,
        "IDREF" => Builtin::IdRef,
        "IDREFS" => Builtin::IdRefs,
        "ENTITY" => Builtin::Entity,
        "ENTITIES" => Builtin::Entities,
        "anyURI" => Builtin::AnyUri,
        "QName" => Builtin::QName,
        "boolean" => Builtin::Boolean,
        "decimal" => Builtin::Decimal,
        "integer" | "long" => Builtin::Long,
        "int" => Builtin::Int,
        "short" => Builtin::Short,
        "byte" => Builtin::Byte,
        "unsignedLong" | "nonNegativeInteger" => Builtin::UnsignedLong,
        "positiveInteger" => Builtin::PositiveInteger,
        "negativeInteger" => Builtin::NegativeInteger,
        "nonPositiveInteger" => Builtin::NonPositiveInteger,
        "unsignedInt" => Builtin::UnsignedInt,
        "unsignedShort" => Builtin::UnsignedShort,
        "unsignedByte" => Builtin::UnsignedByte,
        "double" => Builtin::Double,
        "float" => Builtin::Float,
        "base64Binary" => Builtin::Base64Binary,
        "hexBinary" => Builtin::HexBinary,
        "dateTime" => Builtin::DateTime,
        "date" => Builtin::Date,
        "time" => Builtin::Time,
        "duration" => Builtin::Duration,
        "gYear" | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" => {
            return Err(
                "the Gregorian fragments (gYear and its kin) have no Rust mapping yet; \
                        use xs:string or map the element with Options::extern_element",
            );
        }
        "NOTATION" => return Err("NOTATION has no Rust mapping; use xs:QName"),
        _ => return Err("not a built-in type of XML Schema 1.0"),
    })
}
