// Starts `mimigrate lsp` for PowerShell files; everything else (diagnostics,
// quick fixes, fix-all on save, hover) is the language server's.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    // Created once and kept across restarts: the client only listens to them.
    const configWatchers = [
        vscode.workspace.createFileSystemWatcher('**/mimigrate.toml'),
        vscode.workspace.createFileSystemWatcher('**/.mimigrate.toml'),
    ];
    context.subscriptions.push(...configWatchers);
    context.subscriptions.push(
        vscode.workspace.onDidChangeConfiguration(async (event) => {
            if (event.affectsConfiguration('mimigrate.path')) {
                await stop();
                await start(configWatchers);
            }
        }),
    );
    await start(configWatchers);
}

export function deactivate(): Promise<void> {
    return stop();
}

async function start(configWatchers: vscode.FileSystemWatcher[]): Promise<void> {
    const command = vscode.workspace.getConfiguration('mimigrate').get<string>('path') || 'mimigrate';
    const serverOptions: ServerOptions = { command, args: ['lsp'] };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'powershell' }],
        synchronize: { fileEvents: configWatchers },
        middleware: {
            // From the command palette the server's commands come without the
            // file they act on: give them the active editor's.
            executeCommand: (name, args, next) => {
                const document = vscode.window.activeTextEditor?.document;
                if (args.length === 0 && document !== undefined && client !== undefined) {
                    args = [client.code2ProtocolConverter.asUri(document.uri)];
                }
                return next(name, args);
            },
        },
    };
    // The id `mimigrate` makes `mimigrate.trace.server` the trace setting.
    client = new LanguageClient('mimigrate', 'mimigrate', serverOptions, clientOptions);
    try {
        await client.start();
    } catch {
        // The client has shown the error ("Launching server using command ...
        // failed"); a new mimigrate.path starts it again.
    }
}

async function stop(): Promise<void> {
    const running = client;
    client = undefined;
    if (running?.isRunning()) {
        await running.dispose();
    }
}
