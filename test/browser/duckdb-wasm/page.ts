/**
 * The page of `npm run test:duckdb-wasm` (scripts/test-duckdb-wasm.mjs): DuckDB-Wasm in a Web
 * Worker of the page, a table made there by SQL, and `fitSql` through `duckdbWasm(connection)` —
 * beside `curveFit` in the same page on the same rows read back as arrays. Publishes
 * `globalThis.__duckdbWasm` = `{ cases: [{ name, popt, perr, refPopt, refPerr, n, refN, backend }] }`
 * or `{ error }`.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import { curveFit, fitSql, model } from '../../../src/index.ts';
import { duckdbWasm } from '../../../src/sql/index.ts';

interface Case {
  name: string;
  popt: number[];
  perr: number[];
  refPopt: number[];
  refPerr: number[];
  n: number;
  refN: number;
  backend: string;
}

const decay = model('a*exp(-b*t)+c', { variables: ['t'] });

async function main(): Promise<{ cases: Case[] }> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: '/duckdb-mvp.wasm', mainWorker: '/duckdb-browser-mvp.worker.js' },
    eh: { mainModule: '/duckdb-eh.wasm', mainWorker: '/duckdb-browser-eh.worker.js' },
  });
  const engine = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker!));
  await engine.instantiate(bundle.mainModule);
  const connection = await engine.connect();
  await connection.query(`CREATE TABLE "odd ""readings""" AS SELECT (i / 500.0)::DOUBLE AS t,
    (3 * exp(-0.7 * (i / 500.0)) + 0.5 + 0.01 * sin(i * 12.9898))::DOUBLE AS signal,
    (0.01 + 0.005 * (i % 7) / 7)::DOUBLE AS err, (i % 3)::INTEGER AS sensor FROM range(6000) r(i)`);
  const db = duckdbWasm(connection);
  const rowsOf = async (sql: string): Promise<{ t: Float64Array; y: Float64Array; s: Float64Array }> => {
    const table = await connection.query(sql);
    const col = (name: string): Float64Array => Float64Array.from(table.getChild(name)!.toArray() as ArrayLike<number>);
    return { t: col('t'), y: col('signal'), s: col('err') };
  };
  const cases: Case[] = [];
  {
    const r = await fitSql(decay, { db, table: 'odd "readings"', x: 't', y: 'signal', sigma: 'err' }, { p0: [1, 1, 0] });
    const d = await rowsOf('SELECT t, signal, err FROM "odd ""readings""" ORDER BY t');
    const ref = await curveFit(decay, d.t, d.y, { p0: [1, 1, 0], sigma: d.s });
    cases.push({ name: 'sigma column', popt: [...r.popt], perr: [...r.perr], refPopt: [...ref.popt], refPerr: [...ref.perr], n: r.n, refN: d.t.length, backend: r.choices.backend.used });
  }
  {
    const r = await fitSql(decay, { db, table: 'odd "readings"', x: 't', y: 'signal', where: 'sensor = $1 AND t < $2', whereParams: [2, 9.5] }, { p0: [1, 1, 0] });
    const d = await rowsOf('SELECT t, signal, err FROM "odd ""readings""" WHERE sensor = 2 AND t < 9.5 ORDER BY t');
    const ref = await curveFit(decay, d.t, d.y, { p0: [1, 1, 0] });
    cases.push({ name: 'where with bound whereParams', popt: [...r.popt], perr: [...r.perr], refPopt: [...ref.popt], refPerr: [...ref.perr], n: r.n, refN: d.t.length, backend: r.choices.backend.used });
  }
  await connection.close();
  await engine.terminate();
  return { cases };
}

main().then(
  (result) => ((globalThis as { __duckdbWasm?: unknown }).__duckdbWasm = result),
  (error: unknown) => ((globalThis as { __duckdbWasm?: unknown }).__duckdbWasm = { error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error) }),
);
