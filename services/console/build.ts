// Builds the analyst console into services/console/dist: one ES module bundle (the app with chart.js
// and cytoscape), one stylesheet and the page. `npm run console:build`; the detector serves the result.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'src');
export const CONSOLE_DIST = join(here, 'dist');

export async function buildConsole(outdir = CONSOLE_DIST): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [
      { in: join(source, 'main.ts'), out: 'console' },
      { in: join(source, 'console.css'), out: 'console' },
    ],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await copyFile(join(source, 'index.html'), join(outdir, 'index.html'));
  // Compressed once here, served as is by @fastify/static (preCompressed, which also wants the index
  // compressed): the bundle is mostly the two libraries, 650 kB that travel as under a third of that.
  for (const name of ['console.js', 'console.css', 'index.html']) {
    const bytes = await readFile(join(outdir, name));
    await writeFile(join(outdir, `${name}.br`), brotliCompressSync(bytes));
    await writeFile(join(outdir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildConsole();
}
