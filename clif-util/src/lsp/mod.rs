//! `clif-util lsp`: a language server for CLIF over stdio. It keeps each open document
//! analysed (`document`), publishes the reader's and verifier's diagnostics on open and
//! on every change, and answers hovers (`hover`), go to definition, find references and
//! document symbols.

mod document;
mod hover;

use document::{Document, NameKind, Span};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    DocumentSymbolRequest, GotoDefinition, HoverRequest, References, Request as _,
};
use lsp_types::{
    DiagnosticSeverity, DocumentSymbol, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, Location, MarkupContent, MarkupKind, OneOf, Position,
    PublishDiagnosticsParams, Range, ServerCapabilities, SymbolKind, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;
use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The open documents, by URI (as text: `Uri` caches parts of itself, so it is no key).
type Docs = HashMap<String, Document>;

/// Serves the Language Server Protocol on stdin/stdout until the client exits.
///
/// # Errors
/// A broken connection or a malformed message from the client.
pub fn run() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    connection.initialize(serde_json::to_value(capabilities)?)?;
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// The message loop: documents by URI.
fn serve(connection: &Connection) -> Result<()> {
    let mut docs = Docs::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let resp = answer(&docs, req);
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if let Some((uri, text)) = changed_text(n)? {
                    let doc = Document::new(text.unwrap_or_default());
                    let key = uri.as_str().to_string();
                    let diags = if docs.contains_key(&key) || !doc.text.is_empty() {
                        diagnostics(&doc)
                    } else {
                        Vec::new()
                    };
                    publish(connection, uri.clone(), diags)?;
                    if doc.text.is_empty() {
                        docs.remove(&key);
                    } else {
                        docs.insert(key, doc);
                    }
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The URI and new text of a document opened or changed (`None` text when closed), for
/// the notifications that change documents.
fn changed_text(n: Notification) -> Result<Option<(Uri, Option<String>)>> {
    Ok(match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
            Some((p.text_document.uri, Some(p.text_document.text)))
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
            // Full synchronization: the last change is the whole text.
            let text = p.content_changes.into_iter().last().map(|c| c.text);
            Some((p.text_document.uri, text))
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
            Some((p.text_document.uri, None))
        }
        _ => None,
    })
}

fn publish(
    connection: &Connection,
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
) -> Result<()> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    let n = Notification::new(PublishDiagnostics::METHOD.into(), params);
    connection.sender.send(Message::Notification(n))?;
    Ok(())
}

/// The response to a request: its result, or an error for unknown methods and bad
/// parameters.
fn answer(docs: &Docs, req: Request) -> Response {
    let id = req.id.clone();
    match dispatch(docs, req) {
        Ok(Some(value)) => Response::new_ok(id, value),
        Ok(None) => Response::new_ok(id, serde_json::Value::Null),
        Err(e) => error_response(id, &e.to_string()),
    }
}

fn error_response(id: RequestId, message: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        message.into(),
    )
}

fn dispatch(docs: &Docs, req: Request) -> Result<Option<serde_json::Value>> {
    let at = |uri: &Uri, pos: Position| -> Option<(&Document, usize, usize)> {
        let doc = docs.get(uri.as_str())?;
        let line = pos.line as usize;
        Some((doc, line, char_col(doc.line(line), pos.character as usize)))
    };
    let value = match req.method.as_str() {
        HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = serde_json::from_value(req.params)?;
            let pp = p.text_document_position_params;
            at(&pp.text_document.uri, pp.position)
                .and_then(|(doc, l, c)| hover::hover(doc, l, c))
                .map(|text| Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: None,
                })
                .map(serde_json::to_value)
        }
        GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams = serde_json::from_value(req.params)?;
            let pp = p.text_document_position_params;
            let uri = pp.text_document.uri.clone();
            at(&uri, pp.position)
                .and_then(|(doc, l, c)| {
                    let name = doc.name_at(l, c)?;
                    let def = doc.definition(name)?;
                    Some(Location::new(uri.clone(), range(doc, def.span)))
                })
                .map(|loc| serde_json::to_value(GotoDefinitionResponse::Scalar(loc)))
        }
        References::METHOD => {
            let p: lsp_types::ReferenceParams = serde_json::from_value(req.params)?;
            let pp = p.text_document_position;
            let uri = pp.text_document.uri.clone();
            let include_def = p.context.include_declaration;
            at(&uri, pp.position)
                .and_then(|(doc, l, c)| {
                    let name = doc.name_at(l, c)?;
                    let locs: Vec<Location> = doc
                        .occurrences(name)
                        .filter(|n| include_def || !n.is_def)
                        .map(|n| Location::new(uri.clone(), range(doc, n.span)))
                        .collect();
                    Some(locs)
                })
                .map(serde_json::to_value)
        }
        DocumentSymbolRequest::METHOD => {
            let p: lsp_types::DocumentSymbolParams = serde_json::from_value(req.params)?;
            docs.get(p.text_document.uri.as_str())
                .map(|doc| serde_json::to_value(DocumentSymbolResponse::Nested(symbols(doc))))
        }
        other => return Err(format!("unsupported request `{other}`").into()),
    };
    Ok(value.transpose()?)
}

/// The diagnostics of `doc` in the protocol's form.
fn diagnostics(doc: &Document) -> Vec<lsp_types::Diagnostic> {
    doc.diagnostics
        .iter()
        .map(|d| lsp_types::Diagnostic {
            range: range(doc, d.span),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(format!("clif {}", d.source)),
            message: d.message.clone(),
            ..lsp_types::Diagnostic::default()
        })
        .collect()
}

/// The functions of `doc` with their blocks as children.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let lines_range = |(a, b): (usize, usize)| {
        let end = doc.line(b).encode_utf16().count() as u32;
        Range::new(Position::new(a as u32, 0), Position::new(b as u32, end))
    };
    let def_range = |text: &str, kind: NameKind, line: usize| {
        doc.names
            .iter()
            .find(|n| n.is_def && n.kind == kind && n.text == text && n.span.line == line)
            .map(|n| range(doc, n.span))
    };
    doc.functions
        .iter()
        .map(|f| {
            let full = lines_range(f.lines);
            let children = f
                .blocks
                .iter()
                .map(|(name, lines)| {
                    let r = lines_range(*lines);
                    DocumentSymbol {
                        name: name.clone(),
                        detail: None,
                        kind: SymbolKind::NAMESPACE,
                        tags: None,
                        deprecated: None,
                        range: r,
                        selection_range: def_range(name, NameKind::Block, lines.0).unwrap_or(r),
                        children: None,
                    }
                })
                .collect();
            DocumentSymbol {
                name: f.name.clone(),
                detail: Some(
                    doc.line(f.lines.0)
                        .trim()
                        .trim_end_matches('{')
                        .trim()
                        .into(),
                ),
                kind: SymbolKind::FUNCTION,
                tags: None,
                deprecated: None,
                range: full,
                selection_range: def_range(&f.name, NameKind::Function, f.lines.0).unwrap_or(full),
                children: Some(children),
            }
        })
        .collect()
}

/// A span in the protocol's UTF-16 positions.
fn range(doc: &Document, s: Span) -> Range {
    let text = doc.line(s.line);
    let utf16 =
        |col: usize| -> u32 { text.chars().take(col).map(char::len_utf16).sum::<usize>() as u32 };
    Range::new(
        Position::new(s.line as u32, utf16(s.start)),
        Position::new(s.line as u32, utf16(s.end)),
    )
}

/// The character column of UTF-16 column `utf16` of `text`.
fn char_col(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.chars().enumerate() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    text.chars().count()
}
