#!/usr/bin/env node
/** The `modelgate` command. */
const USAGE = `usage: modelgate <command>

commands:
  serve [--workers N|auto]
                        start the gateway (config/gateway.json + env); N processes share the port
  import <file.onnx> --name M --version V [--warmup sample.json | --no-warmup]
                        serve an ONNX file exported elsewhere (manifest read from the graph)
  register <dir>        register a version folder in the registry (deployer)
  promote <m> <v> <stage> [--reason R] [--override]
                        move a version: staging (deployer), production (approver, gate)
  validate <m> <v>      run the validation gate against the production version
  audit verify|list     walk the audit log's hash chain / print it
  token create|list|revoke
                        manage role tokens (admin)
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      // A cluster primary loads no gateway code (no onnxruntime, no sessions): it only forks workers.
      if ((await import('./cluster.js')).startClusterPrimary(args)) return;
      return (await import('./serve-command.js')).serveCommand();
    case 'import':
      return (await import('./import-command.js')).importCommand(args);
    case 'register':
      return (await import('./register-command.js')).registerCommand(args);
    case 'promote':
      return (await import('./promote-command.js')).promoteCommand(args);
    case 'validate':
      return (await import('./validate-command.js')).validateCommand(args);
    case 'audit':
      return (await import('./audit-command.js')).auditCommand(args);
    case 'token':
      return (await import('./token-command.js')).tokenCommand(args);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`modelgate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
