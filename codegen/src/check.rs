//! Comparing generated code with a file on disk, for `xroad-codegen --check`.

use similar::{ChangeTag, TextDiff};

/// Lines of context around each change in [`short_diff`].
const CONTEXT: usize = 2;
/// Changed lines shown at most.
const MAX_LINES: usize = 40;

/// A unified-style diff of `current` (the file) against `expected` (what the generator
/// produces now), cut to a readable length; `None` when they are equal.
pub fn short_diff(current: &str, expected: &str, file_label: &str) -> Option<String> {
    if current == expected {
        return None;
    }
    let diff = TextDiff::from_lines(current, expected);
    let mut out = format!("--- {file_label} (on disk)\n+++ {file_label} (generated now)\n");
    let mut shown = 0;
    let mut hidden = 0;
    for group in diff.grouped_ops(CONTEXT) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                if shown >= MAX_LINES {
                    if change.tag() != ChangeTag::Equal {
                        hidden += 1;
                    }
                    continue;
                }
                let line = change.to_string_lossy();
                out.push(sign);
                out.push_str(line.trim_end_matches('\n'));
                out.push('\n');
                shown += 1;
            }
        }
        if shown < MAX_LINES {
            out.push_str("...\n");
        }
    }
    if hidden > 0 {
        out.push_str(&format!("({hidden} more changed lines not shown)\n"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(short_diff("a\nb\n", "a\nb\n", "f.rs"), None);
    }

    #[test]
    fn diff_shows_removed_and_added_lines() {
        let diff = short_diff("a\nb\nc\n", "a\nB\nc\n", "f.rs").unwrap();
        assert!(diff.contains("-b\n"), "{diff}");
        assert!(diff.contains("+B\n"), "{diff}");
        assert!(diff.starts_with("--- f.rs (on disk)"), "{diff}");
    }

    #[test]
    fn long_diffs_are_cut() {
        let old: String = (0..200).map(|i| format!("{i}\n")).collect();
        let new: String = (0..200).map(|i| format!("x{i}\n")).collect();
        let diff = short_diff(&old, &new, "f.rs").unwrap();
        assert!(diff.lines().count() < 50, "{diff}");
        assert!(diff.contains("more changed lines not shown"), "{diff}");
    }
}
