// What a bench child process (a reference script, a model timed on its own) reports: its stdout's last line, as JSON.

/** The JSON object on the last line of `stdout` (an empty object when there is none). */
export function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() || '{}') as T;
}
