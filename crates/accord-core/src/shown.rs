//! Text from outside (a file, a command line, a request) made safe to repeat
//! in a message: one definition for every front end and crate.

/// `text` with its control characters escaped (`\u{1b}`: a file or a request
/// must not drive the terminal), cut after `max_chars` characters. Also
/// returns how many characters were cut (0 when none), for the caller's tail.
pub fn for_terminal(text: &str, max_chars: usize) -> (String, usize) {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            return (out, text.chars().count() - max_chars);
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    (out, 0)
}

#[cfg(test)]
mod tests {
    use super::for_terminal;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(for_terminal("L0000001", 64), ("L0000001".into(), 0));
        assert_eq!(
            for_terminal("a\u{1b}[2J\u{7}b", 64),
            ("a\\u{1b}[2J\\u{7}b".into(), 0)
        );
        assert_eq!(for_terminal("ÆrøÆrø", 3), ("Ærø".into(), 3));
        assert_eq!(for_terminal("abc", 3), ("abc".into(), 0));
    }
}
