//! What the generator reports without failing: operations the profile does not describe, and
//! bindings and operations of the WSDL it leaves out.

use std::fmt;

use crate::model::{Location, Model, SkipKind, Skipped};
use crate::options::Options;

/// A problem that does not stop generation. The [`crate::Builder`] prints it as a cargo
/// warning, the command line on standard error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// An operation of the WSDL that the options do not describe, although they describe
    /// others: it is generated as types only (no `Operation` impl, no client or server
    /// method).
    UndescribedOperation {
        /// Where the operation is declared.
        location: Location,
        /// The operation.
        operation: String,
    },
    /// A binding or operation of the WSDL that is left out (a binding other than SOAP, a
    /// one-way operation, a document-style message of several parts): no service or
    /// operation is generated for it, its types are. Or a schema constraint that is not
    /// checked when reading (the facets of a simple content restriction).
    Skipped(Skipped),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UndescribedOperation {
                location,
                operation,
            } => write!(
                f,
                "{location}: operation `{operation}` is not described by the X-Road profile, so \
                 it is generated as types only (no `Operation` impl, no client or server \
                 method); describe it with `Options::operation(\"{operation}\", \
                 OperationProfile::manage().signed_by(…))` or the command-line flag \
                 `--operation {operation}=manage:SIGNER,…`"
            ),
            Warning::Skipped(skipped) => {
                let how = match skipped.kind {
                    SkipKind::LeftOut => "is left out",
                    SkipKind::NotChecked => "are not checked",
                };
                write!(
                    f,
                    "{}: {} {how}: {}",
                    skipped.location, skipped.what, skipped.reason
                )
            }
        }
    }
}

/// The warnings for `model`: one per binding or operation left out, then one per operation
/// the options leave undescribed, when they describe any (options that describe none, such as
/// [`Options::bare`], opted out).
pub fn warnings(model: &Model, options: &Options) -> Vec<Warning> {
    let skipped = model.skipped.iter().cloned().map(Warning::Skipped);
    if !options.describes_operations() {
        return skipped.collect();
    }
    let undescribed = model.services.iter().flat_map(|service| {
        service
            .operations
            .iter()
            .filter(|op| op.description.is_none())
            .map(|op| Warning::UndescribedOperation {
                location: op.location(service).clone(),
                operation: op.name.clone(),
            })
    });
    skipped.chain(undescribed).collect()
}
