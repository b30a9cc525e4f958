//! `ACCORD_UI_DIR`: the dashboard's files read from a folder on each
//! request (its own test binary: the variable is the process's).

mod common;

use common::TestServer;

#[test]
fn with_accord_ui_dir_the_files_are_read_from_disk_on_each_request() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::create_dir(ui.path().join("pages")).unwrap();
    std::fs::write(ui.path().join("index.html"), "<p>one</p>").unwrap();
    std::env::set_var("ACCORD_UI_DIR", ui.path());
    let s = TestServer::start(Default::default(), |_| {});
    let r = s.get("/", None);
    assert_eq!((r.status, r.body.as_str()), (200, "<p>one</p>"));
    let first = r.header("etag").unwrap().to_owned();
    std::fs::write(ui.path().join("index.html"), "<p>two</p>").unwrap();
    std::fs::write(ui.path().join("pages/new.js"), "export const x = 1;").unwrap();
    let r = s.call("GET", "/", None, &[("if-none-match", &first)], b"");
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, "<p>two</p>"),
        "a changed file is sent again"
    );
    assert_ne!(r.header("etag").unwrap(), first);
    let r = s.get("/ui/pages/new.js", None);
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("text/javascript; charset=utf-8"))
    );
    // Files of the binary are not there: the folder is all there is.
    assert_eq!(s.get("/ui/app.js", None).status, 404);
    // Nothing outside the folder.
    assert_eq!(s.get("/ui/../outside.txt", None).status, 404);
}
