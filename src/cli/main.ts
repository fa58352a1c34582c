#!/usr/bin/env node
/**
 * The `modelgate` command. Exit codes: 0 done (and every `--help`), 1 the command failed,
 * 2 the command line is wrong (one line saying why, then the usage, on stderr), 3 refused by
 * role (401: no or an unknown token; 403: a role too low). A gateway's refusal is one line:
 * its message, status and error code, never a stack.
 */
import { COMMANDS } from './commands.js';
import { ConfigError } from '../config/config-error.js';
import { UsageError } from './usage-error.js';
import { loadTracing } from '../tracing/tracing-env.js';
import { GatewayClientError } from './remote/gateway-client.js';
import { EXIT_CODES } from './commands.js';

const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
const USAGE = `usage: modelgate <command> [options]   (modelgate <command> --help for its options)

commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(width)}${spec.summary}`)
  .join('\n')}

${EXIT_CODES}
`;

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' && args[0] ? COMMANDS[args[0]] : undefined;
    process.stdout.write(topic ? `${topic.usage}\n` : USAGE);
    return 0;
  }
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) {
    process.stderr.write(`modelgate: unknown command '${command.slice(0, 100)}'\n\n${USAGE}`);
    return 2;
  }
  // Before loading the command: `serve --help` must never start a server.
  if (wantsHelp(args)) {
    process.stdout.write(`${spec.usage}\n`);
    return 0;
  }
  try {
    // OpenTelemetry (when OTEL_* asks for it) before the command's modules load pg and ioredis.
    if (command === 'serve') await loadTracing(process.env, (await import('../build-info.js')).buildInfo().version);
    await (await spec.run())(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`modelgate ${command}: ${err.message}\n${spec.usage}\n`);
      return 2;
    }
    if (err instanceof GatewayClientError) {
      process.stderr.write(`modelgate ${command}: ${refusal(err)}\n`);
      return err.refused ? 3 : 1;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`modelgate ${command}: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(`modelgate ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** One line: the server's message with its status, code and rule (e.g. `... [409 conflict: semver]`). */
function refusal(err: GatewayClientError): string {
  if (err.status === 0) return err.message;
  const rule = typeof err.details?.rule === 'string' ? `: ${err.details.rule}` : '';
  return `${err.message.replace(/\s*\n\s*/g, ' ')} [${err.status} ${err.code}${rule}]`;
}

main(process.argv.slice(2)).then(
  (code) => {
    // serve keeps running (its listener holds the loop); the others end here. A failed start may
    // have left handles open (a flag watcher, a pool): the exit code must not wait for them.
    if (code !== 0) process.exit(code);
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`modelgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
