import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every notebook in notebooks/ runs headless to the end (on the compiled libs in dist/). */
describe('notebooks', () => {
  const dir = path.resolve(__dirname, '..', 'notebooks');
  const notebooks = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'));

  it('has notebooks to run', () => {
    expect(notebooks.length).toBeGreaterThan(0);
  });

  it.each(notebooks)('%s runs to the end', (name) => {
    const run = spawnSync(
      process.execPath,
      [path.join(dir, 'run-notebook.js'), path.join(dir, name)],
      {
        cwd: path.resolve(dir, '..'),
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`ran ${name}`);
    const executed = JSON.parse(fs.readFileSync(path.join(dir, 'out', name), 'utf8')) as {
      cells: { cell_type: string; execution_count: number | null }[];
    };
    const code = executed.cells.filter((c) => c.cell_type === 'code');
    expect(code.every((c) => c.execution_count !== null)).toBe(true);
  });
});
