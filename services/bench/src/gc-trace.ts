// What V8's --trace-gc-nvp says about one run of chunk-gc-run.ts: its collections between the run's
// start marker and its result line, per event. The nvp lines are name=value pairs; only a few names are read.

/** What one run measured, per event (scavenges is the count). */
export interface GcFigures {
  cpuMicros: number;
  scavengePauseMicros: number;
  survivedBytes: number;
  promotedBytes: number;
  scavenges: number;
  fullCollectionPauseMicros: number;
}

/** The figures of one `gc=s` (scavenge) or mark-compact line of --trace-gc-nvp, by name. */
function nvpFields(line: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const pair of line.split(' ')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq), Number(pair.slice(eq + 1)));
  }
  return fields;
}

export function gcFiguresOf(output: string): GcFigures {
  let result: { events: number; cpuMicrosPerEvent: number } | null = null;
  let scavenges = 0;
  let scavengePauseMs = 0;
  let survived = 0;
  let promoted = 0;
  let fullPauseMs = 0;
  let started = false;
  for (const line of output.split('\n')) {
    if (line === 'chunk-gc-start') {
      started = true;
      continue;
    }
    if (line.startsWith('chunk-gc-result ')) {
      result = JSON.parse(line.slice('chunk-gc-result '.length));
      continue;
    }
    // Collections before the start are the set-up's, those after the result the clean-up's.
    if (!started || result) continue;
    if (line.includes(' gc=s ')) {
      const f = nvpFields(line);
      scavenges += 1;
      scavengePauseMs += f.get('pause') ?? 0;
      survived += f.get('new_space_survived') ?? 0;
      promoted += f.get('promoted') ?? 0;
    } else if (/ gc=m[cs] /.test(line)) {
      fullPauseMs += nvpFields(line).get('pause') ?? 0;
    }
  }
  if (!result) throw new Error(`the run printed no result:\n${output.slice(-2_000)}`);
  const n = result.events;
  return {
    cpuMicros: result.cpuMicrosPerEvent,
    scavengePauseMicros: (scavengePauseMs * 1000) / n,
    survivedBytes: survived / n,
    promotedBytes: promoted / n,
    scavenges,
    fullCollectionPauseMicros: (fullPauseMs * 1000) / n,
  };
}
