/** A load generator's own CPU time (all its threads) since `from`, per request, in µs: on a small machine it competes with the server. */
export function clientCpu(from: NodeJS.CpuUsage, requests: number): number | undefined {
  const d = process.cpuUsage(from);
  return requests > 0 ? (d.user + d.system) / requests : undefined;
}
