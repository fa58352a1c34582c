#!/usr/bin/env node
/** The `modelgate` command. */
const USAGE = `usage: modelgate <command>

commands:
  serve                 start the gateway (config/gateway.json + env)
  models [--out DIR]    train and export the demo models (deterministic)
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      return (await import('./serve-command.js')).serveCommand();
    case 'models':
      return (await import('./models-command.js')).modelsCommand(args);
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
