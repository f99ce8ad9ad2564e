//! Reading WSDL 1.1 and XML Schema into the [`crate::model`].
