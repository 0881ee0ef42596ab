/** Provisioning progress goes to stderr so that it shows in test logs without mixing with reporter output. */
export function infraLog(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}
