// The CLIF extension: the grammar and language configuration are declarative
// (package.json); this starts `clif-util lsp` (diagnostics, hovers, go to definition,
// references, document symbols) when clif-util is on the PATH, and does nothing more
// when it is not.
const { execFileSync } = require('child_process');
const vscode = require('vscode');

let client;

function serverPath() {
  return vscode.workspace.getConfiguration('clif').get('server.path', 'clif-util');
}

function serverRuns(path) {
  try {
    execFileSync(path, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function activate(context) {
  const path = serverPath();
  if (!serverRuns(path)) {
    return;
  }
  const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
  const server = { command: path, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'clif',
    'CLIF language server',
    { run: server, debug: server },
    { documentSelector: [{ language: 'clif' }] },
  );
  context.subscriptions.push(client);
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
