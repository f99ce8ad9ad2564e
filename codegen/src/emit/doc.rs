//! Doc comments: `#[doc = "..."]` attributes, one per line, so that prettyplease prints `///`.

use proc_macro2::TokenStream;
use quote::quote;

/// Column at which doc lines are wrapped, not counting `/// ` and indentation (so that items
/// nested two levels deep stay within about 96 columns).
const WIDTH: usize = 80;

/// Doc attributes for generated text (may use Markdown, e.g. `` `code` `` and links).
pub fn doc(text: &str) -> TokenStream {
    let lines = wrap_paragraphs(text);
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// Doc attributes for documentation taken from the schema: Markdown-significant characters
/// are escaped so that rustdoc shows the text as written.
pub fn schema_doc(text: &str) -> TokenStream {
    doc(&escape(text))
}

/// Doc attributes for the schema documentation if there is any, else for `fallback`.
pub fn doc_or(schema: Option<&str>, fallback: &str) -> TokenStream {
    match schema.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => schema_doc(d),
        None => doc(fallback),
    }
}

/// Escapes characters that rustdoc would read as links, HTML or emphasis.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '*' | '_' | '`' | '\\' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether a line starting with `word` would begin a Markdown block (list item, heading,
/// quote) — such words must not start a wrapped continuation line.
fn starts_block(word: &str) -> bool {
    matches!(word, "-" | "+" | "*" | ">" | "|" | "=" | "---")
        || word.starts_with('#')
        || (word.len() > 1
            && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit())
            && (word.ends_with('.') || word.ends_with(')')))
}

/// Escapes the Markdown block marker `word` (`-` becomes `\-`, `1.` becomes `1\.`).
fn escape_block(word: &str) -> String {
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        let (digits, last) = word.split_at(word.len() - 1);
        format!("{digits}\\{last}")
    } else {
        format!("\\{word}")
    }
}

/// Splits `text` into paragraphs (blank-line separated) and wraps each; paragraphs are
/// separated by an empty line.
fn wrap_paragraphs(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let paragraphs = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
    for paragraph in paragraphs {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let mut line = String::new();
        for (i, word) in paragraph.split_whitespace().enumerate() {
            let word = if i == 0 && starts_block(word) {
                escape_block(word)
            } else {
                word.to_owned()
            };
            if line.is_empty() {
                line = word;
            } else if line.len() + 1 + word.len() > WIDTH && !starts_block(&word) {
                lines.push(std::mem::take(&mut line));
                line = word;
            } else {
                line.push(' ');
                line.push_str(&word);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_long_text() {
        let text = "word ".repeat(60);
        let lines = wrap_paragraphs(&text);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.len() <= WIDTH));
    }

    #[test]
    fn separates_paragraphs() {
        let lines = wrap_paragraphs("One.\n\nTwo - - three.");
        assert_eq!(lines, ["One.", "", "Two - - three."]);
    }

    #[test]
    fn escapes_markdown() {
        assert_eq!(escape("a [b] <c>"), "a \\[b\\] \\<c\\>");
        assert_eq!(wrap_paragraphs("- item"), ["\\- item"]);
        assert_eq!(wrap_paragraphs("1. item"), ["1\\. item"]);
    }
}
