//! The `xs:pattern` facet: an XML Schema regular expression, matched against the whole value.

use std::sync::OnceLock;

use regex::Regex;

/// A pattern of a schema, compiled on first use. Generated code keeps one in a `static`:
///
/// ```
/// use xroad_codec::xsd::Pattern;
/// static DIGITS: Pattern = Pattern::new("[0-9]{3}");
/// assert!(DIGITS.is_match("123"));
/// assert!(!DIGITS.is_match("1234"));
/// ```
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// A pattern with the given XML Schema regular expression.
    pub const fn new(source: &'static str) -> Self {
        Self {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The expression as the schema writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the whole of `value` matches. An expression this crate cannot translate
    /// matches nothing (the generator refuses such patterns, see [`translate`]).
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                translate(self.source)
                    .ok()
                    .and_then(|r| Regex::new(&r).ok())
            })
            .as_ref()
            .is_some_and(|regex| regex.is_match(value))
    }
}

/// Whether the XML Schema regular expression `xsd` can be matched: translated and compiled,
/// or why not. The generator checks every pattern of a schema with it.
pub fn check(xsd: &str) -> Result<(), String> {
    let translated = translate(xsd)?;
    Regex::new(&translated)
        .map(|_| ())
        .map_err(|e| format!("pattern `{xsd}` is not a regular expression: {e}"))
}

/// The `regex` crate's form of an XML Schema regular expression: anchored at both ends, with
/// the XML name classes `\i`, `\I`, `\c`, `\C` spelled out. Character class subtraction
/// (`[a-z-[aeiou]]`) has no equivalent and is an error.
pub fn translate(xsd: &str) -> Result<String, String> {
    const NAME_START: &str = r"A-Z_a-z:\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{2FF}\u{370}-\u{37D}\u{37F}-\u{1FFF}\u{200C}-\u{200D}\u{2070}-\u{218F}\u{2C00}-\u{2FEF}\u{3001}-\u{D7FF}\u{F900}-\u{FDCF}\u{FDF0}-\u{FFFD}";
    const NAME_MORE: &str = r"\-.0-9\u{B7}\u{300}-\u{36F}\u{203F}-\u{2040}";
    if xsd.contains("-[") {
        return Err(format!(
            "pattern `{xsd}` subtracts a character class, which has no equivalent here"
        ));
    }
    let mut out = String::with_capacity(xsd.len() + 16);
    out.push_str("^(?:");
    let mut chars = xsd.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('i') => push_class(&mut out, in_class, NAME_START, false),
                Some('I') => push_class(&mut out, in_class, NAME_START, true),
                Some('c') => push_class(
                    &mut out,
                    in_class,
                    &format!("{NAME_START}{NAME_MORE}"),
                    false,
                ),
                Some('C') => push_class(
                    &mut out,
                    in_class,
                    &format!("{NAME_START}{NAME_MORE}"),
                    true,
                ),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => return Err(format!("pattern `{xsd}` ends with a backslash")),
            },
            '[' => {
                in_class = true;
                out.push('[');
            }
            ']' => {
                in_class = false;
                out.push(']');
            }
            // Characters the `regex` crate reads as syntax that XML Schema does not.
            '^' | '$' if !in_class => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push_str(")$");
    Ok(out)
}

fn push_class(out: &mut String, in_class: bool, class: &str, negated: bool) {
    match (in_class, negated) {
        (true, false) => out.push_str(class),
        (false, false) => {
            out.push('[');
            out.push_str(class);
            out.push(']');
        }
        (false, true) => {
            out.push_str("[^");
            out.push_str(class);
            out.push(']');
        }
        // A negated class inside a class: regex's nested class syntax.
        (true, true) => {
            out.push_str("[^");
            out.push_str(class);
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_whole_value() {
        let p = Pattern::new("0|1");
        assert!(p.is_match("0") && p.is_match("1"));
        assert!(!p.is_match("01") && !p.is_match("10") && !p.is_match(""));
        let name = Pattern::new(r"\i\c*");
        assert!(name.is_match("a-b.c") && !name.is_match("1a"));
        let dollar = Pattern::new(r"\$[0-9]+");
        assert!(dollar.is_match("$12"));
        let literal = Pattern::new("a$");
        assert!(literal.is_match("a$"));
    }

    #[test]
    fn subtraction_is_refused() {
        assert!(translate("[a-z-[aeiou]]").is_err());
        assert!(!Pattern::new("[a-z-[aeiou]]").is_match("b"));
        assert!(check("[a-z-[aeiou]]").is_err());
        assert!(check("(").is_err());
        assert_eq!(check("[0-9]{2}"), Ok(()));
    }
}
