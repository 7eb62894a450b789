/**
 * `nlsq/node`: Node-only helpers — streaming file readers for the streaming strategy.
 *
 * @module
 */
export { csvFileSource, float64FileSource, type FileReadOptions } from './file-sources.ts';
export type { CsvOptions, ColumnRef } from '../sources/csv-parser.ts';
export type { Float64Options } from '../sources/float64-parser.ts';
export type { SourceChunk } from '../sources/data-source.ts';
