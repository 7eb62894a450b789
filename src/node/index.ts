/**
 * `nlsq/node`: Node-only helpers — streaming file readers for the streaming strategy (CSV, raw
 * Float64, and by path Parquet, Arrow IPC and HDF5).
 *
 * @module
 */
export { csvFileSource, float64FileSource, type FileReadOptions } from './file-sources.ts';
export type { CsvOptions, ColumnRef } from '../sources/csv-parser.ts';
export type { Float64Options } from '../sources/float64-parser.ts';
export type { SourceChunk } from '../sources/data-source.ts';
export { parquetFileSource, arrowFileSource, hdf5FileSource } from './columnar-file-sources.ts';
export type { ParquetOptions } from '../sources/parquet-source.ts';
export type { ArrowOptions } from '../sources/arrow-source.ts';
export type { Hdf5Options } from '../sources/hdf5-source.ts';
export type { ColumnSelection } from '../sources/column-options.ts';
