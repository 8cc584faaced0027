//! `clif-util lsp` driven over stdio as an editor drives it: initialize, open a file
//! with a reader error and one with a verifier error (diagnostics at the right ranges),
//! fix one by a change (its diagnostics cleared), hover on an opcode and a value, go to
//! a definition, find references, list symbols, shut down and exit.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// The server process and its messages (read by a thread, so a silent server times out
/// instead of hanging the test).
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clif-util"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("clif-util starts");
        let stdin = child.stdin.take().expect("stdin");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().expect("a length");
                    }
                }
                let mut body = vec![0; len];
                out.read_exact(&mut body).expect("the body");
                if tx
                    .send(serde_json::from_slice(&body).expect("JSON"))
                    .is_err()
                {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result (other messages on the way are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.recv();
            if msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
        }
    }

    fn recv(&self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            let msg = self.recv();
            if msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri {
                return msg["params"]["diagnostics"]
                    .as_array()
                    .expect("a list")
                    .clone();
            }
        }
    }
}

fn open(server: &mut Server, uri: &str, text: &str) {
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "clif", "version": 1, "text": text}}),
    );
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn start_of(v: &Value) -> (u64, u64) {
    let s = &v["range"]["start"];
    (
        s["line"].as_u64().unwrap(),
        s["character"].as_u64().unwrap(),
    )
}

const READER_ERROR: &str = "test verifier\n\nfunction %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v9\n    return v1\n}\n";
const FIXED: &str = "test verifier\n\nfunction %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    v2 -> v1\n    brif v1, block1(v2), block1(v0)\nblock1(v3: i32):\n    return v3\n}\n";
const VERIFIER_ERROR: &str = "function %g(i64) -> i64 {\nblock0(v0: i64):\n    v1 = iadd v0, v0\n    v2 = iconst.i32 1\n    return v2\n}\n";

#[test]
fn the_language_server_serves_an_editor_session() {
    let mut s = Server::start();
    let caps = s.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &caps["capabilities"];
    assert_eq!(caps["hoverProvider"], true, "{caps}");
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["referencesProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    s.notify("initialized", json!({}));

    // The reader's error: `v9` is used but never defined, at 5:19 (0-based 4:18).
    let a = "file:///work/a.clif";
    open(&mut s, a, READER_ERROR);
    let d = s.diagnostics(a);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(start_of(&d[0]), (4, 18));
    assert_eq!(d[0]["range"]["end"]["character"], 20);
    assert!(d[0]["message"].as_str().unwrap().contains("v9"), "{}", d[0]);
    assert_eq!(d[0]["source"], "clif reader");

    // The verifier's: the returned value has the wrong type, on the `return` line.
    let b = "file:///work/b.clif";
    open(&mut s, b, VERIFIER_ERROR);
    let d = s.diagnostics(b);
    assert!(!d.is_empty());
    let ret = d
        .iter()
        .find(|x| x["range"]["start"]["line"] == 4)
        .unwrap_or_else(|| panic!("a diagnostic on the return line: {d:?}"));
    assert_eq!(start_of(ret), (4, 4));
    assert_eq!(ret["source"], "clif verifier");
    assert!(
        ret["message"].as_str().unwrap().starts_with("[call]"),
        "{ret}"
    );

    // A change fixing the first file clears its diagnostics.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": a, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    assert!(s.diagnostics(a).is_empty());

    // Hovers: an opcode's meaning, a value's type and definition.
    let h = s.request("textDocument/hover", at(a, 4, 11));
    let text = h["contents"]["value"]
        .as_str()
        .expect("markdown")
        .to_string();
    assert!(
        text.contains("**iadd**") && text.contains("Wrapping addition"),
        "{text}"
    );
    let h = s.request("textDocument/hover", at(a, 8, 12));
    let text = h["contents"]["value"]
        .as_str()
        .expect("markdown")
        .to_string();
    assert!(
        text.contains("`v3: i32`") && text.contains("block1(v3: i32):"),
        "{text}"
    );

    // Definitions: v2 (used in the brif) is the alias; block1 is its header.
    let def = s.request("textDocument/definition", at(a, 6, 20));
    assert_eq!(start_of(&def), (5, 4));
    let def = s.request("textDocument/definition", at(a, 6, 13));
    assert_eq!(start_of(&def), (7, 0));

    // References of v1: its definition, the alias, the brif.
    let refs = s.request(
        "textDocument/references",
        json!({"textDocument": {"uri": a}, "position": {"line": 4, "character": 5},
               "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| start_of(r).0)
        .collect();
    assert_eq!(lines, [4, 5, 6]);

    // Symbols: the function with its blocks.
    let syms = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": a}}),
    );
    let f = &syms[0];
    assert_eq!(f["name"], "%f");
    let blocks: Vec<&str> = f["children"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(blocks, ["block0", "block1"]);

    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    drop(s.stdin);
    let status = s.child.wait().expect("the server exits");
    assert!(status.success(), "{status}");
}
