// Every way a detector is started runs node with the same V8 flags: the image (Dockerfile CMD),
// `npm start` (the demo and docker-compose), and the spawner of the bench and the fault tests
// (DETECTOR_NODE_FLAGS). The flags change the detector's speed and memory, so the bench must
// measure what production runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTOR_NODE_FLAGS } from '../../../scripts/dev/detector-child.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('detector node flags', () => {
  it('are the same in the image, in npm start and for the spawned detectors', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd.slice(0, 1 + DETECTOR_NODE_FLAGS.length)).toEqual(['node', ...DETECTOR_NODE_FLAGS]);

    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start!.split(' ').slice(0, 1 + DETECTOR_NODE_FLAGS.length)).toEqual([
      'node',
      ...DETECTOR_NODE_FLAGS,
    ]);
  });
});
