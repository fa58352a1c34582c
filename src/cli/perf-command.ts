import { writeFileSync } from 'node:fs';
import type { PerfReport } from '../perf/run-perf.js';
import { parsePerfArgs, type PerfCli } from './perf-options.js';

/**
 * `modelgate perf`: benchmark a model on a gateway (see PERF_USAGE). The first Ctrl-C ends the
 * step being measured and prints what was measured so far (exit 130); a second one exits at once.
 */
export async function perfCommand(args: string[]): Promise<void> {
  const cli = parsePerfArgs(args);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = cli.quiet ? undefined : progressLine();
  try {
    if (cli.sweep) {
      const { sweepBatching } = await import('../perf/batching-sweep.js');
      const sweep = await sweepBatching(cli.run, cli.sweep, controller.signal, progress?.write);
      progress?.end();
      process.stdout.write(sweep.text);
      if (cli.json) write(cli.json, `${JSON.stringify(sweep.result, null, 2)}\n`);
      if (sweep.result.interrupted) process.exitCode = 130;
      return;
    }
    const { runPerf } = await import('../perf/run-perf.js');
    const report = await runPerf({ ...cli.run, signal: controller.signal, ...(progress ? { progress: progress.write } : {}) });
    progress?.end();
    await output(cli, report);
    if (report.interrupted) process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function output(cli: PerfCli, report: PerfReport): Promise<void> {
  const { renderTable, renderCsv } = await import('../perf/report-text.js');
  const toStdout = cli.json === '-' || cli.csv === '-';
  if (!toStdout) {
    const head = `${report.model}${report.version ? `@${report.version}` : ' (routed)'} at ${report.url}, ${report.protocol}, inputs ${report.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(',')}]`).join(', ')}`;
    process.stdout.write(`${head}\n${renderTable(report.steps)}\n${report.notes.map((n) => `note: ${n}\n`).join('')}${report.interrupted ? 'interrupted: the figures are those measured before Ctrl-C\n' : ''}`);
  }
  if (cli.json) write(cli.json, `${JSON.stringify(report, null, 2)}\n`);
  if (cli.csv) write(cli.csv, renderCsv(report.steps));
  if (cli.html) {
    const { renderHtml } = await import('../perf/report-html.js');
    write(cli.html, renderHtml(report));
  }
}

function write(path: string, text: string): void {
  if (path === '-') process.stdout.write(text);
  else writeFileSync(path, text);
}

/** One line on stderr, rewritten in place on a terminal; otherwise one line per finished step. */
function progressLine(): { write: (line: string) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let shown = false;
  return {
    write: (line) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`);
        shown = true;
      } else if (!/ window \d+: /.test(line)) process.stderr.write(`${line}\n`); // per-second updates only on a terminal
    },
    end: () => {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  };
}
