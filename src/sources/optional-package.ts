/**
 * Loading the optional readers (hyparquet, apache-arrow, h5wasm) on first use. They are optional
 * peer dependencies: a user who never reads a Parquet, Arrow or HDF5 file never installs or loads
 * them, and one who does gets a clear error naming the package to install when it is missing.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';

/**
 * Run a dynamic import, turning a failure into a {@link DataSourceError} that names the package.
 *
 * @param load - the `import('…')` to run (a literal specifier, so bundlers can follow it).
 * @param packages - the npm packages it needs, for the message (e.g. `'hyparquet hyparquet-compressors'`).
 * @param caller - function name for messages.
 * @returns the module.
 * @throws DataSourceError when the module cannot be loaded.
 */
export async function loadOptional<T>(load: () => Promise<T>, packages: string, caller: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataSourceError(`${caller}: this reader needs the optional package${packages.includes(' ') ? 's' : ''} ${packages} (npm install ${packages}): ${msg}`, { cause: e });
  }
}
