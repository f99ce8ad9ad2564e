//! `xs:list` types (and `xs:NMTOKENS`, `xs:IDREFS`, `xs:ENTITIES`): whitespace-separated
//! items.

use std::borrow::Cow;
use std::ops::Deref;

use crate::xml::{TextError, XmlText};

/// The items of an `xs:list` type, each read as `T`; written separated by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct List<T>(pub Vec<T>);

impl<T: XmlText> XmlText for List<T> {
    fn from_text(text: &str) -> Result<Self, TextError> {
        text.split([' ', '\t', '\n', '\r'])
            .filter(|item| !item.is_empty())
            .enumerate()
            .map(|(i, item)| {
                T::from_text(item).map_err(|e| TextError::new(format!("item {}: {e}", i + 1)))
            })
            .collect::<Result<Vec<T>, TextError>>()
            .map(Self)
    }
    fn to_text(&self) -> Cow<'_, str> {
        let items: Vec<Cow<'_, str>> = self.0.iter().map(T::to_text).collect();
        Cow::Owned(items.join(" "))
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        Self(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::NmToken;

    #[test]
    fn lists_split_on_whitespace() {
        let list = List::<i32>::from_text(" 1  2\n3 ").unwrap();
        assert_eq!(list.0, [1, 2, 3]);
        assert_eq!(list.to_text(), "1 2 3");
        assert_eq!(List::<i32>::from_text("").unwrap().0, Vec::<i32>::new());
        assert_eq!(
            List::<i32>::from_text("1 x").unwrap_err().0,
            "item 2: `x` is not an integer"
        );
        let tokens = List::<NmToken>::from_text("a b").unwrap();
        assert_eq!(tokens.len(), 2);
    }
}
