//! Web domains as matching sees them: the registrable domain of a host (the
//! public-suffix list decides where the company's own name ends), the host of
//! a typed website, and the free-mail providers whose addresses say nothing
//! about a person's employer.

/// E-mail providers anyone can sign up with, by registrable domain, sorted
/// (binary search). An address at one of them never matches an account, nor
/// does a website naming one.
const FREE_MAIL: &[&str] = &[
    "126.com",
    "163.com",
    "aol.com",
    "bol.com.br",
    "daum.net",
    "fastmail.com",
    "free.fr",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.es",
    "hotmail.fr",
    "hotmail.it",
    "icloud.com",
    "laposte.net",
    "libero.it",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "o2.pl",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "outlook.fr",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rediffmail.com",
    "seznam.cz",
    "sina.com",
    "t-online.de",
    "tutanota.com",
    "uol.com.br",
    "web.de",
    "wp.pl",
    "yahoo.co.jp",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.de",
    "yahoo.es",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// The registrable domain of a lower-case host: the public suffix plus one
/// label (`mail.northwind.co.uk` → `northwind.co.uk`, `eu.acme.com.au` →
/// `acme.com.au`). `None` for a host that is itself a public suffix
/// (`co.uk`), has an empty label, or has anything but lower-case letters,
/// digits, hyphens and dots (callers lower-case first).
pub fn registrable_domain(host: &str) -> Option<&str> {
    let plain = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if !plain || !host.contains('.') {
        return None;
    }
    psl::domain_str(host)
}

/// Whether `domain` (any host, lower-case) belongs to a free-mail provider:
/// its registrable domain is on the list (`gmail.com`, `mail.yahoo.co.uk`).
pub fn is_free_mail(domain: &str) -> bool {
    let registrable = registrable_domain(domain).unwrap_or(domain);
    FREE_MAIL.binary_search(&registrable).is_ok()
}

/// The host of a website as people type it, lower-cased: no scheme
/// (`https://`), user, port, path, query or fragment, no trailing dot
/// (`HTTPS://www.Northwind.co.uk:443/about?x` → `www.northwind.co.uk`).
/// `None` when nothing host-like is left.
pub fn website_host(website: &str) -> Option<String> {
    let text = website.trim();
    let rest = match text.find("://") {
        Some(at) => &text[at + 3..],
        None => text.strip_prefix("//").unwrap_or(text),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = host_port.split(':').next().unwrap_or("");
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_mail_list_is_sorted_for_binary_search() {
        assert!(FREE_MAIL.windows(2).all(|w| w[0] < w[1]));
    }
}
