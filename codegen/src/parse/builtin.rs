//! XML Schema built-in types mapped to [`Builtin`].

use crate::model::Builtin;

/// The [`Builtin`] for the local name of a type in the XML Schema namespace, or a hint why
/// it is not supported.
pub(crate) fn builtin(local: &str) -> Result<Builtin, &'static str> {
    Ok(match local {
        "string" | "normalizedString" | "token" | "anyURI" | "Name" | "NCName" | "ID"
        | "language" => Builtin::String,
        "boolean" => Builtin::Boolean,
        "integer" | "long" => Builtin::Long,
        "int" => Builtin::Int,
        "short" => Builtin::Short,
        "byte" => Builtin::Byte,
        "unsignedLong" | "nonNegativeInteger" | "positiveInteger" => Builtin::UnsignedLong,
        "unsignedInt" => Builtin::UnsignedInt,
        "unsignedShort" => Builtin::UnsignedShort,
        "unsignedByte" => Builtin::UnsignedByte,
        "double" => Builtin::Double,
        "float" => Builtin::Float,
        "base64Binary" => Builtin::Base64Binary,
        "anyType" | "anySimpleType" => {
            return Err("untyped content cannot be mapped; give the declaration a concrete type");
        }
        _ => {
            return Err(
                "this built-in type has no Rust mapping; use xs:string or map the \
                        element to a Rust type with Options::extern_element",
            );
        }
    })
}
