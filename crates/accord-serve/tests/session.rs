//! The dashboard's logins over HTTP against a real server: a token for a
//! session cookie, the cookie acting with the token's role, CSRF on every
//! change, logout, expiry, revocation, and the login's errors.

mod common;

use accord_store::TokenStore;
use common::{Reply, TestServer};

/// A server with an analyst token and a rep token (R1); their texts.
fn world(limits: accord_serve::Limits) -> (TestServer, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("t");
    let s = TestServer::start(limits, |store| {
        let a = accord_serve::auth::create(store, "analyst", None, Some("Ana Lyst"), 0).unwrap();
        let r = accord_serve::auth::create(store, "rep", Some("R1"), None, 0).unwrap();
        std::fs::write(&tokens, format!("{}\n{}", a.token, r.token)).unwrap();
    });
    let text = std::fs::read_to_string(&tokens).unwrap();
    let (a, r) = text.split_once('\n').unwrap();
    (s, a.to_owned(), r.to_owned())
}

/// Logs in with `token`: the reply, the cookie's value and the CSRF token.
fn login(s: &TestServer, token: &str) -> (Reply, String, String) {
    let r = s.post(
        "/v1/session",
        None,
        &serde_json::json!({ "token": token }).to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let set = r.header("set-cookie").expect("a cookie").to_owned();
    let value = set
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("accord_session=")
        .expect("the session cookie")
        .to_owned();
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
    (r, value, csrf)
}

fn with_cookie(
    s: &TestServer,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
) -> Reply {
    let c = format!("theme=dark; accord_session={cookie}");
    let mut headers = vec![("cookie", c.as_str()), ("content-type", "application/json")];
    if let Some(t) = csrf {
        headers.push(("x-csrf-token", t));
    }
    let body = if path == "/v1/events" {
        r#"{"type": "rep_recorded", "rep_id": "R9", "name": "Rep R9", "email": "r9@acme.example",
            "team": "sdr", "region": "EMEA", "vertical": null, "manager_id": null, "capacity_per_day": 20,
            "hired_at": "2024-01-15T09:00:00Z"}"#
    } else {
        ""
    };
    s.call(method, path, None, &headers, body.as_bytes())
}

fn kind(r: &Reply) -> String {
    r.json()["type"].as_str().unwrap_or("").to_owned()
}

#[test]
fn a_login_sets_a_cookie_that_acts_with_the_tokens_role() {
    let (s, analyst, _) = world(Default::default());
    let (r, cookie, csrf) = login(&s, &analyst);
    let set = r.header("set-cookie").unwrap();
    for part in ["Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=43200"] {
        assert!(set.contains(part), "{part} in {set}");
    }
    assert_eq!(cookie.len(), 64, "256 random bits in hex: {cookie}");
    assert_eq!(csrf.len(), 64);
    assert_ne!(cookie, csrf);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let me = r.json();
    assert_eq!(
        (me["role"].as_str(), me["label"].as_str()),
        (Some("analyst"), Some("Ana Lyst"))
    );
    // An analyst reads reports and the agreement, nothing else.
    let may: Vec<&str> = me["may"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        may,
        [
            "GET /v1/reports/{name}",
            "GET /v1/agreement",
            "GET /v1/agreement/versions",
            "GET /v1/agreement/versions/{version}",
            "POST /v1/agreement/check"
        ]
    );
    // The cookie acts as the analyst: reports yes, leads no.
    assert_eq!(
        with_cookie(&s, "GET", "/v1/reports/kpi", &cookie, None).status,
        200
    );
    let r = with_cookie(&s, "GET", "/v1/leads", &cookie, None);
    assert_eq!(r.status, 403, "{}", r.body);
    // GET /v1/session tells a reloaded page who it is, and the CSRF token.
    let r = with_cookie(&s, "GET", "/v1/session", &cookie, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["csrf_token"].as_str(), Some(csrf.as_str()));
    assert_eq!(r.json()["role"].as_str(), Some("analyst"));
    // A bearer token still works, and has no CSRF token.
    let r = s.get("/v1/session", Some(&analyst));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["csrf_token"].is_null());
    // A cookie nobody was given is no session.
    let r = with_cookie(&s, "GET", "/v1/reports/kpi", &"0".repeat(64), None);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:session_ended")
    );
}

#[test]
fn every_change_made_with_the_cookie_needs_the_sessions_csrf_token() {
    let (s, _, _) = world(Default::default());
    let admin = s.admin.clone();
    let (_, cookie, csrf) = login(&s, &admin);
    let head = s.head();
    for (sent, what) in [
        (None, "none"),
        (Some("0".repeat(64)), "wrong"),
        (Some(csrf[..63].to_owned()), "short"),
    ] {
        let r = with_cookie(&s, "POST", "/v1/events", &cookie, sent.as_deref());
        assert_eq!(r.status, 403, "{what}: {}", r.body);
        assert_eq!(kind(&r), "urn:accord:problem:csrf", "{what}");
        assert!(r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("x-csrf-token"));
    }
    assert_eq!(s.head(), head, "nothing stored without the CSRF token");
    // Reads need none; a change with it is made.
    assert_eq!(
        with_cookie(&s, "GET", "/v1/leads", &cookie, None).status,
        200
    );
    let r = with_cookie(&s, "POST", "/v1/events", &cookie, Some(&csrf));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(s.head() > head);
    // Another session's CSRF token is not this one's.
    let (_, _, other) = login(&s, &admin);
    let r = with_cookie(&s, "DELETE", "/v1/webhooks/1", &cookie, Some(&other));
    assert_eq!(r.status, 403, "{}", r.body);
    // A bearer token needs no CSRF token (a browser never sends one by itself).
    let r = s.call("DELETE", "/v1/webhooks/1", Some(&admin), &[], b"");
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn logout_ends_the_session_and_needs_the_csrf_token() {
    let (s, analyst, _) = world(Default::default());
    let (_, cookie, csrf) = login(&s, &analyst);
    let (_, other, _) = login(&s, &analyst);
    let r = with_cookie(&s, "DELETE", "/v1/session", &cookie, None);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (403, "urn:accord:problem:csrf")
    );
    assert_eq!(
        with_cookie(&s, "GET", "/v1/session", &cookie, None).status,
        200
    );
    let r = with_cookie(&s, "DELETE", "/v1/session", &cookie, Some(&csrf));
    assert_eq!(r.status, 204, "{}", r.body);
    let set = r.header("set-cookie").unwrap();
    assert!(
        set.starts_with("accord_session=;") && set.contains("Max-Age=0"),
        "{set}"
    );
    let r = with_cookie(&s, "GET", "/v1/reports/kpi", &cookie, None);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:session_ended")
    );
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("log in again"));
    // The same token's other session goes on.
    assert_eq!(
        with_cookie(&s, "GET", "/v1/reports/kpi", &other, None).status,
        200
    );
    // Logging out of an ended session clears the cookie all the same.
    assert_eq!(
        with_cookie(&s, "DELETE", "/v1/session", &cookie, None).status,
        204
    );
}

#[test]
fn a_login_says_why_a_token_is_refused() {
    let (s, _, rep) = world(Default::default());
    let r = s.post("/v1/session", None, r#"{"token": "acc_0123"}"#);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:login_failed")
    );
    assert!(
        r.json()["detail"].as_str().unwrap().contains("not known"),
        "{}",
        r.body
    );
    assert!(r.header("set-cookie").is_none());
    let r = s.post("/v1/session", None, r#"{"token": ""}"#);
    assert_eq!(r.status, 401);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("no token given"),
        "{}",
        r.body
    );
    for bad in [
        "",
        "{}",
        r#"{"token": 7}"#,
        r#"{"token": "x", "role": "admin"}"#,
        "acc_1",
    ] {
        let r = s.post("/v1/session", None, bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.json()["pointer"], "/token", "{bad}");
    }
    // Revoked: said as such, and its open sessions end within the reload.
    let (_, cookie, _) = login(&s, &rep);
    assert_eq!(
        with_cookie(&s, "GET", "/v1/leads", &cookie, None).status,
        200
    );
    {
        let mut store = accord_store::SqliteStore::open_existing(&s.db).unwrap();
        let id = store
            .tokens()
            .unwrap()
            .iter()
            .find(|t| t.role == "rep")
            .unwrap()
            .id;
        assert!(store.revoke_token(id, 1).unwrap());
    }
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    let r = with_cookie(&s, "GET", "/v1/leads", &cookie, None);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:token_revoked"),
        "{}",
        r.body
    );
    let r = s.post(
        "/v1/session",
        None,
        &serde_json::json!({ "token": rep }).to_string(),
    );
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:token_revoked")
    );
    assert!(r.json()["detail"].as_str().unwrap().contains("revoked"));
}

#[test]
fn a_session_ends_when_its_time_is_up() {
    let (s, analyst, _) = world(accord_serve::Limits {
        session_secs: 1,
        ..Default::default()
    });
    let (r, cookie, _) = login(&s, &analyst);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=1"));
    assert_eq!(
        with_cookie(&s, "GET", "/v1/reports/kpi", &cookie, None).status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(1_300));
    let r = with_cookie(&s, "GET", "/v1/reports/kpi", &cookie, None);
    assert_eq!(
        (r.status, kind(&r).as_str()),
        (401, "urn:accord:problem:session_ended")
    );
}

#[test]
fn the_dashboard_is_served_from_the_binary_with_types_and_cache_headers() {
    let (s, _, _) = world(Default::default());
    let r = s.get("/", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(r.body.contains("/ui/app.js") && r.body.contains("/ui/vendor/uPlot.iife.min.js"));
    assert!(
        !r.body.contains("https://") && !r.body.contains("http://"),
        "no CDN"
    );
    let tag = r.header("etag").unwrap().to_owned();
    let again = s.call("GET", "/", None, &[("if-none-match", &tag)], b"");
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    for (path, ty) in [
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/lib/fmt.js", "text/javascript; charset=utf-8"),
        ("/ui/style.css", "text/css; charset=utf-8"),
        (
            "/ui/vendor/uPlot.iife.min.js",
            "text/javascript; charset=utf-8",
        ),
        ("/ui/vendor/LICENSE", "text/plain; charset=utf-8"),
        ("/ui/pages/kpi.js", "text/javascript; charset=utf-8"),
    ] {
        let r = s.get(path, None);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(ty)),
            "{path}"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    assert!(s.get("/ui/vendor/LICENSE", None).body.contains("MIT"));
    for path in [
        "/ui/nothing.js",
        "/ui/../Cargo.toml",
        "/ui/%2e%2e/Cargo.toml",
        "/ui/.hidden",
    ] {
        let r = s.get(path, None);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
}
